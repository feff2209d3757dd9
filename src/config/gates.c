/* gates.c - load and check a gates file (perfgate-gates/1) */
#include "perfgate/gates.h"

#include "perfgate/error.h"
#include "perfgate/hash.h"
#include "perfgate/fileio.h"
#include "perfgate/json.h"

#include <limits.h>
#include <math.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void pg_run_settings_default(pg_run_settings *s)
{
	s->runs = 10;
	s->warmup = 3;
	s->timeout_s = 60.0;
	s->min_time_s = 0;
	s->pin = -1;
	s->instructions = 0;
	s->history = 0;
}

void pg_strv_free(char **v)
{
	if (!v)
		return;
	for (char **p = v; *p; p++)
		free(*p);
	free(v);
}

static int strv_push(char ***v, size_t *n, char *s)
{
	char **grown = realloc(*v, (*n + 2) * sizeof(char *));
	if (!grown) {
		free(s);
		return pg_error_set(PG_ENOMEM, "out of memory");
	}
	grown[(*n)++] = s;
	grown[*n] = NULL;
	*v = grown;
	return 0;
}

int pg_expand_placeholders(char **out, const char *text, const char *root, const char *bindir)
{
	size_t cap = strlen(text) + 1, used = 0;
	char *buf = malloc(cap);
	if (!buf)
		return pg_error_set(PG_ENOMEM, "out of memory");
	for (const char *p = text; *p;) {
		const char *piece = p;
		size_t piece_len = 1, advance = 1;
		if ((p[0] == '{' && p[1] == '{') || (p[0] == '}' && p[1] == '}')) {
			advance = 2;
		} else if (strncmp(p, "{root}", 6) == 0) {
			piece = root;
			piece_len = strlen(root);
			advance = 6;
		} else if (strncmp(p, "{bindir}", 8) == 0) {
			piece = bindir;
			piece_len = strlen(bindir);
			advance = 8;
		} else if (*p == '{') {
			const char *close = strchr(p, '}');
			int n = close ? (int)(close - p + 1) : (int)strlen(p);
			free(buf);
			return pg_error_set(PG_EINPUT,
					    "unknown placeholder '%.*s' in \"%s\" (expected {root} or {bindir}; write {{ for a brace)",
					    n, p, text);
		}
		if (used + piece_len + 1 > cap) {
			cap = (used + piece_len + 1) * 2;
			char *grown = realloc(buf, cap);
			if (!grown) {
				free(buf);
				return pg_error_set(PG_ENOMEM, "out of memory");
			}
			buf = grown;
		}
		memcpy(buf + used, piece, piece_len);
		used += piece_len;
		p += advance;
	}
	buf[used] = '\0';
	*out = buf;
	return 0;
}

int pg_split_words(char ***out, const char *text)
{
	char **v = NULL;
	size_t n = 0, len = strlen(text);
	char *word = malloc(len + 1);
	if (!word)
		return pg_error_set(PG_ENOMEM, "out of memory");
	const char *p = text;
	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		if (!*p)
			break;
		size_t w = 0;
		while (*p && *p != ' ' && *p != '\t' && *p != '\n') {
			if (*p == '\'' || *p == '"') {
				char q = *p++;
				while (*p && *p != q) {
					if (q == '"' && *p == '\\' && p[1])
						p++;
					word[w++] = *p++;
				}
				if (!*p) {
					free(word);
					pg_strv_free(v);
					return pg_error_set(PG_EINPUT, "unterminated quote in command \"%s\"",
							    text);
				}
				p++;
			} else if (*p == '\\' && p[1]) {
				word[w++] = p[1];
				p += 2;
			} else {
				word[w++] = *p++;
			}
		}
		int rc = strv_push(&v, &n, strndup(word, w));
		if (rc) {
			free(word);
			pg_strv_free(v);
			return rc;
		}
	}
	free(word);
	if (n == 0) {
		pg_strv_free(v);
		return pg_error_set(PG_EINPUT, "empty command");
	}
	*out = v;
	return 0;
}

/* ---- loading ---- */

typedef struct loader {
	pg_gates *g;
	char where[512];
} loader;

