/*
 * Unit tests for polset and verdict: NetworkPolicy manifests read and
 * validated as the API server would, and decided by the documented
 * semantics, rule by rule, with the examples of the Kubernetes
 * documentation and the cases that are easy to get wrong.
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
#include "podflow/polset.h"
#include "podflow/verdict.h"
#include "support/testkit.h"

static struct arena mem = ARENA_INIT;

/* Reads policies from YAML text; returns polset_read_path()'s result. */
static int load(struct polset *ps, const char *yaml)
{
	char path[] = "/tmp/podflow-verdict-XXXXXX";
	int fd = mkstemp(path), rc;

	assert_true(fd >= 0);
	assert_int_equal(write(fd, yaml, strlen(yaml)), (ssize_t)strlen(yaml));
	close(fd);
	rc = polset_read_path(ps, path, "default");
	unlink(path);
	return rc;
}

static void load_ok(struct polset *ps, const char *yaml)
{
	if (load(ps, yaml) < 0)
		fail_msg("%s", errmsg_get());
}

/* The error for yaml, which must be refused, without its temp file name. */
static const char *refused(const char *yaml)
{
	struct polset ps = POLSET_INIT;
	const char *msg;

	assert_int_equal(load(&ps, yaml), -1);
	polset_free(&ps);
	msg = strstr(errmsg_get(), ": document ");
	assert_non_null(msg);
	return msg;
}

static const struct knode *json(const char *text)
{
	const struct knode *n;

	assert_int_equal(kyaml_parse_text(text, &mem, &n), 0);
	return n;
}

static struct verdict_end pod(const char *ns, const char *labels,
			      const char *ip)
{
	struct verdict_end e = { 0 };
	char nsl[128];

	snprintf(nsl, sizeof(nsl), "{\"team\": \"%s-team\"}", ns);
	e.namespace = ns;
	e.labels = json(labels);
	e.ns_labels = json(nsl);
	e.node = "node-a";
	assert_int_equal(addr_parse(ip, &e.ip), 0);
	return e;
}

static struct verdict_end outside(const char *ip)
{
	struct verdict_end e = { 0 };

	assert_int_equal(addr_parse(ip, &e.ip), 0);
	return e;
}

static struct verdict_end node(const char *name, const char *ip)
{
	struct verdict_end e = outside(ip);

	e.node = name;
	e.is_node = 1;
	return e;
}

static int allows(const struct polset *ps, const struct verdict_end *src,
		  const struct verdict_end *dst, int port, const char *proto)
{
	struct verdict v;

	verdict_eval(ps, src, dst, port, proto, &v);
	return v.allowed;
}

/* The head of a NetworkPolicy manifest: what every case writes first. */
#define HEAD(ns, name)                                                         \
	"apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n"              \
	"metadata: {name: " name ", namespace: " ns "}\n"

#define ALLOW 1
#define DENY 0

/* A connection to decide, and whether the policies must allow it. */
struct probe {
	const struct verdict_end *src, *dst;
	int port;
	const char *proto;
	int allowed; /* ALLOW or DENY */
};

/*
 * Decides each probe under ps; a wrong verdict fails the test at the
 * caller's line, naming the probe by its place in the array and its ends.
 */
#define assert_probes(ps, probes)                                              \
	assert_probes_at(__FILE__, __LINE__, ps, probes,                       \
			 sizeof(probes) / sizeof((probes)[0]))

static void assert_probes_at(const char *file, int line,
			     const struct polset *ps,
			     const struct probe *probes, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct probe *p = &probes[i];
		char src[ADDR_STRLEN], dst[ADDR_STRLEN];
		int got = allows(ps, p->src, p->dst, p->port, p->proto);

		if (!got == !p->allowed)
			continue;
		print_error("ERROR: probe %zu: %s -> %s %d/%s %s, want %s\n",
			    i + 1, addr_format(&p->src->ip, src),
			    addr_format(&p->dst->ip, dst), p->port, p->proto,
			    got ? "allowed" : "denied",
			    p->allowed ? "allowed" : "denied");
		_fail(file, line);
	}
}

/* What most cases need: the policies read, and two pods of shop. */
struct fixture {
	struct polset ps;
	struct verdict_end a; /* app: a, 10.0.0.1 */
	struct verdict_end b; /* app: b, 10.0.0.2 */
};

static int setup(void **state)
{
	struct fixture *f = malloc(sizeof(*f));

	if (f == NULL)
		return -1;
	f->ps = (struct polset)POLSET_INIT;
	f->a = pod("shop", "{\"app\": \"a\"}", "10.0.0.1");
	f->b = pod("shop", "{\"app\": \"b\"}", "10.0.0.2");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	polset_free(&f->ps);
	free(f);
	return 0;
}

/* f->ps holds the policies of yaml, and no others. */
static void reload(struct fixture *f, const char *yaml)
{
	polset_free(&f->ps);
	load_ok(&f->ps, yaml);
}

