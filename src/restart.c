/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * procexe restart [options] [PID...]: which processes must restart, and
 * why.  A process must when its executable or a file it maps executable
 * (a library, the ELF interpreter) was deleted, replaced or modified after
 * it started; code that never had a file (memfd JITs, runc's memfd clone)
 * is listed in a category of its own and does not make a restart needed.
 * A process procexe could not fully read (timed out, unreadable, mapping
 * list incomplete) is listed in the category 'incomplete'.
 *
 * One streaming library scan reads every process and its maps
 * (procexe_ctx_set_maps, procexe_scan_each); restart-collect.c turns each
 * record, as it comes, into findings (one per process and file) and frees
 * it, keeping only what the rows show; the findings are grouped by
 * systemd unit, session or container (restart-group.c) and sorted; this
 * file prints them.  Nothing from the scanned processes is executed.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>

#include <libsmartcols.h>

#include "procexe.h"

#include "cli.h"
#include "columns.h"
#include "commands.h"
#include "escape.h"
#include "json.h"
#include "kernel-status.h"
#include "output.h"
#include "pkgdb.h"
#include "restart-collect.h"
#include "restart-engine.h"
#include "restart-group.h"
#include "restart-root.h"
#include "restart-sysv.h"
#include "summary.h"
#include "users.h"

enum {
	RC_GROUP = 0,
	RC_GTYPE,
	RC_CONTAINER,
	RC_PID,
	RC_PPID,
	RC_USER,
	RC_UID,
	RC_COMM,
	RC_CATEGORY,
	RC_REASON,
	RC_TYPE,
	RC_PATH,
	RC_DEV,
	RC_INODE,
	RC_CGROUP,
	RC_PACKAGE,
	_RC_MAX
};
_Static_assert((int)_RC_MAX <= (int)_COL_MAX, "struct colset holds at most _COL_MAX ids");

#define D_STAT   PROCEXE_DETAIL_STAT
#define D_COMM   PROCEXE_DETAIL_COMM
#define D_UID    PROCEXE_DETAIL_UID
#define D_CGROUP PROCEXE_DETAIL_CGROUP

static const struct colinfo rinfos[_RC_MAX] = {
	[RC_GROUP]    = { "GROUP",  0.15, 0, COLTYPE_STRING, D_CGROUP,
			  "systemd unit, user unit, session, container or SysV service of the process" },
	[RC_GTYPE]    = { "GTYPE",     9, 0, COLTYPE_STRING, D_CGROUP,
			  "kind of group (JSON key group_type): unit, user-unit, session, container, "
			  "none or sysv (a SysV service, without systemd)" },
	[RC_CONTAINER] = { "CONTAINER", 0.1, 0, COLTYPE_STRING, D_CGROUP,
			  "name of the docker or podman container, from the engine's state on disk; "
			  "empty (JSON null) when unknown or not such a container" },
	[RC_PID]      = { "PID",       5, SCOLS_FL_RIGHT, COLTYPE_NUMBER, 0,
			  "process ID" },
	[RC_PPID]     = { "PPID",      5, SCOLS_FL_RIGHT, COLTYPE_NUMBER, D_STAT,
			  "parent process ID" },
	[RC_USER]     = { "USER",      8, 0, COLTYPE_STRING, D_UID,
			  "user name of the process (or its UID when the name is unknown)" },
	[RC_UID]      = { "UID",       5, SCOLS_FL_RIGHT, COLTYPE_NUMBER, D_UID,
			  "user ID of the process" },
	[RC_COMM]     = { "COMM",     16, 0, COLTYPE_STRING, D_COMM,
			  "command name (comm) of the process" },
	[RC_CATEGORY] = { "CATEGORY",  8, 0, COLTYPE_STRING, 0,
			  "restart (the process must restart), fileless (code without a file) "
			  "or incomplete (the process could not be fully read)" },
	[RC_REASON]   = { "REASON",    8, 0, COLTYPE_STRING, 0,
			  "deleted, replaced, modified, unlinked or fileless; for incomplete: "
			  "timeout, unreadable or maps-incomplete" },
	[RC_TYPE]     = { "TYPE",      4, 0, COLTYPE_STRING, 0,
			  "exe (the program), lib (mapped executable), data (mapped, not executable) "
			  "or script (an interpreter's script); empty (JSON null) for incomplete" },
	[RC_PATH]     = { "PATH",    0.4, 0, COLTYPE_STRING, 0,
			  "path of the file, without the \" (deleted)\" the kernel appends" },
	[RC_DEV]      = { "DEV",       5, 0, COLTYPE_STRING, 0,
			  "device (major:minor) of the file" },
	[RC_INODE]    = { "INODE",     8, SCOLS_FL_RIGHT, COLTYPE_NUMBER, 0,
			  "inode number of the file" },
	[RC_CGROUP]   = { "CGROUP",  0.2, 0, COLTYPE_STRING, D_CGROUP,
			  "cgroup path of the process" },
	[RC_PACKAGE]  = { "PACKAGE", 0.15, 0, COLTYPE_STRING, 0,
			  "Debian package owning the file, as dpkg -S names it (several joined by "
			  "\", \"); empty (JSON null) when none, for a file of another root or "
			  "beyond the lookup bound" },
};

/* JSON keys: the lower-case column names, but GTYPE's. */
static const char *const rkeys[_RC_MAX] = {
	[RC_GROUP] = "group", [RC_GTYPE] = "group_type", [RC_CONTAINER] = "container",
	[RC_PID] = "pid", [RC_PPID] = "ppid",
	[RC_USER] = "user", [RC_UID] = "uid", [RC_COMM] = "comm", [RC_CATEGORY] = "category",
	[RC_REASON] = "reason", [RC_TYPE] = "type", [RC_PATH] = "path", [RC_DEV] = "dev",
	[RC_INODE] = "inode", [RC_CGROUP] = "cgroup", [RC_PACKAGE] = "package",
};

static const struct colset default_restart_columns = {
	.n = 7,
	.ids = { RC_GROUP, RC_PID, RC_USER, RC_COMM, RC_REASON, RC_TYPE, RC_PATH },
};

/* The options of restart beyond the table ones (table_option()). */
enum {
	OPT_UNITS = CHAR_MAX + 1,
	OPT_IGNORE,
	OPT_IGNORE_FILELESS,
	OPT_PROC,
	OPT_MAPS_TEXT,
	OPT_THREADS,
	OPT_NAGIOS,
	OPT_OUTPUT_ALL,
	OPT_ADMINDIR,
};
_Static_assert(OPT_OUTPUT_ALL < OPT_JSONL, "restart's long options collide with --jsonl");

struct restart {
	struct out_opts out;
	struct table_args ta;
	bool units, summary, all_mappings, maps_text, quiet, output_all, nagios;
	bool by_package;        /* --summary=package */
	const char *admindir;   /* the dpkg database (--admindir) */
	unsigned threads;       /* --threads, 0: the library's choice */
	const char *procfs;
	pid_t *pids;
	size_t npids;

	struct restart_set set; /* --ignore, --ignore-fileless and the findings */
	bool systemd;           /* PID 1 is systemd: units, else SysV services */
	struct sysv_map sysv;   /* without systemd: the init scripts */
	bool sysv_read;         /* sysv was read (at the first process judged) */
	struct sysv_tree tree;
	struct engine_names engines;    /* container names, looked up once each */
};

/* The engine's name of the container of F's process, or NULL. */
static const char *container_name(struct restart *rs, const struct finding *f)
{
	if (f->group->type != GROUP_CONTAINER)
		return NULL;
	return engine_container_name(&rs->engines, restart_root(), f->proc->cgroup);
}

static void __attribute__((noreturn)) usage(void)
{
	FILE *out = stdout;

	fputs("\nUsage:\n", out);
	fputs(" " PROGNAME " restart [options] [<pid>...]\n", out);
	fputs("\nList the processes that must restart to stop running deleted, replaced or\n"
	      "modified code (their executable, or a library or other file they map\n"
	      "executable), grouped by systemd unit (or SysV service), session or\n"
	      "container, and the state of the kernel and the CPU microcode.  Code that\n"
	      "never had a file (memfd, JIT) is listed in the category 'fileless'.\n", out);
	fputs("\nOptions:\n", out);
	fputs(" -o, --output <list>      output columns (a list starting with '+' is\n"
	      "                            added to the default columns)\n", out);
	fputs("     --output-all         output all columns\n", out);
	fputs(" -J, --json               one JSON document (schema 1) with a summary\n", out);
	fputs("     --jsonl              one JSON object per row, the summary last\n", out);
	fputs(" -r, --raw                use raw output format\n", out);
	fputs(" -n, --noheadings         don't print headings\n", out);
	fputs(" -H, --list-columns       list the available columns\n", out);
	fputs(" -s, --summary[=<by>]     one row per unit, session or container (and one\n"
	      "                            for the processes nothing groups), with PIDs;\n"
	      "                            --summary=package: one row per package\n", out);
	fputs("     --units              print only the service units to restart (and\n"
	      "                            without systemd, the SysV services of /etc/init.d)\n", out);
	fputs("     --nagios             one monitoring-plugin status line with perfdata;\n"
	      "                            exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN\n", out);
	fputs(" -m, --all-mappings       also judge files mapped without exec permission\n", out);
	fputs("     --ignore <glob>      drop findings whose file matches <glob> (repeatable)\n", out);
	fputs("     --ignore-fileless    drop the fileless category\n", out);
	fputs("     --proc <dir>         read the procfs mounted at <dir>, not /proc\n", out);
	fputs("     --admindir <dir>     the dpkg database for PACKAGE (default /var/lib/dpkg)\n", out);
	fputs("     --threads <n>        worker threads (default 0: one per CPU, up to 4)\n", out);
	fputs("     --maps-text          read the maps text, not the kernel's PROCMAP_QUERY\n"
	      "                            answers (slower; the same findings)\n", out);
	fputs(" -q, --quiet              no summary on stderr (errors are still printed)\n", out);
	fputs("\n -h, --help               display this help\n", out);
	fputs(" -V, --version            display version\n", out);
	fputs("\nDefault columns: ", out);
	for (size_t i = 0; i < default_restart_columns.n; i++)
		fprintf(out, "%s%s", i ? "," : "", rinfos[default_restart_columns.ids[i]].name);
	fputs("\nExit status: 0 nothing must restart and every process was seen,\n"
	      "1 something must restart, 2 usage or other trouble, 3 nothing must\n"
	      "restart but not everything was seen (a named PID missing or denied,\n"
	      "a process or its mapping list not fully read).\n", out);
	fputs("\nFor more details see " PROGNAME "(1).\n", out);
	cli_exit(EXIT_OK);
}

/* Take the restart option C (with ARG); false when it is none of them. */
static bool restart_option(struct restart *rs, int c, char *arg)
{
	unsigned long v;

	switch (c) {
	case OPT_UNITS:
		rs->units = true;
		return true;
	case 's':
		rs->summary = true;
		if (arg && strcmp(arg, "package") == 0)
			rs->by_package = true;
		else if (arg && strcmp(arg, "group") != 0)
			usage_error("--summary: unknown grouping '%s' (group or package)", arg);
		return true;
	case OPT_ADMINDIR:
		rs->admindir = arg;
		return true;
	case 'm':
		rs->all_mappings = true;
		return true;
	case 'q':
		rs->quiet = true;
		return true;
	case OPT_OUTPUT_ALL:
		rs->output_all = true;
		return true;
	case OPT_IGNORE:
		rs->set.ignore = xreallocarray(rs->set.ignore, rs->set.nignore + 1, sizeof(*rs->set.ignore));
		rs->set.ignore[rs->set.nignore++] = arg;
		return true;
	case OPT_IGNORE_FILELESS:
		rs->set.ignore_fileless = true;
		return true;
	case OPT_PROC:
		rs->procfs = arg;
		return true;
	case OPT_MAPS_TEXT:
		rs->maps_text = true;
		return true;
	case OPT_NAGIOS:
		rs->nagios = rs->quiet = true;
		return true;
	case OPT_THREADS:
		if (parse_ulong(arg, 0, 1024, &v) < 0)
			usage_error("invalid number of threads: '%s'", arg);
		rs->threads = (unsigned)v;
		return true;
	}
	return false;
}

static void parse_args(struct restart *rs, int argc, char **argv)
{
	static const struct option longopts[] = {
		TABLE_LONGOPTS,
		{ "output-all",      no_argument,       NULL, OPT_OUTPUT_ALL },
		{ "units",           no_argument,       NULL, OPT_UNITS },
		{ "summary",         optional_argument, NULL, 's' },
		{ "admindir",        required_argument, NULL, OPT_ADMINDIR },
		{ "all-mappings",    no_argument,       NULL, 'm' },
		{ "ignore",          required_argument, NULL, OPT_IGNORE },
		{ "ignore-fileless", no_argument,       NULL, OPT_IGNORE_FILELESS },
		{ "proc",            required_argument, NULL, OPT_PROC },
		{ "maps-text",       no_argument,       NULL, OPT_MAPS_TEXT },
		{ "threads",         required_argument, NULL, OPT_THREADS },
		{ "nagios",          no_argument,       NULL, OPT_NAGIOS },
		{ "quiet",           no_argument,       NULL, 'q' },
		{ "help",            no_argument,       NULL, 'h' },
		{ "version",         no_argument,       NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:JrnHmsqhV", longopts, NULL)) != -1) {
		if (table_option(&rs->ta, c, optarg) || restart_option(rs, c, optarg))
			continue;
		if (c == 'h')
			usage();
		if (c == 'V')
			print_version();
		getopt_error(c, argv);
	}
	table_args_opts(&rs->ta, &rs->out);
	if (rs->ta.output && rs->output_all)
		usage_error("--output and --output-all are mutually exclusive");
	if (rs->units && (rs->ta.json || rs->ta.jsonl || rs->ta.raw || rs->ta.output ||
	                  rs->output_all || rs->summary))
		usage_error("--units prints names only: it takes no --json, --jsonl, --raw, "
		            "--output or --summary");
	if (rs->nagios && (rs->ta.json || rs->ta.jsonl || rs->ta.raw || rs->ta.output ||
	                   rs->ta.noheadings || rs->ta.list_columns || rs->output_all ||
	                   rs->summary || rs->units))
		usage_error("--nagios prints one status line: it takes no other output option");
	if (rs->summary && (rs->ta.output || rs->output_all))
		usage_error("--summary has fixed columns: it takes no --output");
	if (rs->summary && rs->ta.jsonl)
		usage_error("--summary prints one document: it takes --json, not --jsonl");
	rs->npids = parse_pid_args(argv + optind, argc - optind, &rs->pids);
}

static void resolve_columns(const struct restart *rs, struct colset *cols)
{
	const char *bad = NULL;
	size_t badlen = 0;

	*cols = default_restart_columns;
	if (rs->output_all) {
		cols->n = _RC_MAX;
		for (int i = 0; i < _RC_MAX; i++)
			cols->ids[i] = i;
		return;
	}
	if (!rs->ta.output)
		return;
	if (colset_parse_in(rinfos, _RC_MAX, rs->ta.output, &default_restart_columns, cols,
	                    &bad, &badlen) < 0) {
		if (badlen == 0)
			usage_error("empty column name in '%s'", rs->ta.output);
		usage_error("unknown column: %.*s", (int)badlen, bad);
	}
}

/* ----------------------------------------------------------- output --- */

/* Raw text S (NUL-terminated) as a cell; NULL when unknown. */
static char *text_cell(const struct out_opts *o, const char *s)
{
	return s ? out_text_cell(o, s, strlen(s)) : NULL;
}

/* The user name of UID, or its number when it has none; NULL when unknown. */
static char *user_cell(const struct out_opts *o, struct users *users, uid_t uid)
{
	const char *name;

	if (uid == (uid_t)-1)
		return NULL;
	name = users_name(users, uid);
	if (name && *name)
		return text_cell(o, name);
	return xasprintf("%ju", (uintmax_t)uid);
}

static char *cell(struct restart *rs, struct users *users, int col, const struct finding *f)
{
	const struct rproc *proc = f->proc;
	const struct out_opts *o = &rs->out;
	const char *name;

	switch (col) {
	case RC_GROUP:
		return f->group->name ? out_text_cell(o, f->group->name, strlen(f->group->name))
		                      : NULL;
	case RC_GTYPE:
		return xstrdup(group_type_name(f->group->type));
	case RC_CONTAINER:
		name = container_name(rs, f);
		return name ? out_text_cell(o, name, strlen(name)) : NULL;
	case RC_PID:
		return xasprintf("%jd", (intmax_t)proc->pid);
	case RC_PPID:
		return proc->ppid < 0 ? NULL : xasprintf("%jd", (intmax_t)proc->ppid);
	case RC_USER:
		return user_cell(o, users, proc->uid);
	case RC_UID:
		return proc->uid == (uid_t)-1 ? NULL : xasprintf("%ju", (uintmax_t)proc->uid);
	case RC_COMM:
		return text_cell(o, proc->comm);
	case RC_CATEGORY:
		return xstrdup(restart_category_names[f->cat]);
	case RC_REASON:
		return xstrdup(f->reason);
	case RC_TYPE:
		return f->type == FT_NONE ? NULL : xstrdup(restart_type_names[f->type]);
	case RC_PATH:
		return f->file ? out_text_cell(o, f->file, f->file_len) : NULL;
	case RC_DEV:
		return f->have_id ? xasprintf("%u:%u", major(f->dev), minor(f->dev)) : NULL;
	case RC_INODE:
		return f->have_id ? xasprintf("%" PRIu64, f->ino) : NULL;
	case RC_CGROUP:
		return text_cell(o, proc->cgroup);
	case RC_PACKAGE:
		return f->package ? out_text_cell(o, f->package, strlen(f->package)) : NULL;
	}
	return NULL;
}

static int print_findings(struct restart *rs, const struct colset *cols)
{
	struct out_rows *tb = out_rows_new(&rs->out, "restart", rinfos, cols);
	struct users *users = users_new();
	int r;

	for (size_t i = 0; i < rs->set.n; i++) {
		out_rows_new_line(tb);
		for (size_t c = 0; c < cols->n; c++)
			out_rows_set(tb, c, cell(rs, users, cols->ids[c], &rs->set.findings[i]));
	}
	r = out_rows_print(tb);
	out_rows_free(tb);
	users_free(users);
	return r;
}

/* What one run found beyond the findings: the summary extras' argument. */
struct run_facts {
	const struct tally *t;
	struct kernel_status kernel;
	struct microcode_status microcode;
};

/* KEY: {"running", "newest", "state", "reason"} (empty strings: null). */
static void json_status(struct json *j, const char *key, const char *running,
                        const char *newest, const char *state, const char *reason)
{
	json_open(j, key);
	json_bytes(j, "running", *running ? running : NULL, strlen(running));
	json_bytes(j, "newest", *newest ? newest : NULL, strlen(newest));
	json_str(j, "state", state);
	json_bytes(j, "reason", reason, strlen(reason));
	json_close(j);
}

/* The summary extras of restart: processes to restart, running fileless
 * code, the kernel and the microcode. */
static void summary_extra(struct json *j, const void *arg)
{
	const struct run_facts *rf = arg;
	const struct kernel_status *k = &rf->kernel;
	const struct microcode_status *m = &rf->microcode;

	json_uint(j, "restart", rf->t->nrestart);
	json_uint(j, "fileless", rf->t->nfileless);
	json_status(j, "kernel", k->running, k->newest, kstate_name(k->state), k->reason);
	json_status(j, "microcode", m->running, m->newest, ucstate_name(m->state), m->reason);
}

/* The user name of UID, or its number when it has none (the USER column). */
static void json_user(struct json *j, const char *key, struct users *users, uid_t uid)
{
	const char *name;
	char num[24];

	if (uid == (uid_t)-1) {
		json_null(j, key);
		return;
	}
	name = users_name(users, uid);
	if (name && *name) {
		json_bytes(j, key, name, strlen(name));
		return;
	}
	snprintf(num, sizeof(num), "%ju", (uintmax_t)uid);
	json_str(j, key, num);
}

/* Untrusted text S (NUL-terminated), null when unknown or empty. */
static void json_text(struct json *j, const char *key, const char *s)
{
	if (s && *s)
		json_bytes(j, key, s, strlen(s));
	else
		json_null(j, key);
}

/* KEY: V when KNOWN, else null. */
static void json_uint_if(struct json *j, const char *key, bool known, uint64_t v)
{
	if (known)
		json_uint(j, key, v);
	else
		json_null(j, key);
}

static void json_cell(struct restart *rs, struct json *j, struct users *users, int col,
                      const struct finding *f)
{
	const struct rproc *proc = f->proc;
	const char *key = rkeys[col];
	pid_t ppid = proc->ppid;
	uid_t uid = proc->uid;

	switch (col) {
	case RC_GROUP:
		json_text(j, key, f->group->name);
		break;
	case RC_GTYPE:
		json_str(j, key, group_type_name(f->group->type));
		break;
	case RC_CONTAINER:
		json_text(j, key, container_name(rs, f));
		break;
	case RC_PID:
		json_int(j, key, proc->pid);
		break;
	case RC_PPID:
		json_uint_if(j, key, ppid >= 0, (uint64_t)ppid);
		break;
	case RC_USER:
		json_user(j, key, users, uid);
		break;
	case RC_UID:
		json_uint_if(j, key, uid != (uid_t)-1, uid);
		break;
	case RC_COMM:
		json_text(j, key, proc->comm);
		break;
	case RC_CATEGORY:
		json_str(j, key, restart_category_names[f->cat]);
		break;
	case RC_REASON:
		json_str(j, key, f->reason);
		break;
	case RC_TYPE:
		json_str(j, key, f->type == FT_NONE ? NULL : restart_type_names[f->type]);
		break;
	case RC_PATH:
		json_bytes(j, key, f->file, f->file_len);
		break;
	case RC_DEV:
		if (f->have_id)
			json_dev(j, key, (dev_t)f->dev);
		else
			json_null(j, key);
		break;
	case RC_INODE:
		json_uint_if(j, key, f->have_id, f->ino);
		break;
	case RC_CGROUP:
		json_text(j, key, proc->cgroup);
		break;
	case RC_PACKAGE:
		json_text(j, key, f->package);
		break;
	}
}

/*
 * -J: {"schema":1,"command":"restart","restart":[rows],"summary":{...}};
 * --jsonl: a line per row, the summary line last.  0 or -EIO.
 */
static int print_findings_json(struct restart *rs, const struct colset *cols,
                               const struct summary *sum, const struct run_facts *t)
{
	bool lines = rs->out.format == OUT_JSONL;
	struct json *j = json_new(stdout, !lines);
	struct users *users = users_new();

	if (!lines) {
		json_begin_document(j, "restart", NULL);
		json_open_array(j, "restart");
	}
	for (size_t i = 0; i < rs->set.n && !ferror(stdout); i++) {
		if (lines)
			json_begin_document(j, "restart", "restart");
		else
			json_open(j, NULL);
		for (size_t c = 0; c < cols->n; c++)
			json_cell(rs, j, users, cols->ids[c], &rs->set.findings[i]);
		json_close(j);
		if (lines)
			json_end_line(j);
	}
	if (lines) {
		summary_line(j, sum, summary_extra, t);
	} else {
		json_close_array(j);
		summary_member(j, sum, summary_extra, t);
		json_close(j);
		json_end_line(j);
	}
	json_free(j);
	users_free(users);
	return fflush(stdout) != 0 || ferror(stdout) ? -EIO : 0;
}

/* --summary: one row per category and group, with its distinct PIDs. */
enum { SC_CATEGORY, SC_GTYPE, SC_GROUP, SC_CONTAINER, SC_COUNT, SC_PIDS, _SC_MAX };

static const struct colinfo sinfos[_SC_MAX] = {
	[SC_CATEGORY] = { "CATEGORY", 8, 0, COLTYPE_STRING, 0, "restart, fileless or incomplete" },
	[SC_GTYPE]    = { "GTYPE",    9, 0, COLTYPE_STRING, 0, "kind of group" },
	[SC_GROUP]    = { "GROUP",  0.2, 0, COLTYPE_STRING, 0, "unit, session or container" },
	[SC_CONTAINER] = { "CONTAINER", 0.1, 0, COLTYPE_STRING, 0, "name of the container" },
	[SC_COUNT]    = { "COUNT",    5, SCOLS_FL_RIGHT, COLTYPE_NUMBER, 0, "processes" },
	[SC_PIDS]     = { "PIDS",   0.5, 0, COLTYPE_NUMBERS, 0, "their process IDs" },
};

static void summary_row(struct restart *rs, struct libscols_table *tb, size_t from, size_t to)
{
	const struct finding *f = &rs->set.findings[from];
	struct libscols_line *ln = out_table_new_line(tb);
	const char *cname;
	char *pids = NULL;
	size_t count = 0, len = 0;
	pid_t last = -1;

	for (size_t i = from; i < to; i++) {
		pid_t pid = rs->set.findings[i].proc->pid;
		char num[24];
		int n;

		if (pid == last)
			continue;
		last = pid;
		n = snprintf(num, sizeof(num), "%s%jd", count ? "," : "", (intmax_t)pid);
		pids = xreallocarray(pids, len + (size_t)n + 1, 1);
		memcpy(pids + len, num, (size_t)n + 1);
		len += (size_t)n;
		count++;
	}
	out_set_cell(ln, SC_CATEGORY, xstrdup(restart_category_names[f->cat]));
	out_set_cell(ln, SC_GTYPE, xstrdup(group_type_name(f->group->type)));
	out_set_cell(ln, SC_GROUP, f->group->name ?
		     out_text_cell(&rs->out, f->group->name, strlen(f->group->name)) : NULL);
	cname = container_name(rs, f);
	out_set_cell(ln, SC_CONTAINER, cname ? out_text_cell(&rs->out, cname, strlen(cname)) : NULL);
	out_set_cell(ln, SC_COUNT, xasprintf("%zu", count));
	out_set_cell(ln, SC_PIDS, pids);
}

/* The group of findings FROM..TO as a JSON object. */
static void summary_object(struct restart *rs, struct json *j, size_t from, size_t to)
{
	const struct finding *f = &rs->set.findings[from];
	size_t count = 0;
	pid_t last = -1;

	json_open(j, NULL);
	json_str(j, "category", restart_category_names[f->cat]);
	json_str(j, "group_type", group_type_name(f->group->type));
	json_text(j, "group", f->group->name);
	json_text(j, "container", container_name(rs, f));
	for (size_t i = from; i < to; i++)
		if (rs->set.findings[i].proc->pid != last) {
			last = rs->set.findings[i].proc->pid;
			count++;
		}
	json_uint(j, "count", count);
	json_open_array(j, "pids");
	last = -1;
	for (size_t i = from; i < to; i++)
		if (rs->set.findings[i].proc->pid != last) {
			last = rs->set.findings[i].proc->pid;
			json_int(j, NULL, last);
		}
	json_close_array(j);
	json_close(j);
}

/* The ends (exclusive) of the groups of the sorted findings, in turn:
 * 0 when there are no more.  *FROM: where the next one starts. */
static size_t next_group(const struct restart *rs, size_t *from)
{
	return *from < rs->set.n ? restart_group_end(&rs->set, *from) : 0;
}

/* --summary: a table, or with -J {"schema":1,...,"groups":[...],"summary":{...}}. */
static int print_summary(struct restart *rs, const struct summary *sum,
                         const struct run_facts *t)
{
	struct colset cols = { .n = _SC_MAX, .ids = { SC_CATEGORY, SC_GTYPE, SC_GROUP, SC_CONTAINER,
	                                                SC_COUNT, SC_PIDS } };
	struct libscols_table *tb;
	struct json *j;
	size_t from = 0, to;
	int r;

	if (rs->out.format == OUT_JSON) {
		j = json_new(stdout, true);
		json_begin_document(j, "restart", NULL);
		json_open_array(j, "groups");
		for (; (to = next_group(rs, &from)) != 0; from = to)
			summary_object(rs, j, from, to);
		json_close_array(j);
		summary_member(j, sum, summary_extra, t);
		json_close(j);
		json_end_line(j);
		json_free(j);
		return fflush(stdout) != 0 || ferror(stdout) ? -EIO : 0;
	}
	tb = out_table_new(&rs->out, "groups", sinfos, &cols);
	for (; (to = next_group(rs, &from)) != 0; from = to)
		summary_row(rs, tb, from, to);
	r = out_table_print(&rs->out, tb);
	scols_unref_table(tb);
	return r;
}

/* --summary=package: one row per owning package of restart findings
 * (one for the files no package was found for), with its processes. */
enum { SP_PACKAGE, SP_COUNT, SP_PIDS, _SP_MAX };

static const struct colinfo pinfos[_SP_MAX] = {
	[SP_PACKAGE] = { "PACKAGE", 0.3, 0, COLTYPE_STRING, 0, "owning package(s)" },
	[SP_COUNT]   = { "COUNT",     5, SCOLS_FL_RIGHT, COLTYPE_NUMBER, 0, "processes" },
	[SP_PIDS]    = { "PIDS",    0.5, 0, COLTYPE_NUMBERS, 0, "their process IDs" },
};

/* By package (none last), then PID. */
static int cmp_by_package(const void *pa, const void *pb)
{
	const struct finding *a = *(const struct finding *const *)pa;
	const struct finding *b = *(const struct finding *const *)pb;
	pid_t x = a->proc->pid, y = b->proc->pid;
	int c;

	if (!a->package != !b->package)
		return a->package ? -1 : 1;
	if (a->package && (c = strcmp(a->package, b->package)) != 0)
		return c;
	return (x > y) - (x < y);
}

/* The findings of category restart sorted by package; their number in *RET_N. */
static const struct finding **by_package(const struct restart *rs, size_t *ret_n)
{
	const struct finding **v = xreallocarray(NULL, rs->set.n ? rs->set.n : 1, sizeof(*v));
	size_t n = 0;

	for (size_t i = 0; i < rs->set.n; i++)
		if (rs->set.findings[i].cat == CAT_RESTART)
			v[n++] = &rs->set.findings[i];
	qsort(v, n, sizeof(*v), cmp_by_package);
	*ret_n = n;
	return v;
}

/* The end (exclusive) of the run of V's findings from FROM of one package. */
static size_t package_end(const struct finding **v, size_t n, size_t from)
{
	size_t i = from;

	while (++i < n && !v[i]->package == !v[from]->package &&
	       (!v[i]->package || strcmp(v[i]->package, v[from]->package) == 0))
		;
	return i;
}

/* The distinct PIDs of V[FROM..TO) as a JSON array (J) or a table cell. */
static char *package_pids(struct json *j, const struct finding **v, size_t from, size_t to,
                          size_t *count)
{
	char *pids = NULL;
	pid_t last = -1;

	*count = 0;
	for (size_t i = from; i < to; i++) {
		pid_t pid = v[i]->proc->pid;
		char *more;

		if (pid == last)
			continue;
		last = pid;
		(*count)++;
		if (j) {
			json_int(j, NULL, pid);
			continue;
		}
		more = xasprintf("%s%s%jd", pids ? pids : "", pids ? "," : "", (intmax_t)pid);
		free(pids);
		pids = more;
	}
	return pids;
}

static void package_object(struct json *j, const struct finding **v, size_t from, size_t to)
{
	size_t count;

	free(package_pids(NULL, v, from, to, &count));
	json_open(j, NULL);
	json_text(j, "package", v[from]->package);
	json_uint(j, "count", count);
	json_open_array(j, "pids");
	package_pids(j, v, from, to, &count);
	json_close_array(j);
	json_close(j);
}

/* --summary=package: a table, or with -J {...,"packages":[...],"summary":{...}}. */
static int print_package_summary(struct restart *rs, const struct summary *sum,
                                 const struct run_facts *t)
{
	struct colset cols = { .n = _SP_MAX, .ids = { SP_PACKAGE, SP_COUNT, SP_PIDS } };
	size_t n, to, count;
	const struct finding **v = by_package(rs, &n);
	struct libscols_table *tb;
	struct json *j;
	int r;

	if (rs->out.format == OUT_JSON) {
		j = json_new(stdout, true);
		json_begin_document(j, "restart", NULL);
		json_open_array(j, "packages");
		for (size_t from = 0; from < n; from = to)
			package_object(j, v, from, to = package_end(v, n, from));
		json_close_array(j);
		summary_member(j, sum, summary_extra, t);
		json_close(j);
		json_end_line(j);
		json_free(j);
		free(v);
		return fflush(stdout) != 0 || ferror(stdout) ? -EIO : 0;
	}
	tb = out_table_new(&rs->out, "packages", pinfos, &cols);
	for (size_t from = 0; from < n; from = to) {
		struct libscols_line *ln = out_table_new_line(tb);
		const char *pkg = v[from]->package;
		char *pids;

		to = package_end(v, n, from);
		pids = package_pids(NULL, v, from, to, &count);
		out_set_cell(ln, SP_PACKAGE, pkg ? out_text_cell(&rs->out, pkg, strlen(pkg)) : NULL);
		out_set_cell(ln, SP_COUNT, xasprintf("%zu", count));
		out_set_cell(ln, SP_PIDS, pids);
	}
	r = out_table_print(&rs->out, tb);
	scols_unref_table(tb);
	free(v);
	return r;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static bool is_service(const char *name)
{
	size_t len = strlen(name);

	return len > 8 && strcmp(name + len - 8, ".service") == 0;
}

/* Does --units print the group G: a service unit, or (only without
 * systemd: the only case where there are any) a SysV service? */
static bool units_names(const struct restart *rs, const struct pgroup *g)
{
	if (!g->name)
		return false;
	return (g->type == GROUP_UNIT && is_service(g->name)) ||
	       (!rs->systemd && g->type == GROUP_SYSV);
}

/*
 * --units, on stderr: "restart PID N (COMM)" for each process that must
 * restart and that no printed name covers, and a plain statement when
 * no name was printed at all.
 */
static void units_hints(const struct restart *rs, size_t printed)
{
	struct out_opts tbl = { .format = OUT_TABLE };
	size_t left = 0;
	pid_t last = -1;

	for (size_t i = 0; i < rs->set.n; i++) {
		const struct finding *f = &rs->set.findings[i];
		const char *comm = f->proc->comm;
		char *safe;

		if (f->cat != CAT_RESTART || units_names(rs, f->group) || f->proc->pid == last)
			continue;
		last = f->proc->pid;
		left++;
		safe = comm ? out_text_cell(&tbl, comm, strlen(comm)) : NULL;
		warnx_("restart PID %jd (%s)", (intmax_t)last, safe ? safe : "?");
		free(safe);
	}
	if (left && !printed)
		warnx_("no %s applies to the %zu processes that must restart%s: restart them "
		       "by hand", rs->systemd ? "systemd service unit" :
		       "service unit or SysV service", left,
		       rs->systemd ? "" : " (PID 1 is not systemd)");
}

/* --units: distinct service units (without systemd: SysV services) of the
 * restart category, sorted; the others on stderr (units_hints()). */
static int print_units(struct restart *rs)
{
	const char **names = xreallocarray(NULL, rs->set.n ? rs->set.n : 1, sizeof(*names));
	struct out_opts raw = { .format = OUT_RAW };
	size_t k = 0, printed = 0;

	for (size_t i = 0; i < rs->set.n; i++) {
		const struct pgroup *g = rs->set.findings[i].group;

		if (rs->set.findings[i].cat == CAT_RESTART && units_names(rs, g))
			names[k++] = g->name;
	}
	qsort(names, k, sizeof(*names), cmp_str);
	for (size_t i = 0; i < k; i++) {
		char *safe;

		if (i > 0 && strcmp(names[i], names[i - 1]) == 0)
			continue;
		/* Unit names are plain words; anything else is escaped. */
		safe = out_text_cell(&raw, names[i], strlen(names[i]));
		if (safe) {
			puts(safe);
			printed++;
		}
		free(safe);
	}
	free(names);
	fflush(stdout);
	if (!rs->quiet)
		units_hints(rs, printed);
	return ferror(stdout) ? -EIO : 0;
}

/* --------------------------------------------------------- --nagios --- */

/* Monitoring Plugins statuses. */
enum { NAGIOS_OK, NAGIOS_WARNING, NAGIOS_CRITICAL, NAGIOS_UNKNOWN };

static const char *const nagios_names[] = { "OK", "WARNING", "CRITICAL", "UNKNOWN" };

/* What --nagios counts. */
struct nagios_counts {
	size_t processes, services, containers;
	bool kernel;            /* a kernel upgrade is pending */
};

/* Distinct services (units, user units, SysV services) and containers
 * that hold a process that must restart. */
static void nagios_count(const struct restart *rs, const struct run_facts *rf,
                         struct nagios_counts *c)
{
	size_t to;

	*c = (struct nagios_counts){ .processes = rf->t->nrestart };
	for (size_t from = 0; from < rs->set.n; from = to) {
		const struct finding *f = &rs->set.findings[from];

		to = restart_group_end(&rs->set, from);
		if (f->cat != CAT_RESTART || !f->group->name)
			continue;
		if (f->group->type == GROUP_CONTAINER)
			c->containers++;
		else if (f->group->type != GROUP_SESSION)
			c->services++;
	}
	c->kernel = rf->kernel.state == KSTATE_ABI_UPGRADE ||
	            rf->kernel.state == KSTATE_VERSION_UPGRADE;
}

/* S with every byte that could end the status text or perfdata ('|',
 * ';', '=', quotes, controls...) as '?', cut to fit OUT (SIZE bytes). */
static void nagios_word(char *out, size_t size, const char *s)
{
	size_t i;

	for (i = 0; s[i] && i + 1 < size; i++) {
		unsigned char c = (unsigned char)s[i];

		out[i] = (isalnum(c) || c == '.' || c == '-' || c == '_' || c == '+' || c == '~')
		         ? (char)c : '?';
	}
	out[i] = '\0';
}

/*
 * The status: CRITICAL a kernel upgrade is pending (whole-host run: the
 * host must reboot), WARNING processes must restart or a newer microcode
 * is available, else UNKNOWN when a process or its mappings could not be
 * read (or a named PID is missing), else OK.
 */
static int nagios_status(const struct restart *rs, const struct summary *sum,
                         const struct run_facts *rf, const struct nagios_counts *c)
{
	if (c->kernel && rs->npids == 0)
		return NAGIOS_CRITICAL;
	if (c->processes || rf->microcode.state == UCSTATE_UPGRADE)
		return NAGIOS_WARNING;
	if (!summary_complete(sum))
		return NAGIOS_UNKNOWN;
	return NAGIOS_OK;
}

/* --nagios: the one line on stdout; returns the status (the exit status). */
static int print_nagios(const struct restart *rs, const struct summary *sum,
                        const struct run_facts *rf)
{
	const struct unseen *u = &rf->t->unseen;
	size_t unseen = u->ntimeout + u->nunreadable + u->nmaps + u->nmissing + u->nnamed_denied;
	struct nagios_counts c;
	char kernel[KS_NAME_MAX], micro[32];
	int st;

	nagios_count(rs, rf, &c);
	st = nagios_status(rs, sum, rf, &c);
	nagios_word(kernel, sizeof(kernel), rf->kernel.newest);
	nagios_word(micro, sizeof(micro), rf->microcode.newest);
	printf("PROCEXE RESTART %s - %zu processes must restart (%zu services, %zu containers)",
	       nagios_names[st], c.processes, c.services, c.containers);
	if (c.kernel)
		printf(", kernel %s pending (%s installed)", kstate_name(rf->kernel.state), kernel);
	else
		printf(", kernel %s", kstate_name(rf->kernel.state));
	if (rf->microcode.state == UCSTATE_UPGRADE)
		printf(", microcode upgrade available (%s)", micro);
	else
		printf(", microcode %s", ucstate_name(rf->microcode.state));
	if (unseen)
		printf(", %zu processes or mapping lists could not be read", unseen);
	printf(" | processes=%zu;;; services=%zu;;; containers=%zu;;; kernel=%d;;;\n",
	       c.processes, c.services, c.containers, c.kernel ? 1 : 0);
	return st;
}

/* ------------------------------------------------------------- main --- */

static void free_all(struct restart *rs)
{
	restart_set_free(&rs->set);
	sysv_map_free(&rs->sysv);
	engine_names_free(&rs->engines);
	free(rs->set.ignore);
	free(rs->pids);
}

/* On stderr: the kernel's and the microcode's state, in one line. */
static void report_host(const struct run_facts *rf)
{
	const struct kernel_status *k = &rf->kernel;
	const struct microcode_status *m = &rf->microcode;
	char *kr = xcheck(escape_unprintable(k->reason)), *mr = xcheck(escape_unprintable(m->reason));
	char *run = xcheck(escape_unprintable(*k->running ? k->running : "unknown"));
	char *nw = xcheck(escape_unprintable(*k->newest ? k->newest : "none"));

	warnx_("kernel %s (running %s, newest installed %s): %s; microcode %s: %s",
	       kstate_name(k->state), run, nw, kr, ucstate_name(m->state), mr);
	free(kr);
	free(mr);
	free(run);
	free(nw);
}

/* On stderr, after the output: the counts, notes, what was not seen. */
static void report(const struct restart *rs, const struct summary *sum,
                   const struct run_facts *rf)
{
	const struct tally *t = rf->t;

	warnx_("%zu processes, %zu must restart, %zu run fileless code, %zu denied",
	       sum->processes, t->nrestart, t->nfileless, sum->denied);
	denial_report(sum->denied);
	if (rs->set.nignored)
		warnx_("%zu findings ignored (--ignore)", rs->set.nignored);
	if (rs->set.nfileless_ignored)
		warnx_("%zu fileless findings ignored (--ignore-fileless)", rs->set.nfileless_ignored);
	unseen_log_report(&t->unseen, &rs->set.unseen);
	if (rs->set.pkgdb && pkgdb_capped(rs->set.pkgdb))
		warnx_("%zu files not looked up for their package (more than %d distinct files)",
		       pkgdb_capped(rs->set.pkgdb), PKGDB_MAX_PATHS);
	if (rs->set.pkgdb && pkgdb_unreadable(rs->set.pkgdb))
		warnx_("%zu package file lists of the dpkg database could not be read",
		       pkgdb_unreadable(rs->set.pkgdb));
	report_host(rf);
}

static struct procexe_ctx *restart_ctx(const struct restart *rs, const struct colset *cols)
{
	struct procexe_ctx *ctx = NULL;
	int r = procexe_ctx_new(rs->procfs, &ctx);

	if (r < 0) {
		warnx_("cannot read %s: %s", rs->procfs ? rs->procfs : "/proc", procfs_strerror(r));
		return NULL;
	}
	procexe_ctx_set_threads(ctx, rs->threads);
	procexe_ctx_set_maps(ctx, restart_maps_flags(rs->all_mappings, rs->maps_text));
	/* Without systemd, the SysV lookup starts from the parent and comm of
	 * the record (sysv_judged_tree()); stat costs what comm does. */
	procexe_ctx_set_details(ctx, (rs->units ? PROCEXE_DETAIL_COMM : colset_details_in(rinfos, cols)) |
	                             PROCEXE_DETAIL_CGROUP | (rs->systemd ? 0 : PROCEXE_DETAIL_STAT));
	return ctx;
}

/* Whether the output shows packages (a PACKAGE column, --summary=package). */
static bool wants_packages(const struct restart *rs, const struct colset *cols)
{
	if (rs->units)
		return false;
	if (rs->summary)
		return rs->by_package;
	for (size_t i = 0; i < cols->n; i++)
		if (cols->ids[i] == RC_PACKAGE)
			return true;
	return false;
}

/* The packages of the findings; a database that is absent (no dpkg) is
 * no package, any other failure is said. */
static void find_packages(struct restart *rs)
{
	const char *dir = rs->admindir ? rs->admindir : "/var/lib/dpkg";
	int r = restart_packages(&rs->set, rs->procfs, dir, !rs->admindir);

	if (r < 0 && (r != -ENOENT || rs->admindir))
		warnx_("cannot read the dpkg database %s: %s", dir, strerror(-r));
}

/*
 * The kernel's and the microcode's state into RF; a pending kernel
 * upgrade makes a whole-host run (no PID named) exit 1: the host must
 * restart.  An unknown state changes nothing.
 */
static void host_facts(const struct restart *rs, struct summary *sum, struct run_facts *rf)
{
	const char *root = restart_root();

	kernel_status_read(root, &rf->kernel);
	microcode_status_read(root, &rf->microcode);
	if (rs->npids == 0 && (rf->kernel.state == KSTATE_ABI_UPGRADE ||
	                       rf->kernel.state == KSTATE_VERSION_UPGRADE))
		sum->exit_status = EXIT_FOUND;
}

/* The process tree of one SysV lookup: the judged process's parent,
 * owner and comm from its record (read with the scan, through its /proc
 * directory fd), its ancestors' from the procfs tree. */
struct judged_tree {
	const struct procexe_proc *proc;
	const struct sysv_tree *procfs;
};

static pid_t judged_parent(pid_t pid, void *arg)
{
	const struct judged_tree *jt = arg;
	pid_t ppid = procexe_proc_ppid(jt->proc);

	if (pid == procexe_proc_pid(jt->proc) && ppid > 0)
		return ppid;
	return jt->procfs->parent(pid, jt->procfs->arg);
}

static uid_t judged_uid(pid_t pid, void *arg)
{
	const struct judged_tree *jt = arg;
	uid_t uid = procexe_proc_uid(jt->proc);

	if (pid == procexe_proc_pid(jt->proc) && uid != (uid_t)-1)
		return uid;
	return jt->procfs->uid(pid, jt->procfs->arg);
}

static bool judged_comm(pid_t pid, char *buf, size_t size, void *arg)
{
	const struct judged_tree *jt = arg;
	const char *comm = procexe_proc_comm(jt->proc);

	if (pid == procexe_proc_pid(jt->proc) && comm && *comm && size > 0) {
		snprintf(buf, size, "%s", comm);
		return true;
	}
	return jt->procfs->comm(pid, buf, size, jt->procfs->arg);
}

/* restart_set's regroup: the SysV service of PROC, if any.  The init
 * scripts are read at the first call: a run that judges no process reads
 * none. */
static void regroup_sysv(const struct procexe_proc *proc, struct pgroup *g, void *arg)
{
	struct restart *rs = arg;
	struct judged_tree jt = { .proc = proc, .procfs = &rs->tree };
	const struct sysv_tree tree = {
		.parent = judged_parent, .uid = judged_uid, .comm = judged_comm, .arg = &jt,
	};
	const char *name;

	if (!rs->sysv_read) {
		if (sysv_map_read(restart_root(), &rs->sysv) < 0)
			errx_("%s", strerror(ENOMEM));
		rs->sysv_read = true;
	}
	name = sysv_lookup(&rs->sysv, procexe_proc_pid(proc), &tree);

	if (name) {
		g->type = GROUP_SYSV;
		g->name = xstrdup(name);
	}
}

/* Without systemd, group the processes no cgroup groups by SysV service. */
static void setup_init(struct restart *rs)
{
	const char *root = restart_root();

	rs->systemd = init_is_systemd(root);
	if (rs->systemd)
		return;
	sysv_tree_procfs(&rs->tree, rs->procfs ? rs->procfs : "/proc");
	rs->set.regroup = regroup_sysv;
	rs->set.regroup_arg = rs;
}

/* Print the findings as asked: 0 or a negative errno. */
static int print_output(struct restart *rs, const struct colset *cols,
                        const struct summary *sum, const struct run_facts *t)
{
	if (rs->units)
		return print_units(rs);
	if (rs->summary && rs->by_package)
		return print_package_summary(rs, sum, t);
	if (rs->summary)
		return print_summary(rs, sum, t);
	if (rs->out.format == OUT_JSON || rs->out.format == OUT_JSONL)
		return print_findings_json(rs, cols, sum, t);
	return print_findings(rs, cols);
}

/* procexe_scan_each()'s callback: judge PROC (restart_add() keeps what
 * its rows need); the scan frees it. */
struct judge {
	struct restart *rs;
	struct summary *sum;
};

static int judge_one(struct procexe_proc *proc, void *arg)
{
	struct judge *jd = arg;

	restart_add(&jd->rs->set, proc, jd->sum);
	return 0;
}

/* Scan and judge every process (or the named ones) into RS->set, SUM and
 * T: 0, or the negative errno of the scan. */
static int scan(struct restart *rs, struct procexe_ctx *ctx, const struct colset *cols,
                struct summary *sum, struct tally *t)
{
	struct procexe_scan_stats st = { .sz = sizeof(st) };
	struct judge jd = { .rs = rs, .sum = sum };
	int r;

	rs->set.keep_cgroup = false;
	for (size_t i = 0; i < cols->n && !rs->units && !rs->summary; i++)
		if (cols->ids[i] == RC_CGROUP)
			rs->set.keep_cgroup = true;
	restart_begin(&rs->set, rs->pids, rs->npids);
	r = procexe_scan_each(ctx, rs->pids, rs->npids, restart_detail_states(), judge_one,
	                      &jd, &st);
	if (r < 0)
		return r;
	restart_end(&rs->set, st.nvanished, sum, t);
	return 0;
}

int cmd_restart(int argc, char **argv)
{
	struct restart rs = { .out.format = OUT_TABLE };
	struct procexe_ctx *ctx;
	struct colset cols;
	struct summary sum;
	struct tally t = { 0 };
	struct run_facts rf = { .t = &t };
	int r, status;

	parse_args(&rs, argc, argv);
	resolve_columns(&rs, &cols);
	if (rs.ta.list_columns) {
		r = out_list_columns(&rs.out, rinfos, _RC_MAX);
		free_all(&rs);
		return r < 0 ? EXIT_TROUBLE : EXIT_OK;
	}
	summary_init(&sum, "restart");
	setup_init(&rs);
	ctx = restart_ctx(&rs, &cols);
	r = ctx ? scan(&rs, ctx, &cols, &sum, &t) : -1;
	if (r < 0) {
		if (ctx)
			warnx_("cannot read %s: %s", rs.procfs ? rs.procfs : "/proc", strerror(-r));
		if (rs.nagios)
			printf("PROCEXE RESTART UNKNOWN - cannot read %s\n",
			       rs.procfs ? "the procfs given" : "/proc");
		procexe_ctx_free(ctx);
		free_all(&rs);
		return rs.nagios ? NAGIOS_UNKNOWN : EXIT_TROUBLE;
	}
	host_facts(&rs, &sum, &rf);
	status = sum.exit_status;
	if (wants_packages(&rs, &cols))
		find_packages(&rs);
	if (rs.nagios) {
		status = print_nagios(&rs, &sum, &rf);
		r = 0;
	} else {
		r = print_output(&rs, &cols, &sum, &rf);
	}
	/* a write error is cli_exit()'s to judge (EPIPE is not one) */
	if (r < 0 && !ferror(stdout)) {
		warnx_("cannot print the table: %s", strerror(-r));
		status = EXIT_TROUBLE;
	}
	/* the output first, so that the notes follow it */
	fflush(stdout);
	if (!rs.quiet)
		report(&rs, &sum, &rf);
	free_all(&rs);
	procexe_ctx_free(ctx);
	return status;
}
