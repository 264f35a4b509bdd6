/*
 * podflowd: the node daemon that records which pods talk to what, from
 * netfilter conntrack, into the podflow database.
 *
 * This file is the wiring: options and configuration, the event loop
 * (netlink input, the timers of timer.h, signals) and the shutdown that
 * flushes everything received.  What happens to each message is in
 * collector.c.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "podflow/errmsg.h"
#include "podflow/log.h"
#include "podflow/sdnotify.h"
#include "podflow/store.h"
#include "podflow/version.h"
#include "clock.h"
#include "collector.h"
#include "conntab.h"
#include "config.h"
#include "ctsub.h"
#include "metrics.h"
#include "timer.h"

/* Messages handled before the loop looks at its timers again. */
#define RECEIVE_BUDGET 4096
/*
 * Under load, the socket is read in batches: after a read that found
 * events less than BATCH_WAIT_MS after the last that did, or found many
 * at once, the loop lets BATCH_WAIT_MS pass (signals and timers still
 * wake it) before it reads again, so that it wakes at most about a
 * thousand times a second.  Woken for every event or every few, podflowd
 * spent a fifth of its time going to sleep and waking.  A millisecond of
 * the fastest flood is ~200 events, ~150 KiB of queue, so only a buffer
 * of BATCH_MIN_RCVBUF or more is read this way.
 */
#define BATCH_MIN_EVENTS 8
#define BATCH_WAIT_MS 1
#define BATCH_MIN_RCVBUF (1u << 20)
/*
 * After lost events, the resync waits until the socket is drained (see
 * on_lost_events()), but under sustained overload no longer than this,
 * doubled after each such forced dump up to the maximum: a dump is costly
 * and the events it delays are being dropped.
 */
#define RESYNC_MIN_DELAY_MS 1000
#define RESYNC_MAX_DELAY_MS 60000
/* With reliable events, the resync waits for this long without a loss. */
#define RELIABLE_QUIET_MS 10000
/* A full dump now and then forgets connections whose end went unseen. */
#define RESYNC_PERIODIC_S 3600
/* At shutdown, what the kernel already queued is read for at most this. */
#define SHUTDOWN_DRAIN_MS 3000
/*
 * Then a flush that fails (a full disk, a database locked by a reader's
 * long write) is tried again every SHUTDOWN_RETRY_PAUSE_MS for this long:
 * with the drain, within the unit's TimeoutStopSec (30 s).
 */
#define SHUTDOWN_RETRY_MS 15000
#define SHUTDOWN_RETRY_PAUSE_MS 500
#define PRUNE_INTERVAL_S 3600
/* The upkeep again this soon while hours are left to resolve. */
#define CATCHUP_INTERVAL_S 5
/* How long opening (and migrating) the database may take under systemd. */
#define OPEN_TIMEOUT_S 1800
/* How often the service manager's STATUS= line is refreshed. */
#define STATUS_INTERVAL_S 10
/* Whether the kernel stamps conntrack entries with their start time. */
#define CONNTRACK_TIMESTAMP_SYSCTL \
	"/proc/sys/net/netfilter/nf_conntrack_timestamp"

enum { EXIT_RUNTIME = 1, EXIT_USAGE = 2 };

/* What the command line set, re-applied over the file on every reload. */
struct overrides {
	const char *config_path;
	int config_explicit;
	const char *db;
	char **pod_cidrs;
	size_t n_pod_cidrs;
	long flush_interval_ms; /* -1: not given */
	const char *node_name; /* --node-name, or NULL */
};

struct daemon {
	struct overrides ov;
	struct config cfg;
	struct store *store;
	struct ctsub *sub;
	struct collector *col;
	int sigfd;
	struct timers timers; /* TIMER_RESYNC set: a resync is pending */
	int64_t watchdog_ms;  /* ping interval; 0: no watchdog */
	int64_t resync_delay; /* current forced-dump delay, ms */
	uint64_t sweep_at;    /* event bytes read when a dump's sweep is due */
	int at_drain;	      /* no event read since the socket was empty */
	int batching;	      /* the last read was busy: wait, then read */
	int batch_ok;	      /* the buffer is large enough for batches */
	int64_t events_at;    /* the last read that found events, mono ns */
	uint64_t foreign;     /* foreign datagrams already logged */
	int64_t mark;	      /* the count's mark last written (flush()) */
	int64_t edges_at;     /* when the last edges were written, Unix ns */
	int wal_warned;	      /* a blocked checkpoint's WAL size was logged */
	struct log_ratelimit enobufs_rl, error_rl;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: podflowd [--config FILE] [--db PATH] [--pod-cidr CIDR]...\n"
		"                [--flush-interval MS] [--node-name NAME] [--check-config]\n"
		"                [--version] [--help]\n"
		"\n"
		"Records pod traffic from conntrack events into the podflow database.\n"
		"  --config FILE        settings (default %s)\n"
		"  --db PATH            database (default: $PODFLOW_DB, else %s)\n"
		"  --pod-cidr CIDR      pod address range, repeatable; replaces pod_cidrs\n"
		"  --flush-interval MS  how often edges are written (default %d)\n"
		"  --node-name NAME     this Kubernetes node's name (default: the host name)\n"
		"  --check-config       validate the configuration, print it and exit\n",
		CONFIG_DEFAULT_PATH, STORE_DEFAULT_PATH,
		CONFIG_FLUSH_INTERVAL_MS);
}

static int64_t monotonic_ms(void)
{
	return clock_ns(CLOCK_MONOTONIC) / 1000000;
}

