/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * SHA-256 on a second thread: the caller reads data into the pipe's
 * buffers and goes on with other work (writing the same bytes out) while
 * a helper thread hashes them, in order.  A small ring of buffers bounds
 * the memory and keeps the data in cache between the read and the hash.
 * When the ring is full the caller's thread hashes the oldest buffer itself
 * (if the helper is not hashing one at that moment), so that a helper
 * thread kept off the CPU by a busy machine never stalls the copy for
 * long.  Without a thread (pthread_create failed) the caller's thread
 * hashes each buffer as it is handed over: slower, same result.
 */
#include <pthread.h>
#include <signal.h>

#include "internal.h"

#define PIPE_SLOTS PE_HASH_PIPE_SLOTS

struct pipe_item {
	unsigned char *buf;     /* PIPE's buffer of the slot; NULL: LEN zeros */
	uint64_t len;
};

struct pe_hash_pipe {
	struct pe_sha256 *md;
	unsigned char *mem;     /* PIPE_SLOTS buffers of slot_size bytes, borrowed */
	size_t slot_size;
	pthread_mutex_t lock;
	pthread_cond_t cond;    /* any change of count, err or closed */
	struct pipe_item items[PIPE_SLOTS];
	unsigned head;          /* next slot to hand over */
	unsigned tail;          /* next slot to hash */
	unsigned count;         /* handed over, not yet hashed */
	bool hashing;           /* a thread is hashing the item at tail */
	bool closed;            /* no more items */
	int err;                /* first hashing error */
	bool threaded;
	pthread_t thread;
};

int pe_thread_start(pthread_t *t, void *(*fn)(void *), void *arg)
{
	sigset_t all, old;
	int r;

	/* Signals stay with the caller's threads. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	r = pthread_create(t, NULL, fn, arg);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return -r;
}

static int hash_item(struct pe_sha256 *md, const struct pipe_item *it)
{
	static const unsigned char zeros[65536];
	uint64_t len = it->len;

	if (it->buf)
		return pe_sha256_update(md, it->buf, (size_t)len);
	while (len > 0) {
		size_t n = len < sizeof(zeros) ? (size_t)len : sizeof(zeros);

		if (pe_sha256_update(md, zeros, n) < 0)
			return -EIO;
		len -= n;
	}
	return 0;
}

/* Hash the item at tail (count > 0, !hashing); called and returns with
 * the lock held, which it drops meanwhile. */
static void hash_next_locked(struct pe_hash_pipe *p)
{
	struct pipe_item it = p->items[p->tail];
	int r = 0;

	p->hashing = true;
	pthread_mutex_unlock(&p->lock);
	if (!p->err)    /* written only while hashing, under the lock */
		r = hash_item(p->md, &it);
	pthread_mutex_lock(&p->lock);
	if (r < 0)
		p->err = r;
	p->tail = (p->tail + 1) % PIPE_SLOTS;
	p->count--;
	p->hashing = false;
	pthread_cond_broadcast(&p->cond);
}

static void *hasher(void *arg)
{
	struct pe_hash_pipe *p = arg;

	pthread_mutex_lock(&p->lock);
	for (;;) {
		if (p->count > 0 && !p->hashing)
			hash_next_locked(p);
		else if (p->closed && p->count == 0)
			break;
		else
			pthread_cond_wait(&p->cond, &p->lock);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

int pe_hash_pipe_new(unsigned char *mem, size_t slot_size, struct pe_hash_pipe **ret)
{
	struct pe_hash_pipe *p;
	int r;

	if (!mem || slot_size == 0)
		return -EINVAL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->mem = mem;
	p->slot_size = slot_size;
	r = pe_sha256_new(&p->md);
	if (r < 0) {
		free(p);
		return r;
	}
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->cond, NULL);
	p->threaded = pe_thread_start(&p->thread, hasher, p) == 0;
	*ret = p;
	return 0;
}

/* Wait for the slot at head to be free: 0, or the hashing error. */
static int wait_free(struct pe_hash_pipe *p)
{
	int r;

	pthread_mutex_lock(&p->lock);
	while (p->count == PIPE_SLOTS && !p->err) {
		if (!p->hashing)
			hash_next_locked(p);
		else
			pthread_cond_wait(&p->cond, &p->lock);
	}
	r = p->err;
	pthread_mutex_unlock(&p->lock);
	return r;
}

int pe_hash_pipe_buffer(struct pe_hash_pipe *p, unsigned char **ret)
{
	int r = p->threaded ? wait_free(p) : p->err;

	if (r < 0)
		return r;
	*ret = p->mem + (size_t)p->head * p->slot_size;
	return 0;
}

static int hand_over(struct pe_hash_pipe *p, unsigned char *buf, uint64_t len)
{
	struct pipe_item it = { .buf = buf, .len = len };
	int r;

	if (!p->threaded) {
		r = p->err ? p->err : hash_item(p->md, &it);
		p->err = r;
		return r;
	}
	r = wait_free(p);
	if (r < 0)
		return r;
	pthread_mutex_lock(&p->lock);
	p->items[p->head] = it;
	p->head = (p->head + 1) % PIPE_SLOTS;
	p->count++;
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->lock);
	return 0;
}

int pe_hash_pipe_put(struct pe_hash_pipe *p, size_t len)
{
	if (len > p->slot_size)
		return -EINVAL;
	return hand_over(p, p->mem + (size_t)p->head * p->slot_size, len);
}

int pe_hash_pipe_zeros(struct pe_hash_pipe *p, uint64_t len)
{
	return hand_over(p, NULL, len);
}

/* Hash everything handed over (helping the hasher), then stop it. */
static void close_pipe(struct pe_hash_pipe *p)
{
	if (!p->threaded)
		return;
	pthread_mutex_lock(&p->lock);
	p->closed = true;
	pthread_cond_broadcast(&p->cond);
	while (p->count > 0) {
		if (!p->hashing)
			hash_next_locked(p);
		else
			pthread_cond_wait(&p->cond, &p->lock);
	}
	pthread_mutex_unlock(&p->lock);
	pthread_join(p->thread, NULL);
	p->threaded = false;
}

int pe_hash_pipe_finish(struct pe_hash_pipe *p, unsigned char out[32])
{
	close_pipe(p);
	if (p->err)
		return p->err;
	return pe_sha256_final(p->md, out);
}

void pe_hash_pipe_free(struct pe_hash_pipe *p)
{
	if (!p)
		return;
	close_pipe(p);
	pthread_cond_destroy(&p->cond);
	pthread_mutex_destroy(&p->lock);
	pe_sha256_free(p->md);
	free(p);
}