static int get_quantity(pg_quantity *out, const cJSON *obj, const char *key, const char *where,
			pg_dimension want, const char *expected)
{
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);
	if (!item)
		return 1;
	if (cJSON_IsNumber(item)) {
		out->value = item->valuedouble;
		out->dim = PG_DIM_NUMBER;
	} else if (cJSON_IsString(item)) {
		if (pg_quantity_parse(out, item->valuestring))
			return pg_error_wrap(PG_EINPUT, "%s.%s", where, key);
	} else {
		return pg_error_set(PG_EINPUT, "%s.%s: expected %s, found %s", where, key, expected,
				    pg_json_type_name(item));
	}
	if (want != PG_DIM_NUMBER && out->dim != PG_DIM_NUMBER && out->dim != want)
		return pg_error_set(PG_EINPUT, "%s.%s: expected %s, found \"%s\"", where, key, expected,
				    item->valuestring);
	return 0;
}

/* A duration: "60s", "250ms", or a number of seconds. */
/* A duration from 0 up to most_s (a bound the runner's timers hold, and a run that ends). */
static int get_seconds(double *out, const cJSON *obj, const char *key, const char *where, double most_s)
{
	pg_quantity q;
	int rc = get_quantity(&q, obj, key, where, PG_DIM_TIME, "a duration such as \"60s\"");
	if (rc)
		return rc;
	if (!(q.value >= 0))
		return pg_error_set(PG_EINPUT, "%s.%s: expected a duration >= 0", where, key);
	if (q.value > most_s)
		return pg_error_set(PG_EINPUT, "%s.%s: expected a duration up to %gh, found %gs", where, key,
				    most_s / 3600, q.value);
	*out = q.value;
	return 0;
}

/* A fraction: "10%" or 0.10. */
static int get_fraction(double *out, const cJSON *obj, const char *key, const char *where)
{
	pg_quantity q;
	int rc = get_quantity(&q, obj, key, where, PG_DIM_RATIO, "a percentage such as \"10%\"");
	if (rc)
		return rc;
	if (q.value < 0)
		return pg_error_set(PG_EINPUT, "%s.%s: expected a percentage >= 0", where, key);
	*out = q.value;
	return 0;
}

static int get_count(int *out, const cJSON *obj, const char *key, const char *where, int least)
{
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);
	if (!item)
		return 1;
	if (!cJSON_IsNumber(item) || item->valuedouble != floor(item->valuedouble) ||
	    item->valuedouble < least || item->valuedouble > 1e7)
		return pg_error_set(PG_EINPUT, "%s.%s: expected an integer >= %d, found %s", where, key,
				    least, cJSON_IsNumber(item) ? "another number" : pg_json_type_name(item));
	*out = (int)item->valuedouble;
	return 0;
}

static int read_settings(pg_run_settings *s, const cJSON *obj, const char *where)
{
	int rc;
	if ((rc = get_count(&s->runs, obj, "runs", where, 1)) < 0 ||
	    (rc = get_count(&s->warmup, obj, "warmup", where, 0)) < 0 ||
	    (rc = get_seconds(&s->timeout_s, obj, "timeout", where, PG_MAX_TIMEOUT_S)) < 0 ||
	    (rc = get_seconds(&s->min_time_s, obj, "min_time", where, PG_MAX_MIN_TIME_S)) < 0 ||
	    (rc = get_count(&s->history, obj, "history", where, 1)) < 0)
		return rc;
	const cJSON *pin = cJSON_GetObjectItemCaseSensitive(obj, "pin");
	if (pin) {
		if (cJSON_IsFalse(pin))
			s->pin = -1;
		else if ((rc = get_count(&s->pin, obj, "pin", where, 0)) < 0)
			return pg_error_set(PG_EINPUT, "%s.pin: expected a CPU number or false", where);
		long cpus = sysconf(_SC_NPROCESSORS_CONF);
		if (s->pin >= 0 && (s->pin >= CPU_SETSIZE || (cpus > 0 && s->pin >= cpus)))
			return pg_error_set(PG_EINPUT, "%s.pin: CPU %d does not exist (this machine has CPUs 0-%ld)",
					    where, s->pin, cpus > 0 ? cpus - 1 : (long)CPU_SETSIZE - 1);
	}
	const char *measure;
	if ((rc = pg_json_get_string(&measure, obj, "measure", 0, where)) < 0)
		return rc;
	if (rc == 0) {
		if (strcmp(measure, "wall") != 0 && strcmp(measure, "instructions") != 0)
			return pg_error_set(PG_EINPUT,
					    "%s.measure: expected \"wall\" or \"instructions\", found \"%s\"",
					    where, measure);
		s->instructions = strcmp(measure, "instructions") == 0;
	}
	const char *normalize;
	if ((rc = pg_json_get_string(&normalize, obj, "normalize", 0, where)) < 0)
		return rc;
	if (rc == 0) {
		if (strcmp(normalize, "probe") != 0 && strcmp(normalize, "none") != 0)
			return pg_error_set(PG_EINPUT,
					    "%s.normalize: expected \"probe\" or \"none\", found \"%s\"",
					    where, normalize);
		s->normalize_probe = strcmp(normalize, "probe") == 0;
	}
	return 0;
}

