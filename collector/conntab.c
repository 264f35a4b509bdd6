/*
 * conntab: live connections by tuple, for exact counting (conntab.h).
 *
 * Chained hashing over a fixed pool of entries: deletions are frequent
 * (every DESTROY), and chains make them trivial.  Indexes rather than
 * pointers keep entries small.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "podflow/conntab.h"

#define NIL UINT32_MAX
/* Zones one connection can pass through: a handful at most in practice. */
#define CONN_ZONES 4

struct conn {
	struct addr client;
	struct addr server;
	uint16_t client_port;
	uint16_t server_port;
	uint8_t protocol;
	uint8_t nzones;
	uint16_t zones[CONN_ZONES];
	uint32_t ids[CONN_ZONES];
	uint32_t gen;
	uint32_t next; /* chain, or free list */
	int64_t bucket;
};

struct conntab {
	struct conn *pool;
	size_t max, count;
	uint32_t free_head;
	uint32_t *heads;
	size_t mask;
	uint64_t overflows;
};

struct conntab *conntab_new(size_t max)
{
	struct conntab *t;
	size_t nheads = 16;

	if (max == 0 || max >= NIL / 2) {
		errno = EINVAL;
		return NULL;
	}
	while (nheads < max)
		nheads *= 2;
	t = calloc(1, sizeof(*t));
	if (t == NULL)
		return NULL;
	t->pool = calloc(max, sizeof(*t->pool));
	t->heads = malloc(nheads * sizeof(*t->heads));
	if (t->pool == NULL || t->heads == NULL) {
		conntab_free(t);
		errno = ENOMEM;
		return NULL;
	}
	t->max = max;
	t->mask = nheads - 1;
	memset(t->heads, 0xff, nheads * sizeof(*t->heads));
	for (size_t i = 0; i < max; i++)
		t->pool[i].next = i + 1 < max ? (uint32_t)(i + 1) : NIL;
	t->free_head = 0;
	return t;
}

void conntab_free(struct conntab *t)
{
	if (t == NULL)
		return;
	free(t->pool);
	free(t->heads);
	free(t);
}

static size_t conn_hash(const struct conntab *t, const struct ctflow *f)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	const uint8_t *parts[] = { f->client.bytes, f->server.bytes };

	for (int p = 0; p < 2; p++)
		for (int i = 0; i < 16; i++)
			h = (h ^ parts[p][i]) * 0x100000001b3ULL;
	h = (h ^ f->client_port) * 0x100000001b3ULL;
	h = (h ^ f->server_port) * 0x100000001b3ULL;
	h = (h ^ f->protocol) * 0x100000001b3ULL;
	return (size_t)(h ^ (h >> 29)) & t->mask;
}

static int conn_matches(const struct conn *c, const struct ctflow *f)
{
	return c->client_port == f->client_port &&
	       c->server_port == f->server_port &&
	       c->protocol == f->protocol && addr_equal(&c->client, &f->client) &&
	       addr_equal(&c->server, &f->server);
}

/* The link that points at f's entry (a head or a next field), or NULL. */
static uint32_t *conn_find(struct conntab *t, const struct ctflow *f)
{
	uint32_t *link = &t->heads[conn_hash(t, f)];

	while (*link != NIL) {
		if (conn_matches(&t->pool[*link], f))
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

int conntab_observe(struct conntab *t, const struct ctflow *f, int64_t bucket,
		    uint32_t gen, int64_t *first_bucket)
{
	uint32_t *link = conn_find(t, f), idx;
	struct conn *c;
	int z;

	if (link != NULL) {
		c = &t->pool[*link];
		c->gen = gen;
		z = zone_index(c, f->zone);
		if (z < 0) { /* the same connection in one more zone */
			if (c->nzones < CONN_ZONES) {
				c->zones[c->nzones] = f->zone;
				c->ids[c->nzones++] = f->id;
			}
		} else if (c->ids[z] != f->id) {
			/*
			 * A new conntrack id for the tuple in the same zone:
			 * the old connection ended (its DESTROY was lost) and
			 * a new one reuses the tuple.
			 */
			c->zones[0] = f->zone;
			c->ids[0] = f->id;
			c->nzones = 1;
			c->bucket = bucket;
			return 1;
		}
		if (first_bucket != NULL)
			*first_bucket = c->bucket;
		return 0;
	}
	if (t->free_head == NIL) {
		t->overflows++;
		return 1;
	}
	idx = t->free_head;
	c = &t->pool[idx];
	t->free_head = c->next;
	memset(c, 0, sizeof(*c));
	c->client = f->client;
	c->server = f->server;
	c->client_port = f->client_port;
	c->server_port = f->server_port;
	c->protocol = f->protocol;
	c->zones[0] = f->zone;
	c->ids[0] = f->id;
	c->nzones = 1;
	c->gen = gen;
	c->bucket = bucket;
	link = &t->heads[conn_hash(t, f)];
	c->next = *link;
	*link = idx;
	t->count++;
	return 1;
}

int conntab_forget(struct conntab *t, const struct ctflow *f,
		   int64_t *bucket)
{
	uint32_t *link = conn_find(t, f);
	struct conn *c;
	int z;

	if (link == NULL)
		return 0;
	c = &t->pool[*link];
	z = zone_index(c, f->zone);
	if (z < 0 || c->ids[z] != f->id)
		return 0;
	*bucket = c->bucket;
	c->nzones--;
	c->zones[z] = c->zones[c->nzones];
	c->ids[z] = c->ids[c->nzones];
	if (c->nzones == 0)
		conn_unlink(t, link);
	return 1;
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
	t->overflows = 0;
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
