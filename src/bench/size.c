/* size.c - the size kind: bytes, stripped bytes, gzip bytes and section sizes of files on disk */
#include "driver.h"
#include "perfgate/elfsize.h"
#include "perfgate/error.h"
#include "perfgate/fileio.h"
#include "perfgate/json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int add_value(pg_benchmark *b, const char *prefix, const char *name, double value)
{
	size_t len = strlen(prefix) + strlen(name) + 1;
	char *full = malloc(len);
	if (!full)
		return pg_error_set(PG_ENOMEM, "out of memory");
	snprintf(full, len, "%s%s", prefix, name);
	pg_metric *m = pg_benchmark_add_metric(b, full, "bytes", PG_BETTER_LOWER);
	free(full);
	if (!m)
		return pg_error_set(PG_ENOMEM, "out of memory");
	pg_metric_set_value(m, value);
	return 0;
}

int pg_file_size_add_metrics(pg_benchmark *b, const pg_file_size *fs, const char *prefix)
{
	int rc;
	/* The primary metric comes first: what ships for ELF, the file itself otherwise. */
	if (fs->is_elf) {
		if ((rc = add_value(b, prefix, "stripped_bytes", (double)fs->stripped_bytes)) ||
		    (rc = add_value(b, prefix, "gzip_stripped_bytes", (double)fs->gzip_stripped_bytes)) ||
		    (rc = add_value(b, prefix, "gzip_bytes", (double)fs->gzip_bytes)) ||
		    (rc = add_value(b, prefix, "bytes", (double)fs->bytes)))
			return rc;
	} else if ((rc = add_value(b, prefix, "bytes", (double)fs->bytes)) ||
		   (rc = add_value(b, prefix, "gzip_bytes", (double)fs->gzip_bytes))) {
		return rc;
	}
	for (size_t i = 0; i < fs->n_sections; i++) {
		size_t len = strlen("section:") + strlen(fs->sections[i].name) + 1;
		char *name = malloc(len);
		if (!name)
			return pg_error_set(PG_ENOMEM, "out of memory");
		snprintf(name, len, "section:%s", fs->sections[i].name);
		rc = add_value(b, prefix, name, (double)fs->sections[i].bytes);
		free(name);
		if (rc)
			return rc;
	}
	return 0;
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash && slash[1] ? slash + 1 : path;
}

/* The files key: an array of file names (a single string is one file), expanded and resolved. */
static int read_files(char ***out, size_t *n_out, const pg_bench_def *def, const pg_gates *g)
{
	const cJSON *files = cJSON_GetObjectItemCaseSensitive(def->spec, "files");
	const char *where = g->path ? g->path : "gates file";
	size_t n = 0;
	int rc = 0;

	if (!files)
		return pg_error_set(PG_EINPUT, "%s: benchmark '%s': missing key 'files' (the files a size benchmark measures)",
				    where, def->name);
	int single = cJSON_IsString(files);
	if (!single && !cJSON_IsArray(files))
		return pg_error_set(PG_EINPUT, "%s: benchmark '%s': files: expected an array of file names, found %s",
				    where, def->name, pg_json_type_name(files));
	size_t count = single ? 1 : (size_t)cJSON_GetArraySize(files);
	if (count == 0)
		return pg_error_set(PG_EINPUT, "%s: benchmark '%s': files: expected at least one file name",
				    where, def->name);
	char **paths = calloc(count, sizeof(char *));
	if (!paths)
		return pg_error_set(PG_ENOMEM, "out of memory");
	const cJSON *item = single ? files : files->child;
	for (; item && n < count && !rc; item = item->next, n++) {
		char *expanded = NULL;
		if (!cJSON_IsString(item) || !item->valuestring[0]) {
			rc = pg_error_set(PG_EINPUT, "%s: benchmark '%s': files[%zu]: expected a file name, found %s",
					  where, def->name, n,
					  cJSON_IsString(item) ? "an empty string" : pg_json_type_name(item));
			break;
		}
		if ((rc = pg_expand_placeholders(&expanded, item->valuestring, g->root, g->bindir))) {
			rc = pg_error_wrap(rc, "%s: benchmark '%s': files[%zu]", where, def->name, n);
			break;
		}
		if (expanded[0] == '/' || !g->root) {
			paths[n] = expanded;
		} else {
			paths[n] = pg_path_join(g->root, expanded);
			free(expanded);
			if (!paths[n])
				rc = pg_error_set(PG_ENOMEM, "out of memory");
		}
	}
	if (rc) {
		for (size_t i = 0; i < count; i++)
			free(paths[i]);
		free(paths);
		return rc;
	}
	*out = paths;
	*n_out = count;
	return 0;
}

/* With several files each metric is prefixed: the base name, or the path when two share one. */
static const char *file_label(char *const *paths, size_t n, size_t i)
{
	for (size_t j = 0; j < n; j++)
		if (j != i && strcmp(base_name(paths[j]), base_name(paths[i])) == 0)
			return paths[i];
	return base_name(paths[i]);
}

int pg_driver_size(pg_benchmark *out, const pg_bench_def *def, const pg_driver_ctx *ctx)
{
	char **paths = NULL;
	size_t n = 0;
	int rc = read_files(&paths, &n, def, ctx->gates);
	if (rc)
		return rc;
	/* Measure every file before adding a metric: a failed benchmark carries no partial sizes. */
	pg_file_size *sizes = calloc(n, sizeof(*sizes));
	if (!sizes)
		rc = pg_error_set(PG_ENOMEM, "out of memory");
	for (size_t i = 0; i < n && !rc; i++)
		rc = pg_file_size_measure(&sizes[i], paths[i]);
	if (rc == PG_EINPUT) {
		/* A corrupt file is the measured product failing, not a wrong gates file. */
		rc = pg_benchmark_set_status(out, PG_STATUS_FAILED, "%s", pg_error_message());
	} else {
		for (size_t i = 0; i < n && !rc; i++) {
			char prefix[4096] = "";
			if (n > 1)
				snprintf(prefix, sizeof(prefix), "%s.", file_label(paths, n, i));
			rc = pg_file_size_add_metrics(out, &sizes[i], prefix);
		}
	}
	if (!rc && ctx->opts && ctx->opts->progress)
		ctx->opts->progress(ctx->opts->progress_arg, def->name, 1, 1);
	for (size_t i = 0; i < n; i++) {
		if (sizes)
			pg_file_size_release(&sizes[i]);
		free(paths[i]);
	}
	free(sizes);
	free(paths);
	return rc;
}
