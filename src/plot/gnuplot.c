/* gnuplot.c - one gnuplot process per call, each plot loaded from a file of its commands; plots written all or nothing */
#include "perfgate/plot.h"

#include "perfgate/error.h"
#include "perfgate/fileio.h"
#include "perfgate/quantity.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define GNUPLOT_TIMEOUT_MS 60000
#define NOT_FOUND "gnuplot not found on PATH: no plots written"

typedef struct plot_file {
	char *path;   /* where it goes */
	char *tmp;    /* where gnuplot writes it */
	char *script; /* the file of its commands, which gnuplot loads */
	int lost;     /* errno of writing its commands (then gnuplot never loaded them), or 0 */
} plot_file;

/*
 * gnuplot reads a pipe on its stdin one byte per read(2), and a file it
 * loads through stdio: a plot of 1,000 points is some 30 KB of commands
 * and data, so each plot's commands go to a file of their own in a private
 * directory, and the pipe carries only the load of each and its end.
 */
struct pg_gnuplot {
	pid_t pid;
	FILE *in;      /* gnuplot's stdin */
	int err_fd;    /* an unlinked file holding gnuplot's stdout and stderr */
	char *dir;
	char *scripts; /* the private directory of the plots' command files, or NULL */
	FILE *script;  /* the open plot's command file */
	plot_file *plots;
	size_t n_plots;
	int open_plot; /* a plot was begun and not yet ended */
	struct sigaction old_sigpipe;
};

const char *pg_plot_extension(pg_plot_format format)
{
	return format == PG_PLOT_SVG ? "svg" : "png";
}

void pg_plot_unit_choose(pg_plot_unit *out, const char *unit, double typical)
{
	static const struct step {
		double below; /* in the base unit */
		double factor;
		const char *name;
	} times[] = {{1e-6, 1e9, "ns"}, {1e-3, 1e6, "\xc2\xb5s"}, {1.0, 1e3, "ms"}, {600.0, 1.0, "s"},
		     {HUGE_VAL, 1.0 / 60.0, "min"}},
	  bytes[] = {{1024.0, 1.0, "B"},
		     {1048576.0, 1.0 / 1024.0, "KiB"},
		     {1073741824.0, 1.0 / 1048576.0, "MiB"},
		     {HUGE_VAL, 1.0 / 1073741824.0, "GiB"}};
	double scale, base;
	pg_dimension dim = pg_unit_dimension(unit, &scale);
	const struct step *steps = dim == PG_DIM_TIME ? times : bytes;
	size_t n = dim == PG_DIM_TIME ? sizeof(times) / sizeof(times[0]) : sizeof(bytes) / sizeof(bytes[0]);

	base = fabs(typical * scale);
	if (!isfinite(base))
		base = 0;
	if (dim == PG_DIM_TIME || dim == PG_DIM_BYTES) {
		for (size_t i = 0; i < n; i++)
			if (base < steps[i].below * 0.9995 || i + 1 == n) {
				out->factor = scale * steps[i].factor;
				snprintf(out->name, sizeof(out->name), "%s", steps[i].name);
				return;
			}
	}
	if (dim == PG_DIM_RATIO) {
		out->factor = scale * 100.0;
		snprintf(out->name, sizeof(out->name), "%%");
		return;
	}
	const char *suffix = !unit || strcmp(unit, "count") == 0 ? ""
			     : strcmp(unit, "1/s") == 0     ? "/s"
							    : unit;
	static const struct step plain[] = {
		{1e4, 1.0, ""}, {1e6, 1e-3, "k"}, {1e9, 1e-6, "M"}, {HUGE_VAL, 1e-9, "G"}};
	static const char *const spelled[] = {"", "thousands", "millions", "billions"};
	size_t i = 0;
	while (base >= plain[i].below * 0.9995 && i + 1 < sizeof(plain) / sizeof(plain[0]))
		i++;
	out->factor = plain[i].factor;
	/* A count in thousands reads as "thousands", not as a bare "k". */
	snprintf(out->name, sizeof(out->name), "%s%s", *suffix ? plain[i].name : spelled[i], suffix);
}

