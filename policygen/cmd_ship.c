/*
 * policygen ship: sends a node's raw rows from its own database to the
 * cluster store in PostgreSQL, those changed since the last run: the
 * node's flush numbers (its change sequence) say which, and the store
 * keeps the last one shipped with the rows, so that a run cut short
 * sends its batch again and nothing twice.
 *
 * With --follow it runs on (podflow-ship.service): a pass every
 * interval, and while the cluster store fails, passes further apart, up
 * to a minute, the outage logged when it starts and when it ends.  The
 * node's database is the outbox: nothing waits in memory, and a pass
 * after an outage, a restart or a kill sends what is not there yet.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "podflow/cluster.h"
#include "podflow/errmsg.h"
#include "podflow/grow.h"
#include "podflow/kname.h"
#include "podflow/promtext.h"
#include "podflow/store.h"
#include "podflow/store_read.h"
#include "policygen.h"

/* Flushes a batch holds at most: a transaction of minutes, not of days. */
#define SHIP_BATCH 60
/*
 * Rows a batch of the history from before the flushes were numbered
 * (flush 0) holds at most, a bucket's rows together: that history may be
 * days of a node's rows, more than a transaction should hold.
 */
#define SHIP_HISTORY_ROWS 10000
/* --follow: seconds between passes (--interval's default). */
#define SHIP_INTERVAL_S 10
/* --follow: seconds before the first retry of a failed pass, and at most. */
#define SHIP_BACKOFF_MIN_S 1
#define SHIP_BACKOFF_MAX_S 60

static void ship_usage(FILE *f)
{
	fprintf(f, "usage: policygen ship [--db PATH] --to postgresql://... "
		   "[--node-name NAME]\n"
		   "                      [--follow [--interval DURATION] "
		   "[--metrics-file PATH]]\n"
		   "Sends this node's raw rows changed since the last run to the "
		   "cluster store;\n"
		   "with --follow, again and again until stopped.\n");
}

struct ship_cli {
	const char *db, *to, *node, *metrics;
	int follow;
	int64_t interval;
};

static int set_option(void *ctx, int ch, char *arg)
{
	struct ship_cli *c = ctx;

	switch (ch) {
	case 'd': c->db = arg; return 0;
	case 't':
		if (!cluster_is_uri(arg)) {
			errmsg_set("--to: '%s' is not a PostgreSQL URI "
				   "(postgresql://...)",
				   arg);
			return -1;
		}
		c->to = arg;
		return 0;
	case 'n':
		if (!kname_is_dns_subdomain(arg)) {
			errmsg_set("--node-name: '%s' is not a node name", arg);
			return -1;
		}
		c->node = arg;
		return 0;
	case 'f': c->follow = 1; return 0;
	case 'i':
		if (cli_parse_duration("interval", arg, &c->interval) < 0)
			return -1;
		if (c->interval < 1) {
			errmsg_set("--interval: '%s' is under a second", arg);
			return -1;
		}
		return 0;
	case 'm': c->metrics = arg; return 0;
	}
	return 0;
}

/* The rows of one batch, kept as read (a read is not held open to send). */
struct batch {
	struct store_changed_row *rows;
	size_t n, cap;
};

static int keep_row(const struct store_changed_row *row, void *ctx)
{
	struct batch *b = ctx;

	if (GROW(b->rows, b->cap, b->n + 1) < 0) {
		errmsg_set("out of memory");
		return -1;
	}
	b->rows[b->n++] = *row;
	return 0;
}

/* The node the rows go by: --node-name, else the one podflowd recorded. */
static int node_name(struct store *s, const char *given, char **out)
{
	if (given != NULL)
		return (*out = strdup(given)) != NULL ? 0 : -1;
	if (store_meta_get(s, "node", out) < 0)
		return -1;
	if (*out == NULL || !kname_is_dns_subdomain(*out)) {
		errmsg_set("%s records no node name%s%s: give --node-name",
			   store_filename(s), *out ? " that is one: " : "",
			   *out ? *out : "");
		return -1;
	}
	return 0;
}

/*
 * The node's settings its rows are read with, as its own in the cluster
 * store: the width of its time buckets (attribution by bucket spans
 * one), its pod CIDRs (which addresses no known pod held are pods').
 */
