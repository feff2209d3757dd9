/* options.h - one table-driven parser for every verb's command line */
#ifndef PERFGATE_CLI_OPTIONS_H
#define PERFGATE_CLI_OPTIONS_H

#include <stddef.h>

/* What an option does with its value; dest's type follows from it. */
typedef enum pg_cli_kind {
	PG_CLI_FLAG,      /* no value: *(int *)dest = 1; dest NULL: accepted and ignored */
	PG_CLI_STRING,    /* *(const char **)dest = the value; dest NULL: accepted and ignored */
	PG_CLI_INT,       /* *(int *)dest = the value, an integer >= least */
	PG_CLI_LIST,      /* repeatable: appended to *(char ***)dest, NULL-terminated, *count items;
			   * with words, each item's part before any '=' must be one of them */
	PG_CLI_THRESHOLD, /* *(double *)dest = a relative change ("10%", "0.1"), over 0 and under 1000 % */
	PG_CLI_CHOICE,    /* *(int *)dest = the index of the value in words */
	PG_CLI_CALL,      /* call(dest, value): anything the kinds above do not say */
} pg_cli_kind;

/*
 * One option of a verb. A table ends with an entry without name and letter:
 *
 *	const pg_cli_option opts[] = {{NULL, 'n', PG_CLI_INT, .dest = &n, .least = 1},
 *				      {"store", 0, PG_CLI_STRING, .dest = &store_dir},
 *				      {0}};
 *
 * Values are argv's strings, never copied; a list's array is allocated here
 * and freed by the verb with free().
 */
typedef struct pg_cli_option {
	const char *name; /* --name, or NULL */
	char letter;      /* -l, or 0 */
	pg_cli_kind kind;
	void *dest;
	size_t *count;                         /* PG_CLI_LIST: the number of items */
	int least;                             /* PG_CLI_INT: the least value accepted */
	const char *const *words;              /* PG_CLI_CHOICE: the values; PG_CLI_LIST: the words before '=' */
	const char *refusal;                   /* the error for another word (%s: it), or NULL */
	int (*call)(void *dest, const char *value); /* PG_CLI_CALL: 0 or a PG_ error it has set */
} pg_cli_option;

/* What a verb takes besides its options. */
typedef enum pg_cli_operands {
	PG_CLI_NO_OPERANDS, /* an operand is "VERB: unexpected argument" */
	PG_CLI_OPERANDS,    /* operands anywhere among the options, for the verb to check */
	PG_CLI_COMMAND,     /* options end at the first operand: a command and its own arguments */
} pg_cli_operands;

typedef struct pg_cli_verb {
	const char *name;  /* prefixes the errors */
	const char *usage; /* "perfgate VERB ...", printed by -h and after an error */
	const char *help;
	pg_cli_operands operands;
	const char *unknown; /* the error for any unknown word, option or operand (%s: it, %s: usage); NULL: the usual */
} pg_cli_verb;

/* Returned by pg_cli_parse when -h or --help printed the verb's help: the verb stops, successfully. */
#define PG_CLI_HELP 1

/*
 * Parse argv[1..argc) (argv[0] is the verb) by the table opts, plus -h and
 * --help. *first (first may be NULL) is the index of the first operand, argc
 * when there is none. Returns 0,
 * PG_CLI_HELP, or PG_EINPUT naming the option and the verb's usage.
 */
int pg_cli_parse(int *first, const pg_cli_verb *verb, const pg_cli_option *opts, int argc, char *argv[]);

/* A positive integer argument of option (named in the error), at least least. */
int pg_cli_int(int *out, const char *arg, const char *option, int least);

/* --threshold: a relative change ("10%", "0.1"), more than 0 and under 1000 %. */
int pg_cli_threshold(double *out, const char *arg);

/* Append s to the NULL-terminated list *v of *n items. 0 or PG_ENOMEM. */
int pg_cli_list_push(char ***v, size_t *n, const char *s);

#endif
