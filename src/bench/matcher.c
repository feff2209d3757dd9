/* matcher.c - the matcher kind: a query corpus through a target, one exchange per query */
#include "driver.h"
#include "perfgate/clock.h"
#include "perfgate/error.h"
#include "perfgate/fileio.h"
#include "perfgate/runner.h"

#include <errno.h>
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_QUERY_TIMEOUT 5.0
#define LEAK_UNIT 10000.0 /* rss_growth is bytes per this many queries */
#define RSS_IDLE_S 0.2    /* how long the target idles after the corpus before rss_idle is read */

typedef struct query {
	char *text;
	char *expected; /* intent id after a tab, or NULL */
	char *category; /* after a second tab, or NULL: its lookups also go to "latency:CATEGORY" */
} query;

typedef struct corpus {
	pg_lines lines;
	query *queries;
	size_t n;
} corpus;

static void corpus_free(corpus *c)
{
	pg_lines_free(&c->lines);
	free(c->queries);
}

int pg_driver_corpus_path(char **out, const pg_bench_def *def, const pg_driver_ctx *ctx)
{
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(def->spec, "corpus");
	if (!cJSON_IsString(item))
		return pg_error_set(PG_EINPUT, "%s: benchmark '%s': missing key 'corpus' (expected a file path)",
				    ctx->gates->path, def->name);
	char *expanded;
	int rc = pg_expand_placeholders(&expanded, item->valuestring, ctx->gates->root,
					ctx->gates->bindir);
	if (rc)
		return pg_error_wrap(rc, "%s: benchmark '%s': corpus", ctx->gates->path, def->name);
	if (expanded[0] == '/') {
		*out = expanded;
		return 0;
	}
	*out = pg_path_join(ctx->gates->root, expanded);
	free(expanded);
	return *out ? 0 : pg_error_set(PG_ENOMEM, "out of memory");
}

/*
 * One query a line, its expected intent after a tab and its category after
 * another (either may be empty); empty lines and # comments are not queries.
 */
static int corpus_load(corpus *c, const char *path)
{
	memset(c, 0, sizeof(*c));
	int rc = pg_file_read_lines(&c->lines, path);
	if (rc)
		return rc;
	if (c->lines.n > 0 && !(c->queries = malloc(c->lines.n * sizeof(*c->queries))))
		return pg_error_set(PG_ENOMEM, "out of memory reading %s", path);
	for (; c->n < c->lines.n; c->n++) {
		char *line = c->lines.lines[c->n], *tab = strchr(line, '\t'), *tab2 = NULL;
		if (tab)
			*tab++ = '\0';
		if (tab && (tab2 = strchr(tab, '\t')))
			*tab2++ = '\0';
		c->queries[c->n] = (query){line, tab && *tab ? tab : NULL, tab2 && *tab2 ? tab2 : NULL};
	}
	if (c->n == 0)
		return pg_error_set(PG_EINPUT, "%s: the corpus has no queries", path);
	return 0;
}

int pg_driver_target_argv(char ***out, const pg_bench_def *def, const pg_driver_ctx *ctx,
			  const char **protocol)
{
	const cJSON *target = cJSON_GetObjectItemCaseSensitive(def->spec, "target");
	const cJSON *cmd = cJSON_GetObjectItemCaseSensitive(target, "command");
	const cJSON *proto = cJSON_GetObjectItemCaseSensitive(target, "protocol");
	*out = NULL;
	if (!cJSON_IsObject(target))
		return pg_error_set(PG_EINPUT, "%s: benchmark '%s': missing key 'target' (expected {\"command\": [...], \"protocol\": ...})",
				    ctx->gates->path, def->name);
	if (proto && !cJSON_IsString(proto))
		return pg_error_set(PG_EINPUT, "%s: benchmark '%s': target.protocol: expected a string",
				    ctx->gates->path, def->name);
	*protocol = proto ? proto->valuestring : NULL;
	if (!cmd)
		return 0;
	size_t n = cJSON_IsArray(cmd) ? (size_t)cJSON_GetArraySize(cmd) : 0;
	if (cJSON_IsString(cmd)) {
		char *expanded;
		int rc = pg_expand_placeholders(&expanded, cmd->valuestring, ctx->gates->root,
						ctx->gates->bindir);
		if (!rc) {
			rc = pg_split_words(out, expanded);
			free(expanded);
		}
		size_t words = 0;
		while (!rc && (*out)[words])
			words++;
		char **grown = rc ? NULL : realloc(*out, (words + 2) * sizeof(char *));
		if (!rc && !grown)
			rc = pg_error_set(PG_ENOMEM, "out of memory");
		if (grown) {
			grown[words + 1] = NULL;
			*out = grown;
		}
		return rc ? pg_error_wrap(rc, "%s: benchmark '%s': target.command", ctx->gates->path, def->name)
			  : 0;
	}
	if (n == 0)
		return pg_error_set(PG_EINPUT, "%s: benchmark '%s': target.command: expected a non-empty array of strings",
				    ctx->gates->path, def->name);
	char **argv = calloc(n + 2, sizeof(char *)); /* room for a query appended by oneshot */
	if (!argv)
		return pg_error_set(PG_ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++) {
		const cJSON *w = cJSON_GetArrayItem(cmd, (int)i);
		int rc = cJSON_IsString(w) ? pg_expand_placeholders(&argv[i], w->valuestring, ctx->gates->root,
								     ctx->gates->bindir)
					   : pg_error_set(PG_EINPUT, "expected a string");
		if (rc) {
			pg_strv_free(argv);
			return pg_error_wrap(rc, "%s: benchmark '%s': target.command[%zu]", ctx->gates->path,
					     def->name, i);
		}
	}
	*out = argv;
	return 0;
}

