/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Whole-host scans.  Listing /proc costs a few getdents64 calls; the
 * per-process reads are independent, so workers take them one by one.
 * Each worker keeps its own lookup cache.  Per-process work is bounded
 * twice: the worker gives its cache a deadline of PE_WORK_NS, which ends
 * CPU-bound work (a huge mapping list) by itself, and the calling thread
 * supervises: a process that keeps a worker in the kernel for PE_STALL_NS
 * is reported as unreachable (ETIMEDOUT) and another worker carries on.
 * Worker slots form a pool: the slot of a worker given up on is free
 * again once its thread returns, so slow processes cannot use them up.
 * Once PE_SLOW_MAX processes of a scan have run into their deadline, the
 * rest get PE_WORK_SHORT_NS: many copies of one costly process (a fork
 * bomb of huge mapping lists) cost a scan seconds, not minutes; each is
 * still reported as incomplete.
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>

#include "internal.h"

#define PE_MAX_THREADS 4
#define PE_MAX_SPARE 8        /* replacements for workers stuck in the kernel */
#define PE_PIDS_PER_THREAD 256 /* below this, a thread costs more than it saves */
#define PE_STALL_NS (3ull * 1000000000u)
#define PE_WORK_NS (2ull * 1000000000u)  /* < PE_STALL_NS */
#define PE_WORK_SHORT_NS (200ull * 1000000u)
#define PE_SLOW_MAX 8
#define PE_TICK_NS (100ull * 1000000u)

struct procexe_list {
	struct procexe_proc **procs;
	size_t n;
	size_t nvanished;       /* listed or named, gone before they were read */
};

struct worker {
	bool used;              /* slot taken by a live thread */
	bool busy, stalled;
	size_t idx;
	uint64_t since;
};

/*
 * Shared by the scanning thread and its workers, reference-counted: a
 * worker stuck in a system call (a hung NFS server, a target holding its
 * mmap lock) may return long after procexe_scan() did, and must then find
 * everything it touches still allocated.  Hence its own copy of the
 * context.
 */
struct scan_job {
	atomic_int refs;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct procexe_ctx ctx;  /* private copy: own procfd and mount set */
	pid_t *pids;
	size_t npids, next;
	unsigned detail_states;
	struct procexe_proc **slots;
	struct worker workers[PE_MAX_THREADS + PE_MAX_SPARE];
	unsigned nthreads;      /* workers wanted at once */
	unsigned running;       /* live workers not given up on */
	bool abandoned;
	int err;                /* first fatal error (-ENOMEM) */
	size_t nvanished;       /* -ESRCH: confirmed gone */
	size_t nslow;           /* processes that ran into their deadline */
};

struct worker_arg {
	struct scan_job *job;
	struct worker *self;
};

static void job_unref(struct scan_job *job)
{
	if (atomic_fetch_sub(&job->refs, 1) != 1)
		return;
	for (size_t i = 0; i < job->npids; i++)
		procexe_proc_free(job->slots[i]);
	free(job->slots);
	free(job->pids);
	if (job->ctx.procfd >= 0)
		close(job->ctx.procfd);
	pe_idset_clear(&job->ctx.reader_mounts);
	pthread_mutex_destroy(&job->lock);
	pthread_cond_destroy(&job->cond);
	free(job);
}

static int cmp_pid(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return (x > y) - (x < y);
}