static int64_t wall_seconds(void)
{
	return (int64_t)time(NULL);
}

/* Builds the configuration in force from the file and the command line. */
static int load_config(const struct overrides *ov, struct config *out)
{
	struct config cfg;

	config_init(&cfg);
	if (config_load(ov->config_path, !ov->config_explicit, &cfg) < 0)
		goto err;
	if (ov->node_name != NULL && config_set_node_name(&cfg, ov->node_name) < 0) {
		errmsg_prefix("--node-name");
		goto err;
	}
	if (ov->db != NULL && config_set_db(&cfg, ov->db) < 0)
		goto err;
	if (ov->n_pod_cidrs > 0) {
		config_clear_pod_cidrs(&cfg);
		for (size_t i = 0; i < ov->n_pod_cidrs; i++)
			if (config_add_pod_cidr(&cfg, ov->pod_cidrs[i]) < 0) {
				errmsg_prefix("--pod-cidr");
				goto err;
			}
	}
	if (ov->flush_interval_ms >= 0)
		cfg.flush_interval_ms = (unsigned int)ov->flush_interval_ms;
	if (config_validate(&cfg) < 0)
		goto err;
	*out = cfg;
	return 0;
err:
	config_free(&cfg);
	return -1;
}

static void print_config(const struct config *cfg)
{
	char *cidrs = config_pod_cidrs_text(cfg), node[256];

	printf("db: %s\n", store_path(cfg->db));
	printf("pod_cidrs: %s\n", cidrs ? cidrs : "?");
	printf("flush_interval_ms: %u\n", cfg->flush_interval_ms);
	printf("netlink_buffer_bytes: %llu\n",
	       (unsigned long long)cfg->netlink_buffer_bytes);
	printf("time_bucket_seconds: %u\n", cfg->time_bucket_seconds);
	printf("retention_days: %u\n", cfg->retention_days);
	printf("raw_retention_hours: %u\n", cfg->raw_retention_hours);
	printf("stats_interval_seconds: %u\n", cfg->stats_interval_seconds);
	printf("metrics_file: %s\n", cfg->metrics_file ? cfg->metrics_file : "");
	printf("metrics_interval_seconds: %u\n", cfg->metrics_interval_seconds);
	printf("reliable_events: %s\n", cfg->reliable_events ? "true" : "false");
	printf("node_name: %s\n", config_node_name(cfg, node, sizeof(node)));
	free(cidrs);
}

/* Records what readers of the database need to interpret it. */
static void write_meta(struct daemon *d)
{
	char *cidrs = config_pod_cidrs_text(&d->cfg), bucket[16], node[256];

	snprintf(bucket, sizeof(bucket), "%u", d->cfg.time_bucket_seconds);
	/* The node each row is shipped as (the cluster store's key). */
	config_node_name(&d->cfg, node, sizeof(node));
	if (cidrs == NULL || store_meta_set(d->store, "pod_cidrs", cidrs) < 0 ||
	    store_meta_set(d->store, "time_bucket_seconds", bucket) < 0 ||
	    store_meta_set(d->store, "node", node) < 0)
		log_msg(LOG_WARNING, "recording settings in the database: %s",
			errmsg_get());
	free(cidrs);
}

static void log_stats(struct daemon *d, const char *why)
{
	char line[768];

	log_msg(LOG_INFO, "%s: %s", why,
		collector_stats_line(d->col, line, sizeof(line)));
}

static void save_stats(struct daemon *d)
{
	collector_set_now(d->col, wall_seconds());
	if (collector_save_stats(d->col) < 0)
		log_msg(LOG_WARNING, "writing counters: %s", errmsg_get());
}

/*
 * The instant before which every connection that started is counted
 * (collector_flush_counted()): when the socket was last found empty, if
 * no event was read since, nor a dump made (it counts connections newer
 * than that), nor a loss left to resync, nor a connection left uncounted
 * for want of room, nor an edge lost.  0: none now.
 *
 * Less a grace: the kernel stamps a connection's start a moment before it
 * queues its NEW event (microseconds; 145 us seen with two CPUs busy; a
 * preempted task on a preemptible kernel, longer), so a read that found
 * the socket empty may have just missed one that started before it.  A
 * connection that started in the grace and is still open at the next
 * start-up is counted twice; one queued later than the grace after its
 * start would be missed.
 */
#define COUNTED_GRACE_NS 20000000

static int64_t counted_mark(struct daemon *d)
{
	int64_t at = ctsub_drained_at(d->sub);

	if (!d->at_drain || timer_is_set(&d->timers, TIMER_RESYNC) ||
	    collector_untracked(d->col) ||
	    collector_stats(d->col)->edges_dropped > 0 ||
	    at <= COUNTED_GRACE_NS)
		return 0;
	return at - COUNTED_GRACE_NS;
}

static void flush(struct daemon *d)
{
	int64_t mark = counted_mark(d);
	uint64_t suppressed;

	int edges = collector_stats(d->col)->pending_edges > 0;

	/*
	 * Without edges, nothing was counted since the last flush: a mark
	 * alone is worth writing until it reaches past the grace of the last
	 * edges (the connections of their last moments are in it then), and
	 * no more, so that an idle node writes nothing.
	 */
	if (mark <= d->mark || (!edges && d->mark >= d->edges_at))
		mark = 0;
	if (collector_flush_counted(d->col, mark) == 0) {
		if (mark != 0)
			d->mark = mark;
		if (edges)
			d->edges_at = clock_ns(CLOCK_REALTIME);
		return;
	}
	if (log_ratelimit_ok(&d->error_rl, wall_seconds(), &suppressed))
		log_msg(LOG_ERR,
			"flush failed, edges kept for the next try: %s%s",
			errmsg_get(),
			suppressed ? " (similar messages suppressed)" : "");
}

