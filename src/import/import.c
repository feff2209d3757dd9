/* import.c - the table of import formats, what they share, and how imported benchmarks join a result set */
#include "importer.h"

#include "perfgate/error.h"
#include "perfgate/hash.h"
#include "perfgate/fileio.h"
#include "perfgate/json.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct format {
	const char *name;
	const char *family; /* what the definition hash names: variants of one format hash alike */
	pg_importer_fn fn;
	/* Its single values are means over the runs of the primary metric (hyperfine's user, system). */
	int values_are_means;
} formats[] = {
	{"hyperfine", "hyperfine", pg_import_hyperfine, 1},
	{"gbench", "gbench", pg_import_gbench, 0},
	{"criterion", "criterion", pg_import_criterion, 0},
	{"luminaguard", "luminaguard", pg_import_luminaguard, 0},
	{"gab", "gab", pg_import_gab, 0},
	{"gab-smaller", "gab", pg_import_gab, 0},
	{"gab-bigger", "gab", pg_import_gab, 0},
};
#define N_FORMATS (sizeof(formats) / sizeof(formats[0]))

static const struct format *find_format(const char *name)
{
	for (size_t i = 0; name && i < N_FORMATS; i++)
		if (strcmp(formats[i].name, name) == 0)
			return &formats[i];
	return NULL;
}

const char *pg_import_format_list(void)
{
	return "hyperfine, gbench, criterion, luminaguard, gab, gab-smaller, gab-bigger";
}

int pg_import_format_known(const char *format)
{
	return find_format(format) != NULL;
}

void pg_import_warnings_release(pg_import_warnings *w)
{
	if (!w)
		return;
	for (size_t i = 0; i < w->n; i++)
		free(w->items[i]);
	free(w->items);
	w->items = NULL;
	w->n = 0;
}

int pg_import_warn(pg_import_warnings *w, const char *fmt, ...)
{
	if (!w)
		return 0;
	va_list ap;
	va_start(ap, fmt);
	int rc = pg_warning_vadd(&w->items, &w->n, fmt, ap);
	va_end(ap);
	return rc;
}

/* ---- reading ---- */

static int word_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '.' || c == '+' || c == '-';
}

char *pg_import_nonfinite_to_null(const char *text, size_t len, size_t *out_len)
{
	/* Longest first, so "-Infinity" is not read as "-inf" followed by junk. */
	static const char *const tokens[] = {"-Infinity", "Infinity", "-NaN", "-nan", "-inf",
					     "NaN",       "nan",      "inf",  NULL};
	/* "NaN" grows by one byte to "null"; everything else keeps its length. */
	char *out = malloc(len + len / 3 + 2), *w = out;
	int in_string = 0;
	if (!out)
		return NULL;
	for (size_t i = 0; i < len;) {
		char c = text[i];
		if (in_string) {
			*w++ = c;
			i++;
			if (c == '\\' && i < len)
				*w++ = text[i++];
			else if (c == '"')
				in_string = 0;
			continue;
		}
		if (c == '"') {
			in_string = 1;
			*w++ = c;
			i++;
			continue;
		}
		size_t matched = 0;
		if ((c == '-' || c == 'N' || c == 'n' || c == 'I' || c == 'i') &&
		    (i == 0 || !word_char(text[i - 1]))) {
			for (const char *const *t = tokens; *t && !matched; t++) {
				size_t tl = strlen(*t);
				if (tl <= len - i && memcmp(text + i, *t, tl) == 0 &&
				    (i + tl == len || !word_char(text[i + tl])))
					matched = tl;
			}
		}
		if (!matched) {
			*w++ = c;
			i++;
			continue;
		}
		memcpy(w, "null", 4);
		w += 4;
		for (size_t pad = 4; pad < matched; pad++)
			*w++ = ' ';
		i += matched;
	}
	*w = '\0';
	*out_len = (size_t)(w - out);
	return out;
}

