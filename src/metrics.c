/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * procexe metrics [options]: one scan judged exactly as `procexe restart`
 * judges it (restart_add()), written as Prometheus text exposition
 * format 0.0.4 on stdout, or with --textfile DIR as DIR/procexe.prom for
 * node_exporter's textfile collector, replaced atomically.
 *
 * Every label value that comes from a process (a unit, session or
 * container name) is first made printable text by escape_text() (invalid
 * UTF-8, controls, DEL and C1 controls as \xHH, a backslash as \\), then
 * escaped for the exposition format (backslash, double quote, newline).
 * So the file is valid UTF-8 without a control byte, and reading the label
 * back gives the text `procexe restart` prints in its table.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "procexe.h"

#include "cli.h"
#include "commands.h"
#include "escape.h"
#include "output.h"
#include "restart-collect.h"
#include "restart-group.h"
#include "summary.h"

#define TEXTFILE_NAME "procexe.prom"
#define TEXTFILE_MODE 0644

enum {
	OPT_TEXTFILE = CHAR_MAX + 1,
	OPT_PROC,
	OPT_THREADS,
};

struct metrics {
	const char *textfile;   /* --textfile DIR, NULL: stdout */
	const char *procfs;     /* --proc, NULL: /proc */
	unsigned threads;
	bool quiet;
};

static void __attribute__((noreturn)) usage(void)
{
	FILE *out = stdout;

	fputs("\nUsage:\n", out);
	fputs(" " PROGNAME " metrics [options]\n", out);
	fputs("\nScan every process once, judge it as '" PROGNAME " restart' does, and print\n"
	      "the counts in the Prometheus text format (version 0.0.4).\n", out);
	fputs("\nOptions:\n", out);
	fputs("     --textfile <dir>   write <dir>/" TEXTFILE_NAME " (replaced atomically) for\n"
	      "                          node_exporter's textfile collector, not stdout\n", out);
	fputs("     --proc <dir>       read the procfs mounted at <dir>, not /proc\n", out);
	fputs("     --threads <n>      worker threads (default 0: one per CPU, up to 4)\n", out);
	fputs(" -q, --quiet            no summary on stderr (errors are still printed)\n", out);
	fputs("\n -h, --help             display this help\n", out);
	fputs(" -V, --version          display version\n", out);
	fputs("\nExit status (the same with --textfile, and as 'procexe restart'): 0 nothing\n"
	      "must restart and every process was seen, 1 something must restart (fileless\n"
	      "code is a metric, not a restart), 2 usage or other trouble (then no file is\n"
	      "written), 3 nothing to restart but not every process was fully read.\n", out);
	fputs("\nFor more details see " PROGNAME "(1).\n", out);
	cli_exit(EXIT_OK);
}

static void parse_args(struct metrics *m, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "textfile", required_argument, NULL, OPT_TEXTFILE },
		{ "proc",     required_argument, NULL, OPT_PROC },
		{ "threads",  required_argument, NULL, OPT_THREADS },
		{ "quiet",    no_argument,       NULL, 'q' },
		{ "help",     no_argument,       NULL, 'h' },
		{ "version",  no_argument,       NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long v;
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":qhV", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_TEXTFILE:
			if (!*optarg)
				usage_error("--textfile needs a directory");
			m->textfile = optarg;
			break;
		case OPT_PROC:
			m->procfs = optarg;
			break;
		case OPT_THREADS:
			if (parse_ulong(optarg, 0, 1024, &v) < 0)
				usage_error("invalid number of threads: '%s'", optarg);
			m->threads = (unsigned)v;
			break;
		case 'q':
			m->quiet = true;
			break;
		case 'h':
			usage();
		case 'V':
			print_version();
		default:
			getopt_error(c, argv);
		}
	}
	if (optind < argc)
		usage_error("unexpected argument '%s'", argv[optind]);
}

/* ----------------------------------------------------------- format --- */

/* LEN untrusted bytes of S as a label value: escape_text(), then the
 * exposition format's escapes (\\, \", \n). */
static void label_value(FILE *f, const char *s, size_t len)
{
	char *text = xcheck(escape_text(s, len, 0));

	for (const char *p = text; *p; p++) {
		if (*p == '\\')
			fputs("\\\\", f);
		else if (*p == '"')
			fputs("\\\"", f);
		else if (*p == '\n')
			fputs("\\n", f);
		else
			fputc(*p, f);
	}
	free(text);
}

static void family(FILE *f, const char *name, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name);
}

