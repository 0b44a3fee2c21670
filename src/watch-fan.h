/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The fanotify source of procexe watch: FAN_OPEN_EXEC notification events
 * from a filesystem mark on every local filesystem of the watcher's mount
 * table, re-marked when the table changes.  The event holds the file:
 * its fd pins the executed inode even when the file was unlinked and the
 * process exited before the event was read.  memfd execs are never seen
 * (the kernel's internal shmem mount cannot be marked).
 */
#ifndef PROCEXE_WATCH_FAN_H
#define PROCEXE_WATCH_FAN_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct wfan;

/*
 * Create the group and mark every local filesystem.  0, or a negative
 * errno with *WHY a static text saying which step failed (EPERM without
 * CAP_SYS_ADMIN).  PROC is the procfs root ("/proc").
 */
int wfan_open(const char *proc, struct wfan **ret, const char **why);
void wfan_free(struct wfan *w);

/* The fanotify fd (POLLIN: events) and the mount table's (POLLPRI: changed). */
int wfan_fd(const struct wfan *w);
int wfan_mounts_fd(const struct wfan *w);

/* Mark the filesystems not marked yet: the number marked in all, or a
 * negative errno when the mount table cannot be read. */
int wfan_remark(struct wfan *w);

/* Each event: FD (owned by the callee from then on) opened by PID for exec. */
typedef void (*wfan_event_fn)(void *userdata, int fd, pid_t pid);

/* Read every queued event: their number, or a negative errno. */
int wfan_drain(struct wfan *w, wfan_event_fn fn, void *userdata);

/* The superblocks marked now (st_dev values), *N of them; borrowed until
 * the next wfan_remark(). */
const dev_t *wfan_marked(const struct wfan *w, size_t *n);

struct wfan_stats {
	size_t marked;          /* filesystems marked now */
	size_t refused;         /* filesystems whose mark failed */
	uint64_t overflows;     /* FAN_Q_OVERFLOW events: executions lost */
	uint64_t no_fd;         /* events without a file (the kernel could not open it) */
	uint64_t read_errors;   /* failed reads (EMFILE, ENFILE, ENOMEM...): the kernel
	                           dropped the event it could not give a file */
};
void wfan_stats(const struct wfan *w, struct wfan_stats *ret);

#endif /* PROCEXE_WATCH_FAN_H */
