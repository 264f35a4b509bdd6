/*
 * read_flows: the resolved flows as policygen's flows and workloads
 * commands read them (store_read.h), added up by names.
 *
 * Both start from generate's read of one database (flow_window.c): the
 * window's resolved edges added up by edge, pods and Service, an edge
 * once however many days it spans.  What is left is fewer rows than the
 * window has edges, so they are added up again here, by the names the
 * command shows, with a sort: SQL's GROUP BY over the named rows would
 * first name and sort every row of every day.
 */
#include <stdlib.h>
#include <string.h>

#include "podflow/errmsg.h"
#include "podflow/grow.h"
#include "podflow/store_read.h"
#include "podflow/strmap.h"
#include "sql.h"
#include "store_int.h"

/*
 * A row's strings live no longer than the read that gave it (SQLite's,
 * on a schema before 8, until the next row): what is kept past the read
 * is copied, once each, into strs.
 */
static int keep(struct strmap *strs, const char **s)
{
	struct strmap_slot *slot;

	if (*s == NULL)
		return 0;
	if ((slot = strmap_slot(strs, *s)) == NULL)
		return -1;
	*s = slot->key;
	return 0;
}

/* NULL first, as SQL orders. */
static int cmp_text(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return (a != NULL) - (b != NULL);
	return strcmp(a, b);
}

static int same_text(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcmp(a, b) == 0;
}

/* What flows adds up, and its filters. */
struct sums {
	const char *file; /* the database's, for errmsg */
	const char *ns, *workload; /* NULL: any */
	struct strmap strs;
	struct store_flow_sum *rows;
	size_t n, cap;
};

/* An end as flows shows it: its workload, else its node, else its address. */
static void sum_end(const struct store_flow_end *e, const char *ip,
		    struct store_flow_end *out, const char **out_ip)
{
	*out = (struct store_flow_end){
		.namespace = e->namespace,
		.kind = e->kind,
		.name = e->name,
		.node = e->name == NULL ? e->node : NULL,
	};
	*out_ip = e->name == NULL && e->node == NULL ? ip : NULL;
}

/* In namespace ns, and workload there, at either end (NULL: any). */
static int wanted(const struct sums *m, const struct store_flow *f)
{
	const char *ns = m->ns, *w = m->workload;

	if (ns != NULL && !same_text(f->src.namespace, ns) &&
	    !same_text(f->dst.namespace, ns))
		return 0;
	return w == NULL ||
	       (same_text(f->src.name, w) &&
		(ns == NULL || same_text(f->src.namespace, ns))) ||
	       (same_text(f->dst.name, w) &&
		(ns == NULL || same_text(f->dst.namespace, ns)));
}

static int sum_row(const struct store_flow *f, void *ctx)
{
	struct sums *m = ctx;
	struct store_flow_sum *o;

	if (!wanted(m, f))
		return 0;
	if (GROW(m->rows, m->cap, m->n + 1) < 0)
		goto oom;
	o = &m->rows[m->n];
	*o = (struct store_flow_sum){
		.server_port = f->server_port,
		.protocol = f->protocol,
		.service_namespace = f->service_namespace,
		.service_name = f->service_name,
		.connections = f->connections,
		.first_seen = f->first_seen,
		.last_seen = f->last_seen,
		.ambiguous = f->ambiguous,
	};
	sum_end(&f->src, f->client_ip, &o->src, &o->client_ip);
	sum_end(&f->dst, f->server_ip, &o->dst, &o->server_ip);
	{
		const char **strs[] = {
			&o->src.namespace, &o->src.kind,   &o->src.name,
			&o->src.node,	   &o->client_ip,  &o->dst.namespace,
			&o->dst.kind,	   &o->dst.name,   &o->dst.node,
			&o->server_ip,	   &o->protocol,   &o->service_namespace,
			&o->service_name,
		};

		for (size_t i = 0; i < sizeof(strs) / sizeof(*strs); i++)
			if (keep(&m->strs, strs[i]) < 0)
				goto oom;
	}
	m->n++;
	return 0;
oom:
	errmsg_set("%s: out of memory", m->file);
	return -1;
}

