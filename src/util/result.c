/* result.c - the result set model and its perfgate/1 JSON form */
#include "perfgate/result.h"

#include "perfgate/error.h"
#include "perfgate/fileio.h"
#include "perfgate/json.h"
#include "pg_version.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

char *pg_new_run_id(void)
{
	unsigned char b[16];
	char *id = malloc(37);
	if (!id)
		return NULL;
	if (getrandom(b, sizeof(b), 0) != (ssize_t)sizeof(b)) {
		/* Without entropy, time and address still make collisions in one store unlikely. */
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		unsigned long long x = (unsigned long long)ts.tv_nsec ^ ((unsigned long long)ts.tv_sec << 20) ^
				       (unsigned long long)(size_t)id;
		for (int i = 0; i < 16; i++) {
			x = x * 6364136223846793005ULL + 1442695040888963407ULL;
			b[i] = (unsigned char)(x >> 56);
		}
	}
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40); /* version 4 */
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80); /* RFC 4122 variant */
	snprintf(id, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12],
		 b[13], b[14], b[15]);
	return id;
}

char *pg_now_iso8601(void)
{
	struct timespec ts;
	struct tm tm;
	char buf[40];
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	size_t n = strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, sizeof(buf) - n, ".%03ldZ", ts.tv_nsec / 1000000);
	return strdup(buf);
}

pg_result_set *pg_result_set_new(void)
{
	pg_result_set *rs = calloc(1, sizeof(*rs));
	if (!rs)
		return NULL;
	rs->run_id = pg_new_run_id();
	rs->created = pg_now_iso8601();
	rs->tool = strdup("perfgate " PG_VERSION);
	if (!rs->run_id || !rs->created || !rs->tool) {
		pg_result_set_free(rs);
		return NULL;
	}
	return rs;
}

static void metric_release(pg_metric *m)
{
	free(m->name);
	free(m->unit);
	free(m->samples);
}

static void benchmark_release(pg_benchmark *b)
{
	free(b->name);
	free(b->kind);
	free(b->reason);
	free(b->definition_hash);
	free(b->probe);
	for (size_t i = 0; i < b->n_metrics; i++)
		metric_release(&b->metrics[i]);
	free(b->metrics);
}

void pg_result_set_free(pg_result_set *rs)
{
	if (!rs)
		return;
	free(rs->run_id);
	free(rs->commit);
	free(rs->env.key);
	free(rs->env.os);
	free(rs->env.arch);
	free(rs->env.cpu);
	free(rs->env.runner);
	free(rs->created);
	free(rs->tool);
	free(rs->gates_hash);
	for (size_t i = 0; i < rs->n_benchmarks; i++)
		benchmark_release(&rs->benchmarks[i]);
	free(rs->benchmarks);
	free(rs);
}

pg_benchmark *pg_result_set_add_benchmark(pg_result_set *rs, const char *name, const char *kind)
{
	pg_benchmark *grown = realloc(rs->benchmarks, (rs->n_benchmarks + 1) * sizeof(*grown));
	if (!grown)
		return NULL;
	rs->benchmarks = grown;
	pg_benchmark *b = &rs->benchmarks[rs->n_benchmarks];
	memset(b, 0, sizeof(*b));
	b->noise_floor = NAN;
	b->name = strdup(name);
	b->kind = strdup(kind ? kind : "command");
	if (!b->name || !b->kind) {
		free(b->name);
		free(b->kind);
		return NULL;
	}
	rs->n_benchmarks++;
	return b;
}

pg_benchmark *pg_result_set_find(const pg_result_set *rs, const char *name)
{
	for (size_t i = 0; i < rs->n_benchmarks; i++)
		if (strcmp(rs->benchmarks[i].name, name) == 0)
			return &rs->benchmarks[i];
	return NULL;
}

const pg_metric *pg_result_set_ok_metric(const pg_result_set *rs, const char *bench, const char *metric,
					 pg_lookup_hint *hint)
{
	pg_lookup_hint none = {0, 0}, *h = hint ? hint : &none;
	const pg_benchmark *b = NULL;
	const pg_metric *m = NULL;
	if (!rs)
		return NULL;
	/* Where the last one was (the next commit's), else just after it (the next of this set's). */
	for (size_t at = h->bench; !b && at < rs->n_benchmarks && at <= h->bench + 1; at++)
		if (strcmp(rs->benchmarks[at].name, bench) == 0)
			b = &rs->benchmarks[at];
	if (!b)
		b = pg_result_set_find(rs, bench);
	if (!b || b->status != PG_STATUS_OK)
		return NULL;
	h->bench = (size_t)(b - rs->benchmarks);
	for (size_t at = h->metric; !m && at < b->n_metrics && at <= h->metric + 1; at++)
		if (strcmp(b->metrics[at].name, metric) == 0)
			m = &b->metrics[at];
	if (!m)
		m = pg_benchmark_find_metric(b, metric);
	if (m)
		h->metric = (size_t)(m - b->metrics);
	return m;
}

