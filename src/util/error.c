/* error.c - the last error message, the exit status it maps to, and warning lists */
#include "perfgate/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static _Thread_local char message[2048];

int pg_error_set(int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	return code;
}

int pg_error_wrap(int code, const char *fmt, ...)
{
	char prefix[1024];
	char old[sizeof(message)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	memcpy(old, message, sizeof(old));
	if (old[0])
		snprintf(message, sizeof(message), "%s: %s", prefix, old);
	else
		snprintf(message, sizeof(message), "%s", prefix);
	return code;
}

const char *pg_error_message(void)
{
	return message;
}

void pg_error_clear(void)
{
	message[0] = '\0';
}

int pg_error_exit_status(int code)
{
	switch (code) {
	case PG_OK:
		return 0;
	case PG_EFAIL:
		return 1;
	case PG_EINPUT:
		return 2;
	default:
		return 3;
	}
}

int pg_error_worst(int a, int b)
{
	static const int rank[] = {0, 1, 3, 2}; /* by exit status: 2 over 3 over 1 over 0 */
	return rank[pg_error_exit_status(a)] >= rank[pg_error_exit_status(b)] ? a : b;
}

int pg_string_set(char **slot, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	free(*slot);
	return (*slot = strdup(buf)) ? 0 : pg_error_set(PG_ENOMEM, "out of memory");
}

int pg_strlist_push(char ***list, size_t *n, const char *s)
{
	char *copy = strdup(s);
	char **grown = copy ? realloc(*list, (*n + 1) * sizeof(char *)) : NULL;
	if (!grown) {
		free(copy);
		return pg_error_set(PG_ENOMEM, "out of memory");
	}
	*list = grown;
	grown[(*n)++] = copy;
	return 0;
}

int pg_warning_vadd(char ***warnings, size_t *n, const char *fmt, va_list ap)
{
	char buf[1024];
	vsnprintf(buf, sizeof(buf), fmt, ap);
	return pg_strlist_push(warnings, n, buf);
}

int pg_warning_add(char ***warnings, size_t *n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = pg_warning_vadd(warnings, n, fmt, ap);
	va_end(ap);
	return rc;
}
