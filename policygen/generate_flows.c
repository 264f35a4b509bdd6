/*
 * generate_flows: the flows of the window as entries of the workloads in
 * scope (see generate_int.h).
 *
 * Every flow of the window is read once, resolved to identities by the
 * store (store_read_generate_flows()).  Each flow gives an egress entry to its
 * source's workload and an ingress entry to its destination's, when those
 * are in scope.  The peer is what the policy's pod sees: a workload by its
 * selector, else the exact address (a node, an outside host, or the
 * address SNAT gave the client).
 *
 * A database holds a row per edge per time bucket, a million a day on a
 * big cluster, but far fewer distinct peers.  So one database's rows are
 * handled as they come and not kept, each distinct string they leave
 * behind is stored once, and a workload's entries are folded as they pile
 * up: memory follows the peers, not the rows.
 *
 * Whether a workload still does new things is told by when each of its
 * entries was first recorded, ever: a window that starts later would make
 * a peer of months seem new.  So, when the window does not start at the
 * beginning, the records are read again, all of them: any record of an
 * entry is a sighting of it, those in the window and after it too, and
 * the whole of a database is its cheapest read (each calendar week one
 * row per edge, where the days before the window would be a row per edge
 * and day).  Each row only finds the entry it would have made and may
 * give it an earlier first sighting: nothing is added, and a peer the
 * window never named is not even kept.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "podflow/count.h"
#include "podflow/errmsg.h"
#include "podflow/grow.h"
#include "podflow/proto.h"
#include "podflow/store_read.h"
#include "generate_int.h"

/*
 * A workload's entries are folded (equal direction, peer and port) when
 * their array is full and holds at least this many; it grows only if
 * folding left it over three quarters full.  Flows repeat the same few
 * peers bucket after bucket, so memory follows the distinct peers.
 */
#define FOLD_MIN_ENTRIES 64

/* An ipBlock peer; its sort key orders by family, address bytes, length. */
int generate_cidr_peer(struct gen_pool *pool, int external_prefix,
		       const char *ip, int external, struct entry *e)
{
	struct addr a;
	struct cidr c = { 0 };
	char text[CIDR_STRLEN], key[80];
	unsigned int len;

	if (ip == NULL || addr_parse(ip, &a) < 0)
		return -1;
	len = a.family == AF_INET ? 32 : 128;
	if (external && a.family == AF_INET && external_prefix > 0)
		len = (unsigned int)external_prefix;
	c.net = a;
	c.len = (uint8_t)len;
	for (unsigned int bit = len; bit < 128; bit++)
		c.net.bytes[bit / 8] &= (uint8_t)~(0x80 >> (bit % 8));
	cidr_format(&c, text);
	snprintf(key, sizeof(key), "c|%d|", a.family == AF_INET ? 4 : 6);
	for (int i = 0; i < 16; i++)
		snprintf(key + strlen(key), sizeof(key) - strlen(key), "%02x",
			 c.net.bytes[i]);
	snprintf(key + strlen(key), sizeof(key) - strlen(key), "/%03u", len);
	e->peer.type = NETPOL_PEER_CIDR;
	e->peer_w = NULL;
	e->node = 0;
	e->peer.cidr = generate_intern(pool, text);
	e->key = generate_intern(pool, key);
	e->desc = e->peer.cidr;
	e->external = external;
	if (e->peer.cidr != NULL && e->key != NULL)
		return 0;
	if (pool->find_only) {
		e->key = NULL; /* no entry has this peer */
		return 0;
	}
	errmsg_set("out of memory");
	return -1;
}

/* A pod peer for workload p, seen from a policy in namespace ns. */
static int pod_peer(struct arena *a, struct workload *p, const char *ns,
		    struct entry *e)
{
	if (p->peer_key == NULL) {
		char key[768], desc[640];

		snprintf(key, sizeof(key), "p|%s|%s|%s", p->ns, p->kind,
			 p->name);
		snprintf(desc, sizeof(desc), "%s/%s/%s", p->ns, p->kind,
			 p->name);
		p->peer_key = arena_strdup(a, key);
		p->peer_desc = arena_strdup(a, desc);
		if (p->peer_key == NULL || p->peer_desc == NULL) {
			errmsg_set("out of memory");
			return -1;
		}
	}
	e->peer.type = NETPOL_PEER_PODS;
	e->peer_w = p;
	e->peer.namespace = strcmp(p->ns, ns) == 0 ? NULL : p->ns;
	e->peer.pod_selector = p->selector;
	e->key = p->peer_key;
	e->desc = p->peer_desc;
	return 0;
}

/* One end of a flow: the workload that held the address, its node, its IP. */
struct flow_end {
	const char *ns, *kind, *name, *node, *ip;
};