/* Which keys each kind takes beyond the common ones. */
static const struct {
	const char *kind;
	const char *keys[8];
} kind_keys[] = {
	{"command", {"command", "shell", NULL}},
	{"matcher", {"target", "corpus", "passes", "leak_passes", "query_timeout", NULL}},
	{"inference", {"target", "corpus", "max_tokens", NULL}},
	{"vmspawn", {"command", "shell", "ready", "stop", NULL}},
	{"size", {"files", NULL}},
	{"import", {"from", "path", NULL}},
};
#define N_KINDS (sizeof(kind_keys) / sizeof(kind_keys[0]))

static const char *const common_keys[] = {"name", "kind", "runs", "warmup", "timeout", "min_time",
					  "cwd", "env", "pin", "measure", "description",
					  "normalize", "history", NULL};

static int check_bench_keys(const cJSON *obj, const char *kind, const char *where)
{
	size_t k;
	for (k = 0; k < N_KINDS; k++)
		if (strcmp(kind_keys[k].kind, kind) == 0)
			break;
	if (k == N_KINDS)
		return pg_error_set(PG_EINPUT,
				    "%s.kind: unknown kind \"%s\" (expected command, matcher, inference, vmspawn, size or import)",
				    where, kind);
	const cJSON *item;
	cJSON_ArrayForEach(item, obj)
	{
		int known = 0;
		for (const char *const *c = common_keys; *c && !known; c++)
			known = strcmp(*c, item->string) == 0;
		for (const char *const *c = kind_keys[k].keys; *c && !known; c++)
			known = strcmp(*c, item->string) == 0;
		if (known)
			continue;
		for (size_t other = 0; other < N_KINDS; other++)
			for (const char *const *c = kind_keys[other].keys; *c; c++)
				if (strcmp(*c, item->string) == 0)
					return pg_error_set(PG_EINPUT,
							    "%s: key '%s' does not apply to kind '%s'",
							    where, item->string, kind);
		return pg_error_set(PG_EINPUT, "%s: unknown key '%s'", where, item->string);
	}
	return 0;
}

/* What the benchmark does, not how often: run counts and timeouts leave the hash alone. */
static int definition_hash(pg_bench_def *def)
{
	static const char *const volatile_keys[] = {"runs", "warmup", "timeout", "min_time",
						    "description", "pin", "normalize", "history", NULL};
	cJSON *copy = cJSON_Duplicate(def->spec, 1);
	if (!copy)
		return pg_error_set(PG_ENOMEM, "out of memory");
	for (const char *const *k = volatile_keys; *k; k++)
		cJSON_DeleteItemFromObjectCaseSensitive(copy, *k);
	char *text = cJSON_PrintUnformatted(copy);
	cJSON_Delete(copy);
	if (!text)
		return pg_error_set(PG_ENOMEM, "out of memory");
	snprintf(def->definition_hash, sizeof(def->definition_hash), "%016llx",
		 (unsigned long long)pg_fnv1a(PG_FNV_BASIS_STORED, text, strlen(text)));
	free(text);
	return 0;
}

static int expand_path(char **out, const char *text, const pg_gates *g)
{
	char *expanded;
	int rc = pg_expand_placeholders(&expanded, text, g->root, g->bindir);
	if (rc)
		return rc;
	if (expanded[0] == '/') {
		*out = expanded;
		return 0;
	}
	*out = pg_path_join(g->root, expanded);
	free(expanded);
	return *out ? 0 : pg_error_set(PG_ENOMEM, "out of memory");
}

