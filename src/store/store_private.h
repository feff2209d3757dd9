/* store_private.h - what the store's files share: the pg_store struct, its two backends, the notes index */
#ifndef PERFGATE_STORE_PRIVATE_H
#define PERFGATE_STORE_PRIVATE_H

#include "perfgate/store.h"

#include "perfgate/gitlib.h"
#include <stddef.h>

/* pg_notes_move_ref: another writer moved the ref since it was read; build again from its new tip. */
#define PG_STORE_RACE 1

/* How long a write keeps retrying a compare-and-swap that other writers keep winning. */
#define PG_STORE_RETRY_LIMIT 30.0

/*
 * A change to one commit's note: *out the new text made from current (the
 * text stored now, NULL when there is none), or *out NULL to leave the note
 * as it is. Returns 0 or a negative error.
 */
typedef int (*pg_note_change_fn)(char **out, const char *current, void *arg);

/*
 * One backend. read_text gives the text stored on commit (*text NULL when
 * there is none; caller frees), as of the store's snapshot for a notes
 * store. update replaces commit's text with what change makes of the
 * newest text, atomically: the notes store by pg_notes_cas_update, the dir
 * store under its lock.
 */
typedef struct pg_store_ops {
	int (*read_text)(char **text, size_t *len, pg_store *store, const char *commit);
	int (*update)(pg_store *store, const char *commit, pg_note_change_fn change, void *arg);
	/* 0 when commit may be written to, PG_EINPUT naming it when it is not a commit. */
	int (*check_commit)(pg_store *store, const char *commit);
	/*
	 * Notes store only (NULL otherwise): how many blobs hold commit's note
	 * (0; 1, then *blob is it; more where two layouts hold one), or an error.
	 */
	int (*note_blob)(git_oid *blob, pg_store *store, const char *commit);
	/* How messages name what is stored on commit: "note on 1a2b3c4", "DIR/<hex>.jsonl". */
	void (*origin)(char *buf, size_t size, const pg_store *store, const char *commit);
	void (*free)(pg_store *store);
} pg_store_ops;

typedef struct pg_notes_index pg_notes_index;
typedef struct pg_summary_index pg_summary_index;

struct pg_store {
	const pg_store_ops *ops;
	git_repository *repo; /* borrowed; NULL for a dir store without one */
	char *ref;            /* notes store: the notes ref */
	char *dir;            /* dir store: the directory */
	pg_notes_index *snapshot; /* notes store: the tree reads use, until the next write */
	double retry_limit_s;     /* how long a write keeps retrying (PG_STORE_RETRY_LIMIT) */
	pg_summary_index *summaries; /* notes store: opened by the first summaries-only read */
	int summaries_tried;
};

/* Abbreviated commit for messages (7 hex, or the text as given when shorter). */
void pg_store_short(char out[8], const char *commit);

/* 1 when s is exactly 40 lowercase or uppercase hex digits. */
int pg_store_is_hex40(const char *s);

/* Testing: how long a write retries before giving up (default PG_STORE_RETRY_LIMIT). */
void pg_store_set_retry_limit(pg_store *store, double seconds);

/*
 * Drop the notes snapshot, so the next read sees the ref as it is now
 * (reads otherwise keep the notes commit of the first read: one consistent
 * view for a history walk).
 */
void pg_store_refresh(pg_store *store);

/* ---- the summary index (summary_index.c): summaries-only reads of notes, kept by blob id ---- */

/*
 * The index in the repository's .git/perfgate/ (created when missing). *out
 * NULL, and 0, when it is not to be used: PERFGATE_NO_INDEX set, or a
 * repository perfgate cannot write to. Close with pg_summary_index_close,
 * which writes its table when records were added.
 */
int pg_summary_index_open(pg_summary_index **out, git_repository *repo);
void pg_summary_index_close(pg_summary_index *index);

/*
 * What a summaries-only read of the note keyed by blob (its blob id xor the
 * commit's) gave, into out (zeroed by
 * the caller; commit not set): 1 found, 0 not there (or the index was found
 * corrupt and emptied, with a line on stderr), PG_ENOMEM.
 */
int pg_summary_index_get(pg_summary_index *index, const git_oid *blob, pg_commit_records *out);

