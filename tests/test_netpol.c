/*
 * Unit tests for netpol and selector: what the API server would accept,
 * and label selectors evaluated as it does.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "podflow/arena.h"
#include "podflow/errmsg.h"
#include "podflow/kname.h"
#include "podflow/kyaml.h"
#include "podflow/netpol.h"
#include "podflow/selector.h"
#include "support/testkit.h"

static void test_dns_subdomains(void **state)
{
	static const struct {
		const char *name;
		int want;
	} cases[] = {
		{ "podflow-deployment-web", 1 }, { "a.b-c.d", 1 },
		{ "", 0 },			   { "Web", 0 },
		{ "-web", 0 },			   { "web-", 0 },
		{ "a..b", 0 },			   { "web_1", 0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int got = kname_is_dns_subdomain(cases[i].name) != 0;

		if (got != cases[i].want)
			fail_msg("'%s': a DNS subdomain %d, want %d",
				 cases[i].name, got, cases[i].want);
	}
}

static int sel_matches(const char *sel_json, const char *labels_json)
{
	struct arena a = ARENA_INIT;
	struct selector s;
	const struct knode *labels = NULL;
	int m;

	assert_int_equal(selector_from_json(sel_json, &a, &s), 0);
	assert_int_equal(kyaml_parse_text(labels_json, &a, &labels), 0);
	m = selector_matches(&s, labels);
	arena_reset(&a);
	return m;
}

static void test_selectors(void **state)
{
	static const struct {
		const char *selector, *labels;
		int want;
	} cases[] = {
		{ "{\"matchLabels\":{\"app\":\"web\"}}",
		  "{\"app\":\"web\",\"tier\":\"fe\"}", 1 },
		{ "{\"matchLabels\":{\"app\":\"web\"}}", "{\"app\":\"db\"}",
		  0 },
		/* An empty selector selects everything. */
		{ "{}", "{\"app\":\"db\"}", 1 },
		{ "{\"matchExpressions\":[{\"key\":\"tier\",\"operator\":"
		  "\"In\",\"values\":[\"fe\",\"be\"]}]}",
		  "{\"tier\":\"be\"}", 1 },
		/* NotIn matches pods without the label too. */
		{ "{\"matchExpressions\":[{\"key\":\"tier\",\"operator\":"
		  "\"NotIn\",\"values\":[\"fe\"]}]}",
		  "{\"app\":\"x\"}", 1 },
		{ "{\"matchExpressions\":[{\"key\":\"tier\",\"operator\":"
		  "\"NotIn\",\"values\":[\"fe\"]}]}",
		  "{\"tier\":\"fe\"}", 0 },
		{ "{\"matchExpressions\":[{\"key\":\"canary\",\"operator\":"
		  "\"DoesNotExist\"},{\"key\":\"app\",\"operator\":"
		  "\"Exists\"}]}",
		  "{\"app\":\"x\"}", 1 },
		{ "{\"matchExpressions\":[{\"key\":\"canary\",\"operator\":"
		  "\"DoesNotExist\"}]}",
		  "{\"canary\":\"true\"}", 0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (!sel_matches(cases[i].selector, cases[i].labels) !=
		    !cases[i].want)
			fail_msg("%s %s %s", cases[i].selector,
				 cases[i].want ? "does not select" : "selects",
				 cases[i].labels);
}

/* A selector keeps copies: it still matches once its tree is gone. */
static void test_selector_outlives_its_tree(void **state)
{
	struct arena tree = ARENA_INIT, a = ARENA_INIT;
	const struct knode *n, *labels;
	struct selector s;

	(void)state;
	assert_int_equal(kyaml_parse_text("{\"matchLabels\":{\"app\":\"web\"},"
					  "\"matchExpressions\":[{\"key\":"
					  "\"tier\",\"operator\":\"In\","
					  "\"values\":[\"fe\",\"be\"]}]}",
					  &tree, &n),
			 0);
	assert_int_equal(selector_from_node(n, "selector", &a, &s), 0);
	arena_reset(&tree);
	assert_int_equal(s.n, 2);
	assert_string_equal(s.reqs[0].key, "app");
	assert_string_equal(s.reqs[0].values[0], "web");
	assert_string_equal(s.reqs[1].key, "tier");
	assert_int_equal(s.reqs[1].n_values, 2);
	assert_string_equal(s.reqs[1].values[1], "be");
	assert_int_equal(kyaml_parse_text("{\"app\":\"web\",\"tier\":\"be\"}",
					  &tree, &labels),
			 0);
	assert_true(selector_matches(&s, labels));
	arena_reset(&tree);
	arena_reset(&a);
}