static int ship_settings(struct store *s, struct cluster *cl,
			 const char *node)
{
	static const char *const keys[] = { "time_bucket_seconds",
					    "pod_cidrs" };

	for (size_t i = 0; i < sizeof(keys) / sizeof(*keys); i++) {
		char *value;
		int rc;

		if (store_meta_get(s, keys[i], &value) < 0)
			return -1;
		rc = value == NULL ? 0
				   : cluster_put_setting(cl, node, keys[i], value);
		free(value);
		if (rc < 0)
			return -1;
	}
	return 0;
}

/* The history's parts: the last bucket of each. */
struct history {
	int64_t *last;
	size_t n, cap;
	int64_t rows; /* in the last part */
};

static int add_bucket(int64_t bucket, int64_t rows, void *ctx)
{
	struct history *h = ctx;

	if (h->n == 0 || h->rows + rows > SHIP_HISTORY_ROWS) {
		if (GROW(h->last, h->cap, h->n + 1) < 0) {
			errmsg_set("out of memory");
			return -1;
		}
		h->n++;
		h->rows = 0;
	}
	h->last[h->n - 1] = bucket;
	h->rows += rows;
	return 0;
}

/* How a pass went. */
enum pass {
	PASS_DONE,	/* every flush there was is shipped */
	PASS_FAILED,	/* try again: the cluster store, or the database */
	PASS_REFUSED,	/* the node's database is not the one shipped */
};

/* What a run of ship keeps from pass to pass. */
struct shipper {
	const struct ship_cli *c;
	struct cluster *cl; /* NULL: to connect */
	char *node;	    /* as the last pass named it */
	int64_t rows, batches, passes, failures;
	int64_t lag;	 /* flushes behind when the last pass began */
	int64_t mark;	 /* the node's mark after the last pass; -1 none */
	int64_t last_ok; /* when a pass last shipped all; 0: never */
	int up;		 /* the last pass did */
};

static volatile sig_atomic_t stopping;

static void on_stop(int sig)
{
	(void)sig;
	stopping = 1;
}

/*
 * A node's first ship sends its history, flush 0, in parts of buckets
 * in turn, each in a transaction of its own that leaves the mark where
 * it is (-1), the last one moving it to 0.  A run cut short sends the
 * parts again from the first: they replace what they sent, and double
 * nothing.  With no history, the batches of the numbered flushes send
 * flush 0 with theirs.
 */
static int ship_history(struct shipper *sh, struct store *s, const char *id,
			struct batch *b, int64_t *mark)
{
	struct history h = { 0 };
	int rc = -1;

	if (store_read_history(s, add_bucket, &h) < 0)
		goto out;
	for (size_t i = 0; i < h.n && !stopping; i++) {
		int final = i + 1 == h.n;

		b->n = 0;
		if (store_read_changed(s, -1, 0, i == 0 ? INT64_MIN
							: h.last[i - 1] + 1,
				       final ? INT64_MAX : h.last[i], keep_row,
				       b) < 0 ||
		    cluster_ship(sh->cl, sh->node, id, -1, b->rows, b->n,
				 final ? 0 : -1) < 0)
			goto out;
		sh->rows += (int64_t)b->n;
		sh->batches++;
		if (final)
			*mark = 0;
	}
	rc = 0;
out:
	free(h.last);
	return rc;
}

/*
 * One pass: every flush of the node's database after the node's mark,
 * batch after batch, each with its mark.  The database is opened anew
 * each pass (podflowd may have replaced it); the connection is kept
 * while it works.
 */
static enum pass ship_pass(struct shipper *sh)
{
	const struct ship_cli *c = sh->c;
	struct store *s = NULL;
	struct batch b = { 0 };
	char *node = NULL, *id = NULL, *shipped_id = NULL;
	int64_t mark, latest;
	enum pass rc = PASS_FAILED;

