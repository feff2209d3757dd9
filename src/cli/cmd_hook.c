/* cmd_hook.c - `perfgate hook install|print`: its words and options, then the hook's flow */
#include "cli.h"

#include "perfgate/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
		int rc = pg_gate_hook_text(&text);
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
		return pg_gate_hook_install(force);
	}
	return pg_error_set(PG_EINPUT, "hook: expected 'install' or 'print' (usage: %s)", usage);
}
