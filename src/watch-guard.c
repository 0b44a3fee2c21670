/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The freeze guardian of `procexe watch` and the resume primitive it
 * shares with the watcher (see watch-guard.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/membarrier.h>
#include <bpf/bpf.h>

#include "watch-event.h"
#include "watch-guard.h"

#define SWEEP_TICK_MS 100
/* After the watcher vanished: stops younger than this are left to the next
 * sweep (the program may be between the map insert and the SIGSTOP). */
#define DYING_MIN_AGE_NS 50000000ull

uint64_t wguard_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Field 22 (starttime, clock ticks) of /proc/PID/stat; 0 or -errno. */
static int proc_starttime(pid_t pid, unsigned long long *ret)
{
	char path[32], buf[1024];
	int fd, field = 2;
	ssize_t n;
	char *p, *end;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return n < 0 ? -errno : -EIO;
	buf[n] = '\0';
	p = strrchr(buf, ')');
	while (p && field < 22)
		if ((p = strchr(p + 1, ' ')))
			field++;
	if (!p)
		return -EIO;
	errno = 0;
	*ret = strtoull(p + 1, &end, 10);
	return errno || end == p + 1 ? -EIO : 0;
}

/* 0 when PIDFD (of TGID) is the task V describes, -ESRCH when not. */
static int same_task(int pidfd, pid_t tgid, const struct pe_frozen *v)
{
	unsigned long long ticks = 0;
	long hz = sysconf(_SC_CLK_TCK);
	struct stat st;

	if (v->pid_ino)  /* exact: pidfs names each struct pid for good */
		return fstat(pidfd, &st) == 0 && (uint64_t)st.st_ino == v->pid_ino ? 0 : -ESRCH;
	if (hz <= 0 || proc_starttime(tgid, &ticks) < 0 ||
	    ticks != v->start_boottime / (1000000000ull / (unsigned long long)hz))
		return -ESRCH;
	/* the stat read was of the pidfd's task if it is still unreaped */
	return syscall(SYS_pidfd_send_signal, pidfd, 0, NULL, 0) == 0 ? 0 : -ESRCH;
}

int wguard_resume(int frozen_fd, pid_t tgid)
{
	struct pe_frozen v;
	__u32 key = (__u32)tgid;
	int pidfd, r;

	if (bpf_map_lookup_and_delete_elem(frozen_fd, &key, &v) < 0)
		return -errno;
	pidfd = (int)syscall(SYS_pidfd_open, tgid, 0);
	if (pidfd < 0)
		return -errno;
	r = same_task(pidfd, tgid, &v);
	if (r == 0 && syscall(SYS_pidfd_send_signal, pidfd, SIGCONT, NULL, 0) < 0)
		r = -errno;
	close(pidfd);
	return r;
}

int wguard_sweep(int frozen_fd, uint64_t min_age_ns, uint32_t *keys)
{
	size_t n = 0;
	uint64_t now;
	int resumed = 0;

	/* keys first: deleting while walking would restart the walk */
	while (n < PE_WATCH_FROZEN_MAX &&
	       bpf_map_get_next_key(frozen_fd, n ? &keys[n - 1] : NULL, &keys[n]) == 0)
		n++;
	now = wguard_now();
	for (size_t i = 0; i < n; i++) {
		struct pe_frozen v;

		if (bpf_map_lookup_elem(frozen_fd, &keys[i], &v) < 0)
			continue;
		/* (a time "from the future" wraps to a large age) */
		if (now - v.freeze_ns < min_age_ns)
			continue;
		if (wguard_resume(frozen_fd, (pid_t)keys[i]) == 0)
			resumed++;
	}
	return resumed;
}

int wguard_quiesce(void)
{
	/* MEMBARRIER_CMD_GLOBAL is synchronize_rcu(): BPF tracing programs
	 * run inside RCU read-side sections */
	return syscall(SYS_membarrier, MEMBARRIER_CMD_GLOBAL, 0, 0) < 0 ? -errno : 0;
}

/* Close every descriptor in [FIRST, LAST]. */
static void close_span(unsigned first, unsigned last)
{
	struct rlimit rl;

	if (first > last || close_range(first, last, 0) == 0 || errno != ENOSYS)
		return;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < last)
		last = rl.rlim_cur > 1048576 ? 1048576 : (unsigned)rl.rlim_cur;
	for (unsigned fd = first; fd <= last && fd <= 1048576; fd++)
		close((int)fd);
}

/* Close every descriptor but 0-2, A and B (A, B >= 3, different). */
static void close_all_but(int a, int b)
{
	unsigned lo = (unsigned)(a < b ? a : b), hi = (unsigned)(a < b ? b : a);

	close_span(3, lo - 1);
	close_span(lo + 1, hi - 1);
	close_span(hi + 1, ~0u);
}

/* The guardian's own set-up: a process of its own that nothing from the
 * watcher's terminal reaches and the OOM killer spares. */
