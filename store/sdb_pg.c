/*
 * sdb_pg: PostgreSQL behind sdb.h, through libpq.
 *
 * A statement is prepared on the server once per connection, whatever
 * number of times the store prepares it: they are kept by their text
 * (the store prepares its embedded queries again and again).  Rows come
 * as text: a statement's result is read whole when it first steps, or,
 * for one that may read many (sdb_stream()), through a cursor in parts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "podflow/errmsg.h"
#include "podflow/grow.h"
#include "podflow/hash.h"
#include "sdb_pg.h"
#include "sql.h"

/* The most parameters one statement takes. */
#define SDB_PG_MAX_PARAMS 64
/* pg_type's text (catalog/pg_type.dat): what an unused parameter is. */
#define TEXT_OID 25
/* Rows a streamed statement reads at a time (sdb_stream()). */
#define STREAM_ROWS 10000

/* Any number: held by a writing transaction (sdb_begin(db, 1)). */
#define WRITER_LOCK 0x706f64666c6f78LL
/*
 * How long a writer waits for the lock, or for a row another holds (a
 * ship's mark), before it fails saying so: as SQLite's busy timeout, a
 * bound, longer here since a ship's batch holds its node's mark for
 * seconds.
 */
#define WRITER_LOCK_WAIT_S 60

/* A statement the server has, by its text. */
struct prepared {
	char *text;    /* as the store gave it, owned */
	char *pg_text; /* with $N, as prepared: owned */
	size_t len;
	uint64_t hash;
	char name[16];
	int n_params;
	Oid types[SDB_PG_MAX_PARAMS]; /* as prepared: 0, the server's */
};

/* A connection, which several databases (struct sdb) may share. */
struct conn {
	PGconn *pg;
	int refs;
	unsigned int next_name; /* statements named so far */
	unsigned int cursors;	/* cursors declared so far */
	unsigned int txn;	/* transactions begun so far */
	char *scope;		/* podflow.node as set now; NULL: not set */
	/* Each its own allocation: statements point at theirs. */
	struct prepared **prepared;
	size_t n_prepared, cap_prepared;
};

struct run {
	const struct prepared *p;
	PGresult *res;
	int ran, row, rows;
	int stream;	  /* read in parts (sdb_stream()) */
	int cursor_open;  /* parts remain to fetch */
	unsigned int txn; /* the transaction its cursor is in */
	char cursor[16];
};

static struct conn *conn_of(struct sdb *db)
{
	return db->conn;
}

/* db's message: what the server said, first line. */
static int fail(struct sdb *db, const PGresult *res)
{
	const char *msg = res != NULL ? PQresultErrorMessage(res)
				      : PQerrorMessage(conn_of(db)->pg);
	size_t len = strcspn(msg, "\n");
	char *copy;

	if (len == 0) {
		msg = "failed";
		len = strlen(msg);
	}
	copy = strndup(msg, len);
	free(db->err);
	db->err = copy;
	return -1;
}

/* Ends a statement run for no rows: 0, or -1 with db's message. */
static int done(struct sdb *db, PGresult *res)
{
	ExecStatusType s = PQresultStatus(res);
	int rc = 0;

	if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK)
		rc = fail(db, res);
	PQclear(res);
	return rc;
}

/*
 * sql[0..len) with ?N as $N and a bare ? as the next $N, quotes and
 * comments left as they are; the highest parameter into *n.  Returns an
 * owned string, or NULL (out of memory).
 */
