/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The exec source of `procexe watch`: one pe_watch_event per exec on the
 * sched_process_exec tracepoint (a BTF raw tracepoint: the only program
 * type besides plain tracepoints that loads where trampolines do not), and
 * the optional freeze: a suspicious new image is stopped with SIGSTOP
 * before its first instruction, and user space resumes it once pinned.
 *
 * Freeze safety: a stop happens only when user space asked for it (config
 * map), its heartbeat is fresh, the event reached the ring buffer and the
 * frozen map recorded the stop (the guardian resumes what the map lists).
 *
 * The kernel wants a GPL-compatible license string for the tracing
 * helpers; LGPL-2.1-or-later code may be distributed under the GPL.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

#include "watch-event.h"

char LICENSE[] SEC("license") = "GPL";

#define PE_SIGSTOP 19
#define PE_SB_KERNMOUNT (1u << 22)
#define PE_TMPFS_MAGIC 0x01021994u
#define PE_RAMFS_MAGIC 0x858458f6u

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 512 * 1024);
} pe_events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pe_watch_config);
} pe_config SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, PE_WATCH_FROZEN_MAX);
	__type(key, __u32);
	__type(value, struct pe_frozen);
} pe_frozen_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, PE_WATCH_MARKED_MAX);
	__type(key, __u64);
	__type(value, __u8);
} pe_marked SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, PE_WCNT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} pe_counters SEC(".maps");

static __always_inline void count(__u32 slot)
{
	__u64 *c = bpf_map_lookup_elem(&pe_counters, &slot);

	if (c)
		(*c)++;
}

/* S[0..3] == A B C D.  (Character by character: string literals would
 * need a .rodata map, which user space then maps.) */
#define EQ4(s, a, b, c, d) ((s)[0] == (a) && (s)[1] == (b) && (s)[2] == (c) && (s)[3] == (d))

/* F starts with /tmp/, /var/tmp/, /dev/shm/ or /run/user/. */
static __always_inline bool tmp_path(const char *f)
{
	return (EQ4(f, '/', 't', 'm', 'p') && f[4] == '/') ||
	       (EQ4(f, '/', 'v', 'a', 'r') && EQ4(f + 4, '/', 't', 'm', 'p') && f[8] == '/') ||
	       (EQ4(f, '/', 'd', 'e', 'v') && EQ4(f + 4, '/', 's', 'h', 'm') && f[8] == '/') ||
	       (EQ4(f, '/', 'r', 'u', 'n') && EQ4(f + 4, '/', 'u', 's', 'e') && f[8] == 'r' &&
	        f[9] == '/');
}

/* Fill E from the task and the image; returns the PE_WEV_SUSPECT flag or 0. */
static __always_inline __u32 fill(struct pe_watch_event *e, struct task_struct *p,
                                  struct linux_binprm *bprm)
{
	struct file *file = BPF_CORE_READ(bprm, file);
	struct inode *inode = BPF_CORE_READ(file, f_inode);
	struct super_block *sb = BPF_CORE_READ(inode, i_sb);
	__u64 id = bpf_get_current_pid_tgid();
	char dname[20];
	bool runc = false;
	__u32 flags = 0;

	e->ktime_ns = bpf_ktime_get_boot_ns();
	e->start_boottime = BPF_CORE_READ(p, start_boottime);
	e->cgroup_id = bpf_get_current_cgroup_id();
	e->dev = BPF_CORE_READ(sb, s_dev);
	e->ino = BPF_CORE_READ(inode, i_ino);
	e->sb_magic = BPF_CORE_READ(sb, s_magic);
	e->pid = (__u32)id;
	e->tgid = id >> 32;
	e->ppid = BPF_CORE_READ(p, real_parent, tgid);
	e->uid = (__u32)bpf_get_current_uid_gid();
	e->nlink = BPF_CORE_READ(inode, i_nlink);
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	bpf_probe_read_kernel_str(e->fstype, sizeof(e->fstype), BPF_CORE_READ(sb, s_type, name));
	bpf_probe_read_kernel_str(e->filename, sizeof(e->filename), BPF_CORE_READ(bprm, filename));
	/* the new image's argument area (current's memory, just written by
	 * the exec): its argv[0], without a read of /proc/PID/cmdline later */
	e->argv0[0] = '\0';
	bpf_probe_read_user_str(e->argv0, sizeof(e->argv0),
	                        (const void *)BPF_CORE_READ(p, mm, arg_start));
	bpf_probe_read_kernel_str(dname, sizeof(dname), BPF_CORE_READ(file, f_path.dentry, d_name.name));

