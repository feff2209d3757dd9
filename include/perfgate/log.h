/* log.h - what perfgate says on stderr (errors, warnings, notes, -v detail), and text made inert for a terminal */
#ifndef PERFGATE_LOG_H
#define PERFGATE_LOG_H

#include <stddef.h>
#include <stdio.h>

/* How much perfgate says on stderr: -q, the default, -v. Errors and warnings are always said. */
typedef enum pg_log_level {
	PG_LOG_QUIET = -1,  /* errors and warnings only */
	PG_LOG_NORMAL = 0,  /* also notes: what perfgate decided to do ("measuring again") */
	PG_LOG_VERBOSE = 1, /* also detail: which gates file, env key, baseline, store, files written */
} pg_log_level;

void pg_log_set_level(pg_log_level level);

/*
 * Each writes one line to stderr, "perfgate: " (and "warning: ") before the
 * formatted text, with every control character made visible (pg_text_inert):
 * a name, a path or a benchmark's output in it cannot move the cursor, set a
 * title or start a line of its own (a GitHub workflow command, "::error::").
 */
void pg_log_error(const char *message);
void pg_log_warning(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void pg_log_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void pg_log_verbose(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* pg_log_warning for each of n strings. */
void pg_log_warnings(char *const *warnings, size_t n);

/*
 * Write s with its control characters visible: C0 controls, DEL and the C1
 * controls (U+0080-U+009F) as \n, \r, \t or \xHH / \u00HH; everything else as
 * it is. NULL writes nothing.
 */
void pg_text_inert(FILE *out, const char *s);

/* s as pg_text_inert writes it, cut to size - 1 bytes (never inside an escape); returns buf. */
const char *pg_text_inert_buf(char *buf, size_t size, const char *s);

#endif
