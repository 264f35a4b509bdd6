/*
 * cluster: the cluster store in PostgreSQL, through libpq (cluster.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libpq-fe.h>

#include "podflow/addr.h"
#include "podflow/cluster.h"
#include "podflow/errmsg.h"
#include "sdb_pg.h"
#include "sql.h"

struct cluster {
	struct sdb db;
	PGconn *conn; /* db's */
	char where[256]; /* the database as messages name it */
	int version;
};

int cluster_is_uri(const char *text)
{
	return sdb_pg_is_uri(text);
}

/* errmsg from the connection's last error, one line, naming the database. */
static int fail(struct cluster *c, const char *what, const PGresult *res)
{
	const char *msg = res ? PQresultErrorMessage(res) : PQerrorMessage(c->conn);
	size_t len = strcspn(msg, "\n");

	errmsg_set("%s: %s: %.*s", c->where, what, (int)len,
		   len ? msg : "failed");
	return -1;
}

/* Ends a statement whose rows are not wanted: 0, or -1 with errmsg. */
static int done(struct cluster *c, PGresult *res, const char *what)
{
	int rc = 0;

	if (PQresultStatus(res) != PGRES_COMMAND_OK &&
	    PQresultStatus(res) != PGRES_TUPLES_OK)
		rc = fail(c, what, res);
	PQclear(res);
	return rc;
}

/*
 * Runs sql, one statement or several (a migration), without parameters.
 * Returns 0, or -1 with errmsg.
 */
static int run(struct cluster *c, const char *sql, const char *what)
{
	return done(c, PQexec(c->conn, sql), what);
}

static void rollback(struct cluster *c)
{
	PQclear(PQexec(c->conn, "ROLLBACK"));
}

int cluster_open(const char *uri, struct cluster **ret)
{
	struct cluster *c = calloc(1, sizeof(*c));

	*ret = NULL;
	if (c == NULL) {
		errmsg_set("out of memory");
		return -1;
	}
	sdb_pg_describe(uri, c->where, sizeof(c->where));
	if (sdb_pg_connect(&c->db, uri, c->where) < 0) {
		free(c);
		return -1;
	}
	c->conn = sdb_pg_conn(&c->db);
	if (sdb_pg_migrate(&c->db, c->where, 1, &c->version) < 0 ||
	    done(c, PQprepare(c->conn, "ship_row", sql_pg_ship_row, 18, NULL),
		 "preparing") < 0)
		goto err;
	*ret = c;
	return 0;
err:
	cluster_close(c);
	return -1;
}

void cluster_close(struct cluster *c)
{
	if (c == NULL)
		return;
	sdb_close(&c->db);
	free(c);
}

int cluster_schema_version(const struct cluster *c)
{
	return c->version;
}

int cluster_shipped(struct cluster *c, const char *node, int64_t *seq,
		    char **database_id)
{
	const char *params[1] = { node };
	PGresult *res = PQexecParams(c->conn,
				     "SELECT shipped_seq, database_id "
				     "FROM ship_state WHERE node = $1",
				     1, NULL, params, NULL, NULL, 0);
	int rc = -1;

	*seq = -1;
	*database_id = NULL;
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		fail(c, "reading the node's mark", res);
		goto out;
	}
	if (PQntuples(res) > 0) {
		*seq = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
		if ((*database_id = strdup(PQgetvalue(res, 0, 1))) == NULL) {
			errmsg_set("out of memory");
			goto out;
		}
	}
	rc = 0;
out:
	PQclear(res);
	return rc;
}

/* A count as text, or NULL (SQL NULL) for STORE_UNKNOWN. */
static const char *known(int64_t v, char *buf, size_t len)
{
	if (v == STORE_UNKNOWN)
		return NULL;
	snprintf(buf, len, "%lld", (long long)v);
	return buf;
}

/* An address as text, '' for none. */
static const char *addr_text(const struct addr *a, char buf[ADDR_STRLEN])
{
	if (a->family == 0)
		return "";
	addr_format(a, buf);
	return buf;
}

