/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fanotify.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <linux/openat2.h>

#include "cli.h"
#include "watch-fan.h"

struct wfan {
	int fd;                 /* the fanotify group */
	int mountsfd;           /* the mount table, for POLLPRI */
	dev_t *devs;            /* superblocks seen so far (marked or refused) */
	size_t ndevs, cap;
	dev_t *marked;          /* superblocks marked */
	size_t nmarked, mcap;
	struct wfan_stats st;
};

/*
 * Filesystems never marked: pseudo filesystems nothing is executed from,
 * network filesystems (a lookup of their root may wait on a server) and
 * FUSE filesystems (fuse, fuseblk, fuse.*): opening their root to mark
 * it, and the kernel's open of each event's file inside read(), wait on a
 * daemon that may never answer (the BPF source still reports their execs).
 */
static bool skipped_type(const char *type)
{
	static const char *const skip[] = {
		"proc", "sysfs", "cgroup", "cgroup2", "devpts", "mqueue", "debugfs",
		"tracefs", "securityfs", "pstore", "bpf", "configfs", "fusectl",
		"binfmt_misc", "autofs", "rpc_pipefs", "nsfs", "efivarfs", "selinuxfs",
		"hugetlbfs", "nfs", "nfs4", "cifs", "smb3", "ceph", "9p", "afs",
		"gfs2", "ocfs2", "glusterfs",
	};

	if (strcmp(type, "fuse") == 0 || strcmp(type, "fuseblk") == 0 ||
	    strncmp(type, "fuse.", 5) == 0)
		return true;
	for (size_t i = 0; i < ARRAY_SIZE(skip); i++)
		if (strcmp(type, skip[i]) == 0)
			return true;
	return false;
}

/* Undo mountinfo's octal escapes (\040 ...) in place. */
static void unescape(char *s)
{
	char *o = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*o++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 3;
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
}

static bool seen_dev(const struct wfan *w, dev_t dev)
{
	for (size_t i = 0; i < w->ndevs; i++)
		if (w->devs[i] == dev)
			return true;
	return false;
}

/*
 * Mark the filesystem mounted at MNT (device DEV): the mount point is
 * opened without following any symlink and must be on DEV, so that a
 * name changed since the table was read never leads the mark elsewhere.
 */
static void mark_one(struct wfan *w, const char *mnt, dev_t dev)
{
	struct open_how how = {
		/* fanotify_mark() refuses an O_PATH descriptor */
		.flags = O_RDONLY | O_CLOEXEC | O_DIRECTORY | O_NONBLOCK,
		.resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
	};
	struct stat st;
	int fd;

	if (w->ndevs == w->cap) {
		w->cap = w->cap ? w->cap * 2 : 32;
		w->devs = xreallocarray(w->devs, w->cap, sizeof(*w->devs));
	}
	fd = (int)syscall(SYS_openat2, AT_FDCWD, mnt, &how, sizeof(how));
	if (fd < 0)
		return;         /* gone meanwhile, or overmounted: next table change */
	if (fstat(fd, &st) == 0 && st.st_dev == dev) {
		w->devs[w->ndevs++] = dev;
		if (fanotify_mark(w->fd, FAN_MARK_ADD | FAN_MARK_FILESYSTEM, FAN_OPEN_EXEC,
		                  fd, NULL) == 0) {
			if (w->nmarked == w->mcap) {
				w->mcap = w->mcap ? w->mcap * 2 : 32;
				w->marked = xreallocarray(w->marked, w->mcap, sizeof(*w->marked));
			}
			w->marked[w->nmarked++] = dev;
			w->st.marked++;
		} else {
			w->st.refused++;
		}
	}
	close(fd);
}

/* One mountinfo line: "ID PARENT MAJ:MIN ROOT MNT OPTS [OPT...] - TYPE SRC SOPTS". */
static void mark_line(struct wfan *w, char *line)
{
	char *f[5], *save = NULL, *sep, *type, *p = line;
	unsigned maj, min;

	for (int i = 0; i < 5; i++) {
		f[i] = strtok_r(p, " ", &save);
		p = NULL;
		if (!f[i])
			return;
	}
	sep = strstr(save ? save : "", " - ");
	if (!sep || sscanf(f[2], "%u:%u", &maj, &min) != 2)
		return;
	type = strtok_r(sep + 3, " ", &save);
	if (!type || skipped_type(type) || seen_dev(w, makedev(maj, min)))
		return;
	unescape(f[4]);
	mark_one(w, f[4], makedev(maj, min));
}

