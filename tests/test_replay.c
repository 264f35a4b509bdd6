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
	const struct inv_pod pods[] = {
		{ .uid = "uid-web-1", .namespace = "shop", .name = "web-1",
		  .node = "node-1", .labels = "{\"app\":\"web\"}",
		  .phase = "Running", .created = EARLIER, .started = EARLIER,
		  .workload_kind = "Deployment", .workload_name = "web",
		  .ips = web_ips, .n_ips = 1 },
		{ .uid = "uid-db-1", .namespace = "shop", .name = "db-1",
		  .node = "node-1", .labels = "{\"app\":\"db\"}",
		  .phase = "Running", .created = EARLIER, .started = EARLIER,
		  .workload_kind = "Deployment", .workload_name = "db",
		  .ips = db_ips, .n_ips = 1, .ports = db_ports, .n_ports = 1 },
	};
	struct inventory *inv = NULL;

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

/* Two databases, one per node, each with the cluster's inventory. */
static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return -1;
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
 * n connections of protocol from client to server:port, all started at
 * second at, as podflowd flushes them; nat: the address the client was
 * rewritten to (SNAT), or NULL.
 */
static void flow(struct store *s, const char *client, const char *server,
		 uint16_t port, uint8_t protocol, const char *nat, int64_t at,
		 int64_t n)
{
	struct store_edge e = testkit_edge(client, server, port, at);

	e.protocol = protocol;
	e.last_seen = at + 5;
	e.connections = n;
	if (nat != NULL)
		e.client_nat = testkit_addr(nat);
	if (store_flush_edges(s, &e, 1) < 0)
		fail_msg("store_flush_edges: %s", errmsg_get());
}

