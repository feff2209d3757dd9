/* json_writer.c - JSON written as it goes, laid out as cJSON prints it: a result set too big for a tree */
#include "perfgate/error.h"
#include "perfgate/json.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 64
/* The first buffer: a writer to a file writes out its text when it is full, and grows it only for a longer string. */
#define FIRST_BYTES 4096

/* The text so far to the sink (a writer to a file); 0, or -1 once a write failed. */
static int drain(pg_json_writer *w)
{
	if (w->len && fwrite(w->text, 1, w->len, w->sink) != w->len) {
		w->failed = 3;
		w->write_errno = errno;
		return -1;
	}
	w->len = 0;
	return 0;
}

/* Room for n more bytes and the final NUL; 0, or -1 once an allocation or a write failed. */
static int reserve(pg_json_writer *w, size_t n)
{
	if (w->failed)
		return -1;
	if (w->len + n + 1 <= w->cap)
		return 0;
	if (w->sink && drain(w))
		return -1;
	if (w->len + n + 1 <= w->cap)
		return 0;
	size_t cap = w->cap ? w->cap : FIRST_BYTES;
	while (cap < w->len + n + 1)
		cap *= 2;
	char *grown = realloc(w->text, cap);
	if (!grown) {
		w->failed = 1;
		return -1;
	}
	w->text = grown;
	w->cap = cap;
	return 0;
}

static void put(pg_json_writer *w, const char *bytes, size_t n)
{
	if (reserve(w, n) == 0) {
		memcpy(w->text + w->len, bytes, n);
		w->len += n;
	}
}

static void put_char(pg_json_writer *w, char c)
{
	if (reserve(w, 1) == 0)
		w->text[w->len++] = c;
}

static void put_tabs(pg_json_writer *w, int n)
{
	if (reserve(w, (size_t)n) == 0) {
		memset(w->text + w->len, '\t', (size_t)n);
		w->len += (size_t)n;
	}
}

/* A string as cJSON escapes one: quote and backslash, control characters; every other byte as is. */
static void put_string(pg_json_writer *w, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	put_char(w, '"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		const unsigned char *run = p;
		while (*p > 31 && *p != '"' && *p != '\\')
			p++;
		put(w, (const char *)run, (size_t)(p - run));
		if (!*p)
			break;
		char esc[6] = {'\\', 0};
		size_t n = 2;
		switch (*p) {
		case '"':
		case '\\':
			esc[1] = (char)*p;
			break;
		case '\b':
			esc[1] = 'b';
			break;
		case '\f':
			esc[1] = 'f';
			break;
		case '\n':
			esc[1] = 'n';
			break;
		case '\r':
			esc[1] = 'r';
			break;
		case '\t':
			esc[1] = 't';
			break;
		default:
			memcpy(esc + 1, "u00", 3);
			esc[4] = hex[*p >> 4];
			esc[5] = hex[*p & 15];
			n = 6;
		}
		put(w, esc, n);
	}
	put_char(w, '"');
}

/* What goes before a value: the separator from the one before, and in an object its key. */
static void begin_item(pg_json_writer *w, const char *key)
{
	if (w->depth == 0)
		return;
	unsigned long long bit = 1ULL << (w->depth - 1);
	int first = !(w->used & bit);
	w->used |= bit;
	if (w->arrays & bit) {
		if (!first)
			put(w, ", ", w->pretty ? 2 : 1);
		return;
	}
	if (!first)
		put_char(w, ',');
	if (w->pretty) {
		put_char(w, '\n');
		put_tabs(w, w->depth);
	}
	put_string(w, key ? key : "");
	put(w, ":\t", w->pretty ? 2 : 1);
}

void pg_json_writer_init(pg_json_writer *w, int pretty)
{
	memset(w, 0, sizeof(*w));
	w->pretty = pretty;
}

void pg_json_writer_init_file(pg_json_writer *w, int pretty, FILE *sink)
{
	pg_json_writer_init(w, pretty);
	w->sink = sink;
}

void pg_json_writer_open(pg_json_writer *w, const char *key, char bracket)
{
	begin_item(w, key);
	put_char(w, bracket);
	if (w->depth >= MAX_DEPTH) {
		w->failed = 2;
		return;
	}
	unsigned long long bit = 1ULL << w->depth;
	w->depth++;
	w->used &= ~bit;
	if (bracket == '[')
		w->arrays |= bit;
	else
		w->arrays &= ~bit;
}

void pg_json_writer_close(pg_json_writer *w)
{
	if (w->depth == 0) {
		w->failed = 2;
		return;
	}
	unsigned long long bit = 1ULL << (w->depth - 1);
	if (w->arrays & bit) {
		put_char(w, ']');
	} else {
		/* cJSON ends every object on a line of its own, an empty one too: "{\n}" */
		if (w->pretty) {
			put_char(w, '\n');
			put_tabs(w, w->depth - 1);
		}
		put_char(w, '}');
	}
	w->depth--;
}

void pg_json_writer_string(pg_json_writer *w, const char *key, const char *value)
{
	begin_item(w, key);
	if (value)
		put_string(w, value);
	else
		put(w, "null", 4);
}

void pg_json_writer_number(pg_json_writer *w, const char *key, double value)
{
	char buf[40];
	size_t n = pg_json_format_number(buf, value);
	begin_item(w, key);
	put(w, buf, n);
}

void pg_json_writer_bool(pg_json_writer *w, const char *key, int value)
{
	begin_item(w, key);
	if (value)
		put(w, "true", 4);
	else
		put(w, "false", 5);
}

int pg_json_writer_finish(pg_json_writer *w, char **out, size_t *len)
{
	if (out)
		*out = NULL;
	int misused = w->failed == 2 || w->depth != 0 || !w->sink == !out;
	if (!misused && !w->failed && w->sink && !drain(w) && (fflush(w->sink) != 0 || ferror(w->sink))) {
		w->failed = 3;
		w->write_errno = errno;
	}
	if (misused || reserve(w, 0)) {
		free(w->text);
		w->text = NULL;
		if (!w->sink == !out)
			return pg_error_set(PG_ESYSTEM, "JSON writer: finished %s", out ? "into memory, but it writes to a file"
									   : "with no place for its text");
		if (misused)
			return pg_error_set(PG_ESYSTEM, "JSON writer: brackets opened and closed out of step (%d open)",
					    w->depth);
		if (w->failed == 3)
			return pg_error_set(PG_ESYSTEM, "cannot write JSON: %s", strerror(w->write_errno));
		return pg_error_set(PG_ENOMEM, "out of memory writing JSON");
	}
	if (w->sink) {
		free(w->text);
		w->text = NULL;
		return 0;
	}
	w->text[w->len] = '\0';
	if (len)
		*len = w->len;
	*out = w->text;
	w->text = NULL;
	return 0;
}