int pg_import_read_json(cJSON **out, const char *path)
{
	char *text, *rewritten;
	size_t len;
	int rc = pg_file_read(&text, &len, path);
	if (rc)
		return rc;
	rewritten = pg_import_nonfinite_to_null(text, len, &len);
	free(text);
	if (!rewritten)
		return pg_error_set(PG_ENOMEM, "%s: out of memory", path);
	rc = pg_json_parse(out, rewritten, len, path);
	free(rewritten);
	return rc;
}

int pg_import_number(double *out, const cJSON *item, const char *where)
{
	if (!item)
		return pg_error_set(PG_EINPUT, "%s: missing, expected a number", where);
	if (!cJSON_IsNumber(item))
		return pg_error_set(PG_EINPUT, "%s: expected a number, found %s", where,
				    pg_json_type_name(item));
	if (!isfinite(item->valuedouble))
		return pg_error_set(PG_EINPUT, "%s: expected a number, found one too large to represent",
				    where);
	*out = item->valuedouble;
	return 0;
}

int pg_import_get_number(double *out, const cJSON *obj, const char *key, int required,
			 const char *where)
{
	char at[PG_WHERE_MAX];
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);
	if (!item && !required)
		return 1;
	if (!item)
		return pg_error_set(PG_EINPUT, "%s: missing key '%s' (expected a number)", where, key);
	snprintf(at, sizeof(at), "%s.%s", where, key);
	return pg_import_number(out, item, at);
}

int pg_import_expect_top(const cJSON *doc, const char *key, const char *path, const char *format)
{
	if (!cJSON_IsObject(doc))
		return pg_error_set(PG_EINPUT, "%s: $: expected an object, found %s (is this %s?)", path,
				    pg_json_type_name(doc), format);
	if (!cJSON_GetObjectItemCaseSensitive(doc, key))
		return pg_error_set(PG_EINPUT, "%s: $: missing key '%s' (is this %s?)", path, key, format);
	return 0;
}

double pg_import_time_scale(const char *unit)
{
	static const struct {
		const char *name;
		double scale;
	} units[] = {{"ns", 1e-9}, {"us", 1e-6}, {"ms", 1e-3}, {"s", 1.0}};
	for (size_t i = 0; unit && i < sizeof(units) / sizeof(units[0]); i++)
		if (strcmp(units[i].name, unit) == 0)
			return units[i].scale;
	return 0;
}

int pg_import_close(double a, double b, double rel)
{
	double scale = fabs(a) > fabs(b) ? fabs(a) : fabs(b);
	return fabs(a - b) <= rel * scale;
}

/* ---- building ---- */

pg_benchmark *pg_import_add_benchmark(pg_result_set *out, const char *name)
{
	pg_benchmark *b = pg_result_set_add_benchmark(out, name, "import");
	if (!b)
		pg_error_set(PG_ENOMEM, "out of memory");
	return b;
}

pg_metric *pg_import_add_metric(pg_benchmark *b, const char *name, const char *unit,
				pg_better better)
{
	pg_metric *m = pg_benchmark_add_metric(b, name, unit, better);
	if (!m)
		pg_error_set(PG_ENOMEM, "out of memory");
	return m;
}

/* Append a copy of src to dst's metrics. */
static int copy_metric(pg_benchmark *dst, const pg_metric *src)
{
	pg_metric *m = pg_import_add_metric(dst, src->name, src->unit, src->better);
	if (!m)
		return PG_ENOMEM;
	for (size_t i = 0; i < src->n_samples; i++)
		if (pg_metric_add_sample(m, src->samples[i]))
			return PG_ENOMEM;
	m->has_value = src->has_value;
	m->value = src->value;
	m->has_summary = src->has_summary;
	m->summary = src->summary;
	m->dropped = src->dropped;
	return 0;
}

