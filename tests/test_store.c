/*
 * Unit tests for the store: migrations, UPSERT aggregation, views,
 * retention, concurrent readers and every database it must refuse.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <netinet/in.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "podflow/addr.h"
#include "podflow/errmsg.h"
#include "podflow/proto.h"
#include "podflow/store.h"
#include "podflow/store_read.h"
#include "sql.h"
#include "support/testdb.h"
#include "support/testkit.h"

/*
 * An edge of bucket (a whole minute) as the tests below flush it: one
 * connection started a second in, last seen a second later.
 */
static struct store_edge edge(int64_t bucket, const char *client,
			      const char *server, uint16_t port)
{
	return testkit_edge(client, server, port, bucket + 1, bucket + 1,
			    bucket + 2);
}

/*
 * n edges of bucket from client to port on as many servers,
 * NET.THIRD.1 to NET.THIRD.250, then NET.THIRD+1.1 and so on.  Owned:
 * free() it.
 */
static struct store_edge *servers(size_t n, int64_t bucket,
				  const char *client, const char *net,
				  int third, uint16_t port)
{
	struct store_edge *batch = calloc(n, sizeof(*batch));
	char server[32];

	assert_non_null(batch);
	for (size_t i = 0; i < n; i++) {
		snprintf(server, sizeof(server), "%s.%zu.%zu", net,
			 third + i / 250, i % 250 + 1);
		batch[i] = edge(bucket, client, server, port);
	}
	return batch;
}

/* Reads a whole file into an owned buffer; *len gets its size. */
static char *slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *buf;
	long n;

	assert_non_null(fp);
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	rewind(fp);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, fp), (size_t)n);
	fclose(fp);
	buf[n] = '\0';
	*len = (size_t)n;
	return buf;
}

static void write_file(const char *path, const void *data, size_t len)
{
	FILE *fp = fopen(path, "wb");

	assert_non_null(fp);
	assert_int_equal(fwrite(data, 1, len, fp), len);
	fclose(fp);
}

/*
 * A database as the release of podflow that brought schema version left
 * it: tests/fixtures/db/vVERSION.db, made by that release (`make
 * db-fixture`), copied to path.  Version 0 is an SQLite file of no
 * schema.  Then runs sql (NULL: none) with SQLite alone, not the store.
 */
static void sqlite_write(const char *path, int version, const char *sql)
{
	char fixture[64];
	sqlite3 *db;

	if (version > 0) {
		size_t len;
		char *data;

		snprintf(fixture, sizeof(fixture), "tests/fixtures/db/v%d.db",
			 version);
		if (access(fixture, R_OK) != 0)
			fail_msg("%s: missing; a new migration comes with the "
				 "database of the version before it (make "
				 "db-fixture, then add the migration)",
				 fixture);
		data = slurp(fixture, &len);
		write_file(path, data, len);
		free(data);
	}
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	if (sql != NULL)
		testdb_exec(db, "%s", sql);
	sqlite3_close(db);
}

static void test_open_creates_latest_schema_in_wal(void **state)
{
	struct testdb *t = *state;
	char want[16];

	assert_int_equal(store_open(t->path, 0, &t->store), 0);
	assert_int_equal(store_schema_version(t->store), store_schema_latest());
	snprintf(want, sizeof(want), "%d", store_schema_latest());
	testdb_assert_query(t->store, want, "PRAGMA user_version");
	testdb_assert_query(t->store, "wal", "PRAGMA journal_mode");
	testdb_assert_query(t->store, "1", "PRAGMA synchronous"); /* NORMAL */
	testdb_assert_query(t->store, "1", "PRAGMA foreign_keys");
	snprintf(want, sizeof(want), "%d", STORE_APPLICATION_ID);
	testdb_assert_query(t->store, want, "PRAGMA application_id");
	store_close(t->store);
	t->store = NULL;

	/* Opening again is a no-op migration and keeps the version. */
	assert_int_equal(store_open(t->path, 0, &t->store), 0);
	assert_int_equal(store_schema_version(t->store), store_schema_latest());
}

/*
 * Builds a database at every older schema version the way that release
 * of podflow left it, with an edge in it, and checks that opening it
 * migrates to the latest version and keeps the data.
 */
static void test_migrates_from_every_older_version(void **state)
{
	struct testdb *t = *state;

	for (int v = 0; v < store_schema_latest(); v++) {
		unlink(t->path);
		sqlite_write(t->path, v,
			     v == 0 ? NULL
				    : "INSERT INTO edge (bucket, client_ip, "
				      "server_ip, server_port, protocol, "
				      "first_seen, last_seen, connections) "
				      "VALUES (60, '10.0.0.1', '10.0.0.2', "
				      "80, 6, 61, 62, 3)");
		assert_int_equal(store_open(t->path, 0, &t->store), 0);
		assert_int_equal(store_schema_version(t->store),
				 store_schema_latest());
		if (v > 0) {
			testdb_assert_query(t->store, "3",
					    "SELECT connections FROM "
					    "flow_edges WHERE client_ip = "
					    "'10.0.0.1'");
			/* Views a migration recreated read the old rows. */
			testdb_assert_query(t->store, "3",
					    "SELECT connections FROM "
					    "workload_edges WHERE src_ip = "
					    "'10.0.0.1'");
		}
		store_close(t->store);
		t->store = NULL;
	}
}

/*
 * store_resolve_some() resolves at most the hours it is given, a
 * transaction each, and says when hours are left: a writer with other
 * work (podflowd) calls it again until it has caught up, to the rows one
 * store_resolve() gives.
 */
