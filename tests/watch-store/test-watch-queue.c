/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * src/watch-queue.c: items reach the worker in push order, each once; a
 * full queue refuses the item (and leaves it to the caller) without
 * waiting; wqueue_free() lets the worker process everything still queued
 * before it returns.  A gate holds the worker inside PROCESS so that the
 * queue's fill level is known exactly; every wait is a bounded poll.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <cmocka.h>

#include "watch-queue.h"

#define MAX_SEEN 4096

struct sink {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool gate_open;
	size_t n;
	intptr_t seen[MAX_SEEN];
};

static void process(void *item, void *ud)
{
	struct sink *s = ud;

	pthread_mutex_lock(&s->lock);
	while (!s->gate_open)
		pthread_cond_wait(&s->cond, &s->lock);
	if (s->n < MAX_SEEN)
		s->seen[s->n] = (intptr_t)item;
	s->n++;
	pthread_mutex_unlock(&s->lock);
}

static void sink_init(struct sink *s, bool open)
{
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->cond, NULL);
	s->gate_open = open;
	s->n = 0;
}

static void gate_open(struct sink *s)
{
	pthread_mutex_lock(&s->lock);
	s->gate_open = true;
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->lock);
}

/* Wait (10 s at most) until the worker took every queued item. */
static void wait_taken(struct wqueue *q)
{
	struct timespec ms = { 0, 1000000 };

	for (int i = 0; i < 10000 && wqueue_depth(q) > 0; i++)
		nanosleep(&ms, NULL);
	assert_int_equal(wqueue_depth(q), 0);
}

static void test_full_refuses_and_free_drains(void **state)
{
	static struct sink s;
	struct wqueue *q = NULL;

	sink_init(&s, false);
	assert_int_equal(wqueue_new(4, process, &s, &q), 0);
	assert_true(wqueue_push(q, (void *)1));
	wait_taken(q);                  /* the worker holds item 1 at the gate */
	for (intptr_t i = 2; i <= 5; i++)
		assert_true(wqueue_push(q, (void *)i));
	assert_int_equal(wqueue_depth(q), 4);
	assert_false(wqueue_push(q, (void *)6));
	assert_false(wqueue_push(q, (void *)7));
	assert_int_equal(wqueue_depth(q), 4);
	gate_open(&s);
	wqueue_free(q);                 /* returns only when 2..5 are processed */
	assert_int_equal(s.n, 5);
	for (size_t i = 0; i < 5; i++)
		assert_int_equal(s.seen[i], (intptr_t)i + 1);
}

/* Thousands of items through a small ring (wrapping many times): order kept. */
static void test_order_kept(void **state)
{
	static struct sink s;
	struct wqueue *q = NULL;
	struct timespec us = { 0, 100000 };
	size_t refused = 0;

	sink_init(&s, true);
	assert_int_equal(wqueue_new(3, process, &s, &q), 0);
	for (intptr_t i = 0; i < 3000; i++) {
		while (!wqueue_push(q, (void *)i)) {
			refused++;
			nanosleep(&us, NULL);
			assert_true(refused < 1000000);
		}
	}
	wqueue_free(q);
	assert_int_equal(s.n, 3000);
	for (size_t i = 0; i < 3000; i++)
		assert_int_equal(s.seen[i], (intptr_t)i);
}

static void test_invalid(void **state)
{
	static struct sink s;
	struct wqueue *q = NULL;

	sink_init(&s, true);
	assert_int_equal(wqueue_new(0, process, &s, &q), -EINVAL);
	assert_int_equal(wqueue_new(1, NULL, &s, &q), -EINVAL);
	assert_null(q);
	wqueue_free(NULL);
	/* Freed with nothing queued: the idle worker is woken and joined. */
	assert_int_equal(wqueue_new(1, process, &s, &q), 0);
	wqueue_free(q);
	assert_int_equal(s.n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_refuses_and_free_drains),
		cmocka_unit_test(test_order_kept),
		cmocka_unit_test(test_invalid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
