/*
 * Unit tests for store_read: the rules every read keeps (a callback that
 * stops the read keeps its message; a read that fails names the file),
 * decisions written and read back field by field, the lookups a replay
 * makes on one handle, generate's and check's rows over two days, a
 * read's one snapshot, and the count of rows without start times.
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
#include "podflow/inventory.h"
#include "podflow/store_read.h"
#include "support/testdb.h"
#include "support/testkit.h"

#define STARTED 1767225600

static const struct store_review decision = {
	.namespace = "shop",
	.kind = "Deployment",
	.name = "web",
	.direction = "egress",
	.peer = "203.0.113.7",
	.port = 1389,
	.protocol = "TCP",
	.decision = "rejected",
	.reason = "log4shell callback",
	.decided_by = "alice",
	.decided_at = 1700000000,
};

/* What the callbacks below saw. */
struct seen {
	int rows;
	int stop_at; /* the row, from 1, whose callback stops the read */
	char text[256];
};

static int keep_review(const struct store_review *r, void *ctx)
{
	struct seen *s = ctx;
	size_t used = strlen(s->text);

	snprintf(s->text + used, sizeof(s->text) - used,
		 "%s%s/%s/%s %s %s %d/%s %s %s %s %lld", s->rows ? "; " : "",
		 r->namespace, r->kind, r->name, r->direction, r->peer, r->port,
		 r->protocol, r->decision, r->reason ? r->reason : "NULL",
		 r->decided_by, (long long)r->decided_at);
	if (++s->rows == s->stop_at) {
		errmsg_set("stopped at row %d", s->rows);
		return -1;
	}
	return 0;
}

/* A decision comes back as written; one without a reason, reason NULL. */
static void test_decisions_read_back_as_written(void **state)
{
	struct store *s = ((struct testdb *)*state)->store;
	struct store_review all_ports = decision;
	struct seen seen = { 0 };

	all_ports.peer = "ns:kube-system";
	all_ports.port = 0;
	all_ports.protocol = "";
	all_ports.decision = "accepted";
	all_ports.reason = NULL;
	assert_int_equal(store_put_review(s, &decision), 0);
	assert_int_equal(store_put_review(s, &all_ports), 0);
	assert_int_equal(store_read_reviews(s, keep_review, &seen), 0);
	assert_string_equal(seen.text,
			    "shop/Deployment/web egress 203.0.113.7 1389/TCP "
			    "rejected log4shell callback alice 1700000000; "
			    "shop/Deployment/web egress ns:kube-system 0/ "
			    "accepted NULL alice 1700000000");
}

/*
 * A callback that returns -1 stops the read there, and the read returns
 * -1 with the callback's message, not one of its own.
 */
static void test_a_callback_stops_the_read_with_its_message(void **state)
{
	struct store *s = ((struct testdb *)*state)->store;
	struct store_review other = decision;
	struct seen seen = { .stop_at = 1 };

	other.port = 1390;
	assert_int_equal(store_put_review(s, &decision), 0);
	assert_int_equal(store_put_review(s, &other), 0);
	assert_int_equal(store_read_reviews(s, keep_review, &seen), -1);
	assert_int_equal(seen.rows, 1);
	assert_string_equal(errmsg_get(), "stopped at row 1");
}

static int no_flow(const struct store_flow *f, void *ctx)
{
	(void)f;
	(void)ctx;
	fail_msg("a row from a read that cannot run");
	return -1;
}

/* A read that cannot run says so, naming the database file. */
static void test_a_read_that_fails_names_the_file(void **state)
{
	struct testdb *t = *state;
	char want[160];

	testdb_exec(store_db(t->store), "DROP VIEW workload_edges; "
					"DROP VIEW resolved_edges; "
					"DROP VIEW flow_days; "
					"DROP VIEW flow_tail");
	errmsg_set("%s", "");
	assert_int_equal(store_read_generate_flows(t->store, 0, INT64_MAX,
						   no_flow, NULL),
			 -1);
	snprintf(want, sizeof(want), "%s: ", t->path);
	testkit_assert_errmsg(want);
	testkit_assert_errmsg("flow_tail");
}

