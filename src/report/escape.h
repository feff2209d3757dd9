/* escape.h - making names and strings from data safe in markdown, XML, workflow commands, file names */
#ifndef PERFGATE_REPORT_ESCAPE_H
#define PERFGATE_REPORT_ESCAPE_H

#include <stddef.h>
#include <stdio.h>

/* s is the first thing of a markdown block (a list item, a paragraph): escape what would start a block. */
#define PG_MD_BLOCK_START 1

/*
 * Write s as GitHub-flavoured markdown text that renders as itself, in a
 * table cell or anywhere inline: `|` `\` backtick `*` `_` `[` `]` `~` `#` `$`
 * get a backslash, `<` `>` `&` become entities, newlines and tabs a space,
 * other control characters are dropped. max > 0: at most max bytes of s
 * (cut on a character boundary, then "…"). NULL writes nothing.
 */
void pg_escape_markdown(FILE *out, const char *s, size_t max, int flags);

/*
 * Write s as XML 1.0 character data (attr = 0) or an attribute value in
 * double quotes (attr = 1): `& < > " '` as entities (in attributes also
 * tab, newline and carriage return, which parsers would fold), characters
 * XML forbids dropped, invalid UTF-8 replaced by U+FFFD.
 */
void pg_escape_xml(FILE *out, const char *s, int attr);

/* A workflow command's message, as actions/toolkit escapeData: `%` `\r` `\n` -> %25 %0D %0A. */
void pg_escape_gh_data(FILE *out, const char *s);

/* A workflow command's property value, as toolkit escapeProperty: also `:` -> %3A, `,` -> %2C. */
void pg_escape_gh_property(FILE *out, const char *s);

/*
 * The plot file name (without ".png") of a metric: "BENCH.METRIC" with
 * every character outside [A-Za-z0-9._-] replaced by '_'. Truncated to
 * size - 1; returns buf.
 */
char *pg_report_plot_name(char *buf, size_t size, const char *bench, const char *metric);

/* s with every character outside [A-Za-z0-9._-] replaced by '_', at most size - 1 bytes; returns buf. */
char *pg_report_safe_name(char *buf, size_t size, const char *s);

#endif
