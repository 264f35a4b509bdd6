/*
 * sdb: statements over SQLite, run directly, or a backend (sdb.h).
 *
 * For a backend, this file keeps the bound parameters as text and reads
 * its columns from text, as PostgreSQL's text protocol gives them: the
 * one parser of numbers is here, not in each backend.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sdb.h"

static void set_err(struct sdb *db, const char *msg)
{
	char *copy = strdup(msg);

	free(db->err);
	db->err = copy;
}

/* The end of a quoted run from p (at its quote q), past the closing one. */
static const char *skip_quoted(const char *p, char q)
{
	for (p++; *p != '\0'; p++)
		if (*p == q) {
			if (p[1] != q) /* '' is a quote inside */
				return p + 1;
			p++;
		}
	return p;
}

/* PostgreSQL's $tag$...$tag$ from p (at its '$'), or p when it is none. */
static const char *skip_dollar(const char *p)
{
	const char *t = p + 1, *end;
	size_t n;

	while ((*t >= 'a' && *t <= 'z') || (*t >= 'A' && *t <= 'Z') ||
	       *t == '_' || (t > p + 1 && *t >= '0' && *t <= '9'))
		t++;
	if (*t != '$' || (t > p + 1 && p[1] >= '0' && p[1] <= '9'))
		return p; /* a parameter, $1 */
	n = (size_t)(t - p) + 1;
	for (end = t + 1; *end != '\0'; end++)
		if (strncmp(end, p, n) == 0)
			return end + n;
	return end;
}

size_t sdb_statement_length(const char *sql)
{
	const char *p = sql;

	while (*p != '\0') {
		if (*p == '\'' || *p == '"')
			p = skip_quoted(p, *p);
		else if (p[0] == '-' && p[1] == '-')
			p += strcspn(p, "\n");
		else if (p[0] == '/' && p[1] == '*') {
			const char *e = strstr(p + 2, "*/");

			p = e != NULL ? e + 2 : p + strlen(p);
		} else if (*p == '$' && skip_dollar(p) != p)
			p = skip_dollar(p);
		else if (*p++ == ';')
			break;
	}
	return (size_t)(p - sql);
}

/* Whether sql[0..len) is only blanks, comments and a ';'. */
static int blank(const char *sql, size_t len)
{
	const char *p = sql, *end = sql + len;

	while (p < end) {
		if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' ||
		    *p == ';')
			p++;
		else if (p[0] == '-' && p + 1 < end && p[1] == '-')
			while (p < end && *p != '\n')
				p++;
		else if (p[0] == '/' && p + 1 < end && p[1] == '*') {
			const char *e = strstr(p + 2, "*/");

			p = e != NULL && e + 2 <= end ? e + 2 : end;
		} else
			return 0;
	}
	return 1;
}

int sdb_prepare(struct sdb *db, const char *sql, struct sdb_stmt **st,
		const char **tail)
{
	struct sdb_stmt *s;
	const char *end = NULL;

	*st = NULL;
	s = calloc(1, sizeof(*s));
	if (s == NULL) {
		if (db->lite == NULL)
			set_err(db, "out of memory");
		return -1;
	}
	s->db = db;
	if (db->lite != NULL) {
		if (sqlite3_prepare_v3(db->lite, sql, -1,
				       SQLITE_PREPARE_PERSISTENT, &s->lite,
				       &end) != SQLITE_OK) {
			free(s);
			return -1;
		}
		if (tail != NULL)
			*tail = end;
		if (s->lite == NULL) {
			free(s);
			return 0;
		}
		*st = s;
		return 0;
	}
	sql = db->be->form(sql);
	/* As SQLite: what is only blanks and comments is no statement. */
	while (*sql != '\0') {
		size_t len = sdb_statement_length(sql);

		if (!blank(sql, len)) {
			if (db->be->prepare(db, sql, len, s) < 0) {
				free(s);
				return -1;
			}
			if (tail != NULL)
				*tail = sql + len;
			*st = s;
			return 0;
		}
		sql += len;
	}
	free(s);
	if (tail != NULL)
		*tail = sql;
	return 0;
}

static int bind_slot(struct sdb_stmt *st, int i, char *text, int is_null)
{
	if (i < 1 || i > st->n_params) {
		free(text);
		set_err(st->db, "parameter index out of range");
		return -1;
	}
	if (!is_null && text == NULL) {
		set_err(st->db, "out of memory");
		return -1;
	}
	free(st->params[i - 1]);
	st->params[i - 1] = text;
	return 0;
}

int sdb_bind_int64(struct sdb_stmt *st, int i, int64_t v)
{
	char buf[24];

	if (st->lite != NULL)
		return sqlite3_bind_int64(st->lite, i, v) == SQLITE_OK ? 0 : -1;
	snprintf(buf, sizeof(buf), "%lld", (long long)v);
	return bind_slot(st, i, strdup(buf), 0);
}

int sdb_bind_text(struct sdb_stmt *st, int i, const char *text)
{
	if (text == NULL)
		return sdb_bind_null(st, i);
	if (st->lite != NULL)
		return sqlite3_bind_text(st->lite, i, text, -1,
					 SQLITE_TRANSIENT) == SQLITE_OK
			       ? 0
			       : -1;
	return bind_slot(st, i, strdup(text), 0);
}

int sdb_bind_null(struct sdb_stmt *st, int i)
{
	if (st->lite != NULL)
		return sqlite3_bind_null(st->lite, i) == SQLITE_OK ? 0 : -1;
	return bind_slot(st, i, NULL, 1);
}

int sdb_bind_count(struct sdb_stmt *st)
{
	if (st->lite != NULL)
		return sqlite3_bind_parameter_count(st->lite);
	return st->n_params;
}