static int keep_pod(const struct store_workload_pod *p, void *ctx)
{
	struct seen *s = ctx;
	size_t used = strlen(s->text);

	snprintf(s->text + used, sizeof(s->text) - used, "%s%s %d",
		 s->rows++ ? "; " : "", p->uid, p->live);
	return 0;
}

/*
 * The lookups of one handle: a pod by uid (and none), an address's
 * holder, a workload's pods; each runs again on its kept statement.
 */
static void test_endpoint_lookups_on_one_handle(void **state)
{
	struct store *s = ((struct testdb *)*state)->store;
	static const char *const ip[] = { "10.244.1.5" };
	struct inv_pod pod = testkit_pod("web-1", "web", ip, STARTED);
	struct store_endpoints *e;
	struct inventory *inv = NULL;
	struct store_address who;
	struct store_pod p;
	struct seen seen = { 0 };

	pod.labels = "{\"app\":\"web\"}";
	assert_int_equal(inventory_begin(s, INVENTORY_SNAPSHOT, STARTED + 60,
					 &inv),
			 0);
	assert_int_equal(inventory_put_pod(inv, &pod), 0);
	assert_int_equal(inventory_commit(inv, NULL), 0);

	assert_non_null(e = store_endpoints_open(s));
	for (int twice = 0; twice < 2; twice++) {
		assert_int_equal(store_endpoints_pod(e, "web-1", &p), 1);
		assert_string_equal(p.namespace, "shop");
		assert_string_equal(p.workload_kind, "Deployment");
		assert_string_equal(p.workload_name, "web");
		assert_string_equal(p.node, "node-1");
		assert_int_equal(p.host_network, 0);
		assert_string_equal(p.labels, "{\"app\":\"web\"}");
		/* shop was not imported as a Namespace: no labels. */
		assert_string_equal(p.namespace_labels, "{}");
		assert_int_equal(store_endpoints_pod(e, "web-9", &p), 0);
		assert_int_equal(store_endpoints_address(e, "10.244.1.5", &who),
				 0);
		assert_string_equal(who.pod_uid, "web-1");
		assert_null(who.node);
		assert_int_equal(store_endpoints_address(e, "10.244.9.9", &who),
				 0);
		assert_null(who.pod_uid);
	}
	assert_int_equal(store_endpoints_workload_pods(e, "shop", "deployment",
						       "web", keep_pod, &seen),
			 0);
	assert_string_equal(seen.text, "web-1 1");
	store_endpoints_close(e);
}

/* The flows a read hands over, a line each: day, edge, source, counts. */
struct flows_seen {
	int rows;
	char text[1024];
};

static int keep_flow(const struct store_flow *f, void *ctx)
{
	struct flows_seen *s = ctx;
	size_t used = strlen(s->text);

	snprintf(s->text + used, sizeof(s->text) - used,
		 "%s%lld %s>%s:%d/%s %s %lld %lld-%lld", s->rows++ ? "; " : "",
		 (long long)((f->day - STARTED) / 86400), f->client_ip,
		 f->server_ip, f->server_port, f->protocol,
		 f->src.name ? f->src.name : "-", (long long)f->connections,
		 (long long)(f->first_seen - STARTED),
		 (long long)(f->last_seen - STARTED));
	return 0;
}

/*
 * Over two days, one resolved and one still the tail: generate's read
 * of one database adds an edge's days up (its first day, the sum, the
 * earliest and the latest sighting), check's keeps them apart; both in
 * the order of the addresses' text (10.244.1.10 before 10.244.1.5).
 */
