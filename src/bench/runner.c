/* runner.c - start, time, bound and reap one measured process (optionally from a spawner) */
#include "perfgate/runner.h"

#include "perfgate/clock.h"
#include "perfgate/error.h"
#include "probe.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static double own_peak_rss(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_maxrss * 1024.0;
}

/* Keep the last PG_OUTPUT_TAIL bytes of a stream, counting everything. */
static void tail_append(char *tail, size_t *len, size_t *total, const char *data, size_t n)
{
	*total += n;
	if (n >= PG_OUTPUT_TAIL) {
		memcpy(tail, data + n - PG_OUTPUT_TAIL, PG_OUTPUT_TAIL);
		*len = PG_OUTPUT_TAIL;
	} else {
		size_t keep = *len + n > PG_OUTPUT_TAIL ? PG_OUTPUT_TAIL - n : *len;
		memmove(tail, tail + *len - keep, keep);
		memcpy(tail + keep, data, n);
		*len = keep + n;
	}
	tail[*len] = '\0';
}

/* Read what is there without blocking; returns 0 at EOF or error, 1 if the pipe stays open. */
static int drain(int fd, char *tail, size_t *len, size_t *total)
{
	char buf[65536];
	for (;;) {
		ssize_t got = read(fd, buf, sizeof(buf));
		if (got > 0) {
			tail_append(tail, len, total, buf, (size_t)got);
			continue;
		}
		if (got < 0 && errno == EINTR)
			continue;
		return got < 0 && errno == EAGAIN;
	}
}

static int open_pipe(int fds[2])
{
	if (pipe2(fds, O_CLOEXEC) != 0)
		return -1;
	fcntl(fds[0], F_SETFL, O_NONBLOCK);
	return 0;
}

/*
 * Find the program as execvp would, so "not found" is reported the same way
 * however posix_spawn is implemented underneath (under valgrind it cannot
 * report exec failures and the child just exits 127).
 */
static int find_program(const pg_run_spec *spec, char *path, size_t size)
{
	const char *name = spec->argv[0];
	if (strchr(name, '/')) {
		/* Relative to the directory the child starts in, as exec would see it. */
		if (name[0] != '/' && spec->cwd)
			snprintf(path, size, "%s/%s", spec->cwd, name);
		else
			snprintf(path, size, "%s", name);
		return access(path, X_OK) == 0 ? 0 : errno;
	}
	const char *dirs = NULL;
	for (char *const *e = spec->envp; e && *e && !dirs; e++)
		if (strncmp(*e, "PATH=", 5) == 0)
			dirs = *e + 5;
	if (!spec->envp)
		dirs = getenv("PATH");
	int err = ENOENT;
	if (!dirs)
		dirs = "/usr/local/bin:/usr/bin:/bin";
	while (*dirs) {
		size_t len = strcspn(dirs, ":");
		snprintf(path, size, "%.*s%s%s", (int)len, dirs, len ? "/" : "", name);
		if (access(path, X_OK) == 0)
			return 0;
		if (errno == EACCES)
			err = EACCES;
		dirs += len + (dirs[len] == ':');
	}
	return err;
}

typedef struct child {
	pid_t pid;
	int pidfd;
	int in_w, out_r, err_r; /* perfgate's ends of the pipes, -1 when none */
	double t0;
} child;

static void child_close(child *c)
{
	int *fds[] = {&c->pidfd, &c->in_w, &c->out_r, &c->err_r};
	for (size_t i = 0; i < 4; i++)
		if (*fds[i] >= 0) {
			close(*fds[i]);
			*fds[i] = -1;
		}
}

/*
 * Start spec's command in its own process group: stdin a pipe (want_stdin)
 * or /dev/null, stdout a pipe (want_stdout) or /dev/null, stderr a pipe.
 */
