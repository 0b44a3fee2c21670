/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* pe_judge_script(): the verdict on an interpreter's script from what
 * stands at its name, with a fake start time. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "internal.h"

#define SEC 1000000000ull
#define BOOT (1000 * SEC)
#define START (2000 * SEC)

static unsigned start_calls;

static uint64_t fake_start(void *u)
{
	start_calls++;
	return *(const uint64_t *)u;
}

static struct pe_map_verdict judge(struct pe_found at, uint64_t start)
{
	struct pe_map_verdict v;

	start_calls = 0;
	pe_judge_script(&at, BOOT, fake_start, &start, &v);
	return v;
}

static struct pe_found file(uint64_t m, uint64_t c, uint64_t b)
{
	return (struct pe_found){ .r = PE_LOOKUP_SAME, .t = { .m = m, .c = c, .b = b } };
}

static void test_absent(void **state)
{
	struct pe_map_verdict v = judge((struct pe_found){ .r = PE_LOOKUP_ABSENT, .err = ENOENT },
	                                START);

	assert_int_equal(v.state, PROCEXE_MAP_DELETED);
	assert_int_equal(v.err, 0);
}

static void test_unknown(void **state)
{
	struct pe_map_verdict v = judge((struct pe_found){ .r = PE_LOOKUP_UNKNOWN, .err = EXDEV },
	                                START);

	assert_int_equal(v.state, PROCEXE_MAP_UNKNOWN);
	assert_int_equal(v.err, EXDEV);
	v = judge((struct pe_found){ .r = PE_LOOKUP_UNKNOWN }, START);
	assert_int_equal(v.err, EIO);
}

static void test_old_file(void **state)
{
	/* unchanged since boot: the start is not even asked */
	struct pe_map_verdict v = judge(file(BOOT - SEC, BOOT - SEC, BOOT - 5 * SEC), START);

	assert_int_equal(v.state, PROCEXE_MAP_OK);
	assert_int_equal(start_calls, 0);
	/* written and born before the start */
	v = judge(file(START - SEC, START - SEC, START - 9 * SEC), START);
	assert_int_equal(v.state, PROCEXE_MAP_OK);
}

static void test_born_after_start(void **state)
{
	/* installed by rename, build mtime kept (dpkg) */
	struct pe_map_verdict v = judge(file(BOOT - 100 * SEC, START + 5 * SEC, START + 4 * SEC),
	                                START);

	assert_int_equal(v.state, PROCEXE_MAP_REPLACED);
	assert_int_equal(v.changed_ns, START + 4 * SEC);
	/* start unknown: nothing proven */
	v = judge(file(START + 5 * SEC, START + 5 * SEC, START + 5 * SEC), 0);
	assert_int_equal(v.state, PROCEXE_MAP_OK);
}

static void test_written_in_place(void **state)
{
	struct pe_map_verdict v = judge(file(START + 7 * SEC, START + 7 * SEC, START - 60 * SEC),
	                                START);

	assert_int_equal(v.state, PROCEXE_MAP_MODIFIED);
	assert_int_equal(v.changed_ns, START + 7 * SEC);
	/* a chmod or rename after the write: ctime later, not proven */
	v = judge(file(START + 7 * SEC, START + 70 * SEC, START - 60 * SEC), START);
	assert_int_equal(v.state, PROCEXE_MAP_OK);
	/* no birth time: written after the start is still modified */
	v = judge(file(START + 7 * SEC, START + 7 * SEC, 0), START);
	assert_int_equal(v.state, PROCEXE_MAP_MODIFIED);
	/* no birth time and a mere status change: not provable */
	v = judge(file(BOOT + SEC, START + 7 * SEC, 0), START);
	assert_int_equal(v.state, PROCEXE_MAP_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_absent),
		cmocka_unit_test(test_unknown),
		cmocka_unit_test(test_old_file),
		cmocka_unit_test(test_born_after_start),
		cmocka_unit_test(test_written_in_place),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
