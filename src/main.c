/*
 * main.c - perfgate's executable. It answers `--version` and runs the matcher's echo target
 * itself, needing nothing but libc; for a verb it loads the module libperfgate-cli.so (entry.c)
 * and hands it argv. libgit2 and the fourteen libraries it needs come later still, with the module
 * libperfgate-git.so when a verb first opens a repository (store/gitlib.c). The loader's work for
 * those libraries is most of a start (tests/bench/startup.sh): the version, the echo target and
 * a verb's --help do not pay it.
 */
#include "perfgate/runner.h"
#include "pg_version.h"

#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define MODULE "libperfgate-cli.so"

typedef int (*cli_main_fn)(int argc, char *argv[]);

/*
 * Debian's libgit2 is built with mbedTLS, and git_libgit2_init() parses the system's whole CA
 * bundle (/etc/ssl/certs/ca-certificates.crt, some 140 certificates) for HTTPS remotes: about
 * 5 ms and 0.9 MB of every verb's start, measured here. perfgate never talks to a remote through
 * libgit2 (sync runs git), so this executable answers that one call, exported to the libraries
 * the module loads (-Wl,--export-dynamic-symbol), as a bundle that cannot be read. Should a
 * verb ever reach an HTTPS remote through libgit2, it fails certificate checks: closed, not
 * open. A libgit2 built with OpenSSL never calls it.
 */
struct mbedtls_x509_crt;
int mbedtls_x509_crt_parse_file(struct mbedtls_x509_crt *chain, const char *path);
int mbedtls_x509_crt_parse_file(struct mbedtls_x509_crt *chain, const char *path)
{
	(void)chain;
	(void)path;
	return -0x2900; /* MBEDTLS_ERR_X509_FILE_IO_ERROR */
}

/*
 * libgit2 starts libssh2 in git_libgit2_init(), and libssh2_init() starts OpenSSL's libcrypto:
 * its error strings and algorithm tables, 1.4 MB of every verb's peak RSS here (of check's
 * 10.3 MB, tests/bench/check_time.sh). SSH remotes are reached only by the `git` command
 * (sync), never through libgit2, so this executable answers that call, exported like the one
 * above, as done. Should a verb ever open an SSH session through libgit2, OpenSSL 3 starts
 * itself on its first use.
 */
int libssh2_init(int flags);
int libssh2_init(int flags)
{
	(void)flags;
	return 0;
}

/*
 * The module's path into BUF: beside the executable in a build tree, in PG_MODULE_DIR (relative
 * to the executable's directory) once installed. Returns 0, or -1 when neither exists.
 */
static int find_module(char *buf, size_t size)
{
	char exe[PATH_MAX];
	snprintf(buf, size, "%s", "(this executable's directory: /proc/self/exe unreadable)");
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return -1;
	exe[n] = '\0';
	char *slash = strrchr(exe, '/');
	if (!slash)
		return -1;
	*slash = '\0';
	const char *places[] = {"", PG_MODULE_DIR "/"};
	for (size_t i = 0; i < sizeof(places) / sizeof(places[0]); i++) {
		int len = snprintf(buf, size, "%s/%s%s", exe, places[i], MODULE);
		if (len > 0 && (size_t)len < size && access(buf, R_OK) == 0)
			return 0;
	}
	snprintf(buf, size, "%s/%s%s", exe, PG_MODULE_DIR "/", MODULE); /* named in the error */
	return -1;
}

int main(int argc, char *argv[])
{
	if (argc == 2 && strcmp(argv[1], PG_ECHO_TARGET_ARG) == 0)
		return pg_echo_target();
	if (argc >= 2 && (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0)) {
		printf("perfgate %s\n", PG_VERSION);
		return 0;
	}
	char path[PATH_MAX];
	if (find_module(path, sizeof(path)) != 0) {
		fprintf(stderr, "perfgate: cannot find %s beside this executable or at %s; reinstall perfgate\n",
			MODULE, path);
		return 3;
	}
	/* Lazy, as the loader binds at start: a function is looked up when first called. */
	void *module = dlopen(path, RTLD_LAZY | RTLD_LOCAL);
	if (!module) {
		fprintf(stderr, "perfgate: cannot load %s: %s\n", path, dlerror());
		return 3;
	}
	const char *version = dlsym(module, "pg_cli_version");
	cli_main_fn cli_main;
	*(void **)&cli_main = dlsym(module, "pg_cli_main"); /* POSIX's way to a function from dlsym */
	if (!version || !cli_main || strcmp(version, PG_VERSION) != 0) {
		fprintf(stderr, "perfgate: %s is not the module of this perfgate %s (it is %s); reinstall perfgate\n",
			path, PG_VERSION, version ? version : "without pg_cli_main or pg_cli_version");
		return 3;
	}
	/* The module stays loaded until exit: what its verbs registered (atexit, threads) needs it. */
	return cli_main(argc, argv);
}
