/*
 * Unit tests for the summed weeks: the resolved days of a whole week
 * added up into edge_week (store/resolve.c, sql/queries/store/
 * resolve_week*.sql), and the readers that add a window up taking them
 * for the weeks the window holds whole (flows_window_summed.sql).
 *
 * A summed week is a shortcut and must never change an answer.  So each
 * case writes edges as podflowd does and the inventory as policygen
 * import does, into a real SQLite file, and holds edge_week to a fresh
 * sum of its days, and store_read_generate_flows() with the weeks to the
 * same read with them forgotten, where a late change, a late import, a
 * prune and a migration reach a summed week; and makes sure the read
 * took the week where it should, by a week row altered on purpose.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "podflow/errmsg.h"
#include "podflow/inventory.h"
#include "podflow/store.h"
#include "podflow/store_read.h"
#include "support/testdb.h"
#include "support/testkit.h"

#define HOUR 3600
#define DAY 86400
#define WEEK (7 * DAY)
/* 2026-01-05T00:00:00Z, a Monday: a week starts there. */
#define WEEK0 1767571200
#define EARLIER (WEEK0 - WEEK)
/* The import that covers the week, on the Monday after at 21:30. */
#define IMPORTED (WEEK0 + WEEK + 21 * HOUR + 1800)
#define NOW (IMPORTED + HOUR)

#define CART_IP "10.244.1.5"
#define WEB_IP "10.244.1.6"

static const char *const cart_ip[] = { CART_IP };
static const char *const web_ip[] = { WEB_IP };

#define assert_rows(f, want, ...)                                              \
	testdb_assert_query((f)->store, want, __VA_ARGS__)

/* cart-1 on CART_IP and web-1 on WEB_IP, running since EARLIER. */
static void import_running(struct testdb *f, int64_t at)
{
	const struct inv_pod pods[] = {
		testkit_pod("cart-1", "cart", cart_ip, EARLIER),
		testkit_pod("web-1", "web", web_ip, EARLIER),
	};

	testdb_import(f->store, INVENTORY_SNAPSHOT, at, pods, 2);
}

/* One connection web -> cart:port started at at, last seen a second on. */
static void call(struct testdb *f, uint16_t port, int64_t at)
{
	struct store_edge e = testkit_edge(WEB_IP, CART_IP, port, at, at,
					   at + 1);

	testdb_flush(f->store, &e);
}

/*
 * The Sunday before WEEK0, its seven days, the Monday and the Tuesday
 * after: each day port 1 at 09:00 and 20:00, port 2 at 15:00.
 */
static void calls(struct testdb *f)
{
	for (int64_t day = WEEK0 - DAY; day <= WEEK0 + WEEK + DAY;
	     day += DAY) {
		call(f, 1, day + 9 * HOUR);
		call(f, 2, day + 15 * HOUR);
		call(f, 1, day + 20 * HOUR);
	}
}

/*
 * calls(), imported and resolved to the Monday after 21:00 (the Tuesday
 * is the tail): WEEK0 summed.
 */
static void summed_week(struct testdb *f)
{
	calls(f);
	import_running(f, IMPORTED);
	assert_int_equal(testdb_resolve(f->store, NOW).until,
			 WEEK0 + WEEK + 21 * HOUR);
	assert_rows(f, "1767571200",
		    "SELECT group_concat(week) FROM edge_week_done");
}

/* edge_week is the sum of its weeks' days, row for row. */
static void assert_weeks_are_their_days(struct testdb *f)
{
	static const char order[] =
		" ORDER BY 1, 2, 3, 4, 5, 6, 7, 8";
	char *kept = testdb_query(f->store, "SELECT * FROM edge_week%s",
				  order);
	char *sum = testdb_query(
		f->store,
		"SELECT w.week, d.client, d.route, d.src_pod_id, d.dst_pod_id, "
		"d.service_id, d.src_dup, d.dst_dup, min(d.day), "
		"max(d.src_holders), max(d.dst_holders), sum(d.connections), "
		"min(d.first_seen), max(d.last_seen) FROM edge_week_done AS w "
		"JOIN edge_day AS d ON d.day >= w.week AND d.day < w.week + %d "
		"GROUP BY 1, 2, 3, 4, 5, 6, 7, 8%s",
		WEEK, order);

	assert_string_equal(kept, sum);
	free(kept);
	free(sum);
}

