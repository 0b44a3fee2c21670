/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The resolver: what stands at a name a process's text gives, seen from
 * where that text is meaningful, compared with the file the process holds.
 * One answer for the executable and for every mapped file.
 *
 * The kernel renders a path relative to the reader's root when the file's
 * mount is reachable from there, else relative to the root of the file's
 * mount namespace.  So the name is looked up in the reader's root first
 * (cached per worker: the processes of a host run the same few files); it
 * stands when the file's mount is known to be the reader's (its mount id
 * in our mountinfo, or, without a mount id, the process shares our mount
 * namespace) or when it reached the very file.  Otherwise the name is
 * looked up inside the process's root with RESOLVE_IN_ROOT, never by
 * joining strings, and that answer stands unless it could not be had.
 */
#include <assert.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <linux/magic.h>

#include "internal.h"
#include "lines.h"
#include "parse.h"
#include "procmap.h"

/* Filesystems whose maps device may differ from what stat says. */
static bool loose_dev_fs(const struct statfs *sfs)
{
	return sfs->f_type == BTRFS_SUPER_MAGIC || sfs->f_type == OVERLAYFS_SUPER_MAGIC;
}

/*
 * The one identity rule: the same file is the same inode on the same
 * device.  On btrfs, maps shows the superblock's device and stat the
 * subvolume's, and before Linux 6.8 maps showed the underlying
 * filesystem's device for overlayfs files: there an equal inode at the
 * same name is enough.  LOOSE_DEV is asked only then.
 */
static enum pe_lookup compare(const struct pe_stated *at, uint64_t dev, uint64_t ino,
                              bool (*loose_dev)(const void *), const void *arg)
{
	if (at->err == ENOENT || at->err == ENOTDIR)
		return PE_LOOKUP_ABSENT;
	if (at->err)
		return PE_LOOKUP_UNKNOWN;
	if (at->ino != ino)
		return PE_LOOKUP_DIFFERENT;
	return at->dev == dev || loose_dev(arg) ? PE_LOOKUP_SAME : PE_LOOKUP_DIFFERENT;
}

static bool path_loose(const void *path)
{
	struct statfs sfs;

	return statfs(path, &sfs) == 0 && loose_dev_fs(&sfs);
}

static bool fd_loose(const void *fd)
{
	struct statfs sfs;

	return fstatfs(*(const int *)fd, &sfs) == 0 && loose_dev_fs(&sfs);
}

/* lstat-like lookup of PATH inside the root directory ROOTFD. */
static void lookup_in_root(int rootfd, const char *path, uint64_t dev, uint64_t ino,
                           struct pe_found *ret)
{
	_cleanup_close_ int fd = pe_openat_in_root(rootfd, path, O_PATH | O_NOFOLLOW);
	struct pe_stated at = { .err = fd < 0 ? -fd : 0 };
	struct statx stx;

	if (fd >= 0 && statx(fd, "", AT_EMPTY_PATH | AT_STATX_DONT_SYNC,
	                     STATX_INO | PE_STATX_TIMES, &stx) < 0)
		at.err = errno;
	else if (fd >= 0)
		at = pe_stated_of(&stx);
	*ret = (struct pe_found){ .r = compare(&at, dev, ino, fd_loose, &fd), .err = at.err,
	                          .t = at.t };
}

/* Is the text rendered relative to the reader's root, by the file's mount
 * id?  1 yes, 0 no, -1 cannot tell that way. */
static int reader_view(const struct pe_reader *r, uint64_t mnt_id)
{
	const struct procexe_ctx *ctx = r->ctx;

	if (mnt_id && ctx->reader_mounts_known)
		return pe_idset_has(&ctx->reader_mounts, mnt_id) ? 1 : 0;
	return -1;
}

int pe_resolve(struct pe_reader *r, const char *text, size_t len, uint64_t dev, uint64_t ino,
               uint64_t mnt_id, struct pe_found *ret)
{
	struct pe_found in_reader = { .r = PE_LOOKUP_UNKNOWN, .err = EIO };
	const char *path;
	int view, root;

	assert(r && r->dirfd >= 0 && (text || len == 0));
	*ret = (struct pe_found){ .r = PE_LOOKUP_UNKNOWN, .err = EINVAL };
	if (len == 0 || text[0] != '/' || memchr(text, '\0', len))
		return 0;
	path = pe_reader_text(r, text, len);
	if (!path)
		return -ENOMEM;
	view = reader_view(r, mnt_id);
	if (view != 0) {
		struct pe_stated at;

		pe_cache_stat(r->cache, path, len, &at);
		in_reader = (struct pe_found){
			.r = compare(&at, dev, ino, path_loose, path), .err = at.err, .t = at.t,
		};
		/* without a mount id, sharing our mount namespace tells; asked
		 * only now (a system call) since most names reach the file */
		if (view > 0 || in_reader.r == PE_LOOKUP_SAME ||
		    (view < 0 && pe_reader_same_mntns(r))) {
			*ret = in_reader;
			return 0;
		}
	}
	root = pe_reader_root(r);
	if (root < 0) {
		*ret = view < 0 ? in_reader : (struct pe_found){ .r = PE_LOOKUP_UNKNOWN, .err = -root };
		return 0;
	}
	lookup_in_root(root, path, dev, ino, ret);
	if (ret->r == PE_LOOKUP_UNKNOWN && view < 0)
		*ret = in_reader;
	return 0;
}

/* ---- the classifier's questions about the exe (pe_probe_ops) ---- */

enum pe_lookup pe_probe_resolve(void *userdata, const char *text, size_t len)
{
	struct pe_probe *p = userdata;
	struct pe_found found;

