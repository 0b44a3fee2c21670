/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Whole-host scans.  Listing /proc costs a few getdents64 calls; the
 * per-process reads are independent, so workers share them through an
 * atomic index.  Each worker keeps its own lookup cache.
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/syscall.h>

#include "internal.h"

#define PE_MAX_THREADS 4
#define PE_PIDS_PER_THREAD 256 /* below this, a thread costs more than it saves */

struct procexe_list {
	struct procexe_proc **procs;
	size_t n;
};

struct scan_job {
	struct procexe_ctx *ctx;
	const pid_t *pids;
	size_t npids;
	unsigned detail_states;
	struct procexe_proc **slots;
	atomic_size_t next;
	atomic_int err;         /* first fatal error (-ENOMEM) */
};

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
			struct {
				uint64_t d_ino;
				int64_t d_off;
				unsigned short d_reclen;
				unsigned char d_type;
				char d_name[];
			} *d = (void *)(buf + off);
			long v = 0;
			const char *c;

			off += d->d_reclen;
			if (d->d_name[0] < '1' || d->d_name[0] > '9')
				continue;
			for (c = d->d_name; *c >= '0' && *c <= '9' && v < INT32_MAX; c++)
				v = v * 10 + (*c - '0');
			if (*c || v > INT32_MAX)
				continue;
			if (n == cap) {
				size_t ncap = cap ? cap * 2 : 1024;
				pid_t *np = realloc(pids, ncap * sizeof(*np));

				if (!np)
					return -ENOMEM;
				pids = np;
				cap = ncap;
			}
			pids[n++] = (pid_t)v;
		}
	}
	if (nr < 0)
		return -errno;
	*ret = pe_take_ptr(&pids);
	*ret_n = n;
	return 0;
}

static void *scan_worker(void *arg)
{
	struct scan_job *job = arg;
	struct pe_cache *cache = pe_cache_new();

	for (;;) {
		size_t i = atomic_fetch_add(&job->next, 1);
		int r;

		if (i >= job->npids || atomic_load(&job->err))
			break;
		r = pe_proc_load(job->ctx, cache, NULL, job->pids[i], job->detail_states, &job->slots[i]);
		if (r == -ENOMEM)
			atomic_store(&job->err, r);
		/* Any other error: the process vanished or is unreadable; skip. */
	}
	pe_cache_free(cache);
	return NULL;
}

static unsigned worker_count(const struct procexe_ctx *ctx, size_t npids)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned n = ctx->nthreads;

	if (n == 0)
		n = ncpu > 0 ? (unsigned)ncpu : 1;
	if (n > PE_MAX_THREADS)
		n = PE_MAX_THREADS;
	if (n > npids / PE_PIDS_PER_THREAD + 1)
		n = (unsigned)(npids / PE_PIDS_PER_THREAD + 1);
	return n;
}

int procexe_scan(struct procexe_ctx *ctx, const pid_t *pids, size_t npids,
                 unsigned detail_states, struct procexe_list **ret_list)
{
	_cleanup_free_ pid_t *all = NULL;
	struct procexe_list *list;
	struct scan_job job = { .ctx = ctx, .detail_states = detail_states };
	pthread_t threads[PE_MAX_THREADS];
	unsigned nthreads, started = 0;
	size_t n = 0;
	int r;

	if (!ctx || !ret_list || (npids && !pids))
		return -EINVAL;
	if (pids) {
		all = malloc((npids ? npids : 1) * sizeof(*all));
		if (!all)
			return -ENOMEM;
		memcpy(all, pids, npids * sizeof(*all));
		n = npids;
	} else {
		r = list_pids(ctx->procfd, &all, &n);
		if (r < 0)
			return r;
	}
	qsort(all, n, sizeof(*all), cmp_pid);
	job.pids = all;
	job.npids = n;
	job.slots = calloc(n ? n : 1, sizeof(*job.slots));
	list = calloc(1, sizeof(*list));
	if (!job.slots || !list) {
		free(job.slots);
		free(list);
		return -ENOMEM;
	}

	nthreads = worker_count(ctx, n);
	for (unsigned i = 1; i < nthreads; i++)
		if (pthread_create(&threads[started], NULL, scan_worker, &job) == 0)
			started++;
	scan_worker(&job); /* the calling thread works too */
	for (unsigned i = 0; i < started; i++)
		pthread_join(threads[i], NULL);

	list->procs = job.slots;
	for (size_t i = 0; i < n; i++) {
		/* The same PID given twice is listed once. */
		if (job.slots[i] && (list->n == 0 || list->procs[list->n - 1]->pid != job.slots[i]->pid))
			list->procs[list->n++] = job.slots[i];
		else
			procexe_proc_free(job.slots[i]);
	}
	if (atomic_load(&job.err)) {
		procexe_list_free(list);
		return atomic_load(&job.err);
	}
	*ret_list = list;
	return 0;
}

size_t procexe_list_count(const struct procexe_list *list)
{
	return list ? list->n : 0;
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
