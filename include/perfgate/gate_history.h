/* gate_history.h - the flows that read history back: drift and shifts for check, marks, change points, log, publish */
#ifndef PERFGATE_GATE_HISTORY_H
#define PERFGATE_GATE_HISTORY_H

#include "perfgate/changes.h"
#include "perfgate/compare.h"
#include "perfgate/gates.h"
#include "perfgate/publish.h"
#include "perfgate/report.h"
#include "perfgate/result.h"
#include "perfgate/store.h"

#include <git2.h>
#include <stddef.h>

/* ---- check (src/gate/drift.c) ---- */

/*
 * `check --drift N`: compare head with the stored results of the target
 * branch N first-parent commits back (from the merge-base with target, or
 * from HEAD on the target itself; the first commit at or beyond that with
 * results of head's env key), with the acceptances in between, as
 * pg_verdict_apply_drift decides: on the target branch (GITHUB_REF is
 * refs/heads/<target>, or HEAD is the target's tip) a regression row, in
 * a PR a warning. target NULL: $GITHUB_BASE_REF, else origin's default
 * branch. When there is nothing to compare with, a warning says so.
 * Returns 0, PG_EINPUT (a gate names a metric head lacks), PG_ENOMEM,
 * PG_ESYSTEM (the store cannot be read).
 */
int pg_gate_drift(pg_verdict *v, git_repository *repo, pg_store *store, const pg_result_set *head,
		  const pg_gates *gates, int n, const char *target, const pg_compare_options *co);

/*
 * The change points (as `perfgate changes` finds them) of each benchmark's
 * primary metric over the n first-parent commits from commit, in env_key,
 * found ahead of the verdict they go into (check looks before it measures).
 * Nothing stored, no repository, n 0: none. History that cannot be read is
 * not an error: s->unread says why, for the verdict's warning. Release with
 * pg_gate_level_shifts_release. Returns 0, PG_ENOMEM, or what reading the
 * acceptances fails with.
 */
typedef struct pg_level_shifts {
	pg_changes found; /* set when looked */
	size_t window;    /* commits looked at */
	int looked;
	char *unread;
} pg_level_shifts;
int pg_gate_level_shifts_find(pg_level_shifts *s, git_repository *repo, pg_store *store, const char *commit,
			      const char *env_key, int n);

/* Those that go the bad way and that no acceptance covers, as v->shifts (pg_verdict_set_shifts). */
int pg_gate_level_shifts_apply(pg_verdict *v, const pg_level_shifts *s);
void pg_gate_level_shifts_release(pg_level_shifts *s);

/* ---- marks (src/gate/marks.c) ---- */

/*
 * results[i] (newest first, commits[i] its commit, NULL where a commit has
 * none) decided against results[i+1..n) by pg_marks_decide without gates
 * at opts, with the acceptances on the commits after its oldest base up to
 * commits[i]. need (NULL: all) says which to decide. verdicts has n slots,
 * NULL where nothing was decided; free with pg_gate_marks_free (which
 * frees the array too).
 */
int pg_gate_decide_marks(pg_verdict **verdicts, const pg_result_set *const *results, const char *const *commits,
			 size_t n, const unsigned char *need, git_repository *repo, pg_store *store,
			 const pg_compare_options *opts);
void pg_gate_marks_free(pg_verdict **verdicts, size_t n);

/*
 * The marks of every commit of h: *out gets h->n_commits verdicts, newest
 * commit first, as pg_gate_decide_marks decides them. Free with
 * pg_gate_marks_free(*out, h->n_commits).
 */
int pg_gate_history_marks(pg_verdict ***out, const pg_history *h, git_repository *repo, pg_store *store,
			  const pg_compare_options *opts);

/* ---- change points (src/gate/changes.c) ---- */

/*
 * `perfgate changes`: the history of n commits from HEAD (*history, env
 * key env_key, NULL: the newest; summaries only), its change points
 * (pg_changes_find over metrics, none: each benchmark's primary metric)
 * with their subjects and acceptances. Free with pg_changes_release and
 * pg_history_free (*history is set even on some errors).
 */
int pg_gate_changes(pg_changes *out, pg_history **history, git_repository *repo, pg_store *store, int n,
		    const char *env_key, char *const *metrics, size_t n_metrics, const pg_changes_options *o);

/*
 * Fill in what the repository knows of each change point of c: the
 * commit's subject, and the acceptance (trailer, accept record) in
 * (prev, commit] that covers the change. Returns 0 or what reading fails
 * with.
 */
int pg_gate_changes_annotate(pg_changes *c, git_repository *repo, pg_store *store);

/* ---- log (src/gate/log.c) ---- */

/*
 * `perfgate log`: n commits along first parents from HEAD into t (whose
 * --metric columns are already set): a row per env key shown on each
 * commit (the latest set of each, or of env_key only), a row of dots for
 * a commit without results, a column per benchmark's primary metric
 * unless t->fixed_columns; then each row that moved past the lowest
 * threshold decided against the rows before it (its marks). Unreadable
 * note lines and the end of a shallow clone are warnings in t. Returns 0,
 * PG_EINPUT (HEAD unborn), PG_ESYSTEM.
 */
int pg_gate_log(pg_log_table *t, git_repository *repo, pg_store *store, int n, const char *env_key);

/* ---- publish (src/gate/publish.c) ---- */

/*
 * `perfgate publish`: read the history from head (40 hex) of store (which
 * must have a repository) for every env key of the site, decide each
 * commit's marks, the cards' status and the release tags' sign-offs, and
 * hand the model to pg_publish_plots and pg_publish_write. Returns 0, PG_ESYSTEM
 * (nothing stored, a file could not be written) or PG_ENOMEM. Release
 * counts with pg_publish_counts_release.
 */
int pg_gate_publish(pg_publish_counts *counts, pg_store *store, const char *head, const pg_publish_options *o);

#endif
