/*
 * policygen check: proves NetworkPolicies against what was recorded
 * before they are applied.  Every flow of the window is replayed against
 * the policies, and what they would deny is listed; or, with --flow,
 * hypothetical connections are decided one by one, with the reason.
 *
 * Exit status: 0 nothing denied, 1 something denied, 2 invalid input, 3
 * a runtime failure (the database).
 */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "podflow/errmsg.h"
#include "podflow/polset.h"
#include "podflow/proto.h"
#include "podflow/store.h"
#include "podflow/timefmt.h"
#include "podflow/verdict.h"
#include "podflow/yemit.h"
#include "endpoint.h"
#include "flowspec.h"
#include "policygen.h"
#include "replay.h"
#include "table.h"

#define MAX_ARGS 256
#define DEFAULT_NAMESPACE "default"
/* flow_resolved names pods by uid from this schema version on. */
#define CHECK_MIN_SCHEMA 5

struct check_cli {
	struct cli_scope scope; /* its databases and window */
	const char *files[MAX_ARGS];
	const char *flows[MAX_ARGS];
	size_t n_files, n_flows;
	int64_t since, until, now;
	enum cli_format format; /* CLI_TABLE, CLI_YAML or CLI_JSON */
};

static void check_usage(FILE *f)
{
	fprintf(f,
		"usage: policygen check [--db PATH]... -f FILE|DIR|-... [--since T] [--until T]\n"
		"         [--flow 'SRC -> DST:PORT/PROTO']... [-o yaml|json]\n"
		"Replays the recorded flows against the NetworkPolicies of the files (or,\n"
		"with --flow, decides the connections given) and lists what they would deny.\n"
		"SRC, DST: NS/NAME or NS/KIND/NAME (a workload), an IPv4 address, or [IPv6].\n"
		"PORT: a number or a container port name.  PROTO: TCP, UDP or SCTP.\n"
		"Policies without a namespace are in '" DEFAULT_NAMESPACE "'.\n"
		"Exit status: 0 nothing denied, 1 something denied, 2 invalid input,\n"
		"3 a runtime failure (the database).\n"
		"T: an RFC 3339 time or a duration back from now (90m, 24h, 7d).\n");
}

static int add_arg(const char **list, size_t *n, const char *opt,
		   const char *arg)
{
	if (*n == MAX_ARGS) {
		errmsg_set("%s: at most %d", opt, MAX_ARGS);
		return -1;
	}
	list[(*n)++] = arg;
	return 0;
}

/* One option of check's into a struct check_cli. */
static int set_option(void *ctx, int ch, char *arg)
{
	struct check_cli *c = ctx;

	switch (ch) {
	case 'f': return add_arg(c->files, &c->n_files, "-f", arg);
	case 'F': return add_arg(c->flows, &c->n_flows, "--flow", arg);
	case 'o':
		return cli_parse_format(arg, CLI_FORMAT_BIT(CLI_YAML) |
						     CLI_FORMAT_BIT(CLI_JSON),
					&c->format);
	}
	return cli_set_scope(&c->scope, ch, arg);
}

/* The command line into *c: what cli_getopt() says, or CLI_FAILED. */
static enum cli_parsed parse_args(int argc, char **argv, struct check_cli *c)
{
	static const struct option opts[] = {
		CLI_DB_OPTION,
		{ "file", required_argument, NULL, 'f' },
		{ "flow", required_argument, NULL, 'F' },
		{ "output", required_argument, NULL, 'o' },
		CLI_TIME_OPTIONS,
		CLI_OPTIONS_END,
	};
	enum cli_parsed parsed = cli_getopt(argc, argv, "f:o:h", opts,
					    check_usage, set_option, c, 0);

	if (parsed != CLI_RUN)
		return parsed;
	if (c->n_files == 0) {
		errmsg_set("no policies: give -f FILE (a file, a directory or -)");
		return CLI_FAILED;
	}
	c->now = (int64_t)time(NULL);
	if (cli_window(c->scope.since, c->scope.until, c->now, &c->since,
		       &c->until) < 0) {
		errmsg_prefix("--since/--until");
		return CLI_FAILED;
	}
	return CLI_RUN;
}

