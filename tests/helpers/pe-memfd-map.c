/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pe-memfd-map NAME [ARG...]: create a memfd called NAME, write one page
 * into it, map it shared with PROT_READ|PROT_EXEC (fileless code as a JIT
 * would have it: "/memfd:NAME (deleted)" in the maps, mode r-xs), close the
 * descriptor, print "ready PID" and wait like pe-spin.  Exits 77 with
 * "skip: REASON" on stdout when the kernel refuses the memfd or the
 * executable mapping (vm.memfd_noexec, a security module).  Dies with its
 * parent.  Further arguments are ignored (markers).
 */
#include <stdlib.h>
#include <sys/mman.h>

#include "common.h"



int main(int argc, char **argv)
{
	char line[64];
	long psz = sysconf(_SC_PAGESIZE);
	char *page;
	void *map;
	int mfd, r;

	pe_die_with_parent(0);
	if (argc < 2) {
		fprintf(stderr, "usage: pe-memfd-map NAME [ARG...]\n");
		return 2;
	}
	mfd = pe_memfd_exec_create(argv[1]);
	if (mfd < 0) {
		if (pe_memfd_refused(errno))
			return pe_skip("memfd_create", errno);
		perror("memfd_create");
		return 1;
	}
	page = calloc(1, (size_t)psz);
	if (!page)
		return 1;
	page[0] = (char)0xc3;           /* x86 "ret": looks like code, never run */
	r = pe_write_all(mfd, page, (size_t)psz);
	if (r < 0) {
		fprintf(stderr, "write: %s\n", strerror(-r));
		return 1;
	}
	free(page);
	map = mmap(NULL, (size_t)psz, PROT_READ | PROT_EXEC, MAP_SHARED, mfd, 0);
	if (map == MAP_FAILED) {
		if (errno == EACCES || errno == EPERM)
			return pe_skip("mmap PROT_EXEC", errno);
		perror("mmap");
		return 1;
	}
	close(mfd);
	snprintf(line, sizeof(line), "ready %ld", (long)getpid());
	pe_report(line);
	for (;;)
		pause();
}
