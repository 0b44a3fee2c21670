/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Looking up a process's path text where it is meaningful, and the cache
 * of lookups in the reader's own root shared by the processes one worker
 * reads (many processes run the same few files).
 */
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <linux/magic.h>
#include <linux/openat2.h>

#include "internal.h"
#include "lines.h"
#include "parse.h"

/* ---- id sets ---- */

int pe_idset_add(struct pe_idset *set, uint64_t id)
{
	if (set->n == set->cap) {
		size_t cap = set->cap ? set->cap * 2 : 64;
		uint64_t *ids = realloc(set->ids, cap * sizeof(*ids));

		if (!ids)
			return -ENOMEM;
		set->ids = ids;
		set->cap = cap;
	}
	set->ids[set->n++] = id;
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

void pe_idset_sort(struct pe_idset *set)
{
	if (set->n > 1)
		qsort(set->ids, set->n, sizeof(*set->ids), cmp_u64);
}

bool pe_idset_has(const struct pe_idset *set, uint64_t id)
{
	return set->n && bsearch(&id, set->ids, set->n, sizeof(*set->ids), cmp_u64);
}

void pe_idset_clear(struct pe_idset *set)
{
	free(set->ids);
	*set = (struct pe_idset){ 0 };
}

static int add_id_cb(uint64_t id, void *userdata)
{
	return pe_idset_add(userdata, id);
}

int pe_idset_load_mountinfo(struct pe_idset *set, int dirfd, const char *path)
{
	_cleanup_free_ char *buf = NULL;
	size_t len;
	int r;

	r = pe_read_file_at(dirfd, path, 64u << 20, &buf, &len);
	if (r < 0)
		return r;
	r = pe_parse_mountinfo_ids(buf, len, add_id_cb, set);
	if (r < 0)
		return r;
	pe_idset_sort(set);
	return 0;
}

/* ---- lookup cache: path text -> what stands there in the reader's root ---- */

struct pe_cache_entry {
	char *key;              /* NULL: empty slot */
	size_t len;
	uint64_t hash;
	int err;                /* 0 or positive errno of the lookup */
	uint64_t dev, ino;
	struct pe_times t;
};

struct pe_loader_notes;

struct pe_cache {
	struct pe_cache_entry *slots;
	size_t n, cap;          /* cap is a power of two */
	size_t key_bytes;       /* of the keys held */
	struct pe_loader_notes *loaders;
	uint64_t deadline_ns;   /* CLOCK_MONOTONIC; 0 = none */
};

void pe_cache_set_deadline(struct pe_cache *cache, uint64_t mono_ns)
{
	if (cache)
		cache->deadline_ns = mono_ns;
}

bool pe_cache_past_deadline(const struct pe_cache *cache)
{
	return cache && cache->deadline_ns && pe_now_ns() >= cache->deadline_ns;
}

struct pe_cache *pe_cache_new(void)
{
	return calloc(1, sizeof(struct pe_cache));
}

void pe_cache_free(struct pe_cache *cache)
{
	if (!cache)
		return;
	for (size_t i = 0; i < cache->cap; i++)
		free(cache->slots[i].key);
	free(cache->slots);
	free(cache->loaders);
	free(cache);
}

static uint64_t hash_bytes(const char *p, size_t len)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */

	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)p[i]) * 1099511628211ull;
	return h;
}

/*
 * The cache's bounds: the names come from processes, so neither their
 * number, their length nor their hashes may make a lookup slow or the
 * cache big.  A name is looked for in at most CACHE_PROBES slots (an
 * entry further away is simply not cached), at most CACHE_SLOTS_MAX slots
 * and CACHE_KEY_BYTES_MAX bytes of names are held, and long names are
 * never cached.
 */
#define CACHE_PROBES 32
#define CACHE_SLOTS_MAX (1u << 17)
#define CACHE_KEY_BYTES_MAX (8u << 20)
#define CACHE_KEY_MAX 1024

/* The slot holding KEY, or the free slot for it; NULL when neither is
 * within CACHE_PROBES slots of its home. */
static struct pe_cache_entry *cache_slot(struct pe_cache *c, const char *key, size_t len, uint64_t h)
{
	size_t mask = c->cap - 1;

