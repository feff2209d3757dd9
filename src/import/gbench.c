/* gbench.c - import Google Benchmark JSON: repetitions as samples of real_time, cpu_time and user counters */
#include "importer.h"

#include "perfgate/error.h"
#include "perfgate/json.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Keys of a benchmark row that are not user counters. */
static const char *const row_keys[] = {
	"name",          "family_index",   "per_family_instance_index", "run_name",
	"run_type",      "repetitions",    "repetition_index",          "threads",
	"iterations",    "real_time",      "cpu_time",                  "time_unit",
	"aggregate_name", "aggregate_unit", "error_occurred",            "error_message",
	"skipped",       "skip_message",   "label",                     "big_o",
	"rms",           "cpu_coefficient", "real_coefficient",         NULL};

typedef struct row {
	const cJSON *json;
	size_t index;
} row;

/* The rows of one benchmark across repetitions: run_name, or name without the aggregate suffix. */
typedef struct group {
	char *key;
	row *iterations;
	size_t n_iterations;
	row median, mean, stddev; /* aggregate rows, json NULL when absent */
	row failed;       /* first row with error_occurred */
	row skipped;
} group;

/* Values of one metric gathered over a group's rows. */
typedef struct column {
	const char *name; /* borrowed from the JSON */
	const char *unit;
	pg_better better;
	double *values;
	size_t n, dropped;
} column;

typedef struct columns {
	column *items;
	size_t n;
} columns;

static int is_row_key(const char *key)
{
	for (const char *const *k = row_keys; *k; k++)
		if (strcmp(*k, key) == 0)
			return 1;
	return 0;
}

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

static column *column_named(const columns *cols, const char *name)
{
	for (size_t i = 0; i < cols->n; i++)
		if (strcmp(cols->items[i].name, name) == 0)
			return &cols->items[i];
	return NULL;
}

static column *find_column(columns *cols, const char *name, const char *unit, pg_better better)
{
	column *found = column_named(cols, name);
	if (found)
		return found;
	column *grown = realloc(cols->items, (cols->n + 1) * sizeof(*grown));
	if (!grown)
		return NULL;
	cols->items = grown;
	column *c = &cols->items[cols->n++];
	memset(c, 0, sizeof(*c));
	c->name = name;
	c->unit = unit;
	c->better = better;
	return c;
}

static void columns_release(columns *cols)
{
	for (size_t i = 0; i < cols->n; i++)
		free(cols->items[i].values);
	free(cols->items);
}

/* A number or null (Google Benchmark's NaN and Infinity, rewritten), times factor. */
static int push_value(columns *cols, const char *name, const char *unit, pg_better better,
		      const cJSON *item, double factor, const char *where)
{
	column *c = find_column(cols, name, unit, better);
	if (!c)
		return pg_error_set(PG_ENOMEM, "out of memory");
	if (cJSON_IsNull(item)) {
		c->dropped++;
		return 0;
	}
	double v;
	int rc = pg_import_number(&v, item, where);
	if (rc)
		return rc;
	double *grown = realloc(c->values, (c->n + 1) * sizeof(*grown));
	if (!grown)
		return pg_error_set(PG_ENOMEM, "out of memory");
	c->values = grown;
	c->values[c->n++] = v * factor;
	return 0;
}

/* The row's time unit as seconds per unit; PG_EINPUT when it is not one Google Benchmark writes. */
static int row_unit(const char **unit, double *scale, const cJSON *json, const char *where)
{
	*unit = "ns";
	if (pg_json_get_string(unit, json, "time_unit", 0, where) < 0)
		return PG_EINPUT;
	*scale = pg_import_time_scale(*unit);
	if (*scale == 0)
		return pg_error_set(PG_EINPUT, "%s.time_unit: expected ns, us, ms or s, found \"%s\"",
				    where, *unit);
	return 0;
}

