/* notes.c - the git notes store: a JSON Lines note per commit under refs/notes/perfgate */
#include "store_private.h"

#include "perfgate/clock.h"
#include "perfgate/error.h"
#include "perfgate/fileio.h"
#include "perfgate/repo.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ---- the index: annotated commit -> note blob, subtrees read on demand ---- */

typedef struct notes_entry {
	git_oid commit, blob;
} notes_entry;

typedef struct notes_node {
	git_oid tree;
	int loaded;
	struct notes_node **child; /* 256 slots by the next byte; NULL when there are no subtrees */
} notes_node;

struct pg_notes_index {
	git_repository *repo;
	notes_node *root; /* NULL: no notes at all */
	notes_entry *entries;
	size_t n, cap;
	uint32_t *slots; /* open addressing, entry index + 1, 0 empty; a commit may repeat */
	size_t n_slots;
};

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int all_hex(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (hexval(s[i]) < 0)
			return 0;
	return 1;
}

static size_t oid_hash(const git_oid *oid)
{
	uint64_t h;
	memcpy(&h, oid->id, sizeof(h)); /* an object id is already uniformly spread */
	return (size_t)h;
}

static int index_grow(pg_notes_index *idx)
{
	size_t n_slots = idx->n_slots ? idx->n_slots * 2 : 1024;
	uint32_t *slots = calloc(n_slots, sizeof(*slots));
	if (!slots)
		return pg_error_set(PG_ENOMEM, "out of memory indexing the notes");
	for (size_t i = 0; i < idx->n; i++) {
		size_t h = oid_hash(&idx->entries[i].commit) & (n_slots - 1);
		while (slots[h])
			h = (h + 1) & (n_slots - 1);
		slots[h] = (uint32_t)(i + 1);
	}
	free(idx->slots);
	idx->slots = slots;
	idx->n_slots = n_slots;
	return 0;
}

static int index_add(pg_notes_index *idx, const git_oid *commit, const git_oid *blob)
{
	if (idx->n == idx->cap) {
		size_t cap = idx->cap ? idx->cap * 2 : 256;
		notes_entry *grown = realloc(idx->entries, cap * sizeof(*grown));
		if (!grown)
			return pg_error_set(PG_ENOMEM, "out of memory indexing the notes");
		idx->entries = grown;
		idx->cap = cap;
	}
	if ((idx->n + 1) * 2 > idx->n_slots && index_grow(idx))
		return PG_ENOMEM;
	idx->entries[idx->n].commit = *commit;
	idx->entries[idx->n].blob = *blob;
	size_t h = oid_hash(commit) & (idx->n_slots - 1);
	while (idx->slots[h])
		h = (h + 1) & (idx->n_slots - 1);
	idx->slots[h] = (uint32_t)(++idx->n);
	return 0;
}

static notes_node *node_new(const git_oid *tree)
{
	notes_node *node = calloc(1, sizeof(*node));
	if (node)
		node->tree = *tree;
	return node;
}

static void node_free(notes_node *node)
{
	if (!node)
		return;
	if (node->child)
		for (int i = 0; i < 256; i++)
			node_free(node->child[i]);
	free(node->child);
	free(node);
}

/*
 * Read one tree of the notes tree, at `depth` hex digits below the root
 * (prefix holds them): its notes go into the index, its fan-out subtrees
 * become unloaded children. Anything else (git allows other files in a
 * notes tree) is not a note and is left alone.
 */
