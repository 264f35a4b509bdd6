/*
 * ctsub: podflowd's netlink sockets to conntrack: the event subscription
 * and table dumps.
 *
 * The event socket is bound before the first dump, so that no connection
 * falls between the two: one created during the dump shows up in both,
 * and the caller's conntab counts it once.
 */
#ifndef PODFLOW_CTSUB_H
#define PODFLOW_CTSUB_H

#include <stdint.h>

struct nlmsghdr;
struct ctsub;

enum ctsub_kind {
	CTSUB_NEW,     /* a NEW event */
	CTSUB_DESTROY, /* a DESTROY event */
	CTSUB_DUMP,    /* an entry of a table dump */
};

/*
 * Called for each conntrack message.  nlh is valid only during the call.
 * Return 0 to go on, -1 to stop: the caller of ctsub_receive() or
 * ctsub_dump() then gets -ECANCELED, and the callback's errmsg stands.
 */
typedef int (*ctsub_cb)(const struct nlmsghdr *nlh, enum ctsub_kind kind,
			void *data);

/*
 * Opens the event socket, subscribed to NEW and DESTROY (not UPDATE), with
 * a receive buffer of rcvbuf bytes.  Needs CAP_NET_ADMIN; without it
 * returns -EPERM with a message saying so.  On success stores an owned
 * handle in *ret (ctsub_close() it) and returns 0; else -errno and errmsg.
 */
int ctsub_open(uint64_t rcvbuf, struct ctsub **ret);

/* NULL is a no-op. */
void ctsub_close(struct ctsub *s);

/* The event socket's descriptor, to poll for input. */
int ctsub_fd(const struct ctsub *s);

/*
 * Sets the event socket's receive buffer (SO_RCVBUFFORCE, so beyond
 * net.core.rmem_max).  Returns 0, or -errno with errmsg.
 */
int ctsub_set_rcvbuf(struct ctsub *s, uint64_t bytes);

/* The receive buffer the kernel granted, in bytes. */
uint64_t ctsub_rcvbuf(const struct ctsub *s);

/*
 * Reads queued events without blocking, at most budget messages, calling
 * cb for each.  Returns the number handled (0: nothing queued), -ENOBUFS
 * when the kernel had to drop events for want of buffer (the socket
 * stays usable; the caller resyncs with a dump), or another -errno.
 */
int ctsub_receive(struct ctsub *s, int budget, ctsub_cb cb, void *data);

/*
 * Dumps the whole conntrack table (IPv4 and IPv6) over a separate socket,
 * calling cb with CTSUB_DUMP for each entry.  Returns the number of
 * entries, or -errno with errmsg.
 */
int ctsub_dump(struct ctsub *s, ctsub_cb cb, void *data);

#endif
