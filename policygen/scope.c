/*
 * scope: the namespaces and the workload a command covers (scope.h).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "podflow/errmsg.h"
#include "podflow/kname.h"
#include "scope.h"

/* Where Kubernetes itself runs (kubeadm, every managed cluster). */
static const char *const system_namespaces[] = {
	"kube-system",
	"kube-public",
	"kube-node-lease",
};

int scope_is_system(const struct scope_ns *s, const char *ns)
{
	for (size_t i = 0; i < sizeof(system_namespaces) /
				       sizeof(system_namespaces[0]);
	     i++)
		if (strcmp(ns, system_namespaces[i]) == 0)
			return 1;
	for (size_t i = 0; i < s->n_system; i++)
		if (strcmp(ns, s->system[i]) == 0)
			return 1;
	return 0;
}

int scope_has_ns(const struct scope_ns *s, const char *ns)
{
	if (s->all)
		return 1;
	if (s->n == 0)
		return !scope_is_system(s, ns);
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(ns, s->names[i]) == 0)
			return 1;
	return 0;
}

/* kubectl's names of the workload resources (kubectl api-resources). */
static const struct {
	const char *name, *kind;
} resources[] = {
	{ "deployment", "Deployment" },	  { "deployments", "Deployment" },
	{ "deploy", "Deployment" },	  { "statefulset", "StatefulSet" },
	{ "statefulsets", "StatefulSet" }, { "sts", "StatefulSet" },
	{ "daemonset", "DaemonSet" },	  { "daemonsets", "DaemonSet" },
	{ "ds", "DaemonSet" },		  { "replicaset", "ReplicaSet" },
	{ "replicasets", "ReplicaSet" },  { "rs", "ReplicaSet" },
	{ "job", "Job" },		  { "jobs", "Job" },
	{ "cronjob", "CronJob" },	  { "cronjobs", "CronJob" },
	{ "cj", "CronJob" },		  { "pod", "Pod" },
	{ "pods", "Pod" },		  { "po", "Pod" },
	{ "replicationcontroller", "ReplicationController" },
	{ "replicationcontrollers", "ReplicationController" },
	{ "rc", "ReplicationController" },
};

/* The Kind a kubectl resource name stands for, or NULL. */
static const char *resource_kind(const char *s)
{
	for (size_t i = 0; i < sizeof(resources) / sizeof(resources[0]); i++)
		if (strcmp(s, resources[i].name) == 0)
			return resources[i].kind;
	return NULL;
}

const char *scope_kind(const char *kind)
{
	const char *k = resource_kind(kind);

	return k != NULL ? k : kind;
}

int scope_parse_workload(char *arg, struct scope_workload *w)
{
	char *part[3], *p = arg;
	size_t n = 1, len = strlen(arg);

	*w = (struct scope_workload){ 0 };
	/* Checked whole first, so that the message shows it whole. */
	if (len == 0 || arg[0] == '/' || arg[len - 1] == '/' ||
	    strstr(arg, "//") != NULL) {
		errmsg_set("'%s' is not a workload: [NAMESPACE/][KIND/]NAME, "
			   "as shop/web or shop/Deployment/web",
			   arg);
		return -1;
	}
	for (size_t i = 0; i < len; i++)
		n += arg[i] == '/';
	if (n > 3) {
		errmsg_set("'%s' is not a workload: [NAMESPACE/][KIND/]NAME, "
			   "as shop/web or shop/Deployment/web",
			   arg);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		part[i] = p;
		if ((p = strchr(p, '/')) != NULL)
			*p++ = '\0';
	}
	w->name = part[n - 1];
	if (n == 3) {
		w->ns = part[0];
		w->kind = part[1];
	} else if (n == 2) {
		/* A namespace is lower case; a Kind starts with a capital. */
		if (resource_kind(part[0]) != NULL ||
		    (part[0][0] >= 'A' && part[0][0] <= 'Z'))
			w->kind = part[0];
		else
			w->ns = part[0];
	}
	if (w->kind != NULL)
		w->kind = scope_kind(w->kind);
	return 0;
}

int scope_workload_is(const struct scope_workload *w, const char *ns,
		      const char *kind, const char *name)
{
	return (w->ns == NULL || strcmp(w->ns, ns) == 0) &&
	       (w->kind == NULL || strcasecmp(w->kind, kind) == 0) &&
	       (w->name == NULL || strcmp(w->name, name) == 0);
}

void scope_missing_offer(struct scope_missing *m, const char *ns,
			 const char *kind, const char *name, int ns_covered)
{
	const struct scope_workload same = { NULL, m->want->kind, m->want->name };
	size_t used = strlen(m->other), d;

	if (!ns_covered) {
		if (!m->ns_given && scope_workload_is(&same, ns, kind, name) &&
		    used + 1 < sizeof(m->other))
			snprintf(m->other + used, sizeof(m->other) - used,
				 "%s%s/%s/%s", used ? ", " : "", ns, kind, name);
		return;
	}
	d = kname_distance(m->want->name, name, 2);
	if (d <= 2 && (m->least == 0 || d + 1 < m->least)) {
		m->least = d + 1;
		snprintf(m->near, sizeof(m->near), "%s/%s/%s", ns, kind, name);
	}
}

void scope_missing_error(const struct scope_missing *m, const char *arg,
			 size_t n_ns)
{
	if (m->other[0] != '\0')
		errmsg_set("--workload %s: not in the namespaces covered; the "
			   "inventory has %s: name its namespace "
			   "(NAMESPACE/NAME)%s",
			   arg, m->other, n_ns == 0 ? " or give -A" : ", or -n it");
	else if (m->near[0] != '\0')
		errmsg_set("--workload %s: no such workload; did you mean %s?",
			   arg, m->near);
	else
		errmsg_set("--workload %s: no such workload in the inventory "
			   "(policygen workloads lists them)",
			   arg);
}
