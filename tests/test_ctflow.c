/*
 * Unit tests for ctflow: conntrack messages, built as the kernel sends
 * them, read as client -> server flows with NAT resolved.
 *
 * The flows are a table: a conntrack entry and the flow it must read as,
 * written out as text (describe()), one cmocka test per entry.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cmocka.h>
#include <libmnl/libmnl.h>
#include <libnetfilter_conntrack/libnetfilter_conntrack.h>
#include <linux/netfilter/nfnetlink_conntrack.h>

#include "podflow/errmsg.h"
#include "podflow/store.h"
#include "collector/ctflow.h"
#include "support/ctmsg.h"
#include "support/testkit.h"

static char buf[4096];

/* Builds spec as a NEW event, parses it back and converts it. */
static struct ctflow flow_of(const struct ctspec *spec)
{
	struct nlmsghdr *nlh = ctmsg_build(buf, IPCTNL_MSG_CT_NEW, 0, spec);
	struct ctflow f;

	assert_int_equal(ctflow_parse(nlh, &f), 0);
	return f;
}

static void assert_addr(const struct addr *a, const char *want)
{
	char text[ADDR_STRLEN];

	assert_string_equal(addr_format(a, text), want);
}

static const char *proto_text(uint8_t protocol)
{
	switch (protocol) {
	case IPPROTO_TCP:
		return "tcp";
	case IPPROTO_UDP:
		return "udp";
	case IPPROTO_SCTP:
		return "sctp";
	case IPPROTO_ICMP:
		return "icmp";
	case IPPROTO_ICMPV6:
		return "icmpv6";
	}
	return "?";
}

/*
 * Every field of f as text: "PROTO CLIENT PORT -> SERVER PORT", then
 * "via SERVICE PORT" if there was DNAT, "nat ADDRESS" if there was SNAT,
 * "id ID zone ZONE", and "bytes ORIG/REPLY packets ORIG/REPLY" if any
 * count is known.
 */
static void describe(const struct ctflow *f, char *out, size_t len)
{
	char client[ADDR_STRLEN], server[ADDR_STRLEN], service[ADDR_STRLEN];
	char nat[ADDR_STRLEN];
	FILE *fp = fmemopen(out, len, "w");

	assert_non_null(fp);
	fprintf(fp, "%s %s %u -> %s %u", proto_text(f->protocol),
		addr_format(&f->client, client), f->client_port,
		addr_format(&f->server, server), f->server_port);
	if (f->service.family != 0)
		fprintf(fp, " via %s %u", addr_format(&f->service, service),
			f->service_port);
	if (f->client_nat.family != 0)
		fprintf(fp, " nat %s", addr_format(&f->client_nat, nat));
	fprintf(fp, " id %u zone %u", f->id, f->zone);
	if (f->orig_bytes != STORE_UNKNOWN ||
	    f->orig_packets != STORE_UNKNOWN ||
	    f->reply_bytes != STORE_UNKNOWN ||
	    f->reply_packets != STORE_UNKNOWN)
		fprintf(fp, " bytes %lld/%lld packets %lld/%lld",
			(long long)f->orig_bytes, (long long)f->reply_bytes,
			(long long)f->orig_packets,
			(long long)f->reply_packets);
	fclose(fp);
}

/* A conntrack entry and the flow it reads as, described. */
struct flow_case {
	const char *name;
	struct ctspec spec;
	const char *want;
};

