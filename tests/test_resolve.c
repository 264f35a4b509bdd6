/*
 * Unit tests for resolution: the raw rows (edge, one per edge per minute)
 * resolved once by the writers into the kept day rows (edge_day), as
 * store_resolve() does it (store/resolve.c, sql/queries/store/resolve_*).
 *
 * What a reader sees must not depend on it: resolved_edges is the day
 * rows plus the tail (the buckets from meta resolved_until on, and the
 * late changes in edge_late), resolved as read by the same rule
 * (flow_resolved_all).  So each case writes edges as podflowd does
 * (store_flush_edges) and the inventory as policygen import does, into a
 * real SQLite file, and holds what resolution kept against the raw rows
 * and against the tail: the hours it may resolve, the days it splits
 * them into, what a second call, a late change and a late import do, and
 * the readers' rows on a copy that was never resolved.  Cases 7 to 9 hold
 * the kept rows to the tail where a late change or import reaches what
 * the day rows keep beyond the pods: the count of rows without start
 * times, the credit of a row whose span changed, the dup flags.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "podflow/errmsg.h"
#include "podflow/inventory.h"
#include "podflow/store.h"
#include "sql.h"
#include "support/testdb.h"
#include "support/testkit.h"

#define HOUR 3600
#define DAY 86400
/* 2026-01-01T00:00:00Z, a UTC midnight, and the next. */
#define DAY0 1767225600
#define DAY1 (DAY0 + DAY)
/* Long before, for pods that have been running a while. */
#define EARLIER (DAY0 - DAY)

#define CART_IP "10.244.1.5"
#define WEB_IP "10.244.1.6"
#define BACKEND_IP "10.244.4.4"
#define CLUSTER_IP "10.96.0.50"
#define NODE_IP "192.168.0.10"
/* Outside the cluster: no pod, no node. */
#define OUTSIDE_IP "203.0.113.66"

static const char *const cart_ip[] = { CART_IP };
static const char *const web_ip[] = { WEB_IP };
static const char *const backend_ip[] = { BACKEND_IP };

/* The rows of the query printf(fmt, ...) makes must be want. */
#define assert_rows(f, want, ...)                                              \
	testdb_assert_query((f)->store, want, __VA_ARGS__)

/* cart-1 on CART_IP and web-1 on WEB_IP, running since EARLIER. */
static void import_running(struct testdb *f, int64_t at)
{
	const struct inv_pod pods[] = {
		testkit_pod_deleted("cart-1", "cart", cart_ip, EARLIER, 0),
		testkit_pod_deleted("web-1", "web", web_ip, EARLIER, 0),
	};

	testdb_import(f->store, INVENTORY_SNAPSHOT, at, pods, 2);
}

/* One connection web -> cart:port started at at, last seen a second on. */
static void call(struct testdb *f, uint16_t port, int64_t at)
{
	struct store_edge e = testkit_edge(WEB_IP, CART_IP, port, at, at,
					   at + 1);

	testdb_flush(f->store, &e);
}

/* meta key as text, "NULL" when absent. */
static char *meta(struct testdb *f, const char *key)
{
	return testdb_query(f->store,
			    "SELECT coalesce((SELECT value FROM meta "
			    "WHERE key = '%s'), 'NULL')",
			    key);
}

static void assert_meta(struct testdb *f, const char *key, const char *want)
{
	char *got = meta(f, key);

	assert_string_equal(got, want);
	free(got);
}

/*
 * What resolved_edges adds up to is what the raw rows do: connections,
 * bytes, packets, the first and last sighting.  (For rows that meet one
 * holder at each end: a reused address repeats a row per holder.)
 */
static void assert_sums_are_the_raw_rows(struct testdb *f)
{
	static const char sums[] =
		"SELECT sum(connections), sum(bytes), sum(packets), "
		"min(first_seen), max(last_seen), count(*) > 0 FROM ";
	char *raw = testdb_query(f->store,
				 "%s (SELECT connections, orig_bytes + "
				 "reply_bytes AS bytes, orig_packets + "
				 "reply_packets AS packets, first_seen, "
				 "last_seen FROM edge)",
				 sums);
	char *read = testdb_query(f->store, "%s resolved_edges", sums);

	assert_string_equal(read, raw);
	free(raw);
	free(read);
}

/*
 * The kept rows and the tail read as the rule reads the raw rows: the
 * query sql, a printf format whose one conversion (%s) is the relation
 * read, gives on resolved_edges what it gives on rule, and that is want
 * (NULL: whatever both give).
 */
static void assert_kept_as_the_rule(struct testdb *f, const char *sql,
				    const char *rule, const char *want)
{
	char *by_rule = testdb_query(f->store, sql, rule);
	char *kept = testdb_query(f->store, sql, "resolved_edges");

	if (want != NULL)
		assert_string_equal(by_rule, want);
	assert_string_equal(kept, by_rule);
	free(by_rule);
	free(kept);
}

/* Every column of every day row, in key order, as text. */
static char *day_rows(struct testdb *f)
{
	return testdb_query(f->store,
			    "SELECT * FROM edge_day ORDER BY day, client, "
			    "route, src_pod_id, dst_pod_id, service_id, "
			    "src_dup, dst_dup");
}

/*
 * 1. Without an inventory nothing is resolved: there is nothing to
 * resolve against.  After an import at t, the whole hours before
 * floor_hour(t) are, and no further (nor past now): a pod that came up
 * after the import is not in it yet.  resolved_edges reads the kept rows
 * and the tail alike.
 */
