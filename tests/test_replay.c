/*
 * Unit tests for replay, the engine behind policygen check: flows written
 * the way podflowd writes them (store_flush_edges) to a real SQLite file
 * whose inventory is written the way policygen import writes it (the
 * inventory API), replayed against NetworkPolicies read from YAML text,
 * and the denied groups asserted on.
 *
 * The cluster: namespace shop on node-1, with web-1 (Deployment web,
 * 10.244.1.10) and db-1 (Deployment db, 10.244.1.20, port 5432 "pg").
 * The policies: web may only reach db on 5432; db may only be reached
 * from web, or from 198.51.100.0/24 (say, a load balancer that SNATs).
 *
 * Most cases are the same steps with other data: rows written, replayed,
 * and the groups and counts the replay must give (the table below, one
 * cmocka test per case).  The order of the groups is a function after it.
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

#include "podflow/addr.h"
#include "podflow/errmsg.h"
#include "podflow/inventory.h"
#include "podflow/polset.h"
#include "podflow/store.h"
#include "policygen/replay.h"
#include "support/testdb.h"
#include "support/testkit.h"

/* The minute the flows happen in (2026-01-01T00:00:00Z), and before. */
#define BUCKET 1767225600
#define EARLIER (BUCKET - 3600)

#define WEB "10.244.1.10"
#define DB "10.244.1.20"
#define OUTSIDE "203.0.113.9"
#define OUTSIDE2 "203.0.113.10"
#define BALANCER "198.51.100.7"

#define WEB_NAME "shop/Deployment/web"
#define DB_NAME "shop/Deployment/db"

static const char policies[] =
	"apiVersion: networking.k8s.io/v1\n"
	"kind: NetworkPolicy\n"
	"metadata: {name: web-egress, namespace: shop}\n"
	"spec:\n"
	"  podSelector: {matchLabels: {app: web}}\n"
	"  policyTypes: [Egress]\n"
	"  egress:\n"
	"  - to:\n"
	"    - podSelector: {matchLabels: {app: db}}\n"
	"    ports:\n"
	"    - {port: 5432, protocol: TCP}\n"
	"---\n"
	"apiVersion: networking.k8s.io/v1\n"
	"kind: NetworkPolicy\n"
	"metadata: {name: db-ingress, namespace: shop}\n"
	"spec:\n"
	"  podSelector: {matchLabels: {app: db}}\n"
	"  policyTypes: [Ingress]\n"
	"  ingress:\n"
	"  - from:\n"
	"    - podSelector: {matchLabels: {app: web}}\n"
	"    - ipBlock: {cidr: 198.51.100.0/24}\n"
	"    ports:\n"
	"    - {port: 5432}\n";

#define MAX_DBS 2

struct fixture {
	struct testdb db[MAX_DBS];
	struct store *store[MAX_DBS]; /* db[i].store, for short */
	struct polset ps;
	struct replay *r;
	struct replay_result res;
	const void *rcase; /* the case a table test runs, or NULL */
};

/* What policygen import would write from a kubectl listing of shop. */
static void import_cluster(struct store *s)
{
	static const char *const web_ips[] = { WEB }, *const db_ips[] = { DB };
	static const struct inv_port db_ports[] = {
		{ .container = "postgres", .name = "pg", .port = 5432,
		  .protocol = "TCP" },
	};
	static const struct inv_node_address node_addrs[] = {
		{ .type = "InternalIP", .address = "192.168.0.11" },
	};
	const struct inv_namespace ns = { .name = "shop",
					  .labels = "{\"team\":\"shop\"}" };
	const struct inv_node node = { .name = "node-1", .labels = "{}",
				       .addresses = node_addrs,
				       .n_addresses = 1 };
	struct inv_pod pods[] = {
		testkit_pod("web-1", "web", web_ips, EARLIER),
		testkit_pod("db-1", "db", db_ips, EARLIER),
	};
	struct inventory *inv = NULL;

	pods[0].labels = "{\"app\":\"web\"}";
	pods[1].labels = "{\"app\":\"db\"}";
	pods[1].ports = db_ports;
	pods[1].n_ports = 1;
	if (inventory_begin(s, INVENTORY_SNAPSHOT, EARLIER + 60, &inv) < 0)
		fail_msg("inventory_begin: %s", errmsg_get());
	assert_int_equal(inventory_put_namespace(inv, &ns), 0);
	assert_int_equal(inventory_put_node(inv, &node), 0);
	for (size_t i = 0; i < sizeof(pods) / sizeof(pods[0]); i++)
		if (inventory_put_pod(inv, &pods[i]) < 0)
			fail_msg("inventory_put_pod: %s", errmsg_get());
	if (inventory_commit(inv, NULL) < 0)
		fail_msg("inventory_commit: %s", errmsg_get());
}

