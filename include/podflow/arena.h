/*
 * arena: a bump allocator for data that lives and dies together, such as
 * one parsed Kubernetes object and everything extracted from it.
 */
#ifndef PODFLOW_ARENA_H
#define PODFLOW_ARENA_H

#include <stddef.h>

struct arena_chunk;

struct arena {
	struct arena_chunk *chunks;
};

#define ARENA_INIT { NULL }

/* size zeroed bytes, aligned for any type; NULL when out of memory. */
void *arena_alloc(struct arena *a, size_t size);

/* A copy of s (len bytes, then a NUL) in the arena; NULL when out of memory. */
char *arena_strndup(struct arena *a, const char *s, size_t len);
char *arena_strdup(struct arena *a, const char *s);

/* Frees everything allocated from a; a stays usable. */
void arena_reset(struct arena *a);

#endif
