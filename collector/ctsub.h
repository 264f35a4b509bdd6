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

#include <stddef.h>
#include <stdint.h>

struct nlmsghdr;
struct ctsub;

/*
 * Large enough for a burst of messages per recv(): multicast events come
 * one per datagram, dump replies many per datagram.
 */
#define CTSUB_RECV_BUFFER (64 * 1024)

enum ctsub_kind {
	CTSUB_NEW,     /* a NEW event */
	CTSUB_DESTROY, /* a DESTROY event */
	CTSUB_DUMP,    /* an entry of a table dump */
	/*
	 * A datagram another process sent (a sender with CAP_NET_ADMIN may
	 * write to the conntrack groups and to a dump's socket): passed only
	 * to be counted, with nlh NULL; what it says is never read.
	 */
	CTSUB_FOREIGN,
};

/*
 * Called for each conntrack message.  nlh is valid only during the call.
 * Return 0 to go on, or -1 with errmsg to stop: ctsub_receive() or
 * ctsub_dump() then fails, and the callback's errmsg stands (a caller that
 * must tell this from a socket error knows it from its own data).
 */
typedef int (*ctsub_cb)(const struct nlmsghdr *nlh, enum ctsub_kind kind,
			void *data);

/*
 * Opens the event socket, subscribed to NEW and DESTROY (not UPDATE), with
 * a receive buffer of rcvbuf bytes.  Needs CAP_NET_ADMIN; without it the
 * message says so.  On success stores an owned handle in *ret
 * (ctsub_close() it) and returns 0; else -1 with errmsg.
 */
int ctsub_open(uint64_t rcvbuf, struct ctsub **ret);

/* NULL is a no-op. */
void ctsub_close(struct ctsub *s);

/*
 * When the event socket was last found empty, Unix nanoseconds (0: not
 * yet): the clock read before the read that found it so.  Every event the
 * kernel queued before then has been handed to the callback.
 */
int64_t ctsub_drained_at(const struct ctsub *s);

/* The bytes read from the event socket so far. */
uint64_t ctsub_bytes_read(const struct ctsub *s);

/* The event socket's descriptor, to poll for input. */
int ctsub_fd(const struct ctsub *s);

/*
 * Sets the event socket's receive buffer (SO_RCVBUFFORCE, so beyond
 * net.core.rmem_max).  Returns 0, or -1 with errmsg.
 */
int ctsub_set_rcvbuf(struct ctsub *s, uint64_t bytes);

/*
 * Reliable events (on nonzero): the kernel keeps what it could not queue
 * on the event socket, an ended entry (and its place in the table) until
 * its DESTROY is read, and a NEW to go with the entry's next event; it
 * still reports that a NEW is late (CTSUB_LOST).  Off: the kernel drops
 * what does not fit and says so.  Returns 0, or -1 with errmsg.
 */
int ctsub_set_reliable(struct ctsub *s, int on);

/* The receive buffer the kernel granted, in bytes. */
uint64_t ctsub_rcvbuf(const struct ctsub *s);

/* How a ctsub_receive() ended; the negative value is a failure. */
enum ctsub_status {
	CTSUB_FAILED = -1, /* a read failed, or the callback stopped: errmsg */
	CTSUB_DRAINED = 0, /* the queue is empty: every event was read */
	CTSUB_BUDGET,	   /* the budget is spent; more may be queued */
	/*
	 * The kernel dropped events for want of buffer (ENOBUFS).  The
	 * socket stays usable and what is queued comes after: read on, and
	 * resync with a dump.
	 */
	CTSUB_LOST,
};

/*
 * Reads queued events without blocking, at most budget messages, calling
 * cb for each.  Unless it fails, *handled gets the number of messages
 * handled.
 */
enum ctsub_status ctsub_receive(struct ctsub *s, int budget, ctsub_cb cb,
				void *data, int *handled);

/*
 * Hands each message of a datagram of n bytes at buf, as the event
 * socket returned it, to cb (CTSUB_NEW or CTSUB_DESTROY by its type; other
 * types are skipped), what ctsub_receive() does with each datagram the
 * kernel sent.  Only whole messages are read: the first whose length does
 * not fit ends the datagram.  Returns the messages handled, or -1 when cb
 * stopped (its errmsg stands).
 */
int ctsub_read_datagram(const void *buf, size_t n, ctsub_cb cb, void *data);

/*
 * The kernel's maximum of conntrack entries (nf_conntrack_max, which
 * /proc/sys may hide from podflowd: its unit's ProcSubset=pid; 0: no
 * maximum), asked of conntrack itself (IPCTNL_MSG_CT_GET_STATS), into
 * *max.  Returns 0, or -1 with errmsg.
 */
int ctsub_table_max(struct ctsub *s, uint32_t *max);

/*
 * Dumps the whole conntrack table (IPv4 and IPv6) over a separate socket,
 * calling cb with CTSUB_DUMP for each entry.  Returns 0, or -1 with
 * errmsg.
 */
int ctsub_dump(struct ctsub *s, ctsub_cb cb, void *data);

#endif
