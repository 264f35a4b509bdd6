/*
 * generate_int: what the files of the generate engine share, and no one
 * else (generate.h is the engine's API).
 *
 * A run goes through the files in the order of its steps:
 * generate_inventory.c reads the workloads and node addresses of the
 * first database, and the pod CIDRs and lost events every database's
 * podflowd recorded; generate_flows.c reads every database's flows
 * into entries per workload, each with its peer, folded as they pile up,
 * and when each entry was first recorded, before the window too;
 * generate_screen.c records each entry as a proposal, screens it against
 * the review decisions and the existing policies, and explains it;
 * generate_rules.c groups what is left into rules and adds the --dns and
 * --allow-internet ones; generate_meta.c writes the policy's labels and
 * annotations; generate.c runs the steps and assembles the result.
 *
 * The state of a run is struct gen, made by generate_policies() on its
 * stack and passed down; each step takes the parts it needs.
 */
#ifndef PODFLOW_GENERATE_INT_H
#define PODFLOW_GENERATE_INT_H

#include <stddef.h>
#include <stdint.h>

#include "podflow/addr.h"
#include "podflow/arena.h"
#include "podflow/kyaml.h"
#include "podflow/netpol.h"
#include "podflow/polset.h"
#include "podflow/store.h"
#include "podflow/strmap.h"
#include "endpoint.h"
#include "generate.h"

/* The pod CIDRs kept from the databases' meta, at most. */
#define GEN_MAX_POD_CIDRS 64

struct workload;

/* One observed (direction, peer, port) and the flows behind it. */
struct entry {
	int egress;
	struct netpol_peer peer;
	const char *key;  /* the peer's canonical order */
	const char *desc; /* the peer for people */
	const char *protocol;
	int port;
	int64_t conns, first, last; /* in the window */
	int64_t first_ever; /* as struct generate_proposal's */
	const char *service; /* "ns/name" of a Service used, or NULL */
	int external;	     /* an address outside pods and nodes */
	int node;	     /* a node's address */
	const struct workload *peer_w; /* a pod peer's workload, or NULL */
	uint64_t dbs;	     /* which databases recorded it (bit i: --db i) */
	/*
	 * --before-dnat: an entry for the ClusterIP and port a Service was
	 * dialled on, beside the entry of its backend: dnat 1, and the
	 * backend's workload, else its address (a CIDR, a node's when
	 * dnat_node), and port, whose review decision it follows.  One per
	 * backend: a ClusterIP is emitted only when every backend's entry
	 * is (generate_screen_entries()), once.
	 */
	int dnat;
	const struct workload *dnat_of;
	const char *dnat_cidr;
	int dnat_node;
	int dnat_port;
};

/* A workload of the inventory and, when in scope, what it did. */
struct workload {
	const char *ns, *kind, *name;
	const char *selector; /* JSON, NULL: its pods share no label */
	const char *source;   /* owner | pods */
	/*
	 * Why no valid policy can name it (a store written before import
	 * checked names and labels), escaped for messages; NULL when none.
	 * A namespace or selector the API server refuses is no selector:
	 * as a peer, it is its addresses.
	 */
	const char *invalid;
	int host_network;
	int in_scope;
	struct entry *e; /* owned by the workload: free() */
	size_t n, cap;
	size_t flows; /* flows seen, whether or not a rule came of them */
	int64_t conns, first, last;
	const char *peer_key, *peer_desc; /* pod_peer()'s, made once */
	/*
	 * Its entry first recorded last (generate_load_history()), kept
	 * whole: screening leaves only the entries a rule allows in e.
	 * key NULL: none.
	 */
	struct entry newest;
};

/*
 * The strings of a run.  Everything handed out lives in a, the result's
 * arena, with the policies; strings lets each distinct one be stored once.
 */
struct gen_pool {
	struct arena *a;
	struct strmap strings; /* text -> its one copy in a */
	/*
	 * generate_intern() only finds: NULL for a string not there yet.
	 * Reading the records again for their times, a peer the window
	 * never named is no entry's, and is not kept.
	 */
	int find_only;
};

