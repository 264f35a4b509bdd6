/*
 * proto: protocol numbers and names (proto.h).
 */
#include <stddef.h>
#include <string.h>
#include <strings.h>
#include <netinet/in.h>

#include "podflow/proto.h"

static const struct {
	uint8_t number;
	const char *name;
	int policy; /* a NetworkPolicy port may name it */
} protos[] = {
	{ IPPROTO_TCP, "TCP", 1 },
	{ IPPROTO_UDP, "UDP", 1 },
	{ IPPROTO_SCTP, "SCTP", 1 },
	{ IPPROTO_ICMP, "ICMP", 0 },
	{ IPPROTO_ICMPV6, "ICMP", 0 },
};

#define N_PROTOS (sizeof(protos) / sizeof(protos[0]))

const char *proto_name(uint8_t number)
{
	for (size_t i = 0; i < N_PROTOS; i++)
		if (protos[i].number == number)
			return protos[i].name;
	return NULL;
}

const char *proto_policy_name(const char *name, int ignore_case)
{
	for (size_t i = 0; i < N_PROTOS; i++)
		if (protos[i].policy &&
		    (ignore_case ? strcasecmp(name, protos[i].name)
				 : strcmp(name, protos[i].name)) == 0)
			return protos[i].name;
	return NULL;
}

int proto_is_policy(uint8_t number)
{
	for (size_t i = 0; i < N_PROTOS; i++)
		if (protos[i].number == number)
			return protos[i].policy;
	return 0;
}
