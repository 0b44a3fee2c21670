/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests for pe_maps_next(), pe_maps_next_file() and pe_maps_unescape(). */
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

/* The kernel's layout on 64-bit: the name starts at column 73. */
#define HDR_LIB "7f6b1b4f9000-7f6b1b51f000 r--p 00000000 fe:00 131845"

/* Build the kernel's line for HDR and NAME (NULL: none) into BUF. */
static void kline(char *buf, size_t size, const char *hdr, const char *name)
{
	size_t n = strlen(hdr);

	if (!name) {
		snprintf(buf, size, "%s \n", hdr);
		return;
	}
	if (n + 1 < 73)
		snprintf(buf, size, "%s%*s%s\n", hdr, (int)(73 - n), "", name);
	else
		snprintf(buf, size, "%s  %s\n", hdr, name);
}

/* Exactly sized heap copy of S, so that ASan catches reads past its end. */
static char *dup_exact(const char *s, size_t len)
{
	char *copy = malloc(len ? len : 1);

	assert_non_null(copy);
	memcpy(copy, s, len);
	return copy;
}

/* Parse the single line S; returns pe_maps_next()'s result and checks that
 * the cursor consumed all of S. */
static int parse1(const char *s, struct pe_map *m, char *path, size_t path_size)
{
	size_t len = strlen(s);
	char *copy = dup_exact(s, len);
	const char *cur = copy;
	int r;

	r = pe_maps_next(&cur, copy + len, m);
	assert_ptr_equal(cur, copy + len);
	if (r == 1 && m->path) {
		assert_true(m->path >= copy && m->path + m->path_len <= copy + len);
		assert_true(m->path_len < path_size);
		memcpy(path, m->path, m->path_len);
		path[m->path_len] = '\0';
		m->path = path;
	}
	free(copy);
	return r;
}

static void test_file_mapping(void **state)
{
	char line[256], path[256];
	struct pe_map m;

	kline(line, sizeof(line), HDR_LIB, "/usr/lib/x86_64-linux-gnu/libc.so.6");
	assert_int_equal(parse1(line, &m, path, sizeof(path)), 1);
	assert_int_equal(m.start, 0x7f6b1b4f9000);
	assert_int_equal(m.end, 0x7f6b1b51f000);
	assert_string_equal(m.perms, "r--p");
	assert_int_equal(m.offset, 0);
	assert_int_equal(m.dev_major, 0xfe);
	assert_int_equal(m.dev_minor, 0);
	assert_int_equal(m.ino, 131845);
	assert_string_equal(m.path, "/usr/lib/x86_64-linux-gnu/libc.so.6");
	assert_int_equal(m.path_len, strlen("/usr/lib/x86_64-linux-gnu/libc.so.6"));
	assert_false(m.deleted);
}

static void test_anonymous(void **state)
{
	char path[16];
	struct pe_map m;

	/* No name: the kernel ends the header with a space and no padding. */
	assert_int_equal(parse1("7ffd6b5e2000-7ffd6b5e4000 rw-p 00000000 00:00 0 \n",
	                        &m, path, sizeof(path)), 1);
	assert_null(m.path);
	assert_int_equal(m.path_len, 0);
	assert_false(m.deleted);
	assert_string_equal(m.perms, "rw-p");
	/* Tolerated: no trailing space, no newline. */
	assert_int_equal(parse1("7f6b1b4f9000-7f6b1b51f000 r--p 00000000 fe:00 131845",
	                        &m, path, sizeof(path)), 1);
	assert_null(m.path);
	assert_int_equal(m.ino, 131845);
	assert_int_equal(parse1("00400000-00401000 r-xs 00000010 00:00 0", &m, path, sizeof(path)), 1);
	assert_null(m.path);
	assert_int_equal(m.start, 0x400000);
	assert_int_equal(m.offset, 0x10);
	assert_string_equal(m.perms, "r-xs");
}

static void test_special_names(void **state)
{
	static const char *const names[] = {
		"[heap]", "[stack]", "[vdso]", "[vvar]", "[vsyscall]", "[anon:my name]",
		"anon_inode:[perf_event]",
	};
	char line[256], path[256];
	struct pe_map m;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		kline(line, sizeof(line), "55f977a1c000-55f977a3d000 rw-p 00000000 00:00 0", names[i]);
		assert_int_equal(parse1(line, &m, path, sizeof(path)), 1);
		assert_string_equal(m.path, names[i]);
		assert_false(m.deleted);
	}
	kline(line, sizeof(line), "ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0",
	      "[vsyscall]");
	assert_int_equal(parse1(line, &m, path, sizeof(path)), 1);
	assert_int_equal(m.start, 0xffffffffff600000);
	assert_string_equal(m.perms, "--xp");
}

