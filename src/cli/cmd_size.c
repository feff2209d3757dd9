/* cmd_size.c - `perfgate size FILE...`: bytes, stripped, gzip and section sizes, as a table or a result set */
#include "cli.h"

#include "perfgate/bench.h"
#include "perfgate/elfsize.h"
#include "perfgate/error.h"
#include "perfgate/fileio.h"
#include "perfgate/quantity.h"
#include "perfgate/result.h"

#include <stdlib.h>
#include <string.h>

static const char usage[] = "perfgate size FILE... [--format text|json[=FILE]]... [--env KEY]";

static const char help[] =
	"Measure files on disk: their size, what GNU strip would leave of an ELF\n"
	"file (symbols and debug sections removed), their size compressed by gzip -9\n"
	"(zlib), and the size of each ELF section, largest first.\n"
	"\n"
	"  --format F[=FILE] text (default) or json: a perfgate/1 result set with one\n"
	"                    benchmark per file, kind size; repeatable\n"
	"  --env KEY         environment key recorded in the result set\n"
	"\n"
	"No gates file is needed. Exit status: 0 measured, 2 bad command line or a\n"
	"corrupt ELF file, 3 a file is missing or unreadable.\n";

/* Widest section name printed in full; longer ones widen only their own row. */
#define NAME_COLUMN_MAX 32

static void print_row(FILE *out, int indent, int width, const char *name, unsigned long long bytes,
		      const char *note)
{
	char human[32];
	pg_format_value(human, sizeof(human), (double)bytes, "bytes");
	fprintf(out, "%*s%-*s %10s %12llu%s%s\n", indent, "", width, name, human, bytes,
		note ? "  " : "", note ? note : "");
}

static int by_size_desc(const void *a, const void *b)
{
	const pg_section_size *x = *(const pg_section_size *const *)a,
			      *y = *(const pg_section_size *const *)b;
	if (x->bytes != y->bytes)
		return x->bytes < y->bytes ? 1 : -1;
	return strcmp(x->name, y->name);
}

static int print_table(FILE *out, char *const *paths, const pg_file_size *sizes, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const pg_file_size *fs = &sizes[i];
		int width = 6; /* section names sit two deeper than "stripped" */
		const pg_section_size **sorted = calloc(fs->n_sections ? fs->n_sections : 1,
							sizeof(*sorted));
		if (!sorted)
			return pg_error_set(PG_ENOMEM, "out of memory");
		for (size_t k = 0; k < fs->n_sections; k++) {
			sorted[k] = &fs->sections[k];
			int len = (int)strlen(fs->sections[k].name);
			if (len > width && len <= NAME_COLUMN_MAX)
				width = len;
		}
		qsort(sorted, fs->n_sections, sizeof(*sorted), by_size_desc);
		if (fs->is_elf)
			fprintf(out, "%s%s  (ELF %d-bit, %s-endian)\n", i ? "\n" : "", paths[i],
				fs->elf_class, fs->big_endian ? "big" : "little");
		else
			fprintf(out, "%s%s  (not ELF)\n", i ? "\n" : "", paths[i]);
		print_row(out, 2, width + 2, "bytes", fs->bytes, NULL);
		if (fs->is_elf)
			print_row(out, 2, width + 2, "stripped", fs->stripped_bytes,
				  "without symbols and debug sections");
		if (fs->is_elf)
			print_row(out, 2, width + 2, "gzip stripped", fs->gzip_stripped_bytes,
				  "the stripped file through gzip -9: what a release ships");
		print_row(out, 2, width + 2, "gzip", fs->gzip_bytes, "gzip -9");
		if (fs->n_sections)
			fprintf(out, "  sections, largest first:\n");
		for (size_t k = 0; k < fs->n_sections; k++)
			print_row(out, 4, width, sorted[k]->name, sorted[k]->bytes,
				  sorted[k]->in_file ? NULL : "in memory only");
		free(sorted);
	}
	return 0;
}

