/*
 * policygen workloads: the workloads the inventory knows, how many pods
 * each runs now, the labels that select them and their traffic.
 */
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "podflow/store.h"
#include "policygen.h"
#include "sql.h"
#include "table.h"

/* generate's default --stable-after. */
#define WORKLOADS_STABLE_AFTER 3600

static void workloads_usage(FILE *f)
{
	fprintf(f, "usage: policygen workloads [--db PATH] [--namespace NS] "
		   "[--now T]\n");
}

/* One row of sql_workloads_query into t.  Returns 0, or -1 with errmsg. */
static int add_workload(struct table *t, sqlite3_stmt *st, int64_t now)
{
	char pods[32], sel[1024], out[24], in[24];
	const char *cells[8];
	int64_t last = sqlite3_column_int64(st, 9);

	snprintf(pods, sizeof(pods), "%d%s", sqlite3_column_int(st, 3),
		 sqlite3_column_int(st, 4) ? " (hostNetwork)" : "");
	if (sqlite3_column_type(st, 5) == SQLITE_NULL)
		snprintf(sel, sizeof(sel), "(none: its pods share no label)");
	else
		snprintf(sel, sizeof(sel), "%s%s",
			 (const char *)sqlite3_column_text(st, 5),
			 strcmp((const char *)sqlite3_column_text(st, 6),
				"pods") == 0
				 ? " (from its pods)"
				 : "");
	snprintf(out, sizeof(out), "%lld",
		 (long long)sqlite3_column_int64(st, 7));
	snprintf(in, sizeof(in), "%lld",
		 (long long)sqlite3_column_int64(st, 8));
	cells[0] = (const char *)sqlite3_column_text(st, 0);
	cells[1] = (const char *)sqlite3_column_text(st, 1);
	cells[2] = (const char *)sqlite3_column_text(st, 2);
	cells[3] = pods;
	cells[4] = sel;
	cells[5] = out;
	cells[6] = in;
	/* As generate annotates it: learning while it still changes. */
	cells[7] = sqlite3_column_type(st, 9) == SQLITE_NULL ? "silent"
		   : last > now - WORKLOADS_STABLE_AFTER ? "learning"
							  : "stable";
	return table_add(t, cells);
}

/* Prints the workloads of ns (NULL: all).  Returns 0, or -1 with errmsg. */
static int list_workloads(struct store *s, const char *ns, int64_t now)
{
	static const char *const headings[] = {
		"NAMESPACE", "KIND", "NAME", "PODS", "SELECTOR",
		"CONNS OUT", "CONNS IN", "STATUS",
	};
	sqlite3_stmt *st = NULL;
	struct table *t = table_new(8, headings);
	int rc, status = -1;

	if (t == NULL)
		return -1;
	if (sqlite3_prepare_v2(store_db(s), sql_workloads_query, -1, &st,
			       NULL) != SQLITE_OK)
		goto dberr;
	if (ns != NULL)
		sqlite3_bind_text(st, 1, ns, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (add_workload(t, st, now) < 0)
			goto out;
	if (rc != SQLITE_DONE)
		goto dberr;
	table_print(t, stdout);
	status = 0;
	goto out;
dberr:
	store_db_error(s);
out:
	sqlite3_finalize(st);
	table_free(t);
	return status;
}

struct workloads_cli {
	const char *db, *ns;
	int64_t now;
};

/* One option of workloads' into a struct workloads_cli. */
static int set_option(void *ctx, int ch, char *arg)
{
	struct workloads_cli *c = ctx;

	switch (ch) {
	case 'd': c->db = arg; return 0;
	case 'n': c->ns = arg; return 0;
	case 'N': return cli_parse_when("now", arg, c->now, &c->now);
	}
	return 0;
}

/* What cmd_workloads() does with the database: see cli_run_store(). */
static int show_workloads(struct store *s, void *ctx)
{
	const struct workloads_cli *c = ctx;

	cli_note_unstarted(&s, 1, 0, INT64_MAX);
	/* Failing to read is no invalid input: 1, not 2. */
	return list_workloads(s, c->ns, c->now) < 0 ? 1 : 0;
}

int cmd_workloads(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "namespace", required_argument, NULL, 'n' },
		{ "now", required_argument, NULL, 'N' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct workloads_cli c = { .now = (int64_t)time(NULL) };
	enum cli_parsed parsed = cli_getopt(argc, argv, "n:h", opts,
					    workloads_usage, set_option, &c,
					    CLI_NO_ARGS);

	if (parsed != CLI_RUN)
		return cli_exit_status(parsed);
	return cli_run_store(c.db, show_workloads, &c);
}
