/*
 * flowtab: bounded in-memory aggregation of edges (flowtab.h).
 *
 * Open addressing with linear probing over an index of slots, twice as
 * many as edges so that probes stay short; the edges themselves sit in a
 * dense array in insertion order.  Nothing is ever deleted singly, so no
 * tombstones are needed: a clear wipes the index.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "podflow/count.h"
#include "podflow/errmsg.h"
#include "podflow/hash.h"
#include "bigmem.h"
#include "flowtab.h"

#define SLOT_EMPTY UINT32_MAX

struct flowtab {
	struct store_edge *edges;
	size_t n, max;
	uint32_t *slots;
	size_t mask; /* number of slots - 1, a power of two minus one */
};

struct flowtab *flowtab_new(size_t max_edges)
{
	struct flowtab *t;
	size_t nslots = 16;

	if (max_edges == 0 || max_edges >= UINT32_MAX / 4) {
		errmsg_set("a table of %zu edges: want 1 to %u", max_edges,
			   UINT32_MAX / 4 - 1);
		return NULL;
	}
	while (nslots < 2 * max_edges)
		nslots *= 2;
	t = calloc(1, sizeof(*t));
	if (t == NULL)
		goto oom;
	t->max = max_edges;
	t->mask = nslots - 1;
	t->edges = bigmem_alloc(max_edges * sizeof(*t->edges));
	t->slots = bigmem_alloc(nslots * sizeof(*t->slots));
	if (t->edges == NULL || t->slots == NULL)
		goto oom;
	flowtab_clear(t);
	return t;
oom:
	flowtab_free(t);
	errmsg_set("out of memory for a table of %zu edges", max_edges);
	return NULL;
}

void flowtab_free(struct flowtab *t)
{
	if (t == NULL)
		return;
	bigmem_free(t->edges, t->max * sizeof(*t->edges));
	bigmem_free(t->slots, (t->mask + 1) * sizeof(*t->slots));
	free(t);
}

/* The key fields; addresses are zero-padded, so whole structs hash. */
static uint64_t edge_hash(const struct store_edge *e)
{
	uint64_t h = HASH_INIT;

	h = hash_bytes(h, &e->bucket, sizeof(e->bucket));
	h = hash_bytes(h, &e->client, sizeof(e->client));
	h = hash_bytes(h, &e->server, sizeof(e->server));
	h = hash_bytes(h, &e->service, sizeof(e->service));
	h = hash_bytes(h, &e->client_nat, sizeof(e->client_nat));
	h = hash_bytes(h, &e->server_port, sizeof(e->server_port));
	h = hash_bytes(h, &e->service_port, sizeof(e->service_port));
	h = hash_bytes(h, &e->protocol, sizeof(e->protocol));
	return h;
}

static int edge_key_equal(const struct store_edge *a,
			  const struct store_edge *b)
{
	return a->bucket == b->bucket && a->server_port == b->server_port &&
	       a->service_port == b->service_port &&
	       a->protocol == b->protocol && addr_equal(&a->client, &b->client) &&
	       addr_equal(&a->server, &b->server) &&
	       memcmp(&a->service, &b->service, sizeof(a->service)) == 0 &&
	       memcmp(&a->client_nat, &b->client_nat,
		      sizeof(a->client_nat)) == 0;
}

/*
 * Adds two counters where STORE_UNKNOWN + n = n, saturating: the kernel's
 * are unsigned 64-bit, read as at most INT64_MAX (ctflow.c).
 */
static int64_t add_counter(int64_t a, int64_t b)
{
	if (a == STORE_UNKNOWN)
		return b;
	if (b == STORE_UNKNOWN)
		return a;
	return count_add(a, b);
}

/*
 * first_seen is the earliest start of the edge's connections (attribution
 * goes by it), so only an edge that counts connections may lower it; an
 * edge that counts none yet holds when it was first seen, which a first
 * start replaces.  The same rule as sql/queries/store/edge_upsert.sql.
 */
static int64_t fold_first_seen(const struct store_edge *into,
			       const struct store_edge *e)
{
	if (e->connections == 0)
		return into->connections == 0 && e->first_seen < into->first_seen
			       ? e->first_seen
			       : into->first_seen;
	if (into->connections == 0 || e->first_seen < into->first_seen)
		return e->first_seen;
	return into->first_seen;
}

/*
 * The latest start, while every counted connection's start is known: one
 * that is not makes the edge's unknown (its row keeps the bucket rule).
 * An edge that counts none leaves it.  The rule of edge_upsert.sql.
 */
static int64_t fold_last_start(const struct store_edge *into,
			       const struct store_edge *e)
{
	if (e->connections == 0)
		return into->last_start;
	if (into->connections == 0)
		return e->last_start;
	if (into->last_start == STORE_UNKNOWN || e->last_start == STORE_UNKNOWN)
		return STORE_UNKNOWN;
	return e->last_start > into->last_start ? e->last_start
						: into->last_start;
}

static void edge_fold(struct store_edge *into, const struct store_edge *e)
{
	/* Both read the counts as they were. */
	into->first_seen = fold_first_seen(into, e);
	into->last_start = fold_last_start(into, e);
	if (e->last_seen > into->last_seen)
		into->last_seen = e->last_seen;
	into->connections = count_add(into->connections, e->connections);
	into->orig_bytes = add_counter(into->orig_bytes, e->orig_bytes);
	into->orig_packets = add_counter(into->orig_packets, e->orig_packets);
	into->reply_bytes = add_counter(into->reply_bytes, e->reply_bytes);
	into->reply_packets =
		add_counter(into->reply_packets, e->reply_packets);
}

int flowtab_add(struct flowtab *t, const struct store_edge *e)
{
	size_t i = (size_t)edge_hash(e) & t->mask;

	for (;; i = (i + 1) & t->mask) {
		uint32_t slot = t->slots[i];

		if (slot == SLOT_EMPTY)
			break;
		if (edge_key_equal(&t->edges[slot], e)) {
			edge_fold(&t->edges[slot], e);
			return 0;
		}
	}
	if (t->n == t->max)
		return -1;
	t->edges[t->n] = *e;
	t->slots[i] = (uint32_t)t->n++;
	return 0;
}

const struct store_edge *flowtab_edges(const struct flowtab *t, size_t *n)
{
	*n = t->n;
	return t->edges;
}

size_t flowtab_count(const struct flowtab *t)
{
	return t->n;
}

size_t flowtab_capacity(const struct flowtab *t)
{
	return t->max;
}

void flowtab_clear(struct flowtab *t)
{
	memset(t->slots, 0xff, (t->mask + 1) * sizeof(*t->slots));
	t->n = 0;
}
