/*
 * Unit tests for timer: podflowd's timers in one table, due in order,
 * stopped ones never due, and the poll timeout they make.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "collector/timer.h"

static void test_stopped_timers_are_never_due(void **state)
{
	struct timers t;
	enum timer_id id;

	(void)state;
	timer_init(&t);
	for (int i = 0; i < TIMER_COUNT; i++) {
		assert_false(timer_is_set(&t, (enum timer_id)i));
		assert_true(timer_when(&t, (enum timer_id)i) == TIMER_NEVER);
	}
	assert_int_equal(timer_due(&t, INT64_MAX - 1, &id), 0);
	/* Nothing to wait for: poll() without a timeout. */
	assert_int_equal(timer_next_due(&t, 1000), -1);
}

static void test_set_and_stop(void **state)
{
	struct timers t;
	enum timer_id id;

	(void)state;
	timer_init(&t);
	timer_set(&t, TIMER_FLUSH, 500);
	assert_true(timer_is_set(&t, TIMER_FLUSH));
	assert_true(timer_when(&t, TIMER_FLUSH) == 500);
	timer_set(&t, TIMER_FLUSH, 700); /* set again: the new time holds */
	assert_true(timer_when(&t, TIMER_FLUSH) == 700);
	assert_int_equal(timer_due(&t, 699, &id), 0);
	timer_stop(&t, TIMER_FLUSH);
	assert_false(timer_is_set(&t, TIMER_FLUSH));
	assert_int_equal(timer_due(&t, 10000, &id), 0);
	timer_stop(&t, TIMER_FLUSH); /* stopping a stopped timer */
	assert_false(timer_is_set(&t, TIMER_FLUSH));
}

static void test_due_timers_come_out_in_enum_order_once(void **state)
{
	struct timers t;
	enum timer_id id;

	(void)state;
	timer_init(&t);
	/* Set in another order, and one due earlier than the rest. */
	timer_set(&t, TIMER_PERIODIC, 100);
	timer_set(&t, TIMER_METRICS, 100);
	timer_set(&t, TIMER_FLUSH, 100);
	timer_set(&t, TIMER_PRUNE, 50);
	timer_set(&t, TIMER_STATS, 101); /* not due yet */
	timer_set(&t, TIMER_RESYNC, 100);

	assert_int_equal(timer_due(&t, 100, &id), 1);
	assert_int_equal(id, TIMER_RESYNC);
	assert_false(timer_is_set(&t, TIMER_RESYNC)); /* taken: stopped */
	assert_int_equal(timer_due(&t, 100, &id), 1);
	assert_int_equal(id, TIMER_FLUSH);
	/* A handler sets its timer again, after now: not due this round. */
	timer_set(&t, TIMER_FLUSH, 200);
	assert_int_equal(timer_due(&t, 100, &id), 1);
	assert_int_equal(id, TIMER_PRUNE);
	assert_int_equal(timer_due(&t, 100, &id), 1);
	assert_int_equal(id, TIMER_METRICS);
	assert_int_equal(timer_due(&t, 100, &id), 1);
	assert_int_equal(id, TIMER_PERIODIC);
	assert_int_equal(timer_due(&t, 100, &id), 0);
	assert_true(timer_is_set(&t, TIMER_STATS));
	assert_true(timer_is_set(&t, TIMER_FLUSH));
}

static void test_next_due_is_the_poll_timeout(void **state)
{
	struct timers t;

	(void)state;
	timer_init(&t);
	timer_set(&t, TIMER_FLUSH, 1000);
	timer_set(&t, TIMER_PRUNE, 4000);
	assert_int_equal(timer_next_due(&t, 0), 1000);
	assert_int_equal(timer_next_due(&t, 999), 1);
	/* Due, or overdue: no waiting. */
	assert_int_equal(timer_next_due(&t, 1000), 0);
	assert_int_equal(timer_next_due(&t, 5000), 0);
	timer_set(&t, TIMER_WATCHDOG, 300);
	assert_int_equal(timer_next_due(&t, 0), 300);
	timer_stop(&t, TIMER_WATCHDOG);
	timer_stop(&t, TIMER_FLUSH);
	assert_int_equal(timer_next_due(&t, 0), 4000);
	/* Farther than poll() can wait: as far as it can. */
	timer_init(&t);
	timer_set(&t, TIMER_PERIODIC, (int64_t)INT_MAX * 4);
	assert_int_equal(timer_next_due(&t, 0), INT_MAX);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stopped_timers_are_never_due),
		cmocka_unit_test(test_set_and_stop),
		cmocka_unit_test(test_due_timers_come_out_in_enum_order_once),
		cmocka_unit_test(test_next_due_is_the_poll_timeout),
	};

	return cmocka_run_group_tests_name("timer", tests, NULL, NULL);
}
