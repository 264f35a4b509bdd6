/*
 * generate: observed flows to NetworkPolicies (generate.h).
 *
 * Every flow of the window is read once, resolved to identities by the
 * store's flow_resolved view.  Each flow gives an egress entry to its
 * source's workload and an ingress entry to its destination's, when those
 * are in scope.  Entries are merged per (direction, peer, port), then
 * grouped into one rule per peer.  The peer is what the policy's pod sees:
 * a workload by its selector, else the exact address (a node, an outside
 * host, or the address SNAT gave the client).
 *
 * A database holds a row per edge per time bucket, a million a day on a
 * big cluster, but far fewer distinct peers.  So one database's rows are
 * handled as they come and not kept, each distinct string they leave
 * behind is stored once, and a workload's entries are folded as they pile
 * up: memory follows the peers, not the rows.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "podflow/addr.h"
#include "podflow/errmsg.h"
#include "podflow/kyaml.h"
#include "podflow/selector.h"
#include "podflow/strmap.h"
#include "podflow/timefmt.h"
#include "podflow/verdict.h"
#include "endpoint.h"
#include "generate.h"
#include "sql.h"

#define MAX_POD_CIDRS 64
/* Longest label of a DNS subdomain, which a NetworkPolicy name is. */
#define LABEL_MAX_LEN 63
/* Warn about a workload reaching this many addresses on one port. */
#define CHURN_THRESHOLD 8
/*
 * A workload's entries are folded (equal direction, peer and port) when
 * their array is full and holds at least this many; it grows only if
 * folding left it over three quarters full.  Flows repeat the same few
 * peers bucket after bucket, so memory follows the distinct peers.
 */
#define FOLD_MIN_ENTRIES 64

#define ANNOTATION(k) "podflow.io/" k

/* One observed (direction, peer, port) and the flows behind it. */
struct entry {
	int egress;
	struct netpol_peer peer;
	const char *key;  /* the peer's canonical order */
	const char *desc; /* the peer for people */
	const char *protocol;
	int port;
	int64_t conns, first, last;
	const char *service; /* "ns/name" of a Service used, or NULL */
	int external;	     /* an address outside pods and nodes */
	int node;	     /* a node's address */
	const struct workload *peer_w; /* a pod peer's workload, or NULL */
	uint64_t dbs;	     /* which databases recorded it (bit i: --db i) */
};

struct workload {
	const char *ns, *kind, *name;
	const char *selector; /* JSON, NULL: its pods share no label */
	const char *source;   /* owner | pods */
	int host_network;
	int in_scope;
	struct entry *e;
	size_t n, cap;
	size_t flows; /* flows seen, whether or not a rule came of them */
	int64_t conns, first, last;
	const char *peer_key, *peer_desc; /* pod_peer()'s, made once */
};

/* One resolved edge, from one node's database. */
struct flow_row {
	size_t db;
	int64_t bucket;
	const char *client, *server, *proto, *client_nat;
	int port, service_port;
	int64_t conns, first, last;
	const char *src_ns, *src_kind, *src_name, *src_node;
	const char *dst_ns, *dst_kind, *dst_name, *dst_node;
	const char *svc_ns, *svc_name;
};

struct gen {
	const struct generate_opts *o;
	struct store *s; /* the first database: the inventory */
	struct store *const *stores;
	size_t n_stores;
	struct flow_row *rows;
	size_t n_rows, cap_rows;
	struct arena *a;
	FILE *diag;
	struct workload *w;
	size_t n_w;
	struct cidr pod_cidrs[MAX_POD_CIDRS];
	size_t n_pod_cidrs;
	size_t not_expressible;
	size_t unknown_pod_ips; /* peers in the pod CIDRs that no known pod held */
	struct strmap strings; /* intern(): text -> its one copy in g->a */
	/* selector_overlap(): the pods of one namespace, labels parsed once */
	const char *ns_pods_of; /* that namespace; NULL: none read yet */
	struct ns_pod *ns_pods;
	size_t n_ns_pods, cap_ns_pods;
	struct arena ns_mem; /* ns_pods' strings and labels */
	struct endpoints *ep; /* with opts->existing: the pods to evaluate */
	struct strmap node_addrs; /* the inventory's node addresses */
	/* opts->existing less the policies this run replaces; n 0: none */
	struct polset existing;
	struct generate_proposal *props;
	size_t n_props, cap_props;
};

/* A pod of the namespace selector_overlap() is looking at. */
struct ns_pod {
	const char *kind, *name; /* its workload */
	const struct knode *labels;
	int bad; /* labels that do not parse: no selector picks the pod */
};

static const char *dup(struct gen *g, const char *s)
{
	return s ? arena_strdup(g->a, s) : NULL;
}

/* FNV-1a. */
static uint64_t hash_str(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 0x100000001b3ULL;
	return h;
}

/*
 * dup() for the strings each flow makes (peer keys, addresses, Service
 * names): each distinct one is stored once, so that memory grows with
 * the distinct peers, not with the flows.  The copy handed out lives in
 * g->a, with the policies.  NULL for NULL, or when out of memory.
 */
static const char *intern(struct gen *g, const char *s)
{
	struct strmap_slot *slot;

	if (s == NULL || (slot = strmap_slot(&g->strings, s)) == NULL)
		return NULL;
	if (slot->value == NULL)
		slot->value = arena_strdup(g->a, s);
	return slot->value;
}

static int cmp_workload(const void *a, const void *b)
{
	const struct workload *x = a, *y = b;
	int c = strcmp(x->ns, y->ns);

	if (c == 0)
		c = strcmp(x->kind, y->kind);
	return c ? c : strcmp(x->name, y->name);
}

static struct workload *find_workload(struct gen *g, const char *ns,
				      const char *kind, const char *name)
{
	struct workload key = { .ns = ns, .kind = kind, .name = name };

	if (ns == NULL || kind == NULL || name == NULL)
		return NULL;
	return bsearch(&key, g->w, g->n_w, sizeof(*g->w), cmp_workload);
}

static int in_scope(const struct generate_opts *o, const char *ns,
		    const char *kind, const char *name)
{
	if (o->namespace && strcmp(o->namespace, ns) != 0)
		return 0;
	if (o->workload_kind && strcasecmp(o->workload_kind, kind) != 0)
		return 0;
	return o->workload_name == NULL || strcmp(o->workload_name, name) == 0;
}

static int load_workloads(struct gen *g)
{
	sqlite3_stmt *st = NULL;
	size_t cap = 0;
	int rc;

	if (sqlite3_prepare_v2(store_db(g->s), sql_generate_workloads, -1, &st,
			       NULL) != SQLITE_OK)
		goto dberr;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct workload *w;

		if (g->n_w == cap) {
			size_t ncap = cap ? cap * 2 : 64;
			struct workload *grown =
				arena_alloc(g->a, ncap * sizeof(*grown));

			if (grown == NULL)
				goto oom;
			if (g->n_w)
				memcpy(grown, g->w, g->n_w * sizeof(*grown));
			g->w = grown;
			cap = ncap;
		}
		w = &g->w[g->n_w++];
		memset(w, 0, sizeof(*w));
		w->ns = dup(g, (const char *)sqlite3_column_text(st, 0));
		w->kind = dup(g, (const char *)sqlite3_column_text(st, 1));
		w->name = dup(g, (const char *)sqlite3_column_text(st, 2));
		w->selector = dup(g, (const char *)sqlite3_column_text(st, 3));
		w->source = dup(g, (const char *)sqlite3_column_text(st, 4));
		w->host_network = sqlite3_column_int(st, 5);
		w->in_scope = in_scope(g->o, w->ns, w->kind, w->name);
		if (w->ns == NULL || w->kind == NULL || w->name == NULL)
			goto oom;
	}
	if (rc != SQLITE_DONE)
		goto dberr;
	sqlite3_finalize(st);
	/* The query sorts with SQLite's collation; bsearch needs strcmp's. */
	if (g->n_w > 1)
		qsort(g->w, g->n_w, sizeof(*g->w), cmp_workload);
	return 0;
