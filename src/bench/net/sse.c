/* sse.c - a server-sent events (text/event-stream) parser, ended by OpenAI's data: [DONE] */
#include "sse.h"

#include "perfgate/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int pg_sse_init(pg_sse *e, size_t max_bytes, pg_sse_event_fn on_event, void *arg)
{
	memset(e, 0, sizeof(*e));
	e->max_bytes = max_bytes;
	e->on_event = on_event;
	e->arg = arg;
	e->line = malloc(max_bytes);
	e->data = malloc(max_bytes);
	if (!e->line || !e->data)
		return pg_error_set(PG_ENOMEM, "out of memory");
	e->line[0] = e->data[0] = '\0';
	return 0;
}

void pg_sse_free(pg_sse *e)
{
	free(e->line);
	free(e->data);
	e->line = e->data = NULL;
}

static int append(const pg_sse *e, char *buf, size_t *len, const char *text, size_t n)
{
	if (*len + n + 1 > e->max_bytes)
		return -1;
	memcpy(buf + *len, text, n);
	*len += n;
	buf[*len] = '\0';
	return 0;
}

/* The event gathered so far: [DONE], or one for on_event. */
static int dispatch(pg_sse *e, char *why, size_t size)
{
	size_t n = e->data_len;
	e->has_data = 0;
	e->data_len = 0;
	if (strcmp(e->data, "[DONE]") == 0) {
		e->done = 1;
		return 0;
	}
	e->events++;
	return e->on_event(e->arg, e->data, n, e->events, why, size);
}

int pg_sse_feed(pg_sse *e, const char *bytes, size_t n, char *why, size_t size)
{
	while (n > 0 && !e->done) {
		const char *nl = memchr(bytes, '\n', n);
		size_t take = nl ? (size_t)(nl - bytes) : n;
		if (append(e, e->line, &e->line_len, bytes, take) != 0)
			e->line_too_long = 1;
		bytes += take + (nl != NULL);
		n -= take + (nl != NULL);
		if (!nl)
			break;
		if (e->line_too_long) {
			snprintf(why, size, "an event line longer than %zu bytes", e->max_bytes);
			return -1;
		}
		char *line = e->line;
		size_t len = e->line_len;
		if (len > 0 && line[len - 1] == '\r')
			line[--len] = '\0';
		e->line_len = 0;
		if (len == 0) {
			if (e->has_data && dispatch(e, why, size) != 0)
				return -1;
			continue;
		}
		if (strncmp(line, "data:", 5) != 0)
			continue; /* comments, event:, id:, retry: */
		const char *value = line + 5 + (line[5] == ' ');
		if ((e->has_data && append(e, e->data, &e->data_len, "\n", 1) != 0) ||
		    append(e, e->data, &e->data_len, value, strlen(value)) != 0) {
			snprintf(why, size, "event %zu is longer than %zu bytes", e->events + 1,
				 e->max_bytes);
			return -1;
		}
		e->has_data = 1;
	}
	return 0;
}

int pg_sse_finish(pg_sse *e)
{
	if (e->done || e->line_len != 0 || !e->has_data || strcmp(e->data, "[DONE]") != 0)
		return 0;
	e->done = 1;
	return 1;
}