static void test_not_isolated_without_policy(void **state)
{
	struct fixture *f = *state;
	struct verdict v;

	/* A policy in another namespace isolates nothing here. */
	reload(f, HEAD("other", "deny") "spec: {podSelector: {}, policyTypes: [Ingress, Egress]}\n");
	verdict_eval(&f->ps, &f->a, &f->b, 80, "TCP", &v);
	assert_true(v.allowed);
	assert_int_equal(v.egress.reason, VERDICT_NOT_ISOLATED);
	assert_int_equal(v.ingress.reason, VERDICT_NOT_ISOLATED);
}

/* Documentation: "Default deny all ingress traffic". */
static void test_default_deny_ingress(void **state)
{
	struct fixture *f = *state;
	struct verdict v;

	reload(f, HEAD("shop", "default-deny-ingress")
		"spec:\n  podSelector: {}\n  policyTypes:\n  - Ingress\n");
	verdict_eval(&f->ps, &f->a, &f->b, 80, "TCP", &v);
	assert_false(v.allowed);
	assert_true(v.egress.allowed); /* egress is not isolated */
	assert_int_equal(v.ingress.reason, VERDICT_NO_RULE);
	assert_int_equal(v.ingress.n_isolating, 1);
	assert_string_equal(v.ingress.isolating[0]->name, "default-deny-ingress");
}

/* policyTypes absent: Ingress, and Egress only if egress rules exist. */
static void test_default_policy_types(void **state)
{
	struct fixture *f = *state;
	struct verdict_end x = outside("203.0.113.7");
	const struct probe empty[] = {
		{ &f->a, &x, 443, "TCP", ALLOW }, /* egress: [] isolates nothing */
		{ &x, &f->a, 443, "TCP", DENY },
	};
	const struct probe some[] = {
		{ &f->a, &x, 443, "TCP", DENY },
		{ &f->a, &x, 53, "UDP", ALLOW },
	};

	reload(f, HEAD("shop", "empty-egress") "spec:\n  podSelector: {}\n  egress: []\n");
	assert_int_equal(f->ps.policies[0].ingress, 1);
	assert_int_equal(f->ps.policies[0].egress, 0);
	assert_probes(&f->ps, empty);
	reload(f, HEAD("shop", "some-egress")
		"spec:\n  podSelector: {}\n  egress:\n  - ports: [{port: 53, protocol: UDP}]\n");
	assert_int_equal(f->ps.policies[0].egress, 1);
	assert_probes(&f->ps, some);
}

/* ingress: [] allows nothing; ingress: [{}] allows everything. */
static void test_empty_rules_vs_empty_rule(void **state)
{
	struct fixture *f = *state;
	struct verdict_end x = outside("203.0.113.7");
	const struct probe all[] = {
		{ &f->a, &f->b, 80, "TCP", ALLOW },
		{ &x, &f->b, 9999, "UDP", ALLOW },
	};

	reload(f, HEAD("shop", "none") "spec:\n  podSelector: {matchLabels: {app: b}}\n"
		  "  policyTypes: [Ingress]\n  ingress: []\n");
	assert_false(allows(&f->ps, &f->a, &f->b, 80, "TCP"));
	reload(f, HEAD("shop", "all") "spec:\n  podSelector: {matchLabels: {app: b}}\n"
		  "  policyTypes: [Ingress]\n  ingress:\n  - {}\n");
	assert_probes(&f->ps, all);
}

/* A podSelector peer: the policy's namespace only; {} is all pods there. */
static void test_pod_selector_peer(void **state)
{
	struct fixture *f = *state;
	struct verdict_end other = pod("billing", "{\"app\": \"a\"}", "10.0.1.1");
	struct verdict_end x = outside("10.0.0.99");
	const struct probe probes[] = {
		{ &f->a, &f->b, 80, "TCP", ALLOW },
		{ &other, &f->b, 80, "TCP", DENY },
		{ &x, &f->b, 80, "TCP", DENY }, /* not a pod */
	};

	reload(f, HEAD("shop", "same-ns") "spec:\n  podSelector: {matchLabels: {app: b}}\n"
		  "  ingress:\n  - from:\n    - podSelector: {}\n");
	assert_probes(&f->ps, probes);
}

/*
 * namespaceSelector and podSelector in one peer: both must match; as two
 * peers: either does.  (The documentation's "and" versus "or".)
 */
static void test_ns_and_pod_selector_one_peer_vs_two(void **state)
{
	struct fixture *f = *state;
	struct verdict_end dst = pod("shop", "{\"app\": \"db\"}", "10.0.0.2");
	struct verdict_end web = pod("billing", "{\"app\": \"web\"}", "10.0.1.1");
	struct verdict_end job = pod("billing", "{\"app\": \"job\"}", "10.0.1.2");
	struct verdict_end local_web = pod("shop", "{\"app\": \"web\"}", "10.0.0.3");
	const struct probe one_peer[] = {
		{ &web, &dst, 5432, "TCP", ALLOW },
		{ &job, &dst, 5432, "TCP", DENY },
		{ &local_web, &dst, 5432, "TCP", DENY },
	};
	const struct probe two_peers[] = {
		{ &web, &dst, 5432, "TCP", ALLOW },
		{ &job, &dst, 5432, "TCP", ALLOW },
		{ &local_web, &dst, 5432, "TCP", ALLOW },
	};

	reload(f, HEAD("shop", "and") "spec:\n  podSelector: {matchLabels: {app: db}}\n"
		  "  ingress:\n  - from:\n    - namespaceSelector: {matchLabels: {team: billing-team}}\n"
		  "      podSelector: {matchLabels: {app: web}}\n");
	assert_probes(&f->ps, one_peer);
	reload(f, HEAD("shop", "or") "spec:\n  podSelector: {matchLabels: {app: db}}\n"
		  "  ingress:\n  - from:\n    - namespaceSelector: {matchLabels: {team: billing-team}}\n"
		  "    - podSelector: {matchLabels: {app: web}}\n");
	assert_probes(&f->ps, two_peers);
}