dberr:
	errmsg_set("%s: %s", store_filename(g->s), sqlite3_errmsg(store_db(g->s)));
	sqlite3_finalize(st);
	return -1;
oom:
	errmsg_set("out of memory");
	sqlite3_finalize(st);
	return -1;
}

/* A workload filter that names nothing, or several kinds, is an error. */
static int check_workload_filter(struct gen *g)
{
	const struct generate_opts *o = g->o;
	char kinds[512] = "";
	size_t found = 0;

	if (o->workload_name == NULL)
		return 0;
	for (size_t i = 0; i < g->n_w; i++) {
		if (!g->w[i].in_scope)
			continue;
		if (found++ > 0)
			strncat(kinds, ", ", sizeof(kinds) - strlen(kinds) - 1);
		strncat(kinds, g->w[i].ns, sizeof(kinds) - strlen(kinds) - 1);
		strncat(kinds, "/", sizeof(kinds) - strlen(kinds) - 1);
		strncat(kinds, g->w[i].kind, sizeof(kinds) - strlen(kinds) - 1);
		strncat(kinds, "/", sizeof(kinds) - strlen(kinds) - 1);
		strncat(kinds, g->w[i].name, sizeof(kinds) - strlen(kinds) - 1);
	}
	if (found == 0) {
		errmsg_set("--workload %s%s%s: no such workload in the inventory%s%s",
			   o->workload_kind ? o->workload_kind : "",
			   o->workload_kind ? "/" : "", o->workload_name,
			   o->namespace ? " of namespace " : "",
			   o->namespace ? o->namespace : "");
		return -1;
	}
	if (found > 1 && o->workload_kind == NULL) {
		errmsg_set("--workload %s matches several workloads (%s): give "
			   "KIND/NAME or --namespace",
			   o->workload_name, kinds);
		return -1;
	}
	return 0;
}

static int load_node_addresses(struct gen *g)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_prepare_v2(store_db(g->s), sql_generate_node_addresses, -1,
			       &st, NULL) != SQLITE_OK)
		goto fail;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct strmap_slot *slot = strmap_slot(
			&g->node_addrs, (const char *)sqlite3_column_text(st, 0));

		if (slot == NULL) {
			sqlite3_finalize(st);
			errmsg_set("out of memory");
			return -1;
		}
		slot->value = slot;
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE)
		return 0;
fail:
	errmsg_set("%s: %s", store_filename(g->s), sqlite3_errmsg(store_db(g->s)));
	return -1;
}

static void load_pod_cidrs(struct gen *g)
{
	char *text = NULL, *tok, *save = NULL;

	if (store_meta_get(g->s, "pod_cidrs", &text) < 0 || text == NULL)
		return;
	for (tok = strtok_r(text, " ", &save);
	     tok && g->n_pod_cidrs < MAX_POD_CIDRS;
	     tok = strtok_r(NULL, " ", &save)) {
		struct cidr c;
		int known = 0;

		if (cidr_parse(tok, &c) < 0)
			continue;
		for (size_t i = 0; i < g->n_pod_cidrs; i++)
			known |= g->pod_cidrs[i].len == c.len &&
				 addr_equal(&g->pod_cidrs[i].net, &c.net);
		if (!known)
			g->pod_cidrs[g->n_pod_cidrs++] = c;
	}
	free(text);
}

static int in_pod_cidrs(const struct gen *g, const struct addr *a)
{
	for (size_t i = 0; i < g->n_pod_cidrs; i++)
		if (cidr_contains(&g->pod_cidrs[i], a))
			return 1;
	return 0;
}

/*
 * An ipBlock peer for an address: exact (/32, /128), or an outside IPv4
 * address aggregated to --external-prefix.  The sort key orders by family,
 * then address bytes, then length.
 */
static int cidr_peer(struct gen *g, const char *ip, int external,
		     struct entry *e)
{
	struct addr a;
	struct cidr c = { 0 };
	char text[CIDR_STRLEN], key[80];
	unsigned int len;

	if (ip == NULL || addr_parse(ip, &a) < 0)
		return -1;
	len = a.family == AF_INET ? 32 : 128;
	if (external && a.family == AF_INET && g->o->external_prefix > 0)
		len = (unsigned int)g->o->external_prefix;
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
	e->peer.cidr = intern(g, text);
	e->key = intern(g, key);
	e->desc = e->peer.cidr;
	e->external = external;
	if (e->peer.cidr == NULL || e->key == NULL) {
		errmsg_set("out of memory");
		return -1;
	}
	return 0;
}

