/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * procexe recover [-d DIR] [--libs] [-J] [--all | PID...]: copy the images
 * that processes run (deleted, replaced, fileless...) into DIR, hashed, and
 * describe them in DIR/manifest.json, a schema v1 document (the same one
 * -J prints).
 *
 * Order of work: load libcrypto and raise the soft limit on descriptors,
 * check that DIR can be written (or created) without creating anything,
 * read the processes (one scan), open (or create) DIR unless every PID
 * named is missing, pin every image (an open fd, so a process that exits
 * afterwards still yields it; one fd per device:inode), then copy and
 * hash each distinct image once, then write the manifest.  When
 * the images pinned reach the descriptors allowed (the soft limit less a
 * reserve), that batch is copied (closing its fds) before pinning goes on.
 * Nothing recovered is ever executed.
 *
 * Exit status: 0 everything asked for was recovered, 3 something named is
 * missing or was not recovered or not read whole, 2 an error (DIR, the
 * manifest, stdout); never 1.
 *
 * PROCEXE_TEST_PIN_DELAY_MS (test-only, see procexe(1)): after pinning,
 * print "procexe: test: pinned" on stderr and wait that long.
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
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <linux/openat2.h>

#include <procexe.h>

#include "cli.h"
#include "commands.h"
#include "diagnose.h"
#include "json.h"
#include "output.h"
#include "summary.h"

#define DEFAULT_DIR "procexe-recovered"
#define MANIFEST_NAME "manifest"
#define PROGRESS_MIN_BYTES (64u << 20)
#define MAX_PIN_DELAY_MS 60000
#define DEFAULT_MAX_SIZE (4ull << 30)
/* Descriptors kept free of pinned images: stdio, /proc, DIR, the scan of
 * one process, a temporary file, libcrypto's own. */
#define FD_RESERVE 64

/* One distinct pinned file. */
struct image {
	int fd;                 /* pinned, -1 once copied or failed */
	uint64_t dev, ino, size;
	uint32_t mode;
	uint32_t uid;
	char *hint;             /* path of the first entry, for the file name */
	char *file;             /* recovered file name, NULL when failed */
	char sha256[65];
	int err;                /* copy error (positive), 0 */
	const char *why;        /* static explanation of err, or NULL */
	char *reason;           /* allocated explanation (wins over why), or NULL */
	size_t same_as;         /* SIZE_MAX, or index of an image with equal content */
};

/* One (process, image) pair, or a failure to get one. */
struct entry {
	pid_t pid;
	char *comm;             /* NULL when unknown */
	const char *state;      /* static name, NULL when unknown */
	bool modified;
	const char *source;     /* "exe", "map", or NULL (no such process) */
	char *path;             /* the path judged (the kernel's " (deleted)"
	                           removed when proven), NULL when unknown */
	char *text;             /* the kernel's text: exe link or maps name */
	size_t image;           /* index in images, SIZE_MAX when failed */
	int err;                /* positive errno when failed before copying */
	const char *why;        /* static explanation, or NULL */
};

struct recover {
	const char *dir;
	int dir_fd;             /* -1 until DIR is opened (or created) */
	bool json, all, libs, quiet;
	bool verify;            /* compare each copy with its source */
	uint64_t max_size;      /* larger images are refused (EFBIG); 0: no limit */
	size_t pin_cap;         /* images pinned at once, at most */
	size_t ncopied;         /* images[0..ncopied) are copied (or failed) */
	pid_t *pids;
	size_t npids;
	struct procexe_ctx *ctx;
	struct image *images;
	size_t nimages;
	struct entry *entries;
	size_t nentries;
	uint64_t total_bytes, done_bytes;
	bool progress;
	int last_pct;
	struct summary sum;     /* its unseen: processes not seen whole, PIDs missing */
};

