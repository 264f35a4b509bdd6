/*
 * Unit tests for collector: conntrack messages in, rows in a real SQLite
 * file out, with each connection counted exactly once.
 *
 * Most cases are scenarios, the same few steps with other data: messages
 * about a handful of connections at given seconds, flushes, and the rows
 * the store then holds (the table below, one cmocka test per scenario).
 * The cases that need more (accounting that changes between messages,
 * another clock, a full table, a locked database) are functions after it.
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
#include <libmnl/libmnl.h>
#include <linux/netfilter/nfnetlink_conntrack.h>

#include "podflow/errmsg.h"
#include "collector/collector.h"
#include "support/ctmsg.h"
#include "support/testdb.h"
#include "support/testkit.h"

struct fixture {
	struct testdb db;
	struct collector *col;
	const void *scenario; /* the case a scenario test runs, or NULL */
};

/*
 * A new database and a collector on it at second 1000 (bucket 960), for
 * pods in 10.244.0.0/16 and fd00:10:244::/48; 0 is the default size of
 * a table.  Keeps what *state held before (a scenario) in f->scenario.
 */
static int setup_with(void **state, size_t max_edges, size_t max_conns)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct cidr pods[2];

	if (f == NULL)
		return -1;
	f->scenario = *state;
	cidr_parse("10.244.0.0/16", &pods[0]);
	cidr_parse("fd00:10:244::/48", &pods[1]);
	if (testdb_make(&f->db, 1) < 0)
		return -1;
	f->col = collector_new(f->db.store, pods, 2, 60, max_edges, max_conns);
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

