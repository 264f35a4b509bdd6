/*
 * netpol: networking.k8s.io/v1 NetworkPolicy objects in memory, and their
 * YAML in one documented key order:
 *   apiVersion, kind, metadata (name, namespace, labels, annotations),
 *   spec (podSelector, policyTypes, ingress, egress);
 *   a rule: from/to, then ports; a peer: ipBlock (cidr, except) or
 *   namespaceSelector then podSelector; a port: protocol, port, endPort.
 * Rules, peers and ports are emitted in the order given: netpol_sort()
 * makes that order canonical, so output is byte-for-byte reproducible.
 */
#ifndef PODFLOW_NETPOL_H
#define PODFLOW_NETPOL_H

#include <stddef.h>

#include "podflow/arena.h"
#include "podflow/yemit.h"

enum netpol_mode {
	NETPOL_OBSERVED, /* the rules given */
	NETPOL_DENY,	 /* no rule: nothing allowed */
	NETPOL_ALLOW,	 /* one empty rule: everything allowed */
	NETPOL_OMIT,	 /* not in policyTypes: left to other policies */
};

struct netpol_port {
	const char *protocol; /* TCP, UDP, SCTP */
	int port;	      /* 1..65535 */
	int end_port;	      /* 0, or >= port */
};

enum netpol_peer_type {
	NETPOL_PEER_PODS,	    /* pods by label, in a namespace */
	NETPOL_PEER_CIDR,	    /* an ipBlock */
	NETPOL_PEER_ALL_NAMESPACES, /* namespaceSelector: {} */
};

struct netpol_peer {
	enum netpol_peer_type type;
	/*
	 * NETPOL_PEER_PODS: namespace NULL means the policy's own, and the
	 * peer is a podSelector alone; otherwise a namespaceSelector on
	 * kubernetes.io/metadata.name goes with it.  JSON LabelSelector.
	 */
	const char *namespace;
	const char *pod_selector;
	/* NETPOL_PEER_CIDR */
	const char *cidr;
	const char *const *except;
	size_t n_except;
};

struct netpol_rule {
	struct netpol_peer peer;
	struct netpol_port *ports;
	size_t n_ports;
	const char *sort_key; /* set by the caller: the peer's canonical order */
};

struct netpol_kv {
	const char *key, *value;
};

struct netpol {
	const char *name;
	const char *namespace;
	const char *pod_selector; /* JSON LabelSelector */
	struct netpol_kv *labels, *annotations;
	size_t n_labels, n_annotations;
	enum netpol_mode ingress_mode, egress_mode;
	struct netpol_rule *ingress, *egress;
	size_t n_ingress, n_egress;
};

/* Sorts rules by sort_key, ports by protocol and number, labels and annotations by key. */
void netpol_sort(struct netpol *p);

/*
 * Emits p as one YAML document.  Selectors are parsed from their JSON with
 * scratch memory from a.  Errors are left in the emitter (yemit_close()).
 */
int netpol_emit(struct yemit *y, const struct netpol *p, struct arena *a);

/*
 * Checks p against the API server's validation rules: DNS-1123 names,
 * label keys and values, ports and CIDRs.  Returns 0, or -1 with errmsg.
 */
int netpol_validate(const struct netpol *p);

/*
 * Checks a LabelSelector's JSON (the store's form) as the API server
 * would: its keys label keys, its values label values.  Returns 0, or -1
 * with errmsg.
 */
int netpol_validate_selector(const char *json);

#endif
