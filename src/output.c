/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Output of procexe: tables through libsmartcols (2.38 API only), the
 * process rows of the scan and "ls" as JSON through the one JSON writer
 * (json.h, schema v1).
 *
 * Every table cell is built here as a string that is already safe for the
 * chosen format (see escape.c for the rules), and libsmartcols's own
 * encoding is off.  An unknown value is no data at all, which libsmartcols
 * prints as an empty cell in a table and as null in JSON.  Raw output is
 * printed by print_raw() instead of libsmartcols's raw mode, which would
 * escape the backslashes of our escapes a second time.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include <libsmartcols.h>

#include "procexe.h"

#include "cli.h"
#include "commands.h"
#include "diagnose.h"
#include "escape.h"
#include "json.h"
#include "output.h"
#include "summary.h"
#include "table-buf.h"
#include "users.h"

struct output {
	struct out_opts opts;
	struct colset cols;
	/* OUT_TABLE: the rows in a table_buf, printed in chunks; on a
	 * terminal (whose width libsmartcols fits the table to, from every
	 * row) in one libsmartcols table.  OUT_RAW is written row by row. */
	struct table_buf *rows;
	struct libscols_table *tb;
	struct json *json;              /* OUT_JSON, OUT_JSONL */
	const char *command;            /* "scan", "ls" (static) */
	bool started;                   /* -J: the document is open; -r: a row written */
	struct users *users;
};

/* Everything one row needs from the library, fetched once. */
struct row_facts {
	const struct procexe_proc *proc;
	unsigned flags;
	struct procexe_image img;       /* the main program */
	struct procexe_image ldr;       /* the ELF interpreter, with PF_LOADER */
	bool have_img, have_ldr;
};

/* ---------------------------------------------------------------- table --- */

static struct libscols_table *new_table(const struct out_opts *opts, const char *name)
{
	struct libscols_table *tb = xcheck(scols_new_table());

	if (scols_table_set_name(tb, name) < 0)
		errx_("%s", strerror(ENOMEM));
	scols_table_enable_json(tb, opts->format == OUT_JSON);
	scols_table_enable_noheadings(tb, opts->noheadings);
	/*
	 * Cells arrive escaped (text_cell()); libsmartcols's encoding would
	 * escape our escapes again.  Without it, libsmartcols loops forever on
	 * a character of width -1, which escape_unprintable() rules out.
	 */
	scols_table_enable_noencoding(tb, 1);
	return tb;
}

static void add_column(const struct out_opts *opts, struct libscols_table *tb,
                       const char *name, double whint, int flags, enum col_type type)
{
	struct libscols_column *cl;
	int json_type;

	cl = scols_table_new_column(tb, name, whint, flags);
	if (!cl)
		errx_("%s", strerror(ENOMEM));
	/*
	 * libsmartcols 2.38 prints a BOOLEAN cell without data as false, but
	 * an unknown value must be null: boolean columns are typed NUMBER,
	 * which prints its data as is (we give "true"/"false") and null when
	 * there is none.
	 */
	json_type = type == COLTYPE_STRING  ? SCOLS_JSON_STRING :
	            type == COLTYPE_NUMBERS ? SCOLS_JSON_ARRAY_NUMBER : SCOLS_JSON_NUMBER;
	if (scols_column_set_json_type(cl, json_type) < 0)
		errx_("%s", strerror(ENOMEM));
	/* libsmartcols makes a JSON array of a cell's lines only for a
	 * column wrapped at newlines. */
	if (type == COLTYPE_NUMBERS &&
	    (scols_column_set_flags(cl, flags | SCOLS_FL_WRAP) < 0 ||
	     scols_column_set_wrapfunc(cl, scols_wrapnl_chunksize, scols_wrapnl_nextchunk,
	                               NULL) < 0))
		errx_("%s", strerror(ENOMEM));
}

/* Give the cell N of LN the string DATA (may be NULL: no value). */
static void set_cell(struct libscols_line *ln, size_t n, char *data)
{
	if (!data)
		return;
	if (scols_line_refer_data(ln, n, data) < 0) {
		free(data);
		errx_("%s", strerror(ENOMEM));
	}
}

/*
 * Raw output: the header line (unless -n) and one line per row, cells
 * separated by one space, in column order.  Cells hold no space, control
 * character or newline (escape_text() with ESCAPE_BLANK, or plain words),
 * so every line splits back into its fields.
 */
