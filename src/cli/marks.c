/* marks.c - the CLI's wiring for marks: each commit of a walk decided against the results before it, acceptances read from the store */
#include "cli.h"

#include "perfgate/accept.h"
#include "perfgate/error.h"
#include "perfgate/marks.h"

#include <stdlib.h>

/* As the baseline walk: at most this many commits back for a benchmark's base. */
#define MAX_DEPTH 50

int pg_cli_decide_marks(pg_verdict **verdicts, const pg_result_set *const *results, const char *const *commits,
			size_t n, const unsigned char *need, git_repository *repo, pg_store *store,
			const pg_compare_options *opts)
{
	int rc = 0;
	for (size_t i = 0; i < n && !rc; i++) {
		pg_result_set *base = NULL;
		pg_base_origin *origins = NULL;
		size_t oldest = 0, depth = n - i - 1 < MAX_DEPTH ? n - i - 1 : MAX_DEPTH;
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

void pg_cli_marks_free(pg_verdict **verdicts, size_t n)
{
	for (size_t i = 0; verdicts && i < n; i++)
		pg_verdict_free(verdicts[i]);
	free(verdicts);
}