static void test_deleted(void **state)
{
	char line[256], path[256];
	struct pe_map m;

	kline(line, sizeof(line), HDR_LIB, "/tmp/prog (deleted)");
	assert_int_equal(parse1(line, &m, path, sizeof(path)), 1);
	assert_true(m.deleted);
	assert_int_equal(m.path_len, strlen("/tmp/prog"));
	assert_memory_equal(m.path, "/tmp/prog", m.path_len);

	kline(line, sizeof(line), HDR_LIB, "/memfd:x (deleted) (deleted)");
	assert_int_equal(parse1(line, &m, path, sizeof(path)), 1);
	assert_true(m.deleted);
	assert_int_equal(m.path_len, strlen("/memfd:x (deleted)"));

	kline(line, sizeof(line), HDR_LIB, "/dev/zero (deleted)");
	assert_int_equal(parse1(line, &m, path, sizeof(path)), 1);
	assert_true(m.deleted);
	assert_int_equal(m.path_len, strlen("/dev/zero"));

	/* Not a suffix: no space, something after it, or the whole name. */
	kline(line, sizeof(line), HDR_LIB, "/tmp/x(deleted)");
	assert_int_equal(parse1(line, &m, path, sizeof(path)), 1);
	assert_false(m.deleted);
	assert_string_equal(m.path, "/tmp/x(deleted)");
	kline(line, sizeof(line), HDR_LIB, "/tmp/x (deleted) ");
	assert_int_equal(parse1(line, &m, path, sizeof(path)), 1);
	assert_false(m.deleted);
	kline(line, sizeof(line), HDR_LIB, " (deleted)");
	assert_int_equal(parse1(line, &m, path, sizeof(path)), 1);
	assert_false(m.deleted);
	assert_string_equal(m.path, " (deleted)");
	kline(line, sizeof(line), HDR_LIB, "/ (deleted)");
	assert_int_equal(parse1(line, &m, path, sizeof(path)), 1);
	assert_true(m.deleted);
	assert_string_equal(m.path, "/");
}

static void test_spaces_in_name(void **state)
{
	char line[256], path[256];
	struct pe_map m;

	kline(line, sizeof(line), HDR_LIB, "/tmp/a b  c ");
	assert_int_equal(parse1(line, &m, path, sizeof(path)), 1);
	assert_string_equal(m.path, "/tmp/a b  c ");

	/* A name starting with spaces keeps them: only the padding is skipped. */
	kline(line, sizeof(line), HDR_LIB, "  lead");
	assert_int_equal(parse1(line, &m, path, sizeof(path)), 1);
	assert_string_equal(m.path, "  lead");
	kline(line, sizeof(line), HDR_LIB, " ");
	assert_int_equal(parse1(line, &m, path, sizeof(path)), 1);
	assert_string_equal(m.path, " ");
}

static void test_long_header(void **state)
{
	/* A header past the name column gets two spaces before the name. */
	static const char hdr[] = "ffffffffffffffff-ffffffffffffffff rwxs ffffffffffffffff"
	                          " fff:fffff 18446744073709551615";
	char line[256], path[256];
	struct pe_map m;

	kline(line, sizeof(line), hdr, " /x");
	assert_int_equal(parse1(line, &m, path, sizeof(path)), 1);
	assert_int_equal(m.start, UINT64_MAX);
	assert_int_equal(m.end, UINT64_MAX);
	assert_int_equal(m.offset, UINT64_MAX);
	assert_int_equal(m.dev_major, 0xfff);
	assert_int_equal(m.dev_minor, 0xfffff);
	assert_int_equal(m.ino, UINT64_MAX);
	assert_string_equal(m.path, " /x");
}

