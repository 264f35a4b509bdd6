/*
 * kyaml: building small node trees from libyaml events (kyaml.h).
 *
 * The event API, not yaml_parser_load(): a List of five thousand pods is
 * handed out item by item, each built in an arena that is reset for the
 * next, so memory follows the largest object rather than the input.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <yaml.h>

#include "podflow/arena.h"
#include "podflow/errmsg.h"
#include "podflow/kname.h"
#include "podflow/kyaml.h"

/* Nesting deeper than this is not a Kubernetes object. */
#define KYAML_MAX_DEPTH 64

/* A node under construction and the key waiting for its value. */
struct frame {
	struct knode *node;
	struct knode *key;
	size_t cap;
	int items_seq; /* the top-level "items" of a List: stream its items */
};

struct kyaml {
	const char *name;
	int fd;
	yaml_parser_t parser;
	struct arena doc_arena;	 /* the document around a List's items */
	struct arena item_arena; /* the object being handed out */
	struct frame stack[KYAML_MAX_DEPTH];
	int depth;
	int in_doc;
	int done;
	int document; /* 1-based index of the current document */
	unsigned int flags;
	char head[128]; /* the input's first bytes, for kyaml_hint() */
	size_t n_head;
};

/* Keeps the first bytes read, which tell what the input really is. */
static void keep_head(struct kyaml *y, const unsigned char *buf, size_t n)
{
	size_t room = sizeof(y->head) - 1 - y->n_head;

	if (n > room)
		n = room;
	memcpy(y->head + y->n_head, buf, n);
	y->n_head += n;
	y->head[y->n_head] = '\0';
}

/*
 * Input through read(2), not fread(): on a pipe from `kubectl --watch`
 * fread() would wait for a whole block, holding back objects that have
 * arrived whole.
 */
static int read_handler(void *data, unsigned char *buffer, size_t size,
			size_t *size_read)
{
	struct kyaml *y = data;
	ssize_t n;

	do
		n = read(y->fd, buffer, size);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return 0;
	*size_read = (size_t)n;
	keep_head(y, buffer, (size_t)n);
	return 1;
}

const char *kyaml_hint(const struct kyaml *y)
{
	static const char *const errors[] = {
		"error:", "Error from server", "The connection to the server",
		"Unable to connect", "Unable to connect to the server",
		"W0", "E0", "I0", /* klog's warning, error, info lines */
	};
	const char *h = y->head;

	if (strncmp(h, "NAME ", 5) == 0 || strncmp(h, "NAMESPACE ", 10) == 0)
		return "this is kubectl's table output: give kubectl get -o "
		       "yaml (or -o json)";
	for (size_t i = 0; i < sizeof(errors) / sizeof(errors[0]); i++)
		if (strncmp(h, errors[i], strlen(errors[i])) == 0)
			return "this is a message kubectl printed, not its "
			       "output: see what kubectl says, and check its "
			       "kubeconfig and context";
	return NULL;
}

int kyaml_open(FILE *fp, const char *name, unsigned int flags,
	       struct kyaml **ret)
{
	struct kyaml *y = calloc(1, sizeof(*y));

	if (y == NULL) {
		errmsg_set("out of memory");
		return -1;
	}
	y->name = name;
	y->flags = flags;
	y->fd = fileno(fp);
	yaml_parser_initialize(&y->parser);
	if (y->fd >= 0)
		yaml_parser_set_input(&y->parser, read_handler, y);
	else /* a memory stream (the tests) */
		yaml_parser_set_input_file(&y->parser, fp);
	*ret = y;
	return 0;
}

void kyaml_close(struct kyaml *y)
{
	if (y == NULL)
		return;
	yaml_parser_delete(&y->parser);
	arena_reset(&y->doc_arena);
	arena_reset(&y->item_arena);
	free(y);
}

const char *kyaml_name(const struct kyaml *y)
{
	return y->name;
}

/* libyaml counts from 0; people, and errmsg_set_at(), from 1. */
static int mark_line(const yaml_mark_t *m)
{
	return m->line < INT_MAX ? (int)m->line + 1 : INT_MAX;
}

static int mark_column(const struct kyaml *y, const yaml_mark_t *m)
{
	if (y->flags & KYAML_LINES)
		return 0;
	return m->column < INT_MAX ? (int)m->column + 1 : INT_MAX;
}