/* "ns/name (file:line)": where a reviewer finds a policy or rule. */
static void policy_ref(char *buf, size_t len, const struct polset_policy *p,
		       int line)
{
	snprintf(buf, len, "%s/%s (%s:%d)", p->namespace, p->name, p->source,
		 line);
}

/* ---- --flow ---------------------------------------------------------- */

/*
 * One end of a --flow: a workload's pods (*out owned by e), or whoever
 * holds an address (*out is one, the caller's).
 */
static int resolve_end(struct endpoints *e, char *text, struct endpoint *one,
		       const struct endpoint **out, size_t *n)
{
	struct addr a;
	char *s1, *s2;
	size_t len = strlen(text);

	if (text[0] == '[' && len > 2 && text[len - 1] == ']') {
		text[len - 1] = '\0';
		text++;
	}
	if (addr_parse(text, &a) == 0) {
		if (endpoints_address(e, text, one) < 0)
			return -1;
		*out = one;
		*n = 1;
	} else {
		s1 = strchr(text, '/');
		s2 = s1 ? strchr(s1 + 1, '/') : NULL;
		if (s1 == NULL || (s2 && strchr(s2 + 1, '/'))) {
			errmsg_set("'%s' is not NS/NAME, NS/KIND/NAME, an IPv4 "
				   "address or [IPv6]",
				   text);
			return -1;
		}
		*s1 = '\0';
		if (s2 != NULL)
			*s2 = '\0';
		if (endpoints_workload(e, text, s2 ? scope_kind(s1 + 1) : NULL,
				       s2 ? s2 + 1 : s1 + 1, out, n) < 0)
			return -1;
	}
	return 0;
}

/* The number a port means on this server: itself, or a named port's. */
static int port_on(const char *port, const char *protocol,
		   const struct endpoint *server)
{
	char *end;
	long v = strtol(port, &end, 10);

	if (*end == '\0')
		return v >= 1 && v <= 65535 ? (int)v : -1;
	for (size_t i = 0; i < server->end.n_ports; i++)
		if (strcmp(server->end.ports[i].name, port) == 0 &&
		    strcmp(server->end.ports[i].protocol, protocol) == 0)
			return server->end.ports[i].port;
	return -1;
}

static void print_side(const char *dir, const struct verdict_side *s,
		       const struct endpoint *pod, const char *what)
{
	char ref[512];
	const struct polset_rule *r;

	switch (s->reason) {
	case VERDICT_NOT_A_POD:
		printf("  %s: %s is not a pod: no policy applies\n", dir,
		       pod->name);
		break;
	case VERDICT_NOT_ISOLATED:
		printf("  %s: no policy selects %s for %s: allowed\n", dir,
		       pod->name, dir);
		break;
	case VERDICT_OWN_NODE:
		printf("  %s: between %s and its own node: always allowed\n",
		       dir, pod->name);
		break;
	case VERDICT_SELF:
		printf("  %s: %s to itself: no policy blocks a pod's access to "
		       "itself\n",
		       dir, pod->name);
		break;
	case VERDICT_RULE:
		r = strcmp(dir, "egress") == 0
			    ? &s->policy->egress_rules[s->rule]
			    : &s->policy->ingress_rules[s->rule];
		policy_ref(ref, sizeof(ref), s->policy, r->line);
		printf("  %s: allowed by %s rule %zu of %s\n", dir, dir,
		       s->rule + 1, ref);
		break;
	case VERDICT_NO_RULE:
		printf("  %s: denied: %s is isolated by", dir, pod->name);
		for (size_t i = 0; i < s->n_isolating &&
				   i < VERDICT_MAX_ISOLATING; i++) {
			policy_ref(ref, sizeof(ref), s->isolating[i],
				   s->isolating[i]->line);
			printf("%s %s", i ? "," : "", ref);
		}
		if (s->n_isolating > VERDICT_MAX_ISOLATING)
			printf(" and %zu more",
			       s->n_isolating - VERDICT_MAX_ISOLATING);
		printf("; no %s rule allows %s\n", dir, what);
		break;
	}
}

