/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

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
 * procfs files report st_size 0, so read until EOF into a growing buffer.
 * -EFBIG when the content exceeds MAX bytes.
 */
/* Read the rest of FD after the first SMALL bytes N into a growing buffer. */
static int read_rest(int fd, const char *small, size_t n, size_t max, char **ret, size_t *ret_len)
{
	_cleanup_free_ char *buf = malloc(n * 2);
	size_t cap = n * 2, len = n;

	if (!buf)
		return -ENOMEM;
	memcpy(buf, small, n);
	for (;;) {
		ssize_t r;

		if (cap - len < 2) {
			char *nb;

			if (cap >= max)
				return -EFBIG;
			cap = cap * 2 > max ? max : cap * 2;
			nb = realloc(buf, cap);
			if (!nb)
				return -ENOMEM;
			buf = nb;
		}
		r = read(fd, buf + len, cap - len - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			break;
		len += (size_t)r;
	}
	buf[len] = '\0';
	*ret = pe_take_ptr(&buf);
	*ret_len = len;
	return 0;
}

int pe_read_file_at(int dirfd, const char *path, size_t max, char **ret, size_t *ret_len)
{
	_cleanup_close_ int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	char small[4096];
	size_t len = 0;
	ssize_t n;
	int r;

	if (fd < 0)
		return -errno;
	do
		n = read(fd, small, sizeof(small));
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	/* Most procfs files fit one small read: allocate once, exactly. */
	if ((size_t)n < sizeof(small)) {
		*ret = pe_memdup0(small, (size_t)n);
		if (!*ret)
			return -ENOMEM;
		len = (size_t)n;
	} else {
		r = read_rest(fd, small, (size_t)n, max, ret, &len);
		if (r < 0)
			return r;
	}
	if (ret_len)
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
