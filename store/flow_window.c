/*
 * flow_window: generate's and check's rows (store_read.h), the resolved
 * edges of a window, read by id and named here.
 *
 * Naming a row in SQL (the view resolved_edges) costs a dozen lookups a
 * row, and a week holds seven times a day's rows for the same few
 * thousand addresses, routes, pods and Services.  So the names are read
 * once a read, into arrays by id, and a row costs its scan alone.  The
 * rows come a day at a time (flows_window.sql); each day's are sorted
 * here, by client, server, protocol and port, the order merge() in
 * policygen/generate_flows.c takes several databases' rows side by side
 * in.  One day is held at a time: memory follows a day's edges, not the
 * window's.  Summed over the window (generate on one database, flows,
 * workloads), the window's distinct edges are held, each once.
 *
 * A read-only database of a schema before 8 keeps no ids: its rows come
 * named and ordered from SQL (flows_window_compat.sql).
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "podflow/arena.h"
#include "podflow/errmsg.h"
#include "podflow/grow.h"
#include "podflow/hash.h"
#include "podflow/store_read.h"
#include "sql.h"
#include "store_int.h"

/*
 * The names behind the ids.  Each array is sorted by id (its first
 * member), as its statement reads it; the strings live in mem.
 */
struct name_addr {
	int64_t id;
	const char *ip;
	const char *node; /* the node it is an address of; NULL: none */
	size_t rank;	  /* its place among the addresses by ip */
};

struct name_route {
	int64_t id;
	const struct name_addr *server;
	const struct name_addr *service, *nat; /* NULL: none */
	const char *protocol;
	int port, service_port;
	size_t rank; /* its place by server, protocol and port */
};

struct name_pod {
	int64_t id;
	const char *uid, *namespace, *kind, *name;
};

struct name_service {
	int64_t id;
	const char *namespace, *name;
};

struct names {
	const char *file; /* for errmsg */
	struct arena mem;
	struct name_addr *addr;
	struct name_route *route;
	struct name_pod *pod;
	struct name_service *service;
	size_t n_addr, n_route, n_pod, n_service;
	size_t cap_addr, cap_route, cap_pod, cap_service;
};

/*
 * The ids that make an edge: client, route, source and destination pods,
 * Service (flows_window.sql's columns from W_CLIENT on).
 */
#define EDGE_IDS 5

/* The hash table's first size, in slots. */
#define FIRST_SLOTS 1024

/* A row of the day being read, by what its ids name. */
struct day_row {
	const struct name_addr *client;
	const struct name_route *route;
	const struct name_pod *src, *dst;     /* NULL: no pod */
	const struct name_service *service; /* NULL: none */
	int64_t day, connections, first_seen, last_seen;
	int ambiguous;
	int64_t ids[EDGE_IDS]; /* the ids read, in their columns' order */
};

struct store_flows {
	struct store *s;
	struct sdb_stmt *st;
	int compat; /* st gives named rows in order (a schema before 8) */
	int txn;    /* the read opened the transaction it reads in */
	int whole;  /* the window summed over its days: one chunk, not a day */
	int on_row; /* st is on a row not taken yet */
	int done;   /* st gave its last row */
	struct names names;
	struct day_row *rows; /* of day: rows[next..n) are still to come */
	size_t n, next, cap;
	int64_t day;
	/* Summed: 1 + the index in rows of each edge's row; 0, none yet. */
	uint32_t *slots;
	size_t n_slots; /* a power of two, at least twice n */
};

/* Columns of flows_window.sql. */
enum {
	W_DAY, W_CLIENT, W_ROUTE, W_SRC, W_DST, W_SERVICE,
	W_CONNS, W_FIRST, W_LAST, W_AMBIGUOUS,
};

/*
 * The element of id in base[0..n), each size bytes, sorted by id; or
 * NULL.  Ids are mostly 1 to n, SQLite's own, so an element is looked for
 * first where it would be then.
 */
