/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* procexe path [-L] [-f] [-J] [PID...]: the running image's path, one line per PID. */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <procexe.h>

#include "cli.h"
#include "commands.h"
#include "escape.h"
#include "json.h"
#include "summary.h"

char *safe_text(const char *buf, size_t len)
{
	char *t = xcheck(escape_text(buf, len, 0));
	char *s = xcheck(escape_unprintable(t));

	free(t);
	return s;
}

static void __attribute__((noreturn)) path_usage(void)
{
	fputs("Usage:\n"
	      " procexe path [options] [PID...]\n"
	      "\n"
	      "Print the path of the executable image each PID runs (without PID:\n"
	      "procexe's own), one line per PID in the order given.  A PID that fails\n"
	      "gives an empty line and a message on stderr.  The \" (deleted)\" suffix is\n"
	      "removed only when the file's identity proves what it means.\n"
	      "\n"
	      "Options:\n"
	      " -L, --link     print the kernel's link text as it is (escaped)\n"
	      " -f, --flags    append what else is true (deleted, replaced, loader...)\n"
	      " -J, --json     JSON output (failures included, with their error)\n"
	      " -q, --quiet    no line per failed PID on stderr (the empty line and the\n"
	      "                exit status still tell)\n"
	      " -h, --help     display this help\n"
	      " -V, --version  display the version\n"
	      "\n"
	      "Exit status: 0 every PID answered, 3 a PID does not exist or failed,\n"
	      "2 usage or operational error.\n"
	      "\n"
	      "For more details see procexe(1).\n", stdout);
	cli_exit(EXIT_OK);
}

/* The kernel's link text of PID (0: ourselves), through a scan of one, so
 * that a process stuck on a hung filesystem cannot block us. */
static int raw_link(pid_t pid, char **ret)
{
	struct procexe_image img = { .sz = sizeof(img) };
	struct procexe_list *list = NULL;
	const struct procexe_proc *p;
	struct procexe_ctx *ctx;
	pid_t one = pid ? pid : getpid();
	int r = procexe_ctx_new(NULL, &ctx);

	if (r < 0)
		return r;
	procexe_ctx_set_details(ctx, 0);
	r = procexe_scan(ctx, &one, 1, 0, &list);
	procexe_ctx_free(ctx);
	if (r < 0)
		return r;
	p = procexe_list_get(list, 0);
	if (!p)
		r = -ESRCH;
	else if (procexe_proc_errno(p))
		r = -procexe_proc_errno(p);
	else if (procexe_proc_image(p, procexe_proc_flags(p) & PROCEXE_PF_LOADER, &img) < 0 || !img.path)
		r = (procexe_proc_flags(p) & PROCEXE_PF_PATH_TOOLONG) ? -ENAMETOOLONG : -ENOENT;
	else {
		*ret = xstrdup(img.path);
		r = 0;
	}
	procexe_list_free(list);
	return r;
}

struct path_opts {
	bool link, show_flags, json, quiet;
};

/* The answer for one requested PID (0: procexe itself). */
struct path_row {
	pid_t pid;
	char *exe;              /* owned; NULL on failure */
	char *link;             /* owned; -L only, NULL on failure */
	unsigned flags;         /* PROCEXE_DELETED...: from the exe lookup */
	int err;                /* negative errno of what was asked (the link
	                           with -L, else the exe), else 0 */
	int exe_err;            /* negative errno of the exe lookup, else 0 */
};

static void path_row_lookup(struct path_row *row, const struct path_opts *o)
{
	int r = 0;

	row->flags = 0;
	if (!o->link || o->show_flags || o->json) {
		r = row->pid == 0 ? procexe_self_path(&row->exe, &row->flags)
		                  : procexe_pid_path(row->pid, &row->exe, &row->flags);
		if (r < 0) {
			row->exe = NULL;
			row->flags = 0;
			row->exe_err = r;
		}
	}
	if (o->link)
		r = raw_link(row->pid, &row->link);
	row->err = r < 0 ? r : 0;
}

/* Error R (negative errno, 0: none) of a lookup of PID, in words (NULL,
 * static, or in BUF of SIZE). */
static const char *error_words(pid_t pid, int r, char *buf, size_t size)
{
	if (r == 0)
		return NULL;
	if (r == -ESRCH)
		return "no such process";
	if (r == -ENOENT && pid)
		return "no executable (kernel thread or zombie)";
	snprintf(buf, size, "%s", strerror(-r));
	return buf;
}

static const char *row_error(const struct path_row *row, char *buf, size_t size)
{
	return error_words(row->pid, row->err, buf, size);
}