/* NAME{LABEL="VALUE"} N, VALUE a plain word from the library or here. */
static void sample1(FILE *f, const char *name, const char *label, const char *value, size_t n)
{
	fprintf(f, "%s{%s=\"", name, label);
	label_value(f, value, strlen(value));
	fprintf(f, "\"} %zu\n", n);
}

/* The (reason, type) pairs of the category restart, with their counts of
 * distinct processes.  The pairs the collection can give come first (so
 * zeros are written); any other one found is appended. */
#define MAX_CELLS 32
struct cells {
	size_t n;
	struct cell {
		const char *reason;
		enum restart_ftype type;
		size_t count;
	} c[MAX_CELLS];
};

static struct cell *cell_of(struct cells *cs, const char *reason, enum restart_ftype type)
{
	if (!reason)
		return NULL;
	for (size_t i = 0; i < cs->n; i++)
		if (cs->c[i].type == type && strcmp(cs->c[i].reason, reason) == 0)
			return &cs->c[i];
	if (cs->n == MAX_CELLS)
		return NULL;
	cs->c[cs->n] = (struct cell){ .reason = reason, .type = type };
	return &cs->c[cs->n++];
}

/* The pairs exe_reason() and the mapping states of restart give. */
static void cells_init(struct cells *cs)
{
	static const enum procexe_state exe_states[] = {
		PROCEXE_STATE_DELETED, PROCEXE_STATE_REPLACED, PROCEXE_STATE_UNLINKED,
	};
	static const enum procexe_map_state map_states[] = {
		PROCEXE_MAP_DELETED, PROCEXE_MAP_REPLACED, PROCEXE_MAP_MODIFIED,
	};

	cs->n = 0;
	for (size_t i = 0; i < ARRAY_SIZE(exe_states); i++)
		cell_of(cs, procexe_state_name(exe_states[i]), FT_EXE);
	cell_of(cs, procexe_pf_name(PROCEXE_PF_MODIFIED), FT_EXE);
	for (enum restart_ftype t = FT_LIB; t <= FT_DATA; t++)
		for (size_t i = 0; i < ARRAY_SIZE(map_states); i++)
			cell_of(cs, procexe_map_state_name(map_states[i]), t);
}

/*
 * Count the processes of the category restart by (reason, type) into CS:
 * a process counts once per pair however many files give it.  The
 * findings of one process are adjacent (sorted by group, then PID).
 */
static void count_cells(const struct restart_set *set, struct cells *cs)
{
	bool seen[MAX_CELLS] = { false };
	pid_t last = -1;

	for (size_t i = 0; i < set->n; i++) {
		const struct finding *fd = &set->findings[i];
		pid_t pid = fd->proc->pid;
		struct cell *c;

		if (fd->cat != CAT_RESTART || fd->type == FT_NONE)
			continue;
		if (pid != last) {
			memset(seen, 0, sizeof(seen));
			last = pid;
		}
		c = cell_of(cs, fd->reason, fd->type);
		if (c && !seen[c - cs->c]) {
			seen[c - cs->c] = true;
			c->count++;
		}
	}
}

static void write_restart_processes(FILE *f, const struct restart_set *set)
{
	struct cells cs;

	cells_init(&cs);
	count_cells(set, &cs);
	family(f, "procexe_restart_processes",
	       "Processes that must restart, by reason and by type of file (exe, lib, data, script); "
	       "a process counts once per pair.");
	for (size_t i = 0; i < cs.n; i++)
		fprintf(f, "procexe_restart_processes{reason=\"%s\",type=\"%s\"} %zu\n",
		        cs.c[i].reason, restart_type_names[cs.c[i].type], cs.c[i].count);
}

static size_t distinct_pids(const struct restart_set *set, size_t from, size_t to)
{
	size_t n = 0;
	pid_t last = -1;

	for (size_t i = from; i < to; i++)
		if (set->findings[i].proc->pid != last) {
			last = set->findings[i].proc->pid;
			n++;
		}
	return n;
}

/*
 * The next named group that must restart, from finding *FROM on: true
 * with its findings [*FROM, *END), false when there is none left.
 */
static bool next_unit(const struct restart_set *set, size_t *from, size_t *end)
{
	for (size_t i = *from; i < set->n; i++) {
		const struct pgroup *g = set->findings[i].group;

		if (set->findings[i].cat != CAT_RESTART || g->type >= GROUP_NONE || !g->name)
			continue;
		*from = i;
		*end = restart_group_end(set, i);
		return true;
	}
	return false;
}

/* procexe_restart_units by group type (zeros included), then one
 * procexe_restart_group_processes series per group that must restart. */