/* What a side's reason is called in -o yaml|json. */
static const char *reason_name(enum verdict_reason r)
{
	switch (r) {
	case VERDICT_NOT_A_POD: return "NotAPod";
	case VERDICT_NOT_ISOLATED: return "NotIsolated";
	case VERDICT_OWN_NODE: return "OwnNode";
	case VERDICT_SELF: return "Self";
	case VERDICT_RULE: return "AllowedByRule";
	case VERDICT_NO_RULE: return "NoRuleAllows";
	}
	return "Unknown";
}

/* One side of a --flow's verdict, as an object. */
static void emit_side(struct yemit *y, const char *dir,
		      const struct verdict_side *s)
{
	char ref[512];

	yemit_str(y, dir);
	yemit_map_begin(y);
	yemit_str(y, "allowed");
	yemit_bool(y, s->allowed);
	yemit_kv_str(y, "reason", reason_name(s->reason));
	if (s->reason == VERDICT_RULE) {
		const struct polset_rule *r =
			strcmp(dir, "egress") == 0
				? &s->policy->egress_rules[s->rule]
				: &s->policy->ingress_rules[s->rule];

		policy_ref(ref, sizeof(ref), s->policy, r->line);
		yemit_kv_str(y, "policy", ref);
		yemit_kv_int(y, "rule", (int64_t)s->rule + 1);
	}
	if (s->reason == VERDICT_NO_RULE) {
		yemit_str(y, "isolatedBy");
		yemit_seq_begin(y);
		for (size_t i = 0; i < s->n_isolating &&
				   i < VERDICT_MAX_ISOLATING; i++) {
			policy_ref(ref, sizeof(ref), s->isolating[i],
				   s->isolating[i]->line);
			yemit_str(y, ref);
		}
		yemit_seq_end(y);
	}
	yemit_map_end(y);
}

/* A --flow's verdict, as an object of the -o list. */
static void emit_flow(struct yemit *y, const char *text,
		      const struct verdict *v, const struct endpoint *src,
		      const struct endpoint *dst, int port,
		      const char *protocol, size_t pairs, size_t denied)
{
	yemit_map_begin(y);
	yemit_kv_str(y, "flow", text);
	yemit_kv_str(y, "verdict", v->allowed ? "ALLOW" : "DENY");
	yemit_kv_str(y, "source", src->name);
	yemit_kv_str(y, "destination", dst->name);
	yemit_kv_int(y, "port", port);
	yemit_kv_str(y, "protocol", protocol);
	yemit_kv_int(y, "podPairs", (int64_t)pairs);
	yemit_kv_int(y, "deniedPairs", (int64_t)denied);
	emit_side(y, "egress", &v->egress);
	emit_side(y, "ingress", &v->ingress);
	yemit_map_end(y);
}

/*
 * Decides one --flow for every pair of the ends' pods, printed, or into
 * y when not NULL.  Returns 0 ALLOW, 1 DENY, or -1 with errmsg.
 */
