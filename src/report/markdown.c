/* markdown.c - the verdict as a GitHub PR comment: what matters in one table, the rest folded away */
#include "perfgate/error.h"
#include "perfgate/quantity.h"
#include "perfgate/report.h"
#include "report/escape.h"
#include "report/figures.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * GitHub refuses a comment over 65,536 characters; a character is at least
 * one byte, so a byte budget with room to spare keeps us under it.
 */
#define COMMENT_BUDGET 60000
#define MORE_LINE_RESERVE 100 /* "… N more … not shown (see the JSON report)" */
#define NAME_MAX_BYTES 200    /* of a name from data, before escaping */
#define TEXT_MAX_BYTES 500    /* of a reason, note or warning */

#define TABLE_HEADER                                                  \
	"| benchmark | metric | base | head | change | 95 % CI | p | verdict |\n" \
	"|:--|:--|--:|--:|--:|--:|--:|:--|\n"

/*
 * One part of the comment: rows rendered up front, so that when the whole
 * would be too long the parts that matter least give up rows first.
 */
typedef struct md_part {
	char intro[192];    /* written when the part has rows (never data) */
	const char *header; /* written before the rows when any is shown */
	const char *outro;  /* written after, when the part has rows */
	const char *noun;   /* "… N more NOUN not shown" */
	int priority;       /* 0: always whole; else lower numbers keep their rows first */
	FILE *f;
	char *text;
	size_t len;
	size_t *ends; /* row i is text[ends[i-1] .. ends[i]) */
	size_t n_rows, cap, shown;
	int failed;
} md_part;

enum { PART_TOP, PART_CHANGES, PART_DETAILS, PART_GATES, PART_ACCEPTED, PART_SHIFTS, PART_SKIPPED,
       PART_WARNINGS, PART_BASELINE, N_PARTS };

static void end_row(md_part *p)
{
	if (fflush(p->f) != 0) {
		p->failed = 1;
		return;
	}
	if (p->n_rows == p->cap) {
		size_t cap = p->cap ? 2 * p->cap : 16;
		size_t *grown = realloc(p->ends, cap * sizeof(*grown));
		if (!grown) {
			p->failed = 1;
			return;
		}
		p->ends = grown;
		p->cap = cap;
	}
	p->ends[p->n_rows++] = p->len;
}

static size_t row_length(const md_part *p, size_t i)
{
	return p->ends[i] - (i ? p->ends[i - 1] : 0);
}

static void write_name(FILE *out, const char *s)
{
	pg_escape_markdown(out, s, NAME_MAX_BYTES, 0);
}

static void write_metric_label(FILE *out, const pg_metric_change *c)
{
	write_name(out, c->metric);
	if (c->stat) {
		fputc('.', out);
		write_name(out, c->stat);
	}
}

/* A URL given on the command line, made safe inside a markdown link and a table. */
static void write_url(FILE *out, const char *url)
{
	size_t len = strlen(url);
	while (len > 0 && url[len - 1] == '/')
		len--;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)url[i];
		if (c <= 0x20 || c == 0x7f || strchr("()<>\"'\\`|[]*_", c))
			fprintf(out, "%%%02X", c);
		else
			fputc(c, out);
	}
}

static void write_metric_cell(FILE *out, const pg_metric_change *c, const pg_report_options *o)
{
	if (!o || !o->plot_url) {
		write_metric_label(out, c);
		return;
	}
	char name[512];
	fputc('[', out);
	write_metric_label(out, c);
	fputs("](", out);
	write_url(out, o->plot_url);
	fprintf(out, "/%s.png)", pg_report_plot_name(name, sizeof(name), c->bench, c->metric));
}

static void write_verdict_cell(FILE *out, const pg_verdict *v, const pg_metric_change *c)
{
	if (!c->gated)
		fputs(pg_figures_gating(v, c), out);
	else if (c->verdict == PG_CHANGE_REGRESSION)
		fputs("**regression**", out);
	else
		fputs(pg_change_verdict_name(c->verdict), out);
	if (c->gated && c->verdict == PG_CHANGE_INCONCLUSIVE && c->more_runs > 0)
		fprintf(out, " (about %d more runs per side would decide)", c->more_runs);
	if (c->note) {
		fputs(" — ", out);
		pg_escape_markdown(out, c->note, TEXT_MAX_BYTES, 0);
	}
	char model[96];
	if (pg_figures_model(model, sizeof(model), c)[0]) {
		fputs(" · ", out);
		pg_escape_markdown(out, model, TEXT_MAX_BYTES, 0);
	}
}