/* Numeric entries of the procfs root: thread-group leaders only. */
static int list_pids(int procfd, pid_t **ret, size_t *ret_n)
{
	_cleanup_close_ int dfd = openat(procfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_free_ pid_t *pids = NULL;
	size_t n = 0, cap = 0;
	char buf[65536];
	long nr;

	if (dfd < 0)
		return -errno;
	while ((nr = syscall(SYS_getdents64, dfd, buf, sizeof(buf))) > 0) {
		for (long off = 0; off < nr;) {
			struct pe_dirent64 *d = (void *)(buf + off);
			long v = 0;
			const char *c;

			off += d->d_reclen;
			if (d->d_name[0] < '1' || d->d_name[0] > '9')
				continue;
			for (c = d->d_name; *c >= '0' && *c <= '9' && v <= INT32_MAX; c++)
				v = v * 10 + (*c - '0');
			if (*c || v > INT32_MAX)
				continue;
			if (pe_grow((void **)&pids, &cap, n + 1, sizeof(*pids)) < 0)
				return -ENOMEM;
			pids[n++] = (pid_t)v;
		}
	}
	if (nr < 0)
		return -errno;
	*ret = pe_take_ptr(&pids);
	*ret_n = n;
	return 0;
}

/* A process we could not read (ERR: ETIMEDOUT when given up on): shown,
 * not silently dropped.  NULL when out of memory. */
static struct procexe_proc *unread(pid_t pid, int err)
{
	struct procexe_proc *p = pe_proc_new(pid);

	if (p) {
		p->state = PROCEXE_STATE_UNREACHABLE;
		p->err = err;
	}
	return p;
}

static void *scan_worker(void *arg)
{
	struct worker_arg *wa = arg;
	struct scan_job *job = wa->job;
	struct worker *self = wa->self;
	struct pe_cache *cache = pe_cache_new();

	free(wa);
	/* No cache, no deadline: out of memory is ours to report. */
	if (!cache) {
		pthread_mutex_lock(&job->lock);
		if (!job->err)
			job->err = -ENOMEM;
		pthread_mutex_unlock(&job->lock);
	}
	for (;;) {
		struct procexe_proc *p = NULL;
		uint64_t work;
		size_t i;
		int r;

		pthread_mutex_lock(&job->lock);
		if (job->abandoned || job->err || job->next >= job->npids) {
			pthread_mutex_unlock(&job->lock);
			break;
		}
		i = job->next++;
		self->busy = true;
		self->idx = i;
		self->since = pe_now_ns();
		work = job->nslow >= PE_SLOW_MAX ? PE_WORK_SHORT_NS : PE_WORK_NS;
		pthread_mutex_unlock(&job->lock);

		pe_cache_set_deadline(cache, pe_now_ns() + work);
		r = pe_proc_load(&job->ctx, cache, NULL, job->pids[i], job->detail_states, &p);
		if (r < 0) {
			procexe_proc_free(p);
			p = NULL;
		}

		pthread_mutex_lock(&job->lock);
		self->busy = false;
		if (self->stalled || job->abandoned) {
			/* Given up on while we were stuck: the answer is too late. */
			procexe_proc_free(p);
			pthread_mutex_unlock(&job->lock);
			break;
		}
		/* Running out of memory or fds is ours to report, not a
		 * property of that process: it fails the scan. */
		if (r == -ENOMEM || r == -EMFILE || r == -ENFILE) {
			if (!job->err)
				job->err = r;
		} else if (r == -ESRCH) {
			job->nvanished++;
		} else if (r < 0) {
			p = unread(job->pids[i], -r);
			if (!p && !job->err)
				job->err = -ENOMEM;
		}
		if (r == -ETIMEDOUT || (p && p->maps_err == ETIMEDOUT))
			job->nslow++;
		job->slots[i] = p;
		pthread_mutex_unlock(&job->lock);
	}
	pthread_mutex_lock(&job->lock);
	if (!self->stalled)
		job->running--;
	self->used = false;     /* the slot is free again */
	pthread_cond_signal(&job->cond);
	pthread_mutex_unlock(&job->lock);
	pe_cache_free(cache);
	job_unref(job);
	return NULL;
}

/* Start a detached worker in a free slot; called with the lock held.
 * -EAGAIN when every slot is taken (by threads still stuck). */
static int start_worker(struct scan_job *job)
{
	struct worker *w = NULL;
	struct worker_arg *wa;
	pthread_attr_t attr;
	pthread_t t;
	int r;

	for (size_t i = 0; i < PE_ARRAY_SIZE(job->workers) && !w; i++)
		if (!job->workers[i].used)
			w = &job->workers[i];
	if (!w)
		return -EAGAIN;
	wa = malloc(sizeof(*wa));
	if (!wa)
		return -ENOMEM;
	wa->job = job;
	wa->self = w;
	*w = (struct worker){ .used = true };
	atomic_fetch_add(&job->refs, 1);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	r = pthread_create(&t, &attr, scan_worker, wa);
	pthread_attr_destroy(&attr);
	if (r != 0) {
		atomic_fetch_sub(&job->refs, 1);
		w->used = false;
		free(wa);
		return -r;
	}
	job->running++;
	return 0;
}

/* Give up on workers stuck in one process for PE_STALL_NS; lock held. */
static void reap_stalled(struct scan_job *job, uint64_t now)
{
	for (size_t i = 0; i < PE_ARRAY_SIZE(job->workers); i++) {
		struct worker *w = &job->workers[i];

		if (!w->used || !w->busy || w->stalled || now < w->since + PE_STALL_NS)
			continue;
		w->stalled = true;
		job->running--;
		job->slots[w->idx] = unread(job->pids[w->idx], ETIMEDOUT);
		if (!job->slots[w->idx] && !job->err)
			job->err = -ENOMEM;
	}
}

static void wait_tick(struct scan_job *job)
{
	struct timespec ts;
	uint64_t t;

	/* the condition variable waits on CLOCK_MONOTONIC (job_new): a
	 * clock set back cannot stretch the tick */
	t = pe_now_ns() + PE_TICK_NS;
	ts.tv_sec = (time_t)(t / 1000000000u);
	ts.tv_nsec = (long)(t % 1000000000u);
	pthread_cond_timedwait(&job->cond, &job->lock, &ts);
}

/*
 * Wait for the workers, replacing those given up on, up to nthreads at a
 * time, in slots freed as stuck threads return.  When no worker runs and
 * no slot frees up for PE_STALL_NS, the PIDs nobody could start are
 * reported as timed out rather than silently left out.
 */
static void supervise(struct scan_job *job)
{
	uint64_t starved = 0;

	pthread_mutex_lock(&job->lock);
	for (;;) {
		uint64_t now = pe_now_ns();

		reap_stalled(job, now);
		while (!job->err && job->running < job->nthreads && job->next < job->npids)
			if (start_worker(job) < 0)
				break;
		if (job->running == 0) {
			if (job->err || job->next >= job->npids)
				break;
			if (!starved)
				starved = now;
			else if (now >= starved + PE_STALL_NS)
				break;
		} else {
			starved = 0;
		}
		wait_tick(job);
	}
	for (; job->next < job->npids; job->next++) {
		job->slots[job->next] = unread(job->pids[job->next], ETIMEDOUT);
		if (!job->slots[job->next] && !job->err)
			job->err = -ENOMEM;
	}
	job->abandoned = true;
	pthread_mutex_unlock(&job->lock);
}

static unsigned worker_count(const struct procexe_ctx *ctx, size_t npids)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned n = ctx->nthreads;

	if (n == 0)
		n = ncpu > 0 ? (unsigned)ncpu : 1;
	if (n > PE_MAX_THREADS)
		n = PE_MAX_THREADS;
	/* The per-PID floor applies to the automatic choice only. */
	if (ctx->nthreads == 0 && n > npids / PE_PIDS_PER_THREAD + 1)
		n = (unsigned)(npids / PE_PIDS_PER_THREAD + 1);
	return n;
}

