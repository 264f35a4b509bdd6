/*
 * pftraffic: traffic for podflow's real-kernel tests and benchmarks, run
 * inside the test's own network namespaces.
 *
 *   pftraffic serve tcp|udp ADDR PORT
 *	answers each TCP connection or UDP datagram with what it received,
 *	until killed.
 *   pftraffic connect tcp|udp ADDR PORT [COUNT [HOLD_MS]]
 *	opens COUNT connections one after another (each from a new source
 *	port), sends a line and waits for the answer; keeps each open
 *	HOLD_MS before closing.  Exits 1 if any got no answer.
 *   pftraffic flood ADDR PORT FLOWS
 *	sends FLOWS one-byte UDP datagrams, each a new flow (a distinct
 *	source and destination port pair), as fast as it can, and prints
 *	how many it sent and the rate.
 *   pftraffic sink ADDR PORT [PORTS]
 *	listens for TCP on PORTS ports from PORT (default 32) and closes each
 *	connection as soon as it is accepted, with a reset (SO_LINGER 0),
 *	until killed.
 *   pftraffic flood-tcp ADDR PORT FLOWS [PORTS]
 *	opens FLOWS TCP connections, each a new flow: flow i from source
 *	port 10000 + i % 50000 to port PORT + i / 50000 % PORTS (default
 *	32), so that no two of the first 50000 * PORTS share a tuple.  Up to
 *	FLOOD_TCP_INFLIGHT handshakes at once, as fast as they complete;
 *	each connection is closed with a reset (SO_LINGER 0) as soon as its
 *	handshake is done.  Prints how many completed, the rate, and how
 *	many failed (refused or timed out); exits 1 if any failed.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define ANSWER_TIMEOUT_MS 3000
#define FLOOD_BATCH 64
/* Destination ports per source socket in a flood. */
#define FLOOD_PORTS 50000
/* A TCP flood: source ports, handshakes in flight, SYNs sent per flow. */
#define FLOOD_TCP_SPORT 10000
#define FLOOD_TCP_SPORTS 50000
#define FLOOD_TCP_INFLIGHT 256
#define FLOOD_TCP_SYNCNT 3
#define SINK_MAX_PORTS 1024

static int parse_sockaddr(const char *addr, const char *port,
			  struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
	int p = atoi(port);

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, addr, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons((uint16_t)p);
		*len = sizeof(*in4);
		return 0;
	}
	if (inet_pton(AF_INET6, addr, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)p);
		*len = sizeof(*in6);
		return 0;
	}
	fprintf(stderr, "pftraffic: bad address %s\n", addr);
	return -1;
}

static int sock_type(const char *proto)
{
	if (strcmp(proto, "tcp") == 0)
		return SOCK_STREAM;
	if (strcmp(proto, "udp") == 0)
		return SOCK_DGRAM;
	fprintf(stderr, "pftraffic: protocol must be tcp or udp\n");
	return -1;
}

static int serve(int type, struct sockaddr_storage *ss, socklen_t len)
{
	int fd = socket(ss->ss_family, type, 0), one = 1;
	char buf[2048];

	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (fd < 0 || bind(fd, (struct sockaddr *)ss, len) < 0 ||
	    (type == SOCK_STREAM && listen(fd, 128) < 0)) {
		perror("pftraffic: serve");
		return 1;
	}
	for (;;) {
		struct sockaddr_storage peer;
		socklen_t plen = sizeof(peer);
		ssize_t n;

		if (type == SOCK_DGRAM) {
			n = recvfrom(fd, buf, sizeof(buf), 0,
				     (struct sockaddr *)&peer, &plen);
			if (n > 0)
				sendto(fd, buf, (size_t)n, 0,
				       (struct sockaddr *)&peer, plen);
			continue;
		}
		int c = accept(fd, NULL, NULL);
		if (c < 0)
			continue;
		struct pollfd p = { .fd = c, .events = POLLIN };
		if (poll(&p, 1, ANSWER_TIMEOUT_MS) == 1 &&
		    (n = read(c, buf, sizeof(buf))) > 0 &&
		    write(c, buf, (size_t)n) < 0)
			perror("pftraffic: write");
		/* Wait for the client to close first: no TIME_WAIT here. */
		if (poll(&p, 1, 60000) == 1)
			(void)read(c, buf, sizeof(buf));
		close(c);
	}
}

