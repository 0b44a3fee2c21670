/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * watch-exec: the cost of one spawn, for bench/watch.sh.
 *
 *   watch-exec [-n COUNT] [-a ARGV0] PROG [ARG...]
 *
 * Runs PROG COUNT times (default 1000), one at a time: fork, execv, waitpid,
 * each timed with CLOCK_MONOTONIC from before the fork to after the wait.
 * The children have stdin/stdout/stderr on /dev/null.  Prints
 * "p50_ns p90_ns min_ns" of the COUNT durations on stdout.  Exit status 1
 * when a child did not exit 0 (PROG failed), 2 for a usage error.
 * -a ARGV0 gives the children that argv[0] (e.g. a path that names no file,
 * so that pe-selfdel's unlink of argv[0] fails and the binary stays).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return (x > y) - (x < y);
}

/* One fork + execv + waitpid; its duration in ns, or -1 when it failed. */
static long long one(const char *prog, char **argv)
{
	long long t0 = now_ns();
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 || dup2(null, 2) < 0)
			_exit(126);
		execv(prog, argv);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status))
		return -1;
	return now_ns() - t0;
}

int main(int argc, char **argv)
{
	long count = 1000;
	const char *argv0 = NULL;
	long long *d;
	int opt;

	while ((opt = getopt(argc, argv, "+n:a:")) != -1) {
		switch (opt) {
		case 'n':
			count = strtol(optarg, NULL, 10);
			break;
		case 'a':
			argv0 = optarg;
			break;
		default:
			fprintf(stderr, "usage: watch-exec [-n COUNT] [-a ARGV0] PROG [ARG...]\n");
			return 2;
		}
	}
	if (optind >= argc || count < 1) {
		fprintf(stderr, "usage: watch-exec [-n COUNT] [-a ARGV0] PROG [ARG...]\n");
		return 2;
	}
	char **cargv = argv + optind;
	const char *prog = cargv[0];

	if (argv0)
		cargv[0] = (char *)argv0;
	d = calloc((size_t)count, sizeof(*d));
	if (!d) {
		perror("calloc");
		return 1;
	}
	for (long i = 0; i < count; i++) {
		d[i] = one(prog, cargv);
		if (d[i] < 0) {
			fprintf(stderr, "watch-exec: %s failed (run %ld)\n", prog, i);
			return 1;
		}
	}
	qsort(d, (size_t)count, sizeof(*d), cmp_ll);
	printf("%lld %lld %lld\n", d[count / 2], d[count * 9 / 10], d[0]);
	free(d);
	return 0;
}
