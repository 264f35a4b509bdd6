/*
 * netpol: NetworkPolicy sorting, validation and YAML (netpol.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "podflow/addr.h"
#include "podflow/errmsg.h"
#include "podflow/kname.h"
#include "podflow/kyaml.h"
#include "podflow/netpol.h"
#include "podflow/proto.h"
#include "podflow/selector.h"

static int cmp_rule(const void *a, const void *b)
{
	return strcmp(((const struct netpol_rule *)a)->sort_key,
		      ((const struct netpol_rule *)b)->sort_key);
}

static int cmp_port(const void *a, const void *b)
{
	const struct netpol_port *x = a, *y = b;
	int c = strcmp(x->protocol, y->protocol);

	if (c != 0)
		return c;
	if (x->port != y->port)
		return x->port < y->port ? -1 : 1;
	return x->end_port < y->end_port ? -1 : x->end_port > y->end_port;
}

static int cmp_kv(const void *a, const void *b)
{
	return strcmp(((const struct netpol_kv *)a)->key,
		      ((const struct netpol_kv *)b)->key);
}

static void sort_rules(struct netpol_rule *r, size_t n)
{
	if (n > 1)
		qsort(r, n, sizeof(*r), cmp_rule);
	for (size_t i = 0; i < n; i++)
		if (r[i].n_ports > 1)
			qsort(r[i].ports, r[i].n_ports, sizeof(*r[i].ports), cmp_port);
}

void netpol_sort(struct netpol *p)
{
	sort_rules(p->ingress, p->n_ingress);
	sort_rules(p->egress, p->n_egress);
	if (p->n_labels > 1)
		qsort(p->labels, p->n_labels, sizeof(*p->labels), cmp_kv);
	if (p->n_annotations > 1)
		qsort(p->annotations, p->n_annotations, sizeof(*p->annotations),
	      cmp_kv);
}

/* A YAML subtree as it is: maps in the order given (sorted JSON). */
static void emit_node(struct yemit *y, const struct knode *n)
{
	switch (n->type) {
	case KNODE_SCALAR:
		yemit_str(y, n->value ? n->value : "");
		return;
	case KNODE_SEQ:
		yemit_seq_begin(y);
		for (size_t i = 0; i < n->n; i++)
			emit_node(y, n->items[i]);
		yemit_seq_end(y);
		return;
	case KNODE_MAP:
		yemit_map_begin(y);
		for (size_t i = 0; i < n->n; i++) {
			/* An empty matchLabels or matchExpressions says nothing. */
			if (n->items[i]->type != KNODE_SCALAR &&
			    n->items[i]->n == 0 &&
			    (strcmp(n->keys[i]->value, "matchLabels") == 0 ||
			     strcmp(n->keys[i]->value, "matchExpressions") ==
				     0))
				continue;
			yemit_str(y, n->keys[i]->value);
			emit_node(y, n->items[i]);
		}
		yemit_map_end(y);
		return;
	}
}

static int emit_selector(struct yemit *y, const char *json, struct arena *a)
{
	const struct knode *n = NULL;

	if (kyaml_parse_text(json, a, &n) < 0)
		return -1;
	if (n == NULL || n->type != KNODE_MAP) {
		errmsg_set("a label selector is not a map: %s", json);
		return -1;
	}
	emit_node(y, n);
	return 0;
}

static void emit_kvs(struct yemit *y, const char *key,
		     const struct netpol_kv *kv, size_t n)
{
	if (n == 0)
		return;
	yemit_str(y, key);
	yemit_map_begin(y);
	for (size_t i = 0; i < n; i++)
		yemit_kv_str(y, kv[i].key, kv[i].value);
	yemit_map_end(y);
}

