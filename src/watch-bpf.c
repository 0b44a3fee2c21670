/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The eBPF exec source of `procexe watch` (see watch-bpf.h): loads the
 * skeleton of watch.bpf.c, keeps the config map's heartbeat, drains the
 * ring buffer and resumes what the program stopped.  Built as a stub
 * (wbpf_open() fails with "not built in") without libbpf.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "watch-bpf.h"

#if PE_HAVE_BPF
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/sysmacros.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "watch-guard.h"
#include "watch.skel.h"

struct wbpf {
	struct watch_bpf *skel;
	struct ring_buffer *rb;
	int config_fd, frozen_fd, counters_fd;
	struct pe_watch_config cfg;     /* what the config map holds */
	pid_t guard_pid;
	int guard_pidfd, guard_sock;    /* -1 without a guardian */
	uint32_t *keys;                 /* sweep scratch: PE_WATCH_FROZEN_MAX */
	void (*cb)(void *ud, const struct pe_watch_event *ev);
	void *ud;
	int got;                        /* events of the current drain */
};

/* libbpf's messages: only with PROCEXE_DEBUG_BPF set in the environment. */
static int __attribute__((format(printf, 2, 0)))
bpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	static int debug = -1;

	if (debug < 0)
		debug = getenv("PROCEXE_DEBUG_BPF") != NULL;
	return debug ? vfprintf(stderr, fmt, ap) : 0;
}

/* *WHY = "STAGE: strerror(-R)" (static storage); returns R (< 0). */
static int fail(const char **why, const char *stage, int r)
{
	static char buf[96];

	if (r >= 0)
		r = -EIO;
	snprintf(buf, sizeof(buf), "%s: %s", stage, strerror(-r));
	*why = buf;
	return r;
}

static int config_write(struct wbpf *b)
{
	__u32 zero = 0;

	b->cfg.heartbeat_ns = wguard_now();
	return bpf_map_update_elem(b->config_fd, &zero, &b->cfg, BPF_ANY) < 0 ? -errno : 0;
}

static int on_event(void *ctx, void *data, size_t size)
{
	struct wbpf *b = ctx;

	if (size < sizeof(struct pe_watch_event))
		return 0;
	b->cb(b->ud, data);
	/* a negative return stops libbpf's loop, the record consumed */
	return ++b->got >= WBPF_DRAIN_MAX ? -E2BIG : 0;
}

/* Load, start the guardian when freezing, attach.  0 or -errno, *WHY set. */
static int wbpf_setup(struct wbpf *b, const char **why)
{
	int r;

	b->skel = watch_bpf__open();
	if (!b->skel)
		return fail(why, "open", -errno);
	r = watch_bpf__load(b->skel);
	if (r < 0)
		return fail(why, "program load", r);
	b->config_fd = bpf_map__fd(b->skel->maps.pe_config);
	b->frozen_fd = bpf_map__fd(b->skel->maps.pe_frozen_map);
	b->counters_fd = bpf_map__fd(b->skel->maps.pe_counters);
	r = config_write(b);
	if (r < 0)
		return fail(why, "config map", r);
	if (b->cfg.freeze) {
		b->keys = calloc(PE_WATCH_FROZEN_MAX, sizeof(*b->keys));
		if (!b->keys)
			return fail(why, "guardian", -ENOMEM);
		/* before attaching and before any mapping of a map: the
		 * guardian inherits neither */
		r = wguard_start(b->frozen_fd, &b->guard_pid, &b->guard_pidfd, &b->guard_sock);
		if (r < 0)
			return fail(why, "guardian", r);
	}
	r = watch_bpf__attach(b->skel);
	if (r < 0)
		return fail(why, "attach", r);
	b->rb = ring_buffer__new(bpf_map__fd(b->skel->maps.pe_events), on_event, b, NULL);
	if (!b->rb)
		return fail(why, "ring buffer", -errno);
	return 0;
}

int wbpf_open(struct wbpf **ret, bool freeze, uint64_t cgroup_id, int cgroup_level,
              const char **why)
{
	struct wbpf *b;
	int r;

	*ret = NULL;
	if (cgroup_level < 0)
		return *why = "bad cgroup level", -EINVAL;
	libbpf_set_print(bpf_print);
	if (access("/sys/kernel/btf/vmlinux", R_OK) < 0)
		return *why = "no kernel BTF", -EOPNOTSUPP;
	b = calloc(1, sizeof(*b));
	if (!b)
		return *why = "out of memory", -ENOMEM;
	b->config_fd = b->frozen_fd = b->counters_fd = -1;
	b->guard_pidfd = b->guard_sock = -1;
	b->cfg.freeze = freeze;
	b->cfg.cgroup_id = cgroup_id;
	b->cfg.cgroup_level = (__u32)cgroup_level;
	r = wbpf_setup(b, why);
	if (r < 0) {
		wbpf_free(b);
		return r;
	}
	*ret = b;
	return 0;
}

