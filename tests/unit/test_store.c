/* test_store.c - the notes and file stores: layouts git writes, merging, concurrent writers */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "perfgate/error.h"
#include "perfgate/fileio.h"
#include "perfgate/json.h"
#include "perfgate/module.h"
#include "perfgate/repo.h"
#include "perfgate/result.h"
#include "perfgate/store.h"
#include "store/store_private.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define WRITERS 20

static char dir[64];
static git_repository *repo;
static char commits[WRITERS][41]; /* a chain of commits, commits[0] the root */

/* ---- fixtures ---- */

static char *in_dir(const char *name)
{
	static char path[256];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return path;
}

static void sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void sh(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	assert_int_equal(system(cmd), 0);
}

/* Output of a shell command, trimmed of its last newline; caller frees. */
static char *sh_out(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *sh_out(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	size_t cap = 1 << 16, n = 0;
	char *buf = malloc(cap);
	size_t got;
	while ((got = fread(buf + n, 1, cap - n - 1, p)) > 0) {
		n += got;
		if (n + 1 >= cap)
			buf = realloc(buf, cap *= 2);
	}
	buf[n] = '\0';
	pclose(p);
	if (n && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	return buf;
}

/* A fresh repository with WRITERS commits on main; each test gets its own. */
static int make_repo(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/pg-store-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	char cmd[1024];
	snprintf(cmd, sizeof(cmd),
		 "cd %s && git init -q -b main repo && cd repo && "
		 "for i in $(seq %d); do printf 'commit refs/heads/main\\ncommitter t <t@t.invalid> %%d +0000\\n"
		 "data <<EOF\\ncommit %%d\\nEOF\\n\\n' $((1700000000 + i)) $i; done | git fast-import --quiet",
		 dir, WRITERS);
	if (system(cmd) != 0)
		return -1;
	if (git_repository_open(&repo, in_dir("repo")) < 0)
		return -1;
	snprintf(cmd, sizeof(cmd), "git -C %s/repo rev-list --reverse HEAD", dir);
	FILE *p = popen(cmd, "r");
	for (int i = 0; i < WRITERS; i++)
		if (!p || fscanf(p, "%40s", commits[i]) != 1)
			return -1;
	pclose(p);
	return 0;
}

static int remove_repo(void **state)
{
	(void)state;
	char cmd[128];
	git_repository_free(repo);
	repo = NULL;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

/* A compact perfgate/1 line of env key, time and a latency metric with or without samples. */
static char *record(const char *key, const char *created, int samples, char **run_id)
{
	pg_result_set *rs = pg_result_set_new();
	assert_non_null(rs);
	rs->env.key = strdup(key);
	if (created) {
		free(rs->created);
		rs->created = strdup(created);
	}
	pg_benchmark *b = pg_result_set_add_benchmark(rs, "matcher", "matcher");
	pg_metric *m = pg_benchmark_add_metric(b, "latency", "ms", PG_BETTER_LOWER);
	for (int i = 0; i < 5; i++)
		pg_metric_add_sample(m, 4.0 + i * 0.25);
	assert_int_equal(pg_result_set_summarize(rs), 0);
	if (!samples) {
		free(m->samples);
		m->samples = NULL;
		m->n_samples = m->cap_samples = 0;
	}
	char *line;
	assert_int_equal(pg_result_set_to_string(&line, rs, 0), 0);
	if (run_id)
		*run_id = strdup(rs->run_id);
	pg_result_set_free(rs);
	return line;
}

static pg_store *notes_store(void)
{
	pg_store *s;
	assert_int_equal(pg_store_open_notes(&s, repo, NULL), 0);
	return s;
}

static void append(pg_store *s, const char *commit, const char *line)
{
	int rc = pg_store_append(s, commit, line, NULL);
	if (rc)
		fail_msg("append: %s", pg_error_message());
}

/* ---- merging note texts ---- */

static void test_merge_is_the_union_deduplicated_by_run_id(void **state)
{
	(void)state;
	char *a = record("k", NULL, 1, NULL), *b = record("k", NULL, 1, NULL), *c = record("k", NULL, 1, NULL);
	char ours[8192], theirs[8192], *out;
	snprintf(ours, sizeof(ours), "%s\n%s\n", a, b);
	snprintf(theirs, sizeof(theirs), "%s\n%s\n", c, a);
	assert_int_equal(pg_store_merge_text(&out, ours, theirs), 0);
	char want[8192];
	snprintf(want, sizeof(want), "%s\n%s\n%s\n", a, b, c);
	assert_string_equal(out, want);
	free(out);
	free(a);
	free(b);
	free(c);
}

static void test_merge_summary_only_copy_of_a_run_wins(void **state)
{
	(void)state;
	char *id;
	char *full = record("k", "2026-01-01T00:00:00.000Z", 1, &id);
	/* The pruned copy: same run, summaries only. */
	char *pruned = strdup(full);
	char *s = strstr(pruned, "\"samples\":[");
	char *e = strchr(s, ']');
	memmove(s, e + 2, strlen(e + 2) + 1);
	assert_null(strstr(pruned, "samples"));
	char *out;
	assert_int_equal(pg_store_merge_text(&out, full, pruned), 0);
	char want[8192];
	snprintf(want, sizeof(want), "%s\n", pruned);
	assert_string_equal(out, want);
	free(out);
	assert_int_equal(pg_store_merge_text(&out, pruned, full), 0);
	assert_string_equal(out, want);
	free(out);
	free(full);
	free(pruned);
	free(id);
}

static void test_merge_keeps_lines_without_run_id_once(void **state)
{
	(void)state;
	char *out;
	assert_int_equal(pg_store_merge_text(&out, "not json\n\n{\"x\":1}\n", "{\"x\":1}\r\nnot json\nother\n"), 0);
	assert_string_equal(out, "not json\n{\"x\":1}\nother\n");
	free(out);
	assert_int_equal(pg_store_merge_text(&out, "", ""), 0);
	assert_string_equal(out, "");
	free(out);
}

static void test_merge_of_cat_sort_uniq_output_settles(void **state)
{
	(void)state;
	/* cat_sort_uniq keeps both differing copies of one run; the merge keeps one. */
	char both[512] = "{\"run_id\":\"r1\",\"v\":2}\n{\"run_id\":\"r1\",\"v\":1}\n", *out;
	assert_int_equal(pg_store_merge_text(&out, both, ""), 0);
	assert_string_equal(out, "{\"run_id\":\"r1\",\"v\":1}\n");
	free(out);
}

/* ---- reading ---- */

static void write_note_with_git(const char *commit, const char *text)
{
	assert_int_equal(pg_file_write_atomic(in_dir("note.txt"), text, strlen(text)), 0);
	sh("git -C %s/repo -c user.name=t -c user.email=t@t.invalid notes --ref=perfgate add -f -F %s/note.txt %s",
	   dir, dir, commit);
}

static void test_read_commit_without_note_is_empty(void **state)
{
	(void)state;
	pg_store *s = notes_store();
	pg_commit_records r;
	assert_int_equal(pg_store_read(&r, s, commits[3]), 0);
	assert_int_equal(r.n_sets, 0);
	assert_int_equal(r.n_warnings, 0);
	assert_string_equal(r.commit, commits[3]);
	pg_commit_records_release(&r);
	pg_store_free(s);
}

static void test_read_skips_a_bad_line_with_a_warning_naming_the_commit(void **state)
{
	(void)state;
	char *a = record("k", NULL, 1, NULL), *b = record("k", NULL, 1, NULL), text[8192];
	snprintf(text, sizeof(text), "%s\nthis is not json\n\n%s\n", a, b);
	write_note_with_git(commits[1], text);
	pg_store *s = notes_store();
	pg_commit_records r;
	assert_int_equal(pg_store_read(&r, s, commits[1]), 0);
	assert_int_equal(r.n_sets, 2);
	assert_int_equal(r.n_warnings, 1);
	char want[128];
	snprintf(want, sizeof(want), "note on %.7s: line 2 is not a perfgate record: not valid JSON",
		 commits[1]);
	assert_string_equal(r.warnings[0], want);
	assert_int_equal(r.note_bytes, strlen(text));
	pg_commit_records_release(&r);
	pg_store_free(s);
	free(a);
	free(b);
}

static void test_read_skips_an_unknown_perfgate_schema_silently(void **state)
{
	(void)state;
	char *a = record("k", NULL, 1, NULL), text[8192];
	snprintf(text, sizeof(text),
		 "{\"schema\":\"perfgate-future/9\",\"run_id\":\"f\",\"anything\":[1,2]}\n%s\n"
		 "{\"schema\":\"perfgate-accept/1\",\"metrics\":[\"matcher.*\"],\"max\":\"+25%%\",\"run_id\":\"acc\"}\n",
		 a);
	write_note_with_git(commits[2], text);
	pg_store *s = notes_store();
	pg_commit_records r;
	assert_int_equal(pg_store_read(&r, s, commits[2]), 0);
	assert_int_equal(r.n_sets, 1);
	assert_int_equal(r.n_unknown, 1);
	assert_int_equal(r.n_warnings, 0);
	assert_int_equal(r.n_acceptances, 1);
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(r.acceptances[0], "max")), "+25%");
	pg_commit_records_release(&r);
	pg_store_free(s);
	free(a);
}

static void test_read_warns_about_foreign_and_invalid_records(void **state)
{
	(void)state;
	write_note_with_git(commits[2], "{\"schema\":\"other/1\"}\n{\"no\":\"schema\"}\n[1]\n"
					"{\"schema\":\"perfgate/1\",\"benchmarks\":[{\"name\":\"a\",\"status\":\"weird\",\"metrics\":[]}]}\n");
	pg_store *s = notes_store();
	pg_commit_records r;
	assert_int_equal(pg_store_read(&r, s, commits[2]), 0);
	assert_int_equal(r.n_sets, 0);
	assert_int_equal(r.n_warnings, 4);
	assert_non_null(strstr(r.warnings[0], "line 1 is not a perfgate record: schema \"other/1\""));
	assert_non_null(strstr(r.warnings[1], "line 2 is not a perfgate record: it has no \"schema\""));
	assert_non_null(strstr(r.warnings[2], "line 3 is not a perfgate record: expected an object"));
	assert_non_null(strstr(r.warnings[3], "line 4 is not a perfgate record: $.benchmarks[0].status"));
	pg_commit_records_release(&r);
	pg_store_free(s);
}

static void test_latest_is_the_newest_created_of_the_key(void **state)
{
	(void)state;
	char *a = record("linux", "2026-01-02T00:00:00.000Z", 1, NULL);
	char *b = record("linux", "2026-01-03T00:00:00.000Z", 1, NULL);
	char *c = record("mac", "2026-01-04T00:00:00.000Z", 1, NULL);
	char *d = record("linux", "2026-01-01T00:00:00.000Z", 1, NULL);
	pg_store *s = notes_store();
	append(s, commits[0], a);
	append(s, commits[0], b);
	append(s, commits[0], c);
	append(s, commits[0], d);
	pg_commit_records r;
	assert_int_equal(pg_store_read(&r, s, commits[0]), 0);
	assert_int_equal(r.n_sets, 4);
	assert_string_equal(pg_records_latest(&r, "linux")->created, "2026-01-03T00:00:00.000Z");
	assert_string_equal(pg_records_latest(&r, "mac")->created, "2026-01-04T00:00:00.000Z");
	assert_string_equal(pg_records_latest(&r, NULL)->env.key, "mac");
	assert_null(pg_records_latest(&r, "windows"));
	pg_commit_records_release(&r);
	pg_store_free(s);
	free(a);
	free(b);
	free(c);
	free(d);
}

static void test_summaries_read_leaves_samples_out_and_nothing_else(void **state)
{
	(void)state;
	pg_result_set *rs = pg_result_set_new();
	rs->env.key = strdup("k");
	pg_benchmark *b = pg_result_set_add_benchmark(rs, "odd \"samples\":[1] name", "command");
	pg_benchmark_set_status(b, PG_STATUS_FAILED, "said \"samples\":[2,3], then \\\"samples\\\":[");
	pg_metric *m = pg_benchmark_add_metric(b, "wall", "ms", PG_BETTER_LOWER);
	for (int i = 0; i < 9; i++)
		pg_metric_add_sample(m, 1.0 + i);
	m = pg_benchmark_add_metric(b, "size", "bytes", PG_BETTER_LOWER);
	pg_metric_set_value(m, 42);
	pg_result_set_summarize(rs);
	char *full, text[8192];
	assert_int_equal(pg_result_set_to_string(&full, rs, 0), 0);
	snprintf(text, sizeof(text),
		 "%s\n{\"schema\":\"perfgate/1\",\"run_id\":\"bare\",\"benchmarks\":[{\"name\":\"x\",\"metrics\":"
		 "[{\"name\":\"t\",\"samples\":[3,1,2]}]}]}\n",
		 full);
	write_note_with_git(commits[9], text);
	pg_store *s = notes_store();
	pg_commit_records all, lean;
	assert_int_equal(pg_store_read(&all, s, commits[9]), 0);
	assert_int_equal(pg_store_read_summaries(&lean, s, commits[9]), 0);
	assert_int_equal(lean.n_sets, 2);
	assert_int_equal(lean.n_warnings, 0);
	const pg_benchmark *lb = &lean.sets[0]->benchmarks[0], *ab = &all.sets[0]->benchmarks[0];
	assert_string_equal(lb->name, ab->name);
	assert_string_equal(lb->reason, ab->reason);
	assert_int_equal(lb->metrics[0].n_samples, 0);
	assert_int_equal(ab->metrics[0].n_samples, 9);
	assert_true(lb->metrics[0].has_summary);
	assert_memory_equal(&lb->metrics[0].summary, &ab->metrics[0].summary, sizeof(pg_summary));
	assert_true(lb->metrics[1].has_value && lb->metrics[1].value == 42);
	/* A foreign writer's metric with samples and no summary: summarised as it is read. */
	assert_int_equal(lean.sets[1]->benchmarks[0].metrics[0].n_samples, 0);
	assert_true(lean.sets[1]->benchmarks[0].metrics[0].has_summary);
	assert_true(lean.sets[1]->benchmarks[0].metrics[0].summary.n == 3);
	double center;
	assert_int_equal(pg_metric_center(&lean.sets[1]->benchmarks[0].metrics[0], &center), 0);
	assert_true(center == 2);
	pg_commit_records_release(&all);
	pg_commit_records_release(&lean);
	pg_store_free(s);
	free(full);
	pg_result_set_free(rs);
}

/* ---- writing notes ---- */

static void test_saved_note_is_what_git_notes_show_prints(void **state)
{
	(void)state;
	char *a = record("k", NULL, 1, NULL), *b = record("k", NULL, 1, NULL);
	pg_store *s = notes_store();
	append(s, commits[5], a);
	append(s, commits[5], b);
	char *shown = sh_out("git -C %s/repo notes --ref=perfgate show %s", dir, commits[5]);
	char want[8192];
	snprintf(want, sizeof(want), "%s\n%s", a, b);
	assert_string_equal(shown, want);
	free(shown);
	/* Fan-out as git writes it: ab/cdef... */
	char *ls = sh_out("git -C %s/repo ls-tree -r --name-only refs/notes/perfgate", dir);
	char path[64];
	snprintf(path, sizeof(path), "%.2s/%s", commits[5], commits[5] + 2);
	assert_string_equal(ls, path);
	free(ls);
	/* Each save is a notes commit on top of the last one. */
	char *count = sh_out("git -C %s/repo rev-list --count refs/notes/perfgate", dir);
	assert_string_equal(count, "2");
	free(count);
	char *fsck = sh_out("git -C %s/repo fsck --no-dangling 2>&1", dir);
	assert_string_equal(fsck, "");
	free(fsck);
	pg_store_free(s);
	free(a);
	free(b);
}

static void test_notes_commits_are_signed_by_the_user_or_by_perfgate(void **state)
{
	(void)state;
	char *a = record("k", NULL, 1, NULL), *b = record("k", NULL, 1, NULL), *who;
	git_repository *bare_config;
	pg_store *s;
	/* No user anywhere: global and XDG configuration point at an empty directory. */
	assert_int_equal(git_libgit2_opts(GIT_OPT_SET_SEARCH_PATH, GIT_CONFIG_LEVEL_GLOBAL, dir), 0);
	assert_int_equal(git_libgit2_opts(GIT_OPT_SET_SEARCH_PATH, GIT_CONFIG_LEVEL_XDG, dir), 0);
	assert_int_equal(git_libgit2_opts(GIT_OPT_SET_SEARCH_PATH, GIT_CONFIG_LEVEL_SYSTEM, dir), 0);
	assert_int_equal(git_repository_open(&bare_config, in_dir("repo")), 0);
	assert_int_equal(pg_store_open_notes(&s, bare_config, NULL), 0);
	append(s, commits[2], a);
	pg_store_free(s);
	git_repository_free(bare_config);
	git_libgit2_opts(GIT_OPT_SET_SEARCH_PATH, GIT_CONFIG_LEVEL_GLOBAL, NULL);
	git_libgit2_opts(GIT_OPT_SET_SEARCH_PATH, GIT_CONFIG_LEVEL_XDG, NULL);
	git_libgit2_opts(GIT_OPT_SET_SEARCH_PATH, GIT_CONFIG_LEVEL_SYSTEM, NULL);
	who = sh_out("git -C %s/repo log -1 --format='%%an <%%ae>|%%s' refs/notes/perfgate", dir);
	char want[128];
	snprintf(want, sizeof(want), "perfgate <perfgate@localhost>|perfgate: save %.7s", commits[2]);
	assert_string_equal(who, want);
	free(who);
	sh("git -C %s/repo config user.name 'Ada Lovelace' && git -C %s/repo config user.email ada@example.invalid",
	   dir, dir);
	assert_int_equal(git_repository_open(&bare_config, in_dir("repo")), 0);
	assert_int_equal(pg_store_open_notes(&s, bare_config, NULL), 0);
	append(s, commits[2], b);
	pg_store_free(s);
	git_repository_free(bare_config);
	who = sh_out("git -C %s/repo log -1 --format='%%an <%%ae>' refs/notes/perfgate", dir);
	assert_string_equal(who, "Ada Lovelace <ada@example.invalid>");
	free(who);
	free(a);
	free(b);
}

static void test_saving_the_same_record_twice_writes_once(void **state)
{
	(void)state;
	char *a = record("k", NULL, 1, NULL);
	pg_store *s = notes_store();
	append(s, commits[5], a);
	append(s, commits[5], a);
	char *count = sh_out("git -C %s/repo rev-list --count refs/notes/perfgate", dir);
	assert_string_equal(count, "1");
	free(count);
	pg_store_free(s);
	free(a);
}

static void test_save_merges_and_replaces_a_flat_note_written_by_git(void **state)
{
	(void)state;
	char *a = record("k", NULL, 1, NULL), *b = record("k", NULL, 1, NULL);
	write_note_with_git(commits[4], a);
	write_note_with_git(commits[6], a);
	char *ls = sh_out("git -C %s/repo ls-tree --name-only refs/notes/perfgate | head -1", dir);
	assert_int_equal(strlen(ls), 40); /* git wrote it flat */
	free(ls);
	pg_store *s = notes_store();
	append(s, commits[4], b);
	ls = sh_out("git -C %s/repo ls-tree -r --name-only refs/notes/perfgate | grep -c %s", dir, commits[4] + 2);
	assert_string_equal(ls, "1"); /* one note for the commit, no flat copy left */
	free(ls);
	char *shown = sh_out("git -C %s/repo notes --ref=perfgate show %s", dir, commits[4]);
	char want[8192];
	snprintf(want, sizeof(want), "%s\n%s", a, b);
	assert_string_equal(shown, want);
	free(shown);
	shown = sh_out("git -C %s/repo notes --ref=perfgate show %s", dir, commits[6]);
	assert_string_equal(shown, a);
	free(shown);
	pg_store_free(s);
	free(a);
	free(b);
}

/*
 * A notes commit in git's deeper fan-out (ab/cd/ef..., as fast-import and
 * git write for many notes) holding commit's note and a sibling's note
 * under the same ab/ but another cd/ (the sibling id is made up: a note may
 * annotate any object). The sibling's full id goes to sibling.
 */
static void write_deep_note(const char *commit, const char *text, char sibling[41])
{
	git_oid blob, own, other, ab, root, notes;
	git_treebuilder *b;
	char two[3] = {commit[0], commit[1], 0}, four[3] = {commit[2], commit[3], 0};
	snprintf(sibling, 41, "%.2s%s%s", commit, strcmp(four, "00") ? "00" : "11",
		 "111111111111111111111111111111111111");
	assert_int_equal(git_blob_create_from_buffer(&blob, repo, text, strlen(text)), 0);
	assert_int_equal(git_treebuilder_new(&b, repo, NULL), 0);
	assert_int_equal(git_treebuilder_insert(NULL, b, commit + 4, &blob, GIT_FILEMODE_BLOB), 0);
	assert_int_equal(git_treebuilder_write(&own, b), 0);
	git_treebuilder_free(b);
	assert_int_equal(git_treebuilder_new(&b, repo, NULL), 0);
	assert_int_equal(git_treebuilder_insert(NULL, b, sibling + 4, &blob, GIT_FILEMODE_BLOB), 0);
	assert_int_equal(git_treebuilder_write(&other, b), 0);
	git_treebuilder_free(b);
	char sibling_four[3] = {sibling[2], sibling[3], 0};
	assert_int_equal(git_treebuilder_new(&b, repo, NULL), 0);
	assert_int_equal(git_treebuilder_insert(NULL, b, four, &own, GIT_FILEMODE_TREE), 0);
	assert_int_equal(git_treebuilder_insert(NULL, b, sibling_four, &other, GIT_FILEMODE_TREE), 0);
	assert_int_equal(git_treebuilder_write(&ab, b), 0);
	git_treebuilder_free(b);
	assert_int_equal(git_treebuilder_new(&b, repo, NULL), 0);
	assert_int_equal(git_treebuilder_insert(NULL, b, two, &ab, GIT_FILEMODE_TREE), 0);
	assert_int_equal(git_treebuilder_write(&root, b), 0);
	git_treebuilder_free(b);
	assert_int_equal(pg_notes_commit(&notes, repo, &root, NULL, 0, "deep"), 0);
	assert_int_equal(pg_notes_move_ref(repo, PG_NOTES_REF, &notes, NULL, "deep"), 0);
}

static void test_deeper_fan_out_is_read_and_rewritten(void **state)
{
	(void)state;
	char *a = record("k", NULL, 1, NULL), *b = record("k", NULL, 1, NULL), sibling[41];
	write_deep_note(commits[7], a, sibling);
	pg_store *s = notes_store();
	pg_commit_records r;
	assert_int_equal(pg_store_read(&r, s, commits[7]), 0);
	assert_int_equal(r.n_sets, 1);
	pg_commit_records_release(&r);
	append(s, commits[7], b);
	assert_int_equal(pg_store_read(&r, s, commits[7]), 0);
	assert_int_equal(r.n_sets, 2);
	pg_commit_records_release(&r);
	/* Ours moves to ab/cdef... beside the sibling, which stays at ab/cd/ef... */
	char *ls = sh_out("git -C %s/repo ls-tree -r --name-only refs/notes/perfgate", dir);
	char want[8192];
	snprintf(want, sizeof(want), "%.2s/%.2s/%s\n%.2s/%s", sibling, sibling + 2, sibling + 4, commits[7],
		 commits[7] + 2);
	if (strcmp(commits[7] + 2, sibling + 2) < 0) /* ls-tree sorts by name */
		snprintf(want, sizeof(want), "%.2s/%s\n%.2s/%.2s/%s", commits[7], commits[7] + 2, sibling,
			 sibling + 2, sibling + 4);
	assert_string_equal(ls, want);
	free(ls);
	/* git reads the mixed layout: both notes listed, ours shown whole. */
	char *listed = sh_out("git -C %s/repo notes --ref=perfgate list | cut -d' ' -f2 | sort | tr '\\n' ' '", dir);
	snprintf(want, sizeof(want), "%s %s ", strcmp(commits[7], sibling) < 0 ? commits[7] : sibling,
		 strcmp(commits[7], sibling) < 0 ? sibling : commits[7]);
	assert_string_equal(listed, want);
	free(listed);
	char *shown = sh_out("git -C %s/repo notes --ref=perfgate show %s", dir, commits[7]);
	snprintf(want, sizeof(want), "%s\n%s", a, b);
	assert_string_equal(shown, want);
	free(shown);
	pg_store_free(s);
	free(a);
	free(b);
}

static void test_reads_keep_a_snapshot_until_the_store_writes(void **state)
{
	(void)state;
	char *a = record("k", NULL, 1, NULL), *b = record("k", NULL, 1, NULL);
	pg_store *reader = notes_store(), *writer = notes_store();
	pg_commit_records r;
	append(writer, commits[8], a);
	assert_int_equal(pg_store_read(&r, reader, commits[8]), 0);
	assert_int_equal(r.n_sets, 1);
	pg_commit_records_release(&r);
	append(writer, commits[8], b);
	assert_int_equal(pg_store_read(&r, reader, commits[8]), 0);
	assert_int_equal(r.n_sets, 1); /* one consistent view */
	pg_commit_records_release(&r);
	assert_int_equal(pg_store_read(&r, writer, commits[8]), 0);
	assert_int_equal(r.n_sets, 2); /* a writer sees its own write */
	pg_commit_records_release(&r);
	pg_store_refresh(reader);
	assert_int_equal(pg_store_read(&r, reader, commits[8]), 0);
	assert_int_equal(r.n_sets, 2);
	pg_commit_records_release(&r);
	pg_store_free(reader);
	pg_store_free(writer);
	free(a);
	free(b);
}

static void test_append_to_a_missing_commit_is_an_input_error(void **state)
{
	(void)state;
	pg_store *s = notes_store();
	assert_int_equal(pg_store_append(s, "0123456789012345678901234567890123456789", "{}", NULL), PG_EINPUT);
	assert_non_null(strstr(pg_error_message(), "0123456789012345678901234567890123456789: not a commit in this repository"));
	assert_int_equal(pg_store_append(s, "HEAD", "{}", NULL), PG_EINPUT);
	pg_store_free(s);
}

static void test_save_without_a_commit_needs_a_dir_store(void **state)
{
	(void)state;
	pg_result_set *rs = pg_result_set_new();
	rs->env.key = strdup("k");
	pg_store *s = notes_store();
	assert_int_equal(pg_store_save(s, rs), PG_EINPUT);
	assert_non_null(strstr(pg_error_message(), "--store DIR"));
	pg_store_free(s);
	assert_int_equal(pg_store_open_dir(&s, in_dir("files"), NULL), 0);
	assert_int_equal(pg_store_save(s, rs), 0);
	pg_commit_records r;
	assert_int_equal(pg_store_read(&r, s, "unversioned"), 0);
	assert_int_equal(r.n_sets, 1);
	assert_string_equal(r.sets[0]->run_id, rs->run_id);
	pg_commit_records_release(&r);
	pg_store_free(s);
	assert_int_equal(access(in_dir("files/unversioned.jsonl"), F_OK), 0);
	/* What prune does to it: replaced through the one compare-and-swap, "unversioned" read as
	 * the 12 bytes it is (ASan catches a 40-byte read of it), refused by the notes store. */
	assert_int_equal(pg_store_open_dir(&s, in_dir("files"), NULL), 0);
	char *line = NULL;
	assert_int_equal(pg_result_set_to_string(&line, rs, 0), 0);
	assert_int_equal(pg_store_replace(s, "unversioned", line), 0);
	assert_int_equal(pg_store_read(&r, s, "unversioned"), 0);
	assert_int_equal(r.n_sets, 1);
	pg_commit_records_release(&r);
	pg_store_free(s);
	s = notes_store();
	assert_int_equal(pg_store_replace(s, "unversioned", line), PG_EINPUT);
	assert_non_null(strstr(pg_error_message(), "unversioned: not a commit id"));
	pg_store_free(s);
	free(line);
	pg_result_set_free(rs);
}

static void test_a_held_ref_lock_makes_the_save_give_up_saying_so(void **state)
{
	(void)state;
	char *a = record("k", NULL, 1, NULL);
	pg_store *s = notes_store();
	append(s, commits[0], a);
	sh("touch %s/repo/.git/refs/notes/perfgate.lock", dir);
	free(a);
	a = record("k", NULL, 1, NULL);
	pg_store_set_retry_limit(s, 0.3);
	assert_int_equal(pg_store_append(s, commits[0], a, NULL), PG_ESYSTEM);
	assert_non_null(strstr(pg_error_message(), "refs/notes/perfgate: gave up after "));
	assert_non_null(strstr(pg_error_message(), " attempts: another writer kept winning"));
	sh("rm %s/repo/.git/refs/notes/perfgate.lock", dir);
	append(s, commits[0], a);
	pg_store_free(s);
	free(a);
}

/* ---- concurrent writers ---- */

/*
 * Fork n writers, each with its own repository handle (or dir store), held
 * at a pipe until all exist, then each appends its own record to
 * commits[same ? 0 : i]. Returns the run ids written.
 */
static void run_writers(int n, int same, const char *store_dir, char ids[][37])
{
	int gate[2];
	pid_t pids[WRITERS];
	assert_int_equal(pipe(gate), 0);
	char *lines[WRITERS];
	for (int i = 0; i < n; i++) {
		char *id;
		lines[i] = record("k", NULL, 1, &id);
		snprintf(ids[i], 37, "%s", id);
		free(id);
	}
	for (int i = 0; i < n; i++) {
		pids[i] = fork();
		assert_true(pids[i] >= 0);
		if (pids[i] == 0) {
			char c;
			git_repository *mine = NULL;
			pg_store *s;
			close(gate[1]);
			if (read(gate[0], &c, 1) < 0)
				_exit(9);
			if (git_repository_open(&mine, in_dir("repo")) < 0)
				_exit(2);
			int rc = store_dir ? pg_store_open_dir(&s, store_dir, mine) : pg_store_open_notes(&s, mine, NULL);
			if (!rc)
				rc = pg_store_append(s, commits[same ? 0 : i], lines[i], ids[i]);
			if (rc)
				fprintf(stderr, "writer %d: %s\n", i, pg_error_message());
			pg_store_free(s);
			git_repository_free(mine);
			_exit(rc ? 1 : 0);
		}
	}
	close(gate[0]);
	close(gate[1]); /* go */
	for (int i = 0; i < n; i++) {
		int status;
		assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
		free(lines[i]);
	}
}

static void assert_holds(pg_store *s, const char *commit, char ids[][37], int from, int n)
{
	pg_commit_records r;
	assert_int_equal(pg_store_read(&r, s, commit), 0);
	assert_int_equal(r.n_sets, n);
	assert_int_equal(r.n_warnings, 0);
	for (int i = from; i < from + n; i++) {
		int found = 0;
		for (size_t j = 0; j < r.n_sets; j++)
			found += strcmp(r.sets[j]->run_id, ids[i]) == 0;
		assert_int_equal(found, 1);
	}
	pg_commit_records_release(&r);
}

static void test_20_writers_to_one_commit_lose_nothing(void **state)
{
	(void)state;
	char ids[WRITERS][37];
	run_writers(WRITERS, 1, NULL, ids);
	pg_store *s = notes_store();
	assert_holds(s, commits[0], ids, 0, WRITERS);
	pg_store_free(s);
	char *count = sh_out("git -C %s/repo rev-list --count refs/notes/perfgate", dir);
	assert_string_equal(count, "20");
	free(count);
}

static void test_20_writers_to_20_commits_lose_nothing(void **state)
{
	(void)state;
	char ids[WRITERS][37];
	/* The first writers race to create the ref: a few rounds, each from no ref at all. */
	for (int round = 0; round < 8; round++) {
		sh("git -C %s/repo update-ref -d refs/notes/perfgate", dir);
		run_writers(WRITERS, 0, NULL, ids);
		pg_store *s = notes_store();
		for (int i = 0; i < WRITERS; i++)
			assert_holds(s, commits[i], ids, i, 1);
		pg_store_free(s);
	}
	char *fsck = sh_out("git -C %s/repo fsck --no-dangling 2>&1", dir);
	assert_string_equal(fsck, "");
	free(fsck);
}

static void test_20_writers_to_one_file_of_a_dir_store_lose_nothing(void **state)
{
	(void)state;
	char ids[WRITERS][37], store_dir[256];
	snprintf(store_dir, sizeof(store_dir), "%s/results", dir);
	run_writers(WRITERS, 1, store_dir, ids);
	pg_store *s;
	assert_int_equal(pg_store_open_dir(&s, store_dir, repo), 0);
	assert_holds(s, commits[0], ids, 0, WRITERS);
	pg_store_free(s);
}

static void test_a_killed_writer_leaves_the_ref_old_or_new(void **state)
{
	(void)state;
	char *first = record("k", NULL, 1, NULL);
	pg_store *s = notes_store();
	append(s, commits[1], first);
	free(first);
	for (int round = 0; round < 5; round++) {
		pid_t pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			git_repository *mine;
			pg_store *w;
			if (git_repository_open(&mine, in_dir("repo")) < 0 || pg_store_open_notes(&w, mine, NULL))
				_exit(2);
			for (;;) {
				char *line = record("k", NULL, 1, NULL);
				pg_store_append(w, commits[1], line, NULL);
				free(line);
			}
		}
		struct timespec ts = {0, 20000000L + round * 7000000L};
		nanosleep(&ts, NULL);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		sh("rm -f %s/repo/.git/refs/notes/perfgate.lock", dir); /* what a killed writer leaves */
		pg_store_refresh(s);
		pg_commit_records r;
		assert_int_equal(pg_store_read(&r, s, commits[1]), 0);
		assert_true(r.n_sets >= 1);
		assert_int_equal(r.n_warnings, 0);
		size_t n = r.n_sets;
		pg_commit_records_release(&r);
		char *shown = sh_out("git -C %s/repo notes --ref=perfgate show %s | wc -l", dir, commits[1]);
		assert_int_equal((size_t)atoi(shown), n);
		free(shown);
	}
	char *fsck = sh_out("git -C %s/repo fsck --no-dangling 2>&1 | grep -v '^Checking' || true", dir);
	assert_string_equal(fsck, "");
	free(fsck);
	pg_store_free(s);
}

