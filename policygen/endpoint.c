/*
 * endpoint: inventory lookups for the policy evaluator (endpoint.h),
 * through the store's (store_read.h: store_endpoints_open()).  Pods are
 * cached by uid: a replay meets the same few pods on every row.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "podflow/errmsg.h"
#include "podflow/grow.h"
#include "podflow/store_read.h"
#include "podflow/strmap.h"
#include "endpoint.h"

/* A workload's pods, as endpoints_workload() hands them out. */
struct workload_pods {
	struct endpoint *pods;
	size_t n;
};

struct endpoints {
	struct store *store;
	struct store_endpoints *lookup;
	struct strmap pods; /* uid -> struct endpoint, address unset */
	struct strmap nodes; /* name -> struct endpoint, address unset */
	struct arena mem;
	struct strmap workloads; /* "ns/Kind/name" -> struct workload_pods */
	struct endpoint *list; /* scratch: a workload's pods being read */
	size_t n_list, cap_list;
	struct verdict_named_port *ports_buf; /* scratch: a pod's ports */
	size_t cap_ports;
};

int endpoints_open(struct store *s, struct endpoints **ret)
{
	struct endpoints *e = calloc(1, sizeof(*e));

	if (e == NULL) {
		errmsg_set("out of memory");
		return -1;
	}
	e->store = s;
	if ((e->lookup = store_endpoints_open(s)) == NULL) {
		endpoints_close(e);
		return -1;
	}
	*ret = e;
	return 0;
}

void endpoints_close(struct endpoints *e)
{
	if (e == NULL)
		return;
	store_endpoints_close(e->lookup);
	strmap_free(&e->pods);
	strmap_free(&e->nodes);
	strmap_free(&e->workloads);
	arena_reset(&e->mem);
	free(e->list);
	free(e->ports_buf);
	free(e);
}

static int set_address(struct endpoint *out, const char *ip)
{
	memset(&out->end.ip, 0, sizeof(out->end.ip));
	if (ip != NULL && addr_parse(ip, &out->end.ip) < 0)
		return -1;
	return 0;
}

/* The ports of a pod being read, into e->ports_buf[0..n). */
struct ports_read {
	struct endpoints *e;
	size_t n;
};

static int add_port(const struct store_pod_port *row, void *ctx)
{
	struct ports_read *r = ctx;
	struct endpoints *e = r->e;
	struct verdict_named_port *p;

	if (GROW(e->ports_buf, e->cap_ports, r->n + 1) < 0)
		return -1;
	p = &e->ports_buf[r->n++];
	p->name = arena_strdup(&e->mem, row->name);
	p->protocol = arena_strdup(&e->mem, row->protocol);
	p->port = row->port;
	if (p->name == NULL || p->protocol == NULL) {
		errmsg_set("out of memory");
		return -1;
	}
	return 0;
}

/* The named ports of pod id, read into scratch, then kept in e->mem. */
static int load_ports(struct endpoints *e, int64_t id,
		      struct verdict_end *end)
{
	struct verdict_named_port *ports = NULL;
	struct ports_read r = { e, 0 };
	size_t n;

	if (store_endpoints_pod_ports(e->lookup, id, add_port, &r) < 0)
		return -1;
	n = r.n;
	if (n > 0) {
		if ((ports = arena_alloc(&e->mem, n * sizeof(*ports))) == NULL)
			goto oom;
		memcpy(ports, e->ports_buf, n * sizeof(*ports));
	}
	end->ports = ports;
	end->n_ports = n;
	return 0;
oom:
	errmsg_set("out of memory");
	return -1;
}

static int parse_labels(struct endpoints *e, const char *json,
			const struct knode **out)
{
	if (kyaml_parse_text(json ? json : "{}", &e->mem, out) < 0) {
		errmsg_prefix("%s: labels", store_filename(e->store));
		return -1;
	}
	return 0;
}

/*
 * Reads the pod of uid into a new cache entry, *out.  Returns 1, 0 when
 * no such pod is known, or -1 with errmsg.
 */