static void test_resolve_some_hours_at_a_time(void **state)
{
	struct testdb *t = *state;
	static const char *const ip[] = { "10.244.1.5" };
	const int64_t day = 1767225600, hour = 3600; /* 2026-01-01 */
	const struct inv_pod cart = testkit_pod("cart-1", "cart", ip,
						day - hour);
	struct store_resolved r;

	testdb_import(t->store, INVENTORY_SNAPSHOT, day + 3 * hour + 60, &cart,
		      1);
	for (int h = 0; h < 3; h++) {
		int64_t at = day + h * hour + 5;
		struct store_edge e = testkit_edge("10.244.1.6", "10.244.1.5",
						   80, at, at, at + 1);

		testdb_flush(t->store, &e);
	}
	for (int h = 1; h <= 3; h++) {
		assert_int_equal(store_resolve_some(t->store, day + 4 * hour,
						    1, &r),
				 0);
		assert_int_equal(r.until, day + h * hour);
		assert_int_equal(r.more, h < 3);
	}
	testdb_assert_query(t->store, "1 3 cart-1",
			    "SELECT count(*), sum(connections), max(p.name) "
			    "FROM edge_day AS d JOIN pod AS p "
			    "ON p.id = d.dst_pod_id");
	assert_int_equal(store_resolve_some(t->store, day + 4 * hour, 1, &r),
			 0);
	assert_int_equal(r.rows, 0);
	assert_false(r.more);
}

/*
 * The views name protocols from the table protocol, C from lib/proto.c:
 * the two say the same of every number.
 */
static void test_protocol_names_are_proto_c_s(void **state)
{
	struct testdb *t = *state;

	for (int n = 0; n < 256; n++) {
		const char *name = proto_name((uint8_t)n);
		char *got = testdb_query(t->store,
					 "SELECT coalesce((SELECT name FROM "
					 "protocol WHERE number = %d), 'NULL')",
					 n);

		assert_string_equal(got, name ? name : "NULL");
		free(got);
	}
}

/*
 * A migration drops and makes again the views of sql/views.sql, from the
 * new text (flow_edge_buckets gained last_start in version 7), and leaves
 * a view someone made in the database alone.
 */
static void test_migration_makes_the_views_anew(void **state)
{
	struct testdb *t = *state;

	sqlite_write(t->path, 6, "CREATE VIEW mine AS SELECT 42 AS answer");
	assert_int_equal(store_open(t->path, 0, &t->store), 0);
	testdb_assert_query(t->store, "42", "SELECT answer FROM mine");
	testdb_assert_query(t->store, "1",
			    "SELECT count(*) FROM pragma_table_info("
			    "'flow_edge_buckets') WHERE name = 'last_start'");
}

/* The details of sql's query plan, one line each, as an owned string. */
static char *query_plan(struct store *s, const char *sql)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	sqlite3_stmt *st;
	size_t n = strlen(sql) + 32;
	char *q = malloc(n);

	assert_non_null(out);
	assert_non_null(q);
	snprintf(q, n, "EXPLAIN QUERY PLAN %s", sql);
	assert_int_equal(sqlite3_prepare_v2(store_db(s), q, -1, &st, NULL),
			 SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW)
		fprintf(out, "%s\n", (const char *)sqlite3_column_text(st, 3));
	sqlite3_finalize(st);
	fclose(out);
	free(q);
	return text;
}

static void assert_plan(struct store *s, const char *sql, const char *has,
			const char *lacks)
{
	char *plan = query_plan(s, sql);

	if (strstr(plan, has) == NULL ||
	    (lacks != NULL && strstr(plan, lacks) != NULL))
		fail_msg("plan of %.60s... has no \"%s\"%s%s:\n%s", sql, has,
			 lacks ? " or has " : "", lacks ? lacks : "", plan);
	free(plan);
}

/* The statements policygen's readers run on edges. */
static const char *const readers[] = {
	sql_flows_window,
};

/* What reads a schema before 8, through compat_resolved_edges.sql. */
static const char *const old_readers[] = {
	sql_flows_window_compat,
	sql_workloads_query,
};

#define N_READERS (sizeof(readers) / sizeof(readers[0]))
#define N_OLD_READERS (sizeof(old_readers) / sizeof(old_readers[0]))

/*
 * A day of a big cluster is a million raw rows: the readers read the
 * resolved rows and only the tail of the raw ones, from resolved_until on
 * by the primary key; the holder counts read pod_ip_by_ip alone; a
 * question about one address finds it by its text, then reads the rows
 * of its id, never a copy of every row first.
 */
static void test_readers_walk_the_primary_key(void **state)
{
	struct testdb *t = *state;

	for (size_t i = 0; i < N_READERS; i++) {
		assert_plan(t->store, readers[i], "SCAN edge_day", NULL);
		assert_plan(t->store, readers[i],
			    "SEARCH edge_raw USING PRIMARY KEY (bucket>?)",
			    NULL);
	}
	assert_plan(t->store, "SELECT * FROM workload_edges",
		    "SEARCH edge_raw USING PRIMARY KEY (bucket>?)", NULL);
	assert_plan(t->store, sql_flows_window, "COVERING INDEX pod_ip_by_ip",
		    NULL);
	assert_plan(t->store,
		    "SELECT bucket, server_ip, server_port, protocol, "
		    "connections FROM flow_edge_buckets "
		    "WHERE client_ip = '10.244.1.5' ORDER BY bucket",
		    "INDEX sqlite_autoindex_addr_1 (ip=?)", "MATERIALIZE e");
	/* Nothing looks edges up by server: podflowd need not index them. */
	testdb_assert_query(t->store, "0",
			    "SELECT count(*) FROM sqlite_master "
			    "WHERE name = 'edge_by_server'");
}

/*
 * Readers open the database read-only and cannot migrate it: until
 * podflowd is upgraded they find schema version 3, and must run on it.
 */
