/* import.c - the import flow: another harness's results read into a result set, written and saved */
#include "perfgate/gate.h"

#include "perfgate/bench.h"
#include "perfgate/error.h"
#include "perfgate/import.h"
#include "perfgate/log.h"

#include <stdio.h>
#include <stdlib.h>

int pg_gate_import(const pg_gate_import_options *o)
{
	pg_gate_context ctx = {0};
	pg_result_set *rs = NULL;
	pg_import_warnings warnings = {0};
	int rc;

	if ((rc = pg_gate_context_open(&ctx)))
		goto out;
	if ((rc = pg_gate_new_result_set(&rs, &ctx, o->env_key, o->commit, o->save, o->allow_dirty)))
		goto out;
	/* Everything is imported before anything is written: a bad file saves nothing. */
	for (char *const *f = o->files; *f && !rc; f++)
		rc = pg_import_file(rs, o->from, *f, &warnings);
	pg_log_warnings(warnings.items, warnings.n);
	if (rc)
		goto out;
	if ((rc = pg_gate_write_results(rs, o->output, o->formats, o->n_formats, o->quiet, "import")))
		goto out;
	if (o->save && (rc = pg_gate_save(rs, &ctx, o->store_dir, o->allow_dirty)))
		goto out;
	for (size_t i = 0; i < rs->n_benchmarks; i++) {
		const pg_benchmark *b = &rs->benchmarks[i];
		if (b->status == PG_STATUS_FAILED || b->status == PG_STATUS_TIMEOUT) {
			rc = pg_error_set(PG_EFAIL, "benchmark '%s' failed (as imported): %s", b->name,
					  b->reason ? b->reason : "no reason given");
			break;
		}
	}
out:
	pg_import_warnings_release(&warnings);
	pg_result_set_free(rs);
	pg_gate_context_close(&ctx);
	return rc;
}
