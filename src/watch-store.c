/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The content store of procexe watch: see watch-store.h for the contract.
 *
 * Hashing goes through the library's copy functions in both modes: with a
 * directory the copy and the hash are one pass (procexe_copy_run), then
 * the copy is read back (procexe_copy_verify) and named by its SHA-256
 * (procexe_copy_commit_as, never replacing); without one, a copy made
 * with DIR_FD -1 only hashes.  So the command needs no libcrypto of its
 * own (the library opens it with dlopen() when first needed: linking it
 * would cost every procexe start), holes are hashed without being read,
 * and a file changing under the hash gives -EAGAIN in both modes.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include <procexe.h>

#include "json.h"
#include "watch-store.h"

/* The identity cache: CACHE_SETS sets of CACHE_WAYS entries (4096). */
#define CACHE_SETS 1024
#define CACHE_WAYS 4

/* What must be unchanged for a file to have the content hashed before. */
struct ident {
	uint64_t dev, ino, size;
	int64_t btime_sec, ctime_sec, mtime_sec;
	uint32_t btime_nsec, ctime_nsec, mtime_nsec;
};

struct centry {
	struct ident id;
	uint64_t used;          /* the tick of the last use; 0: empty */
	unsigned char sha[32];
};

struct wstore {
	int dir_fd;             /* the store directory, -1: hash only */
	int manifest_fd;        /* O_APPEND, -1 without a directory */
	uint64_t max_bytes, min_free;   /* 0: no cap */
	struct centry *cache;   /* CACHE_SETS * CACHE_WAYS */
	uint64_t tick;
	pthread_mutex_t lock;   /* stats */
	struct wstore_stats stats;
};

/* STATS.FIELD += N, visible to wstore_stats() on other threads. */
#define COUNT(s, field, n) do { \
		pthread_mutex_lock(&(s)->lock); \
		(s)->stats.field += (n); \
		pthread_mutex_unlock(&(s)->lock); \
	} while (0)

static void hex_of(const unsigned char sha[32], char hex[65])
{
	static const char digits[] = "0123456789abcdef";

	for (int i = 0; i < 32; i++) {
		hex[2 * i] = digits[sha[i] >> 4];
		hex[2 * i + 1] = digits[sha[i] & 15];
	}
	hex[64] = '\0';
}

/* The identity of FD; -EINVAL when it is not a regular file. */
static int ident_of(int fd, struct ident *id)
{
	struct statx stx;

	if (statx(fd, "", AT_EMPTY_PATH | AT_STATX_SYNC_AS_STAT,
	          STATX_BASIC_STATS | STATX_BTIME, &stx) < 0)
		return -errno;
	if (!S_ISREG(stx.stx_mode))
		return -EINVAL;
	*id = (struct ident){
		.dev = makedev(stx.stx_dev_major, stx.stx_dev_minor),
		.ino = stx.stx_ino,
		.size = stx.stx_size,
		.ctime_sec = stx.stx_ctime.tv_sec, .ctime_nsec = stx.stx_ctime.tv_nsec,
		.mtime_sec = stx.stx_mtime.tv_sec, .mtime_nsec = stx.stx_mtime.tv_nsec,
	};
	if (stx.stx_mask & STATX_BTIME) {
		id->btime_sec = stx.stx_btime.tv_sec;
		id->btime_nsec = stx.stx_btime.tv_nsec;
	}
	return 0;
}

static bool same_ident(const struct ident *a, const struct ident *b)
{
	return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
	       a->btime_sec == b->btime_sec && a->btime_nsec == b->btime_nsec &&
	       a->ctime_sec == b->ctime_sec && a->ctime_nsec == b->ctime_nsec &&
	       a->mtime_sec == b->mtime_sec && a->mtime_nsec == b->mtime_nsec;
}

/*
 * Whether any change of the file after T0 (the coarse clock read before
 * the file was) must give it another ctime than ID's: its ctime lies a
 * timestamp granule before T0.  A ctime of whole seconds may come from a
 * filesystem that keeps only seconds (2 s on FAT); others keep at most
 * 10 ms granules.
 */