/* kubernetes.io/metadata.name matches even when the inventory lacks it. */
static void test_namespace_name_label(void **state)
{
	struct fixture *f = *state;
	struct verdict_end dst = pod("shop", "{\"app\": \"db\"}", "10.0.0.2");
	struct verdict_end web = pod("billing", "{\"app\": \"web\"}", "10.0.1.1");
	struct verdict_end job = pod("ops", "{\"app\": \"web\"}", "10.0.2.1");
	struct verdict_end x = outside("10.0.0.9");
	const struct probe by_name[] = {
		{ &web, &dst, 80, "TCP", ALLOW },
		{ &job, &dst, 80, "TCP", DENY },
	};
	const struct probe any[] = {
		{ &job, &dst, 80, "TCP", ALLOW },
		{ &x, &dst, 80, "TCP", DENY },
	};

	reload(f, HEAD("shop", "by-name") "spec:\n  podSelector: {}\n"
		  "  ingress:\n  - from:\n    - namespaceSelector:\n"
		  "        matchLabels: {kubernetes.io/metadata.name: billing}\n");
	assert_probes(&f->ps, by_name);
	/* namespaceSelector: {} is every namespace, pods only. */
	reload(f, HEAD("shop", "any-ns") "spec:\n  podSelector: {}\n"
		  "  ingress:\n  - from:\n    - namespaceSelector: {}\n");
	assert_probes(&f->ps, any);
}

static void test_match_expressions(void **state)
{
	struct fixture *f = *state;
	struct verdict_end dst = pod("shop", "{\"app\": \"db\"}", "10.0.0.2");
	struct verdict_end prod = pod("shop", "{\"env\": \"prod\", \"tier\": \"fe\"}", "10.0.0.3");
	struct verdict_end dev = pod("shop", "{\"env\": \"dev\", \"tier\": \"fe\"}", "10.0.0.4");
	struct verdict_end bare = pod("shop", "{}", "10.0.0.5");
	struct verdict_end canary = pod("shop", "{\"env\": \"prod\", \"tier\": \"fe\", \"canary\": \"1\"}", "10.0.0.6");
	const struct probe probes[] = {
		{ &prod, &dst, 80, "TCP", ALLOW },
		{ &dev, &dst, 80, "TCP", DENY },
		{ &canary, &dst, 80, "TCP", DENY },
		{ &bare, &dst, 80, "TCP", DENY },
		/* NotIn matches a pod without the label at all. */
		{ &bare, &dst, 9999, "TCP", ALLOW },
		{ &dev, &dst, 9999, "TCP", DENY },
	};

	reload(f, HEAD("shop", "exprs") "spec:\n  podSelector: {matchLabels: {app: db}}\n"
		  "  ingress:\n  - from:\n    - podSelector:\n        matchExpressions:\n"
		  "        - {key: env, operator: In, values: [prod, staging]}\n"
		  "        - {key: tier, operator: Exists}\n"
		  "        - {key: canary, operator: DoesNotExist}\n"
		  "  - from:\n    - podSelector:\n        matchExpressions:\n"
		  "        - {key: env, operator: NotIn, values: [prod, dev]}\n"
		  "    ports: [{port: 9999}]\n");
	assert_probes(&f->ps, probes);
}

static void test_ip_block_except(void **state)
{
	struct fixture *f = *state;
	struct verdict_end in = outside("172.17.0.5");
	struct verdict_end ex = outside("172.17.1.5");
	struct verdict_end out6 = outside("2001:db8::1");
	struct verdict_end in6 = outside("2001:db8:1::1");
	const struct probe probes[] = {
		{ &f->a, &in, 443, "TCP", ALLOW },
		{ &f->a, &ex, 443, "TCP", DENY },
		{ &f->a, &in6, 443, "TCP", ALLOW },
		{ &f->a, &out6, 443, "TCP", DENY },
	};

	reload(f, HEAD("shop", "block") "spec:\n  podSelector: {}\n  policyTypes: [Egress]\n"
		  "  egress:\n  - to:\n    - ipBlock: {cidr: 172.17.0.0/16, except: [172.17.1.0/24]}\n"
		  "    - ipBlock: {cidr: '2001:db8:1::/48'}\n");
	assert_probes(&f->ps, probes);
}

