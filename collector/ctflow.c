/*
 * ctflow: reading a conntrack entry as a client -> server flow (ctflow.h).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include <libnetfilter_conntrack/libnetfilter_conntrack.h>

#include "podflow/errmsg.h"
#include "podflow/store.h"
#include "ctflow.h"

/* Copies an address attribute of the given family into *a. */
static void get_addr(const struct nf_conntrack *ct, int family, int attr4,
		     int attr6, struct addr *a)
{
	memset(a, 0, sizeof(*a));
	a->family = (uint8_t)family;
	if (family == AF_INET)
		memcpy(a->bytes, nfct_get_attr(ct, attr4), 4);
	else
		memcpy(a->bytes, nfct_get_attr(ct, attr6), 16);
}

static uint16_t get_port(const struct nf_conntrack *ct, int attr)
{
	if (!nfct_attr_is_set(ct, attr))
		return 0;
	return ntohs(nfct_get_attr_u16(ct, attr));
}

static int64_t get_counter(const struct nf_conntrack *ct, int attr)
{
	if (!nfct_attr_is_set(ct, attr))
		return STORE_UNKNOWN;
	return (int64_t)nfct_get_attr_u64(ct, attr);
}

/* Protocols whose tuples carry ports; ICMP's "ports" are type and id. */
static int has_ports(uint8_t protocol)
{
	switch (protocol) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
	case IPPROTO_SCTP:
	case IPPROTO_UDPLITE:
	case IPPROTO_DCCP:
		return 1;
	default:
		return 0;
	}
}

/*
 * Checks that ct is an IPv4 or IPv6 entry with both tuples, and stores
 * its family in *family.  Returns 0, or -1 with errmsg.
 */
static int ct_family(const struct nf_conntrack *ct, int *family)
{
	int f;

	if (!nfct_attr_is_set(ct, ATTR_ORIG_L3PROTO) ||
	    !nfct_attr_is_set(ct, ATTR_ORIG_L4PROTO)) {
		errmsg_set("conntrack entry without a protocol");
		return -1;
	}
	f = nfct_get_attr_u8(ct, ATTR_ORIG_L3PROTO);
	if (f != AF_INET && f != AF_INET6) {
		errmsg_set("conntrack entry of family %d", f);
		return -1;
	}
	if (!nfct_attr_grp_is_set(ct, f == AF_INET ? ATTR_GRP_ORIG_IPV4
						   : ATTR_GRP_ORIG_IPV6) ||
	    !nfct_attr_grp_is_set(ct, f == AF_INET ? ATTR_GRP_REPL_IPV4
						   : ATTR_GRP_REPL_IPV6)) {
		errmsg_set("conntrack entry without both tuples");
		return -1;
	}
	*family = f;
	return 0;
}

int ctflow_from_ct(const struct nf_conntrack *ct, struct ctflow *f)
{
	struct ctflow out = { 0 };
	struct addr orig_dst, reply_dst;
	uint16_t orig_dport;
	int family;

	if (ct_family(ct, &family) < 0)
		return -1;
	out.protocol = nfct_get_attr_u8(ct, ATTR_ORIG_L4PROTO);
	out.id = nfct_attr_is_set(ct, ATTR_ID) ? nfct_get_attr_u32(ct, ATTR_ID)
					       : 0;
	out.zone = nfct_attr_is_set(ct, ATTR_ZONE)
			   ? nfct_get_attr_u16(ct, ATTR_ZONE)
			   : 0;

	get_addr(ct, family, ATTR_ORIG_IPV4_SRC, ATTR_ORIG_IPV6_SRC,
		 &out.client);
	get_addr(ct, family, ATTR_ORIG_IPV4_DST, ATTR_ORIG_IPV6_DST,
		 &orig_dst);
	get_addr(ct, family, ATTR_REPL_IPV4_SRC, ATTR_REPL_IPV6_SRC,
		 &out.server);
	get_addr(ct, family, ATTR_REPL_IPV4_DST, ATTR_REPL_IPV6_DST,
		 &reply_dst);
	if (has_ports(out.protocol)) {
		out.client_port = get_port(ct, ATTR_ORIG_PORT_SRC);
		orig_dport = get_port(ct, ATTR_ORIG_PORT_DST);
		out.server_port = get_port(ct, ATTR_REPL_PORT_SRC);
	} else {
		orig_dport = 0;
		/* ICMP echo: the id tells concurrent pings apart. */
		if (nfct_attr_is_set(ct, ATTR_ICMP_ID))
			out.client_port = ntohs(nfct_get_attr_u16(ct,
								  ATTR_ICMP_ID));
	}

	/* DNAT: the client dialled something other than who answered. */
	if (!addr_equal(&orig_dst, &out.server) ||
	    orig_dport != out.server_port) {
		out.service = orig_dst;
		out.service_port = orig_dport;
	}
	/* SNAT: the server saw the connection come from elsewhere. */
	if (!addr_equal(&reply_dst, &out.client))
		out.client_nat = reply_dst;

	out.orig_bytes = get_counter(ct, ATTR_ORIG_COUNTER_BYTES);
	out.orig_packets = get_counter(ct, ATTR_ORIG_COUNTER_PACKETS);
	out.reply_bytes = get_counter(ct, ATTR_REPL_COUNTER_BYTES);
	out.reply_packets = get_counter(ct, ATTR_REPL_COUNTER_PACKETS);
	if (nfct_attr_is_set(ct, ATTR_TIMESTAMP_START) &&
	    nfct_get_attr_u64(ct, ATTR_TIMESTAMP_START) <= INT64_MAX) {
		out.start_ns =
			(int64_t)nfct_get_attr_u64(ct, ATTR_TIMESTAMP_START);
		out.start = out.start_ns / 1000000000;
	}
	*f = out;
	return 0;
}

static int is_loopback(const struct addr *a)
{
	static const uint8_t v6_loopback[16] = { [15] = 1 };

	if (a->family == AF_INET)
		return a->bytes[0] == 127;
	return memcmp(a->bytes, v6_loopback, 16) == 0;
}

static int in_cidrs(const struct addr *a, const struct cidr *cidrs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (cidr_contains(&cidrs[i], a))
			return 1;
	return 0;
}

int ctflow_in_scope(const struct ctflow *f, const struct cidr *pod_cidrs,
		    size_t n)
{
	if (is_loopback(&f->client) || is_loopback(&f->server))
		return 0;
	return in_cidrs(&f->client, pod_cidrs, n) ||
	       in_cidrs(&f->server, pod_cidrs, n);
}

void ctflow_to_edge(const struct ctflow *f, int64_t bucket, int64_t now,
		    int with_counters, struct store_edge *e)
{
	memset(e, 0, sizeof(*e));
	e->bucket = bucket;
	e->client = f->client;
	e->server = f->server;
	e->service = f->service;
	e->client_nat = f->client_nat;
	e->server_port = f->server_port;
	e->service_port = f->service.family ? f->service_port : 0;
	e->protocol = f->protocol;
	e->first_seen = now;
	e->last_seen = now;
	e->last_start = STORE_UNKNOWN;
	e->orig_bytes = with_counters ? f->orig_bytes : STORE_UNKNOWN;
	e->orig_packets = with_counters ? f->orig_packets : STORE_UNKNOWN;
	e->reply_bytes = with_counters ? f->reply_bytes : STORE_UNKNOWN;
	e->reply_packets = with_counters ? f->reply_packets : STORE_UNKNOWN;
}
