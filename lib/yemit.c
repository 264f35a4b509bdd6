/*
 * yemit: a thin, checked layer over libyaml's emitter, and a JSON writer
 * driven by the same calls (yemit.h).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "podflow/errmsg.h"
#include "podflow/yemit.h"

/* Deeper than any object podflow writes; past it, a failure. */
#define JSON_MAX_DEPTH 32

/* An open JSON map or sequence: its closing bracket, the items so far. */
struct json_frame {
	char close;
	size_t n;
};

struct yemit {
	enum yemit_format format;
	yaml_emitter_t emitter;
	yaml_event_t event; /* filled, then handed to libyaml, which owns it */
	FILE *out;
	int failed;
	struct json_frame stack[JSON_MAX_DEPTH]; /* JSON: the open containers */
	size_t depth;
};

static int write_handler(void *data, unsigned char *buffer, size_t size)
{
	struct yemit *y = data;

	return fwrite(buffer, 1, size, y->out) == size;
}

/* Emits y->event; ok is the result of the call that filled it. */
static void emit(struct yemit *y, int ok)
{
	if (y->failed)
		return;
	if (!ok || !yaml_emitter_emit(&y->emitter, &y->event)) {
		y->failed = 1;
		errmsg_set("writing YAML: %s",
			   y->emitter.problem ? y->emitter.problem
					      : "out of memory");
	}
}

static void json_failed(struct yemit *y, const char *why)
{
	if (!y->failed)
		errmsg_set("writing JSON: %s", why);
	y->failed = 1;
}

static void json_write(struct yemit *y, const char *s, size_t len)
{
	if (!y->failed && fwrite(s, 1, len, y->out) != len)
		json_failed(y, "output error");
}

static void json_puts(struct yemit *y, const char *s)
{
	json_write(y, s, strlen(s));
}

static void json_newline(struct yemit *y, size_t depth)
{
	static const char spaces[] = "                ";

	json_write(y, "\n", 1);
	for (size_t i = 0; i < depth; i++)
		json_write(y, spaces, 4);
}

/*
 * What goes before an item: the comma and newline of a sequence item or
 * a map key; ": " is written after the key, so a value needs nothing.
 */
static void json_item(struct yemit *y)
{
	struct json_frame *f;

	if (y->depth == 0)
		return;
	f = &y->stack[y->depth - 1];
	if (f->close == ']' || f->n % 2 == 0) {
		if (f->n > 0)
			json_write(y, ",", 1);
		json_newline(y, y->depth);
	}
	f->n++;
}

/* After an item: the key's ": ", or the newline that ends a top value. */
static void json_after(struct yemit *y)
{
	struct json_frame *f;

	if (y->depth == 0) {
		json_write(y, "\n", 1);
		return;
	}
	f = &y->stack[y->depth - 1];
	if (f->close == '}' && f->n % 2 == 1)
		json_write(y, ": ", 2);
}

static void json_open(struct yemit *y, char open, char close)
{
	json_item(y);
	if (y->depth == JSON_MAX_DEPTH) {
		json_failed(y, "nested too deeply");
		return;
	}
	json_write(y, &open, 1);
	y->stack[y->depth++] = (struct json_frame){ close, 0 };
}

static void json_close(struct yemit *y)
{
	struct json_frame *f;

	if (y->depth == 0) {
		json_failed(y, "nothing to close");
		return;
	}
	f = &y->stack[--y->depth];
	if (f->n > 0)
		json_newline(y, y->depth);
	json_write(y, &f->close, 1);
	json_after(y);
}

/* The length of the UTF-8 sequence at s (at most len bytes), 0 if none. */
static size_t utf8_len(const unsigned char *s, size_t len)
{
	size_t n;
	unsigned cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (n > len)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* Overlong forms, surrogates and past U+10FFFF are no characters. */
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return n;
}

/*
 * A JSON string: quotes, backslashes and control characters escaped, and
 * what is not UTF-8 replaced by U+FFFD, as Go's encoder does, so that any
 * reader takes it.
 */
static void json_string(struct yemit *y, const char *text)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t len = strlen(text), n;
	char esc[8];

	json_write(y, "\"", 1);
	for (size_t i = 0; i < len; i += n) {
		n = utf8_len(s + i, len - i);
		if (n == 0) {
			json_puts(y, "\xef\xbf\xbd");
			n = 1;
		} else if (s[i] == '"' || s[i] == '\\') {
			esc[0] = '\\';
			esc[1] = (char)s[i];
			json_write(y, esc, 2);
		} else if (s[i] < 0x20 || s[i] == 0x7f) {
			snprintf(esc, sizeof(esc), "\\u%04x", s[i]);
			json_puts(y, esc);
		} else {
			json_write(y, text + i, n);
		}
	}
	json_write(y, "\"", 1);
}

/* A scalar written as it is (a number, true, false). */
static void json_bare(struct yemit *y, const char *s)
{
	json_item(y);
	json_puts(y, s);
	json_after(y);
}

struct yemit *yemit_open(FILE *out, enum yemit_format format)
{
	struct yemit *y = calloc(1, sizeof(*y));

	if (y == NULL)
		return NULL;
	y->out = out;
	y->format = format;
	if (format == YEMIT_JSON)
		return y;
	yaml_emitter_initialize(&y->emitter);
	yaml_emitter_set_output(&y->emitter, write_handler, y);
	yaml_emitter_set_indent(&y->emitter, 2);
	yaml_emitter_set_width(&y->emitter, -1); /* never fold long lines */
	yaml_emitter_set_unicode(&y->emitter, 1);
	emit(y,
	     yaml_stream_start_event_initialize(&y->event, YAML_UTF8_ENCODING));
	return y;
}

