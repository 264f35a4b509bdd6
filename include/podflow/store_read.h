/*
 * store_read: what policygen reads from the store, and the review
 * decisions it writes.
 *
 * The store owns every statement (sql/queries/store/) and its column
 * order: a read runs one and hands each row to a callback as a struct
 * whose fields name the columns, so that policygen never sees SQL and
 * another database can sit behind these functions.
 *
 * A read returns 0, or -1 with errmsg naming the database file (a
 * lookup that may find nothing, 1 or 0: errmsg.h).  One that takes a
 * callback hands it every row in turn:
 *  - the strings of a row are the store's, valid only during the
 *    callback: copy what you keep;
 *  - the callback returns 0 to go on, or -1 to stop: the read then
 *    returns -1 and leaves the callback's errmsg as it is.
 * Times are Unix seconds, ports in host byte order.
 */
#ifndef PODFLOW_STORE_READ_H
#define PODFLOW_STORE_READ_H

#include <stdint.h>

#include "podflow/store.h"

/* Resolved flows: store/flow_window.c and store/read_flows.c. */

/* One end of a resolved edge: a pod of a workload, a node, or neither. */
struct store_flow_end {
	const char *uid;       /* the pod's; NULL: none (or not read) */
	const char *namespace; /* the pod's; NULL: no known pod held it */
	const char *kind;      /* the pod's workload; NULL with namespace */
	const char *name;
	const char *node; /* the node whose address it is; NULL: none */
};

/*
 * A resolved edge: the connections of one day (or, from
 * store_read_generate_flows(), of the window) from a client address to
 * a server address and port, credited to the pods that held them.
 */
struct store_flow {
	int64_t day; /* the UTC day */
	const char *client_ip, *server_ip;
	int server_port;	   /* 0: no port (ICMP) */
	const char *protocol;	   /* its name ("TCP"), else its number */
	const char *client_nat_ip; /* the client after SNAT; NULL: none */
	int64_t connections;
	int64_t first_seen;
	int64_t last_seen;
	struct store_flow_end src, dst;
	/* The Service dialled; NULL and 0: none. */
	const char *service_namespace, *service_name;
	int service_port;
	/*
	 * The address dialled before DNAT, the Service's; NULL: none (or a
	 * database older than resolved edges).
	 */
	const char *service_ip;
	int ambiguous; /* an address had several holders when they started */
};

typedef int (*store_flow_fn)(const struct store_flow *row, void *ctx);

/*
 * policygen generate on one database: the resolved edges seen in [since,
 * until), each once per workload (not again for a second pod of it
 * credited too), added up over the window's days (day: the first it was
 * seen on), by client, server, protocol and port.  A read-only database
 * of a schema before 8 gives them by day, as store_read_check_flows().
 */
int store_read_generate_flows(struct store *s, int64_t since, int64_t until,
			      store_flow_fn fn, void *ctx);

/*
 * policygen check: the resolved edges seen in [since, until), with the
 * pods at their ends by uid; a reused address gives a row per holder,
 * two pods of a workload included; by day, client, server, protocol and
 * port.
 */
int store_read_check_flows(struct store *s, int64_t since, int64_t until,
			   store_flow_fn fn, void *ctx);

/*
 * generate's flows by day (as store_read_check_flows() gives them, less
 * the rows of a second pod of a workload) as an open read, for a merge
 * of several databases that takes each one's rows side by side, in their
 * order:
 * store_flows_next() stores the next row in *row, its strings valid
 * until the next call or store_flows_close(), and returns 1; 0 after the
 * last; -1 with errmsg naming the file.  store_flows_open() stores an
 * owned read in *out (close it with store_flows_close(); NULL is a
 * no-op) and returns 0, or -1 with errmsg.
 */
struct store_flows;

/*
 * A row of store_read_merged_flows(): a row of database db (its index
 * in stores), whose rows stand for the connection, and the first time any
 * database saw a row of it crediting the same ends.  Returns 0 to go on,
 * -1 to stop with errmsg.
 */
typedef int (*store_merged_flow_fn)(const struct store_flow *row, size_t db,
				    int64_t first_any, void *ctx);

