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

static void test_sizes(void **state)
{
	uint64_t v;

	(void)state;
	assert_int_equal(config_parse_size("4096", &v), 0);
	assert_int_equal(v, 4096);
	assert_int_equal(config_parse_size("64K", &v), 0);
	assert_int_equal(v, 65536);
	assert_int_equal(config_parse_size("64M", &v), 0);
	assert_int_equal(v, 64ULL << 20);
	assert_int_equal(config_parse_size("1G", &v), 0);
	assert_int_equal(v, 1ULL << 30);
	assert_int_equal(config_parse_size("8MiB", &v), 0);
	assert_int_equal(v, 8ULL << 20);
	assert_int_equal(config_parse_size("2k", &v), 0);
	assert_int_equal(v, 2048);
	assert_int_equal(config_parse_size("", &v), -1);
	assert_int_equal(config_parse_size("M", &v), -1);
	assert_int_equal(config_parse_size("-1", &v), -1);
	assert_int_equal(config_parse_size("10T", &v), -1);
	assert_int_equal(config_parse_size("10 M", &v), -1);
	assert_int_equal(config_parse_size("99999999999999999999G", &v), -1);
}

static void test_uint_bounds(void **state)
{
	unsigned long v;

	(void)state;
	assert_int_equal(config_parse_uint("10", 10, 20, &v), 0);
	assert_int_equal(v, 10);
	assert_int_equal(config_parse_uint("9", 10, 20, &v), -1);
	assert_int_equal(config_parse_uint("21", 10, 20, &v), -1);
	assert_int_equal(config_parse_uint("+15", 10, 20, &v), -1);
	assert_int_equal(config_parse_uint("15s", 10, 20, &v), -1);
}

static void test_defaults(void **state)
{
	struct config cfg;

	(void)state;
	config_init(&cfg);
	assert_int_equal(cfg.flush_interval_ms, 1000);
	assert_int_equal(cfg.netlink_buffer_bytes, 64ULL << 20);
	assert_int_equal(cfg.time_bucket_seconds, 60);
	assert_null(cfg.db);
	assert_int_equal(config_validate(&cfg), -1);
	assert_non_null(strstr(errmsg_get(), "no pod CIDRs"));
	config_free(&cfg);
}

static void test_failed_load_leaves_config_unchanged(void **state)
{
	struct config cfg;

	(void)state;
	config_init(&cfg);
	write_config("pod_cidrs: [10.244.0.0/16]\nflush_interval_ms: 250\n");
	assert_int_equal(config_load(path, 0, &cfg), 0);
	unlink(path);
	assert_int_equal(cfg.n_pod_cidrs, 1);
	assert_int_equal(cfg.flush_interval_ms, 250);

	/* Valid keys first, then a bad one: none of it may apply. */
	write_config("pod_cidrs: [10.1.0.0/16, 10.2.0.0/16]\n"
		     "flush_interval_ms: 500\n"
		     "retention_days: forever\n");
	assert_int_equal(config_load(path, 0, &cfg), -1);
	assert_non_null(strstr(errmsg_get(), ":3: retention_days"));
	unlink(path);
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
	write_config("");
	assert_int_equal(config_load(path, 0, &cfg), 0);
	unlink(path);
	assert_int_equal(cfg.n_pod_cidrs, 0);
	write_config("pod_cidrs: fd00:10:244::/48\n");
	assert_int_equal(config_load(path, 0, &cfg), 0);
	unlink(path);
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
	write_config("metrics_file: /var/lib/prometheus/node-exporter/podflowd.prom\n"
		     "metrics_interval_seconds: 30\n");
	assert_int_equal(config_load(path, 0, &cfg), 0);
	unlink(path);
	assert_string_equal(cfg.metrics_file,
			    "/var/lib/prometheus/node-exporter/podflowd.prom");
	assert_int_equal(cfg.metrics_interval_seconds, 30);
	/* A failed reload keeps the file (and frees nothing twice). */
	config_init(&copy);
	write_config("metrics_file: podflowd.prom\n");
	assert_int_equal(config_load(path, 0, &cfg), -1);
	assert_non_null(strstr(errmsg_get(), ":1: metrics_file: 'podflowd.prom' is not an absolute file path"));
	unlink(path);
	assert_string_equal(cfg.metrics_file,
			    "/var/lib/prometheus/node-exporter/podflowd.prom");
	write_config("metrics_interval_seconds: 0\n");
	assert_int_equal(config_load(path, 0, &cfg), -1);
	unlink(path);
	config_free(&copy);
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
	assert_non_null(strstr(errmsg_get(), "No such file"));
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
	};
	char want[128];
	struct config cfg;

	(void)state;
	config_init(&cfg);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		write_config(cases[i].text);
		assert_int_equal(config_load(path, 0, &cfg), -1);
		unlink(path);
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
		cmocka_unit_test(test_errors_name_file_and_line),
	};

	return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