static int parse_error(struct kyaml *y)
{
	const yaml_parser_t *p = &y->parser;
	const yaml_mark_t *m = p->problem ? &p->problem_mark : &p->mark;

	/* Reader errors (bad UTF-8, an I/O error) know only a byte offset. */
	if (p->error == YAML_READER_ERROR) {
		errmsg_set("%s: byte %zu: %s", y->name, p->problem_offset,
			   p->problem ? p->problem : "unreadable input");
		return -1;
	}
	errmsg_set_at(y->name, mark_line(m), mark_column(y, m), "%s%s%s%s%s",
		      p->problem ? p->problem : "invalid YAML",
		      p->context ? " " : "", p->context ? p->context : "",
		      kyaml_hint(y) ? "; " : "",
		      kyaml_hint(y) ? kyaml_hint(y) : "");
	return -1;
}

static int node_error(struct kyaml *y, const yaml_mark_t *m, const char *what)
{
	errmsg_set_at(y->name, mark_line(m), mark_column(y, m), "%s", what);
	return -1;
}

/* The arena for nodes created now: inside a List's items, the item's. */
static struct arena *current_arena(struct kyaml *y)
{
	for (int i = 0; i < y->depth; i++)
		if (y->stack[i].items_seq)
			return &y->item_arena;
	return &y->doc_arena;
}

static struct knode *new_node(struct kyaml *y, enum knode_type type,
			      const yaml_mark_t *m)
{
	struct knode *n = arena_alloc(current_arena(y), sizeof(*n));

	if (n == NULL)
		return NULL;
	n->type = type;
	n->line = (int)m->line + 1;
	n->column = (int)m->column + 1;
	return n;
}

/* Appends child to a map or sequence under construction. */
static int append(struct kyaml *y, struct frame *f, struct knode *key,
		  struct knode *child)
{
	struct knode *n = f->node;
	struct arena *a = current_arena(y);

	if (n->n == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 8;
		struct knode **items = arena_alloc(a, cap * sizeof(*items));
		struct knode **keys = n->type == KNODE_MAP
					      ? arena_alloc(a, cap * sizeof(*keys))
					      : NULL;

		if (items == NULL || (n->type == KNODE_MAP && keys == NULL))
			return -1;
		if (n->n > 0) {
			memcpy(items, n->items, n->n * sizeof(*items));
			if (keys != NULL)
				memcpy(keys, n->keys, n->n * sizeof(*keys));
		}
		n->items = items;
		n->keys = keys;
		f->cap = cap;
	}
	if (n->type == KNODE_MAP)
		n->keys[n->n] = key;
	n->items[n->n++] = child;
	return 0;
}

/*
 * Refuses key as the next key of map: one with a NUL in it, one the map
 * has already (quadratic, and so the bound on keys), one too many.
 */
static int check_key(struct kyaml *y, const struct knode *map,
		     const struct knode *key, const yaml_mark_t *m)
{
	if (strlen(key->value) != key->len)
		return node_error(y, m, "a mapping key with a NUL character");
	if (map->n >= KYAML_MAX_KEYS) {
		errmsg_set_at(y->name, mark_line(m), mark_column(y, m),
			      "more than %d keys in one mapping",
			      KYAML_MAX_KEYS);
		return -1;
	}
	for (size_t i = 0; i < map->n; i++)
		if (map->keys[i]->len == key->len &&
		    memcmp(map->keys[i]->value, key->value, key->len) == 0) {
			errmsg_set_at(y->name, mark_line(m), mark_column(y, m),
				      "duplicate key %s (first on line %d)",
				      kname_quote((char[KNAME_QUOTE_MAX]){ 0 },
						  key->value, key->len),
				      map->keys[i]->line);
			return -1;
		}
	return 0;
}

/*
 * Attaches a finished (or new container) node to its parent.  Returns 1
 * when it is a whole object to hand out, 0 when attached, -1 on error.
 */
static int attach(struct kyaml *y, struct knode *child, const yaml_mark_t *m)
{
	struct frame *f;

	if (y->depth == 0)
		return 1; /* a document's root */
	f = &y->stack[y->depth - 1];
	if (f->items_seq)
		return 1; /* an item of a List */
	if (f->node->type == KNODE_SEQ)
		return append(y, f, NULL, child);
	if (f->key == NULL) {
		if (child->type != KNODE_SCALAR || child->value == NULL)
			return node_error(y, m, "a mapping key must be a string");
		if (check_key(y, f->node, child, m) < 0)
			return -1;
		f->key = child;
		return 0;
	}
	if (append(y, f, f->key, child) < 0)
		return -1;
	f->key = NULL;
	return 0;
}

