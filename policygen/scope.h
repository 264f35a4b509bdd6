/*
 * scope: which namespaces and which workload a command covers, as kubectl
 * takes them: -n NS (repeatable), -A, and a workload as [NS/][KIND/]NAME.
 *
 * Without -n or -A a command covers every namespace but the system ones
 * (kube-system, kube-public, kube-node-lease and any --system-namespace):
 * a policy learned wrong there breaks the cluster itself, so covering
 * them is asked for, by -A or by naming one.
 */
#ifndef PODFLOW_SCOPE_H
#define PODFLOW_SCOPE_H

#include <stddef.h>

/* Namespaces a command covers.  Zero-initialised: all but the system ones. */
struct scope_ns {
	const char *const *names; /* -n: these alone; n 0: see above */
	size_t n;
	int all; /* -A: every namespace */
	const char *const *system; /* --system-namespace: more system ones */
	size_t n_system;
};

/* Whether ns is a system namespace: one of the three, or a --system-namespace. */
int scope_is_system(const struct scope_ns *s, const char *ns);

/* Whether the command covers namespace ns. */
int scope_has_ns(const struct scope_ns *s, const char *ns);

/*
 * A workload as people name it, [NS/][KIND/]NAME: NULL where not given.
 * With two parts, the first is a kind when it reads as one (it starts
 * with a capital letter, as a Kind does, or it is one of kubectl's names
 * for a workload resource: deployment, deploy, deployments, sts, ds, rs,
 * job, cj, pod, po...), else a namespace; NS/KIND/NAME says it plainly.
 */
struct scope_workload {
	const char *ns, *kind, *name;
};

/*
 * Parses arg in place (its '/' become NULs) into *w, a kubectl resource
 * name turned into its Kind (deploy: Deployment).  Returns 0, or -1 with
 * errmsg: an empty part, or more than three.
 */
int scope_parse_workload(char *arg, struct scope_workload *w);

/*
 * The Kind a kind as people write it stands for: kubectl's names of the
 * workload resources (deploy, deployments, sts...) as their Kind, any
 * other text as it is.
 */
const char *scope_kind(const char *kind);

/* Whether w names the workload ns/kind/name (kind compared without case). */
int scope_workload_is(const struct scope_workload *w, const char *ns,
		      const char *kind, const char *name);

/*
 * What a workload that names none is told, made as the inventory's
 * workloads are offered to it one by one: the same kind and name in
 * namespaces not covered (the namespace not given), else the name one or
 * two edits from it in those covered.  Zero-initialised but for want and
 * ns_given.
 */
struct scope_missing {
	const struct scope_workload *want;
	int ns_given; /* want's namespace was typed, not taken from -n */
	char other[512]; /* the same kind and name elsewhere, listed */
	char near[512]; /* the nearest name, as ns/Kind/name */
	size_t least; /* its edits plus one; 0: none yet */
};

/* Offers workload ns/kind/name, of a namespace covered or not. */
void scope_missing_offer(struct scope_missing *m, const char *ns,
			 const char *kind, const char *name, int ns_covered);

/*
 * Says in errmsg what was found, for "--workload ARG" (arg as typed),
 * n_ns the namespaces -n named.
 */
void scope_missing_error(const struct scope_missing *m, const char *arg,
			 size_t n_ns);

#endif
