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

#include "podflow/addr.h"
#include "podflow/errmsg.h"
#include "podflow/grow.h"
#include "podflow/kname.h"
#include "podflow/timefmt.h"
#include "kube.h"

/* Where an object went wrong, for messages. */
struct ctx {
	const char *source;
	const char *kind;
	char what[2 * KNAME_QUOTE_MAX + 32]; /* "Pod NAMESPACE/NAME" */
	const struct knode *obj;
	struct arena *a;
	int64_t at;
	int oom; /* the failure was memory, not the object */
};

/* What a name or label text must be, and how a message says it. */
struct rule {
	int (*ok)(const char *s);
	const char *what;
};

static const struct rule dns_label = {
	kname_is_dns_label,
	"a DNS-1123 label (at most 63 of a-z, 0-9 and '-', alphanumeric "
	"at both ends)"
};
static const struct rule dns_subdomain = {
	kname_is_dns_subdomain,
	"a DNS-1123 subdomain (at most 253 of a-z, 0-9, '-' and '.', "
	"alphanumeric at both ends of each part)"
};
static const struct rule dns1035_label = {
	kname_is_dns1035_label,
	"a DNS-1035 label (at most 63 of a-z, 0-9 and '-', a letter first)"
};
static const struct rule label_key = {
	kname_is_label_key,
	"a label key ([DNS-subdomain/]name, the name at most 63 of A-Z, a-z, "
	"0-9, '-', '_' and '.', alphanumeric at both ends)"
};
static const struct rule label_value = {
	kname_is_label_value,
	"a label value (empty, or at most 63 of A-Z, a-z, 0-9, '-', '_' and "
	"'.', alphanumeric at both ends)"
};
static const struct rule port_name = {
	kname_is_port_name,
	"a port name (at most 15 of a-z, 0-9 and '-', with a letter, no '-' "
	"at either end or twice)"
};

/*
 * Fails with "SOURCE:LINE:COLUMN: KIND NAMESPACE/NAME: MESSAGE", where n
 * (or, when NULL, the object) starts.  Returns -1.
 */