static void test_resolves_whole_hours_up_to_the_import(void **state)
{
	struct testdb *f = *state;
	int64_t t = DAY0 + 10 * HOUR + 1800; /* 10:30 */
	struct store_resolved r;

	call(f, 1, t - HOUR - 60); /* 09:29: a past hour */
	call(f, 1, t - 60);	   /* 10:29: the import's own hour */

	r = testdb_resolve(f->store, t + DAY);
	assert_int_equal(r.until, 0);
	assert_int_equal(r.rows, 0);
	assert_int_equal(r.redone_from, 0);
	assert_rows(f, "0 0", "SELECT count(*), (SELECT count(*) FROM "
			      "edge_day_inventory) FROM edge_day");
	assert_meta(f, "resolved_until", "NULL");
	assert_rows(f, "2", "SELECT count(*) FROM flow_tail");

	import_running(f, t);
	/* now before the import bounds it too: 08:30, nothing yet. */
	r = testdb_resolve(f->store, t - 2 * HOUR);
	assert_int_equal(r.until, DAY0 + 8 * HOUR);
	assert_int_equal(r.rows, 0);
	assert_rows(f, "0", "SELECT count(*) FROM edge_day");

	r = testdb_resolve(f->store, t + DAY);
	assert_int_equal(r.until, DAY0 + 10 * HOUR);
	assert_int_equal(r.rows, 1);
	assert_int_equal(r.redone_from, 0);
	assert_rows(f, "36000", "SELECT value - %d FROM meta "
				"WHERE key = 'resolved_until'",
		    DAY0);
	/* day, start, connections, ends by pod. */
	assert_rows(f, "0 34140 1 web-1 cart-1",
		    "SELECT d.day - %d, d.first_seen - %d, d.connections, "
		    "s.name, p.name FROM edge_day AS d "
		    "JOIN pod AS s ON s.id = d.src_pod_id "
		    "JOIN pod AS p ON p.id = d.dst_pod_id",
		    DAY0, DAY0);
	assert_rows(f, "37740", "SELECT first_seen - %d FROM flow_tail",
		    DAY0);
	assert_rows(f, "34140 web-1 cart-1; 37740 web-1 cart-1",
		    "SELECT first_seen - %d, src_pod, dst_pod "
		    "FROM resolved_edges ORDER BY first_seen",
		    DAY0);
	assert_sums_are_the_raw_rows(f);
}

/*
 * The rows of test 2: one edge at 23:59 of DAY0, then 00:00, 01:59 and
 * 02:00 of DAY1, and an import at 02:10, which resolves up to 02:00.
 */
static int64_t import_two_days(struct testdb *f)
{
	int64_t at = DAY1 + 2 * HOUR + 600;

	call(f, 1, DAY1 - 60);
	call(f, 1, DAY1);
	call(f, 1, DAY1 + 2 * HOUR - 60);
	call(f, 1, DAY1 + 2 * HOUR);
	import_running(f, at);
	return at;
}

/*
 * 2. The periods' edges: a row a second before midnight is the day
 * before's, a row at midnight the next day's; a row a minute before the
 * resolution hour is resolved, a row at it is tail.
 */
static void test_periods_split_at_midnight_and_the_resolution_hour(
	void **state)
{
	struct testdb *f = *state;
	int64_t at = import_two_days(f);
	struct store_resolved r = testdb_resolve(f->store, at + HOUR);

	assert_int_equal(r.until, DAY1 + 2 * HOUR);
	/* day, connections, first and last seen within the day. */
	assert_rows(f, "0 1 86340 86341; 86400 2 0 7141",
		    "SELECT day - %d, connections, first_seen - day, "
		    "last_seen - day FROM edge_day ORDER BY day",
		    DAY0);
	assert_rows(f, "0; 86400",
		    "SELECT day - %d FROM edge_day_inventory ORDER BY day",
		    DAY0);
	assert_rows(f, "86400 1 7200",
		    "SELECT day - %d, connections, first_seen - day "
		    "FROM flow_tail",
		    DAY0);
	assert_rows(f, "0 1 1; 86400 3 2",
		    "SELECT day - %d, sum(connections), count(*) "
		    "FROM resolved_edges GROUP BY day ORDER BY day",
		    DAY0);
	assert_sums_are_the_raw_rows(f);
}

/*
 * 3. Incremental and idempotent: a second call with nothing new, a later
 * now within the same hour, and a snapshot that changes nothing the
 * resolved hours read all write nothing.
 */
static void test_second_resolution_changes_nothing(void **state)
{
	struct testdb *f = *state;
	int64_t at = import_two_days(f);
	struct store_resolved r = testdb_resolve(f->store, at + HOUR);
	char *rows, *days, *until, *again;
	int64_t changes;

	assert_true(r.rows > 0);
	rows = day_rows(f);
	days = testdb_query(f->store, "SELECT * FROM edge_day_inventory");
	until = meta(f, "resolved_until");

	for (int i = 0; i < 3; i++) {
		if (i == 2) /* the same pods, seen ten minutes later */
			import_running(f, at + 600);
		changes = sqlite3_total_changes64(store_db(f->store));
		r = testdb_resolve(f->store, at + HOUR + i * DAY);
		assert_int_equal(r.rows, 0);
		assert_int_equal(r.redone_from, 0);
		assert_int_equal(r.until, DAY1 + 2 * HOUR);
		assert_int_equal(sqlite3_total_changes64(store_db(f->store)),
				 changes);
		again = day_rows(f);
		assert_string_equal(again, rows);
		free(again);
		again = testdb_query(f->store,
				     "SELECT * FROM edge_day_inventory");
		assert_string_equal(again, days);
		free(again);
		again = meta(f, "resolved_until");
		assert_string_equal(again, until);
		free(again);
	}
	free(rows);
	free(days);
	free(until);
}

