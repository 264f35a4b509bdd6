/*
 * policygen: the subcommands of the CLI, each in its own file.
 *
 * A command takes the arguments after its name (argv[0] is the command
 * name) and returns the process exit status: 0 success, 1 a finding the
 * user asked about, 2 invalid input or a failure.
 */
#ifndef POLICYGEN_H
#define POLICYGEN_H

#include <stddef.h>
#include <stdint.h>

#include "podflow/store.h"

#define EXIT_INVALID 2
#define CLI_MAX_DBS 64

/* The databases of a command (cli.c); zero-initialised. */
struct cli_dbs {
	const char *paths[CLI_MAX_DBS]; /* --db, in order */
	size_t n;
	const char *review_path; /* --review-db, or NULL */
	struct store *stores[CLI_MAX_DBS]; /* opened by cli_open_dbs() */
	size_t n_open;
	struct store *review;
};

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

/* Splits a --workload [KIND/]NAME in place; *kind is left alone without one. */
void cli_split_workload(char *arg, const char **kind, const char **name);

int cmd_info(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_flows(int argc, char **argv);
int cmd_workloads(int argc, char **argv);
int cmd_generate(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_review(int argc, char **argv);

#endif
