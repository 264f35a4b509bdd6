/*
 * policygen: the subcommands of the CLI, each in its own file.
 *
 * A command takes the arguments after its name (argv[0] is the command
 * name) and returns the process exit status, from the one table every
 * command uses (README, policygen(1)).
 */
#ifndef POLICYGEN_H
#define POLICYGEN_H

#include <getopt.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "podflow/store.h"
#include "podflow/store_read.h"
#include "generate.h"
#include "scope.h"

/* Done, and the answer is complete (check: nothing denied). */
#define EXIT_DONE 0
/* Done, but the answer is "no" or partial (check denied flows; import
 * refused objects; generate left workloads out). */
#define EXIT_PARTIAL 1
/* Usage or invalid input: nothing was done. */
#define EXIT_INVALID 2
/* A runtime failure: the database, a file, memory. */
#define EXIT_RUNTIME 3
#define CLI_MAX_DBS 64
/* -n and --system-namespace, each. */
#define CLI_MAX_NAMESPACES 64

/*
 * set()'s ch for a positional argument: getopt's own code for one, which
 * no command uses for an option.
 */
#define CLI_ARG 1
/* cli_getopt()'s max_args: every positional argument goes to set(). */
#define CLI_ANY_ARGS (-1)
/*
 * cli_getopt()'s max_args for a command that takes none: a positional
 * argument is answered with the usage (CLI_REFUSED), never seen by set().
 */
#define CLI_NO_ARGS (-2)

/* What cli_getopt() made of a command line. */
enum cli_parsed {
	CLI_FAILED = -1, /* an option's value or an argument is wrong: errmsg */
	CLI_RUN = 0, /* every option set: run the command */
	CLI_HELPED = 1, /* --help answered, the usage on stdout: exit 0 */
	CLI_REFUSED = 2, /* the usage on stderr said what is wrong: exit 2 */
};

/*
 * The one option loop of policygen's commands.  Parses argv (argv[0] the
 * command's name) with getopt_long(shortopts, longopts), from the start
 * whoever parsed before; both name --help as 'h'.  Each option goes to
 * set(ctx, ch, arg) as it comes (arg its value, NULL without one), --help
 * is answered at once with usage(stdout), then the positional arguments
 * go to set() one by one with ch CLI_ARG, at most max_args of them
 * (CLI_ANY_ARGS: no limit; CLI_NO_ARGS: none, and one is answered with
 * the usage).  set() returns 0, -1 with errmsg, or CLI_REFUSED when the
 * usage alone answers it (usage(stderr) follows).  info, workloads and
 * flows (CLI_NO_ARGS) and import (a second FILE) have always answered a
 * stray argument with the usage, the other commands with "unexpected
 * argument".
 *
 * Returns CLI_RUN; CLI_HELPED; CLI_REFUSED, after usage(stderr), for an
 * unknown option or one without its value (after getopt's own message)
 * or when set() refused; or CLI_FAILED with errmsg: what set() said, or
 * "unexpected argument 'ARG'" beyond max_args.
 */
enum cli_parsed cli_getopt(int argc, char **argv, const char *shortopts,
			   const struct option *longopts,
			   void (*usage)(FILE *f),
			   int (*set)(void *ctx, int ch, char *arg), void *ctx,
			   int max_args);

/*
 * The exit status of a command line cli_getopt() (or a command's own
 * checks after it) did not let run: 0 after --help, else EXIT_INVALID,
 * having printed errmsg for CLI_FAILED.
 */
int cli_exit_status(enum cli_parsed parsed);

/* Prints errmsg as policygen reports a failure: "policygen: MESSAGE". */
void cli_print_error(void);

/*
 * Opens the database at path (a file, or a cluster store's
 * postgresql:// URI) with store_open()'s flags into *s.  Returns 0, or
 * -1 with errmsg.
 */
int cli_store_open(const char *path, unsigned int flags, struct store **s);

/*
 * The tail of a command that reads one database: opens db (NULL: the
 * default path) read-only, runs run(s, ctx), which returns the exit status
 * (with errmsg when it is EXIT_INVALID or EXIT_RUNTIME), prints errmsg
 * then and closes the database.  Returns the status, EXIT_RUNTIME when the
 * database cannot be opened.
 */
