/*
 * generate_inventory: what generate knows before it reads a flow (see
 * generate_int.h): the workloads of the first database's inventory, with
 * their selectors and whether they are in scope, the node addresses, and
 * what every database's podflowd recorded of itself: the pod CIDRs it
 * watched and the events it lost.  And the one copy of each string a run
 * keeps.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "podflow/errmsg.h"
#include "podflow/grow.h"
#include "podflow/kname.h"
#include "podflow/netpol.h"
#include "podflow/store_read.h"
#include "generate_int.h"

const char *generate_intern(struct gen_pool *pool, const char *s)
{
	struct strmap_slot *slot;

	if (s != NULL && pool->find_only)
		return strmap_get(&pool->strings, s);
	if (s == NULL || (slot = strmap_slot(&pool->strings, s)) == NULL)
		return NULL;
	if (slot->value == NULL)
		slot->value = arena_strdup(pool->a, s);
	return slot->value;
}

static const char *dup(struct arena *a, const char *s)
{
	return s ? arena_strdup(a, s) : NULL;
}

static int cmp_workload(const void *a, const void *b)
{
	const struct workload *x = a, *y = b;
	int c = strcmp(x->ns, y->ns);

	if (c == 0)
		c = strcmp(x->kind, y->kind);
	return c ? c : strcmp(x->name, y->name);
}

struct workload *generate_find_workload(const struct gen_inventory *inv,
					const char *ns, const char *kind,
					const char *name)
{
	struct workload key = { .ns = ns, .kind = kind, .name = name };

	if (ns == NULL || kind == NULL || name == NULL)
		return NULL;
	return bsearch(&key, inv->w, inv->n_w, sizeof(*inv->w), cmp_workload);
}

static int in_scope(const struct generate_opts *o, const char *ns,
		    const char *kind, const char *name)
{
	/* A workload named with its namespace is covered, a system one too. */
	if (o->workload.ns == NULL && !scope_has_ns(&o->ns, ns))
		return 0;
	return scope_workload_is(&o->workload, ns, kind, name);
}

/* What load_workloads() reads into, for each workload. */
struct workloads_read {
	struct gen_inventory *inv;
	struct arena *a;
	const struct generate_opts *o;
};

/*
 * Sets w->invalid to what makes w unfit for a policy, if anything, and
 * clears a selector no policy may hold (see struct workload).  Returns 0,
 * or -1 with errmsg.
 */
static int check_workload(struct arena *a, struct workload *w)
{
	char msg[2 * KNAME_QUOTE_MAX + 128], q[KNAME_QUOTE_MAX];

	if (!kname_is_dns_label(w->ns)) {
		snprintf(msg, sizeof(msg),
			 "its namespace is not a DNS-1123 label");
		w->selector = NULL;
	} else if (!kname_is_kind(w->kind)) {
		snprintf(msg, sizeof(msg), "its kind is no kind");
	} else if (!kname_is_dns_subdomain(w->name)) {
		snprintf(msg, sizeof(msg),
			 "its name %s is not a DNS-1123 subdomain",
			 kname_quote(q, w->name, strlen(w->name)));
	} else if (w->selector != NULL &&
		   netpol_validate_selector(w->selector) < 0) {
		snprintf(msg, sizeof(msg), "its selector: %s", errmsg_get());
		w->selector = NULL;
	} else {
		return 0;
	}
	if ((w->invalid = arena_strdup(a, msg)) == NULL) {
		errmsg_set("out of memory");
		return -1;
	}
	return 0;
}

static int add_workload(const struct store_workload *row, void *ctx)
{
	const struct workloads_read *r = ctx;
	struct gen_inventory *inv = r->inv;
	struct workload *w;

	if (GROW(inv->w, inv->cap_w, inv->n_w + 1) < 0)
		return -1;
	w = &inv->w[inv->n_w++];
	memset(w, 0, sizeof(*w));
	w->ns = dup(r->a, row->namespace);
	w->kind = dup(r->a, row->kind);
	w->name = dup(r->a, row->name);
	w->selector = dup(r->a, row->selector);
	w->source = dup(r->a, row->source);
	w->host_network = row->host_network;
	if (w->ns == NULL || w->kind == NULL || w->name == NULL) {
		errmsg_set("out of memory");
		return -1;
	}
	w->in_scope = in_scope(r->o, w->ns, w->kind, w->name);
	return check_workload(r->a, w);
}

static int load_workloads(struct gen_inventory *inv, struct arena *a,
			  struct store *s, const struct generate_opts *o)
{
	struct workloads_read r = { inv, a, o };

	if (store_read_generate_workloads(s, add_workload, &r) < 0)
		return -1;
	/* The store sorts in its database's collation; bsearch needs strcmp's. */
	if (inv->n_w > 1)
		qsort(inv->w, inv->n_w, sizeof(*inv->w), cmp_workload);
	return 0;
}

/* Appends ns/kind/name to list, ", " between. */
static void list_workload(char *list, size_t len, const struct workload *w)
{
	size_t used = strlen(list);

	if (used + 1 < len)
		snprintf(list + used, len - used, "%s%s/%s/%s",
			 used ? ", " : "", w->ns, w->kind, w->name);
}

/*
 * Why a --workload found nothing, and what to do: it is in a namespace
 * not covered, or its name is a typo of one that is.  Into errmsg.
 */
static void no_such_workload(const struct gen_inventory *inv,
			     const struct generate_opts *o)
{
	const struct scope_workload *f = &o->workload;
	struct scope_missing m = { .want = f };
	char arg[600];

	for (size_t i = 0; i < inv->n_w; i++) {
		const struct workload *w = &inv->w[i];

		scope_missing_offer(&m, w->ns, w->kind, w->name,
				    f->ns != NULL ? strcmp(f->ns, w->ns) == 0
						  : scope_has_ns(&o->ns, w->ns));
	}
	snprintf(arg, sizeof(arg), "%s%s%s%s%s", f->ns ? f->ns : "",
		 f->ns ? "/" : "", f->kind ? f->kind : "", f->kind ? "/" : "",
		 f->name);
	scope_missing_error(&m, arg, o->ns.n);
}

