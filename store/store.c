/*
 * store: opening, migrating and writing the podflow SQLite database.
 *
 * WAL with synchronous=NORMAL: podflowd commits every few seconds
 * and readers (policygen, an operator's sqlite3) must never block it or be
 * blocked by it.  NORMAL can lose the last commits on power loss, never
 * consistency; losing seconds of aggregated counts is cheaper than an
 * fsync per flush.
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "podflow/errmsg.h"
#include "podflow/store.h"
#include "idcache.h"
#include "sql.h"
#include "store_int.h"

/* How long a writer waits for another writer (inventory import, say). */
#define STORE_BUSY_TIMEOUT_MS 5000
/* The WAL is cut back to this after a checkpoint (bytes, as text). */
#define STORE_WAL_LIMIT "67108864"

/*
 * The oldest schema a read-only handle can still read.  A read-only
 * handle cannot migrate, so readers must cope with every version from
 * here to the latest.
 */
#define STORE_READ_MIN_VERSION 1

/* The first schema whose edges keep their connections' start times. */
#define STORE_START_TIMES_VERSION 7
/* The first schema whose flow_resolved names the pods by uid. */
#define STORE_UIDS_VERSION 5

/* What a route is known by in the writer's cache, no padding unset. */
struct route_key {
	int64_t server, service, nat; /* addr.id; 0: none */
	uint16_t server_port, service_port;
	uint8_t protocol;
	uint8_t zero[3];
};

_Static_assert(sizeof(struct route_key) <= IDCACHE_KEY_MAX,
	       "a route's key does not fit the cache");
_Static_assert(sizeof(struct addr) <= IDCACHE_KEY_MAX,
	       "an address does not fit the cache");

struct store {
	struct sdb db;
	char *path;
	int version;
	struct sdb_stmt *edge_upsert;
	struct sdb_stmt *change_log_put;
	int64_t change_seq; /* the flush under way's number */
	struct sdb_stmt *addr_put;
	struct sdb_stmt *route_put;
	/*
	 * The ids of the addresses and routes written (values: the id), so
	 * that a flush looks each up once: their rows are never deleted.
	 * Emptied when a flush rolls back, which may take new ones with it.
	 */
	struct idcache addr_ids;  /* by struct addr */
	struct idcache route_ids; /* by struct route_key */
	struct sdb_stmt *meta_get;
	struct sdb_stmt *meta_set;
	struct sdb_stmt *stats_put;
};

const char *store_path(const char *cli_path)
{
	const char *env;

	if (cli_path != NULL)
		return cli_path;
	env = getenv(STORE_ENV_PATH);
	if (env != NULL && env[0] != '\0')
		return env;
	return STORE_DEFAULT_PATH;
}

int store_schema_latest(void)
{
	return sql_migrations_count;
}

int store_schema_version(const struct store *s)
{
	return s->version;
}

const char *store_filename(const struct store *s)
{
	return s->path;
}

sqlite3 *store_db(struct store *s)
{
	return s->db.lite;
}

struct sdb *store_sdb(struct store *s)
{
	return &s->db;
}

int store_same_inventory(const struct store *a, const struct store *b)
{
	if (a == b)
		return 1;
	/* Two nodes of one cluster store: one connection, one inventory. */
	return !sdb_is_sqlite(&a->db) && !sdb_is_sqlite(&b->db) &&
	       a->db.conn == b->db.conn;
}

int store_in_transaction(struct store *s)
{
	if (sdb_is_sqlite(&s->db))
		return !sqlite3_get_autocommit(s->db.lite);
	return s->db.be->in_transaction(&s->db);
}

/* Sets errmsg from the handle's last error, naming the file. */
static void store_error(struct store *s, const char *what)
{
	int code, sys;

	if (!sdb_is_sqlite(&s->db)) {
		errmsg_set("%s: %s: %s", s->path, what, sdb_errmsg(&s->db));
		return;
	}
	code = sqlite3_extended_errcode(s->db.lite);
	sys = sqlite3_system_errno(s->db.lite);
	if (code == SQLITE_NOTADB)
		errmsg_set("%s: not an SQLite database", s->path);
	else if (code == SQLITE_READONLY_DIRECTORY ||
		 code == SQLITE_READONLY_CANTINIT)
		errmsg_set("%s: cannot open its -wal/-shm files: the "
			   "directory or those files are not writable",
			   s->path);
	else if ((code & 0xff) == SQLITE_CANTOPEN && sys != 0)
		errmsg_set("%s: cannot open database: %s", s->path,
			   strerror(sys));
	else
		errmsg_set("%s: %s: %s", s->path, what, sqlite3_errmsg(s->db.lite));
}

