/* site.h - what the dashboard's reading (publish.c) and its decisions (publish_marks.c) share: the site being read */
#ifndef PERFGATE_GATE_SITE_H
#define PERFGATE_GATE_SITE_H

#include "perfgate/acceptance.h"
#include "perfgate/publish.h"
#include "perfgate/store.h"

#include <stddef.h>

typedef struct pg_site {
	pg_publish_model model;
	pg_history **histories; /* one per env key, same commits in the same order */
	char **subjects;        /* per commit of the walk */
	pg_acceptances accepts; /* what accepts changes along the walk */
	size_t *accept_at;      /* per acceptance: the first commit of the walk that has it */
	pg_mark **marks;        /* per env key: the model's marks, [commit * model.n_metrics + metric] */
	pg_metric_ref *refs;    /* the model's metrics by name, for pg_marks_unmoved */
	pg_commit_records **full; /* per env key and commit: the records read with samples for the marks */
	int **full_read;
	pg_store *store;
	const pg_publish_options *o;
	pg_publish_counts *counts;
} pg_site;

/* PG_ENOMEM, with its message. */
int pg_site_oom(void);

/* The acceptance of bench.metric placed in (after, upto] of the walk, or NULL. */
const pg_acceptance *pg_site_acceptance_in(const pg_site *s, const pg_publish_metric *pm, size_t after, size_t upto);


/*
 * s->marks: each commit of each key against, per benchmark, the newest
 * earlier commit of the walk with it, reduced to each metric's mark (the
 * verdicts are not kept: 1,000 commits of 50 metrics would hold 11 MB of
 * rows). model.metrics must be complete. Free with pg_site_marks_free.
 */
int pg_site_decide_marks(pg_site *s);
void pg_site_marks_free(pg_site *s);

/*
 * Each card's status in each env key: the newest result of each benchmark
 * in that key against its previous one, and the gates; then each key's
 * platform (pg_site_decide_platform). model.platforms must be allocated.
 */
int pg_site_decide_status(pg_site *s);

/*
 * Platform p of env key k from its cards, as check decides a run: fail when
 * a card fails (a gated regression nothing accepts, a failed gate) or a
 * benchmark broke on its newest commit (p->n_broken), inconclusive when a
 * gated card is, pass when any card was compared, else none. Sets p's
 * status and card counts.
 */
void pg_site_decide_platform(pg_publish_platform *p, const pg_publish_model *m, size_t k);

#endif