static void write_metric_row(FILE *out, const pg_verdict *v, const pg_metric_change *c,
			     const pg_report_options *o)
{
	pg_figures f;
	pg_figures_fill(&f, c);
	fputs("| ", out);
	write_name(out, c->bench);
	fputs(" | ", out);
	write_metric_cell(out, c, o);
	const char *cells[] = {f.base, f.head, f.change, f.ci, f.p};
	for (size_t i = 0; i < sizeof(cells) / sizeof(cells[0]); i++) {
		fputs(" | ", out);
		pg_escape_markdown(out, cells[i], 0, 0);
	}
	fputs(" | ", out);
	write_verdict_cell(out, v, c);
	fputs(" |\n", out);
}

static void write_gate_row(FILE *out, const pg_verdict *v, const pg_gate_result *g)
{
	pg_gate_figures f;
	pg_gate_figures_fill(&f, g);
	size_t bl = pg_gate_bench_length(v, g);
	char bench[NAME_MAX_BYTES + 1];
	snprintf(bench, sizeof(bench), "%.*s", (int)(bl < NAME_MAX_BYTES ? bl : NAME_MAX_BYTES),
		 g->metric);
	fputs("| ", out);
	write_name(out, bench);
	fputs(" | ", out);
	write_name(out, g->metric + (bl ? bl + 1 : 0));
	fputs(" |  | ", out);
	pg_escape_markdown(out, f.value, 0, 0);
	fprintf(out, " |  |  |  | **gate failed**: %s ", f.op_sym);
	pg_escape_markdown(out, f.bound, 0, 0);
	if (g->reason) {
		fputs(" — ", out);
		pg_escape_markdown(out, g->reason, TEXT_MAX_BYTES, 0);
	}
	fputs(" |\n", out);
}

static void write_failure_row(FILE *out, const pg_bench_failure *b)
{
	fputs("| ", out);
	write_name(out, b->bench);
	fputs(" |  |  |  |  |  |  | **", out);
	write_name(out, b->status);
	fputs("**", out);
	if (b->reason) {
		fputs(": ", out);
		pg_escape_markdown(out, b->reason, TEXT_MAX_BYTES, 0);
	}
	fputs(" |\n", out);
}

static int matters(const pg_metric_change *c, pg_change_verdict verdict)
{
	return c->gated && c->verdict == verdict;
}

static void plural(FILE *out, int n, const char *one, const char *many, const char *sep)
{
	fprintf(out, "%s%d %s", sep, n, n == 1 ? one : many);
}

static void write_top(md_part *p, const pg_verdict *v, size_t n_changes)
{
	char key[NAME_MAX_BYTES + 1];
	/* Inside an HTML comment nothing but a plain name may go: "-->" would end it. */
	fprintf(p->f, "<!-- perfgate:%s -->\n",
		v->env_key ? pg_report_safe_name(key, sizeof(key), v->env_key) : "unknown");
	const char *icon = v->overall == PG_OVERALL_PASS ? "✅" : v->overall == PG_OVERALL_FAIL ? "❌" : "⚠️";
	fprintf(p->f, "%s **perfgate: %s** — ", icon, pg_overall_name(v->overall));
	plural(p->f, v->counts.regressions, "regression", "regressions", "");
	plural(p->f, v->counts.improvements, "improvement", "improvements", ", ");
	plural(p->f, v->counts.inconclusive, "inconclusive", "inconclusive", ", ");
	plural(p->f, v->counts.accepted, "accepted", "accepted", ", ");
	plural(p->f, v->counts.failed_benchmarks, "failed benchmark", "failed benchmarks", ", ");
	plural(p->f, v->counts.gates_failed, "gate failed", "gates failed", ", ");
	fputs(v->no_baseline ? " (no baseline)\n\n" : "\n\n", p->f);
	if (n_changes == 0)
		fprintf(p->f, "%s%s.\n\n",
			v->no_baseline ? "Nothing to compare with" : "No gated metric moved beyond its threshold",
			v->n_gates ? "; every gate passed" : "");
	end_row(p);
}