static void write_units(FILE *f, const struct restart_set *set)
{
	size_t units[GROUP_NONE] = { 0 };
	size_t i, end;

	for (i = 0; next_unit(set, &i, &end); i = end)
		units[set->findings[i].group->type]++;
	family(f, "procexe_restart_units",
	       "Distinct systemd units, user units, sessions and containers holding a process "
	       "that must restart.");
	for (int t = 0; t < GROUP_NONE; t++)
		sample1(f, "procexe_restart_units", "group_type", group_type_name(t), units[t]);
	family(f, "procexe_restart_group_processes",
	       "Processes that must restart in each unit, session or container "
	       "(names escaped as in procexe restart's table).");
	for (i = 0; next_unit(set, &i, &end); i = end) {
		const struct pgroup *g = set->findings[i].group;

		fprintf(f, "procexe_restart_group_processes{group_type=\"%s\",group=\"",
		        group_type_name(g->type));
		label_value(f, g->name, strlen(g->name));
		fprintf(f, "\"} %zu\n", distinct_pids(set, i, end));
	}
}

/* What the scan saw and did not see. */
struct run {
	struct summary sum;
	struct tally t;
	uint64_t duration_ns;   /* CLOCK_MONOTONIC, from the context to the judgement */
	uint64_t end_ns;        /* CLOCK_REALTIME at the end */
};

static void write_counts(FILE *f, const struct run *run)
{
	const struct summary *s = &run->sum;
	const size_t unseen[] = {
		[PROCEXE_INCOMPLETE_TIMEOUT] = s->unseen.ntimeout,
		[PROCEXE_INCOMPLETE_UNREADABLE] = s->unseen.nunreadable,
		[PROCEXE_INCOMPLETE_MAPS] = s->unseen.nmaps,
	};

	family(f, "procexe_processes", "Processes seen by the last scan, by state of their image.");
	for (int st = 0; st < _PROCEXE_STATE_MAX; st++)
		if (procexe_state_name(st))
			sample1(f, "procexe_processes", "state", procexe_state_name(st),
			        s->states[st]);
	family(f, "procexe_fileless_processes", "Processes running code that never had a file.");
	fprintf(f, "procexe_fileless_processes %zu\n", run->t.nfileless);
	family(f, "procexe_denied_processes", "Processes the kernel did not let procexe inspect.");
	fprintf(f, "procexe_denied_processes %zu\n", s->denied);
	family(f, "procexe_vanished_processes", "Processes that exited before they were read.");
	fprintf(f, "procexe_vanished_processes %zu\n", s->vanished);
	family(f, "procexe_unseen_processes",
	       "Processes not fully read (given up on, unreadable, mapping list incomplete).");
	for (int r = PROCEXE_INCOMPLETE_TIMEOUT; r <= PROCEXE_INCOMPLETE_MAPS; r++)
		sample1(f, "procexe_unseen_processes", "reason", procexe_incomplete_name(r),
		        unseen[r]);
}

static void write_run(FILE *f, const struct run *run)
{
	bool complete = summary_all_seen(&run->sum);

	family(f, "procexe_scan_duration_seconds", "How long the last scan took.");
	fprintf(f, "procexe_scan_duration_seconds %" PRIu64 ".%09" PRIu64 "\n",
	        run->duration_ns / 1000000000u, run->duration_ns % 1000000000u);
	family(f, "procexe_scan_complete",
	       "1 when the last scan read every process fully, else 0.");
	fprintf(f, "procexe_scan_complete %d\n", complete ? 1 : 0);
	if (complete) {
		family(f, "procexe_last_success_timestamp_seconds",
		       "When the last complete scan ended (absent after an incomplete one).");
		fprintf(f, "procexe_last_success_timestamp_seconds %" PRIu64 ".%03" PRIu64 "\n",
		        run->end_ns / 1000000000u, run->end_ns % 1000000000u / 1000000u);
	}
}

/* The whole exposition into a new buffer (*RET, *RET_LEN); 0 or -ENOMEM. */
static int format_metrics(const struct restart_set *set, const struct run *run,
                          char **ret, size_t *ret_len)
{
	FILE *f = open_memstream(ret, ret_len);
	const char *version = procexe_version();

	if (!f)
		return -ENOMEM;
	family(f, "procexe_info", "The version of procexe that wrote these metrics.");
	fputs("procexe_info{version=\"", f);
	label_value(f, version, strlen(version));
	fputs("\"} 1\n", f);
	write_counts(f, run);
	write_restart_processes(f, set);
	write_units(f, set);
	write_run(f, run);
	if (ferror(f)) {
		fclose(f);
		free(*ret);
		*ret = NULL;
		return -ENOMEM;
	}
	return fclose(f) == 0 ? 0 : -ENOMEM;
}

