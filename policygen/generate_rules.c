/*
 * generate_rules: a policy's rules (see generate_int.h).  One rule per
 * peer with exactly the ports seen (or a range, above a threshold), and
 * the rules written by hand that stand for whole classes of flows: --dns
 * (kube-dns, port 53 anywhere, --dns-ip) and --allow-internet.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "podflow/errmsg.h"
#include "podflow/store_read.h"
#include "generate_int.h"

/* Most target ports of the kube-dns Service a --dns kube-dns rule names. */
#define KUBE_DNS_MAX_PORTS 8

/* With --port-range-threshold N: N or more ports of one protocol become a range. */
static void collapse_ports(int threshold, struct netpol_rule *r)
{
	size_t out = 0;

	if (threshold <= 0)
		return;
	for (size_t i = 0; i < r->n_ports;) {
		size_t j = i;
		int lo = r->ports[i].port, hi = r->ports[i].port;

		while (j < r->n_ports &&
		       strcmp(r->ports[j].protocol, r->ports[i].protocol) == 0) {
			if (r->ports[j].port < lo)
				lo = r->ports[j].port;
			if (r->ports[j].port > hi)
				hi = r->ports[j].port;
			j++;
		}
		if (j - i >= (size_t)threshold) {
			r->ports[out] = r->ports[i];
			r->ports[out].port = lo;
			r->ports[out].end_port = hi;
			out++;
		} else {
			for (size_t k = i; k < j; k++)
				r->ports[out++] = r->ports[k];
		}
		i = j;
	}
	r->n_ports = out;
}

/* The entries are sorted by direction and peer (generate_merge_entries()). */
int generate_build_rules(struct arena *a, int port_range_threshold,
			 const struct workload *w, int egress,
			 struct netpol_rule **rules, size_t *n)
{
	size_t cap = 0;

	*rules = NULL;
	*n = 0;
	for (size_t i = 0; i < w->n; i++)
		if (w->e[i].egress == egress)
			cap++;
	if (cap == 0)
		return 0;
	*rules = arena_alloc(a, cap * sizeof(**rules));
	if (*rules == NULL)
		goto oom;
	for (size_t i = 0; i < w->n;) {
		size_t j = i;
		struct netpol_rule *r;

		if (w->e[i].egress != egress) {
			i++;
			continue;
		}
		while (j < w->n && w->e[j].egress == egress &&
		       strcmp(w->e[j].key, w->e[i].key) == 0)
			j++;
		r = &(*rules)[(*n)++];
		r->peer = w->e[i].peer;
		r->sort_key = w->e[i].key;
		r->ports = arena_alloc(a, (j - i) * sizeof(*r->ports));
		if (r->ports == NULL)
			goto oom;
		for (size_t k = i; k < j; k++) {
			/*
			 * Once: a ClusterIP dialled before DNAT and the same
			 * address seen plain are two entries of one port.
			 */
			if (r->n_ports > 0 &&
			    r->ports[r->n_ports - 1].port == w->e[k].port &&
			    strcmp(r->ports[r->n_ports - 1].protocol,
				   w->e[k].protocol) == 0)
				continue;
			r->ports[r->n_ports].protocol = w->e[k].protocol;
			r->ports[r->n_ports++].port = w->e[k].port;
		}
		collapse_ports(port_range_threshold, r);
		i = j;
	}
	return 0;
oom:
	errmsg_set("out of memory");
	return -1;
}

/*
 * Appends one rule built by hand.  The rules live in the result's arena,
 * which frees nothing before the end: a policy has two or three of these.
 */
static int append_rule(struct arena *a, struct netpol_rule **rules, size_t *n,
		       const struct netpol_rule *r)
{
	struct netpol_rule *grown = arena_alloc(a, (*n + 1) * sizeof(*grown));

	if (grown == NULL) {
		errmsg_set("out of memory");
		return -1;
	}
	if (*n)
		memcpy(grown, *rules, *n * sizeof(*grown));
	grown[(*n)++] = *r;
	*rules = grown;
	return 0;
}