/* Count ROW into S: an answer, or a PID not seen (missing, timed out,
 * unreadable; a named PID the kernel refuses is denied and not seen). */
static void path_row_count(struct summary *s, const struct path_row *row)
{
	/* a named PID that does not exist is missing, not vanished (as in ls) */
	if (row->err == -ESRCH) {
		s->unseen.nmissing++;
		return;
	}
	s->processes++;
	if (row->err == 0)
		return;
	if (row->err == -EACCES || row->err == -EPERM) {
		s->denied++;
		s->states[PROCEXE_STATE_DENIED]++;
	}
	if (row->err == -ETIMEDOUT)
		s->unseen.ntimeout++;
	else
		s->unseen.nunreadable++;
}

static void print_text(const struct path_row *row, const struct path_opts *o)
{
	const char *val = o->link ? row->link : row->exe;
	char *sv;

	if (!val) {
		fputc('\n', stdout);
		return;
	}
	sv = safe_text(val, strlen(val));
	fputs(sv, stdout);
	free(sv);
	if (o->show_flags)
		for (unsigned bit = 1; bit; bit <<= 1)
			if ((row->flags & bit) && procexe_path_flag_name(bit))
				printf(" [%s]", procexe_path_flag_name(bit));
	fputc('\n', stdout);
}

/* {"pid", "exe", ("link",) "flags", "error"}, an element of "processes". */
static void print_json(struct json *j, const struct path_row *row, const struct path_opts *o)
{
	char buf[128];

	json_open(j, NULL);
	json_int(j, "pid", row->pid ? row->pid : getpid());
	json_bytes(j, "exe", row->exe, row->exe ? strlen(row->exe) : 0);
	if (o->link)
		json_bytes(j, "link", row->link, row->link ? strlen(row->link) : 0);
	json_open_array(j, "flags");
	for (unsigned bit = 1; bit; bit <<= 1)
		if ((row->flags & bit) && procexe_path_flag_name(bit))
			json_str(j, NULL, procexe_path_flag_name(bit));
	json_close_array(j);
	/* with -L, a failed exe lookup is told too (the row still answered) */
	json_str(j, "error", error_words(row->pid, row->err ? row->err : row->exe_err,
	                                 buf, sizeof(buf)));
	json_close(j);
}

static void parse_path_args(int argc, char **argv, struct path_opts *o)
{
	static const struct option longopts[] = {
		{ "link", no_argument, NULL, 'L' },
		{ "flags", no_argument, NULL, 'f' },
		{ "json", no_argument, NULL, 'J' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":LfJqhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'L':
			o->link = true;
			break;
		case 'f':
			o->show_flags = true;
			break;
		case 'J':
			o->json = true;
			break;
		case 'q':
			o->quiet = true;
			break;  /* path writes no summary lines on stderr */
		case 'h':
			path_usage();
		case 'V':
			print_version();
		default:
			getopt_error(c, argv);
		}
	}
}

int cmd_path(int argc, char **argv)
{
	struct path_opts o = { 0 };
	struct summary sum;
	struct json *j = NULL;
	pid_t *pids;
	size_t npids;

	parse_path_args(argc, argv, &o);
	npids = parse_pid_args_ordered(argv + optind, argc - optind, &pids);
	summary_init(&sum, "path");
	if (o.json) {
		j = json_new(stdout, true);
		json_begin_document(j, "path", NULL);
		json_open_array(j, "processes");
	}
	for (size_t i = 0; i < (npids ? npids : 1); i++) {
		/* no operand: procexe itself, as PID 0 */
		struct path_row row = { .pid = npids ? pids[i] : 0 };
		char buf[128];

		path_row_lookup(&row, &o);
		if (row.err < 0 && row.pid) {
			if (!o.quiet)
				warnx_("PID %d: %s", (int)row.pid,
				       row_error(&row, buf, sizeof(buf)));
		} else if (row.err < 0) {
			warnx_("cannot find procexe's own executable: %s",
			       row_error(&row, buf, sizeof(buf)));
		}
		path_row_count(&sum, &row);
		if (j)
			print_json(j, &row, &o);
		else
			print_text(&row, &o);
		free(row.exe);
		free(row.link);
	}
	free(pids);
	sum.exit_status = summary_complete(&sum) ? EXIT_OK : EXIT_INCOMPLETE;
	if (j) {
		json_close_array(j);
		summary_member(j, &sum, NULL, NULL);
		json_close(j);
		json_end_line(j);
		json_free(j);
	}
	return sum.exit_status;
}
