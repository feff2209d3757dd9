/* gab.c - github-action-benchmark's custom JSON ({name, unit, value, range?, extra?}), in and out */
#include "importer.h"

#include "perfgate/error.h"
#include "perfgate/json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Units as github-action-benchmark users write them, and the name perfgate stores them under. */
static const struct unit_alias {
	const char *written;
	const char *stored;
	double scale;
} aliases[] = {
	{"ns", "ns", 1},          {"ns/iter", "ns", 1},       {"ns/op", "ns", 1},
	{"nanoseconds", "ns", 1}, {"us", "us", 1},            {"\xc2\xb5s", "us", 1},
	{"us/iter", "us", 1},     {"us/op", "us", 1},         {"microseconds", "us", 1},
	{"ms", "ms", 1},          {"ms/iter", "ms", 1},       {"ms/op", "ms", 1},
	{"milliseconds", "ms", 1}, {"s", "s", 1},             {"sec", "s", 1},
	{"seconds", "s", 1},      {"s/iter", "s", 1},         {"bytes", "bytes", 1},
	{"B", "bytes", 1},        {"KB", "bytes", 1e3},       {"kB", "bytes", 1e3},
	{"MB", "bytes", 1e6},     {"GB", "bytes", 1e9},       {"KiB", "bytes", 1024.0},
	{"MiB", "bytes", 1048576.0}, {"GiB", "bytes", 1073741824.0}, {"%", "%", 1},
	{"ops/sec", "1/s", 1},    {"ops/s", "1/s", 1},        {"1/s", "1/s", 1},
	{"Hz", "1/s", 1},
};

static const struct unit_alias *find_alias(const char *unit)
{
	for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
		if (strcmp(aliases[i].written, unit) == 0)
			return &aliases[i];
	return NULL;
}

/* github-action-benchmark's own rule (biggerIsBetter): which tools' numbers grow when better. */
static int tool_is_bigger(const char *tool)
{
	return strcmp(tool, "customBiggerIsBetter") == 0 || strcmp(tool, "benchmarkjs") == 0 ||
	       strcmp(tool, "pytest") == 0;
}

static int import_entry(pg_result_set *out, const cJSON *entry, pg_better better,
			const char *where)
{
	const char *name, *unit, *text;
	double value;
	int rc = pg_json_object(entry, where);
	if (rc || (rc = pg_json_get_string(&name, entry, "name", 1, where)) ||
	    (rc = pg_json_get_string(&unit, entry, "unit", 1, where)) ||
	    (rc = pg_import_get_number(&value, entry, "value", 1, where)))
		return rc;
	/* range and extra are free text for people; only their type is checked. */
	if (pg_json_get_string(&text, entry, "range", 0, where) < 0 ||
	    pg_json_get_string(&text, entry, "extra", 0, where) < 0)
		return PG_EINPUT;
	if (!name[0])
		return pg_error_set(PG_EINPUT, "%s.name: expected a benchmark name, found an empty string", where);
	const struct unit_alias *a = find_alias(unit);
	pg_benchmark *b = pg_import_add_benchmark(out, name);
	pg_metric *m = b ? pg_import_add_metric(b, "value", a ? a->stored : unit, better) : NULL;
	if (!m)
		return PG_ENOMEM;
	pg_metric_set_value(m, value * (a ? a->scale : 1.0));
	return 0;
}

