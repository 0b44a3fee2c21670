/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Internal types and helpers of libprocexe.  Not installed. */
#ifndef PROCEXE_INTERNAL_H
#define PROCEXE_INTERNAL_H

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "procexe.h"

#define PE_DELETED_SUFFIX " (deleted)"
#define PE_DELETED_SUFFIX_LEN (sizeof(PE_DELETED_SUFFIX) - 1)
#define PE_NLINK_UNKNOWN UINT64_MAX

/* Whether the LEN bytes at S are a name followed by " (deleted)", the
 * suffix the kernel appends to the path of an unlinked file. */
static inline bool pe_ends_deleted(const char *s, size_t len)
{
	return s && len > PE_DELETED_SUFFIX_LEN &&
	       memcmp(s + len - PE_DELETED_SUFFIX_LEN, PE_DELETED_SUFFIX, PE_DELETED_SUFFIX_LEN) == 0;
}

/* The map_files entry of the mapping [START, END), relative to /proc/PID. */
#define PE_MAP_FILES_NAME_MAX 48
static inline void pe_map_files_name(char buf[PE_MAP_FILES_NAME_MAX], uint64_t start,
                                     uint64_t end)
{
	snprintf(buf, PE_MAP_FILES_NAME_MAX, "map_files/%" PRIx64 "-%" PRIx64, start, end);
}
#define PE_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* ---- cleanup helpers (never mix with goto in one function) ---- */
static inline void pe_freep(void *p) { free(*(void **)p); }
static inline void pe_closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;
		close(*fd);
		errno = saved;
	}
}
/* FN(&var) when VAR goes out of scope. */
#define _cleanup_(fn) __attribute__((cleanup(fn)))
#define _cleanup_free_ _cleanup_(pe_freep)
#define _cleanup_close_ _cleanup_(pe_closep)
static inline int pe_take_fd(int *fd) { int r = *fd; *fd = -1; return r; }
static inline void *pe_take_ptr(void *pp) { void **p = pp, *r = *p; *p = NULL; return r; }

/* ---- a sorted set of 64-bit ids (mount ids) ---- */
struct pe_idset {
	uint64_t *ids;
	size_t n, cap;
};
int pe_idset_add(struct pe_idset *set, uint64_t id);
void pe_idset_sort(struct pe_idset *set);            /* before lookups */
bool pe_idset_has(const struct pe_idset *set, uint64_t id);
void pe_idset_clear(struct pe_idset *set);
/* Fill SET from a mountinfo file (e.g. "self/mountinfo") relative to DIRFD. */
int pe_idset_load_mountinfo(struct pe_idset *set, int dirfd, const char *path);

/* ---- one image: the exe, the loader or a loader-launched program ---- */
struct pe_img {
	char *path;             /* kernel text (owned), NULL if unknown */
	size_t path_len;
	size_t launch_len;      /* launch path = first launch_len bytes of path */
	bool have_stat;
	uint64_t dev, ino, nlink, size; /* nlink may be PE_NLINK_UNKNOWN */
	uint32_t mode;
	int64_t mtime_sec, mtime_nsec, ctime_sec, ctime_nsec, atime_sec, atime_nsec;
	int64_t btime_sec, btime_nsec;  /* birth; 0/0 when the filesystem has none */
	uint64_t mnt_id;        /* 0 = unknown */
	uint64_t map_start, map_end; /* a mapping of it (loader programs), else 0 */
};
void pe_img_done(struct pe_img *img);

/* ---- the pure classifier ---- */
enum pe_lookup {
	PE_LOOKUP_SAME,         /* the path reaches the image (same dev:ino) */
	PE_LOOKUP_DIFFERENT,    /* something else stands there */
	PE_LOOKUP_ABSENT,       /* nothing stands there (ENOENT/ENOTDIR) */
	PE_LOOKUP_UNKNOWN,      /* could not look (EACCES, ELOOP, ...) */
};

