/*
 * policygen ship: sends a node's raw rows from its own database to the
 * cluster store in PostgreSQL, those changed since the last run: the
 * node's flush numbers (its change sequence) say which, and the store
 * keeps the last one shipped with the rows, so that a run cut short
 * sends its batch again and nothing twice.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "podflow/cluster.h"
#include "podflow/errmsg.h"
#include "podflow/grow.h"
#include "podflow/kname.h"
#include "podflow/store.h"
#include "podflow/store_read.h"
#include "policygen.h"

/* Flushes a batch holds at most: a transaction of minutes, not of days. */
#define SHIP_BATCH 60

static void ship_usage(FILE *f)
{
	fprintf(f, "usage: policygen ship [--db PATH] --to postgresql://... "
		   "[--node-name NAME]\n"
		   "Sends this node's raw rows changed since the last run to the "
		   "cluster store.\n");
}

struct ship_cli {
	const char *db, *to, *node;
};

static int set_option(void *ctx, int ch, char *arg)
{
	struct ship_cli *c = ctx;

	switch (ch) {
	case 'd': c->db = arg; return 0;
	case 't':
		if (!cluster_is_uri(arg)) {
			errmsg_set("--to: '%s' is not a PostgreSQL URI "
				   "(postgresql://...)",
				   arg);
			return -1;
		}
		c->to = arg;
		return 0;
	case 'n':
		if (!kname_is_dns_subdomain(arg)) {
			errmsg_set("--node-name: '%s' is not a node name", arg);
			return -1;
		}
		c->node = arg;
		return 0;
	}
	return 0;
}

/* The rows of one batch, kept as read (a read is not held open to send). */
struct batch {
	struct store_changed_row *rows;
	size_t n, cap;
};

static int keep_row(const struct store_changed_row *row, void *ctx)
{
	struct batch *b = ctx;

	if (GROW(b->rows, b->cap, b->n + 1) < 0) {
		errmsg_set("out of memory");
		return -1;
	}
	b->rows[b->n++] = *row;
	return 0;
}

/* The node the rows go by: --node-name, else the one podflowd recorded. */
static int node_name(struct store *s, const char *given, char **out)
{
	if (given != NULL)
		return (*out = strdup(given)) != NULL ? 0 : -1;
	if (store_meta_get(s, "node", out) < 0)
		return -1;
	if (*out == NULL || !kname_is_dns_subdomain(*out)) {
		errmsg_set("%s records no node name%s%s: give --node-name",
			   store_filename(s), *out ? " that is one: " : "",
			   *out ? *out : "");
		return -1;
	}
	return 0;
}

/*
 * The node's settings its rows are read with, as its own in the cluster
 * store: the width of its time buckets (attribution by bucket spans
 * one), its pod CIDRs (which addresses no known pod held are pods').
 */
static int ship_settings(struct store *s, struct cluster *cl,
			 const char *node)
{
	static const char *const keys[] = { "time_bucket_seconds",
					    "pod_cidrs" };

	for (size_t i = 0; i < sizeof(keys) / sizeof(*keys); i++) {
		char *value;
		int rc;

		if (store_meta_get(s, keys[i], &value) < 0)
			return -1;
		rc = value == NULL ? 0
				   : cluster_put_setting(cl, node, keys[i], value);
		free(value);
		if (rc < 0)
			return -1;
	}
	return 0;
}

int cmd_ship(int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_DB_OPTION,
		{ "to", required_argument, NULL, 't' },
		{ "node-name", required_argument, NULL, 'n' },
		CLI_OPTIONS_END,
	};
	struct ship_cli c = { 0 };
	enum cli_parsed parsed = cli_getopt(argc, argv, "h", opts, ship_usage,
					    set_option, &c, CLI_NO_ARGS);
	struct store *s = NULL;
	struct cluster *cl = NULL;
	struct batch b = { 0 };
	char *node = NULL, *id = NULL, *shipped_id = NULL;
	int64_t mark, latest;
	size_t rows = 0, batches = 0;
	int status = EXIT_RUNTIME;

	if (parsed != CLI_RUN)
		return cli_exit_status(parsed);
	if (c.to == NULL) {
		errmsg_set("no cluster store: give --to postgresql://...");
		cli_print_error();
		return EXIT_INVALID;
	}
	if (store_open(store_path(c.db), STORE_READONLY, &s) < 0 ||
	    node_name(s, c.node, &node) < 0 ||
	    store_change_latest(s, &latest) < 0 ||
	    store_meta_get(s, "database_id", &id) < 0)
		goto out;
	if (id == NULL) {
		errmsg_set("%s has no database id: open it once with a writer "
			   "(podflowd, policygen import) to migrate it",
			   store_filename(s));
		goto out;
	}
	if (cluster_open(c.to, &cl) < 0 ||
	    cluster_shipped(cl, node, &mark, &shipped_id) < 0)
		goto out;
	/*
	 * Numbers that are another database's, or behind the mark: the
	 * node's database was replaced, and its rows would be read wrong.
	 */
	if (shipped_id != NULL && strcmp(shipped_id, id) != 0) {
		errmsg_set("node %s was shipped from another database (id %s, "
			   "%s is %s): ship this one as another --node-name, or "
			   "remove the node's rows and mark from the cluster "
			   "store first",
			   node, shipped_id, store_filename(s), id);
		goto out;
	}
	if (latest < mark) {
		errmsg_set("node %s: %s has flushes up to %lld, the cluster "
			   "store holds its rows up to %lld: it is not the "
			   "database shipped (restored from a copy?)",
			   node, store_filename(s), (long long)latest,
			   (long long)mark);
		goto out;
	}
	if (ship_settings(s, cl, node) < 0)
		goto out;
	/* Batch after batch, each with its mark: a cut run resumes there. */
	while (mark < latest) {
		int64_t upto = mark + SHIP_BATCH < latest ? mark + SHIP_BATCH
							   : latest;

		b.n = 0;
		if (store_read_changed(s, mark, upto, keep_row, &b) < 0 ||
		    cluster_ship(cl, node, id, mark, b.rows, b.n, upto) < 0)
			goto out;
		rows += b.n;
		batches++;
		mark = upto;
	}
	printf("shipped %zu row%s in %zu batch%s as node %s; its rows are "
	       "there up to flush %lld\n",
	       rows, cli_plural(rows), batches, batches == 1 ? "" : "es", node,
	       (long long)mark);
	status = EXIT_DONE;
out:
	if (status != EXIT_DONE)
		cli_print_error();
	free(b.rows);
	free(node);
	free(id);
	free(shipped_id);
	cluster_close(cl);
	store_close(s);
	return status;
}