int pg_gnuplot_find(char **path)
{
	const char *search = getenv("PATH");
	*path = NULL;
	if (!search)
		search = "/usr/local/bin:/usr/bin:/bin";
	for (const char *p = search;; p++) {
		const char *end = strchr(p, ':');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		/* An empty entry means the current directory, as for execvp. */
		char *candidate = malloc(len + sizeof("/gnuplot") + 1);
		if (!candidate)
			return pg_error_set(PG_ENOMEM, "out of memory");
		if (len)
			snprintf(candidate, len + sizeof("/gnuplot") + 1, "%.*s/gnuplot", (int)len, p);
		else
			strcpy(candidate, "./gnuplot");
		struct stat st;
		if (stat(candidate, &st) == 0 && S_ISREG(st.st_mode) && access(candidate, X_OK) == 0) {
			*path = candidate;
			return 0;
		}
		free(candidate);
		if (!end)
			break;
		p = end;
	}
	return pg_error_set(PG_ESYSTEM, NOT_FOUND);
}

/* A path as a single-quoted gnuplot string, byte for byte (the caller refused newlines). */
static void quote_path(FILE *out, const char *path)
{
	fputc('\'', out);
	for (const char *p = path; *p; p++) {
		if (*p == '\'')
			fputc('\'', out);
		fputc(*p, out);
	}
	fputc('\'', out);
}

static int spawn(pg_gnuplot *gp, const char *path)
{
	int fds[2];
	char tmpl[4096];
	/* The private directory of the plots' command files: gnuplot is told to load them by name. */
	snprintf(tmpl, sizeof(tmpl), "%s/perfgate-gnuplot.XXXXXX", pg_temp_root());
	if (strpbrk(tmpl, "\n\r"))
		return pg_error_set(PG_EINPUT, "TMPDIR '%s': a newline in its name", pg_temp_root());
	if (!mkdtemp(tmpl))
		return pg_error_set(PG_ESYSTEM, "gnuplot: cannot make a directory for its commands in %s: %s",
				    pg_temp_root(), strerror(errno));
	if (!(gp->scripts = strdup(tmpl))) {
		rmdir(tmpl);
		return pg_error_set(PG_ENOMEM, "out of memory");
	}
	if (pipe2(fds, O_CLOEXEC) != 0)
		return pg_error_set(PG_ESYSTEM, "gnuplot: cannot make a pipe: %s", strerror(errno));
	/* A file, not a pipe, for gnuplot's messages: it can never block gnuplot while we write. */
	snprintf(tmpl, sizeof(tmpl), "%s/perfgate-gnuplot.XXXXXX", pg_temp_root());
	gp->err_fd = mkostemp(tmpl, O_CLOEXEC);
	if (gp->err_fd < 0) {
		close(fds[0]);
		close(fds[1]);
		return pg_error_set(PG_ESYSTEM, "gnuplot: cannot make a file for its messages in %s: %s",
				    pg_temp_root(), strerror(errno));
	}
	unlink(tmpl);

	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, pipe_only;
	sigemptyset(&none);
	sigemptyset(&pipe_only);
	sigaddset(&pipe_only, SIGPIPE);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fds[0], 0);
	posix_spawn_file_actions_adddup2(&fa, gp->err_fd, 1);
	posix_spawn_file_actions_adddup2(&fa, gp->err_fd, 2);
	posix_spawnattr_init(&attr);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &pipe_only);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	/* -d: the user's ~/.gnuplot must not change what we draw. */
	char *argv[] = {"gnuplot", "-d", NULL};
	int err = posix_spawn(&gp->pid, path, &fa, &attr, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	close(fds[0]);
	if (err) {
		close(fds[1]);
		gp->pid = 0;
		return pg_error_set(PG_ESYSTEM, "%s: cannot start gnuplot: %s", path, strerror(err));
	}
	gp->in = fdopen(fds[1], "w");
	if (!gp->in) {
		close(fds[1]);
		return pg_error_set(PG_ENOMEM, "out of memory");
	}
	return 0;
}

