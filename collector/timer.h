/*
 * timer: podflowd's timers in one table, after OpenBGPD's bgpd/timer.c.
 *
 * Each timer is due at a time or stopped.  The event loop sleeps until
 * the earliest (timer_next_due()), then takes the due ones one by one
 * (timer_due()) and runs each one's handler, which sets it again if it
 * repeats.  Adding a timer is adding a value to the enum and a handler in
 * podflowd.c: no field, no branch.
 */
#ifndef PODFLOW_TIMER_H
#define PODFLOW_TIMER_H

#include <stdint.h>

/*
 * podflowd's timers.  Timers due at the same time fire in this order: a
 * pending resync first, so that the flush after it writes what it found.
 */
enum timer_id {
	TIMER_RESYNC,	/* the table dump after lost events */
	TIMER_FLUSH,	/* edges to the database */
	TIMER_STATS,	/* counters to the log and the database */
	TIMER_PRUNE,	/* old edges deleted, WAL checkpointed */
	TIMER_STATUS,	/* the service manager's STATUS= line */
	TIMER_WATCHDOG, /* the service manager's watchdog ping */
	TIMER_METRICS,	/* the Prometheus textfile */
	TIMER_PERIODIC, /* the full dump every RESYNC_PERIODIC_S */
	TIMER_COUNT
};

/* The due time of a stopped timer: later than any time. */
#define TIMER_NEVER INT64_MAX

/*
 * The table, embedded by its user.  Times are monotonic milliseconds;
 * the fields are timer.c's.
 */
struct timers {
	int64_t due[TIMER_COUNT]; /* TIMER_NEVER: stopped */
};

/* Stops every timer. */
void timer_init(struct timers *t);

/* Makes which due at due_ms, whether it was stopped or set. */
void timer_set(struct timers *t, enum timer_id which, int64_t due_ms);

/* Stops which; a no-op if it is stopped. */
void timer_stop(struct timers *t, enum timer_id which);

/* Nonzero when which is set (due now, or later). */
int timer_is_set(const struct timers *t, enum timer_id which);

/* When which is due, TIMER_NEVER when it is stopped. */
int64_t timer_when(const struct timers *t, enum timer_id which);

/*
 * The milliseconds from now until the earliest timer is due, 0 when one
 * is due already, -1 when every timer is stopped: poll()'s timeout.
 */
int timer_next_due(const struct timers *t, int64_t now);

/*
 * Takes the first timer due at now, in the order of the enum: stops it
 * and stores it in *which.  Returns 1, or 0 when none is due.  Calling it
 * until it returns 0 takes each due timer once, as long as the handlers
 * set timers again for later than now.
 */
int timer_due(struct timers *t, int64_t now, enum timer_id *which);

#endif
