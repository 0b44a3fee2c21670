/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests for pe_parse_mountinfo_ids(). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "parse.h"

struct collect {
	uint64_t ids[16];
	size_t n;
	size_t stop_after;      /* return STOP_VALUE after this many ids; 0 = never */
};
#define STOP_VALUE 42

static int collect_cb(uint64_t id, void *userdata)
{
	struct collect *c = userdata;

	assert_true(c->n < sizeof(c->ids) / sizeof(c->ids[0]));
	c->ids[c->n++] = id;
	return c->stop_after && c->n == c->stop_after ? STOP_VALUE : 0;
}

/* Parse the first LEN bytes of S from an exactly sized heap copy. */
static int parse_n(const char *s, size_t len, struct collect *c)
{
	char *copy = malloc(len ? len : 1);
	int r;

	assert_non_null(copy);
	memcpy(copy, s, len);
	r = pe_parse_mountinfo_ids(copy, len, collect_cb, c);
	free(copy);
	return r;
}

static int parse(const char *s, struct collect *c)
{
	return parse_n(s, strlen(s), c);
}

static const char sample[] =
	"21 26 0:20 / /proc rw,relatime - proc proc rw\n"
	"22 26 0:21 / /sys rw,relatime - sysfs sysfs rw\n"
	"26 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw\n"
	"1234 26 0:45 /a\\040b /mnt/a\\040b\\012c rw - tmpfs tmpfs rw\n"
	"18446744073709551615 26 0:45 / /x rw - tmpfs tmpfs rw\n";

static void test_sample(void **state)
{
	struct collect c = { 0 };

	assert_int_equal(parse(sample, &c), 0);
	assert_int_equal(c.n, 5);
	assert_int_equal(c.ids[0], 21);
	assert_int_equal(c.ids[1], 22);
	assert_int_equal(c.ids[2], 26);
	assert_int_equal(c.ids[3], 1234);
	assert_int_equal(c.ids[4], UINT64_MAX);
}

static void test_no_final_newline(void **state)
{
	struct collect c = { 0 };

	assert_int_equal(parse_n(sample, sizeof(sample) - 2, &c), 0);
	assert_int_equal(c.n, 5);
	assert_int_equal(c.ids[4], UINT64_MAX);
}

static void test_empty(void **state)
{
	struct collect c = { 0 };

	assert_int_equal(parse("", &c), 0);
	assert_int_equal(c.n, 0);
	assert_int_equal(pe_parse_mountinfo_ids(NULL, 0, collect_cb, &c), 0);
	assert_int_equal(c.n, 0);
}

static void test_stop_early(void **state)
{
	struct collect c = { .stop_after = 2 };

	assert_int_equal(parse(sample, &c), STOP_VALUE);
	assert_int_equal(c.n, 2);
	assert_int_equal(c.ids[1], 22);
}

static int fail_cb(uint64_t id, void *userdata)
{
	unsigned *calls = userdata;

	(*calls)++;
	return -EIO;
}

static void test_negative_cb(void **state)
{
	unsigned calls = 0;

	/* The callback's value is returned as is, whatever its sign. */
	assert_int_equal(pe_parse_mountinfo_ids(sample, sizeof(sample) - 1, fail_cb, &calls), -EIO);
	assert_int_equal(calls, 1);
}

static void test_malformed(void **state)
{
	static const char *const bad[] = {
		"\n",
		"21 26 0:20 / /proc rw - proc proc rw\n\n",
		"x21 26 0:20 / /proc rw - proc proc rw\n",
		" 21 26 0:20 / /proc rw - proc proc rw\n",
		"-21 26 0:20 / /proc rw - proc proc rw\n",
		"21\n",
		"21",
		"21\t26 0:20 / /proc rw - proc proc rw\n",
		"2x1 26 0:20 / /proc rw - proc proc rw\n",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct collect c = { 0 };

		if (parse(bad[i], &c) != -EINVAL)
			fail_msg("accepted: \"%s\"", bad[i]);
	}
}

static void test_partial_before_error(void **state)
{
	struct collect c = { 0 };

	/* Lines before the bad one were reported. */
	assert_int_equal(parse("1 0 0:1 / / rw - x x rw\n2 0 0:1 / / rw - x x rw\nbad\n", &c),
	                 -EINVAL);
	assert_int_equal(c.n, 2);
}

static void test_overflow(void **state)
{
	struct collect c = { 0 };

	assert_int_equal(parse("18446744073709551616 26 0:45 / /x rw - tmpfs tmpfs rw\n", &c),
	                 -ERANGE);
	assert_int_equal(parse("99999999999999999999999 26 0:45 / /x rw - tmpfs tmpfs rw\n", &c),
	                 -ERANGE);
	assert_int_equal(c.n, 0);
	assert_int_equal(parse("00000000000000000000000000000007 1 0:45 / /x rw - t t rw\n", &c), 0);
	assert_int_equal(c.ids[0], 7);
}

static void test_null_cb(void **state)
{
	assert_int_equal(pe_parse_mountinfo_ids(sample, sizeof(sample) - 1, NULL, NULL), 0);
	assert_int_equal(pe_parse_mountinfo_ids("x\n", 2, NULL, NULL), -EINVAL);
}

static int count_cb(uint64_t id, void *userdata)
{
	size_t *n = userdata;

	(*n)++;
	return 0;
}

static void test_self(void **state)
{
	char *buf;
	size_t len = 0, size = 1 << 20, n = 0;
	ssize_t k;
	int fd;

	fd = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		skip();
	buf = malloc(size);
	assert_non_null(buf);
	while ((k = read(fd, buf + len, size - len)) > 0)
		len += (size_t)k;
	close(fd);
	assert_true(len < size);
	assert_int_equal(pe_parse_mountinfo_ids(buf, len, count_cb, &n), 0);
	assert_true(n >= 1);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sample),
		cmocka_unit_test(test_no_final_newline),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_stop_early),
		cmocka_unit_test(test_negative_cb),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_partial_before_error),
		cmocka_unit_test(test_overflow),
		cmocka_unit_test(test_null_cb),
		cmocka_unit_test(test_self),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
