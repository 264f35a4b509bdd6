/*
 * conntab: the connections podflowd knows to be live, so that none is
 * counted twice.
 *
 * A connection is counted once when first seen, whether by a NEW event or
 * by a table dump (at start-up, or the resync after lost events).  A dump
 * reports live connections again; a connection that passes conntrack in
 * two zones is reported once per zone.  Entries are keyed by the flow's
 * whole tuple (client address and port or ICMP id, the address and port
 * dialled, the server's, protocol) and remember each (zone, conntrack id)
 * that reported it: the same id again is a re-report, another zone is the
 * same connection, and a new id in a zone already listed is the tuple
 * reused by a new connection.  Once any zone has reported the end, a new
 * zone's report is a new connection too.
 */
#ifndef PODFLOW_CONNTAB_H
#define PODFLOW_CONNTAB_H

#include <stddef.h>
#include <stdint.h>

#include "ctflow.h"

struct conntab;

/* The most connections a table has room for (its links are 32 bits). */
#define CONNTAB_MAX (UINT32_MAX / 2 - 1)

/*
 * A table for up to max live connections (1 to CONNTAB_MAX), owned by
 * the caller (conntab_free() it).  NULL with errmsg on failure.
 */
struct conntab *conntab_new(size_t max);

/*
 * Makes room for max connections, keeping those known; a smaller max
 * than the table has keeps its room.  Returns 0, or -1 with errmsg (the
 * table as it was).
 */
int conntab_grow(struct conntab *t, size_t max);

/* The connections the table has room for. */
size_t conntab_max(const struct conntab *t);

/*
 * Bytes a table of max connections takes at most: its entries, touched
 * as connections come (the most live at once), and its heads, at once.
 */
size_t conntab_bytes(size_t max);

/* NULL is a no-op. */
void conntab_free(struct conntab *t);

enum conntab_seen {
	CONNTAB_KNOWN, /* a connection known before (a re-report) */
	CONNTAB_ADDED, /* not known before: now live, to be counted */
	/*
	 * Not known and no room to keep it: not tracked, and so not to be
	 * counted now, or a dump that shows it again or its end could not
	 * tell it was.  Its end or the next dump with room counts it.
	 */
	CONNTAB_FULL,
};

/*
 * Records f as live and observed in generation gen.  CONNTAB_ADDED: f is
 * a connection not known before, counted in bucket; CONNTAB_KNOWN, when
 * *first_bucket (if not NULL) gets the bucket it was counted in;
 * CONNTAB_FULL.
 */
enum conntab_seen conntab_observe(struct conntab *t, const struct ctflow *f,
				  int64_t bucket, uint32_t gen,
				  int64_t *first_bucket);

enum conntab_end {
	CONNTAB_UNKNOWN,   /* no such tuple: its NEW was never seen */
	CONNTAB_OTHER,	   /* the tuple is known, not this (zone, id) */
	CONNTAB_MORE,	   /* ended in this zone, still live in another */
	CONNTAB_LAST,	   /* ended in its last zone: forgotten */
};

/*
 * Forgets the (zone, id) of f, and the connection once no zone reports
 * it.  For CONNTAB_MORE and CONNTAB_LAST, *bucket gets the bucket the
 * connection was counted in.
 */
enum conntab_end conntab_forget(struct conntab *t, const struct ctflow *f,
				int64_t *bucket);

/*
 * Drops the connections not observed in generation gen or later: after a
 * complete dump in generation gen, and once the events queued during it
 * have been handled, those are gone although their DESTROY was lost.
 * Returns how many went.
 */
size_t conntab_sweep(struct conntab *t, uint32_t gen);

size_t conntab_count(const struct conntab *t);

/* Connections not tracked for want of room (CONNTAB_FULL), ever. */
uint64_t conntab_overflows(const struct conntab *t);

#endif
