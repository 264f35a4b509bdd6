/*
 * idcache: open addressing with linear probing, kept at most half full
 * (idcache.h).  Nothing is deleted singly, so no tombstones are needed.
 */
#include <stdlib.h>
#include <string.h>

#include "podflow/hash.h"
#include "idcache.h"

static size_t find(const struct idcache_slot *slots, size_t cap,
		   const void *key, size_t key_size)
{
	uint64_t h = hash_bytes(HASH_INIT, key, key_size);
	size_t i = (size_t)(h ^ (h >> 29)) & (cap - 1);

	while (slots[i].id != 0 && memcmp(slots[i].key, key, key_size) != 0)
		i = (i + 1) & (cap - 1);
	return i;
}

static int grow(struct idcache *c)
{
	size_t cap = c->cap ? 2 * c->cap : 256;
	struct idcache_slot *slots;

	if (cap > SIZE_MAX / 2 / sizeof(*slots) ||
	    (slots = calloc(cap, sizeof(*slots))) == NULL)
		return -1;
	for (size_t i = 0; i < c->cap; i++)
		if (c->slots[i].id != 0)
			slots[find(slots, cap, c->slots[i].key, c->key_size)] =
				c->slots[i];
	free(c->slots);
	c->slots = slots;
	c->cap = cap;
	return 0;
}

int64_t idcache_get(const struct idcache *c, const void *key)
{
	if (c->cap == 0)
		return 0;
	return c->slots[find(c->slots, c->cap, key, c->key_size)].id;
}

int idcache_put(struct idcache *c, const void *key, int64_t id)
{
	struct idcache_slot *slot;

	if (2 * (c->n + 1) > c->cap && grow(c) < 0)
		return -1;
	slot = &c->slots[find(c->slots, c->cap, key, c->key_size)];
	memcpy(slot->key, key, c->key_size);
	slot->id = id;
	c->n++;
	return 0;
}

void idcache_clear(struct idcache *c)
{
	free(c->slots);
	c->slots = NULL;
	c->n = c->cap = 0;
}