static int read_command(pg_bench_def *def, const cJSON *obj, const pg_gates *g, const char *where)
{
	const cJSON *cmd = cJSON_GetObjectItemCaseSensitive(obj, "command");
	char **argv = NULL;
	size_t n = 0;
	int rc;
	if (!cmd)
		return 0;
	if (cJSON_IsString(cmd)) {
		char *expanded;
		if ((rc = pg_expand_placeholders(&expanded, cmd->valuestring, g->root, g->bindir)))
			return pg_error_wrap(rc, "%s.command", where);
		if (def->shell) {
			if ((rc = strv_push(&argv, &n, strdup("/bin/sh"))) ||
			    (rc = strv_push(&argv, &n, strdup("-c"))) ||
			    (rc = strv_push(&argv, &n, expanded))) {
				pg_strv_free(argv);
				return rc;
			}
		} else {
			rc = pg_split_words(&argv, expanded);
			free(expanded);
			if (rc)
				return pg_error_wrap(rc, "%s.command", where);
		}
	} else if (cJSON_IsArray(cmd) && cJSON_GetArraySize(cmd) > 0) {
		const cJSON *word;
		size_t i = 0;
		cJSON_ArrayForEach(word, cmd)
		{
			char *expanded;
			if (!cJSON_IsString(word)) {
				pg_strv_free(argv);
				return pg_error_set(PG_EINPUT, "%s.command[%zu]: expected a string, found %s",
						    where, i, pg_json_type_name(word));
			}
			if ((rc = pg_expand_placeholders(&expanded, word->valuestring, g->root,
							 g->bindir)) ||
			    (rc = strv_push(&argv, &n, expanded))) {
				pg_strv_free(argv);
				return pg_error_wrap(rc, "%s.command[%zu]", where, i);
			}
			i++;
		}
		if (def->shell) {
			pg_strv_free(argv);
			return pg_error_set(PG_EINPUT,
					    "%s.command: with \"shell\": true, expected one string, found an array",
					    where);
		}
	} else {
		return pg_error_set(PG_EINPUT,
				    "%s.command: expected a non-empty array of strings or a string, found %s",
				    where, pg_json_type_name(cmd));
	}
	def->command = argv;
	return 0;
}

static int read_env(pg_bench_def *def, const cJSON *obj, const pg_gates *g, const char *where)
{
	extern char **environ;
	const cJSON *env = cJSON_GetObjectItemCaseSensitive(obj, "env"), *item;
	char **v = NULL;
	size_t n = 0;
	int rc;
	if (!env)
		return 0;
	if (!cJSON_IsObject(env))
		return pg_error_set(PG_EINPUT, "%s.env: expected an object of strings, found %s", where,
				    pg_json_type_name(env));
	/* Inherit perfgate's environment, then the benchmark's own keys on top. */
	for (char **e = environ; *e; e++) {
		int overridden = 0;
		cJSON_ArrayForEach(item, env)
		{
			size_t kl = strlen(item->string);
			if (strncmp(*e, item->string, kl) == 0 && (*e)[kl] == '=')
				overridden = 1;
		}
		if (!overridden && (rc = strv_push(&v, &n, strdup(*e)))) {
			pg_strv_free(v);
			return rc;
		}
	}
	cJSON_ArrayForEach(item, env)
	{
		char *value, *pair;
		if (!cJSON_IsString(item)) {
			pg_strv_free(v);
			return pg_error_set(PG_EINPUT, "%s.env.%s: expected a string, found %s", where,
					    item->string, pg_json_type_name(item));
		}
		if ((rc = pg_expand_placeholders(&value, item->valuestring, g->root, g->bindir))) {
			pg_strv_free(v);
			return pg_error_wrap(rc, "%s.env.%s", where, item->string);
		}
		size_t len = strlen(item->string) + strlen(value) + 2;
		pair = malloc(len);
		if (pair)
			snprintf(pair, len, "%s=%s", item->string, value);
		free(value);
		if ((rc = strv_push(&v, &n, pair))) {
			pg_strv_free(v);
			return rc;
		}
	}
	def->env = v;
	return 0;
}

