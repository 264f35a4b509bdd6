/*
 * metrics: podflowd's counters, named and described for Prometheus
 * (metrics.h), written by promtext.
 */
#include "podflow/promtext.h"
#include "metrics.h"

int metrics_write(const char *path, const struct collector_stats *st,
		  int64_t db_bytes)
{
	const struct promtext_metric m[] = {
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

	return promtext_write(path, m, sizeof(m) / sizeof(m[0]));
}
