/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * One process being read.  Everything goes through its /proc/PID directory
 * fd: it is bound to the process, not to the number, so after PID reuse
 * every read through it fails with ESRCH instead of describing another
 * process, and it works as a pidfd for the final "still the same process"
 * check.  What costs a system call is read once, when first needed: the
 * stat file (start time, kthread flag, state), the root directory, the
 * mount namespace.
 */
#include <assert.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "internal.h"

int pe_reader_open(struct pe_reader *r, struct procexe_ctx *ctx, struct pe_cache *cache,
                   const char *name)
{
	*r = (struct pe_reader){
		.ctx = ctx, .cache = cache, .dirfd = -1, .taskfd = -1, .rootfd = -1,
		.same_ns = -1, .stat_err = 1,
	};
	r->dirfd = openat(ctx->procfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (r->dirfd < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	return 0;
}

void pe_reader_close(struct pe_reader *r)
{
	pe_closep(&r->dirfd);
	pe_closep(&r->taskfd);
	pe_closep(&r->rootfd);
	free(r->scratch);
	r->dirfd = r->taskfd = r->rootfd = -1;
	r->scratch = NULL;
	r->scratch_cap = 0;
}

int pe_reader_fd(const struct pe_reader *r)
{
	assert(r->dirfd >= 0);
	return r->taskfd >= 0 ? r->taskfd : r->dirfd;
}

int pe_reader_stat(struct pe_reader *r, const struct pe_stat **ret)
{
	char buf[1024];
	ssize_t n;
	int fd;

	if (r->stat_err <= 0) {
		*ret = &r->st;
		return r->stat_err;
	}
	fd = openat(r->dirfd, "stat", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return r->stat_err = errno == ENOENT ? -ESRCH : -errno;
	n = read(fd, buf, sizeof(buf));
	r->stat_err = n < 0 ? -errno : 0;
	close(fd);
	if (r->stat_err == 0 && pe_parse_stat(buf, (size_t)n, &r->st) < 0)
		r->stat_err = -EINVAL;
	*ret = &r->st;
	return r->stat_err;
}

uint64_t pe_reader_start_ns(struct pe_reader *r)
{
	const struct pe_stat *st;

	/* starttime counts clock ticks since boot; round up to the next tick
	 * so that a file written just before the fork is not "modified". */
	if (r->start_ns == 0 && pe_reader_stat(r, &st) == 0)
		r->start_ns = r->ctx->boot_ns + (st->starttime + 1) * r->ctx->ns_per_tick;
	return r->start_ns;
}

int pe_reader_root(struct pe_reader *r)
{
	if (r->rootfd < 0 && r->root_err == 0) {
		r->rootfd = openat(pe_reader_fd(r), "root", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (r->rootfd < 0)
			r->root_err = -errno;
	}
	return r->rootfd >= 0 ? r->rootfd : r->root_err;
}

bool pe_reader_same_mntns(struct pe_reader *r)
{
	struct statx stx;

	if (r->same_ns < 0)
		r->same_ns = r->ctx->reader_root_known &&
		             statx(pe_reader_fd(r), "ns/mnt", AT_STATX_DONT_SYNC, STATX_INO, &stx) == 0 &&
		             stx.stx_ino == r->ctx->reader_mntns_ino;
	return r->same_ns;
}

const char *pe_reader_text(struct pe_reader *r, const char *text, size_t len)
{
	if (len + 1 > r->scratch_cap) {
		char *p = realloc(r->scratch, len + 1);

		if (!p) {
			r->enomem = true;
			return NULL;
		}
		r->scratch = p;
		r->scratch_cap = len + 1;
	}
	memcpy(r->scratch, text, len);
	r->scratch[len] = '\0';
	return r->scratch;
}

bool pe_reader_gone(const struct pe_reader *r)
{
	return syscall(SYS_pidfd_send_signal, r->dirfd, 0, NULL, 0) < 0 && errno == ESRCH;
}
