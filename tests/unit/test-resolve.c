/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The resolver on ourselves: what stands at a name (the same file, another
 * one, nothing), from the reader's root and from the process's own root,
 * answered the same way with and without the cache; texts that are no
 * absolute path are never looked up.
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
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <cmocka.h>

#include "internal.h"

struct fixture {
	struct procexe_ctx *ctx;
	struct pe_cache *cache;
	char dir[64], a[96], b[96];
	uint64_t dev, ino, mnt_id;
};

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	struct statx stx;
	int fd;

	assert_non_null(fx);
	assert_int_equal(procexe_ctx_new(NULL, &fx->ctx), 0);
	fx->cache = pe_cache_new();
	strcpy(fx->dir, "/tmp/pe-resolve.XXXXXX");
	assert_non_null(mkdtemp(fx->dir));
	snprintf(fx->a, sizeof(fx->a), "%s/a", fx->dir);
	snprintf(fx->b, sizeof(fx->b), "%s/b", fx->dir);
	fd = open(fx->a, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	close(fd);
	fd = open(fx->b, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(statx(AT_FDCWD, fx->a, 0, STATX_INO | STATX_MNT_ID, &stx), 0);
	fx->dev = makedev(stx.stx_dev_major, stx.stx_dev_minor);
	fx->ino = stx.stx_ino;
	fx->mnt_id = (stx.stx_mask & STATX_MNT_ID) ? stx.stx_mnt_id : 0;
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	unlink(fx->a);
	unlink(fx->b);
	rmdir(fx->dir);
	pe_cache_free(fx->cache);
	procexe_ctx_free(fx->ctx);
	free(fx);
	return 0;
}

static enum pe_lookup resolve(struct fixture *fx, struct pe_cache *cache, const char *text,
                              size_t len, uint64_t mnt_id)
{
	struct pe_reader rd;
	struct pe_found found;

	assert_int_equal(pe_reader_open(&rd, fx->ctx, cache, "self"), 0);
	assert_int_equal(pe_resolve(&rd, text, len, fx->dev, fx->ino, mnt_id, &found), 0);
	pe_reader_close(&rd);
	if (found.r == PE_LOOKUP_SAME)
		assert_true(found.t.m > 0);     /* times come with the answer */
	return found.r;
}

static void test_same_other_absent(void **state)
{
	struct fixture *fx = *state;
	char gone[128];

	snprintf(gone, sizeof(gone), "%s/gone", fx->dir);
	for (int cached = 0; cached < 2; cached++) {
		struct pe_cache *c = cached ? fx->cache : NULL;

		for (int round = 0; round < 2; round++) {   /* the cache answers alike */
			/* mount id known (ours), unknown (0: by namespace) */
			assert_int_equal(resolve(fx, c, fx->a, strlen(fx->a), fx->mnt_id), PE_LOOKUP_SAME);
			assert_int_equal(resolve(fx, c, fx->a, strlen(fx->a), 0), PE_LOOKUP_SAME);
			assert_int_equal(resolve(fx, c, fx->b, strlen(fx->b), 0), PE_LOOKUP_DIFFERENT);
			assert_int_equal(resolve(fx, c, gone, strlen(gone), 0), PE_LOOKUP_ABSENT);
		}
	}
	/* a mount id the reader does not have: looked up inside the process's
	 * root only (ours is "/": the same answer) */
	assert_int_equal(resolve(fx, fx->cache, fx->a, strlen(fx->a), UINT64_MAX - 1),
	                 PE_LOOKUP_SAME);
}

static void test_not_a_path(void **state)
{
	struct fixture *fx = *state;
	char nul[128];
	size_t len = strlen(fx->a);

	memcpy(nul, fx->a, len);
	nul[4] = '\0';
	assert_int_equal(resolve(fx, fx->cache, "tmp/x", 5, 0), PE_LOOKUP_UNKNOWN);
	assert_int_equal(resolve(fx, fx->cache, "", 0, 0), PE_LOOKUP_UNKNOWN);
	assert_int_equal(resolve(fx, fx->cache, nul, len, 0), PE_LOOKUP_UNKNOWN);
	/* a prefix of the text only: LEN bytes count, not the NUL */
	assert_int_equal(resolve(fx, fx->cache, fx->a, strlen(fx->dir), 0), PE_LOOKUP_DIFFERENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_other_absent),
		cmocka_unit_test(test_not_a_path),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
