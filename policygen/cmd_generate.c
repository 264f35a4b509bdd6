/*
 * policygen generate: NetworkPolicy manifests from the recorded flows, on
 * stdout as YAML, JSON or names, or one file per policy in a directory
 * that kubectl apply reads (written atomically).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "podflow/errmsg.h"
#include "podflow/hash.h"
#include "podflow/kname.h"
#include "podflow/kyaml.h"
#include "podflow/timefmt.h"
#include "podflow/yemit.h"
#include "generate.h"
#include "policygen.h"

#define MAX_LIST 64

static void generate_usage(FILE *f)
{
	fprintf(f,
		"usage: policygen generate [--db PATH] [-n NS]... [-A] [--system-namespace NS]...\n"
		"         [--workload [NS/][KIND/]NAME]\n"
		"         [--since T] [--until T] [--now T]\n"
		"         [--ingress observed|deny|allow] [--egress observed|deny|allow]\n"
		"         [--dns observed|kube-dns|any|none] [--dns-ip IP]...\n"
		"         [--external-prefix N] [--allow-internet] [--service-cidr CIDR]...\n"
		"         [--before-dnat]\n"
		"         [--port-range-threshold N] [--stable-after DURATION]\n"
		"         [--include-silent] [--namespace-default-deny] [--explain]\n"
		"         [--existing FILE|DIR|-]... [--review-db PATH] [--reviewed-only]\n"
		"         [-o yaml|json|name] [--output-dir DIR]\n"
		"T: an RFC 3339 time or a duration back from now (90m, 24h, 7d).\n");
}

static int parse_mode(const char *opt, const char *s, enum netpol_mode *m)
{
	if (strcmp(s, "observed") == 0)
		*m = NETPOL_OBSERVED;
	else if (strcmp(s, "deny") == 0)
		*m = NETPOL_DENY;
	else if (strcmp(s, "allow") == 0)
		*m = NETPOL_ALLOW;
	else {
		errmsg_set("--%s: '%s' is not observed, deny or allow", opt, s);
		return -1;
	}
	return 0;
}

static int parse_dns(const char *s, enum generate_dns *d)
{
	static const char *const names[] = { "observed", "kube-dns", "any",
					     "none" };

	for (int i = 0; i < 4; i++)
		if (strcmp(s, names[i]) == 0) {
			*d = (enum generate_dns)i;
			return 0;
		}
	errmsg_set("--dns: '%s' is not observed, kube-dns, any or none", s);
	return -1;
}

/* The label every policy podflow writes carries (generate_meta.c). */
#define MANAGED_BY_KEY "app.kubernetes.io/managed-by"
#define MANAGED_BY_VALUE "podflow"

/*
 * Writes policies [from, from + count) of r to out in format: YAML, a
 * stream of documents; JSON, a List as kubectl's -o json prints one for
 * a query, whatever the count, or, for a file of one policy (one), the
 * object alone.
 */
static int emit_policies(const struct generate_result *r, size_t from,
			 size_t count, enum cli_format format, int one,
			 FILE *out)
{
	struct arena scratch = ARENA_INIT;
	struct yemit *y =
		yemit_open(out, format == CLI_JSON ? YEMIT_JSON : YEMIT_YAML);
	int list = format == CLI_JSON && !one, rc = 0;

	if (y == NULL) {
		errmsg_set("out of memory");
		return -1;
	}
	if (list) {
		yemit_map_begin(y);
		yemit_kv_str(y, "apiVersion", "v1");
		yemit_str(y, "items");
		yemit_seq_begin(y);
	}
	for (size_t i = from; i < from + count && rc == 0; i++) {
		rc = netpol_emit(y, &r->policies[i], &scratch);
		arena_reset(&scratch);
	}
	if (list) {
		yemit_seq_end(y);
		yemit_kv_str(y, "kind", "List");
		yemit_str(y, "metadata");
		yemit_map_begin(y);
		yemit_kv_str(y, "resourceVersion", "");
		yemit_map_end(y);
		yemit_map_end(y);
	}
	if (yemit_close(y) < 0)
		rc = -1;
	return rc;
}

/* -o name: each policy as kubectl names it, one per line. */
static void print_names(const struct generate_result *r)
{
	for (size_t i = 0; i < r->n; i++)
		printf("networkpolicy.networking.k8s.io/%s\n",
		       r->policies[i].name);
}