/* Policies from YAML text, through a file as check reads them. */
static void load_policies(struct polset *ps, const char *yaml)
{
	char path[] = "/tmp/podflow-replay-XXXXXX";
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, yaml, strlen(yaml)), (ssize_t)strlen(yaml));
	close(fd);
	if (polset_read_path(ps, path, "default") < 0)
		fail_msg("%s", errmsg_get());
	unlink(path);
}

/*
 * Two databases, one per node, each with the cluster's inventory.  Keeps
 * what *state held before (a case of the table) in f->rcase.
 */
static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return -1;
	f->rcase = *state;
	for (int i = 0; i < MAX_DBS; i++) {
		if (testdb_make(&f->db[i], 1) < 0)
			return -1;
		f->store[i] = f->db[i].store;
		import_cluster(f->store[i]);
	}
	f->ps = (struct polset)POLSET_INIT;
	load_policies(&f->ps, policies);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	int rc = 0;

	replay_free(f->r);
	polset_free(&f->ps);
	for (int i = 0; i < MAX_DBS; i++)
		if (testdb_remove(&f->db[i]) < 0)
			rc = -1;
	free(f);
	return rc;
}

/*
 * A row as podflowd writes it into database db: n connections of
 * protocol from client to server:port, started at BUCKET + at and last
 * seen five seconds later; nat: the address the client was rewritten to
 * (SNAT), or NULL.
 */
struct rec {
	int db;
	const char *client, *server;
	uint16_t port;
	uint8_t protocol;
	const char *nat;
	int64_t at, n;
};

/* Rows as they read: TCP(0, WEB, DB, 5432, 10, 3), 3 to db:5432 at 10. */
#define TCP(db, client, server, port, at, n)                                   \
	{ db, client, server, port, IPPROTO_TCP, NULL, at, n }
#define SNAT(db, client, server, port, nat, at, n)                             \
	{ db, client, server, port, IPPROTO_TCP, nat, at, n }
#define ICMP(db, client, server, at, n)                                        \
	{ db, client, server, 0, IPPROTO_ICMP, NULL, at, n }

/* Writes r, as podflowd flushes it. */
static void record(struct fixture *f, const struct rec *r)
{
	struct store_edge e = testkit_edge(r->client, r->server, r->port,
					   BUCKET + r->at, BUCKET + r->at,
					   BUCKET + r->at + 5);

	e.protocol = r->protocol;
	e.connections = r->n;
	if (r->nat != NULL)
		e.client_nat = testkit_addr(r->nat);
	if (store_flush_edges(f->store[r->db], &e, 1) < 0)
		fail_msg("store_flush_edges: %s", errmsg_get());
}

/* Replays the first n databases over [since, until) into f->res. */
static void replay_window(struct fixture *f, size_t n, int64_t since,
			  int64_t until)
{
	if ((f->r = replay_new(&f->ps, n > 1)) == NULL)
		fail_msg("replay_new: %s", errmsg_get());
	for (size_t i = 0; i < n; i++)
		if (replay_store(f->r, f->store[i], since, until) < 0)
			fail_msg("replay_store: %s", errmsg_get());
	replay_result(f->r, &f->res);
}

