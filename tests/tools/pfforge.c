/*
 * pfforge: sends conntrack events from user space, as a process with
 * CAP_NET_ADMIN can, to the NEW group of the network namespace it runs
 * in, for the tests that check podflowd believes only the kernel.
 *
 *   pfforge new SRC SPORT DST DPORT   a well-formed NEW event (TCP)
 *   pfforge short                     60 bytes that claim to be a NEW
 *
 * The messages carry no NLM_F_REQUEST, so that the kernel, which gets a
 * copy too, takes them for no request (it would create the entry).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>

#include "support/ctmsg.h"

static char buf[4096];

int main(int argc, char **argv)
{
	struct sockaddr_nl to = {
		.nl_family = AF_NETLINK,
		.nl_groups = 1u << (NFNLGRP_CONNTRACK_NEW - 1),
	};
	struct mnl_socket *nl = mnl_socket_open(NETLINK_NETFILTER);
	struct nlmsghdr *nlh;

	if (nl == NULL || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		perror("pfforge: netlink socket");
		return 1;
	}
	if (argc == 6 && strcmp(argv[1], "new") == 0) {
		struct ctspec spec = CTSPEC(TCP, argv[2], (uint16_t)atoi(argv[3]),
					    argv[4], (uint16_t)atoi(argv[5]),
					    .id = 4242);

		nlh = ctmsg_build(buf, IPCTNL_MSG_CT_NEW, 0, &spec);
		nlh->nlmsg_flags &= (uint16_t)~NLM_F_REQUEST;
	} else if (argc == 2 && strcmp(argv[1], "short") == 0) {
		struct nfgenmsg *nfg;

		memset(buf, 0xa5, 60);
		nlh = (struct nlmsghdr *)buf;
		nlh->nlmsg_len = 60;
		nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) |
				  IPCTNL_MSG_CT_NEW;
		nlh->nlmsg_flags = 0;
		nfg = mnl_nlmsg_get_payload(nlh);
		nfg->nfgen_family = AF_INET;
		nfg->version = NFNETLINK_V0;
	} else {
		fprintf(stderr, "usage: pfforge new SRC SPORT DST DPORT | "
				"pfforge short\n");
		return 2;
	}
	if (sendto(mnl_socket_get_fd(nl), nlh, nlh->nlmsg_len, 0,
		   (struct sockaddr *)&to, sizeof(to)) < 0) {
		perror("pfforge: sendto");
		return 1;
	}
	mnl_socket_close(nl);
	return 0;
}