static void test_ports_protocol_and_ranges(void **state)
{
	struct fixture *f = *state;
	struct verdict_end x = outside("10.0.5.5");
	const struct probe probes[] = {
		{ &f->a, &x, 32000, "TCP", ALLOW },
		{ &f->a, &x, 32768, "TCP", ALLOW },
		{ &f->a, &x, 32769, "TCP", DENY },
		{ &f->a, &x, 31999, "TCP", DENY },
		/* No protocol means TCP: 53 is TCP only, but every UDP port is allowed. */
		{ &f->a, &x, 53, "TCP", ALLOW },
		{ &f->a, &x, 53, "UDP", ALLOW },
		{ &f->a, &x, 12345, "UDP", ALLOW },
		{ &f->a, &x, 53, "SCTP", DENY },
	};

	/* Documentation: "Targeting a range of ports" (32000-32768). */
	reload(f, HEAD("shop", "ports") "spec:\n  podSelector: {}\n  policyTypes: [Egress]\n"
		  "  egress:\n  - to:\n    - ipBlock: {cidr: 10.0.0.0/16}\n    ports:\n"
		  "    - {protocol: TCP, port: 32000, endPort: 32768}\n"
		  "    - port: 53\n    - {protocol: UDP}\n");
	assert_probes(&f->ps, probes);
}

static void test_named_ports(void **state)
{
	static const struct verdict_named_port ports[] = {
		{ "http", "TCP", 8080 },
		{ "metrics", "TCP", 9090 },
	};
	struct fixture *f = *state;
	struct verdict_end client = pod("shop", "{\"app\": \"client\"}", "10.0.0.1");
	struct verdict_end web = pod("shop", "{\"app\": \"web\"}", "10.0.0.2");
	struct verdict_end x = outside("10.9.9.9");
	const struct probe probes[] = {
		/* Resolved on the server pod, for ingress and egress alike. */
		{ &client, &web, 8080, "TCP", ALLOW },
		{ &client, &web, 9090, "TCP", DENY },
		{ &client, &web, 8080, "UDP", DENY },
		/* The client has no port named http: nothing to resolve against. */
		{ &web, &client, 8080, "TCP", DENY },
		/* An address outside the cluster has no named ports. */
		{ &client, &x, 8080, "TCP", DENY },
	};

	web.ports = ports;
	web.n_ports = 2;
	reload(f, HEAD("shop", "named") "spec:\n  podSelector: {}\n  policyTypes: [Ingress, Egress]\n"
		  "  ingress:\n  - ports: [{port: http}]\n"
		  "  egress:\n  - ports: [{port: http}]\n");
	assert_probes(&f->ps, probes);
}

/* Allowed traffic is the union of every policy that selects the pod. */
static void test_union_of_policies(void **state)
{
	struct fixture *f = *state;
	struct verdict_end a = pod("shop", "{\"app\": \"a\", \"tier\": \"fe\"}", "10.0.0.1");
	struct verdict_end x = outside("198.51.100.1");
	const struct probe probes[] = {
		{ &a, &x, 443, "TCP", ALLOW },
		{ &a, &x, 80, "TCP", ALLOW },
	};
	struct verdict v;

	reload(f, HEAD("shop", "one") "spec:\n  podSelector: {matchLabels: {app: a}}\n"
		  "  policyTypes: [Egress]\n  egress:\n  - ports: [{port: 443}]\n"
		  "---\n" HEAD("shop", "two") "spec:\n  podSelector: {matchLabels: {tier: fe}}\n"
		  "  policyTypes: [Egress]\n  egress:\n  - ports: [{port: 80}]\n");
	assert_probes(&f->ps, probes);
	verdict_eval(&f->ps, &a, &x, 22, "TCP", &v);
	assert_false(v.allowed);
	assert_int_equal(v.egress.n_isolating, 2);
	verdict_eval(&f->ps, &a, &x, 80, "TCP", &v);
	assert_int_equal(v.egress.reason, VERDICT_RULE);
	assert_string_equal(v.egress.policy->name, "two");
	assert_int_equal(v.egress.rule, 0);
}

/* A connection needs egress at its client and ingress at its server. */
static void test_both_sides_needed(void **state)
{
	struct fixture *f = *state;
	struct verdict v;

	reload(f, HEAD("shop", "a-out") "spec:\n  podSelector: {matchLabels: {app: a}}\n"
		  "  policyTypes: [Egress]\n  egress:\n  - to: [{podSelector: {matchLabels: {app: b}}}]\n"
		  "---\n" HEAD("shop", "b-in") "spec:\n  podSelector: {matchLabels: {app: b}}\n"
		  "  policyTypes: [Ingress]\n");
	verdict_eval(&f->ps, &f->a, &f->b, 80, "TCP", &v);
	assert_false(v.allowed);
	assert_true(v.egress.allowed);
	assert_false(v.ingress.allowed);
	verdict_eval(&f->ps, &f->b, &f->a, 80, "TCP", &v);
	assert_true(v.allowed); /* b's egress, a's ingress: neither isolated */
}

