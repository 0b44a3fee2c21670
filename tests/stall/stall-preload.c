/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * LD_PRELOAD shim for the hung-filesystem test: openat() of the name in
 * $PE_STALL_NAME (a PID's procfs directory) sleeps for an hour first, as a
 * read stuck on a dead NFS server would.  Everything else passes through.
 */
#include <dlfcn.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

int openat(int dirfd, const char *path, int flags, ...);

int openat(int dirfd, const char *path, int flags, ...)
{
	static int (*real)(int, const char *, int, ...);
	const char *stall = getenv("PE_STALL_NAME");
	mode_t mode = 0;
	va_list ap;

	va_start(ap, flags);
	if (flags & (O_CREAT | __O_TMPFILE))
		mode = va_arg(ap, mode_t);
	va_end(ap);
	if (!real)
		real = (int (*)(int, const char *, int, ...))dlsym(RTLD_NEXT, "openat");
	if (stall && strcmp(path, stall) == 0)
		sleep(3600);
	return real(dirfd, path, flags, mode);
}
