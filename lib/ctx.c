/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <linux/magic.h>

#include "internal.h"

/* The kernel's internal shmem mount hosts every memfd: a memfd of our own
 * tells its device number. */
static void probe_memfd_dev(struct procexe_ctx *ctx)
{
	_cleanup_close_ int fd = memfd_create("procexe-probe", MFD_CLOEXEC);
	struct stat st;

	if (fd >= 0 && fstat(fd, &st) == 0) {
		ctx->memfd_dev = st.st_dev;
		ctx->memfd_dev_known = true;
	}
}

/* Our mount namespace, to tell which processes share it (mappings.c). */
static void probe_reader_root(struct procexe_ctx *ctx, int procfd)
{
	struct statx stx;

	if (statx(procfd, "self/ns/mnt", 0, STATX_INO, &stx) < 0 &&
	    statx(AT_FDCWD, "/proc/self/ns/mnt", 0, STATX_INO, &stx) < 0)
		return;
	ctx->reader_mntns_ino = stx.stx_ino;
	ctx->reader_root_known = true;
}

/*
 * Whether FD is the root directory of a procfs mount: procfs magic, the
 * root inode of procfs (PROC_ROOT_INO, 1), and the root of its mount
 * (/proc/sys or /proc/1 bind-mounted elsewhere are not).  0 or
 * -EMEDIUMTYPE; other negative errno from fstatfs/statx.
 */
static int check_procfs_root(int fd)
{
	struct statx stx, up;
	struct statfs sfs;

	if (fstatfs(fd, &sfs) < 0)
		return -errno;
	if (sfs.f_type != PROC_SUPER_MAGIC)
		return -EMEDIUMTYPE;
	if (statx(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STATX_INO | STATX_MNT_ID, &stx) < 0)
		return -errno;
	if (stx.stx_ino != 1)
		return -EMEDIUMTYPE;
	if (stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT)
		return (stx.stx_attributes & STATX_ATTR_MOUNT_ROOT) ? 0 : -EMEDIUMTYPE;
	/* Before Linux 5.8: the parent is on another mount, or is itself. */
	if (!(stx.stx_mask & STATX_MNT_ID))
		return 0;
	if (statx(fd, "..", AT_SYMLINK_NOFOLLOW, STATX_INO | STATX_MNT_ID, &up) < 0)
		return -errno;
	if (up.stx_mnt_id != stx.stx_mnt_id ||
	    (up.stx_ino == stx.stx_ino && up.stx_dev_major == stx.stx_dev_major &&
	     up.stx_dev_minor == stx.stx_dev_minor))
		return 0;
	return -EMEDIUMTYPE;
}

static uint64_t ts_ns(const struct timespec *ts)
{
	return (uint64_t)ts->tv_sec * 1000000000u + (uint64_t)ts->tv_nsec;
}

int procexe_ctx_new(const char *procfs_path, struct procexe_ctx **ret_ctx)
{
	struct procexe_ctx *ctx;
	struct timespec real, boot;
	long tck;
	int fd, r;

	if (!ret_ctx)
		return -EINVAL;
	fd = open(procfs_path ? procfs_path : "/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	r = check_procfs_root(fd);
	if (r < 0) {
		close(fd);
		return r;
	}
	ctx = calloc(1, sizeof(*ctx));
	if (!ctx) {
		close(fd);
		return -ENOMEM;
	}
	ctx->procfd = fd;
	ctx->details = PROCEXE_DETAIL_ALL;

	/* Our own mounts: "self" of that procfs, unless we have no pid in its
	 * namespace; then the one at /proc. */
	if (pe_idset_load_mountinfo(&ctx->reader_mounts, fd, "self/mountinfo") >= 0 ||
	    (pe_idset_clear(&ctx->reader_mounts),
	     pe_idset_load_mountinfo(&ctx->reader_mounts, AT_FDCWD, "/proc/self/mountinfo") >= 0))
		ctx->reader_mounts_known = true;
	else
		pe_idset_clear(&ctx->reader_mounts);

	probe_memfd_dev(ctx);
	probe_reader_root(ctx, fd);

	/* Start times count from boot on CLOCK_BOOTTIME. */
	clock_gettime(CLOCK_REALTIME, &real);
	clock_gettime(CLOCK_BOOTTIME, &boot);
	ctx->boot_ns = ts_ns(&real) - ts_ns(&boot);
	tck = sysconf(_SC_CLK_TCK);
	ctx->ns_per_tick = tck > 0 ? 1000000000u / (uint64_t)tck : 10000000u;

	*ret_ctx = ctx;
	return 0;
}

void procexe_ctx_free(struct procexe_ctx *ctx)
{
	if (!ctx)
		return;
	if (ctx->procfd >= 0)
		close(ctx->procfd);
	pe_idset_clear(&ctx->reader_mounts);
	free(ctx);
}

void procexe_ctx_set_details(struct procexe_ctx *ctx, unsigned details)
{
	if (ctx)
		ctx->details = details & PROCEXE_DETAIL_ALL;
}

void procexe_ctx_set_maps(struct procexe_ctx *ctx, unsigned maps)
{
	if (ctx)
		ctx->maps = maps & (PROCEXE_MAPS_EXEC | PROCEXE_MAPS_DATA | PROCEXE_MAPS_KEEP_OK |
		                    PROCEXE_MAPS_TEXT);
}

void procexe_ctx_set_threads(struct procexe_ctx *ctx, unsigned nthreads)
{
	if (ctx)
		ctx->nthreads = nthreads;
}
