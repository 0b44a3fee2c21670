/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The per-worker cache: lookups of path texts in the reader's own root
 * (the processes of a host run and map the same few files), "is this
 * image a dynamic loader?" answers, and the deadline of the process being
 * read.  One cache per worker thread; never shared.
 */
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "internal.h"

struct pe_cache_entry {
	char *key;              /* NULL: empty slot */
	size_t len;
	uint64_t hash;
	struct pe_stated v;
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

int pe_cache_stat(struct pe_cache *c, const char *path, size_t len, struct pe_stated *ret)
{
	uint64_t h = hash_bytes(path, len);
	struct pe_cache_entry *e = cache_find(c, path, len, h);
	struct statx stx;
	int err = 0;

	if (e && e->key) {
		*ret = e->v;
		return ret->err ? -ret->err : 0;
	}
	if (statx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW | AT_STATX_DONT_SYNC | AT_NO_AUTOMOUNT,
	          STATX_INO | PE_STATX_TIMES, &stx) < 0)
		err = errno;
	*ret = err ? (struct pe_stated){ .err = err } : pe_stated_of(&stx);
	if (e) {
		e->key = pe_memdup0(path, len);
		if (e->key) {
			e->len = len;
			e->hash = h;
			e->v = *ret;
			c->n++;
			c->key_bytes += len;
		}
	}
	return -err;
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

struct pe_stated pe_stated_of(const struct statx *stx)
{
	return (struct pe_stated){
		.dev = makedev(stx->stx_dev_major, stx->stx_dev_minor),
		.ino = stx->stx_ino,
		.t = {
			.m = pe_ts_ns(stx->stx_mtime.tv_sec, stx->stx_mtime.tv_nsec),
			.c = pe_ts_ns(stx->stx_ctime.tv_sec, stx->stx_ctime.tv_nsec),
			/* not every filesystem records a birth time */
			.b = (stx->stx_mask & STATX_BTIME) ?
			     pe_ts_ns(stx->stx_btime.tv_sec, stx->stx_btime.tv_nsec) : 0,
		},
	};
}