static int node_load(pg_notes_index *idx, notes_node *node, const char *prefix, size_t depth)
{
	git_tree *tree;
	char hex[GIT_OID_HEXSZ + 1];
	int rc = 0;
	if (git_tree_lookup(&tree, idx->repo, &node->tree) < 0)
		return pg_error_set(PG_ESYSTEM, "cannot read a notes tree: %s", pg_git_error());
	memcpy(hex, prefix, depth);
	size_t count = git_tree_entrycount(tree);
	for (size_t i = 0; i < count && !rc; i++) {
		const git_tree_entry *e = git_tree_entry_byindex(tree, i);
		const char *name = git_tree_entry_name(e);
		size_t len = strlen(name);
		git_object_t type = git_tree_entry_type(e);
		if (type == GIT_OBJECT_BLOB && len == GIT_OID_HEXSZ - depth && all_hex(name, len)) {
			git_oid commit;
			memcpy(hex + depth, name, len);
			hex[GIT_OID_HEXSZ] = '\0';
			if (git_oid_fromstrn(&commit, hex, GIT_OID_HEXSZ) == 0)
				rc = index_add(idx, &commit, git_tree_entry_id(e));
		} else if (type == GIT_OBJECT_TREE && len == 2 && depth + 2 < GIT_OID_HEXSZ &&
			   all_hex(name, 2)) {
			int byte = hexval(name[0]) * 16 + hexval(name[1]);
			if (!node->child && !(node->child = calloc(256, sizeof(*node->child))))
				rc = pg_error_set(PG_ENOMEM, "out of memory indexing the notes");
			else if (!node->child[byte] &&
				 !(node->child[byte] = node_new(git_tree_entry_id(e))))
				rc = pg_error_set(PG_ENOMEM, "out of memory indexing the notes");
		}
	}
	git_tree_free(tree);
	if (!rc)
		node->loaded = 1;
	return rc;
}

int pg_notes_index_new(pg_notes_index **out, git_repository *repo, const git_oid *tree)
{
	pg_notes_index *idx = calloc(1, sizeof(*idx));
	if (!idx)
		return pg_error_set(PG_ENOMEM, "out of memory");
	idx->repo = repo;
	if (tree && !(idx->root = node_new(tree))) {
		free(idx);
		return pg_error_set(PG_ENOMEM, "out of memory");
	}
	*out = idx;
	return 0;
}

void pg_notes_index_free(pg_notes_index *index)
{
	if (!index)
		return;
	node_free(index->root);
	free(index->entries);
	free(index->slots);
	free(index);
}

int pg_notes_index_find(git_oid *blobs, size_t max, pg_notes_index *index, const git_oid *commit)
{
	char hex[GIT_OID_HEXSZ + 1];
	int rc;
	git_oid_tostr(hex, sizeof(hex), commit);
	/* Load the trees on commit's path only: each level may hold its note (mixed layouts). */
	notes_node *node = index->root;
	for (size_t depth = 0; node; depth += 2) {
		if (!node->loaded && (rc = node_load(index, node, hex, depth)))
			return rc;
		if (!node->child || depth + 2 >= GIT_OID_HEXSZ)
			break;
		node = node->child[(size_t)(hexval(hex[depth]) * 16 + hexval(hex[depth + 1]))];
	}
	size_t found = 0;
	if (index->n_slots == 0)
		return 0;
	for (size_t h = oid_hash(commit) & (index->n_slots - 1); index->slots[h];
	     h = (h + 1) & (index->n_slots - 1)) {
		const notes_entry *e = &index->entries[index->slots[h] - 1];
		if (git_oid_equal(&e->commit, commit)) {
			if (found < max)
				blobs[found] = e->blob;
			found++;
		}
	}
	return (int)found;
}

static int load_all(pg_notes_index *idx, notes_node *node, char *prefix, size_t depth)
{
	int rc;
	if (!node->loaded && (rc = node_load(idx, node, prefix, depth)))
		return rc;
	if (!node->child)
		return 0;
	for (int i = 0; i < 256; i++) {
		if (!node->child[i])
			continue;
		snprintf(prefix + depth, 3, "%02x", i);
		if ((rc = load_all(idx, node->child[i], prefix, depth + 2)))
			return rc;
	}
	return 0;
}

int pg_notes_index_load_all(pg_notes_index *index)
{
	char prefix[GIT_OID_HEXSZ + 1] = "";
	return index->root ? load_all(index, index->root, prefix, 0) : 0;
}

size_t pg_notes_index_count(const pg_notes_index *index)
{
	return index->n;
}

