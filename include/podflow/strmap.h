/*
 * strmap: a hash map from strings to pointers, for caches and grouping
 * keyed by text (a pod uid, a flow's ends).  Keys are copied into the
 * map's own arena; values stay the caller's.
 */
#ifndef PODFLOW_STRMAP_H
#define PODFLOW_STRMAP_H

#include <stddef.h>

#include "podflow/arena.h"

struct strmap_slot {
	const char *key;
	void *value;
};

struct strmap {
	struct strmap_slot *slots;
	size_t n, cap;
	struct arena keys;
};

#define STRMAP_INIT { NULL, 0, 0, ARENA_INIT }

/* The value stored under key, or NULL. */
void *strmap_get(const struct strmap *m, const char *key);

/*
 * The slot for key, added (value NULL) if it was not there: the caller
 * fills in the value.  NULL when out of memory.
 */
struct strmap_slot *strmap_slot(struct strmap *m, const char *key);

/* Frees the map's table and keys (not the values); m stays usable. */
void strmap_free(struct strmap *m);

#endif
