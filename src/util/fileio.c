/* fileio.c - whole-file reads and all-or-nothing writes */
#include "perfgate/fileio.h"

#include "perfgate/error.h"
#include "perfgate/log.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int pg_file_read(char **out, size_t *len, const char *path)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return pg_error_set(PG_ESYSTEM, "%s: cannot open: %s", path, strerror(errno));
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		close(fd);
		return pg_error_set(PG_ESYSTEM, "%s: is a directory, expected a file", path);
	}
	/* Room for the file, its NUL and one byte more: the read that finds the end needs no larger buffer. */
	size_t cap = st.st_size > 0 ? (size_t)st.st_size + 2 : 4096, used = 0;
	char *buf = malloc(cap);
	if (!buf) {
		close(fd);
		return pg_error_set(PG_ENOMEM, "%s: out of memory reading it", path);
	}
	for (;;) {
		if (used + 1 >= cap) {
			char *grown = realloc(buf, cap * 2);
			if (!grown) {
				free(buf);
				close(fd);
				return pg_error_set(PG_ENOMEM, "%s: out of memory reading it", path);
			}
			buf = grown;
			cap *= 2;
		}
		ssize_t got = read(fd, buf + used, cap - used - 1);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			int e = errno;
			free(buf);
			close(fd);
			return pg_error_set(PG_ESYSTEM, "%s: cannot read: %s", path, strerror(e));
		}
		if (got == 0)
			break;
		used += (size_t)got;
	}
	close(fd);
	buf[used] = '\0';
	*out = buf;
	if (len)
		*len = used;
	return 0;
}

int pg_file_read_lines(pg_lines *out, const char *path)
{
	size_t len, cap = 0;
	memset(out, 0, sizeof(*out));
	int rc = pg_file_read(&out->data, &len, path);
	if (rc)
		return rc;
	for (char *line = out->data, *next; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		line[strcspn(line, "\r")] = '\0';
		if (!line[0] || line[0] == '#')
			continue;
		if (out->n == cap) {
			cap = cap ? cap * 2 : 64;
			char **grown = realloc(out->lines, cap * sizeof(*grown));
			if (!grown)
				return pg_error_set(PG_ENOMEM, "out of memory reading %s", path);
			out->lines = grown;
		}
		out->lines[out->n++] = line;
	}
	return 0;
}

void pg_lines_free(pg_lines *lines)
{
	free(lines->data);
	free(lines->lines);
}

/* write(2) all of data to fd, through EINTR and short writes. 0, or -1 with errno. */
static int write_all(int fd, const char *data, size_t len)
{
	size_t done = 0;
	while (done < len) {
		ssize_t put = write(fd, data + done, len - done);
		if (put < 0 && errno == EINTR)
			continue;
		if (put < 0)
			return -1;
		done += (size_t)put;
	}
	return 0;
}

/* Where a write to path lands: a symlink's target (even a dangling one), else path. Caller frees. */
static char *write_target(const char *path)
{
	struct stat st;
	if (lstat(path, &st) != 0 || !S_ISLNK(st.st_mode))
		return strdup(path);
	char *real = realpath(path, NULL);
	if (real)
		return real;
	char link[PATH_MAX];
	ssize_t n = readlink(path, link, sizeof(link) - 1);
	if (n <= 0)
		return strdup(path);
	link[n] = '\0';
	if (link[0] == '/')
		return strdup(link);
	char *dir = pg_path_dirname(path);
	char *joined = dir ? pg_path_join(dir, link) : NULL;
	free(dir);
	return joined;
}

/* A failed write to path, said as one. */
static int cannot_write(const char *path)
{
	return pg_error_set(PG_ESYSTEM, "%s: cannot write: %s", path, strerror(errno));
}

/*
 * Replace the regular file (or nothing) at path: a temporary file beside it,
 * filled by fill (0, or an error with its message set), fsync (when sync
 * is set), rename.
 * Nothing is left of it on failure.
 */
static int replace_file(const char *path, int (*fill)(int fd, const char *path, void *arg), void *arg, int sync)
{
	size_t plen = strlen(path);
	char *tmp = malloc(plen + 16);
	if (!tmp)
		return pg_error_set(PG_ENOMEM, "%s: out of memory", path);
	snprintf(tmp, plen + 16, "%s.tmpXXXXXX", path);
	int fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		free(tmp);
		return pg_error_set(PG_ESYSTEM, "%s: cannot create a file beside it: %s", path,
				    strerror(e));
	}
	/* mkstemp makes 0600; a result file is read by others like any output. */
	mode_t mask = umask(0);
	umask(mask);
	fchmod(fd, 0666 & ~mask);
	int rc = fill(fd, path, arg);
	if (rc)
		goto failed;
	if (sync && fsync(fd) != 0 && errno != EINVAL)
		goto fail;
	if (close(fd) != 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) != 0)
		goto fail;
	free(tmp);
	return 0;
fail:
	rc = cannot_write(path);
failed:
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	free(tmp);
	return rc;
}

typedef struct bytes {
	const char *data;
	size_t len;
} bytes;

static int fill_bytes(int fd, const char *path, void *arg)
{
	const bytes *b = arg;
	return write_all(fd, b->data, b->len) ? cannot_write(path) : 0;
}

