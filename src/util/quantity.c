/* quantity.c - parse and print quantities with units */
#include "perfgate/quantity.h"

#include "perfgate/error.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct unit_def {
	const char *name;
	pg_dimension dim;
	double scale;
};

/* Case matters for the byte prefixes: "Mb" would be megabits elsewhere, so only these spellings. */
static const struct unit_def units[] = {
	{"ns", PG_DIM_TIME, 1e-9},     {"us", PG_DIM_TIME, 1e-6},
	{"\xc2\xb5s", PG_DIM_TIME, 1e-6}, {"ms", PG_DIM_TIME, 1e-3},
	{"s", PG_DIM_TIME, 1.0},       {"sec", PG_DIM_TIME, 1.0},
	{"min", PG_DIM_TIME, 60.0},    {"h", PG_DIM_TIME, 3600.0},
	{"B", PG_DIM_BYTES, 1.0},      {"bytes", PG_DIM_BYTES, 1.0},
	{"kB", PG_DIM_BYTES, 1e3},     {"KB", PG_DIM_BYTES, 1e3},
	{"MB", PG_DIM_BYTES, 1e6},     {"GB", PG_DIM_BYTES, 1e9},
	{"KiB", PG_DIM_BYTES, 1024.0}, {"MiB", PG_DIM_BYTES, 1048576.0},
	{"GiB", PG_DIM_BYTES, 1073741824.0},
	{"%", PG_DIM_RATIO, 0.01},     {"ratio", PG_DIM_RATIO, 1.0},
};

static const struct unit_def *find_unit(const char *name)
{
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (strcmp(units[i].name, name) == 0)
			return &units[i];
	return NULL;
}

int pg_quantity_parse(pg_quantity *out, const char *text)
{
	char *end;
	const struct unit_def *u;

	if (!text)
		return pg_error_set(PG_EINPUT, "expected a quantity, found nothing");
	errno = 0;
	double v = strtod(text, &end);
	if (end == text || errno == ERANGE || !isfinite(v))
		return pg_error_set(PG_EINPUT,
				    "'%s' is not a quantity (expected a number with an optional unit, e.g. 10ms, 15MB, 10%%)",
				    text);
	while (*end == ' ')
		end++;
	if (*end == '\0') {
		out->value = v;
		out->dim = PG_DIM_NUMBER;
		return 0;
	}
	u = find_unit(end);
	if (!u)
		return pg_error_set(PG_EINPUT,
				    "'%s': unknown unit '%s' (expected ns, us, ms, s, min, h, B, kB, MB, GB, KiB, MiB, GiB or %%)",
				    text, end);
	out->value = v * u->scale;
	out->dim = u->dim;
	return 0;
}

pg_dimension pg_unit_dimension(const char *unit, double *scale)
{
	const struct unit_def *u = unit ? find_unit(unit) : NULL;
	if (!u) {
		*scale = 1.0;
		return PG_DIM_NUMBER;
	}
	*scale = u->scale;
	return u->dim;
}

int pg_quantity_in_unit(double *out, const pg_quantity *q, const char *unit)
{
	double scale;
	pg_dimension dim = pg_unit_dimension(unit, &scale);

	if (q->dim == PG_DIM_NUMBER) {
		*out = q->value;
		return 0;
	}
	/* A percentage against a ratio metric ("hit_rate min 80%") is the same dimension. */
	if (q->dim != dim)
		return pg_error_set(PG_EINPUT, "a %s cannot bound a metric measured in '%s'",
				    q->dim == PG_DIM_TIME    ? "time"
				    : q->dim == PG_DIM_BYTES ? "size"
							     : "percentage",
				    unit ? unit : "(no unit)");
	*out = q->value / scale;
	return 0;
}

/* Three significant digits without an exponent, for 0 <= |v| < 10000. */
static void three_digits(char *buf, size_t size, double v, const char *suffix)
{
	double a = fabs(v);
	int decimals = a >= 100 ? 0 : a >= 10 ? 1 : 2;
	if (a == 0)
		decimals = 0;
	snprintf(buf, size, "%.*f%s%s", decimals, v, *suffix ? " " : "", suffix);
}

static char *format_time(char *buf, size_t size, double seconds)
{
	static const struct { double limit, scale; const char *name; } steps[] = {
		{1e-6, 1e9, "ns"}, {1e-3, 1e6, "us"}, {1.0, 1e3, "ms"}, {600.0, 1.0, "s"},
	};
	double a = fabs(seconds);
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
		if (a < steps[i].limit * 0.9995) {
			three_digits(buf, size, seconds * steps[i].scale, steps[i].name);
			return buf;
		}
	three_digits(buf, size, seconds / 60.0, "min");
	return buf;
}

static char *format_bytes(char *buf, size_t size, double bytes)
{
	static const char *names[] = {"B", "KiB", "MiB", "GiB", "TiB"};
	double v = bytes;
	size_t i = 0;
	while (fabs(v) >= 1023.5 && i + 1 < sizeof(names) / sizeof(names[0])) {
		v /= 1024.0;
		i++;
	}
	if (i == 0)
		snprintf(buf, size, "%.0f B", v);
	else
		three_digits(buf, size, v, names[i]);
	return buf;
}

char *pg_format_value(char *buf, size_t size, double value, const char *unit)
{
	double scale;
	pg_dimension dim = pg_unit_dimension(unit, &scale);

	if (!isfinite(value)) {
		snprintf(buf, size, "%s", isnan(value) ? "n/a" : value > 0 ? "inf" : "-inf");
		return buf;
	}
	switch (dim) {
	case PG_DIM_TIME:
		return format_time(buf, size, value * scale);
	case PG_DIM_BYTES:
		return format_bytes(buf, size, value * scale);
	case PG_DIM_RATIO:
		three_digits(buf, size, value * scale * 100.0, "%");
		return buf;
	case PG_DIM_NUMBER:
		break;
	}
	const char *suffix = !unit || strcmp(unit, "count") == 0 ? ""
			     : strcmp(unit, "1/s") == 0     ? "/s"
							    : unit;
	double a = fabs(value);
	if (a >= 1e9)
		snprintf(buf, size, "%.3g G%s", value / 1e9, suffix);
	else if (a >= 1e6)
		snprintf(buf, size, "%.3g M%s", value / 1e6, suffix);
	else if (a >= 1e4)
		snprintf(buf, size, "%.3g k%s", value / 1e3, suffix);
	else
		three_digits(buf, size, value, suffix);
	return buf;
}

char *pg_format_change(char *buf, size_t size, double change)
{
	if (!isfinite(change))
		snprintf(buf, size, "n/a");
	else /* a change that rounds to 0.0 % reads "+0.0 %", never "-0.0 %" */
		snprintf(buf, size, "%+.1f %%", fabs(change) < 0.0005 ? 0.0 : change * 100.0);
	return buf;
}
