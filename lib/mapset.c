/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The distinct files a process maps, collected from its mappings (a
 * library has four or five) in bounded time and memory: the process
 * chooses how many mappings and names it has, so
 *  - entries are merged by sorting (device, inode, name), O(n log n)
 *    whatever the names, after merging neighbours as they come;
 *  - at most PE_MAPSET_FILES_MAX entries and PE_MAPSET_NAMES_MAX bytes of
 *    names are kept (merged and compacted when either fills up); past
 *    either, set->err is E2BIG (the set is incomplete, and says so) and
 *    reading stops;
 *  - the text is read as a stream (lines.c); a line too long for
 *    its buffer makes the set incomplete with ENAMETOOLONG;
 *  - the per-process deadline of the cache stops the reading (ETIMEDOUT).
 */
#include <assert.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include "internal.h"
#include "lines.h"
#include "parse.h"
#include "procmap.h"

static void set_err(struct pe_mapset *set, int err)
{
	if (!set->err)
		set->err = err;
}

static bool same_as_last(const struct pe_mapset *set, const struct pe_map *m, size_t len)
{
	const struct pe_mapset_file *f;

	if (set->n == 0)
		return false;
	f = &set->files[set->n - 1];
	return f->ino == m->ino && f->dev_major == m->dev_major && f->dev_minor == m->dev_minor &&
	       f->deleted == m->deleted && f->name_len == len &&
	       memcmp(set->names + f->name_off, m->path, len) == 0;
}

int pe_mapset_add(struct pe_mapset *set, const struct pe_map *m)
{
	size_t len = m->path_len, suffix = m->deleted ? PE_DELETED_SUFFIX_LEN : 0;
	struct pe_mapset_file *f;

	assert(m->path && m->path_len > 0);
	set->nmaps++;
	if (same_as_last(set, m, len)) {
		set->files[set->n - 1].exec |= m->perms[2] == 'x';
		return 0;
	}
	/* Full (entries or name bytes): merge what is there (the same files
	 * mapped apart) and compact the names, at most once per eighth of
	 * either room added (amortised); what still does not fit makes the
	 * set incomplete. */
	if ((set->n == PE_MAPSET_FILES_MAX && set->added >= PE_MAPSET_FILES_MAX / 8) ||
	    (set->names_len + len + suffix + 1 > PE_MAPSET_NAMES_MAX &&
	     set->added_bytes >= PE_MAPSET_NAMES_MAX / 8)) {
		int r = pe_mapset_finish(set);

		if (r < 0)
			return r;
		set->added = set->added_bytes = 0;
	}
	if (set->n == PE_MAPSET_FILES_MAX ||
	    set->names_len + len + suffix + 1 > PE_MAPSET_NAMES_MAX) {
		set_err(set, E2BIG);
		set->dropped++;
		return 0;
	}
	if (pe_grow((void **)&set->files, &set->cap, set->n + 1, sizeof(*set->files)) < 0 ||
	    pe_grow((void **)&set->names, &set->names_cap, set->names_len + len + suffix + 1, 1) < 0)
		return -ENOMEM;
	f = &set->files[set->n];
	*f = (struct pe_mapset_file){
		.start = m->start, .end = m->end, .ino = m->ino,
		.dev_major = m->dev_major, .dev_minor = m->dev_minor,
		.name_off = set->names_len, .name_len = len,
		.order = set->nmaps, .deleted = m->deleted, .exec = m->perms[2] == 'x',
	};
	/* the name, then the suffix the kernel wrote, then a NUL */
	memcpy(set->names + set->names_len, m->path, len);
	memcpy(set->names + set->names_len + len, PE_DELETED_SUFFIX, suffix);
	set->names[set->names_len + len + suffix] = '\0';
	set->names_len += len + suffix + 1;
	set->n++;
	set->added++;
	set->added_bytes += len + suffix + 1;
	return 0;
}