static int read_benchmark(pg_gates *g, pg_bench_def *def, const cJSON *obj, const char *where)
{
	const char *name, *kind = "command";
	int rc;
	if ((rc = pg_json_object(obj, where)) || (rc = pg_json_get_string(&name, obj, "name", 1, where)))
		return rc;
	if ((rc = pg_json_get_string(&kind, obj, "kind", 0, where)) < 0)
		return rc;
	if (!name[0] || strchr(name, '\n'))
		return pg_error_set(PG_EINPUT, "%s.name: expected a non-empty one-line name", where);
	if ((rc = check_bench_keys(obj, kind, where)))
		return rc;
	def->spec = cJSON_Duplicate(obj, 1);
	def->name = strdup(name);
	def->kind = strdup(kind);
	if (!def->spec || !def->name || !def->kind)
		return pg_error_set(PG_ENOMEM, "out of memory");
	def->run = g->defaults;
	if ((rc = read_settings(&def->run, def->spec, where)) < 0)
		return rc;
	if ((rc = pg_json_get_bool(&def->shell, obj, "shell", 0, where)) < 0)
		return rc;
	const char *cwd = NULL;
	if ((rc = pg_json_get_string(&cwd, obj, "cwd", 0, where)) < 0)
		return rc;
	if ((rc = expand_path(&def->cwd, cwd ? cwd : "{root}", g)))
		return pg_error_wrap(rc, "%s.cwd", where);
	if ((rc = read_command(def, obj, g, where)) || (rc = read_env(def, obj, g, where)))
		return rc;
	if ((strcmp(kind, "command") == 0 || strcmp(kind, "vmspawn") == 0) && !def->command)
		return pg_error_set(PG_EINPUT, "%s: missing key 'command' (a %s benchmark runs one)",
				    where, kind);
	return definition_hash(def);
}

/* A bound as the gates file wrote it: the string, or the number printed plainly. */
static char *quantity_text(const cJSON *obj, const char *key)
{
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);
	char buf[64];
	if (cJSON_IsString(item))
		return strdup(item->valuestring);
	snprintf(buf, sizeof(buf), "%g", item ? item->valuedouble : 0.0);
	return strdup(buf);
}

static int read_gate(pg_gate *gate, const cJSON *obj, const char *where)
{
	static const char *const keys[] = {"metric", "max", "min", "regression", "min_change",
					   "description", NULL};
	const char *metric;
	int rc;
	if ((rc = pg_json_object(obj, where)) || (rc = pg_json_check_keys(obj, keys, where)) ||
	    (rc = pg_json_get_string(&metric, obj, "metric", 1, where)))
		return rc;
	gate->metric = strdup(metric);
	if (!gate->metric)
		return pg_error_set(PG_ENOMEM, "out of memory");
	const char *expected = "a number or a quantity such as \"10ms\" or \"15MB\"";
	if ((rc = get_quantity(&gate->max, obj, "max", where, PG_DIM_NUMBER, expected)) < 0)
		return rc;
	gate->has_max = rc == 0;
	if (gate->has_max && !(gate->max_text = quantity_text(obj, "max")))
		return pg_error_set(PG_ENOMEM, "out of memory");
	if ((rc = get_quantity(&gate->min, obj, "min", where, PG_DIM_NUMBER, expected)) < 0)
		return rc;
	gate->has_min = rc == 0;
	if (gate->has_min && !(gate->min_text = quantity_text(obj, "min")))
		return pg_error_set(PG_ENOMEM, "out of memory");
	if ((rc = get_quantity(&gate->min_change, obj, "min_change", where, PG_DIM_NUMBER,
			       expected)) < 0)
		return rc;
	gate->has_min_change = rc == 0;
	if ((rc = get_fraction(&gate->regression, obj, "regression", where)) < 0)
		return rc;
	gate->has_regression = rc == 0;
	if (!gate->has_max && !gate->has_min && !gate->has_regression && !gate->has_min_change)
		return pg_error_set(PG_EINPUT,
				    "%s: gate on '%s' sets nothing (expected max, min, regression or min_change)",
				    where, metric);
	return 0;
}

