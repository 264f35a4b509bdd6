/*
 * Unit tests for attribution: who an edge is credited to when a pod
 * address (or a Service ClusterIP) changes hands.
 *
 * The rule lives in one view, flow_resolved (sql/schema.sql): an end is
 * the pod whose tenure of the address, half-open [valid_from,
 * valid_until) in whole seconds, meets the span in which the edge's connections started,
 * [first_seen, last_start]; a row without last_start (schema 6 and
 * before) falls back to its whole bucket.  These tests write tenures the
 * way policygen import does (the inventory API, from pods' startTime and
 * deletionTimestamp) and edges the way podflowd does (store_flush_edges),
 * into a real SQLite file, and read the view back.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "podflow/addr.h"
#include "podflow/errmsg.h"
#include "podflow/inventory.h"
#include "podflow/store.h"
#include "support/testdb.h"
#include "support/testkit.h"

/*
 * The minute most cases happen in (2026-01-01T00:00:00Z), and the second
 * inside it at which the reused address changes hands: the old bucket
 * rule credited both holders for anything in this minute.
 */
#define BUCKET 1767225600
#define HANDOVER (BUCKET + 30)
/* Long before, for pods that have been running a while. */
#define EARLIER (BUCKET - 3600)

/* The address that changes hands, and a peer no pod ever held. */
#define REUSED "10.244.1.5"
#define PEER "10.244.9.9"

static const char *const reused_ip[] = { REUSED };

/*
 * The holders of REUSED most cases have, as policygen import reads them:
 * cart-1 of Deployment cart, started at EARLIER and deleted at deleted
 * (0: not deleted), and search-1 of Deployment search, started at
 * started and running.
 */
static struct inv_pod cart_pod(int64_t deleted)
{
	return testkit_pod_deleted("cart-1", "cart", reused_ip, EARLIER,
				   deleted);
}

static struct inv_pod search_pod(int64_t started)
{
	return testkit_pod_deleted("search-1", "search", reused_ip, started,
				   0);
}

/*
 * The usual handover: cart-1 held REUSED for an hour, search-1 got it at
 * HANDOVER.  The import caps cart-1's open tenure where search-1's
 * begins, so valid_until(cart-1) == valid_from(search-1) == HANDOVER.
 */
static void import_handover(struct testdb *f)
{
	const struct inv_pod pods[] = { cart_pod(0), search_pod(HANDOVER) };

	testdb_import(f->store, INVENTORY_SNAPSHOT, BUCKET + 120, pods, 2);
}

/* cart-1 alone, deleted at deleted (0: running), in a snapshot at at. */
static void import_cart(struct testdb *f, int64_t at, int64_t deleted)
{
	const struct inv_pod cart = cart_pod(deleted);

	testdb_import(f->store, INVENTORY_SNAPSHOT, at, &cart, 1);
}

/* cart-1 running with REUSED since EARLIER, as a snapshot lists it. */
static void import_running(struct testdb *f)
{
	import_cart(f, BUCKET - 600, 0);
}

/*
 * Connections to and from the reused address, both edges on port: the
 * client and the server end each have their own join in the view, and
 * each must follow the rule.  Each edge of a test gets its own port, so
 * that edges in one bucket stay apart.
 */
static void connect_at(struct testdb *f, uint16_t port, int64_t first_seen,
		       int64_t last_start, int64_t last_seen)
{
	struct store_edge out = testkit_edge(REUSED, PEER, port, first_seen,
					     last_start, last_seen);
	struct store_edge in = testkit_edge(PEER, REUSED, port, first_seen,
					    last_start, last_seen);

	testdb_flush(f->store, &out);
	testdb_flush(f->store, &in);
}

/*
 * The rows of the query printf(fmt, ...) makes must be want: columns
 * joined by ' ', rows by "; ", NULL as "NULL" (testdb_assert_query()).
 */
#define assert_rows(f, want, ...)                                              \
	testdb_assert_query((f)->store, want, __VA_ARGS__)

/* One connection each way, started and last seen at second at. */
static void connect_once(struct testdb *f, uint16_t port, int64_t at)
{
	connect_at(f, port, at, at, at);
}

/*
 * Who each end at the reused address of the edges on port was credited
 * to, and with how many holders: "POD holders=N", a row per holder.
 */
