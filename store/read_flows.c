/*
 * read_flows: the resolved flows as policygen's commands read them
 * (store_read.h): generate's and check's rows, flows' sums and the
 * workloads' traffic, each from its statement in sql/queries/store/.
 *
 * Every statement reads the view resolved_edges, whose rule is SQL
 * (sql/views.sql); this file only knows each statement's columns.
 */
#include <stdlib.h>

#include "podflow/errmsg.h"
#include "podflow/store_read.h"
#include "sql.h"
#include "store_int.h"

/* A caller's callback and its context, for a row of flows. */
struct flow_read {
	store_flow_fn fn;
	void *ctx;
};

/* Columns of flows_window.sql. */
enum {
	R_DAY, R_CLIENT, R_SERVER, R_PORT, R_PROTO, R_CLIENT_NAT,
	R_CONNS, R_FIRST, R_LAST,
	R_SRC_UID, R_SRC_NS, R_SRC_KIND, R_SRC_NAME, R_SRC_NODE,
	R_DST_UID, R_DST_NS, R_DST_KIND, R_DST_NAME, R_DST_NODE,
	R_SVC_NS, R_SVC_NAME, R_SVC_PORT,
};

/* One end's columns, from first (uid, namespace, kind, name, node). */
static struct store_flow_end flow_end(sqlite3_stmt *st, int first)
{
	return (struct store_flow_end){
		.uid = store_column_text(st, first),
		.namespace = store_column_text(st, first + 1),
		.kind = store_column_text(st, first + 2),
		.name = store_column_text(st, first + 3),
		.node = store_column_text(st, first + 4),
	};
}

/* The row st is on; its strings are SQLite's, valid until it steps. */
static struct store_flow flow_at(sqlite3_stmt *st)
{
	return (struct store_flow){
		.day = sqlite3_column_int64(st, R_DAY),
		.client_ip = store_column_text(st, R_CLIENT),
		.server_ip = store_column_text(st, R_SERVER),
		.server_port = sqlite3_column_int(st, R_PORT),
		.protocol = store_column_text(st, R_PROTO),
		.client_nat_ip = store_column_text(st, R_CLIENT_NAT),
		.connections = sqlite3_column_int64(st, R_CONNS),
		.first_seen = sqlite3_column_int64(st, R_FIRST),
		.last_seen = sqlite3_column_int64(st, R_LAST),
		.src = flow_end(st, R_SRC_UID),
		.dst = flow_end(st, R_DST_UID),
		.service_namespace = store_column_text(st, R_SVC_NS),
		.service_name = store_column_text(st, R_SVC_NAME),
		.service_port = sqlite3_column_int(st, R_SVC_PORT),
	};
}

static int flow_row(sqlite3_stmt *st, void *arg)
{
	const struct flow_read *r = arg;
	const struct store_flow f = flow_at(st);

	return r->fn(&f, r->ctx);
}

/*
 * flows_window.sql prepared into *st for the window [since, until), with
 * (dups 1) or without the rows a pod shares with another of its
 * workload.  Returns 0, or -1 with errmsg and *st NULL.
 */
static int flows_window(struct store *s, int64_t since, int64_t until,
			int dups, sqlite3_stmt **st)
{
	if (store_query(s, sql_flows_window, st) < 0)
		return -1;
	if (sqlite3_bind_int64(*st, 1, since) != SQLITE_OK ||
	    sqlite3_bind_int64(*st, 2, until) != SQLITE_OK ||
	    sqlite3_bind_int(*st, 3, dups) != SQLITE_OK) {
		store_db_error(s);
		sqlite3_finalize(*st);
		*st = NULL;
		return -1;
	}
	return 0;
}

/* The window's flows, each handed to fn. */
static int read_flows(struct store *s, int64_t since, int64_t until,
		      int dups, store_flow_fn fn, void *ctx)
{
	struct flow_read r = { fn, ctx };
	sqlite3_stmt *st;
	int rc;

	if (flows_window(s, since, until, dups, &st) < 0)
		return -1;
	rc = store_query_rows(s, st, flow_row, &r);
	sqlite3_finalize(st);
	return rc;
}

