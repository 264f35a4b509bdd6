/*
 * addr: parsing, formatting and prefix matching of IPv4/IPv6 addresses.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "podflow/addr.h"
#include "podflow/errmsg.h"

static int addr_len(int family)
{
	return family == AF_INET ? 4 : family == AF_INET6 ? 16 : 0;
}

char *addr_format(const struct addr *a, char buf[ADDR_STRLEN])
{
	buf[0] = '\0';
	if (a->family == AF_INET || a->family == AF_INET6)
		inet_ntop(a->family, a->bytes, buf, ADDR_STRLEN);
	return buf;
}

int addr_parse(const char *text, struct addr *a)
{
	struct addr out = { 0 };

	if (inet_pton(AF_INET, text, out.bytes) == 1) {
		out.family = AF_INET;
	} else if (inet_pton(AF_INET6, text, out.bytes) == 1) {
		out.family = AF_INET6;
	} else {
		errmsg_set("'%s' is not an IPv4 or IPv6 address", text);
		return -1;
	}
	*a = out;
	return 0;
}

int addr_is_v4_mapped(const struct addr *a)
{
	static const uint8_t v4_mapped[12] = { [10] = 0xff, [11] = 0xff };

	return a->family == AF_INET6 &&
	       memcmp(a->bytes, v4_mapped, sizeof(v4_mapped)) == 0;
}

int addr_equal(const struct addr *a, const struct addr *b)
{
	return a->family == b->family &&
	       memcmp(a->bytes, b->bytes, sizeof(a->bytes)) == 0;
}

/* Nonzero when a and b agree on their first len bits. */
static int prefix_equal(const uint8_t *a, const uint8_t *b, unsigned int len)
{
	unsigned int whole = len / 8, rest = len % 8;

	if (memcmp(a, b, whole) != 0)
		return 0;
	if (rest == 0)
		return 1;
	return ((a[whole] ^ b[whole]) & (0xff << (8 - rest))) == 0;
}

int cidr_parse(const char *text, struct cidr *c)
{
	char host[ADDR_STRLEN];
	const char *slash = strchr(text, '/');
	struct cidr out = { 0 };
	struct addr masked = { 0 };
	size_t n = slash ? (size_t)(slash - text) : strlen(text);
	long len;
	char *end;

	if (n == 0 || n >= sizeof(host))
		goto bad;
	memcpy(host, text, n);
	host[n] = '\0';
	if (addr_parse(host, &out.net) < 0)
		goto bad;
	len = addr_len(out.net.family) * 8;
	if (slash) {
		errno = 0;
		len = strtol(slash + 1, &end, 10);
		if (errno || end == slash + 1 || *end != '\0' || len < 0 ||
		    len > addr_len(out.net.family) * 8)
			goto bad;
	}
	out.len = (uint8_t)len;
	/* The bits past the prefix must be zero. */
	masked.family = out.net.family;
	memcpy(masked.bytes, out.net.bytes, sizeof(masked.bytes));
	for (unsigned int bit = out.len; bit < 128; bit++)
		masked.bytes[bit / 8] &= (uint8_t)~(0x80 >> (bit % 8));
	if (!addr_equal(&masked, &out.net)) {
		errmsg_set("'%s' has host bits set beyond /%u", text, out.len);
		return -1;
	}
	*c = out;
	return 0;
bad:
	errmsg_set("'%s' is not a CIDR prefix (ADDRESS/LENGTH)", text);
	return -1;
}

char *cidr_format(const struct cidr *c, char buf[CIDR_STRLEN])
{
	char a[ADDR_STRLEN];

	snprintf(buf, CIDR_STRLEN, "%s/%u", addr_format(&c->net, a), c->len);
	return buf;
}

int cidr_contains(const struct cidr *c, const struct addr *a)
{
	return a->family == c->net.family &&
	       prefix_equal(a->bytes, c->net.bytes, c->len);
}