static void __attribute__((noreturn)) recover_usage(void)
{
	fputs("Usage:\n"
	      " procexe recover [options] [--all | <pid>...]\n"
	      "\n"
	      "Copy the executable image each PID runs (for --all: every process the\n"
	      "scan flags; with --libs also the mapped files restart lists) into a\n"
	      "directory, byte for byte, with its SHA-256, and describe what was\n"
	      "recovered and what failed in DIR/manifest.json (the -J document).  Each\n"
	      "distinct image is copied once; files are created with mode 0400 and\n"
	      "never replace anything.\n"
	      "\n"
	      "Options:\n"
	      " -d, --dir <dir>       write into <dir> (default ./" DEFAULT_DIR "; created\n"
	      "                         0700; refused when a symlink or not owned by you;\n"
	      "                         checked writable before any process is read)\n"
	      " -a, --all             every process the verdict flags\n"
	      " -l, --libs            also mapped files that were deleted, replaced or\n"
	      "                         modified, or never had a file (memfd)\n"
	      " -J, --json            print the manifest (schema v1) instead of a summary\n"
	      " -M, --max-size <size> refuse images larger than <size> (apparent size):\n"
	      "                         a failure \"File too large\" (EFBIG); suffixes K, M,\n"
	      "                         G, T (powers of 1024); 0 for no limit (default 4G)\n"
	      " -q, --quiet           no progress and no failure lines on stderr\n"
	      "\n"
	      " -h, --help            display this help\n"
	      " -V, --version         display version\n"
	      "\n"
	      "Images are pinned (opened) before copying, so that a process that exits\n"
	      "still yields its image.  When more images are found than descriptors allow\n"
	      "(the soft RLIMIT_NOFILE, raised to the hard one, less 64), those pinned so\n"
	      "far are copied first and the others are pinned after them.  A PID that\n"
	      "does not exist creates nothing.\n"
	      "\n"
	      "Exit status: 0 all recovered, 3 a PID missing or something not recovered\n"
	      "or not read whole, 2 an error (the directory, the manifest, stdout).\n"
	      "\n"
	      "For more details see procexe(1).\n", stdout);
	cli_exit(EXIT_OK);
}

/* ---- collecting ---- */

static struct entry *add_entry(struct recover *rc, const struct procexe_proc *p, pid_t pid,
                               const char *source)
{
	struct entry *e;

	rc->entries = xreallocarray(rc->entries, rc->nentries + 1, sizeof(*rc->entries));
	e = &rc->entries[rc->nentries++];
	*e = (struct entry){ .pid = pid, .source = source, .image = SIZE_MAX };
	if (p) {
		const char *comm = procexe_proc_comm(p);

		e->comm = comm ? xstrdup(comm) : NULL;
		e->state = procexe_state_name(procexe_proc_state(p));
		e->modified = procexe_proc_flags(p) & PROCEXE_PF_MODIFIED;
	}
	return e;
}

static void fail_entry(struct entry *e, int err, const char *why)
{
	e->err = err;
	e->why = why;
}

/* Keep FD as the image of E: a device:inode already pinned shares it. */
static void attach_image(struct recover *rc, struct entry *e, int fd)
{
	struct image *img;
	struct stat st;

	if (fstat(fd, &st) < 0) {
		fail_entry(e, errno, NULL);
		close(fd);
		return;
	}
	for (size_t i = 0; i < rc->nimages; i++) {
		if (rc->images[i].dev == st.st_dev && rc->images[i].ino == st.st_ino) {
			e->image = i;
			close(fd);
			return;
		}
	}
	rc->images = xreallocarray(rc->images, rc->nimages + 1, sizeof(*rc->images));
	img = &rc->images[rc->nimages];
	*img = (struct image){
		.fd = fd,
		.dev = st.st_dev,
		.ino = st.st_ino,
		.size = (uint64_t)st.st_size,
		.mode = st.st_mode,
		.uid = st.st_uid,
		.hint = e->path ? xstrdup(e->path) : NULL,
		.same_as = SIZE_MAX,
	};
	if (!rc->max_size || img->size <= rc->max_size)
		rc->total_bytes += img->size;
	e->image = rc->nimages++;
}

static void copy_image(struct recover *rc, size_t idx);

/* Copy every image pinned and not yet copied, which closes their fds. */
static void copy_pinned(struct recover *rc)
{
	rc->progress = !rc->quiet && isatty(STDERR_FILENO) && rc->total_bytes >= PROGRESS_MIN_BYTES;
	for (; rc->ncopied < rc->nimages; rc->ncopied++)
		copy_image(rc, rc->ncopied);
}

/* Before pinning one more image: copy the batch when it is full. */
static void pin_room(struct recover *rc)
{
	if (rc->nimages - rc->ncopied >= rc->pin_cap)
		copy_pinned(rc);
}

/* After a failed pin (negative errno R): true when it lacked descriptors
 * and copying the batch pinned so far has freed some (try again). */
static bool freed_fds(struct recover *rc, int r)
{
	if ((r != -EMFILE && r != -ENFILE) || rc->nimages == rc->ncopied)
		return false;
	copy_pinned(rc);
	return true;
}

static const char *open_error(int err, bool loader)
{
	switch (err) {
	case ESRCH:
		return "the process exited before its image was pinned";
	case ESTALE:
		return "the PID now runs another image";
	case ENOENT:
		return "no executable image (kernel thread or zombie)";
	case EPERM:
		if (loader)
			return "loader-launched program: opening its mapping needs "
			       "CAP_SYS_ADMIN or CAP_CHECKPOINT_RESTORE";
		return "not permitted to read the image (not your process?)";
	case EACCES:
		return "not permitted to read the image (not your process, or no read permission)";
	case EMFILE:
	case ENFILE:
		return "out of file descriptors";
	default:
		return NULL;
	}
}