/* ---- the dir store ---- */

static void test_dir_store_under_a_regular_file_is_a_system_error_naming_it(void **state)
{
	(void)state;
	pg_store *s = NULL;
	char path[256];
	assert_int_equal(pg_file_write_atomic(in_dir("somefile"), "x", 1), 0);
	snprintf(path, sizeof(path), "%s/somefile/sub", dir);
	assert_int_equal(pg_store_open_dir(&s, path, NULL), PG_ESYSTEM);
	assert_null(s);
	assert_non_null(strstr(pg_error_message(), path));
}

static void test_dir_store_round_trips_a_result_set(void **state)
{
	(void)state;
	pg_store *s;
	char *a = record("k", NULL, 1, NULL), *b = record("k", NULL, 0, NULL), path[256];
	snprintf(path, sizeof(path), "%s/deep/results", dir);
	assert_int_equal(pg_store_open_dir(&s, path, repo), 0);
	append(s, commits[3], a);
	append(s, commits[3], b);
	assert_int_equal(pg_store_append(s, "0123456789012345678901234567890123456789", a, NULL), PG_EINPUT);
	pg_commit_records r;
	assert_int_equal(pg_store_read(&r, s, commits[3]), 0);
	assert_int_equal(r.n_sets, 2);
	assert_int_equal(r.sets[1]->benchmarks[0].metrics[0].n_samples, 0);
	assert_true(r.sets[1]->benchmarks[0].metrics[0].has_summary);
	pg_commit_records_release(&r);
	char file[512], *text;
	snprintf(file, sizeof(file), "%s/%s.jsonl", path, commits[3]);
	assert_int_equal(pg_file_read(&text, NULL, file), 0);
	char want[8192];
	snprintf(want, sizeof(want), "%s\n%s\n", a, b);
	assert_string_equal(text, want);
	free(text);
	pg_store_free(s);
	free(a);
	free(b);
}

