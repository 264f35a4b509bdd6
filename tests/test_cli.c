/*
 * Unit tests for cli, the option loop every policygen command parses its
 * command line with, and the tail of a command that reads one database:
 * options handed over in order, --help, unknown options and stray
 * arguments answered the one way, and the exit statuses they call for.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "podflow/errmsg.h"
#include "podflow/store.h"
#include "policygen/policygen.h"
#include "support/testdb.h"

/* Where the fake usage was printed, and how often. */
static FILE *usage_to;
static int usage_calls;

static void fake_usage(FILE *f)
{
	usage_to = f;
	usage_calls++;
}

/*
 * What set() was handed, one "c=arg" per call; 'x' fails, and an argument
 * "refuse" is refused.
 */
struct seen {
	char calls[16][64];
	int n;
};

static int record(void *ctx, int ch, char *arg)
{
	struct seen *s = ctx;

	if (ch == 'x') {
		errmsg_set("-x: no");
		return -1;
	}
	if (ch == CLI_ARG && strcmp(arg, "refuse") == 0)
		return CLI_REFUSED;
	assert_true(s->n < 16);
	snprintf(s->calls[s->n++], sizeof(s->calls[0]), "%c=%s",
		 ch == CLI_ARG ? '@' : ch, arg ? arg : "");
	return 0;
}

/* --db and -n take a value, -a none; --fail fails. */
static const struct option opts[] = {
	{ "db", required_argument, NULL, 'd' },
	{ "fail", no_argument, NULL, 'x' },
	{ "help", no_argument, NULL, 'h' },
	{ 0 },
};

/*
 * Parses the NULL-terminated words (the command's name first), taking at
 * most max_args positional arguments.
 */
static enum cli_parsed parse(int max_args, struct seen *s, ...)
{
	static char words[16][64];
	char *argv[17];
	const char *w;
	va_list ap;
	int argc = 0;

	va_start(ap, s);
	while ((w = va_arg(ap, const char *)) != NULL) {
		snprintf(words[argc], sizeof(words[0]), "%s", w);
		argv[argc] = words[argc];
		argc++;
	}
	va_end(ap);
	argv[argc] = NULL;
	memset(s, 0, sizeof(*s));
	usage_to = NULL;
	usage_calls = 0;
	errmsg_set("%s", "");
	return cli_getopt(argc, argv, "n:ah", opts, fake_usage, record, s,
			  max_args);
}

static int setup(void **state)
{
	(void)state;
	opterr = 0; /* getopt's own messages are not what is tested */
	return 0;
}

static void test_options_in_order_then_arguments(void **state)
{
	struct seen s;

	(void)state;
	assert_int_equal(parse(2, &s, "cmd", "one", "--db", "a.db",
			       "-n", "ns", "-a", "two", NULL),
			 CLI_RUN);
	assert_int_equal(s.n, 5);
	assert_string_equal(s.calls[0], "d=a.db");
	assert_string_equal(s.calls[1], "n=ns");
	assert_string_equal(s.calls[2], "a=");
	/* Positional arguments come after every option, in their order. */
	assert_string_equal(s.calls[3], "@=one");
	assert_string_equal(s.calls[4], "@=two");
	assert_int_equal(usage_calls, 0);
}

static void test_parses_afresh_each_call(void **state)
{
	struct seen s;

	(void)state;
	assert_int_equal(parse(2, &s, "cmd", "--db", "a.db", "x",
			       NULL),
			 CLI_RUN);
	assert_int_equal(parse(2, &s, "cmd", "--db", "b.db", NULL),
			 CLI_RUN);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.calls[0], "d=b.db");
}

static void test_help_answered_on_stdout(void **state)
{
	struct seen s;

	(void)state;
	assert_int_equal(parse(2, &s, "cmd", "--db", "a.db", "--help",
			       "--bogus", NULL),
			 CLI_HELPED);
	assert_int_equal(usage_calls, 1);
	assert_ptr_equal(usage_to, stdout);
	assert_int_equal(parse(2, &s, "cmd", "-h", NULL), CLI_HELPED);
	assert_int_equal(s.n, 0);
	assert_int_equal(cli_exit_status(CLI_HELPED), 0);
}

static void test_unknown_option_refused_with_usage(void **state)
{
	static const char *const bad[] = { "--bogus", "-q", "--db" };
	struct seen s;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(parse(2, &s, "cmd", bad[i], NULL),
				 CLI_REFUSED);
		assert_int_equal(usage_calls, 1);
		assert_ptr_equal(usage_to, stderr);
	}
	/* Before --help is reached, the unknown option is answered. */
	assert_int_equal(parse(2, &s, "cmd", "--bogus", "--help",
			       NULL),
			 CLI_REFUSED);
	assert_int_equal(cli_exit_status(CLI_REFUSED), EXIT_INVALID);
}