void pg_notes_index_entry(const pg_notes_index *index, size_t i, const git_oid **commit,
			  const git_oid **blob)
{
	*commit = &index->entries[i].commit;
	*blob = &index->entries[i].blob;
}

/* Read a blob as a NUL-terminated string; caller frees. */
static int blob_text(char **out, size_t *len, git_repository *repo, const git_oid *id)
{
	git_blob *blob;
	char hex[GIT_OID_HEXSZ + 1];
	if (git_blob_lookup(&blob, repo, id) < 0)
		return pg_error_set(PG_ESYSTEM, "cannot read note blob %s: %s",
				    git_oid_tostr(hex, sizeof(hex), id), pg_git_error());
	size_t n = (size_t)git_blob_rawsize(blob);
	char *text = malloc(n + 1);
	if (!text) {
		git_blob_free(blob);
		return pg_error_set(PG_ENOMEM, "out of memory reading a note");
	}
	memcpy(text, git_blob_rawcontent(blob), n);
	text[n] = '\0';
	git_blob_free(blob);
	*out = text;
	if (len)
		*len = n;
	return 0;
}

/* Fold more text into *acc (NULL: none yet) with the store's merge rules. */
static int fold_text(char **acc, char *more)
{
	if (!*acc) {
		*acc = more;
		return 0;
	}
	char *merged;
	int rc = pg_store_merge_text(&merged, *acc, more);
	free(more);
	if (rc)
		return rc;
	free(*acc);
	*acc = merged;
	return 0;
}

int pg_notes_index_text(char **text, size_t *len, pg_notes_index *index, git_repository *repo,
			const git_oid *commit)
{
	git_oid blobs[8];
	char *acc = NULL, *one;
	int found = pg_notes_index_find(blobs, 8, index, commit), rc = 0;
	*text = NULL;
	if (found < 0)
		return found;
	for (int i = 0; i < found && i < 8 && !rc; i++)
		if (!(rc = blob_text(&one, NULL, repo, &blobs[i])))
			rc = fold_text(&acc, one);
	if (rc) {
		free(acc);
		return rc;
	}
	*text = acc;
	if (len)
		*len = acc ? strlen(acc) : 0;
	return 0;
}

/* ---- the notes ref, trees and commits ---- */

int pg_notes_ref_tip(git_oid *commit, git_oid *tree, git_repository *repo, const char *ref)
{
	int rc = git_reference_name_to_id(commit, repo, ref);
	if (rc == GIT_ENOTFOUND)
		return 1;
	if (rc < 0)
		return pg_error_set(PG_ESYSTEM, "%s: cannot read the ref: %s", ref, pg_git_error());
	git_commit *c;
	if (git_commit_lookup(&c, repo, commit) < 0)
		return pg_error_set(PG_ESYSTEM, "%s: does not point at a readable commit: %s", ref,
				    pg_git_error());
	if (tree)
		*tree = *git_commit_tree_id(c);
	git_commit_free(c);
	return 0;
}

static int git_failed(const char *what)
{
	return pg_error_set(PG_ESYSTEM, "%s: %s", what, pg_git_error());
}

int pg_notes_write_tree(git_oid *out, git_repository *repo, const git_oid *commits,
			const git_oid *blobs, size_t n)
{
	git_treebuilder *root = NULL, *fan[256] = {0};
	char hex[GIT_OID_HEXSZ + 1];
	int rc = 0;
	if (git_treebuilder_new(&root, repo, NULL) < 0)
		return git_failed("cannot build a notes tree");
	for (size_t i = 0; i < n && !rc; i++) {
		unsigned byte = commits[i].id[0];
		if (!fan[byte] && git_treebuilder_new(&fan[byte], repo, NULL) < 0)
			rc = git_failed("cannot build a notes tree");
		git_oid_tostr(hex, sizeof(hex), &commits[i]);
		if (!rc && git_treebuilder_insert(NULL, fan[byte], hex + 2, &blobs[i], GIT_FILEMODE_BLOB) < 0)
			rc = git_failed("cannot build a notes tree");
	}
	for (unsigned byte = 0; byte < 256 && !rc; byte++) {
		git_oid sub;
		char name[3];
		if (!fan[byte])
			continue;
		snprintf(name, sizeof(name), "%02x", byte);
		if (git_treebuilder_write(&sub, fan[byte]) < 0 ||
		    git_treebuilder_insert(NULL, root, name, &sub, GIT_FILEMODE_TREE) < 0)
			rc = git_failed("cannot write a notes tree");
	}
	if (!rc && git_treebuilder_write(out, root) < 0)
		rc = git_failed("cannot write a notes tree");
	for (int i = 0; i < 256; i++)
		git_treebuilder_free(fan[i]);
	git_treebuilder_free(root);
	return rc;
}

