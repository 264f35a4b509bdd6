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

#include "podflow/errmsg.h"
#include "podflow/store.h"
#include "sql.h"

struct fixture {
	char dir[64];
	char path[128];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return -1;
	strcpy(f->dir, "/tmp/podflow-test-store.XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/podflow.db", f->dir);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

static struct addr ip(const char *text)
{
	struct addr a = { 0 };

	assert_int_equal(addr_parse(text, &a), 0);
	return a;
}

static struct store_edge edge(int64_t bucket, const char *client,
			      const char *server, uint16_t port)
{
	struct store_edge e = {
		.bucket = bucket,
		.client = ip(client),
		.server = ip(server),
		.server_port = port,
		.protocol = IPPROTO_TCP,
		.first_seen = bucket + 1,
		.last_seen = bucket + 2,
		.last_start = bucket + 1,
		.connections = 1,
		.orig_bytes = STORE_UNKNOWN,
		.orig_packets = STORE_UNKNOWN,
		.reply_bytes = STORE_UNKNOWN,
		.reply_packets = STORE_UNKNOWN,
	};
	return e;
}

/* Runs a one-value query and returns it as an owned string ("NULL" for NULL). */
static char *query(struct store *s, const char *sql)
{
	sqlite3_stmt *st;
	char *out;

	assert_int_equal(sqlite3_prepare_v2(store_db(s), sql, -1, &st, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	out = strdup(sqlite3_column_type(st, 0) == SQLITE_NULL
			     ? "NULL"
			     : (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return out;
}

static void assert_query(struct store *s, const char *sql, const char *want)
{
	char *got = query(s, sql);

	assert_string_equal(got, want);
	free(got);
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

static void test_open_creates_latest_schema_in_wal(void **state)
{
	struct fixture *f = *state;
	struct store *s = NULL;
	char want[16];

	assert_int_equal(store_open(f->path, 0, &s), 0);
	assert_int_equal(store_schema_version(s), store_schema_latest());
	snprintf(want, sizeof(want), "%d", store_schema_latest());
	assert_query(s, "PRAGMA user_version", want);
	assert_query(s, "PRAGMA journal_mode", "wal");
	assert_query(s, "PRAGMA synchronous", "1"); /* NORMAL */
	assert_query(s, "PRAGMA foreign_keys", "1");
	snprintf(want, sizeof(want), "%d", STORE_APPLICATION_ID);
	assert_query(s, "PRAGMA application_id", want);
	store_close(s);

	/* Opening again is a no-op migration and keeps the version. */
	assert_int_equal(store_open(f->path, 0, &s), 0);
	assert_int_equal(store_schema_version(s), store_schema_latest());
	store_close(s);
}

/*
 * Builds a database at every older schema version the way that release
 * of podflow left it, with an edge in it, and checks that opening it
 * migrates to the latest version and keeps the data.
 */
static void test_migrates_from_every_older_version(void **state)
{
	struct fixture *f = *state;

	for (int v = 0; v < store_schema_latest(); v++) {
		struct store *s = NULL;
		sqlite3 *db;
		char sql[128];

		unlink(f->path);
		assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
		for (int i = 0; i < v; i++)
			assert_int_equal(sqlite3_exec(db,
						      sql_migrations[i].text,
						      NULL, NULL, NULL),
					 SQLITE_OK);
		if (v > 0) {
			snprintf(sql, sizeof(sql),
				 "PRAGMA user_version=%d;"
				 "PRAGMA application_id=%d;",
				 v, STORE_APPLICATION_ID);
			assert_int_equal(sqlite3_exec(db, sql, NULL, NULL,
						      NULL),
					 SQLITE_OK);
			assert_int_equal(
				sqlite3_exec(db,
					     "INSERT INTO edge (bucket, "
					     "client_ip, server_ip, "
					     "server_port, protocol, "
					     "first_seen, last_seen, "
					     "connections) VALUES (60, "
					     "'10.0.0.1', '10.0.0.2', 80, 6, "
					     "61, 62, 3)",
					     NULL, NULL, NULL),
				SQLITE_OK);
		}
		sqlite3_close(db);

		assert_int_equal(store_open(f->path, 0, &s), 0);
		assert_int_equal(store_schema_version(s),
				 store_schema_latest());
		if (v > 0) {
			assert_query(s,
				     "SELECT connections FROM flow_edges "
				     "WHERE client_ip = '10.0.0.1'",
				     "3");
			/* Views a migration recreated read the old rows. */
			assert_query(s,
				     "SELECT connections FROM workload_edges "
				     "WHERE src_ip = '10.0.0.1'",
				     "3");
		}
		store_close(s);
	}
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

/*
 * A day of a big cluster is a million edges: the readers walk the
 * primary key by bucket (through edge_by_client, with a table lookup per
 * edge, workload_edges took 2.5 times as long), the holder counts read
 * pod_ip_by_ip alone, and the index on clients stays for the questions
 * about one address.
 */
static void test_readers_walk_the_primary_key(void **state)
{
	struct fixture *f = *state;
	struct store *s = NULL;
	const char *const readers[] = {
		sql_generate_flows,
		sql_flows_query,
		sql_workloads_query,
		"SELECT * FROM workload_edges",
	};

	assert_int_equal(store_open(f->path, 0, &s), 0);
	for (size_t i = 0; i < sizeof(readers) / sizeof(*readers); i++)
		assert_plan(s, readers[i], "SEARCH e USING PRIMARY KEY",
			    "edge_by_client");
	assert_plan(s, sql_flows_query, "COVERING INDEX pod_ip_by_ip", NULL);
	assert_plan(s,
		    "SELECT bucket, server_ip, server_port, protocol, "
		    "connections FROM flow_edge_buckets "
		    "WHERE client_ip = '10.244.1.5' ORDER BY bucket",
		    "USING INDEX edge_by_client (client_ip=?)", NULL);
	/* Nothing looks edges up by server: podflowd need not index them. */
	assert_query(s,
		     "SELECT count(*) FROM sqlite_master "
		     "WHERE name = 'edge_by_server'",
		     "0");
	store_close(s);
}

/*
 * Readers open the database read-only and cannot migrate it: until
 * podflowd is upgraded they find schema version 3, and must run on it.
 */
static void test_readers_run_on_version_3(void **state)
{
	struct fixture *f = *state;
	const char *const readers[] = {
		sql_generate_flows,
		sql_flows_query,
		sql_workloads_query,
	};
	struct store *s = NULL;
	sqlite3 *db;
	char sql[128];

	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	for (int i = 0; i < 3; i++)
		assert_int_equal(sqlite3_exec(db, sql_migrations[i].text, NULL,
					      NULL, NULL),
				 SQLITE_OK);
	snprintf(sql, sizeof(sql),
		 "PRAGMA user_version=3; PRAGMA application_id=%d;",
		 STORE_APPLICATION_ID);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	/* Two rows, of which one in the window counted below. */
	assert_int_equal(sqlite3_exec(db,
				      "INSERT INTO edge (bucket, client_ip, "
				      "server_ip, server_port, protocol, "
				      "first_seen, last_seen, connections) "
				      "VALUES (60, 'a', 'b', 1, 6, 61, 62, 1), "
				      "(600, 'a', 'b', 1, 6, 601, 602, 1)",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	sqlite3_close(db);

	assert_int_equal(store_open(f->path, STORE_READONLY, &s), 0);
	assert_int_equal(store_schema_version(s), 3);
	/* No start times on this version: every row of the window lacks them. */
	{
		int64_t n = -1;

		assert_int_equal(store_count_unstarted(s, 0, 120, &n), 0);
		assert_int_equal(n, 1);
	}
	for (size_t i = 0; i < sizeof(readers) / sizeof(*readers); i++) {
		sqlite3_stmt *st;

		assert_int_equal(sqlite3_prepare_v2(store_db(s), readers[i],
						    -1, &st, NULL),
				 SQLITE_OK);
		while (sqlite3_step(st) == SQLITE_ROW)
			;
		assert_int_equal(sqlite3_reset(st), SQLITE_OK);
		sqlite3_finalize(st);
	}
	store_close(s);
}

static void test_upsert_aggregates_within_bucket(void **state)
{
	struct fixture *f = *state;
	struct store *s = NULL;
	struct store_edge a = edge(600, "10.244.1.5", "10.244.2.7", 8080);
	struct store_edge b = a;

	assert_int_equal(store_open(f->path, 0, &s), 0);
	a.first_seen = 610;
	a.last_start = 612;
	a.last_seen = 620;
	a.connections = 3;
	b.first_seen = 605;
	b.last_start = 608;
	b.last_seen = 615;
	b.connections = 4;
	assert_int_equal(store_flush_edges(s, &a, 1), 0);
	assert_int_equal(store_flush_edges(s, &b, 1), 0);
	assert_query(s, "SELECT count(*) FROM edge", "1");
	assert_query(s, "SELECT connections || ' ' || first_seen || ' ' || "
			"last_start || ' ' || last_seen FROM edge",
		     "7 605 612 620");
	/* No accounting yet: the counts stay unknown, not zero. */
	assert_query(s, "SELECT orig_bytes FROM edge", "NULL");

	/* Accounting arrives (DESTROY): unknown + n = n, then sums. */
	b.connections = 0;
	b.orig_bytes = 100;
	b.orig_packets = 2;
	b.reply_bytes = 1000;
	b.reply_packets = 3;
	assert_int_equal(store_flush_edges(s, &b, 1), 0);
	assert_int_equal(store_flush_edges(s, &b, 1), 0);
	assert_query(s, "SELECT bytes || ' ' || packets FROM flow_edges",
		     "2200 10");
	assert_query(s, "SELECT connections FROM flow_edges", "7");
	store_close(s);
}

static void test_buckets_separate_and_view_sums(void **state)
{
	struct fixture *f = *state;
	struct store *s = NULL;
	struct store_edge e[3] = {
		edge(0, "10.244.1.5", "10.244.2.7", 8080),
		edge(60, "10.244.1.5", "10.244.2.7", 8080),
		edge(60, "10.244.1.5", "10.244.2.7", 9090),
	};

	assert_int_equal(store_open(f->path, 0, &s), 0);
	e[0].first_seen = 5;
	e[1].last_seen = 119;
	assert_int_equal(store_flush_edges(s, e, 3), 0);
	assert_query(s, "SELECT count(*) FROM edge", "3");
	assert_query(s, "SELECT count(*) FROM flow_edges", "2");
	assert_query(s,
		     "SELECT client_ip || ' ' || server_ip || ' ' || "
		     "server_port || ' ' || protocol || ' ' || connections "
		     "|| ' ' || first_seen || ' ' || last_seen FROM "
		     "flow_edges WHERE server_port = 8080",
		     "10.244.1.5 10.244.2.7 8080 TCP 2 "
		     "1970-01-01T00:00:05Z 1970-01-01T00:01:59Z");
	assert_query(s,
		     "SELECT group_concat(bucket, ',') FROM (SELECT bucket "
		     "FROM flow_edge_buckets WHERE server_port = 8080 "
		     "ORDER BY bucket)",
		     "1970-01-01T00:00:00Z,1970-01-01T00:01:00Z");
	assert_query(s,
		     "SELECT coalesce(service_ip, 'none') || ' ' || "
		     "coalesce(service_port, 'none') || ' ' || "
		     "coalesce(client_nat_ip, 'none') FROM flow_edges LIMIT 1",
		     "none none none");
	store_close(s);
}

static void test_service_and_nat_columns(void **state)
{
	struct fixture *f = *state;
	struct store *s = NULL;
	struct store_edge e[2] = {
		edge(0, "fd00:10:244:1::5", "fd00:10:244:2::7", 8080),
		edge(0, "fd00:10:244:1::5", "fd00:10:244:2::7", 8080),
	};

	assert_int_equal(store_open(f->path, 0, &s), 0);
	/* Direct and through a Service are two edges, not one. */
	e[1].service = ip("fd00:10:96::15");
	e[1].service_port = 80;
	e[1].client_nat = ip("fd00:1::1");
	e[0].protocol = IPPROTO_UDP;
	e[1].protocol = IPPROTO_UDP;
	assert_int_equal(store_flush_edges(s, e, 2), 0);
	assert_query(s, "SELECT count(*) FROM flow_edges", "2");
	assert_query(s,
		     "SELECT protocol || ' ' || service_ip || ' ' || "
		     "service_port || ' ' || client_nat_ip FROM flow_edges "
		     "WHERE service_ip IS NOT NULL",
		     "UDP fd00:10:96::15 80 fd00:1::1");
	store_close(s);
}

static void test_protocol_names_and_expressible(void **state)
{
	struct fixture *f = *state;
	struct store *s = NULL;
	static const struct {
		uint8_t proto;
		const char *name;
		const char *expressible;
	} cases[] = {
		{ IPPROTO_TCP, "TCP", "1" },	 { IPPROTO_UDP, "UDP", "1" },
		{ IPPROTO_SCTP, "SCTP", "1" },	 { IPPROTO_ICMP, "ICMP", "0" },
		{ IPPROTO_ICMPV6, "ICMP", "0" },
	};
	char sql[160];

	assert_int_equal(store_open(f->path, 0, &s), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct store_edge e = edge(0, "10.244.0.1", "10.244.0.2",
					   (uint16_t)(1000 + i));
		e.protocol = cases[i].proto;
		assert_int_equal(store_flush_edges(s, &e, 1), 0);
		snprintf(sql, sizeof(sql),
			 "SELECT protocol || ' ' || expressible FROM "
			 "flow_edges WHERE server_port = %zu",
			 1000 + i);
		char want[16];
		snprintf(want, sizeof(want), "%s %s", cases[i].name,
			 cases[i].expressible);
		assert_query(s, sql, want);
	}
	store_close(s);
}

/* A million connections over a thousand edges in one bucket: ~1000 rows. */
static void test_million_connections_thousand_rows(void **state)
{
	struct fixture *f = *state;
	struct store *s = NULL;
	struct store_edge *batch = calloc(1000, sizeof(*batch));
	char server[32];

	assert_non_null(batch);
	for (int i = 0; i < 1000; i++) {
		snprintf(server, sizeof(server), "10.244.%d.%d", i / 250,
			 i % 250 + 1);
		batch[i] = edge(3600, "10.244.9.9", server, 443);
		batch[i].connections = 20;
	}
	assert_int_equal(store_open(f->path, 0, &s), 0);
	for (int flush = 0; flush < 50; flush++)
		assert_int_equal(store_flush_edges(s, batch, 1000), 0);
	assert_query(s, "SELECT count(*) FROM edge", "1000");
	assert_query(s, "SELECT sum(connections) FROM flow_edges", "1000000");
	store_close(s);
	free(batch);
}

static void test_prune_deletes_only_old_edges(void **state)
{
	struct fixture *f = *state;
	struct store *s = NULL;
	const int64_t day = 86400, now = 100 * day;
	struct store_edge e[3] = {
		edge(now - 10 * day, "10.244.0.1", "10.244.0.2", 1),
		edge(now - 8 * day, "10.244.0.1", "10.244.0.2", 2),
		edge(now - 6 * day, "10.244.0.1", "10.244.0.2", 3),
	};
	int64_t deleted = -1;

	/* Seen until recently although its bucket is old: must stay. */
	e[1].last_seen = now - 1 * day;
	assert_int_equal(store_open(f->path, 0, &s), 0);
	assert_int_equal(store_flush_edges(s, e, 3), 0);
	assert_int_equal(store_prune_edges(s, now - 7 * day, &deleted), 0);
	assert_int_equal(deleted, 1);
	assert_query(s,
		     "SELECT group_concat(server_port, ',') FROM (SELECT "
		     "server_port FROM edge ORDER BY server_port)",
		     "2,3");
	assert_int_equal(store_prune_edges(s, now - 7 * day, &deleted), 0);
	assert_int_equal(deleted, 0);
	store_close(s);
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
	struct fixture *f = *state;
	struct store *s = NULL, *r = NULL;
	struct store_edge e[200];
	char wal[160];

	snprintf(wal, sizeof(wal), "%s-wal", f->path);
	for (int i = 0; i < 200; i++)
		e[i] = edge(60 * i, "10.244.0.1", "10.244.0.2", (uint16_t)(i + 1));
	assert_int_equal(store_open(f->path, 0, &s), 0);
	assert_int_equal(store_flush_edges(s, e, 200), 0);
	assert_true(file_size(wal) > 0);
	assert_true(store_disk_bytes(s) >= file_size(f->path) + file_size(wal));
	/* A reader in the middle of a transaction keeps it from completing. */
	assert_int_equal(store_open(f->path, STORE_READONLY, &r), 0);
	assert_int_equal(sqlite3_exec(store_db(r), "BEGIN; SELECT count(*) FROM edge;",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	assert_int_equal(store_flush_edges(s, e, 1), 0);
	assert_int_equal(store_checkpoint(s), 1);
	assert_int_equal(sqlite3_exec(store_db(r), "COMMIT", NULL, NULL, NULL),
			 SQLITE_OK);
	store_close(r);
	assert_int_equal(store_checkpoint(s), 0);
	assert_int_equal(file_size(wal), 0);
	assert_query(s, "PRAGMA journal_size_limit", "67108864");
	store_close(s);
	assert_int_equal(file_size(wal), 0); /* kept, not deleted */
	assert_int_equal(store_open(f->path, STORE_READONLY, &r), 0);
	assert_query(r, "SELECT count(*) FROM edge", "200");
	store_close(r);
}

static void test_meta_roundtrip(void **state)
{
	struct fixture *f = *state;
	struct store *s = NULL;
	char *v = (char *)"sentinel";

	assert_int_equal(store_open(f->path, 0, &s), 0);
	assert_int_equal(store_meta_get(s, "pod_cidrs", &v), 0);
	assert_null(v);
	assert_int_equal(store_meta_set(s, "pod_cidrs", "10.244.0.0/16"), 0);
	assert_int_equal(store_meta_set(s, "pod_cidrs", "10.244.0.0/16 fd00::/48"),
			 0);
	assert_int_equal(store_meta_get(s, "pod_cidrs", &v), 0);
	assert_string_equal(v, "10.244.0.0/16 fd00::/48");
	free(v);
	store_close(s);
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
	assert_non_null(strstr(errmsg_get(), path));
	if (strstr(errmsg_get(), want) == NULL)
		fail_msg("message '%s' lacks '%s'", errmsg_get(), want);
	assert_null(strchr(errmsg_get(), '\n'));
	after = slurp(path, &after_len);
	assert_int_equal(before_len, after_len);
	assert_memory_equal(before, after, before_len);
	free(before);
	free(after);
}

static void test_refuses_file_that_is_not_sqlite(void **state)
{
	struct fixture *f = *state;
	static const char text[] = "apiVersion: v1\nkind: List\nitems: []\n"
				   "padding to exceed one hundred bytes so "
				   "sqlite reads a whole header from it..\n";

	write_file(f->path, text, sizeof(text) - 1);
	assert_refused_untouched(f->path, 0, "not an SQLite database");
	assert_refused_untouched(f->path, STORE_READONLY,
				 "not an SQLite database");
}

static void test_refuses_newer_schema(void **state)
{
	struct fixture *f = *state;
	struct store *s = NULL;
	char sql[96];

	assert_int_equal(store_open(f->path, 0, &s), 0);
	snprintf(sql, sizeof(sql), "PRAGMA user_version=%d",
		 store_schema_latest() + 1);
	assert_int_equal(sqlite3_exec(store_db(s), sql, NULL, NULL, NULL),
			 SQLITE_OK);
	/* Leave the database whole in the main file before comparing. */
	assert_int_equal(sqlite3_exec(store_db(s),
				      "PRAGMA wal_checkpoint(TRUNCATE)", NULL,
				      NULL, NULL),
			 SQLITE_OK);
	store_close(s);
	assert_refused_untouched(f->path, 0, "newer than this podflow");
	assert_refused_untouched(f->path, STORE_READONLY,
				 "newer than this podflow");
}

static void test_refuses_other_applications_database(void **state)
{
	struct fixture *f = *state;
	sqlite3 *db;

	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "CREATE TABLE t (x); "
					  "INSERT INTO t VALUES (1)",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	sqlite3_close(db);
	assert_refused_untouched(f->path, 0, "not a podflow database");

	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA application_id=42", NULL,
				      NULL, NULL),
			 SQLITE_OK);
	sqlite3_close(db);
	assert_refused_untouched(f->path, 0, "application_id");
}

static void test_refuses_unopenable_paths(void **state)
{
	struct fixture *f = *state;
	struct store *s = NULL;
	char path[160];

	snprintf(path, sizeof(path), "%s/missing/podflow.db", f->dir);
	assert_int_equal(store_open(path, 0, &s), -1);
	assert_non_null(strstr(errmsg_get(), path));
	assert_non_null(strstr(errmsg_get(), "No such file or directory"));

	assert_int_equal(store_open(f->dir, 0, &s), -1);
	assert_non_null(strstr(errmsg_get(), "not a regular file"));

	/* Reading never creates a database. */
	assert_int_equal(store_open(f->path, STORE_READONLY, &s), -1);
	assert_non_null(strstr(errmsg_get(), f->path));
	assert_int_equal(access(f->path, F_OK), -1);
}

/*
 * A file the user may not write.  Root writes through any mode bits, so
 * as root the check runs in a child that has dropped to nobody.
 */
static void test_refuses_read_only_file_for_writing(void **state)
{
	struct fixture *f = *state;
	struct store *s = NULL;
	pid_t pid;
	int status, ok;

	assert_int_equal(store_open(f->path, 0, &s), 0);
	store_close(s);
	assert_int_equal(chmod(f->path, 0444), 0);
	assert_int_equal(chmod(f->dir, 0755), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (geteuid() == 0 && setuid(65534) < 0)
			_exit(3);
		s = NULL;
		ok = store_open(f->path, 0, &s) == -1 &&
		     strstr(errmsg_get(), "cannot open for writing") != NULL &&
		     strstr(errmsg_get(), f->path) != NULL;
		_exit(ok ? 0 : 1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

/* A file cut short, as after a copy that ran out of space. */
static void test_truncated_database_fails_cleanly(void **state)
{
	struct fixture *f = *state;
	struct store *s = NULL;
	struct store_edge *batch = calloc(2000, sizeof(*batch));
	char server[32];

	assert_non_null(batch);
	for (int i = 0; i < 2000; i++) {
		snprintf(server, sizeof(server), "10.244.%d.%d", i / 250,
			 i % 250 + 1);
		batch[i] = edge(0, "10.244.9.9", server, 443);
	}
	assert_int_equal(store_open(f->path, 0, &s), 0);
	assert_int_equal(store_flush_edges(s, batch, 2000), 0);
	assert_int_equal(sqlite3_exec(store_db(s),
				      "PRAGMA wal_checkpoint(TRUNCATE)", NULL,
				      NULL, NULL),
			 SQLITE_OK);
	store_close(s);
	free(batch);
	assert_int_equal(truncate(f->path, 8192), 0);

	/* Opening may succeed (the header is intact); reading must not. */
	if (store_open(f->path, STORE_READONLY, &s) == 0) {
		sqlite3_stmt *st;
		int rc;

		assert_int_equal(sqlite3_prepare_v2(store_db(s),
						    "SELECT count(*) FROM "
						    "edge",
						    -1, &st, NULL),
				 SQLITE_OK);
		rc = sqlite3_step(st);
		sqlite3_finalize(st);
		assert_int_equal(rc & 0xff, SQLITE_CORRUPT);
		store_close(s);
	} else {
		assert_non_null(strstr(errmsg_get(), f->path));
	}
}

/*
 * A full disk mid-flush: the batch is not half written, what was stored
 * before survives, and the same batch goes in once there is room again.
 */
static void test_full_disk_loses_nothing(void **state)
{
	struct fixture *f = *state;
	struct store *s = NULL;
	struct store_edge first = edge(0, "10.244.0.1", "10.244.0.2", 80);
	struct store_edge *batch = calloc(5000, sizeof(*batch));
	char server[32], *pages;

	assert_non_null(batch);
	for (int i = 0; i < 5000; i++) {
		snprintf(server, sizeof(server), "10.245.%d.%d", i / 250,
			 i % 250 + 1);
		batch[i] = edge(60, "10.244.9.9", server, 443);
	}
	assert_int_equal(store_open(f->path, 0, &s), 0);
	assert_int_equal(store_flush_edges(s, &first, 1), 0);
	pages = query(s, "PRAGMA page_count");
	char limit[64];
	snprintf(limit, sizeof(limit), "PRAGMA max_page_count=%d",
		 atoi(pages) + 2);
	free(pages);
	assert_int_equal(sqlite3_exec(store_db(s), limit, NULL, NULL, NULL),
			 SQLITE_OK);

	assert_int_equal(store_flush_edges(s, batch, 5000), -1);
	assert_non_null(strstr(errmsg_get(), "full"));
	assert_non_null(strstr(errmsg_get(), f->path));
	assert_query(s, "SELECT count(*) FROM edge", "1");

	assert_int_equal(sqlite3_exec(store_db(s),
				      "PRAGMA max_page_count=1073741823", NULL,
				      NULL, NULL),
			 SQLITE_OK);
	assert_int_equal(store_flush_edges(s, batch, 5000), 0);
	assert_query(s, "SELECT count(*) FROM edge", "5001");
	store_close(s);
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
	struct fixture *f = *state;
	struct store *s = NULL;
	struct store_edge *batch = calloc(BATCH, sizeof(*batch));
	char out[160], err[160], server[32], cmd[768];
	pid_t pid;
	int status;

	assert_non_null(batch);
	for (int i = 0; i < BATCH; i++) {
		snprintf(server, sizeof(server), "10.244.1.%d", i + 1);
		batch[i] = edge(0, "10.244.0.1", server, 80);
	}
	assert_int_equal(store_open(f->path, 0, &s), 0);
	assert_int_equal(store_flush_edges(s, batch, BATCH), 0);

	snprintf(out, sizeof(out), "%s/reader.out", f->dir);
	snprintf(err, sizeof(err), "%s/reader.err", f->dir);
	snprintf(cmd, sizeof(cmd),
		 "for i in $(seq %d); do sqlite3 -readonly -cmd "
		 "'.timeout 5000' '%s' 'SELECT coalesce(sum(connections), 0) "
		 "FROM flow_edges' || echo FAILED; done >'%s' 2>'%s'",
		 READS, f->path, out, err);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < FLUSHES; i++)
		assert_int_equal(store_flush_edges(s, batch, BATCH), 0);
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
	assert_query(s, "SELECT sum(connections) FROM flow_edges", "60200");
	store_close(s);
	free(batch);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_open_creates_latest_schema_in_wal),
		T(test_migrates_from_every_older_version),
		T(test_readers_walk_the_primary_key),
		T(test_readers_run_on_version_3),
		T(test_upsert_aggregates_within_bucket),
		T(test_buckets_separate_and_view_sums),
		T(test_service_and_nat_columns),
		T(test_protocol_names_and_expressible),
		T(test_million_connections_thousand_rows),
		T(test_prune_deletes_only_old_edges),
		T(test_checkpoint_truncates_and_wal_persists),
		T(test_meta_roundtrip),
		T(test_path_precedence),
		T(test_refuses_file_that_is_not_sqlite),
		T(test_refuses_newer_schema),
		T(test_refuses_other_applications_database),
		T(test_refuses_unopenable_paths),
		T(test_refuses_read_only_file_for_writing),
		T(test_truncated_database_fails_cleanly),
		T(test_full_disk_loses_nothing),
		T(test_sqlite3_reader_during_flushes),
	};
#undef T
	return cmocka_run_group_tests_name("store", tests, NULL, NULL);
}
