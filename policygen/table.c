/*
 * table: collect rows, then print them aligned (table.h).
 */
#include <stdlib.h>
#include <string.h>

#include "podflow/arena.h"
#include "podflow/errmsg.h"
#include "podflow/grow.h"
#include "table.h"

struct table {
	size_t ncols, nrows;
	char **cells; /* row-major, headings first */
	size_t cap;   /* of cells */
	size_t *width;
	struct arena mem;
};

static int table_push(struct table *t, const char *const *cells)
{
	if (GROW(t->cells, t->cap, (t->nrows + 1) * t->ncols) < 0)
		return -1;
	for (size_t c = 0; c < t->ncols; c++) {
		const char *s = cells[c] ? cells[c] : "-";
		char *copy = arena_strdup(&t->mem, s);
		size_t len = strlen(s);

		if (copy == NULL) {
			errmsg_set("out of memory");
			return -1;
		}
		t->cells[t->nrows * t->ncols + c] = copy;
		if (len > t->width[c])
			t->width[c] = len;
	}
	t->nrows++;
	return 0;
}

struct table *table_new(size_t ncols, const char *const *headings)
{
	struct table *t = calloc(1, sizeof(*t));

	if (t == NULL)
		goto oom;
	t->ncols = ncols;
	if ((t->width = calloc(ncols, sizeof(*t->width))) == NULL)
		goto oom;
	if (table_push(t, headings) < 0)
		goto fail;
	return t;
oom:
	errmsg_set("out of memory");
fail:
	table_free(t);
	return NULL;
}

int table_add(struct table *t, const char *const *cells)
{
	return table_push(t, cells);
}

size_t table_rows(const struct table *t)
{
	return t->nrows - 1;
}

void table_print(const struct table *t, FILE *out)
{
	for (size_t r = 0; r < t->nrows; r++) {
		for (size_t c = 0; c < t->ncols; c++) {
			const char *s = t->cells[r * t->ncols + c];

			if (c + 1 == t->ncols)
				fprintf(out, "%s\n", s);
			else
				fprintf(out, "%-*s  ", (int)t->width[c], s);
		}
	}
}

void table_free(struct table *t)
{
	if (t == NULL)
		return;
	free(t->cells);
	free(t->width);
	arena_reset(&t->mem);
	free(t);
}