/* Times and counters of one row into the columns; times in the group's unit. */
static int gather_row(columns *cols, const row *r, const char *group_unit, const char *path)
{
	char where[PG_WHERE_MAX], at[PG_WHERE_MAX];
	const char *unit;
	double scale;
	snprintf(where, sizeof(where), "%s: $.benchmarks[%zu]", path, r->index);
	int rc = row_unit(&unit, &scale, r->json, where);
	if (rc)
		return rc;
	double factor = strcmp(unit, group_unit) == 0 ? 1.0 : scale / pg_import_time_scale(group_unit);
	static const char *const times[] = {"real_time", "cpu_time"};
	for (size_t i = 0; i < 2; i++) {
		const cJSON *item = cJSON_GetObjectItemCaseSensitive(r->json, times[i]);
		if (!item)
			return pg_error_set(PG_EINPUT, "%s: missing key '%s' (expected a number)", where,
					    times[i]);
		snprintf(at, sizeof(at), "%s.%s", where, times[i]);
		if ((rc = push_value(cols, times[i], group_unit, PG_BETTER_LOWER, item, factor, at)))
			return rc;
	}
	const cJSON *item;
	cJSON_ArrayForEach(item, r->json)
	{
		/* Newer fields of other types are not counters; a counter is a number (or NaN). */
		if (is_row_key(item->string) || !(cJSON_IsNumber(item) || cJSON_IsNull(item)))
			continue;
		int rate = ends_with(item->string, "_per_second");
		snprintf(at, sizeof(at), "%s.%s", where, item->string);
		if ((rc = push_value(cols, item->string, rate ? "1/s" : "count",
				     rate ? PG_BETTER_HIGHER : PG_BETTER_LOWER, item, 1.0, at)))
			return rc;
	}
	return 0;
}

/*
 * An aggregate-only file (--benchmark_report_aggregates_only) still says how
 * many repetitions it summarises and their spread: with the mean and stddev
 * rows beside the median, a metric keeps n, mean, sd and median, which is
 * what Welch's test needs. Returns the repetitions, 0 when the rows cannot
 * give a summary (a single value stands in).
 */
static size_t aggregate_repetitions(const group *g, const char *path)
{
	char where[PG_WHERE_MAX];
	double reps = 0;
	if (!g->median.json || !g->mean.json || !g->stddev.json)
		return 0;
	snprintf(where, sizeof(where), "%s: $.benchmarks[%zu]", path, g->stddev.index);
	if (pg_json_get_number(&reps, g->stddev.json, "repetitions", 0, where) != 0 || reps < 2 ||
	    reps != floor(reps) || reps > 1e9)
		return 0;
	return (size_t)reps;
}

/* n, mean, sd and median from the aggregate rows; statistics the file does not hold stay NaN. */
static void set_aggregate_summary(pg_metric *m, size_t n, double median, double mean, double sd)
{
	m->summary = (pg_summary){.n = n, .mean = mean, .stddev = sd, .median = median, .p50 = median,
				  .min = NAN, .max = NAN, .mad = NAN, .p90 = NAN, .p95 = NAN, .p99 = NAN};
	m->has_summary = 1;
}

