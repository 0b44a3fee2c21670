/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The judgement of one mapped file, driven by synthetic facts and a fake world. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <cmocka.h>

#include "internal.h"

#define SEC 1000000000ull
#define BOOT (1000 * SEC)

/* What stands at each path of the fake world. */
struct fake {
	const char *paths[4];
	struct pe_found found[4];
	uint64_t start;
	unsigned lookups, start_calls;
};

static void fake_lookup(void *u, const char *text, size_t len, uint64_t dev, uint64_t ino,
                        struct pe_found *ret)
{
	struct fake *f = u;

	f->lookups++;
	for (size_t i = 0; i < 4 && f->paths[i]; i++)
		if (strlen(f->paths[i]) == len && memcmp(f->paths[i], text, len) == 0) {
			*ret = f->found[i];
			return;
		}
	*ret = (struct pe_found){ .r = PE_LOOKUP_ABSENT, .err = ENOENT };
}

static uint64_t fake_start(void *u)
{
	struct fake *f = u;

	f->start_calls++;
	return f->start;
}

static const struct pe_map_ops ops = { .lookup = fake_lookup, .start_ns = fake_start };

static struct pe_mapfile_facts facts(const char *text, uint64_t dev, uint64_t ino)
{
	size_t len = strlen(text);

	return (struct pe_mapfile_facts){
		.text = text,
		.text_len = len,
		.suffix = len > PE_DELETED_SUFFIX_LEN &&
		          strcmp(text + len - PE_DELETED_SUFFIX_LEN, PE_DELETED_SUFFIX) == 0,
		.dev = dev,
		.ino = ino,
	};
}

static struct pe_map_verdict judge(const struct pe_mapfile_facts *f, struct fake *w)
{
	struct pe_map_verdict v;

	pe_judge_map(f, BOOT, &ops, w, &v);
	return v;
}

static const struct pe_found same_old = {
	.r = PE_LOOKUP_SAME, .t = { .m = BOOT - SEC, .c = BOOT - SEC, .b = BOOT - 2 * SEC },
};
/* written in place at BOOT + 50 s (mtime and ctime together), born before */
static const struct pe_found same_new = {
	.r = PE_LOOKUP_SAME, .t = { .m = BOOT + 50 * SEC, .c = BOOT + 50 * SEC, .b = BOOT + SEC },
};
static const struct pe_found different = { .r = PE_LOOKUP_DIFFERENT };

static void test_shmem_is_fileless_without_lookups(void **state)
{
	struct fake w = { 0 };
	struct pe_mapfile_facts f = facts("/memfd:jit (deleted)", makedev(0, 1), 7);
	struct pe_map_verdict v;

	f.shmem_dev = true;
	v = judge(&f, &w);
	assert_int_equal(v.state, PROCEXE_MAP_FILELESS);
	assert_int_equal(w.lookups, 0);
	/* SysV segments and shared anonymous memory live there too */
	f = facts("/SYSV00000000 (deleted)", makedev(0, 1), 9);
	f.shmem_dev = true;
	assert_int_equal(judge(&f, &w).state, PROCEXE_MAP_FILELESS);
}

static void test_pseudo_names_need_an_internal_device(void **state)
{
	struct fake w = { 0 };
	struct pe_mapfile_facts f;

	/* hugetlbfs memfd, aio ring, DRM object: internal mounts, major 0 */
	f = facts("/memfd:big (deleted)", makedev(0, 17), 3);
	assert_int_equal(judge(&f, &w).state, PROCEXE_MAP_FILELESS);
	f = facts("/[aio] (deleted)", makedev(0, 18), 4);
	assert_int_equal(judge(&f, &w).state, PROCEXE_MAP_FILELESS);
	f = facts("/drm mm object (deleted)", makedev(0, 1), 5);
	assert_int_equal(judge(&f, &w).state, PROCEXE_MAP_FILELESS);
	assert_int_equal(w.lookups, 0);
	/* the same name for a real file on a disk is judged as a file */
	f = facts("/memfd:evil (deleted)", makedev(8, 1), 6);
	assert_int_equal(judge(&f, &w).state, PROCEXE_MAP_DELETED);
	assert_true(w.lookups > 0);
}

static void test_tmpfile_needs_its_own_inode(void **state)
{
	struct fake w = { 0 };
	struct pe_mapfile_facts f = facts("/tmp/#1234 (deleted)", makedev(8, 1), 1234);

	assert_int_equal(judge(&f, &w).state, PROCEXE_MAP_FILELESS);
	f = facts("/tmp/#1234 (deleted)", makedev(8, 1), 99);
	assert_int_equal(judge(&f, &w).state, PROCEXE_MAP_DELETED);
	f = facts("/tmp/#12a4 (deleted)", makedev(8, 1), 1234);
	assert_int_equal(judge(&f, &w).state, PROCEXE_MAP_DELETED);
}