/* UDP and TCP on each of numbers[], in a; NULL when out of memory. */
static struct netpol_port *dns_ports(struct arena *a, const int *numbers,
				     size_t count, size_t *n)
{
	struct netpol_port *p = arena_alloc(a, 2 * count * sizeof(*p));

	*n = 0;
	if (p == NULL)
		return NULL;
	for (size_t i = 0; i < count; i++) {
		p[(*n)++] = (struct netpol_port){ "UDP", numbers[i], 0 };
		p[(*n)++] = (struct netpol_port){ "TCP", numbers[i], 0 };
	}
	return p;
}

/*
 * --dns kube-dns: the pods behind kube-system/kube-dns, on UDP and TCP 53
 * and the Service's numeric target ports.
 */
static int kube_dns_rule(struct arena *a, struct store *s,
			 struct netpol_rule *r, const char *ns)
{
	struct store_kube_dns dns;
	int ports[KUBE_DNS_MAX_PORTS] = { 53 }, n = 1;
	char *tok, *save = NULL;

	/* Not there or not readable, there is no Service to build on. */
	if (store_read_kube_dns(s, &dns) <= 0) {
		errmsg_set("--dns kube-dns: the inventory has no Service "
			   "kube-system/kube-dns with a selector");
		return -1;
	}
	memset(r, 0, sizeof(*r));
	r->peer.type = NETPOL_PEER_PODS;
	r->peer.namespace = strcmp(ns, "kube-system") == 0 ? NULL : "kube-system";
	r->peer.pod_selector = arena_strdup(a, "{\"matchLabels\":");
	if (r->peer.pod_selector) {
		size_t len = strlen(r->peer.pod_selector) +
			     strlen(dns.selector) + 2;
		char *sel = arena_alloc(a, len);

		if (sel)
			snprintf(sel, len, "{\"matchLabels\":%s}",
				 dns.selector);
		r->peer.pod_selector = sel;
	}
	for (tok = dns.target_ports ? strtok_r(dns.target_ports, ",", &save)
				    : NULL;
	     tok && n < KUBE_DNS_MAX_PORTS; tok = strtok_r(NULL, ",", &save)) {
		int p = atoi(tok);
		int seen = 0;

		for (int i = 0; i < n; i++)
			seen |= ports[i] == p;
		if (p > 0 && p < 65536 && !seen)
			ports[n++] = p;
	}
	free(dns.selector);
	free(dns.target_ports);
	free(dns.cluster_ips);
	r->sort_key = "d|kube-dns";
	r->ports = dns_ports(a, ports, (size_t)n, &r->n_ports);
	return r->ports && r->peer.pod_selector ? 0 : -1;
}

/* Whether peer key is a --dns-ip's, which has its own rule on 53. */
static int is_dns_ip(struct gen_pool *pool, const struct generate_opts *o,
		     const char *key)
{
	for (size_t i = 0; i < o->n_dns_ips; i++) {
		struct entry e = { 0 };

		if (generate_cidr_peer(pool, o->external_prefix, o->dns_ips[i],
				       0, &e) == 0 &&
		    e.key == key)
			return 1;
	}
	return 0;
}

/*
 * --before-dnat with --dns kube-dns or any: kube-dns's ClusterIPs on UDP
 * and TCP 53, which a plugin that matches before the Service's DNAT sees
 * as the destination.  None when the inventory has no kube-dns.
 */
static int dnat_dns_rules(struct gen_pool *pool, struct store *s,
			  const struct generate_opts *o,
			  struct netpol_rule **rules, size_t *n)
{
	static const int port53[] = { 53 };
	struct store_kube_dns dns;
	char *tok, *save = NULL;
	int rc = 0, found;