/* --------------------------------------------------------- textfile --- */

/*
 * The textfile directory DIR, opened (O_RDONLY | O_DIRECTORY) without
 * following a symlink anywhere on the way: one component at a time from
 * "/" or the working directory, each an openat(O_PATH | O_NOFOLLOW) of the
 * fd reached so far.  DIR must exist.  Returns the fd or a negative errno
 * (-ELOOP: a component is a symlink; -ENOTDIR: not a directory).
 *
 * Unlike the recovery directory (procexe_recover_dir_open()), neither DIR
 * nor the directories above it need to belong to root or to us:
 * node_exporter's directory is often owned by its own user, and on Debian
 * /var/lib/prometheus belongs to prometheus.  Nothing is trusted to them
 * but the names we create, and what we do there is safe against their
 * owner, who may rename, replace or add anything at any time:
 *  - no symlink is followed: not on the path (O_NOFOLLOW at every step),
 *    not at the temporary name (O_CREAT | O_EXCL never opens an existing
 *    entry, a symlink included), and renameat() replaces the entry
 *    procexe.prom itself, never what a symlink there points to;
 *  - the file written is the new inode we created (O_EXCL), chmod'ed and
 *    fsync'ed through its fd only, and the rename stays inside the pinned
 *    directory fd: the owner can make us write into another directory he
 *    owns (he could copy the file there himself), never onto a file of
 *    someone else;
 *  - he can remove our file, or put his own under our temporary name
 *    before the rename: both are his directory's contents, which he
 *    controls anyway (the metrics are as trustworthy as DIR's owner);
 *  - unlinkat() of the temporary name after a failure removes one entry
 *    of his directory, never another link of a file.
 * The file is complete before it gets its final name (written, fsync'ed,
 * renamed): a reader sees the old file or the new one, never a part.
 */
