/*
 * inventory: writing the cluster inventory with its history (inventory.h).
 *
 * Every statement comes from sql/inv_*.sql and is prepared once per
 * session; a file may hold several statements, run in order with the same
 * parameters.
 */
#include <stdlib.h>
#include <string.h>

#include "podflow/errmsg.h"
#include "podflow/inventory.h"
#include "podflow/kname.h"
#include "sql.h"
#include "store_int.h"

#define SCRIPT_MAX 4

struct script {
	struct sdb_stmt *st[SCRIPT_MAX];
	int n;
};

/* The store's parameters (store_int.h), named short for the calls below. */
#define V_INT(x) STORE_INT(x)
#define V_TEXT(x) STORE_TEXT(x)
/* Times of 0 are unknown: NULL in the database. */
#define V_TIME(x) ((x) ? STORE_INT(x) : STORE_TEXT(NULL))

/* The scripts of a session, in one place so they are prepared and freed together. */
#define SCRIPTS(X)                                                         \
	X(snap_namespace) X(snap_pod) X(snap_service) X(namespace_put)     \
	X(node_put) X(node_address_clear) X(node_address_put) X(pod_put)   \
	X(pod_ip_put) X(pod_ip_reuse) X(pod_port_clear) X(pod_port_put)    \
	X(service_put) X(service_clear) X(service_ip_put)                  \
	X(service_port_put) X(owner_put) X(snapshot_close) X(count_ended)  \
	X(pod_relisted) X(pod_ip_end_unlisted) X(reach) X(keep_pod)        \
	X(keep_service)

struct inventory {
	struct store *store;
	struct sdb *db;
	enum inventory_mode mode;
	int64_t at;
	int explicit_namespaces; /* the snapshot listed Namespace objects */
	int saw_pods, saw_services; /* ...and Pods, Services */
	struct inventory_counts counts;
#define AS_FIELD(name) struct script name;
	SCRIPTS(AS_FIELD)
#undef AS_FIELD
};

static int db_error(struct inventory *inv, const char *what)
{
	errmsg_set("%s: %s: %s", store_filename(inv->store), what,
		   sdb_errmsg(inv->db));
	return -1;
}

static int prepare_script(struct inventory *inv, const char *sql,
			  struct script *sc)
{
	const char *tail = sql;

	while (*tail != '\0') {
		struct sdb_stmt *st = NULL;

		if (sdb_prepare(inv->db, tail, &st, &tail) < 0)
			return db_error(inv, "preparing inventory statements");
		if (st == NULL) /* only comments or blanks were left */
			break;
		if (sc->n == SCRIPT_MAX) {
			sdb_finalize(st);
			errmsg_set("too many statements in one SQL file");
			return -1;
		}
		sc->st[sc->n++] = st;
	}
	return 0;
}

static void finalize_script(struct script *sc)
{
	for (int i = 0; i < sc->n; i++)
		sdb_finalize(sc->st[i]);
	sc->n = 0;
}

/*
 * Runs each statement of sc with vals bound to ?1..?n.  If a statement
 * returns a row, its first columns go to *id and *id2 (when not NULL).
 */
static int run2(struct inventory *inv, struct script *sc,
		const struct store_param *vals, int nvals, int64_t *id,
		int64_t *id2)
{
	for (int i = 0; i < sc->n; i++) {
		struct sdb_stmt *st = sc->st[i];
		int rc;

		if (store_bind(inv->store, st, vals, (size_t)nvals) < 0)
			return db_error(inv, "binding a value");
		while ((rc = sdb_step(st)) == SDB_ROW) {
			if (id != NULL)
				*id = sdb_column_int64(st, 0);
			if (id2 != NULL)
				*id2 = sdb_column_int64(st, 1);
		}
		sdb_reset(st);
		sdb_clear_bindings(st);
		if (rc != SDB_DONE)
			return db_error(inv, "writing the inventory");
	}
	return 0;
}

