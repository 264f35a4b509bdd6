/*
 * query: the one way the store's readers run a statement (store_int.h):
 * prepared from its embedded text, stepped row by row into a callback,
 * every failure a message naming the database file.
 */
#include "podflow/store.h"
#include "store_int.h"

int store_query(struct store *s, const char *sql, sqlite3_stmt **st)
{
	/* On failure sqlite3_prepare_v2() leaves *st NULL. */
	if (sqlite3_prepare_v2(store_db(s), sql, -1, st, NULL) != SQLITE_OK)
		return store_db_error(s);
	return 0;
}

int store_query_rows(struct store *s, sqlite3_stmt *st,
		     int (*row)(sqlite3_stmt *st, void *ctx), void *ctx)
{
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (row(st, ctx) < 0)
			return -1;
	if (rc != SQLITE_DONE)
		return store_db_error(s);
	return 0;
}

int store_bind(struct store *s, sqlite3_stmt *st,
	       const struct store_param *params, size_t n)
{
	size_t count = (size_t)sqlite3_bind_parameter_count(st);

	sqlite3_reset(st);
	for (size_t i = 0; i < n && i < count; i++) {
		const struct store_param *p = &params[i];
		int at = (int)i + 1, rc;

		/* NULL binds NULL: a kept statement keeps its bindings. */
		if (p->type == STORE_PARAM_INT)
			rc = sqlite3_bind_int64(st, at, p->i);
		else if (p->type == STORE_PARAM_TEXT)
			rc = sqlite3_bind_text(st, at, p->s, -1,
					       SQLITE_TRANSIENT);
		else
			rc = sqlite3_bind_null(st, at);
		if (rc != SQLITE_OK)
			return store_db_error(s);
	}
	return 0;
}

int store_query_bound(struct store *s, const char *sql,
		      const struct store_param *params, size_t n,
		      int (*row)(sqlite3_stmt *st, void *ctx), void *ctx)
{
	sqlite3_stmt *st = NULL;
	int rc = -1;

	if (store_query(s, sql, &st) < 0)
		return -1;
	if (store_bind(s, st, params, n) == 0)
		rc = store_query_rows(s, st, row, ctx);
	sqlite3_finalize(st);
	return rc;
}

int store_query_int(struct store *s, const char *sql,
		    const struct store_param *params, size_t n, int64_t *out)
{
	sqlite3_stmt *st = NULL;
	int rc = -1;

	if (store_query(s, sql, &st) < 0)
		return -1;
	if (store_bind(s, st, params, n) < 0)
		goto out;
	if (sqlite3_step(st) != SQLITE_ROW) {
		store_db_error(s);
		goto out;
	}
	*out = sqlite3_column_int64(st, 0);
	rc = 0;
out:
	sqlite3_finalize(st);
	return rc;
}

int store_query_all(struct store *s, const char *sql,
		    int (*row)(sqlite3_stmt *st, void *ctx), void *ctx)
{
	return store_query_bound(s, sql, NULL, 0, row, ctx);
}
