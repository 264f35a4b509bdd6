/*
 * ctflow: one conntrack entry seen as a flow between a client and the
 * server that answered, with NAT resolved.
 *
 * The client is the original source.  The server is the *reply* source:
 * after kube-proxy's DNAT that is the backend pod and its targetPort,
 * which is what a NetworkPolicy must name.  The address the client dialled
 * (a ClusterIP) is kept as the service, and the address the server saw
 * (after SNAT, e.g. a node address for NodePort traffic) as client_nat.
 */
#ifndef PODFLOW_CTFLOW_H
#define PODFLOW_CTFLOW_H

#include <stddef.h>
#include <stdint.h>

#include "podflow/addr.h"

/* The parser needs neither the store nor SQLite: only this name. */
struct store_edge;
struct nlmsghdr;

struct ctflow {
	uint32_t id; /* the kernel's conntrack id */
	uint16_t zone;
	uint8_t protocol; /* IPPROTO_* */
	struct addr client;
	struct addr server;
	struct addr service;	/* family 0: no DNAT */
	struct addr client_nat; /* family 0: no SNAT */
	uint16_t client_port;	/* host order; the echo id for ICMP */
	uint16_t server_port;
	uint16_t service_port;
	int64_t orig_bytes; /* STORE_UNKNOWN without accounting */
	int64_t orig_packets;
	int64_t reply_bytes;
	int64_t reply_packets;
	/*
	 * When the connection started, from the kernel's conntrack timestamp
	 * (net.netfilter.nf_conntrack_timestamp=1), which dumps and DESTROY
	 * events carry: Unix nanoseconds, and seconds; 0 when not reported.
	 */
	int64_t start_ns;
	int64_t start;
};

/*
 * Fills *f from a ctnetlink message (an event or a dump entry; nlh's
 * length already checked against what was read, as mnl_cb_run() does).
 * Returns 0, or -1 with errmsg for a message that is not an IPv4 or IPv6
 * entry with both tuples, or whose attributes are malformed: the kernel
 * sends neither.
 */
int ctflow_parse(const struct nlmsghdr *nlh, struct ctflow *f);

/*
 * Nonzero when podflow keeps the flow: the client or the server is inside
 * one of the pod CIDRs, and neither end is loopback.
 */
int ctflow_in_scope(const struct ctflow *f, const struct cidr *pod_cidrs,
		    size_t n);

/*
 * Fills *e with the edge key of f in time bucket bucket and a zero count
 * seen at now, with f's byte and packet counters when with_counters (the
 * totals of an ended connection), else none (STORE_UNKNOWN).  The caller
 * sets connections and the start.
 */
void ctflow_to_edge(const struct ctflow *f, int64_t bucket, int64_t now,
		    int with_counters, struct store_edge *e);

#endif
