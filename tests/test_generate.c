/*
 * Unit tests for the generate engine: the names of the policies it
 * writes, and whole runs over a real database.  The runs write an
 * inventory the way policygen import does (the inventory API) and edges
 * the way podflowd does (store_flush_edges), into SQLite files in a
 * temporary directory, then check the policies, rules and proposals
 * generate_policies() returns and the diagnostics it hands its callback,
 * and the workloads' states generate_read_states() reads.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>

#include <cmocka.h>

#include "podflow/arena.h"
#include "podflow/errmsg.h"
#include "podflow/inventory.h"
#include "podflow/kname.h"
#include "podflow/netpol.h"
#include "podflow/store.h"
#include "podflow/timefmt.h"
#include "policygen/generate.h"
#include "policygen/review.h"
#include "support/testdb.h"
#include "support/testkit.h"

static void test_policy_names(void **state)
{
	struct arena a = ARENA_INIT;
	char longname[300] = "";
	const char *n1, *n2, *n3;

	(void)state;
	assert_string_equal(generate_policy_name(&a, "Deployment", "web"),
			    "podflow-deployment-web");
	assert_string_equal(generate_policy_name(&a, "StatefulSet", "db.v2"),
			    "podflow-statefulset-db.v2");
	/* A valid 250-character Deployment name (labels of 9 and a dot). */
	while (strlen(longname) < 240)
		strcat(longname, "abcdefghi.");
	strcat(longname, "abcdefghi");
	n1 = generate_policy_name(&a, "Deployment", longname);
	longname[0] = 'z';
	n2 = generate_policy_name(&a, "Deployment", longname);
	longname[0] = 'a';
	n3 = generate_policy_name(&a, "Deployment", longname);
	assert_true(strlen(n1) <= 63);
	assert_true(kname_is_dns_subdomain(n1));
	assert_true(kname_is_dns_subdomain(n2));
	assert_string_not_equal(n1, n2);
	assert_string_equal(n1, n3); /* stable */
	/* A first label of 60: the prefix would make it too long. */
	memset(longname, 'q', 60);
	longname[60] = '\0';
	n1 = generate_policy_name(&a, "Deployment", longname);
	assert_true(kname_is_dns_subdomain(n1));
	assert_int_equal(strncmp(n1, "podflow-deployment-qqq", 22), 0);
	arena_reset(&a);
}

/*
 * The hash suffix is part of the output: policies already applied carry
 * it, so the same workload must keep the same name from release to
 * release.  These are the values generate has always given.
 */
static void test_policy_name_hash_is_stable(void **state)
{
	struct arena a = ARENA_INIT;
	char longname[300] = "";

	(void)state;
	while (strlen(longname) < 240)
		strcat(longname, "abcdefghi.");
	strcat(longname, "abcdefghi");
	assert_string_equal(generate_policy_name(&a, "Deployment", longname),
			    "podflow-deployment-abcdefghi-f1da0c0d");
	memset(longname, 'q', 60);
	longname[60] = '\0';
	assert_string_equal(generate_policy_name(&a, "StatefulSet", longname),
			    "podflow-statefulset-qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq-3bedc7ab");
	arena_reset(&a);
}

/*
 * The minute the flows of a run happen in (2026-01-01T00:00:00Z); the
 * pods have been running since an hour before.
 */
#define BUCKET 1767225600
#define EARLIER (BUCKET - 3600)

#define WEB_IP "10.244.1.10"
#define CART_IP "10.244.1.20"
#define NODE_IP "192.168.1.10"
#define POD_CIDRS "10.244.0.0/16"

/* The diagnostics of a run, as the callback got them. */
#define MAX_DIAGS 32
struct diags {
	size_t n;
	enum generate_level level[MAX_DIAGS];
	char msg[MAX_DIAGS][512];
};

/*
 * Up to two node databases, each holding the same inventory, and a run
 * over them: its options, which a test changes before run(), and what the
 * last run gave.
 */
struct fixture {
	struct testdb db[2];
	struct store *stores[2]; /* db[i].store, for short */
	struct generate_opts o;
	struct generate_result r; /* owned: run() and teardown free it */
	struct diags d;
};

