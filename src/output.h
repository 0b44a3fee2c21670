/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Building and printing procexe's tables (table, raw) and process rows
 * (also as schema v1 JSON). */
#ifndef PROCEXE_OUTPUT_H
#define PROCEXE_OUTPUT_H

#include <stdbool.h>
#include <sys/types.h>

#include "columns.h"

struct procexe_proc;

enum out_format {
	OUT_TABLE,      /* libsmartcols table, aligned columns */
	OUT_RAW,        /* one line per row, fields separated by one space */
	OUT_JSON,       /* schema v1 document (json.h), pretty */
	OUT_JSONL,      /* schema v1, one object per line, summary last */
};

struct out_opts {
	enum out_format format;
	bool noheadings;
};

/* The table options every listing command takes: -o, -J, --jsonl, -r,
 * -n, -H.  Commands give --jsonl the value OPT_JSONL in their longopts. */
#define OPT_JSONL 0x4a4c    /* above CHAR_MAX, below every command's own */
#define TABLE_LONGOPTS \
	{ "output",       required_argument, NULL, 'o' }, \
	{ "json",         no_argument,       NULL, 'J' }, \
	{ "jsonl",        no_argument,       NULL, OPT_JSONL }, \
	{ "raw",          no_argument,       NULL, 'r' }, \
	{ "noheadings",   no_argument,       NULL, 'n' }, \
	{ "list-columns", no_argument,       NULL, 'H' }
struct table_args {
	const char *output;     /* -o LIST, NULL: the defaults */
	bool json, jsonl, raw, noheadings, list_columns;
};
/* Take option C (with ARG) when it is one of them; false otherwise. */
bool table_option(struct table_args *ta, int c, const char *arg);
/* The output options they ask for; usage_error() for --json with --raw. */
void table_args_opts(const struct table_args *ta, struct out_opts *ret);

struct output;
struct summary;

/*
 * A new, empty process listing with the columns COLS (copied) for the
 * schema v1 command COMMAND ("scan" or "ls", static).  Never NULL: out of
 * memory ends the program.  Nothing is written yet.
 */
struct output *output_new(const struct out_opts *opts, const struct colset *cols,
                          const char *command);
void output_free(struct output *out);

/*
 * Add one row for PROC (PROC may be freed after).  A table keeps a copy
 * of the values; JSON writes the row to stdout at once (--jsonl: a line,
 * flushed), with a key per selected column, null for a value unknown.
 */
void output_add_proc(struct output *out, const struct procexe_proc *proc);

/*
 * Print the table to stdout; for JSON, end the output with the summary S
 * (the "summary" member of the -J document, or the last --jsonl line), so
 * S->exit_status must be final.  S is unused for a table and may be NULL
 * there.  Returns 0, or a negative errno (-EIO for a write error).
 */
int output_print(struct output *out, const struct summary *s);

/* --list-columns: print the column table to stdout; 0 or a negative errno. */
int output_list_columns(const struct out_opts *opts);

/* --list-columns for another command's column TABLE of N entries. */
int out_list_columns(const struct out_opts *opts, const struct colinfo *table, size_t n);

/*
 * Tables of other commands, with the same escaping and formats.  Cells are
 * built with out_text_cell() (untrusted bytes, escaped for OPTS' format;
 * NULL for none) or as plain ASCII words and numbers, and handed over
 * with out_set_cell() (which takes ownership; NULL is no value).
 */
struct libscols_table;
struct libscols_line;
struct libscols_table *out_table_new(const struct out_opts *opts, const char *name,
                                     const struct colinfo *table, const struct colset *cols);
struct libscols_line *out_table_new_line(struct libscols_table *tb);
void out_set_cell(struct libscols_line *ln, size_t n, char *data);
char *out_text_cell(const struct out_opts *opts, const char *buf, size_t len);
/* The cell of process column COL (COL_PID, COL_PPID, COL_UID, COL_USER,
 * COL_COMM or COL_CGROUP) as the scan prints it; NULL for no value. */
struct users;
char *out_proc_cell(const struct out_opts *opts, struct users *users, int col,
                    const struct procexe_proc *proc);