static int one_connection(int type, struct sockaddr_storage *ss,
			  socklen_t len, int hold_ms)
{
	int fd = socket(ss->ss_family, type, 0), ok = 0;
	struct pollfd p = { .fd = fd, .events = POLLIN };
	char buf[64];

	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)ss, len) == 0 &&
	    write(fd, "ping\n", 5) == 5 &&
	    poll(&p, 1, ANSWER_TIMEOUT_MS) == 1 &&
	    read(fd, buf, sizeof(buf)) > 0)
		ok = 1;
	if (hold_ms > 0)
		usleep((useconds_t)hold_ms * 1000);
	close(fd);
	return ok ? 0 : -1;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int flood(struct sockaddr_storage *ss, socklen_t len, long flows)
{
	struct mmsghdr msgs[FLOOD_BATCH];
	struct sockaddr_storage dst[FLOOD_BATCH];
	struct iovec iov = { .iov_base = "x", .iov_len = 1 };
	uint16_t base = ntohs(((struct sockaddr_in *)ss)->sin_port);
	long sent = 0;
	double start = now_s(), took;
	int fd = -1;

	while (sent < flows) {
		int n = 0, port_index = (int)(sent % FLOOD_PORTS);

		if (port_index == 0) { /* a new source port */
			if (fd >= 0)
				close(fd);
			fd = socket(ss->ss_family, SOCK_DGRAM, 0);
			if (fd < 0) {
				perror("pftraffic: socket");
				return 1;
			}
		}
		while (n < FLOOD_BATCH && sent + n < flows &&
		       port_index + n < FLOOD_PORTS) {
			dst[n] = *ss;
			/* The port sits at the same offset in both families. */
			((struct sockaddr_in *)&dst[n])->sin_port =
				htons((uint16_t)(base + port_index + n));
			memset(&msgs[n], 0, sizeof(msgs[n]));
			msgs[n].msg_hdr.msg_name = &dst[n];
			msgs[n].msg_hdr.msg_namelen = len;
			msgs[n].msg_hdr.msg_iov = &iov;
			msgs[n].msg_hdr.msg_iovlen = 1;
			n++;
		}
		int done = sendmmsg(fd, msgs, (unsigned int)n, 0);
		if (done < 0) {
			if (errno == ENOBUFS || errno == EAGAIN ||
			    errno == ECONNREFUSED)
				continue;
			perror("pftraffic: sendmmsg");
			return 1;
		}
		sent += done;
	}
	took = now_s() - start;
	if (fd >= 0)
		close(fd);
	printf("sent %ld flows in %.3f s (%.0f flows/s)\n", sent, took,
	       took > 0 ? (double)sent / took : 0.0);
	return 0;
}

/* The port sits at the same offset in both families. */
static void set_port(struct sockaddr_storage *ss, int port)
{
	((struct sockaddr_in *)ss)->sin_port = htons((uint16_t)port);
}

static int get_port(const struct sockaddr_storage *ss)
{
	return ntohs(((const struct sockaddr_in *)ss)->sin_port);
}

static int set_reset_on_close(int fd)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };

	return setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
}

static int sink(struct sockaddr_storage *ss, socklen_t len, int ports)
{
	int ep = epoll_create1(0), base = get_port(ss), one = 1;

	if (ep < 0 || ports < 1 || ports > SINK_MAX_PORTS ||
	    base + ports > 65536) {
		fprintf(stderr, "pftraffic: sink: bad port range\n");
		return 1;
	}
	for (int i = 0; i < ports; i++) {
		struct sockaddr_storage a = *ss;
		int fd = socket(ss->ss_family, SOCK_STREAM | SOCK_NONBLOCK, 0);
		struct epoll_event ev = { .events = EPOLLIN, .data.fd = fd };

		set_port(&a, base + i);
		if (fd < 0 ||
		    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one,
			       sizeof(one)) < 0 ||
		    /* Inherited by each accepted connection. */
		    set_reset_on_close(fd) < 0 ||
		    bind(fd, (struct sockaddr *)&a, len) < 0 ||
		    listen(fd, 4096) < 0 ||
		    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0) {
			perror("pftraffic: sink");
			return 1;
		}
	}
	for (;;) {
		struct epoll_event evs[64];
		int n = epoll_wait(ep, evs, 64, -1);

		for (int i = 0; i < n; i++) {
			int c;

			while ((c = accept4(evs[i].data.fd, NULL, NULL,
					    SOCK_NONBLOCK)) >= 0)
				close(c);
		}
	}
}

/*
 * Starts flow number i: a non-blocking connect, watched by ep.  Returns
 * 0, or -1 when the connection failed at once (counted by the caller).
 */
