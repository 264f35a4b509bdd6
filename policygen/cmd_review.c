/*
 * policygen review: accept or reject proposed rule peers, clear those
 * decisions, and list the peers with their evidence and decisions.
 * Decisions go to the first database (or --review-db), where generate
 * reads them.
 */
#include <getopt.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "podflow/errmsg.h"
#include "podflow/proto.h"
#include "podflow/store.h"
#include "podflow/yemit.h"
#include "podflow/timefmt.h"
#include "endpoint.h"
#include "generate.h"
#include "policygen.h"
#include "review.h"
#include "table.h"

static void review_usage(FILE *f)
{
	fprintf(f,
		"usage: policygen review accept|reject WORKLOAD ingress|egress PEER [PORT/PROTO]\n"
		"         [--reason TEXT] [--by NAME] [--db PATH] [--review-db PATH]\n"
		"       policygen review clear WORKLOAD ingress|egress PEER [PORT/PROTO]\n"
		"         [--db PATH] [--review-db PATH]\n"
		"       policygen review list [--db PATH]... [--review-db PATH] [-n NS]... [-A]\n"
		"         [--system-namespace NS]... [--workload [NS/][KIND/]NAME]\n"
		"         [--since T] [--until T] [--pending] [--before-dnat] [-o yaml|json]\n"
		"WORKLOAD: NS/NAME or NS/KIND/NAME.  PEER: a workload, ns:NAME (a whole\n"
		"namespace), an address, a CIDR, or node.  Without PORT/PROTO a decision\n"
		"covers every port of the peer.  A decision replaces every earlier one it\n"
		"covers (same workload and direction, a peer and ports within its own);\n"
		"of the decisions left, the most specific wins.  clear deletes the\n"
		"decision on exactly that scope, no broader or narrower one.  Decisions\n"
		"are kept in the first --db (or --review-db) and read by generate:\n"
		"rejected peers are never emitted.\n");
}

/* Who decides: --by, else the user behind sudo, else the user. */
static const char *who(const char *by)
{
	const char *u = getenv("SUDO_USER");
	struct passwd *pw;

	if (by != NULL)
		return by;
	if (u != NULL && u[0] != '\0')
		return u;
	pw = getpwuid(getuid());
	return pw != NULL ? pw->pw_name : "unknown";
}

static int parse_port(const char *text, struct review_rule *r)
{
	const char *proto = NULL;
	char *end;
	long port = strtol(text, &end, 10);

	if (end == text || port < 1 || port > 65535)
		goto bad;
	/* A port alone is TCP, as in a NetworkPolicy; any case of the name. */
	if (*end == '\0')
		proto = proto_policy_name("TCP", 0);
	else if (*end == '/')
		proto = proto_policy_name(end + 1, 1);
	if (proto == NULL)
		goto bad;
	r->protocol = proto;
	r->port = (int)port;
	return 0;
bad:
	errmsg_set("'%s' is not PORT/PROTO (1-65535, TCP, UDP or SCTP)", text);
	return -1;
}

struct decide_cli {
	const char *db, *review_db, *reason, *by;
	const char *args[4];
	int n_args;
};

/* One option of accept's, reject's and clear's, or an argument, into *ctx. */
static int set_decide(void *ctx, int ch, char *arg)
{
	struct decide_cli *c = ctx;

	switch (ch) {
	case 'd': c->db = arg; return 0;
	case 'r': c->review_db = arg; return 0;
	case 'm': c->reason = arg; return 0;
	case 'b': c->by = arg; return 0;
	/* At most 4: cli_getopt() refuses a fifth. */
	case CLI_ARG: c->args[c->n_args++] = arg; return 0;
	}
	return 0;
}

/*
 * The command line into *c: what cli_getopt() says.  clear takes no
 * --reason or --by: it records nothing.
 */
static enum cli_parsed parse_decide(int argc, char **argv, int clear,
				    struct decide_cli *c)
{
	static const struct option opts[] = {
		CLI_DB_OPTION,
		{ "review-db", required_argument, NULL, 'r' },
		{ "reason", required_argument, NULL, 'm' },
		{ "by", required_argument, NULL, 'b' },
		CLI_OPTIONS_END,
	};
	static const struct option clear_opts[] = {
		CLI_DB_OPTION,
		{ "review-db", required_argument, NULL, 'r' },
		CLI_OPTIONS_END,
	};

