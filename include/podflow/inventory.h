/*
 * inventory: the cluster's namespaces, nodes, pods, services and workload
 * objects, written to the store with their history.
 *
 * Records are plain C: whoever reads kubectl output (policygen) fills
 * them, and the store knows nothing of YAML.  Labels and selectors travel
 * as JSON text.  Times are Unix seconds, 0 when unknown.
 *
 * An import is a session: inventory_begin(), the objects, then
 * inventory_commit().  A snapshot session is one transaction and, at
 * commit, ends what it no longer lists in the namespaces it covers (those
 * whose Namespace objects it holds, else those of its pods).  A watch
 * session applies objects and closes nothing by absence.
 */
#ifndef PODFLOW_INVENTORY_H
#define PODFLOW_INVENTORY_H

#include <stddef.h>
#include <stdint.h>

#include "podflow/store.h"

struct inv_namespace {
	const char *name;
	const char *labels; /* JSON object */
};

struct inv_node_address {
	const char *type; /* InternalIP, ExternalIP, hostIP */
	const char *address;
};

struct inv_node {
	const char *name;
	const char *labels;
	const struct inv_node_address *addresses;
	size_t n_addresses;
};

struct inv_port {
	const char *container;
	const char *name; /* NULL if unnamed */
	int port;
	const char *protocol; /* TCP, UDP, SCTP */
};

struct inv_pod {
	const char *uid;
	const char *namespace;
	const char *name;
	const char *node;  /* NULL if not scheduled */
	int host_network;
	const char *labels;
	const char *phase;
	int64_t created, started, deleted, finished;
	const char *controller_kind; /* NULL: a bare pod */
	const char *controller_name;
	const char *template_hash;   /* label pod-template-hash, or NULL */
	const char *workload_kind;   /* as far as the pod alone tells */
	const char *workload_name;
	const char *const *ips; /* status.podIPs */
	size_t n_ips;
	const char *const *host_ips; /* status.hostIPs */
	size_t n_host_ips;
	const struct inv_port *ports;
	size_t n_ports;
};

struct inv_service_port {
	const char *name;
	int port;
	const char *target_port; /* a number or a port name */
	const char *protocol;
	int node_port; /* 0 if none */
};

struct inv_service {
	const char *uid;
	const char *namespace;
	const char *name;
	const char *type;
	int64_t created;
	const char *selector; /* JSON object, NULL without selector */
	const char *const *cluster_ips;
	size_t n_cluster_ips;
	const struct inv_service_port *ports;
	size_t n_ports;
};

struct inv_owner {
	const char *uid;
	const char *namespace;
	const char *kind;
	const char *name;
	const char *selector; /* JSON LabelSelector, or NULL */
	const char *owner_kind; /* the controlling ownerReference, or NULL */
	const char *owner_name;
};

struct inventory;

enum inventory_mode {
	INVENTORY_SNAPSHOT, /* a full listing: absence ends things */
	INVENTORY_WATCH,    /* single updates: absence means nothing */
};

/*
 * Starts an import into s at time at (Unix seconds), in one transaction.
 * Returns 0 and an owned session in *ret, or -1 with errmsg.
 */
int inventory_begin(struct store *s, enum inventory_mode mode, int64_t at,
		    struct inventory **ret);

int inventory_put_namespace(struct inventory *inv,
			    const struct inv_namespace *ns);
int inventory_put_node(struct inventory *inv, const struct inv_node *node);
int inventory_put_pod(struct inventory *inv, const struct inv_pod *pod);
int inventory_put_service(struct inventory *inv,
			  const struct inv_service *svc);
int inventory_put_owner(struct inventory *inv, const struct inv_owner *o);

/*
 * An object the import read but does not take, since the API server would
 * never have stored it: in a snapshot, what the store knows of it stays as
 * it is (a pod keeps the addresses it held), its absence from the listing
 * ending nothing.  uid, namespace and name are as the object gave them,
 * any NULL: they only find what to keep.  A watch keeps all anyway.
 */
int inventory_keep_pod(struct inventory *inv, const char *uid,
		       const char *namespace, const char *name);
int inventory_keep_service(struct inventory *inv, const char *namespace,
			   const char *name);

/* What a session did, for the import summary. */
struct inventory_counts {
	size_t namespaces, nodes, pods, services, owners;
	size_t pods_ended; /* pods a snapshot no longer listed */
};

/*
 * Finishes the import: resolves pods' workloads through the owner objects
 * known, in a snapshot ends what is no longer listed, and commits.  Stores
 * what was done in *counts if not NULL.  Frees the session either way.
 * Returns 0, or -1 with errmsg (nothing of the session is kept).
 */
int inventory_commit(struct inventory *inv, struct inventory_counts *counts);

/* Rolls everything back and frees the session.  NULL is a no-op. */
void inventory_abort(struct inventory *inv);

#endif