static int spawn_child(child *c, pg_run_outcome *out, const pg_run_spec *spec, int want_stdin,
		       int want_stdout)
{
	int in_pipe[2] = {-1, -1}, out_pipe[2] = {-1, -1}, err_pipe[2] = {-1, -1}, devnull = -1;
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, all;
	cpu_set_t saved_cpus;
	int pinned = 0, rc = 0;
	char program[4096];

	memset(c, 0, sizeof(*c));
	c->pid = -1;
	c->pidfd = c->in_w = c->out_r = c->err_r = -1;
	int missing = find_program(spec, program, sizeof(program));
	if (missing) {
		out->spawn_errno = missing;
		return pg_error_set(PG_ESYSTEM, "cannot start '%s': %s", spec->argv[0], strerror(missing));
	}
	devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (devnull < 0 || open_pipe(err_pipe) != 0 || (want_stdout && open_pipe(out_pipe) != 0) ||
	    (want_stdin && pipe2(in_pipe, O_CLOEXEC) != 0)) {
		rc = pg_error_set(PG_ESYSTEM, "cannot make pipes for '%s': %s", spec->argv[0],
				  strerror(errno));
		goto done;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, want_stdin ? in_pipe[0] : devnull, 0);
	posix_spawn_file_actions_adddup2(&fa, want_stdout ? out_pipe[1] : devnull, 1);
	posix_spawn_file_actions_adddup2(&fa, err_pipe[1], 2);
	/* Every system call here runs inside the measured interval: skip a chdir to where we are. */
	static char here[4096];
	if (!here[0] && !getcwd(here, sizeof(here)))
		here[0] = '\0';
	if (spec->cwd && strcmp(spec->cwd, here) != 0)
		posix_spawn_file_actions_addchdir_np(&fa, spec->cwd);
	posix_spawnattr_init(&attr);
	sigemptyset(&none);
	/*
	 * Only what perfgate and its spawner ignore survives exec; resetting all 64
	 * dispositions would cost 64 system calls in every measured run.
	 */
	sigemptyset(&all);
	sigaddset(&all, SIGPIPE);
	sigaddset(&all, SIGINT);
	sigaddset(&all, SIGQUIT);
	sigaddset(&all, SIGTERM);
	sigaddset(&all, SIGHUP);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &all);
	posix_spawnattr_setpgroup(&attr, 0);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
						POSIX_SPAWN_SETSIGDEF);
	if (spec->cpu >= 0) {
		cpu_set_t one;
		CPU_ZERO(&one);
		CPU_SET(spec->cpu, &one);
		if (sched_getaffinity(0, sizeof(saved_cpus), &saved_cpus) == 0 &&
		    sched_setaffinity(0, sizeof(one), &one) == 0)
			pinned = 1;
	}
	c->t0 = pg_now();
	int spawn_rc = posix_spawn(&c->pid, program, &fa, &attr, spec->argv,
				   spec->envp ? spec->envp : environ);
	if (pinned)
		sched_setaffinity(0, sizeof(saved_cpus), &saved_cpus);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	if (spawn_rc != 0) {
		struct stat st;
		out->spawn_errno = spawn_rc;
		c->pid = -1;
		if (spawn_rc == ENOENT && spec->cwd && stat(spec->cwd, &st) != 0)
			rc = pg_error_set(PG_ESYSTEM, "cannot start '%s': working directory %s: %s",
					  spec->argv[0], spec->cwd, strerror(errno));
		else
			rc = pg_error_set(PG_ESYSTEM, "cannot start '%s': %s", spec->argv[0],
					  strerror(spawn_rc));
		goto done;
	}
	c->pidfd = (int)syscall(SYS_pidfd_open, c->pid, 0);
	c->err_r = err_pipe[0];
	err_pipe[0] = -1;
	c->out_r = out_pipe[0];
	out_pipe[0] = -1;
	c->in_w = in_pipe[1];
	in_pipe[1] = -1;
done:
	if (devnull >= 0)
		close(devnull);
	for (int i = 0; i < 2; i++) {
		if (in_pipe[i] >= 0)
			close(in_pipe[i]);
		if (out_pipe[i] >= 0)
			close(out_pipe[i]);
		if (err_pipe[i] >= 0)
			close(err_pipe[i]);
	}
	return rc;
}

/*
 * Wait for the child to exit, killing its group at the timeout (or at once
 * with kill_now, or when watch_fd hangs up), and fill out with how it
 * ended. With drain, keep the tails of its stdout and stderr pipes.
 */