int pg_notes_commit(git_oid *out, git_repository *repo, const git_oid *tree,
		    const git_oid *parents, size_t n_parents, const char *message)
{
	git_signature *sig = NULL;
	git_tree *t = NULL;
	git_commit *p[2] = {NULL, NULL};
	int rc = 0;
	if (n_parents > 2)
		return pg_error_set(PG_ESYSTEM, "a notes commit has at most two parents");
	if (pg_repo_signature(&sig, repo) != 0)
		return git_failed("cannot make a signature for the notes commit");
	if (git_tree_lookup(&t, repo, tree) < 0)
		rc = git_failed("cannot read the new notes tree");
	for (size_t i = 0; i < n_parents && !rc; i++)
		if (git_commit_lookup(&p[i], repo, &parents[i]) < 0)
			rc = git_failed("cannot read the previous notes commit");
	if (!rc && git_commit_create(out, repo, NULL, sig, sig, NULL, message, t, n_parents,
				     (const git_commit **)p) < 0)
		rc = git_failed("cannot write the notes commit");
	git_commit_free(p[0]);
	git_commit_free(p[1]);
	git_tree_free(t);
	git_signature_free(sig);
	return rc;
}

/*
 * A ref's lock file that is this old was left by a writer killed mid-update:
 * a live one holds it for the milliseconds a ref update takes.
 */
#define STALE_LOCK_S 10

/* "45 s", "3 min", "2 h", "4 days": an age as a person says it. */
static void say_age(char *buf, size_t size, double s)
{
	if (s < 120)
		snprintf(buf, size, "%.0f s", s);
	else if (s < 7200)
		snprintf(buf, size, "%.0f min", s / 60);
	else if (s < 172800)
		snprintf(buf, size, "%.0f h", s / 3600);
	else
		snprintf(buf, size, "%.0f days", s / 86400);
}

/* The ref is locked: PG_STORE_RACE to retry, or PG_ESYSTEM at once naming a stale lock and its age. */
static int locked(git_repository *repo, const char *ref)
{
	char *name = malloc(strlen(ref) + 6), *path = NULL;
	struct stat st;
	if (name) {
		sprintf(name, "%s.lock", ref);
		path = pg_path_join(git_repository_commondir(repo), name);
	}
	double age = path && stat(path, &st) == 0 ? difftime(time(NULL), st.st_mtime) : -1;
	int rc;
	if (age >= STALE_LOCK_S) {
		char says[32];
		say_age(says, sizeof(says), age);
		rc = pg_error_set(PG_ESYSTEM,
				  "%s is %s old: a writer killed during an update left it (a live one holds it for milliseconds); if no git or perfgate is writing here, remove it: rm '%s'",
				  path, says, path);
	} else {
		rc = pg_error_set(PG_STORE_RACE, "last: %s.lock exists: another writer holds it, or a killed one left it",
				  ref);
	}
	free(name);
	free(path);
	return rc;
}

