/*
 * read_flows: the resolved flows as policygen's commands read them
 * (store_read.h): flows' sums and the workloads' traffic, each from its
 * statement in sql/queries/store/ (generate's and check's rows are
 * flow_window.c's).
 *
 * Both add up the resolved edges by id (flow_days) before they name
 * them, as the view resolved_edges does (sql/views.sql; the workloads'
 * through the view workload_traffic); this file only knows each
 * statement's columns.
 */
#include <stdlib.h>

#include "podflow/errmsg.h"
#include "podflow/store_read.h"
#include "sql.h"
#include "store_int.h"

/* A schema before 8, read through compat_resolved_edges.sql: no ids. */
static int old_schema(const struct store *s)
{
	return store_schema_version(s) < STORE_RESOLVED_VERSION;
}

struct flow_sum_read {
	store_flow_sum_fn fn;
	void *ctx;
};

/* Columns of flows_query.sql. */
enum {
	F_SRC_NS, F_SRC_KIND, F_SRC_NAME, F_SRC_IP, F_SRC_NODE,
	F_DST_NS, F_DST_KIND, F_DST_NAME, F_DST_IP, F_DST_NODE,
	F_PORT, F_PROTO, F_SVC_NS, F_SVC_NAME,
	F_CONNS, F_FIRST, F_LAST, F_AMBIGUOUS,
};

static int flow_sum_row(sqlite3_stmt *st, void *arg)
{
	const struct flow_sum_read *r = arg;
	const struct store_flow_sum f = {
		.src = {
			.namespace = store_column_text(st, F_SRC_NS),
			.kind = store_column_text(st, F_SRC_KIND),
			.name = store_column_text(st, F_SRC_NAME),
			.node = store_column_text(st, F_SRC_NODE),
		},
		.dst = {
			.namespace = store_column_text(st, F_DST_NS),
			.kind = store_column_text(st, F_DST_KIND),
			.name = store_column_text(st, F_DST_NAME),
			.node = store_column_text(st, F_DST_NODE),
		},
		.client_ip = store_column_text(st, F_SRC_IP),
		.server_ip = store_column_text(st, F_DST_IP),
		.server_port = sqlite3_column_int(st, F_PORT),
		.protocol = store_column_text(st, F_PROTO),
		.service_namespace = store_column_text(st, F_SVC_NS),
		.service_name = store_column_text(st, F_SVC_NAME),
		.connections = sqlite3_column_int64(st, F_CONNS),
		.first_seen = sqlite3_column_int64(st, F_FIRST),
		.last_seen = sqlite3_column_int64(st, F_LAST),
		.ambiguous = sqlite3_column_int(st, F_AMBIGUOUS),
	};

	return r->fn(&f, r->ctx);
}

int store_read_flow_sums(struct store *s, int64_t since, int64_t until,
			 const char *ns, const char *workload,
			 store_flow_sum_fn fn, void *ctx)
{
	struct flow_sum_read r = { fn, ctx };
	const struct store_param p[] = {
		STORE_INT(since), STORE_INT(until), STORE_TEXT(ns),
		STORE_TEXT(workload),
	};

	return store_query_bound(s,
				 old_schema(s) ? sql_flows_query_compat
					       : sql_flows_query,
				 p, 4, flow_sum_row, &r);
}

struct workload_read {
	store_workload_fn fn;
	void *ctx;
};

/* Columns of workloads_query.sql after store_workload_at()'s. */
enum { W_NOW = 6, W_OUT, W_IN, W_LAST };

static int workload_row(sqlite3_stmt *st, void *arg)
{
	const struct workload_read *r = arg;
	struct store_workload w = store_workload_at(st);

	w.pods_now = sqlite3_column_int64(st, W_NOW);
	w.conns_out = sqlite3_column_int64(st, W_OUT);
	w.conns_in = sqlite3_column_int64(st, W_IN);
	/* NULL, when it neither sent nor received, reads as 0. */
	w.last_seen = sqlite3_column_int64(st, W_LAST);
	return r->fn(&w, r->ctx);
}

int store_read_workloads(struct store *s, const char *ns, store_workload_fn fn,
			 void *ctx)
{
	struct workload_read r = { fn, ctx };
	const struct store_param p[] = { STORE_TEXT(ns) };

	return store_query_bound(s, sql_workloads_query, p, 1, workload_row,
				 &r);
}
