/* command.c - the command kind: run a command N times, hyperfine-style */
#include "driver.h"
#include "perfgate/error.h"
#include "perfgate/runner.h"

#include <stdio.h>
#include <string.h>

/* A run far past min_time's needs would take forever for a very fast command. */
#define MAX_RUNS_FOR_MIN_TIME 100000

void pg_driver_stderr_excerpt(char *buf, size_t size, const char *tail, size_t len)
{
	/* The last two non-empty lines say what went wrong more often than the first. */
	while (len > 0 && (tail[len - 1] == '\n' || tail[len - 1] == '\r'))
		len--;
	size_t start = len;
	for (int lines = 0; start > 0 && lines < 2; start--)
		if (tail[start - 1] == '\n' && ++lines == 2)
			break;
	size_t n = len - start;
	if (n > size - 1)
		start = len - (n = size - 1);
	memcpy(buf, tail + start, n);
	buf[n] = '\0';
	for (char *p = buf; *p; p++)
		if (*p == '\n' || *p == '\r' || *p == '\t')
			*p = ' ';
}

static int record_failure(pg_benchmark *out, const pg_run_outcome *o, int run, int warmup)
{
	char how[256], excerpt[600] = "";
	pg_run_describe(o, how, sizeof(how));
	pg_driver_stderr_excerpt(excerpt, sizeof(excerpt), o->stderr_tail, o->stderr_len);
	return pg_benchmark_set_status(out, o->timed_out ? PG_STATUS_TIMEOUT : PG_STATUS_FAILED,
				       "%s %d %s%s%s%s", warmup ? "warm-up run" : "run", run + 1, how,
				       excerpt[0] ? " (stderr: " : "", excerpt, excerpt[0] ? ")" : "");
}

int pg_driver_command(pg_benchmark *out, const pg_bench_def *def, const pg_driver_ctx *ctx)
{
	static pg_run_outcome o; /* 16 KiB of output tails: not on the stack */
	pg_run_spec spec = {.argv = def->command,
			    .envp = def->env,
			    .cwd = def->cwd,
			    .timeout_s = ctx->run.timeout_s,
			    .cpu = ctx->run.pin};
	const pg_run_settings *run = &ctx->run;
	int rc;

	if (run->instructions)
		return pg_benchmark_set_status(out, PG_STATUS_SKIPPED,
					       "measure: instructions has no driver in perfgate %s",
					       PG_VERSION);
	if (!pg_benchmark_add_metric(out, "wall", "ms", PG_BETTER_LOWER) ||
	    !pg_benchmark_add_metric(out, "user", "ms", PG_BETTER_LOWER) ||
	    !pg_benchmark_add_metric(out, "sys", "ms", PG_BETTER_LOWER) ||
	    !pg_benchmark_add_metric(out, "peak_rss", "bytes", PG_BETTER_LOWER))
		return pg_error_set(PG_ENOMEM, "out of memory");
	/* Taken after the last add: adding may move the array. */
	pg_metric *wall = &out->metrics[0], *user = &out->metrics[1], *sys = &out->metrics[2],
		  *rss = &out->metrics[3];

	int total = run->warmup + run->runs;
	for (int i = 0; i < run->warmup; i++) {
		if ((rc = pg_run(&o, &spec)))
			return pg_error_wrap(rc, "benchmark '%s'", def->name);
		if (!pg_run_succeeded(&o))
			return record_failure(out, &o, i, 1);
		if (ctx->opts->progress)
			ctx->opts->progress(ctx->opts->progress_arg, def->name, i + 1, total);
	}
	double spent = 0;
	for (int i = 0; i < run->runs || (spent < run->min_time_s && i < MAX_RUNS_FOR_MIN_TIME); i++) {
		if ((rc = pg_run(&o, &spec)))
			return pg_error_wrap(rc, "benchmark '%s'", def->name);
		if (!pg_run_succeeded(&o))
			return record_failure(out, &o, i, 0);
		spent += o.wall_s;
		if ((rc = pg_metric_add_sample(wall, o.wall_s * 1e3)) ||
		    (rc = pg_metric_add_sample(user, o.user_s * 1e3)) ||
		    (rc = pg_metric_add_sample(sys, o.sys_s * 1e3)) ||
		    (rc = pg_metric_add_sample(rss, o.peak_rss)))
			return rc;
		if (ctx->opts->progress)
			ctx->opts->progress(ctx->opts->progress_arg, def->name, run->warmup + i + 1,
					    i + 1 > run->runs ? run->warmup + i + 1 : total);
	}
	return 0;
}
