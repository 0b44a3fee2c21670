/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests for pe_cmdline_arg() and pe_loader_program_index(). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"

/* Command lines are written as C string literals with embedded NULs, so
 * their length is sizeof() - 1 (the literal's own terminator excluded). */
#define CMD(s) (s), (sizeof(s) - 1)

static char *dup_exact(const char *s, size_t len)
{
	char *copy = malloc(len ? len : 1);

	assert_non_null(copy);
	if (len)
		memcpy(copy, s, len);
	return copy;
}

/* Check that argument INDEX of [S, S + LEN) is EXPECT (NULL: -ENOENT). */
static void check_arg(const char *s, size_t len, size_t index, const char *expect)
{
	char *copy = dup_exact(s, len);
	const char *arg = NULL;
	size_t arg_len = 12345;
	int r;

	r = pe_cmdline_arg(copy, len, index, &arg, &arg_len);
	if (!expect) {
		assert_int_equal(r, -ENOENT);
		assert_null(arg);
		assert_int_equal(arg_len, 12345);
	} else {
		assert_int_equal(r, 0);
		assert_true(arg >= copy && arg + arg_len <= copy + len);
		assert_int_equal(arg_len, strlen(expect));
		assert_memory_equal(arg, expect, arg_len);
	}
	free(copy);
}

static void test_args(void **state)
{
	check_arg(CMD("/bin/sleep\0" "100\0"), 0, "/bin/sleep");
	check_arg(CMD("/bin/sleep\0" "100\0"), 1, "100");
	check_arg(CMD("/bin/sleep\0" "100\0"), 2, NULL);
	check_arg(CMD("/bin/sleep\0" "100\0"), (size_t)-1, NULL);
}

static void test_no_final_nul(void **state)
{
	check_arg(CMD("/bin/sleep\0" "100"), 1, "100");
	check_arg(CMD("/bin/sleep\0" "100"), 2, NULL);
	check_arg(CMD("nginx: worker process"), 0, "nginx: worker process");
	check_arg(CMD("nginx: worker process"), 1, NULL);
}

static void test_empty_args(void **state)
{
	/* No argument at all. */
	check_arg(CMD(""), 0, NULL);
	/* One empty argument. */
	check_arg(CMD("\0"), 0, "");
	check_arg(CMD("\0"), 1, NULL);
	/* Empty arguments in the middle and at the end. */
	check_arg(CMD("a\0\0b\0\0"), 0, "a");
	check_arg(CMD("a\0\0b\0\0"), 1, "");
	check_arg(CMD("a\0\0b\0\0"), 2, "b");
	check_arg(CMD("a\0\0b\0\0"), 3, "");
	check_arg(CMD("a\0\0b\0\0"), 4, NULL);
	check_arg(CMD("\0\0\0"), 2, "");
	check_arg(CMD("\0\0\0"), 3, NULL);
	check_arg(NULL, 0, 0, NULL);
}

static void test_bytes(void **state)
{
	check_arg(CMD("./a b\nc\xff\0" "x\0"), 0, "./a b\nc\xff");
	check_arg(CMD("./a b\nc\xff\0" "x\0"), 1, "x");
}

/* pe_loader_program_index() on [S, S + LEN): EXPECT, or the error R. */
static void check_prog(const char *s, size_t len, int r, size_t expect)
{
	char *copy = dup_exact(s, len);
	size_t index = 777;

	assert_int_equal(pe_loader_program_index(copy, len, &index), r);
	assert_int_equal(index, r == 0 ? expect : 777);
	free(copy);
}

#define LDSO "/lib64/ld-linux-x86-64.so.2\0"

static void test_loader_plain(void **state)
{
	check_prog(CMD(LDSO "./prog\0" "arg\0"), 0, 1);
	check_prog(CMD(LDSO "./prog"), 0, 1);
	check_prog(CMD(LDSO "prog\0" "--preload\0" "x\0"), 0, 1);
	/* Single-dash arguments are not options to ld.so. */
	check_prog(CMD(LDSO "-\0"), 0, 1);
	check_prog(CMD(LDSO "-v\0" "prog\0"), 0, 1);
	/* An empty argument is a (bad) program name all the same. */
	check_prog(CMD(LDSO "\0" "prog\0"), 0, 1);
}

