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
	static const pg_cli_verb verb = {.name = "hook", .usage = usage, .help = help, .operands = PG_CLI_OPERANDS};
	int force = 0, first;
	const pg_cli_option opts[] = {{"force", 0, PG_CLI_FLAG, .dest = &force}, {0}};
	int rc = pg_cli_parse(&first, &verb, opts, argc, argv);
	if (rc)
		return rc == PG_CLI_HELP ? 0 : rc;
	const char *what = first < argc ? argv[first] : NULL;
	int known = what && (strcmp(what, "install") == 0 || strcmp(what, "print") == 0);
	const char *bad = !what ? NULL : !known ? what : first + 1 < argc ? argv[first + 1] : NULL;
	if (!what || bad)
		return pg_error_set(PG_EINPUT, "hook: expected 'install' or 'print'%s%s%s (usage: %s)",
				    bad ? ", found '" : "", bad ? bad : "", bad ? "'" : "", usage);
	if (strcmp(what, "install") == 0)
		return pg_gate_hook_install(force);
	if (force)
		return pg_error_set(PG_EINPUT, "hook print: --force is for install (usage: %s)", usage);
	char *text;
	if ((rc = pg_gate_hook_text(&text)))
		return rc;
	fputs(text, stdout);
	free(text);
	return 0;
}
