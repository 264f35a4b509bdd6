/*
 * store_pg: a store (store.h) on the cluster store in PostgreSQL, as
 * policygen opens it (cluster.h).  One handle reads or writes what one
 * node's database would hold: the cluster's inventory and reviews, and
 * that node's rows (sql/pg/migrations/002_store.sql).
 */
#include <stdlib.h>
#include <string.h>

#include "podflow/cluster.h"
#include "podflow/errmsg.h"
#include "podflow/store.h"
#include "sdb_pg.h"
#include "store_int.h"

int cluster_store_open(const char *uri, const char *node, unsigned int flags,
		       struct store **ret)
{
	char where[256];
	struct sdb db;
	int version;

	*ret = NULL;
	sdb_pg_describe(uri, where, sizeof(where));
	if (sdb_pg_connect(&db, uri, where) < 0)
		return -1;
	/*
	 * Every handle migrates: a reader of a new cluster store finds the
	 * tables, empty, and says what is missing as it would of a file.
	 */
	if (sdb_pg_migrate(&db, where, 0, &version) < 0)
		goto err;
	if (sdb_set_scope(&db, node) < 0) {
		errmsg_set("%s: out of memory", where);
		goto err;
	}
	return store_open_backend(&db, where, flags, ret);
err:
	sdb_close(&db);
	return -1;
}

int cluster_store_open_node(struct store *s, const char *node,
			    unsigned int flags, struct store **ret)
{
	struct sdb db;

	*ret = NULL;
	if (sdb_pg_share(&db, store_sdb(s)) < 0)
		return -1;
	if (sdb_set_scope(&db, node) < 0) {
		errmsg_set("%s: out of memory", store_filename(s));
		sdb_close(&db);
		return -1;
	}
	return store_open_backend(&db, store_filename(s), flags, ret);
}

int cluster_store_nodes(struct store *s, char ***names, size_t *n)
{
	return store_node_names(s, names, n);
}

struct ship_read {
	int (*fn)(const struct cluster_node_state *st, void *ctx);
	void *ctx;
};

static int ship_row(struct sdb_stmt *st, void *ctx)
{
	const struct ship_read *r = ctx;
	const struct cluster_node_state v = {
		.node = sdb_column_text(st, 0),
		.shipped_seq = sdb_column_int64(st, 1),
		.rows = sdb_column_int64(st, 2),
		.updated = sdb_column_int64(st, 3),
		.failures = sdb_column_int64(st, 4),
		.lag = sdb_column_int64(st, 5),
	};

	return r->fn(&v, r->ctx);
}

int cluster_store_ship_states(struct store *s,
			      int (*fn)(const struct cluster_node_state *st,
					void *ctx),
			      void *ctx)
{
	struct ship_read r = { fn, ctx };

	return store_query_all(s,
			       "SELECT node, shipped_seq, rows, updated, "
			       "failures, lag FROM ship_state ORDER BY node",
			       ship_row, &r);
}
