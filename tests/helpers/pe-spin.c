/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pe-spin: the process planted by the integration tests.  Prints
 * "ready PID" (PID as seen in its own pid namespace) on stdout, then sleeps
 * until killed.  It dies with its parent.  Arguments are ignored; tests use
 * them as markers in the command line.
 */
#include <stdio.h>
#include <unistd.h>

#include "common.h"

int main(void)
{
	char line[64];

	pe_die_with_parent(0);
	snprintf(line, sizeof(line), "ready %ld", (long)getpid());
	pe_report(line);
	for (;;)
		pause();
}