static void replay(struct fixture *f, size_t n)
{
	replay_window(f, n, 0, INT64_MAX);
}

/* The group from src to dst on port/TCP; fails the test when none. */
static const struct replay_group *group(const struct fixture *f,
					const char *src, const char *dst,
					int port)
{
	for (size_t i = 0; i < f->res.n_groups; i++) {
		const struct replay_group *g = f->res.groups[i];

		if (strcmp(g->src, src) == 0 && strcmp(g->dst, dst) == 0 &&
		    g->port == port && strcmp(g->protocol, "TCP") == 0)
			return g;
	}
	fail_msg("no group %s -> %s:%d/TCP", src, dst, port);
	return NULL;
}

static const char *policy_name(const struct polset_policy *p)
{
	return p ? p->name : "-";
}

/*
 * A group the replay must give: src -> dst:port/TCP, denied by the
 * policies named ("-": allowed on that side), of conns connections last
 * seen at BUCKET + last.
 */
struct want {
	const char *src, *dst;
	int port;
	const char *egress_by, *ingress_by;
	int64_t conns, last;
};

#define MAX_RECS 5
#define MAX_GROUPS 2

/*
 * A case: rows written, the first n_dbs databases replayed over the
 * window [BUCKET + since, BUCKET + until) (until 0: all time), and what
 * the result must then say.
 */
struct replay_case {
	const char *name;
	size_t n_dbs;
	int64_t since, until;
	struct rec recs[MAX_RECS]; /* up to the first without a client */
	size_t rows, not_checked;  /* rows replayed; of them, not checked */
	size_t denied, egress, ingress; /* groups denied; by which side */
	int64_t denied_conns;
	struct want groups[MAX_GROUPS]; /* all of them, up to one without src */
};

/* Groups as they read: ALLOWED(WEB_NAME, DB_NAME, 5432, 5, 75). */
#define ALLOWED(src, dst, port, conns, last)                                   \
	{ src, dst, port, "-", "-", conns, last }
#define DENIED(src, dst, port, egress_by, ingress_by, conns, last)             \
	{ src, dst, port, egress_by, ingress_by, conns, last }

