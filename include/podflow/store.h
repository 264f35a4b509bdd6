/*
 * store: the SQLite database shared by podflowd (writer) and policygen
 * (reader, inventory writer).
 *
 * The store owns the schema: numbered migrations from sql/migrations/,
 * embedded at build time and tracked by PRAGMA user_version (today's
 * schema in one file: sql/schema.sql).  It knows nothing of netlink or
 * YAML; callers hand it plain records.
 */
#ifndef PODFLOW_STORE_H
#define PODFLOW_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "podflow/addr.h"

/* SQLite's handle (sqlite3.h), for store_db() alone. */
struct sqlite3;

/* Where both programs look when neither --db nor PODFLOW_DB says. */
#define STORE_DEFAULT_PATH "/var/lib/podflow/podflow.db"
#define STORE_ENV_PATH "PODFLOW_DB"

/* PRAGMA application_id of a podflow database: "podf". */
#define STORE_APPLICATION_ID 0x706f6466

/* store_open() flags. */
#define STORE_READONLY 0x1 /* never write, never migrate */

/* A byte or packet count the kernel did not report. */
#define STORE_UNKNOWN (-1)

/*
 * One aggregated edge in one time bucket, as podflowd folds it in memory.
 * Ports are in host byte order.  service and client_nat have family 0
 * when no NAT changed that side.
 */
struct store_edge {
	int64_t bucket; /* start of the time bucket, Unix seconds */
	struct addr client;
	struct addr server;
	struct addr service;
	struct addr client_nat;
	uint16_t server_port;
	uint16_t service_port;
	uint8_t protocol; /* IPPROTO_* */
	/*
	 * The earliest start of its connections; when it counts none (it
	 * only extends connections counted before), when it was seen.
	 */
	int64_t first_seen;
	int64_t last_seen;
	/*
	 * The latest start of its connections, what attribution to a reused
	 * address goes by.  STORE_UNKNOWN for an edge that only extends
	 * connections counted before (their ends, a re-report), and for one
	 * that counts a connection whose start is not known: the row then
	 * keeps the bucket rule.
	 */
	int64_t last_start;
	int64_t connections;
	int64_t orig_bytes; /* STORE_UNKNOWN when not accounted */
	int64_t orig_packets;
	int64_t reply_bytes;
	int64_t reply_packets;
};

struct store;

/*
 * The database path in force: cli_path if not NULL, else $PODFLOW_DB if
 * set and not empty, else STORE_DEFAULT_PATH.  Returns a pointer to one of
 * those strings; nothing to free.
 */
const char *store_path(const char *cli_path);

/*
 * Opens the database at path.  Read-write (the default) creates the file
 * if needed, switches it to WAL and applies pending migrations in one
 * transaction.  STORE_READONLY opens an existing database and never
 * writes; it refuses schema versions it cannot read.
 *
 * Refuses, leaving the file as it was: a file that is not SQLite, an SQLite
 * database that is not podflow's, a schema newer than this build knows,
 * a path that cannot be opened for writing.
 *
 * On success stores an owned handle in *ret (free with store_close()) and
 * returns 0; on failure returns -1 with a message naming path in errmsg.
 */
int store_open(const char *path, unsigned int flags, struct store **ret);

/* Closes the handle and frees it.  NULL is a no-op. */
void store_close(struct store *s);

/* The schema version this build creates and migrates to. */
int store_schema_latest(void);

/*
 * Whether a and b hold one inventory: the same store, or two nodes of one
 * cluster store (cluster.h).  Two SQLite files never do, even when the
 * same snapshot was imported into both.
 */
int store_same_inventory(const struct store *a, const struct store *b);

/* The schema version of the open database. */
int store_schema_version(const struct store *s);

/* The path the handle was opened with.  Owned by the store. */
const char *store_filename(const struct store *s);

/*
 * The SQLite handle, for the store's own files, tests and tools only:
 * programs read and write through the functions of this header and
 * store_read.h, which own their SQL, so that another database can sit
 * behind them.  Owned by the store; do not close it.
 */
struct sqlite3 *store_db(struct store *s);

/*
 * Folds n edges into the database in one transaction: an edge already
 * stored for the same bucket adds its counts and widens its first/last
 * seen and last start (sql/queries/store/edge_upsert.sql).  On failure (a
 * full disk, say) nothing of the batch is written, the caller still owns
 * the batch and may retry; returns -1 with errmsg.
 */
int store_flush_edges(struct store *s, const struct store_edge *edges,
		      size_t n);

/*
 * store_flush_edges(), and with counted_before not 0 (Unix nanoseconds)
 * in the same transaction podflowd's mark (meta collector_counted_before):
 * every connection that started before it is counted in the database, so
 * that the next podflowd does not count again those it finds open.  The
 * database only grows: a mark stays true, and 0 leaves it as it is.  With
 * no edges, the mark alone.  store_flush_edges() is this with 0.
 */
