/*
 * read_changes: the raw rows a node's flushes changed, by their numbers
 * in the change sequence, for a shipper to send them on.
 */
#include <string.h>

#include "podflow/addr.h"
#include "podflow/errmsg.h"
#include "podflow/store.h"
#include "podflow/store_read.h"
#include "sql.h"
#include "store_int.h"

/* The schema that numbers the flushes. */
#define STORE_CHANGES_VERSION 12

struct changes_read {
	struct store *s;
	store_changed_fn fn;
	void *ctx;
};

/* Column i as an address into *a; NULL or empty: none (family 0). */
static int column_addr(const struct changes_read *r, struct sdb_stmt *st, int i,
		       struct addr *a)
{
	const char *text = store_column_text(st, i);

	memset(a, 0, sizeof(*a));
	if (text == NULL || text[0] == '\0')
		return 0;
	if (addr_parse(text, a) < 0) {
		errmsg_set("%s: address '%s' is none: the database is damaged",
			   store_filename(r->s), text);
		return -1;
	}
	return 0;
}

/* Column i as a count, STORE_UNKNOWN for NULL. */
static int64_t column_known(struct sdb_stmt *st, int i)
{
	return sdb_column_is_null(st, i)
		       ? STORE_UNKNOWN
		       : sdb_column_int64(st, i);
}

static int changed_row(struct sdb_stmt *st, void *ctx)
{
	const struct changes_read *r = ctx;
	struct store_changed_row row = { .changed = sdb_column_int64(st, 0) };
	struct store_edge *e = &row.edge;

	e->bucket = sdb_column_int64(st, 1);
	if (column_addr(r, st, 2, &e->client) < 0 ||
	    column_addr(r, st, 3, &e->server) < 0 ||
	    column_addr(r, st, 6, &e->service) < 0 ||
	    column_addr(r, st, 8, &e->client_nat) < 0)
		return -1;
	e->server_port = (uint16_t)sdb_column_int(st, 4);
	e->protocol = (uint8_t)sdb_column_int(st, 5);
	e->service_port = (uint16_t)sdb_column_int(st, 7);
	e->first_seen = sdb_column_int64(st, 9);
	e->last_seen = sdb_column_int64(st, 10);
	e->last_start = column_known(st, 11);
	e->connections = sdb_column_int64(st, 12);
	e->orig_bytes = column_known(st, 13);
	e->orig_packets = column_known(st, 14);
	e->reply_bytes = column_known(st, 15);
	e->reply_packets = column_known(st, 16);
	return r->fn(&row, r->ctx);
}

/* An older schema numbers nothing: it has to be migrated first. */
static int check_version(struct store *s)
{
	if (store_schema_version(s) >= STORE_CHANGES_VERSION)
		return 0;
	errmsg_set("%s: schema version %d numbers no changes (%d does); open "
		   "it once with a writer (podflowd, policygen import) to "
		   "migrate it",
		   store_filename(s), store_schema_version(s),
		   STORE_CHANGES_VERSION);
	return -1;
}

int store_change_latest(struct store *s, int64_t *seq)
{
	if (check_version(s) < 0)
		return -1;
	return store_query_int(s, sql_changes_latest, NULL, 0, seq);
}

int store_read_changed(struct store *s, int64_t after, int64_t upto,
		       int64_t first, int64_t last, store_changed_fn fn,
		       void *ctx)
{
	struct changes_read r = { s, fn, ctx };

	if (check_version(s) < 0)
		return -1;
	/* Nothing in the range: no scan of the table to find it. */
	if (after >= upto || first > last)
		return 0;
	return store_query_bound(s, sql_changes_read,
				 (const struct store_param[]){
					 STORE_INT(after), STORE_INT(upto),
					 STORE_INT(first), STORE_INT(last) },
				 4, changed_row, &r);
}

struct history_read {
	store_bucket_count_fn fn;
	void *ctx;
};

static int history_row(struct sdb_stmt *st, void *ctx)
{
	const struct history_read *h = ctx;

	return h->fn(sdb_column_int64(st, 0), sdb_column_int64(st, 1), h->ctx);
}

int store_read_history(struct store *s, store_bucket_count_fn fn, void *ctx)
{
	struct history_read h = { fn, ctx };

	if (check_version(s) < 0)
		return -1;
	return store_query_bound(s, sql_changes_history, NULL, 0, history_row,
				 &h);
}
