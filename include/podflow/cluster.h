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
 * Node's mark: the last flush number whose rows the database holds, into
 * *seq (-1: none yet), and the id of the node database it counts in, an
 * owned string (free() it) or NULL.  Returns 0, or -1 with errmsg.
 */
int cluster_shipped(struct cluster *c, const char *node, int64_t *seq,
		    char **database_id);

/*
 * Writes rows[0..n) of node, the node's current totals, read from the
 * flushes above after up to upto of database database_id, replacing what
 * was shipped of them before, and the mark upto, in one transaction: all
 * of it or none.  The addresses and routes they name are added first, on
 * their own.  Refused (nothing written) when the node's mark is not
 * after (another ship of the node ran meanwhile) or counts in another
 * database.  Returns 0, or -1 with errmsg.
 */
int cluster_ship(struct cluster *c, const char *node, const char *database_id,
		 int64_t after, const struct store_changed_row *rows, size_t n,
		 int64_t upto);

/*
 * Records meta key of node's database with its value, a setting that
 * reading the node's rows needs (time_bucket_seconds, pod_cidrs), as the
 * node's own.  Returns 0, or -1 with errmsg.
 */
int cluster_put_setting(struct cluster *c, const char *node, const char *key,
			const char *value);

/*
 * Records how node's shipper fares: the attempts that failed since it
 * started, and the flushes of the node not in the cluster store yet.
 * Returns 0, or -1 with errmsg.
 */
int cluster_put_status(struct cluster *c, const char *node, int64_t failures,
		       int64_t lag);

/* A node's shipping as its shipper last recorded it (ship_state). */
struct cluster_node_state {
	const char *node;
	int64_t shipped_seq; /* the last flush whose rows are there; -1: none */
	int64_t rows;	     /* rows sent, over every run */
	int64_t updated;     /* the last batch's time (Unix seconds) */
	int64_t failures;    /* failed attempts since its shipper started */
	int64_t lag;	     /* flushes not there yet at the last pass */
};

struct store;

/*
 * Each node's shipping in the cluster store of s, by node name, to fn
 * (strings valid during the call).  Returns 0, or -1 with errmsg (fn's).
 */
int cluster_store_ship_states(struct store *s,
			      int (*fn)(const struct cluster_node_state *st,
					void *ctx),
			      void *ctx);

/*
 * Opens the cluster store at uri as a store (store.h) that reads and
 * writes as the database of node would: the cluster's inventory and
 * reviews, and node's own rows (NULL or "": no node's, for an import or
 * a review).  Its schema is brought up to date first.  flags as
 * store_open()'s.  Returns 0 and an owned store in *ret (store_close()
 * it), or -1 with errmsg (never the password).
 */
int cluster_store_open(const char *uri, const char *node, unsigned int flags,
		       struct store **ret);

/*
 * cluster_store_open() of node on the connection of s, another store of
 * the same cluster store (its schema up to date already): statements of
 * the two run one after the other, a transaction open on either is
 * both's.  Returns 0 and an owned store in *ret (store_close() it; the
 * connection closes with the last store on it), or -1 with errmsg.
 */
int cluster_store_open_node(struct store *s, const char *node,
			    unsigned int flags, struct store **ret);

/*
 * The nodes whose rows the cluster store of s holds, by name: an owned
 * array of n owned strings (free() each and it).  Returns 0, or -1 with
 * errmsg.
 */
int cluster_store_nodes(struct store *s, char ***names, size_t *n);

#endif
