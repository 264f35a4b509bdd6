/*
 * cluster: the cluster store in PostgreSQL (libpq), where every node's
 * raw rows come together: `policygen ship` writes them there.
 *
 * Its schema is sql/pg/migrations/, applied by cluster_open() in one
 * transaction, under a lock, when the database is older; a database
 * newer than this program is refused.
 */
#ifndef PODFLOW_CLUSTER_H
#define PODFLOW_CLUSTER_H

#include <stddef.h>
#include <stdint.h>

#include "podflow/store_read.h"

struct cluster;

/* Whether text names a PostgreSQL database (postgresql:// or postgres://). */
int cluster_is_uri(const char *text);

/*
 * Connects to the database at uri and brings its schema up to date.
 * Returns 0 and an owned handle in *ret (cluster_close() it), or -1 with
 * errmsg (the server's message, the password left out of the URI shown).
 */
int cluster_open(const char *uri, struct cluster **ret);

/* NULL is a no-op. */
void cluster_close(struct cluster *c);

/* The schema version of the database (after cluster_open()'s migrations). */
int cluster_schema_version(const struct cluster *c);

/*
 * The last flush number of node whose rows the database holds, into *seq
 * (-1: none yet).  Returns 0, or -1 with errmsg.
 */
int cluster_shipped(struct cluster *c, const char *node, int64_t *seq);

/*
 * Writes rows[0..n) of node, the node's current totals, replacing what it
 * shipped of them before, and its mark upto, in one transaction: all of
 * it or none.  Returns 0, or -1 with errmsg (nothing written).
 */
int cluster_ship(struct cluster *c, const char *node,
		 const struct store_changed_row *rows, size_t n, int64_t upto);

#endif
