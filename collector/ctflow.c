/*
 * ctflow: reading a conntrack entry as a client -> server flow (ctflow.h).
 */
#include <arpa/inet.h>
#include <endian.h>
#include <netinet/in.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>

#include "podflow/errmsg.h"
#include "podflow/store.h"
#include "ctflow.h"

/*
 * Messages are read in place rather than by libnetfilter_conntrack's
 * parser: podflowd reads every event the node makes, and that parser
 * allocates an object per message, fills every attribute it knows and
 * answers a malformed message with exit().  Here a message is read only
 * for what a flow needs, and whatever does not fit is an error the caller
 * counts.
 *
 * The walk over attributes is inline, with the bounds checks of libmnl's
 * mnl_attr_for_each(): its five calls into the library per attribute (the
 * bounds, the next one, the type, the length, the payload) were a
 * twentieth of podflowd's time under a flood.
 */

/* An attribute's type, without the nested and byte-order flags. */
static inline int attr_type(const struct nlattr *a)
{
	return a->nla_type & NLA_TYPE_MASK;
}

static inline const void *attr_data(const struct nlattr *a)
{
	return (const char *)a + NLA_HDRLEN;
}

/* Whether attr's payload is exactly len bytes. */
static inline int payload_is(const struct nlattr *a, size_t len)
{
	return a->nla_len == NLA_HDRLEN + len;
}

/* Whether a, where end is the end of its space, is whole within it. */
static inline int attr_fits(const struct nlattr *a, const char *end)
{
	ptrdiff_t room = end - (const char *)a;

	return room >= (ptrdiff_t)sizeof(*a) && a->nla_len >= sizeof(*a) &&
	       a->nla_len <= room;
}

static inline const struct nlattr *attr_next(const struct nlattr *a)
{
	return (const struct nlattr *)((const char *)a + NLA_ALIGN(a->nla_len));
}

/*
 * Every attribute from first to end.  After it, a walk that used up its
 * space has a == end: one that stopped at an attribute that does not fit
 * (which the kernel never sends) has not.
 */
#define for_each_attr(a, first, end) \
	for ((a) = (first); attr_fits((a), (end)); (a) = attr_next(a))

/* 0 when a walk stopped at end, -1 when at an attribute that did not fit. */
static inline int walked(const struct nlattr *a, const char *end)
{
	return (const char *)a == end ? 0 : -1;
}

/* The attributes inside nest, and the end of its payload. */
static inline const struct nlattr *nest_first(const struct nlattr *nest)
{
	return attr_data(nest);
}

static inline const char *nest_end(const struct nlattr *nest)
{
	return (const char *)nest + nest->nla_len;
}

static inline uint8_t get_u8(const struct nlattr *a)
{
	return *(const uint8_t *)attr_data(a);
}

/* Network order kept: the caller converts. */
static inline uint16_t get_u16(const struct nlattr *a)
{
	uint16_t v;

	memcpy(&v, attr_data(a), sizeof(v));
	return v;
}

static inline uint32_t get_u32(const struct nlattr *a)
{
	uint32_t v;

	memcpy(&v, attr_data(a), sizeof(v));
	return v;
}

static inline uint64_t get_u64(const struct nlattr *a)
{
	uint64_t v;

	memcpy(&v, attr_data(a), sizeof(v));
	return v;
}

/* What one tuple (CTA_TUPLE_ORIG or CTA_TUPLE_REPLY) says. */
struct tuple {
	struct addr src, dst;
	uint16_t sport, dport, icmp_id; /* network order */
	uint8_t protocol;
	unsigned int have; /* HAVE_* */
};

enum {
	HAVE_SRC = 1,
	HAVE_DST = 2,
	HAVE_PROTO = 4,
};

/* attr as an address of family into *a: 0, or -1 if its size is not. */
static int read_addr(const struct nlattr *attr, int family, struct addr *a)
{
	size_t len = family == AF_INET ? 4 : 16;

	if (!payload_is(attr, len))
		return -1;
	memset(a, 0, sizeof(*a));
	a->family = (uint8_t)family;
	memcpy(a->bytes, attr_data(attr), len);
	return 0;
}

