/*
 * review: people's decisions on proposed rule peers, as the store keeps
 * them (store_read.h): read all, one recorded, or some replaced.  What a
 * decision covers and which one wins is policygen's (policygen/review.c):
 * the store only deletes the ones it is told to.
 */
#include <stdlib.h>

#include "podflow/grow.h"
#include "podflow/store_read.h"
#include "sql.h"
#include "store_int.h"

/*
 * Whether s has the review table (schema 6 on): 1 it has, 0 it has not
 * (an older read-only database, no error), or -1 with errmsg.
 */
static int has_review_table(struct store *s)
{
	struct sdb_stmt *st = NULL;
	int n = -1;

	if (store_query(s, sql_review_exists, &st) < 0)
		return -1;
	if (sdb_step(st) == SDB_ROW)
		n = sdb_column_int(st, 0);
	else
		store_db_error(s);
	sdb_finalize(st);
	return n;
}

struct review_read {
	store_review_fn fn;
	void *ctx;
};

/* Columns of review_all.sql. */
enum {
	R_NS, R_KIND, R_NAME, R_DIR, R_PEER, R_PORT, R_PROTO, R_DECISION,
	R_REASON, R_BY, R_AT, R_ROWID,
};

/* The decision of the row st is on; its strings SQLite's, until st steps. */
static struct store_review review_at(struct sdb_stmt *st)
{
	return (struct store_review){
		.namespace = store_column_text(st, R_NS),
		.kind = store_column_text(st, R_KIND),
		.name = store_column_text(st, R_NAME),
		.direction = store_column_text(st, R_DIR),
		.peer = store_column_text(st, R_PEER),
		.port = sdb_column_int(st, R_PORT),
		.protocol = store_column_text(st, R_PROTO),
		.decision = store_column_text(st, R_DECISION),
		.reason = store_column_text(st, R_REASON),
		.decided_by = store_column_text(st, R_BY),
		.decided_at = sdb_column_int64(st, R_AT),
	};
}

static int review_row(struct sdb_stmt *st, void *arg)
{
	const struct review_read *r = arg;
	const struct store_review v = review_at(st);

	return r->fn(&v, r->ctx);
}

int store_read_reviews(struct store *s, store_review_fn fn, void *ctx)
{
	struct review_read r = { fn, ctx };
	int has;

	if ((has = has_review_table(s)) <= 0)
		return has;
	return store_query_all(s, sql_review_all, review_row, &r);
}

int store_put_review(struct store *s, const struct store_review *r)
{
	struct sdb_stmt *st = NULL;
	int rc;

	if (store_query(s, sql_review_put, &st) < 0)
		return -1;
	rc = sdb_bind_text(st, 1, r->namespace);
	rc = rc ?: sdb_bind_text(st, 2, r->kind);
	rc = rc ?: sdb_bind_text(st, 3, r->name);
	rc = rc ?: sdb_bind_text(st, 4, r->direction);
	rc = rc ?: sdb_bind_text(st, 5, r->peer);
	rc = rc ?: sdb_bind_int64(st, 6, r->port);
	rc = rc ?: sdb_bind_text(st, 7, r->protocol);
	rc = rc ?: sdb_bind_text(st, 8, r->decision);
	/* A NULL reason binds NULL: none given. */
	rc = rc ?: sdb_bind_text(st, 9, r->reason);
	rc = rc ?: sdb_bind_text(st, 10, r->decided_by);
	rc = rc ?: sdb_bind_int64(st, 11, r->decided_at);
	if (rc == 0)
		rc = sdb_step(st);
	if (rc != SDB_DONE)
		store_db_error(s);
	sdb_finalize(st);
	return rc == SDB_DONE ? 0 : -1;
}

/* The decisions store_replace_reviews() is to delete, picked so far. */
struct review_picked {
	store_review_pick_fn pick;
	void *ctx;
	int64_t *rowids;
	size_t n, cap;
};

static int pick_row(struct sdb_stmt *st, void *arg)
{
	struct review_picked *p = arg;
	const struct store_review v = review_at(st);
	int picked = p->pick(&v, p->ctx);

	if (picked <= 0)
		return picked;
	if (GROW(p->rowids, p->cap, p->n + 1) < 0)
		return -1;
	p->rowids[p->n++] = sdb_column_int64(st, R_ROWID);
	return 0;
}

int store_replace_reviews(struct store *s, const struct store_review *r,
			  store_review_pick_fn pick, void *ctx,
			  size_t *n_deleted)
{
	struct review_picked p = { .pick = pick, .ctx = ctx };
	int rc = -1;

	/*
	 * IMMEDIATE: the write lock before the read, so that no other
	 * reviewer records a decision between what pick() saw and the
	 * deletions.
	 */
	if (sdb_begin(store_sdb(s), 1) < 0)
		return store_db_error(s);
	/*
	 * Every pick first, the deletions after: no row changes under the
	 * read.
	 */
	if (store_query_all(s, sql_review_all, pick_row, &p) < 0)
		goto out;
	for (size_t i = 0; i < p.n; i++)
		if (store_query_bound(s, sql_review_delete,
				      &STORE_INT(p.rowids[i]), 1, NULL,
				      NULL) < 0)
			goto out;
	if (r != NULL && store_put_review(s, r) < 0)
		goto out;
	if (sdb_commit(store_sdb(s)) < 0) {
		store_db_error(s);
		goto out;
	}
	*n_deleted = p.n;
	rc = 0;
out:
	/* SQLite may already have rolled back (SQLITE_FULL does). */
	if (rc < 0)
		sdb_rollback(store_sdb(s));
	free(p.rowids);
	return rc;
}
