/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The worker's side of procexe watch: for each record, in queue order,
 * the library's verdict on the pinned image, the watch's storing policy,
 * the hash and the copy (watch-store.c), then one line of output.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <sys/syscall.h>

#include "cli.h"
#include "escape.h"
#include "json.h"
#include "watch-queue.h"
#include "watch-store.h"
#include "watch.h"

/* How long the records still queued when the watch ends may be hashed. */
#define EXIT_HASH_NS (5 * 1000000000ull)

/* Records the worker may be behind by before the main thread sheds them. */
#define QUEUE_CAP 1024

struct wout {
	struct wout_opts o;
	struct out_opts fmt;
	struct summary *s;
	struct procexe_ctx *ctx;
	struct wqueue *q;
	struct wstore *store;
	struct json *j;
	bool header_done;
	uint64_t unstored;              /* images the store was to keep and did not
	                                   (worker thread; read after it ended) */
	_Atomic uint64_t printed;
	_Atomic uint64_t hash_until_ns; /* CLOCK_MONOTONIC; 0: no limit (the
	                                   records queued at exit get this long) */
};

/* What the worker concluded about one record. */
struct wjudged {
	const struct wrec *rec;
	struct procexe_proc *proc;      /* NULL: no image, or it could not be judged */
	struct procexe_image img;
	const char *reasons[12];
	size_t nreasons;
	struct wstore_result res;
	/* the script the exec ran (rec->script), judged like an image */
	struct procexe_proc *sproc;     /* NULL: not pinned, or not judged */
	struct procexe_image simg;
	struct wstore_result sres;
	char sstate[40];                /* "script-" and its state's name */
};

static const char *const tmp_dirs[] = { "/tmp/", "/var/tmp/", "/dev/shm/", "/run/user/" };

/* Whether the directory holding PATH (LEN bytes, from the watcher's root)
 * is writable by others: looked up without following any symlink. */
static bool parent_world_writable(const char *path, size_t len)
{
	struct open_how how = { .flags = O_PATH | O_CLOEXEC | O_DIRECTORY,
	                        .resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS };
	const char *slash = len ? memrchr(path, '/', len) : NULL;
	struct stat st;
	bool writable;
	char *dir;
	int fd;

	if (!slash || path[0] != '/')
		return false;
	dir = slash == path ? xstrdup("/") : strndup(path, (size_t)(slash - path));
	xcheck(dir);
	fd = (int)syscall(SYS_openat2, AT_FDCWD, dir, &how, sizeof(how));
	free(dir);
	if (fd < 0)
		return false;
	writable = fstat(fd, &st) == 0 && (st.st_mode & S_IWOTH);
	close(fd);
	return writable;
}

static bool under_tmp(const char *path, size_t len)
{
	for (size_t i = 0; i < ARRAY_SIZE(tmp_dirs); i++) {
		size_t n = strlen(tmp_dirs[i]);

		if (len > n && memcmp(path, tmp_dirs[i], n) == 0)
			return true;
	}
	return false;
}

static void add_reason(struct wjudged *jd, const char *r)
{
	if (jd->nreasons < ARRAY_SIZE(jd->reasons))
		jd->reasons[jd->nreasons++] = r;
}

/*
 * The storing policy: suspicious when the library's verdict is a finding,
 * the image had no link at exec, or it runs from a temporary or
 * world-writable directory.
 */
static void judge(struct wout *w, struct wjudged *jd)
{
	const struct wrec *rec = jd->rec;
	const char *path = NULL;
	size_t len = 0;
	bool lookup = false;

	jd->img.sz = sizeof(jd->img);
	if (rec->fd >= 0 && procexe_fd_load(w->ctx, rec->fd, &jd->proc) == 0 &&
	    procexe_proc_image(jd->proc, false, &jd->img) == 0) {
		enum procexe_state st = procexe_proc_state(jd->proc);

		if (procexe_state_is_suspicious(st) && st != PROCEXE_STATE_UNREACHABLE)
			add_reason(jd, procexe_state_name(st));
		path = jd->img.launch_path;
		len = jd->img.launch_path_len;
		lookup = true;
	} else if (rec->argv0 && rec->argv0[0] == '/') {
		/* the name the exec was asked for: the process chose it, so
		 * it is never looked up (a hung FUSE or NFS mount, an
		 * automount point would stall the worker) */
		path = rec->argv0;
		len = rec->argv0_len;
	}
	if (rec->have_id && rec->nlink_exec == 0)
		add_reason(jd, "nlink0-at-exec");
	if (path && under_tmp(path, len))
		add_reason(jd, "tmp");
	else if (path && lookup && parent_world_writable(path, len))
		add_reason(jd, "world-writable");
	if (!jd->proc && rec->bpf_suspect && jd->nreasons == 0)
		add_reason(jd, "suspect-at-exec");
}

