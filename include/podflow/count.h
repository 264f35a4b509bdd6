/*
 * count: adding counts of connections, bytes and packets, saturating.
 *
 * Counts come from the kernel's unsigned 64-bit counters, read as at most
 * INT64_MAX, and saturate there all the way to the reader: a sum past it
 * would be undefined in C and an error in SQLite, and one forged or odd
 * counter would then stop every later read of its edge.
 */
#ifndef PODFLOW_COUNT_H
#define PODFLOW_COUNT_H

#include <stdint.h>

/* a + b for counts (a, b >= 0), INT64_MAX past it. */
static inline int64_t count_add(int64_t a, int64_t b)
{
	int64_t sum;

	return __builtin_add_overflow(a, b, &sum) ? INT64_MAX : sum;
}

#endif