/*
 * The upkeep of the database: the raw rows the inventory covers resolved
 * into day rows (if an inventory was imported into it), an hour of them
 * at a time, then retention.  A raw row is kept until it is resolved,
 * whatever its age.  Returns nonzero while hours are left to resolve (a
 * database just migrated, an import after a long gap): the next upkeep
 * comes soon, and the events wait for no more than an hour's rows.
 */
static int maintain(struct daemon *d)
{
	int64_t now = wall_seconds();
	/* 0 days: nothing is old; 0 hours: raw rows as long as the rest. */
	int64_t before = d->cfg.retention_days
				 ? now - (int64_t)d->cfg.retention_days * 86400
				 : INT64_MIN;
	int64_t raw_before =
		d->cfg.raw_retention_hours
			? now - (int64_t)d->cfg.raw_retention_hours * 3600
			: before;
	struct store_resolved r;
	struct store_pruned p;

	r.more = 0;
	if (store_resolve_some(d->store, now, 1, &r) < 0)
		log_msg(LOG_WARNING, "resolving edges: %s", errmsg_get());
	else if (r.redone_from > 0)
		log_msg(LOG_INFO, "resolved again from %lld: the inventory of "
			"those days changed", (long long)r.redone_from);
	if (store_prune(d->store, raw_before, before, &p) < 0)
		log_msg(LOG_WARNING, "pruning old edges: %s", errmsg_get());
	else if (p.raw > 0 || p.days > 0)
		log_msg(LOG_INFO, "pruned %lld raw edges older than %u hours "
			"and %lld day rows older than %u days",
			(long long)p.raw, d->cfg.raw_retention_hours,
			(long long)p.days, d->cfg.retention_days);
	return r.more;
}

/*
 * A WAL this large is worth a look: SQLite checkpoints every 4 MiB or so,
 * and the hourly checkpoint cuts the file back to 64 MiB.
 */
#define WAL_WARN_BYTES (128LL << 20)

/*
 * A reader that holds a transaction open (a sqlite3 shell left at a
 * prompt, a long policygen run) keeps every checkpoint from finishing,
 * and the WAL grows by every write meanwhile.  Looked at after each
 * write while it is large: said once when a reader holds it, and again,
 * with the WAL cut back, when that reader is done.
 */
static void watch_wal(struct daemon *d)
{
	int64_t wal = store_wal_bytes(d->store);
	int held;

	if (wal < WAL_WARN_BYTES && !d->wal_warned)
		return;
	if ((held = store_checkpoint_passive(d->store)) < 0) {
		log_msg(LOG_WARNING, "%s", errmsg_get());
		return;
	}
	if (held && !d->wal_warned) {
		log_msg(LOG_WARNING,
			"the WAL of %s is %lld MiB and a reader holds a "
			"transaction open (a sqlite3 shell, a long policygen "
			"run): no checkpoint can finish, and it grows until that "
			"reader is done",
			store_filename(d->store), (long long)(wal >> 20));
		d->wal_warned = 1;
	} else if (!held && d->wal_warned) {
		/*
		 * All copied: cut the file back now, not within the hour.  Only
		 * then: a TRUNCATE waits for a writer, and a large WAL with no
		 * reader is left to the hourly one.
		 */
		if (store_checkpoint(d->store) < 0)
			log_msg(LOG_WARNING, "%s", errmsg_get());
		log_msg(LOG_INFO, "the reader is done: the WAL of %s was "
				  "checkpointed, %lld MiB now",
			store_filename(d->store),
			(long long)(store_wal_bytes(d->store) >> 20));
		d->wal_warned = 0;
	}
}

/* Keeps the WAL of a database written for months from growing. */
static void checkpoint(struct daemon *d)
{
	if (store_checkpoint(d->store) < 0)
		log_msg(LOG_WARNING, "%s", errmsg_get());
	watch_wal(d);
}

/* The counters, for `systemctl status`. */
static void notify_status(struct daemon *d)
{
	const struct collector_stats *st = collector_stats(d->col);

	if (sdnotify_sendf("STATUS=recording: %llu connections, %llu live, "
			   "%llu edges written, %llu lost-event episodes",
			   (unsigned long long)st->connections,
			   (unsigned long long)st->live_connections,
			   (unsigned long long)st->edges_flushed,
			   (unsigned long long)st->enobufs) < 0)
		log_msg(LOG_WARNING, "%s", errmsg_get());
}

static void write_metrics(struct daemon *d)
{
	uint64_t suppressed;

	if (d->cfg.metrics_file == NULL)
		return;
	if (metrics_write(d->cfg.metrics_file, collector_stats(d->col),
			  store_disk_bytes(d->store)) < 0 &&
	    log_ratelimit_ok(&d->error_rl, wall_seconds(), &suppressed))
		log_msg(LOG_WARNING, "%s", errmsg_get());
}

/*
 * Room for twice the entries the kernel keeps at most: the connections
 * it holds, and as many again whose end went unseen (lost events) until
 * a dump's sweep forgets them.  Past that a connection is counted at its
 * end (collector.c), so the room bounds memory, not exactness.
 */
#define ROOM_PER_KERNEL_ENTRY 2

