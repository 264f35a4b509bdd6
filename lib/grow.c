/*
 * grow: growing arrays with overflow checks (grow.h).
 */
#include <stdint.h>
#include <stdlib.h>

#include "podflow/errmsg.h"
#include "podflow/grow.h"

#define GROW_MIN 8

int grow_array(void **array, size_t *cap, size_t need, size_t size)
{
	size_t want = *cap;
	void *grown;

	if (need <= *cap)
		return 0;
	if (want < GROW_MIN)
		want = GROW_MIN;
	while (want < need) {
		if (want > SIZE_MAX / 2)
			goto oom;
		want *= 2;
	}
	if (size != 0 && want > SIZE_MAX / size)
		goto oom;
	grown = realloc(*array, want * size);
	if (grown == NULL)
		goto oom;
	*array = grown;
	*cap = want;
	return 0;
oom:
	errmsg_set("out of memory");
	return -1;
}