pg_benchmark *pg_result_set_copy_benchmark(pg_result_set *rs, const pg_benchmark *src)
{
	pg_benchmark *b = pg_result_set_add_benchmark(rs, src->name, src->kind);
	if (!b)
		return NULL;
	b->status = src->status;
	b->noise_floor = src->noise_floor;
	b->reason = src->reason ? strdup(src->reason) : NULL;
	b->definition_hash = src->definition_hash ? strdup(src->definition_hash) : NULL;
	if (src->probe && (b->probe = malloc(sizeof(*b->probe))))
		*b->probe = *src->probe;
	int ok = (!src->reason || b->reason) && (!src->definition_hash || b->definition_hash) &&
		 (!src->probe || b->probe);
	for (size_t i = 0; ok && i < src->n_metrics; i++) {
		const pg_metric *sm = &src->metrics[i];
		pg_metric *m = pg_benchmark_add_metric(b, sm->name, sm->unit, sm->better);
		if (!m)
			break;
		for (size_t j = 0; j < sm->n_samples && m; j++)
			if (pg_metric_add_sample(m, sm->samples[j]))
				m = NULL;
		if (!m)
			break;
		m->has_value = sm->has_value;
		m->value = sm->value;
		m->has_summary = sm->has_summary;
		m->summary = sm->summary;
		m->dropped = sm->dropped;
	}
	if (!ok || b->n_metrics != src->n_metrics) {
		rs->n_benchmarks--;
		benchmark_release(b);
		return NULL;
	}
	return b;
}

int pg_benchmark_set_status(pg_benchmark *b, pg_status status, const char *fmt, ...)
{
	char buf[1024];
	free(b->reason);
	b->reason = NULL;
	b->status = status;
	if (!fmt)
		return 0;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	b->reason = strdup(buf);
	return b->reason ? 0 : pg_error_set(PG_ENOMEM, "out of memory");
}

pg_metric *pg_benchmark_add_metric(pg_benchmark *b, const char *name, const char *unit,
				   pg_better better)
{
	pg_metric *grown = realloc(b->metrics, (b->n_metrics + 1) * sizeof(*grown));
	if (!grown)
		return NULL;
	b->metrics = grown;
	pg_metric *m = &b->metrics[b->n_metrics];
	memset(m, 0, sizeof(*m));
	m->name = strdup(name);
	m->unit = strdup(unit ? unit : "count");
	m->better = better;
	if (!m->name || !m->unit) {
		free(m->name);
		free(m->unit);
		return NULL;
	}
	b->n_metrics++;
	return m;
}

pg_metric *pg_benchmark_find_metric(const pg_benchmark *b, const char *name)
{
	for (size_t i = 0; i < b->n_metrics; i++)
		if (strcmp(b->metrics[i].name, name) == 0)
			return &b->metrics[i];
	return NULL;
}

void pg_benchmark_keep_metrics(pg_benchmark *b, int (*keep)(const pg_benchmark *b, size_t i, void *arg), void *arg)
{
	size_t kept = 0;
	for (size_t i = 0; i < b->n_metrics; i++) {
		if (!keep(b, i, arg)) {
			metric_release(&b->metrics[i]);
			continue;
		}
		b->metrics[kept++] = b->metrics[i];
	}
	/* A reader that keeps many benchmarks (log's rows) keeps only the room the kept metrics take. */
	if (kept < b->n_metrics) {
		pg_metric *fewer = kept ? realloc(b->metrics, kept * sizeof(*fewer)) : NULL;
		if (fewer || !kept) {
			if (!kept)
				free(b->metrics);
			b->metrics = fewer;
		}
	}
	b->n_metrics = kept;
}

static int has_a_figure(const pg_benchmark *b, size_t i, void *arg)
{
	const pg_metric *m = &b->metrics[i];
	(void)arg;
	return m->n_samples > 0 || m->has_value || m->has_summary;
}

void pg_benchmark_drop_empty(pg_benchmark *b)
{
	pg_benchmark_keep_metrics(b, has_a_figure, NULL);
}

int pg_metric_add_sample(pg_metric *m, double sample)
{
	if (!isfinite(sample)) {
		m->dropped++;
		return 0;
	}
	if (m->n_samples == m->cap_samples) {
		size_t cap = m->cap_samples ? m->cap_samples * 2 : 32;
		double *grown = realloc(m->samples, cap * sizeof(*grown));
		if (!grown)
			return pg_error_set(PG_ENOMEM, "out of memory storing samples of '%s'", m->name);
		m->samples = grown;
		m->cap_samples = cap;
	}
	m->samples[m->n_samples++] = sample;
	m->has_summary = 0;
	return 0;
}

void pg_metric_set_value(pg_metric *m, double value)
{
	m->has_value = 1;
	m->value = value;
}

int pg_result_set_summarize(pg_result_set *rs)
{
	for (size_t i = 0; i < rs->n_benchmarks; i++)
		for (size_t j = 0; j < rs->benchmarks[i].n_metrics; j++) {
			pg_metric *m = &rs->benchmarks[i].metrics[j];
			if (m->n_samples == 0)
				continue;
			int rc = pg_stats_summarize(&m->summary, m->samples, m->n_samples);
			if (rc)
				return rc;
			m->has_summary = 1;
		}
	return 0;
}