static void pin_proc(struct recover *rc, const struct procexe_proc *p)
{
	struct procexe_image im = { .sz = sizeof(im) };
	enum procexe_state s = procexe_proc_state(p);
	bool loader = procexe_proc_flags(p) & PROCEXE_PF_LOADER;
	struct entry *e = add_entry(rc, p, procexe_proc_pid(p), "exe");
	int fd;

	if (procexe_proc_image(p, false, &im) == 0 && im.path) {
		e->path = im.launch_path ?
			xasprintf("%.*s", (int)im.launch_path_len, im.launch_path) :
			xstrdup(im.path);
		e->text = xstrdup(im.path);
	}
	if (s == PROCEXE_STATE_DENIED) {
		int err = procexe_proc_errno(p) ? procexe_proc_errno(p) : EACCES;

		/* why even root may be refused: static, like every other why */
		fail_entry(e, err, denial_advice());
		return;
	}
	pin_room(rc);
	fd = procexe_recover_open(rc->ctx, p);
	if (freed_fds(rc, fd))
		fd = procexe_recover_open(rc->ctx, p);
	if (fd < 0) {
		fail_entry(e, -fd, open_error(-fd, loader));
		return;
	}
	attach_image(rc, e, fd);
}

/* ---- --libs: mapped files that were deleted, replaced or never had a file ---- */

/* The library judged P's mapped files during the scan (procexe_ctx_set_maps). */
static void pin_libs(struct recover *rc, const struct procexe_proc *p)
{
	pid_t pid = procexe_proc_pid(p);
	size_t n = procexe_proc_mapping_count(p);
	int err = procexe_proc_maps_errno(p);

	/* An incomplete list: what it holds is still recovered below. */
	if (err) {
		struct entry *e = add_entry(rc, p, pid, "map");

		fail_entry(e, err,
		           err == E2BIG ? "too many mapped files: only the first were judged" :
		           err == ETIMEDOUT ? "gave up judging its mapped files after the deadline" :
		           err == ENAMETOOLONG ? "a mapped file's name is too long to read" :
		           "cannot read the process's maps");
	}
	for (size_t i = 0; i < n; i++) {
		struct procexe_mapping m = { .sz = sizeof(m) };
		struct entry *e;
		int fd;

		/* what restart lists: deleted, replaced, modified, fileless;
		 * not an interpreter's script, of which the process holds
		 * nothing that could be copied */
		if (procexe_proc_mapping(p, i, &m) < 0 || (m.flags & PROCEXE_MF_SCRIPT) ||
		    (m.state != PROCEXE_MAP_DELETED && m.state != PROCEXE_MAP_REPLACED &&
		     m.state != PROCEXE_MAP_MODIFIED && m.state != PROCEXE_MAP_FILELESS))
			continue;
		e = add_entry(rc, p, pid, "map");
		/* path as restart's PATH shows it; the kernel's text beside it */
		e->path = xstrdup(m.path);
		e->text = xasprintf("%s%s", m.path, (m.flags & PROCEXE_MF_SUFFIX) ? " (deleted)" : "");
		pin_room(rc);
		fd = procexe_recover_open_map(rc->ctx, pid, m.start, m.end, m.dev, m.ino);
		if (freed_fds(rc, fd))
			fd = procexe_recover_open_map(rc->ctx, pid, m.start, m.end, m.dev, m.ino);
		if (fd < 0)
			fail_entry(e, -fd, -fd == EPERM ?
			           "opening a mapped file through map_files needs "
			           "CAP_SYS_ADMIN or CAP_CHECKPOINT_RESTORE" :
			           open_error(-fd, false));
		else
			attach_image(rc, e, fd);
	}
}

/* ---- copying ---- */

static void show_progress(void *userdata, uint64_t done, uint64_t total)
{
	struct recover *rc = userdata;
	uint64_t all = rc->done_bytes + done;
	int pct;

	(void)total;
	if (!rc->progress || rc->total_bytes == 0)
		return;
	pct = (int)(all * 100 / rc->total_bytes);
	if (pct > 100)
		pct = 100;
	if (pct == rc->last_pct)
		return;
	rc->last_pct = pct;
	fprintf(stderr, "\r" PROGNAME ": recovering %3d%% (%" PRIu64 "/%" PRIu64 " MiB)",
	        pct, all >> 20, rc->total_bytes >> 20);
	fflush(stderr);
}

/* Record the failure R (negative errno) of copying IMG, still pinned. */
static void copy_failed(const struct recover *rc, struct image *img, int r)
{
	struct stat st;

	img->err = -r;
	img->why = r == -EAGAIN ? "the image changed while being copied" :
	           r == -EIO ? "the copy differs from the image when read back" :
	           r == -EEXIST ? "every candidate file name is taken" :
	           r == -ENOSPC ? "no space left in the target directory" :
	           r == -EROFS ? "the target directory is on a read-only filesystem" :
	           r == -ELIBACC ? "libcrypto (" PE_LIBCRYPTO_SONAME ") could not be loaded" :
	           r == -EMFILE || r == -ENFILE ? "out of file descriptors" : NULL;
	if (r == -EFBIG) {
		if (fstat(img->fd, &st) == 0)
			img->size = (uint64_t)st.st_size;
		img->reason = xasprintf("the image is %" PRIu64 " bytes, over the limit of %" PRIu64
		                        " bytes (--max-size)", img->size, rc->max_size);
	}
	img->file = NULL;
}