static bool settled(const struct ident *id, const struct timespec *t0)
{
	int64_t gran = id->ctime_nsec == 0 ? 2000000000 : 10000000;
	int64_t sec = id->ctime_sec + gran / 1000000000;
	int64_t nsec = id->ctime_nsec + gran % 1000000000;

	if (nsec >= 1000000000) {
		sec++;
		nsec -= 1000000000;
	}
	return sec < t0->tv_sec || (sec == t0->tv_sec && nsec <= t0->tv_nsec);
}

static struct centry *cache_set(struct wstore *s, const struct ident *id)
{
	uint64_t h = (id->dev * 0x9e3779b97f4a7c15ull) ^ id->ino;

	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9ull;
	h ^= h >> 32;
	return s->cache + (h % CACHE_SETS) * CACHE_WAYS;
}

/* The SHA-256 the cache holds for ID into SHA: true on a hit. */
static bool cache_get(struct wstore *s, const struct ident *id, unsigned char sha[32])
{
	struct centry *set = cache_set(s, id);

	for (int i = 0; i < CACHE_WAYS; i++) {
		if (set[i].used && same_ident(&set[i].id, id)) {
			set[i].used = ++s->tick;
			memcpy(sha, set[i].sha, 32);
			return true;
		}
	}
	return false;
}

/* Remember SHA for ID: over the entry of the same file, else an empty
 * one, else the least recently used of its set. */
static void cache_put(struct wstore *s, const struct ident *id, const unsigned char sha[32])
{
	struct centry *set = cache_set(s, id), *victim = &set[0];

	for (int i = 0; i < CACHE_WAYS; i++) {
		if (set[i].used && set[i].id.dev == id->dev && set[i].id.ino == id->ino) {
			victim = &set[i];
			break;
		}
		if (set[i].used < victim->used)
			victim = &set[i];
	}
	victim->id = *id;
	victim->used = ++s->tick;
	memcpy(victim->sha, sha, 32);
}

/* Record the run of C over FD (whose identity before was ID): the hash
 * into RES, the counters, and the cache when FD is unchanged and settled. */
static void hashed(struct wstore *s, int fd, const struct ident *id, const struct timespec *t0,
                   const struct procexe_copy *c, struct wstore_result *res)
{
	struct ident after;

	memcpy(res->sha256, procexe_copy_sha256_hex(c), 65);
	COUNT(s, hashed_files, 1);
	COUNT(s, hashed_bytes, procexe_copy_size(c));
	if (ident_of(fd, &after) == 0 && same_ident(id, &after) && settled(id, t0))
		cache_put(s, id, procexe_copy_sha256(c));
}

/* Hash FD without writing anything; the error goes to RES. */
static void hash_only(struct wstore *s, int fd, const struct ident *id,
                      const struct timespec *t0, struct wstore_result *res)
{
	struct procexe_copy *c = NULL;
	int r = procexe_copy_new(fd, -1, &c);

	if (r == 0)
		r = procexe_copy_run(c, NULL, NULL);
	if (r == 0)
		hashed(s, fd, id, t0, c, res);
	else if (!res->err)
		res->err = r;
	procexe_copy_free(c);
}

/* Whether the store holds content HEX of SIZE bytes: a regular file of
 * that name and size (only this program writes in the 0700 directory). */
static bool stored_already(struct wstore *s, const char *hex, uint64_t size)
{
	struct stat st;

	return fstatat(s->dir_fd, hex, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode) &&
	       (uint64_t)st.st_size == size;
}

/* RES refers to the copy HEX stored before. */
static void refer(struct wstore *s, struct wstore_result *res)
{
	res->copy = strdup(res->sha256);
	if (!res->copy && !res->err)
		res->err = -ENOMEM;
	COUNT(s, already, 1);
}

/* Why an image of SIZE bytes cannot be stored now: NULL when it can, or
 * "too-large"/"store-full"; *ERR a failed fstatvfs (then "store-full").
 * *ROOM: the most bytes a copy may write now (the file may grow between
 * this look and the copy's: the copy is bounded by it, not by SIZE). */
