/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fuzz target for pe_parse_stat(): input is a /proc/PID/stat file. */
#include <string.h>

#include "fuzz.h"
#include "parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pe_stat st;

	if (size > FUZZ_MAX_INPUT)
		return 0;
	if (pe_parse_stat((const char *)data, size, &st) == 0) {
		FUZZ_CHECK(memchr(st.comm, '\0', sizeof(st.comm)));
		FUZZ_CHECK(st.pid >= 0 && st.ppid >= 0);
		FUZZ_CHECK(st.state != ' ' && st.state != '\0');
		/* comm lies between '(' and ')' in the input. */
		FUZZ_CHECK(strlen(st.comm) + 4 <= size);
	}
	return 0;
}
