/*
 * resolve: raw rows resolved once into the kept day rows (edge_day), by
 * the writers, once the inventory covers them (store.h: store_resolve()),
 * and a whole week of day rows summed (edge_week) once its last hour is.
 *
 * The rule itself is SQL (sql/views.sql: flow_resolved_all), so that the
 * rows kept and the tail a reader resolves as it reads are resolved alike;
 * this file decides what to resolve and when to resolve it again.
 */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "podflow/errmsg.h"
#include "podflow/hash.h"
#include "podflow/store.h"
#include "sql.h"
#include "store_int.h"

#define DAY 86400
#define HOUR 3600
#define WEEK (7 * DAY)

/* Where resolution stands: sql/queries/store/resolve_state.sql. */
struct state {
	int64_t until;	    /* resolved before this; 0: never */
	int64_t inventory;  /* the inventory's time; 0: none imported */
	int64_t first;	    /* the first raw bucket; -1: no raw rows */
	int64_t kept_from;  /* raw rows before it may be gone */
	int64_t width;	    /* the bucket width */
	int late;	    /* changes wait in edge_late */
};

static int64_t floor_to(int64_t t, int64_t unit)
{
	return t - (t % unit + unit) % unit;
}

/* The Monday 00:00 UTC a week starts on (1970-01-01 was a Thursday). */
static int64_t week_of(int64_t t)
{
	return floor_to(t + 3 * DAY, WEEK) - 3 * DAY;
}

static int read_state(struct store *s, struct state *w)
{
	struct sdb_stmt *st = NULL;
	int rc = -1;

	if (store_query(s, sql_resolve_state, &st) < 0)
		return -1;
	if (sdb_step(st) != SDB_ROW) {
		store_db_error(s);
		goto out;
	}
	w->until = sdb_column_int64(st, 0);
	w->inventory = sdb_column_int64(st, 1);
	w->first = sdb_column_is_null(st, 2)
			   ? -1
			   : sdb_column_int64(st, 2);
	w->kept_from = sdb_column_int64(st, 3);
	w->width = sdb_column_int64(st, 4);
	if (w->width <= 0)
		w->width = 60;
	w->late = sdb_column_int(st, 5);
	rc = 0;
out:
	sdb_finalize(st);
	return rc;
}

/*
 * The digest of what resolving the buckets [from, to) reads of the
 * inventory (resolve_digest.sql): every column of every row, in order.
 * The span is widened by a bucket, as far as the starts of its last
 * bucket's connections reach.
 */
static int digest(struct store *s, int64_t from, int64_t to, int64_t width,
		  int64_t *out)
{
	struct sdb_stmt *st = NULL;
	uint64_t h = HASH_INIT;
	int rc;

	if (store_query(s, sql_resolve_digest, &st) < 0)
		return -1;
	sdb_bind_int64(st, 1, from);
	sdb_bind_int64(st, 2, to + width);
	while ((rc = sdb_step(st)) == SDB_ROW) {
		for (int i = 0; i < sdb_column_count(st); i++) {
			const char *v = sdb_column_text(st, i);

			/* The terminator keeps "ab","c" from "a","bc". */
			v = v ? v : "";
			h = hash_bytes(h, v, strlen(v) + 1);
		}
	}
	sdb_finalize(st);
	if (rc != SDB_DONE)
		return store_db_error(s);
	/* SQLite keeps signed integers. */
	*out = (int64_t)(h >> 1);
	return 0;
}

int store_script(struct store *s, const char *sql, const int64_t *args,
		 size_t n, int64_t *changes, size_t n_changes)
{
	const char *tail = sql;
	struct sdb_stmt *st;

	for (size_t i = 0; *tail != '\0'; i++) {
		if (sdb_prepare(store_sdb(s), tail, &st, &tail) < 0)
			return store_db_error(s);
		if (st == NULL) /* comments and blanks at the end */
			break;
		for (int p = 1; p <= sdb_bind_count(st); p++)
			if ((size_t)p <= n)
				sdb_bind_int64(st, p, args[p - 1]);
		if (sdb_step(st) != SDB_DONE) {
			store_db_error(s);
			sdb_finalize(st);
			return -1;
		}
		sdb_finalize(st);
		if (i < n_changes)
			changes[i] = sdb_changes(store_sdb(s));
	}
	return 0;
}

/* Runs sql with a and b bound to ?1 and ?2 where it has them. */
static int run(struct store *s, const char *sql, int64_t a, int64_t b)
{
	return store_script(s, sql, (const int64_t[]){ a, b }, 2, NULL, 0);
}

/*
 * The first kept day, from day `from` on, whose inventory is no longer
 * what it was resolved with, into *redo (INT64_MAX: none).  Days whose
 * raw rows may be pruned in part cannot be resolved again, and are not
 * looked at.
 */
static int changed_day(struct store *s, const struct state *w, int64_t from,
		       int64_t *redo)
{
	struct sdb_stmt *st = NULL;
	int rc;

	*redo = INT64_MAX;
	if (store_query(s, sql_resolve_days, &st) < 0)
		return -1;
	sdb_bind_int64(st, 1, from);
	while ((rc = sdb_step(st)) == SDB_ROW) {
		int64_t day = sdb_column_int64(st, 0);
		int64_t was = sdb_column_int64(st, 1), now;
		int64_t end = day + DAY < w->until ? day + DAY : w->until;

		if (digest(s, day, end, w->width, &now) < 0) {
			sdb_finalize(st);
			return -1;
		}
		if (now != was) {
			*redo = day;
			break;
		}
	}
	if (rc != SDB_ROW && rc != SDB_DONE) {
		sdb_finalize(st);
		return store_db_error(s);
	}
	sdb_finalize(st);
	return 0;
}

