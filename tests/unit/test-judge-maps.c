/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pe_judge_maps() through the ops it accepts: a set of mapped files judged
 * against a fake world (what stands at each name, the start time, the raw
 * map_files names, the deadline): which are kept and how, the main image
 * left out, data and code told apart, escaped newlines read raw, the keep
 * cap and the deadline reported as incomplete.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <cmocka.h>

#include "internal.h"
#include "parse.h"

#define SEC 1000000000ull
#define BOOT (1000 * SEC)

struct world {
	const char *live[8];            /* names where the mapped file stands */
	const char *other[8];           /* names where another file stands */
	uint64_t written;               /* mtime = ctime of live files (0: before boot) */
	unsigned deadline_after;        /* past_deadline true from this call on (0: never) */
	unsigned deadline_calls, raw_calls;
};

static bool in(const char *const *names, const char *text, size_t len)
{
	for (size_t i = 0; i < 8 && names[i]; i++)
		if (strlen(names[i]) == len && memcmp(names[i], text, len) == 0)
			return true;
	return false;
}

static void w_lookup(void *u, const char *text, size_t len, uint64_t dev, uint64_t ino,
                     struct pe_found *ret)
{
	struct world *w = u;

	if (in(w->live, text, len))
		*ret = (struct pe_found){ .r = PE_LOOKUP_SAME,
		                          .t = { .m = w->written, .c = w->written, .b = 1 } };
	else if (in(w->other, text, len))
		*ret = (struct pe_found){ .r = PE_LOOKUP_DIFFERENT };
	else
		*ret = (struct pe_found){ .r = PE_LOOKUP_ABSENT, .err = ENOENT };
}

static uint64_t w_start(void *u)
{
	return BOOT + 10 * SEC;
}

static int w_raw_name(void *u, uint64_t start, uint64_t end, char **ret, size_t *ret_len)
{
	struct world *w = u;

	w->raw_calls++;
	*ret = strdup("/lib/a\\012b.so (deleted)");        /* a real backslash name */
	*ret_len = strlen(*ret);
	return *ret ? 0 : -ENOMEM;
}

static bool w_deadline(void *u)
{
	struct world *w = u;

	return w->deadline_after && ++w->deadline_calls >= w->deadline_after;
}

static const struct pe_map_ops ops = {
	.lookup = w_lookup, .start_ns = w_start, .raw_name = w_raw_name,
	.past_deadline = w_deadline,
};

static void add(struct pe_mapset *set, uint64_t start, uint64_t ino, const char *path,
                bool exec, bool deleted, unsigned major_)
{
	struct pe_map m = {
		.start = start, .end = start + 4096, .ino = ino,
		.perms = { 'r', '-', exec ? 'x' : '-', 'p', '\0' },
		.dev_major = major_, .dev_minor = 1,
		.path = path, .path_len = strlen(path), .deleted = deleted,
	};

	assert_int_equal(pe_mapset_add(set, &m), 0);
}

struct result {
	struct pe_mapfile *files;
	size_t n;
	int err;
};

static struct result judge(const struct pe_mapset *set, struct world *w, unsigned maps,
                           const struct pe_img *main_img)
{
	struct procexe_ctx ctx = { .maps = maps, .boot_ns = BOOT };
	struct pe_maps_in inp = { .ctx = &ctx, .set = set, .main_img = main_img, .ops = &ops,
	                          .userdata = w };
	struct result r = { 0 };

	assert_int_equal(pe_judge_maps(&inp, &r.files, &r.n, &r.err), 0);
	return r;
}

static const struct pe_mapfile *kept(const struct result *r, const char *path)
{
	for (size_t i = 0; i < r->n; i++)
		if (strcmp(r->files[i].path, path) == 0)
			return &r->files[i];
	return NULL;
}

