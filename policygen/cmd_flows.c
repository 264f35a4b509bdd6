/*
 * policygen flows: the recorded flows with both ends resolved to
 * workloads, nodes or addresses, for a person to read or a tool to parse.
 */
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "podflow/addr.h"
#include "podflow/errmsg.h"
#include "podflow/store.h"
#include "podflow/store_read.h"
#include "podflow/timefmt.h"
#include "podflow/yemit.h"
#include "policygen.h"
#include "table.h"

#define MAX_POD_CIDRS 64

struct flows_opts {
	struct cli_scope scope; /* the namespaces and the workload */
	int64_t now; /* what --since and --until count back from */
	int64_t since, until;
	enum cli_format format; /* CLI_TABLE, CLI_YAML or CLI_JSON */
};

/* The pod CIDRs podflowd recorded, to tell an unknown pod IP apart. */
struct scope {
	struct cidr cidrs[MAX_POD_CIDRS];
	size_t n;
};

static void load_scope(struct store *s, struct scope *sc)
{
	char *text = NULL, *tok, *save = NULL;

	sc->n = 0;
	if (store_meta_get(s, "pod_cidrs", &text) < 0 || text == NULL)
		return;
	for (tok = strtok_r(text, " ", &save); tok && sc->n < MAX_POD_CIDRS;
	     tok = strtok_r(NULL, " ", &save))
		if (cidr_parse(tok, &sc->cidrs[sc->n]) == 0)
			sc->n++;
	free(text);
}

static int in_pod_cidrs(const struct scope *sc, const char *ip)
{
	struct addr a;

	if (ip == NULL || addr_parse(ip, &a) < 0)
		return 0;
	for (size_t i = 0; i < sc->n; i++)
		if (cidr_contains(&sc->cidrs[i], &a))
			return 1;
	return 0;
}

/* "ns/Kind/name", "node/NAME", "IP" or "IP (pod, unknown)". */
static void identity(const struct store_flow_end *end, const char *ip,
		     const struct scope *sc, char *buf, size_t len)
{
	if (end->name != NULL)
		snprintf(buf, len, "%s/%s/%s", end->namespace, end->kind,
			 end->name);
	else if (end->node != NULL)
		snprintf(buf, len, "node/%s", end->node);
	else if (in_pod_cidrs(sc, ip))
		snprintf(buf, len, "%s (pod IP, no pod known)", ip);
	else
		snprintf(buf, len, "%s", ip ? ip : "?");
}

static void emit_end(struct yemit *y, const char *key,
		     const struct store_flow_end *end, const char *ip,
		     const struct scope *sc)
{
	yemit_str(y, key);
	yemit_map_begin(y);
	if (end->name != NULL) {
		yemit_kv_str(y, "namespace", end->namespace);
		yemit_kv_str(y, "kind", end->kind);
		yemit_kv_str(y, "name", end->name);
	} else if (end->node != NULL) {
		yemit_kv_str(y, "node", end->node);
	} else {
		yemit_kv_str(y, "ip", ip ? ip : "");
		if (in_pod_cidrs(sc, ip)) {
			yemit_str(y, "unknownPodIP");
			yemit_bool(y, 1);
		}
	}
	yemit_map_end(y);
}

static void emit_flow(struct yemit *y, const struct store_flow_sum *f,
		      const struct scope *sc)
{
	char t[TIMEFMT_LEN];

	yemit_map_begin(y);
	emit_end(y, "source", &f->src, f->client_ip, sc);
	emit_end(y, "destination", &f->dst, f->server_ip, sc);
	yemit_kv_int(y, "port", f->server_port);
	yemit_kv_str(y, "protocol", f->protocol);
	if (f->service_name != NULL) {
		yemit_str(y, "service");
		yemit_map_begin(y);
		yemit_kv_str(y, "namespace", f->service_namespace);
		yemit_kv_str(y, "name", f->service_name);
		yemit_map_end(y);
	}
	yemit_kv_int(y, "connections", f->connections);
	yemit_kv_str(y, "firstSeen", timefmt_format(f->first_seen, t));
	yemit_kv_str(y, "lastSeen", timefmt_format(f->last_seen, t));
	if (f->ambiguous) {
		yemit_str(y, "ambiguous");
		yemit_bool(y, 1);
	}
	yemit_map_end(y);
}

static int add_row(struct table *t, const struct store_flow_sum *f,
		   const struct scope *sc)
{
	char src[320], dst[320], port[32], svc[300], conns[24], first[TIMEFMT_LEN],
		last[TIMEFMT_LEN];
	const char *cells[8];

	identity(&f->src, f->client_ip, sc, src, sizeof(src));
	identity(&f->dst, f->server_ip, sc, dst, sizeof(dst));
	snprintf(port, sizeof(port), "%d/%s", f->server_port, f->protocol);
	if (f->service_name != NULL)
		snprintf(svc, sizeof(svc), "%s/%s", f->service_namespace,
			 f->service_name);
	snprintf(conns, sizeof(conns), "%lld", (long long)f->connections);
	cells[0] = src;
	cells[1] = dst;
	cells[2] = port;
	cells[3] = f->service_name ? svc : NULL;
	cells[4] = conns;
	cells[5] = timefmt_format(f->first_seen, first);
	cells[6] = timefmt_format(f->last_seen, last);
	cells[7] = f->ambiguous ? "ambiguous: reused IP" : "";
	return table_add(t, cells);
}

