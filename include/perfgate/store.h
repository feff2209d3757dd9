/* store.h - result sets kept on the commit they were measured on: git notes, or plain files */
#ifndef PERFGATE_STORE_H
#define PERFGATE_STORE_H

#include "perfgate/result.h"
#include "perfgate/series.h"

#include <git2.h>
#include <stddef.h>

#define PG_NOTES_REF "refs/notes/perfgate"

typedef struct pg_store pg_store;

/*
 * Notes under `ref` (NULL: refs/notes/perfgate) of repo, which the store
 * borrows (the caller keeps it open until pg_store_free).
 */
int pg_store_open_notes(pg_store **out, git_repository *repo, const char *ref);

/*
 * Plain files under dir (created if missing): one JSON Lines file per
 * commit, `<40-hex>.jsonl` (or `unversioned.jsonl` for a result set with
 * no commit). PG_ESYSTEM naming dir when it cannot be created or written.
 * repo may be NULL; with a repo, history walks work as for notes.
 */
int pg_store_open_dir(pg_store **out, const char *dir, git_repository *repo);

void pg_store_free(pg_store *store);

/* The repository the store walks history in (NULL for a dir store without one). */
git_repository *pg_store_repo(const pg_store *store);

/*
 * Read what is stored on commit (40 hex, or "unversioned" for a dir store).
 * A commit without a note gives an empty list and 0. Free with
 * pg_commit_records_release.
 * Reads of a notes store see the notes ref as it was at the first read
 * (one consistent view for a walk over history) until this store writes.
 */
int pg_store_read(pg_commit_records *out, pg_store *store, const char *commit);

/*
 * pg_store_read (each latest set of a key also holds the benchmarks only
 * older sets of that key hold, pg_records_fold) is what readers of a
 * commit's results want. pg_store_read_sets leaves the sets as stored, for
 * readers that count every set as one run (`show --all-runs`, the
 * run-to-run history): summaries_only as pg_store_read_summaries.
 */
int pg_store_read_sets(pg_commit_records *out, pg_store *store, const char *commit, int summaries_only);

/*
 * pg_store_read for walks that show summaries only (log, changes, publish,
 * the run-to-run history): every metric with samples has its summary
 * (stored, or computed where the note left it to the reader) and no
 * samples (n_samples 0). Same warnings, same records otherwise. From a
 * notes store these reads go through the summary index in .git/perfgate/
 * (store_private.h), which decodes a note read before without parsing it.
 */
int pg_store_read_summaries(pg_commit_records *out, pg_store *store, const char *commit);

/*
 * The text stored on commit as it is (JSON Lines), *out NULL when there is
 * none; *len its size. For `show --size`. Caller frees *out.
 */
int pg_store_read_text(char **out, size_t *len, pg_store *store, const char *commit);

/*
 * Add one record line (compact JSON, no newline) with the given run_id to
 * commit's note: read, merge (union of lines, deduplicated by run_id), write
 * a new notes commit, and move the ref with a compare-and-swap, retried
 * with backoff on a race (GIT_EMODIFIED, GIT_ELOCKED, GIT_EEXISTS) for up
 * to ~30 s. Never loses a record written concurrently by another process.
 * Returns 0, PG_ESYSTEM (retries exhausted: says so), or PG_EINPUT when
 * commit does not exist.
 */
int pg_store_append(pg_store *store, const char *commit, const char *line, const char *run_id);

/*
 * Rewrite commit's note as text (JSON Lines) by the loop pg_store_append
 * uses: read, merge, compare-and-swap, retried on a race for up to ~30 s.
 * The merge is pg_store_merge_text(text, note as read), so a line another
 * writer added meanwhile is kept and a summary-only line of text replaces
 * its sampled copy (what `prune` needs). Nothing is written when the note
 * already reads so. Returns 0, PG_EINPUT (not a commit, or text empty),
 * PG_ESYSTEM (retries exhausted).
 */
int pg_store_replace(pg_store *store, const char *commit, const char *text);

/*
 * Rewrite the notes of n commits at once, texts[i] for commits[i] (40 hex),
 * each merged as pg_store_replace merges. On the notes store the new notes
 * tree is committed as ONE PARENTLESS notes commit, moved into place by
 * compare-and-swap (retried on a race): the notes it replaced, samples and
 * all, are then reachable from no ref, `git gc` reclaims them, and `perfgate
 * sync` pushes the new root with a lease. On a dir store each file is
 * replaced by compare-and-swap. message: the notes commit's message.
 * Returns 0, PG_EINPUT (not a commit), PG_ESYSTEM, PG_ENOMEM.
 * Implemented in src/store/prune.c.
 */
int pg_store_rewrite(pg_store *store, char *const *commits, char *const *texts, size_t n, const char *message);

