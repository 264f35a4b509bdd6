/*
 * conntab: live connections by tuple, for exact counting (conntab.h).
 *
 * Chained hashing over a fixed pool of entries: deletions are frequent
 * (every DESTROY), and chains make them trivial.  Indexes rather than
 * pointers keep entries small.
 */
#include <stdlib.h>
#include <string.h>

#include "podflow/errmsg.h"
#include "podflow/hash.h"
#include "bigmem.h"
#include "conntab.h"

#define NIL UINT32_MAX
/* Zones one connection can pass through: a handful at most in practice. */
#define CONN_ZONES 4

/*
 * The tuple a connection is known by, compared and hashed as bytes: the
 * addresses are zero-padded and the fields, in this order, leave no holes.
 */
struct conn_key {
	struct addr client;
	struct addr server;
	struct addr service;
	uint8_t protocol;
	uint16_t client_port;
	uint16_t server_port;
	uint16_t service_port;
};

_Static_assert(sizeof(struct conn_key) ==
		       3 * sizeof(struct addr) + 1 + 3 * sizeof(uint16_t),
	       "struct conn_key has padding");

struct conn {
	struct conn_key key;
	uint8_t nzones;
	uint8_t closing; /* a zone reported its end */
	uint16_t zones[CONN_ZONES];
	uint32_t ids[CONN_ZONES];
	uint32_t gen;
	uint32_t next; /* chain, or free list */
	int64_t bucket;
};

struct conntab {
	struct conn *pool;
	size_t max, count;
	/*
	 * pool[used..max) was never handed out: untouched, so that memory
	 * follows the most connections live at once, not the room.
	 */
	size_t used;
	uint32_t free_head; /* entries given back, to be used first */
	uint32_t *heads;
	size_t mask;
	uint64_t overflows;
};

static size_t hash_of(const struct conn_key *k)
{
	uint64_t h = hash_bytes(HASH_INIT, k, sizeof(*k));

	/* Fold the high bits in: the mask keeps only the low ones. */
	return (size_t)(h ^ (h >> 29));
}

static size_t conn_hash(const struct conntab *t, const struct conn_key *k)
{
	return hash_of(k) & t->mask;
}

/* Heads for max entries: a power of two, so that a mask picks one. */
static size_t heads_for(size_t max)
{
	size_t n = 16;

	while (n < max)
		n *= 2;
	return n;
}

size_t conntab_bytes(size_t max)
{
	return max * sizeof(struct conn) + heads_for(max) * sizeof(uint32_t);
}

struct conntab *conntab_new(size_t max)
{
	struct conntab *t = calloc(1, sizeof(*t));

	if (t == NULL) {
		errmsg_set("out of memory for a table of %zu connections", max);
		return NULL;
	}
	t->free_head = NIL;
	if (conntab_grow(t, max) < 0) {
		conntab_free(t);
		return NULL;
	}
	return t;
}

int conntab_grow(struct conntab *t, size_t max)
{
	size_t nheads, bytes;
	struct conn *pool;
	uint32_t *heads;

	if (max == 0 || max > CONNTAB_MAX) {
		errmsg_set("a table of %zu connections: want 1 to %u", max,
			   CONNTAB_MAX);
		return -1;
	}
	if (max <= t->max)
		return 0;
	nheads = heads_for(max);
	if (__builtin_mul_overflow(max, sizeof(*pool), &bytes))
		goto oom;
	pool = bigmem_alloc(bytes);
	heads = bigmem_alloc(nheads * sizeof(*heads));
	if (pool == NULL || heads == NULL) {
		bigmem_free(pool, bytes);
		bigmem_free(heads, nheads * sizeof(*heads));
		goto oom;
	}
	/* Only the entries handed out: the rest stays untouched. */
	if (t->used > 0)
		memcpy(pool, t->pool, t->used * sizeof(*pool));
	bigmem_free(t->pool, t->max * sizeof(*pool));
	t->pool = pool;
	memset(heads, 0xff, nheads * sizeof(*heads));
	/* Every live entry into its chain under the new mask. */
	for (size_t h = 0; t->heads != NULL && h <= t->mask; h++) {
		uint32_t idx = t->heads[h];

		while (idx != NIL) {
			uint32_t next = pool[idx].next;
			size_t at = hash_of(&pool[idx].key) & (nheads - 1);

			pool[idx].next = heads[at];
			heads[at] = idx;
			idx = next;
		}
	}
	bigmem_free(t->heads, (t->mask + 1) * sizeof(*heads));
	t->heads = heads;
	t->mask = nheads - 1;
	t->max = max;
	return 0;
oom:
	errmsg_set("out of memory for a table of %zu connections", max);
	return -1;
}

size_t conntab_max(const struct conntab *t)
{
	return t->max;
}

