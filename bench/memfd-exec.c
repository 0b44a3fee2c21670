/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * memfd-exec: copy an ELF file into a fresh memfd and execute it from there
 * (fileless execution), for the "memfd" class of bench/plant.sh.
 *
 *   memfd-exec SRC NAME ARGV0 [ARG...]
 *
 * The memfd is created close-on-exec, so after fexecve() the only reference
 * left is the process's exe link (/memfd:NAME (deleted), st_nlink 0).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif

extern char **environ;

static int copy_all(int in, int out)
{
	char buf[64 * 1024];

	for (;;) {
		ssize_t n = read(in, buf, sizeof(buf));

		if (n == 0)
			return 0;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		for (ssize_t done = 0; done < n;) {
			ssize_t w = write(out, buf + done, (size_t)(n - done));

			if (w < 0) {
				if (errno == EINTR)
					continue;
				return -1;
			}
			done += w;
		}
	}
}

int main(int argc, char **argv)
{
	int in, mfd;

	if (argc < 4) {
		fprintf(stderr, "usage: %s SRC NAME ARGV0 [ARG...]\n", argv[0]);
		return 2;
	}

	in = open(argv[1], O_RDONLY | O_CLOEXEC);
	if (in < 0) {
		perror(argv[1]);
		return 1;
	}

	/* MFD_EXEC is needed when vm.memfd_noexec is 1; older kernels reject it. */
	mfd = memfd_create(argv[2], MFD_CLOEXEC | MFD_EXEC);
	if (mfd < 0 && errno == EINVAL)
		mfd = memfd_create(argv[2], MFD_CLOEXEC);
	if (mfd < 0) {
		perror("memfd_create");
		return 1;
	}

	if (copy_all(in, mfd) < 0) {
		perror("copy");
		return 1;
	}
	close(in);

	fexecve(mfd, argv + 3, environ);
	perror("fexecve");
	return 1;
}
