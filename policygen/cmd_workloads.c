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

#include "podflow/errmsg.h"
#include "podflow/store.h"
#include "podflow/store_read.h"
#include "podflow/timefmt.h"
#include "podflow/yemit.h"
#include "generate.h"
#include "policygen.h"
#include "table.h"

static void workloads_usage(FILE *f)
{
	fprintf(f, "usage: policygen workloads [--db PATH] [-n NS]... [-A] "
		   "[--system-namespace NS]...\n"
		   "                           [--now T] [--stable-after DURATION] "
		   "[-o wide|yaml|json|name]\n");
}

struct workloads_cli {
	struct cli_scope scope; /* the namespaces */
	int64_t now;
	int64_t stable_after; /* seconds */
	enum cli_format format;
};

/* Where list_workloads() puts each workload. */
struct workloads_out {
	const struct workloads_cli *c;
	struct table *t;
	struct yemit *y;
	const struct generate_states *states;
	size_t n; /* workloads listed */
};

/* As generate annotates it: learning while it still does new things. */
static const char *status_of(const struct workloads_out *o,
			     const struct store_workload *w)
{
	const struct generate_workload_state *st =
		generate_find_state(o->states, w->namespace, w->kind, w->name);

	return generate_state_name(st != NULL ? st->state : GENERATE_SILENT);
}

/* One workload as an object of -o yaml or json. */
static void emit_workload(struct yemit *y, const struct workloads_out *o,
			  const struct store_workload *w)
{
	const struct generate_workload_state *st;
	char t[TIMEFMT_LEN];

	yemit_map_begin(y);
	yemit_kv_str(y, "namespace", w->namespace);
	yemit_kv_str(y, "kind", w->kind);
	yemit_kv_str(y, "name", w->name);
	yemit_kv_int(y, "podsNow", w->pods_now);
	yemit_str(y, "hostNetwork");
	yemit_bool(y, w->host_network);
	yemit_kv_str(y, "selector", w->selector ? w->selector : "");
	yemit_kv_str(y, "selectorSource", w->source ? w->source : "");
	yemit_kv_int(y, "connectionsOut", w->conns_out);
	yemit_kv_int(y, "connectionsIn", w->conns_in);
	yemit_kv_str(y, "lastSeen",
		     w->last_seen ? timefmt_format(w->last_seen, t) : "");
	yemit_kv_str(y, "status", status_of(o, w));
	st = generate_find_state(o->states, w->namespace, w->kind, w->name);
	if (st != NULL && st->peer != NULL) {
		/* What keeps it learning: the entry first recorded last. */
		yemit_str(y, "newestEntry");
		yemit_map_begin(y);
		yemit_kv_str(y, "firstSeen", timefmt_format(st->first_ever, t));
		yemit_kv_str(y, "direction", st->egress ? "egress" : "ingress");
		yemit_kv_str(y, "peer", st->peer);
		yemit_kv_int(y, "port", st->port);
		yemit_kv_str(y, "protocol", st->protocol);
		yemit_map_end(y);
	}
	yemit_map_end(y);
}

/* One workload into the table.  Returns 0, or -1 with errmsg. */
static int add_workload(const struct store_workload *w, void *ctx)
{
	struct workloads_out *o = ctx;
	char pods[32], sel[1024], out[24], in[24], last[TIMEFMT_LEN];
	const char *cells[9];

	if (!cli_scope_has_namespace(&o->c->scope, w->namespace))
		return 0;
	o->n++;
	cli_progress_end();
	switch (o->c->format) {
	case CLI_NAME:
		/* The workload syntax every command takes. */
		printf("%s/%s/%s\n", w->namespace, w->kind, w->name);
		return 0;
	case CLI_YAML:
	case CLI_JSON:
		emit_workload(o->y, o, w);
		return 0;
	default:
		break;
	}

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
	cells[7] = status_of(o, w);
	cells[8] = w->last_seen ? timefmt_format(w->last_seen, last) : NULL;
	return table_add(o->t, cells);
}