static int print_raw(const struct out_opts *opts, struct libscols_table *tb)
{
	size_t ncols = scols_table_get_ncols(tb);
	struct libscols_iter *itr;
	struct libscols_line *ln;

	/* Like libsmartcols's other formats: no rows, no header either. */
	if (scols_table_is_empty(tb))
		return 0;
	if (!opts->noheadings) {
		for (size_t i = 0; i < ncols; i++) {
			struct libscols_column *cl = scols_table_get_column(tb, i);
			const char *name = cl ? scols_column_get_name(cl) : NULL;

			if (i)
				fputc(' ', stdout);
			fputs(name ? name : "", stdout);
		}
		fputc('\n', stdout);
	}
	itr = xcheck(scols_new_iter(SCOLS_ITER_FORWARD));
	while (scols_table_next_line(tb, itr, &ln) == 0) {
		for (size_t i = 0; i < ncols; i++) {
			struct libscols_cell *ce = scols_line_get_cell(ln, i);
			const char *data = ce ? scols_cell_get_data(ce) : NULL;

			if (i)
				fputc(' ', stdout);
			fputs(data ? data : "", stdout);
		}
		fputc('\n', stdout);
	}
	scols_free_iter(itr);
	return ferror(stdout) ? -EIO : 0;
}

static int print_table(const struct out_opts *opts, struct libscols_table *tb)
{
	if (opts->format == OUT_RAW)
		return print_raw(opts, tb);
	return scols_print_table(tb);
}

/* ---------------------------------------------------------------- cells --- */

/* Second pass of table cells: what the locale cannot print, as \xHH. */
static char *table_text(char *escaped)
{
	char *cell = xcheck(escape_unprintable(xcheck(escaped)));

	free(escaped);
	return cell;
}

/* LEN bytes of untrusted text, escaped for the output format; NULL if none. */
static char *text_cell(const struct output *out, const char *buf, size_t len)
{
	if (!buf || len == 0)
		return NULL;
	switch (out->opts.format) {
	case OUT_JSON:
	case OUT_JSONL:
		return xcheck(escape_json(buf, len));
	case OUT_RAW:
		return xcheck(escape_text(buf, len, ESCAPE_BLANK));
	case OUT_TABLE:
		break;
	}
	return table_text(escape_text(buf, len, 0));
}

static char *str_cell(const struct output *out, const char *s)
{
	return s ? text_cell(out, s, strlen(s)) : NULL;
}

static char *u64_cell(uint64_t v)
{
	return xasprintf("%" PRIu64, v);
}

static char *bool_cell(const struct output *out, bool v)
{
	if (out->opts.format == OUT_JSON)
		return xstrdup(v ? "true" : "false");
	return xstrdup(v ? "1" : "0");
}

/* The command line of PROC, its NUL separators as spaces, unescaped, in a
 * new buffer of *RET_LEN bytes (not terminated); NULL when there is none. */
static char *cmdline_joined(const struct procexe_proc *proc, size_t *ret_len)
{
	size_t len = 0;
	const char *cmd = procexe_proc_cmdline(proc, &len);
	char *copy;

	if (!cmd)
		return NULL;
	while (len > 0 && cmd[len - 1] == '\0')
		len--;                  /* the terminator of the last argument */
	if (len == 0)
		return NULL;
	copy = xmalloc(len);
	for (size_t i = 0; i < len; i++)
		copy[i] = cmd[i] == '\0' ? ' ' : cmd[i];
	*ret_len = len;
	return copy;
}

/* The command line, escaped. */
static char *cmdline_cell(const struct output *out, const struct procexe_proc *proc)
{
	size_t len = 0;
	char *copy = cmdline_joined(proc, &len), *cell;

	if (!copy)
		return NULL;
	cell = text_cell(out, copy, len);
	free(copy);
	return cell;
}

