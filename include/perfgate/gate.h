/* gate.h - the flows as library functions: each verb's work, wiring bench, store, compare and report */
#ifndef PERFGATE_GATE_H
#define PERFGATE_GATE_H

#include "perfgate/baseline.h"
#include "perfgate/bench.h"
#include "perfgate/compare.h"
#include "perfgate/gates.h"
#include "perfgate/result.h"
#include "perfgate/store.h"

#include <git2.h>

/* Where perfgate runs: the repository (or none), {root} and {bindir}. */
typedef struct pg_gate_context {
	git_repository *repo; /* NULL outside a repository, and while suspended */
	char *root;
	char *bindir;
	int suspended;        /* pg_gate_context_suspend let go of repo */
	char *git_dir;        /* while suspended: repo's git directory, and its common directory */
	char *common_dir;
} pg_gate_context;

/* Find the repository from the current directory and fill root and bindir. Close even on error. */
int pg_gate_context_open(pg_gate_context *ctx);
void pg_gate_context_close(pg_gate_context *ctx);

/* Where results are kept: store_dir, else the repository's notes (*store NULL outside one). */
int pg_gate_open_store(pg_store **store, const pg_gate_context *ctx, const char *store_dir);

/*
 * While the benchmarks run, check and run hold no repository:
 * pg_gate_context_suspend frees the store (when store is not NULL) and the
 * repository (libgit2's index, config, caches and pack mappings go with it),
 * unloads libgit2 (pg_gitlib_close) and gives freed heap back;
 * pg_gate_context_resume loads libgit2 again, opens the same git directory (no
 * search) and, when store is not NULL, the store (store_dir as
 * pg_gate_open_store takes it). Outside a repository both do nothing.
 */
int pg_gate_context_suspend(pg_gate_context *ctx, pg_store **store);
int pg_gate_context_resume(pg_gate_context *ctx, pg_store **store, const char *store_dir);

/* For flows that walk history: the context, a repository (PG_ESYSTEM naming verb without one), the store. */
int pg_gate_open_history(pg_gate_context *ctx, pg_store **store, const char *store_dir, const char *verb);

/* What every measuring flow (run, check, ab, bisect) is given. */
typedef struct pg_gate_options {
	const char *gates_path; /* NULL: gates/default.json under the root */
	const char *env_key;    /* NULL: PERFGATE_ENV, else this host's */
	int runs, warmup;       /* -1: the gates file's */
	char **only;            /* the benchmarks to measure, NULL-terminated; NULL: all */
	size_t n_only;
	double threshold;       /* the default relative threshold over the gates file's; 0: the file's */
	int no_probe;           /* take (or compare) no environment probe */
	int quiet;              /* no report on stdout unless asked, no notes on stderr */
	char **formats;         /* report formats F[=FILE], NULL-terminated */
	size_t n_formats;
	const char *output;     /* the first format (or text) to this file, or NULL */
	pg_progress_fn progress; /* called as runs finish, or NULL */
	int shard_index, shard_count; /* --shard K/N (1-based); 0/0: the whole suite */
} pg_gate_options;

#define PG_GATE_OPTIONS_INIT {.runs = -1, .warmup = -1}

/* Where the costs of the last stored runs are read for --shard: the baseline the check would use. */
typedef struct pg_shard_where {
	const char *head_commit; /* 40 hex, or NULL outside a repository */
	const char *env_key;
	const char *store_dir;   /* --store, or NULL: the notes */
	const char *base, *target; /* --base REV, --target BRANCH, or NULL */
} pg_shard_where;

/*
 * With o->shard_count > 0: *names = the benchmarks of shard o->shard_index
 * (of the gates file's, or of -b's), NULL-terminated, pointing into g,
 * caller frees the array; the whole assignment is printed on stderr unless
 * quiet. Shards are balanced by the time of each benchmark's last stored run
 * (along the baseline's history), else dealt in declaration order. *names
 * NULL when not sharding.
 */
int pg_gate_shard_select(char ***names, const pg_gates *g, const pg_gate_context *ctx, const pg_gate_options *o,
			 const pg_shard_where *w);

/* Load the gates file: o->gates_path, else gates/default.json under the root; --threshold applied. */
int pg_gate_load_gates(pg_gates **out, const pg_gate_context *ctx, const pg_gate_options *o);

/*
 * Fill rs->commit and rs->dirty from the repository (HEAD, or commit_rev
 * when given). PG_EINPUT for an unborn HEAD or a revision that is not a
 * commit. Outside a repository nothing is filled.
 */
int pg_gate_head(pg_result_set *rs, const pg_gate_context *ctx, const char *commit_rev);

/* PG_EINPUT naming the work tree when rs was measured on modified files and allow_dirty is not set. */
int pg_gate_refuse_dirty(const pg_result_set *rs, const pg_gate_context *ctx, int allow_dirty);

/*
 * A new result set (*out, freed by the caller even on failure) for what is
 * measured here: its environment (env_key, else detected), and its commit
 * and dirty state from pg_gate_head when asked for (commit_rev, save) or
 * when HEAD is born. With save, a modified tree is refused before anything
 * is measured unless allow_dirty.
 */
