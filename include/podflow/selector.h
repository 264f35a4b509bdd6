/*
 * selector: Kubernetes label selectors (matchLabels and matchExpressions)
 * and the labels they match, as the API server evaluates them.
 */
#ifndef PODFLOW_SELECTOR_H
#define PODFLOW_SELECTOR_H

#include <stddef.h>

#include "podflow/arena.h"
#include "podflow/kyaml.h"

enum selector_op {
	SEL_IN,
	SEL_NOT_IN,
	SEL_EXISTS,
	SEL_DOES_NOT_EXIST,
};

struct selector_req {
	const char *key;
	enum selector_op op;
	const char *const *values;
	size_t n_values;
};

/*
 * A selector as requirements, all of which must hold (matchLabels become
 * In with one value).  No requirement: selects everything.
 */
struct selector {
	struct selector_req *reqs;
	size_t n;
};

/*
 * Reads a LabelSelector (a map with matchLabels and/or matchExpressions)
 * into *out, allocated from a, keys and values copied: *out does not
 * point into n, which may go once it is read.  Returns 0, or -1 with
 * errmsg naming the line and column (of source) of what is wrong.
 */
int selector_from_node(const struct knode *n, const char *source,
		       struct arena *a, struct selector *out);

/* The same, from the JSON text the store keeps. */
int selector_from_json(const char *json, struct arena *a, struct selector *out);

/*
 * Nonzero when labels (a map of strings, or NULL for none) satisfy every
 * requirement of s.
 */
int selector_matches(const struct selector *s, const struct knode *labels);

#endif
