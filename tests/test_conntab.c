/*
 * Unit tests for conntab: each connection is counted once, whether seen
 * by an event, a dump, or in several conntrack zones.
 *
 * Most cases are scenarios: a few connections observed and forgotten in
 * some order, with what each call must answer (the table below, one
 * cmocka test per scenario).  The others are functions after it.
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
#include "support/testkit.h"

static struct ctflow conn(uint16_t sport, uint32_t id, uint16_t zone)
{
	struct ctflow f = { .id = id, .zone = zone, .protocol = IPPROTO_TCP,
			    .client_port = sport, .server_port = 8080 };

	f.client = testkit_addr("10.244.1.5");
	f.server = testkit_addr("10.244.2.7");
	return f;
}

/* What a step of a scenario calls. */
enum op {
	OP_END,		    /* no more steps */
	OP_OBSERVE,	    /* conntab_observe(conns[conn], bucket, gen) */
	OP_FORGET,	    /* conntab_forget(conns[conn]) */
	OP_COUNT,	    /* conntab_count() */
	OP_SWEEP,	    /* conntab_sweep(gen) */
	OP_OVERFLOWS,	    /* conntab_overflows() */
	OP_GROW,	    /* conntab_grow(want), then conntab_max() */
};

/* One of a scenario's connections: conn(sport, id, zone), then these. */
struct conn {
	uint16_t sport;
	uint32_t id;
	uint16_t zone;
	int ping;	     /* ICMP: sport is the echo id, no server port */
	const char *service; /* through this Service address, port 80 */
};

struct step {
	enum op op;
	int conn;
	int64_t bucket;	 /* OBSERVE: the bucket to count in */
	uint32_t gen;	 /* OBSERVE, SWEEP: the generation */
	long long want;	 /* what the call returns */
	int check;	 /* OBSERVE: *first_bucket, FORGET: *bucket ... */
	int64_t counted; /* ...must then be this bucket; GROW: the room */
};

#define MAX_CONNS 4

struct scenario {
	const char *name;
	size_t size; /* the table's */
	struct conn conns[MAX_CONNS];
	const struct step *steps; /* up to END */
};

/* Connections named by their index in a scenario's conns. */
enum { A, B, C, D };

/*
 * The steps as they read: OBSERVE(A, 60, 1, 1) observes A in bucket 60,
 * generation 1, which must count it (return 1); FORGET_LAST(A, 60) must
 * forget A's last zone and say it was counted in bucket 60.
 */
#define CONN(sport_, id_, zone_, ...)                                          \
	{ .sport = sport_, .id = id_, .zone = zone_, __VA_ARGS__ }
#define OBSERVE(c, b, g, counts)                                               \
	{ .op = OP_OBSERVE, .conn = c, .bucket = b, .gen = g, .want = counts }
#define OBSERVE_KNOWN(c, b, g, first)                                          \
	{ .op = OP_OBSERVE, .conn = c, .bucket = b, .gen = g, .want = 0,     \
	  .check = 1, .counted = first }
#define FORGET(c, end) { .op = OP_FORGET, .conn = c, .want = end }
#define FORGET_AT(c, end, b)                                                   \
	{ .op = OP_FORGET, .conn = c, .want = end, .check = 1, .counted = b }
#define FORGET_LAST(c, b) FORGET_AT(c, CONNTAB_LAST, b)
#define COUNT(n) { .op = OP_COUNT, .want = n }
#define SWEEP(g, n) { .op = OP_SWEEP, .gen = g, .want = n }
#define OVERFLOWS(n) { .op = OP_OVERFLOWS, .want = n }
#define GROW(n, room) { .op = OP_GROW, .want = n, .counted = room }
#define END { .op = OP_END }
#define STEPS(...) (const struct step[]){ __VA_ARGS__, END }

/* Two connections that must be told apart: each counted, each ended. */
static const struct step told_apart[] = {
	OBSERVE(A, 0, 1, 1),
	OBSERVE(B, 0, 1, 1),
	FORGET(A, CONNTAB_LAST),
	FORGET(B, CONNTAB_LAST),
	END,
};

