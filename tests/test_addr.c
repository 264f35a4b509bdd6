/*
 * Unit tests for addr: canonical text, CIDR parsing and matching.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "podflow/addr.h"
#include "podflow/errmsg.h"

static void test_format_is_canonical_inet_ntop(void **state)
{
	struct addr a;
	char buf[ADDR_STRLEN];

	(void)state;
	assert_int_equal(addr_parse("2001:DB8:0:0:0::1", &a), 0);
	assert_int_equal(a.family, AF_INET6);
	assert_string_equal(addr_format(&a, buf), "2001:db8::1");
	assert_int_equal(addr_parse("10.244.1.7", &a), 0);
	assert_int_equal(a.family, AF_INET);
	assert_string_equal(addr_format(&a, buf), "10.244.1.7");
	/* IPv4 leaves the tail zero, so memcmp-based equality works. */
	for (int i = 4; i < 16; i++)
		assert_int_equal(a.bytes[i], 0);
}

static void test_parse_rejects_garbage(void **state)
{
	struct addr a;

	(void)state;
	assert_int_equal(addr_parse("10.244.1", &a), -1);
	assert_non_null(strstr(errmsg_get(), "10.244.1"));
	assert_int_equal(addr_parse("", &a), -1);
	assert_int_equal(addr_parse("fe80::1%eth0", &a), -1);
}

static void test_none_formats_empty(void **state)
{
	struct addr none = { 0 };
	char buf[ADDR_STRLEN];

	(void)state;
	assert_string_equal(addr_format(&none, buf), "");
}

static void test_cidr_contains(void **state)
{
	struct cidr c;
	struct addr in, out;
	char buf[CIDR_STRLEN];

	(void)state;
	assert_int_equal(cidr_parse("10.244.0.0/16", &c), 0);
	assert_string_equal(cidr_format(&c, buf), "10.244.0.0/16");
	addr_parse("10.244.255.1", &in);
	addr_parse("10.245.0.1", &out);
	assert_true(cidr_contains(&c, &in));
	assert_false(cidr_contains(&c, &out));

	assert_int_equal(cidr_parse("fd00:10:244::/56", &c), 0);
	addr_parse("fd00:10:244:ff::9", &in);
	addr_parse("fd00:10:244:100::9", &out);
	assert_true(cidr_contains(&c, &in));
	assert_false(cidr_contains(&c, &out));

	/* An IPv4 address is never inside an IPv6 prefix, even ::/0. */
	assert_int_equal(cidr_parse("::/0", &c), 0);
	addr_parse("10.0.0.1", &in);
	assert_false(cidr_contains(&c, &in));
}

static void test_cidr_odd_lengths(void **state)
{
	struct cidr c;
	struct addr a;

	(void)state;
	assert_int_equal(cidr_parse("10.1.2.96/27", &c), 0);
	addr_parse("10.1.2.127", &a);
	assert_true(cidr_contains(&c, &a));
	addr_parse("10.1.2.128", &a);
	assert_false(cidr_contains(&c, &a));
	addr_parse("10.1.2.95", &a);
	assert_false(cidr_contains(&c, &a));
}

static void test_cidr_bare_address_is_host_prefix(void **state)
{
	struct cidr c;

	(void)state;
	assert_int_equal(cidr_parse("192.0.2.1", &c), 0);
	assert_int_equal(c.len, 32);
	assert_int_equal(cidr_parse("2001:db8::1", &c), 0);
	assert_int_equal(c.len, 128);
}

static void test_cidr_rejects_bad_prefixes(void **state)
{
	struct cidr c;

	(void)state;
	assert_int_equal(cidr_parse("10.244.1.0/16", &c), -1);
	assert_non_null(strstr(errmsg_get(), "host bits"));
	assert_int_equal(cidr_parse("10.0.0.0/33", &c), -1);
	assert_int_equal(cidr_parse("10.0.0.0/", &c), -1);
	assert_int_equal(cidr_parse("10.0.0.0/8x", &c), -1);
	assert_int_equal(cidr_parse("/8", &c), -1);
	assert_int_equal(cidr_parse("2001:db8::/129", &c), -1);
	assert_int_equal(cidr_parse("pods", &c), -1);
	assert_non_null(strstr(errmsg_get(), "'pods'"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format_is_canonical_inet_ntop),
		cmocka_unit_test(test_parse_rejects_garbage),
		cmocka_unit_test(test_none_formats_empty),
		cmocka_unit_test(test_cidr_contains),
		cmocka_unit_test(test_cidr_odd_lengths),
		cmocka_unit_test(test_cidr_bare_address_is_host_prefix),
		cmocka_unit_test(test_cidr_rejects_bad_prefixes),
	};

	return cmocka_run_group_tests_name("addr", tests, NULL, NULL);
}