/*
 * 4. A change to a raw row already resolved: the end of a long connection
 * (a touch: no connection, its bytes, a later last_seen) and a new
 * counted row in a resolved bucket.  resolved_edges shows them at once
 * (edge_late), and reads the same after the next resolution has folded
 * them into the day rows and emptied edge_late; the sums stay the raw
 * rows'.
 */
static void test_late_changes_show_at_once_and_fold_into_day_rows(
	void **state)
{
	struct testdb *f = *state;
	int64_t t = DAY0 + 10 * HOUR + 1800, b = DAY0 + 9 * HOUR + 1200;
	struct store_edge first = testkit_edge(WEB_IP, CART_IP, 1, b, b, b + 1);
	struct store_edge touch = testkit_edge(WEB_IP, CART_IP, 1, t + 300,
					       STORE_UNKNOWN, t + 300);
	struct store_edge added = testkit_edge(WEB_IP, CART_IP, 2, b + 5,
					       b + 5, b + 6);
	static const char per_port[] =
		"SELECT server_port, sum(connections), sum(bytes), "
		"sum(packets), min(first_seen) - %d, max(last_seen) - %d, "
		"group_concat(DISTINCT src_pod || '>' || dst_pod) "
		"FROM resolved_edges GROUP BY server_port";
	struct store_resolved r;
	char *before, *after;

	first.orig_bytes = 10;
	first.reply_bytes = 20;
	first.orig_packets = 1;
	first.reply_packets = 2;
	testdb_flush(f->store, &first);
	call(f, 1, t - 60); /* in the tail */
	import_running(f, t);
	r = testdb_resolve(f->store, t + HOUR);
	assert_int_equal(r.until, DAY0 + 10 * HOUR);
	assert_rows(f, "0", "SELECT count(*) FROM edge_late");

	/* The touch lands in the bucket its connection counts in. */
	touch.bucket = b;
	touch.orig_bytes = 1000;
	touch.reply_bytes = 500;
	touch.orig_packets = 8;
	touch.reply_packets = 4;
	testdb_flush(f->store, &touch);
	added.orig_bytes = 7;
	added.reply_bytes = 3;
	added.orig_packets = 1;
	added.reply_packets = 1;
	testdb_flush(f->store, &added);
	assert_rows(f, "1 0 1500 12; 2 1 10 2",
		    "SELECT r.server_port, l.connections, "
		    "l.orig_bytes + l.reply_bytes, "
		    "l.orig_packets + l.reply_packets FROM edge_late AS l "
		    "JOIN route AS r ON r.id = l.route ORDER BY l.id");
	before = testdb_query(f->store, per_port, DAY0, DAY0);
	assert_string_equal(before, "1 2 1530 15 33600 38100 web-1>cart-1; "
				    "2 1 10 2 33605 33606 web-1>cart-1");
	assert_sums_are_the_raw_rows(f);

	r = testdb_resolve(f->store, t + HOUR);
	assert_int_equal(r.rows, 2);
	assert_int_equal(r.until, DAY0 + 10 * HOUR);
	assert_rows(f, "0", "SELECT count(*) FROM edge_late");
	assert_rows(f, "1 1 1530 15 33600 38100; 2 1 10 2 33605 33606",
		    "SELECT r.server_port, d.connections, d.bytes, "
		    "d.packets, d.first_seen - %d, d.last_seen - %d "
		    "FROM edge_day AS d JOIN route AS r ON r.id = d.route "
		    "ORDER BY 1",
		    DAY0, DAY0);
	after = testdb_query(f->store, per_port, DAY0, DAY0);
	assert_string_equal(after, before);
	assert_sums_are_the_raw_rows(f);
	free(before);
	free(after);
}

/*
 * Counts near the largest integer (a forged or odd counter, or one that
 * saturated in podflowd) saturate when folded into day rows and when read,
 * and never make a resolution or a read fail: SQLite's sum() errs past
 * the largest integer, and a STRICT table refuses the REAL + makes.
 */