/* A pod as testkit_pod() makes it, running since EARLIER with labels. */
static struct inv_pod pod(const char *name, const char *workload,
			  const char *labels, const char *const *ip)
{
	struct inv_pod p = testkit_pod(name, workload, ip, EARLIER);

	p.labels = labels;
	return p;
}

/*
 * The inventory of database i as a snapshot at at: namespace shop with
 * Deployments web and cart (and lonely, whose pod has no label,
 * with_lonely), on node-1.
 */
static void import_shop_at(struct fixture *f, int i, int with_lonely,
			   int64_t at)
{
	static const char *const web_ip[] = { WEB_IP };
	static const char *const cart_ip[] = { CART_IP };
	static const char *const lonely_ip[] = { "10.244.1.30" };
	static const struct inv_node_address node_addr[] = {
		{ "InternalIP", NODE_IP },
	};
	const struct inv_namespace ns = { .name = "shop", .labels = "{}" };
	const struct inv_node node = { .name = "node-1", .labels = "{}",
				       .addresses = node_addr,
				       .n_addresses = 1 };
	const struct inv_pod pods[] = {
		pod("web-1", "web", "{\"app\":\"web\"}", web_ip),
		pod("cart-1", "cart", "{\"app\":\"cart\"}", cart_ip),
		pod("lonely-1", "lonely", "{}", lonely_ip),
	};
	struct inventory *inv = NULL;

	if (inventory_begin(f->stores[i], INVENTORY_SNAPSHOT, at, &inv) < 0)
		fail_msg("inventory_begin: %s", errmsg_get());
	assert_int_equal(inventory_put_namespace(inv, &ns), 0);
	assert_int_equal(inventory_put_node(inv, &node), 0);
	for (size_t k = 0; k < (with_lonely ? 3U : 2U); k++)
		if (inventory_put_pod(inv, &pods[k]) < 0)
			fail_msg("inventory_put_pod %s: %s", pods[k].name,
				 errmsg_get());
	if (inventory_commit(inv, NULL) < 0)
		fail_msg("inventory_commit: %s", errmsg_get());
	/* What podflowd records at start-up: the pod CIDRs it watches. */
	assert_int_equal(store_meta_set(f->stores[i], "pod_cidrs", POD_CIDRS),
			 0);
}

/* The inventory of database i, as the pods started (EARLIER). */
static void import_shop(struct fixture *f, int i, int with_lonely)
{
	import_shop_at(f, i, with_lonely, EARLIER);
}

/*
 * conns connections from client to server:port over protocol, started
 * at BUCKET + at (at < 60: in the minute BUCKET) and last seen a second
 * later, as podflowd flushes them into database i.
 */
static void connect_at(struct fixture *f, int i, const char *client,
		       const char *server, uint16_t port, uint8_t protocol,
		       int64_t at, int64_t conns)
{
	struct store_edge e = testkit_edge(client, server, port, BUCKET + at,
					   BUCKET + at, BUCKET + at + 1);

	e.protocol = protocol;
	e.connections = conns;
	if (store_flush_edges(f->stores[i], &e, 1) < 0)
		fail_msg("store_flush_edges: %s", errmsg_get());
}

static void collect(void *arg, enum generate_level level, const char *msg)
{
	struct diags *d = arg;

	assert_true(d->n < MAX_DIAGS);
	assert_null(strchr(msg, '\n')); /* one line, no newline */
	d->level[d->n] = level;
	snprintf(d->msg[d->n], sizeof(d->msg[d->n]), "%s", msg);
	d->n++;
}

/* Whether the last run said exactly msg at level. */
static int said(const struct fixture *f, enum generate_level level,
		const char *msg)
{
	const struct diags *d = &f->d;

	for (size_t i = 0; i < d->n; i++)
		if (d->level[i] == level && strcmp(d->msg[i], msg) == 0)
			return 1;
	return 0;
}

/* The options of `policygen generate` without any, at BUCKET + 2h. */
static struct generate_opts default_opts(void)
{
	struct generate_opts o = {
		.until = INT64_MAX,
		.now = BUCKET + 7200,
		.stable_after = 3600,
		.ingress = NETPOL_OBSERVED,
		.egress = NETPOL_OBSERVED,
	};
	return o;
}

/*
 * Two new databases, the first with the inventory of shop (and lonely,
 * with_lonely), and the options of `policygen generate` without any.
 */
