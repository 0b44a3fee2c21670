/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * procexe watch: the command line, the mechanisms' start-up (each probed
 * by loading it), and the main thread's poll loop.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>
#include <linux/magic.h>
#include <linux/openat2.h>

#include "cli.h"
#include "commands.h"
#include "watch-bpf.h"
#include "watch-cn.h"
#include "watch-fan.h"
#include "watch-pin.h"
#include "watch.h"

#define TICK_MS 100

struct watch {
	struct wout_opts o;
	unsigned want;          /* WM_* asked for (--mechanism), 0: automatic */
	bool freeze;
	const char *freeze_cgroup;
	uint64_t duration_ms;   /* 0: until a signal */
	struct wpin pin;
	struct wcount cnt;
	char line[512];         /* the start-up line: what is on and why not */
	size_t linelen;
};

enum {
	OPT_STORE = 0x100, OPT_ALL, OPT_SUSPICIOUS, OPT_FREEZE, OPT_MECHANISM, OPT_COUNT,
	OPT_DURATION, OPT_MAX_STORE, OPT_MIN_FREE, OPT_PROC, OPT_FLAGGED,
};

static void __attribute__((noreturn)) usage(void)
{
	FILE *out = stdout;

	fputs("\nUsage:\n " PROGNAME " watch [options]\n", out);
	fputs("\nReport every program executed from now on, pin its image at once (also\n"
	      "when it deletes itself or runs from a memfd), judge it as the scan does,\n"
	      "and hash and store the suspicious ones.\n", out);
	fputs("\nOptions:\n", out);
	fputs("     --store <dir>      copy images into <dir> (named by their SHA-256, mode\n"
	      "                          0400, manifest.jsonl); without it only hashes\n", out);
	fputs("     --suspicious       hash/store fileless, deleted, replaced images and\n"
	      "                          those run from temporary or world-writable\n"
	      "                          directories (the default)\n", out);
	fputs("     --all              hash/store every distinct image\n", out);
	fputs("     --freeze[=<cgroup>] stop each suspicious new program (only in cgroup v2\n"
	      "                          directory <cgroup> when given) until it is pinned\n", out);
	fputs("     --mechanism <list> fanotify, bpf, connector (default: fanotify and bpf,\n"
	      "                          the connector when neither loads)\n", out);
	fputs("     --count <n>        stop after <n> execs\n", out);
	fputs("     --duration <sec>   stop after <sec> seconds\n", out);
	fputs("     --max-store <size> store at most <size> bytes per run (default 1G)\n", out);
	fputs("     --min-free <size>  keep <size> free on the store's filesystem (default 512M)\n",
	      out);
	fputs("     --flagged          print only the suspicious and the missed execs (all\n"
	      "                          are counted in the summary)\n", out);
	fputs("     --proc <dir>       read the procfs mounted at <dir>, not /proc\n", out);
	fputs(" -J, --json             one JSON document at the end (schema v1)\n", out);
	fputs("     --jsonl            one JSON object per exec, the summary last\n", out);
	fputs(" -r, --raw              raw output\n", out);
	fputs(" -n, --noheadings       no header line\n", out);
	fputs(" -q, --quiet            no start-up line or summary on stderr\n", out);
	fputs("\n -h, --help             display this help\n", out);
	fputs(" -V, --version          display version\n", out);
	fputs("\nExit status: 0 nothing suspicious and every exec pinned, 1 a suspicious exec\n"
	      "was seen, 2 trouble (no mechanism could start), 3 nothing suspicious but some\n"
	      "execs were missed, shed or lost.\n", out);
	fputs("\nFor more details see " PROGNAME "(1).\n", out);
	cli_exit(EXIT_OK);
}

static unsigned parse_mechanisms(const char *arg)
{
	char *list = xstrdup(arg), *save = NULL;
	unsigned bits = 0;

	for (char *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		if (strcmp(t, "fanotify") == 0)
			bits |= WM_FANOTIFY;
		else if (strcmp(t, "bpf") == 0)
			bits |= WM_BPF;
		else if (strcmp(t, "connector") == 0)
			bits |= WM_CONNECTOR;
		else
			usage_error("unknown mechanism '%s'", t);
	}
	free(list);
	if (!bits)
		usage_error("--mechanism needs a list");
	return bits;
}