static int set_definition_hash(pg_benchmark *b, const char *family)
{
	/* FNV-1a of "family\nname": the same benchmark of the same harness hashes alike. */
	uint64_t h = pg_fnv1a(PG_FNV_BASIS_STORED, family, strlen(family));
	h = pg_fnv1a(h, "\n", 1);
	h = pg_fnv1a(h, b->name, strlen(b->name));
	char hex[17];
	snprintf(hex, sizeof(hex), "%016llx", (unsigned long long)h);
	free(b->definition_hash);
	b->definition_hash = strdup(hex);
	return b->definition_hash ? 0 : pg_error_set(PG_ENOMEM, "out of memory");
}

/* Can metric sm of a benchmark seen again pool into dm? */
static int check_pool(const pg_metric *dm, const pg_metric *sm, const char *bench, const char *path,
		      int values_are_means)
{
	int means = values_are_means && dm->has_value && sm->has_value && !dm->n_samples && !sm->n_samples;
	if ((dm->has_value || sm->has_value) && !means)
		return pg_error_set(PG_EINPUT,
				    "%s: benchmark '%s' is imported twice and its metric '%s' is a single value "
				    "(samples of one benchmark pool across files, single values do not)",
				    path, bench, sm->name);
	if (strcmp(dm->unit, sm->unit) != 0 &&
	    !(pg_import_time_scale(dm->unit) > 0 && pg_import_time_scale(sm->unit) > 0))
		return pg_error_set(PG_EINPUT,
				    "%s: benchmark '%s' is imported twice with metric '%s' in %s here and in %s before",
				    path, bench, sm->name, sm->unit, dm->unit);
	return 0;
}

/*
 * Pool src into dst: samples append; a single value that is a mean over the
 * runs (values_are_means) becomes the mean over both sets of runs, weighted
 * by their counts, which is what the harness would have written for all
 * the runs at once.
 */
static int pool(pg_benchmark *dst, const pg_benchmark *src)
{
	double n_dst = dst->n_metrics ? (double)dst->metrics[0].n_samples : 0;
	double n_src = src->n_metrics ? (double)src->metrics[0].n_samples : 0;
	int rc;
	for (size_t i = 0; i < src->n_metrics; i++) {
		const pg_metric *sm = &src->metrics[i];
		pg_metric *dm = pg_benchmark_find_metric(dst, sm->name);
		if (!dm) {
			if ((rc = copy_metric(dst, sm)))
				return rc;
			continue;
		}
		if (dm->has_value && sm->has_value) {
			if (n_dst + n_src > 0)
				dm->value = (dm->value * n_dst + sm->value * n_src) / (n_dst + n_src);
			continue;
		}
		double factor = 1.0;
		if (strcmp(dm->unit, sm->unit) != 0)
			factor = pg_import_time_scale(sm->unit) / pg_import_time_scale(dm->unit);
		for (size_t j = 0; j < sm->n_samples; j++)
			if ((rc = pg_metric_add_sample(dm, sm->samples[j] * factor)))
				return rc;
		dm->dropped += sm->dropped;
	}
	if (dst->status == PG_STATUS_OK && src->status != PG_STATUS_OK)
		return pg_benchmark_set_status(dst, src->status, "%s", src->reason ? src->reason : "");
	return 0;
}

/* Add what src holds to rs: checked first, so that only memory can fail half-way. */
static int merge(pg_result_set *rs, pg_result_set *src, const char *path, const struct format *f)
{
	int rc;
	for (size_t i = 0; i < src->n_benchmarks; i++) {
		pg_benchmark *b = &src->benchmarks[i];
		if ((rc = set_definition_hash(b, f->family)))
			return rc;
		/* Earlier benchmarks of this same file count as well as those already in rs. */
		const pg_benchmark *seen = pg_result_set_find(rs, b->name);
		for (size_t j = 0; !seen && j < i; j++)
			if (strcmp(src->benchmarks[j].name, b->name) == 0)
				seen = &src->benchmarks[j];
		for (size_t k = 0; seen && k < b->n_metrics; k++) {
			const pg_metric *dm = pg_benchmark_find_metric(seen, b->metrics[k].name);
			if (dm && (rc = check_pool(dm, &b->metrics[k], b->name, path, f->values_are_means)))
				return rc;
		}
	}
	for (size_t i = 0; i < src->n_benchmarks; i++) {
		const pg_benchmark *b = &src->benchmarks[i];
		pg_benchmark *dst = pg_result_set_find(rs, b->name);
		if (dst)
			rc = pool(dst, b);
		else
			rc = pg_result_set_copy_benchmark(rs, b) ? 0 : pg_error_set(PG_ENOMEM, "out of memory");
		if (rc)
			return rc;
	}
	return pg_result_set_summarize(rs);
}

