/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * procexe - list processes whose executable was deleted, replaced or never
 * had a file, through /proc/PID/exe.
 *
 *   procexe [options]               scan, list the suspicious processes
 *   procexe ls [options] [PID...]   list every process, or those PIDs
 *
 * Exit status (procexe(1)): 1 something flagged (scan only), else 3 when
 * not everything was seen (timed out, unreadable, a PID given does not
 * exist), else 0; 2 for usage and runtime errors.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <locale.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "procexe.h"

#include "cli.h"
#include "commands.h"
#include "columns.h"
#include "output.h"
#include "summary.h"

/* Upper bound for --threads: more can only hurt. */
#define MAX_THREADS 1024

/* One line of help per state, indexed by enum procexe_state. */
static const char *const state_help[_PROCEXE_STATE_MAX] = {
	[PROCEXE_STATE_KERNEL]      = "kernel thread, no executable",
	[PROCEXE_STATE_ZOMBIE]      = "zombie or exiting process",
	[PROCEXE_STATE_DENIED]      = "not allowed to inspect the process",
	[PROCEXE_STATE_FILELESS]    = "image never had a path (memfd, O_TMPFILE)",
	[PROCEXE_STATE_DELETED]     = "image deleted, nothing at its path",
	[PROCEXE_STATE_REPLACED]    = "another file now stands at its path",
	[PROCEXE_STATE_UNLINKED]    = "launch name gone, image linked elsewhere",
	[PROCEXE_STATE_REPOINTED]   = "exe link names a file the process does not map",
	[PROCEXE_STATE_UNREACHABLE] = "path cannot be verified from any root",
	[PROCEXE_STATE_OK]          = "launch path reaches the running image",
};

enum mode {
	MODE_SCAN,
	MODE_LS,
};

/* Which processes to show. */
struct filter {
	unsigned states;        /* bit (1u << state) */
	bool modified;          /* also those with PROCEXE_PF_MODIFIED */
	bool verdict;           /* instead: what procexe_proc_attention() flags */
};

struct control {
	enum mode mode;
	struct out_opts out;
	struct table_args ta;   /* -o, -J, -r, -n, -H */
	bool output_all;
	bool have_filter;       /* --state given */
	struct filter filter;
	const char *procfs;     /* --proc, NULL: /proc */
	unsigned threads;
	bool have_threads;
	bool quiet;             /* -q: no summary on stderr */
	bool global;            /* run as plain "procexe", without a command */
	pid_t *pids;            /* ls operands, sorted and distinct */
	size_t npids;
};

/* The subcommands, in the order of the global help. */
static const struct verb {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
} verbs[] = {
	{ "scan",    cmd_scan,    "list the processes that need attention (the default)" },
	{ "ls",      cmd_ls,      "list every process, or the given PIDs" },
	{ "path",    cmd_path,    "print the path of each PID's running image" },
	{ "explain", cmd_explain, "tell how the kernel answers for one process" },
	{ "recover", cmd_recover, "copy running images into a directory, hashed" },
	{ "restart", cmd_restart, "list the processes that must restart" },
	{ "metrics", cmd_metrics, "print the restart counts as Prometheus metrics" },
	{ "watch",   cmd_watch,   "report every exec as it happens, pin and store its image" },
};

static void print_states(FILE *out)
{
	fputs("\nStates (* = listed by the scan):\n", out);
	for (int s = 0; s < _PROCEXE_STATE_MAX; s++) {
		const char *name = procexe_state_name(s);

		if (!name)
			continue;
		fprintf(out, " %-12s %c %s\n", name,
			procexe_state_is_suspicious(s) ? '*' : ' ',
			state_help[s] ? state_help[s] : "");
	}
	fprintf(out, " %-12s * %s\n", "modified",
		"image changed after the process started (a flag)");
}

