/* luminaguard.c - import LuminaGuard's agent_baseline_*.json / rust_baseline_*.json summaries */
#include "importer.h"

#include "perfgate/error.h"
#include "perfgate/json.h"

#include <ctype.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/*
 * The files hold summaries, not samples: each statistic becomes a single
 * value. A group object ("spawn_time_ms": {"median": ...}) is one benchmark,
 * FAMILY.GROUP, where FAMILY is what precedes "_baseline" in the file name
 * ("rust") and GROUP the key without its unit suffix ("spawn_time"). Its
 * metrics are named as the agent file names them, statistic and unit
 * suffix ("median_ms", "p99_ms"), so that a gate path reads like the seed's
 * field (rust.spawn_time.p99_ms) and never like a bare statistic, which a
 * metric path would take for one. Top-level numbers ("memory_mb": 28.98)
 * are metrics of the benchmark FAMILY. Units follow the suffix; MB are
 * stored as bytes (10^6).
 */

static const struct suffix {
	const char *text; /* after the last '_' (or two words for rates) */
	const char *unit;
	double scale;
	pg_better better;
} suffixes[] = {
	{"per_second", "1/s", 1, PG_BETTER_HIGHER}, {"per_sec", "1/s", 1, PG_BETTER_HIGHER},
	{"per_s", "1/s", 1, PG_BETTER_HIGHER},      {"ns", "ns", 1, PG_BETTER_LOWER},
	{"us", "us", 1, PG_BETTER_LOWER},           {"ms", "ms", 1, PG_BETTER_LOWER},
	{"s", "s", 1, PG_BETTER_LOWER},             {"sec", "s", 1, PG_BETTER_LOWER},
	{"seconds", "s", 1, PG_BETTER_LOWER},       {"bytes", "bytes", 1, PG_BETTER_LOWER},
	{"kb", "bytes", 1e3, PG_BETTER_LOWER},      {"mb", "bytes", 1e6, PG_BETTER_LOWER},
	{"gb", "bytes", 1e9, PG_BETTER_LOWER},      {"kib", "bytes", 1024.0, PG_BETTER_LOWER},
	{"mib", "bytes", 1048576.0, PG_BETTER_LOWER}, {"gib", "bytes", 1073741824.0, PG_BETTER_LOWER},
	{"percent", "%", 1, PG_BETTER_LOWER},       {"pct", "%", 1, PG_BETTER_LOWER},
	{"ratio", "ratio", 1, PG_BETTER_LOWER},
};

/* Statistics a group holds; a string under one of these is a number gone wrong. */
static const char *const stats[] = {"median", "mean", "avg", "min", "max", "p50", "p90", "p95",
				    "p99", "std_dev", "stddev", "std", NULL};

/* The unit suffix of key ("spawn_time_ms" -> ms), NULL when it has none; *at where it starts ('_'). */
static const struct suffix *unit_suffix(const char *key, size_t *at)
{
	size_t len = strlen(key);
	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		size_t sl = strlen(suffixes[i].text);
		if (len > sl + 1 && key[len - sl - 1] == '_' && strcasecmp(key + len - sl, suffixes[i].text) == 0) {
			*at = len - sl - 1;
			return &suffixes[i];
		}
	}
	return NULL;
}

static int is_stat(const char *key)
{
	size_t at;
	char base[64];
	if (unit_suffix(key, &at)) {
		snprintf(base, sizeof(base), "%.*s", (int)at, key);
		key = base;
	}
	for (const char *const *s = stats; *s; s++)
		if (strcasecmp(*s, key) == 0)
			return 1;
	return 0;
}

/* What a string or null at key means: metadata to skip (0), or a number gone wrong (PG_EINPUT). */
static int check_string(const cJSON *item, const char *where)
{
	size_t at;
	if (unit_suffix(item->string, &at) || is_stat(item->string))
		return pg_error_set(PG_EINPUT, "%s.%s: expected a number, found %s", where, item->string,
				    pg_json_type_name(item));
	return 0;
}

