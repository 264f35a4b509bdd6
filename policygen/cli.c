/*
 * cli: what policygen's commands do alike.  Every command parses its
 * command line with the one option loop here, so that --help and an
 * unknown option get the same answer everywhere, and reports a failure
 * the one way; several take the databases of several nodes (--db,
 * repeatable, read-only), the one that holds review decisions
 * (--review-db), a time window, and a workload as [KIND/]NAME; those that
 * read one database share its opening and closing.
 */
#include <errno.h>
#include <limits.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "podflow/cluster.h"
#include "podflow/errmsg.h"
#include "podflow/grow.h"
#include "podflow/kname.h"
#include "podflow/timefmt.h"
#include "podflow/yemit.h"
#include "generate.h"
#include "policygen.h"

enum cli_parsed cli_getopt(int argc, char **argv, const char *shortopts,
			   const struct option *longopts,
			   void (*usage)(FILE *f),
			   int (*set)(void *ctx, int ch, char *arg), void *ctx,
			   int max_args)
{
	int ch, rc, n_args = 0;

	/* 0, not 1: glibc then forgets any earlier parse entirely. */
	optind = 0;
	while ((ch = getopt_long(argc, argv, shortopts, longopts, NULL)) !=
	       -1) {
		if (ch == 'h') {
			usage(stdout);
			return CLI_HELPED;
		}
		/* getopt_long() has said which option and why. */
		if (ch == '?' || ch == ':')
			rc = CLI_REFUSED;
		else
			rc = set(ctx, ch, optarg);
		if (rc != 0)
			goto out;
	}
	for (; optind < argc; optind++) {
		if (max_args == CLI_NO_ARGS) {
			rc = CLI_REFUSED;
			goto out;
		}
		if (n_args++ == max_args) {
			errmsg_set("unexpected argument '%s'", argv[optind]);
			return CLI_FAILED;
		}
		if ((rc = set(ctx, CLI_ARG, argv[optind])) != 0)
			goto out;
	}
	return CLI_RUN;
out:
	if (rc != CLI_REFUSED)
		return CLI_FAILED;
	usage(stderr);
	return CLI_REFUSED;
}

int cli_exit_status(enum cli_parsed parsed)
{
	if (parsed == CLI_HELPED)
		return 0;
	if (parsed == CLI_FAILED)
		cli_print_error();
	return EXIT_INVALID;
}

void cli_print_error(void)
{
	cli_progress_end();
	fprintf(stderr, "policygen: %s\n", errmsg_get());
}

/* The progress line's state: one command per process. */
static struct {
	const char *cmd;
	int enabled, shown;
	double delay; /* seconds before the line shows */
	struct timespec start, last;
} progress;

