/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the exec program of `procexe watch` (src/watch.bpf.c) and its user
 * space (src/watch-bpf.c, src/watch-guard.c) share: the event record and
 * the layout of the maps.  Included by the BPF program (after vmlinux.h,
 * which defines the __u32/__u64 types) and by ordinary C.
 */
#ifndef PROCEXE_WATCH_EVENT_H
#define PROCEXE_WATCH_EVENT_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

/* pe_watch_event.flags */
#define PE_WEV_MEMFD     0x1u  /* dentry "memfd:*" on a kernel-internal mount */
#define PE_WEV_KERNMOUNT 0x2u  /* the image's superblock has SB_KERNMOUNT */
#define PE_WEV_FROZEN    0x4u  /* stopped by SIGSTOP: resume with wbpf_resume() */
#define PE_WEV_SUSPECT   0x8u  /* memfd, nlink 0, tmpfs/ramfs or a tmp path */
#define PE_WEV_SCRIPT    0x10u /* the file execve'd (filename) is not the image:
                                  a binfmt handler (script, misc) changed
                                  bprm->interp to its interpreter's name */

/* One exec, as the sched_process_exec tracepoint saw it. */
struct pe_watch_event {
	__u64 ktime_ns;        /* bpf_ktime_get_boot_ns() at exec */
	__u64 start_boottime;  /* task->start_boottime: pid-reuse check */
	__u64 cgroup_id;
	__u64 dev;             /* kernel-internal dev_t: (major << 20) | minor */
	__u64 ino;
	__u64 sb_magic;
	__u32 pid, tgid, ppid, uid;
	__u32 nlink;
	__u32 flags;           /* PE_WEV_* */
	char comm[16];
	char fstype[16];       /* sb->s_type->name */
	char filename[256];    /* bprm->filename (may be relative, /dev/fd/N; 255
	                          bytes: maybe cut) */
	char argv0[256];       /* the new image's argv[0] (truncated), "" unread */
};

/* ---- private to the BPF part (watch.bpf.c, watch-bpf.c, watch-guard.c) ---- */

/* The one entry of the config map, written by user space only. */
struct pe_watch_config {
	__u64 heartbeat_ns;    /* CLOCK_BOOTTIME of the watcher's last tick */
	__u64 cgroup_id;       /* 0: freeze everywhere */
	__u32 cgroup_level;    /* depth of cgroup_id below the cgroup v2 root */
	__u32 freeze;          /* 0 off, 1 on */
	__u32 lazy_wakeup;     /* 1: no wake-up for an exec that is not suspect and
	                          whose superblock is in the marked map (fanotify
	                          wakes the reader for it) */
	__u32 reserved;
};

/* A freeze is refused when the heartbeat is older than this. */
#define PE_WATCH_HEARTBEAT_MAX_NS 500000000ull

/* Value of the frozen map (key: the tgid, __u32). */
struct pe_frozen {
	__u64 freeze_ns;       /* bpf_ktime_get_boot_ns() of the stop */
	__u64 start_boottime;  /* task->start_boottime */
	__u64 pid_ino;         /* pidfs inode of the task's struct pid, 0 unknown */
};
#define PE_WATCH_FROZEN_MAX 4096

/* The marked map: superblocks (kernel dev_t, key __u64) fanotify watches. */
#define PE_WATCH_MARKED_MAX 1024

/* Slots of the per-CPU counter map. */
enum {
	PE_WCNT_DROPPED,       /* ring-buffer reserve failures */
	PE_WCNT_REFUSED,       /* suspect execs not frozen for safety */
	PE_WCNT_FROZEN,        /* execs stopped */
	PE_WCNT_MAX
};

#endif /* PROCEXE_WATCH_EVENT_H */