/*
 * The room for live connections the kernel's maximum asks for; have (0 at
 * start: COLLECTOR_MAX_CONNS) when it does not say or sets no maximum.
 */
static size_t connection_room(struct daemon *d, size_t have)
{
	size_t room = have ? have : COLLECTOR_MAX_CONNS;
	uint32_t max;

	if (ctsub_table_max(d->sub, &max) < 0) {
		log_msg(LOG_WARNING, "%s; room for %zu live connections",
			errmsg_get(), room);
		return room;
	}
	if (max == 0) {
		log_msg(LOG_WARNING, "nf_conntrack_max is 0 (no maximum); room "
				     "for %zu live connections",
			room);
		return room;
	}
	if ((size_t)max > CONNTAB_MAX / ROOM_PER_KERNEL_ENTRY)
		max = CONNTAB_MAX / ROOM_PER_KERNEL_ENTRY;
	room = ROOM_PER_KERNEL_ENTRY * (size_t)max;
	if (room > have)
		log_msg(LOG_INFO,
			"room for %zu live connections, twice the kernel's "
			"nf_conntrack_max (%u): %zu KiB at most",
			room, max, conntab_bytes(room) / 1024);
	return room;
}

/* A table dump, at start-up or after the kernel dropped events. */
static int resync(struct daemon *d, int after_loss)
{
	uint64_t before = collector_stats(d->col)->dumped;

	collector_set_now(d->col, wall_seconds());
	/* Even if it fails: it may have counted, or begun to. */
	d->at_drain = 0;
	if (collector_resync(d->col, d->sub, after_loss) < 0) {
		log_msg(LOG_ERR, "conntrack table dump failed: %s",
			errmsg_get());
		return -1;
	}
	/*
	 * The sweep waits for the events queued while the dump ran: all read
	 * once the socket is drained, or once as many bytes as its queue can
	 * hold have been read (under a flood it never drains).
	 */
	d->sweep_at = ctsub_bytes_read(d->sub) + 2 * ctsub_rcvbuf(d->sub) +
		      CTSUB_RECV_BUFFER;
	if (after_loss)
		log_msg(LOG_INFO,
			"resynced: the table dump held %llu entries, %llu "
			"connections are live",
			(unsigned long long)(collector_stats(d->col)->dumped -
					     before),
			(unsigned long long)collector_stats(d->col)
				->live_connections);
	return 0;
}

/*
 * The kernel dropped events.  It reports ENOBUFS once, then drops silently
 * until the socket's queue has been drained; so the resync dump waits
 * until the queue is empty, when it covers every drop so far and any later
 * drop is reported anew.
 */
static void on_lost_events(struct daemon *d)
{
	uint64_t suppressed;

	collector_lost_events(d->col);
	/*
	 * With reliable events nothing was dropped: the kernel holds what
	 * did not fit, and sends a late NEW with the connection's next
	 * event.  A dump once the kernel has been quiet a while counts the
	 * connections still open meanwhile, so that a count can be marked
	 * again; sooner, each dump would only feed the backlog.
	 */
	if (d->cfg.reliable_events) {
		timer_set(&d->timers, TIMER_RESYNC,
			  monotonic_ms() + RELIABLE_QUIET_MS);
	} else if (!timer_is_set(&d->timers, TIMER_RESYNC)) {
		if (d->resync_delay == 0)
			d->resync_delay = RESYNC_MIN_DELAY_MS;
		timer_set(&d->timers, TIMER_RESYNC,
			  monotonic_ms() + d->resync_delay);
	}
	if (log_ratelimit_ok(&d->enobufs_rl, wall_seconds(), &suppressed))
		log_msg(LOG_WARNING,
			"%s (receive buffer of %llu bytes full; %llu episodes "
			"so far%s); resyncing from a table dump%s",
			d->cfg.reliable_events
				? "conntrack events are late"
				: "the kernel dropped conntrack events",
			(unsigned long long)ctsub_rcvbuf(d->sub),
			(unsigned long long)collector_stats(d->col)->enobufs,
			suppressed ? ", some not logged" : "",
			d->cfg.reliable_events ? " once they are not" : "");
}

/*
 * The pending resync: once the queue is drained, or at TIMER_RESYNC.
 * Under sustained overload the timer dumps to record live connections
 * early, but the resync stays pending (with a longer delay): until the
 * queue drains, the kernel may still be dropping silently.  A failed dump
 * is retried after the delay.
 */
static void resync_pending(struct daemon *d, int drained)
{
	int64_t now = monotonic_ms();

	if (resync(d, 1) == 0 && (drained || d->cfg.reliable_events)) {
		timer_stop(&d->timers, TIMER_RESYNC);
		d->resync_delay = 0;
		return;
	}
	d->resync_delay = d->resync_delay * 2 > RESYNC_MAX_DELAY_MS
				  ? RESYNC_MAX_DELAY_MS
				  : d->resync_delay * 2;
	timer_set(&d->timers, TIMER_RESYNC, now + d->resync_delay);
}

/*
 * Says (rate-limited) that datagrams came from another process: one with
 * CAP_NET_ADMIN can write to conntrack's groups, and what it wrote would
 * be flows that never were, so it was not read.
 */
static void note_foreign(struct daemon *d)
{
	uint64_t now = collector_stats(d->col)->foreign, suppressed;

	if (now == d->foreign ||
	    !log_ratelimit_ok(&d->error_rl, wall_seconds(), &suppressed))
		return;
	log_msg(LOG_WARNING,
		"ignored %llu netlink message%s not sent by the kernel (%llu "
		"in all): a process with CAP_NET_ADMIN writes to conntrack's "
		"event groups%s",
		(unsigned long long)(now - d->foreign),
		now - d->foreign == 1 ? "" : "s", (unsigned long long)now,
		suppressed ? " (similar messages suppressed)" : "");
	d->foreign = now;
}

