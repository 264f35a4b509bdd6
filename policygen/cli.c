/*
 * cli: what policygen's commands do alike.  Every command parses its
 * command line with the one option loop here, so that --help and an
 * unknown option get the same answer everywhere, and reports a failure
 * the one way; several take the databases of several nodes (--db,
 * repeatable, read-only), the one that holds review decisions
 * (--review-db), a time window, and a workload as [KIND/]NAME; those that
 * read one database share its opening and closing.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "podflow/errmsg.h"
#include "podflow/timefmt.h"
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
	fprintf(stderr, "policygen: %s\n", errmsg_get());
}

int cli_run_store(const char *db, int (*run)(struct store *s, void *ctx),
		  void *ctx)
{
	struct store *s = NULL;
	int status = EXIT_RUNTIME;

	if (store_open(store_path(db), STORE_READONLY, &s) == 0)
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

int cli_add_db(struct cli_dbs *d, const char *path)
{
	if (d->n == CLI_MAX_DBS) {
		errmsg_set("--db: at most %d databases", CLI_MAX_DBS);
		return -1;
	}
	d->paths[d->n++] = path;
	return 0;
}

int cli_open_dbs(struct cli_dbs *d)
{
	if (d->n == 0)
		d->paths[d->n++] = NULL; /* the default path */
	for (; d->n_open < d->n; d->n_open++)
		if (store_open(store_path(d->paths[d->n_open]), STORE_READONLY,
			       &d->stores[d->n_open]) < 0)
			return -1;
	if (d->review_path != NULL &&
	    store_open(d->review_path, STORE_READONLY, &d->review) < 0)
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
	d->n_open = 0;
}

int cli_set_scope(struct cli_scope *sc, int ch, char *arg)
{
	switch (ch) {
	case 'd': return cli_add_db(&sc->dbs, arg);
	case 'R': sc->dbs.review_path = arg; return 0;
	case 's': sc->since = arg; return 0;
	case 'u': sc->until = arg; return 0;
	case 'n': sc->namespace = arg; return 0;
	case 'w':
		cli_split_workload(arg, &sc->workload_kind, &sc->workload_name);
		return 0;
	}
	return 0;
}

int cli_scope_generate(const struct cli_scope *sc, struct generate_opts *o)
{
	o->namespace = sc->namespace;
	o->workload_kind = sc->workload_kind;
	o->workload_name = sc->workload_name;
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

void cli_split_workload(char *arg, const char **kind, const char **name)
{
	char *slash = strchr(arg, '/');

	if (slash != NULL) {
		*slash = '\0';
		*kind = arg;
		*name = slash + 1;
	} else {
		*name = arg;
	}
}
