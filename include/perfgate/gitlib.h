/*
 * gitlib.h - libgit2 as perfgate calls it: through a table of its functions, filled by the module
 * libperfgate-git.so (src/store/gitmodule.c, the one object linked with libgit2), which is loaded
 * when a repository is first opened and can be let go while benchmarks run (pg_gitlib_close). A
 * file that calls libgit2 includes this header, not <git2.h>: every git_* call below it goes
 * through the table. libperfgate-cli.so is linked with --no-undefined, so a call that would bypass
 * the table does not link.
 */
#ifndef PERFGATE_GITLIB_H
#define PERFGATE_GITLIB_H

#include <git2.h>
#include <git2/sys/repository.h> /* git_repository_set_odb */
#include <stddef.h>

/* The module's file name, looked for as pg_module_open says. */
#define PG_GIT_MODULE "libperfgate-git.so"

/*
 * Every libgit2 function perfgate calls. One to add goes here and into the
 * macros at the end; the compiler catches either missing (no table member, or
 * a direct call that does not link: the CLI module is linked --no-undefined).
 */
#define PG_GITLIB_FUNCTIONS(X) \
	X(git_blob_create_from_buffer) \
	X(git_blob_free) \
	X(git_blob_lookup) \
	X(git_blob_rawcontent) \
	X(git_blob_rawsize) \
	X(git_buf_dispose) \
	X(git_commit_create) \
	X(git_commit_free) \
	X(git_commit_id) \
	X(git_commit_lookup) \
	X(git_commit_message) \
	X(git_commit_parent) \
	X(git_commit_parent_id) \
	X(git_commit_parentcount) \
	X(git_commit_summary) \
	X(git_commit_time) \
	X(git_commit_tree) \
	X(git_commit_tree_id) \
	X(git_config_free) \
	X(git_config_get_path) \
	X(git_describe_commit) \
	X(git_describe_format) \
	X(git_describe_format_options_init) \
	X(git_describe_options_init) \
	X(git_describe_result_free) \
	X(git_error_clear) \
	X(git_error_last) \
	X(git_graph_descendant_of) \
	X(git_libgit2_init) \
	X(git_libgit2_opts) \
	X(git_libgit2_shutdown) \
	X(git_merge_base) \
	X(git_message_trailer_array_free) \
	X(git_message_trailers) \
	X(git_object_free) \
	X(git_object_id) \
	X(git_object_lookup) \
	X(git_object_peel) \
	X(git_object_type) \
	X(git_odb_free) \
	X(git_odb_new) \
	X(git_odb_open) \
	X(git_oid_cmp) \
	X(git_oid_cpy) \
	X(git_oid_equal) \
	X(git_oid_fromraw) \
	X(git_oid_fromstr) \
	X(git_oid_fromstrn) \
	X(git_oid_tostr) \
	X(git_oid_tostr_s) \
	X(git_reference_create_matching) \
	X(git_reference_delete) \
	X(git_reference_free) \
	X(git_reference_lookup) \
	X(git_reference_name_is_valid) \
	X(git_reference_name_to_id) \
	X(git_reference_symbolic_target) \
	X(git_reference_type) \
	X(git_repository_commondir) \
	X(git_repository_config_snapshot) \
	X(git_repository_free) \
	X(git_repository_head_unborn) \
	X(git_repository_is_bare) \
	X(git_repository_is_shallow) \
	X(git_repository_item_path) \
	X(git_repository_open_ext) \
	X(git_repository_path) \
	X(git_repository_set_odb) \
	X(git_repository_workdir) \
	X(git_revparse_single) \
	X(git_revwalk_free) \
	X(git_revwalk_hide) \
	X(git_revwalk_new) \
	X(git_revwalk_next) \
	X(git_revwalk_push) \
	X(git_signature_default) \
	X(git_signature_free) \
	X(git_signature_now) \
	X(git_status_foreach_ext) \
	X(git_status_options_init) \
	X(git_tag_foreach) \
	X(git_tag_tagger) \
	X(git_tree_entry_byindex) \
	X(git_tree_entry_byname) \
	X(git_tree_entry_id) \
	X(git_tree_entry_name) \
	X(git_tree_entry_type) \
	X(git_tree_entrycount) \
	X(git_tree_free) \
	X(git_tree_lookup) \
	X(git_treebuilder_entrycount) \
	X(git_treebuilder_free) \
	X(git_treebuilder_get) \
	X(git_treebuilder_insert) \
	X(git_treebuilder_new) \
	X(git_treebuilder_remove) \
	X(git_treebuilder_write)

/* One pointer per function, of the function's own type (so a call is checked as a direct one is). */
typedef struct pg_gitlib {
#define PG_GITLIB_POINTER(name) __typeof__(name) *name;
	PG_GITLIB_FUNCTIONS(PG_GITLIB_POINTER)
#undef PG_GITLIB_POINTER
} pg_gitlib;

/* The list as one string ("git_blob_create_from_buffer git_blob_free ..."). */
#define PG_GITLIB_NAME(name) #name " "
#define PG_GITLIB_NAMES PG_GITLIB_FUNCTIONS(PG_GITLIB_NAME)

