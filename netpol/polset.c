/*
 * polset: reading NetworkPolicy manifests (polset.h).
 *
 * The checks are the API server's (ValidateNetworkPolicy): a manifest it
 * would refuse is refused here, with the file, document and line, so that
 * a reviewer never proves traffic against a policy that cannot exist.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "podflow/errmsg.h"
#include "podflow/grow.h"
#include "podflow/kname.h"
#include "podflow/netpol.h"
#include "podflow/polset.h"
#include "podflow/proto.h"

/* Where a policy is being read, for messages. */
struct ctx {
	const char *source;
	int document;
	const char *what; /* "NetworkPolicy NS/NAME", once known */
	struct arena *a;
};

static int bad(const struct ctx *c, const struct knode *n, const char *fmt,
	       ...) __attribute__((format(printf, 3, 4)));

static int bad(const struct ctx *c, const struct knode *n, const char *fmt,
	       ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	errmsg_set_at(c->source, n->line, n->column, "document %d: %s: %s",
		      c->document, c->what, msg);
	return -1;
}

/*
 * Text from the input as a message shows it (kname_quote()), in a buffer
 * that lives as long as the call it is an argument of.
 */
#define Q(s) kname_quote((char[KNAME_QUOTE_MAX]){ 0 }, (s), strlen(s))

/*
 * Refuses a key of map n that is not in known (NULL-terminated), as the
 * API server's strict field validation does: a misspelt "from" must not
 * become a rule that allows everyone.
 */
static int known_keys(const struct ctx *c, const struct knode *n,
		      const char *const *known)
{
	for (size_t i = 0; n != NULL && n->type == KNODE_MAP && i < n->n; i++) {
		size_t k = 0;

		while (known[k] != NULL &&
		       strcmp(known[k], n->keys[i]->value) != 0)
			k++;
		if (known[k] == NULL)
			return bad(c, n->keys[i], "unknown field %s",
				   Q(n->keys[i]->value));
	}
	return 0;
}

/* A sequence, or null/absent (0 items): anything else is an error. */
static int seq_at(const struct ctx *c, const struct knode *from,
		  const char *key, const struct knode **out)
{
	const struct knode *n = knode_at(from, key);

	*out = NULL;
	if (knode_is_null(n))
		return 0;
	if (n->type != KNODE_SEQ)
		return bad(c, n, "%s must be a list", key);
	*out = n;
	return 0;
}

/*
 * n's text as the API server gets it, after kubectl's YAML-to-JSON step:
 * a string without NUL.  A bare 1.20, yes or 0x50 is no string there
 * (YAML 1.1), and the API server refuses it where a string belongs.
 */
static int string_of(const struct ctx *c, const struct knode *n,
		     const char *what, const char **out)
{
	char q[KNAME_QUOTE_MAX];
	struct kjson v;

	if (n->type != KNODE_SCALAR)
		return bad(c, n, "%s must be a string", what);
	if (knode_resolve(n, &v) < 0)
		return bad(c, n, "%s: %s", what, errmsg_get());
	if (v.type != KJSON_STRING)
		return bad(c, n,
			   "%s: %s is a %s to kubectl (YAML 1.1), not a string: "
			   "quote it",
			   what, kname_quote(q, n->value ? n->value : "null",
					     n->value ? n->len : 4),
			   v.type == KJSON_NUMBER ? "number"
			   : v.type == KJSON_BOOL ? "boolean"
						  : "null");
	if (strlen(n->value) != n->len)
		return bad(c, n, "%s %s holds a NUL byte", what,
			   kname_quote(q, n->value, n->len));
	*out = n->value;
	return 0;
}

/*
 * A whole number field (port, endPort) as the API server decodes its
 * JSON: 0x50, 010 and 8e1 are numbers by then (80, 8, 80), 80.5 is none.
 * Returns 0 and *out, 1 when n is a string (a port name, if the field
 * takes one), or -1.
 */
