/* summary_index.c - the summary index: what a summaries-only read of a note gives, kept by its blob id */
#include "store_private.h"

#include "perfgate/error.h"
#include "perfgate/fileio.h"
#include "perfgate/log.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

/*
 * Readers that show summaries (log, changes, publish, the run-to-run
 * history) used to inflate and parse every note on every run, samples and
 * all. The index keeps the outcome of that read (pg_commit_records, samples
 * dropped where a summary stands for them) in a binary form that decodes
 * without parsing, keyed by the note's blob id (xor the id of the commit it
 * annotates, which warnings name). A blob id names its content, so an entry
 * cannot go stale: when the notes ref moves (save, sync, prune,
 * a fetch), the notes that changed have new blob ids, which miss and are
 * added on their first read. Notes stay the only source of truth.
 *
 * Two files under .git/perfgate/, both derived and safe to delete:
 *   summaries.pack  a header, then records appended one write() each under
 *                   flock: key (20), payload length (u32), crc32 of the
 *                   payload (u32), payload;
 *   summaries.idx   key -> record offset for the pack's first `covered`
 *                   bytes, sorted by key and searched in place, rewritten
 *                   (temp file, rename) when a process that added records
 *                   ends. Records past `covered` are found by
 *                   reading the pack's tail at open.
 * A record whose key, length or checksum is wrong, or a header of
 * another format, discards both files with one line on stderr; the read
 * parses the note instead. PERFGATE_NO_INDEX=1 reads without the index.
 */

#define PACK_MAGIC "PGSUMPK1"
#define IDX_MAGIC "PGSUMIX1"
#define BYTE_ORDER_MARK 0x01020304u
/* Bump when pg_result_set or the encoding below changes: older indexes are then rebuilt. */
#define PAYLOAD_VERSION 1u
#define PACK_HEADER 16
#define RECORD_HEADER (GIT_OID_RAWSZ + 8)
#define IDX_HEADER 32
#define IDX_ENTRY (GIT_OID_RAWSZ + 8)
#define NULL_STRING 0xffffffffu

typedef struct slot {
	git_oid blob;
	uint64_t offset; /* 0: empty slot (no record starts before the header ends) */
} slot;

struct pg_summary_index {
	char *pack_path, *idx_path;
	int fd;           /* the pack */
	uint64_t end;     /* the pack's bytes read as whole records */
	uint64_t covered; /* what summaries.idx held when read */
	char *idx;        /* summaries.idx as read: its entries sorted by key, searched in place */
	size_t n_idx;
	slot *slots;      /* records past `covered`: open addressing on the key's first bytes */
	size_t cap, n;
	int added; /* records this process knows of that summaries.idx does not hold */
	int created; /* the pack was missing: said once, at its first record */
};

/* ---- the table in memory ---- */

static size_t slot_of(const slot *slots, size_t cap, const git_oid *blob)
{
	uint64_t h;
	memcpy(&h, blob->id, sizeof(h));
	size_t i = (size_t)h & (cap - 1);
	while (slots[i].offset && git_oid_cmp(&slots[i].blob, blob) != 0)
		i = (i + 1) & (cap - 1);
	return i;
}

static int table_put(pg_summary_index *ix, const git_oid *blob, uint64_t offset)
{
	if ((ix->n + 1) * 2 > ix->cap) {
		size_t cap = ix->cap ? ix->cap * 2 : 1024;
		slot *grown = calloc(cap, sizeof(*grown));
		if (!grown)
			return pg_error_set(PG_ENOMEM, "out of memory");
		for (size_t i = 0; i < ix->cap; i++)
			if (ix->slots[i].offset)
				grown[slot_of(grown, cap, &ix->slots[i].blob)] = ix->slots[i];
		free(ix->slots);
		ix->slots = grown;
		ix->cap = cap;
	}
	slot *s = &ix->slots[slot_of(ix->slots, ix->cap, blob)];
	if (!s->offset)
		ix->n++;
	s->blob = *blob;
	s->offset = offset;
	return 0;
}

