/*
 * config: podflowd's YAML configuration file (see config.h).
 *
 * The file is parsed into a libyaml document, which keeps the line of
 * every node, so that each error names the file, line and key.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "podflow/errmsg.h"
#include "config.h"

#define MAX_FLUSH_INTERVAL_MS 60000
#define MIN_NETLINK_BUFFER (64ULL << 10)
/* The kernel doubles SO_RCVBUF and keeps it in an int. */
#define MAX_NETLINK_BUFFER (1ULL << 30)
#define MAX_BUCKET_SECONDS 86400
#define MAX_RETENTION_DAYS 36500
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
	cfg->stats_interval_seconds = CONFIG_STATS_INTERVAL_SECONDS;
	cfg->metrics_interval_seconds = CONFIG_METRICS_INTERVAL_SECONDS;
}

void config_free(struct config *cfg)
{
	free(cfg->db);
	free(cfg->pod_cidrs);
	free(cfg->metrics_file);
	config_init(cfg);
}

int config_parse_uint(const char *text, unsigned long min, unsigned long max,
		      unsigned long *out)
{
	unsigned long v;
	char *end;

	if (text[0] < '0' || text[0] > '9')
		return -1;
	errno = 0;
	v = strtoul(text, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int config_parse_size(const char *text, uint64_t *out)
{
	unsigned long long v;
	unsigned int shift = 0;
	char *end;

	if (text[0] < '0' || text[0] > '9')
		return -1;
	errno = 0;
	v = strtoull(text, &end, 10);
	if (errno != 0)
		return -1;
	switch (*end) {
	case 'k': case 'K': shift = 10; end++; break;
	case 'm': case 'M': shift = 20; end++; break;
	case 'g': case 'G': shift = 30; end++; break;
	}
	if (shift != 0 && (strcmp(end, "iB") == 0 || strcmp(end, "B") == 0))
		end += strlen(end);
	if (*end != '\0' || v > (UINT64_MAX >> shift))
		return -1;
	*out = (uint64_t)v << shift;
	return 0;
}

int config_add_pod_cidr(struct config *cfg, const char *text)
{
	struct cidr c, *grown;

	if (cidr_parse(text, &c) < 0)
		return -1;
	if (cfg->n_pod_cidrs >= MAX_POD_CIDRS) {
		errmsg_set("more than %d pod CIDRs", MAX_POD_CIDRS);
		return -1;
	}
	grown = realloc(cfg->pod_cidrs,
			(cfg->n_pod_cidrs + 1) * sizeof(*cfg->pod_cidrs));
	if (grown == NULL) {
		errmsg_set("out of memory");
		return -1;
	}
	grown[cfg->n_pod_cidrs++] = c;
	cfg->pod_cidrs = grown;
	return 0;
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

int config_validate(const struct config *cfg)
{
	if (cfg->n_pod_cidrs == 0) {
		errmsg_set("no pod CIDRs: set pod_cidrs in the configuration "
			   "file or give --pod-cidr");
		return -1;
	}
	return 0;
}

char *config_pod_cidrs_text(const struct config *cfg)
{
	size_t len = cfg->n_pod_cidrs * CIDR_STRLEN + 1;
	char *out = malloc(len), buf[CIDR_STRLEN];

	if (out == NULL)
		return NULL;
	out[0] = '\0';
	for (size_t i = 0; i < cfg->n_pod_cidrs; i++) {
		if (i > 0)
			strcat(out, " ");
		strcat(out, cidr_format(&cfg->pod_cidrs[i], buf));
	}
	return out;
}

/* The state of one load: the file name and document, for messages. */
struct loader {
	const char *path;
	yaml_document_t *doc;
	struct config *cfg;
};

static int node_line(const yaml_node_t *n)
{
	return (int)n->start_mark.line + 1;
}

static const char *scalar(const yaml_node_t *n)
{
	return n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value
					   : NULL;
}

static int bad_value(struct loader *l, const yaml_node_t *n, const char *key,
		     const char *want)
{
	const char *v = scalar(n);

	if (v != NULL)
		errmsg_set("%s:%d: %s: '%s' is not %s", l->path, node_line(n),
			   key, v, want);
	else
		errmsg_set("%s:%d: %s: expected %s", l->path, node_line(n),
			   key, want);
	return -1;
}

static int set_uint(struct loader *l, const yaml_node_t *n, const char *key,
		    unsigned long min, unsigned long max, unsigned int *out)
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

static int set_pod_cidrs(struct loader *l, const yaml_node_t *n)
{
	struct config *cfg = l->cfg;

	free(cfg->pod_cidrs);
	cfg->pod_cidrs = NULL;
	cfg->n_pod_cidrs = 0;
	if (n->type == YAML_SCALAR_NODE) /* a single CIDR */
		goto one;
	if (n->type != YAML_SEQUENCE_NODE)
		return bad_value(l, n, "pod_cidrs", "a list of CIDR prefixes");
	for (yaml_node_item_t *it = n->data.sequence.items.start;
	     it < n->data.sequence.items.top; it++) {
		const yaml_node_t *item = yaml_document_get_node(l->doc, *it);

		if (scalar(item) == NULL)
			return bad_value(l, item, "pod_cidrs",
					 "a CIDR prefix");
		if (config_add_pod_cidr(cfg, scalar(item)) < 0) {
			errmsg_prefix("%s:%d: pod_cidrs", l->path,
				      node_line(item));
			return -1;
		}
	}
	return 0;
one:
	if (config_add_pod_cidr(cfg, scalar(n)) < 0) {
		errmsg_prefix("%s:%d: pod_cidrs", l->path, node_line(n));
		return -1;
	}
	return 0;
}

static int set_key(struct loader *l, const yaml_node_t *k,
		   const yaml_node_t *v)
{
	struct config *cfg = l->cfg;
	const char *key = scalar(k);
	uint64_t size;

	if (strcmp(key, "db") == 0) {
		if (scalar(v) == NULL || scalar(v)[0] == '\0')
			return bad_value(l, v, key, "a file path");
		return config_set_db(cfg, scalar(v));
	}
	if (strcmp(key, "pod_cidrs") == 0)
		return set_pod_cidrs(l, v);
	if (strcmp(key, "flush_interval_ms") == 0)
		return set_uint(l, v, key, 10, MAX_FLUSH_INTERVAL_MS,
				&cfg->flush_interval_ms);
	if (strcmp(key, "netlink_buffer_bytes") == 0) {
		if (scalar(v) == NULL || config_parse_size(scalar(v), &size) ||
		    size < MIN_NETLINK_BUFFER || size > MAX_NETLINK_BUFFER)
			return bad_value(l, v, key,
					 "a size from 64K to 1G (K, M, G "
					 "suffixes)");
		cfg->netlink_buffer_bytes = size;
		return 0;
	}
	if (strcmp(key, "time_bucket_seconds") == 0)
		return set_uint(l, v, key, 1, MAX_BUCKET_SECONDS,
				&cfg->time_bucket_seconds);
	if (strcmp(key, "retention_days") == 0)
		return set_uint(l, v, key, 0, MAX_RETENTION_DAYS,
				&cfg->retention_days);
	if (strcmp(key, "stats_interval_seconds") == 0)
		return set_uint(l, v, key, 0, MAX_STATS_INTERVAL,
				&cfg->stats_interval_seconds);
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
	if (strcmp(key, "metrics_interval_seconds") == 0)
		return set_uint(l, v, key, 1, MAX_METRICS_INTERVAL,
				&cfg->metrics_interval_seconds);
	errmsg_set("%s:%d: unknown key '%s'", l->path, node_line(k), key);
	return -1;
}

static int load_root(struct loader *l)
{
	yaml_node_t *root = yaml_document_get_root_node(l->doc);

	if (root == NULL) /* an empty file: all defaults */
		return 0;
	if (root->type != YAML_MAPPING_NODE) {
		errmsg_set("%s:%d: expected a mapping of settings", l->path,
			   node_line(root));
		return -1;
	}
	for (yaml_node_pair_t *p = root->data.mapping.pairs.start;
	     p < root->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(l->doc, p->key);
		yaml_node_t *v = yaml_document_get_node(l->doc, p->value);

		if (scalar(k) == NULL) {
			errmsg_set("%s:%d: expected a setting name", l->path,
				   node_line(k));
			return -1;
		}
		if (v->type == YAML_SCALAR_NODE && scalar(v)[0] == '\0' &&
		    v->data.scalar.style == YAML_PLAIN_SCALAR_STYLE) {
			errmsg_set("%s:%d: %s: missing value", l->path,
				   node_line(k), scalar(k));
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
	if (src->db != NULL && (dst->db = strdup(src->db)) == NULL)
		goto oom;
	if (src->metrics_file != NULL &&
	    (dst->metrics_file = strdup(src->metrics_file)) == NULL)
		goto oom;
	if (src->n_pod_cidrs > 0) {
		dst->pod_cidrs = malloc(src->n_pod_cidrs * sizeof(struct cidr));
		if (dst->pod_cidrs == NULL)
			goto oom;
		memcpy(dst->pod_cidrs, src->pod_cidrs,
		       src->n_pod_cidrs * sizeof(struct cidr));
	}
	return 0;
oom:
	free(dst->db);
	free(dst->metrics_file);
	errmsg_set("out of memory");
	return -1;
}

int config_load(const char *path, int missing_ok, struct config *cfg)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	struct config next;
	struct loader l = { .path = path, .doc = &doc, .cfg = &next };
	int rc = -1, have_doc = 0;
	FILE *fp;

	fp = fopen(path, "rb");
	if (fp == NULL) {
		if (errno == ENOENT && missing_ok)
			return 0;
		errmsg_set("%s: %s", path, strerror(errno));
		return -1;
	}
	if (config_copy(&next, cfg) < 0) {
		fclose(fp);
		return -1;
	}
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_file(&parser, fp);
	if (!yaml_parser_load(&parser, &doc)) {
		errmsg_set("%s:%d: %s", path,
			   (int)parser.problem_mark.line + 1,
			   parser.problem ? parser.problem : "invalid YAML");
		goto out;
	}
	have_doc = 1;
	if (load_root(&l) < 0)
		goto out;
	rc = 0;
out:
	if (have_doc)
		yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	fclose(fp);
	if (rc == 0) {
		config_free(cfg);
		*cfg = next;
	} else {
		config_free(&next);
	}
	return rc;
}
