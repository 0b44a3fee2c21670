/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests for pe_status_field(). */
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
#include <unistd.h>

#include "parse.h"

static const char sample[] =
	"Name:\tmy prog\\n\n"
	"Umask:\t0022\n"
	"State:\tS (sleeping)\n"
	"Tgid:\t7708\n"
	"Pid:\t7708\n"
	"PPid:\t7701\n"
	"Uid:\t1000\t1000\t1000\t1000\n"
	"Groups:\t \n"
	"NStgid:\t7708\t1\n"
	"NSpid:\t7708\t1\n"
	"Empty:\n"
	"Spaces:  \t padded \t \n"
	"Pid:\t9999\n"
	"Last:\t1";

/* Look KEY up in the first LEN bytes of S (an exactly sized heap copy);
 * EXPECT NULL means -ENOENT. */
static void check_n(const char *s, size_t len, const char *key, const char *expect)
{
	char *copy = malloc(len ? len : 1);
	const char *v = NULL;
	size_t v_len = 4242;
	int r;

	assert_non_null(copy);
	memcpy(copy, s, len);
	r = pe_status_field(copy, len, key, &v, &v_len);
	if (!expect) {
		assert_int_equal(r, -ENOENT);
		assert_null(v);
		assert_int_equal(v_len, 4242);
	} else {
		assert_int_equal(r, 0);
		assert_true(v >= copy && v + v_len <= copy + len);
		assert_int_equal(v_len, strlen(expect));
		assert_memory_equal(v, expect, v_len);
	}
	free(copy);
}

static void check(const char *key, const char *expect)
{
	check_n(sample, sizeof(sample) - 1, key, expect);
}

static void test_fields(void **state)
{
	check("Name", "my prog\\n");
	check("Umask", "0022");
	check("State", "S (sleeping)");
	check("PPid", "7701");
	check("Uid", "1000\t1000\t1000\t1000");
	check("NSpid", "7708\t1");
	check("NStgid", "7708\t1");
	check("Last", "1");
}

static void test_first_wins(void **state)
{
	check("Pid", "7708");
}

static void test_trim(void **state)
{
	check("Groups", "");
	check("Empty", "");
	check("Spaces", "padded");
	check_n("A:\r\n", 4, "A", "");
	check_n("A: x\r\n", 6, "A", "x");
}

static void test_absent(void **state)
{
	/* Exact key match only: no prefixes, no case folding. */
	check("Pi", NULL);
	check("pid", NULL);
	check("NS", NULL);
	check("Missing", NULL);
	check("\tTgid", NULL);
	check_n("", 0, "Pid", NULL);
	check_n("Pid", 3, "Pid", NULL);
	check_n("Pid:\t1", 3, "Pid", NULL);
	/* The key must start a line. */
	check_n("XPid:\t1\n", 8, "Pid", NULL);
	check_n("Name:\tPid:\t1\n", 13, "Pid", NULL);
}

static void test_cut_value(void **state)
{
	/* The value ends with the buffer when the newline is missing. */
	check_n("Pid:\t12", 7, "Pid", "12");
	check_n("Pid:\t12", 6, "Pid", "1");
	check_n("Pid:\t12", 5, "Pid", "");
	check_n("Pid:\t12", 4, "Pid", "");
}

static void test_bad_key(void **state)
{
	const char *v;
	size_t v_len;

	assert_int_equal(pe_status_field(sample, sizeof(sample) - 1, "", &v, &v_len), -EINVAL);
	assert_int_equal(pe_status_field(sample, sizeof(sample) - 1, "Pid:", &v, &v_len), -EINVAL);
	assert_int_equal(pe_status_field(sample, sizeof(sample) - 1, "a\nPid", &v, &v_len), -EINVAL);
	assert_int_equal(pe_status_field(NULL, 0, "Pid", &v, &v_len), -ENOENT);
}

static void test_self(void **state)
{
	char buf[8192], pid[32];
	const char *v;
	size_t v_len;
	ssize_t n;
	int fd;

	fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		skip();
	n = read(fd, buf, sizeof(buf));
	close(fd);
	assert_true(n > 0);
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	assert_int_equal(pe_status_field(buf, (size_t)n, "Pid", &v, &v_len), 0);
	assert_int_equal(v_len, strlen(pid));
	assert_memory_equal(v, pid, v_len);
	assert_int_equal(pe_status_field(buf, (size_t)n, "State", &v, &v_len), 0);
	assert_true(v_len > 0 && v[0] == 'R');
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_first_wins),
		cmocka_unit_test(test_trim),
		cmocka_unit_test(test_absent),
		cmocka_unit_test(test_cut_value),
		cmocka_unit_test(test_bad_key),
		cmocka_unit_test(test_self),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
