/* sync.c - `perfgate sync`: fetch a remote's notes, union-merge them with ours, push with a lease */
#include "store_private.h"

#include "perfgate/error.h"
#include "perfgate/repo.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#define PUSH_RETRIES 5 /* after the first push: fetch, merge and push again this many times */

/* ---- running git ---- */

typedef struct git_run {
	int status;      /* exit status, or -1 killed by a signal */
	char *err;       /* everything git wrote on stderr, NUL-terminated */
	size_t err_len;
} git_run;

/* The environment as is (credentials, SSH agent, GIT_* of the Actions checkout), messages in English. */
static char **git_environment(void)
{
	size_t n = 0;
	while (environ[n])
		n++;
	char **env = calloc(n + 2, sizeof(char *));
	if (!env)
		return NULL;
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (strncmp(environ[i], "LC_ALL=", 7) != 0)
			env[k++] = environ[i];
	env[k++] = (char *)"LC_ALL=C";
	env[k] = NULL;
	return env;
}

/* Run `git -C dir ARGS...`; stdout is discarded, stderr kept in run->err. */
static int run_git(git_run *run, const char *dir, const char *const *args)
{
	const char *argv[16];
	size_t n = 0;
	argv[n++] = "git";
	argv[n++] = "-C";
	argv[n++] = dir;
	for (size_t i = 0; args[i] && n < 15; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	memset(run, 0, sizeof(*run));

	int pipefd[2];
	if (pipe2(pipefd, O_CLOEXEC) != 0)
		return pg_error_set(PG_ESYSTEM, "cannot run git: %s", strerror(errno));
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], STDERR_FILENO);
	char **env = git_environment();
	pid_t pid;
	int e = env ? posix_spawnp(&pid, "git", &fa, NULL, (char *const *)argv, env) : ENOMEM;
	posix_spawn_file_actions_destroy(&fa);
	free(env);
	close(pipefd[1]);
	if (e != 0) {
		close(pipefd[0]);
		return pg_error_set(PG_ESYSTEM, "cannot run git: %s", strerror(e));
	}
	size_t cap = 4096;
	run->err = malloc(cap);
	for (;;) {
		if (run->err && run->err_len + 1 >= cap) {
			char *grown = realloc(run->err, cap * 2);
			if (!grown) {
				free(run->err);
				run->err = NULL;
			} else {
				run->err = grown;
				cap *= 2;
			}
		}
		char sink[4096];
		char *to = run->err ? run->err + run->err_len : sink;
		size_t room = run->err ? cap - run->err_len - 1 : sizeof(sink);
		ssize_t got = read(pipefd[0], to, room);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		if (run->err)
			run->err_len += (size_t)got;
	}
	close(pipefd[0]);
	if (run->err)
		run->err[run->err_len] = '\0';
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return pg_error_set(PG_ESYSTEM, "cannot wait for git: %s", strerror(errno));
	run->status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	if (!run->err)
		return pg_error_set(PG_ENOMEM, "out of memory reading git's messages");
	return 0;
}

/*
 * The line of git's stderr that says what went wrong: the first fatal,
 * error or rejected line (later ones repeat it in general terms: "Could not
 * read from remote repository", "failed to push some refs"), else the last.
 */
static void git_reason(char *buf, size_t size, const git_run *run)
{
	const char *best = NULL, *last = NULL;
	size_t best_len = 0, last_len = 0;
	for (const char *p = run->err; p && *p;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		while (n > 0 && (p[n - 1] == '\r' || p[n - 1] == ' '))
			n--;
		if (n > 0 && strncmp(p, "hint:", 5) != 0) {
			last = p;
			last_len = n;
			if (!best && (strncmp(p, "fatal:", 6) == 0 || strncmp(p, "error:", 6) == 0 ||
				      strncmp(p, " ! ", 3) == 0)) {
				best = p;
				best_len = n;
			}
		}
		p += (nl ? (size_t)(nl - p) + 1 : strlen(p));
	}
	if (!best) {
		best = last;
		best_len = last_len;
	}
	if (!best)
		snprintf(buf, size, "git exited with status %d and said nothing", run->status);
	else
		snprintf(buf, size, "%.*s", (int)best_len, best);
}