/* I/O the classifier may ask for, each at most once, only when needed. */
struct pe_probe_ops {
	/* Resolve PATH (LEN bytes, not NUL-terminated) where the process's
	 * text is meaningful and compare with the image. */
	enum pe_lookup (*resolve)(void *userdata, const char *path, size_t len);
	/* 1 when the image's mount is reachable from the reader's or the
	 * process's root, 0 when from neither, <0 when unknown. */
	int (*mount_reachable)(void *userdata);
	/* 1 when the process maps the image, 0 when not, <0 when unknown. */
	int (*image_mapped)(void *userdata);
};

struct pe_facts {
	int exe_errno;          /* 0, or why the link could not be read/followed */
	bool kthread;           /* exe_errno == ENOENT: PF_KTHREAD set */
	bool zombie;            /* exe_errno == ENOENT: no mm (Z/X/exiting) */
	const struct pe_img *img;
	int text_errno;         /* 0, or why img->path is NULL (ENAMETOOLONG) */
	bool memfd_dev;         /* img->dev is the kernel's internal shmem mount */
	bool check_mapped;      /* ask image_mapped before saying ok/unreachable */
};

struct pe_verdict {
	enum procexe_state state;
	size_t launch_len;      /* bytes of img->path that form the launch path */
	unsigned flags;         /* PROCEXE_PF_SUFFIX, _PATH_TOOLONG, _NOT_MAPPED */
};

/* Decide the state from F and, lazily, OPS.  Never fails. */
void pe_classify(const struct pe_facts *f, const struct pe_probe_ops *ops,
                 void *userdata, struct pe_verdict *ret);

/* True when IMG's text is a memfd name ("/memfd:..."); a real file may
 * carry such a name, so confirm that its mount is unreachable. */
bool pe_text_is_memfd(const struct pe_img *img);
/* True when IMG's text is an O_TMPFILE name "DIR/#INO (deleted)" whose INO
 * equals IMG's inode number. */
bool pe_text_is_tmpfile(const struct pe_img *img);
/* True when the LEN bytes at S (suffix removed) are "DIR/#INO" with INO. */
bool pe_name_is_tmpfile(const char *s, size_t len, uint64_t ino);



/* ---- the pure judgement of one mapped file (classify-map.c) ---- */
struct pe_mapfile_facts {
	const char *text;       /* unescaped kernel text, NUL-terminated */
	size_t text_len;
	bool suffix;            /* text ends in " (deleted)" */
	uint64_t dev, ino;      /* from maps */
	bool shmem_dev;         /* dev is the kernel's internal shmem mount */
};

/* A lookup of a path where the process's texts are meaningful. */
struct pe_found {
	enum pe_lookup r;
	int err;                /* PE_LOOKUP_UNKNOWN/ABSENT: positive errno */
	struct pe_times {       /* PE_LOOKUP_SAME: ns since the epoch, 0 unknown */
		uint64_t m, c, b;       /* modification, status change, birth */
	} t;
};

/*
 * MODIFIED, for the exe and for mapped files alike (modified.c): the file
 * with times T was written in place after the process start, which
 * START_NS(USERDATA) gives (ns since the epoch, 0 unknown: false) and is
 * asked only when the times alone do not decide.  LINKS_CHANGED: a name
 * of it was removed, which moved its ctime.
 */
bool pe_written_after_start(const struct pe_times *t, bool links_changed,
                            uint64_t (*start_ns)(void *userdata), void *userdata);

struct pe_map_ops {
	/* Look up LEN bytes of TEXT (not NUL-terminated) and compare what
	 * stands there with (DEV, INO); out of memory: UNKNOWN with ENOMEM. */
	void (*lookup)(void *userdata, const char *text, size_t len, uint64_t dev,
	               uint64_t ino, struct pe_found *ret);
	/* The process's start, ns since the epoch; 0 when unknown. */
	uint64_t (*start_ns)(void *userdata);
	/* pe_judge_maps() only: the raw name of the mapping [START, END) (its
	 * map_files link, " (deleted)" included), newly allocated; 0 or
	 * negative errno. */
	int (*raw_name)(void *userdata, uint64_t start, uint64_t end, char **ret, size_t *ret_len);
	/* pe_judge_maps() only: the per-process deadline has passed. */
	bool (*past_deadline)(void *userdata);
};

