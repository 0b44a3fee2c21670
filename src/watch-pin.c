/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <sched.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

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
		.fd = -1, .nlink_exec = UINT64_MAX, .mechs = mech,
	};
	return r;
}

void wrec_free(struct wrec *r)
{
	if (!r)
		return;
	if (r->fd >= 0)
		close(r->fd);
	free(r->argv0);
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

static void set_argv0(struct wrec *rec, const char *s, size_t len)
{
	rec->argv0 = xmalloc(len + 1);
	memcpy(rec->argv0, s, len);
	rec->argv0[len] = '\0';
	rec->argv0_len = len;
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
	if (!wout_push(p->out, rec)) {
		p->cnt->dropped++;
		wrec_free(rec);
	}
}

/* What the ELF headers of FD say: 1 it names an interpreter (a dynamic
 * program, whose exec is followed by its interpreter's open), 2 it is an
 * interpreter or static-pie (ET_DYN naming none), 0 anything else.  The
 * program headers of an executable follow its ELF header. */
static int elf_kind(int fd)
{
	char buf[4096];
	ssize_t n = pread(fd, buf, sizeof(buf), 0);

	if (n <= 0)
		return 0;
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

static void fan_alone(struct wpin *p, int fd, pid_t pid)
{
	int kind = elf_kind(fd), image = -1;
	struct wrec *rec;

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
 * The fanotify fd of PID's exec of (DEV, INO), or -1; PID's other fds
 * (its interpreters) are closed: their exec has come.
 */
static int take_pending(struct wpin *p, pid_t pid, dev_t dev, ino_t ino)
{
	size_t o = 0;
	int fd = -1;

	for (size_t i = 0; i < p->npend; i++) {
		struct wpend *e = &p->pend[i];

		if (e->pid != pid) {
			p->pend[o++] = *e;
		} else if (fd < 0 && e->dev == dev && e->ino == ino) {
			fd = e->fd;
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
	struct statfs sfs;
	struct stat st;
	int f, r;

	snprintf(name, sizeof(name), "%d/exe", (int)pid);
	f = openat(p->procfd, name, O_PATH | O_CLOEXEC);
	if (f < 0)
		return errno == EACCES || errno == EPERM ? "denied" : "exited";
	if (check && (fstat(f, &st) < 0 || st.st_dev != dev || st.st_ino != ino)) {
		close(f);
		return "reexec";        /* the PID now runs another image */
	}
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

	from_event(p, rec, ev);
	/* its fanotify event, queued before this one, is read by now */
	if (p->active & WM_FANOTIFY)
		wfan_drain(p->fan, wpin_fan_event, p);
	rec->fd = take_pending(p, rec->pid, rec->dev, rec->ino);
	if (rec->fd >= 0) {
		rec->pinned = "fanotify";
		rec->mechs |= WM_FANOTIFY;
	} else {
		rec->missed = open_exe(p, rec->pid, true, rec->dev, rec->ino, &rec->fd);
		if (!rec->missed)
			rec->pinned = frozen ? "freeze" : "procfs";
	}
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
	for (size_t i = 0; i < p->npend; i++)
		close(p->pend[i].fd);
	free(p->pend);
	p->pend = NULL;
	p->npend = p->cap = 0;
}
