/* hyperfine.c - import hyperfine --export-json: wall, user, sys and peak RSS per command */
#include "importer.h"

#include "perfgate/error.h"
#include "perfgate/json.h"
#include "perfgate/summary.h"

#include <stdio.h>
#include <string.h>

/* Each number of array key of obj, times scale, as samples of a new metric. */
static int add_array(pg_benchmark *b, const cJSON *array, const char *metric, const char *unit,
		     double scale, const char *where, const char *key)
{
	char at[PG_WHERE_MAX];
	const cJSON *item;
	size_t i = 0;
	pg_metric *m = pg_import_add_metric(b, metric, unit, PG_BETTER_LOWER);
	if (!m)
		return PG_ENOMEM;
	cJSON_ArrayForEach(item, array)
	{
		double v;
		int rc;
		snprintf(at, sizeof(at), "%s.%s[%zu]", where, key, i++);
		if ((rc = pg_import_number(&v, item, at)) || (rc = pg_metric_add_sample(m, v * scale)))
			return rc;
	}
	return 0;
}

/* user and system: per-run arrays where the file has them, else hyperfine's mean as one value. */
static int add_cpu_time(pg_benchmark *b, const cJSON *result, const char *key, const char *metric,
			const char *where)
{
	char at[PG_WHERE_MAX];
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(result, key);
	if (!item)
		return 0;
	if (cJSON_IsArray(item))
		return add_array(b, item, metric, "ms", 1e3, where, key);
	double v;
	snprintf(at, sizeof(at), "%s.%s", where, key);
	int rc = pg_import_number(&v, item, at);
	if (rc)
		return rc;
	pg_metric *m = pg_import_add_metric(b, metric, "ms", PG_BETTER_LOWER);
	if (!m)
		return PG_ENOMEM;
	pg_metric_set_value(m, v * 1e3);
	return 0;
}

/*
 * cpu = user + system per run, where the file has both as per-run arrays of
 * equal length: gated beside wall time. hyperfine's usual means give no
 * per-run figure, and a mean alone cannot be tested, so then there is none.
 */
static int add_cpu_total(pg_benchmark *b, const cJSON *result, const char *where)
{
	const cJSON *user = cJSON_GetObjectItemCaseSensitive(result, "user");
	const cJSON *sys = cJSON_GetObjectItemCaseSensitive(result, "system");
	if (!cJSON_IsArray(user) || !cJSON_IsArray(sys) ||
	    cJSON_GetArraySize(user) != cJSON_GetArraySize(sys) || cJSON_GetArraySize(user) == 0)
		return 0;
	pg_metric *m = pg_import_add_metric(b, "cpu", "ms", PG_BETTER_LOWER);
	if (!m)
		return PG_ENOMEM;
	char at[PG_WHERE_MAX];
	for (int i = 0; i < cJSON_GetArraySize(user); i++) {
		double u, s;
		int rc;
		snprintf(at, sizeof(at), "%s.user[%d]", where, i);
		if ((rc = pg_import_number(&u, cJSON_GetArrayItem(user, i), at)))
			return rc;
		snprintf(at, sizeof(at), "%s.system[%d]", where, i);
		if ((rc = pg_import_number(&s, cJSON_GetArrayItem(sys, i), at)) ||
		    (rc = pg_metric_add_sample(m, (u + s) * 1e3)))
			return rc;
	}
	return 0;
}

/* exit_codes: a non-zero code (or null: killed by a signal) fails the benchmark. */
static int check_exit_codes(pg_benchmark *b, const cJSON *codes, const char *where)
{
	char at[PG_WHERE_MAX];
	const cJSON *item;
	size_t i = 0, n = (size_t)cJSON_GetArraySize(codes), failed = 0, first = 0;
	double first_code = 0;
	int first_signal = 0;
	cJSON_ArrayForEach(item, codes)
	{
		double code = 0;
		snprintf(at, sizeof(at), "%s.exit_codes[%zu]", where, i);
		if (!cJSON_IsNull(item)) {
			int rc = pg_import_number(&code, item, at);
			if (rc)
				return rc;
		}
		if (cJSON_IsNull(item) || code != 0) {
			if (failed++ == 0) {
				first = i;
				first_code = code;
				first_signal = cJSON_IsNull(item);
			}
		}
		i++;
	}
	if (!failed)
		return 0;
	char how[64];
	if (first_signal)
		snprintf(how, sizeof(how), "was killed by a signal");
	else
		snprintf(how, sizeof(how), "exited with status %.0f", first_code);
	return pg_benchmark_set_status(b, PG_STATUS_FAILED, "run %zu of %zu %s (%zu of %zu runs failed, per hyperfine's exit_codes)",
				       first + 1, n, how, failed, n);
}

