/*
 * verdict: whether a set of NetworkPolicies allows one connection, by the
 * semantics of networking.k8s.io/v1:
 *
 * - a pod is isolated for a direction only if some policy of its
 *   namespace selects it and has that policyType; then what is allowed
 *   is the union of those policies' rules;
 * - a connection between two pods needs egress at the client and
 *   ingress at the server;
 * - traffic between a pod and the node it runs on is always allowed, and
 *   so is a pod's traffic to itself ("a pod cannot block access to
 *   itself", the NetworkPolicy documentation);
 * - a peer is a podSelector (the policy's namespace), a namespaceSelector,
 *   both (pods matching the one in namespaces matching the other), or an
 *   ipBlock with except;
 * - a port is a number, a range (endPort) or a container port name,
 *   resolved on the server pod; protocol TCP unless given.
 *
 * Nodes and hostNetwork pods are never isolated and match ipBlocks only.
 * So do addresses outside the cluster.  ipBlocks match pod addresses too,
 * as most implementations do.
 */
#ifndef PODFLOW_VERDICT_H
#define PODFLOW_VERDICT_H

#include <stddef.h>

#include "podflow/addr.h"
#include "podflow/kyaml.h"
#include "podflow/polset.h"

struct verdict_named_port {
	const char *name, *protocol;
	int port;
};

/* One end of a connection. */
struct verdict_end {
	struct addr ip;
	const char *namespace;	      /* a pod's; NULL for anything else */
	const struct knode *labels;   /* a pod's labels (a map), or NULL */
	const struct knode *ns_labels; /* its namespace's labels, or NULL */
	const char *node;	      /* the node a pod runs on, or this node */
	int is_node;		      /* a node, or a hostNetwork pod */
	const struct verdict_named_port *ports; /* a pod's named ports */
	size_t n_ports;
};

enum verdict_reason {
	VERDICT_NOT_A_POD,	/* this end is no pod: nothing to isolate */
	VERDICT_NOT_ISOLATED,	/* no policy selects the pod for this direction */
	VERDICT_OWN_NODE,	/* pod <-> its own node: always allowed */
	VERDICT_SELF,		/* a pod to itself: no policy blocks it */
	VERDICT_RULE,		/* a rule allows it */
	VERDICT_NO_RULE,	/* isolated, and no rule allows it */
};

#define VERDICT_MAX_ISOLATING 8

/* What one side (the client's egress or the server's ingress) decides. */
struct verdict_side {
	int allowed;
	enum verdict_reason reason;
	/* The policies that isolate the pod (the first few of them). */
	const struct polset_policy *isolating[VERDICT_MAX_ISOLATING];
	size_t n_isolating;
	/* VERDICT_RULE: the first policy and rule (0-based) that allow it. */
	const struct polset_policy *policy;
	size_t rule;
};

struct verdict {
	int allowed;
	struct verdict_side egress, ingress;
};

/*
 * Decides a connection from src to dst on port/protocol (the server's
 * port after DNAT; protocol "TCP", "UDP" or "SCTP").  Never fails.
 */
void verdict_eval(const struct polset *ps, const struct verdict_end *src,
		  const struct verdict_end *dst, int port,
		  const char *protocol, struct verdict *out);

/*
 * How many policies isolate pod for egress (else ingress); the first of
 * them in *first when not NULL.
 */
size_t verdict_isolating(const struct polset *ps, const struct verdict_end *pod,
			 int egress, const struct polset_policy **first);

/* Nonzero when peer selects end (in a policy of namespace policy_ns). */
int verdict_peer_matches(const struct polset_peer *peer, const char *policy_ns,
			 const struct verdict_end *end);

#endif
