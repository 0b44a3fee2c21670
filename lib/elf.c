/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The little of ELF that tells an executable from a loader: the file type
 * and the PT_INTERP program header.  Both classes are understood (a 64-bit
 * kernel runs 32-bit programs), in native byte order only.
 */
#include <elf.h>
#include <errno.h>
#include <string.h>

#include "parse.h"

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define NATIVE_ELFDATA ELFDATA2LSB
#elif __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define NATIVE_ELFDATA ELFDATA2MSB
#else
#error "unknown byte order"
#endif

/* The class-independent part of a program header. */
struct phdr {
	uint32_t type;
	uint64_t offset, filesz;
};

static void read_phdr(const unsigned char *p, bool is64, struct phdr *ret)
{
	if (is64) {
		Elf64_Phdr ph;

		memcpy(&ph, p, sizeof(ph));
		ret->type = ph.p_type;
		ret->offset = ph.p_offset;
		ret->filesz = ph.p_filesz;
	} else {
		Elf32_Phdr ph;

		memcpy(&ph, p, sizeof(ph));
		ret->type = ph.p_type;
		ret->offset = ph.p_offset;
		ret->filesz = ph.p_filesz;
	}
}

/*
 * BUF holds the first LEN bytes of a file: at least the ELF header and the
 * program header table.  Returns 0, or -EINVAL when BUF is not an ELF file
 * of this machine's byte order, is truncated before the end of its program
 * headers, has program headers smaller than the standard ones, or counts
 * them with PN_XNUM (which the kernel cannot execute either).  The
 * interpreter's offset and size are reported as found, not checked against
 * LEN or the file.
 */
int pe_parse_elf(const void *buf, size_t len, struct pe_elf_info *ret)
{
	const unsigned char *p = buf;
	struct pe_elf_info info = { 0 };
	uint64_t phoff, table_size;
	size_t phdr_size;
	uint16_t phentsize, phnum;
	bool is64;

	if (len < EI_NIDENT || memcmp(p, ELFMAG, SELFMAG) != 0)
		return -EINVAL;
	if (p[EI_DATA] != NATIVE_ELFDATA)
		return -EINVAL;

	switch (p[EI_CLASS]) {
	case ELFCLASS64: {
		Elf64_Ehdr eh;

		if (len < sizeof(eh))
			return -EINVAL;
		memcpy(&eh, p, sizeof(eh));
		info.type = eh.e_type;
		phoff = eh.e_phoff;
		phentsize = eh.e_phentsize;
		phnum = eh.e_phnum;
		phdr_size = sizeof(Elf64_Phdr);
		is64 = true;
		break;
	}
	case ELFCLASS32: {
		Elf32_Ehdr eh;

		if (len < sizeof(eh))
			return -EINVAL;
		memcpy(&eh, p, sizeof(eh));
		info.type = eh.e_type;
		phoff = eh.e_phoff;
		phentsize = eh.e_phentsize;
		phnum = eh.e_phnum;
		phdr_size = sizeof(Elf32_Phdr);
		is64 = false;
		break;
	}
	default:
		return -EINVAL;
	}

	if (phnum > 0) {
		if (phnum == PN_XNUM || phentsize < phdr_size)
			return -EINVAL;
		/* Both factors are below 2^16: no overflow. */
		table_size = (uint64_t)phnum * phentsize;
		if (phoff > len || table_size > len - phoff)
			return -EINVAL;

		for (uint16_t i = 0; i < phnum; i++) {
			struct phdr ph;

			read_phdr(p + phoff + (uint64_t)i * phentsize, is64, &ph);
			/* The kernel uses the first PT_INTERP. */
			if (ph.type == PT_INTERP) {
				info.has_interp = true;
				info.interp_off = ph.offset;
				info.interp_size = ph.filesz;
				break;
			}
		}
	}

	*ret = info;
	return 0;
}

/* True when [S, S + LEN) is empty or a version suffix: one or more of '.'
 * followed by digits (".2", ".1.0"). */
static bool is_version_suffix(const char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		size_t digits = 0;

		if (s[i++] != '.')
			return false;
		for (; i < len && s[i] >= '0' && s[i] <= '9'; i++)
			digits++;
		if (digits == 0)
			return false;
	}
	return true;
}

/* True when NAME is PREFIX, MIN_MID or more bytes, ".so" and a version
 * suffix. */
static bool is_so_name(const char *name, size_t len, const char *prefix, size_t min_mid)
{
	size_t plen = strlen(prefix);

	if (len < plen || memcmp(name, prefix, plen) != 0)
		return false;
	for (size_t i = plen + min_mid; i + 3 <= len; i++)
		if (memcmp(name + i, ".so", 3) == 0 && is_version_suffix(name + i + 3, len - i - 3))
			return true;
	return false;
}

/*
 * Accepts "ld.so" and "ld-NAME.so", each optionally followed by a version
 * (".2", ".1.0"): ld-linux-x86-64.so.2, ld-linux.so.2, ld-2.36.so,
 * ld-musl-x86_64.so.1, ld.so.1, FreeBSD's ld-elf.so.1.  Not ld.so.conf,
 * ld.so.cache or ld-x.so.bak.  A NAME holding '/' or NUL is not a base name
 * and never matches.
 */
bool pe_is_loader_name(const char *name, size_t len)
{
	if (len == 0)
		return false;
	if (memchr(name, '/', len) || memchr(name, '\0', len))
		return false;
	if (len >= 5 && memcmp(name, "ld.so", 5) == 0)
		return is_version_suffix(name + 5, len - 5);
	return is_so_name(name, len, "ld-", 1);
}
