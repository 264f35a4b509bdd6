/*
 * endpoint: the ends of a connection as the policy evaluator sees them
 * (verdict.h), looked up in a database's inventory: a pod with its
 * labels, its namespace's labels, its node and named ports; a node; or
 * an address outside the cluster.
 */
#ifndef PODFLOW_ENDPOINT_H
#define PODFLOW_ENDPOINT_H

#include <stddef.h>

#include "podflow/store.h"
#include "podflow/verdict.h"

struct endpoint {
	struct verdict_end end;
	/* "ns/Kind/name" for a pod, "node/NAME" for a node, else the address */
	const char *name;
};

struct endpoints;

/*
 * A lookup over the inventory of s (which stays the caller's and must
 * outlive it).  Returns 0 and an owned handle in *ret, or -1 with errmsg.
 */
int endpoints_open(struct store *s, struct endpoints **ret);

void endpoints_close(struct endpoints *e);

/*
 * The pod with this uid, its address set to ip (text).  The result's
 * pointers stay valid until endpoints_close().  Returns 0, 1 when no such
 * pod is known (*out is then the bare address), or -1 with errmsg.
 */
int endpoints_pod(struct endpoints *e, const char *uid, const char *ip,
		  struct endpoint *out);

/* A node's address. */
int endpoints_node(struct endpoints *e, const char *node, const char *ip,
		   struct endpoint *out);

/*
 * Whoever has address ip: the pod that holds it now (or last did), the
 * node it belongs to, or nobody in the cluster.  Returns 0, or -1 with
 * errmsg (ip not an address).
 */
int endpoints_address(struct endpoints *e, const char *ip,
		      struct endpoint *out);

/*
 * The canonical kind of workload ns/name: of kind (compared without case)
 * when it is not NULL, else the only kind of that name, an error naming
 * them all when there are several.  *out is valid until endpoints_close().
 * Returns 0, or -1 with errmsg (no such workload).
 */
int endpoints_kind(struct endpoints *e, const char *ns, const char *kind,
		   const char *name, const char **out);

/*
 * The pods of a workload (kind as for endpoints_kind()): the running
 * pods, or when none runs, the last one seen.  Read once; *out is owned
 * by e and valid until endpoints_close().  Returns 0, or -1 with errmsg
 * (no such workload).
 */
int endpoints_workload(struct endpoints *e, const char *ns, const char *kind,
		       const char *name, const struct endpoint **out,
		       size_t *n);

#endif
