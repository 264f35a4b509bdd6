/*
 * generate: observed flows to NetworkPolicies (generate.h), the entry
 * point and the assembly of each policy.
 *
 * A run reads the inventory (generate_inventory.c), then every flow of
 * the window into entries per workload and peer, and when each entry was
 * first recorded (generate_flows.c); each workload in scope then gets its
 * entries merged, screened against the review decisions and the existing
 * policies (generate_screen.c), grouped into one rule per peer
 * (generate_rules.c), and its metadata (generate_meta.c).  generate_int.h
 * holds what these files share.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "podflow/addr.h"
#include "podflow/errmsg.h"
#include "podflow/hash.h"
#include "podflow/kname.h"
#include "podflow/store_read.h"
#include "generate_int.h"

/* Longest label of a DNS subdomain, which a NetworkPolicy name is. */
#define LABEL_MAX_LEN 63
/*
 * Most diagnostics fit here; a longer one (a long list of workloads, a
 * long review reason) is formatted again into memory of its size.
 */
#define DIAG_BUF_LEN 1024

void generate_diagf(const struct generate_diag *d, enum generate_level level,
		    const char *fmt, ...)
{
	char buf[DIAG_BUF_LEN], *msg = buf;
	va_list ap;
	int len;

	if (d == NULL || d->fn == NULL)
		return;
	va_start(ap, fmt);
	len = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (len < 0)
		return;
	/* Out of memory: the message is told truncated rather than not. */
	if ((size_t)len >= sizeof(buf) &&
	    (msg = malloc((size_t)len + 1)) != NULL) {
		va_start(ap, fmt);
		vsnprintf(msg, (size_t)len + 1, fmt, ap);
		va_end(ap);
	}
	d->fn(d->arg, level, msg != NULL ? msg : buf);
	if (msg != buf)
		free(msg);
}

/*
 * Each dot-separated label of s is a DNS label's length at most.  The API
 * server does not ask it of a name, but names were always made so, and a
 * policy already applied must keep its name.
 */
static int labels_fit(const char *s)
{
	for (size_t n; *s != '\0'; s += n + (s[n] == '.')) {
		n = strcspn(s, ".");
		if (n > LABEL_MAX_LEN)
			return 0;
	}
	return 1;
}

