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
#include "support/testkit.h"

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

/* Text a parser must refuse, and what its message must then contain. */
struct refusal {
	const char *text, *msg; /* msg NULL: any message */
};

static int parse_addr(const char *text)
{
	struct addr a;

	return addr_parse(text, &a);
}

static int parse_cidr(const char *text)
{
	struct cidr c;

	return cidr_parse(text, &c);
}

static void check_refused(int (*parse)(const char *),
			  const struct refusal *cases, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (parse(cases[i].text) != -1)
			fail_msg("'%s' parsed", cases[i].text);
		if (cases[i].msg != NULL)
			testkit_assert_errmsg(cases[i].msg);
	}
}

static void test_parse_rejects_garbage(void **state)
{
	static const struct refusal cases[] = {
		{ "10.244.1", "10.244.1" },
		{ "", NULL },
		{ "fe80::1%eth0", NULL },
	};

	(void)state;
	check_refused(parse_addr, cases, sizeof(cases) / sizeof(cases[0]));
}

static void test_none_formats_empty(void **state)
{
	struct addr none = { 0 };
	char buf[ADDR_STRLEN];

	(void)state;
	assert_string_equal(addr_format(&none, buf), "");
}

/* Whether a prefix contains an address. */
struct containment {
	const char *cidr, *addr;
	int want;
};

static void check_contains(const struct containment *cases, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct cidr c;
		struct addr a = testkit_addr(cases[i].addr);

		assert_int_equal(cidr_parse(cases[i].cidr, &c), 0);
		if (!cidr_contains(&c, &a) != !cases[i].want)
			fail_msg("%s %s %s", cases[i].cidr,
				 cases[i].want ? "lacks" : "contains",
				 cases[i].addr);
	}
}

static void test_cidr_contains(void **state)
{
	static const struct containment cases[] = {
		{ "10.244.0.0/16", "10.244.255.1", 1 },
		{ "10.244.0.0/16", "10.245.0.1", 0 },
		{ "fd00:10:244::/56", "fd00:10:244:ff::9", 1 },
		{ "fd00:10:244::/56", "fd00:10:244:100::9", 0 },
		/* An IPv4 address is never inside an IPv6 prefix, even ::/0. */
		{ "::/0", "10.0.0.1", 0 },
	};
	struct cidr c;
	char buf[CIDR_STRLEN];

	(void)state;
	assert_int_equal(cidr_parse("10.244.0.0/16", &c), 0);
	assert_string_equal(cidr_format(&c, buf), "10.244.0.0/16");
	check_contains(cases, sizeof(cases) / sizeof(cases[0]));
}

static void test_cidr_odd_lengths(void **state)
{
	static const struct containment cases[] = {
		{ "10.1.2.96/27", "10.1.2.127", 1 },
		{ "10.1.2.96/27", "10.1.2.128", 0 },
		{ "10.1.2.96/27", "10.1.2.95", 0 },
	};

	(void)state;
	check_contains(cases, sizeof(cases) / sizeof(cases[0]));
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
	static const struct refusal cases[] = {
		{ "10.244.1.0/16", "host bits" },
		{ "10.0.0.0/33", NULL },
		{ "10.0.0.0/", NULL },
		{ "10.0.0.0/8x", NULL },
		{ "/8", NULL },
		{ "2001:db8::/129", NULL },
		{ "pods", "'pods'" },
	};

	(void)state;
	check_refused(parse_cidr, cases, sizeof(cases) / sizeof(cases[0]));
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
