/*
 * Unit tests for review: peers as people write them, which decision
 * covers a proposed rule peer or another decision, decisions kept in a
 * real database, replacing the ones they cover, and cleared.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "podflow/errmsg.h"
#include "policygen/review.h"
#include "support/testdb.h"

static struct arena mem = ARENA_INIT;

static struct review_peer peer(const char *text)
{
	struct review_peer p;

	if (review_parse_peer(text, &mem, &p) < 0)
		fail_msg("%s: %s", text, errmsg_get());
	return p;
}

static void test_parse_peers(void **state)
{
	static const char *const cidrs[][2] = {
		{ "203.0.113.7", "203.0.113.7/32" },
		{ "2001:db8::/32", "2001:db8::/32" },
		{ "fd00::1", "fd00::1/128" },
	};
	/* Host bits, a bare name, an empty part, too many parts. */
	static const char *const bad[] = { "10.0.0.1/8", "web", "a//b",
					   "a/b/c/d" };
	struct review_peer p;
	char buf[128];

	(void)state;
	p = peer("shop/Deployment/web");
	assert_int_equal(p.type, REVIEW_PEER_WORKLOAD);
	assert_string_equal(p.ns, "shop");
	assert_string_equal(p.kind, "Deployment");
	assert_string_equal(p.name, "web");
	p = peer("shop/web.v2");
	assert_int_equal(p.type, REVIEW_PEER_WORKLOAD);
	assert_null(p.kind);
	assert_string_equal(p.name, "web.v2");
	assert_int_equal(peer("ns:kube-system").type, REVIEW_PEER_NAMESPACE);
	assert_int_equal(peer("node").type, REVIEW_PEER_NODE);
	/* An address is the prefix of its one host. */
	for (size_t i = 0; i < sizeof(cidrs) / sizeof(cidrs[0]); i++) {
		p = peer(cidrs[i][0]);
		review_peer_format(&p, buf, sizeof(buf));
		if (strcmp(buf, cidrs[i][1]) != 0)
			fail_msg("%s: formats as '%s', want '%s'", cidrs[i][0],
				 buf, cidrs[i][1]);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (review_parse_peer(bad[i], &mem, &p) != -1)
			fail_msg("'%s' is no peer, yet parsed", bad[i]);
}

static struct review_rule rule(const char *peer_text, int port,
			       enum review_decision d)
{
	struct review_rule r = { 0 };

	r.ns = "shop";
	r.kind = "Deployment";
	r.name = "web";
	r.egress = 1;
	r.peer = peer(peer_text);
	if (r.peer.type == REVIEW_PEER_WORKLOAD && r.peer.kind == NULL)
		r.peer.kind = "Deployment";
	r.port = port;
	r.protocol = port ? "TCP" : NULL;
	r.decision = d;
	r.by = "alice";
	return r;
}

static struct review_subject subject(const char *peer_text, int port)
{
	struct review_subject s = { "shop", "Deployment", "web", 1, { 0 },
				    port, "TCP" };

	s.peer = peer(peer_text);
	if (s.peer.type == REVIEW_PEER_WORKLOAD && s.peer.kind == NULL)
		s.peer.kind = "Deployment";
	return s;
}

static enum review_decision decide(const struct review_set *set,
				   const char *peer_text, int port)
{
	struct review_subject s = subject(peer_text, port);
	const struct review_rule *r = review_match(set, &s);

	return r ? r->decision : REVIEW_PENDING;
}

