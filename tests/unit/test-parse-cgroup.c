/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests for pe_cgroup_path(). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"

/*
 * Parse the LEN bytes at S from an exactly sized heap copy (so that ASan
 * sees a read past LEN).  EXPECT NULL means -ENOENT with the outputs left
 * alone; otherwise the result must be the EXPECT_LEN bytes at EXPECT,
 * pointing into the copy.
 */
static void check_n(const char *s, size_t len, const char *expect, size_t expect_len)
{
	char *copy = malloc(len ? len : 1);
	const char *v = NULL;
	size_t v_len = 4242;
	int r;

	assert_non_null(copy);
	memcpy(copy, s, len);
	r = pe_cgroup_path(copy, len, &v, &v_len);
	if (!expect) {
		assert_int_equal(r, -ENOENT);
		assert_null(v);
		assert_int_equal(v_len, 4242);
	} else {
		assert_int_equal(r, 0);
		assert_non_null(v);
		assert_true(v >= copy && v + v_len <= copy + len);
		assert_int_equal(v_len, expect_len);
		assert_memory_equal(v, expect, v_len);
		assert_null(memchr(v, '\n', v_len));
	}
	free(copy);
}

/* For string literals: their length comes from sizeof, so they may hold NUL. */
#define check(s, expect) check_n(s, sizeof(s) - 1, expect, sizeof(expect) - 1)
#define check_absent(s) check_n(s, sizeof(s) - 1, NULL, 0)

static void test_pure_v2(void **state)
{
	check("0::/user.slice/user-1000.slice/session-3.scope\n",
	      "/user.slice/user-1000.slice/session-3.scope");
	check("0::/system.slice/nginx.service\n", "/system.slice/nginx.service");
	check("0::/init.scope\n", "/init.scope");
	/* Root cgroup: "/" is all there is, so it is returned. */
	check("0::/\n", "/");
	/* cgroup namespaces show paths outside the namespace like this. */
	check("0::/../../system.slice/foo.service\n", "/../../system.slice/foo.service");
}

static void test_hybrid(void **state)
{
	/* This machine: every hierarchy at "/" but memory. */
	check("9:name=systemd:/\n"
	      "8:pids:/\n"
	      "7:blkio:/\n"
	      "6:freezer:/\n"
	      "5:devices:/\n"
	      "4:memory:/process_api/5431da81fc3e9529eb41f332f8114ba1\n"
	      "3:cpuset:/\n"
	      "2:cpuacct:/\n"
	      "1:cpu:/\n"
	      "0::/\n", "/");
	/* Typical hybrid systemd: v2 "/" (or empty in some setups), the
	 * name=systemd hierarchy holds the unit. */
	check("12:cpu,cpuacct:/system.slice/ssh.service\n"
	      "1:name=systemd:/system.slice/ssh.service\n"
	      "0::/\n", "/system.slice/ssh.service");
	check("0::/\n"
	      "1:name=systemd:/system.slice/ssh.service\n", "/system.slice/ssh.service");
	/* Both informative: v2 wins. */
	check("1:name=systemd:/system.slice/a.service\n"
	      "0::/system.slice/b.service\n", "/system.slice/b.service");
	/* name=systemd at the root too: v2's "/" comes first. */
	check("1:name=systemd:/\n0::/\n", "/");
}

static void test_v1_only(void **state)
{
	check("11:devices:/system.slice/cron.service\n"
	      "4:cpu,cpuacct:/system.slice/cron.service\n"
	      "1:name=systemd:/system.slice/cron.service\n",
	      "/system.slice/cron.service");
	check("1:name=systemd:/\n", "/");
	/* v1 without the systemd hierarchy: nothing to go by. */
	check_absent("4:memory:/x\n3:cpu:/y\n");
	/* Other named hierarchies do not count. */
	check_absent("2:name=elogind:/1\n");
}