int pg_metric_center(const pg_metric *m, double *out)
{
	if (m->n_samples > 0) {
		*out = m->has_summary ? m->summary.median : pg_stats_median(m->samples, m->n_samples);
		return 0;
	}
	if (m->has_value) {
		*out = m->value;
		return 0;
	}
	if (m->has_summary) {
		*out = m->summary.median;
		return 0;
	}
	return -1;
}

static const char *status_names[] = {"ok", "failed", "timeout", "skipped"};

int pg_probe_equal(const pg_probe *a, const pg_probe *b)
{
	return a && b && a->version == b->version && a->cpu_ms[0] == b->cpu_ms[0] &&
	       a->cpu_ms[1] == b->cpu_ms[1] && a->mem_ms[0] == b->mem_ms[0] && a->mem_ms[1] == b->mem_ms[1];
}

const pg_probe *pg_benchmark_probe(const pg_result_set *rs, const pg_benchmark *b)
{
	if (b && b->probe && b->probe->version > 0)
		return b->probe;
	return rs && rs->probe.version > 0 ? &rs->probe : NULL;
}

pg_benchmark *pg_result_set_adopt_benchmark(pg_result_set *rs, const pg_result_set *from, const pg_benchmark *src)
{
	const pg_probe *own = pg_benchmark_probe(from, src);
	pg_benchmark *copy = pg_result_set_copy_benchmark(rs, src);
	if (!copy) {
		pg_error_set(PG_ENOMEM, "out of memory");
		return NULL;
	}
	free(copy->probe);
	copy->probe = NULL;
	if (own && !pg_probe_equal(own, &rs->probe)) {
		if (!(copy->probe = malloc(sizeof(*copy->probe)))) {
			pg_error_set(PG_ENOMEM, "out of memory");
			return NULL;
		}
		*copy->probe = *own;
	}
	return copy;
}

const char *pg_status_name(pg_status status)
{
	return status_names[status];
}

/* ---- writing ---- */

static const struct {
	const char *key;
	size_t offset;
} summary_fields[] = {
	{"min", offsetof(pg_summary, min)},       {"max", offsetof(pg_summary, max)},
	{"mean", offsetof(pg_summary, mean)},     {"stddev", offsetof(pg_summary, stddev)},
	{"median", offsetof(pg_summary, median)}, {"mad", offsetof(pg_summary, mad)},
	{"p50", offsetof(pg_summary, p50)},       {"p90", offsetof(pg_summary, p90)},
	{"p95", offsetof(pg_summary, p95)},       {"p99", offsetof(pg_summary, p99)},
};
#define N_SUMMARY_FIELDS (sizeof(summary_fields) / sizeof(summary_fields[0]))

static double *summary_field(pg_summary *s, size_t i)
{
	return (double *)((char *)s + summary_fields[i].offset);
}

static void summary_write(pg_json_writer *w, const pg_summary *s)
{
	pg_json_writer_open(w, "summary", '{');
	pg_json_writer_number(w, "n", (double)s->n);
	/* An imported summary may hold less (n, mean, sd, median): what it does not know is left out. */
	for (size_t i = 0; i < N_SUMMARY_FIELDS; i++) {
		double v = *summary_field((pg_summary *)s, i);
		if (isfinite(v))
			pg_json_writer_number(w, summary_fields[i].key, v);
	}
	pg_json_writer_close(w);
}

/*
 * Nanoseconds in one of a time unit: the clocks perfgate reads tick in whole
 * nanoseconds, so a time sample holds no more. 0: not a time unit.
 */
static double ns_in(const char *unit)
{
	static const struct {
		const char *unit;
		double ns;
	} units[] = {{"ns", 1.0}, {"us", 1e3}, {"ms", 1e6}, {"s", 1e9}};
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (strcmp(unit, units[i].unit) == 0)
			return units[i].ns;
	return 0;
}

/*
 * A time sample as the clock gave it: rounded to the nanosecond, it prints in
 * a few digits ("0.009684") where binary arithmetic left seventeen
 * ("0.009684001270215958"). Values past 2^53 ns (104 days) are left alone.
 */
static double at_clock_precision(double v, double ns)
{
	double ticks = v * ns;
	/* divided, not multiplied by 1e-6: 11126 / 1e6 is the double nearest 0.011126 */
	return ns > 0 && fabs(ticks) < 9007199254740992.0 ? nearbyint(ticks) / ns : v;
}

/* How a result set is written: as DESIGN's schema has it, or the compact line a note stores. */
typedef struct json_form {
	int own_clock; /* perfgate timed it (not an import, whose times are averages finer than a tick) */
	int note;      /* the note's form (pg_result_set_to_note) */
	size_t keep;   /* samples kept per metric at most */
} json_form;

/* A figure perfgate derived (a ratio, a rate): seven significant digits are more than it holds. */
static double at_derived_precision(double v)
{
	char text[32];
	if (!isfinite(v) || v == 0)
		return v;
	snprintf(text, sizeof(text), "%.7g", v);
	return strtod(text, NULL);
}