int pg_gate_new_result_set(pg_result_set **out, const pg_gate_context *ctx, const char *env_key,
			   const char *commit_rev, int save, int allow_dirty);

/*
 * Save rs where results are kept: the notes of the repository, or
 * store_dir. Refuses a dirty tree unless allow_dirty (PG_EINPUT), and
 * outside a repository without store_dir (PG_ESYSTEM).
 */
int pg_gate_save(const pg_result_set *rs, const pg_gate_context *ctx, const char *store_dir, int allow_dirty);

/*
 * Saving rs failed with rc (its message set): keep rs where pg_gate_save
 * keeps what it cannot save (below; a suspended context's repository by its
 * common directory) and return rc, its message saying where and how to save it.
 */
int pg_gate_keep_unsaved(int rc, const pg_result_set *rs, const pg_gate_context *ctx, const char *store_dir);

/*
 * When pg_gate_save cannot write to the store (a stale lock, a full disk, a
 * store that refuses), the result set is kept as
 * .git/perfgate/unsaved/RUN_ID.json (STORE/unsaved/ for a directory store
 * outside a repository) and the error says so; `perfgate save` puts it back.
 */
typedef struct pg_gate_save_options {
	char *const *files;    /* result files (perfgate/1), NULL-terminated */
	const char *commit;    /* the commit they belong to, over the files' own; NULL: theirs */
	const char *store_dir; /* a directory store instead of the notes */
} pg_gate_save_options;

/*
 * `perfgate save`: append each file's result set to the store on its commit.
 * Every file is read and its commit checked before any is saved. A file
 * kept in the unsaved directory is removed once it is saved.
 */
int pg_gate_save_files(const pg_gate_save_options *o);

/*
 * The environment probe around a measurement: after = 0 before the
 * benchmarks, 1 after them. Does nothing with o->no_probe or when nothing
 * timed is selected; a probe that cannot run is a warning on stderr and
 * the result set keeps no probe (the verdict then says so).
 */
void pg_gate_probe(pg_probe *probe, int after, const pg_gate_options *o, const pg_gates *gates);

/*
 * Perfgate-Accept trailers, accept records and the PR label (when
 * PERFGATE_ACCEPT_LABELED says so) between base_commit and head_commit
 * (pg_acceptances_collect), into a; release it with pg_acceptances_release.
 */
int pg_gate_read_acceptances(pg_acceptances *a, const pg_gate_context *ctx, pg_store *store,
			     const char *base_commit, const char *head_commit);

/* The same between v's base and head commits, applied to v. */
int pg_gate_apply_acceptances(pg_verdict *v, const pg_gate_context *ctx, pg_store *store,
			      const pg_compare_options *opts);

/*
 * Which report -o FILE writes: the index of the first --format without its
 * own =FILE, or o->n_formats for text when every --format names a file (or
 * there is none).
 */
size_t pg_gate_output_format(const pg_gate_options *o);

/* Render v in every format (and -o) of o; text to stdout by default, github inside GitHub Actions. */
int pg_gate_render(const pg_gate_options *o, const pg_verdict *v);

/* PG_EFAIL with "VERB failed: N regressions, ..." when v failed, else 0. */
int pg_gate_verdict_status(const pg_verdict *v, const char *verb);

/*
 * Write rs as perfgate/1 JSON to output (when not NULL) and in each of the
 * formats text|json[=FILE] (to stdout without =FILE); with none and not
 * quiet, as the text table on stdout. Another format is PG_EINPUT naming
 * verb.
 */
int pg_gate_write_results(const pg_result_set *rs, const char *output, char *const *formats, size_t n_formats,
			  int quiet, const char *verb);

/* run: measure the benchmarks of a gates file (or one command), write the result set, save it. */
typedef struct pg_gate_run_options {
	pg_gate_options gate;
	char *const *command;  /* measure this command (argv, NULL-terminated) alone instead, or NULL */
	const char *commit;    /* the commit the results belong to; NULL: HEAD */
	const char *store_dir;
	int list;              /* only list the benchmarks */
	int save, allow_dirty;
} pg_gate_run_options;

/*
 * The run flow. The result set is written (and saved) whatever the
 * benchmarks did. Returns 0, PG_EFAIL when a benchmark failed or timed
 * out, PG_EINPUT, PG_ESYSTEM (a command could not start, a file not be
 * written).
 */
int pg_gate_run(const pg_gate_run_options *o);

/* compare: two stored or file result sets, compared and reported, nothing measured. */
typedef struct pg_gate_compare_options {
	pg_gate_options gate;     /* gates_path: its gates and thresholds, else none */
	pg_baseline_options base; /* base.base: REV|FILE; NULL: as check finds it */
	const char *head;         /* REV|FILE */
	const char *store_dir;
	int strict;
	int history;              /* runs of run-to-run history; 0: the gates file's */
} pg_gate_compare_options;

/* The compare flow, reported in o's formats. Returns as pg_gate_check. */
int pg_gate_compare(const pg_gate_compare_options *o);

