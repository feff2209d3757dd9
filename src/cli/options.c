/* options.c - one table-driven parser for every verb's command line, over getopt_long */
#include "options.h"

#include "perfgate/error.h"
#include "perfgate/log.h"
#include "perfgate/quantity.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* getopt_long ids of the options without a letter, above every character; then --help. */
#define LONG_ID 256

int pg_cli_int(int *out, const char *arg, const char *option, int least)
{
	char *end;
	errno = 0;
	long v = strtol(arg, &end, 10);
	if (errno || end == arg || *end || v < least || v > INT_MAX)
		return pg_error_set(PG_EINPUT, "%s: expected an integer >= %d, found '%s'", option, least, arg);
	*out = (int)v;
	return 0;
}

int pg_cli_threshold(double *out, const char *arg)
{
	pg_quantity q;
	if (pg_quantity_parse(&q, arg) != 0 || (q.dim != PG_DIM_RATIO && q.dim != PG_DIM_NUMBER) ||
	    !(q.value > 0) || q.value >= 10)
		return pg_error_set(PG_EINPUT, "--threshold: expected a percentage such as 10%%, found '%s'", arg);
	*out = q.value;
	return 0;
}

int pg_cli_list_push(char ***v, size_t *n, const char *s)
{
	char **grown = realloc(*v, (*n + 2) * sizeof(char *));
	if (!grown)
		return pg_error_set(PG_ENOMEM, "out of memory");
	grown[(*n)++] = (char *)s;
	grown[*n] = NULL;
	*v = grown;
	return 0;
}

/* The message of template with each "%s" replaced by the next of a, b: PG_EINPUT. */
static int refuse(const char *template, const char *a, const char *b)
{
	char message[4096];
	size_t used = 0;
	const char *fill[] = {a, b};
	int next = 0;
	for (const char *t = template; *t && used < sizeof(message) - 1; t++) {
		if (t[0] == '%' && t[1] == 's' && next < 2) {
			used += (size_t)snprintf(message + used, sizeof(message) - used, "%s", fill[next++]);
			used = used < sizeof(message) ? used : sizeof(message) - 1;
			t++;
		} else {
			message[used++] = *t;
		}
	}
	message[used] = '\0';
	return pg_error_set(PG_EINPUT, "%s", message);
}

/* "--name", else "-l": how errors name an option. */
static const char *spelled(char buf[64], const pg_cli_option *o)
{
	if (o->name)
		snprintf(buf, 64, "--%s", o->name);
	else
		snprintf(buf, 64, "-%c", o->letter);
	return buf;
}

/* 1 + the index in words of value's first len characters, 0 when none is. */
static int known_word(const char *const *words, const char *value, size_t len)
{
	for (int i = 0; words[i]; i++)
		if (strlen(words[i]) == len && strncmp(words[i], value, len) == 0)
			return i + 1;
	return 0;
}

/* The first len characters of value are none of o->words: "--mode: expected auto, ab or stored, found 'fast'". */
static int refuse_word(const pg_cli_option *o, const char *value, size_t len)
{
	char name[64], word[256], expected[512] = "";
	size_t used = 0, n = 0;
	snprintf(word, sizeof(word), "%.*s", (int)len, value);
	if (o->refusal)
		return refuse(o->refusal, word, NULL);
	while (o->words[n])
		n++;
	for (size_t i = 0; i < n && used < sizeof(expected); i++)
		used += (size_t)snprintf(expected + used, sizeof(expected) - used, "%s%s",
					 i == 0 ? "" : i == n - 1 ? " or " : ", ", o->words[i]);
	return pg_error_set(PG_EINPUT, "%s: expected %s, found '%s'", spelled(name, o), expected, word);
}

static int take(const pg_cli_option *o, const char *value)
{
	char name[64];
	switch (o->kind) {
	case PG_CLI_FLAG:
		if (o->dest)
			*(int *)o->dest = 1;
		return 0;
	case PG_CLI_STRING:
		if (o->dest)
			*(const char **)o->dest = value;
		return 0;
	case PG_CLI_INT:
		return pg_cli_int(o->dest, value, spelled(name, o), o->least);
	case PG_CLI_LIST:
		if (o->words && !known_word(o->words, value, strcspn(value, "=")))
			return refuse_word(o, value, strcspn(value, "="));
		return pg_cli_list_push(o->dest, o->count, value);
	case PG_CLI_THRESHOLD:
		return pg_cli_threshold(o->dest, value);
	case PG_CLI_CHOICE: {
		int i = known_word(o->words, value, strlen(value));
		if (!i)
			return refuse_word(o, value, strlen(value));
		*(int *)o->dest = i - 1;
		return 0;
	}
	case PG_CLI_CALL:
		return o->call(o->dest, value);
	}
	return pg_error_set(PG_EINPUT, "%s: unknown kind of option", spelled(name, o));
}