static int store_exec(struct store *s, const char *sql, const char *what)
{
	if (sdb_exec(&s->db, sql) < 0) {
		store_error(s, what);
		return -1;
	}
	return 0;
}

static int store_prepare(struct store *s, const char *sql, struct sdb_stmt **st)
{
	if (sdb_prepare(&s->db, sql, st, NULL) < 0) {
		store_error(s, "preparing statement");
		return -1;
	}
	return 0;
}

/*
 * Reads the application id, schema version and object count without
 * writing, so that a file we must refuse is left exactly as it was.
 */
static int store_probe(struct store *s, int *appid, int *version, int *objects)
{
	struct sdb_stmt *st = NULL;
	int rc = -1;

	if (sdb_prepare(&s->db, sql_db_probe, &st, NULL) < 0 ||
	    sdb_step(st) != SDB_ROW) {
		store_error(s, "reading schema version");
		goto out;
	}
	*appid = sdb_column_int(st, 0);
	*version = sdb_column_int(st, 1);
	*objects = sdb_column_int(st, 2);
	rc = 0;
out:
	sdb_finalize(st);
	return rc;
}

/* Refuses databases this build must not touch; see store_open(). */
static int store_check_identity(struct store *s, unsigned int flags)
{
	int appid, version, objects;

	if (store_probe(s, &appid, &version, &objects) < 0)
		return -1;
	if (appid != 0 && appid != STORE_APPLICATION_ID) {
		errmsg_set("%s: not a podflow database (application_id 0x%08x)",
			   s->path, (unsigned int)appid);
		return -1;
	}
	if (appid == 0 && (version != 0 || objects != 0)) {
		errmsg_set("%s: not a podflow database (an SQLite database of "
			   "another application)",
			   s->path);
		return -1;
	}
	if (version > store_schema_latest()) {
		errmsg_set("%s: schema version %d is newer than this podflow "
			   "supports (%d); upgrade podflow",
			   s->path, version, store_schema_latest());
		return -1;
	}
	if ((flags & STORE_READONLY) && version < STORE_READ_MIN_VERSION) {
		errmsg_set("%s: not a podflow database (empty, schema version "
			   "%d)",
			   s->path, version);
		return -1;
	}
	s->version = version;
	return 0;
}

static int store_set_pragmas(struct store *s)
{
	struct sdb_stmt *st = NULL;
	const char *mode;
	int rc = -1;

	if (sdb_prepare(&s->db, "PRAGMA journal_mode=WAL", &st, NULL) < 0 ||
	    sdb_step(st) != SDB_ROW) {
		store_error(s, "enabling WAL");
		goto out;
	}
	mode = sdb_column_text(st, 0);
	if (mode == NULL || strcmp(mode, "wal") != 0) {
		errmsg_set("%s: cannot enable WAL (journal mode stays %s)",
			   s->path, mode ? mode : "unknown");
		goto out;
	}
	if (store_exec(s, "PRAGMA synchronous=NORMAL", "setting synchronous") <
		    0 ||
	    store_exec(s, "PRAGMA journal_size_limit=" STORE_WAL_LIMIT,
		       "limiting the WAL") < 0)
		goto out;
	/*
	 * Keep -wal and -shm when the last writer closes: a reader that may
	 * not create files in the directory (a member of the database's
	 * group, running sqlite3 -readonly) can then still open it.
	 */
	sqlite3_file_control(s->db.lite, "main", SQLITE_FCNTL_PERSIST_WAL,
			     &(int){ 1 });
	rc = 0;
out:
	sdb_finalize(st);
	return rc;
}

/* Drops the views of sql/views.sql, before a migration; see there. */
static int store_drop_views(struct store *s)
{
	struct sdb_stmt *st = NULL;
	int rc = -1;

	if (sdb_prepare(&s->db, sql_views_drop, &st, NULL) < 0 ||
	    sdb_bind_text(st, 1, sql_views) < 0 ||
	    sdb_step(st) != SDB_ROW) {
		store_error(s, "listing the views");
		goto out;
	}
	rc = store_exec(s, sdb_column_text(st, 0),
			"dropping the views");
out:
	sdb_finalize(st);
	return rc;
}