static char *placeholders(const char *sql, size_t len, int *n,
			  unsigned char used[SDB_PG_MAX_PARAMS + 1])
{
	char *out = malloc(len * 4 + 16), *o = out;
	const char *p = sql, *end = sql + len;
	int next = 0;

	*n = 0;
	if (out == NULL)
		return NULL;
	while (p < end) {
		if (*p == '\'' || *p == '"') {
			char q = *p;

			*o++ = *p++;
			while (p < end && *p != q)
				*o++ = *p++;
			if (p < end)
				*o++ = *p++;
		} else if (p[0] == '-' && p + 1 < end && p[1] == '-') {
			while (p < end && *p != '\n')
				*o++ = *p++;
		} else if (*p == '?' || (*p == '$' && p + 1 < end &&
					 p[1] >= '0' && p[1] <= '9')) {
			int v = 0;

			p++;
			if (p < end && *p >= '0' && *p <= '9')
				while (p < end && *p >= '0' && *p <= '9' &&
				       v <= SDB_PG_MAX_PARAMS)
					v = v * 10 + (*p++ - '0');
			else
				v = ++next;
			if (v < 1 || v > SDB_PG_MAX_PARAMS) {
				/* Refused: more than a statement may take. */
				*n = -1;
				*o = '\0';
				return out;
			}
			if (v > *n)
				*n = v;
			used[v] = 1;
			o += sprintf(o, "$%d", v);
		} else
			*o++ = *p++;
	}
	*o = '\0';
	return out;
}

/* The server's statement of sql[0..len), prepared if new. */
static const struct prepared *prepared_for(struct sdb *db, const char *sql,
					   size_t len)
{
	struct conn *c = conn_of(db);
	uint64_t h = hash_bytes(HASH_INIT, sql, len);
	unsigned char used[SDB_PG_MAX_PARAMS + 1] = { 0 };
	Oid types[SDB_PG_MAX_PARAMS];
	char name[16];
	struct prepared *p;
	char *text;
	int n;

	for (size_t i = 0; i < c->n_prepared; i++) {
		p = c->prepared[i];
		if (p->hash == h && p->len == len &&
		    memcmp(p->text, sql, len) == 0)
			return p;
	}
	if (GROW(c->prepared, c->cap_prepared, c->n_prepared + 1) < 0)
		goto oom;
	if ((text = placeholders(sql, len, &n, used)) == NULL)
		goto oom;
	if (n < 0) {
		free(text);
		free(db->err);
		db->err = strdup("a statement with too many parameters");
		return NULL;
	}
	/*
	 * One statement of a script binds every parameter of the script
	 * (store_bind()), and the server must know a type for each: one it
	 * does not use is text, the others as it infers them.
	 */
	for (int i = 0; i < n; i++)
		types[i] = used[i + 1] ? 0 : TEXT_OID;
	snprintf(name, sizeof(name), "s%u", c->next_name++);
	if (done(db, PQprepare(c->pg, name, text, n, types)) < 0) {
		free(text);
		return NULL;
	}
	if ((p = calloc(1, sizeof(*p))) == NULL ||
	    (p->text = strndup(sql, len)) == NULL) {
		free(p);
		free(text);
		goto oom;
	}
	p->pg_text = text;
	memcpy(p->types, types, sizeof(*types) * (size_t)n);
	memcpy(p->name, name, sizeof(p->name));
	p->len = len;
	p->hash = h;
	p->n_params = n;
	c->prepared[c->n_prepared++] = p;
	return p;
oom:
	free(db->err);
	db->err = strdup("out of memory");
	return NULL;
}

static int pg_prepare(struct sdb *db, const char *sql, size_t len,
		      struct sdb_stmt *st)
{
	const struct prepared *p = prepared_for(db, sql, len);
	struct run *r;

	if (p == NULL)
		return -1;
	r = calloc(1, sizeof(*r));
	st->params = p->n_params > 0 ? calloc((size_t)p->n_params,
					      sizeof(*st->params))
				     : NULL;
	if (r == NULL || (p->n_params > 0 && st->params == NULL)) {
		free(r);
		free(st->params);
		st->params = NULL;
		free(db->err);
		db->err = strdup("out of memory");
		return -1;
	}
	r->p = p;
	st->n_params = p->n_params;
	st->be_state = r;
	return 0;
}

/*
 * The connection's podflow.node made db's scope, if it is another's: the
 * views of a node's rows read it (sql/pg/views.sql), so a statement runs
 * as db's node whichever database of the connection ran before.
 */