static void test_short_padding(void **state)
{
	char path[64];
	struct pe_map m;

	/* Layouts with less padding than this kernel's: the first non-space. */
	assert_int_equal(parse1("00400000-00452000 r-xp 00000000 08:02 173521 /usr/bin/dbus\n",
	                        &m, path, sizeof(path)), 1);
	assert_string_equal(m.path, "/usr/bin/dbus");
	assert_int_equal(m.dev_major, 8);
	assert_int_equal(m.dev_minor, 2);
	assert_int_equal(m.ino, 173521);
	assert_int_equal(parse1("00400000-00452000 r-xp 00000000 08:02 173521      /a b\n",
	                        &m, path, sizeof(path)), 1);
	assert_string_equal(m.path, "/a b");
	/* Only padding, no name. */
	assert_int_equal(parse1("00400000-00452000 r-xp 00000000 08:02 173521      \n",
	                        &m, path, sizeof(path)), 1);
	assert_null(m.path);
}

static void test_escaped_newline(void **state)
{
	char line[256], path[256], out[256];
	struct pe_map m;
	size_t n;

	kline(line, sizeof(line), HDR_LIB, "/tmp/a\\012b\xff\xfe c (deleted)");
	assert_int_equal(parse1(line, &m, path, sizeof(path)), 1);
	assert_true(m.deleted);
	assert_string_equal(m.path, "/tmp/a\\012b\xff\xfe c");
	n = pe_maps_unescape(m.path, m.path_len, out);
	assert_int_equal(n, strlen("/tmp/a\nb\xff\xfe c"));
	assert_string_equal(out, "/tmp/a\nb\xff\xfe c");
}

static void test_unescape(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "", "" },
		{ "abc", "abc" },
		{ "\\012", "\n" },
		{ "\\012\\012", "\n\n" },
		{ "a\\012", "a\n" },
		{ "\\01", "\\01" },
		{ "\\0123", "\n3" },
		{ "\\\\012", "\\\n" },
		{ "\\011", "\\011" },
		{ "\\", "\\" },
		{ "x\\01", "x\\01" },
	};
	char out[32];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t len = strlen(cases[i].in);
		char *in = dup_exact(cases[i].in, len);
		size_t n;

		memset(out, 'Z', sizeof(out));
		n = pe_maps_unescape(in, len, out);
		free(in);
		assert_int_equal(n, strlen(cases[i].out));
		assert_string_equal(out, cases[i].out);
	}
}

static void test_iterate(void **state)
{
	char buf[2048], *copy;
	const char *cur, *end;
	struct pe_map m;
	size_t len;

	kline(buf, sizeof(buf), HDR_LIB, "/bin/a");
	len = strlen(buf);
	len += (size_t)snprintf(buf + len, sizeof(buf) - len, "garbage line\n\n");
	kline(buf + len, sizeof(buf) - len, "7ffd6b5e2000-7ffd6b5e4000 rw-p 00000000 00:00 0", NULL);
	len += strlen(buf + len);
	kline(buf + len, sizeof(buf) - len, HDR_LIB, "/bin/last");
	len += strlen(buf + len) - 1;   /* the last line lacks its newline */

	copy = dup_exact(buf, len);
	cur = copy;
	end = copy + len;
	assert_int_equal(pe_maps_next(&cur, end, &m), 1);
	assert_memory_equal(m.path, "/bin/a", m.path_len);
	assert_int_equal(pe_maps_next(&cur, end, &m), -EINVAL);
	assert_int_equal(pe_maps_next(&cur, end, &m), -EINVAL);
	assert_int_equal(pe_maps_next(&cur, end, &m), 1);
	assert_null(m.path);
	assert_int_equal(pe_maps_next(&cur, end, &m), 1);
	assert_int_equal(m.path_len, strlen("/bin/last"));
	assert_memory_equal(m.path, "/bin/last", m.path_len);
	assert_ptr_equal(cur, end);
	assert_int_equal(pe_maps_next(&cur, end, &m), 0);
	assert_int_equal(pe_maps_next(&cur, end, &m), 0);
	assert_ptr_equal(cur, end);
	free(copy);
}