/* ISO 8601 local time with a numeric zone, e.g. 2026-11-23T12:50:55+0000. */
static char *start_cell(const struct procexe_proc *proc)
{
	uint64_t ns = procexe_proc_start_ns(proc);
	time_t sec;
	struct tm tm;
	char buf[64];

	if (ns == 0)
		return NULL;
	sec = (time_t)(ns / 1000000000u);
	if (!localtime_r(&sec, &tm))
		return NULL;
	if (strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S%z", &tm) == 0)
		return NULL;
	return xstrdup(buf);
}

static char *user_cell(struct output *out, const struct procexe_proc *proc)
{
	uid_t uid = procexe_proc_uid(proc);
	const char *name;

	if (uid == (uid_t)-1)
		return NULL;
	name = users_name(out->users, uid);
	if (name && *name)
		return str_cell(out, name);
	return xasprintf("%ju", (uintmax_t)uid);
}

/* Is the image's link count known?  (A library may mark it UINT64_MAX.) */
static bool have_nlink(const struct row_facts *f)
{
	return f->have_img && f->img.have_stat && f->img.nlink != UINT64_MAX;
}

/* The columns about the process itself, shared with other commands'
 * tables (out_proc_cell()); NULL for any other column. */
static char *proc_cell(struct output *out, int col, const struct procexe_proc *proc)
{
	switch (col) {
	case COL_PID:
		return xasprintf("%jd", (intmax_t)procexe_proc_pid(proc));
	case COL_PPID: {
		pid_t ppid = procexe_proc_ppid(proc);

		return ppid < 0 ? NULL : xasprintf("%jd", (intmax_t)ppid);
	}
	case COL_UID: {
		uid_t uid = procexe_proc_uid(proc);

		return uid == (uid_t)-1 ? NULL : xasprintf("%ju", (uintmax_t)uid);
	}
	case COL_USER:
		return user_cell(out, proc);
	case COL_COMM:
		return str_cell(out, procexe_proc_comm(proc));
	case COL_CGROUP:
		return str_cell(out, procexe_proc_cgroup(proc));
	}
	return NULL;
}

static char *cell_value(struct output *out, int col, const struct row_facts *f)
{
	const struct procexe_proc *proc = f->proc;
	const struct procexe_image *img = &f->img;
	bool st = f->have_img && img->have_stat;

	switch (col) {
	case COL_PID:
	case COL_PPID:
	case COL_UID:
	case COL_USER:
	case COL_COMM:
	case COL_CGROUP:
		return proc_cell(out, col, proc);
	case COL_STATE:
		return str_cell(out, procexe_state_name(procexe_proc_state(proc)));
	case COL_EXE:
		return f->have_img ? text_cell(out, img->launch_path, img->launch_path_len) : NULL;
	case COL_LOADER:
		return f->have_ldr ? text_cell(out, f->ldr.path, f->ldr.path_len) : NULL;
	case COL_LINK:
		/* The exe link names the interpreter for loader launches. */
		if (f->flags & PROCEXE_PF_LOADER)
			return f->have_ldr ? text_cell(out, f->ldr.path, f->ldr.path_len) : NULL;
		return f->have_img ? text_cell(out, img->path, img->path_len) : NULL;
	case COL_DELETED:
		return have_nlink(f) ? bool_cell(out, img->nlink == 0) : NULL;
	case COL_MODIFIED:
		return bool_cell(out, f->flags & PROCEXE_PF_MODIFIED);
	case COL_NLINK:
		return have_nlink(f) ? u64_cell(img->nlink) : NULL;
	case COL_DEV:
		return st ? xasprintf("%u:%u", major(img->dev), minor(img->dev)) : NULL;
	case COL_INODE:
		return st ? u64_cell(img->ino) : NULL;
	case COL_SIZE:
		return st ? u64_cell(img->size) : NULL;
	case COL_MODE:
		return st ? xasprintf("%04o", (unsigned)(img->mode & 07777)) : NULL;
	case COL_MNTID:
		return st && img->mnt_id ? u64_cell(img->mnt_id) : NULL;
	case COL_ROOT:
		return str_cell(out, procexe_proc_root(proc));
	case COL_START:
		return start_cell(proc);
	case COL_CMDLINE:
		return cmdline_cell(out, proc);
	case COL_ERROR: {
		int e = procexe_proc_errno(proc);

		return e ? str_cell(out, strerror(e < 0 ? -e : e)) : NULL;
	}
	}
	return NULL;
}

/* ------------------------------------------------------------- JSON --- */

/* LEN bytes of untrusted text as a JSON string (escaped by the writer);
 * null when there are none. */
static void json_text(struct json *j, const char *key, const char *buf, size_t len)
{
	if (buf && len > 0)
		json_bytes(j, key, buf, len);
	else
		json_null(j, key);
}

static void json_text_str(struct json *j, const char *key, const char *s)
{
	json_text(j, key, s, s ? strlen(s) : 0);
}

void out_proc_json(struct json *j, const char *key, struct users *users, int col,
                   const struct procexe_proc *proc)
{
	pid_t ppid;
	uid_t uid;

	switch (col) {
	case COL_PID:
		json_int(j, key, procexe_proc_pid(proc));
		return;
	case COL_PPID:
		ppid = procexe_proc_ppid(proc);
		if (ppid < 0)
			json_null(j, key);
		else
			json_int(j, key, ppid);
		return;
	case COL_UID:
	case COL_USER:
		uid = procexe_proc_uid(proc);
		if (uid == (uid_t)-1)
			json_null(j, key);
		else if (col == COL_UID)
			json_uint(j, key, uid);
		else
			json_text_str(j, key, users_name(users, uid));
		return;
	case COL_COMM:
		json_text_str(j, key, procexe_proc_comm(proc));
		return;
	case COL_CGROUP:
		json_text_str(j, key, procexe_proc_cgroup(proc));
		return;
	}
	json_null(j, key);
}

/* The columns about the process's image and start, typed per schema v1. */
static void image_json(struct json *j, const char *key, int col, const struct row_facts *f)
{
	const struct procexe_image *img = &f->img;
	bool st = f->have_img && img->have_stat;

	if (col == COL_DELETED && have_nlink(f))
		json_bool(j, key, img->nlink == 0);
	else if (col == COL_NLINK && have_nlink(f))
		json_uint(j, key, img->nlink);
	else if (col == COL_DEV && st)
		json_dev(j, key, img->dev);
	else if (col == COL_INODE && st)
		json_uint(j, key, img->ino);
	else if (col == COL_SIZE && st)
		json_uint(j, key, img->size);
	else if (col == COL_MODE && st)
		json_mode(j, key, img->mode);
	else if (col == COL_MNTID && st && img->mnt_id)
		json_uint(j, key, img->mnt_id);
	else
		json_null(j, key);
}

/* The JSON key of column COL: its name in lower case, in BUF. */
static const char *column_key(int col, char *buf, size_t size)
{
	const char *name = infos[col].name;
	size_t i;

	for (i = 0; name[i] && i + 1 < size; i++)
		buf[i] = (char)(name[i] >= 'A' && name[i] <= 'Z' ? name[i] - 'A' + 'a' : name[i]);
	buf[i] = '\0';
	return buf;
}

/* Member COL of a process row. */
static void row_json(struct output *out, int col, const struct row_facts *f)
{
	const struct procexe_proc *proc = f->proc;
	struct json *j = out->json;
	char buf[32];
	const char *key = column_key(col, buf, sizeof(buf));
	size_t clen = 0;
	char *cmd;
	int e;

	switch (col) {
	case COL_STATE:
		json_str(j, key, procexe_state_name(procexe_proc_state(proc)));
		break;
	case COL_EXE:
		json_text(j, key, f->have_img ? f->img.launch_path : NULL, f->img.launch_path_len);
		break;
	case COL_LOADER:
		json_text(j, key, f->have_ldr ? f->ldr.path : NULL, f->ldr.path_len);
		break;
	case COL_LINK:
		/* The exe link names the interpreter for loader launches. */
		if (f->flags & PROCEXE_PF_LOADER)
			json_text(j, key, f->have_ldr ? f->ldr.path : NULL, f->ldr.path_len);
		else
			json_text(j, key, f->have_img ? f->img.path : NULL, f->img.path_len);
		break;
	case COL_MODIFIED:
		/* unknown (null) without the image's stat: nothing was compared */
		if (f->have_img && f->img.have_stat)
			json_bool(j, key, f->flags & PROCEXE_PF_MODIFIED);
		else
			json_null(j, key);
		break;
	case COL_DELETED: case COL_NLINK: case COL_DEV: case COL_INODE:
	case COL_SIZE: case COL_MODE: case COL_MNTID:
		image_json(j, key, col, f);
		break;
	case COL_ROOT:
		json_text_str(j, key, procexe_proc_root(proc));
		break;
	case COL_START:
		if (procexe_proc_start_ns(proc))
			json_time(j, key, procexe_proc_start_ns(proc));
		else
			json_null(j, key);
		break;
	case COL_CMDLINE:
		cmd = cmdline_joined(proc, &clen);
		json_text(j, key, cmd, clen);
		free(cmd);
		break;
	case COL_ERROR:
		e = procexe_proc_errno(proc);
		json_str(j, key, e ? strerror(e < 0 ? -e : e) : NULL);
		break;
	default:
		out_proc_json(j, key, out->users, col, proc);
	}
}

/* -J: the document's head and the opening of its "processes" array. */
static void json_start(struct output *out)
{
	if (out->started)
		return;
	json_begin_document(out->json, out->command, NULL);
	json_open_array(out->json, "processes");
	out->started = true;
}

/* One process row: an element of "processes" (-J), or a whole line
 * (--jsonl), written and (--jsonl) flushed at once. */
static void json_add_row(struct output *out, const struct row_facts *f)
{
	if (out->opts.format == OUT_JSONL) {
		json_begin_document(out->json, out->command, "process");
	} else {
		json_start(out);
		json_open(out->json, NULL);
	}
	for (size_t i = 0; i < out->cols.n; i++)
		row_json(out, out->cols.ids[i], f);
	json_close(out->json);
	if (out->opts.format == OUT_JSONL)
		json_end_line(out->json);
}

/* The end of the output: -J closes "processes" and the document after the
 * summary; --jsonl writes the summary line. */
static void json_finish(struct output *out, const struct summary *s)
{
	if (out->opts.format == OUT_JSONL) {
		summary_line(out->json, s, NULL, NULL);
		return;
	}
	json_start(out);
	json_close_array(out->json);
	summary_member(out->json, s, NULL, NULL);
	json_close(out->json);
	json_end_line(out->json);
}

/*
 * -r: one line per row, written and flushed at once (as --jsonl), in the
 * form of print_raw(); the header line (unless -n) before the first row
 * only.
 */
static void raw_row(struct output *out, const struct row_facts *f)
{
	if (!out->started && !out->opts.noheadings) {
		for (size_t i = 0; i < out->cols.n; i++) {
			if (i)
				fputc(' ', stdout);
			fputs(infos[out->cols.ids[i]].name, stdout);
		}
		fputc('\n', stdout);
	}
	out->started = true;
	for (size_t i = 0; i < out->cols.n; i++) {
		char *cell = cell_value(out, out->cols.ids[i], f);

		if (i)
			fputc(' ', stdout);
		fputs(cell ? cell : "", stdout);
		free(cell);
	}
	fputc('\n', stdout);
	fflush(stdout);
}

/* ------------------------------------------------------------- tables --- */

static bool is_json(const struct out_opts *opts)
{
	return opts->format == OUT_JSON || opts->format == OUT_JSONL;
}

/* A new table with the columns of OUT, no lines (table_buf_mktable_fn). */
static struct libscols_table *process_table(void *arg)
{
	const struct output *out = arg;
	struct libscols_table *tb = new_table(&out->opts, "processes");

	for (size_t i = 0; i < out->cols.n; i++) {
		const struct colinfo *ci = &infos[out->cols.ids[i]];

		add_column(&out->opts, tb, ci->name, ci->whint, ci->flags, ci->type);
	}
	return tb;
}

/* A table row of F, kept in OUT->rows or OUT->tb. */
static void table_row(struct output *out, const struct row_facts *f)
{
	char *cells[_COL_MAX];
	struct libscols_line *ln;

	if (out->rows) {
		for (size_t i = 0; i < out->cols.n; i++)
			cells[i] = cell_value(out, out->cols.ids[i], f);
		table_buf_add(out->rows, cells);
		for (size_t i = 0; i < out->cols.n; i++)
			free(cells[i]);
		return;
	}
	ln = scols_table_new_line(out->tb, NULL);
	if (!ln)
		errx_("%s", strerror(ENOMEM));
	for (size_t i = 0; i < out->cols.n; i++)
		set_cell(ln, i, cell_value(out, out->cols.ids[i], f));
}

struct output *output_new(const struct out_opts *opts, const struct colset *cols,
                          const char *command)
{
	struct output *out = xmalloc(sizeof(*out));

	*out = (struct output){
		.opts = *opts,
		.cols = *cols,
		.command = command,
		.users = users_new(),
	};
	if (is_json(opts)) {
		out->json = json_new(stdout, opts->format == OUT_JSON);
		return out;
	}
	if (opts->format == OUT_RAW)
		return out;     /* written row by row: raw_row() */
	if (isatty(STDOUT_FILENO))
		out->tb = process_table(out);
	else
		out->rows = table_buf_new(cols->n);
	return out;
}

void output_free(struct output *out)
{
	if (!out)
		return;
	table_buf_free(out->rows);
	scols_unref_table(out->tb);
	json_free(out->json);
	users_free(out->users);
	free(out);
}

void output_add_proc(struct output *out, const struct procexe_proc *proc)
{
	struct row_facts f = { .proc = proc, .flags = procexe_proc_flags(proc) };

	f.img.sz = sizeof(f.img);
	f.have_img = procexe_proc_image(proc, false, &f.img) == 0;
	if (f.flags & PROCEXE_PF_LOADER) {
		f.ldr.sz = sizeof(f.ldr);
		f.have_ldr = procexe_proc_image(proc, true, &f.ldr) == 0;
	}
	if (out->json) {
		json_add_row(out, &f);
		return;
	}
	if (out->opts.format == OUT_RAW)
		raw_row(out, &f);
	else
		table_row(out, &f);
}

int output_print(struct output *out, const struct summary *s)
{
	if (out->rows)
		return table_buf_print(out->rows, process_table, out, 0);
	if (out->tb)
		return print_table(&out->opts, out->tb);
	if (!out->json)
		return fflush(stdout) != 0 || ferror(stdout) ? -EIO : 0;
	json_finish(out, s);
	if (fflush(stdout) != 0 || ferror(stdout))
		return -EIO;
	return 0;
}

int output_list_columns(const struct out_opts *opts)
{
	return out_list_columns(opts, infos, _COL_MAX);
}

/* --list-columns -J: {"schema":1,"command":...,"columns":[...],"summary":{...}}. */
static int list_columns_json(const struct colinfo *table, size_t n)
{
	const char *command = cli_command() ? cli_command() : "scan";
	struct json *j = json_new(stdout, true);
	struct summary sum;

	summary_init(&sum, command);
	json_begin_document(j, command, NULL);
	json_open_array(j, "columns");
	for (size_t i = 0; i < n; i++) {
		json_open(j, NULL);
		json_str(j, "name", table[i].name);
		json_str(j, "type", col_type_name(table[i].type));
		json_str(j, "description", table[i].help);
		json_close(j);
	}
	json_close_array(j);
	summary_member(j, &sum, NULL, NULL);
	json_close(j);
	json_end_line(j);
	json_free(j);
	return ferror(stdout) ? -EIO : 0;
}

int out_list_columns(const struct out_opts *opts, const struct colinfo *table, size_t n)
{
	struct libscols_table *tb;
	struct output fmt = { .opts = *opts };
	int r;

	if (opts->format == OUT_JSONL)
		usage_error("--list-columns prints a table or one JSON document (-J), not --jsonl");
	if (opts->format == OUT_JSON)
		return list_columns_json(table, n);
	tb = new_table(opts, "columns");
	add_column(opts, tb, "NAME", 10, 0, COLTYPE_STRING);
	add_column(opts, tb, "TYPE", 7, 0, COLTYPE_STRING);
	add_column(opts, tb, "DESCRIPTION", 0.7, 0, COLTYPE_STRING);
	for (size_t i = 0; i < n; i++) {
		struct libscols_line *ln = scols_table_new_line(tb, NULL);

		if (!ln)
			errx_("%s", strerror(ENOMEM));
		set_cell(ln, 0, str_cell(&fmt, table[i].name));
		set_cell(ln, 1, str_cell(&fmt, col_type_name(table[i].type)));
		set_cell(ln, 2, str_cell(&fmt, table[i].help));
	}
	r = print_table(opts, tb);
	scols_unref_table(tb);
	return r;
}

/* ----------------------------------------------- tables of other commands --- */

struct libscols_table *out_table_new(const struct out_opts *opts, const char *name,
                                     const struct colinfo *table, const struct colset *cols)
{
	struct libscols_table *tb = new_table(opts, name);

	for (size_t i = 0; i < cols->n; i++) {
		const struct colinfo *ci = &table[cols->ids[i]];

		add_column(opts, tb, ci->name, ci->whint, ci->flags, ci->type);
	}
	return tb;
}

struct libscols_line *out_table_new_line(struct libscols_table *tb)
{
	struct libscols_line *ln = scols_table_new_line(tb, NULL);

	if (!ln)
		errx_("%s", strerror(ENOMEM));
	return ln;
}

void out_set_cell(struct libscols_line *ln, size_t n, char *data)
{
	set_cell(ln, n, data);
}

char *out_proc_cell(const struct out_opts *opts, struct users *users, int col,
                    const struct procexe_proc *proc)
{
	struct output fmt = { .opts = *opts, .users = users };

	return proc_cell(&fmt, col, proc);
}

char *out_text_cell(const struct out_opts *opts, const char *buf, size_t len)
{
	struct output fmt = { .opts = *opts };

	return text_cell(&fmt, buf, len);
}

int out_table_print(const struct out_opts *opts, struct libscols_table *tb)
{
	return print_table(opts, tb);
}

/* ------------------------------------------ rows of other commands --- */

struct out_rows {
	struct out_opts opts;
	const char *name;               /* static */
	const struct colinfo *table;    /* static */
	struct colset cols;
	struct table_buf *buf;          /* kept compactly, printed in chunks */
	struct libscols_table *tb;      /* or kept in one libsmartcols table */
	struct libscols_line *ln;       /* tb: the row being filled */
	char *cells[_COL_MAX];          /* buf: the row being filled */
	bool pending;                   /* buf: CELLS holds a row */
};

struct out_rows *out_rows_new(const struct out_opts *opts, const char *name,
                              const struct colinfo *table, const struct colset *cols)
{
	struct out_rows *r = xmalloc(sizeof(*r));
	bool chunked = opts->format == OUT_RAW ||
	               (opts->format == OUT_TABLE && !isatty(STDOUT_FILENO));

	*r = (struct out_rows){ .opts = *opts, .name = name, .table = table, .cols = *cols };
	/* wrapped (multi-line) cells are measured by line: not by table_buf */
	for (size_t i = 0; i < cols->n; i++)
		chunked = chunked && table[cols->ids[i]].type != COLTYPE_NUMBERS;
	if (chunked && cols->n > 0)
		r->buf = table_buf_new(cols->n);
	else
		r->tb = out_table_new(opts, name, table, cols);
	return r;
}

/* buf: the row being filled into the buffer. */
static void rows_commit(struct out_rows *r)
{
	if (!r->pending)
		return;
	table_buf_add(r->buf, r->cells);
	for (size_t i = 0; i < r->cols.n; i++) {
		free(r->cells[i]);
		r->cells[i] = NULL;
	}
	r->pending = false;
}

void out_rows_new_line(struct out_rows *r)
{
	if (r->tb) {
		r->ln = out_table_new_line(r->tb);
		return;
	}
	rows_commit(r);
	r->pending = true;
}

void out_rows_set(struct out_rows *r, size_t n, char *data)
{
	if (r->tb) {
		set_cell(r->ln, n, data);
		return;
	}
	free(r->cells[n]);
	r->cells[n] = data;
}

static struct libscols_table *rows_table(void *arg)
{
	const struct out_rows *r = arg;

	return out_table_new(&r->opts, r->name, r->table, &r->cols);
}

/* One row of raw output (print_raw()'s form). */
static void raw_cells(void *arg, const char *const *cells)
{
	const struct out_rows *r = arg;

	for (size_t i = 0; i < r->cols.n; i++) {
		if (i)
			fputc(' ', stdout);
		fputs(cells[i] ? cells[i] : "", stdout);
	}
	fputc('\n', stdout);
}

int out_rows_print(struct out_rows *r)
{
	if (r->tb)
		return print_table(&r->opts, r->tb);
	rows_commit(r);
	if (r->opts.format != OUT_RAW)
		return table_buf_print(r->buf, rows_table, r, 0);
	if (table_buf_count(r->buf) == 0)
		return 0;       /* like print_raw(): no rows, no header either */
	if (!r->opts.noheadings) {
		for (size_t i = 0; i < r->cols.n; i++) {
			if (i)
				fputc(' ', stdout);
			fputs(r->table[r->cols.ids[i]].name, stdout);
		}
		fputc('\n', stdout);
	}
	table_buf_each(r->buf, raw_cells, r);
	return ferror(stdout) ? -EIO : 0;
}

void out_rows_free(struct out_rows *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->cols.n; i++)
		free(r->cells[i]);
	table_buf_free(r->buf);
	scols_unref_table(r->tb);
	free(r);
}