int yemit_close(struct yemit *y)
{
	int failed;

	if (y->format == YEMIT_JSON) {
		if (y->depth > 0)
			json_failed(y, "a map or sequence left open");
		if (!y->failed && fflush(y->out) != 0)
			json_failed(y, "output error");
		failed = y->failed;
		free(y);
		return failed ? -1 : 0;
	}
	emit(y, yaml_stream_end_event_initialize(&y->event));
	if (!y->failed && !yaml_emitter_flush(&y->emitter)) {
		y->failed = 1;
		errmsg_set("writing YAML: %s", "output error");
	}
	failed = y->failed;
	yaml_emitter_delete(&y->emitter);
	free(y);
	return failed ? -1 : 0;
}

void yemit_free(struct yemit *y)
{
	if (y == NULL)
		return;
	if (y->format == YEMIT_YAML)
		yaml_emitter_delete(&y->emitter);
	free(y);
}

void yemit_doc_begin(struct yemit *y)
{
	if (y->format == YEMIT_JSON)
		return;
	emit(y, yaml_document_start_event_initialize(&y->event, NULL, NULL,
						     NULL, 0));
}

void yemit_doc_end(struct yemit *y)
{
	if (y->format == YEMIT_JSON)
		return;
	emit(y, yaml_document_end_event_initialize(&y->event, 1));
}

void yemit_map_begin(struct yemit *y)
{
	if (y->format == YEMIT_JSON) {
		json_open(y, '{', '}');
		return;
	}
	emit(y, yaml_mapping_start_event_initialize(&y->event, NULL, NULL, 1,
						    YAML_BLOCK_MAPPING_STYLE));
}

void yemit_map_end(struct yemit *y)
{
	if (y->format == YEMIT_JSON) {
		json_close(y);
		return;
	}
	emit(y, yaml_mapping_end_event_initialize(&y->event));
}

void yemit_seq_begin(struct yemit *y)
{
	if (y->format == YEMIT_JSON) {
		json_open(y, '[', ']');
		return;
	}
	emit(y, yaml_sequence_start_event_initialize(
		    &y->event, NULL, NULL, 1, YAML_BLOCK_SEQUENCE_STYLE));
}

void yemit_seq_end(struct yemit *y)
{
	if (y->format == YEMIT_JSON) {
		json_close(y);
		return;
	}
	emit(y, yaml_sequence_end_event_initialize(&y->event));
}

/*
 * Plain scalars YAML 1.1 or 1.2 readers would not take for a string:
 * numbers, booleans (yes/no/on/off too), null, and the empty string.
 */
static int needs_quotes(const char *s)
{
	static const char *const words[] = {
		"true", "false", "yes", "no", "on", "off", "y", "n",
		"null", "~", "True", "False", "Yes", "No", "On", "Off",
		"TRUE", "FALSE", "YES", "NO", "ON", "OFF", "Null", "NULL",
		"Y", "N",
		/* The special floats, and YAML 1.1's merge and value keys. */
		".inf", ".Inf", ".INF", "-.inf", "-.Inf", "-.INF", "+.inf",
		"+.Inf", "+.INF", ".nan", ".NaN", ".NAN", "<<", "=",
	};
	size_t len = strlen(s);
	char *end;

	if (len == 0)
		return 1;
	/* No word is over five characters long; most keys and values are. */
	for (size_t i = 0; len <= 5 && i < sizeof(words) / sizeof(words[0]);
	     i++)
		if (strcmp(s, words[i]) == 0)
			return 1;
	/* Of words, strtod() takes inf, infinity and nan only (any case). */
	if (!isalpha((unsigned char)s[0]) || strchr("iInN", s[0]) != NULL) {
		strtod(s, &end);
		if (*end == '\0')
			return 1;
	}
	/* Octal, hex and sexagesimal forms, and timestamps, of YAML 1.1. */
	return strspn(s, "0123456789:._+-xXoObB") == len ||
	       (s[0] >= '0' && s[0] <= '9' &&
		strspn(s, "0123456789-:.TtZz +") == len);
}

static void scalar(struct yemit *y, const char *s, yaml_scalar_style_t style)
{
	emit(y, yaml_scalar_event_initialize(&y->event, NULL, NULL,
					     (yaml_char_t *)s, (int)strlen(s),
					     1, 1, style));
}

void yemit_str(struct yemit *y, const char *s)
{
	if (y->format == YEMIT_JSON) {
		json_item(y);
		json_string(y, s);
		json_after(y);
		return;
	}
	scalar(y, s,
	       needs_quotes(s) ? YAML_DOUBLE_QUOTED_SCALAR_STYLE
			       : YAML_ANY_SCALAR_STYLE);
}

void yemit_int(struct yemit *y, int64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%lld", (long long)v);
	if (y->format == YEMIT_JSON)
		json_bare(y, buf);
	else
		scalar(y, buf, YAML_PLAIN_SCALAR_STYLE);
}

void yemit_bool(struct yemit *y, int v)
{
	if (y->format == YEMIT_JSON)
		json_bare(y, v ? "true" : "false");
	else
		scalar(y, v ? "true" : "false", YAML_PLAIN_SCALAR_STYLE);
}

void yemit_kv_str(struct yemit *y, const char *key, const char *value)
{
	yemit_str(y, key);
	yemit_str(y, value);
}

void yemit_kv_int(struct yemit *y, const char *key, int64_t value)
{
	yemit_str(y, key);
	yemit_int(y, value);
}

void yemit_comment(struct yemit *y, const char *text)
{
	if (y->failed || y->format == YEMIT_JSON)
		return;
	if (!yaml_emitter_flush(&y->emitter) ||
	    fprintf(y->out, "# %s\n", text) < 0) {
		y->failed = 1;
		errmsg_set("writing YAML: %s", "output error");
	}
}