/*
 * The peer at one end of a flow, for a policy in namespace ns: the
 * workload that held the address, else the address itself.
 */
static int end_peer(struct gen *g, const char *ns, const struct flow_end *end,
		    struct entry *e)
{
	struct workload *p = generate_find_workload(&g->inv, end->ns,
						    end->kind, end->name);
	struct addr a;

	/* A workload whose pods share no label can only be its addresses. */
	if (p != NULL && p->selector != NULL)
		return pod_peer(g->pool.a, p, ns, e);
	if (!g->flows.history && end->name == NULL && end->node == NULL &&
	    end->ip != NULL && addr_parse(end->ip, &a) == 0 &&
	    generate_in_pod_cidrs(&g->inv, &a))
		g->flows.unknown_pod_ips++;
	if (generate_cidr_peer(&g->pool, g->o->external_prefix, end->ip,
			       end->node == NULL && end->name == NULL &&
				       addr_parse(end->ip, &a) == 0 &&
				       !generate_in_pod_cidrs(&g->inv, &a),
			       e) < 0)
		return -1;
	e->node = end->node != NULL && end->name == NULL;
	return 0;
}

static int cmp_entry(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	int c;

	if (x->egress != y->egress)
		return x->egress - y->egress;
	if ((c = strcmp(x->key, y->key)) != 0)
		return c;
	if ((c = strcmp(x->protocol, y->protocol)) != 0)
		return c;
	if (x->port != y->port)
		return x->port - y->port;
	/* A ClusterIP's entries, one per backend, after the others. */
	if (x->dnat != y->dnat || !x->dnat)
		return x->dnat - y->dnat;
	if (x->dnat_of != y->dnat_of) {
		if (x->dnat_of == NULL || y->dnat_of == NULL)
			return x->dnat_of == NULL ? -1 : 1;
		if ((c = strcmp(x->dnat_of->ns, y->dnat_of->ns)) != 0 ||
		    (c = strcmp(x->dnat_of->kind, y->dnat_of->kind)) != 0 ||
		    (c = strcmp(x->dnat_of->name, y->dnat_of->name)) != 0)
			return c;
	}
	if ((c = strcmp(x->dnat_cidr ? x->dnat_cidr : "",
			y->dnat_cidr ? y->dnat_cidr : "")) != 0)
		return c;
	return x->dnat_port - y->dnat_port;
}

/*
 * add_entry() folds along the way, and folding again gives what folding
 * once would: sums, minima and maxima, and the first Service seen
 * (qsort() keeps equal entries in order, as glibc's merge sort does, and
 * a folded entry comes before those added after it).
 */
void generate_merge_entries(struct workload *w)
{
	size_t out = 0;

	if (w->n > 1)
		qsort(w->e, w->n, sizeof(*w->e), cmp_entry);
	for (size_t i = 0; i < w->n; i++) {
		if (out > 0 && cmp_entry(&w->e[out - 1], &w->e[i]) == 0) {
			struct entry *m = &w->e[out - 1];

			m->conns = count_add(m->conns, w->e[i].conns);
			if (w->e[i].first < m->first)
				m->first = w->e[i].first;
			if (w->e[i].first_ever < m->first_ever)
				m->first_ever = w->e[i].first_ever;
			if (w->e[i].last > m->last)
				m->last = w->e[i].last;
			if (m->service == NULL)
				m->service = w->e[i].service;
			m->dbs |= w->e[i].dbs;
			continue;
		}
		w->e[out++] = w->e[i];
	}
	w->n = out;
}

static int add_entry(struct workload *w, const struct entry *e)
{
	if (w->n == w->cap) {
		if (w->n >= FOLD_MIN_ENTRIES)
			generate_merge_entries(w);
		if ((w->cap == 0 || w->n * 4 > w->cap * 3) &&
		    GROW(w->e, w->cap, w->n + 1) < 0)
			return -1;
	}
	w->e[w->n++] = *e;
	return 0;
}

/*
 * A record read again for its time (generate_load_history()): the entry
 * of w it would have made, if there is one, was first seen then, or
 * earlier.  w's entries are merged (sorted) by now.
 */
static void note_first_seen(struct workload *w, const struct entry *e)
{
	struct entry *m;

	if (e->key == NULL || w->n == 0)
		return;
	m = bsearch(e, w->e, w->n, sizeof(*w->e), cmp_entry);
	if (m != NULL && e->first_ever < m->first_ever)
		m->first_ever = e->first_ever;
}

/* Entry e of w: added, or, reading the records again, its first sighting. */
static int keep_entry(struct gen *g, struct workload *w, const struct entry *e)
{
	if (g->flows.history) {
		note_first_seen(w, e);
		return 0;
	}
	return add_entry(w, e);
}

