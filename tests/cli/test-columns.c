/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests for src/columns.c: the column table and -o list parsing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "procexe.h"

#include "columns.h"

static const struct colset scan_defaults = {
	.n = 6,
	.ids = { COL_PID, COL_USER, COL_COMM, COL_STATE, COL_MODIFIED, COL_EXE },
};

static void expect_set(const struct colset *got, const int *want, size_t n)
{
	assert_int_equal(got->n, n);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(got->ids[i], want[i]);
}

/* Parse LIST and expect success with exactly the ids WANT. */
#define expect_ok(list, defaults, ...) do {                                   \
	static const int want_[] = { __VA_ARGS__ };                            \
	struct colset got_ = { .n = 99 };                                      \
	const char *bad_ = NULL;                                               \
	size_t badlen_ = 99;                                                   \
	assert_int_equal(colset_parse(list, defaults, &got_, &bad_, &badlen_), 0); \
	expect_set(&got_, want_, sizeof(want_) / sizeof(want_[0]));            \
	assert_null(bad_);                                                     \
} while (0)

/* Parse LIST and expect -EINVAL naming BADLEN bytes at offset BADOFF. */
static void expect_bad(const char *list, size_t badoff, size_t badlen)
{
	struct colset got = { .n = 99 };
	const char *bad = NULL;
	size_t blen = 99;

	assert_int_equal(colset_parse(list, &scan_defaults, &got, &bad, &blen), -EINVAL);
	assert_ptr_equal(bad, list + badoff);
	assert_int_equal(blen, badlen);
	assert_int_equal(got.n, 99);            /* not written on failure */
}

static void test_table(void **state)
{
	for (int i = 0; i < _COL_MAX; i++) {
		assert_non_null(infos[i].name);
		assert_non_null(infos[i].help);
		assert_true(strlen(infos[i].help) > 0);
		for (const char *p = infos[i].name; *p; p++)
			assert_true(isupper((unsigned char)*p));
		for (int j = 0; j < i; j++)
			assert_string_not_equal(infos[i].name, infos[j].name);
	}
	assert_int_equal(infos[COL_PID].type, COLTYPE_NUMBER);
	assert_int_equal(infos[COL_DELETED].type, COLTYPE_BOOLEAN);
	assert_int_equal(infos[COL_MODIFIED].type, COLTYPE_BOOLEAN);
	assert_int_equal(infos[COL_EXE].type, COLTYPE_STRING);
	assert_string_equal(col_type_name(COLTYPE_NUMBER), "number");
	assert_string_equal(col_type_name(COLTYPE_BOOLEAN), "boolean");
	assert_string_equal(col_type_name(COLTYPE_STRING), "string");
}

static void test_defaults(void **state)
{
	static const int scan[] = { COL_PID, COL_USER, COL_COMM, COL_STATE,
				    COL_MODIFIED, COL_EXE };
	static const int ls[] = { COL_PID, COL_USER, COL_COMM, COL_STATE, COL_EXE };
	struct colset all;

	expect_set(&default_scan_columns, scan, 6);
	expect_set(&default_ls_columns, ls, 5);
	colset_all(&all);
	assert_int_equal(all.n, _COL_MAX);
	for (int i = 0; i < _COL_MAX; i++)
		assert_int_equal(all.ids[i], i);
}

static void test_details(void **state)
{
	struct colset set = { .n = 0 };

	/* only what the shown columns need: each detail costs syscalls */
	assert_int_equal(colset_details(&set), 0);
	set = (struct colset){ .n = 3, .ids = { COL_PID, COL_STATE, COL_EXE } };
	assert_int_equal(colset_details(&set), 0);
	/* COMM alone is read from the comm file, cheaper than all of stat */
	assert_int_equal(colset_details(&default_ls_columns),
			 PROCEXE_DETAIL_COMM | PROCEXE_DETAIL_UID);
	set = (struct colset){ .n = 1, .ids = { COL_PPID } };
	assert_int_equal(colset_details(&set), PROCEXE_DETAIL_STAT);
	set = (struct colset){ .n = 1, .ids = { COL_CMDLINE } };
	assert_int_equal(colset_details(&set), PROCEXE_DETAIL_CMDLINE);
	set = (struct colset){ .n = 1, .ids = { COL_ROOT } };
	assert_int_equal(colset_details(&set), PROCEXE_DETAIL_ROOT);
	colset_all(&set);
	assert_int_equal(colset_details(&set), PROCEXE_DETAIL_ALL);
}