static const char *idx_entry(const pg_summary_index *ix, size_t i)
{
	return ix->idx + IDX_HEADER + i * IDX_ENTRY;
}

/* Where key's record starts: the records read past the table first, then the table, by bisection. */
static uint64_t table_get(const pg_summary_index *ix, const git_oid *key)
{
	uint64_t offset = ix->cap ? ix->slots[slot_of(ix->slots, ix->cap, key)].offset : 0;
	for (size_t lo = 0, hi = ix->n_idx; !offset && lo < hi;) {
		size_t mid = lo + (hi - lo) / 2;
		int c = memcmp(idx_entry(ix, mid), key->id, GIT_OID_RAWSZ);
		if (c == 0)
			memcpy(&offset, idx_entry(ix, mid) + GIT_OID_RAWSZ, 8);
		else if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return offset;
}

/* ---- the files ---- */

static int read_at(int fd, void *buf, size_t len, uint64_t offset)
{
	size_t done = 0;
	while (done < len) {
		ssize_t got = pread(fd, (char *)buf + done, len - done, (off_t)(offset + done));
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			return -1;
		done += (size_t)got;
	}
	return 0;
}

static void header_bytes(unsigned char out[16], const char *magic)
{
	uint32_t mark = BYTE_ORDER_MARK, version = PAYLOAD_VERSION;
	memcpy(out, magic, 8);
	memcpy(out + 8, &mark, 4);
	memcpy(out + 12, &version, 4);
}

/* Read records' headers from ix->end to the end of the file into the table; a torn tail stops it. */
static int scan_tail(pg_summary_index *ix)
{
	struct stat st;
	if (fstat(ix->fd, &st) < 0)
		return pg_error_set(PG_ESYSTEM, "%s: %s", ix->pack_path, strerror(errno));
	uint64_t size = (uint64_t)st.st_size;
	while (ix->end + RECORD_HEADER <= size) {
		unsigned char head[RECORD_HEADER];
		uint32_t len;
		git_oid blob;
		if (read_at(ix->fd, head, sizeof(head), ix->end) < 0)
			return pg_error_set(PG_ESYSTEM, "%s: cannot read: %s", ix->pack_path, strerror(errno));
		memcpy(&len, head + GIT_OID_RAWSZ, 4);
		if (ix->end + RECORD_HEADER + len > size)
			break; /* being written by another process, or cut short by a crash */
		git_oid_fromraw(&blob, head);
		int rc = table_put(ix, &blob, ix->end);
		if (rc)
			return rc;
		ix->end += RECORD_HEADER + len;
		ix->added = 1;
	}
	return 0;
}

/*
 * summaries.idx kept as read, when it is whole: its header, then entries in
 * ascending key order with offsets inside the pack. Anything else is read
 * past: the pack's records are then found from its header on.
 */
static void load_idx(pg_summary_index *ix)
{
	char *data = NULL;
	size_t len = 0;
	unsigned char expect[16];
	uint64_t covered, n;
	if (pg_file_read(&data, &len, ix->idx_path)) {
		pg_error_clear(); /* none yet */
		return;
	}
	header_bytes(expect, IDX_MAGIC);
	int whole = len >= IDX_HEADER && memcmp(data, expect, 16) == 0;
	if (whole) {
		memcpy(&covered, data + 16, 8);
		memcpy(&n, data + 24, 8);
		whole = n <= (len - IDX_HEADER) / IDX_ENTRY && len == IDX_HEADER + n * IDX_ENTRY;
	}
	for (uint64_t i = 0; whole && i < n; i++) {
		const char *e = data + IDX_HEADER + i * IDX_ENTRY;
		uint64_t offset;
		memcpy(&offset, e + GIT_OID_RAWSZ, 8);
		whole = offset >= PACK_HEADER && offset < covered &&
			(i == 0 || memcmp(e - IDX_ENTRY, e, GIT_OID_RAWSZ) < 0);
	}
	if (!whole) {
		free(data);
		return;
	}
	ix->idx = data;
	ix->n_idx = (size_t)n;
	ix->end = ix->covered = covered;
}

/* Empty both files (under the pack's lock): the index is rebuilt as notes are read. */
static void reset(pg_summary_index *ix, const char *why)
{
	unsigned char head[PACK_HEADER];
	pg_log_note("the summary index %s %s; rebuilding it from the notes", ix->pack_path, why);
	header_bytes(head, PACK_MAGIC);
	flock(ix->fd, LOCK_EX);
	unlink(ix->idx_path);
	if (ftruncate(ix->fd, 0) < 0 || write(ix->fd, head, sizeof(head)) != (ssize_t)sizeof(head)) {
		/* Not writable after all: reads go on without the index. */
		ix->end = UINT64_MAX;
	} else {
		ix->end = PACK_HEADER;
	}
	flock(ix->fd, LOCK_UN);
	ix->covered = 0;
	ix->added = 0;
	free(ix->slots);
	ix->slots = NULL;
	ix->cap = ix->n = 0;
	free(ix->idx);
	ix->idx = NULL;
	ix->n_idx = 0;
}

int pg_summary_index_open(pg_summary_index **out, git_repository *repo)
{
	const char *off = getenv("PERFGATE_NO_INDEX");
	*out = NULL;
	if ((off && *off && strcmp(off, "0") != 0) || !repo)
		return 0;
	char *dir = pg_path_join(git_repository_commondir(repo), "perfgate");
	pg_summary_index *ix = calloc(1, sizeof(*ix));
	if (!dir || !ix) {
		free(dir);
		free(ix);
		return pg_error_set(PG_ENOMEM, "out of memory");
	}
	ix->fd = -1;
	ix->pack_path = pg_path_join(dir, "summaries.pack");
	ix->idx_path = pg_path_join(dir, "summaries.idx");
	int rc = ix->pack_path && ix->idx_path ? 0 : pg_error_set(PG_ENOMEM, "out of memory");
	/* A repository perfgate may not write to (a read-only checkout) is read without the index. */
	if (!rc && (mkdir(dir, 0777) == 0 || errno == EEXIST))
		ix->fd = open(ix->pack_path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0666);
	free(dir);
	if (rc || ix->fd < 0) {
		pg_summary_index_close(ix);
		return rc;
	}
	unsigned char head[PACK_HEADER], expect[PACK_HEADER];
	header_bytes(expect, PACK_MAGIC);
	struct stat st;
	if (fstat(ix->fd, &st) == 0 && st.st_size == 0) {
		flock(ix->fd, LOCK_EX);
		if (fstat(ix->fd, &st) == 0 && st.st_size == 0) {
			if (write(ix->fd, expect, sizeof(expect)) != (ssize_t)sizeof(expect))
				ix->end = UINT64_MAX;
			else
				ix->created = 1;
		}
		flock(ix->fd, LOCK_UN);
		if (ix->end == UINT64_MAX) {
			pg_summary_index_close(ix);
			return 0;
		}
	}
	if (read_at(ix->fd, head, sizeof(head), 0) < 0 || memcmp(head, expect, sizeof(head)) != 0) {
		reset(ix, "was written by another version of perfgate");
	} else {
		load_idx(ix);
		struct stat now;
		if (fstat(ix->fd, &now) < 0 || ix->covered > (uint64_t)now.st_size) {
			reset(ix, "is shorter than its table says");
		} else if (ix->end < PACK_HEADER) {
			ix->end = PACK_HEADER;
		}
	}
	if (ix->end == UINT64_MAX || (rc = scan_tail(ix))) {
		pg_summary_index_close(ix);
		return rc;
	}
	ix->added = ix->end > ix->covered;
	*out = ix;
	return 0;
}

static int by_key(const void *a, const void *b)
{
	return memcmp(a, b, GIT_OID_RAWSZ);
}

/*
 * Write summaries.idx for every record the pack holds (under the pack's
 * lock): the table read, and the records read past it, in key order.
 */
static void write_idx(pg_summary_index *ix)
{
	unsigned char head[16];
	size_t n = ix->n_idx + ix->n, len = IDX_HEADER + n * IDX_ENTRY;
	char *data = malloc(len), *w;
	if (!data)
		return;
	header_bytes(head, IDX_MAGIC);
	memcpy(data, head, 16);
	memcpy(data + 16, &ix->end, 8);
	uint64_t count = n;
	memcpy(data + 24, &count, 8);
	if (ix->n_idx)
		memcpy(data + IDX_HEADER, ix->idx + IDX_HEADER, ix->n_idx * IDX_ENTRY);
	w = data + IDX_HEADER + ix->n_idx * IDX_ENTRY;
	for (size_t i = 0; i < ix->cap; i++)
		if (ix->slots[i].offset) {
			memcpy(w, ix->slots[i].blob.id, GIT_OID_RAWSZ);
			memcpy(w + GIT_OID_RAWSZ, &ix->slots[i].offset, 8);
			w += IDX_ENTRY;
		}
	qsort(data + IDX_HEADER, n, IDX_ENTRY, by_key);
	/* A key twice (a note read by two processes at once): the table keeps one entry. */
	size_t kept = 0;
	for (size_t i = 0; i < n; i++) {
		char *e = data + IDX_HEADER + i * IDX_ENTRY;
		if (kept && memcmp(data + IDX_HEADER + (kept - 1) * IDX_ENTRY, e, GIT_OID_RAWSZ) == 0)
			continue;
		memmove(data + IDX_HEADER + kept++ * IDX_ENTRY, e, IDX_ENTRY);
	}
	count = kept;
	memcpy(data + 24, &count, 8);
	if (pg_file_write_atomic(ix->idx_path, data, IDX_HEADER + kept * IDX_ENTRY))
		pg_error_clear(); /* the next process reads the pack's tail instead */
	free(data);
}

void pg_summary_index_close(pg_summary_index *ix)
{
	if (!ix)
		return;
	if (ix->fd >= 0 && ix->added && ix->end != UINT64_MAX) {
		flock(ix->fd, LOCK_EX);
		if (!scan_tail(ix))
			write_idx(ix);
		else
			pg_error_clear();
		flock(ix->fd, LOCK_UN);
	}
	if (ix->fd >= 0)
		close(ix->fd);
	free(ix->idx);
	free(ix->slots);
	free(ix->pack_path);
	free(ix->idx_path);
	free(ix);
}

/* ---- the payload: pg_commit_records in a form that decodes without parsing ---- */

typedef struct buffer {
	unsigned char *data;
	size_t len, cap;
	int failed;
} buffer;

static void put(buffer *b, const void *p, size_t n)
{
	if (b->failed)
		return;
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap < b->len + n)
			cap *= 2;
		unsigned char *grown = realloc(b->data, cap);
		if (!grown) {
			b->failed = 1;
			return;
		}
		b->data = grown;
		b->cap = cap;
	}
	if (n) /* an empty string's bytes may be a null pointer */
		memcpy(b->data + b->len, p, n);
	b->len += n;
}

