/* import_kind.c - the import kind: a gates benchmark read from another harness's output file */
#include "driver.h"
#include "perfgate/error.h"
#include "perfgate/fileio.h"
#include "perfgate/import.h"
#include "perfgate/json.h"

#include <glob.h>
#include <stdlib.h>
#include <string.h>

/*
 * A path with a wildcard names the newest of the files it matches, by name:
 * harnesses that stamp their output (rust_baseline_20260215_033805.json)
 * sort by time that way. *path is replaced; PG_ESYSTEM when nothing matches.
 */
static int newest_match(char **path, const char *where, const char *bench)
{
	if (!strpbrk(*path, "*?["))
		return 0;
	glob_t found;
	int g = glob(*path, 0, NULL, &found);
	if (g == GLOB_NOSPACE)
		return pg_error_set(PG_ENOMEM, "out of memory");
	if (g != 0 || found.gl_pathc == 0) {
		int rc = pg_error_set(PG_ESYSTEM, "%s: benchmark '%s': path %s: no file matches", where, bench,
				      *path);
		globfree(&found);
		return rc;
	}
	char *newest = strdup(found.gl_pathv[found.gl_pathc - 1]);
	globfree(&found);
	if (!newest)
		return pg_error_set(PG_ENOMEM, "out of memory");
	free(*path);
	*path = newest;
	return 0;
}

/*
 * One gates entry is the file's benchmark of the same name when the file
 * has it (name the entry "BM_parse/64" to pick that row of a Google
 * Benchmark file), the file's only benchmark, or else every benchmark of
 * the file, each as "entry/<its name>". Nothing is run: runs and warmup do
 * not apply, and the file is read as it is when perfgate runs.
 */
int pg_driver_import(pg_benchmark *out, const pg_bench_def *def, const pg_driver_ctx *ctx)
{
	const pg_gates *g = ctx->gates;
	const char *where = g->path ? g->path : "gates file";
	const cJSON *from = cJSON_GetObjectItemCaseSensitive(def->spec, "from");
	const cJSON *path = cJSON_GetObjectItemCaseSensitive(def->spec, "path");
	if (!cJSON_IsString(from))
		return pg_error_set(PG_EINPUT, "%s: benchmark '%s': %s key 'from' (expected the format: %s)",
				    where, def->name, from ? "wrong type of" : "missing", pg_import_format_list());
	if (!pg_import_format_known(from->valuestring))
		return pg_error_set(PG_EINPUT, "%s: benchmark '%s': from: unknown format \"%s\" (expected one of: %s)",
				    where, def->name, from->valuestring, pg_import_format_list());
	if (!cJSON_IsString(path) || !path->valuestring[0])
		return pg_error_set(PG_EINPUT, "%s: benchmark '%s': %s key 'path' (expected the file to import, found %s)",
				    where, def->name, path ? "wrong" : "missing", pg_json_type_name(path));

	char *expanded, *resolved;
	int rc = pg_expand_placeholders(&expanded, path->valuestring, g->root, g->bindir);
	if (rc)
		return pg_error_wrap(rc, "%s: benchmark '%s': path", where, def->name);
	if (expanded[0] == '/' || !g->root) {
		resolved = expanded;
	} else {
		resolved = pg_path_join(g->root, expanded);
		free(expanded);
		if (!resolved)
			return pg_error_set(PG_ENOMEM, "out of memory");
	}
	if ((rc = newest_match(&resolved, where, def->name))) {
		free(resolved);
		return rc;
	}
	/* Warnings (a criterion estimate that disagrees) have no channel out of a driver. */
	pg_import_warnings warnings = {0};
	(void)out; /* ctx->rs->benchmarks[ctx->at], which the import may move */
	rc = pg_import_into_benchmarks(ctx->rs, ctx->at, from->valuestring, resolved, &warnings);
	if (rc && rc != PG_ENOMEM)
		rc = pg_error_wrap(rc, "%s: benchmark '%s'", where, def->name);
	pg_import_warnings_release(&warnings);
	free(resolved);
	return rc;
}
