/*
 * polset: NetworkPolicies read back from manifests (what is applied in a
 * cluster, what generate wrote), validated as the API server would, in a
 * form the evaluator (verdict.h) reads directly.
 *
 * Absent and empty are kept apart wherever the API gives them different
 * meanings: a rule without `from` allows every source, a peer with an
 * empty podSelector selects every pod, `ingress: []` allows nothing.
 */
#ifndef PODFLOW_POLSET_H
#define PODFLOW_POLSET_H

#include <stddef.h>

#include "podflow/addr.h"
#include "podflow/arena.h"
#include "podflow/kyaml.h"
#include "podflow/selector.h"

struct polset_port {
	const char *protocol; /* TCP, UDP or SCTP (defaulted to TCP) */
	const char *name;     /* a named container port, or NULL */
	int port;	      /* 0: every port of the protocol */
	int end_port;	      /* 0, or the last port of a range */
};

struct polset_peer {
	int is_block;
	/* Pods: a selector that is absent (has_*) is not the same as {}. */
	int has_pod_selector, has_ns_selector;
	struct selector pod_selector, ns_selector;
	/* ipBlock */
	struct cidr block;
	struct cidr *except;
	size_t n_except;
};

struct polset_rule {
	struct polset_peer *peers; /* n_peers 0: every peer */
	size_t n_peers;
	struct polset_port *ports; /* n_ports 0: every port */
	size_t n_ports;
	int line;
};

struct polset_policy {
	const char *namespace, *name;
	const char *source; /* file name */
	int document, line;
	struct selector pod_selector;
	/* policyTypes, after the API server's defaulting */
	int ingress, egress;
	struct polset_rule *ingress_rules, *egress_rules;
	size_t n_ingress, n_egress;
};

struct polset {
	struct polset_policy *policies;
	size_t n, cap;
	size_t skipped;	 /* objects of other kinds, left out */
	size_t replaced; /* policies named again, the later one kept */
	/* What the policies point to: nothing of the trees they came from. */
	struct arena mem;
	/*
	 * The policies' indexes by namespace, each namespace's in their
	 * order (polset_in_namespace()); valid while n_by_ns == n.
	 */
	size_t *by_ns;
	size_t n_by_ns;
};

#define POLSET_INIT { NULL, 0, 0, 0, 0, ARENA_INIT, NULL, 0 }

/*
 * Reads every NetworkPolicy of path into ps: a file (a stream of
 * documents, or a List), a directory (its *.yaml, *.yml and *.json files,
 * in name order, recursively) or "-" for standard input.  A manifest
 * without metadata.namespace is in default_ns, as with kubectl apply.
 * Objects of other kinds are counted in ps->skipped.  A policy whose
 * namespace and name came before replaces the earlier one, as kubectl
 * apply would (counted in ps->replaced).  Returns 0, or -1
 * with "FILE:LINE:COLUMN: ..." in errmsg; on error ps holds what came
 * before it.
 */
int polset_read_path(struct polset *ps, const char *path,
		     const char *default_ns);

/*
 * Adds one object (read by kyaml from source, its document-th document)
 * to ps if it is a NetworkPolicy.  The policy keeps copies, in ps->mem,
 * of what it needs: obj may go (the next kyaml_next()) once this returns.
 * Returns 1 when added, 0 when of another kind, or -1 with errmsg.
 */
int polset_add_object(struct polset *ps, const struct knode *obj,
		      const char *source, int document,
		      const char *default_ns);

/* Frees what ps holds; ps stays usable, empty. */
void polset_free(struct polset *ps);

/*
 * The policies of namespace ns, in their order: indexes into
 * ps->policies, *n of them from the returned pointer (owned by ps, valid
 * until it changes).  NULL when ps has no index yet (polset_read_path()
 * makes one; polset_add_object() alone does not): then every policy must
 * be looked at.
 */
const size_t *polset_in_namespace(const struct polset *ps, const char *ns,
				  size_t *n);

#endif