static double since(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) +
	       (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

void cli_progress_begin(const char *cmd)
{
	const char *env = getenv("PODFLOW_PROGRESS"), *term = getenv("TERM");
	char *end;

	progress.cmd = cmd;
	progress.delay = 1;
	if (env != NULL && env[0] != '\0') {
		if (strcmp(env, "off") == 0)
			return;
		progress.delay = strtod(env, &end);
		if (*end != '\0' || progress.delay < 0)
			progress.delay = 1;
	}
	progress.enabled = isatty(STDERR_FILENO) &&
			   !(term != NULL && strcmp(term, "dumb") == 0);
	clock_gettime(CLOCK_MONOTONIC, &progress.start);
	if (progress.enabled)
		atexit(cli_progress_end);
}

void cli_progress_clear(void)
{
	if (!progress.shown)
		return;
	fputs("\r\033[K", stderr);
	fflush(stderr);
	progress.shown = 0;
}

void cli_progress_end(void)
{
	/* Once the command writes, the line would come between its lines. */
	progress.enabled = 0;
	if (!progress.shown)
		return;
	fputs("\r\033[K", stderr);
	fflush(stderr);
	progress.shown = 0;
}

/* SQLite's progress handler for a store: ctx is its path. */
static int progress_tick(void *ctx)
{
	struct timespec now;
	double t;

	if (!progress.enabled)
		return 0;
	clock_gettime(CLOCK_MONOTONIC, &now);
	t = since(&progress.start, &now);
	/* A quarter second between rewrites is enough to see it move. */
	if (t < progress.delay ||
	    (progress.shown && since(&progress.last, &now) < 0.25))
		return 0;
	progress.last = now;
	progress.shown = 1;
	fprintf(stderr, "\rpolicygen %s: reading %s, %.0f s\033[K",
		progress.cmd, (const char *)ctx, t);
	fflush(stderr);
	return 0;
}

/*
 * Opens path read-only into *s, as every command reads a database: one
 * that does not exist is most often the wrong path, so the message says
 * how to give the right one.  Returns 0, or -1 with errmsg.
 */
int cli_store_open(const char *path, unsigned int flags, struct store **s)
{
	if (cluster_is_uri(path))
		return cluster_store_open(path, NULL, flags, s);
	return store_open(path, flags, s);
}

static int open_store(const char *path, struct store **s)
{
	struct stat st;

	if (cli_store_open(path, STORE_READONLY, s) == 0) {
		if (progress.enabled)
			store_set_progress(*s, progress_tick,
					   (void *)store_filename(*s));
		return 0;
	}
	/* A cluster store's message is the server's, or its schema's. */
	if (!cluster_is_uri(path) && stat(path, &st) < 0 && errno == ENOENT)
		errmsg_set("%s: no such database: give its path with --db PATH "
			   "or %s=PATH (podflowd writes %s)",
			   path, STORE_ENV_PATH, STORE_DEFAULT_PATH);
	return -1;
}

int cli_run_store(const char *db, int (*run)(struct store *s, void *ctx),
		  void *ctx)
{
	struct store *s = NULL;
	int status = EXIT_RUNTIME;

	if (open_store(store_path(db), &s) == 0)
		status = run(s, ctx);
	if (status == EXIT_INVALID || status == EXIT_RUNTIME)
		cli_print_error();
	store_close(s);
	return status;
}

/* What cli_store_main() hands cli_getopt() as set()'s ctx. */
struct store_main {
	const struct cli_store_cmd *cmd;
	void *ctx;
	const char *db; /* --db, or NULL */
};

static int set_store_main(void *arg, int ch, char *value)
{
	struct store_main *m = arg;

	if (ch == 'd') {
		m->db = value;
		return 0;
	}
	return m->cmd->set != NULL ? m->cmd->set(m->ctx, ch, value) : 0;
}

int cli_store_main(int argc, char **argv, const struct cli_store_cmd *cmd,
		   void *ctx)
{
	struct store_main m = { cmd, ctx, NULL };
	enum cli_parsed parsed =
		cli_getopt(argc, argv, cmd->shortopts, cmd->longopts,
			   cmd->usage, set_store_main, &m, CLI_NO_ARGS);

	if (parsed != CLI_RUN)
		return cli_exit_status(parsed);
	return cli_run_store(m.db, cmd->run, ctx);
}

int cli_dbs_main(int argc, char **argv, const struct cli_dbs_cmd *cmd,
		 struct cli_dbs *dbs, void *ctx)
{
	enum cli_parsed parsed =
		cli_getopt(argc, argv, cmd->shortopts, cmd->longopts,
			   cmd->usage, cmd->set, ctx, CLI_NO_ARGS);
	int status = EXIT_RUNTIME;

	if (parsed != CLI_RUN)
		return cli_exit_status(parsed);
	if (cli_open_dbs(dbs) == 0)
		status = cmd->run(dbs->stores, dbs->n_open, ctx);
	if (status == EXIT_INVALID || status == EXIT_RUNTIME)
		cli_print_error();
	cli_close_dbs(dbs);
	return status;
}

int cli_add_db(struct cli_dbs *d, const char *path)
{
	if (d->n == CLI_MAX_DBS) {
		errmsg_set("--db: at most %d databases", CLI_MAX_DBS);
		return -1;
	}
	d->paths[d->n++] = path;
	return 0;
}

/* Room in d->stores for one more, NULL until opened. */
static int add_store(struct cli_dbs *d)
{
	if (GROW(d->stores, d->cap_open, d->n_open + 1) < 0) {
		errmsg_set("out of memory");
		return -1;
	}
	d->stores[d->n_open] = NULL;
	return 0;
}

/*
 * A cluster store read as its nodes' databases would be, one store of
 * each (into d->stores), so that a connection two nodes saw counts once,
 * as with a --db of each; a store of none when no node has shipped.  They
 * share one connection, and one snapshot while a read of them is open.
 */
static int open_cluster(struct cli_dbs *d, const char *uri)
{
	struct store *base = NULL;
	char **nodes = NULL;
	size_t n = 0;
	int rc = -1;

	if (cluster_store_open(uri, NULL, STORE_READONLY, &base) < 0 ||
	    cluster_store_nodes(base, &nodes, &n) < 0)
		goto out;
	if (n == 0) {
		if (add_store(d) < 0)
			goto out;
		d->stores[d->n_open++] = base;
		base = NULL;
	}
	for (size_t i = 0; i < n; i++) {
		if (add_store(d) < 0)
			goto out;
		if (cluster_store_open_node(base, nodes[i], STORE_READONLY,
					    &d->stores[d->n_open]) < 0)
			goto out;
		d->n_open++;
	}
	rc = 0;
out:
	for (size_t i = 0; i < n; i++)
		free(nodes[i]);
	free(nodes);
	store_close(base);
	return rc;
}

int cli_open_dbs(struct cli_dbs *d)
{
	if (d->n == 0)
		d->paths[d->n++] = NULL; /* the default path */
	for (size_t i = 0; i < d->n; i++) {
		const char *path = store_path(d->paths[i]);

		if (cluster_is_uri(path)) {
			if (open_cluster(d, path) < 0)
				return -1;
			continue;
		}
		if (add_store(d) < 0)
			return -1;
		if (open_store(path, &d->stores[d->n_open++]) < 0)
			return -1;
	}
	if (d->review_path != NULL && open_store(d->review_path, &d->review) < 0)
		return -1;
	return 0;
}

struct store *cli_review_store(const struct cli_dbs *d)
{
	return d->review != NULL ? d->review : d->stores[0];
}

void cli_close_dbs(struct cli_dbs *d)
{
	store_close(d->review);
	d->review = NULL;
	for (size_t i = 0; i < d->n_open; i++)
		store_close(d->stores[i]);
	free(d->stores);
	d->stores = NULL;
	d->n_open = d->cap_open = 0;
}

int cli_set_scope(struct cli_scope *sc, int ch, char *arg)
{
	struct scope_ns *ns = &sc->ns;

	switch (ch) {
	case 'd': return cli_add_db(&sc->dbs, arg);
	case 'R': sc->dbs.review_path = arg; return 0;
	case 's': sc->since = arg; return 0;
	case 'u': sc->until = arg; return 0;
	case 'A': ns->all = 1; return 0;
	case 'n':
	case 'Y':
		if ((ch == 'n' ? ns->n : ns->n_system) == CLI_MAX_NAMESPACES) {
			errmsg_set("-%c: at most %d namespaces", ch == 'n' ? 'n' : 'Y',
				   CLI_MAX_NAMESPACES);
			return -1;
		}
		if (ch == 'n') {
			sc->namespaces[ns->n++] = arg;
			ns->names = sc->namespaces;
		} else {
			sc->system[ns->n_system++] = arg;
			ns->system = sc->system;
		}
		return 0;
	case 'w':
		snprintf(sc->workload_text, sizeof(sc->workload_text), "%s",
			 arg);
		if (scope_parse_workload(arg, &sc->workload) < 0) {
			errmsg_prefix("--workload");
			return -1;
		}
		sc->workload_ns_given = sc->workload.ns != NULL;
		return 0;
	}
	return 0;
}

int cli_scope_check(struct cli_scope *sc)
{
	struct scope_workload *w = &sc->workload;

	if (sc->ns.all && sc->ns.n > 0) {
		errmsg_set("-n and -A (--all-namespaces): give one");
		return -1;
	}
	if (w->name == NULL)
		return 0;
	if (w->ns == NULL && sc->ns.n == 1)
		w->ns = sc->ns.names[0];
	if (w->ns != NULL && sc->ns.n > 0 && !scope_has_ns(&sc->ns, w->ns)) {
		errmsg_set("--workload %s/%s%s%s is not in the namespaces -n "
			   "names",
			   w->ns, w->kind ? w->kind : "", w->kind ? "/" : "",
			   w->name);
		return -1;
	}
	return 0;
}

int cli_scope_has_namespace(const struct cli_scope *sc, const char *ns)
{
	if (sc->workload.ns != NULL)
		return strcmp(sc->workload.ns, ns) == 0;
	return scope_has_ns(&sc->ns, ns);
}

/* Whether sc covers end e, a workload's (e->namespace not NULL). */
static int has_end(const struct cli_scope *sc, const struct store_flow_end *e)
{
	return e->namespace != NULL && cli_scope_has_namespace(sc, e->namespace) &&
	       (sc->workload.name == NULL ||
		scope_workload_is(&sc->workload, e->namespace,
				  e->kind ? e->kind : "", e->name ? e->name : ""));
}

int cli_scope_has_flow(const struct cli_scope *sc,
		       const struct store_flow_end *src,
		       const struct store_flow_end *dst)
{
	if (sc->ns.all && sc->workload.name == NULL)
		return 1;
	if (has_end(sc, src) || has_end(sc, dst))
		return 1;
	return sc->ns.n == 0 && sc->workload.name == NULL &&
	       src->namespace == NULL && dst->namespace == NULL;
}

int cli_scope_generate(const struct cli_scope *sc, struct generate_opts *o)
{
	o->ns = sc->ns;
	o->workload = sc->workload;
	return cli_window(sc->since, sc->until, o->now, &o->since, &o->until);
}

int cli_generate(struct cli_scope *sc, struct generate_opts *o,
		 const struct generate_diag *diag, struct cli_generated *g)
{
	struct cli_dbs *dbs = &sc->dbs;

	if (cli_open_dbs(dbs) < 0 ||
	    review_load(cli_review_store(dbs), &g->review) < 0)
		return EXIT_RUNTIME;
	o->review = &g->review;
	cli_note_unstarted(dbs->stores, dbs->n_open, o->since, o->until);
	switch (generate_policies(dbs->stores, dbs->n_open, o, diag, &g->r)) {
	case GENERATE_OK:
		return EXIT_DONE;
	case GENERATE_REFUSED:
		return EXIT_INVALID;
	default:
		return EXIT_RUNTIME;
	}
}

void cli_generated_free(struct cli_scope *sc, struct cli_generated *g)
{
	generate_result_free(&g->r);
	review_set_free(&g->review);
	cli_close_dbs(&sc->dbs);
}

int cli_parse_when(const char *opt, const char *arg, int64_t now, int64_t *t)
{
	if (timefmt_parse_when(arg, now, t) < 0) {
		errmsg_prefix("--%s", opt);
		return -1;
	}
	return 0;
}

int cli_parse_int(const char *opt, const char *arg, int min, int max,
		     const char *what, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (*end || end == arg || errno == ERANGE || v < min || v > INT_MAX ||
	    (max > 0 && v > max)) {
		errmsg_set("--%s: '%s' is not %s", opt, arg, what);
		return -1;
	}
	*out = (int)v;
	return 0;
}

int cli_parse_duration(const char *opt, const char *arg, int64_t *out)
{
	int64_t t;

	/*
	 * What --since takes, but not a time: a digit first, and no '-'
	 * (timefmt_parse_when() reads "2026-..." as one).
	 */
	if (arg[0] < '0' || arg[0] > '9' || strchr(arg, '-') != NULL ||
	    timefmt_parse_when(arg, 0, &t) < 0) {
		errmsg_set("--%s: '%s' is not a duration like 30m or 1h", opt,
			   arg);
		return -1;
	}
	*out = -t;
	return 0;
}

int cli_window(const char *since, const char *until, int64_t now,
	       int64_t *from, int64_t *to)
{
	return (since && timefmt_parse_when(since, now, from) < 0) ||
			       (until && timefmt_parse_when(until, now, to) < 0)
		       ? -1
		       : 0;
}

void cli_note_unstarted(struct store *const *stores, size_t n, int64_t since,
			int64_t until)
{
	for (size_t i = 0; i < n; i++) {
		int64_t rows;

		/* A note only: the command's own query reports a broken file. */
		if (store_count_unstarted(stores[i], since, until, &rows) < 0 ||
		    rows == 0)
			continue;
		cli_progress_clear();
		fprintf(stderr,
			"policygen: note: %s: %lld flow row%s no connection "
			"start times (recorded before podflowd kept them, or "
			"found in a table dump without "
			"nf_conntrack_timestamp): credited to every pod that "
			"held an address at any time in the row's time "
			"bucket\n",
			store_filename(stores[i]), (long long)rows,
			rows == 1 ? " carries" : "s carry");
	}
}

struct yemit *cli_output_open(struct cli_output *out, enum cli_format format)
{
	if ((out->mem = open_memstream(&out->buf, &out->len)) == NULL ||
	    (out->y = yemit_open(out->mem, format == CLI_JSON ? YEMIT_JSON
							      : YEMIT_YAML)) ==
		    NULL) {
		errmsg_set("out of memory");
		return NULL;
	}
	yemit_doc_begin(out->y);
	return out->y;
}

int cli_output_close(struct cli_output *out)
{
	int rc = yemit_close(out->y);

	out->y = NULL;
	if (fflush(out->mem) != 0 && rc == 0) {
		errmsg_set("out of memory");
		rc = -1;
	}
	cli_progress_end();
	if (rc == 0 && (fwrite(out->buf, 1, out->len, stdout) != out->len ||
			fflush(stdout) != 0)) {
		errmsg_set("writing the output: %s", strerror(errno));
		rc = -1;
	}
	return rc;
}

void cli_output_free(struct cli_output *out)
{
	yemit_free(out->y);
	if (out->mem != NULL)
		fclose(out->mem);
	free(out->buf);
	*out = (struct cli_output){ 0 };
}

const char *cli_plural(size_t n)
{
	return n == 1 ? "" : "s";
}

int cli_parse_format(const char *arg, unsigned allowed, enum cli_format *out)
{
	/* Indexed by enum cli_format; the table has no name of its own. */
	static const char *const names[] = { NULL, "wide", "yaml", "json",
					     "name" };
	char list[64] = "";
	size_t used = 0;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (names[i] == NULL || !(allowed & CLI_FORMAT_BIT(i)))
			continue;
		if (strcmp(arg, names[i]) == 0) {
			*out = (enum cli_format)i;
			return 0;
		}
		used += (size_t)snprintf(list + used, sizeof(list) - used,
					 "%s%s", used ? ", " : "", names[i]);
	}
	errmsg_set("-o: '%s' is not an output format; this command's: %s",
		   arg, list);
	return -1;
}

