/* importer.h - what the importer of each format shares (private to src/import) */
#ifndef PERFGATE_IMPORTER_H
#define PERFGATE_IMPORTER_H

#include "perfgate/import.h"

#include <cjson/cJSON.h>

/* Room for "FILE: $.results[12].times[345]" and the like. */
#define PG_WHERE_MAX 1024

/*
 * One importer per format: read path and append its benchmarks to out, a
 * scratch result set (import.c sets kind and definition hash and merges it
 * into the caller's). `variant` is the format as asked ("gab-bigger").
 * Errors name path and the JSON path; warnings may be NULL.
 */
typedef int (*pg_importer_fn)(pg_result_set *out, const char *path, const char *variant,
			      pg_import_warnings *warnings);

int pg_import_hyperfine(pg_result_set *out, const char *path, const char *variant,
			pg_import_warnings *warnings);
int pg_import_gbench(pg_result_set *out, const char *path, const char *variant,
		     pg_import_warnings *warnings);
int pg_import_criterion(pg_result_set *out, const char *path, const char *variant,
			pg_import_warnings *warnings);
int pg_import_luminaguard(pg_result_set *out, const char *path, const char *variant,
			  pg_import_warnings *warnings);
int pg_import_gab(pg_result_set *out, const char *path, const char *variant,
		  pg_import_warnings *warnings);

/*
 * Read and parse a JSON file. The bare NaN, Infinity and -Infinity that
 * Google Benchmark writes (not JSON) become null first, outside strings
 * only: its importer drops them (counted), the others find null where a
 * number belongs, and a file of one format given to another importer is
 * told apart by its keys, not by a parse error. Errors name the path
 * (line and column).
 */
int pg_import_read_json(cJSON **out, const char *path);

/* The rewrite above on len bytes of text; caller frees, *out_len its length. NULL on ENOMEM. */
char *pg_import_nonfinite_to_null(const char *text, size_t len, size_t *out_len);

/* Append a benchmark of kind "import"; NULL with PG_ENOMEM set on failure. */
pg_benchmark *pg_import_add_benchmark(pg_result_set *out, const char *name);

/* Append a metric; NULL with PG_ENOMEM set on failure. */
pg_metric *pg_import_add_metric(pg_benchmark *b, const char *name, const char *unit,
				pg_better better);

/*
 * item as a finite number; where ("FILE: $.results[0].times[3]") names it.
 * PG_EINPUT "WHERE: expected a number, found a string" when item is NULL,
 * not a number, or a number too large to be finite (1e400).
 */
int pg_import_number(double *out, const cJSON *item, const char *where);

/* obj.key as a finite number: 0, 1 when absent and not required, or PG_EINPUT. */
int pg_import_get_number(double *out, const cJSON *obj, const char *key, int required,
			 const char *where);

/* The top level must be an object holding `key`: else PG_EINPUT saying which format was expected. */
int pg_import_expect_top(const cJSON *doc, const char *key, const char *path, const char *format);

/* Append a warning (printf format) when w is not NULL. 0 or PG_ENOMEM. */
int pg_import_warn(pg_import_warnings *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Seconds per unit for ns, us, ms, s; 0 for anything else. */
double pg_import_time_scale(const char *unit);

/* |a - b| <= rel * max(|a|, |b|) */
int pg_import_close(double a, double b, double rel);

#endif