	for (size_t k = 0, i = h & mask; k < CACHE_PROBES && k < c->cap; k++, i = (i + 1) & mask) {
		struct pe_cache_entry *e = &c->slots[i];

		if (!e->key || (e->hash == h && e->len == len && memcmp(e->key, key, len) == 0))
			return e;
	}
	return NULL;
}

static int cache_grow(struct pe_cache *c)
{
	size_t cap = c->cap ? c->cap * 2 : 64;
	struct pe_cache_entry *old = c->slots, *slots;
	size_t oldcap = c->cap;

	if (cap > CACHE_SLOTS_MAX)
		return -E2BIG;
	slots = calloc(cap, sizeof(*slots));
	if (!slots)
		return -ENOMEM;
	c->slots = slots;
	c->cap = cap;
	c->n = 0;
	for (size_t i = 0; i < oldcap; i++) {
		struct pe_cache_entry *e;

		if (!old[i].key)
			continue;
		e = cache_slot(c, old[i].key, old[i].len, old[i].hash);
		if (e) {
			*e = old[i];
			c->n++;
		} else {
			c->key_bytes -= old[i].len;
			free(old[i].key);
		}
	}
	free(old);
	return 0;
}

/* The entry for KEY: found (key set) or free to fill; NULL: not cached. */
static struct pe_cache_entry *cache_find(struct pe_cache *c, const char *key, size_t len,
                                         uint64_t h)
{
	if (!c || len > CACHE_KEY_MAX)
		return NULL;
	if ((c->n + 1) * 4 > c->cap * 3 && cache_grow(c) < 0 && c->cap == 0)
		return NULL;
	{
		struct pe_cache_entry *e = cache_slot(c, key, len, h);

		if (e && !e->key && ((c->n + 1) * 4 > c->cap * 3 ||
		                     c->key_bytes + len > CACHE_KEY_BYTES_MAX))
			return NULL;    /* full: answer uncached */
		return e;
	}
}

#define PE_STATX_TIMES (STATX_MTIME | STATX_CTIME | STATX_BTIME)

static struct pe_times file_times(const struct statx *stx)
{
	return (struct pe_times){
		.m = pe_ts_ns(stx->stx_mtime.tv_sec, stx->stx_mtime.tv_nsec),
		.c = pe_ts_ns(stx->stx_ctime.tv_sec, stx->stx_ctime.tv_nsec),
		/* not every filesystem records a birth time */
		.b = (stx->stx_mask & STATX_BTIME) ?
		     pe_ts_ns(stx->stx_btime.tv_sec, stx->stx_btime.tv_nsec) : 0,
	};
}

/* lstat-like lookup of PATH (NUL-terminated) in the reader's root. */
static int lookup_reader(struct pe_cache *c, const char *path, size_t len,
                         uint64_t *ret_dev, uint64_t *ret_ino, struct pe_times *ret_t)
{
	uint64_t h = hash_bytes(path, len);
	struct pe_cache_entry *e = cache_find(c, path, len, h);
	struct statx stx;
	int err = 0;

	if (e && e->key) {
		*ret_dev = e->dev;
		*ret_ino = e->ino;
		*ret_t = e->t;
		return e->err;
	}
	if (statx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW | AT_STATX_DONT_SYNC | AT_NO_AUTOMOUNT,
	          STATX_INO | PE_STATX_TIMES, &stx) < 0)
		err = errno;
	*ret_dev = err ? 0 : makedev(stx.stx_dev_major, stx.stx_dev_minor);
	*ret_ino = err ? 0 : stx.stx_ino;
	*ret_t = err ? (struct pe_times){ 0 } : file_times(&stx);
	if (e) {
		e->key = pe_memdup0(path, len);
		if (e->key) {
			e->len = len;
			e->hash = h;
			e->err = err;
			e->dev = *ret_dev;
			e->ino = *ret_ino;
			e->t = *ret_t;
			c->n++;
			c->key_bytes += len;
		}
	}
	return err;
}

static enum pe_lookup compare(int err, uint64_t dev, uint64_t ino, const struct pe_img *img)
{
	if (err == ENOENT || err == ENOTDIR)
		return PE_LOOKUP_ABSENT;
	if (err)
		return PE_LOOKUP_UNKNOWN;
	return dev == img->dev && ino == img->ino ? PE_LOOKUP_SAME : PE_LOOKUP_DIFFERENT;
}