static int load_pod(struct endpoints *e, const char *uid,
		    struct endpoint **out)
{
	struct store_pod pod;
	struct endpoint *p;
	char name[512];
	int found;

	if ((found = store_endpoints_pod(e->lookup, uid, &pod)) <= 0)
		return found;
	if ((p = arena_alloc(&e->mem, sizeof(*p))) == NULL)
		goto oom;
	snprintf(name, sizeof(name), "%s/%s/%s", pod.namespace,
		 pod.workload_kind, pod.workload_name);
	p->name = arena_strdup(&e->mem, name);
	if (pod.node != NULL)
		p->end.node = arena_strdup(&e->mem, pod.node);
	if (pod.host_network) {
		/* Policies do not apply to it: it is its node. */
		p->end.is_node = 1;
	} else {
		p->end.namespace = arena_strdup(&e->mem, pod.namespace);
		if (p->end.namespace == NULL ||
		    parse_labels(e, pod.labels, &p->end.labels) < 0 ||
		    parse_labels(e, pod.namespace_labels,
				 &p->end.ns_labels) < 0 ||
		    load_ports(e, pod.id, &p->end) < 0)
			return -1;
	}
	if (p->name == NULL)
		goto oom;
	*out = p;
	return 1;
oom:
	errmsg_set("out of memory");
	return -1;
}

int endpoints_pod(struct endpoints *e, const char *uid, const char *ip,
		  struct endpoint *out)
{
	struct strmap_slot *slot = strmap_slot(&e->pods, uid);
	struct endpoint *p = NULL;

	if (slot == NULL) {
		errmsg_set("out of memory");
		return -1;
	}
	if (slot->value == NULL) {
		if (load_pod(e, uid, &p) < 0)
			return -1;
		slot->value = p;
	}
	memset(out, 0, sizeof(*out));
	if (slot->value != NULL)
		*out = *(struct endpoint *)slot->value;
	if (set_address(out, ip) < 0)
		return -1;
	if (slot->value == NULL) {
		out->name = ip;
		return 0;
	}
	return 1;
}

int endpoints_node(struct endpoints *e, const char *node, const char *ip,
		   struct endpoint *out)
{
	struct strmap_slot *slot = strmap_slot(&e->nodes, node);
	struct endpoint *n;
	char name[300];

	if (slot == NULL)
		goto oom;
	if (slot->value == NULL) {
		if ((n = arena_alloc(&e->mem, sizeof(*n))) == NULL)
			goto oom;
		snprintf(name, sizeof(name), "node/%s", node);
		n->name = arena_strdup(&e->mem, name);
		n->end.node = arena_strdup(&e->mem, node);
		n->end.is_node = 1;
		if (n->name == NULL || n->end.node == NULL)
			goto oom;
		slot->value = n;
	}
	*out = *(struct endpoint *)slot->value;
	return set_address(out, ip);
oom:
	errmsg_set("out of memory");
	return -1;
}

int endpoints_address(struct endpoints *e, const char *text,
		      struct endpoint *out)
{
	char ip[ADDR_STRLEN], *uid = NULL, *node = NULL;
	struct store_address who;
	const char *copy;
	int rc;

	memset(out, 0, sizeof(*out));
	/* The store keeps canonical text: FD00::1 and fd00:0::1 are fd00::1. */
	if (set_address(out, text) < 0)
		return -1;
	addr_format(&out->end.ip, ip);
	if ((copy = arena_strdup(&e->mem, ip)) == NULL) {
		errmsg_set("out of memory");
		return -1;
	}
	if (store_endpoints_address(e->lookup, ip, &who) < 0)
		return -1;
	if (who.pod_uid != NULL)
		uid = strdup(who.pod_uid);
	if (who.node != NULL)
		node = strdup(who.node);
	if (uid != NULL)
		rc = endpoints_pod(e, uid, copy, out);
	else if (node != NULL)
		rc = endpoints_node(e, node, copy, out);
	else {
		out->name = copy;
		rc = 0;
	}
	free(uid);
	free(node);
	return rc < 0 ? -1 : 0;
}

