/*
 * timefmt: RFC 3339 and relative times (timefmt.h).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "podflow/errmsg.h"
#include "podflow/timefmt.h"

/* Reads exactly n digits at *p; returns -1 if they are not there. */
static int digits(const char **p, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*p)[i]))
			return -1;
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	return v;
}

static int expect(const char **p, const char *set)
{
	if (**p == '\0' || strchr(set, **p) == NULL)
		return -1;
	(*p)++;
	return 0;
}

int timefmt_parse_rfc3339(const char *text, int64_t *out)
{
	const char *p = text;
	struct tm tm = { 0 };
	int year, mon, day, hour, min, sec, off = 0;
	time_t t;

	if ((year = digits(&p, 4)) < 0 || expect(&p, "-") ||
	    (mon = digits(&p, 2)) < 0 || expect(&p, "-") ||
	    (day = digits(&p, 2)) < 0 || expect(&p, "Tt ") ||
	    (hour = digits(&p, 2)) < 0 || expect(&p, ":") ||
	    (min = digits(&p, 2)) < 0 || expect(&p, ":") ||
	    (sec = digits(&p, 2)) < 0)
		goto bad;
	if (*p == '.') /* fractional seconds: dropped */
		for (p++; isdigit((unsigned char)*p); p++)
			;
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		int sign = *p++ == '-' ? -1 : 1, oh, om;

		if ((oh = digits(&p, 2)) < 0 || expect(&p, ":") ||
		    (om = digits(&p, 2)) < 0)
			goto bad;
		off = sign * (oh * 3600 + om * 60);
	} else {
		goto bad;
	}
	if (*p != '\0' || mon < 1 || mon > 12 || day < 1 || day > 31 ||
	    hour > 23 || min > 59 || sec > 60)
		goto bad;
	tm.tm_year = year - 1900;
	tm.tm_mon = mon - 1;
	tm.tm_mday = day;
	tm.tm_hour = hour;
	tm.tm_min = min;
	tm.tm_sec = sec;
	t = timegm(&tm);
	*out = (int64_t)t - off;
	return 0;
bad:
	errmsg_set("'%s' is not an RFC 3339 time (like 2026-11-23T10:00:00Z)",
		   text);
	return -1;
}

int timefmt_parse_when(const char *text, int64_t now, int64_t *out)
{
	char *end;
	long long n;
	int64_t unit;

	/* "2026-...": a timestamp; its own message says what is wrong. */
	if (isdigit((unsigned char)text[0]) && strchr(text, '-') != NULL)
		return timefmt_parse_rfc3339(text, out);
	if (!isdigit((unsigned char)text[0]))
		goto bad;
	n = strtoll(text, &end, 10);
	if (strcmp(end, "s") == 0)
		unit = 1;
	else if (strcmp(end, "m") == 0)
		unit = 60;
	else if (strcmp(end, "h") == 0)
		unit = 3600;
	else if (strcmp(end, "d") == 0)
		unit = 86400;
	else
		goto bad;
	if (n < 0 || n > 100LL * 365 * 86400 / unit)
		goto bad;
	*out = now - (int64_t)n * unit;
	return 0;
bad:
	errmsg_set("'%s' is neither an RFC 3339 time nor a duration like "
		   "90m, 24h or 7d",
		   text);
	return -1;
}

char *timefmt_format(int64_t t, char buf[TIMEFMT_LEN])
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(buf, TIMEFMT_LEN, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return buf;
}

char *timefmt_age(int64_t seconds, char buf[TIMEFMT_AGE_LEN])
{
	if (seconds < 120)
		snprintf(buf, TIMEFMT_AGE_LEN, "%llds", (long long)seconds);
	else if (seconds < 2 * 3600)
		snprintf(buf, TIMEFMT_AGE_LEN, "%lldm", (long long)seconds / 60);
	else if (seconds < 48 * 3600)
		snprintf(buf, TIMEFMT_AGE_LEN, "%lldh",
			 (long long)seconds / 3600);
	else
		snprintf(buf, TIMEFMT_AGE_LEN, "%lldd",
			 (long long)seconds / 86400);
	return buf;
}