	pe_resolve(p->reader, text, len, p->img->dev, p->img->ino, p->img->mnt_id, &found);
	return found.r;
}

static int is_mnt_id(uint64_t id, void *userdata)
{
	return id == *(const uint64_t *)userdata;
}

int pe_probe_mount_reachable(void *userdata)
{
	struct pe_probe *p = userdata;
	const struct procexe_ctx *ctx = p->reader->ctx;
	uint64_t want = p->img->mnt_id;
	struct pe_lines rd;
	const char *line;
	size_t len;
	int r;

	if (!ctx->reader_mounts_known || want == 0)
		return -1;
	if (pe_idset_has(&ctx->reader_mounts, want))
		return 1;
	/* The process's own mounts, line by line: their number is its choice. */
	r = pe_lines_open(&rd, pe_reader_fd(p->reader), "mountinfo", p->reader->cache);
	if (r < 0)
		return r;
	while ((r = pe_lines_next(&rd, &line, &len)) > 0) {
		r = pe_parse_mountinfo_ids(line, len, is_mnt_id, &want);
		if (r != 0)
			break;
	}
	if (r == 0 && rd.overlong)
		r = -ENAMETOOLONG;      /* a line we could not read may hold it */
	pe_lines_close(&rd);
	return r;
}

bool pe_map_is_image(const struct pe_map *m, const struct pe_img *img)
{
	if (m->ino != img->ino || !m->path)
		return false;
	if (makedev(m->dev_major, m->dev_minor) == img->dev)
		return true;
	/* btrfs shows the superblock's device in maps but a per-subvolume one
	 * in stat: accept the inode when the text names the same file too. */
	return img->path && m->path_len <= img->path_len &&
	       memcmp(m->path, img->path, m->path_len) == 0 &&
	       (m->path_len == img->path_len ||
	        (m->deleted && img->path_len - m->path_len == PE_DELETED_SUFFIX_LEN));
}

/* What the lowest file mapping says about the image. */
enum peek {
	PEEK_OTHER = 0,         /* not the image, or cannot tell: read on */
	PEEK_IMAGE = 1,         /* the image */
	PEEK_NO_FILE = 2,       /* the process maps no file at all */
};

/*
 * One PROCMAP_QUERY on the maps file FD for the lowest file-backed
 * mapping, its name not asked for: PEEK_IMAGE when its device and inode
 * are IMG's, PEEK_NO_FILE when there is none (ENOENT), PEEK_OTHER when
 * another file (or, on btrfs, the same inode on another device: only the
 * names can tell).  Negative errno when the query failed: -ENOTTY/-EINVAL
 * without the ioctl.
 */
static int first_file_query(int fd, const struct pe_img *img)
{
	struct pe_procmap_query q = {
		.size = sizeof(q),
		.query_flags = PE_QUERY_COVERING_OR_NEXT | PE_QUERY_FILE_BACKED,
		.query_addr = 0,
	};

	if (ioctl(fd, PE_PROCMAP_QUERY, &q) < 0)
		return errno == ENOENT ? PEEK_NO_FILE : -errno;
	return q.inode == img->ino && makedev(q.dev_major, q.dev_minor) == img->dev ? PEEK_IMAGE
	                                                                             : PEEK_OTHER;
}

/*
 * The lowest mapping of DIRFD's maps: through PROCMAP_QUERY unless CTX
 * knows the kernel lacks it (learnt here on the first ENOTTY/EINVAL, so
 * the fallback costs no failed ioctl per process), else the first line
 * of the text.  A failed query (the process exiting,
 * a fatal signal) falls back to the text, which the caller judges as
 * before.  A peek, or negative errno.
 */
static int peek_first_mapping(struct procexe_ctx *ctx, int dirfd, const struct pe_img *img)
{
	_cleanup_close_ int fd = openat(dirfd, "maps", O_RDONLY | O_CLOEXEC);
	char head[512];
	const char *cur = head;
	struct pe_map m;
	ssize_t n;
	int r;

	if (fd < 0)
		return -errno;
	/* without the image's identity (no stat) the text decides, as ever */
	if (img->have_stat && !__atomic_load_n(&ctx->no_maps_query, __ATOMIC_RELAXED)) {
		r = first_file_query(fd, img);
		if (r >= 0)
			return r;
		if (r == -ENOTTY || r == -EINVAL)
			__atomic_store_n(&ctx->no_maps_query, 1, __ATOMIC_RELAXED);
	}
	n = read(fd, head, sizeof(head));
	if (n < 0)
		return -errno;
	if (memchr(head, '\n', (size_t)n) && pe_maps_next(&cur, head + n, &m) > 0 &&
	    pe_map_is_image(&m, img))
		return PEEK_IMAGE;
	return PEEK_OTHER;
}

int pe_probe_image_mapped(void *userdata)
{
	struct pe_probe *p = userdata;
	struct pe_lines rd;
	struct pe_map m;
	int r;

	if (p->mapped >= 0)
		return p->mapped;
	/* The image is normally the lowest mapping: a peek at it is far
	 * cheaper than generating the whole file. */
	r = peek_first_mapping(p->reader->ctx, pe_reader_fd(p->reader), p->img);
	if (r == PEEK_NO_FILE)
		return p->mapped = 0;
	if (r != PEEK_OTHER)
		return p->mapped = r;
	r = pe_lines_open(&rd, pe_reader_fd(p->reader), "maps", p->reader->cache);
	if (r < 0)
		return p->mapped = r;
	while ((r = pe_lines_next_map(&rd, &m, false)) > 0 && !pe_map_is_image(&m, p->img))
		;
	pe_lines_close(&rd);
	return p->mapped = r > 0 ? 1 : r;
}