/*
 * Reads what the socket holds, up to a budget.  Returns the number of
 * messages handled.
 */
static int receive(struct daemon *d)
{
	enum ctsub_status st = CTSUB_FAILED;
	uint64_t suppressed;
	int n = 0;

	collector_set_now(d->col, wall_seconds());
	/*
	 * Lost events come before the events still queued: note them and
	 * read on.  The kernel reports a loss again only once the queue has
	 * been drained, so a few rounds suffice; past them the loop's timers
	 * get their turn.
	 */
	for (int round = 0; round < 4; round++) {
		st = ctsub_receive(d->sub, RECEIVE_BUDGET, collector_handle,
				   d->col, &n);
		if (st != CTSUB_LOST)
			break;
		on_lost_events(d);
	}
	/*
	 * What a dump's sweep waits for: the events queued during the dump
	 * read, the socket drained or a queue's worth of bytes gone through.
	 */
	if (st == CTSUB_DRAINED || ctsub_bytes_read(d->sub) >= d->sweep_at)
		collector_sweep(d->col);
	note_foreign(d);
	d->at_drain = st == CTSUB_DRAINED;
	switch (st) {
	case CTSUB_LOST:
		return 1;
	case CTSUB_FAILED:
		if (log_ratelimit_ok(&d->error_rl, wall_seconds(),
				     &suppressed))
			log_msg(LOG_ERR, "%s", errmsg_get());
		return 0;
	case CTSUB_DRAINED:
		/* What a pending resync waits for. */
		if (timer_is_set(&d->timers, TIMER_RESYNC) &&
		    !d->cfg.reliable_events)
			resync_pending(d, 1);
		break;
	case CTSUB_BUDGET:
		break;
	}
	return n;
}

/*
 * The timers that follow the configuration: the flush interval, and the
 * metrics file written at once.
 */
static void set_config_timers(struct daemon *d, int64_t now)
{
	timer_set(&d->timers, TIMER_FLUSH, now + d->cfg.flush_interval_ms);
	if (d->cfg.metrics_file != NULL)
		timer_set(&d->timers, TIMER_METRICS, now);
	else
		timer_stop(&d->timers, TIMER_METRICS);
}

/* Whether a and b keep the same pod CIDRs. */
static int same_scope(const struct config *a, const struct config *b)
{
	char *ta = config_pod_cidrs_text(a), *tb = config_pod_cidrs_text(b);
	int same = ta != NULL && tb != NULL && strcmp(ta, tb) == 0;

	free(ta);
	free(tb);
	return same;
}

/*
 * The node's name stays what it was until a restart: the rows of one run
 * go by one name, and a cluster store would count a bucket's rows shipped
 * under two names twice.
 */
static void keep_node_name(const struct config *cur, struct config *next)
{
	char was[256], now[256];

	config_node_name(cur, was, sizeof(was));
	if (strcmp(config_node_name(next, now, sizeof(now)), was) == 0)
		return;
	log_msg(LOG_WARNING, "node_name changed to %s: takes effect on restart",
		now);
	if (config_set_node_name(next, was) < 0)
		log_msg(LOG_ERR, "keeping node_name %s: %s", was, errmsg_get());
}

static void reload(struct daemon *d)
{
	struct config next;
	int64_t now;
	int rescope;

	sdnotify_send("RELOADING=1");
	if (load_config(&d->ov, &next) < 0) {
		log_msg(LOG_ERR, "reload failed, keeping the old settings: %s",
			errmsg_get());
		sdnotify_send("READY=1");
		return;
	}
	if (strcmp(store_path(next.db), store_path(d->cfg.db)) != 0)
		log_msg(LOG_WARNING, "db changed to %s: takes effect on restart",
			store_path(next.db));
	keep_node_name(&d->cfg, &next);
	if (collector_set_scope(d->col, next.pod_cidrs, next.n_pod_cidrs) < 0) {
		log_msg(LOG_ERR, "reload failed: %s", errmsg_get());
		config_free(&next);
		sdnotify_send("READY=1");
		return;
	}
	collector_set_bucket(d->col, next.time_bucket_seconds);
	/* The kernel's maximum raised since: the table grows, never shrinks. */
	if (collector_set_max_conns(
		    d->col, connection_room(d, collector_max_conns(d->col))) < 0)
		log_msg(LOG_ERR, "%s; room for %zu live connections kept",
			errmsg_get(), collector_max_conns(d->col));
	if (next.netlink_buffer_bytes != d->cfg.netlink_buffer_bytes &&
	    ctsub_set_rcvbuf(d->sub, next.netlink_buffer_bytes) < 0)
		log_msg(LOG_WARNING, "%s", errmsg_get());
	d->batch_ok = ctsub_rcvbuf(d->sub) >= BATCH_MIN_RCVBUF;
	if (next.reliable_events != d->cfg.reliable_events) {
		if (ctsub_set_reliable(d->sub, next.reliable_events) < 0)
			log_msg(LOG_WARNING, "%s", errmsg_get());
		else
			collector_set_reliable(d->col, next.reliable_events);
	}
	/* Flows of a new scope: anything pending was judged by the old one. */
	flush(d);
	rescope = !same_scope(&d->cfg, &next);
	config_free(&d->cfg);
	d->cfg = next;
	write_meta(d);
	/*
	 * Connections open in a new scope were not counted in the old one:
	 * a dump counts them now (and the mark of the count holds for it).
	 */
	if (rescope)
		resync(d, 0);
	now = monotonic_ms();
	set_config_timers(d, now);
	/*
	 * Counters switched on: due now, as when they were off from the
	 * start.  Switched off, the timer stays set and on_stats() lets it
	 * stop; so an interval switched off and on again keeps its time.
	 */
	if (d->cfg.stats_interval_seconds > 0 &&
	    !timer_is_set(&d->timers, TIMER_STATS))
		timer_set(&d->timers, TIMER_STATS, now);
	log_msg(LOG_NOTICE, "configuration reloaded");
	sdnotify_send("READY=1");
}