static const struct flow_case flows[] = {
	{ "test_plain_tcp_is_client_to_server",
	  CTSPEC(TCP, "10.244.1.5", 40000, "10.244.2.7", 8080, .id = 42),
	  "tcp 10.244.1.5 40000 -> 10.244.2.7 8080 id 42 zone 0" },
	{ "test_dnat_stores_backend_and_target_port",
	  CTSPEC(TCP, "10.244.1.5", 40000, "10.96.0.15", 80,
		 .reply_src = "10.244.1.7", .reply_sport = 8080, .id = 1),
	  "tcp 10.244.1.5 40000 -> 10.244.1.7 8080 via 10.96.0.15 80 id 1 "
	  "zone 0" },
	/*
	 * A Service whose port equals its targetPort still changes the
	 * address.
	 */
	{ "test_dnat_same_port_keeps_service",
	  CTSPEC(UDP, "10.244.1.5", 5000, "10.96.0.10", 53,
		 .reply_src = "10.244.0.3", .id = 2),
	  "udp 10.244.1.5 5000 -> 10.244.0.3 53 via 10.96.0.10 53 id 2 "
	  "zone 0" },
	{ "test_masquerade_keeps_the_address_the_server_saw",
	  CTSPEC(TCP, "10.244.1.5", 40000, "203.0.113.7", 443,
		 .reply_dst = "192.168.0.10", .reply_dport = 61000, .id = 3),
	  "tcp 10.244.1.5 40000 -> 203.0.113.7 443 nat 192.168.0.10 id 3 "
	  "zone 0" },
	/*
	 * NodePort with externalTrafficPolicy: Cluster: DNAT and SNAT at
	 * once.
	 */
	{ "test_nodeport_resolves_both_sides",
	  CTSPEC(TCP, "198.51.100.9", 51000, "192.168.0.10", 30080,
		 .reply_src = "10.244.2.7", .reply_sport = 8080,
		 .reply_dst = "10.244.0.1", .reply_dport = 51000, .id = 4),
	  "tcp 198.51.100.9 51000 -> 10.244.2.7 8080 via 192.168.0.10 30080 "
	  "nat 10.244.0.1 id 4 zone 0" },
	{ "test_ipv6_udp",
	  CTSPEC(UDP, "fd00:10:244:1::5", 5353, "fd00:10:96::a", 53,
		 .reply_src = "fd00:10:244::3", .id = 5),
	  "udp fd00:10:244:1::5 5353 -> fd00:10:244::3 53 via fd00:10:96::a 53 "
	  "id 5 zone 0" },
	{ "test_sctp_has_ports",
	  CTSPEC(SCTP, "10.244.1.5", 36412, "10.244.3.9", 38412, .id = 6),
	  "sctp 10.244.1.5 36412 -> 10.244.3.9 38412 id 6 zone 0" },
	/* The client's port is the echo id (ctmsg sends 77), the server's 0. */
	{ "test_icmp_has_no_ports",
	  CTSPEC(ICMP, "10.244.1.5", 0, "10.244.3.9", 0, .id = 7),
	  "icmp 10.244.1.5 77 -> 10.244.3.9 0 id 7 zone 0" },
	{ "test_icmpv6_has_no_ports",
	  CTSPEC(ICMPV6, "fd00:10:244:1::5", 0, "fd00:10:244:3::9", 0, .id = 8),
	  "icmpv6 fd00:10:244:1::5 77 -> fd00:10:244:3::9 0 id 8 zone 0" },
	{ "test_counters_and_zone",
	  { .protocol = IPPROTO_TCP, .orig_src = "10.244.1.5", .orig_sport = 1,
	    .orig_dst = "10.244.2.7", .orig_dport = 2, .id = 9, .zone = 3,
	    .orig_bytes = 100, .orig_packets = 2, .reply_bytes = 5000,
	    .reply_packets = 4 },
	  "tcp 10.244.1.5 1 -> 10.244.2.7 2 id 9 zone 3 bytes 100/5000 "
	  "packets 2/4" },
};

static void run_flow_case(void **state)
{
	const struct flow_case *c = *state;
	struct ctflow f = flow_of(&c->spec);
	char got[256];

	describe(&f, got, sizeof(got));
	if (strcmp(got, c->want) != 0)
		fail_msg("%s:\n  got:  '%s'\n  want: '%s'", c->name, got,
			 c->want);
}

