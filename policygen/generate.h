/*
 * generate: NetworkPolicies from the flows a workload really had, one
 * policy per workload, each rule one peer with exactly the ports seen.
 */
#ifndef PODFLOW_GENERATE_H
#define PODFLOW_GENERATE_H

#include <stdint.h>

#include "podflow/arena.h"
#include "podflow/netpol.h"
#include "podflow/polset.h"
#include "podflow/store.h"
#include "review.h"
#include "scope.h"

enum generate_dns {
	GENERATE_DNS_OBSERVED, /* the DNS servers used, as any other peer */
	GENERATE_DNS_KUBE_DNS, /* the cluster DNS pods, UDP and TCP */
	GENERATE_DNS_ANY,      /* port 53 in any namespace */
	GENERATE_DNS_NONE,     /* no DNS rule */
};

struct generate_opts {
	struct scope_ns ns; /* the namespaces covered */
	struct scope_workload workload; /* name NULL: every workload */
	int64_t since, until, now;
	/*
	 * Seconds: a workload is learning while one of its entries was
	 * first seen (ever, not in the window) less than this before now.
	 */
	int64_t stable_after;
	enum netpol_mode ingress, egress;
	enum generate_dns dns;
	const char *const *dns_ips;
	size_t n_dns_ips;
	int external_prefix; /* 0: exact addresses; else IPv4 prefix length */
	int allow_internet;
	const char *const *service_cidrs;
	size_t n_service_cidrs;
	int port_range_threshold; /* 0: never ranges */
	/*
	 * The network plugin matches egress before the Service's DNAT (AWS
	 * VPC CNI's network policy agent): beside each backend and its
	 * targetPort, the Service's ClusterIP and port dialled.
	 */
	int before_dnat;
	int include_silent;
	int namespace_default_deny;
	int explain;
	/*
	 * Review decisions (NULL: none): rejected peers are never emitted;
	 * with reviewed_only, only accepted ones are.
	 */
	const struct review_set *review;
	int reviewed_only;
	/*
	 * Policies already applied (NULL: none).  Where they isolate a
	 * workload for a direction, what they already allow is not
	 * repeated, and a direction with nothing missing is left out.
	 */
	const struct polset *existing;
};

/* What a diagnostic is about, for the caller to say it its own way. */
enum generate_level {
	GENERATE_NOTE,	  /* how the inventory or options shaped the output */
	GENERATE_WARNING, /* something the output may get wrong */
	GENERATE_EXPLAIN, /* with opts->explain: a line of the evidence */
};

/*
 * Where the engine's diagnostics go.  fn gets each one as a single line
 * of text without a prefix or a newline; msg is valid during the call
 * only.  The engine never prints: the command decides how, and whether,
 * people see them.
 */
struct generate_diag {
	void (*fn)(void *arg, enum generate_level level, const char *msg);
	void *arg;
};

/* One proposed rule peer and port, its evidence, and what became of it. */
struct generate_proposal {
	const char *ns, *kind, *name; /* the workload */
	int egress;
	const char *peer; /* as people read it: ns/Kind/name, or a CIDR */
	const char *protocol;
	int port;
	int64_t conns, first, last; /* in the window */
	/*
	 * When any database first recorded it, in the window or before:
	 * first, or earlier when the window starts after that.
	 */
	int64_t first_ever;
	const char *service; /* "ns/name" of a Service used, or NULL */
	enum review_decision decision;
	const struct review_rule *review; /* the decision; NULL: pending */
	int existing; /* already allowed by the existing policies */
	int emitted;  /* a rule of the generated policy allows it */
};

struct generate_result {
	struct netpol *policies;
	size_t n;
	struct generate_proposal *proposals; /* by workload, direction, peer */
	size_t n_proposals;
	/* Workloads in scope no valid policy could be made for: warned of. */
	size_t n_left_out;
	struct arena mem; /* everything above lives here */
};

/* What generate_policies() returns. */
enum generate_status {
	GENERATE_OK = 0,
	GENERATE_FAILED = -1,  /* a database or memory failed: errmsg */
	/*
	 * The request cannot be met as asked, errmsg saying why: a
	 * --workload that names no workload or several, --dns kube-dns
	 * without that Service, a --dns-ip that is no address.
	 */
	GENERATE_REFUSED = -2,
};

/*
 * Builds the policies for the workloads in scope from the databases of
 * one or more nodes (the first one's inventory names the workloads; a
 * connection recorded on two nodes counts once).  Notes, warnings and,
 * with opts->explain, the evidence behind every rule go to diag (NULL:
 * none are made).  Returns GENERATE_OK with the policies and the proposals
 * behind them in *out (free with generate_result_free()), or a failure
 * (enum generate_status) with errmsg.
 */
int generate_policies(struct store *const *stores, size_t n_stores,
		      const struct generate_opts *opts,
		      const struct generate_diag *diag,
		      struct generate_result *out);

/* Frees what *r holds and empties it; an empty result is a no-op. */
void generate_result_free(struct generate_result *r);

/*
 * Whether a workload's rules still change: the podflow.io/status
 * annotation of its policy, and the STATUS of policygen workloads.
 */
enum generate_state {
	GENERATE_SILENT, /* no flow in the window */
	/*
	 * An entry (direction, peer, port, protocol) was first recorded,
	 * in all the databases hold, less than stable_after before now (or
	 * after it): the workload still does new things.
	 */
	GENERATE_LEARNING,
	GENERATE_STABLE, /* every entry is older than that */
};

/* "silent", "learning" or "stable". */
const char *generate_state_name(enum generate_state s);

/* A workload's state, and the entry that decides it. */
struct generate_workload_state {
	const char *ns, *kind, *name;
	enum generate_state state;
	/*
	 * Its newest entry, the one first recorded last; peer NULL when it
	 * has none (silent, or its flows make no rule).
	 */
	int egress;
	const char *peer; /* as struct generate_proposal's */
	const char *protocol;
	int port;
	int64_t first_ever;
};

/* What generate_read_states() returns. */
struct generate_states {
	/* The workloads in scope, sorted by namespace, kind and name. */
	struct generate_workload_state *w;
	size_t n;
	struct arena mem; /* everything above lives here */
};

/*
 * The state of every workload in scope of opts (its namespace, workload
 * and window, now and stable_after; the options that shape the entries,
 * --dns, --external-prefix and --allow-internet, as generate_policies()
 * takes them), read as generate_policies() reads it, without making the
 * policies.  Returns GENERATE_OK with the states in *out (free with
 * generate_states_free()), or a failure (enum generate_status) with
 * errmsg.
 */
int generate_read_states(struct store *const *stores, size_t n_stores,
			 const struct generate_opts *opts,
			 struct generate_states *out);

/* The state of workload ns/kind/name in s, or NULL. */
const struct generate_workload_state *
generate_find_state(const struct generate_states *s, const char *ns,
		    const char *kind, const char *name);

/* Frees what *s holds and empties it; an empty one is a no-op. */
void generate_states_free(struct generate_states *s);

/*
 * The policy name for a workload: podflow-<kind>-<name> in lower case;
 * when that is not a valid name (over 253 characters, or a first label
 * over 63), a prefix of it and a stable hash of the whole.
 * Returns a string in a.
 */
const char *generate_policy_name(struct arena *a, const char *kind,
				 const char *name);

#endif