int cli_run_store(const char *db, int (*run)(struct store *s, void *ctx),
		  void *ctx);

/*
 * A command that reads one database and takes no arguments (info, flows,
 * workloads), for cli_store_main().
 */
struct cli_store_cmd {
	const char *shortopts; /* as cli_getopt()'s */
	const struct option *longopts; /* with CLI_DB_OPTION */
	void (*usage)(FILE *f);
	int (*set)(void *ctx, int ch, char *arg); /* NULL: --db alone */
	int (*run)(struct store *s, void *ctx); /* as cli_run_store()'s */
};

/*
 * The whole of such a command: its command line through cli_getopt()
 * (CLI_NO_ARGS), --db kept here and every other option handed to
 * cmd->set(ctx, ...), then cli_run_store() of --db with cmd->run and ctx.
 * Returns the exit status.
 */
int cli_store_main(int argc, char **argv, const struct cli_store_cmd *cmd,
		   void *ctx);

/* The databases of a command (cli.c); zero-initialised. */
struct cli_dbs {
	const char *paths[CLI_MAX_DBS]; /* --db, in order */
	size_t n;
	const char *review_path; /* --review-db, or NULL */
	/* Opened by cli_open_dbs(): a file each, a cluster store's nodes. */
	struct store **stores;
	size_t n_open, cap_open;
	struct store *review;
};

/*
 * A command that reads every --db given (the default path when none
 * was) and takes no arguments (flows, workloads), for cli_dbs_main().
 */
struct cli_dbs_cmd {
	const char *shortopts; /* as cli_getopt()'s */
	const struct option *longopts; /* with CLI_DB_OPTION */
	void (*usage)(FILE *f);
	int (*set)(void *ctx, int ch, char *arg); /* --db: cli_set_scope() */
	/* The exit status, with errmsg when EXIT_INVALID or EXIT_RUNTIME. */
	int (*run)(struct store *const *stores, size_t n, void *ctx);
};

/*
 * The whole of such a command: its command line through cli_getopt()
 * (CLI_NO_ARGS) with cmd->set(ctx, ...), which keeps --db in dbs, then
 * cmd->run() of the databases opened (cli_open_dbs()), errmsg printed
 * when it fails.  Returns the exit status.
 */
int cli_dbs_main(int argc, char **argv, const struct cli_dbs_cmd *cmd,
		 struct cli_dbs *dbs, void *ctx);

/* Adds a --db.  Returns 0, or -1 with errmsg (too many). */
int cli_add_db(struct cli_dbs *d, const char *path);

/*
 * Opens every --db read-only (the default path when none was given), and
 * --review-db.  Returns 0, or -1 with errmsg; cli_close_dbs() either way.
 */
int cli_open_dbs(struct cli_dbs *d);

/* Where review decisions are read: --review-db, else the first --db. */
struct store *cli_review_store(const struct cli_dbs *d);

void cli_close_dbs(struct cli_dbs *d);

/*
 * What picks the flows generate, check and review list read, as given:
 * the databases, the window, the namespaces and the workload.
 * Zero-initialised.
 */
struct cli_scope {
	struct cli_dbs dbs; /* --db..., --review-db */
	const char *since, *until; /* --since, --until, for cli_window() */
	const char *namespaces[CLI_MAX_NAMESPACES]; /* -n, in order */
	const char *system[CLI_MAX_NAMESPACES]; /* --system-namespace */
	struct scope_ns ns; /* of the two above and -A */
	struct scope_workload workload; /* --workload; name NULL: none */
	char workload_text[256]; /* --workload as given, for messages */
	int workload_ns_given; /* its namespace was in it, not from -n */
};

/*
 * One option of a struct cli_scope, if ch is its getopt value, the same
 * in every command: 'd' --db, 'R' --review-db, 's' --since, 'u' --until,
 * 'n' --namespace, 'A' --all-namespaces, 'Y' --system-namespace, 'w'
 * --workload; any other ch is left alone.  Returns 0, or -1 with errmsg.
 */
int cli_set_scope(struct cli_scope *sc, int ch, char *arg);