/* A push the remote refused because someone else pushed first. */
static int lost_race(const git_run *run)
{
	return strstr(run->err, "stale info") || strstr(run->err, "[rejected]") ||
	       strstr(run->err, "fetch first") || strstr(run->err, "non-fast-forward") ||
	       strstr(run->err, "failed to update ref") || strstr(run->err, "cannot lock ref");
}

/* ---- merging two notes commits ---- */

typedef struct note_pair {
	git_oid commit, blob;
} note_pair;

static int pair_cmp(const void *a, const void *b)
{
	return git_oid_cmp(&((const note_pair *)a)->commit, &((const note_pair *)b)->commit);
}

/* Every note of a notes tree, sorted by annotated commit. Caller frees *out. */
static int all_notes(note_pair **out, size_t *n, git_repository *repo, const git_oid *tree)
{
	pg_notes_index *idx;
	int rc = pg_notes_index_new(&idx, repo, tree);
	if (rc)
		return rc;
	if ((rc = pg_notes_index_load_all(idx))) {
		pg_notes_index_free(idx);
		return rc;
	}
	*n = pg_notes_index_count(idx);
	*out = malloc((*n ? *n : 1) * sizeof(note_pair));
	if (!*out) {
		pg_notes_index_free(idx);
		return pg_error_set(PG_ENOMEM, "out of memory reading the notes");
	}
	for (size_t i = 0; i < *n; i++) {
		const git_oid *c, *b;
		pg_notes_index_entry(idx, i, &c, &b);
		(*out)[i].commit = *c;
		(*out)[i].blob = *b;
	}
	pg_notes_index_free(idx);
	qsort(*out, *n, sizeof(note_pair), pair_cmp);
	return 0;
}

static int blob_string(char **out, git_repository *repo, const git_oid *id)
{
	git_blob *blob;
	if (git_blob_lookup(&blob, repo, id) < 0)
		return pg_error_set(PG_ESYSTEM, "cannot read a note: %s", pg_git_error());
	size_t n = (size_t)git_blob_rawsize(blob);
	*out = malloc(n + 1);
	if (*out) {
		memcpy(*out, git_blob_rawcontent(blob), n);
		(*out)[n] = '\0';
	}
	git_blob_free(blob);
	return *out ? 0 : pg_error_set(PG_ENOMEM, "out of memory reading a note");
}

/*
 * The blob holding the union of two notes: theirs as it is when it already
 * holds all of ours (in whatever order), so that a merge that adds nothing
 * leaves their tree, byte for byte, and two clones converge.
 */
static int merge_blobs(git_oid *out, git_repository *repo, const git_oid *ours, const git_oid *theirs)
{
	char *a = NULL, *b = NULL, *merged = NULL, *back = NULL;
	int rc = blob_string(&a, repo, ours);
	if (!rc)
		rc = blob_string(&b, repo, theirs);
	if (!rc)
		rc = pg_store_merge_text(&merged, a, b);
	if (!rc && strcmp(merged, a) != 0 && (rc = pg_store_merge_text(&back, b, a)) == 0 && strcmp(back, b) == 0)
		*out = *theirs;
	else if (!rc && git_blob_create_from_buffer(out, repo, merged, strlen(merged)) < 0)
		rc = pg_error_set(PG_ESYSTEM, "cannot write a merged note: %s", pg_git_error());
	free(a);
	free(b);
	free(merged);
	free(back);
	return rc;
}

/* Append pair to the result, merging it into the last one when both annotate the same commit. */
static int put(note_pair *v, size_t *n, const note_pair *p, git_repository *repo)
{
	if (*n > 0 && git_oid_equal(&v[*n - 1].commit, &p->commit)) {
		if (git_oid_equal(&v[*n - 1].blob, &p->blob))
			return 0;
		return merge_blobs(&v[*n - 1].blob, repo, &v[*n - 1].blob, &p->blob);
	}
	v[(*n)++] = *p;
	return 0;
}

/*
 * A merge commit whose tree has, per commit, the union of both notes: with
 * parents ours and theirs, or with none when the two histories share no
 * commit (one side was rewritten by `perfgate prune` as a new root: keeping
 * the other as a parent would make the pruned samples reachable again; or
 * two clones began storing before either synced).
 */
