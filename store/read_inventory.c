/*
 * read_inventory: the inventory as policygen reads it (store_read.h):
 * generate's workloads, node addresses, pods' labels and kube-dns, what
 * podflowd recorded of itself, info's summary, and the lookups a replay
 * makes for the ends of every row, each from its statement in
 * sql/queries/store/.
 *
 * The lookups keep their statements prepared in a handle: a replay asks
 * for thousands of ends, and preparing a statement costs more than
 * running it.
 */
#include <stdlib.h>
#include <string.h>

#include "podflow/arena.h"
#include "podflow/errmsg.h"
#include "podflow/grow.h"
#include "podflow/store_read.h"
#include "podflow/strmap.h"
#include "sql.h"
#include "store_int.h"

struct workload_read {
	store_workload_fn fn;
	void *ctx;
};

/* Columns of generate_workloads.sql. */
enum { W_NS, W_KIND, W_NAME, W_SELECTOR, W_SOURCE, W_HOSTNET };

struct store_workload store_workload_at(struct sdb_stmt *st)
{
	return (struct store_workload){
		.namespace = store_column_text(st, W_NS),
		.kind = store_column_text(st, W_KIND),
		.name = store_column_text(st, W_NAME),
		.selector = store_column_text(st, W_SELECTOR),
		.source = store_column_text(st, W_SOURCE),
		.host_network = sdb_column_int(st, W_HOSTNET),
	};
}

static int workload_row(struct sdb_stmt *st, void *arg)
{
	const struct workload_read *r = arg;
	const struct store_workload w = store_workload_at(st);

	return r->fn(&w, r->ctx);
}

int store_read_generate_workloads(struct store *s, store_workload_fn fn,
				  void *ctx)
{
	struct workload_read r = { fn, ctx };

	return store_query_all(s, sql_generate_workloads, workload_row, &r);
}

struct node_address_read {
	store_node_address_fn fn;
	void *ctx;
};

static int node_address_row(struct sdb_stmt *st, void *arg)
{
	const struct node_address_read *r = arg;
	const struct store_node_address a = {
		.address = store_column_text(st, 0),
	};

	return r->fn(&a, r->ctx);
}

int store_read_node_addresses(struct store *s, store_node_address_fn fn,
			      void *ctx)
{
	struct node_address_read r = { fn, ctx };

	return store_query_all(s, sql_generate_node_addresses,
			       node_address_row, &r);
}

struct namespace_read {
	store_namespace_fn fn;
	void *ctx;
};

static int namespace_row(struct sdb_stmt *st, void *arg)
{
	const struct namespace_read *r = arg;

	return r->fn(store_column_text(st, 0), r->ctx);
}

int store_read_namespaces(struct store *s, store_namespace_fn fn, void *ctx)
{
	struct namespace_read r = { fn, ctx };

	/* Before schema 3 there is no inventory, so no namespace. */
	if (store_schema_version(s) < 3)
		return 0;
	return store_query_all(s, sql_namespaces_known, namespace_row, &r);
}

struct pod_labels_read {
	store_pod_labels_fn fn;
	void *ctx;
};

static int pod_labels_row(struct sdb_stmt *st, void *arg)
{
	const struct pod_labels_read *r = arg;
	const struct store_pod_labels p = {
		.workload_kind = store_column_text(st, 0),
		.workload_name = store_column_text(st, 1),
		.labels = store_column_text(st, 2),
	};

	return r->fn(&p, r->ctx);
}

int store_read_pod_labels(struct store *s, const char *ns, int64_t since,
			  store_pod_labels_fn fn, void *ctx)
{
	struct pod_labels_read r = { fn, ctx };
	const struct store_param p[] = { STORE_TEXT(ns), STORE_INT(since) };

	return store_query_bound(s, sql_generate_pod_labels, p, 2,
				 pod_labels_row, &r);
}

/* A copy of text, NULL for NULL; -1 with errmsg when out of memory. */
static int dup_text(struct store *s, const char *text, char **out)
{
	*out = NULL;
	if (text != NULL && (*out = strdup(text)) == NULL) {
		errmsg_set("%s: out of memory", store_filename(s));
		return -1;
	}
	return 0;
}