/* ---- helper mode, for the end-to-end tests ---- */

/*
 *   test_store --append [--store DIR] COMMIT LINE   add a record, in the repository of the cwd
 *   test_store --record ENVKEY [CREATED]             print a compact perfgate/1 record
 */
static int helper(int argc, char **argv)
{
	if (strcmp(argv[1], "--record") == 0 && argc >= 3) {
		pg_result_set *rs = pg_result_set_new();
		rs->env.key = strdup(argv[2]);
		if (argc >= 4) {
			free(rs->created);
			rs->created = strdup(argv[3]);
		}
		pg_benchmark *b = pg_result_set_add_benchmark(rs, "matcher", "matcher");
		pg_metric *m = pg_benchmark_add_metric(b, "latency", "ms", PG_BETTER_LOWER);
		for (int i = 0; i < 5; i++)
			pg_metric_add_sample(m, 4.0 + i * 0.25);
		pg_result_set_summarize(rs);
		char *line;
		pg_result_set_to_string(&line, rs, 0);
		puts(line);
		free(line);
		pg_result_set_free(rs);
		return 0;
	}
	if (strcmp(argv[1], "--append") == 0) {
		const char *store_dir = NULL;
		int i = 2;
		if (argc > 3 && strcmp(argv[2], "--store") == 0) {
			store_dir = argv[3];
			i = 4;
		}
		if (argc != i + 2) {
			fprintf(stderr, "usage: test_store --append [--store DIR] COMMIT LINE\n");
			return 2;
		}
		git_repository *r = NULL;
		pg_store *s = NULL;
		git_libgit2_init();
		int rc = pg_repo_discover(&r, ".");
		if (rc == 0)
			rc = store_dir ? pg_store_open_dir(&s, store_dir, r) : pg_store_open_notes(&s, r, NULL);
		else if (rc == 1)
			rc = store_dir ? pg_store_open_dir(&s, store_dir, NULL)
				       : pg_error_set(PG_ESYSTEM, "not in a git repository");
		if (!rc)
			rc = pg_store_append(s, argv[i], argv[i + 1], NULL);
		if (rc)
			fprintf(stderr, "test_store: %s\n", pg_error_message());
		pg_store_free(s);
		git_repository_free(r);
		git_libgit2_shutdown();
		return pg_error_exit_status(rc);
	}
	fprintf(stderr, "test_store: unknown helper '%s'\n", argv[1]);
	return 2;
}

