/* cmd_size.c - `perfgate size FILE...`: bytes, stripped, gzip and section sizes, as a table or a result set */
#include "cli.h"

#include "perfgate/bench.h"
#include "perfgate/elfsize.h"
#include "perfgate/error.h"
#include "perfgate/quantity.h"
#include "perfgate/result.h"

#include <errno.h>
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
			FILE *out = fopen(eq + 1, "w");
			if (!out) {
				rc = pg_error_set(PG_ESYSTEM, "%s: cannot write: %s", eq + 1, strerror(errno));
				break;
			}
			rc = print_table(out, paths, sizes, n);
			if (fclose(out) != 0 && !rc)
				rc = pg_error_set(PG_ESYSTEM, "%s: cannot write: %s", eq + 1, strerror(errno));
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
	static const struct option longopts[] = {{"format", required_argument, NULL, OPT_FORMAT},
						  {"env", required_argument, NULL, OPT_ENV},
						  {"help", no_argument, NULL, OPT_HELP},
						  {NULL, 0, NULL, 0}};
	char **formats = NULL;
	size_t n_formats = 0, n_files = 0;
	const char *env_key = NULL;
	pg_file_size *sizes = NULL;
	int opt, rc = 0;

	/* 0, not 1: GNU getopt re-initialises its argument permutation (FILE may precede options). */
	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (opt == 'h' || opt == OPT_HELP) {
			printf("usage: %s\n\n%s", usage, help);
			goto out;
		}
		if (opt == OPT_ENV) {
			env_key = optarg;
		} else if (opt == OPT_FORMAT) {
			size_t len = strcspn(optarg, "=");
			if (!((len == 4 && strncmp(optarg, "text", 4) == 0) ||
			      (len == 4 && strncmp(optarg, "json", 4) == 0))) {
				rc = pg_error_set(PG_EINPUT, "--format: unknown format '%.*s' for size (expected text or json)",
						  (int)len, optarg);
				goto out;
			}
			char **grown = realloc(formats, (n_formats + 1) * sizeof(char *));
			if (!grown) {
				rc = pg_error_set(PG_ENOMEM, "out of memory");
				goto out;
			}
			formats = grown;
			formats[n_formats++] = optarg;
		} else {
			rc = pg_cli_bad_option("size", usage, argv);
			goto out;
		}
	}
	char *const *paths = argv + optind;
	n_files = (size_t)(argc - optind);
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