/* Keep records, read from the note in blob. 0 (also when the index cannot be written), PG_ENOMEM. */
int pg_summary_index_put(pg_summary_index *index, const git_oid *blob, const pg_commit_records *records);

/* ---- the notes tree, as an index from annotated commit to note blob (notes.c) ---- */

/*
 * An index over the notes tree `tree` (NULL: an empty index). Subtrees of
 * the fan-out are read lazily, the first time a commit below them is
 * looked up, so a lookup in a 100k-note tree reads a few trees, not all.
 * Both layouts are accepted: flat (40-hex names at the root, as `git notes`
 * writes when there are few notes) and fanned out to any depth (ab/cdef...,
 * ab/cd/ef...). Free with pg_notes_index_free.
 */
int pg_notes_index_new(pg_notes_index **out, git_repository *repo, const git_oid *tree);
void pg_notes_index_free(pg_notes_index *index);

/*
 * The blobs annotating commit (usually 0 or 1; more when two layouts hold a
 * note for it): up to max written to blobs, the count found returned, or a
 * negative error.
 */
int pg_notes_index_find(git_oid *blobs, size_t max, pg_notes_index *index, const git_oid *commit);

/* Read every subtree now; then pg_notes_index_entry walks all notes. */
int pg_notes_index_load_all(pg_notes_index *index);
size_t pg_notes_index_count(const pg_notes_index *index);
/* The i-th note loaded: the annotated commit and its blob. */
void pg_notes_index_entry(const pg_notes_index *index, size_t i, const git_oid **commit,
			  const git_oid **blob);

/*
 * The text of commit's note in index (*text NULL when none; when several
 * layouts hold one, their merge). Caller frees.
 */
int pg_notes_index_text(char **text, size_t *len, pg_notes_index *index, git_repository *repo,
			const git_oid *commit);

/* The notes ref's commit and tree: 1 when the ref does not exist, 0 found, negative error. */
int pg_notes_ref_tip(git_oid *commit, git_oid *tree, git_repository *repo, const char *ref);

/*
 * Write a notes tree with git's 2-character fan-out (ab/cdef...) holding
 * n notes (commits[i] annotated by blobs[i]; commits distinct).
 */
int pg_notes_write_tree(git_oid *out, git_repository *repo, const git_oid *commits,
			const git_oid *blobs, size_t n);

/*
 * Make a notes commit of tree with parents (0, 1 or 2 of them), signed as
 * the repository's user or perfgate <perfgate@localhost>.
 */
int pg_notes_commit(git_oid *out, git_repository *repo, const git_oid *tree,
		    const git_oid *parents, size_t n_parents, const char *message);

/*
 * Move ref to new_id if it is still at old_id (old_id NULL: if it does not
 * exist yet). 0, PG_STORE_RACE, or PG_ESYSTEM naming the ref.
 */
int pg_notes_move_ref(git_repository *repo, const char *ref, const git_oid *new_id,
		      const git_oid *old_id, const char *log_message);

/*
 * Make the next notes commit from the ref's tip: *new_commit the commit to
 * move the ref to; tip NULL when the ref does not exist yet. Returns 0, 1
 * when the ref is to stay where it is, or a negative error.
 */
typedef int (*pg_notes_build_fn)(git_oid *new_commit, const git_oid *tip, void *arg);

/*
 * THE compare-and-swap of a notes ref, for every writer (save, prune,
 * sync): read the ref's tip, let build make the new notes commit from it,
 * move the ref there if it still is at the tip read (pg_notes_move_ref).
 * When another writer moved or locked it in between, wait
 * (pg_store_backoff from 1 ms up to 100 ms) and build again from the new
 * tip, for up to limit_s seconds; then PG_ESYSTEM "REF: gave up after N
 * attempts: another writer kept winning (the last race)". No write is
 * ever lost: each attempt starts from what the ref holds then. Returns 0
 * (also when build left the ref alone) or a negative error.
 */
int pg_notes_cas_update(git_repository *repo, const char *ref, double limit_s, const char *log_message,
			pg_notes_build_fn build, void *arg);

/*
 * Sleep before retry number `attempt` (1, 2, ...) of a write that lost a
 * race: first seconds, doubling with each attempt up to cap, jittered over
 * [d/2, d] so that writers who collided once spread out.
 */
void pg_store_backoff(int attempt, double first, double cap);

#endif
