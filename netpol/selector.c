/*
 * selector: parsing and evaluating label selectors (selector.h).
 */
#include <stdio.h>
#include <string.h>

#include "podflow/errmsg.h"
#include "podflow/selector.h"

static int bad(const char *source, const struct knode *n, const char *what)
{
	errmsg_set_at(source, n->line, n->column, "%s", what);
	return -1;
}

static int parse_op(const char *s, enum selector_op *op)
{
	static const struct {
		const char *name;
		enum selector_op op;
	} ops[] = {
		{ "In", SEL_IN },
		{ "NotIn", SEL_NOT_IN },
		{ "Exists", SEL_EXISTS },
		{ "DoesNotExist", SEL_DOES_NOT_EXIST },
	};

	for (size_t i = 0; s && i < sizeof(ops) / sizeof(ops[0]); i++)
		if (strcmp(s, ops[i].name) == 0) {
			*op = ops[i].op;
			return 0;
		}
	return -1;
}

static int parse_expression(const struct knode *e, const char *source,
			    struct arena *a, struct selector_req *r)
{
	const struct knode *vals = knode_at(e, "values");
	const char **list, *key;

	if (e->type != KNODE_MAP)
		return bad(source, e, "a matchExpressions item must be a map");
	key = knode_str(e, "key");
	if (key == NULL || key[0] == '\0')
		return bad(source, e, "matchExpressions: missing key");
	if ((r->key = arena_strdup(a, key)) == NULL)
		return bad(source, e, "out of memory");
	if (parse_op(knode_str(e, "operator"), &r->op) < 0)
		return bad(source, e,
			   "matchExpressions: operator must be In, NotIn, "
			   "Exists or DoesNotExist");
	r->values = NULL;
	r->n_values = 0;
	if (vals != NULL && vals->type == KNODE_SEQ && vals->n > 0) {
		list = arena_alloc(a, vals->n * sizeof(*list));
		if (list == NULL)
			return bad(source, e, "out of memory");
		for (size_t i = 0; i < vals->n; i++) {
			if (vals->items[i]->type != KNODE_SCALAR ||
			    vals->items[i]->value == NULL)
				return bad(source, vals->items[i],
					   "matchExpressions: values must be "
					   "strings");
			list[i] = arena_strdup(a, vals->items[i]->value);
			if (list[i] == NULL)
				return bad(source, e, "out of memory");
		}
		r->values = list;
		r->n_values = vals->n;
	} else if (vals != NULL && vals->type != KNODE_SEQ &&
		   !knode_is_null(vals)) {
		return bad(source, vals, "matchExpressions: values must be a list");
	}
	/* The API server's rule: In/NotIn need values, the others none. */
	if ((r->op == SEL_IN || r->op == SEL_NOT_IN) && r->n_values == 0)
		return bad(source, e,
			   "matchExpressions: In and NotIn need values");
	if ((r->op == SEL_EXISTS || r->op == SEL_DOES_NOT_EXIST) &&
	    r->n_values > 0)
		return bad(source, e,
			   "matchExpressions: Exists and DoesNotExist take no "
			   "values");
	return 0;
}

int selector_from_node(const struct knode *n, const char *source,
		       struct arena *a, struct selector *out)
{
	const struct knode *ml, *me;
	size_t cap = 0;

	memset(out, 0, sizeof(*out));
	if (knode_is_null(n))
		return 0;
	if (n->type != KNODE_MAP)
		return bad(source, n, "a label selector must be a map");
	ml = knode_at(n, "matchLabels");
	me = knode_at(n, "matchExpressions");
	if (ml != NULL && ml->type == KNODE_MAP)
		cap += ml->n;
	else if (!knode_is_null(ml))
		return bad(source, ml, "matchLabels must be a map");
	if (me != NULL && me->type == KNODE_SEQ)
		cap += me->n;
	else if (!knode_is_null(me))
		return bad(source, me, "matchExpressions must be a list");
	if (cap == 0)
		return 0;
	out->reqs = arena_alloc(a, cap * sizeof(*out->reqs));
	if (out->reqs == NULL)
		return bad(source, n, "out of memory");
	for (size_t i = 0; ml && ml->type == KNODE_MAP && i < ml->n; i++) {
		struct selector_req *r = &out->reqs[out->n++];
		const char **v = arena_alloc(a, sizeof(*v));

		if (ml->items[i]->type != KNODE_SCALAR ||
		    ml->items[i]->value == NULL)
			return bad(source, ml->items[i],
				   "matchLabels values must be strings");
		if (v == NULL ||
		    (v[0] = arena_strdup(a, ml->items[i]->value)) == NULL ||
		    (r->key = arena_strdup(a, ml->keys[i]->value)) == NULL)
			return bad(source, n, "out of memory");
		r->op = SEL_IN;
		r->values = v;
		r->n_values = 1;
	}
	for (size_t i = 0; me && me->type == KNODE_SEQ && i < me->n; i++)
		if (parse_expression(me->items[i], source, a,
				     &out->reqs[out->n++]) < 0)
			return -1;
	return 0;
}

int selector_from_json(const char *json, struct arena *a, struct selector *out)
{
	struct arena tree = ARENA_INIT;
	const struct knode *n;
	int rc = -1;

	/* The selector keeps copies: the tree goes once it is read. */
	if (kyaml_parse_text(json, &tree, &n) == 0)
		rc = selector_from_node(n, "selector", a, out);
	arena_reset(&tree);
	return rc;
}

static int has_value(const struct selector_req *r, const char *v)
{
	for (size_t i = 0; i < r->n_values; i++)
		if (strcmp(r->values[i], v) == 0)
			return 1;
	return 0;
}

int selector_matches(const struct selector *s, const struct knode *labels)
{
	for (size_t i = 0; i < s->n; i++) {
		const struct selector_req *r = &s->reqs[i];
		const char *v = NULL;
		int present = 0;

		for (size_t j = 0;
		     labels && labels->type == KNODE_MAP && j < labels->n; j++)
			if (strcmp(labels->keys[j]->value, r->key) == 0) {
				present = 1;
				v = labels->items[j]->value;
				break;
			}
		switch (r->op) {
		case SEL_IN:
			if (!present || v == NULL || !has_value(r, v))
				return 0;
			break;
		case SEL_NOT_IN:
			/* NotIn also matches pods without the label. */
			if (present && v != NULL && has_value(r, v))
				return 0;
			break;
		case SEL_EXISTS:
			if (!present)
				return 0;
			break;
		case SEL_DOES_NOT_EXIST:
			if (present)
				return 0;
			break;
		}
	}
	return 1;
}