const char *generate_policy_name(struct arena *a, const char *kind,
				 const char *name)
{
	size_t len = strlen("podflow--") + strlen(kind) + strlen(name) + 1;
	char *out = arena_alloc(a, len > LABEL_MAX_LEN + 1 ? len : LABEL_MAX_LEN + 1);
	uint64_t h;
	size_t keep;

	if (out == NULL)
		return NULL;
	snprintf(out, len, "podflow-%s-%s", kind, name);
	for (char *p = out; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	if (kname_is_dns_subdomain(out) && labels_fit(out))
		return out;
	/*
	 * Too long, or the prefix made its first label longer than a DNS
	 * label may be: keep a prefix as one label, and a hash of the whole
	 * so that two long names stay apart.
	 */
	h = hash_str(out);
	keep = strcspn(out, ".");
	if (keep > LABEL_MAX_LEN - 9)
		keep = LABEL_MAX_LEN - 9;
	out[keep] = '\0';
	while (keep > 0 && out[keep - 1] == '-')
		out[--keep] = '\0';
	snprintf(out + keep, 10, "-%08x", (unsigned int)(h ^ (h >> 32)));
	return out;
}

/* Whether the --dns and --allow-internet options add egress rules. */
static int adds_egress_rules(const struct generate_opts *o)
{
	return o->allow_internet || o->dns == GENERATE_DNS_KUBE_DNS ||
	       o->dns == GENERATE_DNS_ANY || o->n_dns_ips > 0;
}

/*
 * Where existing policies isolate w for a direction and nothing is
 * missing there, the direction is left to them.
 */
static void omit_covered(const struct generate_opts *o,
			 const struct workload *w, const int isolated[2],
			 struct netpol *p)
{
	for (int egress = 0; egress < 2; egress++) {
		int any = 0;

		for (size_t i = 0; i < w->n; i++)
			any |= w->e[i].egress == egress;
		/* The --dns and --allow-internet rules are not screened. */
		if (egress && adds_egress_rules(o))
			continue;
		if (isolated[egress] && !any &&
		    (egress ? o->egress : o->ingress) == NETPOL_OBSERVED)
			*(egress ? &p->egress_mode : &p->ingress_mode) =
				NETPOL_OMIT;
	}
}

static int build_policy(struct gen *g, struct workload *w, struct netpol *p)
{
	const struct generate_opts *o = g->o;
	struct arena *a = g->pool.a;
	const char *overlap;
	int isolated[2];

	memset(p, 0, sizeof(*p));
	generate_merge_entries(w);
	p->name = generate_policy_name(a, w->kind, w->name);
	p->namespace = w->ns;
	p->pod_selector = w->selector;
	p->ingress_mode = o->ingress;
	p->egress_mode = o->egress;
	if (p->name == NULL ||
	    generate_screen_entries(g, w, p->name, isolated) < 0)
		return -1;
	omit_covered(o, w, isolated, p);
	if (generate_build_rules(a, o->port_range_threshold, w, 0, &p->ingress,
				 &p->n_ingress) < 0 ||
	    generate_build_rules(a, o->port_range_threshold, w, 1, &p->egress,
				 &p->n_egress) < 0)
		return -1;
	if (p->egress_mode == NETPOL_OBSERVED &&
	    (generate_add_dns_rules(&g->pool, g->stores[0], o, w, &p->egress,
				    &p->n_egress) < 0 ||
	     (o->allow_internet &&
	      generate_add_internet_rules(a, &g->inv, o, &p->egress,
					  &p->n_egress) < 0)))
		return -1;
	overlap = generate_selector_overlap(&g->ns_pods, g->stores[0],
					    o->since, a, w);
	if (overlap != NULL)
		generate_diagf(g->diag, GENERATE_WARNING,
			       "the selector of %s/%s/%s also selects %s: the "
			       "policy would apply to them too",
			       w->ns, w->kind, w->name, overlap);
	generate_warn_churn(w, g->diag);
	if (generate_set_metadata(a, o, w, overlap, p) < 0)
		return -1;
	netpol_sort(p);
	return 0;
}

/*
 * --namespace-default-deny: one deny-all policy per namespace in scope;
 * none for a namespace the API server would refuse (its workloads are
 * left out and said so).
 */
static int add_default_denies(const struct gen_inventory *inv,
			      struct generate_result *out)
{
	const char *last = NULL;

	for (size_t i = 0; i < inv->n_w; i++) {
		const struct workload *w = &inv->w[i];
		struct netpol *p;

		if (!w->in_scope || !kname_is_dns_label(w->ns) ||
		    (last != NULL && strcmp(last, w->ns) == 0))
			continue;
		last = w->ns;
		p = &out->policies[out->n++];
		memset(p, 0, sizeof(*p));
		p->name = "podflow-default-deny";
		p->namespace = w->ns;
		p->pod_selector = "{}";
		p->ingress_mode = p->egress_mode = NETPOL_DENY;
		p->labels = arena_alloc(&out->mem, sizeof(*p->labels));
		if (p->labels == NULL) {
			errmsg_set("out of memory");
			return -1;
		}
		p->labels[0] = (struct netpol_kv){ "app.kubernetes.io/managed-by",
						   "podflow" };
		p->n_labels = 1;
	}
	return 0;
}

/*
 * Whether w gets a policy before its flows are screened: not with
 * hostNetwork, not without a selector, and when silent only with
 * --include-silent.  Says why not.
 */
static int wants_policy(const struct generate_opts *o,
			const struct workload *w, const struct generate_diag *d)
{
	if (w->host_network) {
		generate_diagf(d, GENERATE_NOTE,
			       "%s/%s/%s runs with hostNetwork: NetworkPolicy "
			       "does not apply to it; no policy",
			       w->ns, w->kind, w->name);
		return 0;
	}
	if (w->selector == NULL) {
		generate_diagf(d, GENERATE_WARNING,
			       "%s/%s/%s: its pods share no label, so no "
			       "selector picks them alone; no policy",
			       w->ns, w->kind, w->name);
		return 0;
	}
	if (w->flows == 0)
		generate_diagf(d, GENERATE_NOTE,
			       "%s/%s/%s had no traffic in the window%s",
			       w->ns, w->kind, w->name,
			       o->include_silent
				       ? ": deny-all policy"
				       : "; no policy (see --include-silent)");
	return w->flows > 0 || o->include_silent;
}

/*
 * Leaves w out, saying why (why: errmsg's or w->invalid); its names are
 * shown escaped, since they may be what is wrong.
 */
static void leave_out(const struct gen *g, const struct workload *w,
		      const char *why, struct generate_result *out)
{
	char ns[KNAME_QUOTE_MAX], kind[KNAME_QUOTE_MAX], name[KNAME_QUOTE_MAX];

	generate_diagf(g->diag, GENERATE_WARNING,
		       "%s/%s/%s: %s; no valid policy can be made for it, "
		       "left out",
		       kname_escape(ns, w->ns, strlen(w->ns)),
		       kname_escape(kind, w->kind, strlen(w->kind)),
		       kname_escape(name, w->name, strlen(w->name)), why);
	out->n_left_out++;
}

/*
 * The policies of the workloads in scope, after the default denies.  A
 * workload no valid policy can be made for is left out, and the others
 * are made all the same.
 */
static int build_policies(struct gen *g, struct generate_result *out)
{
	for (size_t i = 0; i < g->inv.n_w; i++) {
		struct workload *w = &g->inv.w[i];
		struct netpol *p = &out->policies[out->n];

		if (!w->in_scope)
			continue;
		if (w->invalid != NULL) {
			leave_out(g, w, w->invalid, out);
			continue;
		}
		if (!wants_policy(g->o, w, g->diag))
			continue;
		if (build_policy(g, w, p) < 0)
			return -1;
		if (p->ingress_mode == NETPOL_OMIT &&
		    p->egress_mode == NETPOL_OMIT) {
			generate_diagf(g->diag, GENERATE_NOTE,
				       "%s/%s/%s: the existing policies allow "
				       "everything it did; no policy",
				       w->ns, w->kind, w->name);
			continue;
		}
		/* What the API server would refuse is never written. */
		if (netpol_validate(p) < 0) {
			leave_out(g, w, errmsg_get(), out);
			continue;
		}
		out->n++;
	}
	return 0;
}

/* Copies the proposals of the run into the result's arena. */
static int keep_proposals(const struct gen_screen *sc,
			  struct generate_result *out)
{
	if (sc->n_props == 0)
		return 0;
	out->proposals =
		arena_alloc(&out->mem, sc->n_props * sizeof(*out->proposals));
	if (out->proposals == NULL) {
		errmsg_set("out of memory");
		return -1;
	}
	memcpy(out->proposals, sc->props, sc->n_props * sizeof(*out->proposals));
	out->n_proposals = sc->n_props;
	return 0;
}

/* Says what the flows left out or could not name. */
static void note_flows(const struct gen_flows *f, const struct generate_diag *d)
{
	if (f->unknown_pod_ips > 0)
		generate_diagf(d, GENERATE_WARNING,
			       "%zu rule%s name%s pod addresses that no pod in "
			       "the inventory held at the time, as exact "
			       "ipBlocks; import the inventory for that time to "
			       "name their workloads",
			       f->unknown_pod_ips,
			       f->unknown_pod_ips == 1 ? "" : "s",
			       f->unknown_pod_ips == 1 ? "s" : "");
	if (f->not_expressible > 0)
		generate_diagf(d, GENERATE_NOTE,
			       "%zu flow%s (ICMP and others) cannot be "
			       "expressed in a NetworkPolicy, left out",
			       f->not_expressible,
			       f->not_expressible == 1 ? "" : "s");
}

/* Frees what the run kept; the result stays. */
static void gen_free(struct gen *g)
{
	endpoints_close(g->screen.ep);
	free(g->screen.existing.policies);
	free(g->screen.props);
	generate_inventory_free(&g->inv);
	generate_ns_pods_free(&g->ns_pods);
	strmap_free(&g->pool.strings);
}

/*
 * What the options ask of the inventory, checked before any work: once,
 * not for each workload.  Returns GENERATE_OK, or a failure with errmsg.
 */
static int check_request(struct store *inventory,
			 const struct generate_opts *o)
{
	struct store_kube_dns dns;
	struct addr a;
	int rc;

	for (size_t i = 0; i < o->n_dns_ips; i++)
		if (addr_parse(o->dns_ips[i], &a) < 0) {
			errmsg_prefix("--dns-ip");
			return GENERATE_REFUSED;
		}
	if (o->dns != GENERATE_DNS_KUBE_DNS)
		return GENERATE_OK;
	if ((rc = store_read_kube_dns(inventory, &dns)) < 0)
		return GENERATE_FAILED;
	if (rc == 0) {
		errmsg_set("--dns kube-dns: the inventory has no Service "
			   "kube-system/kube-dns with a selector");
		return GENERATE_REFUSED;
	}
	free(dns.selector);
	free(dns.target_ports);
	free(dns.cluster_ips);
	return GENERATE_OK;
}

int generate_policies(struct store *const *stores, size_t n_stores,
		      const struct generate_opts *opts,
		      const struct generate_diag *diag,
		      struct generate_result *out)
{
	struct gen g = {
		.o = opts,
		.stores = stores,
		.n_stores = n_stores,
		.diag = diag,
		.pool = { .a = &out->mem, .strings = STRMAP_INIT },
		.inv = { .node_addrs = STRMAP_INIT, .kube_dns_ips = STRMAP_INIT },
		.ns_pods = { .mem = ARENA_INIT },
		.screen = { .existing = POLSET_INIT },
	};
	size_t cap;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = check_request(stores[0], opts)) != GENERATE_OK ||
	    (rc = generate_load_inventory(&g.inv, &out->mem, stores, n_stores,
					  opts)) != GENERATE_OK)
		goto out;
	rc = GENERATE_FAILED;
	for (size_t i = 0; i < n_stores; i++)
		generate_warn_lost_events(stores[i], opts->since, diag);
	if (generate_load_flows(&g) < 0 || generate_load_history(&g) < 0)
		goto out;
	/* After the flows: which workloads get a policy depends on them. */
	if (opts->existing != NULL &&
	    (generate_leave_out_replaced(&g) < 0 ||
	     endpoints_open(stores[0], &g.screen.ep) < 0))
		goto out;
	note_flows(&g.flows, diag);
	/* A default deny per namespace and a policy per workload, at most. */
	cap = 2 * g.inv.n_w + 1;
	out->policies = arena_alloc(&out->mem, cap * sizeof(*out->policies));
	if (out->policies == NULL) {
		errmsg_set("out of memory");
		goto out;
	}
	if ((opts->namespace_default_deny &&
	     add_default_denies(&g.inv, out) < 0) ||
	    build_policies(&g, out) < 0 || keep_proposals(&g.screen, out) < 0)
		goto out;
	rc = GENERATE_OK;
