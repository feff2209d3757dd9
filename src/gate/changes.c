/* changes.c - change points along stored history, with what the repository says of them: subjects, acceptances */
#include "perfgate/gate_history.h"

#include "perfgate/accept.h"
#include "perfgate/error.h"
#include "perfgate/repo.h"

#include <stdlib.h>
#include <string.h>

/* The acceptance in (prev, commit] that covers a change of metric by worse_change (> 0 worse). */
static int covered(char **by, git_repository *repo, pg_store *store, const char *prev, const char *commit,
		   const char *metric, double worse_change)
{
	pg_acceptances a;
	*by = NULL;
	int rc = pg_acceptances_collect(&a, repo, store, prev[0] ? prev : NULL, commit, NULL);
	if (rc)
		return rc;
	const pg_acceptance *acc = pg_acceptances_covering(&a, metric, worse_change);
	if (acc && !(*by = strdup(acc->by)))
		rc = pg_error_set(PG_ENOMEM, "out of memory");
	pg_acceptances_release(&a);
	return rc;
}

int pg_gate_changes_annotate(pg_changes *c, git_repository *repo, pg_store *store)
{
	for (size_t i = 0; i < c->n; i++) {
		pg_change_point *p = &c->items[i];
		if (!(p->subject = pg_repo_subject(repo, p->commit)))
			return pg_error_set(PG_ENOMEM, "out of memory");
		/* Acceptances in (previous commit with a value, change commit]: where the shift happened. */
		int rc = covered(&p->accepted_by, repo, store, p->prev, p->commit, p->metric,
				 p->better_higher ? -p->change : p->change);
		if (rc)
			return rc;
	}
	return 0;
}

int pg_gate_changes(pg_changes *out, pg_history **history, git_repository *repo, pg_store *store, int n,
		    const char *env_key, char *const *metrics, size_t n_metrics, const pg_changes_options *o)
{
	char *head = NULL;
	int dirty, rc;
	memset(out, 0, sizeof(*out));
	*history = NULL;
	if ((rc = pg_repo_head(&head, &dirty, repo)) || (rc = pg_history_load(history, store, head, n, env_key, 0)) ||
	    (rc = pg_changes_find(out, *history, metrics, n_metrics, o)))
		goto out;
	if ((rc = pg_gate_changes_annotate(out, repo, store)))
		pg_changes_release(out);
out:
	free(head);
	return rc;
}