static int setup_with(void **state, int with_lonely)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return -1;
	for (int i = 0; i < 2; i++) {
		if (testdb_make(&f->db[i], 1) < 0)
			return -1;
		f->stores[i] = f->db[i].store;
	}
	import_shop(f, 0, with_lonely);
	f->o = default_opts();
	*state = f;
	return 0;
}

static int setup(void **state)
{
	return setup_with(state, 0);
}

static int setup_lonely(void **state)
{
	return setup_with(state, 1);
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	int rc = 0;

	generate_result_free(&f->r);
	for (int i = 0; i < 2; i++)
		if (testdb_remove(&f->db[i]) < 0)
			rc = -1;
	free(f);
	return rc;
}

/*
 * Runs generate with f->o over the first n databases, the result into
 * f->r (the last run's freed first) and the diagnostics into f->d, or
 * without a diagnostics callback (quiet).  Returns what
 * generate_policies() did.
 */
static int try_run(struct fixture *f, size_t n, int quiet)
{
	const struct generate_diag diag = { collect, &f->d };

	generate_result_free(&f->r);
	memset(&f->d, 0, sizeof(f->d));
	return generate_policies(f->stores, n, &f->o, quiet ? NULL : &diag,
				 &f->r);
}

/* try_run() with the callback, which must succeed. */
static void run(struct fixture *f, size_t n)
{
	if (try_run(f, n, 0) < 0)
		fail_msg("generate_policies: %s", errmsg_get());
}

/* The policy of the last run named name; fails the test when none. */
static const struct netpol *policy(const struct fixture *f, const char *name)
{
	const struct generate_result *r = &f->r;

	for (size_t i = 0; i < r->n; i++)
		if (strcmp(r->policies[i].name, name) == 0)
			return &r->policies[i];
	fail_msg("no policy %s", name);
	return NULL;
}

static void assert_port(const struct netpol_rule *rule, const char *protocol,
			int port)
{
	assert_int_equal(rule->n_ports, 1);
	assert_string_equal(rule->ports[0].protocol, protocol);
	assert_int_equal(rule->ports[0].port, port);
	assert_int_equal(rule->ports[0].end_port, 0);
}

/*
 * One flow, web to cart: an egress rule for web naming cart's pods, an
 * ingress rule for cart naming web's, each on exactly the port seen, and
 * one proposal per side with the flow's evidence.
 */
static void test_flow_gives_egress_and_ingress_rules(void **state)
{
	struct fixture *f = *state;
	const struct netpol *web, *cart;

	connect_at(f, 0, WEB_IP, CART_IP, 8080, IPPROTO_TCP, 10, 3);
	run(f, 1);
	assert_int_equal(f->d.n, 0);
	assert_int_equal(f->r.n, 2);
	web = policy(f, "podflow-deployment-web");
	assert_string_equal(web->namespace, "shop");
	assert_string_equal(web->pod_selector, "{\"matchLabels\":{\"app\":\"web\"}}");
	assert_int_equal(web->n_ingress, 0);
	assert_int_equal(web->n_egress, 1);
	assert_int_equal(web->egress[0].peer.type, NETPOL_PEER_PODS);
	assert_null(web->egress[0].peer.namespace); /* its own */
	assert_string_equal(web->egress[0].peer.pod_selector,
			    "{\"matchLabels\":{\"app\":\"cart\"}}");
	assert_port(&web->egress[0], "TCP", 8080);
	cart = policy(f, "podflow-deployment-cart");
	assert_int_equal(cart->n_egress, 0);
	assert_int_equal(cart->n_ingress, 1);
	assert_string_equal(cart->ingress[0].peer.pod_selector,
			    "{\"matchLabels\":{\"app\":\"web\"}}");
	assert_port(&cart->ingress[0], "TCP", 8080);

	/* By workload (cart, then web), direction, peer. */
	assert_int_equal(f->r.n_proposals, 2);
	assert_string_equal(f->r.proposals[0].name, "cart");
	assert_int_equal(f->r.proposals[0].egress, 0);
	assert_string_equal(f->r.proposals[0].peer, "shop/Deployment/web");
	assert_string_equal(f->r.proposals[1].name, "web");
	assert_int_equal(f->r.proposals[1].egress, 1);
	assert_string_equal(f->r.proposals[1].peer, "shop/Deployment/cart");
	for (size_t i = 0; i < 2; i++) {
		assert_int_equal(f->r.proposals[i].port, 8080);
		assert_string_equal(f->r.proposals[i].protocol, "TCP");
		assert_int_equal(f->r.proposals[i].conns, 3);
		assert_int_equal(f->r.proposals[i].first, BUCKET + 10);
		assert_int_equal(f->r.proposals[i].decision, REVIEW_PENDING);
		assert_true(f->r.proposals[i].emitted);
		assert_false(f->r.proposals[i].existing);
	}
}

