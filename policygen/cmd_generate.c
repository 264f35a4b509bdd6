/*
 * policygen generate: NetworkPolicy manifests from the recorded flows, to
 * stdout, a file (written atomically) or one file per policy.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "podflow/errmsg.h"
#include "podflow/kname.h"
#include "podflow/timefmt.h"
#include "podflow/yemit.h"
#include "generate.h"
#include "policygen.h"

#define MAX_LIST 64

static void generate_usage(FILE *f)
{
	fprintf(f,
		"usage: policygen generate [--db PATH] [--namespace NS] [--workload [KIND/]NAME]\n"
		"         [--since T] [--until T] [--now T]\n"
		"         [--ingress observed|deny|allow] [--egress observed|deny|allow]\n"
		"         [--dns observed|kube-dns|any|none] [--dns-ip IP]...\n"
		"         [--external-prefix N] [--allow-internet] [--service-cidr CIDR]...\n"
		"         [--port-range-threshold N] [--stable-after DURATION]\n"
		"         [--include-silent] [--namespace-default-deny] [--explain]\n"
		"         [--existing FILE|DIR|-]... [--review-db PATH] [--reviewed-only]\n"
		"         [-o FILE|DIR/]\n"
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

static int emit_all(const struct generate_result *r, FILE *out)
{
	struct arena scratch = ARENA_INIT;
	struct yemit *y = yemit_open(out);
	int rc = 0;

	if (y == NULL) {
		errmsg_set("out of memory");
		return -1;
	}
	for (size_t i = 0; i < r->n && rc == 0; i++) {
		rc = netpol_emit(y, &r->policies[i], &scratch);
		arena_reset(&scratch);
	}
	if (yemit_close(y) < 0)
		rc = -1;
	return rc;
}

/*
 * Writes to something that is not a regular file (/dev/stdout, a pipe):
 * renaming over it would replace the device with a file.
 */
static int write_special(const char *path, const struct generate_result *r)
{
	FILE *fp = fopen(path, "w");
	int rc;

	if (fp == NULL) {
		errmsg_set("%s: %s", path, strerror(errno));
		return -1;
	}
	rc = emit_all(r, fp);
	if (fclose(fp) != 0 && rc == 0) {
		errmsg_set("%s: %s", path, strerror(errno));
		rc = -1;
	}
	return rc;
}

/* Writes the stream to path through a temporary file and a rename. */
static int write_file(const char *path, const struct generate_result *r,
		      size_t from, size_t count)
{
	struct generate_result part = { .policies = r->policies + from,
					.n = count };
	char tmp[4096];
	struct stat st;
	FILE *fp;
	int fd;

	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode))
		return write_special(path, &part);
	if (snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= (int)sizeof(tmp)) {
		errmsg_set("%s: path too long", path);
		return -1;
	}
	fd = mkstemp(tmp);
	if (fd < 0 || (fp = fdopen(fd, "w")) == NULL) {
		errmsg_set("%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	fchmod(fd, 0644);
	if (emit_all(&part, fp) < 0 || fflush(fp) != 0 || fsync(fd) != 0) {
		if (errmsg_get()[0] == '\0' || errno)
			errmsg_set("%s: %s", path, strerror(errno));
		fclose(fp);
		unlink(tmp);
		return -1;
	}
	if (fclose(fp) != 0 || rename(tmp, path) != 0) {
		errmsg_set("%s: %s", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

static int is_dir_target(const char *path)
{
	struct stat st;
	size_t len = strlen(path);

	return (len > 0 && path[len - 1] == '/') ||
	       (stat(path, &st) == 0 && S_ISDIR(st.st_mode));
}

/* DIR/<namespace>/<name>.yaml for each policy. */
static int write_dir(const char *dir, const struct generate_result *r)
{
	char path[4096];

	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		errmsg_set("%s: %s", dir, strerror(errno));
		return -1;
	}
	for (size_t i = 0; i < r->n; i++) {
		const struct netpol *p = &r->policies[i];

		/*
		 * The engine emits valid names only; a path is made of them
		 * all the same only when they are (no '/', no "..").
		 */
		if (!kname_is_dns_label(p->namespace) ||
		    !kname_is_dns_subdomain(p->name) || p->name[0] == '.') {
			errmsg_set("%s: a policy name that is no file name",
				   dir);
			return -1;
		}
		snprintf(path, sizeof(path), "%s/%s", dir, p->namespace);
		if (mkdir(path, 0755) < 0 && errno != EEXIST) {
			errmsg_set("%s: %s", path, strerror(errno));
			return -1;
		}
		snprintf(path, sizeof(path), "%s/%s/%s.yaml", dir, p->namespace,
			 p->name);
		if (write_file(path, r, i, 1) < 0)
			return -1;
	}
	return 0;
}

/*
 * The engine's diagnostics on stderr (arg), as policygen has always
 * written them: notes and warnings prefixed, the --explain lines as they
 * are.
 */
static void print_diag(void *arg, enum generate_level level, const char *msg)
{
	FILE *f = arg;

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
	const char *out;
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

/* A number for opt from min to max (0: no bound), else -1 with errmsg. */
static int parse_int(const char *opt, const char *arg, int min, int max,
		     const char *what, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (*end || end == arg || errno == ERANGE || v < min || v > INT_MAX ||
	    (max > 0 && v > max)) {
		errmsg_set("--%s: '%s' is not %s", opt, arg, what);
		return -1;
	}
	*out = (int)v;
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
		return parse_int("external-prefix", arg, 1, 32,
				 "a prefix length from 1 to 32",
				 &c->o.external_prefix);
	case 'A': c->o.allow_internet = 1; return 0;
	case 'r':
		return parse_int("port-range-threshold", arg, 2, 0,
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
	case 'o': c->out = arg; return 0;
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
		{ "allow-internet", no_argument, NULL, 'A' },
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
		CLI_OPTIONS_END,
	};
	enum cli_parsed parsed = cli_getopt(argc, argv, "n:o:h", opts,
					    generate_usage, set_option, c, 0);

	if (parsed != CLI_RUN)
		return parsed;
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
	if (c.out == NULL)
		rc = emit_all(&g.r, stdout);
	else if (is_dir_target(c.out))
		rc = write_dir(c.out, &g.r);
	else
		rc = write_file(c.out, &g.r, 0, g.r.n);
	if (rc < 0) {
		status = EXIT_RUNTIME;
		goto out;
	}
	fprintf(stderr, "policygen: %zu policies", g.r.n);
	if (g.r.n_left_out > 0)
		fprintf(stderr, "; %zu workload%s left out (above)",
			g.r.n_left_out, g.r.n_left_out == 1 ? "" : "s");
	fputc('\n', stderr);
	status = g.r.n_left_out > 0 ? EXIT_PARTIAL : EXIT_DONE;
out:
	if (status != EXIT_DONE && status != EXIT_PARTIAL)
		cli_print_error();
	cli_generated_free(&c.scope, &g);
	polset_free(&existing);
	return status;
}
