/*
 * sdb_pg: PostgreSQL as an sdb.h database (libpq).  Only what links
 * libpq (policygen) calls these.
 */
#ifndef PODFLOW_SDB_PG_H
#define PODFLOW_SDB_PG_H

#include <stddef.h>

#include "sdb.h"

/* Whether text names a PostgreSQL database (postgresql:// or postgres://). */
int sdb_pg_is_uri(const char *text);

/*
 * The database at uri as messages name it, into buf: user, host, port
 * and database name, never a password (user:PASSWORD@ or ?password=).
 */
void sdb_pg_describe(const char *uri, char *buf, size_t len);

/*
 * Connects db (its fields all set anew) to uri.  Returns 0 (sdb_close()
 * it), or -1 with errmsg naming where.
 */
int sdb_pg_connect(struct sdb *db, const char *uri, const char *where);

/*
 * Applies the cluster schema's migrations (sql/pg/migrations/) the
 * database lacks, in one transaction under a lock, or refuses a database
 * newer than this program, unless it is shipping (nonzero) and the
 * database still takes rows from a shipper this old (ship_compatible in
 * pg_meta); the version it is at into *version.  Returns 0, or -1 with
 * errmsg naming where.
 */
int sdb_pg_migrate(struct sdb *db, const char *where, int shipping,
		   int *version);

/*
 * db (its fields all set anew) on the connection of with, another
 * PostgreSQL database: statements run on it one at a time, each in db's
 * scope; a transaction begun on either is both's.  The connection is
 * closed with the last of them.  Returns 0, or -1 with errmsg.
 */
int sdb_pg_share(struct sdb *db, struct sdb *with);

/* db's PGconn, for libpq's own calls (the shipper's pipeline). */
void *sdb_pg_conn(struct sdb *db);

#endif