/* A flow as a line: port and connections first, then all the rest. */
static int print_flow(const struct store_flow *r, void *ctx)
{
	const char *const ends[] = {
		r->src.uid, r->src.namespace, r->src.kind, r->src.name,
		r->src.node, r->dst.uid, r->dst.namespace, r->dst.kind,
		r->dst.name, r->dst.node, r->service_namespace,
		r->service_name, r->client_nat_ip,
	};

	fprintf(ctx, "%d %lld %s %s %s %lld %lld %lld %d %d", r->server_port,
		(long long)r->connections, r->client_ip, r->server_ip,
		r->protocol, (long long)r->day, (long long)r->first_seen,
		(long long)r->last_seen, r->service_port, r->ambiguous);
	for (size_t i = 0; i < sizeof(ends) / sizeof(ends[0]); i++)
		fprintf(ctx, " %s", ends[i] ? ends[i] : "-");
	fputc('\n', ctx);
	return 0;
}

/* generate's flows of [since, until) on f, a line each.  Owned. */
static char *read_window(struct testdb *f, int64_t since, int64_t until)
{
	char *out = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&out, &len);

	assert_non_null(fp);
	if (store_read_generate_flows(f->store, since, until, print_flow,
				      fp) < 0)
		fail_msg("store_read_generate_flows: %s", errmsg_get());
	assert_int_equal(fclose(fp), 0);
	return out;
}

/*
 * The ports and connections of read_window()'s lines, "port connections"
 * a flow, "; " between them, into out.
 */
static void ports(const char *lines, char *out, size_t size)
{
	size_t n = 0;

	out[0] = '\0';
	for (const char *line = lines; *line != '\0';
	     line = strchr(line, '\n') + 1) {
		int port;
		long long conns;

		assert_int_equal(sscanf(line, "%d %lld", &port, &conns), 2);
		n += (size_t)snprintf(out + n, size - n, "%s%d %lld",
				      n > 0 ? "; " : "", port, conns);
		assert_true(n < size);
	}
}

/* The ports and connections of generate's flows of [since, until) are want. */
static void assert_ports(struct testdb *f, int64_t since, int64_t until,
			 const char *want)
{
	char *lines = read_window(f, since, until), got[256];

	ports(lines, got, sizeof(got));
	assert_string_equal(got, want);
	free(lines);
}

/*
 * generate's flows of [since, until) are what they are with the summed
 * weeks forgotten (every day read), and their ports and connections are
 * want.
 */
static void assert_window(struct testdb *f, int64_t since, int64_t until,
			  const char *want)
{
	char *with = read_window(f, since, until), *days;

	testdb_exec(store_db(f->store), "SAVEPOINT days");
	testdb_exec(store_db(f->store), "DELETE FROM edge_week_done");
	days = read_window(f, since, until);
	testdb_exec(store_db(f->store), "ROLLBACK TO days");
	testdb_exec(store_db(f->store), "RELEASE days");
	assert_string_equal(with, days);
	free(with);
	free(days);
	assert_ports(f, since, until, want);
}

/*
 * 1. A week is summed once resolution passes its end, not before: until
 * Sunday 23:00 its days are read; from Monday 00:00 on, its two edges are
 * a row each where the days have fourteen.  The windows that hold it whole
 * read the same through it as through its days.
 */
