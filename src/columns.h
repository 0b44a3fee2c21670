/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The output columns of procexe: one table (infos[]) drives -o parsing,
 * --list-columns, the libsmartcols column set-up and the JSON types.
 */
#ifndef PROCEXE_COLUMNS_H
#define PROCEXE_COLUMNS_H

#include <stddef.h>

enum {
	COL_PID = 0,
	COL_PPID,
	COL_UID,
	COL_USER,
	COL_COMM,
	COL_STATE,
	COL_EXE,
	COL_LOADER,
	COL_LINK,
	COL_DELETED,
	COL_MODIFIED,
	COL_NLINK,
	COL_DEV,
	COL_INODE,
	COL_SIZE,
	COL_MODE,
	COL_MNTID,
	COL_ROOT,
	COL_START,
	COL_CMDLINE,
	COL_CGROUP,
	COL_ERROR,
	_COL_MAX
};

/* How a column's value is typed in JSON output. */
enum col_type {
	COLTYPE_STRING,
	COLTYPE_NUMBER,
	COLTYPE_BOOLEAN,
	COLTYPE_NUMBERS,        /* a list of numbers: one per line in the cell data,
	                           a JSON array (table and raw: give a comma list) */
};

struct colinfo {
	const char *name;       /* upper case; JSON keys are its lower case */
	double whint;           /* libsmartcols width hint */
	int flags;              /* SCOLS_FL_* */
	enum col_type type;
	unsigned details;       /* PROCEXE_DETAIL_* bits the value needs */
	const char *help;       /* one line for --list-columns */
};

/* Indexed by COL_*; every entry is set. */
extern const struct colinfo infos[_COL_MAX];

/* "string", "number" or "boolean". */
const char *col_type_name(enum col_type type);

/* An ordered list of distinct column ids. */
struct colset {
	size_t n;
	int ids[_COL_MAX];
};

/* The default columns of the scan (no command) and of "ls". */
extern const struct colset default_scan_columns;
extern const struct colset default_ls_columns;

/* Every column, in table order (--output-all). */
void colset_all(struct colset *ret);

/* The PROCEXE_DETAIL_* bits the columns of SET need from the library. */
unsigned colset_details(const struct colset *set);

/* The id of the column named by LEN bytes at NAME (case-insensitive), or -1. */
int column_by_name(const char *name, size_t len);

/*
 * Parse an -o argument into *RET.  LIST is comma-separated column names
 * (case-insensitive); when it starts with '+' the names are appended to
 * DEFAULTS.  A column named twice (or already among the defaults) is kept
 * once, at its first position.
 *
 * Returns 0, or -EINVAL when an element is empty or names no column; then
 * *RET_BAD and *RET_BADLEN locate the offending element inside LIST
 * (*RET_BADLEN is 0 for an empty element) and *RET is not written.
 */
int colset_parse(const char *list, const struct colset *defaults,
                 struct colset *ret, const char **ret_bad, size_t *ret_badlen);

/*
 * The same for another command's column TABLE of N entries (N at most
 * _COL_MAX): ids index TABLE.
 */
unsigned colset_details_in(const struct colinfo *table, const struct colset *set);
int column_by_name_in(const struct colinfo *table, size_t n, const char *name, size_t len);
int colset_parse_in(const struct colinfo *table, size_t n, const char *list,
                    const struct colset *defaults, struct colset *ret,
                    const char **ret_bad, size_t *ret_badlen);

#endif /* PROCEXE_COLUMNS_H */