static int merge_notes(git_oid *out, git_repository *repo, const git_oid *ours,
		       const git_oid *theirs, const char *remote)
{
	git_oid common;
	int related = git_merge_base(&common, repo, ours, theirs) == 0;
	git_error_clear();
	git_commit *c;
	git_oid trees[2];
	const git_oid *tips[2] = {ours, theirs};
	for (int i = 0; i < 2; i++) {
		if (git_commit_lookup(&c, repo, tips[i]) < 0)
			return pg_error_set(PG_ESYSTEM, "cannot read a notes commit: %s", pg_git_error());
		trees[i] = *git_commit_tree_id(c);
		git_commit_free(c);
	}
	note_pair *a = NULL, *b = NULL, *m = NULL;
	git_oid *commits = NULL, *blobs = NULL;
	size_t na = 0, nb = 0, nm = 0, i = 0, j = 0;
	int rc = all_notes(&a, &na, repo, &trees[0]);
	if (!rc)
		rc = all_notes(&b, &nb, repo, &trees[1]);
	if (!rc && !(m = malloc((na + nb + 1) * sizeof(*m))))
		rc = pg_error_set(PG_ENOMEM, "out of memory merging notes");
	/* Both lists are sorted by commit: one pass, ours first where both have a note. */
	while (!rc && (i < na || j < nb)) {
		if (j >= nb || (i < na && git_oid_cmp(&a[i].commit, &b[j].commit) <= 0))
			rc = put(m, &nm, &a[i++], repo);
		else
			rc = put(m, &nm, &b[j++], repo);
	}
	if (!rc && (!(commits = malloc((nm + 1) * sizeof(git_oid))) ||
		    !(blobs = malloc((nm + 1) * sizeof(git_oid)))))
		rc = pg_error_set(PG_ENOMEM, "out of memory merging notes");
	for (size_t k = 0; !rc && k < nm; k++) {
		commits[k] = m[k].commit;
		blobs[k] = m[k].blob;
	}
	git_oid tree, parents[2] = {*ours, *theirs};
	char message[256];
	snprintf(message, sizeof(message), "perfgate: merge notes from %s%s", remote,
		 related ? "" : " (unrelated histories after a prune: a new root)");
	if (!rc)
		rc = pg_notes_write_tree(&tree, repo, commits, blobs, nm);
	/*
	 * Unrelated histories whose union is one side already: take that side as it is. Without
	 * this, two clones would answer each other's new root with yet another one, forever.
	 */
	if (!rc && !related && (git_oid_equal(&tree, &trees[1]) || git_oid_equal(&tree, &trees[0])))
		*out = git_oid_equal(&tree, &trees[1]) ? *theirs : *ours;
	else if (!rc)
		rc = pg_notes_commit(out, repo, &tree, related ? parents : NULL, related ? 2 : 0, message);
	free(a);
	free(b);
	free(m);
	free(commits);
	free(blobs);
	return rc;
}

/* The local ref brought up to the remote's tip (pg_notes_build_fn). */
typedef struct catch_up {
	git_repository *repo;
	const git_oid *theirs; /* NULL: the remote has no notes */
	const char *remote;
	git_oid local;         /* what the ref holds once caught up */
	int has_local;         /* 0: no notes on either side */
} catch_up;

/* Fast-forward to theirs, or merge it: from whatever the ref holds now. */
static int build_catch_up(git_oid *new_commit, const git_oid *tip, void *arg)
{
	catch_up *u = arg;
	int rc;
	u->has_local = tip != NULL;
	if (tip)
		u->local = *tip;
	if (!u->theirs)
		return 1;
	if (!tip) {
		*new_commit = *u->theirs;
	} else if (git_oid_equal(tip, u->theirs) || git_graph_descendant_of(u->repo, tip, u->theirs) == 1) {
		return 1;
	} else if (git_graph_descendant_of(u->repo, u->theirs, tip) == 1) {
		*new_commit = *u->theirs;
	} else if ((rc = merge_notes(new_commit, u->repo, tip, u->theirs, u->remote))) {
		return rc;
	}
	u->local = *new_commit;
	u->has_local = 1;
	return 0;
}

/*
 * Bring the local notes ref up to date with the remote's tip (theirs NULL:
 * the remote has none): fast-forward, or merge. *local gets the ref's new
 * value; *has_local 0 when there are no notes on either side.
 */