/* Every flow of a workload counts for its window and status. */
static void note_flow(struct workload *w, const struct entry *e)
{
	w->flows++;
	w->conns = count_add(w->conns, e->conns);
	if (w->first == 0 || e->first < w->first)
		w->first = e->first;
	if (e->last > w->last)
		w->last = e->last;
}

static int is_dns(const struct entry *e, int service_port)
{
	return e->egress && (e->port == 53 || service_port == 53) &&
	       (strcmp(e->protocol, "UDP") == 0 ||
		strcmp(e->protocol, "TCP") == 0);
}

/*
 * --before-dnat: the entry of the Service's ClusterIP and port that flow
 * f dialled, for backend entry out (made already) of src.
 */
static int add_dnat(struct gen *g, struct workload *src,
		    const struct flow_row *f, const struct entry *out)
{
	struct entry svc = *out;

	/*
	 * An address the store holds that is none (a damaged row) makes no
	 * rule, as a kube-dns ClusterIP that is none makes none; reading
	 * the records again, a ClusterIP the window never saw has no key.
	 */
	if (generate_cidr_peer(&g->pool, 0, f->svc_ip, 0, &svc) < 0) {
		struct addr a;

		return g->pool.find_only || addr_parse(f->svc_ip, &a) < 0 ? 0
									  : -1;
	}
	svc.port = f->service_port;
	svc.dnat = 1;
	svc.dnat_of = out->peer_w;
	svc.dnat_cidr = out->peer.cidr;
	svc.dnat_node = out->node;
	svc.dnat_port = out->port;
	return keep_entry(g, src, &svc);
}

/* The egress entry of flow f for its source workload src. */
static int add_egress(struct gen *g, struct workload *src,
		      const struct flow_row *f, const struct entry *e)
{
	const struct flow_end server = { f->dst_ns, f->dst_kind, f->dst_name,
					 f->dst_node, f->server };
	struct entry out = *e;

	out.egress = 1;
	if (end_peer(g, src->ns, &server, &out) < 0)
		return -1;
	if (g->o->dns != GENERATE_DNS_OBSERVED && is_dns(&out, f->service_port)) {
		/*
		 * Replaced by the --dns rule, kube-dns's ClusterIPs with it;
		 * --dns any allows any DNS server, another Service's too.
		 */
		if (g->o->before_dnat && g->o->dns == GENERATE_DNS_ANY &&
		    f->svc_ip != NULL && f->service_port > 0 &&
		    strmap_get(&g->inv.kube_dns_ips, f->svc_ip) == NULL)
			return add_dnat(g, src, f, &out);
		return 0;
	}
	if (g->o->before_dnat && f->svc_ip != NULL && f->service_port > 0 &&
	    add_dnat(g, src, f, &out) < 0)
		return -1;
	if (g->o->allow_internet && out.external)
		return 0; /* in the --allow-internet rule */
	return keep_entry(g, src, &out);
}

/* The ingress entry of flow f for its destination workload dst. */
static int add_ingress(struct gen *g, struct workload *dst,
		       const struct flow_row *f, const struct entry *e)
{
	const struct flow_end client = { f->src_ns, f->src_kind, f->src_name,
					 f->src_node, f->client };
	struct entry in = *e;

	/* An ingress rule names what the pod sees: after SNAT, that. */
	if (f->client_nat != NULL) {
		if (generate_cidr_peer(&g->pool, g->o->external_prefix,
				       f->client_nat, 0, &in) < 0)
			return -1;
		in.node = strmap_get(&g->inv.node_addrs, f->client_nat) != NULL;
	} else if (end_peer(g, dst->ns, &client, &in) < 0) {
		return -1;
	}
	return keep_entry(g, dst, &in);
}

static int handle_flow(struct gen *g, const struct flow_row *f)
{
	struct entry e = { 0 };
	char service[300];

	e.protocol = proto_policy_name(f->proto, 0);
	if (e.protocol == NULL) {
		if (!g->flows.history)
			g->flows.not_expressible++;
		return 0;
	}
	e.port = f->port;
	e.dbs = f->db < 64 ? 1ULL << f->db : 0;
	e.conns = f->conns;
	e.first = f->first;
	e.first_ever = f->first_ever;
	e.last = f->last;
	/* The Service is evidence of the window's alone. */
	if (f->svc_name != NULL && !g->flows.history) {
		snprintf(service, sizeof(service), "%s/%s", f->svc_ns,
			 f->svc_name);
		e.service = generate_intern(&g->pool, service);
		if (e.service == NULL) {
			errmsg_set("out of memory");
			return -1;
		}
	}
	if (e.port < 1)
		return 0;
	/* The source's egress, then the destination's ingress. */
	for (int egress = 1; egress >= 0; egress--) {
		struct workload *w =
			egress ? generate_find_workload(&g->inv, f->src_ns,
							f->src_kind, f->src_name)
			       : generate_find_workload(&g->inv, f->dst_ns,
							f->dst_kind, f->dst_name);

		if (w == NULL || !w->in_scope)
			continue;
		if (!g->flows.history)
			note_flow(w, &e);
		if ((egress ? add_egress : add_ingress)(g, w, f, &e) < 0)
			return -1;
	}
	return 0;
}