/* key: the map key n is the value of, or NULL. */
static int push(struct kyaml *y, struct knode *n, const struct knode *key,
		const yaml_mark_t *m)
{
	struct frame *f;

	if (y->depth == KYAML_MAX_DEPTH)
		return node_error(y, m, "nested too deeply");
	f = &y->stack[y->depth++];
	memset(f, 0, sizeof(*f));
	f->node = n;
	/* The "items" sequence directly under a document's root mapping. */
	if (!(y->flags & KYAML_DOCUMENTS) && n->type == KNODE_SEQ &&
	    y->depth == 2 && key != NULL && strcmp(key->value, "items") == 0)
		f->items_seq = 1;
	return 0;
}

#define TAG_PREFIX "tag:yaml.org,2002:"

static int is_null_text(const char *v)
{
	return strcmp(v, "null") == 0 || strcmp(v, "~") == 0 ||
	       strcmp(v, "Null") == 0 || strcmp(v, "NULL") == 0 || v[0] == '\0';
}

/*
 * A null: null text, plain and untagged or tagged !!null.  "!!null x" is
 * no null: kubectl refuses it (knode_resolve() does too), and read as one
 * it would make a rule of "from: !!null x" that allows everyone.
 */
static int is_null(const yaml_event_t *e)
{
	const char *v = (const char *)e->data.scalar.value;
	const char *tag = (const char *)e->data.scalar.tag;

	if (tag != NULL)
		return strcmp(tag, TAG_PREFIX "null") == 0 && is_null_text(v);
	return e->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
	       is_null_text(v);
}

/*
 * Handles one event.  Returns 1 with *out set when an object is complete,
 * 0 to go on, -1 on error.
 */
static int on_event(struct kyaml *y, yaml_event_t *e, const struct knode **out)
{
	const struct knode *key;
	struct knode *n;
	int rc;

	switch (e->type) {
	case YAML_STREAM_END_EVENT:
		y->done = 1;
		return 0;
	case YAML_DOCUMENT_START_EVENT:
		y->document++;
		arena_reset(&y->doc_arena);
		y->depth = 0;
		return 0;
	case YAML_ALIAS_EVENT:
		return node_error(y, &e->start_mark,
				  "YAML aliases are not supported");
	case YAML_SCALAR_EVENT:
		n = new_node(y, KNODE_SCALAR, &e->start_mark);
		if (n == NULL)
			goto oom;
		n->plain = e->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
		if (e->data.scalar.tag != NULL &&
		    (n->tag = arena_strdup(current_arena(y),
					   (const char *)e->data.scalar.tag)) ==
			    NULL)
			goto oom;
		if (!is_null(e)) {
			n->value = arena_strndup(current_arena(y),
						 (const char *)e->data.scalar.value,
						 e->data.scalar.length);
			if (n->value == NULL)
				goto oom;
			n->len = e->data.scalar.length;
		}
		if (y->depth == 0 && n->value == NULL &&
		    !(y->flags & KYAML_DOCUMENTS))
			return 0; /* an empty document */
		rc = attach(y, n, &e->start_mark);
		if (rc == 1)
			*out = n;
		return rc;
	case YAML_MAPPING_START_EVENT:
	case YAML_SEQUENCE_START_EVENT:
		n = new_node(y,
			     e->type == YAML_MAPPING_START_EVENT ? KNODE_MAP
								 : KNODE_SEQ,
			     &e->start_mark);
		if (n == NULL)
			goto oom;
		key = y->depth > 0 ? y->stack[y->depth - 1].key : NULL;
		if (y->depth > 0 && !y->stack[y->depth - 1].items_seq &&
		    attach(y, n, &e->start_mark) < 0)
			return -1;
		return push(y, n, key, &e->start_mark);
	case YAML_MAPPING_END_EVENT:
	case YAML_SEQUENCE_END_EVENT:
		n = y->stack[--y->depth].node;
		/* Whole objects: a List's item, or a document's root. */
		if (y->depth == 0 || y->stack[y->depth - 1].items_seq) {
			if (y->depth == 0 && n->type == KNODE_MAP &&
			    !(y->flags & KYAML_DOCUMENTS) &&
			    knode_at(n, "items") != NULL &&
			    knode_at(n, "items")->type == KNODE_SEQ)
				return 0; /* a List: its items went out */
			*out = n;
			return 1;
		}
		return 0;
	default:
		return 0;
	}
oom:
	errmsg_set("%s: out of memory", y->name);
	return -1;
}

