/*
 * log: priority-prefixed lines on stderr (see log.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "podflow/log.h"

static const char *log_progname = "podflow";
static int log_journal;

void log_init(const char *progname)
{
	log_progname = progname;
	/* systemd sets JOURNAL_STREAM when stderr goes to the journal. */
	log_journal = getenv("JOURNAL_STREAM") != NULL;
}

void log_msg(int priority, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	/* One fprintf per line, so lines from a burst never interleave. */
	if (log_journal)
		fprintf(stderr, "<%d>%s\n", priority, line);
	else
		fprintf(stderr, "%s: %s\n", log_progname, line);
}

int log_ratelimit_ok(struct log_ratelimit *rl, int64_t now,
		     uint64_t *suppressed)
{
	*suppressed = 0;
	if (now - rl->window_start >= rl->interval) {
		*suppressed = rl->suppressed;
		rl->window_start = now;
		rl->printed = 0;
		rl->suppressed = 0;
	}
	if (rl->printed < rl->burst) {
		rl->printed++;
		return 1;
	}
	rl->suppressed++;
	return 0;
}