/*
 * The note text with raw samples dropped where a summary is stored
 * ("samples" removed, "summary" kept) in every perfgate/1 line; other lines
 * as they are. *out NULL when nothing would change. Caller frees.
 * Implemented in src/store/prune.c.
 */
int pg_store_strip_samples(char **out, const char *text);

/* What `prune` rewrites: per commit, its note without the samples a summary stands for. */
typedef struct pg_prune_plan {
	char **commits, **texts, **subjects;
	size_t *before; /* the note's size as stored */
	size_t n;
} pg_prune_plan;

/*
 * Along first parents from HEAD, the notes to strip of their samples
 * (pg_store_strip_samples): those of every commit with results past the
 * `keep` newest, and with older_days > 0 those whose newest result is
 * older than that. Nothing is written. PG_EINPUT when HEAD cannot be read
 * or history ends early (a shallow clone). Release with
 * pg_prune_plan_release. Implemented in src/store/prune.c.
 */
int pg_store_prune_plan(pg_prune_plan *out, pg_store *store, int keep, int older_days);
void pg_prune_plan_release(pg_prune_plan *plan);

/* Save a result set on rs->commit (or "unversioned" in a dir store when rs->commit is NULL). */
int pg_store_save(pg_store *store, const pg_result_set *rs);

/*
 * Merge two notes' texts: the union of their lines, deduplicated by
 * run_id; of two copies of a run, the one keeping fewer samples wins
 * (what prune wrote: a summary-only line, or one that kept only samples
 * smaller than their summary), else the first in byte order. Lines
 * without a run_id are kept once each (exact duplicates dropped). Order:
 * lines of `ours` first, then new lines of `theirs`. Caller frees *out.
 */
int pg_store_merge_text(char **out, const char *ours, const char *theirs);

/* What a sync did. */
typedef struct pg_sync_outcome {
	int remote_had; /* the remote has the notes ref */
	int local_had;  /* after the merge, there is a local notes ref */
	int merged;     /* the local ref moved: the remote's notes were merged in */
	int pushed;     /* the remote lacked something and got it */
} pg_sync_outcome;

/*
 * `perfgate sync`: fetch REMOTE's notes ref into a side ref with the git
 * command (so credentials work as for git), union-merge it with the local
 * ref note by note through libgit2, and push with --force-with-lease;
 * retried on a race. remote NULL: "origin". *out says what happened.
 */
int pg_store_sync(pg_sync_outcome *out, git_repository *repo, const char *remote, const char *ref);

/* ---- the history reader (src/store/history.c): how every other stage reads past results ---- */

/* How far back along first parents a baseline (and its run-to-run history) is looked for. */
#define PG_DEFAULT_MAX_DEPTH 50

/* One commit of a walk and its records; the visitor may take result sets out (setting them NULL). */
typedef int (*pg_history_visit_fn)(void *arg, const git_commit *commit, pg_commit_records *records);

/*
 * The first-parent chase every reader of history shares: n commits from
 * start (40 hex), newest first, each commit's records read (summaries only
 * unless with_samples) and handed to visit. A plain parent chase rather
 * than a revwalk, which would read far more history than n commits and
 * stop a commit early at the edge of a shallow clone. Where history ends
 * at that edge, *shallow_end says so (caller frees; NULL otherwise).
 * Returns 0, PG_EINPUT (start is not a commit), PG_ESYSTEM (no repository,
 * the store cannot be read), or what visit returns.
 */
int pg_history_walk(pg_store *store, const char *start, int n, int with_samples, pg_history_visit_fn visit,
		    void *arg, char **shallow_end);

/*
 * Walk n commits along first parents from start (40 hex), reading each
 * commit's records from store (whose repository must be set). env_key
 * NULL: the key of the newest result set found. with_samples 0 reads
 * summaries only (pg_store_read_summaries: faster; plots then draw bands
 * from min-p90). A shallow clone ends the walk with a warning. Free with
 * pg_history_free.
 */
int pg_history_load(pg_history **out, pg_store *store, const char *start, int n,
		    const char *env_key, int with_samples);

/*
 * The run-to-run history of the benchmarks `names` (n of them): walking
 * first parents from `start` (40 hex: the commit the baseline walk started
 * at, so the baseline's own run is the newest), at most max_depth commits
 * (0: PG_DEFAULT_MAX_DEPTH), every stored result set of env key `env_key`
 * counts as one run (several on one commit count separately, newest
 * first). Per benchmark and metric, the centres (median, else value) of up
 * to k runs (0: PG_DEFAULT_HISTORY), newest first. Data only: the model
 * lives in compare. Free with pg_run_history_free. Returns 0, PG_ESYSTEM
 * when the store cannot be read.
 */
int pg_run_history_read(pg_run_history **out, pg_store *store, git_repository *repo,
			const char *start, const char *env_key, char *const *names, size_t n,
			int k, int max_depth);

#endif