/* The pod's own node is always allowed; another node is not. */
static void test_own_node(void **state)
{
	struct fixture *f = *state;
	struct verdict_end own = node("node-a", "192.168.0.10");
	struct verdict_end other = node("node-b", "192.168.0.11");
	const struct probe probes[] = {
		{ &f->a, &own, 10250, "TCP", ALLOW },
		{ &other, &f->a, 8080, "TCP", DENY },
		{ &f->a, &other, 10250, "TCP", DENY },
	};
	struct verdict v;

	reload(f, HEAD("shop", "deny-all") "spec:\n  podSelector: {}\n"
		  "  policyTypes: [Ingress, Egress]\n");
	verdict_eval(&f->ps, &own, &f->a, 8080, "TCP", &v);
	assert_true(v.allowed);
	assert_int_equal(v.ingress.reason, VERDICT_OWN_NODE);
	assert_int_equal(v.ingress.n_isolating, 1);
	assert_probes(&f->ps, probes);
}

/*
 * "A pod cannot block access to itself": isolated both ways by a deny-all,
 * a pod still reaches its own address; another pod of the same labels
 * does not.
 */
static void test_self(void **state)
{
	struct fixture *f = *state;
	struct verdict_end twin = f->a;
	struct verdict v;

	reload(f, HEAD("shop", "deny-all") "spec:\n  podSelector: {}\n"
		  "  policyTypes: [Ingress, Egress]\n");
	verdict_eval(&f->ps, &f->a, &f->a, 8080, "TCP", &v);
	assert_true(v.allowed);
	assert_int_equal(v.egress.reason, VERDICT_SELF);
	assert_int_equal(v.ingress.reason, VERDICT_SELF);
	assert_int_equal(addr_parse("10.244.9.9", &twin.ip), 0);
	verdict_eval(&f->ps, &f->a, &twin, 8080, "TCP", &v);
	assert_false(v.allowed);
}

/* The documentation's first example, "test-network-policy". */
static void test_documentation_example(void **state)
{
	struct fixture *f = *state;
	struct verdict_end db = pod("default", "{\"role\": \"db\"}", "10.1.0.2");
	struct verdict_end fe = pod("default", "{\"role\": \"frontend\"}", "10.1.0.3");
	struct verdict_end proj = pod("myproject", "{\"app\": \"x\"}", "10.1.1.3");
	struct verdict_end other = pod("default", "{\"role\": \"other\"}", "10.1.0.4");
	struct verdict_end ext = outside("172.17.0.9");
	struct verdict_end ext_ex = outside("172.17.1.9");
	struct verdict_end svc = outside("10.0.0.7");
	const struct probe probes[] = {
		{ &fe, &db, 6379, "TCP", ALLOW },
		{ &proj, &db, 6379, "TCP", ALLOW },
		{ &ext, &db, 6379, "TCP", ALLOW },
		{ &ext_ex, &db, 6379, "TCP", DENY },
		{ &other, &db, 6379, "TCP", DENY },
		{ &fe, &db, 6380, "TCP", DENY },
		{ &db, &svc, 5978, "TCP", ALLOW },
		{ &db, &svc, 5979, "TCP", DENY },
		{ &db, &fe, 6379, "TCP", DENY },
	};

	proj.ns_labels = json("{\"project\": \"myproject\"}");
	reload(f, "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n"
		  "metadata:\n  name: test-network-policy\n  namespace: default\n"
		  "spec:\n  podSelector:\n    matchLabels:\n      role: db\n"
		  "  policyTypes:\n  - Ingress\n  - Egress\n"
		  "  ingress:\n  - from:\n    - ipBlock:\n        cidr: 172.17.0.0/16\n"
		  "        except:\n        - 172.17.1.0/24\n"
		  "    - namespaceSelector:\n        matchLabels:\n          project: myproject\n"
		  "    - podSelector:\n        matchLabels:\n          role: frontend\n"
		  "    ports:\n    - protocol: TCP\n      port: 6379\n"
		  "  egress:\n  - to:\n    - ipBlock:\n        cidr: 10.0.0.0/24\n"
		  "    ports:\n    - protocol: TCP\n      port: 5978\n");
	assert_probes(&f->ps, probes);
}

/* A List (kubectl get -o yaml) and a namespace-less manifest. */
static void test_list_and_default_namespace(void **state)
{
	struct fixture *f = *state;

	reload(f, "apiVersion: v1\nkind: List\nitems:\n"
		  "- apiVersion: networking.k8s.io/v1\n  kind: NetworkPolicy\n"
		  "  metadata: {name: a, namespace: shop}\n  spec: {podSelector: {}}\n"
		  "- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: c}\n"
		  "- apiVersion: networking.k8s.io/v1\n  kind: NetworkPolicy\n"
		  "  metadata: {name: b}\n  spec: {podSelector: {}}\n");
	assert_int_equal(f->ps.n, 2);
	assert_int_equal(f->ps.skipped, 1);
	assert_string_equal(f->ps.policies[0].namespace, "shop");
	assert_string_equal(f->ps.policies[1].namespace, "default");
}

#define SPEC_INGRESS HEAD("a", "p") "spec:\n  podSelector: {}\n  ingress:\n"