static const char *cap_reached(struct wstore *s, uint64_t size, int *err, uint64_t *room)
{
	struct statvfs vfs;
	uint64_t avail;

	if (s->max_bytes && size > s->max_bytes)
		return "too-large";
	pthread_mutex_lock(&s->lock);
	/* a copy may have ended past the budget: none is left, never a wrap */
	avail = !s->max_bytes ? UINT64_MAX
	        : s->stats.stored_bytes >= s->max_bytes ? 0
	        : s->max_bytes - s->stats.stored_bytes;
	pthread_mutex_unlock(&s->lock);
	if (size > avail)
		return "store-full";
	*room = avail;
	if (!s->min_free)
		return NULL;
	if (fstatvfs(s->dir_fd, &vfs) < 0) {
		*err = -errno;
		return "store-full";
	}
	avail = (uint64_t)vfs.f_bavail * vfs.f_frsize;
	if (avail < size || avail - size < s->min_free)
		return "store-full";
	if (avail - s->min_free < *room)
		*room = avail - s->min_free;
	return NULL;
}

/* Copy FD into the store, verify it, name it by its SHA-256. */
static void copy_in(struct wstore *s, int fd, const struct ident *id, uint64_t room,
                    const struct timespec *t0, struct wstore_result *res)
{
	struct procexe_copy *c = NULL;
	char *name = NULL;
	int r = procexe_copy_new(fd, s->dir_fd, &c);

	if (r == 0)
		r = procexe_copy_set_max_size(c, room == UINT64_MAX ? 0 : room ? room : 1);
	if (r == 0)
		r = procexe_copy_run(c, NULL, NULL);
	if (r == 0) {
		hashed(s, fd, id, t0, c, res);
		r = procexe_copy_verify(c);
	}
	if (r == 0)
		r = procexe_copy_commit_as(c, res->sha256, &name);
	if (r == 0) {
		res->copy = name;
		res->new_file = true;
		COUNT(s, stored_files, 1);
		COUNT(s, stored_bytes, procexe_copy_size(c));
	} else if (r == -EEXIST && stored_already(s, res->sha256, id->size)) {
		refer(s, res);
	} else if (r == -EFBIG) {
		res->missed = "store-full";     /* it grew past the room left */
		COUNT(s, store_full, 1);
	} else {
		res->err = r;
	}
	procexe_copy_free(c);
	/* The store failed us, the image may still be hashed. */
	if (!res->sha256[0] && r != -EAGAIN)
		hash_only(s, fd, id, t0, res);
}

