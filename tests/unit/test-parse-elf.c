/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests for pe_parse_elf() and pe_is_loader_name(). */
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
#include <unistd.h>

#include "parse.h"

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define NATIVE_DATA ELFDATA2LSB
#define FOREIGN_DATA ELFDATA2MSB
#else
#define NATIVE_DATA ELFDATA2MSB
#define FOREIGN_DATA ELFDATA2LSB
#endif

/* A 64-bit image: header, then four program headers at offset 64. */
struct image64 {
	Elf64_Ehdr eh;
	Elf64_Phdr ph[4];
};

static void make64(struct image64 *img)
{
	memset(img, 0, sizeof(*img));
	memcpy(img->eh.e_ident, ELFMAG, SELFMAG);
	img->eh.e_ident[EI_CLASS] = ELFCLASS64;
	img->eh.e_ident[EI_DATA] = NATIVE_DATA;
	img->eh.e_ident[EI_VERSION] = EV_CURRENT;
	img->eh.e_type = ET_DYN;
	img->eh.e_machine = EM_X86_64;
	img->eh.e_version = EV_CURRENT;
	img->eh.e_phoff = offsetof(struct image64, ph);
	img->eh.e_ehsize = sizeof(Elf64_Ehdr);
	img->eh.e_phentsize = sizeof(Elf64_Phdr);
	img->eh.e_phnum = 4;
	img->ph[0].p_type = PT_PHDR;
	img->ph[1].p_type = PT_INTERP;
	img->ph[1].p_offset = 0x318;
	img->ph[1].p_filesz = 0x1c;
	img->ph[2].p_type = PT_LOAD;
	img->ph[3].p_type = PT_INTERP;   /* a second one: ignored */
	img->ph[3].p_offset = 0x999;
	img->ph[3].p_filesz = 0x9;
}

/* pe_parse_elf() on the first LEN bytes of P from an exactly sized copy;
 * on failure checks that *RET was left alone. */
static int parse_n(const void *p, size_t len, struct pe_elf_info *ret)
{
	void *copy = malloc(len ? len : 1);
	struct pe_elf_info before;
	int r;

	assert_non_null(copy);
	memcpy(copy, p, len);
	memset(ret, 0x5a, sizeof(*ret));
	before = *ret;
	r = pe_parse_elf(copy, len, ret);
	if (r < 0)
		assert_memory_equal(ret, &before, sizeof(before));
	free(copy);
	return r;
}

static void test_interp(void **state)
{
	struct image64 img;
	struct pe_elf_info info;

	make64(&img);
	assert_int_equal(parse_n(&img, sizeof(img), &info), 0);
	assert_int_equal(info.type, ET_DYN);
	assert_true(info.has_interp);
	assert_int_equal(info.interp_off, 0x318);
	assert_int_equal(info.interp_size, 0x1c);
}

static void test_no_interp(void **state)
{
	struct image64 img;
	struct pe_elf_info info;

	make64(&img);
	img.eh.e_type = ET_EXEC;
	img.ph[1].p_type = PT_LOAD;
	img.ph[3].p_type = PT_NOTE;
	assert_int_equal(parse_n(&img, sizeof(img), &info), 0);
	assert_int_equal(info.type, ET_EXEC);
	assert_false(info.has_interp);
	assert_int_equal(info.interp_off, 0);
	assert_int_equal(info.interp_size, 0);

	/* No program headers at all; e_phoff and e_phentsize do not matter. */
	make64(&img);
	img.eh.e_type = ET_REL;
	img.eh.e_phnum = 0;
	img.eh.e_phoff = UINT64_MAX;
	img.eh.e_phentsize = 0;
	assert_int_equal(parse_n(&img, sizeof(img.eh), &info), 0);
	assert_int_equal(info.type, ET_REL);
	assert_false(info.has_interp);
}

static void test_truncated(void **state)
{
	struct image64 img;
	struct pe_elf_info info;

	make64(&img);
	for (size_t len = 0; len < sizeof(img); len++)
		assert_int_equal(parse_n(&img, len, &info), -EINVAL);
	/* Extra bytes after the table are fine. */
	{
		unsigned char big[sizeof(img) + 100] = { 0 };

		memcpy(big, &img, sizeof(img));
		assert_int_equal(parse_n(big, sizeof(big), &info), 0);
		assert_true(info.has_interp);
	}
}