static int emit_peer(struct yemit *y, const struct netpol_peer *peer,
		     struct arena *a)
{
	yemit_map_begin(y);
	if (peer->type == NETPOL_PEER_ALL_NAMESPACES) {
		yemit_str(y, "namespaceSelector");
		yemit_map_begin(y);
		yemit_map_end(y);
	} else if (peer->type == NETPOL_PEER_CIDR) {
		yemit_str(y, "ipBlock");
		yemit_map_begin(y);
		yemit_kv_str(y, "cidr", peer->cidr);
		if (peer->n_except > 0) {
			yemit_str(y, "except");
			yemit_seq_begin(y);
			for (size_t i = 0; i < peer->n_except; i++)
				yemit_str(y, peer->except[i]);
			yemit_seq_end(y);
		}
		yemit_map_end(y);
	} else {
		if (peer->namespace != NULL) {
			yemit_str(y, "namespaceSelector");
			yemit_map_begin(y);
			yemit_str(y, "matchLabels");
			yemit_map_begin(y);
			yemit_kv_str(y, "kubernetes.io/metadata.name",
				     peer->namespace);
			yemit_map_end(y);
			yemit_map_end(y);
		}
		yemit_str(y, "podSelector");
		if (emit_selector(y, peer->pod_selector, a) < 0)
			return -1;
	}
	yemit_map_end(y);
	return 0;
}

static int emit_rules(struct yemit *y, const char *key, const char *peers_key,
		      enum netpol_mode mode, const struct netpol_rule *rules,
		      size_t n, struct arena *a)
{
	if (mode == NETPOL_OMIT)
		return 0;
	yemit_str(y, key);
	yemit_seq_begin(y);
	if (mode == NETPOL_ALLOW) {
		yemit_map_begin(y);
		yemit_map_end(y);
	}
	for (size_t i = 0; mode == NETPOL_OBSERVED && i < n; i++) {
		const struct netpol_rule *r = &rules[i];

		yemit_map_begin(y);
		yemit_str(y, peers_key);
		yemit_seq_begin(y);
		if (emit_peer(y, &r->peer, a) < 0)
			return -1;
		yemit_seq_end(y);
		if (r->n_ports > 0) {
			yemit_str(y, "ports");
			yemit_seq_begin(y);
			for (size_t j = 0; j < r->n_ports; j++) {
				yemit_map_begin(y);
				yemit_kv_str(y, "protocol", r->ports[j].protocol);
				yemit_kv_int(y, "port", r->ports[j].port);
				if (r->ports[j].end_port > r->ports[j].port)
					yemit_kv_int(y, "endPort",
						     r->ports[j].end_port);
				yemit_map_end(y);
			}
			yemit_seq_end(y);
		}
		yemit_map_end(y);
	}
	yemit_seq_end(y);
	return 0;
}

int netpol_emit(struct yemit *y, const struct netpol *p, struct arena *a)
{
	yemit_doc_begin(y);
	yemit_map_begin(y);
	yemit_kv_str(y, "apiVersion", "networking.k8s.io/v1");
	yemit_kv_str(y, "kind", "NetworkPolicy");
	yemit_str(y, "metadata");
	yemit_map_begin(y);
	yemit_kv_str(y, "name", p->name);
	yemit_kv_str(y, "namespace", p->namespace);
	emit_kvs(y, "labels", p->labels, p->n_labels);
	emit_kvs(y, "annotations", p->annotations, p->n_annotations);
	yemit_map_end(y);
	yemit_str(y, "spec");
	yemit_map_begin(y);
	yemit_str(y, "podSelector");
	if (emit_selector(y, p->pod_selector, a) < 0)
		return -1;
	yemit_str(y, "policyTypes");
	yemit_seq_begin(y);
	if (p->ingress_mode != NETPOL_OMIT)
		yemit_str(y, "Ingress");
	if (p->egress_mode != NETPOL_OMIT)
		yemit_str(y, "Egress");
	yemit_seq_end(y);
	if (emit_rules(y, "ingress", "from", p->ingress_mode, p->ingress,
		       p->n_ingress, a) < 0 ||
	    emit_rules(y, "egress", "to", p->egress_mode, p->egress,
		       p->n_egress, a) < 0)
		return -1;
	yemit_map_end(y);
	yemit_map_end(y);
	yemit_doc_end(y);
	return 0;
}

