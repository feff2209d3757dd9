/* marks.c - each commit of a walk decided against the results before it, the acceptances read from the store */
#include "perfgate/gate_history.h"

#include "perfgate/accept.h"
#include "perfgate/error.h"
#include "perfgate/marks.h"

#include <stdlib.h>

int pg_gate_decide_marks(pg_verdict **verdicts, const pg_result_set *const *results, const char *const *commits,
			 size_t n, const unsigned char *need, git_repository *repo, pg_store *store,
			 const pg_compare_options *opts)
{
	int rc = 0;
	for (size_t i = 0; i < n && !rc; i++) {
		pg_result_set *base = NULL;
		pg_base_origin *origins = NULL;
		/* As the baseline walk: at most this many commits back for a benchmark's base. */
		size_t oldest = 0, depth = n - i - 1 < PG_DEFAULT_MAX_DEPTH ? n - i - 1 : PG_DEFAULT_MAX_DEPTH;
		verdicts[i] = NULL;
		if (!results[i] || (need && !need[i]))
			continue;
		rc = pg_marks_base(&base, &origins, &oldest, results[i], results + i + 1, commits + i + 1, depth);
		if (rc || !base)
			continue;
		pg_acceptances accepts = {0};
		int have = 0;
		if (repo && commits[i]) {
			rc = pg_acceptances_collect(&accepts, repo, store, commits[i + 1 + oldest], commits[i], NULL);
			have = rc == 0;
		}
		/* The run-to-run model, on the runs before this commit, as check has it from the store. */
		pg_run_history *history = NULL;
		pg_compare_options with = *opts;
		int k = opts->history_runs > 0 ? opts->history_runs : PG_DEFAULT_HISTORY;
		if (!rc && !(rc = pg_marks_history(&history, results[i], results + i + 1, depth, k))) {
			with.history = history;
			rc = pg_marks_decide(&verdicts[i], results[i], base, origins, NULL, &with,
					     have ? &accepts : NULL);
		}
		pg_run_history_free(history);
		if (have)
			pg_acceptances_release(&accepts);
		pg_result_set_free(base);
		free(origins);
	}
	return rc;
}

void pg_gate_marks_free(pg_verdict **verdicts, size_t n)
{
	for (size_t i = 0; verdicts && i < n; i++)
		pg_verdict_free(verdicts[i]);
	free(verdicts);
}

int pg_gate_history_marks(pg_verdict ***out, const pg_history *h, git_repository *repo, pg_store *store,
			  const pg_compare_options *opts)
{
	size_t nc = h->n_commits;
	const pg_result_set **results = calloc(nc + 1, sizeof(*results));
	const char **commits = calloc(nc + 1, sizeof(*commits));
	pg_verdict **verdicts = calloc(nc + 1, sizeof(*verdicts));
	int rc = 0;
	*out = NULL;
	if (!results || !commits || !verdicts)
		rc = pg_error_set(PG_ENOMEM, "out of memory");
	/* Newest first, as the walk went. */
	for (size_t c = 0; c < nc && !rc; c++) {
		results[c] = h->commits[nc - 1 - c].rs;
		commits[c] = h->commits[nc - 1 - c].commit;
	}
	if (!rc)
		rc = pg_gate_decide_marks(verdicts, results, commits, nc, NULL, repo, store, opts);
	free(results);
	free(commits);
	if (rc) {
		pg_gate_marks_free(verdicts, nc);
		return rc;
	}
	*out = verdicts;
	return 0;
}