/* A file name's room (NAME_MAX), less the longest extension and a dot. */
#define FILE_STEM_MAX (255 - sizeof(".yaml"))

/*
 * The file name of policy ns/name in an --output-dir: <ns>.<name>.EXT,
 * flat, which `kubectl apply -f DIR` reads without -R; past a file
 * name's 255 bytes, a prefix of the name and a hash of the whole, as
 * generate_policy_name() shortens names.  ns and name must be valid
 * names (no '/', no ".."): the engine emits only those, and a file read
 * back is checked.  Returns 0, or -1 with errmsg.
 */
static int policy_file(const char *dir, const char *ns, const char *name,
		       enum cli_format format, char *buf, size_t len)
{
	const char *ext = format == CLI_JSON ? "json" : "yaml";
	size_t stem = strlen(ns) + 1 + strlen(name);

	if (!kname_is_dns_label(ns) || !kname_is_dns_subdomain(name) ||
	    name[0] == '.') {
		errmsg_set("%s: a policy name that is no file name", dir);
		return -1;
	}
	if (stem <= FILE_STEM_MAX)
		snprintf(buf, len, "%s.%s.%s", ns, name, ext);
	else
		snprintf(buf, len, "%s.%.*s-%016llx.%s", ns,
			 (int)(FILE_STEM_MAX - strlen(ns) - 1 - 17), name,
			 (unsigned long long)hash_bytes(
				 hash_str(ns), name, strlen(name)),
			 ext);
	return 0;
}

/*
 * Whether the file name (in dirfd, of namespace ns: its name's first
 * part) is one podflow wrote and would write again: a regular file
 * holding one NetworkPolicy of namespace ns, labelled managed-by podflow,
 * whose file name is its own.  Anything else, a FIFO, a file holding
 * more or other objects (a saved `generate` stream), one renamed, is
 * someone else's and is left alone.
 */
static int written_by_podflow(int dirfd, const char *file, const char *ns,
			      enum cli_format format)
{
	const struct knode *obj = NULL, *labels, *label = NULL;
	struct kyaml *y = NULL;
	struct stat st;
	char own[512];
	int fd, rc, ours = 0, n_objects = 0;
	const char *kind, *name, *obj_ns;
	FILE *fp;

