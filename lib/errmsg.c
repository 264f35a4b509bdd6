/*
 * errmsg: per-thread storage for the last error message (see errmsg.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "podflow/errmsg.h"

/* Long enough for a path, a line number and an SQLite message. */
#define ERRMSG_MAX 1024

static _Thread_local char errmsg_buf[ERRMSG_MAX];

void errmsg_set(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(errmsg_buf, sizeof(errmsg_buf), fmt, ap);
	va_end(ap);
}

void errmsg_prefix(const char *fmt, ...)
{
	char prefix[ERRMSG_MAX], old[ERRMSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	memcpy(old, errmsg_buf, sizeof(old));
	/* Truncation is acceptable: the start of a message says the most. */
	if (snprintf(errmsg_buf, sizeof(errmsg_buf), "%s: %s", prefix, old) < 0)
		errmsg_buf[0] = '\0';
}

void errmsg_set_at(const char *file, int line, int column, const char *fmt,
		   ...)
{
	char msg[ERRMSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (line > 0 && column > 0)
		errmsg_set("%s:%d:%d: %s", file, line, column, msg);
	else if (line > 0)
		errmsg_set("%s:%d: %s", file, line, msg);
	else
		errmsg_set("%s: %s", file, msg);
}

const char *errmsg_get(void)
{
	return errmsg_buf;
}
