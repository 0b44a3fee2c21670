/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * spawn: start COUNT detached copies of a sleeping program for
 * bench/plant.sh, faster than bash's "&" (whose job table grows with every
 * child it keeps).
 *
 *   spawn [-n COUNT] [-a ARGV0] [-C DIR] [-E NAME=VALUE]... [-m MANIFEST -c CLASS] [-w]
 *         PROG [ARG...]
 *
 * Each child gets argv[0] = ARGV0 (default PROG), stdin/stdout/stderr on
 * /dev/null, no other open file descriptors, and DIR as working directory.
 * -E NAME=VALUE (repeatable) sets an environment variable in the children
 * only (e.g. LD_PRELOAD, which must not be loaded into spawn itself).
 * For every child one line "PID<TAB>CLASS<TAB>STARTTIME<TAB>ARGV0" is
 * appended to MANIFEST (or written to stdout without -m) right after the
 * fork, with SIGINT/SIGTERM/SIGHUP blocked in between, so an interrupted
 * run never leaves an unrecorded child.  STARTTIME is field 22 of
 * /proc/PID/stat (clock ticks since boot): with the PID it identifies the
 * process for teardown.sh even if the PID is later reused.  spawn does not
 * wait for its children: once it exits they are reparented (to PID 1 or a
 * subreaper).
 *
 * -w waits until every child sleeps in clock_nanosleep/nanosleep (read from
 * /proc/PID/syscall), i.e. until exec and dynamic loading are finished and the
 * executable file may be removed or replaced without racing the exec.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef SYS_close_range
#define SYS_close_range 436
#endif

static int read_small(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return 0;
}

static int starttime(pid_t pid, unsigned long long *ret)
{
	char path[64], buf[1024], *p;
	int field;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (read_small(path, buf, sizeof(buf)) < 0)
		return -1;
	p = strrchr(buf, ')');
	if (!p)
		return -1;
	/* after ") " comes field 3; walk to field 22 */
	for (field = 2; field < 22 && p; field++)
		p = strchr(p + 1, ' ');
	if (!p)
		return -1;
	*ret = strtoull(p + 1, NULL, 10);
	return 0;
}

static bool asleep(pid_t pid)
{
	char path[64], buf[256];
	long nr;

	snprintf(path, sizeof(path), "/proc/%d/syscall", (int)pid);
	if (read_small(path, buf, sizeof(buf)) < 0)
		return false;
	if (buf[0] < '0' || buf[0] > '9')
		return false; /* "running" */
	nr = strtol(buf, NULL, 10);
#ifdef SYS_nanosleep
	if (nr == SYS_nanosleep)
		return true;
#endif
	return nr == SYS_clock_nanosleep;
}

static void usage(const char *me)
{
	fprintf(stderr, "usage: %s [-n COUNT] [-a ARGV0] [-C DIR] [-E NAME=VALUE]... "
	                "[-m MANIFEST -c CLASS] [-w] PROG [ARG...]\n",
	        me);
	exit(2);
}

int main(int argc, char **argv)
{
	const char *argv0 = NULL, *dir = NULL, *manifest = NULL, *class = "-";
	char *envs[16];
	int nenv = 0;
	long count = 1;
	bool wait_sleep = false;
	pid_t *pids;
	sigset_t block, old;
	int opt, out = 1;

	while ((opt = getopt(argc, argv, "+n:a:C:E:m:c:w")) != -1) {
		switch (opt) {
		case 'E':
			if (!strchr(optarg, '=') || nenv >= (int)(sizeof(envs) / sizeof(envs[0])))
				usage(argv[0]);
			envs[nenv++] = optarg;
			break;
		case 'm':
			manifest = optarg;
			break;
		case 'c':
			class = optarg;
			break;
		case 'n':
			count = strtol(optarg, NULL, 10);
			break;
		case 'a':
			argv0 = optarg;
			break;
		case 'C':
			dir = optarg;
			break;
		case 'w':
			wait_sleep = true;
			break;
		default:
			usage(argv[0]);
		}
	}
	if (optind >= argc || count < 1)
		usage(argv[0]);

	char **cargv = argv + optind;
	const char *prog = cargv[0];

	if (argv0)
		cargv[0] = (char *)argv0;
	pids = calloc((size_t)count, sizeof(*pids));
	if (!pids) {
		perror("calloc");
		return 1;
	}
	if (manifest) {
		out = open(manifest, O_WRONLY | O_APPEND | O_CLOEXEC);
		if (out < 0) {
			perror(manifest);
			return 1;
		}
	}
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);

	for (long i = 0; i < count; i++) {
		unsigned long long st;
		char line[512];
		int len;
		pid_t pid;

		sigprocmask(SIG_BLOCK, &block, &old);
		pid = fork();
		if (pid < 0) {
			perror("fork");
			return 1;
		}
		if (pid == 0) {
			int null = open("/dev/null", O_RDWR);

			sigprocmask(SIG_SETMASK, &old, NULL);
			if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 || dup2(null, 2) < 0)
				_exit(126);
			syscall(SYS_close_range, 3U, ~0U, 0U);
			if (dir && chdir(dir) < 0)
				_exit(126);
			for (int e = 0; e < nenv; e++)
				if (putenv(envs[e]) != 0)
					_exit(126);
			execv(prog, cargv);
			_exit(127);
		}
		pids[i] = pid;
		if (starttime(pid, &st) < 0) {
			fprintf(stderr, "spawn: cannot read start time of %d\n", (int)pid);
			return 1;
		}
		len = snprintf(line, sizeof(line), "%d\t%s\t%llu\t%s\n", (int)pid, class, st,
		               cargv[0]);
		if (len < 0 || (size_t)len >= sizeof(line) || write(out, line, (size_t)len) != len) {
			perror("spawn: writing the manifest");
			return 1;
		}
		sigprocmask(SIG_SETMASK, &old, NULL);
	}

	if (wait_sleep) {
		struct timespec start, now, nap = { 0, 2 * 1000 * 1000 };

		clock_gettime(CLOCK_MONOTONIC, &start);
		for (long i = 0; i < count; i++) {
			while (!asleep(pids[i])) {
				int status;

				if (waitpid(pids[i], &status, WNOHANG) == pids[i]) {
					fprintf(stderr, "spawn: child %d died\n", (int)pids[i]);
					return 1;
				}
				clock_gettime(CLOCK_MONOTONIC, &now);
				if (now.tv_sec - start.tv_sec > 60) {
					fprintf(stderr, "spawn: child %d not asleep after 60 s\n",
					        (int)pids[i]);
					return 1;
				}
				nanosleep(&nap, NULL);
			}
		}
	}
	return 0;
}
