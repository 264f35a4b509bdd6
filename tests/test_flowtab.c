/*
 * Unit tests for flowtab: folding edges in memory within a fixed bound.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <netinet/in.h>

#include <cmocka.h>

#include "podflow/errmsg.h"
#include "collector/flowtab.h"
#include "support/testkit.h"

/* One connection of bucket (a whole minute), at its first second. */
static struct store_edge edge(int64_t bucket, const char *client,
			      const char *server, uint16_t port)
{
	return testkit_edge(client, server, port, bucket, bucket, bucket);
}

static void test_same_key_folds(void **state)
{
	struct flowtab *t = flowtab_new(8);
	/* Of one minute: a started at 70, b's connections from 65 to 68. */
	struct store_edge a = testkit_edge("10.0.0.1", "10.0.0.2", 80, 70, 70,
					   75);
	struct store_edge b = testkit_edge("10.0.0.1", "10.0.0.2", 80, 65, 68,
					   72);
	const struct store_edge *out;
	size_t n;

	(void)state;
	b.connections = 4;
	b.reply_bytes = 10;
	assert_int_equal(flowtab_add(t, &a), 0);
	assert_int_equal(flowtab_add(t, &b), 0);
	assert_int_equal(flowtab_add(t, &b), 0);
	out = flowtab_edges(t, &n);
	assert_int_equal(n, 1);
	assert_int_equal(out[0].connections, 9);
	assert_int_equal(out[0].first_seen, 65);
	assert_int_equal(out[0].last_start, 70);
	assert_int_equal(out[0].last_seen, 75);
	assert_int_equal(out[0].reply_bytes, 20); /* unknown + 10 + 10 */
	assert_int_equal(out[0].orig_bytes, STORE_UNKNOWN);
	flowtab_free(t);
}

static void test_every_key_field_separates(void **state)
{
	struct flowtab *t = flowtab_new(16);
	struct store_edge base = edge(60, "10.0.0.1", "10.0.0.2", 80), e;
	size_t n;

	(void)state;
	assert_int_equal(flowtab_add(t, &base), 0);
	e = base, e.bucket = 120;
	assert_int_equal(flowtab_add(t, &e), 0);
	e = base, e.server_port = 81;
	assert_int_equal(flowtab_add(t, &e), 0);
	e = base, e.protocol = IPPROTO_UDP;
	assert_int_equal(flowtab_add(t, &e), 0);
	e = base, addr_parse("10.0.0.3", &e.client);
	assert_int_equal(flowtab_add(t, &e), 0);
	e = base, addr_parse("10.0.0.4", &e.server);
	assert_int_equal(flowtab_add(t, &e), 0);
	e = base, addr_parse("10.96.0.1", &e.service), e.service_port = 80;
	assert_int_equal(flowtab_add(t, &e), 0);
	e = base, addr_parse("192.168.0.1", &e.client_nat);
	assert_int_equal(flowtab_add(t, &e), 0);
	flowtab_edges(t, &n);
	assert_int_equal(n, 8);
	flowtab_free(t);
}

static void test_full_table_refuses_new_keys_only(void **state)
{
	struct flowtab *t = flowtab_new(100);
	char ip[32];
	size_t n;

	(void)state;
	for (int i = 0; i < 100; i++) {
		snprintf(ip, sizeof(ip), "10.1.0.%d", i + 1);
		struct store_edge e = edge(0, ip, "10.0.0.2", 80);
		assert_int_equal(flowtab_add(t, &e), 0);
	}
	struct store_edge extra = edge(0, "10.2.0.1", "10.0.0.2", 80);
	struct store_edge known = edge(0, "10.1.0.7", "10.0.0.2", 80);
	assert_int_equal(flowtab_add(t, &extra), -1);
	assert_int_equal(flowtab_add(t, &known), 0);
	assert_int_equal(flowtab_count(t), 100);

	flowtab_clear(t);
	assert_int_equal(flowtab_count(t), 0);
	assert_int_equal(flowtab_add(t, &extra), 0);
	const struct store_edge *out = flowtab_edges(t, &n);
	assert_int_equal(n, 1);
	assert_int_equal(out[0].connections, 1);
	flowtab_free(t);
}

/* Sums saturate, as the kernel's unsigned counters read as at most this. */
static void test_sums_saturate(void **state)
{
	struct flowtab *t = flowtab_new(8);
	struct store_edge a = edge(60, "10.0.0.1", "10.0.0.2", 80);
	const struct store_edge *out;
	size_t n;

	(void)state;
	a.orig_bytes = INT64_MAX - 10;
	a.reply_packets = 8000000000000000000LL;
	a.connections = INT64_MAX - 1;
	assert_int_equal(flowtab_add(t, &a), 0);
	assert_int_equal(flowtab_add(t, &a), 0);
	out = flowtab_edges(t, &n);
	assert_int_equal(n, 1);
	assert_true(out[0].orig_bytes == INT64_MAX);
	assert_true(out[0].reply_packets == INT64_MAX);
	assert_true(out[0].connections == INT64_MAX);
	flowtab_free(t);
}

static void test_bad_size_is_refused_with_a_message(void **state)
{
	(void)state;
	testkit_assert_refused(flowtab_new(0), "a table of 0 edges");
	testkit_assert_refused(flowtab_new(UINT32_MAX), "want 1 to");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_key_folds),
		cmocka_unit_test(test_every_key_field_separates),
		cmocka_unit_test(test_full_table_refuses_new_keys_only),
		cmocka_unit_test(test_sums_saturate),
		cmocka_unit_test(test_bad_size_is_refused_with_a_message),
	};

	return cmocka_run_group_tests_name("flowtab", tests, NULL, NULL);
}
