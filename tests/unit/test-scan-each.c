/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * procexe_scan_each(): records in PID order, each once, from the calling
 * thread; kept records are the caller's; a negative return stops the
 * scan; named PIDs that do not exist are counted as vanished.  Runs on
 * children of its own (more than the read-ahead window), never on others.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "procexe.h"

#define NCHILD 600      /* > the 256-record window of lib/scan.c */

static pid_t children[NCHILD];
static pid_t gone;      /* a PID that exited and was reaped */
static int release_fd = -1;

static int cmp_pid(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return (x > y) - (x < y);
}

/* NCHILD children blocked on a pipe until teardown closes its end. */
static int setup(void **state)
{
	int fds[2];

	if (pipe(fds) < 0)
		return -1;
	for (size_t i = 0; i < NCHILD; i++) {
		pid_t pid = fork();
		char c;

		if (pid < 0)
			return -1;
		if (pid == 0) {
			close(fds[1]);
			while (read(fds[0], &c, 1) < 0 && errno == EINTR)
				;
			_exit(0);
		}
		children[i] = pid;
	}
	close(fds[0]);
	release_fd = fds[1];
	gone = fork();
	if (gone < 0)
		return -1;
	if (gone == 0)
		_exit(0);
	waitpid(gone, NULL, 0);
	qsort(children, NCHILD, sizeof(*children), cmp_pid);
	return 0;
}

static int teardown(void **state)
{
	close(release_fd);
	for (size_t i = 0; i < NCHILD; i++)
		waitpid(children[i], NULL, 0);
	return 0;
}

struct seen {
	pthread_t caller;
	pid_t *pids;
	size_t n, cap;
	bool in_order, same_thread;
	size_t stop_at;                 /* return -ECANCELED on this call (1-based) */
	struct procexe_proc **kept;     /* every other record, PROCEXE_SCAN_KEEP */
	size_t nkept;
	bool keep;
};

static int on_record(struct procexe_proc *proc, void *userdata)
{
	struct seen *s = userdata;
	pid_t pid = procexe_proc_pid(proc);

	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 1024;
		s->pids = realloc(s->pids, s->cap * sizeof(*s->pids));
		assert_non_null(s->pids);
	}
	if (s->n && s->pids[s->n - 1] >= pid)
		s->in_order = false;
	if (!pthread_equal(pthread_self(), s->caller))
		s->same_thread = false;
	s->pids[s->n++] = pid;
	if (s->stop_at && s->n == s->stop_at)
		return -ECANCELED;
	if (s->keep && s->n % 2) {
		s->kept[s->nkept++] = proc;
		return PROCEXE_SCAN_KEEP;
	}
	return 0;
}

static struct procexe_ctx *new_ctx(void)
{
	struct procexe_ctx *ctx = NULL;

	assert_int_equal(procexe_ctx_new(NULL, &ctx), 0);
	procexe_ctx_set_threads(ctx, 4);
	return ctx;
}

/* The named PIDs in reverse order, some twice, one gone: each child
 * once, in PID order, from this thread; the gone one counted vanished. */
static void test_named_order_once(void **state)
{
	struct procexe_scan_stats st = { .sz = sizeof(st) };
	struct seen s = { .caller = pthread_self(), .in_order = true, .same_thread = true };
	struct procexe_ctx *ctx = new_ctx();
	pid_t named[NCHILD + 11];
	size_t n = 0;

	for (size_t i = NCHILD; i-- > 0;)
		named[n++] = children[i];
	for (size_t i = 0; i < 10; i++)
		named[n++] = children[i * 37];
	named[n++] = gone;
	assert_int_equal(procexe_scan_each(ctx, named, n, PROCEXE_ALL_STATES, on_record, &s, &st),
	                 0);
	assert_true(s.in_order);
	assert_true(s.same_thread);
	assert_int_equal(s.n, NCHILD);
	assert_memory_equal(s.pids, children, sizeof(children));
	assert_int_equal(st.ndelivered, NCHILD);
	assert_int_equal(st.nvanished, 1);
	assert_int_equal(st.ngiven_up, 0);
	free(s.pids);
	procexe_ctx_free(ctx);
}

