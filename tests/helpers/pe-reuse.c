/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pe-reuse PID PROG_A PROG_B: force PID reuse inside a fresh pid namespace.
 * Run as pid 1 of a new pid namespace whose procfs is mounted at /proc
 * (unshare --pid --fork --mount-proc), as root.  Every process it starts
 * gets the number PID (through /proc/sys/kernel/ns_last_pid).
 *   A runs PROG_A as uid 0 with argv "PROG_A marker-a";
 *   B runs PROG_B as uid/gid 65534 with argv "PROG_B marker-b".
 * Commands, one per line on stdin; one reply line each on stdout:
 *   a | b   replace the current process at PID by a new A or B
 *           -> "ok a PID" / "ok b PID"
 *   run     alternate A and B at PID as fast as possible until "stop"
 *           -> "running"
 *   stop    -> "stopped N" (N processes started), no process left at PID
 * End of input ends the namespace (and everything in it).
 */
#include <grp.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/wait.h>

#include "common.h"

static long target_pid;
static const char *prog[2];
static pid_t current = -1;

static void stop_current(void)
{
	if (current <= 0)
		return;
	kill(current, SIGKILL);
	while (waitpid(current, NULL, 0) < 0 && errno == EINTR)
		;
	current = -1;
}

static int set_last_pid(long pid)
{
	char buf[32];
	int fd, len, r = 0;

	fd = open("/proc/sys/kernel/ns_last_pid", O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	len = snprintf(buf, sizeof(buf), "%ld", pid);
	if (write(fd, buf, (size_t)len) != len)
		r = -errno;
	close(fd);
	return r;
}

/* Start A (which=0) or B (which=1) at target_pid, return after its exec. */
static int start(int which)
{
	static char marker_a[] = "marker-a", marker_b[] = "marker-b";
	char *argv[3];
	int sync[2], err = 0, r;
	pid_t pid;
	ssize_t n;

	stop_current();
	r = set_last_pid(target_pid - 1);
	if (r < 0)
		return r;
	if (pipe2(sync, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		r = -errno;
		close(sync[0]);
		close(sync[1]);
		return r;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);

		close(sync[0]);
		pe_die_with_parent(1);
		if (null >= 0) {
			dup2(null, STDIN_FILENO);
			dup2(null, STDOUT_FILENO);
		}
		if (which == 1 && (setgroups(0, NULL) < 0 ||
		                   setresgid(65534, 65534, 65534) < 0 ||
		                   setresuid(65534, 65534, 65534) < 0)) {
			err = errno;
			(void)!write(sync[1], &err, sizeof(err));
			_exit(127);
		}
		argv[0] = (char *)prog[which];
		argv[1] = which == 0 ? marker_a : marker_b;
		argv[2] = NULL;
		execv(prog[which], argv);
		err = errno;
		(void)!write(sync[1], &err, sizeof(err));
		_exit(127);
	}
	close(sync[1]);
	current = pid;
	do
		n = read(sync[0], &err, sizeof(err));
	while (n < 0 && errno == EINTR);
	close(sync[0]);
	if (n > 0) {
		stop_current();
		return -err;
	}
	if (pid != target_pid) {
		stop_current();
		return -EADDRINUSE;
	}
	return 0;
}

int main(int argc, char **argv)
{
	char line[64];
	unsigned long started = 0;
	int running = 0, which = 0;

	if (argc != 4) {
		fprintf(stderr, "usage: pe-reuse PID PROG_A PROG_B\n");
		return 2;
	}
	pe_die_with_parent(0);
	target_pid = strtol(argv[1], NULL, 10);
	prog[0] = argv[2];
	prog[1] = argv[3];
	if (getpid() != 1 || target_pid < 3) {
		fprintf(stderr, "pe-reuse: must be pid 1 of a new pid namespace\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	setvbuf(stdin, NULL, _IONBF, 0);
	printf("ready 1\n");

	for (;;) {
		struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };
		int r = poll(&pfd, 1, running ? 0 : -1);

		if (r < 0 && errno != EINTR)
			return 1;
		if (r <= 0) {
			if (running) {
				r = start(which);
				if (r < 0) {
					printf("error run %s\n", strerror(-r));
					running = 0;
				} else {
					started++;
					which ^= 1;
				}
			}
			continue;
		}
		if (!fgets(line, sizeof(line), stdin))
			break;
		line[strcspn(line, "\n")] = '\0';
		if (!strcmp(line, "a") || !strcmp(line, "b")) {
			r = start(line[0] == 'b');
			if (r < 0)
				printf("error %s %s\n", line, strerror(-r));
			else
				printf("ok %s %ld\n", line, (long)current);
		} else if (!strcmp(line, "run")) {
			running = 1;
			started = 0;
			printf("running\n");
		} else if (!strcmp(line, "stop")) {
			running = 0;
			stop_current();
			printf("stopped %lu\n", started);
		} else {
			printf("error unknown command %s\n", line);
		}
	}
	stop_current();
	return 0;
}
