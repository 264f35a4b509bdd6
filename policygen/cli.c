/*
 * cli: what several of policygen's commands take alike: the databases of
 * several nodes (--db, repeatable, read-only), the one that holds review
 * decisions (--review-db), a time window, and a workload as [KIND/]NAME.
 */
#include <stdio.h>
#include <string.h>

#include "podflow/errmsg.h"
#include "podflow/timefmt.h"
#include "policygen.h"

int cli_add_db(struct cli_dbs *d, const char *path)
{
	if (d->n == CLI_MAX_DBS) {
		errmsg_set("--db: at most %d databases", CLI_MAX_DBS);
		return -1;
	}
	d->paths[d->n++] = path;
	return 0;
}

int cli_open_dbs(struct cli_dbs *d)
{
	if (d->n == 0)
		d->paths[d->n++] = NULL; /* the default path */
	for (; d->n_open < d->n; d->n_open++)
		if (store_open(store_path(d->paths[d->n_open]), STORE_READONLY,
			       &d->stores[d->n_open]) < 0)
			return -1;
	if (d->review_path != NULL &&
	    store_open(d->review_path, STORE_READONLY, &d->review) < 0)
		return -1;
	return 0;
}

struct store *cli_review_store(const struct cli_dbs *d)
{
	return d->review != NULL ? d->review : d->stores[0];
}

void cli_close_dbs(struct cli_dbs *d)
{
	store_close(d->review);
	d->review = NULL;
	for (size_t i = 0; i < d->n_open; i++)
		store_close(d->stores[i]);
	d->n_open = 0;
}

int cli_window(const char *since, const char *until, int64_t now,
	       int64_t *from, int64_t *to)
{
	return (since && timefmt_parse_when(since, now, from) < 0) ||
			       (until && timefmt_parse_when(until, now, to) < 0)
		       ? -1
		       : 0;
}

void cli_note_unstarted(struct store *const *stores, size_t n, int64_t since,
			int64_t until)
{
	for (size_t i = 0; i < n; i++) {
		int64_t rows;

		/* A note only: the command's own query reports a broken file. */
		if (store_count_unstarted(stores[i], since, until, &rows) < 0 ||
		    rows == 0)
			continue;
		fprintf(stderr,
			"policygen: note: %s: %lld flow row%s no connection "
			"start times (recorded before podflowd kept them, or "
			"found in a table dump without "
			"nf_conntrack_timestamp): credited to every pod that "
			"held an address at any time in the row's time "
			"bucket\n",
			store_filename(stores[i]), (long long)rows,
			rows == 1 ? " carries" : "s carry");
	}
}

void cli_split_workload(char *arg, const char **kind, const char **name)
{
	char *slash = strchr(arg, '/');

	if (slash != NULL) {
		*slash = '\0';
		*kind = arg;
		*name = slash + 1;
	} else {
		*name = arg;
	}
}
