/* criterion.c - import criterion.rs results: each benchmark's new/sample.json, per-iteration times in ns */
#include "importer.h"

#include "perfgate/error.h"
#include "perfgate/fileio.h"
#include "perfgate/json.h"
#include "perfgate/summary.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* target/criterion/<group>/<function>/<value>/new: deeper than this is not criterion's. */
#define MAX_DEPTH 12

typedef struct found {
	char **samples; /* each a sample.json; its directory (criterion's new/) holds the rest */
	size_t n;
} found;

static int is_file(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Take sample (a malloc'd path, NULL: out of memory) into f. */
static int push(found *f, char *sample)
{
	char **grown = sample ? realloc(f->samples, (f->n + 1) * sizeof(char *)) : NULL;
	if (!grown) {
		free(sample);
		return pg_error_set(PG_ENOMEM, "out of memory");
	}
	f->samples = grown;
	f->samples[f->n++] = sample;
	return 0;
}

/* Every DIR/new/sample.json under dir, in name order (criterion's base/ and change/ are not read). */
static int walk(found *f, const char *dir, int depth)
{
	char *sample = pg_path_join(dir, "new/sample.json");
	if (!sample)
		return pg_error_set(PG_ENOMEM, "out of memory");
	if (is_file(sample))
		return push(f, sample);
	free(sample);
	if (depth >= MAX_DEPTH)
		return 0;
	struct dirent **names;
	int n = scandir(dir, &names, NULL, alphasort), rc = 0;
	if (n < 0)
		return pg_error_set(PG_ESYSTEM, "%s: cannot list: %s", dir, strerror(errno));
	for (int i = 0; i < n; i++) {
		struct stat st;
		char *child = rc || names[i]->d_name[0] == '.' ? NULL : pg_path_join(dir, names[i]->d_name);
		/* lstat: a symbolic link to a directory above would never end. */
		if (child && lstat(child, &st) == 0 && S_ISDIR(st.st_mode))
			rc = walk(f, child, depth + 1);
		free(child);
		free(names[i]);
	}
	free(names);
	return rc;
}

/* benchmark.json's full_id, else the benchmark's directory relative to what was named. */
static int bench_name(char **out, const char *new_dir, const char *root)
{
	char *path = pg_path_join(new_dir, "benchmark.json");
	int rc = 0;
	if (!path)
		return pg_error_set(PG_ENOMEM, "out of memory");
	if (is_file(path)) {
		cJSON *doc = NULL;
		const char *full_id;
		char where[PG_WHERE_MAX];
		snprintf(where, sizeof(where), "%s: $", path);
		if (!(rc = pg_import_read_json(&doc, path)) && !(rc = pg_json_object(doc, where)) &&
		    !(rc = pg_json_get_string(&full_id, doc, "full_id", 1, where)))
			*out = strdup(full_id);
		cJSON_Delete(doc);
		free(path);
		return rc ? rc : *out ? 0 : pg_error_set(PG_ENOMEM, "out of memory");
	}
	free(path);
	/* new_dir is ROOT/<id>/new: the id is what lies between; ROOT itself goes by its base name. */
	char *bench_dir = pg_path_dirname(new_dir), real[PATH_MAX];
	if (!bench_dir)
		return pg_error_set(PG_ENOMEM, "out of memory");
	size_t rl = strlen(root);
	const char *id = bench_dir;
	if (strncmp(bench_dir, root, rl) == 0 && bench_dir[rl] == '/')
		id = bench_dir + rl + 1;
	else if ((strcmp(bench_dir, root) == 0 || strcmp(bench_dir, ".") == 0) &&
		 realpath(bench_dir, real) && strrchr(real, '/')[1])
		id = strrchr(real, '/') + 1;
	*out = strdup(id);
	free(bench_dir);
	return *out ? 0 : pg_error_set(PG_ENOMEM, "out of memory");
}

/* new/estimates.json's median must be the samples' median (criterion's percentiles are numpy's linear too). */
static int cross_check(const char *new_dir, const pg_metric *m, const char *name,
		       pg_import_warnings *warnings)
{
	char *path = pg_path_join(new_dir, "estimates.json"), where[PG_WHERE_MAX];
	cJSON *doc = NULL;
	const cJSON *median;
	double estimate;
	int rc = 0;
	if (!path)
		return pg_error_set(PG_ENOMEM, "out of memory");
	if (!is_file(path) || m->n_samples == 0) {
		free(path);
		return 0;
	}
	snprintf(where, sizeof(where), "%s: $", path);
	if (!(rc = pg_import_read_json(&doc, path)) && !(rc = pg_json_object(doc, where))) {
		median = cJSON_GetObjectItemCaseSensitive(doc, "median");
		if (!median)
			rc = pg_error_set(PG_EINPUT, "%s: missing key 'median' (expected criterion's estimates)", where);
		else {
			snprintf(where, sizeof(where), "%s: $.median", path);
			if (!(rc = pg_json_object(median, where)) &&
			    !(rc = pg_import_get_number(&estimate, median, "point_estimate", 1, where))) {
				double ours = pg_stats_median(m->samples, m->n_samples);
				if (!pg_import_close(ours, estimate, 1e-6))
					rc = pg_import_warn(warnings,
							    "%s: criterion's median estimate %.9g ns differs from the median of %s's samples, %.9g ns",
							    path, estimate, name, ours);
			}
		}
	}
	cJSON_Delete(doc);
	free(path);
	return rc;
}

/* One benchmark from its sample.json: times[i] / iters[i] per sample. */
static int import_one(pg_result_set *out, const char *path, const char *root,
		      pg_import_warnings *warnings)
{
	char *new_dir = pg_path_dirname(path), *name = NULL;
	char where[PG_WHERE_MAX], at[PG_WHERE_MAX];
	const cJSON *iters = NULL, *times = NULL;
	cJSON *doc = NULL;
	if (!new_dir)
		return pg_error_set(PG_ENOMEM, "out of memory");
	snprintf(where, sizeof(where), "%s: $", path);
	int rc = pg_import_read_json(&doc, path);
	if (!rc && !(rc = pg_import_expect_top(doc, "times", path, "criterion's sample.json")) &&
	    !(rc = pg_json_get_array(&iters, doc, "iters", 1, where)))
		rc = pg_json_get_array(&times, doc, "times", 1, where);
	size_t n = rc ? 0 : (size_t)cJSON_GetArraySize(times);
	if (!rc && (size_t)cJSON_GetArraySize(iters) != n)
		rc = pg_error_set(PG_EINPUT, "%s: iters has %d entries and times %zu: expected as many",
				  where, cJSON_GetArraySize(iters), n);
	if (!rc && n == 0)
		rc = pg_error_set(PG_EINPUT, "%s.times: expected at least one sample, found an empty array", where);
	if (!rc)
		rc = bench_name(&name, new_dir, root);
	pg_benchmark *b = rc ? NULL : pg_import_add_benchmark(out, name);
	pg_metric *m = b ? pg_import_add_metric(b, "time", "ns", PG_BETTER_LOWER) : NULL;
	if (!rc && !m)
		rc = PG_ENOMEM;
	const cJSON *it = rc ? NULL : iters->child, *t = rc ? NULL : times->child;
	for (size_t i = 0; it && t && !rc; i++, it = it->next, t = t->next) {
		double count, total;
		snprintf(at, sizeof(at), "%s.iters[%zu]", where, i);
		if ((rc = pg_import_number(&count, it, at)))
			break;
		if (count <= 0) {
			rc = pg_error_set(PG_EINPUT, "%s: expected a positive iteration count, found %g", at, count);
			break;
		}
		snprintf(at, sizeof(at), "%s.times[%zu]", where, i);
		if (!(rc = pg_import_number(&total, t, at)))
			rc = pg_metric_add_sample(m, total / count);
	}
	if (!rc)
		rc = cross_check(new_dir, m, name, warnings);
	cJSON_Delete(doc);
	free(name);
	free(new_dir);
	return rc;
}

int pg_import_criterion(pg_result_set *out, const char *path, const char *variant,
			pg_import_warnings *warnings)
{
	struct stat st;
	found f = {0};
	int rc = 0;
	(void)variant;
	if (stat(path, &st) != 0)
		return pg_error_set(PG_ESYSTEM, "%s: cannot open: %s", path, strerror(errno));
	char *root = strdup(path);
	if (!root)
		return pg_error_set(PG_ENOMEM, "out of memory");
	for (size_t len = strlen(root); len > 1 && root[len - 1] == '/'; len--)
		root[len - 1] = '\0';
	if (S_ISREG(st.st_mode)) {
		rc = push(&f, strdup(root));
	} else {
		char *sample = pg_path_join(root, "sample.json");
		if (sample && is_file(sample)) {
			rc = push(&f, sample); /* named new/ itself */
		} else {
			free(sample);
			rc = sample ? walk(&f, root, 0) : pg_error_set(PG_ENOMEM, "out of memory");
		}
		if (!rc && f.n == 0)
			rc = pg_error_set(PG_EINPUT, "%s: no criterion benchmark under it (expected DIR/new/sample.json, as in target/criterion)",
					  path);
	}
	for (size_t i = 0; i < f.n && !rc; i++)
		rc = import_one(out, f.samples[i], root, warnings);
	for (size_t i = 0; i < f.n; i++)
		free(f.samples[i]);
	free(f.samples);
	free(root);
	return rc;
}