/* Row r of database db; its strings are the store's, valid as r's. */
static void row_read(const struct store_flow *r, size_t db, struct flow_row *f)
{
	*f = (struct flow_row){
		.db = db,
		.bucket = r->day,
		.client = r->client_ip,
		.server = r->server_ip,
		.port = r->server_port,
		.proto = r->protocol,
		.client_nat = r->client_nat_ip,
		.conns = r->connections,
		.first = r->first_seen,
		.first_ever = r->first_seen,
		.last = r->last_seen,
		.src_ns = r->src.namespace,
		.src_kind = r->src.kind,
		.src_name = r->src.name,
		.src_node = r->src.node,
		.dst_ns = r->dst.namespace,
		.dst_kind = r->dst.kind,
		.dst_name = r->dst.name,
		.dst_node = r->dst.node,
		.svc_ns = r->service_namespace,
		.svc_name = r->service_name,
		.service_port = r->service_port,
		.svc_ip = r->service_ip,
	};
}

/* The database read_rows() reads, for its rows. */
struct rows_read {
	struct gen *g;
	size_t db;
};

static int read_row(const struct store_flow *r, void *ctx)
{
	const struct rows_read *rr = ctx;
	struct flow_row f;

	row_read(r, rr->db, &f);
	if (f.client == NULL || f.server == NULL || f.proto == NULL) {
		errmsg_set("out of memory");
		return -1;
	}
	return handle_flow(rr->g, &f);
}

/*
 * Reads the flows of database db, the only one, and hands each row to
 * handle_flow() as it comes: nothing to merge, and nothing kept, so
 * memory does not grow with the edges.
 */
static int read_rows(struct gen *g, size_t db)
{
	struct rows_read rr = { g, db };

	return store_read_generate_flows(g->stores[db], g->o->since,
					 g->o->until, read_row, &rr);
}

/*
 * A row of the merge of several databases (store_read_merged_flows():
 * one database's rows stand for a connection that several recorded, the
 * client's node and the server's), first seen when any of them saw it
 * first.
 */
static int merged_row(const struct store_flow *r, size_t db,
		      int64_t first_any, void *ctx)
{
	struct gen *g = ctx;
	struct flow_row f;

	row_read(r, db, &f);
	f.first_ever = first_any;
	return handle_flow(g, &f);
}

static int merge(struct gen *g)
{
	return store_read_merged_flows(g->stores, g->n_stores, g->o->since,
				       g->o->until, merged_row, g);
}

int generate_load_flows(struct gen *g)
{
	return g->n_stores > 1 ? merge(g) : read_rows(g, 0);
}

/*
 * Every record of every database, as sightings of the window's entries
 * (see the top of the file): what each database saw, by itself, since
 * only the earliest counts.
 */
static int read_history(struct gen *g)
{
	int rc = 0;

	g->flows.history = 1;
	g->pool.find_only = 1;
	for (size_t db = 0; db < g->n_stores && rc == 0; db++) {
		struct rows_read rr = { g, db };

		rc = store_read_generate_flows(g->stores[db], INT64_MIN,
					       INT64_MAX, read_row, &rr);
	}
	g->flows.history = 0;
	g->pool.find_only = 0;
	return rc;
}

/*
 * Of w's entries, the one first seen last (the first in order on a tie);
 * a ClusterIP's before DNAT tells nothing its backend's does not.
 */
static void note_newest(struct workload *w)
{
	memset(&w->newest, 0, sizeof(w->newest));
	for (size_t i = 0; i < w->n; i++)
		if (!w->e[i].dnat &&
		    (w->newest.key == NULL ||
		     w->e[i].first_ever > w->newest.first_ever))
			w->newest = w->e[i];
}

int generate_load_history(struct gen *g)
{
	int any = 0;

	for (size_t i = 0; i < g->inv.n_w; i++) {
		struct workload *w = &g->inv.w[i];

		if (!w->in_scope)
			continue;
		generate_merge_entries(w);
		any |= w->n > 0;
	}
	/*
	 * A window from the start (0, the default) holds every record; with
	 * no entry at all, there is nothing to date.
	 */
	if (any && g->o->since > 0 && read_history(g) < 0)
		return -1;
	for (size_t i = 0; i < g->inv.n_w; i++)
		if (g->inv.w[i].in_scope)
			note_newest(&g->inv.w[i]);
	return 0;
}
