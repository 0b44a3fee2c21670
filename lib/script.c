/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The script of an interpreted program: a process whose executable is a
 * known interpreter (pe_interp_of()) runs the script file its command line
 * names (pe_script_arg()).  The interpreter read that file when it
 * started and, in general, holds nothing of it afterwards: no mapping, no
 * descriptor, so the file it read has no identity to compare with (unlike
 * a mapped file).  What can be proved is what the file now standing at the
 * name says about itself, against the process start (the fork's):
 *  - nothing stands there: deleted;
 *  - it was born after the process started (statx birth time): another
 *    file replaced the one the process read (an install by rename: dpkg,
 *    rpm, editors that save by rename);
 *  - it was written in place after the process started, by the rule of
 *    mapped files (pe_written_after_start()): modified.
 * Cannot be proved: a replacement on a filesystem that records no birth
 * time; a script replaced between the fork and the exec, or read by an
 * interpreter started from a process that wrote it first (flagged
 * wrongly: procfs does not tell the exec time); for a relative name, a
 * process that changed directory since it started (the name is looked up
 * from its current directory).  No code of the interpreter or the script
 * is ever run; one lookup per process.
 */
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <linux/openat2.h>

#include "internal.h"
#include "parse.h"

void pe_judge_script(const struct pe_found *at, uint64_t boot_ns, uint64_t (*start_ns)(void *),
                     void *userdata, struct pe_map_verdict *ret)
{
	const struct pe_times *t = &at->t;
	uint64_t start;

	*ret = (struct pe_map_verdict){ .state = PROCEXE_MAP_OK };
	if (at->r == PE_LOOKUP_ABSENT) {
		ret->state = PROCEXE_MAP_DELETED;
		return;
	}
	if (at->r != PE_LOOKUP_SAME) {
		ret->state = PROCEXE_MAP_UNKNOWN;
		ret->err = at->err ? at->err : EIO;
		return;
	}
	/* unchanged since boot: older than any process */
	if (boot_ns && t->m <= boot_ns && t->c <= boot_ns && t->b <= boot_ns)
		return;
	if (t->b && !(boot_ns && t->b <= boot_ns)) {
		start = start_ns(userdata);
		if (start && t->b > start) {
			ret->state = PROCEXE_MAP_REPLACED;
			ret->changed_ns = t->b;
			return;
		}
	}
	if (pe_written_after_start(t, false, start_ns, userdata)) {
		ret->state = PROCEXE_MAP_MODIFIED;
		ret->changed_ns = t->m;
	}
}

/* Bytes of the command line read to find the script: the options before
 * it are few; a name cut at this limit is not judged. */
#define SCRIPT_CMDLINE_MAX (16384 + PATH_MAX)

/* The start of /proc/PID/cmdline into BUF (SCRIPT_CMDLINE_MAX bytes):
 * its length, or a negative errno; *CUT when the file is longer. */
static ssize_t read_cmdline_head(int dirfd, char *buf, bool *cut)
{
	_cleanup_close_ int fd = openat(dirfd, "cmdline", O_RDONLY | O_CLOEXEC);
	size_t len = 0;
	char c;

	if (fd < 0)
		return -errno;
	while (len < SCRIPT_CMDLINE_MAX) {
		ssize_t n = read(fd, buf + len, SCRIPT_CMDLINE_MAX - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		len += (size_t)n;
	}
	*cut = len == SCRIPT_CMDLINE_MAX && read(fd, &c, 1) == 1;
	return (ssize_t)len;
}

/*
 * Open NAME (NUL-terminated) as the process of R would: an absolute name
 * inside its root (RESOLVE_IN_ROOT), a relative one from its current
 * directory, never above it nor through an absolute symlink
 * (RESOLVE_BENEATH: EXDEV, judged unknown).  O_PATH fd or negative errno.
 */
static int open_script(struct pe_reader *r, const char *name)
{
	struct open_how how = { .flags = O_PATH | O_CLOEXEC,
	                        .resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS };
	_cleanup_close_ int cwd = -1;
	int root, fd;

	if (name[0] == '/') {
		root = pe_reader_root(r);
		return root < 0 ? root : pe_openat_in_root(root, name, O_PATH);
	}
	cwd = openat(pe_reader_fd(r), "cwd", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (cwd < 0)
		return -errno;
	fd = (int)syscall(SYS_openat2, cwd, name, &how, sizeof(how));
	return fd < 0 ? -errno : fd;
}

/* What stands at NAME for the process of R; *RET_DEV, *RET_INO its
 * identity.  A lookup of a file that is not a regular one (python runs
 * directories and zip files too) is reported as -EISDIR: not judged. */
static int lookup_script(struct pe_reader *r, const char *name, struct pe_found *ret,
                         uint64_t *ret_dev, uint64_t *ret_ino)
{
	_cleanup_close_ int fd = open_script(r, name);
	struct statx stx;
	struct pe_stated at;

	*ret_dev = *ret_ino = 0;
	if (fd >= 0 && statx(fd, "", AT_EMPTY_PATH | AT_STATX_DONT_SYNC,
	                     STATX_TYPE | STATX_INO | PE_STATX_TIMES, &stx) < 0)
		fd = -errno;
	if (fd == -ENOENT || fd == -ENOTDIR) {
		*ret = (struct pe_found){ .r = PE_LOOKUP_ABSENT, .err = -fd };
		return 0;
	}
	if (fd < 0) {
		*ret = (struct pe_found){ .r = PE_LOOKUP_UNKNOWN, .err = -fd };
		return 0;
	}
	if (!S_ISREG(stx.stx_mode))
		return -EISDIR;
	at = pe_stated_of(&stx);
	*ret_dev = makedev(stx.stx_dev_major, stx.stx_dev_minor);
	*ret_ino = stx.stx_ino;
	*ret = (struct pe_found){ .r = PE_LOOKUP_SAME, .t = at.t };
	return 0;
}

/* The script name of the process of R whose main image is IMG, into
 * *RET (NUL-terminated, newly allocated).  0, -ENOENT when there is none
 * to judge, -ENOMEM. */
static int script_name(struct pe_reader *r, const struct pe_img *img, bool loader, char **ret)
{
	const char *base, *arg;
	size_t base_len, first = 0, arg_len;
	enum pe_interp kind;
	_cleanup_free_ char *buf = NULL;
	bool cut = false;
	ssize_t len;

	if (!img->path || img->launch_len == 0)
		return -ENOENT;
	base = memrchr(img->path, '/', img->launch_len);
	base = base ? base + 1 : img->path;
	base_len = img->launch_len - (size_t)(base - img->path);
	kind = pe_interp_of(base, base_len);
	if (kind == PE_INTERP_NONE)
		return -ENOENT;
	buf = malloc(SCRIPT_CMDLINE_MAX);
	if (!buf)
		return -ENOMEM;
	len = read_cmdline_head(pe_reader_fd(r), buf, &cut);
	if (len <= 0)
		return -ENOENT;
	if (loader && pe_loader_program_index(buf, (size_t)len, &first) < 0)
		return -ENOENT;
	if (pe_script_arg(kind, buf, (size_t)len, first, &arg, &arg_len) < 0)
		return -ENOENT;
	/* a name running to the end of a cut read may be cut too */
	if ((cut && arg + arg_len == buf + len) || arg_len >= PATH_MAX)
		return -ENOENT;
	*ret = pe_memdup0(arg, arg_len);
	return *ret ? 0 : -ENOMEM;
}

static uint64_t reader_start(void *userdata)
{
	return pe_reader_start_ns(userdata);
}

int pe_judge_proc_script(struct pe_reader *r, const struct pe_img *img, bool loader,
                         struct pe_mapfile *ret)
{
	_cleanup_free_ char *name = NULL;
	struct pe_map_verdict v;
	struct pe_found at;
	uint64_t dev, ino;
	int k;

	k = script_name(r, img, loader, &name);
	if (k < 0)
		return k;
	if (lookup_script(r, name, &at, &dev, &ino) < 0)
		return -ENOENT;
	pe_judge_script(&at, r->ctx->boot_ns, reader_start, r, &v);
	if (v.state == PROCEXE_MAP_OK && !(r->ctx->maps & PROCEXE_MAPS_KEEP_OK))
		return -ENOENT;
	*ret = (struct pe_mapfile){
		.path_len = strlen(name),
		.state = v.state,
		.flags = PROCEXE_MF_SCRIPT,
		.dev = dev,
		.ino = ino,
		.changed_sec = (int64_t)(v.changed_ns / 1000000000u),
		.err = v.err,
	};
	ret->path = pe_take_ptr(&name);
	return 0;
}