/* A row is last seen five seconds after its start: at 10, last at 15. */
static const struct replay_case cases[] = {
	/* What both policies allow, in two buckets: one group, none denied. */
	{ .name = "test_allowed_flow_is_one_group_not_denied", .n_dbs = 1,
	  .recs = { TCP(0, WEB, DB, 5432, 10, 3),
		    TCP(0, WEB, DB, 5432, 70, 2) },
	  .rows = 2,
	  .groups = { ALLOWED(WEB_NAME, DB_NAME, 5432, 5, 75) } },
	/* web's own egress policy stops it from calling out of the cluster. */
	{ .name = "test_egress_denied_by_the_client_policy", .n_dbs = 1,
	  .recs = { TCP(0, WEB, DB, 5432, 10, 1),
		    TCP(0, WEB, OUTSIDE, 443, 20, 4) },
	  .rows = 2, .denied = 1, .egress = 1, .denied_conns = 4,
	  .groups = { DENIED(WEB_NAME, OUTSIDE, 443, "web-egress", "-", 4, 25),
		      ALLOWED(WEB_NAME, DB_NAME, 5432, 1, 15) } },
	/*
	 * A client outside the cluster is isolated by nothing, but db's
	 * ingress policy lets only web and the balancer in, and only on 5432;
	 * web to db:22 is not in web's egress rule either.
	 */
	{ .name = "test_ingress_denied_by_the_server_policy", .n_dbs = 1,
	  .recs = { TCP(0, OUTSIDE, DB, 5432, 10, 2),
		    TCP(0, WEB, DB, 22, 20, 1) },
	  .rows = 2, .denied = 2, .egress = 1, .ingress = 2,
	  .denied_conns = 3,
	  .groups = { DENIED(OUTSIDE, DB_NAME, 5432, "-", "db-ingress", 2, 15),
		      DENIED(WEB_NAME, DB_NAME, 22, "web-egress", "db-ingress",
			     1, 25) } },
	/*
	 * The same connections recorded by both nodes' databases count once;
	 * a connection only one node saw still counts.
	 */
	{ .name = "test_connection_on_two_nodes_counted_once", .n_dbs = 2,
	  .recs = { TCP(0, WEB, OUTSIDE, 443, 10, 3),
		    TCP(0, WEB, DB, 5432, 10, 7),
		    TCP(1, WEB, OUTSIDE, 443, 10, 3),
		    TCP(1, WEB, DB, 5432, 10, 7),
		    TCP(1, WEB, OUTSIDE, 443, 70, 1) },
	  .rows = 3, .denied = 1, .egress = 1, .denied_conns = 4,
	  .groups = { DENIED(WEB_NAME, OUTSIDE, 443, "web-egress", "-", 4, 75),
		      ALLOWED(WEB_NAME, DB_NAME, 5432, 7, 15) } },
	/*
	 * SNAT: db's policy sees the address the client was rewritten to, the
	 * balancer's, which its ipBlock allows; the same client without SNAT
	 * is denied.
	 */
	{ .name = "test_snat_server_sees_the_translated_client", .n_dbs = 1,
	  .recs = { SNAT(0, OUTSIDE, DB, 5432, BALANCER, 10, 5),
		    TCP(0, OUTSIDE2, DB, 5432, 10, 1) },
	  .rows = 2, .denied = 1, .ingress = 1, .denied_conns = 1,
	  .groups = { ALLOWED(OUTSIDE, DB_NAME, 5432, 5, 15),
		      DENIED(OUTSIDE2, DB_NAME, 5432, "-", "db-ingress", 1,
			     15) } },
	/*
	 * With several databases, a row another one already gave is skipped;
	 * two rows of one database that differ only by their SNAT address are
	 * two edges, and both count (the key that finds repeats leaves SNAT
	 * out: one node may see it and the other not).
	 */
	{ .name = "test_rows_of_one_database_are_never_repeats", .n_dbs = 2,
	  .recs = { SNAT(0, OUTSIDE, DB, 5432, BALANCER, 10, 5),
		    SNAT(0, OUTSIDE, DB, 5432, "198.51.100.8", 10, 2),
		    SNAT(1, OUTSIDE, DB, 5432, BALANCER, 10, 5) },
	  .rows = 2,
	  .groups = { ALLOWED(OUTSIDE, DB_NAME, 5432, 7, 15) } },
	/* NetworkPolicy cannot speak of ICMP: such rows are counted apart. */
	{ .name = "test_icmp_is_not_checked", .n_dbs = 1,
	  .recs = { ICMP(0, WEB, OUTSIDE, 10, 1),
		    TCP(0, WEB, DB, 5432, 10, 1) },
	  .rows = 2, .not_checked = 1,
	  .groups = { ALLOWED(WEB_NAME, DB_NAME, 5432, 1, 15) } },
	/*
	 * Only the window is replayed: a row last seen before since, or of a
	 * bucket from until on, is not.
	 */
	{ .name = "test_only_the_window_is_replayed", .n_dbs = 1,
	  .since = 0, .until = 60,
	  .recs = { TCP(0, WEB, OUTSIDE, 443, -600, 1),
		    TCP(0, WEB, OUTSIDE, 443, 10, 2),
		    TCP(0, WEB, OUTSIDE, 443, 600, 4) },
	  .rows = 1, .denied = 1, .egress = 1, .denied_conns = 2,
	  .groups = { DENIED(WEB_NAME, OUTSIDE, 443, "web-egress", "-", 2,
			     15) } },
	/* Nothing recorded: nothing replayed, nothing denied. */
	{ .name = "test_empty_window", .n_dbs = MAX_DBS },
};

