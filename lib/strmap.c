/*
 * strmap: open addressing with linear probing, kept at most half full
 * (strmap.h).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "podflow/hash.h"
#include "podflow/strmap.h"

static size_t find(const struct strmap_slot *slots, size_t cap,
		   const char *key)
{
	size_t i = hash_str(key) & (cap - 1);

	while (slots[i].key != NULL && strcmp(slots[i].key, key) != 0)
		i = (i + 1) & (cap - 1);
	return i;
}

void *strmap_get(const struct strmap *m, const char *key)
{
	size_t i;

	if (m->cap == 0)
		return NULL;
	i = find(m->slots, m->cap, key);
	return m->slots[i].key != NULL ? m->slots[i].value : NULL;
}

static int grow(struct strmap *m)
{
	size_t cap = m->cap ? 2 * m->cap : 64;
	struct strmap_slot *slots = calloc(cap, sizeof(*slots));

	if (slots == NULL)
		return -1;
	for (size_t i = 0; i < m->cap; i++)
		if (m->slots[i].key != NULL)
			slots[find(slots, cap, m->slots[i].key)] = m->slots[i];
	free(m->slots);
	m->slots = slots;
	m->cap = cap;
	return 0;
}

struct strmap_slot *strmap_slot(struct strmap *m, const char *key)
{
	size_t i;

	if (2 * (m->n + 1) > m->cap && grow(m) < 0)
		return NULL;
	i = find(m->slots, m->cap, key);
	if (m->slots[i].key == NULL) {
		if ((m->slots[i].key = arena_strdup(&m->keys, key)) == NULL)
			return NULL;
		m->slots[i].value = NULL;
		m->n++;
	}
	return &m->slots[i];
}

void strmap_free(struct strmap *m)
{
	free(m->slots);
	arena_reset(&m->keys);
	m->slots = NULL;
	m->n = m->cap = 0;
}
