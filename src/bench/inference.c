/* inference.c - the inference kind: a prompt corpus through a token-streaming command or an OpenAI-compatible endpoint */
#include "driver.h"
#include "perfgate/clock.h"
#include "perfgate/error.h"
#include "perfgate/fileio.h"
#include "perfgate/json.h"
#include "perfgate/runner.h"
#include "pg_version.h"

#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#define DEFAULT_MAX_TOKENS 32
#define CONNECT_RETRY_S 0.020
#define SERVER_EXIT_GRACE_S 0.2 /* after a failed prompt: time for a dying server to be seen exiting */
#define MAX_EXTRA_PASSES 10000     /* min_time on a corpus that takes no time */
#define MAX_EVENT_BYTES (1u << 20) /* one server-sent event; beyond that it is not a token */
#define BODY_EXCERPT 200

/* Metrics, in the order they are added: the primary first. */
enum { M_LATENCY, M_TTFT, M_TPOT, M_TOKENS_PER_S, M_PEAK_RSS };

/* One prompt a line; empty lines and # comments (as in a matcher corpus) are not prompts. */
static int prompts_load(pg_lines *c, const char *path, const char *bench)
{
	int rc = pg_file_read_lines(c, path);
	if (rc)
		return rc;
	if (c->n == 0)
		return pg_error_set(PG_EINPUT, "%s: no prompts (benchmark '%s' reads one prompt a line; # starts a comment)",
				    path, bench);
	return 0;
}

/* How one prompt went, in pg_now() seconds. */
typedef struct completion {
	double t0;          /* the process started / just before connect */
	double first, last; /* first and last token */
	double end;         /* the process exited / data: [DONE] */
	size_t tokens;
	double peak_rss; /* bytes; stream only */
} completion;

static void completion_token(completion *c, double at)
{
	if (c->tokens++ == 0)
		c->first = at;
	c->last = at;
}

static int record(pg_benchmark *out, const completion *c, int with_rss)
{
	double latency = c->end - c->t0;
	int rc = pg_metric_add_sample(&out->metrics[M_LATENCY], latency * 1e3);
	if (!rc)
		rc = pg_metric_add_sample(&out->metrics[M_TTFT], (c->first - c->t0) * 1e3);
	if (!rc && c->tokens > 1)
		rc = pg_metric_add_sample(&out->metrics[M_TPOT],
					  (c->last - c->first) * 1e3 / (double)(c->tokens - 1));
	if (!rc)
		rc = pg_metric_add_sample(&out->metrics[M_TOKENS_PER_S],
					  latency > 0 ? (double)c->tokens / latency : NAN);
	if (!rc && with_rss)
		rc = pg_metric_add_sample(&out->metrics[M_PEAK_RSS], c->peak_rss);
	return rc;
}

/* "how the process ended (stderr: its last lines)" for a failure reason. */
static void describe_exit(char *buf, size_t size, const pg_run_outcome *o)
{
	char how[256], excerpt[600] = "";
	pg_run_describe(o, how, sizeof(how));
	pg_driver_stderr_excerpt(excerpt, sizeof(excerpt), o->stderr_tail, o->stderr_len);
	snprintf(buf, size, "%s%s%s%s", how, excerpt[0] ? " (stderr: " : "", excerpt,
		 excerpt[0] ? ")" : "");
}

/* ---- stream: a process per prompt, the prompt as its last argument, a token a line ---- */

/*
 * Run one prompt. 0 with c filled, or 0 with out's status set when the
 * target failed; negative when perfgate could not start it.
 */
