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

enum kube_result {
	KUBE_FAILED = -2,  /* the store failed; errmsg says why */
	KUBE_ERROR = -1,   /* bad input; errmsg: "SOURCE:LINE:COLUMN: ..." */
	KUBE_IMPORTED = 0,
	KUBE_SKIPPED = 1, /* a kind the inventory does not use */
};

/*
 * Writes obj (from source, for messages) into inv.  at is the import time,
 * used where the object does not say when something happened.  Scratch
 * memory comes from a, which the caller resets between objects.
 */
enum kube_result kube_import(struct inventory *inv, const struct knode *obj,
			     const char *source, int64_t at, struct arena *a);

/*
 * The JSON text of a YAML subtree, map keys sorted, in a.  Labels and
 * selectors are stored this way.  NULL when out of memory.
 */
char *kube_to_json(struct arena *a, const struct knode *n);

#endif