/* What the inventory (the first database) and the databases' meta say. */
struct gen_inventory {
	struct workload *w; /* sorted (generate_find_workload()); owned */
	size_t n_w, cap_w;
	struct cidr pod_cidrs[GEN_MAX_POD_CIDRS];
	size_t n_pod_cidrs;
	struct strmap node_addrs; /* the inventory's node addresses */
	/* --before-dnat, --dns any: kube-dns's ClusterIPs, its own rule's */
	struct strmap kube_dns_ips;
};

/* One resolved edge, from one node's database. */
struct flow_row {
	size_t db;
	int64_t bucket;
	const char *client, *server, *proto, *client_nat;
	int port, service_port;
	int64_t conns, first, last;
	/* first, or earlier when another database saw it first */
	int64_t first_ever;
	const char *src_ns, *src_kind, *src_name, *src_node;
	const char *dst_ns, *dst_kind, *dst_name, *dst_node;
	const char *svc_ns, *svc_name;
	const char *svc_ip; /* the address dialled before DNAT, or NULL */
};

/* The flows of the window, as far as they are kept, and their counts. */
struct gen_flows {
	size_t not_expressible;
	size_t unknown_pod_ips; /* peers in the pod CIDRs that no known pod held */
	/*
	 * Reading the records again (generate_load_history()): a flow only
	 * says when its entry was first seen, and counts for nothing else.
	 */
	int history;
};

/* A pod of the namespace generate_selector_overlap() is looking at. */
struct ns_pod {
	const char *kind, *name; /* its workload */
	const struct knode *labels;
	int bad; /* labels that do not parse: no selector picks the pod */
};

/* The pods of one namespace, labels parsed once for all its workloads. */
struct gen_ns_pods {
	const char *of; /* that namespace; NULL: none read yet */
	struct ns_pod *pods; /* owned */
	size_t n, cap;
	struct arena mem; /* pods' strings and labels */
};

/* The proposals of the run, and what they are screened against. */
struct gen_screen {
	struct endpoints *ep; /* with opts->existing: the pods to evaluate */
	/* opts->existing less the policies this run replaces; n 0: none */
	struct polset existing;
	struct generate_proposal *props; /* owned; copied into the result */
	size_t n_props, cap_props;
};

/* One run of generate_policies(). */
struct gen {
	const struct generate_opts *o;
	struct store *const *stores; /* stores[0]: the inventory */
	size_t n_stores;
	const struct generate_diag *diag; /* NULL: none */
	struct gen_pool pool;
	struct gen_inventory inv;
	struct gen_flows flows;
	struct gen_ns_pods ns_pods;
	struct gen_screen screen;
};

/* generate.c */