/*
 * Checks the namespaces and the workload of sc together, once every
 * option is set: -n with -A is refused, a --workload without a namespace
 * takes the one -n names, and one whose namespace -n leaves out is
 * refused.  Returns 0, or -1 with errmsg.
 */
int cli_scope_check(struct cli_scope *sc);

/* Whether sc covers namespace ns (scope_has_ns(), or the workload's). */
int cli_scope_has_namespace(const struct cli_scope *sc, const char *ns);

/*
 * Whether sc covers a flow between src and dst: an end is its workload,
 * or a workload of a namespace covered; without -n or --workload, a flow
 * with no end in any namespace (a node's, the internet's) as well.
 */
int cli_scope_has_flow(const struct cli_scope *sc,
		       const struct store_flow_end *src,
		       const struct store_flow_end *dst);

/*
 * Options that commands spell alike, for their tables of options; where
 * cli_set_scope() takes one, with its getopt value.  --db PATH: a
 * database; with cli_set_scope(), one of several.
 */
#define CLI_DB_OPTION { "db", required_argument, NULL, 'd' }

/* --since T and --until T, the time of a window of flows: */
#define CLI_TIME_OPTIONS                                   \
	{ "since", required_argument, NULL, 's' },         \
	{ "until", required_argument, NULL, 'u' }

/* --now T, the time the other times count back from: */
#define CLI_NOW_OPTION { "now", required_argument, NULL, 'N' }

/* -n, -A and --system-namespace, the namespaces covered: */
#define CLI_NAMESPACE_OPTIONS                                   \
	{ "namespace", required_argument, NULL, 'n' },          \
	{ "all-namespaces", no_argument, NULL, 'A' },           \
	{ "system-namespace", required_argument, NULL, 'Y' }

/* The namespaces, --workload and the time, a window of flows: */
#define CLI_WINDOW_OPTIONS                                 \
	CLI_NAMESPACE_OPTIONS,                             \
	{ "workload", required_argument, NULL, 'w' },      \
	CLI_TIME_OPTIONS

/*
 * The end of every table of options: --help, which cli_getopt() answers
 * itself, and the zero entry getopt_long() stops at.
 */
#define CLI_OPTIONS_END { "help", no_argument, NULL, 'h' }, { 0 }

/*
 * Gives o, the options of generate's engine (for generate and review
 * list), the namespace, workload and window of sc, the window counted
 * back from o->now.  Returns 0, or -1 with errmsg: the window is wrong.
 */
int cli_scope_generate(const struct cli_scope *sc, struct generate_opts *o);

/*
 * What generate's engine gave a command (cli_generate()): the result, and
 * the review decisions its proposals point into.  Zero-initialised.
 */
struct cli_generated {
	struct review_set review;
	struct generate_result r;
};

/*
 * generate's engine as generate and review list run it: over the
 * databases of sc, opened here (cli_open_dbs()), with o and diag, the
 * review decisions of cli_review_store() read into g->review and given to
 * o, after the note on the window's rows credited by time bucket.  Returns
 * EXIT_DONE with the result in g->r, or with errmsg EXIT_INVALID (the
 * request names nothing, or cannot be met: generate_policies()) or
 * EXIT_RUNTIME (a database failed); cli_generated_free() either way.
 */
int cli_generate(struct cli_scope *sc, struct generate_opts *o,
		 const struct generate_diag *diag, struct cli_generated *g);

/* Frees *g and closes the databases of sc. */
void cli_generated_free(struct cli_scope *sc, struct cli_generated *g);

/*
 * The value arg of the time option --opt (opt its long name, "now"): an
 * RFC 3339 time or a duration back from now, into *t.  Returns 0, or -1
 * with errmsg prefixed with "--opt".
 */
int cli_parse_when(const char *opt, const char *arg, int64_t now, int64_t *t);

/*
 * A number for --opt from min to max (max 0: no bound) into *out; else -1
 * with errmsg "--opt: 'arg' is not what".
 */
int cli_parse_int(const char *opt, const char *arg, int min, int max,
		  const char *what, int *out);

