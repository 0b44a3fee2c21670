/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Unit tests for src/table-buf.c: rows printed in chunks must come out
 * byte for byte as one libsmartcols table holding them all prints them,
 * for the process columns of procexe (their width hints and flags, from
 * columns.c), hostile cells escaped as the table output escapes them
 * (escape.c), headings on and off, in a UTF-8 and the C locale, for many
 * row counts and chunk sizes (chunks of 1, 2, 3 and 7 rows cross the
 * boundaries everywhere).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <locale.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libsmartcols.h>

#include "columns.h"
#include "escape.h"
#include "table-buf.h"

struct spec {
	const struct colset *cols;
	bool noheadings;
	FILE *out;
};

/* The table of output.c's new_table() and add_column(), writing to OUT. */
static struct libscols_table *mk(void *arg)
{
	const struct spec *sp = arg;
	struct libscols_table *tb = scols_new_table();

	assert_non_null(tb);
	scols_table_enable_noheadings(tb, sp->noheadings);
	scols_table_enable_noencoding(tb, 1);
	assert_int_equal(scols_table_set_stream(tb, sp->out), 0);
	for (size_t i = 0; i < sp->cols->n; i++) {
		const struct colinfo *ci = &infos[sp->cols->ids[i]];

		assert_non_null(scols_table_new_column(tb, ci->name, ci->whint, ci->flags));
	}
	return tb;
}

static uint64_t rnd_state;

static uint32_t rnd(uint32_t n)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return (uint32_t)(rnd_state % n);
}

/* Pieces of hostile names: escapes, controls, invalid and wide bytes. */
static const char *const pieces[] = {
	"/usr/bin/", "sleep", " ", "\\", "\\x41", "\t", "\n", "\r", "\x1b[31m", "\x1b[",
	"\x7f", "\xff\xfe", "\xc3", "\xc2\x9b", "\xe2\x80\xa8", "\xe6\x97\xa5\xe6\x9c\xac",
	"e\xcc\x81", "\xf0\x9f\x98\x80", "\xef\xbc\xa1", "(deleted)", "%s%n", "\"'",
	"\xe2\x80\x8b", "\xd8\xa7\xd9\x84",
};

/* A cell of column type TYPE: NULL, "" or escaped random bytes. */
static char *random_cell(enum col_type type)
{
	char buf[1024];
	size_t len = 0, n;
	uint32_t k = rnd(20);

	if (k == 0)
		return NULL;
	if (k == 1)
		return strdup("");
	if (type == COLTYPE_NUMBER || type == COLTYPE_BOOLEAN) {
		n = type == COLTYPE_BOOLEAN ? 1 : 1 + rnd(k == 2 ? 12 : 5);
		for (size_t i = 0; i < n; i++)
			buf[len++] = (char)('0' + rnd(type == COLTYPE_BOOLEAN ? 2 : 10));
		buf[len] = '\0';
		return strdup(buf);
	}
	n = k == 2 ? 40 : 1 + rnd(6);           /* now and then a long one */
	for (size_t i = 0; i < n; i++) {
		const char *p = pieces[rnd(sizeof(pieces) / sizeof(pieces[0]))];
		size_t pl = strlen(p);

		if (len + pl >= 900)
			break;
		memcpy(buf + len, p, pl);
		len += pl;
	}
	if (len == 0)
		return NULL;
	{
		char *e = escape_text(buf, len, 0);
		char *cell;

		assert_non_null(e);
		cell = escape_unprintable(e);
		assert_non_null(cell);
		free(e);
		return cell;
	}
}

/* NROWS random rows; print them whole and in chunks of CHUNK; compare. */
static void compare(const struct colset *cols, bool noheadings, size_t nrows, size_t chunk,
                    uint64_t seed)
{
	struct spec sp = { .cols = cols, .noheadings = noheadings };
	struct table_buf *b = table_buf_new(cols->n);
	struct libscols_table *whole;
	char *want = NULL, *got = NULL, *cells[_COL_MAX];
	size_t wlen = 0, glen = 0;

	sp.out = open_memstream(&want, &wlen);
	assert_non_null(sp.out);
	whole = mk(&sp);
	scols_table_set_termforce(whole, SCOLS_TERMFORCE_NEVER);
	rnd_state = seed;
	for (size_t r = 0; r < nrows; r++) {
		struct libscols_line *ln = scols_table_new_line(whole, NULL);

		assert_non_null(ln);
		for (size_t i = 0; i < cols->n; i++) {
			cells[i] = random_cell(infos[cols->ids[i]].type);
			if (cells[i])
				assert_int_equal(scols_line_set_data(ln, i, cells[i]), 0);
		}
		table_buf_add(b, cells);
		for (size_t i = 0; i < cols->n; i++)
			free(cells[i]);
	}
	assert_int_equal(table_buf_count(b), nrows);
	assert_int_equal(scols_print_table(whole), 0);
	scols_unref_table(whole);
	fclose(sp.out);

	sp.out = open_memstream(&got, &glen);
	assert_non_null(sp.out);
	assert_int_equal(table_buf_print(b, mk, &sp, chunk), 0);
	fclose(sp.out);
	if (glen != wlen || memcmp(got, want, wlen) != 0) {
		print_error("rows %zu, chunk %zu, seed %ju, noheadings %d:\n--- whole\n%s"
		            "--- chunked\n%s---\n", nrows, chunk, (uintmax_t)seed, noheadings,
		            want, got);
		fail();
	}
	free(want);
	free(got);
	table_buf_free(b);
}

