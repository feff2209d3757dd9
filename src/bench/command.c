/* command.c - the command kind: run a command N times, hyperfine-style */
#include "driver.h"
#include "perfgate/error.h"
#include "perfgate/runner.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

void pg_driver_describe_exit(char *buf, size_t size, const pg_run_outcome *o)
{
	char how[256], excerpt[600] = "";
	pg_run_describe(o, how, sizeof(how));
	pg_driver_stderr_excerpt(excerpt, sizeof(excerpt), o->stderr_tail, o->stderr_len);
	snprintf(buf, size, "%s%s%s%s", how, excerpt[0] ? " (stderr: " : "", excerpt,
		 excerpt[0] ? ")" : "");
}

static int record_failure(pg_benchmark *out, const pg_run_outcome *o, int run, int warmup)
{
	char how[1024];
	pg_driver_describe_exit(how, sizeof(how), o);
	return pg_benchmark_set_status(out, o->timed_out ? PG_STATUS_TIMEOUT : PG_STATUS_FAILED,
				       "%s %d %s", warmup ? "warm-up run" : "run", run + 1, how);
}

/* Is valgrind on PATH? */
static int have_valgrind(void)
{
	const char *path = getenv("PATH");
	char buf[4096];
	while (path && *path) {
		size_t len = strcspn(path, ":");
		snprintf(buf, sizeof(buf), "%.*s/valgrind", (int)len, path);
		if (access(buf, X_OK) == 0)
			return 1;
		path += len + (path[len] == ':');
	}
	return 0;
}

/* The total of instructions from a cachegrind output file: its "summary:" line. */
static int read_instructions(double *out, const char *path)
{
	char line[512];
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	int found = 0;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, "summary:", 8) == 0 && sscanf(line + 8, "%lf", out) == 1)
			found = 1;
	fclose(f);
	return found ? 0 : -1;
}

/*
 * measure: instructions — the command under cachegrind counts what it
 * executes, the same to the instruction whatever else the machine does, so
 * one run decides; more runs only confirm it is repeatable.
 */
static int measure_instructions(pg_benchmark *out, const pg_bench_def *def, const pg_driver_ctx *ctx)
{
	static pg_run_outcome o;
	if (!have_valgrind())
		return pg_benchmark_set_status(out, PG_STATUS_SKIPPED,
					       "skipped: measure: instructions needs valgrind, and it is not on PATH");
	char outfile[] = "/tmp/perfgate-cachegrind-XXXXXX";
	int fd = mkstemp(outfile);
	if (fd < 0)
		return pg_error_set(PG_ESYSTEM, "cannot make a temporary file for cachegrind: %s", strerror(errno));
	close(fd);
	char option[64 + sizeof(outfile)];
	snprintf(option, sizeof(option), "--cachegrind-out-file=%s", outfile);
	size_t argc = 0;
	while (def->command[argc])
		argc++;
	char **argv = calloc(argc + 6, sizeof(char *));
	if (!argv) {
		unlink(outfile);
		return pg_error_set(PG_ENOMEM, "out of memory");
	}
	char *prefix[] = {"valgrind", "--tool=cachegrind", "--cache-sim=no", "-q", option};
	memcpy(argv, prefix, sizeof(prefix));
	memcpy(argv + 5, def->command, argc * sizeof(char *));
	pg_run_spec spec = {.argv = argv, .envp = def->env, .cwd = def->cwd,
			    .timeout_s = ctx->run.timeout_s, .cpu = ctx->run.pin};
	pg_metric *m = pg_benchmark_add_metric(out, "instructions", "count", PG_BETTER_LOWER);
	int rc = m ? 0 : pg_error_set(PG_ENOMEM, "out of memory");
	int runs = ctx->run.runs < 1 ? 1 : ctx->run.runs > 3 ? 3 : ctx->run.runs;
	for (int i = 0; !rc && i < runs; i++) {
		double count;
		if ((rc = pg_run(&o, &spec)))
			break;
		if (!pg_run_succeeded(&o)) {
			rc = record_failure(out, &o, i, 0);
			break;
		}
		if (read_instructions(&count, outfile) != 0) {
			rc = pg_benchmark_set_status(out, PG_STATUS_FAILED,
						     "cachegrind wrote no instruction count to %s", outfile);
			break;
		}
		rc = pg_metric_add_sample(m, count);
	}
	unlink(outfile);
	free(argv);
	return rc;
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
		return measure_instructions(out, def, ctx);
	if (!pg_benchmark_add_metric(out, "wall", "ms", PG_BETTER_LOWER) ||
	    !pg_benchmark_add_metric(out, "user", "ms", PG_BETTER_LOWER) ||
	    !pg_benchmark_add_metric(out, "sys", "ms", PG_BETTER_LOWER) ||
	    !pg_benchmark_add_metric(out, "peak_rss", "bytes", PG_BETTER_LOWER) ||
	    !pg_benchmark_add_metric(out, "cpu", "ms", PG_BETTER_LOWER) ||
	    !pg_benchmark_add_metric(out, "cpu_percent", "ratio", PG_BETTER_LOWER) ||
	    !pg_benchmark_add_metric(out, "io_read_bytes", "bytes", PG_BETTER_LOWER) ||
	    !pg_benchmark_add_metric(out, "io_write_bytes", "bytes", PG_BETTER_LOWER) ||
	    !pg_benchmark_add_metric(out, "rss_mean", "bytes", PG_BETTER_LOWER))
		return pg_error_set(PG_ENOMEM, "out of memory");
	/* Taken after the last add: adding may move the array. */
	pg_metric *wall = &out->metrics[0], *user = &out->metrics[1], *sys = &out->metrics[2],
		  *rss = &out->metrics[3], *cpu = &out->metrics[4], *busy = &out->metrics[5],
		  *io_read = &out->metrics[6], *io_write = &out->metrics[7], *rss_mean = &out->metrics[8];

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
		    (rc = pg_metric_add_sample(rss, o.peak_rss)) ||
		    (rc = pg_metric_add_sample(cpu, (o.user_s + o.sys_s) * 1e3)) ||
		    (rc = pg_metric_add_sample(busy, o.wall_s > 0 ? (o.user_s + o.sys_s) / o.wall_s : 0)) ||
		    (rc = pg_metric_add_sample(io_read, o.io_read_bytes)) ||
		    (rc = pg_metric_add_sample(io_write, o.io_write_bytes)) ||
		    /* a run shorter than the sampling period has no mean resident set */
		    (isfinite(o.rss_mean) && (rc = pg_metric_add_sample(rss_mean, o.rss_mean))))
			return rc;
		if (ctx->opts->progress)
			ctx->opts->progress(ctx->opts->progress_arg, def->name, run->warmup + i + 1,
					    i + 1 > run->runs ? run->warmup + i + 1 : total);
	}
	return 0;
}
