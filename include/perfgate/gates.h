/* gates.h - the gates file (schema perfgate-gates/1): benchmarks to run and gates to hold */
#ifndef PERFGATE_GATES_H
#define PERFGATE_GATES_H

#include "perfgate/quantity.h"

#include <cjson/cJSON.h>
#include <stddef.h>

#define PG_GATES_SCHEMA "perfgate-gates/1"

/* The longest timeout and min_time a gates file may ask for: a day (the runner's timers hold it), an hour. */
#define PG_MAX_TIMEOUT_S (24.0 * 3600.0)
#define PG_MAX_MIN_TIME_S 3600.0

/* Settings a benchmark inherits: built-in < gates "defaults" < its own keys < command line. */
typedef struct pg_run_settings {
	int runs;
	int warmup;
	double timeout_s;
	double min_time_s; /* keep running until this much wall time is spent; 0 none */
	int pin;           /* CPU to pin to, -1 none */
	int instructions;  /* measure: "instructions" (valgrind) instead of wall time */
	int normalize_probe; /* "normalize": "probe": time metrics divided by the probe's ratio */
	int history;       /* earlier stored runs for the run-to-run model (K); 0: the default */
} pg_run_settings;

typedef struct pg_bench_def {
	char *name;
	char *kind;
	cJSON *spec;            /* the benchmark's object as written, for kind-specific keys */
	pg_run_settings run;
	int shell;              /* command is a string run by /bin/sh -c */
	char *cwd;              /* placeholders expanded; relative to root; default root */
	char **env;             /* NULL-terminated KEY=VALUE list, or NULL to inherit */
	char **command;         /* NULL-terminated argv with placeholders expanded, or NULL */
	char definition_hash[17];
} pg_bench_def;

typedef struct pg_gate {
	char *metric; /* bench.metric[.stat], as written */
	int has_max, has_min, has_regression, has_min_change;
	pg_quantity max, min, min_change;
	char *max_text, *min_text; /* the bounds as written ("15MB"), for reports */
	double regression; /* fraction: 0.10 */
} pg_gate;

typedef struct pg_gates {
	char *path;   /* the file, as named */
	char *root;   /* {root} */
	char *bindir; /* {bindir} */
	pg_run_settings defaults;
	double regression; /* default relative gate, fraction */
	double alpha;
	char ***build; /* n_build argv lists */
	size_t n_build;
	pg_bench_def *benchmarks;
	size_t n_benchmarks;
	pg_gate *gates;
	size_t n_gates;
	int probe; /* defaults "probe": take the environment probe (1 unless false) */
} pg_gates;

/* Built-in settings: 10 runs, 3 warm-ups, 60 s timeout, no pinning, wall time. */
void pg_run_settings_default(pg_run_settings *s);

/*
 * Load and check a gates file. root and bindir fill the placeholders
 * (root NULL: the file's directory). Errors are PG_EINPUT naming the file,
 * the JSON path and what was expected; PG_ESYSTEM when it cannot be read.
 * Free with pg_gates_free.
 */
int pg_gates_load(pg_gates **out, const char *path, const char *root, const char *bindir);
void pg_gates_free(pg_gates *gates);

/* The same from a JSON tree (not kept); origin names it in errors. */
int pg_gates_from_json(pg_gates **out, const cJSON *json, const char *origin, const char *root,
		       const char *bindir);

/* Find a benchmark by name, or NULL. */
const pg_bench_def *pg_gates_find(const pg_gates *gates, const char *name);

/*
 * The fingerprint of the suite the gates file defines (a result set's
 * "gates_hash"): FNV-1a over each benchmark's name and definition hash, in
 * declaration order, as 16 hex digits. Run counts, thresholds and gates
 * leave it alone. *out is the caller's to free; 0 or PG_ENOMEM.
 */
int pg_gates_hash(char **out, const pg_gates *gates);

/*
 * Expand {root} and {bindir} ({{ and }} are literal braces) in text;
 * caller frees *out. PG_EINPUT naming the placeholder when unknown.
 */
int pg_expand_placeholders(char **out, const char *text, const char *root, const char *bindir);

/* Split a command string into words the way a shell would for plain words and quotes. */
int pg_split_words(char ***out, const char *text);

/* Free a NULL-terminated string vector. */
void pg_strv_free(char **v);

#endif