/*
 * The flows of stores[0..n), as store_flows_next() gives each, merged:
 * where several databases recorded a connection (a day, client, server,
 * protocol and port; the client's node and the server's), the rows of
 * one stand for it: the one that saw the Service dialled (DNAT is on the
 * client's node), else the one that counted most.  Strings valid during
 * fn alone.  Returns 0, or -1 with errmsg (fn's, or naming the file).
 */
int store_read_merged_flows(struct store *const *stores, size_t n,
			    int64_t since, int64_t until,
			    store_merged_flow_fn fn, void *ctx);

int store_flows_open(struct store *s, int64_t since, int64_t until,
		     struct store_flows **out);
int store_flows_next(struct store_flows *c, struct store_flow *row);
void store_flows_close(struct store_flows *c);

/*
 * The resolved edges of a window added up by their ends, port, protocol
 * and Service.  An end is its workload, else its node, else its address.
 */
struct store_flow_sum {
	struct store_flow_end src, dst; /* uid NULL; node NULL for a pod */
	/* Set only for an end that is neither a workload nor a node. */
	const char *client_ip, *server_ip;
	int server_port;
	const char *protocol;
	const char *service_namespace, *service_name; /* NULL: none */
	int64_t connections;
	int64_t first_seen, last_seen; /* the earliest and the latest */
	int ambiguous; /* an address of it had several holders */
};

typedef int (*store_flow_sum_fn)(const struct store_flow_sum *row, void *ctx);

/*
 * policygen flows: the sums of [since, until) of stores[0..n) (several
 * merged as store_read_merged_flows() merges them), of namespace ns and
 * workload name workload at either end when they are not NULL, ordered
 * by their columns.
 */
int store_read_flow_sums(struct store *const *stores, size_t n,
			 int64_t since, int64_t until, const char *ns,
			 const char *workload, store_flow_sum_fn fn, void *ctx);

/* A workload of the inventory and, from store_read_workloads(), its traffic. */
struct store_workload {
	const char *namespace, *kind, *name;
	const char *selector; /* JSON LabelSelector; NULL: no shared label */
	const char *source;   /* "owner" (spec.selector) or "pods" (labels) */
	int host_network;     /* its pods use their node's network */
	/* 0 from store_read_generate_workloads(): */
	int64_t pods_now;	     /* its pods running now */
	int64_t conns_out, conns_in; /* connections it made, and received */
	int64_t last_seen; /* its latest connection either way; 0: none */
};

typedef int (*store_workload_fn)(const struct store_workload *row, void *ctx);

/*
 * policygen workloads: each workload with pods of the inventory of
 * stores[0], of namespace ns when not NULL, with its connections out and
 * in over every resolved edge of stores[0..n) (several merged as
 * store_read_merged_flows() merges them); ordered by namespace, kind and
 * name.
 */
int store_read_workloads(struct store *const *stores, size_t n,
			 const char *ns, store_workload_fn fn, void *ctx);

/* The inventory: store/read_inventory.c. */

/*
 * policygen generate: every workload with its selector, ordered by
 * namespace, kind and name (in SQLite's collation: sort again with
 * strcmp() to search them).
 */
int store_read_generate_workloads(struct store *s, store_workload_fn fn,
				  void *ctx);

struct store_node_address {
	const char *address;
};

typedef int (*store_node_address_fn)(const struct store_node_address *row,
				     void *ctx);

/* Every address of a node in the inventory. */
int store_read_node_addresses(struct store *s, store_node_address_fn fn,
			      void *ctx);

/* A pod's labels, with its workload. */
struct store_pod_labels {
	const char *workload_kind, *workload_name;
	const char *labels; /* JSON object */
};

typedef int (*store_pod_labels_fn)(const struct store_pod_labels *row,
				   void *ctx);

/*
 * The pods of namespace ns not ended before since, by workload kind,
 * workload name and pod name.
 */
int store_read_pod_labels(struct store *s, const char *ns, int64_t since,
			  store_pod_labels_fn fn, void *ctx);

/* The Service kube-system/kube-dns, for generate --dns kube-dns. */
struct store_kube_dns {
	char *selector; /* JSON object of its selector's labels */
	/* Its ports' distinct targetPorts, comma-separated; NULL: none. */
	char *target_ports;
	/* Its ClusterIPs, comma-separated; NULL: none. */
	char *cluster_ips;
};

