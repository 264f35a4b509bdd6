/*
 * Unit tests for config: sizes, bounds, and a failed load that leaves the
 * configuration in force untouched (a bad SIGHUP must not half-apply).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "podflow/errmsg.h"
#include "collector/config.h"
#include "support/testkit.h"

static char path[64];

static void write_config(const char *text)
{
	FILE *fp;

	strcpy(path, "/tmp/podflow-test-config.XXXXXX");
	close(mkstemp(path));
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

/*
 * Loads text, through a temporary file (its name stays in path), into
 * cfg: config_load()'s result.
 */
static int load_text(const char *text, struct config *cfg)
{
	int rc;

	write_config(text);
	rc = config_load(path, 0, cfg);
	unlink(path);
	return rc;
}

/* A number as text, and what it parses to (rc -1: refused). */
struct number_case {
	const char *text;
	int rc;
	uint64_t want;
};

static void test_sizes(void **state)
{
	static const struct number_case cases[] = {
		{ "4096", 0, 4096 },
		{ "64K", 0, 65536 },
		{ "64M", 0, 64ULL << 20 },
		{ "1G", 0, 1ULL << 30 },
		{ "8MiB", 0, 8ULL << 20 },
		{ "2k", 0, 2048 },
		{ "", -1, 0 },
		{ "M", -1, 0 },
		{ "-1", -1, 0 },
		{ "10T", -1, 0 },
		{ "10 M", -1, 0 },
		{ "99999999999999999999G", -1, 0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t v = 0;
		int rc = config_parse_size(cases[i].text, &v);

		if (rc != cases[i].rc || (rc == 0 && v != cases[i].want))
			fail_msg("'%s': rc %d, %llu; want rc %d, %llu",
				 cases[i].text, rc, (unsigned long long)v,
				 cases[i].rc,
				 (unsigned long long)cases[i].want);
	}
}

/* Within 10 to 20, in decimal digits only. */
static void test_uint_bounds(void **state)
{
	static const struct number_case cases[] = {
		{ "10", 0, 10 },   { "9", -1, 0 },   { "21", -1, 0 },
		{ "+15", -1, 0 },  { "15s", -1, 0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		unsigned long v = 0;
		int rc = config_parse_uint(cases[i].text, 10, 20, &v);

		if (rc != cases[i].rc || (rc == 0 && v != cases[i].want))
			fail_msg("'%s': rc %d, %lu; want rc %d, %llu",
				 cases[i].text, rc, v, cases[i].rc,
				 (unsigned long long)cases[i].want);
	}
}

static void test_defaults(void **state)
{
	struct config cfg;

	(void)state;
	config_init(&cfg);
	assert_int_equal(cfg.flush_interval_ms, 5000);
	assert_int_equal(cfg.netlink_buffer_bytes, 64ULL << 20);
	assert_int_equal(cfg.time_bucket_seconds, 60);
	assert_null(cfg.db);
	assert_int_equal(config_validate(&cfg), -1);
	testkit_assert_errmsg("no pod CIDRs");
	config_free(&cfg);
}

static void test_failed_load_leaves_config_unchanged(void **state)
{
	struct config cfg;

	(void)state;
	config_init(&cfg);
	assert_int_equal(load_text("pod_cidrs: [10.244.0.0/16]\n"
				   "flush_interval_ms: 250\n",
				   &cfg),
			 0);
	assert_int_equal(cfg.n_pod_cidrs, 1);
	assert_int_equal(cfg.flush_interval_ms, 250);

	/* Valid keys first, then a bad one: none of it may apply. */
	assert_int_equal(load_text("pod_cidrs: [10.1.0.0/16, 10.2.0.0/16]\n"
				   "flush_interval_ms: 500\n"
				   "retention_days: forever\n",
				   &cfg),
			 -1);
	testkit_assert_errmsg(":3: retention_days");
	assert_int_equal(cfg.n_pod_cidrs, 1);
	assert_int_equal(cfg.flush_interval_ms, 250);
	config_free(&cfg);
}

static void test_single_cidr_scalar_and_empty_file(void **state)
{
	struct config cfg;
	char *text;

	(void)state;
	config_init(&cfg);
	assert_int_equal(load_text("", &cfg), 0);
	assert_int_equal(cfg.n_pod_cidrs, 0);
	assert_int_equal(load_text("pod_cidrs: fd00:10:244::/48\n", &cfg), 0);
	text = config_pod_cidrs_text(&cfg);
	assert_string_equal(text, "fd00:10:244::/48");
	free(text);
	config_free(&cfg);
}

static void test_metrics_file(void **state)
{
	struct config cfg, copy;

	(void)state;
	config_init(&cfg);
	assert_null(cfg.metrics_file);
	assert_int_equal(cfg.metrics_interval_seconds, 15);
	assert_int_equal(load_text("metrics_file: "
				   "/var/lib/prometheus/node-exporter/"
				   "podflowd.prom\n"
				   "metrics_interval_seconds: 30\n",
				   &cfg),
			 0);
	assert_string_equal(cfg.metrics_file,
			    "/var/lib/prometheus/node-exporter/podflowd.prom");
	assert_int_equal(cfg.metrics_interval_seconds, 30);
	/* A failed reload keeps the file (and frees nothing twice). */
	config_init(&copy);
	assert_int_equal(load_text("metrics_file: podflowd.prom\n", &cfg), -1);
	testkit_assert_errmsg(":1: metrics_file: 'podflowd.prom' is not an "
			      "absolute file path");
	assert_string_equal(cfg.metrics_file,
			    "/var/lib/prometheus/node-exporter/podflowd.prom");
	assert_int_equal(load_text("metrics_interval_seconds: 0\n", &cfg), -1);
	config_free(&copy);
	config_free(&cfg);
}

/* A directory is named as such, not "input error". */
static void test_directory_is_refused(void **state)
{
	struct config cfg;

	(void)state;
	config_init(&cfg);
	assert_int_equal(config_load("/tmp", 0, &cfg), -1);
	assert_string_equal(errmsg_get(),
			    "/tmp: is a directory: give the configuration file");
	config_free(&cfg);
}

static void test_missing_file(void **state)
{
	struct config cfg;

	(void)state;
	config_init(&cfg);
	assert_int_equal(config_load("/nonexistent/podflowd.yaml", 1, &cfg),
			 0);
	assert_int_equal(config_load("/nonexistent/podflowd.yaml", 0, &cfg),
			 -1);
	testkit_assert_errmsg("No such file");
	config_free(&cfg);
}

/* Every message names the file and the line, never a column. */
static void test_errors_name_file_and_line(void **state)
{
	static const struct {
		const char *text, *want;
	} cases[] = {
		{ "pod_cidrs: [10.244.0.0/16]\ndb: x\n  - nonsense: [u\n",
		  ":3: mapping values are not allowed" },
		{ "pod_cidrs: [10.244.0.0/16]\nretention_days:\n",
		  ":2: retention_days: missing value" },
		{ "retention_days: 1\npod_cidrs:\n  - 10.0.0.0/8\n  - x\n",
		  ":4: pod_cidrs: 'x' is not a CIDR prefix" },
		{ "pod_cidrs: {a: b}\n",
		  ":1: pod_cidrs: expected a list of CIDR prefixes" },
		{ "- 10.0.0.0/8\n", ":1: expected a mapping of settings" },
		{ "\n\nflush: 1\n", ":3: unknown key 'flush'" },
		/*
		 * Read as every YAML podflow reads: aliases are refused (an
		 * alias bomb is an input like any other), a null is a missing
		 * value whatever its spelling, and a top-level items is no
		 * Kubernetes List here.
		 */
		{ "pod_cidrs: [10.244.0.0/16]\nflush_interval_ms: &a 100\n"
		  "stats_interval_seconds: *a\n",
		  ":3: YAML aliases are not supported" },
		{ "pod_cidrs: [10.244.0.0/16]\ndb: ~\n", ":2: db: missing value" },
		{ "pod_cidrs: [10.244.0.0/16]\ndb: null\n",
		  ":2: db: missing value" },
		{ "items: []\n", ":1: unknown key 'items'" },
		{ "~\n", ":1: expected a mapping of settings" },
		/* Nothing read two ways, or cut short. */
		{ "pod_cidrs: [10.244.0.0/16]\nflush_interval_ms: 100\n"
		  "flush_interval_ms: 60000\n",
		  ":3: duplicate key 'flush_interval_ms' (first on line 2)" },
		{ "pod_cidrs: [10.244.0.0/16]\n---\nflush_interval_ms: 100\n",
		  ":3: a second YAML document" },
		{ "pod_cidrs: [10.244.0.0/16]\ndb: \"/var/lib/x\\0.db\"\n",
		  ":2: a NUL character in a value" },
		{ "pod_cidrs: [\"10.244.0.0/16\\0\"]\n",
		  ":1: a NUL character in a value" },
		{ "pod_cidrs: [10.244.0.0/16]\n\"db\\0x\": /tmp/x.db\n",
		  ":2: a mapping key with a NUL character" },
		{ "pod_cidrs: [\"::ffff:10.244.0.0/112\"]\n",
		  ":1: pod_cidrs: '::ffff:10.244.0.0/112' is an IPv4-mapped" },
	};
	char want[128];
	struct config cfg;

	(void)state;
	config_init(&cfg);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (load_text(cases[i].text, &cfg) != -1)
			fail_msg("case %zu loaded, want an error", i + 1);
		snprintf(want, sizeof(want), "%s%s", path, cases[i].want);
		if (strncmp(errmsg_get(), want, strlen(want)) != 0)
			fail_msg("want '%s', got '%s'", want, errmsg_get());
	}
	config_free(&cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_uint_bounds),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_failed_load_leaves_config_unchanged),
		cmocka_unit_test(test_single_cidr_scalar_and_empty_file),
		cmocka_unit_test(test_metrics_file),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_directory_is_refused),
		cmocka_unit_test(test_errors_name_file_and_line),
	};

	return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
