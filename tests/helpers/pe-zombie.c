/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pe-zombie: fork a child that exits at once and never reap it.  Prints
 * "ready PARENT_PID ZOMBIE_PID" once the child has exited (it is a zombie
 * from then on), then sleeps until killed; the zombie goes with it.
 */
#include <stdlib.h>
#include <sys/wait.h>

#include "common.h"

int main(void)
{
	char line[96];
	siginfo_t si;
	pid_t parent = getpid(), child;

	pe_die_with_parent(0);
	child = fork();
	if (child < 0) {
		perror("fork");
		return 1;
	}
	if (child == 0) {
		pe_die_with_parent(parent);
		_exit(0);
	}
	/* Wait for the exit without reaping: WNOWAIT leaves the zombie. */
	memset(&si, 0, sizeof(si));
	while (waitid(P_PID, (id_t)child, &si, WEXITED | WNOWAIT) < 0) {
		if (errno != EINTR) {
			perror("waitid");
			return 1;
		}
	}
	snprintf(line, sizeof(line), "ready %ld %ld", (long)parent, (long)child);
	pe_report(line);
	for (;;)
		pause();
}
