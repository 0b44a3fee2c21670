/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Resuming what the exec program stopped: shared by the watcher
 * (watch-bpf.c) and the guardian process.  The guardian is forked once the
 * program is loaded and keeps only the frozen map and its end of a socket
 * pair, so that the program and its link go away with the watcher.  It
 * resumes every stop older than 800 ms (checked every 100 ms) and, when the
 * watcher is gone (end of file) or says it is done ('Q'), everything.
 */
#ifndef PROCEXE_WATCH_GUARD_H
#define PROCEXE_WATCH_GUARD_H

#include <stdint.h>
#include <sys/types.h>

#define WGUARD_MAX_AGE_NS 800000000ull   /* the guardian resumes older stops */

/* CLOCK_BOOTTIME in ns: the clock of bpf_ktime_get_boot_ns(). */
uint64_t wguard_now(void);

/*
 * Take TGID out of the frozen map FD (atomically: of two callers one gets
 * it) and send it SIGCONT if it is still the process that was stopped.
 * 0 resumed; -ENOENT not in the map; -ESRCH gone or another process now;
 * -errno.
 */
int wguard_resume(int frozen_fd, pid_t tgid);

/* Resume every entry at least MIN_AGE_NS old.  KEYS: scratch room for
 * PE_WATCH_FROZEN_MAX keys.  Returns the number resumed. */
int wguard_sweep(int frozen_fd, uint64_t min_age_ns, uint32_t *keys);

/* Wait until every run of a BPF program that started before the call has
 * ended (an RCU grace period); 0 or -errno (then nothing was waited for). */
int wguard_quiesce(void);

/*
 * Fork the guardian over FROZEN_FD.  *PID and *PIDFD: the child; *SOCK:
 * the watcher's end (closing it, or wguard_stop(), ends the guardian).
 * 0 or -errno.
 */
int wguard_start(int frozen_fd, pid_t *pid, int *pidfd, int *sock);

/* The watcher is done and nothing can be stopped any more: tell the
 * guardian (it resumes everything left and exits), close SOCK, reap it
 * (waiting at most 1 s), close PIDFD. */
void wguard_stop(pid_t pid, int pidfd, int sock);

#endif /* PROCEXE_WATCH_GUARD_H */