void conntab_free(struct conntab *t)
{
	if (t == NULL)
		return;
	bigmem_free(t->pool, t->max * sizeof(*t->pool));
	bigmem_free(t->heads, (t->mask + 1) * sizeof(*t->heads));
	free(t);
}

static struct conn_key conn_key_of(const struct ctflow *f)
{
	return (struct conn_key){
		.client = f->client,
		.server = f->server,
		.service = f->service,
		.protocol = f->protocol,
		.client_port = f->client_port,
		.server_port = f->server_port,
		.service_port = f->service_port,
	};
}

/* The link that points at k's entry (a head or a next field), or NULL. */
static uint32_t *conn_find(struct conntab *t, const struct conn_key *k)
{
	uint32_t *link = &t->heads[conn_hash(t, k)];

	while (*link != NIL) {
		if (memcmp(&t->pool[*link].key, k, sizeof(*k)) == 0)
			return link;
		link = &t->pool[*link].next;
	}
	return NULL;
}

static void conn_unlink(struct conntab *t, uint32_t *link)
{
	uint32_t idx = *link;

	*link = t->pool[idx].next;
	t->pool[idx].next = t->free_head;
	t->free_head = idx;
	t->count--;
}

static int zone_index(const struct conn *c, uint16_t zone)
{
	for (int i = 0; i < c->nzones; i++)
		if (c->zones[i] == zone)
			return i;
	return -1;
}

/* Makes (zone, id) the only report of c: a new connection on the tuple. */
static void conn_restart(struct conn *c, const struct ctflow *f,
			 int64_t bucket)
{
	c->zones[0] = f->zone;
	c->ids[0] = f->id;
	c->nzones = 1;
	c->closing = 0;
	c->bucket = bucket;
}

enum conntab_seen conntab_observe(struct conntab *t, const struct ctflow *f,
				  int64_t bucket, uint32_t gen,
				  int64_t *first_bucket)
{
	struct conn_key k = conn_key_of(f);
	uint32_t *link = conn_find(t, &k), idx;
	struct conn *c;
	int z;

	if (link != NULL) {
		c = &t->pool[*link];
		c->gen = gen;
		z = zone_index(c, f->zone);
		if (z >= 0 && c->ids[z] == f->id) {
			/* A re-report. */
		} else if (z >= 0 || c->closing) {
			/*
			 * A new id in a zone already listed: the tuple reused
			 * by a new connection after its predecessor's DESTROY
			 * was lost.  Or a report after the connection began
			 * to end: it cannot be the same one.
			 */
			conn_restart(c, f, bucket);
			return CONNTAB_ADDED;
		} else if (c->nzones < CONN_ZONES) {
			/* The same connection in one more zone. */
			c->zones[c->nzones] = f->zone;
			c->ids[c->nzones++] = f->id;
		}
		if (first_bucket != NULL)
			*first_bucket = c->bucket;
		return CONNTAB_KNOWN;
	}
	if (t->free_head != NIL) {
		idx = t->free_head;
		t->free_head = t->pool[idx].next;
	} else if (t->used < t->max) {
		idx = (uint32_t)t->used++;
	} else {
		t->overflows++;
		return CONNTAB_FULL;
	}
	c = &t->pool[idx];
	memset(c, 0, sizeof(*c));
	c->key = k;
	c->gen = gen;
	conn_restart(c, f, bucket);
	link = &t->heads[conn_hash(t, &k)];
	c->next = *link;
	*link = idx;
	t->count++;
	return CONNTAB_ADDED;
}

enum conntab_end conntab_forget(struct conntab *t, const struct ctflow *f,
				int64_t *bucket)
{
	struct conn_key k = conn_key_of(f);
	uint32_t *link = conn_find(t, &k);
	struct conn *c;
	int z;

	if (link == NULL)
		return CONNTAB_UNKNOWN;
	c = &t->pool[*link];
	z = zone_index(c, f->zone);
	if (z < 0 || c->ids[z] != f->id)
		return CONNTAB_OTHER;
	*bucket = c->bucket;
	c->closing = 1;
	c->nzones--;
	c->zones[z] = c->zones[c->nzones];
	c->ids[z] = c->ids[c->nzones];
	if (c->nzones > 0)
		return CONNTAB_MORE;
	conn_unlink(t, link);
	return CONNTAB_LAST;
}

size_t conntab_sweep(struct conntab *t, uint32_t gen)
{
	size_t dropped = 0;

	for (size_t h = 0; h <= t->mask; h++) {
		uint32_t *link = &t->heads[h];

		while (*link != NIL) {
			/* Generations wrap; compare as a signed distance. */
			if ((int32_t)(t->pool[*link].gen - gen) < 0) {
				conn_unlink(t, link);
				dropped++;
			} else {
				link = &t->pool[*link].next;
			}
		}
	}
	return dropped;
}

size_t conntab_count(const struct conntab *t)
{
	return t->count;
}

uint64_t conntab_overflows(const struct conntab *t)
{
	return t->overflows;
}