int kyaml_next(struct kyaml *y, const struct knode **obj)
{
	arena_reset(&y->item_arena);
	while (!y->done) {
		yaml_event_t e;
		int rc;

		if (!yaml_parser_parse(&y->parser, &e))
			return parse_error(y);
		rc = on_event(y, &e, obj);
		yaml_event_delete(&e);
		if (rc != 0)
			return rc;
	}
	return 0;
}

const struct knode *knode_at(const struct knode *n, const char *path)
{
	const char *p = path;

	while (n != NULL && *p != '\0') {
		const char *dot = strchr(p, '.');
		size_t len = dot ? (size_t)(dot - p) : strlen(p);
		const struct knode *next = NULL;

		if (n->type != KNODE_MAP)
			return NULL;
		for (size_t i = 0; i < n->n; i++)
			if (strlen(n->keys[i]->value) == len &&
			    memcmp(n->keys[i]->value, p, len) == 0) {
				next = n->items[i];
				break;
			}
		n = next;
		p += len + (dot ? 1 : 0);
	}
	return n;
}

/*
 * Go's strconv.ParseInt(s, 0, 64) (or, with is_unsigned, ParseUint(s, 0,
 * 64)), which kubectl's YAML library calls: a sign, then 0x, 0o, 0b or a
 * leading 0 (octal) or decimal digits.  Returns 0 and the value in *out
 * (a ParseUint past INT64_MAX as a double in *big), or -1 (not such a
 * number, or beyond the type).
 */
static int parse_go_int(const char *s, int is_unsigned, long long *out,
			double *big)
{
	unsigned long long v = 0, limit;
	int neg = 0, base = 10;

	if (*s == '+' || (*s == '-' && !is_unsigned))
		neg = *s++ == '-';
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		base = 16, s += 2;
	else if (s[0] == '0' && (s[1] == 'o' || s[1] == 'O'))
		base = 8, s += 2;
	else if (s[0] == '0' && (s[1] == 'b' || s[1] == 'B'))
		base = 2, s += 2;
	else if (s[0] == '0' && s[1] != '\0')
		base = 8, s++;
	if (*s == '\0')
		return -1;
	limit = is_unsigned ? ULLONG_MAX
		: neg	    ? (unsigned long long)LLONG_MAX + 1
			    : LLONG_MAX;
	for (; *s; s++) {
		int d;

		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (*s >= 'a' && *s <= 'f')
			d = *s - 'a' + 10;
		else if (*s >= 'A' && *s <= 'F')
			d = *s - 'A' + 10;
		else
			return -1;
		if (d >= base || v > (limit - (unsigned long long)d) / base)
			return -1;
		v = v * (unsigned long long)base + (unsigned long long)d;
	}
	if (is_unsigned && v > LLONG_MAX) {
		*big = (double)v;
		return 1;
	}
	*out = neg ? (long long)(0 - v) : (long long)v;
	return 0;
}

/* ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$: a YAML float. */
static int is_yaml_float(const char *s)
{
	int digits = 0;

	if (*s == '+' || *s == '-')
		s++;
	if (*s == '.') {
		for (s++; *s >= '0' && *s <= '9'; s++)
			digits++;
		if (digits == 0)
			return 0;
	} else {
		for (; *s >= '0' && *s <= '9'; s++)
			digits++;
		if (digits == 0)
			return 0;
		if (*s == '.')
			for (s++; *s >= '0' && *s <= '9'; s++)
				;
	}
	if (*s == 'e' || *s == 'E') {
		digits = 0;
		s++;
		if (*s == '+' || *s == '-')
			s++;
		for (; *s >= '0' && *s <= '9'; s++)
			digits++;
		if (digits == 0)
			return 0;
	}
	return *s == '\0';
}

static void set_number(struct kjson *out, double v)
{
	out->type = KJSON_NUMBER;
	out->number = v;
	/* The range first: a cast of a double beyond it is undefined. */
	out->integer = v >= -9007199254740992.0 && v <= 9007199254740992.0 &&
		       v == (double)(long long)v;
	out->i = out->integer ? (long long)v : 0;
}