/* Which samples of n are kept: i of keep, evenly spaced, first and last included, so the order of runs stays visible. */
static size_t kept_index(size_t i, size_t keep, size_t n)
{
	return keep == n ? i : (size_t)((double)i * (double)(n - 1) / (double)(keep - 1) + 0.5);
}

/*
 * The samples as written. In a note, perfgate's own samples are written with
 * the precision they have: times as whole clock ticks, "ticks":[962,981]
 * with "per_unit":1e6 (ns in a ms), bytes as whole bytes, derived figures
 * to seven digits. A reader divides ticks by per_unit, which gives the same
 * double as the sample rounded to the nanosecond.
 */
static void samples_write(pg_json_writer *w, const pg_metric *m, const json_form *form)
{
	double ns = form->own_clock ? ns_in(m->unit) : 0;
	int ticks = form->note && ns > 0;
	int bytes = form->note && form->own_clock && strcmp(m->unit, "bytes") == 0;
	int derived = form->note && form->own_clock && ns == 0 && !bytes;
	size_t n = m->n_samples, keep = n > form->keep ? form->keep : n;
	for (size_t i = 0; ticks && i < keep; i++)
		if (!(fabs(m->samples[kept_index(i, keep, n)] * ns) < 9007199254740992.0))
			ticks = 0; /* past 2^53 ns (104 days): as it is */
	pg_json_writer_open(w, ticks ? "ticks" : "samples", '[');
	for (size_t i = 0; i < keep; i++) {
		double v = m->samples[kept_index(i, keep, n)];
		if (ticks)
			v = nearbyint(v * ns);
		else if (bytes)
			v = nearbyint(v);
		else if (derived)
			v = at_derived_precision(v);
		else
			v = at_clock_precision(v, ns);
		pg_json_writer_number(w, NULL, v);
	}
	pg_json_writer_close(w);
	if (ticks)
		pg_json_writer_number(w, "per_unit", ns);
}

/* One metric's object; 0, or the error of summarising its samples. */
static int metric_write(pg_json_writer *w, const pg_metric *m, const json_form *form)
{
	pg_json_writer_open(w, NULL, '{');
	pg_json_writer_string(w, "name", m->name);
	pg_json_writer_string(w, "unit", m->unit);
	/* A note leaves out "better" where it is the default, "lower". */
	if (!(form->note && m->better == PG_BETTER_LOWER))
		pg_json_writer_string(w, "better", m->better == PG_BETTER_HIGHER ? "higher" : "lower");
	if (m->n_samples > 0)
		samples_write(w, m, form);
	if (m->has_value)
		pg_json_writer_number(w, "value", m->value);
	/* A note whose samples are all there leaves the summary to the reader, which computes it from them. */
	int summary_derivable = form->note && m->n_samples > 0 && m->n_samples <= form->keep &&
				(!m->has_summary || m->summary.n == m->n_samples);
	if ((m->has_summary || m->n_samples > 0) && !summary_derivable) {
		pg_summary computed;
		const pg_summary *s = &m->summary;
		if (!m->has_summary) {
			int rc = pg_stats_summarize(&computed, m->samples, m->n_samples);
			if (rc)
				return rc;
			s = &computed;
		}
		summary_write(w, s);
	}
	if (m->dropped > 0)
		pg_json_writer_number(w, "dropped", (double)m->dropped);
	pg_json_writer_close(w);
	return 0;
}

size_t pg_metric_note_bytes(const pg_metric *m, int own_clock, int with_samples)
{
	const json_form form = {.own_clock = own_clock, .note = 1, .keep = PG_MAX_STORED_SAMPLES};
	pg_metric lean = *m;
	if (!with_samples) {
		if (m->n_samples > 0 && !m->has_summary &&
		    pg_stats_summarize(&lean.summary, m->samples, m->n_samples) == 0)
			lean.has_summary = 1;
		lean.n_samples = 0;
	}
	pg_json_writer w;
	pg_json_writer_init(&w, 0);
	char *text = NULL;
	size_t bytes = SIZE_MAX;
	int rc = metric_write(&w, &lean, &form);
	if (rc)
		free(w.text);
	else
		rc = pg_json_writer_finish(&w, &text, &bytes);
	free(text);
	return rc ? SIZE_MAX : bytes;
}

/* {"version": 1, "cpu_ms": [before, after], "mem_ms": [before, after]} */
static void probe_write(pg_json_writer *w, const pg_probe *p)
{
	const double *parts[] = {p->cpu_ms, p->mem_ms};
	const char *names[] = {"cpu_ms", "mem_ms"};
	pg_json_writer_open(w, "probe", '{');
	pg_json_writer_number(w, "version", p->version);
	for (size_t i = 0; i < 2; i++) {
		pg_json_writer_open(w, names[i], '[');
		for (size_t j = 0; j < 2; j++)
			pg_json_writer_number(w, NULL, parts[i][j]);
		pg_json_writer_close(w);
	}
	pg_json_writer_close(w);
}

