/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The eBPF exec source of `procexe watch`: a tp_btf/sched_process_exec
 * program reporting every exec through a ring buffer, and optionally
 * stopping (SIGSTOP) suspicious new images until user space has pinned
 * them.  Nothing here prints; failures are negative errno values.
 *
 * Freeze safety: a stop needs freeze on, a heartbeat younger than 500 ms
 * (wbpf_heartbeat() from the 100 ms tick), the event in the ring buffer
 * and the stop recorded in the frozen map.  A guardian process (see
 * watch-guard.h) resumes stops older than 800 ms and everything once the
 * watcher is gone, whatever way it ended.
 */
#ifndef PROCEXE_WATCH_BPF_H
#define PROCEXE_WATCH_BPF_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "watch-event.h"

struct wbpf;

/*
 * Load and attach; on success *RET is owned by the caller (wbpf_free()).
 * FREEZE: stop suspicious execs; CGROUP_ID: 0 = everywhere, else only that
 * cgroup v2 directory and its descendants (CGROUP_LEVEL: its depth below
 * the cgroup v2 root, 1 for /sys/fs/cgroup/x).  On failure returns -errno
 * and *WHY is a static text for the start-up line ("not built in",
 * "no kernel BTF", "program load: Operation not permitted"...).
 */
int wbpf_open(struct wbpf **ret, bool freeze, uint64_t cgroup_id, int cgroup_level,
              const char **why);

/* Pollable descriptor (POLLIN: events to drain); owned by B. */
int wbpf_fd(struct wbpf *b);

/*
 * Call CB for each event waiting, at most 4096 per call (call again while
 * it returns 4096).  EV is valid during the call only.  Returns the number
 * of events or -errno.
 */
#define WBPF_DRAIN_MAX 4096
int wbpf_drain(struct wbpf *b, void (*cb)(void *ud, const struct pe_watch_event *ev), void *ud);

/*
 * Do not wake the reader (wbpf_fd()) for an exec that is not suspect and
 * runs a file of one of the N filesystems DEVS (st_dev values): the
 * caller's poll loop is woken for those by another source (fanotify), or
 * by its periodic tick at the latest.  Saves the wake-up's cost per exec.
 * Replaces the previous set; N 0 wakes the reader for every exec again.
 * 0 or -errno (-E2BIG past PE_WATCH_MARKED_MAX).
 */
int wbpf_lazy_wakeup(struct wbpf *b, const dev_t *devs, size_t n);

/* Tell the program the watcher is alive: every 100 ms tick. */
void wbpf_heartbeat(struct wbpf *b);

/*
 * Resume TGID, stopped by the program (an event with PE_WEV_FROZEN), and
 * forget it: SIGCONT only if TGID is still the stopped process (pidfd, the
 * pidfs inode or else the start time).  0 resumed; -ENOENT not stopped by
 * us (or already resumed by the guardian); -ESRCH it is gone; -errno.
 */
int wbpf_resume(struct wbpf *b, pid_t tgid);

/* Events lost: ring-buffer reserve failures since wbpf_open(). */
uint64_t wbpf_dropped(struct wbpf *b);

/* Suspicious execs not stopped for safety (stale heartbeat, frozen map
 * full, signal refused) since wbpf_open(). */
uint64_t wbpf_refused(struct wbpf *b);

/* pidfd of the guardian (POLLIN: it died: call wbpf_freeze_off()), or -1
 * when freeze is off.  Owned by B; -1 again after wbpf_freeze_off(). */
int wbpf_guard_fd(struct wbpf *b);

/* Stop freezing for good: freeze off in the program, wait until no run of
 * it can still stop a task, resume every stopped task, end the guardian. */
void wbpf_freeze_off(struct wbpf *b);

/* wbpf_freeze_off(), detach, release everything.  B may be NULL. */
void wbpf_free(struct wbpf *b);

#endif /* PROCEXE_WATCH_BPF_H */
