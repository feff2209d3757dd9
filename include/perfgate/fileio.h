/* fileio.h - whole-file reads and all-or-nothing writes */
#ifndef PERFGATE_FILEIO_H
#define PERFGATE_FILEIO_H

#include <stddef.h>
#include <stdio.h>

/*
 * Read a whole file into a NUL-terminated buffer the caller frees.
 * Returns 0, PG_ESYSTEM naming the path (missing, unreadable, a directory)
 * or PG_ENOMEM.
 */
int pg_file_read(char **out, size_t *len, const char *path);

/* A text file of one entry a line (a corpus): the entries point into data. */
typedef struct pg_lines {
	char *data;
	char **lines;
	size_t n;
} pg_lines;

/*
 * Read path's entries into out: every line but the empty ones and
 * # comments, each cut at its first CR. Free with pg_lines_free (also on
 * failure). Returns 0, as pg_file_read, or PG_ENOMEM.
 */
int pg_file_read_lines(pg_lines *out, const char *path);

/* Free what pg_file_read_lines allocated; out may be all zero. */
void pg_lines_free(pg_lines *lines);

/*
 * Write len bytes to path all or nothing: a temporary file beside it,
 * fsync, rename. An existing file keeps its mode bits' default (0644).
 * What is not a regular file is written through, never replaced: "-" is
 * standard output, a device or FIFO is opened and written, a symlink's
 * target is written (atomically when it is a regular file or missing).
 * Returns 0 or PG_ESYSTEM naming the path; on failure a regular file at
 * path is untouched.
 */
int pg_file_write_atomic(const char *path, const char *data, size_t len);

/*
 * Render a file all or nothing, as pg_file_write_atomic writes one: for a
 * regular file (or none yet) render(f, arg) writes straight into the
 * temporary file beside it, which replaces path only when render and every
 * write succeeded; for "-" and devices it renders into memory first.
 * Returns render's non-zero result (nothing written), PG_ENOMEM, or as
 * pg_file_write_atomic.
 */
int pg_file_write_rendered(const char *path, int (*render)(FILE *f, void *arg), void *arg);

/*
 * pg_file_write_rendered for a file derived from others and written again
 * when it is lost or stale (a page of the site): still all or nothing, but
 * not synced to the disk before it replaces the old one (a hundred pages
 * of one publish waited ~50 ms on fsync).
 */
int pg_file_write_derived(const char *path, int (*render)(FILE *f, void *arg), void *arg);

/*
 * `mkdir -p dir`. 0 when dir is (now) a directory; PG_ESYSTEM "PART: cannot
 * create the WHAT: reason" for the part that could not be made, or "DIR:
 * cannot use as the WHAT: not a directory"; PG_EINPUT for an empty name.
 */
int pg_make_dirs(const char *dir, const char *what);

/* Join a directory and a name ("a" + "b" -> "a/b"); caller frees. NULL on ENOMEM. */
char *pg_path_join(const char *dir, const char *name);

/* Directory part of a path ("a/b" -> "a", "b" -> "."); caller frees. */
char *pg_path_dirname(const char *path);

/* Directory of the running executable (from /proc/self/exe); caller frees. */
char *pg_self_dir(void);

/* Where temporary files go: $TMPDIR when set and not empty, else /tmp. */
const char *pg_temp_root(void);

#endif
