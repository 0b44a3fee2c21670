/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pe-swap A B SECONDS: exchange the entries A and B with
 * renameat2(RENAME_EXCHANGE) in a tight loop, for at most SECONDS (or
 * until killed).  The racing attacker of tests/recover/recover-dir.sh: it
 * swaps two directories it owns while root opens a path through one of
 * them.  Prints "ready PID" once the first exchange succeeded.
 */
#include <stdlib.h>
#include <time.h>

#include "common.h"

#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1)
#endif

static int exchange(const char *a, const char *b)
{
	return (int)syscall(SYS_renameat2, AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE);
}

int main(int argc, char **argv)
{
	struct timespec now, end;
	char line[48];

	if (argc != 4) {
		fputs("usage: pe-swap A B SECONDS\n", stderr);
		return 2;
	}
	pe_die_with_parent(0);
	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += atoi(argv[3]);
	if (exchange(argv[1], argv[2]) < 0)
		return errno == ENOSYS || errno == EINVAL ? pe_skip("renameat2", errno) : 1;
	snprintf(line, sizeof(line), "ready %ld", (long)getpid());
	pe_report(line);
	for (unsigned long n = 0;; n++) {
		if (exchange(argv[1], argv[2]) < 0) {
			perror("renameat2");
			return 1;
		}
		if (n % 1024 == 0) {
			clock_gettime(CLOCK_MONOTONIC, &now);
			if (now.tv_sec > end.tv_sec ||
			    (now.tv_sec == end.tv_sec && now.tv_nsec >= end.tv_nsec))
				return 0;
		}
	}
}
