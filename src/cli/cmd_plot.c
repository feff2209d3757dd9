/* cmd_plot.c - `perfgate plot`: gnuplot history plots of metrics along first-parent history */
#include "cli.h"

#include "perfgate/compare.h"
#include "perfgate/error.h"
#include "perfgate/gate_history.h"
#include "perfgate/plot.h"
#include "perfgate/quantity.h"
#include "perfgate/repo.h"
#include "perfgate/store.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
	"perfgate plot [--metric M]... [-n N] [-o DIR] [--format png|svg] [--env KEY]\n"
	"                     [--threshold PCT] [--store DIR]";

static const char help[] =
	"Draw with gnuplot, for each metric, its history along the first-parent line\n"
	"from HEAD (oldest left): the median per commit (or the stat named), the spread\n"
	"of the runs as a band (p10-p90 from the samples; min-p90 where a commit keeps\n"
	"only summaries), the threshold as a dashed line over the newest point's\n"
	"predecessor (what the newest commit is held to), and in red every commit that\n"
	"`perfgate check` against the results before it would fail (over the threshold\n"
	"and significant on the runs, not accepted), in grey the inconclusive ones\n"
	"(over the threshold, not significant or too few runs). Commits without results\n"
	"are gaps. One file per metric: DIR/BENCH.METRIC.png (names made safe for file\n"
	"systems; .STAT added for a stat other than the median).\n"
	"\n"
	"  --metric M        bench.metric[.stat] (repeatable; default: each benchmark's\n"
	"                    primary metric)\n"
	"  -n N              this many commits (default 50)\n"
	"  -o DIR            where the plots go (default: the current directory)\n"
	"  --format F        png (default) or svg\n"
	"  --env KEY         results of this environment key (default: the key of the\n"
	"                    newest result)\n"
	"  --threshold PCT   the relative threshold drawn (default 10%)\n"
	"  --store DIR       read the plain-file store DIR instead of refs/notes/perfgate\n"
	"\n"
	"Needs gnuplot on PATH. Exit status: 0 plots written, 2 bad command line or\n"
	"a metric no stored result has, 3 not in a repository, nothing stored, gnuplot\n"
	"missing or failing.\n";

enum { OPT_METRIC = OPT_CLI_LAST, OPT_STORE };


typedef struct plot_item {
	const char *bench, *metric, *stat; /* borrowed from the history's result sets */
	char file[600];
} plot_item;

typedef struct plot_list {
	plot_item *items;
	size_t n;
} plot_list;

/* Add bench.metric[.stat] unless it is there; warn when another metric maps to its file. */
static int add_item(plot_list *l, const char *bench, const char *metric, const char *stat,
		    pg_plot_format format)
{
	plot_item item = {bench, metric, stat, ""};
	pg_plot_history_file(item.file, sizeof(item.file), bench, metric, stat, format);
	for (size_t i = 0; i < l->n; i++) {
		if (strcmp(l->items[i].file, item.file) != 0)
			continue;
		if (strcmp(l->items[i].bench, bench) != 0 || strcmp(l->items[i].metric, metric) != 0)
			fprintf(stderr, "perfgate: warning: %s.%s and %s.%s share the plot file %s: only the first is drawn\n",
				l->items[i].bench, l->items[i].metric, bench, metric, item.file);
		return 0;
	}
	plot_item *grown = realloc(l->items, (l->n + 1) * sizeof(*grown));
	if (!grown)
		return pg_error_set(PG_ENOMEM, "out of memory");
	l->items = grown;
	grown[l->n++] = item;
	return 0;
}

/* --metric PATH: resolved against the newest result set that has it. */
static int add_path(plot_list *l, const pg_history *h, const char *path, pg_plot_format format)
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
static int add_primaries(plot_list *l, const pg_history *h, pg_plot_format format)
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

static int head_commit(char *hex, git_repository *repo)
{
	git_oid head;
	if (git_reference_name_to_id(&head, repo, "HEAD") < 0) {
		if (git_repository_head_unborn(repo) == 1)
			return pg_error_set(PG_EINPUT, "HEAD is unborn (no commit yet): nothing to plot");
		return pg_error_set(PG_ESYSTEM, "cannot resolve HEAD: %s", pg_git_error());
	}
	git_oid_tostr(hex, GIT_OID_HEXSZ + 1, &head);
	return 0;
}

static int any_result(const pg_history *h)
{
	for (size_t i = 0; i < h->n_commits; i++)
		if (h->commits[i].rs)
			return 1;
	return 0;
}

/* Draw every item with one gnuplot; print what was written. */
static int draw_all(const plot_list *l, const pg_history *h, const char *dir,
		    const pg_plot_options *o, pg_verdict *const *verdicts)
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
		rc = pg_plot_history(gp, h, l->items[i].bench, l->items[i].metric, stat, &with, &drawn[i]);
	}
	int closed = pg_gnuplot_close(gp);
	rc = rc ? rc : closed;
	for (size_t i = 0; i < l->n && !rc; i++) {
		if (drawn[i])
			printf("%s%s%s\n", strcmp(dir, ".") == 0 ? "" : dir,
			       strcmp(dir, ".") == 0 || dir[strlen(dir) - 1] == '/' ? "" : "/",
			       l->items[i].file);
	}
	free(drawn);
	free(marks);
	return rc;
}