/* The whole procfs: ascending PIDs, ours among them, each once. */
static void test_all_order(void **state)
{
	struct seen s = { .caller = pthread_self(), .in_order = true, .same_thread = true };
	struct procexe_ctx *ctx = new_ctx();
	size_t found = 0;

	assert_int_equal(procexe_scan_each(ctx, NULL, 0, 0, on_record, &s, NULL), 0);
	assert_true(s.in_order);
	assert_true(s.same_thread);
	for (size_t i = 0; i < NCHILD; i++)
		if (bsearch(&children[i], s.pids, s.n, sizeof(*s.pids), cmp_pid))
			found++;
	assert_int_equal(found, NCHILD);
	free(s.pids);
	procexe_ctx_free(ctx);
}

/* Kept records are the caller's and stay valid after the scan. */
static void test_keep(void **state)
{
	struct procexe_proc *kept[NCHILD];
	struct seen s = { .caller = pthread_self(), .in_order = true, .same_thread = true,
	                  .kept = kept, .keep = true };
	struct procexe_ctx *ctx = new_ctx();

	assert_int_equal(procexe_scan_each(ctx, children, NCHILD, PROCEXE_ALL_STATES,
	                                   on_record, &s, NULL), 0);
	assert_int_equal(s.nkept, NCHILD / 2);
	for (size_t i = 0; i < s.nkept; i++) {
		assert_int_equal(procexe_proc_pid(kept[i]), children[2 * i]);
		procexe_proc_free(kept[i]);
	}
	free(s.pids);
	procexe_ctx_free(ctx);
}

/* A negative return stops the scan: no further call, that value back. */
static void test_stop(void **state)
{
	struct procexe_scan_stats st = { .sz = sizeof(st) };
	struct seen s = { .caller = pthread_self(), .in_order = true, .same_thread = true,
	                  .stop_at = 10 };
	struct procexe_ctx *ctx = new_ctx();

	assert_int_equal(procexe_scan_each(ctx, children, NCHILD, PROCEXE_ALL_STATES,
	                                   on_record, &s, &st), -ECANCELED);
	assert_int_equal(s.n, 10);
	assert_int_equal(st.ndelivered, 10);
	assert_memory_equal(s.pids, children, 10 * sizeof(*children));
	/* the context still scans */
	free(s.pids);
	s = (struct seen){ .caller = pthread_self(), .in_order = true, .same_thread = true };
	assert_int_equal(procexe_scan_each(ctx, children, NCHILD, 0, on_record, &s, NULL), 0);
	assert_int_equal(s.n, NCHILD);
	free(s.pids);
	procexe_ctx_free(ctx);
}

/* procexe_scan() is the same scan, kept. */
static void test_list_same(void **state)
{
	struct procexe_ctx *ctx = new_ctx();
	struct procexe_list *list = NULL;
	pid_t named[NCHILD + 1];

	memcpy(named, children, sizeof(children));
	named[NCHILD] = gone;
	assert_int_equal(procexe_scan(ctx, named, NCHILD + 1, 0, &list), 0);
	assert_int_equal(procexe_list_count(list), NCHILD);
	assert_int_equal(procexe_list_vanished(list), 1);
	for (size_t i = 0; i < NCHILD; i++)
		assert_int_equal(procexe_proc_pid(procexe_list_get(list, i)), children[i]);
	procexe_list_free(list);
	procexe_ctx_free(ctx);
}

static void test_einval(void **state)
{
	struct procexe_scan_stats st = { .sz = sizeof(st) - 1 };
	struct procexe_ctx *ctx = new_ctx();
	struct seen s = { 0 };

	assert_int_equal(procexe_scan_each(ctx, children, 1, 0, NULL, NULL, NULL), -EINVAL);
	assert_int_equal(procexe_scan_each(NULL, children, 1, 0, on_record, &s, NULL), -EINVAL);
	assert_int_equal(procexe_scan_each(ctx, NULL, 1, 0, on_record, &s, NULL), -EINVAL);
	assert_int_equal(procexe_scan_each(ctx, children, 1, 0, on_record, &s, &st), -EINVAL);
	assert_int_equal(s.n, 0);
	procexe_ctx_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_named_order_once),
		cmocka_unit_test(test_all_order),
		cmocka_unit_test(test_keep),
		cmocka_unit_test(test_stop),
		cmocka_unit_test(test_list_same),
		cmocka_unit_test(test_einval),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
