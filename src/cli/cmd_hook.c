/* cmd_hook.c - `perfgate hook install`: put perfgate's pre-push hook into the current repository */
#include "cli.h"

#include "perfgate/error.h"
#include "perfgate/fileio.h"

#include "pre_push_hook.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char usage[] = "perfgate hook install [--force] | perfgate hook print";

static const char help[] =
	"Install perfgate's git pre-push hook in the repository of the current directory\n"
	"(its hooks directory, or core.hooksPath), so that a push is held to the same\n"
	"gates CI holds (`perfgate check --local` against the merge-base's stored results).\n"
	"The hook runs this perfgate executable unless PERFGATE names another.\n"
	"\n"
	"  install        write .git/hooks/pre-push (mode 0755)\n"
	"  --force        replace a pre-push hook that is not perfgate's\n"
	"  print          write the hook to stdout instead\n"
	"\n"
	"Skip the hook once with PERFGATE_SKIP=1 git push. Exit status: 0 written,\n"
	"2 bad command line or another pre-push hook is in the way, 3 not in a\n"
	"repository or the hook could not be written.\n";

/* The marker that tells our hook from someone else's. */
#define HOOK_MARKER "pre-push.sample - a git pre-push hook: run perfgate's gates"

/* The embedded hook with this executable as its default perfgate; caller frees *out. */
static int hook_text(char **out)
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

static int install(int force)
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
	if ((rc = hook_text(&text)))
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

int cmd_hook(int argc, char *argv[])
{
	/* `install` takes its own options; any other word is "unknown argument", as a subcommand's are. */
	static const pg_cli_verb install_verb = {.name = "hook install", .usage = usage, .help = help,
						 .unknown = "hook install: unknown argument '%s' (usage: %s)"};
	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		printf("usage: %s\n\n%s", usage, help);
		return 0;
	}
	if (argc == 2 && strcmp(argv[1], "print") == 0) {
		char *text;
		int rc = hook_text(&text);
		if (rc)
			return rc;
		fputs(text, stdout);
		free(text);
		return 0;
	}
	if (argc >= 2 && strcmp(argv[1], "install") == 0) {
		int force = 0;
		const pg_cli_option opts[] = {{"force", 0, PG_CLI_FLAG, .dest = &force}, {0}};
		int rc = pg_cli_parse(NULL, &install_verb, opts, argc - 1, argv + 1);
		if (rc)
			return rc == PG_CLI_HELP ? 0 : rc;
		return install(force);
	}
	return pg_error_set(PG_EINPUT, "hook: expected 'install' or 'print' (usage: %s)", usage);
}
