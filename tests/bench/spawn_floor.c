/* spawn_floor.c - the raw floor: posix_spawn + wait4 in a loop, nothing else; prints mean ms */
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>

extern char **environ;

int main(int argc, char **argv)
{
	int runs = argc > 1 ? atoi(argv[1]) : 500;
	char *child[] = {argc > 2 ? argv[2] : "/bin/true", NULL};
	double total = 0;
	for (int i = 0; i < runs + 3; i++) {
		struct timespec t0, t1;
		struct rusage ru;
		int status;
		pid_t pid;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		if (posix_spawn(&pid, child[0], NULL, NULL, child, environ) != 0)
			return 1;
		wait4(pid, &status, 0, &ru);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		if (i >= 3) /* three warm-ups, as the others get */
			total += (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	}
	printf("%.6f\n", total / runs);
	return 0;
}