/* A pod peer for workload p, seen from a policy in namespace ns. */
static int pod_peer(struct gen *g, struct workload *p, const char *ns,
		    struct entry *e)
{
	if (p->peer_key == NULL) {
		char key[768], desc[640];

		snprintf(key, sizeof(key), "p|%s|%s|%s", p->ns, p->kind,
			 p->name);
		snprintf(desc, sizeof(desc), "%s/%s/%s", p->ns, p->kind,
			 p->name);
		p->peer_key = dup(g, key);
		p->peer_desc = dup(g, desc);
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

/*
 * The peer at one end of a flow, for a policy in namespace ns: the
 * workload that held the address, else the address itself.
 */
static int end_peer(struct gen *g, const char *ns, const char *pns,
		    const char *pkind, const char *pname, const char *node,
		    const char *ip, struct entry *e)
{
	struct workload *p = find_workload(g, pns, pkind, pname);
	struct addr a;

	/* A workload whose pods share no label can only be its addresses. */
	if (p != NULL && p->selector != NULL)
		return pod_peer(g, p, ns, e);
	if (pname == NULL && node == NULL && ip != NULL &&
	    addr_parse(ip, &a) == 0 && in_pod_cidrs(g, &a))
		g->unknown_pod_ips++;
	if (cidr_peer(g, ip,
		      node == NULL && pname == NULL && addr_parse(ip, &a) == 0 &&
			      !in_pod_cidrs(g, &a),
		      e) < 0)
		return -1;
	e->node = node != NULL && pname == NULL;
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
	return x->port - y->port;
}

/*
 * Folds equal (direction, peer, port) entries into one.  add_entry()
 * folds along the way, and folding again gives what folding once would:
 * sums, minima and maxima, and the first Service seen (qsort() keeps
 * equal entries in order, as glibc's merge sort does, and a folded entry
 * comes before those added after it).
 */
static void merge_entries(struct workload *w)
{
	size_t out = 0;

	if (w->n > 1)
		qsort(w->e, w->n, sizeof(*w->e), cmp_entry);
	for (size_t i = 0; i < w->n; i++) {
		if (out > 0 && cmp_entry(&w->e[out - 1], &w->e[i]) == 0) {
			struct entry *m = &w->e[out - 1];

			m->conns += w->e[i].conns;
			if (w->e[i].first < m->first)
				m->first = w->e[i].first;
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

static int add_entry(struct gen *g, struct workload *w, const struct entry *e)
{
	if (w->n == w->cap) {
		if (w->n >= FOLD_MIN_ENTRIES)
			merge_entries(w);
		if (w->cap == 0 || w->n * 4 > w->cap * 3) {
			size_t cap = w->cap ? w->cap * 2 : 16;
			struct entry *grown =
				arena_alloc(g->a, cap * sizeof(*grown));

			if (grown == NULL) {
				errmsg_set("out of memory");
				return -1;
			}
			if (w->n)
				memcpy(grown, w->e, w->n * sizeof(*grown));
			w->e = grown;
			w->cap = cap;
		}
	}
	w->e[w->n++] = *e;
	return 0;
}

/* Every flow of a workload counts for its window and status. */
static void note_flow(struct workload *w, const struct entry *e)
{
	w->flows++;
	w->conns += e->conns;
	if (w->first == 0 || e->first < w->first)
		w->first = e->first;
	if (e->last > w->last)
		w->last = e->last;
}

static const char *text(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

/* Columns of sql/generate_flows.sql. */
enum {
	G_BUCKET, G_CLIENT, G_SERVER, G_PORT, G_PROTO, G_CLIENT_NAT,
	G_CONNS, G_FIRST, G_LAST,
	G_SRC_NS, G_SRC_KIND, G_SRC_NAME, G_SRC_NODE,
	G_DST_NS, G_DST_KIND, G_DST_NAME, G_DST_NODE,
	G_SVC_NS, G_SVC_NAME, G_SVC_PORT,
};

static int is_dns(const struct entry *e, int service_port)
{
	return e->egress && (e->port == 53 || service_port == 53) &&
	       (strcmp(e->protocol, "UDP") == 0 ||
		strcmp(e->protocol, "TCP") == 0);
}

static int handle_flow(struct gen *g, const struct flow_row *f)
{
	struct workload *src, *dst;
	struct entry e = { 0 };
	char service[300];

	if (strcmp(f->proto, "TCP") && strcmp(f->proto, "UDP") &&
	    strcmp(f->proto, "SCTP")) {
		g->not_expressible++;
		return 0;
	}
	e.protocol = strcmp(f->proto, "TCP") == 0   ? "TCP"
		     : strcmp(f->proto, "UDP") == 0 ? "UDP"
						    : "SCTP";
	e.port = f->port;
	e.dbs = f->db < 64 ? 1ULL << f->db : 0;
	e.conns = f->conns;
	e.first = f->first;
	e.last = f->last;
	if (f->svc_name != NULL) {
		snprintf(service, sizeof(service), "%s/%s", f->svc_ns,
			 f->svc_name);
		e.service = intern(g, service);
		if (e.service == NULL) {
			errmsg_set("out of memory");
			return -1;
		}
	}
	if (e.port < 1)
		return 0;

	src = find_workload(g, f->src_ns, f->src_kind, f->src_name);
	if (src != NULL && src->in_scope) {
		struct entry out = e;

		note_flow(src, &e);
		out.egress = 1;
		if (end_peer(g, src->ns, f->dst_ns, f->dst_kind, f->dst_name,
			     f->dst_node, f->server, &out) < 0)
			return -1;
		if (g->o->dns != GENERATE_DNS_OBSERVED &&
		    is_dns(&out, f->service_port))
			; /* replaced by the --dns rule */
		else if (!(g->o->allow_internet && out.external) &&
			 add_entry(g, src, &out) < 0)
			return -1;
	}
	dst = find_workload(g, f->dst_ns, f->dst_kind, f->dst_name);
	if (dst != NULL && dst->in_scope) {
		struct entry in = e;

		note_flow(dst, &e);
		/* An ingress rule names what the pod sees: after SNAT, that. */
		if (f->client_nat != NULL) {
			if (cidr_peer(g, f->client_nat, 0, &in) < 0)
				return -1;
			in.node = strmap_get(&g->node_addrs, f->client_nat) !=
				  NULL;
		} else if (end_peer(g, dst->ns, f->src_ns, f->src_kind,
				    f->src_name, f->src_node, f->client,
				    &in) < 0) {
			return -1;
		}
		if (add_entry(g, dst, &in) < 0)
			return -1;
	}
	return 0;
}

/* The row st is on; its strings are SQLite's, valid until the next step. */
static void row_read(sqlite3_stmt *st, size_t db, struct flow_row *f)
{
	*f = (struct flow_row){
		.db = db,
		.bucket = sqlite3_column_int64(st, G_BUCKET),
		.client = text(st, G_CLIENT),
		.server = text(st, G_SERVER),
		.port = sqlite3_column_int(st, G_PORT),
		.proto = text(st, G_PROTO),
		.client_nat = text(st, G_CLIENT_NAT),
		.conns = sqlite3_column_int64(st, G_CONNS),
		.first = sqlite3_column_int64(st, G_FIRST),
		.last = sqlite3_column_int64(st, G_LAST),
		.src_ns = text(st, G_SRC_NS),
		.src_kind = text(st, G_SRC_KIND),
		.src_name = text(st, G_SRC_NAME),
		.src_node = text(st, G_SRC_NODE),
		.dst_ns = text(st, G_DST_NS),
		.dst_kind = text(st, G_DST_KIND),
		.dst_name = text(st, G_DST_NAME),
		.dst_node = text(st, G_DST_NODE),
		.svc_ns = text(st, G_SVC_NS),
		.svc_name = text(st, G_SVC_NAME),
		.service_port = sqlite3_column_int(st, G_SVC_PORT),
	};
}

/* Keeps the row st is on, for merge_and_handle(). */
static int add_row(struct gen *g, size_t db, sqlite3_stmt *st)
{
	struct flow_row f;
	/* The same names and addresses come back row after row. */
	const char **strs[] = {
		&f.client, &f.server,	&f.proto,    &f.client_nat,
		&f.src_ns, &f.src_kind, &f.src_name, &f.src_node,
		&f.dst_ns, &f.dst_kind, &f.dst_name, &f.dst_node,
		&f.svc_ns, &f.svc_name,
	};

	row_read(st, db, &f);
	if (f.client == NULL || f.server == NULL || f.proto == NULL)
		return -1;
	for (size_t i = 0; i < sizeof(strs) / sizeof(*strs); i++)
		if (*strs[i] != NULL && (*strs[i] = intern(g, *strs[i])) == NULL)
			return -1;
	if (g->n_rows == g->cap_rows) {
		size_t cap = g->cap_rows ? g->cap_rows * 2 : 256;
		struct flow_row *grown = realloc(g->rows, cap * sizeof(*grown));

		if (grown == NULL)
			return -1;
		g->rows = grown;
		g->cap_rows = cap;
	}
	g->rows[g->n_rows++] = f;
	return 0;
}

/*
 * Runs sql/generate_flows.sql on database db and hands each row to
 * handle_flow() as it comes (one database: nothing to merge, and nothing
 * kept, so memory does not grow with the edges), or keeps it for
 * merge_and_handle() (several).
 */
static int read_rows(struct gen *g, size_t db)
{
	struct store *s = g->stores[db];
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_prepare_v2(store_db(s), sql_generate_flows, -1, &st, NULL) !=
	    SQLITE_OK)
		goto dberr;
	sqlite3_bind_int64(st, 1, g->o->since);
	sqlite3_bind_int64(st, 2, g->o->until);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct flow_row f;

		if (g->n_stores > 1) {
			if (add_row(g, db, st) < 0)
				goto oom;
			continue;
		}
		row_read(st, db, &f);
		if (f.client == NULL || f.server == NULL || f.proto == NULL)
			goto oom;
		if (handle_flow(g, &f) < 0)
			goto err;
	}
	if (rc != SQLITE_DONE)
		goto dberr;
	sqlite3_finalize(st);
	return 0;
oom:
	errmsg_set("out of memory");
	goto err;
dberr:
	errmsg_set("%s: %s", store_filename(s), sqlite3_errmsg(store_db(s)));
err:
	sqlite3_finalize(st);
	return -1;
}

/*
 * The connection a row counts: the same on the client's and the server's
 * node.  sql/generate_flows.sql orders rows the same way, so that one
 * database's rows, handled as they come, are handled in the order
 * merge_and_handle() would give them.
 */
static int cmp_row(const void *a, const void *b)
{
	const struct flow_row *x = a, *y = b;
	int c;

	if (x->bucket != y->bucket)
		return x->bucket < y->bucket ? -1 : 1;
	if ((c = strcmp(x->client, y->client)) != 0 ||
	    (c = strcmp(x->server, y->server)) != 0 ||
	    (c = strcmp(x->proto, y->proto)) != 0)
		return c;
	if (x->port != y->port)
		return x->port - y->port;
	return x->db < y->db ? -1 : x->db > y->db;
}

/*
 * Feeds the rows to handle_flow().  Where several databases recorded the
 * same connections (the client's node and the server's), one database's
 * rows stand for them: the one that saw the Service (DNAT happens on the
 * client's node), else the one that counted most.
 */
static int merge_and_handle(struct gen *g)
{
	if (g->n_rows > 1)
		qsort(g->rows, g->n_rows, sizeof(*g->rows), cmp_row);
	for (size_t i = 0; i < g->n_rows;) {
		size_t j = i, keep_db = g->rows[i].db;
		int64_t best = -1;
		int best_svc = 0;

		while (j < g->n_rows && cmp_row(&g->rows[i], &g->rows[j]) <= 0 &&
		       g->rows[j].bucket == g->rows[i].bucket &&
		       strcmp(g->rows[j].client, g->rows[i].client) == 0 &&
		       strcmp(g->rows[j].server, g->rows[i].server) == 0 &&
		       strcmp(g->rows[j].proto, g->rows[i].proto) == 0 &&
		       g->rows[j].port == g->rows[i].port)
			j++;
		for (size_t k = i; k < j;) {
			size_t m = k;
			int64_t conns = 0;
			int svc = 0;

			while (m < j && g->rows[m].db == g->rows[k].db) {
				conns += g->rows[m].conns;
				svc |= g->rows[m].service_port > 0;
				m++;
			}
			if (svc > best_svc || (svc == best_svc && conns > best)) {
				best = conns;
				best_svc = svc;
				keep_db = g->rows[k].db;
			}
			k = m;
		}
		for (size_t k = i; k < j; k++)
			if (g->rows[k].db == keep_db && handle_flow(g, &g->rows[k]) < 0)
				return -1;
		i = j;
	}
	return 0;
}

static int load_flows(struct gen *g)
{
	for (size_t db = 0; db < g->n_stores; db++)
		if (read_rows(g, db) < 0)
			return -1;
	return g->n_stores > 1 ? merge_and_handle(g) : 0;
}

/* With --port-range-threshold N: N or more ports of one protocol become a range. */
static void collapse_ports(struct gen *g, struct netpol_rule *r)
{
	size_t out = 0;

	if (g->o->port_range_threshold <= 0)
		return;
	for (size_t i = 0; i < r->n_ports;) {
		size_t j = i;
		int lo = r->ports[i].port, hi = r->ports[i].port;

		while (j < r->n_ports &&
		       strcmp(r->ports[j].protocol, r->ports[i].protocol) == 0) {
			if (r->ports[j].port < lo)
				lo = r->ports[j].port;
			if (r->ports[j].port > hi)
				hi = r->ports[j].port;
			j++;
		}
		if (j - i >= (size_t)g->o->port_range_threshold) {
			r->ports[out] = r->ports[i];
			r->ports[out].port = lo;
			r->ports[out].end_port = hi;
			out++;
		} else {
			for (size_t k = i; k < j; k++)
				r->ports[out++] = r->ports[k];
		}
		i = j;
	}
	r->n_ports = out;
}

/* Groups merged entries (sorted by direction and peer) into rules. */
static int build_rules(struct gen *g, const struct workload *w, int egress,
		       struct netpol_rule **rules, size_t *n)
{
	size_t cap = 0;

	*rules = NULL;
	*n = 0;
	for (size_t i = 0; i < w->n; i++)
		if (w->e[i].egress == egress)
			cap++;
	if (cap == 0)
		return 0;
	*rules = arena_alloc(g->a, cap * sizeof(**rules));
	if (*rules == NULL)
		goto oom;
	for (size_t i = 0; i < w->n;) {
		size_t j = i;
		struct netpol_rule *r;

		if (w->e[i].egress != egress) {
			i++;
			continue;
		}
		while (j < w->n && w->e[j].egress == egress &&
		       strcmp(w->e[j].key, w->e[i].key) == 0)
			j++;
		r = &(*rules)[(*n)++];
		r->peer = w->e[i].peer;
		r->sort_key = w->e[i].key;
		r->ports = arena_alloc(g->a, (j - i) * sizeof(*r->ports));
		if (r->ports == NULL)
			goto oom;
		for (size_t k = i; k < j; k++) {
			r->ports[r->n_ports].protocol = w->e[k].protocol;
			r->ports[r->n_ports++].port = w->e[k].port;
		}
		collapse_ports(g, r);
		i = j;
	}
	return 0;
oom:
	errmsg_set("out of memory");
	return -1;
}

/* Appends one rule built by hand (the --dns and --allow-internet ones). */
static int append_rule(struct gen *g, struct netpol_rule **rules, size_t *n,
		       const struct netpol_rule *r)
{
	struct netpol_rule *grown = arena_alloc(g->a, (*n + 1) * sizeof(*grown));

	if (grown == NULL) {
		errmsg_set("out of memory");
		return -1;
	}
	if (*n)
		memcpy(grown, *rules, *n * sizeof(*grown));
	grown[(*n)++] = *r;
	*rules = grown;
	return 0;
}

static struct netpol_port *dns_ports(struct gen *g, const int *numbers,
				     size_t count, size_t *n)
{
	struct netpol_port *p = arena_alloc(g->a, 2 * count * sizeof(*p));

	*n = 0;
	if (p == NULL)
		return NULL;
	for (size_t i = 0; i < count; i++) {
		p[(*n)++] = (struct netpol_port){ "UDP", numbers[i], 0 };
		p[(*n)++] = (struct netpol_port){ "TCP", numbers[i], 0 };
	}
	return p;
}

/*
 * --dns kube-dns: the pods behind kube-system/kube-dns, on UDP and TCP 53
 * and the Service's numeric target ports.
 */
static int kube_dns_rule(struct gen *g, struct netpol_rule *r, const char *ns)
{
	static const char *const q =
		"SELECT s.selector, group_concat(DISTINCT sp.target_port) "
		"FROM service AS s LEFT JOIN service_port AS sp "
		"ON sp.service_id = s.id WHERE s.namespace = 'kube-system' "
		"AND s.name = 'kube-dns' AND s.selector IS NOT NULL";
	sqlite3_stmt *st = NULL;
	int ports[8] = { 53 }, n = 1;
	char *list = NULL, *tok, *save = NULL;

	if (sqlite3_prepare_v2(store_db(g->s), q, -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW || sqlite3_column_text(st, 0) == NULL) {
		sqlite3_finalize(st);
		errmsg_set("--dns kube-dns: the inventory has no Service "
			   "kube-system/kube-dns with a selector");
		return -1;
	}
	memset(r, 0, sizeof(*r));
	r->peer.type = NETPOL_PEER_PODS;
	r->peer.namespace = strcmp(ns, "kube-system") == 0 ? NULL : "kube-system";
	r->peer.pod_selector = arena_strdup(g->a, "{\"matchLabels\":");
	if (r->peer.pod_selector) {
		size_t len = strlen(r->peer.pod_selector) +
			     strlen((const char *)sqlite3_column_text(st, 0)) + 2;
		char *sel = arena_alloc(g->a, len);

		if (sel)
			snprintf(sel, len, "{\"matchLabels\":%s}",
				 (const char *)sqlite3_column_text(st, 0));
		r->peer.pod_selector = sel;
	}
	if (sqlite3_column_text(st, 1) != NULL)
		list = strdup((const char *)sqlite3_column_text(st, 1));
	for (tok = list ? strtok_r(list, ",", &save) : NULL; tok && n < 8;
	     tok = strtok_r(NULL, ",", &save)) {
		int p = atoi(tok);
		int seen = 0;

		for (int i = 0; i < n; i++)
			seen |= ports[i] == p;
		if (p > 0 && p < 65536 && !seen)
			ports[n++] = p;
	}
	free(list);
	sqlite3_finalize(st);
	r->sort_key = "d|kube-dns";
	r->ports = dns_ports(g, ports, (size_t)n, &r->n_ports);
	return r->ports && r->peer.pod_selector ? 0 : -1;
}

static int add_dns_rules(struct gen *g, const struct workload *w,
			 struct netpol_rule **rules, size_t *n)
{
	static const int port53[] = { 53 };
	struct netpol_rule r = { 0 };

	if (g->o->dns == GENERATE_DNS_ANY) {
		r.peer.type = NETPOL_PEER_ALL_NAMESPACES;
		r.sort_key = "d|any";
		r.ports = dns_ports(g, port53, 1, &r.n_ports);
		if (r.ports == NULL || append_rule(g, rules, n, &r) < 0)
			return -1;
	} else if (g->o->dns == GENERATE_DNS_KUBE_DNS) {
		if (kube_dns_rule(g, &r, w->ns) < 0 ||
		    append_rule(g, rules, n, &r) < 0)
			return -1;
	}
	if (g->o->dns == GENERATE_DNS_NONE)
		return 0;
	for (size_t i = 0; i < g->o->n_dns_ips; i++) {
		struct entry e = { 0 };

		if (cidr_peer(g, g->o->dns_ips[i], 0, &e) < 0) {
			errmsg_set("--dns-ip: '%s' is not an address",
				   g->o->dns_ips[i]);
			return -1;
		}
		memset(&r, 0, sizeof(r));
		r.peer = e.peer;
		r.sort_key = e.key;
		r.ports = dns_ports(g, port53, 1, &r.n_ports);
		if (r.ports == NULL || append_rule(g, rules, n, &r) < 0)
			return -1;
	}
	return 0;
}

/*
 * --allow-internet: everything outside the cluster, that is any address
 * but the pod and service CIDRs.
 */
static int add_internet_rules(struct gen *g, struct netpol_rule **rules,
			      size_t *n)
{
	static const char *const all[2] = { "0.0.0.0/0", "::/0" };
	char buf[CIDR_STRLEN];

	for (int fam = 0; fam < 2; fam++) {
		struct netpol_rule r = { 0 };
		const char **except =
			arena_alloc(g->a, (g->n_pod_cidrs + g->o->n_service_cidrs + 1) *
						  sizeof(*except));
		size_t ne = 0;
		struct cidr c;

		if (except == NULL)
			return -1;
		for (size_t i = 0; i < g->n_pod_cidrs; i++)
			if ((g->pod_cidrs[i].net.family == AF_INET) == (fam == 0))
				except[ne++] = dup(g, cidr_format(&g->pod_cidrs[i],
								   buf));
		for (size_t i = 0; i < g->o->n_service_cidrs; i++)
			if (cidr_parse(g->o->service_cidrs[i], &c) == 0 &&
			    (c.net.family == AF_INET) == (fam == 0))
				except[ne++] = g->o->service_cidrs[i];
		/* No IPv6 in the cluster: no IPv6 rule. */
		if (fam == 1 && ne == 0)
			continue;
		r.peer.type = NETPOL_PEER_CIDR;
		r.peer.cidr = all[fam];
		r.peer.except = except;
		r.peer.n_except = ne;
		r.sort_key = fam == 0 ? "i|4" : "i|6";
		if (append_rule(g, rules, n, &r) < 0)
			return -1;
	}
	return 0;
}

const char *generate_policy_name(struct arena *a, const char *kind,
				 const char *name)
{
	size_t len = strlen("podflow--") + strlen(kind) + strlen(name) + 1;
	char *out = arena_alloc(a, len > LABEL_MAX_LEN + 1 ? len : LABEL_MAX_LEN + 1);
	uint64_t h;
	size_t keep;

	if (out == NULL)
		return NULL;
	snprintf(out, len, "podflow-%s-%s", kind, name);
	for (char *p = out; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	if (netpol_is_dns_subdomain(out))
		return out;
	/*
	 * Too long, or the prefix made its first label longer than a DNS
	 * label may be: keep a prefix as one label, and a hash of the whole
	 * so that two long names stay apart.
	 */
	h = hash_str(out);
	keep = strcspn(out, ".");
	if (keep > LABEL_MAX_LEN - 9)
		keep = LABEL_MAX_LEN - 9;
	out[keep] = '\0';
	while (keep > 0 && out[keep - 1] == '-')
		out[--keep] = '\0';
	snprintf(out + keep, 10, "-%08x", (unsigned int)(h ^ (h >> 32)));
	return out;
}

/*
 * Reads the pods of namespace ns and parses their labels, unless they are
 * those already read: the workloads come sorted by namespace, so each
 * namespace is read once, not once per workload.
 */
static int load_ns_pods(struct gen *g, const char *ns)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (g->ns_pods_of != NULL && strcmp(g->ns_pods_of, ns) == 0)
		return 0;
	arena_reset(&g->ns_mem);
	g->n_ns_pods = 0;
	g->ns_pods_of = NULL;
	if (sqlite3_prepare_v2(store_db(g->s), sql_generate_pod_labels, -1, &st,
			       NULL) != SQLITE_OK)
		goto err;
	sqlite3_bind_text(st, 1, ns, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, g->o->since);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *kind = text(st, 0), *name = text(st, 1);
		const char *labels = text(st, 2);
		struct ns_pod *p;

		if (kind == NULL || name == NULL || labels == NULL)
			goto err;
		if (g->n_ns_pods == g->cap_ns_pods) {
			size_t cap = g->cap_ns_pods ? 2 * g->cap_ns_pods : 64;
			struct ns_pod *t = realloc(g->ns_pods, cap * sizeof(*t));

			if (t == NULL)
				goto err;
			g->ns_pods = t;
			g->cap_ns_pods = cap;
		}
		p = &g->ns_pods[g->n_ns_pods++];
		p->kind = arena_strdup(&g->ns_mem, kind);
		p->name = arena_strdup(&g->ns_mem, name);
		if (p->kind == NULL || p->name == NULL)
			goto err;
		p->labels = NULL;
		p->bad = kyaml_parse_text(labels, &g->ns_mem, &p->labels) < 0;
	}
	if (rc != SQLITE_DONE ||
	    (g->ns_pods_of = arena_strdup(&g->ns_mem, ns)) == NULL)
		goto err;
	sqlite3_finalize(st);
	return 0;
err:
	sqlite3_finalize(st);
	g->n_ns_pods = 0;
	return -1;
}

/*
 * The workloads whose pods w's selector would also pick, in its
 * namespace: a comma-separated list, or NULL when it picks w's alone.
 */
static const char *selector_overlap(struct gen *g, const struct workload *w)
{
	struct arena scratch = ARENA_INIT;
	struct selector sel;
	char list[512] = "";
	const char *out = NULL;

	if (selector_from_json(w->selector, &scratch, &sel) < 0 ||
	    load_ns_pods(g, w->ns) < 0)
		goto done;
	for (size_t i = 0; i < g->n_ns_pods; i++) {
		const struct ns_pod *p = &g->ns_pods[i];
		char who[300];

		if (strcmp(p->kind, w->kind) == 0 &&
		    strcmp(p->name, w->name) == 0)
			continue;
		if (p->bad || !selector_matches(&sel, p->labels))
			continue;
		snprintf(who, sizeof(who), "%s/%s", p->kind, p->name);
		if (strstr(list, who) != NULL)
			continue;
		if (list[0])
			strncat(list, ", ", sizeof(list) - strlen(list) - 1);
		strncat(list, who, sizeof(list) - strlen(list) - 1);
	}
	if (list[0])
		out = arena_strdup(g->a, list);
done:
	arena_reset(&scratch);
	return out;
}

static int set_metadata(struct gen *g, const struct workload *w,
			struct netpol *p, const char *overlap)
{
	char window[2 * TIMEFMT_LEN + 2], t1[TIMEFMT_LEN], t2[TIMEFMT_LEN],
		conns[24], who[300];
	int64_t from = g->o->since ? g->o->since : w->first;
	int64_t to = g->o->until < g->o->now ? g->o->until : g->o->now;
	const char *status = w->flows == 0 ? "silent"
			     : w->last > g->o->now - g->o->stable_after
				     ? "learning"
				     : "stable";
	size_t n = 0;

	p->labels = arena_alloc(g->a, sizeof(*p->labels));
	p->annotations = arena_alloc(g->a, 8 * sizeof(*p->annotations));
	if (p->labels == NULL || p->annotations == NULL)
		return -1;
	p->labels[0] = (struct netpol_kv){ "app.kubernetes.io/managed-by",
					   "podflow" };
	p->n_labels = 1;
	snprintf(window, sizeof(window), "%s/%s",
		 from ? timefmt_format(from, t1) : "-", timefmt_format(to, t2));
	snprintf(conns, sizeof(conns), "%lld", (long long)w->conns);
	snprintf(who, sizeof(who), "%s/%s", w->kind, w->name);
	p->annotations[n++] = (struct netpol_kv){ ANNOTATION("workload"),
						  dup(g, who) };
	p->annotations[n++] = (struct netpol_kv){ ANNOTATION("window"),
						  dup(g, window) };
	p->annotations[n++] = (struct netpol_kv){ ANNOTATION("connections"),
						  dup(g, conns) };
	p->annotations[n++] = (struct netpol_kv){ ANNOTATION("status"), status };
	p->annotations[n++] = (struct netpol_kv){
		ANNOTATION("selector-source"),
		strcmp(w->source, "owner") == 0 ? "owner spec.selector"
						: "labels shared by its pods"
	};
	if (overlap != NULL)
		p->annotations[n++] = (struct netpol_kv){
			ANNOTATION("selector-also-selects"), overlap
		};
	p->n_annotations = n;
	return 0;
}

/* The databases an entry came from, by file name. */
static void entry_dbs(const struct gen *g, const struct entry *e, char *buf,
		      size_t len)
{
	buf[0] = '\0';
	for (size_t i = 0; i < g->n_stores && i < 64; i++) {
		const char *name = store_filename(g->stores[i]);
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
static void explain(struct gen *g, const struct workload *w, const char *name,
		    const struct entry *e, const struct generate_proposal *p,
		    size_t n)
{
	char t1[TIMEFMT_LEN], t2[TIMEFMT_LEN], dbs[256], status[600];

	fprintf(g->diag, "# %s/%s (%s/%s)\n", w->ns, name, w->kind, w->name);
	if (n == 0)
		fprintf(g->diag, "  no rule from the flows of the window\n");
	for (size_t i = 0; i < n; i++) {
		entry_dbs(g, &e[i], dbs, sizeof(dbs));
		fprintf(g->diag,
			"  %-7s %-40s %5d/%-4s %8lld conns  %s .. %s  %s%s%s  "
			"[%s]\n",
			e[i].egress ? "egress" : "ingress", e[i].desc, e[i].port,
			e[i].protocol, (long long)e[i].conns,
			timefmt_format(e[i].first, t1),
			timefmt_format(e[i].last, t2), dbs,
			e[i].service ? "  via " : "",
			e[i].service ? e[i].service : "",
			status_text(&p[i], status, sizeof(status)));
	}
}

/* Warns when one workload reaches many addresses on one port (a CDN). */
static void warn_churn(struct gen *g, const struct workload *w)
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
			fprintf(g->diag,
				"policygen: warning: %s/%s/%s reaches %zu "
				"outside addresses on %d/%s: their set may change "
				"tomorrow; consider --external-prefix\n",
				w->ns, w->kind, w->name, count, w->e[i].port,
				w->e[i].protocol);
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
 * The other end of an entry: a workload's pods (owned by g->ep), or whoever
 * holds its (first) address, in *one.
 */
static int peer_ends(struct gen *g, const struct entry *e,
		     struct endpoint *one, const struct endpoint **out,
		     size_t *n)
{
	struct cidr c;
	char ip[ADDR_STRLEN];

	if (e->peer_w != NULL)
		return endpoints_workload(g->ep, e->peer_w->ns, e->peer_w->kind,
					  e->peer_w->name, out, n);
	if (cidr_parse(e->peer.cidr, &c) < 0 ||
	    endpoints_address(g->ep, addr_format(&c.net, ip), one) < 0)
		return -1;
	*out = one;
	*n = 1;
	return 0;
}

/*
 * Whether the existing policies already allow entry e of workload w (whose
 * pods are own[]): at every pod, on the side the entry is about.
 */
static int existing_allows(struct gen *g, const struct entry *e,
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
	if (peer_ends(g, e, &one, &peer, &n_peer) < 0)
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
				verdict_eval(&g->existing, &own[i].end,
					     &peer[j].end, e->port, e->protocol,
					     &v);
				allowed = v.egress.reason == VERDICT_RULE;
			} else {
				verdict_eval(&g->existing, &peer[j].end,
					     &own[i].end, e->port, e->protocol,
					     &v);
				allowed = v.ingress.reason == VERDICT_RULE;
			}
		}
	return allowed && n_peer > 0;
}

static struct generate_proposal *new_proposal(struct gen *g)
{
	if (g->n_props == g->cap_props) {
		size_t cap = g->cap_props ? 2 * g->cap_props : 64;
		struct generate_proposal *grown =
			realloc(g->props, cap * sizeof(*grown));

		if (grown == NULL)
			return NULL;
		g->props = grown;
		g->cap_props = cap;
	}
	return &g->props[g->n_props++];
}

/*
 * Which directions the existing policies isolate w's pods for (isolated[0]
 * ingress, [1] egress): there, what they allow need not be repeated.
 */
static int existing_isolation(struct gen *g, const struct workload *w,
			      const struct endpoint **own, size_t *n_own,
			      int isolated[2])
{
	isolated[0] = isolated[1] = 0;
	*own = NULL;
	*n_own = 0;
	if (g->existing.n == 0)
		return 0;
	if (endpoints_workload(g->ep, w->ns, w->kind, w->name, own, n_own) < 0)
		return -1;
	for (int egress = 0; egress < 2; egress++) {
		const struct polset_policy *first = NULL;
		size_t n = 0;

		for (size_t i = 0; i < *n_own; i++)
			n += verdict_isolating(&g->existing, &(*own)[i].end,
					       egress, &first) > 0;
		/* Some pods only: the others still need every rule. */
		isolated[egress] = n > 0 && n == *n_own;
		if (n > 0)
			fprintf(g->diag,
				"policygen: note: %s/%s/%s is already selected "
				"for %s by %s/%s (%s:%d): only what it does not "
				"allow is added\n",
				w->ns, w->kind, w->name,
				egress ? "egress" : "ingress", first->namespace,
				first->name, first->source, first->line);
	}
	return 0;
}

/*
 * Records every entry of w as a proposal with its review decision, and
 * keeps only those the policy must allow: not rejected, accepted when
 * only reviewed peers are wanted, not already allowed by the existing
 * policies.  isolated[] says which directions existing policies cover.
 */
static int screen_entries(struct gen *g, struct workload *w, const char *name,
			  int isolated[2])
{
	const struct endpoint *own = NULL;
	size_t n_own = 0, kept = 0, first = g->n_props;
	int rc = -1;

	if (existing_isolation(g, w, &own, &n_own, isolated) < 0)
		goto out;
	for (size_t i = 0; i < w->n; i++) {
		const struct entry *e = &w->e[i];
		struct generate_proposal *p = new_proposal(g);
		struct review_subject subject;
		int allowed = 0;

		if (p == NULL) {
			errmsg_set("out of memory");
			goto out;
		}
		entry_subject(w, e, &subject);
		*p = (struct generate_proposal){
			.ns = w->ns, .kind = w->kind, .name = w->name,
			.egress = e->egress, .peer = e->desc,
			.protocol = e->protocol, .port = e->port,
			.conns = e->conns, .first = e->first, .last = e->last,
			.service = e->service,
		};
		if (g->o->review != NULL)
			p->review = review_match(g->o->review, &subject);
		p->decision = p->review ? p->review->decision : REVIEW_PENDING;
		if (g->existing.n > 0 && n_own > 0 &&
		    (allowed = existing_allows(g, e, own, n_own)) < 0)
			goto out;
		p->existing = allowed;
		p->emitted = !allowed && p->decision != REVIEW_REJECTED &&
			     (!g->o->reviewed_only ||
			      p->decision == REVIEW_ACCEPTED);
	}
	if (g->o->explain)
		explain(g, w, name, w->e, g->props + first, w->n);
	for (size_t i = 0; i < w->n; i++)
		if (g->props[first + i].emitted)
			w->e[kept++] = w->e[i];
	w->n = kept;
	rc = 0;
out:
	return rc;
}

static int build_policy(struct gen *g, struct workload *w, struct netpol *p)
{
	const char *overlap;

	int isolated[2];

	memset(p, 0, sizeof(*p));
	merge_entries(w);
	p->name = generate_policy_name(g->a, w->kind, w->name);
	p->namespace = w->ns;
	p->pod_selector = w->selector;
	p->ingress_mode = g->o->ingress;
	p->egress_mode = g->o->egress;
	if (p->name == NULL || screen_entries(g, w, p->name, isolated) < 0)
		return -1;
	/* Nothing missing where existing policies isolate: leave it to them. */
	for (int egress = 0; egress < 2; egress++) {
		int any = 0;

		for (size_t i = 0; i < w->n; i++)
			any |= w->e[i].egress == egress;
		/* The --dns and --allow-internet rules are not screened. */
		if (egress && (g->o->allow_internet ||
			       g->o->dns == GENERATE_DNS_KUBE_DNS ||
			       g->o->dns == GENERATE_DNS_ANY ||
			       g->o->n_dns_ips > 0))
			continue;
		if (isolated[egress] && !any &&
		    (egress ? g->o->egress : g->o->ingress) == NETPOL_OBSERVED)
			*(egress ? &p->egress_mode : &p->ingress_mode) =
				NETPOL_OMIT;
	}
	if (build_rules(g, w, 0, &p->ingress, &p->n_ingress) < 0 ||
	    build_rules(g, w, 1, &p->egress, &p->n_egress) < 0)
		return -1;
	if (p->egress_mode == NETPOL_OBSERVED &&
	    (add_dns_rules(g, w, &p->egress, &p->n_egress) < 0 ||
	     (g->o->allow_internet &&
	      add_internet_rules(g, &p->egress, &p->n_egress) < 0)))
		return -1;
	overlap = selector_overlap(g, w);
	if (overlap != NULL)
		fprintf(g->diag,
			"policygen: warning: the selector of %s/%s/%s also "
			"selects %s: the policy would apply to them too\n",
			w->ns, w->kind, w->name, overlap);
	warn_churn(g, w);
	if (set_metadata(g, w, p, overlap) < 0) {
		errmsg_set("out of memory");
		return -1;
	}
	netpol_sort(p);
	return netpol_validate(p);
}

/* --namespace-default-deny: one deny-all policy per namespace in scope. */
static int add_default_denies(struct gen *g, struct generate_result *out)
{
	const char *last = NULL;

	for (size_t i = 0; i < g->n_w; i++) {
		struct netpol *p;

		if (!g->w[i].in_scope ||
		    (last != NULL && strcmp(last, g->w[i].ns) == 0))
			continue;
		last = g->w[i].ns;
		p = &out->policies[out->n++];
		memset(p, 0, sizeof(*p));
		p->name = "podflow-default-deny";
		p->namespace = g->w[i].ns;
		p->pod_selector = "{}";
		p->ingress_mode = p->egress_mode = NETPOL_DENY;
		p->labels = arena_alloc(g->a, sizeof(*p->labels));
		if (p->labels == NULL)
			return -1;
		p->labels[0] = (struct netpol_kv){ "app.kubernetes.io/managed-by",
						   "podflow" };
		p->n_labels = 1;
	}
	return 0;
}

static void warn_lost_events(struct gen *g, struct store *s)
{
	sqlite3_stmt *st = NULL;

	if (sqlite3_prepare_v2(store_db(s), sql_generate_lost_events, -1, &st,
			       NULL) == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, g->o->since);
		if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int64(st, 0) > 0)
			fprintf(g->diag,
				"policygen: warning: %s: podflowd reported %lld "
				"lost-event episodes; it resynced, but flows that "
				"began and ended within one may be missing\n",
				store_filename(s),
				(long long)sqlite3_column_int64(st, 0));
	}
	sqlite3_finalize(st);
}

/*
 * The "ns/name" of every policy this run writes, into *out: the workloads
 * that get one (see generate_policies()), and the namespaces' default deny.
 */
static int add_name(struct strmap *out, const char *key)
{
	struct strmap_slot *slot = strmap_slot(out, key);

	if (slot == NULL)
		return -1;
	slot->value = slot; /* present */
	return 0;
}

static int emitted_names(struct gen *g, struct strmap *out)
{
	char key[600];

	for (size_t i = 0; i < g->n_w; i++) {
		const struct workload *w = &g->w[i];
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
		if ((name = generate_policy_name(g->a, w->kind, w->name)) == NULL)
			return -1;
		snprintf(key, sizeof(key), "%s/%s", w->ns, name);
		if (add_name(out, key) < 0)
			return -1;
	}
	return 0;
}

/*
 * The existing policies this run does not replace: an earlier podflow
 * policy of the same name is what the new one is applied over, so what it
 * allowed is no reason to leave anything out.  The set borrows the
 * policies of opts->existing; only its array is g's.
 */
static int leave_out_replaced(struct gen *g)
{
	const struct polset *in = g->o->existing;
	struct strmap emitted = STRMAP_INIT;
	char key[600];

	g->existing.policies = malloc((in->n ? in->n : 1) *
				      sizeof(*g->existing.policies));
	if (g->existing.policies == NULL || emitted_names(g, &emitted) < 0) {
		strmap_free(&emitted);
		errmsg_set("out of memory");
		return -1;
	}
	for (size_t i = 0; i < in->n; i++) {
		const struct polset_policy *p = &in->policies[i];

		snprintf(key, sizeof(key), "%s/%s", p->namespace, p->name);
		if (strmap_get(&emitted, key) != NULL) {
			fprintf(g->diag,
				"policygen: note: existing %s/%s (%s:%d) is "
				"replaced by the generated policy of that name: "
				"not taken into account\n",
				p->namespace, p->name, p->source, p->line);
			continue;
		}
		g->existing.policies[g->existing.n++] = *p;
	}
	strmap_free(&emitted);
	return 0;
}

int generate_policies(struct store *const *stores, size_t n_stores,
		      const struct generate_opts *opts, FILE *diag,
		      struct generate_result *out)
{
	struct gen g = { .o = opts, .s = stores[0], .stores = stores,
			 .n_stores = n_stores, .diag = diag, .a = &out->mem };
	FILE *sink = NULL;
	size_t cap;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (diag == NULL) {
		if ((sink = fopen("/dev/null", "w")) == NULL) {
			errmsg_set("/dev/null: %s", strerror(errno));
			return -1;
		}
		g.diag = diag = sink;
	}
	if (load_workloads(&g) < 0 || check_workload_filter(&g) < 0 ||
	    load_node_addresses(&g) < 0)
		goto done;
	for (size_t i = 0; i < n_stores; i++) {
		struct store *first = g.s;

		g.s = stores[i];
		load_pod_cidrs(&g);
		warn_lost_events(&g, stores[i]);
		g.s = first;
	}
	if (load_flows(&g) < 0)
		goto done;
	/* After the flows: which workloads get a policy depends on them. */
	if (opts->existing != NULL &&
	    (leave_out_replaced(&g) < 0 || endpoints_open(g.s, &g.ep) < 0))
		goto done;
	if (g.unknown_pod_ips > 0)
		fprintf(diag,
			"policygen: warning: %zu rules name pod addresses that "
			"no pod in the inventory held at the time, as exact "
			"ipBlocks; import the inventory for that time to name "
			"their workloads\n",
			g.unknown_pod_ips);
	if (g.not_expressible > 0)
		fprintf(diag,
			"policygen: note: %zu flows (ICMP and others) cannot be "
			"expressed in a NetworkPolicy and were left out\n",
			g.not_expressible);
	cap = 2 * g.n_w + 1;
	out->policies = arena_alloc(&out->mem, cap * sizeof(*out->policies));
	if (out->policies == NULL) {
		errmsg_set("out of memory");
		goto done;
	}
	if (opts->namespace_default_deny && add_default_denies(&g, out) < 0)
		goto done;
	for (size_t i = 0; i < g.n_w; i++) {
		struct workload *w = &g.w[i];

		if (!w->in_scope)
			continue;
		if (w->host_network) {
			fprintf(diag,
				"policygen: note: %s/%s/%s runs with "
				"hostNetwork: NetworkPolicy does not apply to "
				"it; no policy\n",
				w->ns, w->kind, w->name);
			continue;
		}
		if (w->selector == NULL) {
			fprintf(diag,
				"policygen: warning: %s/%s/%s: its pods share "
				"no label, so no selector picks them alone; no "
				"policy\n",
				w->ns, w->kind, w->name);
			continue;
		}
		if (w->flows == 0) {
			fprintf(diag,
				"policygen: note: %s/%s/%s had no traffic in "
				"the window%s\n",
				w->ns, w->kind, w->name,
				opts->include_silent ? ": deny-all policy"
						     : "; no policy (see "
						       "--include-silent)");
			if (!opts->include_silent)
				continue;
		}
		if (build_policy(&g, w, &out->policies[out->n]) < 0)
			goto done;
		if (out->policies[out->n].ingress_mode == NETPOL_OMIT &&
		    out->policies[out->n].egress_mode == NETPOL_OMIT) {
			fprintf(diag,
				"policygen: note: %s/%s/%s: the existing "
				"policies allow everything it did; no policy\n",
				w->ns, w->kind, w->name);
			continue;
		}
		out->n++;
	}
	if (g.n_props > 0) {
		out->proposals = arena_alloc(&out->mem,
					     g.n_props * sizeof(*out->proposals));
		if (out->proposals == NULL) {
			errmsg_set("out of memory");
			goto done;
		}
		memcpy(out->proposals, g.props,
		       g.n_props * sizeof(*out->proposals));
		out->n_proposals = g.n_props;
	}
	rc = 0;
done:
	if (sink != NULL)
		fclose(sink);
	endpoints_close(g.ep);
	strmap_free(&g.node_addrs);
	free(g.existing.policies);
	free(g.props);
	free(g.rows);
	strmap_free(&g.strings);
	free(g.ns_pods);
	arena_reset(&g.ns_mem);
	if (rc < 0)
		generate_result_free(out);
	return rc;
}

void generate_result_free(struct generate_result *r)
{
	arena_reset(&r->mem);
	r->policies = NULL;
	r->n = 0;
	r->proposals = NULL;
	r->n_proposals = 0;
}