	if (store_open(store_path(c->db), STORE_READONLY, &s) < 0 ||
	    node_name(s, c->node, &node) < 0 ||
	    store_change_latest(s, &latest) < 0 ||
	    store_meta_get(s, "database_id", &id) < 0)
		goto out;
	if (id == NULL) {
		errmsg_set("%s has no database id: open it once with a writer "
			   "(podflowd, policygen import) to migrate it",
			   store_filename(s));
		goto out;
	}
	free(sh->node);
	sh->node = node;
	node = NULL;
	if (sh->cl == NULL && cluster_open(c->to, &sh->cl) < 0)
		goto out;
	if (cluster_shipped(sh->cl, sh->node, &mark, &shipped_id) < 0)
		goto drop;
	/*
	 * Numbers that are another database's, or behind the mark: the
	 * node's database was replaced, and its rows would be read wrong.
	 */
	if (shipped_id != NULL && strcmp(shipped_id, id) != 0) {
		errmsg_set("node %s was shipped from another database (id %s, "
			   "%s is %s): ship this one as another --node-name, or "
			   "remove the node's rows and mark from the cluster "
			   "store first",
			   sh->node, shipped_id, store_filename(s), id);
		rc = PASS_REFUSED;
		goto out;
	}
	if (latest < mark) {
		errmsg_set("node %s: %s has flushes up to %lld, the cluster "
			   "store holds its rows up to %lld: it is not the "
			   "database shipped (restored from a copy?)",
			   sh->node, store_filename(s), (long long)latest,
			   (long long)mark);
		rc = PASS_REFUSED;
		goto out;
	}
	sh->lag = latest - mark;
	if (ship_settings(s, sh->cl, sh->node) < 0)
		goto drop;
	if (mark < 0 && ship_history(sh, s, id, &b, &mark) < 0)
		goto drop;
	/* Batch after batch, each with its mark: a cut run resumes there. */
	while (mark < latest && !stopping) {
		int64_t upto = mark + SHIP_BATCH < latest ? mark + SHIP_BATCH
							   : latest;

		b.n = 0;
		if (store_read_changed(s, mark, upto, INT64_MIN, INT64_MAX,
				       keep_row, &b) < 0)
			goto out;
		if (cluster_ship(sh->cl, sh->node, id, mark, b.rows, b.n,
				 upto) < 0)
			goto drop;
		sh->rows += (int64_t)b.n;
		sh->batches++;
		mark = upto;
	}
	sh->mark = mark;
	if (c->follow &&
	    cluster_put_status(sh->cl, sh->node, sh->failures, latest - mark) < 0)
		goto drop;
	rc = PASS_DONE;
	goto out;
drop:
	/* The next pass connects again: this connection may be gone. */
	cluster_close(sh->cl);
	sh->cl = NULL;
out:
	free(b.rows);
	free(node);
	free(id);
	free(shipped_id);
	store_close(s);
	return rc;
}

/* The run's counts as a Prometheus textfile (--metrics-file). */
static int write_metrics(const struct shipper *sh)
{
	const struct promtext_metric m[] = {
		{ "podflow_ship_rows_total", "counter",
		  "Rows sent to the cluster store.", (double)sh->rows },
		{ "podflow_ship_batches_total", "counter",
		  "Batches written to the cluster store.",
		  (double)sh->batches },
		{ "podflow_ship_passes_total", "counter",
		  "Passes that shipped every flush there was.",
		  (double)sh->passes },
		{ "podflow_ship_failures_total", "counter",
		  "Passes that failed (to be tried again).",
		  (double)sh->failures },
		{ "podflow_ship_lag_flushes", "gauge",
		  "Flushes of the node not in the cluster store when the last "
		  "pass began.",
		  (double)sh->lag },
		{ "podflow_ship_last_success_timestamp_seconds", "gauge",
		  "When a pass last shipped every flush there was.",
		  (double)sh->last_ok },
		{ "podflow_ship_up", "gauge",
		  "Whether the last pass reached the cluster store and shipped.",
		  (double)sh->up },
	};

	return promtext_write(sh->c->metrics, m, sizeof(m) / sizeof(m[0]));
}

/* Sleeps up to seconds, less when asked to stop. */
static void pause_for(int64_t seconds)
{
	struct timespec t = { .tv_sec = (time_t)seconds };

	while (!stopping && nanosleep(&t, &t) < 0 && errno == EINTR)
		;
}