/*
 * Applies every migration past the current version in one transaction,
 * the views made anew after the last (sql/views.sql).  BEGIN IMMEDIATE
 * takes the write lock first and the version is read again under it, so
 * two programs starting together do not both migrate.
 */
static int store_migrate(struct store *s)
{
	char pragma[64];
	int version, appid, objects;

	if (s->version == store_schema_latest())
		return 0;
	if (store_exec(s, "BEGIN IMMEDIATE", "starting migration") < 0)
		return -1;
	if (store_probe(s, &appid, &version, &objects) < 0)
		goto rollback;
	if (version < sql_migrations_count && store_drop_views(s) < 0)
		goto rollback;
	for (int i = version; i < sql_migrations_count; i++) {
		const struct sql_migration *m = &sql_migrations[i];

		if (sqlite3_exec(s->db.lite, m->text, NULL, NULL, NULL) !=
		    SQLITE_OK) {
			errmsg_set("%s: applying migration %s: %s", s->path,
				   m->name, sqlite3_errmsg(s->db.lite));
			goto rollback;
		}
		snprintf(pragma, sizeof(pragma), "PRAGMA user_version=%d",
			 m->version);
		if (store_exec(s, pragma, "recording schema version") < 0)
			goto rollback;
	}
	if (version < sql_migrations_count &&
	    store_exec(s, sql_views, "creating the views") < 0)
		goto rollback;
	snprintf(pragma, sizeof(pragma), "PRAGMA application_id=%d",
		 STORE_APPLICATION_ID);
	if (store_exec(s, pragma, "recording application id") < 0 ||
	    store_exec(s, "COMMIT", "committing migration") < 0)
		goto rollback;
	s->version = sql_migrations_count;
	return 0;
rollback:
	sdb_rollback(&s->db);
	return -1;
}

/*
 * A read-only handle on a schema before resolved edges: resolved_edges as
 * a temporary view (sql/queries/store/compat_resolved_edges.sql), with
 * what the version lacks filled in.
 */
static int store_compat_views(struct store *s)
{
	struct sdb_stmt *st = NULL;
	int rc = -1;

	if (sdb_prepare(&s->db, "SELECT replace(replace(?1, '$UIDS', ?2), "
			       "'$UNSTARTED', ?3)", &st, NULL) < 0)
		goto dberr;
	sdb_bind_text(st, 1, sql_compat_resolved_edges);
	sdb_bind_text(st, 2,
		      s->version >= STORE_UIDS_VERSION
			      ? "src_uid, dst_uid"
			      : "NULL AS src_uid, NULL AS dst_uid");
	sdb_bind_text(st, 3,
		      s->version >= STORE_START_TIMES_VERSION
			      ? "(attribution = 'bucket') / "
				"(max(src_holders, 1) * max(dst_holders, 1.0))"
			      : "1 / (max(src_holders, 1) * "
				"max(dst_holders, 1.0))");
	if (sdb_step(st) != SDB_ROW)
		goto dberr;
	rc = store_exec(s, sdb_column_text(st, 0),
			"reading an older schema");
	goto out;
dberr:
	store_error(s, "reading an older schema");
out:
	sdb_finalize(st);
	return rc;
}

static int store_prepare_all(struct store *s, unsigned int flags)
{
	if (store_prepare(s, sql_meta_get, &s->meta_get) < 0)
		return -1;
	if (flags & STORE_READONLY)
		return 0;
	if (store_prepare(s, sql_edge_upsert, &s->edge_upsert) < 0 ||
	    store_prepare(s, sql_change_log_put, &s->change_log_put) < 0 ||
	    store_prepare(s, sql_addr_put, &s->addr_put) < 0 ||
	    store_prepare(s, sql_route_put, &s->route_put) < 0 ||
	    store_prepare(s, sql_meta_set, &s->meta_set) < 0 ||
	    store_prepare(s, sql_stats_put, &s->stats_put) < 0)
		return -1;
	return 0;
}

/* A directory at path would otherwise surface as an obscure I/O error. */
static int store_check_path(const char *path)
{
	struct stat st;

	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		errmsg_set("%s: not a regular file", path);
		return -1;
	}
	return 0;
}

static int store_open_as(const char *name, const char *path,
			 unsigned int flags, struct store **ret);

