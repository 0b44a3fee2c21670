/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Fuzz target for pe_parse_elf() and pe_is_loader_name(): input is the
 * start of a file.
 */
#include <elf.h>
#include <errno.h>
#include <string.h>

#include "fuzz.h"
#include "parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pe_elf_info info;
	int r;

	if (size > FUZZ_MAX_INPUT)
		return 0;

	(void)pe_is_loader_name((const char *)data, size);

	r = pe_parse_elf(data, size, &info);
	if (r < 0) {
		FUZZ_CHECK(r == -EINVAL);
		return 0;
	}
	FUZZ_CHECK(r == 0 && size >= sizeof(Elf32_Ehdr));
	if (!info.has_interp)
		FUZZ_CHECK(info.interp_off == 0 && info.interp_size == 0);

	/* Where the interpreter path is inside the input, name-check its
	 * base name as the library would. */
	if (info.has_interp && info.interp_off < size && info.interp_size <= size - info.interp_off) {
		const char *path = (const char *)data + info.interp_off, *base;
		size_t len = (size_t)info.interp_size;
		const char *nul = memchr(path, '\0', len);

		if (nul)
			len = (size_t)(nul - path);
		base = memrchr(path, '/', len);
		base = base ? base + 1 : path;
		(void)pe_is_loader_name(base, len - (size_t)(base - path));
	}
	return 0;
}