/* Fails the case, naming the group, unless it is there as w wants it. */
static void check_group(const struct fixture *f, const struct want *w)
{
	const struct replay_group *g = group(f, w->src, w->dst, w->port);
	const char *egress_by = policy_name(g->egress_by);
	const char *ingress_by = policy_name(g->ingress_by);

	if (strcmp(egress_by, w->egress_by) != 0 ||
	    strcmp(ingress_by, w->ingress_by) != 0 || g->conns != w->conns ||
	    g->last != BUCKET + w->last)
		fail_msg("%s -> %s:%d: denied by %s, %s; %lld conns, last at "
			 "%lld; want %s, %s; %lld, %lld",
			 w->src, w->dst, w->port, egress_by, ingress_by,
			 (long long)g->conns, (long long)(g->last - BUCKET),
			 w->egress_by, w->ingress_by, (long long)w->conns,
			 (long long)w->last);
	/* Denied by the policies of shop, the only ones there are. */
	if (g->egress_by != NULL)
		assert_string_equal(g->egress_by->namespace, "shop");
	if (g->ingress_by != NULL)
		assert_string_equal(g->ingress_by->namespace, "shop");
}

static void run_case(void **state)
{
	struct fixture *f = *state;
	const struct replay_case *c = f->rcase;
	size_t n_groups = 0;

	for (size_t i = 0; i < MAX_RECS && c->recs[i].client != NULL; i++)
		record(f, &c->recs[i]);
	if (c->until == 0)
		replay(f, c->n_dbs);
	else
		replay_window(f, c->n_dbs, BUCKET + c->since,
			      BUCKET + c->until);
	assert_int_equal(f->res.rows, c->rows);
	assert_int_equal(f->res.not_checked, c->not_checked);
	assert_int_equal(f->res.denied, c->denied);
	assert_int_equal(f->res.denied_egress, c->egress);
	assert_int_equal(f->res.denied_ingress, c->ingress);
	assert_int_equal(f->res.denied_conns, c->denied_conns);
	for (; n_groups < MAX_GROUPS && c->groups[n_groups].src != NULL;
	     n_groups++)
		check_group(f, &c->groups[n_groups]);
	assert_int_equal(f->res.n_groups, n_groups);
}

/* Groups come sorted by source, destination, protocol and port. */
static void test_groups_are_sorted(void **state)
{
	struct fixture *f = *state;
	static const char *const want[][2] = {
		{ OUTSIDE, DB_NAME }, /* "203..." sorts before "shop/..." */
		{ WEB_NAME, OUTSIDE },
		{ WEB_NAME, DB_NAME },
		{ WEB_NAME, DB_NAME },
	};
	static const int want_port[] = { 5432, 443, 22, 5432 };
	static const struct rec recs[] = {
		TCP(0, WEB, DB, 5432, 10, 1),
		TCP(0, WEB, DB, 22, 10, 1),
		TCP(0, OUTSIDE, DB, 5432, 10, 1),
		TCP(0, WEB, OUTSIDE, 443, 10, 1),
	};

	for (size_t i = 0; i < 4; i++)
		record(f, &recs[i]);
	replay(f, 1);
	assert_int_equal(f->res.n_groups, 4);
	for (size_t i = 0; i < 4; i++) {
		assert_string_equal(f->res.groups[i]->src, want[i][0]);
		assert_string_equal(f->res.groups[i]->dst, want[i][1]);
		assert_int_equal(f->res.groups[i]->port, want_port[i]);
	}
}

int main(void)
{
	static const struct CMUnitTest functions[] = {
		cmocka_unit_test_setup_teardown(test_groups_are_sorted, setup,
						teardown),
	};

	return testkit_run("replay", functions, cases, run_case, setup,
			   teardown);
}