#define NVALS(...) \
	((int)(sizeof((const struct store_param[]){ __VA_ARGS__ }) /          \
	       sizeof(struct store_param)))
#define RUN(inv, script, id, ...)                                          \
	run2((inv), &(inv)->script,                                        \
	     (const struct store_param[]){ __VA_ARGS__ },                  \
	     NVALS(__VA_ARGS__), (id), NULL)

static void free_session(struct inventory *inv)
{
#define AS_FINALIZE(name) finalize_script(&inv->name);
	SCRIPTS(AS_FINALIZE)
#undef AS_FINALIZE
	free(inv);
}

int inventory_begin(struct store *s, enum inventory_mode mode, int64_t at,
		    struct inventory **ret)
{
	struct inventory *inv = calloc(1, sizeof(*inv));

	if (inv == NULL) {
		errmsg_set("out of memory");
		return -1;
	}
	inv->store = s;
	inv->db = store_sdb(s);
	inv->mode = mode;
	inv->at = at;
	if (sdb_begin(inv->db, 1) < 0) {
		db_error(inv, "starting the import");
		free(inv);
		return -1;
	}
	if (store_script(s, sql_inv_begin, NULL, 0, NULL, 0) < 0) {
		db_error(inv, "starting the import");
		goto err;
	}
#define AS_PREPARE(name)                                           \
	if (prepare_script(inv, sql_inv_##name, &inv->name) < 0) \
		goto err;
	SCRIPTS(AS_PREPARE)
#undef AS_PREPARE
	*ret = inv;
	return 0;
err:
	inventory_abort(inv);
	return -1;
}

void inventory_abort(struct inventory *inv)
{
	if (inv == NULL)
		return;
	sdb_rollback(inv->db);
	free_session(inv);
}

static int note_namespace(struct inventory *inv, const char *ns, int explicit)
{
	if (inv->mode != INVENTORY_SNAPSHOT)
		return 0;
	if (explicit)
		inv->explicit_namespaces = 1;
	return RUN(inv, snap_namespace, NULL, V_TEXT(ns), V_INT(explicit));
}

int inventory_put_namespace(struct inventory *inv,
			    const struct inv_namespace *ns)
{
	if (RUN(inv, namespace_put, NULL, V_TEXT(ns->name),
		V_TEXT(ns->labels ? ns->labels : "{}"), V_INT(inv->at)) < 0 ||
	    note_namespace(inv, ns->name, 1) < 0)
		return -1;
	inv->counts.namespaces++;
	return 0;
}

int inventory_put_node(struct inventory *inv, const struct inv_node *node)
{
	if (RUN(inv, node_put, NULL, V_TEXT(node->name),
		V_TEXT(node->labels ? node->labels : "{}"),
		V_INT(inv->at)) < 0 ||
	    RUN(inv, node_address_clear, NULL, V_TEXT(node->name)) < 0)
		return -1;
	for (size_t i = 0; i < node->n_addresses; i++)
		if (RUN(inv, node_address_put, NULL,
			V_TEXT(node->addresses[i].address), V_TEXT(node->name),
			V_TEXT(node->addresses[i].type), V_INT(inv->at)) < 0)
			return -1;
	inv->counts.nodes++;
	return 0;
}

/* The pod's own account of when it stopped holding its IPs, or 0. */
static int64_t pod_end(const struct inv_pod *p)
{
	int64_t end = p->deleted;

	if (p->finished && (end == 0 || p->finished < end))
		end = p->finished;
	return end;
}

/*
 * The JSON array of a pod's IPs, for inv_pod_ip_end_unlisted.sql.  Pod IPs
 * need no escaping.  Returns an owned string, or NULL.
 */
static char *ips_json(const struct inv_pod *p)
{
	size_t len = 3;
	char *out;

	for (size_t i = 0; i < p->n_ips; i++)
		len += strlen(p->ips[i]) + 3;
	out = malloc(len);
	if (out == NULL)
		return NULL;
	strcpy(out, "[");
	for (size_t i = 0; i < p->n_ips; i++) {
		if (i > 0)
			strcat(out, ",");
		strcat(out, "\"");
		strcat(out, p->ips[i]);
		strcat(out, "\"");
	}
	strcat(out, "]");
	return out;
}

/*
 * known: the pod was seen before this import.  A pod's first IPs date from
 * its start; an IP a known pod lists anew (its sandbox was recreated) dates
 * from now, and the ones it no longer lists end now.
 */
static int put_pod_ips(struct inventory *inv, const struct inv_pod *p,
		       int64_t id, int known)
{
	int64_t from = (p->started && !known) ? p->started : inv->at;
	int64_t end = pod_end(p);
	char *listed;
	int rc;

	/* A hostNetwork pod's IP is its node's: never a pod identity. */
	if (p->host_network || p->n_ips == 0)
		return 0;
	listed = ips_json(p);
	if (listed == NULL) {
		errmsg_set("out of memory");
		return -1;
	}
	rc = RUN(inv, pod_ip_end_unlisted, NULL, V_INT(id), V_INT(inv->at),
		 V_TEXT(listed));
	free(listed);
	if (rc < 0)
		return -1;
	for (size_t i = 0; i < p->n_ips; i++)
		if (RUN(inv, pod_ip_put, NULL, V_INT(id), V_TEXT(p->ips[i]),
			V_INT(from), V_TIME(end)) < 0 ||
		    RUN(inv, pod_ip_reuse, NULL, V_INT(id),
			V_TEXT(p->ips[i])) < 0)
			return -1;
	return 0;
}

int inventory_put_pod(struct inventory *inv, const struct inv_pod *p)
{
	const struct store_param vals[] = {
		V_TEXT(p->uid), V_TEXT(p->namespace), V_TEXT(p->name),
		V_TEXT(p->node), V_INT(p->host_network),
		V_TEXT(p->labels ? p->labels : "{}"), V_TEXT(p->phase),
		V_TIME(p->created), V_TIME(p->started), V_TIME(p->deleted),
		V_TIME(p->finished), V_TEXT(p->controller_kind),
		V_TEXT(p->controller_name), V_TEXT(p->template_hash),
		V_TEXT(p->workload_kind), V_TEXT(p->workload_name),
		V_INT(inv->at),
	};
	int64_t id = -1, first_seen = inv->at;

	if (run2(inv, &inv->pod_put, vals, (int)(sizeof(vals) / sizeof(vals[0])),
		 &id, &first_seen) < 0 ||
	    RUN(inv, pod_relisted, NULL, V_INT(id), V_INT(inv->at)) < 0)
		return -1;
	if (put_pod_ips(inv, p, id, first_seen < inv->at) < 0 ||
	    RUN(inv, pod_port_clear, NULL, V_INT(id)) < 0)
		return -1;
	for (size_t i = 0; i < p->n_ports; i++)
		if (RUN(inv, pod_port_put, NULL, V_INT(id),
			V_TEXT(p->ports[i].container), V_TEXT(p->ports[i].name),
			V_INT(p->ports[i].port),
			V_TEXT(p->ports[i].protocol)) < 0)
			return -1;
	if (p->node != NULL)
		for (size_t i = 0; i < p->n_host_ips; i++)
			if (RUN(inv, node_address_put, NULL,
				V_TEXT(p->host_ips[i]), V_TEXT(p->node),
				V_TEXT("hostIP"), V_INT(inv->at)) < 0)
				return -1;
	if (inv->mode == INVENTORY_SNAPSHOT &&
	    (RUN(inv, snap_pod, NULL, V_TEXT(p->uid)) < 0 ||
	     note_namespace(inv, p->namespace, 0) < 0))
		return -1;
	inv->saw_pods = 1;
	inv->counts.pods++;
	return 0;
}

int inventory_put_service(struct inventory *inv,
			  const struct inv_service *svc)
{
	int64_t id = -1;

	if (RUN(inv, service_put, &id, V_TEXT(svc->uid),
		V_TEXT(svc->namespace), V_TEXT(svc->name), V_TEXT(svc->type),
		V_TEXT(svc->selector), V_INT(inv->at),
		V_TIME(svc->created)) < 0 ||
	    RUN(inv, service_clear, NULL, V_INT(id)) < 0)
		return -1;
	for (size_t i = 0; i < svc->n_cluster_ips; i++)
		if (RUN(inv, service_ip_put, NULL, V_INT(id),
			V_TEXT(svc->cluster_ips[i])) < 0)
			return -1;
	for (size_t i = 0; i < svc->n_ports; i++) {
		const struct inv_service_port *sp = &svc->ports[i];

		if (RUN(inv, service_port_put, NULL, V_INT(id), V_TEXT(sp->name),
			V_INT(sp->port), V_TEXT(sp->target_port),
			V_TEXT(sp->protocol),
			sp->node_port ? V_INT(sp->node_port) : V_TEXT(NULL)) < 0)
			return -1;
	}
	if (inv->mode == INVENTORY_SNAPSHOT &&
	    RUN(inv, snap_service, NULL, V_TEXT(svc->namespace),
		V_TEXT(svc->name)) < 0)
		return -1;
	inv->saw_services = 1;
	inv->counts.services++;
	return 0;
}

int inventory_put_owner(struct inventory *inv, const struct inv_owner *o)
{
	if (RUN(inv, owner_put, NULL, V_TEXT(o->namespace), V_TEXT(o->kind),
		V_TEXT(o->name), V_TEXT(o->uid), V_TEXT(o->selector),
		V_TEXT(o->owner_kind), V_TEXT(o->owner_name),
		V_INT(inv->at)) < 0)
		return -1;
	inv->counts.owners++;
	return 0;
}

int inventory_keep_pod(struct inventory *inv, const char *uid,
		       const char *namespace, const char *name)
{
	if (inv->mode != INVENTORY_SNAPSHOT)
		return 0;
	if (RUN(inv, keep_pod, NULL, V_TEXT(uid), V_TEXT(namespace),
		V_TEXT(name)) < 0)
		return -1;
	/*
	 * Its namespace is listed all the same, so that the pods gone from
	 * it end; not a name the API server would refuse.
	 */
	if (namespace != NULL && kname_is_dns_label(namespace) &&
	    note_namespace(inv, namespace, 0) < 0)
		return -1;
	inv->saw_pods = 1;
	return 0;
}

int inventory_keep_service(struct inventory *inv, const char *namespace,
			   const char *name)
{
	if (inv->mode != INVENTORY_SNAPSHOT || namespace == NULL ||
	    name == NULL)
		return 0;
	if (RUN(inv, keep_service, NULL, V_TEXT(namespace), V_TEXT(name)) < 0)
		return -1;
	inv->saw_services = 1;
	return 0;
}

int inventory_commit(struct inventory *inv, struct inventory_counts *counts)
{
	if (store_script(inv->store, sql_inv_resolve_workloads, NULL, 0, NULL,
			 0) < 0) {
		db_error(inv, "resolving workloads");
		goto err;
	}
	if (inv->mode == INVENTORY_SNAPSHOT) {
		if (RUN(inv, snapshot_close, NULL, V_INT(inv->at),
			V_INT(inv->explicit_namespaces), V_INT(inv->saw_pods),
			V_INT(inv->saw_services)) < 0)
			goto err;
		int64_t ended = 0;

		if (RUN(inv, count_ended, &ended, V_INT(inv->at)) < 0)
			goto err;
		inv->counts.pods_ended = (size_t)ended;
	}
	if (RUN(inv, reach, NULL, V_INT(inv->at)) < 0)
		goto err;
	if (sdb_commit(inv->db) < 0) {
		db_error(inv, "committing the import");
		goto err;
	}
	if (counts != NULL)
		*counts = inv->counts;
	free_session(inv);
	return 0;
err:
	inventory_abort(inv);
	return -1;
}
