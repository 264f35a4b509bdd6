/*
 * yemit: a thin, checked layer over libyaml's emitter (yemit.h).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "podflow/errmsg.h"
#include "podflow/yemit.h"

struct yemit {
	yaml_emitter_t emitter;
	yaml_event_t event; /* filled, then handed to libyaml, which owns it */
	FILE *out;
	int failed;
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

struct yemit *yemit_open(FILE *out)
{
	struct yemit *y = calloc(1, sizeof(*y));

	if (y == NULL)
		return NULL;
	y->out = out;
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

void yemit_doc_begin(struct yemit *y)
{
	emit(y, yaml_document_start_event_initialize(&y->event, NULL, NULL,
						     NULL, 0));
}

void yemit_doc_end(struct yemit *y)
{
	emit(y, yaml_document_end_event_initialize(&y->event, 1));
}

void yemit_map_begin(struct yemit *y)
{
	emit(y, yaml_mapping_start_event_initialize(&y->event, NULL, NULL, 1,
						    YAML_BLOCK_MAPPING_STYLE));
}

void yemit_map_end(struct yemit *y)
{
	emit(y, yaml_mapping_end_event_initialize(&y->event));
}

void yemit_seq_begin(struct yemit *y)
{
	emit(y, yaml_sequence_start_event_initialize(
		    &y->event, NULL, NULL, 1, YAML_BLOCK_SEQUENCE_STYLE));
}

void yemit_seq_end(struct yemit *y)
{
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
	scalar(y, s,
	       needs_quotes(s) ? YAML_DOUBLE_QUOTED_SCALAR_STYLE
			       : YAML_ANY_SCALAR_STYLE);
}

void yemit_int(struct yemit *y, int64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%lld", (long long)v);
	scalar(y, buf, YAML_PLAIN_SCALAR_STYLE);
}

void yemit_bool(struct yemit *y, int v)
{
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
	if (y->failed)
		return;
	if (!yaml_emitter_flush(&y->emitter) ||
	    fprintf(y->out, "# %s\n", text) < 0) {
		y->failed = 1;
		errmsg_set("writing YAML: %s", "output error");
	}
}