/*
 * A PostgreSQL array literal being built: {"a","b"}.  Addresses and
 * numbers need no escapes, but every element is quoted all the same
 * (an empty one is '' there).
 */
struct array {
	FILE *fp;
	char *text;
	size_t len, n;
};

static int array_open(struct array *a)
{
	*a = (struct array){ 0 };
	if ((a->fp = open_memstream(&a->text, &a->len)) == NULL)
		return -1;
	fputc('{', a->fp);
	return 0;
}

static void array_add(struct array *a, const char *value)
{
	fprintf(a->fp, "%s\"%s\"", a->n++ ? "," : "", value);
}

static void array_add_int(struct array *a, int64_t v)
{
	fprintf(a->fp, "%s%lld", a->n++ ? "," : "", (long long)v);
}

/* Ends the literal: its text in a->text, or -1 (out of memory). */
static int array_close(struct array *a)
{
	int failed;

	fputc('}', a->fp);
	failed = ferror(a->fp);
	if (fclose(a->fp) != 0)
		failed = 1;
	a->fp = NULL;
	return failed ? -1 : 0;
}

static void array_free(struct array *a)
{
	if (a->fp != NULL)
		fclose(a->fp);
	free(a->text);
	*a = (struct array){ 0 };
}

/* Runs an embedded statement with params (no rows).  0, or -1 with errmsg. */
static int run_params(struct cluster *c, const char *sql, int n,
		      const char *const *params, const char *what)
{
	return done(c,
		    PQexecParams(c->conn, sql, n, NULL, params, NULL, NULL, 0),
		    what);
}

/*
 * The addresses and routes rows[0..n) name, added if new, each in its
 * own statement outside the batch's transaction (ship_addr_put.sql).
 */
static int put_names(struct cluster *c, const struct store_changed_row *rows,
		     size_t n)
{
	enum { IPS, SERVER, PORT, PROTO, SERVICE, SPORT, NAT, N_ARRAYS };
	struct array arr[N_ARRAYS];
	const char *p[6];
	char ip[ADDR_STRLEN];
	int rc = -1, opened = 0;

	for (; opened < N_ARRAYS; opened++)
		if (array_open(&arr[opened]) < 0) {
			errmsg_set("out of memory");
			goto out;
		}
	for (size_t i = 0; i < n; i++) {
		const struct store_edge *e = &rows[i].edge;

		array_add(&arr[IPS], addr_text(&e->client, ip));
		array_add(&arr[IPS], addr_text(&e->server, ip));
		array_add(&arr[IPS], addr_text(&e->service, ip));
		array_add(&arr[IPS], addr_text(&e->client_nat, ip));
		array_add(&arr[SERVER], addr_text(&e->server, ip));
		array_add_int(&arr[PORT], e->server_port);
		array_add_int(&arr[PROTO], e->protocol);
		array_add(&arr[SERVICE], addr_text(&e->service, ip));
		array_add_int(&arr[SPORT], e->service.family ? e->service_port : 0);
		array_add(&arr[NAT], addr_text(&e->client_nat, ip));
	}
	for (int i = 0; i < N_ARRAYS; i++)
		if (array_close(&arr[i]) < 0) {
			errmsg_set("out of memory");
			goto out;
		}
	p[0] = arr[IPS].text;
	if (run_params(c, sql_pg_ship_addr_put, 1, p, "writing addresses") < 0)
		goto out;
	for (int i = 0; i < 6; i++)
		p[i] = arr[SERVER + i].text;
	if (run_params(c, sql_pg_ship_route_put, 6, p, "writing routes") < 0)
		goto out;
	rc = 0;
out:
	for (int i = 0; i < opened; i++)
		array_free(&arr[i]);
	return rc;
}

/* The text of row's 18 parameters of ship_row.sql, into p (and bufs). */
struct row_params {
	const char *p[18];
	char client[ADDR_STRLEN], server[ADDR_STRLEN], service[ADDR_STRLEN],
		nat[ADDR_STRLEN], num[13][24];
};

static void row_params(const char *node, const struct store_changed_row *row,
		       struct row_params *r)
{
	const struct store_edge *e = &row->edge;

