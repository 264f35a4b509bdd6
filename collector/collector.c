/*
 * collector: from conntrack messages to flushed edges (collector.h).
 *
 * Counting rules, so that `connections` is never below the NEW events the
 * kernel sent and a connection is never counted twice:
 *  - NEW or dump entry not known live: count it, in the bucket it started
 *    in, with its start as the edge's first_seen and last_start.
 *  - known (a dump re-reporting it, or another zone): only extend
 *    last_seen of the bucket it was counted in.
 *  - DESTROY of a known connection in its last zone: add its byte/packet
 *    totals and last_seen to the bucket it was counted in, and forget it.
 *    (Each zone reports the same packets: one zone's totals are enough.)
 *  - DESTROY of an unknown one: its NEW was lost (or it died between the
 *    event socket's bind and the first dump), so count it now.
 *  - dump entry or DESTROY of an unknown connection that started before
 *    the previous podflowd's last mark (store_flush_counted()): counted
 *    by it, so known live (or ended), not counted again.
 *  - NEW or dump entry with no room left to track it: not counted, for
 *    nothing could tell its next report or its end from a new connection.
 *    Its DESTROY finds it unknown and counts it, or a later dump with
 *    room does.  The table is sized from the kernel's own maximum, so
 *    that this is rare (collector.h).
 * Byte counts come from DESTROY only: NEW and dump entries carry running
 * totals that DESTROY would report again.
 *
 * Start times decide who held a reused pod address (flow_resolved in
 * sql/schema.sql), so only a connection's start sets them, never a later
 * event.  A NEW event is the start, to the second it is read (the clock is
 * read for each message: a queue of events takes a while to drain).  A
 * connection first seen in a dump or at its DESTROY started earlier: the
 * kernel says when if its conntrack timestamps are on; else its start is
 * not known, and its edge says so (last_start unknown), so that its row
 * falls back to the bucket rule rather than name the wrong pod.
 *
 * A resync's sweep of connections the dump no longer showed waits until
 * the events queued during the dump have been handled: a DESTROY among
 * them must still find its connection, or it would count it again.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libmnl/libmnl.h>

#include "podflow/errmsg.h"
#include "clock.h"
#include "collector.h"
#include "conntab.h"
#include "ctflow.h"
#include "flowtab.h"

struct collector {
	struct store *store;
	struct cidr *cidrs;
	size_t n_cidrs;
	unsigned int bucket_seconds;
	int64_t now;
	int64_t (*clock)(void); /* read for each message; NULL: now as set */
	uint32_t gen;	    /* dump generation, for conntab_sweep() */
	uint32_t sweep_gen; /* first dump not yet swept after; 0: none */
	int flush_failed;   /* no early flushes until the next timed one */
	int64_t counted_before; /* the previous run counted those before */
	int untracked;	    /* a connection is left uncounted for want of room */
	int dump_full;	    /* ...one was, in the dump under way */
	int reliable;	    /* every DESTROY comes, late maybe (ctsub.h) */
	struct flowtab *edges;
	struct conntab *conns;
	struct collector_stats stats;
};

struct collector *collector_new(struct store *store,
				const struct cidr *pod_cidrs, size_t n_cidrs,
				unsigned int bucket_seconds, size_t max_edges,
				size_t max_conns)
{
	struct collector *c = calloc(1, sizeof(*c));

	if (c == NULL) {
		errmsg_set("out of memory for the collector");
		return NULL;
	}
	c->store = store;
	c->bucket_seconds = bucket_seconds ? bucket_seconds : 60;
	c->edges = flowtab_new(max_edges ? max_edges : COLLECTOR_MAX_EDGES);
	if (c->edges == NULL)
		goto err;
	c->conns = conntab_new(max_conns ? max_conns : COLLECTOR_MAX_CONNS);
	if (c->conns == NULL || collector_set_scope(c, pod_cidrs, n_cidrs) < 0)
		goto err;
	return c;
err:
	/* errmsg is the failed step's. */
	collector_free(c);
	return NULL;
}

