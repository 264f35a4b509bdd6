/*
 * nodes: a cluster store's nodes one at a time (store_int.h), for what
 * works on one node's rows as on one node's database: resolution,
 * retention.
 */
#include <stdlib.h>
#include <string.h>

#include "podflow/errmsg.h"
#include "podflow/grow.h"
#include "podflow/store.h"
#include "store_int.h"

/* The names a statement gives, owned. */
struct names {
	char **v;
	size_t n, cap;
};

static int add_name(struct sdb_stmt *st, void *ctx)
{
	struct names *l = ctx;
	const char *name = sdb_column_text(st, 0);
	char *copy;

	if (GROW(l->v, l->cap, l->n + 1) < 0 ||
	    (copy = strdup(name != NULL ? name : "")) == NULL) {
		errmsg_set("out of memory");
		return -1;
	}
	l->v[l->n++] = copy;
	return 0;
}

/* Makes node the one whose rows s reads and writes. */
static int set_node(struct store *s, const char *node)
{
	if (sdb_set_scope(store_sdb(s), node) < 0) {
		errmsg_set("%s: out of memory", store_filename(s));
		return -1;
	}
	return 0;
}

int store_node_names(struct store *s, char ***names, size_t *n)
{
	struct names l = { 0 };

	if (store_query_all(s, "SELECT name FROM cluster_node ORDER BY name",
			    add_name, &l) < 0) {
		while (l.n > 0)
			free(l.v[--l.n]);
		free(l.v);
		return -1;
	}
	*names = l.v;
	*n = l.n;
	return 0;
}

int store_each_node(struct store *s, int (*fn)(struct store *s, void *ctx),
		    void *ctx)
{
	char **v = NULL, *own = NULL;
	size_t n = 0;
	int rc = -1;

	if (store_sdb(s)->scope != NULL &&
	    (own = strdup(store_sdb(s)->scope)) == NULL) {
		errmsg_set("out of memory");
		return -1;
	}
	if (store_node_names(s, &v, &n) < 0)
		goto out;
	rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++)
		if (set_node(s, v[i]) < 0 || fn(s, ctx) < 0)
			rc = -1;
	/* The handle's own node again, whatever happened. */
	if (set_node(s, own) < 0)
		rc = -1;
out:
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
	free(own);
	return rc;
}
