/* inference.c - the inference kind: a prompt corpus through a token-streaming command or an OpenAI-compatible endpoint */
#include "driver.h"
#include "net/http.h"
#include "net/sse.h"
#include "perfgate/clock.h"
#include "perfgate/error.h"
#include "perfgate/fileio.h"
#include "perfgate/json.h"
#include "perfgate/runner.h"
#include "pg_version.h"

#include <errno.h>
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/syscall.h>
#include <unistd.h>

#define DEFAULT_MAX_TOKENS 32
#define CONNECT_RETRY_S 0.020
#define SERVER_EXIT_GRACE_S 0.2 /* after a failed prompt: time for a dying server to be seen exiting */
#define MAX_EXTRA_PASSES 10000     /* min_time on a corpus that takes no time */
#define MAX_EVENT_BYTES (1u << 20) /* one server-sent event; beyond that it is not a token */
#define BODY_EXCERPT 200

/* Metrics, in the order they are added: the primary first. */
enum { M_LATENCY, M_TTFT, M_TPOT, M_TOKENS_PER_S, M_PEAK_RSS, M_RSS_MEAN };

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
	double rss_mean; /* bytes, NAN when the prompt took less than a sampling period; stream only */
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
	if (!rc && with_rss && isfinite(c->rss_mean))
		rc = pg_metric_add_sample(&out->metrics[M_RSS_MEAN], c->rss_mean);
	return rc;
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
	double next_sample = p.started + PG_RSS_SAMPLE_MS / 1e3, rss_sum = 0;
	size_t rss_samples = 0;
	while (!eof) {
		int wait_ms = pg_poll_timeout_ms(deadline);
		if (wait_ms == 0)
			break;
		/* The resident set while it generates, as the runner samples it while a command runs. */
		if (pg_now() >= next_sample) {
			double rss = pg_process_rss(p.pid);
			if (isfinite(rss) && rss > 0) {
				rss_sum += rss;
				rss_samples++;
			}
			next_sample = pg_now() + PG_RSS_SAMPLE_MS / 1e3;
		}
		int to_sample = pg_poll_timeout_ms(next_sample);
		if (wait_ms < 0 || to_sample < wait_ms)
			wait_ms = to_sample;
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
		pg_driver_describe_exit(how, sizeof(how), &o);
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
	c->rss_mean = rss_samples ? rss_sum / (double)rss_samples : o.rss_mean;
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
 * The HTTP client's pg_http_wait_fn: wait until fd is ready for events (fd
 * -1: just wait) or the deadline (0: none) passes, keeping the pipes of the
 * server arg (or none) drained. 1 ready, 0 the deadline or the server
 * exited, -1 poll failed.
 */
static int wait_fd(void *arg, int fd, short events, double deadline)
{
	server *s = arg;
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

/* One prompt's stream: the completion its events' tokens go to, the response they arrive on. */
typedef struct token_stream {
	completion *c;
	const pg_http_response *r;
} token_stream;

/* A pg_sse_event_fn: JSON whose choices[0].text is a token when non-empty. */
static int stream_event(void *arg, const char *data, size_t len, size_t number, char *why,
			size_t size)
{
	token_stream *ts = arg;
	cJSON *event = cJSON_ParseWithLength(data, len);
	if (!event) {
		snprintf(why, size, "malformed event %zu: not JSON: \"%.80s\"%s", number, data,
			 len > 80 ? "..." : "");
		return -1;
	}
	const cJSON *error = cJSON_GetObjectItemCaseSensitive(event, "error");
	if (error) {
		const cJSON *msg = cJSON_GetObjectItemCaseSensitive(error, "message");
		snprintf(why, size, "event %zu is an error: %.200s", number,
			 cJSON_IsString(msg) ? msg->valuestring : cJSON_IsString(error) ? error->valuestring : "(no message)");
		cJSON_Delete(event);
		return -1;
	}
	const cJSON *choices = cJSON_GetObjectItemCaseSensitive(event, "choices");
	if (!cJSON_IsObject(event) || (choices && !cJSON_IsArray(choices))) {
		snprintf(why, size, "malformed event %zu: expected an object with a \"choices\" array: \"%.80s\"",
			 number, data);
		cJSON_Delete(event);
		return -1;
	}
	const cJSON *text = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(choices, 0), "text");
	if (cJSON_IsString(text) && text->valuestring[0])
		completion_token(ts->c, ts->r->read_at);
	cJSON_Delete(event);
	return 0;
}

/*
 * One prompt through the endpoint: fills c, or sets out's status. Returns
 * 0, or negative when perfgate itself failed (out of memory).
 */
