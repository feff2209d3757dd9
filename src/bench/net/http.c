/* http.c - a small HTTP/1.1 client: connect, POST, response head, de-chunked body */
#include "http.h"

#include "perfgate/clock.h"
#include "perfgate/error.h"

#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

int pg_http_endpoint_parse(pg_http_endpoint *e, const char *url, const char *where)
{
	const char *rest = strncmp(url, "http://", 7) == 0 ? url + 7 : NULL;
	const char *colon = rest ? strrchr(rest, ':') : NULL;
	memset(e, 0, sizeof(*e));
	e->url = url;
	if (!colon || (size_t)(colon - rest) >= sizeof(e->host) || colon == rest)
		return pg_error_set(PG_EINPUT,
				    "%s: expected \"http://HOST:PORT\" (plain HTTP, HOST an IPv4 address or localhost), found \"%s\"",
				    where, url);
	char *end;
	errno = 0;
	long port = strtol(colon + 1, &end, 10);
	if (errno || end == colon + 1 || port < 1 || port > 65535 || (*end && strcmp(end, "/") != 0))
		return pg_error_set(PG_EINPUT,
				    "%s: expected \"http://HOST:PORT\" with a port from 1 to 65535 and no path, found \"%s\"",
				    where, url);
	memcpy(e->host, rest, (size_t)(colon - rest));
	const char *ip = strcmp(e->host, "localhost") == 0 ? "127.0.0.1" : e->host;
	e->addr.sin_family = AF_INET;
	e->addr.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, ip, &e->addr.sin_addr) != 1)
		return pg_error_set(PG_EINPUT,
				    "%s: host \"%s\" is not an IPv4 address or localhost (in \"%s\")",
				    where, e->host, url);
	snprintf(e->host + strlen(e->host), sizeof(e->host) - strlen(e->host), ":%ld", port);
	return 0;
}

int pg_http_connect(pg_http_conn *conn, const pg_http_endpoint *e)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	conn->fd = -1;
	if (fd < 0)
		return -1;
	if (connect(fd, (const struct sockaddr *)&e->addr, sizeof(e->addr)) == 0) {
		conn->fd = fd;
		return 0;
	}
	int err = errno;
	if (err == EINPROGRESS) {
		int ready = conn->wait(conn->wait_arg, fd, POLLOUT, conn->deadline);
		socklen_t len = sizeof(err);
		if (ready == 1 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0) {
			conn->fd = fd;
			return 0;
		}
		if (ready == 0)
			err = ETIMEDOUT;
		else if (ready < 0)
			err = errno;
	}
	close(fd);
	errno = err;
	return -1;
}

static int send_all(pg_http_conn *conn, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t put = send(conn->fd, data, len, MSG_NOSIGNAL);
		if (put > 0) {
			data += put;
			len -= (size_t)put;
			continue;
		}
		if (put < 0 && errno == EINTR)
			continue;
		if (put < 0 && errno != EAGAIN)
			return -1;
		int ready = conn->wait(conn->wait_arg, conn->fd, POLLOUT, conn->deadline);
		if (ready <= 0) {
			if (ready == 0)
				errno = ETIMEDOUT;
			return -1;
		}
	}
	return 0;
}

int pg_http_post(pg_http_conn *conn, const pg_http_endpoint *e, const char *path,
		 const char *content_type, const char *accept, const char *body, size_t body_len)
{
	char head[1024];
	int head_len = snprintf(head, sizeof(head),
				"POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: %s\r\nAccept: %s\r\n"
				"Content-Length: %zu\r\nConnection: close\r\n\r\n",
				path, e->host, content_type, accept, body_len);
	if (head_len < 0 || (size_t)head_len >= sizeof(head)) {
		errno = EOVERFLOW;
		return -1;
	}
	if (send_all(conn, head, (size_t)head_len) != 0)
		return -1;
	return send_all(conn, body, body_len);
}

void pg_http_response_init(pg_http_response *r, pg_http_conn *conn)
{
	memset(r, 0, sizeof(*r));
	r->conn = conn;
}

/* Read more raw bytes. 1 got some, 0 EOF, -1 error or timeout (timed_out says which). */
static int response_fill(pg_http_response *r)
{
	if (r->pos == r->len)
		r->pos = r->len = 0;
	if (r->len == sizeof(r->raw)) {
		memmove(r->raw, r->raw + r->pos, r->len - r->pos);
		r->len -= r->pos;
		r->pos = 0;
	}
	for (;;) {
		ssize_t got = recv(r->conn->fd, r->raw + r->len, sizeof(r->raw) - r->len, 0);
		if (got > 0) {
			r->read_at = pg_now();
			r->len += (size_t)got;
			return 1;
		}
		if (got == 0)
			return 0;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN)
			return -1;
		int ready = r->conn->wait(r->conn->wait_arg, r->conn->fd, POLLIN, r->conn->deadline);
		if (ready <= 0) {
			r->timed_out = ready == 0;
			return -1;
		}
	}
}