static int benchmark_write(pg_json_writer *w, const pg_benchmark *b, const json_form *base)
{
	pg_json_writer_open(w, NULL, '{');
	pg_json_writer_string(w, "name", b->name);
	pg_json_writer_string(w, "kind", b->kind);
	pg_json_writer_string(w, "status", pg_status_name(b->status));
	pg_json_writer_string(w, "reason", b->reason);
	pg_json_writer_string(w, "definition_hash", b->definition_hash);
	if (isfinite(b->noise_floor))
		pg_json_writer_number(w, "noise_floor", b->noise_floor);
	if (b->probe && b->probe->version > 0)
		probe_write(w, b->probe);
	json_form form = *base;
	form.own_clock = strcmp(b->kind, "import") != 0;
	pg_json_writer_open(w, "metrics", '[');
	for (size_t i = 0; i < b->n_metrics; i++) {
		int rc = metric_write(w, &b->metrics[i], &form);
		if (rc)
			return rc;
	}
	pg_json_writer_close(w);
	pg_json_writer_close(w);
	return 0;
}

/* The result set's text in form: compact, or laid out as cJSON_Print lays it out. */
static int to_text(char **out, size_t *len, const pg_result_set *rs, const json_form *form, int pretty)
{
	pg_json_writer w;
	pg_json_writer_init(&w, pretty);
	pg_json_writer_open(&w, NULL, '{');
	pg_json_writer_string(&w, "schema", PG_RESULT_SCHEMA);
	pg_json_writer_string(&w, "run_id", rs->run_id);
	pg_json_writer_string(&w, "commit", rs->commit);
	pg_json_writer_bool(&w, "dirty", rs->dirty);
	pg_json_writer_open(&w, "env", '{');
	pg_json_writer_string(&w, "key", rs->env.key);
	pg_json_writer_string(&w, "os", rs->env.os);
	pg_json_writer_string(&w, "arch", rs->env.arch);
	pg_json_writer_string(&w, "cpu", rs->env.cpu);
	pg_json_writer_number(&w, "cores", rs->env.cores);
	pg_json_writer_string(&w, "runner", rs->env.runner);
	pg_json_writer_close(&w);
	pg_json_writer_string(&w, "created", rs->created);
	pg_json_writer_string(&w, "tool", rs->tool);
	if (isfinite(rs->rss_floor))
		pg_json_writer_number(&w, "rss_floor", rs->rss_floor);
	if (rs->probe.version > 0)
		probe_write(&w, &rs->probe);
	pg_json_writer_string(&w, "gates_hash", rs->gates_hash);
	if (rs->shard_count > 0) {
		pg_json_writer_open(&w, "shard", '{');
		pg_json_writer_number(&w, "index", rs->shard_index);
		pg_json_writer_number(&w, "count", rs->shard_count);
		pg_json_writer_close(&w);
	}
	pg_json_writer_open(&w, "benchmarks", '[');
	int rc = 0;
	for (size_t i = 0; i < rs->n_benchmarks && !rc; i++)
		rc = benchmark_write(&w, &rs->benchmarks[i], form);
	if (rc) {
		free(w.text);
		return rc;
	}
	pg_json_writer_close(&w);
	pg_json_writer_close(&w);
	return pg_json_writer_finish(&w, out, len);
}

int pg_result_set_to_note(char **out, const pg_result_set *rs)
{
	json_form form = {.note = 1, .keep = PG_MAX_STORED_SAMPLES};
	*out = NULL;
	size_t most = 0;
	for (size_t i = 0; i < rs->n_benchmarks; i++)
		for (size_t k = 0; k < rs->benchmarks[i].n_metrics; k++)
			if (rs->benchmarks[i].metrics[k].n_samples > most)
				most = rs->benchmarks[i].metrics[k].n_samples;
	/* The most samples per metric that fit the budget: 1,000, then fewer, but never under 100. */
	for (;;) {
		char *text;
		size_t len;
		int rc = to_text(&text, &len, rs, &form, 0);
		if (rc)
			return rc;
		if (len <= PG_NOTE_BUDGET || form.keep <= 100 || most <= 100) {
			*out = text;
			return 0;
		}
		free(text);
		size_t keep = (most < form.keep ? most : form.keep) * 3 / 4;
		form.keep = keep < 100 ? 100 : keep;
	}
}

int pg_result_set_to_string(char **out, const pg_result_set *rs, int pretty)
{
	const json_form form = {.keep = PG_MAX_STORED_SAMPLES};
	return to_text(out, NULL, rs, &form, pretty);
}

int pg_result_set_write_file(const pg_result_set *rs, const char *path)
{
	const json_form form = {.keep = PG_MAX_STORED_SAMPLES};
	char *text;
	size_t len;
	int rc = to_text(&text, &len, rs, &form, 1);
	if (rc)
		return rc;
	/* As a file holds it: ending in a newline (the writer left room for one byte more). */
	char *file = realloc(text, len + 2);
	if (!file) {
		free(text);
		return pg_error_set(PG_ENOMEM, "out of memory printing the result set");
	}
	file[len] = '\n';
	file[len + 1] = '\0';
	rc = pg_file_write_atomic(path, file, len + 1);
	free(file);
	return rc;
}