static void test_no_final_newline(void **state)
{
	check("0::/system.slice/a.service", "/system.slice/a.service");
	check("1:name=systemd:/user.slice\n0::/system.slice/b.service",
	      "/system.slice/b.service");
	check("0::/\n1:name=systemd:/user.slice", "/user.slice");
	check("0::", "");
	check("0::/", "/");
	/* Truncated before the path: malformed. */
	check_absent("0:");
	check_absent("0");
}

static void test_junk_lines(void **state)
{
	check("garbage\n"
	      "\n"
	      ":0::/no-id\n"
	      "x::/bad-id\n"
	      "0x::/bad-id\n"
	      "-1::/negative\n"
	      " 0::/space\n"
	      "0:/one-colon\n"
	      "\n"
	      "0::/good\n", "/good");
	/* "00" is not the v2 hierarchy's ID, nor is "1". */
	check_absent("00::/a\n1::/b\n");
	check_absent("\n\n\n");
	check_absent("0\n:\n::\n:::\n");
	check("\0\0\0::/x\n0::/y\0z\n", "/y\0z");
	check_absent("garbage");
}

static void test_empty(void **state)
{
	check_absent("");
	check_absent("\n");
}

static void test_null_buffer(void **state)
{
	const char *v = NULL;
	size_t v_len = 4242;

	assert_int_equal(pe_cgroup_path(NULL, 0, &v, &v_len), -ENOENT);
	assert_null(v);
	assert_int_equal(v_len, 4242);
}

static void test_odd_bytes(void **state)
{
	check("0::/system.slice/my app.service\n", "/system.slice/my app.service");
	/* ':' in the path: only the first two separate fields. */
	check("0::/a:b::c\n", "/a:b::c");
	check("1:name=systemd:/x:y\n0::/\n", "/x:y");
	check("0::/\xff\x01\x1b[31m\t\r\\012 \xc2\x9b\n", "/\xff\x01\x1b[31m\t\r\\012 \xc2\x9b");
	check("0::/nul\0in\0path\n", "/nul\0in\0path");
	/* A trailing '\r' is part of the path. */
	check("0::/a\r\n", "/a\r");
	/* A relative path is still a path. */
	check("0::relative\n", "relative");
}

static void test_empty_path(void **state)
{
	check("0::\n", "");
	check("0::\n1:name=systemd:/system.slice/a.service\n", "/system.slice/a.service");
	check("1:name=systemd:\n0::\n", "");
	check("1:name=systemd:\n", "");
	check("1:name=systemd:\n0::/\n", "/");
}

static void test_v2_after_v1(void **state)
{
	check("5:memory:/m\n"
	      "3:cpu:/c\n"
	      "1:name=systemd:/s\n"
	      "0::/a\n", "/a");
	check("5:memory:/m\n"
	      "3:cpu:/c\n"
	      "0::/a", "/a");
}

static void test_controller_list_exact(void **state)
{
	check_absent("1:name=systemd,foo:/x\n");
	check_absent("1:foo,name=systemd:/x\n");
	check_absent("1:name=systemdd:/x\n");
	check_absent("1:name=system:/x\n");
	check_absent("1:Name=systemd:/x\n");
	check("1:name=systemd,foo:/x\n0::/\n", "/");
	check("1:name=systemd,foo:/x\n1:name=systemd:/y\n0::/\n", "/y");
	/* ID 0 with controllers is not the v2 line. */
	check_absent("0:cpu:/x\n");
}

static void test_first_wins(void **state)
{
	check("0::/first\n0::/second\n", "/first");
	check("0::/\n0::/second\n", "/");
	check("1:name=systemd:/first\n2:name=systemd:/second\n", "/first");
	check("1:name=systemd:/\n2:name=systemd:/second\n", "/");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pure_v2),
		cmocka_unit_test(test_hybrid),
		cmocka_unit_test(test_v1_only),
		cmocka_unit_test(test_no_final_newline),
		cmocka_unit_test(test_junk_lines),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_null_buffer),
		cmocka_unit_test(test_odd_bytes),
		cmocka_unit_test(test_empty_path),
		cmocka_unit_test(test_v2_after_v1),
		cmocka_unit_test(test_controller_list_exact),
		cmocka_unit_test(test_first_wins),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