static int build_benchmark(pg_result_set *out, const group *g, const char *path,
			   pg_import_warnings *warnings)
{
	char where[PG_WHERE_MAX];
	const char *unit = "ns", *message = NULL;
	double scale;
	columns cols = {0}, means = {0}, sds = {0};
	int rc = 0;
	/* Repetitions are samples; aggregates stand in only when the file has no repetitions. */
	const row *rows = g->iterations;
	size_t n_rows = g->n_iterations, reps = 0;
	int single = 0;
	if (n_rows == 0 && (g->median.json || g->mean.json)) {
		rows = g->median.json ? &g->median : &g->mean;
		n_rows = 1;
		single = 1;
		reps = aggregate_repetitions(g, path);
	}
	if (n_rows == 0 && !g->failed.json && !g->skipped.json)
		return 0; /* only statistics perfgate computes itself (stddev, cv) or complexity fits */
	if (n_rows > 0) {
		snprintf(where, sizeof(where), "%s: $.benchmarks[%zu]", path, rows[0].index);
		if ((rc = row_unit(&unit, &scale, rows[0].json, where)))
			return rc;
	}
	for (size_t i = 0; i < n_rows && !rc; i++)
		rc = gather_row(&cols, &rows[i], unit, path);
	if (!rc && reps && !(rc = gather_row(&means, &g->mean, unit, path)))
		rc = gather_row(&sds, &g->stddev, unit, path);

	pg_benchmark *b = rc ? NULL : pg_import_add_benchmark(out, g->key);
	if (!rc && !b)
		rc = PG_ENOMEM;
	for (size_t i = 0; i < cols.n && !rc; i++) {
		const column *c = &cols.items[i];
		if (c->n == 0) {
			if (c->dropped)
				rc = pg_import_warn(warnings,
						    "%s: %s: every value of '%s' is NaN or infinite: left out",
						    path, g->key, c->name);
			continue;
		}
		pg_metric *m = pg_import_add_metric(b, c->name, c->unit, c->better);
		if (!m) {
			rc = PG_ENOMEM;
			break;
		}
		const column *mean = column_named(&means, c->name), *sd = column_named(&sds, c->name);
		if (single && mean && sd && mean->n == 1 && sd->n == 1)
			set_aggregate_summary(m, reps, c->values[0], mean->values[0], sd->values[0]);
		else if (single)
			pg_metric_set_value(m, c->values[0]);
		for (size_t k = 0; !single && k < c->n && !rc; k++)
			rc = pg_metric_add_sample(m, c->values[k]);
		m->dropped = c->dropped;
	}
	columns_release(&cols);
	columns_release(&means);
	columns_release(&sds);
	if (rc)
		return rc;
	if (g->failed.json) {
		snprintf(where, sizeof(where), "%s: $.benchmarks[%zu]", path, g->failed.index);
		if (pg_json_get_string(&message, g->failed.json, "error_message", 0, where) < 0)
			return PG_EINPUT;
		return pg_benchmark_set_status(b, PG_STATUS_FAILED, "%s",
					       message ? message : "Google Benchmark reported an error");
	}
	if (g->skipped.json && n_rows == 0) {
		snprintf(where, sizeof(where), "%s: $.benchmarks[%zu]", path, g->skipped.index);
		if (pg_json_get_string(&message, g->skipped.json, "skip_message", 0, where) < 0)
			return PG_EINPUT;
		return pg_benchmark_set_status(b, PG_STATUS_SKIPPED, "%s",
					       message ? message : "skipped by Google Benchmark");
	}
	return 0;
}

static group *find_group(group **groups, size_t *n, const char *key, size_t key_len)
{
	for (size_t i = 0; i < *n; i++)
		if (strlen((*groups)[i].key) == key_len && strncmp((*groups)[i].key, key, key_len) == 0)
			return &(*groups)[i];
	group *grown = realloc(*groups, (*n + 1) * sizeof(*grown));
	if (!grown)
		return NULL;
	*groups = grown;
	group *g = &grown[(*n)++];
	memset(g, 0, sizeof(*g));
	g->key = strndup(key, key_len);
	if (!g->key) {
		(*n)--;
		return NULL;
	}
	return g;
}

