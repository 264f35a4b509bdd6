/*
 * replay: recorded flows decided against NetworkPolicies and grouped
 * (replay.h).
 *
 * A day of a cluster is millions of rows but few distinct pairs of ends,
 * so each pair's decision is made once and looked up after; the rows are
 * read in one pass (store_read_check_flows()) and never kept.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "podflow/arena.h"
#include "podflow/count.h"
#include "podflow/errmsg.h"
#include "podflow/grow.h"
#include "podflow/hash.h"
#include "podflow/proto.h"
#include "podflow/store_read.h"
#include "podflow/strmap.h"
#include "podflow/verdict.h"
#include "endpoint.h"
#include "replay.h"

/* What the policies decided for one pair of ends, port and SNAT. */
struct decision {
	const struct polset_policy *egress_by, *ingress_by; /* NULL: allowed */
};

struct replay {
	const struct polset *ps;
	int several;
	struct strmap groups; /* "src dst port/proto" -> struct replay_group */
	struct strmap decided; /* the ends, port and SNAT -> struct decision */
	struct strmap seen;   /* with several databases: rows already read */
	uintptr_t db;	      /* the database being read, from 1 */
	struct replay_group **list; /* the groups, in r->mem */
	size_t n_list, cap_list;
	struct arena mem;
	size_t rows, not_checked;
	/*
	 * The pods the flows name, as the last database read has them; kept
	 * for the next when it is the same inventory (a cluster store's
	 * nodes), where looking each up again would cost a round trip.
	 */
	struct endpoints *e;
	struct store *e_store;
};

struct replay *replay_new(const struct polset *ps, int several)
{
	struct replay *r = calloc(1, sizeof(*r));

	if (r == NULL) {
		errmsg_set("out of memory");
		return NULL;
	}
	r->ps = ps;
	r->several = several;
	return r;
}

void replay_free(struct replay *r)
{
	if (r == NULL)
		return;
	endpoints_close(r->e);
	strmap_free(&r->groups);
	strmap_free(&r->decided);
	strmap_free(&r->seen);
	free(r->list);
	arena_reset(&r->mem);
	free(r);
}

/* An absent string as the empty one, for keys. */
static const char *or_empty(const char *s)
{
	return s ? s : "";
}

/* One end of a recorded row: the pod (by uid), the node, or the address. */
static int row_end(struct endpoints *e, const struct store_flow_end *end,
		   const char *ip, struct endpoint *out)
{
	if (end->uid != NULL)
		return endpoints_pod(e, end->uid, ip, out) < 0 ? -1 : 0;
	if (end->node != NULL)
		return endpoints_node(e, end->node, ip, out);
	memset(out, 0, sizeof(*out));
	out->name = ip;
	if (addr_parse(ip, &out->end.ip) < 0)
		return -1;
	return 0;
}

/* The group of src, dst, port and protocol, made when new; NULL: errmsg. */
static struct replay_group *find_group(struct replay *r, const char *src,
				       const char *dst, int port,
				       const char *protocol)
{
	char key[1024];
	struct strmap_slot *slot;
	struct replay_group *g;

	snprintf(key, sizeof(key), "%s %s %d/%s", src, dst, port, protocol);
	if ((slot = strmap_slot(&r->groups, key)) == NULL)
		goto oom;
	if (slot->value != NULL)
		return slot->value;
	if (GROW(r->list, r->cap_list, r->n_list + 1) < 0)
		return NULL;
	if ((g = arena_alloc(&r->mem, sizeof(*g))) == NULL ||
	    (g->src = arena_strdup(&r->mem, src)) == NULL ||
	    (g->dst = arena_strdup(&r->mem, dst)) == NULL)
		goto oom;
	g->protocol = protocol;
	g->port = port;
	slot->value = g;
	r->list[r->n_list++] = g;
	return g;
oom:
	errmsg_set("out of memory");
	return NULL;
}