int store_read_kube_dns(struct store *s, struct store_kube_dns *out)
{
	struct sdb_stmt *st = NULL;
	char *selector = NULL, *ports = NULL, *ips = NULL;
	int rc = -1;

	if (store_query(s, sql_generate_kube_dns, &st) < 0)
		return -1;
	/* One row, or none when the inventory has no such Service. */
	switch (sdb_step(st)) {
	case SDB_ROW:
		break;
	case SDB_DONE:
		rc = 0;
		goto out;
	default:
		store_db_error(s);
		goto out;
	}
	if (dup_text(s, store_column_text(st, 0), &selector) < 0 ||
	    dup_text(s, store_column_text(st, 1), &ports) < 0 ||
	    dup_text(s, store_column_text(st, 2), &ips) < 0) {
		free(selector);
		free(ports);
		goto out;
	}
	*out = (struct store_kube_dns){ selector, ports, ips };
	rc = 1;
out:
	sdb_finalize(st);
	return rc;
}

int store_read_lost_events(struct store *s, int64_t since, int64_t *episodes)
{
	return store_query_int(s, sql_generate_lost_events,
			       (const struct store_param[]){ STORE_INT(since) },
			       1, episodes);
}

int store_read_info(struct store *s, struct store_info *out)
{
	struct sdb_stmt *st = NULL;
	int rc = -1;

	if (store_query(s,
			store_schema_version(s) < STORE_RESOLVED_VERSION
				? sql_info_summary_compat
				: sql_info_summary,
			&st) < 0)
		return -1;
	if (sdb_step(st) != SDB_ROW) {
		store_db_error(s);
		goto out;
	}
	*out = (struct store_info){
		.rows = sdb_column_int64(st, 0),
		.edges = sdb_column_int64(st, 1),
		.buckets = sdb_column_int64(st, 2),
		.first_seen = sdb_column_int64(st, 3),
		.last_seen = sdb_column_int64(st, 4),
	};
	sdb_finalize(st);
	st = NULL;
	out->change_seq = -1;
	if (store_schema_version(s) >= 12 &&
	    store_change_latest(s, &out->change_seq) < 0)
		return -1;
	/* The inventory's tables came with schema 3. */
	if (store_schema_version(s) >= 3) {
		if (store_query(s, sql_info_inventory, &st) < 0)
			return -1;
		if (sdb_step(st) != SDB_ROW) {
			store_db_error(s);
			goto out;
		}
		out->namespaces = sdb_column_int64(st, 0);
		out->pods_now = sdb_column_int64(st, 1);
		out->pods = sdb_column_int64(st, 2);
		out->workloads = sdb_column_int64(st, 3);
		out->services = sdb_column_int64(st, 4);
		out->nodes = sdb_column_int64(st, 5);
		out->last_import = sdb_column_int64(st, 6);
	}
	rc = 0;
out:
	sdb_finalize(st);
	return rc;
}

/* A pod's named port, read with all the others (all_pods()). */
struct all_port {
	int64_t pod_id;
	struct store_pod_port port; /* strings in the arena */
};

struct store_endpoints {
	struct store *store;
	struct sdb_stmt *pod, *ports, *address, *kinds, *workload;
	/*
	 * On a server, a round trip per pod (a replay looks up thousands)
	 * costs more than reading every pod once: they are read on the
	 * first lookup, by uid, and their named ports by pod id.
	 */
	int all;
	struct strmap pods; /* uid -> struct store_pod, strings in mem */
	struct all_port *ports_all; /* sorted by pod_id */
	size_t n_ports, cap_ports;
	struct arena mem;
};

struct store_endpoints *store_endpoints_open(struct store *s)
{
	struct store_endpoints *e = calloc(1, sizeof(*e));

	if (e == NULL) {
		errmsg_set("%s: out of memory", store_filename(s));
		return NULL;
	}
	e->store = s;
	e->all = !sdb_is_sqlite(store_sdb(s));
	if (store_query(s, sql_endpoint_pod, &e->pod) < 0 ||
	    store_query(s, sql_endpoint_pod_ports, &e->ports) < 0 ||
	    store_query(s, sql_endpoint_address, &e->address) < 0 ||
	    store_query(s, sql_endpoint_workload_kinds, &e->kinds) < 0 ||
	    store_query(s, sql_endpoint_workload_pods, &e->workload) < 0) {
		store_endpoints_close(e);
		return NULL;
	}
	return e;
}

