/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The worker queue of procexe watch: see watch-queue.h for the contract. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <time.h>

#include "watch-queue.h"

struct wqueue {
	pthread_mutex_t lock;
	pthread_cond_t cond;    /* an item was queued, or closing was set */
	void **ring;            /* cap slots */
	size_t cap;
	size_t batch;           /* items that wake the worker: min(WQUEUE_BATCH, cap / 2), >= 1 */
	size_t head;            /* the oldest item's slot */
	size_t count;           /* items queued */
	bool closing;           /* wqueue_free() runs: drain, then stop */
	void (*process)(void *item, void *ud);
	void *ud;
	pthread_t thread;
};

/* Until a push wakes the worker (a batch is waiting, or closing) or
 * WQUEUE_POLL_NS have passed.  Called with the lock held. */
static void wait_a_while(struct wqueue *q)
{
	struct timespec until;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_nsec += WQUEUE_POLL_NS;
	if (until.tv_nsec >= 1000000000) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000;
	}
	pthread_cond_timedwait(&q->cond, &q->lock, &until);
}

/* The next item, waiting for one; false when closing and nothing is left. */
static bool take(struct wqueue *q, void **item)
{
	bool got = false;

	pthread_mutex_lock(&q->lock);
	while (q->count == 0 && !q->closing)
		wait_a_while(q);
	if (q->count > 0) {
		*item = q->ring[q->head];
		q->ring[q->head] = NULL;
		q->head = (q->head + 1) % q->cap;
		q->count--;
		got = true;
	}
	pthread_mutex_unlock(&q->lock);
	return got;
}

static void *worker(void *arg)
{
	struct wqueue *q = arg;
	void *item;

	while (take(q, &item))
		q->process(item, q->ud);
	return NULL;
}

static void destroy(struct wqueue *q)
{
	pthread_cond_destroy(&q->cond);
	pthread_mutex_destroy(&q->lock);
	free(q->ring);
	free(q);
}

int wqueue_new(size_t cap, void (*process)(void *item, void *ud), void *ud,
               struct wqueue **ret)
{
	struct wqueue *q;
	sigset_t all, old;
	int r;

	if (cap == 0 || !process || !ret)
		return -EINVAL;
	q = calloc(1, sizeof(*q));
	if (!q)
		return -ENOMEM;
	q->ring = calloc(cap, sizeof(*q->ring));
	if (!q->ring) {
		free(q);
		return -ENOMEM;
	}
	q->cap = cap;
	q->batch = cap / 2 < WQUEUE_BATCH ? (cap / 2 ? cap / 2 : 1) : WQUEUE_BATCH;
	q->process = process;
	q->ud = ud;
	pthread_mutex_init(&q->lock, NULL);
	pthread_cond_init(&q->cond, NULL);
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	r = pthread_create(&q->thread, NULL, worker, q);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (r != 0) {
		destroy(q);
		return -r;
	}
	*ret = q;
	return 0;
}

bool wqueue_push(struct wqueue *q, void *item)
{
	bool ok = false;

	pthread_mutex_lock(&q->lock);
	if (!q->closing && q->count < q->cap) {
		q->ring[(q->head + q->count) % q->cap] = item;
		q->count++;
		ok = true;
		if (q->count >= q->batch)
			pthread_cond_signal(&q->cond);
	}
	pthread_mutex_unlock(&q->lock);
	return ok;
}

size_t wqueue_depth(struct wqueue *q)
{
	size_t n;

	pthread_mutex_lock(&q->lock);
	n = q->count;
	pthread_mutex_unlock(&q->lock);
	return n;
}

void wqueue_free(struct wqueue *q)
{
	if (!q)
		return;
	pthread_mutex_lock(&q->lock);
	q->closing = true;
	pthread_cond_signal(&q->cond);
	pthread_mutex_unlock(&q->lock);
	pthread_join(q->thread, NULL);
	destroy(q);
}
