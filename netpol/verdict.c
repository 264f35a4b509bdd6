/*
 * verdict: evaluating NetworkPolicies for one connection (verdict.h).
 *
 * Written from the API's documented semantics, one small function per
 * rule of it, so that each can be read against the documentation.
 */
#include <string.h>

#include "podflow/verdict.h"

#define NS_NAME_LABEL "kubernetes.io/metadata.name"

static int is_pod(const struct verdict_end *e)
{
	return e->namespace != NULL && !e->is_node;
}

/*
 * The API server labels every namespace with its name; the inventory may
 * not have the labels at all, so that one label is never missing here.
 */
static int ns_selector_matches(const struct selector *s,
			       const struct verdict_end *e)
{
	for (size_t i = 0; i < s->n; i++) {
		struct selector one = { &s->reqs[i], 1 };
		const struct selector_req *r = &s->reqs[i];

		if (strcmp(r->key, NS_NAME_LABEL) == 0) {
			int in = 0;

			for (size_t j = 0; j < r->n_values; j++)
				in |= strcmp(r->values[j], e->namespace) == 0;
			if ((r->op == SEL_IN && !in) ||
			    (r->op == SEL_NOT_IN && in) ||
			    r->op == SEL_DOES_NOT_EXIST)
				return 0;
			continue;
		}
		if (!selector_matches(&one, e->ns_labels))
			return 0;
	}
	return 1;
}

static int block_matches(const struct polset_peer *p, const struct addr *ip)
{
	if (!cidr_contains(&p->block, ip))
		return 0;
	for (size_t i = 0; i < p->n_except; i++)
		if (cidr_contains(&p->except[i], ip))
			return 0;
	return 1;
}

int verdict_peer_matches(const struct polset_peer *peer, const char *policy_ns,
			 const struct verdict_end *end)
{
	if (peer->is_block)
		return end->ip.family != 0 && block_matches(peer, &end->ip);
	if (!is_pod(end))
		return 0;
	if (peer->has_ns_selector) {
		if (!ns_selector_matches(&peer->ns_selector, end))
			return 0;
	} else if (strcmp(end->namespace, policy_ns) != 0) {
		return 0; /* a podSelector alone: the policy's namespace */
	}
	return !peer->has_pod_selector ||
	       selector_matches(&peer->pod_selector, end->labels);
}

/* A port name means the server pod's container port of that name. */
static int named_port_matches(const struct polset_port *p,
			      const struct verdict_end *server, int port,
			      const char *protocol)
{
	if (!is_pod(server))
		return 0;
	for (size_t i = 0; i < server->n_ports; i++) {
		const struct verdict_named_port *np = &server->ports[i];

		if (np->name != NULL && strcmp(np->name, p->name) == 0 &&
		    strcmp(np->protocol, protocol) == 0 && np->port == port)
			return 1;
	}
	return 0;
}

static int port_matches(const struct polset_port *p,
			const struct verdict_end *server, int port,
			const char *protocol)
{
	if (strcmp(p->protocol, protocol) != 0)
		return 0;
	if (p->name != NULL)
		return named_port_matches(p, server, port, protocol);
	if (p->port == 0)
		return 1;
	if (p->end_port != 0)
		return port >= p->port && port <= p->end_port;
	return port == p->port;
}

static int rule_matches(const struct polset_rule *r, const char *policy_ns,
			const struct verdict_end *peer,
			const struct verdict_end *server, int port,
			const char *protocol)
{
	int peer_ok = r->n_peers == 0, port_ok = r->n_ports == 0;

	for (size_t i = 0; !peer_ok && i < r->n_peers; i++)
		peer_ok = verdict_peer_matches(&r->peers[i], policy_ns, peer);
	for (size_t i = 0; peer_ok && !port_ok && i < r->n_ports; i++)
		port_ok = port_matches(&r->ports[i], server, port, protocol);
	return peer_ok && port_ok;
}

static int selects(const struct polset_policy *p, const struct verdict_end *pod)
{
	return strcmp(p->namespace, pod->namespace) == 0 &&
	       selector_matches(&p->pod_selector, pod->labels);
}

/*
 * One side: pod is the end whose policies decide (the client for egress,
 * the server for ingress), peer the other end.
 */
static void decide_side(const struct polset *ps, int egress,
			const struct verdict_end *pod,
			const struct verdict_end *peer,
			const struct verdict_end *server, int port,
			const char *protocol, struct verdict_side *out)
{
	memset(out, 0, sizeof(*out));
	out->allowed = 1;
	if (!is_pod(pod)) {
		out->reason = VERDICT_NOT_A_POD;
		return;
	}
	/* The same address and namespace at both ends: the pod itself. */
	if (is_pod(peer) && pod->ip.family != 0 &&
	    addr_equal(&pod->ip, &peer->ip) &&
	    strcmp(pod->namespace, peer->namespace) == 0) {
		out->reason = VERDICT_SELF;
		return;
	}
	size_t n_ns;
	const size_t *in_ns = polset_in_namespace(ps, pod->namespace, &n_ns);

	for (size_t k = 0; k < (in_ns ? n_ns : ps->n); k++) {
		const struct polset_policy *p = &ps->policies[in_ns ? in_ns[k] : k];
		const struct polset_rule *rules =
			egress ? p->egress_rules : p->ingress_rules;
		size_t n = egress ? p->n_egress : p->n_ingress;

		if (!(egress ? p->egress : p->ingress) || !selects(p, pod))
			continue;
		if (out->n_isolating < VERDICT_MAX_ISOLATING)
			out->isolating[out->n_isolating] = p;
		out->n_isolating++;
		for (size_t j = 0; out->policy == NULL && j < n; j++)
			if (rule_matches(&rules[j], p->namespace, peer, server,
					 port, protocol)) {
				out->policy = p;
				out->rule = j;
			}
	}
	if (out->n_isolating == 0) {
		out->reason = VERDICT_NOT_ISOLATED;
	} else if (out->policy != NULL) {
		out->reason = VERDICT_RULE;
	} else if (peer->is_node && peer->node != NULL && pod->node != NULL &&
		   strcmp(peer->node, pod->node) == 0) {
		out->reason = VERDICT_OWN_NODE;
	} else {
		out->reason = VERDICT_NO_RULE;
		out->allowed = 0;
	}
}

size_t verdict_isolating(const struct polset *ps, const struct verdict_end *pod,
			 int egress, const struct polset_policy **first)
{
	size_t n = 0;

	for (size_t i = 0; is_pod(pod) && i < ps->n; i++) {
		const struct polset_policy *p = &ps->policies[i];

		if (!(egress ? p->egress : p->ingress) || !selects(p, pod))
			continue;
		if (n++ == 0 && first != NULL)
			*first = p;
	}
	return n;
}

void verdict_eval(const struct polset *ps, const struct verdict_end *src,
		  const struct verdict_end *dst, int port,
		  const char *protocol, struct verdict *out)
{
	decide_side(ps, 1, src, dst, dst, port, protocol, &out->egress);
	decide_side(ps, 0, dst, src, dst, port, protocol, &out->ingress);
	out->allowed = out->egress.allowed && out->ingress.allowed;
}
