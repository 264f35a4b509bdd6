/*
 * Unit tests for kyaml: objects out of Lists and streams, in YAML and
 * JSON, with the line and column of every node.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "podflow/arena.h"
#include "podflow/errmsg.h"
#include "podflow/kyaml.h"
#include "podflow/timefmt.h"
#include "podflow/yemit.h"
#include "support/testkit.h"

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

/* Text read as a stream of objects, and their kinds, space-separated. */
struct kinds_case {
	const char *name;
	const char *text;
	const char *want;
};

static const struct kinds_case streams[] = {
	/* kubectl -o yaml prints items before kind: List. */
	{ "test_list_items_come_one_by_one",
	  "apiVersion: v1\n"
	  "items:\n"
	  "- kind: Namespace\n"
	  "  metadata: {name: a}\n"
	  "- kind: Pod\n"
	  "  metadata: {name: b}\n"
	  "kind: List\n"
	  "metadata: {resourceVersion: \"\"}\n",
	  "Namespace Pod" },
	{ "test_stream_of_documents_and_lists",
	  "kind: Pod\n"
	  "---\n"
	  "---\n"
	  "{\"kind\": \"List\", \"items\": [{\"kind\": \"Service\"}]}\n"
	  "---\n"
	  "kind: Node\n",
	  "Pod Service Node" },
	/* Only a top-level "items" makes a List. */
	{ "test_nested_items_are_not_a_list",
	  "kind: ConfigMap\n"
	  "data:\n"
	  "  items:\n"
	  "  - kind: Pod\n",
	  "ConfigMap" },
};

static void run_kinds_case(void **state)
{
	const struct kinds_case *c = *state;
	char kinds[128];

	if (read_kinds(c->text, kinds, sizeof(kinds)) != 0)
		fail_msg("%s: %s", c->name, errmsg_get());
	if (strcmp(kinds, c->want) != 0)
		fail_msg("%s: kinds '%s', want '%s'", c->name, kinds, c->want);
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
	static const char *const cases[][2] = {
		{ "kind: Pod\nmetadata:\n  name: [x\n", "input:4:1:" },
		{ "a: &x 1\nb: *x\n", "input:2:4: YAML aliases" },
		{ "? [a]\n: b\n", "mapping key must be a string" },
		/*
		 * A key twice (JSON or YAML, however spelled), as the API
		 * server's decoder refuses it: read first-wins or last-wins,
		 * `egress: [{}]` then `egress: []` allows all or nothing.
		 */
		{ "{\"kind\": \"Pod\", \"kind\": \"Node\"}\n",
		  "input:1:17: duplicate key 'kind' (first on line 1)" },
		{ "kind: Pod\nspec:\n  egress: [{}]\n  egress: []\n",
		  "input:4:3: duplicate key 'egress' (first on line 3)" },
		{ "{\"kind\": \"Pod\", \"\\u006bind\": \"Node\"}\n",
		  "duplicate key 'kind'" },
		{ "{\"kind\": \"Pod\", \"k\\u0000x\": 1}\n",
		  "a mapping key with a NUL character" },
	};
	char kinds[128];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (read_kinds(cases[i][0], kinds, sizeof(kinds)) != -1)
			fail_msg("case %zu: read, want an error", i + 1);
		if (strstr(errmsg_get(), cases[i][1]) == NULL)
			fail_msg("case %zu: message '%s' lacks '%s'", i + 1,
				 errmsg_get(), cases[i][1]);
	}
}

/* A value keeps its NUL bytes, and says how many bytes it has. */
static void test_nul_in_a_value_is_kept(void **state)
{
	static const char text[] = "{\"kind\": \"Pod\", \"metadata\": "
				   "{\"labels\": {\"app\": \"a\\u0000b\"}}}\n";
	FILE *fp = fmemopen((void *)text, sizeof(text) - 1, "r");
	const struct knode *obj, *n;
	struct kyaml *y;

	(void)state;
	assert_int_equal(kyaml_open(fp, "pod.json", 0, &y), 0);
	assert_int_equal(kyaml_next(y, &obj), 1);
	n = knode_at(obj, "metadata.labels.app");
	assert_non_null(n);
	assert_int_equal(n->len, 3);
	assert_int_equal(strlen(n->value), 1);
	assert_memory_equal(n->value, "a\0b", 3);
	assert_int_equal(knode_at(obj, "kind")->len, 3);
	kyaml_close(y);
	fclose(fp);
}

