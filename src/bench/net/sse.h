/* sse.h - a server-sent events parser, ended by OpenAI's data: [DONE] (bench-private) */
#ifndef PERFGATE_BENCH_SSE_H
#define PERFGATE_BENCH_SSE_H

#include <stddef.h>

/*
 * Called with the data of each complete event but [DONE]: its data lines
 * joined by "\n", NUL-terminated, len bytes; number counts events from 1.
 * Returns 0 to go on, or -1 with a message in why to stop the stream.
 */
typedef int (*pg_sse_event_fn)(void *arg, const char *data, size_t len, size_t number, char *why,
			       size_t size);

/* The events of one stream, fed as its bytes arrive. */
typedef struct pg_sse {
	char *line, *data; /* the line being read; the data of the event being gathered */
	size_t line_len, data_len, max_bytes;
	int has_data;
	int line_too_long;
	size_t events; /* dispatched, [DONE] not counted */
	int done;      /* an event's data was [DONE] */
	pg_sse_event_fn on_event;
	void *arg;
} pg_sse;

/*
 * Start a stream whose lines and events are at most max_bytes each,
 * calling on_event(arg, ...) per event. Returns 0 or PG_ENOMEM; free with
 * pg_sse_free (also on failure).
 */
int pg_sse_init(pg_sse *e, size_t max_bytes, pg_sse_event_fn on_event, void *arg);

void pg_sse_free(pg_sse *e);

/*
 * Feed n bytes of the stream, split anywhere. Lines end in LF or CRLF; a
 * blank line ends an event; only data: lines count (comments, event:, id:
 * and retry: are skipped). Bytes after [DONE] are ignored. Returns 0, or
 * -1 with a message in why (a line or event too long, or on_event's).
 */
int pg_sse_feed(pg_sse *e, const char *bytes, size_t n, char *why, size_t size);

/*
 * At the end of the stream: a last "data: [DONE]" line without the blank
 * line after it still ends the stream. Returns 1 when it did so now.
 */
int pg_sse_finish(pg_sse *e);

#endif
