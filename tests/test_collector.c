/*
 * Unit tests for collector: conntrack messages in, rows in a real SQLite
 * file out, with each connection counted exactly once.
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
#include <libmnl/libmnl.h>
#include <linux/netfilter/nfnetlink_conntrack.h>

#include "podflow/errmsg.h"
#include "collector/collector.h"
#include "support/ctmsg.h"

struct fixture {
	char path[64];
	struct store *store;
	struct collector *col;
};

static int setup_with(void **state, size_t max_edges, size_t max_conns)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct cidr pods[2];
	int fd;

	strcpy(f->path, "/tmp/podflow-test-collector.XXXXXX");
	fd = mkstemp(f->path);
	if (fd < 0)
		return -1;
	close(fd);
	cidr_parse("10.244.0.0/16", &pods[0]);
	cidr_parse("fd00:10:244::/48", &pods[1]);
	if (store_open(f->path, 0, &f->store) < 0)
		return -1;
	f->col = collector_new(f->store, pods, 2, 60, max_edges, max_conns);
	if (f->col == NULL)
		return -1;
	collector_set_now(f->col, 1000);
	*state = f;
	return 0;
}

static int setup(void **state)
{
	return setup_with(state, 0, 0);
}

static int setup_small(void **state)
{
	return setup_with(state, 4, 0);
}

/* Room for one live connection: the second overflows the table. */
static int setup_one_conn(void **state)
{
	return setup_with(state, 0, 1);
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char wal[80], shm[80];

	collector_free(f->col);
	store_close(f->store);
	snprintf(wal, sizeof(wal), "%s-wal", f->path);
	snprintf(shm, sizeof(shm), "%s-shm", f->path);
	unlink(f->path);
	unlink(wal);
	unlink(shm);
	free(f);
	return 0;
}

static char msgbuf[4096];

static void feed(struct fixture *f, int msgtype, enum ctsub_kind kind,
		 const struct ctspec *spec)
{
	struct nlmsghdr *nlh =
		ctmsg_build(msgbuf, msgtype, kind == CTSUB_DUMP, spec);

	assert_int_equal(collector_handle(nlh, kind, f->col), 0);
}

static void new_event(struct fixture *f, const struct ctspec *s)
{
	feed(f, IPCTNL_MSG_CT_NEW, CTSUB_NEW, s);
}

static void destroy_event(struct fixture *f, const struct ctspec *s)
{
	feed(f, IPCTNL_MSG_CT_DELETE, CTSUB_DESTROY, s);
}

static void dump_entry(struct fixture *f, const struct ctspec *s)
{
	feed(f, IPCTNL_MSG_CT_NEW, CTSUB_DUMP, s);
}