double pg_process_rss(pid_t pid)
{
	char path[64];
	long size, resident;
	snprintf(path, sizeof(path), "/proc/%d/statm", (int)pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return NAN;
	int got = fscanf(f, "%ld %ld", &size, &resident);
	fclose(f);
	return got == 2 ? (double)resident * (double)sysconf(_SC_PAGESIZE) : NAN;
}

static void wait_child(pg_run_outcome *out, child *c, double timeout_s, int kill_now,
		       int watch_fd, int drain_pipes)
{
	int err_open = drain_pipes && c->err_r >= 0, out_open = drain_pipes && c->out_r >= 0;
	int status = 0;
	struct rusage ru;
	double deadline = timeout_s > 0 ? c->t0 + timeout_s : 0;
	/* The resident set, sampled while the child runs: the first sample one period after its start. */
	double next_sample = c->t0 + PG_RSS_SAMPLE_MS / 1e3, rss_sum = 0;
	size_t rss_samples = 0;
	memset(&ru, 0, sizeof(ru));
	if (kill_now)
		kill(-c->pid, SIGKILL);
	for (;;) {
		struct pollfd p[4];
		int np = 0, i_pid = -1, i_err = -1, i_out = -1, i_watch = -1;
		if (c->pidfd >= 0) {
			i_pid = np;
			p[np++] = (struct pollfd){.fd = c->pidfd, .events = POLLIN};
		}
		if (err_open) {
			i_err = np;
			p[np++] = (struct pollfd){.fd = c->err_r, .events = POLLIN};
		}
		if (out_open) {
			i_out = np;
			p[np++] = (struct pollfd){.fd = c->out_r, .events = POLLIN};
		}
		if (watch_fd >= 0) {
			i_watch = np;
			p[np++] = (struct pollfd){.fd = watch_fd, .events = POLLIN};
		}
		int wait_ms = out->timed_out ? -1 : pg_poll_timeout_ms(deadline);
		if (c->pidfd < 0 && (wait_ms < 0 || wait_ms > 5))
			wait_ms = 5; /* no pidfd (old kernel, valgrind): look for the exit now and then */
		int to_sample = pg_poll_timeout_ms(next_sample);
		if (!out->timed_out && (wait_ms < 0 || to_sample < wait_ms))
			wait_ms = to_sample;
		int ready = poll(p, (nfds_t)np, wait_ms);
		if (ready < 0 && errno != EINTR) {
			kill(-c->pid, SIGKILL);
			ready = 0;
		}
		if (ready > 0 && i_err >= 0 && p[i_err].revents)
			err_open = drain(c->err_r, out->stderr_tail, &out->stderr_len, &out->stderr_total);
		if (ready > 0 && i_out >= 0 && p[i_out].revents)
			out_open = drain(c->out_r, out->stdout_tail, &out->stdout_len, &out->stdout_total);
		if (ready > 0 && i_watch >= 0 && p[i_watch].revents) {
			kill(-c->pid, SIGKILL);
			watch_fd = -1;
		}
		if ((i_pid >= 0 && ready > 0 && p[i_pid].revents) || c->pidfd < 0) {
			pid_t r = wait4(c->pid, &status, c->pidfd >= 0 ? 0 : WNOHANG, &ru);
			if (r == c->pid || (r < 0 && errno == ECHILD)) {
				out->wall_s = pg_now() - c->t0;
				break;
			}
		}
		if (deadline > 0 && !out->timed_out && pg_now() >= deadline) {
			out->timed_out = 1;
			kill(-c->pid, SIGKILL);
		}
		if (!out->timed_out && pg_now() >= next_sample) {
			double rss = pg_process_rss(c->pid);
			if (isfinite(rss) && rss > 0) { /* a zombie's resident set reads 0 */
				rss_sum += rss;
				rss_samples++;
			}
			next_sample = pg_now() + PG_RSS_SAMPLE_MS / 1e3;
		}
	}
	out->rss_mean = rss_samples ? rss_sum / (double)rss_samples : NAN;
	/* What is left in the pipes, then whatever the command left running in its group. */
	if (err_open)
		drain(c->err_r, out->stderr_tail, &out->stderr_len, &out->stderr_total);
	if (out_open)
		drain(c->out_r, out->stdout_tail, &out->stdout_len, &out->stdout_total);
	kill(-c->pid, SIGKILL);
	out->user_s = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec * 1e-6;
	out->sys_s = (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec * 1e-6;
	out->peak_rss = (double)ru.ru_maxrss * 1024.0;
	out->io_read_bytes = (double)ru.ru_inblock * 512.0;
	out->io_write_bytes = (double)ru.ru_oublock * 512.0;
	if (WIFEXITED(status)) {
		out->exited = 1;
		out->exit_code = WEXITSTATUS(status);
	} else if (WIFSIGNALED(status)) {
		out->signal = WTERMSIG(status);
	}
}

/*
 * An empty outcome, field by field: the two 8 KiB tails are written only as
 * far as the command writes, so pages it never fills are never resident.
 */
static void outcome_reset(pg_run_outcome *o)
{
	memset(o, 0, offsetof(pg_run_outcome, stderr_tail));
	o->stderr_tail[0] = o->stdout_tail[0] = '\0';
	o->stderr_len = o->stderr_total = o->stdout_len = o->stdout_total = 0;
}

/*
 * The measured run itself. watch_fd (or -1) is a descriptor whose hang-up
 * means nobody waits for the answer any more: then the child is killed.
 */
static int run_local(pg_run_outcome *out, const pg_run_spec *spec, int watch_fd)
{
	child c;
	outcome_reset(out);
	int rc = spawn_child(&c, out, spec, 0, spec->keep_stdout);
	if (rc)
		return rc;
	wait_child(out, &c, spec->timeout_s, 0, watch_fd, 1);
	child_close(&c);
	return 0;
}

/* ---- the spawner: a small process that starts the measured children ---- */

static int spawner_fd = -1;
static pid_t spawner_pid = -1;
static double spawner_floor;

static int write_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	while (len > 0) {
		ssize_t put = write(fd, p, len);
		if (put < 0 && errno == EINTR)
			continue;
		if (put <= 0)
			return -1;
		p += put;
		len -= (size_t)put;
	}
	return 0;
}

static int read_all(int fd, void *data, size_t len)
{
	char *p = data;
	while (len > 0) {
		ssize_t got = read(fd, p, len);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			return -1;
		p += got;
		len -= (size_t)got;
	}
	return 0;
}

/*
 * An outcome over the socket: its fields, then what the tails hold, not the
 * 16 KiB of buffer they could hold. Both tails come last in the struct, the
 * fixed fields before them (a field added after would be neither sent nor reset).
 */
_Static_assert(offsetof(pg_run_outcome, stdout_total) + sizeof(size_t) == sizeof(pg_run_outcome),
	       "pg_run_outcome: the tails and their counts are its last fields");

static int send_outcome(int fd, const pg_run_outcome *o)
{
	size_t lens[4] = {o->stderr_len, o->stderr_total, o->stdout_len, o->stdout_total};
	struct iovec iov[4] = {{(void *)o, offsetof(pg_run_outcome, stderr_tail)},
			       {lens, sizeof(lens)},
			       {(void *)o->stderr_tail, o->stderr_len},
			       {(void *)o->stdout_tail, o->stdout_len}};
	struct iovec *at = iov;
	int n = 4;
	while (n > 0) {
		ssize_t put = writev(fd, at, n);
		if (put < 0 && errno == EINTR)
			continue;
		if (put <= 0)
			return -1;
		for (; n > 0 && (size_t)put >= at->iov_len; at++, n--)
			put -= (ssize_t)at->iov_len;
		if (n > 0) {
			at->iov_base = (char *)at->iov_base + put;
			at->iov_len -= (size_t)put;
		}
	}
	return 0;
}

static int receive_outcome(int fd, pg_run_outcome *o)
{
	size_t lens[4];
	if (read_all(fd, o, offsetof(pg_run_outcome, stderr_tail)) != 0 || read_all(fd, lens, sizeof(lens)) != 0 ||
	    lens[0] > PG_OUTPUT_TAIL || lens[2] > PG_OUTPUT_TAIL ||
	    read_all(fd, o->stderr_tail, lens[0]) != 0 || read_all(fd, o->stdout_tail, lens[2]) != 0) {
		outcome_reset(o);
		return -1;
	}
	o->stderr_len = lens[0];
	o->stderr_total = lens[1];
	o->stdout_len = lens[2];
	o->stdout_total = lens[3];
	o->stderr_tail[o->stderr_len] = o->stdout_tail[o->stdout_len] = '\0';
	return 0;
}

/* A request: fixed header, then argc + envc strings, then cwd, each NUL-terminated. */
enum { OP_RUN, OP_START, OP_WAIT, OP_PROBE };

struct request_head {
	int32_t op;
	int32_t pid, kill_now, with_stdin; /* OP_WAIT: pid and kill_now; OP_START: with_stdin */
	double timeout_s;
	int32_t cpu, keep_stdout;
	uint32_t argc, envc, has_cwd;
	uint64_t bytes; /* of the strings that follow (none for OP_WAIT) */
};

struct response_head {
	int32_t rc;
	int32_t pid;   /* OP_START: the child; its three pipe ends follow as SCM_RIGHTS */
	double floor;
	double t0;     /* OP_START: when it was spawned */
	char message[1024];
};

static size_t count_strings(char *const *v, size_t *bytes)
{
	size_t n = 0;
	for (; v && v[n]; n++)
		*bytes += strlen(v[n]) + 1;
	return n;
}

static int send_request(const pg_run_spec *spec, int op, int with_stdin)
{
	struct request_head h = {.op = op,
				 .with_stdin = with_stdin,
				 .timeout_s = spec->timeout_s,
				 .cpu = spec->cpu,
				 .keep_stdout = spec->keep_stdout,
				 .has_cwd = spec->cwd != NULL};
	char *const *envp = spec->envp ? spec->envp : environ;
	size_t bytes = 0;
	h.argc = (uint32_t)count_strings(spec->argv, &bytes);
	h.envc = (uint32_t)count_strings(envp, &bytes);
	if (spec->cwd)
		bytes += strlen(spec->cwd) + 1;
	h.bytes = bytes;
	char *buf = malloc(bytes ? bytes : 1), *p = buf;
	if (!buf)
		return -1;
	for (uint32_t i = 0; i < h.argc; i++)
		p = stpcpy(p, spec->argv[i]) + 1;
	for (uint32_t i = 0; i < h.envc; i++)
		p = stpcpy(p, envp[i]) + 1;
	if (spec->cwd)
		stpcpy(p, spec->cwd);
	int rc = write_all(spawner_fd, &h, sizeof(h)) || write_all(spawner_fd, buf, bytes) ? -1 : 0;
	free(buf);
	return rc;
}

/* The request being served, and the children the spawner started and still has to reap. */
static int spawner_op, spawner_with_stdin;
#define MAX_LIVE 64
static child live[MAX_LIVE];

/* Send the pipe ends of a started child to perfgate, then forget them here. */
static int send_fds(int fd, child *c)
{
	int fds[3] = {c->in_w, c->out_r, c->err_r};
	char byte = 'f', control[CMSG_SPACE(sizeof(fds))];
	struct iovec iov = {.iov_base = &byte, .iov_len = 1};
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control,
			     .msg_controllen = sizeof(control)};
	memset(control, 0, sizeof(control));
	/* -1 cannot travel: stand /dev/null in for a pipe that was not asked for. */
	int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
	for (int i = 0; i < 3; i++)
		if (fds[i] < 0)
			fds[i] = devnull;
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(fds));
	memcpy(CMSG_DATA(cm), fds, sizeof(fds));
	ssize_t sent;
	do
		sent = sendmsg(fd, &msg, 0);
	while (sent < 0 && errno == EINTR);
	if (devnull >= 0)
		close(devnull);
	int keep_pidfd = c->pidfd;
	c->pidfd = -1;
	child_close(c);
	c->pidfd = keep_pidfd;
	return sent == 1 ? 0 : -1;
}