bool table_option(struct table_args *ta, int c, const char *arg)
{
	switch (c) {
	case 'o':
		ta->output = arg;
		return true;
	case 'J':
		ta->json = true;
		return true;
	case 'r':
		ta->raw = true;
		return true;
	case 'n':
		ta->noheadings = true;
		return true;
	case 'H':
		ta->list_columns = true;
		return true;
	case OPT_JSONL:
		ta->jsonl = true;
		return true;
	}
	return false;
}

void table_args_opts(const struct table_args *ta, struct out_opts *ret)
{
	if ((ta->json || ta->jsonl) && ta->raw)
		usage_error("--json, --jsonl and --raw are mutually exclusive");
	if (ta->json && ta->jsonl)
		usage_error("--json and --jsonl are mutually exclusive");
	*ret = (struct out_opts){
		.format = ta->jsonl ? OUT_JSONL : ta->json ? OUT_JSON :
			  ta->raw ? OUT_RAW : OUT_TABLE,
		.noheadings = ta->noheadings,
	};
}

/* ------------------------------------------------------ unseen ----- */

bool proc_unread(const struct procexe_proc *proc)
{
	/* not seen whole, and no verdict on its image either */
	return (procexe_proc_attention(proc) & PROCEXE_ATTN_INCOMPLETE) &&
	       procexe_proc_state(proc) == PROCEXE_STATE_UNREACHABLE &&
	       procexe_proc_errno(proc) != 0;
}

