/*
 * policygen workloads: the workloads the inventory knows, how many pods
 * each runs now, the labels that select them, their traffic, and whether
 * they are still learning, as generate says it (its engine decides).
 */
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "podflow/store.h"
#include "podflow/store_read.h"
#include "generate.h"
#include "policygen.h"
#include "table.h"

static void workloads_usage(FILE *f)
{
	fprintf(f, "usage: policygen workloads [--db PATH] [--namespace NS] "
		   "[--now T]\n"
		   "         [--stable-after DURATION]\n");
}

/* Where list_workloads() puts each workload. */
struct workloads_out {
	struct table *t;
	const struct generate_states *states;
};

/* One workload into the table.  Returns 0, or -1 with errmsg. */
static int add_workload(const struct store_workload *w, void *ctx)
{
	const struct workloads_out *o = ctx;
	char pods[32], sel[1024], out[24], in[24];
	const char *cells[8];
	const struct generate_workload_state *st;

	snprintf(pods, sizeof(pods), "%lld%s", (long long)w->pods_now,
		 w->host_network ? " (hostNetwork)" : "");
	if (w->selector == NULL)
		snprintf(sel, sizeof(sel), "(none: its pods share no label)");
	else
		snprintf(sel, sizeof(sel), "%s%s", w->selector,
			 strcmp(w->source, "pods") == 0 ? " (from its pods)"
							: "");
	snprintf(out, sizeof(out), "%lld", (long long)w->conns_out);
	snprintf(in, sizeof(in), "%lld", (long long)w->conns_in);
	cells[0] = w->namespace;
	cells[1] = w->kind;
	cells[2] = w->name;
	cells[3] = pods;
	cells[4] = sel;
	cells[5] = out;
	cells[6] = in;
	/* As generate annotates it: learning while it still does new things. */
	st = generate_find_state(o->states, w->namespace, w->kind, w->name);
	cells[7] = generate_state_name(st != NULL ? st->state
						  : GENERATE_SILENT);
	return table_add(o->t, cells);
}

/*
 * Prints the workloads of ns (NULL: all), with their states.  Returns 0,
 * or -1 with errmsg.
 */
static int list_workloads(struct store *s, const char *ns,
			  const struct generate_states *states)
{
	static const char *const headings[] = {
		"NAMESPACE", "KIND", "NAME", "PODS", "SELECTOR",
		"CONNS OUT", "CONNS IN", "STATUS",
	};
	struct workloads_out o = { table_new(8, headings), states };
	int status = -1;

	if (o.t == NULL)
		return -1;
	if (store_read_workloads(s, ns, add_workload, &o) == 0) {
		table_print(o.t, stdout);
		status = 0;
	}
	table_free(o.t);
	return status;
}

struct workloads_cli {
	const char *ns;
	int64_t now;
	int64_t stable_after; /* seconds */
};

/* One option of workloads' into a struct workloads_cli. */
static int set_option(void *ctx, int ch, char *arg)
{
	struct workloads_cli *c = ctx;

	switch (ch) {
	case 'n': c->ns = arg; return 0;
	case 'N': return cli_parse_when("now", arg, c->now, &c->now);
	case 'S':
		return cli_parse_duration("stable-after", arg,
					  &c->stable_after);
	}
	return 0;
}

/*
 * What cmd_workloads() does with the database: see cli_store_main().
 * The states are generate's with its defaults, over all recorded time.
 */
static int show_workloads(struct store *s, void *ctx)
{
	const struct workloads_cli *c = ctx;
	const struct generate_opts o = {
		.namespace = c->ns,
		.until = INT64_MAX,
		.now = c->now,
		.stable_after = c->stable_after,
	};
	struct generate_states states;
	int status = EXIT_RUNTIME;

	cli_note_unstarted(&s, 1, 0, INT64_MAX);
	if (generate_read_states(&s, 1, &o, &states) != GENERATE_OK)
		return EXIT_RUNTIME;
	if (list_workloads(s, c->ns, &states) == 0)
		status = EXIT_DONE;
	generate_states_free(&states);
	return status;
}

int cmd_workloads(int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_DB_OPTION,
		{ "namespace", required_argument, NULL, 'n' },
		CLI_NOW_OPTION,
		{ "stable-after", required_argument, NULL, 'S' },
		CLI_OPTIONS_END,
	};
	static const struct cli_store_cmd workloads = {
		"n:h", opts, workloads_usage, set_option, show_workloads
	};
	struct workloads_cli c = { .now = (int64_t)time(NULL),
				   .stable_after = CLI_STABLE_AFTER };

	return cli_store_main(argc, argv, &workloads, &c);
}
