/* releases.h - what site.c asks of releases.c: a release's sign-off rendered as HTML */
#ifndef PERFGATE_PUBLISH_RELEASES_H
#define PERFGATE_PUBLISH_RELEASES_H

#include "perfgate/publish.h"

/*
 * r->signoff: the sign-off document of r->verdict (pg_report_signoff, dated
 * r->date) as an HTML fragment. Returns 0 or PG_ENOMEM.
 */
int pg_publish_release_sign_off(pg_publish_release *r);

#endif
