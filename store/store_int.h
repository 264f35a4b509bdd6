/*
 * store_int: what the store's own files share (store.c, resolve.c,
 * inventory.c); nothing outside store/ includes it.
 */
#ifndef PODFLOW_STORE_INT_H
#define PODFLOW_STORE_INT_H

#include <stddef.h>
#include <stdint.h>

struct store;

/*
 * Runs every statement of sql in turn, binding args[0..n) to the
 * parameters ?1..?n each has, and stores the rows each changed in
 * changes[i] when changes is not NULL (room for every statement).  Stops
 * at the first that fails: -1 with errmsg naming the file.
 */
int store_script(struct store *s, const char *sql, const int64_t *args,
		 size_t n, int64_t *changes);

#endif
