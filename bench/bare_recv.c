/*
 * bare_recv: the cheapest possible conntrack event receiver, the floor
 * podflowd's CPU cost is measured against.  It subscribes to the groups
 * podflowd subscribes to (NEW and DESTROY), with podflowd's default
 * receive buffer (64 MiB) and its read size (64 KiB), and only counts
 * messages by type.
 *
 *   bare_recv [BUFFER_BYTES]
 *	prints "bare_recv: ready" to stderr once subscribed; runs until
 *	SIGTERM/SIGINT, then reads what the kernel already queued (as
 *	podflowd does) and prints
 *	"new N destroy M other K enobufs E rcvbuf B"
 *	where E counts the ENOBUFS episodes (the kernel reports a loss once,
 *	then drops silently until the queue has been drained) and B is the
 *	buffer the kernel granted (twice what was asked, for its
 *	bookkeeping).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

struct counts {
	unsigned long long new, destroy, other, enobufs;
};

/* Counts the messages in one datagram. */
static void count(struct counts *c, const void *buf, ssize_t n)
{
	const struct nlmsghdr *nlh = buf;
	int len = (int)n;

	for (; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
		switch (NFNL_MSG_TYPE(nlh->nlmsg_type)) {
		case IPCTNL_MSG_CT_NEW:
			c->new++;
			break;
		case IPCTNL_MSG_CT_DELETE:
			c->destroy++;
			break;
		default:
			c->other++;
		}
	}
}

int main(int argc, char **argv)
{
	static char buf[65536];
	int size = argc > 1 ? atoi(argv[1]) : 64 << 20, granted = 0;
	unsigned int groups = (1u << (NFNLGRP_CONNTRACK_NEW - 1)) |
			      (1u << (NFNLGRP_CONNTRACK_DESTROY - 1));
	socklen_t glen = sizeof(granted);
	struct counts c = { 0 };
	/* No SA_RESTART: a signal ends the blocking read. */
	struct sigaction sa = { .sa_handler = on_signal };
	struct mnl_socket *nl;
	int fd;

	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	nl = mnl_socket_open(NETLINK_NETFILTER);
	if (nl == NULL ||
	    mnl_socket_bind(nl, groups, MNL_SOCKET_AUTOPID) < 0 ||
	    setsockopt(fd = mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVBUFFORCE,
		       &size, sizeof(size)) < 0) {
		perror("bare_recv");
		return 1;
	}
	getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &granted, &glen);
	fprintf(stderr, "bare_recv: ready\n");
	while (!stop) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);

		if (n < 0) {
			if (errno == ENOBUFS)
				c.enobufs++;
			continue;
		}
		count(&c, buf, n);
	}
	/* What the kernel queued before the signal. */
	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);

		if (n < 0) {
			if (errno == ENOBUFS) {
				c.enobufs++;
				continue;
			}
			if (errno == EINTR)
				continue;
			break;
		}
		count(&c, buf, n);
	}
	printf("new %llu destroy %llu other %llu enobufs %llu rcvbuf %d\n",
	       c.new, c.destroy, c.other, c.enobufs, granted);
	mnl_socket_close(nl);
	return 0;
}