struct pe_map_verdict {
	enum procexe_map_state state;
	size_t path_len;        /* bytes of text that name the file (suffix
	                           kept only for a live literal " (deleted)" name) */
	uint64_t changed_ns;    /* MODIFIED: the change time */
	int err;                /* UNKNOWN: positive errno */
};

/*
 * Judge one mapped file from F and, lazily, OPS.  BOOT_NS (ns since the
 * epoch, 0 unknown): a file unchanged since boot is not asked about the
 * start time.  Never fails.
 */
void pe_judge_map(const struct pe_mapfile_facts *f, uint64_t boot_ns,
                  const struct pe_map_ops *ops, void *userdata, struct pe_map_verdict *ret);

/* One judged, kept mapped file of a process (mappings.c). */
struct pe_mapfile {
	char *path;             /* owned, NUL-terminated */
	size_t path_len;
	enum procexe_map_state state;
	unsigned flags;         /* PROCEXE_MF_* */
	uint64_t dev, ino, start, end;
	int64_t changed_sec;
	int err;
};

struct pe_cache;

/* ---- the distinct files a process maps (mapset.c) ---- */
struct pe_map;
#define PE_MAPSET_FILES_MAX 65536u          /* entries kept per process */
#define PE_MAPSET_NAMES_MAX (16u << 20)     /* bytes of names kept per process */

struct pe_mapset_file {
	uint64_t start, end;    /* its first mapping */
	uint64_t ino;
	unsigned dev_major, dev_minor;
	size_t name_off;        /* in names: the name (escaped as in the
	                           text unless raw_names), " (deleted)" when
	                           deleted, NUL */
	size_t name_len;        /* without the suffix */
	size_t order;           /* first appearance (increasing with it) */
	bool deleted, exec;     /* exec: mapped executable anywhere */
};

struct pe_mapset {
	struct pe_mapset_file *files;   /* in order of first appearance */
	size_t n, cap;
	char *names;
	size_t names_len, names_cap;
	bool raw_names;         /* names from PROCMAP_QUERY: never escaped */
	bool image_seen;        /* a mapping of pe_maps_src.img was seen */
	size_t added;           /* entries added since the last merge */
	size_t added_bytes;     /* name bytes added since the last merge */
	size_t nmaps;           /* file mappings seen */
	size_t lines;           /* maps lines read (text only) */
	size_t dropped;         /* file mappings left out: a cap was reached */
	int err;                /* positive errno: the set is incomplete
	                           (E2BIG a cap, ENAMETOOLONG a line too long,
	                           ETIMEDOUT the deadline, else a read error) */
};

/* Where a process's mappings come from. */
struct pe_maps_src {
	struct procexe_ctx *ctx;
	struct pe_cache *cache;         /* deadline; may be NULL */
	int dirfd;                      /* /proc/PID (or task/TID), borrowed */
	const struct pe_img *img;       /* sets image_seen; may be NULL */
	bool query;                     /* executable mappings only: PROCMAP_QUERY */
};

/*
 * Collect the files mapped by SRC's process into SET (initialised here;
 * pe_mapset_done() after): through PROCMAP_QUERY when SRC->query and the
 * kernel has it, else from the maps text.  0 (limits and read errors in
 * set->err), -ESRCH when the process is gone, -ENOMEM.
 */
int pe_mapset_read(struct pe_mapset *set, const struct pe_maps_src *src);
/* Only the PROCMAP_QUERY part: 0, -ENOTTY/-EINVAL without the ioctl,
 * -ENAMETOOLONG for a name beyond PATH_MAX, -ETIMEDOUT, -ESRCH, -ENOMEM. */
int pe_mapset_query(struct pe_mapset *set, const struct pe_maps_src *src);
/* Add one mapping M (set->n grows unless it is the same file as the last
 * one added, or a cap is reached); 0 or -ENOMEM. */
int pe_mapset_add(struct pe_mapset *set, const struct pe_map *m);
/* Merge the entries of one file (O(n log n)), keeping first-appearance
 * order, and keep only their names.  0 or -ENOMEM. */