static int number_of(const struct ctx *c, const struct knode *n,
		     const char *what, long *out)
{
	struct kjson v;

	if (n->type != KNODE_SCALAR)
		return bad(c, n, "%s must be a number", what);
	if (knode_resolve(n, &v) < 0)
		return bad(c, n, "%s must be a number: %s", what, errmsg_get());
	if (v.type == KJSON_STRING)
		return 1;
	if (v.type != KJSON_NUMBER || !v.integer)
		return bad(c, n, "%s %s: must be a whole number", what,
			   n->value ? n->value : "null");
	if (v.i < 1 || v.i > 65535)
		return bad(c, n, "%s %s (%lld): must be between 1 and 65535",
			   what, n->value, v.i);
	*out = (long)v.i;
	return 0;
}

/*
 * A selector's texts (matchLabels values; expressions' key, operator and
 * values) are strings to the API server, whatever selector_from_node()
 * makes of them: a null or bare number there is refused, not read.
 */
static int selector_strings(const struct ctx *c, const struct knode *n)
{
	const struct knode *ml = knode_at(n, "matchLabels");
	const struct knode *me = knode_at(n, "matchExpressions");
	const char *s;

	for (size_t i = 0; ml != NULL && ml->type == KNODE_MAP && i < ml->n; i++)
		if (string_of(c, ml->items[i], "matchLabels value", &s) < 0)
			return -1;
	for (size_t i = 0; me != NULL && me->type == KNODE_SEQ && i < me->n; i++) {
		const struct knode *e = me->items[i], *k, *op, *vals;

		if (e->type != KNODE_MAP)
			continue;
		k = knode_at(e, "key");
		op = knode_at(e, "operator");
		vals = knode_at(e, "values");
		if ((!knode_is_null(k) && string_of(c, k, "key", &s) < 0) ||
		    (!knode_is_null(op) && string_of(c, op, "operator", &s) < 0))
			return -1;
		for (size_t j = 0; vals != NULL && vals->type == KNODE_SEQ &&
				   j < vals->n;
		     j++)
			if (string_of(c, vals->items[j], "values[]", &s) < 0)
				return -1;
	}
	return 0;
}

/*
 * Gives map m (a copy, which may be changed) the keys kubectl sends: 010
 * becomes "8", on "true" (knode_key_text()).  Two keys that become one
 * are refused, as the API server refuses a key twice.
 */
static int json_keys(const struct ctx *c, struct knode *m, const char *what)
{
	char q[KNAME_QUOTE_MAX];

	if (m == NULL || m->type != KNODE_MAP)
		return 0;
	for (size_t i = 0; i < m->n; i++) {
		const char *text = knode_key_text(m->keys[i], c->a);

		if (text == NULL)
			return bad(c, m->keys[i], "%s: %s", what, errmsg_get());
		if (text != m->keys[i]->value) {
			m->keys[i]->value = text;
			m->keys[i]->len = strlen(text);
		}
		m->keys[i]->plain = 0;
		m->keys[i]->tag = NULL;
		for (size_t j = 0; j < i; j++)
			if (strcmp(m->keys[j]->value, text) == 0)
				return bad(c, m->keys[i],
					   "%s: key %s twice, as kubectl sends "
					   "them (first on line %d)",
					   what, kname_quote(q, text, strlen(text)),
					   m->keys[j]->line);
	}
	return 0;
}

/* metadata.labels and annotations: keys the API server takes, string values. */
static int read_metadata_maps(const struct ctx *c, const struct knode *obj)
{
	static const char *const maps[] = { "metadata.labels",
					    "metadata.annotations" };
	char q[KNAME_QUOTE_MAX];

	for (int m = 0; m < 2; m++) {
		struct knode *n = (struct knode *)knode_at(obj, maps[m]);

		if (knode_is_null(n))
			continue;
		if (n->type != KNODE_MAP)
			return bad(c, n, "%s must be a map", maps[m]);
		if ((n = knode_copy(c->a, n)) == NULL)
			return bad(c, obj, "%s", "out of memory");
		if (json_keys(c, n, maps[m]) < 0)
			return -1;
		for (size_t i = 0; i < n->n; i++) {
			const char *key = n->keys[i]->value, *v;
			char lower[KNAME_QUOTE_MAX];
			size_t len = strlen(key);

			/* The API server checks annotation keys lowercased. */
			if (m == 1 && len < sizeof(lower)) {
				for (size_t k = 0; k <= len; k++)
					lower[k] = key[k] >= 'A' && key[k] <= 'Z'
							   ? (char)(key[k] + 32)
							   : key[k];
				key = lower;
			}
			if (!kname_is_label_key(key))
				return bad(c, n->keys[i],
					   "%s: key %s is not a valid key",
					   maps[m],
					   kname_quote(q, key, strlen(key)));
			if (string_of(c, n->items[i], maps[m], &v) < 0)
				return -1;
			if (m == 0 && !kname_is_label_value(v))
				return bad(c, n->items[i],
					   "%s: %s is not a valid label value",
					   maps[m], kname_quote(q, v, strlen(v)));
		}
	}
	return 0;
}