int pg_file_write_atomic(const char *path, const char *data, size_t len)
{
	if (strcmp(path, "-") == 0) {
		fflush(stdout);
		if (write_all(STDOUT_FILENO, data, len) != 0)
			return pg_error_set(PG_ESYSTEM, "standard output: cannot write: %s", strerror(errno));
		return 0;
	}
	char *target = write_target(path);
	if (!target)
		return pg_error_set(PG_ENOMEM, "%s: out of memory", path);
	struct stat st;
	int rc;
	if (stat(target, &st) == 0 && S_ISDIR(st.st_mode)) {
		rc = pg_error_set(PG_ESYSTEM, "%s: is a directory, expected a file to write", path);
	} else if (stat(target, &st) == 0 && !S_ISREG(st.st_mode)) {
		/* A device, a FIFO, a socket: written through, never replaced by a file. */
		int fd = open(target, O_WRONLY | O_CLOEXEC | O_NOCTTY);
		int bad = fd < 0 || write_all(fd, data, len) != 0;
		int e = errno;
		if (fd >= 0 && close(fd) != 0 && !bad) {
			bad = 1;
			e = errno;
		}
		rc = bad ? pg_error_set(PG_ESYSTEM, "%s: cannot write: %s", path, strerror(e)) : 0;
	} else {
		bytes b = {data, len};
		rc = replace_file(target, fill_bytes, &b, 1);
	}
	if (!rc)
		pg_log_verbose("wrote %s (%zu bytes)", path, len);
	free(target);
	return rc;
}

typedef struct rendered {
	int (*render)(FILE *f, void *arg);
	void *arg;
	long long len;
} rendered;

/* What render writes, through stdio, into fd (which stays open for replace_file). */
static int fill_rendered(int fd, const char *path, void *arg)
{
	rendered *r = arg;
	int dup_fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	FILE *f = dup_fd >= 0 ? fdopen(dup_fd, "w") : NULL;
	if (!f) {
		int rc = cannot_write(path);
		if (dup_fd >= 0)
			close(dup_fd);
		return rc;
	}
	int rc = r->render(f, r->arg);
	r->len = ftello(f);
	/* A write that failed on the way (a full disk) leaves the error flag, whatever the last flush did. */
	int failed = ferror(f);
	if ((fclose(f) != 0 || failed) && !rc)
		rc = cannot_write(path);
	return rc;
}

static int write_rendered(const char *path, int (*render)(FILE *f, void *arg), void *arg, int sync)
{
	/* A regular file (or none yet) is written as it is rendered, never held whole in memory. */
	char *target = strcmp(path, "-") != 0 ? write_target(path) : NULL;
	struct stat st;
	if (target && (stat(target, &st) != 0 || S_ISREG(st.st_mode))) {
		rendered r = {render, arg, 0};
		int rc = replace_file(target, fill_rendered, &r, sync);
		if (!rc)
			pg_log_verbose("wrote %s (%lld bytes)", path, r.len);
		free(target);
		return rc;
	}
	free(target);
	char *text = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);
	if (!mem)
		return pg_error_set(PG_ENOMEM, "%s: out of memory", path);
	int rc = render(mem, arg);
	if (fclose(mem) != 0 && !rc)
		rc = pg_error_set(PG_ENOMEM, "%s: out of memory", path);
	if (!rc)
		rc = pg_file_write_atomic(path, text, len);
	free(text);
	return rc;
}

int pg_file_write_rendered(const char *path, int (*render)(FILE *f, void *arg), void *arg)
{
	return write_rendered(path, render, arg, 1);
}

int pg_file_write_derived(const char *path, int (*render)(FILE *f, void *arg), void *arg)
{
	return write_rendered(path, render, arg, 0);
}

int pg_make_dirs(const char *dir, const char *what)
{
	struct stat st;
	if (!*dir)
		return pg_error_set(PG_EINPUT, "the %s is an empty name", what);
	if (stat(dir, &st) != 0) {
		char *part = strdup(dir);
		if (!part)
			return pg_error_set(PG_ENOMEM, "out of memory");
		for (char *p = part + 1;; p++) {
			if (*p != '/' && *p != '\0')
				continue;
			char was = *p;
			*p = '\0';
			if (mkdir(part, 0777) != 0 && errno != EEXIST) {
				int rc = pg_error_set(PG_ESYSTEM, "%s: cannot create the %s: %s", part, what, strerror(errno));
				free(part);
				return rc;
			}
			*p = was;
			if (!was)
				break;
		}
		free(part);
	}
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
		return pg_error_set(PG_ESYSTEM, "%s: cannot use as the %s: not a directory", dir, what);
	return 0;
}

char *pg_path_join(const char *dir, const char *name)
{
	size_t dl = strlen(dir), nl = strlen(name);
	int slash = dl > 0 && dir[dl - 1] != '/';
	char *p = malloc(dl + nl + 2);
	if (!p)
		return NULL;
	memcpy(p, dir, dl);
	if (slash)
		p[dl++] = '/';
	memcpy(p + dl, name, nl + 1);
	return p;
}

char *pg_path_dirname(const char *path)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		return strdup(".");
	if (slash == path)
		return strdup("/");
	return strndup(path, (size_t)(slash - path));
}

char *pg_self_dir(void)
{
	char buf[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	return pg_path_dirname(buf);
}

const char *pg_temp_root(void)
{
	const char *tmp = getenv("TMPDIR");
	return tmp && *tmp ? tmp : "/tmp";
}
