/* test_runner.c - the process runner against real processes (the workload fixture) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "perfgate/clock.h"
#include "perfgate/error.h"
#include "perfgate/runner.h"

#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

static char workload[4096];
static pg_run_outcome o;

static int with_spawner(void **state)
{
	(void)state;
	return pg_spawner_start();
}

static int without_spawner(void **state)
{
	(void)state;
	pg_spawner_stop();
	return 0;
}

static pg_run_spec spec_of(char **argv, double timeout)
{
	pg_run_spec s = {.argv = argv, .timeout_s = timeout, .cpu = -1};
	return s;
}

static void test_runner_reports_exit_status(void **state)
{
	(void)state;
	char *argv[] = {workload, "--exit", "7", NULL};
	pg_run_spec s = spec_of(argv, 10);
	assert_int_equal(pg_run(&o, &s), 0);
	assert_true(o.exited);
	assert_int_equal(o.exit_code, 7);
	assert_false(pg_run_succeeded(&o));
	char buf[128];
	assert_string_equal(pg_run_describe(&o, buf, sizeof(buf)), "exited with status 7");
}

static void test_runner_names_the_signal_of_a_crash(void **state)
{
	(void)state;
	char *argv[] = {workload, "--crash", NULL};
	pg_run_spec s = spec_of(argv, 10);
	assert_int_equal(pg_run(&o, &s), 0);
	assert_false(o.exited);
	assert_int_equal(o.signal, SIGSEGV);
	char buf[128];
	assert_non_null(strstr(pg_run_describe(&o, buf, sizeof(buf)), "SIGSEGV"));
}

static void test_runner_missing_command_is_enoent(void **state)
{
	(void)state;
	char *argv[] = {"perfgate-no-such-command", NULL};
	pg_run_spec s = spec_of(argv, 10);
	assert_int_equal(pg_run(&o, &s), PG_ESYSTEM);
	assert_int_equal(o.spawn_errno, 2);
	assert_non_null(strstr(pg_error_message(), "perfgate-no-such-command"));
	assert_non_null(strstr(pg_error_message(), "No such file"));
}

static int alive(pid_t pid)
{
	return kill(pid, 0) == 0;
}

/* The grandchild writes its pid to a file so the test can look for it afterwards. */
static void test_runner_timeout_kills_grandchild_too(void **state)
{
	(void)state;
	char pidfile[] = "/tmp/pg-runner-XXXXXX";
	int fd = mkstemp(pidfile);
	assert_true(fd >= 0);
	close(fd);
	char script[8192];
	snprintf(script, sizeof(script), "sh -c 'echo $$ > %s; exec sleep 1000' & exec %s --hang",
		 pidfile, workload);
	char *argv[] = {"/bin/sh", "-c", script, NULL};
	pg_run_spec s = spec_of(argv, 0.5);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(pg_run(&o, &s), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_true(o.timed_out);
	assert_int_equal(o.signal, SIGKILL);
	/* Generous: the point is that it did not wait 1000 s. */
	assert_true((double)(t1.tv_sec - t0.tv_sec) < 30);
	FILE *f = fopen(pidfile, "r");
	assert_non_null(f);
	int grandchild = 0;
	assert_int_equal(fscanf(f, "%d", &grandchild), 1);
	fclose(f);
	unlink(pidfile);
	assert_true(grandchild > 0);
	/* Killed, maybe not yet reaped by init: give it a moment. */
	for (int i = 0; i < 200 && alive(grandchild); i++)
		usleep(10000);
	assert_false(alive(grandchild));
}

static void test_runner_peak_rss_of_64mib_child_within_10pct(void **state)
{
	(void)state;
	char *argv[] = {workload, "--alloc-mib", "64", NULL};
	pg_run_spec s = spec_of(argv, 30);
	assert_int_equal(pg_run(&o, &s), 0);
	assert_true(pg_run_succeeded(&o));
	double mib = o.peak_rss / 1048576.0;
	print_message("peak RSS of a 64 MiB child: %.2f MiB (floor %.2f MiB)\n", mib,
		      pg_spawner_rss_floor() / 1048576.0);
	assert_true(mib > 64 * 0.9 && mib < 64 * 1.1);
}

static void test_runner_true_reads_near_the_floor(void **state)
{
	(void)state;
	char *argv[] = {"true", NULL};
	pg_run_spec s = spec_of(argv, 10);
	assert_int_equal(pg_run(&o, &s), 0);
	assert_true(pg_run_succeeded(&o));
	double floor = pg_spawner_rss_floor();
	print_message("true: %.0f KiB, floor %.0f KiB\n", o.peak_rss / 1024, floor / 1024);
	/* `true` itself adds well under 2 MiB to whatever it starts from. */
	assert_true(o.peak_rss <= floor + 2 * 1048576.0);
	assert_true(o.peak_rss > 0);
}

static void test_runner_flooded_stdout_and_stderr_stay_bounded(void **state)
{
	(void)state;
	char *argv[] = {workload, "--flood-stdout", "64", "--flood-stderr", "64", NULL};
	pg_run_spec s = spec_of(argv, 60);
	s.keep_stdout = 1;
	struct rusage before, after;
	getrusage(RUSAGE_SELF, &before);
	assert_int_equal(pg_run(&o, &s), 0);
	getrusage(RUSAGE_SELF, &after);
	assert_true(pg_run_succeeded(&o));
	assert_int_equal(o.stderr_total, (size_t)64 << 20);
	assert_int_equal(o.stdout_total, (size_t)64 << 20);
	assert_int_equal(o.stderr_len, PG_OUTPUT_TAIL);
	assert_int_equal(o.stdout_len, PG_OUTPUT_TAIL);
	/* 128 MiB went through; our own peak moved by far less than that. */
	assert_true((after.ru_maxrss - before.ru_maxrss) < 16 * 1024);
}

static void test_runner_keeps_the_tail_of_stderr(void **state)
{
	(void)state;
	char *argv[] = {workload, "--flood-stderr", "1", "--stderr", "the last words", NULL};
	pg_run_spec s = spec_of(argv, 30);
	assert_int_equal(pg_run(&o, &s), 0);
	assert_non_null(strstr(o.stderr_tail, "the last words\n"));
	assert_true(o.stderr_len <= PG_OUTPUT_TAIL);
}

static void test_runner_runs_in_cwd_with_env(void **state)
{
	(void)state;
	char *argv[] = {"/bin/sh", "-c", "test \"$(pwd)\" = /tmp && test \"$PG_X\" = yes", NULL};
	char *envp[] = {"PG_X=yes", "PATH=/usr/bin:/bin", NULL};
	pg_run_spec s = spec_of(argv, 10);
	s.cwd = "/tmp";
	s.envp = envp;
	assert_int_equal(pg_run(&o, &s), 0);
	assert_true(pg_run_succeeded(&o));
}

static void test_runner_missing_cwd_is_named(void **state)
{
	(void)state;
	char *argv[] = {"true", NULL};
	pg_run_spec s = spec_of(argv, 10);
	s.cwd = "/nonexistent/perfgate-dir";
	assert_int_equal(pg_run(&o, &s), PG_ESYSTEM);
	assert_non_null(strstr(pg_error_message(), "/nonexistent/perfgate-dir"));
}

static void test_runner_pins_to_a_cpu(void **state)
{
	(void)state;
	char *argv[] = {"/bin/sh", "-c", "grep -q '^Cpus_allowed_list:[[:space:]]*0$' /proc/self/status", NULL};
	pg_run_spec s = spec_of(argv, 10);
	s.cpu = 0;
	assert_int_equal(pg_run(&o, &s), 0);
	assert_true(pg_run_succeeded(&o));
}

static void test_runner_measures_cpu_time(void **state)
{
	(void)state;
	char *argv[] = {workload, "--work", "30", NULL};
	pg_run_spec s = spec_of(argv, 60);
	assert_int_equal(pg_run(&o, &s), 0);
	assert_true(pg_run_succeeded(&o));
	/* Busy work: tens of ms of user time (however busy the machine), and never more than the wall. */
	assert_true(o.user_s > 0.005);
	assert_true(o.user_s + o.sys_s < o.wall_s * 1.5 + 0.01);
}

static ssize_t read_line(int fd, char *buf, size_t size, double timeout_s)
{
	size_t used = 0;
	double deadline = pg_now() + timeout_s;
	while (used + 1 < size && pg_now() < deadline) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		if (poll(&p, 1, 100) <= 0)
			continue;
		ssize_t got = read(fd, buf + used, 1);
		if (got <= 0)
			break;
		if (buf[used++] == '\n')
			break;
	}
	buf[used] = '\0';
	return (ssize_t)used;
}