/* ---- reading ---- */

/* Copy an optional string-or-null key. */
static int dup_optional(char **out, const cJSON *obj, const char *key, const char *where)
{
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);
	if (!item || cJSON_IsNull(item))
		return 0;
	if (!cJSON_IsString(item))
		return pg_error_set(PG_EINPUT, "%s.%s: expected a string or null, found %s", where, key,
				    pg_json_type_name(item));
	*out = strdup(item->valuestring);
	return *out ? 0 : pg_error_set(PG_ENOMEM, "out of memory");
}

static int summary_from_json(pg_summary *s, const cJSON *j, const char *where)
{
	double n = 0;
	int rc = pg_json_object(j, where);
	if (rc)
		return rc;
	rc = pg_json_get_number(&n, j, "n", 1, where);
	if (rc)
		return rc;
	if (n < 0 || n != floor(n) || n > 1e15)
		return pg_error_set(PG_EINPUT, "%s.n: expected a count, found %g", where, n);
	s->n = (size_t)n;
	/* The median is always there; the rest only where the measurement had them. */
	for (size_t i = 0; i < N_SUMMARY_FIELDS; i++) {
		const char *key = summary_fields[i].key;
		int required = strcmp(key, "median") == 0;
		*summary_field(s, i) = NAN;
		rc = pg_json_get_number(summary_field(s, i), j, key, required, where);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int metric_from_json(pg_benchmark *b, const cJSON *j, const char *where)
{
	static const char *const keys[] = {"name", "unit", "better", "samples", "ticks", "per_unit",
					   "value", "summary", "dropped", NULL};
	const char *name, *unit = "count", *better = "lower";
	const cJSON *samples = NULL;
	char at[512];
	int rc = pg_json_object(j, where);
	if (!rc)
		rc = pg_json_check_keys(j, keys, where);
	if (!rc)
		rc = pg_json_get_string(&name, j, "name", 1, where);
	if (!rc && pg_json_get_string(&unit, j, "unit", 0, where) < 0)
		rc = PG_EINPUT;
	if (!rc && pg_json_get_string(&better, j, "better", 0, where) < 0)
		rc = PG_EINPUT;
	if (rc)
		return rc;
	if (strcmp(better, "lower") != 0 && strcmp(better, "higher") != 0)
		return pg_error_set(PG_EINPUT, "%s.better: expected \"lower\" or \"higher\", found \"%s\"",
				    where, better);
	pg_metric *m = pg_benchmark_add_metric(b, name, unit,
					      strcmp(better, "higher") == 0 ? PG_BETTER_HIGHER
									    : PG_BETTER_LOWER);
	if (!m)
		return pg_error_set(PG_ENOMEM, "out of memory");
	if ((rc = pg_json_get_array(&samples, j, "samples", 0, where)) < 0)
		return rc;
	/* A note's form: whole clock ticks, per_unit of them in one of the unit. */
	const cJSON *ticks = NULL;
	double per_unit = 1;
	if ((rc = pg_json_get_array(&ticks, j, "ticks", 0, where)) < 0)
		return rc;
	if (ticks && samples)
		return pg_error_set(PG_EINPUT, "%s: metric '%s' has both \"samples\" and \"ticks\"", where, name);
	if (ticks && ((rc = pg_json_get_number(&per_unit, j, "per_unit", 1, where)) != 0 ||
		      !(per_unit > 0) || !isfinite(per_unit)))
		return rc ? rc : pg_error_set(PG_EINPUT, "%s.per_unit: expected a positive number, found %g",
					      where, per_unit);
	if (ticks)
		samples = ticks;
	if (samples) {
		const cJSON *v;
		size_t i = 0;
		cJSON_ArrayForEach(v, samples)
		{
			if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble))
				return pg_error_set(PG_EINPUT, "%s.%s[%zu]: expected a number, found %s",
						    where, ticks ? "ticks" : "samples", i, pg_json_type_name(v));
			if ((rc = pg_metric_add_sample(m, ticks ? v->valuedouble / per_unit : v->valuedouble)))
				return rc;
			i++;
		}
	}
	double value, dropped = 0;
	if ((rc = pg_json_get_number(&value, j, "value", 0, where)) < 0)
		return rc;
	if (rc == 0)
		pg_metric_set_value(m, value);
	if ((rc = pg_json_get_number(&dropped, j, "dropped", 0, where)) < 0)
		return rc;
	m->dropped = dropped > 0 ? (size_t)dropped : 0;
	const cJSON *summary = cJSON_GetObjectItemCaseSensitive(j, "summary");
	if (summary) {
		snprintf(at, sizeof(at), "%s.summary", where);
		if ((rc = summary_from_json(&m->summary, summary, at)))
			return rc;
		m->has_summary = 1;
	} else if (m->n_samples > 0) {
		if ((rc = pg_stats_summarize(&m->summary, m->samples, m->n_samples)))
			return rc;
		m->has_summary = 1;
	}
	if (m->n_samples == 0 && !m->has_value && !m->has_summary)
		return pg_error_set(PG_EINPUT, "%s: metric '%s' has no samples, value or summary", where,
				    name);
	return 0;
}

