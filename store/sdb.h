/*
 * sdb: the store's one way to run SQL, over SQLite or PostgreSQL.
 *
 * The store's files prepare, bind, step and read statements through
 * these calls whichever database is behind them.  SQLite is run
 * directly; another database is a backend (struct sdb_backend), so that
 * what links the store alone (podflowd) links no other client library:
 * PostgreSQL's is sdb_pg.c, which policygen alone brings in.
 *
 * A statement's text is its SQLite form, ?1..?n its parameters.  A
 * backend runs the form of its own dialect where the query has one
 * (sql/pg/queries/NAME.sql beside sql/queries/MODULE/NAME.sql), else the
 * same text, ?N read as its own placeholder: where the dialects agree
 * there is one text, and where they differ the difference is a file.
 */
#ifndef PODFLOW_SDB_H
#define PODFLOW_SDB_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

struct sdb;
struct sdb_stmt;

/* What sdb_step() returns besides -1 (an error: sdb_errmsg()). */
#define SDB_ROW 1
#define SDB_DONE 0

/* A database other than SQLite: the calls sdb.c makes of it. */
struct sdb_backend {
	const char *dialect; /* "postgresql" */
	/* The text to run for sql: its own dialect's form, else sql. */
	const char *(*form)(const char *sql);
	/*
	 * Prepares the statement of sql[0..len) into st (its db set, all
	 * else zero).  Returns 0, or -1 with the message in db.
	 */
	int (*prepare)(struct sdb *db, const char *sql, size_t len,
		       struct sdb_stmt *st);
	/* Runs st with its parameters on its first step: SDB_ROW, SDB_DONE, -1. */
	int (*step)(struct sdb_stmt *st);
	/* st's rows to be read in parts (sdb_stream()); NULL: whole. */
	void (*stream)(struct sdb_stmt *st);
	/* The text of column i of the row st is on; NULL for NULL. */
	const char *(*value)(struct sdb_stmt *st, int i);
	int (*columns)(struct sdb_stmt *st);
	/* Back to before the first step, the parameters kept. */
	void (*reset)(struct sdb_stmt *st);
	void (*finalize)(struct sdb_stmt *st);
	/* Runs the statements of sql, which has no parameters. */
	int (*exec)(struct sdb *db, const char *sql);
	/* A transaction is open. */
	int (*in_transaction)(struct sdb *db);
	/* Begins a transaction: write, one writer at a time; else reading. */
	int (*begin)(struct sdb *db, int write);
	void (*close)(struct sdb *db);
};

/* A database: a store's, or a test's. */
struct sdb {
	sqlite3 *lite;			 /* SQLite; NULL: a backend's */
	const struct sdb_backend *be;	 /* when lite is NULL */
	void *conn;			 /* be's connection */
	char *err;			 /* be's last message, owned */
	int64_t changes;		 /* be's rows changed, last statement */
	/*
	 * What a backend's statements are about, set on its connection
	 * before each runs (PostgreSQL: the node, podflow.node); owned,
	 * NULL: none.  Several databases may share one connection, each
	 * with its own.
	 */
	char *scope;
};

/*
 * A statement.  The fields past lite are for a backend: sdb.c keeps the
 * parameters, a backend its own state.
 */
struct sdb_stmt {
	struct sdb *db;
	sqlite3_stmt *lite;
	int n_params;	  /* the statement's parameters */
	char **params;	  /* [n_params], owned text; NULL binds NULL */
	void *be_state;	  /* the backend's */
};

/*
 * Prepares the first statement of sql into *st (NULL when sql holds
 * nothing but spaces and comments), *tail (when not NULL) to what
 * follows it.  Returns 0, or -1 with sdb_errmsg().
 */
int sdb_prepare(struct sdb *db, const char *sql, struct sdb_stmt **st,
		const char **tail);

/* Bindings of parameter i (1-based); text is copied.  0, or -1. */
int sdb_bind_int64(struct sdb_stmt *st, int i, int64_t v);
int sdb_bind_text(struct sdb_stmt *st, int i, const char *text);
int sdb_bind_null(struct sdb_stmt *st, int i);
int sdb_bind_count(struct sdb_stmt *st);
/* Every parameter back to NULL. */
void sdb_clear_bindings(struct sdb_stmt *st);

/* SDB_ROW, SDB_DONE or -1 (sdb_errmsg()). */
int sdb_step(struct sdb_stmt *st);

/*
 * st, before its first step, may read many rows (a node's window): a
 * backend that reads a result whole reads them in parts as st steps
 * instead, within the transaction open (PostgreSQL: a cursor), so that
 * no more than a part is held at once.  SQLite steps row by row anyway.
 */
void sdb_stream(struct sdb_stmt *st);

/* Columns of the row st is on; text valid until st steps or resets. */
int64_t sdb_column_int64(struct sdb_stmt *st, int i);
int sdb_column_int(struct sdb_stmt *st, int i);
double sdb_column_double(struct sdb_stmt *st, int i);
const char *sdb_column_text(struct sdb_stmt *st, int i);
int sdb_column_is_null(struct sdb_stmt *st, int i);
int sdb_column_count(struct sdb_stmt *st);

/* Back to before the first step; bindings kept.  NULL: a no-op. */
void sdb_reset(struct sdb_stmt *st);
/* NULL: a no-op. */
void sdb_finalize(struct sdb_stmt *st);

/* Runs every statement of sql, which has no parameters.  0, or -1. */
int sdb_exec(struct sdb *db, const char *sql);

/* Begins a transaction (write: the one writer), COMMIT, ROLLBACK. */
int sdb_begin(struct sdb *db, int write);
int sdb_commit(struct sdb *db);
/* Rolls back the transaction open, if one is (a failure may have). */
void sdb_rollback(struct sdb *db);

/* The rows the last INSERT, UPDATE or DELETE changed. */
int64_t sdb_changes(struct sdb *db);

/* The last failure's message: the database's own words. */
const char *sdb_errmsg(struct sdb *db);

/* Nonzero for SQLite, where the store's SQLite-only parts may run. */
static inline int sdb_is_sqlite(const struct sdb *db)
{
	return db->lite != NULL;
}

/*
 * The length of the first statement of sql, through its ';' (or to the
 * end): quotes, comments and PostgreSQL's dollar quotes skipped.
 */
size_t sdb_statement_length(const char *sql);

/* Sets db's scope (sdb.h: struct sdb), a copy.  Returns 0, or -1. */
int sdb_set_scope(struct sdb *db, const char *scope);

/* Closes what db holds (SQLite's handle or the backend's). */
void sdb_close(struct sdb *db);

#endif