/*
 * The policy on the script REC ran, with the image's rules and reasons
 * named "script-" and the image's reason: its state (the library's
 * verdict on the pinned file), a temporary or world-writable directory
 * (of the path judged, else of the absolute name the exec was given,
 * never looked up).
 */
static void judge_script(struct wout *w, struct wjudged *jd)
{
	const struct wrec *rec = jd->rec;
	const char *path = NULL;
	size_t len = 0;

	jd->simg.sz = sizeof(jd->simg);
	if (rec->script_fd >= 0 && procexe_fd_load(w->ctx, rec->script_fd, &jd->sproc) == 0 &&
	    procexe_proc_image(jd->sproc, false, &jd->simg) < 0) {
		procexe_proc_free(jd->sproc);
		jd->sproc = NULL;
	}
	if (jd->sproc) {
		enum procexe_state st = procexe_proc_state(jd->sproc);

		if (procexe_state_is_suspicious(st) && st != PROCEXE_STATE_UNREACHABLE) {
			snprintf(jd->sstate, sizeof(jd->sstate), "script-%s", procexe_state_name(st));
			add_reason(jd, jd->sstate);
		}
		path = jd->simg.launch_path;
		len = jd->simg.launch_path_len;
	} else if (rec->script_name && rec->script_name[0] == '/') {
		path = rec->script_name;
		len = rec->script_name_len;
	}
	if (path && under_tmp(path, len))
		add_reason(jd, "script-tmp");
	else if (path && jd->sproc && parent_world_writable(path, len))
		add_reason(jd, "script-world-writable");
}

/* The record's identity keys after "time": shared by the event line and
 * the store's manifest line. */
static void identity_keys(struct json *j, const void *arg)
{
	const struct wjudged *jd = arg;
	const struct wrec *rec = jd->rec;
	const struct procexe_image *img = &jd->img;
	bool have_img = jd->proc != NULL;

	json_int(j, "pid", rec->pid);
	if (rec->ppid >= 0)
		json_int(j, "ppid", rec->ppid);
	else
		json_null(j, "ppid");
	if (rec->uid != (uid_t)-1)
		json_uint(j, "uid", rec->uid);
	else
		json_null(j, "uid");
	json_bytes(j, "comm", rec->comm[0] ? rec->comm : NULL, strlen(rec->comm));
	json_bytes(j, "argv0", rec->argv0, rec->argv0_len);
	json_bytes(j, "link", have_img ? img->path : NULL, have_img ? img->path_len : 0);
	json_bytes(j, "exe", have_img ? img->launch_path : NULL,
	           have_img ? img->launch_path_len : 0);
	if (have_img || rec->have_id) {
		json_dev(j, "dev", (dev_t)(have_img ? img->dev : rec->dev));
		json_uint(j, "inode", have_img ? img->ino : rec->ino);
	} else {
		json_null(j, "dev");
		json_null(j, "inode");
	}
	if (rec->nlink_exec != UINT64_MAX)
		json_uint(j, "nlink", rec->nlink_exec);
	else if (have_img && img->nlink != UINT64_MAX)
		json_uint(j, "nlink", img->nlink);
	else
		json_null(j, "nlink");
	json_str(j, "state", have_img ? procexe_state_name(procexe_proc_state(jd->proc)) : NULL);
}

/* The path, identity and state of the script (all null when unknown):
 * shared by the event's "script" object and the manifest line of its copy. */