/* Handles pending signals.  Returns 1 when the daemon must stop. */
static int handle_signals(struct daemon *d)
{
	struct signalfd_siginfo si;
	int stop = 0;

	while (read(d->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGTERM:
		case SIGINT:
			stop = 1;
			break;
		case SIGHUP:
			reload(d);
			break;
		case SIGUSR1:
			log_stats(d, "counters");
			break;
		}
	}
	return stop;
}

/*
 * The timers' handlers, run when their timer is due (it is stopped by
 * then): each does its work and, if it repeats, sets its timer again.
 */
static void on_resync(struct daemon *d, int64_t now)
{
	(void)now;
	resync_pending(d, 0);
}

static void on_flush(struct daemon *d, int64_t now)
{
	flush(d);
	watch_wal(d);
	timer_set(&d->timers, TIMER_FLUSH, now + d->cfg.flush_interval_ms);
}

static void on_stats(struct daemon *d, int64_t now)
{
	if (d->cfg.stats_interval_seconds == 0)
		return; /* switched off by a reload (see reload()) */
	log_stats(d, "counters");
	save_stats(d);
	timer_set(&d->timers, TIMER_STATS,
		  now + (int64_t)d->cfg.stats_interval_seconds * 1000);
}

static void on_prune(struct daemon *d, int64_t now)
{
	int more = maintain(d);

	/*
	 * A TRUNCATE checkpoint waits for readers: while catching up, every
	 * 5 s, it could hold the event loop as long as a read lasts.
	 */
	if (!more)
		checkpoint(d);
	timer_set(&d->timers, TIMER_PRUNE,
		  now + (more ? CATCHUP_INTERVAL_S : PRUNE_INTERVAL_S) * 1000);
}

static void on_status(struct daemon *d, int64_t now)
{
	notify_status(d);
	timer_set(&d->timers, TIMER_STATUS, now + STATUS_INTERVAL_S * 1000);
}

static void on_watchdog(struct daemon *d, int64_t now)
{
	/* From the loop itself: a stuck loop stops the pings. */
	sdnotify_send("WATCHDOG=1");
	timer_set(&d->timers, TIMER_WATCHDOG, now + d->watchdog_ms);
}

static void on_metrics(struct daemon *d, int64_t now)
{
	write_metrics(d);
	timer_set(&d->timers, TIMER_METRICS,
		  now + (int64_t)d->cfg.metrics_interval_seconds * 1000);
}

static void on_periodic(struct daemon *d, int64_t now)
{
	resync(d, 0);
	timer_set(&d->timers, TIMER_PERIODIC, now + RESYNC_PERIODIC_S * 1000);
}

/* A handler for every timer of timer.h. */
static void (*const timer_handlers[TIMER_COUNT])(struct daemon *, int64_t) = {
	[TIMER_RESYNC] = on_resync,
	[TIMER_FLUSH] = on_flush,
	[TIMER_STATS] = on_stats,
	[TIMER_PRUNE] = on_prune,
	[TIMER_STATUS] = on_status,
	[TIMER_WATCHDOG] = on_watchdog,
	[TIMER_METRICS] = on_metrics,
	[TIMER_PERIODIC] = on_periodic,
};

/* Runs every timer due at now, each once, in the order of timer.h. */
static void run_timers(struct daemon *d, int64_t now)
{
	enum timer_id id;

	while (timer_due(&d->timers, now, &id))
		timer_handlers[id](d, now);
}

/* The timers at start-up: what runs at once, what after an interval. */
static void start_timers(struct daemon *d)
{
	int64_t now = monotonic_ms();

	set_config_timers(d, now);
	if (d->cfg.stats_interval_seconds > 0)
		timer_set(&d->timers, TIMER_STATS,
			  now + (int64_t)d->cfg.stats_interval_seconds * 1000);
	timer_set(&d->timers, TIMER_PRUNE, now);
	timer_set(&d->timers, TIMER_PERIODIC, now + RESYNC_PERIODIC_S * 1000);
	if (getenv("NOTIFY_SOCKET") != NULL)
		timer_set(&d->timers, TIMER_STATUS, now);
	d->watchdog_ms = (int64_t)(sdnotify_watchdog_usec() / 2000);
	if (d->watchdog_ms == 0 && sdnotify_watchdog_usec() > 0)
		d->watchdog_ms = 1;
	if (d->watchdog_ms > 0)
		timer_set(&d->timers, TIMER_WATCHDOG, now);
}

/*
 * Stops cleanly: whatever the kernel already queued is read, everything
 * is flushed (tried again for a while if that fails), the counters are
 * saved.  Returns 0, or EXIT_RUNTIME when edges could not be stored, then
 * or earlier (edges_dropped), after saying how many.
 */