static void test_huge_counts_saturate(void **state)
{
	struct testdb *f = *state;
	int64_t t = DAY0 + 10 * HOUR + 1800;
	int64_t b1 = DAY0 + 8 * HOUR, b2 = DAY0 + 9 * HOUR;
	struct store_edge e1 = testkit_edge(WEB_IP, CART_IP, 1, b1, b1, b1 + 1);
	struct store_edge e2 = testkit_edge(WEB_IP, CART_IP, 1, b2, b2, b2 + 1);
	struct store_edge late = testkit_edge(WEB_IP, CART_IP, 1, b2 + 60,
					      b2 + 60, b2 + 61);
	struct store_resolved r;

	e1.connections = e2.connections = INT64_MAX - 1;
	e1.orig_bytes = e2.orig_bytes = 8000000000000000000LL;
	e1.reply_bytes = e2.reply_bytes = 0;
	e1.orig_packets = e2.orig_packets = 4000000000000000000LL;
	e1.reply_packets = e2.reply_packets = 4000000000000000000LL;
	testdb_flush(f->store, &e1);
	testdb_flush(f->store, &e2);
	import_running(f, t);
	r = testdb_resolve(f->store, t + HOUR);
	assert_int_equal(r.until, DAY0 + 10 * HOUR);
	assert_rows(f, "9223372036854775807 9223372036854775807 "
		       "9223372036854775807",
		    "SELECT connections, bytes, packets FROM edge_day");
	/* A late row folds into the day row by the ON CONFLICT sums. */
	late.bucket = b2;
	late.orig_bytes = 5;
	testdb_flush(f->store, &late);
	r = testdb_resolve(f->store, t + HOUR);
	assert_rows(f, "9223372036854775807 9223372036854775807",
		    "SELECT connections, bytes FROM edge_day");
	/* The readers' sums saturate too, over rows and over days. */
	assert_rows(f, "9223372036854775807 9223372036854775807",
		    "SELECT connections, bytes FROM flow_edges");
	assert_rows(f, "9223372036854775807",
		    "SELECT connections FROM workload_edges");
}

/*
 * Who the rows of %s (resolved_edges, or flow_resolved by day) are
 * credited to, per day and port: "DAY PORT POD CONNECTIONS FIRST LAST".
 */
#define CREDIT_SQL                                                             \
	"SELECT day, server_port, dst_pod, sum(connections), "                 \
	"min(first_seen), max(last_seen) FROM %s GROUP BY 1, 2, 3 "            \
	"ORDER BY 1, 2, 3"

/*
 * 5. A late import: resolved while the inventory said cart-1 held CART_IP
 * all day, then a snapshot shows search-1 took it at 09:00 (cart-1 is no
 * longer listed, and its tenure is cut where search-1's begins).  The
 * next resolution resolves the day again from its raw rows and credits
 * them to the holder as it is now, exactly as flow_resolved (the rule the
 * tail reads by) credits them.
 */
static void test_late_import_resolves_the_day_again(void **state)
{
	struct testdb *f = *state;
	int64_t t = DAY0 + 10 * HOUR + 1800, handover = DAY0 + 9 * HOUR;
	const struct inv_pod later[] = {
		testkit_pod_deleted("search-1", "search", cart_ip, handover, 0),
		testkit_pod_deleted("web-1", "web", web_ip, EARLIER, 0),
	};
	struct store_resolved r;

	call(f, 1, handover - 300);	  /* 08:55, cart-1's either way */
	call(f, 2, handover + 600);	  /* 09:10, resolved */
	call(f, 2, handover + 660);	  /* 09:11 */
	call(f, 3, DAY0 + 10 * HOUR + 1200); /* 10:20, the tail */
	import_running(f, t);
	r = testdb_resolve(f->store, t + HOUR);
	assert_int_equal(r.until, DAY0 + 10 * HOUR);
	assert_rows(f, "1 cart-1 1; 2 cart-1 2; 3 cart-1 1",
		    "SELECT server_port, dst_pod, sum(connections) FROM "
		    "resolved_edges GROUP BY 1, 2 ORDER BY 1, 2");

	testdb_import(f->store, INVENTORY_SNAPSHOT, t + 600, later, 2);
	assert_rows(f, "cart-1 -118800..0; search-1 0..open",
		    "SELECT p.name || ' ' || (pi.valid_from - %lld) || '..' "
		    "|| coalesce(pi.valid_until - %lld, 'open') FROM pod_ip "
		    "AS pi JOIN pod AS p ON p.id = pi.pod_id WHERE pi.ip = "
		    "'%s' ORDER BY pi.valid_from",
		    (long long)handover, (long long)handover, CART_IP);
	/* Until resolved again, the kept rows say what was known then. */
	assert_rows(f, "1 cart-1 1; 2 cart-1 2; 3 search-1 1",
		    "SELECT server_port, dst_pod, sum(connections) FROM "
		    "resolved_edges GROUP BY 1, 2 ORDER BY 1, 2");

	r = testdb_resolve(f->store, t + HOUR);
	assert_int_equal(r.redone_from, DAY0);
	assert_int_equal(r.until, DAY0 + 10 * HOUR);
	assert_rows(f, "1 cart-1 1; 2 search-1 2; 3 search-1 1",
		    "SELECT server_port, dst_pod, sum(connections) FROM "
		    "resolved_edges GROUP BY 1, 2 ORDER BY 1, 2");
	assert_kept_as_the_rule(f, CREDIT_SQL,
				"(SELECT bucket - bucket % 86400 AS day, * "
				"FROM flow_resolved)",
				NULL);
	assert_sums_are_the_raw_rows(f);

	/* Resolved with the new inventory, the day is left alone again. */
	r = testdb_resolve(f->store, t + HOUR);
	assert_int_equal(r.redone_from, 0);
	assert_int_equal(r.rows, 0);
}

/*
 * policygen's readers, as test 6 runs them.  generate and check add up
 * the rows of one day, edge and pods as they come (one day row, or a raw
 * row a minute of the tail), so their rows are compared added up the
 * same way: connections summed, first seen the earliest, last seen the
 * latest.  flows and the workloads' traffic add up generate's rows
 * (store/read_flows.c); the workloads themselves are SQL's.
 */
struct reader {
	const char *name;
	const char *sql;
	int window;		 /* binds ?1 since, ?2 until; 2: ?3 1 too */
	int conns, first, last; /* the columns added up; -1: none */
};

