/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>
#include <linux/openat2.h>

#include "cli.h"
#include "watch-bpf.h"
#include "watch-cn.h"
#include "watch-event.h"
#include "watch-fan.h"
#include "watch-parse.h"
#include "watch-pin.h"

/* A fanotify fd waiting for the BPF event of its exec. */
struct wpend {
	int fd;
	pid_t pid;
	dev_t dev;
	ino_t ino;
	uint64_t since_ns;      /* CLOCK_MONOTONIC */
};

/* Past this many waiting fds the oldest is let go: a burst cannot make the
 * watcher hold an unbounded number of files. */
#define PEND_MAX 4096
/* A fanotify fd whose exec event did not come within this time was not an
 * exec's image (an ELF interpreter, a script's interpreter, a failed exec). */
#define PEND_TTL_NS 1000000000ull
/* fanotify alone: how long an interpreter's event may wait for its exec to
 * switch the image (see unseen_image()). */
#define UNSEEN_WAIT_NS 20000000ull
/* fanotify alone: how long a script's exec open waits for its
 * interpreter's (the same execve opens both). */
#define HELD_TTL_NS 200000000ull

static uint64_t now_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static struct wrec *wrec_new(pid_t pid, unsigned mech)
{
	struct wrec *r = xmalloc(sizeof(*r));

	*r = (struct wrec){
		.time_ns = now_ns(CLOCK_REALTIME), .pid = pid, .ppid = -1, .uid = (uid_t)-1,
		.fd = -1, .nlink_exec = UINT64_MAX, .mechs = mech, .script_fd = -1,
	};
	return r;
}

void wrec_free(struct wrec *r)
{
	if (!r)
		return;
	if (r->fd >= 0)
		close(r->fd);
	if (r->script_fd >= 0)
		close(r->script_fd);
	free(r->argv0);
	free(r->script_name);
	free(r);
}

/* Read up to MAX bytes of NAME beneath DIRFD: the length, or -1. */
static ssize_t read_small(int dirfd, const char *name, char *buf, size_t max)
{
	int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, max);
	close(fd);
	return n;
}

/* A NUL-terminated copy of the LEN bytes at S. */
static char *memdup0(const char *s, size_t len)
{
	char *r = xmalloc(len + 1);

	memcpy(r, s, len);
	r[len] = '\0';
	return r;
}

static void set_argv0(struct wrec *rec, const char *s, size_t len)
{
	rec->argv0 = memdup0(s, len);
	rec->argv0_len = len;
}

/* REC's exec ran a script: FD (owned, -1 not pinned) pinned by PINNED. */
static void attach_script(struct wrec *rec, int fd, const char *pinned)
{
	rec->script = true;
	rec->script_fd = fd;
	rec->script_pinned = fd >= 0 ? pinned : NULL;
}

/* argv[0] of the process at DIRFD into REC (first NUL-terminated word). */
static void read_argv0(int dirfd, struct wrec *rec)
{
	char buf[4096];
	ssize_t n = read_small(dirfd, "cmdline", buf, sizeof(buf));

	if (n > 0)
		set_argv0(rec, buf, strnlen(buf, (size_t)n));
}

/* ppid and comm from the stat file. */
static void read_stat(int dirfd, struct wrec *rec)
{
	char buf[512];
	ssize_t n = read_small(dirfd, "stat", buf, sizeof(buf));
	pid_t ppid;

	if (n > 0 && wparse_stat(buf, (size_t)n, rec->comm, sizeof(rec->comm), &ppid) == 0)
		rec->ppid = ppid;
}

/*
 * The details a record without a BPF event lacks, from /proc/PID, trusted
 * only when the PID still runs the pinned image (FD; -1: not checked).
 */