void store_endpoints_close(struct store_endpoints *e)
{
	if (e == NULL)
		return;
	sdb_finalize(e->pod);
	sdb_finalize(e->ports);
	sdb_finalize(e->address);
	sdb_finalize(e->kinds);
	sdb_finalize(e->workload);
	strmap_free(&e->pods);
	free(e->ports_all);
	arena_reset(&e->mem);
	free(e);
}

/* Columns of endpoint_pods_all.sql. */
enum { A_UID, A_ID, A_NS, A_KIND, A_NAME, A_NODE, A_HOSTNET, A_LABELS,
       A_NS_LABELS };

static const char *keep_text(struct arena *a, struct sdb_stmt *st, int i)
{
	const char *v = store_column_text(st, i);

	return v != NULL ? arena_strdup(a, v) : NULL;
}

static int all_pod_row(struct sdb_stmt *st, void *ctx)
{
	struct store_endpoints *e = ctx;
	struct strmap_slot *slot;
	struct store_pod *p;
	const char *uid = store_column_text(st, A_UID);

	if (uid == NULL)
		return 0;
	if ((slot = strmap_slot(&e->pods, uid)) == NULL ||
	    (p = arena_alloc(&e->mem, sizeof(*p))) == NULL)
		goto oom;
	*p = (struct store_pod){
		.id = sdb_column_int64(st, A_ID),
		.namespace = keep_text(&e->mem, st, A_NS),
		.workload_kind = keep_text(&e->mem, st, A_KIND),
		.workload_name = keep_text(&e->mem, st, A_NAME),
		.node = keep_text(&e->mem, st, A_NODE),
		.host_network = sdb_column_int(st, A_HOSTNET),
		.labels = keep_text(&e->mem, st, A_LABELS),
		.namespace_labels = keep_text(&e->mem, st, A_NS_LABELS),
	};
	slot->value = p;
	return 0;
oom:
	errmsg_set("%s: out of memory", store_filename(e->store));
	return -1;
}

static int all_port_row(struct sdb_stmt *st, void *ctx)
{
	struct store_endpoints *e = ctx;
	struct all_port *p;

	if (GROW(e->ports_all, e->cap_ports, e->n_ports + 1) < 0) {
		errmsg_set("%s: out of memory", store_filename(e->store));
		return -1;
	}
	p = &e->ports_all[e->n_ports++];
	*p = (struct all_port){
		.pod_id = sdb_column_int64(st, 0),
		.port = {
			.name = keep_text(&e->mem, st, 1),
			.protocol = keep_text(&e->mem, st, 2),
			.port = sdb_column_int(st, 3),
		},
	};
	return 0;
}

/* Every pod and its named ports, once (e->all). */
static int all_pods(struct store_endpoints *e)
{
	if (e->all != 1)
		return 0;
	if (store_query_all(e->store, sql_endpoint_pods_all, all_pod_row, e) <
		    0 ||
	    store_query_all(e->store, sql_endpoint_pod_ports_all,
			    all_port_row, e) < 0)
		return -1;
	e->all = 2;
	return 0;
}

/* Columns of endpoint_pod.sql. */
enum { P_ID, P_NS, P_KIND, P_NAME, P_NODE, P_HOSTNET, P_LABELS, P_NS_LABELS };

int store_endpoints_pod(struct store_endpoints *e, const char *uid,
			struct store_pod *out)
{
	struct sdb_stmt *st = e->pod;
	const struct store_param p[] = { STORE_TEXT(uid) };
	int rc;

	if (e->all) {
		struct strmap_slot *slot;

		if (all_pods(e) < 0)
			return -1;
		if ((slot = strmap_slot(&e->pods, uid)) == NULL) {
			errmsg_set("out of memory");
			return -1;
		}
		if (slot->value == NULL)
			return 0;
		*out = *(const struct store_pod *)slot->value;
		return 1;
	}
	/* The row before stays readable until now: its strings are out's. */
	if (store_bind(e->store, st, p, 1) < 0)
		return -1;
	rc = sdb_step(st);
	if (rc == SDB_DONE)
		return 0;
	if (rc != SDB_ROW)
		return store_db_error(e->store);
	*out = (struct store_pod){
		.id = sdb_column_int64(st, P_ID),
		.namespace = store_column_text(st, P_NS),
		.workload_kind = store_column_text(st, P_KIND),
		.workload_name = store_column_text(st, P_NAME),
		.node = store_column_text(st, P_NODE),
		.host_network = sdb_column_int(st, P_HOSTNET),
		.labels = store_column_text(st, P_LABELS),
		.namespace_labels = store_column_text(st, P_NS_LABELS),
	};
	return 1;
}