/* Why PROC was not seen whole; MAPS: whether its mapping list counts. */
static enum procexe_incomplete unseen_kind(const struct procexe_proc *proc, bool maps)
{
	enum procexe_incomplete why = procexe_proc_incomplete(proc);

	/* the library reports maps-incomplete only when the mappings were
	 * read: MAPS just states what the caller asked for */
	return why == PROCEXE_INCOMPLETE_MAPS && !maps ? PROCEXE_INCOMPLETE_NONE : why;
}

const char *unseen_reason(const struct procexe_proc *proc, bool maps)
{
	return procexe_incomplete_name(unseen_kind(proc, maps));
}

/* Plain words for why PROC was not fully seen; static or in BUF. */
static const char *unseen_words(const struct procexe_proc *proc, bool maps,
                                char *buf, size_t sz)
{
	int e;

	if (proc_unread(proc)) {
		e = procexe_proc_errno(proc);
		if (e == ETIMEDOUT)
			return "timed out: given up on after the per-process deadline "
			       "(2 s of work, or 3 s blocked in the kernel)";
		snprintf(buf, sz, "unreadable: %s", strerror(e));
		return buf;
	}
	if (!maps)
		return NULL;
	e = procexe_proc_maps_errno(proc);
	if (e == E2BIG || e == EFBIG)
		snprintf(buf, sz, "mapping list incomplete: too many mappings (cap reached; %s)",
		         strerror(e));
	else if (e == ETIMEDOUT)
		snprintf(buf, sz, "mapping list incomplete: deadline passed (%s)", strerror(e));
	else
		snprintf(buf, sz, "mapping list incomplete: %s", strerror(e));
	return buf;
}