/* The kinds of one workload name being read, for endpoints_kind(). */
struct kinds_read {
	struct endpoints *e;
	const char *ns, *name;
	char list[256]; /* "ns/Kind/name, ..." */
	const char *first;
	int n;
};

static int add_kind(const struct store_workload_kind *row, void *ctx)
{
	struct kinds_read *k = ctx;
	size_t used = strlen(k->list);

	snprintf(k->list + used, sizeof(k->list) - used, "%s%s/%s/%s",
		 k->n ? ", " : "", k->ns, row->kind, k->name);
	if (k->n++ == 0 &&
	    (k->first = arena_strdup(&k->e->mem, row->kind)) == NULL) {
		errmsg_set("out of memory");
		return -1;
	}
	return 0;
}

int endpoints_kind(struct endpoints *e, const char *ns, const char *kind,
		   const char *name, const char **out)
{
	struct kinds_read k = { .e = e, .ns = ns, .name = name };

	if (store_endpoints_workload_kinds(e->lookup, ns, kind, name, add_kind,
					   &k) < 0)
		return -1;
	if (k.n == 0) {
		errmsg_set("no workload %s/%s%s%s in the inventory of %s", ns,
			   kind ? kind : "", kind ? "/" : "", name,
			   store_filename(e->store));
		return -1;
	}
	if (k.n > 1) {
		errmsg_set("%s/%s is several workloads: %s; say which with "
			   "NS/KIND/NAME",
			   ns, name, k.list);
		return -1;
	}
	*out = k.first;
	return 0;
}

/*
 * A pod of the workload load_workload() reads, into the scratch list:
 * the running ones, else the first (the last seen) of the others, and
 * nothing after it.
 */
static int add_workload_pod(const struct store_workload_pod *row, void *ctx)
{
	struct endpoints *e = ctx;
	int found;
	char *uid;

	if (!row->live && e->n_list > 0)
		return 0; /* the last one seen, only when none runs */
	if (GROW(e->list, e->cap_list, e->n_list + 1) < 0)
		return -1;
	if ((uid = strdup(row->uid)) == NULL) {
		errmsg_set("out of memory");
		return -1;
	}
	/* With its address: an ipBlock matches the pod so named too. */
	found = endpoints_pod(e, uid, row->ip, &e->list[e->n_list++]);
	free(uid);
	return found < 0 ? -1 : 0;
}

/* Reads the pods of ns/kind/name (kind canonical) into the scratch list. */
static int load_workload(struct endpoints *e, const char *ns, const char *kind,
			 const char *name)
{
	e->n_list = 0;
	return store_endpoints_workload_pods(e->lookup, ns, kind, name,
					     add_workload_pod, e);
}

int endpoints_workload(struct endpoints *e, const char *ns, const char *kind,
		       const char *name, const struct endpoint **out,
		       size_t *n)
{
	struct strmap_slot *slot;
	struct workload_pods *w;
	char key[600];

	if (endpoints_kind(e, ns, kind, name, &kind) < 0)
		return -1;
	snprintf(key, sizeof(key), "%s/%s/%s", ns, kind, name);
	if ((slot = strmap_slot(&e->workloads, key)) == NULL)
		goto oom;
	if (slot->value == NULL) {
		if (load_workload(e, ns, kind, name) < 0)
			return -1;
		if (e->n_list == 0) {
			errmsg_set("no workload %s in the inventory", key);
			return -1;
		}
		if ((w = arena_alloc(&e->mem, sizeof(*w))) == NULL ||
		    (w->pods = arena_alloc(&e->mem, e->n_list *
							    sizeof(*w->pods))) ==
			    NULL)
			goto oom;
		memcpy(w->pods, e->list, e->n_list * sizeof(*w->pods));
		w->n = e->n_list;
		slot->value = w;
	}
	w = slot->value;
	*out = w->pods;
	*n = w->n;
	return 0;
oom:
	errmsg_set("out of memory");
	return -1;
}