/* A CTA_TUPLE_IP nest, of family. */
static int read_tuple_ip(const struct nlattr *nest, int family,
			 struct tuple *t)
{
	const char *end = nest_end(nest);
	const struct nlattr *attr;
	int v4 = family == AF_INET;

	for_each_attr(attr, nest_first(nest), end) {
		switch (attr_type(attr)) {
		case CTA_IP_V4_SRC:
		case CTA_IP_V6_SRC:
			if ((attr_type(attr) == CTA_IP_V4_SRC) != v4 ||
			    read_addr(attr, family, &t->src) < 0)
				return -1;
			t->have |= HAVE_SRC;
			break;
		case CTA_IP_V4_DST:
		case CTA_IP_V6_DST:
			if ((attr_type(attr) == CTA_IP_V4_DST) != v4 ||
			    read_addr(attr, family, &t->dst) < 0)
				return -1;
			t->have |= HAVE_DST;
			break;
		}
	}
	return walked(attr, end);
}

/* A CTA_TUPLE_PROTO nest. */
static int read_tuple_proto(const struct nlattr *nest, struct tuple *t)
{
	const char *end = nest_end(nest);
	const struct nlattr *attr;

	for_each_attr(attr, nest_first(nest), end) {
		int type = attr_type(attr);

		switch (type) {
		case CTA_PROTO_NUM:
			if (!payload_is(attr, 1))
				return -1;
			t->protocol = get_u8(attr);
			t->have |= HAVE_PROTO;
			break;
		case CTA_PROTO_SRC_PORT:
		case CTA_PROTO_DST_PORT:
		case CTA_PROTO_ICMP_ID:
		case CTA_PROTO_ICMPV6_ID:
			if (!payload_is(attr, 2))
				return -1;
			if (type == CTA_PROTO_SRC_PORT)
				t->sport = get_u16(attr);
			else if (type == CTA_PROTO_DST_PORT)
				t->dport = get_u16(attr);
			else
				t->icmp_id = get_u16(attr);
			break;
		}
	}
	return walked(attr, end);
}

/* A CTA_TUPLE_ORIG or CTA_TUPLE_REPLY nest, of family. */
static int read_tuple(const struct nlattr *nest, int family, struct tuple *t)
{
	const char *end = nest_end(nest);
	const struct nlattr *attr;

	for_each_attr(attr, nest_first(nest), end) {
		switch (attr_type(attr)) {
		case CTA_TUPLE_IP:
			if (read_tuple_ip(attr, family, t) < 0)
				return -1;
			break;
		case CTA_TUPLE_PROTO:
			if (read_tuple_proto(attr, t) < 0)
				return -1;
			break;
		}
	}
	return walked(attr, end);
}

/*
 * A CTA_COUNTERS_* nest into *packets and *bytes (64-bit counters, or the
 * 32-bit ones of old kernels).
 */
static int read_counters(const struct nlattr *nest, int64_t *packets,
			 int64_t *bytes)
{
	const char *end = nest_end(nest);
	const struct nlattr *attr;

	for_each_attr(attr, nest_first(nest), end) {
		int64_t *to;
		uint64_t v;

		switch (attr_type(attr)) {
		case CTA_COUNTERS_PACKETS:
		case CTA_COUNTERS32_PACKETS:
			to = packets;
			break;
		case CTA_COUNTERS_BYTES:
		case CTA_COUNTERS32_BYTES:
			to = bytes;
			break;
		default:
			continue;
		}
		if (payload_is(attr, 8))
			v = be64toh(get_u64(attr));
		else if (payload_is(attr, 4))
			v = ntohl(get_u32(attr));
		else
			return -1;
		*to = v > INT64_MAX ? INT64_MAX : (int64_t)v;
	}
	return walked(attr, end);
}