static int stream_prompt(pg_benchmark *out, const pg_bench_def *def, const pg_driver_ctx *ctx,
			 char **argv, size_t argc, char *prompt, const char *label, completion *c)
{
	static pg_run_outcome o; /* 16 KiB of output tails: not on the stack */
	pg_run_spec spec = {.argv = argv, .envp = def->env, .cwd = def->cwd, .cpu = ctx->run.pin};
	pg_process p;
	double timeout = ctx->run.timeout_s;
	argv[argc] = prompt;
	int rc = pg_process_start(&p, &spec, 0);
	argv[argc] = NULL;
	if (rc)
		return pg_error_wrap(rc, "benchmark '%s'", def->name);
	memset(c, 0, sizeof(*c));
	c->t0 = p.started;
	double deadline = timeout > 0 ? p.started + timeout : 0;
	int in_line = 0, eof = 0; /* in_line: the current line has text (a token) */
	while (!eof) {
		int wait_ms = pg_poll_timeout_ms(deadline);
		if (wait_ms == 0)
			break;
		struct pollfd fds[2] = {{.fd = p.stdout_fd, .events = POLLIN},
					{.fd = p.stderr_fd, .events = POLLIN}};
		int ready = poll(fds, 2, wait_ms);
		if (ready < 0 && errno != EINTR)
			break;
		if (ready <= 0)
			continue;
		if (fds[1].revents)
			pg_process_drain_stderr(&p);
		if (!fds[0].revents)
			continue;
		char buf[4096];
		ssize_t got = read(p.stdout_fd, buf, sizeof(buf));
		double at = pg_now();
		if (got < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (got <= 0) {
			eof = 1;
			if (in_line)
				completion_token(c, at);
			break;
		}
		for (ssize_t i = 0; i < got; i++) {
			if (buf[i] == '\n') {
				if (in_line)
					completion_token(c, at);
				in_line = 0;
			} else if (buf[i] != '\r') {
				in_line = 1;
			}
		}
	}
	if ((rc = pg_process_finish(&o, &p, timeout, 0)))
		return pg_error_wrap(rc, "benchmark '%s'", def->name);
	char how[1024];
	if (!pg_run_succeeded(&o)) {
		describe_exit(how, sizeof(how), &o);
		return pg_benchmark_set_status(out, o.timed_out ? PG_STATUS_TIMEOUT : PG_STATUS_FAILED,
					       "%s: the target %s", label, how);
	}
	/* Output cut at our deadline while the exit came just in time: still a timeout. */
	if (!eof)
		return pg_benchmark_set_status(out, PG_STATUS_TIMEOUT,
					       "%s: the target was still writing tokens after %.3g s", label,
					       timeout);
	if (c->tokens == 0)
		return pg_benchmark_set_status(out, PG_STATUS_FAILED,
					       "%s: the target exited with status 0 but printed no tokens",
					       label);
	c->end = c->t0 + o.wall_s;
	c->peak_rss = o.peak_rss;
	return 0;
}

/* ---- openai: POST /v1/completions with "stream": true, server-sent events back ---- */

/* A server perfgate started for the run (or none): its output is drained while we talk. */
typedef struct server {
	pg_process proc;
	int started;
	int pidfd;  /* readable once it exits, or -1 (then its pipes closing tells) */
	int exited; /* seen to exit (or close both its pipes) */
} server;

static void server_pump(server *s, const struct pollfd *fds)
{
	if (fds[0].revents && s->proc.stdout_fd >= 0) {
		char sink[4096];
		ssize_t got = read(s->proc.stdout_fd, sink, sizeof(sink));
		if (got == 0 || (got < 0 && errno != EAGAIN && errno != EINTR)) {
			close(s->proc.stdout_fd);
			s->proc.stdout_fd = -1;
		}
	}
	if (fds[1].revents)
		pg_process_drain_stderr(&s->proc);
	if (fds[2].revents)
		s->exited = 1;
	if (s->pidfd < 0 && s->proc.stdout_fd < 0 && s->proc.stderr_fd < 0)
		s->exited = 1;
}

/*
 * Wait until fd is ready for events (fd -1: just wait) or the deadline (0:
 * none) passes, keeping the server's pipes drained. 1 ready, 0 the deadline,
 * -1 poll failed.
 */
static int wait_fd(int fd, short events, double deadline, server *s)
{
	for (;;) {
		int wait_ms = pg_poll_timeout_ms(deadline);
		if (wait_ms == 0)
			return 0;
		struct pollfd fds[4] = {{.fd = -1}, {.fd = -1}, {.fd = -1}, {.fd = fd, .events = events}};
		if (s && s->started && !s->exited) {
			fds[0] = (struct pollfd){.fd = s->proc.stdout_fd, .events = POLLIN};
			fds[1] = (struct pollfd){.fd = s->proc.stderr_fd, .events = POLLIN};
			fds[2] = (struct pollfd){.fd = s->pidfd, .events = POLLIN};
		}
		int ready = poll(fds, 4, wait_ms);
		if (ready < 0 && errno != EINTR)
			return -1;
		if (ready <= 0)
			continue;
		if (s && s->started && !s->exited)
			server_pump(s, fds);
		if (fd >= 0 && fds[3].revents)
			return 1;
		if (fd < 0 && s && s->exited)
			return 0;
	}
}

typedef struct endpoint {
	const char *url; /* as written, for messages */
	char host[256];  /* for the Host header */
	struct sockaddr_in addr;
} endpoint;

/* "http://HOST:PORT" (an optional trailing slash), HOST an IPv4 address or localhost. */
static int endpoint_parse(endpoint *e, const char *url, const char *where)
{
	const char *rest = strncmp(url, "http://", 7) == 0 ? url + 7 : NULL;
	const char *colon = rest ? strrchr(rest, ':') : NULL;
	memset(e, 0, sizeof(*e));
	e->url = url;
	if (!colon || (size_t)(colon - rest) >= sizeof(e->host) || colon == rest)
		return pg_error_set(PG_EINPUT,
				    "%s: target.url: expected \"http://HOST:PORT\" (plain HTTP, HOST an IPv4 address or localhost), found \"%s\"",
				    where, url);
	char *end;
	errno = 0;
	long port = strtol(colon + 1, &end, 10);
	if (errno || end == colon + 1 || port < 1 || port > 65535 || (*end && strcmp(end, "/") != 0))
		return pg_error_set(PG_EINPUT,
				    "%s: target.url: expected \"http://HOST:PORT\" with a port from 1 to 65535 and no path, found \"%s\"",
				    where, url);
	memcpy(e->host, rest, (size_t)(colon - rest));
	const char *ip = strcmp(e->host, "localhost") == 0 ? "127.0.0.1" : e->host;
	e->addr.sin_family = AF_INET;
	e->addr.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, ip, &e->addr.sin_addr) != 1)
		return pg_error_set(PG_EINPUT,
				    "%s: target.url: host \"%s\" is not an IPv4 address or localhost (in \"%s\")",
				    where, e->host, url);
	snprintf(e->host + strlen(e->host), sizeof(e->host) - strlen(e->host), ":%ld", port);
	return 0;
}