static void __attribute__((noreturn)) usage(enum mode mode, bool global)
{
	FILE *out = stdout;
	const struct colset *defaults = mode == MODE_LS ?
		&default_ls_columns : &default_scan_columns;

	fputs("\nUsage:\n", out);
	if (global) {
		fputs(" " PROGNAME " [scan] [options]\n", out);
		fputs(" " PROGNAME " <command> [options] [<pid>...]\n", out);
		fputs("\nFind processes whose executable was deleted, replaced or never had a file.\n", out);
		fputs("\nCommands:\n", out);
		for (size_t i = 0; i < ARRAY_SIZE(verbs); i++)
			fprintf(out, " %-9s %s\n", verbs[i].name, verbs[i].summary);
		fputs("\nEach command has its own help: " PROGNAME " <command> --help.\n", out);
		fputs("\nOptions of the scan (also of 'ls'):\n", out);
	} else if (mode == MODE_LS) {
		fputs(" " PROGNAME " ls [options] [<pid>...]\n", out);
		fputs("\nList every process, or the given PIDs, with the state of its image.\n", out);
		fputs("\nOptions:\n", out);
	} else {
		fputs(" " PROGNAME " scan [options]\n", out);
		fputs("\nScan every process and list those that need attention.\n", out);
		fputs("\nOptions:\n", out);
	}
	fputs(" -o, --output <list>    output columns (a list starting with '+' is\n"
	      "                          added to the default columns)\n", out);
	fputs("     --output-all       output all columns\n", out);
	fputs(" -J, --json             use JSON output format (schema v1)\n", out);
	fputs("     --jsonl            one JSON object per line, the summary last\n", out);
	fputs(" -r, --raw              use raw output format\n", out);
	fputs(" -n, --noheadings       don't print headings\n", out);
	fputs(" -H, --list-columns     list the available columns\n", out);
	fputs("     --state <list>     only processes in these states (see below)\n", out);
	fputs("     --proc <dir>       read the procfs mounted at <dir>, not /proc\n", out);
	fputs("     --threads <n>      worker threads (default 0: one per CPU, up to 4)\n", out);
	fputs(" -q, --quiet            nothing on stderr but usage and operational errors\n", out);
	fputs("\n -h, --help             display this help\n", out);
	fputs(" -V, --version          display version\n", out);
	print_states(out);
	fputs("\nDefault columns: ", out);
	for (size_t i = 0; i < defaults->n; i++)
		fprintf(out, "%s%s", i ? "," : "", infos[defaults->ids[i]].name);
	fputs("\nUse --list-columns for a description of every column.\n", out);
	fputs("\nFor more details see " PROGNAME "(1).\n", out);
	cli_exit(EXIT_OK);
}

/* --state LIST: comma-separated state names, or "modified". */
static void parse_states(const char *list, struct filter *f)
{
	const char *p = list;

	for (;;) {
		size_t len = strcspn(p, ",");
		enum procexe_state s;
		char name[32];          /* longer than any state name */

		if (len == 0)
			usage_error("empty state name in '%s'", list);
		if (len >= sizeof(name))
			usage_error("unknown state: %.*s", (int)len, p);
		memcpy(name, p, len);
		name[len] = '\0';
		if (strcmp(name, "modified") == 0)
			f->modified = true;
		else if (procexe_state_from_name(name, &s) == 0)
			f->states |= 1u << s;
		else
			usage_error("unknown state: %s", name);
		if (p[len] == '\0')
			break;
		p += len + 1;
	}
}

