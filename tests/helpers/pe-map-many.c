/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pe-map-many DIR N: create N files of 4096 bytes in DIR, each with its
 * own content (the line "pe-map-many file I" repeated), as DIR/orig.I (kept
 * for the test to compare with) and DIR/live.I (same content); map each
 * live.I PROT_READ, close it and unlink it, so that the process maps N
 * distinct deleted files ("DIR/live.I (deleted)").  Then print
 * "ready PID" and wait like pe-spin.  Dies with its parent.
 */
#include <stdlib.h>
#include <sys/mman.h>

#include "common.h"

#define FILE_SIZE 4096

static void fill(char *buf, long i)
{
	char line[48];
	int n = snprintf(line, sizeof(line), "pe-map-many file %ld\n", i);

	for (size_t off = 0; off < FILE_SIZE; off += (size_t)n)
		memcpy(buf + off, line, FILE_SIZE - off < (size_t)n ? FILE_SIZE - off : (size_t)n);
}

static int make(int dirfd, const char *name, const char *buf)
{
	int fd = openat(dirfd, name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);

	if (fd < 0 || pe_write_all(fd, buf, FILE_SIZE) < 0) {
		perror(name);
		exit(1);
	}
	return fd;
}

int main(int argc, char **argv)
{
	char buf[FILE_SIZE], name[64], line[64];
	long n;
	int dirfd;

	pe_die_with_parent(0);
	if (argc != 3 || (n = strtol(argv[2], NULL, 10)) <= 0) {
		fprintf(stderr, "usage: pe-map-many DIR N\n");
		return 2;
	}
	dirfd = open(argv[1], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0) {
		perror(argv[1]);
		return 1;
	}
	for (long i = 0; i < n; i++) {
		int fd;

		fill(buf, i);
		snprintf(name, sizeof(name), "orig.%ld", i);
		close(make(dirfd, name, buf));
		snprintf(name, sizeof(name), "live.%ld", i);
		fd = make(dirfd, name, buf);
		if (mmap(NULL, FILE_SIZE, PROT_READ, MAP_SHARED, fd, 0) == MAP_FAILED) {
			perror("mmap");
			return 1;
		}
		close(fd);
		if (unlinkat(dirfd, name, 0) < 0) {
			perror("unlink");
			return 1;
		}
	}
	close(dirfd);
	snprintf(line, sizeof(line), "ready %ld", (long)getpid());
	pe_report(line);
	for (;;)
		pause();
}
