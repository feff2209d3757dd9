/* acceptance.c - intended changes as data: parsing "<glob> [<bound>]", releasing a list */
#include "perfgate/acceptance.h"

#include "perfgate/error.h"
#include "perfgate/quantity.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void pg_acceptances_release(pg_acceptances *a)
{
	for (size_t i = 0; i < a->n; i++) {
		free(a->items[i].glob);
		free(a->items[i].by);
	}
	free(a->items);
	for (size_t i = 0; i < a->n_warnings; i++)
		free(a->warnings[i]);
	free(a->warnings);
	memset(a, 0, sizeof(*a));
}

int pg_acceptance_parse(pg_acceptance *out, const char *text, const char *by)
{
	char glob[512], bound[64] = "", extra[8] = "";
	memset(out, 0, sizeof(*out));
	int n = sscanf(text, "%511s %63s %7s", glob, bound, extra);
	if (n < 1)
		return pg_error_set(PG_EINPUT, "expected '<metric glob> [<bound, e.g. +25%%>]', found nothing");
	if (n == 3)
		return pg_error_set(PG_EINPUT, "expected '<metric glob> [<bound>]', found more: \"%s\"", text);
	if (n == 2) {
		pg_quantity q;
		if (pg_quantity_parse(&q, bound) != 0 || q.dim != PG_DIM_RATIO || q.value <= 0)
			return pg_error_set(PG_EINPUT, "bound '%s' is not a positive percentage such as +25%%", bound);
		out->has_bound = 1;
		out->bound = q.value;
	}
	out->glob = strdup(glob);
	out->by = strdup(by);
	if (!out->glob || !out->by) {
		free(out->glob);
		free(out->by);
		return pg_error_set(PG_ENOMEM, "out of memory");
	}
	return 0;
}