/* A selector, with the label syntax checks selector_from_node() leaves out. */
static int read_selector(const struct ctx *c, const struct knode *n,
			 struct selector *out)
{
	static const char *const keys[] = { "matchLabels", "matchExpressions",
					    NULL };
	static const char *const expr_keys[] = { "key", "operator", "values",
						 NULL };
	const struct knode *me = knode_at(n, "matchExpressions");
	struct knode *copy;

	if (known_keys(c, n, keys) < 0)
		return -1;
	for (size_t i = 0; me != NULL && me->type == KNODE_SEQ && i < me->n; i++)
		if (known_keys(c, me->items[i], expr_keys) < 0)
			return -1;
	if (n != NULL && selector_strings(c, n) < 0)
		return -1;
	/* matchLabels with the keys kubectl sends (on: x is "true": x). */
	if (n != NULL && n->type == KNODE_MAP) {
		if ((copy = knode_copy(c->a, n)) == NULL)
			return bad(c, n, "%s", "out of memory");
		if (json_keys(c, (struct knode *)knode_at(copy, "matchLabels"),
			      "matchLabels") < 0)
			return -1;
		n = copy;
	}
	if (selector_from_node(n, c->source, c->a, out) < 0) {
		/* "FILE:LINE:COL: problem": put the document after the place. */
		char msg[512];
		size_t slen = strlen(c->source);
		const char *rest = msg;

		snprintf(msg, sizeof(msg), "%s", errmsg_get());
		if (strncmp(msg, c->source, slen) == 0) {
			rest = msg + slen;
			for (int colons = 0; *rest && colons < 3; rest++)
				colons += *rest == ':';
		}
		errmsg_set("%.*s document %d: %s:%s%s", (int)(rest - msg), msg,
			   c->document, c->what, rest == msg ? " " : "", rest);
		return -1;
	}
	for (size_t i = 0; i < out->n; i++) {
		const struct selector_req *r = &out->reqs[i];

		if (!kname_is_label_key(r->key))
			return bad(c, n, "invalid label key %s in selector",
				   Q(r->key));
		for (size_t j = 0; j < r->n_values; j++)
			if (!kname_is_label_value(r->values[j]))
				return bad(c, n,
					   "invalid label value %s in "
					   "selector",
					   Q(r->values[j]));
	}
	return 0;
}

/*
 * An IPv4 address as Go's legacy parser (ParseCIDRSloppy) reads it: each
 * of the four parts decimal, leading zeros allowed ("010" is ten).
 */
static int parse_ipv4_sloppy(const char *text, struct addr *a)
{
	const char *p = text;

	memset(a, 0, sizeof(*a));
	for (int i = 0; i < 4; i++) {
		unsigned long v = 0;
		int digits = 0;

		while (isdigit((unsigned char)*p) && digits < 8) {
			v = v * 10 + (unsigned long)(*p++ - '0');
			digits++;
		}
		if (digits == 0 || v > 255 || *p != (i < 3 ? '.' : '\0'))
			return -1;
		a->bytes[i] = (uint8_t)v;
		if (i < 3)
			p++;
	}
	a->family = AF_INET;
	return 0;
}

/*
 * A CIDR as the API server takes it: host bits set are allowed (older
 * servers never refused them, so applied policies may have them) and
 * cleared here, the way every implementation reads them; an IPv4-mapped
 * IPv6 prefix (::ffff:10.0.0.0/104) is the IPv4 one, as in Go.
 */