/*
 * In the module: fill *table with libgit2's functions. -1 when the module was
 * built for another perfgate (version) or another list (names): a stale
 * module must not be called through.
 */
typedef int (*pg_git_module_fill_fn)(pg_gitlib *table, const char *names, const char *version);
int pg_git_module_fill(pg_gitlib *table, const char *names, const char *version);

/*
 * Load the module and start libgit2 the way perfgate uses it (object cache and pack windows
 * bounded; see gitlib.c). Does nothing when already loaded. 0, or PG_ESYSTEM naming the module.
 */
int pg_gitlib_open(void);

/*
 * How much of the packs libgit2 maps: PG_GIT_WINDOWS_WALK (the default; a
 * walk of a long history remaps little) or PG_GIT_WINDOWS_SMALL (a verb that
 * measures beside what it reads: check, run). Applies now if loaded, and at
 * every later pg_gitlib_open.
 */
typedef enum { PG_GIT_WINDOWS_WALK, PG_GIT_WINDOWS_SMALL } pg_git_windows;
void pg_gitlib_windows(pg_git_windows w);

/*
 * Shut libgit2 down and unload the module, with libgit2 and the libraries only it needs: their
 * pages leave this process. Every repository and git object must be freed first; the next call
 * through the table loads it again. Does nothing when not loaded.
 */
void pg_gitlib_close(void);

/*
 * The table, loading the module first when it is not. A load failing here (a call reached
 * without pg_gitlib_open, and the module unloadable) prints why and ends the process with exit
 * status 3: a function pointer cannot return an error.
 */
const pg_gitlib *pg_gitlib_fns(void);

/* libgit2's last error message, or "unknown error"; valid until the next libgit2 call. */
const char *pg_git_error(void);