/* pe_maps_next_file(): only '/' names, anonymous and [special] lines skipped. */
static void test_next_file(void **state)
{
	char buf[2048], *copy;
	const char *cur, *end;
	struct pe_map m;
	size_t len = 0;

	kline(buf, sizeof(buf), "7ffd6b5e2000-7ffd6b5e4000 rw-p 00000000 00:00 0", NULL);
	len = strlen(buf);
	kline(buf + len, sizeof(buf) - len, HDR_LIB, "/usr/lib/libc.so.6");
	len += strlen(buf + len);
	kline(buf + len, sizeof(buf) - len, "7ffd6b5e2000-7ffd6b5e4000 rw-p 00000000 00:00 0",
	      "[stack]");
	len += strlen(buf + len);
	kline(buf + len, sizeof(buf) - len, "55d0a0000000-55d0a0021000 rw-p 00000000 00:00 0",
	      "[anon:glibc: malloc]");
	len += strlen(buf + len);
	kline(buf + len, sizeof(buf) - len, HDR_LIB, "/memfd:jit (deleted)");
	len += strlen(buf + len) - 1;   /* no final newline */

	copy = dup_exact(buf, len);
	cur = copy;
	end = copy + len;
	assert_int_equal(pe_maps_next_file(&cur, end, &m), 1);
	assert_int_equal(m.path_len, strlen("/usr/lib/libc.so.6"));
	assert_memory_equal(m.path, "/usr/lib/libc.so.6", m.path_len);
	assert_int_equal(m.ino, 131845);
	assert_int_equal(pe_maps_next_file(&cur, end, &m), 1);
	assert_true(m.deleted);
	assert_memory_equal(m.path, "/memfd:jit", m.path_len);
	assert_ptr_equal(cur, end);
	assert_int_equal(pe_maps_next_file(&cur, end, &m), 0);
	free(copy);
}

static void test_long_name(void **state)
{
	char *line, *name;
	const char *cur;
	struct pe_map m;
	size_t len;

	name = malloc(4097);
	line = malloc(4300);
	assert_non_null(name);
	assert_non_null(line);
	name[0] = '/';
	memset(name + 1, 'n', 4095);
	name[4096] = '\0';
	kline(line, 4300, HDR_LIB, name);
	len = strlen(line);
	cur = line;
	assert_int_equal(pe_maps_next(&cur, line + len, &m), 1);
	assert_int_equal(m.path_len, 4096);
	assert_memory_equal(m.path, name, 4096);
	free(name);
	free(line);
}

static void test_malformed(void **state)
{
	static const char *const bad[] = {
		"\n",
		" \n",
		"garbage\n",
		"7f6b1b4f9000 r--p 00000000 fe:00 131845\n",                   /* no end */
		"7f6b1b4f9000-7f6b1b51f000\n",
		"7f6b1b4f9000-7f6b1b51f000 \n",
		"7f6b1b4f9000-7f6b1b51f000 r--p\n",
		"7f6b1b4f9000-7f6b1b51f000 r--p 00000000\n",
		"7f6b1b4f9000-7f6b1b51f000 r--p 00000000 fe:00\n",
		"7f6b1b4f9000-7f6b1b51f000 r--p 00000000 fe:00 \n",
		"7f6b1b4f9000-7f6b1b51f000 r--p 00000000 fe00 131845\n",
		"7f6b1b4f9000-7f6b1b51f000 r--p 00000000 :00 131845\n",
		"7f6b1b4f9000-7f6b1b51f000 r--p 00000000 fe: 131845\n",
		"-7f6b1b51f000 r--p 00000000 fe:00 131845\n",
		"7f6b1b4f9000- r--p 00000000 fe:00 131845\n",
		"7f6b1b4f9000-7f6b1b51f000 r--x 00000000 fe:00 131845\n",     /* bad perms */
		"7f6b1b4f9000-7f6b1b51f000 R--p 00000000 fe:00 131845\n",
		"7f6b1b4f9000-7f6b1b51f000 r-p 00000000 fe:00 131845\n",
		"7f6b1b4f9000-7f6b1b51f000 r--pp 00000000 fe:00 131845\n",
		"7f6b1b4f9000-7f6b1b51f000  r--p 00000000 fe:00 131845\n",
		"7f6b1b4f9000-7f6b1b51f000 r--p 0000000g fe:00 131845\n",
		"7f6b1b4f9000-7f6b1b51f000 r--p 00000000 fe:00 1318x5 /a\n",   /* bad inode */
		"7f6b1b4f9000-7f6b1b51f000 r--p 00000000 fe:00 0x10 /a\n",
		"7f6b1b4f9000-7f6b1b51f000 r--p 00000000 fe:00 ab /a\n",
		"7f6b1b51f000-7f6b1b4f9000 r--p 00000000 fe:00 131845\n",     /* end < start */
		"7f6b1b4f9000-7f6b1b51f000 r--p 00000000 fe:00\t131845 /a\n",
	};
	char path[64];
	struct pe_map m;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int r;

		memset(&m, 0x5a, sizeof(m));
		r = parse1(bad[i], &m, path, sizeof(path));
		if (r != -EINVAL)
			fail_msg("got %d for \"%s\"", r, bad[i]);
		assert_int_equal(m.ino, 0x5a5a5a5a5a5a5a5a);
	}
}