/*
 * Looks kube-system/kube-dns up: a lookup that may find nothing
 * (errmsg.h).  Returns 1 and owned strings in *out (free() each), 0 when
 * the inventory has no such Service with a selector, or -1 with errmsg.
 */
int store_read_kube_dns(struct store *s, struct store_kube_dns *out);

/*
 * The lost-event episodes podflowd reported, into *episodes: 0 unless
 * its counters were written at or after since.  Returns 0 or -1.
 */
int store_read_lost_events(struct store *s, int64_t since, int64_t *episodes);

/* What a database holds, for policygen info. */
struct store_info {
	int64_t rows;	 /* raw edge rows */
	int64_t edges;	 /* distinct edges of those */
	int64_t buckets; /* distinct time buckets of those */
	/* The earliest first and latest last seen; 0 when rows is 0. */
	int64_t first_seen, last_seen;
	/*
	 * The inventory: namespaces and pods now, pods and workloads ever,
	 * Services now, nodes; last_import the latest time an import saw
	 * an object, 0 before the first.
	 */
	int64_t namespaces, pods_now, pods, workloads, services, nodes;
	int64_t last_import;
	/* The latest flush's number (store_change_latest()); -1: none kept. */
	int64_t change_seq;
};

/*
 * A raw row as a shipper sends it on: its edge, whose counts and times
 * are the row's totals (sending them replaces what was sent before, never
 * adds), and the number of the flush that changed it last.
 */
struct store_changed_row {
	struct store_edge edge;
	int64_t changed;
};

typedef int (*store_changed_fn)(const struct store_changed_row *row,
				void *ctx);

/*
 * The number of the latest flush that wrote rows into *seq (0: none yet).
 * Returns 0, or -1 with errmsg (a schema older than 12, which numbers
 * none).
 */
int store_change_latest(struct store *s, int64_t *seq);

/*
 * Each raw row whose last change is by a flush numbered above after and
 * up to upto, and whose bucket is from first to last (INT64_MIN,
 * INT64_MAX: any), in the order of those numbers, to fn, which returns 0
 * to go on or -1 to stop with errmsg.  after -1 reads every row, those
 * from before schema 12 (numbered 0) too.  A read is one snapshot: a row
 * a flush changes is either in it with that flush's totals, or read with
 * a later number.  The snapshot is held until the read ends, and the WAL
 * grows behind it: fn should keep the rows (bound the range), not wait on
 * a network.  Returns 0, or -1 with errmsg.
 */
int store_read_changed(struct store *s, int64_t after, int64_t upto,
		       int64_t first, int64_t last, store_changed_fn fn,
		       void *ctx);

typedef int (*store_bucket_count_fn)(int64_t bucket, int64_t rows, void *ctx);

/*
 * The rows from before schema 12 (flush 0, a node's history when its
 * database was migrated), as the number in each bucket, in the order of
 * the buckets, to fn, which returns 0 to go on or -1 to stop with errmsg:
 * a shipper sends a history of days in parts, not in one transaction.
 * Returns 0, or -1 with errmsg.
 */
int store_read_history(struct store *s, store_bucket_count_fn fn, void *ctx);

typedef int (*store_namespace_fn)(const char *name, void *ctx);

/*
 * Each namespace the inventory knows, by name: listed as a Namespace, or
 * holding a pod, now or before.  fn returns 0 to go on or -1 to stop
 * with errmsg.  Returns 0, or -1 with errmsg.
 */
int store_read_namespaces(struct store *s, store_namespace_fn fn, void *ctx);

/* Reads what s holds into *out.  Returns 0 or -1. */
int store_read_info(struct store *s, struct store_info *out);

/*
 * Lookups a replay makes row after row: store/read_inventory.c.  The
 * handle keeps its statements prepared.  What a lookup fills in is valid
 * until the next lookup of the same kind on the handle or its close; the
 * rows it hands a callback, during the callback.
 */

struct store_endpoints;

/*
 * The lookups on s, which must outlive the handle.  Returns an owned
 * handle (free with store_endpoints_close()), or NULL with errmsg.
 */
struct store_endpoints *store_endpoints_open(struct store *s);

/* NULL is a no-op. */
void store_endpoints_close(struct store_endpoints *e);

