/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The state decision, driven by synthetic facts and fake probes. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "internal.h"

/* What the fake world holds at a path, and what the probes answer. */
struct fake {
	const char *paths[4];
	enum pe_lookup answers[4];
	int reachable;          /* mount_reachable answer */
	int mapped;             /* image_mapped answer */
	unsigned resolves, reach_calls, map_calls;
	char last[256];
};

static enum pe_lookup fake_resolve(void *u, const char *path, size_t len)
{
	struct fake *f = u;

	f->resolves++;
	snprintf(f->last, sizeof(f->last), "%.*s", (int)len, path);
	for (size_t i = 0; i < 4 && f->paths[i]; i++)
		if (strlen(f->paths[i]) == len && memcmp(f->paths[i], path, len) == 0)
			return f->answers[i];
	return PE_LOOKUP_ABSENT;
}

static int fake_reachable(void *u)
{
	struct fake *f = u;

	f->reach_calls++;
	return f->reachable;
}

static int fake_mapped(void *u)
{
	struct fake *f = u;

	f->map_calls++;
	return f->mapped;
}

static const struct pe_probe_ops ops = {
	.resolve = fake_resolve,
	.mount_reachable = fake_reachable,
	.image_mapped = fake_mapped,
};

static struct pe_img img_of(const char *path, uint64_t nlink)
{
	struct pe_img img = {
		.path = (char *)path,
		.path_len = path ? strlen(path) : 0,
		.have_stat = true,
		.dev = 0xfe00,
		.ino = 4242,
		.nlink = nlink,
	};
	return img;
}

static struct pe_verdict run(struct pe_facts *facts, struct fake *fk)
{
	struct pe_verdict v;

	pe_classify(facts, &ops, fk, &v);
	return v;
}

static void test_errno_states(void **state)
{
	struct pe_img img = img_of(NULL, 0);
	struct pe_facts f = { .img = &img, .exe_errno = ENOENT, .kthread = true };
	struct fake fk = { .mapped = 1 };

	assert_int_equal(run(&f, &fk).state, PROCEXE_STATE_KERNEL);
	f.kthread = false;
	f.zombie = true;
	assert_int_equal(run(&f, &fk).state, PROCEXE_STATE_ZOMBIE);
	f.exe_errno = EACCES;
	assert_int_equal(run(&f, &fk).state, PROCEXE_STATE_DENIED);
	f.exe_errno = EPERM;
	assert_int_equal(run(&f, &fk).state, PROCEXE_STATE_DENIED);
	/* An unexpected errno (seccomp) must never read as "deleted". */
	f.exe_errno = ENOSYS;
	assert_int_equal(run(&f, &fk).state, PROCEXE_STATE_UNREACHABLE);
	assert_int_equal(fk.resolves, 0);
}

static void test_ok_and_literal_suffix(void **state)
{
	struct pe_img img = img_of("/srv/a", 1);
	struct pe_facts f = { .img = &img, .check_mapped = true };
	struct fake fk = { .paths = { "/srv/a" }, .answers = { PE_LOOKUP_SAME }, .mapped = 1 };
	struct pe_verdict v = run(&f, &fk);

	assert_int_equal(v.state, PROCEXE_STATE_OK);
	assert_int_equal(v.launch_len, strlen("/srv/a"));
	assert_int_equal(fk.map_calls, 1);

	/* A live file really named "x (deleted)": its full text reaches it. */
	img = img_of("/srv/x (deleted)", 1);
	fk = (struct fake){ .paths = { "/srv/x (deleted)" }, .answers = { PE_LOOKUP_SAME }, .mapped = 1 };
	v = run(&f, &fk);
	assert_int_equal(v.state, PROCEXE_STATE_OK);
	assert_int_equal(v.launch_len, strlen("/srv/x (deleted)"));
	assert_true(v.flags & PROCEXE_PF_SUFFIX);
}

static void test_deleted_replaced_unlinked(void **state)
{
	struct pe_img img = img_of("/srv/a (deleted)", 0);
	struct pe_facts f = { .img = &img, .check_mapped = true };
	struct fake fk = { .mapped = 1 };
	struct pe_verdict v = run(&f, &fk);

	assert_int_equal(v.state, PROCEXE_STATE_DELETED);
	assert_int_equal(v.launch_len, strlen("/srv/a"));
	assert_string_equal(fk.last, "/srv/a");
	assert_int_equal(fk.map_calls, 0);

	/* Replaced wins over the link count. */
	fk = (struct fake){ .paths = { "/srv/a" }, .answers = { PE_LOOKUP_DIFFERENT } };
	assert_int_equal(run(&f, &fk).state, PROCEXE_STATE_REPLACED);
	img.nlink = 3;
	assert_int_equal(run(&f, &fk).state, PROCEXE_STATE_REPLACED);

	/* Name gone, image linked elsewhere. */
	fk = (struct fake){ 0 };
	assert_int_equal(run(&f, &fk).state, PROCEXE_STATE_UNLINKED);
	/* Unknown link count (no map_files access) is not proof of a link. */
	img.nlink = PE_NLINK_UNKNOWN;
	assert_int_equal(run(&f, &fk).state, PROCEXE_STATE_DELETED);
}

