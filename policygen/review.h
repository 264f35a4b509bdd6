/*
 * review: people's decisions on proposed rules, kept in the database.
 *
 * A decision names a workload, a direction, a peer (a workload, a whole
 * namespace, the node, or a CIDR) and optionally one port; it accepts or
 * rejects every proposed rule peer it covers.  When several cover one,
 * the most specific wins: a port over all ports, a workload over its
 * namespace, a longer prefix over a shorter one.
 *
 * A decision covers another when it is on the same workload and
 * direction, its peer covers the other's (a namespace its workloads and
 * itself, a CIDR the prefixes and addresses inside it, a workload itself,
 * node itself) and its ports the other's (all ports every port, a port
 * itself).  Recording a decision replaces every earlier one it covers:
 * the last word on a scope is the one that holds there, and a narrower
 * decision made after a broader one is an exception to it that stands.
 */
#ifndef PODFLOW_REVIEW_H
#define PODFLOW_REVIEW_H

#include <stddef.h>
#include <stdint.h>

#include "podflow/addr.h"
#include "podflow/arena.h"
#include "podflow/store.h"

enum review_decision {
	REVIEW_PENDING,
	REVIEW_ACCEPTED,
	REVIEW_REJECTED,
};

enum review_peer_type {
	REVIEW_PEER_WORKLOAD,  /* ns/Kind/name */
	REVIEW_PEER_NAMESPACE, /* every workload of a namespace */
	REVIEW_PEER_NODE,      /* the addresses of nodes */
	REVIEW_PEER_CIDR,      /* addresses within a prefix */
};

struct review_peer {
	enum review_peer_type type;
	const char *ns, *kind, *name; /* WORKLOAD (ns alone: NAMESPACE) */
	struct cidr cidr;	      /* CIDR */
};

struct review_rule {
	const char *ns, *kind, *name; /* the workload */
	int egress;
	struct review_peer peer;
	int port;		/* 0: every port */
	const char *protocol;	/* NULL: every protocol */
	enum review_decision decision;
	const char *reason, *by;
	int64_t at;
};

struct review_set {
	struct review_rule *rules;
	size_t n;
	struct arena mem;
};

/*
 * What a proposed rule peer is, to match against decisions: the peer
 * is a workload (peer.type WORKLOAD), a node address, or another address
 * (CIDR).
 */
struct review_subject {
	const char *ns, *kind, *name;
	int egress;
	struct review_peer peer;
	int port;
	const char *protocol;
};

/*
 * Reads every decision of s into *out (free with review_set_free()); a
 * database without the review table has none.  Returns 0, or -1 with
 * errmsg.
 */
int review_load(struct store *s, struct review_set *out);

/* Frees what set holds; set stays usable, empty. */
void review_set_free(struct review_set *set);

/*
 * The decision that covers subject, the most specific of those that do;
 * NULL: pending.
 */
const struct review_rule *review_match(const struct review_set *set,
				       const struct review_subject *subject);

/* Whether decision r covers decision earlier (see above): a predicate. */
int review_covers(const struct review_rule *r,
		  const struct review_rule *earlier);

/*
 * Whether decision e, one that r does not cover, still wins over r on
 * some rule peer both cover: e is the more specific there (on the
 * narrower of their peers and of their ports).  Stores that rule peer in
 * *where (its strings r's and e's) when it does; a predicate.
 */
int review_outranks(const struct review_rule *e, const struct review_rule *r,
		    struct review_subject *where);

/*
 * Parses a peer as a person writes it: "node", "ns:NAME", an address, a
 * CIDR, or a workload "NS/NAME" or "NS/KIND/NAME" (kind left NULL when
 * not given).  Strings point into a.  Returns 0, or -1 with errmsg.
 */
int review_parse_peer(const char *text, struct arena *a,
		      struct review_peer *out);

/* The canonical text of a peer ("ns/Kind/name", "ns:NAME", "node", CIDR). */
void review_peer_format(const struct review_peer *p, char *buf, size_t len);

/*
 * Records r in s and deletes every earlier decision r covers, in one
 * transaction.  Stores the decisions deleted in *replaced (r's own scope
 * among them, if it had a decision) and the others in *left, as that
 * transaction saw them; each may be NULL, not wanted, else free it with
 * review_set_free().  Returns 0, or -1 with errmsg, nothing changed.
 */
int review_record(struct store *s, const struct review_rule *r,
		  struct review_set *replaced, struct review_set *left);

/*
 * Deletes the decision on r's very scope (r's decision, reason and the
 * like aside): the one r covers that covers r too, no broader or
 * narrower one.  Returns 1 with what it deleted in *cleared, 0 when
 * there was none (*cleared untouched), or -1 with errmsg, nothing
 * changed.  Stores the decisions left in *left on 0 and 1.  Each may be
 * NULL, as for review_record().
 */
int review_clear(struct store *s, const struct review_rule *r,
		 struct review_set *cleared, struct review_set *left);

#endif