/* Answer lines read from a target's stdout, with what is left over kept for the next. */
typedef struct line_reader {
	int fd;
	char buf[65536];
	size_t len;
} line_reader;

/* Read one line (without its newline) into line. 0 ok, -1 EOF, -2 timeout. */
static int read_answer(line_reader *r, char *line, size_t size, double deadline)
{
	for (;;) {
		char *nl = memchr(r->buf, '\n', r->len);
		if (nl) {
			size_t n = (size_t)(nl - r->buf);
			size_t copy = n < size - 1 ? n : size - 1;
			memcpy(line, r->buf, copy);
			line[copy] = '\0';
			memmove(r->buf, nl + 1, r->len - n - 1);
			r->len -= n + 1;
			return 0;
		}
		if (r->len == sizeof(r->buf))
			r->len = 0; /* an absurdly long line: keep reading for its end */
		double left = deadline - pg_now();
		if (left <= 0)
			return -2;
		struct pollfd p = {.fd = r->fd, .events = POLLIN};
		int ready = poll(&p, 1, (int)(left * 1000.0) + 1);
		if (ready < 0 && errno != EINTR)
			return -1;
		if (ready <= 0)
			continue;
		ssize_t got = read(r->fd, r->buf + r->len, sizeof(r->buf) - r->len);
		if (got == 0)
			return -1;
		if (got > 0)
			r->len += (size_t)got;
		else if (errno != EAGAIN && errno != EINTR)
			return -1;
	}
}

typedef struct tally {
	size_t queries, hits, with_expected, correct;
	double seconds;
} tally;

static void score(tally *t, const query *q, const char *answer)
{
	t->queries++;
	if (!answer[0])
		return;
	t->hits++;
	if (q->expected) {
		size_t idlen = strcspn(answer, "\t");
		t->correct += strlen(q->expected) == idlen && strncmp(q->expected, answer, idlen) == 0;
	}
}

/* hit_rate, accuracy (over the queries with an expected intent), throughput and peak_rss. */
static void set_scores(pg_benchmark *out, tally *t, const corpus *c, int runs, double peak)
{
	for (size_t i = 0; i < c->n; i++)
		t->with_expected += c->queries[i].expected != NULL;
	pg_metric_set_value(&out->metrics[1], (double)t->hits / (double)t->queries);
	if (t->with_expected > 0)
		pg_metric_set_value(&out->metrics[2],
				    (double)t->correct / ((double)t->with_expected * runs));
	pg_metric_set_value(&out->metrics[3], t->seconds > 0 ? (double)t->queries / t->seconds : 0);
	pg_metric_set_value(&out->metrics[4], peak);
}

static int fail_with(pg_benchmark *out, pg_process *p, const pg_driver_ctx *ctx, pg_status status,
		     const char *what)
{
	pg_run_outcome *o = malloc(sizeof(*o)); /* pg_process_finish fills it */
	char how[1024] = "";
	if (o && p->pid > 0) {
		pg_process_finish(o, p, 1.0, status == PG_STATUS_TIMEOUT || ctx == NULL);
		pg_driver_describe_exit(how, sizeof(how), o);
	}
	free(o);
	return pg_benchmark_set_status(out, status, "%s; the target %s", what, how);
}