static int parse_block(const char *text, struct cidr *out)
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0,
					    0, 0, 0, 0, 0xff, 0xff };
	char buf[CIDR_STRLEN];
	const char *slash = strchr(text, '/');
	char *end;
	long len;
	size_t alen;

	if (slash == NULL || (alen = (size_t)(slash - text)) >= ADDR_STRLEN)
		return -1;
	memcpy(buf, text, alen);
	buf[alen] = '\0';
	if (strchr(buf, ':') == NULL ? parse_ipv4_sloppy(buf, &out->net) < 0
				     : addr_parse(buf, &out->net) < 0)
		return -1;
	errno = 0;
	len = strtol(slash + 1, &end, 10);
	if (slash[1] == '\0' || *end != '\0' || !isdigit((unsigned char)slash[1]) ||
	    len > (out->net.family == AF_INET ? 32 : 128))
		return -1;
	if (out->net.family == AF_INET6 && len >= 96 &&
	    memcmp(out->net.bytes, mapped, sizeof(mapped)) == 0) {
		memmove(out->net.bytes, out->net.bytes + 12, 4);
		memset(out->net.bytes + 4, 0, 12);
		out->net.family = AF_INET;
		len -= 96;
	}
	out->len = (uint8_t)len;
	for (int bit = (int)len; bit < 128; bit++)
		out->net.bytes[bit / 8] &= (uint8_t)~(0x80u >> (bit % 8));
	return 0;
}

/* Nonzero when inner is a strictly smaller part of outer. */
static int strict_subnet(const struct cidr *inner, const struct cidr *outer)
{
	return inner->net.family == outer->net.family &&
	       inner->len > outer->len && cidr_contains(outer, &inner->net);
}

static int read_block(const struct ctx *c, const struct knode *n,
		      struct polset_peer *p)
{
	const struct knode *cidr = knode_at(n, "cidr"), *ex;
	const char *text;

	static const char *const keys[] = { "cidr", "except", NULL };

	p->is_block = 1;
	if (n->type != KNODE_MAP)
		return bad(c, n, "%s must be a map", "ipBlock");
	if (known_keys(c, n, keys) < 0)
		return -1;
	if (knode_is_null(cidr))
		return bad(c, n, "%s: Required value", "ipBlock.cidr");
	if (string_of(c, cidr, "ipBlock.cidr", &text) < 0)
		return -1;
	if (parse_block(text, &p->block) < 0)
		return bad(c, cidr, "ipBlock.cidr %s is not a valid CIDR",
			   Q(text));
	if (seq_at(c, n, "except", &ex) < 0)
		return -1;
	if (ex == NULL || ex->n == 0)
		return 0;
	p->except = arena_alloc(c->a, ex->n * sizeof(*p->except));
	if (p->except == NULL)
		return bad(c, n, "%s", "out of memory");
	for (size_t i = 0; i < ex->n; i++) {
		const struct knode *e = ex->items[i];

		if (string_of(c, e, "ipBlock.except", &text) < 0)
			return -1;
		if (parse_block(text, &p->except[i]) < 0)
			return bad(c, e, "ipBlock.except %s is not a valid CIDR",
				   Q(text));
		if (!strict_subnet(&p->except[i], &p->block))
			return bad(c, e,
				   "ipBlock.except %s must be a strict subset "
				   "of cidr",
				   Q(text));
	}
	p->n_except = ex->n;
	return 0;
}

/* Reads n into item, an element of the array read_list() fills. */
typedef int read_item_fn(const struct ctx *c, const struct knode *n,
			 void *item);

/*
 * Reads each item of seq (NULL: none) with read_item into an arena array
 * of elements of size bytes, and sets *array and *n once all are read.
 */
static int read_list(const struct ctx *c, const struct knode *seq,
		     size_t size, read_item_fn *read_item, void **array,
		     size_t *n)
{
	char *items;

	if (seq == NULL || seq->n == 0)
		return 0;
	items = arena_alloc(c->a, seq->n * size);
	if (items == NULL)
		return bad(c, seq, "%s", "out of memory");
	for (size_t i = 0; i < seq->n; i++)
		if (read_item(c, seq->items[i], items + i * size) < 0)
			return -1;
	*array = items;
	*n = seq->n;
	return 0;
}