static void put_u32(buffer *b, uint32_t v) { put(b, &v, 4); }
static void put_u64(buffer *b, uint64_t v) { put(b, &v, 8); }
static void put_f64(buffer *b, double v) { put(b, &v, 8); }

static void put_str(buffer *b, const char *s)
{
	if (!s) {
		put_u32(b, NULL_STRING);
		return;
	}
	size_t n = strlen(s);
	put_u32(b, (uint32_t)n);
	put(b, s, n);
}

static void put_metric(buffer *b, const pg_metric *m)
{
	const pg_summary *s = &m->summary;
	put_str(b, m->name);
	put_str(b, m->unit);
	put_u32(b, (uint32_t)m->better | (uint32_t)m->has_value << 8 | (uint32_t)m->has_summary << 9);
	put_f64(b, m->value);
	if (m->has_summary) {
		const double stats[] = {s->min, s->max, s->mean, s->stddev, s->median,
					s->mad, s->p50, s->p90, s->p95, s->p99};
		put_u64(b, s->n);
		put(b, stats, sizeof(stats));
	}
	put_u64(b, m->dropped);
	put_u64(b, m->n_samples);
	put(b, m->samples, m->n_samples * sizeof(double));
}

static void put_set(buffer *b, const pg_result_set *rs)
{
	put_str(b, rs->run_id);
	put_str(b, rs->commit);
	put_u32(b, (uint32_t)rs->dirty);
	put_str(b, rs->env.key);
	put_str(b, rs->env.os);
	put_str(b, rs->env.arch);
	put_str(b, rs->env.cpu);
	put_str(b, rs->env.runner);
	put_u32(b, (uint32_t)rs->env.cores);
	put_str(b, rs->created);
	put_str(b, rs->tool);
	put_f64(b, rs->rss_floor);
	put_u32(b, (uint32_t)rs->probe.version);
	const double probe[] = {rs->probe.cpu_ms[0], rs->probe.cpu_ms[1], rs->probe.mem_ms[0], rs->probe.mem_ms[1]};
	put(b, probe, sizeof(probe));
	put_u64(b, rs->n_benchmarks);
	for (size_t i = 0; i < rs->n_benchmarks; i++) {
		const pg_benchmark *bm = &rs->benchmarks[i];
		put_str(b, bm->name);
		put_str(b, bm->kind);
		put_u32(b, (uint32_t)bm->status);
		put_str(b, bm->reason);
		put_str(b, bm->definition_hash);
		put_f64(b, bm->noise_floor);
		put_u64(b, bm->n_metrics);
		for (size_t k = 0; k < bm->n_metrics; k++)
			put_metric(b, &bm->metrics[k]);
	}
}