static int teardown(void **state)
{
	struct fixture *f = *state;
	int rc;

	collector_free(f->col);
	rc = testdb_remove(&f->db);
	free(f);
	return rc;
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

static void flush(struct fixture *f)
{
	if (collector_flush(f->col) != 0)
		fail_msg("collector_flush: %s", errmsg_get());
}

/* Saves the counters to the store and checks one through the view. */
static void assert_stat(struct fixture *f, const char *name, const char *want)
{
	assert_int_equal(collector_save_stats(f->col), 0);
	testdb_assert_query(f->db.store, want,
			    "SELECT value FROM collector_stats WHERE name = "
			    "'%s'",
			    name);
}

static struct ctspec tcp(uint16_t sport, uint32_t id)
{
	struct ctspec s = CTSPEC(TCP, "10.244.1.5", sport, "10.244.2.7", 8080,
				 .id = id);

	return s;
}

/* The servers the scenarios' connections go to: tcp()'s, and two more. */
#define DST "10.244.2.7"
#define DST2 "10.244.2.8"
#define DST3 "10.244.2.9"

/* Nanoseconds since the epoch, as CTA_TIMESTAMP_START carries them. */
#define NSEC(s) ((uint64_t)(s) * 1000000000ULL)

/*
 * Start times (sql/007 attributes a reused address by them): every row
 * of the edges to server, as "bucket first_seen last_start last_seen
 * connections", oldest bucket first.
 */
#define EDGES_SQL                                                              \
	"SELECT group_concat(bucket || ' ' || first_seen || ' ' || "           \
	"coalesce(last_start, 'NULL') || ' ' || last_seen || ' ' || "          \
	"connections, '; ') FROM (SELECT * FROM edge "                         \
	"WHERE server_ip = '%s' ORDER BY bucket)"

/* What a step of a scenario does. */
enum op {
	OP_END,	       /* no more steps */
	OP_NEW,	       /* a NEW event for conns[conn] */
	OP_DESTROY,    /* its DESTROY event, with stop_ns if not 0 */
	OP_DUMP,       /* it as an entry of a dump */
	OP_DUMP_BEGIN, /* a resync dump begins */
	OP_DUMP_END,   /* ...and ends, complete */
	OP_SWEEP,      /* what the last dump did not show is forgotten */
	OP_FLUSH,      /* collector_flush(), which must succeed */
	OP_MARKED,     /* collector_flush_counted(mark), which must too */
	OP_COUNTED,    /* collector_set_counted_before(mark) */
	OP_EDGES,      /* the rows of the edges to server arg are want */
	OP_QUERY,      /* the rows of the SQL arg are want */
	OP_STAT,       /* the counter named arg, once saved, is want */
};

/* One of a scenario's connections: tcp(sport, id), then these. */
struct conn {
	uint16_t sport;
	uint32_t id;
	const char *dst;   /* NULL: DST */
	uint64_t start_ns; /* CTA_TIMESTAMP_START; 0: none sent */
	uint16_t zone;
};

struct step {
	enum op op;
	int conn;	   /* NEW, DESTROY, DUMP: an index in conns */
	int64_t now;	   /* if not 0, collector_set_now() to it first */
	uint64_t stop_ns;  /* DESTROY: CTA_TIMESTAMP_STOP; 0: none sent */
	const char *arg;   /* EDGES: a server; QUERY: SQL; STAT: a name */
	int64_t mark;	   /* MARKED, COUNTED: Unix ns */
	const char *want;  /* EDGES, QUERY, STAT: the rows */
};

#define MAX_CONNS 6
/* podflowd's mark of what it counted. */
#define MARK_SQL "SELECT value FROM meta WHERE key = 'collector_counted_before'"
#define MAX_STEPS 20

struct scenario {
	const char *name;
	size_t max_conns; /* the live-connection table; 0: the default */
	struct conn conns[MAX_CONNS];
	struct step steps[MAX_STEPS];
};

/* Connections named by their index in a scenario's conns. */
enum { A, B, C, D, E, F };

/*
 * The steps as they read: NEW(B, .now = 1015) is a NEW event for B at
 * second 1015; DESTROY(A, .stop_ns = NSEC(999)) its DESTROY with the end
 * the kernel stamped.
 */
#define CONN(sport_, id_, ...) { .sport = sport_, .id = id_, __VA_ARGS__ }
#define NEW(c, ...) { .op = OP_NEW, .conn = c, __VA_ARGS__ }
#define DESTROY(c, ...) { .op = OP_DESTROY, .conn = c, __VA_ARGS__ }
#define DUMP(c, ...) { .op = OP_DUMP, .conn = c, __VA_ARGS__ }
#define DUMP_BEGIN { .op = OP_DUMP_BEGIN }
#define DUMP_END { .op = OP_DUMP_END }
#define SWEEP { .op = OP_SWEEP }
#define FLUSH { .op = OP_FLUSH }
#define MARKED(ns) { .op = OP_MARKED, .mark = ns }
#define COUNTED(ns) { .op = OP_COUNTED, .mark = ns }
#define EDGES(server, rows) { .op = OP_EDGES, .arg = server, .want = rows }
#define QUERY(sql, rows) { .op = OP_QUERY, .arg = sql, .want = rows }
#define STAT(name, value) { .op = OP_STAT, .arg = name, .want = value }

static const struct scenario scenarios[] = {
	{ "test_each_new_event_is_a_connection", 0,
	  { CONN(40000, 100), CONN(40001, 101), CONN(40002, 102) },
	  { NEW(A),
	    NEW(B),
	    NEW(C),
	    FLUSH,
	    QUERY("SELECT count(*) || ' ' || sum(connections) "
		  "FROM flow_edges",
		  "1 3"),
	    STAT("connections", "3") } },
	/* A dump (resync) reports a again, and b, opened unseen. */
	{ "test_dump_after_events_does_not_double_count", 0,
	  { CONN(40000, 1), CONN(40001, 2) },
	  { NEW(A),
	    DUMP(A),
	    DUMP(B),
	    FLUSH,
	    QUERY("SELECT sum(connections) FROM flow_edges", "2"),
	    STAT("duplicates", "1") } },
	{ "test_destroy_without_accounting_keeps_null", 0,
	  { CONN(40000, 1) },
	  { NEW(A),
	    DESTROY(A),
	    FLUSH,
	    QUERY("SELECT connections FROM flow_edges", "1"),
	    QUERY("SELECT bytes FROM flow_edges", "NULL") } },
	/*
	 * A DESTROY ends a connection: it moves last_seen of the bucket the
	 * connection started in, whether it comes in that bucket or the next,
	 * and neither start time: the store folds in an edge without
	 * last_start.
	 */
	{ "test_destroy_moves_last_seen_not_the_start", 0,
	  { CONN(40000, 1), CONN(40001, 2, .dst = DST2) },
	  { NEW(A), /* t0 = 1000, bucket 960 */
	    NEW(B),
	    FLUSH,
	    DESTROY(A, .now = 1010), /* same bucket */
	    FLUSH,
	    DESTROY(B, .now = 1030), /* the next bucket */
	    FLUSH,
	    EDGES(DST, "960 1000 1000 1010 1"),
	    EDGES(DST2, "960 1000 1000 1030 1") } },
	/* The same DESTROY folded in memory with its NEW, before any flush. */
	{ "test_destroy_before_flush_keeps_the_start", 0,
	  { CONN(40000, 1) },
	  { NEW(A),
	    DESTROY(A, .now = 1025),
	    FLUSH,
	    EDGES(DST, "960 1000 1000 1025 1") } },
	/*
	 * Two connections of one edge in one bucket: the span of their starts
	 * is first_seen..last_start, and the first one's end (after the second
	 * started) moves neither.
	 */
	{ "test_new_events_span_first_to_last_start", 0,
	  { CONN(40000, 1), CONN(40001, 2) },
	  { NEW(A),
	    NEW(B, .now = 1015),
	    FLUSH,
	    EDGES(DST, "960 1000 1015 1015 2"),
	    DESTROY(A, .now = 1018),
	    FLUSH,
	    EDGES(DST, "960 1000 1015 1018 2") } },
	/*
	 * A dump entry podflowd did not know started before it was seen: with
	 * the kernel's timestamp it counts at its start (930.5 s is second 930,
	 * as Kubernetes' timestamps truncate), in the bucket of that start, and
	 * its DESTROY later finds that bucket.
	 */
	{ "test_dump_entry_counts_at_its_kernel_start", 0,
	  { CONN(40000, 1, .start_ns = NSEC(930) + 500000000) },
	  { DUMP(A), /* now 1000 */
	    FLUSH,
	    EDGES(DST, "900 930 930 1000 1"),
	    DESTROY(A, .now = 1030, .stop_ns = NSEC(1030)),
	    FLUSH,
	    EDGES(DST, "900 930 930 1030 1") } },
	/*
	 * Without conntrack timestamps a dump entry started at some time before
	 * podflowd saw it: it is counted then, and its start is not known (the
	 * row keeps the bucket rule), while a NEW event is its start.
	 */
	{ "test_dump_entry_without_timestamp_has_no_start", 0,
	  { CONN(40000, 1), CONN(40001, 2, .dst = DST2) },
	  { DUMP(A),
	    FLUSH,
	    EDGES(DST, "960 1000 NULL 1000 1"),
	    NEW(B),
	    FLUSH,
	    EDGES(DST2, "960 1000 1000 1000 1") } },
	/*
	 * One connection whose start is not known makes its edge's starts
	 * unknown, whichever comes first, folded in memory: the rule the store
	 * applies.
	 */
	{ "test_an_unknown_start_makes_the_edge_s_unknown", 0,
	  { CONN(40000, 1), CONN(40001, 2), CONN(40002, 3, .dst = DST2),
	    CONN(40003, 4, .dst = DST2) },
	  { NEW(A),
	    DUMP(B),
	    DUMP(C),
	    NEW(D),
	    FLUSH,
	    EDGES(DST, "960 1000 NULL 1000 2"),
	    EDGES(DST2, "960 1000 NULL 1000 2") } },
	/*
	 * A start after now is a clock gone wrong, not a start: even one second
	 * ahead, it is ignored, and the connection's start is not known.
	 */
	{ "test_start_in_the_future_is_ignored", 0,
	  { CONN(40000, 1, .start_ns = NSEC(1001)),
	    CONN(40001, 2, .dst = DST2, .start_ns = NSEC(5000)) },
	  { DUMP(A),
	    DESTROY(B, .stop_ns = NSEC(5001)),
	    FLUSH,
	    EDGES(DST, "960 1000 NULL 1000 1"),
	    EDGES(DST2, "960 1000 NULL 1000 1") } },
	/*
	 * A DESTROY of a connection never seen counts it at the kernel's
	 * start.
	 */
	{ "test_unseen_destroy_counts_at_its_kernel_start", 0,
	  { CONN(40000, 1, .start_ns = NSEC(950)) },
	  { DESTROY(A, .stop_ns = NSEC(999)),
	    FLUSH,
	    EDGES(DST, "900 950 950 1000 1") } },
	/*
	 * Whatever the order podflowd learns them in, first_seen is the
	 * earliest start and last_start the latest: a connection found by a
	 * later dump started before the one a NEW already reported.
	 */
	{ "test_earlier_start_lowers_first_seen_only", 0,
	  { CONN(40000, 1), CONN(40001, 2, .start_ns = NSEC(970)) },
	  { NEW(A), /* 1000 */
	    FLUSH,
	    DUMP(B, .now = 1010),
	    FLUSH,
	    EDGES(DST, "960 970 1000 1010 2") } },
	/*
	 * With no room left (the table holds one), a NEW is not counted: the
	 * connection counts at its end, which finds it unknown, at the start
	 * the kernel stamped; or at the next dump that finds room for it.
	 * Either way once, in the bucket it started in.
	 */
	{ "test_full_table_counts_at_the_end", 1,
	  { CONN(1, 1), CONN(2, 2, .dst = DST2, .start_ns = NSEC(1005)) },
	  { NEW(A),
	    NEW(B, .now = 1005), /* no room */
	    STAT("untracked", "1"),
	    STAT("connections", "1"),
	    DESTROY(B, .now = 1030, .stop_ns = NSEC(1030)),
	    DESTROY(A, .now = 1031),
	    FLUSH,
	    EDGES(DST, "960 1000 1000 1031 1"),
	    EDGES(DST2, "960 1005 1005 1030 1"),
	    STAT("connections", "2") } },
	{ "test_full_table_counts_at_the_next_dump", 1,
	  { CONN(1, 1), CONN(2, 2, .dst = DST2, .start_ns = NSEC(1005)) },
	  { NEW(A),
	    NEW(B, .now = 1005), /* no room */
	    DESTROY(A, .now = 1010),
	    DUMP_BEGIN,
	    DUMP(B, .now = 1020),
	    DUMP_END,
	    SWEEP,
	    DESTROY(B, .now = 1030),
	    FLUSH,
	    EDGES(DST2, "960 1005 1005 1030 1"),
	    QUERY("SELECT sum(connections) FROM flow_edges", "2"),
	    STAT("connections", "2") } },
	/*
	 * A restart: the previous podflowd's mark says it counted the
	 * connections that started before 995 s.  The start-up dump's entries
	 * that did (by the kernel's timestamps) are tracked, so that their end
	 * adds to the bucket they were counted in, not counted again; those
	 * that started after, or whose start the kernel does not say, count.
	 * The dumps after are this podflowd's own.
	 */
	{ "test_start_up_dump_skips_what_was_counted_before", 0,
	  { CONN(1, 1, .start_ns = NSEC(930)),
	    CONN(2, 2, .dst = DST2, .start_ns = NSEC(994) + 999999999),
	    CONN(3, 3, .dst = DST3, .start_ns = NSEC(995)),
	    CONN(4, 4, .dst = DST3),
	    CONN(5, 5, .dst = DST2, .start_ns = NSEC(940)) },
	  { COUNTED(NSEC(995)),
	    DUMP_BEGIN,
	    DUMP(A),
	    DUMP(B),
	    DUMP(C),
	    DUMP(D),
	    DUMP_END,
	    STAT("connections", "2"),
	    STAT("counted_before", "2"),
	    DESTROY(A, .now = 1030, .stop_ns = NSEC(1030)),
	    FLUSH,
	    EDGES(DST, "900 1030 NULL 1030 0"),
	    /* One that ended before the dump showed it: its end, not more. */
	    DESTROY(E, .now = 1031, .stop_ns = NSEC(1031)),
	    FLUSH,
	    EDGES(DST2, "900 1031 NULL 1031 0"),
	    STAT("connections", "2"),
	    STAT("counted_before", "3") } },
	/*
	 * No room for what the previous podflowd counted: still not counted
	 * again, at its end or in a later dump.
	 */
	{ "test_no_room_for_what_was_counted_before", 1,
	  { CONN(1, 1, .start_ns = NSEC(930)),
	    CONN(2, 2, .dst = DST2, .start_ns = NSEC(940)) },
	  { COUNTED(NSEC(995)),
	    DUMP_BEGIN,
	    DUMP(A),
	    DUMP(B), /* no room */
	    DUMP_END,
	    DESTROY(A, .now = 1010, .stop_ns = NSEC(1010)),
	    DUMP_BEGIN,
	    DUMP(B),
	    DUMP_END,
	    DESTROY(B, .now = 1020, .stop_ns = NSEC(1020)),
	    FLUSH,
	    STAT("connections", "0"),
	    STAT("untracked", "0") } },
	/*
	 * The mark goes with the edges, or alone; a flush without one keeps
	 * the last, which stays true: the database only grows.
	 */
	{ "test_flush_marks_what_it_counted", 0,
	  { CONN(1, 1) },
	  { MARKED(5),
	    QUERY(MARK_SQL, "5"),
	    NEW(A),
	    FLUSH,
	    QUERY(MARK_SQL, "5"),
	    MARKED(7),
	    QUERY(MARK_SQL, "7"),
	    QUERY("SELECT sum(connections) FROM flow_edges", "1") } },
	{ "test_two_zones_count_once", 0,
	  { CONN(40000, 1, .zone = 1), CONN(40000, 2, .zone = 2) },
	  { NEW(A),
	    NEW(B),
	    FLUSH,
	    QUERY("SELECT sum(connections) FROM flow_edges", "1") } },
	/*
	 * A connection that ends while a resync dump runs: the dump does not
	 * show it, and its DESTROY is handled after the dump.  It must still be
	 * known then, or it would be counted twice.
	 */
	{ "test_destroy_queued_during_dump_is_not_recounted", 0,
	  { CONN(40000, 1), CONN(40001, 2) },
	  { NEW(A),
	    NEW(B),
	    DUMP_BEGIN,
	    DUMP(B), /* a already ended: not in the dump */
	    DUMP_END,
	    DESTROY(A), /* queued during the dump */
	    SWEEP,
	    DESTROY(B),
	    FLUSH,
	    QUERY("SELECT sum(connections) FROM flow_edges", "2"),
	    STAT("resyncs", "1") } },
};

static int setup_scenario(void **state)
{
	const struct scenario *sc = *state;

	return setup_with(state, 0, sc->max_conns);
}

/* The message for c, as conntrack would send it, with stop_ns if not 0. */
static struct ctspec spec_of(const struct conn *c, uint64_t stop_ns)
{
	struct ctspec s = tcp(c->sport, c->id);

	if (c->dst != NULL)
		s.orig_dst = c->dst;
	s.start_ns = c->start_ns;
	s.stop_ns = stop_ns;
	s.zone = c->zone;
	return s;
}

/* The rows of sql (printf'd with arg) must be want at step i. */
static void check_step(struct fixture *f, size_t i, const char *sql,
		       const char *arg, const char *want)
{
	char *got = testdb_query(f->db.store, sql, arg);

	if (strcmp(got, want) != 0)
		fail_msg("step %zu (%s): got '%s', want '%s'", i + 1, arg, got,
			 want);
	free(got);
}

static void run_scenario(void **state)
{
	struct fixture *f = *state;
	const struct scenario *sc = f->scenario;

	for (size_t i = 0; i < MAX_STEPS && sc->steps[i].op != OP_END; i++) {
		const struct step *st = &sc->steps[i];
		struct ctspec s = spec_of(&sc->conns[st->conn], st->stop_ns);

		if (st->now != 0)
			collector_set_now(f->col, st->now);
		switch (st->op) {
		case OP_NEW:
			new_event(f, &s);
			break;
		case OP_DESTROY:
			destroy_event(f, &s);
			break;
		case OP_DUMP:
			dump_entry(f, &s);
			break;
		case OP_DUMP_BEGIN:
			collector_dump_begin(f->col);
			break;
		case OP_DUMP_END:
			collector_dump_end(f->col, 1);
			break;
		case OP_SWEEP:
			collector_sweep(f->col);
			break;
		case OP_FLUSH:
			flush(f);
			break;
		case OP_MARKED:
			if (collector_flush_counted(f->col, st->mark) < 0)
				fail_msg("step %zu: %s", i + 1, errmsg_get());
			break;
		case OP_COUNTED:
			collector_set_counted_before(f->col, st->mark);
			break;
		case OP_EDGES:
			check_step(f, i, EDGES_SQL, st->arg, st->want);
			break;
		case OP_QUERY:
			check_step(f, i, "%s", st->arg, st->want);
			break;
		case OP_STAT:
			assert_int_equal(collector_save_stats(f->col), 0);
			check_step(f, i,
				   "SELECT value FROM collector_stats WHERE "
				   "name = '%s'",
				   st->arg, st->want);
			break;
		case OP_END:
			break;
		}
	}
}

/* The counters conntrack accounting puts in s: bytes, packets each way. */
static void account(struct ctspec *s, int64_t orig_bytes, int64_t orig_packets,
		    int64_t reply_bytes, int64_t reply_packets)
{
	s->orig_bytes = orig_bytes;
	s->orig_packets = orig_packets;
	s->reply_bytes = reply_bytes;
	s->reply_packets = reply_packets;
}

static void test_destroy_adds_totals_to_the_first_bucket(void **state)
{
	struct fixture *f = *state;
	struct ctspec s = tcp(40000, 1);

	new_event(f, &s); /* bucket 960 */
	flush(f);
	collector_set_now(f->col, 1250);
	account(&s, 300, 5, 7000, 6);
	destroy_event(f, &s);
	flush(f);
	testdb_assert_query(f->db.store, "1", "SELECT count(*) FROM edge");
	testdb_assert_query(f->db.store, "960 1 1000 1250 300 6",
			    "SELECT bucket || ' ' || connections || ' ' || "
			    "first_seen || ' ' || last_seen || ' ' || "
			    "orig_bytes || ' ' || reply_packets FROM edge");
	testdb_assert_query(f->db.store, "7300 11",
			    "SELECT bytes || ' ' || packets FROM flow_edges");
}

static void test_destroy_of_unseen_connection_counts_it(void **state)
{
	struct fixture *f = *state;
	struct ctspec s = tcp(40000, 1);

	account(&s, 10, 1, 20, 1);
	destroy_event(f, &s);
	flush(f);
	testdb_assert_query(f->db.store, "1 30",
			    "SELECT connections || ' ' || bytes FROM "
			    "flow_edges");
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
	flush(f);
	testdb_assert_query(f->db.store, "960 1000 1001 1001 2", EDGES_SQL,
			    DST);
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
	account(&z1, 100, 1, 50, 1);
	account(&z2, 100, 1, 50, 1);
	destroy_event(f, &z1);
	destroy_event(f, &z2);
	flush(f);
	testdb_assert_query(f->db.store, "1 150",
			    "SELECT connections || ' ' || bytes FROM "
			    "flow_edges");
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
	flush(f);
	testdb_assert_query(f->db.store, "3",
			    "SELECT sum(connections) FROM flow_edges");
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
	flush(f);
	testdb_assert_query(f->db.store, "0", "SELECT count(*) FROM edge");
	assert_stat(f, "out_of_scope", "2");
}

static void test_sctp_icmp_and_dnat_rows(void **state)
{
	struct fixture *f = *state;
	struct ctspec sctp = CTSPEC(SCTP, "10.244.1.5", 36412, "10.96.0.20",
				    38412, .reply_src = "10.244.3.9",
				    .reply_sport = 38413, .id = 1);
	struct ctspec icmp = CTSPEC(ICMPV6, "fd00:10:244:1::5", 0,
				    "fd00:10:244:3::9", 0, .id = 2);

	new_event(f, &sctp);
	new_event(f, &icmp);
	flush(f);
	testdb_assert_query(f->db.store,
			    "10.244.3.9:38413 via 10.96.0.20:38412 1",
			    "SELECT server_ip || ':' || server_port || ' via "
			    "' || service_ip || ':' || service_port || ' ' || "
			    "expressible FROM flow_edges WHERE protocol = "
			    "'SCTP'");
	testdb_assert_query(f->db.store, "fd00:10:244:3::9 0 0",
			    "SELECT server_ip || ' ' || server_port || ' ' || "
			    "expressible FROM flow_edges WHERE protocol = "
			    "'ICMP'");
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
	flush(f);
	testdb_assert_query(f->db.store, "10",
			    "SELECT count(*) FROM flow_edges");
	assert_int_equal(collector_stats(f->col)->edges_dropped, 0);
}

static void test_failed_flush_keeps_edges_for_retry(void **state)
{
	struct fixture *f = *state;
	struct ctspec s = tcp(40000, 1);
	sqlite3 *other;

	new_event(f, &s);
	/* Another writer holds the database longer than the busy timeout. */
	assert_int_equal(sqlite3_open(f->db.path, &other), SQLITE_OK);
	testdb_exec(other, "BEGIN EXCLUSIVE");
	sqlite3_busy_timeout(store_db(f->db.store), 10);
	assert_int_equal(collector_flush(f->col), -1);
	testkit_assert_errmsg(f->db.path);
	assert_int_equal(collector_stats(f->col)->flush_errors, 1);
	assert_int_equal(collector_stats(f->col)->pending_edges, 1);
	sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close(other);
	flush(f);
	testdb_assert_query(f->db.store, "1",
			    "SELECT sum(connections) FROM flow_edges");
}

/* The table that could not be made says why, through collector_new(). */
static void test_new_says_which_table_failed(void **state)
{
	struct fixture *f = *state;
	struct cidr pods[1];

	cidr_parse("10.244.0.0/16", &pods[0]);
	testkit_assert_refused(collector_new(f->db.store, pods, 1, 60,
					     UINT32_MAX, 0),
			       "edges");
	testkit_assert_refused(collector_new(f->db.store, pods, 1, 60, 0,
					     UINT32_MAX),
			       "connections");
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	static const struct CMUnitTest functions[] = {
		T(test_destroy_adds_totals_to_the_first_bucket),
		T(test_destroy_of_unseen_connection_counts_it),
		T(test_each_message_reads_the_clock),
		T(test_two_zones_add_bytes_once),
		T(test_sweep_forgets_connections_whose_end_was_lost),
		T(test_host_traffic_is_out_of_scope),
		T(test_sctp_icmp_and_dnat_rows),
		cmocka_unit_test_setup_teardown(test_full_table_flushes_early,
						setup_small, teardown),
		T(test_failed_flush_keeps_edges_for_retry),
		T(test_new_says_which_table_failed),
	};
#undef T

	return testkit_run("collector", functions, scenarios, run_scenario,
			   setup_scenario, teardown);
}