static void script_keys(struct json *j, const struct wjudged *jd)
{
	const struct procexe_image *img = &jd->simg;
	const struct wrec *rec = jd->rec;

	if (jd->sproc)
		json_bytes(j, "path", img->launch_path, img->launch_path_len);
	else
		json_bytes(j, "path", rec->script_name, rec->script_name_len);
	if (jd->sproc) {
		json_dev(j, "dev", (dev_t)img->dev);
		json_uint(j, "inode", img->ino);
	} else {
		json_null(j, "dev");
		json_null(j, "inode");
	}
	if (jd->sproc && img->nlink != UINT64_MAX)
		json_uint(j, "nlink", img->nlink);
	else
		json_null(j, "nlink");
	json_str(j, "state", jd->sproc ? procexe_state_name(procexe_proc_state(jd->sproc)) : NULL);
}

/* "script": the file the exec ran when it is not the image, else null. */
static void script_json(struct json *j, const struct wjudged *jd)
{
	const struct wrec *rec = jd->rec;
	const struct wstore_result *res = &jd->sres;

	if (!rec->script) {
		json_null(j, "script");
		return;
	}
	json_open(j, "script");
	script_keys(j, jd);
	json_str(j, "sha256", res->sha256[0] ? res->sha256 : NULL);
	json_bytes(j, "copy", res->copy, res->copy ? strlen(res->copy) : 0);
	json_str(j, "pinned", rec->script_pinned);
	json_str(j, "missed", rec->script_missed ? rec->script_missed : res->missed);
	json_str(j, "error", res->err ? strerror(-res->err) : NULL);
	json_close(j);
}

/* The manifest line of a stored script: the exec's keys, then its own. */
static void script_manifest_keys(struct json *j, const void *arg)
{
	identity_keys(j, arg);
	json_open(j, "script");
	script_keys(j, arg);
	json_close(j);
}

static void event_json(struct wout *w, const struct wjudged *jd)
{
	const struct wrec *rec = jd->rec;
	static const struct { unsigned bit; const char *name; } mechs[] = {
		{ WM_FANOTIFY, "fanotify" }, { WM_BPF, "bpf" }, { WM_CONNECTOR, "connector" },
	};

	if (w->fmt.format == OUT_JSONL)
		json_begin_document(w->j, "watch", "exec");
	else
		json_open(w->j, NULL);
	json_time(w->j, "time", rec->time_ns);
	identity_keys(w->j, jd);
	json_str(w->j, "fstype", rec->fstype[0] ? rec->fstype : NULL);
	json_bool(w->j, "suspicious", jd->nreasons > 0);
	json_open_array(w->j, "reasons");
	for (size_t i = 0; i < jd->nreasons; i++)
		json_str(w->j, NULL, jd->reasons[i]);
	json_close_array(w->j);
	json_str(w->j, "sha256", jd->res.sha256[0] ? jd->res.sha256 : NULL);
	json_bytes(w->j, "copy", jd->res.copy, jd->res.copy ? strlen(jd->res.copy) : 0);
	json_str(w->j, "pinned", rec->pinned);
	json_str(w->j, "missed", rec->missed ? rec->missed : jd->res.missed);
	json_str(w->j, "error", jd->res.err ? strerror(-jd->res.err) : NULL);
	json_open_array(w->j, "mechanisms");
	for (size_t i = 0; i < ARRAY_SIZE(mechs); i++)
		if (rec->mechs & mechs[i].bit)
			json_str(w->j, NULL, mechs[i].name);
	json_close_array(w->j);
	script_json(w->j, jd);
	json_close(w->j);
	if (w->fmt.format == OUT_JSONL)
		json_end_line(w->j);
}

/* One cell of text: escaped for the format, "-" when unknown. */
static void cell(struct wout *w, const char *buf, size_t len, int width, bool last)
{
	char *t = buf ? out_text_cell(&w->fmt, buf, len) : xstrdup("-");

	if (last)
		printf("%s\n", t);
	else
		printf("%-*s ", w->fmt.format == OUT_RAW ? 0 : width, t);
	free(t);
}

