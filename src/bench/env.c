/* env.c - describe the machine measured on, and the key that says what is comparable */
#include "perfgate/bench.h"

#include "perfgate/error.h"
#include "perfgate/log.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

void pg_env_normalize(char *key)
{
	char *w = key;
	int dash = 0;
	for (const char *r = key; *r; r++) {
		char c = (char)tolower((unsigned char)*r);
		if (isalnum((unsigned char)c) || c == '.' || c == '_' || c == '-') {
			*w++ = c;
			dash = c == '-';
		} else if (!dash && w != key) {
			*w++ = '-';
			dash = 1;
		}
	}
	while (w > key && w[-1] == '-')
		w--;
	*w = '\0';
}

static char *cpu_model(void)
{
	char line[512];
	FILE *f = fopen("/proc/cpuinfo", "r");
	if (!f)
		return strdup("unknown");
	while (fgets(line, sizeof(line), f)) {
		/* x86 says "model name", arm64 may only have "CPU part"; take the first that names it. */
		if (strncmp(line, "model name", 10) == 0 || strncmp(line, "Model", 5) == 0) {
			char *colon = strchr(line, ':');
			if (!colon)
				continue;
			char *v = colon + 1;
			while (*v == ' ' || *v == '\t')
				v++;
			v[strcspn(v, "\n")] = '\0';
			/* "Intel(R) Xeon(R) CPU @ 2.20GHz": the trademarks add nothing to the key. */
			char clean[512];
			size_t n = 0;
			for (char *p = v; *p && n + 1 < sizeof(clean); p++) {
				if (strncmp(p, "(R)", 3) == 0 || strncmp(p, "(TM)", 4) == 0) {
					p += p[1] == 'R' ? 2 : 3;
					continue;
				}
				if (*p == ' ' && n > 0 && clean[n - 1] == ' ')
					continue;
				clean[n++] = *p;
			}
			clean[n] = '\0';
			fclose(f);
			return strdup(clean);
		}
	}
	fclose(f);
	return strdup("unknown");
}

int pg_env_detect(pg_env *env, const char *key_override)
{
	struct utsname u;
	memset(env, 0, sizeof(*env));
	if (uname(&u) != 0)
		return pg_error_set(PG_ESYSTEM, "uname failed");
	env->os = strdup(u.sysname);
	env->arch = strdup(u.machine);
	env->cpu = cpu_model();
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	env->cores = cores > 0 ? (int)cores : 1;
	const char *gha = getenv("GITHUB_ACTIONS");
	env->runner = strdup(gha && strcmp(gha, "true") == 0 ? "github"
			     : getenv("GITLAB_CI")              ? "gitlab"
			     : getenv("CI")                     ? "ci"
								: "local");
	if (!env->os || !env->arch || !env->cpu || !env->runner)
		return pg_error_set(PG_ENOMEM, "out of memory");
	for (char *p = env->os; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	const char *fromenv = getenv("PERFGATE_ENV");
	if (key_override && *key_override)
		env->key = strdup(key_override);
	else if (fromenv && *fromenv)
		env->key = strdup(fromenv);
	else {
		size_t len = strlen(env->os) + strlen(env->arch) + strlen(env->cpu) + 3;
		env->key = malloc(len);
		if (env->key)
			snprintf(env->key, len, "%s-%s-%s", env->os, env->arch, env->cpu);
	}
	if (!env->key)
		return pg_error_set(PG_ENOMEM, "out of memory");
	pg_env_normalize(env->key);
	if (!env->key[0])
		return pg_error_set(PG_EINPUT, "environment key is empty after keeping [a-z0-9._-]");
	pg_log_verbose("env key %s (%s)", env->key,
		       key_override && *key_override ? "--env" : fromenv && *fromenv ? "PERFGATE_ENV" : "detected");
	return 0;
}
