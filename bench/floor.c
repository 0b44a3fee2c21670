/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * floor: the cheapest possible exe scan, used by bench/run.sh as the speed
 * floor that procexe is compared against.
 *
 * For every numeric entry of /proc (read with getdents64 on a dirfd) it does
 * exactly two syscalls: readlinkat(procfd, "<pid>/exe") and
 * fstatat(procfd, "<pid>/exe") (following the magic link).  It prints one
 * line with the number of processes whose link could be read and how many of
 * them end in " (deleted)" or have st_nlink == 0.
 *
 *   floor [-l] [-dpms]
 *
 * -l also prints the PID of every flagged process (for the correctness
 *    pass); the timed runs never pass -l.
 *
 * The other options add one step each, to price the extra work a real
 * detector does (bench/run.sh -b times them; they are off by default):
 * -d  open /proc/<pid> as a directory and work relative to it (+ close)
 * -p  stat the launch path (the link text without " (deleted)") from /
 * -m  open /proc/<pid>/maps and read its first 512 bytes
 * -s  open /proc/<pid>/stat and read it
 *
 * This is a measuring stick, not a detector: no namespaces, no loaders,
 * no hard-link logic beyond the kernel's suffix.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "floor.h"

static void read_some(int dirfd, const char *name, size_t max)
{
	char buf[1024];
	int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return;
	if (max > sizeof(buf))
		max = sizeof(buf);
	if (read(fd, buf, max) < 0) {
		/* exited meanwhile: nothing to price */
	}
	close(fd);
}

int main(int argc, char **argv)
{
	bool list = false, opt_dir = false, opt_path = false, opt_maps = false, opt_stat = false;
	static char dbuf[64 * 1024];
	char path[64], sub[64];
	char link[4096];
	unsigned long total = 0, flagged = 0, failed = 0;
	int procfd, opt;

	while ((opt = getopt(argc, argv, "ldpms")) != -1) {
		switch (opt) {
		case 'l': list = true; break;
		case 'd': opt_dir = true; break;
		case 'p': opt_path = true; break;
		case 'm': opt_maps = true; break;
		case 's': opt_stat = true; break;
		default:
			fprintf(stderr, "usage: %s [-l] [-dpms]\n", argv[0]);
			return 2;
		}
	}

	procfd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (procfd < 0) {
		perror("/proc");
		return 1;
	}

	for (;;) {
		long n = syscall(SYS_getdents64, procfd, dbuf, sizeof(dbuf));

		if (n < 0) {
			perror("getdents64");
			return 1;
		}
		if (n == 0)
			break;

		for (long off = 0; off < n;) {
			struct linux_dirent64 *d = (struct linux_dirent64 *)(dbuf + off);
			const char *exe = path;
			int dfd = procfd;
			struct stat st;
			ssize_t len;
			bool bad;

			off += d->d_reclen;
			if (d->d_type != DT_DIR || !all_digits(d->d_name))
				continue;

			if (opt_dir) {
				dfd = openat(procfd, d->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
				if (dfd < 0) {
					failed++;
					continue;
				}
				exe = "exe";
			} else {
				snprintf(path, sizeof(path), "%s/exe", d->d_name);
			}

			len = readlinkat(dfd, exe, link, sizeof(link) - 1);
			if (len < 0) {
				failed++; /* kernel thread, zombie, gone, denied */
				goto next;
			}
			link[len] = '\0';
			total++;

			bad = (size_t)len >= sizeof(suffix) - 1 &&
			      memcmp(link + len - (sizeof(suffix) - 1), suffix,
			             sizeof(suffix) - 1) == 0;
			if (fstatat(dfd, exe, &st, 0) == 0 && st.st_nlink == 0)
				bad = true;
			if (opt_path) {
				struct stat pst;

				if (bad && (size_t)len >= sizeof(suffix) - 1)
					link[len - (sizeof(suffix) - 1)] = '\0';
				(void)fstatat(AT_FDCWD, link, &pst, AT_SYMLINK_NOFOLLOW);
			}
			if (opt_maps) {
				snprintf(sub, sizeof(sub), "%s%smaps", opt_dir ? "" : d->d_name, opt_dir ? "" : "/");
				read_some(dfd, sub, 512);
			}
			if (opt_stat) {
				snprintf(sub, sizeof(sub), "%s%sstat", opt_dir ? "" : d->d_name, opt_dir ? "" : "/");
				read_some(dfd, sub, 1024);
			}
			if (bad) {
				flagged++;
				if (list)
					printf("%s\n", d->d_name);
			}
next:
			if (dfd != procfd)
				close(dfd);
		}
	}
	close(procfd);

	printf("floor: %lu processes with an exe, %lu flagged, %lu without\n",
	       total, flagged, failed);
	return 0;
}