/* The options that take a count, a duration or a size. */
static void take_number(struct watch *w, int c, const char *arg)
{
	unsigned long v;

	switch (c) {
	case OPT_COUNT:
		if (parse_ulong(arg, 1, ULONG_MAX, &v) < 0)
			usage_error("invalid count: '%s'", arg);
		w->o.count = v;
		break;
	case OPT_DURATION:
		if (parse_ulong(arg, 1, 100000000, &v) < 0)
			usage_error("invalid duration: '%s'", arg);
		w->duration_ms = (uint64_t)v * 1000u;
		break;
	default:
		if (!parse_size(arg, c == OPT_MAX_STORE ? &w->o.max_store : &w->o.min_free))
			usage_error("invalid size: '%s'", arg);
		break;
	}
}

static const struct option watch_longopts[] = {
	{ "store",      required_argument, NULL, OPT_STORE },
	{ "all",        no_argument,       NULL, OPT_ALL },
	{ "suspicious", no_argument,       NULL, OPT_SUSPICIOUS },
	{ "freeze",     optional_argument, NULL, OPT_FREEZE },
	{ "mechanism",  required_argument, NULL, OPT_MECHANISM },
	{ "count",      required_argument, NULL, OPT_COUNT },
	{ "duration",   required_argument, NULL, OPT_DURATION },
	{ "max-store",  required_argument, NULL, OPT_MAX_STORE },
	{ "min-free",   required_argument, NULL, OPT_MIN_FREE },
	{ "proc",       required_argument, NULL, OPT_PROC },
	{ "flagged",    no_argument,       NULL, OPT_FLAGGED },
	{ "json",       no_argument,       NULL, 'J' },
	{ "jsonl",      no_argument,       NULL, OPT_JSONL },
	{ "raw",        no_argument,       NULL, 'r' },
	{ "noheadings", no_argument,       NULL, 'n' },
	{ "quiet",      no_argument,       NULL, 'q' },
	{ "help",       no_argument,       NULL, 'h' },
	{ "version",    no_argument,       NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

static void parse_args(struct watch *w, int argc, char **argv)
{
	int c, formats = 0;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":JrnqhV", watch_longopts, NULL)) != -1) {
		switch (c) {
		case OPT_STORE:
			if (!*optarg)
				usage_error("--store needs a directory");
			w->o.store_dir = optarg;
			break;
		case OPT_ALL:
			w->o.store_all = true;
			break;
		case OPT_SUSPICIOUS:
			w->o.store_all = false;
			break;
		case OPT_FREEZE:
			w->freeze = true;
			w->freeze_cgroup = optarg;
			break;
		case OPT_MECHANISM:
			w->want = parse_mechanisms(optarg);
			break;
		case OPT_COUNT:
		case OPT_DURATION:
		case OPT_MAX_STORE:
		case OPT_MIN_FREE:
			take_number(w, c, optarg);
			break;
		case OPT_PROC:
			w->o.proc = optarg;
			break;
		case OPT_FLAGGED:
			w->o.flagged = true;
			break;
		case 'J':
		case OPT_JSONL:
		case 'r':
			w->o.format = c == 'J' ? OUT_JSON : c == 'r' ? OUT_RAW : OUT_JSONL;
			formats++;
			break;
		case 'n':
			w->o.noheadings = true;
			break;
		case 'q':
			w->o.quiet = true;
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
	if (formats > 1)
		usage_error("--json, --jsonl and --raw are mutually exclusive");
	if (w->freeze && w->want && !(w->want & WM_BPF))
		usage_error("--freeze needs the bpf mechanism");
}

/*
 * The cgroup v2 directory PATH (looked up without following symlinks):
 * its id (the kernel's cgroup id is its inode number) and its depth below
 * the hierarchy's root.  0 or a negative errno (-EMEDIUMTYPE: not cgroup v2).
 */
static int cgroup_id_level(const char *path, uint64_t *id, int *level)
{
	struct open_how how = { .flags = O_PATH | O_CLOEXEC | O_DIRECTORY,
	                        .resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS };
	int fd = (int)syscall(SYS_openat2, AT_FDCWD, path, &how, sizeof(how));
	struct statfs sfs;
	struct stat st;

	if (fd < 0)
		return -errno;
	if (fstatfs(fd, &sfs) < 0 || sfs.f_type != CGROUP2_SUPER_MAGIC || fstat(fd, &st) < 0) {
		close(fd);
		return -EMEDIUMTYPE;
	}
	*id = st.st_ino;
	*level = 0;
	for (;;) {
		int up = openat(fd, "..", O_PATH | O_CLOEXEC | O_DIRECTORY);
		struct stat pst;

		close(fd);
		if (up < 0)
			return -errno;
		if (fstatfs(up, &sfs) < 0 || sfs.f_type != CGROUP2_SUPER_MAGIC ||
		    fstat(up, &pst) < 0 || (pst.st_ino == st.st_ino && pst.st_dev == st.st_dev)) {
			close(up);
			return 0;
		}
		(*level)++;
		st = pst;
		fd = up;
	}
}

static void say(struct watch *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(struct watch *w, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(w->line + w->linelen, sizeof(w->line) - w->linelen, fmt, ap);
	va_end(ap);
	if (n > 0)
		w->linelen = w->linelen + (size_t)n < sizeof(w->line) ? w->linelen + (size_t)n
		                                                    : sizeof(w->line) - 1;
}

static void start_fanotify(struct watch *w)
{
	const char *why = "";
	int r;

	if (w->want && !(w->want & WM_FANOTIFY)) {
		say(w, "fanotify: off (not asked)");
		return;
	}
	r = wfan_open(w->o.proc ? w->o.proc : "/proc", &w->pin.fan, &why);
	if (r < 0) {
		say(w, "fanotify: off (%s: %s)", why, strerror(-r));
	} else {
		struct wfan_stats st;

		wfan_stats(w->pin.fan, &st);
		w->pin.active |= WM_FANOTIFY;
		say(w, "fanotify: on (%zu filesystems)", st.marked);
	}
}

static void start_bpf(struct watch *w)
{
	const char *why = "";
	uint64_t cgid = 0;
	int level = 0, r;

	if (w->want && !(w->want & WM_BPF)) {
		say(w, "; bpf: off (not asked)");
		return;
	}
	if (w->freeze_cgroup) {
		r = cgroup_id_level(w->freeze_cgroup, &cgid, &level);
		if (r < 0)
			errx_("--freeze=%s: %s", w->freeze_cgroup,
			      r == -EMEDIUMTYPE ? "not a cgroup v2 directory" : strerror(-r));
	}
	r = wbpf_open(&w->pin.bpf, w->freeze, cgid, level, &why);
	if (r < 0) {
		/* its reason names the error already */
		say(w, "; bpf: off (%s)", why);
		if (w->freeze)
			errx_("--freeze needs the bpf mechanism: %s", why);
		return;
	}
	w->pin.active |= WM_BPF;
	say(w, "; bpf: on; freeze: %s", !w->freeze ? "off" : w->freeze_cgroup ? "cgroup" : "on");
}

static void start_connector(struct watch *w)
{
	const char *why = "";
	int r;

	if (w->want ? !(w->want & WM_CONNECTOR) : w->pin.active != 0) {
		say(w, "; connector: off (%s)", w->want ? "not asked" : "not needed");
		return;
	}
	r = wcn_open(&w->pin.cn, &why);
	if (r < 0) {
		say(w, "; connector: off (%s: %s)", why, strerror(-r));
		return;
	}
	w->pin.active |= WM_CONNECTOR;
	say(w, "; connector: on (best effort)");
}

/* Room for the pinned images the queue may hold. */
static void raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max < 65536 ? rl.rlim_max : 65536;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/* fanotify wakes the loop at every exec of a file it marked: the BPF
 * program need not (its wake-up costs more than the rest of it). */
static void lazy_wakeup(struct wpin *p)
{
	const dev_t *devs;
	size_t n;

	if ((p->active & WM_BPF) && (p->active & WM_FANOTIFY)) {
		devs = wfan_marked(p->fan, &n);
		(void)wbpf_lazy_wakeup(p->bpf, devs, n);
	}
}

/* SIGINT, SIGTERM and SIGHUP end the watch through a signalfd. */
static int signal_fd(void)
{
	sigset_t set;
	int fd;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0 ||
	    (fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK)) < 0)
		errx_("signalfd: %s", strerror(errno));
	signal(SIGPIPE, SIG_IGN);
	return fd;
}