static const struct colset sets[] = {
	{ 6, { COL_PID, COL_USER, COL_COMM, COL_STATE, COL_MODIFIED, COL_EXE } },
	{ 5, { COL_PID, COL_USER, COL_COMM, COL_STATE, COL_EXE } },
	{ 1, { COL_PID } },
	{ 1, { COL_EXE } },
	{ 2, { COL_CMDLINE, COL_PID } },
	{ 3, { COL_EXE, COL_CMDLINE, COL_DELETED } },
	{ 4, { COL_START, COL_ROOT, COL_CGROUP, COL_MODE } },
};

static void run_all(void)
{
	static const size_t rows[] = { 0, 1, 2, 9, 10, 11, 64, 300 };
	static const size_t chunks[] = { 1, 2, 3, 7, 0 };
	struct colset all;
	uint64_t seed = 0x9e3779b97f4a7c15u;

	colset_all(&all);
	for (size_t s = 0; s <= sizeof(sets) / sizeof(sets[0]); s++) {
		const struct colset *cols = s < sizeof(sets) / sizeof(sets[0]) ? &sets[s] : &all;

		for (size_t r = 0; r < sizeof(rows) / sizeof(rows[0]); r++)
			for (size_t c = 0; c < sizeof(chunks) / sizeof(chunks[0]); c++)
				for (int nh = 0; nh < 2; nh++)
					compare(cols, nh, rows[r], chunks[c], seed++);
	}
	/* more than one default chunk (256 rows) */
	compare(&all, false, 2 * TABLE_BUF_CHUNK + 3, 0, seed++);
}

static void test_utf8(void **state)
{
	(void)state;
	if (!setlocale(LC_ALL, "C.UTF-8"))
		skip();
	run_all();
}

static void test_c_locale(void **state)
{
	(void)state;
	assert_non_null(setlocale(LC_ALL, "C"));
	run_all();
}

/* The widest cells come in the last chunk: they set the columns' widths
 * in every chunk, whatever the first chunks hold. */
static void test_widest_last(void **state)
{
	static const struct colset cols = { 2, { COL_COMM, COL_PID } };
	struct spec sp = { .cols = &cols };
	struct table_buf *b = table_buf_new(cols.n);
	char *out = NULL;
	size_t len = 0;
	char c1[] = "abcdef", c2[] = "bb", c4[] = "abcdefghijklmnopqrstu";
	char p1[] = "1", p3[] = "1234567", p4[] = "12";
	char *row1[] = { c1, p1 }, *row2[] = { c2, NULL }, *row3[] = { NULL, p3 };
	char *row4[] = { c4, p4 };

	(void)state;
	table_buf_add(b, row1);
	table_buf_add(b, row2);
	table_buf_add(b, row3);
	table_buf_add(b, row4);
	sp.out = open_memstream(&out, &len);
	assert_int_equal(table_buf_print(b, mk, &sp, 1), 0);
	fclose(sp.out);
	assert_string_equal(out,
	                    "COMM                      PID\n"
	                    "abcdef                      1\n"
	                    "bb                    \n"
	                    "                      1234567\n"
	                    "abcdefghijklmnopqrstu      12\n");
	free(out);
	table_buf_free(b);
}

struct each_state {
	size_t row;
	char *const (*rows)[3];
};

static void each_row(void *arg, const char *const *cells)
{
	struct each_state *st = arg;

	for (size_t i = 0; i < 3; i++) {
		const char *want = st->rows[st->row][i];

		if (!want)
			assert_null(cells[i]);
		else
			assert_string_equal(cells[i], want);
	}
	st->row++;
}

/* The rows come back in order, each cell as given: none (NULL) apart
 * from empty, across the arena's blocks (rows of 40 KiB). */
static void test_each(void **state)
{
	static char big[40000], e[] = "", a[] = "a", w[] = "\xe6\x97\xa5";
	char *const rows[5][3] = {
		{ a, NULL, e }, { NULL, NULL, NULL }, { big, w, a }, { big, big, NULL }, { e, e, e },
	};
	struct table_buf *b = table_buf_new(3);
	struct each_state st = { .rows = rows };

	(void)state;
	memset(big, 'b', sizeof(big) - 1);
	for (size_t i = 0; i < 5; i++)
		table_buf_add(b, rows[i]);
	table_buf_each(b, each_row, &st);
	assert_int_equal(st.row, 5);
	table_buf_free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_widest_last),
		cmocka_unit_test(test_each),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_c_locale),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
