/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Fuzz target for pe_cmdline_arg() and pe_loader_program_index() (and
 * pe_is_loader_name() on each argument): input is a cmdline file.
 */
#include <errno.h>
#include <string.h>

#include "fuzz.h"
#include "parse.h"

/* pe_cmdline_arg() scans from the start: walk only this many arguments,
 * so that inputs of many NULs stay fast. */
#define MAX_WALK 256

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data, *arg, *prev_end = buf;
	size_t arg_len, argc = 0, index;
	bool complete = false;
	int r;

	if (size > FUZZ_MAX_INPUT)
		return 0;

	/* Arguments come in order, are disjoint and hold no NUL. */
	while (argc < MAX_WALK) {
		r = pe_cmdline_arg(buf, size, argc, &arg, &arg_len);
		if (r < 0) {
			FUZZ_CHECK(r == -ENOENT);
			complete = true;
			break;
		}
		FUZZ_CHECK(arg >= prev_end && arg + arg_len <= buf + size);
		FUZZ_CHECK(arg == buf || arg[-1] == '\0');
		FUZZ_CHECK(!memchr(arg, '\0', arg_len));
		(void)pe_is_loader_name(arg, arg_len);
		prev_end = arg + arg_len;
		argc++;
	}
	FUZZ_CHECK(argc <= size);

	r = pe_loader_program_index(buf, size, &index);
	if (r == 0) {
		FUZZ_CHECK(index >= 1);
		FUZZ_CHECK(!complete || index < argc);
		FUZZ_CHECK(pe_cmdline_arg(buf, size, index, &arg, &arg_len) == 0);
	} else {
		FUZZ_CHECK(r == -ENOENT || r == -EINVAL);
	}
	return 0;
}