static int encode(buffer *b, const pg_commit_records *r)
{
	put_u64(b, r->note_bytes);
	put_u64(b, r->n_unknown);
	put_u64(b, r->n_warnings);
	for (size_t i = 0; i < r->n_warnings; i++)
		put_str(b, r->warnings[i]);
	put_u64(b, r->n_acceptances);
	for (size_t i = 0; i < r->n_acceptances; i++) {
		char *text = cJSON_PrintUnformatted(r->acceptances[i]);
		if (!text)
			b->failed = 1;
		put_str(b, text);
		cJSON_free(text);
	}
	put_u64(b, r->n_sets);
	for (size_t i = 0; i < r->n_sets; i++)
		put_set(b, r->sets[i]);
	return b->failed ? pg_error_set(PG_ENOMEM, "out of memory") : 0;
}

typedef struct reader {
	const unsigned char *p, *end;
	int bad;   /* the payload does not decode: the index is corrupt */
	int nomem; /* out of memory */
} reader;

static void get(reader *r, void *out, size_t n)
{
	if (r->bad || (size_t)(r->end - r->p) < n) {
		r->bad = 1;
		memset(out, 0, n);
		return;
	}
	memcpy(out, r->p, n);
	r->p += n;
}

static uint32_t get_u32(reader *r)
{
	uint32_t v;
	get(r, &v, 4);
	return v;
}

