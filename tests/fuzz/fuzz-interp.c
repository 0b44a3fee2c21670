/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Fuzz target for pe_script_arg() and pe_interp_of(): the first byte picks
 * the interpreter and the first argument index, the rest is a cmdline file.
 */
#include <errno.h>
#include <string.h>

#include "fuzz.h"
#include "parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf, *arg;
	enum pe_interp kind;
	size_t len, first, arg_len = 0;
	int r;

	if (size < 1 || size > FUZZ_MAX_INPUT)
		return 0;
	kind = (enum pe_interp)(data[0] % _PE_INTERP_MAX);
	first = (data[0] >> 4) & 3;
	buf = (const char *)data + 1;
	len = size - 1;

	/* any bytes as a name: a kind in range, NONE for one with a NUL */
	r = (int)pe_interp_of(buf, len);
	FUZZ_CHECK(r >= PE_INTERP_NONE && r < _PE_INTERP_MAX);
	FUZZ_CHECK((!memchr(buf, 0, len) && !memchr(buf, 0x2f, len)) || r == PE_INTERP_NONE);

	/* The script is a non-empty run of the input, without NUL, ending
	 * where an argument ends, after the interpreter's argv[0]. */
	r = pe_script_arg(kind, buf, len, first, &arg, &arg_len);
	if (kind == PE_INTERP_NONE) {
		FUZZ_CHECK(r == -EINVAL);
		return 0;
	}
	if (r < 0) {
		FUZZ_CHECK(r == -ENOENT || r == -EINVAL);
		return 0;
	}
	FUZZ_CHECK(arg_len > 0 && arg > buf && arg + arg_len <= buf + len);
	FUZZ_CHECK(!memchr(arg, '\0', arg_len));
	FUZZ_CHECK(arg + arg_len == buf + len || arg[arg_len] == '\0');
	return 0;
}