int cmd_plot(int argc, char *argv[])
{
	static const struct option longopts[] = {{"env", required_argument, NULL, OPT_ENV},
						  {"format", required_argument, NULL, OPT_FORMAT},
						  {"metric", required_argument, NULL, OPT_METRIC},
						  {"store", required_argument, NULL, OPT_STORE},
						  {"threshold", required_argument, NULL, OPT_THRESHOLD},
						  {"output", required_argument, NULL, 'o'},
						  {"help", no_argument, NULL, OPT_HELP},
						  {NULL, 0, NULL, 0}};
	const char *env_key = NULL, *store_dir = NULL, *dir = ".";
	const char **paths = NULL;
	size_t n_paths = 0;
	pg_plot_options o = {.format = PG_PLOT_PNG, .threshold = 0.10};
	pg_cli_context ctx = {0};
	pg_store *store = NULL;
	pg_history *h = NULL;
	plot_list l = {0};
	char head[GIT_OID_HEXSZ + 1];
	int n = 50, opt, rc = 0;

	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "n:o:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'h':
		case OPT_HELP:
			printf("usage: %s\n\n%s", usage, help);
			goto out;
		case 'n':
			if ((rc = pg_cli_int(&n, optarg, "-n", 1)))
				goto out;
			break;
		case 'o':
			dir = optarg;
			break;
		case OPT_FORMAT:
			if (strcmp(optarg, "png") == 0 || strcmp(optarg, "svg") == 0) {
				o.format = optarg[0] == 's' ? PG_PLOT_SVG : PG_PLOT_PNG;
				break;
			}
			rc = pg_error_set(PG_EINPUT, "plot: --format %s: expected png or svg", optarg);
			goto out;
		case OPT_METRIC: {
			const char **grown = realloc(paths, (n_paths + 1) * sizeof(*grown));
			if (!grown) {
				rc = pg_error_set(PG_ENOMEM, "out of memory");
				goto out;
			}
			paths = grown;
			paths[n_paths++] = optarg;
			break;
		}
		case OPT_ENV:
			env_key = optarg;
			break;
		case OPT_STORE:
			store_dir = optarg;
			break;
		case OPT_THRESHOLD:
			if ((rc = pg_cli_threshold(&o.threshold, optarg)))
				goto out;
			break;
		default:
			rc = pg_cli_bad_option("plot", usage, argv);
			goto out;
		}
	}
	if (optind < argc) {
		rc = pg_error_set(PG_EINPUT, "plot: unexpected argument '%s'\nusage: %s", argv[optind], usage);
		goto out;
	}
	rc = pg_cli_open_history(&ctx, &store, store_dir, "plot");
	if (rc || (rc = head_commit(head, ctx.repo)) ||
	    (rc = pg_history_load(&h, store, head, n, env_key, 1)))
		goto out;
	for (size_t i = 0; i < h->n_warnings; i++)
		fprintf(stderr, "perfgate: warning: %s\n", h->warnings[i]);
	if (!any_result(h)) {
		rc = pg_error_set(PG_ESYSTEM, "no results stored on the last %zu commits from HEAD%s%s "
					      "(save some with `perfgate run --save`)",
				  h->n_commits, env_key ? " for env " : "", env_key ? env_key : "");
		goto out;
	}
	if (!env_key && h->n_other_keys > 0) {
		fprintf(stderr, "perfgate: plotting env %s; also stored:", h->env_key);
		for (size_t i = 0; i < h->n_other_keys; i++)
			fprintf(stderr, " %s", h->other_keys[i]);
		fputs(" (choose with --env)\n", stderr);
	}
	for (size_t i = 0; i < n_paths && !rc; i++)
		rc = add_path(&l, h, paths[i], o.format);
	if (!rc && n_paths == 0)
		rc = add_primaries(&l, h, o.format);
	if (!rc) {
		/* Each commit against the results before it, newest first, as check would decide it. */
		size_t nc = h->n_commits;
		const pg_result_set **results = calloc(nc + 1, sizeof(*results));
		const char **commits = calloc(nc + 1, sizeof(*commits));
		pg_verdict **verdicts = calloc(nc + 1, sizeof(*verdicts));
		pg_compare_options co = {.regression = o.threshold};
		if (!results || !commits || !verdicts)
			rc = pg_error_set(PG_ENOMEM, "out of memory");
		for (size_t c = 0; c < nc && !rc; c++) {
			results[c] = h->commits[nc - 1 - c].rs;
			commits[c] = h->commits[nc - 1 - c].commit;
		}
		if (!rc)
			rc = pg_gate_decide_marks(verdicts, results, commits, nc, NULL, ctx.repo, store, &co);
		if (!rc)
			rc = draw_all(&l, h, dir, &o, verdicts);
		pg_gate_marks_free(verdicts, nc);
		free(results);
		free(commits);
	}
out:
	free(l.items);
	free(paths);
	pg_history_free(h);
	pg_store_free(store);
	pg_cli_context_close(&ctx);
	return rc;
}