/* PID N (comm) or PID N as the start of a message; the comm escaped. */
static char *pid_message(const struct procexe_proc *proc, const char *what, bool qmark)
{
	const char *comm = procexe_proc_comm(proc);
	char *scomm = comm && *comm ? safe_text(comm, strlen(comm)) : NULL;
	intmax_t pid = procexe_proc_pid(proc);
	char *msg;

	if (scomm || qmark)
		msg = xasprintf("PID %jd (%s): %s", pid, scomm ? scomm : "?", what);
	else
		msg = xasprintf("PID %jd: %s", pid, what);
	free(scomm);
	return msg;
}

static int cmp_named(const void *a, const void *b, void *pids)
{
	const pid_t *p = pids;
	pid_t x = p[*(const size_t *)a], y = p[*(const size_t *)b];

	return (x > y) - (x < y);
}

void unseen_log_init(struct unseen_log *l, const pid_t *pids, size_t npids)
{
	*l = (struct unseen_log){ .pids = pids, .npids = npids };
	if (!npids)
		return;
	l->order = xreallocarray(NULL, npids, sizeof(*l->order));
	l->named = xreallocarray(NULL, npids, sizeof(*l->named));
	l->denied = xreallocarray(NULL, npids, sizeof(*l->denied));
	for (size_t i = 0; i < npids; i++) {
		l->order[i] = i;
		l->named[i] = NAMED_MISSING;
		l->denied[i] = NULL;
	}
	qsort_r(l->order, npids, sizeof(*l->order), cmp_named, (void *)pids);
}