/* The most specific decision wins: port, then workload, then prefix. */
static void test_most_specific_decision_wins(void **state)
{
	struct review_rule rules[] = {
		rule("203.0.113.0/24", 0, REVIEW_REJECTED),
		rule("203.0.113.7", 0, REVIEW_ACCEPTED),
		rule("203.0.113.7", 1389, REVIEW_REJECTED),
		rule("ns:billing", 0, REVIEW_ACCEPTED),
		rule("billing/Deployment/legacy", 0, REVIEW_REJECTED),
		rule("node", 0, REVIEW_ACCEPTED),
	};
	struct review_set set = { rules, sizeof(rules) / sizeof(rules[0]),
				  ARENA_INIT };
	static const struct {
		const char *peer;
		int port;
		enum review_decision want;
	} cases[] = {
		{ "203.0.113.7", 443, REVIEW_ACCEPTED },
		{ "203.0.113.7", 1389, REVIEW_REJECTED },
		{ "203.0.113.9", 443, REVIEW_REJECTED },
		{ "203.0.114.9", 443, REVIEW_PENDING },
		/*
		 * An aggregated peer wider than the decision is not covered
		 * by it.
		 */
		{ "203.0.0.0/16", 443, REVIEW_PENDING },
		{ "billing/Deployment/api", 80, REVIEW_ACCEPTED },
		{ "billing/Deployment/legacy", 80, REVIEW_REJECTED },
		{ "shop/Deployment/api", 80, REVIEW_PENDING },
		{ "node", 10250, REVIEW_ACCEPTED },
	};
	struct review_subject other;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum review_decision got = decide(&set, cases[i].peer,
						  cases[i].port);

		if (got != cases[i].want)
			fail_msg("%s port %d: decision %d, want %d",
				 cases[i].peer, cases[i].port, got,
				 cases[i].want);
	}
	/* Another workload, another direction: not covered. */
	other = subject("203.0.113.7", 1389);
	other.name = "cart";
	assert_null(review_match(&set, &other));
	other = subject("203.0.113.7", 1389);
	other.egress = 0;
	assert_null(review_match(&set, &other));
	/* Another protocol on the same port number. */
	other = subject("203.0.113.7", 1389);
	other.protocol = "UDP";
	assert_int_equal(review_match(&set, &other)->decision, REVIEW_ACCEPTED);
}

/* Decisions go to a real database, replace earlier ones, and come back. */
static void test_record_and_load(void **state)
{
	struct store *s = ((struct testdb *)*state)->store;
	struct review_set set;
	struct review_rule r = rule("203.0.113.7", 1389, REVIEW_ACCEPTED);

	r.at = 1700000000;
	assert_int_equal(review_record(s, &r, NULL, NULL), 0);
	r.decision = REVIEW_REJECTED;
	r.reason = "log4shell callback";
	r.by = "bob";
	assert_int_equal(review_record(s, &r, NULL, NULL), 0);
	r = rule("ns:kube-system", 0, REVIEW_ACCEPTED);
	assert_int_equal(review_record(s, &r, NULL, NULL), 0);
	assert_int_equal(review_load(s, &set), 0);
	assert_int_equal(set.n, 2);
	assert_int_equal(set.rules[0].peer.type, REVIEW_PEER_CIDR);
	assert_int_equal(set.rules[0].decision, REVIEW_REJECTED);
	assert_string_equal(set.rules[0].reason, "log4shell callback");
	assert_string_equal(set.rules[0].by, "bob");
	assert_int_equal(set.rules[0].port, 1389);
	assert_string_equal(set.rules[0].protocol, "TCP");
	assert_int_equal(set.rules[1].peer.type, REVIEW_PEER_NAMESPACE);
	assert_null(set.rules[1].protocol);
	assert_int_equal(decide(&set, "203.0.113.7", 1389), REVIEW_REJECTED);
	review_set_free(&set);
}

/*
 * Many decisions come back, each whole and in port order: the set grows
 * past its first allocation without losing one.
 */
static void test_load_many_decisions(void **state)
{
	struct store *s = ((struct testdb *)*state)->store;
	struct review_set set;

	for (int port = 1; port <= 100; port++) {
		struct review_rule r = rule("203.0.113.7", port,
					    port % 2 ? REVIEW_ACCEPTED
						     : REVIEW_REJECTED);

		assert_int_equal(review_record(s, &r, NULL, NULL), 0);
	}
	assert_int_equal(review_load(s, &set), 0);
	assert_int_equal(set.n, 100);
	for (size_t i = 0; i < set.n; i++) {
		assert_int_equal(set.rules[i].port, (int)i + 1);
		assert_int_equal(set.rules[i].decision, i % 2 ? REVIEW_REJECTED
							       : REVIEW_ACCEPTED);
		assert_string_equal(set.rules[i].by, "alice");
	}
	review_set_free(&set);
	assert_int_equal(set.n, 0);
}

