/*
 * generate_meta: a policy's labels and annotations (see generate_int.h),
 * and the check behind one of them: which other workloads' pods its
 * selector would pick too.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "podflow/errmsg.h"
#include "podflow/grow.h"
#include "podflow/kname.h"
#include "podflow/selector.h"
#include "podflow/store_read.h"
#include "podflow/timefmt.h"
#include "generate_int.h"

#define ANNOTATION(k) "podflow.io/" k
/*
 * The annotations a policy may carry (generate_set_metadata() writes at
 * most 7).
 */
#define MAX_ANNOTATIONS 8

/* One pod of the namespace load_ns_pods() reads, its labels parsed. */
static int add_ns_pod(const struct store_pod_labels *row, void *ctx)
{
	struct gen_ns_pods *c = ctx;
	struct ns_pod *p;

	if (row->workload_kind == NULL || row->workload_name == NULL ||
	    row->labels == NULL || GROW(c->pods, c->cap, c->n + 1) < 0)
		return -1;
	p = &c->pods[c->n++];
	p->kind = arena_strdup(&c->mem, row->workload_kind);
	p->name = arena_strdup(&c->mem, row->workload_name);
	if (p->kind == NULL || p->name == NULL)
		return -1;
	p->labels = NULL;
	p->bad = kyaml_parse_text(row->labels, &c->mem, &p->labels) < 0;
	return 0;
}

/*
 * Reads the pods of namespace ns and parses their labels, unless they are
 * those already read: the workloads come sorted by namespace, so each
 * namespace is read once, not once per workload.
 */
static int load_ns_pods(struct gen_ns_pods *c, struct store *s,
			int64_t since, const char *ns)
{
	if (c->of != NULL && strcmp(c->of, ns) == 0)
		return 0;
	arena_reset(&c->mem);
	c->n = 0;
	c->of = NULL;
	if (store_read_pod_labels(s, ns, since, add_ns_pod, c) < 0 ||
	    (c->of = arena_strdup(&c->mem, ns)) == NULL) {
		c->n = 0;
		return -1;
	}
	return 0;
}

const char *generate_selector_overlap(struct gen_ns_pods *cache,
				      struct store *inventory, int64_t since,
				      struct arena *a, const struct workload *w)
{
	struct arena scratch = ARENA_INIT;
	struct selector sel;
	char list[512] = "";
	const char *out = NULL;

	if (selector_from_json(w->selector, &scratch, &sel) < 0 ||
	    load_ns_pods(cache, inventory, since, w->ns) < 0)
		goto done;
	for (size_t i = 0; i < cache->n; i++) {
		const struct ns_pod *p = &cache->pods[i];
		char who[300];

		if (strcmp(p->kind, w->kind) == 0 &&
		    strcmp(p->name, w->name) == 0)
			continue;
		if (p->bad || !selector_matches(&sel, p->labels))
			continue;
		snprintf(who, sizeof(who), "%s/%s", p->kind, p->name);
		if (strstr(list, who) != NULL)
			continue;
		if (list[0])
			strncat(list, ", ", sizeof(list) - strlen(list) - 1);
		strncat(list, who, sizeof(list) - strlen(list) - 1);
	}
	if (list[0])
		out = arena_strdup(a, list);
done:
	arena_reset(&scratch);
	return out;
}

void generate_ns_pods_free(struct gen_ns_pods *cache)
{
	free(cache->pods);
	cache->pods = NULL;
	cache->n = cache->cap = 0;
	cache->of = NULL;
	arena_reset(&cache->mem);
}

/*
 * A workload that talks all the time to the same peers has nothing left
 * to learn: what says it is still learning is a new entry, not a new
 * flow.
 */
enum generate_state generate_state_of(const struct generate_opts *o,
				      const struct workload *w)
{
	if (w->flows == 0)
		return GENERATE_SILENT;
	return w->newest.key != NULL &&
			       w->newest.first_ever > o->now - o->stable_after
		       ? GENERATE_LEARNING
		       : GENERATE_STABLE;
}

/*
 * The newest entry as the annotation tells it: when it was first
 * recorded, its direction, peer, port and protocol.  A peer workload no
 * policy could name (a store from before import checked names) is named
 * escaped, as messages name it: its names may be anything, and YAML
 * takes only UTF-8.  In a; NULL when out of memory.
 */
static const char *newest_text(struct arena *a, const struct entry *e)
{
	char t[TIMEFMT_LEN], text[800], esc[KNAME_QUOTE_MAX];
	const char *peer = e->desc;

	if (e->peer_w != NULL && e->peer_w->invalid != NULL)
		peer = kname_escape(esc, e->desc, strlen(e->desc));
	snprintf(text, sizeof(text), "%s %s %s %d/%s",
		 timefmt_format(e->first_ever, t),
		 e->egress ? "egress" : "ingress", peer, e->port, e->protocol);
	return arena_strdup(a, text);
}

int generate_set_metadata(struct arena *a, const struct generate_opts *o,
			  const struct workload *w, const char *overlap,
			  struct netpol *p)
{
	char window[2 * TIMEFMT_LEN + 2], t1[TIMEFMT_LEN], t2[TIMEFMT_LEN],
		conns[24], who[300];
	int64_t from = o->since ? o->since : w->first;
	int64_t to = o->until < o->now ? o->until : o->now;
	const char *status = generate_state_name(generate_state_of(o, w));
	size_t n = 0;

	p->labels = arena_alloc(a, sizeof(*p->labels));
	p->annotations = arena_alloc(a, MAX_ANNOTATIONS * sizeof(*p->annotations));
	if (p->labels == NULL || p->annotations == NULL)
		goto oom;
	p->labels[0] = (struct netpol_kv){ "app.kubernetes.io/managed-by",
					   "podflow" };
	p->n_labels = 1;
	snprintf(window, sizeof(window), "%s/%s",
		 from ? timefmt_format(from, t1) : "-", timefmt_format(to, t2));
	snprintf(conns, sizeof(conns), "%lld", (long long)w->conns);
	snprintf(who, sizeof(who), "%s/%s", w->kind, w->name);
	p->annotations[n++] = (struct netpol_kv){ ANNOTATION("workload"),
						  arena_strdup(a, who) };
	p->annotations[n++] = (struct netpol_kv){ ANNOTATION("window"),
						  arena_strdup(a, window) };
	p->annotations[n++] = (struct netpol_kv){ ANNOTATION("connections"),
						  arena_strdup(a, conns) };
	p->annotations[n++] = (struct netpol_kv){ ANNOTATION("status"), status };
	if (w->newest.key != NULL) {
		const char *newest = newest_text(a, &w->newest);

		if (newest == NULL)
			goto oom;
		p->annotations[n++] = (struct netpol_kv){
			ANNOTATION("newest-entry"), newest
		};
	}
	p->annotations[n++] = (struct netpol_kv){
		ANNOTATION("selector-source"),
		strcmp(w->source, "owner") == 0 ? "owner spec.selector"
						: "labels shared by its pods"
	};
	if (overlap != NULL)
		p->annotations[n++] = (struct netpol_kv){
			ANNOTATION("selector-also-selects"), overlap
		};
	p->n_annotations = n;
	return 0;
oom:
	errmsg_set("out of memory");
	return -1;
}