	r->p[0] = node;
	r->p[1] = known(e->bucket, r->num[0], sizeof(r->num[0]));
	r->p[2] = addr_text(&e->client, r->client);
	r->p[3] = addr_text(&e->server, r->server);
	r->p[4] = known(e->server_port, r->num[1], sizeof(r->num[1]));
	r->p[5] = known(e->protocol, r->num[2], sizeof(r->num[2]));
	r->p[6] = addr_text(&e->service, r->service);
	r->p[7] = known(e->service.family ? e->service_port : 0, r->num[3],
			sizeof(r->num[3]));
	r->p[8] = addr_text(&e->client_nat, r->nat);
	r->p[9] = known(e->first_seen, r->num[4], sizeof(r->num[4]));
	r->p[10] = known(e->last_seen, r->num[5], sizeof(r->num[5]));
	r->p[11] = known(e->last_start, r->num[6], sizeof(r->num[6]));
	r->p[12] = known(e->connections, r->num[7], sizeof(r->num[7]));
	r->p[13] = known(e->orig_bytes, r->num[8], sizeof(r->num[8]));
	r->p[14] = known(e->orig_packets, r->num[9], sizeof(r->num[9]));
	r->p[15] = known(e->reply_bytes, r->num[10], sizeof(r->num[10]));
	r->p[16] = known(e->reply_packets, r->num[11], sizeof(r->num[11]));
	r->p[17] = known(row->changed, r->num[12], sizeof(r->num[12]));
}

/*
 * Rows sent before their results are read: a round trip per so many, not
 * per row; few enough that their results fit the sockets' buffers, so
 * that neither side waits on the other to read.
 */
#define PIPELINE_ROWS 256

/*
 * Reads the results of n rows sent and the sync after them: each row
 * written (its addresses and route were put first: a row not written
 * would be lost), into errmsg the first that was not.  Returns 0 or -1;
 * the pipeline is at its sync either way.
 */
static int read_rows(struct cluster *c, const struct store_changed_row *rows,
		     size_t n)
{
	PGresult *res;
	int rc = 0;

	for (size_t i = 0; i < n; i++) {
		if ((res = PQgetResult(c->conn)) == NULL)
			break;
		if (rc == 0 && PQresultStatus(res) != PGRES_COMMAND_OK)
			rc = fail(c, "writing rows", res);
		else if (rc == 0 && strcmp(PQcmdTuples(res), "1") != 0) {
			errmsg_set("%s: writing rows: a row of bucket %lld was "
				   "not written (its addresses or route are not "
				   "there)",
				   c->where, (long long)rows[i].edge.bucket);
			rc = -1;
		}
		PQclear(res);
		/* The NULL that ends each query's results. */
		while ((res = PQgetResult(c->conn)) != NULL)
			PQclear(res);
	}
	/* Up to the sync, past the rows an error aborted. */
	while ((res = PQgetResult(c->conn)) != NULL) {
		int sync = PQresultStatus(res) == PGRES_PIPELINE_SYNC;

		PQclear(res);
		if (sync)
			break;
	}
	return rc;
}

/* Writes rows[0..n) of node, PIPELINE_ROWS to a round trip. */
static int ship_rows(struct cluster *c, const char *node,
		     const struct store_changed_row *rows, size_t n)
{
	struct row_params r;
	int rc = 0;

	if (!PQenterPipelineMode(c->conn))
		return fail(c, "writing rows", NULL);
	for (size_t i = 0; i < n && rc == 0; i += PIPELINE_ROWS) {
		size_t count = n - i < PIPELINE_ROWS ? n - i : PIPELINE_ROWS;

		for (size_t k = 0; k < count && rc == 0; k++) {
			row_params(node, &rows[i + k], &r);
			if (!PQsendQueryPrepared(c->conn, "ship_row", 18, r.p,
						 NULL, NULL, 0))
				rc = fail(c, "writing rows", NULL);
		}
		if (!PQpipelineSync(c->conn)) {
			rc = fail(c, "writing rows", NULL);
			break;
		}
		if (read_rows(c, rows + i, count) < 0)
			rc = -1;
	}
	if (!PQexitPipelineMode(c->conn) && rc == 0)
		rc = fail(c, "writing rows", NULL);
	return rc;
}