static const void *by_id(const void *base, size_t n, size_t size, int64_t id)
{
	size_t lo = 0, hi = n;
	int64_t at;

	if (id >= 1 && (uint64_t)id <= n) {
		memcpy(&at, (const char *)base + (size_t)(id - 1) * size,
		       sizeof(at));
		if (at == id)
			return (const char *)base + (size_t)(id - 1) * size;
	}
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const void *e = (const char *)base + mid * size;

		memcpy(&at, e, sizeof(at));
		if (at == id)
			return e;
		if (at < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

#define BY_ID(array, n, id) by_id((array), (n), sizeof(*(array)), (id))

/* Column i of st's row, copied into mem; NULL for NULL. */
static int text_at(struct sdb_stmt *st, int i, struct arena *mem,
		   const char **out)
{
	const char *text = store_column_text(st, i);

	*out = NULL;
	if (text == NULL)
		return 0;
	*out = arena_strdup(mem, text);
	return *out != NULL ? 0 : -1;
}

static int oom(const struct names *nm)
{
	errmsg_set("%s: out of memory", nm->file);
	return -1;
}

/*
 * A table of names read by id whose columns after the id are text: each
 * into its member of the element (at[i] its offset, for column i + 1).
 */
struct text_table {
	struct names *nm;
	void **array;
	size_t *n, *cap, size;
	const size_t *at;
	size_t n_at;
};

#define TEXT_TABLE(names, table, members)                                   \
	{ (names), (void **)&(names)->table, &(names)->n_##table,           \
	  &(names)->cap_##table, sizeof(*(names)->table), (members),        \
	  sizeof(members) / sizeof(*(members)) }

static int text_row(struct sdb_stmt *st, void *ctx)
{
	const struct text_table *t = ctx;
	int64_t id = sdb_column_int64(st, 0);
	char *e;

	if (grow_array(t->array, t->cap, *t->n + 1, t->size) < 0)
		return oom(t->nm);
	e = (char *)*t->array + (*t->n)++ * t->size;
	memset(e, 0, t->size);
	memcpy(e, &id, sizeof(id));
	for (size_t i = 0; i < t->n_at; i++)
		if (text_at(st, (int)i + 1, &t->nm->mem,
			    (const char **)(void *)(e + t->at[i])) < 0)
			return oom(t->nm);
	return 0;
}

/* The address of id, 0 naming none; -1 when id names no address. */
static int route_addr(const struct names *nm, int64_t id,
		      const struct name_addr **out)
{
	*out = id == 0 ? NULL : BY_ID(nm->addr, nm->n_addr, id);
	return id != 0 && *out == NULL ? -1 : 0;
}

static int route_row(struct sdb_stmt *st, void *ctx)
{
	struct names *nm = ctx;
	struct name_route *r;

	if (GROW(nm->route, nm->cap_route, nm->n_route + 1) < 0)
		return oom(nm);
	r = &nm->route[nm->n_route++];
	r->id = sdb_column_int64(st, 0);
	r->port = sdb_column_int(st, 2);
	r->service_port = sdb_column_int(st, 5);
	if (text_at(st, 3, &nm->mem, &r->protocol) < 0)
		return oom(nm);
	if (route_addr(nm, sdb_column_int64(st, 1), &r->server) < 0 ||
	    r->server == NULL ||
	    route_addr(nm, sdb_column_int64(st, 4), &r->service) < 0 ||
	    route_addr(nm, sdb_column_int64(st, 6), &r->nat) < 0) {
		errmsg_set("%s: route %lld names an address that is not in "
			   "table addr: the database is damaged",
			   nm->file, (long long)r->id);
		return -1;
	}
	if (r->service == NULL)
		r->service_port = 0;
	return 0;
}

static int cmp_addr(const void *a, const void *b)
{
	const struct name_addr *const *x = a, *const *y = b;

	return strcmp((*x)->ip, (*y)->ip);
}

static int cmp_i64(int64_t a, int64_t b)
{
	return a < b ? -1 : a > b;
}

/* By server, protocol and port, as SQL's ORDER BY compares them; by id. */
static int cmp_route(const void *a, const void *b)
{
	const struct name_route *const *x = a, *const *y = b;
	const struct name_route *rx = *x, *ry = *y;
	int c;

	if ((c = cmp_i64((int64_t)rx->server->rank,
			(int64_t)ry->server->rank)) != 0 ||
	    (c = strcmp(rx->protocol, ry->protocol)) != 0 ||
	    (c = cmp_i64(rx->port, ry->port)) != 0)
		return c;
	return cmp_i64(rx->id, ry->id);
}

/*
 * Ranks the addresses by ip and the routes by cmp_route(): a day's rows
 * are sorted by those ranks, a comparison of numbers where every one
 * would otherwise compare two or three strings.
 */
static int rank_names(struct names *nm)
{
	size_t n = nm->n_addr > nm->n_route ? nm->n_addr : nm->n_route;
	void **by;

	if (n == 0)
		return 0;
	if ((by = calloc(n, sizeof(*by))) == NULL)
		return oom(nm);
	for (size_t i = 0; i < nm->n_addr; i++)
		by[i] = &nm->addr[i];
	qsort(by, nm->n_addr, sizeof(*by), cmp_addr);
	for (size_t i = 0; i < nm->n_addr; i++)
		((struct name_addr *)by[i])->rank = i;
	for (size_t i = 0; i < nm->n_route; i++)
		by[i] = &nm->route[i];
	qsort(by, nm->n_route, sizeof(*by), cmp_route);
	for (size_t i = 0; i < nm->n_route; i++)
		((struct name_route *)by[i])->rank = i;
	free(by);
	return 0;
}

static int load_names(struct store *s, struct names *nm)
{
	static const size_t addr_at[] = {
		offsetof(struct name_addr, ip),
		offsetof(struct name_addr, node),
	};
	static const size_t pod_at[] = {
		offsetof(struct name_pod, uid),
		offsetof(struct name_pod, namespace),
		offsetof(struct name_pod, kind),
		offsetof(struct name_pod, name),
	};
	static const size_t service_at[] = {
		offsetof(struct name_service, namespace),
		offsetof(struct name_service, name),
	};
	struct text_table addrs = TEXT_TABLE(nm, addr, addr_at),
			  pods = TEXT_TABLE(nm, pod, pod_at),
			  services = TEXT_TABLE(nm, service, service_at);

	nm->file = store_filename(s);
	/* Addresses first: the routes point at them. */
	if (store_query_all(s, sql_flow_names_addr, text_row, &addrs) < 0 ||
	    store_query_all(s, sql_flow_names_route, route_row, nm) < 0 ||
	    store_query_all(s, sql_flow_names_pod, text_row, &pods) < 0 ||
	    store_query_all(s, sql_flow_names_service, text_row, &services) <
		    0)
		return -1;
	return rank_names(nm);
}

static void free_names(struct names *nm)
{
	arena_reset(&nm->mem);
	free(nm->addr);
	free(nm->route);
	free(nm->pod);
	free(nm->service);
}

/* An end's id, 0 for none, for cmp_row(). */
#define ID(p) ((p) != NULL ? (p)->id : 0)

/*
 * By client, server, protocol and port (as SQL's ORDER BY compares text:
 * the ranks), then by the rest, so that the order is the same on every
 * read.
 */
static int cmp_row(const void *a, const void *b)
{
	const struct day_row *x = a, *y = b;
	int c;

	if ((c = cmp_i64((int64_t)x->client->rank,
			(int64_t)y->client->rank)) != 0 ||
	    (c = cmp_i64((int64_t)x->route->rank,
			(int64_t)y->route->rank)) != 0 ||
	    (c = cmp_i64(ID(x->src), ID(y->src))) != 0 ||
	    (c = cmp_i64(ID(x->dst), ID(y->dst))) != 0 ||
	    (c = cmp_i64(ID(x->service), ID(y->service))) != 0 ||
	    (c = cmp_i64(x->first_seen, y->first_seen)) != 0 ||
	    (c = cmp_i64(x->last_seen, y->last_seen)) != 0)
		return c;
	return cmp_i64(x->connections, y->connections);
}

/* An edge's hash: its ids' low 32 bits, which tell edges apart enough. */
static uint64_t edge_hash(const int64_t *ids)
{
	uint32_t low[EDGE_IDS];

	for (size_t i = 0; i < EDGE_IDS; i++)
		low[i] = (uint32_t)ids[i];
	return hash_bytes(HASH_INIT, low, sizeof(low));
}

/* The slot of the edge of ids in c->slots: its row's, else the empty one. */
static uint32_t *edge_slot(const struct store_flows *c, const int64_t *ids)
{
	size_t mask = c->n_slots - 1, i = (size_t)edge_hash(ids) & mask;

	while (c->slots[i] != 0 &&
	       memcmp(c->rows[c->slots[i] - 1].ids, ids,
		      sizeof(c->rows->ids)) != 0)
		i = (i + 1) & mask;
	return &c->slots[i];
}

/* Twice as many slots (FIRST_SLOTS at first), rows[0..n) in them again. */
static int grow_slots(struct store_flows *c)
{
	size_t want = c->n_slots ? c->n_slots * 2 : FIRST_SLOTS;
	uint32_t *old = c->slots;

	if (want < c->n_slots || (c->slots = calloc(want, sizeof(*c->slots))) ==
					 NULL) {
		c->slots = old;
		errmsg_set("%s: out of memory", store_filename(c->s));
		return -1;
	}
	free(old);
	c->n_slots = want;
	for (size_t i = 0; i < c->n; i++)
		*edge_slot(c, c->rows[i].ids) = (uint32_t)(i + 1);
	return 0;
}

/*
 * Summing the window: the slot of r's edge, after adding r to the row of
 * its edge read before (*found 1).  A hash table, for SQL's GROUP BY
 * would sort every row of the window first; and only an edge's first row
 * is named.
 */
static uint32_t *fold_row(struct store_flows *c, const struct day_row *r,
			  int *found)
{
	struct day_row *o;
	uint32_t *slot;

	if (c->n >= UINT32_MAX - 1) {
		errmsg_set("%s: more edges in the window than can be added "
			   "up",
			   store_filename(c->s));
		return NULL;
	}
	if ((c->n + 1) * 2 > c->n_slots && grow_slots(c) < 0)
		return NULL;
	slot = edge_slot(c, r->ids);
	if ((*found = *slot != 0) == 0)
		return slot;
	o = &c->rows[*slot - 1];
	if (__builtin_add_overflow(o->connections, r->connections,
				   &o->connections)) {
		errmsg_set("%s: an edge's connections overflow a 64-bit "
			   "count: the database is damaged",
			   store_filename(c->s));
		return NULL;
	}
	if (r->day < o->day)
		o->day = r->day;
	if (r->first_seen < o->first_seen)
		o->first_seen = r->first_seen;
	if (r->last_seen > o->last_seen)
		o->last_seen = r->last_seen;
	o->ambiguous |= r->ambiguous;
	return slot;
}

/* The row st is on, by its names, into c's day (summed, into its edge's). */
static int add_row(struct store_flows *c)
{
	const struct names *nm = &c->names;
	struct sdb_stmt *st = c->st;
	struct day_row r = {
		.day = sdb_column_int64(st, W_DAY),
		.connections = sdb_column_int64(st, W_CONNS),
		.first_seen = sdb_column_int64(st, W_FIRST),
		.last_seen = sdb_column_int64(st, W_LAST),
		.ambiguous = sdb_column_int(st, W_AMBIGUOUS),
	};
	uint32_t *slot = NULL;
	int found = 0;

	for (int i = 0; i < EDGE_IDS; i++)
		r.ids[i] = sdb_column_int64(st, W_CLIENT + i);
	if (c->whole && ((slot = fold_row(c, &r, &found)) == NULL || found))
		return slot == NULL ? -1 : 0;
	r.client = BY_ID(nm->addr, nm->n_addr, r.ids[0]);
	r.route = BY_ID(nm->route, nm->n_route, r.ids[1]);
	if (r.client == NULL || r.route == NULL) {
		errmsg_set("%s: a resolved edge names an address or route that "
			   "is not there: the database is damaged",
			   store_filename(c->s));
		return -1;
	}
	/* A pod or Service gone from the inventory since: no names, as in
	 * resolved_edges. */
	r.src = BY_ID(nm->pod, nm->n_pod, r.ids[2]);
	r.dst = BY_ID(nm->pod, nm->n_pod, r.ids[3]);
	r.service = BY_ID(nm->service, nm->n_service, r.ids[4]);
	if (GROW(c->rows, c->cap, c->n + 1) < 0) {
		errmsg_set("%s: out of memory", store_filename(c->s));
		return -1;
	}
	c->rows[c->n++] = r;
	if (slot != NULL)
		*slot = (uint32_t)c->n;
	return 0;
}

/* Steps c->st to its next row: 1, 0 after the last, -1 with errmsg. */
static int step(struct store_flows *c)
{
	int rc;

	if (c->done)
		return 0;
	rc = sdb_step(c->st);
	if (rc == SDB_ROW)
		return 1;
	c->done = 1;
	return rc == SDB_DONE ? 0 : store_db_error(c->s);
}

/*
 * The next day's rows into c->rows, sorted, leaving st on the first row
 * of the day after; none after the last day.  Summed (c->whole), the
 * window's rows at once.  Returns 0, or -1 with errmsg.
 */
static int read_day(struct store_flows *c)
{
	int rc;

	c->n = c->next = 0;
	if (!c->on_row) {
		if ((rc = step(c)) <= 0)
			return rc;
		c->on_row = 1;
	}
	c->day = sdb_column_int64(c->st, W_DAY);
	while (c->on_row &&
	       (c->whole || sdb_column_int64(c->st, W_DAY) == c->day)) {
		if (add_row(c) < 0 || (rc = step(c)) < 0)
			return -1;
		c->on_row = rc;
	}
	/* The sums are made: the table is no longer needed. */
	free(c->slots);
	c->slots = NULL;
	c->n_slots = 0;
	if (c->n > 1)
		qsort(c->rows, c->n, sizeof(*c->rows), cmp_row);
	return 0;
}

/* One end's names: the pod's, and the node of the address. */
static struct store_flow_end named_end(const struct name_pod *p,
				       const struct name_addr *a)
{
	struct store_flow_end e = { .node = a->node };

	if (p != NULL) {
		e.uid = p->uid;
		e.namespace = p->namespace;
		e.kind = p->kind;
		e.name = p->name;
	}
	return e;
}

static struct store_flow named(const struct day_row *r)
{
	const struct name_route *rt = r->route;

	return (struct store_flow){
		.day = r->day,
		.client_ip = r->client->ip,
		.server_ip = rt->server->ip,
		.server_port = rt->port,
		.protocol = rt->protocol,
		.client_nat_ip = rt->nat != NULL ? rt->nat->ip : NULL,
		.connections = r->connections,
		.first_seen = r->first_seen,
		.last_seen = r->last_seen,
		.src = named_end(r->src, r->client),
		.dst = named_end(r->dst, rt->server),
		.service_namespace =
			r->service != NULL ? r->service->namespace : NULL,
		.service_name = r->service != NULL ? r->service->name : NULL,
		.service_port = rt->service_port,
		.service_ip = rt->service != NULL ? rt->service->ip : NULL,
		.ambiguous = r->ambiguous,
	};
}

/* Columns of flows_window_compat.sql. */
enum {
	C_DAY, C_CLIENT, C_SERVER, C_PORT, C_PROTO, C_CLIENT_NAT,
	C_CONNS, C_FIRST, C_LAST,
	C_SRC_UID, C_SRC_NS, C_SRC_KIND, C_SRC_NAME, C_SRC_NODE,
	C_DST_UID, C_DST_NS, C_DST_KIND, C_DST_NAME, C_DST_NODE,
	C_SVC_NS, C_SVC_NAME, C_SVC_PORT, C_AMBIGUOUS,
};

/* One end's columns, from first (uid, namespace, kind, name, node). */
static struct store_flow_end compat_end(struct sdb_stmt *st, int first)
{
	return (struct store_flow_end){
		.uid = store_column_text(st, first),
		.namespace = store_column_text(st, first + 1),
		.kind = store_column_text(st, first + 2),
		.name = store_column_text(st, first + 3),
		.node = store_column_text(st, first + 4),
	};
}

/* The row st is on; its strings are SQLite's, valid until it steps. */
static struct store_flow compat_row(struct sdb_stmt *st)
{
	return (struct store_flow){
		.day = sdb_column_int64(st, C_DAY),
		.client_ip = store_column_text(st, C_CLIENT),
		.server_ip = store_column_text(st, C_SERVER),
		.server_port = sdb_column_int(st, C_PORT),
		.protocol = store_column_text(st, C_PROTO),
		.client_nat_ip = store_column_text(st, C_CLIENT_NAT),
		.connections = sdb_column_int64(st, C_CONNS),
		.first_seen = sdb_column_int64(st, C_FIRST),
		.last_seen = sdb_column_int64(st, C_LAST),
		.src = compat_end(st, C_SRC_UID),
		.dst = compat_end(st, C_DST_UID),
		.service_namespace = store_column_text(st, C_SVC_NS),
		.service_name = store_column_text(st, C_SVC_NAME),
		.service_port = sdb_column_int(st, C_SVC_PORT),
		.ambiguous = sdb_column_int(st, C_AMBIGUOUS),
	};
}

/* flows_weeks.sql's row: the summed weeks the window holds whole. */
static int weeks_row(struct sdb_stmt *st, void *ctx)
{
	int64_t *weeks = ctx, n = sdb_column_int64(st, 2);

	/* Not one after another (a week that could not be summed): none. */
	if (n > 0 && (sdb_column_int64(st, 1) -
		      sdb_column_int64(st, 0)) / (7 * 86400) == n) {
		weeks[0] = sdb_column_int64(st, 0);
		weeks[1] = sdb_column_int64(st, 1);
	}
	return 0;
}

/*
 * The statement that reads the window: named rows in order on a schema
 * before 8; to be added up, the summed weeks the window holds and the
 * days around them (flows_window_summed.sql); or by day.  Its window
 * bound; NULL with errmsg on failure.
 */
static struct sdb_stmt *window_query(struct store *s, int64_t since,
				  int64_t until, int dups, int whole)
{
	const struct store_param window[2] = { STORE_INT(since),
					       STORE_INT(until) };
	int64_t weeks[2] = { 0, 0 };
	const char *sql = sql_flows_window;
	struct sdb_stmt *st = NULL;

	if (store_schema_version(s) < STORE_RESOLVED_VERSION) {
		sql = sql_flows_window_compat;
	} else if (whole && store_schema_version(s) >= STORE_WEEK_VERSION) {
		if (store_query_bound(s, sql_flows_weeks, window, 2, weeks_row,
				      weeks) < 0)
			return NULL;
		sql = sql_flows_window_summed;
	}
	if (store_query(s, sql, &st) < 0)
		return NULL;
	/* A node's window may be a week of rows: not all held at once. */
	sdb_stream(st);
	if (store_bind(s, st,
		       (const struct store_param[]){
			       STORE_INT(since), STORE_INT(until),
			       STORE_INT(dups), STORE_INT(weeks[0]),
			       STORE_INT(weeks[1]) },
		       5) < 0) {
		sdb_finalize(st);
		return NULL;
	}
	return st;
}

/*
 * The window [since, until) of s, with (dups 1) or without the rows a pod
 * shares with another of its workload, by day or (whole 1) summed over
 * the window's days (fold_row()), as an open read in *out.
 */
static int flows_open(struct store *s, int64_t since, int64_t until,
		      int dups, int whole, struct store_flows **out)
{
	struct store_flows *c = calloc(1, sizeof(*c));

	*out = NULL;
	if (c == NULL) {
		errmsg_set("%s: out of memory", store_filename(s));
		return -1;
	}
	c->s = s;
	c->compat = store_schema_version(s) < STORE_RESOLVED_VERSION;
	c->whole = whole;
	/*
	 * The names and the rows from one snapshot: a writer committing
	 * between them (podflowd's flush, an import) would leave rows that
	 * name what the names did not have yet.
	 */
	if (!store_in_transaction(s)) {
		if (sdb_begin(store_sdb(s), 0) < 0) {
			store_db_error(s);
			goto err;
		}
		c->txn = 1;
	}
	if ((!c->compat && load_names(s, &c->names) < 0) ||
	    (c->st = window_query(s, since, until, dups, whole)) == NULL)
		goto err;
	*out = c;
	return 0;
err:
	store_flows_close(c);
	return -1;
}

int store_flows_open(struct store *s, int64_t since, int64_t until,
		     struct store_flows **out)
{
	return flows_open(s, since, until, 0, 0, out);
}

void store_flows_close(struct store_flows *c)
{
	if (c == NULL)
		return;
	sdb_finalize(c->st);
	/* It only read: nothing to keep. */
	if (c->txn)
		sdb_rollback(store_sdb(c->s));
	free_names(&c->names);
	free(c->rows);
	free(c->slots);
	free(c);
}

int store_flows_next(struct store_flows *c, struct store_flow *row)
{
	int rc;

	if (c->compat) {
		if ((rc = step(c)) > 0)
			*row = compat_row(c->st);
		return rc;
	}
	if (c->next == c->n && read_day(c) < 0)
		return -1;
	if (c->next == c->n)
		return 0;
	*row = named(&c->rows[c->next++]);
	return 1;
}

/* The window's flows, each handed to fn. */
static int read_flows(struct store *s, int64_t since, int64_t until,
		      int dups, int whole, store_flow_fn fn, void *ctx)
{
	struct store_flows *c;
	struct store_flow row;
	int rc;

	if (flows_open(s, since, until, dups, whole, &c) < 0)
		return -1;
	while ((rc = store_flows_next(c, &row)) > 0)
		if (fn(&row, ctx) < 0) {
			rc = -1;
			break;
		}
	store_flows_close(c);
	return rc;
}

int store_read_generate_flows(struct store *s, int64_t since, int64_t until,
			      store_flow_fn fn, void *ctx)
{
	return read_flows(s, since, until, 0, 1, fn, ctx);
}

int store_read_check_flows(struct store *s, int64_t since, int64_t until,
			   store_flow_fn fn, void *ctx)
{
	return read_flows(s, since, until, 1, 0, fn, ctx);
}