static void test_one_database_adds_its_days_up(void **state)
{
	struct store *s = ((struct testdb *)*state)->store;
	static const char *const web_ip[] = { "10.244.1.5" };
	static const char *const db_ip[] = { "10.244.2.7" };
	const struct inv_pod pods[] = {
		testkit_pod("web-1", "web", web_ip, STARTED),
		testkit_pod("db-1", "db", db_ip, STARTED),
	};
	const struct store_edge edges[] = {
		testkit_edge("10.244.1.5", "10.244.2.7", 5432, STARTED + 100,
			     STARTED + 100, STARTED + 110),
		testkit_edge("10.244.1.5", "10.244.2.8", 80, STARTED + 200,
			     STARTED + 200, STARTED + 210),
		testkit_edge("10.244.1.10", "10.244.2.7", 5432, STARTED + 300,
			     STARTED + 300, STARTED + 310),
		testkit_edge("10.244.1.5", "10.244.2.7", 5432,
			     STARTED + 86500, STARTED + 86500, STARTED + 86510),
	};
	struct flows_seen gen = { 0 }, check = { 0 };

	testdb_import(s, INVENTORY_SNAPSHOT, STARTED, pods, 2);
	for (size_t i = 0; i < sizeof(edges) / sizeof(*edges); i++)
		testdb_flush(s, &edges[i]);
	testdb_import(s, INVENTORY_SNAPSHOT, STARTED + 86400 + 3600, pods, 2);
	assert_int_equal(store_resolve(s, STARTED + 86400, NULL), 0);
	testdb_assert_query(s, "3", "SELECT count(*) FROM edge_day");

	assert_int_equal(store_read_generate_flows(s, 0, INT64_MAX, keep_flow,
						   &gen),
			 0);
	assert_string_equal(gen.text,
			    "0 10.244.1.10>10.244.2.7:5432/TCP - 1 300-310; "
			    "0 10.244.1.5>10.244.2.7:5432/TCP web 2 100-86510; "
			    "0 10.244.1.5>10.244.2.8:80/TCP web 1 200-210");
	assert_int_equal(store_read_check_flows(s, 0, INT64_MAX, keep_flow,
						&check),
			 0);
	assert_string_equal(check.text,
			    "0 10.244.1.10>10.244.2.7:5432/TCP - 1 300-310; "
			    "0 10.244.1.5>10.244.2.7:5432/TCP web 1 100-110; "
			    "0 10.244.1.5>10.244.2.8:80/TCP web 1 200-210; "
			    "1 10.244.1.5>10.244.2.7:5432/TCP web 1 86500-86510");
}

/*
 * A read takes its names and its rows from one snapshot: an edge a
 * writer adds after the read opened (new addresses, a new route) is not
 * in it, and no row of it names what its names lack.
 */
static void test_a_read_is_one_snapshot(void **state)
{
	struct testdb *t = *state;
	const struct store_edge before = testkit_edge(
		"10.244.1.5", "10.244.2.7", 5432, STARTED + 100, STARTED + 100,
		STARTED + 110);
	const struct store_edge after = testkit_edge(
		"10.244.3.5", "10.244.4.7", 8080, STARTED + 200, STARTED + 200,
		STARTED + 210);
	struct store_flows *c;
	struct store_flow row;
	struct store *w;
	int rc, rows = 0;

	testdb_flush(t->store, &before);
	assert_int_equal(store_flows_open(t->store, 0, INT64_MAX, &c), 0);
	assert_int_equal(store_open(t->path, 0, &w), 0);
	testdb_flush(w, &after);
	store_close(w);
	while ((rc = store_flows_next(c, &row)) > 0) {
		assert_string_equal(row.client_ip, "10.244.1.5");
		rows++;
	}
	assert_int_equal(rc, 0);
	assert_int_equal(rows, 1);
	store_flows_close(c);
	/* The next read sees both. */
	rows = 0;
	assert_int_equal(store_flows_open(t->store, 0, INT64_MAX, &c), 0);
	while ((rc = store_flows_next(c, &row)) > 0)
		rows++;
	assert_int_equal(rc, 0);
	assert_int_equal(rows, 2);
	store_flows_close(c);
}

/*
 * A row without start times that a late flush gives one: it no longer
 * counts as one, at once (the late change takes it back) and after the
 * next resolution.
 */
