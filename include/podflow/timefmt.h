/*
 * timefmt: the times users type and read: RFC 3339 timestamps and
 * durations back from now ("90m", "24h", "7d").
 */
#ifndef PODFLOW_TIMEFMT_H
#define PODFLOW_TIMEFMT_H

#include <stdint.h>

/* Room for "YYYY-MM-DDTHH:MM:SSZ". */
#define TIMEFMT_LEN 21

/*
 * Parses an RFC 3339 timestamp ("2026-11-23T10:00:00Z", fractional
 * seconds and numeric offsets accepted) into Unix seconds.  Returns 0, or
 * -1 with errmsg.
 */
int timefmt_parse_rfc3339(const char *text, int64_t *out);

/*
 * Parses a point in time as users give it on the command line: an RFC
 * 3339 timestamp, or a duration back from now ("30s", "90m", "24h",
 * "7d").  Returns 0, or -1 with errmsg.
 */
int timefmt_parse_when(const char *text, int64_t now, int64_t *out);

/* Writes t as "YYYY-MM-DDTHH:MM:SSZ" into buf.  Returns buf. */
char *timefmt_format(int64_t t, char buf[TIMEFMT_LEN]);

/* Room for an age: "-9223372036854775808d". */
#define TIMEFMT_AGE_LEN 24

/*
 * Writes a duration of seconds as kubectl's AGE column does, in the
 * largest unit that keeps two figures: "45s", "90m", "36h", "12d".
 * Returns buf.
 */
char *timefmt_age(int64_t seconds, char buf[TIMEFMT_AGE_LEN]);

#endif