int pe_mapset_finish(struct pe_mapset *set);
void pe_mapset_done(struct pe_mapset *set);
/* F as a maps line (its first mapping; path into SET's names). */
void pe_mapset_file_map(const struct pe_mapset *set, const struct pe_mapset_file *f,
                        struct pe_map *ret);

/* Mapped files kept for one process at most (judged files beyond are
 * counted, not listed: the process's maps_err becomes E2BIG). */
#define PE_MAPS_KEEP_MAX 4096u
#define PE_MAPS_KEEP_BYTES (1u << 20)

/* Input of pe_judge_maps(): one process's mapped files and how to ask about it. */
struct pe_maps_in {
	const struct procexe_ctx *ctx;  /* maps selection, boot time, memfd device */
	const struct pe_mapset *set;
	const struct pe_img *main_img;  /* left out of the result; may be NULL */
	const struct pe_map_ops *ops;   /* every question, with USERDATA */
	void *userdata;
};
/* The ops answering from a process being read: USERDATA is its struct pe_reader. */
const struct pe_map_ops *pe_reader_map_ops(void);

/*
 * Judge the files of IN->set selected by IN->ctx->maps and return those to
 * keep (newly allocated array, *RET_N entries; NULL when none).  0, or
 * -ENOMEM.  *RET_ERR (positive errno, 0) tells why the result is
 * incomplete: ETIMEDOUT at the deadline, E2BIG past the keep caps.
 */
int pe_judge_maps(const struct pe_maps_in *in, struct pe_mapfile **ret, size_t *ret_n,
                  int *ret_err);
void pe_mapfiles_free(struct pe_mapfile *files, size_t n);

struct pe_map;
/* Is maps line M the image IMG (inode, and device or, on btrfs, the text)? */
bool pe_map_is_image(const struct pe_map *m, const struct pe_img *img);

/* One record of getdents64(2) (glibc 2.36 has no wrapper). */
struct pe_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

/* Nanoseconds since the epoch of a file time; 0 for times before it. */
static inline uint64_t pe_ts_ns(int64_t sec, int64_t nsec)
{
	return sec < 0 ? 0 : (uint64_t)sec * 1000000000u + (uint64_t)nsec;
}

/*
 * Room for NEED elements of SIZE bytes in the array *P of capacity *CAP
 * elements (0 and NULL to start), doubling as needed (util.c).  0, or
 * -ENOMEM (also when the size would overflow); *P unchanged on failure.
 */
int pe_grow(void **p, size_t *cap, size_t need, size_t size);

/* CLOCK_MONOTONIC in ns (util.c). */
uint64_t pe_now_ns(void);

/* ---- small I/O utilities (util.c); all return negative errno ---- */
/* Read a whole (proc) file at DIRFD/PATH into a NUL-terminated buffer. */
int pe_read_file_at(int dirfd, const char *path, size_t max, char **ret, size_t *ret_len);
/* The same into *BUF of capacity *CAP (grown with realloc, kept by the
 * caller for reuse; NULL/0 to start), NUL-terminated. */
int pe_read_into(int dirfd, const char *path, size_t max, char **buf, size_t *cap,
                 size_t *ret_len);
/* readlinkat() into a new NUL-terminated buffer of any length. */
int pe_readlink_at(int dirfd, const char *path, char **ret, size_t *ret_len);
void *pe_memdup0(const void *p, size_t len);
/*
 * Open PATH inside the root directory ROOTFD of a process, with FLAGS
 * (O_CLOEXEC is added): RESOLVE_IN_ROOT keeps ".." and absolute symlinks
 * of a container from escaping to the reader's root, and magic links are
 * refused.  Returns the fd or a negative errno.
 */
int pe_openat_in_root(int rootfd, const char *path, int flags);
/* The same for PATH (LEN bytes, not NUL-terminated) in the root of the
 * process whose /proc/PID directory is DIRFD. */
int pe_open_in_proc_root(int dirfd, const char *path, size_t len, int flags);

