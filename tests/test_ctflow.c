/*
 * Unit tests for ctflow: conntrack messages, built as the kernel sends
 * them, read as client -> server flows with NAT resolved.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cmocka.h>
#include <libmnl/libmnl.h>
#include <libnetfilter_conntrack/libnetfilter_conntrack.h>
#include <linux/netfilter/nfnetlink_conntrack.h>

#include "podflow/store.h"
#include "collector/ctflow.h"
#include "support/ctmsg.h"

static char buf[4096];

/* Builds spec as a NEW event, parses it back and converts it. */
static struct ctflow flow_of(const struct ctspec *spec)
{
	struct nlmsghdr *nlh = ctmsg_build(buf, IPCTNL_MSG_CT_NEW, 0, spec);
	struct nf_conntrack *ct = nfct_new();
	struct ctflow f;

	assert_non_null(ct);
	assert_int_equal(nfct_nlmsg_parse(nlh, ct), 0);
	assert_int_equal(ctflow_from_ct(ct, &f), 0);
	nfct_destroy(ct);
	return f;
}

static void assert_addr(const struct addr *a, const char *want)
{
	char text[ADDR_STRLEN];

	assert_string_equal(addr_format(a, text), want);
}

static void test_plain_tcp_is_client_to_server(void **state)
{
	struct ctspec s = { .protocol = IPPROTO_TCP,
			    .orig_src = "10.244.1.5", .orig_sport = 40000,
			    .orig_dst = "10.244.2.7", .orig_dport = 8080,
			    .id = 42, CTSPEC_NO_ACCT };
	struct ctflow f = flow_of(&s);

	(void)state;
	assert_int_equal(f.protocol, IPPROTO_TCP);
	assert_int_equal(f.id, 42);
	assert_addr(&f.client, "10.244.1.5");
	assert_int_equal(f.client_port, 40000);
	assert_addr(&f.server, "10.244.2.7");
	assert_int_equal(f.server_port, 8080);
	assert_int_equal(f.service.family, 0);
	assert_int_equal(f.client_nat.family, 0);
	assert_int_equal(f.orig_bytes, STORE_UNKNOWN);
	assert_int_equal(f.reply_packets, STORE_UNKNOWN);
}

static void test_dnat_stores_backend_and_target_port(void **state)
{
	struct ctspec s = { .protocol = IPPROTO_TCP,
			    .orig_src = "10.244.1.5", .orig_sport = 40000,
			    .orig_dst = "10.96.0.15", .orig_dport = 80,
			    .reply_src = "10.244.1.7", .reply_sport = 8080,
			    .id = 1, CTSPEC_NO_ACCT };
	struct ctflow f = flow_of(&s);

	(void)state;
	assert_addr(&f.client, "10.244.1.5");
	assert_addr(&f.server, "10.244.1.7");
	assert_int_equal(f.server_port, 8080);
	assert_addr(&f.service, "10.96.0.15");
	assert_int_equal(f.service_port, 80);
	assert_int_equal(f.client_nat.family, 0);
}

/* A Service whose port equals its targetPort still changes the address. */
static void test_dnat_same_port_keeps_service(void **state)
{
	struct ctspec s = { .protocol = IPPROTO_UDP,
			    .orig_src = "10.244.1.5", .orig_sport = 5000,
			    .orig_dst = "10.96.0.10", .orig_dport = 53,
			    .reply_src = "10.244.0.3", .id = 2,
			    CTSPEC_NO_ACCT };
	struct ctflow f = flow_of(&s);

	(void)state;
	assert_addr(&f.server, "10.244.0.3");
	assert_int_equal(f.server_port, 53);
	assert_addr(&f.service, "10.96.0.10");
	assert_int_equal(f.service_port, 53);
}

