/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests for pe_parse_stat(). */
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

/* Fields 23..52 of a real line; the parser must not care about them. */
#define TAIL " 3133440 410 18446744073709551615 94259814264832 94259814284713" \
	" 140734747341600 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0 94259814300720" \
	" 94259814302336 94260359184384 140734747347401 140734747347421" \
	" 140734747347421 140734747348971 0\n"

/* Parse the first LEN bytes of S from an exactly sized heap copy, so that
 * a read past LEN is caught by ASan. */
static int parse_n(const char *s, size_t len, struct pe_stat *st)
{
	char *copy = malloc(len ? len : 1);
	int r;

	assert_non_null(copy);
	memcpy(copy, s, len);
	r = pe_parse_stat(copy, len, st);
	free(copy);
	return r;
}

static int parse(const char *s, struct pe_stat *st)
{
	return parse_n(s, strlen(s), st);
}

static void test_typical(void **state)
{
	struct pe_stat st;

	assert_int_equal(parse("7703 (cat) R 7701 7701 4486 0 -1 4194304 101 0 0 0 0 0"
	                       " 0 0 20 0 1 0 76035" TAIL, &st), 0);
	assert_int_equal(st.pid, 7703);
	assert_string_equal(st.comm, "cat");
	assert_int_equal(st.state, 'R');
	assert_int_equal(st.ppid, 7701);
	assert_int_equal(st.flags, 4194304);
	assert_false(st.flags & PE_PF_KTHREAD);
	assert_int_equal(st.starttime, 76035);
}

static void test_kthread(void **state)
{
	struct pe_stat st;

	assert_int_equal(parse("2 (kthreadd) S 0 0 0 0 -1 2129984 0 0 0 0 0 0 0 0 20 0 1 0"
	                       " 19 0 0 18446744073709551615 0 0\n", &st), 0);
	assert_int_equal(st.pid, 2);
	assert_int_equal(st.ppid, 0);
	assert_true(st.flags & PE_PF_KTHREAD);
	assert_int_equal(st.starttime, 19);
}

static void test_comm_with_parens_and_spaces(void **state)
{
	struct pe_stat st;

	assert_int_equal(parse("42 (a) S 1 (x) ) Z 5 0 0 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 7\n",
	                       &st), 0);
	assert_int_equal(st.pid, 42);
	assert_string_equal(st.comm, "a) S 1 (x) ");
	assert_int_equal(st.state, 'Z');
	assert_int_equal(st.ppid, 5);
	assert_int_equal(st.starttime, 7);
}

static void test_comm_with_newline(void **state)
{
	struct pe_stat st;

	assert_int_equal(parse("9 (a\nb) S 1 0 0 0 -1 64 0 0 0 0 0 0 0 0 20 0 1 0 3\n", &st), 0);
	assert_string_equal(st.comm, "a\nb");
	assert_int_equal(st.flags, 64);
}

static void test_comm_empty(void **state)
{
	struct pe_stat st;

	assert_int_equal(parse("9 () S 1 0 0 0 -1 64 0 0 0 0 0 0 0 0 20 0 1 0 3", &st), 0);
	assert_string_equal(st.comm, "");
}

static void test_comm_truncated(void **state)
{
	char line[512], comm[101];
	struct pe_stat st;

	memset(comm, 'c', 100);
	comm[100] = '\0';
	snprintf(line, sizeof(line), "9 (%s) S 1 0 0 0 -1 64 0 0 0 0 0 0 0 0 20 0 1 0 3\n", comm);
	assert_int_equal(parse(line, &st), 0);
	assert_int_equal(strlen(st.comm), sizeof(st.comm) - 1);
	assert_memory_equal(st.comm, comm, sizeof(st.comm) - 1);
	assert_int_equal(st.starttime, 3);
}

static void test_exactly_22_fields(void **state)
{
	static const char line[] = "1 (init) S 0 1 1 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 18446744073709551615";
	struct pe_stat st;

	/* No newline, nothing after starttime, starttime at its maximum. */
	assert_int_equal(parse(line, &st), 0);
	assert_int_equal(st.starttime, UINT64_MAX);
}

static void test_missing_fields(void **state)
{
	static const char line[] = "1 (init) S 0 1 1 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 77 8\n";
	struct pe_stat st;
	size_t cut;

	/* Every proper prefix that stops before starttime is complete fails. */
	for (cut = 0; cut < strlen(line); cut++) {
		const char *sp = strstr(line, " 77");
		int r = parse_n(line, cut, &st);

		if (cut <= (size_t)(sp - line) + 1)
			assert_int_equal(r, -EINVAL);
		else
			assert_int_equal(r, 0);
	}
	/* A truncated starttime is still a number; only its value is short. */
	assert_int_equal(parse_n(line, strlen(line) - 4, &st), 0);
	assert_int_equal(st.starttime, 7);
}