static void test_readers_run_on_version_3(void **state)
{
	struct testdb *t = *state;
	int64_t n = -1;

	/* Two rows, of which one in the window counted below. */
	sqlite_write(t->path, 3,
		     "INSERT INTO edge (bucket, client_ip, server_ip, "
		     "server_port, protocol, first_seen, last_seen, "
		     "connections) VALUES (60, 'a', 'b', 1, 6, 61, 62, 1), "
		     "(600, 'a', 'b', 1, 6, 601, 602, 1)");
	assert_int_equal(store_open(t->path, STORE_READONLY, &t->store), 0);
	assert_int_equal(store_schema_version(t->store), 3);
	/* No start times on this version: every row of the window lacks them. */
	assert_int_equal(store_count_unstarted(t->store, 0, 120, &n), 0);
	assert_int_equal(n, 1);
	for (size_t i = 0; i < N_OLD_READERS; i++) {
		sqlite3_stmt *st;

		assert_int_equal(sqlite3_prepare_v2(store_db(t->store),
						    old_readers[i], -1, &st,
						    NULL),
				 SQLITE_OK);
		while (sqlite3_step(st) == SQLITE_ROW)
			;
		assert_int_equal(sqlite3_reset(st), SQLITE_OK);
		sqlite3_finalize(st);
	}
}

static void test_upsert_aggregates_within_bucket(void **state)
{
	struct testdb *t = *state;
	/* One edge of bucket 600 flushed twice, the later flush's first. */
	struct store_edge a = testkit_edge("10.244.1.5", "10.244.2.7", 8080,
					   610, 612, 620);
	struct store_edge b = testkit_edge("10.244.1.5", "10.244.2.7", 8080,
					   605, 608, 615);

	a.connections = 3;
	b.connections = 4;
	assert_int_equal(store_flush_edges(t->store, &a, 1), 0);
	assert_int_equal(store_flush_edges(t->store, &b, 1), 0);
	testdb_assert_query(t->store, "1", "SELECT count(*) FROM edge");
	testdb_assert_query(t->store, "7 605 612 620",
			    "SELECT connections || ' ' || first_seen || ' ' || "
			    "last_start || ' ' || last_seen FROM edge");
	/* No accounting yet: the counts stay unknown, not zero. */
	testdb_assert_query(t->store, "NULL", "SELECT orig_bytes FROM edge");

	/* Accounting arrives (DESTROY): unknown + n = n, then sums. */
	b.connections = 0;
	b.orig_bytes = 100;
	b.orig_packets = 2;
	b.reply_bytes = 1000;
	b.reply_packets = 3;
	assert_int_equal(store_flush_edges(t->store, &b, 1), 0);
	assert_int_equal(store_flush_edges(t->store, &b, 1), 0);
	testdb_assert_query(t->store, "2200 10",
			    "SELECT bytes || ' ' || packets FROM flow_edges");
	testdb_assert_query(t->store, "7",
			    "SELECT connections FROM flow_edges");
}

static void test_buckets_separate_and_view_sums(void **state)
{
	struct testdb *t = *state;
	struct store_edge e[3] = {
		edge(0, "10.244.1.5", "10.244.2.7", 8080),
		edge(60, "10.244.1.5", "10.244.2.7", 8080),
		edge(60, "10.244.1.5", "10.244.2.7", 9090),
	};

	e[0].first_seen = 5;
	e[1].last_seen = 119;
	assert_int_equal(store_flush_edges(t->store, e, 3), 0);
	testdb_assert_query(t->store, "3", "SELECT count(*) FROM edge");
	testdb_assert_query(t->store, "2", "SELECT count(*) FROM flow_edges");
	testdb_assert_query(t->store,
			    "10.244.1.5 10.244.2.7 8080 TCP 2 "
			    "1970-01-01T00:00:05Z 1970-01-01T00:01:59Z",
			    "SELECT client_ip || ' ' || server_ip || ' ' || "
			    "server_port || ' ' || protocol || ' ' || "
			    "connections || ' ' || first_seen || ' ' || "
			    "last_seen FROM flow_edges WHERE server_port = "
			    "8080");
	testdb_assert_query(t->store,
			    "1970-01-01T00:00:00Z,1970-01-01T00:01:00Z",
			    "SELECT group_concat(bucket, ',') FROM (SELECT "
			    "bucket FROM flow_edge_buckets WHERE server_port "
			    "= 8080 ORDER BY bucket)");
	testdb_assert_query(t->store, "none none none",
			    "SELECT coalesce(service_ip, 'none') || ' ' || "
			    "coalesce(service_port, 'none') || ' ' || "
			    "coalesce(client_nat_ip, 'none') FROM flow_edges "
			    "LIMIT 1");
}

static void test_service_and_nat_columns(void **state)
{
	struct testdb *t = *state;
	struct store_edge e[2];

	/* Direct and through a Service are two edges, not one. */
	e[0] = edge(0, "fd00:10:244:1::5", "fd00:10:244:2::7", 8080);
	e[0].protocol = IPPROTO_UDP;
	e[1] = e[0];
	e[1].service = testkit_addr("fd00:10:96::15");
	e[1].service_port = 80;
	e[1].client_nat = testkit_addr("fd00:1::1");
	assert_int_equal(store_flush_edges(t->store, e, 2), 0);
	testdb_assert_query(t->store, "2", "SELECT count(*) FROM flow_edges");
	testdb_assert_query(t->store, "UDP fd00:10:96::15 80 fd00:1::1",
			    "SELECT protocol || ' ' || service_ip || ' ' || "
			    "service_port || ' ' || client_nat_ip FROM "
			    "flow_edges WHERE service_ip IS NOT NULL");
}

static void test_protocol_names_and_expressible(void **state)
{
	struct testdb *t = *state;
	static const struct {
		uint8_t proto;
		const char *name;
		const char *expressible;
	} cases[] = {
		{ IPPROTO_TCP, "TCP", "1" },	 { IPPROTO_UDP, "UDP", "1" },
		{ IPPROTO_SCTP, "SCTP", "1" },	 { IPPROTO_ICMP, "ICMP", "0" },
		{ IPPROTO_ICMPV6, "ICMP", "0" },
	};
	char want[16];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct store_edge e = edge(0, "10.244.0.1", "10.244.0.2",
					   (uint16_t)(1000 + i));

		e.protocol = cases[i].proto;
		assert_int_equal(store_flush_edges(t->store, &e, 1), 0);
		snprintf(want, sizeof(want), "%s %s", cases[i].name,
			 cases[i].expressible);
		testdb_assert_query(t->store, want,
				    "SELECT protocol || ' ' || expressible "
				    "FROM flow_edges WHERE server_port = %zu",
				    1000 + i);
	}
}