void sdb_clear_bindings(struct sdb_stmt *st)
{
	if (st->lite != NULL) {
		sqlite3_clear_bindings(st->lite);
		return;
	}
	for (int i = 0; i < st->n_params; i++) {
		free(st->params[i]);
		st->params[i] = NULL;
	}
}

void sdb_stream(struct sdb_stmt *st)
{
	if (st != NULL && st->lite == NULL && st->db->be->stream != NULL)
		st->db->be->stream(st);
}

int sdb_step(struct sdb_stmt *st)
{
	int rc;

	if (st->lite == NULL)
		return st->db->be->step(st);
	rc = sqlite3_step(st->lite);
	if (rc == SQLITE_ROW)
		return SDB_ROW;
	if (rc == SQLITE_DONE) {
		st->db->changes = sqlite3_changes64(st->db->lite);
		return SDB_DONE;
	}
	return -1;
}

/*
 * A backend's text as an integer, as SQLite reads a column: booleans
 * (PostgreSQL's t and f) as 1 and 0, a fraction cut, NULL as 0.
 */
static int64_t text_int64(const char *v)
{
	char *end;
	long long n;

	if (v == NULL)
		return 0;
	if (v[0] == 't' && v[1] == '\0')
		return 1;
	if (v[0] == 'f' && v[1] == '\0')
		return 0;
	errno = 0;
	n = strtoll(v, &end, 10);
	if (*end == '.' || *end == 'e' || *end == 'E') {
		double d = strtod(v, NULL);

		if (d >= 9.2233720368547758e18)
			return INT64_MAX;
		if (d <= -9.2233720368547758e18)
			return INT64_MIN;
		return (int64_t)d;
	}
	return n;
}

int64_t sdb_column_int64(struct sdb_stmt *st, int i)
{
	if (st->lite != NULL)
		return sqlite3_column_int64(st->lite, i);
	return text_int64(st->db->be->value(st, i));
}

int sdb_column_int(struct sdb_stmt *st, int i)
{
	if (st->lite != NULL)
		return sqlite3_column_int(st->lite, i);
	return (int)text_int64(st->db->be->value(st, i));
}

double sdb_column_double(struct sdb_stmt *st, int i)
{
	const char *v;

	if (st->lite != NULL)
		return sqlite3_column_double(st->lite, i);
	v = st->db->be->value(st, i);
	if (v == NULL)
		return 0;
	if (v[0] == 't' && v[1] == '\0')
		return 1;
	return strtod(v, NULL);
}

const char *sdb_column_text(struct sdb_stmt *st, int i)
{
	if (st->lite != NULL)
		return (const char *)sqlite3_column_text(st->lite, i);
	return st->db->be->value(st, i);
}

int sdb_column_is_null(struct sdb_stmt *st, int i)
{
	if (st->lite != NULL)
		return sqlite3_column_type(st->lite, i) == SQLITE_NULL;
	return st->db->be->value(st, i) == NULL;
}

int sdb_column_count(struct sdb_stmt *st)
{
	if (st->lite != NULL)
		return sqlite3_column_count(st->lite);
	return st->db->be->columns(st);
}

void sdb_reset(struct sdb_stmt *st)
{
	if (st == NULL)
		return;
	if (st->lite != NULL)
		sqlite3_reset(st->lite);
	else
		st->db->be->reset(st);
}

void sdb_finalize(struct sdb_stmt *st)
{
	if (st == NULL)
		return;
	if (st->lite != NULL)
		sqlite3_finalize(st->lite);
	else
		st->db->be->finalize(st);
	for (int i = 0; i < st->n_params; i++)
		free(st->params[i]);
	free(st->params);
	free(st);
}

int sdb_exec(struct sdb *db, const char *sql)
{
	if (db->lite != NULL)
		return sqlite3_exec(db->lite, sql, NULL, NULL, NULL) ==
				       SQLITE_OK
			       ? 0
			       : -1;
	return db->be->exec(db, sql);
}

int sdb_begin(struct sdb *db, int write)
{
	if (db->lite != NULL)
		return sdb_exec(db, write ? "BEGIN IMMEDIATE" : "BEGIN");
	return db->be->begin(db, write);
}

int sdb_commit(struct sdb *db)
{
	return sdb_exec(db, "COMMIT");
}

void sdb_rollback(struct sdb *db)
{
	int open = db->lite != NULL ? !sqlite3_get_autocommit(db->lite)
				    : db->be->in_transaction(db);
	char *err;

	if (!open)
		return;
	/* The failure's message is what the caller reports, not this. */
	err = db->err;
	db->err = NULL;
	sdb_exec(db, "ROLLBACK");
	free(db->err);
	db->err = err;
}

int64_t sdb_changes(struct sdb *db)
{
	if (db->lite != NULL)
		return sqlite3_changes64(db->lite);
	return db->changes;
}

const char *sdb_errmsg(struct sdb *db)
{
	if (db->lite != NULL)
		return sqlite3_errmsg(db->lite);
	return db->err != NULL ? db->err : "unknown error";
}

int sdb_set_scope(struct sdb *db, const char *scope)
{
	char *copy = NULL;

	if (scope != NULL && (copy = strdup(scope)) == NULL) {
		set_err(db, "out of memory");
		return -1;
	}
	free(db->scope);
	db->scope = copy;
	return 0;
}

void sdb_close(struct sdb *db)
{
	if (db->lite != NULL)
		sqlite3_close(db->lite);
	else if (db->be != NULL)
		db->be->close(db);
	db->lite = NULL;
	db->be = NULL;
	free(db->err);
	db->err = NULL;
	free(db->scope);
	db->scope = NULL;
}
