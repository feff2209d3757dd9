/* cmd_save.c - `perfgate save`: result files into the store, such as those a failed save kept */
#include "cli.h"

#include "perfgate/error.h"

static const char usage[] = "perfgate save FILE... [--commit REV] [--store DIR]";

static const char help[] =
	"Append result files (perfgate/1, as run -o writes them) to the store, each on\n"
	"the commit it names. When --save cannot write to the store (a lock left by a\n"
	"killed writer, a full disk), the results are kept in .git/perfgate/unsaved/\n"
	"and the error prints the command that saves them; a kept file is removed once\n"
	"it is saved. Every file is read and its commit checked before any is saved.\n"
	"\n"
	"  --commit REV    the commit the results belong to, over what the files say\n"
	"  --store DIR     a directory store instead of refs/notes/perfgate\n"
	"\n"
	"Exit status: 0 saved, 2 bad command line or file, 3 could not read or write.\n";

int cmd_save(int argc, char *argv[])
{
	static const pg_cli_verb verb = {.name = "save", .usage = usage, .help = help, .operands = PG_CLI_OPERANDS};
	pg_gate_save_options o = {0};
	int first;
	const pg_cli_option opts[] = {{"commit", 0, PG_CLI_STRING, .dest = &o.commit},
				      {"store", 0, PG_CLI_STRING, .dest = &o.store_dir},
				      {0}};
	int rc = pg_cli_parse(&first, &verb, opts, argc, argv);
	if (rc)
		return rc == PG_CLI_HELP ? 0 : rc;
	if (first >= argc)
		return pg_error_set(PG_EINPUT, "save: name at least one result file\nusage: %s", usage);
	o.files = argv + first;
	return pg_gate_save_files(&o);
}
