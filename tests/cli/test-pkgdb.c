/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests for src/pkgdb.c: owners from a fake dpkg database. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pkgdb.h"

static char adm[64];

static void put(const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", adm, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static void rm_rf(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", adm);
	assert_int_equal(system(cmd), 0);
}

/* A fake admin dir: merged-/usr spellings, a multi-arch name, two owners,
 * a diversion by a package and a local one. */
static int setup(void **state)
{
	(void)state;
	snprintf(adm, sizeof(adm), "/tmp/pe-pkgdb-XXXXXX");
	if (!mkdtemp(adm))
		return -1;
	{
		char info[96];

		snprintf(info, sizeof(info), "%s/info", adm);
		if (mkdir(info, 0755) < 0)
			return -1;
	}
	put("info/libc6:amd64.list", "/.\n/lib\n/lib/x86_64-linux-gnu\n"
	    "/lib/x86_64-linux-gnu/libc.so.6\n/usr/lib/x86_64-linux-gnu/gconv\n");
	put("info/libc6:amd64.md5sums", "0123  usr/bin/decoy\n");
	put("info/coreutils.list", "/bin/ls\n/usr/bin/shared\n");
	put("info/aaa-tools.list", "/usr/bin/shared\n/usr/bin/tool\n");
	put("info/dash.list", "/bin/sh\n/bin/dash\n");
	put("info/pgcommon.list", "/usr/bin/pg_config\n");
	put("info/libpq-dev.list", "/usr/bin/pg_config\n/usr/lib/libpq.so\n");
	put("info/ghost.list", "/usr/bin/local-diverted\n");
	put("info/notalist", "/usr/bin/decoy\n");
	put("diversions", "/usr/bin/pg_config\n/usr/bin/pg_config.libpq-dev\npgcommon\n"
	    "/bin/sh\n/bin/sh.distrib\ndash\n"
	    "/usr/bin/local-diverted\n/usr/bin/local-diverted.orig\n:\n");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	rm_rf();
	return 0;
}

static struct pkgdb *lookup(unsigned aliases, const char *const *paths, size_t n)
{
	struct pkgdb *db = pkgdb_new(PKGDB_MAX_PATHS, aliases);

	assert_non_null(db);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(pkgdb_add(db, paths[i], strlen(paths[i])), 0);
	assert_int_equal(pkgdb_resolve(db, adm), 0);
	return db;
}

#define OWNER(db, p) pkgdb_owner(db, p, strlen(p))

static void test_aliases_multiarch(void **state)
{
	static const char *const paths[] = {
		"/usr/lib/x86_64-linux-gnu/libc.so.6", "/usr/bin/ls", "/lib/x86_64-linux-gnu/gconv",
		"/usr/bin/decoy", "/usr/bin/tool",
	};
	struct pkgdb *db = lookup(PKGDB_ALIAS_ALL, paths, 5);

	(void)state;
	assert_string_equal(OWNER(db, paths[0]), "libc6:amd64");
	/* either spelling answers */
	assert_string_equal(OWNER(db, "/lib/x86_64-linux-gnu/libc.so.6"), "libc6:amd64");
	assert_string_equal(OWNER(db, "/usr/bin/ls"), "coreutils");
	assert_string_equal(OWNER(db, "/lib/x86_64-linux-gnu/gconv"), "libc6:amd64");
	/* md5sums and other files are not lists */
	assert_null(OWNER(db, "/usr/bin/decoy"));
	assert_string_equal(OWNER(db, "/usr/bin/tool"), "aaa-tools");
	/* not added: not answered */
	assert_null(OWNER(db, "/usr/bin/shared"));
	assert_int_equal(pkgdb_looked_up(db), 5);
	assert_int_equal(pkgdb_capped(db), 0);
	pkgdb_free(db);
}

static void test_no_alias(void **state)
{
	static const char *const paths[] = { "/usr/bin/ls", "/bin/ls" };
	struct pkgdb *db = lookup(0, paths, 2);

	(void)state;
	/* without merged /usr the two names are two files */
	assert_null(OWNER(db, "/usr/bin/ls"));
	assert_string_equal(OWNER(db, "/bin/ls"), "coreutils");
	pkgdb_free(db);
}

