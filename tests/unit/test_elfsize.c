/* test_elfsize.c - file sizes: stripped as GNU strip leaves it, gzip -9, sections, corrupt ELF, the size kind */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "bench/driver.h"
#include "perfgate/elfsize.h"
#include "perfgate/error.h"
#include "perfgate/gates.h"

#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[64];

static int make_dir(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/pg-elfsize-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int remove_dir(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd);
}

static char *in_dir(const char *name)
{
	static char path[4][256];
	static int next;
	char *p = path[next++ % 4];
	snprintf(p, sizeof(path[0]), "%s/%s", dir, name);
	return p;
}

static void write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

/* The output of a shell command as a number, or -1 when it fails. */
static long long shell_number(const char *cmd)
{
	char line[64] = "";
	FILE *p = popen(cmd, "r");
	if (!p)
		return -1;
	int ok = fgets(line, sizeof(line), p) != NULL;
	if (pclose(p) != 0 || !ok)
		return -1;
	return strtoll(line, NULL, 10);
}

static int have(const char *tool)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", tool);
	return system(cmd) == 0;
}

/* Size of `strip [flags] -o OUT FILE`, or -1 when strip refuses the file. */
static long long strip_size(const char *path, const char *flags)
{
	char cmd[1024];
	const char *out = in_dir("stripped.out");
	snprintf(cmd, sizeof(cmd), "strip %s -o '%s' '%s' 2>/dev/null && stat -c %%s '%s'", flags, out,
		 path, out);
	return shell_number(cmd);
}

static void assert_within_pct(unsigned long long got, long long want, double pct, const char *what)
{
	double diff = (double)got - (double)want;
	printf("    %s: perfgate %llu, reference %lld (%+.3f %%)\n", what, got, want,
	       100.0 * diff / (double)want);
	assert_true(want > 0);
	assert_true(diff <= want * pct / 100.0 && -diff <= want * pct / 100.0);
}

static const char *perfgate_path(void)
{
	static char path[1024];
	const char *bindir = getenv("PG_BINDIR");
	if (!bindir)
		fail_msg("PG_BINDIR is not set (ctest sets it to the build directory)");
	snprintf(path, sizeof(path), "%s/perfgate", bindir);
	return path;
}

/* ---- a small ELF made in memory, of either class and byte order ---- */

typedef struct crafted {
	unsigned char bytes[1024];
	size_t len, shoff;
	int is64, big;
} crafted;

static void put(crafted *c, size_t off, size_t width, unsigned long long v)
{
	for (size_t i = 0; i < width; i++)
		c->bytes[off + (c->big ? width - 1 - i : i)] = (unsigned char)(v >> (8 * i));
}

