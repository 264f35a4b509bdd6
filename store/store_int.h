/*
 * store_int: what the store's own files share (store.c, resolve.c,
 * inventory.c, the readers); nothing outside store/ includes it.
 */
#ifndef PODFLOW_STORE_INT_H
#define PODFLOW_STORE_INT_H

#include <stddef.h>
#include <stdint.h>

#include "podflow/store_read.h"
#include "sdb.h"

struct store;

/* The database behind s, for sdb.h's calls. */
struct sdb *store_sdb(struct store *s);

/*
 * A store on db, a backend's database already connected and at today's
 * schema, which messages call name: db's connection is the store's
 * (db is left empty).  Only what the readers and policygen's writers
 * (import, review) run is prepared: podflowd writes SQLite alone.
 * Returns 0, or -1 with errmsg (db closed).
 */
int store_open_backend(struct sdb *db, const char *name, unsigned int flags,
		       struct store **ret);

/*
 * The names of the nodes whose rows the cluster store of s holds, sorted:
 * an owned array of *n owned strings.  Returns 0, or -1 with errmsg.
 */
int store_node_names(struct store *s, char ***names, size_t *n);

/*
 * fn(s, ctx) for each node of the cluster store s, s made that node's
 * (its rows the views show) for the call, and the handle's own node
 * again after.  Stops at the first that fails.  Returns 0, or -1 with
 * errmsg (fn's).
 */
int store_each_node(struct store *s, int (*fn)(struct store *s, void *ctx),
		    void *ctx);

/* Whether a transaction is open on s (a reader's snapshot, say). */
int store_in_transaction(struct store *s);

/*
 * The first schema with resolved edges (edge_day) and ids for addresses
 * and routes; a read-only handle on an older one reads them through
 * temporary views.
 */
#define STORE_RESOLVED_VERSION 8

/* The first schema that sums whole weeks of resolved days (edge_week). */
#define STORE_WEEK_VERSION 10

/*
 * Runs every statement of sql in turn, binding args[0..n) to the
 * parameters ?1..?n each has, and stores the rows the first n_changes
 * statements changed in changes[0..n_changes).  Stops at the first that
 * fails: -1 with errmsg naming the file.
 */
int store_script(struct store *s, const char *sql, const int64_t *args,
		 size_t n, int64_t *changes, size_t n_changes);

/* query.c: the readers' statements (store_read.h). */

/*
 * Prepares sql on s into *st.  Returns 0, or -1 with errmsg naming the
 * file (and *st NULL).
 */
int store_query(struct store *s, const char *sql, struct sdb_stmt **st);

/*
 * Steps st to its end, handing each row to row(st, ctx), which returns 0
 * to go on or -1 to stop with its errmsg (row NULL: the rows are not
 * wanted).  Leaves st to the caller, to
 * finalize or reset.  Returns 0, or -1: row's, or with errmsg naming the
 * file.
 */
int store_query_rows(struct store *s, struct sdb_stmt *st,
		     int (*row)(struct sdb_stmt *st, void *ctx), void *ctx);

/* A parameter of a statement: NULL, an integer, or text. */
enum store_param_type { STORE_PARAM_NULL, STORE_PARAM_INT, STORE_PARAM_TEXT };

struct store_param {
	enum store_param_type type;
	int64_t i;
	const char *s;
};

#define STORE_INT(x) ((struct store_param){ STORE_PARAM_INT, (x), NULL })
/* Text; NULL binds NULL. */
#define STORE_TEXT(x)                                                    \
	((struct store_param){ (x) ? STORE_PARAM_TEXT : STORE_PARAM_NULL, 0, \
			       (x) })

/*
 * Resets st and binds params[0..n) to its ?1..?n, text copied; a
 * statement with fewer parameters takes the first (one statement of a
 * script of several).  Returns 0, or -1 with errmsg naming the file.
 */
int store_bind(struct store *s, struct sdb_stmt *st,
	       const struct store_param *params, size_t n);

/*
 * store_query() and store_query_rows() of sql with params[0..n) bound to
 * ?1..?n (store_bind()), and its end.  Returns as store_query_rows().
 */
int store_query_bound(struct store *s, const char *sql,
		      const struct store_param *params, size_t n,
		      int (*row)(struct sdb_stmt *st, void *ctx), void *ctx);

/*
 * The one integer sql gives (its first column of its one row), with
 * params[0..n) bound, into *out.  Returns 0, or -1 with errmsg (no row).
 */
int store_query_int(struct store *s, const char *sql,
		    const struct store_param *params, size_t n, int64_t *out);

/* store_query_bound() of sql, a statement without parameters. */
int store_query_all(struct store *s, const char *sql,
		    int (*row)(struct sdb_stmt *st, void *ctx), void *ctx);

/* The text of column i of st's row; NULL for NULL. */
static inline const char *store_column_text(struct sdb_stmt *st, int i)
{
	return sdb_column_text(st, i);
}

/*
 * read_inventory.c: a workload from the row st is on, whose columns begin
 * as generate_workloads.sql's (namespace, kind, name, selector, source,
 * host_network); its strings are SQLite's, valid until st steps.
 */
struct store_workload store_workload_at(struct sdb_stmt *st);

/* How many columns store_workload_at() reads. */
#define STORE_WORKLOAD_COLUMNS 6

#endif