static int openai_prompt(pg_benchmark *out, const pg_http_endpoint *ep, server *srv,
			 double timeout, int max_tokens, const char *prompt, const char *label,
			 completion *c)
{
	static pg_http_response r; /* 16 KiB of buffer: not on the stack */
	char why[512] = "";
	pg_http_conn conn = {.fd = -1, .wait = wait_fd, .wait_arg = srv};
	token_stream tokens = {c, &r};
	pg_sse events = {0};
	int rc = 0;
	pg_status status = PG_STATUS_FAILED;
	char *body = request_body(prompt, max_tokens);
	if (!body) {
		rc = pg_error_set(PG_ENOMEM, "out of memory");
		goto done;
	}
	if ((rc = pg_sse_init(&events, MAX_EVENT_BYTES, stream_event, &tokens)))
		goto done;
	memset(c, 0, sizeof(*c));
	c->t0 = pg_now();
	conn.deadline = timeout > 0 ? c->t0 + timeout : 0;
	if (pg_http_connect(&conn, ep) != 0) {
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
	if (pg_http_post(&conn, ep, "/v1/completions", "application/json", "text/event-stream", body,
			 strlen(body)) != 0) {
		status = errno == ETIMEDOUT ? PG_STATUS_TIMEOUT : PG_STATUS_FAILED;
		snprintf(why, sizeof(why), "%s: sending the request: %s", ep->url, strerror(errno));
		goto done;
	}
	pg_http_response_init(&r, &conn);
	char head_why[256];
	if (pg_http_response_head(&r, head_why, sizeof(head_why)) != 0) {
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
		while (used < BODY_EXCERPT && pg_http_response_body(&r, chunk, BODY_EXCERPT - used, &n) == 0 && n > 0) {
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
		int got = pg_http_response_body(&r, chunk, sizeof(chunk), &n);
		if (got == PG_HTTP_MALFORMED) {
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
		if (pg_sse_feed(&events, chunk, n, event_why, sizeof(event_why)) != 0) {
			snprintf(why, sizeof(why), "%s: %s", ep->url, event_why);
			goto done;
		}
		if (events.done) {
			c->end = r.read_at;
			break;
		}
	}
	if (pg_sse_finish(&events))
		c->end = r.read_at;
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
			wait_fd(srv, -1, 0, pg_now() + SERVER_EXIT_GRACE_S);
		if (srv->started && srv->exited) {
			static pg_run_outcome o;
			if (pg_process_finish(&o, &srv->proc, 1.0, 0) == 0) {
				char ended[900];
				pg_driver_describe_exit(ended, sizeof(ended), &o);
				snprintf(how, sizeof(how), "; the server %s", ended);
			}
			srv->started = 0;
		}
		rc = pg_benchmark_set_status(out, status, "%s: %s%s", label, why, how);
	}
	if (conn.fd >= 0)
		close(conn.fd);
	free(body);
	pg_sse_free(&events);
	return rc;
}

/*
 * Start target.command and wait until the endpoint takes connections. 0
 * when it does (or out's status says why not), negative when it could not
 * be started.
 */
static int server_start(server *s, pg_benchmark *out, const pg_bench_def *def,
			const pg_driver_ctx *ctx, char **argv, const pg_http_endpoint *ep)
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
		pg_http_conn probe = {.fd = -1, .deadline = deadline, .wait = wait_fd, .wait_arg = s};
		if (pg_http_connect(&probe, ep) == 0) {
			close(probe.fd);
			return 0;
		}
		if (!s->exited && (deadline <= 0 || pg_now() + CONNECT_RETRY_S < deadline))
			wait_fd(s, -1, 0, pg_now() + CONNECT_RETRY_S);
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
	pg_driver_describe_exit(how, sizeof(how), &o);
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
		      const pg_lines *corpus, char **argv, const pg_http_endpoint *ep, server *srv,
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
		{"peak_rss", "bytes", PG_BETTER_LOWER}, {"rss_mean", "bytes", PG_BETTER_LOWER},
	};
	char where[512], **argv = NULL, *path = NULL;
	const char *protocol = NULL, *url = NULL;
	int openai = 0, max_tokens, rc;
	pg_lines corpus = {0};
	pg_http_endpoint ep;
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
	if (openai) {
		char at[600];
		snprintf(at, sizeof(at), "%s: target.url", where);
		if ((rc = pg_http_endpoint_parse(&ep, url, at)))
			goto done;
	}
	if ((rc = pg_driver_corpus_path(&path, def, ctx)) || (rc = prompts_load(&corpus, path, def->name)))
		goto done;
	if (ctx->run.instructions) {
		rc = pg_benchmark_set_status(out, PG_STATUS_SKIPPED,
					     "measure: instructions has no driver for kind inference in perfgate %s",
					     PG_VERSION);
		goto done;
	}
	/* peak_rss and rss_mean are per prompt for stream; the server's peak once for openai (at the end). */
	for (size_t i = 0; i < (openai ? M_PEAK_RSS : M_RSS_MEAN + 1); i++)
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