/* The namespaces an inventory knows, for cli_say_empty(). */
struct known_ns {
	char **names;
	size_t n, cap;
};

static int add_known(const char *name, void *ctx)
{
	struct known_ns *k = ctx;

	if (GROW(k->names, k->cap, k->n + 1) < 0 ||
	    (k->names[k->n] = strdup(name)) == NULL) {
		errmsg_set("out of memory");
		return -1;
	}
	k->n++;
	return 0;
}

static int is_known(const struct known_ns *k, const char *ns)
{
	for (size_t i = 0; i < k->n; i++)
		if (strcmp(k->names[i], ns) == 0)
			return 1;
	return 0;
}

/* The known namespace nearest to ns, two edits at most, or NULL. */
static const char *nearest(const struct known_ns *k, const char *ns)
{
	const char *best = NULL;
	size_t d, least = 3;

	for (size_t i = 0; i < k->n; i++)
		if ((d = kname_distance(ns, k->names[i], 2)) < least) {
			least = d;
			best = k->names[i];
		}
	return best;
}

/* What find_workload() looks for, and what it found. */
struct workload_find {
	const struct cli_scope *sc;
	int found;
	struct scope_missing missing;
};

static int find_workload(const struct store_workload *w, void *ctx)
{
	struct workload_find *f = ctx;
	int covered = cli_scope_has_namespace(f->sc, w->namespace);

	if (covered && scope_workload_is(&f->sc->workload, w->namespace,
					 w->kind, w->name))
		f->found = 1;
	else
		scope_missing_offer(&f->missing, w->namespace, w->kind, w->name,
				    covered);
	return 0;
}