int pg_notes_move_ref(git_repository *repo, const char *ref, const git_oid *new_id,
		      const git_oid *old_id, const char *log_message)
{
	git_reference *moved = NULL;
	git_oid absent;
	/*
	 * "Must not exist yet" is the zero id, compared under the ref's lock.
	 * git_reference_create(force = 0) would check existence before taking
	 * the lock, so two first writers could both pass and one be lost.
	 */
	memset(&absent, 0, sizeof(absent));
	int rc = git_reference_create_matching(&moved, repo, ref, new_id, 1, old_id ? old_id : &absent,
					       log_message);
	git_reference_free(moved);
	if (rc == 0)
		return 0;
	/* Someone else moved, locked, created or removed the ref since we read it. */
	if (rc == GIT_ELOCKED)
		return locked(repo, ref);
	if (rc == GIT_EMODIFIED || rc == GIT_EEXISTS || rc == GIT_ENOTFOUND) {
		pg_error_set(PG_STORE_RACE, "last: the ref moved while we wrote");
		return PG_STORE_RACE;
	}
	return pg_error_set(PG_ESYSTEM, "%s: cannot move the ref: %s", ref, pg_git_error());
}

/* ---- the compare-and-swap every writer goes through ---- */

void pg_store_backoff(int attempt, double first, double cap)
{
	/* xorshift64, seeded per process: forked writers must not sleep in step. */
	static uint64_t rng;
	static pid_t seeded_for;
	if (!rng || seeded_for != getpid()) {
		struct timespec seed;
		clock_gettime(CLOCK_REALTIME, &seed);
		seeded_for = getpid();
		rng = ((uint64_t)seeded_for << 32) ^ (uint64_t)seed.tv_nsec ^ 0x9e3779b97f4a7c15ULL;
	}
	double d = first;
	for (int i = 1; i < attempt && d < cap; i++)
		d *= 2;
	if (d > cap)
		d = cap;
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	d *= 0.5 + 0.5 * (double)(rng >> 11) / 9007199254740992.0;
	struct timespec ts = {(time_t)d, (long)((d - (double)(time_t)d) * 1e9)};
	nanosleep(&ts, NULL);
}

int pg_notes_cas_update(git_repository *repo, const char *ref, double limit_s, const char *log_message,
			pg_notes_build_fn build, void *arg)
{
	double start = pg_now();
	for (int attempt = 1;; attempt++) {
		git_oid tip, next;
		int rc = pg_notes_ref_tip(&tip, NULL, repo, ref);
		if (rc < 0)
			return rc;
		const git_oid *at = rc == 0 ? &tip : NULL;
		if ((rc = build(&next, at, arg)) != 0)
			return rc > 0 ? 0 : rc;
		if ((rc = pg_notes_move_ref(repo, ref, &next, at, log_message)) != PG_STORE_RACE)
			return rc;
		if (pg_now() - start >= limit_s) {
			char last[512];
			snprintf(last, sizeof(last), "%s", pg_error_message());
			return pg_error_set(PG_ESYSTEM, "%s: gave up after %d attempts: another writer kept winning (%s)",
					    ref, attempt, last);
		}
		pg_store_backoff(attempt, 1e-3, 0.1);
	}
}

/* ---- the write path: one commit's note, in whichever layout the tree has it ---- */

/* Every note on hex below tree (depth digits consumed), merged into *acc. */
static int collect_notes(char **acc, git_repository *repo, const git_tree *tree, const char *hex,
			 size_t depth)
{
	const git_tree_entry *e = git_tree_entry_byname(tree, hex + depth);
	char *text;
	int rc;
	if (e && git_tree_entry_type(e) == GIT_OBJECT_BLOB) {
		if ((rc = blob_text(&text, NULL, repo, git_tree_entry_id(e))) ||
		    (rc = fold_text(acc, text)))
			return rc;
	}
	if (depth + 2 >= GIT_OID_HEXSZ)
		return 0;
	char two[3] = {hex[depth], hex[depth + 1], '\0'};
	e = git_tree_entry_byname(tree, two);
	if (!e || git_tree_entry_type(e) != GIT_OBJECT_TREE)
		return 0;
	git_tree *sub;
	if (git_tree_lookup(&sub, repo, git_tree_entry_id(e)) < 0)
		return git_failed("cannot read a notes tree");
	rc = collect_notes(acc, repo, sub, hex, depth + 2);
	git_tree_free(sub);
	return rc;
}