/*
 * The value arg of the duration option --opt (opt its long name,
 * "stable-after"): N followed by s, m, h or d, in seconds into *out.
 * Returns 0, or -1 with errmsg.
 */
int cli_parse_duration(const char *opt, const char *arg, int64_t *out);

/*
 * --stable-after's default, in generate and workloads alike: a workload
 * whose entries are all an hour old is stable.
 */
#define CLI_STABLE_AFTER 3600

/*
 * --since and --until (either may be NULL: left as they are), relative to
 * now.  Returns 0, or -1 with errmsg.
 */
int cli_window(const char *since, const char *until, int64_t now,
	       int64_t *from, int64_t *to);

/*
 * Tells the user, on stderr, of the rows in the window that are credited
 * by their time bucket, not by their start times (store_count_unstarted()).
 */
void cli_note_unstarted(struct store *const *stores, size_t n, int64_t since,
			int64_t until);

/* What -o asks for, as kubectl's -o does. */
enum cli_format {
	CLI_TABLE, /* no -o: the aligned table of a command that prints rows */
	CLI_WIDE,  /* -o wide: the table with more columns */
	CLI_YAML,
	CLI_JSON,
	CLI_NAME, /* -o name: one name per line, as other commands take it */
};

/* A set of enum cli_format, for cli_parse_format(). */
#define CLI_FORMAT_BIT(f) (1u << (f))

/*
 * -o arg into *out, if it is one of the formats in allowed (a set of
 * CLI_FORMAT_BIT()s).  Returns 0, or -1 with errmsg naming the formats
 * the command takes.
 */
int cli_parse_format(const char *arg, unsigned allowed, enum cli_format *out);


/*
 * Says on stderr why a command found no what ("workloads", "flows") in s
 * within sc, and what to do about it: the database holds no inventory;
 * -n names a namespace the inventory does not know (and the one meant);
 * --workload names none (and where it is, or the one meant); every
 * namespace known is a system one, left out without -A; else "none in
 * the namespaces covered" and then detail (NULL: nothing more), e.g. the
 * window.  Returns EXIT_PARTIAL; EXIT_INVALID with errmsg (not printed)
 * for a --workload that names nothing, as generate refuses it; or
 * EXIT_RUNTIME with errmsg when s cannot be read.
 */
int cli_say_empty(struct store *s, const struct cli_scope *sc,
		  const char *what, const char *detail);

/*
 * The progress line: while a command reads a database for longer than a
 * second, "policygen CMD: reading PATH, N s" on stderr, rewritten in
 * place, when stderr is a terminal (PODFLOW_PROGRESS: the seconds to
 * wait, default 1; "off" for none).  cli_progress_begin() at the start of
 * a command (cmd its name); every store the command opens reports
 * through it.  cli_progress_clear() clears the line before a message
 * on stderr, after which it may come back; cli_progress_end() clears it
 * for good, before the command writes its answer (and at exit).
 */
void cli_progress_begin(const char *cmd);
void cli_progress_clear(void);
void cli_progress_end(void);

/*
 * -o yaml|json made whole before it is written: the objects go into
 * memory, and to stdout only when the command got them all, so that a
 * failure half way writes nothing.  Zero-initialised.
 */
struct cli_output {
	FILE *mem;
	char *buf;
	size_t len;
	struct yemit *y;
};

/*
 * Starts *out in format (CLI_YAML or CLI_JSON), a document begun.
 * Returns its emitter, or NULL with errmsg; cli_output_free() either way.
 */
struct yemit *cli_output_open(struct cli_output *out, enum cli_format format);

/*
 * Ends the stream and writes it to stdout (after cli_progress_end()).
 * Returns 0, or -1 with errmsg.
 */
int cli_output_close(struct cli_output *out);

/* Frees what *out holds; a stream not closed is not written. */
void cli_output_free(struct cli_output *out);

/* "s" unless n is 1: the ending of a count's noun ("1 pod", "2 pods"). */
const char *cli_plural(size_t n);

int cmd_info(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_flows(int argc, char **argv);
int cmd_workloads(int argc, char **argv);
int cmd_generate(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_review(int argc, char **argv);
int cmd_ship(int argc, char **argv);

#endif
