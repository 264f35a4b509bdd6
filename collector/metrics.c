/*
 * metrics: the Prometheus text exposition format, version 0.0.4
 * (metrics.h): for each metric a HELP and a TYPE line, then its samples.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "podflow/errmsg.h"
#include "metrics.h"

struct metric {
	const char *name, *type, *help;
	double value;
};

static void write_metrics(FILE *f, const struct metric *m, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fprintf(f, "# HELP %s %s\n# TYPE %s %s\n%s %.17g\n", m[i].name,
			m[i].help, m[i].name, m[i].type, m[i].name, m[i].value);
}

static void write_all(FILE *f, const struct collector_stats *st,
		      int64_t db_bytes)
{
	const struct metric m[] = {
		{ "podflowd_events_new_total", "counter",
		  "Conntrack NEW events received.", (double)st->events_new },
		{ "podflowd_events_destroy_total", "counter",
		  "Conntrack DESTROY events received.",
		  (double)st->events_destroy },
		{ "podflowd_dumped_entries_total", "counter",
		  "Entries read from conntrack table dumps.",
		  (double)st->dumped },
		{ "podflowd_connections_total", "counter",
		  "Connections counted into flow edges.",
		  (double)st->connections },
		{ "podflowd_untracked_total", "counter",
		  "Connections with no room in the live table: counted at their end.",
		  (double)st->untracked },
		{ "podflowd_counted_before_total", "counter",
		  "Connections a restart found open that the previous run had counted.",
		  (double)st->counted_before },
		{ "podflowd_out_of_scope_total", "counter",
		  "Conntrack messages about traffic outside the pod CIDRs.",
		  (double)st->out_of_scope },
		{ "podflowd_parse_errors_total", "counter",
		  "Netlink messages that were not conntrack entries.",
		  (double)st->parse_errors },
		{ "podflowd_foreign_messages_total", "counter",
		  "Netlink datagrams another process sent, ignored.",
		  (double)st->foreign },
		{ "podflowd_lost_event_episodes_total", "counter",
		  "Times the kernel reported dropped conntrack events (ENOBUFS).",
		  (double)st->enobufs },
		{ "podflowd_resyncs_total", "counter",
		  "Table dumps made after lost events.", (double)st->resyncs },
		{ "podflowd_flushes_total", "counter",
		  "Successful writes of edges to the database.",
		  (double)st->flushes },
		{ "podflowd_flush_errors_total", "counter",
		  "Failed writes of edges to the database (retried).",
		  (double)st->flush_errors },
		{ "podflowd_edges_written_total", "counter",
		  "Edge rows written to the database.",
		  (double)st->edges_flushed },
		{ "podflowd_edges_dropped_total", "counter",
		  "Edges lost because the table was full and the database failing.",
		  (double)st->edges_dropped },
		{ "podflowd_flush_duration_seconds", "gauge",
		  "Duration of the last write to the database.",
		  (double)st->flush_usec_last / 1e6 },
		{ "podflowd_flush_duration_max_seconds", "gauge",
		  "Longest write to the database since start.",
		  (double)st->flush_usec_max / 1e6 },
		{ "podflowd_live_connections", "gauge",
		  "Connections known to be open.",
		  (double)st->live_connections },
		{ "podflowd_pending_edges", "gauge",
		  "Edges waiting for the next write.",
		  (double)st->pending_edges },
		{ "podflowd_database_bytes", "gauge",
		  "Size of the database on disk, WAL included.",
		  (double)db_bytes },
	};

	write_metrics(f, m, sizeof(m) / sizeof(m[0]));
}

int metrics_write(const char *path, const struct collector_stats *st,
		  int64_t db_bytes)
{
	size_t len = strlen(path);
	char *tmp = malloc(len + 8);
	FILE *f = NULL;
	int fd = -1, rc = -1;

	struct stat sb;

	if (tmp == NULL) {
		errmsg_set("out of memory");
		return -1;
	}
	/* rename() would replace a device or a directory entry of another kind. */
	if (stat(path, &sb) == 0 && !S_ISREG(sb.st_mode)) {
		errmsg_set("metrics file %s: not a regular file", path);
		free(tmp);
		return -1;
	}
	/* Same directory, so that rename() is atomic. */
	snprintf(tmp, len + 8, "%s.XXXXXX", path);
	if ((fd = mkstemp(tmp)) < 0 || (f = fdopen(fd, "w")) == NULL)
		goto fail;
	fd = -1;
	/* node_exporter runs as another user: the file is world-readable. */
	if (fchmod(fileno(f), 0644) < 0)
		goto fail;
	write_all(f, st, db_bytes);
	if (fflush(f) != 0 || ferror(f))
		goto fail;
	if (fclose(f) != 0) {
		f = NULL;
		goto fail;
	}
	f = NULL;
	if (rename(tmp, path) < 0)
		goto fail;
	rc = 0;
	goto out;
fail:
	errmsg_set("metrics file %s: %s", path, strerror(errno));
	if (f != NULL)
		fclose(f);
	if (fd >= 0)
		close(fd);
	unlink(tmp);
out:
	free(tmp);
	return rc;
}
