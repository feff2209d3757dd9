/* dirstore.c - the plain-file store (--store DIR): DIR/<commit>.jsonl, written under a lock */
#include "store_private.h"

#include "perfgate/error.h"
#include "perfgate/fileio.h"
#include "perfgate/repo.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

static char *commit_path(const pg_store *store, const char *commit)
{
	char name[64];
	snprintf(name, sizeof(name), "%s.jsonl", commit);
	return pg_path_join(store->dir, name);
}

static int dir_read_text(char **text, size_t *len, pg_store *store, const char *commit)
{
	struct stat st;
	*text = NULL;
	*len = 0;
	char *path = commit_path(store, commit);
	if (!path)
		return pg_error_set(PG_ENOMEM, "out of memory");
	/* Files are only ever replaced by rename, so a missing one means nothing stored. */
	if (stat(path, &st) != 0 && errno == ENOENT) {
		free(path);
		return 0;
	}
	int rc = pg_file_read(text, len, path);
	free(path);
	return rc;
}

/* Writers queue on DIR/.lock: read, change and rename happen as one step, so no write races. */
static int dir_update(pg_store *store, const char *commit, pg_note_change_fn change, void *arg)
{
	char *lock = pg_path_join(store->dir, ".lock"), *current = NULL, *text = NULL;
	size_t len;
	int rc = 0;
	if (!lock)
		return pg_error_set(PG_ENOMEM, "out of memory");
	int fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
	free(lock);
	if (fd < 0)
		return pg_error_set(PG_ESYSTEM, "%s: cannot write to the store directory: %s", store->dir,
				    strerror(errno));
	while (flock(fd, LOCK_EX) != 0) {
		if (errno != EINTR) {
			rc = pg_error_set(PG_ESYSTEM, "%s: cannot lock the store: %s", store->dir, strerror(errno));
			close(fd);
			return rc;
		}
	}
	rc = dir_read_text(&current, &len, store, commit);
	if (!rc)
		rc = change(&text, current, arg);
	if (!rc && text) {
		char *path = commit_path(store, commit);
		rc = path ? pg_file_write_atomic(path, text, strlen(text)) : pg_error_set(PG_ENOMEM, "out of memory");
		free(path);
	}
	free(current);
	free(text);
	close(fd);
	return rc;
}

static int dir_check_commit(pg_store *store, const char *commit)
{
	if (strcmp(commit, "unversioned") == 0)
		return 0;
	if (!pg_store_is_hex40(commit))
		return pg_error_set(PG_EINPUT, "%s: not a commit id (40 hex digits) or \"unversioned\"",
				    commit);
	if (!store->repo)
		return 0;
	git_oid id;
	git_object *obj;
	git_oid_fromstrn(&id, commit, GIT_OID_HEXSZ);
	int rc = git_object_lookup(&obj, store->repo, &id, GIT_OBJECT_COMMIT);
	if (rc == GIT_ENOTFOUND)
		return pg_error_set(PG_EINPUT, "%s: not a commit in this repository", commit);
	if (rc < 0)
		return pg_error_set(PG_ESYSTEM, "%s: cannot read the commit: %s", commit,
				    pg_git_error());
	git_object_free(obj);
	return 0;
}

static void dir_origin(char *buf, size_t size, const pg_store *store, const char *commit)
{
	size_t n = strlen(store->dir);
	snprintf(buf, size, "%s%s%s.jsonl", store->dir, n && store->dir[n - 1] == '/' ? "" : "/",
		 commit);
}

static void dir_free(pg_store *store)
{
	free(store->dir);
	free(store);
}

static const pg_store_ops dir_ops = {
	.read_text = dir_read_text,
	.update = dir_update,
	.check_commit = dir_check_commit,
	.origin = dir_origin,
	.free = dir_free,
};

int pg_store_open_dir(pg_store **out, const char *dir, git_repository *repo)
{
	int rc = pg_make_dirs(dir, "store directory");
	if (rc)
		return rc;
	pg_store *store = calloc(1, sizeof(*store));
	if (!store || !(store->dir = strdup(dir))) {
		free(store);
		return pg_error_set(PG_ENOMEM, "out of memory");
	}
	store->ops = &dir_ops;
	store->repo = repo;
	store->retry_limit_s = PG_STORE_RETRY_LIMIT;
	*out = store;
	return 0;
}