/* import: another harness's results as a result set, written or saved. */
typedef struct pg_gate_import_options {
	const char *from;        /* the format, pg_import_format_known */
	char *const *files;      /* NULL-terminated */
	const char *env_key;
	const char *output;      /* perfgate/1 JSON here, or NULL */
	char **formats;          /* text|json[=FILE], NULL-terminated */
	size_t n_formats;
	int quiet;
	const char *commit, *store_dir;
	int save, allow_dirty;
} pg_gate_import_options;

/*
 * The import flow: every file read and checked before anything is
 * written or saved. Returns 0, PG_EFAIL when a benchmark the files record
 * failed (it is still written and saved), PG_EINPUT, PG_ESYSTEM.
 */
int pg_gate_import(const pg_gate_import_options *o);

/* merge: the result files of a sharded run made one set, written and their records saved. */
typedef struct pg_gate_merge_options {
	char *const *files;     /* result files (perfgate/1), NULL-terminated */
	const char *gates_path; /* the gates the files ran; NULL: gates/default.json under the root, if any */
	const char *output;     /* the merged set as perfgate/1 JSON here, or NULL */
	char **formats;         /* text|json[=FILE], NULL-terminated */
	size_t n_formats;
	int quiet;
	int save;               /* each file's set saved as its own record on its commit */
	const char *store_dir;
} pg_gate_merge_options;

/*
 * The merge flow: every file read and checked against the others (and the
 * gates file) before anything is written or saved. A missing shard is a
 * warning on stderr; with the gates file known, each of its benchmarks
 * that no file holds is in the merged set as failed ("not measured"),
 * so that a compare of the merged set fails naming it. Returns 0,
 * PG_EINPUT (files that disagree, a benchmark in two, a set without a
 * commit to save), PG_ESYSTEM (a file unreadable, the store).
 */
int pg_gate_merge(const pg_gate_merge_options *o);

/* check: measure, find the baseline, compare, confirm, gate, report. */
typedef enum pg_gate_check_mode {
	PG_CHECK_AUTO, /* A/B when the gates file builds, the base is known and nothing is saved */
	PG_CHECK_AB,
	PG_CHECK_STORED,
} pg_gate_check_mode;

typedef struct pg_gate_check_options {
	pg_gate_options gate;
	pg_baseline_options base;
	const char *store_dir;  /* plain files instead of git notes, or NULL */
	const char *commit;     /* the commit the results belong to; NULL: HEAD */
	const char *plot_dir;   /* base-vs-head plots here, or NULL */
	int save, allow_dirty;
	int confirm;            /* rounds of re-measuring what looks regressed */
	int strict, require_baseline;
	int drift;              /* > 0: also against the target branch this many commits back */
	int shifts;             /* the unaccepted level shifts of this many commits; 0: none */
	int history;            /* runs of run-to-run history; 0: the gates file's */
	pg_gate_check_mode mode;
} pg_gate_check_options;

/*
 * The check flow, reported in o's formats. *use_ab is set to 1 (and
 * nothing else done) when mode auto picks same-runner A/B: then run
 * pg_gate_ab instead. Returns 0 pass, PG_EFAIL a regression, failed gate
 * or failed benchmark (the message says how many), PG_EINPUT, PG_ESYSTEM.
 */
int pg_gate_check(int *use_ab, const pg_gate_check_options *o);

/* ab: base and head built side by side, measured interleaved, decided paired. */
typedef struct pg_gate_ab_options {
	pg_gate_options gate;
	pg_baseline_options base;
	int max_runs;           /* most runs per side and benchmark */
	int aa_runs;            /* runs per side of the A/A noise block; 0: none */
	int no_build, save, strict;
} pg_gate_ab_options;

/* The A/B flow, reported in o's formats. Returns as pg_gate_check; PG_ESYSTEM when the base does not build. */
int pg_gate_ab(const pg_gate_ab_options *o);

/* bisect: the first first-parent commit of good..bad whose benchmark regressed against good. */
typedef struct pg_gate_bisect_options {
	pg_gate_options gate;   /* gate.only: the one benchmark to follow, or none */
	const char *good, *bad; /* revisions */
	const char *metric;     /* BENCH.METRIC to follow in stored results, or NULL */
	const char *store_dir;
	int max_runs, aa_runs, no_build;
} pg_gate_bisect_options;

/*
 * The bisect flow, its steps printed as they are made (text to stdout) and
 * its report in o's formats (text or json). Returns 0 when the first bad
 * commit was found, PG_EFAIL when bad is no regression against good,
 * PG_EINPUT for bad revisions, PG_ESYSTEM when it could not decide.
 */
int pg_gate_bisect(const pg_gate_bisect_options *o);

/* perfgate's pre-push hook with this executable as its default perfgate; caller frees *out. */
int pg_gate_hook_text(char **out);

/*
 * Write the pre-push hook into the current repository's hooks directory
 * (core.hooksPath, else GIT_DIR/hooks). A pre-push hook that is not
 * perfgate's stays unless force (PG_EINPUT). PG_ESYSTEM outside a
 * repository or when it cannot be written.
 */
int pg_gate_hook_install(int force);

#endif