/* A million connections over a thousand edges in one bucket: ~1000 rows. */
static void test_million_connections_thousand_rows(void **state)
{
	struct testdb *t = *state;
	struct store_edge *batch = servers(1000, 3600, "10.244.9.9", "10.244",
					   0, 443);

	for (int i = 0; i < 1000; i++)
		batch[i].connections = 20;
	for (int flush = 0; flush < 50; flush++)
		assert_int_equal(store_flush_edges(t->store, batch, 1000), 0);
	testdb_assert_query(t->store, "1000", "SELECT count(*) FROM edge");
	testdb_assert_query(t->store, "1000000",
			    "SELECT sum(connections) FROM flow_edges");
	free(batch);
}

/*
 * Without an inventory nothing is resolved: the raw rows are the only
 * record, and go at the retention of the rest, not at the raw one.
 */
static void test_prune_deletes_only_old_edges(void **state)
{
	struct testdb *t = *state;
	const int64_t day = 86400, now = 100 * day;
	struct store_edge e[3] = {
		edge(now - 10 * day, "10.244.0.1", "10.244.0.2", 1),
		edge(now - 8 * day, "10.244.0.1", "10.244.0.2", 2),
		edge(now - 6 * day, "10.244.0.1", "10.244.0.2", 3),
	};
	struct store_pruned p = { -1, -1 };

	/* Seen until recently although its bucket is old: must stay. */
	e[1].last_seen = now - 1 * day;
	assert_int_equal(store_flush_edges(t->store, e, 3), 0);
	assert_int_equal(store_prune(t->store, now - 2 * day, now - 7 * day,
				     &p),
			 0);
	assert_int_equal(p.raw, 1);
	testdb_assert_query(t->store, "2,3",
			    "SELECT group_concat(server_port, ',') FROM "
			    "(SELECT server_port FROM edge ORDER BY "
			    "server_port)");
	assert_int_equal(store_prune(t->store, now - 2 * day, now - 7 * day,
				     &p),
			 0);
	assert_int_equal(p.raw, 0);
}

static off_t file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? st.st_size : -1;
}

/*
 * A checkpoint empties the WAL, and the WAL persists (empty) after the
 * writer closes, so that readers without write access to the directory
 * can open the database.
 */
static void test_checkpoint_truncates_and_wal_persists(void **state)
{
	struct testdb *t = *state;
	struct store *r = NULL;
	struct store_edge e[200];
	char wal[160];

	snprintf(wal, sizeof(wal), "%s-wal", t->path);
	for (int i = 0; i < 200; i++)
		e[i] = edge(60 * i, "10.244.0.1", "10.244.0.2", (uint16_t)(i + 1));
	assert_int_equal(store_flush_edges(t->store, e, 200), 0);
	assert_true(file_size(wal) > 0);
	assert_true(store_disk_bytes(t->store) >=
		    file_size(t->path) + file_size(wal));
	/* A reader in the middle of a transaction keeps it from completing. */
	assert_int_equal(store_open(t->path, STORE_READONLY, &r), 0);
	testdb_exec(store_db(r), "BEGIN; SELECT count(*) FROM edge;");
	assert_int_equal(store_flush_edges(t->store, e, 1), 0);
	assert_int_equal(store_checkpoint(t->store), 1);
	testdb_exec(store_db(r), "COMMIT");
	store_close(r);
	assert_int_equal(store_checkpoint(t->store), 0);
	assert_int_equal(file_size(wal), 0);
	testdb_assert_query(t->store, "67108864", "PRAGMA journal_size_limit");
	store_close(t->store);
	t->store = NULL;
	assert_int_equal(file_size(wal), 0); /* kept, not deleted */
	assert_int_equal(store_open(t->path, STORE_READONLY, &t->store), 0);
	testdb_assert_query(t->store, "200", "SELECT count(*) FROM edge");
}

static void test_meta_roundtrip(void **state)
{
	struct testdb *t = *state;
	char *v = (char *)"sentinel";

	assert_int_equal(store_meta_get(t->store, "pod_cidrs", &v), 0);
	assert_null(v);
	assert_int_equal(store_meta_set(t->store, "pod_cidrs", "10.244.0.0/16"),
			 0);
	assert_int_equal(store_meta_set(t->store, "pod_cidrs",
					"10.244.0.0/16 fd00::/48"),
			 0);
	assert_int_equal(store_meta_get(t->store, "pod_cidrs", &v), 0);
	assert_string_equal(v, "10.244.0.0/16 fd00::/48");
	free(v);
}

static void test_path_precedence(void **state)
{
	(void)state;
	unsetenv(STORE_ENV_PATH);
	assert_string_equal(store_path(NULL), STORE_DEFAULT_PATH);
	setenv(STORE_ENV_PATH, "", 1);
	assert_string_equal(store_path(NULL), STORE_DEFAULT_PATH);
	setenv(STORE_ENV_PATH, "/tmp/env.db", 1);
	assert_string_equal(store_path(NULL), "/tmp/env.db");
	assert_string_equal(store_path("/tmp/cli.db"), "/tmp/cli.db");
	unsetenv(STORE_ENV_PATH);
}

/* Opening must fail with a message naming the file, leaving it unchanged. */
static void assert_refused_untouched(const char *path, unsigned int flags,
				     const char *want)
{
	struct store *s = NULL;
	size_t before_len, after_len;
	char *before = slurp(path, &before_len), *after;

	assert_int_equal(store_open(path, flags, &s), -1);
	assert_null(s);
	testkit_assert_errmsg(path);
	testkit_assert_errmsg(want);
	assert_null(strchr(errmsg_get(), '\n'));
	after = slurp(path, &after_len);
	assert_int_equal(before_len, after_len);
	assert_memory_equal(before, after, before_len);
	free(before);
	free(after);
}

