/*
 * review: decisions on proposed rules, read, matched, recorded and
 * cleared (review.h); the store keeps them (store_read.h:
 * store_read_reviews(), store_replace_reviews()).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "podflow/errmsg.h"
#include "podflow/grow.h"
#include "podflow/store_read.h"
#include "review.h"
#include "scope.h"

static const char *dup(struct arena *a, const char *v)
{
	return v ? arena_strdup(a, v) : NULL;
}

/* The decision of row v into *r, its strings in mem. */
static int read_rule(struct arena *mem, struct store *s,
		     const struct store_review *v, struct review_rule *r)
{
	memset(r, 0, sizeof(*r));
	r->ns = dup(mem, v->namespace);
	r->kind = dup(mem, v->kind);
	r->name = dup(mem, v->name);
	r->egress = v->direction != NULL && strcmp(v->direction, "egress") == 0;
	r->port = v->port;
	if (r->port > 0)
		r->protocol = dup(mem, v->protocol);
	r->decision = v->decision && strcmp(v->decision, "rejected") == 0
			      ? REVIEW_REJECTED
			      : REVIEW_ACCEPTED;
	r->reason = dup(mem, v->reason);
	r->by = dup(mem, v->decided_by);
	r->at = v->decided_at;
	if (r->ns == NULL || r->kind == NULL || r->name == NULL ||
	    (r->port > 0 && r->protocol == NULL)) {
		errmsg_set("out of memory");
		return -1;
	}
	if (v->peer == NULL ||
	    review_parse_peer(v->peer, mem, &r->peer) < 0) {
		errmsg_prefix("%s: review of %s/%s/%s", store_filename(s),
			      r->ns, r->kind, r->name);
		return -1;
	}
	/* review accept/reject store the kind; a hand-made row may lack it. */
	if (r->peer.type == REVIEW_PEER_WORKLOAD && r->peer.kind == NULL) {
		errmsg_set("%s: review of %s/%s/%s: peer '%s' is not "
			   "NS/KIND/NAME",
			   store_filename(s), r->ns, r->kind, r->name, v->peer);
		return -1;
	}
	return 0;
}

/* The set review_load() reads into, and where from. */
struct rules_read {
	struct review_set *set;
	struct store *s;
	size_t cap;
};

static int add_rule(const struct store_review *v, void *ctx)
{
	struct rules_read *rr = ctx;
	struct review_set *set = rr->set;

	if (GROW(set->rules, rr->cap, set->n + 1) < 0 ||
	    read_rule(&set->mem, rr->s, v, &set->rules[set->n]) < 0)
		return -1;
	set->n++;
	return 0;
}

int review_load(struct store *s, struct review_set *out)
{
	struct rules_read rr = { out, s, 0 };

	memset(out, 0, sizeof(*out));
	if (store_read_reviews(s, add_rule, &rr) < 0) {
		review_set_free(out);
		return -1;
	}
	return 0;
}

void review_set_free(struct review_set *set)
{
	free(set->rules);
	arena_reset(&set->mem);
	set->rules = NULL;
	set->n = 0;
}

/*
 * How specifically r's peer covers s's: -1 not at all; more is more
 * specific.  s is a proposed rule peer (a workload, a node address or
 * another address) or the peer of another decision (any type).
 */
static int peer_rank(const struct review_peer *r, const struct review_peer *s)
{
	switch (r->type) {
	case REVIEW_PEER_WORKLOAD:
		return s->type == REVIEW_PEER_WORKLOAD &&
				       strcmp(r->ns, s->ns) == 0 &&
				       strcasecmp(r->kind, s->kind) == 0 &&
				       strcmp(r->name, s->name) == 0
			       ? 300
			       : -1;
	case REVIEW_PEER_NAMESPACE:
		/* Its workloads, and the namespace itself. */
		return (s->type == REVIEW_PEER_WORKLOAD ||
			s->type == REVIEW_PEER_NAMESPACE) &&
				       strcmp(r->ns, s->ns) == 0
			       ? 200
			       : -1;
	case REVIEW_PEER_NODE:
		return s->type == REVIEW_PEER_NODE ? 300 : -1;
	case REVIEW_PEER_CIDR:
		/*
		 * A node's address is also an address.  A node decision has
		 * none (family 0): which addresses it stands for changes with
		 * the nodes, so no CIDR covers it.
		 */
		if (s->type != REVIEW_PEER_CIDR && s->type != REVIEW_PEER_NODE)
			return -1;
		return s->cidr.net.family == r->cidr.net.family &&
				       s->cidr.len >= r->cidr.len &&
				       cidr_contains(&r->cidr, &s->cidr.net)
			       ? r->cidr.len
			       : -1;
	}
	return -1;
}