/*
 * Two unrelated 64-bit hashes of s, as 32 hex digits: the one hash
 * (FNV-1a) and djb2, so that two rows collide only if both do.
 */
static void digest(const char *s, char out[33])
{
	uint64_t b = 5381;

	for (const char *p = s; *p; p++)
		b = b * 33 + (unsigned char)*p;
	snprintf(out, 33, "%016llx%016llx", (unsigned long long)hash_str(s),
		 (unsigned long long)b);
}

/*
 * Where several databases (nodes) recorded one edge on one day, the
 * client's node and the server's saw the same connections: the edge counts
 * as often as the database that counted most.  Each database's rows of
 * the edge are added up as they come (one resolved row, or a tail row a
 * minute), and a row counts only what takes its database's sum past the
 * most any database counted before it, so no row is held.  Rows are
 * remembered by a 128-bit digest, not their text: a day of several nodes
 * is many of them.  The key leaves out the Service and the SNAT address,
 * which one node sees and the other may not.
 */
struct seen {
	uintptr_t db;	/* the database whose sum this is */
	int64_t sum;	/* its rows of the edge so far */
	int64_t best;	/* the most any database counted */
};

/* What row f adds to its edge's count, into *conns. */
static int count_once(struct replay *r, const struct store_flow *f,
		      int64_t *conns)
{
	char key[256], d[33];
	struct strmap_slot *slot;
	struct seen *e;
	int64_t n = f->connections;

	snprintf(key, sizeof(key), "%lld %s %s %d %s %s %s",
		 (long long)f->day, f->client_ip, f->server_ip,
		 f->server_port, f->protocol, or_empty(f->src.uid),
		 or_empty(f->dst.uid));
	digest(key, d);
	if ((slot = strmap_slot(&r->seen, d)) == NULL)
		goto oom;
	if ((e = slot->value) == NULL) {
		if ((e = arena_alloc(&r->mem, sizeof(*e))) == NULL)
			goto oom;
		*e = (struct seen){ .db = r->db };
		slot->value = e;
	}
	if (e->db != r->db) {
		e->db = r->db;
		e->sum = 0;
	}
	e->sum += n;
	*conns = e->sum > e->best ? e->sum - e->best : 0;
	if (e->sum > e->best)
		e->best = e->sum;
	return 0;
oom:
	errmsg_set("out of memory");
	return -1;
}

/*
 * The decision for a row's ends, port and SNAT, made once: a day holds
 * the same few pairs bucket after bucket.  An end is its address and,
 * for a pod, its uid (whose labels and node do not change).  NULL: errmsg.
 */
static const struct decision *decide(struct replay *r, struct endpoints *e,
				     const struct store_flow *f,
				     const struct endpoint *src,
				     const struct endpoint *dst, int port,
				     const char *protocol)
{
	const char *nat = f->client_nat_ip;
	struct endpoint seen_src = *src;
	struct strmap_slot *slot;
	struct verdict out, in;
	struct decision *d;
	char key[512];

	snprintf(key, sizeof(key), "%s %s %s %s %s %s %d %s %s", f->client_ip,
		 or_empty(f->src.uid), or_empty(f->src.node), f->server_ip,
		 or_empty(f->dst.uid), or_empty(f->dst.node), port, protocol,
		 or_empty(nat));
	if ((slot = strmap_slot(&r->decided, key)) == NULL)
		goto oom;
	if (slot->value != NULL)
		return slot->value;
	/* The server's policies see the client after SNAT. */
	if (nat != NULL && endpoints_address(e, nat, &seen_src) < 0)
		return NULL;
	verdict_eval(r->ps, &src->end, &dst->end, port, protocol, &out);
	verdict_eval(r->ps, &seen_src.end, &dst->end, port, protocol, &in);
	if ((d = arena_alloc(&r->mem, sizeof(*d))) == NULL)
		goto oom;
	d->egress_by = out.egress.allowed ? NULL : out.egress.isolating[0];
	d->ingress_by = in.ingress.allowed ? NULL : in.ingress.isolating[0];
	slot->value = d;
	return d;
oom:
	errmsg_set("out of memory");
	return NULL;
}

