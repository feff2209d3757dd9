/* test_net.c - bench/net: the HTTP client's head and chunked body, the server-sent events parser */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "bench/net/http.h"
#include "bench/net/sse.h"

#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Every byte is written before reading starts: a wait would mean the client reads past the end. */
static int no_wait(void *arg, int fd, short events, double deadline)
{
	(void)arg, (void)fd, (void)events, (void)deadline;
	fail_msg("the client waited for more bytes than were sent");
	return -1;
}

/*
 * A connection whose reads return exactly the given pieces, one per recv
 * (a sequenced-packet socket keeps the boundaries), then EOF.
 */
static pg_http_conn conn_of(const char *const *pieces, size_t n)
{
	int sv[2];
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(send(sv[1], pieces[i], strlen(pieces[i]), 0), (ssize_t)strlen(pieces[i]));
	close(sv[1]);
	return (pg_http_conn){.fd = sv[0], .wait = no_wait};
}

/* The whole body, read a few bytes at a time; the return of the read that ended it in *rc. */
static size_t read_body(pg_http_response *r, char *out, size_t size, int *rc)
{
	size_t used = 0, n;
	for (;;) {
		*rc = pg_http_response_body(r, out + used, size - used < 3 ? size - used : 3, &n);
		if (*rc != 0 || n == 0)
			break;
		used += n;
	}
	out[used] = '\0';
	return used;
}

static pg_http_response response; /* 16 KiB: not on the stack */

static void test_http_dechunks_a_body_whose_pieces_split_lines_sizes_and_crlfs(void **state)
{
	(void)state;
	/* "hello" with a chunk extension, then 0x1a bytes, then the last chunk and a trailer. */
	static const char *const pieces[] = {
		"HTTP/1.1 2", "00 OK\r\nContent-Type: text/event-", "stream\r\nTransfer-Encoding: chunked\r",
		"\n\r\n5;name=val", "ue\r\nhel", "lo\r", "\n1", "A\r\nabcdefghijklm", "nopqrstuvwxyz",
		"\r", "\n0\r\nX-Trailer: t\r\n", "\r\n",
	};
	pg_http_conn conn = conn_of(pieces, COUNT(pieces));
	char why[256], body[128];
	int rc;
	pg_http_response_init(&response, &conn);
	assert_int_equal(pg_http_response_head(&response, why, sizeof(why)), 0);
	assert_int_equal(response.status, 200);
	assert_string_equal(response.content_type, "text/event-stream");
	assert_true(response.chunked);
	size_t n = read_body(&response, body, sizeof(body), &rc);
	assert_int_equal(rc, 0);
	assert_int_equal(n, 31);
	assert_string_equal(body, "helloabcdefghijklmnopqrstuvwxyz");
	assert_true(response.body_done);
	close(conn.fd);
}

static void test_http_content_length_ends_the_body_before_extra_bytes(void **state)
{
	(void)state;
	static const char *const pieces[] = {"HTTP/1.0 404 Not Found\r\nContent-Length: 9\r\n\r\nnot f",
					     "ound and more"};
	pg_http_conn conn = conn_of(pieces, COUNT(pieces));
	char why[256], body[64];
	int rc;
	pg_http_response_init(&response, &conn);
	assert_int_equal(pg_http_response_head(&response, why, sizeof(why)), 0);
	assert_int_equal(response.status, 404);
	assert_false(response.chunked);
	read_body(&response, body, sizeof(body), &rc);
	assert_int_equal(rc, 0);
	assert_string_equal(body, "not found");
	close(conn.fd);
}