	if (fstatat(dirfd, file, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
	    !S_ISREG(st.st_mode))
		return 0;
	fd = openat(dirfd, file, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0)
		return 0;
	if ((fp = fdopen(fd, "r")) == NULL) {
		close(fd);
		return 0;
	}
	if (kyaml_open(fp, file, 0, &y) < 0)
		goto out;
	while ((rc = kyaml_next(y, &obj)) == 1) {
		if (++n_objects > 1)
			break;
		kind = knode_str(obj, "kind");
		name = knode_str(obj, "metadata.name");
		obj_ns = knode_str(obj, "metadata.namespace");
		labels = knode_at(obj, "metadata.labels");
		for (size_t i = 0; labels != NULL && labels->type == KNODE_MAP &&
				   i < labels->n;
		     i++)
			if (strcmp(labels->keys[i]->value, MANAGED_BY_KEY) == 0)
				label = labels->items[i];
		ours = kind != NULL && strcmp(kind, "NetworkPolicy") == 0 &&
		       name != NULL && obj_ns != NULL &&
		       strcmp(obj_ns, ns) == 0 && label != NULL &&
		       label->type == KNODE_SCALAR && label->value != NULL &&
		       strcmp(label->value, MANAGED_BY_VALUE) == 0 &&
		       policy_file(".", ns, name, format, own, sizeof(own)) == 0 &&
		       strcmp(own, file) == 0;
	}
	if (rc < 0 || n_objects != 1)
		ours = 0;
out:
	kyaml_close(y);
	fclose(fp);
	return ours;
}

static int has_suffix(const char *s, const char *suffix)
{
	size_t len = strlen(s), n = strlen(suffix);

	return len > n && strcmp(s + len - n, suffix) == 0;
}

/* The --output-dir being written: its new files and the old ones. */
struct outdir {
	const char *path;
	int fd;
	char **names, **tmps; /* each policy's file, and its temporary */
	size_t n;
	size_t renamed; /* of names[], in place */
};

static void outdir_free(struct outdir *d)
{
	for (size_t i = 0; i < d->n; i++) {
		if (d->tmps[i] != NULL && i >= d->renamed)
			unlinkat(d->fd, d->tmps[i], 0);
		free(d->names[i]);
		free(d->tmps[i]);
	}
	free(d->names);
	free(d->tmps);
	if (d->fd >= 0)
		close(d->fd);
}

static int is_new_file(const struct outdir *d, const char *name)
{
	for (size_t i = 0; i < d->n; i++)
		if (strcmp(d->names[i], name) == 0)
			return 1;
	return 0;
}

/* Temporaries are ".podflow.PID.N.tmp": short, and kubectl reads no dot file. */
#define TEMP_PREFIX ".podflow."
#define TEMP_SUFFIX ".tmp"

/* Whether file is a temporary of a run that no longer runs (killed). */
static int stale_temp(const char *file)
{
	long pid;
	char *end;

	if (strncmp(file, TEMP_PREFIX, strlen(TEMP_PREFIX)) != 0 ||
	    !has_suffix(file, TEMP_SUFFIX))
		return 0;
	pid = strtol(file + strlen(TEMP_PREFIX), &end, 10);
	return pid > 0 && *end == '.' && pid != (long)getpid() &&
	       kill((pid_t)pid, 0) < 0 && errno == ESRCH;
}

/*
 * Removes the files of policies podflow wrote to the directory before
 * and writes no more, of namespaces this run covers (files of others
 * belong to other runs), and the temporaries of runs killed midway.
 * *removed counts the policies' files.
 */
static int remove_stale(struct outdir *d, const struct cli_scope *sc,
			size_t *removed)
{
	int fd = dup(d->fd);
	DIR *dir = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *e;
	char ns[256];
	int rc = -1;

	if (dir == NULL) {
		errmsg_set("%s: %s", d->path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	while ((errno = 0, e = readdir(dir)) != NULL) {
		size_t len = strcspn(e->d_name, ".");
		int temp = stale_temp(e->d_name);
		/* Either format's: -o json replaces what -o yaml wrote. */
		enum cli_format was = has_suffix(e->d_name, ".json") ? CLI_JSON
								     : CLI_YAML;

		if (!temp &&
		    (e->d_name[0] == '.' || is_new_file(d, e->d_name) ||
		     !(has_suffix(e->d_name, ".json") ||
		       has_suffix(e->d_name, ".yaml")) ||
		     len >= sizeof(ns)))
			continue;
		memcpy(ns, e->d_name, len);
		ns[len] = '\0';
		if (!temp && (!cli_scope_has_namespace(sc, ns) ||
			      !written_by_podflow(d->fd, e->d_name, ns, was)))
			continue;
		if (unlinkat(d->fd, e->d_name, 0) < 0) {
			errmsg_set("%s/%s: %s", d->path, e->d_name,
				   strerror(errno));
			goto out;
		}
		*removed += !temp;
	}
	if (errno != 0) {
		errmsg_set("%s: %s", d->path, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	closedir(dir);
	return rc;
}

/*
 * The other format's file of each policy written, if podflow wrote it:
 * kubectl apply -f DIR would apply both, the one after the other in name
 * order.  Whatever the scope: the policy is this run's.
 */
static int remove_twins(struct outdir *d, const struct generate_result *r,
			enum cli_format format, size_t *removed)
{
	enum cli_format other = format == CLI_JSON ? CLI_YAML : CLI_JSON;
	char name[512];

	for (size_t i = 0; i < r->n; i++) {
		const struct netpol *p = &r->policies[i];

		if (policy_file(d->path, p->namespace, p->name, other, name,
				sizeof(name)) < 0)
			return -1;
		if (!written_by_podflow(d->fd, name, p->namespace, other))
			continue;
		if (unlinkat(d->fd, name, 0) < 0) {
			errmsg_set("%s/%s: %s", d->path, name, strerror(errno));
			return -1;
		}
		(*removed)++;
	}
	return 0;
}

/* Writes policy i into a new temporary file of d.  0, or -1 with errmsg. */
static int write_temp(struct outdir *d, const struct generate_result *r,
		      size_t i, enum cli_format format)
{
	char name[512], tmp[64];
	FILE *fp = NULL;
	int fd = -1, rc = -1;

	if (policy_file(d->path, r->policies[i].namespace, r->policies[i].name,
			format, name, sizeof(name)) < 0)
		return -1;
	snprintf(tmp, sizeof(tmp), TEMP_PREFIX "%ld.%zu" TEMP_SUFFIX,
		 (long)getpid(), i);
	fd = openat(d->fd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	/*
	 * A run this one has not made left it, killed with this pid (in a
	 * container, pid 1 every time): it is no one's now.
	 */
	if (fd < 0 && errno == EEXIST && unlinkat(d->fd, tmp, 0) == 0)
		fd = openat(d->fd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
			    0644);
	d->names[i] = strdup(name);
	if (fd < 0 || d->names[i] == NULL) {
		errmsg_set("%s/%s: %s", d->path, tmp,
			   fd < 0 ? strerror(errno) : "out of memory");
		goto out;
	}
	if ((d->tmps[i] = strdup(tmp)) == NULL) {
		errmsg_set("out of memory");
		unlinkat(d->fd, tmp, 0);
		goto out;
	}
	if ((fp = fdopen(fd, "w")) == NULL) {
		errmsg_set("%s/%s: %s", d->path, tmp, strerror(errno));
		goto out;
	}
	fd = -1;
	errno = 0;
	if (emit_policies(r, i, 1, format, 1, fp) < 0 || fflush(fp) != 0 ||
	    fsync(fileno(fp)) != 0) {
		if (errno != 0)
			errmsg_set("%s/%s: %s", d->path, tmp, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (fp != NULL && fclose(fp) != 0 && rc == 0) {
		errmsg_set("%s/%s: %s", d->path, tmp, strerror(errno));
		rc = -1;
	}
	if (fd >= 0)
		close(fd);
	return rc;
}

/*
 * --output-dir: one file per policy, DIR/<namespace>.<name>.yaml, so that
 * `kubectl apply -f DIR` applies exactly the set.  Every file is written
 * to a temporary first; only when all are written (and no target is
 * something a rename cannot replace) are they renamed into place, one
 * after another, and the files of policies no longer made removed: a
 * failure before leaves the directory as it was, and each file is whole
 * at any time.  prune 0 keeps the old files (a run that left workloads
 * out, or made nothing, cannot tell which are stale).
 */
static int write_dir(const char *path, const struct generate_result *r,
		     enum cli_format format, const struct cli_scope *sc,
		     int prune, size_t *removed)
{
	struct outdir d = { .path = path, .fd = -1 };
	int rc = -1;

	if (mkdir(path, 0755) < 0 && errno != EEXIST) {
		errmsg_set("%s: %s", path, strerror(errno));
		return -1;
	}
	if ((d.fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		errmsg_set("%s: %s", path, strerror(errno));
		return -1;
	}
	d.names = calloc(r->n + 1, sizeof(*d.names));
	d.tmps = calloc(r->n + 1, sizeof(*d.tmps));
	if (d.names == NULL || d.tmps == NULL) {
		errmsg_set("out of memory");
		goto out;
	}
	for (d.n = 0; d.n < r->n; d.n++)
		if (write_temp(&d, r, d.n, format) < 0) {
			d.n++;
			goto out;
		}
	/* What a rename cannot replace is found before the first rename. */
	for (size_t i = 0; i < d.n; i++) {
		struct stat st;

		if (fstatat(d.fd, d.names[i], &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    !S_ISREG(st.st_mode)) {
			errmsg_set("%s/%s: not a regular file; nothing was "
				   "written",
				   path, d.names[i]);
			goto out;
		}
	}
	for (; d.renamed < d.n; d.renamed++)
		if (renameat(d.fd, d.tmps[d.renamed], d.fd,
			     d.names[d.renamed]) < 0) {
			errmsg_set("%s/%s: %s", path, d.names[d.renamed],
				   strerror(errno));
			goto out;
		}
	if (remove_twins(&d, r, format, removed) < 0)
		goto out;
	/* Stale files only while this run writes its whole scope. */
	if (prune && sc->workload.name == NULL &&
	    remove_stale(&d, sc, removed) < 0)
		goto out;
	if (fsync(d.fd) < 0) {
		errmsg_set("%s: %s", path, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	outdir_free(&d);
	return rc;
}

/*
 * The engine's diagnostics on stderr (arg), as policygen has always
 * written them: notes and warnings prefixed, the --explain lines as they
 * are.
 */
static void print_diag(void *arg, enum generate_level level, const char *msg)
{
	FILE *f = arg;

	cli_progress_clear();
	switch (level) {
	case GENERATE_NOTE:
		fprintf(f, "policygen: note: %s\n", msg);
		break;
	case GENERATE_WARNING:
		fprintf(f, "policygen: warning: %s\n", msg);
		break;
	case GENERATE_EXPLAIN:
		fprintf(f, "%s\n", msg);
		break;
	}
}

struct generate_cli {
	struct generate_opts o;
	struct cli_scope scope; /* into o by cli_scope_generate(), but dbs */
	enum cli_format format; /* -o; CLI_TABLE: not given, YAML */
	const char *output_dir;
	const char *dns_ips[MAX_LIST], *service_cidrs[MAX_LIST];
	const char *existing[MAX_LIST];
	size_t n_existing;
	const char *now; /* as given, into o */
};

/* Appends arg to a list of at most MAX_LIST: 0, or -1 with errmsg. */
static int add_list(const char **list, size_t *n, const char *arg)
{
	if (*n == MAX_LIST) {
		errmsg_set("too many --dns-ip, --service-cidr or --existing "
			   "(at most %d)",
			   MAX_LIST);
		return -1;
	}
	list[(*n)++] = arg;
	return 0;
}

/* One option of generate's into a struct generate_cli. */
static int set_option(void *ctx, int ch, char *arg)
{
	struct generate_cli *c = ctx;

	switch (ch) {
	case 'N': c->now = arg; return 0;
	case 'I': return parse_mode("ingress", arg, &c->o.ingress);
	case 'E': return parse_mode("egress", arg, &c->o.egress);
	case 'D': return parse_dns(arg, &c->o.dns);
	case 'i': return add_list(c->dns_ips, &c->o.n_dns_ips, arg);
	case 'c': return add_list(c->service_cidrs, &c->o.n_service_cidrs, arg);
	case 'x':
		return cli_parse_int("external-prefix", arg, 1, 32,
				 "a prefix length from 1 to 32",
				 &c->o.external_prefix);
	case 'T': c->o.allow_internet = 1; return 0;
	case 'B': c->o.before_dnat = 1; return 0;
	case 'r':
		return cli_parse_int("port-range-threshold", arg, 2, 0,
				 "a number of ports (2 or more)",
				 &c->o.port_range_threshold);
	case 'S':
		return cli_parse_duration("stable-after", arg,
					  &c->o.stable_after);
	case 'z': c->o.include_silent = 1; return 0;
	case 'Z': c->o.namespace_default_deny = 1; return 0;
	case 'e': c->o.explain = 1; return 0;
	case 'X': return add_list(c->existing, &c->n_existing, arg);
	case 'O': c->o.reviewed_only = 1; return 0;
	case 'o':
		if (cli_parse_format(arg, CLI_FORMAT_BIT(CLI_YAML) |
						  CLI_FORMAT_BIT(CLI_JSON) |
						  CLI_FORMAT_BIT(CLI_NAME),
				     &c->format) == 0)
			return 0;
		/* -o FILE and -o DIR/ were policygen's before kubectl's -o. */
		if (strchr(arg, '/') != NULL || strchr(arg, '.') != NULL)
			errmsg_set("-o: '%s' is not an output format (yaml, "
				   "json, name): write one file per policy "
				   "with --output-dir DIR, or redirect stdout",
				   arg);
		return -1;
	case 'P': c->output_dir = arg; return 0;
	}
	return cli_set_scope(&c->scope, ch, arg);
}

/* The command line into *c: what cli_getopt() says, or CLI_FAILED. */
static enum cli_parsed parse_args(int argc, char **argv,
				  struct generate_cli *c)
{
	static const struct option opts[] = {
		CLI_DB_OPTION,
		CLI_WINDOW_OPTIONS,
		CLI_NOW_OPTION,
		{ "ingress", required_argument, NULL, 'I' },
		{ "egress", required_argument, NULL, 'E' },
		{ "dns", required_argument, NULL, 'D' },
		{ "dns-ip", required_argument, NULL, 'i' },
		{ "external-prefix", required_argument, NULL, 'x' },
		{ "allow-internet", no_argument, NULL, 'T' },
		{ "before-dnat", no_argument, NULL, 'B' },
		{ "service-cidr", required_argument, NULL, 'c' },
		{ "port-range-threshold", required_argument, NULL, 'r' },
		{ "stable-after", required_argument, NULL, 'S' },
		{ "include-silent", no_argument, NULL, 'z' },
		{ "namespace-default-deny", no_argument, NULL, 'Z' },
		{ "explain", no_argument, NULL, 'e' },
		{ "existing", required_argument, NULL, 'X' },
		{ "review-db", required_argument, NULL, 'R' },
		{ "reviewed-only", no_argument, NULL, 'O' },
		{ "output", required_argument, NULL, 'o' },
		{ "output-dir", required_argument, NULL, 'P' },
		CLI_OPTIONS_END,
	};
	enum cli_parsed parsed = cli_getopt(argc, argv, "n:Ao:h", opts,
					    generate_usage, set_option, c, 0);

	if (parsed != CLI_RUN)
		return parsed;
	if (cli_scope_check(&c->scope) < 0)
		return CLI_FAILED;
	c->o.now = (int64_t)time(NULL);
	if ((c->now && timefmt_parse_when(c->now, c->o.now, &c->o.now) < 0) ||
	    cli_scope_generate(&c->scope, &c->o) < 0) {
		errmsg_prefix("--now/--since/--until");
		return CLI_FAILED;
	}
	return CLI_RUN;
}

int cmd_generate(int argc, char **argv)
{
	struct generate_cli c = {
		.o = { .until = INT64_MAX, .stable_after = CLI_STABLE_AFTER }
	};
	struct cli_generated g = { 0 };
	struct polset existing = POLSET_INIT;
	const struct generate_diag diag = { print_diag, stderr };
	enum cli_parsed parsed = parse_args(argc, argv, &c);
	size_t removed = 0;
	int status = EXIT_INVALID, rc;

	if (parsed != CLI_RUN)
		return cli_exit_status(parsed);
	c.o.dns_ips = c.dns_ips;
	c.o.service_cidrs = c.service_cidrs;
	for (size_t i = 0; i < c.n_existing; i++)
		if (polset_read_path(&existing, c.existing[i], "default") < 0)
			goto out;
	if (c.n_existing > 0)
		c.o.existing = &existing;
	if ((status = cli_generate(&c.scope, &c.o, &diag, &g)) != EXIT_DONE)
		goto out;
	cli_progress_end();
	if (c.output_dir != NULL)
		rc = write_dir(c.output_dir, &g.r, c.format, &c.scope,
			       g.r.n > 0 && g.r.n_left_out == 0, &removed);
	else if (c.format == CLI_NAME)
		rc = 0;
	else
		rc = emit_policies(&g.r, 0, g.r.n, c.format, 0, stdout);
	if (rc < 0) {
		status = EXIT_RUNTIME;
		goto out;
	}
	if (c.format == CLI_NAME)
		print_names(&g.r);
	fprintf(stderr, "policygen: %zu polic%s", g.r.n,
		g.r.n == 1 ? "y" : "ies");
	if (c.output_dir != NULL)
		fprintf(stderr, " in %s", c.output_dir);
	if (removed > 0)
		fprintf(stderr, "; %zu old file%s removed", removed,
			removed == 1 ? "" : "s");
	if (g.r.n_left_out > 0)
		fprintf(stderr, "; %zu workload%s left out (above)",
			g.r.n_left_out, g.r.n_left_out == 1 ? "" : "s");
	fputc('\n', stderr);
	status = g.r.n_left_out > 0 ? EXIT_PARTIAL : EXIT_DONE;
	if (g.r.n == 0 && g.r.n_left_out == 0 &&
	    (status = cli_say_empty(c.scope.dbs.stores[0], &c.scope,
				    "policies", "in the window")) != EXIT_PARTIAL)
		goto out;
out:
	if (status != EXIT_DONE && status != EXIT_PARTIAL)
		cli_print_error();
	cli_generated_free(&c.scope, &g);
	polset_free(&existing);
	return status;
}