/* The summary numbers hyperfine wrote must be numbers (stddev is null for one run). */
static int check_summary(const cJSON *result, const char *where)
{
	static const char *const keys[] = {"mean", "stddev", "median", "min", "max", NULL};
	char at[PG_WHERE_MAX];
	for (const char *const *k = keys; *k; k++) {
		const cJSON *item = cJSON_GetObjectItemCaseSensitive(result, *k);
		double v;
		int rc;
		if (!item || cJSON_IsNull(item))
			continue;
		snprintf(at, sizeof(at), "%s.%s", where, *k);
		if ((rc = pg_import_number(&v, item, at)))
			return rc;
	}
	return 0;
}

static int import_result(pg_result_set *out, const cJSON *result, const char *path, size_t index,
			 pg_import_warnings *warnings)
{
	char where[PG_WHERE_MAX];
	const char *name = NULL;
	const cJSON *times = NULL, *memory = NULL, *codes = NULL;
	snprintf(where, sizeof(where), "%s: $.results[%zu]", path, index);
	int rc = pg_json_object(result, where);
	if (rc)
		return rc;
	if (cJSON_GetObjectItemCaseSensitive(result, "name"))
		rc = pg_json_get_string(&name, result, "name", 1, where);
	else
		rc = pg_json_get_string(&name, result, "command", 1, where);
	if (rc || (rc = pg_json_get_array(&times, result, "times", 1, where)) ||
	    (rc = check_summary(result, where)))
		return rc;
	if (cJSON_GetArraySize(times) == 0)
		return pg_error_set(PG_EINPUT, "%s.times: expected at least one time, found an empty array",
				    where);
	if ((rc = pg_json_get_array(&memory, result, "memory_usage_byte", 0, where)) < 0 ||
	    (rc = pg_json_get_array(&codes, result, "exit_codes", 0, where)) < 0)
		return rc;

	pg_benchmark *b = pg_import_add_benchmark(out, name);
	if (!b)
		return PG_ENOMEM;
	if ((rc = add_array(b, times, "wall", "ms", 1e3, where, "times")) ||
	    (rc = add_cpu_time(b, result, "user", "user", where)) ||
	    (rc = add_cpu_time(b, result, "system", "sys", where)))
		return rc;
	if ((rc = add_cpu_total(b, result, where)))
		return rc;
	/* hyperfine's memory_usage_byte is RUSAGE_CHILDREN: a running maximum, not per run. */
	if (memory && (rc = add_array(b, memory, "peak_rss", "bytes", 1.0, where, "memory_usage_byte")))
		return rc;
	if (codes && (rc = check_exit_codes(b, codes, where)))
		return rc;

	double median;
	if (pg_import_get_number(&median, result, "median", 0, where) == 0) {
		const pg_metric *wall = &b->metrics[0];
		double ours = pg_stats_median(wall->samples, wall->n_samples);
		if (!pg_import_close(ours, median * 1e3, 1e-9))
			return pg_import_warn(warnings,
					      "%s: $.results[%zu]: the median of times (%.9g ms) differs from hyperfine's median (%.9g ms)",
					      path, index, ours, median * 1e3);
	}
	return 0;
}

int pg_import_hyperfine(pg_result_set *out, const char *path, const char *variant,
			pg_import_warnings *warnings)
{
	cJSON *doc;
	const cJSON *results = NULL, *result;
	char where[PG_WHERE_MAX];
	(void)variant;
	int rc = pg_import_read_json(&doc, path);
	if (rc)
		return rc;
	snprintf(where, sizeof(where), "%s: $", path);
	if (!(rc = pg_import_expect_top(doc, "results", path, "a hyperfine --export-json file")))
		rc = pg_json_get_array(&results, doc, "results", 1, where);
	size_t i = 0;
	cJSON_ArrayForEach(result, results)
	{
		if (rc)
			break;
		rc = import_result(out, result, path, i++, warnings);
	}
	cJSON_Delete(doc);
	return rc;
}
