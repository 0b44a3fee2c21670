/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The proc connector source of procexe watch (netlink, CN_IDX_PROC): an
 * exec event carries only the PID, after the new image is committed.  The
 * watcher must open /proc/PID/exe before the program exits: best effort,
 * used when neither fanotify nor BPF loads.
 */
#ifndef PROCEXE_WATCH_CN_H
#define PROCEXE_WATCH_CN_H

#include <stdint.h>
#include <sys/types.h>

struct wcn;

/* Subscribe.  0, or a negative errno with *WHY a static text. */
int wcn_open(struct wcn **ret, const char **why);
void wcn_free(struct wcn *c);
int wcn_fd(const struct wcn *c);

/* Each exec event: the thread group PID and the kernel's timestamp
 * (CLOCK_MONOTONIC ns). */
typedef void (*wcn_event_fn)(void *userdata, pid_t pid, uint64_t mono_ns); /* = wparse_exec_fn */

/* Read every queued message: the number of exec events, or a negative
 * errno.  Messages the socket dropped (ENOBUFS) are counted in *LOST. */
int wcn_drain(struct wcn *c, wcn_event_fn fn, void *userdata, uint64_t *lost);

#endif /* PROCEXE_WATCH_CN_H */