static void event_line(struct wout *w, const struct wjudged *jd)
{
	const struct wrec *rec = jd->rec;
	const char *state = jd->proc ? procexe_state_name(procexe_proc_state(jd->proc)) : NULL;
	char pid[16], when[32];
	time_t t = (time_t)(rec->time_ns / 1000000000u);
	struct tm tm;

	if (!w->header_done && !w->fmt.noheadings && w->fmt.format == OUT_TABLE)
		printf("%-8s %7s %-11s %-8s %-16s %s\n", "TIME", "PID", "STATE", "PINNED", "COMM",
		       "EXE");
	w->header_done = true;
	localtime_r(&t, &tm);
	strftime(when, sizeof(when), "%H:%M:%S", &tm);
	snprintf(pid, sizeof(pid), w->fmt.format == OUT_RAW ? "%d" : "%7d", (int)rec->pid);
	cell(w, when, strlen(when), 8, false);
	cell(w, pid, strlen(pid), 7, false);
	cell(w, state ? state : (rec->missed ? "missed" : NULL), state ? strlen(state) : 6, 11,
	     false);
	cell(w, rec->pinned, rec->pinned ? strlen(rec->pinned) : 0, 8, false);
	cell(w, rec->comm[0] ? rec->comm : NULL, strlen(rec->comm), 16, false);
	if (jd->proc)
		cell(w, jd->img.path, jd->img.path_len, 0, true);
	else
		cell(w, rec->argv0, rec->argv0_len, 0, true);
	fflush(stdout);
}

/* Whether the store was to keep FD (the image's or the script's: -1 none)
 * and did not (RES says why). */
static bool not_kept(const struct wout *w, const struct wjudged *jd, int fd,
                     const struct wstore_result *res)
{
	return w->o.store_dir && fd >= 0 && (w->o.store_all || jd->nreasons) &&
	       (res->missed || res->err);
}

