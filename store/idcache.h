/*
 * idcache: the writer's cache of row ids (addresses, routes) by a key of
 * a fixed size, so that a flush finds the id of what it wrote before
 * without formatting text or asking SQLite.  Keys are compared as bytes:
 * zero any padding in them.
 */
#ifndef PODFLOW_IDCACHE_H
#define PODFLOW_IDCACHE_H

#include <stddef.h>
#include <stdint.h>

/* The longest key: a route's (store.c). */
#define IDCACHE_KEY_MAX 32

struct idcache_slot {
	int64_t id; /* 0: the slot is empty (rowids start at 1) */
	unsigned char key[IDCACHE_KEY_MAX];
};

struct idcache {
	struct idcache_slot *slots;
	size_t n, cap;
	size_t key_size; /* every key's, set at IDCACHE_INIT */
};

#define IDCACHE_INIT(size) { NULL, 0, 0, (size) }

/* The id under key (key_size bytes, compared as bytes), or 0. */
int64_t idcache_get(const struct idcache *c, const void *key);

/*
 * Stores id (not 0) under key, which is not there yet.  Returns 0, or -1
 * when out of memory.
 */
int idcache_put(struct idcache *c, const void *key, int64_t id);

/* Forgets every id (the keys' rows rolled back); c stays usable. */
void idcache_clear(struct idcache *c);

#endif