static void fill_changes(md_part *p, const pg_verdict *v, const pg_report_options *o)
{
	for (size_t i = 0; i < v->n_failures; i++)
		if (pg_failure_counts(&v->failures[i])) {
			write_failure_row(p->f, &v->failures[i]);
			end_row(p);
		}
	static const pg_change_verdict order[] = {PG_CHANGE_REGRESSION, PG_CHANGE_INCONCLUSIVE,
						  PG_CHANGE_ACCEPTED, PG_CHANGE_IMPROVEMENT};
	for (size_t k = 0; k < sizeof(order) / sizeof(order[0]); k++) {
		for (size_t i = 0; i < v->n_metrics; i++)
			if (matters(&v->metrics[i], order[k])) {
				write_metric_row(p->f, v, &v->metrics[i], o);
				end_row(p);
			}
		/* Failed gates right after the regressions: both fail the check. */
		for (size_t i = 0; k == 0 && i < v->n_gates; i++)
			if (!v->gates[i].pass) {
				write_gate_row(p->f, v, &v->gates[i]);
				end_row(p);
			}
	}
}

static void fill_gates(md_part *p, const pg_verdict *v)
{
	for (size_t i = 0; i < v->n_gates; i++) {
		const pg_gate_result *g = &v->gates[i];
		pg_gate_figures f;
		pg_gate_figures_fill(&f, g);
		fprintf(p->f, "- %s ", g->pass ? "✅" : "❌");
		write_name(p->f, g->metric);
		fprintf(p->f, " %s ", f.op_sym);
		pg_escape_markdown(p->f, f.bound, 0, 0);
		fputs(": ", p->f);
		pg_escape_markdown(p->f, f.value, 0, 0);
		if (g->reason) {
			fputs(" (", p->f);
			pg_escape_markdown(p->f, g->reason, TEXT_MAX_BYTES, 0);
			fputc(')', p->f);
		}
		fputc('\n', p->f);
		end_row(p);
	}
}

static void fill_accepted(md_part *p, const pg_verdict *v)
{
	for (size_t i = 0; i < v->n_metrics; i++) {
		const pg_metric_change *c = &v->metrics[i];
		if (c->verdict != PG_CHANGE_ACCEPTED)
			continue;
		pg_figures f;
		pg_figures_fill(&f, c);
		fputs("- ", p->f);
		pg_escape_markdown(p->f, c->bench, NAME_MAX_BYTES, PG_MD_BLOCK_START);
		fputc(' ', p->f);
		write_metric_label(p->f, c);
		fputs(": ", p->f);
		pg_escape_markdown(p->f, f.change[0] ? f.change : f.head, 0, 0);
		fputs(" — accepted by ", p->f);
		pg_escape_markdown(p->f, c->accepted_by ? c->accepted_by : "an acceptance", TEXT_MAX_BYTES, 0);
		fputc('\n', p->f);
		end_row(p);
	}
}

static void write_short_commit(FILE *out, const char *commit);

/* "- bench.metric: +12.0 % (4.90 ms → 5.49 ms) at abc1234 subject, p 0.001" */
static void fill_shifts(md_part *p, const pg_verdict *v)
{
	for (size_t i = 0; i < v->n_shifts; i++) {
		const pg_level_shift *s = &v->shifts[i];
		char change[32], before[64], after[64], line[256];
		pg_format_change(change, sizeof(change), s->change);
		pg_format_value(before, sizeof(before), s->before, s->unit);
		pg_format_value(after, sizeof(after), s->after, s->unit);
		fputs("- ", p->f);
		pg_escape_markdown(p->f, s->metric, NAME_MAX_BYTES, PG_MD_BLOCK_START);
		snprintf(line, sizeof(line), ": %s (%s → %s) at ", change, before, after);
		pg_escape_markdown(p->f, line, 0, 0);
		write_short_commit(p->f, s->commit);
		fputc(' ', p->f);
		pg_escape_markdown(p->f, s->subject, TEXT_MAX_BYTES, 0);
		fprintf(p->f, ", p %.2g\n", s->p);
		end_row(p);
	}
}

