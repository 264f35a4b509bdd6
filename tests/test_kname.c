/*
 * Unit tests for kname: names and label texts accepted exactly as the API
 * server's validation accepts them, and hostile text made harmless in
 * messages.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "podflow/kname.h"

struct name_case {
	const char *text;
	int want;
};

static void run_cases(const char *what, int (*ok)(const char *),
		      const struct name_case *c, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((ok(c[i].text) != 0) != c[i].want)
			fail_msg("%s '%s': got %d, want %d", what, c[i].text,
				 ok(c[i].text) != 0, c[i].want);
}

#define RUN(ok, cases) \
	run_cases(#ok, ok, cases, sizeof(cases) / sizeof(cases[0]))

/* n copies of ch, then tail, in buf. */
static const char *rep(char *buf, char ch, size_t n, const char *tail)
{
	memset(buf, ch, n);
	strcpy(buf + n, tail);
	return buf;
}

static void test_dns_names(void **state)
{
	static char l63[80], l64[80], s253[300], s254[300], one70[80];
	const struct name_case label[] = {
		{ "web", 1 },  { "a", 1 },    { "0", 1 },     { "web-1", 1 },
		{ "", 0 },     { "Web", 0 },  { "-web", 0 },  { "web-", 0 },
		{ "a.b", 0 },  { "web_1", 0 }, { "w b", 0 },
		{ rep(l63, 'a', 63, ""), 1 }, { rep(l64, 'a', 64, ""), 0 },
	};
	const struct name_case subdomain[] = {
		{ "podflow-deployment-web", 1 }, { "a.b-c.d", 1 },
		{ "", 0 },	{ "Web", 0 },  { "-web", 0 }, { "web-", 0 },
		{ "a..b", 0 },	{ "web_1", 0 }, { ".a", 0 },   { "a.", 0 },
		{ "a.-b", 0 },	{ "a-.b", 0 },
		/* No limit per label, only on the whole. */
		{ rep(one70, 'q', 70, ""), 1 },
		{ rep(s253, 'a', 253, ""), 1 }, { rep(s254, 'a', 254, ""), 0 },
	};
	const struct name_case dns1035[] = {
		{ "web", 1 }, { "w1", 1 }, { "1web", 0 }, { "-w", 0 },
		{ "Web", 0 }, { "", 0 },
	};

	(void)state;
	RUN(kname_is_dns_label, label);
	RUN(kname_is_dns_subdomain, subdomain);
	RUN(kname_is_dns1035_label, dns1035);
}

static void test_labels(void **state)
{
	static char n63[80], n64[80], p253[400], p254[400], v63[80], v64[80];
	const struct name_case key[] = {
		{ "app", 1 },
		{ "app.kubernetes.io/name", 1 },
		{ "A_b.c-D", 1 },
		{ "", 0 },
		{ "/app", 0 },
		{ "example.com/", 0 },
		{ "Example.com/app", 0 },
		{ "a/b/c", 0 },
		{ "_app", 0 },
		{ "app-", 0 },
		{ "a b", 0 },
		{ "a:b", 0 },
		{ rep(n63, 'n', 63, ""), 1 },
		{ rep(n64, 'n', 64, ""), 0 },
		{ rep(p253, 'p', 253, "/x"), 1 },
		{ rep(p254, 'p', 254, "/x"), 0 },
	};
	const struct name_case value[] = {
		{ "", 1 },	  { "web", 1 },	 { "1.20", 1 },	  { "A_b-c.D", 1 },
		{ "-a", 0 },	  { "a-", 0 },	 { "a b", 0 },	  { "a\"b", 0 },
		{ "a: b", 0 },	  { "a #b", 0 }, { "- a", 0 },	  { "*a", 0 },
		{ "&a", 0 },	  { "!!str", 0 }, { "a\nb", 0 },
		{ "a\xe2\x80\xae" "b", 0 }, /* U+202E */
		{ "a\xe2\x80\x8b" "b", 0 }, /* U+200B */
		{ "a\xf0\x9f\x98\x80", 0 },  /* an emoji */
		{ rep(v63, 'v', 63, ""), 1 },
		{ rep(v64, 'v', 64, ""), 0 },
	};

	(void)state;
	RUN(kname_is_label_key, key);
	RUN(kname_is_label_value, value);
}

static void test_port_names(void **state)
{
	const struct name_case port[] = {
		{ "http", 1 },	 { "dns-tcp", 1 }, { "h2c", 1 },
		{ "abcdefghijklmno", 1 },
		{ "abcdefghijklmnop", 0 }, /* 16 */
		{ "80", 0 },	 /* no letter */
		{ "-http", 0 },	 { "http-", 0 },   { "a--b", 0 },
		{ "Http", 0 },	 { "ht_tp", 0 },   { "", 0 },
	};

	const struct name_case kind[] = {
		{ "Deployment", 1 }, { "Pod", 1 }, { "V1beta1Thing", 1 },
		{ "", 0 },	     { "1Pod", 0 }, { "Pod/x", 0 },
		{ "Po d", 0 },	     { "Pod\x1b", 0 },
	};

	(void)state;
	RUN(kname_is_port_name, port);
	RUN(kname_is_kind, kind);
}

/* Edits counted as a "did you mean" needs them, swaps one edit. */
static void test_distance(void **state)
{
	(void)state;
	assert_int_equal(kname_distance("web", "web", 2), 0);
	assert_int_equal(kname_distance("web", "wbe", 2), 1);
	assert_int_equal(kname_distance("web", "webs", 2), 1);
	assert_int_equal(kname_distance("generate", "genrate", 2), 1);
	assert_int_equal(kname_distance("javaapp", "jvaap", 2), 2);
	assert_int_equal(kname_distance("web", "database", 2), 3);
	assert_int_equal(kname_distance("", "ab", 2), 2);
	assert_int_equal(kname_distance("abc", "xyz", 1), 2);
}

static void test_quote(void **state)
{
	char buf[KNAME_QUOTE_MAX], big[100000];
	struct {
		char buf[KNAME_QUOTE_MAX];
		char canary[16];
	} worst;

	(void)state;
	assert_string_equal(kname_quote(buf, "web", 3), "'web'");
	assert_string_equal(kname_quote(buf, "a\0b", 3), "'a\\x00b'");
	assert_string_equal(kname_quote(buf, "\x1b[31m", 5), "'\\x1b[31m'");
	assert_string_equal(kname_quote(buf, "it's", 4), "'it\\x27s'");
	assert_string_equal(kname_escape(buf, "a\xe2\x80\xae", 4),
			    "a\\xe2\\x80\\xae");
	memset(big, 'x', sizeof(big));
	kname_quote(buf, big, sizeof(big));
	assert_int_equal(strlen(buf), 1 + 96 + 1 + 3);
	assert_string_equal(buf + 97, "...'");
	/* The worst case, every byte escaped, fits: the canary stays. */
	memset(big, 0x01, sizeof(big));
	memset(worst.canary, 0x5a, sizeof(worst.canary));
	kname_quote(worst.buf, big, sizeof(big));
	assert_int_equal(strlen(worst.buf), 1 + 96 * 4 + 3 + 1);
	for (size_t i = 0; i < sizeof(worst.canary); i++)
		assert_int_equal(worst.canary[i], 0x5a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dns_names),
		cmocka_unit_test(test_labels),
		cmocka_unit_test(test_port_names),
		cmocka_unit_test(test_distance),
		cmocka_unit_test(test_quote),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