/*
 * Rewrite the tree at depth with every note on hex removed and, when blob
 * is given, the note at hex[0:2]/hex[2:] (git's fan-out) set to it. *empty
 * tells the caller to drop a subtree left with nothing in it.
 */
static int rewrite_tree(git_oid *out, int *empty, git_repository *repo, const git_tree *tree,
			const char *hex, size_t depth, const git_oid *blob)
{
	git_treebuilder *tb;
	git_tree *sub = NULL;
	int rc = 0;
	if (git_treebuilder_new(&tb, repo, tree) < 0)
		return git_failed("cannot build a notes tree");
	if (git_treebuilder_get(tb, hex + depth))
		git_treebuilder_remove(tb, hex + depth);
	if (depth + 2 < GIT_OID_HEXSZ) {
		char two[3] = {hex[depth], hex[depth + 1], '\0'};
		const git_tree_entry *e = git_treebuilder_get(tb, two);
		int below = e && git_tree_entry_type(e) == GIT_OBJECT_TREE;
		if (below && git_tree_lookup(&sub, repo, git_tree_entry_id(e)) < 0)
			rc = git_failed("cannot read a notes tree");
		if (!rc && (below || (depth == 0 && blob))) {
			git_oid sub_id;
			int sub_empty;
			rc = rewrite_tree(&sub_id, &sub_empty, repo, sub, hex, depth + 2,
					  depth == 0 ? blob : NULL);
			if (!rc && sub_empty)
				git_treebuilder_remove(tb, two);
			else if (!rc && git_treebuilder_insert(NULL, tb, two, &sub_id, GIT_FILEMODE_TREE) < 0)
				rc = git_failed("cannot build a notes tree");
		}
	}
	if (!rc && depth == 2 && blob &&
	    git_treebuilder_insert(NULL, tb, hex + 2, blob, GIT_FILEMODE_BLOB) < 0)
		rc = git_failed("cannot build a notes tree");
	if (!rc && git_treebuilder_write(out, tb) < 0)
		rc = git_failed("cannot write a notes tree");
	if (!rc)
		*empty = git_treebuilder_entrycount(tb) == 0;
	git_tree_free(sub);
	git_treebuilder_free(tb);
	return rc;
}

/* ---- the backend ---- */

static int notes_snapshot(pg_store *store)
{
	git_oid commit, tree;
	if (store->snapshot)
		return 0;
	int rc = pg_notes_ref_tip(&commit, &tree, store->repo, store->ref);
	if (rc < 0)
		return rc;
	return pg_notes_index_new(&store->snapshot, store->repo, rc == 1 ? NULL : &tree);
}

static int notes_read_text(char **text, size_t *len, pg_store *store, const char *commit)
{
	git_oid id;
	int rc;
	*text = NULL;
	*len = 0;
	if (git_oid_fromstrn(&id, commit, GIT_OID_HEXSZ) < 0)
		return pg_error_set(PG_EINPUT, "%s: not a commit id", commit);
	if ((rc = notes_snapshot(store)))
		return rc;
	return pg_notes_index_text(text, len, store->snapshot, store->repo, &id);
}

static int notes_note_blob(git_oid *blob, pg_store *store, const char *commit)
{
	git_oid id, blobs[2];
	int rc;
	if (git_oid_fromstrn(&id, commit, GIT_OID_HEXSZ) < 0)
		return pg_error_set(PG_EINPUT, "%s: not a commit id", commit);
	if ((rc = notes_snapshot(store)))
		return rc;
	int found = pg_notes_index_find(blobs, 2, store->snapshot, &id);
	if (found == 1)
		*blob = blobs[0];
	return found;
}

/* One commit's note changed on top of the ref's tip (pg_notes_build_fn). */
typedef struct note_update {
	pg_store *store;
	const char *commit;
	pg_note_change_fn change;
	void *arg;
	const char *message;
} note_update;