static void copy_image(struct recover *rc, size_t idx)
{
	struct image *img = &rc->images[idx];
	struct procexe_copy *copy = NULL;
	int r;

	r = procexe_copy_new(img->fd, rc->dir_fd, &copy);
	if (r == 0)
		r = procexe_copy_set_max_size(copy, rc->max_size);
	if (r == 0)
		r = procexe_copy_run(copy, show_progress, rc);
	if (r == 0 && rc->verify)
		r = procexe_copy_verify(copy);
	if (r == 0) {
		const char *hex = procexe_copy_sha256_hex(copy);

		memcpy(img->sha256, hex, sizeof(img->sha256));
		img->size = procexe_copy_size(copy);
		/* Same content as an image copied before: no second file. */
		for (size_t i = 0; i < idx; i++) {
			if (rc->images[i].file && rc->images[i].same_as == SIZE_MAX &&
			    strcmp(rc->images[i].sha256, img->sha256) == 0) {
				img->same_as = i;
				img->file = xstrdup(rc->images[i].file);
				break;
			}
		}
		if (!img->file)
			r = procexe_copy_commit(copy, img->hint, &img->file);
	}
	if (r < 0)
		copy_failed(rc, img, r);
	procexe_copy_free(copy);
	if (r != -EFBIG)
		rc->done_bytes += img->size;
	close(img->fd);
	img->fd = -1;
}

/* ---- the manifest ---- */

/* The error of entry E (its own or its image's), 0 when recovered. */
static int entry_error(const struct recover *rc, const struct entry *e, const char **why)
{
	if (e->image == SIZE_MAX) {
		*why = e->why;
		return e->err ? e->err : EIO;
	}
	if (!rc->images[e->image].file) {
		*why = rc->images[e->image].reason ? rc->images[e->image].reason
		                                    : rc->images[e->image].why;
		return rc->images[e->image].err ? rc->images[e->image].err : EIO;
	}
	*why = NULL;
	return 0;
}

/* The number of entries recovered (*OK) and failed (*FAIL). */
static void count_entries(const struct recover *rc, size_t *ok, size_t *fail)
{
	size_t nok = 0, nfail = 0;

	for (size_t i = 0; i < rc->nentries; i++) {
		const char *why;

		if (entry_error(rc, &rc->entries[i], &why))
			nfail++;
		else
			nok++;
	}
	if (ok)
		*ok = nok;
	if (fail)
		*fail = nfail;
}

/* The key of E's kernel text: "link" for the exe (as everywhere), else
 * "maps_text" (as in explain). */
static const char *text_key(const struct entry *e)
{
	return e->source && strcmp(e->source, "map") == 0 ? "maps_text" : "link";
}

/* One element of "images": the recovered entry E. */
static void json_image(struct json *j, const struct recover *rc, const struct entry *e)
{
	const struct image *img = &rc->images[e->image];

	json_open(j, NULL);
	json_int(j, "pid", e->pid);
	json_str(j, "comm", e->comm);
	json_str(j, "state", e->state);
	json_bool(j, "modified", e->modified);
	json_str(j, "source", e->source);
	json_str(j, "path", e->path);
	json_str(j, text_key(e), e->text);
	json_dev(j, "dev", (dev_t)img->dev);
	json_uint(j, "inode", img->ino);
	json_uint(j, "size", img->size);
	json_mode(j, "mode", (mode_t)img->mode);
	json_uint(j, "uid", img->uid);
	json_str(j, "sha256", img->sha256);
	json_str(j, "copy", img->file);
	json_close(j);
}

/* One element of "failures": entry E, which failed with ERR (WHY: NULL or
 * the explanation). */
static void json_failure(struct json *j, const struct entry *e, int err, const char *why)
{
	char *text = why ? xasprintf("%s (%s)", why, strerror(err)) : xstrdup(strerror(err));

	json_open(j, NULL);
	json_int(j, "pid", e->pid);
	json_str(j, "source", e->source);
	json_str(j, "path", e->path);
	json_str(j, text_key(e), e->text);
	json_str(j, "error", text);
	json_close(j);
	free(text);
}

/* The summary's recover keys (summary_extra_fn; ARG: the struct recover). */
static void summary_extra(struct json *j, const void *arg)
{
	const struct recover *rc = arg;
	size_t ok, fail;

	count_entries(rc, &ok, &fail);
	json_bytes(j, "directory", rc->dir, strlen(rc->dir));
	json_uint(j, "recovered", ok);
	json_uint(j, "failed", fail);
}

