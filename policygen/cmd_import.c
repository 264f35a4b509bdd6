/*
 * policygen import: reads kubectl's output (JSON or YAML; a List, single
 * objects or a stream) into the inventory.
 *
 * A snapshot import is one transaction: any bad input and nothing of it is
 * kept.  --watch applies each object of `kubectl get pods -A --watch -o
 * yaml` as it arrives, each in its own transaction.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "podflow/arena.h"
#include "podflow/cluster.h"
#include "podflow/errmsg.h"
#include "podflow/inventory.h"
#include "podflow/kyaml.h"
#include "podflow/store.h"
#include "podflow/timefmt.h"
#include "kube.h"
#include "policygen.h"

/* Kinds skipped, reported once each at the end. */
#define MAX_SKIPPED_KINDS 32

struct skipped {
	char *kinds[MAX_SKIPPED_KINDS];
	size_t counts[MAX_SKIPPED_KINDS];
	size_t n;
	size_t invalid; /* objects refused, each told as it came */
};

/*
 * A cluster store's retention, which its importer keeps (a node's
 * database keeps podflowd's): as podflowd's defaults, retention_days and
 * raw_retention_hours.
 */
#define IMPORT_RETENTION_DAYS 30
#define IMPORT_RAW_RETENTION_HOURS 48

/* The retention an import into a cluster store keeps; 0: keep all. */
struct keep {
	int days, raw_hours;
};

static void import_usage(FILE *f)
{
	fprintf(f,
		"usage: policygen import [--db PATH] [--at TIME] [--watch] [FILE|-]\n"
		"                        [--retention-days N] [--raw-retention-hours N]\n"
		"\n"
		"Reads the output of\n"
		"  kubectl get namespaces,nodes,pods,services,deployments,statefulsets,\\\n"
		"    daemonsets,replicasets,jobs,cronjobs -A -o json   (or -o yaml)\n"
		"into the inventory: one snapshot, taken at --at (RFC 3339; default now).\n"
		"With --watch, reads `kubectl get pods -A --watch -o yaml` and applies\n"
		"each object as it arrives, until the end of the input.\n"
		"Into a cluster store, it resolves every node's rows and keeps its\n"
		"retention (default 30 days, raw rows 48 hours; 0: all).\n");
}

/*
 * The raw rows the inventory now covers resolved, and, in a cluster
 * store, what its retention lets go deleted (as podflowd does in its own
 * database every hour).
 */
static int settle(struct store *s, const struct keep *k, int64_t now)
{
	if (store_resolve(s, now, NULL) < 0)
		return -1;
	if (!cluster_is_uri(store_filename(s)) ||
	    (k->days == 0 && k->raw_hours == 0))
		return 0;
	/* 0, the epoch: nothing is older. */
	return store_prune(s,
			   k->raw_hours ? now - (int64_t)k->raw_hours * 3600
					: now - (int64_t)k->days * 86400,
			   k->days ? now - (int64_t)k->days * 86400 : 0, NULL);
}

static void note_skipped(struct skipped *sk, const char *kind)
{
	for (size_t i = 0; i < sk->n; i++)
		if (strcmp(sk->kinds[i], kind) == 0) {
			sk->counts[i]++;
			return;
		}
	if (sk->n < MAX_SKIPPED_KINDS && (sk->kinds[sk->n] = strdup(kind))) {
		sk->counts[sk->n++] = 1;
	}
}

static void report_skipped(struct skipped *sk, const char *source)
{
	for (size_t i = 0; i < sk->n; i++) {
		fprintf(stderr,
			"policygen: warning: %s: skipped %zu %s object%s "
			"(not used by the inventory)\n",
			source, sk->counts[i], sk->kinds[i],
			sk->counts[i] == 1 ? "" : "s");
		free(sk->kinds[i]);
	}
	sk->n = 0;
}

static void print_counts(const struct inventory_counts *n)
{
	printf("imported %zu namespace%s, %zu node%s, %zu pod%s, %zu service%s, "
	       "%zu workload object%s; %zu pod%s no longer listed\n",
	       n->namespaces, cli_plural(n->namespaces), n->nodes, cli_plural(n->nodes),
	       n->pods, cli_plural(n->pods), n->services, cli_plural(n->services),
	       n->owners, cli_plural(n->owners), n->pods_ended,
	       cli_plural(n->pods_ended));
}

