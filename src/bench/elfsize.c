/* elfsize.c - measure a file: bytes, gzip -9 bytes, and for ELF what strip would leave and per section */
#include "perfgate/elfsize.h"

#include "perfgate/error.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

/* Read and compress in chunks this big: a 1 GB file costs what a 1 kB one does. */
#define CHUNK (64 * 1024)
/* Header table entries read per pread. */
#define TABLE_BATCH 256

/*
 * gzip -9 -n FILE: a 10-byte header (no name, mtime 0), the deflate stream
 * and an 8-byte trailer. zlib's gzip wrapper writes the same header and
 * trailer; its level-9 deflate is gzip's algorithm with the same parameters
 * (lazy matching, chain 4096, nice length 258), but gzip 1.x also ends a
 * block early when its statistics say so and zlib does not. Text usually
 * comes out to the byte; binaries differ by 0.3 % on average and up to 2 %
 * for small ones (measured on 150 of /usr/bin: +0.1 % for perfgate, +2.0 %
 * for a 48 kB one, some objects -1 %).
 * zlib is what the design names and what size-limit's gzip option uses.
 */
/* A gzip -9 -n stream that only counts its bytes: fed in pieces, finished once. */
typedef struct gz_count {
	z_stream z;
	unsigned char *out;
	unsigned long long total; /* compressed bytes so far */
	const char *path;
} gz_count;

static int gz_begin(gz_count *g, const char *path)
{
	memset(g, 0, sizeof(*g));
	g->path = path;
	if (!(g->out = malloc(CHUNK)))
		return pg_error_set(PG_ENOMEM, "%s: out of memory", path);
	int zrc = deflateInit2(&g->z, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
	if (zrc != Z_OK) {
		free(g->out);
		g->out = NULL;
		return pg_error_set(zrc == Z_MEM_ERROR ? PG_ENOMEM : PG_ESYSTEM, "%s: cannot start zlib: %s", path,
				    g->z.msg ? g->z.msg : zError(zrc));
	}
	return 0;
}

/* Compress len bytes of buf (finish: and end the stream). */
static int gz_feed(gz_count *g, const void *buf, size_t len, int finish)
{
	g->z.next_in = (Bytef *)buf;
	g->z.avail_in = (uInt)len;
	int zrc;
	do {
		g->z.next_out = g->out;
		g->z.avail_out = CHUNK;
		zrc = deflate(&g->z, finish ? Z_FINISH : Z_NO_FLUSH);
		g->total += CHUNK - g->z.avail_out;
	} while (g->z.avail_out == 0);
	if (zrc == Z_STREAM_ERROR)
		return pg_error_set(PG_ESYSTEM, "%s: zlib failed compressing it", g->path);
	return 0;
}

static void gz_end(gz_count *g)
{
	if (g->out)
		deflateEnd(&g->z);
	free(g->out);
	g->out = NULL;
}

/* The size of gzip -9 -n FILE (see gz_count above); its plain size too when count_bytes. */
static int gzip_size(pg_file_size *out, int fd, const char *path, int count_bytes)
{
	gz_count g;
	unsigned char *in = malloc(CHUNK);
	unsigned long long read_total = 0;
	int rc = in ? gz_begin(&g, path) : pg_error_set(PG_ENOMEM, "%s: out of memory", path);
	if (rc) {
		free(in);
		return rc;
	}
	for (;;) {
		ssize_t got = read(fd, in, CHUNK);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			rc = pg_error_set(PG_ESYSTEM, "%s: cannot read: %s", path, strerror(errno));
			break;
		}
		read_total += (unsigned long long)got;
		if ((rc = gz_feed(&g, in, (size_t)got, got == 0)) || got == 0)
			break;
	}
	gz_end(&g);
	free(in);
	if (!rc) {
		out->gzip_bytes = g.total;
		if (count_bytes)
			out->bytes = read_total;
	}
	return rc;
}

/* An ELF file being read: every read is bounds-checked against size first. */
typedef struct elf_file {
	int fd;
	const char *path;
	unsigned long long size;
	int is64, big;
} elf_file;

