/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The name functions of the flag sets and of the incomplete reasons: every
 * bit named, the names distinct, NULL for 0, several bits and unknown bits;
 * procexe_proc_incomplete() on synthetic records.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "internal.h"

typedef const char *(*name_fn)(unsigned bit);

/* Every bit of ALL has a distinct name, WANT[i] for the i-th bit in
 * order; no other bit has one; 0 and pairs of bits have none. */
static void check_set(name_fn fn, unsigned all, const char *const *want, size_t n)
{
	size_t k = 0;

	for (unsigned i = 0; i < 32; i++) {
		unsigned bit = 1u << i;
		const char *name = fn(bit);

		if (!(all & bit)) {
			assert_null(name);
			continue;
		}
		assert_true(k < n);
		assert_non_null(name);
		assert_string_equal(name, want[k]);
		/* round trip: the name leads back to this bit only */
		for (unsigned j = 0; j < 32; j++)
			if (j != i && fn(1u << j))
				assert_string_not_equal(fn(1u << j), name);
		k++;
	}
	assert_int_equal(k, n);
	assert_null(fn(0));
	assert_null(fn(~0u));
	for (unsigned i = 0; i < 31; i++)
		assert_null(fn((1u << i) | (1u << (i + 1))));
	assert_null(fn(all));
}

static void test_pf_names(void **state)
{
	static const char *const want[] = {
		"modified", "loader", "path-too-long", "other-root", "suffix", "not-mapped",
	};

	check_set(procexe_pf_name,
	          PROCEXE_PF_MODIFIED | PROCEXE_PF_LOADER | PROCEXE_PF_PATH_TOOLONG |
	          PROCEXE_PF_OTHER_ROOT | PROCEXE_PF_SUFFIX | PROCEXE_PF_NOT_MAPPED,
	          want, PE_ARRAY_SIZE(want));
	assert_string_equal(procexe_pf_name(PROCEXE_PF_PATH_TOOLONG), "path-too-long");
	assert_string_equal(procexe_pf_name(PROCEXE_PF_NOT_MAPPED), "not-mapped");
}

static void test_path_flag_names(void **state)
{
	static const char *const want[] = {
		"deleted", "replaced", "loader", "fileless",
		"unverified", "unlinked", "unreachable", "repointed",
	};

	check_set(procexe_path_flag_name,
	          PROCEXE_DELETED | PROCEXE_REPLACED | PROCEXE_LOADER | PROCEXE_FILELESS |
	          PROCEXE_UNVERIFIED | PROCEXE_UNLINKED | PROCEXE_UNREACHABLE |
	          PROCEXE_REPOINTED,
	          want, PE_ARRAY_SIZE(want));
	assert_string_equal(procexe_path_flag_name(PROCEXE_REPOINTED), "repointed");
	assert_null(procexe_path_flag_name(PROCEXE_DELETED | PROCEXE_UNVERIFIED));
}

static void test_attention_names(void **state)
{
	static const char *const want[] = {
		"image", "modified", "mapped", "mapped-fileless", "incomplete",
	};

	check_set(procexe_attention_name,
	          PROCEXE_ATTN_IMAGE | PROCEXE_ATTN_MODIFIED | PROCEXE_ATTN_MAPPED |
	          PROCEXE_ATTN_MAPPED_FILELESS | PROCEXE_ATTN_INCOMPLETE,
	          want, PE_ARRAY_SIZE(want));
	assert_string_equal(procexe_attention_name(PROCEXE_ATTN_MAPPED_FILELESS),
	                    "mapped-fileless");
}

static void test_incomplete_names(void **state)
{
	assert_null(procexe_incomplete_name(PROCEXE_INCOMPLETE_NONE));
	assert_string_equal(procexe_incomplete_name(PROCEXE_INCOMPLETE_TIMEOUT), "timeout");
	assert_string_equal(procexe_incomplete_name(PROCEXE_INCOMPLETE_UNREADABLE), "unreadable");
	assert_string_equal(procexe_incomplete_name(PROCEXE_INCOMPLETE_MAPS), "maps-incomplete");
	assert_null(procexe_incomplete_name(_PROCEXE_INCOMPLETE_MAX));
	assert_null(procexe_incomplete_name((enum procexe_incomplete)-1));
}

static struct procexe_proc rec(enum procexe_state s)
{
	return (struct procexe_proc){ .pid = 42, .state = s, .exe = { .have_stat = true } };
}

/* The reasons of src/output.c's unseen_reason(), from the one verdict. */
static void test_proc_incomplete(void **state)
{
	struct procexe_proc p;

	assert_int_equal(procexe_proc_incomplete(NULL), PROCEXE_INCOMPLETE_NONE);
	for (enum procexe_state s = 0; s < _PROCEXE_STATE_MAX; s++) {
		p = rec(s);
		assert_int_equal(procexe_proc_incomplete(&p), PROCEXE_INCOMPLETE_NONE);
	}
	/* given up on / unreadable: no facts read */
	p = rec(PROCEXE_STATE_UNREACHABLE);
	p.exe.have_stat = false;
	p.err = ETIMEDOUT;
	assert_int_equal(procexe_proc_incomplete(&p), PROCEXE_INCOMPLETE_TIMEOUT);
	p.err = EIO;
	assert_int_equal(procexe_proc_incomplete(&p), PROCEXE_INCOMPLETE_UNREADABLE);
	/* ... whatever its mapping list says */
	p.maps_err = E2BIG;
	assert_int_equal(procexe_proc_incomplete(&p), PROCEXE_INCOMPLETE_UNREADABLE);
	/* unreachable with its facts read: seen whole */
	p = rec(PROCEXE_STATE_UNREACHABLE);
	p.err = EIO;
	assert_int_equal(procexe_proc_incomplete(&p), PROCEXE_INCOMPLETE_NONE);
	/* ... but its mapping list may be incomplete: then its errno
	 * decides, as for a record with no facts */
	p.maps_err = ETIMEDOUT;
	assert_int_equal(procexe_proc_incomplete(&p), PROCEXE_INCOMPLETE_UNREADABLE);
	p.err = 0;
	assert_int_equal(procexe_proc_incomplete(&p), PROCEXE_INCOMPLETE_MAPS);
	/* an incomplete mapping list, any state but denied */
	for (enum procexe_state s = 0; s < _PROCEXE_STATE_MAX; s++) {
		p = rec(s);
		p.maps_err = E2BIG;
		assert_int_equal(procexe_proc_incomplete(&p),
		                 s == PROCEXE_STATE_DENIED ? PROCEXE_INCOMPLETE_NONE
		                                           : PROCEXE_INCOMPLETE_MAPS);
	}
	/* a denied process with an errno is not "unread" */
	p = rec(PROCEXE_STATE_DENIED);
	p.exe.have_stat = false;
	p.err = EACCES;
	assert_int_equal(procexe_proc_incomplete(&p), PROCEXE_INCOMPLETE_NONE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pf_names),
		cmocka_unit_test(test_path_flag_names),
		cmocka_unit_test(test_attention_names),
		cmocka_unit_test(test_incomplete_names),
		cmocka_unit_test(test_proc_incomplete),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