static void fill_skipped(md_part *p, const pg_verdict *v)
{
	for (size_t i = 0; i < v->n_failures; i++) {
		const pg_bench_failure *b = &v->failures[i];
		if (pg_failure_counts(b))
			continue;
		fputs("- ", p->f);
		pg_escape_markdown(p->f, b->bench, NAME_MAX_BYTES, PG_MD_BLOCK_START);
		if (b->reason) {
			fputs(": ", p->f);
			pg_escape_markdown(p->f, b->reason, TEXT_MAX_BYTES, 0);
		}
		fputc('\n', p->f);
		end_row(p);
	}
}

static void fill_warnings(md_part *p, const pg_verdict *v)
{
	for (size_t i = 0; i < v->n_warnings; i++) {
		fputs("- ", p->f);
		pg_escape_markdown(p->f, v->warnings[i], TEXT_MAX_BYTES, PG_MD_BLOCK_START);
		fputc('\n', p->f);
		end_row(p);
	}
}

static void write_short_commit(FILE *out, const char *commit)
{
	char id[8];
	snprintf(id, sizeof(id), "%s", commit);
	write_name(out, id);
}

static void write_baseline(md_part *p, const pg_verdict *v)
{
	FILE *out = p->f;
	if (v->no_baseline) {
		fputs("No baseline", out);
		if (v->base_how) {
			fputs(" (", out);
			pg_escape_markdown(out, v->base_how, TEXT_MAX_BYTES, 0);
			fputc(')', out);
		}
		fputs(": only the absolute gates decided", out);
	} else if (v->base_commit) {
		fputs("Baseline: ", out);
		write_short_commit(out, v->base_commit);
		if (v->base_depth > 0)
			fprintf(out, ", %d first-parent commit%s before the ", v->base_depth,
				v->base_depth == 1 ? "" : "s");
		else if (v->base_how)
			fputs(" (", out);
		pg_escape_markdown(out, v->base_how ? v->base_how : v->base_depth > 0 ? "start" : NULL,
				   TEXT_MAX_BYTES, 0);
		if (v->base_depth > 0)
			fputs(" (nearer ones had no results)", out);
		else if (v->base_how)
			fputc(')', out);
	} else {
		fputs("Baseline: ", out);
		pg_escape_markdown(out, v->base_how ? v->base_how : "given", TEXT_MAX_BYTES, 0);
	}
	if (v->head_commit) {
		fputs(" · head ", out);
		write_short_commit(out, v->head_commit);
	}
	fputc('\n', out);
	end_row(p);
}

/* What the environment probes say about the runners, right under the baseline. */
static void write_probe(md_part *p, const pg_verdict *v)
{
	char text[512];
	if (v->probe.state == PG_PROBE_UNUSED)
		return;
	pg_verdict_probe_text(text, sizeof(text), &v->probe);
	fputs(v->probe.state == PG_PROBE_COMPARED && v->probe.moved ? "\n**Probe:** " : "\nProbe: ", p->f);
	pg_escape_markdown(p->f, text, TEXT_MAX_BYTES, 0);
	fputc('\n', p->f);
	end_row(p);
}

/* Rows each part keeps: priority 0 whole, then the rest in priority order while the budget lasts. */
static void allot(md_part *parts)
{
	size_t used = 0;
	for (int i = 0; i < N_PARTS; i++) {
		md_part *p = &parts[i];
		if (!p->n_rows)
			continue;
		used += strlen(p->intro) + (p->header ? strlen(p->header) : 0) +
			(p->outro ? strlen(p->outro) : 0) + MORE_LINE_RESERVE;
		if (p->priority == 0) {
			p->shown = p->n_rows;
			used += p->len;
		}
	}
	for (int prio = 1; prio <= 4; prio++)
		for (int i = 0; i < N_PARTS; i++) {
			md_part *p = &parts[i];
			if (p->priority != prio)
				continue;
			while (p->shown < p->n_rows && used + row_length(p, p->shown) <= COMMENT_BUDGET)
				used += row_length(p, p->shown++);
		}
}

static void write_part(FILE *out, const md_part *p)
{
	if (!p->n_rows)
		return;
	fputs(p->intro, out);
	if (p->shown && p->header)
		fputs(p->header, out);
	fwrite(p->text, 1, p->shown ? p->ends[p->shown - 1] : 0, out);
	if (p->shown < p->n_rows)
		fprintf(out, "%s… %zu more %s not shown (see the JSON report)\n", p->shown ? "\n" : "",
			p->n_rows - p->shown, p->noun);
	if (p->outro)
		fputs(p->outro, out);
}

