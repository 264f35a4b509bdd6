/*
 * table: aligned text tables for policygen's terminal output.
 */
#ifndef PODFLOW_TABLE_H
#define PODFLOW_TABLE_H

#include <stddef.h>
#include <stdio.h>

struct table;

/* A table with the given column headings (copied).  NULL if out of memory. */
struct table *table_new(size_t ncols, const char *const *headings);

/* Appends a row of ncols cells (copied; NULL prints as "-").  0 or -1. */
int table_add(struct table *t, const char *const *cells);

/* Prints the headings and rows, columns padded to their widest cell. */
void table_print(const struct table *t, FILE *out);

size_t table_rows(const struct table *t);

/* NULL is a no-op. */
void table_free(struct table *t);

#endif
