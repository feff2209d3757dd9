/* drift.c - what `check` decides from history read back: drift over N commits, unaccepted level shifts */
#include "perfgate/compare.h"

#include "perfgate/error.h"
#include "perfgate/quantity.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int is_primary(const pg_result_set *head, const pg_metric_change *c)
{
	const pg_benchmark *b = pg_result_set_find(head, c->bench);
	return b && b->n_metrics > 0 && !c->stat && strcmp(b->metrics[0].name, c->metric) == 0;
}

/* A regression row of v copied from the drift comparison's row d. */
static int add_row(pg_verdict *v, const pg_metric_change *d, int n)
{
	char note[128], change[32];
	pg_metric_change *c = pg_verdict_add_metric(v);
	if (!c)
		return pg_error_set(PG_ENOMEM, "out of memory");
	pg_format_change(change, sizeof(change), d->change);
	snprintf(note, sizeof(note), "drift over %d commits: %s", n, change);
	c->bench = strdup(d->bench);
	c->metric = strdup(d->metric);
	c->unit = d->unit ? strdup(d->unit) : NULL;
	c->base_commit = d->base_commit ? strdup(d->base_commit) : NULL;
	c->note = strdup(note);
	if (!c->bench || !c->metric || (d->unit && !c->unit) || (d->base_commit && !c->base_commit) || !c->note)
		return pg_error_set(PG_ENOMEM, "out of memory");
	c->better_higher = d->better_higher;
	c->gated = 1;
	c->has_base = 1;
	c->base = d->base;
	c->head = d->head;
	c->change = d->change;
	c->ci_lo = d->ci_lo;
	c->ci_hi = d->ci_hi;
	c->p = d->p;
	c->threshold = d->threshold;
	c->min_change = d->min_change;
	c->n_base = d->n_base;
	c->n_head = d->n_head;
	c->base_depth = d->base_depth;
	c->verdict = PG_CHANGE_REGRESSION;
	return 0;
}

int pg_verdict_apply_drift(pg_verdict *v, const pg_drift *d, const pg_gates *gates, pg_acceptances *accepts,
			   const pg_compare_options *co)
{
	pg_verdict *dv = NULL;
	int rc = pg_compare(&dv, d->head, d->base, d->origins, gates, co);
	if (!rc)
		rc = pg_acceptances_apply(dv, accepts, co);
	for (size_t i = 0; !rc && i < dv->n_metrics; i++) {
		const pg_metric_change *c = &dv->metrics[i];
		char change[32];
		if (!c->gated || !c->has_base || c->verdict != PG_CHANGE_REGRESSION || !is_primary(d->head, c))
			continue;
		pg_format_change(change, sizeof(change), c->change);
		if (d->on_target)
			rc = add_row(v, c, d->n);
		else
			rc = pg_verdict_warn(v, "drift over %d commits: %s.%s %s since %.7s (would fail on %s)", d->n,
					     c->bench, c->metric, change, c->base_commit ? c->base_commit : d->at,
					     d->target ? d->target : "the target branch");
	}
	if (!rc)
		pg_verdict_decide(v, co);
	pg_verdict_free(dv);
	return rc;
}

static int add_shift(pg_verdict *v, const pg_change_point *c)
{
	pg_level_shift *grown = realloc(v->shifts, (v->n_shifts + 1) * sizeof(*grown));
	if (!grown)
		return pg_error_set(PG_ENOMEM, "out of memory");
	v->shifts = grown;
	pg_level_shift *s = &grown[v->n_shifts];
	memset(s, 0, sizeof(*s));
	snprintf(s->commit, sizeof(s->commit), "%s", c->commit);
	s->better_higher = c->better_higher;
	s->before = c->before;
	s->after = c->after;
	s->change = c->change;
	s->p = c->p;
	s->metric = strdup(c->metric);
	s->unit = strdup(c->unit ? c->unit : "");
	s->subject = strdup(c->subject ? c->subject : "");
	v->n_shifts++;
	return s->metric && s->unit && s->subject ? 0 : pg_error_set(PG_ENOMEM, "out of memory");
}

int pg_verdict_set_shifts(pg_verdict *v, const pg_changes *found, size_t window)
{
	int rc = 0;
	v->shifts_window = (int)window;
	for (size_t i = 0; i < found->n && !rc; i++)
		if (found->items[i].worse && !found->items[i].accepted_by && !found->items[i].too_few)
			rc = add_shift(v, &found->items[i]);
	return rc;
}
