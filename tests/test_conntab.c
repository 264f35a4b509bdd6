/*
 * Unit tests for conntab: each connection is counted once, whether seen
 * by an event, a dump, or in several conntrack zones.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <netinet/in.h>

#include <cmocka.h>

#include "podflow/errmsg.h"
#include "collector/conntab.h"

static struct ctflow conn(uint16_t sport, uint32_t id, uint16_t zone)
{
	struct ctflow f = { .id = id, .zone = zone, .protocol = IPPROTO_TCP,
			    .client_port = sport, .server_port = 8080 };

	addr_parse("10.244.1.5", &f.client);
	addr_parse("10.244.2.7", &f.server);
	return f;
}

static void test_dump_rereport_is_not_counted_again(void **state)
{
	struct conntab *t = conntab_new(16);
	struct ctflow f = conn(40000, 7, 0);
	int64_t first = -1;

	(void)state;
	assert_int_equal(conntab_observe(t, &f, 60, 1, NULL), 1);
	assert_int_equal(conntab_observe(t, &f, 120, 2, &first), 0);
	assert_int_equal(first, 60);
	assert_int_equal(conntab_count(t), 1);
	conntab_free(t);
}

static void test_second_zone_is_the_same_connection(void **state)
{
	struct conntab *t = conntab_new(16);
	struct ctflow a = conn(40000, 7, 1), b = conn(40000, 8, 2);
	int64_t bucket;

	(void)state;
	assert_int_equal(conntab_observe(t, &a, 60, 1, NULL), 1);
	assert_int_equal(conntab_observe(t, &b, 60, 1, NULL), 0);
	/* Gone from one zone: still live in the other. */
	assert_int_equal(conntab_forget(t, &a, &bucket), CONNTAB_MORE);
	assert_int_equal(conntab_count(t), 1);
	assert_int_equal(conntab_observe(t, &b, 60, 2, NULL), 0);
	assert_int_equal(conntab_forget(t, &b, &bucket), CONNTAB_LAST);
	assert_int_equal(bucket, 60);
	assert_int_equal(conntab_count(t), 0);
	conntab_free(t);
}

/* The tuple reused by a new connection whose predecessor's DESTROY was lost. */
static void test_new_id_in_same_zone_is_a_new_connection(void **state)
{
	struct conntab *t = conntab_new(16);
	struct ctflow old = conn(40000, 7, 0), reuse = conn(40000, 9, 0);
	int64_t bucket;

	(void)state;
	assert_int_equal(conntab_observe(t, &old, 60, 1, NULL), 1);
	assert_int_equal(conntab_observe(t, &reuse, 180, 1, NULL), 1);
	/* The late DESTROY of the old one does not end the new one. */
	assert_int_equal(conntab_forget(t, &old, &bucket), CONNTAB_OTHER);
	assert_int_equal(conntab_forget(t, &reuse, &bucket), CONNTAB_LAST);
	assert_int_equal(bucket, 180);
	conntab_free(t);
}

static void test_forget_unknown(void **state)
{
	struct conntab *t = conntab_new(16);
	struct ctflow f = conn(40000, 7, 0);
	int64_t bucket;

	(void)state;
	assert_int_equal(conntab_forget(t, &f, &bucket), CONNTAB_UNKNOWN);
	conntab_free(t);
}

static void test_sweep_drops_what_the_dump_did_not_show(void **state)
{
	struct conntab *t = conntab_new(16);
	struct ctflow gone = conn(1, 1, 0), live = conn(2, 2, 0);

	(void)state;
	assert_int_equal(conntab_observe(t, &gone, 0, 1, NULL), 1);
	assert_int_equal(conntab_observe(t, &live, 0, 1, NULL), 1);
	/* Generation 2's dump sees only "live". */
	assert_int_equal(conntab_observe(t, &live, 0, 2, NULL), 0);
	assert_int_equal(conntab_sweep(t, 2), 1);
	assert_int_equal(conntab_count(t), 1);
	/* "gone" is unknown now: seen again, it counts. */
	assert_int_equal(conntab_observe(t, &gone, 0, 3, NULL), 1);
	conntab_free(t);
}

static void test_overflow_counts_without_tracking(void **state)
{
	struct conntab *t = conntab_new(2);
	struct ctflow a = conn(1, 1, 0), b = conn(2, 2, 0), c = conn(3, 3, 0);
	int64_t bucket;

	(void)state;
	assert_int_equal(conntab_observe(t, &a, 0, 1, NULL), 1);
	assert_int_equal(conntab_observe(t, &b, 0, 1, NULL), 1);
	assert_int_equal(conntab_observe(t, &c, 0, 1, NULL), 1);
	assert_int_equal(conntab_overflows(t), 1);
	assert_int_equal(conntab_count(t), 2);
	/* Room again after a DESTROY; the pool recycles the entry. */
	assert_int_equal(conntab_forget(t, &a, &bucket), CONNTAB_LAST);
	assert_int_equal(conntab_observe(t, &c, 0, 1, NULL), 1);
	assert_int_equal(conntab_observe(t, &c, 0, 1, NULL), 0);
	conntab_reset_overflows(t);
	assert_int_equal(conntab_overflows(t), 0);
	conntab_free(t);
}