/* ---- the recovery directory (recover-dir.c) ---- */
struct stat;
/*
 * 0 when the directory ST may be trusted by EUID: on the way (FINAL false)
 * owned by root or EUID (-EUSERS otherwise), as the final directory owned
 * by EUID (-EPERM otherwise); either way not writable by group or others
 * unless sticky (-EUSERS otherwise).  -ENOTDIR when not a directory.
 */
int pe_dir_trusted(const struct stat *st, uid_t euid, bool final);

/* ---- SHA-256 (sha256.c): libcrypto, opened on first use ---- */
struct pe_sha256;
/* Load libcrypto now if not yet loaded: 0, or -ELIBACC (not remembered:
 * the next call tries again).  Thread-safe. */
int pe_sha256_load(void);
/* A new hash: -ELIBACC when libcrypto cannot be loaded, -ENOMEM, -EIO. */
int pe_sha256_new(struct pe_sha256 **ret);
int pe_sha256_update(struct pe_sha256 *h, const void *buf, size_t len);   /* 0, -EIO */
int pe_sha256_final(struct pe_sha256 *h, unsigned char out[32]);          /* 0, -EIO */
void pe_sha256_free(struct pe_sha256 *h);  /* NULL is fine */

/* ---- SHA-256 on a helper thread (hash-pipe.c) ---- */
/* Start FN(ARG) on a new thread with every signal blocked: 0 or -errno. */
int pe_thread_start(pthread_t *t, void *(*fn)(void *), void *arg);
/*
 * A hash fed in order through a ring of PE_HASH_PIPE_SLOTS buffers of
 * SLOT_SIZE bytes each, cut from MEM (borrowed: the caller frees it after
 * pe_hash_pipe_free()), hashed on a helper thread (on the caller's when
 * none can be started).
 * One feeding thread: pe_hash_pipe_buffer() gives the next buffer (it may
 * wait for one to be hashed), pe_hash_pipe_put() hands its first LEN bytes
 * over; the buffer stays readable by the caller until the next
 * pe_hash_pipe_buffer() call after that.  pe_hash_pipe_zeros() hashes LEN
 * zero bytes in turn.  Each returns 0 or the first hashing error (-EIO);
 * pe_hash_pipe_new() -EINVAL, -ENOMEM or the errors of pe_sha256_new().
 */
#define PE_HASH_PIPE_SLOTS 8u
struct pe_hash_pipe;
int pe_hash_pipe_new(unsigned char *mem, size_t slot_size, struct pe_hash_pipe **ret);
int pe_hash_pipe_buffer(struct pe_hash_pipe *p, unsigned char **ret);
int pe_hash_pipe_put(struct pe_hash_pipe *p, size_t len);
int pe_hash_pipe_zeros(struct pe_hash_pipe *p, uint64_t len);
/* Wait for everything handed over, then the digest: 0 or -EIO. */
int pe_hash_pipe_finish(struct pe_hash_pipe *p, unsigned char out[32]);
void pe_hash_pipe_free(struct pe_hash_pipe *p);  /* NULL is fine; joins the thread */

/* ---- the context ---- */
struct pe_cache;

struct procexe_ctx {
	int procfd;
	unsigned nthreads;
	unsigned details;       /* PROCEXE_DETAIL_* */
	struct pe_idset reader_mounts;
	bool reader_mounts_known;
	bool memfd_dev_known;
	uint64_t memfd_dev;
	uint64_t boot_ns;       /* realtime of boot, ns since the epoch */
	unsigned maps;          /* PROCEXE_MAPS_* */
	int no_maps_query;      /* the kernel lacks PROCMAP_QUERY (atomic access) */
	bool reader_root_known; /* reader_mntns_ino is set */
	uint64_t reader_mntns_ino;
	uint64_t ns_per_tick;   /* 1e9 / sysconf(_SC_CLK_TCK) */
};

