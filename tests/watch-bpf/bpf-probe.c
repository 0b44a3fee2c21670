/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Test driver of the eBPF exec source (src/watch-bpf.c) without the rest
 * of `procexe watch`.  Runs as root; every process it checks or signals is
 * its own child, and freezing is confined to a scratch cgroup v2 directory.
 *
 *   bpf-probe events PAYLOAD     TAP: the events of its own execs of a copy
 *                                of PAYLOAD: a file, a memfd, an O_TMPFILE
 *   bpf-probe freeze PAYLOAD     TAP: stop, resume, scope, heartbeat,
 *                                guardian timeout, guardian death
 *   bpf-probe hold PAYLOAD CG ARG...   freeze one exec of PAYLOAD ARG... in
 *                                cgroup directory CG, print "ready PROG_ID
 *                                CHILD GUARDIAN SCRATCH", never resume it
 *                                (60 s; SCRATCH is left to the caller)
 *   bpf-probe bench N PAYLOAD [CG]  N execs (frozen and resumed in CG when
 *                                given); prints the program's run time per
 *                                run (needs kernel.bpf_stats_enabled=1)
 * Skips ("1..0 # SKIP ...", or exit 77 for hold) when BPF cannot load.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "watch-bpf.h"

static int tap_n;
static char arg0[] = "payload";
static char scratch[64];
static char payload[128];
static char cgdir[512];

static void cleanup(void)
{
	char p[256];

	if (payload[0]) {
		snprintf(p, sizeof(p), "%s/link", scratch);
		unlink(p);
		snprintf(p, sizeof(p), "%s/script", scratch);
		unlink(p);
		unlink(payload);
	}
	if (scratch[0])
		rmdir(scratch);
	if (cgdir[0])
		rmdir(cgdir);
}

static void __attribute__((format(printf, 2, 3))) ok(int cond, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d - ", cond ? "" : "not ", ++tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

static void __attribute__((noreturn)) skip_all(const char *why)
{
	printf("1..0 # SKIP %s\n", why);
	cleanup();
	exit(0);
}

static void __attribute__((noreturn)) die(const char *what)
{
	printf("Bail out! %s: %s\n", what, strerror(errno));
	cleanup();
	exit(1);
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* A copy of SRC as SCRATCH/payload (0755), with a hard link beside it. */
static void make_payload(const char *src)
{
	char buf[65536], link_path[256];
	int in, out;
	ssize_t n;

	if (!mkdtemp(strcpy(scratch, "/tmp/pe-bpf.XXXXXX")))
		die("mkdtemp");
	snprintf(payload, sizeof(payload), "%s/payload", scratch);
	in = open(src, O_RDONLY | O_CLOEXEC);
	out = open(payload, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0755);
	if (in < 0 || out < 0)
		die(src);
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n)
			die("write");
	close(in);
	close(out);
	snprintf(link_path, sizeof(link_path), "%s/link", scratch);
	if (link(payload, link_path) < 0)
		die("link");
}

/* A memfd named NAME holding the payload. */
static int payload_memfd(const char *name)
{
	char buf[65536];
	int in = open(payload, O_RDONLY | O_CLOEXEC);
	int fd = memfd_create(name, MFD_CLOEXEC | 0x10u /* MFD_EXEC */);
	ssize_t n;

	if (fd < 0 && errno == EINVAL)
		fd = memfd_create(name, MFD_CLOEXEC);
	if (in < 0 || fd < 0)
		die("memfd");
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(fd, buf, (size_t)n) != n)
			die("write");
	close(in);
	return fd;
}

/* An unnamed file (O_TMPFILE, nlink 0) in the scratch directory holding
 * the payload, opened read-only (a writable fd would make exec fail). */
static int payload_tmpfile(void)
{
	char buf[65536], path[64];
	int in = open(payload, O_RDONLY | O_CLOEXEC);
	int fd = open(scratch, O_TMPFILE | O_RDWR | O_CLOEXEC, 0755), ro;
	ssize_t n;

	if (in < 0 || fd < 0)
		die("O_TMPFILE");
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(fd, buf, (size_t)n) != n)
			die("write");
	close(in);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	ro = open(path, O_RDONLY | O_CLOEXEC);
	if (ro < 0)
		die(path);
	close(fd);
	return ro;
}