static uint64_t get_u64(reader *r)
{
	uint64_t v;
	get(r, &v, 8);
	return v;
}

static double get_f64(reader *r)
{
	double v;
	get(r, &v, 8);
	return v;
}

/* A count of items at least `least` bytes each: more than the payload holds is corrupt. */
static size_t get_count(reader *r, size_t least)
{
	uint64_t n = get_u64(r);
	if (n > (uint64_t)(r->end - r->p) / least) {
		r->bad = 1;
		return 0;
	}
	return (size_t)n;
}

static char *get_str(reader *r)
{
	uint32_t n = get_u32(r);
	if (r->bad || n == NULL_STRING)
		return NULL;
	if ((size_t)(r->end - r->p) < n) {
		r->bad = 1;
		return NULL;
	}
	char *s = malloc((size_t)n + 1);
	if (!s) {
		r->nomem = r->bad = 1;
		return NULL;
	}
	memcpy(s, r->p, n);
	s[n] = '\0';
	r->p += n;
	return s;
}

static void get_metric(reader *r, pg_metric *m)
{
	pg_summary *s = &m->summary;
	m->name = get_str(r);
	m->unit = get_str(r);
	uint32_t flags = get_u32(r);
	m->better = (pg_better)(flags & 0xff);
	m->has_value = (int)(flags >> 8 & 1);
	m->has_summary = (int)(flags >> 9 & 1);
	m->value = get_f64(r);
	if (m->has_summary) {
		double stats[10];
		s->n = (size_t)get_u64(r);
		get(r, stats, sizeof(stats));
		s->min = stats[0], s->max = stats[1], s->mean = stats[2], s->stddev = stats[3];
		s->median = stats[4], s->mad = stats[5], s->p50 = stats[6], s->p90 = stats[7];
		s->p95 = stats[8], s->p99 = stats[9];
	}
	m->dropped = (size_t)get_u64(r);
	size_t n = get_count(r, sizeof(double));
	if (n) {
		if (!(m->samples = malloc(n * sizeof(double)))) {
			r->nomem = r->bad = 1;
			return;
		}
		get(r, m->samples, n * sizeof(double));
		m->n_samples = m->cap_samples = n;
	}
}

