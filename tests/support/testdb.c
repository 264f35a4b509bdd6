/*
 * testdb: temporary databases and query assertions for the unit tests
 * (testdb.h).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "podflow/errmsg.h"
#include "testdb.h"

int testdb_make(struct testdb *t, int open)
{
	memset(t, 0, sizeof(*t));
	strcpy(t->dir, "/tmp/podflow-test.XXXXXX");
	if (mkdtemp(t->dir) == NULL) {
		errmsg_set("mkdtemp %s: %s", t->dir, strerror(errno));
		return -1;
	}
	snprintf(t->path, sizeof(t->path), "%s/podflow.db", t->dir);
	if (open && store_open(t->path, 0, &t->store) < 0) {
		testdb_remove(t);
		return -1;
	}
	return 0;
}

/*
 * Removes what is left in dir besides the database, naming each entry:
 * a test that writes files of its own removes them, so that one the
 * store should not have made (a -journal, say) does not go unseen.
 */
static int remove_leftovers(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (d == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		fprintf(stderr, "testdb: %s left in %s\n", de->d_name, dir);
		unlinkat(dirfd(d), de->d_name, 0);
	}
	closedir(d);
	rmdir(dir);
	return -1;
}

int testdb_remove(struct testdb *t)
{
	static const char *const sides[] = { "", "-wal", "-shm" };
	char side[sizeof(t->path) + 8];

	store_close(t->store);
	t->store = NULL;
	for (size_t i = 0; i < sizeof(sides) / sizeof(sides[0]); i++) {
		snprintf(side, sizeof(side), "%s%s", t->path, sides[i]);
		unlink(side);
	}
	if (rmdir(t->dir) == 0)
		return 0;
	return remove_leftovers(t->dir);
}

static int setup_with(void **state, int open)
{
	struct testdb *t = malloc(sizeof(*t));

	if (t == NULL)
		return -1;
	if (testdb_make(t, open) < 0) {
		fprintf(stderr, "testdb: %s\n", errmsg_get());
		free(t);
		return -1;
	}
	*state = t;
	return 0;
}

int testdb_setup(void **state)
{
	return setup_with(state, 1);
}

int testdb_setup_closed(void **state)
{
	return setup_with(state, 0);
}

int testdb_teardown(void **state)
{
	struct testdb *t = *state;
	int rc = testdb_remove(t);

	free(t);
	return rc;
}

/* The text printf(fmt, ap) makes, owned by the caller. */
static char *vformat(const char *fmt, va_list ap)
{
	va_list copy;
	int n;
	char *text;

	va_copy(copy, ap);
	n = vsnprintf(NULL, 0, fmt, copy);
	va_end(copy);
	text = malloc((size_t)n + 1);
	assert_non_null(text);
	vsnprintf(text, (size_t)n + 1, fmt, ap);
	return text;
}

void testdb_exec_at(const char *file, int line, sqlite3 *db, const char *fmt,
		    ...)
{
	va_list ap;
	char *sql;

	va_start(ap, fmt);
	sql = vformat(fmt, ap);
	va_end(ap);
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK) {
		print_error("ERROR: %s: %s\n", sql, sqlite3_errmsg(db));
		_fail(file, line);
	}
	free(sql);
}

/* The rows of sql on s as testdb_query() writes them, owned. */
static char *rows_of(const char *file, int line, struct store *s,
		     const char *sql)
{
	char *got = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&got, &len);
	sqlite3_stmt *st;
	int rc, rows = 0;

	assert_non_null(out);
	if (sqlite3_prepare_v2(store_db(s), sql, -1, &st, NULL) != SQLITE_OK) {
		print_error("ERROR: %s: %s\n", sql,
			    sqlite3_errmsg(store_db(s)));
		_fail(file, line);
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		for (int c = 0; c < sqlite3_column_count(st); c++) {
			const unsigned char *v = sqlite3_column_text(st, c);

			fprintf(out, "%s%s",
				c > 0 ? " " : (rows > 0 ? "; " : ""),
				v ? (const char *)v : "NULL");
		}
		rows++;
	}
	if (rc != SQLITE_DONE) {
		print_error("ERROR: %s: %s\n", sql,
			    sqlite3_errmsg(store_db(s)));
		_fail(file, line);
	}
	sqlite3_finalize(st);
	fclose(out);
	return got;
}

/* The rows of the SQL printf(fmt, ap) makes; the SQL in *sql.  Owned. */
static char *vquery(const char *file, int line, struct store *s, char **sql,
		    const char *fmt, va_list ap)
{
	*sql = vformat(fmt, ap);
	return rows_of(file, line, s, *sql);
}

char *testdb_query_at(const char *file, int line, struct store *s,
		      const char *fmt, ...)
{
	va_list ap;
	char *sql, *got;

	va_start(ap, fmt);
	got = vquery(file, line, s, &sql, fmt, ap);
	va_end(ap);
	free(sql);
	return got;
}

void testdb_assert_query_at(const char *file, int line, struct store *s,
			    const char *want, const char *fmt, ...)
{
	va_list ap;
	char *sql, *got;

	va_start(ap, fmt);
	got = vquery(file, line, s, &sql, fmt, ap);
	va_end(ap);
	if (strcmp(got, want) != 0) {
		print_error("ERROR: %s\n  got:  '%s'\n  want: '%s'\n", sql, got,
			    want);
		_fail(file, line);
	}
	free(got);
	free(sql);
}

void testdb_import(struct store *s, enum inventory_mode mode, int64_t at,
		   const struct inv_pod *pods, size_t n)
{
	const struct inv_namespace ns = { .name = "shop" };
	struct inventory *inv = NULL;

	if (inventory_begin(s, mode, at, &inv) < 0)
		fail_msg("inventory_begin: %s", errmsg_get());
	if (mode == INVENTORY_SNAPSHOT)
		assert_int_equal(inventory_put_namespace(inv, &ns), 0);
	for (size_t i = 0; i < n; i++)
		if (inventory_put_pod(inv, &pods[i]) < 0)
			fail_msg("inventory_put_pod %s: %s", pods[i].name,
				 errmsg_get());
	if (inventory_commit(inv, NULL) < 0)
		fail_msg("inventory_commit: %s", errmsg_get());
}

void testdb_flush(struct store *s, const struct store_edge *e)
{
	if (store_flush_edges(s, e, 1) < 0)
		fail_msg("store_flush_edges: %s", errmsg_get());
}

struct store_resolved testdb_resolve(struct store *s, int64_t now)
{
	struct store_resolved r = { -1, -1, -1, -1 };

	if (store_resolve(s, now, &r) < 0)
		fail_msg("store_resolve: %s", errmsg_get());
	return r;
}
