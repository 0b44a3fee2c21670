/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Building and printing procexe's tables (table, raw, JSON). */
#ifndef PROCEXE_OUTPUT_H
#define PROCEXE_OUTPUT_H

#include <stdbool.h>

#include "columns.h"

struct procexe_proc;

enum out_format {
	OUT_TABLE,      /* libsmartcols table, aligned columns */
	OUT_RAW,        /* one line per row, fields separated by one space */
	OUT_JSON,       /* libsmartcols JSON: {"NAME": [ {...}, ... ]} */
};

struct out_opts {
	enum out_format format;
	bool noheadings;
};

struct output;

/*
 * A new, empty process table with the columns COLS (copied) under the
 * JSON name NAME (e.g. "processes").  Never NULL: out of memory ends the
 * program.
 */
struct output *output_new(const struct out_opts *opts, const struct colset *cols,
                          const char *name);
void output_free(struct output *out);

/* Append one row for PROC (values are copied; PROC may be freed after). */
void output_add_proc(struct output *out, const struct procexe_proc *proc);

/* Print the table to stdout: 0, or a negative errno. */
int output_print(struct output *out);

/* --list-columns: print the column table to stdout; 0 or a negative errno. */
int output_list_columns(const struct out_opts *opts);

#endif /* PROCEXE_OUTPUT_H */