/*
 * The line protocol's timing extension: an answer may end with a TAB and
 * "ns=N", the target's own time for the lookup in nanoseconds. Strip it
 * from answer (it is not part of the answer scored) and return 1 with *ms;
 * 0 when the answer does not carry it.
 */
static int own_time(char *answer, double *ms)
{
	char *tab = strrchr(answer, '\t');
	if (!tab || strncmp(tab + 1, "ns=", 3) != 0 || !tab[4])
		return 0;
	char *end;
	errno = 0;
	unsigned long long ns = strtoull(tab + 4, &end, 10);
	if (errno || *end || tab[4] == '-')
		return 0;
	*tab = '\0';
	*ms = (double)ns / 1e6;
	return 1;
}

/* A process spoken to one line at a time, with its reader. */
typedef struct peer {
	pg_process p;
	line_reader reader;
	int started;
} peer;

/* Send text as one line, read one answer line; its round trip in *rt (seconds). As read_answer. */
static int exchange(peer *to, const char *text, char *answer, size_t size, double timeout, double *rt)
{
	size_t len = strlen(text);
	char *msg = malloc(len + 1);
	if (!msg)
		return pg_error_set(PG_ENOMEM, "out of memory");
	memcpy(msg, text, len);
	msg[len] = '\n';
	double t0 = pg_now();
	ssize_t put = write(to->p.stdin_fd, msg, len + 1);
	free(msg);
	int got = put == (ssize_t)(len + 1) ? read_answer(&to->reader, answer, size, t0 + timeout) : -1;
	*rt = pg_now() - t0;
	return got;
}

/* exchange with the echo target: 0, or an error (the echo is perfgate's own: its failure is perfgate's). */
static int echo_exchange(peer *echo, const char *text, char *answer, size_t size, double timeout, double *rt,
			 const char *bench)
{
	int got = exchange(echo, text, answer, size, timeout, rt);
	if (got == -1 || got == -2)
		return pg_error_set(PG_ESYSTEM, "benchmark '%s': the echo target (the transport floor) %s", bench,
				    got == -2 ? "did not answer in time" : "stopped answering");
	return got;
}

static int start_peer(peer *x, const pg_run_spec *spec)
{
	/* Not a memset: the 64 KiB reader buffer stays untouched (not resident) until answers fill it. */
	x->reader.len = 0;
	int rc = pg_process_start(&x->p, spec, 1);
	x->reader.fd = x->p.stdout_fd;
	x->started = rc == 0;
	return rc;
}