static void test_process_talks_over_pipes_and_is_reaped(void **state)
{
	(void)state;
	char *argv[] = {"/bin/cat", NULL};
	pg_run_spec s = spec_of(argv, 10);
	pg_process p;
	char line[64];
	assert_int_equal(pg_process_start(&p, &s, 1), 0);
	assert_int_equal(write(p.stdin_fd, "hello\n", 6), 6);
	assert_int_equal(read_line(p.stdout_fd, line, sizeof(line), 5), 6);
	assert_string_equal(line, "hello\n");
	assert_int_equal(pg_process_finish(&o, &p, 10, 0), 0);
	assert_true(pg_run_succeeded(&o));
	assert_true(o.peak_rss > 0);
	assert_true(o.wall_s > 0);
}

static void test_process_finish_kills_a_process_that_does_not_exit(void **state)
{
	(void)state;
	char *argv[] = {workload, "--stderr", "still here", "--hang", NULL};
	pg_run_spec s = spec_of(argv, 10);
	pg_process p;
	assert_int_equal(pg_process_start(&p, &s, 0), 0);
	usleep(100000);
	assert_int_equal(pg_process_finish(&o, &p, 0.3, 0), 0);
	assert_true(o.timed_out);
	assert_int_equal(o.signal, SIGKILL);
	assert_non_null(strstr(o.stderr_tail, "still here"));
}

