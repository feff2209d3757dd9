/* accept.c - acceptances matched to changes: a verdict's regressions accepted up to their bounds */
#include "perfgate/compare.h"

#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int pg_acceptances_apply(pg_verdict *v, pg_acceptances *a, const pg_compare_options *opts)
{
	for (size_t i = 0; i < v->n_metrics; i++) {
		pg_metric_change *c = &v->metrics[i];
		if (!c->gated || !c->has_base || !(c->change > 0) ||
		    (c->verdict != PG_CHANGE_REGRESSION && c->verdict != PG_CHANGE_INCONCLUSIVE))
			continue;
		char path[512], with_stat[600];
		snprintf(path, sizeof(path), "%s.%s", c->bench, c->metric);
		snprintf(with_stat, sizeof(with_stat), "%s%s%s", path, c->stat ? "." : "", c->stat ? c->stat : "");
		for (size_t k = 0; k < a->n; k++) {
			pg_acceptance *acc = &a->items[k];
			if (fnmatch(acc->glob, path, 0) != 0 && fnmatch(acc->glob, with_stat, 0) != 0)
				continue;
			acc->used = 1;
			char by[600];
			if (acc->has_bound)
				snprintf(by, sizeof(by), "%s (up to +%.0f %%)", acc->by, acc->bound * 100);
			else
				snprintf(by, sizeof(by), "%s", acc->by);
			if (acc->has_bound && c->change > acc->bound) {
				char note[800];
				snprintf(note, sizeof(note), "accepted up to +%.0f %% by %s, but changed %+.1f %%",
					 acc->bound * 100, acc->by, c->change * 100);
				free(c->note);
				c->note = strdup(note);
				continue;
			}
			free(c->accepted_by);
			c->accepted_by = strdup(by);
			c->verdict = PG_CHANGE_ACCEPTED;
			break;
		}
	}
	for (size_t k = 0; k < a->n; k++)
		if (!a->items[k].used && strcmp(a->items[k].glob, "*") != 0)
			pg_verdict_warn(v, "Perfgate-Accept '%s' (%s) matched no changed metric", a->items[k].glob,
					a->items[k].by);
	for (size_t k = 0; k < a->n_warnings; k++)
		pg_verdict_warn(v, "%s", a->warnings[k]);
	pg_verdict_decide(v, opts);
	return 0;
}

const pg_acceptance *pg_acceptances_covering(const pg_acceptances *a, const char *metric, double worse_change)
{
	for (size_t i = 0; i < a->n; i++) {
		const pg_acceptance *acc = &a->items[i];
		if (fnmatch(acc->glob, metric, 0) == 0 && !(acc->has_bound && worse_change > acc->bound))
			return acc;
	}
	return NULL;
}
