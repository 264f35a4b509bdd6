/*
 * replay: the engine behind policygen check.  Every flow recorded in a
 * window is decided against a set of NetworkPolicies (verdict.h), and the
 * flows are grouped by their two ends and port, each group with the
 * policies that would deny it.  Several databases, one per node, may feed
 * one replay: a connection between two nodes is recorded by both and
 * counted once.
 *
 * The engine never prints: the command prints the result, and failures
 * leave their message in errmsg.
 */
#ifndef POLICYGEN_REPLAY_H
#define POLICYGEN_REPLAY_H

#include <stddef.h>
#include <stdint.h>

#include "podflow/polset.h"
#include "podflow/store.h"

/* The flows between two ends on one port, and what the policies say. */
struct replay_group {
	/* "ns/Kind/name" for a pod, "node/NAME" for a node, else the address */
	const char *src, *dst;
	const char *protocol; /* TCP, UDP or SCTP */
	int port;
	int64_t conns; /* the connections of its rows, summed */
	int64_t last;  /* the latest last_seen of its rows, Unix seconds */
	/*
	 * The first policy isolating the client (egress) or the server
	 * (ingress) of the first row that side denies; NULL while that side
	 * allows every row.  Owned by the polset.
	 */
	const struct polset_policy *egress_by, *ingress_by;
};

/* What a replay found, as replay_result() sums it up. */
struct replay_result {
	/* Every group, by source, destination, protocol, then port. */
	struct replay_group *const *groups;
	size_t n_groups;
	size_t denied;			/* groups denied either way */
	size_t denied_egress, denied_ingress; /* groups denied that way */
	int64_t denied_conns;		/* the connections of denied groups */
	size_t rows;			/* rows replayed (not seen before) */
	/* Rows of ICMP or without a port: NetworkPolicy cannot say. */
	size_t not_checked;
};

struct replay;

/*
 * A replay against ps, which stays the caller's and must outlive it.
 * several: the flows will come from more than one database, so that a
 * row another one already gave is the same connection, seen twice, and
 * skipped (remembering rows costs memory, which one database does not
 * need).  Returns an owned replay (free with replay_free()), or NULL with
 * errmsg.
 */
struct replay *replay_new(const struct polset *ps, int several);

/* NULL is a no-op. */
void replay_free(struct replay *r);

/*
 * Replays the flows s recorded in [since, until) (Unix seconds), each end
 * looked up in the inventory of s.  s stays the caller's and may be
 * closed once this returns.  Returns 0, or -1 with errmsg; after a
 * failure r holds what came before it.
 */
int replay_store(struct replay *r, struct store *s, int64_t since,
		 int64_t until);

/*
 * What the replays so far found, into *out.  Its pointers are owned by r,
 * valid until the next replay_store() or replay_free().  Never fails.
 */
void replay_result(struct replay *r, struct replay_result *out);

#endif