static void write_preamble(pg_gnuplot *gp, pg_plot_format format)
{
	FILE *out = gp->in;
	fputs("set encoding utf8\n", out);
	if (format == PG_PLOT_SVG) {
		fputs("set terminal svg size 1000,500 dynamic font 'sans-serif,12'\n", out);
	} else {
		/* The list of terminals this gnuplot was built with, without a second process. */
		fputs("if (strstrt(' '.GPVAL_TERMINALS.' ', ' pngcairo ') > 0) {\n"
		      "  set terminal pngcairo size 1000,500 font 'DejaVu Sans,10'\n"
		      "} else {\n"
		      "  set terminal png size 1000,500\n"
		      "}\n",
		      out);
	}
	/* Names from data must print as themselves: no ^ _ @ & {} markup. */
	fputs("set termoption noenhanced\n", out);
	fputs("print sprintf('perfgate-plot-ready %d %s', GPVAL_ERRNO, GPVAL_ERRMSG)\nreset errors\n",
	      out);
	/* What ends each plot (pg_gnuplot_end), said once: gnuplot reads its stdin a byte per read(2). */
	fputs("pg_end = \"unset output; print sprintf('perfgate-plot-end %d %d %s', pg_plot, GPVAL_ERRNO, "
	      "GPVAL_ERRMSG)\"\n",
	      out);
}

int pg_gnuplot_open(pg_gnuplot **out, const char *dir, pg_plot_format format)
{
	char *path = NULL;
	int rc;
	*out = NULL;
	if (!dir[0])
		return pg_error_set(PG_EINPUT, "the plot directory is an empty string");
	if (strpbrk(dir, "\n\r"))
		return pg_error_set(PG_EINPUT, "plot directory '%s': a newline in its name", dir);
	if ((rc = pg_gnuplot_find(&path)))
		return rc;
	pg_gnuplot *gp = calloc(1, sizeof(*gp));
	if (!gp) {
		free(path);
		return pg_error_set(PG_ENOMEM, "out of memory");
	}
	gp->err_fd = -1;
	if (!(gp->dir = strdup(dir))) {
		free(path);
		free(gp);
		return pg_error_set(PG_ENOMEM, "out of memory");
	}
	/* Writes to a gnuplot that died fail with EPIPE, reported at close, instead of killing us. */
	struct sigaction ignore = {.sa_handler = SIG_IGN};
	sigemptyset(&ignore.sa_mask);
	sigaction(SIGPIPE, &ignore, &gp->old_sigpipe);
	rc = pg_make_dirs(dir, "plot directory");
	if (!rc)
		rc = spawn(gp, path);
	free(path);
	if (rc) {
		pg_gnuplot_close(gp);
		return rc;
	}
	write_preamble(gp, format);
	*out = gp;
	return 0;
}

FILE *pg_gnuplot_begin(pg_gnuplot *gp, const char *file)
{
	if (gp->open_plot)
		pg_gnuplot_end(gp);
	plot_file *grown = realloc(gp->plots, (gp->n_plots + 1) * sizeof(*grown));
	if (!grown) {
		pg_error_set(PG_ENOMEM, "out of memory");
		return NULL;
	}
	gp->plots = grown;
	plot_file *p = &grown[gp->n_plots];
	size_t n = strlen(file) + 8;
	char *hidden = malloc(n), number[32];
	snprintf(number, sizeof(number), "%zu.gp", gp->n_plots);
	*p = (plot_file){.path = pg_path_join(gp->dir, file), .script = pg_path_join(gp->scripts, number)};
	if (hidden)
		snprintf(hidden, n, ".%s.tmp", file);
	p->tmp = hidden ? pg_path_join(gp->dir, hidden) : NULL;
	free(hidden);
	if (!p->path || !p->tmp || !p->script) {
		free(p->path);
		free(p->tmp);
		free(p->script);
		pg_error_set(PG_ENOMEM, "out of memory");
		return NULL;
	}
	if (!(gp->script = fopen(p->script, "we"))) {
		pg_error_set(PG_ESYSTEM, "%s: cannot write the commands of plot %s: %s", p->script, p->path,
			     strerror(errno));
		free(p->path);
		free(p->tmp);
		free(p->script);
		return NULL;
	}
	/* Settings and errors of the plot before are forgotten first. */
	fputs("reset\nreset errors\nset encoding utf8\nset output ", gp->script);
	quote_path(gp->script, p->tmp);
	fputc('\n', gp->script);
	gp->n_plots++;
	gp->open_plot = 1;
	return gp->script;
}

