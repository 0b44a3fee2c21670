/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The root directory below which `procexe restart` reads the host's
 * kernel images, microcode, init scripts and pidfiles: "/".  The test
 * build of the command (tests/restart, -DPE_TEST_HOOKS) takes it from
 * $PROCEXE_TEST_ROOT instead, so that fake layouts drive every state; the
 * installed command never reads that variable.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "restart-root.h"

const char *restart_root(void)
{
#ifdef PE_TEST_HOOKS
	const char *r = getenv("PROCEXE_TEST_ROOT");

	if (r && *r)
		return r;
#endif
	return "/";
}

ssize_t restart_read_file(const char *root, const char *rel, void *buf, size_t size,
                          uid_t *owner)
{
	char path[4096];
	struct stat st;
	size_t got = 0;
	int fd;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", root, rel) >= sizeof(path))
		return -ENAMETOOLONG;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -EINVAL;
	}
	if (owner)
		*owner = st.st_uid;
	while (got < size) {
		ssize_t r = read(fd, (char *)buf + got, size - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	return (ssize_t)got;
}
