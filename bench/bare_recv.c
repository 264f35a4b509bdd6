/*
 * bare_recv: the cheapest possible conntrack NEW-event receiver, as the
 * yardstick for podflowd's CPU cost per event: a libmnl socket with the
 * same receive buffer, counting messages and nothing else.
 *
 *   bare_recv [BUFFER_BYTES]   runs until SIGTERM/SIGINT, then prints
 *                              "events N enobufs M"
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter/nfnetlink.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

int main(int argc, char **argv)
{
	static char buf[65536];
	int size = argc > 1 ? atoi(argv[1]) : 64 << 20;
	unsigned long long events = 0, enobufs = 0;
	struct sigaction sa = { .sa_handler = on_signal };
	struct mnl_socket *nl;

	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	nl = mnl_socket_open(NETLINK_NETFILTER);
	if (nl == NULL ||
	    mnl_socket_bind(nl, 1u << (NFNLGRP_CONNTRACK_NEW - 1),
			    MNL_SOCKET_AUTOPID) < 0 ||
	    setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVBUFFORCE,
		       &size, sizeof(size)) < 0) {
		perror("bare_recv");
		return 1;
	}
	fprintf(stderr, "bare_recv: ready\n");
	while (!stop) {
		ssize_t n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
		int len = (int)n;

		if (n < 0) {
			if (errno == ENOBUFS)
				enobufs++;
			continue;
		}
		for (; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len))
			events++;
	}
	printf("events %llu enobufs %llu\n", events, enobufs);
	return 0;
}
