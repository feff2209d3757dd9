/* runner.c - start, time, bound and reap one measured process (optionally from a spawner) */
#include "perfgate/runner.h"

#include "perfgate/error.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

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

/*
 * The measured run itself. watch_fd (or -1) is a descriptor whose hang-up
 * means nobody waits for the answer any more: then the child is killed.
 */
static int run_local(pg_run_outcome *out, const pg_run_spec *spec, int watch_fd)
{
	int err_pipe[2] = {-1, -1}, out_pipe[2] = {-1, -1}, devnull = -1, pidfd = -1;
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, all;
	cpu_set_t saved_cpus;
	int pinned = 0, rc = 0;
	pid_t pid;

	memset(out, 0, sizeof(*out));
	char program[4096];
	int missing = find_program(spec, program, sizeof(program));
	if (missing) {
		out->spawn_errno = missing;
		return pg_error_set(PG_ESYSTEM, "cannot start '%s': %s", spec->argv[0],
				    strerror(missing));
	}
	devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (devnull < 0 || open_pipe(err_pipe) != 0 ||
	    (spec->keep_stdout && open_pipe(out_pipe) != 0)) {
		rc = pg_error_set(PG_ESYSTEM, "cannot make pipes for '%s': %s", spec->argv[0],
				  strerror(errno));
		goto done;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, devnull, 0);
	posix_spawn_file_actions_adddup2(&fa, spec->keep_stdout ? out_pipe[1] : devnull, 1);
	posix_spawn_file_actions_adddup2(&fa, err_pipe[1], 2);
	if (spec->cwd)
		posix_spawn_file_actions_addchdir_np(&fa, spec->cwd);
	posix_spawnattr_init(&attr);
	sigemptyset(&none);
	sigfillset(&all);
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

	double t0 = now_s();
	int spawn_rc = posix_spawn(&pid, program, &fa, &attr, spec->argv,
				    spec->envp ? spec->envp : environ);
	if (pinned)
		sched_setaffinity(0, sizeof(saved_cpus), &saved_cpus);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	if (spawn_rc != 0) {
		out->spawn_errno = spawn_rc;
		struct stat st;
		if (spawn_rc == ENOENT && spec->cwd && stat(spec->cwd, &st) != 0)
			rc = pg_error_set(PG_ESYSTEM, "cannot start '%s': working directory %s: %s",
					  spec->argv[0], spec->cwd, strerror(errno));
		else
			rc = pg_error_set(PG_ESYSTEM, "cannot start '%s': %s", spec->argv[0],
					  strerror(spawn_rc));
		goto done;
	}
	close(err_pipe[1]);
	err_pipe[1] = -1;
	if (out_pipe[1] >= 0) {
		close(out_pipe[1]);
		out_pipe[1] = -1;
	}
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);

	double deadline = spec->timeout_s > 0 ? t0 + spec->timeout_s : 0;
	int err_open = 1, out_open = out_pipe[0] >= 0, status = 0;
	struct rusage ru;
	for (;;) {
		struct pollfd p[4];
		int np = 0, i_pid = -1, i_err = -1, i_out = -1, i_watch = -1;
		if (pidfd >= 0) {
			i_pid = np;
			p[np++] = (struct pollfd){.fd = pidfd, .events = POLLIN};
		}
		if (err_open) {
			i_err = np;
			p[np++] = (struct pollfd){.fd = err_pipe[0], .events = POLLIN};
		}
		if (out_open) {
			i_out = np;
			p[np++] = (struct pollfd){.fd = out_pipe[0], .events = POLLIN};
		}
		if (watch_fd >= 0) {
			i_watch = np;
			p[np++] = (struct pollfd){.fd = watch_fd, .events = POLLIN};
		}
		int wait_ms = -1;
		if (deadline > 0 && !out->timed_out) {
			double left = deadline - now_s();
			wait_ms = left <= 0 ? 0 : (int)(left * 1000.0) + 1;
		}
		if (pidfd < 0 && (wait_ms < 0 || wait_ms > 5))
			wait_ms = 5; /* no pidfd (old kernel): look for the exit now and then */
		int ready = poll(p, (nfds_t)np, wait_ms);
		if (ready < 0 && errno != EINTR) {
			kill(-pid, SIGKILL);
			break;
		}
		if (ready > 0 && i_err >= 0 && p[i_err].revents)
			err_open = drain(err_pipe[0], out->stderr_tail, &out->stderr_len,
					 &out->stderr_total);
		if (ready > 0 && i_out >= 0 && p[i_out].revents)
			out_open = drain(out_pipe[0], out->stdout_tail, &out->stdout_len,
					 &out->stdout_total);
		if (ready > 0 && i_watch >= 0 && p[i_watch].revents) {
			kill(-pid, SIGKILL);
			watch_fd = -1;
		}
		int exited_now = 0;
		if (i_pid >= 0 && ready > 0 && p[i_pid].revents)
			exited_now = 1;
		else if (pidfd < 0)
			exited_now = 1; /* wait4 with WNOHANG below decides */
		if (exited_now) {
			pid_t r = wait4(pid, &status, pidfd >= 0 ? 0 : WNOHANG, &ru);
			if (r == pid) {
				out->wall_s = now_s() - t0;
				break;
			}
		}
		if (deadline > 0 && !out->timed_out && now_s() >= deadline) {
			out->timed_out = 1;
			kill(-pid, SIGKILL);
		}
	}
	/* What is left in the pipes, then whatever the command left running in its group. */
	if (err_open)
		drain(err_pipe[0], out->stderr_tail, &out->stderr_len, &out->stderr_total);
	if (out_open)
		drain(out_pipe[0], out->stdout_tail, &out->stdout_len, &out->stdout_total);
	kill(-pid, SIGKILL);

	out->user_s = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec * 1e-6;
	out->sys_s = (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec * 1e-6;
	out->peak_rss = (double)ru.ru_maxrss * 1024.0;
	if (WIFEXITED(status)) {
		out->exited = 1;
		out->exit_code = WEXITSTATUS(status);
	} else if (WIFSIGNALED(status)) {
		out->signal = WTERMSIG(status);
	}
done:
	if (pidfd >= 0)
		close(pidfd);
	if (devnull >= 0)
		close(devnull);
	for (int i = 0; i < 2; i++) {
		if (err_pipe[i] >= 0)
			close(err_pipe[i]);
		if (out_pipe[i] >= 0)
			close(out_pipe[i]);
	}
	return rc;
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

/* A request: fixed header, then argc + envc strings, then cwd, each NUL-terminated. */
struct request_head {
	double timeout_s;
	int32_t cpu, keep_stdout;
	uint32_t argc, envc, has_cwd;
	uint64_t bytes; /* of the strings that follow */
};

struct response_head {
	int32_t rc;
	double floor;
	char message[1024];
};

static size_t count_strings(char *const *v, size_t *bytes)
{
	size_t n = 0;
	for (; v && v[n]; n++)
		*bytes += strlen(v[n]) + 1;
	return n;
}

static int send_request(const pg_run_spec *spec)
{
	struct request_head h = {.timeout_s = spec->timeout_s,
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

/* In the spawner: read one request into spec (argv/envp point into *storage). */
static int receive_request(int fd, pg_run_spec *spec, char **storage, char ***vectors)
{
	struct request_head h;
	if (read_all(fd, &h, sizeof(h)) != 0 || h.argc == 0 || h.bytes > (1u << 30))
		return -1;
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
		char *storage, **vectors;
		struct response_head resp;
		if (receive_request(fd, &spec, &storage, &vectors) != 0)
			_exit(0);
		memset(&resp, 0, sizeof(resp));
		resp.rc = run_local(&outcome, &spec, fd);
		resp.floor = own_peak_rss();
		if (resp.rc)
			snprintf(resp.message, sizeof(resp.message), "%s", pg_error_message());
		free(storage);
		free(vectors);
		if (write_all(fd, &resp, sizeof(resp)) != 0 ||
		    write_all(fd, &outcome, sizeof(outcome)) != 0)
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
	if (send_request(spec) != 0 || read_all(spawner_fd, &resp, sizeof(resp)) != 0 ||
	    read_all(spawner_fd, out, sizeof(*out)) != 0)
		return pg_error_set(PG_ESYSTEM, "the spawner process is gone (running '%s')",
				    spec->argv[0]);
	spawner_floor = resp.floor;
	if (resp.rc)
		pg_error_set(resp.rc, "%s", resp.message);
	return resp.rc;
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
