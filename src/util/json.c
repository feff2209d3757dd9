/* json.c - cJSON plumbing: located parse errors, checked getters, exact numbers */
#include "perfgate/json.h"

#include "perfgate/error.h"
#include "perfgate/fileio.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int pg_json_parse(cJSON **out, const char *text, size_t len, const char *origin)
{
	const char *end = NULL;
	cJSON *json = cJSON_ParseWithLengthOpts(text, len, &end, 0);
	if (json) {
		*out = json;
		return 0;
	}
	/* cJSON reports where it stopped; turn that into a line and column a person can find. */
	const char *stop = end ? end : text;
	size_t line = 1, col = 1;
	for (const char *p = text; p < stop && p < text + len; p++) {
		if (*p == '\n') {
			line++;
			col = 1;
		} else {
			col++;
		}
	}
	/*
	 * cJSON clamps the error position to the last byte, so a document cut short
	 * and one broken at its last byte look alike. Parsing it again with a byte
	 * appended tells them apart: a truncated document fails at that byte.
	 */
	int at_end = 0;
	if (len > 0 && (size_t)(stop - text) + 1 >= len) {
		char *probe = malloc(len + 3);
		if (probe) {
			memcpy(probe, text, len);
			memcpy(probe + len, " @", 3);
			const char *probe_end = NULL;
			cJSON *again = cJSON_ParseWithLengthOpts(probe, len + 2, &probe_end, 0);
			at_end = !again && probe_end && (size_t)(probe_end - probe) >= len;
			cJSON_Delete(again);
			free(probe);
		}
	}
	if (len == 0)
		return pg_error_set(PG_EINPUT, "%s: empty, expected JSON", origin);
	if (at_end)
		return pg_error_set(PG_EINPUT, "%s: line %zu, column %zu: JSON ends early (truncated?)",
				    origin, line, col);
	return pg_error_set(PG_EINPUT, "%s: line %zu, column %zu: not valid JSON", origin, line,
			    col);
}

int pg_json_read_file(cJSON **out, const char *path)
{
	char *text;
	size_t len;
	int rc = pg_file_read(&text, &len, path);
	if (rc)
		return rc;
	rc = pg_json_parse(out, text, len, path);
	free(text);
	return rc;
}

char *pg_json_print(const cJSON *json, int pretty)
{
	return pretty ? cJSON_Print(json) : cJSON_PrintUnformatted(json);
}

char *pg_json_print_file(const cJSON *json)
{
	char *text = cJSON_Print(json);
	size_t len = text ? strlen(text) : 0;
	char *with_newline = text ? realloc(text, len + 2) : NULL;
	if (!with_newline) {
		free(text);
		return NULL;
	}
	with_newline[len] = '\n';
	with_newline[len + 1] = '\0';
	return with_newline;
}

/*
 * value in fixed notation with the fewest decimals (at most 9) whose text reads
 * back as value: r = value x 10^k rounded is exact below 2^53, and r / 10^k,
 * correctly rounded, is the double strtod gives for that text. Only where
 * %.15g prints fixed notation (1e-4 <= |value| < 1e6) and with at most 15
 * significant digits, so the text is the one %.15g prints, without
 * snprintf's cost: a merged result set holds a quarter of a million samples.
 * 0 when value is not such a number.
 */
static int format_fixed(char buf[40], double value)
{
	static const double scale[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9};
	double a = fabs(value);
	if (!(a >= 1e-4 && a < 1e6))
		return 0;
	for (int k = 1; k <= 9; k++) {
		double r = nearbyint(a * scale[k]);
		if (r / scale[k] != a)
			continue;
		unsigned long long n = (unsigned long long)r, unit = (unsigned long long)scale[k];
		unsigned long long whole = n / unit, frac = n % unit;
		char digits[24];
		int len = 0;
		do
			digits[len++] = (char)('0' + whole % 10);
		while ((whole /= 10) > 0);
		char *p = buf;
		if (value < 0)
			*p++ = '-';
		while (len > 0)
			*p++ = digits[--len];
		*p++ = '.';
		for (int i = k - 1; i >= 0; i--, frac /= 10)
			p[i] = (char)('0' + frac % 10);
		p[k] = '\0';
		return 1;
	}
	return 0;
}

/* A whole number below 2^53 in digits, as "%.0f" prints it ("-0" for negative zero). */
static void format_whole(char buf[40], double value)
{
	char digits[24];
	int len = 0;
	unsigned long long n = (unsigned long long)fabs(value);
	do
		digits[len++] = (char)('0' + n % 10);
	while ((n /= 10) > 0);
	char *p = buf;
	if (signbit(value))
		*p++ = '-';
	while (len > 0)
		*p++ = digits[--len];
	*p = '\0';
}