static void test_masquerade_keeps_the_address_the_server_saw(void **state)
{
	struct ctspec s = { .protocol = IPPROTO_TCP,
			    .orig_src = "10.244.1.5", .orig_sport = 40000,
			    .orig_dst = "203.0.113.7", .orig_dport = 443,
			    .reply_dst = "192.168.0.10", .reply_dport = 61000,
			    .id = 3, CTSPEC_NO_ACCT };
	struct ctflow f = flow_of(&s);

	(void)state;
	assert_addr(&f.client, "10.244.1.5");
	assert_addr(&f.server, "203.0.113.7");
	assert_int_equal(f.server_port, 443);
	assert_int_equal(f.service.family, 0);
	assert_addr(&f.client_nat, "192.168.0.10");
}

/* NodePort with externalTrafficPolicy: Cluster: DNAT and SNAT at once. */
static void test_nodeport_resolves_both_sides(void **state)
{
	struct ctspec s = { .protocol = IPPROTO_TCP,
			    .orig_src = "198.51.100.9", .orig_sport = 51000,
			    .orig_dst = "192.168.0.10", .orig_dport = 30080,
			    .reply_src = "10.244.2.7", .reply_sport = 8080,
			    .reply_dst = "10.244.0.1", .reply_dport = 51000,
			    .id = 4, CTSPEC_NO_ACCT };
	struct ctflow f = flow_of(&s);

	(void)state;
	assert_addr(&f.client, "198.51.100.9");
	assert_addr(&f.server, "10.244.2.7");
	assert_int_equal(f.server_port, 8080);
	assert_addr(&f.service, "192.168.0.10");
	assert_int_equal(f.service_port, 30080);
	assert_addr(&f.client_nat, "10.244.0.1");
}

static void test_ipv6_udp(void **state)
{
	struct ctspec s = { .protocol = IPPROTO_UDP,
			    .orig_src = "fd00:10:244:1::5", .orig_sport = 5353,
			    .orig_dst = "fd00:10:96::a", .orig_dport = 53,
			    .reply_src = "fd00:10:244::3", .id = 5,
			    CTSPEC_NO_ACCT };
	struct ctflow f = flow_of(&s);

	(void)state;
	assert_int_equal(f.client.family, AF_INET6);
	assert_addr(&f.client, "fd00:10:244:1::5");
	assert_addr(&f.server, "fd00:10:244::3");
	assert_addr(&f.service, "fd00:10:96::a");
	assert_int_equal(f.server_port, 53);
}

static void test_sctp_has_ports(void **state)
{
	struct ctspec s = { .protocol = IPPROTO_SCTP,
			    .orig_src = "10.244.1.5", .orig_sport = 36412,
			    .orig_dst = "10.244.3.9", .orig_dport = 38412,
			    .id = 6, CTSPEC_NO_ACCT };
	struct ctflow f = flow_of(&s);

	(void)state;
	assert_int_equal(f.protocol, IPPROTO_SCTP);
	assert_int_equal(f.server_port, 38412);
	assert_int_equal(f.client_port, 36412);
	assert_int_equal(f.service.family, 0);
}

static void test_icmp_has_no_ports(void **state)
{
	struct ctspec s = { .protocol = IPPROTO_ICMP,
			    .orig_src = "10.244.1.5", .orig_dst = "10.244.3.9",
			    .id = 7, CTSPEC_NO_ACCT };
	struct ctspec s6 = { .protocol = IPPROTO_ICMPV6,
			     .orig_src = "fd00:10:244:1::5",
			     .orig_dst = "fd00:10:244:3::9", .id = 8,
			     CTSPEC_NO_ACCT };
	struct ctflow f = flow_of(&s), f6 = flow_of(&s6);

	(void)state;
	assert_int_equal(f.protocol, IPPROTO_ICMP);
	assert_int_equal(f.server_port, 0);
	assert_int_equal(f.service.family, 0);
	assert_int_equal(f6.protocol, IPPROTO_ICMPV6);
	assert_int_equal(f6.server_port, 0);
}