static int build_note_update(git_oid *new_commit, const git_oid *tip, void *arg)
{
	note_update *u = arg;
	git_repository *repo = u->store->repo;
	git_commit *old = NULL;
	git_tree *old_tree = NULL;
	git_oid blob, tree_id;
	char *current = NULL, *text = NULL;
	int empty, rc = 0;
	/* The note as the tip has it, in whichever layout: a write reads the ref as it is now. */
	if (tip && (git_commit_lookup(&old, repo, tip) < 0 || git_commit_tree(&old_tree, old) < 0))
		rc = pg_error_set(PG_ESYSTEM, "%s: cannot read the notes commit: %s", u->store->ref, pg_git_error());
	if (!rc && old_tree)
		rc = collect_notes(&current, repo, old_tree, u->commit, 0);
	if (!rc)
		rc = u->change(&text, current, u->arg);
	if (!rc && !text)
		rc = 1; /* nothing to write */
	if (!rc && git_blob_create_from_buffer(&blob, repo, text, strlen(text)) < 0)
		rc = pg_error_set(PG_ESYSTEM, "%s: cannot write the note: %s", u->store->ref, pg_git_error());
	if (!rc)
		rc = rewrite_tree(&tree_id, &empty, repo, old_tree, u->commit, 0, &blob);
	if (!rc)
		rc = pg_notes_commit(new_commit, repo, &tree_id, tip, tip ? 1 : 0, u->message);
	git_tree_free(old_tree);
	git_commit_free(old);
	free(current);
	free(text);
	if (rc < 0) {
		char short_id[8];
		pg_store_short(short_id, u->commit);
		return pg_error_wrap(rc, "note on %s", short_id);
	}
	return rc;
}

static int notes_update(pg_store *store, const char *commit, pg_note_change_fn change, void *arg)
{
	char message[64], short_id[8];
	pg_store_short(short_id, commit);
	snprintf(message, sizeof(message), "perfgate: save %s", short_id);
	note_update u = {store, commit, change, arg, message};
	return pg_notes_cas_update(store->repo, store->ref, store->retry_limit_s, message, build_note_update, &u);
}

static int notes_check_commit(pg_store *store, const char *commit)
{
	git_oid id;
	git_object *obj;
	if (!pg_store_is_hex40(commit) || git_oid_fromstrn(&id, commit, GIT_OID_HEXSZ) < 0)
		return pg_error_set(PG_EINPUT, "%s: not a commit id (40 hex digits)", commit);
	int rc = git_object_lookup(&obj, store->repo, &id, GIT_OBJECT_COMMIT);
	if (rc == GIT_ENOTFOUND || rc == GIT_EINVALIDSPEC)
		return pg_error_set(PG_EINPUT, "%s: not a commit in this repository", commit);
	if (rc < 0)
		return pg_error_set(PG_ESYSTEM, "%s: cannot read the commit: %s", commit,
				    pg_git_error());
	git_object_free(obj);
	return 0;
}

static void notes_origin(char *buf, size_t size, const pg_store *store, const char *commit)
{
	char short_id[8];
	(void)store;
	pg_store_short(short_id, commit);
	snprintf(buf, size, "note on %s", short_id);
}

static void notes_free(pg_store *store)
{
	pg_notes_index_free(store->snapshot);
	free(store->ref);
	free(store);
}

static const pg_store_ops notes_ops = {
	.read_text = notes_read_text,
	.update = notes_update,
	.check_commit = notes_check_commit,
	.note_blob = notes_note_blob,
	.origin = notes_origin,
	.free = notes_free,
};

int pg_store_open_notes(pg_store **out, git_repository *repo, const char *ref)
{
	const char *name = ref ? ref : PG_NOTES_REF;
	int valid = 0;
	if (git_reference_name_is_valid(&valid, name) < 0 || !valid)
		return pg_error_set(PG_EINPUT, "%s: not a valid ref name", name);
	pg_store *store = calloc(1, sizeof(*store));
	if (!store || !(store->ref = strdup(name))) {
		free(store);
		return pg_error_set(PG_ENOMEM, "out of memory");
	}
	store->ops = &notes_ops;
	store->repo = repo;
	store->retry_limit_s = PG_STORE_RETRY_LIMIT;
	*out = store;
	return 0;
}
