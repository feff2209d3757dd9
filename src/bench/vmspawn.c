/* vmspawn.c - the vmspawn kind: a launcher N times, spawn until its ready marker, teardown until it exits */
#include "driver.h"
#include "perfgate/clock.h"
#include "perfgate/error.h"
#include "perfgate/json.h"
#include "perfgate/runner.h"
#include "pg_version.h"

#include <errno.h>
#include <math.h>
#include <poll.h>
#include <regex.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The automake convention for "skipped": the reference launcher's exit when /dev/kvm is unusable. */
#define EXIT_SKIPPED 77
#define MAX_RUNS_FOR_MIN_TIME 100000
#define MAX_LINE 65536

enum { M_SPAWN, M_TEARDOWN, M_PEAK_RSS, M_CPU, M_CPU_PERCENT, M_IO_READ, M_IO_WRITE, M_RSS_MEAN };

typedef struct ready_marker {
	int enabled;
	int on_stderr;
	const char *pattern;
	regex_t re;
	const char *stop_name;
	int stop_signal; /* 0: the launcher ends by itself */
} ready_marker;

static int read_definition(ready_marker *m, const pg_bench_def *def, const char *where)
{
	static const struct {
		const char *name;
		int signal;
	} signals[] = {{"TERM", SIGTERM}, {"INT", SIGINT}, {"KILL", SIGKILL}, {"HUP", SIGHUP}, {"USR1", SIGUSR1}};
	static const char *const ready_keys[] = {"stream", "match", NULL};
	const cJSON *ready = cJSON_GetObjectItemCaseSensitive(def->spec, "ready");
	const cJSON *stop = cJSON_GetObjectItemCaseSensitive(def->spec, "stop");
	char at[512];
	int rc;
	memset(m, 0, sizeof(*m));
	if (ready) {
		const char *stream = "stdout";
		snprintf(at, sizeof(at), "%s: ready", where);
		if ((rc = pg_json_object(ready, at)) || (rc = pg_json_check_keys(ready, ready_keys, at)) ||
		    (rc = pg_json_get_string(&m->pattern, ready, "match", 1, at)) ||
		    (rc = pg_json_get_string(&stream, ready, "stream", 0, at)) < 0)
			return rc;
		if (strcmp(stream, "stdout") != 0 && strcmp(stream, "stderr") != 0)
			return pg_error_set(PG_EINPUT, "%s: ready.stream: expected \"stdout\" or \"stderr\", found \"%s\"",
					    where, stream);
		m->on_stderr = strcmp(stream, "stderr") == 0;
		int err = regcomp(&m->re, m->pattern, REG_EXTENDED | REG_NOSUB);
		if (err) {
			char text[256];
			regerror(err, &m->re, text, sizeof(text));
			return pg_error_set(PG_EINPUT, "%s: ready.match: '%s': %s", where, m->pattern, text);
		}
		m->enabled = 1;
	}
	if (stop) {
		if (!cJSON_IsString(stop))
			return pg_error_set(PG_EINPUT, "%s: stop: expected a signal name (TERM, INT, KILL, HUP or USR1), found %s",
					    where, pg_json_type_name(stop));
		const char *name = stop->valuestring + (strncmp(stop->valuestring, "SIG", 3) == 0 ? 3 : 0);
		for (size_t i = 0; i < sizeof(signals) / sizeof(signals[0]); i++)
			if (strcmp(signals[i].name, name) == 0) {
				m->stop_signal = signals[i].signal;
				m->stop_name = signals[i].name;
			}
		if (!m->stop_signal)
			return pg_error_set(PG_EINPUT, "%s: stop: unknown signal \"%s\" (expected TERM, INT, KILL, HUP or USR1)",
					    where, stop->valuestring);
		if (!m->enabled)
			return pg_error_set(PG_EINPUT, "%s: stop: needs a ready marker (\"ready\": {\"match\": ...}) to know when to stop",
					    where);
	}
	return 0;
}

/* Lines of one stream, matched against the marker as they complete. */
typedef struct line_scan {
	char line[MAX_LINE];
	size_t len;
} line_scan;

/* Feed n bytes (at_eof: and the end of the stream). 1 when a line matched. */
static int scan_feed(line_scan *s, const regex_t *re, const char *bytes, size_t n, int at_eof)
{
	for (size_t i = 0; i <= n; i++) {
		if (i < n && bytes[i] != '\n') {
			if (s->len < sizeof(s->line) - 1)
				s->line[s->len++] = bytes[i]; /* a longer line is matched on its start */
			continue;
		}
		if (i == n && (!at_eof || s->len == 0))
			break;
		if (s->len > 0 && s->line[s->len - 1] == '\r')
			s->len--;
		s->line[s->len] = '\0';
		s->len = 0;
		if (regexec(re, s->line, 0, NULL, 0) == 0)
			return 1;
	}
	return 0;
}