/* Nonzero when path (and suffix) names an existing file. */
static int file_exists(const char *path, const char *suffix)
{
	char name[PATH_MAX];
	struct stat st;

	return (size_t)snprintf(name, sizeof(name), "%s%s", path, suffix) <
		       sizeof(name) &&
	       stat(name, &st) == 0;
}

/* The directory of path, into buf. */
static void dir_of(const char *path, char *buf, size_t size)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		snprintf(buf, size, ".");
	else if (slash == path)
		snprintf(buf, size, "/");
	else
		snprintf(buf, size, "%.*s", (int)(slash - path), path);
}

/*
 * A WAL database is read with its -shm file beside it, which a reader
 * makes when it is missing; where it cannot (a read-only mount, a
 * directory of another user's), SQLite says only "No such file or
 * directory".  On a read-only file system with no -wal file, every page
 * is in the main file and nobody can write it: it is read as immutable,
 * with no -shm.  Returns 1 then, with the URI in uri; else 0, with a
 * message saying what to do when the directory is what stands in the way.
 */
static int readonly_fallback(const char *path, char *uri, size_t size)
{
	char dir[PATH_MAX];
	struct statvfs vfs;
	size_t o;

	if (file_exists(path, "-shm"))
		return 0;
	dir_of(path, dir, sizeof(dir));
	if (!file_exists(path, "-wal") && statvfs(dir, &vfs) == 0 &&
	    (vfs.f_flag & ST_RDONLY)) {
		o = (size_t)snprintf(uri, size, "file:");
		for (const char *p = path; *p && o + 4 < size; p++) {
			unsigned char ch = (unsigned char)*p;

			if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
			    (ch >= '0' && ch <= '9') || strchr("/._-~", ch))
				uri[o++] = (char)ch;
			else
				o += (size_t)snprintf(uri + o, size - o, "%%%02X",
						      ch);
		}
		if (o + sizeof("?immutable=1") > size)
			return 0;
		memcpy(uri + o, "?immutable=1", sizeof("?immutable=1"));
		return 1;
	}
	if (access(dir, W_OK) != 0)
		errmsg_set("%s: cannot read: SQLite needs %s-shm beside a WAL "
			   "database and cannot make it in %s (%s); read it as "
			   "a user who may write there, or while podflowd runs",
			   path, path, dir, strerror(errno));
	return 0;
}

int store_open(const char *path, unsigned int flags, struct store **ret)
{
	char uri[3 * PATH_MAX + 32];
	int tried_uri = 0;

	for (;;) {
		const char *name = tried_uri ? uri : path;
		int rc = store_open_as(name, path, flags, ret);

		if (rc == 0 || !(flags & STORE_READONLY) || tried_uri ||
		    !readonly_fallback(path, uri, sizeof(uri)))
			return rc;
		tried_uri = 1;
	}
}

/*
 * store_open() of name, a path or an SQLite URI (file:...) for the file
 * at path, which messages name.
 */
static int store_open_as(const char *name, const char *path,
			 unsigned int flags, struct store **ret)
{
	int oflags = (flags & STORE_READONLY) ? SQLITE_OPEN_READONLY
					      : SQLITE_OPEN_READWRITE |
							SQLITE_OPEN_CREATE;
	struct store *s;
	int old;

	if (store_check_path(path) < 0)
		return -1;
	s = calloc(1, sizeof(*s));
	if (s == NULL || (s->path = strdup(path)) == NULL) {
		free(s);
		errmsg_set("%s: out of memory", path);
		return -1;
	}
	s->addr_ids = (struct idcache)IDCACHE_INIT(sizeof(struct addr));
	s->route_ids = (struct idcache)IDCACHE_INIT(sizeof(struct route_key));
	/* A URI only when store_open() made one: a path is a path. */
	if (name != path)
		oflags |= SQLITE_OPEN_URI;
	if (sqlite3_open_v2(name, &s->db.lite, oflags | SQLITE_OPEN_NOMUTEX,
			    NULL) != SQLITE_OK) {
		if (s->db.lite == NULL)
			errmsg_set("%s: out of memory", path);
		else
			store_error(s, "opening database");
		goto err;
	}
	sqlite3_extended_result_codes(s->db.lite, 1);
	sqlite3_busy_timeout(s->db.lite, STORE_BUSY_TIMEOUT_MS);
	/* SQLite quietly falls back to read-only on a protected file. */
	if (!(flags & STORE_READONLY) && sqlite3_db_readonly(s->db.lite, "main")) {
		errmsg_set("%s: cannot open for writing: permission denied",
			   path);
		goto err;
	}
	if (store_check_identity(s, flags) < 0)
		goto err;
	old = s->version;
	if (!(flags & STORE_READONLY) &&
	    (store_set_pragmas(s) < 0 || store_migrate(s) < 0))
		goto err;
	if ((flags & STORE_READONLY) && s->version < STORE_RESOLVED_VERSION &&
	    store_compat_views(s) < 0)
		goto err;
	if (store_exec(s, "PRAGMA foreign_keys=ON", "enabling foreign keys") <
		    0 ||
	    store_prepare_all(s, flags) < 0)
		goto err;
	/*
	 * A database from before resolved edges gives back the pages of its
	 * raw rows' old form (two thirds of them).  Its writers' next passes
	 * (an import, podflowd's upkeep) resolve what its inventory covers.
	 */
	if (!(flags & STORE_READONLY) && old > 0 &&
	    old < STORE_RESOLVED_VERSION &&
	    store_exec(s, "VACUUM", "compacting after the migration") < 0)
		goto err;
	*ret = s;
	return 0;
err:
	store_close(s);
	return -1;
}

