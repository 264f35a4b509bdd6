/*
 * ctsub: conntrack event subscription and table dumps over libmnl
 * (ctsub.h).
 *
 * Dumps use a socket of their own: on the event socket, dump replies and
 * events would interleave, and a dump's NLMSG_DONE could not be told from
 * the end of a burst.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>

#include "podflow/errmsg.h"
#include "clock.h"
#include "ctsub.h"


struct ctsub {
	struct mnl_socket *events;
	char *buf;
	uint64_t bytes; /* read from the event socket */
	int64_t drained_at;
};

/*
 * Reads a datagram into buf, as recv() with flags does, and whether the
 * kernel sent it into *kernel: only the kernel's port id is 0, and the
 * kernel writes the sender's address, which no sender can forge.
 */
static ssize_t recv_from(int fd, void *buf, size_t len, int flags,
			 int *kernel)
{
	struct sockaddr_nl from = { 0 };
	socklen_t from_len = sizeof(from);
	ssize_t n = recvfrom(fd, buf, len, flags, (struct sockaddr *)&from,
			     &from_len);

	*kernel = from_len == sizeof(from) && from.nl_family == AF_NETLINK &&
		  from.nl_pid == 0;
	return n;
}

/* What mnl_cb_run() passes to ctsub_dispatch(). */
struct dispatch {
	ctsub_cb cb;
	void *data;
	int dump;
	int count;
	int cb_failed; /* the callback stopped us; its errmsg stands */
};

static int ctsub_dispatch(const struct nlmsghdr *nlh, void *arg)
{
	struct dispatch *d = arg;
	enum ctsub_kind kind;

	switch (NFNL_MSG_TYPE(nlh->nlmsg_type)) {
	case IPCTNL_MSG_CT_NEW:
		kind = d->dump ? CTSUB_DUMP : CTSUB_NEW;
		break;
	case IPCTNL_MSG_CT_DELETE:
		kind = CTSUB_DESTROY;
		break;
	default:
		return MNL_CB_OK;
	}
	d->count++;
	if (d->cb(nlh, kind, d->data) < 0) {
		d->cb_failed = 1;
		return MNL_CB_ERROR;
	}
	return MNL_CB_OK;
}

/*
 * The bytes of buf[0..n) that are whole messages.  libmnl's walk reads a
 * message's length as a signed int: one of 2 GiB or more would pass its
 * checks and send it past the buffer.  The kernel never sends one.
 */
static size_t whole_messages(const void *buf, size_t n)
{
	size_t at = 0;

	while (n - at >= sizeof(struct nlmsghdr)) {
		const struct nlmsghdr *nlh =
			(const struct nlmsghdr *)((const char *)buf + at);
		size_t len = nlh->nlmsg_len;

		if (len < sizeof(*nlh) || len > n - at)
			break;
		len = MNL_ALIGN(len);
		if (len > n - at) /* the last, unpadded */
			return n;
		at += len;
	}
	return at;
}

/* mnl_cb_run() over the whole messages of buf[0..n). */
static int run_messages(const void *buf, size_t n, unsigned int seq,
			unsigned int portid, mnl_cb_t cb, void *data)
{
	return mnl_cb_run(buf, whole_messages(buf, n), seq, portid, cb, data);
}

/* The events of one datagram to d's callback: 0, or -1 when it stopped. */
static int dispatch_datagram(struct dispatch *d, const void *buf, size_t n)
{
	if (run_messages(buf, n, 0, 0, ctsub_dispatch, d) == MNL_CB_ERROR &&
	    d->cb_failed)
		return -1;
	return 0;
}

int ctsub_read_datagram(const void *buf, size_t n, ctsub_cb cb, void *data)
{
	struct dispatch d = { .cb = cb, .data = data };

	return dispatch_datagram(&d, buf, n) < 0 ? -1 : d.count;
}

/* Counts a datagram not from the kernel (CTSUB_FOREIGN).  0, or -1. */
static int foreign(struct dispatch *d)
{
	d->count++;
	if (d->cb(NULL, CTSUB_FOREIGN, d->data) < 0) {
		d->cb_failed = 1;
		return -1;
	}
	return 0;
}

int ctsub_set_rcvbuf(struct ctsub *s, uint64_t bytes)
{
	int size = bytes > (uint64_t)(INT32_MAX / 2) ? INT32_MAX / 2
						     : (int)bytes;
	int fd = mnl_socket_get_fd(s->events);

	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) <
	    0) {
		int err = errno;

		errmsg_set("setting the netlink receive buffer to %llu "
			   "bytes: %s%s",
			   (unsigned long long)bytes, strerror(err),
			   err == EPERM ? " (needs CAP_NET_ADMIN)" : "");
		return -1;
	}
	return 0;
}

