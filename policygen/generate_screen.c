/*
 * generate_screen: what becomes of each proposed rule peer (see
 * generate_int.h).  Every entry of a workload is recorded as a proposal
 * with its evidence; the review decisions and the policies already
 * applied decide whether the generated policy must allow it; --explain
 * says so, entry by entry.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "podflow/count.h"
#include "podflow/errmsg.h"
#include "podflow/grow.h"
#include "podflow/timefmt.h"
#include "podflow/verdict.h"
#include "generate_int.h"

/* Warn about a workload reaching this many addresses on one port. */
#define CHURN_THRESHOLD 8

/* The databases an entry came from, by file name. */
static void entry_dbs(struct store *const *stores, size_t n_stores,
		      const struct entry *e, char *buf, size_t len)
{
	buf[0] = '\0';
	for (size_t i = 0; i < n_stores && i < 64; i++) {
		const char *name = store_filename(stores[i]);
		const char *base = strrchr(name, '/');

		if (!(e->dbs & (1ULL << i)))
			continue;
		if (buf[0])
			strncat(buf, ",", len - strlen(buf) - 1);
		strncat(buf, base ? base + 1 : name, len - strlen(buf) - 1);
	}
}

static const char *status_text(const struct generate_proposal *p, char *buf,
			       size_t len)
{
	if (p->existing)
		return "already allowed";
	if (p->decision == REVIEW_PENDING)
		return "pending review";
	snprintf(buf, len, "%s by %s%s%s",
		 p->decision == REVIEW_ACCEPTED ? "accepted" : "rejected",
		 p->review->by, p->review->reason ? ": " : "",
		 p->review->reason ? p->review->reason : "");
	return buf;
}

/* The evidence behind each proposed rule peer, and what became of it. */
static void explain(const struct gen *g, const struct workload *w,
		    const char *name, const struct entry *e,
		    const struct generate_proposal *p, size_t n)
{
	char t1[TIMEFMT_LEN], t2[TIMEFMT_LEN], dbs[256], status[600];

	generate_diagf(g->diag, GENERATE_EXPLAIN, "# %s/%s (%s/%s)", w->ns,
		       name, w->kind, w->name);
	if (n == 0)
		generate_diagf(g->diag, GENERATE_EXPLAIN,
			       "  no rule from the flows of the window");
	for (size_t i = 0; i < n; i++) {
		entry_dbs(g->stores, g->n_stores, &e[i], dbs, sizeof(dbs));
		generate_diagf(g->diag, GENERATE_EXPLAIN,
			       "  %-7s %-40s %5d/%-4s %8lld conns  %s .. %s  "
			       "%s%s%s  [%s]",
			       e[i].egress ? "egress" : "ingress", e[i].desc,
			       e[i].port, e[i].protocol, (long long)e[i].conns,
			       timefmt_format(e[i].first, t1),
			       timefmt_format(e[i].last, t2), dbs,
			       e[i].service ? "  via " : "",
			       e[i].service ? e[i].service : "",
			       status_text(&p[i], status, sizeof(status)));
	}
}

void generate_warn_churn(const struct workload *w,
			 const struct generate_diag *d)
{
	for (size_t i = 0; i < w->n; i++) {
		size_t count = 0;

		if (!w->e[i].external || !w->e[i].egress)
			continue;
		for (size_t j = 0; j < w->n; j++)
			if (w->e[j].external && w->e[j].egress &&
			    w->e[j].port == w->e[i].port &&
			    strcmp(w->e[j].protocol, w->e[i].protocol) == 0)
				count++;
		if (count >= CHURN_THRESHOLD) {
			generate_diagf(d, GENERATE_WARNING,
				       "%s/%s/%s reaches %zu outside addresses "
				       "on %d/%s: their set may change "
				       "tomorrow; consider --external-prefix",
				       w->ns, w->kind, w->name, count,
				       w->e[i].port, w->e[i].protocol);
			return;
		}
	}
}