/*
 * The text "%.{prec}g" prints for the significant digits d (prec of them, the
 * first non-zero) times 10^exp10, with its sign: trailing zeros dropped,
 * fixed notation for -4 <= exp10 < prec, else d.ddde+XX.
 */
static void g_text(char buf[40], int negative, const char *d, int prec, int exp10)
{
	int n = prec;
	while (n > 1 && d[n - 1] == '0')
		n--;
	char *p = buf;
	if (negative)
		*p++ = '-';
	if (exp10 < -4 || exp10 >= prec) {
		*p++ = d[0];
		if (n > 1) {
			*p++ = '.';
			memcpy(p, d + 1, (size_t)(n - 1));
			p += n - 1;
		}
		p += sprintf(p, "e%c%02d", exp10 < 0 ? '-' : '+', exp10 < 0 ? -exp10 : exp10);
		return;
	}
	if (exp10 < 0) {
		memcpy(p, "0.", 2);
		p += 2;
		memset(p, '0', (size_t)(-exp10 - 1));
		p += -exp10 - 1;
		memcpy(p, d, (size_t)n);
		p += n;
	} else {
		for (int i = 0; i <= exp10; i++)
			*p++ = i < n ? d[i] : '0';
		if (n > exp10 + 1) {
			*p++ = '.';
			memcpy(p, d + exp10 + 1, (size_t)(n - exp10 - 1));
			p += n - exp10 - 1;
		}
	}
	*p = '\0';
}

/*
 * The first of %.15g, %.16g, %.17g whose text reads back as value, from one
 * printing of 17 digits: rounding those to 15 or 16 gives what printf would,
 * except where the digits dropped are exactly 5, 50, where the exact binary
 * value decides: printf is asked then.
 */
static void format_general(char buf[40], double value)
{
	char e17[40];
	snprintf(e17, sizeof(e17), "%.16e", value); /* [-]d.dddddddddddddddde[+-]XX */
	int negative = e17[0] == '-';
	const char *m = e17 + negative;
	char d17[17];
	d17[0] = m[0];
	memcpy(d17 + 1, m + 2, 16);
	int exp17 = atoi(m + 19);
	for (int prec = 15; prec <= 16; prec++) {
		const char *dropped = d17 + prec;
		int tie = dropped[0] == '5';
		for (int i = 1; tie && prec + i < 17; i++)
			tie = dropped[i] == '0';
		if (tie) {
			snprintf(buf, 40, "%.*g", prec, value);
		} else {
			char d[17];
			int exp10 = exp17;
			memcpy(d, d17, (size_t)prec);
			if (dropped[0] >= '5') {
				int i = prec - 1;
				while (i >= 0 && d[i] == '9')
					d[i--] = '0';
				if (i >= 0) {
					d[i]++;
				} else {
					d[0] = '1'; /* 9.99..9 rounded up: 10.0..0 */
					exp10++;
				}
			}
			g_text(buf, negative, d, prec, exp10);
		}
		if (strtod(buf, NULL) == value)
			return;
	}
	g_text(buf, negative, d17, 17, exp17);
}

/* The shortest text that reads back as exactly value (finite): %.0f for whole ones, else the first of %.15g..%.17g that does. */
static void format_number(char buf[40], double value)
{
	if (value == floor(value) && fabs(value) < 9007199254740992.0)
		format_whole(buf, value);
	else if (!format_fixed(buf, value))
		format_general(buf, value);
}

size_t pg_json_format_number(char buf[40], double value)
{
	if (!isfinite(value))
		strcpy(buf, "null");
	else
		format_number(buf, value);
	return strlen(buf);
}

cJSON *pg_json_number(double value)
{
	char buf[40];
	if (!isfinite(value))
		return cJSON_CreateNull();
	format_number(buf, value);
	return cJSON_CreateRaw(buf);
}

void pg_json_write_number(FILE *out, double value)
{
	char buf[40];
	if (!isfinite(value)) {
		fputs("null", out);
		return;
	}
	format_number(buf, value);
	fputs(buf, out);
}

void pg_json_write_string(FILE *out, const char *s)
{
	if (!s) {
		fputs("null", out);
		return;
	}
	putc('"', out);
	/* Runs of plain bytes in one write: a data file of 1,000 rows is mostly such runs. */
	for (const unsigned char *p = (const unsigned char *)s;;) {
		const unsigned char *run = p;
		while (*p && *p != '"' && *p != '\\' && *p >= 0x20 && *p != '<' && *p != '>' && *p != '&' &&
		       *p != 0x7f)
			p++;
		fwrite(run, 1, (size_t)(p - run), out);
		if (!*p)
			break;
		if (*p == '"' || *p == '\\')
			fprintf(out, "\\%c", *p);
		else
			fprintf(out, "\\u%04x", *p);
		p++;
	}
	putc('"', out);
}