static void test_selector_errors(void **state)
{
	struct arena a = ARENA_INIT;
	struct selector s;

	(void)state;
	assert_int_equal(selector_from_json("{\"matchExpressions\":[{\"key\":"
					    "\"a\",\"operator\":\"In\"}]}",
					    &a, &s),
			 -1);
	testkit_assert_errmsg("In and NotIn need values");
	assert_int_equal(selector_from_json("{\"matchExpressions\":[{\"key\":"
					    "\"a\",\"operator\":\"Maybe\"}]}",
					    &a, &s),
			 -1);
	assert_int_equal(selector_from_json("[1, 2]", &a, &s), -1);
	arena_reset(&a);
}

static void test_validation(void **state)
{
	struct netpol_port ports[] = { { "TCP", 8080, 0 } };
	struct netpol_rule rule = { .peer = { .type = NETPOL_PEER_CIDR,
					      .cidr = "10.0.0.1/32" },
				    .ports = ports,
				    .n_ports = 1,
				    .sort_key = "c" };
	struct netpol_kv label = { "app.kubernetes.io/managed-by", "podflow" };
	struct netpol p = { .name = "podflow-deployment-web",
			    .namespace = "shop",
			    .pod_selector = "{}",
			    .labels = &label,
			    .n_labels = 1,
			    .egress = &rule,
			    .n_egress = 1 };

	(void)state;
	assert_int_equal(netpol_validate(&p), 0);
	ports[0].port = 0;
	assert_int_equal(netpol_validate(&p), -1);
	ports[0].port = 9000;
	ports[0].end_port = 8000;
	assert_int_equal(netpol_validate(&p), -1);
	ports[0].end_port = 0;
	ports[0].protocol = "ICMP";
	assert_int_equal(netpol_validate(&p), -1);
	ports[0].protocol = "UDP";
	rule.peer.cidr = "10.0.0.1/33";
	assert_int_equal(netpol_validate(&p), -1);
	rule.peer.cidr = "10.0.0.0/8";
	label.value = "not valid!";
	assert_int_equal(netpol_validate(&p), -1);
	label.value = "podflow";
	p.name = "Podflow";
	assert_int_equal(netpol_validate(&p), -1);
	p.name = "podflow-deployment-web";
	/* A namespace is a DNS label: no dot. */
	p.namespace = "shop.eu";
	assert_int_equal(netpol_validate(&p), -1);
	p.namespace = "shop";
	/* Selectors: the policy's own and a peer's, keys and values. */
	p.pod_selector = "{\"matchLabels\":{\"app\":\"a b\"}}";
	assert_int_equal(netpol_validate(&p), -1);
	assert_non_null(strstr(errmsg_get(), "podSelector: label value 'a b'"));
	p.pod_selector = "{\"matchExpressions\":[{\"key\":\"Bad Key\","
			 "\"operator\":\"Exists\"}]}";
	assert_int_equal(netpol_validate(&p), -1);
	p.pod_selector = "{\"matchLabels\":{\"app\":\"web\"}}";
	assert_int_equal(netpol_validate(&p), 0);
	rule.peer = (struct netpol_peer){ .type = NETPOL_PEER_PODS,
					  .namespace = "shop",
					  .pod_selector =
						  "{\"matchLabels\":{\"app\":\"-x\"}}" };
	assert_int_equal(netpol_validate(&p), -1);
	assert_non_null(strstr(errmsg_get(), "egress peer podSelector"));
	rule.peer.pod_selector = "{\"matchLabels\":{\"app\":\"x\"}}";
	assert_int_equal(netpol_validate(&p), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dns_subdomains),
		cmocka_unit_test(test_selectors),
		cmocka_unit_test(test_selector_outlives_its_tree),
		cmocka_unit_test(test_selector_errors),
		cmocka_unit_test(test_validation),
	};

	return cmocka_run_group_tests_name("netpol", tests, NULL, NULL);
}
