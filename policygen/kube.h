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
	} u;
};

/*
 * Reads obj (from source, for messages) into *out.  at is the import
 * time, used where the object does not say when something happened.
 * *out points into obj and into scratch memory from a, which the caller
 * resets between objects, once the record is written.  Reading is apart
 * from writing (kube_put()) so that bad input and a failing store are
 * told apart without a third answer.  Returns 0, or -1 with errmsg
 * "SOURCE:LINE:COLUMN: KIND: ..." (bad input; out of memory).
 */
int kube_parse(const struct knode *obj, const char *source, int64_t at,
	       struct arena *a, struct kube_record *out);

/*
 * Writes r into inv; nothing for KUBE_NONE and KUBE_OTHER.  Returns 0, or
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