static int shutdown_flush(struct daemon *d)
{
	int64_t until = monotonic_ms() + SHUTDOWN_DRAIN_MS;
	uint64_t connections, dropped;
	char why[256] = "";
	size_t edges;

	sdnotify_send("STOPPING=1");
	/* Bounded: under steady traffic the queue never empties. */
	while (receive(d) > 0 && monotonic_ms() < until)
		;
	until = monotonic_ms() + SHUTDOWN_RETRY_MS;
	for (;;) {
		flush(d);
		if (collector_pending(d->col, NULL) == 0)
			break;
		snprintf(why, sizeof(why), "%s", errmsg_get());
		if (monotonic_ms() >= until)
			break;
		poll(NULL, 0, SHUTDOWN_RETRY_PAUSE_MS);
	}
	save_stats(d);
	write_metrics(d);
	log_stats(d, "stopping");
	edges = collector_pending(d->col, &connections);
	dropped = collector_stats(d->col)->edges_dropped;
	if (edges == 0 && dropped == 0)
		return 0;
	if (edges > 0)
		log_msg(LOG_ERR,
			"stopping with %zu edge%s (%llu connection%s) not "
			"stored, after %d s of tries: %s",
			edges, edges == 1 ? "" : "s",
			(unsigned long long)connections,
			connections == 1 ? "" : "s", SHUTDOWN_RETRY_MS / 1000,
			why);
	if (dropped > 0)
		log_msg(LOG_ERR,
			"%llu edges were dropped while the database failed and "
			"memory was full",
			(unsigned long long)dropped);
	return EXIT_RUNTIME;
}

/* receive(), and whether the next read is a batch's (BATCH_WAIT_MS). */
static void read_events(struct daemon *d)
{
	int64_t now = clock_ns(CLOCK_MONOTONIC);
	int n = receive(d);

	if (n <= 0)
		return;
	d->batching = d->batch_ok &&
		      (n >= BATCH_MIN_EVENTS ||
		       now - d->events_at < BATCH_WAIT_MS * 1000000LL);
	d->events_at = now;
}

static int event_loop(struct daemon *d)
{
	struct pollfd fds[2] = {
		{ .fd = ctsub_fd(d->sub), .events = POLLIN },
		{ .fd = d->sigfd, .events = POLLIN },
	};

	d->batch_ok = ctsub_rcvbuf(d->sub) >= BATCH_MIN_RCVBUF;
	start_timers(d);
	for (;;) {
		int wait = timer_next_due(&d->timers, monotonic_ms());
		int batch = d->batching;

		/* A batch's wait: for signals and timers only, then read. */
		if (batch && (wait < 0 || wait > BATCH_WAIT_MS))
			wait = BATCH_WAIT_MS;
		if (poll(batch ? &fds[1] : fds, batch ? 1 : 2, wait) < 0 &&
		    errno != EINTR) {
			log_msg(LOG_ERR, "poll: %s", strerror(errno));
			return EXIT_RUNTIME;
		}
		d->batching = 0;
		if (batch || (fds[0].revents & (POLLIN | POLLERR)))
			read_events(d);
		if ((fds[1].revents & POLLIN) && handle_signals(d))
			return shutdown_flush(d);
		run_timers(d, monotonic_ms());
	}
}

static int setup_signals(struct daemon *d)
{
	sigset_t mask;

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGUSR1);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0 ||
	    (d->sigfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC)) < 0) {
		errmsg_set("%s", strerror(errno));
		return -1;
	}
	return 0;
}

static int parse_args(int argc, char **argv, struct overrides *ov,
		      int *check_only)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "db", required_argument, NULL, 'd' },
		{ "pod-cidr", required_argument, NULL, 'p' },
		{ "flush-interval", required_argument, NULL, 'f' },
		{ "node-name", required_argument, NULL, 'n' },
		{ "check-config", no_argument, NULL, 'C' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	unsigned long ms;
	int c;

	while ((c = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			ov->config_path = optarg;
			ov->config_explicit = 1;
			break;
		case 'd':
			ov->db = optarg;
			break;
		case 'p':
			ov->pod_cidrs[ov->n_pod_cidrs++] = optarg;
			break;
		case 'f':
			if (config_parse_uint(optarg, 10, 60000, &ms) < 0) {
				fprintf(stderr,
					"podflowd: --flush-interval: '%s' is "
					"not a number of milliseconds from 10 "
					"to 60000\n",
					optarg);
				return -1;
			}
			ov->flush_interval_ms = (long)ms;
			break;
		case 'n':
			ov->node_name = optarg;
			break;
		case 'C':
			*check_only = 1;
			break;
		case 'V':
			printf("podflowd %s\n", PODFLOW_VERSION);
			exit(0);
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -1;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "podflowd: unexpected argument '%s'\n",
			argv[optind]);
		return -1;
	}
	return 0;
}

/*
 * Without the kernel's conntrack timestamps, a connection found in a table
 * dump (this start-up's, a resync's) has no known start, and its flows are
 * credited by time bucket: an address handed over in that bucket credits
 * both pods.  The setting is per network namespace, read where podflowd
 * runs.
 */
static void warn_without_timestamps(void)
{
	FILE *fp = fopen(CONNTRACK_TIMESTAMP_SYSCTL, "r");
	int on = -1;

	if (fp != NULL) {
		if (fscanf(fp, "%d", &on) != 1)
			on = -1;
		fclose(fp);
	}
	if (on == 0)
		log_msg(LOG_WARNING,
			"net.netfilter.nf_conntrack_timestamp is 0: connections "
			"found in table dumps (at start-up, after lost events) "
			"have no start time, and their flows are credited to "
			"every pod that held an address in their time bucket; "
			"set it to 1");
}