/* The order of files by identity: device, inode, suffix, name. */
static int cmp_file(const struct pe_mapset_file *x, const struct pe_mapset_file *y,
                    const char *names)
{
	if (x->ino != y->ino)
		return x->ino < y->ino ? -1 : 1;
	if (x->dev_major != y->dev_major)
		return x->dev_major < y->dev_major ? -1 : 1;
	if (x->dev_minor != y->dev_minor)
		return x->dev_minor < y->dev_minor ? -1 : 1;
	if (x->deleted != y->deleted)
		return x->deleted ? 1 : -1;
	if (x->name_len != y->name_len)
		return x->name_len < y->name_len ? -1 : 1;
	return memcmp(names + x->name_off, names + y->name_off, x->name_len);
}

/* By identity, then by first appearance. */
static int cmp_identity(const void *a, const void *b, void *names)
{
	const struct pe_mapset_file *x = a, *y = b;
	int c = cmp_file(x, y, names);

	return c ? c : (x->order > y->order) - (x->order < y->order);
}

static int cmp_order(const void *a, const void *b)
{
	const struct pe_mapset_file *x = a, *y = b;

	return (x->order > y->order) - (x->order < y->order);
}

/* Copy the names of the entries kept into a buffer of their size. */
static int compact_names(struct pe_mapset *set)
{
	size_t len = 0, cap = 0;
	char *names = NULL;

	for (size_t i = 0; i < set->n; i++)
		len += set->files[i].name_len + (set->files[i].deleted ? PE_DELETED_SUFFIX_LEN : 0) + 1;
	if (len == set->names_len)
		return 0;
	if (pe_grow((void **)&names, &cap, len ? len : 1, 1) < 0)
		return -ENOMEM;
	len = 0;
	for (size_t i = 0; i < set->n; i++) {
		struct pe_mapset_file *f = &set->files[i];
		size_t n = f->name_len + (f->deleted ? PE_DELETED_SUFFIX_LEN : 0) + 1;

		memcpy(names + len, set->names + f->name_off, n);
		f->name_off = len;
		len += n;
	}
	free(set->names);
	set->names = names;
	set->names_cap = cap;
	set->names_len = len;
	return 0;
}

int pe_mapset_finish(struct pe_mapset *set)
{
	size_t k = 0;

	if (set->n < 2)
		return compact_names(set);
	qsort_r(set->files, set->n, sizeof(*set->files), cmp_identity, set->names);
	/* one entry per file: the first mapping seen stands for it */
	for (size_t i = 0; i < set->n; i++) {
		if (k > 0 && cmp_file(&set->files[k - 1], &set->files[i], set->names) == 0) {
			set->files[k - 1].exec |= set->files[i].exec;
			continue;
		}
		set->files[k++] = set->files[i];
	}
	set->n = k;
	qsort(set->files, set->n, sizeof(*set->files), cmp_order);
	return compact_names(set);
}

void pe_mapset_done(struct pe_mapset *set)
{
	free(set->files);
	free(set->names);
	*set = (struct pe_mapset){ 0 };
}

void pe_mapset_file_map(const struct pe_mapset *set, const struct pe_mapset_file *f,
                        struct pe_map *ret)
{
	*ret = (struct pe_map){
		.start = f->start, .end = f->end, .ino = f->ino,
		.perms = { 'r', '-', f->exec ? 'x' : '-', 'p', '\0' },
		.dev_major = f->dev_major, .dev_minor = f->dev_minor,
		.path = set->names + f->name_off, .path_len = f->name_len,
		.deleted = f->deleted,
	};
}

/* ---- from the text ---- */

/* Every mapped file of DIRFD's maps text into SET; 0 or negative errno
 * (-ESRCH: gone, -ENOMEM); other read errors and limits go to set->err. */
static int read_text(struct pe_mapset *set, const struct pe_maps_src *src)
{
	struct pe_lines rd;
	struct pe_map m;
	int r = pe_lines_open(&rd, src->dirfd, "maps", src->cache);

	if (r == -ENOMEM || r == -ESRCH)
		return r;
	if (r < 0) {
		set_err(set, -r);
		return 0;
	}
	while ((r = pe_lines_next_map(&rd, &m, true)) > 0) {
		if (src->img && !set->image_seen && pe_map_is_image(&m, src->img))
			set->image_seen = true;
		r = pe_mapset_add(set, &m);
		if (r < 0 || set->err == E2BIG)
			break;  /* a cap: the set is incomplete, reading on is waste */
	}
	set->lines += rd.nlines + rd.overlong;
	if (rd.overlong)
		set_err(set, ENAMETOOLONG);
	pe_lines_close(&rd);
	if (r == -ENOMEM || r == -ESRCH || r == -ENOENT)
		return r == -ENOMEM ? r : -ESRCH;       /* gone while being read */
	if (r < 0)
		set_err(set, -r);
	return 0;
}

