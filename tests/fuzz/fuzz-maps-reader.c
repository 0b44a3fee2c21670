/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Fuzz target for the streaming maps reader and the set of mapped files.
 * Input: two bytes choosing the read size (1..256) and the buffer size
 * (64..16,384), then a maps file.  The reader yields exactly the lines
 * pe_maps_next_file() parses from the whole text, but for lines longer
 * than its buffer, which it skips and counts; the set built from them
 * holds each distinct file once, names NUL-terminated in bounds.
 */
#include <string.h>

#include "fuzz.h"
#include "internal.h"
#include "lines.h"
#include "parse.h"

/* Bytes of the line holding P (without its newline), within [BUF, END). */
static size_t line_len(const char *buf, const char *end, const char *p)
{
	const char *s = p, *e = memchr(p, '\n', (size_t)(end - p));

	while (s > buf && s[-1] != '\n')
		s--;
	return (size_t)((e ? e : end) - s);
}

static void check_set(const struct pe_mapset *set)
{
	for (size_t i = 0; i < set->n; i++) {
		const struct pe_mapset_file *f = &set->files[i];
		size_t len = f->name_len + (f->deleted ? PE_DELETED_SUFFIX_LEN : 0);

		FUZZ_CHECK(f->name_off + len < set->names_len);
		FUZZ_CHECK(set->names[f->name_off + len] == '\0');
		FUZZ_CHECK(set->names[f->name_off] == '/');
		for (size_t j = 0; j < i; j++)
			FUZZ_CHECK(set->files[j].order < f->order);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data + 2, *cur, *end;
	struct pe_mapset set = { 0 };
	struct pe_lines rd;
	struct pe_map a, b;
	size_t chunk, cap, skipped = 0;
	int ra, rb;

	if (size < 2 || size > FUZZ_MAX_INPUT)
		return 0;
	chunk = (size_t)data[0] + 1;
	cap = 64 + (size_t)data[1] * 64;
	end = buf + size - 2;
	cur = buf;
	FUZZ_CHECK(pe_lines_mem(&rd, buf, size - 2, chunk, cap) == 0);
	for (;;) {
		ra = pe_lines_next_map(&rd, &a, true);
		FUZZ_CHECK(ra == 0 || ra == 1);
		/* the whole-text parser's next line the reader can hold */
		while ((rb = pe_maps_next_file(&cur, end, &b)) != 0 &&
		       (rb < 0 || line_len(buf, end, b.path) >= cap))
			skipped += rb > 0;
		FUZZ_CHECK(ra == (rb > 0));
		if (ra == 0)
			break;
		FUZZ_CHECK(a.start == b.start && a.end == b.end && a.ino == b.ino &&
		           a.deleted == b.deleted && a.path_len == b.path_len &&
		           memcmp(a.path, b.path, a.path_len) == 0);
		FUZZ_CHECK(pe_mapset_add(&set, &a) == 0);
	}
	FUZZ_CHECK(rd.overlong >= skipped);
	pe_lines_close(&rd);
	pe_mapset_finish(&set);
	check_set(&set);
	pe_mapset_done(&set);
	return 0;
}