/* read_list() for a typed array: READ_LIST(c, seq, r->ports, r->n_ports, f). */
#define READ_LIST(c, seq, array, n, read_item) \
	read_list((c), (seq), sizeof(*(array)), (read_item), \
		  (void **)&(array), &(n))

/* A rule's peer, a struct polset_peer: a read_item_fn. */
static int read_peer(const struct ctx *c, const struct knode *n, void *item)
{
	struct polset_peer *p = item;
	const struct knode *pod = knode_at(n, "podSelector");
	const struct knode *ns = knode_at(n, "namespaceSelector");
	const struct knode *block = knode_at(n, "ipBlock");

	static const char *const keys[] = { "podSelector", "namespaceSelector",
					    "ipBlock", NULL };

	if (n->type != KNODE_MAP)
		return bad(c, n, "%s must be a map", "a peer");
	if (known_keys(c, n, keys) < 0)
		return -1;
	if (knode_is_null(pod) && knode_is_null(ns) && knode_is_null(block))
		return bad(c, n, "%s",
			   "a peer must specify podSelector, namespaceSelector "
			   "or ipBlock");
	if (!knode_is_null(block)) {
		if (!knode_is_null(pod) || !knode_is_null(ns))
			return bad(c, n, "%s",
				   "ipBlock may not be combined with "
				   "podSelector or namespaceSelector");
		return read_block(c, block, p);
	}
	p->has_pod_selector = !knode_is_null(pod);
	p->has_ns_selector = !knode_is_null(ns);
	if (p->has_pod_selector && read_selector(c, pod, &p->pod_selector) < 0)
		return -1;
	if (p->has_ns_selector && read_selector(c, ns, &p->ns_selector) < 0)
		return -1;
	return 0;
}

/* A rule's port, a struct polset_port: a read_item_fn. */
static int read_port(const struct ctx *c, const struct knode *n, void *item)
{
	struct polset_port *p = item;
	const struct knode *proto = knode_at(n, "protocol");
	const struct knode *port = knode_at(n, "port");
	const struct knode *end = knode_at(n, "endPort");
	char q[KNAME_QUOTE_MAX];
	const char *text;
	long v;
	int rc;

	static const char *const keys[] = { "protocol", "port", "endPort", NULL };

	if (n->type != KNODE_MAP)
		return bad(c, n, "%s must be a map", "a port");
	if (known_keys(c, n, keys) < 0)
		return -1;
	/* proto.h's own spelling: the tree's text goes with its document. */
	p->protocol = "TCP";
	if (!knode_is_null(proto)) {
		if (string_of(c, proto, "protocol", &text) < 0)
			return -1;
		if ((p->protocol = proto_policy_name(text, 0)) == NULL)
			return bad(c, proto,
				   "protocol %s: must be TCP, UDP or SCTP",
				   kname_quote(q, text, strlen(text)));
	}
	if (!knode_is_null(port)) {
		if ((rc = number_of(c, port, "port", &v)) < 0)
			return -1;
		if (rc == 0) {
			p->port = (int)v;
		} else if (string_of(c, port, "port", &text) < 0) {
			return -1;
		} else if (kname_is_port_name(text)) {
			if ((p->name = arena_strdup(c->a, text)) == NULL)
				return bad(c, port, "%s", "out of memory");
		} else {
			/* A quoted "80" is a port name to the API server. */
			return bad(c, port,
				   "port %s: must be a number or a valid port "
				   "name%s",
				   kname_quote(q, text, strlen(text)),
				   port->plain ? ""
					       : " (quoted, a number is a name)");
		}
	}
	if (!knode_is_null(end)) {
		if ((rc = number_of(c, end, "endPort", &v)) < 0)
			return -1;
		if (rc == 1)
			return bad(c, end, "endPort %s: must be a number",
				   kname_quote(q, end->value, end->len));
		if (p->port == 0)
			return bad(c, end, "%s",
				   "endPort may only be set with a numeric port");
		if (v < p->port)
			return bad(c, end,
				   "endPort %ld: must be greater than or equal "
				   "to port",
				   v);
		p->end_port = (int)v;
	}
	return 0;
}

