/*
 * log: one line per message on stderr, for journald.
 *
 * Under systemd (JOURNAL_STREAM set) each line starts with a "<N>" syslog
 * priority prefix so the journal keeps the level; on a terminal the line
 * starts with the program name instead.  Only main() and the daemon loop
 * log; library code reports through errmsg.
 */
#ifndef PODFLOW_LOG_H
#define PODFLOW_LOG_H

#include <stdint.h>
#include <syslog.h>

/* Sets the name printed on a terminal (not copied: pass a literal). */
void log_init(const char *progname);

void log_msg(int priority, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * A rate limit for one kind of message: at most burst messages per
 * interval seconds, then a count of what was suppressed.
 */
struct log_ratelimit {
	int64_t interval;
	unsigned int burst;
	int64_t window_start;
	unsigned int printed;
	uint64_t suppressed;
};

#define LOG_RATELIMIT_INIT(interval_s, burst_n) \
	{ .interval = (interval_s), .burst = (burst_n) }

/*
 * Nonzero when a message may be logged at time now (seconds).  When a new
 * window opens after messages were suppressed, *suppressed gets their
 * number (else 0) so the caller can mention it.
 */
int log_ratelimit_ok(struct log_ratelimit *rl, int64_t now,
		     uint64_t *suppressed);

#endif