static void parse_args(struct control *ctl, int argc, char **argv)
{
	enum {
		OPT_OUTPUT_ALL = CHAR_MAX + 1,
		OPT_STATE,
		OPT_PROC,
		OPT_THREADS,
	};
	static const struct option longopts[] = {
		TABLE_LONGOPTS,
		{ "output-all",   no_argument,       NULL, OPT_OUTPUT_ALL },
		{ "state",        required_argument, NULL, OPT_STATE },
		{ "proc",         required_argument, NULL, OPT_PROC },
		{ "threads",      required_argument, NULL, OPT_THREADS },
		{ "quiet",        no_argument,       NULL, 'q' },
		{ "help",         no_argument,       NULL, 'h' },
		{ "version",      no_argument,       NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	opterr = 0;     /* our own messages, named PROGNAME */
	while ((c = getopt_long(argc, argv, ":o:JrnHqhV", longopts, NULL)) != -1) {
		if (table_option(&ctl->ta, c, optarg))
			continue;
		switch (c) {
		case OPT_OUTPUT_ALL:
			ctl->output_all = true;
			break;
		case OPT_STATE:
			ctl->have_filter = true;
			parse_states(optarg, &ctl->filter);
			break;
		case OPT_PROC:
			ctl->procfs = optarg;
			break;
		case OPT_THREADS: {
			unsigned long v;

			if (parse_ulong(optarg, 0, MAX_THREADS, &v) < 0)
				usage_error("invalid number of threads: '%s'", optarg);
			ctl->threads = (unsigned)v;
			ctl->have_threads = true;
			break;
		}
		case 'q':
			ctl->quiet = true;
			break;
		case 'h':
			usage(ctl->mode, ctl->global);
		case 'V':
			print_version();
		default:
			getopt_error(c, argv);
		}
	}
	table_args_opts(&ctl->ta, &ctl->out);

	if (ctl->mode == MODE_LS)
		ctl->npids = parse_pid_args(argv + optind, argc - optind, &ctl->pids);
	else if (optind < argc && ctl->global)
		usage_error("unknown command '%s' (commands come first: "
			    PROGNAME " <command> [options])", argv[optind]);
	else if (optind < argc)
		usage_error("unexpected argument '%s'", argv[optind]);
}

static void resolve_columns(const struct control *ctl, struct colset *cols)
{
	const struct colset *defaults = ctl->mode == MODE_LS ?
		&default_ls_columns : &default_scan_columns;
	const char *bad = NULL;
	size_t badlen = 0;

	if (ctl->output_all) {
		colset_all(cols);
		return;
	}
	if (!ctl->ta.output) {
		*cols = *defaults;
		return;
	}
	if (colset_parse(ctl->ta.output, defaults, cols, &bad, &badlen) < 0) {
		if (badlen == 0)
			usage_error("empty column name in '%s'", ctl->ta.output);
		usage_error("unknown column: %.*s", (int)badlen, bad);
	}
}

/* Does the process pass the filter? */
static bool wanted(const struct filter *f, const struct procexe_proc *proc)
{
	enum procexe_state s = procexe_proc_state(proc);

	if (f->verdict)
		return procexe_proc_attention(proc) &
		       (PROCEXE_ATTN_IMAGE | PROCEXE_ATTN_MODIFIED | PROCEXE_ATTN_INCOMPLETE);
	if (s < _PROCEXE_STATE_MAX && (f->states & (1u << s)))
		return true;
	return f->modified && (procexe_proc_flags(proc) & PROCEXE_PF_MODIFIED);
}

static unsigned suspicious_states(void)
{
	unsigned mask = 0;

	for (int s = 0; s < _PROCEXE_STATE_MAX; s++)
		if (procexe_state_is_suspicious(s))
			mask |= 1u << s;
	return mask;
}

/* The filter and the details to read, for the mode and --state. */
static unsigned setup_filter(struct control *ctl)
{
	if (ctl->mode == MODE_LS) {
		if (!ctl->have_filter)
			ctl->filter = (struct filter){ .states = PROCEXE_ALL_STATES,
						       .modified = true };
		return PROCEXE_ALL_STATES;
	}
	/* The default scan lists what the one verdict flags. */
	if (!ctl->have_filter)
		ctl->filter = (struct filter){ .verdict = true };
	/* Details (comm, cmdline, ...) for every row we may print. */
	return suspicious_states() | ctl->filter.states | PROCEXE_DETAILS_IF_MODIFIED;
}

/*
 * Is the listed PROC a finding?  For the scan, a listed process that was
 * read; for "ls" (which lists everything), one the scan's verdict flags.
 * A process not read is never a finding.
 */
static bool finding(const struct control *ctl, const struct procexe_proc *proc)
{
	static const struct filter verdict = { .verdict = true };

	if (proc_unread(proc))
		return false;
	return ctl->mode == MODE_SCAN || wanted(&verdict, proc);
}

/* What the scan's callback needs: each record is counted, and printed
 * (or freed by the library) at once. */
struct rows {
	const struct control *ctl;
	struct output *out;
	struct summary *sum;
	struct unseen_log unseen;
};

/* procexe_scan_each()'s callback: count PROC into the summary, print it
 * if it passes the filter; never keeps it. */
static int add_row(struct procexe_proc *proc, void *userdata)
{
	struct rows *rows = userdata;

	summary_add_seen(rows->sum, &rows->unseen, proc, false);
	if (!wanted(&rows->ctl->filter, proc))
		return 0;
	if (finding(rows->ctl, proc))
		rows->sum->flagged++;
	output_add_proc(rows->out, proc);
	return 0;
}

/* The exit status: 1 for a scan that found something, else 3 when
 * something was not seen, else 0 ("ls" never 1). */
static int scan_status(const struct control *ctl, const struct summary *sum)
{
	if (ctl->mode == MODE_SCAN && sum->flagged > 0)
		return EXIT_FOUND;
	return summary_complete(sum) ? EXIT_OK : EXIT_INCOMPLETE;
}

/* The lines on stderr after the output (none with -q). */
static void report(const struct control *ctl, const struct rows *rows)
{
	const struct summary *sum = rows->sum;

	if (ctl->quiet)
		return;
	if (ctl->mode == MODE_SCAN)
		warnx_("%zu processes, %zu flagged, %zu denied", sum->processes,
		       sum->flagged, sum->denied);
	if (ctl->mode == MODE_SCAN)
		denial_report(sum->denied);
	unseen_log_report(&sum->unseen, &rows->unseen);
}

/* Scan, writing each row as its record arrives: no record is kept, a
 * table keeps the printed rows only.  The exit status. */
static int scan_rows(struct control *ctl, struct procexe_ctx *pctx, const struct colset *cols,
                     struct summary *sum)
{
	struct procexe_scan_stats st = { .sz = sizeof(st) };
	struct rows rows = { .ctl = ctl, .sum = sum };
	unsigned details = setup_filter(ctl);
	int r;

	rows.out = output_new(&ctl->out, cols, sum->command);
	unseen_log_init(&rows.unseen, ctl->pids, ctl->npids);
	r = procexe_scan_each(pctx, ctl->pids, ctl->npids, details, add_row, &rows, &st);
	if (r < 0) {
		fflush(stdout);
		warnx_("cannot read %s: %s", ctl->procfs ? ctl->procfs : "/proc", strerror(-r));
		sum->exit_status = EXIT_TROUBLE;
		goto out;
	}
	summary_end_scan(sum, &rows.unseen, st.nvanished);
	sum->exit_status = scan_status(ctl, sum);
	r = output_print(rows.out, sum);
	/* A write error is cli_exit()'s to judge (EPIPE is not one). */
	if (r < 0 && !ferror(stdout)) {
		warnx_("cannot print the table: %s", strerror(-r));
		sum->exit_status = EXIT_TROUBLE;
	}
	/* Flush the output first, so that the summary follows it. */
	fflush(stdout);
	report(ctl, &rows);
out:
	unseen_log_free(&rows.unseen);
	output_free(rows.out);
	return sum->exit_status;
}

static int run(struct control *ctl, const struct colset *cols)
{
	const char *procfs = ctl->procfs ? ctl->procfs : "/proc";
	struct procexe_ctx *pctx = NULL;
	struct summary sum;
	int r;

	summary_init(&sum, ctl->mode == MODE_LS ? "ls" : "scan");
	r = procexe_ctx_new(ctl->procfs, &pctx);
	if (r < 0) {
		warnx_("cannot read %s: %s", procfs, procfs_strerror(r));
		return EXIT_TROUBLE;
	}
	if (ctl->have_threads)
		procexe_ctx_set_threads(pctx, ctl->threads);
	/* Read only what the columns show: each detail costs system calls. */
	procexe_ctx_set_details(pctx, colset_details(cols));
	r = scan_rows(ctl, pctx, cols, &sum);
	procexe_ctx_free(pctx);
	return r;
}

/* The scan or "ls" with the arguments after the command name (or all of
 * them for a plain "procexe"); returns the exit status. */
static int scan_main(enum mode mode, bool global, int argc, char **argv)
{
	struct control ctl = { .mode = mode, .global = global };
	struct colset cols;
	int status;

	parse_args(&ctl, argc, argv);
	if (ctl.ta.list_columns)
		return output_list_columns(&ctl.out) < 0 ? EXIT_TROUBLE : EXIT_OK;
	resolve_columns(&ctl, &cols);
	status = run(&ctl, &cols);
	free(ctl.pids);
	return status;
}

int cmd_scan(int argc, char **argv)
{
	return scan_main(MODE_SCAN, false, argc, argv);
}

int cmd_ls(int argc, char **argv)
{
	return scan_main(MODE_LS, false, argc, argv);
}

static void __attribute__((noreturn)) unknown_command(const char *name)
{
	char *s = safe_text(name, strlen(name));

	warnx_("unknown command '%s'", s);
	free(s);
	fputs("Commands:", stderr);
	for (size_t i = 0; i < ARRAY_SIZE(verbs); i++)
		fprintf(stderr, " %s", verbs[i].name);
	fputs("\nTry '" PROGNAME " --help' for more information.\n", stderr);
	exit(EXIT_TROUBLE);
}

int main(int argc, char **argv)
{
	setlocale(LC_ALL, "");
	if (argc > 1 && argv[1][0] != '-') {
		for (size_t i = 0; i < ARRAY_SIZE(verbs); i++) {
			if (strcmp(argv[1], verbs[i].name) != 0)
				continue;
			cli_set_command(verbs[i].name);
			cli_exit(verbs[i].run(argc - 1, argv + 1));
		}
		unknown_command(argv[1]);
	}
	cli_exit(scan_main(MODE_SCAN, true, argc, argv));
}