static int read_rules(const struct ctx *c, const struct knode *list,
		      const char *peers_key, struct polset_rule **out,
		      size_t *n_out)
{
	struct polset_rule *rules;

	*out = NULL;
	*n_out = 0;
	if (list == NULL || list->n == 0)
		return 0;
	rules = arena_alloc(c->a, list->n * sizeof(*rules));
	if (rules == NULL)
		return bad(c, list, "%s", "out of memory");
	for (size_t i = 0; i < list->n; i++) {
		const struct knode *r = list->items[i], *peers, *ports;
		struct polset_rule *rule = &rules[i];

		rule->line = r->line;
		if (knode_is_null(r))
			continue; /* `- {}` written as `-`: every peer, port */
		const char *const keys[] = { peers_key, "ports", NULL };

		if (r->type != KNODE_MAP)
			return bad(c, r, "%s must be a map", "a rule");
		if (known_keys(c, r, keys) < 0 ||
		    seq_at(c, r, peers_key, &peers) < 0 ||
		    seq_at(c, r, "ports", &ports) < 0)
			return -1;
		if (READ_LIST(c, peers, rule->peers, rule->n_peers,
			      read_peer) < 0 ||
		    READ_LIST(c, ports, rule->ports, rule->n_ports,
			      read_port) < 0)
			return -1;
	}
	*out = rules;
	*n_out = list->n;
	return 0;
}

/* policyTypes, or the API server's default when absent. */
static int read_types(const struct ctx *c, const struct knode *spec,
		      const struct knode *egress, struct polset_policy *p)
{
	const struct knode *types;

	if (seq_at(c, spec, "policyTypes", &types) < 0)
		return -1;
	if (types == NULL || types->n == 0) {
		/* Only a non-empty egress list makes it an egress policy. */
		p->ingress = 1;
		p->egress = egress != NULL && egress->n > 0;
		return 0;
	}
	if (types->n > 2)
		return bad(c, types, "%s", "policyTypes: at most two values");
	for (size_t i = 0; i < types->n; i++) {
		const char *t;

		if (string_of(c, types->items[i], "policyTypes", &t) < 0)
			return -1;
		if (strcmp(t, "Ingress") == 0)
			p->ingress = 1;
		else if (strcmp(t, "Egress") == 0)
			p->egress = 1;
		else
			return bad(c, types->items[i],
				   "policyTypes: %s is not Ingress or Egress",
				   Q(t));
	}
	return 0;
}

static struct polset_policy *new_policy(struct polset *ps)
{
	if (GROW(ps->policies, ps->cap, ps->n + 1) < 0)
		return NULL;
	memset(&ps->policies[ps->n], 0, sizeof(ps->policies[0]));
	return &ps->policies[ps->n];
}

