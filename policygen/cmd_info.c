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

int cmd_info(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *db = NULL;
	struct store *s = NULL;
	int c, status = EXIT_INVALID;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			db = optarg;
			break;
		case 'h':
			info_usage(stdout);
			return 0;
		default:
			info_usage(stderr);
			return EXIT_INVALID;
		}
	}
	if (optind != argc) {
		info_usage(stderr);
		return EXIT_INVALID;
	}
	if (store_open(store_path(db), STORE_READONLY, &s) < 0)
		goto out;
	printf("%-15s %s\n", "database:", store_filename(s));
	printf("%-15s %d (this policygen reads up to %d)\n", "schema:",
	       store_schema_version(s), store_schema_latest());
	print_meta(s, "node", "node:");
	print_meta(s, "pod_cidrs", "pod CIDRs:");
	print_meta(s, "time_bucket_seconds", "bucket seconds:");
	if (print_summary(s) < 0)
		goto out;
	status = 0;
out:
	if (status != 0)
		fprintf(stderr, "policygen: %s\n", errmsg_get());
	store_close(s);
	return status;
}