static void test_not_elf(void **state)
{
	static const char script[] = "#!/bin/sh\necho hello world, this is long enough\n";
	struct image64 img;
	struct pe_elf_info info;

	assert_int_equal(parse_n(script, sizeof(script) - 1, &info), -EINVAL);
	assert_int_equal(pe_parse_elf(NULL, 0, &info), -EINVAL);

	make64(&img);
	img.eh.e_ident[EI_MAG3] = 'G';
	assert_int_equal(parse_n(&img, sizeof(img), &info), -EINVAL);

	make64(&img);
	img.eh.e_ident[EI_DATA] = FOREIGN_DATA;
	assert_int_equal(parse_n(&img, sizeof(img), &info), -EINVAL);

	make64(&img);
	img.eh.e_ident[EI_DATA] = ELFDATANONE;
	assert_int_equal(parse_n(&img, sizeof(img), &info), -EINVAL);

	make64(&img);
	img.eh.e_ident[EI_CLASS] = ELFCLASSNONE;
	assert_int_equal(parse_n(&img, sizeof(img), &info), -EINVAL);

	make64(&img);
	img.eh.e_ident[EI_CLASS] = 3;
	assert_int_equal(parse_n(&img, sizeof(img), &info), -EINVAL);
}

static void test_bad_table(void **state)
{
	/* Table beyond the buffer, in ways that would overflow a naive sum. */
	static const uint64_t offs[] = {
		UINT64_MAX, UINT64_MAX - 1, UINT64_MAX - sizeof(Elf64_Phdr) + 1,
		(uint64_t)1 << 63, sizeof(struct image64), sizeof(struct image64) - 1,
		offsetof(struct image64, ph) + 1,
	};
	struct image64 img;
	struct pe_elf_info info;

	/* Program headers too small to hold the fields. */
	make64(&img);
	img.eh.e_phentsize = sizeof(Elf64_Phdr) - 1;
	assert_int_equal(parse_n(&img, sizeof(img), &info), -EINVAL);
	make64(&img);
	img.eh.e_phentsize = 0;
	assert_int_equal(parse_n(&img, sizeof(img), &info), -EINVAL);

	for (size_t i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
		make64(&img);
		img.eh.e_phoff = offs[i];
		assert_int_equal(parse_n(&img, sizeof(img), &info), -EINVAL);
	}

	make64(&img);
	img.eh.e_phnum = 5;
	assert_int_equal(parse_n(&img, sizeof(img), &info), -EINVAL);
	make64(&img);
	img.eh.e_phnum = 0xfffe;
	assert_int_equal(parse_n(&img, sizeof(img), &info), -EINVAL);
	make64(&img);
	img.eh.e_phnum = PN_XNUM;
	assert_int_equal(parse_n(&img, sizeof(img), &info), -EINVAL);
	make64(&img);
	img.eh.e_phentsize = 0xffff;
	assert_int_equal(parse_n(&img, sizeof(img), &info), -EINVAL);
}

static void test_table_layout(void **state)
{
	struct image64 img;
	struct pe_elf_info info;

	/* The table may overlap the header: it is only read. */
	make64(&img);
	img.eh.e_phoff = 0;
	img.eh.e_phnum = 1;
	assert_int_equal(parse_n(&img, sizeof(img), &info), 0);

	/* Larger entries: the stride is e_phentsize, so ph[1] is not seen as
	 * the second entry; ph[2] (PT_LOAD) is, and no PT_INTERP is found. */
	make64(&img);
	img.eh.e_phentsize = 2 * sizeof(Elf64_Phdr);
	img.eh.e_phnum = 2;
	assert_int_equal(parse_n(&img, sizeof(img), &info), 0);
	assert_false(info.has_interp);
	img.ph[2].p_type = PT_INTERP;
	assert_int_equal(parse_n(&img, sizeof(img), &info), 0);
	assert_true(info.has_interp);
}