int store_open_backend(struct sdb *db, const char *name, unsigned int flags,
		       struct store **ret)
{
	struct store *s = calloc(1, sizeof(*s));

	if (s == NULL || (s->path = strdup(name)) == NULL) {
		free(s);
		sdb_close(db);
		errmsg_set("%s: out of memory", name);
		return -1;
	}
	s->db = *db;
	memset(db, 0, sizeof(*db));
	s->addr_ids = (struct idcache)IDCACHE_INIT(sizeof(struct addr));
	s->route_ids = (struct idcache)IDCACHE_INIT(sizeof(struct route_key));
	/* Its schema is today's, in its own dialect (sql/pg/migrations/). */
	s->version = store_schema_latest();
	if (store_prepare(s, sql_meta_get, &s->meta_get) < 0 ||
	    (!(flags & STORE_READONLY) &&
	     store_prepare(s, sql_meta_set, &s->meta_set) < 0)) {
		store_close(s);
		return -1;
	}
	*ret = s;
	return 0;
}

void store_close(struct store *s)
{
	if (s == NULL)
		return;
	sdb_finalize(s->edge_upsert);
	sdb_finalize(s->change_log_put);
	sdb_finalize(s->addr_put);
	sdb_finalize(s->route_put);
	idcache_clear(&s->addr_ids);
	idcache_clear(&s->route_ids);
	sdb_finalize(s->meta_get);
	sdb_finalize(s->meta_set);
	sdb_finalize(s->stats_put);
	sdb_close(&s->db);
	free(s->path);
	free(s);
}

/* Binds a counter; STORE_UNKNOWN (no accounting) binds NULL. */
static int bind_known(struct sdb_stmt *st, int idx, int64_t v)
{
	if (v == STORE_UNKNOWN)
		return sdb_bind_null(st, idx);
	return sdb_bind_int64(st, idx, v);
}

/*
 * Runs st (reset, its parameters bound) for the one row it returns, the
 * id of what it added or found, into *id; what says what it was for.
 */
static int store_put_id(struct store *s, struct sdb_stmt *st, int64_t *id,
			const char *what)
{
	int rc = sdb_step(st);

	if (rc == SDB_ROW)
		*id = sdb_column_int64(st, 0);
	sdb_reset(st);
	if (rc != SDB_ROW) {
		store_error(s, what);
		return -1;
	}
	return 0;
}

/*
 * Runs st, whose parameters binding returned rc, to its end and resets
 * it; what says what it was for.
 */
static int store_put(struct store *s, struct sdb_stmt *st, int rc,
		     const char *what)
{
	if (rc == 0)
		rc = sdb_step(st);
	sdb_reset(st);
	if (rc != SDB_DONE) {
		store_error(s, what);
		return -1;
	}
	return 0;
}

/*
 * The id of what st puts with params[0..n) bound, for key, which ids
 * does not hold yet: kept there, so that the callers, which look in ids
 * first, bind nothing for an id podflowd has seen before.
 */