	if (BPF_CORE_READ(sb, s_flags) & PE_SB_KERNMOUNT) {
		flags |= PE_WEV_KERNMOUNT;
		if (EQ4(dname, 'm', 'e', 'm', 'f') && dname[4] == 'd' && dname[5] == ':') {
			flags |= PE_WEV_MEMFD;
			/* "memfd:runc_cloned:": runc re-executing itself */
			runc = EQ4(dname + 6, 'r', 'u', 'n', 'c') &&
			       EQ4(dname + 10, '_', 'c', 'l', 'o') &&
			       EQ4(dname + 14, 'n', 'e', 'd', ':');
		}
	}
	/* binfmt_script and binfmt_misc point bprm->interp at the name of
	 * the interpreter they load; else it is bprm->filename itself */
	if (BPF_CORE_READ(bprm, interp) != BPF_CORE_READ(bprm, filename))
		flags |= PE_WEV_SCRIPT;
	e->flags = flags;
	if (runc)
		return 0;
	if ((flags & PE_WEV_MEMFD) || e->nlink == 0 || e->sb_magic == PE_TMPFS_MAGIC ||
	    e->sb_magic == PE_RAMFS_MAGIC || tmp_path(e->filename))
		return PE_WEV_SUSPECT;
	return 0;
}

/* Record the stop in the frozen map, then stop the current task (the new
 * image).  False (nothing stopped, nothing recorded) on any failure. */
static __always_inline bool freeze(const struct pe_watch_event *e, struct task_struct *p)
{
	struct pe_frozen v = {
		.freeze_ns = e->ktime_ns,
		.start_boottime = e->start_boottime,
	};
	__u32 key = e->tgid;

	if (bpf_core_field_exists(((struct pid *)0)->ino))
		v.pid_ino = BPF_CORE_READ(p, thread_pid, ino);
	if (bpf_map_update_elem(&pe_frozen_map, &key, &v, BPF_NOEXIST))
		return false;
	if (bpf_send_signal(PE_SIGSTOP)) {
		bpf_map_delete_elem(&pe_frozen_map, &key);
		return false;
	}
	return true;
}

/* Whether config asks to stop this exec and may (fresh heartbeat). */
static __always_inline bool want_freeze(const struct pe_watch_config *cfg, __u64 now, bool *refuse)
{
	if (!cfg || !cfg->freeze)
		return false;
	if (cfg->cgroup_id && bpf_get_current_ancestor_cgroup_id(cfg->cgroup_level) != cfg->cgroup_id)
		return false;
	/* a heartbeat "from the future" wraps to a large age: refused */
	*refuse = now - cfg->heartbeat_ns >= PE_WATCH_HEARTBEAT_MAX_NS;
	return !*refuse;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(pe_watch_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	struct pe_watch_config *cfg;
	struct pe_watch_event *e;
	__u32 zero = 0, suspect;
	bool refuse = false;

	e = bpf_ringbuf_reserve(&pe_events, sizeof(*e), 0);
	if (!e) {
		count(PE_WCNT_DROPPED);
		return 0;
	}
	cfg = bpf_map_lookup_elem(&pe_config, &zero);
	suspect = fill(e, p, bprm);
	if (suspect) {
		e->flags |= PE_WEV_SUSPECT;
		if (want_freeze(cfg, e->ktime_ns, &refuse)) {
			if (freeze(e, p)) {
				e->flags |= PE_WEV_FROZEN;
				count(PE_WCNT_FROZEN);
			} else {
				refuse = true;
			}
		}
		if (refuse)
			count(PE_WCNT_REFUSED);
	}
	/* after the signal: user space resumes only what it heard of, and
	 * its SIGCONT cannot come before the SIGSTOP */
	bpf_ringbuf_submit(e, !suspect && cfg && cfg->lazy_wakeup &&
	                      bpf_map_lookup_elem(&pe_marked, &e->dev) ? BPF_RB_NO_WAKEUP : 0);
	return 0;
}