static void test_stray_argument(void **state)
{
	struct seen s;

	(void)state;
	assert_int_equal(parse(2, &s, "cmd", "a", "b", "c", NULL), CLI_FAILED);
	assert_string_equal(errmsg_get(), "unexpected argument 'c'");
	assert_int_equal(usage_calls, 0);
	assert_int_equal(parse(0, &s, "cmd", "--", "-a", NULL), CLI_FAILED);
	assert_string_equal(errmsg_get(), "unexpected argument '-a'");
	assert_int_equal(s.n, 0);
	assert_int_equal(parse(CLI_ANY_ARGS, &s, "cmd", "a", "b", "c", "d",
			       NULL),
			 CLI_RUN);
	assert_int_equal(s.n, 4);
}

static void test_refused_argument_answered_with_usage(void **state)
{
	struct seen s;

	(void)state;
	assert_int_equal(parse(CLI_ANY_ARGS, &s, "cmd", "a", "refuse", "b",
			       NULL),
			 CLI_REFUSED);
	assert_int_equal(s.n, 1);
	assert_int_equal(usage_calls, 1);
	assert_ptr_equal(usage_to, stderr);
}

/* A command without arguments: the usage answers one, set() never sees it. */
static void test_no_args_answered_with_usage(void **state)
{
	struct seen s;

	(void)state;
	assert_int_equal(parse(CLI_NO_ARGS, &s, "cmd", "--db", "a.db", NULL),
			 CLI_RUN);
	assert_int_equal(parse(CLI_NO_ARGS, &s, "cmd", "--db", "a.db", "x",
			       NULL),
			 CLI_REFUSED);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.calls[0], "d=a.db");
	assert_int_equal(usage_calls, 1);
	assert_ptr_equal(usage_to, stderr);
}

/* A time option: counted back from now, its errors named by the option. */
static void test_time_option(void **state)
{
	int64_t t = 7;

	(void)state;
	assert_int_equal(cli_parse_when("now", "90m", 10000, &t), 0);
	assert_int_equal(t, 10000 - 5400);
	assert_int_equal(cli_parse_when("since", "soon", 10000, &t), -1);
	assert_int_equal(strncmp(errmsg_get(), "--since: ", 9), 0);
	assert_int_equal(t, 10000 - 5400); /* left as it was */
}

static void test_failing_option_stops_the_parse(void **state)
{
	struct seen s;

	(void)state;
	assert_int_equal(parse(2, &s, "cmd", "-a", "--fail",
			       "--db", "a.db", NULL),
			 CLI_FAILED);
	assert_string_equal(errmsg_get(), "-x: no");
	assert_int_equal(s.n, 1);
	assert_int_equal(usage_calls, 0);
	assert_int_equal(cli_exit_status(CLI_FAILED), EXIT_INVALID);
}

static void test_scope_options_shared(void **state)
{
	struct cli_scope sc = { 0 };
	char db1[] = "a.db", db2[] = "b.db", rev[] = "r.db", wl[] = "Job/x";
	char ns[] = "shop", since[] = "1h", until[] = "5m", other[] = "o";

	(void)state;
	assert_int_equal(cli_set_scope(&sc, 'd', db1), 0);
	assert_int_equal(cli_set_scope(&sc, 'd', db2), 0);
	assert_int_equal(cli_set_scope(&sc, 'R', rev), 0);
	assert_int_equal(cli_set_scope(&sc, 'n', ns), 0);
	assert_int_equal(cli_set_scope(&sc, 'w', wl), 0);
	assert_int_equal(cli_set_scope(&sc, 's', since), 0);
	assert_int_equal(cli_set_scope(&sc, 'u', until), 0);
	assert_int_equal(cli_set_scope(&sc, 'q', other), 0); /* not one */
	assert_int_equal(sc.dbs.n, 2);
	assert_string_equal(sc.dbs.paths[1], "b.db");
	assert_string_equal(sc.dbs.review_path, "r.db");
	assert_int_equal(sc.ns.n, 1);
	assert_string_equal(sc.ns.names[0], "shop");
	assert_null(sc.workload.ns);
	assert_string_equal(sc.workload.kind, "Job");
	assert_string_equal(sc.workload.name, "x");
	assert_string_equal(sc.since, "1h");
	assert_string_equal(sc.until, "5m");
	/* The one -n is the workload's namespace. */
	assert_int_equal(cli_scope_check(&sc), 0);
	assert_string_equal(sc.workload.ns, "shop");
	sc.dbs.n = CLI_MAX_DBS;
	assert_int_equal(cli_set_scope(&sc, 'd', db1), -1);
}