/* Fork a child that joins cgroup directory CG (when given) and executes
 * FD (when >= 0) or PATH with ARGV. */
static pid_t spawn(const char *cg, int fd, const char *path, char **argv)
{
	char *noargs[] = { arg0, NULL };
	pid_t pid = fork();

	if (pid < 0)
		die("fork");
	if (pid > 0)
		return pid;
	if (cg) {
		char procs[600];
		int c;

		snprintf(procs, sizeof(procs), "%s/cgroup.procs", cg);
		c = open(procs, O_WRONLY | O_CLOEXEC);
		if (c < 0 || write(c, "0", 1) != 1)
			_exit(126);
		close(c);
	}
	if (!argv)
		argv = noargs;
	if (fd >= 0)
		syscall(SYS_execveat, fd, "", argv, environ, AT_EMPTY_PATH);
	else
		execv(path, argv);
	_exit(127);
}

struct collect {
	pid_t want;
	int n;
	struct pe_watch_event ev;
};

static void on_event(void *ud, const struct pe_watch_event *ev)
{
	struct collect *c = ud;

	if ((pid_t)ev->tgid == c->want && c->n++ == 0)
		c->ev = *ev;
}

/* Drain until C has an event or MS passed; heartbeat meanwhile unless
 * NO_HB.  Returns C->n. */
static int wait_event(struct wbpf *b, struct collect *c, unsigned ms, int no_hb)
{
	uint64_t end = now_ms() + ms, beat = 0;

	for (;;) {
		struct pollfd p = { .fd = wbpf_fd(b), .events = POLLIN };

		while (wbpf_drain(b, on_event, c) == WBPF_DRAIN_MAX)
			;
		if (c->n || now_ms() >= end)
			return c->n;
		if (!no_hb && now_ms() >= beat) {
			wbpf_heartbeat(b);
			beat = now_ms() + 100;
		}
		poll(&p, 1, 20);
	}
}

/* State letter of /proc/PID/stat, '?' when unreadable. */
static char proc_state(pid_t pid)
{
	char path[64], buf[512], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return '?';
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return '?';
	buf[n] = '\0';
	p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p[2] : '?';
}

/* Wait (heartbeating, at most MS) until PID's state is (WANT_T) or is not
 * (!WANT_T) 'T'; returns whether it got there. */
static int wait_state(struct wbpf *b, pid_t pid, int want_t, unsigned ms)
{
	uint64_t end = now_ms() + ms;

	while ((proc_state(pid) == 'T') != want_t) {
		if (now_ms() >= end)
			return 0;
		if (b)
			wbpf_heartbeat(b);
		poll(NULL, 0, 10);
	}
	return 1;
}

/* Milliseconds from now until MS after the CLOCK_BOOTTIME instant T_NS. */
static unsigned ms_left(uint64_t t_ns, unsigned ms)
{
	struct timespec ts;
	uint64_t now, end = t_ns + (uint64_t)ms * 1000000;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	now = (uint64_t)ts.tv_sec * 1000000000 + (uint64_t)ts.tv_nsec;
	return now < end ? (unsigned)((end - now) / 1000000) : 0;
}