int pg_import_gab(pg_result_set *out, const char *path, const char *variant,
		  pg_import_warnings *warnings)
{
	cJSON *doc;
	const cJSON *benches = NULL, *entry;
	const char *tool = NULL;
	char where[PG_WHERE_MAX];
	(void)warnings;
	int rc = pg_import_read_json(&doc, path);
	if (rc)
		return rc;
	snprintf(where, sizeof(where), "%s: $", path);
	pg_better better = strcmp(variant, "gab-bigger") == 0 ? PG_BETTER_HIGHER : PG_BETTER_LOWER;
	if (cJSON_IsArray(doc)) {
		benches = doc;
	} else if (cJSON_IsObject(doc)) {
		/* One entry of the action's data.js: {"tool": ..., "benches": [...]}. */
		if ((rc = pg_import_expect_top(doc, "benches", path,
					       "github-action-benchmark JSON: an array of {name, unit, value}")) ||
		    (rc = pg_json_get_array(&benches, doc, "benches", 1, where)) ||
		    pg_json_get_string(&tool, doc, "tool", 0, where) < 0) {
			rc = rc ? rc : PG_EINPUT;
			goto out;
		}
		if (tool) {
			pg_better said = tool_is_bigger(tool) ? PG_BETTER_HIGHER : PG_BETTER_LOWER;
			if (strcmp(variant, "gab") != 0 && said != better) {
				rc = pg_error_set(PG_EINPUT, "%s.tool: \"%s\" says %s is better, but --from %s says %s",
						  where, tool, said == PG_BETTER_HIGHER ? "bigger" : "smaller",
						  variant, better == PG_BETTER_HIGHER ? "bigger" : "smaller");
				goto out;
			}
			better = said;
		}
	} else {
		rc = pg_error_set(PG_EINPUT, "%s: expected an array of {name, unit, value}, found %s (is this github-action-benchmark JSON?)",
				  where, pg_json_type_name(doc));
		goto out;
	}
	size_t i = 0;
	cJSON_ArrayForEach(entry, benches)
	{
		char at[PG_WHERE_MAX];
		snprintf(at, sizeof(at), "%s%s[%zu]", where, benches == doc ? "" : ".benches", i++);
		if ((rc = import_entry(out, entry, better, at)))
			break;
	}
out:
	cJSON_Delete(doc);
	return rc;
}

/* ---- export ---- */

static int add_entry(cJSON *array, const pg_benchmark *b, const pg_metric *m, int primary)
{
	char name[1024], text[128];
	double center;
	if (pg_metric_center(m, &center) != 0)
		return 0;
	if (primary)
		snprintf(name, sizeof(name), "%s", b->name);
	else
		snprintf(name, sizeof(name), "%s %s", b->name, m->name);
	cJSON *e = cJSON_CreateObject();
	if (!e || !cJSON_AddItemToArray(array, e)) {
		cJSON_Delete(e);
		return pg_error_set(PG_ENOMEM, "out of memory");
	}
	int rc = pg_json_add_string(e, "name", name);
	rc = rc ? rc : pg_json_add_string(e, "unit", m->unit);
	rc = rc ? rc : pg_json_add_number(e, "value", center);
	if (!rc && m->n_samples > 0) {
		pg_summary s = m->summary;
		if (!m->has_summary && pg_stats_summarize(&s, m->samples, m->n_samples) != 0)
			return pg_error_set(PG_ENOMEM, "out of memory");
		if (s.n >= 2) {
			snprintf(text, sizeof(text), "\xc2\xb1 %.6g", s.stddev);
			rc = pg_json_add_string(e, "range", text);
		}
		snprintf(text, sizeof(text), "median of %zu samples%s", s.n,
			 m->dropped ? " (non-finite ones dropped)" : "");
	} else {
		snprintf(text, sizeof(text), "single value");
	}
	return rc ? rc : pg_json_add_string(e, "extra", text);
}

int pg_export_gab(char **json_out, const pg_result_set *rs, pg_better which,
		  pg_import_warnings *warnings)
{
	cJSON *array = cJSON_CreateArray();
	int rc = array ? 0 : pg_error_set(PG_ENOMEM, "out of memory");
	for (size_t i = 0; i < rs->n_benchmarks && !rc; i++) {
		const pg_benchmark *b = &rs->benchmarks[i];
		if (b->status != PG_STATUS_OK) {
			rc = pg_import_warn(warnings, "benchmark '%s' is %s (%s): not exported", b->name,
					    pg_status_name(b->status), b->reason ? b->reason : "no reason given");
			continue;
		}
		for (size_t j = 0; j < b->n_metrics && !rc; j++)
			if (b->metrics[j].better == which)
				rc = add_entry(array, b, &b->metrics[j], j == 0);
	}
	char *text = rc ? NULL : pg_json_print_file(array);
	cJSON_Delete(array);
	if (rc)
		return rc;
	if (!text)
		return pg_error_set(PG_ENOMEM, "out of memory");
	*json_out = text;
	return 0;
}
