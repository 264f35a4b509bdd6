/*
 * testdb: a real SQLite database in a temporary directory of its own,
 * for the unit tests that need a file (WAL, readers, permissions, a full
 * disk), and the one assertion on what a query returns.
 *
 * Include after <cmocka.h>.
 */
#ifndef PODFLOW_TEST_TESTDB_H
#define PODFLOW_TEST_TESTDB_H

#include <sqlite3.h>

#include "podflow/inventory.h"
#include "podflow/store.h"

/* A temporary directory and the database path in it. */
struct testdb {
	char dir[64];	     /* made by testdb_make() */
	char path[128];	     /* dir/podflow.db; created only by opening it */
	struct store *store; /* open or NULL; testdb_remove() closes it */
};

/*
 * Makes a new directory /tmp/podflow-test.XXXXXX for t and names the
 * database in it; with open set, opens it read-write (a new, migrated
 * database) into t->store.  Returns 0, or -1 with the message in errmsg
 * (nothing is left behind).
 */
int testdb_make(struct testdb *t, int open);

/*
 * Closes t->store, removes the database and its -wal and -shm, then the
 * directory.  Returns 0, or -1 when the directory held anything else: a
 * file nobody meant to write (named on stderr, removed all the same).
 */
int testdb_remove(struct testdb *t);

/*
 * cmocka fixtures: *state becomes a struct testdb with its store open
 * (testdb_setup) or not (testdb_setup_closed: the test opens t->path as
 * it needs, into t->store or a handle of its own that it closes).
 * testdb_teardown removes it all and fails the test on what testdb_remove
 * found left over.
 */
int testdb_setup(void **state);
int testdb_setup_closed(void **state);
int testdb_teardown(void **state);

/*
 * Runs the SQL that printf(fmt, ...) makes on s and returns its rows as
 * an owned string (free() it): columns joined by ' ', rows by "; ", NULL
 * as "NULL", no rows as "".  A statement that does not run fails the
 * test, at the caller's line.
 */
#define testdb_query(s, ...) testdb_query_at(__FILE__, __LINE__, s, __VA_ARGS__)

/*
 * Fails the test at the caller's line, with the SQL, what it returned and
 * want, unless the rows of the SQL printf(fmt, ...) makes, as
 * testdb_query() writes them, are want.
 */
#define testdb_assert_query(s, want, ...)                                      \
	testdb_assert_query_at(__FILE__, __LINE__, s, want, __VA_ARGS__)

/*
 * One import into s at at of pods, in a transaction of its own: a
 * snapshot (mode INVENTORY_SNAPSHOT) lists namespace shop too, so that it
 * covers shop (ends the pods it no longer lists there).  A failure fails
 * the test.
 */
void testdb_import(struct store *s, enum inventory_mode mode, int64_t at,
		   const struct inv_pod *pods, size_t n);

/* Flushes the one edge e into s as podflowd does; a failure fails the test. */
void testdb_flush(struct store *s, const struct store_edge *e);

/*
 * store_resolve() on s at now, as a writer's upkeep runs it; what it did
 * (its fields -1 where it says nothing).  A failure fails the test.
 */
struct store_resolved testdb_resolve(struct store *s, int64_t now);

/*
 * Runs the SQL printf(fmt, ...) makes on db, an SQLite handle of the
 * test's own or store_db(); one that fails fails the test at the
 * caller's line, with SQLite's message.
 */
#define testdb_exec(db, ...) testdb_exec_at(__FILE__, __LINE__, db, __VA_ARGS__)

void testdb_exec_at(const char *file, int line, sqlite3 *db, const char *fmt,
		    ...) __attribute__((format(printf, 4, 5)));
char *testdb_query_at(const char *file, int line, struct store *s,
		      const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void testdb_assert_query_at(const char *file, int line, struct store *s,
			    const char *want, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

#endif