	return cli_getopt(argc, argv, "h", clear ? clear_opts : opts,
			  review_usage, set_decide, c, 4);
}

/*
 * The rule of the arguments WORKLOAD ingress|egress PEER [PORT/PROTO],
 * in a (its strings the arguments' or a's).  Returns 0, or -1 with errmsg
 * (after the usage, when arguments are missing).
 */
static int decide_rule(const struct decide_cli *c, struct arena *a,
		       struct review_rule *r)
{
	struct review_peer w;

	if (c->n_args < 3) {
		review_usage(stderr);
		errmsg_set("expected WORKLOAD ingress|egress PEER [PORT/PROTO]");
		return -1;
	}
	if (review_parse_peer(c->args[0], a, &w) < 0 ||
	    w.type != REVIEW_PEER_WORKLOAD) {
		errmsg_set("workload '%s' is not NS/NAME or NS/KIND/NAME",
			   c->args[0]);
		return -1;
	}
	r->ns = w.ns;
	r->kind = w.kind;
	r->name = w.name;
	if (strcmp(c->args[1], "ingress") == 0)
		r->egress = 0;
	else if (strcmp(c->args[1], "egress") == 0)
		r->egress = 1;
	else {
		errmsg_set("direction '%s' is not ingress or egress",
			   c->args[1]);
		return -1;
	}
	if (review_parse_peer(c->args[2], a, &r->peer) < 0 ||
	    (c->n_args == 4 && parse_port(c->args[3], r) < 0))
		return -1;
	return 0;
}

/* What decision r is on. */
static struct review_subject scope_of(const struct review_rule *r)
{
	return (struct review_subject){
		r->ns, r->kind, r->name, r->egress, r->peer, r->port,
		r->protocol,
	};
}

/* What a decision is on: "ns/Kind/name egress PEER[ PORT/PROTO]". */
static void scope_format(const struct review_subject *r, char *buf,
			 size_t len)
{
	char peer[600];
	int n;

	review_peer_format(&r->peer, peer, sizeof(peer));
	n = snprintf(buf, len, "%s/%s/%s %s %s", r->ns, r->kind, r->name,
		     r->egress ? "egress" : "ingress", peer);
	if (r->port && n >= 0 && (size_t)n < len)
		snprintf(buf + n, len - (size_t)n, " %d/%s", r->port,
			 r->protocol);
}

/* "rejected ns/Kind/name egress PEER[ PORT/PROTO]". */
static void decision_format(const struct review_rule *r, char *buf,
			    size_t len)
{
	const struct review_subject s = scope_of(r);
	char scope[800];

	scope_format(&s, scope, sizeof(scope));
	snprintf(buf, len, "%s %s",
		 r->decision == REVIEW_REJECTED ? "rejected" : "accepted",
		 scope);
}

/*
 * The decision recorded, on stdout, for the one who made it, with how
 * many it replaced; on stderr each of those, each decision left that
 * still wins over it somewhere (a more specific port or peer), so that
 * "rejected" never hides an accept that holds on, and each it overrides
 * somewhere without replacing it.
 */
static void print_decision(const struct review_rule *r,
			   const struct review_set *replaced,
			   const struct review_set *left)
{
	char line[1000], scope[800];

	decision_format(r, line, sizeof(line));
	if (replaced->n > 0)
		printf("%s; replaces %zu earlier decision%s\n", line,
		       replaced->n, replaced->n == 1 ? "" : "s");
	else
		printf("%s\n", line);
	for (size_t i = 0; i < replaced->n; i++) {
		decision_format(&replaced->rules[i], line, sizeof(line));
		fprintf(stderr, "policygen: replaces: %s (by %s)\n", line,
			replaced->rules[i].by);
	}
	for (size_t i = 0; i < left->n; i++) {
		struct review_subject where;

		decision_format(&left->rules[i], line, sizeof(line));
		if (review_outranks(&left->rules[i], r, &where)) {
			scope_format(&where, scope, sizeof(scope));
			fprintf(stderr,
				"policygen: %s still decides %s: it is more "
				"specific\n",
				line, scope);
		} else if (review_outranks(r, &left->rules[i], &where)) {
			scope_format(&where, scope, sizeof(scope));
			fprintf(stderr, "policygen: overrides %s on %s\n", line,
				scope);
		}
	}
}