static int store_new_id(struct store *s, struct idcache *ids,
			const void *key, struct sdb_stmt *st,
			const struct store_param *params, size_t n,
			int64_t *id, const char *what)
{
	if (store_bind(s, st, params, n) < 0 ||
	    store_put_id(s, st, id, what) < 0)
		return -1;
	if (idcache_put(ids, key, *id) < 0) {
		errmsg_set("%s: out of memory", s->path);
		return -1;
	}
	return 0;
}

/* The addr.id of a, added if new; 0 for no address (family 0). */
static int store_addr_id(struct store *s, const struct addr *a, int64_t *id)
{
	char buf[ADDR_STRLEN];

	*id = 0;
	if (a->family == 0)
		return 0;
	if ((*id = idcache_get(&s->addr_ids, a)) != 0)
		return 0;
	/* Text only for a new one: the cache is keyed by the bytes. */
	addr_format(a, buf);
	return store_new_id(s, &s->addr_ids, a, s->addr_put,
			    (const struct store_param[]){
				    { STORE_PARAM_TEXT, 0, buf } },
			    1, id, "writing addresses");
}

/* The route.id of e's server side, added if new. */
static int store_route_id(struct store *s, const struct store_edge *e,
			  int64_t *id)
{
	struct route_key k;

	memset(&k, 0, sizeof(k));
	if (store_addr_id(s, &e->server, &k.server) < 0 ||
	    store_addr_id(s, &e->service, &k.service) < 0 ||
	    store_addr_id(s, &e->client_nat, &k.nat) < 0)
		return -1;
	k.server_port = e->server_port;
	k.service_port = e->service.family ? e->service_port : 0;
	k.protocol = e->protocol;
	if ((*id = idcache_get(&s->route_ids, &k)) != 0)
		return 0;
	return store_new_id(
		s, &s->route_ids, &k, s->route_put,
		(const struct store_param[]){
			STORE_INT(k.server), STORE_INT(k.server_port),
			STORE_INT(k.protocol), STORE_INT(k.service),
			STORE_INT(k.service_port), STORE_INT(k.nat) },
		6, id, "writing routes");
}

static int store_upsert_edge(struct store *s, const struct store_edge *e)
{
	struct sdb_stmt *st = s->edge_upsert;
	int64_t client, route;
	int rc;

	if (store_addr_id(s, &e->client, &client) < 0 ||
	    store_route_id(s, e, &route) < 0)
		return -1;
	sdb_reset(st);
	rc = sdb_bind_int64(st, 1, e->bucket);
	rc = rc ?: sdb_bind_int64(st, 2, client);
	rc = rc ?: sdb_bind_int64(st, 3, route);
	rc = rc ?: sdb_bind_int64(st, 4, e->first_seen);
	rc = rc ?: sdb_bind_int64(st, 5, e->last_seen);
	rc = rc ?: sdb_bind_int64(st, 6, e->connections);
	rc = rc ?: bind_known(st, 7, e->orig_bytes);
	rc = rc ?: bind_known(st, 8, e->orig_packets);
	rc = rc ?: bind_known(st, 9, e->reply_bytes);
	rc = rc ?: bind_known(st, 10, e->reply_packets);
	rc = rc ?: bind_known(st, 11, e->last_start);
	rc = rc ?: sdb_bind_int64(st, 12, s->change_seq);
	return store_put(s, st, rc, "writing edges");
}

/*
 * Takes the flush's number of the change sequence into s->change_seq,
 * logged with the lowest bucket of edges[0..n) and their latest sighting
 * (the time retention compares).
 */
static int store_next_change(struct store *s, const struct store_edge *edges,
			     size_t n)
{
	struct sdb_stmt *st = s->change_log_put;
	int64_t min_bucket = edges[0].bucket, last = edges[0].last_seen;
	int rc;

	for (size_t i = 1; i < n; i++) {
		if (edges[i].bucket < min_bucket)
			min_bucket = edges[i].bucket;
		if (edges[i].last_seen > last)
			last = edges[i].last_seen;
	}
	sdb_reset(st);
	rc = sdb_bind_int64(st, 1, min_bucket);
	rc = rc ?: sdb_bind_int64(st, 2, last);
	if (rc < 0 || (rc = sdb_step(st)) != SDB_ROW) {
		store_error(s, "numbering the flush");
		sdb_reset(st);
		return -1;
	}
	s->change_seq = sdb_column_int64(st, 0);
	/* Stepped to its end, so the statement holds nothing open. */
	rc = sdb_step(st);
	sdb_reset(st);
	if (rc != SDB_DONE) {
		store_error(s, "numbering the flush");
		return -1;
	}
	return 0;
}

