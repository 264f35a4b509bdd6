/*
 * metrics: podflowd's counters as a Prometheus text-format file, for
 * node_exporter's textfile collector.  The file is replaced atomically
 * (written beside it, then renamed): a scrape never sees half of it.
 */
#ifndef PODFLOW_METRICS_H
#define PODFLOW_METRICS_H

#include <stdint.h>

#include "collector.h"

/*
 * Writes the counters of st and the database's size on disk (bytes,
 * main file and WAL) to path.  Returns 0, or -1 with errmsg; on error
 * the previous file is left as it was.
 */
int metrics_write(const char *path, const struct collector_stats *st,
		  int64_t db_bytes);

#endif
