/*
 * kname: the names and label texts of Kubernetes objects, as the API
 * server validates them (k8s.io/apimachinery/pkg/util/validation).
 *
 * Whatever reads objects (import, check) refuses what the API server would
 * never have stored, and whatever writes them (generate) never emits it:
 * a policy must select what its reader meant, not what a lax reader made
 * of it.  Each predicate takes a NUL-terminated text; a caller holding a
 * text that may carry a NUL (knode.len) refuses that first.
 */
#ifndef PODFLOW_KNAME_H
#define PODFLOW_KNAME_H

#include <stddef.h>

/* RFC 1123 label: a namespace's name; [a-z0-9]([-a-z0-9]*[a-z0-9])?, <= 63. */
int kname_is_dns_label(const char *s);

/*
 * RFC 1123 subdomain: most objects' names (Pods, Deployments, Nodes,
 * NetworkPolicies); RFC 1123 labels joined by '.', <= 253 in all.
 */
int kname_is_dns_subdomain(const char *s);

/* RFC 1035 label: a Service's name; as an RFC 1123 label, a letter first. */
int kname_is_dns1035_label(const char *s);

/* A label or annotation key: [DNS-subdomain-prefix/]name, name <= 63. */
int kname_is_label_key(const char *s);

/* A label value: empty, or <= 63 of [-A-Za-z0-9_.], alphanumeric at both ends. */
int kname_is_label_value(const char *s);

/*
 * A kind, as an ownerReference names one: a type's name, [A-Za-z][A-Za-z0-9]*,
 * at most 63.  It goes into policy names and messages.
 */
int kname_is_kind(const char *s);

/*
 * An IANA service name: a container port's name, a named targetPort;
 * <= 15 of [-a-z0-9], a letter somewhere, no '-' at either end or twice.
 */
int kname_is_port_name(const char *s);

/*
 * s (len bytes, NULs included) as a message shows it: bytes outside
 * printable ASCII (and the backslash and quote) as \xNN, cut after 96
 * bytes with "...", so that hostile input (a terminal escape, U+202E,
 * 10 MB) reaches a message harmless.  kname_quote() adds single quotes
 * around it.  Each returns buf.
 */
#define KNAME_QUOTE_MAX 400
char *kname_escape(char buf[KNAME_QUOTE_MAX], const char *s, size_t len);
char *kname_quote(char buf[KNAME_QUOTE_MAX], const char *s, size_t len);

/*
 * How many one-character edits (insert, delete, change, swap of two
 * neighbours) turn a into b, counted up to max + 1: a "did you mean" for a
 * mistyped name is one at most max edits away.
 */
size_t kname_distance(const char *a, const char *b, size_t max);

#endif