/* One end's columns, in flows' order: workload, address, node. */
static int cmp_end(const struct store_flow_end *x, const char *xip,
		   const struct store_flow_end *y, const char *yip)
{
	int c;

	if ((c = cmp_text(x->namespace, y->namespace)) != 0 ||
	    (c = cmp_text(x->kind, y->kind)) != 0 ||
	    (c = cmp_text(x->name, y->name)) != 0 ||
	    (c = cmp_text(xip, yip)) != 0)
		return c;
	return cmp_text(x->node, y->node);
}

static int cmp_sum(const void *a, const void *b)
{
	const struct store_flow_sum *x = a, *y = b;
	int c;

	if ((c = cmp_end(&x->src, x->client_ip, &y->src, y->client_ip)) != 0 ||
	    (c = cmp_end(&x->dst, x->server_ip, &y->dst, y->server_ip)) != 0)
		return c;
	if (x->server_port != y->server_port)
		return x->server_port < y->server_port ? -1 : 1;
	if ((c = cmp_text(x->protocol, y->protocol)) != 0 ||
	    (c = cmp_text(x->service_namespace, y->service_namespace)) != 0)
		return c;
	return cmp_text(x->service_name, y->service_name);
}

/* A row of several databases' merge (flow_merge.c), for row(). */
struct merged {
	store_flow_fn row;
	void *ctx;
};

static int merged_row(const struct store_flow *f, size_t db,
		      int64_t first_any, void *ctx)
{
	const struct merged *m = ctx;

	(void)db;
	(void)first_any;
	return m->row(f, m->ctx);
}

/*
 * generate's flows of stores[0..n) in [since, until) to row(): of one
 * database as it reads them, of several merged, each connection once.
 */
static int read_generate_flows(struct store *const *stores, size_t n,
			       int64_t since, int64_t until,
			       store_flow_fn row, void *ctx)
{
	struct merged m = { row, ctx };

	if (n == 1)
		return store_read_generate_flows(stores[0], since, until, row,
						 ctx);
	return store_read_merged_flows(stores, n, since, until, merged_row,
				       &m);
}

int store_read_flow_sums(struct store *const *stores, size_t n,
			 int64_t since, int64_t until, const char *ns,
			 const char *workload, store_flow_sum_fn fn, void *ctx)
{
	struct sums m = { .file = store_filename(stores[0]),
			  .ns = ns,
			  .workload = workload };
	size_t next;
	int rc = -1;

	if (read_generate_flows(stores, n, since, until, sum_row, &m) < 0)
		goto out;
	if (m.n > 1)
		qsort(m.rows, m.n, sizeof(*m.rows), cmp_sum);
	for (size_t i = 0; i < m.n; i = next) {
		struct store_flow_sum t = m.rows[i];

		for (next = i + 1;
		     next < m.n && cmp_sum(&m.rows[next], &t) == 0; next++) {
			const struct store_flow_sum *r = &m.rows[next];

			if (__builtin_add_overflow(t.connections,
						   r->connections,
						   &t.connections))
				goto overflow;
			if (r->first_seen < t.first_seen)
				t.first_seen = r->first_seen;
			if (r->last_seen > t.last_seen)
				t.last_seen = r->last_seen;
			t.ambiguous |= r->ambiguous;
		}
		if (fn(&t, ctx) < 0)
			goto out;
	}
	rc = 0;
	goto out;
overflow:
	errmsg_set("%s: a flow's connections overflow a 64-bit count: the "
		   "database is damaged",
		   m.file);
out:
	free(m.rows);
	strmap_free(&m.strs);
	return rc;
}

/* A workload's traffic: connections out and in, and the last sighting. */
struct traffic {
	const char *ns, *kind, *name;
	int64_t out, in, last;
};

struct traffics {
	const char *file; /* the database's, for errmsg */
	const char *ns;	  /* the workloads' namespace; NULL: any */
	struct strmap strs;
	struct traffic *t;
	size_t n, cap;
};