/* rule() on port/protocol, for a protocol other than TCP. */
static struct review_rule rule_proto(const char *peer_text, int port,
				     const char *protocol,
				     enum review_decision d)
{
	struct review_rule r = rule(peer_text, port, d);

	r.protocol = protocol;
	return r;
}

/* Fails the test unless covering is whether a covers b. */
static void want_covers(const struct review_rule *a,
			const struct review_rule *b, int covering)
{
	char pa[128], pb[128];

	if (!review_covers(a, b) == !covering)
		return;
	review_peer_format(&a->peer, pa, sizeof(pa));
	review_peer_format(&b->peer, pb, sizeof(pb));
	fail_msg("%s port %d/%s %s %s port %d/%s", pa, a->port,
		 a->protocol ? a->protocol : "-",
		 covering ? "does not cover" : "covers", pb, b->port,
		 b->protocol ? b->protocol : "-");
}

/*
 * A decision covers another on the same workload and direction whose peer
 * and ports are within its own: a namespace its workloads and itself, a
 * CIDR what is inside it, all ports every port; never the other way.
 */
static void test_a_decision_covers_narrower_scopes(void **state)
{
	static const struct {
		const char *a;
		int a_port;
		const char *b;
		int b_port;
		int covers;
	} cases[] = {
		{ "shop/Deployment/web", 0, "shop/Deployment/web", 0, 1 },
		{ "shop/Deployment/web", 0, "shop/Deployment/api", 0, 0 },
		{ "ns:billing", 0, "billing/Deployment/api", 0, 1 },
		{ "billing/Deployment/api", 0, "ns:billing", 0, 0 },
		{ "ns:billing", 0, "ns:billing", 0, 1 },
		{ "ns:billing", 0, "ns:shop", 0, 0 },
		{ "ns:billing", 0, "shop/Deployment/api", 0, 0 },
		{ "198.51.100.0/24", 0, "198.51.100.50", 0, 1 },
		{ "198.51.100.0/24", 0, "198.51.100.128/25", 0, 1 },
		{ "198.51.100.0/24", 0, "198.51.100.0/24", 0, 1 },
		{ "198.51.100.50", 0, "198.51.100.0/24", 0, 0 },
		{ "198.51.100.0/24", 0, "198.51.0.0/16", 0, 0 },
		{ "198.51.100.0/24", 0, "203.0.113.7", 0, 0 },
		{ "2001:db8::/32", 0, "198.51.100.50", 0, 0 },
		{ "node", 0, "node", 0, 1 },
		/* Which addresses a node decision stands for is not known. */
		{ "0.0.0.0/0", 0, "node", 0, 0 },
		{ "node", 0, "192.168.0.10", 0, 0 },
		/* Ports: all cover each, one only itself. */
		{ "198.51.100.50", 0, "198.51.100.50", 443, 1 },
		{ "198.51.100.50", 443, "198.51.100.50", 0, 0 },
		{ "198.51.100.50", 443, "198.51.100.50", 443, 1 },
		{ "198.51.100.50", 443, "198.51.100.50", 80, 0 },
		/* Both at once, or not at all. */
		{ "ns:billing", 0, "billing/Deployment/api", 443, 1 },
		{ "ns:billing", 443, "billing/Deployment/api", 0, 0 },
		{ "198.51.100.0/24", 443, "198.51.100.50", 443, 1 },
	};
	struct review_rule a, b;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		a = rule(cases[i].a, cases[i].a_port, REVIEW_ACCEPTED);
		b = rule(cases[i].b, cases[i].b_port, REVIEW_REJECTED);
		want_covers(&a, &b, cases[i].covers);
	}
	/* The protocol is part of the port. */
	a = rule("198.51.100.50", 443, REVIEW_ACCEPTED);
	b = rule_proto("198.51.100.50", 443, "UDP", REVIEW_ACCEPTED);
	want_covers(&a, &b, 0);
	want_covers(&b, &a, 0);
	/* The kind compares without case, as review_match() has it. */
	b = rule("198.51.100.50", 443, REVIEW_ACCEPTED);
	b.kind = "deployment";
	want_covers(&a, &b, 1);
	/* Another workload, another direction. */
	a = rule("ns:billing", 0, REVIEW_ACCEPTED);
	b = rule("billing/Deployment/api", 443, REVIEW_ACCEPTED);
	b.name = "cart";
	want_covers(&a, &b, 0);
	b = rule("billing/Deployment/api", 443, REVIEW_ACCEPTED);
	b.egress = 0;
	want_covers(&a, &b, 0);
}