static void assert_query(struct fixture *f, const char *sql, const char *want)
{
	sqlite3_stmt *st;
	const char *got;

	assert_int_equal(sqlite3_prepare_v2(store_db(f->store), sql, -1, &st,
					    NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	got = sqlite3_column_type(st, 0) == SQLITE_NULL
		      ? "NULL"
		      : (const char *)sqlite3_column_text(st, 0);
	if (strcmp(got, want) != 0)
		fail_msg("%s: got '%s', want '%s'", sql, got, want);
	sqlite3_finalize(st);
}

/* Saves the counters to the store and checks one through the view. */
static void assert_stat(struct fixture *f, const char *name, const char *want)
{
	char sql[128];

	assert_int_equal(collector_save_stats(f->col), 0);
	snprintf(sql, sizeof(sql),
		 "SELECT value FROM collector_stats WHERE name = '%s'", name);
	assert_query(f, sql, want);
}

static struct ctspec tcp(uint16_t sport, uint32_t id)
{
	struct ctspec s = { .protocol = IPPROTO_TCP,
			    .orig_src = "10.244.1.5", .orig_sport = sport,
			    .orig_dst = "10.244.2.7", .orig_dport = 8080,
			    .id = id, CTSPEC_NO_ACCT };
	return s;
}

static void test_each_new_event_is_a_connection(void **state)
{
	struct fixture *f = *state;

	for (uint16_t i = 0; i < 3; i++) {
		struct ctspec s = tcp(40000 + i, 100 + i);
		new_event(f, &s);
	}
	assert_int_equal(collector_flush(f->col), 0);
	assert_query(f, "SELECT count(*) || ' ' || sum(connections) FROM "
			"flow_edges",
		     "1 3");
	assert_stat(f, "connections", "3");
}

static void test_dump_after_events_does_not_double_count(void **state)
{
	struct fixture *f = *state;
	struct ctspec a = tcp(40000, 1), b = tcp(40001, 2);

	new_event(f, &a);
	/* A dump (resync) reports a again, and b, opened unseen. */
	dump_entry(f, &a);
	dump_entry(f, &b);
	assert_int_equal(collector_flush(f->col), 0);
	assert_query(f, "SELECT sum(connections) FROM flow_edges", "2");
	assert_stat(f, "duplicates", "1");
}

static void test_destroy_adds_totals_to_the_first_bucket(void **state)
{
	struct fixture *f = *state;
	struct ctspec s = tcp(40000, 1);

	new_event(f, &s); /* bucket 960 */
	assert_int_equal(collector_flush(f->col), 0);
	collector_set_now(f->col, 1250);
	s.orig_bytes = 300;
	s.orig_packets = 5;
	s.reply_bytes = 7000;
	s.reply_packets = 6;
	destroy_event(f, &s);
	assert_int_equal(collector_flush(f->col), 0);
	assert_query(f, "SELECT count(*) FROM edge", "1");
	assert_query(f,
		     "SELECT bucket || ' ' || connections || ' ' || "
		     "first_seen || ' ' || last_seen || ' ' || orig_bytes || "
		     "' ' || reply_packets FROM edge",
		     "960 1 1000 1250 300 6");
	assert_query(f, "SELECT bytes || ' ' || packets FROM flow_edges",
		     "7300 11");
}

static void test_destroy_of_unseen_connection_counts_it(void **state)
{
	struct fixture *f = *state;
	struct ctspec s = tcp(40000, 1);

	s.orig_bytes = 10;
	s.orig_packets = 1;
	s.reply_bytes = 20;
	s.reply_packets = 1;
	destroy_event(f, &s);
	assert_int_equal(collector_flush(f->col), 0);
	assert_query(f, "SELECT connections || ' ' || bytes FROM flow_edges",
		     "1 30");
}

static void test_destroy_without_accounting_keeps_null(void **state)
{
	struct fixture *f = *state;
	struct ctspec s = tcp(40000, 1);

	new_event(f, &s);
	destroy_event(f, &s);
	assert_int_equal(collector_flush(f->col), 0);
	assert_query(f, "SELECT connections FROM flow_edges", "1");
	assert_query(f, "SELECT bytes FROM flow_edges", "NULL");
}

/*
 * Start times (sql/007 attributes a reused address by them): every row
 * of the edges to server, as "bucket first_seen last_start last_seen
 * connections", oldest bucket first.
 */
static void assert_edges(struct fixture *f, const char *server,
			 const char *want)
{
	char sql[320];

	snprintf(sql, sizeof(sql),
		 "SELECT group_concat(bucket || ' ' || first_seen || ' ' || "
		 "coalesce(last_start, 'NULL') || ' ' || last_seen || ' ' || "
		 "connections, '; ') FROM (SELECT * FROM edge "
		 "WHERE server_ip = '%s' ORDER BY bucket)",
		 server);
	assert_query(f, sql, want);
}

/* Nanoseconds since the epoch, as CTA_TIMESTAMP_START carries them. */
#define NSEC(s) ((uint64_t)(s) * 1000000000ULL)

/*
 * A DESTROY ends a connection: it moves last_seen of the bucket the
 * connection started in, whether it comes in that bucket or the next, and
 * neither start time: the store folds in an edge without last_start.
 */
static void test_destroy_moves_last_seen_not_the_start(void **state)
{
	struct fixture *f = *state;
	struct ctspec a = tcp(40000, 1), b = tcp(40001, 2);

	b.orig_dst = "10.244.2.8";
	new_event(f, &a); /* t0 = 1000, bucket 960 */
	new_event(f, &b);
	assert_int_equal(collector_flush(f->col), 0);
	collector_set_now(f->col, 1010);
	destroy_event(f, &a); /* same bucket */
	assert_int_equal(collector_flush(f->col), 0);
	collector_set_now(f->col, 1030);
	destroy_event(f, &b); /* the next bucket */
	assert_int_equal(collector_flush(f->col), 0);
	assert_edges(f, "10.244.2.7", "960 1000 1000 1010 1");
	assert_edges(f, "10.244.2.8", "960 1000 1000 1030 1");
}

/* The same DESTROY folded in memory with its NEW, before any flush. */
static void test_destroy_before_flush_keeps_the_start(void **state)
{
	struct fixture *f = *state;
	struct ctspec a = tcp(40000, 1);

	new_event(f, &a);
	collector_set_now(f->col, 1025);
	destroy_event(f, &a);
	assert_int_equal(collector_flush(f->col), 0);
	assert_edges(f, "10.244.2.7", "960 1000 1000 1025 1");
}

/*
 * Two connections of one edge in one bucket: the span of their starts
 * is first_seen..last_start, and the first one's end (after the second
 * started) moves neither.
 */
static void test_new_events_span_first_to_last_start(void **state)
{
	struct fixture *f = *state;
	struct ctspec a = tcp(40000, 1), b = tcp(40001, 2);

	new_event(f, &a);
	collector_set_now(f->col, 1015);
	new_event(f, &b);
	assert_int_equal(collector_flush(f->col), 0);
	assert_edges(f, "10.244.2.7", "960 1000 1015 1015 2");
	collector_set_now(f->col, 1018);
	destroy_event(f, &a);
	assert_int_equal(collector_flush(f->col), 0);
	assert_edges(f, "10.244.2.7", "960 1000 1015 1018 2");
}

/*
 * A dump entry podflowd did not know started before it was seen: with
 * the kernel's timestamp it counts at its start (930.5 s is second 930,
 * as Kubernetes' timestamps truncate), in the bucket of that start, and
 * its DESTROY later finds that bucket.
 */
static void test_dump_entry_counts_at_its_kernel_start(void **state)
{
	struct fixture *f = *state;
	struct ctspec s = tcp(40000, 1);

	s.start_ns = NSEC(930) + 500000000;
	dump_entry(f, &s); /* now 1000 */
	assert_int_equal(collector_flush(f->col), 0);
	assert_edges(f, "10.244.2.7", "900 930 930 1000 1");
	collector_set_now(f->col, 1030);
	s.stop_ns = NSEC(1030);
	destroy_event(f, &s);
	assert_int_equal(collector_flush(f->col), 0);
	assert_edges(f, "10.244.2.7", "900 930 930 1030 1");
}

/*
 * Without conntrack timestamps a dump entry started at some time before
 * podflowd saw it: it is counted then, and its start is not known (the
 * row keeps the bucket rule), while a NEW event is its start.
 */
static void test_dump_entry_without_timestamp_has_no_start(void **state)
{
	struct fixture *f = *state;
	struct ctspec s = tcp(40000, 1), n = tcp(40001, 2);

	dump_entry(f, &s);
	assert_int_equal(collector_flush(f->col), 0);
	assert_edges(f, "10.244.2.7", "960 1000 NULL 1000 1");
	n.orig_dst = "10.244.2.8";
	new_event(f, &n);
	assert_int_equal(collector_flush(f->col), 0);
	assert_edges(f, "10.244.2.8", "960 1000 1000 1000 1");
}

/*
 * One connection whose start is not known makes its edge's starts unknown,
 * whichever comes first, folded in memory: the rule the store applies.
 */
static void test_an_unknown_start_makes_the_edge_s_unknown(void **state)
{
	struct fixture *f = *state;
	struct ctspec a = tcp(40000, 1), b = tcp(40001, 2);
	struct ctspec c = tcp(40002, 3), d = tcp(40003, 4);

	new_event(f, &a);
	dump_entry(f, &b);
	c.orig_dst = d.orig_dst = "10.244.2.8";
	dump_entry(f, &c);
	new_event(f, &d);
	assert_int_equal(collector_flush(f->col), 0);
	assert_edges(f, "10.244.2.7", "960 1000 NULL 1000 2");
	assert_edges(f, "10.244.2.8", "960 1000 NULL 1000 2");
}

/* The clock is read for each message when podflowd gives one. */
static int64_t test_clock_now = 1000;

static int64_t test_clock(void)
{
	return test_clock_now++;
}

static void test_each_message_reads_the_clock(void **state)
{
	struct fixture *f = *state;
	struct ctspec a = tcp(40000, 1), b = tcp(40001, 2);

	collector_set_clock(f->col, test_clock);
	new_event(f, &a);
	new_event(f, &b);
	collector_set_clock(f->col, NULL);
	assert_int_equal(collector_flush(f->col), 0);
	assert_edges(f, "10.244.2.7", "960 1000 1001 1001 2");
}

/*
 * A start after now is a clock gone wrong, not a start: even one second
 * ahead, it is ignored, and the connection's start is not known.
 */
static void test_start_in_the_future_is_ignored(void **state)
{
	struct fixture *f = *state;
	struct ctspec d = tcp(40000, 1), x = tcp(40001, 2);

	d.start_ns = NSEC(1001);
	dump_entry(f, &d);
	x.orig_dst = "10.244.2.8";
	x.start_ns = NSEC(5000);
	x.stop_ns = NSEC(5001);
	destroy_event(f, &x);
	assert_int_equal(collector_flush(f->col), 0);
	assert_edges(f, "10.244.2.7", "960 1000 NULL 1000 1");
	assert_edges(f, "10.244.2.8", "960 1000 NULL 1000 1");
}

/* A DESTROY of a connection never seen counts it at the kernel's start. */
static void test_unseen_destroy_counts_at_its_kernel_start(void **state)
{
	struct fixture *f = *state;
	struct ctspec s = tcp(40000, 1);

	s.start_ns = NSEC(950);
	s.stop_ns = NSEC(999);
	destroy_event(f, &s);
	assert_int_equal(collector_flush(f->col), 0);
	assert_edges(f, "10.244.2.7", "900 950 950 1000 1");
}

/*
 * Whatever the order podflowd learns them in, first_seen is the earliest
 * start and last_start the latest: a connection found by a later dump
 * started before the one a NEW already reported.
 */
static void test_earlier_start_lowers_first_seen_only(void **state)
{
	struct fixture *f = *state;
	struct ctspec a = tcp(40000, 1), b = tcp(40001, 2);

	new_event(f, &a); /* 1000 */
	assert_int_equal(collector_flush(f->col), 0);
	collector_set_now(f->col, 1010);
	b.start_ns = NSEC(970);
	dump_entry(f, &b);
	assert_int_equal(collector_flush(f->col), 0);
	assert_edges(f, "10.244.2.7", "960 970 1000 1010 2");
}

/*
 * Once the live-connection table has overflowed, the DESTROY of an unknown
 * connection may be one already counted: it only extends the current
 * bucket, as an edge that counts nothing.  Its time is no start, so a
 * connection counted later on that edge replaces it as first_seen, in
 * memory and in the store alike.
 */
static void test_an_end_is_never_a_start(void **state)
{
	struct fixture *f = *state;
	struct ctspec a = tcp(1, 1), b = tcp(2, 2), c = tcp(3, 3), d = tcp(4, 4);

	a.orig_dst = b.orig_dst = "10.244.2.8";
	new_event(f, &a);
	new_event(f, &b); /* not tracked: the table is full */
	collector_set_now(f->col, 1010);
	destroy_event(f, &c);
	collector_set_now(f->col, 1015);
	new_event(f, &d);
	assert_int_equal(collector_flush(f->col), 0);
	assert_edges(f, "10.244.2.7", "960 1015 1015 1015 1");

	/* The same through the store: the end flushed before the start. */
	c.orig_dst = d.orig_dst = "10.244.2.9";
	collector_set_now(f->col, 1017);
	destroy_event(f, &c);
	assert_int_equal(collector_flush(f->col), 0);
	assert_edges(f, "10.244.2.9", "960 1017 NULL 1017 0");
	collector_set_now(f->col, 1019);
	new_event(f, &d);
	assert_int_equal(collector_flush(f->col), 0);
	assert_edges(f, "10.244.2.9", "960 1019 1019 1019 1");
}

static void test_two_zones_count_once(void **state)
{
	struct fixture *f = *state;
	struct ctspec z1 = tcp(40000, 1), z2 = tcp(40000, 2);

	z1.zone = 1;
	z2.zone = 2;
	new_event(f, &z1);
	new_event(f, &z2);
	assert_int_equal(collector_flush(f->col), 0);
	assert_query(f, "SELECT sum(connections) FROM flow_edges", "1");
}

/* Each zone reports the same packets: totals are added once. */
static void test_two_zones_add_bytes_once(void **state)
{
	struct fixture *f = *state;
	struct ctspec z1 = tcp(40000, 1), z2 = tcp(40000, 2);

	z1.zone = 1;
	z2.zone = 2;
	new_event(f, &z1);
	new_event(f, &z2);
	z1.orig_bytes = z2.orig_bytes = 100;
	z1.orig_packets = z2.orig_packets = 1;
	z1.reply_bytes = z2.reply_bytes = 50;
	z1.reply_packets = z2.reply_packets = 1;
	destroy_event(f, &z1);
	destroy_event(f, &z2);
	assert_int_equal(collector_flush(f->col), 0);
	assert_query(f, "SELECT connections || ' ' || bytes FROM flow_edges",
		     "1 150");
}

/*
 * A connection that ends while a resync dump runs: the dump does not show
 * it, and its DESTROY is handled after the dump.  It must still be known
 * then, or it would be counted twice.
 */
static void test_destroy_queued_during_dump_is_not_recounted(void **state)
{
	struct fixture *f = *state;
	struct ctspec a = tcp(40000, 1), b = tcp(40001, 2);

	new_event(f, &a);
	new_event(f, &b);
	collector_dump_begin(f->col);
	dump_entry(f, &b); /* a already ended: not in the dump */
	collector_dump_end(f->col, 1);
	destroy_event(f, &a); /* queued during the dump */
	collector_sweep(f->col);
	destroy_event(f, &b);
	assert_int_equal(collector_flush(f->col), 0);
	assert_query(f, "SELECT sum(connections) FROM flow_edges", "2");
	assert_stat(f, "resyncs", "1");
}

/* A dump after lost events: what it no longer shows is forgotten. */
static void test_sweep_forgets_connections_whose_end_was_lost(void **state)
{
	struct fixture *f = *state;
	struct ctspec gone = tcp(40000, 1), live = tcp(40001, 2);

	new_event(f, &gone);
	new_event(f, &live);
	collector_dump_begin(f->col);
	dump_entry(f, &live);
	collector_dump_end(f->col, 1);
	collector_sweep(f->col);
	assert_int_equal(collector_stats(f->col)->live_connections, 1);
	/* The tuple comes back as a new connection: counted. */
	gone.id = 3;
	new_event(f, &gone);
	assert_int_equal(collector_flush(f->col), 0);
	assert_query(f, "SELECT sum(connections) FROM flow_edges", "3");
}

static void test_host_traffic_is_out_of_scope(void **state)
{
	struct fixture *f = *state;
	struct ctspec s = tcp(40000, 1);

	s.orig_src = "192.168.0.10";
	s.orig_dst = "192.168.0.11";
	new_event(f, &s);
	s.orig_src = "127.0.0.1";
	s.orig_dst = "127.0.0.1";
	new_event(f, &s);
	assert_int_equal(collector_flush(f->col), 0);
	assert_query(f, "SELECT count(*) FROM edge", "0");
	assert_stat(f, "out_of_scope", "2");
}

static void test_sctp_icmp_and_dnat_rows(void **state)
{
	struct fixture *f = *state;
	struct ctspec sctp = { .protocol = IPPROTO_SCTP,
			       .orig_src = "10.244.1.5", .orig_sport = 36412,
			       .orig_dst = "10.96.0.20", .orig_dport = 38412,
			       .reply_src = "10.244.3.9", .reply_sport = 38413,
			       .id = 1, CTSPEC_NO_ACCT };
	struct ctspec icmp = { .protocol = IPPROTO_ICMPV6,
			       .orig_src = "fd00:10:244:1::5",
			       .orig_dst = "fd00:10:244:3::9", .id = 2,
			       CTSPEC_NO_ACCT };

	new_event(f, &sctp);
	new_event(f, &icmp);
	assert_int_equal(collector_flush(f->col), 0);
	assert_query(f,
		     "SELECT server_ip || ':' || server_port || ' via ' || "
		     "service_ip || ':' || service_port || ' ' || expressible "
		     "FROM flow_edges WHERE protocol = 'SCTP'",
		     "10.244.3.9:38413 via 10.96.0.20:38412 1");
	assert_query(f,
		     "SELECT server_ip || ' ' || server_port || ' ' || "
		     "expressible FROM flow_edges WHERE protocol = 'ICMP'",
		     "fd00:10:244:3::9 0 0");
}

static void test_full_table_flushes_early(void **state)
{
	struct fixture *f = *state; /* at most 4 edges in memory */
	char dst[32];

	for (int i = 0; i < 10; i++) {
		struct ctspec s = tcp(40000, (uint32_t)i);

		snprintf(dst, sizeof(dst), "10.244.9.%d", i + 1);
		s.orig_dst = dst;
		new_event(f, &s);
	}
	assert_true(collector_stats(f->col)->flushes >= 2);
	assert_true(collector_stats(f->col)->pending_edges <= 4);
	assert_int_equal(collector_flush(f->col), 0);
	assert_query(f, "SELECT count(*) FROM flow_edges", "10");
	assert_int_equal(collector_stats(f->col)->edges_dropped, 0);
}

static void test_failed_flush_keeps_edges_for_retry(void **state)
{
	struct fixture *f = *state;
	struct ctspec s = tcp(40000, 1);
	sqlite3 *other;

	new_event(f, &s);
	/* Another writer holds the database longer than the busy timeout. */
	assert_int_equal(sqlite3_open(f->path, &other), SQLITE_OK);
	assert_int_equal(sqlite3_exec(other, "BEGIN EXCLUSIVE", NULL, NULL,
				      NULL),
			 SQLITE_OK);
	sqlite3_busy_timeout(store_db(f->store), 10);
	assert_int_equal(collector_flush(f->col), -1);
	assert_non_null(strstr(errmsg_get(), f->path));
	assert_int_equal(collector_stats(f->col)->flush_errors, 1);
	assert_int_equal(collector_stats(f->col)->pending_edges, 1);
	sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close(other);
	assert_int_equal(collector_flush(f->col), 0);
	assert_query(f, "SELECT sum(connections) FROM flow_edges", "1");
}

/* The table that could not be made says why, through collector_new(). */
static void test_new_says_which_table_failed(void **state)
{
	struct fixture *f = *state;
	struct cidr pods[1];

	cidr_parse("10.244.0.0/16", &pods[0]);
	assert_null(collector_new(f->store, pods, 1, 60, UINT32_MAX, 0));
	assert_non_null(strstr(errmsg_get(), "edges"));
	assert_null(collector_new(f->store, pods, 1, 60, 0, UINT32_MAX));
	assert_non_null(strstr(errmsg_get(), "connections"));
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_each_new_event_is_a_connection),
		T(test_dump_after_events_does_not_double_count),
		T(test_destroy_adds_totals_to_the_first_bucket),
		T(test_destroy_of_unseen_connection_counts_it),
		T(test_destroy_without_accounting_keeps_null),
		T(test_destroy_moves_last_seen_not_the_start),
		T(test_destroy_before_flush_keeps_the_start),
		T(test_new_events_span_first_to_last_start),
		T(test_dump_entry_counts_at_its_kernel_start),
		T(test_dump_entry_without_timestamp_has_no_start),
		T(test_an_unknown_start_makes_the_edge_s_unknown),
		T(test_each_message_reads_the_clock),
		T(test_start_in_the_future_is_ignored),
		T(test_unseen_destroy_counts_at_its_kernel_start),
		T(test_earlier_start_lowers_first_seen_only),
		cmocka_unit_test_setup_teardown(test_an_end_is_never_a_start,
						setup_one_conn, teardown),
		T(test_two_zones_count_once),
		T(test_two_zones_add_bytes_once),
		T(test_destroy_queued_during_dump_is_not_recounted),
		T(test_sweep_forgets_connections_whose_end_was_lost),
		T(test_host_traffic_is_out_of_scope),
		T(test_sctp_icmp_and_dnat_rows),
		cmocka_unit_test_setup_teardown(test_full_table_flushes_early,
						setup_small, teardown),
		T(test_failed_flush_keeps_edges_for_retry),
		T(test_new_says_which_table_failed),
	};
#undef T
	return cmocka_run_group_tests_name("collector", tests, NULL, NULL);
}