static int read_build(pg_gates *g, const cJSON *build, const char *where)
{
	const cJSON *step;
	if (!cJSON_IsArray(build))
		return pg_error_set(PG_EINPUT, "%s.build: expected a list of argv lists, found %s", where,
				    pg_json_type_name(build));
	/* One argv on its own (["make"]) is accepted as a one-step build. */
	int single = cJSON_GetArraySize(build) > 0 && cJSON_IsString(cJSON_GetArrayItem(build, 0));
	size_t steps = single ? 1 : (size_t)cJSON_GetArraySize(build), i = 0;
	g->build = calloc(steps ? steps : 1, sizeof(char **));
	if (!g->build)
		return pg_error_set(PG_ENOMEM, "out of memory");
	cJSON_ArrayForEach(step, build)
	{
		const cJSON *argv_json = single ? build : step, *word;
		char **argv = NULL;
		size_t n = 0;
		int rc;
		if (!cJSON_IsArray(argv_json) || cJSON_GetArraySize(argv_json) == 0)
			return pg_error_set(PG_EINPUT, "%s.build[%zu]: expected a non-empty argv list, found %s",
					    where, i, pg_json_type_name(argv_json));
		cJSON_ArrayForEach(word, argv_json)
		{
			char *expanded;
			if (!cJSON_IsString(word)) {
				pg_strv_free(argv);
				return pg_error_set(PG_EINPUT, "%s.build[%zu]: expected strings, found %s",
						    where, i, pg_json_type_name(word));
			}
			if ((rc = pg_expand_placeholders(&expanded, word->valuestring, g->root,
							 g->bindir)) ||
			    (rc = strv_push(&argv, &n, expanded))) {
				pg_strv_free(argv);
				return pg_error_wrap(rc, "%s.build[%zu]", where, i);
			}
		}
		g->build[g->n_build++] = argv;
		i++;
		if (single)
			break;
	}
	return 0;
}

static int load(pg_gates *g, const cJSON *json)
{
	static const char *const keys[] = {"schema", "description", "defaults", "build", "benchmarks",
					   "gates", NULL};
	static const char *const default_keys[] = {"regression", "alpha", "runs", "warmup", "timeout",
						   "min_time", "pin", "measure", "normalize", "probe",
						   "history", NULL};
	char where[600], at[700];
	const char *schema;
	const cJSON *benches, *gates = NULL, *item;
	int rc;
	snprintf(where, sizeof(where), "%s: $", g->path);
	if ((rc = pg_json_object(json, where)) ||
	    (rc = pg_json_get_string(&schema, json, "schema", 1, where)))
		return rc;
	if (strcmp(schema, PG_GATES_SCHEMA) != 0)
		return pg_error_set(PG_EINPUT, "%s.schema: expected \"%s\", found \"%s\"", where,
				    PG_GATES_SCHEMA, schema);
	if ((rc = pg_json_check_keys(json, keys, where)))
		return rc;
	const cJSON *defaults = cJSON_GetObjectItemCaseSensitive(json, "defaults");
	if (defaults) {
		snprintf(at, sizeof(at), "%s.defaults", where);
		if ((rc = pg_json_object(defaults, at)) ||
		    (rc = pg_json_check_keys(defaults, default_keys, at)) ||
		    (rc = read_settings(&g->defaults, defaults, at)) < 0 ||
		    (rc = get_fraction(&g->regression, defaults, "regression", at)) < 0 ||
		    (rc = pg_json_get_number(&g->alpha, defaults, "alpha", 0, at)) < 0 ||
		    (rc = pg_json_get_bool(&g->probe, defaults, "probe", 0, at)) < 0)
			return rc;
		if (g->alpha <= 0 || g->alpha >= 1)
			return pg_error_set(PG_EINPUT, "%s.alpha: expected a number between 0 and 1", at);
	}
	const cJSON *build = cJSON_GetObjectItemCaseSensitive(json, "build");
	if (build && (rc = read_build(g, build, where)))
		return rc;
	if ((rc = pg_json_get_array(&benches, json, "benchmarks", 1, where)))
		return rc;
	size_t nb = (size_t)cJSON_GetArraySize(benches), i = 0;
	g->benchmarks = calloc(nb ? nb : 1, sizeof(*g->benchmarks));
	if (!g->benchmarks)
		return pg_error_set(PG_ENOMEM, "out of memory");
	cJSON_ArrayForEach(item, benches)
	{
		snprintf(at, sizeof(at), "%s.benchmarks[%zu]", where, i++);
		pg_bench_def *def = &g->benchmarks[g->n_benchmarks++];
		if ((rc = read_benchmark(g, def, item, at)))
			return rc;
		for (size_t j = 0; j + 1 < g->n_benchmarks; j++)
			if (strcmp(g->benchmarks[j].name, def->name) == 0)
				return pg_error_set(PG_EINPUT, "%s.name: benchmark \"%s\" is defined twice",
						    at, def->name);
	}
	if ((rc = pg_json_get_array(&gates, json, "gates", 0, where)) < 0)
		return rc;
	if (gates) {
		size_t ng = (size_t)cJSON_GetArraySize(gates);
		g->gates = calloc(ng ? ng : 1, sizeof(*g->gates));
		if (!g->gates)
			return pg_error_set(PG_ENOMEM, "out of memory");
		i = 0;
		cJSON_ArrayForEach(item, gates)
		{
			snprintf(at, sizeof(at), "%s.gates[%zu]", where, i++);
			if ((rc = read_gate(&g->gates[g->n_gates++], item, at)))
				return rc;
		}
	}
	return 0;
}