/* Without -n or -A, every namespace but the system ones. */
static void test_namespaces_default_all_but_system(void **state)
{
	struct cli_scope sc = { 0 };
	char sys[] = "istio-system", ns1[] = "shop", ns2[] = "kube-system";

	(void)state;
	assert_true(cli_scope_has_namespace(&sc, "shop"));
	assert_false(cli_scope_has_namespace(&sc, "kube-system"));
	assert_false(cli_scope_has_namespace(&sc, "kube-public"));
	assert_false(cli_scope_has_namespace(&sc, "kube-node-lease"));
	assert_true(cli_scope_has_namespace(&sc, "istio-system"));
	assert_int_equal(cli_set_scope(&sc, 'Y', sys), 0);
	assert_false(cli_scope_has_namespace(&sc, "istio-system"));
	/* -A covers them all, a named one is covered. */
	assert_int_equal(cli_set_scope(&sc, 'A', NULL), 0);
	assert_true(cli_scope_has_namespace(&sc, "kube-system"));
	assert_int_equal(cli_set_scope(&sc, 'n', ns1), 0);
	assert_int_equal(cli_scope_check(&sc), -1);
	assert_string_equal(errmsg_get(), "-n and -A (--all-namespaces): give one");
	sc.ns.all = 0;
	assert_int_equal(cli_set_scope(&sc, 'n', ns2), 0);
	assert_int_equal(cli_scope_check(&sc), 0);
	assert_true(cli_scope_has_namespace(&sc, "kube-system"));
	assert_true(cli_scope_has_namespace(&sc, "shop"));
	assert_false(cli_scope_has_namespace(&sc, "other"));
}

/* A workload's namespace must be one -n names. */
static void test_workload_outside_namespaces(void **state)
{
	struct cli_scope sc = { 0 };
	char ns[] = "shop", wl[] = "web/Deployment/api";

	(void)state;
	assert_int_equal(cli_set_scope(&sc, 'n', ns), 0);
	assert_int_equal(cli_set_scope(&sc, 'w', wl), 0);
	assert_int_equal(cli_scope_check(&sc), -1);
	assert_string_equal(errmsg_get(), "--workload web/Deployment/api is "
					  "not in the namespaces -n names");
}

static void check_workload(const char *text, const char *ns,
			   const char *kind, const char *name)
{
	struct scope_workload w;
	char buf[128];

	snprintf(buf, sizeof(buf), "%s", text);
	assert_int_equal(scope_parse_workload(buf, &w), 0);
	if (ns == NULL)
		assert_null(w.ns);
	else
		assert_string_equal(w.ns, ns);
	if (kind == NULL)
		assert_null(w.kind);
	else
		assert_string_equal(w.kind, kind);
	assert_string_equal(w.name, name);
}

/* [NS/][KIND/]NAME, with kubectl's names of the kinds. */
static void test_workload_syntax(void **state)
{
	static const char *const bad[] = { "/", "a/", "/a", "a//b",
					   "a/b/c/d" };
	struct scope_workload w;
	char buf[32];

	(void)state;
	check_workload("web", NULL, NULL, "web");
	check_workload("shop/web", "shop", NULL, "web");
	check_workload("Deployment/web", NULL, "Deployment", "web");
	check_workload("deploy/web", NULL, "Deployment", "web");
	check_workload("sts/db", NULL, "StatefulSet", "db");
	check_workload("shop/Deployment/web", "shop", "Deployment", "web");
	check_workload("shop/deployments/web", "shop", "Deployment", "web");
	check_workload("shop/Rollout/web", "shop", "Rollout", "web");
	check_workload("Rollout/web", NULL, "Rollout", "web");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(buf, sizeof(buf), "%s", bad[i]);
		assert_int_equal(scope_parse_workload(buf, &w), -1);
		assert_non_null(strstr(errmsg_get(), bad[i]));
	}
	/* The empty one: its message names no text, but says what it is. */
	buf[0] = '\0';
	assert_int_equal(scope_parse_workload(buf, &w), -1);
	assert_string_equal(errmsg_get(), "'' is not a workload: "
					  "[NAMESPACE/][KIND/]NAME, as shop/web "
					  "or shop/Deployment/web");
	check_workload("shop/web", "shop", NULL, "web");
	assert_true(scope_workload_is(&(struct scope_workload){ "shop", "deployment", "web" },
				      "shop", "Deployment", "web"));
	assert_false(scope_workload_is(&(struct scope_workload){ "shop", NULL, "web" },
				       "other", "Deployment", "web"));
}

