/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The streaming maps reader (lines split across reads, overlong lines,
 * a last line without newline) and the set of distinct mapped files
 * (merging, first-appearance order, caps, many names of one inode), plus
 * PROCMAP_QUERY against the text on ourselves.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "internal.h"
#include "lines.h"
#include "parse.h"

static const char sample[] =
	"55d0c0a00000-55d0c0a02000 r--p 00000000 fe:00 1001                       /usr/bin/prog\n"
	"55d0c0a02000-55d0c0a08000 r-xp 00002000 fe:00 1001                       /usr/bin/prog\n"
	"55d0c1e4a000-55d0c1e6b000 rw-p 00000000 00:00 0                          [heap]\n"
	"7f1d2c000000-7f1d2c021000 rw-p 00000000 00:00 0 \n"
	"7f1d2e400000-7f1d2e428000 r--p 00000000 fe:00 2002                       /lib/libc.so.6\n"
	"7f1d2e428000-7f1d2e5bd000 r-xp 00028000 fe:00 2002                       /lib/libc.so.6\n"
	"7f1d2e600000-7f1d2e601000 r-xp 00000000 fe:00 3003                       /tmp/a b (deleted)\n"
	"7ffd1a3f0000-7ffd1a411000 rw-p 00000000 00:00 0                          [stack]";

/* Every line the reader returns equals what pe_maps_next() parses from
 * the whole buffer, whatever the read size. */
static void check_reader_matches(size_t chunk, size_t cap, bool files_only)
{
	const char *cur = sample, *end = sample + strlen(sample);
	struct pe_lines rd;
	struct pe_map a, b;
	int ra, rb;

	assert_int_equal(pe_lines_mem(&rd, sample, strlen(sample), chunk, cap), 0);
	for (;;) {
		ra = pe_lines_next_map(&rd, &a, files_only);
		do
			rb = files_only ? pe_maps_next_file(&cur, end, &b) : pe_maps_next(&cur, end, &b);
		while (rb < 0);
		assert_int_equal(ra, rb);
		if (ra == 0)
			break;
		assert_int_equal(a.start, b.start);
		assert_int_equal(a.ino, b.ino);
		assert_int_equal(a.deleted, b.deleted);
		assert_int_equal(a.path_len, b.path_len);
		if (a.path_len)
			assert_memory_equal(a.path, b.path, a.path_len);
	}
	assert_int_equal(rd.overlong, 0);
	pe_lines_close(&rd);
}

static void test_reader_chunks(void **state)
{
	size_t chunks[] = { 1, 2, 7, 64, 4096 };

	for (size_t i = 0; i < PE_ARRAY_SIZE(chunks); i++) {
		check_reader_matches(chunks[i], 128, false);
		check_reader_matches(chunks[i], 128, true);
		check_reader_matches(chunks[i], PE_LINE_MAX, true);
	}
}

/* A line longer than the buffer is skipped and counted; the next one is read. */
static void test_reader_overlong(void **state)
{
	char buf[1024];
	struct pe_lines rd;
	struct pe_map m;
	int n;

	n = snprintf(buf, sizeof(buf), "1000-2000 r-xp 00000000 fe:00 7 %*s/x\n%-72s /ok\n",
	             300, "/long", "3000-4000 r-xp 00000000 fe:00 8");
	assert_true(n > 0 && (size_t)n < sizeof(buf));
	for (size_t chunk = 1; chunk <= 512; chunk *= 8) {
		assert_int_equal(pe_lines_mem(&rd, buf, (size_t)n, chunk, 128), 0);
		assert_int_equal(pe_lines_next_map(&rd, &m, true), 1);
		assert_int_equal(m.ino, 8);
		assert_int_equal(m.path_len, 3);
		assert_int_equal(pe_lines_next_map(&rd, &m, true), 0);
		assert_int_equal(rd.overlong, 1);
		pe_lines_close(&rd);
	}
}

static struct pe_map file_map(uint64_t start, uint64_t ino, const char *path, bool exec,
                              bool deleted)
{
	return (struct pe_map){
		.start = start, .end = start + 4096, .ino = ino,
		.perms = { 'r', '-', exec ? 'x' : '-', 'p', '\0' },
		.dev_major = 254, .dev_minor = 0,
		.path = path, .path_len = strlen(path), .deleted = deleted,
	};
}

static const char *name_of(const struct pe_mapset *set, size_t i)
{
	return set->names + set->files[i].name_off;
}

/* One entry per (device, inode, suffix, name), in first-appearance order;
 * exec if any of its mappings is. */