static void test_refuses_invalid(void **state)
{
	/* A manifest the API server refuses, and what its message says. */
	static const char *const cases[][2] = {
		{ SPEC_INGRESS "  - ports: [{endPort: 90}]\n",
		  "endPort may only be set with a numeric port" },
		{ SPEC_INGRESS "  - ports: [{port: 90, endPort: 80}]\n",
		  "greater than or equal" },
		{ SPEC_INGRESS "  - ports: [{port: http, endPort: 90}]\n",
		  "numeric port" },
		{ SPEC_INGRESS "  - ports: [{port: Not_A_Name}]\n",
		  "valid port name" },
		/* A quoted number is a port name, and not a valid one. */
		{ SPEC_INGRESS "  - ports: [{port: '80'}]\n", "valid port name" },
		{ SPEC_INGRESS "  - ports: [{port: 0}]\n", "between 1 and 65535" },
		{ SPEC_INGRESS "  - ports: [{protocol: ICMP}]\n",
		  "must be TCP, UDP or SCTP" },
		{ SPEC_INGRESS "  - from: [{}]\n", "a peer must specify" },
		{ SPEC_INGRESS "  - from: [{ipBlock: {cidr: 10.0.0.0/8}, podSelector: {}}]\n",
		  "may not be combined" },
		{ SPEC_INGRESS "  - from: [{ipBlock: {cidr: 10.0.0.0/8, except: [11.0.0.0/16]}}]\n",
		  "strict subset" },
		{ SPEC_INGRESS "  - from: [{ipBlock: {cidr: 10.0.0.0/8, except: [10.0.0.0/8]}}]\n",
		  "strict subset" },
		{ SPEC_INGRESS "  - from: [{ipBlock: {cidr: 10.0.0.1}}]\n",
		  "not a valid CIDR" },
		{ HEAD("a", "p") "spec:\n  podSelector: {}\n"
				 "  policyTypes: [Ingress, Outbound]\n",
		  "not Ingress or Egress" },
		{ SPEC_INGRESS "  - form: [{podSelector: {}}]\n",
		  "unknown field 'form'" },
		{ HEAD("a", "p") "spec:\n  podSelector: {matchLabel: {app: a}}\n",
		  "unknown field 'matchLabel'" },
		{ HEAD("a", "p") "spec:\n  podSelector: {matchLabels: [app]}\n",
		  "matchLabels must be a map" },
		{ HEAD("a", "p") "spec:\n  podSelector:\n"
				 "    matchExpressions: [{key: a, operator: Exists, values: {x: y}}]\n",
		  "values must be a list" },
		{ HEAD("a", "p") "spec:\n  podSelector: {matchLabels: {app: 'no spaces'}}\n",
		  "invalid label value" },
		{ HEAD("a", "p") "spec:\n  podSelector:\n"
				 "    matchExpressions: [{key: app, operator: In}]\n",
		  "In and NotIn need values" },
		{ HEAD("a", "p") "spec:\n  podSelector:\n"
				 "    matchExpressions: [{key: app, operator: Like, values: [x]}]\n",
		  "document 1: NetworkPolicy a/p: matchExpressions: operator" },
		{ HEAD("a", "Bad_Name") "spec: {podSelector: {}}\n",
		  "DNS-1123 subdomain" },
		{ "apiVersion: networking.k8s.io/v1beta1\nkind: NetworkPolicy\n"
		  "metadata: {name: p}\nspec: {podSelector: {}}\n",
		  "must be networking.k8s.io/v1" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *msg = refused(cases[i][0]);

		if (strstr(msg, cases[i][1]) == NULL)
			fail_msg("case %zu: message '%s' lacks '%s'", i + 1,
				 msg, cases[i][1]);
	}
}

/* Messages name the document and the line of what is wrong. */
static void test_error_names_document_and_line(void **state)
{
	const char *msg;

	(void)state;
	msg = refused(HEAD("a", "ok") "spec: {podSelector: {}}\n---\n"
		      HEAD("a", "bad") "spec:\n  podSelector: {}\n  egress:\n"
		      "  - ports:\n    - port: 70000\n");
	testkit_assert_errmsg(":13:");
	assert_non_null(strstr(msg, "document 2: NetworkPolicy a/bad: port 70000"));
}

/* No spec.podSelector (or no spec): the empty selector, for ingress. */
static void test_absent_pod_selector_selects_all(void **state)
{
	struct fixture *f = *state;
	struct verdict_end x = outside("203.0.113.7");
	const struct probe probes[] = {
		{ &x, &f->a, 80, "TCP", DENY },
		{ &f->a, &x, 80, "TCP", ALLOW },
	};

	reload(f, HEAD("shop", "no-selector") "spec:\n  policyTypes: [Ingress]\n"
		  "---\n" HEAD("shop", "no-spec") "\n");
	assert_int_equal(f->ps.n, 2);
	assert_probes(&f->ps, probes);
}

/* A policy named again replaces the earlier one, as kubectl apply does. */
static void test_same_name_replaces(void **state)
{
	struct fixture *f = *state;
	struct verdict_end x = outside("203.0.113.7");

	reload(f, HEAD("shop", "web") "spec:\n  podSelector: {}\n  ingress: [{}]\n"
		  "---\n" HEAD("shop", "web") "spec:\n  podSelector: {}\n  policyTypes: [Ingress]\n");
	assert_int_equal(f->ps.n, 1);
	assert_int_equal(f->ps.replaced, 1);
	assert_false(allows(&f->ps, &x, &f->a, 80, "TCP"));
}

/* A long file name does not overflow the error message. */
static void test_long_source_name(void **state)
{
	struct fixture *f = *state;
	char name[600];
	const char *yaml = HEAD("a", "p") "spec:\n  podSelector:\n"
		"    matchExpressions: [{key: app, operator: Foo}]\n";
	FILE *fp = fmemopen((void *)yaml, strlen(yaml), "r");
	struct kyaml *y;
	const struct knode *obj;

	memset(name, 'x', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	assert_non_null(fp);
	assert_int_equal(kyaml_open(fp, name, 0, &y), 0);
	assert_int_equal(kyaml_next(y, &obj), 1);
	assert_int_equal(polset_add_object(&f->ps, obj, name, 1, "default"), -1);
	testkit_assert_errmsg("xxx");
	kyaml_close(y);
	fclose(fp);
}

/*
 * A policy needs nothing of the document it came from: its selectors
 * and ports are whole after the next document has been read and the
 * reader closed, which free the trees.
 */
static void test_policy_outlives_its_document(void **state)
{
	static const struct verdict_named_port dns[] = { { "dns", "UDP", 53 } };
	struct fixture *f = *state;
	const char *yaml = HEAD("shop", "web") "spec:\n"
		"  podSelector: {matchLabels: {app: a}}\n"
		"  ingress:\n  - from:\n    - podSelector:\n"
		"        matchExpressions:\n"
		"        - {key: tier, operator: In, values: [fe, be]}\n"
		"      namespaceSelector: {matchLabels: {team: shop-team}}\n"
		"    ports: [{protocol: UDP, port: dns}, {port: 80, endPort: 90}]\n"
		"---\n" HEAD("shop", "next") "spec:\n"
		"  podSelector: {matchLabels: {app: other}}\n"
		"  ingress: [{ports: [{protocol: SCTP, port: metrics}]}]\n";
	FILE *fp = fmemopen((void *)yaml, strlen(yaml), "r");
	struct verdict_end fe = pod("shop", "{\"tier\": \"fe\"}", "10.0.0.3");
	const struct polset_policy *p;
	const struct polset_rule *r;
	const struct polset_peer *peer;
	const struct knode *obj;
	struct kyaml *y;

	assert_non_null(fp);
	assert_int_equal(kyaml_open(fp, "mem", 0, &y), 0);
	for (int i = 1; i <= 2; i++) {
		assert_int_equal(kyaml_next(y, &obj), 1);
		assert_int_equal(polset_add_object(&f->ps, obj, "mem", i,
						   "default"), 1);
	}
	assert_int_equal(kyaml_next(y, &obj), 0);
	kyaml_close(y);
	fclose(fp);

	p = &f->ps.policies[0];
	assert_int_equal(f->ps.n, 2);
	assert_string_equal(p->name, "web");
	assert_int_equal(p->pod_selector.n, 1);
	assert_string_equal(p->pod_selector.reqs[0].key, "app");
	assert_int_equal(p->pod_selector.reqs[0].n_values, 1);
	assert_string_equal(p->pod_selector.reqs[0].values[0], "a");
	assert_int_equal(p->n_ingress, 1);
	r = &p->ingress_rules[0];
	assert_int_equal(r->n_peers, 1);
	peer = &r->peers[0];
	assert_true(peer->has_pod_selector && peer->has_ns_selector);
	assert_int_equal(peer->pod_selector.n, 1);
	assert_string_equal(peer->pod_selector.reqs[0].key, "tier");
	assert_int_equal(peer->pod_selector.reqs[0].op, SEL_IN);
	assert_int_equal(peer->pod_selector.reqs[0].n_values, 2);
	assert_string_equal(peer->pod_selector.reqs[0].values[0], "fe");
	assert_string_equal(peer->pod_selector.reqs[0].values[1], "be");
	assert_int_equal(peer->ns_selector.n, 1);
	assert_string_equal(peer->ns_selector.reqs[0].key, "team");
	assert_string_equal(peer->ns_selector.reqs[0].values[0], "shop-team");
	assert_int_equal(r->n_ports, 2);
	assert_string_equal(r->ports[0].protocol, "UDP");
	assert_string_equal(r->ports[0].name, "dns");
	assert_string_equal(r->ports[1].protocol, "TCP");
	assert_null(r->ports[1].name);
	assert_int_equal(r->ports[1].port, 80);
	assert_int_equal(r->ports[1].end_port, 90);
	assert_string_equal(f->ps.policies[1].ingress_rules[0].ports[0].name,
			    "metrics");
	/* And they decide as read. */
	f->a.ports = dns;
	f->a.n_ports = 1;
	assert_true(allows(&f->ps, &fe, &f->a, 53, "UDP"));
	assert_true(allows(&f->ps, &fe, &f->a, 85, "TCP"));
	assert_false(allows(&f->ps, &fe, &f->a, 91, "TCP"));
	assert_false(allows(&f->ps, &f->b, &f->a, 53, "UDP"));
}

/* Host bits in a CIDR: accepted as applied policies may have them. */
static void test_cidr_host_bits_cleared(void **state)
{
	struct fixture *f = *state;
	struct verdict_end a = pod("shop", "{}", "10.0.0.1");
	struct verdict_end x = outside("192.0.2.200");
	const struct probe legacy[] = {
		{ &a, &x, 1, "TCP", ALLOW },
		{ &a, &x, 2, "TCP", ALLOW },
	};

	reload(f, HEAD("shop", "sloppy") "spec:\n  podSelector: {}\n  policyTypes: [Egress]\n"
		  "  egress:\n  - to: [{ipBlock: {cidr: 192.0.2.7/24}}]\n");
	assert_true(allows(&f->ps, &a, &x, 1, "TCP"));
	/* Legacy forms the API server accepts: leading zeros, IPv4-mapped. */
	reload(f, HEAD("shop", "legacy") "spec:\n  podSelector: {}\n  policyTypes: [Egress]\n"
		  "  egress:\n  - to: [{ipBlock: {cidr: 192.000.002.0/24}}]\n"
		  "    ports: [{port: 1}]\n"
		  "  - to: [{ipBlock: {cidr: '::ffff:192.0.2.0/120'}}]\n"
		  "    ports: [{port: 2}]\n");
	assert_probes(&f->ps, legacy);
}

/*
 * Policies of several namespaces, interleaved in the files: a pod is
 * decided by its own namespace's alone, the first of them (in the files'
 * order) named as isolating it, the same with the index by namespace as
 * by looking at every policy.
 */
static void test_namespaces_interleaved(void **state)
{
	struct fixture *f = *state;
	struct verdict_end bank = pod("bank", "{\"app\": \"a\"}", "10.0.1.1");
	struct verdict with, without;
	size_t n;

	reload(f, HEAD("bank", "z-deny") "spec: {podSelector: {}, policyTypes: [Egress]}\n"
		  "---\n" HEAD("shop", "y-first") "spec:\n"
		  "  podSelector: {matchLabels: {app: a}}\n"
		  "  policyTypes: [Egress]\n"
		  "---\n" HEAD("other", "x-allow") "spec:\n"
		  "  podSelector: {}\n  egress: [{}]\n"
		  "---\n" HEAD("shop", "a-second") "spec:\n"
		  "  podSelector: {}\n  policyTypes: [Egress]\n"
		  "  egress: [{ports: [{port: 80}]}]\n");
	assert_non_null(polset_in_namespace(&f->ps, "shop", &n));
	assert_int_equal(n, 2);
	assert_non_null(polset_in_namespace(&f->ps, "nowhere", &n));
	assert_int_equal(n, 0);
	for (int port = 80; port <= 81; port++) {
		verdict_eval(&f->ps, &f->a, &f->b, port, "TCP", &with);
		f->ps.n_by_ns = 0; /* no index: every policy looked at */
		assert_null(polset_in_namespace(&f->ps, "shop", &n));
		verdict_eval(&f->ps, &f->a, &f->b, port, "TCP", &without);
		f->ps.n_by_ns = f->ps.n;
		assert_int_equal(with.allowed, port == 80);
		assert_int_equal(with.allowed, without.allowed);
		assert_int_equal(with.egress.n_isolating, 2);
		assert_int_equal(without.egress.n_isolating, 2);
		assert_string_equal(with.egress.isolating[0]->name, "y-first");
		assert_ptr_equal(with.egress.isolating[0],
				 without.egress.isolating[0]);
	}
	/* bank's deny-all isolates bank alone. */
	assert_false(allows(&f->ps, &bank, &f->a, 80, "TCP"));
	assert_true(allows(&f->ps, &f->b, &bank, 80, "TCP"));
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	static const struct CMUnitTest tests[] = {
		T(test_not_isolated_without_policy),
		T(test_default_deny_ingress),
		T(test_default_policy_types),
		T(test_empty_rules_vs_empty_rule),
		T(test_pod_selector_peer),
		T(test_ns_and_pod_selector_one_peer_vs_two),
		T(test_namespace_name_label),
		T(test_match_expressions),
		T(test_ip_block_except),
		T(test_ports_protocol_and_ranges),
		T(test_named_ports),
		T(test_union_of_policies),
		T(test_both_sides_needed),
		T(test_self),
		T(test_own_node),
		T(test_documentation_example),
		T(test_list_and_default_namespace),
		cmocka_unit_test(test_refuses_invalid),
		cmocka_unit_test(test_error_names_document_and_line),
		T(test_cidr_host_bits_cleared),
		T(test_absent_pod_selector_selects_all),
		T(test_same_name_replaces),
		T(test_long_source_name),
		T(test_policy_outlives_its_document),
		T(test_namespaces_interleaved),
	};
#undef T
	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	arena_reset(&mem);
	return rc;
}