static pg_result_set *get_set(reader *r)
{
	pg_result_set *rs = calloc(1, sizeof(*rs));
	if (!rs) {
		r->nomem = r->bad = 1;
		return NULL;
	}
	rs->run_id = get_str(r);
	rs->commit = get_str(r);
	rs->dirty = (int)get_u32(r);
	rs->env.key = get_str(r);
	rs->env.os = get_str(r);
	rs->env.arch = get_str(r);
	rs->env.cpu = get_str(r);
	rs->env.runner = get_str(r);
	rs->env.cores = (int)get_u32(r);
	rs->created = get_str(r);
	rs->tool = get_str(r);
	rs->rss_floor = get_f64(r);
	rs->probe.version = (int)get_u32(r);
	double probe[4];
	get(r, probe, sizeof(probe));
	rs->probe.cpu_ms[0] = probe[0], rs->probe.cpu_ms[1] = probe[1];
	rs->probe.mem_ms[0] = probe[2], rs->probe.mem_ms[1] = probe[3];
	size_t nb = get_count(r, 32);
	if (nb && !(rs->benchmarks = calloc(nb, sizeof(*rs->benchmarks))))
		r->nomem = r->bad = 1;
	for (size_t i = 0; i < nb && !r->bad; i++) {
		pg_benchmark *bm = &rs->benchmarks[rs->n_benchmarks++];
		bm->name = get_str(r);
		bm->kind = get_str(r);
		bm->status = (pg_status)get_u32(r);
		bm->reason = get_str(r);
		bm->definition_hash = get_str(r);
		bm->noise_floor = get_f64(r);
		size_t nm = get_count(r, 40);
		if (nm && !(bm->metrics = calloc(nm, sizeof(*bm->metrics))))
			r->nomem = r->bad = 1;
		for (size_t k = 0; k < nm && !r->bad; k++)
			get_metric(r, &bm->metrics[bm->n_metrics++]);
	}
	return rs;
}

static void decode(reader *r, pg_commit_records *out)
{
	out->note_bytes = (size_t)get_u64(r);
	out->n_unknown = (size_t)get_u64(r);
	size_t n = get_count(r, 4);
	for (size_t i = 0; i < n && !r->bad; i++) {
		char *w = get_str(r);
		if (w && pg_strlist_push(&out->warnings, &out->n_warnings, w))
			r->nomem = r->bad = 1;
		free(w);
	}
	n = get_count(r, 4);
	if (n && !(out->acceptances = calloc(n, sizeof(*out->acceptances))))
		r->nomem = r->bad = 1;
	for (size_t i = 0; i < n && !r->bad; i++) {
		char *text = get_str(r);
		cJSON *json = text ? cJSON_Parse(text) : NULL;
		free(text);
		if (!json)
			r->bad = 1;
		else
			out->acceptances[out->n_acceptances++] = json;
	}
	n = get_count(r, 8);
	if (n && !(out->sets = calloc(n, sizeof(*out->sets))))
		r->nomem = r->bad = 1;
	for (size_t i = 0; i < n && !r->bad; i++) {
		pg_result_set *rs = get_set(r);
		if (rs)
			out->sets[out->n_sets++] = rs;
	}
	if (r->p != r->end)
		r->bad = 1;
}

