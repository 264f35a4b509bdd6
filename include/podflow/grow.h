/*
 * grow: the one way podflow grows an array.
 *
 * Every growing array doubles through here, so the multiplication that
 * sizes it is checked for overflow in one place (systemd's GREEDY_REALLOC
 * does the same).
 */
#ifndef PODFLOW_GROW_H
#define PODFLOW_GROW_H

#include <stddef.h>

/*
 * Makes *array, of *cap elements of size bytes, hold at least need
 * elements: to twice its capacity or need, whichever is more (at least
 * 8).  Returns 0, or -1 with "out of memory" in errmsg, leaving *array
 * and *cap as they were.  *array is owned by the caller; free() it.
 */
int grow_array(void **array, size_t *cap, size_t need, size_t size);

/* grow_array() for a typed pointer: GROW(t->items, t->cap, t->n + 1). */
#define GROW(array, cap, need) \
	grow_array((void **)&(array), &(cap), (need), sizeof(*(array)))

#endif
