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

/*
 * A table for up to max live connections (1 to about two billion), owned
 * by the caller (conntab_free() it).  NULL with errmsg on failure.
 */
struct conntab *conntab_new(size_t max);

/* NULL is a no-op. */
void conntab_free(struct conntab *t);

/*
 * Records f as live and observed in generation gen.  Returns 1 when f is
 * a connection not known before, to be counted in bucket; 0 when it is
 * known, in which case *first_bucket (if not NULL) gets the bucket it was
 * counted in.  When the table is full f is not tracked and 1 is returned:
 * counting twice is better than not counting.
 */
int conntab_observe(struct conntab *t, const struct ctflow *f, int64_t bucket,
		    uint32_t gen, int64_t *first_bucket);

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

/* Connections not tracked for want of room since the last reset. */
uint64_t conntab_overflows(const struct conntab *t);

/* Before a dump that will re-observe every live connection. */
void conntab_reset_overflows(struct conntab *t);

#endif
