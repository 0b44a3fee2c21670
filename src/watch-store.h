/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The content store of procexe watch: SHA-256 of the images executed,
 * and, with a store directory, one copy of each distinct content named by
 * its full SHA-256 (64 lowercase hex digits, mode 0400), listed in
 * DIR/manifest.jsonl.  Copies are made, verified and named by the library
 * (procexe_copy_*), beneath a directory opened with
 * procexe_recover_dir_open_ex(): no symlink root did not choose is
 * followed, nothing is ever replaced.
 *
 * Threads: wstore_keep() runs on one thread at a time (the watch worker);
 * wstore_stats() may be called from any thread meanwhile.
 */
#ifndef PROCEXE_WATCH_STORE_H
#define PROCEXE_WATCH_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct json;
struct wstore;

/* The name of the manifest beneath the store directory. */
#define WSTORE_MANIFEST "manifest.jsonl"

/* What the manifest line of an exec says besides the store's own keys. */
struct wstore_meta {
	uint64_t time_ns;       /* "time" of the line (the exec's); 0: now */
	/* Writes the event's keys into the open object J (may be NULL); never
	 * "schema", "command", "record", "time", "sha256", "copy", "size",
	 * "new", which the store writes. */
	void (*meta)(struct json *j, const void *arg);
	const void *arg;
};

struct wstore_result {
	char sha256[65];        /* 64 hex digits; "" unknown */
	char *copy;             /* name of the stored copy beneath DIR (owned), or NULL */
	const char *missed;     /* static: "store-full", "too-large", or NULL */
	int err;                /* first negative errno met (hashing, copying, manifest), or 0 */
	uint64_t size;          /* the image's size (st_size) */
	bool new_file;          /* COPY was created by this call */
};

/* Free what RES owns and clear it; a zeroed RES is fine. */
void wstore_result_done(struct wstore_result *res);

struct wstore_stats {
	uint64_t stored_files;  /* copies created by this run */
	uint64_t stored_bytes;  /* their sizes */
	uint64_t already;       /* execs whose content was stored before */
	uint64_t hashed_files;  /* images read and hashed (copied or not) */
	uint64_t hashed_bytes;
	uint64_t cache_hits;    /* SHA-256 taken from the identity cache, nothing read */
	uint64_t store_full;    /* refusals: max_bytes or min_free reached */
	uint64_t too_large;     /* refusals: an image larger than max_bytes */
	uint64_t errors;        /* calls that set res->err */
	uint64_t manifest_errors; /* manifest lines not written */
};

/*
 * Open the store. DIR NULL: hash only, nothing is written.  Otherwise DIR
 * is opened (created 0700 when absent) with procexe_recover_dir_open_ex(),
 * and DIR/manifest.jsonl opened for appending or created (0600) without
 * following a symlink: it must be a regular file of the effective uid
 * with one link (-EINVAL not regular, -EPERM another owner, -EMLINK more
 * links, -ELOOP a symlink).  MAX_BYTES caps the bytes this run stores and
 * the size of any image stored; MIN_FREE the free bytes the store's
 * filesystem keeps (0: no cap, for either).  Loads libcrypto
 * (procexe_copy_init(): -ELIBACC).  On failure *WHERE (when not NULL) is
 * what procexe_recover_dir_open_ex() says, or SIZE_MAX when the manifest
 * is at fault.  Returns 0 or a negative errno.
 */
int wstore_open(const char *dir, uint64_t max_bytes, uint64_t min_free, struct wstore **ret,
                size_t *where);

/*
 * SHA-256 of the regular file FD (borrowed, read with pread only), and,
 * when STORE is true and the store has a directory, its content kept
 * there under its hex SHA-256, unless stored before (res->new_file false:
 * not an error), and one manifest line written for an exec that got
 * res->copy.  An image of the identity cache (dev, inode, birth time,
 * size, ctime, mtime seen unchanged since it was hashed) is not read
 * again; when its content is stored already, nothing is read at all.
 * Past a cap the image is hashed only: res->missed "too-large" (larger
 * than max_bytes) or "store-full" (this run's stored bytes would pass
 * max_bytes, or the filesystem would keep less than min_free free),
 * unless its content turns out to be stored already.  Errors in
 * res->err: -EINVAL (not a regular file), -EAGAIN (the file changed while
 * it was read), -EIO (the copy read back differs), I/O errors, and a
 * failed manifest write (the copy itself is kept).  RES is overwritten;
 * release it with wstore_result_done().  META may be NULL.  Returns
 * res->err.
 */
int wstore_keep(struct wstore *s, int fd, bool store, const struct wstore_meta *meta,
                 struct wstore_result *res);

/* A snapshot of the counters. */
void wstore_stats(struct wstore *s, struct wstore_stats *ret);

/* Close the store.  NULL is fine. */
void wstore_free(struct wstore *s);

#endif /* PROCEXE_WATCH_STORE_H */
