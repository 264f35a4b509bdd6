/*
 * pffill: fills a podflow database with days of synthetic edges through
 * the store's own writes (store_flush_edges(), as podflowd flushes them),
 * on a cluster that bench/gen_cluster.py described and `policygen import`
 * read into the same database.
 *
 *   pffill DB START DAYS [NODE]
 *
 * START is the first day's UTC midnight (Unix seconds).  A pool of 30,000
 * recurring conversations between the imported pods, the node addresses
 * and outside hosts (as bench/fill_edges.py: 70 % pod to pod on 8080/TCP,
 * through the server's Service 60 % of the time; 15 % DNS to four pods
 * behind 10.96.0.10:53; 10 % to 50 outside addresses on 443/TCP, SNATed
 * to the node; 5 % kubelet probes from a node), of which each one-minute
 * bucket holds 700 +- 50.  With NODE (0 to 19), only what that node's
 * podflowd records: the conversations whose client or server pod runs on
 * node-NODE, the Service seen on the client's node only (DNAT happens
 * there).  The same arguments give the same rows (a fixed seed).
 */
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "podflow/addr.h"
#include "podflow/errmsg.h"
#include "podflow/grow.h"
#include "podflow/store.h"

#define BUCKET 60
#define CONVERSATIONS 30000
#define PER_BUCKET 700
#define NODES 20

struct pod {
	char ip[64];
	char service[64]; /* its Deployment's ClusterIP, or "" */
	int node;
};

struct conv {
	int client, server; /* pod index, or -1 - node, or -100 - outside */
	uint16_t port, service_port;
	uint8_t protocol;
	int via_service;
	int snat_node; /* -1: no SNAT */
};

static uint64_t rng_state = 42;

/* splitmix64: small, fast, and the same everywhere. */
static uint64_t rnd(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static int between(int lo, int hi)
{
	return lo + (int)(rnd() % (uint64_t)(hi - lo + 1));
}

/* The address text, as the inventory holds it (never malformed here). */
static struct addr addr_of(const char *text)
{
	struct addr a = { 0 };

	addr_parse(text, &a);
	return a;
}

static void node_ip(int n, char *buf, size_t len)
{
	snprintf(buf, len, "192.168.0.%d", 10 + n);
}

static struct pod *load_pods(sqlite3 *db, size_t *n)
{
	const char *sql =
		"SELECT pi.ip, coalesce((SELECT si.ip FROM service AS s "
		"JOIN service_ip AS si ON si.service_id = s.id "
		"WHERE s.namespace = p.namespace AND s.name = p.workload_name), "
		"''), coalesce(CAST(substr(p.node, 6) AS INTEGER), 0) "
		"FROM pod_ip AS pi JOIN pod AS p ON p.id = pi.pod_id "
		"ORDER BY pi.pod_id, pi.ip";
	sqlite3_stmt *st;
	struct pod *pods = NULL;
	size_t cap = 0;

	*n = 0;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return NULL;
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (GROW(pods, cap, *n + 1) < 0) {
			sqlite3_finalize(st);
			free(pods);
			return NULL;
		}
		snprintf(pods[*n].ip, sizeof(pods[*n].ip), "%s",
			 sqlite3_column_text(st, 0));
		snprintf(pods[*n].service, sizeof(pods[*n].service), "%s",
			 sqlite3_column_text(st, 1));
		pods[*n].node = sqlite3_column_int(st, 2) % NODES;
		(*n)++;
	}
	sqlite3_finalize(st);
	return pods;
}

static void make_pool(struct conv *pool, const struct pod *pods, size_t n)
{
	for (size_t i = 0; i < CONVERSATIONS; i++) {
		struct conv *c = &pool[i];
		int r = (int)(rnd() % 100);

		*c = (struct conv){ .client = (int)(rnd() % n),
				    .snat_node = -1 };
		if (r < 70) {
			c->server = (int)(rnd() % n);
			c->port = 8080;
			c->protocol = 6;
			c->via_service = rnd() % 10 < 6 &&
					 pods[c->server].service[0] != '\0';
			c->service_port = 80;
		} else if (r < 85) {
			c->server = (int)(rnd() % 4);
			c->port = 5353;
			c->protocol = 17;
			c->via_service = 1;
			c->service_port = 53;
		} else if (r < 95) {
			c->server = -100 - between(1, 50);
			c->port = 443;
			c->protocol = 6;
			c->snat_node = (int)(rnd() % NODES);
		} else {
			c->server = c->client;
			c->client = -1 - (int)(rnd() % NODES);
			c->port = 8080;
			c->protocol = 6;
		}
	}
}

