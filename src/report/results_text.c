/* results_text.c - the measurement table `perfgate run` prints */
#include "perfgate/log.h"
#include "perfgate/quantity.h"
#include "perfgate/report.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int pg_report_want_color(FILE *stream)
{
	const char *no = getenv("NO_COLOR");
	if (no && *no)
		return 0;
	return isatty(fileno(stream));
}

static const char *status_color(pg_status s)
{
	return s == PG_STATUS_OK ? "\033[32m" : s == PG_STATUS_SKIPPED ? "\033[33m" : "\033[31m";
}

static void print_metric(FILE *out, const pg_metric *m, size_t name_width)
{
	char a[32], b[32], c[32], d[32], e[32], f[32], g[32];
	const char *u = m->unit;
	char name[160];
	pg_text_inert_buf(name, sizeof(name), m->name);
	if (m->has_summary) {
		const pg_summary *s = &m->summary;
		fprintf(out, "  %-*s %10s %10s %10s %10s ± %-10s %10s … %s\n", (int)name_width, name,
			pg_format_value(a, sizeof(a), s->median, u),
			pg_format_value(b, sizeof(b), s->p90, u),
			pg_format_value(c, sizeof(c), s->p99, u),
			pg_format_value(d, sizeof(d), s->mean, u),
			pg_format_value(e, sizeof(e), s->stddev, u),
			pg_format_value(f, sizeof(f), s->min, u),
			pg_format_value(g, sizeof(g), s->max, u));
	} else if (m->has_value) {
		fprintf(out, "  %-*s %10s\n", (int)name_width, name,
			pg_format_value(a, sizeof(a), m->value, u));
	}
}

void pg_report_results_text(FILE *out, const pg_result_set *rs, int color)
{
	for (size_t i = 0; i < rs->n_benchmarks; i++) {
		const pg_benchmark *b = &rs->benchmarks[i];
		size_t width = 6, runs = 0;
		for (size_t j = 0; j < b->n_metrics; j++) {
			char name[160];
			size_t n = strlen(pg_text_inert_buf(name, sizeof(name), b->metrics[j].name));
			width = n > width ? n : width;
		}
		/* Samples kept, a summary of n runs without them (an import, a pruned note), or one value. */
		const char *what = "samples";
		if (b->n_metrics > 0) {
			const pg_metric *m = &b->metrics[0];
			runs = m->has_summary ? m->summary.n : m->n_samples;
			if (m->n_samples == 0 && m->has_summary)
				what = "runs summarised";
			else if (m->n_samples == 0 && m->has_value)
				what = "value", runs = 1;
			else if (runs == 1)
				what = "sample";
		}
		fputs(color ? "\033[1m" : "", out);
		pg_text_inert(out, b->name);
		fprintf(out, "%s  %s · %zu %s · %s%s%s\n", color ? "\033[0m" : "", b->kind, runs, what,
			color ? status_color(b->status) : "", pg_status_name(b->status),
			color ? "\033[0m" : "");
		if (b->reason) {
			fputs("  ", out);
			pg_text_inert(out, b->reason);
			fputc('\n', out);
		}
		if (b->n_metrics > 0 && (b->metrics[0].has_summary || b->metrics[0].has_value))
			fprintf(out, "  %-*s %10s %10s %10s %10s   %-10s %10s   %s\n", (int)width, "metric",
				"median", "p90", "p99", "mean", "± σ", "min", "max");
		for (size_t j = 0; j < b->n_metrics; j++)
			print_metric(out, &b->metrics[j], width);
		if (i + 1 < rs->n_benchmarks)
			fputc('\n', out);
	}
}
