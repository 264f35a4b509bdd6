/*
 * ctmsg: building conntrack messages for the unit tests (ctmsg.h).
 */
#include <arpa/inet.h>
#include <endian.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>
#include <libnetfilter_conntrack/libnetfilter_conntrack.h>
#include <libnetfilter_conntrack/libnetfilter_conntrack_tcp.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>

#include "ctmsg.h"

static int family_of(const char *addr)
{
	return strchr(addr, ':') ? AF_INET6 : AF_INET;
}

static void set_addr(struct nf_conntrack *ct, int family, int attr4,
		     int attr6, const char *text)
{
	unsigned char bytes[16];

	inet_pton(family, text, bytes);
	nfct_set_attr(ct, family == AF_INET ? attr4 : attr6, bytes);
}

static void put_counters(struct nlmsghdr *nlh, int type, int64_t packets,
			 int64_t bytes)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, type);

	mnl_attr_put_u64(nlh, CTA_COUNTERS_PACKETS, htobe64((uint64_t)packets));
	mnl_attr_put_u64(nlh, CTA_COUNTERS_BYTES, htobe64((uint64_t)bytes));
	mnl_attr_nest_end(nlh, nest);
}

/* As ctnetlink_dump_timestamp() writes it: the stop only once there is one. */
static void put_timestamp(struct nlmsghdr *nlh, uint64_t start_ns,
			  uint64_t stop_ns)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, CTA_TIMESTAMP);

	mnl_attr_put_u64(nlh, CTA_TIMESTAMP_START, htobe64(start_ns));
	if (stop_ns != 0)
		mnl_attr_put_u64(nlh, CTA_TIMESTAMP_STOP, htobe64(stop_ns));
	mnl_attr_nest_end(nlh, nest);
}

struct nlmsghdr *ctmsg_build(void *buf, int msgtype, int dump,
			     const struct ctspec *spec)
{
	const char *rsrc = spec->reply_src ? spec->reply_src : spec->orig_dst;
	const char *rdst = spec->reply_dst ? spec->reply_dst : spec->orig_src;
	uint16_t rsport = spec->reply_sport ? spec->reply_sport
					    : spec->orig_dport;
	uint16_t rdport = spec->reply_dport ? spec->reply_dport
					    : spec->orig_sport;
	int family = family_of(spec->orig_src);
	struct nf_conntrack *ct = nfct_new();
	struct nlmsghdr *nlh;
	struct nfgenmsg *nfg;

	memset(buf, 0, 4096);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | msgtype;
	nlh->nlmsg_flags = dump ? NLM_F_MULTI
				: (msgtype == IPCTNL_MSG_CT_NEW
					   ? NLM_F_CREATE | NLM_F_EXCL
					   : 0);
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = (uint8_t)family;
	nfg->version = NFNETLINK_V0;

	nfct_set_attr_u8(ct, ATTR_L3PROTO, (uint8_t)family);
	nfct_set_attr_u8(ct, ATTR_L4PROTO, spec->protocol);
	set_addr(ct, family, ATTR_ORIG_IPV4_SRC, ATTR_ORIG_IPV6_SRC,
		 spec->orig_src);
	set_addr(ct, family, ATTR_ORIG_IPV4_DST, ATTR_ORIG_IPV6_DST,
		 spec->orig_dst);
	set_addr(ct, family, ATTR_REPL_IPV4_SRC, ATTR_REPL_IPV6_SRC, rsrc);
	set_addr(ct, family, ATTR_REPL_IPV4_DST, ATTR_REPL_IPV6_DST, rdst);
	nfct_set_attr_u8(ct, ATTR_REPL_L3PROTO, (uint8_t)family);
	nfct_set_attr_u8(ct, ATTR_REPL_L4PROTO, spec->protocol);
	if (spec->protocol == IPPROTO_ICMP ||
	    spec->protocol == IPPROTO_ICMPV6) {
		nfct_set_attr_u8(ct, ATTR_ICMP_TYPE,
				 spec->protocol == IPPROTO_ICMP ? 8 : 128);
		nfct_set_attr_u8(ct, ATTR_ICMP_CODE, 0);
		nfct_set_attr_u16(ct, ATTR_ICMP_ID, htons(77));
	} else {
		nfct_set_attr_u16(ct, ATTR_ORIG_PORT_SRC,
				  htons(spec->orig_sport));
		nfct_set_attr_u16(ct, ATTR_ORIG_PORT_DST,
				  htons(spec->orig_dport));
		nfct_set_attr_u16(ct, ATTR_REPL_PORT_SRC, htons(rsport));
		nfct_set_attr_u16(ct, ATTR_REPL_PORT_DST, htons(rdport));
	}
	if (spec->protocol == IPPROTO_TCP)
		nfct_set_attr_u8(ct, ATTR_TCP_STATE, TCP_CONNTRACK_ESTABLISHED);
	nfct_set_attr_u32(ct, ATTR_TIMEOUT, 120);
	if (spec->zone)
		nfct_set_attr_u16(ct, ATTR_ZONE, spec->zone);
	nfct_nlmsg_build(nlh, ct);
	nfct_destroy(ct);

	/*
	 * nfct_nlmsg_build() writes what a request to the kernel carries;
	 * events also carry the id and, with accounting and timestamps on,
	 * the counters and the start (and end) times.
	 */
	mnl_attr_put_u32(nlh, CTA_ID, htonl(spec->id));
	if (spec->orig_bytes >= 0) {
		put_counters(nlh, CTA_COUNTERS_ORIG, spec->orig_packets,
			     spec->orig_bytes);
		put_counters(nlh, CTA_COUNTERS_REPLY, spec->reply_packets,
			     spec->reply_bytes);
	}
	if (spec->start_ns != 0)
		put_timestamp(nlh, spec->start_ns, spec->stop_ns);
	return nlh;
}
