/*
 * table: aligned text tables for policygen's terminal output.
 */
#ifndef PODFLOW_TABLE_H
#define PODFLOW_TABLE_H

#include <stddef.h>
#include <stdio.h>

struct table;

/*
 * A table with the given column headings (copied).  Returns an owned
 * table (free with table_free()), or NULL with errmsg (out of memory).
 */
struct table *table_new(size_t ncols, const char *const *headings);

/*
 * Appends a row of ncols cells (copied; NULL prints as "-").  Returns 0,
 * or -1 with errmsg (out of memory).
 */
int table_add(struct table *t, const char *const *cells);

/* Prints the headings and rows, columns padded to their widest cell. */
void table_print(const struct table *t, FILE *out);

/* The rows added, headings not counted. */
size_t table_rows(const struct table *t);

/* NULL is a no-op. */
void table_free(struct table *t);

#endif