static int probe_from_json(pg_probe *p, const cJSON *probe, const char *where);

static int benchmark_from_json(pg_result_set *rs, const cJSON *j, const char *where)
{
	static const char *const keys[] = {"name", "kind", "status", "reason", "definition_hash",
					   "noise_floor", "probe", "metrics", NULL};
	const char *name, *kind = "command", *status = "ok";
	const cJSON *metrics = NULL, *m;
	char at[512];
	int rc = pg_json_object(j, where);
	if (!rc)
		rc = pg_json_check_keys(j, keys, where);
	if (!rc)
		rc = pg_json_get_string(&name, j, "name", 1, where);
	if (!rc && pg_json_get_string(&kind, j, "kind", 0, where) < 0)
		rc = PG_EINPUT;
	if (!rc && pg_json_get_string(&status, j, "status", 0, where) < 0)
		rc = PG_EINPUT;
	if (!rc && pg_json_get_array(&metrics, j, "metrics", 1, where) != 0)
		rc = PG_EINPUT;
	if (rc)
		return rc;
	pg_benchmark *b = pg_result_set_add_benchmark(rs, name, kind);
	if (!b)
		return pg_error_set(PG_ENOMEM, "out of memory");
	size_t s;
	for (s = 0; s < 4; s++)
		if (strcmp(status, status_names[s]) == 0)
			break;
	if (s == 4)
		return pg_error_set(PG_EINPUT,
				    "%s.status: expected ok, failed, timeout or skipped, found \"%s\"",
				    where, status);
	b->status = (pg_status)s;
	if ((rc = dup_optional(&b->reason, j, "reason", where)) ||
	    (rc = dup_optional(&b->definition_hash, j, "definition_hash", where)))
		return rc;
	double floor_value;
	if ((rc = pg_json_get_number(&floor_value, j, "noise_floor", 0, where)) < 0)
		return rc;
	if (rc == 0) {
		if (!(floor_value >= 0))
			return pg_error_set(PG_EINPUT, "%s.noise_floor: expected a relative spread >= 0, found %g",
					    where, floor_value);
		b->noise_floor = floor_value;
	}
	const cJSON *probe = cJSON_GetObjectItemCaseSensitive(j, "probe");
	if (probe) {
		snprintf(at, sizeof(at), "%s.probe", where);
		if (!(b->probe = calloc(1, sizeof(*b->probe))))
			return pg_error_set(PG_ENOMEM, "out of memory");
		if ((rc = probe_from_json(b->probe, probe, at)))
			return rc;
	}
	size_t i = 0;
	cJSON_ArrayForEach(m, metrics)
	{
		snprintf(at, sizeof(at), "%s.metrics[%zu]", where, i++);
		if ((rc = metric_from_json(b, m, at)))
			return rc;
	}
	return 0;
}

/* Two times of one part, before and after: finite, > 0 ms. */
static int probe_pair_from_json(double out[2], const cJSON *probe, const char *key, const char *where)
{
	const cJSON *pair = NULL, *v;
	int rc = pg_json_get_array(&pair, probe, key, 1, where);
	if (rc)
		return rc < 0 ? rc : PG_EINPUT;
	if (cJSON_GetArraySize(pair) != 2)
		return pg_error_set(PG_EINPUT, "%s.%s: expected [before, after] (2 times in ms), found %d items",
				    where, key, cJSON_GetArraySize(pair));
	size_t i = 0;
	cJSON_ArrayForEach(v, pair)
	{
		if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) || !(v->valuedouble > 0))
			return pg_error_set(PG_EINPUT, "%s.%s[%zu]: expected a time in ms > 0, found %s", where,
					    key, i, cJSON_IsNumber(v) ? "a number <= 0" : pg_json_type_name(v));
		out[i++] = v->valuedouble;
	}
	return 0;
}

static int probe_from_json(pg_probe *p, const cJSON *probe, const char *where)
{
	static const char *const keys[] = {"version", "cpu_ms", "mem_ms", NULL};
	double version = 0;
	int rc = pg_json_object(probe, where);
	if (!rc)
		rc = pg_json_check_keys(probe, keys, where);
	if (!rc && (rc = pg_json_get_number(&version, probe, "version", 1, where)) > 0)
		rc = PG_EINPUT;
	if (rc)
		return rc;
	if (version < 1 || version != floor(version) || version > 1e6)
		return pg_error_set(PG_EINPUT, "%s.version: expected an integer >= 1, found %g", where, version);
	p->version = (int)version;
	if ((rc = probe_pair_from_json(p->cpu_ms, probe, "cpu_ms", where)) ||
	    (rc = probe_pair_from_json(p->mem_ms, probe, "mem_ms", where)))
		p->version = 0;
	return rc;
}