/* The meta key of store_flush_counted()'s mark. */
#define COUNTED_BEFORE "collector_counted_before"

int store_flush_counted(struct store *s, const struct store_edge *edges,
			size_t n, int64_t counted_before)
{
	char mark[24];

	if (n == 0 && counted_before == 0)
		return 0;
	if (store_exec(s, "BEGIN IMMEDIATE", "writing edges") < 0)
		return -1;
	if (n > 0 && store_next_change(s, edges, n) < 0)
		goto rollback;
	for (size_t i = 0; i < n; i++)
		if (store_upsert_edge(s, &edges[i]) < 0)
			goto rollback;
	snprintf(mark, sizeof(mark), "%lld", (long long)counted_before);
	if (counted_before != 0 && store_meta_set(s, COUNTED_BEFORE, mark) < 0)
		goto rollback;
	if (store_exec(s, "COMMIT", "writing edges") < 0)
		goto rollback;
	return 0;
rollback:
	/* SQLite may already have rolled back (SQLITE_FULL does). */
	sdb_rollback(&s->db);
	/* Ids the rolled back transaction added are gone with it. */
	idcache_clear(&s->addr_ids);
	idcache_clear(&s->route_ids);
	return -1;
}

int store_flush_edges(struct store *s, const struct store_edge *edges,
		      size_t n)
{
	return store_flush_counted(s, edges, n, 0);
}

int store_counted_before(struct store *s, int64_t *ns)
{
	char *value, *end;
	long long v = 0;
	int rc = -1;

	if (store_meta_get(s, COUNTED_BEFORE, &value) < 0)
		return -1;
	if (value != NULL) {
		errno = 0;
		v = strtoll(value, &end, 10);
		if (errno != 0 || end == value || *end != '\0' || v < 0) {
			errmsg_set("%s: meta %s is '%s', not a time: the "
				   "database is damaged",
				   s->path, COUNTED_BEFORE, value);
			goto out;
		}
	}
	*ns = v;
	rc = 0;
out:
	free(value);
	return rc;
}

int store_db_error(struct store *s)
{
	errmsg_set("%s: %s", s->path, sdb_errmsg(&s->db));
	return -1;
}

/*
 * Runs PRAGMA wal_checkpoint(mode) (sql), its row (busy, frames in the
 * WAL, frames copied; -1s outside WAL mode) into out.
 */
static int wal_checkpoint(struct store *s, const char *sql, int out[3])
{
	struct sdb_stmt *st = NULL;
	int rc;

	if (sdb_prepare(&s->db, sql, &st, NULL) < 0) {
		store_error(s, "checkpointing");
		return -1;
	}
	rc = sdb_step(st);
	for (int i = 0; i < 3 && rc == SDB_ROW; i++)
		out[i] = sdb_column_int(st, i);
	sdb_finalize(st);
	if (rc != SDB_ROW) {
		store_error(s, "checkpointing");
		return -1;
	}
	return 0;
}

int store_checkpoint(struct store *s)
{
	int row[3];

	if (!sdb_is_sqlite(&s->db))
		return 0;
	if (wal_checkpoint(s, "PRAGMA wal_checkpoint(TRUNCATE)", row) < 0)
		return -1;
	return row[0] ? 1 : 0;
}

/* About a millisecond of SQLite's work between calls. */
#define PROGRESS_STEPS 20000

void store_set_progress(struct store *s, int (*fn)(void *ctx), void *ctx)
{
	/* A server's work is its own: nothing to tick between. */
	if (!sdb_is_sqlite(&s->db))
		return;
	sqlite3_progress_handler(s->db.lite, fn != NULL ? PROGRESS_STEPS : 0, fn,
				 ctx);
}

int store_checkpoint_passive(struct store *s)
{
	int row[3];

	if (!sdb_is_sqlite(&s->db))
		return 0;
	if (wal_checkpoint(s, "PRAGMA wal_checkpoint(PASSIVE)", row) < 0)
		return -1;
	return row[2] < row[1];
}

int64_t store_wal_bytes(const struct store *s)
{
	char wal[PATH_MAX];
	struct stat st;

	if (!sdb_is_sqlite(&s->db) ||
	    (size_t)snprintf(wal, sizeof(wal), "%s-wal", s->path) >=
		    sizeof(wal) ||
	    stat(wal, &st) != 0)
		return 0;
	return st.st_size;
}