static void test_a_late_start_is_no_row_without_one(void **state)
{
	struct store *s = ((struct testdb *)*state)->store;
	static const char *const ip[] = { "10.244.1.5" };
	const struct inv_pod pod = testkit_pod("web-1", "web", ip, STARTED);
	struct store_edge unstarted = testkit_edge(
		"10.244.1.5", "10.244.2.7", 80, STARTED + 3603, STORE_UNKNOWN,
		STARTED + 3610);
	const struct store_edge started = testkit_edge(
		"10.244.1.5", "10.244.2.7", 80, STARTED + 3604, STARTED + 3605,
		STARTED + 3620);
	int64_t n = -1;

	testdb_import(s, INVENTORY_SNAPSHOT, STARTED, &pod, 1);
	testdb_import(s, INVENTORY_SNAPSHOT, STARTED + 86400, &pod, 1);
	testdb_flush(s, &unstarted);
	assert_int_equal(store_resolve(s, STARTED + 86400, NULL), 0);
	assert_int_equal(store_count_unstarted(s, 0, INT64_MAX, &n), 0);
	assert_int_equal(n, 1);
	testdb_flush(s, &started);
	assert_int_equal(store_count_unstarted(s, 0, INT64_MAX, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(store_resolve(s, STARTED + 86400, NULL), 0);
	assert_int_equal(store_count_unstarted(s, 0, INT64_MAX, &n), 0);
	assert_int_equal(n, 0);
}

/* What test_many_edges_add_up() saw: rows, the last client, any fault. */
struct many_seen {
	int rows;
	char last[64];
	int bad;
};

static int keep_many(const struct store_flow *f, void *ctx)
{
	struct many_seen *m = ctx;

	/* Each edge once, both days added up, by the clients' text. */
	if (f->connections != 2 || f->first_seen != STARTED + 100 ||
	    f->last_seen != STARTED + 86400 + 110 ||
	    strcmp(m->last, f->client_ip) >= 0)
		m->bad++;
	snprintf(m->last, sizeof(m->last), "%s", f->client_ip);
	m->rows++;
	return 0;
}

/*
 * More edges than the table that adds a window up starts with: 1,500
 * clients, each on two days, one row each.
 */
static void test_many_edges_add_up(void **state)
{
	struct store *s = ((struct testdb *)*state)->store;
	enum { EDGES = 1500 };
	static char ips[EDGES][32];
	struct store_edge *e = calloc(2 * EDGES, sizeof(*e));
	struct many_seen seen = { 0 };

	assert_non_null(e);
	for (int i = 0; i < EDGES; i++) {
		snprintf(ips[i], sizeof(ips[i]), "10.244.%d.%d", i / 250,
			 i % 250 + 1);
		for (int day = 0; day < 2; day++)
			e[2 * i + day] = testkit_edge(
				ips[i], "10.244.200.1", 80,
				STARTED + day * 86400 + 100,
				STARTED + day * 86400 + 100,
				STARTED + day * 86400 + 110);
	}
	assert_int_equal(store_flush_edges(s, e, 2 * EDGES), 0);
	free(e);
	assert_int_equal(store_read_generate_flows(s, 0, INT64_MAX, keep_many,
						   &seen),
			 0);
	assert_int_equal(seen.rows, EDGES);
	assert_int_equal(seen.bad, 0);
}

int main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_decisions_read_back_as_written, testdb_setup,
			testdb_teardown),
		cmocka_unit_test_setup_teardown(
			test_a_callback_stops_the_read_with_its_message,
			testdb_setup, testdb_teardown),
		cmocka_unit_test_setup_teardown(
			test_a_read_that_fails_names_the_file, testdb_setup,
			testdb_teardown),
		cmocka_unit_test_setup_teardown(
			test_endpoint_lookups_on_one_handle, testdb_setup,
			testdb_teardown),
		cmocka_unit_test_setup_teardown(
			test_one_database_adds_its_days_up, testdb_setup,
			testdb_teardown),
		cmocka_unit_test_setup_teardown(test_a_read_is_one_snapshot,
						testdb_setup, testdb_teardown),
		cmocka_unit_test_setup_teardown(
			test_a_late_start_is_no_row_without_one, testdb_setup,
			testdb_teardown),
		cmocka_unit_test_setup_teardown(test_many_edges_add_up,
						testdb_setup, testdb_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