void collector_free(struct collector *c)
{
	if (c == NULL)
		return;
	flowtab_free(c->edges);
	conntab_free(c->conns);
	free(c->cidrs);
	free(c);
}

int collector_set_scope(struct collector *c, const struct cidr *pod_cidrs,
			size_t n)
{
	struct cidr *copy = malloc((n ? n : 1) * sizeof(*copy));

	if (copy == NULL) {
		errmsg_set("out of memory");
		return -1;
	}
	if (n > 0)
		memcpy(copy, pod_cidrs, n * sizeof(*copy));
	free(c->cidrs);
	c->cidrs = copy;
	c->n_cidrs = n;
	return 0;
}

int collector_set_max_conns(struct collector *c, size_t max_conns)
{
	return conntab_grow(c->conns, max_conns);
}

size_t collector_max_conns(const struct collector *c)
{
	return conntab_max(c->conns);
}

void collector_set_bucket(struct collector *c, unsigned int bucket_seconds)
{
	if (bucket_seconds > 0)
		c->bucket_seconds = bucket_seconds;
}

void collector_set_now(struct collector *c, int64_t now)
{
	c->now = now;
}

void collector_set_clock(struct collector *c, int64_t (*clock)(void))
{
	c->clock = clock;
}

static int64_t collector_bucket_of(const struct collector *c, int64_t t)
{
	return t - t % c->bucket_seconds;
}

static int64_t collector_bucket(const struct collector *c)
{
	return collector_bucket_of(c, c->now);
}

/*
 * When f, first seen in a message of kind kind, started (see the top of
 * the file): its start, or when it was seen with *known 0.  A kernel
 * timestamp after now (a clock set back) is not believed.
 */
static int64_t flow_start(const struct collector *c, const struct ctflow *f,
			  enum ctsub_kind kind, int *known)
{
	if (f->start > 0 && f->start <= c->now) {
		*known = 1;
		return f->start;
	}
	*known = kind == CTSUB_NEW;
	return c->now;
}

static int64_t monotonic_usec(void)
{
	return clock_ns(CLOCK_MONOTONIC) / 1000;
}

int collector_flush_counted(struct collector *c, int64_t counted_before)
{
	const struct store_edge *edges;
	int64_t start = monotonic_usec();
	uint64_t took;
	size_t n;

	edges = flowtab_edges(c->edges, &n);
	if (n == 0 && counted_before == 0)
		return 0;
	if (store_flush_counted(c->store, edges, n, counted_before) < 0) {
		c->stats.flush_errors++;
		c->flush_failed = 1;
		return -1;
	}
	c->flush_failed = 0;
	if (n == 0)
		return 0;
	flowtab_clear(c->edges);
	took = (uint64_t)(monotonic_usec() - start);
	c->stats.flushes++;
	c->stats.edges_flushed += n;
	c->stats.flush_usec_last = took;
	if (took > c->stats.flush_usec_max)
		c->stats.flush_usec_max = took;
	return 0;
}

int collector_flush(struct collector *c)
{
	return collector_flush_counted(c, 0);
}

/* Adds e, flushing early when the table is full. */
static void collector_add_edge(struct collector *c, const struct store_edge *e)
{
	if (flowtab_add(c->edges, e) == 0)
		return;
	/*
	 * Full.  After a failed flush only the timed flush retries: retrying
	 * on every event would stall the loop on a locked or full database.
	 */
	if (!c->flush_failed && collector_flush(c) == 0 &&
	    flowtab_add(c->edges, e) == 0)
		return;
	/* The store is failing and memory is bounded: this edge is lost. */
	c->stats.edges_dropped++;
}

/*
 * Counts f, a connection that started at start (or was first seen then,
 * when its start is not known), in start's bucket.
 */