/*
 * Read the launcher's output until a line of the marker's stream matches
 * (the other stream drained all along), the stream ends, or the deadline.
 * Returns 1 with *at the match time, else 0.
 */
static int wait_for_marker(pg_process *p, const ready_marker *m, double deadline, double *at)
{
	static line_scan scan;
	size_t scanned = 0; /* stderr bytes already matched */
	scan.len = 0;
	for (;;) {
		int watched = m->on_stderr ? p->stderr_fd : p->stdout_fd;
		if (watched < 0)
			return 0;
		int wait_ms = pg_poll_timeout_ms(deadline);
		if (wait_ms == 0)
			return 0;
		struct pollfd fds[2] = {{.fd = p->stdout_fd, .events = POLLIN},
					{.fd = p->stderr_fd, .events = POLLIN}};
		int ready = poll(fds, 2, wait_ms);
		if (ready < 0 && errno != EINTR)
			return 0;
		if (ready <= 0)
			continue;
		if (fds[0].revents) {
			char buf[4096];
			ssize_t got = read(p->stdout_fd, buf, sizeof(buf));
			*at = pg_now();
			if (got < 0 && (errno == EAGAIN || errno == EINTR))
				continue;
			if (got <= 0) {
				close(p->stdout_fd);
				p->stdout_fd = -1;
			}
			if (!m->on_stderr && scan_feed(&scan, &m->re, buf, got > 0 ? (size_t)got : 0, got <= 0))
				return 1;
		}
		if (fds[1].revents) {
			/*
			 * The runner keeps stderr's tail for the report: match what it
			 * appended. (More than PG_OUTPUT_TAIL bytes at once and the
			 * oldest of them are gone before they are seen.)
			 */
			pg_process_drain_stderr(p);
			*at = pg_now();
			size_t fresh = p->stderr_total - scanned;
			if (fresh > p->stderr_len)
				fresh = p->stderr_len;
			scanned = p->stderr_total;
			if (m->on_stderr && scan_feed(&scan, &m->re, p->stderr_tail + p->stderr_len - fresh, fresh,
						      p->stderr_fd < 0))
				return 1;
		}
	}
}

/* The last non-empty line of a stream's tail. */
static void last_line(char *buf, size_t size, const char *tail, size_t len)
{
	while (len > 0 && (tail[len - 1] == '\n' || tail[len - 1] == '\r'))
		len--;
	size_t start = len;
	while (start > 0 && tail[start - 1] != '\n')
		start--;
	snprintf(buf, size, "%.*s", (int)(len - start), tail + start);
}

/* One launch. 0 with the run recorded (or not, when warm-up), or out's status set; negative on system errors. */
static int launch(pg_benchmark *out, const pg_bench_def *def, const pg_driver_ctx *ctx,
		  const ready_marker *m, const char *label, int record, double *wall)
{
	static pg_run_outcome o; /* 16 KiB of output tails: not on the stack */
	pg_run_spec spec = {.argv = def->command, .envp = def->env, .cwd = def->cwd, .cpu = ctx->run.pin};
	double timeout = ctx->run.timeout_s, ready_at = 0;
	pg_process p;
	int rc = pg_process_start(&p, &spec, 0);
	if (rc)
		return pg_error_wrap(rc, "benchmark '%s'", def->name);
	int ready = m->enabled && wait_for_marker(&p, m, timeout > 0 ? p.started + timeout : 0, &ready_at);
	if (ready && m->stop_signal)
		kill(p.pid, m->stop_signal);
	if ((rc = pg_process_finish(&o, &p, timeout, 0)))
		return pg_error_wrap(rc, "benchmark '%s'", def->name);
	char how[1024], line[512];
	pg_driver_describe_exit(how, sizeof(how), &o);
	const char *stream = m->on_stderr ? "stderr" : "stdout";
	if (o.exited && o.exit_code == EXIT_SKIPPED) {
		last_line(line, sizeof(line), o.stderr_tail, o.stderr_len);
		if (!line[0])
			snprintf(line, sizeof(line), "%s exited with status %d and said nothing on stderr",
				 def->command[0], EXIT_SKIPPED);
		return pg_benchmark_set_status(out, PG_STATUS_SKIPPED, "skipped: %s", line);
	}
	if (m->enabled && !ready) {
		if (o.timed_out)
			return pg_benchmark_set_status(out, PG_STATUS_TIMEOUT,
						       "%s: no line matching /%s/ on %s within %.3g s; the launcher %s",
						       label, m->pattern, stream, timeout, how);
		return pg_benchmark_set_status(out, PG_STATUS_FAILED,
					       "%s: exited before the ready marker /%s/ on %s (%s)", label,
					       m->pattern, stream, how);
	}
	/* Ended by our stop signal: killed by it, or exited the way a shell reports it. */
	int stopped = m->stop_signal && (o.signal == m->stop_signal ||
					 (o.exited && o.exit_code == 128 + m->stop_signal));
	if (!pg_run_succeeded(&o) && !(stopped && !o.timed_out))
		return pg_benchmark_set_status(out, o.timed_out ? PG_STATUS_TIMEOUT : PG_STATUS_FAILED,
					       "%s: %s%s the launcher %s", label,
					       ready ? "after the ready marker" : "", ready ? "," : "", how);
	double spawn = ready ? ready_at - p.started : o.wall_s;
	double teardown = ready ? o.wall_s - spawn : 0;
	*wall = o.wall_s;
	if (!record)
		return 0;
	if ((rc = pg_metric_add_sample(&out->metrics[M_SPAWN], spawn * 1e3)) ||
	    (rc = pg_metric_add_sample(&out->metrics[M_TEARDOWN], (teardown > 0 ? teardown : 0) * 1e3)) ||
	    (rc = pg_metric_add_sample(&out->metrics[M_PEAK_RSS], o.peak_rss)) ||
	    (rc = pg_metric_add_sample(&out->metrics[M_CPU], (o.user_s + o.sys_s) * 1e3)) ||
	    (rc = pg_metric_add_sample(&out->metrics[M_CPU_PERCENT], o.wall_s > 0 ? (o.user_s + o.sys_s) / o.wall_s : 0)) ||
	    (rc = pg_metric_add_sample(&out->metrics[M_IO_READ], o.io_read_bytes)) ||
	    (rc = pg_metric_add_sample(&out->metrics[M_IO_WRITE], o.io_write_bytes)) ||
	    (isfinite(o.rss_mean) && (rc = pg_metric_add_sample(&out->metrics[M_RSS_MEAN], o.rss_mean))))
		return rc;
	return 0;
}


