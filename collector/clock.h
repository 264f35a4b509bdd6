/*
 * clock: the collector's one reading of a clock, in nanoseconds.
 *
 * CLOCK_REALTIME is the clock conntrack stamps a connection's start with
 * (ktime_get_real), so the marks of podflowd's count compare with it;
 * CLOCK_MONOTONIC times the loop's timers and its flushes.
 */
#ifndef PODFLOW_CLOCK_H
#define PODFLOW_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline int64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

#endif
