/*
 * timer: the table of podflowd's timers (timer.h).
 *
 * A plain array indexed by timer, scanned in full: with eight timers a
 * scan costs less than keeping a sorted list, and the scan's order is the
 * enum's, which is the order due timers fire in.
 */
#include <limits.h>

#include "timer.h"

void timer_init(struct timers *t)
{
	for (int i = 0; i < TIMER_COUNT; i++)
		t->due[i] = TIMER_NEVER;
}

void timer_set(struct timers *t, enum timer_id which, int64_t due_ms)
{
	t->due[which] = due_ms;
}

void timer_stop(struct timers *t, enum timer_id which)
{
	t->due[which] = TIMER_NEVER;
}

int timer_is_set(const struct timers *t, enum timer_id which)
{
	return t->due[which] != TIMER_NEVER;
}

int64_t timer_when(const struct timers *t, enum timer_id which)
{
	return t->due[which];
}

int timer_next_due(const struct timers *t, int64_t now)
{
	int64_t next = TIMER_NEVER;

	for (int i = 0; i < TIMER_COUNT; i++)
		if (t->due[i] < next)
			next = t->due[i];
	if (next == TIMER_NEVER)
		return -1;
	if (next <= now)
		return 0;
	/* poll() takes an int; waking up early is harmless. */
	return next - now > INT_MAX ? INT_MAX : (int)(next - now);
}

int timer_due(struct timers *t, int64_t now, enum timer_id *which)
{
	for (int i = 0; i < TIMER_COUNT; i++)
		if (t->due[i] != TIMER_NEVER && t->due[i] <= now) {
			t->due[i] = TIMER_NEVER;
			*which = (enum timer_id)i;
			return 1;
		}
	return 0;
}