/* A pod, as a policy sees it. */
struct store_pod {
	int64_t id; /* for store_endpoints_pod_ports() */
	const char *namespace;
	const char *workload_kind, *workload_name;
	const char *node; /* NULL: not known */
	int host_network;
	const char *labels;	      /* JSON object; NULL: none */
	const char *namespace_labels; /* JSON; "{}": namespace not imported */
};

/*
 * The pod of this uid, into *out: a lookup that may find nothing.
 * Returns 1, 0 when there is none, or -1 with errmsg.
 */
int store_endpoints_pod(struct store_endpoints *e, const char *uid,
			struct store_pod *out);

/* A named container port. */
struct store_pod_port {
	const char *name, *protocol;
	int port;
};

typedef int (*store_pod_port_fn)(const struct store_pod_port *row, void *ctx);

/* The named ports of the pod of id, by name, protocol and port. */
int store_endpoints_pod_ports(struct store_endpoints *e, int64_t id,
			      store_pod_port_fn fn, void *ctx);

/* Who an address is. */
struct store_address {
	/* The pod holding it now, else the last that did; NULL: none. */
	const char *pod_uid;
	const char *node; /* the node it is of; NULL: none */
};

/*
 * Looks the address ip (canonical text) up, into *out; nobody is an
 * answer too.  Returns 0 or -1.
 */
int store_endpoints_address(struct store_endpoints *e, const char *ip,
			    struct store_address *out);

struct store_workload_kind {
	const char *kind;
};

typedef int (*store_workload_kind_fn)(const struct store_workload_kind *row,
				      void *ctx);

/*
 * The kinds of the workloads called name in namespace ns, in order; of
 * kind (compared without case) when it is not NULL.
 */
int store_endpoints_workload_kinds(struct store_endpoints *e, const char *ns,
				   const char *kind, const char *name,
				   store_workload_kind_fn fn, void *ctx);

/* A pod of a workload. */
struct store_workload_pod {
	const char *uid;
	int live; /* running: not gone, deleted or finished */
	const char *ip; /* its address now, else its last; IPv4 first; or NULL */
};

typedef int (*store_workload_pod_fn)(const struct store_workload_pod *row,
				     void *ctx);

/*
 * The pods of workload ns/kind/name (kind compared without case): the
 * running ones first, then the most recently seen.
 */
int store_endpoints_workload_pods(struct store_endpoints *e, const char *ns,
				  const char *kind, const char *name,
				  store_workload_pod_fn fn, void *ctx);

/* Review decisions: store/review.c. */

/* A decision on a proposed rule peer. */
struct store_review {
	const char *namespace, *kind, *name; /* the workload */
	const char *direction;		     /* "egress" or "ingress" */
	const char *peer;     /* canonical text: ns/Kind/name, ns:NAME... */
	int port;	      /* 0: every port */
	const char *protocol; /* "" with port 0 */
	const char *decision; /* "accepted" or "rejected" */
	const char *reason;   /* NULL: none given */
	const char *decided_by;
	int64_t decided_at;
};

typedef int (*store_review_fn)(const struct store_review *row, void *ctx);

/*
 * Every decision, by workload, direction, peer, port and protocol.  A
 * database from before schema 6, opened read-only and so not migrated,
 * has none.
 */
int store_read_reviews(struct store *s, store_review_fn fn, void *ctx);

/*
 * Records r, replacing an earlier decision on the same workload,
 * direction, peer, port and protocol.  Returns 0, or -1 with errmsg.
 */
int store_put_review(struct store *s, const struct store_review *r);

/*
 * Whether store_replace_reviews() deletes the decision row: 1 it does, 0
 * it keeps it, or -1 to stop with errmsg.
 */
typedef int (*store_review_pick_fn)(const struct store_review *row,
				    void *ctx);

/*
 * In one transaction, so that nothing is half-written: deletes every
 * decision pick(row, ctx) picks, then records r as store_put_review()
 * does (none when r is NULL).  pick() sees every decision before any is
 * deleted.  Stores how many were deleted in *n_deleted and returns 0;
 * on failure nothing is changed: -1 with errmsg (pick()'s if it stopped).
 */
int store_replace_reviews(struct store *s, const struct store_review *r,
			  store_review_pick_fn pick, void *ctx,
			  size_t *n_deleted);

#endif