static const struct reader readers[] = {
	{ "generate", sql_flows_window, 1, 6, 7, 8 },
	{ "check", sql_flows_window, 2, 6, 7, 8 },
	{ "workloads", sql_workloads_query, 0, -1, -1, -1 },
};

/* One row of a reader: the columns not added up, and those that are. */
struct line {
	char *key;
	int64_t conns, first, last;
};

static int cmp_line(const void *a, const void *b)
{
	return strcmp(((const struct line *)a)->key,
		      ((const struct line *)b)->key);
}

/* Column c of the row st is on; 0 for a reader without it (c < 0). */
static int64_t column(sqlite3_stmt *st, int c)
{
	return c < 0 ? 0 : sqlite3_column_int64(st, c);
}

/*
 * The rows reader r gives on s for the window [since, until), as text, a
 * line each, added up by day, edge and pods where the reader adds them
 * up.  Owned: free() it.
 */
static char *reader_rows(struct store *s, const struct reader *r,
			 int64_t since, int64_t until)
{
	struct line *lines = NULL;
	size_t n = 0, cap = 0, len = 0;
	char *out = NULL;
	FILE *fp;
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(store_db(s), r->sql, -1, &st, NULL) !=
	    SQLITE_OK)
		fail_msg("%s: %s", r->name, sqlite3_errmsg(store_db(s)));
	if (r->window) {
		sqlite3_bind_int64(st, 1, since);
		sqlite3_bind_int64(st, 2, until);
		if (r->window == 2)
			sqlite3_bind_int(st, 3, 1);
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		char *key = NULL;
		size_t klen = 0;
		FILE *k = open_memstream(&key, &klen);

		assert_non_null(k);
		for (int c = 0; c < sqlite3_column_count(st); c++) {
			const unsigned char *v = sqlite3_column_text(st, c);

			if (c == r->conns || c == r->first || c == r->last)
				continue;
			fprintf(k, "%s%s", c > 0 ? " " : "",
				v ? (const char *)v : "NULL");
		}
		fclose(k);
		if (n == cap) {
			cap = cap ? 2 * cap : 64;
			lines = realloc(lines, cap * sizeof(*lines));
			assert_non_null(lines);
		}
		lines[n++] = (struct line){
			.key = key,
			.conns = column(st, r->conns),
			.first = column(st, r->first),
			.last = column(st, r->last),
		};
	}
	if (rc != SQLITE_DONE)
		fail_msg("%s: %s", r->name, sqlite3_errmsg(store_db(s)));
	sqlite3_finalize(st);

	/* A reader that adds up: its rows in any order, one per key. */
	if (r->conns >= 0 && n > 1)
		qsort(lines, n, sizeof(*lines), cmp_line);
	fp = open_memstream(&out, &len);
	assert_non_null(fp);
	for (size_t i = 0; i < n;) {
		struct line sum = lines[i];
		size_t j = i + 1;

		while (r->conns >= 0 && j < n &&
		       strcmp(lines[j].key, sum.key) == 0) {
			sum.conns += lines[j].conns;
			if (lines[j].first < sum.first)
				sum.first = lines[j].first;
			if (lines[j].last > sum.last)
				sum.last = lines[j].last;
			j++;
		}
		fprintf(fp, "%s", sum.key);
		if (r->conns >= 0)
			fprintf(fp, " | %lld", (long long)sum.conns);
		if (r->first >= 0)
			fprintf(fp, " %lld", (long long)sum.first);
		if (r->last >= 0)
			fprintf(fp, " %lld", (long long)sum.last);
		fputc('\n', fp);
		for (; i < j; i++)
			free(lines[i].key);
	}
	fclose(fp);
	free(lines);
	return out;
}

/* Copies the file from to to; returns 0, or -1 when from is missing. */
static int copy_file(const char *from, const char *to)
{
	FILE *in = fopen(from, "rb"), *out;
	char buf[8192];
	size_t n;

	if (in == NULL)
		return -1;
	out = fopen(to, "wb");
	assert_non_null(out);
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		assert_int_equal(fwrite(buf, 1, n, out), n);
	fclose(in);
	assert_int_equal(fclose(out), 0);
	return 0;
}

/* The copy of test 6, beside the database. */
#define COPY_MAX (sizeof(((struct testdb *)0)->path) + 16)

static void copy_path(const struct testdb *f, const char *suffix,
		      char path[COPY_MAX])
{
	snprintf(path, COPY_MAX, "%s/copy.db%s", f->dir, suffix);
}

/*
 * testdb_teardown, once the copy and its -wal and -shm are gone: also
 * when the test failed half-way, so that its failure is reported as
 * such, not as files left over.
 */
static int copy_teardown(void **state)
{
	static const char *const sides[] = { "", "-wal", "-shm" };
	char path[COPY_MAX];

	for (size_t i = 0; i < sizeof(sides) / sizeof(sides[0]); i++) {
		copy_path(*state, sides[i], path);
		unlink(path);
	}
	return testdb_teardown(state);
}

/*
 * A day and a half of a small shop: cart's address handed over to search
 * at DAY0 12:00:30, web rolled over from web-1 to web-2 (one workload, one
 * address) at DAY1 03:00:30, a Service in front of backend, a node
 * scraping web, a call to the outside; connections that started on both
 * sides of a handover, and some whose start is not known (the bucket
 * rule: every holder of the minute).  Imported at DAY1 10:30.
 */