/* Records r in s; what it replaced, in *replaced. */
static void record(struct store *s, struct review_rule r,
		   struct review_set *replaced)
{
	if (review_record(s, &r, replaced, NULL) < 0)
		fail_msg("review_record: %s", errmsg_get());
}

/* Records r in s, and how many decisions it replaced. */
static size_t record_n(struct store *s, struct review_rule r)
{
	struct review_set replaced;
	size_t n;

	record(s, r, &replaced);
	n = replaced.n;
	review_set_free(&replaced);
	return n;
}

/* The decision s holds on peer_text's port, as generate would find it. */
static enum review_decision stored(struct store *s, const char *peer_text,
				   int port)
{
	struct review_set set;
	enum review_decision d;

	if (review_load(s, &set) < 0)
		fail_msg("review_load: %s", errmsg_get());
	d = decide(&set, peer_text, port);
	review_set_free(&set);
	return d;
}

/* The review rows of s, peer and port, as testdb_assert_query() has them. */
#define ROWS "SELECT peer, port, decision FROM review ORDER BY peer, port"

/*
 * The operator's case: a peer accepted on one port, then rejected (all
 * ports).  The reject replaces the accept, and the peer is rejected on
 * every port, the accepted one too.
 */
static void test_reject_after_accept_on_a_port_rejects_every_port(void **state)
{
	struct store *s = ((struct testdb *)*state)->store;
	struct review_set replaced;

	record(s, rule("198.51.100.50", 443, REVIEW_ACCEPTED), NULL);
	assert_int_equal(stored(s, "198.51.100.50", 443), REVIEW_ACCEPTED);
	record(s, rule("198.51.100.50", 0, REVIEW_REJECTED), &replaced);
	assert_int_equal(replaced.n, 1);
	assert_int_equal(replaced.rules[0].decision, REVIEW_ACCEPTED);
	assert_int_equal(replaced.rules[0].port, 443);
	review_set_free(&replaced);
	testdb_assert_query(s, "198.51.100.50/32 0 rejected", ROWS);
	assert_int_equal(stored(s, "198.51.100.50", 443), REVIEW_REJECTED);
	assert_int_equal(stored(s, "198.51.100.50", 80), REVIEW_REJECTED);
}

/*
 * A namespace decision replaces those on its workloads, on any port;
 * another namespace's, another workload's and another direction's stay.
 */
static void test_a_namespace_decision_replaces_its_workloads(void **state)
{
	struct store *s = ((struct testdb *)*state)->store;
	struct review_rule other_dir = rule("billing/api", 0, REVIEW_REJECTED);
	struct review_rule other_wl = rule("billing/api", 0, REVIEW_REJECTED);

	other_dir.egress = 0;
	other_wl.name = "cart";
	record(s, rule("billing/api", 443, REVIEW_ACCEPTED), NULL);
	record(s, rule("billing/legacy", 0, REVIEW_REJECTED), NULL);
	record(s, rule("shop/api", 0, REVIEW_REJECTED), NULL);
	record(s, other_dir, NULL);
	record(s, other_wl, NULL);
	assert_int_equal(record_n(s, rule("ns:billing", 0, REVIEW_ACCEPTED)), 2);
	testdb_assert_query(s,
			    "billing/Deployment/api 0 rejected; "
			    "billing/Deployment/api 0 rejected; "
			    "ns:billing 0 accepted; "
			    "shop/Deployment/api 0 rejected",
			    ROWS);
	assert_int_equal(stored(s, "billing/legacy", 80), REVIEW_ACCEPTED);
	assert_int_equal(stored(s, "shop/api", 80), REVIEW_REJECTED);
}

