/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * self-path: the cost of procexe_self_path() (result freed) against a bare
 * readlink("/proc/self/exe") into a stack buffer, the least any caller
 * pays.  Two reference loops explain the gap: readlink + strdup/free (what
 * a caller needs to return a string) and readlink + lstat (the syscalls of
 * the library's fast path).
 *
 *   self-path [-n CALLS_PER_BLOCK] [-b BLOCKS]
 *
 * Each method runs BLOCKS blocks of CALLS_PER_BLOCK calls (defaults 20,000
 * x 10 = 200,000 calls per method), the methods alternating block by block
 * so that drift in machine load hits all of them alike; a warm-up block of
 * each runs first.  The figure per method is the median of its blocks'
 * ns/call (min and max shown too), timed with CLOCK_MONOTONIC.
 *
 * Output: one line per method, then "ratio=R" (procexe_self_path median /
 * readlink median) and the answer's path and flags, so that the run also
 * shows which path of the library was measured (plain, deleted, loader).
 * Exit status 1 when a call fails.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "procexe.h"

enum method { M_READLINK, M_READLINK_DUP, M_READLINK_LSTAT, M_PROCEXE, M_MAX };

static const char *const names[M_MAX] = {
	[M_READLINK] = "readlink",
	[M_READLINK_DUP] = "readlink+strdup+free",
	[M_READLINK_LSTAT] = "readlink+lstat",
	[M_PROCEXE] = "procexe_self_path",
};

static volatile size_t sink; /* keeps the loops' results alive */

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* One block of N calls of method M; ns per call, or -1 on failure. */
static double run_block(enum method m, long n)
{
	char buf[PATH_MAX];
	double t0 = now_ns();

	for (long i = 0; i < n; i++) {
		ssize_t len;
		struct stat st;
		char *p;
		unsigned flags;

		switch (m) {
		case M_READLINK:
			len = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
			if (len < 0)
				return -1;
			sink += (size_t)len;
			break;
		case M_READLINK_DUP:
			len = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
			if (len < 0)
				return -1;
			buf[len] = '\0';
			p = strdup(buf);
			if (!p)
				return -1;
			sink += (size_t)p[0];
			free(p);
			break;
		case M_READLINK_LSTAT:
			len = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
			if (len < 0)
				return -1;
			buf[len] = '\0';
			/* A deleted image's text names nothing: count the call. */
			sink += (size_t)(lstat(buf, &st) == 0 ? st.st_ino : 0);
			break;
		case M_PROCEXE:
			if (procexe_self_path(&p, &flags) < 0)
				return -1;
			sink += (size_t)p[0] + flags;
			free(p);
			break;
		default:
			return -1;
		}
	}
	return (now_ns() - t0) / (double)n;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void print_flags(unsigned f)
{
	static const struct { unsigned bit; const char *name; } fl[] = {
		{ PROCEXE_DELETED, "deleted" }, { PROCEXE_REPLACED, "replaced" },
		{ PROCEXE_LOADER, "loader" }, { PROCEXE_FILELESS, "fileless" },
		{ PROCEXE_UNVERIFIED, "unverified" }, { PROCEXE_UNLINKED, "unlinked" },
		{ PROCEXE_UNREACHABLE, "unreachable" }, { PROCEXE_REPOINTED, "repointed" },
	};
	const char *sep = "";

	if (!f)
		fputs("none", stdout);
	for (size_t i = 0; i < sizeof(fl) / sizeof(fl[0]); i++)
		if (f & fl[i].bit) {
			printf("%s%s", sep, fl[i].name);
			sep = ",";
		}
	putchar('\n');
}

int main(int argc, char **argv)
{
	long calls = 20000;
	int blocks = 10, opt;
	double *res[M_MAX], med[M_MAX];
	char *path;
	unsigned flags;
	int r;

	while ((opt = getopt(argc, argv, "n:b:")) != -1) {
		switch (opt) {
		case 'n':
			calls = strtol(optarg, NULL, 10);
			break;
		case 'b':
			blocks = (int)strtol(optarg, NULL, 10);
			break;
		default:
			fprintf(stderr, "usage: %s [-n CALLS_PER_BLOCK] [-b BLOCKS]\n", argv[0]);
			return 2;
		}
	}
	if (calls < 1 || blocks < 1) {
		fprintf(stderr, "self-path: -n and -b must be positive\n");
		return 2;
	}

	r = procexe_self_path(&path, &flags);
	if (r < 0) {
		fprintf(stderr, "procexe_self_path: %s\n", strerror(-r));
		return 1;
	}

	for (int m = 0; m < M_MAX; m++) {
		res[m] = calloc((size_t)blocks, sizeof(double));
		if (!res[m])
			return 1;
		if (run_block((enum method)m, calls) < 0) { /* warm-up */
			fprintf(stderr, "%s failed: %s\n", names[m], strerror(errno));
			return 1;
		}
	}
	for (int b = 0; b < blocks; b++)
		for (int m = 0; m < M_MAX; m++) {
			/* Rotate the order so that no method always runs first. */
			int mm = (m + b) % M_MAX;

			res[mm][b] = run_block((enum method)mm, calls);
			if (res[mm][b] < 0) {
				fprintf(stderr, "%s failed\n", names[mm]);
				return 1;
			}
		}

	printf("calls=%ld x %d blocks per method\n", calls, blocks);
	for (int m = 0; m < M_MAX; m++) {
		double lo, hi;

		med[m] = median(res[m], blocks); /* sorts res[m] */
		lo = res[m][0];
		hi = res[m][blocks - 1];
		printf("%-22s median %8.1f ns/call  (min %.1f, max %.1f)\n",
		       names[m], med[m], lo, hi);
		free(res[m]);
	}
	printf("ratio=%.2f (procexe_self_path / readlink)\n", med[M_PROCEXE] / med[M_READLINK]);
	printf("path=%s\nflags=", path);
	print_flags(flags);
	free(path);
	return 0;
}
