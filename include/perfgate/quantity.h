/* quantity.h - numbers with units: "10ms", "1.5 s", "15MiB", "10%" in, "4.95 ms" out */
#ifndef PERFGATE_QUANTITY_H
#define PERFGATE_QUANTITY_H

#include <stddef.h>

typedef enum pg_dimension {
	PG_DIM_NUMBER = 0, /* a bare number */
	PG_DIM_TIME,       /* value in seconds */
	PG_DIM_BYTES,      /* value in bytes */
	PG_DIM_RATIO,      /* value as a fraction: "10%" is 0.10 */
} pg_dimension;

typedef struct pg_quantity {
	double value; /* in the dimension's base unit */
	pg_dimension dim;
} pg_quantity;

/*
 * Parse "10ms", "1.5 s", "250us", "15MB" (10^6), "15MiB" (2^20), "10%",
 * "0.8". A leading '+' or '-' is kept in the sign. Returns 0 or PG_EINPUT
 * with a message naming the text and the units understood.
 */
int pg_quantity_parse(pg_quantity *out, const char *text);

/* Dimension and scale to the base unit of a stored unit name ("ms" -> TIME, 1e-3). */
pg_dimension pg_unit_dimension(const char *unit, double *scale);

/*
 * Express q in `unit` (a metric's stored unit). A bare number is taken as
 * already in that unit. Returns 0, or PG_EINPUT when the dimensions differ.
 */
int pg_quantity_in_unit(double *out, const pg_quantity *q, const char *unit);

/*
 * Print value (in `unit`) the way a person reads it, three significant
 * digits and a unit that fits: "4.95 ms", "12.3 MiB", "86.2 %", "1.23 k/s".
 * Always NUL-terminates; returns buf.
 */
char *pg_format_value(char *buf, size_t size, double value, const char *unit);

/* A relative change as "+12.3 %" / "-4.0 %". Returns buf. */
char *pg_format_change(char *buf, size_t size, double change);

#endif