static void test_http_malformed_chunk_size_and_missing_crlf_after_data_are_malformed(void **state)
{
	(void)state;
	static const char *const bad_size[] = {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
					       "zz\r\nab\r\n0\r\n\r\n"};
	static const char *const no_crlf[] = {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
					      "3\r\nabcX\r\n0\r\n\r\n"};
	const char *const *cases[] = {bad_size, no_crlf};
	for (size_t i = 0; i < COUNT(cases); i++) {
		pg_http_conn conn = conn_of(cases[i], 2);
		char why[256], body[64];
		int rc;
		pg_http_response_init(&response, &conn);
		assert_int_equal(pg_http_response_head(&response, why, sizeof(why)), 0);
		read_body(&response, body, sizeof(body), &rc);
		assert_int_equal(rc, PG_HTTP_MALFORMED);
		close(conn.fd);
	}
}

static void test_http_head_names_what_is_wrong(void **state)
{
	(void)state;
	static const char *const not_http[] = {"SSH-2.0-OpenSSH\r\n"};
	static const char *const gzip[] = {"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n"};
	static const char *const cut[] = {"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"};
	const char *const *cases[] = {not_http, gzip, cut};
	const char *expected[] = {"not an HTTP/1.x response: \"SSH-2.0-OpenSSH\"",
				  "unsupported Transfer-Encoding \"gzip\" (expected chunked or none)",
				  "the response ended inside its headers"};
	for (size_t i = 0; i < COUNT(cases); i++) {
		pg_http_conn conn = conn_of(cases[i], 1);
		char why[256] = "";
		pg_http_response_init(&response, &conn);
		assert_int_equal(pg_http_response_head(&response, why, sizeof(why)), -1);
		assert_string_equal(why, expected[i]);
		close(conn.fd);
	}
}

/* The events a parser delivered. */
typedef struct seen {
	char data[8][64];
	size_t number[8];
	size_t n;
	const char *fail_on; /* answer an error to the event with this data */
} seen;

static int remember(void *arg, const char *data, size_t len, size_t number, char *why, size_t size)
{
	seen *s = arg;
	assert_int_equal(strlen(data), len);
	assert_true(s->n < COUNT(s->data));
	snprintf(s->data[s->n], sizeof(s->data[0]), "%s", data);
	s->number[s->n++] = number;
	if (s->fail_on && strcmp(data, s->fail_on) == 0) {
		snprintf(why, size, "event %zu refused", number);
		return -1;
	}
	return 0;
}

/* A comment, a multi-line data: event with CRLFs, an event: field, [DONE], then bytes after it. */
static const char stream[] = ": keep-alive comment\n\n"
			     "data: {\"a\":\r\ndata:1}\r\n\r\n"
			     "event: token\nid: 7\ndata: two\n\n"
			     "data: [DONE]\n\n"
			     "data: after the end\n\n";

static void check_stream_events(const seen *s, const pg_sse *e)
{
	assert_int_equal(s->n, 2);
	assert_string_equal(s->data[0], "{\"a\":\n1}");
	assert_int_equal(s->number[0], 1);
	assert_string_equal(s->data[1], "two");
	assert_int_equal(s->number[1], 2);
	assert_true(e->done);
	assert_int_equal(e->events, 2);
}

static void test_sse_gathers_data_lines_into_events_whole_or_byte_by_byte(void **state)
{
	(void)state;
	const size_t steps[] = {sizeof(stream) - 1, 1};
	for (size_t k = 0; k < COUNT(steps); k++) {
		size_t step = steps[k];
		seen s = {0};
		pg_sse e;
		char why[256] = "";
		assert_int_equal(pg_sse_init(&e, 1024, remember, &s), 0);
		for (size_t at = 0; at < sizeof(stream) - 1; at += step) {
			size_t n = sizeof(stream) - 1 - at < step ? sizeof(stream) - 1 - at : step;
			assert_int_equal(pg_sse_feed(&e, stream + at, n, why, sizeof(why)), 0);
		}
		check_stream_events(&s, &e);
		assert_int_equal(pg_sse_finish(&e), 0);
		pg_sse_free(&e);
	}
}

