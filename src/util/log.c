/* log.c - stderr lines by level, and text that cannot drive a terminal */
#include "perfgate/log.h"

#include <stdarg.h>
#include <string.h>

static pg_log_level level = PG_LOG_NORMAL;

void pg_log_set_level(pg_log_level l)
{
	level = l;
}

/*
 * The escape of the character at s (one byte, or the two of a UTF-8 C1
 * control) into esc; its length in *len. 0: an ordinary character.
 */
static int escape_at(const unsigned char *s, char esc[8], size_t *len)
{
	*len = 1;
	if (s[0] == '\n' || s[0] == '\r' || s[0] == '\t') {
		esc[0] = '\\';
		esc[1] = s[0] == '\n' ? 'n' : s[0] == '\r' ? 'r' : 't';
		esc[2] = '\0';
		return 1;
	}
	if (s[0] < 0x20 || s[0] == 0x7f) {
		snprintf(esc, 8, "\\x%02x", s[0]);
		return 1;
	}
	if (s[0] == 0xc2 && s[1] >= 0x80 && s[1] <= 0x9f) {
		*len = 2;
		snprintf(esc, 8, "\\u%04x", s[1]);
		return 1;
	}
	return 0;
}

/* pg_text_inert, newlines kept when keep_newlines. */
static void write_inert(FILE *out, const char *s, int keep_newlines)
{
	for (const unsigned char *p = (const unsigned char *)s; p && *p;) {
		char esc[8];
		size_t len;
		if (keep_newlines && *p == '\n') {
			fputc('\n', out);
			p++;
			continue;
		}
		if (escape_at(p, esc, &len))
			fputs(esc, out);
		else
			fputc(*p, out);
		p += len;
	}
}

void pg_text_inert(FILE *out, const char *s)
{
	write_inert(out, s, 0);
}

const char *pg_text_inert_buf(char *buf, size_t size, const char *s)
{
	size_t used = 0;
	if (!size)
		return buf;
	for (const unsigned char *p = (const unsigned char *)s; p && *p;) {
		char esc[8] = {(char)*p, '\0'};
		size_t len, n;
		escape_at(p, esc, &len);
		n = strlen(esc);
		if (used + n >= size)
			break;
		memcpy(buf + used, esc, n);
		used += n;
		p += len;
	}
	buf[used] = '\0';
	return buf;
}

static void say(const char *prefix, const char *fmt, va_list ap)
{
	char text[2048];
	vsnprintf(text, sizeof(text), fmt, ap);
	fputs("perfgate: ", stderr);
	fputs(prefix, stderr);
	pg_text_inert(stderr, text);
	fputc('\n', stderr);
}

void pg_log_error(const char *message)
{
	fflush(stdout);
	/* A command-line error ends with the verb's usage, perfgate's own text, on a line of its own. */
	const char *usage = strstr(message, "\nusage: ");
	while (usage && strstr(usage + 1, "\nusage: "))
		usage = strstr(usage + 1, "\nusage: ");
	char first[2048];
	snprintf(first, sizeof(first), "%.*s", (int)(usage ? (size_t)(usage - message) : strlen(message)), message);
	fputs("perfgate: ", stderr);
	pg_text_inert(stderr, first);
	fputc('\n', stderr);
	if (usage) {
		/* The usage is perfgate's own text, on as many lines as it was written. */
		write_inert(stderr, usage + 1, 1);
		fputc('\n', stderr);
	}
}

void pg_log_warning(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	say("warning: ", fmt, ap);
	va_end(ap);
}

void pg_log_note(const char *fmt, ...)
{
	if (level < PG_LOG_NORMAL)
		return;
	va_list ap;
	va_start(ap, fmt);
	say("", fmt, ap);
	va_end(ap);
}

void pg_log_verbose(const char *fmt, ...)
{
	if (level < PG_LOG_VERBOSE)
		return;
	va_list ap;
	va_start(ap, fmt);
	say("", fmt, ap);
	va_end(ap);
}

void pg_log_warnings(char *const *warnings, size_t n)
{
	for (size_t i = 0; i < n; i++)
		pg_log_warning("%s", warnings[i]);
}
