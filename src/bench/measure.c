/* measure.c - run the selected benchmarks of a gates file through their kind's driver */
#include "perfgate/bench.h"

#include "driver.h"
#include "perfgate/error.h"

#include <stdio.h>
#include <string.h>

static const struct {
	const char *kind;
	pg_driver_fn fn;
} drivers[] = {
	{"command", pg_driver_command},
};

static pg_driver_fn find_driver(const char *kind)
{
	for (size_t i = 0; i < sizeof(drivers) / sizeof(drivers[0]); i++)
		if (strcmp(drivers[i].kind, kind) == 0)
			return drivers[i].fn;
	return NULL;
}

int pg_kind_supported(const char *kind)
{
	return find_driver(kind) != NULL;
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
		pg_driver_ctx ctx = {.gates = gates, .run = def->run, .opts = opts};
		if (opts->runs > 0)
			ctx.run.runs = opts->runs;
		if (opts->warmup >= 0)
			ctx.run.warmup = opts->warmup;
		pg_driver_fn fn = find_driver(def->kind);
		if (!fn) {
			pg_benchmark_set_status(b, PG_STATUS_SKIPPED,
						"kind '%s' has no driver in perfgate %s", def->kind,
						PG_VERSION);
			continue;
		}
		int rc = fn(b, def, &ctx);
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