	if ((found = store_read_kube_dns(s, &dns)) <= 0)
		return found;
	for (tok = dns.cluster_ips ? strtok_r(dns.cluster_ips, ",", &save)
				   : NULL;
	     tok != NULL && rc == 0; tok = strtok_r(NULL, ",", &save)) {
		struct netpol_rule r = { 0 };
		struct entry e = { 0 };

		/* An address the inventory holds that is none: left out. */
		if (generate_cidr_peer(pool, 0, tok, 0, &e) < 0 ||
		    is_dns_ip(pool, o, e.key))
			continue;
		r.peer = e.peer;
		r.sort_key = e.key;
		r.ports = dns_ports(pool->a, port53, 1, &r.n_ports);
		rc = r.ports == NULL ? -1 : append_rule(pool->a, rules, n, &r);
	}
	free(dns.selector);
	free(dns.target_ports);
	free(dns.cluster_ips);
	return rc;
}

int generate_add_dns_rules(struct gen_pool *pool, struct store *inventory,
			   const struct generate_opts *o,
			   const struct workload *w, struct netpol_rule **rules,
			   size_t *n)
{
	static const int port53[] = { 53 };
	struct netpol_rule r = { 0 };

	if (o->dns == GENERATE_DNS_ANY) {
		r.peer.type = NETPOL_PEER_ALL_NAMESPACES;
		r.sort_key = "d|any";
		r.ports = dns_ports(pool->a, port53, 1, &r.n_ports);
		if (r.ports == NULL || append_rule(pool->a, rules, n, &r) < 0)
			return -1;
	} else if (o->dns == GENERATE_DNS_KUBE_DNS) {
		if (kube_dns_rule(pool->a, inventory, &r, w->ns) < 0 ||
		    append_rule(pool->a, rules, n, &r) < 0)
			return -1;
	}
	if (o->dns == GENERATE_DNS_NONE)
		return 0;
	if (o->before_dnat && o->dns != GENERATE_DNS_OBSERVED &&
	    dnat_dns_rules(pool, inventory, o, rules, n) < 0)
		return -1;
	for (size_t i = 0; i < o->n_dns_ips; i++) {
		struct entry e = { 0 };

		if (generate_cidr_peer(pool, o->external_prefix, o->dns_ips[i],
				       0, &e) < 0) {
			errmsg_set("--dns-ip: '%s' is not an address",
				   o->dns_ips[i]);
			return -1;
		}
		memset(&r, 0, sizeof(r));
		r.peer = e.peer;
		r.sort_key = e.key;
		r.ports = dns_ports(pool->a, port53, 1, &r.n_ports);
		if (r.ports == NULL || append_rule(pool->a, rules, n, &r) < 0)
			return -1;
	}
	return 0;
}

/* Everything outside the cluster: any address but the pod and service CIDRs. */
int generate_add_internet_rules(struct arena *a,
				const struct gen_inventory *inv,
				const struct generate_opts *o,
				struct netpol_rule **rules, size_t *n)
{
	static const char *const all[2] = { "0.0.0.0/0", "::/0" };
	char buf[CIDR_STRLEN];

	for (int fam = 0; fam < 2; fam++) {
		struct netpol_rule r = { 0 };
		const char **except =
			arena_alloc(a, (inv->n_pod_cidrs + o->n_service_cidrs + 1) *
					       sizeof(*except));
		size_t ne = 0;
		struct cidr c;

		if (except == NULL)
			return -1;
		for (size_t i = 0; i < inv->n_pod_cidrs; i++)
			if ((inv->pod_cidrs[i].net.family == AF_INET) == (fam == 0))
				except[ne++] = arena_strdup(
					a, cidr_format(&inv->pod_cidrs[i], buf));
		for (size_t i = 0; i < o->n_service_cidrs; i++)
			if (cidr_parse(o->service_cidrs[i], &c) == 0 &&
			    (c.net.family == AF_INET) == (fam == 0))
				except[ne++] = o->service_cidrs[i];
		/* No IPv6 in the cluster: no IPv6 rule. */
		if (fam == 1 && ne == 0)
			continue;
		r.peer.type = NETPOL_PEER_CIDR;
		r.peer.cidr = all[fam];
		r.peer.except = except;
		r.peer.n_except = ne;
		r.sort_key = fam == 0 ? "i|4" : "i|6";
		if (append_rule(a, rules, n, &r) < 0)
			return -1;
	}
	return 0;
}
