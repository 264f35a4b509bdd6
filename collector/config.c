/*
 * config: podflowd's YAML configuration file (see config.h).
 *
 * The file is read by kyaml, podflow's one YAML reader, whose nodes keep
 * their line, so that each error names the file, line and key.
 */
#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "podflow/errmsg.h"
#include "podflow/grow.h"
#include "podflow/kname.h"
#include "podflow/kyaml.h"
#include "config.h"

#define MAX_FLUSH_INTERVAL_MS 60000
#define MIN_NETLINK_BUFFER (64ULL << 10)
/* The kernel doubles SO_RCVBUF and keeps it in an int. */
#define MAX_NETLINK_BUFFER (1ULL << 30)
#define MAX_BUCKET_SECONDS 86400
#define MAX_RETENTION_DAYS 36500
#define MAX_RAW_RETENTION_HOURS (24 * MAX_RETENTION_DAYS)
#define MAX_STATS_INTERVAL 86400
#define MAX_METRICS_INTERVAL 3600
#define MAX_POD_CIDRS 64

void config_init(struct config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->flush_interval_ms = CONFIG_FLUSH_INTERVAL_MS;
	cfg->netlink_buffer_bytes = CONFIG_NETLINK_BUFFER_BYTES;
	cfg->time_bucket_seconds = CONFIG_TIME_BUCKET_SECONDS;
	cfg->retention_days = CONFIG_RETENTION_DAYS;
	cfg->raw_retention_hours = CONFIG_RAW_RETENTION_HOURS;
	cfg->stats_interval_seconds = CONFIG_STATS_INTERVAL_SECONDS;
	cfg->metrics_interval_seconds = CONFIG_METRICS_INTERVAL_SECONDS;
}

void config_free(struct config *cfg)
{
	free(cfg->db);
	free(cfg->pod_cidrs);
	free(cfg->metrics_file);
	free(cfg->node_name);
	config_init(cfg);
}