/* out and in connections, last seen at last, for the workload of end e. */
static int add_traffic(struct traffics *m, const struct store_flow_end *e,
		       int64_t out, int64_t in, int64_t last)
{
	struct traffic *t;

	/* Not a workload's, or of a namespace not asked for. */
	if (e->name == NULL ||
	    (m->ns != NULL && !same_text(e->namespace, m->ns)))
		return 0;
	if (GROW(m->t, m->cap, m->n + 1) < 0)
		goto oom;
	t = &m->t[m->n];
	*t = (struct traffic){ e->namespace, e->kind, e->name, out, in, last };
	if (keep(&m->strs, &t->ns) < 0 || keep(&m->strs, &t->kind) < 0 ||
	    keep(&m->strs, &t->name) < 0)
		goto oom;
	m->n++;
	return 0;
oom:
	errmsg_set("%s: out of memory", m->file);
	return -1;
}

static int traffic_row(const struct store_flow *f, void *ctx)
{
	struct traffics *m = ctx;

	if (add_traffic(m, &f->src, f->connections, 0, f->last_seen) < 0 ||
	    add_traffic(m, &f->dst, 0, f->connections, f->last_seen) < 0)
		return -1;
	return 0;
}

static int cmp_traffic(const void *a, const void *b)
{
	const struct traffic *x = a, *y = b;
	int c;

	if ((c = cmp_text(x->ns, y->ns)) != 0 ||
	    (c = cmp_text(x->kind, y->kind)) != 0)
		return c;
	return cmp_text(x->name, y->name);
}

/* Every workload's traffic over all time, once each, sorted. */
static int read_traffic(struct store *const *stores, size_t n,
			struct traffics *m)
{
	size_t out = 0;

	if (read_generate_flows(stores, n, INT64_MIN, INT64_MAX, traffic_row,
				m) < 0)
		return -1;
	if (m->n > 1)
		qsort(m->t, m->n, sizeof(*m->t), cmp_traffic);
	for (size_t i = 0; i < m->n; i++) {
		struct traffic *t = &m->t[i], *o = out > 0 ? &m->t[out - 1] : NULL;

		if (o != NULL && cmp_traffic(o, t) == 0) {
			if (__builtin_add_overflow(o->out, t->out, &o->out) ||
			    __builtin_add_overflow(o->in, t->in, &o->in)) {
				errmsg_set("%s: a workload's connections "
					   "overflow a 64-bit count: the "
					   "database is damaged",
					   m->file);
				return -1;
			}
			if (t->last > o->last)
				o->last = t->last;
			continue;
		}
		m->t[out++] = *t;
	}
	m->n = out;
	return 0;
}

struct workload_read {
	const struct traffics *traffic;
	store_workload_fn fn;
	void *ctx;
};

/* Columns of workloads_query.sql after store_workload_at()'s. */
enum { W_NOW = STORE_WORKLOAD_COLUMNS };

static int workload_row(struct sdb_stmt *st, void *arg)
{
	const struct workload_read *r = arg;
	struct store_workload w = store_workload_at(st);
	const struct traffic key = { w.namespace, w.kind, w.name, 0, 0, 0 };
	const struct traffic *t;

	w.pods_now = sdb_column_int64(st, W_NOW);
	t = r->traffic->n == 0 ? NULL
			       : bsearch(&key, r->traffic->t, r->traffic->n,
					 sizeof(*t), cmp_traffic);
	if (t != NULL) {
		w.conns_out = t->out;
		w.conns_in = t->in;
		w.last_seen = t->last;
	}
	return r->fn(&w, r->ctx);
}

int store_read_workloads(struct store *const *stores, size_t n,
			 const char *ns, store_workload_fn fn, void *ctx)
{
	struct traffics traffic = { .file = store_filename(stores[0]),
				    .ns = ns };
	struct workload_read r = { &traffic, fn, ctx };
	const struct store_param p[] = { STORE_TEXT(ns) };
	int rc = -1;

	/* The workloads of the first, the inventory; traffic of them all. */
	if (read_traffic(stores, n, &traffic) == 0)
		rc = store_query_bound(stores[0], sql_workloads_query, p, 1,
				       workload_row, &r);
	free(traffic.t);
	strmap_free(&traffic.strs);
	return rc;
}