static int open_textfile_dir(const char *path)
{
	const char *p = path;
	struct stat st;
	int cur, fd, r;

	cur = open(path[0] == '/' ? "/" : ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (cur < 0)
		return -errno;
	for (;;) {
		size_t len;
		char name[NAME_MAX + 1];

		p += strspn(p, "/");
		len = strcspn(p, "/");
		if (len == 0)
			break;
		if (len > NAME_MAX) {
			close(cur);
			return -ENAMETOOLONG;
		}
		memcpy(name, p, len);
		name[len] = '\0';
		p += len;
		fd = openat(cur, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		close(cur);
		if (fd < 0)
			return -errno;
		cur = fd;
		r = fstat(cur, &st) < 0 ? -errno : S_ISLNK(st.st_mode) ? -ELOOP :
		    !S_ISDIR(st.st_mode) ? -ENOTDIR : 0;
		if (r < 0) {
			close(cur);
			return r;
		}
	}
	fd = openat(cur, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	r = fd < 0 ? -errno : fd;
	close(cur);
	return r;
}

/* Create a new temporary file in DIRFD (a name not ending in ".prom",
 * which node_exporter ignores) into NAME; its fd or a negative errno. */
static int create_temp(int dirfd, char *name, size_t size)
{
	for (int tries = 0; tries < 16; tries++) {
		uint64_t rnd;
		int fd;

		if (getrandom(&rnd, sizeof(rnd), 0) != sizeof(rnd))
			return -errno;
		snprintf(name, size, ".procexe.%016" PRIx64 ".tmp", rnd);
		fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		            TEXTFILE_MODE);
		if (fd >= 0 || errno != EEXIST)
			return fd >= 0 ? fd : -errno;
	}
	return -EEXIST;
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Fill the new file FD: BUF, mode 0644 whatever the umask, on disk. */
static int fill_temp(int fd, const char *buf, size_t len)
{
	int r = write_all(fd, buf, len);

	if (r < 0)
		return r;
	if (fchmod(fd, TEXTFILE_MODE) < 0 || fsync(fd) < 0)
		return -errno;
	return 0;
}

/* DIR/procexe.prom replaced by BUF (see open_textfile_dir()); 0 or a
 * negative errno with *WHAT naming the step that failed. */
static int write_textfile(const char *dir, const char *buf, size_t len, const char **what)
{
	char tmp[64];
	int dirfd, fd, r;

	*what = "cannot open the directory";
	dirfd = open_textfile_dir(dir);
	if (dirfd < 0)
		return dirfd;
	*what = "cannot create a temporary file in";
	fd = create_temp(dirfd, tmp, sizeof(tmp));
	if (fd < 0) {
		close(dirfd);
		return fd;
	}
	*what = "cannot write a temporary file in";
	r = fill_temp(fd, buf, len);
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r == 0) {
		*what = "cannot rename the temporary file to " TEXTFILE_NAME " in";
		if (renameat(dirfd, tmp, dirfd, TEXTFILE_NAME) < 0)
			r = -errno;
	}
	if (r < 0)
		unlinkat(dirfd, tmp, 0);
	else
		(void)fsync(dirfd);     /* the rename on disk; the file is whole anyway */
	close(dirfd);
	return r;
}

/* ------------------------------------------------------------- main --- */

static uint64_t now_ns(clockid_t clock)
{
	struct timespec ts;

	if (clock_gettime(clock, &ts) < 0)
		return 0;
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* procexe_scan_each()'s callback: judge PROC into the set; never kept. */
struct judge {
	struct restart_set *set;
	struct summary *sum;
};

static int judge_one(struct procexe_proc *proc, void *arg)
{
	struct judge *jd = arg;

	restart_add(jd->set, proc, jd->sum);
	return 0;
}

/* One scan judged as restart judges it, into SET and RUN; 0 or EXIT_TROUBLE
 * (reported).  *CTX is the caller's to free. */
static int scan(const struct metrics *m, struct restart_set *set, struct run *run,
                struct procexe_ctx **ctx)
{
	const char *procfs = m->procfs ? m->procfs : "/proc";
	uint64_t start = now_ns(CLOCK_MONOTONIC);
	struct procexe_scan_stats st = { .sz = sizeof(st) };
	struct judge jd = { .set = set, .sum = &run->sum };
	int r;

	summary_init(&run->sum, "metrics");
	r = procexe_ctx_new(m->procfs, ctx);
	if (r < 0) {
		warnx_("cannot read %s: %s", procfs, procfs_strerror(r));
		return EXIT_TROUBLE;
	}
	procexe_ctx_set_threads(*ctx, m->threads);
	procexe_ctx_set_maps(*ctx, restart_maps_flags(false, false));
	procexe_ctx_set_details(*ctx, PROCEXE_DETAIL_CGROUP);
	restart_begin(set, NULL, 0);
	r = procexe_scan_each(*ctx, NULL, 0, restart_detail_states(), judge_one, &jd, &st);
	if (r < 0) {
		warnx_("cannot read %s: %s", procfs, strerror(-r));
		return EXIT_TROUBLE;
	}
	restart_end(set, st.nvanished, &run->sum, &run->t);
	run->duration_ns = now_ns(CLOCK_MONOTONIC) - start;
	run->end_ns = now_ns(CLOCK_REALTIME);
	return 0;
}

/* The exposition on stdout or into the textfile; 0 or EXIT_TROUBLE. */
static int emit(const struct metrics *m, const char *buf, size_t len)
{
	const char *what;
	char *sdir;
	int r;

	if (!m->textfile) {
		/* a write error is reported by cli_exit() */
		return fwrite(buf, 1, len, stdout) == len && fflush(stdout) == 0 ? 0 : EXIT_TROUBLE;
	}
	r = write_textfile(m->textfile, buf, len, &what);
	if (r == 0)
		return 0;
	sdir = safe_text(m->textfile, strlen(m->textfile));
	warnx_("%s %s: %s", what, sdir, strerror(-r));
	free(sdir);
	return EXIT_TROUBLE;
}

int cmd_metrics(int argc, char **argv)
{
	struct metrics m = { 0 };
	struct restart_set set = { 0 };
	struct run run = { 0 };
	struct procexe_ctx *ctx = NULL;
	char *buf = NULL;
	size_t len = 0;
	int status;

	parse_args(&m, argc, argv);
	status = scan(&m, &set, &run, &ctx);
	if (status == 0 && format_metrics(&set, &run, &buf, &len) < 0) {
		warnx_("%s", strerror(ENOMEM));
		status = EXIT_TROUBLE;
	}
	if (status == 0)
		status = emit(&m, buf, len);
	if (status == 0) {
		/* restart's status: 1 something must restart (fileless code is a
		 * metric, not a restart), else 3 anything unseen, else 0 */
		status = run.sum.exit_status;
		if (!m.quiet) {
			warnx_("%zu processes, %zu must restart, %zu run fileless code, %zu denied",
			       run.sum.processes, run.t.nrestart, run.t.nfileless, run.sum.denied);
			unseen_log_report(&run.t.unseen, &set.unseen);
		}
	}
	free(buf);
	restart_set_free(&set);
	procexe_ctx_free(ctx);
	return status;
}