/* Mark the named PIDs equal to PROC's PID as seen (or denied). */
static void named_seen(struct unseen_log *l, const struct procexe_proc *proc)
{
	pid_t pid = procexe_proc_pid(proc);
	bool denied = procexe_proc_state(proc) == PROCEXE_STATE_DENIED;
	size_t lo = 0, hi = l->npids;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (l->pids[l->order[mid]] < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < l->npids && l->pids[l->order[lo]] == pid; lo++) {
		size_t i = l->order[lo];

		if (l->named[i] != NAMED_MISSING)
			continue;
		l->named[i] = denied ? NAMED_DENIED : NAMED_SEEN;
		if (denied)
			l->denied[i] = pid_message(proc, "permission denied", false);
	}
}

void unseen_add(struct unseen *u, struct unseen_log *l, const struct procexe_proc *proc,
                bool maps)
{
	enum procexe_incomplete why = unseen_kind(proc, maps);

	if (why != PROCEXE_INCOMPLETE_NONE) {
		char buf[160];

		if (why == PROCEXE_INCOMPLETE_TIMEOUT)
			u->ntimeout++;
		else if (why == PROCEXE_INCOMPLETE_UNREADABLE)
			u->nunreadable++;
		else
			u->nmaps++;
		l->lines = xreallocarray(l->lines, l->nlines + 1, sizeof(*l->lines));
		l->lines[l->nlines++] = pid_message(proc, unseen_words(proc, maps, buf, sizeof(buf)),
		                                    true);
	}
	if (l->npids)
		named_seen(l, proc);
}

