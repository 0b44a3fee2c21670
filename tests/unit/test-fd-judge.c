/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * procexe_fd_load(): an open file judged by the process-image rules, on
 * files this test makes: linked (ok), unlinked (deleted), another file
 * renamed over its name (replaced), linked under another name only
 * (unlinked), a memfd (fileless); directories are refused.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "procexe.h"

struct fixture {
	struct procexe_ctx *ctx;
	char dir[64], a[96], b[96];
	int fd;
};

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	assert_non_null(fx);
	assert_int_equal(procexe_ctx_new(NULL, &fx->ctx), 0);
	strcpy(fx->dir, "/tmp/pe-fdjudge.XXXXXX");
	assert_non_null(mkdtemp(fx->dir));
	snprintf(fx->a, sizeof(fx->a), "%s/a", fx->dir);
	snprintf(fx->b, sizeof(fx->b), "%s/b", fx->dir);
	fx->fd = open(fx->a, O_CREAT | O_RDWR | O_CLOEXEC, 0755);
	assert_true(fx->fd >= 0);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	close(fx->fd);
	unlink(fx->a);
	unlink(fx->b);
	rmdir(fx->dir);
	procexe_ctx_free(fx->ctx);
	free(fx);
	return 0;
}

/* The state of FD, and its image's launch path checked against WANT_PATH
 * (NULL: not checked). */
static enum procexe_state judge(struct fixture *fx, int fd, const char *want_path)
{
	struct procexe_image img = { .sz = sizeof(img) };
	struct procexe_proc *p = NULL;
	enum procexe_state s;

	assert_int_equal(procexe_fd_load(fx->ctx, fd, &p), 0);
	assert_int_equal(procexe_proc_pid(p), 0);
	assert_int_equal(procexe_proc_image(p, false, &img), 0);
	if (want_path) {
		assert_int_equal(img.launch_path_len, strlen(want_path));
		assert_memory_equal(img.launch_path, want_path, img.launch_path_len);
	}
	s = procexe_proc_state(p);
	procexe_proc_free(p);
	return s;
}

static void linked_is_ok(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(judge(fx, fx->fd, fx->a), PROCEXE_STATE_OK);
}

static void unlinked_is_deleted(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(unlink(fx->a), 0);
	assert_int_equal(judge(fx, fx->fd, fx->a), PROCEXE_STATE_DELETED);
}

static void renamed_over_is_replaced(void **state)
{
	struct fixture *fx = *state;
	int fd = open(fx->b, O_CREAT | O_WRONLY | O_CLOEXEC, 0755);

	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(rename(fx->b, fx->a), 0);
	assert_int_equal(judge(fx, fx->fd, fx->a), PROCEXE_STATE_REPLACED);
}

static void other_name_is_unlinked(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(link(fx->a, fx->b), 0);
	assert_int_equal(unlink(fx->a), 0);
	assert_int_equal(judge(fx, fx->fd, fx->a), PROCEXE_STATE_UNLINKED);
}

static void memfd_is_fileless(void **state)
{
	struct fixture *fx = *state;
	int fd = memfd_create("pe-fdjudge", MFD_CLOEXEC);

	assert_true(fd >= 0);
	assert_int_equal(judge(fx, fd, NULL), PROCEXE_STATE_FILELESS);
	close(fd);
}

static void directory_refused(void **state)
{
	struct fixture *fx = *state;
	struct procexe_proc *p = NULL;
	int fd = open(fx->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	assert_true(fd >= 0);
	assert_int_equal(procexe_fd_load(fx->ctx, fd, &p), -EINVAL);
	assert_null(p);
	assert_int_equal(procexe_fd_load(fx->ctx, -1, &p), -EINVAL);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(linked_is_ok, setup, teardown),
		cmocka_unit_test_setup_teardown(unlinked_is_deleted, setup, teardown),
		cmocka_unit_test_setup_teardown(renamed_over_is_replaced, setup, teardown),
		cmocka_unit_test_setup_teardown(other_name_is_unlinked, setup, teardown),
		cmocka_unit_test_setup_teardown(memfd_is_fileless, setup, teardown),
		cmocka_unit_test_setup_teardown(directory_refused, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