/*
 * Connect to the endpoint before the deadline: the socket, or -1 with errno
 * (ECONNREFUSED, ETIMEDOUT, ...).
 */
static int endpoint_connect(const endpoint *e, double deadline, server *s)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (const struct sockaddr *)&e->addr, sizeof(e->addr)) == 0)
		return fd;
	int err = errno;
	if (err == EINPROGRESS) {
		int ready = wait_fd(fd, POLLOUT, deadline, s);
		socklen_t len = sizeof(err);
		if (ready == 1 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0)
			return fd;
		if (ready == 0)
			err = ETIMEDOUT;
		else if (ready < 0)
			err = errno;
	}
	close(fd);
	errno = err;
	return -1;
}

/* One HTTP/1.1 response read from a socket: raw bytes, then the body de-chunked. */
typedef struct http_response {
	int fd;
	double deadline;
	server *srv;
	char raw[16384];
	size_t pos, len;
	double read_at; /* when the bytes in raw arrived */
	int status;
	int chunked;
	long long content_left; /* -1: until EOF */
	long long chunk_left;   /* bytes left in the current chunk; -1 before the first */
	int body_done;
	int timed_out;
	char content_type[128];
} http_response;

/* Read more raw bytes. 1 got some, 0 EOF, -1 error or timeout (timed_out says which). */
static int response_fill(http_response *r)
{
	if (r->pos == r->len)
		r->pos = r->len = 0;
	if (r->len == sizeof(r->raw)) {
		memmove(r->raw, r->raw + r->pos, r->len - r->pos);
		r->len -= r->pos;
		r->pos = 0;
	}
	for (;;) {
		ssize_t got = recv(r->fd, r->raw + r->len, sizeof(r->raw) - r->len, 0);
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
		int ready = wait_fd(r->fd, POLLIN, r->deadline, r->srv);
		if (ready <= 0) {
			r->timed_out = ready == 0;
			return -1;
		}
	}
}

/* One CRLF- (or LF-) terminated line of the head or of chunk framing. 1, 0 EOF, -1 error, -2 too long. */
static int response_line(http_response *r, char *line, size_t size)
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

