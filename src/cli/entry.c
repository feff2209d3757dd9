/*
 * entry.c - perfgate's verbs behind the executable: start the spawner, pick the verb, map errors
 * to exit status. Built as the module libperfgate-cli.so, which the executable (main.c) loads
 * for every verb, so that --version does not load libgit2 and the libraries it needs.
 */
#include "cli/cli.h"
#include "perfgate/error.h"
#include "perfgate/log.h"
#include "perfgate/gitlib.h"
#include "perfgate/runner.h"
#include "pg_version.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

static const struct verb {
	const char *name;
	int (*fn)(int argc, char *argv[]);
	const char *summary;
	int measures; /* starts measured processes: needs the spawner */
} verbs[] = {
	{"run", cmd_run, "measure the benchmarks of a gates file, or one command", 1},
	{"check", cmd_check, "measure, compare with the baseline, hold the gates: the CI command", 1},
	{"compare", cmd_compare, "compare two stored or file result sets", 0},
	{"ab", cmd_ab, "build the base beside the head, measure both interleaved, decide paired", 1},
	{"show", cmd_show, "print what is stored on a commit", 0},
	{"log", cmd_log, "a table of results along first-parent history", 0},
	{"sync", cmd_sync, "fetch, merge and push the results notes of a remote", 0},
	{"size", cmd_size, "stripped, gzip and per-section sizes of files", 0},
	{"plot", cmd_plot, "gnuplot history plots of metrics along first-parent history", 0},
	{"import", cmd_import, "results of hyperfine, Google Benchmark, criterion, LuminaGuard, github-action-benchmark", 0},
	{"export", cmd_export, "a stored result set as github-action-benchmark JSON", 0},
	{"bisect", cmd_bisect, "find the first commit whose benchmark regressed against a good one", 1},
	{"changes", cmd_changes, "change points along first-parent history", 0},
	{"prune", cmd_prune, "keep samples for recent commits, summaries beyond", 0},
	{"publish", cmd_publish, "a static dashboard site of the stored results", 0},
	{"accept", cmd_accept, "record that a commit's change of some metrics is intended", 0},
	{"save", cmd_save, "put result files into the store (such as those a failed --save kept)", 0},
	{"merge", cmd_merge, "the result files of a sharded run (a CI matrix) made one set", 0},
	{"hook", cmd_hook, "install the pre-push hook that holds a push to the gates", 0},
};

static void print_usage(FILE *out)
{
	fputs("usage: perfgate VERB [OPTIONS]\n\n", out);
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		fprintf(out, "  %-10s %s\n", verbs[i].name, verbs[i].summary);
	fputs("\n  help [VERB]  this text, or a verb's options\n"
	      "  --version    print the version\n\n"
	      "Exit status: 0 pass, 1 a gate or benchmark failed, 2 bad command line or\n"
	      "document, 3 perfgate could not do its job.\n",
	      out);
}

static const struct verb *find_verb(const char *name)
{
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (strcmp(verbs[i].name, name) == 0)
			return &verbs[i];
	return NULL;
}

__attribute__((visibility("default"))) const char pg_cli_version[] = PG_VERSION;

__attribute__((visibility("default"))) int pg_cli_main(int argc, char *argv[])
{
	/* A target that exits mid-corpus must fail its benchmark, not kill perfgate. */
	signal(SIGPIPE, SIG_IGN);
	if (argc < 2) {
		print_usage(stderr);
		return 2;
	}
	const char *name = argv[1];
	if (strcmp(name, "help") == 0 || strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0) {
		if (argc > 2 && find_verb(argv[2])) {
			char *help_argv[] = {argv[2], "--help", NULL};
			return pg_error_exit_status(find_verb(argv[2])->fn(2, help_argv));
		}
		print_usage(stdout);
		return 0;
	}
	const struct verb *verb = find_verb(name);
	if (!verb) {
		pg_error_set(PG_EINPUT, "unknown verb '%s'", name);
		pg_log_error(pg_error_message());
		print_usage(stderr);
		return 2;
	}
	/*
	 * Before anything grows: children started from the spawner inherit its small peak RSS. A
	 * verb that measures nothing starts no spawner (no fork: a faster start); what it runs
	 * (gnuplot, git) it starts itself.
	 */
	if (verb->measures && pg_spawner_start() != 0) {
		pg_log_error(pg_error_message());
		return 3;
	}
	int rc = verb->fn(argc - 1, argv + 1);
	pg_gitlib_close();
	pg_spawner_stop();
	/* perfgate's own footprint, not what it measured (tests/bench/check_time.sh reads it). */
	struct rusage self;
	if (getrusage(RUSAGE_SELF, &self) == 0)
		pg_log_verbose("peak RSS of this process: %ld KiB", self.ru_maxrss);
	if (rc)
		pg_log_error(pg_error_message());
	return pg_error_exit_status(rc);
}