int wfan_remark(struct wfan *w)
{
	FILE *f;
	char *line = NULL;
	size_t cap = 0;
	int fd = dup(w->mountsfd);

	if (fd < 0 || lseek(fd, 0, SEEK_SET) < 0 || !(f = fdopen(fd, "r"))) {
		int r = -errno;

		if (fd >= 0)
			close(fd);
		return r;
	}
	/* Marks on unmounted filesystems went with them: count afresh. */
	w->ndevs = w->nmarked = 0;
	w->st.marked = w->st.refused = 0;
	while (getline(&line, &cap, f) > 0) {
		line[strcspn(line, "\n")] = '\0';
		mark_line(w, line);
	}
	free(line);
	fclose(f);
	return (int)w->st.marked;
}

int wfan_open(const char *proc, struct wfan **ret, const char **why)
{
	struct wfan *w = xmalloc(sizeof(*w));
	char *path = xasprintf("%s/self/mountinfo", proc);
	int r;

	*w = (struct wfan){ .fd = -1, .mountsfd = -1 };
	w->fd = fanotify_init(FAN_CLASS_NOTIF | FAN_CLOEXEC | FAN_NONBLOCK,
	                      O_RDONLY | O_LARGEFILE | O_CLOEXEC);
	if (w->fd < 0) {
		r = -errno;
		*why = "fanotify_init";
		goto fail;
	}
	w->mountsfd = open(path, O_RDONLY | O_CLOEXEC);
	if (w->mountsfd < 0) {
		r = -errno;
		*why = "mount table";
		goto fail;
	}
	r = wfan_remark(w);
	if (r <= 0) {
		r = r < 0 ? r : -ENODEV;
		*why = r == -ENODEV ? "no filesystem could be marked" : "mount table";
		goto fail;
	}
	free(path);
	*ret = w;
	return 0;
fail:
	free(path);
	wfan_free(w);
	return r;
}

void wfan_free(struct wfan *w)
{
	if (!w)
		return;
	if (w->fd >= 0)
		close(w->fd);   /* the marks go with the group */
	if (w->mountsfd >= 0)
		close(w->mountsfd);
	free(w->devs);
	free(w->marked);
	free(w);
}

int wfan_fd(const struct wfan *w)
{
	return w->fd;
}

int wfan_mounts_fd(const struct wfan *w)
{
	return w->mountsfd;
}

int wfan_drain(struct wfan *w, wfan_event_fn fn, void *userdata)
{
	char buf[16384] __attribute__((aligned(__alignof__(struct fanotify_event_metadata))));
	int n = 0;

	for (;;) {
		ssize_t len = read(w->fd, buf, sizeof(buf));
		struct fanotify_event_metadata *m = (void *)buf;

		if (len < 0 && errno == EINTR)
			continue;
		if (len < 0) {
			if (errno == EAGAIN)
				return n;
			w->st.read_errors++;
			return -errno;
		}
		for (; FAN_EVENT_OK(m, len); m = FAN_EVENT_NEXT(m, len)) {
			if (m->vers != FANOTIFY_METADATA_VERSION)
				return -EPROTO;
			if (m->mask & FAN_Q_OVERFLOW)
				w->st.overflows++;
			if (m->fd == FAN_NOFD || m->fd < 0) {
				if (!(m->mask & FAN_Q_OVERFLOW))
					w->st.no_fd++;
				continue;
			}
			fn(userdata, m->fd, m->pid);
			n++;
		}
	}
}

const dev_t *wfan_marked(const struct wfan *w, size_t *n)
{
	*n = w->nmarked;
	return w->marked;
}

void wfan_stats(const struct wfan *w, struct wfan_stats *ret)
{
	*ret = w->st;
}
