/*
 * Fuzzes policygen's reading of NetworkPolicy manifests (check -f): every
 * object kyaml reads, added to a policy set as polset_read_path() does.
 */
#include <stdint.h>
#include <stdio.h>

#include "podflow/kyaml.h"
#include "podflow/polset.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct polset ps = POLSET_INIT;
	const struct knode *obj;
	struct kyaml *y;
	FILE *fp = fmemopen((void *)data, size, "r");

	if (fp == NULL)
		return 0;
	if (kyaml_open(fp, "input", 0, &y) == 0) {
		while (kyaml_next(y, &obj) == 1)
			if (polset_add_object(&ps, obj, "input",
					      kyaml_document(y), "default") < 0)
				break;
		kyaml_close(y);
	}
	polset_free(&ps);
	fclose(fp);
	return 0;
}