/* The schema v1 document of the run (the manifest, and -J), newly
 * allocated, *RET_LEN bytes. */
static char *build_document(const struct recover *rc, size_t *ret_len)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	struct json *j;

	if (!out)
		errx_("%s", strerror(errno));
	j = json_new(out, true);
	json_begin_document(j, "recover", NULL);
	json_open_array(j, "images");
	for (size_t i = 0; i < rc->nentries; i++) {
		const char *why;

		if (!entry_error(rc, &rc->entries[i], &why))
			json_image(j, rc, &rc->entries[i]);
	}
	json_close_array(j);
	json_open_array(j, "failures");
	for (size_t i = 0; i < rc->nentries; i++) {
		const char *why;
		int err = entry_error(rc, &rc->entries[i], &why);

		if (err)
			json_failure(j, &rc->entries[i], err, why);
	}
	json_close_array(j);
	summary_member(j, &rc->sum, summary_extra, rc);
	json_close(j);
	json_end_line(j);
	json_free(j);
	if (fclose(out) != 0)
		errx_("%s", strerror(ENOMEM));
	*ret_len = len;
	return buf;
}

/* Write the manifest without replacing an older one; returns its name. */
static char *save_manifest(const struct recover *rc, const char *buf, size_t len)
{
	for (int i = 1; i <= 100; i++) {
		char *name = i == 1 ? xstrdup(MANIFEST_NAME ".json")
		                    : xasprintf(MANIFEST_NAME "-%d.json", i);
		int r = procexe_recover_write_file(rc->dir_fd, name, buf, len);

		if (r == 0)
			return name;
		free(name);
		if (r != -EEXIST) {
			warnx_("cannot write the manifest in %s: %s", rc->dir, strerror(-r));
			return NULL;
		}
	}
	warnx_("cannot write the manifest in %s: every name is taken", rc->dir);
	return NULL;
}

/* ---- the command ---- */

/* --all: what the one verdict says needs attention; 0 when nothing. */
static unsigned wanted_by_all(const struct recover *rc, const struct procexe_proc *p)
{
	unsigned a = procexe_proc_attention(p);

	if (!rc->libs)
		a &= ~(PROCEXE_ATTN_MAPPED | PROCEXE_ATTN_MAPPED_FILELESS);
	return a;
}