/*
 * How specifically decision r covers s: -1 not at all; more is more
 * specific.  The one definition of coverage: review_match() ranks the
 * decisions on a proposed rule peer by it, review_covers() asks it of
 * another decision's scope.  A port (with its protocol) ranks above
 * every peer, so that a decision on one port beats one on all ports
 * whatever their peers.
 */
static int rule_rank(const struct review_rule *r,
		     const struct review_subject *s)
{
	int rank;

	if (r->egress != s->egress || strcmp(r->ns, s->ns) != 0 ||
	    strcasecmp(r->kind, s->kind) != 0 || strcmp(r->name, s->name) != 0)
		return -1;
	/* All ports (0) cover every port, a port only itself. */
	if (r->port != 0 &&
	    (r->port != s->port || strcmp(r->protocol, s->protocol) != 0))
		return -1;
	if ((rank = peer_rank(&r->peer, &s->peer)) < 0)
		return -1;
	return rank + (r->port != 0 ? 1000 : 0);
}

/* What decision r is on, as a subject for rule_rank(). */
static struct review_subject rule_subject(const struct review_rule *r)
{
	return (struct review_subject){
		.ns = r->ns, .kind = r->kind, .name = r->name,
		.egress = r->egress, .peer = r->peer,
		.port = r->port, .protocol = r->protocol,
	};
}

const struct review_rule *review_match(const struct review_set *set,
				       const struct review_subject *subject)
{
	const struct review_rule *best = NULL;
	int best_rank = -1;

	for (size_t i = 0; i < set->n; i++) {
		const struct review_rule *r = &set->rules[i];
		int rank = rule_rank(r, subject);

		if (rank > best_rank) {
			best = r;
			best_rank = rank;
		}
	}
	return best;
}

int review_covers(const struct review_rule *r,
		  const struct review_rule *earlier)
{
	const struct review_subject s = rule_subject(earlier);

	return rule_rank(r, &s) >= 0;
}

int review_outranks(const struct review_rule *e, const struct review_rule *r,
		    struct review_subject *where)
{
	struct review_subject s = rule_subject(r);
	int rank_e, rank_r;

	/* Recording r replaced e, and whatever has r's scope. */
	if (review_covers(r, e))
		return 0;
	/*
	 * Where both apply, if anywhere: the narrower of their peers (one
	 * covers the other, or they have nothing in common) and of their
	 * ports (rule_rank() refuses two different ones).
	 */
	if (peer_rank(&e->peer, &r->peer) < 0) {
		if (peer_rank(&r->peer, &e->peer) < 0)
			return 0;
		s.peer = e->peer;
	}
	if (r->port == 0) {
		s.port = e->port;
		s.protocol = e->protocol;
	}
	rank_e = rule_rank(e, &s);
	rank_r = rule_rank(r, &s);
	if (rank_e < 0 || rank_r < 0 || rank_e <= rank_r)
		return 0;
	*where = s;
	return 1;
}

int review_parse_peer(const char *text, struct arena *a,
		      struct review_peer *out)
{
	struct addr ip;
	const char *s1, *s2;

	memset(out, 0, sizeof(*out));
	if (strcmp(text, "node") == 0) {
		out->type = REVIEW_PEER_NODE;
		return 0;
	}
	if (strncmp(text, "ns:", 3) == 0 && text[3] != '\0') {
		out->type = REVIEW_PEER_NAMESPACE;
		if ((out->ns = arena_strdup(a, text + 3)) == NULL) {
			errmsg_set("out of memory");
			return -1;
		}
		return 0;
	}
	if (addr_parse(text, &ip) == 0) {
		out->type = REVIEW_PEER_CIDR;
		out->cidr.net = ip;
		out->cidr.len = ip.family == AF_INET ? 32 : 128;
		return 0;
	}
	s1 = strchr(text, '/');
	if (s1 != NULL && (size_t)(s1 - text) < ADDR_STRLEN) {
		char head[ADDR_STRLEN];

		memcpy(head, text, (size_t)(s1 - text));
		head[s1 - text] = '\0';
		if (addr_parse(head, &ip) == 0) {
			out->type = REVIEW_PEER_CIDR;
			if (cidr_parse(text, &out->cidr) < 0) {
				errmsg_prefix("peer '%s'", text);
				return -1;
			}
			return 0;
		}
	}
	s2 = s1 ? strchr(s1 + 1, '/') : NULL;
	if (s1 == NULL || s1 == text || s1[1] == '\0' ||
	    (s2 && (s2 == s1 + 1 || s2[1] == '\0' || strchr(s2 + 1, '/')))) {
		errmsg_set("peer '%s' is not NS/NAME, NS/KIND/NAME, ns:NAME, "
			   "node, an address or a CIDR",
			   text);
		return -1;
	}
	out->type = REVIEW_PEER_WORKLOAD;
	out->ns = arena_strndup(a, text, (size_t)(s1 - text));
	if (s2 != NULL) {
		char *kind = arena_strndup(a, s1 + 1, (size_t)(s2 - s1 - 1));

		/* Stored as its Kind, however kubectl's habits spell it. */
		out->kind = kind != NULL ? scope_kind(kind) : NULL;
		out->name = arena_strdup(a, s2 + 1);
	} else {
		out->name = arena_strdup(a, s1 + 1);
	}
	if (out->ns == NULL || out->name == NULL || (s2 && out->kind == NULL)) {
		errmsg_set("out of memory");
		return -1;
	}
	return 0;
}

