/*
 * kname: Kubernetes names and label texts as the API server checks them
 * (kname.h).  ASCII classes by hand: <ctype.h> follows the locale, the API
 * server does not.
 */
#include <stdio.h>
#include <string.h>

#include "podflow/kname.h"

#define DNS_LABEL_MAX 63
#define DNS_SUBDOMAIN_MAX 253
#define QUALIFIED_NAME_MAX 63
#define LABEL_VALUE_MAX 63
#define PORT_NAME_MAX 15
#define QUOTE_BYTES 96

static int is_lower_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static int is_alnum(char c)
{
	return is_lower_alnum(c) || (c >= 'A' && c <= 'Z');
}

/* An RFC 1123 label of len bytes at s. */
static int is_label(const char *s, size_t len)
{
	if (len == 0 || len > DNS_LABEL_MAX || !is_lower_alnum(s[0]) ||
	    !is_lower_alnum(s[len - 1]))
		return 0;
	for (size_t i = 1; i + 1 < len; i++)
		if (!is_lower_alnum(s[i]) && s[i] != '-')
			return 0;
	return 1;
}

int kname_is_dns_label(const char *s)
{
	return is_label(s, strlen(s));
}

int kname_is_dns1035_label(const char *s)
{
	return s[0] >= 'a' && s[0] <= 'z' && kname_is_dns_label(s);
}

/*
 * The API server's pattern has no limit per label, only on the whole: a
 * Deployment may well be named with 70 letters and no dot.
 */
static int is_subdomain(const char *s, size_t len)
{
	size_t start = 0;

	if (len == 0 || len > DNS_SUBDOMAIN_MAX)
		return 0;
	for (size_t i = 0; i <= len; i++) {
		if (i < len && s[i] != '.')
			continue;
		if (i == start || !is_lower_alnum(s[start]) ||
		    !is_lower_alnum(s[i - 1]))
			return 0;
		for (size_t j = start; j < i; j++)
			if (!is_lower_alnum(s[j]) && s[j] != '-')
				return 0;
		start = i + 1;
	}
	return 1;
}

int kname_is_dns_subdomain(const char *s)
{
	return is_subdomain(s, strlen(s));
}

/* [A-Za-z0-9] at both ends, [-A-Za-z0-9_.] between; 1..max bytes. */
static int is_qualified_part(const char *s, size_t len, size_t max)
{
	if (len == 0 || len > max || !is_alnum(s[0]) || !is_alnum(s[len - 1]))
		return 0;
	for (size_t i = 1; i + 1 < len; i++)
		if (!is_alnum(s[i]) && strchr("-_.", s[i]) == NULL)
			return 0;
	return 1;
}

int kname_is_label_key(const char *s)
{
	const char *slash = strchr(s, '/');
	const char *name = slash ? slash + 1 : s;

	if (slash != NULL && !is_subdomain(s, (size_t)(slash - s)))
		return 0;
	return is_qualified_part(name, strlen(name), QUALIFIED_NAME_MAX);
}

int kname_is_label_value(const char *s)
{
	size_t len = strlen(s);

	return len == 0 || is_qualified_part(s, len, LABEL_VALUE_MAX);
}

int kname_is_kind(const char *s)
{
	size_t len = strlen(s);

	if (len == 0 || len > DNS_LABEL_MAX ||
	    !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')))
		return 0;
	for (size_t i = 1; i < len; i++)
		if (!is_alnum(s[i]))
			return 0;
	return 1;
}

int kname_is_port_name(const char *s)
{
	size_t len = strlen(s);
	int letter = 0;

	if (len == 0 || len > PORT_NAME_MAX || s[0] == '-' || s[len - 1] == '-' ||
	    strstr(s, "--") != NULL)
		return 0;
	for (size_t i = 0; i < len; i++) {
		if (!is_lower_alnum(s[i]) && s[i] != '-')
			return 0;
		if (s[i] >= 'a' && s[i] <= 'z')
			letter = 1;
	}
	return letter;
}

/* Writes the escaped s at buf + o; returns the new end. */
static size_t escape(char *buf, size_t o, const char *s, size_t len)
{
	for (size_t i = 0; i < len && i < QUOTE_BYTES; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x20 && c < 0x7f && c != '\\' && c != '\'')
			buf[o++] = (char)c;
		else
			o += (size_t)snprintf(buf + o, 5, "\\x%02x", c);
	}
	if (len > QUOTE_BYTES) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o] = '\0';
	return o;
}

char *kname_escape(char buf[KNAME_QUOTE_MAX], const char *s, size_t len)
{
	escape(buf, 0, s, len);
	return buf;
}

char *kname_quote(char buf[KNAME_QUOTE_MAX], const char *s, size_t len)
{
	size_t o;

	buf[0] = '\'';
	o = escape(buf, 1, s, len);
	buf[o++] = '\'';
	buf[o] = '\0';
	return buf;
}

/* Names compared are short; longer ones are never a typo of each other. */
#define DISTANCE_MAX_LEN 128

size_t kname_distance(const char *a, const char *b, size_t max)
{
	/* Three rows of the table: two back (for swaps), one back, this one. */
	size_t rows[3][DISTANCE_MAX_LEN + 1], la = strlen(a), lb = strlen(b);
	size_t *prev2 = rows[0], *prev = rows[1], *cur = rows[2], *t;

	if (la > DISTANCE_MAX_LEN || lb > DISTANCE_MAX_LEN ||
	    (la > lb ? la - lb : lb - la) > max)
		return max + 1;
	for (size_t j = 0; j <= lb; j++)
		prev[j] = j;
	for (size_t i = 1; i <= la; i++) {
		cur[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t d = prev[j - 1] + (a[i - 1] != b[j - 1]);

			if (prev[j] + 1 < d)
				d = prev[j] + 1;
			if (cur[j - 1] + 1 < d)
				d = cur[j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && prev2[j - 2] + 1 < d)
				d = prev2[j - 2] + 1;
			cur[j] = d;
		}
		t = prev2, prev2 = prev, prev = cur, cur = t;
	}
	return prev[lb] > max ? max + 1 : prev[lb];
}