/*
 * The ports of tests/fixtures/kubectl/scalars.yaml, read from path: the
 * first object's spec.ingress[0].ports, a copy in a.
 */
static const struct knode *fixture_ports(const char *path, struct arena *a)
{
	FILE *fp = fopen(path, "r");
	const struct knode *obj, *ports;
	struct knode *copy;
	struct kyaml *y;

	assert_non_null(fp);
	assert_int_equal(kyaml_open(fp, path, 0, &y), 0);
	assert_int_equal(kyaml_next(y, &obj), 1);
	ports = knode_at(obj, "spec.ingress");
	assert_non_null(ports);
	assert_int_equal(ports->type, KNODE_SEQ);
	ports = knode_at(ports->items[0], "ports");
	assert_non_null(ports);
	assert_non_null(copy = knode_copy(a, ports));
	kyaml_close(y);
	fclose(fp);
	return copy;
}

/*
 * Every scalar of the fixture resolves as kubectl sent it: what it printed
 * (scalars.json, JSON read by the same reader) is the same JSON value.
 */
static void test_scalars_resolve_as_kubectl_sends_them(void **state)
{
	struct arena a = ARENA_INIT;
	const struct knode *in, *out;

	(void)state;
	in = fixture_ports("tests/fixtures/kubectl/scalars.yaml", &a);
	out = fixture_ports("tests/fixtures/kubectl/scalars.json", &a);
	assert_int_equal(in->n, out->n);
	for (size_t i = 0; i < in->n; i++) {
		const struct knode *yn = knode_at(in->items[i], "port");
		const struct knode *jn = knode_at(out->items[i], "port");
		struct kjson yv, jv;

		assert_non_null(yn);
		assert_non_null(jn);
		if (knode_resolve(yn, &yv) < 0 || knode_resolve(jn, &jv) < 0)
			fail_msg("line %d: %s", yn->line, errmsg_get());
		if (yv.type != jv.type)
			fail_msg("line %d '%s': type %d, kubectl sent %d",
				 yn->line, yn->value ? yn->value : "", yv.type,
				 jv.type);
		if (yv.type == KJSON_NUMBER && yv.number != jv.number)
			fail_msg("line %d '%s': %g, kubectl sent %g", yn->line,
				 yn->value, yv.number, jv.number);
		if (yv.type == KJSON_BOOL && yv.boolean != jv.boolean)
			fail_msg("line %d '%s': %d, kubectl sent %d", yn->line,
				 yn->value, yv.boolean, jv.boolean);
		if (yv.type == KJSON_STRING &&
		    (yn->len != jn->len ||
		     memcmp(yn->value, jn->value, yn->len) != 0))
			fail_msg("line %d '%s': kubectl sent '%s'", yn->line,
				 yn->value, jn->value);
	}
	arena_reset(&a);
}

