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

static uint64_t ts_ns(const struct timespec *ts)
{
	return (uint64_t)ts->tv_sec * 1000000000u + (uint64_t)ts->tv_nsec;
}

int procexe_ctx_new(const char *procfs_path, struct procexe_ctx **ret_ctx)
{
	struct procexe_ctx *ctx;
	struct timespec real, boot;
	struct statfs sfs;
	long tck;
	int fd;

	if (!ret_ctx)
		return -EINVAL;
	fd = open(procfs_path ? procfs_path : "/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstatfs(fd, &sfs) < 0) {
		int r = -errno;

		close(fd);
		return r;
	}
	if (sfs.f_type != PROC_SUPER_MAGIC) {
		close(fd);
		return -EMEDIUMTYPE;
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
