/* http.h - a small HTTP/1.1 client: connect, POST, response head, de-chunked body */
#ifndef PERFGATE_BENCH_HTTP_H
#define PERFGATE_BENCH_HTTP_H

#include <netinet/in.h>
#include <stddef.h>

/*
 * Wait until fd is ready for events (fd -1: just wait) or the deadline
 * (pg_now() seconds; 0: none) passes. 1 ready, 0 the deadline, -1 poll
 * failed. The caller's own, so it can keep other descriptors serviced (a
 * server's pipes drained) while the client waits.
 */
typedef int (*pg_http_wait_fn)(void *arg, int fd, short events, double deadline);

/* One connection's socket, its deadline and how it waits. */
typedef struct pg_http_conn {
	int fd; /* -1 until connected; the caller closes it */
	double deadline;
	pg_http_wait_fn wait;
	void *wait_arg;
} pg_http_conn;

typedef struct pg_http_endpoint {
	const char *url; /* as written, for messages */
	char host[256];  /* HOST:PORT, for the Host header */
	struct sockaddr_in addr;
} pg_http_endpoint;

/*
 * Parse "http://HOST:PORT" (an optional trailing slash), HOST an IPv4
 * address or localhost. url must outlive e. Returns 0 or PG_EINPUT with a
 * message that starts with where.
 */
int pg_http_endpoint_parse(pg_http_endpoint *e, const char *url, const char *where);

/*
 * Connect conn (deadline and wait set) to e before its deadline: 0 with
 * conn->fd a non-blocking socket, or -1 with errno (ECONNREFUSED,
 * ETIMEDOUT, ...) and conn->fd -1.
 */
int pg_http_connect(pg_http_conn *conn, const pg_http_endpoint *e);

/*
 * Send a POST of body (body_len bytes, of content_type) to path on e, asking
 * for accept and "Connection: close". 0, or -1 with errno (ETIMEDOUT when
 * the deadline passed).
 */
int pg_http_post(pg_http_conn *conn, const pg_http_endpoint *e, const char *path,
		 const char *content_type, const char *accept, const char *body, size_t body_len);

/* What pg_http_response_body returns besides 0. */
enum {
	PG_HTTP_FAILED = -1,    /* reading failed (errno) or the deadline passed (timed_out) */
	PG_HTTP_MALFORMED = -3, /* the chunked encoding is malformed */
};

/* One HTTP/1.1 response read from a connection: raw bytes, then the body de-chunked. */
typedef struct pg_http_response {
	pg_http_conn *conn;
	char raw[16384];
	size_t pos, len;
	double read_at; /* pg_now() when the bytes in raw arrived */
	int status;
	int chunked;
	long long content_left; /* -1: until EOF */
	long long chunk_left;   /* bytes left in the current chunk; -1 before the first */
	int body_done;
	int timed_out;
	char content_type[128];
} pg_http_response;

/* Start reading a response on conn (which must outlive r). */
void pg_http_response_init(pg_http_response *r, pg_http_conn *conn);

/*
 * Read the status line and the headers (status, chunked, Content-Length,
 * content_type). 0, or -1 with a message in why (r->timed_out says when the
 * deadline passed).
 */
int pg_http_response_head(pg_http_response *r, char *why, size_t size);

/*
 * Read up to size bytes of the body into dst, de-chunked (chunk extensions
 * and trailers skipped). *n is 0 at the end of the body. Returns 0,
 * PG_HTTP_FAILED or PG_HTTP_MALFORMED.
 */
int pg_http_response_body(pg_http_response *r, char *dst, size_t size, size_t *n);

#endif