static void test_pin_delay(void)
{
	const char *s = getenv("PROCEXE_TEST_PIN_DELAY_MS");
	struct timespec ts;
	char *end;
	long ms;

	if (!s || !*s)
		return;
	errno = 0;
	ms = strtol(s, &end, 10);
	if (errno || *end || ms <= 0 || ms > MAX_PIN_DELAY_MS)
		return;
	fputs(PROGNAME ": test: pinned\n", stderr);
	fflush(stderr);
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/*
 * Raise the soft limit on descriptors to the hard one (best effort) and
 * return how many images may be pinned at once: the soft limit less
 * FD_RESERVE (half of it when it is that small), at least 1.
 */
static size_t pin_capacity(void)
{
	struct rlimit rl;
	rlim_t cur;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return FD_RESERVE;
	cur = rl.rlim_cur;
	if (rl.rlim_cur < rl.rlim_max) {
		struct rlimit up = { .rlim_cur = rl.rlim_max, .rlim_max = rl.rlim_max };

		if (setrlimit(RLIMIT_NOFILE, &up) == 0)
			cur = rl.rlim_max;
	}
	if (cur == RLIM_INFINITY || cur > INT_MAX)
		cur = INT_MAX;
	cur = cur > 2 * FD_RESERVE ? cur - FD_RESERVE : cur / 2;
	return cur ? (size_t)cur : 1;
}

static void print_summary(const struct recover *rc, const char *manifest)
{
	size_t nfiles = 0, nok = 0, nfail = 0;

	for (size_t i = 0; i < rc->nimages; i++) {
		const struct image *img = &rc->images[i];
		char *s;

		if (!img->file || img->same_as != SIZE_MAX)
			continue;
		nfiles++;
		s = safe_text(img->file, strlen(img->file));
		printf("%s  %s  %" PRIu64 " bytes  PID", img->sha256, s, img->size);
		free(s);
		for (size_t j = 0; j < rc->nentries; j++) {
			const struct entry *e = &rc->entries[j];

			if (e->image != SIZE_MAX && rc->images[e->image].file &&
			    strcmp(rc->images[e->image].file, img->file) == 0)
				printf(" %d", (int)e->pid);
		}
		putchar('\n');
	}
	count_entries(rc, &nok, &nfail);
	if (rc->dir_fd < 0) {
		printf("0 images recovered, %zu failed: nothing written\n", nfail);
		return;
	}
	{
		char *d = safe_text(rc->dir, strlen(rc->dir));
		char *m = manifest ? safe_text(manifest, strlen(manifest)) : NULL;

		printf("%zu image%s recovered into %zu file%s in %s (%s%s), %zu failed\n",
		       nok, nok == 1 ? "" : "s", nfiles, nfiles == 1 ? "" : "s", d,
		       m ? "manifest " : "no manifest", m ? m : "", nfail);
		free(d);
		free(m);
	}
}

static void report_failures(const struct recover *rc)
{
	for (size_t i = 0; i < rc->nentries; i++) {
		const struct entry *e = &rc->entries[i];
		const char *why;
		int err = entry_error(rc, e, &why);
		char *p;

		if (!err)
			continue;
		p = e->path ? safe_text(e->path, strlen(e->path)) : NULL;
		warnx_("PID %d%s%s%s: %s%s%s", (int)e->pid, p ? " (" : "", p ? p : "", p ? ")" : "",
		       why ? why : "", why ? ": " : "", strerror(err));
		free(p);
	}
}

/* Why procexe_recover_dir_open_ex(DIR) failed with ERR, the directory at
 * fault being the first WHERE bytes of DIR (0: the working directory). */
static void dir_open_error(const char *dir, int err, size_t where)
{
	char *d = safe_text(dir, strlen(dir));
	char *at = where ? safe_text(dir, where) : xstrdup("the current directory");

	switch (err) {
	case ELOOP:
		if (where && !dir[where])
			warnx_("%s: is a symbolic link: refused", d);
		else
			warnx_("%s: %s is a symbolic link: refused", d, at);
		break;
	case EUSERS:
		warnx_("%s: %s is not owned by root or you, or is writable by others "
		       "without the sticky bit: refused", d, at);
		break;
	case EPERM:
		warnx_("%s: not owned by you: refused", d);
		break;
	case ENOENT:
		warnx_("%s: %s does not exist (only the last component is created)", d, at);
		break;
	default:
		warnx_("%s: %s: %s", d, at, strerror(err));
		break;
	}
	free(at);
	free(d);
}

/* openat2(RESOLVE_NO_SYMLINKS) of the directory PATH as an O_PATH fd, or
 * a negative errno (-ELOOP for a symlink anywhere in PATH). */
static int open_dir_nofollow(const char *path)
{
	struct open_how how = {
		.flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
		.resolve = RESOLVE_NO_SYMLINKS,
	};
	int fd = (int)syscall(SYS_openat2, AT_FDCWD, path, &how, sizeof(how));

	return fd < 0 ? -errno : fd;
}

/* Whether we may create entries in the directory FD: 0 or a negative
 * errno (-EACCES, -EROFS, -EPERM for an immutable one...). */
static int dir_writable(int fd)
{
	return faccessat(fd, ".", W_OK | X_OK, AT_EACCESS) < 0 ? -errno : 0;
}

/*
 * The directory a missing DIR would be created in: DIR without its last
 * component (trailing "/" and "/." skipped), "." for a relative single
 * component; NULL when the last component is "." or "..", which always
 * exist.  Newly allocated.
 */
static char *parent_of(const char *dir)
{
	size_t n = strlen(dir), start, end;

	for (;;) {
		while (n > 1 && dir[n - 1] == '/')
			n--;
		if (n >= 2 && dir[n - 1] == '.' && dir[n - 2] == '/')
			n--;
		else
			break;
	}
	for (start = n; start > 0 && dir[start - 1] != '/'; start--)
		;
	if ((n - start == 1 && dir[start] == '.') ||
	    (n - start == 2 && dir[start] == '.' && dir[start + 1] == '.'))
		return NULL;
	if (start == 0)
		return xstrdup(".");
	for (end = start; end > 1 && dir[end - 1] == '/'; end--)
		;
	return xcheck(strndup(dir, end));
}

/* Open DIR (creating it when absent) with the library's checks, and check
 * that we may write into it; false (the message said) when not. */
static bool open_dir(struct recover *rc)
{
	size_t where = 0;
	int r;

	rc->dir_fd = procexe_recover_dir_open_ex(rc->dir, &where);
	if (rc->dir_fd < 0) {
		dir_open_error(rc->dir, -rc->dir_fd, where);
		return false;
	}
	r = dir_writable(rc->dir_fd);
	if (r < 0) {
		char *d = safe_text(rc->dir, strlen(rc->dir));

		warnx_("cannot write to %s: %s", d, strerror(-r));
		free(d);
		return false;
	}
	return true;
}

/*
 * Whether the missing DIR may be created in PARENT, its parent directory
 * (reached without following a symlink; "." or a prefix of DIR): trusted
 * as procexe_recover_dir_open() requires of a directory on the way (owned
 * by root or us, not writable by others unless sticky), and writable by
 * us.  False (the message said) when not.
 */
static bool parent_usable(const char *dir, const char *parent, int pfd)
{
	struct stat st;
	char *d;
	int r;

	if (fstat(pfd, &st) < 0)
		r = -errno;
	else if ((st.st_uid != 0 && st.st_uid != geteuid()) ||
	         ((st.st_mode & (S_IWGRP | S_IWOTH)) && !(st.st_mode & S_ISVTX)))
		r = -EUSERS;
	else
		r = dir_writable(pfd);
	if (r == 0)
		return true;
	if (r == -EUSERS) {
		dir_open_error(dir, EUSERS, strcmp(parent, ".") ? strlen(parent) : 0);
		return false;
	}
	d = safe_text(dir, strlen(dir));
	warnx_("cannot create %s: %s", d, strerror(-r));
	free(d);
	return false;
}

/*
 * Before any process is read and before anything is created: an existing
 * DIR is opened (open_dir()) and must be writable; a missing one must be
 * creatable (parent_usable()), and is created later (rc->dir_fd stays -1)
 * with the library's checks of every directory on the way.  Any other
 * trouble on the way is left to those checks, which create nothing then.
 * False (the message said) when DIR cannot be used.
 */
static bool check_dir(struct recover *rc)
{
	int fd = open_dir_nofollow(rc->dir);

	if (fd == -ENOENT) {
		char *parent = parent_of(rc->dir);
		int pfd = parent ? open_dir_nofollow(parent) : -ENOENT;
		bool ok = pfd >= 0 && parent_usable(rc->dir, parent, pfd);

		free(parent);
		if (pfd >= 0) {
			close(pfd);
			return ok;
		}
	} else if (fd >= 0) {
		close(fd);
	}
	return open_dir(rc);
}

/* Pin the images of LIST's processes (copying in batches past pin_cap:
 * see pin_room()) and record the PIDs asked for that LIST lacks. */
static void pin_all(struct recover *rc, const struct procexe_list *list)
{
	for (size_t i = 0, n = procexe_list_count(list); i < n; i++) {
		const struct procexe_proc *p = procexe_list_get(list, i);
		unsigned a = p ? wanted_by_all(rc, p) : 0;

		if (a & ~PROCEXE_ATTN_INCOMPLETE)
			rc->sum.flagged++;
		if (!p || (rc->all && (!a || procexe_proc_pid(p) == getpid())))
			continue;
		if (proc_unread(p)) {
			struct entry *e = add_entry(rc, p, procexe_proc_pid(p), "exe");

			fail_entry(e, procexe_proc_errno(p),
			           procexe_proc_errno(p) == ETIMEDOUT ?
			           "procexe gave up on the process after the per-process deadline" :
			           "the process could not be read");
				continue;
		}
		/* --all --libs: an intact executable is not copied for its libraries */
		if (!rc->all || (a & (PROCEXE_ATTN_IMAGE | PROCEXE_ATTN_MODIFIED)))
			pin_proc(rc, p);
		if (rc->libs)
			pin_libs(rc, p);
	}
	/* rc->pids are distinct (parse_pid_args()) */
	for (size_t i = 0; i < rc->npids; i++) {
		if (!list_has_pid(list, rc->pids[i])) {
			struct entry *e = add_entry(rc, NULL, rc->pids[i], NULL);

			fail_entry(e, ESRCH, NULL);
			}
	}
}

/* Whether PIDs were named and none of them exists. */
static bool all_missing(const struct recover *rc, const struct procexe_list *list)
{
	for (size_t i = 0; i < rc->npids; i++)
		if (list_has_pid(list, rc->pids[i]))
			return false;
	return rc->npids > 0;
}

static void recover_free(struct recover *rc)
{
	for (size_t i = 0; i < rc->nimages; i++) {
		if (rc->images[i].fd >= 0)
			close(rc->images[i].fd);
		free(rc->images[i].hint);
		free(rc->images[i].file);
		free(rc->images[i].reason);
	}
	for (size_t i = 0; i < rc->nentries; i++) {
		free(rc->entries[i].comm);
		free(rc->entries[i].path);
		free(rc->entries[i].text);
	}
	free(rc->images);
	free(rc->entries);
	free(rc->pids);
	procexe_ctx_free(rc->ctx);
	if (rc->dir_fd >= 0)
		close(rc->dir_fd);
}

static void parse_args(struct recover *rc, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "dir", required_argument, NULL, 'd' },
		{ "all", no_argument, NULL, 'a' },
		{ "libs", no_argument, NULL, 'l' },
		{ "json", no_argument, NULL, 'J' },
		{ "max-size", required_argument, NULL, 'M' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":d:alJM:qhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			rc->dir = optarg;
			break;
		case 'a':
			rc->all = true;
			break;
		case 'l':
			rc->libs = true;
			break;
		case 'J':
			rc->json = true;
			break;
		case 'M':
			if (!parse_size(optarg, &rc->max_size))
				usage_error("invalid size for --max-size: '%s'", optarg);
			break;
		case 'q':
			rc->quiet = true;
			break;
		case 'h':
			recover_usage();
		case 'V':
			print_version();
		default:
			getopt_error(c, argv);
		}
	}
	rc->npids = parse_pid_args(argv + optind, argc - optind, &rc->pids);
	if (rc->all && rc->npids)
		usage_error("--all and PIDs are mutually exclusive");
	if (!rc->all && !rc->npids)
		usage_error("'recover' needs PIDs or --all");
	if (!*rc->dir)
		usage_error("empty directory name");
}

