/*
 * Unit tests for the generate engine: the names of the policies it writes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "podflow/arena.h"
#include "podflow/netpol.h"
#include "policygen/generate.h"

static void test_policy_names(void **state)
{
	struct arena a = ARENA_INIT;
	char longname[300] = "";
	const char *n1, *n2, *n3;

	(void)state;
	assert_string_equal(generate_policy_name(&a, "Deployment", "web"),
			    "podflow-deployment-web");
	assert_string_equal(generate_policy_name(&a, "StatefulSet", "db.v2"),
			    "podflow-statefulset-db.v2");
	/* A valid 250-character Deployment name (labels of 9 and a dot). */
	while (strlen(longname) < 240)
		strcat(longname, "abcdefghi.");
	strcat(longname, "abcdefghi");
	n1 = generate_policy_name(&a, "Deployment", longname);
	longname[0] = 'z';
	n2 = generate_policy_name(&a, "Deployment", longname);
	longname[0] = 'a';
	n3 = generate_policy_name(&a, "Deployment", longname);
	assert_true(strlen(n1) <= 63);
	assert_true(netpol_is_dns_subdomain(n1));
	assert_true(netpol_is_dns_subdomain(n2));
	assert_string_not_equal(n1, n2);
	assert_string_equal(n1, n3); /* stable */
	/* A first label of 60: the prefix would make it too long. */
	memset(longname, 'q', 60);
	longname[60] = '\0';
	n1 = generate_policy_name(&a, "Deployment", longname);
	assert_true(netpol_is_dns_subdomain(n1));
	assert_int_equal(strncmp(n1, "podflow-deployment-qqq", 22), 0);
	arena_reset(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_policy_names),
	};

	return cmocka_run_group_tests_name("generate", tests, NULL, NULL);
}