int polset_add_object(struct polset *ps, const struct knode *obj,
		      const char *source, int document,
		      const char *default_ns)
{
	static const char *const spec_keys[] = { "podSelector", "policyTypes",
						 "ingress", "egress", NULL };
	struct ctx c = { source, document, "NetworkPolicy", &ps->mem };
	const struct knode *spec, *in, *out, *nsn, *nn;
	const char *kind, *api, *name, *ns;
	char q[KNAME_QUOTE_MAX];
	struct polset_policy *p = NULL;
	int replaced = 0;
	char what[320];

	if (obj->type != KNODE_MAP)
		return bad(&c, obj, "%s", "an object must be a map");
	kind = knode_str(obj, "kind");
	api = knode_str(obj, "apiVersion");
	if (kind == NULL || strcmp(kind, "NetworkPolicy") != 0)
		return 0;
	if (api == NULL || strcmp(api, "networking.k8s.io/v1") != 0)
		return bad(&c, obj, "apiVersion %s: must be networking.k8s.io/v1",
			   Q(api ? api : ""));
	nn = knode_at(obj, "metadata.name");
	if (knode_is_null(nn))
		return bad(&c, knode_at(obj, "metadata") ? knode_at(obj, "metadata")
							 : obj,
			   "%s", "metadata.name: Required value");
	if (string_of(&c, nn, "metadata.name", &name) < 0)
		return -1;
	if (!kname_is_dns_subdomain(name))
		return bad(&c, nn, "metadata.name %s: must be a DNS-1123 subdomain",
			   kname_quote(q, name, strlen(name)));
	nsn = knode_at(obj, "metadata.namespace");
	ns = default_ns;
	if (!knode_is_null(nsn) && string_of(&c, nsn, "metadata.namespace", &ns) < 0)
		return -1;
	if (ns == NULL || !kname_is_dns_label(ns))
		return bad(&c, nsn ? nsn : obj,
			   "metadata.namespace %s: must be a DNS-1123 label",
			   kname_quote(q, ns ? ns : "", ns ? strlen(ns) : 0));
	snprintf(what, sizeof(what), "NetworkPolicy %s/%s", ns, name);
	c.what = what;
	if (read_metadata_maps(&c, obj) < 0)
		return -1;
	/*
	 * An absent spec or podSelector is the empty one, as the API server
	 * decodes them: every pod of the namespace, for ingress.
	 */
	spec = knode_at(obj, "spec");
	if (!knode_is_null(spec) && spec->type != KNODE_MAP)
		return bad(&c, spec, "%s", "spec must be a map");
	if (known_keys(&c, spec, spec_keys) < 0)
		return -1;
	if (knode_is_null(spec))
		spec = NULL;
	/* Applied after another of the same name, it replaces it. */
	for (size_t i = 0; i < ps->n && !replaced; i++)
		if (strcmp(ps->policies[i].namespace, ns) == 0 &&
		    strcmp(ps->policies[i].name, name) == 0) {
			p = &ps->policies[i];
			memset(p, 0, sizeof(*p));
			replaced = 1;
		}
	if (!replaced && (p = new_policy(ps)) == NULL)
		return bad(&c, obj, "%s", "out of memory");
	p->source = arena_strdup(&ps->mem, source);
	p->namespace = arena_strdup(&ps->mem, ns);
	p->name = arena_strdup(&ps->mem, name);
	if (p->source == NULL || p->namespace == NULL || p->name == NULL)
		return bad(&c, obj, "%s", "out of memory");
	p->document = document;
	p->line = obj->line;
	if (read_selector(&c, knode_at(spec, "podSelector"), &p->pod_selector) < 0 ||
	    seq_at(&c, spec, "ingress", &in) < 0 ||
	    seq_at(&c, spec, "egress", &out) < 0 ||
	    read_types(&c, spec, out, p) < 0 ||
	    read_rules(&c, in, "from", &p->ingress_rules, &p->n_ingress) < 0 ||
	    read_rules(&c, out, "to", &p->egress_rules, &p->n_egress) < 0)
		return -1;
	if (replaced)
		ps->replaced++;
	else
		ps->n++;
	return 1;
}

static int read_stream(struct polset *ps, FILE *fp, const char *name,
		       const char *default_ns)
{
	struct kyaml *y = NULL;
	const struct knode *obj;
	int rc;

	if (kyaml_open(fp, name, 0, &y) < 0)
		return -1;
	while ((rc = kyaml_next(y, &obj)) == 1) {
		rc = polset_add_object(ps, obj, name, kyaml_document(y),
				       default_ns);
		if (rc < 0)
			break;
		if (rc == 0)
			ps->skipped++;
	}
	kyaml_close(y);
	return rc < 0 ? -1 : 0;
}

static int has_manifest_suffix(const char *name)
{
	const char *dot = strrchr(name, '.');

	return dot != NULL && (strcmp(dot, ".yaml") == 0 ||
			       strcmp(dot, ".yml") == 0 ||
			       strcmp(dot, ".json") == 0);
}

static int read_path(struct polset *ps, const char *path,
		     const char *default_ns);