static const struct scenario scenarios[] = {
	{ "test_dump_rereport_is_not_counted_again", 16,
	  { CONN(40000, 7, 0) },
	  STEPS(OBSERVE(A, 60, 1, 1),
		OBSERVE_KNOWN(A, 120, 2, 60),
		COUNT(1)) },
	{ "test_second_zone_is_the_same_connection", 16,
	  { CONN(40000, 7, 1), CONN(40000, 8, 2) },
	  STEPS(OBSERVE(A, 60, 1, 1),
		OBSERVE(B, 60, 1, 0),
		/* Gone from one zone: still live in the other. */
		FORGET(A, CONNTAB_MORE),
		COUNT(1),
		OBSERVE(B, 60, 2, 0),
		FORGET_LAST(B, 60),
		COUNT(0)) },
	/*
	 * The tuple reused by a new connection whose predecessor's DESTROY
	 * was lost.
	 */
	{ "test_new_id_in_same_zone_is_a_new_connection", 16,
	  { CONN(40000, 7, 0), CONN(40000, 9, 0) },
	  STEPS(OBSERVE(A, 60, 1, 1),
		OBSERVE(B, 180, 1, 1),
		/* The late DESTROY of the old one does not end the new one. */
		FORGET(A, CONNTAB_OTHER),
		FORGET_LAST(B, 180)) },
	{ "test_forget_unknown", 16,
	  { CONN(40000, 7, 0) },
	  STEPS(FORGET(A, CONNTAB_UNKNOWN)) },
	{ "test_sweep_drops_what_the_dump_did_not_show", 16,
	  { CONN(1, 1, 0), CONN(2, 2, 0) }, /* A gone, B live */
	  STEPS(OBSERVE(A, 0, 1, 1),
		OBSERVE(B, 0, 1, 1),
		/* Generation 2's dump sees only B. */
		OBSERVE(B, 0, 2, 0),
		SWEEP(2, 1),
		COUNT(1),
		/* A is unknown now: seen again, it counts. */
		OBSERVE(A, 0, 3, 1)) },
	/*
	 * No room: not tracked, and so not to be counted (the caller counts
	 * it at its end, which finds it unknown).
	 */
	{ "test_full_table_neither_tracks_nor_counts", 2,
	  { CONN(1, 1, 0), CONN(2, 2, 0), CONN(3, 3, 0) },
	  STEPS(OBSERVE(A, 0, 1, CONNTAB_ADDED),
		OBSERVE(B, 0, 1, CONNTAB_ADDED),
		OBSERVE(C, 0, 1, CONNTAB_FULL),
		OVERFLOWS(1),
		COUNT(2),
		FORGET(C, CONNTAB_UNKNOWN),
		/* Room again after a DESTROY; the pool recycles the entry. */
		FORGET(A, CONNTAB_LAST),
		OBSERVE(C, 0, 1, CONNTAB_ADDED),
		OBSERVE(C, 0, 1, CONNTAB_KNOWN),
		OVERFLOWS(1)) },
	/*
	 * Grown (the kernel's maximum raised), the table keeps what it knew,
	 * each still found by its tuple, and has room for more; asked to
	 * shrink, it keeps its room.  (The chains are rebuilt: 16 heads for
	 * 2 entries, 128 for 100.)
	 */
	{ "test_grown_table_keeps_what_it_knew", 2,
	  { CONN(1, 1, 0), CONN(2, 2, 0), CONN(3, 3, 0), CONN(4, 4, 0) },
	  STEPS(OBSERVE(A, 60, 1, CONNTAB_ADDED),
		OBSERVE(B, 120, 1, CONNTAB_ADDED),
		OBSERVE(C, 0, 1, CONNTAB_FULL),
		GROW(100, 100),
		OBSERVE_KNOWN(A, 0, 2, 60),
		OBSERVE_KNOWN(B, 0, 2, 120),
		OBSERVE(C, 180, 2, CONNTAB_ADDED),
		OBSERVE(D, 180, 2, CONNTAB_ADDED),
		GROW(1, 100),
		COUNT(4),
		FORGET_LAST(B, 120),
		FORGET_LAST(A, 60),
		OBSERVE(B, 240, 3, CONNTAB_ADDED),
		COUNT(3)) },
	/* Two pings at once between the same pair differ by their echo id. */
	{ "test_concurrent_pings_are_two_connections", 16,
	  { CONN(77, 1, 0, .ping = 1), CONN(78, 2, 0, .ping = 1) },
	  told_apart },
	/* One source port to two Services that lead to the same backend. */
	{ "test_same_port_two_services_are_two_connections", 16,
	  { CONN(40000, 1, 0, .service = "10.96.0.15"),
	    CONN(40000, 2, 0, .service = "10.96.0.16") },
	  told_apart },
};

static struct ctflow flow_of(const struct conn *c)
{
	struct ctflow f = conn(c->sport, c->id, c->zone);

