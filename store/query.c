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

int store_query_bound(struct store *s, const char *sql,
		      const struct store_param *params, size_t n,
		      int (*row)(sqlite3_stmt *st, void *ctx), void *ctx)
{
	sqlite3_stmt *st = NULL;
	int rc = -1;

	if (store_query(s, sql, &st) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		const struct store_param *p = &params[i];
		int b = SQLITE_OK;

		/* An unbound parameter is NULL. */
		if (!p->is_text)
			b = sqlite3_bind_int64(st, (int)i + 1, p->value);
		else if (p->text != NULL)
			b = sqlite3_bind_text(st, (int)i + 1, p->text, -1,
					      SQLITE_STATIC);
		if (b != SQLITE_OK) {
			store_db_error(s);
			goto out;
		}
	}
	rc = store_query_rows(s, st, row, ctx);
out:
	sqlite3_finalize(st);
	return rc;
}

int store_query_all(struct store *s, const char *sql,
		    int (*row)(sqlite3_stmt *st, void *ctx), void *ctx)
{
	return store_query_bound(s, sql, NULL, 0, row, ctx);
}