static void test_mapset_merge(void **state)
{
	struct pe_mapset set = { 0 };
	struct pe_map maps[] = {
		file_map(0x1000, 5, "/lib/a.so", false, false),
		file_map(0x2000, 5, "/lib/a.so", true, false),
		file_map(0x3000, 6, "/lib/b.so", false, false),
		file_map(0x4000, 5, "/lib/a.so", false, false),     /* again, apart */
		file_map(0x5000, 5, "/lib/a-link.so", false, false), /* same inode */
		file_map(0x6000, 5, "/lib/a.so", false, true),       /* now deleted */
		file_map(0x7000, 6, "/lib/b.so", true, false),
	};

	for (size_t i = 0; i < PE_ARRAY_SIZE(maps); i++)
		assert_int_equal(pe_mapset_add(&set, &maps[i]), 0);
	pe_mapset_finish(&set);
	assert_int_equal(set.err, 0);
	assert_int_equal(set.nmaps, 7);
	assert_int_equal(set.n, 4);
	assert_string_equal(name_of(&set, 0), "/lib/a.so");
	assert_true(set.files[0].exec);
	assert_int_equal(set.files[0].start, 0x1000);
	assert_string_equal(name_of(&set, 1), "/lib/b.so");
	assert_true(set.files[1].exec);
	assert_string_equal(name_of(&set, 2), "/lib/a-link.so");
	assert_false(set.files[2].exec);
	assert_string_equal(name_of(&set, 3), "/lib/a.so (deleted)");
	assert_true(set.files[3].deleted);
	assert_int_equal(set.files[3].name_len, strlen("/lib/a.so"));
	pe_mapset_done(&set);
}

/* 40,000 names of one inode, each mapped twice far apart (80,000
 * mappings, past the entry cap before merging): 40,000 files. */
static void test_mapset_many_names(void **state)
{
	enum { N = 40000 };
	struct pe_mapset set = { 0 };
	char name[32];

	for (int round = 0; round < 2; round++) {
		for (int i = 0; i < N; i++) {
			struct pe_map m;

			snprintf(name, sizeof(name), "/tmp/hl/l%06d", i);
			m = file_map((uint64_t)(round * N + i) << 12, 42, name, true, false);
			assert_int_equal(pe_mapset_add(&set, &m), 0);
		}
	}
	pe_mapset_finish(&set);
	assert_int_equal(set.err, 0);
	assert_int_equal(set.n, N);
	for (size_t i = 0; i < set.n; i++) {
		snprintf(name, sizeof(name), "/tmp/hl/l%06zu", i);
		assert_string_equal(name_of(&set, i), name);
		assert_int_equal(set.files[i].start, (uint64_t)i << 12);
	}
	pe_mapset_done(&set);
}

/* Past either cap the set says it is incomplete (E2BIG) and counts. */
static void test_mapset_caps(void **state)
{
	struct pe_mapset set = { 0 };
	size_t big = 60000;
	char *name = malloc(big + 1);
	size_t fit;

	for (uint64_t i = 0; i <= PE_MAPSET_FILES_MAX; i++) {
		struct pe_map m = file_map(i << 12, i + 1, "/f", true, false);

		assert_int_equal(pe_mapset_add(&set, &m), 0);
	}
	assert_int_equal(set.n, PE_MAPSET_FILES_MAX);
	assert_int_equal(set.err, E2BIG);
	assert_int_equal(set.dropped, 1);
	pe_mapset_done(&set);

	assert_non_null(name);
	memset(name, 'n', big);
	name[0] = '/';
	name[big] = '\0';
	fit = PE_MAPSET_NAMES_MAX / (big + 1);
	for (uint64_t i = 0; i < fit + 3; i++) {
		struct pe_map m = file_map(i << 12, i + 1, name, true, false);

		assert_int_equal(pe_mapset_add(&set, &m), 0);
	}
	assert_int_equal(set.n, fit);
	assert_int_equal(set.err, E2BIG);
	assert_int_equal(set.dropped, 3);
	assert_true(set.names_len <= PE_MAPSET_NAMES_MAX);
	pe_mapset_done(&set);
	free(name);
}

/* After a merge at the cap, first-appearance order still holds: a file
 * first seen last before the merge stays before one seen after it. */