static void tcp(struct store *s, const char *client, const char *server,
		uint16_t port, int64_t at, int64_t n)
{
	flow(s, client, server, port, IPPROTO_TCP, NULL, at, n);
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
 * The group src -> dst:port/TCP is denied by the policies named (in
 * namespace shop), "-" for a side that allows it.
 */
static void assert_group(const struct fixture *f, const char *src,
			 const char *dst, int port, const char *egress_by,
			 const char *ingress_by)
{
	const struct replay_group *g = group(f, src, dst, port);

	assert_string_equal(policy_name(g->egress_by), egress_by);
	assert_string_equal(policy_name(g->ingress_by), ingress_by);
	if (g->egress_by != NULL)
		assert_string_equal(g->egress_by->namespace, "shop");
	if (g->ingress_by != NULL)
		assert_string_equal(g->ingress_by->namespace, "shop");
}

/* The result's counts: groups; denied ones, by egress, by ingress; conns. */
static void assert_counts(const struct fixture *f, size_t groups,
			  size_t denied, size_t egress, size_t ingress,
			  int64_t conns)
{
	assert_int_equal(f->res.n_groups, groups);
	assert_int_equal(f->res.denied, denied);
	assert_int_equal(f->res.denied_egress, egress);
	assert_int_equal(f->res.denied_ingress, ingress);
	assert_int_equal(f->res.denied_conns, conns);
}

/* What both policies allow, in two buckets: one group, nothing denied. */
static void test_allowed_flow_is_one_group_not_denied(void **state)
{
	struct fixture *f = *state;
	const struct replay_group *g;

	tcp(f->store[0], WEB, DB, 5432, BUCKET + 10, 3);
	tcp(f->store[0], WEB, DB, 5432, BUCKET + 70, 2);
	replay(f, 1);
	assert_int_equal(f->res.rows, 2);
	assert_counts(f, 1, 0, 0, 0, 0);
	assert_group(f, WEB_NAME, DB_NAME, 5432, "-", "-");
	g = group(f, WEB_NAME, DB_NAME, 5432);
	assert_int_equal(g->conns, 5);
	assert_int_equal(g->last, BUCKET + 75);
}

/* web's own egress policy stops it from calling out of the cluster. */
static void test_egress_denied_by_the_client_policy(void **state)
{
	struct fixture *f = *state;

	tcp(f->store[0], WEB, DB, 5432, BUCKET + 10, 1);
	tcp(f->store[0], WEB, OUTSIDE, 443, BUCKET + 20, 4);
	replay(f, 1);
	assert_counts(f, 2, 1, 1, 0, 4);
	assert_group(f, WEB_NAME, OUTSIDE, 443, "web-egress", "-");
	assert_group(f, WEB_NAME, DB_NAME, 5432, "-", "-");
}

/*
 * A client outside the cluster is isolated by nothing, but db's ingress
 * policy lets only web and the balancer in, and only on 5432; web to
 * db:22 is not in web's egress rule either.
 */
static void test_ingress_denied_by_the_server_policy(void **state)
{
	struct fixture *f = *state;

	tcp(f->store[0], OUTSIDE, DB, 5432, BUCKET + 10, 2);
	tcp(f->store[0], WEB, DB, 22, BUCKET + 20, 1);
	replay(f, 1);
	assert_counts(f, 2, 2, 1, 2, 3);
	assert_group(f, OUTSIDE, DB_NAME, 5432, "-", "db-ingress");
	assert_group(f, WEB_NAME, DB_NAME, 22, "web-egress", "db-ingress");
}

/*
 * The same connections recorded by both nodes' databases count once;
 * a connection only one node saw still counts.
 */
static void test_connection_on_two_nodes_counted_once(void **state)
{
	struct fixture *f = *state;
	const struct replay_group *g;

	for (int i = 0; i < MAX_DBS; i++) {
		tcp(f->store[i], WEB, OUTSIDE, 443, BUCKET + 10, 3);
		tcp(f->store[i], WEB, DB, 5432, BUCKET + 10, 7);
	}
	tcp(f->store[1], WEB, OUTSIDE, 443, BUCKET + 70, 1);
	replay(f, MAX_DBS);
	assert_int_equal(f->res.rows, 3);
	assert_counts(f, 2, 1, 1, 0, 4);
	g = group(f, WEB_NAME, OUTSIDE, 443);
	assert_int_equal(g->conns, 4);
	assert_int_equal(g->last, BUCKET + 75);
	assert_int_equal(group(f, WEB_NAME, DB_NAME, 5432)->conns, 7);
}

/*
 * SNAT: db's policy sees the address the client was rewritten to, the
 * balancer's, which its ipBlock allows; the same client without SNAT is
 * denied.
 */
static void test_snat_server_sees_the_translated_client(void **state)
{
	struct fixture *f = *state;

	flow(f->store[0], OUTSIDE, DB, 5432, IPPROTO_TCP, BALANCER,
	     BUCKET + 10, 5);
	tcp(f->store[0], OUTSIDE2, DB, 5432, BUCKET + 10, 1);
	replay(f, 1);
	assert_counts(f, 2, 1, 0, 1, 1);
	assert_group(f, OUTSIDE, DB_NAME, 5432, "-", "-");
	assert_group(f, OUTSIDE2, DB_NAME, 5432, "-", "db-ingress");
}

/*
 * With several databases, a row another one already gave is skipped; two
 * rows of one database that differ only by their SNAT address are two
 * edges, and both count (the key that finds repeats leaves SNAT out: one
 * node may see it and the other not).
 */
static void test_rows_of_one_database_are_never_repeats(void **state)
{
	struct fixture *f = *state;

	flow(f->store[0], OUTSIDE, DB, 5432, IPPROTO_TCP, BALANCER,
	     BUCKET + 10, 5);
	flow(f->store[0], OUTSIDE, DB, 5432, IPPROTO_TCP, "198.51.100.8",
	     BUCKET + 10, 2);
	flow(f->store[1], OUTSIDE, DB, 5432, IPPROTO_TCP, BALANCER,
	     BUCKET + 10, 5);
	replay(f, MAX_DBS);
	assert_int_equal(f->res.rows, 2);
	assert_int_equal(group(f, OUTSIDE, DB_NAME, 5432)->conns, 7);
}

/* NetworkPolicy cannot speak of ICMP: such rows are counted apart. */
static void test_icmp_is_not_checked(void **state)
{
	struct fixture *f = *state;

	flow(f->store[0], WEB, OUTSIDE, 0, IPPROTO_ICMP, NULL, BUCKET + 10, 1);
	tcp(f->store[0], WEB, DB, 5432, BUCKET + 10, 1);
	replay(f, 1);
	assert_int_equal(f->res.rows, 2);
	assert_int_equal(f->res.not_checked, 1);
	assert_counts(f, 1, 0, 0, 0, 0);
}

/*
 * Only the window is replayed: a row last seen before since, or of a
 * bucket from until on, is not.
 */
static void test_only_the_window_is_replayed(void **state)
{
	struct fixture *f = *state;

	tcp(f->store[0], WEB, OUTSIDE, 443, BUCKET - 600, 1);
	tcp(f->store[0], WEB, OUTSIDE, 443, BUCKET + 10, 2);
	tcp(f->store[0], WEB, OUTSIDE, 443, BUCKET + 600, 4);
	replay_window(f, 1, BUCKET, BUCKET + 60);
	assert_int_equal(f->res.rows, 1);
	assert_counts(f, 1, 1, 1, 0, 2);
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

	tcp(f->store[0], WEB, DB, 5432, BUCKET + 10, 1);
	tcp(f->store[0], WEB, DB, 22, BUCKET + 10, 1);
	tcp(f->store[0], OUTSIDE, DB, 5432, BUCKET + 10, 1);
	tcp(f->store[0], WEB, OUTSIDE, 443, BUCKET + 10, 1);
	replay(f, 1);
	assert_int_equal(f->res.n_groups, 4);
	for (size_t i = 0; i < 4; i++) {
		assert_string_equal(f->res.groups[i]->src, want[i][0]);
		assert_string_equal(f->res.groups[i]->dst, want[i][1]);
		assert_int_equal(f->res.groups[i]->port, want_port[i]);
	}
}

/* Nothing recorded: nothing replayed, nothing denied. */
static void test_empty_window(void **state)
{
	struct fixture *f = *state;

	replay(f, MAX_DBS);
	assert_int_equal(f->res.rows, 0);
	assert_counts(f, 0, 0, 0, 0, 0);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	static const struct CMUnitTest tests[] = {
		T(test_allowed_flow_is_one_group_not_denied),
		T(test_egress_denied_by_the_client_policy),
		T(test_ingress_denied_by_the_server_policy),
		T(test_connection_on_two_nodes_counted_once),
		T(test_snat_server_sees_the_translated_client),
		T(test_rows_of_one_database_are_never_repeats),
		T(test_icmp_is_not_checked),
		T(test_only_the_window_is_replayed),
		T(test_groups_are_sorted),
		T(test_empty_window),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