/*
 * A CIDR decision replaces those on the addresses and prefixes inside it;
 * a broader prefix and an address outside stay.
 */
static void test_a_cidr_decision_replaces_addresses_inside(void **state)
{
	struct store *s = ((struct testdb *)*state)->store;

	/* The /16 first: recorded after, it would replace the others. */
	record(s, rule("198.51.0.0/16", 0, REVIEW_ACCEPTED), NULL);
	record(s, rule("198.51.100.50", 443, REVIEW_ACCEPTED), NULL);
	record(s, rule("198.51.100.128/25", 0, REVIEW_ACCEPTED), NULL);
	record(s, rule("203.0.113.7", 0, REVIEW_ACCEPTED), NULL);
	assert_int_equal(
		record_n(s, rule("198.51.100.0/24", 0, REVIEW_REJECTED)), 2);
	testdb_assert_query(s,
			    "198.51.0.0/16 0 accepted; "
			    "198.51.100.0/24 0 rejected; "
			    "203.0.113.7/32 0 accepted",
			    ROWS);
	assert_int_equal(stored(s, "198.51.100.50", 443), REVIEW_REJECTED);
	assert_int_equal(stored(s, "198.51.100.200", 443), REVIEW_REJECTED);
	assert_int_equal(stored(s, "198.51.7.1", 443), REVIEW_ACCEPTED);
}

/*
 * A decision on all ports replaces those on each port, whatever their
 * protocol; another peer's port stays.
 */
static void test_an_all_ports_decision_replaces_each_port(void **state)
{
	struct store *s = ((struct testdb *)*state)->store;

	record(s, rule("198.51.100.50", 443, REVIEW_ACCEPTED), NULL);
	record(s, rule_proto("198.51.100.50", 53, "UDP", REVIEW_ACCEPTED),
	       NULL);
	record(s, rule("198.51.100.51", 443, REVIEW_ACCEPTED), NULL);
	assert_int_equal(record_n(s, rule("198.51.100.50", 0, REVIEW_REJECTED)),
			 2);
	testdb_assert_query(s,
			    "198.51.100.50/32 0 rejected; "
			    "198.51.100.51/32 443 accepted",
			    ROWS);
	/* The same scope again: it replaces its own earlier decision. */
	assert_int_equal(record_n(s, rule("198.51.100.50", 0, REVIEW_ACCEPTED)),
			 1);
	testdb_assert_query(s,
			    "198.51.100.50/32 0 accepted; "
			    "198.51.100.51/32 443 accepted",
			    ROWS);
}

/*
 * A narrower decision made after a broader one replaces nothing: it is an
 * exception, kept, and wins for its port (or workload) alone.
 */
static void test_a_narrower_decision_after_a_broader_one_wins_there(
	void **state)
{
	struct store *s = ((struct testdb *)*state)->store;

	record(s, rule("198.51.100.50", 0, REVIEW_REJECTED), NULL);
	assert_int_equal(record_n(s, rule("198.51.100.50", 443,
					  REVIEW_ACCEPTED)),
			 0);
	testdb_assert_query(s,
			    "198.51.100.50/32 0 rejected; "
			    "198.51.100.50/32 443 accepted",
			    ROWS);
	assert_int_equal(stored(s, "198.51.100.50", 443), REVIEW_ACCEPTED);
	assert_int_equal(stored(s, "198.51.100.50", 80), REVIEW_REJECTED);
	record(s, rule("ns:billing", 0, REVIEW_REJECTED), NULL);
	assert_int_equal(record_n(s, rule("billing/api", 0, REVIEW_ACCEPTED)),
			 0);
	assert_int_equal(stored(s, "billing/api", 80), REVIEW_ACCEPTED);
	assert_int_equal(stored(s, "billing/legacy", 80), REVIEW_REJECTED);
}