int pg_json_add_number(cJSON *object, const char *key, double value)
{
	cJSON *n = pg_json_number(value);
	if (!n || !cJSON_AddItemToObject(object, key, n)) {
		cJSON_Delete(n);
		return pg_error_set(PG_ENOMEM, "out of memory building JSON");
	}
	return 0;
}

int pg_json_add_string(cJSON *object, const char *key, const char *value)
{
	cJSON *s = value ? cJSON_CreateString(value) : cJSON_CreateNull();
	if (!s || !cJSON_AddItemToObject(object, key, s)) {
		cJSON_Delete(s);
		return pg_error_set(PG_ENOMEM, "out of memory building JSON");
	}
	return 0;
}

const char *pg_json_type_name(const cJSON *item)
{
	if (!item)
		return "nothing";
	if (cJSON_IsString(item))
		return "a string";
	if (cJSON_IsNumber(item))
		return "a number";
	if (cJSON_IsBool(item))
		return "a boolean";
	if (cJSON_IsNull(item))
		return "null";
	if (cJSON_IsArray(item))
		return "an array";
	if (cJSON_IsObject(item))
		return "an object";
	return "something else";
}

int pg_json_object(const cJSON *item, const char *where)
{
	if (!cJSON_IsObject(item))
		return pg_error_set(PG_EINPUT, "%s: expected an object, found %s", where,
				    pg_json_type_name(item));
	return 0;
}

static const cJSON *lookup(const cJSON *obj, const char *key, int required, const char *where,
			   const char *expected, int *rc)
{
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);
	*rc = 0;
	if (!item && required)
		*rc = pg_error_set(PG_EINPUT, "%s: missing key '%s' (expected %s)", where, key,
				   expected);
	else if (!item)
		*rc = 1;
	return item;
}

#define TYPE_ERROR(where, key, expected, item)                                                 \
	pg_error_set(PG_EINPUT, "%s.%s: expected %s, found %s", where, key, expected,           \
		     pg_json_type_name(item))

int pg_json_get_string(const char **out, const cJSON *obj, const char *key, int required,
		       const char *where)
{
	int rc;
	const cJSON *item = lookup(obj, key, required, where, "a string", &rc);
	if (rc)
		return rc;
	if (!cJSON_IsString(item))
		return TYPE_ERROR(where, key, "a string", item);
	*out = item->valuestring;
	return 0;
}

int pg_json_get_number(double *out, const cJSON *obj, const char *key, int required,
		       const char *where)
{
	int rc;
	const cJSON *item = lookup(obj, key, required, where, "a number", &rc);
	if (rc)
		return rc;
	if (!cJSON_IsNumber(item) || !isfinite(item->valuedouble))
		return TYPE_ERROR(where, key, "a finite number", item);
	*out = item->valuedouble;
	return 0;
}

int pg_json_get_bool(int *out, const cJSON *obj, const char *key, int required,
		     const char *where)
{
	int rc;
	const cJSON *item = lookup(obj, key, required, where, "true or false", &rc);
	if (rc)
		return rc;
	if (!cJSON_IsBool(item))
		return TYPE_ERROR(where, key, "true or false", item);
	*out = cJSON_IsTrue(item);
	return 0;
}

int pg_json_get_array(const cJSON **out, const cJSON *obj, const char *key, int required,
		      const char *where)
{
	int rc;
	const cJSON *item = lookup(obj, key, required, where, "an array", &rc);
	if (rc)
		return rc;
	if (!cJSON_IsArray(item))
		return TYPE_ERROR(where, key, "an array", item);
	*out = item;
	return 0;
}

int pg_json_check_keys(const cJSON *obj, const char *const *allowed, const char *where)
{
	const cJSON *item;
	cJSON_ArrayForEach(item, obj)
	{
		int known = 0;
		for (const char *const *a = allowed; *a; a++)
			if (strcmp(*a, item->string) == 0) {
				known = 1;
				break;
			}
		if (!known) {
			char list[512] = "";
			size_t used = 0;
			for (const char *const *a = allowed; *a && used < sizeof(list) - 40; a++)
				used += (size_t)snprintf(list + used, sizeof(list) - used, "%s%s",
							 a == allowed ? "" : ", ", *a);
			return pg_error_set(PG_EINPUT, "%s: unknown key '%s' (expected one of: %s)",
					    where, item->string, list);
		}
	}
	return 0;
}