/* "shard": {"index": K, "count": N}, 1 <= K <= N: which part of the suite this set ran. */
static int shard_from_json(pg_result_set *rs, const cJSON *json, const char *where)
{
	static const char *const keys[] = {"index", "count", NULL};
	const cJSON *shard = cJSON_GetObjectItemCaseSensitive(json, "shard");
	if (!shard)
		return 0;
	char at[512];
	snprintf(at, sizeof(at), "%s.shard", where);
	double index = 0, count = 0;
	int rc = pg_json_object(shard, at);
	if (!rc)
		rc = pg_json_check_keys(shard, keys, at);
	if (!rc && (rc = pg_json_get_number(&index, shard, "index", 1, at)) > 0)
		rc = PG_EINPUT;
	if (!rc && (rc = pg_json_get_number(&count, shard, "count", 1, at)) > 0)
		rc = PG_EINPUT;
	if (rc)
		return rc;
	if (count != floor(count) || index != floor(index) || count < 1 || count > 1e6 || index < 1 ||
	    index > count)
		return pg_error_set(PG_EINPUT, "%s: expected whole numbers with 1 <= index <= count, found index %g, count %g",
				    at, index, count);
	rs->shard_index = (int)index;
	rs->shard_count = (int)count;
	return 0;
}

int pg_result_set_from_json(pg_result_set **out, const cJSON *json, const char *origin)
{
	static const char *const keys[] = {"schema", "run_id", "commit", "dirty", "env", "created",
					   "tool", "rss_floor", "probe", "gates_hash", "shard",
					   "benchmarks", NULL};
	static const char *const env_keys[] = {"key", "os", "arch", "cpu", "cores", "runner", NULL};
	char where[512], at[512];
	const char *schema;
	const cJSON *benches = NULL, *b, *env;
	snprintf(where, sizeof(where), "%s: $", origin);
	int rc = pg_json_object(json, where);
	if (!rc)
		rc = pg_json_get_string(&schema, json, "schema", 1, where);
	if (rc)
		return rc;
	if (strcmp(schema, PG_RESULT_SCHEMA) != 0)
		return pg_error_set(PG_EINPUT, "%s.schema: expected \"%s\", found \"%s\"", where,
				    PG_RESULT_SCHEMA, schema);
	if ((rc = pg_json_check_keys(json, keys, where)))
		return rc;
	if ((rc = pg_json_get_array(&benches, json, "benchmarks", 1, where)))
		return rc;

	pg_result_set *rs = calloc(1, sizeof(*rs));
	if (!rs)
		return pg_error_set(PG_ENOMEM, "out of memory");
	double cores = 0;
	if ((rc = dup_optional(&rs->run_id, json, "run_id", where)) ||
	    (rc = dup_optional(&rs->commit, json, "commit", where)) ||
	    (rc = dup_optional(&rs->created, json, "created", where)) ||
	    (rc = dup_optional(&rs->tool, json, "tool", where)))
		goto fail;
	if ((rc = pg_json_get_bool(&rs->dirty, json, "dirty", 0, where)) < 0)
		goto fail;
	if ((rc = pg_json_get_number(&rs->rss_floor, json, "rss_floor", 0, where)) < 0)
		goto fail;
	const cJSON *probe = cJSON_GetObjectItemCaseSensitive(json, "probe");
	if (probe) {
		snprintf(at, sizeof(at), "%s.probe", where);
		if ((rc = probe_from_json(&rs->probe, probe, at)))
			goto fail;
	}
	if ((rc = dup_optional(&rs->gates_hash, json, "gates_hash", where)) ||
	    (rc = shard_from_json(rs, json, where)))
		goto fail;
	env = cJSON_GetObjectItemCaseSensitive(json, "env");
	if (env) {
		snprintf(at, sizeof(at), "%s.env", where);
		if ((rc = pg_json_object(env, at)) || (rc = pg_json_check_keys(env, env_keys, at)) ||
		    (rc = dup_optional(&rs->env.key, env, "key", at)) ||
		    (rc = dup_optional(&rs->env.os, env, "os", at)) ||
		    (rc = dup_optional(&rs->env.arch, env, "arch", at)) ||
		    (rc = dup_optional(&rs->env.cpu, env, "cpu", at)) ||
		    (rc = dup_optional(&rs->env.runner, env, "runner", at)))
			goto fail;
		if ((rc = pg_json_get_number(&cores, env, "cores", 0, at)) < 0)
			goto fail;
		rs->env.cores = (int)cores;
	}
	size_t i = 0;
	cJSON_ArrayForEach(b, benches)
	{
		snprintf(at, sizeof(at), "%s.benchmarks[%zu]", where, i++);
		if ((rc = benchmark_from_json(rs, b, at)))
			goto fail;
	}
	*out = rs;
	return 0;
fail:
	pg_result_set_free(rs);
	return rc < 0 ? rc : PG_EINPUT;
}

int pg_result_set_read_file(pg_result_set **out, const char *path)
{
	cJSON *json;
	int rc = pg_json_read_file(&json, path);
	if (rc)
		return rc;
	rc = pg_result_set_from_json(out, json, path);
	cJSON_Delete(json);
	return rc;
}