/*
 * Replays row f, as conns connections; a row another database already
 * counted (counted 0) only says when the connections were last seen.
 */
static int replay_row(struct replay *r, struct endpoints *e,
		      const struct store_flow *f, int64_t conns, int counted)
{
	const char *client = f->client_ip, *server = f->server_ip;
	/* Spelt as the table spells it, as the store's views do. */
	const char *protocol = proto_policy_name(f->protocol, 0);
	int port = f->server_port;
	struct endpoint src, dst;
	const struct decision *d;
	struct replay_group *g;

	r->rows += counted;
	if (protocol == NULL || port < 1) {
		r->not_checked += counted; /* ICMP: NetworkPolicy cannot say */
		return 0;
	}
	if (row_end(e, &f->src, client, &src) < 0 ||
	    row_end(e, &f->dst, server, &dst) < 0)
		return -1;
	if ((d = decide(r, e, f, &src, &dst, port, protocol)) == NULL)
		return -1;
	if ((g = find_group(r, src.name, dst.name, port, protocol)) == NULL)
		return -1;
	g->conns = count_add(g->conns, conns);
	if (f->last_seen > g->last)
		g->last = f->last_seen;
	if (g->egress_by == NULL)
		g->egress_by = d->egress_by;
	if (g->ingress_by == NULL)
		g->ingress_by = d->ingress_by;
	return 0;
}

/* A replay of one database, for its rows. */
struct replay_pass {
	struct replay *r;
	struct endpoints *e;
};

static int replay_flow(const struct store_flow *f, void *ctx)
{
	const struct replay_pass *p = ctx;
	int64_t conns = f->connections;

	if (p->r->several && count_once(p->r, f, &conns) < 0)
		return -1;
	/*
	 * A row the database that counted most already gave: in whatever
	 * order a day's rows come, its last sighting still counts.
	 */
	return replay_row(p->r, p->e, f, conns,
			  !(p->r->several && conns == 0 && f->connections > 0));
}

int replay_store(struct replay *r, struct store *s, int64_t since,
		 int64_t until)
{
	struct replay_pass p = { r, NULL };

	r->db++;
	if (r->e == NULL || !store_same_inventory(r->e_store, s)) {
		endpoints_close(r->e);
		r->e = NULL;
		if (endpoints_open(s, &r->e) < 0)
			return -1;
		r->e_store = s;
	}
	p.e = r->e;
	return store_read_check_flows(s, since, until, replay_flow, &p);
}

static int cmp_group(const void *a, const void *b)
{
	const struct replay_group *x = *(struct replay_group *const *)a;
	const struct replay_group *y = *(struct replay_group *const *)b;
	int c = strcmp(x->src, y->src);

	if (c == 0)
		c = strcmp(x->dst, y->dst);
	if (c == 0)
		c = strcmp(x->protocol, y->protocol);
	if (c == 0)
		c = (x->port > y->port) - (x->port < y->port);
	return c;
}

void replay_result(struct replay *r, struct replay_result *out)
{
	memset(out, 0, sizeof(*out));
	if (r->n_list > 1)
		qsort(r->list, r->n_list, sizeof(*r->list), cmp_group);
	for (size_t i = 0; i < r->n_list; i++) {
		const struct replay_group *g = r->list[i];

		if (g->egress_by == NULL && g->ingress_by == NULL)
			continue;
		out->denied++;
		out->denied_egress += g->egress_by != NULL;
		out->denied_ingress += g->ingress_by != NULL;
		out->denied_conns = count_add(out->denied_conns, g->conns);
	}
	out->groups = r->list;
	out->n_groups = r->n_list;
	out->rows = r->rows;
	out->not_checked = r->not_checked;
}