int out_table_print(const struct out_opts *opts, struct libscols_table *tb);
/*
 * The same for many rows, without holding them in libsmartcols: table
 * output that is not a terminal and raw output keep the rows compactly
 * (table-buf.h) and print them in chunks, byte for byte as
 * out_table_print() prints the whole table; other formats, a terminal or
 * a COLTYPE_NUMBERS column keep one table.  Rows are printed by
 * out_rows_print() only.  out_rows_set() gives cell N of the row begun
 * by the last out_rows_new_line() the string DATA (taken over; NULL: no
 * value).  Never NULL; out of memory ends the program.
 */
struct out_rows;
struct out_rows *out_rows_new(const struct out_opts *opts, const char *name,
                              const struct colinfo *table, const struct colset *cols);
void out_rows_new_line(struct out_rows *r);
void out_rows_set(struct out_rows *r, size_t n, char *data);
/* 0, or a negative errno (-EIO for a write error of raw output). */
int out_rows_print(struct out_rows *r);
void out_rows_free(struct out_rows *r);
/* Process column COL of PROC (as out_proc_cell()) as a schema v1 JSON
 * member KEY: a number, text, or null for no value. */
struct json;
void out_proc_json(struct json *j, const char *key, struct users *users, int col,
                   const struct procexe_proc *proc);

/*
 * What a run could not see (procexe(1), EXIT STATUS).  A record without
 * read facts (state unreachable with an errno: timed out or unreadable) is
 * "unread"; with MAPS, a process (not denied) whose mapping list is
 * incomplete counts too, unless it ended because the process exited
 * (ESRCH, ENOENT).  Named PIDs missing from the list are "missing"; the
 * other PIDs the kernel confirmed gone, and with MAPS the processes that
 * exited while their mappings were read, "exited" (not inconclusive).
 */
struct unseen {
	size_t ntimeout, nunreadable, nmaps, nmissing, nexited;
	size_t nnamed_denied;   /* named PIDs the kernel denied: not seen either */
};
struct procexe_list;
bool proc_unread(const struct procexe_proc *proc);
/* "timeout", "unreadable", "maps-incomplete" (with MAPS), or NULL: fully seen. */
const char *unseen_reason(const struct procexe_proc *proc, bool maps);
/* Add LIST's counts to U; PIDS: the named PIDs (NULL, 0 for a whole-host run). */

/*
 * What was not seen, record by record as a scan hands them out: the
 * messages of unseen_log_report() for the records not seen whole, and,
 * for each named PID, whether a record came.  Only unseen records and
 * named PIDs cost memory.
 */
enum { NAMED_MISSING, NAMED_SEEN, NAMED_DENIED };
struct unseen_log {
	const pid_t *pids;      /* the named PIDs (borrowed), NPIDS of them */
	size_t npids;
	size_t *order;          /* indexes of PIDS, sorted by PID */
	unsigned char *named;   /* per named PID: NAMED_* */
	char **denied;          /* per named PID denied: its message */
	char **lines;           /* per record not seen whole: its message */
	size_t nlines;
};
/* PIDS (may be NULL) must outlive L. */
void unseen_log_init(struct unseen_log *l, const pid_t *pids, size_t npids);
/* Count PROC into U if it was not seen whole; note it in L. */
void unseen_add(struct unseen *u, struct unseen_log *l, const struct procexe_proc *proc,
                bool maps);
/* After the last record: the named PIDs missing or denied, and the
 * processes that exited (VANISHED less the named PIDs missing). */
void unseen_finish(struct unseen *u, const struct unseen_log *l, size_t vanished);
/* The lines on stderr about what U counts, from L. */
void unseen_log_report(const struct unseen *u, const struct unseen_log *l);
void unseen_log_free(struct unseen_log *l);

/* On stderr, when NDENIED > 0: how many processes were denied, and why
 * (denial_advice()): the one wording of the scan and restart. */
void denial_report(size_t ndenied);
/* Whether the run is inconclusive (EXIT_INCOMPLETE unless something was found). */
bool unseen_any(const struct unseen *u);

/* Why procexe_ctx_new() refused a procfs path (its negative errno R). */
const char *procfs_strerror(int r);

#endif /* PROCEXE_OUTPUT_H */
