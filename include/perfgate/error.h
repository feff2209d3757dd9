/* error.h - one error message per thread of work, its exit status, and lists of warnings */
#ifndef PERFGATE_ERROR_H
#define PERFGATE_ERROR_H

#include <stdarg.h>
#include <stddef.h>

/*
 * Functions that can fail return 0 or one of these (negative) codes and
 * leave a message with pg_error_set(). The CLI prints the message once,
 * prefixed "perfgate: ", and maps the code to the exit status.
 */
enum {
	PG_OK = 0,
	PG_EFAIL = -1,   /* a gate or benchmark failed: exit 1 */
	PG_EINPUT = -2,  /* command line or a named document is wrong: exit 2 */
	PG_ESYSTEM = -3, /* could not do the job (missing file, spawn, I/O): exit 3 */
	PG_ENOMEM = -4,  /* out of memory: exit 3 */
};

/* Set the message (printf format). Returns code, so `return pg_error_set(...)` reads well. */
int pg_error_set(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Prefix the current message with more context: "CONTEXT: old message". Returns code. */
int pg_error_wrap(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The last message set ("" when none). Valid until the next pg_error_* call. */
const char *pg_error_message(void);

void pg_error_clear(void);

/* Exit status for a code: 0, 1, 2 or 3. */
int pg_error_exit_status(int code);

/* Of two codes, the one whose exit status wins (2 over 3 over 1 over 0). */
int pg_error_worst(int a, int b);

/* Replace the string at *slot (freed) with a printf-formatted copy, cut at 1023 bytes. 0 or PG_ENOMEM. */
int pg_string_set(char **slot, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Append a copy of s to the list of *n strings at *list. 0 or PG_ENOMEM (the list unchanged). */
int pg_strlist_push(char ***list, size_t *n, const char *s);

/*
 * Append a warning (printf format, cut at 1023 bytes) to the list of *n
 * strings at *warnings, growing it. Whoever owns the list frees each string
 * and the array. Returns 0 or PG_ENOMEM (the list is then unchanged).
 */
int pg_warning_add(char ***warnings, size_t *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* pg_warning_add with a va_list. */
int pg_warning_vadd(char ***warnings, size_t *n, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

#endif