int cli_say_empty(struct store *s, const struct cli_scope *sc,
		  const char *what, const char *detail)
{
	struct workload_find f = {
		.sc = sc,
		.missing = { .want = &sc->workload,
			     .ns_given = sc->workload_ns_given },
	};

	cli_progress_end();
	struct known_ns k = { 0 };
	struct store_info info;
	size_t covered = 0;
	int status = EXIT_RUNTIME;

	if (store_read_info(s, &info) < 0 ||
	    store_read_namespaces(s, add_known, &k) < 0)
		goto out;
	status = EXIT_PARTIAL;
	if (info.last_import == 0) {
		fprintf(stderr,
			"policygen: no %s: %s holds no inventory; import one: "
			"kubectl get namespaces,nodes,pods,services,deployments,"
			"statefulsets,daemonsets,replicasets,jobs,cronjobs -A "
			"-o yaml | policygen import --db %s -\n",
			what, store_filename(s), store_filename(s));
		goto out;
	}
	for (size_t i = 0; i < sc->ns.n; i++) {
		const char *ns = sc->ns.names[i], *near;

		if (is_known(&k, ns))
			continue;
		near = nearest(&k, ns);
		fprintf(stderr,
			"policygen: no namespace %s in the inventory of %s%s%s%s\n",
			ns, store_filename(s), near ? "; did you mean " : "",
			near ? near : "", near ? "?" : "");
		goto out;
	}
	if (sc->workload.name != NULL) {
		if (store_read_workloads(&s, 1, NULL, find_workload, &f) < 0) {
			status = EXIT_RUNTIME;
			goto out;
		}
		/*
		 * A workload that names nothing is a wrong argument, refused
		 * as generate refuses it: errmsg, for the caller to print.
		 */
		if (!f.found) {
			scope_missing_error(&f.missing, sc->workload_text,
					    sc->ns.n);
			status = EXIT_INVALID;
			goto out;
		}
	}
	for (size_t i = 0; i < k.n; i++)
		covered += cli_scope_has_namespace(sc, k.names[i]);
	if (covered == 0 && k.n > 0 && sc->ns.n == 0) {
		fprintf(stderr,
			"policygen: no %s: the inventory's namespaces are all "
			"system ones (kube-system, kube-public, "
			"kube-node-lease, --system-namespace), left out unless "
			"named with -n or all taken with -A\n",
			what);
		goto out;
	}
	fprintf(stderr, "policygen: no %s in the namespaces covered%s%s\n",
		what, detail ? " " : "", detail ? detail : "");
out:
	for (size_t i = 0; i < k.n; i++)
		free(k.names[i]);
	free(k.names);
	return status;
}