static void guard_setup(void)
{
	static const int ignored[] = { SIGINT, SIGTERM, SIGHUP, SIGPIPE, SIGQUIT,
	                               SIGTSTP, SIGTTIN, SIGTTOU };
	struct sigaction sa = { .sa_handler = SIG_IGN };
	sigset_t none;
	int fd;

	setsid();
	for (size_t i = 0; i < sizeof(ignored) / sizeof(ignored[0]); i++)
		sigaction(ignored[i], &sa, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	prctl(PR_SET_NAME, "procexe-guard", 0, 0, 0);
	fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (write(fd, "-1000", 5) < 0) {
			/* best effort: without CAP_SYS_RESOURCE it stays as it was */
		}
		close(fd);
	}
	fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	for (int i = 0; fd >= 0 && i < 3; i++)
		dup2(fd, i);
	if (fd > 2)
		close(fd);
}

enum guard_news { NEWS_NONE, NEWS_QUIT, NEWS_GONE };

/* What the watcher tells within one tick: 'Q' on SOCK (it made sure
 * nothing stops any more), or that it is gone: its end of SOCK closed, or
 * WATCHER (its pidfd, -1 if none) reports its exit. */
static enum guard_news watcher_news(int sock, int watcher)
{
	struct pollfd p[2] = { { .fd = sock, .events = POLLIN },
	                       { .fd = watcher, .events = POLLIN } };
	char c;
	ssize_t n;

	if (poll(p, 2, SWEEP_TICK_MS) <= 0)
		return NEWS_NONE;
	if (p[0].revents) {
		n = read(sock, &c, 1);
		if (n == 1 && c == 'Q')
			return NEWS_QUIT;
		if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN))
			return NEWS_GONE;
	}
	return p[1].revents ? NEWS_GONE : NEWS_NONE;
}

/* The guardian's loop; never returns.  WATCHER: pidfd of the watcher, or
 * -1 (the socket alone tells), so that a copy of the watcher's end of the
 * socket held elsewhere cannot keep us sweeping for ever.  GONE: the
 * watcher was already gone when we started. */
static void __attribute__((noreturn)) guard_loop(int frozen_fd, int sock, int watcher,
                                                 bool gone, uint32_t *keys)
{
	uint64_t gone_at = gone ? wguard_now() : 0;

	for (;;) {
		enum guard_news news = NEWS_NONE;

		if (gone_at == 0)
			news = watcher_news(sock, watcher);
		else
			poll(NULL, 0, SWEEP_TICK_MS);
		if (news == NEWS_QUIT) {
			wguard_sweep(frozen_fd, 0, keys);
			_exit(0);
		}
		if (news == NEWS_GONE)
			gone_at = wguard_now();
		if (!gone_at) {
			wguard_sweep(frozen_fd, WGUARD_MAX_AGE_NS, keys);
			continue;
		}
		/* the watcher is gone: its heartbeat is at least as old as
		 * GONE_AT, so the program stops nothing more after 500 ms */
		if (wguard_now() - gone_at > PE_WATCH_HEARTBEAT_MAX_NS + 100000000ull) {
			if (wguard_quiesce() < 0)
				poll(NULL, 0, SWEEP_TICK_MS);
			wguard_sweep(frozen_fd, 0, keys);
			_exit(0);
		}
		wguard_sweep(frozen_fd, DYING_MIN_AGE_NS, keys);
	}
}

/* A pidfd of WATCHER if it is still our parent, -1 if it is already gone
 * or pidfds are unavailable (the socket still tells). */
static int watcher_pidfd(pid_t watcher)
{
	int fd = (int)syscall(SYS_pidfd_open, watcher, 0);

	if (fd >= 0 && getppid() != watcher) {
		close(fd);
		return -1;  /* reparented: the PID may name another process */
	}
	return fd;
}

static void __attribute__((noreturn)) guard_child(int frozen_fd, int sock, pid_t watcher)
{
	static uint32_t keys[PE_WATCH_FROZEN_MAX];
	int map = fcntl(frozen_fd, F_DUPFD_CLOEXEC, 3);
	int s = fcntl(sock, F_DUPFD_CLOEXEC, 3);
	int w;

	if (map < 0 || s < 0)
		_exit(1);
	guard_setup();
	/* never the program or link: they must go with the watcher */
	close_all_but(map, s);
	w = watcher_pidfd(watcher);
	guard_loop(map, s, w, getppid() != watcher, keys);
}

int wguard_start(int frozen_fd, pid_t *pid, int *pidfd, int *sock)
{
	pid_t self = getpid(), child;
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return -errno;
	child = fork();
	if (child < 0) {
		int r = -errno;

		close(sv[0]);
		close(sv[1]);
		return r;
	}
	if (child == 0)
		guard_child(frozen_fd, sv[1], self);
	close(sv[1]);
	/* our unreaped child: its pid cannot be reused under us */
	*pidfd = (int)syscall(SYS_pidfd_open, child, 0);
	if (*pidfd < 0) {
		int r = -errno;

		close(sv[0]);
		waitpid(child, NULL, 0);
		return r;
	}
	*pid = child;
	*sock = sv[0];
	return 0;
}

void wguard_stop(pid_t pid, int pidfd, int sock)
{
	struct pollfd p = { .fd = pidfd, .events = POLLIN };

	if (sock >= 0) {
		send(sock, "Q", 1, MSG_NOSIGNAL | MSG_DONTWAIT);
		close(sock);
	}
	if (pidfd < 0)
		return;
	if (poll(&p, 1, 1000) > 0)
		waitpid(pid, NULL, WNOHANG);
	close(pidfd);
}