static void test_refuses_file_that_is_not_sqlite(void **state)
{
	struct testdb *t = *state;
	static const char text[] = "apiVersion: v1\nkind: List\nitems: []\n"
				   "padding to exceed one hundred bytes so "
				   "sqlite reads a whole header from it..\n";

	write_file(t->path, text, sizeof(text) - 1);
	assert_refused_untouched(t->path, 0, "not an SQLite database");
	assert_refused_untouched(t->path, STORE_READONLY,
				 "not an SQLite database");
}

static void test_refuses_newer_schema(void **state)
{
	struct testdb *t = *state;

	testdb_exec(store_db(t->store), "PRAGMA user_version=%d",
		    store_schema_latest() + 1);
	/* Leave the database whole in the main file before comparing. */
	testdb_exec(store_db(t->store), "PRAGMA wal_checkpoint(TRUNCATE)");
	store_close(t->store);
	t->store = NULL;
	assert_refused_untouched(t->path, 0, "newer than this podflow");
	assert_refused_untouched(t->path, STORE_READONLY,
				 "newer than this podflow");
}

static void test_refuses_other_applications_database(void **state)
{
	struct testdb *t = *state;

	sqlite_write(t->path, 0,
		     "CREATE TABLE t (x); INSERT INTO t VALUES (1)");
	assert_refused_untouched(t->path, 0, "not a podflow database");
	sqlite_write(t->path, 0, "PRAGMA application_id=42");
	assert_refused_untouched(t->path, 0, "application_id");
}

static void test_refuses_unopenable_paths(void **state)
{
	struct testdb *t = *state;
	struct store *s = NULL;
	char path[160];

	snprintf(path, sizeof(path), "%s/missing/podflow.db", t->dir);
	assert_int_equal(store_open(path, 0, &s), -1);
	testkit_assert_errmsg(path);
	testkit_assert_errmsg("No such file or directory");

	assert_int_equal(store_open(t->dir, 0, &s), -1);
	testkit_assert_errmsg("not a regular file");

	/* Reading never creates a database. */
	assert_int_equal(store_open(t->path, STORE_READONLY, &s), -1);
	testkit_assert_errmsg(t->path);
	assert_int_equal(access(t->path, F_OK), -1);
}

/*
 * A file the user may not write.  Root writes through any mode bits, so
 * as root the check runs in a child that has dropped to nobody.
 */
