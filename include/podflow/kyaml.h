/*
 * kyaml: Kubernetes objects read from kubectl's YAML or JSON output.
 *
 * libyaml parses both (JSON is YAML).  Objects come one at a time, each a
 * small tree that remembers the line and column of every node: each
 * document of a stream, and each item of a List (any document with a
 * top-level `items` sequence) without holding the whole List in memory.
 *
 * A mapping's keys are strings without NUL, each at most once (the API
 * server's JSON decoder refuses duplicates too; YAML readers that let the
 * first or the last win would read one policy two ways), at most
 * KYAML_MAX_KEYS of them.
 */
#ifndef PODFLOW_KYAML_H
#define PODFLOW_KYAML_H

#include <stddef.h>
#include <stdio.h>

enum knode_type {
	KNODE_SCALAR,
	KNODE_MAP,
	KNODE_SEQ,
};

struct knode {
	enum knode_type type;
	int line, column; /* 1-based, where the node starts */
	const char *value; /* scalar text; NULL for a null scalar */
	/*
	 * The text's bytes: more than strlen(value) when it holds a NUL (JSON
	 * "\u0000", YAML "\0"), which a reader of names or numbers refuses.
	 * Keys never do: kyaml refuses them.
	 */
	size_t len;
	int plain;	   /* an unquoted scalar (a number, true, null) */
	/* A scalar's explicit tag ("tag:yaml.org,2002:str" for !!str), or NULL. */
	const char *tag;
	size_t n;	   /* pairs of a map, items of a sequence */
	struct knode **keys;  /* map keys (scalars) */
	struct knode **items; /* map values or sequence items */
};

struct kyaml;

#define KYAML_MAX_KEYS 4096

/* kyaml_open() flags. */
enum {
	/*
	 * Each document whole, as a configuration file is read: a top-level
	 * `items` is no List, and an empty or null document is an object
	 * too (a null scalar).  Without it, Kubernetes objects as above.
	 */
	KYAML_DOCUMENTS = 0x1,
	/* Messages name the line, not the column ("NAME:LINE: problem"). */
	KYAML_LINES = 0x2,
};

/*
 * Reads objects from fp, named name in messages, with the flags above
 * (0: Kubernetes objects).  fp stays the caller's.  Returns 0 and an owned
 * reader in *ret (kyaml_close() it), or -1.
 */
int kyaml_open(FILE *fp, const char *name, unsigned int flags,
	       struct kyaml **ret);

void kyaml_close(struct kyaml *y);

/*
 * Reads the next object into *obj, valid until the next call.  Returns 1,
 * 0 at the end of the input, or -1 with "NAME:LINE:COLUMN: problem" in
 * errmsg (errmsg_set_at()).
 */
int kyaml_next(struct kyaml *y, const struct knode **obj);

/*
 * The 1-based number of the document the last object came from: with
 * the line, what a person needs to find it in a multi-document stream.
 */
int kyaml_document(const struct kyaml *y);

/* The input's name, for messages. */
const char *kyaml_name(const struct kyaml *y);

/*
 * What the input seems to be when it is not what a reader wants, from
 * its first bytes: kubectl's table output, or a message kubectl printed
 * (a kubeconfig or connection error) piped in its place.  Returns a
 * sentence for a message, or NULL.  Syntax errors carry it already.
 */
const char *kyaml_hint(const struct kyaml *y);

/*
 * The value at a dotted path of map keys ("metadata.name"), or NULL when
 * a step is missing or not a map.
 */
const struct knode *knode_at(const struct knode *n, const char *path);

/*
 * Parses text (one YAML or JSON document, such as a selector the store
 * keeps as JSON) into a tree allocated from a.  Returns 0 and the root in
 * *out (NULL for an empty document), or -1 with errmsg.
 */
struct arena;
int kyaml_parse_text(const char *text, struct arena *a,
		     const struct knode **out);

/*
 * A deep copy of n allocated from a, to keep an object past the next
 * kyaml_next().  NULL when out of memory.
 */
struct knode *knode_copy(struct arena *a, const struct knode *n);

/*
 * What kubectl's YAML-to-JSON step makes of a scalar, before the API server
 * decodes it into a typed field: YAML 1.1 as its YAML library resolves it
 * (0x50, 010, 0o17, 0b1010, 1_000, +80 and 8e1 are numbers; yes, on, off
 * are booleans; !!str 80 is a string, and so is anything quoted).
 */
enum kjson_type {
	KJSON_NULL,
	KJSON_BOOL,
	KJSON_NUMBER,
	KJSON_STRING,
};

struct kjson {
	enum kjson_type type;
	int boolean;	/* KJSON_BOOL */
	double number;	/* KJSON_NUMBER */
	int integer;	/* KJSON_NUMBER: whole, and within +-2^53 */
	long long i;	/* ...its value then */
	int yaml_int;	/* YAML read an int (80, 0x50), not a float (80.0) */
};

/*
 * Resolves scalar n into *out.  Returns 0, or -1 with errmsg for a scalar
 * kubectl refuses to send (.inf and .nan, which JSON cannot hold; a tag
 * its text does not fit, as !!int abc; !!binary) or a node that is no
 * scalar.
 */
int knode_resolve(const struct knode *n, struct kjson *out);

/*
 * The text kubectl sends for a map key: YAML 1.1 resolves a plain key as
 * any scalar, and the JSON key is its text (010 is "8", on is "true", 8e1
 * is "80").  Returns the key's own text, or one in a, or NULL with errmsg
 * (a null key, .inf, memory).
 */
const char *knode_key_text(const struct knode *key, struct arena *a);

/* Nonzero when n is absent (NULL) or a null scalar: a field not given. */
int knode_is_null(const struct knode *n);

/* The text of a scalar at path, or NULL (missing, null, or not a scalar). */
const char *knode_str(const struct knode *n, const char *path);

#endif
