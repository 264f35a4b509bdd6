/*
 * endpoint: inventory lookups for the policy evaluator (endpoint.h).
 * Pods are cached by uid: a replay meets the same few pods on every row.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "podflow/errmsg.h"
#include "podflow/grow.h"
#include "podflow/strmap.h"
#include "endpoint.h"
#include "sql.h"

/* A workload's pods, as endpoints_workload() hands them out. */
struct workload_pods {
	struct endpoint *pods;
	size_t n;
};

enum { P_ID, P_NS, P_KIND, P_NAME, P_NODE, P_HOSTNET, P_LABELS, P_NS_LABELS };

struct endpoints {
	struct store *store;
	sqlite3_stmt *pod, *ports, *address, *kinds, *workload;
	struct strmap pods; /* uid -> struct endpoint, address unset */
	struct strmap nodes; /* name -> struct endpoint, address unset */
	struct arena mem;
	struct strmap workloads; /* "ns/Kind/name" -> struct workload_pods */
	struct endpoint *list; /* scratch: a workload's pods being read */
	size_t n_list, cap_list;
	struct verdict_named_port *ports_buf; /* scratch: a pod's ports */
	size_t cap_ports;
};

static int db_error(struct endpoints *e)
{
	return store_db_error(e->store);
}

static const char *col(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

int endpoints_open(struct store *s, struct endpoints **ret)
{
	struct endpoints *e = calloc(1, sizeof(*e));
	sqlite3 *db = store_db(s);

	if (e == NULL) {
		errmsg_set("out of memory");
		return -1;
	}
	e->store = s;
	if (sqlite3_prepare_v2(db, sql_endpoint_pod, -1, &e->pod, NULL) ||
	    sqlite3_prepare_v2(db, sql_endpoint_pod_ports, -1, &e->ports,
			       NULL) ||
	    sqlite3_prepare_v2(db, sql_endpoint_address, -1, &e->address,
			       NULL) ||
	    sqlite3_prepare_v2(db, sql_endpoint_workload_kinds, -1, &e->kinds,
			       NULL) ||
	    sqlite3_prepare_v2(db, sql_endpoint_workload_pods, -1, &e->workload,
			       NULL)) {
		db_error(e);
		endpoints_close(e);
		return -1;
	}
	*ret = e;
	return 0;
}

void endpoints_close(struct endpoints *e)
{
	if (e == NULL)
		return;
	sqlite3_finalize(e->pod);
	sqlite3_finalize(e->ports);
	sqlite3_finalize(e->address);
	sqlite3_finalize(e->kinds);
	sqlite3_finalize(e->workload);
	strmap_free(&e->pods);
	strmap_free(&e->nodes);
	strmap_free(&e->workloads);
	arena_reset(&e->mem);
	free(e->list);
	free(e->ports_buf);
	free(e);
}

static int set_address(struct endpoint *out, const char *ip)
{
	memset(&out->end.ip, 0, sizeof(out->end.ip));
	if (ip != NULL && addr_parse(ip, &out->end.ip) < 0)
		return -1;
	return 0;
}

/* The named ports of pod id, read into scratch, then kept in e->mem. */
static int load_ports(struct endpoints *e, sqlite3_int64 id,
		      struct verdict_end *end)
{
	struct verdict_named_port *ports = NULL;
	size_t n = 0;
	int rc;

	sqlite3_reset(e->ports);
	sqlite3_bind_int64(e->ports, 1, id);
	while ((rc = sqlite3_step(e->ports)) == SQLITE_ROW) {
		struct verdict_named_port *p;

		if (GROW(e->ports_buf, e->cap_ports, n + 1) < 0)
			return -1;
		p = &e->ports_buf[n++];
		p->name = arena_strdup(&e->mem, col(e->ports, 0));
		p->protocol = arena_strdup(&e->mem, col(e->ports, 1));
		p->port = sqlite3_column_int(e->ports, 2);
		if (p->name == NULL || p->protocol == NULL)
			goto oom;
	}
	if (rc != SQLITE_DONE)
		return db_error(e);
	if (n > 0) {
		if ((ports = arena_alloc(&e->mem, n * sizeof(*ports))) == NULL)
			goto oom;
		memcpy(ports, e->ports_buf, n * sizeof(*ports));
	}
	end->ports = ports;
	end->n_ports = n;
	return 0;
oom:
	errmsg_set("out of memory");
	return -1;
}

static int parse_labels(struct endpoints *e, const char *json,
			const struct knode **out)
{
	if (kyaml_parse_text(json ? json : "{}", &e->mem, out) < 0) {
		errmsg_prefix("%s: labels", store_filename(e->store));
		return -1;
	}
	return 0;
}

/*
 * Reads the pod of uid into a new cache entry, *out.  Returns 1, 0 when
 * no such pod is known, or -1 with errmsg.
 */
static int load_pod(struct endpoints *e, const char *uid,
		    struct endpoint **out)
{
	struct endpoint *p;
	char name[512];
	int rc;

	sqlite3_reset(e->pod);
	sqlite3_bind_text(e->pod, 1, uid, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(e->pod);
	if (rc == SQLITE_DONE)
		return 0;
	if (rc != SQLITE_ROW)
		return db_error(e);
	if ((p = arena_alloc(&e->mem, sizeof(*p))) == NULL)
		goto oom;
	snprintf(name, sizeof(name), "%s/%s/%s", col(e->pod, P_NS),
		 col(e->pod, P_KIND), col(e->pod, P_NAME));
	p->name = arena_strdup(&e->mem, name);
	if (col(e->pod, P_NODE) != NULL)
		p->end.node = arena_strdup(&e->mem, col(e->pod, P_NODE));
	if (sqlite3_column_int(e->pod, P_HOSTNET)) {
		/* Policies do not apply to it: it is its node. */
		p->end.is_node = 1;
	} else {
		p->end.namespace = arena_strdup(&e->mem, col(e->pod, P_NS));
		if (p->end.namespace == NULL ||
		    parse_labels(e, col(e->pod, P_LABELS), &p->end.labels) < 0 ||
		    parse_labels(e, col(e->pod, P_NS_LABELS),
				 &p->end.ns_labels) < 0 ||
		    load_ports(e, sqlite3_column_int64(e->pod, P_ID),
			       &p->end) < 0)
			return -1;
	}
	if (p->name == NULL)
		goto oom;
	*out = p;
	return 1;
oom:
	errmsg_set("out of memory");
	return -1;
}

int endpoints_pod(struct endpoints *e, const char *uid, const char *ip,
		  struct endpoint *out)
{
	struct strmap_slot *slot = strmap_slot(&e->pods, uid);
	struct endpoint *p = NULL;

	if (slot == NULL) {
		errmsg_set("out of memory");
		return -1;
	}
	if (slot->value == NULL) {
		if (load_pod(e, uid, &p) < 0)
			return -1;
		slot->value = p;
	}
	memset(out, 0, sizeof(*out));
	if (slot->value != NULL)
		*out = *(struct endpoint *)slot->value;
	if (set_address(out, ip) < 0)
		return -1;
	if (slot->value == NULL) {
		out->name = ip;
		return 0;
	}
	return 1;
}

int endpoints_node(struct endpoints *e, const char *node, const char *ip,
		   struct endpoint *out)
{
	struct strmap_slot *slot = strmap_slot(&e->nodes, node);
	struct endpoint *n;
	char name[300];

	if (slot == NULL)
		goto oom;
	if (slot->value == NULL) {
		if ((n = arena_alloc(&e->mem, sizeof(*n))) == NULL)
			goto oom;
		snprintf(name, sizeof(name), "node/%s", node);
		n->name = arena_strdup(&e->mem, name);
		n->end.node = arena_strdup(&e->mem, node);
		n->end.is_node = 1;
		if (n->name == NULL || n->end.node == NULL)
			goto oom;
		slot->value = n;
	}
	*out = *(struct endpoint *)slot->value;
	return set_address(out, ip);
oom:
	errmsg_set("out of memory");
	return -1;
}

int endpoints_address(struct endpoints *e, const char *text,
		      struct endpoint *out)
{
	char ip[ADDR_STRLEN], *uid = NULL, *node = NULL;
	const char *copy;
	int rc;

	memset(out, 0, sizeof(*out));
	/* The store keeps canonical text: FD00::1 and fd00:0::1 are fd00::1. */
	if (set_address(out, text) < 0)
		return -1;
	addr_format(&out->end.ip, ip);
	if ((copy = arena_strdup(&e->mem, ip)) == NULL) {
		errmsg_set("out of memory");
		return -1;
	}
	sqlite3_reset(e->address);
	sqlite3_bind_text(e->address, 1, ip, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(e->address) != SQLITE_ROW)
		return db_error(e);
	if (col(e->address, 0) != NULL)
		uid = strdup(col(e->address, 0));
	if (col(e->address, 1) != NULL)
		node = strdup(col(e->address, 1));
	if (uid != NULL)
		rc = endpoints_pod(e, uid, copy, out);
	else if (node != NULL)
		rc = endpoints_node(e, node, copy, out);
	else {
		out->name = copy;
		rc = 0;
	}
	free(uid);
	free(node);
	return rc < 0 ? -1 : 0;
}

int endpoints_kind(struct endpoints *e, const char *ns, const char *kind,
		   const char *name, const char **out)
{
	char kinds[256] = "";
	const char *first = NULL;
	int n = 0, rc;

	sqlite3_reset(e->kinds);
	sqlite3_bind_text(e->kinds, 1, ns, -1, SQLITE_TRANSIENT);
	if (kind != NULL)
		sqlite3_bind_text(e->kinds, 2, kind, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(e->kinds, 2);
	sqlite3_bind_text(e->kinds, 3, name, -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(e->kinds)) == SQLITE_ROW) {
		size_t used = strlen(kinds);

		snprintf(kinds + used, sizeof(kinds) - used, "%s%s/%s/%s",
			 n ? ", " : "", ns, col(e->kinds, 0), name);
		if (n++ == 0 &&
		    (first = arena_strdup(&e->mem, col(e->kinds, 0))) == NULL) {
			errmsg_set("out of memory");
			return -1;
		}
	}
	if (rc != SQLITE_DONE)
		return db_error(e);
	if (n == 0) {
		errmsg_set("no workload %s/%s%s%s in the inventory of %s", ns,
			   kind ? kind : "", kind ? "/" : "", name,
			   store_filename(e->store));
		return -1;
	}
	if (n > 1) {
		errmsg_set("%s/%s is several workloads: %s; say which with "
			   "NS/KIND/NAME",
			   ns, name, kinds);
		return -1;
	}
	*out = first;
	return 0;
}

/* Reads the pods of ns/kind/name (kind canonical) into the scratch list. */
static int load_workload(struct endpoints *e, const char *ns, const char *kind,
			 const char *name)
{
	int rc;

	e->n_list = 0;
	sqlite3_reset(e->workload);
	sqlite3_bind_text(e->workload, 1, ns, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(e->workload, 2, kind, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(e->workload, 3, name, -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(e->workload)) == SQLITE_ROW) {
		int live = sqlite3_column_int(e->workload, 1), found;
		char *uid;

		if (!live && e->n_list > 0)
			break; /* the last one seen, only when none runs */
		if (GROW(e->list, e->cap_list, e->n_list + 1) < 0)
			return -1;
		if ((uid = strdup(col(e->workload, 0))) == NULL) {
			errmsg_set("out of memory");
			return -1;
		}
		found = endpoints_pod(e, uid, NULL, &e->list[e->n_list++]);
		free(uid);
		if (found < 0)
			return -1;
		if (!live) {
			rc = SQLITE_DONE;
			break;
		}
	}
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return db_error(e);
	return 0;
}

int endpoints_workload(struct endpoints *e, const char *ns, const char *kind,
		       const char *name, const struct endpoint **out,
		       size_t *n)
{
	struct strmap_slot *slot;
	struct workload_pods *w;
	char key[600];

	if (endpoints_kind(e, ns, kind, name, &kind) < 0)
		return -1;
	snprintf(key, sizeof(key), "%s/%s/%s", ns, kind, name);
	if ((slot = strmap_slot(&e->workloads, key)) == NULL)
		goto oom;
	if (slot->value == NULL) {
		if (load_workload(e, ns, kind, name) < 0)
			return -1;
		if (e->n_list == 0) {
			errmsg_set("no workload %s in the inventory", key);
			return -1;
		}
		if ((w = arena_alloc(&e->mem, sizeof(*w))) == NULL ||
		    (w->pods = arena_alloc(&e->mem, e->n_list *
							    sizeof(*w->pods))) ==
			    NULL)
			goto oom;
		memcpy(w->pods, e->list, e->n_list * sizeof(*w->pods));
		w->n = e->n_list;
		slot->value = w;
	}
	w = slot->value;
	*out = w->pods;
	*n = w->n;
	return 0;
oom:
	errmsg_set("out of memory");
	return -1;
}