static int merge_into_local(git_oid *local, int *has_local, git_repository *repo, const char *ref,
			    const git_oid *theirs, const char *remote)
{
	char message[256];
	catch_up u = {repo, theirs, remote, {{0}}, 0};
	snprintf(message, sizeof(message), "perfgate: sync with %s", remote);
	int rc = pg_notes_cas_update(repo, ref, PG_STORE_RETRY_LIMIT, message, build_catch_up, &u);
	*local = u.local;
	*has_local = u.has_local;
	return rc;
}

static void remove_ref(git_repository *repo, const char *name)
{
	git_reference *r;
	if (git_reference_lookup(&r, repo, name) == 0) {
		git_reference_delete(r);
		git_reference_free(r);
	}
}

int pg_store_sync(pg_sync_outcome *out, git_repository *repo, const char *remote, const char *ref)
{
	memset(out, 0, sizeof(*out));
	char side[512], fetch_spec[1100], lease[1100], push_spec[1100], reason[512];
	char hex[GIT_OID_HEXSZ + 1];
	remote = remote ? remote : "origin";
	ref = ref ? ref : PG_NOTES_REF;
	if (remote[0] == '-')
		return pg_error_set(PG_EINPUT, "%s: not a remote name or URL", remote);
	snprintf(side, sizeof(side), "%s-sync-remote", ref);
	snprintf(fetch_spec, sizeof(fetch_spec), "+%s:%s", ref, side);
	snprintf(push_spec, sizeof(push_spec), "%s:%s", ref, ref);
	const char *dir = git_repository_workdir(repo);
	if (!dir)
		dir = git_repository_path(repo);

	int rc = 0;
	for (int attempt = 1;; attempt++) {
		git_run run;
		git_oid theirs, local;
		int has_theirs = 0, has_local = 0;

		remove_ref(repo, side);
		const char *fetch[] = {"fetch", "--quiet", "--no-tags", "--no-write-fetch-head", remote,
				       fetch_spec, NULL};
		if ((rc = run_git(&run, dir, fetch)))
			break;
		if (run.status != 0 && !strstr(run.err, "couldn't find remote ref")) {
			git_reason(reason, sizeof(reason), &run);
			free(run.err);
			rc = pg_error_set(PG_ESYSTEM, "sync with %s: git fetch failed: %s", remote, reason);
			break;
		}
		free(run.err);
		if ((rc = pg_notes_ref_tip(&theirs, NULL, repo, side)) < 0)
			break;
		has_theirs = rc == 0;
		git_oid before;
		int had_local = pg_notes_ref_tip(&before, NULL, repo, ref) == 0;
		rc = merge_into_local(&local, &has_local, repo, ref, has_theirs ? &theirs : NULL, remote);
		if (rc)
			break;
		out->remote_had = has_theirs;
		out->local_had = has_local;
		out->merged |= has_local && (!had_local || !git_oid_equal(&before, &local));
		if (!has_local || (has_theirs && git_oid_equal(&local, &theirs)))
			break; /* nothing here the remote lacks */

		/* The lease: the remote must still be where we fetched it, else we merge again. */
		snprintf(lease, sizeof(lease), "--force-with-lease=%s:%s", ref,
			 has_theirs ? git_oid_tostr(hex, sizeof(hex), &theirs) : "");
		const char *push[] = {"push", "--quiet", "--no-verify", remote, lease, push_spec, NULL};
		if ((rc = run_git(&run, dir, push)))
			break;
		if (run.status == 0) {
			free(run.err);
			out->pushed = 1;
			break;
		}
		int race = lost_race(&run);
		git_reason(reason, sizeof(reason), &run);
		free(run.err);
		if (!race) {
			rc = pg_error_set(PG_ESYSTEM, "sync with %s: git push failed: %s", remote, reason);
			break;
		}
		if (attempt > PUSH_RETRIES) {
			rc = pg_error_set(PG_ESYSTEM,
					  "sync with %s: gave up after %d attempts: another pusher kept "
					  "winning (%s)",
					  remote, attempt, reason);
			break;
		}
		/* A round trip to the remote, not a local ref: the same backoff on a longer scale. */
		pg_store_backoff(attempt, 0.2, 3.2);
	}
	remove_ref(repo, side);
	return rc;
}