/*
 * A decision that cannot be written (no decider: the NOT NULL of
 * decided_by) leaves the decisions it would have replaced: the deletions
 * and the write are one transaction.
 */
static void test_a_failed_record_changes_nothing(void **state)
{
	struct store *s = ((struct testdb *)*state)->store;
	struct review_rule r = rule("198.51.100.0/24", 0, REVIEW_REJECTED);
	struct review_set replaced = { 0 };

	record(s, rule("198.51.100.50", 443, REVIEW_ACCEPTED), NULL);
	record(s, rule("198.51.100.51", 0, REVIEW_REJECTED), NULL);
	r.by = NULL;
	assert_int_equal(review_record(s, &r, &replaced, NULL), -1);
	assert_non_null(strstr(errmsg_get(), "decided_by"));
	/* Output parameters are written on success alone. */
	assert_int_equal(replaced.n, 0);
	assert_null(replaced.rules);
	testdb_assert_query(s,
			    "198.51.100.50/32 443 accepted; "
			    "198.51.100.51/32 0 rejected",
			    ROWS);
}

/*
 * A decision the store cannot read (a hand-made peer without its kind)
 * stops a record before anything is deleted or written.
 */
static void test_an_unreadable_decision_stops_a_record(void **state)
{
	struct store *s = ((struct testdb *)*state)->store;
	struct review_rule r = rule("ns:billing", 0, REVIEW_REJECTED);

	record(s, rule("billing/api", 443, REVIEW_ACCEPTED), NULL);
	testdb_exec(store_db(s),
		    "INSERT INTO review VALUES ('shop', 'Deployment', 'web', "
		    "'egress', 'billing/legacy', 0, '', 'rejected', NULL, "
		    "'me', 0)");
	assert_int_equal(review_record(s, &r, NULL, NULL), -1);
	assert_non_null(strstr(errmsg_get(), "is not NS/KIND/NAME"));
	testdb_assert_query(s,
			    "billing/Deployment/api 443 accepted; "
			    "billing/legacy 0 rejected",
			    ROWS);
}

/* Clears r's scope in s: review_clear()'s answer, and how many went. */
static int clear(struct store *s, struct review_rule r, size_t *n_left)
{
	struct review_set cleared = { 0 }, left;
	int found = review_clear(s, &r, &cleared, &left);

	if (found < 0)
		fail_msg("review_clear: %s", errmsg_get());
	if (found == 1)
		assert_int_equal(cleared.n, 1);
	else
		assert_null(cleared.rules);
	*n_left = left.n;
	review_set_free(&cleared);
	review_set_free(&left);
	return found;
}

/*
 * clear deletes the decision on exactly its scope: neither a broader one
 * that covers it nor the narrower ones it covers; one on no decision
 * finds nothing and changes nothing.
 */
static void test_clear_deletes_exactly_its_scope(void **state)
{
	struct store *s = ((struct testdb *)*state)->store;
	struct review_rule by_kind = rule("198.51.100.0/24", 0,
					  REVIEW_ACCEPTED);
	size_t left;

	record(s, rule("198.51.100.0/24", 0, REVIEW_REJECTED), NULL);
	record(s, rule("198.51.100.50", 443, REVIEW_ACCEPTED), NULL);
	/* Covered by the /24, inside the 443: neither. */
	assert_int_equal(clear(s, rule("198.51.100.50", 0, REVIEW_PENDING),
			       &left),
			 0);
	assert_int_equal(left, 2);
	assert_int_equal(clear(s, rule("198.51.100.0/24", 443, REVIEW_PENDING),
			       &left),
			 0);
	assert_int_equal(clear(s, rule("198.51.100.50", 443, REVIEW_PENDING),
			       &left),
			 1);
	assert_int_equal(left, 1);
	testdb_assert_query(s, "198.51.100.0/24 0 rejected", ROWS);
	assert_int_equal(stored(s, "198.51.100.50", 443), REVIEW_REJECTED);
	/* Whatever the decision named and the kind's case. */
	by_kind.kind = "deployment";
	assert_int_equal(clear(s, by_kind, &left), 1);
	assert_int_equal(left, 0);
	testdb_assert_query(s, "", ROWS);
	assert_int_equal(stored(s, "198.51.100.50", 443), REVIEW_PENDING);
	assert_int_equal(clear(s, by_kind, &left), 0);
}

