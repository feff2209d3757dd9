/* elfsize.h - the size of one file: on disk, gzipped, and for ELF what strip would leave and per section */
#ifndef PERFGATE_ELFSIZE_H
#define PERFGATE_ELFSIZE_H

#include "perfgate/result.h"

#include <stddef.h>

typedef struct pg_section_size {
	char *name;               /* as in the section name table; sections of one name are summed */
	unsigned long long bytes; /* SHT_NOBITS (.bss, .tbss): the memory size */
	int in_file;              /* 0 for SHT_NOBITS: bytes take memory, not file space */
} pg_section_size;

typedef struct pg_file_size {
	unsigned long long bytes;          /* st_size (bytes read, for what is not a regular file) */
	unsigned long long gzip_bytes;     /* zlib level 9, gzip wrapper without a name: `gzip -9 -n` */
	unsigned long long stripped_bytes; /* ELF only: what GNU `strip` (default options) leaves */
	unsigned long long gzip_stripped_bytes; /* ELF only: that stripped file through `gzip -9 -n` */
	int is_elf;
	int elf_class;  /* 32 or 64 */
	int big_endian; /* ELFDATA2MSB */
	/* ELF only, in section header order: SHF_ALLOC sections and the other sections strip keeps. */
	pg_section_size *sections;
	size_t n_sections;
} pg_file_size;

/*
 * Measure the file at path into out (overwritten; release it with
 * pg_file_size_release, also after an error). The file is streamed in
 * fixed-size chunks and its headers read with bounds checks, so memory
 * does not grow with the file. Returns 0; PG_ESYSTEM naming the path when
 * it is missing, unreadable or a directory; PG_EINPUT naming the path and
 * what is wrong when it starts like ELF but its headers are corrupt
 * (truncated, tables or sections past the end, names outside the name
 * table, overlapping sections); PG_ENOMEM.
 */
int pg_file_size_measure(pg_file_size *out, const char *path);

/* Free what measure allocated (the sections) and zero fs. Accepts NULL. */
void pg_file_size_release(pg_file_size *fs);

/*
 * Append fs's metrics to b, each named prefix + name (prefix "" or
 * "perfgate."), unit bytes, lower is better, a single value: for ELF
 * stripped_bytes (the primary metric), gzip_bytes, bytes, then
 * section:NAME in section header order; otherwise bytes, gzip_bytes.
 * Pointers into b->metrics may move. Returns 0 or PG_ENOMEM.
 * The `size` benchmark kind and `perfgate size` both name metrics this way.
 */
int pg_file_size_add_metrics(pg_benchmark *b, const pg_file_size *fs, const char *prefix);

#endif