/* Reap PID within MS (heartbeating); its exit status or -1. */
static int reap(struct wbpf *b, pid_t pid, unsigned ms)
{
	uint64_t end = now_ms() + ms;
	int st;

	while (waitpid(pid, &st, WNOHANG) == 0) {
		if (now_ms() >= end)
			return -1;
		if (b)
			wbpf_heartbeat(b);
		poll(NULL, 0, 10);
	}
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Kill and reap PID (our child) if it did not end by itself in MS. */
static int finish(struct wbpf *b, pid_t pid, unsigned ms)
{
	int st = reap(b, pid, ms);

	if (st < 0 && kill(pid, 0) == 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	return st;
}

static int same_dev(const struct pe_watch_event *ev, dev_t dev)
{
	return makedev((unsigned)(ev->dev >> 20), (unsigned)(ev->dev & 0xfffff)) == dev;
}

/* One exec of a file or memfd (FD >= 0); checks its event.  FLAGS: the
 * flags expected among MEMFD|KERNMOUNT|SUSPECT|FROZEN. */
static void check_exec(struct wbpf *b, const char *what, int fd, unsigned flags)
{
	const unsigned mask = PE_WEV_MEMFD | PE_WEV_KERNMOUNT | PE_WEV_SUSPECT | PE_WEV_FROZEN |
	                      PE_WEV_SCRIPT;
	struct collect c = { 0 };
	struct stat st;
	int status;

	if ((fd >= 0 ? fstat(fd, &st) : stat(payload, &st)) < 0)
		die("stat");
	c.want = spawn(NULL, fd, payload, NULL);
	status = finish(NULL, c.want, 10000);
	wait_event(b, &c, 2000, 0);
	ok(status == 0, "%s: the payload ran (status %d)", what, status);
	ok(c.n == 1, "%s: exactly one event for the child (%d)", what, c.n);
	ok(c.ev.pid == c.ev.tgid && (pid_t)c.ev.ppid == getpid() && c.ev.uid == getuid(),
	   "%s: pid %u tgid %u ppid %u uid %u", what, c.ev.pid, c.ev.tgid, c.ev.ppid, c.ev.uid);
	ok(same_dev(&c.ev, st.st_dev) && c.ev.ino == st.st_ino,
	   "%s: dev %#llx ino %llu as fstat says", what, (unsigned long long)c.ev.dev,
	   (unsigned long long)c.ev.ino);
	ok(c.ev.nlink == st.st_nlink, "%s: nlink %u (fstat: %lu)", what, c.ev.nlink,
	   (unsigned long)st.st_nlink);
	ok((c.ev.flags & mask) == flags, "%s: flags %#x (expected %#x)", what, c.ev.flags & mask,
	   flags);
	ok(fd >= 0 || strcmp(c.ev.filename, payload) == 0, "%s: filename '%.256s'", what,
	   c.ev.filename);
	ok(strcmp(c.ev.argv0, arg0) == 0, "%s: argv0 '%.256s' as the exec gave it", what,
	   c.ev.argv0);
	ok(c.ev.start_boottime && c.ev.ktime_ns >= c.ev.start_boottime && c.ev.cgroup_id,
	   "%s: start_boottime, ktime and cgroup id set", what);
}

/* An exec of a script SCRATCH/script whose interpreter is the payload:
 * the event is the payload's, flagged PE_WEV_SCRIPT, with the script's
 * name. */
static void check_script(struct wbpf *b)
{
	char script[160], line[200];
	struct collect c = { 0 };
	struct stat st;
	int fd, n;

	snprintf(script, sizeof(script), "%s/script", scratch);
	n = snprintf(line, sizeof(line), "#!%s\n", payload);
	fd = open(script, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0755);
	if (fd < 0 || write(fd, line, (size_t)n) != n || close(fd) < 0 || stat(payload, &st) < 0)
		die(script);
	c.want = spawn(NULL, -1, script, NULL);
	finish(NULL, c.want, 10000);
	wait_event(b, &c, 2000, 0);
	ok(c.n == 1 && same_dev(&c.ev, st.st_dev) && c.ev.ino == st.st_ino,
	   "script: one event, of its interpreter (%d)", c.n);
	ok(c.ev.flags & PE_WEV_SCRIPT, "script: flags %#x have PE_WEV_SCRIPT", c.ev.flags);
	ok(strcmp(c.ev.filename, script) == 0, "script: filename '%.256s' names the script",
	   c.ev.filename);
}

static int test_events(void)
{
	struct wbpf *b;
	const char *why;
	int fd, r = wbpf_open(&b, false, 0, 0, &why);

	if (r < 0)
		skip_all(why);
	printf("1..%d\n", 9 * 4 + 2 + 3);
	ok(wbpf_guard_fd(b) < 0, "no guardian without freeze");
	check_exec(b, "file", -1, PE_WEV_SUSPECT);
	fd = payload_memfd("pe-bpf-probe");
	check_exec(b, "memfd", fd, PE_WEV_MEMFD | PE_WEV_KERNMOUNT | PE_WEV_SUSPECT);
	close(fd);
	fd = payload_tmpfile();
	check_exec(b, "O_TMPFILE", fd, PE_WEV_SUSPECT);
	close(fd);
	fd = payload_memfd("runc_cloned:/proc/self/exe");
	check_exec(b, "runc memfd", fd, PE_WEV_MEMFD | PE_WEV_KERNMOUNT);
	close(fd);
	check_script(b);
	ok(wbpf_dropped(b) == 0, "no event dropped");
	wbpf_free(b);
	return 0;
}

static int cg_id(const char *dir, uint64_t *id)
{
	union { struct file_handle h; char buf[sizeof(struct file_handle) + 8]; } fh;
	int mount_id;

	fh.h.handle_bytes = 8;
	if (name_to_handle_at(AT_FDCWD, dir, &fh.h, &mount_id, 0) < 0)
		return -errno;
	memcpy(id, fh.h.f_handle, 8);
	return 0;
}

/* CG = a new directory in the cgroup v2 hierarchy; its id and depth. */
static int make_cgroup(uint64_t *id, int *level)
{
	char line[4096], mnt[256] = "";
	FILE *f = fopen("/proc/self/mountinfo", "re");

	while (f && fgets(line, sizeof(line), f)) {
		char *sep = strstr(line, " - ");

		if (sep && strncmp(sep + 3, "cgroup2 ", 8) == 0 &&
		    sscanf(line, "%*s %*s %*s %*s %255s", mnt) == 1)
			break;
		mnt[0] = '\0';
	}
	if (f)
		fclose(f);
	if (!mnt[0])
		return -ENOENT;
	snprintf(cgdir, sizeof(cgdir), "%s/pe-bpf-test.%d", mnt, (int)getpid());
	if (mkdir(cgdir, 0755) < 0) {
		cgdir[0] = '\0';
		return -errno;
	}
	*level = 1;
	return cg_id(cgdir, id);
}

/* Start the payload (in CG when given) and wait for its event. */
static pid_t run_one(struct wbpf *b, const char *cg, const char *path, struct collect *c, int no_hb)
{
	memset(c, 0, sizeof(*c));
	c->want = spawn(cg, -1, path, NULL);
	wait_event(b, c, 5000, no_hb);
	return c->want;
}

static void test_guardian_death(struct wbpf *b)
{
	struct collect c;
	struct pollfd p = { .fd = wbpf_guard_fd(b), .events = POLLIN };
	pid_t pid = run_one(b, cgdir, payload, &c, 0);

	ok(c.n == 1 && (c.ev.flags & PE_WEV_FROZEN) && wait_state(b, pid, 1, 2000),
	   "stopped again before the guardian dies");
	/* our own child, by its pidfd */
	syscall(SYS_pidfd_send_signal, p.fd, SIGKILL, NULL, 0);
	ok(poll(&p, 1, 5000) == 1, "the guardian's pidfd says it died");
	wbpf_freeze_off(b);
	ok(finish(b, pid, 5000) == 0, "wbpf_freeze_off() resumed the stopped exec");
	ok(wbpf_guard_fd(b) < 0, "no guardian fd after wbpf_freeze_off()");
	pid = run_one(b, cgdir, payload, &c, 0);
	ok(c.n == 1 && !(c.ev.flags & PE_WEV_FROZEN) && finish(b, pid, 5000) == 0,
	   "freeze off: a suspicious exec in the cgroup runs on (flags %#x)", c.ev.flags);
}

static int test_freeze(const char *orig)
{
	struct wbpf *b;
	struct collect c;
	const char *why;
	uint64_t id, refused;
	int level, r;
	pid_t pid;

	r = make_cgroup(&id, &level);
	if (r < 0) {
		errno = -r;
		skip_all(r == -ENOENT ? "no cgroup v2 hierarchy" : "cannot make a cgroup v2 directory");
	}
	r = wbpf_open(&b, true, id, level, &why);
	if (r < 0)
		skip_all(why);
	printf("1..18\n");
	ok(wbpf_guard_fd(b) >= 0, "a guardian runs");

	pid = run_one(b, cgdir, payload, &c, 0);
	ok(c.n == 1 && (c.ev.flags & (PE_WEV_FROZEN | PE_WEV_SUSPECT)) == (PE_WEV_FROZEN | PE_WEV_SUSPECT),
	   "suspicious exec in the cgroup: event says frozen (flags %#x)", c.ev.flags);
	ok(wait_state(b, pid, 1, 2000), "it is stopped (state T)");
	/* the guardian's 800 ms are counted from the stop: look until 600 */
	ok(!wait_state(b, pid, 0, ms_left(c.ev.ktime_ns, 600)),
	   "still stopped 600 ms after the exec, without wbpf_resume()");
	ok(wbpf_resume(b, pid) == 0, "wbpf_resume() says resumed");
	ok(finish(b, pid, 5000) == 0, "it ran to its end after wbpf_resume()");
	ok(wbpf_resume(b, getpid()) == -ENOENT, "wbpf_resume() of a process it did not stop: -ENOENT");

	pid = run_one(b, NULL, payload, &c, 0);
	ok(c.n == 1 && (c.ev.flags & PE_WEV_SUSPECT) && !(c.ev.flags & PE_WEV_FROZEN) &&
	   finish(b, pid, 5000) == 0,
	   "suspicious exec outside the cgroup: not stopped (flags %#x)", c.ev.flags);
	pid = run_one(b, cgdir, orig, &c, 0);
	if (c.n == 1 && (c.ev.flags & PE_WEV_FROZEN))
		wbpf_resume(b, pid);
	ok(c.n == 1 && !(c.ev.flags & PE_WEV_FROZEN) == !(c.ev.flags & PE_WEV_SUSPECT) &&
	   finish(b, pid, 5000) == 0,
	   "%s in the cgroup: stopped if and only if suspicious (flags %#x)", orig, c.ev.flags);

	/* the guardian resumes a stop nobody resumes, after 800 ms */
	pid = run_one(b, cgdir, payload, &c, 0);
	ok(c.n == 1 && (c.ev.flags & PE_WEV_FROZEN) && wait_state(b, pid, 1, 2000),
	   "another suspicious exec stopped");
	ok(finish(b, pid, 3000) == 0, "the guardian resumed it (never wbpf_resume())");
	ok(wbpf_resume(b, pid) == -ENOENT, "and forgot it: wbpf_resume() -ENOENT");

	/* no heartbeat for 600 ms: nothing is stopped any more */
	refused = wbpf_refused(b);
	poll(NULL, 0, 600);
	pid = run_one(b, cgdir, payload, &c, 1);
	ok(c.n == 1 && (c.ev.flags & PE_WEV_SUSPECT) && !(c.ev.flags & PE_WEV_FROZEN) &&
	   finish(NULL, pid, 5000) == 0 && wbpf_refused(b) == refused + 1,
	   "stale heartbeat: not stopped, counted as refused (flags %#x)", c.ev.flags);

	test_guardian_death(b);
	wbpf_free(b);
	return 0;
}

/* The id of the BPF program this process holds (fdinfo "prog_id:"), 0. */
static unsigned prog_id(void)
{
	DIR *d = opendir("/proc/self/fdinfo");
	struct dirent *de;
	unsigned id = 0;

	while (d && !id && (de = readdir(d))) {
		char path[300], line[256];
		FILE *f;

		snprintf(path, sizeof(path), "/proc/self/fdinfo/%s", de->d_name);
		f = fopen(path, "re");
		while (f && !id && fgets(line, sizeof(line), f))
			if (sscanf(line, "prog_id: %u", &id) != 1)
				id = 0;
		if (f)
			fclose(f);
	}
	if (d)
		closedir(d);
	return id;
}

/* The pid behind pidfd FD (fdinfo "Pid:"), -1. */
static int pidfd_pid(int fd)
{
	char path[64], line[256];
	FILE *f;
	int pid = -1;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "re");
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "Pid: %d", &pid) == 1)
			break;
	if (f)
		fclose(f);
	return pid;
}