/* One CRLF- (or LF-) terminated line of the head or of chunk framing. 1, 0 EOF, -1 error, -2 too long. */
static int response_line(pg_http_response *r, char *line, size_t size)
{
	size_t n = 0;
	for (;;) {
		while (r->pos < r->len) {
			char ch = r->raw[r->pos++];
			if (ch == '\n') {
				if (n > 0 && line[n - 1] == '\r')
					n--;
				line[n] = '\0';
				return 1;
			}
			if (n + 1 >= size)
				return -2;
			line[n++] = ch;
		}
		int got = response_fill(r);
		if (got <= 0)
			return got;
	}
}

int pg_http_response_head(pg_http_response *r, char *why, size_t size)
{
	char line[8192];
	int got = response_line(r, line, sizeof(line));
	if (got <= 0) {
		snprintf(why, size, "%s", got == 0 ? "the connection closed before a response" : "no response");
		return -1;
	}
	int minor;
	if (sscanf(line, "HTTP/1.%d %d", &minor, &r->status) != 2 || r->status < 100 || r->status > 999) {
		snprintf(why, size, "not an HTTP/1.x response: \"%.80s\"", line);
		return -1;
	}
	r->content_left = -1;
	r->chunk_left = -1;
	while ((got = response_line(r, line, sizeof(line))) == 1 && line[0]) {
		char *value = strchr(line, ':');
		if (!value)
			continue;
		*value++ = '\0';
		value += strspn(value, " \t");
		if (strcasecmp(line, "Transfer-Encoding") == 0) {
			if (strcasecmp(value, "chunked") != 0) {
				snprintf(why, size, "unsupported Transfer-Encoding \"%.60s\" (expected chunked or none)",
					 value);
				return -1;
			}
			r->chunked = 1;
		} else if (strcasecmp(line, "Content-Length") == 0) {
			r->content_left = strtoll(value, NULL, 10);
		} else if (strcasecmp(line, "Content-Type") == 0) {
			snprintf(r->content_type, sizeof(r->content_type), "%s", value);
		}
	}
	if (got != 1) {
		snprintf(why, size, "%s", got == -2 ? "a response header line longer than 8 KiB"
						     : "the response ended inside its headers");
		return -1;
	}
	if (r->chunked)
		r->content_left = -1;
	return 0;
}

int pg_http_response_body(pg_http_response *r, char *dst, size_t size, size_t *n)
{
	char line[256];
	*n = 0;
	while (!r->body_done) {
		if (r->chunked && r->chunk_left <= 0) {
			int got;
			if (r->chunk_left == 0) {
				/* The CRLF after a chunk's data. */
				if ((got = response_line(r, line, sizeof(line))) <= 0)
					return got == 0 ? 0 : PG_HTTP_FAILED;
				if (line[0])
					return PG_HTTP_MALFORMED;
			}
			if ((got = response_line(r, line, sizeof(line))) <= 0)
				return got == 0 ? 0 : PG_HTTP_FAILED;
			char *end;
			errno = 0;
			long long chunk = strtoll(line, &end, 16);
			if (errno || end == line || chunk < 0 || (*end && *end != ';' && *end != ' '))
				return PG_HTTP_MALFORMED;
			r->chunk_left = chunk;
			if (chunk == 0) {
				/* Trailers up to the blank line, then the body is done. */
				while ((got = response_line(r, line, sizeof(line))) == 1 && line[0])
					;
				r->body_done = 1;
				return 0;
			}
		}
		if (r->content_left == 0) {
			r->body_done = 1;
			return 0;
		}
		if (r->pos == r->len) {
			int got = response_fill(r);
			if (got <= 0)
				return got;
		}
		size_t take = r->len - r->pos;
		if (take > size)
			take = size;
		if (r->chunked && (long long)take > r->chunk_left)
			take = (size_t)r->chunk_left;
		if (r->content_left >= 0 && (long long)take > r->content_left)
			take = (size_t)r->content_left;
		memcpy(dst, r->raw + r->pos, take);
		r->pos += take;
		if (r->chunked)
			r->chunk_left -= (long long)take;
		if (r->content_left > 0)
			r->content_left -= (long long)take;
		*n = take;
		return 0;
	}
	return 0;
}