/*
 * Prints the workloads of the namespaces covered, in c->format.  Returns
 * EXIT_DONE; EXIT_PARTIAL when there are none, having said why; or
 * EXIT_RUNTIME with errmsg.
 */
static int list_workloads(struct store *const *stores, size_t n,
			  const struct workloads_cli *c,
			  const struct generate_states *states)
{
	static const char *const headings[] = {
		"NAMESPACE", "KIND",	 "NAME",   "PODS",	"SELECTOR",
		"CONNS OUT", "CONNS IN", "STATUS", "LAST SEEN",
	};
	struct workloads_out o = { .c = c, .states = states };
	struct cli_output out = { 0 };
	int status = EXIT_RUNTIME;

	if (c->format == CLI_TABLE || c->format == CLI_WIDE) {
		if ((o.t = table_new(c->format == CLI_WIDE ? 9 : 8,
				     headings)) == NULL)
			goto out;
	} else if (c->format != CLI_NAME) {
		if ((o.y = cli_output_open(&out, c->format)) == NULL)
			goto out;
		yemit_seq_begin(o.y);
	}
	if (store_read_workloads(stores, n, NULL, add_workload, &o) < 0)
		goto out;
	if (o.y != NULL) {
		yemit_seq_end(o.y);
		yemit_doc_end(o.y);
		if (cli_output_close(&out) < 0)
			goto out;
	}
	if (o.t != NULL && o.n > 0) {
		cli_progress_end();
		table_print(o.t, stdout);
	}
	status = o.n > 0 ? EXIT_DONE
			 : cli_say_empty(stores[0], &c->scope, "workloads", NULL);
out:
	cli_output_free(&out);
	table_free(o.t);
	return status;
}

/* One option of workloads' into a struct workloads_cli. */
static int set_option(void *ctx, int ch, char *arg)
{
	struct workloads_cli *c = ctx;

	switch (ch) {
	case 'N': return cli_parse_when("now", arg, c->now, &c->now);
	case 'S':
		return cli_parse_duration("stable-after", arg,
					  &c->stable_after);
	case 'o':
		return cli_parse_format(arg, CLI_FORMAT_BIT(CLI_WIDE) |
						     CLI_FORMAT_BIT(CLI_YAML) |
						     CLI_FORMAT_BIT(CLI_JSON) |
						     CLI_FORMAT_BIT(CLI_NAME),
					&c->format);
	}
	return cli_set_scope(&c->scope, ch, arg);
}

/*
 * What cmd_workloads() does with the databases: see cli_dbs_main().
 * The states are generate's with its defaults, over all recorded time.
 */
static int show_workloads(struct store *const *stores, size_t n, void *ctx)
{
	struct workloads_cli *c = ctx;
	struct generate_opts o = {
		.until = INT64_MAX,
		.now = c->now,
		.stable_after = c->stable_after,
	};
	struct generate_states states = { 0 };
	int status;

	if (cli_scope_check(&c->scope) < 0)
		return EXIT_INVALID;
	o.ns = c->scope.ns;
	cli_note_unstarted(stores, n, 0, INT64_MAX);
	if (generate_read_states(stores, n, &o, &states) != GENERATE_OK)
		return EXIT_RUNTIME;
	status = list_workloads(stores, n, c, &states);
	generate_states_free(&states);
	return status;
}

int cmd_workloads(int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_DB_OPTION,
		CLI_NAMESPACE_OPTIONS,
		CLI_NOW_OPTION,
		{ "stable-after", required_argument, NULL, 'S' },
		{ "output", required_argument, NULL, 'o' },
		CLI_OPTIONS_END,
	};
	static const struct cli_dbs_cmd workloads = {
		"n:Ao:h", opts, workloads_usage, set_option, show_workloads
	};
	struct workloads_cli c = { .now = (int64_t)time(NULL),
				   .stable_after = CLI_STABLE_AFTER };

	return cli_dbs_main(argc, argv, &workloads, &c.scope.dbs, &c);
}