/*
 * Writes one object into inv; one the API server would have refused is
 * told and counted in sk, and what the store knows of it kept.  Returns
 * 0, or -1 with errmsg and in *status the exit status it calls for:
 * EXIT_INVALID for input that is no Kubernetes object, EXIT_RUNTIME when
 * the store failed.
 */
static int import_object(struct inventory *inv, struct kyaml *y,
			 const struct knode *obj, int64_t at,
			 struct skipped *sk, int *status)
{
	struct arena scratch = ARENA_INIT;
	struct kube_record r;
	int rc = -1;

	if (kube_parse(obj, kyaml_name(y), at, &scratch, &r) < 0) {
		/* Text where an object belongs: say what the text is. */
		if (obj->type == KNODE_SCALAR && kyaml_hint(y) != NULL) {
			char msg[1024];

			snprintf(msg, sizeof(msg), "%s", errmsg_get());
			errmsg_set("%s; %s", msg, kyaml_hint(y));
		}
		*status = EXIT_INVALID;
		goto out;
	}
	if (kube_put(inv, &r) < 0) {
		*status = EXIT_RUNTIME;
		goto out;
	}
	if (r.type == KUBE_OTHER)
		note_skipped(sk, r.kind);
	if (r.type == KUBE_INVALID) {
		fprintf(stderr, "policygen: warning: %s; %s skipped\n",
			r.u.invalid.why, r.u.invalid.what);
		sk->invalid++;
	}
	rc = 0;
out:
	arena_reset(&scratch);
	return rc;
}

/*
 * The whole input as one snapshot.  The transaction starts with the first
 * object, not before: kubectl may take a while to print, and podflowd
 * must be able to flush meanwhile.  Returns an exit status.
 */
static int import_snapshot(struct store *s, struct kyaml *y, int64_t at,
			   const struct keep *keep,
			   struct skipped *sk)
{
	struct inventory *inv = NULL;
	struct inventory_counts counts = { 0 };
	const struct knode *obj;
	int rc, status = EXIT_INVALID;

	while ((rc = kyaml_next(y, &obj)) == 1) {
		if (inv == NULL &&
		    inventory_begin(s, INVENTORY_SNAPSHOT, at, &inv) < 0) {
			status = EXIT_RUNTIME;
			goto out;
		}
		if (import_object(inv, y, obj, at, sk, &status) < 0)
			goto out;
	}
	if (rc < 0)
		goto out;
	/* Nothing at all, not even an empty List: kubectl failed, likely. */
	if (kyaml_document(y) == 0) {
		errmsg_set("%s: no YAML or JSON document in the input",
			   kyaml_name(y));
		goto out;
	}
	if (inv != NULL) {
		rc = inventory_commit(inv, &counts);
		inv = NULL;
		if (rc < 0 || settle(s, keep, time(NULL)) < 0) {
			status = EXIT_RUNTIME;
			goto out;
		}
	}
	print_counts(&counts);
	status = EXIT_DONE;
out:
	inventory_abort(inv);
	return status;
}

/* How often a watch resolves the raw rows its objects cover, at most. */
#define IMPORT_RESOLVE_INTERVAL_S 60

/* Each object in its own transaction, as it arrives. */
static int import_watch(struct store *s, struct kyaml *y, int64_t fixed_at,
			const struct keep *keep,
			struct skipped *sk)
{
	struct inventory_counts total = { 0 }, counts;
	const struct knode *obj;
	int64_t resolved = 0;
	int rc, status = EXIT_INVALID;

	while ((rc = kyaml_next(y, &obj)) == 1) {
		int64_t now = (int64_t)time(NULL);
		int64_t at = fixed_at ? fixed_at : now;
		struct inventory *inv;

		if (inventory_begin(s, INVENTORY_WATCH, at, &inv) < 0) {
			status = EXIT_RUNTIME;
			goto out;
		}
		if (import_object(inv, y, obj, at, sk, &status) < 0) {
			inventory_abort(inv);
			goto out;
		}
		if (inventory_commit(inv, &counts) < 0) {
			status = EXIT_RUNTIME;
			goto out;
		}
		total.pods += counts.pods;
		total.namespaces += counts.namespaces;
		total.nodes += counts.nodes;
		total.services += counts.services;
		total.owners += counts.owners;
		/*
		 * Resolution goes by whole hours: a pass a minute keeps up
		 * with them without a pass per event of a busy cluster.
		 */
		if (now - resolved >= IMPORT_RESOLVE_INTERVAL_S) {
			if (settle(s, keep, now) < 0) {
				status = EXIT_RUNTIME;
				goto out;
			}
			resolved = now;
		}
		/* Each object is there for whoever reads the database now. */
		fflush(stdout);
	}
	if (rc < 0 || settle(s, keep, (int64_t)time(NULL)) < 0) {
		status = rc < 0 ? status : EXIT_RUNTIME;
		goto out;
	}
	print_counts(&total);
	status = EXIT_DONE;
out:
	return status;
}