static int64_t shop(struct testdb *f)
{
	static const struct inv_node_address node_addr[] = {
		{ "InternalIP", NODE_IP },
	};
	static const struct inv_service_port https = {
		.name = "https", .port = 443, .target_port = "8443",
		.protocol = "TCP",
	};
	static const char *const cluster_ips[] = { CLUSTER_IP };
	const struct inv_namespace ns = { .name = "shop" };
	const struct inv_node node = { .name = "node-1", .labels = "{}",
				       .addresses = node_addr,
				       .n_addresses = 1 };
	const struct inv_service checkout = {
		.uid = "checkout", .namespace = "shop", .name = "checkout",
		.type = "ClusterIP", .created = EARLIER,
		.selector = "{\"app\":\"backend\"}",
		.cluster_ips = cluster_ips, .n_cluster_ips = 1,
		.ports = &https, .n_ports = 1,
	};
	const int64_t cart_handover = DAY0 + 12 * HOUR + 30;
	const int64_t web_handover = DAY1 + 3 * HOUR + 30;
	const struct inv_pod pods[] = {
		testkit_pod_deleted("cart-1", "cart", cart_ip, EARLIER, 0),
		testkit_pod_deleted("search-1", "search", cart_ip,
				    cart_handover, 0),
		testkit_pod_deleted("web-1", "web", web_ip, EARLIER, 0),
		testkit_pod_deleted("web-2", "web", web_ip, web_handover, 0),
		testkit_pod_deleted("backend-1", "backend", backend_ip, EARLIER,
				    0),
	};
	int64_t at = DAY1 + 10 * HOUR + 1800;
	struct inventory *inv = NULL;
	struct store_edge e;

	/* Hourly calls to the cart address, from DAY0 00:02 to DAY1 10:02. */
	for (int h = 0; h <= 34; h++) {
		int64_t s = DAY0 + h * HOUR + 120;

		e = testkit_edge(WEB_IP, CART_IP, 8080, s, s + 10, s + 20);
		e.connections = 2;
		e.orig_bytes = 100 + h;
		e.reply_bytes = 1000;
		e.orig_packets = e.reply_packets = 3;
		testdb_flush(f->store, &e);
		/* Each hour's Service call, DNATed to backend. */
		e = testkit_edge(WEB_IP, BACKEND_IP, 8443, s + 5, s + 5,
				 s + 7);
		e.service = testkit_addr(CLUSTER_IP);
		e.service_port = 443;
		testdb_flush(f->store, &e);
		if (h % 6 == 0) {
			e = testkit_edge(NODE_IP, WEB_IP, 9100, s + 30,
					 s + 30, s + 31);
			testdb_flush(f->store, &e);
		}
	}
	/* Starts on both sides of cart's handover: both holders. */
	e = testkit_edge(WEB_IP, CART_IP, 8081, cart_handover - 10,
			 cart_handover + 10, cart_handover + 20);
	testdb_flush(f->store, &e);
	/* Starts unknown, in the minute of a handover: every holder. */
	e = testkit_edge(WEB_IP, CART_IP, 8082, cart_handover + 5,
			 STORE_UNKNOWN, cart_handover + 5);
	e.connections = 1;
	testdb_flush(f->store, &e);
	e = testkit_edge(WEB_IP, OUTSIDE_IP, 1389, web_handover + 2,
			 STORE_UNKNOWN, web_handover + 3);
	e.connections = 3;
	testdb_flush(f->store, &e);
	/* ...and in the tail, after the resolution hour. */
	e = testkit_edge(WEB_IP, OUTSIDE_IP, 1389, at - 60, at - 60, at - 50);
	testdb_flush(f->store, &e);

	if (inventory_begin(f->store, INVENTORY_SNAPSHOT, at, &inv) < 0)
		fail_msg("inventory_begin: %s", errmsg_get());
	assert_int_equal(inventory_put_namespace(inv, &ns), 0);
	assert_int_equal(inventory_put_node(inv, &node), 0);
	for (size_t i = 0; i < sizeof(pods) / sizeof(pods[0]); i++)
		assert_int_equal(inventory_put_pod(inv, &pods[i]), 0);
	assert_int_equal(inventory_put_service(inv, &checkout), 0);
	if (inventory_commit(inv, NULL) < 0)
		fail_msg("inventory_commit: %s", errmsg_get());
	return at;
}

/*
 * What podflowd writes after the resolution: the end of a resolved
 * connection (its bytes) and connections counted late into resolved
 * minutes, one whose start is known and one whose is not (a table dump),
 * away from the handovers (see test_late_dump_in_a_handover_minute_...).
 */
static void shop_late(struct store *s)
{
	int64_t b = DAY0 + 5 * HOUR + 120;
	struct store_edge e = testkit_edge(WEB_IP, CART_IP, 8080,
					   DAY0 + 5 * HOUR + 900,
					   STORE_UNKNOWN,
					   DAY0 + 5 * HOUR + 900);

	e.bucket = b;
	e.orig_bytes = 4000;
	e.reply_bytes = 40000;
	e.orig_packets = e.reply_packets = 30;
	testdb_flush(s, &e);
	e = testkit_edge(WEB_IP, CART_IP, 8083, DAY1 + HOUR + 7,
			 DAY1 + HOUR + 7, DAY1 + HOUR + 8);
	testdb_flush(s, &e);
	e = testkit_edge(WEB_IP, CART_IP, 8084, DAY1 + HOUR + 20,
			 STORE_UNKNOWN, DAY1 + HOUR + 20);
	e.connections = 1;
	testdb_flush(s, &e);
}