static void assert_credited(struct testdb *f, uint16_t port, const char *want)
{
	assert_rows(f, want,
		    "SELECT coalesce(src_pod, 'nobody') || ' holders=' || "
		    "src_holders FROM flow_resolved WHERE client_ip = '%s' "
		    "AND server_port = %u ORDER BY src_pod",
		    REUSED, port);
	assert_rows(f, want,
		    "SELECT coalesce(dst_pod, 'nobody') || ' holders=' || "
		    "dst_holders FROM flow_resolved WHERE server_ip = '%s' "
		    "AND server_port = %u ORDER BY dst_pod",
		    REUSED, port);
}

/*
 * The tenures of REUSED, in seconds relative to BUCKET, so that a failure
 * shows whether the inventory or the view went wrong.
 */
static void assert_tenures(struct testdb *f, const char *want)
{
	assert_rows(f, want,
		    "SELECT p.name || ' ' || (pi.valid_from - %d) || '..' || "
		    "coalesce(pi.valid_until - %d, 'open') FROM pod_ip AS pi "
		    "JOIN pod AS p ON p.id = pi.pod_id WHERE pi.ip = '%s' "
		    "ORDER BY pi.valid_from",
		    BUCKET, BUCKET, REUSED);
}

/*
 * The workload edges on ports (an SQL list of them), "SRC -> DST
 * ambiguous=N", a row each, an end without a workload by its address.
 */
static void assert_workload_edges(struct testdb *f, const char *ports,
				  const char *want)
{
	assert_rows(f, want,
		    "SELECT coalesce(src_name, src_ip) || ' -> ' || "
		    "coalesce(dst_name, dst_ip) || ' ambiguous=' || ambiguous "
		    "FROM workload_edges WHERE port IN (%s) ORDER BY 1",
		    ports);
}

/* 1. The second a tenure ends belongs to the next holder, never the old. */
static void test_start_at_valid_until_is_the_next_holders(void **state)
{
	struct testdb *f = *state;

	import_handover(f);
	assert_tenures(f, "cart-1 -3600..30; search-1 30..open");
	connect_once(f, 1, HANDOVER);
	assert_credited(f, 1, "search-1 holders=1");
	connect_once(f, 2, HANDOVER - 1);
	assert_credited(f, 2, "cart-1 holders=1");
	assert_rows(f, "start",
		    "SELECT DISTINCT attribution FROM flow_resolved");
}

/* 1. ...and to nobody when no one took the address over. */
static void test_start_at_valid_until_without_successor_is_nobodys(
	void **state)
{
	struct testdb *f = *state;

	import_cart(f, BUCKET + 120, HANDOVER);
	assert_tenures(f, "cart-1 -3600..30");
	connect_once(f, 1, HANDOVER);
	assert_credited(f, 1, "nobody holders=0");
	/* One second earlier it still was cart-1's. */
	connect_once(f, 2, HANDOVER - 1);
	assert_credited(f, 2, "cart-1 holders=1");
}

/*
 * 2. Both edges of a gap: the old pod deleted at HANDOVER - 10, the new
 * one started at HANDOVER.  valid_until - 1 is the old pod's last second,
 * valid_from the new pod's first, and the gap between is nobody's.
 */
static void test_tenure_bounds_are_half_open(void **state)
{
	struct testdb *f = *state;
	const struct inv_pod pods[] = {
		cart_pod(HANDOVER - 10),
		search_pod(HANDOVER),
	};

	testdb_import(f->store, INVENTORY_SNAPSHOT, BUCKET + 120, pods, 2);
	assert_tenures(f, "cart-1 -3600..20; search-1 30..open");
	connect_once(f, 1, HANDOVER - 11);
	assert_credited(f, 1, "cart-1 holders=1");
	connect_once(f, 2, HANDOVER - 10);
	assert_credited(f, 2, "nobody holders=0");
	connect_once(f, 3, HANDOVER - 1);
	assert_credited(f, 3, "nobody holders=0");
	connect_once(f, 4, HANDOVER);
	assert_credited(f, 4, "search-1 holders=1");
	/* A span from the gap into the new tenure meets only the new one. */
	connect_at(f, 5, HANDOVER - 5, HANDOVER + 5, HANDOVER + 5);
	assert_credited(f, 5, "search-1 holders=1");
}

/*
 * 3. Connections of one edge that started in both tenures are both pods'
 * (never silently one's), and workload_edges says ambiguous.  Edges of
 * the same minute that started inside one tenure are that pod's alone:
 * the bucket rule credited them to both.
 */