void pg_gnuplot_end(pg_gnuplot *gp)
{
	if (!gp->open_plot)
		return;
	plot_file *p = &gp->plots[gp->n_plots - 1];
	/* Commands that did not all reach their file are not loaded: the plot fails with the reason. */
	errno = 0;
	int failed = ferror(gp->script);
	if (fclose(gp->script) != 0 || failed)
		p->lost = errno ? errno : EIO;
	gp->script = NULL;
	if (!p->lost) {
		fputs("load ", gp->in);
		quote_path(gp->in, p->script);
	}
	/*
	 * GPVAL_ERRNO is set by any error since the reset at the file's top, or
	 * by a load that failed: the plot is not clean (one whose commands were
	 * lost fails at close, whatever this says). An error ends the load, never
	 * this line.
	 */
	fprintf(gp->in, "\npg_plot = %zu; eval pg_end\n", gp->n_plots - 1);
	/* gnuplot draws this plot while the caller prepares the next. */
	fflush(gp->in);
	gp->open_plot = 0;
}

/* Length of the valid UTF-8 sequence at s (1-4), or 0 when it is not one. */
static size_t utf8_length(const unsigned char *s)
{
	unsigned c = s[0];
	size_t len;
	unsigned cp;
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	/* Overlong forms, surrogates, beyond U+10FFFF, and the non-characters XML forbids. */
	if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp == 0xfffe || cp == 0xffff)
		return 0;
	return len;
}

/*
 * One piece of a quoted string: a quote as "'" (the only double-quoted
 * piece: it holds nothing gnuplot expands), anything else inside a
 * single-quoted run. *open says whether a run is open, *any whether
 * anything was written (then pieces are joined with '.').
 */
static void quote_piece(FILE *out, const char *text, size_t len, int *open, int *any)
{
	int is_quote = len == 1 && text[0] == '\'';
	if (is_quote || !*open) {
		if (*open)
			fputc('\'', out);
		if (*any)
			fputc('.', out);
		*any = 1;
		*open = !is_quote;
		fputs(is_quote ? "\"'\"" : "'", out);
		if (is_quote)
			return;
	}
	fwrite(text, 1, len, out);
}

void pg_gnuplot_quote(FILE *out, const char *s, size_t max)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t used = 0;
	int open = 0, any = 0;
	while (*p) {
		size_t len = utf8_length(p);
		const char *text = (const char *)p;
		size_t text_len = len;
		if (len == 0) {
			text = "\xef\xbf\xbd";
			text_len = 3;
			len = 1;
		} else if (*p < 0x20 || *p == 0x7f) {
			text = " ";
		}
		if (max && used + len > max) {
			quote_piece(out, "\xe2\x80\xa6", 3, &open, &any);
			break;
		}
		quote_piece(out, text, text_len, &open, &any);
		used += len;
		p += len;
	}
	if (open)
		fputc('\'', out);
	if (!any)
		fputs("''", out);
}

/*
 * Wait for pid, killing it after the timeout. Returns its wait status, or
 * -1. Looked at every millisecond for the first 200 (gnuplot mostly ends
 * within a few of its stdin's end), then every 10.
 */
static int wait_for(pid_t pid)
{
	int status;
	for (int waited = 0;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);
		if (r == pid)
			return status;
		if (r < 0 && errno != EINTR)
			return -1;
		if (waited >= GNUPLOT_TIMEOUT_MS) {
			kill(pid, SIGKILL);
			while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
				;
			return -1;
		}
		int step = waited < 200 ? 1 : 10;
		nanosleep(&(struct timespec){.tv_nsec = step * 1000 * 1000}, NULL);
		waited += step;
	}
}