/*
 * Resolves text as kubectl's YAML library does an untagged plain scalar
 * (gopkg.in/yaml.v2 resolve()).  Returns 0, or -1 for .inf and .nan.
 */
static int resolve_plain(const char *text, struct kjson *out)
{
	static const char *const yes[] = { "y", "Y", "yes", "Yes", "YES",
					   "on", "On", "ON", "true", "True",
					   "TRUE", NULL };
	static const char *const no[] = { "n", "N", "no", "No", "NO", "off",
					  "Off", "OFF", "false", "False",
					  "FALSE", NULL };
	static const char *const not_json[] = { ".nan", ".NaN", ".NAN",
						".inf", ".Inf", ".INF",
						NULL };
	char plain[512];
	size_t len = 0;
	long long iv;
	char *end;
	double f;
	int rc;

	memset(out, 0, sizeof(*out));
	out->type = KJSON_STRING;
	if (is_null_text(text)) {
		out->type = KJSON_NULL;
		return 0;
	}
	for (int i = 0; yes[i] != NULL; i++)
		if (strcmp(text, yes[i]) == 0 || strcmp(text, no[i]) == 0) {
			out->type = KJSON_BOOL;
			out->boolean = strcmp(text, yes[i]) == 0;
			return 0;
		}
	/* Its spellings exactly: .nAn is a string to kubectl. */
	for (int i = 0; not_json[i] != NULL; i++)
		if (strcmp(text, not_json[i]) == 0 ||
		    ((text[0] == '+' || text[0] == '-') && i >= 3 &&
		     strcmp(text + 1, not_json[i]) == 0)) {
			errmsg_set("%s is no number JSON can hold",
				   not_json[i]);
			return -1;
		}
	if (text[0] == '.') {
		if (is_yaml_float(text) && (f = strtod(text, &end), 1) &&
		    *end == '\0' && isfinite(f))
			set_number(out, f);
		/* ".5" and ".inf" alike never are ints. */
		return 0;
	}
	if (!((text[0] >= '0' && text[0] <= '9') || text[0] == '+' ||
	      text[0] == '-'))
		return 0;
	/* Underscores go first: 1_000 is a thousand, 0x_50 is 80. */
	for (const char *p = text; *p; p++) {
		if (*p == '_')
			continue;
		if (len + 1 >= sizeof(plain))
			return 0; /* longer than any number: a string */
		plain[len++] = *p;
	}
	plain[len] = '\0';
	if (parse_go_int(plain, 0, &iv, &f) == 0) {
		set_number(out, (double)iv);
		out->integer = 1;
		out->i = iv;
		out->yaml_int = 1;
		return 0;
	}
	if ((rc = parse_go_int(plain, 1, &iv, &f)) >= 0) {
		set_number(out, rc == 1 ? f : (double)iv);
		out->yaml_int = 1;
		return 0;
	}
	/*
	 * Beyond uint64, or 0080, 08, 8e1, 80.0: a float if it reads as one.
	 * 1e999 does not (Go says out of range), and stays a string; 1e-400
	 * does, as 0 (Go takes an underflow for a number).
	 */
	if (is_yaml_float(plain)) {
		f = strtod(plain, &end);
		if (*end == '\0' && isfinite(f))
			set_number(out, f);
	}
	return 0;
}

int knode_resolve(const struct knode *n, struct kjson *out)
{
	const char *tag = n->tag;
	const char *text = n->value ? n->value : "";

	memset(out, 0, sizeof(*out));
	if (n->type != KNODE_SCALAR) {
		errmsg_set("not a scalar");
		return -1;
	}
	if (n->value == NULL) {
		out->type = KJSON_NULL;
		return 0;
	}
	if (tag == NULL) {
		if (!n->plain) {
			out->type = KJSON_STRING;
			return 0;
		}
		return resolve_plain(text, out);
	}
	/* A local tag (!foo) is no type: the text goes as a string. */
	if (strncmp(tag, TAG_PREFIX, strlen(TAG_PREFIX)) != 0 ||
	    strcmp(tag, TAG_PREFIX "str") == 0) {
		out->type = KJSON_STRING;
		return 0;
	}
	tag += strlen(TAG_PREFIX);
	if (resolve_plain(text, out) < 0)
		return -1;
	if ((strcmp(tag, "int") == 0 && out->type == KJSON_NUMBER &&
	     out->yaml_int) ||
	    (strcmp(tag, "float") == 0 && out->type == KJSON_NUMBER) ||
	    (strcmp(tag, "bool") == 0 && out->type == KJSON_BOOL))
		return 0;
	errmsg_set("a scalar cannot be read as its tag says (!!%.16s)", tag);
	return -1;
}