/*
 * What the previous podflowd counted (its mark), before write_meta()
 * records this one's settings: the start-up dump shows again those still
 * open.  The mark holds for the pod CIDRs it was counted in, and on a
 * clock that has not gone back past it; else, or damaged, there is none,
 * and every open connection counts again.
 */
static void read_mark(struct daemon *d)
{
	char *was = NULL, *now = config_pod_cidrs_text(&d->cfg);
	int64_t mark = 0;

	if (store_counted_before(d->store, &mark) < 0 ||
	    store_meta_get(d->store, "pod_cidrs", &was) < 0) {
		log_msg(LOG_WARNING, "%s", errmsg_get());
		mark = 0;
	} else if (mark != 0 && (now == NULL || was == NULL ||
				 strcmp(was, now) != 0)) {
		log_msg(LOG_NOTICE, "pod_cidrs changed since the last run: "
				    "every open connection counts again");
		mark = 0;
	} else if (mark / 1000000000 > wall_seconds()) {
		log_msg(LOG_WARNING, "the clock is behind the last run's count "
				     "mark: every open connection counts "
				     "again");
		mark = 0;
	}
	d->mark = mark;
	free(was);
	free(now);
}

/*
 * Opens the database and the event socket, dumps the table and tells the
 * service manager it is ready.  Returns 0, or -1 once the error is logged.
 */
static int start(struct daemon *d)
{
	/*
	 * The database (and its -wal, -shm) is readable by the group: its
	 * members can query it with sqlite3 while podflowd writes.
	 */
	umask(027);
	/*
	 * Opening migrates an older database, which takes a while for a big
	 * one (schema 8 rewrites every raw row: some 10 s a day of a large
	 * node): more than systemd's start timeout would wait.
	 */
	sdnotify_sendf("EXTEND_TIMEOUT_USEC=%llu\nSTATUS=opening the database",
		       (unsigned long long)OPEN_TIMEOUT_S * 1000000);
	/*
	 * The socket first: without CAP_NET_ADMIN, podflowd refuses before
	 * it makes or migrates a database it could never fill.  Events
	 * queued while a migration runs are read after it, or resynced.
	 */
	if (ctsub_open(d->cfg.netlink_buffer_bytes, &d->sub) < 0 ||
	    ctsub_set_reliable(d->sub, d->cfg.reliable_events) < 0 ||
	    store_open(store_path(d->cfg.db), 0, &d->store) < 0) {
		log_msg(LOG_ERR, "%s", errmsg_get());
		return -1;
	}
	d->col = collector_new(d->store, d->cfg.pod_cidrs, d->cfg.n_pod_cidrs,
			       d->cfg.time_bucket_seconds, 0,
			       connection_room(d, 0));
	if (d->col == NULL || setup_signals(d) < 0) {
		log_msg(LOG_ERR, "start-up: %s", errmsg_get());
		return -1;
	}
	collector_set_reliable(d->col, d->cfg.reliable_events);
	collector_set_clock(d->col, wall_seconds);
	warn_without_timestamps();
	read_mark(d);
	write_meta(d);
	collector_set_counted_before(d->col, d->mark);
	/* After the bind: connections opened before start-up count too. */
	if (resync(d, 0) < 0)
		return -1;
	log_msg(LOG_NOTICE,
		"recording to %s (receive buffer %llu bytes, %zu connections "
		"already open, %llu of them counted before)",
		store_filename(d->store),
		(unsigned long long)ctsub_rcvbuf(d->sub),
		(size_t)collector_stats(d->col)->live_connections,
		(unsigned long long)collector_stats(d->col)->counted_before);
	/* Bound, dumped, database open: ready. */
	if (sdnotify_send("READY=1") < 0)
		log_msg(LOG_WARNING, "%s", errmsg_get());
	return 0;
}

int main(int argc, char **argv)
{
	struct daemon d = {
		.ov = { .config_path = CONFIG_DEFAULT_PATH,
			.flush_interval_ms = -1 },
		.sigfd = -1,
		.enobufs_rl = LOG_RATELIMIT_INIT(60, 5),
		.error_rl = LOG_RATELIMIT_INIT(60, 10),
	};
	int check_only = 0, status = EXIT_RUNTIME;

	log_init("podflowd");
	config_init(&d.cfg);
	timer_init(&d.timers);
	/* At most one --pod-cidr per argument. */
	d.ov.pod_cidrs = calloc((size_t)argc, sizeof(char *));
	if (d.ov.pod_cidrs == NULL)
		return EXIT_RUNTIME;
	if (parse_args(argc, argv, &d.ov, &check_only) < 0) {
		status = EXIT_USAGE;
		goto out;
	}
	if (load_config(&d.ov, &d.cfg) < 0) {
		fprintf(stderr, "podflowd: %s\n", errmsg_get());
		status = EXIT_USAGE;
		goto out;
	}
	if (check_only) {
		print_config(&d.cfg);
		status = 0;
		goto out;
	}
	if (start(&d) == 0)
		status = event_loop(&d);
out:
	if (d.sigfd >= 0)
		close(d.sigfd);
	collector_free(d.col);
	ctsub_close(d.sub);
	store_close(d.store);
	config_free(&d.cfg);
	free(d.ov.pod_cidrs);
	return status;
}