/* libcrypto, the output directory's check and the scan, before anything
 * is pinned; false (the message said) when any fails. */
static bool prepare(struct recover *rc, struct procexe_list **ret_list)
{
	int r;

	/* Before any image is pinned: loading needs free descriptors. */
	rc->pin_cap = pin_capacity();
	r = procexe_copy_init();
	if (r < 0) {
		warnx_("cannot load libcrypto (%s), needed to hash recovered images: %s",
		       PE_LIBCRYPTO_SONAME, strerror(-r));
		return false;
	}
	if (!check_dir(rc))
		return false;
	r = procexe_ctx_new(NULL, &rc->ctx);
	if (r < 0) {
		warnx_("cannot read /proc: %s", strerror(-r));
		return false;
	}
	procexe_ctx_set_details(rc->ctx, PROCEXE_DETAIL_COMM);
	if (rc->libs)
		procexe_ctx_set_maps(rc->ctx, PROCEXE_MAPS_EXEC | PROCEXE_MAPS_DATA);
	r = procexe_scan(rc->ctx, rc->npids ? rc->pids : NULL, rc->npids, PROCEXE_ALL_STATES,
	                 ret_list);
	if (r < 0) {
		warnx_("cannot read /proc: %s", strerror(-r));
		return false;
	}
	summary_add_list(&rc->sum, *ret_list, rc->pids, rc->npids, rc->libs);
	return true;
}