static void test_malformed(void **state)
{
	static const char *const bad[] = {
		"",
		"\n",
		"1 init S 0 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 7\n",             /* no parens */
		"1 (init S 0 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 7\n",            /* no ')' */
		"1 )init( S 0 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 7\n",           /* reversed */
		"(init) S 0 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 7\n",             /* no pid */
		" (init) S 0 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 7\n",            /* empty pid */
		"1(init) S 0 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 7\n",            /* no space */
		"x1 (init) S 0 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 7\n",          /* bad pid */
		"-1 (init) S 0 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 7\n",          /* negative pid */
		"1 (init)S 0 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 7\n",            /* no space */
		"1 (init) SS 0 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 7\n",          /* long state */
		"1 (init) 5 0 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 7\n",           /* digit state */
		"1 (init) S -1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 7\n",          /* negative ppid */
		"1 (init) S 0 1 1 0 -1 -4 0 0 0 0 0 0 0 0 20 0 1 0 7\n",          /* negative flags */
		"1 (init) S 0 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 -7\n",          /* negative start */
		"1 (init) S 0  1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 7\n",          /* empty field */
		"1 (init) S 0 1 1 0 x 0 0 0 0 0 0 0 0 0 20 0 1 0 7\n",            /* non-numeric */
		"1 (init) S 0 1 1 0 - 0 0 0 0 0 0 0 0 0 20 0 1 0 7\n",            /* lone minus */
		"1 (init) S 0 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 7x\n",          /* junk */
		"1 (init) S 0 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0\n 7\n",         /* split line */
		"1 (init) S 0 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 \n",            /* empty start */
	};
	struct pe_stat st;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&st, 0x5a, sizeof(st));
		if (parse(bad[i], &st) != -EINVAL)
			fail_msg("accepted: \"%s\"", bad[i]);
		/* *ret is left alone on failure. */
		assert_int_equal(st.pid, 0x5a5a5a5a);
	}
}

static void test_overflow(void **state)
{
	struct pe_stat st;

	assert_int_equal(parse("2147483647 (a) S 2147483647 0 0 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 1\n",
	                       &st), 0);
	assert_int_equal(st.pid, 2147483647);
	assert_int_equal(st.ppid, 2147483647);
	assert_int_equal(parse("2147483648 (a) S 1 0 0 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 1\n", &st),
	                 -ERANGE);
	assert_int_equal(parse("1 (a) S 2147483648 0 0 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 1\n", &st),
	                 -ERANGE);
	assert_int_equal(parse("1 (a) S 1 0 0 0 -1 18446744073709551616 0 0 0 0 0 0 0 0 20 0 1 0 1\n",
	                       &st), -ERANGE);
	assert_int_equal(parse("1 (a) S 1 0 0 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 18446744073709551616\n",
	                       &st), -ERANGE);
	assert_int_equal(parse("1 (a) S 1 0 0 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0"
	                       " 99999999999999999999999999999999999\n", &st), -ERANGE);
	/* Leading zeros do not overflow. */
	assert_int_equal(parse("0000000000000000000000001 (a) S 1 0 0 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0"
	                       " 000000000000000000000000018446744073709551615\n", &st), 0);
	assert_int_equal(st.pid, 1);
	assert_int_equal(st.starttime, UINT64_MAX);
}

static void test_self(void **state)
{
	char buf[4096];
	struct pe_stat st;
	ssize_t n;
	int fd;

	fd = open("/proc/self/stat", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		skip();
	n = read(fd, buf, sizeof(buf));
	close(fd);
	assert_true(n > 0);
	assert_int_equal(parse_n(buf, (size_t)n, &st), 0);
	assert_int_equal(st.pid, getpid());
	assert_int_equal(st.ppid, getppid());
	assert_int_equal(st.state, 'R');
	assert_false(st.flags & PE_PF_KTHREAD);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_typical),
		cmocka_unit_test(test_kthread),
		cmocka_unit_test(test_comm_with_parens_and_spaces),
		cmocka_unit_test(test_comm_with_newline),
		cmocka_unit_test(test_comm_empty),
		cmocka_unit_test(test_comm_truncated),
		cmocka_unit_test(test_exactly_22_fields),
		cmocka_unit_test(test_missing_fields),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_overflow),
		cmocka_unit_test(test_self),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