static void test_several_owners(void **state)
{
	static const char *const paths[] = { "/usr/bin/shared", "/usr/bin/shared" };
	struct pkgdb *db = lookup(PKGDB_ALIAS_ALL, paths, 2);

	(void)state;
	assert_string_equal(OWNER(db, "/usr/bin/shared"), "aaa-tools, coreutils");
	assert_int_equal(pkgdb_looked_up(db), 1);
	pkgdb_free(db);
}

static void test_diversions(void **state)
{
	static const char *const paths[] = {
		"/usr/bin/pg_config", "/usr/bin/pg_config.libpq-dev", "/usr/bin/sh",
		"/usr/bin/sh.distrib", "/usr/bin/local-diverted", "/usr/bin/local-diverted.orig",
		"/usr/lib/libpq.so",
	};
	struct pkgdb *db = lookup(PKGDB_ALIAS_ALL, paths, 7);

	(void)state;
	/* the diverting package's file is at the diverted-from name */
	assert_string_equal(OWNER(db, "/usr/bin/pg_config"), "pgcommon");
	/* the diverted package's file is at the diverted-to name */
	assert_string_equal(OWNER(db, "/usr/bin/pg_config.libpq-dev"), "libpq-dev");
	/* the same through the /bin alias */
	assert_string_equal(OWNER(db, "/usr/bin/sh"), "dash");
	assert_null(OWNER(db, "/usr/bin/sh.distrib"));
	/* a local diversion: the admin's file, the package's moved away */
	assert_null(OWNER(db, "/usr/bin/local-diverted"));
	assert_string_equal(OWNER(db, "/usr/bin/local-diverted.orig"), "ghost");
	assert_string_equal(OWNER(db, "/usr/lib/libpq.so"), "libpq-dev");
	/* the diverted-from name added for the lookup is no answer of its own */
	pkgdb_free(db);
}

static void test_cap(void **state)
{
	struct pkgdb *db = pkgdb_new(2, PKGDB_ALIAS_ALL);

	(void)state;
	assert_non_null(db);
	assert_int_equal(pkgdb_add(db, "/usr/bin/tool", 13), 0);
	assert_int_equal(pkgdb_add(db, "/usr/bin/ls", 11), 0);
	assert_int_equal(pkgdb_add(db, "/usr/bin/ls", 11), 0);
	assert_int_equal(pkgdb_add(db, "/usr/bin/shared", 15), 0);
	assert_int_equal(pkgdb_add(db, "relative", 8), -EINVAL);
	assert_int_equal(pkgdb_add(db, "/a\0b", 4), -EINVAL);
	assert_int_equal(pkgdb_resolve(db, adm), 0);
	assert_int_equal(pkgdb_looked_up(db), 2);
	assert_int_equal(pkgdb_capped(db), 1);
	/* the first two in sorted order are looked up */
	assert_string_equal(OWNER(db, "/usr/bin/ls"), "coreutils");
	assert_string_equal(OWNER(db, "/usr/bin/shared"), "aaa-tools, coreutils");
	assert_null(OWNER(db, "/usr/bin/tool"));
	pkgdb_free(db);
}

static void test_nothing_read(void **state)
{
	struct pkgdb *db = pkgdb_new(PKGDB_MAX_PATHS, 0);

	(void)state;
	assert_non_null(db);
	/* no path: the database is not even opened */
	assert_int_equal(pkgdb_resolve(db, "/nonexistent/pe-dpkg"), 0);
	pkgdb_free(db);
	db = pkgdb_new(PKGDB_MAX_PATHS, 0);
	assert_int_equal(pkgdb_add(db, "/usr/bin/ls", 11), 0);
	assert_int_equal(pkgdb_resolve(db, "/nonexistent/pe-dpkg"), -ENOENT);
	assert_null(OWNER(db, "/usr/bin/ls"));
	pkgdb_free(db);
}