static void test_scope(void **state)
{
	static const struct {
		const char *why, *src, *dst, *reply_src;
		size_t n_cidrs;
		int want;
	} cases[] = {
		{ "pod egress", "10.244.1.5", "203.0.113.7", NULL, 2, 1 },
		{ "ingress to a pod through a Service", "198.51.100.1",
		  "10.96.0.15", "10.244.2.7", 2, 1 },
		{ "host to host", "192.168.0.10", "192.168.0.11", NULL, 2, 0 },
		{ "loopback, even towards a pod address", "127.0.0.1",
		  "10.244.1.5", NULL, 2, 0 },
		{ "IPv6 pod egress", "fd00:10:244:1::5", "2001:db8::1", NULL, 2,
		  1 },
		{ "IPv6 pod egress, the IPv6 pod CIDR not given",
		  "fd00:10:244:1::5", "2001:db8::1", NULL, 1, 0 },
	};
	struct cidr pods[2];

	(void)state;
	assert_int_equal(cidr_parse("10.244.0.0/16", &pods[0]), 0);
	assert_int_equal(cidr_parse("fd00:10:244::/48", &pods[1]), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ctspec s = CTSPEC(TCP, cases[i].src, 1, cases[i].dst, 2,
					 .reply_src = cases[i].reply_src);
		struct ctflow f = flow_of(&s);
		int got = ctflow_in_scope(&f, pods, cases[i].n_cidrs) != 0;

		if (got != cases[i].want)
			fail_msg("%s: in scope %d, want %d", cases[i].why, got,
				 cases[i].want);
	}
}

static void test_edge_key_of_flow(void **state)
{
	struct ctspec s = CTSPEC(TCP, "10.244.1.5", 40000, "10.96.0.15", 80,
				 .reply_src = "10.244.1.7",
				 .reply_sport = 8080, .id = 1);
	struct ctflow f = flow_of(&s);
	struct store_edge e;

	(void)state;
	f.orig_bytes = 100;
	f.orig_packets = 2;
	f.reply_bytes = 5000;
	f.reply_packets = 4;
	ctflow_to_edge(&f, 600, 630, 0, &e);
	assert_int_equal(e.bucket, 600);
	assert_int_equal(e.first_seen, 630);
	assert_int_equal(e.last_seen, 630);
	assert_int_equal(e.connections, 0);
	assert_int_equal(e.server_port, 8080);
	assert_int_equal(e.service_port, 80);
	assert_addr(&e.service, "10.96.0.15");
	assert_int_equal(e.orig_bytes, STORE_UNKNOWN);
	/* An ended connection's totals, with the same key. */
	ctflow_to_edge(&f, 600, 630, 1, &e);
	assert_int_equal(e.server_port, 8080);
	assert_int_equal(e.last_start, STORE_UNKNOWN);
	assert_int_equal(e.orig_bytes, 100);
	assert_int_equal(e.orig_packets, 2);
	assert_int_equal(e.reply_bytes, 5000);
	assert_int_equal(e.reply_packets, 4);
}

/* A DESTROY carries the start (CTA_TIMESTAMP) and 64-bit counters. */
static void test_start_and_counters(void **state)
{
	struct ctspec s = { .protocol = IPPROTO_UDP, .orig_src = "10.244.1.5",
			    .orig_sport = 5000, .orig_dst = "10.244.2.7",
			    .orig_dport = 53, .id = 11, .orig_bytes = 60,
			    .orig_packets = 1, .reply_bytes = 0,
			    .reply_packets = 0,
			    .start_ns = 1764633600123456789ULL,
			    .stop_ns = 1764633601000000000ULL };
	struct nlmsghdr *nlh = ctmsg_build(buf, IPCTNL_MSG_CT_DELETE, 0, &s);
	struct ctflow f;

	(void)state;
	assert_int_equal(ctflow_parse(nlh, &f), 0);
	assert_int_equal(f.start_ns, 1764633600123456789LL);
	assert_int_equal(f.start, 1764633600);
	assert_int_equal(f.orig_bytes, 60);
	assert_int_equal(f.orig_packets, 1);
	assert_int_equal(f.reply_bytes, 0);
	assert_int_equal(f.reply_packets, 0);
	/* Without timestamps the start is not known. */
	s.start_ns = 0;
	nlh = ctmsg_build(buf, IPCTNL_MSG_CT_DELETE, 0, &s);
	assert_int_equal(ctflow_parse(nlh, &f), 0);
	assert_int_equal(f.start_ns, 0);
	assert_int_equal(f.start, 0);
}

/* The first attribute of type type in nlh's top level, or NULL. */
static struct nlattr *find_attr(struct nlmsghdr *nlh, uint16_t type)
{
	struct nlattr *attr;

	mnl_attr_for_each(attr, nlh, sizeof(struct nfgenmsg))
		if (mnl_attr_get_type(attr) == type)
			return attr;
	return NULL;
}

