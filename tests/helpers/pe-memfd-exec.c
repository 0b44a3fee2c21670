/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pe-memfd-exec BIN NAME [ARG...]: copy BIN into a memfd called NAME and
 * execute it from there (fileless execution).  BIN is expected to be
 * pe-spin, which then reports readiness.  Exits 77 with "skip: REASON" on
 * stdout when this kernel's memfd exec policy (vm.memfd_noexec) forbids it.
 */
#include <stdlib.h>
#include <sys/mman.h>

#include "common.h"


extern char **environ;


int main(int argc, char **argv)
{
	int src, mfd, r;

	if (argc < 3) {
		fprintf(stderr, "usage: pe-memfd-exec BIN NAME [ARG...]\n");
		return 2;
	}
	src = open(argv[1], O_RDONLY | O_CLOEXEC);
	if (src < 0) {
		perror(argv[1]);
		return 1;
	}
	mfd = pe_memfd_exec_create(argv[2]);
	if (mfd < 0) {
		if (pe_memfd_refused(errno))
			return pe_skip("memfd_create", errno);
		perror("memfd_create");
		return 1;
	}
	r = pe_copy_fd(src, mfd);
	if (r < 0) {
		fprintf(stderr, "copy: %s\n", strerror(-r));
		return 1;
	}
	close(src);
	fflush(stdout);
	fexecve(mfd, argv + 2, environ);
	if (errno == EACCES || errno == EPERM || errno == ENOSYS)
		return pe_skip("fexecve", errno);
	perror("fexecve");
	return 1;
}