void review_peer_format(const struct review_peer *p, char *buf, size_t len)
{
	char c[CIDR_STRLEN];

	switch (p->type) {
	case REVIEW_PEER_WORKLOAD:
		snprintf(buf, len, "%s/%s/%s", p->ns, p->kind ? p->kind : "?",
			 p->name);
		break;
	case REVIEW_PEER_NAMESPACE:
		snprintf(buf, len, "ns:%s", p->ns);
		break;
	case REVIEW_PEER_NODE:
		snprintf(buf, len, "node");
		break;
	case REVIEW_PEER_CIDR:
		snprintf(buf, len, "%s", cidr_format(&p->cidr, c));
		break;
	}
}

/*
 * What replace() makes of the decisions store_replace_reviews() shows
 * pick_rule(): those to delete, and those left.
 */
struct review_pick {
	const struct review_rule *r;
	int exact; /* those of r's very scope alone, else all r covers */
	struct store *s;
	struct review_set sets[2]; /* [1] to delete, [0] left */
	size_t cap[2];
	struct arena scratch;
};

static int pick_rule(const struct store_review *v, void *ctx)
{
	struct review_pick *p = ctx;
	struct review_rule e;
	struct review_set *to;
	int picked;

	arena_reset(&p->scratch);
	if (read_rule(&p->scratch, p->s, v, &e) < 0)
		return -1;
	/* Each covering the other: the same scope. */
	picked = review_covers(p->r, &e) &&
		 (!p->exact || review_covers(&e, p->r));
	/* Read again, into the set it is kept in. */
	to = &p->sets[picked];
	if (GROW(to->rules, p->cap[picked], to->n + 1) < 0 ||
	    read_rule(&to->mem, p->s, v, &to->rules[to->n]) < 0)
		return -1;
	to->n++;
	return picked;
}

/*
 * Deletes the decisions of s that r covers (exact: those that have r's
 * very scope), and records r unless exact, in one transaction.  Stores
 * the decisions deleted in *gone and those left in *left (each NULL: not
 * wanted).  Returns 0, or -1 with errmsg.
 */
static int replace(struct store *s, const struct review_rule *r, int exact,
		   struct review_set *gone, struct review_set *left)
{
	struct review_pick p = { .r = r, .exact = exact, .s = s };
	char peer[600];
	struct store_review v = {
		.namespace = r->ns,
		.kind = r->kind,
		.name = r->name,
		.direction = r->egress ? "egress" : "ingress",
		.peer = peer,
		.port = r->port,
		.protocol = r->port ? r->protocol : "",
		.decision = r->decision == REVIEW_REJECTED ? "rejected"
							   : "accepted",
		.reason = r->reason,
		.decided_by = r->by,
		.decided_at = r->at,
	};
	size_t n;
	int rc = -1;

	review_peer_format(&r->peer, peer, sizeof(peer));
	if (store_replace_reviews(s, exact ? NULL : &v, pick_rule, &p, &n) < 0)
		goto out;
	if (gone != NULL) {
		*gone = p.sets[1];
		p.sets[1] = (struct review_set){ 0 };
	}
	if (left != NULL) {
		*left = p.sets[0];
		p.sets[0] = (struct review_set){ 0 };
	}
	rc = 0;
out:
	review_set_free(&p.sets[0]);
	review_set_free(&p.sets[1]);
	arena_reset(&p.scratch);
	return rc;
}

int review_record(struct store *s, const struct review_rule *r,
		  struct review_set *replaced, struct review_set *left)
{
	return replace(s, r, 0, replaced, left);
}

int review_clear(struct store *s, const struct review_rule *r,
		 struct review_set *cleared, struct review_set *left)
{
	struct review_set gone;

	if (replace(s, r, 1, &gone, left) < 0)
		return -1;
	if (gone.n == 0) {
		review_set_free(&gone);
		return 0;
	}
	if (cleared != NULL)
		*cleared = gone;
	else
		review_set_free(&gone);
	return 1;
}