static int use_scope(struct sdb *db)
{
	struct conn *c = conn_of(db);
	const char *want = db->scope != NULL ? db->scope : "";
	const char *params[1] = { want };
	char *copy;

	if (c->scope != NULL && strcmp(c->scope, want) == 0)
		return 0;
	if ((copy = strdup(want)) == NULL) {
		free(db->err);
		db->err = strdup("out of memory");
		return -1;
	}
	if (done(db, PQexecParams(c->pg,
				  "SELECT set_config('podflow.node', $1, false)",
				  1, NULL, params, NULL, NULL, 0)) < 0) {
		free(copy);
		return -1;
	}
	free(c->scope);
	c->scope = copy;
	return 0;
}

static int pg_in_transaction(struct sdb *db)
{
	return PQtransactionStatus(conn_of(db)->pg) != PQTRANS_IDLE;
}

static void pg_stream(struct sdb_stmt *st)
{
	struct run *r = st->be_state;

	r->stream = 1;
}

/* The next part of st's cursor as its result: 0, or -1 with db's message. */
static int fetch_part(struct sdb_stmt *st)
{
	struct run *r = st->be_state;
	struct sdb *db = st->db;
	char sql[64];

	/*
	 * The cursor's rows are computed as they are fetched: the views read
	 * podflow.node then, which another database of the connection may
	 * have set to its own since.
	 */
	if (use_scope(db) < 0)
		return -1;
	snprintf(sql, sizeof(sql), "FETCH FORWARD %d FROM %s", STREAM_ROWS,
		 r->cursor);
	PQclear(r->res);
	r->res = PQexec(conn_of(db)->pg, sql);
	r->row = -1;
	if (PQresultStatus(r->res) != PGRES_TUPLES_OK) {
		fail(db, r->res);
		PQclear(r->res);
		r->res = NULL;
		r->rows = 0;
		r->cursor_open = 0;
		return -1;
	}
	r->rows = PQntuples(r->res);
	/* A short part is the last: the cursor ends with the transaction. */
	if (r->rows < STREAM_ROWS)
		r->cursor_open = 0;
	return 0;
}

/*
 * st as a cursor of the transaction open, its first part fetched.  Its
 * plan is made for all its rows, not the first few (cursor_tuple_fraction
 * is 1: sdb_pg_open()), as when it runs whole.
 */
static int open_cursor(struct sdb_stmt *st)
{
	struct run *r = st->be_state;
	struct sdb *db = st->db;
	struct conn *c = conn_of(db);
	const char *fmt = "DECLARE %s NO SCROLL CURSOR FOR %s";
	size_t len;
	char *sql;
	int rc;

	snprintf(r->cursor, sizeof(r->cursor), "c%u", c->cursors++);
	len = strlen(fmt) + strlen(r->cursor) + strlen(r->p->pg_text);
	if ((sql = malloc(len)) == NULL) {
		free(db->err);
		db->err = strdup("out of memory");
		return -1;
	}
	snprintf(sql, len, fmt, r->cursor, r->p->pg_text);
	rc = done(db, PQexecParams(c->pg, sql, st->n_params, r->p->types,
				   (const char *const *)st->params, NULL, NULL,
				   0));
	free(sql);
	if (rc < 0)
		return -1;
	r->cursor_open = 1;
	r->txn = c->txn;
	return fetch_part(st);
}