static int job_new(struct procexe_ctx *ctx, const pid_t *pids, size_t npids,
                   unsigned detail_states, struct scan_job **ret)
{
	struct scan_job *job = calloc(1, sizeof(*job));
	int r;

	if (!job)
		return -ENOMEM;
	atomic_init(&job->refs, 1);
	pthread_mutex_init(&job->lock, NULL);
	{
		pthread_condattr_t attr;

		pthread_condattr_init(&attr);
		pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
		pthread_cond_init(&job->cond, &attr);
		pthread_condattr_destroy(&attr);
	}
	job->ctx = *ctx;
	job->ctx.reader_mounts = (struct pe_idset){ 0 };
	job->ctx.procfd = fcntl(ctx->procfd, F_DUPFD_CLOEXEC, 3);
	job->detail_states = detail_states;
	if (job->ctx.procfd < 0) {
		r = -errno;
		job_unref(job);
		return r;
	}
	for (size_t i = 0; i < ctx->reader_mounts.n; i++)
		if (pe_idset_add(&job->ctx.reader_mounts, ctx->reader_mounts.ids[i]) < 0) {
			job_unref(job);
			return -ENOMEM;
		}
	if (pids) {
		job->pids = malloc((npids ? npids : 1) * sizeof(*job->pids));
		if (!job->pids) {
			job_unref(job);
			return -ENOMEM;
		}
		memcpy(job->pids, pids, npids * sizeof(*job->pids));
		job->npids = npids;
	} else {
		r = list_pids(ctx->procfd, &job->pids, &job->npids);
		if (r < 0) {
			job_unref(job);
			return r;
		}
	}
	if (job->npids > 1)
		qsort(job->pids, job->npids, sizeof(*job->pids), cmp_pid);
	job->slots = calloc(job->npids ? job->npids : 1, sizeof(*job->slots));
	if (!job->slots) {
		job_unref(job);
		return -ENOMEM;
	}
	*ret = job;
	return 0;
}