/*
 * An address in the pod CIDRs that no pod held is named as an exact
 * ipBlock, and the run warns about it, once for all such rules.
 */
static void test_unknown_pod_address_is_warned(void **state)
{
	struct fixture *f = *state;
	const struct netpol *web;

	connect_at(f, 0, WEB_IP, "10.244.9.9", 80, IPPROTO_TCP, 10, 1);
	connect_at(f, 0, WEB_IP, "10.244.9.9", 81, IPPROTO_TCP, 11, 1);
	run(f, 1);
	assert_true(said(f, GENERATE_WARNING,
			 "2 rules name pod addresses that no pod in the "
			 "inventory held at the time, as exact ipBlocks; "
			 "import the inventory for that time to name their "
			 "workloads"));
	web = policy(f, "podflow-deployment-web");
	assert_int_equal(web->n_egress, 1);
	assert_int_equal(web->egress[0].peer.type, NETPOL_PEER_CIDR);
	assert_string_equal(web->egress[0].peer.cidr, "10.244.9.9/32");
	assert_int_equal(web->egress[0].n_ports, 2);
}

/*
 * ICMP has no place in a NetworkPolicy: its flows are left out, and said
 * to be; a workload with nothing else is silent.  Without a callback the
 * run is the same, and says nothing.
 */
static void test_icmp_is_noted_and_left_out(void **state)
{
	struct fixture *f = *state;

	connect_at(f, 0, WEB_IP, CART_IP, 0, IPPROTO_ICMP, 10, 4);
	connect_at(f, 0, WEB_IP, "203.0.113.7", 0, IPPROTO_ICMP, 11, 1);
	run(f, 1);
	assert_true(said(f, GENERATE_NOTE,
			 "2 flows (ICMP and others) cannot be expressed in a "
			 "NetworkPolicy, left out"));
	assert_true(said(f, GENERATE_NOTE,
			 "shop/Deployment/web had no traffic in the window; "
			 "no policy (see --include-silent)"));
	assert_int_equal(f->r.n, 0);
	assert_int_equal(f->r.n_proposals, 0);

	if (try_run(f, 1, 1) < 0)
		fail_msg("generate_policies: %s", errmsg_get());
	assert_int_equal(f->r.n, 0);

	/* With --include-silent: a deny-all policy for each. */
	f->o.include_silent = 1;
	run(f, 1);
	assert_true(said(f, GENERATE_NOTE,
			 "shop/Deployment/web had no traffic in the window: "
			 "deny-all policy"));
	assert_int_equal(f->r.n, 2);
	assert_int_equal(policy(f, "podflow-deployment-web")->n_egress, 0);
}

/* Lost events reported by podflowd within the window are warned about. */
static void test_lost_events_are_warned(void **state)
{
	struct fixture *f = *state;
	const struct store_stat lost = { "enobufs", 3 };
	char want[300];

	connect_at(f, 0, WEB_IP, CART_IP, 8080, IPPROTO_TCP, 10, 1);
	assert_int_equal(store_put_stats(f->stores[0], &lost, 1, BUCKET + 30), 0);
	f->o.since = BUCKET;
	run(f, 1);
	snprintf(want, sizeof(want),
		 "%s: podflowd reported 3 lost-event episodes; it resynced, "
		 "but flows that began and ended within one may be missing",
		 f->db[0].path);
	assert_true(said(f, GENERATE_WARNING, want));

	/* Counters written before the window are not the window's. */
	f->o.since = BUCKET + 60;
	run(f, 1);
	assert_false(said(f, GENERATE_WARNING, want));
}