static int check_flow(const struct polset *ps, struct endpoints *e,
		      const char *text, struct yemit *y)
{
	const struct endpoint *src = NULL, *dst = NULL;
	const struct endpoint *show_src = NULL, *show_dst = NULL;
	struct endpoint src_one, dst_one;
	struct verdict v, shown = { 0 };
	struct flowspec f;
	size_t n_src = 0, n_dst = 0, pairs = 0, denied = 0;
	int rc = -1, port = 0, show_port = 0;
	char what[600];

	if (flowspec_parse(text, &f) < 0)
		goto out;
	if (resolve_end(e, f.src, &src_one, &src, &n_src) < 0 ||
	    resolve_end(e, f.dst, &dst_one, &dst, &n_dst) < 0) {
		errmsg_prefix("--flow '%s'", text);
		goto out;
	}
	for (size_t j = 0; j < n_dst; j++) {
		if ((port = port_on(f.port, f.protocol, &dst[j])) < 0)
			continue;
		for (size_t i = 0; i < n_src; i++) {
			verdict_eval(ps, &src[i].end, &dst[j].end, port,
				     f.protocol, &v);
			pairs++;
			denied += !v.allowed;
			if (show_src == NULL || (!v.allowed && shown.allowed)) {
				shown = v;
				show_src = &src[i];
				show_dst = &dst[j];
				show_port = port;
			}
		}
	}
	if (pairs == 0) {
		errmsg_set("--flow '%s': %s has no %s port named '%s'", text,
			   dst[0].name, f.protocol, f.port);
		goto out;
	}
	rc = denied > 0;
	if (y != NULL) {
		emit_flow(y, text, &shown, show_src, show_dst, show_port,
			  f.protocol, pairs, denied);
		goto out;
	}
	printf("%s %s -> %s:%s/%s", shown.allowed ? "ALLOW" : "DENY ",
	       show_src->name, show_dst->name, f.port, f.protocol);
	if (strcmp(f.port, "0") != 0 && atoi(f.port) != show_port)
		printf(" (port %d)", show_port);
	if (pairs > 1)
		printf(" [%zu of %zu pod pairs denied]", denied, pairs);
	printf("\n");
	snprintf(what, sizeof(what), "%s:%d/%s", show_dst->name, show_port,
		 f.protocol);
	print_side("egress", &shown.egress, show_src, what);
	snprintf(what, sizeof(what), "%s to port %d/%s", show_src->name,
		 show_port, f.protocol);
	print_side("ingress", &shown.ingress, show_dst, what);
out:
	flowspec_free(&f);
	return rc;
}

static int check_flows(const struct check_cli *c, const struct polset *ps,
		       struct store *s)
{
	struct endpoints *e = NULL;
	struct cli_output out = { 0 };
	struct yemit *y = NULL;
	int rc, status = EXIT_INVALID, any_denied = 0;

	if (endpoints_open(s, &e) < 0)
		goto out;
	if (c->format != CLI_TABLE) {
		if ((y = cli_output_open(&out, c->format)) == NULL) {
			status = EXIT_RUNTIME;
			goto out;
		}
		yemit_seq_begin(y);
	}
	for (size_t i = 0; i < c->n_flows; i++) {
		if ((rc = check_flow(ps, e, c->flows[i], y)) < 0)
			goto out;
		any_denied |= rc;
	}
	status = any_denied;
	if (y != NULL) {
		yemit_seq_end(y);
		yemit_doc_end(y);
		if (cli_output_close(&out) < 0)
			status = EXIT_RUNTIME;
	}
out:
	cli_output_free(&out);
	endpoints_close(e);
	return status;
}

/* ---- replay ---------------------------------------------------------- */

/* "egress (ns/name), ingress (ns/name)": the policies that deny g. */
static void denied_by(char *buf, size_t len, const struct replay_group *g)
{
	size_t used = 0;

	buf[0] = '\0';
	if (g->egress_by != NULL)
		used += (size_t)snprintf(buf, len, "egress (%s/%s)",
					 g->egress_by->namespace,
					 g->egress_by->name);
	if (g->ingress_by != NULL && used < len)
		snprintf(buf + used, len - used, "%singress (%s/%s)",
			 used ? ", " : "", g->ingress_by->namespace,
			 g->ingress_by->name);
}

/* The denied groups as a table, or NULL with errmsg. */
static struct table *denied_table(const struct replay_result *res)
{
	static const char *const heads[] = { "SOURCE", "DESTINATION", "PORT",
					     "CONNECTIONS", "LAST SEEN",
					     "DENIED BY" };
	struct table *t = table_new(6, heads);