/*
 * Takes node's mark for the batch's transaction (FOR UPDATE: a second
 * ship of the node waits here), made if new, and checks that it is the
 * one the batch was read from, counted in the same database.
 */
static int take_mark(struct cluster *c, const char *node,
		     const char *database_id, int64_t after)
{
	const char *p[2] = { node, database_id };
	PGresult *res;
	int rc = -1;

	if (run_params(c,
		       "INSERT INTO cluster_node (name) VALUES ($1) "
		       "ON CONFLICT (name) DO NOTHING",
		       1, p, "writing rows") < 0 ||
	    run_params(c,
		       "INSERT INTO ship_state (node, database_id, shipped_seq, "
		       "rows, updated) VALUES ($1, $2, -1, 0, 0) "
		       "ON CONFLICT (node) DO NOTHING",
		       2, p, "writing rows") < 0)
		return -1;
	res = PQexecParams(c->conn,
			   "SELECT shipped_seq, database_id FROM ship_state "
			   "WHERE node = $1 FOR UPDATE",
			   1, NULL, p, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1) {
		fail(c, "reading the node's mark", res);
		goto out;
	}
	if (strcmp(PQgetvalue(res, 0, 1), database_id) != 0) {
		errmsg_set("%s: node %s was shipped from another database "
			   "(id %s, this one %s): ship this one as another "
			   "--node-name, or remove the node's rows and mark "
			   "first",
			   c->where, node, PQgetvalue(res, 0, 1), database_id);
		goto out;
	}
	if (strtoll(PQgetvalue(res, 0, 0), NULL, 10) != after) {
		errmsg_set("%s: another ship of node %s ran meanwhile (its mark "
			   "is %s, not %lld): run it again",
			   c->where, node, PQgetvalue(res, 0, 0),
			   (long long)after);
		goto out;
	}
	rc = 0;
out:
	PQclear(res);
	return rc;
}

int cluster_ship(struct cluster *c, const char *node, const char *database_id,
		 int64_t after, const struct store_changed_row *rows, size_t n,
		 int64_t upto)
{
	char seq[24], count[24], now[24];
	const char *p[4] = { node, seq, count, now };

	snprintf(seq, sizeof(seq), "%lld", (long long)upto);
	snprintf(count, sizeof(count), "%zu", n);
	snprintf(now, sizeof(now), "%lld", (long long)time(NULL));
	if (put_names(c, rows, n) < 0 || run(c, "BEGIN", "writing rows") < 0)
		return -1;
	if (take_mark(c, node, database_id, after) < 0)
		goto rollback;
	if (n > 0 && ship_rows(c, node, rows, n) < 0)
		goto rollback;
	if (run_params(c,
		       "UPDATE ship_state SET shipped_seq = $2, "
		       "rows = rows + $3, updated = $4 WHERE node = $1",
		       4, p, "writing the node's mark") < 0 ||
	    run(c, "COMMIT", "writing rows") < 0)
		goto rollback;
	return 0;
rollback:
	rollback(c);
	return -1;
}

int cluster_put_setting(struct cluster *c, const char *node, const char *key,
			const char *value)
{
	const char *p[3] = { node, key, value };

	if (run_params(c,
		       "INSERT INTO cluster_node (name) VALUES ($1) "
		       "ON CONFLICT (name) DO NOTHING",
		       1, p, "writing the node's settings") < 0)
		return -1;
	return run_params(c, sql_pg_ship_setting, 3, p,
			  "writing the node's settings");
}

int cluster_put_status(struct cluster *c, const char *node, int64_t failures,
		       int64_t lag)
{
	char f[24], l[24];
	const char *p[3] = { node, f, l };

	snprintf(f, sizeof(f), "%lld", (long long)failures);
	snprintf(l, sizeof(l), "%lld", (long long)lag);
	return run_params(c,
			  "UPDATE ship_state SET failures = $2, lag = $3 "
			  "WHERE node = $1",
			  3, p, "writing the node's status");
}