static void test_overflow(void **state)
{
	char path[64];
	struct pe_map m;

	assert_int_equal(parse1("10000000000000000-10000000000000001 r--p 0 0:0 0\n",
	                        &m, path, sizeof(path)), -ERANGE);
	assert_int_equal(parse1("0-1 r--p 10000000000000000 0:0 0\n", &m, path, sizeof(path)),
	                 -ERANGE);
	assert_int_equal(parse1("0-1 r--p 0 100000000:0 0\n", &m, path, sizeof(path)), -ERANGE);
	assert_int_equal(parse1("0-1 r--p 0 0:100000000 0\n", &m, path, sizeof(path)), -ERANGE);
	assert_int_equal(parse1("0-1 r--p 0 0:0 18446744073709551616\n", &m, path, sizeof(path)),
	                 -ERANGE);
	assert_int_equal(parse1("0-1 r--p 0 ffffffff:ffffffff 18446744073709551615\n",
	                        &m, path, sizeof(path)), 1);
	assert_int_equal(m.dev_major, 0xffffffffu);
	assert_int_equal(m.ino, UINT64_MAX);
	assert_int_equal(parse1("00000000000000000000000001-00000000000000000000000002 r--p 0 0:0 0\n",
	                        &m, path, sizeof(path)), 1);
	assert_int_equal(m.end, 2);
}

/* Every line of our own maps parses, and the exe's mapping is there. */
static void test_self(void **state)
{
	char *buf, path[4200], exe[4200];
	const char *cur, *end;
	struct pe_map m;
	size_t len = 0, size = 1 << 20;
	bool seen_exe = false, seen_stack = false;
	ssize_t n, exe_len;
	int fd, r;

	exe_len = readlink("/proc/self/exe", exe, sizeof(exe));
	fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
	if (fd < 0 || exe_len <= 0 || exe_len == sizeof(exe) || memchr(exe, '\n', (size_t)exe_len))
		skip();
	buf = malloc(size);
	assert_non_null(buf);
	while ((n = read(fd, buf + len, size - len)) > 0)
		len += (size_t)n;
	close(fd);
	assert_true(len > 0 && len < size);

	cur = buf;
	end = buf + len;
	while ((r = pe_maps_next(&cur, end, &m)) == 1) {
		if (m.path && m.path_len == (size_t)exe_len &&
		    memcmp(m.path, exe, m.path_len) == 0) {
			assert_true(m.ino != 0);
			seen_exe = true;
		}
		if (m.path && m.path_len == 7 && memcmp(m.path, "[stack]", 7) == 0)
			seen_stack = true;
		if (m.path) {
			assert_true(m.path_len < sizeof(path));
			pe_maps_unescape(m.path, m.path_len, path);
		}
	}
	assert_int_equal(r, 0);
	assert_true(seen_exe);
	assert_true(seen_stack);
	/* the file-only walk finds the exe too, and nothing but '/' names */
	seen_exe = false;
	cur = buf;
	while ((r = pe_maps_next_file(&cur, end, &m)) == 1) {
		assert_true(m.path && m.path[0] == '/');
		if (m.path_len == (size_t)exe_len && memcmp(m.path, exe, m.path_len) == 0)
			seen_exe = true;
	}
	assert_int_equal(r, 0);
	assert_true(seen_exe);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_file_mapping),
		cmocka_unit_test(test_anonymous),
		cmocka_unit_test(test_special_names),
		cmocka_unit_test(test_deleted),
		cmocka_unit_test(test_spaces_in_name),
		cmocka_unit_test(test_long_header),
		cmocka_unit_test(test_short_padding),
		cmocka_unit_test(test_escaped_newline),
		cmocka_unit_test(test_unescape),
		cmocka_unit_test(test_iterate),
		cmocka_unit_test(test_next_file),
		cmocka_unit_test(test_long_name),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_overflow),
		cmocka_unit_test(test_self),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