/* Store a header field by its <elf.h> name at base, in the image's class and byte order. */
#define PUT(c, base, T, member, v)                                                            \
	put((c), (base) + ((c)->is64 ? offsetof(Elf64_##T, member) : offsetof(Elf32_##T, member)), \
	    (c)->is64 ? sizeof(((Elf64_##T *)0)->member) : sizeof(((Elf32_##T *)0)->member), (v))

enum { S_NULL, S_TEXT, S_DATA, S_BSS, S_COMMENT, S_DEBUG, S_SYMTAB, S_STRTAB, S_SHSTRTAB, N_SECTIONS };

static size_t shdr_at(const crafted *c, int index)
{
	return c->shoff + (size_t)index * (c->is64 ? sizeof(Elf64_Shdr) : sizeof(Elf32_Shdr));
}

/*
 * A relocatable object: .text (16 bytes, align 16), .data (8, align 8),
 * .bss (32, no file bytes), .comment (10), .debug_info (20), .symtab with
 * one symbol, .strtab, .shstrtab, then the section header table.
 * strip keeps .text, .data, .bss, .comment and a new .shstrtab of 37
 * bytes, so it writes: ELF64 64 + 16 + 8 + 10 + 37 = 135, aligned to 8:
 * 136, + 6 headers of 64 = 520; ELF32: the 52-byte header padded to 64
 * for .text, then the same 135, aligned to 4: 136, + 6 of 40 = 376.
 */
static void craft(crafted *c, int is64, int big)
{
	static const char shstr[] =
		"\0.text\0.data\0.bss\0.comment\0.debug_info\0.symtab\0.strtab\0.shstrtab";
	static const unsigned name_of[N_SECTIONS] = {0, 1, 7, 13, 18, 27, 39, 47, 55};
	struct {
		unsigned type;
		unsigned long long flags, size, align, entsize;
		unsigned link, info;
	} spec[N_SECTIONS] = {
		[S_TEXT] = {SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR, 16, 16, 0, 0, 0},
		[S_DATA] = {SHT_PROGBITS, SHF_ALLOC | SHF_WRITE, 8, 8, 0, 0, 0},
		[S_BSS] = {SHT_NOBITS, SHF_ALLOC | SHF_WRITE, 32, 8, 0, 0, 0},
		[S_COMMENT] = {SHT_PROGBITS, SHF_MERGE | SHF_STRINGS, 10, 1, 1, 0, 0},
		[S_DEBUG] = {SHT_PROGBITS, 0, 20, 1, 0, 0, 0},
		[S_SYMTAB] = {SHT_SYMTAB, 0, 0, 8, 0, S_STRTAB, 1},
		[S_STRTAB] = {SHT_STRTAB, 0, 6, 1, 0, 0, 0},
		[S_SHSTRTAB] = {SHT_STRTAB, 0, sizeof(shstr), 1, 0, 0, 0},
	};
	unsigned long long offset[N_SECTIONS] = {0};
	size_t sym = is64 ? sizeof(Elf64_Sym) : sizeof(Elf32_Sym);
	size_t ehsize = is64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr);

	memset(c, 0, sizeof(*c));
	c->is64 = is64;
	c->big = big;
	spec[S_SYMTAB].size = 2 * sym;
	spec[S_SYMTAB].entsize = sym;
	size_t off = ehsize;
	for (int i = 1; i < N_SECTIONS; i++) {
		off = (off + spec[i].align - 1) / spec[i].align * spec[i].align;
		offset[i] = off;
		if (spec[i].type != SHT_NOBITS)
			off += spec[i].size;
	}
	memcpy(c->bytes + offset[S_COMMENT], "GCC: test", 10);
	memcpy(c->bytes + offset[S_STRTAB], "\0main", 6);
	memcpy(c->bytes + offset[S_SHSTRTAB], shstr, sizeof(shstr));
	size_t main_sym = offset[S_SYMTAB] + sym;
	PUT(c, main_sym, Sym, st_name, 1);
	PUT(c, main_sym, Sym, st_info, (STB_GLOBAL << 4) | STT_FUNC);
	PUT(c, main_sym, Sym, st_shndx, S_TEXT);
	c->shoff = (off + 7) / 8 * 8;
	for (int i = 0; i < N_SECTIONS; i++) {
		size_t h = shdr_at(c, i);
		PUT(c, h, Shdr, sh_name, name_of[i]);
		PUT(c, h, Shdr, sh_type, spec[i].type);
		PUT(c, h, Shdr, sh_flags, spec[i].flags);
		PUT(c, h, Shdr, sh_offset, offset[i]);
		PUT(c, h, Shdr, sh_size, spec[i].size);
		PUT(c, h, Shdr, sh_link, spec[i].link);
		PUT(c, h, Shdr, sh_info, spec[i].info);
		PUT(c, h, Shdr, sh_addralign, spec[i].align);
		PUT(c, h, Shdr, sh_entsize, spec[i].entsize);
	}
	c->len = shdr_at(c, N_SECTIONS);
	memcpy(c->bytes, ELFMAG, SELFMAG);
	c->bytes[EI_CLASS] = is64 ? ELFCLASS64 : ELFCLASS32;
	c->bytes[EI_DATA] = big ? ELFDATA2MSB : ELFDATA2LSB;
	c->bytes[EI_VERSION] = EV_CURRENT;
	PUT(c, 0, Ehdr, e_type, ET_REL);
	PUT(c, 0, Ehdr, e_machine, is64 ? EM_PPC64 : EM_PPC);
	PUT(c, 0, Ehdr, e_version, EV_CURRENT);
	PUT(c, 0, Ehdr, e_shoff, c->shoff);
	PUT(c, 0, Ehdr, e_ehsize, ehsize);
	PUT(c, 0, Ehdr, e_shentsize, is64 ? sizeof(Elf64_Shdr) : sizeof(Elf32_Shdr));
	PUT(c, 0, Ehdr, e_shnum, N_SECTIONS);
	PUT(c, 0, Ehdr, e_shstrndx, S_SHSTRTAB);
}

static const pg_section_size *find_section(const pg_file_size *fs, const char *name)
{
	for (size_t i = 0; i < fs->n_sections; i++)
		if (strcmp(fs->sections[i].name, name) == 0)
			return &fs->sections[i];
	return NULL;
}

/* ---- real binaries against the real tools ---- */

static void test_elfsize_stripped_bytes_of_perfgate_match_strip_o(void **state)
{
	(void)state;
	pg_file_size fs;
	if (!have("strip"))
		skip();
	assert_int_equal(pg_file_size_measure(&fs, perfgate_path()), 0);
	assert_true(fs.is_elf);
	assert_int_equal(fs.elf_class, 64);
	/* Built RelWithDebInfo: debug sections and symbols make up much of the file. */
	assert_true(fs.stripped_bytes < fs.bytes);
	assert_within_pct(fs.stripped_bytes, strip_size(perfgate_path(), ""), 2.0,
			  "perfgate stripped_bytes vs strip -o");
	/*
	 * The stripped image through zlib, against zlib of what strip -o wrote (left by
	 * strip_size): only the header fields strip rewrites differ, a few bytes of deflate.
	 */
	pg_file_size real;
	assert_int_equal(pg_file_size_measure(&real, in_dir("stripped.out")), 0);
	printf("    gzip_stripped_bytes %llu, gzip_bytes of strip -o's file %llu, of the file %llu\n",
	       fs.gzip_stripped_bytes, real.gzip_bytes, fs.gzip_bytes);
	assert_true(fs.gzip_stripped_bytes <= real.gzip_bytes + 64 && real.gzip_bytes <= fs.gzip_stripped_bytes + 64);
	assert_true(fs.gzip_stripped_bytes < fs.gzip_bytes);
	pg_file_size_release(&real);
	assert_non_null(find_section(&fs, ".text"));
	assert_non_null(find_section(&fs, ".rodata"));
	assert_null(find_section(&fs, ".debug_info"));
	assert_null(find_section(&fs, ".symtab"));
	const pg_section_size *bss = find_section(&fs, ".bss");
	if (bss)
		assert_false(bss->in_file);
	pg_file_size_release(&fs);
}

static const char fixture32[] =
	"static const char table[] = \"perfgate 32-bit fixture: read-only data\";\n"
	"int counter;\n"
	"int values[64] = {1, 2, 3};\n"
	"int work(int n) { int s = 0; for (int i = 0; i < n; i++) s += values[i % 64] * table[i % sizeof table]; return s + counter; }\n"
	"void _start(void) { counter = work(10); for (;;) ; }\n";

static void test_elfsize_32bit_object_and_executable_match_strip_o(void **state)
{
	(void)state;
	char cmd[1024];
	const char *src = in_dir("fixture32.c"), *obj = in_dir("fixture32.o");
	write_file(src, fixture32, strlen(fixture32));
	snprintf(cmd, sizeof(cmd), "gcc -m32 -g -O1 -c '%s' -o '%s' 2>/dev/null", src, obj);
	if (!have("strip") || system(cmd) != 0) {
		print_message("    gcc -m32 -c does not work here (no 32-bit multilib): skipped\n");
		skip();
	}
	pg_file_size fs;
	assert_int_equal(pg_file_size_measure(&fs, obj), 0);
	assert_int_equal(fs.elf_class, 32);
	assert_false(fs.big_endian);
	assert_within_pct(fs.stripped_bytes, strip_size(obj, ""), 2.0,
			  "32-bit object stripped_bytes vs strip -o");
	pg_file_size_release(&fs);

	/* No libc needed: the fixture has its own _start. */
	const char *exe = in_dir("fixture32");
	snprintf(cmd, sizeof(cmd), "gcc -m32 -g -O1 -nostdlib -static '%s' -o '%s' 2>/dev/null", src,
		 exe);
	if (system(cmd) != 0) {
		print_message("    gcc -m32 cannot link here: 32-bit executable not checked\n");
		return;
	}
	assert_int_equal(pg_file_size_measure(&fs, exe), 0);
	assert_int_equal(fs.elf_class, 32);
	assert_within_pct(fs.stripped_bytes, strip_size(exe, ""), 2.0,
			  "32-bit executable stripped_bytes vs strip -o");
	pg_file_size_release(&fs);
}

static void check_crafted(int is64, int big, unsigned long long expected_stripped)
{
	crafted c;
	pg_file_size fs;
	char name[32], target[32];
	craft(&c, is64, big);
	snprintf(name, sizeof(name), "crafted%d%s.o", is64 ? 64 : 32, big ? "be" : "le");
	const char *path = in_dir(name);
	write_file(path, c.bytes, c.len);
	assert_int_equal(pg_file_size_measure(&fs, path), 0);
	assert_true(fs.is_elf);
	assert_int_equal(fs.elf_class, is64 ? 64 : 32);
	assert_int_equal(fs.big_endian, big);
	assert_int_equal(fs.bytes, c.len);
	assert_int_equal(fs.stripped_bytes, expected_stripped);
	assert_int_equal(fs.n_sections, 4);
	assert_string_equal(fs.sections[0].name, ".text");
	assert_int_equal(fs.sections[0].bytes, 16);
	assert_string_equal(fs.sections[1].name, ".data");
	assert_int_equal(fs.sections[1].bytes, 8);
	assert_string_equal(fs.sections[2].name, ".bss");
	assert_int_equal(fs.sections[2].bytes, 32);
	assert_false(fs.sections[2].in_file);
	assert_string_equal(fs.sections[3].name, ".comment");
	assert_int_equal(fs.sections[3].bytes, 10);
	/* This strip knows no PowerPC, but its generic ELF targets copy any machine. */
	snprintf(target, sizeof(target), "-F elf%d-%s", is64 ? 64 : 32, big ? "big" : "little");
	long long reference = have("strip") ? strip_size(path, target) : -1;
	if (reference > 0)
		assert_within_pct(fs.stripped_bytes, reference, 0.0, name);
	else
		print_message("    strip %s cannot copy %s: checked against the layout only\n", target,
			      name);
	pg_file_size_release(&fs);
}

static void test_elfsize_big_endian_elf64_is_read_field_by_field(void **state)
{
	(void)state;
	check_crafted(1, 1, 520);
}

static void test_elfsize_big_endian_elf32_is_read_field_by_field(void **state)
{
	(void)state;
	check_crafted(0, 1, 376);
}

static void test_elfsize_little_endian_crafted_objects_read_alike(void **state)
{
	(void)state;
	check_crafted(1, 0, 520);
	check_crafted(0, 0, 376);
}

/*
 * zlib and gzip run the same deflate with the same level-9 parameters and
 * write the same 10-byte header (no name with -n) and 8-byte trailer, but
 * gzip 1.x ends a deflate block early when its statistics say so and zlib
 * does not, so on binaries the streams differ by 0.3 % on average, up to
 * 2 % for small ones (0.1 % for perfgate itself); text usually matches to
 * the byte. Hence 2 % for these two files.
 */
static void test_elfsize_gzip_bytes_match_gzip_9_n(void **state)
{
	(void)state;
	char cmd[1024];
	pg_file_size fs;
	if (!have("gzip"))
		skip();
	const char *text = in_dir("words.txt");
	FILE *f = fopen(text, "w");
	assert_non_null(f);
	unsigned seed = 12345;
	static const char *const words[] = {"perfgate", "gate",  "regression", "baseline", "median",
					    "commit",   "notes", "stripped",   "section",  "bytes"};
	for (int i = 0; i < 40000; i++) {
		seed = seed * 1103515245u + 12345u;
		fprintf(f, "%s%s", words[(seed >> 16) % 10], (seed >> 8) % 13 == 0 ? "\n" : " ");
	}
	fclose(f);
	const char *files[] = {text, perfgate_path()};
	for (size_t i = 0; i < 2; i++) {
		assert_int_equal(pg_file_size_measure(&fs, files[i]), 0);
		snprintf(cmd, sizeof(cmd), "gzip -9 -n -c '%s' | wc -c", files[i]);
		assert_within_pct(fs.gzip_bytes, shell_number(cmd), 2.0,
				  i == 0 ? "text gzip_bytes vs gzip -9 -n" : "perfgate gzip_bytes vs gzip -9 -n");
		pg_file_size_release(&fs);
	}
}

static void test_elfsize_zero_byte_file_is_an_empty_gzip_stream(void **state)
{
	(void)state;
	pg_file_size fs;
	const char *path = in_dir("empty");
	write_file(path, "", 0);
	assert_int_equal(pg_file_size_measure(&fs, path), 0);
	assert_int_equal(fs.bytes, 0);
	assert_int_equal(fs.gzip_bytes, 20); /* header 10 + empty final block 2 + trailer 8 */
	assert_false(fs.is_elf);
	assert_int_equal(fs.n_sections, 0);
	pg_file_size_release(&fs);
}

static void test_elfsize_text_file_gets_only_bytes_and_gzip(void **state)
{
	(void)state;
	pg_file_size fs;
	const char *path = in_dir("notes.txt");
	write_file(path, "ELF is not at the start of this file\n", 37);
	assert_int_equal(pg_file_size_measure(&fs, path), 0);
	assert_int_equal(fs.bytes, 37);
	assert_true(fs.gzip_bytes > 20);
	assert_false(fs.is_elf);
	assert_int_equal(fs.stripped_bytes, 0);
	assert_null(fs.sections);
	pg_file_size_release(&fs);
}

static void test_elfsize_directory_is_a_system_error(void **state)
{
	(void)state;
	pg_file_size fs;
	assert_int_equal(pg_file_size_measure(&fs, dir), PG_ESYSTEM);
	assert_non_null(strstr(pg_error_message(), dir));
	assert_non_null(strstr(pg_error_message(), "is a directory"));
	pg_file_size_release(&fs);
}

static void test_elfsize_missing_file_is_a_system_error_naming_it(void **state)
{
	(void)state;
	pg_file_size fs;
	const char *path = in_dir("no-such-file");
	assert_int_equal(pg_file_size_measure(&fs, path), PG_ESYSTEM);
	assert_non_null(strstr(pg_error_message(), path));
	pg_file_size_release(&fs);
}

/* ---- corrupt input: a named PG_EINPUT, never a crash or a read past a buffer ---- */

static void expect_corrupt(const crafted *c, size_t len, const char *name, const char *message)
{
	pg_file_size fs;
	const char *path = in_dir(name);
	write_file(path, c->bytes, len);
	assert_int_equal(pg_file_size_measure(&fs, path), PG_EINPUT);
	if (!strstr(pg_error_message(), path) || !strstr(pg_error_message(), message))
		fail_msg("%s: message '%s' should name the file and say '%s'", name,
			 pg_error_message(), message);
	pg_file_size_release(&fs);
}

static void test_elfsize_truncated_header_is_named(void **state)
{
	(void)state;
	crafted c;
	craft(&c, 1, 0);
	expect_corrupt(&c, 40, "truncated-header", "truncated ELF header");
	expect_corrupt(&c, 10, "truncated-ident", "truncated ELF header");
}

static void test_elfsize_section_table_past_the_end_is_named(void **state)
{
	(void)state;
	crafted c;
	craft(&c, 1, 0);
	PUT(&c, 0, Ehdr, e_shoff, c.len + 100);
	expect_corrupt(&c, c.len, "shoff-past-eof", "section header table ends past the end of the file");
	craft(&c, 1, 0);
	expect_corrupt(&c, c.shoff + 100, "table-cut", "section header table ends past the end of the file");
}

static void test_elfsize_absurd_section_count_is_named(void **state)
{
	(void)state;
	crafted c;
	craft(&c, 1, 1);
	PUT(&c, 0, Ehdr, e_shnum, 65535);
	expect_corrupt(&c, c.len, "shnum-65535", "section header table ends past the end of the file");
	/* Extended numbering: the count in section 0's sh_size, 2^60 of them. */
	craft(&c, 1, 0);
	PUT(&c, 0, Ehdr, e_shnum, 0);
	PUT(&c, shdr_at(&c, 0), Shdr, sh_size, 1ULL << 60);
	expect_corrupt(&c, c.len, "shnum-2^60", "section header table ends past the end of the file");
}

static void test_elfsize_name_table_index_out_of_range_is_named(void **state)
{
	(void)state;
	crafted c;
	craft(&c, 1, 0);
	PUT(&c, 0, Ehdr, e_shstrndx, 200);
	expect_corrupt(&c, c.len, "shstrndx-200", "section name table index 200 is out of range");
}

static void test_elfsize_name_outside_the_name_table_is_named(void **state)
{
	(void)state;
	crafted c;
	craft(&c, 0, 1);
	PUT(&c, shdr_at(&c, S_TEXT), Shdr, sh_name, 0x7fffffff);
	expect_corrupt(&c, c.len, "name-offset", "is outside the section name table");
	/* A name table whose last name has no terminating NUL. */
	craft(&c, 1, 0);
	PUT(&c, shdr_at(&c, S_SHSTRTAB), Shdr, sh_size, 57);
	expect_corrupt(&c, c.len, "name-unterminated", "runs past the end of the section name table");
}

static void test_elfsize_section_past_the_end_is_named(void **state)
{
	(void)state;
	crafted c;
	craft(&c, 1, 0);
	PUT(&c, shdr_at(&c, S_DEBUG), Shdr, sh_size, 1ULL << 62);
	expect_corrupt(&c, c.len, "section-huge", "section '.debug_info' ends past the end of the file");
	craft(&c, 1, 0);
	PUT(&c, shdr_at(&c, S_SHSTRTAB), Shdr, sh_offset, ~0ULL - 4);
	expect_corrupt(&c, c.len, "names-wrap", "section name table ends past the end of the file");
}

static void test_elfsize_overlapping_sections_are_named(void **state)
{
	(void)state;
	crafted c;
	craft(&c, 1, 0);
	PUT(&c, shdr_at(&c, S_DATA), Shdr, sh_offset, 64 + 8);
	expect_corrupt(&c, c.len, "overlap", "sections '.text' and '.data' overlap in the file");
}

static void test_elfsize_unknown_class_is_named(void **state)
{
	(void)state;
	crafted c;
	craft(&c, 1, 0);
	c.bytes[EI_CLASS] = 7;
	expect_corrupt(&c, c.len, "class-7", "unknown ELF class 7");
}

/* Every prefix of a valid file and a thousand random corruptions: 0 or PG_EINPUT, nothing else. */
static void test_elfsize_cut_and_scrambled_files_never_crash(void **state)
{
	(void)state;
	crafted c, bad;
	pg_file_size fs;
	const char *path = in_dir("scrambled");
	unsigned seed = 2024;
	for (int variant = 0; variant < 4; variant++) {
		craft(&c, variant & 1, variant >> 1);
		for (size_t len = 0; len < c.len; len++) {
			write_file(path, c.bytes, len);
			int rc = pg_file_size_measure(&fs, path);
			assert_true(rc == 0 || rc == PG_EINPUT);
			pg_file_size_release(&fs);
		}
		for (int round = 0; round < 250; round++) {
			bad = c;
			for (int k = 0; k < 1 + round % 4; k++) {
				seed = seed * 1103515245u + 12345u;
				size_t at = (seed >> 8) % c.len;
				seed = seed * 1103515245u + 12345u;
				bad.bytes[at] = (unsigned char)(seed >> 16);
			}
			write_file(path, bad.bytes, bad.len);
			int rc = pg_file_size_measure(&fs, path);
			assert_true(rc == 0 || rc == PG_EINPUT);
			if (rc == 0 && fs.is_elf)
				assert_true(fs.stripped_bytes > 0);
			pg_file_size_release(&fs);
		}
	}
}

/* ---- the size kind and its metric names ---- */

static pg_gates *size_gates(void)
{
	static const char doc[] =
		"{\"schema\": \"perfgate-gates/1\", \"benchmarks\": ["
		"{\"name\": \"one\", \"kind\": \"size\", \"files\": [\"{bindir}/perfgate\"]},"
		"{\"name\": \"two\", \"kind\": \"size\", \"files\": [\"{bindir}/perfgate\", \"notes.txt\"]},"
		"{\"name\": \"missing\", \"kind\": \"size\", \"files\": [\"nope.bin\"]},"
		"{\"name\": \"wrong\", \"kind\": \"size\", \"files\": 42},"
		"{\"name\": \"corrupt\", \"kind\": \"size\", \"files\": [\"corrupt.o\"]}]}";
	cJSON *json = cJSON_Parse(doc);
	pg_gates *g = NULL;
	assert_non_null(json);
	assert_int_equal(pg_gates_from_json(&g, json, "size.json", dir, getenv("PG_BINDIR")), 0);
	cJSON_Delete(json);
	write_file(in_dir("notes.txt"), "some notes\n", 11);
	crafted c;
	craft(&c, 1, 0);
	c.bytes[EI_DATA] = 9;
	write_file(in_dir("corrupt.o"), c.bytes, c.len);
	return g;
}

static int run_driver(pg_benchmark **out, pg_result_set *rs, const pg_gates *g, const char *name)
{
	pg_measure_options opts = {.runs = -1, .warmup = -1};
	const pg_bench_def *def = pg_gates_find(g, name);
	assert_non_null(def);
	pg_driver_ctx ctx = {.gates = g, .run = def->run, .opts = &opts};
	*out = pg_result_set_add_benchmark(rs, name, "size");
	assert_non_null(*out);
	return pg_driver_size(*out, def, &ctx);
}

static void test_size_kind_one_file_has_bare_names_primary_first(void **state)
{
	(void)state;
	pg_gates *g = size_gates();
	pg_result_set *rs = pg_result_set_new();
	pg_benchmark *b;
	pg_file_size fs;
	assert_int_equal(run_driver(&b, rs, g, "one"), 0);
	assert_int_equal(b->status, PG_STATUS_OK);
	assert_int_equal(pg_file_size_measure(&fs, perfgate_path()), 0);
	assert_true(b->n_metrics == 4 + fs.n_sections);
	assert_string_equal(b->metrics[0].name, "stripped_bytes");
	assert_string_equal(b->metrics[1].name, "gzip_stripped_bytes");
	assert_string_equal(b->metrics[2].name, "gzip_bytes");
	assert_string_equal(b->metrics[3].name, "bytes");
	assert_true(b->metrics[0].has_value && b->metrics[0].value == (double)fs.stripped_bytes);
	assert_true(b->metrics[1].value == (double)fs.gzip_stripped_bytes);
	assert_true(b->metrics[3].value == (double)fs.bytes);
	for (size_t i = 0; i < b->n_metrics; i++) {
		assert_string_equal(b->metrics[i].unit, "bytes");
		assert_int_equal(b->metrics[i].better, PG_BETTER_LOWER);
		assert_null(b->metrics[i].samples);
	}
	const pg_metric *text = pg_benchmark_find_metric(b, "section:.text");
	assert_non_null(text);
	assert_true(text->value == (double)find_section(&fs, ".text")->bytes);
	pg_file_size_release(&fs);
	pg_result_set_free(rs);
	pg_gates_free(g);
}

static void test_size_kind_several_files_prefix_the_base_name(void **state)
{
	(void)state;
	pg_gates *g = size_gates();
	pg_result_set *rs = pg_result_set_new();
	pg_benchmark *b;
	assert_int_equal(run_driver(&b, rs, g, "two"), 0);
	assert_string_equal(b->metrics[0].name, "perfgate.stripped_bytes");
	assert_non_null(pg_benchmark_find_metric(b, "perfgate.section:.text"));
	/* The relative path resolved against {root}; not ELF: bytes first, no stripped_bytes. */
	const pg_metric *notes = pg_benchmark_find_metric(b, "notes.txt.bytes");
	assert_non_null(notes);
	assert_true(notes->value == 11);
	assert_non_null(pg_benchmark_find_metric(b, "notes.txt.gzip_bytes"));
	assert_null(pg_benchmark_find_metric(b, "notes.txt.stripped_bytes"));
	/* Files in the order given, each with its metrics together. */
	assert_true(notes > pg_benchmark_find_metric(b, "perfgate.bytes"));
	assert_true(notes > pg_benchmark_find_metric(b, "perfgate.section:.text"));
	pg_result_set_free(rs);
	pg_gates_free(g);
}

static void test_size_kind_missing_file_is_a_system_error_naming_it(void **state)
{
	(void)state;
	pg_gates *g = size_gates();
	pg_result_set *rs = pg_result_set_new();
	pg_benchmark *b;
	assert_int_equal(run_driver(&b, rs, g, "missing"), PG_ESYSTEM);
	assert_non_null(strstr(pg_error_message(), "nope.bin"));
	assert_int_equal(b->n_metrics, 0);
	pg_result_set_free(rs);
	pg_gates_free(g);
}

static void test_size_kind_files_of_the_wrong_type_is_an_input_error(void **state)
{
	(void)state;
	pg_gates *g = size_gates();
	pg_result_set *rs = pg_result_set_new();
	pg_benchmark *b;
	assert_int_equal(run_driver(&b, rs, g, "wrong"), PG_EINPUT);
	assert_non_null(strstr(pg_error_message(), "files"));
	assert_non_null(strstr(pg_error_message(), "wrong"));
	pg_result_set_free(rs);
	pg_gates_free(g);
}

static void test_size_kind_corrupt_file_fails_the_benchmark(void **state)
{
	(void)state;
	pg_gates *g = size_gates();
	pg_result_set *rs = pg_result_set_new();
	pg_benchmark *b;
	assert_int_equal(run_driver(&b, rs, g, "corrupt"), 0);
	assert_int_equal(b->status, PG_STATUS_FAILED);
	assert_non_null(strstr(b->reason, "unknown ELF byte order"));
	assert_int_equal(b->n_metrics, 0);
	pg_result_set_free(rs);
	pg_gates_free(g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_elfsize_stripped_bytes_of_perfgate_match_strip_o),
		cmocka_unit_test(test_elfsize_32bit_object_and_executable_match_strip_o),
		cmocka_unit_test(test_elfsize_big_endian_elf64_is_read_field_by_field),
		cmocka_unit_test(test_elfsize_big_endian_elf32_is_read_field_by_field),
		cmocka_unit_test(test_elfsize_little_endian_crafted_objects_read_alike),
		cmocka_unit_test(test_elfsize_gzip_bytes_match_gzip_9_n),
		cmocka_unit_test(test_elfsize_zero_byte_file_is_an_empty_gzip_stream),
		cmocka_unit_test(test_elfsize_text_file_gets_only_bytes_and_gzip),
		cmocka_unit_test(test_elfsize_directory_is_a_system_error),
		cmocka_unit_test(test_elfsize_missing_file_is_a_system_error_naming_it),
		cmocka_unit_test(test_elfsize_truncated_header_is_named),
		cmocka_unit_test(test_elfsize_section_table_past_the_end_is_named),
		cmocka_unit_test(test_elfsize_absurd_section_count_is_named),
		cmocka_unit_test(test_elfsize_name_table_index_out_of_range_is_named),
		cmocka_unit_test(test_elfsize_name_outside_the_name_table_is_named),
		cmocka_unit_test(test_elfsize_section_past_the_end_is_named),
		cmocka_unit_test(test_elfsize_overlapping_sections_are_named),
		cmocka_unit_test(test_elfsize_unknown_class_is_named),
		cmocka_unit_test(test_elfsize_cut_and_scrambled_files_never_crash),
		cmocka_unit_test(test_size_kind_one_file_has_bare_names_primary_first),
		cmocka_unit_test(test_size_kind_several_files_prefix_the_base_name),
		cmocka_unit_test(test_size_kind_missing_file_is_a_system_error_naming_it),
		cmocka_unit_test(test_size_kind_files_of_the_wrong_type_is_an_input_error),
		cmocka_unit_test(test_size_kind_corrupt_file_fails_the_benchmark),
	};
	return cmocka_run_group_tests(tests, make_dir, remove_dir);
}
