/* report_github.h - echoing untrusted text in a GitHub Actions log without it running workflow commands */
#ifndef PERFGATE_REPORT_GITHUB_H
#define PERFGATE_REPORT_GITHUB_H

#include <stdio.h>

/*
 * Write child_output (NULL: nothing) between "::stop-commands::TOKEN" and
 * "::TOKEN::", TOKEN 32 random hex digits (getrandom), so that lines in
 * it that look like workflow commands ("::error::", "::add-mask::") are
 * printed, not obeyed. Returns 0, or PG_ESYSTEM when no random token could
 * be had (then nothing is written).
 */
int pg_report_github_stop_commands(FILE *out, const char *child_output);

#endif
