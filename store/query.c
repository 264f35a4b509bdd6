/*
 * query: the one way the store's readers run a statement (store_int.h):
 * prepared from its embedded text, stepped row by row into a callback,
 * every failure a message naming the database file.
 */
#include "podflow/errmsg.h"
#include "podflow/store.h"
#include "store_int.h"

int store_query(struct store *s, const char *sql, struct sdb_stmt **st)
{
	/* On failure sdb_prepare() leaves *st NULL. */
	if (sdb_prepare(store_sdb(s), sql, st, NULL) < 0)
		return store_db_error(s);
	if (*st == NULL) {
		errmsg_set("%s: a query without a statement",
			   store_filename(s));
		return -1;
	}
	return 0;
}

int store_query_rows(struct store *s, struct sdb_stmt *st,
		     int (*row)(struct sdb_stmt *st, void *ctx), void *ctx)
{
	int rc;

	while ((rc = sdb_step(st)) == SDB_ROW)
		if (row != NULL && row(st, ctx) < 0)
			return -1;
	if (rc != SDB_DONE)
		return store_db_error(s);
	return 0;
}

int store_bind(struct store *s, struct sdb_stmt *st,
	       const struct store_param *params, size_t n)
{
	size_t count = (size_t)sdb_bind_count(st);

	sdb_reset(st);
	for (size_t i = 0; i < n && i < count; i++) {
		const struct store_param *p = &params[i];
		int at = (int)i + 1, rc;

		/* NULL binds NULL: a kept statement keeps its bindings. */
		if (p->type == STORE_PARAM_INT)
			rc = sdb_bind_int64(st, at, p->i);
		else if (p->type == STORE_PARAM_TEXT)
			rc = sdb_bind_text(st, at, p->s);
		else
			rc = sdb_bind_null(st, at);
		if (rc < 0)
			return store_db_error(s);
	}
	return 0;
}

int store_query_bound(struct store *s, const char *sql,
		      const struct store_param *params, size_t n,
		      int (*row)(struct sdb_stmt *st, void *ctx), void *ctx)
{
	struct sdb_stmt *st = NULL;
	int rc = -1;

	if (store_query(s, sql, &st) < 0)
		return -1;
	if (store_bind(s, st, params, n) == 0)
		rc = store_query_rows(s, st, row, ctx);
	sdb_finalize(st);
	return rc;
}

int store_query_int(struct store *s, const char *sql,
		    const struct store_param *params, size_t n, int64_t *out)
{
	struct sdb_stmt *st = NULL;
	int rc = -1;

	if (store_query(s, sql, &st) < 0)
		return -1;
	if (store_bind(s, st, params, n) < 0)
		goto out;
	if (sdb_step(st) != SDB_ROW) {
		store_db_error(s);
		goto out;
	}
	*out = sdb_column_int64(st, 0);
	rc = 0;
out:
	sdb_finalize(st);
	return rc;
}

int store_query_all(struct store *s, const char *sql,
		    int (*row)(struct sdb_stmt *st, void *ctx), void *ctx)
{
	return store_query_bound(s, sql, NULL, 0, row, ctx);
}
