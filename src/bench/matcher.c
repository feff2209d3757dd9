/* matcher.c - the matcher kind: a query corpus through a target, one exchange per query */
#include "driver.h"
#include "perfgate/clock.h"
#include "perfgate/error.h"
#include "perfgate/fileio.h"
#include "perfgate/runner.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DEFAULT_QUERY_TIMEOUT 5.0
#define LEAK_UNIT 10000.0 /* rss_growth is bytes per this many queries */

typedef struct query {
	char *text;
	char *expected; /* intent id after a tab, or NULL */
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

/* One query a line, its expected intent after a tab; empty lines and # comments are not queries. */
static int corpus_load(corpus *c, const char *path)
{
	memset(c, 0, sizeof(*c));
	int rc = pg_file_read_lines(&c->lines, path);
	if (rc)
		return rc;
	if (c->lines.n > 0 && !(c->queries = malloc(c->lines.n * sizeof(*c->queries))))
		return pg_error_set(PG_ENOMEM, "out of memory reading %s", path);
	for (; c->n < c->lines.n; c->n++) {
		char *line = c->lines.lines[c->n], *tab = strchr(line, '\t');
		if (tab)
			*tab++ = '\0';
		c->queries[c->n] = (query){line, tab && *tab ? tab : NULL};
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

static long vm_rss(pid_t pid)
{
	char path[64], line[256];
	long kib = -1;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
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
	pg_run_outcome *o = calloc(1, sizeof(*o));
	char how[1024] = "";
	if (o && p->pid > 0) {
		pg_process_finish(o, p, 1.0, status == PG_STATUS_TIMEOUT || ctx == NULL);
		pg_driver_describe_exit(how, sizeof(how), o);
	}
	free(o);
	return pg_benchmark_set_status(out, status, "%s; the target %s", what, how);
}

/* The line protocol: one target for the whole run, a query line out, an answer line back. */
static int run_line(pg_benchmark *out, const pg_bench_def *def, const pg_driver_ctx *ctx,
		    char **argv, const corpus *c, double query_timeout)
{
	pg_run_spec spec = {.argv = argv, .envp = def->env, .cwd = def->cwd, .cpu = ctx->run.pin};
	pg_process p;
	static line_reader reader;
	static char answer[65536];
	int rc = pg_process_start(&p, &spec, 1);
	if (rc)
		return pg_error_wrap(rc, "benchmark '%s'", def->name);
	reader.fd = p.stdout_fd;
	reader.len = 0;
	pg_metric *latency = &out->metrics[0];
	int passes = ctx->run.warmup + ctx->run.runs, total = passes;
	/*
	 * The leak window opens after the first pass, warm-up or not: that pass faults in the
	 * target's tables and buffers, which is growth but not a leak. With one pass only, it
	 * is all there is.
	 */
	int leak_from = passes < 2 ? 0 : ctx->run.warmup > 0 ? ctx->run.warmup : 1;
	long rss_start = -1;
	size_t leak_queries = 0;
	tally t = {0};
	char what[512];
	for (int pass = 0; pass < passes; pass++) {
		int measured = pass >= ctx->run.warmup;
		if (pass == leak_from)
			rss_start = vm_rss(p.pid);
		double pass_start = pg_now();
		for (size_t i = 0; i < c->n; i++) {
			const query *q = &c->queries[i];
			size_t qlen = strlen(q->text);
			double t0 = pg_now();
			/* One write per query: a line the target sees whole. */
			char *msg = malloc(qlen + 1);
			if (!msg)
				return pg_error_set(PG_ENOMEM, "out of memory");
			memcpy(msg, q->text, qlen);
			msg[qlen] = '\n';
			ssize_t put = write(p.stdin_fd, msg, qlen + 1);
			free(msg);
			int got = put == (ssize_t)(qlen + 1) ? read_answer(&reader, answer, sizeof(answer), t0 + query_timeout) : -1;
			double t1 = pg_now();
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
				return fail_with(out, &p, ctx, got == -2 ? PG_STATUS_TIMEOUT : PG_STATUS_FAILED, what);
			}
			if (reader.len > 0) {
				snprintf(what, sizeof(what),
					 "protocol error: the target answered more than one line to query %zu (\"%.60s\")",
					 i + 1, q->text);
				return fail_with(out, &p, ctx, PG_STATUS_FAILED, what);
			}
			if (measured) {
				if ((rc = pg_metric_add_sample(&out->metrics[0], (t1 - t0) * 1e3)))
					return rc;
				score(&t, q, answer);
			}
			pg_process_drain_stderr(&p);
		}
		if (measured)
			t.seconds += pg_now() - pass_start;
		if (pass >= leak_from)
			leak_queries += c->n;
		if (ctx->opts->progress)
			ctx->opts->progress(ctx->opts->progress_arg, def->name, pass + 1, total);
	}
	long rss_end = vm_rss(p.pid);
	/*
	 * End of input. A target that answers two lines to a query may have written the second
	 * after perfgate read the first; then every later query read the answer before its own,
	 * one line behind. Whatever it writes now, after the last answer, is such a line.
	 */
	close(p.stdin_fd);
	p.stdin_fd = -1;
	size_t extra = 0;
	for (double deadline = pg_now() + query_timeout;
	     read_answer(&reader, answer, sizeof(answer), deadline) == 0;)
		extra++;
	if (extra) {
		snprintf(what, sizeof(what),
			 "protocol error: the target answered more than one line to a query (%zu line%s after "
			 "the last query's answer; one line per query on stdout, logs to stderr)",
			 extra, extra == 1 ? "" : "s");
		return fail_with(out, &p, ctx, PG_STATUS_FAILED, what);
	}
	pg_run_outcome *o = calloc(1, sizeof(*o));
	if (!o)
		return pg_error_set(PG_ENOMEM, "out of memory");
	rc = pg_process_finish(o, &p, query_timeout, 0);
	if (!rc && !pg_run_succeeded(o)) {
		char how[1024];
		pg_driver_describe_exit(how, sizeof(how), o);
		rc = pg_benchmark_set_status(out, o->timed_out ? PG_STATUS_TIMEOUT : PG_STATUS_FAILED,
					     "after the corpus, at end of input the target %s", how);
	}
	double peak = o->peak_rss;
	free(o);
	if (rc || out->status != PG_STATUS_OK)
		return rc;
	(void)latency;
	set_scores(out, &t, c, ctx->run.runs, peak);
	if (rss_start >= 0 && rss_end >= 0 && leak_queries > 0)
		pg_metric_set_value(&out->metrics[5], (double)(rss_end - rss_start) * 1024.0 *
							      LEAK_UNIT / (double)leak_queries);
	return 0;
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
	};
	for (size_t i = 0; !rc && i < sizeof(metrics) / sizeof(metrics[0]); i++)
		if (!pg_benchmark_add_metric(out, metrics[i].name, metrics[i].unit, metrics[i].better))
			rc = pg_error_set(PG_ENOMEM, "out of memory");
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