static int receive_fds(int fd, int fds[3])
{
	char byte, control[CMSG_SPACE(3 * sizeof(int))];
	struct iovec iov = {.iov_base = &byte, .iov_len = 1};
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control,
			     .msg_controllen = sizeof(control)};
	ssize_t got;
	do
		got = recvmsg(fd, &msg, MSG_CMSG_CLOEXEC);
	while (got < 0 && errno == EINTR);
	struct cmsghdr *cm = got == 1 ? CMSG_FIRSTHDR(&msg) : NULL;
	if (!cm || cm->cmsg_type != SCM_RIGHTS || cm->cmsg_len != CMSG_LEN(3 * sizeof(int)))
		return -1;
	memcpy(fds, CMSG_DATA(cm), 3 * sizeof(int));
	return 0;
}

/* In the spawner: read one request into spec (argv/envp point into *storage). */
static int receive_request(int fd, pg_run_spec *spec, char **storage, char ***vectors)
{
	struct request_head h;
	if (read_all(fd, &h, sizeof(h)) != 0 || h.argc == 0 || h.bytes > (1u << 30))
		return -1;
	spawner_op = h.op;
	spawner_with_stdin = h.with_stdin;
	char *buf = malloc(h.bytes + 1);
	char **v = calloc((size_t)h.argc + h.envc + 2, sizeof(char *));
	if (!buf || !v || read_all(fd, buf, h.bytes) != 0) {
		free(buf);
		free(v);
		return -1;
	}
	buf[h.bytes] = '\0';
	char *p = buf, *end = buf + h.bytes;
	for (uint32_t i = 0; i < h.argc + h.envc && p < end; i++) {
		v[i < h.argc ? i : i + 1] = p;
		p += strlen(p) + 1;
	}
	memset(spec, 0, sizeof(*spec));
	spec->argv = v;
	spec->envp = v + h.argc + 1;
	spec->cwd = h.has_cwd && p < end ? p : NULL;
	spec->timeout_s = h.timeout_s;
	spec->cpu = h.cpu;
	spec->keep_stdout = h.keep_stdout;
	*storage = buf;
	*vectors = v;
	return 0;
}