static int gates_build(pg_gates **out, const cJSON *from, const char *path, const char *root,
		       const char *bindir)
{
	cJSON *json = NULL;
	pg_gates *g = calloc(1, sizeof(*g));
	if (!g)
		return pg_error_set(PG_ENOMEM, "out of memory");
	pg_run_settings_default(&g->defaults);
	g->regression = 0.10;
	g->alpha = 0.05;
	g->probe = 1;
	g->path = strdup(path);
	if (root) {
		g->root = strdup(root);
	} else {
		/* {root} is absolute: benchmarks run in it, whatever directory perfgate was started in. */
		char *dir = pg_path_dirname(path);
		g->root = dir ? realpath(dir, NULL) : NULL;
		if (dir && !g->root)
			g->root = dir;
		else
			free(dir);
	}
	g->bindir = strdup(bindir ? bindir : ".");
	int rc = !g->path || !g->root || !g->bindir ? pg_error_set(PG_ENOMEM, "out of memory") : 0;
	if (!rc && !from)
		rc = pg_json_read_file(&json, path);
	if (!rc)
		rc = load(g, from ? from : json);
	cJSON_Delete(json);
	if (rc) {
		pg_gates_free(g);
		return rc;
	}
	*out = g;
	return 0;
}

int pg_gates_load(pg_gates **out, const char *path, const char *root, const char *bindir)
{
	return gates_build(out, NULL, path, root, bindir);
}

int pg_gates_from_json(pg_gates **out, const cJSON *json, const char *origin, const char *root,
		       const char *bindir)
{
	return gates_build(out, json, origin, root, bindir);
}

void pg_gates_free(pg_gates *g)
{
	if (!g)
		return;
	for (size_t i = 0; i < g->n_benchmarks; i++) {
		pg_bench_def *d = &g->benchmarks[i];
		free(d->name);
		free(d->kind);
		cJSON_Delete(d->spec);
		free(d->cwd);
		pg_strv_free(d->env);
		pg_strv_free(d->command);
	}
	free(g->benchmarks);
	for (size_t i = 0; i < g->n_gates; i++) {
		free(g->gates[i].metric);
		free(g->gates[i].max_text);
		free(g->gates[i].min_text);
	}
	free(g->gates);
	for (size_t i = 0; i < g->n_build; i++)
		pg_strv_free(g->build[i]);
	free(g->build);
	free(g->path);
	free(g->root);
	free(g->bindir);
	free(g);
}

const pg_bench_def *pg_gates_find(const pg_gates *g, const char *name)
{
	for (size_t i = 0; i < g->n_benchmarks; i++)
		if (strcmp(g->benchmarks[i].name, name) == 0)
			return &g->benchmarks[i];
	return NULL;
}

int pg_gates_hash(char **out, const pg_gates *g)
{
	uint64_t h = PG_FNV_BASIS;
	for (size_t i = 0; i < g->n_benchmarks; i++) {
		h = pg_fnv1a_field(h, g->benchmarks[i].name);
		h = pg_fnv1a_field(h, g->benchmarks[i].definition_hash);
	}
	if (!(*out = malloc(17)))
		return pg_error_set(PG_ENOMEM, "out of memory");
	snprintf(*out, 17, "%016llx", (unsigned long long)h);
	return 0;
}
