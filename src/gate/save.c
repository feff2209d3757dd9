/* save.c - results into the store; kept on disk when the store will not take them; `perfgate save` */
#include "perfgate/gate.h"

#include "perfgate/error.h"
#include "perfgate/fileio.h"
#include "perfgate/gitlib.h"
#include "perfgate/log.h"
#include "perfgate/repo.h"
#include "perfgate/store.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/*
 * Where a result set waits when saving failed: .git/perfgate/unsaved in a
 * repository (the common directory, shared by its worktrees), else
 * STORE/unsaved. NULL when there is neither, or out of memory.
 */
static char *unsaved_dir(const pg_gate_context *ctx, const char *store_dir)
{
	if (ctx->repo || ctx->common_dir)
		return pg_path_join(ctx->repo ? git_repository_commondir(ctx->repo) : ctx->common_dir,
				    "perfgate/unsaved");
	return store_dir ? pg_path_join(store_dir, "unsaved") : NULL;
}

/* The number of *.json files in dir (0 when it does not exist). */
static size_t count_unsaved(const char *dir)
{
	DIR *d = dir ? opendir(dir) : NULL;
	size_t n = 0;
	for (struct dirent *e; d && (e = readdir(d));) {
		size_t len = strlen(e->d_name);
		n += e->d_name[0] != '.' && len > 5 && strcmp(e->d_name + len - 5, ".json") == 0;
	}
	if (d)
		closedir(d);
	return n;
}

/* Nothing measured is lost unless this write fails too. */
int pg_gate_keep_unsaved(int rc, const pg_result_set *rs, const pg_gate_context *ctx, const char *store_dir)
{
	char why[2048], name[96];
	snprintf(why, sizeof(why), "%s", pg_error_message());
	char *dir = unsaved_dir(ctx, store_dir), *path = NULL, *text = NULL;
	if (rs->run_id)
		snprintf(name, sizeof(name), "%.64s.json", rs->run_id);
	else
		snprintf(name, sizeof(name), "%lld-%ld.json", (long long)time(NULL), (long)getpid());
	int kept = dir && pg_make_dirs(dir, "unsaved directory") == 0 && (path = pg_path_join(dir, name)) &&
		   pg_result_set_to_string(&text, rs, 1) == 0 && pg_file_write_atomic(path, text, strlen(text)) == 0;
	if (kept)
		rc = pg_error_set(rc, "%s; the results are kept in %s: once that is fixed, save them with: perfgate save%s%s %s",
				  why, path, store_dir ? " --store " : "", store_dir ? store_dir : "", path);
	else
		rc = pg_error_set(rc, "%s (and they could not be kept in %s either: they are lost)", why,
				  dir ? dir : "an unsaved directory");
	free(text);
	free(path);
	free(dir);
	return rc;
}

int pg_gate_save(const pg_result_set *rs, const pg_gate_context *ctx, const char *store_dir, int allow_dirty)
{
	pg_store *store = NULL;
	int rc = pg_gate_refuse_dirty(rs, ctx, allow_dirty);
	if (rc)
		return rc;
	if (!ctx->repo && !store_dir)
		return pg_error_set(PG_ESYSTEM, "--save: not in a git repository (give --store DIR)");
	if (!rs->commit && ctx->repo && git_repository_is_bare(ctx->repo))
		return pg_error_set(PG_EINPUT, "--save: %s is a bare repository, so no checked-out commit was measured: name the commit these results belong to with --commit REV",
				    ctx->root);
	rc = pg_gate_open_store(&store, ctx, store_dir);
	if (!rc)
		rc = pg_store_save(store, rs);
	pg_store_free(store);
	if (rc)
		return pg_gate_keep_unsaved(rc, rs, ctx, store_dir);
	pg_log_verbose("saved on %.12s in %s", rs->commit ? rs->commit : "(no commit)",
		       store_dir ? store_dir : "refs/notes/perfgate");
	/* Now that saving works again, say what an earlier failure left behind. */
	char *dir = unsaved_dir(ctx, store_dir);
	size_t waiting = count_unsaved(dir);
	if (waiting)
		pg_log_note("%zu result set%s could not be saved earlier and wait%s in %s: save them with: perfgate save%s%s %s/*.json",
			    waiting, waiting == 1 ? "" : "s", waiting == 1 ? "s" : "", dir,
			    store_dir ? " --store " : "", store_dir ? store_dir : "", dir);
	free(dir);
	return 0;
}

/* path lies in dir (one level down): the file was kept there by keep_unsaved. */
static int kept_in(const char *path, const char *dir)
{
	char *real_path = realpath(path, NULL), *real_dir = dir ? realpath(dir, NULL) : NULL;
	int in = 0;
	if (real_path && real_dir) {
		size_t n = strlen(real_dir);
		in = strncmp(real_path, real_dir, n) == 0 && real_path[n] == '/' && !strchr(real_path + n + 1, '/');
	}
	free(real_path);
	free(real_dir);
	return in;
}

int pg_gate_save_files(const pg_gate_save_options *o)
{
	pg_gate_context ctx = {0};
	pg_store *store = NULL;
	int rc = pg_gate_context_open(&ctx);
	if (!rc && !ctx.repo && !o->store_dir)
		rc = pg_error_set(PG_ESYSTEM, "save: not in a git repository (give --store DIR)");
	/* Every file is read and placed before any is saved: a bad one saves nothing. */
	size_t n = 0;
	while (o->files[n])
		n++;
	pg_result_set **sets = calloc(n + 1, sizeof(*sets));
	if (!rc && !sets)
		rc = pg_error_set(PG_ENOMEM, "out of memory");
	for (size_t i = 0; !rc && i < n; i++) {
		const char *f = o->files[i];
		if ((rc = pg_result_set_read_file(&sets[i], f)))
			break;
		if (o->commit) {
			free(sets[i]->commit);
			sets[i]->commit = NULL;
			if ((rc = pg_repo_resolve_commit(&sets[i]->commit, ctx.repo, o->commit)))
				rc = pg_error_wrap(rc, "save %s", f);
		} else if (!sets[i]->commit && !o->store_dir) {
			rc = pg_error_set(PG_EINPUT, "%s: the result set names no commit: give the commit it was measured on with --commit REV",
					  f);
		} else if (sets[i]->commit && ctx.repo) {
			char *found = NULL;
			if (pg_repo_resolve_commit(&found, ctx.repo, sets[i]->commit) != 0)
				rc = pg_error_set(PG_EINPUT, "%s: commit %.12s is not in this repository: fetch it, or name another with --commit REV",
						  f, sets[i]->commit);
			free(found);
		}
	}
	if (!rc)
		rc = pg_gate_open_store(&store, &ctx, o->store_dir);
	char *dir = rc ? NULL : unsaved_dir(&ctx, o->store_dir);
	for (size_t i = 0; !rc && i < n; i++) {
		if ((rc = pg_store_save(store, sets[i]))) {
			rc = pg_error_wrap(rc, "save %s", o->files[i]);
			break;
		}
		pg_log_note("saved %s on %.12s", o->files[i], sets[i]->commit ? sets[i]->commit : "unversioned");
		/* A kept file has done its job once it is in the store. */
		if (kept_in(o->files[i], dir) && unlink(o->files[i]) != 0)
			pg_log_warning("%s: saved, but cannot remove it: %s", o->files[i], strerror(errno));
	}
	free(dir);
	for (size_t i = 0; sets && i < n; i++)
		pg_result_set_free(sets[i]);
	free(sets);
	pg_store_free(store);
	pg_gate_context_close(&ctx);
	return rc;
}