/*
 * --external-prefix folds outside addresses into one ipBlock, and their
 * evidence into one proposal; the review decision on one of them covers
 * only that address, so the aggregate stays pending.
 */
static void test_outside_addresses_fold_into_a_prefix(void **state)
{
	struct fixture *f = *state;
	const struct netpol *web;

	connect_at(f, 0, WEB_IP, "203.0.113.7", 443, IPPROTO_TCP, 10, 2);
	connect_at(f, 0, WEB_IP, "203.0.113.9", 443, IPPROTO_TCP, 20, 5);
	f->o.external_prefix = 24;
	run(f, 1);
	web = policy(f, "podflow-deployment-web");
	assert_int_equal(web->n_egress, 1);
	assert_string_equal(web->egress[0].peer.cidr, "203.0.113.0/24");
	assert_port(&web->egress[0], "TCP", 443);
	assert_int_equal(f->r.n_proposals, 1);
	assert_string_equal(f->r.proposals[0].peer, "203.0.113.0/24");
	assert_int_equal(f->r.proposals[0].conns, 7);
	assert_int_equal(f->r.proposals[0].first, BUCKET + 10);
	assert_int_equal(f->r.proposals[0].last, BUCKET + 21);
}

/*
 * A rejected peer is proposed but never emitted; with --explain the
 * evidence and the decision are told, a line each, at GENERATE_EXPLAIN.
 */
static void test_rejected_peer_is_not_emitted(void **state)
{
	struct fixture *f = *state;
	struct review_rule no = {
		.ns = "shop", .kind = "Deployment", .name = "web",
		.egress = 1, .port = 1389, .protocol = "TCP",
		.decision = REVIEW_REJECTED, .reason = "log4shell", .by = "alice",
	};
	struct review_set set = { &no, 1, ARENA_INIT };
	struct arena mem = ARENA_INIT;
	const struct netpol *web;

	assert_int_equal(review_parse_peer("203.0.113.66", &mem, &no.peer), 0);
	connect_at(f, 0, WEB_IP, CART_IP, 8080, IPPROTO_TCP, 10, 1);
	connect_at(f, 0, WEB_IP, "203.0.113.66", 1389, IPPROTO_TCP, 20, 1);
	f->o.review = &set;
	f->o.explain = 1;
	f->o.workload = (struct scope_workload){ "shop", "Deployment", "web" };
	run(f, 1);
	assert_int_equal(f->r.n, 1);
	web = policy(f, "podflow-deployment-web");
	assert_int_equal(web->n_egress, 1);
	assert_int_equal(web->egress[0].peer.type, NETPOL_PEER_PODS);
	assert_int_equal(f->r.n_proposals, 2);
	assert_string_equal(f->r.proposals[0].peer, "203.0.113.66/32");
	assert_int_equal(f->r.proposals[0].decision, REVIEW_REJECTED);
	assert_ptr_equal(f->r.proposals[0].review, &no);
	assert_false(f->r.proposals[0].emitted);
	assert_true(f->r.proposals[1].emitted);
	assert_true(said(f, GENERATE_EXPLAIN,
			 "# shop/podflow-deployment-web (Deployment/web)"));
	assert_true(said(f, GENERATE_EXPLAIN,
			 "  egress  203.0.113.66/32                           "
			 "1389/TCP         1 conns  2026-01-01T00:00:20Z .. "
			 "2026-01-01T00:00:21Z  podflow.db  [rejected by alice: "
			 "log4shell]"));
	assert_true(said(f, GENERATE_EXPLAIN,
			 "  egress  shop/Deployment/cart                      "
			 "8080/TCP         1 conns  2026-01-01T00:00:10Z .. "
			 "2026-01-01T00:00:11Z  podflow.db  [pending review]"));
	arena_reset(&mem);
}

/*
 * A connection recorded on the client's node and on the server's counts
 * once, and its evidence names both databases.
 */
