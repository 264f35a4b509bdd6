/*
 * flow_merge: the flows of several databases read as one (store_read.h:
 * store_read_merged_flows()): the nodes' files of a cluster, or the nodes
 * of a cluster store, where the client's node and the server's each
 * recorded a connection and it must count once.
 *
 * Each database's rows come in store_flows_next()'s order (day, client,
 * server, protocol, port), so the rows of one connection are the next
 * rows of every database at once: they are merged as they are read,
 * never held beyond one connection's.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "podflow/count.h"
#include "podflow/errmsg.h"
#include "podflow/grow.h"
#include "podflow/store_read.h"
#include "podflow/strmap.h"
#include "store_int.h"

/* One connection's rows, their strings copied into strs. */
struct group {
	struct strmap strs;
	struct store_flow *rows;
	size_t *dbs;
	size_t n, cap, cap_dbs;
};

static int keep_str(struct group *g, const char **s)
{
	struct strmap_slot *slot;

	if (*s == NULL)
		return 0;
	if ((slot = strmap_slot(&g->strs, *s)) == NULL)
		return -1;
	*s = slot->key;
	return 0;
}

static int add_row(struct group *g, size_t db, const struct store_flow *r)
{
	struct store_flow *f;

	if (GROW(g->rows, g->cap, g->n + 1) < 0 ||
	    GROW(g->dbs, g->cap_dbs, g->n + 1) < 0)
		return -1;
	f = &g->rows[g->n];
	*f = *r;
	{
		const char **strs[] = {
			&f->client_ip,	       &f->server_ip,
			&f->protocol,	       &f->client_nat_ip,
			&f->src.uid,	       &f->src.namespace,
			&f->src.kind,	       &f->src.name,
			&f->src.node,	       &f->dst.uid,
			&f->dst.namespace,     &f->dst.kind,
			&f->dst.name,	       &f->dst.node,
			&f->service_namespace, &f->service_name,
			&f->service_ip,
		};

		for (size_t i = 0; i < sizeof(strs) / sizeof(*strs); i++)
			if (keep_str(g, strs[i]) < 0)
				return -1;
	}
	g->dbs[g->n++] = db;
	return 0;
}

/* A connection: a day, client, server, protocol and port. */
static int cmp_connection(const struct store_flow *x,
			  const struct store_flow *y)
{
	int c;

	if (x->day != y->day)
		return x->day < y->day ? -1 : 1;
	if ((c = strcmp(x->client_ip, y->client_ip)) != 0 ||
	    (c = strcmp(x->server_ip, y->server_ip)) != 0 ||
	    (c = strcmp(x->protocol, y->protocol)) != 0)
		return c;
	return x->server_port - y->server_port;
}

/* The database whose next row comes first, -1 when none is left. */
static ssize_t next_db(const struct store_flow *cur, const int *live,
		       size_t n)
{
	ssize_t m = -1;

	for (size_t db = 0; db < n; db++)
		if (live[db] &&
		    (m < 0 || cmp_connection(&cur[db], &cur[m]) < 0))
			m = (ssize_t)db;
	return m;
}

/*
 * Of one connection's rows, by database, the database whose rows stand
 * for it: the one that saw the Service (DNAT happens on the client's
 * node), else the one that counted most; the first of a tie.
 */
static size_t keep_db(const struct group *g)
{
	size_t keep = g->dbs[0];
	int64_t best = -1;
	int best_svc = 0;

	for (size_t k = 0; k < g->n;) {
		size_t m = k;
		int64_t conns = 0;
		int svc = 0;

		while (m < g->n && g->dbs[m] == g->dbs[k]) {
			conns = count_add(conns, g->rows[m].connections);
			svc |= g->rows[m].service_port > 0;
			m++;
		}
		if (svc > best_svc || (svc == best_svc && conns > best)) {
			best = conns;
			best_svc = svc;
			keep = g->dbs[k];
		}
		k = m;
	}
	return keep;
}

static int same_text(const char *a, const char *b)
{
	return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* Whether two rows credit the same ends, and so say the same of them. */
static int same_ends(const struct store_flow *a, const struct store_flow *b)
{
	return same_text(a->src.namespace, b->src.namespace) &&
	       same_text(a->src.kind, b->src.kind) &&
	       same_text(a->src.name, b->src.name) &&
	       same_text(a->dst.namespace, b->dst.namespace) &&
	       same_text(a->dst.kind, b->dst.kind) &&
	       same_text(a->dst.name, b->dst.name) &&
	       same_text(a->client_nat_ip, b->client_nat_ip);
}

/*
 * Row i's first sighting by any database: the node whose rows are kept
 * may have started recording later than the other.
 */
static int64_t first_any(const struct group *g, size_t i)
{
	int64_t first = g->rows[i].first_seen;

	for (size_t j = 0; j < g->n; j++)
		if (g->dbs[j] != g->dbs[i] &&
		    same_ends(&g->rows[j], &g->rows[i]) &&
		    g->rows[j].first_seen < first)
			first = g->rows[j].first_seen;
	return first;
}

int store_read_merged_flows(struct store *const *stores, size_t n,
			    int64_t since, int64_t until,
			    store_merged_flow_fn fn, void *ctx)
{
	struct store_flows **c = calloc(n, sizeof(*c));
	struct store_flow *cur = calloc(n, sizeof(*cur));
	int *live = calloc(n, sizeof(*live));
	struct group g = { .strs = STRMAP_INIT };
	ssize_t m;
	int rc = -1;

	if (c == NULL || cur == NULL || live == NULL)
		goto oom;
	for (size_t db = 0; db < n; db++)
		if (store_flows_open(stores[db], since, until, &c[db]) < 0 ||
		    (live[db] = store_flows_next(c[db], &cur[db])) < 0)
			goto out;
	while ((m = next_db(cur, live, n)) >= 0) {
		struct store_flow key = cur[m];
		size_t keep;

		/* The key outlives the row it came from. */
		if (keep_str(&g, &key.client_ip) < 0 ||
		    keep_str(&g, &key.server_ip) < 0 ||
		    keep_str(&g, &key.protocol) < 0)
			goto oom;
		/* The connection's rows, by database, as they came. */
		g.n = 0;
		for (size_t db = 0; db < n; db++) {
			while (live[db] &&
			       cmp_connection(&cur[db], &key) == 0) {
				if (add_row(&g, db, &cur[db]) < 0)
					goto oom;
				if ((live[db] = store_flows_next(c[db],
								 &cur[db])) < 0)
					goto out;
			}
		}
		keep = keep_db(&g);
		for (size_t i = 0; i < g.n; i++)
			if (g.dbs[i] == keep &&
			    fn(&g.rows[i], keep, first_any(&g, i), ctx) < 0)
				goto out;
	}
	rc = 0;
	goto out;
oom:
	errmsg_set("out of memory");
out:
	for (size_t db = 0; c != NULL && db < n; db++)
		store_flows_close(c[db]);
	free(c);
	free(cur);
	free(live);
	free(g.rows);
	free(g.dbs);
	strmap_free(&g.strs);
	return rc;
}
