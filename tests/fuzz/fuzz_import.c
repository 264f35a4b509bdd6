/*
 * Fuzzes what policygen import makes of kubectl's output: every object
 * kyaml reads, turned into an inventory record (kube_parse()), as import
 * does before it writes the record.
 */
#include <stdint.h>
#include <stdio.h>

#include "podflow/arena.h"
#include "podflow/kyaml.h"
#include "policygen/kube.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena a = ARENA_INIT;
	const struct knode *obj;
	struct kube_record r;
	struct kyaml *y;
	FILE *fp = fmemopen((void *)data, size, "r");

	if (fp == NULL)
		return 0;
	if (kyaml_open(fp, "input", 0, &y) == 0) {
		while (kyaml_next(y, &obj) == 1) {
			kube_parse(obj, "input", 1764633600, &a, &r);
			arena_reset(&a);
		}
		kyaml_close(y);
	}
	fclose(fp);
	return 0;
}