static void test_two_nodes_count_a_connection_once(void **state)
{
	struct fixture *f = *state;

	import_shop(f, 1, 0);
	connect_at(f, 0, WEB_IP, CART_IP, 8080, IPPROTO_TCP, 10, 3);
	connect_at(f, 1, WEB_IP, CART_IP, 8080, IPPROTO_TCP, 10, 3);
	run(f, 2);
	assert_int_equal(f->r.n, 2);
	assert_int_equal(f->r.n_proposals, 2);
	assert_int_equal(f->r.proposals[0].conns, 3);
	assert_int_equal(f->r.proposals[1].conns, 3);

	/* Where the nodes disagree, the one that counted more stands. */
	connect_at(f, 1, WEB_IP, CART_IP, 8080, IPPROTO_TCP, 10, 2);
	run(f, 2);
	assert_int_equal(f->r.proposals[0].conns, 5);
}

/*
 * What gets no policy is said: a workload whose pods share no label (no
 * selector picks it alone), and a --workload that names nothing.
 */
static void test_unselectable_workload_is_named(void **state)
{
	struct fixture *f = *state;

	connect_at(f, 0, "10.244.1.30", CART_IP, 8080, IPPROTO_TCP, 10, 1);
	run(f, 1);
	assert_true(said(f, GENERATE_WARNING,
			 "shop/Deployment/lonely: its pods share no label, so "
			 "no selector picks them alone; no policy"));
	/* cart names lonely's address: no selector can name its pods. */
	assert_string_equal(policy(f, "podflow-deployment-cart")
				    ->ingress[0].peer.cidr,
			    "10.244.1.30/32");

	f->o.workload.name = "nosuch";
	assert_int_equal(try_run(f, 1, 1), GENERATE_REFUSED);
	assert_string_equal(errmsg_get(), "--workload nosuch: no such workload "
					  "in the inventory (policygen workloads "
					  "lists them)");
	/* A typo of a name: the name meant. */
	f->o.workload.name = "lonley";
	assert_int_equal(try_run(f, 1, 1), GENERATE_REFUSED);
	assert_string_equal(errmsg_get(), "--workload lonley: no such workload; "
					  "did you mean shop/Deployment/lonely?");
}

/* Five hours after BUCKET: the time the status tests look from. */
#define HOURS_LATER (BUCKET + 5 * 3600)

/* Annotation key of p; fails the test when it has none. */
static const char *annotation(const struct netpol *p, const char *key)
{
	for (size_t i = 0; i < p->n_annotations; i++)
		if (strcmp(p->annotations[i].key, key) == 0)
			return p->annotations[i].value;
	fail_msg("%s has no annotation %s", p->name, key);
	return NULL;
}

/* Whether p has annotation key. */
static int has_annotation(const struct netpol *p, const char *key)
{
	for (size_t i = 0; i < p->n_annotations; i++)
		if (strcmp(p->annotations[i].key, key) == 0)
			return 1;
	return 0;
}

/*
 * Web calls cart on 8080 once a minute, every minute from BUCKET to
 * HOURS_LATER, into database i.
 */
static void steady_calls(struct fixture *f, int i)
{
	for (int64_t at = 0; at < HOURS_LATER - BUCKET; at += 60)
		connect_at(f, i, WEB_IP, CART_IP, 8080, IPPROTO_TCP, at, 1);
}

/*
 * The policy of Deployment name from the last run has the status want
 * and the newest entry newest; and generate_read_states() over the first
 * n databases, with the same options, says the same of it.
 */
static void assert_status(struct fixture *f, size_t n, const char *name,
			  const char *want, const char *newest)
{
	char policy_name[64], text[300], t[TIMEFMT_LEN];
	const struct netpol *p;
	const struct generate_workload_state *st;
	struct generate_states states;

	snprintf(policy_name, sizeof(policy_name), "podflow-deployment-%s",
		 name);
	p = policy(f, policy_name);
	assert_string_equal(annotation(p, "podflow.io/status"), want);
	assert_string_equal(annotation(p, "podflow.io/newest-entry"), newest);

	if (generate_read_states(f->stores, n, &f->o, &states) != GENERATE_OK)
		fail_msg("generate_read_states: %s", errmsg_get());
	st = generate_find_state(&states, "shop", "Deployment", name);
	assert_non_null(st);
	assert_string_equal(generate_state_name(st->state), want);
	assert_non_null(st->peer);
	snprintf(text, sizeof(text), "%s %s %s %d/%s",
		 timefmt_format(st->first_ever, t),
		 st->egress ? "egress" : "ingress", st->peer, st->port,
		 st->protocol);
	assert_string_equal(text, newest);
	generate_states_free(&states);
}

