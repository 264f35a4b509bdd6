/*
 * policygen info: a summary of a database, for an operator checking that
 * podflowd is recording and the inventory is imported before generating
 * anything: what was recorded and over which window, and the inventory
 * with the age of its last import.  Of a cluster store, each node's
 * shipping too.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "podflow/cluster.h"
#include "podflow/errmsg.h"
#include "podflow/grow.h"
#include "podflow/store.h"
#include "podflow/store_read.h"
#include "podflow/timefmt.h"
#include "podflow/yemit.h"
#include "policygen.h"

static void info_usage(FILE *f)
{
	fprintf(f, "usage: policygen info [--db PATH] [--now T] "
		   "[-o yaml|json]\n");
}

struct info_cli {
	int64_t now; /* what the age of the last import counts from */
	enum cli_format format;
};

/* What the database holds beside its tables, from its meta table. */
struct info_meta {
	char *node, *pod_cidrs, *bucket;
};

/* "1 pod", "2 pods": n and the noun, plural when n is not 1. */
static const char *count(char *buf, size_t len, int64_t n, const char *one,
			 const char *many)
{
	snprintf(buf, len, "%lld %s", (long long)n, n == 1 ? one : many);
	return buf;
}

/* A cluster store's nodes as their shippers last recorded them. */
struct info_nodes {
	struct cluster_node_state *v; /* node strings owned */
	size_t n, cap;
};

static void meta_free(struct info_meta *m)
{
	free(m->node);
	free(m->pod_cidrs);
	free(m->bucket);
}

static int keep_node(const struct cluster_node_state *st, void *ctx)
{
	struct info_nodes *ns = ctx;
	char *name;

	if (GROW(ns->v, ns->cap, ns->n + 1) < 0 ||
	    (name = strdup(st->node != NULL ? st->node : "")) == NULL) {
		errmsg_set("out of memory");
		return -1;
	}
	ns->v[ns->n] = *st;
	ns->v[ns->n++].node = name;
	return 0;
}

static void nodes_free(struct info_nodes *ns)
{
	for (size_t i = 0; i < ns->n; i++)
		free((char *)ns->v[i].node);
	free(ns->v);
}

static void print_nodes(const struct info_nodes *ns, int64_t now)
{
	char t[TIMEFMT_LEN], age[TIMEFMT_AGE_LEN], c[48];

	if (ns->n == 0) {
		printf("%-15s none shipped: policygen ship --to URI on each "
		       "node\n",
		       "nodes:");
		return;
	}
	for (size_t i = 0; i < ns->n; i++) {
		const struct cluster_node_state *st = &ns->v[i];

		printf("%-15s %s: up to flush %lld, %s, last %s (%s ago), "
		       "%lld behind, %lld failed attempt%s\n",
		       i == 0 ? "nodes:" : "", st->node,
		       (long long)st->shipped_seq,
		       count(c, sizeof(c), st->rows, "row", "rows"),
		       timefmt_format(st->updated, t),
		       timefmt_age(now > st->updated ? now - st->updated : 0,
				   age),
		       (long long)st->lag, (long long)st->failures,
		       st->failures == 1 ? "" : "s");
	}
}

static int read_meta(struct store *s, struct info_meta *m)
{
	return store_meta_get(s, "node", &m->node) < 0 ||
			       store_meta_get(s, "pod_cidrs", &m->pod_cidrs) < 0 ||
			       store_meta_get(s, "time_bucket_seconds",
					      &m->bucket) < 0
		       ? -1
		       : 0;
}


static void print_text(struct store *s, const struct info_meta *m,
		       const struct store_info *in,
		       const struct info_nodes *ns, int64_t now)
{
	char t1[TIMEFMT_LEN], t2[TIMEFMT_LEN], age[TIMEFMT_AGE_LEN];
	char c[6][48];

	printf("%-15s %s\n", "database:", store_filename(s));
	printf("%-15s %d (this policygen reads up to %d)\n", "schema:",
	       store_schema_version(s), store_schema_latest());
	printf("%-15s %s\n", "node:", m->node ? m->node : "-");
	printf("%-15s %s\n", "pod CIDRs:", m->pod_cidrs ? m->pod_cidrs : "-");
	printf("%-15s %s\n", "bucket seconds:", m->bucket ? m->bucket : "-");
	printf("%-15s %lld distinct, %s in %s\n", "edges:",
	       (long long)in->edges, count(c[0], 48, in->rows, "row", "rows"),
	       count(c[1], 48, in->buckets, "time bucket", "time buckets"));
	if (in->rows > 0)
		printf("%-15s %s .. %s\n", "seen:",
		       timefmt_format(in->first_seen, t1),
		       timefmt_format(in->last_seen, t2));
	if (in->change_seq >= 0)
		printf("%-15s %lld (the change sequence a shipper follows)\n",
		       "flushes:", (long long)in->change_seq);
	if (ns != NULL)
		print_nodes(ns, now);
	if (in->last_import == 0) {
		printf("%-15s none imported: kubectl get pods,services,nodes,"
		       "namespaces,... -A -o yaml | policygen import -\n",
		       "inventory:");
		return;
	}
	printf("%-15s %s, %s now (%s ever, %s), %s, %s\n", "inventory:",
	       count(c[0], 48, in->namespaces, "namespace", "namespaces"),
	       count(c[1], 48, in->pods_now, "pod", "pods"),
	       count(c[2], 48, in->pods, "pod", "pods"),
	       count(c[3], 48, in->workloads, "workload", "workloads"),
	       count(c[4], 48, in->services, "service", "services"),
	       count(c[5], 48, in->nodes, "node", "nodes"));
	printf("%-15s %s (%s ago)\n", "last import:",
	       timefmt_format(in->last_import, t1),
	       timefmt_age(now > in->last_import ? now - in->last_import : 0,
			   age));
}