/*
 * The probe's workload in a child forked from here: its 32 MiB buffer dies
 * with it, so this process's peak RSS (the floor of every child started
 * from it) stays as it was. The child times itself; the times come back
 * through a pipe.
 */
static int probe_in_child(double ms[2])
{
	int fds[2], status = 0;
	if (pipe2(fds, O_CLOEXEC) != 0)
		return pg_error_set(PG_ESYSTEM, "environment probe: cannot make a pipe: %s", strerror(errno));
	pid_t pid = fork();
	if (pid < 0) {
		int err = errno;
		close(fds[0]);
		close(fds[1]);
		return pg_error_set(PG_ESYSTEM, "environment probe: cannot fork: %s", strerror(err));
	}
	if (pid == 0) {
		double got[3];
		uint64_t check;
		close(fds[0]);
		int ok = pg_probe_workload(&got[0], &got[1], &check) == 0;
		got[2] = (double)(check >> 11); /* sent, so the work cannot be optimised away */
		ok = ok && write_all(fds[1], got, sizeof(got)) == 0;
		_exit(ok ? 0 : 1);
	}
	close(fds[1]);
	double got_ms[3];
	int got = read_all(fds[0], got_ms, sizeof(got_ms));
	ms[0] = got_ms[0];
	ms[1] = got_ms[1];
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (got != 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return pg_error_set(PG_ESYSTEM, "environment probe: the workload did not finish (%s %d)",
				    WIFSIGNALED(status) ? "signal" : "status",
				    WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
	return 0;
}

/*
 * Before blocking for the next request, with no child of its own running, the
 * spawner polls for it for up to SPIN_S: perfgate sends it within
 * microseconds of a run's result, and a spawner that went to sleep in between
 * (its CPU idle, on a VM a halted vCPU) started the next run cold or on the
 * other CPU. tests/bench/overhead.sh, 10 rounds each, alternated with the
 * build before this (load 0.7-1.1): perfgate timing /bin/true took 1.127x the
 * raw posix_spawn floor before, 1.038x with it (medians). Never while a child
 * runs: it would take CPU from what is measured.
 */
#define SPIN_S 0.0005

static void await_request(int fd)
{
	struct request_head head;
	for (int i = 0; i < MAX_LIVE; i++)
		if (live[i].pid > 0)
			return;
	double until = pg_now() + SPIN_S;
	while (recv(fd, &head, sizeof(head), MSG_PEEK | MSG_DONTWAIT) < (ssize_t)sizeof(head) && pg_now() < until)
		;
}

static void spawner_main(int fd)
{
	static pg_run_outcome outcome;
	signal(SIGINT, SIG_IGN); /* Ctrl-C is perfgate's to handle; we follow when it goes */
	signal(SIGQUIT, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	double floor = own_peak_rss();
	if (write_all(fd, &floor, sizeof(floor)) != 0)
		_exit(0);
	for (;;) {
		pg_run_spec spec;
		char *storage = NULL, **vectors = NULL;
		struct response_head resp;
		struct request_head wait_req;
		memset(&resp, 0, sizeof(resp));
		outcome_reset(&outcome);
		await_request(fd);
		/* OP_WAIT carries no strings: peek at the header to tell. */
		if (recv(fd, &wait_req, sizeof(wait_req), MSG_PEEK | MSG_WAITALL) != (ssize_t)sizeof(wait_req))
			_exit(0);
		if (wait_req.op == OP_PROBE) {
			double ms[2] = {0, 0};
			if (read_all(fd, &wait_req, sizeof(wait_req)) != 0)
				_exit(0);
			resp.rc = probe_in_child(ms);
			resp.floor = own_peak_rss();
			if (resp.rc)
				snprintf(resp.message, sizeof(resp.message), "%s", pg_error_message());
			if (write_all(fd, &resp, sizeof(resp)) != 0 || write_all(fd, ms, sizeof(ms)) != 0)
				_exit(0);
			continue;
		}
		if (wait_req.op == OP_WAIT) {
			if (read_all(fd, &wait_req, sizeof(wait_req)) != 0)
				_exit(0);
			child *c = NULL;
			for (int i = 0; i < MAX_LIVE && !c; i++)
				if (live[i].pid == wait_req.pid && wait_req.pid > 0)
					c = &live[i];
			if (!c) {
				resp.rc = PG_ESYSTEM;
				snprintf(resp.message, sizeof(resp.message), "no started process %d", wait_req.pid);
			} else {
				wait_child(&outcome, c, wait_req.timeout_s, wait_req.kill_now, fd, 0);
				child_close(c);
				c->pid = 0;
			}
		} else {
			if (receive_request(fd, &spec, &storage, &vectors) != 0)
				_exit(0);
			if (spawner_op == OP_START) {
				int slot = -1;
				for (int i = 0; i < MAX_LIVE && slot < 0; i++)
					if (live[i].pid <= 0)
						slot = i;
				if (slot < 0)
					resp.rc = pg_error_set(PG_ESYSTEM, "more than %d processes running at once", MAX_LIVE);
				else
					resp.rc = spawn_child(&live[slot], &outcome, &spec, spawner_with_stdin, 1);
				if (!resp.rc) {
					resp.pid = live[slot].pid;
					resp.t0 = live[slot].t0;
				}
				resp.floor = own_peak_rss();
				if (resp.rc)
					snprintf(resp.message, sizeof(resp.message), "%s", pg_error_message());
				free(storage);
				free(vectors);
				if (write_all(fd, &resp, sizeof(resp)) != 0)
					_exit(0);
				if (!resp.rc && send_fds(fd, &live[slot]) != 0)
					_exit(0);
				continue;
			}
			resp.rc = run_local(&outcome, &spec, fd);
		}
		resp.floor = own_peak_rss();
		if (resp.rc)
			snprintf(resp.message, sizeof(resp.message), "%s", pg_error_message());
		free(storage);
		free(vectors);
		if (write_all(fd, &resp, sizeof(resp)) != 0 ||
		    send_outcome(fd, &outcome) != 0)
			_exit(0);
	}
}

int pg_spawner_start(void)
{
	int sv[2];
	if (spawner_fd >= 0)
		return 0;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
		return pg_error_set(PG_ESYSTEM, "cannot start the spawner: %s", strerror(errno));
	pid_t pid = fork();
	if (pid < 0) {
		close(sv[0]);
		close(sv[1]);
		return pg_error_set(PG_ESYSTEM, "cannot start the spawner: %s", strerror(errno));
	}
	if (pid == 0) {
		close(sv[0]);
		spawner_main(sv[1]);
		_exit(0);
	}
	close(sv[1]);
	if (read_all(sv[0], &spawner_floor, sizeof(spawner_floor)) != 0) {
		close(sv[0]);
		waitpid(pid, NULL, 0);
		return pg_error_set(PG_ESYSTEM, "the spawner process died at start");
	}
	spawner_fd = sv[0];
	spawner_pid = pid;
	return 0;
}

void pg_spawner_stop(void)
{
	if (spawner_fd < 0)
		return;
	close(spawner_fd);
	waitpid(spawner_pid, NULL, 0);
	spawner_fd = -1;
	spawner_pid = -1;
}

double pg_spawner_rss_floor(void)
{
	return spawner_fd < 0 ? own_peak_rss() : spawner_floor;
}

int pg_run(pg_run_outcome *out, const pg_run_spec *spec)
{
	struct response_head resp;
	if (spawner_fd < 0)
		return run_local(out, spec, -1);
	if (send_request(spec, OP_RUN, 0) != 0 || read_all(spawner_fd, &resp, sizeof(resp)) != 0 ||
	    receive_outcome(spawner_fd, out) != 0)
		return pg_error_set(PG_ESYSTEM, "the spawner process is gone (running '%s')",
				    spec->argv[0]);
	spawner_floor = resp.floor;
	if (resp.rc)
		pg_error_set(resp.rc, "%s", resp.message);
	return resp.rc;
}

int pg_spawner_probe(double *cpu_ms, double *mem_ms)
{
	double ms[2];
	int rc;
	if (spawner_fd < 0) {
		rc = probe_in_child(ms);
	} else {
		struct request_head h = {.op = OP_PROBE};
		struct response_head resp;
		if (write_all(spawner_fd, &h, sizeof(h)) != 0 || read_all(spawner_fd, &resp, sizeof(resp)) != 0 ||
		    read_all(spawner_fd, ms, sizeof(ms)) != 0)
			return pg_error_set(PG_ESYSTEM, "the spawner process is gone (environment probe)");
		rc = resp.rc ? pg_error_set(resp.rc, "%s", resp.message) : 0;
	}
	if (!rc) {
		*cpu_ms = ms[0];
		*mem_ms = ms[1];
	}
	return rc;
}

int pg_process_start(pg_process *p, const pg_run_spec *spec, int with_stdin)
{
	/* Field by field: the 8 KiB stderr tail is only written as far as the process writes. */
	p->pid = -1;
	p->stdin_fd = p->stdout_fd = p->stderr_fd = -1;
	p->started = 0;
	p->stderr_tail[0] = '\0';
	p->stderr_len = p->stderr_total = 0;
	if (spawner_fd < 0) {
		child c;
		static pg_run_outcome scratch;
		int rc = spawn_child(&c, &scratch, spec, with_stdin, 1);
		if (rc)
			return rc;
		/* In process, perfgate reaps the child itself: keep its pidfd out of sight. */
		if (c.pidfd >= 0)
			close(c.pidfd);
		p->pid = c.pid;
		p->stdin_fd = c.in_w;
		p->stdout_fd = c.out_r;
		p->stderr_fd = c.err_r;
		p->started = c.t0;
		return 0;
	}
	struct response_head resp;
	int fds[3];
	if (send_request(spec, OP_START, with_stdin) != 0 || read_all(spawner_fd, &resp, sizeof(resp)) != 0)
		return pg_error_set(PG_ESYSTEM, "the spawner process is gone (starting '%s')", spec->argv[0]);
	spawner_floor = resp.floor;
	if (resp.rc)
		return pg_error_set(resp.rc, "%s", resp.message);
	if (receive_fds(spawner_fd, fds) != 0)
		return pg_error_set(PG_ESYSTEM, "the spawner did not hand over the pipes of '%s'", spec->argv[0]);
	p->pid = resp.pid;
	p->started = resp.t0;
	p->stdin_fd = with_stdin ? fds[0] : (close(fds[0]), -1);
	p->stdout_fd = fds[1];
	p->stderr_fd = fds[2];
	fcntl(p->stdout_fd, F_SETFL, O_NONBLOCK);
	fcntl(p->stderr_fd, F_SETFL, O_NONBLOCK);
	return 0;
}

void pg_process_drain_stderr(pg_process *p)
{
	if (p->stderr_fd >= 0 && !drain(p->stderr_fd, p->stderr_tail, &p->stderr_len, &p->stderr_total)) {
		close(p->stderr_fd);
		p->stderr_fd = -1;
	}
}

static void close_process_pipes(pg_process *p)
{
	int *fds[] = {&p->stdin_fd, &p->stdout_fd, &p->stderr_fd};
	for (size_t i = 0; i < 3; i++)
		if (*fds[i] >= 0) {
			close(*fds[i]);
			*fds[i] = -1;
		}
}

int pg_process_finish(pg_run_outcome *out, pg_process *p, double timeout_s, int kill_now)
{
	outcome_reset(out);
	if (p->stdin_fd >= 0) {
		close(p->stdin_fd);
		p->stdin_fd = -1;
	}
	int rc = 0;
	if (spawner_fd < 0) {
		child c = {.pid = p->pid, .pidfd = (int)syscall(SYS_pidfd_open, p->pid, 0),
			   .in_w = -1, .out_r = p->stdout_fd, .err_r = p->stderr_fd, .t0 = p->started};
		wait_child(out, &c, timeout_s, kill_now, -1, 1);
		if (c.pidfd >= 0)
			close(c.pidfd);
	} else {
		struct request_head h = {.op = OP_WAIT, .pid = p->pid, .kill_now = kill_now,
					 .timeout_s = timeout_s};
		struct response_head resp;
		if (write_all(spawner_fd, &h, sizeof(h)) != 0) {
			rc = pg_error_set(PG_ESYSTEM, "the spawner process is gone");
		} else {
			/* Keep its pipes flowing while the spawner waits, or a chatty child never exits. */
			for (;;) {
				struct pollfd fds[3] = {{.fd = spawner_fd, .events = POLLIN},
							{.fd = p->stderr_fd, .events = POLLIN},
							{.fd = p->stdout_fd, .events = POLLIN}};
				if (poll(fds, 3, -1) < 0 && errno != EINTR)
					break;
				if (fds[1].revents)
					pg_process_drain_stderr(p);
				if (fds[2].revents && p->stdout_fd >= 0) {
					char sink[4096];
					if (read(p->stdout_fd, sink, sizeof(sink)) == 0) {
						close(p->stdout_fd);
						p->stdout_fd = -1;
					}
				}
				if (fds[0].revents)
					break;
			}
			if (read_all(spawner_fd, &resp, sizeof(resp)) != 0 ||
			    receive_outcome(spawner_fd, out) != 0)
				rc = pg_error_set(PG_ESYSTEM, "the spawner process is gone");
			else if (resp.rc)
				rc = pg_error_set(resp.rc, "%s", resp.message);
			else
				spawner_floor = resp.floor;
		}
		pg_process_drain_stderr(p);
		memcpy(out->stderr_tail, p->stderr_tail, p->stderr_len + 1);
		out->stderr_len = p->stderr_len;
		out->stderr_total = p->stderr_total;
	}
	close_process_pipes(p);
	return rc;
}

const char *pg_run_describe(const pg_run_outcome *o, char *buf, size_t size)
{
	if (o->spawn_errno)
		snprintf(buf, size, "could not be started: %s", strerror(o->spawn_errno));
	else if (o->timed_out)
		snprintf(buf, size, "timed out after %.3g s and was killed with its process group",
			 o->wall_s);
	else if (o->signal)
		snprintf(buf, size, "killed by signal %d (SIG%s)", o->signal,
			 sigabbrev_np(o->signal) ? sigabbrev_np(o->signal) : "?");
	else if (o->exited && o->exit_code != 0)
		snprintf(buf, size, "exited with status %d", o->exit_code);
	else
		snprintf(buf, size, "exited with status 0");
	return buf;
}

int pg_run_succeeded(const pg_run_outcome *o)
{
	return !o->spawn_errno && !o->timed_out && o->exited && o->exit_code == 0;
}
