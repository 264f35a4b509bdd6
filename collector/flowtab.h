/*
 * flowtab: the in-memory table where podflowd folds events into edges
 * between two flushes.
 *
 * Its size is fixed at creation, so memory stays bounded whatever the
 * connection rate: when it fills, the daemon flushes early.  Edges live in
 * one dense array that is handed to store_flush_edges() as it is.
 */
#ifndef PODFLOW_FLOWTAB_H
#define PODFLOW_FLOWTAB_H

#include <stddef.h>

#include "podflow/store.h"

struct flowtab;

/*
 * A table for up to max_edges distinct edges (1 to about a billion),
 * owned by the caller (flowtab_free() it).  NULL with errmsg on failure.
 */
struct flowtab *flowtab_new(size_t max_edges);

/* NULL is a no-op. */
void flowtab_free(struct flowtab *t);

/*
 * Folds e into the edge with the same key (bucket, addresses, ports,
 * protocol): counts add up, first/last seen widen, unknown counters stay
 * unknown until one is known.  Returns 0, or -1 when e is a new edge and
 * the table is full (flush, clear, then add again).
 */
int flowtab_add(struct flowtab *t, const struct store_edge *e);

/* The edges held, in insertion order; *n gets their number.  Owned by t. */
const struct store_edge *flowtab_edges(const struct flowtab *t, size_t *n);

size_t flowtab_count(const struct flowtab *t);
size_t flowtab_capacity(const struct flowtab *t);

/* Forgets every edge (after a successful flush). */
void flowtab_clear(struct flowtab *t);

#endif