static void test_deleted_literal_suffix_name(void **state)
{
	/* "x (deleted)" deleted: text "x (deleted) (deleted)"; one suffix only. */
	struct pe_img img = img_of("/srv/x (deleted) (deleted)", 0);
	struct pe_facts f = { .img = &img };
	struct fake fk = { 0 };
	struct pe_verdict v = run(&f, &fk);

	assert_int_equal(v.state, PROCEXE_STATE_DELETED);
	assert_int_equal(v.launch_len, strlen("/srv/x (deleted)"));
}

static void test_fileless(void **state)
{
	struct pe_img img = img_of("/memfd:payload (deleted)", 0);
	struct pe_facts f = { .img = &img, .memfd_dev = true };
	struct fake fk = { .reachable = 1 };

	assert_int_equal(run(&f, &fk).state, PROCEXE_STATE_FILELESS);
	/* Without the shmem device: the name alone needs an unreachable mount. */
	f.memfd_dev = false;
	assert_int_equal(run(&f, &fk).state, PROCEXE_STATE_DELETED);
	fk.reachable = 0;
	assert_int_equal(run(&f, &fk).state, PROCEXE_STATE_FILELESS);

	/* O_TMPFILE: "#INO (deleted)" only when INO is the image's inode. */
	img = img_of("/dev/shm/#4242 (deleted)", 0);
	fk = (struct fake){ .reachable = 1 };
	assert_int_equal(run(&f, &fk).state, PROCEXE_STATE_FILELESS);
	img = img_of("/dev/shm/#4243 (deleted)", 0);
	assert_int_equal(run(&f, &fk).state, PROCEXE_STATE_DELETED);
	/* A linked file cannot be fileless. */
	img = img_of("/dev/shm/#4242 (deleted)", 1);
	assert_int_equal(run(&f, &fk).state, PROCEXE_STATE_UNLINKED);
}

static void test_repointed_and_unreachable(void **state)
{
	struct pe_img img = img_of("/usr/bin/sleep", 1);
	struct pe_facts f = { .img = &img, .check_mapped = true };
	struct fake fk = { .paths = { "/usr/bin/sleep" }, .answers = { PE_LOOKUP_SAME }, .mapped = 0 };
	struct pe_verdict v = run(&f, &fk);

	assert_int_equal(v.state, PROCEXE_STATE_REPOINTED);
	assert_true(v.flags & PROCEXE_PF_NOT_MAPPED);
	/* Mapping unknown (maps unreadable): no accusation. */
	fk.mapped = -EACCES;
	assert_int_equal(run(&f, &fk).state, PROCEXE_STATE_OK);

	/* Linked name that reaches nothing we can see: detached/overmounted. */
	img = img_of("/sub/prog", 1);
	fk = (struct fake){ .mapped = 1 };
	assert_int_equal(run(&f, &fk).state, PROCEXE_STATE_UNREACHABLE);
	fk = (struct fake){ .paths = { "/sub/prog" }, .answers = { PE_LOOKUP_DIFFERENT }, .mapped = 1 };
	assert_int_equal(run(&f, &fk).state, PROCEXE_STATE_UNREACHABLE);
	fk.mapped = 0;
	assert_int_equal(run(&f, &fk).state, PROCEXE_STATE_REPOINTED);

	/* Suffix but the launch path cannot be looked up, image still linked. */
	img = img_of("/c/prog (deleted)", 2);
	fk = (struct fake){ .paths = { "/c/prog" }, .answers = { PE_LOOKUP_UNKNOWN }, .mapped = 1 };
	assert_int_equal(run(&f, &fk).state, PROCEXE_STATE_UNREACHABLE);
	img.nlink = 0;
	assert_int_equal(run(&f, &fk).state, PROCEXE_STATE_DELETED);
}

