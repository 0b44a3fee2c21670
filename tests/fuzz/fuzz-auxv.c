/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fuzz target for pe_auxv_get(): input is an auxv file. */
#include <elf.h>
#include <errno.h>
#include <string.h>

#include "fuzz.h"
#include "parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned long types[] = { AT_PHDR, AT_ENTRY, AT_BASE, AT_PAGESZ, AT_EXECFN, AT_UID, 0 };
	unsigned long v;
	int r;

	if (size > FUZZ_MAX_INPUT)
		return 0;

	/* Also look up the type of the first entry, when there is one. */
	if (size >= 2 * sizeof(unsigned long))
		memcpy(&types[sizeof(types) / sizeof(types[0]) - 1], data, sizeof(unsigned long));

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		r = pe_auxv_get(data, size, types[i], &v);
		if (types[i] == AT_NULL)
			FUZZ_CHECK(r == -EINVAL);
		else
			FUZZ_CHECK(r == 0 || r == -ENOENT);
		if (i == sizeof(types) / sizeof(types[0]) - 1 && types[i] != AT_NULL)
			FUZZ_CHECK(r == 0);
	}
	return 0;
}