/* Records the digests of the days of [from, until) as resolved now. */
static int note_days(struct store *s, const struct state *w, int64_t from,
		     int64_t until)
{
	for (int64_t day = floor_to(from, DAY); day < until; day += DAY) {
		int64_t end = day + DAY < until ? day + DAY : until, d;

		if (digest(s, day, end, w->width, &d) < 0 ||
		    run(s, sql_resolve_day_put, day, d) < 0)
			return -1;
	}
	return 0;
}

/*
 * One pass, in the caller's transaction: what changed first, then at most
 * an hour of raw rows.  *more: hours are left for another pass.
 */
static int resolve(struct store *s, int64_t now, struct store_resolved *out,
		   int *more)
{
	struct state w;
	int64_t limit, redo, start;
	char value[24];

	if (read_state(s, &w) < 0)
		return -1;
	out->until = w.until;
	/* No inventory: nothing to resolve against, the raw rows are all. */
	if (w.inventory == 0)
		return 0;
	if (w.until == 0) {
		if (w.first < 0)
			return 0;
		w.until = floor_to(w.first, DAY);
	}
	if (changed_day(s, &w, floor_to(w.kept_from + DAY - 1, DAY), &redo) <
	    0)
		return -1;
	if (redo != INT64_MAX) {
		if (run(s, sql_resolve_redo, redo, 0) < 0)
			return -1;
		out->redone_from = redo;
		w.until = redo;
		w.late = 0;
	}
	/*
	 * Whole hours only, and only as far as the inventory reaches: a pod
	 * that came up after the last import is not in it yet.
	 */
	limit = floor_to(now < w.inventory ? now : w.inventory, HOUR);
	if (limit <= w.until && !w.late)
		return 0;
	if (limit < w.until)
		limit = w.until;
	if (limit > floor_to(w.until, HOUR) + HOUR) {
		limit = floor_to(w.until, HOUR) + HOUR;
		*more = 1;
	}
	start = w.until;
	if (run(s, sql_resolve_fold, start, limit) < 0)
		return -1;
	out->rows += sdb_changes(store_sdb(s));
	if (run(s, sql_resolve_week_late, 0, 0) < 0 ||
	    run(s, "DELETE FROM edge_late", 0, 0) < 0)
		return -1;
	w.until = limit;
	if (note_days(s, &w, start, limit) < 0)
		return -1;
	/* The pass reached the end of a week: its days are summed. */
	if (week_of(limit) > start &&
	    run(s, sql_resolve_week, week_of(limit) - WEEK, limit) < 0)
		return -1;
	snprintf(value, sizeof(value), "%lld", (long long)limit);
	if (store_meta_set(s, "resolved_until", value) < 0)
		return -1;
	out->until = limit;
	return 0;
}

/*
 * A transaction per hour resolved: the write lock is never held longer
 * than an hour of raw rows takes (a second or so on a big node), so that
 * podflowd's flushes wait that at most; every commit leaves the kept rows
 * and resolved_until agreeing, and a reader reads the rest as tail.
 */
static int resolve_some(struct store *s, int64_t now, int max_hours,
			struct store_resolved *out)
{
	struct store_resolved r = { 0 };
	int more, passes = 0;

	do {
		more = 0;
		if (sdb_begin(store_sdb(s), 1) < 0)
			return store_db_error(s);
		if (store_query_all(s, sql_resolve_lock, NULL, NULL) < 0 ||
		    resolve(s, now, &r, &more) < 0)
			goto rollback;
		if (sdb_commit(store_sdb(s)) < 0) {
			store_db_error(s);
			goto rollback;
		}
	} while (more && ++passes < max_hours);
	r.more = more;
	if (out != NULL)
		*out = r;
	return 0;
rollback:
	sdb_rollback(store_sdb(s));
	return -1;
}

/* What resolve_node() adds each node's pass to. */
struct resolve_all {
	int64_t now;
	int max_hours;
	struct store_resolved sum;
	int first;
};

static int resolve_node(struct store *s, void *ctx)
{
	struct resolve_all *a = ctx;
	struct store_resolved r;

	if (resolve_some(s, a->now, a->max_hours, &r) < 0)
		return -1;
	a->sum.rows += r.rows;
	a->sum.more |= r.more;
	if (a->first || r.until < a->sum.until)
		a->sum.until = r.until;
	if (r.redone_from != 0 &&
	    (a->sum.redone_from == 0 || r.redone_from < a->sum.redone_from))
		a->sum.redone_from = r.redone_from;
	a->first = 0;
	return 0;
}

/*
 * A cluster store holds each node's rows apart (sql/pg/migrations/
 * 002_store.sql): each is resolved as its node's database would be, in
 * turn.  The summary is the sum; until, the least any node reached.
 */
int store_resolve_some(struct store *s, int64_t now, int max_hours,
		       struct store_resolved *out)
{
	struct resolve_all a = { now, max_hours, { 0 }, 1 };

	if (sdb_is_sqlite(store_sdb(s)))
		return resolve_some(s, now, max_hours, out);
	if (store_each_node(s, resolve_node, &a) < 0)
		return -1;
	if (out != NULL)
		*out = a.sum;
	return 0;
}

int store_resolve(struct store *s, int64_t now, struct store_resolved *out)
{
	return store_resolve_some(s, now, INT_MAX, out);
}