static void test_loader_options(void **state)
{
	check_prog(CMD(LDSO "--library-path\0" "/opt/lib\0" "./prog\0"), 0, 3);
	check_prog(CMD(LDSO "--inhibit-cache\0" "--preload\0" "libx.so\0" "--argv0\0" "name\0"
	               "--audit\0" "a.so\0" "--inhibit-rpath\0" "b.so\0"
	               "--glibc-hwcaps-prefix\0" "/p\0" "--glibc-hwcaps-mask\0" "x86-64-v3\0"
	               "--verify\0" "--list\0" "/bin/true\0" "-x\0"), 0, 16);
	check_prog(CMD(LDSO "--list-tunables\0" "--list-diagnostics\0" "--help\0" "--version\0"
	               "p\0"), 0, 5);
	/* An option's argument is skipped even when it looks like an option. */
	check_prog(CMD(LDSO "--argv0\0" "--list\0" "prog\0"), 0, 3);
	check_prog(CMD(LDSO "--argv0\0" "--\0" "prog\0"), 0, 3);
	check_prog(CMD(LDSO "--preload\0" "\0" "prog\0"), 0, 3);
}

static void test_loader_equals(void **state)
{
	check_prog(CMD(LDSO "--library-path=/opt/lib\0" "./prog\0"), 0, 2);
	check_prog(CMD(LDSO "--argv0=\0" "--preload=a:b\0" "./prog\0"), 0, 3);
	check_prog(CMD(LDSO "--argv0=x=y\0" "./prog\0"), 0, 2);
	/* Flags take no value. */
	check_prog(CMD(LDSO "--list=yes\0" "./prog\0"), -EINVAL, 0);
}

static void test_loader_double_dash(void **state)
{
	check_prog(CMD(LDSO "--\0" "./prog\0"), 0, 2);
	check_prog(CMD(LDSO "--\0" "--list\0"), 0, 2);
	check_prog(CMD(LDSO "--\0" "--\0"), 0, 2);
	check_prog(CMD(LDSO "--verify\0" "--\0" "\0"), 0, 3);
	check_prog(CMD(LDSO "--\0"), -ENOENT, 0);
}

static void test_loader_no_program(void **state)
{
	check_prog(CMD(""), -ENOENT, 0);
	check_prog(CMD("\0"), -ENOENT, 0);
	check_prog(CMD(LDSO), -ENOENT, 0);
	check_prog(CMD("/lib64/ld-linux-x86-64.so.2"), -ENOENT, 0);
	check_prog(CMD(LDSO "--list\0"), -ENOENT, 0);
	check_prog(CMD(LDSO "--library-path\0"), -ENOENT, 0);
	check_prog(CMD(LDSO "--library-path\0" "/lib\0"), -ENOENT, 0);
	check_prog(CMD(LDSO "--library-path=/lib\0"), -ENOENT, 0);
	check_prog(NULL, 0, -ENOENT, 0);
}

static void test_loader_unknown(void **state)
{
	check_prog(CMD(LDSO "--frobnicate\0" "./prog\0"), -EINVAL, 0);
	check_prog(CMD(LDSO "--lis\0" "./prog\0"), -EINVAL, 0);
	check_prog(CMD(LDSO "--list-\0" "./prog\0"), -EINVAL, 0);
	check_prog(CMD(LDSO "--LIST\0" "./prog\0"), -EINVAL, 0);
	check_prog(CMD(LDSO "--=x\0" "./prog\0"), -EINVAL, 0);
	check_prog(CMD(LDSO "---\0" "./prog\0"), -EINVAL, 0);
	/* Case and NUL boundaries: "--list" split across two arguments. */
	check_prog(CMD(LDSO "--li\0" "st\0"), -EINVAL, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_args),
		cmocka_unit_test(test_no_final_nul),
		cmocka_unit_test(test_empty_args),
		cmocka_unit_test(test_bytes),
		cmocka_unit_test(test_loader_plain),
		cmocka_unit_test(test_loader_options),
		cmocka_unit_test(test_loader_equals),
		cmocka_unit_test(test_loader_double_dash),
		cmocka_unit_test(test_loader_no_program),
		cmocka_unit_test(test_loader_unknown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
