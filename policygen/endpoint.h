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
 * outlive it).  Returns 0 and an owned handle in *ret (free with
 * endpoints_close()), or -1 with errmsg.
 */
int endpoints_open(struct store *s, struct endpoints **ret);

/* NULL is a no-op. */
void endpoints_close(struct endpoints *e);

/*
 * The pod with this uid, its address set to ip (text, or NULL for none).
 * The result's pointers stay valid until endpoints_close().  A lookup
 * that may find nothing (errmsg.h): returns 1 when found, 0 when no such
 * pod is known (*out is then the bare address), or -1 with errmsg (out
 * of memory, the database, ip not an address).
 */
int endpoints_pod(struct endpoints *e, const char *uid, const char *ip,
		  struct endpoint *out);

/*
 * A node by name, its address set to ip (text, or NULL for none): any
 * name is a node, so nothing is not found.  The result's pointers stay
 * valid until endpoints_close().  Returns 0, or -1 with errmsg (out of
 * memory, ip not an address).
 */
int endpoints_node(struct endpoints *e, const char *node, const char *ip,
		   struct endpoint *out);

/*
 * Whoever has address ip: the pod that holds it now (or last did), the
 * node it belongs to, or nobody in the cluster (*out is then the bare
 * address: an answer, not a failure).  The result's pointers stay valid
 * until endpoints_close().  Returns 0, or -1 with errmsg (ip not an
 * address, the database).
 */
int endpoints_address(struct endpoints *e, const char *ip,
		      struct endpoint *out);

/*
 * The canonical kind of workload ns/name: of kind (compared without case)
 * when it is not NULL, else the only kind of that name.  *out is valid
 * until endpoints_close().  The workload is one a person named, so its
 * absence is an error: returns 0, or -1 with errmsg (no such workload;
 * several kinds of that name, all named; the database).
 */
int endpoints_kind(struct endpoints *e, const char *ns, const char *kind,
		   const char *name, const char **out);

/*
 * The pods of a workload (kind as for endpoints_kind()): the running
 * pods, or when none runs, the last one seen.  Read once; *out is owned
 * by e and valid until endpoints_close().  As endpoints_kind(), absence
 * is an error: returns 0, or -1 with errmsg (no such workload, the
 * database).
 */
int endpoints_workload(struct endpoints *e, const char *ns, const char *kind,
		       const char *name, const struct endpoint **out,
		       size_t *n);

#endif
