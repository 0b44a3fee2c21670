/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The recovery directory (lib/recover-dir.c): the per-directory trust rule
 * (pe_dir_trusted) on every owner/mode combination that matters, and
 * procexe_recover_dir_open_ex() on paths made under a private scratch
 * directory: symlinks refused also before a final "/" or "/.", the
 * component at fault reported, only the last component created (0700
 * whatever the umask), an existing directory never chmod'ed.
 */
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "internal.h"

static char tmpdir[] = "/tmp/pe-rec-dir.XXXXXX";

static int setup(void **state)
{
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[sizeof(tmpdir) + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static int trust(uid_t uid, mode_t mode, uid_t euid, bool final)
{
	struct stat st = { .st_uid = uid, .st_mode = mode };

	return pe_dir_trusted(&st, euid, final);
}

static void test_trusted(void **state)
{
	/* on the way: root or the caller, not shared unless sticky */
	assert_int_equal(trust(0, S_IFDIR | 0755, 1000, false), 0);
	assert_int_equal(trust(1000, S_IFDIR | 0700, 1000, false), 0);
	assert_int_equal(trust(0, S_IFDIR | 01777, 1000, false), 0);
	assert_int_equal(trust(0, S_IFDIR | 02755, 0, false), 0);
	assert_int_equal(trust(65534, S_IFDIR | 0755, 0, false), -EUSERS);
	assert_int_equal(trust(65534, S_IFDIR | 01777, 0, false), -EUSERS);
	assert_int_equal(trust(0, S_IFDIR | 0777, 0, false), -EUSERS);
	assert_int_equal(trust(0, S_IFDIR | 0775, 0, false), -EUSERS);
	assert_int_equal(trust(0, S_IFDIR | 0757, 0, false), -EUSERS);
	assert_int_equal(trust(0, S_IFREG | 0755, 0, false), -ENOTDIR);
	assert_int_equal(trust(0, S_IFLNK | 0777, 0, false), -ENOTDIR);
	/* final: the caller's only */
	assert_int_equal(trust(1000, S_IFDIR | 0700, 1000, true), 0);
	assert_int_equal(trust(1000, S_IFDIR | 0750, 1000, true), 0);
	assert_int_equal(trust(1000, S_IFDIR | 01777, 1000, true), 0);
	assert_int_equal(trust(0, S_IFDIR | 0700, 1000, true), -EPERM);
	assert_int_equal(trust(65534, S_IFDIR | 0700, 0, true), -EPERM);
	assert_int_equal(trust(1000, S_IFDIR | 0770, 1000, true), -EUSERS);
	assert_int_equal(trust(1000, S_IFDIR | 0702, 1000, true), -EUSERS);
}

/* procexe_recover_dir_open_ex(tmpdir/REL): the result, *where checked
 * against the length of tmpdir/WHERE_REL (NULL: not checked). */
static int open_rel(const char *rel, const char *where_rel)
{
	char path[PATH_MAX];
	size_t where = 12345;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, rel);
	fd = procexe_recover_dir_open_ex(path, &where);
	if (fd < 0 && where_rel)
		assert_int_equal(where, strlen(tmpdir) + 1 + strlen(where_rel));
	return fd;
}

static void at(char *buf, size_t len, const char *rel)
{
	snprintf(buf, len, "%s/%s", tmpdir, rel);
}

static void test_refused(void **state)
{
	char a[PATH_MAX], b[PATH_MAX], name[NAME_MAX + 2];

	at(a, sizeof(a), "real");
	assert_int_equal(mkdir(a, 0700), 0);
	at(b, sizeof(b), "link");
	assert_int_equal(symlink(a, b), 0);
	assert_int_equal(open_rel("link", "link"), -ELOOP);
	assert_int_equal(open_rel("link/", "link"), -ELOOP);
	assert_int_equal(open_rel("link/.", "link"), -ELOOP);
	assert_int_equal(open_rel("link//./", "link"), -ELOOP);
	assert_int_equal(open_rel("link/sub", "link"), -ELOOP);
	assert_int_equal(open_rel("link/../real", "link"), -ELOOP);
	at(a, sizeof(a), "real/sub");
	assert_int_equal(access(a, F_OK), -1);
	assert_int_equal(open_rel("missing/out", "missing"), -ENOENT);
	at(a, sizeof(a), "file");
	close(open(a, O_WRONLY | O_CREAT | O_EXCL, 0600));
	assert_int_equal(open_rel("file", "file"), -ENOTDIR);
	assert_int_equal(open_rel("file/out", "file"), -ENOTDIR);
	at(a, sizeof(a), "shared");
	assert_int_equal(mkdir(a, 0700), 0);
	assert_int_equal(chmod(a, 0777), 0);
	assert_int_equal(open_rel("shared/out", "shared"), -EUSERS);
	assert_int_equal(open_rel("shared", "shared"), -EUSERS);
	memset(name, 'n', NAME_MAX + 1);
	name[NAME_MAX + 1] = '\0';
	assert_int_equal(open_rel(name, name), -ENAMETOOLONG);
	assert_int_equal(procexe_recover_dir_open(""), -EINVAL);
	assert_int_equal(procexe_recover_dir_open(NULL), -EINVAL);
}

static mode_t mode_of_fd(int fd)
{
	struct stat st;

	assert_int_equal(fstat(fd, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	return st.st_mode & 07777;
}

static void test_accepted(void **state)
{
	char a[PATH_MAX];
	mode_t old = umask(0777);
	int fd;

	fd = open_rel("new777", NULL);
	assert_true(fd >= 0);
	assert_int_equal(mode_of_fd(fd), 0700);
	close(fd);
	umask(0);
	fd = open_rel("new000/", NULL);
	assert_true(fd >= 0);
	assert_int_equal(mode_of_fd(fd), 0700);
	close(fd);
	umask(old);
	/* an existing own directory: accepted as it is, never chmod'ed */
	at(a, sizeof(a), "own");
	assert_int_equal(mkdir(a, 0700), 0);
	assert_int_equal(chmod(a, 0750), 0);
	fd = open_rel("own/.", NULL);
	assert_true(fd >= 0);
	assert_int_equal(mode_of_fd(fd), 0750);
	close(fd);
	fd = open_rel("new777/../dd", NULL);
	assert_true(fd >= 0);
	close(fd);
	at(a, sizeof(a), "dd");
	assert_int_equal(access(a, F_OK), 0);
	/* relative to the working directory */
	assert_int_equal(chdir(tmpdir), 0);
	fd = procexe_recover_dir_open("rel");
	assert_true(fd >= 0);
	assert_int_equal(mode_of_fd(fd), 0700);
	close(fd);
	fd = procexe_recover_dir_open(".");
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(chdir("/"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_trusted),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_accepted),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
