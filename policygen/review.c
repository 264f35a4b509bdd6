/*
 * review: decisions on proposed rules, read, matched and recorded
 * (review.h).
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "podflow/errmsg.h"
#include "podflow/grow.h"
#include "review.h"
#include "sql.h"

enum {
	R_NS, R_KIND, R_NAME, R_DIR, R_PEER, R_PORT, R_PROTO, R_DECISION,
	R_REASON, R_BY, R_AT,
};

static int db_error(struct store *s)
{
	return store_db_error(s);
}

static const char *col_dup(struct arena *a, sqlite3_stmt *st, int i)
{
	const char *v = (const char *)sqlite3_column_text(st, i);

	return v ? arena_strdup(a, v) : NULL;
}

/*
 * Whether s has the review table (schema 6 on): 1 it has, 0 it has not
 * (an older read-only database, no error), or -1 with errmsg.
 */
static int has_review_table(struct store *s)
{
	sqlite3_stmt *st;
	int n = -1;

	if (sqlite3_prepare_v2(store_db(s), sql_review_exists, -1, &st,
			       NULL) != SQLITE_OK)
		return db_error(s);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return n < 0 ? db_error(s) : n;
}

static int read_rule(struct review_set *set, struct store *s, sqlite3_stmt *st,
		     struct review_rule *r)
{
	const char *decision = (const char *)sqlite3_column_text(st, R_DECISION);
	const char *peer = (const char *)sqlite3_column_text(st, R_PEER);
	const char *dir = (const char *)sqlite3_column_text(st, R_DIR);

	memset(r, 0, sizeof(*r));
	r->ns = col_dup(&set->mem, st, R_NS);
	r->kind = col_dup(&set->mem, st, R_KIND);
	r->name = col_dup(&set->mem, st, R_NAME);
	r->egress = dir != NULL && strcmp(dir, "egress") == 0;
	r->port = sqlite3_column_int(st, R_PORT);
	if (r->port > 0)
		r->protocol = col_dup(&set->mem, st, R_PROTO);
	r->decision = decision && strcmp(decision, "rejected") == 0
			      ? REVIEW_REJECTED
			      : REVIEW_ACCEPTED;
	r->reason = col_dup(&set->mem, st, R_REASON);
	r->by = col_dup(&set->mem, st, R_BY);
	r->at = sqlite3_column_int64(st, R_AT);
	if (r->ns == NULL || r->kind == NULL || r->name == NULL ||
	    (r->port > 0 && r->protocol == NULL)) {
		errmsg_set("out of memory");
		return -1;
	}
	if (peer == NULL || review_parse_peer(peer, &set->mem, &r->peer) < 0) {
		errmsg_prefix("%s: review of %s/%s/%s", store_filename(s),
			      r->ns, r->kind, r->name);
		return -1;
	}
	/* review accept/reject store the kind; a hand-made row may lack it. */
	if (r->peer.type == REVIEW_PEER_WORKLOAD && r->peer.kind == NULL) {
		errmsg_set("%s: review of %s/%s/%s: peer '%s' is not "
			   "NS/KIND/NAME",
			   store_filename(s), r->ns, r->kind, r->name, peer);
		return -1;
	}
	return 0;
}

int review_load(struct store *s, struct review_set *out)
{
	sqlite3_stmt *st = NULL;
	size_t cap = 0;
	int rc = -1, step, has;

	memset(out, 0, sizeof(*out));
	if ((has = has_review_table(s)) <= 0)
		return has;
	if (sqlite3_prepare_v2(store_db(s), sql_review_all, -1, &st, NULL) !=
	    SQLITE_OK)
		return db_error(s);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		if (GROW(out->rules, cap, out->n + 1) < 0)
			goto out;
		if (read_rule(out, s, st, &out->rules[out->n]) < 0)
			goto out;
		out->n++;
	}
	if (step != SQLITE_DONE) {
		db_error(s);
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(st);
	if (rc < 0)
		review_set_free(out);
	return rc;
}

void review_set_free(struct review_set *set)
{
	free(set->rules);
	arena_reset(&set->mem);
	set->rules = NULL;
	set->n = 0;
}

/*
 * How specifically r's peer covers the subject's: -1 not at all; more is
 * more specific.
 */
static int peer_rank(const struct review_peer *r, const struct review_peer *s)
{
	switch (r->type) {
	case REVIEW_PEER_WORKLOAD:
		return s->type == REVIEW_PEER_WORKLOAD &&
				       strcmp(r->ns, s->ns) == 0 &&
				       strcasecmp(r->kind, s->kind) == 0 &&
				       strcmp(r->name, s->name) == 0
			       ? 300
			       : -1;
	case REVIEW_PEER_NAMESPACE:
		return s->type == REVIEW_PEER_WORKLOAD &&
				       strcmp(r->ns, s->ns) == 0
			       ? 200
			       : -1;
	case REVIEW_PEER_NODE:
		return s->type == REVIEW_PEER_NODE ? 300 : -1;
	case REVIEW_PEER_CIDR:
		/* A node's address is also an address. */
		if (s->type != REVIEW_PEER_CIDR && s->type != REVIEW_PEER_NODE)
			return -1;
		return s->cidr.net.family == r->cidr.net.family &&
				       s->cidr.len >= r->cidr.len &&
				       cidr_contains(&r->cidr, &s->cidr.net)
			       ? r->cidr.len
			       : -1;
	}
	return -1;
}

