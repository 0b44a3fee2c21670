/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pe-leader-exit: a live multithreaded process whose main thread has
 * exited (pthread_exit).  The thread-group leader then shows State Z and
 * /proc/PID/exe fails with ENOENT, while the process still runs its image
 * in the other thread.  Prints "ready PID" once the leader is a zombie.
 */
#include <pthread.h>
#include <stdlib.h>

#include "common.h"

static pid_t leader;

/* The state letter of task TID of this process, or 0. */
static char task_state(pid_t tid)
{
	char path[64], buf[512], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%ld/task/%ld/stat", (long)leader, (long)tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p[2] : 0;
}

static void *worker(void *arg)
{
	char line[64];

	(void)arg;
	while (task_state(leader) != 'Z')
		usleep(2000);
	snprintf(line, sizeof(line), "ready %ld", (long)leader);
	pe_report(line);
	for (;;)
		pause();
	return NULL;
}

int main(void)
{
	pthread_t t;

	pe_die_with_parent(0);
	leader = getpid();
	if (pthread_create(&t, NULL, worker, NULL) != 0) {
		fprintf(stderr, "pthread_create failed\n");
		return 1;
	}
	pthread_exit(NULL);
}