int store_flush_counted(struct store *s, const struct store_edge *edges,
			size_t n, int64_t counted_before);

/*
 * The last mark store_flush_counted() wrote, into *ns (0: none).  Returns
 * 0, or -1 with errmsg (*ns untouched).
 */
int store_counted_before(struct store *s, int64_t *ns);

/* What store_prune() deleted. */
struct store_pruned {
	int64_t raw;  /* raw rows (edge) */
	int64_t days; /* resolved rows (edge_day) */
};

/*
 * Retention, in one transaction (sql/queries/store/edge_prune.sql): the
 * raw rows last seen before raw_before that are resolved, and the
 * resolved days that ended before before (Unix seconds).  A database
 * without an inventory resolves nothing: its raw rows are the only
 * record, and go at before.  Stores what went in *out if not NULL;
 * returns 0, or -1 with errmsg (and nothing deleted).
 */
int store_prune(struct store *s, int64_t raw_before, int64_t before,
		struct store_pruned *out);

/* What store_resolve() did. */
struct store_resolved {
	int64_t until;	     /* raw rows before it are resolved (0: none) */
	int64_t redone_from; /* days from it were resolved again (0: none) */
	int64_t rows;	     /* day rows written or added to */
	int more;	     /* hours are left (store_resolve_some()) */
};

/*
 * Resolves the raw rows the inventory covers into the kept day rows
 * (edge_day): the whole hours from meta resolved_until up to the
 * inventory's time (or now, if earlier), and the late changes to rows
 * already resolved (edge_late).  A kept day whose inventory a later
 * import changed is resolved again first, while its raw rows are all
 * kept.  A transaction an hour, so that the write lock is never held
 * long; each leaves the kept rows and resolved_until agreeing.
 * Incremental and idempotent: a second call with nothing new writes
 * nothing.  Without an inventory, nothing is resolved.  Stores what it
 * did in *out if not NULL; returns 0, or -1 with errmsg (the hours
 * before the one that failed stay resolved).
 */
int store_resolve(struct store *s, int64_t now, struct store_resolved *out);

/*
 * store_resolve(), at most max_hours hours of raw rows (one transaction
 * each), for a caller with other work between (podflowd's event loop):
 * out->more says hours are left.
 */
int store_resolve_some(struct store *s, int64_t now, int max_hours,
		       struct store_resolved *out);

/*
 * Copies the WAL into the database and truncates it, so that the WAL of
 * a database written for months stays small.  Returns 0, 1 when readers
 * kept it from completing (try again later), or -1 with errmsg.
 */
int store_checkpoint(struct store *s);

/*
 * Copies what it can of the WAL into the database, waiting on no one.
 * Returns 1 when frames are left that a reader still needs (it holds a
 * transaction open), 0 when none are, or -1 with errmsg.
 */
int store_checkpoint_passive(struct store *s);

/*
 * Has fn(ctx) called now and then while a statement of s runs (every few
 * thousand steps of SQLite's machine), for a command to show that a long
 * read is under way; fn returns 0 to go on.  fn NULL: no more calls.
 */
void store_set_progress(struct store *s, int (*fn)(void *ctx), void *ctx);

/*
 * For code that runs its own statements on store_db(): sets errmsg to
 * "FILE: what SQLite said of the last call" and returns -1.
 */
int store_db_error(struct store *s);

/* The database's size on disk, its WAL included, in bytes. */
int64_t store_disk_bytes(const struct store *s);

/* The WAL's size on disk in bytes; 0 when there is none. */
int64_t store_wal_bytes(const struct store *s);

/*
 * The edge rows of the window [since, until) without start times, into
 * *n: flow_resolved credits them to every holder of an address during
 * their whole time bucket.  Rows written before schema 7 (all of them on
 * an older read-only database), rows with a connection whose start the
 * kernel did not tell (first seen in a table dump or at its end, without
 * conntrack timestamps), and rows holding only the ends of connections
 * counted in a row since pruned.  Returns 0 or -1.
 */
int store_count_unstarted(struct store *s, int64_t since, int64_t until,
			  int64_t *n);

/* One named counter of podflowd's, for store_put_stats(). */
struct store_stat {
	const char *name;
	int64_t value;
};

/*
 * Writes n counters, stamped with now, in one transaction.  Returns 0, or
 * -1 with errmsg.
 */
int store_put_stats(struct store *s, const struct store_stat *stats, size_t n,
		    int64_t now);

/* Sets meta key to value (both copied).  Returns 0 or -1. */
int store_meta_set(struct store *s, const char *key, const char *value);

/*
 * Looks meta key up.  Stores an owned copy in *value (free() it), or NULL
 * when the key is absent.  Returns 0 or -1.
 */
int store_meta_get(struct store *s, const char *key, char **value);

#endif
