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

static bool has_prefix(const char *s, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);

	return len >= n && memcmp(s, prefix, n) == 0;
}

/* True when ".so" occurs in [S + FROM, S + LEN). */
static bool has_so_from(const char *s, size_t len, size_t from)
{
	for (size_t i = from; i + 3 <= len; i++)
		if (memcmp(s + i, ".so", 3) == 0)
			return true;
	return false;
}

/*
 * The patterns match as fnmatch() without flags would: "ld-linux*.so*"
 * and "ld-musl-*.so*" are special cases of "ld-*.so*".  A NAME holding '/'
 * or NUL is not a base name and never matches.
 */
bool pe_is_loader_name(const char *name, size_t len)
{
	if (len == 0)
		return false;
	if (memchr(name, '/', len) || memchr(name, '\0', len))
		return false;
	if (has_prefix(name, len, "ld.so"))
		return true;
	return has_prefix(name, len, "ld-") && has_so_from(name, len, 3);
}