/*
 * A flow is covered when an end is a workload of a namespace covered
 * (or the workload given); without -n or --workload, also one with no
 * workload at either end.
 */
static void test_scope_has_flow(void **state)
{
	const struct store_flow_end shop = { .namespace = "shop",
					     .kind = "Deployment",
					     .name = "web" };
	const struct store_flow_end dns = { .namespace = "kube-system",
					    .kind = "Deployment",
					    .name = "coredns" };
	const struct store_flow_end node = { .node = "node-1" };
	const struct store_flow_end outside = { 0 };
	struct cli_scope sc = { 0 };
	char ns[] = "shop", wl[] = "kube-system/coredns";

	(void)state;
	assert_true(cli_scope_has_flow(&sc, &shop, &dns));
	assert_false(cli_scope_has_flow(&sc, &dns, &dns));
	assert_false(cli_scope_has_flow(&sc, &dns, &outside));
	assert_true(cli_scope_has_flow(&sc, &node, &outside));
	assert_int_equal(cli_set_scope(&sc, 'n', ns), 0);
	assert_true(cli_scope_has_flow(&sc, &dns, &shop));
	assert_false(cli_scope_has_flow(&sc, &node, &outside));
	sc = (struct cli_scope){ 0 };
	assert_int_equal(cli_set_scope(&sc, 'A', NULL), 0);
	assert_true(cli_scope_has_flow(&sc, &dns, &outside));
	assert_true(cli_scope_has_flow(&sc, &node, &outside));
	sc = (struct cli_scope){ 0 };
	assert_int_equal(cli_set_scope(&sc, 'w', wl), 0);
	assert_true(cli_scope_has_flow(&sc, &shop, &dns));
	assert_false(cli_scope_has_flow(&sc, &shop, &outside));
	assert_false(cli_scope_has_flow(&sc, &node, &outside));
}

/* -o takes the formats a command has, and names them when it is wrong. */
static void test_output_formats(void **state)
{
	enum cli_format f = CLI_TABLE;

	(void)state;
	assert_int_equal(cli_parse_format("json", CLI_FORMAT_BIT(CLI_YAML) |
							  CLI_FORMAT_BIT(CLI_JSON),
					  &f),
			 0);
	assert_int_equal(f, CLI_JSON);
	assert_int_equal(cli_parse_format("name", CLI_FORMAT_BIT(CLI_YAML) |
							  CLI_FORMAT_BIT(CLI_JSON),
					  &f),
			 -1);
	assert_string_equal(errmsg_get(), "-o: 'name' is not an output format; "
					  "this command's: yaml, json");
	assert_int_equal(cli_parse_format("table", ~0u, &f), -1);
}

/* cli_run_store()'s run: records the store, returns *ctx. */
static struct store *ran_on;

static int fake_run(struct store *s, void *ctx)
{
	ran_on = s;
	if (*(int *)ctx != 0)
		errmsg_set("failed as asked");
	return *(int *)ctx;
}

static void test_run_store(void **state)
{
	struct testdb *t = *state;
	struct store *s = NULL;
	int want;

	want = 0;
	ran_on = NULL;
	assert_int_equal(cli_run_store(t->path, fake_run, &want), EXIT_RUNTIME);
	assert_null(ran_on); /* nothing to open read-only */
	assert_int_equal(store_open(t->path, 0, &s), 0);
	store_close(s);
	assert_int_equal(cli_run_store(t->path, fake_run, &want), 0);
	assert_non_null(ran_on);
	want = 1;
	assert_int_equal(cli_run_store(t->path, fake_run, &want), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_options_in_order_then_arguments),
		cmocka_unit_test(test_parses_afresh_each_call),
		cmocka_unit_test(test_help_answered_on_stdout),
		cmocka_unit_test(test_unknown_option_refused_with_usage),
		cmocka_unit_test(test_stray_argument),
		cmocka_unit_test(test_refused_argument_answered_with_usage),
		cmocka_unit_test(test_no_args_answered_with_usage),
		cmocka_unit_test(test_time_option),
		cmocka_unit_test(test_failing_option_stops_the_parse),
		cmocka_unit_test(test_scope_options_shared),
		cmocka_unit_test(test_namespaces_default_all_but_system),
		cmocka_unit_test(test_workload_outside_namespaces),
		cmocka_unit_test(test_workload_syntax),
		cmocka_unit_test(test_scope_has_flow),
		cmocka_unit_test(test_output_formats),
		cmocka_unit_test_setup_teardown(test_run_store, testdb_setup_closed,
						testdb_teardown),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