struct procexe_proc {
	pid_t pid;
	enum procexe_state state;
	unsigned flags;
	int err;
	struct pe_img exe;      /* the exe link: the loader when PF_LOADER */
	struct pe_img prog;     /* main program image when PF_LOADER */
	bool have_details;
	pid_t ppid;
	uid_t uid;
	char comm[64];
	uint64_t start_ns;
	char *cmdline;
	size_t cmdline_len;
	char *root;             /* NULL when "/" or unknown */
	char *cgroup;           /* NULL when unknown */
	struct pe_mapfile *maps; /* kept mapped files */
	size_t nmaps;
	int maps_err;           /* positive errno: maps could not be read */
};

/* ---- one process being read (reader.c) ---- */
#include "parse.h"

struct pe_reader {
	struct procexe_ctx *ctx;
	struct pe_cache *cache; /* lookups and the deadline; may be NULL */
	int dirfd;              /* /proc/PID, owned: the process, not the number */
	int taskfd;             /* task/TID of a live thread when the leader
	                           exited (set by the caller), owned, -1 */
	int rootfd;             /* its root directory, opened on first use, -1 */
	int root_err;           /* negative errno of that open, 0 */
	int same_ns;            /* in the reader's mount namespace: 1/0, -1 not asked */
	int stat_err;           /* the stat file: 0 read, negative errno, 1 not tried */
	struct pe_stat st;
	uint64_t start_ns;      /* 0: not known yet */
	char *scratch;          /* pe_reader_text() */
	size_t scratch_cap;
	bool enomem;            /* a lookup ran out of memory: fail the process */
};

/* Open the procfs entry NAME ("1234", "self") of CTX.  0; -ESRCH when it
 * does not exist; other negative errno (EACCES/EPERM: denied). */
int pe_reader_open(struct pe_reader *r, struct procexe_ctx *ctx, struct pe_cache *cache,
                   const char *name);
void pe_reader_close(struct pe_reader *r);
/* The directory to read the process's files from: taskfd when set. */
int pe_reader_fd(const struct pe_reader *r);
/* The stat file, read once: 0 with *RET, -ESRCH (gone), negative errno. */
int pe_reader_stat(struct pe_reader *r, const struct pe_stat **ret);
/* Start of the process (the fork's, rounded up to the next clock tick),
 * ns since the epoch; 0 when unknown. */
uint64_t pe_reader_start_ns(struct pe_reader *r);
/* Its root directory (O_PATH fd, borrowed), or a negative errno. */
int pe_reader_root(struct pe_reader *r);
/* Whether it shares the reader's mount namespace. */
bool pe_reader_same_mntns(struct pe_reader *r);
/* TEXT (LEN bytes) NUL-terminated in the reader's scratch buffer, valid
 * until the next call; NULL when out of memory. */
const char *pe_reader_text(struct pe_reader *r, const char *text, size_t len);
/* True when the process the dirfd denotes is gone (the dirfd as a pidfd). */
bool pe_reader_gone(const struct pe_reader *r);

/* ---- the resolver (resolve.c) ---- */
/*
 * What stands at the process's path TEXT (LEN bytes, as the kernel rendered
 * it, " (deleted)" removed by the caller), seen from where the text is
 * meaningful, compared with the file (DEV, INO) of mount MNT_ID (0:
 * unknown, as for mapped files).  Texts that are not absolute paths give
 * PE_LOOKUP_UNKNOWN.  0, or -ENOMEM (also noted in r->enomem).
 */
int pe_resolve(struct pe_reader *r, const char *text, size_t len, uint64_t dev, uint64_t ino,
               uint64_t mnt_id, struct pe_found *ret);

/* The classifier's questions (struct pe_probe_ops) about image IMG. */
struct pe_probe {
	struct pe_reader *reader;
	const struct pe_img *img;
	int mapped;             /* cached image_mapped answer, -1 = not asked */
};
enum pe_lookup pe_probe_resolve(void *userdata, const char *text, size_t len);
int pe_probe_mount_reachable(void *userdata);
int pe_probe_image_mapped(void *userdata);

/* ---- per-worker cache (cache.c) ---- */
/* What a lookup found: the file's identity and times, or why none. */
struct pe_stated {
	int err;                /* positive errno of the lookup, 0 */
	uint64_t dev, ino;
	struct pe_times t;
};
#define PE_STATX_TIMES (STATX_MTIME | STATX_CTIME | STATX_BTIME)
struct statx;
struct pe_stated pe_stated_of(const struct statx *stx);
/* lstat-like lookup of the NUL-terminated PATH (LEN bytes) in the
 * reader's own root, cached (CACHE may be NULL).  0 or negative errno,
 * also in ret->err (positive). */