int wbpf_fd(struct wbpf *b)
{
	return ring_buffer__epoll_fd(b->rb);
}

int wbpf_drain(struct wbpf *b, void (*cb)(void *ud, const struct pe_watch_event *ev), void *ud)
{
	int r;

	b->cb = cb;
	b->ud = ud;
	b->got = 0;
	r = ring_buffer__consume(b->rb);
	if (r < 0 && b->got < WBPF_DRAIN_MAX)
		return r;
	return b->got;
}

void wbpf_heartbeat(struct wbpf *b)
{
	if (b->cfg.freeze)
		config_write(b);
}

int wbpf_lazy_wakeup(struct wbpf *b, const dev_t *devs, size_t n)
{
	int fd = bpf_map__fd(b->skel->maps.pe_marked);
	__u64 key, next;
	__u8 one = 1;

	if (n > PE_WATCH_MARKED_MAX)
		return -E2BIG;
	b->cfg.lazy_wakeup = 0;
	if (config_write(b) < 0)
		return -errno;
	while (bpf_map_get_next_key(fd, NULL, &next) == 0)
		if (bpf_map_delete_elem(fd, &next) < 0)
			return -errno;
	for (size_t i = 0; i < n; i++) {
		/* the kernel's dev_t: 12-bit major above a 20-bit minor */
		key = ((__u64)major(devs[i]) << 20) | minor(devs[i]);
		if (bpf_map_update_elem(fd, &key, &one, BPF_ANY) < 0)
			return -errno;
	}
	b->cfg.lazy_wakeup = n > 0;
	return config_write(b);
}

int wbpf_resume(struct wbpf *b, pid_t tgid)
{
	return wguard_resume(b->frozen_fd, tgid);
}

/* The per-CPU counter SLOT summed over the CPUs. */
static uint64_t counter(struct wbpf *b, __u32 slot)
{
	int ncpu = libbpf_num_possible_cpus();
	uint64_t sum = 0, *v;

	if (ncpu <= 0 || !(v = calloc((size_t)ncpu, sizeof(*v))))
		return 0;
	if (bpf_map_lookup_elem(b->counters_fd, &slot, v) == 0)
		for (int i = 0; i < ncpu; i++)
			sum += v[i];
	free(v);
	return sum;
}

uint64_t wbpf_dropped(struct wbpf *b)
{
	return counter(b, PE_WCNT_DROPPED);
}

uint64_t wbpf_refused(struct wbpf *b)
{
	return counter(b, PE_WCNT_REFUSED);
}

int wbpf_guard_fd(struct wbpf *b)
{
	return b->guard_pidfd;
}

void wbpf_freeze_off(struct wbpf *b)
{
	if (b->cfg.freeze && b->config_fd >= 0) {
		b->cfg.freeze = 0;
		/* on failure the heartbeat stops instead: stale in 500 ms */
		config_write(b);
		/* runs that saw freeze on have ended after this */
		if (wguard_quiesce() < 0)
			usleep(100000);
		if (b->keys)
			wguard_sweep(b->frozen_fd, 0, b->keys);
	}
	if (b->guard_pidfd >= 0 || b->guard_sock >= 0)
		wguard_stop(b->guard_pid, b->guard_pidfd, b->guard_sock);
	b->guard_pidfd = b->guard_sock = -1;
}

void wbpf_free(struct wbpf *b)
{
	if (!b)
		return;
	wbpf_freeze_off(b);
	ring_buffer__free(b->rb);
	watch_bpf__destroy(b->skel);
	free(b->keys);
	free(b);
}

#else /* !PE_HAVE_BPF */

int wbpf_open(struct wbpf **ret, bool freeze, uint64_t cgroup_id, int cgroup_level,
              const char **why)
{
	*ret = NULL;
	*why = "not built in";
	return -EOPNOTSUPP;
}

int wbpf_fd(struct wbpf *b) { return -1; }
int wbpf_drain(struct wbpf *b, void (*cb)(void *ud, const struct pe_watch_event *ev), void *ud)
{
	return -EOPNOTSUPP;
}
void wbpf_heartbeat(struct wbpf *b) {}
int wbpf_lazy_wakeup(struct wbpf *b, const dev_t *devs, size_t n) { return -EOPNOTSUPP; }
int wbpf_resume(struct wbpf *b, pid_t tgid) { return -ENOENT; }
uint64_t wbpf_dropped(struct wbpf *b) { return 0; }
uint64_t wbpf_refused(struct wbpf *b) { return 0; }
int wbpf_guard_fd(struct wbpf *b) { return -1; }
void wbpf_freeze_off(struct wbpf *b) {}
void wbpf_free(struct wbpf *b) {}

#endif /* PE_HAVE_BPF */
