/*
 * config: podflowd's settings, from a YAML file and the command line.
 *
 * Every tunable of the daemon lives here, with its default and bounds, so
 * that the file, the flags and the documentation agree.
 */
#ifndef PODFLOW_CONFIG_H
#define PODFLOW_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "podflow/addr.h"

#define CONFIG_DEFAULT_PATH "/etc/podflow/podflowd.yaml"

/* Defaults; see docs in the default podflowd.yaml. */
#define CONFIG_FLUSH_INTERVAL_MS 5000
/* About half a second of stall at 100k events/s (1.3 KB per event). */
#define CONFIG_NETLINK_BUFFER_BYTES (64ULL << 20)
#define CONFIG_TIME_BUCKET_SECONDS 60
#define CONFIG_RETENTION_DAYS 30
#define CONFIG_RAW_RETENTION_HOURS 48
#define CONFIG_STATS_INTERVAL_SECONDS 300
#define CONFIG_METRICS_INTERVAL_SECONDS 15

struct config {
	char *db;		/* owned; NULL: store_path() decides */
	struct cidr *pod_cidrs; /* owned array */
	size_t n_pod_cidrs;
	size_t cap_pod_cidrs; /* allocated for */
	unsigned int flush_interval_ms;
	uint64_t netlink_buffer_bytes;
	unsigned int time_bucket_seconds;
	unsigned int retention_days;	     /* 0: keep forever */
	unsigned int raw_retention_hours;    /* 0: as retention_days */
	unsigned int stats_interval_seconds; /* 0: only on SIGUSR1 and exit */
	char *metrics_file;		     /* owned; NULL: none */
	/*
	 * The Kubernetes node this is, as the cluster store knows it; owned;
	 * NULL: the host name, in lower case as the kubelet makes it.
	 */
	char *node_name;
	unsigned int metrics_interval_seconds;
	int reliable_events; /* the kernel keeps what it could not send */
};

/* Fills cfg with the defaults; nothing to free yet. */
void config_init(struct config *cfg);

/* Frees what cfg owns and re-initialises it.  */
void config_free(struct config *cfg);

/*
 * Reads the YAML file at path into cfg, over what cfg already holds: keys
 * present in the file replace those values.  A missing file is an error
 * unless missing_ok, in which case cfg is unchanged.  On error returns -1
 * with "PATH:LINE: ..." in errmsg and leaves cfg unchanged.
 */
int config_load(const char *path, int missing_ok, struct config *cfg);

/* Appends a pod CIDR given as text.  Returns 0, or -1 with errmsg. */
int config_add_pod_cidr(struct config *cfg, const char *text);

/* Forgets the pod CIDRs, before a new list replaces them. */
void config_clear_pod_cidrs(struct config *cfg);

/* Replaces cfg->db with a copy of path.  Returns 0 or -1. */
int config_set_db(struct config *cfg, const char *path);

/*
 * Sets node_name to name, a Kubernetes node name (a DNS-1123 subdomain).
 * Returns 0, or -1 with errmsg saying what a node name is.
 */
int config_set_node_name(struct config *cfg, const char *name);

/*
 * The node name podflowd records: cfg's, else the host name in lower
 * case, into buf.  Returns buf.
 */
const char *config_node_name(const struct config *cfg, char *buf, size_t len);

/*
 * Checks what no single key can: a usable configuration needs at least
 * one pod CIDR.  Returns 0, or -1 with errmsg.
 */
int config_validate(const struct config *cfg);

/*
 * Parses a byte size: digits with an optional K, M or G suffix (powers of
 * 1024, "KiB" style suffixes accepted too).  Returns 0, or -1 with errmsg
 * (callers usually say what they wanted instead).
 */
int config_parse_size(const char *text, uint64_t *out);

/*
 * Parses an unsigned integer within [min, max].  Returns 0, or -1 with
 * errmsg.
 */
int config_parse_uint(const char *text, unsigned long min, unsigned long max,
		      unsigned long *out);

/*
 * Writes the pod CIDRs space-separated into an owned string (free() it).
 * NULL with errmsg when out of memory.
 */
char *config_pod_cidrs_text(const struct config *cfg);

#endif