/* A proposed rule peer as the review decisions name it. */
static void entry_subject(const struct workload *w, const struct entry *e,
			  struct review_subject *s)
{
	memset(s, 0, sizeof(*s));
	s->ns = w->ns;
	s->kind = w->kind;
	s->name = w->name;
	s->egress = e->egress;
	s->port = e->port;
	s->protocol = e->protocol;
	if (e->peer_w != NULL) {
		s->peer.type = REVIEW_PEER_WORKLOAD;
		s->peer.ns = e->peer_w->ns;
		s->peer.kind = e->peer_w->kind;
		s->peer.name = e->peer_w->name;
		return;
	}
	s->peer.type = e->node ? REVIEW_PEER_NODE : REVIEW_PEER_CIDR;
	if (cidr_parse(e->peer.cidr, &s->peer.cidr) < 0)
		s->peer.type = REVIEW_PEER_NODE; /* cannot happen: made here */
}

/*
 * The other end of an entry: a workload's pods (owned by ep), or whoever
 * holds its (first) address, in *one.
 */
static int peer_ends(struct endpoints *ep, const struct entry *e,
		     struct endpoint *one, const struct endpoint **out,
		     size_t *n)
{
	struct cidr c;
	char ip[ADDR_STRLEN];

	if (e->peer_w != NULL)
		return endpoints_workload(ep, e->peer_w->ns, e->peer_w->kind,
					  e->peer_w->name, out, n);
	if (cidr_parse(e->peer.cidr, &c) < 0 ||
	    endpoints_address(ep, addr_format(&c.net, ip), one) < 0)
		return -1;
	*out = one;
	*n = 1;
	return 0;
}

/*
 * Whether the existing policies already allow entry e of a workload whose
 * pods are own[]: at every pod, on the side the entry is about.
 */
static int existing_allows(struct gen_screen *sc, const struct entry *e,
			   const struct endpoint *own, size_t n_own)
{
	const struct endpoint *peer = NULL;
	struct endpoint one;
	size_t n_peer = 0;
	int allowed = 1;
	struct cidr c;

	/* An aggregated prefix stands for addresses not all seen: kept. */
	if (e->peer_w == NULL && cidr_parse(e->peer.cidr, &c) == 0 &&
	    c.len < (c.net.family == AF_INET ? 32 : 128))
		return 0;
	if (peer_ends(sc->ep, e, &one, &peer, &n_peer) < 0)
		return -1;
	for (size_t i = 0; allowed && i < n_own; i++)
		for (size_t j = 0; allowed && j < n_peer; j++) {
			struct verdict v;

			/*
			 * Only a rule counts: the generated policy isolates
			 * every pod, and a pod's own node changes when it
			 * moves.
			 */
			if (e->egress) {
				verdict_eval(&sc->existing, &own[i].end,
					     &peer[j].end, e->port, e->protocol,
					     &v);
				allowed = v.egress.reason == VERDICT_RULE;
			} else {
				verdict_eval(&sc->existing, &peer[j].end,
					     &own[i].end, e->port, e->protocol,
					     &v);
				allowed = v.ingress.reason == VERDICT_RULE;
			}
		}
	return allowed && n_peer > 0;
}

/*
 * Which directions the existing policies isolate w's pods for (isolated[0]
 * ingress, [1] egress): there, what they allow need not be repeated.
 */
static int existing_isolation(struct gen_screen *sc, const struct workload *w,
			      const struct generate_diag *d,
			      const struct endpoint **own, size_t *n_own,
			      int isolated[2])
{
	isolated[0] = isolated[1] = 0;
	*own = NULL;
	*n_own = 0;
	if (sc->existing.n == 0)
		return 0;
	if (endpoints_workload(sc->ep, w->ns, w->kind, w->name, own, n_own) < 0)
		return -1;
	for (int egress = 0; egress < 2; egress++) {
		const struct polset_policy *first = NULL;
		size_t n = 0;

		for (size_t i = 0; i < *n_own; i++)
			n += verdict_isolating(&sc->existing, &(*own)[i].end,
					       egress, &first) > 0;
		/* Some pods only: the others still need every rule. */
		isolated[egress] = n > 0 && n == *n_own;
		if (n > 0)
			generate_diagf(d, GENERATE_NOTE,
				       "%s/%s/%s is already selected for %s by "
				       "%s/%s (%s:%d): only what it does not "
				       "allow is added",
				       w->ns, w->kind, w->name,
				       egress ? "egress" : "ingress",
				       first->namespace, first->name,
				       first->source, first->line);
	}
	return 0;
}

