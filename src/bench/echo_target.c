/*
 * echo_target.c - the matcher kind's reference target: each line of stdin back on stdout,
 * flushed, until end of input. The executable runs it as `perfgate --internal-echo-target`
 * (main.c, before anything else is loaded), so its start is perfgate's bare start.
 */
#include "perfgate/runner.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>

int pg_echo_target(void)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	while ((n = getline(&line, &cap, stdin)) >= 0) {
		if (fwrite(line, 1, (size_t)n, stdout) != (size_t)n || (line[n - 1] != '\n' && putchar('\n') == EOF) ||
		    fflush(stdout) != 0)
			break;
	}
	free(line);
	return 0;
}