static void collector_count(struct collector *c, const struct ctflow *f,
			    int64_t start, int known, int with_counters)
{
	struct store_edge e;

	ctflow_to_edge(f, collector_bucket_of(c, start), c->now, with_counters,
		       &e);
	e.first_seen = start;
	e.last_start = known ? start : STORE_UNKNOWN;
	e.connections = 1;
	c->stats.connections++;
	collector_add_edge(c, &e);
}

/* Extends a counted connection's edge: still alive, or ended with totals. */
static void collector_touch(struct collector *c, const struct ctflow *f,
			    int64_t bucket, int with_counters)
{
	struct store_edge e;

	ctflow_to_edge(f, bucket, c->now, with_counters, &e);
	collector_add_edge(c, &e);
}

/*
 * Whether f, first seen in a dump or at its end, started before the
 * previous podflowd's mark (collector_set_counted_before()): counted by
 * it, so not to be counted here.  A NEW event is a start now.
 */
static int counted_before(const struct collector *c, const struct ctflow *f)
{
	return f->start_ns > 0 && f->start_ns < c->counted_before;
}

static void collector_handle_flow(struct collector *c, const struct ctflow *f,
				  enum ctsub_kind kind)
{
	int known, before = kind == CTSUB_DUMP && counted_before(c, f);
	int64_t start = flow_start(c, f, kind, &known), first;

	switch (conntab_observe(c->conns, f, collector_bucket_of(c, start),
				c->gen, &first)) {
	case CONNTAB_ADDED:
		if (before)
			c->stats.counted_before++;
		else
			collector_count(c, f, start, known, 0);
		break;
	case CONNTAB_KNOWN:
		c->stats.duplicates++;
		collector_touch(c, f, first, 0);
		break;
	case CONNTAB_FULL:
		/* Counted before, or at its end, or by a dump with room. */
		if (before) {
			c->stats.counted_before++;
			break;
		}
		c->stats.untracked++;
		c->untracked = c->dump_full = 1;
		break;
	}
}

/*
 * A DESTROY is matched against the live connections whatever the scope:
 * after a reload narrowed the pod CIDRs, the connections counted before
 * must still be forgotten.
 */
static void collector_handle_destroy(struct collector *c,
				     const struct ctflow *f, int in_scope)
{
	int64_t bucket = collector_bucket(c), first = bucket, start;
	enum conntab_end end = conntab_forget(c->conns, f, &first);
	int known;

	if (!in_scope) {
		c->stats.out_of_scope++;
		return;
	}
	switch (end) {
	case CONNTAB_LAST:
		collector_touch(c, f, first, 1);
		break;
	case CONNTAB_MORE:
		collector_touch(c, f, first, 0);
		break;
	case CONNTAB_OTHER:
		/* Counted under another id; which bucket is unknown. */
		break;
	case CONNTAB_UNKNOWN:
		/*
		 * Its NEW was lost, or came when there was no room to track
		 * it (and so was not counted): it counts now.  Unless the
		 * previous podflowd counted it, and it ended before the
		 * start-up dump could show it: then its totals go to the
		 * bucket it started in.
		 */
		start = flow_start(c, f, CTSUB_DESTROY, &known);
		if (counted_before(c, f)) {
			c->stats.counted_before++;
			collector_touch(c, f, collector_bucket_of(c, start), 1);
		} else {
			collector_count(c, f, start, known, 1);
		}
		break;
	}
}

int collector_handle(const struct nlmsghdr *nlh, enum ctsub_kind kind,
		     void *collector)
{
	struct collector *c = collector;
	struct ctflow f;

	if (kind == CTSUB_FOREIGN) {
		c->stats.foreign++;
		return 0;
	}
	if (c->clock != NULL)
		c->now = c->clock();
	switch (kind) {
	case CTSUB_NEW:
		c->stats.events_new++;
		break;
	case CTSUB_DESTROY:
		c->stats.events_destroy++;
		break;
	case CTSUB_DUMP:
		c->stats.dumped++;
		break;
	case CTSUB_FOREIGN:
		break;
	}
	if (ctflow_parse(nlh, &f) < 0) {
		c->stats.parse_errors++;
		return 0;
	}
	if (kind == CTSUB_DESTROY) {
		collector_handle_destroy(
			c, &f, ctflow_in_scope(&f, c->cidrs, c->n_cidrs));
		return 0;
	}
	if (!ctflow_in_scope(&f, c->cidrs, c->n_cidrs)) {
		c->stats.out_of_scope++;
		return 0;
	}
	collector_handle_flow(c, &f, kind);
	return 0;
}

