/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/openat2.h>

#include "internal.h"

int pe_openat_in_root(int rootfd, const char *path, int flags)
{
	struct open_how how = {
		.flags = (uint64_t)(flags | O_CLOEXEC),
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	int fd = (int)syscall(SYS_openat2, rootfd, path, &how, sizeof(how));

	return fd < 0 ? -errno : fd;
}

int pe_open_in_proc_root(int dirfd, const char *path, size_t len, int flags)
{
	_cleanup_close_ int root = openat(dirfd, "root", O_PATH | O_DIRECTORY | O_CLOEXEC);
	_cleanup_free_ char *p = pe_memdup0(path, len);

	if (root < 0)
		return -errno;
	if (!p)
		return -ENOMEM;
	return pe_openat_in_root(root, p, flags);
}

void *pe_memdup0(const void *p, size_t len)
{
	char *r = malloc(len + 1);

	if (!r)
		return NULL;
	memcpy(r, p, len);
	r[len] = '\0';
	return r;
}

/*
 * procfs files report st_size 0 and seq files return short reads at record
 * boundaries (a long maps line comes in a later read), so only a read of 0
 * means the end.  -EFBIG when the content exceeds MAX bytes.
 */
int pe_read_file_at(int dirfd, const char *path, size_t max, char **ret, size_t *ret_len)
{
	_cleanup_free_ char *buf = NULL;
	size_t cap = 0, len = 0;
	int r = pe_read_into(dirfd, path, max, &buf, &cap, &len);

	if (r < 0)
		return r;
	*ret = pe_take_ptr(&buf);
	if (ret_len)
		*ret_len = len;
	return 0;
}

int pe_read_into(int dirfd, const char *path, size_t max, char **buf, size_t *cap,
                 size_t *ret_len)
{
	_cleanup_close_ int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	size_t len = 0;

	if (fd < 0)
		return -errno;
	for (;;) {
		ssize_t n;

		if (*cap - len < 2) {
			size_t ncap = *cap ? *cap * 2 : 4096;
			char *nb;

			if (ncap > max + 1)
				ncap = max + 1;
			if (ncap <= *cap)
				return -EFBIG;
			nb = realloc(*buf, ncap);
			if (!nb)
				return -ENOMEM;
			*buf = nb;
			*cap = ncap;
		}
		n = read(fd, *buf + len, *cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		len += (size_t)n;
	}
	(*buf)[len] = '\0';
	*ret_len = len;
	return 0;
}

/*
 * The kernel renders magic links into a PATH_MAX buffer, so 4096 bytes
 * always suffice for them; ordinary symlinks can be longer, hence the loop.
 * readlink() truncates silently: a full buffer means "try larger".
 */
int pe_readlink_at(int dirfd, const char *path, char **ret, size_t *ret_len)
{
	char small[4096];
	size_t cap = sizeof(small);
	ssize_t n = readlinkat(dirfd, path, small, sizeof(small));

	if (n < 0)
		return -errno;
	if ((size_t)n < sizeof(small)) {
		*ret = pe_memdup0(small, (size_t)n);
		if (!*ret)
			return -ENOMEM;
		if (ret_len)
			*ret_len = (size_t)n;
		return 0;
	}
	for (;;) {
		_cleanup_free_ char *buf = NULL;

		if (cap >= 1u << 20)
			return -ENAMETOOLONG;
		cap *= 2;
		buf = malloc(cap);
		if (!buf)
			return -ENOMEM;
		n = readlinkat(dirfd, path, buf, cap);
		if (n < 0)
			return -errno;
		if ((size_t)n < cap) {
			buf[n] = '\0';
			if (ret_len)
				*ret_len = (size_t)n;
			*ret = pe_take_ptr(&buf);
			return 0;
		}
	}
}

uint64_t pe_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int pe_grow(void **p, size_t *cap, size_t need, size_t size)
{
	size_t ncap = *cap ? *cap : 8;
	void *np;

	if (need <= *cap)
		return 0;
	while (ncap < need) {
		if (ncap > SIZE_MAX / 2)
			return -ENOMEM;
		ncap *= 2;
	}
	if (size && ncap > SIZE_MAX / size)
		return -ENOMEM;
	np = realloc(*p, ncap * size);
	if (!np)
		return -ENOMEM;
	*p = np;
	*cap = ncap;
	return 0;
}