int procexe_scan(struct procexe_ctx *ctx, const pid_t *pids, size_t npids,
                 unsigned detail_states, struct procexe_list **ret_list)
{
	struct procexe_list *list;
	struct scan_job *job = NULL;
	unsigned nthreads;
	int r;

	if (!ctx || !ret_list || (npids && !pids))
		return -EINVAL;
	r = job_new(ctx, pids, npids, detail_states, &job);
	if (r < 0)
		return r;
	list = calloc(1, sizeof(*list));
	if (list)
		list->procs = calloc(job->npids ? job->npids : 1, sizeof(*list->procs));
	if (!list || !list->procs) {
		free(list);
		job_unref(job);
		return -ENOMEM;
	}

	nthreads = worker_count(ctx, job->npids);
	pthread_mutex_lock(&job->lock);
	job->nthreads = nthreads;
	if (job->npids > 0 && start_worker(job) < 0)
		r = -EAGAIN;
	pthread_mutex_unlock(&job->lock);
	if (r < 0) {
		free(list->procs);
		free(list);
		job_unref(job);
		return r;
	}
	supervise(job);

	/* Take the results; the same PID given twice is listed once. */
	pthread_mutex_lock(&job->lock);
	r = job->err;
	list->nvanished = job->nvanished;
	for (size_t i = 0; i < job->npids; i++) {
		struct procexe_proc *p = pe_take_ptr(&job->slots[i]);

		if (p && !r && (list->n == 0 || list->procs[list->n - 1]->pid != p->pid))
			list->procs[list->n++] = p;
		else
			procexe_proc_free(p);
	}
	pthread_mutex_unlock(&job->lock);
	job_unref(job);
	if (r < 0) {
		procexe_list_free(list);
		return r;
	}
	*ret_list = list;
	return 0;
}

size_t procexe_list_count(const struct procexe_list *list)
{
	return list ? list->n : 0;
}

size_t procexe_list_vanished(const struct procexe_list *list)
{
	return list ? list->nvanished : 0;
}

const struct procexe_proc *procexe_list_get(const struct procexe_list *list, size_t i)
{
	return list && i < list->n ? list->procs[i] : NULL;
}

void procexe_list_free(struct procexe_list *list)
{
	if (!list)
		return;
	for (size_t i = 0; i < list->n; i++)
		procexe_proc_free(list->procs[i]);
	free(list->procs);
	free(list);
}