static void test_span_over_two_tenures_is_ambiguous(void **state)
{
	struct testdb *f = *state;

	import_handover(f);
	connect_at(f, 1, HANDOVER - 10, HANDOVER + 10, HANDOVER + 10);
	assert_credited(f, 1, "cart-1 holders=2; search-1 holders=2");
	assert_workload_edges(f, "1",
			      "10.244.9.9 -> cart ambiguous=1; "
			      "10.244.9.9 -> search ambiguous=1; "
			      "cart -> 10.244.9.9 ambiguous=1; "
			      "search -> 10.244.9.9 ambiguous=1");

	/* The same minute, started before the handover, then after. */
	connect_at(f, 2, BUCKET, HANDOVER - 1, BUCKET + 59);
	assert_credited(f, 2, "cart-1 holders=1");
	connect_at(f, 3, HANDOVER, BUCKET + 59, BUCKET + 59);
	assert_credited(f, 3, "search-1 holders=1");
	assert_workload_edges(f, "2, 3",
			      "10.244.9.9 -> cart ambiguous=0; "
			      "10.244.9.9 -> search ambiguous=0; "
			      "cart -> 10.244.9.9 ambiguous=0; "
			      "search -> 10.244.9.9 ambiguous=0");
}

/*
 * 3. Three holders within the span of one row's starts: the first start
 * was cart-1's, the last search-2's.  search-1's whole tenure lies between
 * them, and nothing says a connection of the row started in it, so it is
 * not credited; the count of holders still says the address changed hands
 * twice, and the row is ambiguous.
 */
static void test_tenure_between_the_starts_is_not_credited(void **state)
{
	struct testdb *f = *state;
	const struct inv_pod pods[] = {
		cart_pod(0),
		search_pod(HANDOVER),
		testkit_pod_deleted("search-2", "search", reused_ip,
				    HANDOVER + 10, 0),
	};

	testdb_import(f->store, INVENTORY_SNAPSHOT, BUCKET + 120, pods, 3);
	assert_tenures(f, "cart-1 -3600..30; search-1 30..40; "
			  "search-2 40..open");
	connect_at(f, 1, HANDOVER - 5, HANDOVER + 15, HANDOVER + 15);
	assert_credited(f, 1, "cart-1 holders=3; search-2 holders=3");
	/* A start in each outer tenure's last or first second counts. */
	connect_at(f, 2, HANDOVER - 1, HANDOVER + 10, HANDOVER + 10);
	assert_credited(f, 2, "cart-1 holders=3; search-2 holders=3");
	connect_at(f, 3, HANDOVER, HANDOVER + 9, HANDOVER + 9);
	assert_credited(f, 3, "search-1 holders=1");
}

/*
 * A connection whose start podflowd does not know (found in a table dump
 * or only at its end, without the kernel's timestamps) is counted with the
 * time podflowd saw it, which is no start: its row keeps the bucket rule,
 * whatever other connections of the row say, and in whichever order they
 * come (collector/flowtab.c folds them in memory by the same rule).
 */
static void test_unknown_start_keeps_the_bucket_rule(void **state)
{
	struct testdb *f = *state;
	struct store_edge seen = testkit_edge(REUSED, PEER, 1, HANDOVER + 5,
					      STORE_UNKNOWN, HANDOVER + 5);
	struct store_edge started = testkit_edge(REUSED, PEER, 1, HANDOVER + 6,
						 HANDOVER + 6, HANDOVER + 6);

	import_handover(f);
	seen.connections = 1;
	testdb_flush(f->store, &seen);
	testdb_flush(f->store, &started);
	started.server_port = seen.server_port = 2;
	testdb_flush(f->store, &started);
	testdb_flush(f->store, &seen);
	assert_rows(f, "1 bucket 2; 2 bucket 2",
		    "SELECT server_port, attribution, count(*) FROM "
		    "flow_resolved WHERE client_ip = '%s' GROUP BY 1, 2",
		    REUSED);
}

/*
 * 4. A connection of the old pod that ends after the handover: its
 * DESTROY reaches the store as podflowd sends it, an edge of the same
 * bucket that only extends (first_seen and last_seen its own time,
 * last_start unknown, no connection).  The end is no start: the edge
 * stays the old pod's, though it was last seen in the next minute.
 */
