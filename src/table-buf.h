/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The rows of a libsmartcols table kept compactly until printed, then
 * handed to libsmartcols a chunk at a time: the output is byte for byte
 * what scols_print_table() prints for one table holding every row, while
 * only one chunk of rows lives in libsmartcols at a time.
 */
#ifndef PROCEXE_TABLE_BUF_H
#define PROCEXE_TABLE_BUF_H

#include <stddef.h>

struct libscols_table;
struct table_buf;

/* Rows are printed in chunks of this many. */
#define TABLE_BUF_CHUNK 256

/* A new, empty buffer for rows of NCOLS cells (NCOLS > 0).  Never NULL:
 * out of memory ends the program. */
struct table_buf *table_buf_new(size_t ncols);
void table_buf_free(struct table_buf *b);

/*
 * Append a row: CELLS holds NCOLS cells, each NULL (no value) or a string
 * that is copied (the caller keeps CELLS).  The width of each cell is
 * measured as libsmartcols measures it with its encoding off (terminal
 * cells of the printable characters), so cells are expected to hold no
 * control characters.
 */
void table_buf_add(struct table_buf *b, char *const *cells);

/* The number of rows added. */
size_t table_buf_count(const struct table_buf *b);

/* FN(ARG, CELLS) for each row in order: CELLS holds its NCOLS cells (NULL:
 * no value), valid during the call only. */
void table_buf_each(const struct table_buf *b, void (*fn)(void *arg, const char *const *cells),
                    void *arg);

/*
 * Makes a new libsmartcols table without lines, with the NCOLS columns
 * and the settings (stream, noheadings, noencoding...) of the output.
 * Never NULL.  Column widths must follow from the cells alone: no
 * wrapping, no SCOLS_FL_NOEXTREMES, a human-readable (not JSON, raw or
 * export) non-tree table.
 */
typedef struct libscols_table *table_buf_mktable_fn(void *arg);

/*
 * Print the rows (none: nothing at all) as scols_print_table() prints a
 * table made by MK holding them all, to a stream that is not a terminal
 * (each chunk's table is set to SCOLS_TERMFORCE_NEVER: on a terminal
 * libsmartcols fits the widths to the terminal from statistics of every
 * row, which chunks cannot reproduce).  CHUNK rows at a time (0: the
 * default, TABLE_BUF_CHUNK).  The rows are kept.  Returns 0, or the
 * negative errno of libsmartcols.
 */
int table_buf_print(const struct table_buf *b, table_buf_mktable_fn *mk, void *arg,
                    size_t chunk);

#endif /* PROCEXE_TABLE_BUF_H */