int ctsub_set_reliable(struct ctsub *s, int on)
{
	int fd = mnl_socket_get_fd(s->events), v = on != 0;

	/*
	 * NETLINK_BROADCAST_ERROR has conntrack learn that an event did not
	 * fit: it keeps an ended entry until its DESTROY is delivered, and
	 * sends a NEW it could not with the entry's next event (its DESTROY,
	 * maybe minutes later).  ENOBUFS still says a NEW is late, so that a
	 * dump counts the connections open meanwhile (NETLINK_NO_ENOBUFS
	 * would hide that).
	 */
	if (setsockopt(fd, SOL_NETLINK, NETLINK_BROADCAST_ERROR, &v,
		       sizeof(v)) < 0) {
		errmsg_set("%s reliable conntrack events: %s",
			   on ? "asking for" : "turning off", strerror(errno));
		return -1;
	}
	return 0;
}

uint64_t ctsub_rcvbuf(const struct ctsub *s)
{
	int size = 0;
	socklen_t len = sizeof(size);

	getsockopt(mnl_socket_get_fd(s->events), SOL_SOCKET, SO_RCVBUF, &size,
		   &len);
	/* The kernel reports twice what was asked, for its bookkeeping. */
	return (uint64_t)size / 2;
}

int ctsub_open(uint64_t rcvbuf, struct ctsub **ret)
{
	unsigned int groups = (1u << (NFNLGRP_CONNTRACK_NEW - 1)) |
			      (1u << (NFNLGRP_CONNTRACK_DESTROY - 1));
	struct ctsub *s = calloc(1, sizeof(*s));

	if (s == NULL || (s->buf = malloc(CTSUB_RECV_BUFFER)) == NULL) {
		free(s);
		errmsg_set("out of memory");
		return -1;
	}
	s->events = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC);
	if (s->events == NULL) {
		errmsg_set("opening a netlink socket: %s", strerror(errno));
		goto err;
	}
	if (mnl_socket_bind(s->events, groups, MNL_SOCKET_AUTOPID) < 0) {
		errmsg_set("subscribing to conntrack events: %s%s",
			   strerror(errno),
			   errno == EPERM ? " (needs CAP_NET_ADMIN)" : "");
		goto err;
	}
	if (ctsub_set_rcvbuf(s, rcvbuf) < 0)
		goto err;
	*ret = s;
	return 0;
err:
	ctsub_close(s);
	return -1;
}

void ctsub_close(struct ctsub *s)
{
	if (s == NULL)
		return;
	if (s->events != NULL)
		mnl_socket_close(s->events);
	free(s->buf);
	free(s);
}

int64_t ctsub_drained_at(const struct ctsub *s)
{
	return s->drained_at;
}

uint64_t ctsub_bytes_read(const struct ctsub *s)
{
	return s->bytes;
}

int ctsub_fd(const struct ctsub *s)
{
	return mnl_socket_get_fd(s->events);
}

enum ctsub_status ctsub_receive(struct ctsub *s, int budget, ctsub_cb cb,
				void *data, int *handled)
{
	struct dispatch d = { .cb = cb, .data = data };
	enum ctsub_status st = CTSUB_BUDGET;
	int fd = mnl_socket_get_fd(s->events);

	while (d.count < budget) {
		/* Before the read: what it finds empty was queued after. */
		int64_t before = clock_ns(CLOCK_REALTIME);
		int kernel;
		ssize_t n = recv_from(fd, s->buf, CTSUB_RECV_BUFFER,
				      MSG_DONTWAIT, &kernel);

		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				s->drained_at = before;
				st = CTSUB_DRAINED;
				break;
			}
			if (errno == EINTR)
				continue;
			if (errno == ENOBUFS) {
				st = CTSUB_LOST;
				break;
			}
			errmsg_set("reading conntrack events: %s",
				   strerror(errno));
			return CTSUB_FAILED;
		}
		s->bytes += (uint64_t)n;
		if (!kernel) {
			if (foreign(&d) < 0)
				return CTSUB_FAILED;
			continue;
		}
		if (dispatch_datagram(&d, s->buf, (size_t)n) < 0)
			return CTSUB_FAILED;
	}
	*handled = d.count;
	return st;
}

/*
 * A socket of its own for a request of type (IPCTNL_MSG_CT_*) with flags,
 * sent: NULL with errmsg on failure.
 */