/*
 * A double as Go's strconv.FormatFloat(v, 'g', -1, 64) writes it: the
 * shortest digits that read back as v, in exponent form when the exponent
 * is below -4 or 6 and above (1e+06, 1e-05, 0.5, 80).
 */
static void format_go_float(double v, char *buf, size_t size)
{
	char e[40];
	int digits, exp;

	for (digits = 1; digits < 17; digits++) {
		snprintf(e, sizeof(e), "%.*e", digits - 1, v);
		if (strtod(e, NULL) == v)
			break;
	}
	snprintf(e, sizeof(e), "%.*e", digits - 1, v);
	exp = atoi(strchr(e, 'e') + 1);
	if (exp < -4 || exp >= 6)
		snprintf(buf, size, "%s", e);
	else
		snprintf(buf, size, "%.*f",
			 digits - 1 - exp > 0 ? digits - 1 - exp : 0, v);
}

const char *knode_key_text(const struct knode *key, struct arena *a)
{
	char buf[64];
	struct kjson v;

	if (key->type != KNODE_SCALAR || knode_resolve(key, &v) < 0)
		return NULL;
	switch (v.type) {
	case KJSON_STRING:
		return key->value;
	case KJSON_BOOL:
		return v.boolean ? "true" : "false";
	case KJSON_NULL:
		errmsg_set("a null map key, which kubectl cannot send");
		return NULL;
	case KJSON_NUMBER:
		if (v.yaml_int && v.integer)
			snprintf(buf, sizeof(buf), "%lld", v.i);
		else
			format_go_float(v.number, buf, sizeof(buf));
		break;
	}
	if ((key = (const struct knode *)arena_strdup(a, buf)) == NULL)
		errmsg_set("out of memory");
	return (const char *)key;
}

int knode_is_null(const struct knode *n)
{
	return n == NULL || (n->type == KNODE_SCALAR && n->value == NULL);
}

const char *knode_str(const struct knode *n, const char *path)
{
	n = knode_at(n, path);
	return n != NULL && n->type == KNODE_SCALAR ? n->value : NULL;
}

struct knode *knode_copy(struct arena *a, const struct knode *n)
{
	struct knode *c = arena_alloc(a, sizeof(*c));

	if (c == NULL)
		return NULL;
	*c = *n;
	if (n->value != NULL &&
	    (c->value = arena_strndup(a, n->value, n->len)) == NULL)
		return NULL;
	if (n->tag != NULL && (c->tag = arena_strdup(a, n->tag)) == NULL)
		return NULL;
	if (n->n == 0)
		return c;
	c->items = arena_alloc(a, n->n * sizeof(*c->items));
	if (c->items == NULL)
		return NULL;
	if (n->keys != NULL) {
		c->keys = arena_alloc(a, n->n * sizeof(*c->keys));
		if (c->keys == NULL)
			return NULL;
	}
	for (size_t i = 0; i < n->n; i++) {
		if ((c->items[i] = knode_copy(a, n->items[i])) == NULL ||
		    (n->keys != NULL &&
		     (c->keys[i] = knode_copy(a, n->keys[i])) == NULL))
			return NULL;
	}
	return c;
}

int kyaml_parse_text(const char *text, struct arena *a,
		     const struct knode **out)
{
	FILE *fp = fmemopen((void *)text, strlen(text), "r");
	const struct knode *root = NULL;
	struct kyaml *y = NULL;
	int rc = -1;

	if (fp == NULL) {
		errmsg_set("out of memory");
		return -1;
	}
	if (kyaml_open(fp, "<text>", 0, &y) < 0)
		goto out;
	rc = kyaml_next(y, &root);
	if (rc < 0)
		goto out;
	*out = NULL;
	if (rc == 1 && (*out = knode_copy(a, root)) == NULL) {
		errmsg_set("out of memory");
		rc = -1;
		goto out;
	}
	rc = 0;
out:
	kyaml_close(y);
	fclose(fp);
	return rc;
}

int kyaml_document(const struct kyaml *y)
{
	return y->document;
}