	for (size_t i = 0; t != NULL && i < res->n_groups; i++) {
		const struct replay_group *g = res->groups[i];
		char port[32], conns[32], last[TIMEFMT_LEN], by[600];
		const char *cells[6] = { g->src, g->dst, port, conns, last, by };

		if (g->egress_by == NULL && g->ingress_by == NULL)
			continue;
		snprintf(port, sizeof(port), "%d/%s", g->port, g->protocol);
		snprintf(conns, sizeof(conns), "%lld", (long long)g->conns);
		timefmt_format(g->last, last);
		denied_by(by, sizeof(by), g);
		if (table_add(t, cells) < 0) {
			table_free(t);
			t = NULL;
		}
	}
	return t;
}

/*
 * Prints the denied flows and the summary.  Returns 0 nothing denied, 1
 * something denied, or -1 with errmsg.
 */
/*
 * The replay's answer as one object, -o yaml|json: the counts of the
 * summary line and every denied flow.  Returns 0 nothing denied, 1
 * something denied, or -1 with errmsg.
 */
static int report_object(const struct replay_result *res,
			 const struct polset *ps, enum cli_format format)
{
	struct cli_output out = { 0 };
	struct yemit *y = cli_output_open(&out, format);
	char t[TIMEFMT_LEN], ref[300];
	int rc = -1;

	if (y == NULL)
		goto out;
	yemit_map_begin(y);
	yemit_kv_int(y, "flows", (int64_t)res->n_groups);
	yemit_kv_int(y, "denied", (int64_t)res->denied);
	yemit_kv_int(y, "deniedConnections", res->denied_conns);
	yemit_kv_int(y, "deniedByEgress", (int64_t)res->denied_egress);
	yemit_kv_int(y, "deniedByIngress", (int64_t)res->denied_ingress);
	yemit_kv_int(y, "policies", (int64_t)ps->n);
	yemit_kv_int(y, "notChecked", (int64_t)res->not_checked);
	yemit_str(y, "deniedFlows");
	yemit_seq_begin(y);
	for (size_t i = 0; i < res->n_groups; i++) {
		const struct replay_group *g = res->groups[i];

		if (g->egress_by == NULL && g->ingress_by == NULL)
			continue;
		yemit_map_begin(y);
		yemit_kv_str(y, "source", g->src);
		yemit_kv_str(y, "destination", g->dst);
		yemit_kv_int(y, "port", g->port);
		yemit_kv_str(y, "protocol", g->protocol);
		yemit_kv_int(y, "connections", g->conns);
		yemit_kv_str(y, "lastSeen", timefmt_format(g->last, t));
		yemit_str(y, "deniedBy");
		yemit_map_begin(y);
		for (int egress = 1; egress >= 0; egress--) {
			const struct polset_policy *p =
				egress ? g->egress_by : g->ingress_by;

			if (p == NULL)
				continue;
			snprintf(ref, sizeof(ref), "%s/%s", p->namespace,
				 p->name);
			yemit_kv_str(y, egress ? "egress" : "ingress", ref);
		}
		yemit_map_end(y);
		yemit_map_end(y);
	}
	yemit_seq_end(y);
	yemit_map_end(y);
	yemit_doc_end(y);
	if (cli_output_close(&out) == 0)
		rc = res->denied > 0;
out:
	cli_output_free(&out);
	return rc;
}

static int report(const struct replay_result *res, const struct polset *ps,
		  enum cli_format format)
{
	struct table *t = NULL;

	cli_progress_end();
	if (format != CLI_TABLE)
		return report_object(res, ps, format);
	if (res->denied > 0) {
		if ((t = denied_table(res)) == NULL)
			return -1;
		table_print(t, stdout);
		table_free(t);
	}
	printf("%s%zu of %zu flow%s would be denied (%lld connection%s: "
	       "%zu by egress, %zu by ingress rules) by %zu polic%s",
	       res->denied ? "\n" : "", res->denied, res->n_groups,
	       cli_plural(res->n_groups), (long long)res->denied_conns,
	       cli_plural((size_t)res->denied_conns), res->denied_egress,
	       res->denied_ingress, ps->n, ps->n == 1 ? "y" : "ies");
	if (res->not_checked > 0)
		printf("; %zu ICMP or port-less records not checked "
		       "(NetworkPolicy cannot express them)",
		       res->not_checked);
	printf("\n");
	return res->denied > 0;
}