const struct review_rule *review_match(const struct review_set *set,
				       const struct review_subject *subject)
{
	const struct review_rule *best = NULL;
	int best_rank = -1;

	for (size_t i = 0; i < set->n; i++) {
		const struct review_rule *r = &set->rules[i];
		int rank;

		if (r->egress != subject->egress ||
		    strcmp(r->ns, subject->ns) != 0 ||
		    strcasecmp(r->kind, subject->kind) != 0 ||
		    strcmp(r->name, subject->name) != 0)
			continue;
		if (r->port != 0 &&
		    (r->port != subject->port ||
		     strcmp(r->protocol, subject->protocol) != 0))
			continue;
		if ((rank = peer_rank(&r->peer, &subject->peer)) < 0)
			continue;
		rank += r->port != 0 ? 1000 : 0;
		if (rank > best_rank) {
			best = r;
			best_rank = rank;
		}
	}
	return best;
}

int review_parse_peer(const char *text, struct arena *a,
		      struct review_peer *out)
{
	struct addr ip;
	const char *s1, *s2;

	memset(out, 0, sizeof(*out));
	if (strcmp(text, "node") == 0) {
		out->type = REVIEW_PEER_NODE;
		return 0;
	}
	if (strncmp(text, "ns:", 3) == 0 && text[3] != '\0') {
		out->type = REVIEW_PEER_NAMESPACE;
		if ((out->ns = arena_strdup(a, text + 3)) == NULL) {
			errmsg_set("out of memory");
			return -1;
		}
		return 0;
	}
	if (addr_parse(text, &ip) == 0) {
		out->type = REVIEW_PEER_CIDR;
		out->cidr.net = ip;
		out->cidr.len = ip.family == AF_INET ? 32 : 128;
		return 0;
	}
	s1 = strchr(text, '/');
	if (s1 != NULL && (size_t)(s1 - text) < ADDR_STRLEN) {
		char head[ADDR_STRLEN];

		memcpy(head, text, (size_t)(s1 - text));
		head[s1 - text] = '\0';
		if (addr_parse(head, &ip) == 0) {
			out->type = REVIEW_PEER_CIDR;
			if (cidr_parse(text, &out->cidr) < 0) {
				errmsg_prefix("peer '%s'", text);
				return -1;
			}
			return 0;
		}
	}
	s2 = s1 ? strchr(s1 + 1, '/') : NULL;
	if (s1 == NULL || s1 == text || s1[1] == '\0' ||
	    (s2 && (s2 == s1 + 1 || s2[1] == '\0' || strchr(s2 + 1, '/')))) {
		errmsg_set("peer '%s' is not NS/NAME, NS/KIND/NAME, ns:NAME, "
			   "node, an address or a CIDR",
			   text);
		return -1;
	}
	out->type = REVIEW_PEER_WORKLOAD;
	out->ns = arena_strndup(a, text, (size_t)(s1 - text));
	if (s2 != NULL) {
		out->kind = arena_strndup(a, s1 + 1, (size_t)(s2 - s1 - 1));
		out->name = arena_strdup(a, s2 + 1);
	} else {
		out->name = arena_strdup(a, s1 + 1);
	}
	if (out->ns == NULL || out->name == NULL || (s2 && out->kind == NULL)) {
		errmsg_set("out of memory");
		return -1;
	}
	return 0;
}

void review_peer_format(const struct review_peer *p, char *buf, size_t len)
{
	char c[CIDR_STRLEN];

	switch (p->type) {
	case REVIEW_PEER_WORKLOAD:
		snprintf(buf, len, "%s/%s/%s", p->ns, p->kind ? p->kind : "?",
			 p->name);
		break;
	case REVIEW_PEER_NAMESPACE:
		snprintf(buf, len, "ns:%s", p->ns);
		break;
	case REVIEW_PEER_NODE:
		snprintf(buf, len, "node");
		break;
	case REVIEW_PEER_CIDR:
		snprintf(buf, len, "%s", cidr_format(&p->cidr, c));
		break;
	}
}

int review_record(struct store *s, const struct review_rule *r)
{
	sqlite3_stmt *st = NULL;
	char peer[600];
	int rc;

	review_peer_format(&r->peer, peer, sizeof(peer));
	if (sqlite3_prepare_v2(store_db(s), sql_review_put, -1, &st, NULL) !=
	    SQLITE_OK)
		return db_error(s);
	sqlite3_bind_text(st, 1, r->ns, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, r->kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, r->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, r->egress ? "egress" : "ingress", -1,
			  SQLITE_STATIC);
	sqlite3_bind_text(st, 5, peer, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 6, r->port);
	sqlite3_bind_text(st, 7, r->port ? r->protocol : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8,
			  r->decision == REVIEW_REJECTED ? "rejected"
							 : "accepted",
			  -1, SQLITE_STATIC);
	if (r->reason != NULL)
		sqlite3_bind_text(st, 9, r->reason, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 10, r->by, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 11, r->at);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : db_error(s);
}