/*
 * Imports path ("-": standard input) into the database at db (NULL: the
 * default), as one snapshot taken at at (0: now) or, with watch, object
 * by object.  Returns the exit status, having told the user what failed.
 */
static int import_path(const char *db, const char *path, int64_t at,
		       int watch, const struct keep *keep)
{
	const char *source = "<stdin>";
	struct skipped sk = { 0 };
	struct store *s = NULL;
	struct kyaml *y = NULL;
	int status = EXIT_INVALID;
	FILE *fp = stdin;

	if (strcmp(path, "-") != 0) {
		source = path;
		if ((fp = fopen(path, "rb")) == NULL) {
			errmsg_set("%s: %s", path, strerror(errno));
			goto out;
		}
	}
	if (cli_store_open(store_path(db), 0, &s) < 0) {
		status = EXIT_RUNTIME;
		goto out;
	}
	if (kyaml_open(fp, source, 0, &y) < 0)
		goto out;
	if (watch)
		status = import_watch(s, y, at, keep, &sk);
	else
		status = import_snapshot(s, y, at ? at : (int64_t)time(NULL),
					 keep, &sk);
	report_skipped(&sk, source);
	if (status == EXIT_DONE && sk.invalid > 0) {
		fprintf(stderr,
			"policygen: %s: %zu object%s refused as the API server "
			"would (above), the rest imported\n",
			source, sk.invalid, sk.invalid == 1 ? "" : "s");
		status = EXIT_PARTIAL;
	}
out:
	if (status != EXIT_DONE && status != EXIT_PARTIAL)
		cli_print_error();
	kyaml_close(y);
	store_close(s);
	if (fp != NULL && fp != stdin)
		fclose(fp);
	return status;
}

struct import_cli {
	const char *db, *path; /* path: NULL for standard input */
	int64_t at;
	int watch;
	struct keep keep;
	int keep_given; /* --retention-days or --raw-retention-hours */
};

/* One option of import's, or its FILE, into a struct import_cli. */
static int set_option(void *ctx, int ch, char *arg)
{
	struct import_cli *c = ctx;

	switch (ch) {
	case 'd': c->db = arg; return 0;
	case 'a':
		if (timefmt_parse_rfc3339(arg, &c->at) < 0) {
			errmsg_prefix("--at");
			return -1;
		}
		return 0;
	case 'w': c->watch = 1; return 0;
	case 'r':
		c->keep_given = 1;
		return cli_parse_int("retention-days", arg, 0, 36500,
				     "a number of days from 0 to 36500",
				     &c->keep.days);
	case 'R':
		c->keep_given = 1;
		return cli_parse_int("raw-retention-hours", arg, 0, 876000,
				     "a number of hours from 0 to 876000",
				     &c->keep.raw_hours);
	case CLI_ARG:
		/* One FILE at most: the usage says so. */
		if (c->path != NULL)
			return CLI_REFUSED;
		c->path = arg;
		return 0;
	}
	return 0;
}

int cmd_import(int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_DB_OPTION,
		{ "at", required_argument, NULL, 'a' },
		{ "watch", no_argument, NULL, 'w' },
		{ "retention-days", required_argument, NULL, 'r' },
		{ "raw-retention-hours", required_argument, NULL, 'R' },
		CLI_OPTIONS_END,
	};
	struct import_cli c = { .keep = { IMPORT_RETENTION_DAYS,
					  IMPORT_RAW_RETENTION_HOURS } };
	enum cli_parsed parsed = cli_getopt(argc, argv, "h", opts,
					    import_usage, set_option, &c,
					    CLI_ANY_ARGS);

	if (parsed != CLI_RUN)
		return cli_exit_status(parsed);
	/* A node's database keeps podflowd's retention, not an import's. */
	if (c.keep_given && !cluster_is_uri(store_path(c.db))) {
		errmsg_set("--retention-days and --raw-retention-hours are a "
			   "cluster store's: podflowd keeps its database's "
			   "(retention_days, raw_retention_hours)");
		cli_print_error();
		return EXIT_INVALID;
	}
	return import_path(c.db, c.path ? c.path : "-", c.at, c.watch,
			   &c.keep);
}