static void test_many_connections_chain_correctly(void **state)
{
	enum { N = 5000 };
	struct conntab *t = conntab_new(N);
	int64_t bucket;

	(void)state;
	for (int i = 0; i < N; i++) {
		struct ctflow f = conn((uint16_t)i, (uint32_t)i, 0);
		assert_int_equal(conntab_observe(t, &f, i, 1, NULL), 1);
	}
	for (int i = 0; i < N; i += 2) {
		struct ctflow f = conn((uint16_t)i, (uint32_t)i, 0);
		assert_int_equal(conntab_forget(t, &f, &bucket), CONNTAB_LAST);
		assert_int_equal(bucket, i);
	}
	assert_int_equal(conntab_count(t), N / 2);
	for (int i = 1; i < N; i += 2) {
		struct ctflow f = conn((uint16_t)i, (uint32_t)i, 0);
		assert_int_equal(conntab_observe(t, &f, 0, 1, NULL), 0);
	}
	conntab_free(t);
}

/* A DESTROY in one zone, then the tuple reused, in both zones. */
static void test_zones_with_reuse_count_each_connection(void **state)
{
	struct conntab *t = conntab_new(16);
	struct ctflow a1 = conn(40000, 1, 1), a2 = conn(40000, 2, 2);
	struct ctflow b1 = conn(40000, 3, 1), b2 = conn(40000, 4, 2);
	int64_t bucket;
	int counted = 0;

	(void)state;
	counted += conntab_observe(t, &a1, 0, 1, NULL);
	counted += conntab_observe(t, &a2, 0, 1, NULL);
	assert_int_equal(conntab_forget(t, &a1, &bucket), CONNTAB_MORE);
	counted += conntab_observe(t, &b1, 60, 1, NULL);
	/* A's end in zone 2 comes late: already counted, not again. */
	assert_int_equal(conntab_forget(t, &a2, &bucket), CONNTAB_OTHER);
	counted += conntab_observe(t, &b2, 60, 1, NULL);
	assert_int_equal(counted, 2);
	assert_int_equal(conntab_forget(t, &b1, &bucket), CONNTAB_MORE);
	assert_int_equal(conntab_forget(t, &b2, &bucket), CONNTAB_LAST);
	assert_int_equal(bucket, 60);
	conntab_free(t);
}

/* Two pings at once between the same pair differ by their echo id. */
static void test_concurrent_pings_are_two_connections(void **state)
{
	struct conntab *t = conntab_new(16);
	struct ctflow p1 = conn(0, 1, 0), p2 = conn(0, 2, 0);
	int64_t bucket;

	(void)state;
	p1.protocol = p2.protocol = IPPROTO_ICMP;
	p1.server_port = p2.server_port = 0;
	p1.client_port = 77;
	p2.client_port = 78;
	assert_int_equal(conntab_observe(t, &p1, 0, 1, NULL), 1);
	assert_int_equal(conntab_observe(t, &p2, 0, 1, NULL), 1);
	assert_int_equal(conntab_forget(t, &p1, &bucket), CONNTAB_LAST);
	assert_int_equal(conntab_forget(t, &p2, &bucket), CONNTAB_LAST);
	conntab_free(t);
}

/* One source port to two Services that lead to the same backend. */
static void test_same_port_two_services_are_two_connections(void **state)
{
	struct conntab *t = conntab_new(16);
	struct ctflow s1 = conn(40000, 1, 0), s2 = conn(40000, 2, 0);
	int64_t bucket;

	(void)state;
	addr_parse("10.96.0.15", &s1.service);
	addr_parse("10.96.0.16", &s2.service);
	s1.service_port = s2.service_port = 80;
	assert_int_equal(conntab_observe(t, &s1, 0, 1, NULL), 1);
	assert_int_equal(conntab_observe(t, &s2, 0, 1, NULL), 1);
	assert_int_equal(conntab_forget(t, &s1, &bucket), CONNTAB_LAST);
	assert_int_equal(conntab_forget(t, &s2, &bucket), CONNTAB_LAST);
	conntab_free(t);
}

static void test_bad_size_is_refused_with_a_message(void **state)
{
	(void)state;
	errmsg_set("%s", "");
	assert_null(conntab_new(0));
	assert_non_null(strstr(errmsg_get(), "a table of 0 connections"));
	assert_null(conntab_new(UINT32_MAX));
	assert_non_null(strstr(errmsg_get(), "want 1 to"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dump_rereport_is_not_counted_again),
		cmocka_unit_test(test_second_zone_is_the_same_connection),
		cmocka_unit_test(test_new_id_in_same_zone_is_a_new_connection),
		cmocka_unit_test(test_forget_unknown),
		cmocka_unit_test(test_sweep_drops_what_the_dump_did_not_show),
		cmocka_unit_test(test_overflow_counts_without_tracking),
		cmocka_unit_test(test_many_connections_chain_correctly),
		cmocka_unit_test(test_zones_with_reuse_count_each_connection),
		cmocka_unit_test(test_concurrent_pings_are_two_connections),
		cmocka_unit_test(test_same_port_two_services_are_two_connections),
		cmocka_unit_test(test_bad_size_is_refused_with_a_message),
	};

	return cmocka_run_group_tests_name("conntab", tests, NULL, NULL);
}