/*
 * Same file: the inode and the device.  On btrfs maps shows the
 * superblock's device and stat the subvolume's, and before Linux 6.8 maps
 * showed the underlying filesystem's device for overlayfs files: there an
 * equal inode at the same name is enough.  IS_BTRFS is asked only then.
 */
static enum pe_lookup compare_map(int err, uint64_t dev, uint64_t ino, uint64_t map_dev,
                                  uint64_t map_ino, bool (*is_btrfs)(const void *), const void *arg)
{
	if (err == ENOENT || err == ENOTDIR)
		return PE_LOOKUP_ABSENT;
	if (err)
		return PE_LOOKUP_UNKNOWN;
	if (ino != map_ino)
		return PE_LOOKUP_DIFFERENT;
	return dev == map_dev || is_btrfs(arg) ? PE_LOOKUP_SAME : PE_LOOKUP_DIFFERENT;
}

static bool path_is_btrfs(const void *path)
{
	struct statfs sfs;

	return statfs(path, &sfs) == 0 &&
	       (sfs.f_type == BTRFS_SUPER_MAGIC || sfs.f_type == OVERLAYFS_SUPER_MAGIC);
}

static bool fd_is_btrfs(const void *fd)
{
	struct statfs sfs;

	return fstatfs(*(const int *)fd, &sfs) == 0 &&
	       (sfs.f_type == BTRFS_SUPER_MAGIC || sfs.f_type == OVERLAYFS_SUPER_MAGIC);
}

void pe_cache_lookup(struct pe_cache *cache, const char *path, size_t len,
                     uint64_t dev, uint64_t ino, struct pe_found *ret)
{
	uint64_t d = 0, i = 0;
	struct pe_times t;
	int err = lookup_reader(cache, path, len, &d, &i, &t);

	*ret = (struct pe_found){
		.r = compare_map(err, d, i, dev, ino, path_is_btrfs, path),
		.err = err,
		.t = t,
	};
}

void pe_root_lookup(int rootfd, const char *path, uint64_t dev, uint64_t ino,
                    struct pe_found *ret)
{
	_cleanup_close_ int fd = pe_openat_in_root(rootfd, path, O_PATH | O_NOFOLLOW);
	struct statx stx;
	int err = 0;

	if (fd < 0)
		err = -fd;
	else if (statx(fd, "", AT_EMPTY_PATH | AT_STATX_DONT_SYNC,
	               STATX_INO | PE_STATX_TIMES, &stx) < 0)
		err = errno;
	*ret = (struct pe_found){
		.r = compare_map(err, err ? 0 : makedev(stx.stx_dev_major, stx.stx_dev_minor),
		                 err ? 0 : stx.stx_ino, dev, ino, fd_is_btrfs, &fd),
		.err = err,
		.t = err ? (struct pe_times){ 0 } : file_times(&stx),
	};
}

/* lstat-like lookup of PATH inside the process's root; positive errno. */
static int lookup_in_root(int rootfd, const char *path, uint64_t *ret_dev, uint64_t *ret_ino)
{
	_cleanup_close_ int fd = pe_openat_in_root(rootfd, path, O_PATH | O_NOFOLLOW);
	struct stat st;

	if (fd < 0)
		return -fd;
	if (fstat(fd, &st) < 0)
		return errno;
	*ret_dev = st.st_dev;
	*ret_ino = st.st_ino;
	return 0;
}

enum pe_lookup pe_probe_resolve(void *userdata, const char *text, size_t len)
{
	struct pe_probe *p = userdata;
	_cleanup_free_ char *path = pe_memdup0(text, len);
	enum pe_lookup in_reader = PE_LOOKUP_UNKNOWN, in_root;
	uint64_t dev = 0, ino = 0;
	struct pe_times times;
	int reach, err;

	if (!path || len == 0 || path[0] != '/' || memchr(text, '\0', len))
		return PE_LOOKUP_UNKNOWN;

	/* The kernel renders the text relative to the reader's root when the
	 * image's mount is reachable from it (then it is in our mountinfo);
	 * otherwise relative to the root of the image's mount namespace. */
	reach = pe_probe_in_reader_mounts(p);
	if (reach != 0) {
		err = lookup_reader(p->cache, path, len, &dev, &ino, &times);
		in_reader = compare(err, dev, ino, p->img);
		if (reach > 0 || in_reader == PE_LOOKUP_SAME)
			return in_reader;
	}