/*
 * A workload that talks to the same peer every minute for hours has
 * nothing new: stable an hour after its one entry first appeared, however
 * recent its last flow.
 */
static void test_steady_traffic_is_stable(void **state)
{
	struct fixture *f = *state;

	steady_calls(f, 0);
	f->o.now = HOURS_LATER;
	run(f, 1);
	assert_status(f, 1, "web", "stable",
		      "2026-01-01T00:00:00Z egress shop/Deployment/cart "
		      "8080/TCP");
	assert_status(f, 1, "cart", "stable",
		      "2026-01-01T00:00:00Z ingress shop/Deployment/web "
		      "8080/TCP");
	/* Within the hour of that entry, it was still learning. */
	f->o.now = BUCKET + 1800;
	run(f, 1);
	assert_status(f, 1, "web", "learning",
		      "2026-01-01T00:00:00Z egress shop/Deployment/cart "
		      "8080/TCP");
}

/* A new peer ten minutes before now: learning again, and named. */
static void test_new_peer_is_learning(void **state)
{
	struct fixture *f = *state;

	steady_calls(f, 0);
	connect_at(f, 0, WEB_IP, "203.0.113.7", 443, IPPROTO_TCP,
		   HOURS_LATER - 600 - BUCKET, 1);
	f->o.now = HOURS_LATER;
	run(f, 1);
	assert_status(f, 1, "web", "learning",
		      "2026-01-01T04:50:00Z egress 203.0.113.7/32 443/TCP");
	/* cart saw nothing new. */
	assert_status(f, 1, "cart", "stable",
		      "2026-01-01T00:00:00Z ingress shop/Deployment/web "
		      "8080/TCP");
	/* --stable-after 5m: ten minutes is old enough. */
	f->o.stable_after = 300;
	run(f, 1);
	assert_status(f, 1, "web", "stable",
		      "2026-01-01T04:50:00Z egress 203.0.113.7/32 443/TCP");
}

/* A new port to a peer of hours is a new entry, on both sides. */
static void test_new_port_to_old_peer_is_new(void **state)
{
	struct fixture *f = *state;

	steady_calls(f, 0);
	connect_at(f, 0, WEB_IP, CART_IP, 9090, IPPROTO_TCP,
		   HOURS_LATER - 600 - BUCKET, 1);
	f->o.now = HOURS_LATER;
	run(f, 1);
	assert_status(f, 1, "web", "learning",
		      "2026-01-01T04:50:00Z egress shop/Deployment/cart "
		      "9090/TCP");
	assert_status(f, 1, "cart", "learning",
		      "2026-01-01T04:50:00Z ingress shop/Deployment/web "
		      "9090/TCP");
}

/*
 * An entry first seen before --since is as old as it is: the window's
 * first sighting is the proposal's evidence, not its age; whether the
 * records before the window are still raw or resolved into day rows.
 * Web has called cart every minute since its pods started, the day
 * before; the window is the last twenty minutes of the new day's first
 * half hour.
 */
static void test_entry_before_since_is_old(void **state)
{
	struct fixture *f = *state;
	struct store_resolved resolved;

	for (int64_t at = EARLIER - BUCKET; at < 1800; at += 60)
		connect_at(f, 0, WEB_IP, CART_IP, 8080, IPPROTO_TCP, at, 1);
	/* Only before the window: no entry, and no say in the status. */
	connect_at(f, 0, WEB_IP, "203.0.113.9", 443, IPPROTO_TCP, -1800, 1);
	f->o.now = BUCKET + 1800;
	f->o.since = BUCKET + 600;
	for (int pass = 0; pass < 2; pass++) {
		run(f, 1);
		assert_int_equal(f->r.n_proposals, 2);
		for (size_t i = 0; i < 2; i++) {
			assert_int_equal(f->r.proposals[i].first, f->o.since);
			assert_int_equal(f->r.proposals[i].first_ever, EARLIER);
		}
		assert_status(f, 1, "web", "stable",
			      "2025-12-31T23:00:00Z egress "
			      "shop/Deployment/cart 8080/TCP");
		/* The inventory reaches now: the day before gets resolved. */
		import_shop_at(f, 0, 0, f->o.now);
		assert_int_equal(store_resolve(f->stores[0], f->o.now,
					       &resolved), 0);
		assert_int_equal(resolved.until, BUCKET);
	}
	/* A new entry in the window is new all the same. */
	connect_at(f, 0, WEB_IP, CART_IP, 9090, IPPROTO_TCP, 1200, 1);
	run(f, 1);
	assert_status(f, 1, "web", "learning",
		      "2026-01-01T00:20:00Z egress shop/Deployment/cart "
		      "9090/TCP");
}

