/*
 * kube: reading Pods, Services, Namespaces, Nodes and workload objects
 * into inventory records (kube.h).
 *
 * Only fields the inventory uses are read; the rest of an object may be
 * anything a newer Kubernetes prints.  A field that is there but malformed
 * is an error naming its line and column.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "podflow/errmsg.h"
#include "podflow/grow.h"
#include "podflow/timefmt.h"
#include "kube.h"

/* Where an object went wrong, for messages. */
struct ctx {
	const char *source;
	const char *kind;
	const struct knode *obj;
	struct arena *a;
	int64_t at;
};

/*
 * Fails with "SOURCE:LINE:COLUMN: KIND: MESSAGE", where n (or, when NULL,
 * the object) starts.  Returns -1.
 */
static int fail_at(const struct ctx *c, const struct knode *n,
		   const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int fail_at(const struct ctx *c, const struct knode *n,
		   const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	if (n == NULL)
		n = c->obj;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	errmsg_set_at(c->source, n->line, n->column, "%s: %s", c->kind, msg);
	return -1;
}

/* A required string field. */
static int need(const struct ctx *c, const struct knode *from,
		const char *path, const char **out)
{
	const char *v = knode_str(from, path);

	if (v == NULL || v[0] == '\0')
		return fail_at(c, from, "missing %s", path);
	*out = v;
	return 0;
}

/* An optional RFC 3339 time field; 0 when absent. */
static int time_at(const struct ctx *c, const struct knode *from,
		   const char *path, int64_t *out)
{
	const struct knode *n = knode_at(from, path);

	*out = 0;
	if (n == NULL || (n->type == KNODE_SCALAR && n->value == NULL))
		return 0;
	if (n->type != KNODE_SCALAR || timefmt_parse_rfc3339(n->value, out) < 0)
		return fail_at(c, n, "%s is not an RFC 3339 time", path);
	return 0;
}

/* An optional integer field within [min, max]; def when absent. */
static int int_at(const struct ctx *c, const struct knode *from,
		  const char *path, long min, long max, long def, long *out)
{
	const struct knode *n = knode_at(from, path);
	char *end;
	long v;

	*out = def;
	if (n == NULL || (n->type == KNODE_SCALAR && n->value == NULL))
		return 0;
	if (n->type != KNODE_SCALAR)
		return fail_at(c, n, "%s is not a number", path);
	v = strtol(n->value, &end, 10);
	if (end == n->value || *end != '\0')
		return fail_at(c, n, "%s is not a number", path);
	if (v < min || v > max)
		return fail_at(c, n, "%s is out of range", path);
	*out = v;
	return 0;
}

static int is_true(const struct knode *from, const char *path)
{
	const char *v = knode_str(from, path);

	return v != NULL && strcmp(v, "true") == 0;
}

/* A growable JSON text, copied into the arena when done. */
struct jbuf {
	char *s;
	size_t len, cap;
	int oom;
};

static void jput(struct jbuf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (GROW(b->s, b->cap, b->len + n + 1) < 0) {
		b->oom = 1;
		return;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static void jstr(struct jbuf *b, const char *s)
{
	jput(b, "\"", 1);
	for (; *s; s++) {
		char esc[8];
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\') {
			esc[0] = '\\';
			esc[1] = (char)ch;
			jput(b, esc, 2);
		} else if (ch < 0x20) {
			snprintf(esc, sizeof(esc), "\\u%04x", ch);
			jput(b, esc, 6);
		} else {
			jput(b, s, 1);
		}
	}
	jput(b, "\"", 1);
}

static const struct knode *sort_keys_base;

static int cmp_key_index(const void *a, const void *b)
{
	size_t i = *(const size_t *)a, j = *(const size_t *)b;

	return strcmp(sort_keys_base->keys[i]->value,
		      sort_keys_base->keys[j]->value);
}

static void jnode(struct jbuf *b, const struct knode *n)
{
	size_t *order;

	switch (n->type) {
	case KNODE_SCALAR:
		/*
		 * Labels, selector values and operators are all strings, even
		 * when kubectl prints them bare (tier: inf, version: 1.20).
		 */
		if (n->value == NULL)
			jput(b, "null", 4);
		else
			jstr(b, n->value);
		return;
	case KNODE_SEQ:
		jput(b, "[", 1);
		for (size_t i = 0; i < n->n; i++) {
			if (i)
				jput(b, ",", 1);
			jnode(b, n->items[i]);
		}
		jput(b, "]", 1);
		return;
	case KNODE_MAP:
		order = malloc((n->n ? n->n : 1) * sizeof(*order));
		if (order == NULL) {
			b->oom = 1;
			return;
		}
		for (size_t i = 0; i < n->n; i++)
			order[i] = i;
		sort_keys_base = n;
		qsort(order, n->n, sizeof(*order), cmp_key_index);
		jput(b, "{", 1);
		for (size_t i = 0; i < n->n; i++) {
			if (i)
				jput(b, ",", 1);
			jstr(b, n->keys[order[i]]->value);
			jput(b, ":", 1);
			jnode(b, n->items[order[i]]);
		}
		jput(b, "}", 1);
		free(order);
		return;
	}
}

char *kube_to_json(struct arena *a, const struct knode *n)
{
	struct jbuf b = { 0 };
	char *out = NULL;

	jnode(&b, n);
	if (!b.oom)
		out = arena_strndup(a, b.s, b.len);
	free(b.s);
	if (out == NULL)
		errmsg_set("out of memory");
	return out;
}

/* Labels as a JSON object of strings; "{}" when there are none. */
static int labels_json(const struct ctx *c, const struct knode *from,
		       const char *path, const char **out)
{
	const struct knode *n = knode_at(from, path);

	if (n == NULL || (n->type == KNODE_SCALAR && n->value == NULL)) {
		*out = "{}";
		return 0;
	}
	if (n->type != KNODE_MAP)
		return fail_at(c, n, "%s is not a map", path);
	for (size_t i = 0; i < n->n; i++)
		if (n->items[i]->type != KNODE_SCALAR)
			return fail_at(c, n->items[i],
				       "%s values must be strings", path);
	*out = kube_to_json(c->a, n);
	return *out ? 0 : fail_at(c, n, "%s: out of memory", path);
}

/* The controlling ownerReference: kind and name, or NULLs. */
static int controller(const struct ctx *c, const struct knode *obj,
		      const char **kind, const char **name)
{
	const struct knode *refs = knode_at(obj, "metadata.ownerReferences");

	*kind = *name = NULL;
	if (refs == NULL || refs->type != KNODE_SEQ)
		return 0;
	for (size_t i = 0; i < refs->n; i++) {
		const struct knode *r = refs->items[i];

		if (!is_true(r, "controller"))
			continue;
		if (need(c, r, "kind", kind) < 0 || need(c, r, "name", name) < 0)
			return -1;
		return 0;
	}
	return 0;
}

/* The strings at field of each map in a sequence (podIPs[].ip, say). */
static int string_list(const struct ctx *c, const struct knode *seq,
		       const char *field, const char *const **out, size_t *n)
{
	const char **list;

	*out = NULL;
	*n = 0;
	if (seq == NULL || seq->type != KNODE_SEQ || seq->n == 0)
		return 0;
	list = arena_alloc(c->a, seq->n * sizeof(*list));
	if (list == NULL)
		return fail_at(c, seq, "%s: out of memory",
			       field ? field : "items");
	for (size_t i = 0; i < seq->n; i++) {
		const char *v = field ? knode_str(seq->items[i], field)
				      : (seq->items[i]->type == KNODE_SCALAR
						 ? seq->items[i]->value
						 : NULL);
		if (v != NULL && v[0] != '\0')
			list[(*n)++] = v;
	}
	*out = list;
	return 0;
}

/*
 * Addresses from a list field (status.podIPs[].ip; field NULL: the items
 * themselves) or, when that holds none, from the single field
 * (status.podIP) that older clusters print alone.
 */
static int addresses(const struct ctx *c, const struct knode *obj,
		     const char *list, const char *field, const char *single,
		     const char *const **out, size_t *n)
{
	const char **one;

	if (string_list(c, knode_at(obj, list), field, out, n) < 0)
		return -1;
	if (*n > 0 || knode_str(obj, single) == NULL)
		return 0;
	if ((one = arena_alloc(c->a, sizeof(*one))) == NULL)
		return fail_at(c, obj, "out of memory");
	one[0] = knode_str(obj, single);
	*out = one;
	*n = 1;
	return 0;
}

static const char *ns_of(const struct knode *obj)
{
	const char *ns = knode_str(obj, "metadata.namespace");

	return ns != NULL ? ns : "default";
}

/*
 * The workload as far as the pod itself tells: a ReplicaSet whose name
 * ends in the pod-template-hash is a Deployment's.  Owner objects refine
 * this at commit (a Job's CronJob, a ReplicaSet of a known Deployment).
 */
static void pod_workload(struct ctx *c, struct inv_pod *p)
{
	size_t len, hlen;

	p->workload_kind = "Pod";
	p->workload_name = p->name;
	if (p->controller_kind == NULL)
		return;
	p->workload_kind = p->controller_kind;
	p->workload_name = p->controller_name;
	if (strcmp(p->controller_kind, "ReplicaSet") != 0 ||
	    p->template_hash == NULL)
		return;
	len = strlen(p->controller_name);
	hlen = strlen(p->template_hash);
	if (len > hlen + 1 && p->controller_name[len - hlen - 1] == '-' &&
	    strcmp(p->controller_name + len - hlen, p->template_hash) == 0) {
		p->workload_kind = "Deployment";
		p->workload_name =
			arena_strndup(c->a, p->controller_name, len - hlen - 1);
		if (p->workload_name == NULL)
			p->workload_name = p->controller_name;
	}
}

/* Container ports of containers and (sidecar) init containers. */
static int pod_ports(struct ctx *c, const struct knode *obj, struct inv_pod *p)
{
	static const char *const lists[] = { "spec.containers",
					     "spec.initContainers" };
	size_t cap = 0;
	struct inv_port *ports;

	for (int l = 0; l < 2; l++) {
		const struct knode *cs = knode_at(obj, lists[l]);

		for (size_t i = 0; cs && cs->type == KNODE_SEQ && i < cs->n; i++) {
			const struct knode *ps = knode_at(cs->items[i], "ports");

			if (ps != NULL && ps->type == KNODE_SEQ)
				cap += ps->n;
		}
	}
	if (cap == 0)
		return 0;
	ports = arena_alloc(c->a, cap * sizeof(*ports));
	if (ports == NULL)
		return fail_at(c, obj, "out of memory");
	for (int l = 0; l < 2; l++) {
		const struct knode *cs = knode_at(obj, lists[l]);

		for (size_t i = 0; cs && cs->type == KNODE_SEQ && i < cs->n; i++) {
			const struct knode *ct = cs->items[i];
			const struct knode *ps = knode_at(ct, "ports");
			const char *cname = knode_str(ct, "name");

			for (size_t j = 0; ps && ps->type == KNODE_SEQ && j < ps->n;
			     j++) {
				struct inv_port *pt = &ports[p->n_ports];
				long port;

				if (int_at(c, ps->items[j], "containerPort", 1,
					   65535, -1, &port) < 0)
					return -1;
				if (port < 0)
					return fail_at(c, ps->items[j],
						       "missing containerPort");
				pt->container = cname ? cname : "";
				pt->name = knode_str(ps->items[j], "name");
				pt->port = (int)port;
				pt->protocol = knode_str(ps->items[j],
							 "protocol");
				if (pt->protocol == NULL)
					pt->protocol = "TCP";
				p->n_ports++;
			}
		}
	}
	p->ports = ports;
	return 0;
}

/* When a Succeeded/Failed pod gave its IP back: its last container's end. */
static int pod_finished(struct ctx *c, const struct knode *obj,
			struct inv_pod *p)
{
	const struct knode *st = knode_at(obj, "status.containerStatuses");

	p->finished = 0;
	if (p->phase == NULL || (strcmp(p->phase, "Succeeded") != 0 &&
				 strcmp(p->phase, "Failed") != 0))
		return 0;
	for (size_t i = 0; st && st->type == KNODE_SEQ && i < st->n; i++) {
		int64_t t;

		if (time_at(c, st->items[i], "state.terminated.finishedAt",
			    &t) < 0)
			return -1;
		if (t > p->finished)
			p->finished = t;
	}
	/* Finished, but when is not said: no later than now. */
	if (p->finished == 0)
		p->finished = c->at;
	return 0;
}

static int parse_pod(struct ctx *c, const struct knode *obj,
		     struct kube_record *r)
{
	struct inv_pod *p = &r->u.pod;

	if (need(c, obj, "metadata.name", &p->name) < 0 ||
	    need(c, obj, "metadata.uid", &p->uid) < 0 ||
	    labels_json(c, obj, "metadata.labels", &p->labels) < 0 ||
	    time_at(c, obj, "metadata.creationTimestamp", &p->created) < 0 ||
	    time_at(c, obj, "metadata.deletionTimestamp", &p->deleted) < 0 ||
	    time_at(c, obj, "status.startTime", &p->started) < 0 ||
	    controller(c, obj, &p->controller_kind, &p->controller_name) < 0)
		return -1;
	p->namespace = ns_of(obj);
	p->node = knode_str(obj, "spec.nodeName");
	p->host_network = is_true(obj, "spec.hostNetwork");
	p->phase = knode_str(obj, "status.phase");
	p->template_hash = knode_str(obj, "metadata.labels.pod-template-hash");
	if (pod_finished(c, obj, p) < 0 || pod_ports(c, obj, p) < 0)
		return -1;
	pod_workload(c, p);
	if (addresses(c, obj, "status.podIPs", "ip", "status.podIP", &p->ips,
		      &p->n_ips) < 0 ||
	    addresses(c, obj, "status.hostIPs", "ip", "status.hostIP",
		      &p->host_ips, &p->n_host_ips) < 0)
		return -1;
	return 0;
}

static int parse_service(struct ctx *c, const struct knode *obj,
			 struct kube_record *r)
{
	struct inv_service *s = &r->u.service;
	const struct knode *sel = knode_at(obj, "spec.selector");
	const struct knode *ports = knode_at(obj, "spec.ports");

	if (need(c, obj, "metadata.name", &s->name) < 0 ||
	    time_at(c, obj, "metadata.creationTimestamp", &s->created) < 0)
		return -1;
	s->namespace = ns_of(obj);
	s->uid = knode_str(obj, "metadata.uid");
	s->type = knode_str(obj, "spec.type");
	if (s->type == NULL)
		s->type = "ClusterIP";
	if (sel != NULL && sel->type == KNODE_MAP && sel->n > 0 &&
	    labels_json(c, obj, "spec.selector", &s->selector) < 0)
		return -1;
	if (addresses(c, obj, "spec.clusterIPs", NULL, "spec.clusterIP",
		      &s->cluster_ips, &s->n_cluster_ips) < 0)
		return -1;
	/* A headless Service has no address of its own. */
	if (s->n_cluster_ips > 0 && strcmp(s->cluster_ips[0], "None") == 0)
		s->n_cluster_ips = 0;
	if (ports != NULL && ports->type == KNODE_SEQ && ports->n > 0) {
		struct inv_service_port *sp =
			arena_alloc(c->a, ports->n * sizeof(*sp));

		if (sp == NULL)
			return fail_at(c, obj, "out of memory");
		for (size_t i = 0; i < ports->n; i++) {
			const struct knode *pn = ports->items[i];
			long port, node_port;

			if (int_at(c, pn, "port", 1, 65535, -1, &port) < 0 ||
			    int_at(c, pn, "nodePort", 0, 65535, 0,
				   &node_port) < 0)
				return -1;
			if (port < 0)
				return fail_at(c, pn,
					       "missing spec.ports[].port");
			sp[i].name = knode_str(pn, "name");
			sp[i].port = (int)port;
			sp[i].node_port = (int)node_port;
			sp[i].protocol = knode_str(pn, "protocol");
			if (sp[i].protocol == NULL)
				sp[i].protocol = "TCP";
			/* targetPort defaults to port. */
			sp[i].target_port = knode_str(pn, "targetPort");
			if (sp[i].target_port == NULL) {
				char num[24];

				snprintf(num, sizeof(num), "%ld", port);
				sp[i].target_port = arena_strdup(c->a, num);
				if (sp[i].target_port == NULL)
					return fail_at(c, pn, "out of memory");
			}
		}
		s->ports = sp;
		s->n_ports = ports->n;
	}
	return 0;
}

/* What a Namespace and a Node are known by: their name and labels. */
static int name_labels(struct ctx *c, const struct knode *obj,
		       const char **name, const char **labels)
{
	if (need(c, obj, "metadata.name", name) < 0 ||
	    labels_json(c, obj, "metadata.labels", labels) < 0)
		return -1;
	return 0;
}

static int parse_namespace(struct ctx *c, const struct knode *obj,
			   struct kube_record *r)
{
	struct inv_namespace *ns = &r->u.namespace;

	return name_labels(c, obj, &ns->name, &ns->labels);
}

static int parse_node(struct ctx *c, const struct knode *obj,
		      struct kube_record *r)
{
	struct inv_node *node = &r->u.node;
	const struct knode *addrs = knode_at(obj, "status.addresses");
	struct inv_node_address *list;

	if (name_labels(c, obj, &node->name, &node->labels) < 0)
		return -1;
	if (addrs != NULL && addrs->type == KNODE_SEQ && addrs->n > 0) {
		list = arena_alloc(c->a, addrs->n * sizeof(*list));
		if (list == NULL)
			return fail_at(c, obj, "out of memory");
		for (size_t i = 0; i < addrs->n; i++) {
			const char *type = knode_str(addrs->items[i], "type");
			const char *addr = knode_str(addrs->items[i], "address");

			/* Hostnames are addresses too, but never in a flow. */
			if (type == NULL || addr == NULL ||
			    strcmp(type, "Hostname") == 0 ||
			    strcmp(type, "InternalDNS") == 0 ||
			    strcmp(type, "ExternalDNS") == 0)
				continue;
			list[node->n_addresses].type = type;
			list[node->n_addresses++].address = addr;
		}
		node->addresses = list;
	}
	return 0;
}

static int parse_owner(struct ctx *c, const struct knode *obj,
		       struct kube_record *r)
{
	struct inv_owner *o = &r->u.owner;
	const struct knode *sel = knode_at(obj, "spec.selector");

	o->kind = c->kind;
	if (need(c, obj, "metadata.name", &o->name) < 0 ||
	    controller(c, obj, &o->owner_kind, &o->owner_name) < 0)
		return -1;
	o->namespace = ns_of(obj);
	o->uid = knode_str(obj, "metadata.uid");
	if (sel != NULL && sel->type == KNODE_MAP) {
		o->selector = kube_to_json(c->a, sel);
		if (o->selector == NULL)
			return fail_at(c, sel, "out of memory");
	}
	return 0;
}

/*
 * The kinds the inventory uses: what each becomes, and what reads it into
 * its member of the record's union.
 */
static const struct kube_kind {
	const char *kind;
	enum kube_type type;
	int (*parse)(struct ctx *c, const struct knode *obj,
		     struct kube_record *r);
} kinds[] = {
	{ "Pod", KUBE_POD, parse_pod },
	{ "Service", KUBE_SERVICE, parse_service },
	{ "Namespace", KUBE_NAMESPACE, parse_namespace },
	{ "Node", KUBE_NODE, parse_node },
	{ "Deployment", KUBE_OWNER, parse_owner },
	{ "StatefulSet", KUBE_OWNER, parse_owner },
	{ "DaemonSet", KUBE_OWNER, parse_owner },
	{ "ReplicaSet", KUBE_OWNER, parse_owner },
	{ "Job", KUBE_OWNER, parse_owner },
	{ "CronJob", KUBE_OWNER, parse_owner },
};

/* The entry of kinds[] for kind, or NULL. */
static const struct kube_kind *kind_of(const char *kind)
{
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strcmp(kind, kinds[i].kind) == 0)
			return &kinds[i];
	return NULL;
}

int kube_parse(const struct knode *obj, const char *source, int64_t at,
	       struct arena *a, struct kube_record *out)
{
	struct ctx c = { .source = source, .obj = obj, .a = a, .at = at,
			 .kind = "object" };
	const struct kube_kind *k;
	struct kube_record r;
	size_t len;

	memset(&r, 0, sizeof(r));
	if (obj->type != KNODE_MAP)
		return fail_at(&c, obj, "expected a Kubernetes object (a map)");
	if (need(&c, obj, "kind", &c.kind) < 0)
		return -1;
	r.kind = c.kind;
	len = strlen(c.kind);
	if ((k = kind_of(c.kind)) != NULL) {
		r.type = k->type;
		if (k->parse(&c, obj, &r) < 0)
			return -1;
	} else if (len >= 4 && strcmp(c.kind + len - 4, "List") == 0) {
		/* A List without items (items: null) holds nothing. */
		r.type = KUBE_NONE;
	} else {
		r.type = KUBE_OTHER;
	}
	*out = r;
	return 0;
}

int kube_put(struct inventory *inv, const struct kube_record *r)
{
	switch (r->type) {
	case KUBE_NONE:
	case KUBE_OTHER:
		return 0;
	case KUBE_NAMESPACE:
		return inventory_put_namespace(inv, &r->u.namespace);
	case KUBE_NODE:
		return inventory_put_node(inv, &r->u.node);
	case KUBE_POD:
		return inventory_put_pod(inv, &r->u.pod);
	case KUBE_SERVICE:
		return inventory_put_service(inv, &r->u.service);
	case KUBE_OWNER:
		return inventory_put_owner(inv, &r->u.owner);
	}
	return 0;
}
