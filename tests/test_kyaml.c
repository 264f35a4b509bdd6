/*
 * Unit tests for kyaml: objects out of Lists and streams, in YAML and
 * JSON, with the line and column of every node.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "podflow/errmsg.h"
#include "podflow/kyaml.h"
#include "podflow/timefmt.h"

/* Reads every object of text; returns their kinds, space-separated. */
static int read_kinds(const char *text, char *kinds, size_t len)
{
	FILE *fp = fmemopen((void *)text, strlen(text), "r");
	struct kyaml *y;
	const struct knode *obj;
	int rc;

	assert_non_null(fp);
	assert_int_equal(kyaml_open(fp, "input", 0, &y), 0);
	kinds[0] = '\0';
	while ((rc = kyaml_next(y, &obj)) == 1) {
		const char *k = knode_str(obj, "kind");

		if (kinds[0])
			strncat(kinds, " ", len - strlen(kinds) - 1);
		strncat(kinds, k ? k : "?", len - strlen(kinds) - 1);
	}
	kyaml_close(y);
	fclose(fp);
	return rc;
}

static void test_list_items_come_one_by_one(void **state)
{
	char kinds[128];

	(void)state;
	/* kubectl -o yaml prints items before kind: List. */
	assert_int_equal(read_kinds("apiVersion: v1\n"
				    "items:\n"
				    "- kind: Namespace\n"
				    "  metadata: {name: a}\n"
				    "- kind: Pod\n"
				    "  metadata: {name: b}\n"
				    "kind: List\n"
				    "metadata: {resourceVersion: \"\"}\n",
				    kinds, sizeof(kinds)),
			 0);
	assert_string_equal(kinds, "Namespace Pod");
}

static void test_stream_of_documents_and_lists(void **state)
{
	char kinds[128];

	(void)state;
	assert_int_equal(read_kinds("kind: Pod\n"
				    "---\n"
				    "---\n"
				    "{\"kind\": \"List\", \"items\": "
				    "[{\"kind\": \"Service\"}]}\n"
				    "---\n"
				    "kind: Node\n",
				    kinds, sizeof(kinds)),
			 0);
	assert_string_equal(kinds, "Pod Service Node");
}

static void test_nested_items_are_not_a_list(void **state)
{
	char kinds[128];

	(void)state;
	/* Only a top-level "items" makes a List. */
	assert_int_equal(read_kinds("kind: ConfigMap\n"
				    "data:\n"
				    "  items:\n"
				    "  - kind: Pod\n",
				    kinds, sizeof(kinds)),
			 0);
	assert_string_equal(kinds, "ConfigMap");
}

static void test_positions_and_nulls(void **state)
{
	static const char text[] = "kind: Pod\n"
				   "metadata:\n"
				   "  name: web\n"
				   "  labels: {app: \"true\", tier: ~}\n"
				   "spec:\n"
				   "  hostNetwork: true\n";
	FILE *fp = fmemopen((void *)text, sizeof(text) - 1, "r");
	const struct knode *obj, *n;
	struct kyaml *y;

	(void)state;
	assert_int_equal(kyaml_open(fp, "pod.yaml", 0, &y), 0);
	assert_int_equal(kyaml_next(y, &obj), 1);
	n = knode_at(obj, "metadata.name");
	assert_non_null(n);
	assert_int_equal(n->line, 3);
	assert_int_equal(n->column, 9);
	assert_string_equal(knode_str(obj, "metadata.labels.app"), "true");
	assert_false(knode_at(obj, "metadata.labels.app")->plain);
	assert_null(knode_str(obj, "metadata.labels.tier"));
	assert_true(knode_at(obj, "spec.hostNetwork")->plain);
	assert_null(knode_at(obj, "spec.missing.deeper"));
	assert_null(knode_at(obj, "metadata.name.deeper"));
	assert_int_equal(kyaml_next(y, &obj), 0);
	kyaml_close(y);
	fclose(fp);
}

static void test_errors_name_line_and_column(void **state)
{
	char kinds[128];

	(void)state;
	assert_int_equal(read_kinds("kind: Pod\nmetadata:\n  name: [x\n",
				    kinds, sizeof(kinds)),
			 -1);
	assert_non_null(strstr(errmsg_get(), "input:4:1:"));
	assert_int_equal(read_kinds("a: &x 1\nb: *x\n", kinds, sizeof(kinds)),
			 -1);
	assert_non_null(strstr(errmsg_get(), "input:2:4: YAML aliases"));
	assert_int_equal(read_kinds("? [a]\n: b\n", kinds, sizeof(kinds)), -1);
	assert_non_null(strstr(errmsg_get(), "mapping key must be a string"));
}

static void test_rfc3339(void **state)
{
	int64_t t;
	char buf[TIMEFMT_LEN];

	(void)state;
	assert_int_equal(timefmt_parse_rfc3339("2026-11-23T10:00:00Z", &t), 0);
	assert_int_equal(t, 1795428000);
	assert_string_equal(timefmt_format(t, buf), "2026-11-23T10:00:00Z");
	assert_int_equal(timefmt_parse_rfc3339("2026-11-23T11:30:00.123+01:30",
					       &t),
			 0);
	assert_int_equal(t, 1795428000);
	assert_int_equal(timefmt_parse_rfc3339("2026-11-23", &t), -1);
	assert_int_equal(timefmt_parse_rfc3339("2026-13-01T00:00:00Z", &t),
			 -1);
	assert_int_equal(timefmt_parse_rfc3339("2026-11-23T10:00:00", &t), -1);
}

static void test_when(void **state)
{
	int64_t t;

	(void)state;
	assert_int_equal(timefmt_parse_when("90m", 10000, &t), 0);
	assert_int_equal(t, 10000 - 5400);
	assert_int_equal(timefmt_parse_when("7d", 1000000, &t), 0);
	assert_int_equal(t, 1000000 - 7 * 86400);
	assert_int_equal(timefmt_parse_when("24h", 100000, &t), 0);
	assert_int_equal(t, 100000 - 86400);
	assert_int_equal(timefmt_parse_when("1970-01-01T00:01:00Z", 5, &t), 0);
	assert_int_equal(t, 60);
	assert_int_equal(timefmt_parse_when("5w", 0, &t), -1);
	assert_int_equal(timefmt_parse_when("-5m", 0, &t), -1);
	assert_int_equal(timefmt_parse_when("soon", 0, &t), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_list_items_come_one_by_one),
		cmocka_unit_test(test_stream_of_documents_and_lists),
		cmocka_unit_test(test_nested_items_are_not_a_list),
		cmocka_unit_test(test_positions_and_nulls),
		cmocka_unit_test(test_errors_name_line_and_column),
		cmocka_unit_test(test_rfc3339),
		cmocka_unit_test(test_when),
	};

	return cmocka_run_group_tests_name("kyaml", tests, NULL, NULL);
}
