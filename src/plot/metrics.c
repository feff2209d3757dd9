/* metrics.c - the metrics `perfgate plot` draws along one history: chosen by path or as primaries, drawn with one gnuplot */
#include "perfgate/plot.h"

#include "perfgate/error.h"

#include <stdlib.h>
#include <string.h>

/* Add bench.metric[.stat] unless it is there; numbered (NAME-2.EXT) when another metric makes its file name. */
static int add_item(pg_plot_list *l, const char *bench, const char *metric, const char *stat,
		    pg_plot_format format)
{
	pg_plot_item item = {bench, metric, stat, ""};
	char plain[600];
	pg_plot_history_file(plain, sizeof(plain), bench, metric, stat, format);
	snprintf(item.file, sizeof(item.file), "%s", plain);
	/* The same metric and statistic (the median asked for by name, too) is drawn once. */
	for (size_t i = 0; i < l->n; i++) {
		char theirs[600];
		pg_plot_history_file(theirs, sizeof(theirs), l->items[i].bench, l->items[i].metric, l->items[i].stat,
				     format);
		if (strcmp(l->items[i].bench, bench) == 0 && strcmp(l->items[i].metric, metric) == 0 &&
		    strcmp(theirs, plain) == 0)
			return 0;
	}
	size_t ext = strlen(plain) - strlen(pg_plot_extension(format)) - 1;
	for (int n = 2;; n++) {
		int clash = 0;
		for (size_t i = 0; i < l->n && !clash; i++)
			clash = strcmp(l->items[i].file, item.file) == 0;
		if (!clash)
			break;
		snprintf(item.file, sizeof(item.file), "%.*s-%d%s", (int)ext, plain, n, plain + ext);
	}
	pg_plot_item *grown = realloc(l->items, (l->n + 1) * sizeof(*grown));
	if (!grown)
		return pg_error_set(PG_ENOMEM, "out of memory");
	l->items = grown;
	grown[l->n++] = item;
	return 0;
}

/* --metric PATH: resolved against the newest result set that has it. */
static int add_path(pg_plot_list *l, const pg_history *h, const char *path, pg_plot_format format)
{
	for (size_t i = h->n_commits; i-- > 0;) {
		const pg_benchmark *b;
		const pg_metric *m;
		const char *stat;
		if (h->commits[i].rs && pg_metric_path_resolve(&b, &m, &stat, h->commits[i].rs, path) == 0)
			return add_item(l, b->name, m->name, stat, format);
	}
	return pg_error_set(PG_EINPUT, "--metric %s: no result stored along the last %zu commits has this metric%s%s%s",
			    path, h->n_commits, h->env_key ? " (env " : "", h->env_key ? h->env_key : "",
			    h->env_key ? ")" : "");
}

/* Without --metric: each benchmark's primary metric, newest benchmarks first. */
static int add_primaries(pg_plot_list *l, const pg_history *h, pg_plot_format format)
{
	int rc = 0;
	for (size_t i = h->n_commits; i-- > 0 && !rc;) {
		const pg_result_set *rs = h->commits[i].rs;
		for (size_t j = 0; rs && j < rs->n_benchmarks && !rc; j++)
			if (rs->benchmarks[j].n_metrics > 0)
				rc = add_item(l, rs->benchmarks[j].name, rs->benchmarks[j].metrics[0].name,
					      NULL, format);
	}
	return rc;
}

int pg_plot_select(pg_plot_list *l, const pg_history *h, const char *const *paths, size_t n_paths,
		   pg_plot_format format)
{
	int rc = 0;
	for (size_t i = 0; i < n_paths && !rc; i++)
		rc = add_path(l, h, paths[i], format);
	if (!rc && n_paths == 0)
		rc = add_primaries(l, h, format);
	return rc;
}

void pg_plot_list_release(pg_plot_list *l)
{
	free(l->items);
	memset(l, 0, sizeof(*l));
}

int pg_plot_draw(const pg_plot_list *l, const pg_history *h, const char *dir, const pg_plot_options *o,
		 pg_verdict *const *verdicts, FILE *listing)
{
	pg_gnuplot *gp = NULL;
	char *gnuplot = NULL;
	int rc = pg_gnuplot_find(&gnuplot);
	free(gnuplot);
	/* The one line there is to say; exit 3, since plotting is all this verb does. */
	if (rc == PG_ESYSTEM) {
		char why[256];
		snprintf(why, sizeof(why), "%s", pg_error_message());
		return pg_error_set(PG_ESYSTEM, "warning: %s", why);
	}
	if (rc || (rc = pg_gnuplot_open(&gp, dir, o->format)))
		return rc;
	pg_mark *marks = calloc(h->n_commits + 1, sizeof(*marks));
	int *drawn = calloc(l->n ? l->n : 1, sizeof(int));
	if (!drawn)
		rc = pg_error_set(PG_ENOMEM, "out of memory");
	for (size_t i = 0; i < l->n && !rc; i++) {
		/* Red and grey points are check's verdicts on the median; a statistic's plot has none. */
		const char *stat = l->items[i].stat;
		int centre = !stat || strcmp(stat, "median") == 0 || strcmp(stat, "p50") == 0;
		pg_plot_options with = *o;
		for (size_t c = 0; centre && marks && c < h->n_commits; c++)
			marks[c] = pg_marks_of(verdicts[h->n_commits - 1 - c], l->items[i].bench, l->items[i].metric,
					       NULL);
		with.marks = centre ? marks : NULL;
		with.file = l->items[i].file;
		rc = pg_plot_history(gp, h, l->items[i].bench, l->items[i].metric, stat, &with, &drawn[i]);
	}
	int closed = pg_gnuplot_close(gp);
	rc = rc ? rc : closed;
	for (size_t i = 0; i < l->n && !rc; i++) {
		if (drawn[i])
			fprintf(listing, "%s%s%s\n", strcmp(dir, ".") == 0 ? "" : dir,
			       strcmp(dir, ".") == 0 || dir[strlen(dir) - 1] == '/' ? "" : "/",
			       l->items[i].file);
	}
	free(drawn);
	free(marks);
	return rc;
}