static void test_destroy_after_handover_stays_with_old_pod(void **state)
{
	struct testdb *f = *state;
	struct store_edge out = testkit_edge(REUSED, PEER, 1, HANDOVER - 20,
					     HANDOVER - 20, HANDOVER - 20);
	struct store_edge in = testkit_edge(PEER, REUSED, 1, HANDOVER - 20,
					    HANDOVER - 20, HANDOVER - 20);

	import_handover(f);
	testdb_flush(f->store, &out);
	testdb_flush(f->store, &in);
	/* The DESTROY, folded into the bucket the connection counts in. */
	out.first_seen = out.last_seen = BUCKET + 90;
	out.last_start = STORE_UNKNOWN;
	out.connections = 0;
	in.first_seen = in.last_seen = BUCKET + 90;
	in.last_start = STORE_UNKNOWN;
	in.connections = 0;
	testdb_flush(f->store, &out);
	testdb_flush(f->store, &in);

	assert_rows(f, "0 -20 -20 60 1; 0 -20 -20 60 1",
		    "SELECT bucket - %d, first_seen - %d, last_start - %d, "
		    "last_seen - %d, connections FROM edge ORDER BY client_ip",
		    BUCKET, HANDOVER, HANDOVER, HANDOVER);
	assert_credited(f, 1, "cart-1 holders=1");
}

/*
 * 5. An address no pod ever held has no identity, nor does one whose
 * holder let it go before the connection started (the bucket rule gave
 * it to the pod gone ten seconds before).
 */
static void test_address_unheld_at_start_has_no_identity(void **state)
{
	struct testdb *f = *state;

	import_cart(f, BUCKET + 120, BUCKET + 10);
	connect_once(f, 1, BUCKET + 20);
	assert_rows(f, "NULL 0 NULL 0; NULL 0 NULL 0",
		    "SELECT src_name, src_holders, dst_name, dst_holders "
		    "FROM flow_resolved WHERE server_port = 1");
	assert_workload_edges(f, "1",
			      "10.244.1.5 -> 10.244.9.9 ambiguous=0; "
			      "10.244.9.9 -> 10.244.1.5 ambiguous=0");
}

/*
 * 6. A tenure imported open (the pod running) and shortened by a later
 * import takes the edges after its new end with it: the view reads the
 * tenures as they are now, not as they were when the edge was written.
 * Here a pod that took the address over is imported later.
 */
static void test_successor_imported_later_takes_the_edge(void **state)
{
	struct testdb *f = *state;
	const struct inv_pod next = search_pod(BUCKET + 10);

	import_running(f);
	connect_once(f, 1, BUCKET + 20);
	connect_once(f, 2, BUCKET + 5);
	assert_credited(f, 1, "cart-1 holders=1");

	testdb_import(f->store, INVENTORY_WATCH, BUCKET + 120, &next, 1);
	assert_tenures(f, "cart-1 -3600..10; search-1 10..open");
	assert_credited(f, 1, "search-1 holders=1");
	assert_credited(f, 2, "cart-1 holders=1");
}

/* 6. ...a deletionTimestamp learnt later, before the connection started. */
static void test_deletion_learnt_later_drops_the_edge(void **state)
{
	struct testdb *f = *state;
	const struct inv_pod deleting = cart_pod(BUCKET + 15);

	import_running(f);
	connect_once(f, 1, BUCKET + 20);
	assert_credited(f, 1, "cart-1 holders=1");

	testdb_import(f->store, INVENTORY_WATCH, BUCKET + 120, &deleting, 1);
	assert_tenures(f, "cart-1 -3600..15");
	assert_credited(f, 1, "nobody holders=0");
}

/*
 * 6. ...a snapshot that no longer lists the pod ends its tenure at the
 * snapshot's time, which here is before the connection started.
 */
static void test_snapshot_without_pod_ends_its_tenure(void **state)
{
	struct testdb *f = *state;
	static const char *const other_ip[] = { "10.244.1.6" };
	/* A snapshot ends pods only if it lists pods: one other pod. */
	const struct inv_pod other =
		testkit_pod_deleted("web-1", "web", other_ip, EARLIER, 0);

	import_running(f);
	connect_once(f, 1, BUCKET + 20);
	connect_at(f, 2, BUCKET + 14, BUCKET + 14, BUCKET + 40);
	assert_credited(f, 1, "cart-1 holders=1");

	testdb_import(f->store, INVENTORY_SNAPSHOT, BUCKET + 15, &other, 1);
	assert_tenures(f, "cart-1 -3600..15");
	assert_credited(f, 1, "nobody holders=0");
	assert_credited(f, 2, "cart-1 holders=1");
}