/* Add key's number to b; group_suffix (may be NULL) names the unit when key has none. */
static int add_value(pg_benchmark *b, const cJSON *item, const struct suffix *group_suffix,
		     const char *where, int first)
{
	char at[PG_WHERE_MAX], name[256];
	double v;
	size_t pos;
	snprintf(at, sizeof(at), "%s.%s", where, item->string);
	int rc = pg_import_number(&v, item, at);
	if (rc)
		return rc;
	const struct suffix *s = unit_suffix(item->string, &pos);
	if (s || !group_suffix)
		snprintf(name, sizeof(name), "%s", item->string);
	else
		snprintf(name, sizeof(name), "%s_%s", item->string, group_suffix->text);
	if (!s)
		s = group_suffix;
	if (pg_benchmark_find_metric(b, name))
		return pg_error_set(PG_EINPUT, "%s: two values named '%s'", at, name);
	pg_metric *m = pg_import_add_metric(b, name, s ? s->unit : "count", s ? s->better : PG_BETTER_LOWER);
	if (!m)
		return PG_ENOMEM;
	pg_metric_set_value(m, v * (s ? s->scale : 1.0));
	if (first && b->n_metrics > 1) {
		/* The median is the primary metric: move it to the front. */
		pg_metric moved = b->metrics[b->n_metrics - 1];
		memmove(&b->metrics[1], &b->metrics[0], (b->n_metrics - 1) * sizeof(pg_metric));
		b->metrics[0] = moved;
	}
	return 0;
}

/*
 * A group with a median and a standard deviation, in a file that says how
 * many iterations it summarises, can be tested (Welch's test on n, centre
 * and spread): its median metric gets a summary of what the group holds.
 * Statistics the group lacks stay NaN, and a group without a deviation keeps
 * its bare value.
 */
static void summarize_group(pg_metric *median, const cJSON *obj, const struct suffix *group_unit,
			    double iterations)
{
	static const struct {
		const char *name;
		size_t offset;
	} fields[] = {{"median", offsetof(pg_summary, median)}, {"p50", offsetof(pg_summary, median)},
		      {"mean", offsetof(pg_summary, mean)},     {"avg", offsetof(pg_summary, mean)},
		      {"std_dev", offsetof(pg_summary, stddev)}, {"stddev", offsetof(pg_summary, stddev)},
		      {"std", offsetof(pg_summary, stddev)},    {"min", offsetof(pg_summary, min)},
		      {"max", offsetof(pg_summary, max)},       {"p90", offsetof(pg_summary, p90)},
		      {"p95", offsetof(pg_summary, p95)},       {"p99", offsetof(pg_summary, p99)}};
	pg_summary s = {.min = NAN, .max = NAN, .mean = NAN, .stddev = NAN, .median = NAN, .mad = NAN,
			.p90 = NAN, .p95 = NAN, .p99 = NAN};
	const cJSON *item;
	cJSON_ArrayForEach(item, obj)
	{
		size_t at;
		const struct suffix *unit = cJSON_IsNumber(item) ? unit_suffix(item->string, &at) : NULL;
		size_t len = unit ? at : strlen(item->string);
		if (!unit)
			unit = group_unit;
		for (size_t i = 0; cJSON_IsNumber(item) && i < sizeof(fields) / sizeof(fields[0]); i++)
			if (strlen(fields[i].name) == len && strncasecmp(item->string, fields[i].name, len) == 0)
				*(double *)((char *)&s + fields[i].offset) =
					item->valuedouble * (unit ? unit->scale : 1.0);
	}
	if (!(iterations >= 2) || !isfinite(s.median) || !isfinite(s.stddev))
		return;
	s.n = (size_t)iterations;
	s.p50 = s.median;
	median->summary = s;
	median->has_summary = 1;
	median->has_value = 0;
}

/* The benchmark name of a group: FAMILY.KEY without its unit suffix. */
static int group_name(char *buf, size_t size, const char *prefix, const char *key)
{
	size_t at, len = strlen(key);
	if (unit_suffix(key, &at))
		len = at;
	snprintf(buf, size, "%s.%.*s", prefix, (int)len, key);
	return 0;
}

static int import_group(pg_result_set *out, const cJSON *obj, const char *name,
			const struct suffix *unit, double iterations, const char *where)
{
	const cJSON *item;
	int rc = 0;
	size_t numbers = 0;
	cJSON_ArrayForEach(item, obj)
	{
		if (cJSON_IsNumber(item))
			numbers++;
		else if (cJSON_IsString(item) || cJSON_IsNull(item))
			rc = check_string(item, where);
		else if (!cJSON_IsBool(item))
			rc = pg_error_set(PG_EINPUT, "%s.%s: expected a number, found %s", where, item->string,
					  pg_json_type_name(item));
		if (rc)
			return rc;
	}
	if (numbers == 0)
		return 0;
	pg_benchmark *b = pg_import_add_benchmark(out, name);
	if (!b)
		return PG_ENOMEM;
	int have_median = 0;
	cJSON_ArrayForEach(item, obj)
	{
		if (!cJSON_IsNumber(item))
			continue;
		size_t at;
		char base[64];
		snprintf(base, sizeof(base), "%.*s",
			 (int)(unit_suffix(item->string, &at) ? at : strlen(item->string)), item->string);
		int median = !have_median && strcasecmp(base, "median") == 0;
		have_median |= median;
		if ((rc = add_value(b, item, unit, where, median)))
			return rc;
	}
	if (have_median)
		summarize_group(&b->metrics[0], obj, unit, iterations);
	return 0;
}