/* ---- lookups and additions ---- */

int pg_summary_index_get(pg_summary_index *ix, const git_oid *blob, pg_commit_records *out)
{
	uint64_t offset = table_get(ix, blob);
	unsigned char head[RECORD_HEADER];
	uint32_t len, crc;
	if (!offset)
		return 0;
	const char *why = NULL;
	unsigned char *payload = NULL;
	if (read_at(ix->fd, head, sizeof(head), offset) < 0)
		why = "ends inside a record";
	else if (memcmp(head, blob->id, GIT_OID_RAWSZ) != 0)
		why = "holds another note where its table points";
	if (!why) {
		memcpy(&len, head + GIT_OID_RAWSZ, 4);
		memcpy(&crc, head + GIT_OID_RAWSZ + 4, 4);
		if (!(payload = malloc(len ? len : 1)))
			return pg_error_set(PG_ENOMEM, "out of memory");
		if (read_at(ix->fd, payload, len, offset + RECORD_HEADER) < 0)
			why = "ends inside a record";
		else if ((uint32_t)crc32(0, payload, len) != crc)
			why = "holds a record that fails its checksum";
	}
	if (!why) {
		reader r = {payload, payload + len, 0, 0};
		decode(&r, out);
		free(payload);
		payload = NULL;
		if (r.nomem) {
			pg_commit_records_release(out);
			return pg_error_set(PG_ENOMEM, "out of memory");
		}
		if (!r.bad)
			return 1;
		pg_commit_records_release(out);
		why = "holds a record that does not decode";
	}
	free(payload);
	reset(ix, why);
	return 0;
}

int pg_summary_index_put(pg_summary_index *ix, const git_oid *blob, const pg_commit_records *records)
{
	buffer b = {0};
	int rc = 0;
	if (ix->end == UINT64_MAX)
		return 0;
	unsigned char head[RECORD_HEADER] = {0};
	put(&b, head, sizeof(head));
	if ((rc = encode(&b, records))) {
		free(b.data);
		return rc;
	}
	uint32_t len = (uint32_t)(b.len - RECORD_HEADER), crc = (uint32_t)crc32(0, b.data + RECORD_HEADER, len);
	memcpy(b.data, blob->id, GIT_OID_RAWSZ);
	memcpy(b.data + GIT_OID_RAWSZ, &len, 4);
	memcpy(b.data + GIT_OID_RAWSZ + 4, &crc, 4);
	flock(ix->fd, LOCK_EX);
	/* Records other processes appended meanwhile first; a tail a crash cut short goes. */
	struct stat st;
	if (!(rc = scan_tail(ix)) && fstat(ix->fd, &st) == 0 && (uint64_t)st.st_size > ix->end &&
	    ftruncate(ix->fd, (off_t)ix->end) < 0)
		ix->end = UINT64_MAX;
	if (!rc && ix->end != UINT64_MAX) {
		uint64_t at = ix->end;
		if (write(ix->fd, b.data, b.len) == (ssize_t)b.len) {
			if (!(rc = table_put(ix, blob, at))) {
				ix->end = at + b.len;
				ix->added = 1;
				if (ix->created)
					pg_log_note("the summary index %s was missing; building it from the notes",
						    ix->pack_path);
				ix->created = 0;
			}
		} else if (ftruncate(ix->fd, (off_t)at) < 0) {
			ix->end = UINT64_MAX; /* a full disk: go on without the index */
		}
	}
	flock(ix->fd, LOCK_UN);
	free(b.data);
	if (rc == PG_ESYSTEM) {
		pg_error_clear();
		rc = 0;
	}
	return rc;
}
