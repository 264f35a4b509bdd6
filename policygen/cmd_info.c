/*
 * policygen info: a summary of a database, for an operator checking that
 * podflowd is recording before generating anything.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "podflow/errmsg.h"
#include "podflow/store.h"
#include "podflow/store_read.h"
#include "podflow/timefmt.h"
#include "policygen.h"

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
	char first[TIMEFMT_LEN], last[TIMEFMT_LEN];
	struct store_info info;

	if (store_read_info(s, &info) < 0)
		return -1;
	printf("%-15s %lld distinct, %lld rows in %lld time buckets\n",
	       "edges:", (long long)info.edges, (long long)info.rows,
	       (long long)info.buckets);
	if (info.rows > 0)
		printf("%-15s %s .. %s\n", "seen:",
		       timefmt_format(info.first_seen, first),
		       timefmt_format(info.last_seen, last));
	return 0;
}

/* What cmd_info() reads and prints: see cli_store_main(). */
static int show_info(struct store *s, void *ctx)
{
	(void)ctx;
	printf("%-15s %s\n", "database:", store_filename(s));
	printf("%-15s %d (this policygen reads up to %d)\n", "schema:",
	       store_schema_version(s), store_schema_latest());
	print_meta(s, "node", "node:");
	print_meta(s, "pod_cidrs", "pod CIDRs:");
	print_meta(s, "time_bucket_seconds", "bucket seconds:");
	return print_summary(s) < 0 ? EXIT_RUNTIME : EXIT_DONE;
}

int cmd_info(int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_DB_OPTION,
		CLI_OPTIONS_END,
	};
	static const struct cli_store_cmd info = {
		"h", opts, info_usage, NULL, show_info
	};

	return cli_store_main(argc, argv, &info, NULL);
}