/* --follow: passes until SIGTERM or SIGINT; the exit status. */
static int follow(struct shipper *sh)
{
	const struct ship_cli *c = sh->c;
	struct sigaction sa = { .sa_handler = on_stop };
	int64_t backoff = SHIP_BACKOFF_MIN_S, outage = 0, failed_in = 0;
	int metrics_failing = 0;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	fprintf(stderr, "policygen ship: following %s, a pass every %lld s\n",
		store_path(c->db), (long long)c->interval);
	while (!stopping) {
		int64_t now, wait;
		enum pass p = ship_pass(sh);

		now = (int64_t)time(NULL);
		if (p == PASS_REFUSED) {
			cli_print_error();
			return EXIT_INVALID;
		}
		sh->up = p == PASS_DONE;
		if (p == PASS_FAILED) {
			sh->failures++;
			failed_in++;
			/* Once per outage, not once per attempt. */
			if (outage == 0) {
				fprintf(stderr,
					"policygen ship: %s; trying again, "
					"less often while it fails (up to "
					"every %d s)\n",
					errmsg_get(), SHIP_BACKOFF_MAX_S);
				outage = now;
			}
			wait = backoff;
			backoff = backoff * 2 < SHIP_BACKOFF_MAX_S
					  ? backoff * 2
					  : SHIP_BACKOFF_MAX_S;
		} else {
			if (outage != 0)
				fprintf(stderr,
					"policygen ship: shipping again after "
					"%lld s and %lld failed attempt%s; "
					"node %s's rows are there up to flush "
					"%lld\n",
					(long long)(now - outage),
					(long long)failed_in,
					failed_in == 1 ? "" : "s", sh->node,
					(long long)sh->mark);
			outage = failed_in = 0;
			backoff = SHIP_BACKOFF_MIN_S;
			sh->passes++;
			sh->last_ok = now;
			wait = c->interval;
		}
		if (c->metrics != NULL) {
			if (write_metrics(sh) < 0) {
				if (!metrics_failing)
					cli_print_error();
				metrics_failing = 1;
			} else {
				metrics_failing = 0;
			}
		}
		pause_for(wait);
	}
	fprintf(stderr,
		"policygen ship: stopped; %lld rows shipped in %lld batch%s\n",
		(long long)sh->rows, (long long)sh->batches,
		sh->batches == 1 ? "" : "es");
	return EXIT_DONE;
}

int cmd_ship(int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_DB_OPTION,
		{ "to", required_argument, NULL, 't' },
		{ "node-name", required_argument, NULL, 'n' },
		{ "follow", no_argument, NULL, 'f' },
		{ "interval", required_argument, NULL, 'i' },
		{ "metrics-file", required_argument, NULL, 'm' },
		CLI_OPTIONS_END,
	};
	struct ship_cli c = { .interval = SHIP_INTERVAL_S };
	enum cli_parsed parsed = cli_getopt(argc, argv, "h", opts, ship_usage,
					    set_option, &c, CLI_NO_ARGS);
	struct shipper sh = { .c = &c, .mark = -1 };
	int status = EXIT_RUNTIME;

	if (parsed != CLI_RUN)
		return cli_exit_status(parsed);
	if (c.to == NULL) {
		errmsg_set("no cluster store: give --to postgresql://...");
		cli_print_error();
		return EXIT_INVALID;
	}
	if (!c.follow && (c.metrics != NULL || c.interval != SHIP_INTERVAL_S)) {
		errmsg_set("--interval and --metrics-file go with --follow");
		cli_print_error();
		return EXIT_INVALID;
	}
	if (c.follow) {
		status = follow(&sh);
	} else if (ship_pass(&sh) == PASS_DONE) {
		printf("shipped %lld row%s in %lld batch%s as node %s; its rows "
		       "are there up to flush %lld\n",
		       (long long)sh.rows, cli_plural((size_t)sh.rows),
		       (long long)sh.batches, sh.batches == 1 ? "" : "es",
		       sh.node, (long long)sh.mark);
		status = EXIT_DONE;
	} else {
		cli_print_error();
	}
	cluster_close(sh.cl);
	free(sh.node);
	return status;
}