/* An object: a group of numbers, or (tool_execution_times) an object of groups. */
static int import_object(pg_result_set *out, const cJSON *obj, const char *prefix,
			 const struct suffix *inherited, double iterations, const char *where, int depth)
{
	char name[512], at[PG_WHERE_MAX];
	size_t pos;
	const struct suffix *unit = unit_suffix(obj->string, &pos);
	if (!unit)
		unit = inherited;
	group_name(name, sizeof(name), prefix, obj->string);
	const cJSON *item;
	int objects = 0, others = 0;
	cJSON_ArrayForEach(item, obj)
	{
		objects += cJSON_IsObject(item);
		others += !cJSON_IsObject(item) && !cJSON_IsString(item);
	}
	snprintf(at, sizeof(at), "%s.%s", where, obj->string);
	if (objects == 0)
		return import_group(out, obj, name, unit, iterations, at);
	if (others || depth > 0)
		return pg_error_set(PG_EINPUT, "%s: expected numbers (a summary) or objects of numbers, found both",
				    at);
	cJSON_ArrayForEach(item, obj)
	{
		int rc;
		if (!cJSON_IsObject(item))
			continue;
		rc = import_object(out, item, name, unit, iterations, at, depth + 1);
		if (rc)
			return rc;
	}
	return 0;
}

/* agent_baseline_20260215_033200.json -> "agent"; other names: the base name without .json. */
static void family_of(char *buf, size_t size, const char *path)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	const char *cut = strstr(base, "_baseline");
	size_t len = cut && cut > base ? (size_t)(cut - base) : strlen(base);
	if (!cut && len > 5 && strcmp(base + len - 5, ".json") == 0)
		len -= 5;
	snprintf(buf, size, "%.*s", (int)len, base);
}

int pg_import_luminaguard(pg_result_set *out, const char *path, const char *variant,
			  pg_import_warnings *warnings)
{
	cJSON *doc;
	char where[PG_WHERE_MAX], family[256];
	const cJSON *item;
	(void)variant;
	(void)warnings;
	int rc = pg_import_read_json(&doc, path);
	if (rc)
		return rc;
	snprintf(where, sizeof(where), "%s: $", path);
	family_of(family, sizeof(family), path);
	if (!cJSON_IsObject(doc)) {
		rc = pg_error_set(PG_EINPUT, "%s: expected an object, found %s (is this an agent_baseline or rust_baseline file?)",
				  where, pg_json_type_name(doc));
		goto out;
	}
	pg_benchmark *top = NULL;
	double iterations = NAN; /* how many runs each summary is of */
	const cJSON *n = cJSON_GetObjectItemCaseSensitive(doc, "iterations");
	if (n && cJSON_IsNumber(n) && n->valuedouble == floor(n->valuedouble) && n->valuedouble <= 1e9)
		iterations = n->valuedouble;
	cJSON_ArrayForEach(item, doc)
	{
		if (cJSON_IsObject(item)) {
			rc = import_object(out, item, family, NULL, iterations, where, 0);
		} else if (cJSON_IsNumber(item) && strcmp(item->string, "iterations") != 0) {
			/* Scalars share the benchmark FAMILY; found again each time, since adding moves it. */
			top = pg_result_set_find(out, family);
			if (!top && !(top = pg_import_add_benchmark(out, family)))
				rc = PG_ENOMEM;
			else
				rc = add_value(top, item, NULL, where, 0);
		} else if (cJSON_IsNumber(item)) {
			double v;
			char at[PG_WHERE_MAX];
			snprintf(at, sizeof(at), "%s.iterations", where);
			rc = pg_import_number(&v, item, at);
		} else if (cJSON_IsString(item) || cJSON_IsNull(item)) {
			rc = check_string(item, where);
		} else if (!cJSON_IsBool(item)) {
			rc = pg_error_set(PG_EINPUT, "%s.%s: expected a number or an object of summary values, found %s",
					  where, item->string, pg_json_type_name(item));
		}
		if (rc)
			break;
	}
out:
	cJSON_Delete(doc);
	return rc;
}
