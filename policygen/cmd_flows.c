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
#include "podflow/timefmt.h"
#include "podflow/yemit.h"
#include "policygen.h"
#include "sql.h"
#include "table.h"

#define MAX_POD_CIDRS 64

/* Columns of sql/flows_query.sql. */
enum {
	F_SRC_NS, F_SRC_KIND, F_SRC_NAME, F_SRC_IP, F_SRC_NODE,
	F_DST_NS, F_DST_KIND, F_DST_NAME, F_DST_IP, F_DST_NODE,
	F_PORT, F_PROTO, F_SVC_NS, F_SVC_NAME,
	F_CONNS, F_FIRST, F_LAST, F_AMBIGUOUS,
};

struct flows_opts {
	const char *db, *ns, *workload;
	int64_t now; /* what --since and --until count back from */
	int64_t since, until;
	int yaml;
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

static const char *col(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

/* "ns/Kind/name", "node/NAME", "IP" or "IP (pod, unknown)". */
static void identity(sqlite3_stmt *st, int base, const struct scope *sc,
		     char *buf, size_t len)
{
	if (col(st, base + 2) != NULL)
		snprintf(buf, len, "%s/%s/%s", col(st, base), col(st, base + 1),
			 col(st, base + 2));
	else if (col(st, base + 4) != NULL)
		snprintf(buf, len, "node/%s", col(st, base + 4));
	else if (in_pod_cidrs(sc, col(st, base + 3)))
		snprintf(buf, len, "%s (pod IP, no pod known)", col(st, base + 3));
	else
		snprintf(buf, len, "%s", col(st, base + 3) ? col(st, base + 3)
							  : "?");
}

static void emit_end(struct yemit *y, const char *key, sqlite3_stmt *st,
		     int base, const struct scope *sc)
{
	yemit_str(y, key);
	yemit_map_begin(y);
	if (col(st, base + 2) != NULL) {
		yemit_kv_str(y, "namespace", col(st, base));
		yemit_kv_str(y, "kind", col(st, base + 1));
		yemit_kv_str(y, "name", col(st, base + 2));
	} else if (col(st, base + 4) != NULL) {
		yemit_kv_str(y, "node", col(st, base + 4));
	} else {
		yemit_kv_str(y, "ip", col(st, base + 3) ? col(st, base + 3) : "");
		if (in_pod_cidrs(sc, col(st, base + 3))) {
			yemit_str(y, "unknownPodIP");
			yemit_bool(y, 1);
		}
	}
	yemit_map_end(y);
}

static void emit_flow(struct yemit *y, sqlite3_stmt *st, const struct scope *sc)
{
	char t[TIMEFMT_LEN];

	yemit_map_begin(y);
	emit_end(y, "source", st, F_SRC_NS, sc);
	emit_end(y, "destination", st, F_DST_NS, sc);
	yemit_kv_int(y, "port", sqlite3_column_int(st, F_PORT));
	yemit_kv_str(y, "protocol", col(st, F_PROTO));
	if (col(st, F_SVC_NAME) != NULL) {
		yemit_str(y, "service");
		yemit_map_begin(y);
		yemit_kv_str(y, "namespace", col(st, F_SVC_NS));
		yemit_kv_str(y, "name", col(st, F_SVC_NAME));
		yemit_map_end(y);
	}
	yemit_kv_int(y, "connections", sqlite3_column_int64(st, F_CONNS));
	yemit_kv_str(y, "firstSeen",
		     timefmt_format(sqlite3_column_int64(st, F_FIRST), t));
	yemit_kv_str(y, "lastSeen",
		     timefmt_format(sqlite3_column_int64(st, F_LAST), t));
	if (sqlite3_column_int(st, F_AMBIGUOUS)) {
		yemit_str(y, "ambiguous");
		yemit_bool(y, 1);
	}
	yemit_map_end(y);
}

static int add_row(struct table *t, sqlite3_stmt *st, const struct scope *sc)
{
	char src[320], dst[320], port[32], svc[300], conns[24], first[TIMEFMT_LEN],
		last[TIMEFMT_LEN];
	const char *cells[8];

	identity(st, F_SRC_NS, sc, src, sizeof(src));
	identity(st, F_DST_NS, sc, dst, sizeof(dst));
	snprintf(port, sizeof(port), "%d/%s", sqlite3_column_int(st, F_PORT),
		 col(st, F_PROTO));
	if (col(st, F_SVC_NAME) != NULL)
		snprintf(svc, sizeof(svc), "%s/%s", col(st, F_SVC_NS),
			 col(st, F_SVC_NAME));
	snprintf(conns, sizeof(conns), "%lld",
		 (long long)sqlite3_column_int64(st, F_CONNS));
	cells[0] = src;
	cells[1] = dst;
	cells[2] = port;
	cells[3] = col(st, F_SVC_NAME) ? svc : NULL;
	cells[4] = conns;
	cells[5] = timefmt_format(sqlite3_column_int64(st, F_FIRST), first);
	cells[6] = timefmt_format(sqlite3_column_int64(st, F_LAST), last);
	cells[7] = sqlite3_column_int(st, F_AMBIGUOUS) ? "ambiguous: reused IP"
						       : "";
	return table_add(t, cells);
}

/*
 * The query of the flows o asks for, bound; owned, sqlite3_finalize() it.
 * NULL when it cannot be prepared: store_db_error(s) says why.
 */
static sqlite3_stmt *flows_query(struct store *s, const struct flows_opts *o)
{
	sqlite3_stmt *st = NULL;

	/* On failure sqlite3_prepare_v2() leaves st NULL. */
	if (sqlite3_prepare_v2(store_db(s), sql_flows_query, -1, &st, NULL) !=
	    SQLITE_OK)
		return NULL;
	sqlite3_bind_int64(st, 1, o->since);
	sqlite3_bind_int64(st, 2, o->until);
	if (o->ns)
		sqlite3_bind_text(st, 3, o->ns, -1, SQLITE_STATIC);
	if (o->workload)
		sqlite3_bind_text(st, 4, o->workload, -1, SQLITE_STATIC);
	return st;
}

/* Prints the flows of the window.  Returns 0, or -1 with errmsg. */
static int run_flows(struct store *s, const struct flows_opts *o)
{
	static const char *const headings[] = {
		"SOURCE", "DESTINATION", "PORT", "SERVICE",
		"CONNS",  "FIRST SEEN",	 "LAST SEEN", "NOTE",
	};
	sqlite3_stmt *st = NULL;
	struct table *t = NULL;
	struct yemit *y = NULL;
	struct scope sc;
	int rc, status = -1;

	load_scope(s, &sc);
	if ((st = flows_query(s, o)) == NULL)
		goto dberr;
	if (o->yaml) {
		y = yemit_open(stdout);
		if (y == NULL)
			goto oom;
		yemit_doc_begin(y);
		yemit_seq_begin(y);
	} else if ((t = table_new(8, headings)) == NULL) {
		goto oom;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (y != NULL)
			emit_flow(y, st, &sc);
		else if (add_row(t, st, &sc) < 0)
			goto oom;
	}
	if (rc != SQLITE_DONE)
		goto dberr;
	if (y != NULL) {
		yemit_seq_end(y);
		yemit_doc_end(y);
		rc = yemit_close(y);
		y = NULL;
		if (rc < 0)
			goto out;
	} else {
		table_print(t, stdout);
	}
	status = 0;
	goto out;
dberr:
	store_db_error(s);
	goto out;
oom:
	errmsg_set("out of memory");
out:
	if (y != NULL)
		yemit_close(y);
	table_free(t);
	sqlite3_finalize(st);
	return status;
}

static void flows_usage(FILE *f)
{
	fprintf(f, "usage: policygen flows [--db PATH] [--namespace NS] "
		   "[--workload NAME]\n"
		   "                       [--since T] [--until T] "
		   "[-o table|yaml]\n"
		   "T: an RFC 3339 time (2026-11-23T10:00:00Z) or a duration "
		   "back from now (90m, 24h, 7d).\n");
}

/* One option of flows' into a struct flows_opts. */
static int set_option(void *ctx, int ch, char *arg)
{
	struct flows_opts *o = ctx;

	switch (ch) {
	case 'd': o->db = arg; return 0;
	case 'n': o->ns = arg; return 0;
	case 'w': o->workload = arg; return 0;
	case 's': return cli_parse_when("since", arg, o->now, &o->since);
	case 'u': return cli_parse_when("until", arg, o->now, &o->until);
	case 'o':
		if (strcmp(arg, "yaml") == 0)
			o->yaml = 1;
		else if (strcmp(arg, "table") != 0) {
			errmsg_set("-o: '%s' is neither table nor yaml", arg);
			return -1;
		}
		return 0;
	}
	return 0;
}

/* What cmd_flows() does with the database: see cli_run_store(). */
static int show_flows(struct store *s, void *ctx)
{
	const struct flows_opts *o = ctx;

	cli_note_unstarted(&s, 1, o->since, o->until);
	/* Failing to read or to print is no invalid input: 1, not 2. */
	return run_flows(s, o) < 0 ? 1 : 0;
}

int cmd_flows(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		CLI_WINDOW_OPTIONS,
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct flows_opts o = { .now = (int64_t)time(NULL),
				.since = 0,
				.until = INT64_MAX };
	enum cli_parsed parsed = cli_getopt(argc, argv, "n:o:h", opts,
					    flows_usage, set_option, &o,
					    CLI_NO_ARGS);

	if (parsed != CLI_RUN)
		return cli_exit_status(parsed);
	return cli_run_store(o.db, show_flows, &o);
}