static int pg_step(struct sdb_stmt *st)
{
	struct run *r = st->be_state;
	struct sdb *db = st->db;

	/* Without a transaction there is no cursor: read whole. */
	if (!r->ran && r->stream && pg_in_transaction(db)) {
		if (use_scope(db) < 0)
			return -1;
		r->ran = 1;
		if (open_cursor(st) < 0)
			return -1;
	}
	while (r->ran && r->row + 1 >= r->rows && r->cursor_open)
		if (fetch_part(st) < 0)
			return -1;
	if (!r->ran) {
		ExecStatusType s;

		if (use_scope(db) < 0)
			return -1;
		r->res = PQexecPrepared(conn_of(db)->pg, r->p->name,
					st->n_params,
					(const char *const *)st->params, NULL,
					NULL, 0);
		s = PQresultStatus(r->res);
		r->ran = 1;
		r->row = -1;
		if (s == PGRES_TUPLES_OK) {
			r->rows = PQntuples(r->res);
		} else if (s == PGRES_COMMAND_OK) {
			r->rows = 0;
			db->changes = strtoll(PQcmdTuples(r->res), NULL, 10);
		} else {
			fail(db, r->res);
			PQclear(r->res);
			r->res = NULL;
			r->rows = 0;
			return -1;
		}
	}
	if (r->row + 1 < r->rows) {
		r->row++;
		return SDB_ROW;
	}
	r->row = r->rows;
	return SDB_DONE;
}

static const char *pg_value(struct sdb_stmt *st, int i)
{
	struct run *r = st->be_state;

	if (r->res == NULL || r->row < 0 || r->row >= r->rows ||
	    i >= PQnfields(r->res) || PQgetisnull(r->res, r->row, i))
		return NULL;
	return PQgetvalue(r->res, r->row, i);
}

static int pg_columns(struct sdb_stmt *st)
{
	struct run *r = st->be_state;

	return r->res != NULL ? PQnfields(r->res) : 0;
}

static void pg_reset(struct sdb_stmt *st)
{
	struct run *r = st->be_state;
	struct conn *c = st->db->conn;

	/*
	 * A cursor left before its end is closed, if its transaction is
	 * still the one open (in another, the name is none: closing it would
	 * fail that transaction).
	 */
	if (r->cursor_open && c != NULL && r->txn == c->txn &&
	    PQtransactionStatus(c->pg) == PQTRANS_INTRANS) {
		char sql[32];

		snprintf(sql, sizeof(sql), "CLOSE %s", r->cursor);
		PQclear(PQexec(c->pg, sql));
	}
	r->cursor_open = 0;
	PQclear(r->res);
	r->res = NULL;
	r->ran = 0;
	r->rows = 0;
}

static void pg_finalize(struct sdb_stmt *st)
{
	pg_reset(st);
	free(st->be_state);
	st->be_state = NULL;
}

static int pg_exec(struct sdb *db, const char *sql)
{
	if (use_scope(db) < 0)
		return -1;
	return done(db, PQexec(conn_of(db)->pg, sql));
}

/*
 * A writer holds the writer lock to its commit, as SQLite's one writer
 * holds the database: two imports, or an import and a review, never
 * interleave.  A reader reads one snapshot, as it does in SQLite.
 */
static int pg_begin(struct sdb *db, int write)
{
	char sql[128];

	conn_of(db)->txn++;
	if (!write)
		return pg_exec(db, "BEGIN ISOLATION LEVEL REPEATABLE READ, "
				   "READ ONLY");
	snprintf(sql, sizeof(sql),
		 "BEGIN; SET LOCAL lock_timeout = '%ds'; "
		 "SELECT pg_advisory_xact_lock(%lld)",
		 WRITER_LOCK_WAIT_S, WRITER_LOCK);
	return pg_exec(db, sql);
}

static void pg_close(struct sdb *db)
{
	struct conn *c = conn_of(db);

	db->conn = NULL;
	if (c == NULL || --c->refs > 0)
		return;
	for (size_t i = 0; i < c->n_prepared; i++) {
		free(c->prepared[i]->text);
		free(c->prepared[i]->pg_text);
		free(c->prepared[i]);
	}
	free(c->prepared);
	free(c->scope);
	PQfinish(c->pg);
	free(c);
}

/* The PostgreSQL form of one of the store's queries (sql.h), else sql. */
static const char *pg_form(const char *sql)
{
	for (int i = 0; i < sql_pg_forms_count; i++)
		if (sql_pg_forms[i].sqlite == sql)
			return sql_pg_forms[i].pg;
	return sql;
}