static void test_suffix_nothing_there_is_deleted(void **state)
{
	struct fake w = { 0 };
	struct pe_mapfile_facts f = facts("/usr/lib/libx.so (deleted)", makedev(8, 1), 10);
	struct pe_map_verdict v = judge(&f, &w);

	assert_int_equal(v.state, PROCEXE_MAP_DELETED);
	assert_int_equal(v.path_len, strlen("/usr/lib/libx.so"));
	/* the name without the suffix, then the literal name */
	assert_int_equal(w.lookups, 2);
	assert_int_equal(w.start_calls, 0);
}

static void test_suffix_other_file_there_is_replaced(void **state)
{
	struct fake w = { .paths = { "/usr/lib/libx.so" }, .found = { different } };
	struct pe_mapfile_facts f = facts("/usr/lib/libx.so (deleted)", makedev(8, 1), 10);

	assert_int_equal(judge(&f, &w).state, PROCEXE_MAP_REPLACED);
}

static void test_suffix_unknown_is_still_deleted(void **state)
{
	struct fake w = {
		.paths = { "/usr/lib/libx.so" },
		.found = { { .r = PE_LOOKUP_UNKNOWN, .err = EACCES } },
	};
	struct pe_mapfile_facts f = facts("/usr/lib/libx.so (deleted)", makedev(8, 1), 10);

	/* the suffix proves the name was unlinked */
	assert_int_equal(judge(&f, &w).state, PROCEXE_MAP_DELETED);
}

static void test_literal_suffix_name_is_live(void **state)
{
	struct fake w = { .paths = { "/srv/x (deleted)" }, .found = { same_old } };
	struct pe_mapfile_facts f = facts("/srv/x (deleted)", makedev(8, 1), 10);
	struct pe_map_verdict v = judge(&f, &w);

	assert_int_equal(v.state, PROCEXE_MAP_OK);
	assert_int_equal(v.path_len, strlen("/srv/x (deleted)"));
}

static void test_suffix_relinked_same_name_is_live(void **state)
{
	struct fake w = { .paths = { "/srv/lib.so" }, .found = { same_new }, .start = BOOT + 10 * SEC };
	struct pe_mapfile_facts f = facts("/srv/lib.so (deleted)", makedev(8, 1), 10);
	struct pe_map_verdict v = judge(&f, &w);

	/* linked again after the start, and written meanwhile */
	assert_int_equal(v.state, PROCEXE_MAP_MODIFIED);
	assert_int_equal(v.path_len, strlen("/srv/lib.so"));
	assert_int_equal(w.lookups, 1);
}

static void test_live_unchanged_since_boot_skips_start(void **state)
{
	struct fake w = { .paths = { "/usr/lib/libc.so.6" }, .found = { same_old } };
	struct pe_mapfile_facts f = facts("/usr/lib/libc.so.6", makedev(8, 1), 10);

	assert_int_equal(judge(&f, &w).state, PROCEXE_MAP_OK);
	assert_int_equal(w.start_calls, 0);
}

static void test_live_changed_after_start_is_modified(void **state)
{
	struct fake w = { .paths = { "/usr/lib/libc.so.6" }, .found = { same_new },
	                  .start = BOOT + 49 * SEC };
	struct pe_mapfile_facts f = facts("/usr/lib/libc.so.6", makedev(8, 1), 10);
	struct pe_map_verdict v = judge(&f, &w);

	assert_int_equal(v.state, PROCEXE_MAP_MODIFIED);
	assert_int_equal(v.changed_ns, BOOT + 50 * SEC);
	assert_int_equal(w.start_calls, 1);
}

static void test_live_changed_before_start_is_ok(void **state)
{
	struct fake w = { .paths = { "/usr/lib/libc.so.6" }, .found = { same_new },
	                  .start = BOOT + 51 * SEC };
	struct pe_mapfile_facts f = facts("/usr/lib/libc.so.6", makedev(8, 1), 10);

	assert_int_equal(judge(&f, &w).state, PROCEXE_MAP_OK);
	/* unknown start: nothing proven */
	w.start = 0;
	assert_int_equal(judge(&f, &w).state, PROCEXE_MAP_OK);
}

static void test_installed_by_rename_is_ok(void **state)
{
	/* dpkg/rpm keep the build time as mtime; the rename sets ctime */
	struct fake w = {
		.paths = { "/usr/lib/libnss_x.so.2" },
		.found = { { .r = PE_LOOKUP_SAME,
		             .t = { .m = BOOT + 50 * SEC, .c = BOOT + 900 * SEC,
		                    .b = BOOT + 899 * SEC } } },
		.start = BOOT + 10 * SEC,
	};
	struct pe_mapfile_facts f = facts("/usr/lib/libnss_x.so.2", makedev(8, 1), 10);

	assert_int_equal(judge(&f, &w).state, PROCEXE_MAP_OK);
}

