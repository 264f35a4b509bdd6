/*
 * hash: the one hash function of podflow, 64-bit FNV-1a.
 *
 * Its values are part of the output: the suffix that keeps a long policy
 * name unique is a hash of the workload's name, so they must never change.
 * The hash tables (strmap, conntab, flowtab) use it too; FNV-1a is short,
 * fast on the small keys they hold, and good enough with power-of-two
 * tables and linear probing.
 */
#ifndef PODFLOW_HASH_H
#define PODFLOW_HASH_H

#include <stddef.h>
#include <stdint.h>

#define HASH_INIT 0xcbf29ce484222325ULL

/* Folds len bytes of data into h (start from HASH_INIT). */
static inline uint64_t hash_bytes(uint64_t h, const void *data, size_t len)
{
	const uint8_t *p = data;

	for (size_t i = 0; i < len; i++)
		h = (h ^ p[i]) * 0x100000001b3ULL;
	return h;
}

/* The hash of a NUL-terminated string. */
static inline uint64_t hash_str(const char *s)
{
	uint64_t h = HASH_INIT;

	for (; *s != '\0'; s++)
		h = (h ^ (uint8_t)*s) * 0x100000001b3ULL;
	return h;
}

#endif