/* The proposal of entry e of w, with its review decision. */
static void propose(const struct generate_opts *o, const struct workload *w,
		    const struct entry *e, struct generate_proposal *p)
{
	struct review_subject subject;

	entry_subject(w, e, &subject);
	*p = (struct generate_proposal){
		.ns = w->ns, .kind = w->kind, .name = w->name,
		.egress = e->egress, .peer = e->desc,
		.protocol = e->protocol, .port = e->port,
		.conns = e->conns, .first = e->first, .last = e->last,
		.first_ever = e->first_ever, .service = e->service,
	};
	if (o->review != NULL)
		p->review = review_match(o->review, &subject);
	p->decision = p->review ? p->review->decision : REVIEW_PENDING;
	/*
	 * A Service's ClusterIP before DNAT opens the way to its backend:
	 * it follows the backend's decision, a rejection above all, unless
	 * decided itself.
	 */
	if (e->dnat && o->review != NULL) {
		const struct review_rule *backend;

		if (e->dnat_of != NULL) {
			subject.peer = (struct review_peer){
				.type = REVIEW_PEER_WORKLOAD,
				.ns = e->dnat_of->ns,
				.kind = e->dnat_of->kind,
				.name = e->dnat_of->name,
			};
		} else {
			/* A node's address, as entry_subject() names it. */
			subject.peer = (struct review_peer){
				.type = e->dnat_node ? REVIEW_PEER_NODE
						     : REVIEW_PEER_CIDR,
			};
			/* A backend of no known kind: nothing to follow. */
			if (e->dnat_cidr == NULL ||
			    cidr_parse(e->dnat_cidr, &subject.peer.cidr) < 0)
				return;
		}
		subject.port = e->dnat_port;
		backend = review_match(o->review, &subject);
		if (backend != NULL &&
		    (backend->decision == REVIEW_REJECTED || p->review == NULL)) {
			p->review = backend;
			p->decision = backend->decision;
		}
	}
}

/*
 * A ClusterIP's entries of w (one per backend, next to each other in
 * order) and their proposals props[] become one: the ClusterIP opens the
 * way to every backend behind it, so it is emitted only when no backend's
 * decision keeps it out (rejected, or not accepted with --reviewed-only),
 * and that decision is the one it shows; its counts are theirs summed.
 * Returns the proposals left (w->n).
 */
static size_t dnat_fold(const struct generate_opts *o, struct workload *w,
			struct generate_proposal *props)
{
	size_t i = 0, j, out = 0;

	for (; i < w->n; i = j) {
		struct generate_proposal *p = &props[out];
		const struct generate_proposal *keep_out = NULL;
		int emitted = 0, existing = 1;

		for (j = i + 1; w->e[i].dnat && j < w->n && w->e[j].dnat &&
				w->e[j].egress == w->e[i].egress &&
				w->e[j].key == w->e[i].key &&
				w->e[j].port == w->e[i].port &&
				strcmp(w->e[j].protocol, w->e[i].protocol) == 0;
		     j++)
			;
		w->e[out] = w->e[i];
		*p = props[i];
		out++;
		if (j == i + 1)
			continue;
		for (size_t k = i; k < j; k++) {
			const struct generate_proposal *q = &props[k];

			if (keep_out == NULL &&
			    (q->decision == REVIEW_REJECTED ||
			     (o->reviewed_only &&
			      q->decision != REVIEW_ACCEPTED)))
				keep_out = q;
			emitted |= q->emitted;
			existing &= q->existing;
			if (k == i)
				continue;
			p->conns = count_add(p->conns, q->conns);
			if (q->first < p->first)
				p->first = q->first;
			if (q->first_ever < p->first_ever)
				p->first_ever = q->first_ever;
			if (q->last > p->last)
				p->last = q->last;
		}
		if (keep_out != NULL) {
			p->decision = keep_out->decision;
			p->review = keep_out->review;
		}
		p->existing = existing;
		p->emitted = emitted && keep_out == NULL;
	}
	return w->n = out;
}