/* Up to size body bytes into dst, de-chunked. *n is 0 at the end of the body. 0 ok, else as fill. */
static int response_body(http_response *r, char *dst, size_t size, size_t *n)
{
	char line[256];
	*n = 0;
	while (!r->body_done) {
		if (r->chunked && r->chunk_left <= 0) {
			int got;
			if (r->chunk_left == 0) {
				/* The CRLF after a chunk's data. */
				if ((got = response_line(r, line, sizeof(line))) <= 0)
					return got == 0 ? 0 : -1;
				if (line[0])
					return -3;
			}
			if ((got = response_line(r, line, sizeof(line))) <= 0)
				return got == 0 ? 0 : -1;
			char *end;
			errno = 0;
			long long chunk = strtoll(line, &end, 16);
			if (errno || end == line || chunk < 0 || (*end && *end != ';' && *end != ' '))
				return -3;
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

/* Status line and headers. 0, or a message in why and -1. */
static int response_head(http_response *r, char *why, size_t size)
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

/* Server-sent events of one response: data lines gathered into events. */
typedef struct sse {
	char *line, *data;
	size_t line_len, data_len;
	int has_data;
	int line_too_long;
	size_t events; /* dispatched, [DONE] not counted */
	int done;
} sse;

static int append(char *buf, size_t *len, const char *text, size_t n)
{
	if (*len + n + 1 > MAX_EVENT_BYTES)
		return -1;
	memcpy(buf + *len, text, n);
	*len += n;
	buf[*len] = '\0';
	return 0;
}

/* One event's data: [DONE], or JSON whose choices[0].text is a token when non-empty. */
static int sse_dispatch(sse *e, completion *c, double at, char *why, size_t size)
{
	e->has_data = 0;
	if (strcmp(e->data, "[DONE]") == 0) {
		e->done = 1;
		c->end = at;
		e->data_len = 0;
		return 0;
	}
	e->events++;
	cJSON *event = cJSON_ParseWithLength(e->data, e->data_len);
	size_t n = e->data_len;
	e->data_len = 0;
	if (!event) {
		snprintf(why, size, "malformed event %zu: not JSON: \"%.80s\"%s", e->events, e->data,
			 n > 80 ? "..." : "");
		return -1;
	}
	const cJSON *error = cJSON_GetObjectItemCaseSensitive(event, "error");
	if (error) {
		const cJSON *msg = cJSON_GetObjectItemCaseSensitive(error, "message");
		snprintf(why, size, "event %zu is an error: %.200s", e->events,
			 cJSON_IsString(msg) ? msg->valuestring : cJSON_IsString(error) ? error->valuestring : "(no message)");
		cJSON_Delete(event);
		return -1;
	}
	const cJSON *choices = cJSON_GetObjectItemCaseSensitive(event, "choices");
	if (!cJSON_IsObject(event) || (choices && !cJSON_IsArray(choices))) {
		snprintf(why, size, "malformed event %zu: expected an object with a \"choices\" array: \"%.80s\"",
			 e->events, e->data);
		cJSON_Delete(event);
		return -1;
	}
	const cJSON *text = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(choices, 0), "text");
	if (cJSON_IsString(text) && text->valuestring[0])
		completion_token(c, at);
	cJSON_Delete(event);
	return 0;
}

/* Feed n body bytes that arrived at `at`. 0, or -1 with why. */
static int sse_feed(sse *e, const char *bytes, size_t n, completion *c, double at, char *why,
		    size_t size)
{
	while (n > 0 && !e->done) {
		const char *nl = memchr(bytes, '\n', n);
		size_t take = nl ? (size_t)(nl - bytes) : n;
		if (append(e->line, &e->line_len, bytes, take) != 0)
			e->line_too_long = 1;
		bytes += take + (nl != NULL);
		n -= take + (nl != NULL);
		if (!nl)
			break;
		if (e->line_too_long) {
			snprintf(why, size, "an event line longer than %u bytes", MAX_EVENT_BYTES);
			return -1;
		}
		char *line = e->line;
		size_t len = e->line_len;
		if (len > 0 && line[len - 1] == '\r')
			line[--len] = '\0';
		e->line_len = 0;
		if (len == 0) {
			if (e->has_data && sse_dispatch(e, c, at, why, size) != 0)
				return -1;
			continue;
		}
		if (strncmp(line, "data:", 5) != 0)
			continue; /* comments, event:, id:, retry: */
		const char *value = line + 5 + (line[5] == ' ');
		if ((e->has_data && append(e->data, &e->data_len, "\n", 1) != 0) ||
		    append(e->data, &e->data_len, value, strlen(value)) != 0) {
			snprintf(why, size, "event %zu is longer than %u bytes", e->events + 1, MAX_EVENT_BYTES);
			return -1;
		}
		e->has_data = 1;
	}
	return 0;
}

/* A request body with the prompt escaped by cJSON; caller frees. */
static char *request_body(const char *prompt, int max_tokens)
{
	cJSON *body = cJSON_CreateObject();
	char *text = NULL;
	if (body && cJSON_AddStringToObject(body, "prompt", prompt) &&
	    cJSON_AddNumberToObject(body, "max_tokens", max_tokens) &&
	    cJSON_AddTrueToObject(body, "stream"))
		text = cJSON_PrintUnformatted(body);
	cJSON_Delete(body);
	return text;
}

static int send_all(int fd, const char *data, size_t len, double deadline, server *s)
{
	while (len > 0) {
		ssize_t put = send(fd, data, len, MSG_NOSIGNAL);
		if (put > 0) {
			data += put;
			len -= (size_t)put;
			continue;
		}
		if (put < 0 && errno == EINTR)
			continue;
		if (put < 0 && errno != EAGAIN)
			return -1;
		int ready = wait_fd(fd, POLLOUT, deadline, s);
		if (ready <= 0) {
			if (ready == 0)
				errno = ETIMEDOUT;
			return -1;
		}
	}
	return 0;
}

/*
 * One prompt through the endpoint: fills c, or sets out's status. Returns
 * 0, or negative when perfgate itself failed (out of memory).
 */
static int openai_prompt(pg_benchmark *out, const endpoint *ep, server *srv, double timeout,
			 int max_tokens, const char *prompt, const char *label, completion *c)
{
	static http_response r;
	char why[512] = "", request[1024];
	sse events = {0};
	int fd = -1, rc = 0;
	pg_status status = PG_STATUS_FAILED;
	char *body = request_body(prompt, max_tokens);
	events.line = malloc(MAX_EVENT_BYTES);
	events.data = malloc(MAX_EVENT_BYTES);
	if (!body || !events.line || !events.data) {
		rc = pg_error_set(PG_ENOMEM, "out of memory");
		goto done;
	}
	events.line[0] = events.data[0] = '\0';
	memset(c, 0, sizeof(*c));
	c->t0 = pg_now();
	double deadline = timeout > 0 ? c->t0 + timeout : 0;
	if ((fd = endpoint_connect(ep, deadline, srv)) < 0) {
		int err = errno;
		if (err == ECONNREFUSED)
			snprintf(why, sizeof(why), "connection refused: %s", ep->url);
		else if (err == ETIMEDOUT)
			snprintf(why, sizeof(why), "no connection to %s within %.3g s", ep->url, timeout);
		else
			snprintf(why, sizeof(why), "cannot connect to %s: %s", ep->url, strerror(err));
		status = err == ETIMEDOUT ? PG_STATUS_TIMEOUT : PG_STATUS_FAILED;
		goto done;
	}
	size_t body_len = strlen(body);
	int head_len = snprintf(request, sizeof(request),
				"POST /v1/completions HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\n"
				"Accept: text/event-stream\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n",
				ep->host, body_len);
	if (send_all(fd, request, (size_t)head_len, deadline, srv) != 0 ||
	    send_all(fd, body, body_len, deadline, srv) != 0) {
		status = errno == ETIMEDOUT ? PG_STATUS_TIMEOUT : PG_STATUS_FAILED;
		snprintf(why, sizeof(why), "%s: sending the request: %s", ep->url, strerror(errno));
		goto done;
	}
	memset(&r, 0, sizeof(r));
	r.fd = fd;
	r.deadline = deadline;
	r.srv = srv;
	char head_why[256];
	if (response_head(&r, head_why, sizeof(head_why)) != 0) {
		status = r.timed_out ? PG_STATUS_TIMEOUT : PG_STATUS_FAILED;
		if (r.timed_out)
			snprintf(why, sizeof(why), "%s: no response within %.3g s", ep->url, timeout);
		else
			snprintf(why, sizeof(why), "%s: %s", ep->url, head_why);
		goto done;
	}
	char chunk[4096];
	size_t n;
	if (r.status != 200) {
		char excerpt[BODY_EXCERPT + 1];
		size_t used = 0;
		while (used < BODY_EXCERPT && response_body(&r, chunk, BODY_EXCERPT - used, &n) == 0 && n > 0) {
			memcpy(excerpt + used, chunk, n);
			used += n;
		}
		excerpt[used] = '\0';
		for (char *p = excerpt; *p; p++)
			if (*p == '\n' || *p == '\r' || *p == '\t')
				*p = ' ';
		snprintf(why, sizeof(why), "%s answered HTTP status %d%s%s", ep->url, r.status,
			 used ? ": " : "", excerpt);
		goto done;
	}
	if (r.content_type[0] && strncasecmp(r.content_type, "text/event-stream", 17) != 0) {
		snprintf(why, sizeof(why), "%s answered %.60s, not text/event-stream (does it stream?)",
			 ep->url, r.content_type);
		goto done;
	}
	for (;;) {
		int got = response_body(&r, chunk, sizeof(chunk), &n);
		if (got == -3) {
			snprintf(why, sizeof(why), "%s: malformed chunked encoding after %zu events", ep->url,
				 events.events);
			goto done;
		}
		if (got != 0 && r.timed_out) {
			status = PG_STATUS_TIMEOUT;
			snprintf(why, sizeof(why), "%s: no [DONE] within %.3g s (%zu events so far)", ep->url,
				 timeout, events.events);
			goto done;
		}
		if (got != 0) {
			snprintf(why, sizeof(why), "%s: the connection failed after %zu events: %s", ep->url,
				 events.events, strerror(errno));
			goto done;
		}
		if (n == 0)
			break;
		char event_why[400];
		if (sse_feed(&events, chunk, n, c, r.read_at, event_why, sizeof(event_why)) != 0) {
			snprintf(why, sizeof(why), "%s: %s", ep->url, event_why);
			goto done;
		}
		if (events.done)
			break;
	}
	/* A last "data: [DONE]" without the blank line after it still ends the stream. */
	if (!events.done && events.line_len == 0 && events.has_data &&
	    strcmp(events.data, "[DONE]") == 0) {
		events.done = 1;
		c->end = r.read_at;
	}
	if (!events.done)
		snprintf(why, sizeof(why), "%s: stream ended before [DONE] after %zu events", ep->url,
			 events.events);
	else if (c->tokens == 0)
		snprintf(why, sizeof(why), "%s: the stream ended with no tokens (%zu events)", ep->url,
			 events.events);
done:
	if (!rc && why[0]) {
		char how[1024] = "";
		/* When the server perfgate started is gone (or going), how it ended is the real reason. */
		if (srv->started && !srv->exited)
			wait_fd(-1, 0, pg_now() + SERVER_EXIT_GRACE_S, srv);
		if (srv->started && srv->exited) {
			static pg_run_outcome o;
			if (pg_process_finish(&o, &srv->proc, 1.0, 0) == 0) {
				char ended[900];
				describe_exit(ended, sizeof(ended), &o);
				snprintf(how, sizeof(how), "; the server %s", ended);
			}
			srv->started = 0;
		}
		rc = pg_benchmark_set_status(out, status, "%s: %s%s", label, why, how);
	}
	if (fd >= 0)
		close(fd);
	free(body);
	free(events.line);
	free(events.data);
	return rc;
}

/*
 * Start target.command and wait until the endpoint takes connections. 0
 * when it does (or out's status says why not), negative when it could not
 * be started.
 */
static int server_start(server *s, pg_benchmark *out, const pg_bench_def *def,
			const pg_driver_ctx *ctx, char **argv, const endpoint *ep)
{
	pg_run_spec spec = {.argv = argv, .envp = def->env, .cwd = def->cwd, .cpu = ctx->run.pin};
	double timeout = ctx->run.timeout_s;
	int rc = pg_process_start(&s->proc, &spec, 0);
	if (rc)
		return pg_error_wrap(rc, "benchmark '%s'", def->name);
	s->started = 1;
	s->pidfd = (int)syscall(SYS_pidfd_open, s->proc.pid, 0);
	double deadline = timeout > 0 ? s->proc.started + timeout : 0;
	for (;;) {
		int fd = endpoint_connect(ep, deadline, s);
		if (fd >= 0) {
			close(fd);
			return 0;
		}
		if (!s->exited && (deadline <= 0 || pg_now() + CONNECT_RETRY_S < deadline))
			wait_fd(-1, 0, pg_now() + CONNECT_RETRY_S, s);
		if (s->exited || (deadline > 0 && pg_now() >= deadline))
			break;
	}
	static pg_run_outcome o;
	int exited = s->exited;
	s->started = 0;
	if ((rc = pg_process_finish(&o, &s->proc, timeout, !exited)))
		return pg_error_wrap(rc, "benchmark '%s'", def->name);
	char how[1024], excerpt[600] = "";
	if (!exited) {
		pg_driver_stderr_excerpt(excerpt, sizeof(excerpt), o.stderr_tail, o.stderr_len);
		return pg_benchmark_set_status(out, PG_STATUS_TIMEOUT,
					       "the server (%s) took no connections on %s within %.3g s%s%s%s",
					       argv[0], ep->url, timeout, excerpt[0] ? " (stderr: " : "",
					       excerpt, excerpt[0] ? ")" : "");
	}
	describe_exit(how, sizeof(how), &o);
	return pg_benchmark_set_status(out, PG_STATUS_FAILED,
				       "the server (%s) %s before taking connections on %s", argv[0], how,
				       ep->url);
}

static int read_max_tokens(int *out, const cJSON *spec, const char *where)
{
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(spec, "max_tokens");
	*out = DEFAULT_MAX_TOKENS;
	if (!item)
		return 0;
	if (!cJSON_IsNumber(item) || item->valuedouble != floor(item->valuedouble) ||
	    item->valuedouble < 1 || item->valuedouble > 1e6)
		return pg_error_set(PG_EINPUT, "%s: max_tokens: expected an integer from 1 to 1000000", where);
	*out = (int)item->valuedouble;
	return 0;
}

/* The keys of target beyond what pg_driver_target_argv checks. */
static int read_target(const char **url, int *openai, const pg_bench_def *def, const char *protocol,
		       const char *where)
{
	static const char *const keys[] = {"command", "protocol", "url", NULL};
	const cJSON *target = cJSON_GetObjectItemCaseSensitive(def->spec, "target");
	char at[512];
	snprintf(at, sizeof(at), "%s: target", where);
	int rc = pg_json_check_keys(target, keys, at);
	if (rc)
		return rc;
	if (protocol && strcmp(protocol, "stream") != 0 && strcmp(protocol, "openai") != 0)
		return pg_error_set(PG_EINPUT,
				    "%s: target.protocol: expected \"stream\" or \"openai\", found \"%s\"", where,
				    protocol);
	*openai = protocol && strcmp(protocol, "openai") == 0;
	const cJSON *u = cJSON_GetObjectItemCaseSensitive(target, "url");
	if (u && !cJSON_IsString(u))
		return pg_error_set(PG_EINPUT, "%s: target.url: expected a string \"http://HOST:PORT\"", where);
	*url = u ? u->valuestring : NULL;
	if (*openai && !*url)
		return pg_error_set(PG_EINPUT,
				    "%s: missing key 'target.url' (the openai protocol talks to \"http://HOST:PORT\")",
				    where);
	if (!*openai && *url)
		return pg_error_set(PG_EINPUT, "%s: target.url: applies to protocol \"openai\" only", where);
	return 0;
}

/* Every pass over the corpus, warm-ups first: stream or openai. */
static int run_passes(pg_benchmark *out, const pg_bench_def *def, const pg_driver_ctx *ctx,
		      const pg_lines *corpus, char **argv, const endpoint *ep, server *srv,
		      int max_tokens)
{
	const pg_run_settings *run = &ctx->run;
	size_t argc = 0;
	while (argv && argv[argc])
		argc++;
	int done = 0, total = (run->warmup + run->runs) * (int)corpus->n;
	double spent = 0;
	for (int pass = 0;; pass++) {
		int warmup = pass < run->warmup, measured_pass = pass - run->warmup;
		if (!warmup && measured_pass >= run->runs &&
		    (spent >= run->min_time_s || measured_pass >= run->runs + MAX_EXTRA_PASSES))
			break;
		if (!warmup && measured_pass >= run->runs)
			total += (int)corpus->n;
		for (size_t i = 0; i < corpus->n; i++) {
			completion c;
			char label[256];
			snprintf(label, sizeof(label), "%s %d, prompt %zu (\"%.40s%s\")",
				 warmup ? "warm-up pass" : "pass", warmup ? pass + 1 : measured_pass + 1, i + 1,
				 corpus->lines[i], strlen(corpus->lines[i]) > 40 ? "..." : "");
			int rc = ep ? openai_prompt(out, ep, srv, run->timeout_s, max_tokens, corpus->lines[i],
						    label, &c)
				    : stream_prompt(out, def, ctx, argv, argc, corpus->lines[i], label, &c);
			if (rc || out->status != PG_STATUS_OK)
				return rc;
			if (!warmup) {
				spent += c.end - c.t0;
				if ((rc = record(out, &c, ep == NULL)))
					return rc;
			}
			if (ctx->opts->progress)
				ctx->opts->progress(ctx->opts->progress_arg, def->name, ++done, total);
		}
	}
	return 0;
}


int pg_driver_inference(pg_benchmark *out, const pg_bench_def *def, const pg_driver_ctx *ctx)
{
	static const struct {
		const char *name, *unit;
		pg_better better;
	} metrics[] = {
		{"latency", "ms", PG_BETTER_LOWER}, {"ttft", "ms", PG_BETTER_LOWER},
		{"tpot", "ms", PG_BETTER_LOWER},    {"tokens_per_s", "1/s", PG_BETTER_HIGHER},
		{"peak_rss", "bytes", PG_BETTER_LOWER},
	};
	char where[512], **argv = NULL, *path = NULL;
	const char *protocol = NULL, *url = NULL;
	int openai = 0, max_tokens, rc;
	pg_lines corpus = {0};
	endpoint ep;
	server srv = {.pidfd = -1};
	snprintf(where, sizeof(where), "%s: benchmark '%s'", ctx->gates->path, def->name);

	if ((rc = pg_driver_target_argv(&argv, def, ctx, &protocol)) ||
	    (rc = read_target(&url, &openai, def, protocol, where)) ||
	    (rc = read_max_tokens(&max_tokens, def->spec, where)))
		goto done;
	if (!openai && cJSON_GetObjectItemCaseSensitive(def->spec, "max_tokens")) {
		rc = pg_error_set(PG_EINPUT, "%s: max_tokens: applies to protocol \"openai\" only (a stream command sets its own, e.g. --max-tokens N)",
				  where);
		goto done;
	}
	if (!openai && !argv) {
		rc = pg_error_set(PG_EINPUT, "%s: missing key 'target.command' (the stream protocol runs it per prompt)",
				  where);
		goto done;
	}
	if (def->shell) {
		rc = pg_error_set(PG_EINPUT, "%s: shell: does not apply to kind inference (target.command runs without a shell)",
				  where);
		goto done;
	}
	if (openai && (rc = endpoint_parse(&ep, url, where)))
		goto done;
	if ((rc = pg_driver_corpus_path(&path, def, ctx)) || (rc = prompts_load(&corpus, path, def->name)))
		goto done;
	if (ctx->run.instructions) {
		rc = pg_benchmark_set_status(out, PG_STATUS_SKIPPED,
					     "measure: instructions has no driver for kind inference in perfgate %s",
					     PG_VERSION);
		goto done;
	}
	/* peak_rss is per prompt for stream, the server's once for openai (added at the end). */
	for (size_t i = 0; i < (openai ? M_PEAK_RSS : M_PEAK_RSS + 1); i++)
		if (!pg_benchmark_add_metric(out, metrics[i].name, metrics[i].unit, metrics[i].better)) {
			rc = pg_error_set(PG_ENOMEM, "out of memory");
			goto done;
		}
	if (openai && argv && ((rc = server_start(&srv, out, def, ctx, argv, &ep)) ||
			       out->status != PG_STATUS_OK))
		goto done;
	rc = run_passes(out, def, ctx, &corpus, argv, openai ? &ep : NULL, &srv, max_tokens);
done:
	if (srv.started) {
		static pg_run_outcome o;
		int finished = pg_process_finish(&o, &srv.proc, 1.0, 1);
		if (!finished && !rc && out->status == PG_STATUS_OK) {
			pg_metric *rss = pg_benchmark_add_metric(out, "peak_rss", "bytes", PG_BETTER_LOWER);
			if (!rss)
				rc = pg_error_set(PG_ENOMEM, "out of memory");
			else
				pg_metric_set_value(rss, o.peak_rss);
		}
		rc = rc ? rc : finished;
	}
	if (srv.pidfd >= 0)
		close(srv.pidfd);
	pg_lines_free(&corpus);
	free(path);
	pg_strv_free(argv);
	return rc;
}