static void test_mapset_order_after_merge(void **state)
{
	struct pe_mapset set = { 0 };
	char name[32];
	uint64_t addr = 0;

	for (unsigned i = 0; i < 10000; i++) {          /* A0..A9999 */
		snprintf(name, sizeof(name), "/a/%u", i);
		struct pe_map m = file_map(++addr << 12, 1, name, true, false);

		assert_int_equal(pe_mapset_add(&set, &m), 0);
	}
	for (unsigned i = 0; set.n < PE_MAPSET_FILES_MAX - 1; i++) {   /* A again */
		snprintf(name, sizeof(name), "/a/%u", i % 10000);
		struct pe_map m = file_map(++addr << 12, 1, name, true, false);

		assert_int_equal(pe_mapset_add(&set, &m), 0);
	}
	{
		struct pe_map z = file_map(++addr << 12, 2, "/z", true, false);
		struct pe_map w = file_map(++addr << 12, 3, "/w", true, false);

		assert_int_equal(pe_mapset_add(&set, &z), 0);  /* fills the set */
		assert_int_equal(pe_mapset_add(&set, &w), 0);  /* merges first */
	}
	assert_int_equal(pe_mapset_finish(&set), 0);
	assert_int_equal(set.err, 0);
	assert_int_equal(set.n, 10002);
	assert_string_equal(name_of(&set, 10000), "/z");
	assert_string_equal(name_of(&set, 10001), "/w");
	for (size_t i = 1; i < set.n; i++)
		assert_true(set.files[i - 1].order < set.files[i].order);
	pe_mapset_done(&set);
}

/* Long names mapped again and again, never adjacent: the name bytes are
 * compacted at their cap instead of making the set incomplete. */
static void test_mapset_names_compacted(void **state)
{
	size_t len = 50000;
	char *a = malloc(len + 1), *b = malloc(len + 1);
	struct pe_mapset set = { 0 };

	assert_non_null(a);
	assert_non_null(b);
	memset(a, 'a', len);
	memset(b, 'b', len);
	a[0] = b[0] = '/';
	a[len] = b[len] = '\0';
	for (uint64_t i = 0; i < 2000; i++) {
		struct pe_map m = file_map((i + 1) << 12, 7 + (i & 1), (i & 1) ? b : a, true, false);

		assert_int_equal(pe_mapset_add(&set, &m), 0);
	}
	assert_int_equal(pe_mapset_finish(&set), 0);
	assert_int_equal(set.err, 0);
	assert_int_equal(set.n, 2);
	assert_true(set.names_len <= 2 * (len + 1));
	pe_mapset_done(&set);
	free(a);
	free(b);
}

/*
 * PROCMAP_QUERY on ourselves lists exactly the executable file-backed
 * lines of our maps text (same ranges, devices, inodes, unescaped names).
 * Names with newlines are covered by tests/restart/names.sh in both modes.
 */
static void test_query_matches_text(void **state)
{
	struct pe_mapset q = { 0 }, t = { 0 };
	struct pe_lines rd;
	struct pe_map m;
	int self = open("/proc/self", O_RDONLY | O_DIRECTORY | O_CLOEXEC), r;
	struct pe_maps_src src = { .dirfd = self };

	assert_true(self >= 0);
	r = pe_mapset_query(&q, &src);
	if (r == -ENOTTY || r == -EINVAL) {
		close(self);
		skip();         /* kernel before 6.11 */
	}
	assert_int_equal(r, 0);
	assert_true(q.n > 0);
	assert_int_equal(pe_lines_open(&rd, self, "maps", NULL), 0);
	while ((r = pe_lines_next_map(&rd, &m, true)) > 0)
		if (m.perms[2] == 'x')
			assert_int_equal(pe_mapset_add(&t, &m), 0);
	assert_int_equal(r, 0);
	pe_lines_close(&rd);
	assert_int_equal(q.n, t.n);
	for (size_t i = 0; i < q.n; i++) {
		char raw[4200];
		size_t len;

		assert_int_equal(q.files[i].start, t.files[i].start);
		assert_int_equal(q.files[i].ino, t.files[i].ino);
		assert_int_equal(q.files[i].dev_major, t.files[i].dev_major);
		assert_int_equal(q.files[i].deleted, t.files[i].deleted);
		assert_true(t.files[i].name_len < sizeof(raw));
		len = pe_maps_unescape(name_of(&t, i), t.files[i].name_len, raw);
		assert_int_equal(q.files[i].name_len, len);
		assert_memory_equal(name_of(&q, i), raw, len);
	}
	pe_mapset_done(&q);
	pe_mapset_done(&t);
	close(self);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reader_chunks),
		cmocka_unit_test(test_reader_overlong),
		cmocka_unit_test(test_mapset_merge),
		cmocka_unit_test(test_mapset_many_names),
		cmocka_unit_test(test_mapset_caps),
		cmocka_unit_test(test_mapset_order_after_merge),
		cmocka_unit_test(test_mapset_names_compacted),
		cmocka_unit_test(test_query_matches_text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