out:
	gen_free(&g);
	if (rc != GENERATE_OK)
		generate_result_free(out);
	return rc;
}

void generate_result_free(struct generate_result *r)
{
	arena_reset(&r->mem);
	r->policies = NULL;
	r->n = 0;
	r->proposals = NULL;
	r->n_proposals = 0;
}

const char *generate_state_name(enum generate_state s)
{
	switch (s) {
	case GENERATE_SILENT:
		return "silent";
	case GENERATE_LEARNING:
		return "learning";
	case GENERATE_STABLE:
		break;
	}
	return "stable";
}

/* Each workload in scope's state into out->w, in the inventory's order. */
static int keep_states(const struct gen *g, struct generate_states *out)
{
	size_t n = 0;

	for (size_t i = 0; i < g->inv.n_w; i++)
		n += g->inv.w[i].in_scope != 0;
	if (n == 0)
		return 0;
	out->w = arena_alloc(&out->mem, n * sizeof(*out->w));
	if (out->w == NULL) {
		errmsg_set("out of memory");
		return -1;
	}
	for (size_t i = 0; i < g->inv.n_w; i++) {
		const struct workload *w = &g->inv.w[i];
		const struct entry *e = &w->newest;

		if (!w->in_scope)
			continue;
		out->w[out->n++] = (struct generate_workload_state){
			.ns = w->ns, .kind = w->kind, .name = w->name,
			.state = generate_state_of(g->o, w),
			.egress = e->egress, .peer = e->key ? e->desc : NULL,
			.protocol = e->protocol, .port = e->port,
			.first_ever = e->first_ever,
		};
	}
	return 0;
}