/*
 * 6. A read-only copy taken before resolution (every row tail) and the
 * resolved original, both written to late afterwards, give policygen's
 * readers the same rows, over all time and over each day.
 */
static void test_readonly_copy_reads_as_the_resolved_original(void **state)
{
	struct testdb *f = *state;
	const int64_t windows[][2] = {
		{ 0, INT64_MAX }, { DAY0, DAY1 }, { DAY1, DAY1 + DAY },
	};
	char copy[COPY_MAX], copy_wal[COPY_MAX], wal[sizeof(f->path) + 8];
	struct store *orig = NULL, *tail = NULL, *w = NULL;
	int64_t at = shop(f);
	struct store_resolved r;

	/* Closed, the store has checkpointed its WAL into the file. */
	store_close(f->store);
	f->store = NULL;
	copy_path(f, "", copy);
	copy_path(f, "-wal", copy_wal);
	snprintf(wal, sizeof(wal), "%s-wal", f->path);
	assert_int_equal(copy_file(f->path, copy), 0);
	(void)copy_file(wal, copy_wal);
	assert_int_equal(store_open(f->path, 0, &f->store), 0);

	r = testdb_resolve(f->store, at + HOUR);
	assert_int_equal(r.until, DAY1 + 10 * HOUR);
	assert_true(r.rows > 0);
	/* The same late writes into both, resolved and tail. */
	shop_late(f->store);
	assert_rows(f, "3", "SELECT count(*) FROM edge_late");
	assert_int_equal(store_open(copy, 0, &w), 0);
	shop_late(w);
	store_close(w);

	assert_int_equal(store_open(f->path, STORE_READONLY, &orig), 0);
	assert_int_equal(store_open(copy, STORE_READONLY, &tail), 0);
	testdb_assert_query(tail, "0 0",
			    "SELECT count(*), (SELECT count(*) FROM meta "
			    "WHERE key = 'resolved_until') FROM edge_day");
	/* Most of what the original reads is kept day rows. */
	testdb_assert_query(orig, "1",
			    "SELECT (SELECT count(*) FROM edge_day) > "
			    "(SELECT count(*) FROM flow_tail)");
	for (size_t i = 0; i < sizeof(readers) / sizeof(readers[0]); i++) {
		for (size_t k = 0; k < sizeof(windows) / sizeof(windows[0]);
		     k++) {
			char *want = reader_rows(tail, &readers[i],
						 windows[k][0], windows[k][1]);
			char *got = reader_rows(orig, &readers[i],
						windows[k][0], windows[k][1]);

			if (strcmp(got, want) != 0)
				fail_msg("%s, window %zu: resolved\n%s\n"
					 "tail\n%s",
					 readers[i].name, k, got, want);
			/* Something to compare: no vacuous match. */
			assert_true(strlen(want) > 0);
			free(want);
			free(got);
		}
	}
	store_close(orig);
	store_close(tail);
}

/*
 * 7. A connection whose start is not known (a table dump), counted late
 * into a resolved minute, is a raw row attributed by its bucket like any
 * other: store_count_unstarted() counts it, as it does on a copy that
 * reads it from the tail, before the next resolution and after it.
 */
static void test_late_row_without_start_counts_as_unstarted(void **state)
{
	struct testdb *f = *state;
	int64_t t = DAY0 + 10 * HOUR + 1800, b = DAY0 + 9 * HOUR + 1200;
	struct store_edge dump = testkit_edge(WEB_IP, CART_IP, 2, b + 3,
					      STORE_UNKNOWN, b + 4);
	int64_t n = -1;

	call(f, 1, b);
	import_running(f, t);
	testdb_resolve(f->store, t + HOUR);
	dump.connections = 1;
	testdb_flush(f->store, &dump);
	/* The raw rows: one by its bucket, one by its start. */
	assert_rows(f, "bucket 1; start 1",
		    "SELECT attribution, count(*) FROM flow_resolved "
		    "GROUP BY 1 ORDER BY 1");
	assert_int_equal(store_count_unstarted(f->store, 0, INT64_MAX, &n), 0);
	assert_int_equal(n, 1);
	testdb_resolve(f->store, t + HOUR);
	assert_int_equal(store_count_unstarted(f->store, 0, INT64_MAX, &n), 0);
	assert_int_equal(n, 1);
}

/*
 * Per pod at CART_IP, connections and the most holders met, in the kept
 * rows and the tail (resolved_edges) and by the rule on the raw rows
 * (flow_resolved): "POD CONNECTIONS HOLDERS".
 */
#define PER_POD_SQL                                                            \
	"SELECT dst_pod, sum(connections), max(dst_holders) FROM %s "          \
	"WHERE server_ip = '" CART_IP "' GROUP BY 1 ORDER BY 1"

/*
 * 8. A table dump counts a connection late into a resolved minute in
 * which CART_IP changed hands: its start is not known, so the raw row
 * falls back to the bucket rule and is credited, whole, to both holders
 * (as a read-only copy, reading it from the tail, credits it).  The kept
 * rows must credit the same, before the next resolution and after it,
 * not the part resolved earlier by its start and the late part by the
 * bucket.
 */