/*
 * The decision a clear deleted, on stdout; on stderr the one that
 * decides its scope now, if any does (else it is pending).
 */
static void print_cleared(const struct review_rule *r,
			  const struct review_set *gone,
			  const struct review_set *left)
{
	const struct review_subject s = scope_of(r);
	const struct review_rule *by = review_match(left, &s);
	char line[1000];

	for (size_t i = 0; i < gone->n; i++) {
		decision_format(&gone->rules[i], line, sizeof(line));
		printf("cleared %s\n", line);
	}
	if (by != NULL) {
		decision_format(by, line, sizeof(line));
		fprintf(stderr, "policygen: it is now decided by: %s\n", line);
	}
}

/*
 * Why a clear found no decision on r's scope, on stderr: the decision
 * that covers it, if one does, and those inside it.
 */
static void print_not_cleared(const struct review_rule *r,
			      const struct review_set *set)
{
	const struct review_subject s = scope_of(r);
	const struct review_rule *by = review_match(set, &s);
	char scope[800], line[1000];

	scope_format(&s, scope, sizeof(scope));
	fprintf(stderr, "policygen: no decision on %s to clear\n", scope);
	if (by != NULL) {
		decision_format(by, line, sizeof(line));
		fprintf(stderr, "policygen: it is decided by: %s\n", line);
	}
	for (size_t i = 0; i < set->n; i++) {
		if (!review_covers(r, &set->rules[i]))
			continue;
		decision_format(&set->rules[i], line, sizeof(line));
		fprintf(stderr, "policygen: a narrower decision: %s\n", line);
	}
}

/*
 * review accept, reject and clear (decision REVIEW_PENDING: the scope
 * back to pending).
 */
static int cmd_decide(int argc, char **argv, enum review_decision decision)
{
	struct decide_cli c = { 0 };
	struct review_rule r = { .decision = decision };
	struct review_set gone = { 0 }, left = { 0 };
	struct store *inv = NULL, *dest = NULL;
	struct endpoints *ep = NULL;
	struct arena a = ARENA_INIT;
	int clear = decision == REVIEW_PENDING;
	enum cli_parsed parsed = parse_decide(argc, argv, clear, &c);
	int status = EXIT_INVALID, found;

	if (parsed != CLI_RUN)
		return cli_exit_status(parsed);
	if (decide_rule(&c, &a, &r) < 0)
		goto out;
	status = EXIT_RUNTIME;
	if (cli_store_open(store_path(c.db), c.review_db ? STORE_READONLY : 0,
		       &inv) < 0 ||
	    endpoints_open(inv, &ep) < 0)
		goto out;
	/* A workload the inventory does not know is the input's fault. */
	status = EXIT_INVALID;
	if (endpoints_kind(ep, r.ns, r.kind, r.name, &r.kind) < 0 ||
	    (r.peer.type == REVIEW_PEER_WORKLOAD &&
	     endpoints_kind(ep, r.peer.ns, r.peer.kind, r.peer.name,
			    &r.peer.kind) < 0))
		goto out;
	status = EXIT_RUNTIME;
	if (c.review_db != NULL && cli_store_open(c.review_db, 0, &dest) < 0)
		goto out;
	if (clear) {
		found = review_clear(dest ? dest : inv, &r, &gone, &left);
		if (found < 0)
			goto out;
		if (found == 0) {
			print_not_cleared(&r, &left);
			status = EXIT_PARTIAL;
			goto out;
		}
		print_cleared(&r, &gone, &left);
		status = EXIT_DONE;
		goto out;
	}
	r.reason = c.reason;
	r.by = who(c.by);
	r.at = (int64_t)time(NULL);
	if (review_record(dest ? dest : inv, &r, &gone, &left) < 0)
		goto out;
	print_decision(&r, &gone, &left);
	status = EXIT_DONE;
out:
	if (status != EXIT_DONE && status != EXIT_PARTIAL)
		cli_print_error();
	review_set_free(&left);
	review_set_free(&gone);
	endpoints_close(ep);
	store_close(dest);
	store_close(inv);
	arena_reset(&a);
	return status;
}

struct list_cli {
	struct generate_opts o;
	struct cli_scope scope; /* into o by cli_scope_generate(), but dbs */
	int pending_only;
	enum cli_format format; /* CLI_TABLE, CLI_YAML or CLI_JSON */
};