/* Sort one row into its group. */
static int classify(group **groups, size_t *n_groups, const cJSON *json, size_t index,
		    const char *path)
{
	char where[PG_WHERE_MAX];
	const char *name, *run_name = NULL, *run_type = NULL, *aggregate = NULL;
	int error = 0, skipped = 0, rc;
	snprintf(where, sizeof(where), "%s: $.benchmarks[%zu]", path, index);
	if ((rc = pg_json_object(json, where)) || (rc = pg_json_get_string(&name, json, "name", 1, where)))
		return rc;
	if (pg_json_get_string(&run_name, json, "run_name", 0, where) < 0 ||
	    pg_json_get_string(&run_type, json, "run_type", 0, where) < 0 ||
	    pg_json_get_string(&aggregate, json, "aggregate_name", 0, where) < 0 ||
	    pg_json_get_bool(&error, json, "error_occurred", 0, where) < 0 ||
	    pg_json_get_bool(&skipped, json, "skipped", 0, where) < 0)
		return PG_EINPUT;
	/*
	 * Before run_type existed (library < 1.5) an aggregate was a row with
	 * aggregate_name, and before that only a name with the statistic appended.
	 */
	static const char *const old_suffixes[] = {"mean", "median", "stddev", NULL};
	for (const char *const *sfx = old_suffixes; !run_type && !aggregate && *sfx; sfx++) {
		size_t nl = strlen(name), sl = strlen(*sfx);
		if (nl > sl + 1 && name[nl - sl - 1] == '_' && strcmp(name + nl - sl, *sfx) == 0)
			aggregate = *sfx;
	}
	int is_aggregate = run_type ? strcmp(run_type, "aggregate") == 0 : aggregate != NULL;
	if (run_type && !is_aggregate && strcmp(run_type, "iteration") != 0)
		return pg_error_set(PG_EINPUT, "%s.run_type: expected \"iteration\" or \"aggregate\", found \"%s\"",
				    where, run_type);
	/* Complexity fits (BigO, RMS) describe a family, not one benchmark. */
	if (cJSON_GetObjectItemCaseSensitive(json, "big_o") || cJSON_GetObjectItemCaseSensitive(json, "rms"))
		return 0;
	size_t key_len = strlen(name);
	const char *key = name;
	if (run_name) {
		key = run_name;
		key_len = strlen(run_name);
	} else if (is_aggregate && aggregate) {
		size_t al = strlen(aggregate);
		if (key_len > al + 1 && name[key_len - al - 1] == '_' && strcmp(name + key_len - al, aggregate) == 0)
			key_len -= al + 1;
	}
	group *g = find_group(groups, n_groups, key, key_len);
	if (!g)
		return pg_error_set(PG_ENOMEM, "out of memory");
	row r = {json, index};
	if (error) {
		if (!g->failed.json)
			g->failed = r;
	} else if (skipped) {
		if (!g->skipped.json)
			g->skipped = r;
	} else if (!is_aggregate) {
		row *grown = realloc(g->iterations, (g->n_iterations + 1) * sizeof(*grown));
		if (!grown)
			return pg_error_set(PG_ENOMEM, "out of memory");
		g->iterations = grown;
		g->iterations[g->n_iterations++] = r;
	} else if (aggregate && strcmp(aggregate, "median") == 0) {
		g->median = r;
	} else if (aggregate && strcmp(aggregate, "mean") == 0) {
		g->mean = r;
	} else if (aggregate && strcmp(aggregate, "stddev") == 0) {
		g->stddev = r;
	}
	return 0;
}

int pg_import_gbench(pg_result_set *out, const char *path, const char *variant,
		     pg_import_warnings *warnings)
{
	cJSON *doc;
	const cJSON *rows = NULL, *json;
	char where[PG_WHERE_MAX];
	group *groups = NULL;
	size_t n_groups = 0, i = 0;
	(void)variant;
	int rc = pg_import_read_json(&doc, path);
	if (rc)
		return rc;
	snprintf(where, sizeof(where), "%s: $", path);
	if (!(rc = pg_import_expect_top(doc, "benchmarks", path, "Google Benchmark JSON")))
		rc = pg_json_get_array(&rows, doc, "benchmarks", 1, where);
	cJSON_ArrayForEach(json, rows)
	{
		if (rc)
			break;
		rc = classify(&groups, &n_groups, json, i++, path);
	}
	for (size_t g = 0; g < n_groups && !rc; g++)
		rc = build_benchmark(out, &groups[g], path, warnings);
	for (size_t g = 0; g < n_groups; g++) {
		free(groups[g].key);
		free(groups[g].iterations);
	}
	free(groups);
	cJSON_Delete(doc);
	return rc;
}