/* The first object of path, a copy in a. */
static const struct knode *fixture_object(const char *path, struct arena *a)
{
	FILE *fp = fopen(path, "r");
	const struct knode *obj;
	struct knode *copy;
	struct kyaml *y;

	assert_non_null(fp);
	assert_int_equal(kyaml_open(fp, path, 0, &y), 0);
	assert_int_equal(kyaml_next(y, &obj), 1);
	assert_non_null(copy = knode_copy(a, obj));
	kyaml_close(y);
	fclose(fp);
	return copy;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * Map keys become the JSON keys kubectl sends (010 is "8", on is "true",
 * 1e6 is "1e+06"): the keys of keys.yaml so turned are the keys kubectl
 * printed (sorted, as it prints them).
 */
static void test_keys_as_kubectl_sends_them(void **state)
{
	struct arena a = ARENA_INIT;
	const struct knode *in, *out;
	const char *got[64], *want[64];

	(void)state;
	in = knode_at(fixture_object("tests/fixtures/kubectl/keys.yaml", &a),
		      "spec.podSelector.matchLabels");
	out = knode_at(fixture_object("tests/fixtures/kubectl/keys.json", &a),
		       "spec.podSelector.matchLabels");
	assert_non_null(in);
	assert_non_null(out);
	assert_int_equal(in->n, out->n);
	assert_true(in->n <= 64);
	for (size_t i = 0; i < in->n; i++) {
		got[i] = knode_key_text(in->keys[i], &a);
		if (got[i] == NULL)
			fail_msg("line %d: %s", in->keys[i]->line, errmsg_get());
		want[i] = out->keys[i]->value;
	}
	qsort(got, in->n, sizeof(*got), cmp_str);
	qsort(want, in->n, sizeof(*want), cmp_str);
	for (size_t i = 0; i < in->n; i++)
		if (strcmp(got[i], want[i]) != 0)
			fail_msg("key %zu: '%s', kubectl sent '%s'", i, got[i],
				 want[i]);
	arena_reset(&a);
}

/* A number beyond any integer is a number, not a whole one (UBSan). */
static void test_scalars_beyond_integers(void **state)
{
	struct arena a = ARENA_INIT;
	const struct knode *doc;
	struct kjson v;

	(void)state;
	assert_int_equal(kyaml_parse_text("a: 1e300", &a, &doc), 0);
	assert_int_equal(knode_resolve(knode_at(doc, "a"), &v), 0);
	assert_int_equal(v.type, KJSON_NUMBER);
	assert_false(v.integer);
	arena_reset(&a);
}

/* What kubectl refuses to send is refused too. */
static void test_scalars_kubectl_refuses(void **state)
{
	static const char *const bad[] = { "a: .inf", "a: -.Inf", "a: .nan",
					   "a: !!int abc", "a: !!bool 1",
					   "a: !!binary gA==", "a: !!null x",
					   "a: !!int 80.0", "a: !!int 1e2" };
	struct arena a = ARENA_INIT;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const struct knode *doc;
		struct kjson v;

		assert_int_equal(kyaml_parse_text(bad[i], &a, &doc), 0);
		if (knode_resolve(knode_at(doc, "a"), &v) == 0)
			fail_msg("'%s' resolved (type %d)", bad[i], v.type);
	}
	arena_reset(&a);
}

/* A JSON object of n keys, k0 to k(n-1); owned: free() it. */
static char *many_keys(size_t n)
{
	size_t len = 0, cap = n * 16 + 16;
	char *text = malloc(cap);

	assert_non_null(text);
	len += (size_t)snprintf(text + len, cap - len, "{");
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(text + len, cap - len, "%s\"k%zu\": 1",
					i ? ", " : "", i);
	snprintf(text + len, cap - len, "}\n");
	return text;
}

/*
 * A mapping of more keys than any object has is refused: finding a
 * duplicate is quadratic, and the bound keeps it quick.
 */
static void test_too_many_keys(void **state)
{
	char kinds[128], *text;

	(void)state;
	text = many_keys(KYAML_MAX_KEYS);
	assert_int_equal(read_kinds(text, kinds, sizeof(kinds)), 0);
	free(text);
	text = many_keys(KYAML_MAX_KEYS + 1);
	assert_int_equal(read_kinds(text, kinds, sizeof(kinds)), -1);
	assert_non_null(strstr(errmsg_get(), "more than 4096 keys"));
	free(text);
}

/* Times as text, and the Unix time each parses to (-1 in rc: refused). */
struct time_case {
	const char *text;
	int64_t now; /* test_when: what relative times count back from */
	int rc;
	int64_t want;
};

static void check_times(int (*parse)(const char *, int64_t, int64_t *),
			const struct time_case *cases, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int64_t t = -1;
		int rc = parse(cases[i].text, cases[i].now, &t);

		if (rc != cases[i].rc || (rc == 0 && t != cases[i].want))
			fail_msg("'%s': rc %d, time %lld; want rc %d, "
				 "time %lld",
				 cases[i].text, rc, (long long)t, cases[i].rc,
				 (long long)cases[i].want);
	}
}