	if (c->ping) {
		f.protocol = IPPROTO_ICMP;
		f.server_port = 0;
	}
	if (c->service != NULL) {
		f.service = testkit_addr(c->service);
		f.service_port = 80;
	}
	return f;
}

/* Fails the scenario at step i unless got is what it wants. */
static void check_step(size_t i, const char *call, long long got,
		       long long want)
{
	if (got != want)
		fail_msg("step %zu: %s = %lld, want %lld", i + 1, call, got,
			 want);
}

static void run_scenario(void **state)
{
	const struct scenario *sc = *state;
	struct conntab *t = conntab_new(sc->size);

	assert_non_null(t);
	for (size_t i = 0; sc->steps[i].op != OP_END; i++) {
		const struct step *st = &sc->steps[i];
		struct ctflow f = flow_of(&sc->conns[st->conn]);
		int64_t bucket = -1;

		switch (st->op) {
		case OP_OBSERVE:
			check_step(i, "conntab_observe",
				   conntab_observe(t, &f, st->bucket, st->gen,
						   st->check ? &bucket : NULL),
				   st->want);
			break;
		case OP_FORGET:
			check_step(i, "conntab_forget",
				   conntab_forget(t, &f, &bucket), st->want);
			break;
		case OP_COUNT:
			check_step(i, "conntab_count",
				   (long long)conntab_count(t), st->want);
			break;
		case OP_SWEEP:
			check_step(i, "conntab_sweep",
				   (long long)conntab_sweep(t, st->gen),
				   st->want);
			break;
		case OP_OVERFLOWS:
			check_step(i, "conntab_overflows",
				   (long long)conntab_overflows(t), st->want);
			break;
		case OP_GROW:
			check_step(i, "conntab_grow",
				   conntab_grow(t, (size_t)st->want), 0);
			check_step(i, "conntab_max", (long long)conntab_max(t),
				   st->counted);
			break;
		case OP_END:
			break;
		}
		if (st->check)
			check_step(i, "the bucket it was counted in", bucket,
				   st->counted);
	}
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

/* A table grown with a thousand entries in place still finds each. */
static void test_grown_table_finds_every_entry(void **state)
{
	enum { N = 1000 };
	struct conntab *t = conntab_new(N);
	int64_t bucket;

	(void)state;
	for (int i = 0; i < N; i++) {
		struct ctflow f = conn((uint16_t)i, (uint32_t)i, 0);

		assert_int_equal(conntab_observe(t, &f, i, 1, NULL),
				 CONNTAB_ADDED);
	}
	assert_int_equal(conntab_grow(t, 8 * N), 0);
	for (int i = 0; i < N; i++) {
		struct ctflow f = conn((uint16_t)i, (uint32_t)i, 0);

		assert_int_equal(conntab_observe(t, &f, 0, 2, &bucket),
				 CONNTAB_KNOWN);
		assert_int_equal(bucket, i);
	}
	for (int i = N; i < 8 * N; i++) {
		struct ctflow f = conn((uint16_t)i, (uint32_t)i, 0);

		assert_int_equal(conntab_observe(t, &f, i, 2, NULL),
				 CONNTAB_ADDED);
	}
	assert_int_equal(conntab_count(t), 8 * N);
	for (int i = 0; i < 8 * N; i++) {
		struct ctflow f = conn((uint16_t)i, (uint32_t)i, 0);

		assert_int_equal(conntab_forget(t, &f, &bucket), CONNTAB_LAST);
		assert_int_equal(bucket, i);
	}
	conntab_free(t);
}

/*
 * A DESTROY in one zone, then the tuple reused, in both zones.  Which
 * message counts a connection is the table's affair: what is pinned is
 * that the two are counted twice in all.
 */
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

static void test_bad_size_is_refused_with_a_message(void **state)
{
	(void)state;
	testkit_assert_refused(conntab_new(0), "a table of 0 connections");
	testkit_assert_refused(conntab_new(UINT32_MAX), "want 1 to");
}

int main(void)
{
	static const struct CMUnitTest functions[] = {
		cmocka_unit_test(test_many_connections_chain_correctly),
		cmocka_unit_test(test_grown_table_finds_every_entry),
		cmocka_unit_test(test_zones_with_reuse_count_each_connection),
		cmocka_unit_test(test_bad_size_is_refused_with_a_message),
	};

	return testkit_run("conntab", functions, scenarios, run_scenario, NULL,
			   NULL);
}