int64_t store_disk_bytes(const struct store *s)
{
	struct stat st;
	int64_t total = store_wal_bytes(s);

	if (sdb_is_sqlite(&s->db) && stat(s->path, &st) == 0)
		total += st.st_size;
	return total;
}

/* What prune_one() prunes, and what it pruned, over the nodes. */
struct prune {
	int64_t raw_before, before;
	struct store_pruned sum;
};

static int prune_one(struct store *s, void *ctx)
{
	struct prune *p = ctx;
	/* The raw rows and the day rows pruned: the script's first two. */
	int64_t changes[2] = { 0 };

	if (sdb_begin(&s->db, 1) < 0) {
		store_error(s, "pruning edges");
		return -1;
	}
	/* On a server, no ship of the node commits meanwhile. */
	if (store_query_all(s, sql_resolve_lock, NULL, NULL) < 0 ||
	    store_script(s, sql_edge_prune,
			 (const int64_t[]){ p->raw_before, p->before }, 2,
			 changes, 2) < 0)
		goto rollback;
	if (sdb_commit(&s->db) < 0) {
		store_error(s, "pruning edges");
		goto rollback;
	}
	p->sum.raw += changes[0];
	p->sum.days += changes[1];
	return 0;
rollback:
	sdb_rollback(&s->db);
	return -1;
}

int store_prune(struct store *s, int64_t raw_before, int64_t before,
		struct store_pruned *out)
{
	struct prune p = { raw_before, before, { 0 } };

	/* A cluster store: each node's rows as its own database's. */
	if (!sdb_is_sqlite(&s->db) ? store_each_node(s, prune_one, &p) < 0
				   : prune_one(s, &p) < 0)
		return -1;
	if (out != NULL)
		*out = p.sum;
	return 0;
}

int store_put_stats(struct store *s, const struct store_stat *stats, size_t n,
		    int64_t now)
{
	struct sdb_stmt *st = s->stats_put;

	if (store_exec(s, "BEGIN IMMEDIATE", "writing counters") < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		int rc;

		sdb_reset(st);
		rc = sdb_bind_text(st, 1, stats[i].name);
		rc = rc ?: sdb_bind_int64(st, 2, stats[i].value);
		rc = rc ?: sdb_bind_int64(st, 3, now);
		if (store_put(s, st, rc, "writing counters") < 0)
			goto rollback;
	}
	if (store_exec(s, "COMMIT", "writing counters") < 0)
		goto rollback;
	return 0;
rollback:
	sdb_rollback(&s->db);
	return -1;
}

int store_meta_set(struct store *s, const char *key, const char *value)
{
	struct sdb_stmt *st = s->meta_set;
	int rc;

	sdb_reset(st);
	rc = sdb_bind_text(st, 1, key);
	rc = rc ?: sdb_bind_text(st, 2, value);
	return store_put(s, st, rc, "writing metadata");
}

int store_meta_get(struct store *s, const char *key, char **value)
{
	struct sdb_stmt *st = s->meta_get;
	char *copy = NULL;
	int rc;

	sdb_reset(st);
	sdb_bind_text(st, 1, key);
	rc = sdb_step(st);
	if (rc == SDB_ROW) {
		copy = strdup(sdb_column_text(st, 0));
		if (copy == NULL) {
			sdb_reset(st);
			errmsg_set("%s: out of memory", s->path);
			return -1;
		}
	} else if (rc != SDB_DONE) {
		sdb_reset(st);
		store_error(s, "reading metadata");
		return -1;
	}
	sdb_reset(st);
	*value = copy;
	return 0;
}

int store_count_unstarted(struct store *s, int64_t since, int64_t until,
			  int64_t *n)
{
	const char *sql = sql_edge_count_unstarted;
	struct sdb_stmt *st = NULL;
	int rc = -1;

	if (sdb_prepare(&s->db, sql, &st, NULL) < 0 ||
	    sdb_bind_int64(st, 1, since) < 0 ||
	    sdb_bind_int64(st, 2, until) < 0 ||
	    sdb_step(st) != SDB_ROW)
		goto dberr;
	*n = sdb_column_int64(st, 0);
	rc = 0;
	goto out;
dberr:
	store_error(s, "counting edges without start times");
out:
	sdb_finalize(st);
	return rc;
}