	if (p->rootfd < 0 && p->root_err == 0) {
		p->rootfd = openat(p->dirfd, "root", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (p->rootfd < 0)
			p->root_err = errno;
	}
	if (p->rootfd < 0)
		return in_reader;
	err = lookup_in_root(p->rootfd, path, &dev, &ino);
	in_root = compare(err, dev, ino, p->img);
	if (in_root == PE_LOOKUP_UNKNOWN)
		return in_reader;
	return in_root;
}

int pe_probe_in_reader_mounts(const struct pe_probe *p)
{
	if (!p->ctx->reader_mounts_known || p->img->mnt_id == 0)
		return -1;
	return pe_idset_has(&p->ctx->reader_mounts, p->img->mnt_id) ? 1 : 0;
}

static int is_mnt_id(uint64_t id, void *userdata)
{
	return id == *(const uint64_t *)userdata;
}

int pe_probe_mount_reachable(void *userdata)
{
	struct pe_probe *p = userdata;
	uint64_t want = p->img->mnt_id;
	struct pe_lines rd;
	const char *line;
	size_t len;
	int r = pe_probe_in_reader_mounts(p);

	if (r != 0)
		return r;
	/* The process's own mounts, line by line: their number is its choice. */
	r = pe_lines_open(&rd, p->dirfd, "mountinfo", p->cache);
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

/* 1 when the first line of DIRFD's maps is IMG, 0 when not, negative errno. */
static int first_line_is_image(int dirfd, const struct pe_img *img)
{
	_cleanup_close_ int fd = openat(dirfd, "maps", O_RDONLY | O_CLOEXEC);
	char head[512];
	const char *cur = head;
	struct pe_map m;
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, head, sizeof(head));
	if (n < 0)
		return -errno;
	return memchr(head, '\n', (size_t)n) && pe_maps_next(&cur, head + n, &m) > 0 &&
	       pe_map_is_image(&m, img);
}

int pe_probe_image_mapped(void *userdata)
{
	struct pe_probe *p = userdata;
	struct pe_lines rd;
	struct pe_map m;
	int r;

	if (p->mapped >= 0)
		return p->mapped;
	/* The image is normally the lowest mapping: a peek at the first line
	 * is far cheaper than generating the whole file. */
	r = first_line_is_image(p->dirfd, p->img);
	if (r != 0)
		return p->mapped = r;
	r = pe_lines_open(&rd, p->dirfd, "maps", p->cache);
	if (r < 0)
		return p->mapped = r;
	while ((r = pe_lines_next_map(&rd, &m, false)) > 0 && !pe_map_is_image(&m, p->img))
		;
	pe_lines_close(&rd);
	return p->mapped = r > 0 ? 1 : r;
}

/* ---- loader answers, per image ---- */

struct pe_loader_note {
	uint64_t dev, ino;
	bool is_loader;
};

struct pe_loader_notes {
	struct pe_loader_note v[16]; /* a host has few distinct loaders */
	size_t n, next;
};

static struct pe_loader_notes *notes_of(struct pe_cache *c)
{
	if (!c->loaders)
		c->loaders = calloc(1, sizeof(*c->loaders));
	return c->loaders;
}

int pe_cache_loader_get(struct pe_cache *cache, uint64_t dev, uint64_t ino)
{
	struct pe_loader_notes *ln = cache ? notes_of(cache) : NULL;

	for (size_t i = 0; ln && i < ln->n; i++)
		if (ln->v[i].dev == dev && ln->v[i].ino == ino)
			return ln->v[i].is_loader;
	return -1;
}

void pe_cache_loader_put(struct pe_cache *cache, uint64_t dev, uint64_t ino, bool is_loader)
{
	struct pe_loader_notes *ln = cache ? notes_of(cache) : NULL;
	size_t i;

	if (!ln)
		return;
	if (ln->n < PE_ARRAY_SIZE(ln->v))
		i = ln->n++;
	else
		i = ln->next++ % PE_ARRAY_SIZE(ln->v);
	ln->v[i] = (struct pe_loader_note){ dev, ino, is_loader };
}