static int build_result_set(pg_result_set **out, char *const *paths, const pg_file_size *sizes,
			    size_t n, const char *env_key)
{
	pg_result_set *rs = pg_result_set_new();
	int rc = 0;
	if (!rs)
		return pg_error_set(PG_ENOMEM, "out of memory");
	/* The host's env key, so a size result compares with `run` results taken here. */
	if ((rc = pg_env_detect(&rs->env, env_key))) {
		pg_result_set_free(rs);
		return rc;
	}
	for (size_t i = 0; i < n && !rc; i++) {
		pg_benchmark *b = pg_result_set_add_benchmark(rs, paths[i], "size");
		rc = b ? pg_file_size_add_metrics(b, &sizes[i], "")
		       : pg_error_set(PG_ENOMEM, "out of memory");
	}
	if (!rc)
		rc = pg_result_set_summarize(rs);
	if (rc) {
		pg_result_set_free(rs);
		return rc;
	}
	*out = rs;
	return 0;
}

struct table {
	char *const *paths;
	const pg_file_size *sizes;
	size_t n;
};

static int table_run(FILE *f, void *arg)
{
	const struct table *t = arg;
	return print_table(f, t->paths, t->sizes, t->n);
}

static int write_outputs(char *const *formats, size_t n_formats, char *const *paths,
			 const pg_file_size *sizes, size_t n, const char *env_key)
{
	pg_result_set *rs = NULL;
	int rc = 0;
	if (n_formats == 0)
		return print_table(stdout, paths, sizes, n);
	for (size_t i = 0; i < n_formats && !rc; i++) {
		const char *f = formats[i], *eq = strchr(f, '=');
		/* Formats were checked while parsing: text or json. */
		if (strncmp(f, "text", 4) == 0 && !eq) {
			rc = print_table(stdout, paths, sizes, n);
		} else if (strncmp(f, "text", 4) == 0) {
			struct table t = {paths, sizes, n};
			rc = pg_file_write_rendered(eq + 1, table_run, &t);
		} else if (!rs && (rc = build_result_set(&rs, paths, sizes, n, env_key))) {
			break;
		} else if (eq) {
			rc = pg_result_set_write_file(rs, eq + 1);
		} else {
			char *text;
			if (!(rc = pg_result_set_to_string(&text, rs, 1))) {
				puts(text);
				free(text);
			}
		}
	}
	pg_result_set_free(rs);
	return rc;
}

int cmd_size(int argc, char *argv[])
{
	static const char *const formats_known[] = {"text", "json", NULL};
	static const pg_cli_verb verb = {.name = "size", .usage = usage, .help = help,
					 .operands = PG_CLI_OPERANDS};
	char **formats = NULL;
	size_t n_formats = 0, n_files = 0;
	const char *env_key = NULL;
	pg_file_size *sizes = NULL;
	int first, rc = 0;
	const pg_cli_option opts[] = {
		{"format", 0, PG_CLI_LIST, .dest = &formats, .count = &n_formats, .words = formats_known,
		 .refusal = "--format: unknown format '%s' for size (expected text or json)"},
		{"env", 0, PG_CLI_STRING, .dest = &env_key},
		{0}};

	/* Operands anywhere: FILE may precede the options. */
	if ((rc = pg_cli_parse(&first, &verb, opts, argc, argv))) {
		rc = rc == PG_CLI_HELP ? 0 : rc;
		goto out;
	}
	char *const *paths = argv + first;
	n_files = (size_t)(argc - first);
	if (n_files == 0) {
		rc = pg_error_set(PG_EINPUT, "size: expected at least one FILE\nusage: %s", usage);
		goto out;
	}
	if (!(sizes = calloc(n_files, sizeof(*sizes)))) {
		rc = pg_error_set(PG_ENOMEM, "out of memory");
		goto out;
	}
	/* Everything is measured before anything is printed: a missing file leaves no half table. */
	for (size_t i = 0; i < n_files && !rc; i++)
		rc = pg_file_size_measure(&sizes[i], paths[i]);
	if (!rc)
		rc = write_outputs(formats, n_formats, paths, sizes, n_files, env_key);
out:
	for (size_t i = 0; sizes && i < n_files; i++)
		pg_file_size_release(&sizes[i]);
	free(sizes);
	free(formats);
	return rc;
}