int pg_driver_vmspawn(pg_benchmark *out, const pg_bench_def *def, const pg_driver_ctx *ctx)
{
	const pg_run_settings *run = &ctx->run;
	ready_marker m;
	char where[512], label[64];
	int rc;
	snprintf(where, sizeof(where), "%s: benchmark '%s'", ctx->gates->path, def->name);
	if ((rc = read_definition(&m, def, where))) {
		if (m.enabled)
			regfree(&m.re);
		return rc;
	}
	if (run->instructions) {
		rc = pg_benchmark_set_status(out, PG_STATUS_SKIPPED,
					     "measure: instructions has no driver for kind vmspawn in perfgate %s",
					     PG_VERSION);
		goto done;
	}
	if (!pg_benchmark_add_metric(out, "spawn", "ms", PG_BETTER_LOWER) ||
	    !pg_benchmark_add_metric(out, "teardown", "ms", PG_BETTER_LOWER) ||
	    !pg_benchmark_add_metric(out, "peak_rss", "bytes", PG_BETTER_LOWER) ||
	    !pg_benchmark_add_metric(out, "cpu", "ms", PG_BETTER_LOWER) ||
	    !pg_benchmark_add_metric(out, "cpu_percent", "ratio", PG_BETTER_LOWER) ||
	    !pg_benchmark_add_metric(out, "io_read_bytes", "bytes", PG_BETTER_LOWER) ||
	    !pg_benchmark_add_metric(out, "io_write_bytes", "bytes", PG_BETTER_LOWER) ||
	    !pg_benchmark_add_metric(out, "rss_mean", "bytes", PG_BETTER_LOWER)) {
		rc = pg_error_set(PG_ENOMEM, "out of memory");
		goto done;
	}
	int total = run->warmup + run->runs;
	double spent = 0, wall = 0;
	for (int i = 0; i < run->warmup && !rc && out->status == PG_STATUS_OK; i++) {
		snprintf(label, sizeof(label), "warm-up run %d", i + 1);
		rc = launch(out, def, ctx, &m, label, 0, &wall);
		if (!rc && out->status == PG_STATUS_OK && ctx->opts->progress)
			ctx->opts->progress(ctx->opts->progress_arg, def->name, i + 1, total);
	}
	for (int i = 0; !rc && out->status == PG_STATUS_OK &&
			(i < run->runs || (spent < run->min_time_s && i < MAX_RUNS_FOR_MIN_TIME));
	     i++) {
		snprintf(label, sizeof(label), "run %d", i + 1);
		rc = launch(out, def, ctx, &m, label, 1, &wall);
		spent += wall;
		if (!rc && out->status == PG_STATUS_OK && ctx->opts->progress)
			ctx->opts->progress(ctx->opts->progress_arg, def->name, run->warmup + i + 1,
					    i + 1 > run->runs ? run->warmup + i + 1 : total);
	}
done:
	if (m.enabled)
		regfree(&m.re);
	return rc;
}
