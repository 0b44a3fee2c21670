/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* procexe_proc_attention(): the one verdict, from synthetic records. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "internal.h"

static struct procexe_proc rec(enum procexe_state s)
{
	return (struct procexe_proc){ .pid = 42, .state = s, .exe = { .have_stat = true } };
}

static void test_image(void **state)
{
	static const enum procexe_state flagged[] = {
		PROCEXE_STATE_FILELESS, PROCEXE_STATE_DELETED, PROCEXE_STATE_REPLACED,
		PROCEXE_STATE_UNLINKED, PROCEXE_STATE_REPOINTED, PROCEXE_STATE_UNREACHABLE,
	};
	static const enum procexe_state quiet[] = {
		PROCEXE_STATE_OK, PROCEXE_STATE_KERNEL, PROCEXE_STATE_ZOMBIE, PROCEXE_STATE_DENIED,
	};
	struct procexe_proc p;

	for (size_t i = 0; i < PE_ARRAY_SIZE(flagged); i++) {
		p = rec(flagged[i]);
		assert_int_equal(procexe_proc_attention(&p), PROCEXE_ATTN_IMAGE);
	}
	for (size_t i = 0; i < PE_ARRAY_SIZE(quiet); i++) {
		p = rec(quiet[i]);
		assert_int_equal(procexe_proc_attention(&p), 0);
	}
	p = rec(PROCEXE_STATE_OK);
	p.flags = PROCEXE_PF_MODIFIED;
	assert_int_equal(procexe_proc_attention(&p), PROCEXE_ATTN_MODIFIED);
	assert_int_equal(procexe_proc_attention(NULL), 0);
}

static void test_mapped(void **state)
{
	struct pe_mapfile maps[3] = {
		{ .state = PROCEXE_MAP_OK },
		{ .state = PROCEXE_MAP_FILELESS, .flags = 0 },          /* data only */
		{ .state = PROCEXE_MAP_UNKNOWN },
	};
	struct procexe_proc p = rec(PROCEXE_STATE_OK);

	p.maps = maps;
	p.nmaps = 3;
	assert_int_equal(procexe_proc_attention(&p), 0);
	maps[1].flags = PROCEXE_MF_EXEC;
	assert_int_equal(procexe_proc_attention(&p), PROCEXE_ATTN_MAPPED_FILELESS);
	for (enum procexe_map_state s = PROCEXE_MAP_DELETED; s <= PROCEXE_MAP_MODIFIED; s++) {
		maps[2].state = s;
		assert_int_equal(procexe_proc_attention(&p),
		                 PROCEXE_ATTN_MAPPED_FILELESS | PROCEXE_ATTN_MAPPED);
	}
}

/* The script of an interpreter counts as a mapped file: one verdict. */
static void test_script(void **state)
{
	struct pe_mapfile maps[1] = {
		{ .state = PROCEXE_MAP_OK, .flags = PROCEXE_MF_SCRIPT },
	};
	struct procexe_proc p = rec(PROCEXE_STATE_OK);

	p.maps = maps;
	p.nmaps = 1;
	assert_int_equal(procexe_proc_attention(&p), 0);
	for (enum procexe_map_state s = PROCEXE_MAP_DELETED; s <= PROCEXE_MAP_MODIFIED; s++) {
		maps[0].state = s;
		assert_int_equal(procexe_proc_attention(&p), PROCEXE_ATTN_MAPPED);
	}
	maps[0].state = PROCEXE_MAP_UNKNOWN;
	assert_int_equal(procexe_proc_attention(&p), 0);
}

/* Not seen whole: given up on, or an incomplete list of mapped files. */
static void test_incomplete(void **state)
{
	struct procexe_proc p = rec(PROCEXE_STATE_UNREACHABLE);

	p.exe.have_stat = false;
	p.err = ETIMEDOUT;
	assert_int_equal(procexe_proc_attention(&p), PROCEXE_ATTN_IMAGE | PROCEXE_ATTN_INCOMPLETE);
	p = rec(PROCEXE_STATE_OK);
	p.maps_err = E2BIG;
	assert_int_equal(procexe_proc_attention(&p), PROCEXE_ATTN_INCOMPLETE);
	/* an image that is unreachable with its facts read is seen whole */
	p = rec(PROCEXE_STATE_UNREACHABLE);
	assert_int_equal(procexe_proc_attention(&p), PROCEXE_ATTN_IMAGE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_image),
		cmocka_unit_test(test_mapped),
		cmocka_unit_test(test_script),
		cmocka_unit_test(test_incomplete),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