static int fail_at(const struct ctx *c, const struct knode *n,
		   const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int fail_at(const struct ctx *c, const struct knode *n,
		   const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (n == NULL)
		n = c->obj;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	errmsg_set_at(c->source, n->line, n->column, "%s: %s",
		      c->what[0] ? c->what : c->kind, msg);
	return -1;
}

static int no_memory(struct ctx *c)
{
	c->oom = 1;
	errmsg_set("out of memory");
	return -1;
}

/*
 * The text of n: a scalar without NUL.  The API server never stores a
 * NUL in a name or label, and a reader stopping at one would read another
 * name than the object has.
 */
static int text_of(const struct ctx *c, const struct knode *n,
		   const char *path, const char **out)
{
	if (n->type != KNODE_SCALAR || n->value == NULL)
		return fail_at(c, n, "%s is not a string", path);
	if (strlen(n->value) != n->len)
		return fail_at(c, n, "%s holds a NUL byte", path);
	*out = n->value;
	return 0;
}

/* An optional string field: NULL when absent or null. */
static int text_at(const struct ctx *c, const struct knode *from,
		   const char *path, const char **out)
{
	const struct knode *n = knode_at(from, path);

	*out = NULL;
	if (knode_is_null(n))
		return 0;
	return text_of(c, n, path, out);
}

/* v, the text of n at path, must follow rule r. */
static int check(const struct ctx *c, const struct knode *n,
		 const char *path, const char *v, const struct rule *r)
{
	char q[KNAME_QUOTE_MAX];

	if (r->ok(v))
		return 0;
	return fail_at(c, n, "%s %s is not %s", path,
		       kname_quote(q, v, strlen(v)), r->what);
}

/* A required string field. */
static int need(const struct ctx *c, const struct knode *from,
		const char *path, const char **out)
{
	const char *v;

	if (text_at(c, from, path, &v) < 0)
		return -1;
	if (v == NULL || v[0] == '\0')
		return fail_at(c, from, "missing %s", path);
	*out = v;
	return 0;
}

/* A required name field, which must follow rule r. */
static int need_name(const struct ctx *c, const struct knode *from,
		     const char *path, const struct rule *r, const char **out)
{
	if (need(c, from, path, out) < 0)
		return -1;
	return check(c, knode_at(from, path), path, *out, r);
}

/* An optional name field: as need_name(), NULL when absent. */
static int name_at(const struct ctx *c, const struct knode *from,
		   const char *path, const struct rule *r, const char **out)
{
	if (text_at(c, from, path, out) < 0)
		return -1;
	if (*out == NULL)
		return 0;
	return check(c, knode_at(from, path), path, *out, r);
}

/* An optional RFC 3339 time field; 0 when absent. */
static int time_at(const struct ctx *c, const struct knode *from,
		   const char *path, int64_t *out)
{
	const struct knode *n = knode_at(from, path);

	*out = 0;
	if (knode_is_null(n))
		return 0;
	if (n->type != KNODE_SCALAR || strlen(n->value) != n->len ||
	    timefmt_parse_rfc3339(n->value, out) < 0)
		return fail_at(c, n, "%s is not an RFC 3339 time", path);
	return 0;
}

/*
 * Whether n is a plain decimal integer, as JSON writes one; *v its value
 * when it is.  A quoted "80" is a string to the API server, and 0x50 or
 * 080 no JSON number.
 */
static int is_decimal(const struct knode *n, long *v)
{
	const char *s = n->value;
	long x = 0;
	size_t i = 0;

	if (n->type != KNODE_SCALAR || s == NULL || !n->plain ||
	    strlen(s) != n->len)
		return 0;
	if (s[0] == '-')
		i++;
	if (s[i] < '0' || s[i] > '9' || (s[i] == '0' && s[i + 1] != '\0'))
		return 0;
	for (; s[i] >= '0' && s[i] <= '9'; i++) {
		if (x > 1000000000L)
			return 0;
		x = x * 10 + (s[i] - '0');
	}
	if (s[i] != '\0')
		return 0;
	*v = s[0] == '-' ? -x : x;
	return 1;
}

/* An optional integer field within [min, max]; def when absent. */
static int int_at(const struct ctx *c, const struct knode *from,
		  const char *path, long min, long max, long def, long *out)
{
	const struct knode *n = knode_at(from, path);
	long v;

	*out = def;
	if (knode_is_null(n))
		return 0;
	if (!is_decimal(n, &v))
		return fail_at(c, n, "%s is not a number", path);
	if (v < min || v > max)
		return fail_at(c, n, "%s %ld is out of range (%ld to %ld)", path,
			       v, min, max);
	*out = v;
	return 0;
}

/* An optional protocol field: TCP, UDP or SCTP; TCP when absent. */
static int protocol_at(const struct ctx *c, const struct knode *from,
		       const char *path, const char **out)
{
	char q[KNAME_QUOTE_MAX];

	if (text_at(c, from, path, out) < 0)
		return -1;
	if (*out == NULL) {
		*out = "TCP";
		return 0;
	}
	if (strcmp(*out, "TCP") == 0 || strcmp(*out, "UDP") == 0 ||
	    strcmp(*out, "SCTP") == 0)
		return 0;
	return fail_at(c, knode_at(from, path),
		       "%s %s is not TCP, UDP or SCTP", path,
		       kname_quote(q, *out, strlen(*out)));
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

/*
 * A map of label keys to label values (metadata.labels, a Service's
 * selector, matchLabels), checked as the API server checks labels.
 */
static int check_labels(const struct ctx *c, const struct knode *n,
			const char *path)
{
	char k[KNAME_QUOTE_MAX], q[KNAME_QUOTE_MAX];

	if (n->type != KNODE_MAP)
		return fail_at(c, n, "%s is not a map", path);
	for (size_t i = 0; i < n->n; i++) {
		const struct knode *vn = n->items[i];
		const char *key = n->keys[i]->value;

		kname_escape(k, key, strlen(key));
		if (!kname_is_label_key(key))
			return fail_at(c, n->keys[i], "%s: key '%s' is not %s",
				       path, k, label_key.what);
		/* A null is no label value: the API server stores strings. */
		if (vn->type != KNODE_SCALAR || vn->value == NULL)
			return fail_at(c, vn, "%s.%s is not a string", path, k);
		if (strlen(vn->value) != vn->len ||
		    !kname_is_label_value(vn->value))
			return fail_at(c, vn, "%s.%s %s is not %s", path, k,
				       kname_quote(q, vn->value, vn->len),
				       label_value.what);
	}
	return 0;
}

/* Labels as a JSON object of strings; "{}" when there are none. */
static int labels_json(struct ctx *c, const struct knode *from,
		       const char *path, const char **out)
{
	const struct knode *n = knode_at(from, path);

	if (knode_is_null(n)) {
		*out = "{}";
		return 0;
	}
	if (check_labels(c, n, path) < 0)
		return -1;
	*out = kube_to_json(c->a, n);
	return *out ? 0 : no_memory(c);
}

/*
 * A LabelSelector (a workload's spec.selector): matchLabels, and
 * matchExpressions whose operator asks values (In, NotIn) or none
 * (Exists, DoesNotExist).
 */
static int check_selector(const struct ctx *c, const struct knode *sel,
			  const char *path)
{
	const struct knode *ml = knode_at(sel, "matchLabels");
	const struct knode *me = knode_at(sel, "matchExpressions");
	char q[KNAME_QUOTE_MAX];

	if (sel->type != KNODE_MAP)
		return fail_at(c, sel, "%s is not a map", path);
	if (!knode_is_null(ml) &&
	    check_labels(c, ml, "matchLabels") < 0)
		return -1;
	if (knode_is_null(me))
		return 0;
	if (me->type != KNODE_SEQ)
		return fail_at(c, me, "matchExpressions is not a list");
	for (size_t i = 0; i < me->n; i++) {
		const struct knode *e = me->items[i];
		const struct knode *vals = knode_at(e, "values");
		const char *key, *op;
		size_t nvals = 0;
		int want_values;

		if (need_name(c, e, "key", &label_key, &key) < 0 ||
		    need(c, e, "operator", &op) < 0)
			return -1;
		if (strcmp(op, "In") == 0 || strcmp(op, "NotIn") == 0)
			want_values = 1;
		else if (strcmp(op, "Exists") == 0 ||
			 strcmp(op, "DoesNotExist") == 0)
			want_values = 0;
		else
			return fail_at(c, e, "operator %s is not In, NotIn, "
					     "Exists or DoesNotExist",
				       kname_quote(q, op, strlen(op)));
		if (!knode_is_null(vals)) {
			if (vals->type != KNODE_SEQ)
				return fail_at(c, vals, "values is not a list");
			for (size_t j = 0; j < vals->n; j++) {
				const char *v;

				if (text_of(c, vals->items[j], "values[]",
					    &v) < 0 ||
				    check(c, vals->items[j], "values[]", v,
					  &label_value) < 0)
					return -1;
			}
			nvals = vals->n;
		}
		if (want_values && nvals == 0)
			return fail_at(c, e, "operator %s needs values", op);
		if (!want_values && nvals > 0)
			return fail_at(c, e, "operator %s takes no values", op);
	}
	return 0;
}

/* The controlling ownerReference: kind and name, or NULLs. */
static int controller(const struct ctx *c, const struct knode *obj,
		      const char **kind, const char **name)
{
	const struct knode *refs = knode_at(obj, "metadata.ownerReferences");

	*kind = *name = NULL;
	if (knode_is_null(refs))
		return 0;
	if (refs->type != KNODE_SEQ)
		return fail_at(c, refs, "metadata.ownerReferences is not a list");
	for (size_t i = 0; i < refs->n; i++) {
		const struct knode *r = refs->items[i];

		if (!is_true(r, "controller"))
			continue;
		/* Every kind's objects are named as DNS subdomains. */
		if (need(c, r, "kind", kind) < 0 ||
		    need_name(c, r, "name", &dns_subdomain, name) < 0)
			return -1;
		/* A kind is a type's name: it goes into policy names. */
		if (!kname_is_kind(*kind)) {
			char q[KNAME_QUOTE_MAX];

			return fail_at(c, r, "ownerReferences[].kind %s is no kind "
					     "(a letter, then letters and digits)",
				       kname_quote(q, *kind, strlen(*kind)));
		}
		return 0;
	}
	return 0;
}

/*
 * One address as the API server takes it: IPv4 or IPv6 text, no leading
 * zeros (inet_pton() refuses them), and not IPv4-mapped.
 */
static int check_ip(const struct ctx *c, const struct knode *n,
		    const char *path, const char *v)
{
	char q[KNAME_QUOTE_MAX];
	struct addr a;

	if (addr_parse(v, &a) == 0 && !addr_is_v4_mapped(&a))
		return 0;
	return fail_at(c, n, "%s %s is not an IP address", path,
		       kname_quote(q, v, strlen(v)));
}

/*
 * The addresses of a list field (status.podIPs[].ip; field NULL: the
 * items themselves) or, when it holds none, of the single field
 * (status.podIP) that older clusters print alone.  A Service's "None"
 * (headless) is let through when none_ok.
 */
static int addresses(struct ctx *c, const struct knode *obj,
		     const char *list, const char *field, const char *single,
		     int none_ok, const char *const **out, size_t *n)
{
	const struct knode *seq = knode_at(obj, list);
	const char **ips;
	const char *one;
	char path[64];
	size_t cap = 1;

	*out = NULL;
	*n = 0;
	if (!knode_is_null(seq) && seq->type != KNODE_SEQ)
		return fail_at(c, seq, "%s is not a list", list);
	if (seq != NULL && seq->type == KNODE_SEQ && seq->n > 0)
		cap = seq->n;
	if ((ips = arena_alloc(c->a, cap * sizeof(*ips))) == NULL)
		return no_memory(c);
	for (size_t i = 0; seq != NULL && seq->type == KNODE_SEQ && i < seq->n;
	     i++) {
		const struct knode *item = seq->items[i];
		const char *v;

		snprintf(path, sizeof(path), "%s[]%s%s", list, field ? "." : "",
			 field ? field : "");
		if (field != NULL) {
			if (text_at(c, item, field, &v) < 0)
				return -1;
			item = knode_at(item, field);
		} else if (text_of(c, item, path, &v) < 0) {
			return -1;
		}
		if (v == NULL || v[0] == '\0')
			continue;
		if (!(none_ok && strcmp(v, "None") == 0) &&
		    check_ip(c, item, path, v) < 0)
			return -1;
		ips[(*n)++] = v;
	}
	if (*n == 0) {
		if (text_at(c, obj, single, &one) < 0)
			return -1;
		if (one != NULL && one[0] != '\0') {
			if (!(none_ok && strcmp(one, "None") == 0) &&
			    check_ip(c, knode_at(obj, single), single, one) < 0)
				return -1;
			ips[(*n)++] = one;
		}
	}
	*out = ips;
	return 0;
}

/*
 * The object's namespace, "default" when it names none.  Checked, as
 * the API server checks it: a DNS-1123 label.
 */
static int namespace_of(const struct ctx *c, const struct knode *obj,
			const char **out)
{
	if (name_at(c, obj, "metadata.namespace", &dns_label, out) < 0)
		return -1;
	if (*out == NULL || (*out)[0] == '\0')
		*out = "default";
	return 0;
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

/* A list field, if there; NULL when absent or null. */
static int list_at(const struct ctx *c, const struct knode *from,
		   const char *path, const struct knode **out)
{
	const struct knode *n = knode_at(from, path);

	*out = NULL;
	if (knode_is_null(n))
		return 0;
	if (n->type != KNODE_SEQ)
		return fail_at(c, n, "%s is not a list", path);
	*out = n;
	return 0;
}

/* Container ports of containers and (sidecar) init containers. */
static int pod_ports(struct ctx *c, const struct knode *obj, struct inv_pod *p)
{
	static const char *const lists[] = { "spec.containers",
					     "spec.initContainers" };
	const struct knode *cs[2], *ps;
	size_t cap = 0;
	struct inv_port *ports;

	for (int l = 0; l < 2; l++) {
		if (list_at(c, obj, lists[l], &cs[l]) < 0)
			return -1;
		for (size_t i = 0; cs[l] != NULL && i < cs[l]->n; i++) {
			if (list_at(c, cs[l]->items[i], "ports", &ps) < 0)
				return -1;
			cap += ps ? ps->n : 0;
		}
	}
	if (cap == 0)
		return 0;
	if ((ports = arena_alloc(c->a, cap * sizeof(*ports))) == NULL)
		return no_memory(c);
	for (int l = 0; l < 2; l++) {
		for (size_t i = 0; cs[l] != NULL && i < cs[l]->n; i++) {
			const struct knode *ct = cs[l]->items[i];
			const char *cname;

			if (need_name(c, ct, "name", &dns_label, &cname) < 0)
				return -1;
			ps = knode_at(ct, "ports");
			for (size_t j = 0; ps && ps->type == KNODE_SEQ && j < ps->n;
			     j++) {
				const struct knode *pn = ps->items[j];
				struct inv_port *pt = &ports[p->n_ports];
				long port;

				if (int_at(c, pn, "containerPort", 1, 65535, -1,
					   &port) < 0 ||
				    name_at(c, pn, "name", &port_name,
					    &pt->name) < 0 ||
				    protocol_at(c, pn, "protocol",
						&pt->protocol) < 0)
					return -1;
				if (port < 0)
					return fail_at(c, pn,
						       "missing containerPort");
				pt->container = cname;
				pt->port = (int)port;
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
	const struct knode *st;

	p->finished = 0;
	if (p->phase == NULL || (strcmp(p->phase, "Succeeded") != 0 &&
				 strcmp(p->phase, "Failed") != 0))
		return 0;
	if (list_at(c, obj, "status.containerStatuses", &st) < 0)
		return -1;
	for (size_t i = 0; st != NULL && i < st->n; i++) {
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
	const char *host_network, *phase;

	if (need_name(c, obj, "metadata.name", &dns_subdomain, &p->name) < 0 ||
	    namespace_of(c, obj, &p->namespace) < 0 ||
	    need(c, obj, "metadata.uid", &p->uid) < 0 ||
	    labels_json(c, obj, "metadata.labels", &p->labels) < 0 ||
	    time_at(c, obj, "metadata.creationTimestamp", &p->created) < 0 ||
	    time_at(c, obj, "metadata.deletionTimestamp", &p->deleted) < 0 ||
	    time_at(c, obj, "status.startTime", &p->started) < 0 ||
	    controller(c, obj, &p->controller_kind, &p->controller_name) < 0 ||
	    name_at(c, obj, "spec.nodeName", &dns_subdomain, &p->node) < 0 ||
	    text_at(c, obj, "spec.hostNetwork", &host_network) < 0 ||
	    text_at(c, obj, "status.phase", &phase) < 0)
		return -1;
	p->host_network = host_network && strcmp(host_network, "true") == 0;
	p->phase = phase;
	p->template_hash = knode_str(obj, "metadata.labels.pod-template-hash");
	if (pod_finished(c, obj, p) < 0 || pod_ports(c, obj, p) < 0)
		return -1;
	pod_workload(c, p);
	if (addresses(c, obj, "status.podIPs", "ip", "status.podIP", 0,
		      &p->ips, &p->n_ips) < 0 ||
	    addresses(c, obj, "status.hostIPs", "ip", "status.hostIP", 0,
		      &p->host_ips, &p->n_host_ips) < 0)
		return -1;
	return 0;
}

/*
 * A Service's targetPort: a number (1 to 65535) or a container port's
 * name; its port when absent.
 */
static int target_port(struct ctx *c, const struct knode *pn, long port,
		       const char **out)
{
	const struct knode *n = knode_at(pn, "targetPort");
	char num[24];
	long v;

	if (!knode_is_null(n) && is_decimal(n, &v)) {
		if (v < 1 || v > 65535)
			return fail_at(c, n, "targetPort %ld is out of range "
					     "(1 to 65535)", v);
		*out = n->value;
		return 0;
	}
	if (name_at(c, pn, "targetPort", &port_name, out) < 0)
		return -1;
	if (*out != NULL)
		return 0;
	snprintf(num, sizeof(num), "%ld", port);
	if ((*out = arena_strdup(c->a, num)) == NULL)
		return no_memory(c);
	return 0;
}

static int parse_service(struct ctx *c, const struct knode *obj,
			 struct kube_record *r)
{
	struct inv_service *s = &r->u.service;
	const struct knode *sel = knode_at(obj, "spec.selector");
	const struct knode *ports;
	struct inv_service_port *sp;

	if (need_name(c, obj, "metadata.name", &dns1035_label, &s->name) < 0 ||
	    namespace_of(c, obj, &s->namespace) < 0 ||
	    text_at(c, obj, "metadata.uid", &s->uid) < 0 ||
	    time_at(c, obj, "metadata.creationTimestamp", &s->created) < 0 ||
	    text_at(c, obj, "spec.type", &s->type) < 0 ||
	    list_at(c, obj, "spec.ports", &ports) < 0)
		return -1;
	if (s->type == NULL)
		s->type = "ClusterIP";
	if (!knode_is_null(sel) &&
	    (sel->type != KNODE_MAP || sel->n > 0) &&
	    labels_json(c, obj, "spec.selector", &s->selector) < 0)
		return -1;
	if (addresses(c, obj, "spec.clusterIPs", NULL, "spec.clusterIP", 1,
		      &s->cluster_ips, &s->n_cluster_ips) < 0)
		return -1;
	/* A headless Service has no address of its own. */
	if (s->n_cluster_ips > 0 && strcmp(s->cluster_ips[0], "None") == 0)
		s->n_cluster_ips = 0;
	if (ports == NULL || ports->n == 0)
		return 0;
	if ((sp = arena_alloc(c->a, ports->n * sizeof(*sp))) == NULL)
		return no_memory(c);
	for (size_t i = 0; i < ports->n; i++) {
		const struct knode *pn = ports->items[i];
		long port, node_port;

		if (int_at(c, pn, "port", 1, 65535, -1, &port) < 0 ||
		    int_at(c, pn, "nodePort", 0, 65535, 0, &node_port) < 0 ||
		    name_at(c, pn, "name", &dns_label, &sp[i].name) < 0 ||
		    protocol_at(c, pn, "protocol", &sp[i].protocol) < 0)
			return -1;
		if (port < 0)
			return fail_at(c, pn, "missing spec.ports[].port");
		sp[i].port = (int)port;
		sp[i].node_port = (int)node_port;
		if (target_port(c, pn, port, &sp[i].target_port) < 0)
			return -1;
	}
	s->ports = sp;
	s->n_ports = ports->n;
	return 0;
}

static int parse_namespace(struct ctx *c, const struct knode *obj,
			   struct kube_record *r)
{
	struct inv_namespace *ns = &r->u.namespace;

	if (need_name(c, obj, "metadata.name", &dns_label, &ns->name) < 0 ||
	    labels_json(c, obj, "metadata.labels", &ns->labels) < 0)
		return -1;
	return 0;
}

static int parse_node(struct ctx *c, const struct knode *obj,
		      struct kube_record *r)
{
	struct inv_node *node = &r->u.node;
	const struct knode *addrs;
	struct inv_node_address *list;

	if (need_name(c, obj, "metadata.name", &dns_subdomain,
		      &node->name) < 0 ||
	    labels_json(c, obj, "metadata.labels", &node->labels) < 0 ||
	    list_at(c, obj, "status.addresses", &addrs) < 0)
		return -1;
	if (addrs == NULL || addrs->n == 0)
		return 0;
	if ((list = arena_alloc(c->a, addrs->n * sizeof(*list))) == NULL)
		return no_memory(c);
	for (size_t i = 0; i < addrs->n; i++) {
		const struct knode *an = addrs->items[i];
		const char *type, *addr;

		if (text_at(c, an, "type", &type) < 0 ||
		    text_at(c, an, "address", &addr) < 0)
			return -1;
		/* Hostnames are addresses too, but never in a flow. */
		if (type == NULL || addr == NULL ||
		    (strcmp(type, "InternalIP") != 0 &&
		     strcmp(type, "ExternalIP") != 0))
			continue;
		if (check_ip(c, knode_at(an, "address"), "status.addresses[]",
			     addr) < 0)
			return -1;
		list[node->n_addresses].type = type;
		list[node->n_addresses++].address = addr;
	}
	node->addresses = list;
	return 0;
}

static int parse_owner(struct ctx *c, const struct knode *obj,
		       struct kube_record *r)
{
	struct inv_owner *o = &r->u.owner;
	const struct knode *sel = knode_at(obj, "spec.selector");

	o->kind = c->kind;
	if (need_name(c, obj, "metadata.name", &dns_subdomain, &o->name) < 0 ||
	    namespace_of(c, obj, &o->namespace) < 0 ||
	    text_at(c, obj, "metadata.uid", &o->uid) < 0 ||
	    controller(c, obj, &o->owner_kind, &o->owner_name) < 0)
		return -1;
	if (knode_is_null(sel))
		return 0;
	if (check_selector(c, sel, "spec.selector") < 0)
		return -1;
	if ((o->selector = kube_to_json(c->a, sel)) == NULL)
		return no_memory(c);
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

/*
 * "KIND NAMESPACE/NAME" (or "KIND NAME" for a cluster-scoped kind) into
 * c->what, from the object as it is: the names may be what is wrong.
 */
static void name_object(struct ctx *c, const struct knode *obj,
			enum kube_type type)
{
	const struct knode *ns = knode_at(obj, "metadata.namespace");
	const struct knode *name = knode_at(obj, "metadata.name");
	char qns[KNAME_QUOTE_MAX], qname[KNAME_QUOTE_MAX];
	int scoped = type != KUBE_NAMESPACE && type != KUBE_NODE;

	if (name == NULL || name->type != KNODE_SCALAR || name->value == NULL) {
		snprintf(c->what, sizeof(c->what), "%s", c->kind);
		return;
	}
	kname_escape(qname, name->value, name->len);
	if (ns != NULL && ns->type == KNODE_SCALAR && ns->value != NULL)
		kname_escape(qns, ns->value, ns->len);
	else
		snprintf(qns, sizeof(qns), "default");
	if (scoped)
		snprintf(c->what, sizeof(c->what), "%s %s/%s", c->kind, qns,
			 qname);
	else
		snprintf(c->what, sizeof(c->what), "%s %s", c->kind, qname);
}

/* Whether the scalar at path holds a NUL. */
static int has_nul(const struct knode *obj, const char *path)
{
	const struct knode *n = knode_at(obj, path);

	return n != NULL && n->type == KNODE_SCALAR && n->value != NULL &&
	       strlen(n->value) != n->len;
}

/*
 * The scalar text at path, NULL when absent, not a string or holding a
 * NUL: "web\0x" must not find (and keep) what the store has of "web".
 */
static const char *whole_text(const struct knode *obj, const char *path)
{
	return has_nul(obj, path) ? NULL : knode_str(obj, path);
}

/*
 * The object refused, with what finds what the store knows of it: its
 * fields as they are (NULL when not a string), the message as the why.
 */
static int refuse(struct ctx *c, const struct knode *obj,
		  enum kube_type as, struct kube_record *r)
{
	struct kube_invalid *bad = &r->u.invalid;

	memset(&r->u, 0, sizeof(r->u));
	r->type = KUBE_INVALID;
	bad->as = as;
	bad->what = arena_strdup(c->a, c->what);
	bad->why = arena_strdup(c->a, errmsg_get());
	if (bad->what == NULL || bad->why == NULL)
		return no_memory(c);
	bad->uid = whole_text(obj, "metadata.uid");
	bad->name = whole_text(obj, "metadata.name");
	bad->namespace = whole_text(obj, "metadata.namespace");
	/* As namespace_of() reads it: absent, null or "" is "default". */
	if ((bad->namespace == NULL || bad->namespace[0] == '\0') &&
	    !has_nul(obj, "metadata.namespace"))
		bad->namespace = "default";
	return 0;
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
		name_object(&c, obj, k->type);
		if (k->parse(&c, obj, &r) < 0) {
			if (c.oom || refuse(&c, obj, k->type, &r) < 0)
				return -1;
		}
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
	case KUBE_INVALID:
		if (r->u.invalid.as == KUBE_POD)
			return inventory_keep_pod(inv, r->u.invalid.uid,
						  r->u.invalid.namespace,
						  r->u.invalid.name);
		if (r->u.invalid.as == KUBE_SERVICE)
			return inventory_keep_service(inv,
						      r->u.invalid.namespace,
						      r->u.invalid.name);
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