static struct mnl_socket *request(struct ctsub *s, uint16_t type,
				  uint16_t flags, unsigned int seq)
{
	struct mnl_socket *nl = mnl_socket_open2(NETLINK_NETFILTER,
						 SOCK_CLOEXEC);
	struct nlmsghdr *nlh;
	struct nfgenmsg *nfg;

	if (nl == NULL || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		errmsg_set("opening a conntrack request socket: %s",
			   strerror(errno));
		goto err;
	}
	nlh = mnl_nlmsg_put_header(s->buf);
	nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = seq;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = AF_UNSPEC; /* every family */
	nfg->version = NFNETLINK_V0;
	nfg->res_id = 0;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		errmsg_set("sending a conntrack request: %s", strerror(errno));
		goto err;
	}
	return nl;
err:
	if (nl != NULL)
		mnl_socket_close(nl);
	return NULL;
}

/* The attributes of a CT_GET_STATS reply that ctsub_table_max() reads. */
static int stats_attr(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(attr);

	if (type == CTA_STATS_GLOBAL_MAX_ENTRIES &&
	    mnl_attr_validate(attr, MNL_TYPE_U32) == 0)
		tb[type] = attr;
	return MNL_CB_OK;
}

/* The reply's maximum into *(int64_t *)data; -1: none said. */
static int stats_reply(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[CTA_STATS_GLOBAL_MAX + 1] = { 0 };
	int64_t *max = data;

	mnl_attr_parse(nlh, sizeof(struct nfgenmsg), stats_attr, tb);
	if (tb[CTA_STATS_GLOBAL_MAX_ENTRIES] != NULL)
		*max = ntohl(mnl_attr_get_u32(tb[CTA_STATS_GLOBAL_MAX_ENTRIES]));
	return MNL_CB_OK;
}

/*
 * Reads the answers to request seq on nl, each message to cb, until their
 * end (NLMSG_DONE or the acknowledgement): MNL_CB_STOP, or MNL_CB_ERROR
 * with errno (0: cb stopped).  A datagram another process sent is
 * skipped, and counted through d if not NULL.
 */
static int answers(struct ctsub *s, struct mnl_socket *nl, unsigned int seq,
		   mnl_cb_t cb, void *data, struct dispatch *d)
{
	unsigned int portid = mnl_socket_get_portid(nl);

	for (;;) {
		int kernel, rc;
		ssize_t n = recv_from(mnl_socket_get_fd(nl), s->buf,
				      CTSUB_RECV_BUFFER, 0, &kernel);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return MNL_CB_ERROR;
		}
		if (!kernel) {
			errno = 0;
			if (d != NULL && foreign(d) < 0)
				return MNL_CB_ERROR;
			continue;
		}
		errno = 0;
		rc = run_messages(s->buf, (size_t)n, seq, portid, cb, data);
		if (rc <= MNL_CB_STOP)
			return rc;
	}
}

int ctsub_table_max(struct ctsub *s, uint32_t *max)
{
	unsigned int seq = (unsigned int)time(NULL);
	struct mnl_socket *nl = request(s, IPCTNL_MSG_CT_GET_STATS, NLM_F_ACK,
					seq);
	int64_t said = -1;
	int rc = -1;

	if (nl == NULL)
		return -1;
	/* The reply, then the acknowledgement. */
	if (answers(s, nl, seq, stats_reply, &said, NULL) == MNL_CB_ERROR) {
		errmsg_set("asking conntrack for its table size: %s",
			   strerror(errno ? errno : EIO));
		goto out;
	}
	if (said < 0) {
		errmsg_set("asking conntrack for its table size: the kernel "
			   "did not say");
		goto out;
	}
	*max = (uint32_t)said;
	rc = 0;
out:
	mnl_socket_close(nl);
	return rc;
}

int ctsub_dump(struct ctsub *s, ctsub_cb cb, void *data)
{
	struct dispatch d = { .cb = cb, .data = data, .dump = 1 };
	unsigned int seq = (unsigned int)time(NULL);
	struct mnl_socket *nl = request(s, IPCTNL_MSG_CT_GET, NLM_F_DUMP, seq);
	int rc = 0;

	if (nl == NULL)
		return -1;
	if (answers(s, nl, seq, ctsub_dispatch, &d, &d) == MNL_CB_ERROR) {
		/* A failed callback has set errmsg. */
		if (!d.cb_failed)
			errmsg_set("reading the conntrack dump: %s",
				   strerror(errno ? errno : EIO));
		rc = -1;
	}
	mnl_socket_close(nl);
	return rc;
}
