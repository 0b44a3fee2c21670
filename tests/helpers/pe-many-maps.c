/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pe-many-maps MODE DIR COUNT [DEPTH]: a process with COUNT file mappings
 * of one page each (PROT_READ|PROT_EXEC, MAP_PRIVATE, one open file each,
 * so the kernel never merges them), the shapes a hostile user can give
 * procexe to chew on:
 *   links    one inode under COUNT names: DIR/base and hard links
 *            DIR/l000000...; all stay in place (nothing to flag);
 *   deleted  COUNT files f000000... in a directory DEPTH levels below DIR,
 *            each level a 250-byte name (paths of DEPTH * 251 bytes, past
 *            PATH_MAX), unlinked once mapped.
 * Files are sparse (one page, never written).  Prints "ready PID" and
 * waits like pe-spin; exits 77 with "skip: REASON" when the kernel refuses
 * an executable mapping or that many (vm.max_map_count).  Dies with its
 * parent.
 */
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "common.h"

/* Map one page of the file NAME under DIRFD (created when CREATE). */
static int map_one(int dirfd, const char *name, bool create, long psz)
{
	int fd = openat(dirfd, name, O_RDWR | O_CLOEXEC | (create ? O_CREAT | O_EXCL : 0), 0644);
	void *m;

	if (fd < 0)
		return -errno;
	if (create && ftruncate(fd, psz) < 0) {
		int e = errno;

		close(fd);
		return -e;
	}
	m = mmap(NULL, (size_t)psz, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
	close(fd);
	return m == MAP_FAILED ? -errno : 0;
}

/* DEPTH nested directories of 250-byte names below DIRFD: the deepest. */
static int deep_dir(int dirfd, int depth)
{
	char name[251];
	int fd = dup(dirfd);

	memset(name, 'd', 250);
	name[250] = '\0';
	for (int i = 0; i < depth && fd >= 0; i++) {
		int next;

		if (mkdirat(fd, name, 0755) < 0 && errno != EEXIST) {
			close(fd);
			return -1;
		}
		next = openat(fd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		close(fd);
		fd = next;
	}
	return fd;
}

static int fail(const char *what, int err)
{
	if (err == EACCES || err == EPERM || err == ENOMEM)
		return pe_skip(what, err);
	fprintf(stderr, "pe-many-maps: %s: %s\n", what, strerror(err));
	return 1;
}

int main(int argc, char **argv)
{
	long psz = sysconf(_SC_PAGESIZE), count;
	bool links;
	char line[64], name[32];
	int dirfd, r;

	pe_die_with_parent(0);
	if (argc < 4 || (strcmp(argv[1], "links") != 0 && strcmp(argv[1], "deleted") != 0)) {
		fprintf(stderr, "usage: pe-many-maps links|deleted DIR COUNT [DEPTH]\n");
		return 2;
	}
	links = strcmp(argv[1], "links") == 0;
	count = strtol(argv[3], NULL, 10);
	dirfd = open(argv[2], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0 || count <= 0)
		return fail("open DIR", errno ? errno : EINVAL);
	if (!links)
		dirfd = deep_dir(dirfd, argc > 4 ? atoi(argv[4]) : 20);
	if (dirfd < 0)
		return fail("deep directory", errno);
	if (links) {
		int fd = openat(dirfd, "base", O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);

		if (fd < 0 || ftruncate(fd, psz) < 0)
			return fail("base", errno);
		close(fd);
	}
	for (long i = 0; i < count; i++) {
		snprintf(name, sizeof(name), links ? "l%06ld" : "f%06ld", i);
		if (links && linkat(dirfd, "base", dirfd, name, 0) < 0)
			return fail("link", errno);
		r = map_one(dirfd, name, !links, psz);
		if (r < 0)
			return fail("mmap", -r);
		if (!links && unlinkat(dirfd, name, 0) < 0)
			return fail("unlink", errno);
	}
	snprintf(line, sizeof(line), "ready %ld", (long)getpid());
	pe_report(line);
	for (;;)
		pause();
}