int generate_read_states(struct store *const *stores, size_t n_stores,
			 const struct generate_opts *opts,
			 struct generate_states *out)
{
	struct gen g = {
		.o = opts,
		.stores = stores,
		.n_stores = n_stores,
		.pool = { .a = &out->mem, .strings = STRMAP_INIT },
		.inv = { .node_addrs = STRMAP_INIT, .kube_dns_ips = STRMAP_INIT },
		.ns_pods = { .mem = ARENA_INIT },
		.screen = { .existing = POLSET_INIT },
	};
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = generate_load_inventory(&g.inv, &out->mem, stores, n_stores,
					  opts)) != GENERATE_OK)
		goto out;
	rc = GENERATE_FAILED;
	if (generate_load_flows(&g) < 0 || generate_load_history(&g) < 0 ||
	    keep_states(&g, out) < 0)
		goto out;
	rc = GENERATE_OK;
out:
	gen_free(&g);
	if (rc != GENERATE_OK)
		generate_states_free(out);
	return rc;
}

static int cmp_state(const void *a, const void *b)
{
	const struct generate_workload_state *x = a, *y = b;
	int c;

	if ((c = strcmp(x->ns, y->ns)) != 0 ||
	    (c = strcmp(x->kind, y->kind)) != 0)
		return c;
	return strcmp(x->name, y->name);
}

const struct generate_workload_state *
generate_find_state(const struct generate_states *s, const char *ns,
		    const char *kind, const char *name)
{
	const struct generate_workload_state key = { .ns = ns, .kind = kind,
						     .name = name };

	if (s->n == 0 || ns == NULL || kind == NULL || name == NULL)
		return NULL;
	return bsearch(&key, s->w, s->n, sizeof(*s->w), cmp_state);
}

void generate_states_free(struct generate_states *s)
{
	arena_reset(&s->mem);
	s->w = NULL;
	s->n = 0;
}
