/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * floor-maps: the cheapest possible "what must restart" scan, used by
 * bench/restart.sh as the speed floor that `procexe restart` is compared
 * against.
 *
 * For every numeric entry of /proc (read with getdents64 on a dirfd) it
 * opens "<pid>/maps" relative to the /proc fd and reads it completely
 * (read() until it returns 0) into one buffer, then closes it.  Nothing else:
 * no exe link, no stat of any mapped file, no parsing.  Any detector of
 * outdated libraries has to read every maps file at least once, so this is
 * the least such a scan can cost.  It prints one line with the number of
 * maps files read, their bytes and lines.
 *
 *   floor-maps [-j THREADS] [-l]
 *
 * -j N  N threads (default 1).  With N > 1 the /proc listing is read first,
 *       then the threads take PIDs from a shared atomic index.  N = 1 reads
 *       and scans in one pass, like bench/floor.c.
 * -l    also print the PID of every process with an executable mapping whose
 *       path ends in " (deleted)" (for the correctness pass only: the timed
 *       runs never pass -l, and the check costs one scan of the text).
 *
 * This is a measuring stick, not a detector: no replaced or in-place
 * modified files, no loaders, no namespaces.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "floor.h"

#define BUF_SIZE (256 * 1024)

static int procfd;
static bool list;

/* the PIDs, for -j > 1 */
static int *pids;
static size_t npids;
static atomic_size_t next_pid;

struct counts {
	unsigned long files, failed, lines;
	unsigned long long bytes;
};

/* Is there an executable mapping ending in " (deleted)" in BUF[0..LEN)? */
static bool deleted_exec(const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *sp = memchr(p, ' ', (size_t)(end - p));
		size_t l;

		if (!nl)
			nl = end;
		l = (size_t)(nl - p);
		/* "start-end perms ...": the 4 perms follow the first space */
		if (sp && sp + 4 < nl && sp[3] == 'x' && l >= sizeof(suffix) - 1 &&
		    memcmp(nl - (sizeof(suffix) - 1), suffix, sizeof(suffix) - 1) == 0)
			return true;
		p = nl + 1;
	}
	return false;
}

static void read_maps(const char *pid, char *buf, struct counts *c)
{
	char path[64];
	size_t len = 0;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/maps", pid);
	fd = openat(procfd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		c->failed++;
		return;
	}
	/* read until 0; with -l keep the whole text (grow within BUF_SIZE,
	 * then restart at the beginning: a longer file only loses -l detail) */
	for (;;) {
		n = read(fd, buf + len, BUF_SIZE - len);
		if (n <= 0)
			break;
		c->bytes += (unsigned long long)n;
		if (list) {
			const char *q = buf + len;

			for (ssize_t i = 0; i < n; i++)
				if (q[i] == '\n')
					c->lines++;
			len += (size_t)n;
			if (len == BUF_SIZE)
				len = 0;
		}
	}
	close(fd);
	if (n < 0) {
		c->failed++; /* exited meanwhile, or kernel thread */
		return;
	}
	c->files++;
	if (list && deleted_exec(buf, len))
		printf("%s\n", pid);
}

static void *worker(void *arg)
{
	struct counts *c = arg;
	char *buf = malloc(BUF_SIZE);
	char name[16];

	if (!buf) {
		perror("malloc");
		exit(1);
	}
	for (;;) {
		size_t i = atomic_fetch_add_explicit(&next_pid, 1, memory_order_relaxed);

		if (i >= npids)
			break;
		snprintf(name, sizeof(name), "%d", pids[i]);
		read_maps(name, buf, c);
	}
	free(buf);
	return NULL;
}

int main(int argc, char **argv)
{
	static char dbuf[64 * 1024];
	struct counts total = { 0 };
	size_t cap = 0;
	char *buf = NULL;
	long threads = 1;
	int opt;

	while ((opt = getopt(argc, argv, "j:l")) != -1) {
		switch (opt) {
		case 'j':
			threads = strtol(optarg, NULL, 10);
			break;
		case 'l':
			list = true;
			break;
		default:
			fprintf(stderr, "usage: %s [-j THREADS] [-l]\n", argv[0]);
			return 2;
		}
	}
	if (threads < 1 || threads > 256) {
		fprintf(stderr, "%s: bad thread count\n", argv[0]);
		return 2;
	}
	if (list)
		setvbuf(stdout, NULL, _IOLBF, 0); /* lines from several threads */

	procfd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (procfd < 0) {
		perror("/proc");
		return 1;
	}
	if (threads == 1) {
		buf = malloc(BUF_SIZE);
		if (!buf) {
			perror("malloc");
			return 1;
		}
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

			off += d->d_reclen;
			if (d->d_type != DT_DIR || !all_digits(d->d_name))
				continue;
			if (threads == 1) {
				read_maps(d->d_name, buf, &total);
				continue;
			}
			if (npids == cap) {
				int *np;

				cap = cap ? 2 * cap : 4096;
				np = realloc(pids, cap * sizeof(*pids));
				if (!np) {
					perror("realloc");
					return 1;
				}
				pids = np;
			}
			pids[npids++] = atoi(d->d_name);
		}
	}

	if (threads > 1) {
		pthread_t *tid = calloc((size_t)threads, sizeof(*tid));
		struct counts *c = calloc((size_t)threads, sizeof(*c));

		if (!tid || !c) {
			perror("calloc");
			return 1;
		}
		/* the main thread is worker 0 */
		for (long t = 1; t < threads; t++) {
			int err = pthread_create(&tid[t], NULL, worker, &c[t]);

			if (err) {
				fprintf(stderr, "pthread_create: %s\n", strerror(err));
				return 1;
			}
		}
		worker(&c[0]);
		for (long t = 0; t < threads; t++) {
			if (t > 0)
				pthread_join(tid[t], NULL);
			total.files += c[t].files;
			total.failed += c[t].failed;
			total.lines += c[t].lines;
			total.bytes += c[t].bytes;
		}
		free(tid);
		free(c);
		free(pids);
	}
	free(buf);
	close(procfd);

	if (list)
		printf("floor-maps: %lu maps files read (%llu bytes, %lu lines), %lu unreadable\n",
		       total.files, total.bytes, total.lines, total.failed);
	else
		printf("floor-maps: %lu maps files read (%llu bytes), %lu unreadable\n",
		       total.files, total.bytes, total.failed);
	return 0;
}