static void test_elf32(void **state)
{
	struct {
		Elf32_Ehdr eh;
		Elf32_Phdr ph[2];
	} img;
	struct pe_elf_info info;

	memset(&img, 0, sizeof(img));
	memcpy(img.eh.e_ident, ELFMAG, SELFMAG);
	img.eh.e_ident[EI_CLASS] = ELFCLASS32;
	img.eh.e_ident[EI_DATA] = NATIVE_DATA;
	img.eh.e_ident[EI_VERSION] = EV_CURRENT;
	img.eh.e_type = ET_EXEC;
	img.eh.e_machine = EM_386;
	img.eh.e_phoff = sizeof(Elf32_Ehdr);
	img.eh.e_phentsize = sizeof(Elf32_Phdr);
	img.eh.e_phnum = 2;
	img.ph[0].p_type = PT_PHDR;
	img.ph[1].p_type = PT_INTERP;
	img.ph[1].p_offset = 0x154;
	img.ph[1].p_filesz = 0x13;

	assert_int_equal(parse_n(&img, sizeof(img), &info), 0);
	assert_int_equal(info.type, ET_EXEC);
	assert_true(info.has_interp);
	assert_int_equal(info.interp_off, 0x154);
	assert_int_equal(info.interp_size, 0x13);
	for (size_t len = 0; len < sizeof(img); len++)
		assert_int_equal(parse_n(&img, len, &info), -EINVAL);
	/* Entries smaller than an Elf32_Phdr are refused. */
	img.eh.e_phentsize = sizeof(Elf32_Phdr) - 1;
	assert_int_equal(parse_n(&img, sizeof(img), &info), -EINVAL);
}

/* Our own executable: dynamically linked unless built static. */
static void test_self(void **state)
{
	unsigned char buf[8192];
	struct pe_elf_info info;
	char interp[4096];
	const char *base;
	ssize_t n;
	int fd;

	fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		skip();
	n = pread(fd, buf, sizeof(buf), 0);
	assert_true(n > 0);
	assert_int_equal(pe_parse_elf(buf, (size_t)n, &info), 0);
	assert_true(info.type == ET_DYN || info.type == ET_EXEC);
	if (info.has_interp) {
		assert_true(info.interp_size > 1 && info.interp_size < sizeof(interp));
		n = pread(fd, interp, (size_t)info.interp_size, (off_t)info.interp_off);
		assert_int_equal(n, (ssize_t)info.interp_size);
		assert_int_equal(interp[info.interp_size - 1], '\0');
		base = strrchr(interp, '/');
		base = base ? base + 1 : interp;
		assert_true(pe_is_loader_name(base, strlen(base)));
	}
	close(fd);
}

static void test_loader_names(void **state)
{
	static const char *const yes[] = {
		"ld-linux-x86-64.so.2", "ld-linux.so.2", "ld-linux-aarch64.so.1",
		"ld-linux-armhf.so.3", "ld-2.36.so", "ld-2.17.so", "ld.so", "ld.so.1",
		"ld-musl-x86_64.so.1", "ld-musl-aarch64.so.1", "ld-elf.so.1", "ld-x.so",
		"ld-x.so.1.0", "ld-a.so.b.so.2", "ld-.so.so", "ld.so.10",
	};
	static const char *const no[] = {
		"", "l", "ld", "ld-", "ld.s", "ld-linux", "ld-linux-x86-64", "ld-2.36",
		"ld-so", "ld_so", "ld-linux-x86-64.s", "lib.so", "libc.so.6", "xld.so",
		"ld-.so", "ld-.so.1", "ld-.s", "LD.SO", "ld-linux.so/x", "ld.so.conf",
		"ld.so.cache", "ld.so.", "ld.so.1a", "ld-x.so.bak", "ld-x.so.", "ld-x.so.2.",
		"ld-x.sox", "ld-linuxfoo.sox", "ld.sox", "/lib64/ld-linux-x86-64.so.2",
		"bash",
	};

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		if (!pe_is_loader_name(yes[i], strlen(yes[i])))
			fail_msg("rejected %s", yes[i]);
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		if (pe_is_loader_name(no[i], strlen(no[i])))
			fail_msg("accepted %s", no[i]);

	/* Lengths are honoured: a prefix of a match need not match. */
	assert_false(pe_is_loader_name("ld-2.36.so", 9));
	assert_true(pe_is_loader_name("ld-2.36.so", 10));
	assert_false(pe_is_loader_name("ld.so", 4));
	assert_true(pe_is_loader_name("ld.so.1x", 7));
	assert_false(pe_is_loader_name("ld-x.so\0x", 9));
	assert_false(pe_is_loader_name(NULL, 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_interp),
		cmocka_unit_test(test_no_interp),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_not_elf),
		cmocka_unit_test(test_bad_table),
		cmocka_unit_test(test_table_layout),
		cmocka_unit_test(test_elf32),
		cmocka_unit_test(test_self),
		cmocka_unit_test(test_loader_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
