/* hook.c - perfgate's pre-push hook: its text with this executable in it, installed in a repository */
#include "perfgate/gate.h"

#include "perfgate/error.h"
#include "perfgate/fileio.h"
#include "perfgate/gitlib.h"

#include "pre_push_hook.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* The marker that tells our hook from someone else's. */
#define HOOK_MARKER "pre-push.sample - a git pre-push hook: run perfgate's gates"

int pg_gate_hook_text(char **out)
{
	char *self = pg_self_dir();
	*out = NULL;
	if (!self)
		return pg_error_set(PG_ESYSTEM, "cannot find this executable (/proc/self/exe)");
	const char *body = pg_pre_push_hook;
	const char *after_shebang = strchr(body, '\n');
	after_shebang = after_shebang ? after_shebang + 1 : body;
	int shebang_len = (int)(after_shebang - body);
	/* The path goes into single quotes: a quote in it would end them, so refuse it. */
	if (strchr(self, '\'')) {
		int rc = pg_error_set(PG_ESYSTEM,
				      "'%s': a directory with a quote in its name cannot go into the hook", self);
		free(self);
		return rc;
	}
	size_t size = strlen(body) + strlen(self) + 128;
	char *text = malloc(size);
	if (text)
		snprintf(text, size,
			 "%.*s# Installed by `perfgate hook install`: this perfgate unless PERFGATE names another.\n"
			 ": ${PERFGATE:='%s/perfgate'}\n%s",
			 shebang_len, body, self, after_shebang);
	free(self);
	if (!text)
		return pg_error_set(PG_ENOMEM, "out of memory");
	*out = text;
	return 0;
}

/* The hooks directory: core.hooksPath (relative to the work tree) or GIT_DIR/hooks; caller frees. */
static int hooks_dir(char **out, const pg_gate_context *ctx)
{
	git_config *config = NULL;
	git_buf path = {0};
	int rc = 0;
	if (git_repository_config_snapshot(&config, ctx->repo) == 0 &&
	    git_config_get_path(&path, config, "core.hooksPath") == 0) {
		*out = path.ptr[0] == '/' ? strdup(path.ptr) : pg_path_join(ctx->root, path.ptr);
	} else {
		*out = pg_path_join(git_repository_commondir(ctx->repo), "hooks");
	}
	if (!*out)
		rc = pg_error_set(PG_ENOMEM, "out of memory");
	git_buf_dispose(&path);
	git_config_free(config);
	return rc;
}

int pg_gate_hook_install(int force)
{
	pg_gate_context ctx;
	int rc = pg_gate_context_open(&ctx);
	if (rc)
		return rc;
	char *text = NULL, *dir = NULL, *path = NULL, *old = NULL;
	if (!ctx.repo) {
		rc = pg_error_set(PG_ESYSTEM, "hook install: not in a git repository");
		goto done;
	}
	if ((rc = pg_gate_hook_text(&text)))
		goto done;
	if ((rc = hooks_dir(&dir, &ctx)))
		goto done;
	if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
		rc = pg_error_set(PG_ESYSTEM, "%s: cannot create the hooks directory: %s", dir,
				  strerror(errno));
		goto done;
	}
	if (!(path = pg_path_join(dir, "pre-push"))) {
		rc = pg_error_set(PG_ENOMEM, "out of memory");
		goto done;
	}
	size_t len;
	if (!force && pg_file_read(&old, &len, path) == 0 && !strstr(old, HOOK_MARKER)) {
		rc = pg_error_set(PG_EINPUT,
				  "%s: a pre-push hook that is not perfgate's is there; --force replaces it",
				  path);
		goto done;
	}
	pg_error_clear();
	if ((rc = pg_file_write_atomic(path, text, strlen(text))))
		goto done;
	if (chmod(path, 0755) != 0) {
		rc = pg_error_set(PG_ESYSTEM, "%s: cannot make it executable: %s", path, strerror(errno));
		goto done;
	}
	printf("perfgate: pre-push hook installed in %s (PERFGATE_SKIP=1 git push skips it)\n", path);
done:
	free(old);
	free(path);
	free(dir);
	free(text);
	pg_gate_context_close(&ctx);
	return rc;
}