struct pod_port_read {
	store_pod_port_fn fn;
	void *ctx;
};

static int pod_port_row(struct sdb_stmt *st, void *arg)
{
	const struct pod_port_read *r = arg;
	const struct store_pod_port p = {
		.name = store_column_text(st, 0),
		.protocol = store_column_text(st, 1),
		.port = sdb_column_int(st, 2),
	};

	return r->fn(&p, r->ctx);
}

int store_endpoints_pod_ports(struct store_endpoints *e, int64_t id,
			      store_pod_port_fn fn, void *ctx)
{
	struct pod_port_read r = { fn, ctx };
	const struct store_param p[] = { STORE_INT(id) };

	if (e->all) {
		size_t lo = 0, hi;

		if (all_pods(e) < 0)
			return -1;
		/* The first of its ports, by pod_id, as the query orders them. */
		for (hi = e->n_ports; lo < hi;) {
			size_t mid = lo + (hi - lo) / 2;

			if (e->ports_all[mid].pod_id < id)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (; lo < e->n_ports && e->ports_all[lo].pod_id == id; lo++)
			if (fn(&e->ports_all[lo].port, ctx) < 0)
				return -1;
		return 0;
	}
	if (store_bind(e->store, e->ports, p, 1) < 0)
		return -1;
	return store_query_rows(e->store, e->ports, pod_port_row, &r);
}

int store_endpoints_address(struct store_endpoints *e, const char *ip,
			    struct store_address *out)
{
	struct sdb_stmt *st = e->address;
	const struct store_param p[] = { STORE_TEXT(ip) };

	if (store_bind(e->store, st, p, 1) < 0)
		return -1;
	if (sdb_step(st) != SDB_ROW)
		return store_db_error(e->store);
	*out = (struct store_address){
		.pod_uid = store_column_text(st, 0),
		.node = store_column_text(st, 1),
	};
	return 0;
}

struct workload_kind_read {
	store_workload_kind_fn fn;
	void *ctx;
};

static int workload_kind_row(struct sdb_stmt *st, void *arg)
{
	const struct workload_kind_read *r = arg;
	const struct store_workload_kind k = {
		.kind = store_column_text(st, 0),
	};

	return r->fn(&k, r->ctx);
}

int store_endpoints_workload_kinds(struct store_endpoints *e, const char *ns,
				   const char *kind, const char *name,
				   store_workload_kind_fn fn, void *ctx)
{
	struct workload_kind_read r = { fn, ctx };
	const struct store_param p[] = { STORE_TEXT(ns), STORE_TEXT(kind),
					 STORE_TEXT(name) };

	if (store_bind(e->store, e->kinds, p, 3) < 0)
		return -1;
	return store_query_rows(e->store, e->kinds, workload_kind_row, &r);
}

struct workload_pod_read {
	store_workload_pod_fn fn;
	void *ctx;
};

static int workload_pod_row(struct sdb_stmt *st, void *arg)
{
	const struct workload_pod_read *r = arg;
	const struct store_workload_pod p = {
		.uid = store_column_text(st, 0),
		.live = sdb_column_int(st, 1),
		.ip = store_column_text(st, 2),
	};

	return r->fn(&p, r->ctx);
}

int store_endpoints_workload_pods(struct store_endpoints *e, const char *ns,
				  const char *kind, const char *name,
				  store_workload_pod_fn fn, void *ctx)
{
	struct workload_pod_read r = { fn, ctx };
	const struct store_param p[] = { STORE_TEXT(ns), STORE_TEXT(kind),
					 STORE_TEXT(name) };

	if (store_bind(e->store, e->workload, p, 3) < 0)
		return -1;
	return store_query_rows(e->store, e->workload, workload_pod_row, &r);
}