static int parse_rfc3339(const char *text, int64_t now, int64_t *t)
{
	(void)now;
	return timefmt_parse_rfc3339(text, t);
}

static void test_rfc3339(void **state)
{
	static const struct time_case cases[] = {
		{ "2026-11-23T10:00:00Z", 0, 0, 1795428000 },
		{ "2026-11-23T11:30:00.123+01:30", 0, 0, 1795428000 },
		{ "2026-11-23", 0, -1, 0 },
		{ "2026-13-01T00:00:00Z", 0, -1, 0 },
		{ "2026-11-23T10:00:00", 0, -1, 0 },
	};
	char buf[TIMEFMT_LEN];

	(void)state;
	check_times(parse_rfc3339, cases, sizeof(cases) / sizeof(cases[0]));
	assert_string_equal(timefmt_format(1795428000, buf),
			    "2026-11-23T10:00:00Z");
}

static void test_when(void **state)
{
	static const struct time_case cases[] = {
		{ "90m", 10000, 0, 10000 - 5400 },
		{ "7d", 1000000, 0, 1000000 - 7 * 86400 },
		{ "24h", 100000, 0, 100000 - 86400 },
		{ "1970-01-01T00:01:00Z", 5, 0, 60 },
		{ "5w", 0, -1, 0 },
		{ "-5m", 0, -1, 0 },
		{ "soon", 0, -1, 0 },
	};

	(void)state;
	check_times(timefmt_parse_when, cases,
		    sizeof(cases) / sizeof(cases[0]));
}

/*
 * yemit's JSON is kubectl's -o json layout, and what it escapes reads
 * back as the same text (through libyaml, as kubectl's input would).
 */