int pe_cache_stat(struct pe_cache *cache, const char *path, size_t len, struct pe_stated *ret);
struct pe_cache *pe_cache_new(void);
void pe_cache_free(struct pe_cache *cache);
/*
 * A deadline (CLOCK_MONOTONIC ns, 0 = none) for the work on the process
 * being read with CACHE: loops whose length a process controls (its
 * mappings) stop there and report ETIMEDOUT instead of holding a worker.
 */
void pe_cache_set_deadline(struct pe_cache *cache, uint64_t mono_ns);
bool pe_cache_past_deadline(const struct pe_cache *cache);  /* NULL: false */
/* Remembered "is this (dev, ino) a dynamic loader?": 1, 0, or -1 unknown. */
int pe_cache_loader_get(struct pe_cache *cache, uint64_t dev, uint64_t ino);
void pe_cache_loader_put(struct pe_cache *cache, uint64_t dev, uint64_t ino, bool is_loader);

/* ---- loader-launched programs (loader.c) ---- */
/* Is the exe image (reached through DIRFD/exe) an ELF interpreter run as a
 * program?  Uses and fills CACHE. */
bool pe_exe_is_loader(struct pe_cache *cache, int dirfd, const struct pe_img *exe);
/* Find the main program the loader EXE mapped, from maps and cmdline of
 * DIRFD, into *RET (owned by the caller).  -ENOENT when none is mapped,
 * -ETIMEDOUT past CACHE's deadline (CACHE may be NULL), -ENOMEM, or the
 * negative errno of reading maps. */
int pe_find_loaded_program(const struct pe_cache *cache, int dirfd, const struct pe_img *exe,
                           struct pe_img *ret);
/* Fill IMG's identity fields from STX. */
struct statx;
void pe_img_set_statx(struct pe_img *img, const struct statx *stx);

/* ---- the script of an interpreted program (script.c) ---- */
/*
 * The verdict on a script from what stands at its name (AT: SAME means
 * a regular file stands there, its times in at->t; ABSENT nothing;
 * UNKNOWN could not look): deleted, replaced (born after the start),
 * modified (pe_written_after_start()), unknown (at->err), else ok.
 * START_NS(USERDATA) as for pe_written_after_start(), asked only when
 * the times are later than BOOT_NS.  Pure.
 */
void pe_judge_script(const struct pe_found *at, uint64_t boot_ns, uint64_t (*start_ns)(void *),
                     void *userdata, struct pe_map_verdict *ret);
/*
 * When the main image IMG of the process of R is an interpreter and its
 * command line names a script file (after the loader's options when
 * LOADER), judge that file as the process would find it (one lookup) into
 * *RET (path owned, flags PROCEXE_MF_SCRIPT, start and end 0; dev and ino
 * of the file standing there, 0 when none): 0.  -ENOENT when there is
 * nothing to keep (not an interpreter, no script file, a verdict of ok
 * without PROCEXE_MAPS_KEEP_OK), -ENOMEM.
 */
int pe_judge_proc_script(struct pe_reader *r, const struct pe_img *img, bool loader,
                         struct pe_mapfile *ret);

/* Load PID through CTX using CACHE for reader-root lookups (proc.c).
 * NAME is the procfs entry to read ("1234", or "self"); NULL means PID. */
int pe_proc_load(struct procexe_ctx *ctx, struct pe_cache *cache, const char *name,
                 pid_t pid, unsigned detail_states, struct procexe_proc **ret);
/* A new record of PID with nothing read yet (state 0, PPID and UID
 * unknown); NULL when out of memory. */
struct procexe_proc *pe_proc_new(pid_t pid);
/* The image a path answer is about: the program for loader launches. */
const struct pe_img *pe_proc_main_image(const struct procexe_proc *p);

#endif /* PROCEXE_INTERNAL_H */