static void kv_time(struct yemit *y, const char *key, int64_t t)
{
	char buf[TIMEFMT_LEN];

	yemit_str(y, key);
	if (t == 0)
		yemit_str(y, "");
	else
		yemit_str(y, timefmt_format(t, buf));
}

static int print_object(struct store *s, const struct info_meta *m,
			const struct store_info *in,
			const struct info_nodes *ns, enum cli_format format)
{
	struct yemit *y = yemit_open(stdout, format == CLI_JSON ? YEMIT_JSON
								 : YEMIT_YAML);

	if (y == NULL) {
		errmsg_set("out of memory");
		return -1;
	}
	yemit_doc_begin(y);
	yemit_map_begin(y);
	yemit_kv_str(y, "database", store_filename(s));
	yemit_kv_int(y, "schema", store_schema_version(s));
	yemit_kv_int(y, "schemaReadUpTo", store_schema_latest());
	yemit_kv_str(y, "node", m->node ? m->node : "");
	yemit_kv_str(y, "podCIDRs", m->pod_cidrs ? m->pod_cidrs : "");
	yemit_kv_int(y, "bucketSeconds", m->bucket ? atoll(m->bucket) : 0);
	yemit_str(y, "edges");
	yemit_map_begin(y);
	yemit_kv_int(y, "distinct", in->edges);
	yemit_kv_int(y, "rows", in->rows);
	yemit_kv_int(y, "buckets", in->buckets);
	kv_time(y, "firstSeen", in->rows > 0 ? in->first_seen : 0);
	kv_time(y, "lastSeen", in->rows > 0 ? in->last_seen : 0);
	yemit_kv_int(y, "changeSeq", in->change_seq);
	yemit_map_end(y);
	yemit_str(y, "inventory");
	yemit_map_begin(y);
	yemit_kv_int(y, "namespaces", in->namespaces);
	yemit_kv_int(y, "podsNow", in->pods_now);
	yemit_kv_int(y, "pods", in->pods);
	yemit_kv_int(y, "workloads", in->workloads);
	yemit_kv_int(y, "services", in->services);
	yemit_kv_int(y, "nodes", in->nodes);
	kv_time(y, "lastImport", in->last_import);
	yemit_map_end(y);
	if (ns != NULL) {
		yemit_str(y, "nodes");
		yemit_seq_begin(y);
		for (size_t i = 0; i < ns->n; i++) {
			yemit_map_begin(y);
			yemit_kv_str(y, "name", ns->v[i].node);
			yemit_kv_int(y, "shippedSeq", ns->v[i].shipped_seq);
			yemit_kv_int(y, "rows", ns->v[i].rows);
			kv_time(y, "updated", ns->v[i].updated);
			yemit_kv_int(y, "lag", ns->v[i].lag);
			yemit_kv_int(y, "failures", ns->v[i].failures);
			yemit_map_end(y);
		}
		yemit_seq_end(y);
	}
	yemit_map_end(y);
	yemit_doc_end(y);
	return yemit_close(y);
}

/* What cmd_info() reads and prints: see cli_store_main(). */
static int show_info(struct store *s, void *ctx)
{
	const struct info_cli *c = ctx;
	struct info_meta m = { 0 };
	struct store_info in;
	struct info_nodes nodes = { 0 };
	const struct info_nodes *ns = NULL;
	int status = EXIT_RUNTIME;

	if (read_meta(s, &m) < 0 || store_read_info(s, &in) < 0)
		goto out;
	if (cluster_is_uri(store_filename(s))) {
		if (cluster_store_ship_states(s, keep_node, &nodes) < 0)
			goto out;
		ns = &nodes;
	}
	cli_progress_end();
	if (c->format == CLI_TABLE)
		print_text(s, &m, &in, ns, c->now);
	else if (print_object(s, &m, &in, ns, c->format) < 0)
		goto out;
	status = EXIT_DONE;
out:
	nodes_free(&nodes);
	meta_free(&m);
	return status;
}

static int set_option(void *ctx, int ch, char *arg)
{
	struct info_cli *c = ctx;

	switch (ch) {
	case 'N': return cli_parse_when("now", arg, c->now, &c->now);
	case 'o':
		return cli_parse_format(arg, CLI_FORMAT_BIT(CLI_YAML) |
						     CLI_FORMAT_BIT(CLI_JSON),
					&c->format);
	}
	return 0;
}

int cmd_info(int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_DB_OPTION,
		CLI_NOW_OPTION,
		{ "output", required_argument, NULL, 'o' },
		CLI_OPTIONS_END,
	};
	static const struct cli_store_cmd info = {
		"o:h", opts, info_usage, set_option, show_info
	};
	struct info_cli c = { .now = (int64_t)time(NULL) };

	return cli_store_main(argc, argv, &info, &c);
}