static int tick_fd(void)
{
	struct itimerspec its = { .it_interval = { 0, TICK_MS * 1000000L },
	                          .it_value = { 0, TICK_MS * 1000000L } };
	int fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);

	if (fd < 0 || timerfd_settime(fd, 0, &its, NULL) < 0)
		errx_("timerfd: %s", strerror(errno));
	return fd;
}

enum { P_SIG, P_TICK, P_FAN, P_MOUNTS, P_BPF, P_GUARD, P_CN, P_MAX };

static void poll_set(const struct watch *w, struct pollfd *pfd, int sigfd, int tickfd)
{
	const struct wpin *p = &w->pin;

	for (int i = 0; i < P_MAX; i++)
		pfd[i] = (struct pollfd){ .fd = -1, .events = POLLIN };
	pfd[P_SIG].fd = sigfd;
	pfd[P_TICK].fd = tickfd;
	if (p->active & WM_FANOTIFY) {
		pfd[P_FAN].fd = wfan_fd(p->fan);
		pfd[P_MOUNTS] = (struct pollfd){ .fd = wfan_mounts_fd(p->fan), .events = POLLPRI };
	}
	if (p->active & WM_BPF) {
		pfd[P_BPF].fd = wbpf_fd(p->bpf);
		pfd[P_GUARD].fd = wbpf_guard_fd(p->bpf);
	}
	if (p->active & WM_CONNECTOR)
		pfd[P_CN].fd = wcn_fd(p->cn);
}

