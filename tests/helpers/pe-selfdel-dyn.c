/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pe-selfdel-dyn [-w]: pe-selfdel (unlink(argv[0]), exit 0) built against
 * glibc and linked dynamically: the dynamic loader runs first, so it lives
 * a few hundred microseconds.  -w: first wait for one byte (or end-of-file)
 * on fd 0.
 */
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "-w") == 0) {
		char c;

		while (read(0, &c, 1) < 0)
			;
	}
	if (argc > 0)
		(void)unlink(argv[0]);
	return 0;
}
