/* escape.c - making names and strings from data safe in markdown, XML, workflow commands, file names */
#include "report/escape.h"

#include <stdint.h>
#include <string.h>

static int is_safe_name_char(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
	       c == '_' || c == '-';
}

/* Length of s to write when at most max bytes may be, cut before a UTF-8 continuation byte. */
static size_t cut_length(const char *s, size_t max, int *cut)
{
	size_t len = strlen(s);
	*cut = max > 0 && len > max;
	if (!*cut)
		return len;
	len = max;
	while (len > 0 && ((unsigned char)s[len] & 0xC0) == 0x80)
		len--;
	return len;
}

void pg_escape_markdown(FILE *out, const char *s, size_t max, int flags)
{
	if (!s)
		return;
	int cut;
	size_t len = cut_length(s, max, &cut), i = 0;
	if (flags & PG_MD_BLOCK_START) {
		/* Leading blanks would make an indented code block, a marker a list (">" is an entity anyway). */
		while (i < len && (s[i] == ' ' || s[i] == '\t'))
			i++;
		if (i < len && strchr("-+=", s[i]))
			fputc('\\', out);
		size_t d = i;
		while (d < len && d - i < 10 && s[d] >= '0' && s[d] <= '9')
			d++;
		if (d > i && d < len && (s[d] == '.' || s[d] == ')') &&
		    (d + 1 == len || strchr(" \t\r\n", s[d + 1]))) {
			fwrite(s + i, 1, d - i, out);
			i = d;
			fputc('\\', out);
		}
	}
	for (; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		switch (c) {
		case '<':
			fputs("&lt;", out);
			break;
		case '>':
			fputs("&gt;", out);
			break;
		case '&':
			fputs("&amp;", out);
			break;
		case '\n':
		case '\r':
		case '\t':
			fputc(' ', out);
			break;
		/* `$` opens GitHub's math; `~` strikes through; `#` opens a heading. */
		case '|': case '\\': case '`': case '*': case '_': case '[': case ']': case '~': case '#':
		case '$':
			fputc('\\', out);
			fputc(c, out);
			break;
		default:
			if (c >= 0x20 && c != 0x7f)
				fputc(c, out);
		}
	}
	if (cut)
		fputs("…", out);
}

/* Decode one UTF-8 character at s (NUL-terminated): its length, or 0 when the bytes are not UTF-8. */
static size_t utf8_decode(const unsigned char *s, uint32_t *cp)
{
	unsigned char c = s[0];
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	size_t n;
	unsigned char lo = 0x80, hi = 0xBF;
	if (c >= 0xC2 && c <= 0xDF) {
		n = 2;
		*cp = c & 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		n = 3;
		*cp = c & 0x0F;
		lo = c == 0xE0 ? 0xA0 : 0x80;
		hi = c == 0xED ? 0x9F : 0xBF; /* no surrogates */
	} else if (c >= 0xF0 && c <= 0xF4) {
		n = 4;
		*cp = c & 0x07;
		lo = c == 0xF0 ? 0x90 : 0x80;
		hi = c == 0xF4 ? 0x8F : 0xBF;
	} else {
		return 0;
	}
	for (size_t i = 1; i < n; i++) {
		unsigned char b = s[i];
		if (b < (i == 1 ? lo : 0x80) || b > (i == 1 ? hi : 0xBF))
			return 0;
		*cp = (*cp << 6) | (b & 0x3F);
	}
	return n;
}

void pg_escape_xml(FILE *out, const char *s, int attr)
{
	if (!s)
		return;
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		uint32_t cp;
		size_t n = utf8_decode(p, &cp);
		if (n == 0) {
			fputs("\xEF\xBF\xBD", out);
			p++;
			continue;
		}
		switch (cp) {
		case '&':
			fputs("&amp;", out);
			break;
		case '<':
			fputs("&lt;", out);
			break;
		case '>':
			fputs("&gt;", out);
			break;
		case '"':
			fputs("&quot;", out);
			break;
		case '\'':
			fputs("&apos;", out);
			break;
		case '\t':
		case '\n':
		case '\r':
			if (attr || cp == '\r')
				fprintf(out, "&#%u;", (unsigned)cp);
			else
				fputc((int)cp, out);
			break;
		default:
			/* XML 1.0 Char: no other C0 control, no U+FFFE or U+FFFF. */
			if (cp >= 0x20 && cp != 0xFFFE && cp != 0xFFFF)
				fwrite(p, 1, n, out);
		}
		p += n;
	}
}

static void escape_gh(FILE *out, const char *s, int property)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '%':
			fputs("%25", out);
			break;
		case '\r':
			fputs("%0D", out);
			break;
		case '\n':
			fputs("%0A", out);
			break;
		case ':':
			fputs(property ? "%3A" : ":", out);
			break;
		case ',':
			fputs(property ? "%2C" : ",", out);
			break;
		default:
			fputc(*s, out);
		}
	}
}

void pg_escape_gh_data(FILE *out, const char *s)
{
	escape_gh(out, s, 0);
}

void pg_escape_gh_property(FILE *out, const char *s)
{
	escape_gh(out, s, 1);
}

char *pg_report_safe_name(char *buf, size_t size, const char *s)
{
	size_t i = 0;
	for (; s && s[i] && i + 1 < size; i++)
		buf[i] = is_safe_name_char((unsigned char)s[i]) ? s[i] : '_';
	if (size)
		buf[i] = '\0';
	return buf;
}

char *pg_report_plot_name(char *buf, size_t size, const char *bench, const char *metric)
{
	char joined[1024];
	snprintf(joined, sizeof(joined), "%s.%s", bench ? bench : "", metric ? metric : "");
	return pg_report_safe_name(buf, size, joined);
}