/* A row as schema 6 wrote it: no last_start column. */
static void insert_legacy(struct testdb *f, const char *client,
			  const char *server, int port, int64_t bucket,
			  int64_t first_seen, int64_t last_seen)
{
	testdb_exec(store_db(f->store),
		    "INSERT INTO edge (bucket, client_ip, server_ip, "
		    "server_port, protocol, first_seen, last_seen, "
		    "connections) VALUES (%lld, '%s', '%s', %d, 6, %lld, "
		    "%lld, 1)",
		    (long long)bucket, client, server, port,
		    (long long)first_seen, (long long)last_seen);
}

/*
 * 7. Rows from before start times were kept say when their connections
 * started no better than the bucket: every holder whose tenure meets the
 * bucket is credited, even though first_seen and last_seen lie in one
 * tenure (first_seen was then no start), and the view says so.
 */
static void test_legacy_row_credits_every_holder_of_its_bucket(void **state)
{
	struct testdb *f = *state;

	import_handover(f);
	insert_legacy(f, REUSED, PEER, 1, BUCKET, BUCKET + 5, BUCKET + 6);
	insert_legacy(f, PEER, REUSED, 1, BUCKET, BUCKET + 5, BUCKET + 6);
	assert_credited(f, 1, "cart-1 holders=2; search-1 holders=2");
	assert_rows(f, "bucket 0 59",
		    "SELECT DISTINCT attribution, start_from - %d, "
		    "start_to - %d FROM flow_resolved",
		    BUCKET, BUCKET);
	/* The next minute is search-1's alone. */
	insert_legacy(f, REUSED, PEER, 2, BUCKET + 60, BUCKET + 61,
		      BUCKET + 62);
	insert_legacy(f, PEER, REUSED, 2, BUCKET + 60, BUCKET + 61,
		      BUCKET + 62);
	assert_credited(f, 2, "search-1 holders=1");
}

/*
 * 7. A row recorded before start times were kept, to which podflowd adds
 * a connection it knows the start of (the minute of the upgrade): the
 * older connections' starts are still unknown, so the row keeps the
 * bucket rule and the note still counts it.
 */
static void test_legacy_row_stays_by_bucket_when_added_to(void **state)
{
	struct testdb *f = *state;
	struct store_edge e = testkit_edge(REUSED, PEER, 1, HANDOVER + 5,
					   HANDOVER + 5, HANDOVER + 5);
	int64_t n = -1;

	import_handover(f);
	insert_legacy(f, REUSED, PEER, 1, BUCKET, BUCKET + 5, BUCKET + 6);
	testdb_flush(f->store, &e);
	assert_rows(f, "bucket 5 2; bucket 5 2",
		    "SELECT attribution, first_seen - %d, src_holders FROM "
		    "flow_resolved WHERE client_ip = '%s'",
		    BUCKET, REUSED);
	assert_int_equal(store_count_unstarted(f->store, BUCKET, BUCKET + 60,
					       &n),
			 0);
	assert_int_equal(n, 1);
}

/*
 * 7. The bucket a legacy row stands for is as wide as podflowd's
 * time_bucket_seconds (meta), not always a minute: a pod that came up
 * four minutes into a five-minute bucket is one of its holders.
 */
static void test_legacy_row_bucket_width_from_meta(void **state)
{
	struct testdb *f = *state;
	const struct inv_pod pods[] = { cart_pod(0), search_pod(BUCKET + 240) };

	testdb_import(f->store, INVENTORY_SNAPSHOT, BUCKET + 600, pods, 2);
	insert_legacy(f, REUSED, PEER, 1, BUCKET, BUCKET + 5, BUCKET + 6);
	insert_legacy(f, PEER, REUSED, 1, BUCKET, BUCKET + 5, BUCKET + 6);
	assert_credited(f, 1, "cart-1 holders=1");
	assert_int_equal(store_meta_set(f->store, "time_bucket_seconds", "300"),
			 0);
	assert_credited(f, 1, "cart-1 holders=2; search-1 holders=2");
}

/* A ClusterIP Service in shop, as import reads it. */
static struct inv_service service(const char *name, const char *const *ips,
				  int64_t created)
{
	static const struct inv_service_port http = {
		.name = "http", .port = 80, .target_port = "8080",
		.protocol = "TCP",
	};
	struct inv_service s = {
		.uid = name,
		.namespace = "shop",
		.name = name,
		.type = "ClusterIP",
		.created = created,
		.selector = "{\"app\":\"x\"}",
		.cluster_ips = ips,
		.n_cluster_ips = 1,
		.ports = &http,
		.n_ports = 1,
	};
	return s;
}