/*
 * Over several nodes' databases, an entry is as old as the first node
 * that saw it: when the node whose rows stand for a connection saw it
 * later than the other, and when only the other saw it before the window.
 */
static void test_two_nodes_first_sighting_is_the_earliest(void **state)
{
	struct fixture *f = *state;

	import_shop(f, 1, 0);
	/* The second node counted more that day: its rows stand. */
	connect_at(f, 0, WEB_IP, CART_IP, 8080, IPPROTO_TCP, 10, 1);
	connect_at(f, 1, WEB_IP, CART_IP, 8080, IPPROTO_TCP,
		   HOURS_LATER - 600 - BUCKET, 5);
	f->o.now = HOURS_LATER;
	run(f, 2);
	assert_int_equal(f->r.proposals[0].conns, 5);
	assert_int_equal(f->r.proposals[0].first, HOURS_LATER - 600);
	assert_int_equal(f->r.proposals[0].first_ever, BUCKET + 10);
	assert_status(f, 2, "web", "stable",
		      "2026-01-01T00:00:10Z egress shop/Deployment/cart "
		      "8080/TCP");
	/* The window holds the second node's sighting alone. */
	f->o.since = HOURS_LATER - 1800;
	run(f, 2);
	assert_int_equal(f->r.proposals[0].first, HOURS_LATER - 600);
	assert_status(f, 2, "web", "stable",
		      "2026-01-01T00:00:10Z egress shop/Deployment/cart "
		      "8080/TCP");
	/* On the second node alone, it is new. */
	f->stores[0] = f->stores[1];
	run(f, 1);
	assert_status(f, 1, "web", "learning",
		      "2026-01-01T04:50:00Z egress shop/Deployment/cart "
		      "8080/TCP");
	f->stores[0] = f->db[0].store;
}

/* Without flows: silent, and no newest entry to tell. */
static void test_silent_has_no_newest_entry(void **state)
{
	struct fixture *f = *state;
	struct generate_states states;
	const struct generate_workload_state *st;

	f->o.include_silent = 1;
	run(f, 1);
	assert_string_equal(annotation(policy(f, "podflow-deployment-web"),
				       "podflow.io/status"),
			    "silent");
	assert_false(has_annotation(policy(f, "podflow-deployment-web"),
				    "podflow.io/newest-entry"));
	assert_int_equal(generate_read_states(f->stores, 1, &f->o, &states),
			 GENERATE_OK);
	assert_int_equal(states.n, 2);
	st = generate_find_state(&states, "shop", "Deployment", "web");
	assert_non_null(st);
	assert_int_equal(st->state, GENERATE_SILENT);
	assert_null(st->peer);
	assert_null(generate_find_state(&states, "shop", "Deployment", "nosuch"));
	generate_states_free(&states);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_policy_names),
		cmocka_unit_test(test_policy_name_hash_is_stable),
		T(test_flow_gives_egress_and_ingress_rules),
		T(test_unknown_pod_address_is_warned),
		T(test_icmp_is_noted_and_left_out),
		T(test_lost_events_are_warned),
		T(test_outside_addresses_fold_into_a_prefix),
		T(test_rejected_peer_is_not_emitted),
		T(test_two_nodes_count_a_connection_once),
		T(test_steady_traffic_is_stable),
		T(test_new_peer_is_learning),
		T(test_new_port_to_old_peer_is_new),
		T(test_entry_before_since_is_old),
		T(test_two_nodes_first_sighting_is_the_earliest),
		T(test_silent_has_no_newest_entry),
		cmocka_unit_test_setup_teardown(
			test_unselectable_workload_is_named, setup_lonely,
			teardown),
	};
#undef T

	return cmocka_run_group_tests_name("generate", tests, NULL, NULL);
}