int netpol_validate_selector(const char *json)
{
	struct arena a = ARENA_INIT;
	struct selector sel;
	char q[KNAME_QUOTE_MAX];
	int rc = -1;

	if (selector_from_json(json, &a, &sel) < 0)
		goto out;
	for (size_t i = 0; i < sel.n; i++) {
		const struct selector_req *r = &sel.reqs[i];

		if (!kname_is_label_key(r->key)) {
			errmsg_set("label key %s is not valid",
				   kname_quote(q, r->key, strlen(r->key)));
			goto out;
		}
		for (size_t j = 0; j < r->n_values; j++)
			if (!kname_is_label_value(r->values[j])) {
				errmsg_set("label value %s of %s is not valid",
					   kname_quote(q, r->values[j],
						       strlen(r->values[j])),
					   r->key);
				goto out;
			}
	}
	rc = 0;
out:
	arena_reset(&a);
	return rc;
}

static int validate_rules(const struct netpol *p, const char *dir,
			  const struct netpol_rule *r, size_t n)
{
	struct cidr c;

	for (size_t i = 0; i < n; i++) {
		if (r[i].peer.type == NETPOL_PEER_CIDR) {
			if (cidr_parse(r[i].peer.cidr, &c) < 0)
				goto bad;
			for (size_t j = 0; j < r[i].peer.n_except; j++)
				if (cidr_parse(r[i].peer.except[j], &c) < 0)
					goto bad;
		} else if (r[i].peer.namespace != NULL &&
			   !kname_is_dns_label(r[i].peer.namespace)) {
			errmsg_set("%s/%s: %s peer namespace '%s' is not a "
				   "DNS-1123 label",
				   p->namespace, p->name, dir,
				   r[i].peer.namespace);
			return -1;
		} else if (r[i].peer.type == NETPOL_PEER_PODS &&
			   r[i].peer.pod_selector != NULL &&
			   netpol_validate_selector(r[i].peer.pod_selector) < 0) {
			errmsg_prefix("%s/%s: %s peer podSelector", p->namespace,
				      p->name, dir);
			return -1;
		}
		for (size_t j = 0; j < r[i].n_ports; j++) {
			const struct netpol_port *pt = &r[i].ports[j];

			if (pt->port < 1 || pt->port > 65535 ||
			    (pt->end_port && (pt->end_port < pt->port ||
					      pt->end_port > 65535)) ||
			    proto_policy_name(pt->protocol, 0) == NULL) {
				errmsg_set("%s/%s: %s port %s %d-%d is not "
					   "valid",
					   p->namespace, p->name, dir,
					   pt->protocol, pt->port, pt->end_port);
				return -1;
			}
		}
	}
	return 0;
bad:
	errmsg_prefix("%s/%s: %s", p->namespace, p->name, dir);
	return -1;
}

int netpol_validate(const struct netpol *p)
{
	char qns[KNAME_QUOTE_MAX], qname[KNAME_QUOTE_MAX];

	if (!kname_is_dns_subdomain(p->name) ||
	    !kname_is_dns_label(p->namespace)) {
		errmsg_set("'%s/%s' is not a valid NetworkPolicy name",
			   kname_escape(qns, p->namespace, strlen(p->namespace)),
			   kname_escape(qname, p->name, strlen(p->name)));
		return -1;
	}
	if (p->pod_selector != NULL &&
	    netpol_validate_selector(p->pod_selector) < 0) {
		errmsg_prefix("%s/%s: podSelector", p->namespace, p->name);
		return -1;
	}
	for (size_t i = 0; i < p->n_labels; i++)
		if (!kname_is_label_key(p->labels[i].key) ||
		    !kname_is_label_value(p->labels[i].value)) {
			errmsg_set("%s/%s: label %s=%s is not valid",
				   p->namespace, p->name, p->labels[i].key,
				   p->labels[i].value);
			return -1;
		}
	for (size_t i = 0; i < p->n_annotations; i++)
		if (!kname_is_label_key(p->annotations[i].key)) {
			errmsg_set("%s/%s: annotation key %s is not valid",
				   p->namespace, p->name, p->annotations[i].key);
			return -1;
		}
	return validate_rules(p, "ingress", p->ingress, p->n_ingress) < 0 ||
			       validate_rules(p, "egress", p->egress,
					      p->n_egress) < 0
		       ? -1
		       : 0;
}