static int hold(const char *cg, char **argv)
{
	struct wbpf *b;
	struct collect c = { 0 };
	const char *why;
	uint64_t id, end;
	pid_t pid;

	if (cg_id(cg, &id) < 0)
		return 2;
	if (wbpf_open(&b, true, id, 1, &why) < 0) {
		printf("skip: %s\n", why);
		return 77;
	}
	c.want = pid = spawn(cg, -1, payload, argv);
	wait_event(b, &c, 5000, 0);
	if (c.n != 1 || !(c.ev.flags & PE_WEV_FROZEN) || !wait_state(b, pid, 1, 2000)) {
		printf("not frozen (flags %#x)\n", c.ev.flags);
		finish(b, pid, 0);
		wbpf_free(b);
		return 1;
	}
	printf("ready %u %d %d %s\n", prog_id(), (int)pid, pidfd_pid(wbpf_guard_fd(b)), scratch);
	fflush(stdout);
	/* until killed: heartbeat, never resume */
	for (end = now_ms() + 60000; now_ms() < end;) {
		wbpf_heartbeat(b);
		poll(NULL, 0, 100);
	}
	wbpf_free(b);
	return 0;
}

static int bench(unsigned n, const char *cg)
{
	struct bpf_prog_info info = { 0 };
	__u32 len = sizeof(info);
	struct wbpf *b;
	const char *why;
	uint64_t id = 0, t0;
	int fd, frozen = 0;

	if (cg && cg_id(cg, &id) < 0)
		return 2;
	if (wbpf_open(&b, cg != NULL, id, 1, &why) < 0) {
		printf("skip: %s\n", why);
		return 77;
	}
	t0 = now_ms();
	for (unsigned i = 0; i < n; i++) {
		struct collect c = { 0 };

		c.want = spawn(cg, -1, payload, NULL);
		if (cg) {
			wait_event(b, &c, 5000, 0);
			frozen += (c.ev.flags & PE_WEV_FROZEN) != 0;
			wbpf_resume(b, c.want);
		}
		finish(b, c.want, 5000);
		while (wbpf_drain(b, on_event, &c) == WBPF_DRAIN_MAX)
			;
	}
	fd = bpf_prog_get_fd_by_id(prog_id());
	if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len) < 0)
		return 2;
	printf("execs %u (frozen %d) in %" PRIu64 " ms; program: %llu runs, %llu ns, %.2f us/run\n",
	       n, frozen, now_ms() - t0, (unsigned long long)info.run_cnt,
	       (unsigned long long)info.run_time_ns,
	       info.run_cnt ? info.run_time_ns / 1000.0 / (double)info.run_cnt : 0.0);
	close(fd);
	wbpf_free(b);
	return 0;
}

int main(int argc, char **argv)
{
	int r = 2;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 3 && strcmp(argv[1], "events") == 0) {
		make_payload(argv[2]);
		r = test_events();
	} else if (argc >= 3 && strcmp(argv[1], "freeze") == 0) {
		make_payload(argv[2]);
		r = test_freeze(argv[2]);
	} else if (argc >= 4 && strcmp(argv[1], "hold") == 0) {
		const char *cg = argv[3];

		make_payload(argv[2]);
		argv[3] = arg0;
		r = hold(cg, argv + 3);
	} else if (argc >= 4 && strcmp(argv[1], "bench") == 0) {
		make_payload(argv[3]);
		r = bench((unsigned)strtoul(argv[2], NULL, 10), argc > 4 ? argv[4] : NULL);
	} else {
		fprintf(stderr, "usage: bpf-probe events|freeze PAYLOAD | hold PAYLOAD CG ARG... | "
		                "bench N PAYLOAD [CG]\n");
	}
	cleanup();
	return r;
}