static void test_path_too_long(void **state)
{
	struct pe_img img = img_of(NULL, 0);
	struct pe_facts f = { .img = &img, .text_errno = ENAMETOOLONG, .check_mapped = true };
	struct fake fk = { .mapped = 1 };
	struct pe_verdict v = run(&f, &fk);

	assert_int_equal(v.state, PROCEXE_STATE_DELETED);
	assert_true(v.flags & PROCEXE_PF_PATH_TOOLONG);
	img.nlink = 1;
	assert_int_equal(run(&f, &fk).state, PROCEXE_STATE_OK);
	assert_int_equal(fk.resolves, 0);
}

/*
 * MODIFIED, the one rule for exe and mapped files, on tick-granular times
 * (the kernel stamps files at a coarse clock: birth, write and exec of a
 * program copied in by an entrypoint often share one 4 ms tick).
 */
#define TICK (4ull * 1000000u)
#define SEC (1000ull * 1000000u)

static uint64_t start_of(void *userdata)
{
	return *(const uint64_t *)userdata;
}

static bool modified(uint64_t m, uint64_t c, uint64_t b, uint64_t start, bool links_changed)
{
	struct pe_times t = { .m = m, .c = c, .b = b };

	return pe_written_after_start(&t, links_changed, start_of, &start);
}

static void test_modified(void **state)
{
	const uint64_t S = 1000 * SEC, old = 900 * SEC;

	/* unchanged since before the start, or within its (rounded-up) tick */
	assert_false(modified(old, old, old, S, false));
	assert_false(modified(S, S, old, S, false));
	/* a write in place after the start: printf X >> file */
	assert_true(modified(S + 10 * TICK, S + 10 * TICK, old, S, false));
	assert_true(modified(S + 1, S + 1, 0, S, false));
	/* status changes only (rename, link, chmod): mtime is not after the start */
	assert_false(modified(old, S + 5 * SEC, old, S, false));
	/* installed by rename with its build mtime kept */
	assert_false(modified(old, S + 2 * SEC, S + 2 * SEC, S, false));
	/* the write is not the last status change: a chmod came 2 s later (missed) */
	assert_false(modified(S + TICK, S + TICK + 2 * SEC, old, S, false));
	/* born after the fork, written once, executed: all in one tick */
	assert_false(modified(S + TICK, S + TICK, S + TICK, S, false));
	/* born after the fork, the copy took 800 ms */
	assert_false(modified(S + 200 * TICK, S + 200 * TICK, S + TICK, S, false));
	/* written only at its birth, shortly before the start (a copy that
	 * ended just after the fork): never modified, the start not asked */
	assert_false(modified(S + TICK, S + TICK, S - 2 * TICK, S, false));
	assert_false(modified(S + 2 * SEC, S + 2 * SEC, S + 2 * SEC - 3 * TICK, 0, false));
	/* born after the fork, written again 5 s later: modified */
	assert_true(modified(S + 5 * SEC, S + 5 * SEC, S + TICK, S, false));
	/* no birth time recorded: a copy after the start cannot be told apart */
	assert_true(modified(S + TICK, S + TICK, 0, S, false));
	/* a name removed (deleted or unlinked exe): the unlink moved ctime */
	assert_true(modified(S + TICK, S + 10 * SEC, old, S, true));
	assert_false(modified(S + TICK, S + 10 * SEC, old, S, false));
	assert_false(modified(old, S + 10 * SEC, old, S, true));
	/* start unknown, mtime unknown */
	assert_false(modified(S + SEC, S + SEC, old, 0, false));
	assert_false(modified(0, S + SEC, old, S, false));
}

static void test_state_names(void **state)
{
	enum procexe_state s;

	for (unsigned i = 0; i < _PROCEXE_STATE_MAX; i++) {
		assert_non_null(procexe_state_name(i));
		assert_int_equal(procexe_state_from_name(procexe_state_name(i), &s), 0);
		assert_int_equal(s, i);
	}
	assert_null(procexe_state_name(_PROCEXE_STATE_MAX));
	assert_int_equal(procexe_state_from_name("Deleted", &s), -EINVAL);
	assert_true(procexe_state_is_suspicious(PROCEXE_STATE_REPLACED));
	assert_false(procexe_state_is_suspicious(PROCEXE_STATE_OK));
	assert_false(procexe_state_is_suspicious(PROCEXE_STATE_DENIED));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_errno_states),
		cmocka_unit_test(test_ok_and_literal_suffix),
		cmocka_unit_test(test_deleted_replaced_unlinked),
		cmocka_unit_test(test_deleted_literal_suffix_name),
		cmocka_unit_test(test_fileless),
		cmocka_unit_test(test_repointed_and_unreachable),
		cmocka_unit_test(test_path_too_long),
		cmocka_unit_test(test_modified),
		cmocka_unit_test(test_state_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
