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

static void test_modified(void **state)
{
	struct pe_img img = img_of("/a", 1);
	const uint64_t start = 1000ull * 1000000000u;

	img.mtime_sec = 900;
	img.ctime_sec = 900;
	img.atime_sec = 950;
	assert_false(pe_image_modified(&img, start, false));
	img.ctime_sec = 1001;
	assert_true(pe_image_modified(&img, start, false));
	/* Removing a name bumps ctime: judged on mtime alone then. */
	assert_false(pe_image_modified(&img, start, true));
	img.mtime_sec = 1000;
	img.mtime_nsec = 1;
	assert_true(pe_image_modified(&img, start, true));
	/* Written after the fork but before the exec, which read it later. */
	img.atime_sec = 1002;
	assert_false(pe_image_modified(&img, start, false));
	/* touch(1): all three times equal, after the start. */
	img.mtime_sec = img.ctime_sec = img.atime_sec = 1003;
	img.mtime_nsec = img.ctime_nsec = img.atime_nsec = 0;
	assert_true(pe_image_modified(&img, start, false));
	img.atime_sec = 950;
	assert_false(pe_image_modified(&img, 0, false));
	img.have_stat = false;
	assert_false(pe_image_modified(&img, start, false));
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
