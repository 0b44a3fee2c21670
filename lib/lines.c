/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Reading procfs files (maps, mountinfo) as a stream, in constant memory:
 * one buffer of PE_LINE_MAX bytes, whatever the process made of them.  A
 * process chooses how many mappings or mounts it has and how long their
 * names are; the reader never holds more than one line, skips (and counts)
 * a line longer than its buffer, and stops at the per-process deadline of
 * the cache it is given.
 */
#include <assert.h>
#include <fcntl.h>
#include <string.h>

#include "internal.h"
#include "lines.h"
#include "parse.h"

#define DEADLINE_EVERY 1024     /* lines between two looks at the clock */

static void reader_init(struct pe_lines *r, const struct pe_cache *deadline)
{
	*r = (struct pe_lines){ .fd = -1, .deadline = deadline };
}

int pe_lines_open(struct pe_lines *r, int dirfd, const char *path, const struct pe_cache *deadline)
{
	reader_init(r, deadline);
	r->buf = malloc(PE_LINE_MAX);
	if (!r->buf)
		return -ENOMEM;
	r->cap = PE_LINE_MAX;
	r->fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
	if (r->fd < 0) {
		int e = errno;

		pe_lines_close(r);
		return e == ENOENT ? -ESRCH : -e;
	}
	return 0;
}

int pe_lines_mem(struct pe_lines *r, const char *buf, size_t len, size_t chunk, size_t cap)
{
	reader_init(r, NULL);
	if (cap == 0 || chunk == 0)
		return -EINVAL;
	r->buf = malloc(cap);
	if (!r->buf)
		return -ENOMEM;
	r->cap = cap;
	r->mem = buf;
	r->mem_len = len;
	r->mem_chunk = chunk;
	return 0;
}

void pe_lines_close(struct pe_lines *r)
{
	if (r->fd >= 0)
		close(r->fd);
	free(r->buf);
	r->fd = -1;
	r->buf = NULL;
}

/* Append the next bytes of the source after r->end; 0 at its end. */
static ssize_t fill(struct pe_lines *r)
{
	size_t room = r->cap - r->end;
	ssize_t n;

	if (!r->mem) {
		do
			n = read(r->fd, r->buf + r->end, room);
		while (n < 0 && errno == EINTR);
		/* the kernel's ENOMEM is this file's trouble, not our memory */
		return n < 0 ? (errno == ENOMEM ? -EIO : -errno) : n;
	}
	n = (ssize_t)(r->mem_len - r->mem_off);
	if ((size_t)n > room)
		n = (ssize_t)room;
	if ((size_t)n > r->mem_chunk)
		n = (ssize_t)r->mem_chunk;
	memcpy(r->buf + r->end, r->mem + r->mem_off, (size_t)n);
	r->mem_off += (size_t)n;
	return n;
}

static int next_line(struct pe_lines *r, const char **ret, size_t *ret_len)
{
	for (;;) {
		char *nl = memchr(r->buf + r->start, '\n', r->end - r->start);
		ssize_t n;

		if (nl && r->skipping) {        /* the end of an overlong line */
			r->skipping = false;
			r->start = (size_t)(nl - r->buf) + 1;
			continue;
		}
		if (nl) {
			*ret = r->buf + r->start;
			*ret_len = (size_t)(nl - *ret);
			r->start = (size_t)(nl - r->buf) + 1;
			return 1;
		}
		if (r->eof) {
			bool last = r->end > r->start && !r->skipping;

			*ret = r->buf + r->start;
			*ret_len = r->end - r->start;
			r->start = r->end;
			return last ? 1 : 0;
		}
		/* no newline in what is buffered: make room, read on */
		memmove(r->buf, r->buf + r->start, r->end - r->start);
		r->end -= r->start;
		r->start = 0;
		if (r->end == r->cap) {         /* a line longer than the buffer */
			if (!r->skipping)
				r->overlong++;
			r->skipping = true;
			r->end = 0;
		}
		n = fill(r);
		if (n < 0)
			return (int)n;
		if (n == 0)
			r->eof = true;
		r->end += (size_t)n;
	}
}

int pe_lines_next(struct pe_lines *r, const char **ret, size_t *ret_len)
{
	int k;

	assert(r->buf && r->cap > 0);

	if (r->nlines % DEADLINE_EVERY == DEADLINE_EVERY - 1 && pe_cache_past_deadline(r->deadline))
		return -ETIMEDOUT;
	k = next_line(r, ret, ret_len);
	if (k > 0)
		r->nlines++;
	return k;
}

int pe_lines_next_map(struct pe_lines *r, struct pe_map *ret, bool files_only)
{
	for (;;) {
		const char *line = NULL, *cur;
		size_t len = 0;
		int k = pe_lines_next(r, &line, &len);

		if (k <= 0)
			return k;
		cur = line;
		k = files_only ? pe_maps_next_file(&cur, line + len, ret)
		               : pe_maps_next(&cur, line + len, ret);
		if (k > 0)
			return 1;
		if (k < 0)
			r->malformed++;
	}
}