/* The node of an end: a pod's, a node itself, or -1 outside. */
static int end_node(const struct pod *pods, int end)
{
	if (end >= 0)
		return pods[end].node;
	if (end > -100)
		return -1 - end;
	return -1;
}

static void end_ip(const struct pod *pods, int end, char *buf, size_t len)
{
	if (end >= 0)
		snprintf(buf, len, "%s", pods[end].ip);
	else if (end > -100)
		node_ip(-1 - end, buf, len);
	else
		snprintf(buf, len, "198.51.100.%d", -100 - end);
}

/*
 * The edge of conversation c in bucket b as node `node` records it (-1:
 * the whole cluster, one database), into *e; 0 when that node sees none.
 */
static int make_edge(const struct pod *pods, const struct conv *c,
		     int64_t b, int node, struct store_edge *e)
{
	char ip[64];
	int cn = end_node(pods, c->client), sn = end_node(pods, c->server);
	/* Drawn first: every node sees the same connections, as one. */
	int64_t first = b + between(0, BUCKET - 10);
	int64_t last = between((int)(first - b), BUCKET - 1) + b;
	int64_t conns = between(1, 50);

	if (node >= 0 && cn != node && sn != node)
		return 0;
	memset(e, 0, sizeof(*e));
	end_ip(pods, c->client, ip, sizeof(ip));
	e->client = addr_of(ip);
	end_ip(pods, c->server, ip, sizeof(ip));
	e->server = addr_of(ip);
	e->server_port = c->port;
	e->protocol = c->protocol;
	/* DNAT is on the client's node: the server's alone sees the pod. */
	if (c->via_service && (node < 0 || node == cn)) {
		e->service = addr_of(c->protocol == 17
							? "10.96.0.10"
							: pods[c->server].service);
		e->service_port = c->service_port;
	}
	if (c->snat_node >= 0) {
		node_ip(c->snat_node, ip, sizeof(ip));
		e->client_nat = addr_of(ip);
	}
	e->bucket = b;
	e->first_seen = first;
	e->last_seen = last;
	e->last_start = (first + last) / 2;
	e->connections = conns;
	e->orig_bytes = e->orig_packets = STORE_UNKNOWN;
	e->reply_bytes = e->reply_packets = STORE_UNKNOWN;
	return 1;
}

int main(int argc, char **argv)
{
	struct store *s = NULL;
	struct pod *pods = NULL;
	struct conv *pool = NULL;
	struct store_edge *batch = NULL;
	int *order = NULL;
	size_t n_pods, rows = 0;
	int64_t start, days;
	int node = -1, rc = 1;

	if (argc < 4 || argc > 5) {
		fprintf(stderr, "usage: pffill DB START DAYS [NODE]\n");
		return 2;
	}
	start = strtoll(argv[2], NULL, 10);
	days = strtoll(argv[3], NULL, 10);
	if (argc == 5)
		node = atoi(argv[4]);
	if (store_open(argv[1], 0, &s) < 0) {
		fprintf(stderr, "pffill: %s\n", errmsg_get());
		return 1;
	}
	pods = load_pods(store_db(s), &n_pods);
	pool = calloc(CONVERSATIONS, sizeof(*pool));
	batch = calloc(PER_BUCKET + 50, sizeof(*batch));
	order = calloc(CONVERSATIONS, sizeof(*order));
	if (pods == NULL || n_pods < 4 || pool == NULL || batch == NULL ||
	    order == NULL) {
		fprintf(stderr, "pffill: %s: no pods imported, or out of "
				"memory\n",
			argv[1]);
		goto out;
	}
	/* Every node draws the same pool and samples: they see one cluster. */
	make_pool(pool, pods, n_pods);
	for (int i = 0; i < CONVERSATIONS; i++)
		order[i] = i;
	for (int64_t b = start; b < start + days * 86400; b += BUCKET) {
		int k = between(PER_BUCKET - 50, PER_BUCKET + 50);
		size_t n = 0;

		/* k distinct conversations: a partial Fisher-Yates shuffle. */
		for (int i = 0; i < k; i++) {
			int j = i + (int)(rnd() % (uint64_t)(CONVERSATIONS - i));
			int t = order[i];

			order[i] = order[j];
			order[j] = t;
			n += make_edge(pods, &pool[order[i]], b, node,
				       &batch[n]);
		}
		if (n > 0 && store_flush_edges(s, batch, n) < 0) {
			fprintf(stderr, "pffill: %s\n", errmsg_get());
			goto out;
		}
		rows += n;
	}
	printf("%zu edge rows over %lld days%s\n", rows, (long long)days,
	       node >= 0 ? " (one node's)" : "");
	rc = 0;
out:
	free(order);
	free(batch);
	free(pool);
	free(pods);
	store_close(s);
	return rc;
}