static void test_refuses_read_only_file_for_writing(void **state)
{
	struct testdb *t = *state;
	struct store *s = NULL;
	pid_t pid;
	int status, ok;

	store_close(t->store);
	t->store = NULL;
	assert_int_equal(chmod(t->path, 0444), 0);
	assert_int_equal(chmod(t->dir, 0755), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (geteuid() == 0 && setuid(65534) < 0)
			_exit(3);
		ok = store_open(t->path, 0, &s) == -1 &&
		     strstr(errmsg_get(), "cannot open for writing") != NULL &&
		     strstr(errmsg_get(), t->path) != NULL;
		_exit(ok ? 0 : 1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

/* A file cut short, as after a copy that ran out of space. */
static void test_truncated_database_fails_cleanly(void **state)
{
	struct testdb *t = *state;
	struct store_edge *batch = servers(2000, 0, "10.244.9.9", "10.244", 0,
					   443);

	assert_int_equal(store_flush_edges(t->store, batch, 2000), 0);
	testdb_exec(store_db(t->store), "PRAGMA wal_checkpoint(TRUNCATE)");
	store_close(t->store);
	t->store = NULL;
	free(batch);
	assert_int_equal(truncate(t->path, 8192), 0);

	/* Opening may succeed (the header is intact); reading must not. */
	if (store_open(t->path, STORE_READONLY, &t->store) == 0) {
		sqlite3_stmt *st;
		int rc;

		assert_int_equal(sqlite3_prepare_v2(store_db(t->store),
						    "SELECT count(*) FROM "
						    "edge",
						    -1, &st, NULL),
				 SQLITE_OK);
		rc = sqlite3_step(st);
		sqlite3_finalize(st);
		assert_int_equal(rc & 0xff, SQLITE_CORRUPT);
	} else {
		testkit_assert_errmsg(t->path);
	}
}

/*
 * A full disk mid-flush: the batch is not half written, what was stored
 * before survives, and the same batch goes in once there is room again.
 */
static void test_full_disk_loses_nothing(void **state)
{
	struct testdb *t = *state;
	struct store_edge first = edge(0, "10.244.0.1", "10.244.0.2", 80);
	struct store_edge *batch = servers(5000, 60, "10.244.9.9", "10.245",
					   0, 443);
	char *pages;

	assert_int_equal(store_flush_edges(t->store, &first, 1), 0);
	pages = testdb_query(t->store, "PRAGMA page_count");
	testdb_exec(store_db(t->store), "PRAGMA max_page_count=%d",
		    atoi(pages) + 2);
	free(pages);

	assert_int_equal(store_flush_edges(t->store, batch, 5000), -1);
	testkit_assert_errmsg("full");
	testkit_assert_errmsg(t->path);
	testdb_assert_query(t->store, "1", "SELECT count(*) FROM edge");

	testdb_exec(store_db(t->store), "PRAGMA max_page_count=1073741823");
	assert_int_equal(store_flush_edges(t->store, batch, 5000), 0);
	testdb_assert_query(t->store, "5001", "SELECT count(*) FROM edge");
	free(batch);
}

/*
 * An operator's sqlite3 reads while podflowd flushes.  Each flush adds one
 * connection to each of BATCH edges in one transaction, so every snapshot
 * a reader can see sums to a multiple of BATCH; anything else is a torn
 * write.  Readers must also never fail (WAL: they do not block the writer).
 */
#define BATCH 200
#define FLUSHES 300
#define READS 60

static void test_sqlite3_reader_during_flushes(void **state)
{
	struct testdb *t = *state;
	struct store_edge *batch = servers(BATCH, 0, "10.244.0.1", "10.244",
					   1, 80);
	char out[160], err[160], cmd[768];
	pid_t pid;
	int status;

	assert_int_equal(store_flush_edges(t->store, batch, BATCH), 0);

	snprintf(out, sizeof(out), "%s/reader.out", t->dir);
	snprintf(err, sizeof(err), "%s/reader.err", t->dir);
	snprintf(cmd, sizeof(cmd),
		 "for i in $(seq %d); do sqlite3 -readonly -cmd "
		 "'.timeout 5000' '%s' 'SELECT coalesce(sum(connections), 0) "
		 "FROM flow_edges' || echo FAILED; done >'%s' 2>'%s'",
		 READS, t->path, out, err);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < FLUSHES; i++)
		assert_int_equal(store_flush_edges(t->store, batch, BATCH), 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);

	size_t len;
	char *text = slurp(out, &len), *line, *save = NULL;
	int lines = 0;

	for (line = strtok_r(text, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		long sum = strtol(line, NULL, 10);

		if (strcmp(line, "FAILED") == 0 || sum < BATCH ||
		    sum % BATCH != 0)
			fail_msg("reader saw '%s'", line);
		lines++;
	}
	assert_int_equal(lines, READS);
	free(text);
	text = slurp(err, &len);
	if (len != 0)
		fail_msg("reader stderr: %s", text);
	free(text);
	unlink(out);
	unlink(err);
	testdb_assert_query(t->store, "60200",
			    "SELECT sum(connections) FROM flow_edges");
	free(batch);
}

/*
 * A flush that rolls back takes the addresses and routes it added with
 * it: the next flush writes them again rather than name ids that are no
 * longer there.
 */
static void test_rolled_back_flush_forgets_its_ids(void **state)
{
	struct testdb *t = *state;
	struct store_edge first = edge(600, "10.244.1.5", "10.244.2.7", 8080);
	struct store_edge batch[2] = {
		edge(600, "10.244.1.6", "10.244.2.8", 9090),
		edge(600, "10.244.1.6", "10.244.2.8", 9091),
	};
	sqlite3 *db;

	testdb_flush(t->store, &first);
	/* The second edge of the batch fails, after the first added ids. */
	assert_int_equal(sqlite3_open(t->path, &db), SQLITE_OK);
	testdb_exec(db, "CREATE TRIGGER fail BEFORE INSERT ON edge_raw "
			"WHEN (SELECT server_port FROM route "
			"WHERE id = NEW.route) = 9091 "
			"BEGIN SELECT RAISE(ABORT, 'refused'); END");
	assert_int_equal(store_flush_edges(t->store, batch, 2), -1);
	testdb_assert_query(t->store, "0",
			    "SELECT count(*) FROM addr WHERE ip = '10.244.1.6'");
	testdb_exec(db, "DROP TRIGGER fail");
	sqlite3_close(db);
	assert_int_equal(store_flush_edges(t->store, batch, 2), 0);
	/* The addresses the first flush wrote are still found. */
	testdb_flush(t->store, &first);
	testdb_assert_query(
		t->store,
		"10.244.1.5 10.244.2.7 8080 2; 10.244.1.6 10.244.2.8 9090 1; "
		"10.244.1.6 10.244.2.8 9091 1",
		"SELECT client_ip, server_ip, server_port, connections "
		"FROM flow_edges ORDER BY 1, 3");
	testdb_assert_query(t->store, "4", "SELECT count(*) FROM addr");
}

/*
 * Every flush that writes rows takes the next number of the change
 * sequence, logged with the lowest bucket it writes, and stamps the rows
 * it writes, those it adds to as well; rows it leaves keep theirs, a
 * flush that fails takes none, a flush of no rows none.  A shipper reads
 * the rows above the number it shipped by the primary key, from the
 * lowest bucket the later flushes wrote.
 */
static void test_flushes_stamp_their_rows(void **state)
{
	struct testdb *t = *state;
	struct store_edge a = edge(600, "10.244.1.5", "10.244.2.7", 8080);
	struct store_edge b = edge(600, "10.244.1.6", "10.244.2.8", 9090);
	struct store_edge c = edge(660, "10.244.1.6", "10.244.2.8", 9090);
	struct store_edge two[2] = { c, b };
	sqlite3 *db;

	testdb_assert_query(t->store, "0", "SELECT count(*) FROM change_log");
	two[0] = a;
	assert_int_equal(store_flush_edges(t->store, two, 2), 0);
	testdb_assert_query(t->store, "8080 1; 9090 1",
			    "SELECT r.server_port, e.changed FROM edge_raw AS e "
			    "JOIN route AS r ON r.id = e.route ORDER BY 1");
	/* A new bucket first, then b again: a keeps its number. */
	two[0] = c;
	two[1] = b;
	assert_int_equal(store_flush_edges(t->store, two, 2), 0);
	testdb_assert_query(t->store, "600 8080 1; 600 9090 2; 660 9090 2",
			    "SELECT e.bucket, r.server_port, e.changed "
			    "FROM edge_raw AS e JOIN route AS r "
			    "ON r.id = e.route ORDER BY 1, 2");
	testdb_assert_query(t->store, "1 600; 2 600",
			    "SELECT seq, min_bucket FROM change_log ORDER BY 1");
	/* Only the counted mark: no rows, no number. */
	assert_int_equal(store_flush_counted(t->store, NULL, 0, 12345), 0);
	testdb_assert_query(t->store, "2", "SELECT max(seq) FROM change_log");
	/* A flush that fails takes none, and stamps nothing. */
	assert_int_equal(sqlite3_open(t->path, &db), SQLITE_OK);
	testdb_exec(db, "CREATE TRIGGER fail BEFORE UPDATE ON edge_raw "
			"BEGIN SELECT RAISE(ABORT, 'refused'); END");
	assert_int_equal(store_flush_edges(t->store, &a, 1), -1);
	testdb_exec(db, "DROP TRIGGER fail");
	sqlite3_close(db);
	testdb_assert_query(t->store, "2", "SELECT max(seq) FROM change_log");
	testdb_assert_query(t->store, "1",
			    "SELECT changed FROM edge_raw AS e JOIN route AS r "
			    "ON r.id = e.route WHERE r.server_port = 8080");
	/* Retention keeps the log's last row: the sequence goes on. */
	assert_int_equal(store_prune(t->store, 0, 1000000, NULL), 0);
	testdb_assert_query(t->store, "2", "SELECT group_concat(seq) FROM change_log");
}

/* What store_read_changed() gave: a line per row, "changed client port conns". */
struct changed_rows {
	char text[512];
	size_t n;
};

static int collect_changed(const struct store_changed_row *row, void *ctx)
{
	struct changed_rows *c = ctx;
	char client[ADDR_STRLEN], service[ADDR_STRLEN];
	size_t used = strlen(c->text);

	addr_format(&row->edge.client, client);
	if (row->edge.service.family != 0)
		addr_format(&row->edge.service, service);
	else
		strcpy(service, "-");
	snprintf(c->text + used, sizeof(c->text) - used,
		 "%s%lld %s %u %lld %s:%u %lld", c->n++ ? "; " : "",
		 (long long)row->changed, client, row->edge.server_port,
		 (long long)row->edge.connections, service,
		 row->edge.service_port, (long long)row->edge.last_start);
	return 0;
}

static const char *changed_since(struct store *s, int64_t after, int64_t upto,
				 struct changed_rows *c)
{
	memset(c, 0, sizeof(*c));
	assert_int_equal(store_read_changed(s, after, upto, INT64_MIN, INT64_MAX,
					    collect_changed, c),
			 0);
	return c->text;
}

/*
 * The shipper's read: the rows changed above a number, with their
 * totals, a flush's rows together, in the order of the numbers; every
 * row from -1; from the first bucket when retention took the log rows it
 * needs.
 */
static void test_read_changed_rows(void **state)
{
	struct testdb *t = *state;
	struct store_edge a = edge(600, "10.244.1.5", "10.244.2.7", 8080);
	struct store_edge b = edge(600, "10.244.1.6", "10.244.2.8", 9090);
	struct store_edge c = edge(660, "10.244.1.7", "10.244.2.8", 9090);
	struct store_edge two[2] = { a, b };
	struct changed_rows got;
	int64_t latest = -1;

	assert_int_equal(store_change_latest(t->store, &latest), 0);
	assert_int_equal(latest, 0);
	addr_parse("10.96.0.20", &a.service);
	a.service_port = 80;
	two[0] = a;
	assert_int_equal(store_flush_edges(t->store, two, 2), 0);
	two[0] = b;
	two[1] = c;
	assert_int_equal(store_flush_edges(t->store, two, 2), 0);
	assert_int_equal(store_change_latest(t->store, &latest), 0);
	assert_int_equal(latest, 2);
	assert_string_equal(changed_since(t->store, -1, latest, &got),
			    "1 10.244.1.5 8080 1 10.96.0.20:80 601; "
			    "2 10.244.1.6 9090 2 -:0 601; "
			    "2 10.244.1.7 9090 1 -:0 661");
	assert_string_equal(changed_since(t->store, 1, latest, &got),
			    "2 10.244.1.6 9090 2 -:0 601; "
			    "2 10.244.1.7 9090 1 -:0 661");
	assert_string_equal(changed_since(t->store, 0, 1, &got),
			    "1 10.244.1.5 8080 1 10.96.0.20:80 601");
	assert_string_equal(changed_since(t->store, 2, 2, &got), "");
	/* Within buckets: those from the first to the last given. */
	memset(&got, 0, sizeof(got));
	assert_int_equal(store_read_changed(t->store, -1, latest, 630, 660,
					    collect_changed, &got),
			 0);
	assert_string_equal(got.text, "2 10.244.1.7 9090 1 -:0 661");
	/* The log row of flush 2 gone: every bucket is read. */
	testdb_exec(store_db(t->store), "DELETE FROM change_log WHERE seq = 2");
	assert_string_equal(changed_since(t->store, 1, 2, &got),
			    "2 10.244.1.6 9090 2 -:0 601; "
			    "2 10.244.1.7 9090 1 -:0 661");
}

/* The plan of changes_read.sql itself, over (after, upto], any bucket. */
static char *changes_plan(struct store *s, int64_t after, int64_t upto)
{
	static char plan[1024];
	char sql[4096];
	sqlite3_stmt *st = NULL;
	size_t used = 0;

	snprintf(sql, sizeof(sql), "EXPLAIN QUERY PLAN %s", sql_changes_read);
	assert_int_equal(sqlite3_prepare_v2(store_db(s), sql, -1, &st, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_bind_int64(st, 1, after), SQLITE_OK);
	assert_int_equal(sqlite3_bind_int64(st, 2, upto), SQLITE_OK);
	assert_int_equal(sqlite3_bind_int64(st, 3, INT64_MIN), SQLITE_OK);
	assert_int_equal(sqlite3_bind_int64(st, 4, INT64_MAX), SQLITE_OK);
	plan[0] = '\0';
	while (sqlite3_step(st) == SQLITE_ROW && used < sizeof(plan))
		used += (size_t)snprintf(plan + used, sizeof(plan) - used,
					 "%s; ", sqlite3_column_text(st, 3));
	sqlite3_finalize(st);
	return plan;
}

/*
 * A flush that writes an old bucket between two that write new ones: the
 * range finds its row (the lowest bucket of all its flushes), in the
 * order of the numbers, not of the buckets; with a log row missing in
 * the middle of the range, by every bucket; the plan walks the primary
 * key from that bucket.
 */
static void test_read_changed_finds_old_buckets(void **state)
{
	struct testdb *t = *state;
	struct store_edge x = edge(6060, "10.244.1.5", "10.244.2.7", 8080);
	struct store_edge y = edge(600, "10.244.1.6", "10.244.2.7", 8080);
	struct store_edge z = edge(6060, "10.244.1.7", "10.244.2.7", 8080);
	struct changed_rows got;

	testdb_flush(t->store, &x);
	testdb_flush(t->store, &y);
	testdb_flush(t->store, &z);
	assert_string_equal(changed_since(t->store, 0, 3, &got),
			    "1 10.244.1.5 8080 1 -:0 6061; "
			    "2 10.244.1.6 8080 1 -:0 601; "
			    "3 10.244.1.7 8080 1 -:0 6061");
	assert_non_null(strstr(changes_plan(t->store, 0, 3),
			       "SEARCH e USING PRIMARY KEY (bucket>? AND bucket<?)"));
	testdb_exec(store_db(t->store), "DELETE FROM change_log WHERE seq = 2");
	assert_string_equal(changed_since(t->store, 0, 3, &got),
			    "1 10.244.1.5 8080 1 -:0 6061; "
			    "2 10.244.1.6 8080 1 -:0 601; "
			    "3 10.244.1.7 8080 1 -:0 6061");
	/* A row written through the edge view is numbered too. */
	testdb_exec(store_db(t->store),
		    "INSERT INTO edge (bucket, client_ip, server_ip, "
		    "server_port, protocol, service_ip, service_port, "
		    "client_nat_ip, first_seen, last_seen, connections) "
		    "VALUES (120, '10.244.1.8', '10.244.2.7', 8080, 6, '', 0, "
		    "'', 121, 122, 5)");
	assert_string_equal(changed_since(t->store, 3, 4, &got),
			    "4 10.244.1.8 8080 5 -:0 -1");
}

/*
 * Retention takes the change log as a prefix, up to the first flush of
 * the raw rows kept, and never the last row.
 */
static void test_prune_takes_a_prefix_of_the_log(void **state)
{
	struct testdb *t = *state;
	struct store_edge e = edge(600, "10.244.1.5", "10.244.2.7", 8080);

	testdb_flush(t->store, &e);
	e = edge(9000, "10.244.1.5", "10.244.2.7", 8080);
	testdb_flush(t->store, &e);
	/* A clock that went back: a later flush with an earlier time. */
	e = edge(700, "10.244.1.5", "10.244.2.7", 8080);
	testdb_flush(t->store, &e);
	/* No inventory: raw rows go at the second bound, as the log. */
	assert_int_equal(store_prune(t->store, 0, 5000, NULL), 0);
	testdb_assert_query(t->store, "2,3",
			    "SELECT group_concat(seq) FROM change_log");
	assert_int_equal(store_prune(t->store, 0, 100000, NULL), 0);
	testdb_assert_query(t->store, "3",
			    "SELECT group_concat(seq) FROM change_log");
}

/*
 * Sums saturate at the largest integer: past it SQLite would store a
 * REAL, which the STRICT table refuses, and no flush would succeed again.
 */
static void test_sums_saturate(void **state)
{
	struct testdb *t = *state;
	struct store_edge e = edge(600, "10.244.1.5", "10.244.2.7", 8080);

	e.orig_bytes = 8000000000000000000LL;
	e.orig_packets = 1;
	e.reply_bytes = 0;
	e.reply_packets = 0;
	e.connections = INT64_MAX - 1;
	testdb_flush(t->store, &e);
	testdb_flush(t->store, &e);
	testdb_assert_query(t->store, "9223372036854775807 2 9223372036854775807",
			    "SELECT orig_bytes, orig_packets, connections "
			    "FROM edge_raw");
}

int main(void)
{
#define OPEN(fn)                                                               \
	cmocka_unit_test_setup_teardown(fn, testdb_setup, testdb_teardown)
#define CLOSED(fn)                                                             \
	cmocka_unit_test_setup_teardown(fn, testdb_setup_closed,               \
					testdb_teardown)
	const struct CMUnitTest tests[] = {
		CLOSED(test_open_creates_latest_schema_in_wal),
		CLOSED(test_migrates_from_every_older_version),
		OPEN(test_readers_walk_the_primary_key),
		CLOSED(test_readers_run_on_version_3),
		CLOSED(test_migration_makes_the_views_anew),
		OPEN(test_protocol_names_are_proto_c_s),
		OPEN(test_resolve_some_hours_at_a_time),
		OPEN(test_upsert_aggregates_within_bucket),
		OPEN(test_rolled_back_flush_forgets_its_ids),
		OPEN(test_flushes_stamp_their_rows),
		OPEN(test_read_changed_rows),
		OPEN(test_read_changed_finds_old_buckets),
		OPEN(test_prune_takes_a_prefix_of_the_log),
		OPEN(test_sums_saturate),
		OPEN(test_buckets_separate_and_view_sums),
		OPEN(test_service_and_nat_columns),
		OPEN(test_protocol_names_and_expressible),
		OPEN(test_million_connections_thousand_rows),
		OPEN(test_prune_deletes_only_old_edges),
		OPEN(test_checkpoint_truncates_and_wal_persists),
		OPEN(test_meta_roundtrip),
		CLOSED(test_path_precedence),
		CLOSED(test_refuses_file_that_is_not_sqlite),
		OPEN(test_refuses_newer_schema),
		CLOSED(test_refuses_other_applications_database),
		CLOSED(test_refuses_unopenable_paths),
		OPEN(test_refuses_read_only_file_for_writing),
		OPEN(test_truncated_database_fails_cleanly),
		OPEN(test_full_disk_loses_nothing),
		OPEN(test_sqlite3_reader_during_flushes),
	};
#undef OPEN
#undef CLOSED
	return cmocka_run_group_tests_name("store", tests, NULL, NULL);
}
