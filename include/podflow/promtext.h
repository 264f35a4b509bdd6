/*
 * promtext: metrics as a Prometheus text-format file, for node_exporter's
 * textfile collector (format 0.0.4: for each metric a HELP and a TYPE
 * line, then its sample).  The file is replaced atomically (written
 * beside it, then renamed): a scrape never sees half of it.
 */
#ifndef PODFLOW_PROMTEXT_H
#define PODFLOW_PROMTEXT_H

#include <stddef.h>

struct promtext_metric {
	const char *name, *type, *help; /* type: "counter" or "gauge" */
	double value;
};

/*
 * Writes m[0..n) to path, world-readable (node_exporter runs as another
 * user).  Returns 0, or -1 with errmsg; on error the previous file is
 * left as it was.
 */
int promtext_write(const char *path, const struct promtext_metric *m,
		   size_t n);

#endif