static int read_dir(struct polset *ps, const char *path, const char *default_ns)
{
	struct dirent **ents = NULL;
	int n, rc = 0;

	n = scandir(path, &ents, NULL, alphasort);
	if (n < 0) {
		errmsg_set("%s: %s", path, strerror(errno));
		return -1;
	}
	for (int i = 0; i < n; i++) {
		const char *e = ents[i]->d_name;
		struct stat st;
		char *child;

		if (rc < 0 || e[0] == '.')
			continue;
		size_t len = strlen(path) + strlen(e) + 2;

		if ((child = malloc(len)) == NULL) {
			errmsg_set("%s: out of memory", path);
			rc = -1;
			continue;
		}
		snprintf(child, len, "%s/%s", path, e);
		/* A link to a directory may lead back up: not followed. */
		if (lstat(child, &st) == 0 && S_ISDIR(st.st_mode))
			rc = read_dir(ps, child, default_ns);
		else if (S_ISLNK(st.st_mode) && stat(child, &st) == 0 &&
			 S_ISDIR(st.st_mode))
			;
		else if (has_manifest_suffix(e))
			rc = read_path(ps, child, default_ns);
		free(child);
	}
	for (int i = 0; i < n; i++)
		free(ents[i]);
	free(ents);
	return rc;
}

/* polset_index()'s order: by namespace, then as the policies came. */
struct ns_entry {
	const char *ns;
	size_t i;
};

static int cmp_by_ns(const void *a, const void *b)
{
	const struct ns_entry *x = a, *y = b;
	int c = strcmp(x->ns, y->ns);

	return c ? c : (x->i > y->i) - (x->i < y->i);
}

/*
 * Indexes the policies by namespace: a connection is decided by its two
 * pods' namespaces' policies alone, and a check decides thousands of
 * them against hundreds of policies.
 */
static int polset_index(struct polset *ps)
{
	size_t n = ps->n ? ps->n : 1;
	struct ns_entry *e = calloc(n, sizeof(*e));
	size_t *by_ns = reallocarray(ps->by_ns, n, sizeof(*by_ns));

	if (e == NULL || by_ns == NULL) {
		free(e);
		errmsg_set("out of memory");
		return -1;
	}
	ps->by_ns = by_ns;
	for (size_t i = 0; i < ps->n; i++)
		e[i] = (struct ns_entry){ ps->policies[i].namespace, i };
	qsort(e, ps->n, sizeof(*e), cmp_by_ns);
	for (size_t i = 0; i < ps->n; i++)
		by_ns[i] = e[i].i;
	ps->n_by_ns = ps->n;
	free(e);
	return 0;
}

const size_t *polset_in_namespace(const struct polset *ps, const char *ns,
				  size_t *n)
{
	size_t lo = 0, hi = ps->n_by_ns, first;

	if (ps->by_ns == NULL || ps->n_by_ns != ps->n)
		return NULL;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(ps->policies[ps->by_ns[mid]].namespace, ns) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	first = lo;
	while (lo < ps->n_by_ns &&
	       strcmp(ps->policies[ps->by_ns[lo]].namespace, ns) == 0)
		lo++;
	*n = lo - first;
	return ps->by_ns + first;
}

static int read_path(struct polset *ps, const char *path,
		     const char *default_ns)
{
	struct stat st;
	FILE *fp;
	int rc;

	if (strcmp(path, "-") == 0)
		return read_stream(ps, stdin, "<stdin>", default_ns);
	if (stat(path, &st) < 0) {
		errmsg_set("%s: %s", path, strerror(errno));
		return -1;
	}
	if (S_ISDIR(st.st_mode))
		return read_dir(ps, path, default_ns);
	if ((fp = fopen(path, "r")) == NULL) {
		errmsg_set("%s: %s", path, strerror(errno));
		return -1;
	}
	rc = read_stream(ps, fp, path, default_ns);
	fclose(fp);
	return rc;
}

int polset_read_path(struct polset *ps, const char *path,
		     const char *default_ns)
{
	return read_path(ps, path, default_ns) < 0 ? -1 : polset_index(ps);
}

void polset_free(struct polset *ps)
{
	free(ps->policies);
	free(ps->by_ns);
	arena_reset(&ps->mem);
	ps->policies = NULL;
	ps->by_ns = NULL;
	ps->n = ps->cap = ps->skipped = ps->replaced = ps->n_by_ns = 0;
}