static void stop_peer(peer *x)
{
	if (!x->started)
		return;
	pg_run_outcome *o = malloc(sizeof(*o)); /* pg_process_finish fills it */
	if (o)
		pg_process_finish(o, &x->p, 1.0, 1);
	free(o);
	x->started = 0;
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* The lookup time of each of n round trips of a pass: less the pass's median transport floor. */
static int add_net_latency(pg_metric *latency, const double *rt, size_t n, double *floor, size_t n_floor)
{
	if (n == 0)
		return 0;
	qsort(floor, n_floor, sizeof(double), by_value);
	double median = n_floor == 0 ? 0
			: n_floor % 2 ? floor[n_floor / 2]
				      : (floor[n_floor / 2 - 1] + floor[n_floor / 2]) / 2;
	int rc = 0;
	for (size_t i = 0; i < n && !rc; i++)
		rc = pg_metric_add_sample(latency, rt[i] > median ? rt[i] - median : 0);
	return rc;
}

/* The metric "latency:CATEGORY" of a query's category (made before the run: see add_categories). */
static pg_metric *category_metric(pg_benchmark *out, const char *category)
{
	char name[160];
	snprintf(name, sizeof(name), "latency:%s", category);
	return pg_benchmark_find_metric(out, name);
}

/* One "latency:CATEGORY" metric per category of the corpus, before any pointer into metrics is held. */
static int add_categories(pg_benchmark *out, const corpus *c)
{
	for (size_t i = 0; i < c->n; i++) {
		if (!c->queries[i].category || category_metric(out, c->queries[i].category))
			continue;
		char name[160];
		snprintf(name, sizeof(name), "latency:%s", c->queries[i].category);
		if (!pg_benchmark_add_metric(out, name, "ms", PG_BETTER_LOWER))
			return pg_error_set(PG_ENOMEM, "out of memory");
	}
	return 0;
}

/*
 * Cold start: a fresh target per run, from its start to the answer to the
 * corpus's first query, then killed. The seed gates its P90.
 */
static int cold_starts(pg_benchmark *out, const pg_bench_def *def, const pg_driver_ctx *ctx,
		       const pg_run_spec *spec, const corpus *c, double query_timeout)
{
	static peer fresh;
	static char answer[65536];
	char what[512];
	pg_metric *cold = pg_benchmark_find_metric(out, "cold_start");
	for (int run = 0; run < ctx->run.runs && c->n > 0; run++) {
		double rt;
		int rc = start_peer(&fresh, spec);
		if (rc)
			return pg_error_wrap(rc, "benchmark '%s': cold start", def->name);
		int got = exchange(&fresh, c->queries[0].text, answer, sizeof(answer), query_timeout, &rt);
		double answered = pg_now();
		if (got != 0) {
			snprintf(what, sizeof(what), "cold start %d: %s to the first query (\"%.60s\")", run + 1,
				 got == -2 ? "no answer in time" : "no answer", c->queries[0].text);
			rc = got < -2 ? got : fail_with(out, &fresh.p, ctx, got == -2 ? PG_STATUS_TIMEOUT : PG_STATUS_FAILED, what);
			stop_peer(&fresh);
			return rc;
		}
		stop_peer(&fresh);
		if ((rc = pg_metric_add_sample(cold, (answered - fresh.p.started) * 1e3)))
			return rc;
	}
	return 0;
}

/*
 * The line protocol: one target for the whole run, a query line out, an
 * answer line back. `latency` is the lookup: the target's own time when its
 * answers carry it (own_time), else the round trip less the transport floor,
 * measured in the same job against perfgate's echo target (the same pipes,
 * the same line protocol, an answer that is the query), one echo exchange
 * beside each query, in alternating order so drift cancels. `roundtrip` is
 * the round trip itself, `transport_floor` the echo's.
 */
static int run_line(pg_benchmark *out, const pg_bench_def *def, const pg_driver_ctx *ctx,
		    char **argv, const corpus *c, double query_timeout)
{
	pg_run_spec spec = {.argv = argv, .envp = def->env, .cwd = def->cwd, .cpu = ctx->run.pin};
	static char *const echo_argv[] = {"/proc/self/exe", PG_ECHO_TARGET_ARG, NULL};
	pg_run_spec echo_spec = {.argv = echo_argv, .cpu = ctx->run.pin};
	static peer target, echo;
	static char answer[65536];
	int rc = start_peer(&target, &spec);
	if (rc)
		return pg_error_wrap(rc, "benchmark '%s'", def->name);
	echo.started = 0;
	pg_metric *roundtrip = pg_benchmark_find_metric(out, "roundtrip");
	pg_metric *floor_metric = pg_benchmark_find_metric(out, "transport_floor");
	double *rts = malloc(c->n * sizeof(double)), *floors = malloc(c->n * sizeof(double));
	if (!rts || !floors) {
		free(rts);
		free(floors);
		stop_peer(&target);
		return pg_error_set(PG_ENOMEM, "out of memory");
	}
	int passes = ctx->run.warmup + ctx->run.runs, total = passes;
	/*
	 * The leak window opens after the first pass, warm-up or not: that pass faults in the
	 * target's tables and buffers, which is growth but not a leak. With one pass only, it
	 * is all there is.
	 */
	int leak_from = passes < 2 ? 0 : ctx->run.warmup > 0 ? ctx->run.warmup : 1;
	double rss_start = NAN, rss_start_at = 0, rss_next = 0, rss_sum = 0;
	size_t leak_queries = 0, rss_samples = 0;
	tally t = {0};
	char what[512];
	for (int pass = 0; pass < passes && !rc; pass++) {
		int measured = pass >= ctx->run.warmup;
		size_t n_rts = 0, n_floors = 0;
		if (pass == leak_from) {
			rss_start = pg_process_rss(target.p.pid);
			rss_start_at = pg_now();
		}
		double pass_start = pg_now(), in_echo = 0;
		for (size_t i = 0; i < c->n && !rc; i++) {
			const query *q = &c->queries[i];
			double rt, echo_rt = 0, own_ms = 0;
			int echo_first = echo.started && (i & 1);
			if (echo_first && (rc = echo_exchange(&echo, q->text, answer, sizeof(answer), query_timeout,
							      &echo_rt, def->name)))
				break;
			int got = exchange(&target, q->text, answer, sizeof(answer), query_timeout, &rt);
			if (got != 0) {
				size_t answered = (size_t)pass * c->n + i;
				if (got == -2)
					snprintf(what, sizeof(what),
						 "no answer to query %zu (\"%.60s\") within %.3g s, after %zu answered",
						 i + 1, q->text, query_timeout, answered);
				else
					snprintf(what, sizeof(what),
						 "the target stopped answering at query %zu (\"%.60s\"), after %zu answered",
						 i + 1, q->text, answered);
				rc = got < -2 ? got : fail_with(out, &target.p, ctx, got == -2 ? PG_STATUS_TIMEOUT : PG_STATUS_FAILED, what);
				break;
			}
			if (target.reader.len > 0) {
				snprintf(what, sizeof(what),
					 "protocol error: the target answered more than one line to query %zu (\"%.60s\")",
					 i + 1, q->text);
				rc = fail_with(out, &target.p, ctx, PG_STATUS_FAILED, what);
				break;
			}
			int timed = own_time(answer, &own_ms);
			if (measured) {
				score(&t, q, answer);
				if ((rc = pg_metric_add_sample(roundtrip, rt * 1e3)))
					break;
				if (timed && (rc = pg_metric_add_sample(&out->metrics[0], own_ms)))
					break;
				if (!timed)
					rts[n_rts++] = rt * 1e3;
				if (q->category && (rc = pg_metric_add_sample(category_metric(out, q->category),
									    timed ? own_ms : rt * 1e3)))
					break;
			}
			/* Only a target that does not time itself needs the floor measured. */
			if (!timed && !echo.started && (rc = start_peer(&echo, &echo_spec)))
				rc = pg_error_wrap(rc, "benchmark '%s': the echo target (the transport floor)", def->name);
			if (!rc && !timed && !echo_first)
				rc = echo_exchange(&echo, q->text, answer, sizeof(answer), query_timeout, &echo_rt,
						   def->name);
			if (!rc && echo_rt > 0) {
				in_echo += echo_rt;
				if (measured) {
					floors[n_floors++] = echo_rt * 1e3;
					rc = pg_metric_add_sample(floor_metric, echo_rt * 1e3);
				}
			}
			pg_process_drain_stderr(&target.p);
			/* The resident set while it answers, between queries, every PG_RSS_SAMPLE_MS. */
			if (measured && pg_now() >= rss_next) {
				double rss = pg_process_rss(target.p.pid);
				if (isfinite(rss) && rss > 0) {
					rss_sum += rss;
					rss_samples++;
				}
				rss_next = pg_now() + PG_RSS_SAMPLE_MS / 1e3;
			}
		}
		if (rc || out->status != PG_STATUS_OK)
			break;
		if (measured) {
			/* The latency of what did not time itself: its round trip less this pass's floor. */
			pg_metric *latency = &out->metrics[0];
			if ((rc = add_net_latency(latency, rts, n_rts, floors, n_floors)))
				break;
			t.seconds += pg_now() - pass_start - in_echo;
		}
		if (pass >= leak_from)
			leak_queries += c->n;
		if (ctx->opts->progress)
			ctx->opts->progress(ctx->opts->progress_arg, def->name, pass + 1, total);
	}
	free(rts);
	free(floors);
	stop_peer(&echo);
	if (rc || out->status != PG_STATUS_OK) {
		if (target.started && out->status == PG_STATUS_OK)
			stop_peer(&target);
		return rc;
	}
	double rss_end = pg_process_rss(target.p.pid), rss_end_at = pg_now(), rss_idle = NAN;
	/*
	 * Idle: the corpus answered, the process kept, nothing asked for RSS_IDLE_S. Not between
	 * the halves of an A/B block: an idle runner measured the next half's lookups up to 25 %
	 * apart (A/A noise 12-27 % against 2-7 % without the wait).
	 */
	struct timespec idle = {0, (long)(RSS_IDLE_S * 1e9)};
	while (!ctx->ab_half && nanosleep(&idle, &idle) != 0 && errno == EINTR)
		;
	if (!ctx->ab_half)
		rss_idle = pg_process_rss(target.p.pid);
	/*
	 * End of input. A target that answers two lines to a query may have written the second
	 * after perfgate read the first; then every later query read the answer before its own,
	 * one line behind. Whatever it writes now, after the last answer, is such a line.
	 */
	close(target.p.stdin_fd);
	target.p.stdin_fd = -1;
	size_t extra = 0;
	for (double deadline = pg_now() + query_timeout;
	     read_answer(&target.reader, answer, sizeof(answer), deadline) == 0;)
		extra++;
	if (extra) {
		snprintf(what, sizeof(what),
			 "protocol error: the target answered more than one line to a query (%zu line%s after "
			 "the last query's answer; one line per query on stdout, logs to stderr)",
			 extra, extra == 1 ? "" : "s");
		return fail_with(out, &target.p, ctx, PG_STATUS_FAILED, what);
	}
	pg_run_outcome *o = malloc(sizeof(*o)); /* pg_process_finish fills it */
	if (!o)
		return pg_error_set(PG_ENOMEM, "out of memory");
	rc = pg_process_finish(o, &target.p, query_timeout, 0);
	target.started = 0;
	if (!rc && !pg_run_succeeded(o)) {
		char how[1024];
		pg_driver_describe_exit(how, sizeof(how), o);
		rc = pg_benchmark_set_status(out, o->timed_out ? PG_STATUS_TIMEOUT : PG_STATUS_FAILED,
					     "after the corpus, at end of input the target %s", how);
	}
	double peak = o->peak_rss;
	/* The target's whole life, warm-up and end of input included: one value each. */
	pg_metric_set_value(pg_benchmark_find_metric(out, "cpu_percent"),
			    o->wall_s > 0 ? (o->user_s + o->sys_s) / o->wall_s : 0);
	pg_metric_set_value(pg_benchmark_find_metric(out, "io_read_bytes"), o->io_read_bytes);
	pg_metric_set_value(pg_benchmark_find_metric(out, "io_write_bytes"), o->io_write_bytes);
	free(o);
	if (rc || out->status != PG_STATUS_OK)
		return rc;
	set_scores(out, &t, c, ctx->run.runs, peak);
	if (isfinite(rss_start) && isfinite(rss_end) && leak_queries > 0)
		pg_metric_set_value(&out->metrics[5], (rss_end - rss_start) * LEAK_UNIT / (double)leak_queries);
	/* Extrapolated from this run's length: a leak's rate, not a long soak's measurement. */
	if (isfinite(rss_start) && isfinite(rss_end) && rss_end_at > rss_start_at)
		pg_metric_set_value(pg_benchmark_find_metric(out, "rss_growth_per_hour"),
				    (rss_end - rss_start) * 3600.0 / (rss_end_at - rss_start_at));
	if (rss_samples)
		pg_metric_set_value(pg_benchmark_find_metric(out, "rss_mean"), rss_sum / (double)rss_samples);
	if (isfinite(rss_idle) && rss_idle > 0)
		pg_metric_set_value(pg_benchmark_find_metric(out, "rss_idle"), rss_idle);
	return ctx->ab_half ? 0 : cold_starts(out, def, ctx, &spec, c, query_timeout);
}

/* The oneshot protocol: a process per query, the query as its last argument. */
static int run_oneshot(pg_benchmark *out, const pg_bench_def *def, const pg_driver_ctx *ctx,
		       char **argv, const corpus *c, double query_timeout)
{
	static pg_run_outcome o;
	size_t argc = 0;
	while (argv[argc])
		argc++;
	pg_run_spec spec = {.argv = argv, .envp = def->env, .cwd = def->cwd, .cpu = ctx->run.pin,
			    .timeout_s = query_timeout, .keep_stdout = 1};
	int passes = ctx->run.warmup + ctx->run.runs;
	tally t = {0};
	double peak = 0;
	char what[512];
	for (int pass = 0; pass < passes; pass++) {
		int measured = pass >= ctx->run.warmup;
		for (size_t i = 0; i < c->n; i++) {
			argv[argc] = c->queries[i].text;
			int rc = pg_run(&o, &spec);
			argv[argc] = NULL;
			if (rc)
				return pg_error_wrap(rc, "benchmark '%s'", def->name);
			if (!pg_run_succeeded(&o)) {
				char how[1024];
				pg_driver_describe_exit(how, sizeof(how), &o);
				snprintf(what, sizeof(what), "query %zu (\"%.60s\"): the target %s", i + 1,
					 c->queries[i].text, how);
				return pg_benchmark_set_status(out, o.timed_out ? PG_STATUS_TIMEOUT : PG_STATUS_FAILED,
							       "%s", what);
			}
			if (!measured)
				continue;
			o.stdout_tail[strcspn(o.stdout_tail, "\n")] = '\0';
			score(&t, &c->queries[i], o.stdout_tail);
			t.seconds += o.wall_s;
			peak = o.peak_rss > peak ? o.peak_rss : peak;
			int rc2 = pg_metric_add_sample(&out->metrics[0], o.wall_s * 1e3);
			if (rc2)
				return rc2;
		}
		if (ctx->opts->progress)
			ctx->opts->progress(ctx->opts->progress_arg, def->name, pass + 1, passes);
	}
	set_scores(out, &t, c, ctx->run.runs, peak);
	return 0;
}

int pg_driver_matcher(pg_benchmark *out, const pg_bench_def *def, const pg_driver_ctx *ctx)
{
	char **argv = NULL, *path = NULL;
	const char *protocol = NULL;
	corpus c = {0};
	double query_timeout = DEFAULT_QUERY_TIMEOUT;
	const cJSON *qt = cJSON_GetObjectItemCaseSensitive(def->spec, "query_timeout");
	int rc = pg_driver_target_argv(&argv, def, ctx, &protocol);
	if (!rc && !argv)
		rc = pg_error_set(PG_EINPUT, "%s: benchmark '%s': missing key 'target.command'",
				  ctx->gates->path, def->name);
	if (!rc && protocol && strcmp(protocol, "line") != 0 && strcmp(protocol, "oneshot") != 0)
		rc = pg_error_set(PG_EINPUT, "%s: benchmark '%s': target.protocol: expected \"line\" or \"oneshot\", found \"%s\"",
				  ctx->gates->path, def->name, protocol);
	if (!rc && qt) {
		if (cJSON_IsNumber(qt) && qt->valuedouble > 0)
			query_timeout = qt->valuedouble;
		else
			rc = pg_error_set(PG_EINPUT, "%s: benchmark '%s': query_timeout: expected seconds > 0",
					  ctx->gates->path, def->name);
	}
	if (!rc)
		rc = pg_driver_corpus_path(&path, def, ctx);
	if (!rc)
		rc = corpus_load(&c, path);
	static const struct {
		const char *name, *unit;
		pg_better better;
	} metrics[] = {
		{"latency", "ms", PG_BETTER_LOWER},      {"hit_rate", "ratio", PG_BETTER_HIGHER},
		{"accuracy", "ratio", PG_BETTER_HIGHER}, {"throughput", "1/s", PG_BETTER_HIGHER},
		{"peak_rss", "bytes", PG_BETTER_LOWER},  {"rss_growth", "bytes", PG_BETTER_LOWER},
		{"roundtrip", "ms", PG_BETTER_LOWER},    {"transport_floor", "ms", PG_BETTER_LOWER},
		{"cpu_percent", "ratio", PG_BETTER_LOWER}, {"io_read_bytes", "bytes", PG_BETTER_LOWER},
		{"io_write_bytes", "bytes", PG_BETTER_LOWER}, {"rss_mean", "bytes", PG_BETTER_LOWER},
		{"rss_idle", "bytes", PG_BETTER_LOWER},  {"rss_growth_per_hour", "bytes", PG_BETTER_LOWER},
		{"cold_start", "ms", PG_BETTER_LOWER},
	};
	for (size_t i = 0; !rc && i < sizeof(metrics) / sizeof(metrics[0]); i++)
		if (!pg_benchmark_add_metric(out, metrics[i].name, metrics[i].unit, metrics[i].better))
			rc = pg_error_set(PG_ENOMEM, "out of memory");
	if (!rc)
		rc = add_categories(out, &c);
	if (!rc) {
		int oneshot = protocol && strcmp(protocol, "oneshot") == 0;
		rc = oneshot ? run_oneshot(out, def, ctx, argv, &c, query_timeout)
			     : run_line(out, def, ctx, argv, &c, query_timeout);
	}
	corpus_free(&c);
	free(path);
	pg_strv_free(argv);
	return rc;
}