/* An unknown option, or one without its value. optopt is what getopt_long left. */
static int bad_option(const pg_cli_verb *verb, const pg_cli_option *opts, char *const argv[])
{
	const char *what = argv[optind - 1];
	if (verb->unknown)
		return refuse(verb->unknown, what, verb->usage);
	if (strncmp(what, "--", 2) == 0 && strchr(what, '=') && optopt)
		return pg_error_set(PG_EINPUT, "%s: option '%.*s' takes no value\nusage: %s", verb->name,
				    (int)strcspn(what, "="), what, verb->usage);
	if (optopt && optopt < LONG_ID) {
		int wants_value = 0;
		for (const pg_cli_option *o = opts; o->name || o->letter; o++)
			wants_value |= o->letter == optopt && o->kind != PG_CLI_FLAG;
		return pg_error_set(PG_EINPUT, "%s: %s option '-%c'\nusage: %s", verb->name,
				    wants_value ? "missing value for" : "unknown", optopt, verb->usage);
	}
	/* A long option: known by its name (before any '=') means its value is missing. */
	if (optopt >= LONG_ID && strncmp(what, "--", 2) == 0) {
		size_t len = strcspn(what + 2, "=");
		for (const pg_cli_option *o = opts; o->name || o->letter; o++)
			if (o->name && strlen(o->name) == len && strncmp(o->name, what + 2, len) == 0)
				return pg_error_set(PG_EINPUT, "%s: missing value for option '--%s'\nusage: %s",
						    verb->name, o->name, verb->usage);
	}
	return pg_error_set(PG_EINPUT, "%s: unknown option '%.*s'\nusage: %s", verb->name,
			    (int)strcspn(what, "="), what, verb->usage);
}

int pg_cli_parse(int *first, const pg_cli_verb *verb, const pg_cli_option *opts, int argc, char *argv[])
{
	size_t n = 0;
	int own_q = 0, own_v = 0;
	for (; opts[n].name || opts[n].letter; n++) {
		own_q |= opts[n].letter == 'q';
		own_v |= opts[n].letter == 'v';
	}
	/* getopt_long's tables: every long name, then --help, -q, -v; letters with ':' when they take a value. */
	struct option *longopts = calloc(n + 4, sizeof(*longopts));
	char *shortopts = malloc(2 * n + 6);
	if (!longopts || !shortopts) {
		free(longopts);
		free(shortopts);
		return pg_error_set(PG_ENOMEM, "out of memory");
	}
	size_t nl = 0, ns = 0;
	if (verb->operands == PG_CLI_COMMAND)
		shortopts[ns++] = '+';
	for (size_t i = 0; i < n; i++) {
		int has_arg = opts[i].kind == PG_CLI_FLAG ? no_argument : required_argument;
		if (opts[i].letter) {
			shortopts[ns++] = opts[i].letter;
			if (has_arg)
				shortopts[ns++] = ':';
		}
		if (opts[i].name)
			longopts[nl++] = (struct option){opts[i].name, has_arg, NULL,
							 opts[i].letter ? opts[i].letter : LONG_ID + (int)i};
	}
	longopts[nl++] = (struct option){"help", no_argument, NULL, 'h'};
	shortopts[ns++] = 'h';
	/* Every verb takes -q and -v: how much it says on stderr (a verb's own -q may also do more). */
	if (!own_q) {
		longopts[nl++] = (struct option){"quiet", no_argument, NULL, 'q'};
		shortopts[ns++] = 'q';
	}
	if (!own_v) {
		longopts[nl++] = (struct option){"verbose", no_argument, NULL, 'v'};
		shortopts[ns++] = 'v';
	}
	shortopts[ns] = '\0';

	int opt, rc = 0;
	/* 0, not 1: GNU getopt then starts afresh (the permutation, a leading '+'), whatever parsed before. */
	optind = 0;
	opterr = 0;
	while (!rc && (opt = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		const pg_cli_option *o = NULL;
		if (opt == 'h') {
			printf("usage: %s\n\n%s", verb->usage, verb->help);
			if (!own_q)
				fputs("  -q, --quiet       errors and warnings only on stderr\n", stdout);
			if (!own_v)
				fputs("  -v, --verbose     also say which files, env key, baseline and store are used\n", stdout);
			rc = PG_CLI_HELP;
			break;
		}
		if (opt == 'q' || opt == 'v')
			pg_log_set_level(opt == 'q' ? PG_LOG_QUIET : PG_LOG_VERBOSE);
		if ((opt == 'q' && !own_q) || (opt == 'v' && !own_v))
			continue;
		for (size_t i = 0; i < n && !o; i++)
			if (opt == (opts[i].letter ? opts[i].letter : LONG_ID + (int)i))
				o = &opts[i];
		rc = o ? take(o, optarg) : bad_option(verb, opts, argv);
	}
	if (!rc && optind < argc && verb->operands == PG_CLI_NO_OPERANDS)
		rc = verb->unknown ? refuse(verb->unknown, argv[optind], verb->usage)
				   : pg_error_set(PG_EINPUT, "%s: unexpected argument '%s'\nusage: %s", verb->name,
						  argv[optind], verb->usage);
	if (first)
		*first = optind;
	free(longopts);
	free(shortopts);
	return rc;
}