/* One tick: the BPF heartbeat, expired fanotify fds, the deadlines.
 * False when the watch is over. */
static bool tick(struct watch *w, int tickfd, uint64_t *elapsed_ms)
{
	uint64_t n = 0;

	if (read(tickfd, &n, sizeof(n)) != (ssize_t)sizeof(n))
		return true;
	*elapsed_ms += n * TICK_MS;
	if (w->pin.active & WM_BPF)
		wbpf_heartbeat(w->pin.bpf);
	wpin_expire(&w->pin);
	return !w->duration_ms || *elapsed_ms < w->duration_ms;
}

static void loop(struct watch *w)
{
	int sigfd = signal_fd(), tickfd = tick_fd();
	uint64_t elapsed = 0;
	struct pollfd pfd[P_MAX];

	poll_set(w, pfd, sigfd, tickfd);
	for (;;) {
		if (poll(pfd, P_MAX, -1) < 0 && errno != EINTR)
			errx_("poll: %s", strerror(errno));
		if (pfd[P_SIG].revents)
			break;
		if (pfd[P_MOUNTS].revents & POLLPRI) {
			wfan_remark(w->pin.fan);
			lazy_wakeup(&w->pin);
		}
		if (pfd[P_GUARD].revents) {
			wbpf_freeze_off(w->pin.bpf);
			warnx_("watch: the freeze guardian is gone: --freeze is off");
			pfd[P_GUARD].fd = -1;
		}
		wpin_drain(&w->pin);
		if (pfd[P_TICK].revents && !tick(w, tickfd, &elapsed))
			break;
		if (w->o.count && wout_printed(w->pin.out) >= w->o.count)
			break;
	}
	close(sigfd);
	close(tickfd);
}

/* Stop every mechanism (marks and programs go, frozen programs resume),
 * then the counts of what they lost. */
static void stop_mechanisms(struct watch *w, const char **names)
{
	struct wpin *p = &w->pin;
	size_t n = 0;

	if (p->active & WM_FANOTIFY) {
		struct wfan_stats st;

		wfan_stats(p->fan, &st);
		/* an event without a file is an exec lost unless bpf saw it */
		w->cnt.fan_lost = st.overflows +
		                  (p->active & WM_BPF ? 0 : st.no_fd + st.read_errors);
		names[n++] = "fanotify";
	}
	if (p->active & WM_BPF) {
		w->cnt.bpf_lost = wbpf_dropped(p->bpf);
		w->cnt.freeze_refused = wbpf_refused(p->bpf);
		names[n++] = "bpf";
	}
	if (p->active & WM_CONNECTOR)
		names[n++] = "connector";
	names[n] = NULL;
	wbpf_free(p->bpf);
	wfan_free(p->fan);
	wcn_free(p->cn);
	wpin_done(p);
}

int cmd_watch(int argc, char **argv)
{
	struct watch w = { .o = { .max_store = 1ull << 30, .min_free = 512ull << 20 } };
	struct summary s;
	const char *names[4];

	parse_args(&w, argc, argv);
	summary_init(&s, "watch");
	/* before the images pinned: libcrypto needs a few descriptors */
	(void)procexe_copy_init();
	raise_nofile();
	w.pin = (struct wpin){ .cnt = &w.cnt };
	w.pin.procfd = open(w.o.proc ? w.o.proc : "/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (w.pin.procfd < 0)
		errx_("cannot open %s: %s", w.o.proc ? w.o.proc : "/proc", strerror(errno));
	w.pin.out = wout_new(&w.o, &s);
	start_fanotify(&w);
	start_bpf(&w);
	start_connector(&w);
	if (!w.o.quiet)
		warnx_("watch: %s", w.line);
	lazy_wakeup(&w.pin);
	if (!w.pin.active)
		errx_("watch: no mechanism could start: %s%s", w.line,
		      geteuid() ? " (run as root: fanotify needs CAP_SYS_ADMIN, bpf CAP_BPF and "
		                  "CAP_PERFMON)" : "");
	loop(&w);
	stop_mechanisms(&w, names);
	close(w.pin.procfd);
	return wout_finish(w.pin.out, &w.cnt, names);
}