static void test_born_after_start_is_ok_unless_written_later(void **state)
{
	/* copied after the process started, then loaded: born = written */
	struct fake w = {
		.paths = { "/opt/plugin.so" },
		.found = { { .r = PE_LOOKUP_SAME,
		             .t = { .m = BOOT + 60 * SEC, .c = BOOT + 60 * SEC,
		                    .b = BOOT + 60 * SEC - SEC / 2 } } },
		.start = BOOT + 10 * SEC,
	};
	struct pe_mapfile_facts f = facts("/opt/plugin.so", makedev(8, 1), 10);

	assert_int_equal(judge(&f, &w).state, PROCEXE_MAP_OK);
	/* written again a minute after its birth: modified */
	w.found[0].t.m = w.found[0].t.c = BOOT + 120 * SEC;
	assert_int_equal(judge(&f, &w).state, PROCEXE_MAP_MODIFIED);
	/* no birth time known: the write after the start counts */
	w.found[0].t = (struct pe_times){ .m = BOOT + 60 * SEC, .c = BOOT + 60 * SEC };
	assert_int_equal(judge(&f, &w).state, PROCEXE_MAP_MODIFIED);
}

static void test_metadata_change_after_write_hides_it(void **state)
{
	/* documented limit: written, then chmod'ed a minute later */
	struct fake w = {
		.paths = { "/usr/lib/libc.so.6" },
		.found = { { .r = PE_LOOKUP_SAME,
		             .t = { .m = BOOT + 50 * SEC, .c = BOOT + 110 * SEC, .b = BOOT } } },
		.start = BOOT + 10 * SEC,
	};
	struct pe_mapfile_facts f = facts("/usr/lib/libc.so.6", makedev(8, 1), 10);

	assert_int_equal(judge(&f, &w).state, PROCEXE_MAP_OK);
	assert_int_equal(w.start_calls, 0);  /* decided before asking */
}

static void test_live_other_file_is_replaced(void **state)
{
	struct fake w = { .paths = { "/usr/lib/libc.so.6" }, .found = { different } };
	struct pe_mapfile_facts f = facts("/usr/lib/libc.so.6", makedev(8, 1), 10);

	assert_int_equal(judge(&f, &w).state, PROCEXE_MAP_REPLACED);
	assert_int_equal(w.lookups, 1);
}

static void test_live_absent_or_unreadable_is_unknown(void **state)
{
	struct fake w = {
		.paths = { "/opt/b/lib.so" },
		.found = { { .r = PE_LOOKUP_UNKNOWN, .err = EACCES } },
	};
	struct pe_mapfile_facts f = facts("/opt/a/lib.so", makedev(8, 1), 10);
	struct pe_map_verdict v = judge(&f, &w);

	/* not unlinked, not there: overmounted or detached, nothing proven */
	assert_int_equal(v.state, PROCEXE_MAP_UNKNOWN);
	assert_int_equal(v.err, ENOENT);
	f = facts("/opt/b/lib.so", makedev(8, 1), 10);
	v = judge(&f, &w);
	assert_int_equal(v.state, PROCEXE_MAP_UNKNOWN);
	assert_int_equal(v.err, EACCES);
}

static void test_relative_text_is_unknown(void **state)
{
	struct fake w = { 0 };
	struct pe_mapfile_facts f = facts("lib.so", makedev(8, 1), 10);
	struct pe_map_verdict v = judge(&f, &w);

	assert_int_equal(v.state, PROCEXE_MAP_UNKNOWN);
	assert_int_equal(v.err, EINVAL);
	assert_int_equal(w.lookups, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shmem_is_fileless_without_lookups),
		cmocka_unit_test(test_pseudo_names_need_an_internal_device),
		cmocka_unit_test(test_tmpfile_needs_its_own_inode),
		cmocka_unit_test(test_suffix_nothing_there_is_deleted),
		cmocka_unit_test(test_suffix_other_file_there_is_replaced),
		cmocka_unit_test(test_suffix_unknown_is_still_deleted),
		cmocka_unit_test(test_literal_suffix_name_is_live),
		cmocka_unit_test(test_suffix_relinked_same_name_is_live),
		cmocka_unit_test(test_live_unchanged_since_boot_skips_start),
		cmocka_unit_test(test_live_changed_after_start_is_modified),
		cmocka_unit_test(test_live_changed_before_start_is_ok),
		cmocka_unit_test(test_installed_by_rename_is_ok),
		cmocka_unit_test(test_born_after_start_is_ok_unless_written_later),
		cmocka_unit_test(test_metadata_change_after_write_hides_it),
		cmocka_unit_test(test_live_other_file_is_replaced),
		cmocka_unit_test(test_live_absent_or_unreadable_is_unknown),
		cmocka_unit_test(test_relative_text_is_unknown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