int pg_import_file(pg_result_set *rs, const char *format, const char *path,
		   pg_import_warnings *warnings)
{
	const struct format *f = find_format(format);
	if (!f)
		return pg_error_set(PG_EINPUT, "unknown import format '%s' (expected one of: %s)",
				    format ? format : "", pg_import_format_list());
	pg_result_set *scratch = calloc(1, sizeof(*scratch));
	if (!scratch)
		return pg_error_set(PG_ENOMEM, "out of memory");
	int rc = f->fn(scratch, path, f->name, warnings);
	if (!rc && scratch->n_benchmarks == 0)
		rc = pg_error_set(PG_EINPUT, "%s: no benchmarks in it (is this %s output?)", path, f->name);
	if (!rc)
		rc = merge(rs, scratch, path, f);
	pg_result_set_free(scratch);
	return rc;
}

/* Fill b with src's metrics, status and reason. */
static int fill_benchmark(pg_benchmark *b, const pg_benchmark *src)
{
	int rc = 0;
	for (size_t i = 0; i < src->n_metrics && !rc; i++)
		rc = copy_metric(b, &src->metrics[i]);
	if (!rc && src->status != PG_STATUS_OK)
		rc = pg_benchmark_set_status(b, src->status, "%s", src->reason ? src->reason : "");
	return rc;
}

int pg_import_into_benchmarks(pg_result_set *rs, size_t at, const char *format, const char *path,
			      pg_import_warnings *warnings)
{
	pg_result_set *imported = calloc(1, sizeof(*imported));
	if (!imported)
		return pg_error_set(PG_ENOMEM, "out of memory");
	int rc = pg_import_file(imported, format, path, warnings);
	const pg_benchmark *named = rc ? NULL : pg_result_set_find(imported, rs->benchmarks[at].name);
	if (rc) {
		/* nothing imported */
	} else if (named || imported->n_benchmarks == 1) {
		rc = fill_benchmark(&rs->benchmarks[at], named ? named : &imported->benchmarks[0]);
	} else {
		/* Every benchmark of the file, as "entry/benchmark", in the file's order. */
		char *entry = strdup(rs->benchmarks[at].name);
		for (size_t i = 0; entry && !rc && i < imported->n_benchmarks; i++) {
			const pg_benchmark *src = &imported->benchmarks[i];
			size_t len = strlen(entry) + strlen(src->name) + 2;
			char *name = malloc(len);
			pg_benchmark *b = NULL;
			if (name)
				snprintf(name, len, "%s/%s", entry, src->name);
			if (name && i == 0) {
				b = &rs->benchmarks[at];
				free(b->name);
				b->name = name;
				name = NULL;
			} else if (name) {
				const pg_benchmark *first = &rs->benchmarks[at];
				char *hash = first->definition_hash ? strdup(first->definition_hash) : NULL;
				char *kind = strdup(first->kind);
				b = kind ? pg_result_set_add_benchmark(rs, name, kind) : NULL;
				if (b && hash) {
					free(b->definition_hash);
					b->definition_hash = hash;
					hash = NULL;
				}
				free(hash);
				free(kind);
			}
			free(name);
			rc = b ? fill_benchmark(b, src) : pg_error_set(PG_ENOMEM, "out of memory");
		}
		if (!entry)
			rc = pg_error_set(PG_ENOMEM, "out of memory");
		free(entry);
	}
	pg_result_set_free(imported);
	return rc;
}
