/* import.h - other harnesses' results as perfgate result sets, and result sets as github-action-benchmark JSON */
#ifndef PERFGATE_IMPORT_H
#define PERFGATE_IMPORT_H

#include "perfgate/result.h"

#include <stddef.h>

/* What an import or export noticed without failing; the CLI prints them. */
typedef struct pg_import_warnings {
	char **items;
	size_t n;
} pg_import_warnings;

/* Free the messages (not w itself); w is empty afterwards. Accepts NULL. */
void pg_import_warnings_release(pg_import_warnings *w);

/* The format names --from accepts, for messages: "hyperfine, gbench, ...". */
const char *pg_import_format_list(void);

/* 1 when format names an importer. */
int pg_import_format_known(const char *format);

/*
 * Read path in `format` and append its benchmarks to rs, each of kind
 * "import" with a definition_hash of the format and its name:
 *   hyperfine    --export-json file
 *   gbench       Google Benchmark --benchmark_format=json / --benchmark_out file
 *   criterion    a directory (target/criterion, or one benchmark's) or a new/sample.json
 *   luminaguard  agent_baseline_*.json / rust_baseline_*.json
 *   gab          github-action-benchmark custom JSON; gab-smaller and gab-bigger
 *                say which is better (plain gab: the file's "tool", else smaller)
 * A benchmark whose name rs already holds (repetitions spread over files)
 * pools its samples into that one; hyperfine's user and system means pool
 * as the mean over all runs; other single values cannot pool (PG_EINPUT).
 * The file is read and checked whole before rs changes: on error rs is as
 * it was. Errors: PG_EINPUT naming the file and the JSON path of what is
 * wrong (wrong format, truncated, missing fields, a string or a non-finite
 * number where a number belongs), PG_ESYSTEM when it cannot be read.
 * Warnings (may be NULL) are appended; the caller releases them.
 */
int pg_import_file(pg_result_set *rs, const char *format, const char *path,
		   pg_import_warnings *warnings);

/*
 * For the import benchmark kind: import path into rs as the benchmarks of
 * the gates entry rs->benchmarks[at] (named, kinded and hashed by the
 * caller). The file's benchmark of the entry's very name fills the entry
 * alone (name an entry "BM_parse/64" to pick that row); a file of one
 * benchmark fills it too; a file of several becomes one benchmark each,
 * "entry/<its name>" in the file's order, the first in place of the entry
 * and the others appended to rs (which moves rs->benchmarks: re-read it).
 * Returns 0, or as pg_import_file.
 */
int pg_import_into_benchmarks(pg_result_set *rs, size_t at, const char *format, const char *path,
			      pg_import_warnings *warnings);

/*
 * github-action-benchmark custom JSON (customSmallerIsBetter for
 * PG_BETTER_LOWER, customBiggerIsBetter for PG_BETTER_HIGHER) of the
 * metrics of rs that are better in that direction: a benchmark's primary
 * metric as {"name": BENCH, ...}, every other as {"name": "BENCH METRIC",
 * ...}, each with unit, value (the median, or the single value), range
 * ("± STDDEV", when there are samples) and extra. Benchmarks that did not
 * succeed are left out, with a warning. *json_out is indented JSON ending
 * in a newline, caller frees. Returns 0 or PG_ENOMEM.
 */
int pg_export_gab(char **json_out, const pg_result_set *rs, pg_better which,
		  pg_import_warnings *warnings);

#endif
