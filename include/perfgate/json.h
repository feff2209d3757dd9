/* json.h - cJSON plumbing: located parse errors, checked getters, exact numbers */
#ifndef PERFGATE_JSON_H
#define PERFGATE_JSON_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdio.h>

/*
 * Parse len bytes of text. On failure PG_EINPUT with "ORIGIN: line L,
 * column C: not valid JSON" (or "... ends early" when truncated).
 * The tree is freed by the caller with cJSON_Delete.
 */
int pg_json_parse(cJSON **out, const char *text, size_t len, const char *origin);

/* Read and parse a file; errors name the path. */
int pg_json_read_file(cJSON **out, const char *path);

/* Print compact (pretty = 0) or indented; caller frees. NULL on ENOMEM. */
char *pg_json_print(const cJSON *json, int pretty);

/* Print indented and ending in a newline, as a file holds it; caller frees. NULL on ENOMEM. */
char *pg_json_print_file(const cJSON *json);

/* value as pg_json_number writes it ("null" when not finite) into buf; returns its length. */
size_t pg_json_format_number(char buf[40], double value);

/*
 * A number node that prints the shortest text reading back to exactly the
 * same double (cJSON's own printing may lose the last bit). Non-finite
 * values become null. Returns NULL on ENOMEM.
 */
cJSON *pg_json_number(double value);

/*
 * Streaming, for documents too large to build as a tree: a number as
 * pg_json_number prints it (non-finite: null); a string (NULL: null) with
 * < > & escaped as \u too, so the text stays inert when inlined in a page.
 */
void pg_json_write_number(FILE *out, double value);
void pg_json_write_string(FILE *out, const char *s);

/*
 * A document written as it goes, without a tree: laid out byte for byte as
 * cJSON prints the same tree (pretty: cJSON_Print's tabs, else
 * cJSON_PrintUnformatted), numbers as pg_json_number, strings as cJSON
 * escapes them. key is the member's name inside an object, NULL in an array
 * or for the document itself. A failed allocation is remembered and
 * reported by pg_json_writer_finish.
 */
typedef struct pg_json_writer {
	char *text;
	size_t len, cap;
	FILE *sink;      /* a writer to a file: the text goes there, a few KiB at a time */
	int write_errno; /* why writing to sink failed */
	int pretty, depth, failed;
	unsigned long long arrays, used; /* per depth: an array / has an item */
} pg_json_writer;

void pg_json_writer_init(pg_json_writer *w, int pretty);
/* A writer that writes to sink as it goes instead of keeping the document: finish with out NULL. */
void pg_json_writer_init_file(pg_json_writer *w, int pretty, FILE *sink);
void pg_json_writer_open(pg_json_writer *w, const char *key, char bracket); /* '{' or '[' */
void pg_json_writer_close(pg_json_writer *w);
void pg_json_writer_string(pg_json_writer *w, const char *key, const char *value); /* NULL: null */
void pg_json_writer_number(pg_json_writer *w, const char *key, double value);
void pg_json_writer_bool(pg_json_writer *w, const char *key, int value);
/*
 * The text into *out (NUL-terminated, *len its length if len) for the caller to
 * free; for a writer to a file, the rest of the text to it, flushed (out is
 * then NULL). 0 or the error (PG_ESYSTEM naming a failed write).
 */
int pg_json_writer_finish(pg_json_writer *w, char **out, size_t *len);

/* Add a number (as above) / a string or null to an object. Return 0 or PG_ENOMEM. */
int pg_json_add_number(cJSON *object, const char *key, double value);
int pg_json_add_string(cJSON *object, const char *key, const char *value);

/* Name of a JSON type for messages: "a string", "an object", ... */
const char *pg_json_type_name(const cJSON *item);

/*
 * Checked access. `where` is "ORIGIN: $.path" for messages. A missing key
 * is an error only when required; then *out is left alone and 1 is
 * returned (0 when found). Errors are PG_EINPUT naming where, the key and
 * what was expected.
 */
int pg_json_object(const cJSON *item, const char *where);
int pg_json_get_string(const char **out, const cJSON *obj, const char *key, int required,
		       const char *where);
int pg_json_get_number(double *out, const cJSON *obj, const char *key, int required,
		       const char *where);
int pg_json_get_bool(int *out, const cJSON *obj, const char *key, int required,
		     const char *where);
int pg_json_get_array(const cJSON **out, const cJSON *obj, const char *key, int required,
		      const char *where);

/* PG_EINPUT naming the first key of obj not in the NULL-terminated list. */
int pg_json_check_keys(const cJSON *obj, const char *const *allowed, const char *where);

#endif