static void import_services(struct testdb *f, int64_t at,
			    const struct inv_service *svcs, size_t n)
{
	static const char *const backend_ip[] = { "10.244.4.4" };
	const struct inv_namespace ns = { .name = "shop" };
	/* Snapshots end Services only when they list Services and pods. */
	const struct inv_pod backend =
		testkit_pod_deleted("backend-1", "backend", backend_ip, EARLIER,
				    0);
	struct inventory *inv = NULL;

	assert_int_equal(inventory_begin(f->store, INVENTORY_SNAPSHOT, at,
					 &inv),
			 0);
	assert_int_equal(inventory_put_namespace(inv, &ns), 0);
	assert_int_equal(inventory_put_pod(inv, &backend), 0);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(inventory_put_service(inv, &svcs[i]), 0);
	if (inventory_commit(inv, NULL) < 0)
		fail_msg("inventory_commit: %s", errmsg_get());
}

/* A connection dialled to cluster_ip:80, DNATed to the backend pod. */
static void connect_service(struct testdb *f, const char *cluster_ip,
			    uint16_t backend_port, int64_t start,
			    int64_t last_seen)
{
	struct store_edge e = testkit_edge(PEER, "10.244.4.4", backend_port,
					   start, start, last_seen);

	e.service = testkit_addr(cluster_ip);
	e.service_port = 80;
	testdb_flush(f->store, &e);
}

/*
 * 8. A ClusterIP that moved from one Service to another within a minute
 * belongs to the Service that had it when the connection started.  The
 * inventory knows cart's end only from the snapshot that no longer lists
 * it (gone_at BUCKET + 40), after checkout's creation (BUCKET + 30): in
 * between the newer Service wins.  The bucket rule gave all three
 * connections to checkout.  A ClusterIP whose Service went with no
 * successor is no Service's for connections started after.
 */
static void test_cluster_ip_follows_the_start_time(void **state)
{
	struct testdb *f = *state;
	static const char *const moved_ip[] = { "10.96.0.50" };
	static const char *const freed_ip[] = { "10.96.0.60" };
	const struct inv_service before[] = {
		service("cart", moved_ip, EARLIER - 86400),
		service("legacy", freed_ip, EARLIER - 86400),
	};
	const struct inv_service after = service("checkout", moved_ip,
						 BUCKET + 30);

	import_services(f, BUCKET - 600, before, 2);
	import_services(f, BUCKET + 40, &after, 1);
	assert_rows(f, "10.96.0.50 cart 40; 10.96.0.50 checkout NULL; "
		       "10.96.0.60 legacy 40",
		    "SELECT ip, name, gone_at - %d FROM service_at "
		    "ORDER BY ip, name",
		    BUCKET);

	/* Started before checkout existed, ended after cart was gone. */
	connect_service(f, "10.96.0.50", 8001, BUCKET + 10, BUCKET + 50);
	connect_service(f, "10.96.0.50", 8002, BUCKET + 35, BUCKET + 35);
	connect_service(f, "10.96.0.50", 8003, BUCKET + 45, BUCKET + 45);
	connect_service(f, "10.96.0.60", 8004, BUCKET + 35, BUCKET + 50);
	connect_service(f, "10.96.0.60", 8005, BUCKET + 40, BUCKET + 40);
	assert_rows(f,
		    "8001 cart; 8002 checkout; 8003 checkout; 8004 legacy; "
		    "8005 NULL",
		    "SELECT server_port, service_name FROM flow_resolved "
		    "ORDER BY server_port");
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, testdb_setup, testdb_teardown)
	const struct CMUnitTest tests[] = {
		T(test_start_at_valid_until_is_the_next_holders),
		T(test_start_at_valid_until_without_successor_is_nobodys),
		T(test_tenure_bounds_are_half_open),
		T(test_span_over_two_tenures_is_ambiguous),
		T(test_tenure_between_the_starts_is_not_credited),
		T(test_unknown_start_keeps_the_bucket_rule),
		T(test_destroy_after_handover_stays_with_old_pod),
		T(test_address_unheld_at_start_has_no_identity),
		T(test_successor_imported_later_takes_the_edge),
		T(test_deletion_learnt_later_drops_the_edge),
		T(test_snapshot_without_pod_ends_its_tenure),
		T(test_legacy_row_credits_every_holder_of_its_bucket),
		T(test_legacy_row_stays_by_bucket_when_added_to),
		T(test_legacy_row_bucket_width_from_meta),
		T(test_cluster_ip_follows_the_start_time),
	};
#undef T
	return cmocka_run_group_tests_name("attribution", tests, NULL, NULL);
}
