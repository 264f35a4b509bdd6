/*
 * Fuzzes podflowd's reading of netlink datagrams: the bytes a recv() on
 * the conntrack socket returns, split into messages as ctsub_receive()
 * does (ctsub_read_datagram()), each read as a flow (ctflow_parse()) and,
 * when it reads, put in scope and made an edge.
 */
#include <stdint.h>
#include <string.h>

#include "podflow/addr.h"
#include "podflow/store.h"
#include "collector/ctflow.h"
#include "collector/ctsub.h"

static int one_message(const struct nlmsghdr *nlh, enum ctsub_kind kind,
		       void *data)
{
	const struct cidr *pods = data;
	struct store_edge e;
	struct ctflow f;

	if (ctflow_parse(nlh, &f) < 0)
		return 0;
	if (ctflow_in_scope(&f, pods, 2))
		ctflow_to_edge(&f, 60, 61, kind == CTSUB_DESTROY, &e);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* As recv() fills it: aligned, at most the receive buffer. */
	static uint32_t buf[64 * 1024 / 4];
	static struct cidr pods[2];

	if (pods[0].net.family == 0) {
		cidr_parse("10.244.0.0/16", &pods[0]);
		cidr_parse("fd00:10:244::/48", &pods[1]);
	}
	if (size > sizeof(buf))
		size = sizeof(buf);
	memcpy(buf, data, size);
	ctsub_read_datagram(buf, size, one_message, pods);
	return 0;
}