static const struct sdb_backend pg_backend = {
	.dialect = "postgresql",
	.form = pg_form,
	.prepare = pg_prepare,
	.step = pg_step,
	.stream = pg_stream,
	.value = pg_value,
	.columns = pg_columns,
	.reset = pg_reset,
	.finalize = pg_finalize,
	.exec = pg_exec,
	.in_transaction = pg_in_transaction,
	.begin = pg_begin,
	.close = pg_close,
};

int sdb_pg_is_uri(const char *text)
{
	return text != NULL && (strncmp(text, "postgresql://", 13) == 0 ||
				strncmp(text, "postgres://", 11) == 0);
}

void sdb_pg_describe(const char *uri, char *buf, size_t len)
{
	const char *user = "", *host = "", *port = "", *dbname = "";
	PQconninfoOption *opts = PQconninfoParse(uri, NULL);

	for (PQconninfoOption *o = opts; o != NULL && o->keyword != NULL; o++) {
		if (o->val == NULL)
			continue;
		if (strcmp(o->keyword, "user") == 0)
			user = o->val;
		else if (strcmp(o->keyword, "host") == 0)
			host = o->val;
		else if (strcmp(o->keyword, "port") == 0)
			port = o->val;
		else if (strcmp(o->keyword, "dbname") == 0)
			dbname = o->val;
	}
	snprintf(buf, len, "postgresql://%s%s%s%s%s/%s", user, *user ? "@" : "",
		 host, *port ? ":" : "", port, dbname);
	PQconninfoFree(opts);
}

int sdb_pg_connect(struct sdb *db, const char *uri, const char *where)
{
	struct conn *c = calloc(1, sizeof(*c));

	memset(db, 0, sizeof(*db));
	if (c == NULL) {
		errmsg_set("%s: out of memory", where);
		return -1;
	}
	db->be = &pg_backend;
	db->conn = c;
	c->refs = 1;
	c->pg = PQconnectdb(uri);
	if (PQstatus(c->pg) != CONNECTION_OK) {
		fail(db, NULL);
		errmsg_set("%s: cannot connect: %s", where, db->err);
		goto err;
	}
	/*
	 * No notices on stderr: errors alone, as messages of our own.  No
	 * JIT and no parallel workers: the store's statements are many and
	 * each over one node's rows, and compiling a plan (100 ms and more
	 * for the resolution's view) or starting workers for it costs more
	 * than running it (bench/results.md: 5x on generate).  A cursor's
	 * plan is for all its rows, as the statement's run whole.
	 */
	if (pg_exec(db, "SET client_min_messages = warning; SET jit = off; "
			"SET max_parallel_workers_per_gather = 0; "
			"SET cursor_tuple_fraction = 1") < 0) {
		errmsg_set("%s: connecting: %s", where, db->err);
		goto err;
	}
	return 0;
err:
	sdb_close(db);
	return -1;
}

int sdb_pg_share(struct sdb *db, struct sdb *with)
{
	memset(db, 0, sizeof(*db));
	if (with->be != &pg_backend) {
		errmsg_set("not a PostgreSQL database");
		return -1;
	}
	db->be = with->be;
	db->conn = with->conn;
	conn_of(db)->refs++;
	return 0;
}

void *sdb_pg_conn(struct sdb *db)
{
	return db->be == &pg_backend ? conn_of(db)->pg : NULL;
}

/* Any number: the lock that lets one writer migrate at a time. */
#define MIGRATION_LOCK 0x706f64666c6f77LL /* "podflow" */

/*
 * The oldest cluster schema whose `policygen ship` writes this one's rows
 * as they are meant: a node shipping with a policygen that old goes on
 * shipping while the central host, upgraded first, runs a newer schema.
 * Kept in pg_meta as ship_compatible by every migration.  A migration that
 * changes what a shipper writes or reads (addr, route, cluster_node,
 * node_edge_raw, node_meta, ship_state, or their triggers and policies)
 * raises it to its own version: shippers older than that are refused,
 * and their rows wait in their nodes' databases.
 */