static int tcp_start(int ep, const struct sockaddr_storage *ss, socklen_t len,
		     long i, int ports)
{
	struct sockaddr_storage src, dst = *ss;
	int fd = socket(ss->ss_family, SOCK_STREAM | SOCK_NONBLOCK, 0);
	int one = 1, syncnt = FLOOD_TCP_SYNCNT;
	struct epoll_event ev = { .events = EPOLLOUT };

	if (fd < 0) {
		perror("pftraffic: socket");
		return -2;
	}
	memset(&src, 0, sizeof(src));
	src.ss_family = ss->ss_family;
	set_port(&src, FLOOD_TCP_SPORT + (int)(i % FLOOD_TCP_SPORTS));
	set_port(&dst, get_port(ss) + (int)(i / FLOOD_TCP_SPORTS % ports));
	ev.data.fd = fd;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    setsockopt(fd, IPPROTO_TCP, TCP_SYNCNT, &syncnt,
		       sizeof(syncnt)) < 0 ||
	    set_reset_on_close(fd) < 0 ||
	    bind(fd, (struct sockaddr *)&src, len) < 0 ||
	    (connect(fd, (struct sockaddr *)&dst, len) < 0 &&
	     errno != EINPROGRESS) ||
	    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0) {
		close(fd);
		return -1;
	}
	return 0;
}

static int flood_tcp(struct sockaddr_storage *ss, socklen_t len, long flows,
		     int ports)
{
	int ep = epoll_create1(0), inflight = 0;
	long started = 0, done = 0, failed = 0;
	double start = now_s(), took;

	if (ep < 0 || ports < 1 || get_port(ss) + ports > 65536) {
		fprintf(stderr, "pftraffic: flood-tcp: bad port range\n");
		return 2;
	}
	while (done + failed < flows) {
		struct epoll_event evs[FLOOD_TCP_INFLIGHT];
		int n;

		while (inflight < FLOOD_TCP_INFLIGHT && started < flows) {
			int r = tcp_start(ep, ss, len, started++, ports);

			if (r == -2)
				return 1;
			if (r < 0)
				failed++;
			else
				inflight++;
		}
		if (inflight == 0)
			continue;
		n = epoll_wait(ep, evs, FLOOD_TCP_INFLIGHT, 1000);
		for (int i = 0; i < n; i++) {
			int fd = evs[i].data.fd, err = 0;
			socklen_t elen = sizeof(err);

			getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen);
			/* Reset by the server: the handshake was done. */
			if (err == 0 || err == ECONNRESET || err == EPIPE)
				done++;
			else
				failed++;
			close(fd); /* a reset: SO_LINGER 0 */
			inflight--;
		}
	}
	took = now_s() - start;
	printf("connected %ld flows in %.3f s (%.0f flows/s), %ld failed\n",
	       done, took, took > 0 ? (double)done / took : 0.0, failed);
	return failed ? 1 : 0;
}

int main(int argc, char **argv)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int type, failures = 0;

	if (argc >= 5 && strcmp(argv[1], "serve") == 0) {
		if ((type = sock_type(argv[2])) < 0 ||
		    parse_sockaddr(argv[3], argv[4], &ss, &len) < 0)
			return 2;
		return serve(type, &ss, len);
	}
	if (argc >= 5 && strcmp(argv[1], "connect") == 0) {
		int count = argc > 5 ? atoi(argv[5]) : 1;
		int hold = argc > 6 ? atoi(argv[6]) : 0;

		if ((type = sock_type(argv[2])) < 0 ||
		    parse_sockaddr(argv[3], argv[4], &ss, &len) < 0)
			return 2;
		for (int i = 0; i < count; i++)
			if (one_connection(type, &ss, len, hold) < 0)
				failures++;
		if (failures)
			fprintf(stderr, "pftraffic: %d of %d got no answer\n",
				failures, count);
		return failures ? 1 : 0;
	}
	if (argc >= 5 && strcmp(argv[1], "flood") == 0) {
		if (parse_sockaddr(argv[2], argv[3], &ss, &len) < 0)
			return 2;
		return flood(&ss, len, atol(argv[4]));
	}
	if (argc >= 4 && strcmp(argv[1], "sink") == 0) {
		if (parse_sockaddr(argv[2], argv[3], &ss, &len) < 0)
			return 2;
		return sink(&ss, len, argc > 4 ? atoi(argv[4]) : 32);
	}
	if (argc >= 5 && strcmp(argv[1], "flood-tcp") == 0) {
		if (parse_sockaddr(argv[2], argv[3], &ss, &len) < 0)
			return 2;
		return flood_tcp(&ss, len, atol(argv[4]),
				 argc > 5 ? atoi(argv[5]) : 32);
	}
	fprintf(stderr, "usage: pftraffic serve|connect|flood|sink|flood-tcp "
			"... (see the source)\n");
	return 2;
}