static void test_late_dump_in_a_handover_minute_credits_as_the_tail(
	void **state)
{
	struct testdb *f = *state;
	int64_t t = DAY0 + 10 * HOUR + 1800, handover = DAY0 + 9 * HOUR + 30;
	const struct inv_pod pods[] = {
		testkit_pod_deleted("cart-1", "cart", cart_ip, EARLIER, 0),
		testkit_pod_deleted("search-1", "search", cart_ip, handover, 0),
		testkit_pod_deleted("web-1", "web", web_ip, EARLIER, 0),
	};
	struct store_edge dump = testkit_edge(WEB_IP, CART_IP, 1,
					      handover + 10, STORE_UNKNOWN,
					      handover + 10);

	call(f, 1, handover - 20); /* cart-1's, by its start */
	testdb_import(f->store, INVENTORY_SNAPSHOT, t, pods, 3);
	testdb_resolve(f->store, t + HOUR);
	assert_kept_as_the_rule(f, PER_POD_SQL, "flow_resolved", "cart-1 1 1");

	dump.connections = 1;
	dump.bucket = handover - 30;
	testdb_flush(f->store, &dump);
	assert_kept_as_the_rule(f, PER_POD_SQL, "flow_resolved",
				"cart-1 2 2; search-1 2 2");
	testdb_resolve(f->store, t + HOUR);
	assert_kept_as_the_rule(f, PER_POD_SQL, "flow_resolved",
				"cart-1 2 2; search-1 2 2");
}

/*
 * 9. The Jobs of a CronJob, imported before the CronJob was: two
 * workloads, Job backup-29000000 and Job backup-29000060, whose pods held
 * BACKUP_IP one after the other within a minute.  A connection from it
 * whose start is not known is credited to both pods, each its own
 * workload's.  A later import brings the CronJob, and both pods are its:
 * for the workload the row counts once (the later pod's row is a dup), in
 * the kept rows as in the tail.
 */
#define BACKUP_IP "10.244.1.7"

static struct inv_pod job_pod(const char *name, const char *job,
			      const char *const *ips, int64_t started)
{
	struct inv_pod p = testkit_pod(name, job, ips, started);

	p.controller_kind = "Job";
	p.controller_name = job;
	p.workload_kind = "Job";
	return p;
}

static void import_jobs(struct testdb *f, int64_t at, int64_t handover,
			int with_cronjob)
{
	static const char *const ip[] = { BACKUP_IP };
	const struct inv_namespace ns = { .name = "shop" };
	const struct inv_owner cronjob = { .uid = "backup", .namespace = "shop",
					   .kind = "CronJob",
					   .name = "backup" };
	const struct inv_pod pods[] = {
		job_pod("backup-29000000-a", "backup-29000000", ip, EARLIER),
		job_pod("backup-29000060-b", "backup-29000060", ip, handover),
	};
	struct inventory *inv = NULL;

	if (inventory_begin(f->store, INVENTORY_SNAPSHOT, at, &inv) < 0)
		fail_msg("inventory_begin: %s", errmsg_get());
	assert_int_equal(inventory_put_namespace(inv, &ns), 0);
	for (size_t i = 0; i < 2; i++)
		assert_int_equal(inventory_put_pod(inv, &pods[i]), 0);
	if (with_cronjob)
		assert_int_equal(inventory_put_owner(inv, &cronjob), 0);
	if (inventory_commit(inv, NULL) < 0)
		fail_msg("inventory_commit: %s", errmsg_get());
}

static void test_workloads_learnt_later_mark_dups_again(void **state)
{
	struct testdb *f = *state;
	int64_t t = DAY0 + 10 * HOUR + 1800, handover = DAY0 + 9 * HOUR + 30;
	struct store_edge e = testkit_edge(BACKUP_IP, OUTSIDE_IP, 443,
					   handover + 3, STORE_UNKNOWN,
					   handover + 4);
	static const char dups[] =
		"SELECT src_pod, src_kind, src_name, src_dup FROM %s "
		"ORDER BY 1";

	e.connections = 1;
	testdb_flush(f->store, &e);
	import_jobs(f, t, handover, 0);
	testdb_resolve(f->store, t + HOUR);
	assert_rows(f, "backup-29000000-a Job backup-29000000 0; "
		       "backup-29000060-b Job backup-29000060 0",
		    dups, "resolved_edges");

	import_jobs(f, t + 60, handover, 1);
	testdb_resolve(f->store, t + HOUR);
	assert_kept_as_the_rule(f, dups,
				"(SELECT * FROM flow_resolved_all "
				"WHERE source = 'edge')",
				"backup-29000000-a CronJob backup 0; "
				"backup-29000060-b CronJob backup 1");
	assert_rows(f, "backup 1",
		    "SELECT src_name, connections FROM workload_edges");
}


int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, testdb_setup, testdb_teardown)
	const struct CMUnitTest tests[] = {
		T(test_resolves_whole_hours_up_to_the_import),
		T(test_periods_split_at_midnight_and_the_resolution_hour),
		T(test_second_resolution_changes_nothing),
		T(test_huge_counts_saturate),
		T(test_late_changes_show_at_once_and_fold_into_day_rows),
		T(test_late_import_resolves_the_day_again),
		cmocka_unit_test_setup_teardown(
			test_readonly_copy_reads_as_the_resolved_original,
			testdb_setup, copy_teardown),
		T(test_late_row_without_start_counts_as_unstarted),
		T(test_late_dump_in_a_handover_minute_credits_as_the_tail),
		T(test_workloads_learnt_later_mark_dups_again),
	};
#undef T
	return cmocka_run_group_tests_name("resolve", tests, NULL, NULL);
}