/* A workload filter that names nothing, or several kinds, is an error. */
static int check_workload_filter(const struct gen_inventory *inv,
				 const struct generate_opts *o)
{
	char found_list[512] = "";
	size_t found = 0;

	if (o->workload.name == NULL)
		return 0;
	for (size_t i = 0; i < inv->n_w; i++)
		if (inv->w[i].in_scope) {
			found++;
			list_workload(found_list, sizeof(found_list),
				      &inv->w[i]);
		}
	if (found == 0) {
		no_such_workload(inv, o);
		return -1;
	}
	/* One kind in several namespaces is one workload's policies, each. */
	if (found > 1 && o->workload.kind == NULL) {
		errmsg_set("--workload %s matches %zu workloads (%s): give "
			   "KIND/NAME or NAMESPACE/KIND/NAME",
			   o->workload.name, found, found_list);
		return -1;
	}
	return 0;
}

static int add_node_address(const struct store_node_address *row, void *ctx)
{
	struct gen_inventory *inv = ctx;
	struct strmap_slot *slot = strmap_slot(&inv->node_addrs, row->address);

	if (slot == NULL) {
		errmsg_set("out of memory");
		return -1;
	}
	slot->value = slot;
	return 0;
}

static int load_node_addresses(struct gen_inventory *inv, struct store *s)
{
	return store_read_node_addresses(s, add_node_address, inv);
}

/* kube-dns's ClusterIPs, which --dns any's rule allows itself. */
static int load_kube_dns_ips(struct gen_inventory *inv, struct store *s)
{
	struct store_kube_dns dns;
	char *tok, *save = NULL;
	int found, rc = 0;

	if ((found = store_read_kube_dns(s, &dns)) <= 0)
		return found;
	for (tok = dns.cluster_ips ? strtok_r(dns.cluster_ips, ",", &save)
				   : NULL;
	     tok != NULL && rc == 0; tok = strtok_r(NULL, ",", &save)) {
		struct strmap_slot *slot = strmap_slot(&inv->kube_dns_ips, tok);

		if (slot == NULL) {
			errmsg_set("out of memory");
			rc = -1;
		} else {
			slot->value = slot;
		}
	}
	free(dns.selector);
	free(dns.target_ports);
	free(dns.cluster_ips);
	return rc;
}

/*
 * Adds the pod CIDRs podflowd recorded in s, each once.  A database
 * without them (or unreadable meta) adds none: peers are then never
 * "unknown pods", only addresses.
 */
static void load_pod_cidrs(struct gen_inventory *inv, struct store *s)
{
	char *text = NULL, *tok, *save = NULL;

	if (store_meta_get(s, "pod_cidrs", &text) < 0 || text == NULL)
		return;
	for (tok = strtok_r(text, " ", &save);
	     tok && inv->n_pod_cidrs < GEN_MAX_POD_CIDRS;
	     tok = strtok_r(NULL, " ", &save)) {
		struct cidr c;
		int known = 0;

		if (cidr_parse(tok, &c) < 0)
			continue;
		for (size_t i = 0; i < inv->n_pod_cidrs; i++)
			known |= inv->pod_cidrs[i].len == c.len &&
				 addr_equal(&inv->pod_cidrs[i].net, &c.net);
		if (!known)
			inv->pod_cidrs[inv->n_pod_cidrs++] = c;
	}
	free(text);
}

int generate_load_inventory(struct gen_inventory *inv, struct arena *a,
			    struct store *const *stores, size_t n_stores,
			    const struct generate_opts *o)
{
	if (load_workloads(inv, a, stores[0], o) < 0)
		return GENERATE_FAILED;
	if (check_workload_filter(inv, o) < 0)
		return GENERATE_REFUSED;
	if (load_node_addresses(inv, stores[0]) < 0 ||
	    (o->before_dnat && o->dns == GENERATE_DNS_ANY &&
	     load_kube_dns_ips(inv, stores[0]) < 0))
		return GENERATE_FAILED;
	for (size_t i = 0; i < n_stores; i++)
		load_pod_cidrs(inv, stores[i]);
	return 0;
}

/*
 * podflowd counts the times the kernel dropped its events; a flow that
 * began and ended in such a gap was never seen.
 */
void generate_warn_lost_events(struct store *s, int64_t since,
			       const struct generate_diag *d)
{
	int64_t episodes;

	/* A warning that cannot be read is no reason to fail: none. */
	if (store_read_lost_events(s, since, &episodes) == 0 && episodes > 0)
		generate_diagf(d, GENERATE_WARNING,
			       "%s: podflowd reported %lld lost-event "
			       "episodes; it resynced, but flows that "
			       "began and ended within one may be missing",
			       store_filename(s), (long long)episodes);
}

int generate_in_pod_cidrs(const struct gen_inventory *inv,
			  const struct addr *a)
{
	for (size_t i = 0; i < inv->n_pod_cidrs; i++)
		if (cidr_contains(&inv->pod_cidrs[i], a))
			return 1;
	return 0;
}

void generate_inventory_free(struct gen_inventory *inv)
{
	for (size_t i = 0; i < inv->n_w; i++)
		free(inv->w[i].e);
	free(inv->w);
	inv->w = NULL;
	inv->n_w = inv->cap_w = 0;
	strmap_free(&inv->node_addrs);
	strmap_free(&inv->kube_dns_ips);
}