static void test_by_name(void **state)
{
	assert_int_equal(column_by_name("PID", 3), COL_PID);
	assert_int_equal(column_by_name("pid", 3), COL_PID);
	assert_int_equal(column_by_name("Exe", 3), COL_EXE);
	assert_int_equal(column_by_name("CMDLINE", 7), COL_CMDLINE);
	/* only LEN bytes count */
	assert_int_equal(column_by_name("PPID,EXE", 4), COL_PPID);
	assert_int_equal(column_by_name("PI", 2), -1);
	assert_int_equal(column_by_name("PIDX", 4), -1);
	assert_int_equal(column_by_name("FOO", 3), -1);
	assert_int_equal(column_by_name("", 0), -1);
	for (int i = 0; i < _COL_MAX; i++)
		assert_int_equal(column_by_name(infos[i].name, strlen(infos[i].name)), i);
}

static void test_replace(void **state)
{
	expect_ok("PID", &scan_defaults, COL_PID);
	expect_ok("exe,pid", &scan_defaults, COL_EXE, COL_PID);
	expect_ok("PID,STATE,EXE,LINK,DEV,INODE,NLINK", &scan_defaults,
		  COL_PID, COL_STATE, COL_EXE, COL_LINK, COL_DEV, COL_INODE, COL_NLINK);
}

static void test_append(void **state)
{
	expect_ok("+PPID", &scan_defaults, COL_PID, COL_USER, COL_COMM, COL_STATE,
		  COL_MODIFIED, COL_EXE, COL_PPID);
	expect_ok("+cmdline,start", &default_ls_columns, COL_PID, COL_USER, COL_COMM,
		  COL_STATE, COL_EXE, COL_CMDLINE, COL_START);
}

static void test_duplicates(void **state)
{
	/* kept once, at the first position */
	expect_ok("EXE,PID,exe", &scan_defaults, COL_EXE, COL_PID);
	expect_ok("PID,PID,PID", &scan_defaults, COL_PID);
	/* already a default: "+" does not add it again */
	expect_ok("+PID,EXE", &scan_defaults, COL_PID, COL_USER, COL_COMM, COL_STATE,
		  COL_MODIFIED, COL_EXE);
}

static void test_every_column_fits(void **state)
{
	char list[1024] = "";
	struct colset got;
	const char *bad = NULL;
	size_t badlen = 0;

	/* all columns, twice, and appended to defaults: never above _COL_MAX */
	for (int pass = 0; pass < 2; pass++) {
		for (int i = 0; i < _COL_MAX; i++) {
			strcat(list, infos[i].name);
			strcat(list, ",");
		}
	}
	list[strlen(list) - 1] = '\0';
	assert_int_equal(colset_parse(list, &scan_defaults, &got, &bad, &badlen), 0);
	assert_int_equal(got.n, _COL_MAX);
	memmove(list + 1, list, strlen(list) + 1);
	list[0] = '+';
	assert_int_equal(colset_parse(list, &scan_defaults, &got, &bad, &badlen), 0);
	assert_int_equal(got.n, _COL_MAX);
}

static void test_unknown(void **state)
{
	expect_bad("FOO", 0, 3);
	expect_bad("PID,FOO,EXE", 4, 3);
	expect_bad("+PID,BAR", 5, 3);
	expect_bad("PID ", 0, 4);               /* no trimming */
	expect_bad("PI", 0, 2);
}

static void test_empty(void **state)
{
	expect_bad("", 0, 0);
	expect_bad("+", 1, 0);
	expect_bad(",", 0, 0);
	expect_bad("PID,", 4, 0);
	expect_bad("PID,,EXE", 4, 0);
	expect_bad(",PID", 0, 0);
	expect_bad("++PID", 1, 4);              /* one '+' only */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_details),
		cmocka_unit_test(test_by_name),
		cmocka_unit_test(test_replace),
		cmocka_unit_test(test_append),
		cmocka_unit_test(test_duplicates),
		cmocka_unit_test(test_every_column_fits),
		cmocka_unit_test(test_unknown),
		cmocka_unit_test(test_empty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
