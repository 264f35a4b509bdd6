/*
 * review: people's decisions on proposed rule peers, as the store keeps
 * them (store_read.h): read all, or one recorded.  What a decision
 * covers and which one wins is policygen's (policygen/review.c).
 */
#include "podflow/store_read.h"
#include "sql.h"
#include "store_int.h"

/*
 * Whether s has the review table (schema 6 on): 1 it has, 0 it has not
 * (an older read-only database, no error), or -1 with errmsg.
 */
static int has_review_table(struct store *s)
{
	sqlite3_stmt *st = NULL;
	int n = -1;

	if (store_query(s, sql_review_exists, &st) < 0)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	else
		store_db_error(s);
	sqlite3_finalize(st);
	return n;
}

struct review_read {
	store_review_fn fn;
	void *ctx;
};

/* Columns of review_all.sql. */
enum {
	R_NS, R_KIND, R_NAME, R_DIR, R_PEER, R_PORT, R_PROTO, R_DECISION,
	R_REASON, R_BY, R_AT,
};

static int review_row(sqlite3_stmt *st, void *arg)
{
	const struct review_read *r = arg;
	const struct store_review v = {
		.namespace = store_column_text(st, R_NS),
		.kind = store_column_text(st, R_KIND),
		.name = store_column_text(st, R_NAME),
		.direction = store_column_text(st, R_DIR),
		.peer = store_column_text(st, R_PEER),
		.port = sqlite3_column_int(st, R_PORT),
		.protocol = store_column_text(st, R_PROTO),
		.decision = store_column_text(st, R_DECISION),
		.reason = store_column_text(st, R_REASON),
		.decided_by = store_column_text(st, R_BY),
		.decided_at = sqlite3_column_int64(st, R_AT),
	};

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
	sqlite3_stmt *st = NULL;
	int rc;

	if (store_query(s, sql_review_put, &st) < 0)
		return -1;
	rc = sqlite3_bind_text(st, 1, r->namespace, -1, SQLITE_STATIC);
	rc = rc ?: sqlite3_bind_text(st, 2, r->kind, -1, SQLITE_STATIC);
	rc = rc ?: sqlite3_bind_text(st, 3, r->name, -1, SQLITE_STATIC);
	rc = rc ?: sqlite3_bind_text(st, 4, r->direction, -1, SQLITE_STATIC);
	rc = rc ?: sqlite3_bind_text(st, 5, r->peer, -1, SQLITE_STATIC);
	rc = rc ?: sqlite3_bind_int(st, 6, r->port);
	rc = rc ?: sqlite3_bind_text(st, 7, r->protocol, -1, SQLITE_STATIC);
	rc = rc ?: sqlite3_bind_text(st, 8, r->decision, -1, SQLITE_STATIC);
	/* A NULL reason binds NULL: none given. */
	rc = rc ?: sqlite3_bind_text(st, 9, r->reason, -1, SQLITE_STATIC);
	rc = rc ?: sqlite3_bind_text(st, 10, r->decided_by, -1, SQLITE_STATIC);
	rc = rc ?: sqlite3_bind_int64(st, 11, r->decided_at);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	if (rc != SQLITE_DONE)
		store_db_error(s);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}