#define SHIP_COMPATIBLE 4

/*
 * The schema version pg_meta holds, 0 for a database without it, and the
 * oldest a shipper may be (the version itself when none is kept).
 */
static int read_version(struct sdb *db, int *version, int *ship_compatible)
{
	PGconn *pg = conn_of(db)->pg;
	/* A name in a query must exist before it runs: asked first. */
	PGresult *res = PQexec(pg, "SELECT to_regclass('pg_meta') IS NULL");
	int rc = -1;

	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		fail(db, res);
		goto out;
	}
	*version = *ship_compatible = 0;
	if (strcmp(PQgetvalue(res, 0, 0), "t") == 0) {
		rc = 0;
		goto out;
	}
	PQclear(res);
	res = PQexec(pg, "SELECT (SELECT value FROM pg_meta "
			 "WHERE key = 'schema_version'), (SELECT value FROM "
			 "pg_meta WHERE key = 'ship_compatible')");
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		fail(db, res);
		goto out;
	}
	*version = atoi(PQgetvalue(res, 0, 0));
	*ship_compatible = PQgetisnull(res, 0, 1) ? *version
						  : atoi(PQgetvalue(res, 0, 1));
	rc = 0;
out:
	PQclear(res);
	return rc;
}

int sdb_pg_migrate(struct sdb *db, const char *where, int shipping,
		   int *version_out)
{
	char lock[64], set[256];
	int version, ship_compatible;

	if (pg_exec(db, "BEGIN") < 0)
		goto dberr;
	snprintf(lock, sizeof(lock), "SELECT pg_advisory_xact_lock(%lld)",
		 MIGRATION_LOCK);
	if (pg_exec(db, lock) < 0 ||
	    read_version(db, &version, &ship_compatible) < 0)
		goto dberr;
	if (version > sql_pg_migrations_count && shipping &&
	    ship_compatible > sql_pg_migrations_count) {
		errmsg_set("%s: cluster store schema version %d takes rows from "
			   "a policygen of schema %d or later, this one is %d: "
			   "upgrade this node's policygen (its rows wait in its "
			   "database)",
			   where, version, ship_compatible,
			   sql_pg_migrations_count);
		goto rollback;
	}
	if (version > sql_pg_migrations_count && !shipping) {
		errmsg_set("%s: cluster store schema version %d is newer than "
			   "this policygen (%d): upgrade it (the central host "
			   "first, then the nodes)",
			   where, version, sql_pg_migrations_count);
		goto rollback;
	}
	for (int i = version; i < sql_pg_migrations_count; i++) {
		const struct sql_migration *m = &sql_pg_migrations[i];

		if (pg_exec(db, m->text) < 0) {
			/* A node's role may not: the importer's does. */
			errmsg_set("%s: applying schema %d (%s): %s; the cluster "
				   "store is older than this policygen: upgrade "
				   "the central host first, whose importer "
				   "applies it",
				   where, m->version, m->name, db->err);
			goto rollback;
		}
		snprintf(set, sizeof(set),
			 "INSERT INTO pg_meta (key, value) VALUES "
			 "('schema_version', '%d'), ('ship_compatible', '%d') "
			 "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
			 m->version, SHIP_COMPATIBLE);
		if (pg_exec(db, set) < 0)
			goto dberr;
	}
	/* The views anew after the last, as in SQLite (sql/pg/views.sql). */
	if (version < sql_pg_migrations_count &&
	    (pg_exec(db, sql_pg_views_clear) < 0 || pg_exec(db, sql_pg_views) < 0))
		goto dberr;
	if (pg_exec(db, "COMMIT") < 0)
		goto dberr;
	*version_out = version > sql_pg_migrations_count
			       ? version
			       : sql_pg_migrations_count;
	return 0;
dberr:
	errmsg_set("%s: migrating: %s", where, db->err);
rollback:
	sdb_rollback(db);
	return -1;
}