static void test_states_and_selection(void **state)
{
	struct world w = { .live = { "/lib/ok.so", "/lib/mod.so", "/usr/bin/prog" },
	                   .other = { "/lib/rep.so" }, .written = BOOT + 60 * SEC };
	struct pe_img prog = { .ino = 9, .dev = makedev(8, 1), .path = (char *)"/usr/bin/prog",
	                       .path_len = 13 };
	struct pe_mapset set = { 0 };
	struct result r;

	add(&set, 0x1000, 9, "/usr/bin/prog", true, false, 8);         /* main image */
	add(&set, 0x2000, 1, "/lib/ok.so", true, false, 8);
	add(&set, 0x3000, 2, "/lib/del.so", true, true, 8);
	add(&set, 0x4000, 3, "/lib/rep.so", true, true, 8);
	add(&set, 0x5000, 4, "/lib/mod.so", true, false, 8);
	add(&set, 0x6000, 5, "/memfd:jit", true, true, 0);
	add(&set, 0x7000, 6, "/memfd:buf", false, true, 0);            /* data only */
	add(&set, 0x8000, 7, "/lib/data-del.bin", false, true, 8);    /* data only */
	pe_mapset_finish(&set);

	w.written = 0;          /* nothing written after boot: ok.so and mod.so are ok */
	r = judge(&set, &w, PROCEXE_MAPS_EXEC, &prog);
	assert_int_equal(r.err, 0);
	assert_int_equal(r.n, 3);
	assert_int_equal(kept(&r, "/lib/del.so")->state, PROCEXE_MAP_DELETED);
	assert_true(kept(&r, "/lib/del.so")->flags & PROCEXE_MF_SUFFIX);
	assert_int_equal(kept(&r, "/lib/rep.so")->state, PROCEXE_MAP_REPLACED);
	assert_int_equal(kept(&r, "/memfd:jit")->state, PROCEXE_MAP_FILELESS);
	assert_null(kept(&r, "/usr/bin/prog"));
	pe_mapfiles_free(r.files, r.n);

	/* written in place after the start; data mappings asked for too */
	w.written = BOOT + 60 * SEC;
	r = judge(&set, &w, PROCEXE_MAPS_EXEC | PROCEXE_MAPS_DATA, &prog);
	assert_int_equal(kept(&r, "/lib/mod.so")->state, PROCEXE_MAP_MODIFIED);
	assert_int_equal(kept(&r, "/lib/mod.so")->changed_sec, 1060);
	assert_int_equal(kept(&r, "/lib/data-del.bin")->state, PROCEXE_MAP_DELETED);
	assert_false(kept(&r, "/lib/data-del.bin")->flags & PROCEXE_MF_EXEC);
	assert_null(kept(&r, "/memfd:buf"));     /* memory for data is not fileless code */
	assert_int_equal(r.err, 0);
	pe_mapfiles_free(r.files, r.n);
	pe_mapset_done(&set);
}

/* A name holding "\012" is read raw from map_files (a literal backslash). */
static void test_escaped_name_read_raw(void **state)
{
	struct world w = { 0 };
	struct pe_mapset set = { 0 };
	struct result r;

	add(&set, 0x1000, 2, "/lib/a\\012b.so", true, true, 8);
	r = judge(&set, &w, PROCEXE_MAPS_EXEC, NULL);
	assert_int_equal(w.raw_calls, 1);
	assert_int_equal(r.n, 1);
	assert_string_equal(r.files[0].path, "/lib/a\\012b.so");
	pe_mapfiles_free(r.files, r.n);
	pe_mapset_done(&set);
}

/* Past the keep cap: judged, counted as incomplete (E2BIG), not kept. */
static void test_keep_cap(void **state)
{
	struct world w = { 0 };
	struct pe_mapset set = { 0 };
	char name[32];
	struct result r;

	for (unsigned i = 0; i < PE_MAPS_KEEP_MAX + 10; i++) {
		snprintf(name, sizeof(name), "/d/f%u", i);
		add(&set, (uint64_t)(i + 1) << 12, i + 1, name, true, true, 8);
	}
	r = judge(&set, &w, PROCEXE_MAPS_EXEC, NULL);
	assert_int_equal(r.n, PE_MAPS_KEEP_MAX);
	assert_int_equal(r.err, E2BIG);
	pe_mapfiles_free(r.files, r.n);
	pe_mapset_done(&set);
}

/* At the deadline the judging stops and says so (ETIMEDOUT). */
static void test_deadline(void **state)
{
	struct world w = { .deadline_after = 2 };
	struct pe_mapset set = { 0 };
	char name[32];
	struct result r;

	for (unsigned i = 0; i < 1000; i++) {
		snprintf(name, sizeof(name), "/d/f%u", i);
		add(&set, (uint64_t)(i + 1) << 12, i + 1, name, true, true, 8);
	}
	r = judge(&set, &w, PROCEXE_MAPS_EXEC, NULL);
	assert_int_equal(r.err, ETIMEDOUT);
	assert_true(r.n > 0 && r.n < 1000);
	pe_mapfiles_free(r.files, r.n);
	pe_mapset_done(&set);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_states_and_selection),
		cmocka_unit_test(test_escaped_name_read_raw),
		cmocka_unit_test(test_keep_cap),
		cmocka_unit_test(test_deadline),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
