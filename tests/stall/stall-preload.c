/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * LD_PRELOAD shim for the hung-filesystem tests: openat() of a name listed
 * in $PE_STALL_NAME (PIDs' procfs directories, separated by commas) sleeps
 * first, as a read stuck on a dead NFS server would: for an hour, or for
 * $PE_STALL_SECS seconds (a server that comes back).  openat() of a name
 * listed in $PE_FAIL_NAME fails with EIO.  Everything else passes through.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

int openat(int dirfd, const char *path, int flags, ...);

/* Whether PATH is one of the comma-separated names of LIST. */
static bool listed(const char *list, const char *path)
{
	size_t len = strlen(path);

	while (*list) {
		size_t n = strcspn(list, ",");

		if (n == len && strncmp(list, path, n) == 0)
			return true;
		list += n;
		if (*list == ',')
			list++;
	}
	return false;
}

int openat(int dirfd, const char *path, int flags, ...)
{
	static int (*real)(int, const char *, int, ...);
	const char *stall = getenv("PE_STALL_NAME");
	const char *secs = getenv("PE_STALL_SECS");
	const char *fail = getenv("PE_FAIL_NAME");
	mode_t mode = 0;
	va_list ap;

	va_start(ap, flags);
	if (flags & (O_CREAT | __O_TMPFILE))
		mode = va_arg(ap, mode_t);
	va_end(ap);
	if (!real)
		real = (int (*)(int, const char *, int, ...))dlsym(RTLD_NEXT, "openat");
	if (fail && listed(fail, path)) {
		errno = EIO;
		return -1;
	}
	if (stall && listed(stall, path))
		sleep(secs ? (unsigned)atoi(secs) : 3600);
	return real(dirfd, path, flags, mode);
}
