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
 *
 * Records are handed to the caller in PID order by the calling thread
 * (procexe_scan_each()).  Workers take a PID only within PE_WINDOW of the
 * next one to hand out, so at most PE_WINDOW records are held at once,
 * however many processes there are.
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
#define PE_WINDOW 256          /* records read ahead of the one handed out */

struct procexe_list {
	struct procexe_proc **procs;
	size_t n, cap;
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
	pthread_cond_t cond;    /* wakes the calling thread */
	pthread_cond_t room;    /* wakes workers waiting for the window */
	struct procexe_ctx ctx;  /* private copy: own procfd and mount set */
	pid_t *pids;
	size_t npids, next;
	unsigned detail_states;
	struct procexe_proc **slots;
	bool *filled;           /* slots[i] is final (a record, or NULL: vanished) */
	size_t delivered;       /* slots before this one were handed out */
	size_t ngiven_up;       /* records made for processes given up on */
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
	free(job->filled);
	free(job->pids);
	if (job->ctx.procfd >= 0)
		close(job->ctx.procfd);
	pe_idset_clear(&job->ctx.reader_mounts);
	pthread_mutex_destroy(&job->lock);
	pthread_cond_destroy(&job->cond);
	pthread_cond_destroy(&job->room);
	free(job);
}

static int cmp_pid(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return (x > y) - (x < y);
}

/* Drop repeats from the sorted PIDS: each PID is read once. */
static size_t uniq_pids(pid_t *pids, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		if (k == 0 || pids[k - 1] != pids[i])
			pids[k++] = pids[i];
	return k;
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
		while (!job->abandoned && !job->err && job->next < job->npids &&
		       job->next >= job->delivered + PE_WINDOW)
			pthread_cond_wait(&job->room, &job->lock);
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
		job->filled[i] = true;
		if (i == job->delivered)
			pthread_cond_signal(&job->cond);
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
		job->filled[w->idx] = true;
		job->ngiven_up++;
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

struct sink {
	procexe_scan_fn fn;
	void *userdata;
	size_t ndelivered;
	int stop;               /* the callback's negative return */
};

/*
 * Hand out the finished records at the front of the window, in PID order;
 * called with the lock held, which is dropped around each callback.  A
 * record the callback does not keep is freed here.  False once the
 * callback asked to stop.
 */
static bool deliver(struct scan_job *job, struct sink *sink)
{
	while (!job->err && job->delivered < job->npids && job->filled[job->delivered]) {
		struct procexe_proc *p = pe_take_ptr(&job->slots[job->delivered]);
		int r;

		job->delivered++;
		pthread_cond_broadcast(&job->room);
		if (!p)
			continue;
		pthread_mutex_unlock(&job->lock);
		r = sink->fn(p, sink->userdata);
		if (r != PROCEXE_SCAN_KEEP)
			procexe_proc_free(p);
		pthread_mutex_lock(&job->lock);
		sink->ndelivered++;
		if (r < 0) {
			sink->stop = r;
			return false;
		}
	}
	return true;
}

/*
 * Wait for the workers, replacing those given up on, up to nthreads at a
 * time, in slots freed as stuck threads return, and hand out the records
 * as they come.  When no worker runs and no slot frees up for
 * PE_STALL_NS, the PIDs nobody could start are reported as timed out
 * rather than silently left out.
 */
static void supervise(struct scan_job *job, struct sink *sink)
{
	uint64_t starved = 0;

	pthread_mutex_lock(&job->lock);
	for (;;) {
		uint64_t now = pe_now_ns();

		reap_stalled(job, now);
		while (!job->err && job->running < job->nthreads && job->next < job->npids)
			if (start_worker(job) < 0)
				break;
		if (!deliver(job, sink))
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
	job->abandoned = true;
	pthread_cond_broadcast(&job->room);
	/* No worker writes a slot any more: what is left unread timed out. */
	for (size_t i = job->delivered; !sink->stop && !job->err && i < job->npids; i++) {
		if (job->filled[i])
			continue;
		job->slots[i] = unread(job->pids[i], ETIMEDOUT);
		job->filled[i] = true;
		job->ngiven_up++;
		if (!job->slots[i])
			job->err = -ENOMEM;
		else if (!deliver(job, sink))
			break;
	}
	if (!sink->stop)
		deliver(job, sink);
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
	pthread_cond_init(&job->room, NULL);
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
	job->npids = uniq_pids(job->pids, job->npids);
	job->slots = calloc(job->npids ? job->npids : 1, sizeof(*job->slots));
	job->filled = calloc(job->npids ? job->npids : 1, sizeof(*job->filled));
	if (!job->slots || !job->filled) {
		job_unref(job);
		return -ENOMEM;
	}
	*ret = job;
	return 0;
}

int procexe_scan_each(struct procexe_ctx *ctx, const pid_t *pids, size_t npids,
                      unsigned detail_states, procexe_scan_fn fn, void *userdata,
                      struct procexe_scan_stats *stats)
{
	struct sink sink = { .fn = fn, .userdata = userdata };
	struct scan_job *job = NULL;
	int r;

	if (!ctx || !fn || (npids && !pids) || (stats && stats->sz < sizeof(*stats)))
		return -EINVAL;
	r = job_new(ctx, pids, npids, detail_states, &job);
	if (r < 0)
		return r;
	pthread_mutex_lock(&job->lock);
	job->nthreads = worker_count(ctx, job->npids);
	if (job->npids > 0)
		r = start_worker(job);
	pthread_mutex_unlock(&job->lock);
	if (r < 0) {
		job_unref(job);
		return r == -ENOMEM ? r : -EAGAIN;
	}
	supervise(job, &sink);

	pthread_mutex_lock(&job->lock);
	r = sink.stop ? sink.stop : job->err;
	if (stats) {
		size_t sz = stats->sz;

		memset(stats, 0, sz);
		stats->sz = sz;
		stats->ndelivered = sink.ndelivered;
		stats->nvanished = job->nvanished;
		stats->ngiven_up = job->ngiven_up;
	}
	pthread_mutex_unlock(&job->lock);
	job_unref(job);
	return r;
}

/* procexe_scan()'s callback: keep every record, in order. */
static int list_keep(struct procexe_proc *p, void *userdata)
{
	struct procexe_list *list = userdata;

	if (pe_grow((void **)&list->procs, &list->cap, list->n + 1, sizeof(*list->procs)) < 0)
		return -ENOMEM;
	list->procs[list->n++] = p;
	return PROCEXE_SCAN_KEEP;
}

int procexe_scan(struct procexe_ctx *ctx, const pid_t *pids, size_t npids,
                 unsigned detail_states, struct procexe_list **ret_list)
{
	struct procexe_scan_stats st = { .sz = sizeof(st) };
	struct procexe_list *list;
	int r;

	if (!ctx || !ret_list || (npids && !pids))
		return -EINVAL;
	list = calloc(1, sizeof(*list));
	if (!list)
		return -ENOMEM;
	r = procexe_scan_each(ctx, pids, npids, detail_states, list_keep, list, &st);
	list->nvanished = st.nvanished;
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
