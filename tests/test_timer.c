/*
 * Unit tests for timer: podflowd's timers in one table, due in order,
 * stopped ones never due, and the poll timeout they make.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "collector/timer.h"

/* Each test starts from a table of stopped timers (timer_init()). */
static int setup(void **state)
{
	struct timers *t = malloc(sizeof(*t));

	if (t == NULL)
		return -1;
	timer_init(t);
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	free(*state);
	return 0;
}

static void test_stopped_timers_are_never_due(void **state)
{
	struct timers *t = *state;
	enum timer_id id;

	for (int i = 0; i < TIMER_COUNT; i++) {
		assert_false(timer_is_set(t, (enum timer_id)i));
		assert_true(timer_when(t, (enum timer_id)i) == TIMER_NEVER);
	}
	assert_int_equal(timer_due(t, INT64_MAX - 1, &id), 0);
	/* Nothing to wait for: poll() without a timeout. */
	assert_int_equal(timer_next_due(t, 1000), -1);
}

static void test_set_and_stop(void **state)
{
	struct timers *t = *state;
	enum timer_id id;

	timer_set(t, TIMER_FLUSH, 500);
	assert_true(timer_is_set(t, TIMER_FLUSH));
	assert_true(timer_when(t, TIMER_FLUSH) == 500);
	timer_set(t, TIMER_FLUSH, 700); /* set again: the new time holds */
	assert_true(timer_when(t, TIMER_FLUSH) == 700);
	assert_int_equal(timer_due(t, 699, &id), 0);
	timer_stop(t, TIMER_FLUSH);
	assert_false(timer_is_set(t, TIMER_FLUSH));
	assert_int_equal(timer_due(t, 10000, &id), 0);
	timer_stop(t, TIMER_FLUSH); /* stopping a stopped timer */
	assert_false(timer_is_set(t, TIMER_FLUSH));
}

/* The next timer due at now must be want. */
static void assert_due_at(const char *file, int line, struct timers *t,
			  int64_t now, enum timer_id want)
{
	enum timer_id id = TIMER_COUNT;
	int rc = timer_due(t, now, &id);

	if (rc != 1 || id != want) {
		print_error("ERROR: at %lld: timer_due %d, timer %d; want 1, "
			    "timer %d\n",
			    (long long)now, rc, id, want);
		_fail(file, line);
	}
}

#define assert_due(t, now, want) assert_due_at(__FILE__, __LINE__, t, now, want)

static void test_due_timers_come_out_in_enum_order_once(void **state)
{
	struct timers *t = *state;
	enum timer_id id;

	/* Set in another order, and one due earlier than the rest. */
	timer_set(t, TIMER_PERIODIC, 100);
	timer_set(t, TIMER_METRICS, 100);
	timer_set(t, TIMER_FLUSH, 100);
	timer_set(t, TIMER_PRUNE, 50);
	timer_set(t, TIMER_STATS, 101); /* not due yet */
	timer_set(t, TIMER_RESYNC, 100);

	assert_due(t, 100, TIMER_RESYNC);
	assert_false(timer_is_set(t, TIMER_RESYNC)); /* taken: stopped */
	assert_due(t, 100, TIMER_FLUSH);
	/* A handler sets its timer again, after now: not due this round. */
	timer_set(t, TIMER_FLUSH, 200);
	assert_due(t, 100, TIMER_PRUNE);
	assert_due(t, 100, TIMER_METRICS);
	assert_due(t, 100, TIMER_PERIODIC);
	assert_int_equal(timer_due(t, 100, &id), 0);
	assert_true(timer_is_set(t, TIMER_STATS));
	assert_true(timer_is_set(t, TIMER_FLUSH));
}

static void test_next_due_is_the_poll_timeout(void **state)
{
	struct timers *t = *state;

	timer_set(t, TIMER_FLUSH, 1000);
	timer_set(t, TIMER_PRUNE, 4000);
	assert_int_equal(timer_next_due(t, 0), 1000);
	assert_int_equal(timer_next_due(t, 999), 1);
	/* Due, or overdue: no waiting. */
	assert_int_equal(timer_next_due(t, 1000), 0);
	assert_int_equal(timer_next_due(t, 5000), 0);
	timer_set(t, TIMER_WATCHDOG, 300);
	assert_int_equal(timer_next_due(t, 0), 300);
	timer_stop(t, TIMER_WATCHDOG);
	timer_stop(t, TIMER_FLUSH);
	assert_int_equal(timer_next_due(t, 0), 4000);
	/* Farther than poll() can wait: as far as it can. */
	timer_init(t);
	timer_set(t, TIMER_PERIODIC, (int64_t)INT_MAX * 4);
	assert_int_equal(timer_next_due(t, 0), INT_MAX);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_stopped_timers_are_never_due),
		T(test_set_and_stop),
		T(test_due_timers_come_out_in_enum_order_once),
		T(test_next_due_is_the_poll_timeout),
	};
#undef T

	return cmocka_run_group_tests_name("timer", tests, NULL, NULL);
}
