/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests for pe_auxv_get(). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>

#include "parse.h"

static const unsigned long vec[] = {
	AT_SYSINFO_EHDR, 0x7ffd6b5e4000UL,
	AT_PAGESZ, 4096,
	AT_PHDR, 0x55f97780f040UL,
	AT_BASE, 0,
	AT_EXECFN, 0x7ffd6b5e3fe0UL,
	AT_PAGESZ, 65536,               /* a duplicate: the first one wins */
	AT_NULL, 0,
	AT_UID, 1000,                   /* after the end: ignored */
};

/* pe_auxv_get() on the first LEN bytes of VEC copied to an exactly sized
 * heap buffer at byte offset SHIFT (to test unaligned input). */
static int get_n(size_t len, size_t shift, unsigned long type, unsigned long *ret)
{
	unsigned char *mem = malloc(len + shift ? len + shift : 1);
	int r;

	assert_non_null(mem);
	memcpy(mem + shift, vec, len);
	r = pe_auxv_get(mem + shift, len, type, ret);
	free(mem);
	return r;
}

static void test_found(void **state)
{
	unsigned long v = 1;

	assert_int_equal(get_n(sizeof(vec), 0, AT_PAGESZ, &v), 0);
	assert_int_equal(v, 4096);
	assert_int_equal(get_n(sizeof(vec), 0, AT_SYSINFO_EHDR, &v), 0);
	assert_int_equal(v, 0x7ffd6b5e4000UL);
	assert_int_equal(get_n(sizeof(vec), 0, AT_BASE, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(get_n(sizeof(vec), 0, AT_EXECFN, &v), 0);
	assert_int_equal(v, 0x7ffd6b5e3fe0UL);
}

static void test_absent(void **state)
{
	unsigned long v = 99;

	assert_int_equal(get_n(sizeof(vec), 0, AT_ENTRY, &v), -ENOENT);
	/* Entries after AT_NULL do not count. */
	assert_int_equal(get_n(sizeof(vec), 0, AT_UID, &v), -ENOENT);
	assert_int_equal(get_n(0, 0, AT_PAGESZ, &v), -ENOENT);
	assert_int_equal(pe_auxv_get(NULL, 0, AT_PAGESZ, &v), -ENOENT);
	assert_int_equal(v, 99);
}

static void test_at_null(void **state)
{
	unsigned long v = 99;

	assert_int_equal(get_n(sizeof(vec), 0, AT_NULL, &v), -EINVAL);
	assert_int_equal(v, 99);
}

static void test_partial(void **state)
{
	const size_t pair = 2 * sizeof(unsigned long);
	unsigned long v = 99;

	/* Cut inside the AT_PHDR pair (the third): AT_PAGESZ still found. */
	for (size_t len = 0; len < 3 * pair; len++) {
		int r = get_n(len, 0, AT_PHDR, &v);

		assert_int_equal(r, -ENOENT);
		r = get_n(len, 0, AT_PAGESZ, &v);
		assert_int_equal(r, len >= 2 * pair ? 0 : -ENOENT);
	}
	assert_int_equal(get_n(3 * pair, 0, AT_PHDR, &v), 0);
	assert_int_equal(v, 0x55f97780f040UL);
	/* No AT_NULL at all: the end of the buffer ends the search. */
	assert_int_equal(get_n(5 * pair, 0, AT_ENTRY, &v), -ENOENT);
}

static void test_unaligned(void **state)
{
	for (size_t shift = 1; shift < sizeof(unsigned long); shift++) {
		unsigned long v = 0;

		assert_int_equal(get_n(sizeof(vec), shift, AT_EXECFN, &v), 0);
		assert_int_equal(v, 0x7ffd6b5e3fe0UL);
	}
}

static void test_self(void **state)
{
	unsigned char buf[4096];
	unsigned long v;
	ssize_t n;
	int fd;

	fd = open("/proc/self/auxv", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		skip();
	n = read(fd, buf, sizeof(buf));
	close(fd);
	assert_true(n > 0);
	assert_int_equal(pe_auxv_get(buf, (size_t)n, AT_PAGESZ, &v), 0);
	assert_int_equal(v, (unsigned long)sysconf(_SC_PAGESIZE));
	assert_int_equal(pe_auxv_get(buf, (size_t)n, AT_UID, &v), 0);
	assert_int_equal(v, getauxval(AT_UID));
	assert_int_equal(pe_auxv_get(buf, (size_t)n, AT_EXECFN, &v), 0);
	assert_true(v != 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_found),
		cmocka_unit_test(test_absent),
		cmocka_unit_test(test_at_null),
		cmocka_unit_test(test_partial),
		cmocka_unit_test(test_unaligned),
		cmocka_unit_test(test_self),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