static void test_process_missing_command_is_named(void **state)
{
	(void)state;
	char *argv[] = {"perfgate-no-such-target", NULL};
	pg_run_spec s = spec_of(argv, 10);
	pg_process p;
	assert_int_equal(pg_process_start(&p, &s, 1), PG_ESYSTEM);
	assert_non_null(strstr(pg_error_message(), "perfgate-no-such-target"));
}

int main(void)
{
	const char *bindir = getenv("PG_BINDIR");
	snprintf(workload, sizeof(workload), "%s/perfgate-workload", bindir ? bindir : ".");
	if (access(workload, X_OK) != 0) {
		fprintf(stderr, "test_runner: %s not built (set PG_BINDIR)\n", workload);
		return 1;
	}
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_runner_reports_exit_status),
		cmocka_unit_test(test_runner_names_the_signal_of_a_crash),
		cmocka_unit_test(test_runner_missing_command_is_enoent),
		cmocka_unit_test(test_runner_timeout_kills_grandchild_too),
		cmocka_unit_test(test_runner_peak_rss_of_64mib_child_within_10pct),
		cmocka_unit_test(test_runner_true_reads_near_the_floor),
		cmocka_unit_test(test_runner_flooded_stdout_and_stderr_stay_bounded),
		cmocka_unit_test(test_runner_keeps_the_tail_of_stderr),
		cmocka_unit_test(test_runner_runs_in_cwd_with_env),
		cmocka_unit_test(test_runner_missing_cwd_is_named),
		cmocka_unit_test(test_runner_pins_to_a_cpu),
		cmocka_unit_test(test_runner_measures_cpu_time),
		cmocka_unit_test(test_process_talks_over_pipes_and_is_reaped),
		cmocka_unit_test(test_process_finish_kills_a_process_that_does_not_exit),
		cmocka_unit_test(test_process_missing_command_is_named),
	};
	/* The same behaviour from the spawner process and from perfgate itself. */
	int failed = cmocka_run_group_tests_name("runner via spawner", tests, with_spawner,
						 without_spawner);
	failed += cmocka_run_group_tests_name("runner in process", tests, NULL, NULL);
	return failed;
}