static void test_summed_once_resolution_passes_its_end(void **state)
{
	struct testdb *f = *state;

	calls(f);
	import_running(f, WEEK0 + WEEK - 1800);
	assert_int_equal(testdb_resolve(f->store, WEEK0 + WEEK + HOUR).until,
			 WEEK0 + WEEK - HOUR);
	assert_rows(f, "0 0", "SELECT (SELECT count(*) FROM edge_week_done), "
			      "(SELECT count(*) FROM edge_week)");

	/* The pass that ends at Monday 00:00 sums it. */
	import_running(f, WEEK0 + WEEK + 59 * 60);
	assert_int_equal(testdb_resolve(f->store, NOW).until, WEEK0 + WEEK);
	assert_rows(f, "1767571200",
		    "SELECT group_concat(week) FROM edge_week_done");

	import_running(f, IMPORTED);
	testdb_resolve(f->store, NOW);
	assert_rows(f, "1767571200 2 14",
		    "SELECT (SELECT group_concat(week) FROM edge_week_done), "
		    "(SELECT count(*) FROM edge_week), (SELECT count(*) FROM "
		    "edge_day WHERE day >= %d AND day < %d)",
		    WEEK0, WEEK0 + WEEK);
	assert_weeks_are_their_days(f);
	/* The Sunday before, the week, the Monday after, the tail. */
	assert_window(f, 0, WEEK0 + 2 * WEEK, "1 20; 2 10");
	assert_window(f, WEEK0, WEEK0 + WEEK, "1 14; 2 7");
	/* Resolving again changes nothing. */
	assert_int_equal(testdb_resolve(f->store, NOW).rows, 0);
	assert_weeks_are_their_days(f);
}

/*
 * 2. The window takes a week from edge_week only when it holds the week
 * whole: a week row made wrong on purpose shows in those reads and in no
 * other.
 */
static void test_window_takes_the_weeks_it_holds_whole(void **state)
{
	struct testdb *f = *state;

	summed_week(f);
	assert_window(f, WEEK0 - DAY, WEEK0 + WEEK + HOUR, "1 16; 2 8");
	assert_window(f, WEEK0, WEEK0 + WEEK, "1 14; 2 7");
	assert_window(f, WEEK0, WEEK0 + WEEK + DAY, "1 16; 2 8");
	assert_window(f, WEEK0 + DAY, WEEK0 + 2 * WEEK, "1 16; 2 8");
	assert_window(f, WEEK0, WEEK0 + WEEK - 1, "1 14; 2 7");

	testdb_exec(store_db(f->store), "SAVEPOINT wrong");
	testdb_exec(store_db(f->store),
		    "UPDATE edge_week SET connections = connections + 1000");
	assert_ports(f, WEEK0 - DAY, WEEK0 + WEEK + HOUR, "1 1016; 2 1008");
	assert_ports(f, WEEK0, WEEK0 + WEEK, "1 1014; 2 1007");
	assert_ports(f, WEEK0, WEEK0 + WEEK + DAY, "1 1016; 2 1008");
	assert_ports(f, WEEK0 + DAY, WEEK0 + 2 * WEEK, "1 16; 2 8");
	assert_ports(f, WEEK0, WEEK0 + WEEK - 1, "1 14; 2 7");
	testdb_exec(store_db(f->store), "ROLLBACK TO wrong");
	testdb_exec(store_db(f->store), "RELEASE wrong");
}

/*
 * 3. A late change to a day of a summed week (a connection found in a
 * table dump, started in a minute already resolved) is added to the
 * week's row of its edge as to its day's.
 */
static void test_late_change_is_added_to_the_week(void **state)
{
	struct testdb *f = *state;

	summed_week(f);
	call(f, 2, WEEK0 + 2 * DAY + 15 * HOUR + 10);
	testdb_resolve(f->store, NOW);
	assert_rows(f, "0", "SELECT count(*) FROM edge_late");
	assert_weeks_are_their_days(f);
	assert_rows(f, "8", "SELECT connections FROM edge_week AS w JOIN "
			    "route AS r ON r.id = w.route "
			    "WHERE r.server_port = 2");
	assert_window(f, WEEK0, WEEK0 + WEEK, "1 14; 2 8");
}

/*
 * 4. A later import that hands cart's address over on Thursday noon
 * resolves the days it changes again: the week is forgotten at once (a
 * pass that resolves an hour leaves it read from its days and the tail),
 * and summed again as resolution passes its end once more, with search-1
 * credited from the handover.
 */