/* A CTA_TIMESTAMP nest: its start, Unix nanoseconds, into *start_ns. */
static int read_timestamp(const struct nlattr *nest, int64_t *start_ns)
{
	const char *end = nest_end(nest);
	const struct nlattr *attr;

	for_each_attr(attr, nest_first(nest), end) {
		uint64_t v;

		if (attr_type(attr) != CTA_TIMESTAMP_START)
			continue;
		if (!payload_is(attr, 8))
			return -1;
		v = be64toh(get_u64(attr));
		if (v <= INT64_MAX)
			*start_ns = (int64_t)v;
	}
	return walked(attr, end);
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
 * The attributes of a conntrack message into orig, reply and out (id,
 * zone, counters, start).  The caller says what was malformed.
 */
static int read_entry(const struct nlmsghdr *nlh, int family,
		      struct tuple *orig, struct tuple *reply,
		      struct ctflow *out)
{
	const char *end = (const char *)nlh + nlh->nlmsg_len;
	const struct nlattr *attr;

	for_each_attr(attr, mnl_nlmsg_get_payload_offset(nlh,
							 sizeof(struct nfgenmsg)),
		      end) {
		switch (attr_type(attr)) {
		case CTA_TUPLE_ORIG:
			if (read_tuple(attr, family, orig) < 0)
				return -1;
			break;
		case CTA_TUPLE_REPLY:
			if (read_tuple(attr, family, reply) < 0)
				return -1;
			break;
		case CTA_ID:
			if (!payload_is(attr, 4))
				return -1;
			out->id = ntohl(get_u32(attr));
			break;
		case CTA_ZONE:
			if (!payload_is(attr, 2))
				return -1;
			out->zone = ntohs(get_u16(attr));
			break;
		case CTA_COUNTERS_ORIG:
			if (read_counters(attr, &out->orig_packets,
					  &out->orig_bytes) < 0)
				return -1;
			break;
		case CTA_COUNTERS_REPLY:
			if (read_counters(attr, &out->reply_packets,
					  &out->reply_bytes) < 0)
				return -1;
			break;
		case CTA_TIMESTAMP:
			if (read_timestamp(attr, &out->start_ns) < 0)
				return -1;
			break;
		}
	}
	return walked(attr, end);
}

int ctflow_parse(const struct nlmsghdr *nlh, struct ctflow *f)
{
	struct ctflow out = {
		.orig_bytes = STORE_UNKNOWN,
		.orig_packets = STORE_UNKNOWN,
		.reply_bytes = STORE_UNKNOWN,
		.reply_packets = STORE_UNKNOWN,
	};
	const unsigned int both = HAVE_SRC | HAVE_DST;
	struct tuple orig = { 0 }, reply = { 0 };
	const struct nfgenmsg *nfg;
	uint16_t orig_dport;
	int family;

	/* The kernel pads every attribute, and so every message, to 4 bytes. */
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*nfg) ||
	    nlh->nlmsg_len % MNL_ALIGNTO != 0) {
		errmsg_set("conntrack message of %u bytes", nlh->nlmsg_len);
		return -1;
	}
	nfg = mnl_nlmsg_get_payload(nlh);
	family = nfg->nfgen_family;
	if (family != AF_INET && family != AF_INET6) {
		errmsg_set("conntrack entry of family %d", family);
		return -1;
	}
	if (read_entry(nlh, family, &orig, &reply, &out) < 0) {
		errmsg_set("malformed conntrack message");
		return -1;
	}
	if (!(orig.have & HAVE_PROTO)) {
		errmsg_set("conntrack entry without a protocol");
		return -1;
	}
	if ((orig.have & both) != both || (reply.have & both) != both) {
		errmsg_set("conntrack entry without both tuples");
		return -1;
	}
	out.protocol = orig.protocol;
	out.client = orig.src;
	out.server = reply.src;
	if (has_ports(out.protocol)) {
		out.client_port = ntohs(orig.sport);
		orig_dport = ntohs(orig.dport);
		out.server_port = ntohs(reply.sport);
	} else {
		/* ICMP echo: the id tells concurrent pings apart. */
		out.client_port = ntohs(orig.icmp_id);
		orig_dport = 0;
	}

	/* DNAT: the client dialled something other than who answered. */
	if (!addr_equal(&orig.dst, &out.server) ||
	    orig_dport != out.server_port) {
		out.service = orig.dst;
		out.service_port = orig_dport;
	}
	/* SNAT: the server saw the connection come from elsewhere. */
	if (!addr_equal(&reply.dst, &out.client))
		out.client_nat = reply.dst;
	out.start = out.start_ns / 1000000000;
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