int store_read_generate_flows(struct store *s, int64_t since, int64_t until,
			      store_flow_fn fn, void *ctx)
{
	return read_flows(s, since, until, 0, fn, ctx);
}

int store_read_check_flows(struct store *s, int64_t since, int64_t until,
			   store_flow_fn fn, void *ctx)
{
	return read_flows(s, since, until, 1, fn, ctx);
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

/* Binds text to parameter i of st, or leaves it NULL when text is NULL. */
static int bind_text_or_null(sqlite3_stmt *st, int i, const char *text)
{
	if (text == NULL)
		return SQLITE_OK;
	return sqlite3_bind_text(st, i, text, -1, SQLITE_STATIC);
}

int store_read_flow_sums(struct store *s, int64_t since, int64_t until,
			 const char *ns, const char *workload,
			 store_flow_sum_fn fn, void *ctx)
{
	struct flow_sum_read r = { fn, ctx };
	sqlite3_stmt *st = NULL;
	int rc = -1;

	if (store_query(s, sql_flows_query, &st) < 0)
		return -1;
	if (sqlite3_bind_int64(st, 1, since) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 2, until) != SQLITE_OK ||
	    bind_text_or_null(st, 3, ns) != SQLITE_OK ||
	    bind_text_or_null(st, 4, workload) != SQLITE_OK) {
		store_db_error(s);
		goto out;
	}
	rc = store_query_rows(s, st, flow_sum_row, &r);
out:
	sqlite3_finalize(st);
	return rc;
}

struct workload_read {
	store_workload_fn fn;
	void *ctx;
};

/* Columns of workloads_query.sql. */
enum {
	W_NS, W_KIND, W_NAME, W_NOW, W_HOSTNET, W_SELECTOR, W_SOURCE,
	W_OUT, W_IN, W_LAST,
};

static int workload_row(sqlite3_stmt *st, void *arg)
{
	const struct workload_read *r = arg;
	const struct store_workload w = {
		.namespace = store_column_text(st, W_NS),
		.kind = store_column_text(st, W_KIND),
		.name = store_column_text(st, W_NAME),
		.selector = store_column_text(st, W_SELECTOR),
		.source = store_column_text(st, W_SOURCE),
		.host_network = sqlite3_column_int(st, W_HOSTNET),
		.pods_now = sqlite3_column_int64(st, W_NOW),
		.conns_out = sqlite3_column_int64(st, W_OUT),
		.conns_in = sqlite3_column_int64(st, W_IN),
		/* NULL, when it neither sent nor received, reads as 0. */
		.last_seen = sqlite3_column_int64(st, W_LAST),
	};

	return r->fn(&w, r->ctx);
}

int store_read_workloads(struct store *s, const char *ns, store_workload_fn fn,
			 void *ctx)
{
	struct workload_read r = { fn, ctx };
	sqlite3_stmt *st = NULL;
	int rc = -1;

	if (store_query(s, sql_workloads_query, &st) < 0)
		return -1;
	if (bind_text_or_null(st, 1, ns) != SQLITE_OK) {
		store_db_error(s);
		goto out;
	}
	rc = store_query_rows(s, st, workload_row, &r);
out:
	sqlite3_finalize(st);
	return rc;
}

struct store_flows {
	struct store *s;
	sqlite3_stmt *st;
};

int store_flows_open(struct store *s, int64_t since, int64_t until,
		     struct store_flows **out)
{
	struct store_flows *c = calloc(1, sizeof(*c));

	*out = NULL;
	if (c == NULL) {
		errmsg_set("%s: out of memory", store_filename(s));
		return -1;
	}
	c->s = s;
	if (flows_window(s, since, until, 0, &c->st) < 0) {
		free(c);
		return -1;
	}
	*out = c;
	return 0;
}

int store_flows_next(struct store_flows *c, struct store_flow *row)
{
	int rc = sqlite3_step(c->st);

	if (rc == SQLITE_ROW) {
		*row = flow_at(c->st);
		return 1;
	}
	return rc == SQLITE_DONE ? 0 : store_db_error(c->s);
}

void store_flows_close(struct store_flows *c)
{
	if (c == NULL)
		return;
	sqlite3_finalize(c->st);
	free(c);
}