/* One option of list's into a struct list_cli. */
static int set_list(void *ctx, int ch, char *arg)
{
	struct list_cli *c = ctx;

	if (ch == 'p') {
		c->pending_only = 1;
		return 0;
	}
	if (ch == 'B') {
		c->o.before_dnat = 1;
		return 0;
	}
	if (ch == 'o')
		return cli_parse_format(arg, CLI_FORMAT_BIT(CLI_YAML) |
						     CLI_FORMAT_BIT(CLI_JSON),
					&c->format);
	return cli_set_scope(&c->scope, ch, arg);
}

/* The command line into *c: what cli_getopt() says. */
static enum cli_parsed parse_list(int argc, char **argv, struct list_cli *c)
{
	static const struct option opts[] = {
		CLI_DB_OPTION,
		{ "review-db", required_argument, NULL, 'R' },
		CLI_WINDOW_OPTIONS,
		{ "pending", no_argument, NULL, 'p' },
		{ "before-dnat", no_argument, NULL, 'B' },
		{ "output", required_argument, NULL, 'o' },
		CLI_OPTIONS_END,
	};

	return cli_getopt(argc, argv, "n:Ao:h", opts, review_usage, set_list,
			  c, 0);
}

static const char *decision_name(enum review_decision d)
{
	return d == REVIEW_ACCEPTED   ? "accepted"
	       : d == REVIEW_REJECTED ? "rejected"
				      : "pending";
}

/* "by alice at T: why" for a decision; "" when pending. */
static void decision_note(const struct generate_proposal *p, char *buf,
			  size_t len)
{
	char at[TIMEFMT_LEN];

	buf[0] = '\0';
	if (p->review == NULL)
		return;
	snprintf(buf, len, "%s %s%s%s", p->review->by,
		 timefmt_format(p->review->at, at),
		 p->review->reason ? ": " : "",
		 p->review->reason ? p->review->reason : "");
}

/* The proposals as a list of objects, -o yaml or json. */
static int emit_proposals(const struct generate_result *r, int pending_only,
			  enum cli_format format)
{
	struct yemit *y = yemit_open(stdout, format == CLI_JSON ? YEMIT_JSON
								 : YEMIT_YAML);
	char t[TIMEFMT_LEN];

	if (y == NULL) {
		errmsg_set("out of memory");
		return -1;
	}
	yemit_doc_begin(y);
	yemit_seq_begin(y);
	for (size_t i = 0; i < r->n_proposals; i++) {
		const struct generate_proposal *p = &r->proposals[i];

		if (pending_only && p->decision != REVIEW_PENDING)
			continue;
		yemit_map_begin(y);
		yemit_str(y, "workload");
		yemit_map_begin(y);
		yemit_kv_str(y, "namespace", p->ns);
		yemit_kv_str(y, "kind", p->kind);
		yemit_kv_str(y, "name", p->name);
		yemit_map_end(y);
		yemit_kv_str(y, "direction", p->egress ? "egress" : "ingress");
		yemit_kv_str(y, "peer", p->peer);
		yemit_kv_int(y, "port", p->port);
		yemit_kv_str(y, "protocol", p->protocol);
		yemit_kv_int(y, "connections", p->conns);
		yemit_kv_str(y, "firstSeen", timefmt_format(p->first, t));
		yemit_kv_str(y, "lastSeen", timefmt_format(p->last, t));
		yemit_kv_str(y, "decision", decision_name(p->decision));
		yemit_str(y, "existing");
		yemit_bool(y, p->existing);
		if (p->review != NULL) {
			yemit_kv_str(y, "decidedBy", p->review->by);
			yemit_kv_str(y, "decidedAt",
				     timefmt_format(p->review->at, t));
			yemit_kv_str(y, "reason",
				     p->review->reason ? p->review->reason : "");
		}
		yemit_map_end(y);
	}
	yemit_seq_end(y);
	yemit_doc_end(y);
	return yemit_close(y);
}