/* ---- from the kernel's PROCMAP_QUERY answers ---- */

/* PROCMAP_QUERY (procmap.h): asking only for file-backed executable
 * mappings skips generating the text of every other line. */
static struct pe_map query_map(const struct pe_procmap_query *q, const char *name, size_t len)
{
	struct pe_map m = {
		.start = q->vma_start,
		.end = q->vma_end,
		.offset = q->vma_offset,
		.perms = {
			(q->vma_flags & PE_QUERY_VMA_READABLE) ? 'r' : '-',
			(q->vma_flags & PE_QUERY_VMA_WRITABLE) ? 'w' : '-',
			(q->vma_flags & PE_QUERY_VMA_EXECUTABLE) ? 'x' : '-',
			(q->vma_flags & PE_QUERY_VMA_SHARED) ? 's' : 'p', '\0',
		},
		.dev_major = q->dev_major,
		.dev_minor = q->dev_minor,
		.ino = q->inode,
		.path = name,
		.path_len = len,
	};

	if (pe_ends_deleted(name, len)) {
		m.deleted = true;
		m.path_len -= PE_DELETED_SUFFIX_LEN;
	}
	return m;
}

int pe_mapset_query(struct pe_mapset *set, const struct pe_maps_src *src)
{
	_cleanup_close_ int fd = openat(src->dirfd, "maps", O_RDONLY | O_CLOEXEC);
	char name[PATH_MAX];
	uint64_t addr = 0;

	if (fd < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	for (size_t i = 0;; i++) {
		struct pe_procmap_query q = {
			.size = sizeof(q),
			.query_flags = PE_QUERY_COVERING_OR_NEXT | PE_QUERY_FILE_BACKED |
			               PE_QUERY_VMA_EXECUTABLE,
			.query_addr = addr,
			.vma_name_size = sizeof(name),
			.vma_name_addr = (uint64_t)(uintptr_t)name,
		};
		struct pe_map m;
		size_t len;
		int r;

		if (i % 1024 == 1023 && pe_cache_past_deadline(src->cache))
			return -ETIMEDOUT;
		/* ENOENT: no more; ENOMEM there is the kernel's, not ours */
		if (ioctl(fd, PE_PROCMAP_QUERY, &q) < 0)
			return errno == ENOENT ? 0 : errno == ENOMEM ? -EIO : -errno;
		if (q.vma_end <= addr)
			return -EIO;    /* no progress: never loop */
		addr = q.vma_end;
		len = q.vma_name_size ? q.vma_name_size - 1 : 0;
		if (len == 0 || name[0] != '/')
			continue;
		m = query_map(&q, name, len);
		if (src->img && !set->image_seen && pe_map_is_image(&m, src->img))
			set->image_seen = true;
		r = pe_mapset_add(set, &m);
		if (r < 0 || set->err == E2BIG)
			return r;
	}
}

int pe_mapset_read(struct pe_mapset *set, const struct pe_maps_src *src)
{
	int r;

	*set = (struct pe_mapset){ 0 };
	if (src->query && !__atomic_load_n(&src->ctx->no_maps_query, __ATOMIC_RELAXED)) {
		r = pe_mapset_query(set, src);
		if (r == -ENOTTY || r == -EINVAL)
			__atomic_store_n(&src->ctx->no_maps_query, 1, __ATOMIC_RELAXED);
		set->raw_names = true;
		if (r == -ETIMEDOUT)
			set->err = ETIMEDOUT;
		/* none at all (a process running from anonymous memory
		 * only?), a name beyond PATH_MAX, no ioctl: the text tells */
		if (r == -ESRCH || r == -ENOMEM || r == -ETIMEDOUT || (r == 0 && set->n > 0))
			goto done;
		pe_mapset_done(set);
	}
	r = read_text(set, src);
done:
	if (r == 0 || r == -ETIMEDOUT)
		r = pe_mapset_finish(set);
	if (r < 0)
		pe_mapset_done(set);
	return r;
}