static void test_sse_odd_splits_give_the_same_events(void **state)
{
	(void)state;
	/* Cut inside "data:", between CR and LF, inside "data: two" and inside [DONE]. */
	const size_t cuts[] = {25, 27, 34, 36, 68, 85, 88};
	seen s = {0};
	pg_sse e;
	char why[256] = "";
	size_t from = 0;
	assert_int_equal(pg_sse_init(&e, 1024, remember, &s), 0);
	for (size_t i = 0; i <= COUNT(cuts); i++) {
		size_t to = i < COUNT(cuts) ? cuts[i] : sizeof(stream) - 1;
		assert_int_equal(pg_sse_feed(&e, stream + from, to - from, why, sizeof(why)), 0);
		from = to;
	}
	check_stream_events(&s, &e);
	pg_sse_free(&e);
}

static void test_sse_done_without_its_blank_line_ends_the_stream_at_finish(void **state)
{
	(void)state;
	static const char ended[] = "data: one\n\ndata: [DONE]\n";
	static const char cut[] = "data: one\n\ndata: [DONE]";
	seen s = {0};
	pg_sse e;
	char why[256];
	assert_int_equal(pg_sse_init(&e, 1024, remember, &s), 0);
	assert_int_equal(pg_sse_feed(&e, ended, strlen(ended), why, sizeof(why)), 0);
	assert_false(e.done);
	assert_int_equal(pg_sse_finish(&e), 1);
	assert_true(e.done);
	pg_sse_free(&e);

	assert_int_equal(pg_sse_init(&e, 1024, remember, &s), 0);
	assert_int_equal(pg_sse_feed(&e, cut, strlen(cut), why, sizeof(why)), 0);
	assert_int_equal(pg_sse_finish(&e), 0);
	assert_false(e.done);
	pg_sse_free(&e);
}

static void test_sse_event_error_and_oversized_events_stop_the_stream(void **state)
{
	(void)state;
	static const char refused[] = "data: one\n\ndata: bad\n\ndata: three\n\n";
	seen s = {.fail_on = "bad"};
	pg_sse e;
	char why[256] = "";
	assert_int_equal(pg_sse_init(&e, 24, remember, &s), 0);
	assert_int_equal(pg_sse_feed(&e, refused, strlen(refused), why, sizeof(why)), -1);
	assert_string_equal(why, "event 2 refused");
	assert_int_equal(s.n, 2);
	pg_sse_free(&e);

	/* Each line fits in 24 bytes, the event's data (10 + 1 + 10 + 1 + 10) does not. */
	static const char big_event[] = "data: 0123456789\ndata: 0123456789\ndata: 0123456789\n\n";
	s.n = 0;
	assert_int_equal(pg_sse_init(&e, 24, remember, &s), 0);
	assert_int_equal(pg_sse_feed(&e, big_event, strlen(big_event), why, sizeof(why)), -1);
	assert_string_equal(why, "event 1 is longer than 24 bytes");
	assert_int_equal(s.n, 0);
	pg_sse_free(&e);

	static const char long_line[] = "data: 0123456789abcdefghij\n\n";
	assert_int_equal(pg_sse_init(&e, 24, remember, &s), 0);
	assert_int_equal(pg_sse_feed(&e, long_line, strlen(long_line), why, sizeof(why)), -1);
	assert_string_equal(why, "an event line longer than 24 bytes");
	pg_sse_free(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_http_dechunks_a_body_whose_pieces_split_lines_sizes_and_crlfs),
		cmocka_unit_test(test_http_content_length_ends_the_body_before_extra_bytes),
		cmocka_unit_test(test_http_malformed_chunk_size_and_missing_crlf_after_data_are_malformed),
		cmocka_unit_test(test_http_head_names_what_is_wrong),
		cmocka_unit_test(test_sse_gathers_data_lines_into_events_whole_or_byte_by_byte),
		cmocka_unit_test(test_sse_odd_splits_give_the_same_events),
		cmocka_unit_test(test_sse_done_without_its_blank_line_ends_the_stream_at_finish),
		cmocka_unit_test(test_sse_event_error_and_oversized_events_stop_the_stream),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
