/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pe-tmpfile-exec DIR BIN [ARG...]: copy BIN into an unnamed O_TMPFILE file
 * in DIR and execute it through a read-only descriptor (the writer must be
 * closed first, or exec fails with ETXTBSY).  Exits 77 with
 * "skip: REASON" when DIR's filesystem has no O_TMPFILE or forbids exec.
 */
#include <stdlib.h>

#include "common.h"

extern char **environ;

int main(int argc, char **argv)
{
	char again[64];
	int src, wfd, rfd, r;

	if (argc < 3) {
		fprintf(stderr, "usage: pe-tmpfile-exec DIR BIN [ARG...]\n");
		return 2;
	}
	src = open(argv[2], O_RDONLY | O_CLOEXEC);
	if (src < 0) {
		perror(argv[2]);
		return 1;
	}
	wfd = open(argv[1], O_TMPFILE | O_RDWR | O_CLOEXEC, 0755);
	if (wfd < 0) {
		if (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL) {
			printf("skip: O_TMPFILE in %s: %s\n", argv[1], strerror(errno));
			return PE_EXIT_SKIP;
		}
		perror("open(O_TMPFILE)");
		return 1;
	}
	r = pe_copy_fd(src, wfd);
	if (r < 0) {
		fprintf(stderr, "copy: %s\n", strerror(-r));
		return 1;
	}
	close(src);
	/* A new read-only open file description of the same unnamed inode. */
	snprintf(again, sizeof(again), "/proc/self/fd/%d", wfd);
	rfd = open(again, O_RDONLY | O_CLOEXEC);
	if (rfd < 0) {
		perror(again);
		return 1;
	}
	close(wfd);
	fflush(stdout);
	fexecve(rfd, argv + 2, environ);
	if (errno == EACCES || errno == EPERM) {
		printf("skip: exec from %s: %s\n", argv[1], strerror(errno));
		return PE_EXIT_SKIP;
	}
	perror("fexecve");
	return 1;
}