/* Whether nlh parses (errmsg says why not). */
static int parses(const struct nlmsghdr *nlh)
{
	struct ctflow f;

	return ctflow_parse(nlh, &f) == 0;
}

/*
 * What the kernel never sends is refused, never read past its end: a
 * message cut anywhere (its length said truthfully), an attribute of the
 * wrong size, another family, a tuple missing.
 */
static void test_malformed_is_refused(void **state)
{
	struct ctspec s = CTSPEC(TCP, "10.244.1.5", 40000, "10.96.0.15", 80,
				 .reply_src = "10.244.1.7",
				 .reply_sport = 8080, .id = 1,
				 .start_ns = 1764633600000000000ULL);
	struct nlmsghdr *nlh = ctmsg_build(buf, IPCTNL_MSG_CT_NEW, 0, &s);
	uint32_t full = nlh->nlmsg_len, reply_end;
	static char boundary[4096];
	struct nfgenmsg *nfg;
	struct nlattr *attr;

	(void)state;
	assert_true(parses(nlh));
	/*
	 * Cut anywhere, the message is refused, unless the cut falls
	 * between two attributes after the reply tuple (it then lacks the
	 * id or the start, which an entry may).  The cut leaves the length
	 * honest, as mnl_cb_run() checks it against what was read; under
	 * ASan, a read past it would fail.
	 */
	attr = find_attr(nlh, CTA_TUPLE_REPLY);
	assert_non_null(attr);
	reply_end = (uint32_t)((char *)mnl_attr_next(attr) - buf);
	mnl_attr_for_each(attr, nlh, sizeof(struct nfgenmsg))
		if ((uint32_t)((char *)attr - buf) >= reply_end)
			boundary[(char *)attr - buf] = 1;
	for (uint32_t len = sizeof(struct nlmsghdr); len < full; len++) {
		static char cut[4096];

		memcpy(cut, buf, len);
		((struct nlmsghdr *)cut)->nlmsg_len = len;
		if (parses((struct nlmsghdr *)cut) != boundary[len])
			fail_msg("cut at %u of %u bytes: parsed %d", len, full,
				 !boundary[len]);
	}
	attr = find_attr(nlh, CTA_TUPLE_REPLY);
	nlh->nlmsg_len = reply_end - 4;
	assert_false(parses(nlh));
	assert_string_equal(errmsg_get(), "malformed conntrack message");
	nlh->nlmsg_len = (uint32_t)((char *)attr - buf);
	assert_false(parses(nlh));
	assert_string_equal(errmsg_get(), "conntrack entry without both tuples");

	/* CTA_ID of 3 bytes. */
	nlh = ctmsg_build(buf, IPCTNL_MSG_CT_NEW, 0, &s);
	attr = find_attr(nlh, CTA_ID);
	assert_non_null(attr);
	attr->nla_len = NLA_HDRLEN + 3;
	assert_false(parses(nlh));
	assert_string_equal(errmsg_get(), "malformed conntrack message");

	/* An IPv4 entry with 16-byte addresses: family said AF_INET6. */
	nlh = ctmsg_build(buf, IPCTNL_MSG_CT_NEW, 0, &s);
	nfg = mnl_nlmsg_get_payload(nlh);
	nfg->nfgen_family = AF_INET6;
	assert_false(parses(nlh));
	nfg->nfgen_family = AF_BRIDGE;
	assert_false(parses(nlh));
	assert_string_equal(errmsg_get(), "conntrack entry of family 7");

	/* A header and nothing after it. */
	nlh = ctmsg_build(buf, IPCTNL_MSG_CT_NEW, 0, &s);
	nlh->nlmsg_len = sizeof(*nlh);
	assert_false(parses(nlh));
	nlh->nlmsg_len = sizeof(*nlh) + sizeof(struct nfgenmsg);
	assert_false(parses(nlh));
	assert_string_equal(errmsg_get(), "conntrack entry without a protocol");
}

int main(void)
{
	static const struct CMUnitTest functions[] = {
		cmocka_unit_test(test_scope),
		cmocka_unit_test(test_edge_key_of_flow),
		cmocka_unit_test(test_start_and_counters),
		cmocka_unit_test(test_malformed_is_refused),
	};

	return testkit_run("ctflow", functions, flows, run_flow_case, NULL,
			   NULL);
}
