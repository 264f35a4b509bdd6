/*
 * policygen info: a summary of a database, for an operator checking that
 * podflowd is recording before generating anything.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "podflow/errmsg.h"
#include "podflow/store.h"
#include "policygen.h"
#include "sql.h"

static void info_usage(FILE *f)
{
	fprintf(f, "usage: policygen info [--db PATH]\n");
}

static void print_meta(struct store *s, const char *key, const char *label)
{
	char *value = NULL;

	if (store_meta_get(s, key, &value) == 0)
		printf("%-15s %s\n", label, value ? value : "-");
	free(value);
}

static int print_summary(struct store *s)
{
	sqlite3_stmt *st = NULL;
	int rc = -1;

	if (sqlite3_prepare_v2(store_db(s), sql_info_summary, -1, &st, NULL) !=
		    SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW) {
		store_db_error(s);
		goto out;
	}
	printf("%-15s %lld distinct, %lld rows in %lld time buckets\n",
	       "edges:", sqlite3_column_int64(st, 1),
	       sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 2));
	if (sqlite3_column_type(st, 3) != SQLITE_NULL)
		printf("%-15s %s .. %s\n", "seen:", sqlite3_column_text(st, 3),
		       sqlite3_column_text(st, 4));
	rc = 0;
out:
	sqlite3_finalize(st);
	return rc;
}

/* What cmd_info() reads and prints: see cli_run_store(). */
static int show_info(struct store *s, void *ctx)
{
	(void)ctx;
	printf("%-15s %s\n", "database:", store_filename(s));
	printf("%-15s %d (this policygen reads up to %d)\n", "schema:",
	       store_schema_version(s), store_schema_latest());
	print_meta(s, "node", "node:");
	print_meta(s, "pod_cidrs", "pod CIDRs:");
	print_meta(s, "time_bucket_seconds", "bucket seconds:");
	return print_summary(s) < 0 ? EXIT_INVALID : 0;
}

/* --db, the one option, into ctx (a const char *). */
static int set_option(void *ctx, int ch, char *arg)
{
	if (ch == 'd')
		*(const char **)ctx = arg;
	return 0;
}

int cmd_info(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *db = NULL;
	enum cli_parsed parsed = cli_getopt(argc, argv, "h", opts, info_usage,
					    set_option, &db, CLI_NO_ARGS);

	if (parsed != CLI_RUN)
		return cli_exit_status(parsed);
	return cli_run_store(db, show_info, NULL);
}