static void test_rpm_answer(void **state)
{
	static const char answer[] =
		"/usr/bin/ls\tcoreutils\n/usr/bin/dir\tcoreutils\n"
		"/usr/lib64/libc.so.6\tglibc\n/usr/bin/shared\tb\n/usr/bin/shared\ta\n"
		"no tab here\n\t\n/usr/bin/notasked\tx\n/usr/bin/empty\t\n/lib64/libm.so.6\tglibc";
	struct pkgdb *db = pkgdb_new(PKGDB_MAX_PATHS, PKGDB_ALIAS_LIB64);

	(void)state;
	assert_non_null(db);
	assert_int_equal(pkgdb_add(db, "/usr/bin/ls", 11), 0);
	assert_int_equal(pkgdb_add(db, "/lib64/libc.so.6", 16), 0);
	assert_int_equal(pkgdb_add(db, "/usr/bin/shared", 15), 0);
	assert_int_equal(pkgdb_add(db, "/usr/bin/empty", 14), 0);
	assert_int_equal(pkgdb_add(db, "/usr/lib64/libm.so.6", 20), 0);
	/* no dpkg database: rpm's turn */
	assert_int_equal(pkgdb_resolve(db, "/nonexistent/pe-dpkg"), -ENOENT);
	assert_int_equal(pkgdb_resolve_rpm(db, "/nonexistent/rpm", "/nonexistent/db"), -ENOENT);
	assert_int_equal(pkgdb_feed_rpm(db, answer, sizeof(answer) - 1), 0);
	assert_string_equal(OWNER(db, "/usr/bin/ls"), "coreutils");
	assert_string_equal(OWNER(db, "/usr/lib64/libc.so.6"), "glibc");
	assert_string_equal(OWNER(db, "/lib64/libm.so.6"), "glibc");
	assert_string_equal(OWNER(db, "/usr/bin/shared"), "a, b");
	assert_null(OWNER(db, "/usr/bin/empty"));
	assert_null(OWNER(db, "/usr/bin/notasked"));
	pkgdb_free(db);
}

/* A stand-in for rpm: the owner of each path asked is "own-" + its last
 * component; its arguments are checked. */
static void test_rpm_run(void **state)
{
	char rpm[128], dbdir[128];
	struct pkgdb *db = pkgdb_new(PKGDB_MAX_PATHS, 0);

	(void)state;
	snprintf(rpm, sizeof(rpm), "%s/rpm", adm);
	snprintf(dbdir, sizeof(dbdir), "%s/info", adm);
	put("rpm", "#!/bin/sh\n"
	    "[ \"$1 $3 $4 $5\" = '--dbpath -qf --queryformat [%{FILENAMES}\t%{NAME}\n]' ] || exit 9\n"
	    "shift 5\nfor p; do printf '%s\\tother\\n%s\\town-%s\\n' /x \"$p\" \"${p##*/}\"; done\n");
	assert_int_equal(chmod(rpm, 0755), 0);
	assert_non_null(db);
	assert_int_equal(pkgdb_add(db, "/usr/bin/ls", 11), 0);
	assert_int_equal(pkgdb_add(db, "/usr/bin/a b", 12), 0);
	assert_int_equal(pkgdb_resolve(db, "/nonexistent/pe-dpkg"), -ENOENT);
	assert_int_equal(pkgdb_resolve_rpm(db, rpm, dbdir), 0);
	assert_string_equal(OWNER(db, "/usr/bin/ls"), "own-ls");
	assert_string_equal(OWNER(db, "/usr/bin/a b"), "own-a b");
	pkgdb_free(db);
}

static void test_detect_aliases(void **state)
{
	char root[96], link[128];

	(void)state;
	snprintf(root, sizeof(root), "%s/root", adm);
	assert_int_equal(mkdir(root, 0755), 0);
	snprintf(link, sizeof(link), "%s/bin", root);
	assert_int_equal(symlink("usr/bin", link), 0);
	snprintf(link, sizeof(link), "%s/lib64", root);
	assert_int_equal(symlink("/usr/lib64", link), 0);
	snprintf(link, sizeof(link), "%s/sbin", root);
	assert_int_equal(symlink("elsewhere", link), 0);
	snprintf(link, sizeof(link), "%s/lib", root);
	assert_int_equal(mkdir(link, 0755), 0);
	assert_int_equal(pkgdb_detect_aliases(root), PKGDB_ALIAS_BIN | PKGDB_ALIAS_LIB64);
	assert_int_equal(pkgdb_detect_aliases("/nonexistent/pe-root"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_aliases_multiarch),
		cmocka_unit_test(test_no_alias),
		cmocka_unit_test(test_several_owners),
		cmocka_unit_test(test_diversions),
		cmocka_unit_test(test_cap),
		cmocka_unit_test(test_nothing_read),
		cmocka_unit_test(test_rpm_answer),
		cmocka_unit_test(test_rpm_run),
		cmocka_unit_test(test_detect_aliases),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