/*
 * Where run_flows() prints each row: a table, or YAML or JSON, whose
 * stream starts at the first row so that a database that cannot be read
 * prints nothing.
 */
struct flows_out {
	const struct flows_opts *o;
	struct yemit *y;
	struct table *t;
	const struct scope *sc;
	size_t n; /* rows printed */
};

/* Starts the YAML or JSON list.  Returns 0, or -1 with errmsg. */
static int yaml_begin(struct flows_out *out)
{
	cli_progress_end();
	if ((out->y = yemit_open(stdout, out->o->format == CLI_JSON
						 ? YEMIT_JSON
						 : YEMIT_YAML)) == NULL) {
		errmsg_set("out of memory");
		return -1;
	}
	yemit_doc_begin(out->y);
	yemit_seq_begin(out->y);
	return 0;
}

static int print_flow(const struct store_flow_sum *f, void *ctx)
{
	struct flows_out *out = ctx;

	if (!cli_scope_has_flow(&out->o->scope, &f->src, &f->dst))
		return 0;
	out->n++;
	if (out->o->format != CLI_TABLE) {
		if (out->y == NULL && yaml_begin(out) < 0)
			return -1;
		emit_flow(out->y, f, out->sc);
		return 0;
	}
	return add_row(out->t, f, out->sc);
}

/*
 * Prints the flows of the window.  Returns EXIT_DONE; EXIT_PARTIAL when
 * there are none, having said why; or EXIT_RUNTIME with errmsg.
 */
static int run_flows(struct store *const *stores, size_t n,
		     const struct flows_opts *o)
{
	char window[2 * TIMEFMT_LEN + 32], t1[TIMEFMT_LEN], t2[TIMEFMT_LEN];
	static const char *const headings[] = {
		"SOURCE", "DESTINATION", "PORT", "SERVICE",
		"CONNS",  "FIRST SEEN",	 "LAST SEEN", "NOTE",
	};
	struct scope sc;
	struct flows_out out = { .o = o, .sc = &sc };
	int rc, status = EXIT_RUNTIME;

	load_scope(stores[0], &sc);
	if (o->format == CLI_TABLE && (out.t = table_new(8, headings)) == NULL)
		goto out;
	if (store_read_flow_sums(stores, n, o->since, o->until, NULL, NULL,
				 print_flow,
				 &out) < 0)
		goto out;
	status = EXIT_DONE;
	if (out.n == 0) {
		snprintf(window, sizeof(window), "from %s to %s",
			 o->since > 0 ? timefmt_format(o->since, t1) : "the start",
			 o->until < INT64_MAX ? timefmt_format(o->until, t2)
					      : "now");
		/* A refused --workload writes nothing, not an empty list. */
		if ((status = cli_say_empty(stores[0], &o->scope, "flows",
					    window)) !=
		    EXIT_PARTIAL)
			goto out;
	}
	if (o->format != CLI_TABLE) {
		if (out.y == NULL && yaml_begin(&out) < 0)
			goto out;
		yemit_seq_end(out.y);
		yemit_doc_end(out.y);
		rc = yemit_close(out.y);
		out.y = NULL;
		if (rc < 0) {
			status = EXIT_RUNTIME;
			goto out;
		}
	} else if (out.n > 0) {
		cli_progress_end();
		table_print(out.t, stdout);
	}
out:
	yemit_free(out.y);
	table_free(out.t);
	return status;
}

static void flows_usage(FILE *f)
{
	fprintf(f, "usage: policygen flows [--db PATH] [-n NS]... [-A] "
		   "[--system-namespace NS]...\n"
		   "                       [--workload [NS/][KIND/]NAME] "
		   "[--since T] [--until T]\n"
		   "                       [-o yaml|json]\n"
		   "T: an RFC 3339 time (2026-11-23T10:00:00Z) or a duration "
		   "back from now (90m, 24h, 7d).\n");
}

/* One option of flows' into a struct flows_opts. */
static int set_option(void *ctx, int ch, char *arg)
{
	struct flows_opts *o = ctx;

	switch (ch) {
	case 's': return cli_parse_when("since", arg, o->now, &o->since);
	case 'u': return cli_parse_when("until", arg, o->now, &o->until);
	case 'o':
		return cli_parse_format(arg, CLI_FORMAT_BIT(CLI_YAML) |
						     CLI_FORMAT_BIT(CLI_JSON),
					&o->format);
	}
	return cli_set_scope(&o->scope, ch, arg);
}

/* What cmd_flows() does with the database: see cli_store_main(). */
static int show_flows(struct store *const *stores, size_t n, void *ctx)
{
	struct flows_opts *o = ctx;

	if (cli_scope_check(&o->scope) < 0)
		return EXIT_INVALID;
	cli_note_unstarted(stores, n, o->since, o->until);
	return run_flows(stores, n, o);
}

int cmd_flows(int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_DB_OPTION,
		CLI_WINDOW_OPTIONS,
		{ "output", required_argument, NULL, 'o' },
		CLI_OPTIONS_END,
	};
	static const struct cli_dbs_cmd flows = {
		"n:Ao:h", opts, flows_usage, set_option, show_flows
	};
	struct flows_opts o = { .now = (int64_t)time(NULL),
				.since = 0,
				.until = INT64_MAX };

	return cli_dbs_main(argc, argv, &flows, &o.scope.dbs, &o);
}
