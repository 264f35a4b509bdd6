/*
 * proto: the one table of IP protocols podflow names.
 *
 * Conntrack gives numbers, NetworkPolicy and people give names; this is
 * where the two meet.  The store's views spell the same names in SQL
 * (sql/schema.sql), for sqlite3 users who have no C at hand.
 */
#ifndef PODFLOW_PROTO_H
#define PODFLOW_PROTO_H

#include <stdint.h>

/* "TCP", "UDP", "SCTP", "ICMP" (for ICMP and ICMPv6), or NULL. */
const char *proto_name(uint8_t number);

/*
 * The protocol a NetworkPolicy port may name, from TCP, UDP or SCTP
 * (with ignore_case, also tcp, Udp, ...): the table's own spelling, or
 * NULL when it is none of them.
 */
const char *proto_policy_name(const char *name, int ignore_case);

/* Nonzero for a number a NetworkPolicy can express (TCP, UDP, SCTP). */
int proto_is_policy(uint8_t number);

#endif