/* Formats a diagnostic and hands it to d; nothing when d is NULL. */
void generate_diagf(const struct generate_diag *d, enum generate_level level,
		    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* generate_inventory.c */

/*
 * The one copy of s in pool->a: memory grows with the distinct peers,
 * not with the flows.  NULL for NULL, or when out of memory; with
 * pool->find_only, when s has no copy yet.
 */
const char *generate_intern(struct gen_pool *pool, const char *s);

/*
 * Reads the workloads (in a), checks the workload filter of o against
 * them, and reads the node addresses of stores[0] and the pod CIDRs of
 * every database.  Returns GENERATE_OK, GENERATE_REFUSED with errmsg when
 * the filter names no workload or several, or GENERATE_FAILED with errmsg.
 */
int generate_load_inventory(struct gen_inventory *inv, struct arena *a,
			    struct store *const *stores, size_t n_stores,
			    const struct generate_opts *o);

/* The workload ns/kind/name, or NULL (also when any of them is NULL). */
struct workload *generate_find_workload(const struct gen_inventory *inv,
					const char *ns, const char *kind,
					const char *name);

/* Nonzero when a is in one of the pod CIDRs. */
int generate_in_pod_cidrs(const struct gen_inventory *inv,
			  const struct addr *a);

/* Warns, through d, when podflowd reported lost events on s since since. */
void generate_warn_lost_events(struct store *s, int64_t since,
			       const struct generate_diag *d);

/* Frees what generate_load_inventory() read (not the strings in a). */
void generate_inventory_free(struct gen_inventory *inv);

/* generate_flows.c */

/*
 * Makes e's peer an ipBlock for address ip: exact (/32, /128), or, when
 * external and IPv4, aggregated to external_prefix (0: exact).  Returns 0,
 * or -1 (with errmsg) when ip is no address or out of memory.
 */
int generate_cidr_peer(struct gen_pool *pool, int external_prefix,
		       const char *ip, int external, struct entry *e);

/*
 * Reads the flows of the window from every database into the entries of
 * the workloads in scope.  Returns 0, or -1 with errmsg.
 */
int generate_load_flows(struct gen *g);

/* Folds w's equal (direction, peer, port) entries, sorted, into one. */
void generate_merge_entries(struct workload *w);

/*
 * After generate_load_flows(): merges the entries of the workloads in
 * scope, gives each the time any database first recorded it (first_ever:
 * its first in the window, or earlier from all the records, read again
 * when the window starts after 1970), and each workload its newest
 * entry.  Returns 0, or -1 with errmsg.
 */
int generate_load_history(struct gen *g);

/* generate_screen.c */

/*
 * Leaves out of g->screen.existing the existing policies this run
 * replaces, saying so.  Returns 0, or -1 with errmsg.
 */
int generate_leave_out_replaced(struct gen *g);

/*
 * Records every entry of w as a proposal and keeps only those the policy
 * must allow; with opts->explain, says why (name: w's policy).
 * isolated[] gets the directions the existing policies isolate w's pods
 * for (0 ingress, 1 egress).  Returns 0, or -1 with errmsg.
 */
int generate_screen_entries(struct gen *g, struct workload *w,
			    const char *name, int isolated[2]);

/* Warns when w reaches many outside addresses on one port (a CDN). */
void generate_warn_churn(const struct workload *w,
			 const struct generate_diag *d);

/* generate_rules.c */

/*
 * Groups w's merged entries of one direction into rules, one per peer,
 * in a; ports become a range from port_range_threshold of them (0:
 * never).  Returns 0, or -1 with errmsg.
 */
int generate_build_rules(struct arena *a, int port_range_threshold,
			 const struct workload *w, int egress,
			 struct netpol_rule **rules, size_t *n);

/*
 * Appends the rules of o->dns and o->dns_ips for w to *rules; the
 * kube-dns Service is looked up in inventory.  Returns 0, or -1 with
 * errmsg.
 */
int generate_add_dns_rules(struct gen_pool *pool, struct store *inventory,
			   const struct generate_opts *o,
			   const struct workload *w, struct netpol_rule **rules,
			   size_t *n);

/*
 * --allow-internet: appends a rule for every address but the pod and
 * service CIDRs, per family.  Returns 0, or -1 with errmsg.
 */
int generate_add_internet_rules(struct arena *a,
				const struct gen_inventory *inv,
				const struct generate_opts *o,
				struct netpol_rule **rules, size_t *n);

/* generate_meta.c */

/*
 * The workloads whose pods w's selector would also pick, in its
 * namespace: a comma-separated list in a, or NULL when it picks w's
 * alone (or the pods cannot be read).  Pods are read from inventory
 * once per namespace, into cache.
 */
const char *generate_selector_overlap(struct gen_ns_pods *cache,
				      struct store *inventory, int64_t since,
				      struct arena *a,
				      const struct workload *w);

/* Frees the pods generate_selector_overlap() kept. */
void generate_ns_pods_free(struct gen_ns_pods *cache);

/* w's state at o->now, from its newest entry (generate_load_history()). */
enum generate_state generate_state_of(const struct generate_opts *o,
				      const struct workload *w);

/*
 * Sets p's labels and annotations (the window, connections, status, the
 * newest entry, selector source, and overlap when not NULL), in a.
 * Returns 0, or -1 with errmsg.
 */
int generate_set_metadata(struct arena *a, const struct generate_opts *o,
			  const struct workload *w, const char *overlap,
			  struct netpol *p);

#endif