int pg_report_markdown(FILE *out, const pg_verdict *v, const pg_report_options *o)
{
	md_part parts[N_PARTS];
	memset(parts, 0, sizeof(parts));
	static const struct {
		const char *intro, *header, *outro, *noun;
		int priority;
	} layout[N_PARTS] = {
		[PART_TOP] = {"", NULL, NULL, "", 0},
		[PART_CHANGES] = {"", TABLE_HEADER, "\n", "changes", 1},
		[PART_DETAILS] = {NULL, TABLE_HEADER, "\n</details>\n\n", "metrics", 4},
		[PART_GATES] = {"### Gates\n\n", NULL, "\n", "gates", 2},
		[PART_ACCEPTED] = {"### Accepted changes\n\n", NULL, "\n", "accepted changes", 2},
		[PART_SHIFTS] = {NULL, NULL, "\n", "level shifts", 3},
		[PART_SKIPPED] = {"### Skipped benchmarks\n\n", NULL, "\n", "skipped benchmarks", 3},
		[PART_WARNINGS] = {"### Warnings\n\n", NULL, "\n", "warnings", 3},
		[PART_BASELINE] = {"", NULL, NULL, "", 0},
	};
	int rc = 0;
	for (int i = 0; i < N_PARTS; i++) {
		md_part *p = &parts[i];
		if (layout[i].intro)
			snprintf(p->intro, sizeof(p->intro), "%s", layout[i].intro);
		p->header = layout[i].header;
		p->outro = layout[i].outro;
		p->noun = layout[i].noun;
		p->priority = layout[i].priority;
		if (!(p->f = open_memstream(&p->text, &p->len)))
			rc = PG_ENOMEM;
	}
	size_t folded = 0;
	for (size_t i = 0; i < v->n_metrics; i++)
		folded += pg_figures_folded(v, &v->metrics[i]) != 0;
	if (folded)
		snprintf(parts[PART_DETAILS].intro, sizeof(parts[PART_DETAILS].intro),
			 "<details><summary>All %zu metrics (%zu section size%s unchanged and not gated: in the JSON report)</summary>\n\n",
			 v->n_metrics - folded, folded, folded == 1 ? "" : "s");
	else
		snprintf(parts[PART_DETAILS].intro, sizeof(parts[PART_DETAILS].intro),
			 "<details><summary>All %zu metrics</summary>\n\n", v->n_metrics);
	snprintf(parts[PART_SHIFTS].intro, sizeof(parts[PART_SHIFTS].intro),
		 "### Level shifts not accepted (last %d commits)\n\n", v->shifts_window);
	if (!rc) {
		fill_changes(&parts[PART_CHANGES], v, o);
		write_top(&parts[PART_TOP], v, parts[PART_CHANGES].n_rows);
		for (size_t i = 0; i < v->n_metrics; i++) {
			if (pg_figures_folded(v, &v->metrics[i]))
				continue;
			write_metric_row(parts[PART_DETAILS].f, v, &v->metrics[i], o);
			end_row(&parts[PART_DETAILS]);
		}
		fill_gates(&parts[PART_GATES], v);
		fill_accepted(&parts[PART_ACCEPTED], v);
		fill_shifts(&parts[PART_SHIFTS], v);
		fill_skipped(&parts[PART_SKIPPED], v);
		fill_warnings(&parts[PART_WARNINGS], v);
		write_baseline(&parts[PART_BASELINE], v);
		write_probe(&parts[PART_BASELINE], v);
	}
	for (int i = 0; i < N_PARTS; i++)
		if ((parts[i].f && fclose(parts[i].f) != 0) || parts[i].failed)
			rc = PG_ENOMEM;
	if (!rc) {
		allot(parts);
		for (int i = 0; i < N_PARTS; i++)
			write_part(out, &parts[i]);
		if (ferror(out))
			rc = pg_error_set(PG_ESYSTEM, "could not write the markdown report");
	} else {
		rc = pg_error_set(PG_ENOMEM, "out of memory rendering the markdown report");
	}
	for (int i = 0; i < N_PARTS; i++) {
		free(parts[i].text);
		free(parts[i].ends);
	}
	return rc;
}