static void test_yemit_json(void **state)
{
	static const char *const strs[] = {
		"quote \" back \\ slash", "new\nline\ttab", "\x01\x1f\x7f",
		"\xf0\x9f\x98\x80 \xe2\x80\xae", "",
	};
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	struct arena a = ARENA_INIT;
	const struct knode *root;
	struct yemit *y;

	(void)state;
	assert_non_null(out);
	assert_non_null(y = yemit_open(out, YEMIT_JSON));
	yemit_doc_begin(y);
	yemit_map_begin(y);
	yemit_kv_str(y, "kind", "List");
	yemit_kv_int(y, "n", -12);
	yemit_str(y, "empty");
	yemit_map_begin(y);
	yemit_map_end(y);
	yemit_str(y, "none");
	yemit_seq_begin(y);
	yemit_seq_end(y);
	yemit_str(y, "items");
	yemit_seq_begin(y);
	yemit_bool(y, 1);
	yemit_map_begin(y);
	yemit_kv_str(y, "a", "b");
	yemit_map_end(y);
	yemit_seq_end(y);
	yemit_map_end(y);
	yemit_doc_end(y);
	yemit_comment(y, "left out");
	assert_int_equal(yemit_close(y), 0);
	fflush(out);
	assert_string_equal(text, "{\n"
				  "    \"kind\": \"List\",\n"
				  "    \"n\": -12,\n"
				  "    \"empty\": {},\n"
				  "    \"none\": [],\n"
				  "    \"items\": [\n"
				  "        true,\n"
				  "        {\n"
				  "            \"a\": \"b\"\n"
				  "        }\n"
				  "    ]\n"
				  "}\n");
	rewind(out);
	assert_non_null(y = yemit_open(out, YEMIT_JSON));
	yemit_seq_begin(y);
	for (size_t i = 0; i < sizeof(strs) / sizeof(*strs); i++)
		yemit_str(y, strs[i]);
	/* Not UTF-8: replaced, as Go's encoder replaces it. */
	yemit_str(y, "a\xff\xc3(b\xed\xa0\x80");
	yemit_seq_end(y);
	assert_int_equal(yemit_close(y), 0);
	fputc('\0', out);
	fflush(out);
	assert_int_equal(kyaml_parse_text(text, &a, &root), 0);
	assert_int_equal(root->type, KNODE_SEQ);
	assert_int_equal(root->n, sizeof(strs) / sizeof(*strs) + 1);
	for (size_t i = 0; i < sizeof(strs) / sizeof(*strs); i++)
		assert_string_equal(root->items[i]->value, strs[i]);
	assert_string_equal(root->items[root->n - 1]->value,
			    "a\xef\xbf\xbd\xef\xbf\xbd(b\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	/* An open map is a failure, not a truncated value. */
	rewind(out);
	assert_non_null(y = yemit_open(out, YEMIT_JSON));
	yemit_map_begin(y);
	assert_int_equal(yemit_close(y), -1);
	fclose(out);
	free(text);
	arena_reset(&a);
}

/*
 * yemit quotes a string that a YAML 1.1 reader (kubectl's) would take for
 * another type, or for a merge key, and only those: a label value "on",
 * ".inf" or "08" must stay a string.
 */
static void test_yemit_quotes_what_reads_as_another_type(void **state)
{
	static const char *const quoted[] = {
		"", "yes", "No", "y", "N", "null", "~", "on", "OFF", "True",
		"1.5", "inf", "Infinity", "-inf", ".inf", "-.Inf", "+.INF",
		".nan", "NaN", "0x1F", "0o17", "0b1", "08", "12:30",
		"2026-11-23", "2026-11-23T10:00:00Z", "+1", "1e3", "1_000",
		"<<", "=", " 1", "10.244.1.5", "8080",
	};
	static const char *const plain[] = {
		"app", "app-000", "nanny", "info", "Z", "i", "n1",
		"namespace", "podSelector", "a b", "tier.inf",
	};
	char *text = NULL, line[64];
	size_t len = 0, n = 0;
	FILE *out = open_memstream(&text, &len);
	struct yemit *y;

	(void)state;
	assert_non_null(out);
	assert_non_null(y = yemit_open(out, YEMIT_YAML));
	yemit_doc_begin(y);
	yemit_seq_begin(y);
	for (size_t i = 0; i < sizeof(quoted) / sizeof(*quoted); i++)
		yemit_str(y, quoted[i]);
	for (size_t i = 0; i < sizeof(plain) / sizeof(*plain); i++)
		yemit_str(y, plain[i]);
	yemit_seq_end(y);
	yemit_doc_end(y);
	assert_int_equal(yemit_close(y), 0);
	fclose(out);
	for (const char *p = strstr(text, "- "); p != NULL;
	     p = strstr(p + 1, "\n- ")) {
		const char *v = p[0] == '-' ? p + 2 : p + 3;
		size_t k = strcspn(v, "\n");

		if (n < sizeof(quoted) / sizeof(*quoted))
			snprintf(line, sizeof(line), "\"%s\"", quoted[n]);
		else
			snprintf(line, sizeof(line), "%s",
				 plain[n - sizeof(quoted) / sizeof(*quoted)]);
		if (strlen(line) != k || strncmp(v, line, k) != 0)
			fail_msg("item %zu: %.*s, want %s", n, (int)k, v, line);
		n++;
	}
	assert_int_equal(n, sizeof(quoted) / sizeof(*quoted) +
				    sizeof(plain) / sizeof(*plain));
	free(text);
}

int main(void)
{
	static const struct CMUnitTest functions[] = {
		cmocka_unit_test(test_positions_and_nulls),
		cmocka_unit_test(test_errors_name_line_and_column),
		cmocka_unit_test(test_nul_in_a_value_is_kept),
		cmocka_unit_test(test_too_many_keys),
		cmocka_unit_test(test_scalars_resolve_as_kubectl_sends_them),
		cmocka_unit_test(test_scalars_kubectl_refuses),
		cmocka_unit_test(test_scalars_beyond_integers),
		cmocka_unit_test(test_keys_as_kubectl_sends_them),
		cmocka_unit_test(test_rfc3339),
		cmocka_unit_test(test_when),
		cmocka_unit_test(test_yemit_json),
		cmocka_unit_test(test_yemit_quotes_what_reads_as_another_type),
	};

	return testkit_run("kyaml", functions, streams, run_kinds_case, NULL,
			   NULL);
}
