/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Rows of a table kept compactly, printed through libsmartcols in chunks.
 *
 * A row is one record in an arena of blocks: a bitmap of the cells that
 * have a value, then those cells' strings, each NUL-terminated.  Per
 * column the buffer keeps the widest cell seen.
 *
 * Why chunks print as one table: for output that is not a terminal,
 * libsmartcols 2.38 sets a column's width from the widest cell of the
 * table, the width of its heading and its width hint, nothing else (the
 * statistics of SCOLS_FL_NOEXTREMES and the fitting to a terminal's width
 * are for terminals).  Each chunk's table also holds, as its last line, a
 * line made of every column's widest cell, which fixes the same widths in
 * every chunk; scols_table_print_range() prints the chunk's rows and stops
 * before that line.  Since it is never the table's last, every printed
 * line ends with the line separator, as every line of a whole table does
 * (scols_print_table() ends the last one).  Only the first chunk prints
 * the headings.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include <wctype.h>

#include <libsmartcols.h>

#include "cli.h"
#include "table-buf.h"

/* Blocks of the arena hold this many bytes, or one larger row. */
#define TB_BLOCK_BYTES (64 * 1024 - 64)

struct tb_block {
	struct tb_block *next;
	size_t used, size;
	char data[];
};

struct table_buf {
	size_t ncols, nrows;
	size_t masklen;                 /* bytes of a row's bitmap */
	struct tb_block *head, *tail;
	size_t *width;                  /* per column: the widest cell's width */
	char **widest;                  /* per column: a cell that wide, or NULL */
};

struct table_buf *table_buf_new(size_t ncols)
{
	struct table_buf *b = xmalloc(sizeof(*b));

	*b = (struct table_buf){
		.ncols = ncols,
		.masklen = (ncols + 7) / 8,
		.width = xreallocarray(NULL, ncols, sizeof(size_t)),
		.widest = xreallocarray(NULL, ncols, sizeof(char *)),
	};
	for (size_t i = 0; i < ncols; i++) {
		b->width[i] = 0;
		b->widest[i] = NULL;
	}
	return b;
}

void table_buf_free(struct table_buf *b)
{
	if (!b)
		return;
	for (struct tb_block *k = b->head, *next; k; k = next) {
		next = k->next;
		free(k);
	}
	for (size_t i = 0; i < b->ncols; i++)
		free(b->widest[i]);
	free(b->widest);
	free(b->width);
	free(b);
}

size_t table_buf_count(const struct table_buf *b)
{
	return b->nrows;
}

/*
 * The terminal cells of S as libsmartcols 2.38 counts them with its
 * encoding off: a control byte counts nothing (with an ESC-style "[...m"
 * after it), a printable character its wcwidth(), anything else nothing.
 */
static size_t cell_width(const char *s)
{
	mbstate_t st;
	size_t w = 0;

	memset(&st, 0, sizeof(st));
	while (*s) {
		wchar_t wc;
		size_t n;

		if (iscntrl((unsigned char)*s)) {
			const char *m = s[1] == '[' ? strchr(s + 1, 'm') : NULL;

			s = m ? m + 1 : s + 1;
			continue;
		}
		n = mbrtowc(&wc, s, MB_CUR_MAX, &st);
		if (n == 0)
			break;
		if (n == (size_t)-1 || n == (size_t)-2) {
			n = 1;
		} else if (iswprint((wint_t)wc)) {
			int cw = wcwidth(wc);

			if (cw > 0)
				w += (size_t)cw;
		}
		s += n;
	}
	return w;
}

/* Room for LEN more bytes at the end of the arena. */
static char *arena_room(struct table_buf *b, size_t len)
{
	struct tb_block *k = b->tail;

	if (!k || k->size - k->used < len) {
		size_t size = len > TB_BLOCK_BYTES ? len : TB_BLOCK_BYTES;

		if (size > SIZE_MAX - sizeof(*k))
			errx_("%s", strerror(ENOMEM));
		k = xmalloc(sizeof(*k) + size);
		k->next = NULL;
		k->used = 0;
		k->size = size;
		if (b->tail)
			b->tail->next = k;
		else
			b->head = k;
		b->tail = k;
	}
	k->used += len;
	return k->data + k->used - len;
}

/* Note CELL of column COL as its widest if it is. */
static void measure(struct table_buf *b, size_t col, const char *cell)
{
	size_t w = cell_width(cell);

	if (w <= b->width[col] && b->widest[col])
		return;
	free(b->widest[col]);
	b->widest[col] = xstrdup(cell);
	b->width[col] = w;
}