static void test_counters_and_zone(void **state)
{
	struct ctspec s = { .protocol = IPPROTO_TCP,
			    .orig_src = "10.244.1.5", .orig_sport = 1,
			    .orig_dst = "10.244.2.7", .orig_dport = 2,
			    .id = 9, .zone = 3, .orig_bytes = 100,
			    .orig_packets = 2, .reply_bytes = 5000,
			    .reply_packets = 4 };
	struct ctflow f = flow_of(&s);

	(void)state;
	assert_int_equal(f.zone, 3);
	assert_int_equal(f.orig_bytes, 100);
	assert_int_equal(f.orig_packets, 2);
	assert_int_equal(f.reply_bytes, 5000);
	assert_int_equal(f.reply_packets, 4);
}

static void test_scope(void **state)
{
	struct cidr pods[2];
	struct ctspec s = { .protocol = IPPROTO_TCP, .orig_sport = 1,
			    .orig_dport = 2, CTSPEC_NO_ACCT };
	struct ctflow f;

	(void)state;
	assert_int_equal(cidr_parse("10.244.0.0/16", &pods[0]), 0);
	assert_int_equal(cidr_parse("fd00:10:244::/48", &pods[1]), 0);

	s.orig_src = "10.244.1.5"; /* pod egress */
	s.orig_dst = "203.0.113.7";
	f = flow_of(&s);
	assert_true(ctflow_in_scope(&f, pods, 2));

	s.orig_src = "198.51.100.1"; /* ingress to a pod through a Service */
	s.orig_dst = "10.96.0.15";
	s.reply_src = "10.244.2.7";
	f = flow_of(&s);
	assert_true(ctflow_in_scope(&f, pods, 2));
	s.reply_src = NULL;

	s.orig_src = "192.168.0.10"; /* host to host */
	s.orig_dst = "192.168.0.11";
	f = flow_of(&s);
	assert_false(ctflow_in_scope(&f, pods, 2));

	s.orig_src = "127.0.0.1"; /* loopback, even towards a pod address */
	s.orig_dst = "10.244.1.5";
	f = flow_of(&s);
	assert_false(ctflow_in_scope(&f, pods, 2));

	s.orig_src = "fd00:10:244:1::5";
	s.orig_dst = "2001:db8::1";
	f = flow_of(&s);
	assert_true(ctflow_in_scope(&f, pods, 2));
	assert_false(ctflow_in_scope(&f, pods, 1));
}

static void test_edge_key_of_flow(void **state)
{
	struct ctspec s = { .protocol = IPPROTO_TCP,
			    .orig_src = "10.244.1.5", .orig_sport = 40000,
			    .orig_dst = "10.96.0.15", .orig_dport = 80,
			    .reply_src = "10.244.1.7", .reply_sport = 8080,
			    .id = 1, CTSPEC_NO_ACCT };
	struct ctflow f = flow_of(&s);
	struct store_edge e;

	(void)state;
	ctflow_to_edge(&f, 600, 630, &e);
	assert_int_equal(e.bucket, 600);
	assert_int_equal(e.first_seen, 630);
	assert_int_equal(e.last_seen, 630);
	assert_int_equal(e.connections, 0);
	assert_int_equal(e.server_port, 8080);
	assert_int_equal(e.service_port, 80);
	assert_addr(&e.service, "10.96.0.15");
	assert_int_equal(e.orig_bytes, STORE_UNKNOWN);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_tcp_is_client_to_server),
		cmocka_unit_test(test_dnat_stores_backend_and_target_port),
		cmocka_unit_test(test_dnat_same_port_keeps_service),
		cmocka_unit_test(test_masquerade_keeps_the_address_the_server_saw),
		cmocka_unit_test(test_nodeport_resolves_both_sides),
		cmocka_unit_test(test_ipv6_udp),
		cmocka_unit_test(test_sctp_has_ports),
		cmocka_unit_test(test_icmp_has_no_ports),
		cmocka_unit_test(test_counters_and_zone),
		cmocka_unit_test(test_scope),
		cmocka_unit_test(test_edge_key_of_flow),
	};

	return cmocka_run_group_tests_name("ctflow", tests, NULL, NULL);
}
