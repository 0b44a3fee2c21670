/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <elf.h>
#include <errno.h>
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

/* argv[0] of the process at DIRFD into REC (first NUL-terminated word). */
static void read_argv0(int dirfd, struct wrec *rec)
{
	char buf[4096];
	ssize_t n = read_small(dirfd, "cmdline", buf, sizeof(buf));

	if (n > 0) {
		size_t len = strnlen(buf, (size_t)n);

		rec->argv0 = xmalloc(len + 1);
		memcpy(rec->argv0, buf, len);
		rec->argv0[len] = '\0';
		rec->argv0_len = len;
	}
}

/* ppid and comm from the stat file ("PID (COMM) S PPID ..."). */
static void read_stat(int dirfd, struct wrec *rec)
{
	char buf[512];
	ssize_t n = read_small(dirfd, "stat", buf, sizeof(buf) - 1);
	char *open, *close_;
	int ppid;

	if (n <= 0)
		return;
	buf[n] = '\0';
	open = strchr(buf, '(');
	close_ = strrchr(buf, ')');
	if (!open || !close_ || close_ < open)
		return;
	snprintf(rec->comm, sizeof(rec->comm), "%.*s", (int)(close_ - open - 1), open + 1);
	if (sscanf(close_ + 1, " %*c %d", &ppid) == 1)
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

/* Whether the ELF file FD names an interpreter (PT_INTERP): a dynamic
 * program, whose exec is followed by its interpreter's open. */
static bool names_interpreter(int fd)
{
	Elf64_Ehdr eh;
	Elf64_Phdr ph[64];
	ssize_t n;

	if (pread(fd, &eh, sizeof(eh), 0) != (ssize_t)sizeof(eh) ||
	    memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 || eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phnum == 0 || eh.e_phnum > 64)
		return false;
	n = pread(fd, ph, eh.e_phnum * sizeof(Elf64_Phdr), (off_t)eh.e_phoff);
	if (n != (ssize_t)(eh.e_phnum * sizeof(Elf64_Phdr)))
		return false;
	for (unsigned i = 0; i < eh.e_phnum; i++)
		if (ph[i].p_type == PT_INTERP)
			return true;
	return false;
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
static void fan_alone(struct wpin *p, int fd, pid_t pid)
{
	bool dynamic = names_interpreter(fd);
	struct wrec *rec;

	if (!dynamic && awaited_interp(p, pid)) {
		p->cnt->interp++;
		close(fd);
		return;
	}
	if (dynamic)
		await_interp(p, pid);
	rec = wrec_new(pid, WM_FANOTIFY);
	rec->fd = fd;
	rec->pinned = "fanotify";
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
	char name[16];
	int dirfd;

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
	/* the command line only while the PID runs the image: after a
	 * re-exec it is the next program's */
	snprintf(name, sizeof(name), "%d", (int)rec->pid);
	dirfd = rec->fd >= 0 ? openat(p->procfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
	if (dirfd >= 0) {
		read_argv0(dirfd, rec);
		close(dirfd);
	}
	if (frozen) {
		wbpf_resume(p->bpf, rec->pid);
		p->cnt->frozen++;
	}
	if (!rec->argv0 && ev->filename[0]) {
		size_t len = strnlen(ev->filename, sizeof(ev->filename));

		rec->argv0 = xmalloc(len + 1);
		memcpy(rec->argv0, ev->filename, len);
		rec->argv0[len] = '\0';
		rec->argv0_len = len;
	}
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