/*
 * A decision left that still wins somewhere over a new one (a port
 * decision on a broader peer, over an all-ports one on a narrower peer)
 * is found, with where; an exception kept under a broader decision is no
 * such case.
 */
static void test_a_decision_left_may_outrank_a_new_one(void **state)
{
	struct review_rule reject = rule("198.51.100.50", 0, REVIEW_REJECTED);
	struct review_rule net443 = rule("198.51.100.0/24", 443,
					 REVIEW_ACCEPTED);
	struct review_rule one443 = rule("198.51.100.50", 443,
					 REVIEW_ACCEPTED);
	struct review_rule ns443 = rule("ns:billing", 443, REVIEW_ACCEPTED);
	struct review_rule api = rule("billing/api", 0, REVIEW_REJECTED);
	struct review_rule elsewhere = rule("203.0.113.0/24", 443,
					    REVIEW_ACCEPTED);
	struct review_subject where;
	char buf[64];

	(void)state;
	assert_true(review_outranks(&net443, &reject, &where));
	review_peer_format(&where.peer, buf, sizeof(buf));
	assert_string_equal(buf, "198.51.100.50/32");
	assert_int_equal(where.port, 443);
	assert_string_equal(where.protocol, "TCP");
	assert_false(review_outranks(&reject, &net443, &where));
	assert_true(review_outranks(&ns443, &api, &where));
	review_peer_format(&where.peer, buf, sizeof(buf));
	assert_string_equal(buf, "billing/Deployment/api");
	assert_int_equal(where.port, 443);
	/* Nothing in common. */
	assert_false(review_outranks(&elsewhere, &reject, &where));
	/* The exception and the rule it is an exception to. */
	assert_false(review_outranks(&reject, &one443, &where));
	assert_false(review_outranks(&one443, &reject, &where));
	/* What r covers, r replaces: it never outranks r. */
	assert_false(review_outranks(&one443, &net443, &where));
}

int main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_peers),
		cmocka_unit_test(test_most_specific_decision_wins),
		cmocka_unit_test_setup_teardown(test_record_and_load,
						testdb_setup, testdb_teardown),
		cmocka_unit_test_setup_teardown(test_load_many_decisions,
						testdb_setup, testdb_teardown),
		cmocka_unit_test(test_a_decision_covers_narrower_scopes),
		cmocka_unit_test_setup_teardown(
			test_reject_after_accept_on_a_port_rejects_every_port,
			testdb_setup, testdb_teardown),
		cmocka_unit_test_setup_teardown(
			test_a_namespace_decision_replaces_its_workloads,
			testdb_setup, testdb_teardown),
		cmocka_unit_test_setup_teardown(
			test_a_cidr_decision_replaces_addresses_inside,
			testdb_setup, testdb_teardown),
		cmocka_unit_test_setup_teardown(
			test_an_all_ports_decision_replaces_each_port,
			testdb_setup, testdb_teardown),
		cmocka_unit_test_setup_teardown(
			test_a_narrower_decision_after_a_broader_one_wins_there,
			testdb_setup, testdb_teardown),
		cmocka_unit_test_setup_teardown(
			test_a_failed_record_changes_nothing, testdb_setup,
			testdb_teardown),
		cmocka_unit_test_setup_teardown(
			test_an_unreadable_decision_stops_a_record,
			testdb_setup, testdb_teardown),
		cmocka_unit_test_setup_teardown(
			test_clear_deletes_exactly_its_scope, testdb_setup,
			testdb_teardown),
		cmocka_unit_test(test_a_decision_left_may_outrank_a_new_one),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	arena_reset(&mem);
	return rc;
}