void table_buf_add(struct table_buf *b, char *const *cells)
{
	size_t len = b->masklen;
	unsigned char *mask;
	char *p;

	for (size_t i = 0; i < b->ncols; i++) {
		if (cells[i])
			len += strlen(cells[i]) + 1;
	}
	p = arena_room(b, len);
	mask = (unsigned char *)p;
	memset(mask, 0, b->masklen);
	p += b->masklen;
	for (size_t i = 0; i < b->ncols; i++) {
		size_t n;

		if (!cells[i])
			continue;
		mask[i / 8] |= (unsigned char)(1u << (i % 8));
		n = strlen(cells[i]) + 1;
		memcpy(p, cells[i], n);
		p += n;
		measure(b, i, cells[i]);
	}
	b->nrows++;
}

/* A reading position in the arena. */
struct tb_cursor {
	const struct tb_block *k;
	size_t off;
};

/* Cell COL of LN: a copy of DATA (NULL: no value). */
static void set_data_or_die(struct libscols_line *ln, size_t col, const char *data)
{
	if (data && scols_line_set_data(ln, col, data) < 0)
		errx_("%s", strerror(ENOMEM));
}

static struct libscols_line *new_line(struct libscols_table *tb)
{
	struct libscols_line *ln = scols_table_new_line(tb, NULL);

	if (!ln)
		errx_("%s", strerror(ENOMEM));
	return ln;
}

/* The cells of the row at C into CELLS (NULL: no value, else pointing into
 * the arena); C moves to the next row. */
static void row_cells(const struct table_buf *b, struct tb_cursor *c, const char **cells)
{
	const unsigned char *mask;
	const char *p;

	if (c->off >= c->k->used) {
		c->k = c->k->next;
		c->off = 0;
	}
	mask = (const unsigned char *)c->k->data + c->off;
	p = (const char *)mask + b->masklen;
	for (size_t i = 0; i < b->ncols; i++) {
		cells[i] = NULL;
		if (!(mask[i / 8] & (1u << (i % 8))))
			continue;
		cells[i] = p;
		p += strlen(p) + 1;
	}
	c->off = (size_t)(p - c->k->data);
}

void table_buf_each(const struct table_buf *b, void (*fn)(void *arg, const char *const *cells),
                    void *arg)
{
	struct tb_cursor c = { .k = b->head };
	const char **cells = xreallocarray(NULL, b->ncols, sizeof(*cells));

	for (size_t r = 0; r < b->nrows; r++) {
		row_cells(b, &c, cells);
		fn(arg, cells);
	}
	free(cells);
}

/* The row at C as a new line of TB; C moves to the next row.  CELLS: room
 * for NCOLS pointers. */
static struct libscols_line *row_line(const struct table_buf *b, struct libscols_table *tb,
                                      struct tb_cursor *c, const char **cells)
{
	struct libscols_line *ln = new_line(tb);

	row_cells(b, c, cells);
	for (size_t i = 0; i < b->ncols; i++)
		set_data_or_die(ln, i, cells[i]);
	return ln;
}

/* N rows from C in a table of their own (FIRST: with the headings). */
static int print_chunk(const struct table_buf *b, table_buf_mktable_fn *mk, void *arg,
                       struct tb_cursor *c, size_t n, bool first)
{
	struct libscols_table *tb = mk(arg);
	struct libscols_line *last = NULL, *widths;
	const char **cells = xreallocarray(NULL, b->ncols, sizeof(*cells));
	int r;

	if (scols_table_set_termforce(tb, SCOLS_TERMFORCE_NEVER) < 0 ||
	    (!first && scols_table_enable_noheadings(tb, 1) < 0)) {
		scols_unref_table(tb);
		free(cells);
		return -EINVAL;
	}
	for (size_t i = 0; i < n; i++)
		last = row_line(b, tb, c, cells);
	free(cells);
	widths = new_line(tb);
	for (size_t i = 0; i < b->ncols; i++)
		set_data_or_die(widths, i, b->widest[i]);
	r = scols_table_print_range(tb, NULL, last);
	scols_unref_table(tb);
	return r;
}

int table_buf_print(const struct table_buf *b, table_buf_mktable_fn *mk, void *arg,
                    size_t chunk)
{
	struct tb_cursor c = { .k = b->head };
	size_t done = 0;

	if (chunk == 0)
		chunk = TABLE_BUF_CHUNK;
	while (done < b->nrows) {
		size_t n = b->nrows - done < chunk ? b->nrows - done : chunk;
		int r = print_chunk(b, mk, arg, &c, n, done == 0);

		if (r < 0)
			return r;
		done += n;
	}
	return 0;
}