#define T(name) cmocka_unit_test_setup_teardown(name, make_repo, remove_repo)

int main(int argc, char **argv)
{
	/* The git module of the build tree, as ctest names it (perfgate loads it beside itself). */
	pg_module_dir(getenv("PG_BINDIR"));
	if (argc > 1)
		return helper(argc, argv);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_merge_is_the_union_deduplicated_by_run_id),
		cmocka_unit_test(test_merge_summary_only_copy_of_a_run_wins),
		cmocka_unit_test(test_merge_keeps_lines_without_run_id_once),
		cmocka_unit_test(test_merge_of_cat_sort_uniq_output_settles),
		T(test_read_commit_without_note_is_empty),
		T(test_read_skips_a_bad_line_with_a_warning_naming_the_commit),
		T(test_read_skips_an_unknown_perfgate_schema_silently),
		T(test_read_warns_about_foreign_and_invalid_records),
		T(test_latest_is_the_newest_created_of_the_key),
		T(test_summaries_read_leaves_samples_out_and_nothing_else),
		T(test_saved_note_is_what_git_notes_show_prints),
		T(test_notes_commits_are_signed_by_the_user_or_by_perfgate),
		T(test_saving_the_same_record_twice_writes_once),
		T(test_save_merges_and_replaces_a_flat_note_written_by_git),
		T(test_deeper_fan_out_is_read_and_rewritten),
		T(test_reads_keep_a_snapshot_until_the_store_writes),
		T(test_append_to_a_missing_commit_is_an_input_error),
		T(test_save_without_a_commit_needs_a_dir_store),
		T(test_a_held_ref_lock_makes_the_save_give_up_saying_so),
		T(test_20_writers_to_one_commit_lose_nothing),
		T(test_20_writers_to_20_commits_lose_nothing),
		T(test_20_writers_to_one_file_of_a_dir_store_lose_nothing),
		T(test_a_killed_writer_leaves_the_ref_old_or_new),
		T(test_dir_store_under_a_regular_file_is_a_system_error_naming_it),
		T(test_dir_store_round_trips_a_result_set),
	};
	git_libgit2_init();
	int failed = cmocka_run_group_tests(tests, NULL, NULL);
	git_libgit2_shutdown();
	return failed;
}