#ifndef PG_GITLIB_DIRECT /* defined by the two files that fill and hold the table */
#define git_blob_create_from_buffer (*pg_gitlib_fns()->git_blob_create_from_buffer)
#define git_blob_free (*pg_gitlib_fns()->git_blob_free)
#define git_blob_lookup (*pg_gitlib_fns()->git_blob_lookup)
#define git_blob_rawcontent (*pg_gitlib_fns()->git_blob_rawcontent)
#define git_blob_rawsize (*pg_gitlib_fns()->git_blob_rawsize)
#define git_buf_dispose (*pg_gitlib_fns()->git_buf_dispose)
#define git_commit_create (*pg_gitlib_fns()->git_commit_create)
#define git_commit_free (*pg_gitlib_fns()->git_commit_free)
#define git_commit_id (*pg_gitlib_fns()->git_commit_id)
#define git_commit_lookup (*pg_gitlib_fns()->git_commit_lookup)
#define git_commit_message (*pg_gitlib_fns()->git_commit_message)
#define git_commit_parent (*pg_gitlib_fns()->git_commit_parent)
#define git_commit_parent_id (*pg_gitlib_fns()->git_commit_parent_id)
#define git_commit_parentcount (*pg_gitlib_fns()->git_commit_parentcount)
#define git_commit_summary (*pg_gitlib_fns()->git_commit_summary)
#define git_commit_time (*pg_gitlib_fns()->git_commit_time)
#define git_commit_tree (*pg_gitlib_fns()->git_commit_tree)
#define git_commit_tree_id (*pg_gitlib_fns()->git_commit_tree_id)
#define git_config_free (*pg_gitlib_fns()->git_config_free)
#define git_config_get_path (*pg_gitlib_fns()->git_config_get_path)
#define git_describe_commit (*pg_gitlib_fns()->git_describe_commit)
#define git_describe_format (*pg_gitlib_fns()->git_describe_format)
#define git_describe_format_options_init (*pg_gitlib_fns()->git_describe_format_options_init)
#define git_describe_options_init (*pg_gitlib_fns()->git_describe_options_init)
#define git_describe_result_free (*pg_gitlib_fns()->git_describe_result_free)
#define git_error_clear (*pg_gitlib_fns()->git_error_clear)
#define git_error_last (*pg_gitlib_fns()->git_error_last)
#define git_graph_descendant_of (*pg_gitlib_fns()->git_graph_descendant_of)
#define git_libgit2_init (*pg_gitlib_fns()->git_libgit2_init)
#define git_libgit2_opts (*pg_gitlib_fns()->git_libgit2_opts)
#define git_libgit2_shutdown (*pg_gitlib_fns()->git_libgit2_shutdown)
#define git_merge_base (*pg_gitlib_fns()->git_merge_base)
#define git_message_trailer_array_free (*pg_gitlib_fns()->git_message_trailer_array_free)
#define git_message_trailers (*pg_gitlib_fns()->git_message_trailers)
#define git_object_free (*pg_gitlib_fns()->git_object_free)
#define git_object_id (*pg_gitlib_fns()->git_object_id)
#define git_object_lookup (*pg_gitlib_fns()->git_object_lookup)
#define git_object_peel (*pg_gitlib_fns()->git_object_peel)
#define git_object_type (*pg_gitlib_fns()->git_object_type)
#define git_odb_free (*pg_gitlib_fns()->git_odb_free)
#define git_odb_new (*pg_gitlib_fns()->git_odb_new)
#define git_odb_open (*pg_gitlib_fns()->git_odb_open)
#define git_oid_cmp (*pg_gitlib_fns()->git_oid_cmp)
#define git_oid_cpy (*pg_gitlib_fns()->git_oid_cpy)
#define git_oid_equal (*pg_gitlib_fns()->git_oid_equal)
#define git_oid_fromraw (*pg_gitlib_fns()->git_oid_fromraw)
#define git_oid_fromstr (*pg_gitlib_fns()->git_oid_fromstr)
#define git_oid_fromstrn (*pg_gitlib_fns()->git_oid_fromstrn)
#define git_oid_tostr (*pg_gitlib_fns()->git_oid_tostr)
#define git_oid_tostr_s (*pg_gitlib_fns()->git_oid_tostr_s)
#define git_reference_create_matching (*pg_gitlib_fns()->git_reference_create_matching)
#define git_reference_delete (*pg_gitlib_fns()->git_reference_delete)
#define git_reference_free (*pg_gitlib_fns()->git_reference_free)
#define git_reference_lookup (*pg_gitlib_fns()->git_reference_lookup)
#define git_reference_name_is_valid (*pg_gitlib_fns()->git_reference_name_is_valid)
#define git_reference_name_to_id (*pg_gitlib_fns()->git_reference_name_to_id)
#define git_reference_symbolic_target (*pg_gitlib_fns()->git_reference_symbolic_target)
#define git_reference_type (*pg_gitlib_fns()->git_reference_type)
#define git_repository_commondir (*pg_gitlib_fns()->git_repository_commondir)
#define git_repository_config_snapshot (*pg_gitlib_fns()->git_repository_config_snapshot)
#define git_repository_free (*pg_gitlib_fns()->git_repository_free)
#define git_repository_head_unborn (*pg_gitlib_fns()->git_repository_head_unborn)
#define git_repository_is_bare (*pg_gitlib_fns()->git_repository_is_bare)
#define git_repository_is_shallow (*pg_gitlib_fns()->git_repository_is_shallow)
#define git_repository_item_path (*pg_gitlib_fns()->git_repository_item_path)
#define git_repository_open_ext (*pg_gitlib_fns()->git_repository_open_ext)
#define git_repository_path (*pg_gitlib_fns()->git_repository_path)
#define git_repository_set_odb (*pg_gitlib_fns()->git_repository_set_odb)
#define git_repository_workdir (*pg_gitlib_fns()->git_repository_workdir)
#define git_revparse_single (*pg_gitlib_fns()->git_revparse_single)
#define git_revwalk_free (*pg_gitlib_fns()->git_revwalk_free)
#define git_revwalk_hide (*pg_gitlib_fns()->git_revwalk_hide)
#define git_revwalk_new (*pg_gitlib_fns()->git_revwalk_new)
#define git_revwalk_next (*pg_gitlib_fns()->git_revwalk_next)
#define git_revwalk_push (*pg_gitlib_fns()->git_revwalk_push)
#define git_signature_default (*pg_gitlib_fns()->git_signature_default)
#define git_signature_free (*pg_gitlib_fns()->git_signature_free)
#define git_signature_now (*pg_gitlib_fns()->git_signature_now)
#define git_status_foreach_ext (*pg_gitlib_fns()->git_status_foreach_ext)
#define git_status_options_init (*pg_gitlib_fns()->git_status_options_init)
#define git_tag_foreach (*pg_gitlib_fns()->git_tag_foreach)
#define git_tag_tagger (*pg_gitlib_fns()->git_tag_tagger)
#define git_tree_entry_byindex (*pg_gitlib_fns()->git_tree_entry_byindex)
#define git_tree_entry_byname (*pg_gitlib_fns()->git_tree_entry_byname)
#define git_tree_entry_id (*pg_gitlib_fns()->git_tree_entry_id)
#define git_tree_entry_name (*pg_gitlib_fns()->git_tree_entry_name)
#define git_tree_entry_type (*pg_gitlib_fns()->git_tree_entry_type)
#define git_tree_entrycount (*pg_gitlib_fns()->git_tree_entrycount)
#define git_tree_free (*pg_gitlib_fns()->git_tree_free)
#define git_tree_lookup (*pg_gitlib_fns()->git_tree_lookup)
#define git_treebuilder_entrycount (*pg_gitlib_fns()->git_treebuilder_entrycount)
#define git_treebuilder_free (*pg_gitlib_fns()->git_treebuilder_free)
#define git_treebuilder_get (*pg_gitlib_fns()->git_treebuilder_get)
#define git_treebuilder_insert (*pg_gitlib_fns()->git_treebuilder_insert)
#define git_treebuilder_new (*pg_gitlib_fns()->git_treebuilder_new)
#define git_treebuilder_remove (*pg_gitlib_fns()->git_treebuilder_remove)
#define git_treebuilder_write (*pg_gitlib_fns()->git_treebuilder_write)
#endif

#endif
