/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests for src/diagnose.c: which advice a permission denial gets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <string.h>

#include "diagnose.h"

/* /proc/self/status around a CapEff line holding MASK. */
#define STATUS(mask) \
	"Name:\tprocexe\nUmask:\t0022\nState:\tR (running)\nUid:\t0\t0\t0\t0\n" \
	"CapInh:\t0000000000000000\nCapPrm:\t000001ffffffffff\n" \
	"CapEff:\t" mask "\nCapBnd:\t000001ffffffffff\nCapAmb:\t0000000000000000\n" \
	"NoNewPrivs:\t0\nSeccomp:\t0\n"
#define ALL_CAPS   "000001ffffffffff"
#define NO_PTRACE  "000001fffff7ffff"       /* bit 19 clear */
#define NO_SEARCH  "000001fffffffffb"       /* bit 2 clear */
#define NO_BOTH    "000001fffff7fffb"
#define IDENTITY   "         0          0 4294967295\n"

static bool has(const char *s, const char *word)
{
	return s && strstr(s, word) != NULL;
}

static void test_not_root(void **state)
{
	(void)state;
	/* whatever the capabilities and namespace: a plain user is told to be root */
	assert_string_equal(denial_advice_for(1000, STATUS(ALL_CAPS), IDENTITY),
	                    "run as root to see them all");
	assert_string_equal(denial_advice_for(65534, STATUS(NO_BOTH), "0 1000 1\n"),
	                    "run as root to see them all");
	assert_string_equal(denial_advice_for(1, NULL, NULL), "run as root to see them all");
}

static void test_missing_caps(void **state)
{
	const char *a;

	(void)state;
	a = denial_advice_for(0, STATUS(NO_PTRACE), IDENTITY);
	assert_true(has(a, "CAP_SYS_PTRACE"));
	assert_false(has(a, "CAP_DAC_READ_SEARCH"));
	assert_false(has(a, "run as root"));
	a = denial_advice_for(0, STATUS(NO_SEARCH), IDENTITY);
	assert_true(has(a, "CAP_DAC_READ_SEARCH"));
	assert_false(has(a, "CAP_SYS_PTRACE"));
	a = denial_advice_for(0, STATUS(NO_BOTH), IDENTITY);
	assert_true(has(a, "CAP_SYS_PTRACE") && has(a, "CAP_DAC_READ_SEARCH"));
	/* a missing capability is named before the namespace */
	a = denial_advice_for(0, STATUS(NO_PTRACE), "0 0 1\n");
	assert_true(has(a, "CAP_SYS_PTRACE"));
	/* uppercase hex, no other line before it */
	a = denial_advice_for(0, "CapEff:\t000001FFFFF7FFFF\n", IDENTITY);
	assert_true(has(a, "CAP_SYS_PTRACE"));
	/* the last line without a newline */
	a = denial_advice_for(0, "CapEff: 0", IDENTITY);
	assert_true(has(a, "CAP_SYS_PTRACE") && has(a, "CAP_DAC_READ_SEARCH"));
}

static void test_user_namespace(void **state)
{
	static const char *const maps[] = {
		"0 0 1\n",                      /* unshare -r as root */
		"0 1000 1\n",                   /* unshare -r as a user */
		"0 100000 65536\n",             /* a container */
		"0 0 4294967294\n",             /* one short */
		"0 0 4294967295\n1 1 1\n",      /* a second line */
		"",                             /* no map written yet */
		"0 0 42949672950\n",
		"garbage",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(maps) / sizeof(maps[0]); i++) {
		const char *a = denial_advice_for(0, STATUS(ALL_CAPS), maps[i]);

		assert_true(has(a, "user namespace"));
		assert_false(has(a, "run as root"));
	}
}

static void test_kernel_refused(void **state)
{
	static const char *const identity[] = {
		IDENTITY, "0 0 4294967295\n", "0 0 4294967295", "\t0\t0\t4294967295\n\n",
	};
	const char *a;

	(void)state;
	for (size_t i = 0; i < sizeof(identity) / sizeof(identity[0]); i++) {
		a = denial_advice_for(0, STATUS(ALL_CAPS), identity[i]);
		assert_true(has(a, "the kernel refused even root"));
		assert_true(has(a, "not fixed by running as root"));
	}
	/* unreadable files: those checks are skipped */
	a = denial_advice_for(0, NULL, NULL);
	assert_true(has(a, "the kernel refused even root"));
	/* no CapEff line, or a malformed one: not a missing capability */
	a = denial_advice_for(0, "Name:\tx\n", IDENTITY);
	assert_true(has(a, "the kernel refused even root"));
	a = denial_advice_for(0, "CapEff:\tzz\n", IDENTITY);
	assert_true(has(a, "the kernel refused even root"));
	a = denial_advice_for(0, "CapEff:\t1fg\n", IDENTITY);
	assert_true(has(a, "the kernel refused even root"));
	/* "CapEff" only at the start of a line counts */
	a = denial_advice_for(0, "Name:\tCapEff: 0\nCapEff:\t" ALL_CAPS "\n", IDENTITY);
	assert_true(has(a, "the kernel refused even root"));
}

static void test_self(void **state)
{
	(void)state;
	/* this process: one of the four answers, never NULL */
	assert_non_null(denial_advice());
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_not_root),
		cmocka_unit_test(test_missing_caps),
		cmocka_unit_test(test_user_namespace),
		cmocka_unit_test(test_kernel_refused),
		cmocka_unit_test(test_self),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