int config_parse_uint(const char *text, unsigned long min, unsigned long max,
		      unsigned long *out)
{
	unsigned long v;
	char *end;

	if (text[0] < '0' || text[0] > '9')
		goto bad;
	errno = 0;
	v = strtoul(text, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		goto bad;
	*out = v;
	return 0;
bad:
	errmsg_set("'%s' is not an integer from %lu to %lu", text, min, max);
	return -1;
}

int config_parse_size(const char *text, uint64_t *out)
{
	unsigned long long v;
	unsigned int shift = 0;
	char *end;

	if (text[0] < '0' || text[0] > '9')
		goto bad;
	errno = 0;
	v = strtoull(text, &end, 10);
	if (errno != 0)
		goto bad;
	switch (*end) {
	case 'k': case 'K': shift = 10; end++; break;
	case 'm': case 'M': shift = 20; end++; break;
	case 'g': case 'G': shift = 30; end++; break;
	}
	if (shift != 0 && (strcmp(end, "iB") == 0 || strcmp(end, "B") == 0))
		end += strlen(end);
	if (*end != '\0' || v > (UINT64_MAX >> shift))
		goto bad;
	*out = (uint64_t)v << shift;
	return 0;
bad:
	errmsg_set("'%s' is not a size (digits, then K, M or G)", text);
	return -1;
}

int config_add_pod_cidr(struct config *cfg, const char *text)
{
	struct cidr c;

	if (cidr_parse(text, &c) < 0)
		return -1;
	/*
	 * conntrack reports IPv4 connections as IPv4: a prefix of
	 * ::ffff:0:0/96 would match nothing, and the node record nothing.
	 */
	if (c.len >= 96 && addr_is_v4_mapped(&c.net)) {
		errmsg_set("'%s' is an IPv4-mapped IPv6 prefix, which no "
			   "connection has: give the IPv4 prefix",
			   text);
		return -1;
	}
	if (cfg->n_pod_cidrs >= MAX_POD_CIDRS) {
		errmsg_set("more than %d pod CIDRs", MAX_POD_CIDRS);
		return -1;
	}
	if (GROW(cfg->pod_cidrs, cfg->cap_pod_cidrs, cfg->n_pod_cidrs + 1) < 0)
		return -1;
	cfg->pod_cidrs[cfg->n_pod_cidrs++] = c;
	return 0;
}

void config_clear_pod_cidrs(struct config *cfg)
{
	free(cfg->pod_cidrs);
	cfg->pod_cidrs = NULL;
	cfg->n_pod_cidrs = 0;
	cfg->cap_pod_cidrs = 0;
}

int config_set_db(struct config *cfg, const char *path)
{
	char *copy = strdup(path);

	if (copy == NULL) {
		errmsg_set("out of memory");
		return -1;
	}
	free(cfg->db);
	cfg->db = copy;
	return 0;
}

int config_set_node_name(struct config *cfg, const char *name)
{
	char *copy;

	if (!kname_is_dns_subdomain(name)) {
		errmsg_set("'%s' is not a node name: lower-case letters, digits, "
			   "'-' and '.', as `kubectl get nodes` lists them",
			   name);
		return -1;
	}
	if ((copy = strdup(name)) == NULL) {
		errmsg_set("out of memory");
		return -1;
	}
	free(cfg->node_name);
	cfg->node_name = copy;
	return 0;
}

const char *config_node_name(const struct config *cfg, char *buf, size_t len)
{
	if (cfg->node_name != NULL) {
		snprintf(buf, len, "%s", cfg->node_name);
		return buf;
	}
	if (gethostname(buf, len) < 0)
		snprintf(buf, len, "unknown");
	buf[len - 1] = '\0';
	/* As the kubelet names its node: the host name, lower-cased. */
	for (char *p = buf; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	return buf;
}

int config_validate(const struct config *cfg)
{
	char node[256];

	if (cfg->n_pod_cidrs == 0) {
		errmsg_set("no pod CIDRs: set pod_cidrs in the configuration "
			   "file or give --pod-cidr");
		return -1;
	}
	/* A host name the kubelet could not use as it is: say which to use. */
	if (cfg->node_name == NULL &&
	    !kname_is_dns_subdomain(config_node_name(cfg, node, sizeof(node)))) {
		errmsg_set("the host name '%s' is no node name: set node_name "
			   "(or --node-name) to this node's name, as `kubectl "
			   "get nodes` lists it",
			   node);
		return -1;
	}
	return 0;
}

char *config_pod_cidrs_text(const struct config *cfg)
{
	size_t len = cfg->n_pod_cidrs * CIDR_STRLEN + 1;
	char *out = malloc(len), buf[CIDR_STRLEN];

	if (out == NULL) {
		errmsg_set("out of memory");
		return NULL;
	}
	out[0] = '\0';
	for (size_t i = 0; i < cfg->n_pod_cidrs; i++) {
		if (i > 0)
			strcat(out, " ");
		strcat(out, cidr_format(&cfg->pod_cidrs[i], buf));
	}
	return out;
}

/*
 * The state of one load: the file name, for messages, and the result.
 * The messages name a node's line but no column, as they always have.
 */
struct loader {
	const char *path;
	struct config *cfg;
};

/* The text of a scalar node (NULL for a null one), or NULL. */
static const char *scalar(const struct knode *n)
{
	return n->type == KNODE_SCALAR ? n->value : NULL;
}

static int bad_value(const struct loader *l, const struct knode *n,
		     const char *key, const char *want)
{
	const char *v = scalar(n);

	if (v != NULL)
		errmsg_set_at(l->path, n->line, 0, "%s: '%s' is not %s", key, v,
			      want);
	else
		errmsg_set_at(l->path, n->line, 0, "%s: expected %s", key,
			      want);
	return -1;
}

static int set_uint(const struct loader *l, const struct knode *n,
		    const char *key, unsigned long min, unsigned long max,
		    unsigned int *out)
{
	char want[96];
	unsigned long v;
	const char *text = scalar(n);

	if (text == NULL || config_parse_uint(text, min, max, &v) < 0) {
		snprintf(want, sizeof(want), "an integer from %lu to %lu", min,
			 max);
		return bad_value(l, n, key, want);
	}
	*out = (unsigned int)v;
	return 0;
}

/* One pod CIDR of the file; errmsg names its line. */
static int add_pod_cidr(const struct loader *l, const struct knode *n)
{
	char why[1024];

	if (scalar(n) == NULL)
		return bad_value(l, n, "pod_cidrs", "a CIDR prefix");
	if (config_add_pod_cidr(l->cfg, scalar(n)) == 0)
		return 0;
	snprintf(why, sizeof(why), "%s", errmsg_get());
	errmsg_set_at(l->path, n->line, 0, "pod_cidrs: %s", why);
	return -1;
}

static int set_pod_cidrs(const struct loader *l, const struct knode *n)
{
	config_clear_pod_cidrs(l->cfg);
	if (n->type == KNODE_SCALAR) /* a single CIDR */
		return add_pod_cidr(l, n);
	if (n->type != KNODE_SEQ)
		return bad_value(l, n, "pod_cidrs", "a list of CIDR prefixes");
	for (size_t i = 0; i < n->n; i++)
		if (add_pod_cidr(l, n->items[i]) < 0)
			return -1;
	return 0;
}

/*
 * The keys that take an unsigned integer: each names its field, which
 * must be an unsigned int (_Generic, which does not evaluate it, has no
 * other type to take).
 */
#define UINT_KEY(field, min, max)                                       \
	{ #field, (min), (max),                                         \
	  offsetof(struct config, field) +                              \
		  _Generic(((struct config *)0)->field, unsigned int: 0) }

static const struct uint_key {
	const char *name;
	unsigned long min, max;
	size_t offset; /* of an unsigned int in struct config */
} uint_keys[] = {
	UINT_KEY(flush_interval_ms, 10, MAX_FLUSH_INTERVAL_MS),
	UINT_KEY(time_bucket_seconds, 1, MAX_BUCKET_SECONDS),
	UINT_KEY(retention_days, 0, MAX_RETENTION_DAYS),
	UINT_KEY(raw_retention_hours, 0, MAX_RAW_RETENTION_HOURS),
	UINT_KEY(stats_interval_seconds, 0, MAX_STATS_INTERVAL),
	UINT_KEY(metrics_interval_seconds, 1, MAX_METRICS_INTERVAL),
};

#undef UINT_KEY

static int set_key(const struct loader *l, const struct knode *k,
		   const struct knode *v)
{
	struct config *cfg = l->cfg;
	const char *key = k->value;
	uint64_t size;

	if (strcmp(key, "db") == 0) {
		if (scalar(v) == NULL || scalar(v)[0] == '\0')
			return bad_value(l, v, key, "a file path");
		return config_set_db(cfg, scalar(v));
	}
	if (strcmp(key, "pod_cidrs") == 0)
		return set_pod_cidrs(l, v);
	for (size_t i = 0; i < sizeof(uint_keys) / sizeof(uint_keys[0]); i++) {
		const struct uint_key *u = &uint_keys[i];

		if (strcmp(key, u->name) == 0)
			return set_uint(l, v, key, u->min, u->max,
					(unsigned int *)((char *)cfg +
							 u->offset));
	}
	if (strcmp(key, "netlink_buffer_bytes") == 0) {
		if (scalar(v) == NULL || config_parse_size(scalar(v), &size) ||
		    size < MIN_NETLINK_BUFFER || size > MAX_NETLINK_BUFFER)
			return bad_value(l, v, key,
					 "a size from 64K to 1G (K, M, G "
					 "suffixes)");
		cfg->netlink_buffer_bytes = size;
		return 0;
	}
	if (strcmp(key, "reliable_events") == 0) {
		if (scalar(v) == NULL || (strcmp(scalar(v), "true") != 0 &&
					  strcmp(scalar(v), "false") != 0))
			return bad_value(l, v, key, "true or false");
		cfg->reliable_events = strcmp(scalar(v), "true") == 0;
		return 0;
	}
	if (strcmp(key, "node_name") == 0) {
		if (scalar(v) == NULL || config_set_node_name(cfg, scalar(v)) < 0)
			return bad_value(l, v, key,
					 "a node name (lower-case letters, "
					 "digits, '-' and '.')");
		return 0;
	}
	if (strcmp(key, "metrics_file") == 0) {
		/* Written next to itself and renamed: an absolute path. */
		if (scalar(v) == NULL || scalar(v)[0] != '/')
			return bad_value(l, v, key, "an absolute file path");
		free(cfg->metrics_file);
		if ((cfg->metrics_file = strdup(scalar(v))) == NULL) {
			errmsg_set("out of memory");
			return -1;
		}
		return 0;
	}
	errmsg_set_at(l->path, k->line, 0, "unknown key '%s'", key);
	return -1;
}

/*
 * Refuses a value that holds a NUL character anywhere under n: read as C
 * text, it would stop there and say something else (a shorter path).
 */
static int check_nul(const struct loader *l, const struct knode *n)
{
	if (n->type == KNODE_SCALAR) {
		if (n->value != NULL && strlen(n->value) != n->len) {
			errmsg_set_at(l->path, n->line, 0,
				      "a NUL character in a value");
			return -1;
		}
		return 0;
	}
	for (size_t i = 0; i < n->n; i++)
		if (check_nul(l, n->items[i]) < 0)
			return -1;
	return 0;
}

/* root: the file's document; NULL for an empty file, all defaults. */
static int load_root(const struct loader *l, const struct knode *root)
{
	if (root == NULL)
		return 0;
	if (check_nul(l, root) < 0)
		return -1;
	if (root->type != KNODE_MAP) {
		errmsg_set_at(l->path, root->line, 0,
			      "expected a mapping of settings");
		return -1;
	}
	/* kyaml has checked that every key is a string. */
	for (size_t i = 0; i < root->n; i++) {
		const struct knode *k = root->keys[i], *v = root->items[i];

		/* `key:` with nothing after it (kyaml reads it as null). */
		if (v->type == KNODE_SCALAR && v->value == NULL) {
			errmsg_set_at(l->path, k->line, 0, "%s: missing value",
				      k->value);
			return -1;
		}
		if (set_key(l, k, v) < 0)
			return -1;
	}
	return 0;
}

/* Deep-copies src into dst (pod CIDRs and db), so a failed load can be undone. */
static int config_copy(struct config *dst, const struct config *src)
{
	*dst = *src;
	dst->db = NULL;
	dst->pod_cidrs = NULL;
	dst->metrics_file = NULL;
	dst->node_name = NULL;
	if (src->db != NULL && (dst->db = strdup(src->db)) == NULL)
		goto oom;
	if (src->node_name != NULL &&
	    (dst->node_name = strdup(src->node_name)) == NULL)
		goto oom;
	if (src->metrics_file != NULL &&
	    (dst->metrics_file = strdup(src->metrics_file)) == NULL)
		goto oom;
	dst->cap_pod_cidrs = 0;
	if (src->n_pod_cidrs > 0) {
		dst->pod_cidrs = malloc(src->n_pod_cidrs * sizeof(struct cidr));
		if (dst->pod_cidrs == NULL)
			goto oom;
		memcpy(dst->pod_cidrs, src->pod_cidrs,
		       src->n_pod_cidrs * sizeof(struct cidr));
		dst->cap_pod_cidrs = src->n_pod_cidrs;
	}
	return 0;
oom:
	free(dst->db);
	free(dst->metrics_file);
	free(dst->node_name);
	errmsg_set("out of memory");
	return -1;
}

int config_load(const char *path, int missing_ok, struct config *cfg)
{
	struct config next;
	struct loader l = { .path = path, .cfg = &next };
	const struct knode *root = NULL;
	struct stat st;
	struct kyaml *y = NULL;
	int rc = -1;
	FILE *fp;

	fp = fopen(path, "rb");
	if (fp == NULL) {
		if (errno == ENOENT && missing_ok)
			return 0;
		errmsg_set_at(path, 0, 0, "%s", strerror(errno));
		return -1;
	}
	/* fopen() opens a directory; reading it would say "input error". */
	if (fstat(fileno(fp), &st) == 0 && S_ISDIR(st.st_mode)) {
		errmsg_set_at(path, 0, 0,
			      "is a directory: give the configuration file");
		fclose(fp);
		return -1;
	}
	if (config_copy(&next, cfg) < 0) {
		fclose(fp);
		return -1;
	}
	/* A document as it is (no Kubernetes List), messages by line. */
	if (kyaml_open(fp, path, KYAML_DOCUMENTS | KYAML_LINES, &y) < 0)
		goto out;
	/* One document (none: an empty file, all defaults). */
	if (kyaml_next(y, &root) < 0 || load_root(&l, root) < 0)
		goto out;
	switch (kyaml_next(y, &root)) {
	case 0:
		break;
	case 1:
		errmsg_set_at(path, root->line, 0,
			      "a second YAML document: the configuration is "
			      "one mapping of settings");
		/* fall through */
	default:
		goto out;
	}
	rc = 0;
out:
	kyaml_close(y);
	fclose(fp);
	if (rc == 0) {
		config_free(cfg);
		*cfg = next;
	} else {
		config_free(&next);
	}
	return rc;
}
