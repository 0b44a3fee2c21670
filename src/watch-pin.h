/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The main thread's side of procexe watch: turn each mechanism's events
 * into exec records, pin the image as early as possible (the fanotify
 * event's own fd, else /proc/PID/exe checked against the BPF event's
 * identity), resume a frozen program once pinned, and queue the record.
 */
#ifndef PROCEXE_WATCH_PIN_H
#define PROCEXE_WATCH_PIN_H

#include <stdint.h>
#include <sys/types.h>

#include "watch.h"

struct wfan;
struct wbpf;
struct wcn;
struct pe_watch_event;

struct wpin {
	int procfd;             /* the procfs root */
	unsigned active;        /* WM_* loaded */
	struct wfan *fan;
	struct wbpf *bpf;
	struct wcn *cn;
	struct wout *out;
	struct wcount *cnt;
	struct wpend *pend;     /* fanotify fds awaiting their BPF event */
	size_t npend, cap;
	pid_t await[128];       /* fanotify alone: PIDs that just executed a
	                           dynamic program (0: free slot) */
	size_t await_next;
	struct wheld {          /* fanotify alone: a script's exec open waiting
	                           for its interpreter's (pid 0: free slot) */
		pid_t pid;
		int fd;
		uint64_t since_ns;  /* CLOCK_MONOTONIC */
	} held[64];
	size_t held_next;
	int64_t boot_to_real;   /* CLOCK_REALTIME - CLOCK_BOOTTIME, ns */
};

/* Handlers for the sources' callbacks (USERDATA: the struct wpin). */
void wpin_fan_event(void *userdata, int fd, pid_t pid);
void wpin_bpf_event(void *userdata, const struct pe_watch_event *ev);
void wpin_cn_event(void *userdata, pid_t pid, uint64_t mono_ns);

/* Read every mechanism's queued events. */
void wpin_drain(struct wpin *p);
/* From the periodic tick: forget fanotify fds whose exec event never came. */
void wpin_expire(struct wpin *p);
void wpin_done(struct wpin *p);

#endif /* PROCEXE_WATCH_PIN_H */
