/*
 * ctmsg: conntrack netlink messages built with libnetfilter_conntrack's
 * nfct_nlmsg_build(), exactly as the kernel would send them, for tests
 * that need no root and no kernel (SCTP included, which this kernel
 * cannot carry).
 */
#ifndef PODFLOW_TEST_CTMSG_H
#define PODFLOW_TEST_CTMSG_H

#include <stddef.h>
#include <stdint.h>

struct nlmsghdr;

/* One conntrack entry; NULL reply addresses mirror the original tuple. */
struct ctspec {
	uint8_t protocol;
	const char *orig_src, *orig_dst;
	uint16_t orig_sport, orig_dport;
	const char *reply_src, *reply_dst; /* NULL: no NAT on that side */
	uint16_t reply_sport, reply_dport; /* 0: mirror the original */
	uint32_t id;
	uint16_t zone;
	int64_t orig_bytes, orig_packets; /* -1: no accounting */
	int64_t reply_bytes, reply_packets;
	/*
	 * CTA_TIMESTAMP, which the kernel adds to dump entries and DESTROY
	 * events when net.netfilter.nf_conntrack_timestamp=1: the start and
	 * (at DESTROY) the end, nanoseconds since the epoch; 0: not sent.
	 */
	uint64_t start_ns, stop_ns;
};

#define CTSPEC_NO_ACCT .orig_bytes = -1, .orig_packets = -1, \
		       .reply_bytes = -1, .reply_packets = -1

/*
 * A ctspec as its original tuple reads: proto (TCP, UDP, SCTP, ICMP or
 * ICMPV6, an IPPROTO_ name from <netinet/in.h>) from src:sport to
 * dst:dport, without accounting, then the fields the case is about (not
 * the counters), as designated initializers.
 */
#define CTSPEC(proto, src, sport, dst, dport, ...)                             \
	{ .protocol = IPPROTO_##proto, .orig_src = src, .orig_sport = sport,   \
	  .orig_dst = dst, .orig_dport = dport, CTSPEC_NO_ACCT, __VA_ARGS__ }

/*
 * Builds the message for spec into buf (at least 4096 bytes): an event
 * (msgtype IPCTNL_MSG_CT_NEW or IPCTNL_MSG_CT_DELETE) or, with dump set,
 * an entry of a dump reply.  Returns the message in buf.
 */
struct nlmsghdr *ctmsg_build(void *buf, int msgtype, int dump,
			     const struct ctspec *spec);

#endif