static void read_details(const struct wpin *p, struct wrec *rec, int fd)
{
	char name[16];
	struct stat st, img;
	int dirfd;

	snprintf(name, sizeof(name), "%d", (int)rec->pid);
	dirfd = openat(p->procfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return;
	if (fd >= 0 && (fstat(fd, &img) < 0 || fstatat(dirfd, "exe", &st, 0) < 0 ||
	                st.st_dev != img.st_dev || st.st_ino != img.st_ino)) {
		close(dirfd);
		return;
	}
	if (fstat(dirfd, &st) == 0)
		rec->uid = st.st_uid;
	read_stat(dirfd, rec);
	read_argv0(dirfd, rec);
	close(dirfd);
}

static void push(struct wpin *p, struct wrec *rec)
{
	p->cnt->execs++;
	if (rec->fd >= 0)
		p->cnt->pinned++;
	else
		p->cnt->missed++;
	if (rec->script && rec->script_fd < 0)
		p->cnt->script_missed++;
	if (!wout_push(p->out, rec)) {
		p->cnt->dropped++;
		wrec_free(rec);
	}
}

/* What the head of FD says: 1 it names an interpreter (a dynamic
 * program, whose exec is followed by its interpreter's open), 2 it is an
 * interpreter or static-pie (ET_DYN naming none), 3 a script ("#!": its
 * exec is followed by its interpreter's), 0 anything else.  The program
 * headers of an executable follow its ELF header. */
static int elf_kind(int fd)
{
	char buf[4096];
	ssize_t n = pread(fd, buf, sizeof(buf), 0);

	if (n <= 0)
		return 0;
	if (n >= 2 && buf[0] == '#' && buf[1] == '!')
		return 3;
	if (wparse_elf_names_interp(buf, (size_t)n))
		return 1;
	return wparse_elf_loader_like(buf, (size_t)n) ? 2 : 0;
}

/* fanotify alone: PID just executed a dynamic program, so its next event
 * may be that program's interpreter.  A small ring: execs of many
 * processes interleave. */
static void await_interp(struct wpin *p, pid_t pid)
{
	p->await[p->await_next] = pid;
	p->await_next = (p->await_next + 1) % ARRAY_SIZE(p->await);
}

static bool awaited_interp(struct wpin *p, pid_t pid)
{
	for (size_t i = 0; i < ARRAY_SIZE(p->await); i++)
		if (p->await[i] == pid) {
			p->await[i] = 0;
			return true;
		}
	return false;
}

/* fanotify alone: every event is an exec's image, except the interpreter
 * (an ELF file naming none itself) opened by a process that has just
 * executed a dynamic program. */
/*
 * fanotify alone, an interpreter-like file (ET_DYN naming no interpreter)
 * that is no program's interpreter we expected: the exec's image (a
 * static-pie program), unless it is the interpreter of an image on no
 * marked filesystem (a dynamic program run from a memfd: the kernel's open
 * of its loader is all fanotify sees).  Then PID's image, once the exec
 * has switched it, is on no marked filesystem: returns its fd, pinned
 * through /proc/PID/exe.  Else -1.
 */
static const char *open_exe(struct wpin *p, pid_t pid, bool check, dev_t dev, ino_t ino,
                            int *fd);

static bool on_marked_fs(const struct wpin *p, dev_t dev)
{
	size_t n;
	const dev_t *devs = wfan_marked(p->fan, &n);

	for (size_t i = 0; i < n; i++)
		if (devs[i] == dev)
			return true;
	return false;
}

/* PID's image now, when it lies on no marked filesystem: its fd, else -1. */
static int unseen_now(struct wpin *p, pid_t pid)
{
	struct stat img;
	int exe = -1;

	if (open_exe(p, pid, false, 0, 0, &exe))
		return -1;
	if (fstat(exe, &img) == 0 && !on_marked_fs(p, img.st_dev))
		return exe;
	close(exe);
	return -1;
}

static int unseen_image(struct wpin *p, int fd, pid_t pid)
{
	uint64_t until = now_ns(CLOCK_MONOTONIC) + UNSEEN_WAIT_NS;
	struct stat img, ev;
	int exe = -1;

	if (fstat(fd, &ev) < 0)
		return -1;
	/* the loader is opened before the exec switches the image: let a
	 * running exec complete, yielding the CPU, for UNSEEN_WAIT_NS at most */
	for (;;) {
		if (open_exe(p, pid, false, 0, 0, &exe))
			return -1;
		if (fstat(exe, &img) < 0 || (img.st_dev == ev.st_dev && img.st_ino == ev.st_ino)) {
			close(exe);
			return -1;
		}
		if (!on_marked_fs(p, img.st_dev))
			return exe;
		close(exe);
		if (now_ns(CLOCK_MONOTONIC) > until)
			return -1;
		sched_yield();
	}
}

/* fanotify alone: the held script fd of PID (ownership passes), or -1. */
static int take_held(struct wpin *p, pid_t pid)
{
	for (size_t i = 0; i < ARRAY_SIZE(p->held); i++)
		if (p->held[i].pid == pid) {
			p->held[i].pid = 0;
			return p->held[i].fd;
		}
	return -1;
}

/*
 * fanotify alone: a record of the script FD (owned) executed by PID whose
 * interpreter's open never came (an interpreter on no marked filesystem,
 * a failed exec): the image is PID's when it lies on no marked
 * filesystem (looked at when LOOK), else the record has none ("no-image").
 */
static void push_unpaired(struct wpin *p, int fd, pid_t pid, bool look)
{
	struct wrec *rec = wrec_new(pid, WM_FANOTIFY);

	rec->fd = look ? unseen_now(p, pid) : -1;
	if (rec->fd >= 0)
		rec->pinned = "procfs";
	else
		rec->missed = "no-image";
	attach_script(rec, fd, "fanotify");
	read_details(p, rec, rec->fd);
	push(p, rec);
}

/* The interpreter the "#!" line of FD names into NAME (SIZE bytes, the
 * kernel's BINPRM_BUF_SIZE is 256): false when there is none. */
static bool shebang_interp(int fd, char *name, size_t size)
{
	char buf[256];
	ssize_t n = pread(fd, buf, sizeof(buf), 0);
	size_t i = 2, start;

	if (n < 3 || buf[0] != '#' || buf[1] != '!')
		return false;
	while (i < (size_t)n && (buf[i] == ' ' || buf[i] == '\t'))
		i++;
	start = i;
	while (i < (size_t)n && buf[i] != ' ' && buf[i] != '\t' && buf[i] != '\n' && buf[i])
		i++;
	if (i == start || i - start >= size)
		return false;
	memcpy(name, buf + start, i - start);
	name[i - start] = '\0';
	return true;
}

/*
 * fanotify alone: is FD, PID's exec open of a script while HELD (a script
 * of PID's) is held, HELD's interpreter (the file its "#!" line names, as
 * PID sees it: looked up in the dentry cache only, never through a magic
 * link)?  Else HELD's exec failed and FD is the next one's script.
 */
static bool is_interp_of(struct wpin *p, int held, int fd, pid_t pid)
{
	struct open_how how = { .flags = O_PATH | O_CLOEXEC };
	char name[256], dir[32];
	struct stat a, b;
	int base, f;
	bool same;

	if (!shebang_interp(held, name, sizeof(name)) || fstat(fd, &b) < 0)
		return false;
	how.resolve = RESOLVE_NO_MAGICLINKS | RESOLVE_CACHED |
	              (name[0] == '/' ? RESOLVE_IN_ROOT : RESOLVE_BENEATH);
	snprintf(dir, sizeof(dir), "%d/%s", (int)pid, name[0] == '/' ? "root" : "cwd");
	base = openat(p->procfd, dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (base < 0)
		return false;
	f = (int)syscall(SYS_openat2, base, name, &how, sizeof(how));
	close(base);
	same = f >= 0 && fstat(f, &a) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
	if (f >= 0)
		close(f);
	return same;
}

/* fanotify alone: hold FD (owned), PID's exec open of a script, until its
 * interpreter's open comes.  A second script of PID before that is the
 * first one's interpreter (a script too) when the first names it, else
 * the first one's exec failed: it is recorded without an image, and the
 * second held in its place. */
static void hold_script(struct wpin *p, int fd, pid_t pid)
{
	struct wheld *h;

	for (size_t i = 0; i < ARRAY_SIZE(p->held); i++)
		if (p->held[i].pid == pid) {
			if (is_interp_of(p, p->held[i].fd, fd, pid)) {
				close(fd);
				p->cnt->interp++;
				return;
			}
			push_unpaired(p, p->held[i].fd, pid, false);
			p->held[i] = (struct wheld){ .pid = pid, .fd = fd,
			                             .since_ns = now_ns(CLOCK_MONOTONIC) };
			return;
		}
	h = &p->held[p->held_next];
	p->held_next = (p->held_next + 1) % ARRAY_SIZE(p->held);
	if (h->pid) {
		/* the ring is full: the oldest is recorded as it stands */
		pid_t old = h->pid;

		h->pid = 0;
		push_unpaired(p, h->fd, old, true);
	}
	*h = (struct wheld){ .pid = pid, .fd = fd, .since_ns = now_ns(CLOCK_MONOTONIC) };
}

/* fanotify alone: record the held scripts whose interpreter did not come
 * in time (the events still queued read first). */
static void expire_held(struct wpin *p)
{
	uint64_t now = now_ns(CLOCK_MONOTONIC);
	bool due = false;

	for (size_t i = 0; i < ARRAY_SIZE(p->held); i++)
		due |= p->held[i].pid && now - p->held[i].since_ns >= HELD_TTL_NS;
	if (!due)
		return;
	wfan_drain(p->fan, wpin_fan_event, p);
	for (size_t i = 0; i < ARRAY_SIZE(p->held); i++) {
		struct wheld *h = &p->held[i];
		pid_t pid = h->pid;

		if (pid && now - h->since_ns >= HELD_TTL_NS) {
			h->pid = 0;
			push_unpaired(p, h->fd, pid, true);
		}
	}
}

static void fan_alone(struct wpin *p, int fd, pid_t pid)
{
	int kind = elf_kind(fd), image = -1, script;
	struct wrec *rec;

	if (kind == 3) {
		hold_script(p, fd, pid);
		return;
	}
	if (kind != 1 && awaited_interp(p, pid)) {
		/* fanotify merges the same file's events of one PID still
		 * queued: this one may stand for a later exec's loader too */
		image = unseen_now(p, pid);
		p->cnt->interp++;
		close(fd);
		if (image < 0)
			return;
		fd = image;
		kind = 0;
	}
	if (kind == 1) {
		await_interp(p, pid);
	} else if (kind == 2) {
		image = unseen_image(p, fd, pid);
		if (image >= 0) {
			p->cnt->interp++;
			close(fd);
			fd = image;
		}
	}
	rec = wrec_new(pid, WM_FANOTIFY);
	rec->fd = fd;
	rec->pinned = image >= 0 ? "procfs" : "fanotify";
	script = take_held(p, pid);
	if (script >= 0)
		attach_script(rec, script, "fanotify");
	read_details(p, rec, fd);
	push(p, rec);
}

void wpin_fan_event(void *userdata, int fd, pid_t pid)
{
	struct wpin *p = userdata;
	struct stat st;

	if (!(p->active & WM_BPF)) {
		fan_alone(p, fd, pid);
		return;
	}
	if (fstat(fd, &st) < 0) {
		close(fd);
		return;
	}
	if (p->npend == PEND_MAX) {
		close(p->pend[0].fd);
		memmove(p->pend, p->pend + 1, (p->npend - 1) * sizeof(*p->pend));
		p->npend--;
		p->cnt->interp++;
	}
	if (p->npend == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 64;
		p->pend = xreallocarray(p->pend, p->cap, sizeof(*p->pend));
	}
	p->pend[p->npend++] = (struct wpend){
		.fd = fd, .pid = pid, .dev = st.st_dev, .ino = st.st_ino,
		.since_ns = now_ns(CLOCK_MONOTONIC),
	};
}

/*
 * The fanotify fd of PID's exec of (DEV, INO), or -1; with SCRIPT (not
 * NULL, *SCRIPT -1 on entry), the file execve'd when the image is its
 * interpreter into *SCRIPT: of PID's opens before that one, the first
 * that is not an interpreter named by the "#!" line of the one kept
 * before it (an earlier open is a failed exec's).  PID's other fds are
 * closed: their exec has come or failed.
 */
static int take_pending(struct wpin *p, pid_t pid, dev_t dev, ino_t ino, int *script)
{
	size_t o = 0;
	int fd = -1;

	for (size_t i = 0; i < p->npend; i++) {
		struct wpend *e = &p->pend[i];

		if (e->pid != pid) {
			p->pend[o++] = *e;
		} else if (fd < 0 && e->dev == dev && e->ino == ino) {
			fd = e->fd;
		} else if (script && fd < 0 &&
		           (*script < 0 || !is_interp_of(p, *script, e->fd, pid))) {
			if (*script >= 0) {
				close(*script);
				p->cnt->interp++;
			}
			*script = e->fd;
		} else {
			close(e->fd);
			p->cnt->interp++;
		}
	}
	p->npend = o;
	return fd;
}

void wpin_expire(struct wpin *p)
{
	uint64_t now = now_ns(CLOCK_MONOTONIC);
	size_t o = 0;

	if ((p->active & (WM_FANOTIFY | WM_BPF)) == WM_FANOTIFY)
		expire_held(p);

	for (size_t i = 0; i < p->npend; i++) {
		if (now - p->pend[i].since_ns < PEND_TTL_NS) {
			p->pend[o++] = p->pend[i];
		} else {
			close(p->pend[i].fd);
			p->cnt->interp++;
		}
	}
	p->npend = o;
}

#define PE_FUSE_SUPER_MAGIC 0x65735546

/* The O_PATH fd F (closed) reopened for reading into *FD, unless it lives
 * on a FUSE filesystem, whose open waits on a daemon that may never
 * answer.  NULL, or the reason it was not. */
static const char *reopen_path(struct wpin *p, int f, int *fd)
{
	struct statfs sfs;
	char name[32];
	int r;

	if (fstatfs(f, &sfs) < 0 || sfs.f_type == PE_FUSE_SUPER_MAGIC) {
		close(f);
		return "fuse";
	}
	snprintf(name, sizeof(name), "self/fd/%d", f);
	r = openat(p->procfd, name, O_RDONLY | O_CLOEXEC);
	close(f);
	if (r < 0)
		return "exited";
	*fd = r;
	return NULL;
}

/*
 * Open the image of the file /proc/PID/exe names: an O_PATH look first
 * (no filesystem's open method runs), kept only if it is (DEV, INO) when
 * CHECK, then reopened for reading unless it lives on a FUSE filesystem,
 * whose open waits on a daemon that may never answer.  NULL with *FD, or
 * the reason it was missed.
 */
static const char *open_exe(struct wpin *p, pid_t pid, bool check, dev_t dev, ino_t ino,
                            int *fd)
{
	char name[32];
	struct stat st;
	int f;

	snprintf(name, sizeof(name), "%d/exe", (int)pid);
	f = openat(p->procfd, name, O_PATH | O_CLOEXEC);
	if (f < 0)
		return errno == EACCES || errno == EPERM ? "denied" : "exited";
	if (check && (fstat(f, &st) < 0 || st.st_dev != dev || st.st_ino != ino)) {
		close(f);
		return "reexec";        /* the PID now runs another image */
	}
	return reopen_path(p, f, fd);
}

/* The descriptor number NAME names as "/dev/fd/N" or "/proc/self/fd/N"
 * (how an exec of an open file is named: fexecve, a shell's /dev/fd), or
 * -1. */
static int fd_name(const char *name)
{
	static const char *const dirs[] = { "/dev/fd/", "/proc/self/fd/" };
	long n = -1;

	for (size_t i = 0; i < ARRAY_SIZE(dirs) && n < 0; i++) {
		size_t len = strlen(dirs[i]);
		const char *d = name + len;
		char *end;

		if (strncmp(name, dirs[i], len) != 0 || *d < '0' || *d > '9')
			continue;
		errno = 0;
		n = strtol(d, &end, 10);
		if (*end || errno || n > INT_MAX)
			n = -1;
	}
	return (int)n;
}

/*
 * The file at NAME (NUL-terminated, from the process) as REC's process
 * sees it: an absolute name inside its root (RESOLVE_IN_ROOT: symlinks
 * stay inside it), a relative one from its current directory, never
 * above it; never through a magic link, except that a name of one of its
 * descriptors is that descriptor (/proc/PID/fd/N).  Only while the
 * process still runs REC's image (the BPF event's).  NULL with *FD, or
 * the reason.
 */
static const char *open_named(struct wpin *p, const struct wrec *rec, const char *name, int *fd)
{
	struct open_how how = {
		.flags = O_PATH | O_CLOEXEC,
		.resolve = RESOLVE_NO_MAGICLINKS | (name[0] == '/' ? RESOLVE_IN_ROOT : RESOLVE_BENEATH),
	};
	int n = fd_name(name), base, f, e;
	char dir[32];
	struct statx stx;
	struct stat st;

	if (n >= 0)
		snprintf(dir, sizeof(dir), "%d/fd", (int)rec->pid);
	else
		snprintf(dir, sizeof(dir), "%d/%s", (int)rec->pid, name[0] == '/' ? "root" : "cwd");
	base = openat(p->procfd, dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (base < 0)
		return errno == EACCES || errno == EPERM ? "denied" : "exited";
	snprintf(dir, sizeof(dir), "%d/exe", (int)rec->pid);
	if (fstatat(p->procfd, dir, &st, 0) < 0 || st.st_dev != rec->dev || st.st_ino != rec->ino) {
		close(base);
		return "reexec";
	}
	if (n >= 0) {
		snprintf(dir, sizeof(dir), "%d", n);
		f = openat(base, dir, O_PATH | O_CLOEXEC);
	} else {
		/* from the dentry cache only (the exec just walked the same
		 * name): a lookup never waits on a filesystem (a FUSE daemon
		 * that does not answer would stall this thread) */
		how.resolve |= RESOLVE_CACHED;
		f = (int)syscall(SYS_openat2, base, name, &how, sizeof(how));
	}
	e = errno;
	close(base);
	if (f < 0)
		return e == ENOENT || e == ENOTDIR ? "absent" :
		       e == EACCES || e == EPERM ? "denied" :
		       e == EAGAIN ? "uncached" : "unresolved";
	/* the type the inode has (no FUSE request), before an open for
	 * reading that a FIFO would block; a file nobody may execute is no
	 * file an exec ran (execve needs an execute bit, root's too), but one
	 * the name or descriptor was turned to since: root does not read it */
	if (statx(f, "", AT_EMPTY_PATH | AT_STATX_DONT_SYNC, STATX_TYPE | STATX_MODE, &stx) < 0 ||
	    !S_ISREG(stx.stx_mode)) {
		close(f);
		return "not-regular";
	}
	if (!(stx.stx_mode & (S_IXUSR | S_IXGRP | S_IXOTH))) {
		close(f);
		return "not-executable";
	}
	return reopen_path(p, f, fd);
}

/*
 * The script of a BPF event whose image is not the file execve'd: FD, its
 * fanotify fd (owned; -1 none), else the file standing at the name the
 * exec was given, opened while the program is stopped (FROZEN: the
 * interpreter has not opened it yet), else at once (best effort: a
 * program that deleted or replaced it by then is missed or misread).
 */
static void bpf_script(struct wpin *p, struct wrec *rec, const struct pe_watch_event *ev,
                       bool frozen, int fd)
{
	size_t len = strnlen(ev->filename, sizeof(ev->filename));

	attach_script(rec, fd, "fanotify");
	if (len) {
		rec->script_name = memdup0(ev->filename, len);
		rec->script_name_len = len;
	}
	if (fd >= 0)
		return;
	if (len == 0)
		rec->script_missed = "unresolved";
	else if (len == sizeof(ev->filename) - 1)
		rec->script_missed = "name-too-long";   /* may be cut: never looked up */
	else
		rec->script_missed = open_named(p, rec, rec->script_name, &rec->script_fd);
	if (!rec->script_missed)
		rec->script_pinned = frozen ? "freeze" : "procfs";
}

/* The BPF event's facts into REC. */
static void from_event(const struct wpin *p, struct wrec *rec, const struct pe_watch_event *ev)
{
	rec->time_ns = (uint64_t)((int64_t)ev->ktime_ns + p->boot_to_real);
	rec->ppid = (pid_t)ev->ppid;
	rec->uid = (uid_t)ev->uid;
	memcpy(rec->comm, ev->comm, sizeof(rec->comm));
	rec->comm[sizeof(rec->comm) - 1] = '\0';
	memcpy(rec->fstype, ev->fstype, sizeof(rec->fstype));
	rec->fstype[sizeof(rec->fstype) - 1] = '\0';
	rec->have_id = true;
	/* the kernel's dev_t: 12-bit major above a 20-bit minor */
	rec->dev = makedev((unsigned)(ev->dev >> 20), (unsigned)(ev->dev & 0xfffff));
	rec->ino = ev->ino;
	rec->nlink_exec = ev->nlink;
	rec->bpf_suspect = ev->flags & PE_WEV_SUSPECT;
}

void wpin_bpf_event(void *userdata, const struct pe_watch_event *ev)
{
	struct wpin *p = userdata;
	struct wrec *rec = wrec_new((pid_t)ev->tgid, WM_BPF);
	bool frozen = ev->flags & PE_WEV_FROZEN;
	int script = -1;

	from_event(p, rec, ev);
	/* its fanotify event, queued before this one, is read by now */
	if (p->active & WM_FANOTIFY)
		wfan_drain(p->fan, wpin_fan_event, p);
	rec->fd = take_pending(p, rec->pid, rec->dev, rec->ino,
	                       ev->flags & PE_WEV_SCRIPT ? &script : NULL);
	if (rec->fd >= 0) {
		rec->pinned = "fanotify";
		rec->mechs |= WM_FANOTIFY;
	} else {
		rec->missed = open_exe(p, rec->pid, true, rec->dev, rec->ino, &rec->fd);
		if (!rec->missed)
			rec->pinned = frozen ? "freeze" : "procfs";
	}
	if (ev->flags & PE_WEV_SCRIPT)
		bpf_script(p, rec, ev, frozen, script);
	if (frozen) {
		wbpf_resume(p->bpf, rec->pid);
		p->cnt->frozen++;
	}
	/* argv[0] as the program read it at its exec (no /proc read here: a
	 * process cannot stall this loop), else the name the exec was given */
	if (ev->argv0[0])
		set_argv0(rec, ev->argv0, strnlen(ev->argv0, sizeof(ev->argv0)));
	else if (ev->filename[0])
		set_argv0(rec, ev->filename, strnlen(ev->filename, sizeof(ev->filename)));
	push(p, rec);
}

void wpin_cn_event(void *userdata, pid_t pid, uint64_t mono_ns)
{
	struct wpin *p = userdata;
	struct wrec *rec = wrec_new(pid, WM_CONNECTOR);

	rec->missed = open_exe(p, pid, false, 0, 0, &rec->fd);
	if (!rec->missed)
		rec->pinned = "procfs";
	read_details(p, rec, rec->fd);
	push(p, rec);
}

void wpin_drain(struct wpin *p)
{
	p->boot_to_real = (int64_t)(now_ns(CLOCK_REALTIME) - now_ns(CLOCK_BOOTTIME));
	if (p->active & WM_FANOTIFY)
		wfan_drain(p->fan, wpin_fan_event, p);
	if (p->active & WM_BPF)
		while (wbpf_drain(p->bpf, wpin_bpf_event, p) == WBPF_DRAIN_MAX)
			;
	if (p->active & WM_CONNECTOR)
		wcn_drain(p->cn, wpin_cn_event, p, &p->cnt->cn_lost);
}

void wpin_done(struct wpin *p)
{
	/* the mechanisms are gone: the image is not looked for */
	for (size_t i = 0; i < ARRAY_SIZE(p->held); i++)
		if (p->held[i].pid) {
			pid_t pid = p->held[i].pid;

			p->held[i].pid = 0;
			push_unpaired(p, p->held[i].fd, pid, false);
		}
	for (size_t i = 0; i < p->npend; i++)
		close(p->pend[i].fd);
	free(p->pend);
	p->pend = NULL;
	p->npend = p->cap = 0;
}
