/*
 * collector: what podflowd does with each conntrack message: keep it if it
 * touches a pod, count each connection exactly once, fold it into an edge
 * and flush the edges to the store.
 *
 * The event loop (signals, timers, the socket) stays in podflowd.c; this
 * module is driven by it and can be driven by tests with built messages.
 */
#ifndef PODFLOW_COLLECTOR_H
#define PODFLOW_COLLECTOR_H

#include <stddef.h>
#include <stdint.h>

#include "podflow/addr.h"
#include "podflow/store.h"
#include "ctsub.h"

/*
 * Edges held in memory between flushes: 152 bytes each, so 19 MiB at most,
 * touched only as edges come.  A full table flushes early, so that a flood
 * to more distinct peers and ports than this is written more often.
 */
#define COLLECTOR_MAX_EDGES 131072
/*
 * Live connections tracked for exact counting, when the kernel does not
 * say its maximum: twice the kernel's default nf_conntrack_max on a large
 * node (podflowd asks the kernel, and keeps twice its maximum: see
 * podflowd.c).
 */
#define COLLECTOR_MAX_CONNS (2 * 262144)

struct collector_stats {
	uint64_t events_new;	  /* NEW events received */
	uint64_t events_destroy;  /* DESTROY events received */
	uint64_t dumped;	  /* entries read from table dumps */
	uint64_t connections;	  /* connections counted */
	uint64_t duplicates;	  /* re-reports and other zones, not counted */
	uint64_t untracked;	  /* no room to track: counted at their end */
	uint64_t counted_before;  /* start-up dump: the previous run's */
	uint64_t out_of_scope;	  /* messages about non-pod traffic */
	uint64_t parse_errors;	  /* messages that were not conntrack entries */
	uint64_t foreign;	  /* datagrams not from the kernel, ignored */
	uint64_t flushes;	  /* successful flushes */
	uint64_t edges_flushed;	  /* edge rows written */
	uint64_t flush_errors;	  /* failed flushes (retried) */
	uint64_t edges_dropped;	  /* edges lost: table full and store failing */
	uint64_t enobufs;	  /* lost-event episodes reported by the kernel */
	uint64_t resyncs;	  /* table dumps after lost events */
	uint64_t flush_usec_last; /* duration of the last flush */
	uint64_t flush_usec_max;
	uint64_t live_connections; /* gauge: connections known live */
	uint64_t pending_edges;	   /* gauge: edges waiting for a flush */
};

struct collector;

/*
 * A collector writing to store (borrowed: the caller closes it after
 * collector_free()), keeping flows that touch pod_cidrs (copied), in time
 * buckets of bucket_seconds.  max_edges and max_conns bound its memory (0:
 * the defaults above).  NULL with errmsg on failure.
 */
struct collector *collector_new(struct store *store,
				const struct cidr *pod_cidrs, size_t n_cidrs,
				unsigned int bucket_seconds, size_t max_edges,
				size_t max_conns);

/* NULL is a no-op.  Pending edges are not flushed: flush first. */
void collector_free(struct collector *c);

/*
 * Replaces the pod CIDRs (on a configuration reload) with a copy of
 * pod_cidrs.  Returns 0, or -1 with errmsg.
 */
int collector_set_scope(struct collector *c, const struct cidr *pod_cidrs,
			size_t n);

/*
 * Makes room for max_conns live connections (a smaller number keeps the
 * room there is).  Returns 0, or -1 with errmsg (the room as it was).
 */
int collector_set_max_conns(struct collector *c, size_t max_conns);

/* The live connections there is room for. */
size_t collector_max_conns(const struct collector *c);

void collector_set_bucket(struct collector *c, unsigned int bucket_seconds);

/* Sets the wall-clock time (Unix seconds) stamped on what follows. */
void collector_set_now(struct collector *c, int64_t now);

/*
 * Has collector_handle() read the time from clock (Unix seconds) for each
 * message, so that a connection is dated when its event is read, not when
 * the batch it came in began.  NULL (the default): the time last set.
 */
void collector_set_clock(struct collector *c, int64_t (*clock)(void));

/*
 * Handles one conntrack message; matches ctsub_cb, with the collector as
 * data.  Returns 0 (a message it cannot use is counted, not an error).
 */
int collector_handle(const struct nlmsghdr *nlh, enum ctsub_kind kind,
		     void *collector);

/*
 * Writes the pending edges to the store in one transaction.  On failure
 * they stay pending for the next try; returns -1 with errmsg.
 */
int collector_flush(struct collector *c);

/*
 * collector_flush(), marking in the same transaction that every
 * connection that started before counted_before (Unix ns) is counted in
 * the store (store_flush_counted()); 0: no new mark, the last one stays
 * true.  podflowd marks the instant it last found its socket empty, less
 * a grace, when it has handled every event queued before it and no dump
 * or loss is pending.
 */
int collector_flush_counted(struct collector *c, int64_t counted_before);

/*
 * The previous podflowd's mark (store_counted_before()): a connection a
 * dump or an end shows, unknown here, that started before it (by the
 * kernel's timestamps) was counted by it, and is not counted again.
 */
void collector_set_counted_before(struct collector *c, int64_t ns);

/*
 * Nonzero when a connection that found no room may not be counted yet
 * (none since the last complete dump, or that dump had room for all), so
 * that no instant can be marked counted.
 */
int collector_untracked(const struct collector *c);

/*
 * Dumps the conntrack table through sub and reconciles: connections not
 * yet known are counted, and those known but gone are forgotten.  Used at
 * start-up, and after lost events (after_loss: counted as a resync).
 * Returns 0, or -1 with errmsg.
 */
int collector_resync(struct collector *c, struct ctsub *sub, int after_loss);

/*
 * The steps of collector_resync(), for a dump read by other means (the
 * tests): begin, collector_handle() with CTSUB_DUMP for each entry, end.
 */
void collector_dump_begin(struct collector *c);
void collector_dump_end(struct collector *c, int after_loss);

/*
 * Forgets the connections a complete dump no longer showed.  Call it once
 * the events queued during the dump have been handled (the event socket
 * read until empty); a no-op when no dump is waiting for it.
 */
void collector_sweep(struct collector *c);

/*
 * With reliable events on (ctsub_set_reliable()), every end comes, if
 * late, so that dumps forget nothing (collector_sweep() is a no-op).
 */
void collector_set_reliable(struct collector *c, int on);

/*
 * The edges waiting for a flush; *connections (if not NULL) gets the
 * connections they count.
 */
size_t collector_pending(const struct collector *c, uint64_t *connections);

/* Counts an episode of events the kernel dropped (ENOBUFS). */
void collector_lost_events(struct collector *c);

/* The counters; owned by the collector. */
const struct collector_stats *collector_stats(struct collector *c);

/* Writes the counters to the store's collector_counter table. */
int collector_save_stats(struct collector *c);

/* Formats the counters as one log line into buf.  Returns buf. */
char *collector_stats_line(struct collector *c, char *buf, size_t len);

#endif
