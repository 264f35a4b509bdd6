/*
 * generate: NetworkPolicies from the flows a workload really had, one
 * policy per workload, each rule one peer with exactly the ports seen.
 */
#ifndef PODFLOW_GENERATE_H
#define PODFLOW_GENERATE_H

#include <stdint.h>
#include <stdio.h>

#include "podflow/arena.h"
#include "podflow/netpol.h"
#include "podflow/store.h"

enum generate_dns {
	GENERATE_DNS_OBSERVED, /* the DNS servers used, as any other peer */
	GENERATE_DNS_KUBE_DNS, /* the cluster DNS pods, UDP and TCP */
	GENERATE_DNS_ANY,      /* port 53 in any namespace */
	GENERATE_DNS_NONE,     /* no DNS rule */
};

struct generate_opts {
	const char *namespace;	   /* NULL: all */
	const char *workload_kind; /* NULL: any kind */
	const char *workload_name; /* NULL: all */
	int64_t since, until, now;
	int64_t stable_after; /* seconds */
	enum netpol_mode ingress, egress;
	enum generate_dns dns;
	const char *const *dns_ips;
	size_t n_dns_ips;
	int external_prefix; /* 0: exact addresses; else IPv4 prefix length */
	int allow_internet;
	const char *const *service_cidrs;
	size_t n_service_cidrs;
	int port_range_threshold; /* 0: never ranges */
	int include_silent;
	int namespace_default_deny;
	int explain;
};

struct generate_result {
	struct netpol *policies;
	size_t n;
	struct arena mem; /* everything above lives here */
};

/*
 * Builds the policies for the workloads in scope from the databases of
 * one or more nodes (the first one's inventory names the workloads; a
 * connection recorded on two nodes counts once).  Warnings and, with
 * opts->explain, the evidence behind every rule go to diag.  Returns 0
 * with the policies in *out (free with generate_result_free()), or -1
 * with errmsg.
 */
int generate_policies(struct store *const *stores, size_t n_stores,
		      const struct generate_opts *opts, FILE *diag,
		      struct generate_result *out);

void generate_result_free(struct generate_result *r);

/*
 * The policy name for a workload: podflow-<kind>-<name> in lower case;
 * when that is not a valid name (over 253 characters, or a first label
 * over 63), a prefix of it and a stable hash of the whole.
 * Returns a string in a.
 */
const char *generate_policy_name(struct arena *a, const char *kind,
				 const char *name);

#endif