static void print_proposals(const struct generate_result *r, int pending_only)
{
	static const char *const heads[] = {
		"WORKLOAD", "DIRECTION", "PEER", "PORT", "CONNECTIONS",
		"FIRST SEEN", "LAST SEEN", "DECISION", "BY, WHEN, WHY",
	};
	struct table *t = table_new(9, heads);

	for (size_t i = 0; t != NULL && i < r->n_proposals; i++) {
		const struct generate_proposal *p = &r->proposals[i];
		char wl[600], port[32], conns[32], first[TIMEFMT_LEN],
			last[TIMEFMT_LEN], decision[32], note[1200];
		const char *cells[9] = { wl, p->egress ? "egress" : "ingress",
					 p->peer, port, conns, first, last,
					 decision, note };

		if (pending_only && p->decision != REVIEW_PENDING)
			continue;
		snprintf(wl, sizeof(wl), "%s/%s/%s", p->ns, p->kind, p->name);
		snprintf(port, sizeof(port), "%d/%s", p->port, p->protocol);
		snprintf(conns, sizeof(conns), "%lld", (long long)p->conns);
		timefmt_format(p->first, first);
		timefmt_format(p->last, last);
		snprintf(decision, sizeof(decision), "%s%s",
			 decision_name(p->decision),
			 p->existing ? " (existing)" : "");
		decision_note(p, note, sizeof(note));
		table_add(t, cells);
	}
	table_print(t, stdout);
	table_free(t);
}

static int cmd_review_list(int argc, char **argv)
{
	struct list_cli c = {
		.o = { .now = (int64_t)time(NULL), .until = INT64_MAX }
	};
	struct cli_generated g = { 0 };
	size_t counts[3] = { 0 };
	enum cli_parsed parsed = parse_list(argc, argv, &c);
	int status = EXIT_INVALID;

	if (parsed != CLI_RUN)
		return cli_exit_status(parsed);
	if (cli_scope_check(&c.scope) < 0)
		goto out;
	if (cli_scope_generate(&c.scope, &c.o) < 0) {
		errmsg_prefix("--since/--until");
		goto out;
	}
	c.o.ingress = c.o.egress = NETPOL_OBSERVED;
	if ((status = cli_generate(&c.scope, &c.o, NULL, &g)) != EXIT_DONE)
		goto out;
	for (size_t i = 0; i < g.r.n_proposals; i++)
		counts[g.r.proposals[i].decision]++;
	cli_progress_end();
	if (c.format != CLI_TABLE) {
		if (emit_proposals(&g.r, c.pending_only, c.format) < 0) {
			status = EXIT_RUNTIME;
			goto out;
		}
	} else if (g.r.n_proposals > 0) {
		print_proposals(&g.r, c.pending_only);
		printf("\n%zu rule peers: %zu pending, %zu accepted, %zu "
		       "rejected\n",
		       g.r.n_proposals, counts[REVIEW_PENDING],
		       counts[REVIEW_ACCEPTED], counts[REVIEW_REJECTED]);
	}
	status = EXIT_DONE;
	if (g.r.n_proposals == 0 &&
	    (status = cli_say_empty(c.scope.dbs.stores[0], &c.scope,
				    "proposed rules", NULL)) != EXIT_PARTIAL)
		goto out;
	if (g.r.n_left_out > 0) {
		fprintf(stderr,
			"policygen: %zu workload%s left out: no valid policy can "
			"name %s (policygen generate says why)\n",
			g.r.n_left_out, g.r.n_left_out == 1 ? "" : "s",
			g.r.n_left_out == 1 ? "it" : "them");
		status = EXIT_PARTIAL;
	}
out:
	if (status != EXIT_DONE && status != EXIT_PARTIAL)
		cli_print_error();
	cli_generated_free(&c.scope, &g);
	return status;
}

int cmd_review(int argc, char **argv)
{
	if (argc < 2) {
		review_usage(stderr);
		fprintf(stderr, "policygen: review: expected list, accept, reject or clear\n");
		return EXIT_INVALID;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		review_usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "accept") == 0)
		return cmd_decide(argc - 1, argv + 1, REVIEW_ACCEPTED);
	if (strcmp(argv[1], "reject") == 0)
		return cmd_decide(argc - 1, argv + 1, REVIEW_REJECTED);
	if (strcmp(argv[1], "clear") == 0)
		return cmd_decide(argc - 1, argv + 1, REVIEW_PENDING);
	if (strcmp(argv[1], "list") == 0)
		return cmd_review_list(argc - 1, argv + 1);
	review_usage(stderr);
	fprintf(stderr, "policygen: review: unknown action '%s'\n", argv[1]);
	return EXIT_INVALID;
}