static void test_late_import_sums_the_week_again(void **state)
{
	struct testdb *f = *state;
	int64_t handover = WEEK0 + 3 * DAY + 12 * HOUR;
	const struct inv_pod later[] = {
		testkit_pod("search-1", "search", cart_ip, handover),
		testkit_pod("web-1", "web", web_ip, EARLIER),
	};
	struct store_resolved r;

	summed_week(f);
	testdb_import(f->store, INVENTORY_SNAPSHOT, IMPORTED + 60, later, 2);
	if (store_resolve_some(f->store, NOW, 1, &r) < 0)
		fail_msg("store_resolve_some: %s", errmsg_get());
	assert_true(r.redone_from <= handover - 12 * HOUR);
	assert_true(r.more);
	assert_rows(f, "0 0", "SELECT (SELECT count(*) FROM edge_week_done), "
			      "(SELECT count(*) FROM edge_week)");
	assert_window(f, WEEK0, WEEK0 + WEEK, "1 7; 1 7; 2 3; 2 4");

	r = testdb_resolve(f->store, NOW);
	assert_int_equal(r.until, WEEK0 + WEEK + 21 * HOUR);
	assert_rows(f, "1767571200",
		    "SELECT group_concat(week) FROM edge_week_done");
	assert_weeks_are_their_days(f);
	/* Thursday 09:00 (port 1) is cart-1's, 15:00 and 20:00 search-1's. */
	assert_rows(f, "1 cart-1 7; 1 search-1 7; 2 cart-1 3; 2 search-1 4",
		    "SELECT r.server_port, p.name, w.connections FROM "
		    "edge_week AS w JOIN route AS r ON r.id = w.route JOIN pod "
		    "AS p ON p.id = w.dst_pod_id ORDER BY 1, 2");
	assert_window(f, WEEK0, WEEK0 + WEEK, "1 7; 1 7; 2 3; 2 4");
}

/*
 * 5. Pruning the first days of a summed week forgets the week: what is
 * left of it is read from its days.
 */
static void test_prune_forgets_a_week_in_part(void **state)
{
	struct testdb *f = *state;
	struct store_pruned p;

	summed_week(f);
	if (store_prune(f->store, WEEK0 + 2 * DAY, WEEK0 + 2 * DAY, &p) < 0)
		fail_msg("store_prune: %s", errmsg_get());
	assert_rows(f, "0 0", "SELECT (SELECT count(*) FROM edge_week_done), "
			      "(SELECT count(*) FROM edge_week)");
	assert_window(f, WEEK0, WEEK0 + WEEK, "1 10; 2 5");
}

/*
 * 6. A database resolved before schema 10 has its resolved weeks summed
 * by the migration: the week tables taken away and the version put back
 * to 9, it is opened again as podflowd opens it.
 */
static void test_migration_sums_the_weeks_resolved_before(void **state)
{
	struct testdb *f = *state;

	summed_week(f);
	/* Back to schema 9: what migrations 10 and later added, gone. */
	testdb_exec(store_db(f->store), "DROP TABLE edge_week; "
					"DROP TABLE edge_week_done; "
					"ALTER TABLE edge_raw DROP COLUMN changed; "
					"DROP TABLE change_log; "
					"PRAGMA user_version = 9");
	store_close(f->store);
	if (store_open(f->path, 0, &f->store) < 0)
		fail_msg("store_open: %s", errmsg_get());
	assert_int_equal(store_schema_version(f->store), store_schema_latest());
	assert_rows(f, "1767571200 2",
		    "SELECT (SELECT group_concat(week) FROM edge_week_done), "
		    "(SELECT count(*) FROM edge_week)");
	assert_weeks_are_their_days(f);
	assert_window(f, WEEK0, WEEK0 + WEEK, "1 14; 2 7");
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, testdb_setup, testdb_teardown)
	const struct CMUnitTest tests[] = {
		T(test_summed_once_resolution_passes_its_end),
		T(test_window_takes_the_weeks_it_holds_whole),
		T(test_late_change_is_added_to_the_week),
		T(test_late_import_sums_the_week_again),
		T(test_prune_forgets_a_week_in_part),
		T(test_migration_sums_the_weeks_resolved_before),
	};
#undef T
	return cmocka_run_group_tests_name("resolve_week", tests, NULL, NULL);
}