static void count(struct wout *w, const struct wjudged *jd)
{
	struct summary *s = w->s;

	s->processes++;
	if (jd->proc)
		s->states[procexe_proc_state(jd->proc)]++;
	if (jd->nreasons)
		s->flagged++;
	w->unstored += not_kept(w, jd, jd->rec->fd, &jd->res) +
	               not_kept(w, jd, jd->rec->script_fd, &jd->sres);
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static bool past_exit_deadline(struct wout *w)
{
	uint64_t until = atomic_load(&w->hash_until_ns);

	return until && mono_ns() > until;
}

/* Hash FD (-1: nothing) and keep it in the store when there is one, into
 * RES; past the exit deadline nothing is read ("shutdown"). */
static void keep(struct wout *w, int fd, const struct wstore_meta *meta,
                 struct wstore_result *res)
{
	if (fd < 0)
		return;
	if (past_exit_deadline(w)) {
		res->missed = "shutdown";
		return;
	}
	/* -EAGAIN: the file changed while it was read; a self-deleting
	 * program's unlink changes its ctime once, not its content */
	for (int tries = 0; tries < 3; tries++) {
		wstore_result_done(res);
		if (wstore_keep(w->store, fd, w->o.store_dir != NULL, meta, res) != -EAGAIN)
			break;
	}
}

/* The worker: one record, in order. */
static void process(void *item, void *userdata)
{
	struct wout *w = userdata;
	struct wrec *rec = item;
	struct wjudged jd = { .rec = rec };
	struct wstore_meta meta = { .time_ns = rec->time_ns, .meta = identity_keys, .arg = &jd };

	if (w->o.count && atomic_load(&w->printed) >= w->o.count) {
		wrec_free(rec);
		return;
	}
	judge(w, &jd);
	if (rec->script)
		judge_script(w, &jd);
	if (w->o.store_all || jd.nreasons) {
		keep(w, rec->fd, &meta, &jd.res);
		meta.meta = script_manifest_keys;
		keep(w, rec->script_fd, &meta, &jd.sres);
	}
	count(w, &jd);
	/* --count counts the lines printed: --flagged's silent records not */
	if (!w->o.flagged || jd.nreasons || rec->missed || jd.res.missed ||
	    (rec->script && (rec->script_missed || jd.sres.missed))) {
		if (w->fmt.format == OUT_JSON || w->fmt.format == OUT_JSONL)
			event_json(w, &jd);
		else
			event_line(w, &jd);
		atomic_fetch_add(&w->printed, 1);
	}
	wstore_result_done(&jd.res);
	wstore_result_done(&jd.sres);
	procexe_proc_free(jd.proc);
	procexe_proc_free(jd.sproc);
	wrec_free(rec);
}

struct wout *wout_new(const struct wout_opts *o, struct summary *s)
{
	struct wout *w = xmalloc(sizeof(*w));
	size_t where = 0;
	int r;

	*w = (struct wout){ .o = *o, .s = s };
	w->fmt = (struct out_opts){ .format = o->format, .noheadings = o->noheadings };
	r = procexe_ctx_new(o->proc, &w->ctx);
	if (r < 0)
		errx_("cannot open %s: %s", o->proc ? o->proc : "/proc", procfs_strerror(r));
	r = wstore_open(o->store_dir, o->max_store, o->min_free, &w->store, &where);
	if (r < 0)
		errx_("store %.*s: %s", (int)(where ? where : strlen(o->store_dir ? o->store_dir : "")),
		      o->store_dir ? o->store_dir : "", strerror(-r));
	w->j = json_new(stdout, o->format == OUT_JSON);
	if (o->format == OUT_JSON) {
		json_begin_document(w->j, "watch", NULL);
		json_open_array(w->j, "events");
	}
	r = wqueue_new(QUEUE_CAP, process, w, &w->q);
	if (r < 0)
		errx_("cannot start the worker thread: %s", strerror(-r));
	return w;
}

bool wout_push(struct wout *w, struct wrec *rec)
{
	return wqueue_push(w->q, rec);
}

uint64_t wout_printed(struct wout *w)
{
	return atomic_load(&w->printed);
}

struct finish {
	const struct wcount *c;
	const char *const *mechanisms;
	const struct wstore_stats *st;
	uint64_t unstored;
};

static void summary_extra(struct json *j, const void *arg)
{
	const struct finish *f = arg;
	const struct wcount *c = f->c;

	json_open_array(j, "mechanisms");
	for (size_t i = 0; f->mechanisms[i]; i++)
		json_str(j, NULL, f->mechanisms[i]);
	json_close_array(j);
	json_uint(j, "execs", c->execs);
	json_uint(j, "pinned", c->pinned);
	json_uint(j, "missed", c->missed);
	json_uint(j, "dropped", c->dropped);
	json_uint(j, "lost", c->bpf_lost + c->fan_lost + c->cn_lost);
	json_uint(j, "frozen", c->frozen);
	json_uint(j, "freeze_refused", c->freeze_refused);
	json_uint(j, "stored", f->st->stored_files);
	json_uint(j, "stored_bytes", f->st->stored_bytes);
	json_uint(j, "unstored", f->unstored);
	json_uint(j, "script_missed", c->script_missed);
}

int wout_finish(struct wout *w, const struct wcount *c, const char *const *mechanisms)
{
	struct summary *s = w->s;
	struct wstore_stats st;
	struct finish f = { .c = c, .mechanisms = mechanisms, .st = &st };
	uint64_t unseen = c->missed + c->dropped + c->bpf_lost + c->fan_lost + c->cn_lost +
	                  c->script_missed;

	/* what is queued is still judged and printed, but hashed and stored
	 * only for a while: a stopping daemon must not outlast its stop timeout */
	atomic_store(&w->hash_until_ns, mono_ns() + EXIT_HASH_NS);
	wqueue_free(w->q);
	wstore_stats(w->store, &st);
	/* execs not pinned, shed or lost: the run did not see them whole */
	s->unseen.nunreadable += (size_t)unseen;
	f.unstored = w->unstored;
	/* an image the store was asked for and did not keep was not collected */
	s->exit_status = s->flagged ? EXIT_FOUND : unseen || f.unstored ? EXIT_INCOMPLETE : EXIT_OK;
	if (w->fmt.format == OUT_JSON) {
		json_close_array(w->j);
		summary_member(w->j, s, summary_extra, &f);
		json_close(w->j);
		json_end_line(w->j);
	} else if (w->fmt.format == OUT_JSONL) {
		summary_line(w->j, s, summary_extra, &f);
	}
	if (!w->o.quiet)
		warnx_("watch: %" PRIu64 " execs, %zu suspicious, %" PRIu64 " pinned, %" PRIu64
		       " missed, %" PRIu64 " shed, %" PRIu64 " lost, %" PRIu64 " stored, %" PRIu64
		       " not stored",
		       c->execs, s->flagged, c->pinned, c->missed, c->dropped,
		       c->bpf_lost + c->fan_lost + c->cn_lost, st.stored_files, f.unstored);
	json_free(w->j);
	wstore_free(w->store);
	procexe_ctx_free(w->ctx);
	free(w);
	return s->exit_status;
}
