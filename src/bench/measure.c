/* measure.c - run the selected benchmarks of a gates file through their kind's driver */
#include "perfgate/bench.h"

#include "driver.h"
#include "perfgate/error.h"
#include "pg_version.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	const char *kind;
	pg_driver_fn fn;
} drivers[] = {
	{"command", pg_driver_command},
	{"matcher", pg_driver_matcher},
	{"inference", pg_driver_inference},
	{"vmspawn", pg_driver_vmspawn},
	{"size", pg_driver_size},
	{"import", pg_driver_import},
};

pg_driver_fn pg_driver_for(const char *kind)
{
	for (size_t i = 0; i < sizeof(drivers) / sizeof(drivers[0]); i++)
		if (strcmp(drivers[i].kind, kind) == 0)
			return drivers[i].fn;
	return NULL;
}

/* The metrics each kind produces, primary first; NULL where they depend on the input. */
static const struct {
	const char *kind;
	const char *metrics[20];
} kind_metrics[] = {
	{"command", {"wall", "user", "sys", "peak_rss", "rss_mean", "cpu", "cpu_percent", "io_read_bytes",
		     "io_write_bytes", "instructions", NULL}},
	{"matcher", {"latency", "hit_rate", "accuracy", "throughput", "peak_rss", "rss_growth",
		     "rss_growth_per_hour", "rss_mean", "rss_idle", "cold_start", "roundtrip", "transport_floor",
		     "cpu_percent", "io_read_bytes", "io_write_bytes", NULL}},
	{"inference", {"latency", "ttft", "tpot", "tokens_per_s", "peak_rss", "rss_mean", NULL}},
	{"vmspawn", {"spawn", "teardown", "peak_rss", "rss_mean", "cpu", "cpu_percent", "io_read_bytes",
		     "io_write_bytes", NULL}},
};

static const char *const *metrics_of(const char *kind)
{
	for (size_t i = 0; i < sizeof(kind_metrics) / sizeof(kind_metrics[0]); i++)
		if (strcmp(kind_metrics[i].kind, kind) == 0)
			return kind_metrics[i].metrics;
	return NULL;
}

static const char *const stats[] = {"min", "max", "mean", "stddev", "median", "mad",
				    "p50", "p90", "p95",  "p99",    "n",      NULL};

int pg_gates_check_metrics(const pg_gates *gates)
{
	for (size_t i = 0; i < gates->n_gates; i++) {
		const char *path = gates->gates[i].metric;
		const pg_bench_def *owner = NULL;
		for (size_t j = 0; j < gates->n_benchmarks; j++) {
			/* An import entry of several benchmarks owns them as ENTRY/<name>. */
			size_t bl = strlen(gates->benchmarks[j].name);
			int imported = strcmp(gates->benchmarks[j].kind, "import") == 0;
			if (strncmp(path, gates->benchmarks[j].name, bl) == 0 &&
			    (path[bl] == '.' || (imported && path[bl] == '/')) && (!owner || bl > strlen(owner->name)))
				owner = &gates->benchmarks[j];
		}
		if (!owner)
			return pg_error_set(PG_EINPUT, "%s: $.gates[%zu].metric: '%s' names no benchmark of this file",
					    gates->path, i, path);
		const char *const *known = metrics_of(owner->kind);
		if (!known)
			continue;
		const char *metric = path + strlen(owner->name) + 1;
		size_t len = strlen(metric);
		const char *dot = strrchr(metric, '.');
		for (const char *const *s = stats; dot && *s; s++)
			if (strcmp(dot + 1, *s) == 0)
				len = (size_t)(dot - metric);
		int found = 0;
		char list[512] = "";
		for (const char *const *m = known; *m; m++) {
			size_t ml = strlen(*m);
			/* latency:CATEGORY is the latency of the corpus's queries of one category */
			found |= strncmp(*m, metric, ml) == 0 && (ml == len || (ml < len && metric[ml] == ':'));
			snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s", m == known ? "" : ", ", *m);
		}
		if (!found)
			return pg_error_set(PG_EINPUT,
					    "%s: $.gates[%zu].metric: benchmark '%s' (kind %s) has no metric '%.*s' (it has: %s)",
					    gates->path, i, owner->name, owner->kind, (int)len, metric, list);
	}
	return 0;
}

int pg_kind_supported(const char *kind)
{
	return pg_driver_for(kind) != NULL;
}

static int selected(const pg_measure_options *opts, const char *name)
{
	if (!opts->only)
		return 1;
	for (char *const *n = opts->only; *n; n++)
		if (strcmp(*n, name) == 0)
			return 1;
	return 0;
}


int pg_measure(pg_result_set *rs, const pg_gates *gates, const pg_measure_options *opts)
{
	int worst = 0;
	char message[1024] = "";
	for (char *const *n = opts->only; n && *n; n++)
		if (!pg_gates_find(gates, *n))
			return pg_error_set(PG_EINPUT, "%s: no benchmark named '%s'", gates->path, *n);
	for (size_t i = 0; i < gates->n_benchmarks; i++) {
		const pg_bench_def *def = &gates->benchmarks[i];
		if (!selected(opts, def->name))
			continue;
		pg_benchmark *b = pg_result_set_add_benchmark(rs, def->name, def->kind);
		if (!b || !(b->definition_hash = strdup(def->definition_hash)))
			return pg_error_set(PG_ENOMEM, "out of memory");
		size_t at = rs->n_benchmarks - 1;
		pg_driver_ctx ctx = {.gates = gates, .run = def->run, .opts = opts, .rs = rs, .at = at};
		/* --runs N is N runs: the command line over the file's runs and min_time alike. */
		if (opts->runs > 0) {
			ctx.run.runs = opts->runs;
			ctx.run.min_time_s = 0;
		}
		if (opts->warmup >= 0)
			ctx.run.warmup = opts->warmup;
		pg_driver_fn fn = pg_driver_for(def->kind);
		if (!fn) {
			pg_benchmark_set_status(b, PG_STATUS_SKIPPED,
						"kind '%s' has no driver in perfgate %s", def->kind,
						PG_VERSION);
			continue;
		}
		int rc = fn(b, def, &ctx);
		for (size_t k = at; k < rs->n_benchmarks; k++) /* the import kind may have added some */
			pg_benchmark_drop_empty(&rs->benchmarks[k]);
		b = &rs->benchmarks[at];
		if (rc) {
			if (b->status == PG_STATUS_OK)
				pg_benchmark_set_status(b, PG_STATUS_FAILED, "%s", pg_error_message());
			/* Keep the message of the code that decides the exit status. */
			if (!worst || pg_error_worst(worst, rc) != worst) {
				worst = rc;
				snprintf(message, sizeof(message), "%s", pg_error_message());
			}
		}
	}
	int rc = pg_result_set_summarize(rs);
	if (worst)
		return pg_error_set(worst, "%s", message);
	return rc;
}