/*
 * An image that was not recovered was not seen whole either: the failures
 * the scan did not count already (missing or denied named PIDs, processes
 * not read) count as unreadable, so that the summary is complete exactly
 * when the status is not 3.
 */
static void count_failures(struct unseen *u, size_t nfail)
{
	size_t counted = u->nmissing + u->nnamed_denied + u->ntimeout + u->nunreadable;

	if (nfail > counted)
		u->nunreadable += nfail - counted;
}

/* The manifest (when DIR is open), the report and the exit status. */
static int finish_run(struct recover *rc)
{
	char *doc = NULL, *manifest_name = NULL;
	size_t len = 0, nfail = 0;
	int status;

	count_entries(rc, NULL, &nfail);
	count_failures(&rc->sum.unseen, nfail);
	status = nfail || unseen_any(&rc->sum.unseen) ? EXIT_INCOMPLETE : EXIT_OK;
	rc->sum.exit_status = status;
	if (rc->dir_fd >= 0) {
		doc = build_document(rc, &len);
		manifest_name = save_manifest(rc, doc, len);
		if (!manifest_name) {
			/* -J tells the status the run ends with */
			status = rc->sum.exit_status = EXIT_TROUBLE;
			free(doc);
			doc = NULL;
		}
	}
	if (!rc->quiet)
		report_failures(rc);
	if (rc->json) {
		if (!doc)
			doc = build_document(rc, &len);
		fwrite(doc, 1, len, stdout);
	} else {
		print_summary(rc, manifest_name);
	}
	free(doc);
	free(manifest_name);
	return status;
}

int cmd_recover(int argc, char **argv)
{
	struct recover rc = { .dir = DEFAULT_DIR, .dir_fd = -1, .last_pct = -1, .verify = true,
	                      .max_size = DEFAULT_MAX_SIZE };
	struct procexe_list *list = NULL;
	int status;

	summary_init(&rc.sum, "recover");
	parse_args(&rc, argc, argv);
	if (!prepare(&rc, &list))
		goto trouble;
	if (all_missing(&rc, list)) {
		/* a PID that does not exist creates nothing: no DIR, no manifest */
		if (rc.dir_fd >= 0)
			close(rc.dir_fd);
		rc.dir_fd = -1;
	} else if (rc.dir_fd < 0 && !open_dir(&rc)) {
		goto trouble;
	}
	pin_all(&rc, list);
	procexe_list_free(list);
	test_pin_delay();
	copy_pinned(&rc);
	if (rc.progress && rc.last_pct >= 0)
		fputs("\r\033[K", stderr);
	status = finish_run(&rc);
	recover_free(&rc);
	return status;

trouble:
	procexe_list_free(list);
	recover_free(&rc);
	return EXIT_TROUBLE;
}
