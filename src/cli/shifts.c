/* shifts.c - `check`: level shifts along recent history that no acceptance covers */
#include "drift.h"

#include "perfgate/changes.h"
#include "perfgate/error.h"
#include "perfgate/plot.h"

#include <stdlib.h>
#include <string.h>

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

int pg_cli_level_shifts(pg_verdict *v, const pg_cli_context *ctx, pg_store *store, const pg_result_set *head,
			int n)
{
	pg_history *h = NULL;
	pg_changes found;
	if (!ctx->repo || !head->commit || n <= 0)
		return 0;
	/* Summaries are enough: change points work on per-commit medians. */
	int rc = pg_history_load(&h, store, head->commit, n, head->env.key, 0);
	if (rc) {
		pg_verdict_warn(v, "level shifts not looked for: %s", pg_error_message());
		pg_error_clear();
		return 0;
	}
	if ((rc = pg_changes_find(&found, h, NULL, 0, ctx->repo, store, NULL)) == 0) {
		v->shifts_window = (int)h->n_commits;
		for (size_t i = 0; i < found.n && !rc; i++)
			if (found.items[i].worse && !found.items[i].accepted_by && !found.items[i].too_few)
				rc = add_shift(v, &found.items[i]);
		pg_changes_release(&found);
	}
	pg_history_free(h);
	return rc;
}
