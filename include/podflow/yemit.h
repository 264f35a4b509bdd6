/*
 * yemit: structured output, as YAML or JSON, from one sequence of calls.
 *
 * YAML goes through libyaml's emitter: block style, two-space indent, and
 * strings quoted whenever they could read as another type.  JSON is
 * written as kubectl's -o json writes it: four-space indent, "{}" and
 * "[]" when empty, a newline after each top-level value; documents mark
 * nothing and comments are left out, JSON having neither.
 *
 * Calls may be chained without checks: the first failure is remembered
 * and reported by yemit_close().
 */
#ifndef PODFLOW_YEMIT_H
#define PODFLOW_YEMIT_H

#include <stdint.h>
#include <stdio.h>

struct yemit;

enum yemit_format {
	YEMIT_YAML,
	YEMIT_JSON,
};

/*
 * Starts a stream in format on out (the caller's).  NULL when out of
 * memory.
 */
struct yemit *yemit_open(FILE *out, enum yemit_format format);

/*
 * Ends the stream and frees the emitter.  Returns 0, or -1 with errmsg if
 * anything failed on the way.
 */
int yemit_close(struct yemit *y);

/*
 * Frees the emitter of a stream left unfinished, on a failure's way out:
 * errmsg stays the failure's.  NULL is a no-op.
 */
void yemit_free(struct yemit *y);

void yemit_doc_begin(struct yemit *y);
void yemit_doc_end(struct yemit *y);
void yemit_map_begin(struct yemit *y);
void yemit_map_end(struct yemit *y);
void yemit_seq_begin(struct yemit *y);
void yemit_seq_end(struct yemit *y);

/* A string, quoted if a YAML reader would take it for anything else. */
void yemit_str(struct yemit *y, const char *s);

void yemit_int(struct yemit *y, int64_t v);
void yemit_bool(struct yemit *y, int v);

/* A key and its string or integer value, in a map. */
void yemit_kv_str(struct yemit *y, const char *key, const char *value);
void yemit_kv_int(struct yemit *y, const char *key, int64_t value);

/*
 * A comment line, where libyaml cannot: only between documents.  Nothing
 * in JSON.
 */
void yemit_comment(struct yemit *y, const char *text);

#endif