/* Everything gnuplot printed, NUL-terminated (caller frees), or NULL. */
static char *read_messages(int fd)
{
	off_t size = lseek(fd, 0, SEEK_END);
	if (size < 0 || lseek(fd, 0, SEEK_SET) < 0)
		return NULL;
	char *text = malloc((size_t)size + 1);
	size_t got = 0;
	while (text && got < (size_t)size) {
		ssize_t r = read(fd, text + got, (size_t)size - got);
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	if (text)
		text[got] = '\0';
	return text;
}

/*
 * The error gnuplot reported at `marker` ("perfgate-plot-end 3 "), copied
 * to why: "" when it drew cleanly. Returns 1 when there is no marker:
 * gnuplot stopped before it.
 */
static int outcome(char *why, size_t size, const char *messages, const char *marker)
{
	int n = (int)strlen(marker);
	for (const char *line = messages; line && *line;) {
		const char *eol = strchr(line, '\n');
		size_t len = eol ? (size_t)(eol - line) : strlen(line);
		if (len >= (size_t)n && strncmp(line, marker, (size_t)n) == 0) {
			const char *rest = line + n;
			if (*rest == '0' && (rest[1] == ' ' || rest[1] == '\n' || rest[1] == '\0')) {
				why[0] = '\0';
				return 0;
			}
			while (*rest && *rest != ' ' && *rest != '\n')
				rest++;
			while (*rest == ' ')
				rest++;
			snprintf(why, size, "%.*s", (int)(len - (size_t)(rest - line)), rest);
			if (!why[0])
				snprintf(why, size, "gnuplot reported an error");
			return 0;
		}
		line = eol ? eol + 1 : NULL;
	}
	snprintf(why, size, "gnuplot stopped before finishing it");
	return 1;
}

/* The last non-empty line of text, for a message when gnuplot itself failed. */
static void last_line(char *buf, size_t size, const char *text)
{
	buf[0] = '\0';
	for (const char *line = text; line && *line;) {
		const char *eol = strchr(line, '\n');
		size_t len = eol ? (size_t)(eol - line) : strlen(line);
		const char *start = line;
		while (len && (*start == ' ' || *start == '\t')) {
			start++;
			len--;
		}
		if (len && strncmp(start, "perfgate-plot-", 14) != 0)
			snprintf(buf, size, "%.*s", (int)len, start);
		line = eol ? eol + 1 : NULL;
	}
}

int pg_gnuplot_close(pg_gnuplot *gp)
{
	int rc = 0, status = 0;
	if (!gp)
		return 0;
	if (gp->in) {
		pg_gnuplot_end(gp);
		fputs("exit\n", gp->in);
		fclose(gp->in); /* EOF ends gnuplot */
	}
	if (gp->pid > 0)
		status = wait_for(gp->pid);
	char *messages = gp->err_fd >= 0 ? read_messages(gp->err_fd) : NULL;
	char why[512], tail[256];
	last_line(tail, sizeof(tail), messages);
	/* A terminal that could not be set fails every plot, with its own message. */
	char setup[512];
	outcome(setup, sizeof(setup), messages, "perfgate-plot-ready ");
	size_t failed = 0;
	for (size_t i = 0; i < gp->n_plots; i++) {
		plot_file *p = &gp->plots[i];
		char marker[64];
		snprintf(marker, sizeof(marker), "perfgate-plot-end %zu ", i);
		int stopped = outcome(why, sizeof(why), messages, marker);
		if (p->lost)
			snprintf(why, sizeof(why), "cannot write its commands to %s: %s", p->script, strerror(p->lost));
		if (!why[0] && setup[0])
			snprintf(why, sizeof(why), "%s", setup);
		if (!why[0] && rename(p->tmp, p->path) != 0)
			snprintf(why, sizeof(why), "cannot move %s into place: %s", p->tmp, strerror(errno));
		if (why[0]) {
			unlink(p->tmp);
			/* Where gnuplot itself stopped, say how, and the last thing it said. */
			if (stopped && status == -1)
				snprintf(why, sizeof(why), "gnuplot did not finish within %d s",
					 GNUPLOT_TIMEOUT_MS / 1000);
			else if (stopped && WIFSIGNALED(status))
				snprintf(why, sizeof(why), "gnuplot was killed by signal %d", WTERMSIG(status));
			else if (stopped && tail[0])
				snprintf(why, sizeof(why), "gnuplot stopped before finishing it: %s", tail);
			if (failed++ == 0)
				rc = pg_error_set(PG_ESYSTEM, "plot %s: %s", p->path, why);
		}
		unlink(p->script);
		free(p->path);
		free(p->tmp);
		free(p->script);
	}
	if (gp->scripts)
		rmdir(gp->scripts);
	free(gp->scripts);
	if (failed > 1)
		pg_error_wrap(rc, "%zu plots failed, the first", failed);
	if (!failed && gp->pid > 0 && gp->n_plots == 0 && status != 0)
		rc = pg_error_set(PG_ESYSTEM, "gnuplot failed%s%s", tail[0] ? ": " : "", tail);
	free(messages);
	free(gp->plots);
	if (gp->err_fd >= 0)
		close(gp->err_fd);
	sigaction(SIGPIPE, &gp->old_sigpipe, NULL);
	free(gp->dir);
	free(gp);
	return rc;
}
