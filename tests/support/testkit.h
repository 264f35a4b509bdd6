/*
 * testkit: what the unit tests did again and again, done once: an
 * address from its text, an edge as podflowd flushes it, a pod as
 * policygen import reads it, the assertions on what a failure leaves in
 * errmsg, and the run of a table of cases, one cmocka test each.
 *
 * Include after <cmocka.h>.  Needs lib/ only (an edge and a pod are
 * plain records).
 */
#ifndef PODFLOW_TEST_TESTKIT_H
#define PODFLOW_TEST_TESTKIT_H

#include <stdint.h>

#include "podflow/addr.h"
#include "podflow/errmsg.h"
#include "podflow/inventory.h"
#include "podflow/store.h"

/* The address text stands for; text that does not parse fails the test. */
struct addr testkit_addr(const char *text);

/*
 * An edge of TCP connections from client to server:port, as podflowd
 * flushes it: started from first_seen to last_start and last seen at
 * last_seen, in the minute bucket of first_seen, with no byte or packet
 * counts (STORE_UNKNOWN).  It counts one connection, or none when
 * last_start is STORE_UNKNOWN: then it only extends connections counted
 * before, as the DESTROY of a connection whose start podflowd does not
 * know does.  Tests change the fields their case is about.
 */
struct store_edge testkit_edge(const char *client, const char *server,
			       uint16_t port, int64_t first_seen,
			       int64_t last_start, int64_t last_seen);

/*
 * A running pod name of Deployment workload in namespace shop on node-1,
 * created and started at started, holding the one address ip[0] (ip must
 * outlive the record), as policygen import reads it from kubectl: no
 * labels, no deletionTimestamp, no ports; tests set what their case is
 * about.  The uid is the name: one pod per name in a test.
 */
struct inv_pod testkit_pod(const char *name, const char *workload,
			   const char *const *ip, int64_t started);

/* The same pod, deleted (its deletionTimestamp) at deleted; 0: not. */
struct inv_pod testkit_pod_deleted(const char *name, const char *workload,
				   const char *const *ip, int64_t started,
				   int64_t deleted);

/*
 * Fails the test at the caller's line, with both texts, unless the
 * current errmsg contains want.
 */
#define testkit_assert_errmsg(want)                                            \
	testkit_assert_errmsg_at(__FILE__, __LINE__, want)

void testkit_assert_errmsg_at(const char *file, int line, const char *want);

/*
 * Fails the test at the caller's line unless made, what a constructor
 * returned, is NULL and errmsg then contains want.  errmsg is emptied
 * first: the message must be the constructor's own.
 */
#define testkit_assert_refused(made, want)                                     \
	do {                                                                   \
		errmsg_set("%s", "");                                          \
		testkit_assert_refused_at(__FILE__, __LINE__, (made) == NULL,  \
					  want);                               \
	} while (0)

void testkit_assert_refused_at(const char *file, int line, int refused,
			       const char *want);

/*
 * Runs the cmocka group name, for a file whose cases are the same steps
 * with other data: one test per element of the array cases, named by the
 * element's first member (a const char *) and run by fn with setup and
 * teardown (NULL: none), then the tests in the array functions.  Before
 * setup, *state is the element: fn finds it there, or setup does and
 * keeps it in its fixture.  A case that fails is reported under its own
 * name.  Returns what cmocka_run_group_tests() does (-1: out of memory).
 */
#define testkit_run(name, functions, cases, fn, setup, teardown)              \
	testkit_run_cases(name, functions,                                     \
			  sizeof(functions) / sizeof((functions)[0]), cases,   \
			  sizeof(cases) / sizeof((cases)[0]),                  \
			  sizeof((cases)[0]), fn, setup, teardown)

int testkit_run_cases(const char *name, const struct CMUnitTest *functions,
		      size_t n_functions, const void *cases, size_t n_cases,
		      size_t size, CMUnitTestFunction fn,
		      CMFixtureFunction setup, CMFixtureFunction teardown);

#endif
