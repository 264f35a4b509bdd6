/*
 * Fuzzes kyaml, podflow's one YAML and JSON reader, as each of its users
 * opens it: the first byte picks the flags (Kubernetes objects, or whole
 * documents as a configuration is read), the rest is the input.  Every
 * object is walked and copied, and every scalar resolved, as import and
 * check do.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "podflow/arena.h"
#include "podflow/kyaml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * Touches every node, so that a bad pointer or length shows, and resolves
 * every scalar as kubectl would send it (knode_resolve()).
 */
static size_t walk(const struct knode *n)
{
	size_t bytes = n->value != NULL ? n->len + (n->value[0] != 0) : 0;
	struct kjson v;

	if (n->type == KNODE_SCALAR && knode_resolve(n, &v) == 0)
		bytes += (size_t)v.type;

	for (size_t i = 0; i < n->n; i++) {
		if (n->keys != NULL)
			bytes += walk(n->keys[i]);
		bytes += walk(n->items[i]);
	}
	return bytes;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena a = ARENA_INIT;
	const struct knode *obj;
	struct kyaml *y;
	unsigned int flags;
	FILE *fp;

	if (size < 1)
		return 0;
	flags = data[0] & (KYAML_DOCUMENTS | KYAML_LINES);
	fp = fmemopen((void *)(data + 1), size - 1, "r");
	if (fp == NULL)
		return 0;
	if (kyaml_open(fp, "input", flags, &y) == 0) {
		while (kyaml_next(y, &obj) == 1) {
			walk(obj);
			if (knode_copy(&a, obj) != NULL)
				knode_str(obj, "metadata.name");
			arena_reset(&a);
		}
		kyaml_close(y);
	}
	fclose(fp);
	return 0;
}