void unseen_finish(struct unseen *u, const struct unseen_log *l, size_t vanished)
{
	for (size_t i = 0; i < l->npids; i++) {
		if (l->named[i] == NAMED_MISSING)
			u->nmissing++;
		else if (l->named[i] == NAMED_DENIED)
			u->nnamed_denied++;
	}
	u->nexited += vanished > u->nmissing ? vanished - u->nmissing : 0;
}

void unseen_log_report(const struct unseen *u, const struct unseen_log *l)
{
	if (u->ntimeout)
		warnx_("%zu processes timed out (given up on)", u->ntimeout);
	if (u->nunreadable)
		warnx_("%zu processes could not be read", u->nunreadable);
	if (u->nmaps)
		warnx_("%zu processes have an incomplete mapping list", u->nmaps);
	if (u->nmissing)
		warnx_("%zu PIDs given do not exist", u->nmissing);
	if (u->nexited)
		warnx_("%zu processes exited during the scan", u->nexited);
	for (size_t i = 0; i < l->nlines; i++)
		warnx_("%s", l->lines[i]);
	for (size_t i = 0; i < l->npids; i++) {
		if (l->named[i] == NAMED_MISSING)
			warnx_("PID %jd: no such process", (intmax_t)l->pids[i]);
		else if (l->named[i] == NAMED_DENIED)
			warnx_("%s", l->denied[i]);
	}
}

void unseen_log_free(struct unseen_log *l)
{
	for (size_t i = 0; i < l->nlines; i++)
		free(l->lines[i]);
	for (size_t i = 0; i < l->npids; i++)
		free(l->denied[i]);
	free(l->lines);
	free(l->denied);
	free(l->named);
	free(l->order);
	*l = (struct unseen_log){ 0 };
}

void denial_report(size_t ndenied)
{
	if (ndenied)
		warnx_("%zu processes could not be inspected (permission denied); %s", ndenied,
		       denial_advice());
}

bool unseen_any(const struct unseen *u)
{
	return u->ntimeout || u->nunreadable || u->nmaps || u->nmissing || u->nnamed_denied;
}

const char *procfs_strerror(int r)
{
	return r == -EMEDIUMTYPE ? "not a procfs (not the root of a procfs mount)" : strerror(-r);
}
