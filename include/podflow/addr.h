/*
 * addr: IPv4/IPv6 addresses and CIDR prefixes as plain values.
 *
 * One fixed-size representation for both families, so that addresses can
 * be hashed and compared with memcmp() by the collector and turned into
 * canonical text by the store.
 */
#ifndef PODFLOW_ADDR_H
#define PODFLOW_ADDR_H

#include <stdint.h>

/* Room for the longest inet_ntop() text, "ffff:...:255.255.255.255". */
#define ADDR_STRLEN 46

/* An address in network byte order; family 0 means "none". */
struct addr {
	uint8_t family; /* AF_INET, AF_INET6 or 0 */
	uint8_t bytes[16]; /* IPv4 uses the first four; the rest is zero */
};

/* A prefix: the address with its host bits cleared, and its length. */
struct cidr {
	struct addr net;
	uint8_t len;
};

/*
 * Writes the canonical text of a (as inet_ntop() does) into buf, or "" when
 * a has family 0.  Returns buf.
 */
char *addr_format(const struct addr *a, char buf[ADDR_STRLEN]);

/* Parses IPv4 or IPv6 text into *a.  Returns 0, or -1 with errmsg. */
int addr_parse(const char *text, struct addr *a);

/*
 * Nonzero when a is an IPv4-mapped IPv6 address (::ffff:a.b.c.d).  No
 * connection has one (the kernel reports IPv4 as IPv4) and the API server
 * refuses them as pod and Service addresses.
 */
int addr_is_v4_mapped(const struct addr *a);

/* Nonzero when a and b are the same address (0 when families differ). */
int addr_equal(const struct addr *a, const struct addr *b);

/*
 * Parses "ADDR/LEN" (or a bare address, a host prefix) into *c.  Host bits
 * set beyond LEN are an error, as in Kubernetes' own validation, because
 * they usually mean a typo.  Returns 0, or -1 with errmsg.
 */
int cidr_parse(const char *text, struct cidr *c);

/* Writes "NET/LEN" into buf (ADDR_STRLEN + 4 bytes).  Returns buf. */
#define CIDR_STRLEN (ADDR_STRLEN + 4)
char *cidr_format(const struct cidr *c, char buf[CIDR_STRLEN]);

/* Nonzero when a lies inside c. */
int cidr_contains(const struct cidr *c, const struct addr *a);

#endif