/*
 * The proposals of w are kept: not rejected, accepted when only reviewed
 * peers are wanted, not already allowed by the existing policies.
 */
int generate_screen_entries(struct gen *g, struct workload *w,
			    const char *name, int isolated[2])
{
	struct gen_screen *sc = &g->screen;
	const struct endpoint *own = NULL;
	size_t n_own = 0, kept = 0, first = sc->n_props;

	if (existing_isolation(sc, w, g->diag, &own, &n_own, isolated) < 0)
		return -1;
	for (size_t i = 0; i < w->n; i++) {
		struct generate_proposal *p;
		int allowed = 0;

		if (GROW(sc->props, sc->cap_props, sc->n_props + 1) < 0)
			return -1;
		p = &sc->props[sc->n_props++];
		propose(g->o, w, &w->e[i], p);
		if (sc->existing.n > 0 && n_own > 0 &&
		    (allowed = existing_allows(sc, &w->e[i], own, n_own)) < 0)
			return -1;
		p->existing = allowed;
		p->emitted = !allowed && p->decision != REVIEW_REJECTED &&
			     (!g->o->reviewed_only ||
			      p->decision == REVIEW_ACCEPTED);
	}
	sc->n_props = first + dnat_fold(g->o, w, sc->props + first);
	if (g->o->explain)
		explain(g, w, name, w->e, sc->props + first, w->n);
	for (size_t i = 0; i < w->n; i++)
		if (sc->props[first + i].emitted)
			w->e[kept++] = w->e[i];
	w->n = kept;
	return 0;
}

/* Adds key to the set out. */
static int add_name(struct strmap *out, const char *key)
{
	struct strmap_slot *slot = strmap_slot(out, key);

	if (slot == NULL)
		return -1;
	slot->value = slot; /* present */
	return 0;
}

/*
 * The "ns/name" of every policy this run writes, into *out: the workloads
 * that get one (see generate_policies()), and the namespaces' default deny.
 */
static int emitted_names(const struct gen *g, struct strmap *out)
{
	char key[600];

	for (size_t i = 0; i < g->inv.n_w; i++) {
		const struct workload *w = &g->inv.w[i];
		const char *name;

		if (!w->in_scope)
			continue;
		if (g->o->namespace_default_deny) {
			snprintf(key, sizeof(key), "%s/podflow-default-deny",
				 w->ns);
			if (add_name(out, key) < 0)
				return -1;
		}
		if (w->host_network || w->selector == NULL ||
		    (w->flows == 0 && !g->o->include_silent))
			continue;
		name = generate_policy_name(g->pool.a, w->kind, w->name);
		if (name == NULL)
			return -1;
		snprintf(key, sizeof(key), "%s/%s", w->ns, name);
		if (add_name(out, key) < 0)
			return -1;
	}
	return 0;
}

/*
 * An earlier podflow policy of the same name is what the new one is
 * applied over, so what it allowed is no reason to leave anything out.
 * The set borrows the policies of opts->existing; only its array is g's.
 */
int generate_leave_out_replaced(struct gen *g)
{
	const struct polset *in = g->o->existing;
	struct polset *kept = &g->screen.existing;
	struct strmap emitted = STRMAP_INIT;
	char key[600];

	kept->policies = malloc((in->n ? in->n : 1) * sizeof(*kept->policies));
	if (kept->policies == NULL || emitted_names(g, &emitted) < 0) {
		strmap_free(&emitted);
		errmsg_set("out of memory");
		return -1;
	}
	for (size_t i = 0; i < in->n; i++) {
		const struct polset_policy *p = &in->policies[i];

		snprintf(key, sizeof(key), "%s/%s", p->namespace, p->name);
		if (strmap_get(&emitted, key) != NULL) {
			generate_diagf(g->diag, GENERATE_NOTE,
				       "existing %s/%s (%s:%d) is replaced by "
				       "the generated policy of that name: not "
				       "taken into account",
				       p->namespace, p->name, p->source,
				       p->line);
			continue;
		}
		kept->policies[kept->n++] = *p;
	}
	strmap_free(&emitted);
	return 0;
}
