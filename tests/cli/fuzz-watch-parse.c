/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Fuzz target for the parsers of procexe watch (src/watch-parse.c): the
 * first byte picks the parser, the rest is its input (a mount table line,
 * a stat file, ELF headers, a connector datagram).
 */
#include <string.h>

#include "fuzz.h"
#include "watch-parse.h"

static void on_exec(void *userdata, pid_t pid, uint64_t mono_ns)
{
	(*(int *)userdata)++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char buf[FUZZ_MAX_INPUT + 1] __attribute__((aligned(8)));
	char comm[16];
	struct wmount m;
	pid_t ppid;
	int n = 0;

	if (size < 1 || size > FUZZ_MAX_INPUT)
		return 0;
	memcpy(buf, data + 1, size - 1);
	buf[size - 1] = '\0';
	switch (data[0] % 4) {
	case 0:
		if (wparse_mountinfo(buf, &m) == 0) {
			FUZZ_CHECK(m.point >= buf && m.point < buf + size);
			FUZZ_CHECK(m.fstype >= buf && m.fstype < buf + size);
			(void)wparse_skipped_fstype(m.fstype);
		}
		break;
	case 1:
		if (wparse_stat(buf, size - 1, comm, sizeof(comm), &ppid) == 0)
			FUZZ_CHECK(strlen(comm) < sizeof(comm) && ppid >= 0);
		break;
	case 2:
		(void)wparse_elf_names_interp(buf, size - 1);
		break;
	default:
		FUZZ_CHECK(wparse_connector(buf, size - 1, on_exec, &n) == n);
		break;
	}
	return 0;
}