static int check_replay(const struct check_cli *c, const struct polset *ps,
			struct store *const *stores, size_t n)
{
	struct replay *r = replay_new(ps, n > 1);
	struct replay_result res;
	int rc, status = EXIT_RUNTIME;

	if (r == NULL)
		goto out;
	for (size_t i = 0; i < n; i++)
		if (replay_store(r, stores[i], c->since, c->until) < 0)
			goto out;
	replay_result(r, &res);
	/* Nothing denied of nothing is no pass: a CI gate must not go on. */
	if (res.rows == 0) {
		cli_progress_end();
		fprintf(stderr, "policygen: no flows recorded in the window: "
				"nothing to check (see policygen info for the "
				"window the database holds)\n");
		status = EXIT_PARTIAL;
		goto out;
	}
	if ((rc = report(&res, ps, c->format)) >= 0)
		status = rc;
out:
	replay_free(r);
	return status;
}

/* The policies of every -f, and notes on what was left out or replaced. */
static int read_policies(const struct check_cli *c, struct polset *ps)
{
	for (size_t i = 0; i < c->n_files; i++)
		if (polset_read_path(ps, c->files[i], DEFAULT_NAMESPACE) < 0)
			return -1;
	if (ps->skipped > 0)
		fprintf(stderr, "policygen: %zu object%s that %s not "
				"NetworkPolicies left out\n",
			ps->skipped, cli_plural(ps->skipped),
			ps->skipped == 1 ? "is" : "are");
	if (ps->replaced > 0)
		fprintf(stderr, "policygen: note: %zu polic%s named again: "
				"the later one replaces the earlier, as with "
				"kubectl apply\n",
			ps->replaced, ps->replaced == 1 ? "y" : "ies");
	return 0;
}

/* Read-only: an older database cannot be migrated here. */
static int check_schemas(const struct cli_dbs *dbs)
{
	for (size_t i = 0; i < dbs->n_open; i++) {
		struct store *s = dbs->stores[i];

		if (store_schema_version(s) < CHECK_MIN_SCHEMA) {
			errmsg_set("%s: schema version %d is older than check "
				   "needs (%d); open it once with a writer "
				   "(policygen import, podflowd) to migrate it",
				   store_filename(s), store_schema_version(s),
				   CHECK_MIN_SCHEMA);
			return -1;
		}
	}
	return 0;
}

int cmd_check(int argc, char **argv)
{
	struct check_cli c = { .until = INT64_MAX };
	struct cli_dbs *dbs = &c.scope.dbs;
	struct polset ps = POLSET_INIT;
	enum cli_parsed parsed = parse_args(argc, argv, &c);
	int status = EXIT_INVALID;

	if (parsed != CLI_RUN)
		return cli_exit_status(parsed);
	if (read_policies(&c, &ps) < 0)
		goto out;
	if (ps.n == 0) {
		fprintf(stderr,
			"policygen: no NetworkPolicy in %s%s: nothing to check "
			"against; give the files of the policies (what "
			"generate --output-dir writes, or kubectl get "
			"networkpolicies -A -o yaml)\n",
			c.files[0], c.n_files > 1 ? " and the other -f" : "");
		status = EXIT_PARTIAL;
		goto out;
	}
	status = EXIT_RUNTIME;
	if (cli_open_dbs(dbs) < 0 || check_schemas(dbs) < 0)
		goto out;
	if (c.n_flows > 0) {
		status = check_flows(&c, &ps, dbs->stores[0]);
	} else {
		cli_note_unstarted(dbs->stores, dbs->n_open, c.since, c.until);
		status = check_replay(&c, &ps, dbs->stores, dbs->n_open);
	}
out:
	if (status == EXIT_INVALID || status == EXIT_RUNTIME)
		cli_print_error();
	polset_free(&ps);
	cli_close_dbs(dbs);
	return status;
}