void collector_dump_begin(struct collector *c)
{
	c->gen++;
	if (c->gen == 0) /* 0 means "no sweep pending" */
		c->gen = 1;
	c->dump_full = 0;
}

void collector_dump_end(struct collector *c, int after_loss)
{
	/* A complete dump counted every connection that had room in it. */
	c->untracked = c->dump_full;
	if (c->sweep_gen == 0)
		c->sweep_gen = c->gen;
	if (after_loss)
		c->stats.resyncs++;
}

int collector_resync(struct collector *c, struct ctsub *sub, int after_loss)
{
	collector_dump_begin(c);
	if (ctsub_dump(sub, collector_handle, c) < 0)
		return -1;
	collector_dump_end(c, after_loss);
	return 0;
}

void collector_set_reliable(struct collector *c, int on)
{
	c->reliable = on;
}

void collector_sweep(struct collector *c)
{
	/*
	 * With reliable events, a connection the dump did not show may be
	 * one whose DESTROY the kernel still holds: it ends when that comes.
	 */
	if (c->sweep_gen == 0 || c->reliable) {
		c->sweep_gen = 0;
		return;
	}
	conntab_sweep(c->conns, c->sweep_gen);
	c->sweep_gen = 0;
}

void collector_set_counted_before(struct collector *c, int64_t ns)
{
	c->counted_before = ns;
}

int collector_untracked(const struct collector *c)
{
	return c->untracked;
}

size_t collector_pending(const struct collector *c, uint64_t *connections)
{
	size_t n;
	const struct store_edge *e = flowtab_edges(c->edges, &n);

	if (connections != NULL) {
		*connections = 0;
		for (size_t i = 0; i < n; i++)
			*connections += (uint64_t)e[i].connections;
	}
	return n;
}

void collector_lost_events(struct collector *c)
{
	c->stats.enobufs++;
}

const struct collector_stats *collector_stats(struct collector *c)
{
	c->stats.live_connections = conntab_count(c->conns);
	c->stats.pending_edges = flowtab_count(c->edges);
	return &c->stats;
}

/* Name and value of every counter, for the store and the log alike. */
#define STATS_FIELDS(X)                                             \
	X(events_new) X(events_destroy) X(dumped) X(connections)        \
	X(duplicates) X(untracked) X(counted_before) X(out_of_scope)    \
	X(parse_errors) X(foreign) X(flushes) X(edges_flushed)          \
	X(flush_errors) X(edges_dropped) X(enobufs) X(resyncs)          \
	X(flush_usec_last) X(flush_usec_max) X(live_connections)        \
	X(pending_edges)

int collector_save_stats(struct collector *c)
{
	const struct collector_stats *st = collector_stats(c);
#define AS_STAT(f) { #f, (int64_t)st->f },
	const struct store_stat stats[] = { STATS_FIELDS(AS_STAT) };
#undef AS_STAT

	return store_put_stats(c->store, stats,
			       sizeof(stats) / sizeof(stats[0]), c->now);
}

char *collector_stats_line(struct collector *c, char *buf, size_t len)
{
	const struct collector_stats *st = collector_stats(c);
	size_t used = 0;

	buf[0] = '\0';
#define AS_TEXT(f)                                                        \
	if (used < len)                                                   \
		used += (size_t)snprintf(buf + used, len - used, "%s%s=%llu", \
					 used ? " " : "", #f,             \
					 (unsigned long long)st->f);
	STATS_FIELDS(AS_TEXT)
#undef AS_TEXT
	return buf;
}
