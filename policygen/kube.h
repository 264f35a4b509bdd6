/*
 * kube: Kubernetes objects, as kubectl prints them, turned into inventory
 * records: what policygen import does with each object it reads.
 */
#ifndef PODFLOW_KUBE_H
#define PODFLOW_KUBE_H

#include <stdint.h>

#include "podflow/arena.h"
#include "podflow/inventory.h"
#include "podflow/kyaml.h"

/* What an object becomes. */
enum kube_type {
	KUBE_NONE,	/* nothing: a List without items */
	KUBE_OTHER,	/* a kind the inventory does not use: skipped */
	KUBE_NAMESPACE, /* u.namespace */
	KUBE_NODE,	/* u.node */
	KUBE_POD,	/* u.pod */
	KUBE_SERVICE,	/* u.service */
	KUBE_OWNER,	/* u.owner: a Deployment, a Job, ... */
	KUBE_INVALID,	/* u.invalid: well-formed, but refused */
};

/*
 * An object of a kind the inventory uses that the API server would never
 * have stored (a name, a label, an address it refuses): not taken, and
 * what the store knows of it is kept as it is (kube_put()).
 */
struct kube_invalid {
	enum kube_type as; /* what it would have been */
	const char *what;  /* "Pod NAMESPACE/NAME", escaped, for messages */
	const char *why;   /* "SOURCE:LINE:COLUMN: WHAT: problem" */
	/* As the object gave them, to find what to keep; any may be NULL. */
	const char *uid, *namespace, *name;
};

/* One object as an inventory record. */
struct kube_record {
	enum kube_type type;
	const char *kind; /* the object's kind */
	union {
		struct inv_namespace namespace;
		struct inv_node node;
		struct inv_pod pod;
		struct inv_service service;
		struct inv_owner owner;
		struct kube_invalid invalid;
	} u;
};

/*
 * Reads obj (from source, for messages) into *out.  at is the import
 * time, used where the object does not say when something happened.
 * *out points into obj and into scratch memory from a, which the caller
 * resets between objects, once the record is written.  Reading is apart
 * from writing (kube_put()) so that bad input and a failing store are
 * told apart without a third answer.
 *
 * An object the API server would have refused is KUBE_INVALID, the
 * reason in u.invalid.why: one bad Pod leaves the rest of a snapshot
 * good.  Returns 0, or -1 with errmsg "SOURCE:LINE:COLUMN: ..." when obj
 * is no Kubernetes object at all (not a map, no kind) or memory ran out.
 */
int kube_parse(const struct knode *obj, const char *source, int64_t at,
	       struct arena *a, struct kube_record *out);

/*
 * Writes r into inv; nothing for KUBE_NONE and KUBE_OTHER, and for
 * KUBE_INVALID what keeps the store's account of the object as it was.  Returns 0, or
 * -1 with errmsg (the store failed).
 */
int kube_put(struct inventory *inv, const struct kube_record *r);

/*
 * The JSON text of a YAML subtree, map keys sorted, in a.  Labels and
 * selectors are stored this way.  Returns the text, or NULL with errmsg
 * (out of memory).
 */
char *kube_to_json(struct arena *a, const struct knode *n);

#endif