typedef struct elf_section {
	unsigned long long offset, size, flags, align;
	unsigned long name, type, link, info;
	const char *name_str; /* into the section name table */
	int removed;          /* strip leaves it out */
} elf_section;

typedef struct elf_header {
	unsigned type;
	unsigned long long phoff, shoff, phnum, shnum;
	unsigned phentsize, shentsize;
	unsigned long long shstrndx;
} elf_header;

static unsigned long long get(const elf_file *e, const unsigned char *p, size_t width)
{
	unsigned long long v = 0;
	for (size_t i = 0; i < width; i++)
		v = v << 8 | p[e->big ? i : width - 1 - i];
	return v;
}

/* A field of a header read from raw bytes, by its <elf.h> name, in the file's class and byte order. */
#define FIELD(e, raw, T, member)                                                         \
	((e)->is64 ? get((e), (raw) + offsetof(Elf64_##T, member),                       \
			 sizeof(((Elf64_##T *)0)->member))                               \
		   : get((e), (raw) + offsetof(Elf32_##T, member),                       \
			 sizeof(((Elf32_##T *)0)->member)))

/* 1 when [off, off + len) lies inside the file (no overflow). */
static int within(const elf_file *e, unsigned long long off, unsigned long long len)
{
	return off <= e->size && len <= e->size - off;
}

static int read_at(const elf_file *e, void *buf, size_t len, unsigned long long off)
{
	size_t done = 0;
	while (done < len) {
		ssize_t got = pread(e->fd, (char *)buf + done, len - done, (off_t)(off + done));
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return pg_error_set(PG_ESYSTEM, "%s: cannot read: %s", e->path, strerror(errno));
		if (got == 0)
			return pg_error_set(PG_ESYSTEM, "%s: the file shrank while it was read", e->path);
		done += (size_t)got;
	}
	return 0;
}

static int read_header(elf_header *h, const elf_file *e)
{
	unsigned char raw[sizeof(Elf64_Ehdr)];
	size_t ehsize = e->is64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr);
	int rc;

	if (e->size < ehsize)
		return pg_error_set(PG_EINPUT,
				    "%s: truncated ELF header: the file has %llu bytes, an ELF%d header takes %zu",
				    e->path, e->size, e->is64 ? 64 : 32, ehsize);
	if ((rc = read_at(e, raw, ehsize, 0)))
		return rc;
	h->type = (unsigned)FIELD(e, raw, Ehdr, e_type);
	h->phoff = FIELD(e, raw, Ehdr, e_phoff);
	h->shoff = FIELD(e, raw, Ehdr, e_shoff);
	h->phentsize = (unsigned)FIELD(e, raw, Ehdr, e_phentsize);
	h->phnum = FIELD(e, raw, Ehdr, e_phnum);
	h->shentsize = (unsigned)FIELD(e, raw, Ehdr, e_shentsize);
	h->shnum = FIELD(e, raw, Ehdr, e_shnum);
	h->shstrndx = FIELD(e, raw, Ehdr, e_shstrndx);
	if (h->shoff == 0) {
		h->shnum = 0;
		return 0;
	}
	size_t want = e->is64 ? sizeof(Elf64_Shdr) : sizeof(Elf32_Shdr);
	if (h->shentsize != want)
		return pg_error_set(PG_EINPUT, "%s: section header entry size is %u bytes, expected %zu",
				    e->path, h->shentsize, want);
	/* Counts that do not fit the header's 16 bits live in section 0 (extended numbering). */
	if (h->shnum == 0 || h->shstrndx == SHN_XINDEX || h->phnum == PN_XNUM) {
		unsigned char first[sizeof(Elf64_Shdr)];
		if (!within(e, h->shoff, want))
			return pg_error_set(PG_EINPUT, "%s: section header table ends past the end of the file (it starts at %llu, the file has %llu bytes)",
					    e->path, h->shoff, e->size);
		if ((rc = read_at(e, first, want, h->shoff)))
			return rc;
		if (h->shnum == 0)
			h->shnum = FIELD(e, first, Shdr, sh_size);
		if (h->shstrndx == SHN_XINDEX)
			h->shstrndx = FIELD(e, first, Shdr, sh_link);
		if (h->phnum == PN_XNUM)
			h->phnum = FIELD(e, first, Shdr, sh_info);
	}
	if (h->shoff > e->size || h->shnum > (e->size - h->shoff) / want)
		return pg_error_set(PG_EINPUT, "%s: section header table ends past the end of the file (%llu sections of %zu bytes at %llu, the file has %llu bytes)",
				    e->path, h->shnum, want, h->shoff, e->size);
	return 0;
}

static int read_sections(elf_section *s, const elf_file *e, const elf_header *h)
{
	unsigned char raw[TABLE_BATCH * sizeof(Elf64_Shdr)];
	for (unsigned long long i = 0; i < h->shnum; i += TABLE_BATCH) {
		size_t n = h->shnum - i < TABLE_BATCH ? (size_t)(h->shnum - i) : TABLE_BATCH;
		int rc = read_at(e, raw, n * h->shentsize, h->shoff + i * h->shentsize);
		if (rc)
			return rc;
		for (size_t j = 0; j < n; j++) {
			const unsigned char *r = raw + j * h->shentsize;
			elf_section *d = &s[i + j];
			d->name = (unsigned long)FIELD(e, r, Shdr, sh_name);
			d->type = (unsigned long)FIELD(e, r, Shdr, sh_type);
			d->flags = FIELD(e, r, Shdr, sh_flags);
			d->offset = FIELD(e, r, Shdr, sh_offset);
			d->size = FIELD(e, r, Shdr, sh_size);
			d->link = (unsigned long)FIELD(e, r, Shdr, sh_link);
			d->info = (unsigned long)FIELD(e, r, Shdr, sh_info);
			d->align = FIELD(e, r, Shdr, sh_addralign);
		}
	}
	return 0;
}

/* "'.text'", or "number 7" for a section without a name, for messages. */
static const char *describe(char *buf, size_t size, const elf_section *s, size_t index)
{
	if (s->name_str && s->name_str[0])
		snprintf(buf, size, "'%s'", s->name_str);
	else
		snprintf(buf, size, "number %zu", index);
	return buf;
}

/* Read the section name table and point every section at its name; all bounds checked. */
static int read_names(char **names, const elf_file *e, const elf_header *h, elf_section *s)
{
	if (h->shstrndx == SHN_UNDEF)
		return pg_error_set(PG_EINPUT, "%s: has sections but no section name table", e->path);
	if (h->shstrndx >= h->shnum)
		return pg_error_set(PG_EINPUT, "%s: section name table index %llu is out of range (%llu sections)",
				    e->path, h->shstrndx, h->shnum);
	const elf_section *table = &s[h->shstrndx];
	if (table->type == SHT_NOBITS || table->size == 0)
		return pg_error_set(PG_EINPUT, "%s: the section name table (section %llu) is empty",
				    e->path, h->shstrndx);
	if (!within(e, table->offset, table->size))
		return pg_error_set(PG_EINPUT, "%s: section name table ends past the end of the file (%llu bytes at %llu, the file has %llu)",
				    e->path, table->size, table->offset, e->size);
	if (!(*names = malloc((size_t)table->size)))
		return pg_error_set(PG_ENOMEM, "%s: out of memory", e->path);
	int rc = read_at(e, *names, (size_t)table->size, table->offset);
	if (rc)
		return rc;
	for (unsigned long long i = 0; i < h->shnum; i++) {
		if (s[i].name >= table->size)
			return pg_error_set(PG_EINPUT, "%s: section %llu: name offset %lu is outside the section name table (%llu bytes)",
					    e->path, i, s[i].name, table->size);
		if (!memchr(*names + s[i].name, '\0', (size_t)(table->size - s[i].name)))
			return pg_error_set(PG_EINPUT, "%s: section %llu: name at offset %lu runs past the end of the section name table",
					    e->path, i, s[i].name);
		s[i].name_str = *names + s[i].name;
	}
	return 0;
}

static int occupies_file(const elf_section *s)
{
	return s->type != SHT_NULL && s->type != SHT_NOBITS && s->size > 0;
}

typedef struct extent {
	unsigned long long offset, end;
	size_t index;
} extent;

static int by_offset(const void *a, const void *b)
{
	const extent *x = a, *y = b;
	return x->offset < y->offset ? -1 : x->offset > y->offset ? 1 : 0;
}

/* Every section's bytes inside the file, and no two sharing any. */
static int check_sections(const elf_file *e, const elf_header *h, const elf_section *s)
{
	char a[96], b[96];
	size_t n = 0;
	extent *bytes = malloc((size_t)(h->shnum ? h->shnum : 1) * sizeof(*bytes));
	int rc = 0;
	if (!bytes)
		return pg_error_set(PG_ENOMEM, "%s: out of memory", e->path);
	for (size_t i = 1; i < h->shnum; i++) {
		if (!occupies_file(&s[i]))
			continue;
		if (!within(e, s[i].offset, s[i].size)) {
			rc = pg_error_set(PG_EINPUT, "%s: section %s ends past the end of the file (%llu bytes at %llu, the file has %llu)",
					  e->path, describe(a, sizeof(a), &s[i], i), s[i].size,
					  s[i].offset, e->size);
			break;
		}
		bytes[n++] = (extent){s[i].offset, s[i].offset + s[i].size, i};
	}
	if (!rc)
		qsort(bytes, n, sizeof(*bytes), by_offset);
	/* In offset order, disjoint sections each start where or after the one before ends. */
	for (size_t k = 1; k < n && !rc; k++)
		if (bytes[k].offset < bytes[k - 1].end)
			rc = pg_error_set(PG_EINPUT, "%s: sections %s and %s overlap in the file", e->path,
					  describe(a, sizeof(a), &s[bytes[k - 1].index], bytes[k - 1].index),
					  describe(b, sizeof(b), &s[bytes[k].index], bytes[k].index));
	free(bytes);
	return rc;
}

static int check_segments(const elf_file *e, const elf_header *h)
{
	size_t want = e->is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr);
	unsigned char raw[TABLE_BATCH * sizeof(Elf64_Phdr)];
	int rc;

	if (h->phnum == 0)
		return 0;
	if (h->phentsize != want)
		return pg_error_set(PG_EINPUT, "%s: program header entry size is %u bytes, expected %zu",
				    e->path, h->phentsize, want);
	if (h->phoff > e->size || h->phnum > (e->size - h->phoff) / want)
		return pg_error_set(PG_EINPUT, "%s: program header table ends past the end of the file (%llu entries of %zu bytes at %llu, the file has %llu bytes)",
				    e->path, h->phnum, want, h->phoff, e->size);
	for (unsigned long long i = 0; i < h->phnum; i += TABLE_BATCH) {
		size_t n = h->phnum - i < TABLE_BATCH ? (size_t)(h->phnum - i) : TABLE_BATCH;
		if ((rc = read_at(e, raw, n * want, h->phoff + i * want)))
			return rc;
		for (size_t j = 0; j < n; j++) {
			const unsigned char *r = raw + j * want;
			unsigned long long off = FIELD(e, r, Phdr, p_offset),
					   filesz = FIELD(e, r, Phdr, p_filesz);
			if (FIELD(e, r, Phdr, p_type) == PT_LOAD && !within(e, off, filesz))
				return pg_error_set(PG_EINPUT, "%s: segment %llu ends past the end of the file (%llu bytes at %llu, the file has %llu)",
						    e->path, i + j, filesz, off, e->size);
		}
	}
	return 0;
}

static int starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* BFD's SEC_DEBUGGING: recognised by name, only on sections not loaded. */
static int is_debug(const elf_section *s)
{
	const char *n = s->name_str;
	return !(s->flags & SHF_ALLOC) &&
	       (starts_with(n, ".debug") || starts_with(n, ".zdebug") ||
		starts_with(n, ".gnu.debuglto_.debug_") || starts_with(n, ".gnu.linkonce.wi.") ||
		starts_with(n, ".line") || starts_with(n, ".stab") || strcmp(n, ".gdb_index") == 0);
}

/*
 * What `strip` (GNU binutils, default options = --strip-all) removes:
 * the symbol tables (.symtab, its .symtab_shndx and the string table the
 * symtab names, unless something kept names it too), the debugging
 * sections, the section groups of an object (their signature symbols go),
 * and every non-loaded relocation section: with --strip-all
 * objcopy drops all relocations of what it copies (so a stripped .o has
 * none), while the loaded .rela.dyn/.rela.plt of a linked file are plain
 * sections to it and stay.
 */
static int mark_removed(elf_section *s, const elf_header *h, const char *path)
{
	for (size_t i = 1; i < h->shnum; i++) {
		elf_section *x = &s[i];
		int nonalloc_reloc = (x->type == SHT_REL || x->type == SHT_RELA) && !(x->flags & SHF_ALLOC);
		x->removed = x->type == SHT_SYMTAB || x->type == SHT_SYMTAB_SHNDX ||
			     x->type == SHT_GROUP || nonalloc_reloc || is_debug(x);
	}
	/* Which sections something kept links to: those string tables stay. */
	unsigned char *linked = calloc((size_t)h->shnum, 1);
	if (!linked)
		return pg_error_set(PG_ENOMEM, "%s: out of memory", path);
	for (size_t i = 1; i < h->shnum; i++)
		if (!s[i].removed && s[i].link < h->shnum)
			linked[s[i].link] = 1;
	for (size_t i = 1; i < h->shnum; i++) {
		unsigned long names = s[i].link;
		if (s[i].type == SHT_SYMTAB && names != 0 && names < h->shnum &&
		    names != h->shstrndx && s[names].type == SHT_STRTAB && !linked[names])
			s[names].removed = 1;
	}
	free(linked);
	/* strip writes a fresh section name table; it is counted apart. */
	s[h->shstrndx].removed = 1;
	return 0;
}

static int by_reversed_name(const void *a, const void *b)
{
	const char *x = *(const char *const *)a, *y = *(const char *const *)b;
	size_t i = strlen(x), j = strlen(y);
	while (i > 0 && j > 0) {
		unsigned char cx = (unsigned char)x[--i], cy = (unsigned char)y[--j];
		if (cx != cy)
			return cx < cy ? -1 : 1;
	}
	return (i > 0) - (j > 0);
}

static unsigned long long align_up(unsigned long long off, unsigned long long align)
{
	if (align <= 1)
		return off;
	align &= -align; /* BFD uses the lowest set bit of a non-power-of-two alignment */
	return (off + align - 1) & ~(align - 1);
}

/*
 * A loaded section that bounds the part of a linked file strip copies
 * as is: an empty one counts too (BFD aligns the position to it), bytes
 * of .bss do not. One pointing past the end of the file is ignored.
 */
static int ends_loaded_part(const elf_section *s, const elf_file *e)
{
	return (s->flags & SHF_ALLOC) && s->type != SHT_NULL && s->type != SHT_NOBITS &&
	       within(e, s->offset, s->size);
}

/* Where the stripped image goes: counted and compressed. */
typedef struct image_sink {
	const elf_file *e;
	gz_count *gz;
	unsigned long long total;
	unsigned char *buf; /* CHUNK bytes for copying ranges */
} image_sink;

static int sink_bytes(image_sink *k, const void *buf, size_t len)
{
	k->total += len;
	return len ? gz_feed(k->gz, buf, len, 0) : 0;
}

static int sink_zeros(image_sink *k, unsigned long long n)
{
	static const unsigned char zeros[256];
	int rc = 0;
	while (n > 0 && !rc) {
		size_t part = n < sizeof(zeros) ? (size_t)n : sizeof(zeros);
		rc = sink_bytes(k, zeros, part);
		n -= part;
	}
	return rc;
}

/* len bytes of the file at off. */
static int sink_range(image_sink *k, unsigned long long off, unsigned long long len)
{
	int rc = 0;
	while (len > 0 && !rc) {
		size_t part = len < CHUNK ? (size_t)len : CHUNK;
		if (!(rc = read_at(k->e, k->buf, part, off)))
			rc = sink_bytes(k, k->buf, part);
		off += part;
		len -= part;
	}
	return rc;
}

static int sink_align(image_sink *k, unsigned long long align)
{
	return sink_zeros(k, align_up(k->total, align) - k->total);
}

/*
 * The section name table strip writes: the kept names and ".shstrtab",
 * each once, a name that ends another (".data" in ".rodata") sharing its
 * bytes, as BFD's string table merges tails (sorted by reversed name, a
 * name's tail-sharing partner comes right after it).
 */
static int sink_shstrtab(image_sink *k, const elf_section *s, size_t shnum)
{
	const char **names = malloc((shnum + 1) * sizeof(char *));
	size_t n = 0;
	if (!names)
		return pg_error_set(PG_ENOMEM, "%s: out of memory", k->e->path);
	for (size_t i = 1; i < shnum; i++)
		if (!s[i].removed && s[i].name_str[0])
			names[n++] = s[i].name_str;
	names[n++] = ".shstrtab";
	qsort(names, n, sizeof(char *), by_reversed_name);
	int rc = sink_bytes(k, "", 1);
	for (size_t i = 0; i < n && !rc; i++) {
		if (i + 1 < n) {
			size_t a = strlen(names[i]), b = strlen(names[i + 1]);
			if (a <= b && strcmp(names[i + 1] + (b - a), names[i]) == 0)
				continue;
		}
		rc = sink_bytes(k, names[i], strlen(names[i]) + 1);
	}
	free(names);
	return rc;
}

/*
 * The image `strip -o OUT FILE` writes, laid out from the headers alone.
 * BFD rewrites the file: loaded sections keep their offsets (segments must
 * not move), so everything up to the end of the last loaded section's bytes
 * stays (for a relocatable object, with no segments, the sections are
 * packed from the end of the ELF header instead); the kept unloaded
 * sections (.comment, .gnu_debuglink, ...) follow in section order, each at
 * its alignment; then the rebuilt section name table, then the section
 * header table (aligned to 8 bytes for ELF64, 4 for ELF32) with one entry
 * per kept section.
 *
 * Its length is stripped_bytes. The placement rules and the name table's
 * tail merging are BFD's as of binutils 2.40, modelled, not run (perfgate
 * does not link libbfd): against `strip -o` the length is exact for 2584
 * of 2586 ELF files of a Debian system (/usr/bin, shared libraries,
 * objects, 32-bit files); the other two (node) are 0.02 % large, because
 * strip also merges annobin's .gnu.build.attributes notes and BFD re-packs
 * their segments, which headers cannot predict.
 *
 * Its bytes are the file's own, except what BFD rewrites: the ELF header's
 * section fields and the section headers' offsets and name indexes, here
 * the original entries. That is a few dozen bytes of headers, so its gzip
 * size is gzip_stripped_bytes to within a few bytes
 * (tests/bench/size.sh measures it against strip | gzip -9 -n).
 */
static int stripped_image(image_sink *k, const elf_header *h, const elf_section *s)
{
	const elf_file *e = k->e;
	unsigned long long off = e->is64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr);
	unsigned long long phend = h->phoff + h->phnum * h->phentsize;
	int relocatable = h->type == ET_REL, rc;
	if (h->phnum > 0 && phend > off)
		off = phend;
	if (!relocatable)
		for (size_t i = 1; i < h->shnum; i++)
			if (ends_loaded_part(&s[i], e) && s[i].offset + s[i].size > off)
				off = s[i].offset + s[i].size;
	if ((rc = sink_range(k, 0, off)))
		return rc;
	for (size_t i = 1; i < h->shnum && !rc; i++) {
		if (s[i].removed || (!relocatable && (s[i].flags & SHF_ALLOC)))
			continue;
		if (!(rc = sink_align(k, s[i].align)) && s[i].type != SHT_NOBITS)
			rc = sink_range(k, s[i].offset, s[i].size);
	}
	if (rc || (rc = sink_shstrtab(k, s, (size_t)h->shnum)) || (rc = sink_align(k, e->is64 ? 8 : 4)))
		return rc;
	/* The null entry, each kept section's entry, the new name table's (the old one's, here). */
	if ((rc = sink_zeros(k, h->shentsize)))
		return rc;
	for (size_t i = 1; i < h->shnum && !rc; i++)
		if (!s[i].removed || i == h->shstrndx)
			rc = sink_range(k, h->shoff + i * h->shentsize, h->shentsize);
	return rc;
}

/* stripped_bytes and gzip_stripped_bytes of e: the image strip writes, laid out once, counted and compressed. */
static int stripped_sizes(unsigned long long *bytes, unsigned long long *gzip_bytes, const elf_file *e,
			  const elf_header *h, const elf_section *s)
{
	gz_count g;
	image_sink k = {.e = e, .gz = &g, .buf = malloc(CHUNK)};
	int rc = k.buf ? gz_begin(&g, e->path) : pg_error_set(PG_ENOMEM, "%s: out of memory", e->path);
	if (!rc) {
		if (!(rc = stripped_image(&k, h, s)))
			rc = gz_feed(&g, "", 0, 1);
		gz_end(&g);
	}
	free(k.buf);
	if (!rc) {
		*bytes = k.total;
		*gzip_bytes = g.total;
	}
	return rc;
}

typedef struct section_entry {
	const char *name;
	size_t index; /* in the section header table */
	size_t run;   /* the slot of its name's sum */
} section_entry;

static int entry_by_name(const void *a, const void *b)
{
	const section_entry *x = a, *y = b;
	int c = strcmp(x->name, y->name);
	return c ? c : (x->index > y->index) - (x->index < y->index);
}

static int entry_by_index(const void *a, const void *b)
{
	const section_entry *x = a, *y = b;
	return (x->index > y->index) - (x->index < y->index);
}

/*
 * The sections a size report shows: the loaded ones and the unloaded ones
 * strip keeps (.comment, .gnu_debuglink, ...), i.e. what ships; debug
 * sections and symbols are what bytes - stripped_bytes accounts for.
 * Sections of one name (.group in an object) are summed at the first
 * one's place; empty and nameless sections are left out.
 */
static int collect_sections(pg_file_size *out, const elf_header *h, const elf_section *s,
			    const char *path)
{
	section_entry *entries = malloc((size_t)(h->shnum ? h->shnum : 1) * sizeof(*entries));
	size_t n = 0, runs = 0;
	if (!entries)
		return pg_error_set(PG_ENOMEM, "%s: out of memory", path);
	for (size_t i = 1; i < h->shnum; i++) {
		const elf_section *x = &s[i];
		if (x->type == SHT_NULL || x->size == 0 || !x->name_str[0] || i == h->shstrndx ||
		    (x->removed && !(x->flags & SHF_ALLOC)))
			continue;
		entries[n].name = x->name_str;
		entries[n++].index = i;
	}
	/* Keep the first of each name, its size the sum of the run, then restore header order. */
	qsort(entries, n, sizeof(*entries), entry_by_name);
	unsigned long long *sums = malloc((n ? n : 1) * sizeof(*sums));
	if (!sums) {
		free(entries);
		return pg_error_set(PG_ENOMEM, "%s: out of memory", path);
	}
	for (size_t i = 0; i < n; i++) {
		if (runs > 0 && strcmp(entries[runs - 1].name, entries[i].name) == 0) {
			sums[runs - 1] += s[entries[i].index].size;
			continue;
		}
		sums[runs] = s[entries[i].index].size;
		entries[runs++] = entries[i];
	}
	/* Back to header order, each run remembering its sum. */
	section_entry *runs_by_index = malloc((runs ? runs : 1) * sizeof(*runs_by_index));
	out->sections = calloc(runs ? runs : 1, sizeof(*out->sections));
	if (!runs_by_index || !out->sections) {
		free(entries);
		free(sums);
		free(runs_by_index);
		return pg_error_set(PG_ENOMEM, "%s: out of memory", path);
	}
	for (size_t r = 0; r < runs; r++) {
		runs_by_index[r].index = entries[r].index;
		runs_by_index[r].run = r;
	}
	qsort(runs_by_index, runs, sizeof(*runs_by_index), entry_by_index);
	int rc = 0;
	for (size_t k = 0; k < runs && !rc; k++) {
		size_t r = runs_by_index[k].run;
		pg_section_size *d = &out->sections[out->n_sections];
		if (!(d->name = strdup(entries[r].name))) {
			rc = pg_error_set(PG_ENOMEM, "%s: out of memory", path);
			break;
		}
		d->bytes = sums[r];
		d->in_file = s[entries[r].index].type != SHT_NOBITS;
		out->n_sections++;
	}
	free(entries);
	free(sums);
	free(runs_by_index);
	return rc;
}

static int measure_elf(pg_file_size *out, const elf_file *e)
{
	elf_header h;
	elf_section *s = NULL;
	char *names = NULL;
	int rc;

	out->is_elf = 1;
	out->elf_class = e->is64 ? 64 : 32;
	out->big_endian = e->big;
	if ((rc = read_header(&h, e)) || (rc = check_segments(e, &h)))
		return rc;
	if (h.shnum == 0) {
		/* Nothing strip could remove: no symbol table, no debug sections. */
		out->stripped_bytes = e->size;
		out->gzip_stripped_bytes = out->gzip_bytes;
		return 0;
	}
	if (!(s = calloc((size_t)h.shnum, sizeof(*s))))
		return pg_error_set(PG_ENOMEM, "%s: out of memory", e->path);
	if (!(rc = read_sections(s, e, &h)) && !(rc = read_names(&names, e, &h, s)) &&
	    !(rc = check_sections(e, &h, s))) {
		if (!(rc = mark_removed(s, &h, e->path)) &&
		    !(rc = stripped_sizes(&out->stripped_bytes, &out->gzip_stripped_bytes, e, &h, s)))
			rc = collect_sections(out, &h, s, e->path);
	}
	free(names);
	free(s);
	return rc;
}

int pg_file_size_measure(pg_file_size *out, const char *path)
{
	struct stat st;
	int rc;

	memset(out, 0, sizeof(*out));
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return pg_error_set(PG_ESYSTEM, "%s: cannot open: %s", path, strerror(errno));
	if (fstat(fd, &st) != 0) {
		rc = pg_error_set(PG_ESYSTEM, "%s: cannot stat: %s", path, strerror(errno));
		close(fd);
		return rc;
	}
	if (S_ISDIR(st.st_mode)) {
		close(fd);
		return pg_error_set(PG_ESYSTEM, "%s: is a directory", path);
	}
	int regular = S_ISREG(st.st_mode);
	out->bytes = regular ? (unsigned long long)st.st_size : 0;
	if ((rc = gzip_size(out, fd, path, !regular)) == 0 && regular && out->bytes >= EI_NIDENT) {
		unsigned char ident[EI_NIDENT];
		elf_file e = {.fd = fd, .path = path, .size = out->bytes};
		if ((rc = read_at(&e, ident, sizeof(ident), 0)) == 0 &&
		    memcmp(ident, ELFMAG, SELFMAG) == 0) {
			if (ident[EI_CLASS] != ELFCLASS32 && ident[EI_CLASS] != ELFCLASS64)
				rc = pg_error_set(PG_EINPUT, "%s: unknown ELF class %u (expected 1 for 32-bit or 2 for 64-bit)",
						  path, ident[EI_CLASS]);
			else if (ident[EI_DATA] != ELFDATA2LSB && ident[EI_DATA] != ELFDATA2MSB)
				rc = pg_error_set(PG_EINPUT, "%s: unknown ELF byte order %u (expected 1 or 2)",
						  path, ident[EI_DATA]);
			else {
				e.is64 = ident[EI_CLASS] == ELFCLASS64;
				e.big = ident[EI_DATA] == ELFDATA2MSB;
				rc = measure_elf(out, &e);
			}
		}
	} else if (rc == 0 && regular && out->bytes >= SELFMAG) {
		/* Shorter than an ELF identification: ELF only if it starts like one, then truncated. */
		unsigned char magic[SELFMAG];
		elf_file e = {.fd = fd, .path = path, .size = out->bytes};
		if ((rc = read_at(&e, magic, sizeof(magic), 0)) == 0 && memcmp(magic, ELFMAG, SELFMAG) == 0)
			rc = pg_error_set(PG_EINPUT, "%s: truncated ELF header: the file has %llu bytes",
					  path, out->bytes);
	}
	close(fd);
	return rc;
}

void pg_file_size_release(pg_file_size *fs)
{
	if (!fs)
		return;
	for (size_t i = 0; i < fs->n_sections; i++)
		free(fs->sections[i].name);
	free(fs->sections);
	memset(fs, 0, sizeof(*fs));
}