/* The STORE=true path with a directory; KNOWN: the cache had the hash. */
static void keep_stored(struct wstore *s, int fd, const struct ident *id, bool known,
                        const struct timespec *t0, struct wstore_result *res)
{
	const char *missed;
	uint64_t room = 0;

	if (known && stored_already(s, res->sha256, id->size)) {
		refer(s, res);
		return;
	}
	missed = cap_reached(s, id->size, &res->err, &room);
	if (!missed) {
		copy_in(s, fd, id, room, t0, res);
		return;
	}
	if (!known)
		hash_only(s, fd, id, t0, res);
	if (res->sha256[0] && stored_already(s, res->sha256, id->size)) {
		refer(s, res);
		return;
	}
	res->missed = missed;
	if (missed[0] == 't')
		COUNT(s, too_large, 1);
	else
		COUNT(s, store_full, 1);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* LEN bytes of BUF in one write(2) at the end of FD: 0, or -errno, -EIO
 * for a short write (a partial line). */
static int append(int fd, const char *buf, size_t len)
{
	ssize_t n;

	do
		n = write(fd, buf, len);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

/* One manifest line for RES (which has a copy), written at once. */
static int manifest_line(struct wstore *s, const struct wstore_meta *meta,
                         const struct wstore_result *res)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct json *j;
	bool bad;
	int r;

	if (!f)
		return -errno;
	j = json_new(f, false);
	json_begin_document(j, "watch", "stored");
	json_time(j, "time", meta && meta->time_ns ? meta->time_ns : now_ns());
	json_str(j, "sha256", res->sha256);
	json_str(j, "copy", res->copy);
	json_uint(j, "size", res->size);
	json_bool(j, "new", res->new_file);
	if (meta && meta->meta)
		meta->meta(j, meta->arg);
	json_close(j);
	json_end_line(j);
	json_free(j);
	bad = ferror(f);
	r = fclose(f) != 0 || bad ? -ENOMEM : append(s->manifest_fd, buf, len);
	free(buf);
	return r;
}

int wstore_keep(struct wstore *s, int fd, bool store, const struct wstore_meta *meta,
                struct wstore_result *res)
{
	unsigned char sha[32];
	struct timespec t0;
	struct ident id;
	bool known;
	int r;

	*res = (struct wstore_result){ .err = 0 };
	clock_gettime(CLOCK_REALTIME_COARSE, &t0);
	r = ident_of(fd, &id);
	if (r < 0) {
		res->err = r;
		COUNT(s, errors, 1);
		return r;
	}
	res->size = id.size;
	known = cache_get(s, &id, sha);
	if (known) {
		hex_of(sha, res->sha256);
		COUNT(s, cache_hits, 1);
	}
	if (store && s->dir_fd >= 0)
		keep_stored(s, fd, &id, known, &t0, res);
	else if (!known)
		hash_only(s, fd, &id, &t0, res);
	if (res->copy) {
		r = manifest_line(s, meta, res);
		if (r < 0) {
			COUNT(s, manifest_errors, 1);
			if (!res->err)
				res->err = r;
		}
	}
	if (res->err)
		COUNT(s, errors, 1);
	return res->err;
}

void wstore_result_done(struct wstore_result *res)
{
	free(res->copy);
	*res = (struct wstore_result){ .err = 0 };
}

void wstore_stats(struct wstore *s, struct wstore_stats *ret)
{
	pthread_mutex_lock(&s->lock);
	*ret = s->stats;
	pthread_mutex_unlock(&s->lock);
}

/* Open or create the manifest beneath DIR_FD: see wstore_open(). */
static int manifest_open(int dir_fd)
{
	struct stat st;
	int fd, r = 0;

	/* O_NONBLOCK: a FIFO there must not make the open wait. */
	fd = openat(dir_fd, WSTORE_MANIFEST, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW |
	            O_CLOEXEC | O_NOCTTY | O_NONBLOCK, 0600);
	if (fd < 0)
		return errno == ENXIO ? -EINVAL : -errno;     /* ENXIO: a FIFO, no reader */
	if (fstat(fd, &st) < 0)
		r = -errno;
	else if (!S_ISREG(st.st_mode))
		r = -EINVAL;
	else if (st.st_uid != geteuid())
		r = -EPERM;
	else if (st.st_nlink != 1)
		r = -EMLINK;
	else if (fcntl(fd, F_SETFL, O_APPEND) < 0)
		r = -errno;
	if (r < 0) {
		close(fd);
		return r;
	}
	return fd;
}

int wstore_open(const char *dir, uint64_t max_bytes, uint64_t min_free, struct wstore **ret,
                size_t *where)
{
	struct wstore *s;
	int r;

	if (where)
		*where = 0;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	*s = (struct wstore){ .dir_fd = -1, .manifest_fd = -1, .max_bytes = max_bytes,
	                      .min_free = min_free };
	pthread_mutex_init(&s->lock, NULL);
	s->cache = calloc(CACHE_SETS * CACHE_WAYS, sizeof(*s->cache));
	r = s->cache ? procexe_copy_init() : -ENOMEM;
	if (r == 0 && dir) {
		r = procexe_recover_dir_open_ex(dir, where);
		if (r >= 0) {
			s->dir_fd = r;
			r = manifest_open(s->dir_fd);
			if (r < 0 && where)
				*where = SIZE_MAX;
		}
		if (r >= 0)
			s->manifest_fd = r;
	}
	if (r < 0) {
		wstore_free(s);
		return r;
	}
	*ret = s;
	return 0;
}

void wstore_free(struct wstore *s)
{
	if (!s)
		return;
	if (s->manifest_fd >= 0)
		close(s->manifest_fd);
	if (s->dir_fd >= 0)
		close(s->dir_fd);
	pthread_mutex_destroy(&s->lock);
	free(s->cache);
	free(s);
}
