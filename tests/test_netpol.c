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
#include "podflow/kyaml.h"
#include "podflow/netpol.h"
#include "podflow/selector.h"

static void test_dns_subdomains(void **state)
{
	(void)state;
	assert_true(netpol_is_dns_subdomain("podflow-deployment-web"));
	assert_true(netpol_is_dns_subdomain("a.b-c.d"));
	assert_false(netpol_is_dns_subdomain(""));
	assert_false(netpol_is_dns_subdomain("Web"));
	assert_false(netpol_is_dns_subdomain("-web"));
	assert_false(netpol_is_dns_subdomain("web-"));
	assert_false(netpol_is_dns_subdomain("a..b"));
	assert_false(netpol_is_dns_subdomain("web_1"));
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
	(void)state;
	assert_true(sel_matches("{\"matchLabels\":{\"app\":\"web\"}}",
				"{\"app\":\"web\",\"tier\":\"fe\"}"));
	assert_false(sel_matches("{\"matchLabels\":{\"app\":\"web\"}}",
				 "{\"app\":\"db\"}"));
	/* An empty selector selects everything. */
	assert_true(sel_matches("{}", "{\"app\":\"db\"}"));
	assert_true(sel_matches(
		"{\"matchExpressions\":[{\"key\":\"tier\",\"operator\":"
		"\"In\",\"values\":[\"fe\",\"be\"]}]}",
		"{\"tier\":\"be\"}"));
	/* NotIn matches pods without the label too. */
	assert_true(sel_matches(
		"{\"matchExpressions\":[{\"key\":\"tier\",\"operator\":"
		"\"NotIn\",\"values\":[\"fe\"]}]}",
		"{\"app\":\"x\"}"));
	assert_false(sel_matches(
		"{\"matchExpressions\":[{\"key\":\"tier\",\"operator\":"
		"\"NotIn\",\"values\":[\"fe\"]}]}",
		"{\"tier\":\"fe\"}"));
	assert_true(sel_matches(
		"{\"matchExpressions\":[{\"key\":\"canary\",\"operator\":"
		"\"DoesNotExist\"},{\"key\":\"app\",\"operator\":\"Exists\"}]}",
		"{\"app\":\"x\"}"));
	assert_false(sel_matches(
		"{\"matchExpressions\":[{\"key\":\"canary\",\"operator\":"
		"\"DoesNotExist\"}]}",
		"{\"canary\":\"true\"}"));
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
	assert_non_null(strstr(errmsg_get(), "In and NotIn need values"));
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
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dns_subdomains),
		cmocka_unit_test(test_selectors),
		cmocka_unit_test(test_selector_errors),
		cmocka_unit_test(test_validation),
	};

	return cmocka_run_group_tests_name("netpol", tests, NULL, NULL);
}
