/*
 * testkit: addresses, edges, pods, errmsg assertions and tables of cases
 * for the unit tests (testkit.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>

#include <cmocka.h>

#include "podflow/errmsg.h"
#include "testkit.h"

struct addr testkit_addr(const char *text)
{
	struct addr a = { 0 };

	if (addr_parse(text, &a) < 0)
		fail_msg("address '%s': %s", text, errmsg_get());
	return a;
}

struct store_edge testkit_edge(const char *client, const char *server,
			       uint16_t port, int64_t first_seen,
			       int64_t last_start, int64_t last_seen)
{
	struct store_edge e = {
		.bucket = first_seen - first_seen % 60,
		.client = testkit_addr(client),
		.server = testkit_addr(server),
		.server_port = port,
		.protocol = IPPROTO_TCP,
		.first_seen = first_seen,
		.last_seen = last_seen,
		.last_start = last_start,
		.connections = last_start == STORE_UNKNOWN ? 0 : 1,
		.orig_bytes = STORE_UNKNOWN,
		.orig_packets = STORE_UNKNOWN,
		.reply_bytes = STORE_UNKNOWN,
		.reply_packets = STORE_UNKNOWN,
	};
	return e;
}

struct inv_pod testkit_pod(const char *name, const char *workload,
			   const char *const *ip, int64_t started)
{
	struct inv_pod p = {
		.uid = name,
		.namespace = "shop",
		.name = name,
		.node = "node-1",
		.phase = "Running",
		.created = started,
		.started = started,
		.workload_kind = "Deployment",
		.workload_name = workload,
		.ips = ip,
		.n_ips = 1,
	};
	return p;
}

struct inv_pod testkit_pod_deleted(const char *name, const char *workload,
				   const char *const *ip, int64_t started,
				   int64_t deleted)
{
	struct inv_pod p = testkit_pod(name, workload, ip, started);

	p.deleted = deleted;
	return p;
}

void testkit_assert_errmsg_at(const char *file, int line, const char *want)
{
	if (strstr(errmsg_get(), want) == NULL) {
		print_error("ERROR: message '%s' lacks '%s'\n", errmsg_get(),
			    want);
		_fail(file, line);
	}
}

void testkit_assert_refused_at(const char *file, int line, int refused,
			       const char *want)
{
	if (!refused) {
		print_error("ERROR: made, want NULL and a message with '%s'\n",
			    want);
		_fail(file, line);
	}
	testkit_assert_errmsg_at(file, line, want);
}

int testkit_run_cases(const char *name, const struct CMUnitTest *functions,
		      size_t n_functions, const void *cases, size_t n_cases,
		      size_t size, CMUnitTestFunction fn,
		      CMFixtureFunction setup, CMFixtureFunction teardown)
{
	size_t n = n_functions + n_cases;
	struct CMUnitTest *tests = calloc(n, sizeof(*tests));
	int rc;

	if (tests == NULL)
		return -1;
	for (size_t i = 0; i < n_cases; i++) {
		const char *c = (const char *)cases + i * size;

		tests[i] = (struct CMUnitTest){
			.name = *(const char *const *)(const void *)c,
			.test_func = fn,
			.setup_func = setup,
			.teardown_func = teardown,
			.initial_state = (void *)c,
		};
	}
	memcpy(tests + n_cases, functions, n_functions * sizeof(*tests));
	rc = _cmocka_run_group_tests(name, tests, n, NULL, NULL);
	free(tests);
	return rc;
}
