/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libprocexe: find, verify and recover the executables behind running
 * processes through procfs (/proc/PID/exe and its neighbours).
 *
 * Conventions for every function in this header:
 *  - Functions returning int return 0 (or a documented non-negative value)
 *    on success and a negative errno value on failure; errno is not used.
 *  - Out-parameters named ret_* are written only on success.
 *  - The library never prints and never exits.  Its only process-wide
 *    state is what the self functions remember about the calling process
 *    (see below).  Objects are not shared between threads unless stated.
 *  - Errors: negative errno values.  procexe_proc_errno() is the one
 *    exception: it reports a positive errno, as a fact about a process.
 *  - Paths are byte strings: they may hold any byte except NUL, including
 *    newlines, escape sequences and invalid UTF-8.  Escape before display.
 */
#ifndef PROCEXE_H
#define PROCEXE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PROCEXE_VERSION_STRING "0.1.0"

/* The library's version string, e.g. "0.1.0". */
const char *procexe_version(void);

/*
 * The state of one process's executable image.  Exactly one applies; when
 * several would, the first in this list wins.
 */
enum procexe_state {
	PROCEXE_STATE_KERNEL = 0,  /* kernel thread: no executable */
	PROCEXE_STATE_ZOMBIE,      /* zombie or exiting: no address space left */
	PROCEXE_STATE_DENIED,      /* the reader may not inspect it (EACCES/EPERM) */
	PROCEXE_STATE_FILELESS,    /* image never had a path: memfd, O_TMPFILE, ... */
	PROCEXE_STATE_DELETED,     /* no link left, nothing at the launch path */
	PROCEXE_STATE_REPLACED,    /* another file now stands at the launch path */
	PROCEXE_STATE_UNLINKED,    /* launch name gone, image linked elsewhere */
	PROCEXE_STATE_REPOINTED,   /* exe link names a file the process does not map */
	PROCEXE_STATE_UNREACHABLE, /* path cannot be verified from any root */
	PROCEXE_STATE_OK,          /* launch path reaches the running image */
	_PROCEXE_STATE_MAX
};

/* The state's name ("kernel", "zombie", ...), or NULL when out of range. */
const char *procexe_state_name(enum procexe_state state);

/* Parse a state name (exact, lowercase); -EINVAL when unknown. */
int procexe_state_from_name(const char *name, enum procexe_state *ret_state);

/* True for the states that the default scan reports. */
bool procexe_state_is_suspicious(enum procexe_state state);

/* Bits of procexe_proc_flags(). */
#define PROCEXE_PF_MODIFIED     (1u << 0) /* image written in place after the process
                                             started (see "The MODIFIED flag" in
                                             procexe(3)) */
#define PROCEXE_PF_LOADER       (1u << 1) /* launched through the ELF interpreter */
#define PROCEXE_PF_PATH_TOOLONG (1u << 2) /* the kernel cannot render the path (ENAMETOOLONG) */
#define PROCEXE_PF_OTHER_ROOT   (1u << 3) /* the process's root is not "/" (details only) */
#define PROCEXE_PF_SUFFIX       (1u << 4) /* kernel text ends in " (deleted)" */
#define PROCEXE_PF_NOT_MAPPED   (1u << 5) /* exe inode not found in the mappings */

/* The name of one PROCEXE_PF_* bit ("modified", "loader", "path-too-long",
 * "other-root", "suffix", "not-mapped"), a static string; NULL for 0,
 * several bits or an unknown bit. */
const char *procexe_pf_name(unsigned bit);

/*
 * One file as seen from a process: the executable (exe link), or for a
 * loader-launched program the main program image or the loader.
 * Strings point into the owning procexe_proc and live as long as it does.
 */
struct procexe_image {
	size_t sz;              /* set by the caller to sizeof(struct procexe_image) */
	const char *path;       /* kernel's text, NUL-terminated; NULL if unknown */
	size_t path_len;        /* bytes in path, without the NUL */
	const char *launch_path;/* path the state was judged on (suffix removed when
	                           proven): a prefix of path, NOT NUL-terminated at
	                           launch_path_len; NULL if unknown */
	size_t launch_path_len;
	bool have_stat;         /* false: the fields below are unknown, except dev
	                           and ino of a loader-launched program (from maps) */
	uint64_t dev;           /* st_dev of the image (makedev form) */
	uint64_t ino;
	uint64_t nlink;         /* UINT64_MAX: unknown */
	uint64_t size;
	uint32_t mode;
	int64_t mtime_sec, ctime_sec;
	uint64_t mnt_id;        /* statx mount id, 0 if unknown */
};

/*
 * Context: the procfs root to read and caches shared by the processes read
 * through it.  Not thread-safe; procexe_scan() uses its own workers.
 */
struct procexe_ctx;

/*
 * Create a context reading the procfs mounted at PROCFS_PATH (NULL means
 * "/proc").  -ENOTDIR/-ENOENT when it does not exist, -EMEDIUMTYPE when it
 * is not the root directory of a procfs mount (a directory inside one,
 * such as /proc/self or /proc/sys, is refused), other negative errno from
 * open/fstatfs/statx.
 * Free with procexe_ctx_free().
 */
int procexe_ctx_new(const char *procfs_path, struct procexe_ctx **ret_ctx);
void procexe_ctx_free(struct procexe_ctx *ctx);

/* Worker threads procexe_scan() may use; 0 (default) = one per CPU, at
 * most one per 256 processes (plus one).  Capped at 4. */
void procexe_ctx_set_threads(struct procexe_ctx *ctx, unsigned nthreads);

/*
 * Which details procexe_proc_load(PROCEXE_LOAD_DETAILS) and procexe_scan()
 * read for the processes that get details (default: all).  Each costs
 * system calls per process: ask only for what you will show.
 */
#define PROCEXE_DETAIL_STAT    (1u << 0) /* ppid, comm, start time */
#define PROCEXE_DETAIL_UID     (1u << 1) /* owner of /proc/PID */
#define PROCEXE_DETAIL_CMDLINE (1u << 2)
#define PROCEXE_DETAIL_ROOT    (1u << 3) /* root directory, PF_OTHER_ROOT */
#define PROCEXE_DETAIL_COMM    (1u << 4) /* comm alone (cheaper than STAT) */
#define PROCEXE_DETAIL_CGROUP  (1u << 5) /* cgroup path (procexe_proc_cgroup) */
#define PROCEXE_DETAIL_ALL     0x3fu
void procexe_ctx_set_details(struct procexe_ctx *ctx, unsigned details);

/* Read one process's facts: see procexe_scan() for LOAD flags. */
#define PROCEXE_LOAD_DETAILS (1u << 0) /* the details set on the context */

struct procexe_proc;

/*
 * Read and classify process PID of the context's procfs.  Returns -ESRCH
 * when no such process exists (or it exited while being read), -ENOMEM,
 * -EMFILE, or another negative errno when procfs itself fails.  A process
 * the reader may not inspect (EACCES/EPERM) is a success with state
 * PROCEXE_STATE_DENIED.  Unlike procexe_scan(), it has no time limit: a
 * process stuck on a hung filesystem can block it.
 */
int procexe_proc_load(struct procexe_ctx *ctx, pid_t pid, unsigned load_flags,
                      struct procexe_proc **ret_proc);
void procexe_proc_free(struct procexe_proc *proc);

/*
 * Judge the open file FD (a regular file; borrowed, never closed) by the
 * rules procexe_proc_load() judges a process image by, as the caller sees
 * it: the kernel's name for FD (its /proc/self/fd link text, rendered from
 * the caller's root) is looked up from the caller's root and compared with
 * FD's device and inode.  For a caller holding an image whose process may
 * be gone (an exec watcher's pinned file).  The result is a procexe_proc
 * with PID 0, no details and no mappings, in one of the states fileless,
 * deleted, replaced, unlinked, unreachable or ok; procexe_proc_image()
 * gives the name and the identity.  -EINVAL when FD is not a regular
 * file, -ENOENT without procfs "self", -ENOMEM, or a negative errno of
 * statx(FD).
 */
int procexe_fd_load(struct procexe_ctx *ctx, int fd, struct procexe_proc **ret_proc);

pid_t procexe_proc_pid(const struct procexe_proc *proc);
enum procexe_state procexe_proc_state(const struct procexe_proc *proc);
unsigned procexe_proc_flags(const struct procexe_proc *proc);
/* errno that made the state denied/unknown (EACCES, EPERM, ...), else 0. */
int procexe_proc_errno(const struct procexe_proc *proc);

/*
 * Copy the executable image (the main program for loader launches) into
 * *ret, which the caller sized with ret->sz.  LOADER selects the ELF
 * interpreter instead; -ENODATA when the process was not loader-launched.
 */
int procexe_proc_image(const struct procexe_proc *proc, bool loader,
                       struct procexe_image *ret);

/* Details: NULL, -1 or 0 when not loaded (see procexe_ctx_set_details). */
pid_t procexe_proc_ppid(const struct procexe_proc *proc);
uid_t procexe_proc_uid(const struct procexe_proc *proc);
const char *procexe_proc_comm(const struct procexe_proc *proc);
/* Start time in nanoseconds since the epoch; 0 if unknown. */
uint64_t procexe_proc_start_ns(const struct procexe_proc *proc);
/* Command line: NUL-separated arguments, LEN bytes; NULL if unknown. */
const char *procexe_proc_cmdline(const struct procexe_proc *proc, size_t *ret_len);
/* The process's root directory as the reader sees it; NULL if "/" or unknown. */
const char *procexe_proc_root(const struct procexe_proc *proc);
/*
 * The process's cgroup path ("/system.slice/sshd.service"): the cgroup v2
 * one unless it is "/", else the v1 "name=systemd" one; NULL if unknown.
 * Raw bytes, NUL-terminated.
 */
const char *procexe_proc_cgroup(const struct procexe_proc *proc);

/*
 * Scan: read every process of the context's procfs (PIDS == NULL) or the
 * NPIDS given, in parallel, and return them sorted by PID.  DETAIL_STATES
 * is a bit mask (1u << state) of the states for which details are loaded;
 * pass PROCEXE_ALL_STATES to load them everywhere.  Nothing is dropped
 * silently:
 *  - a process the kernel confirms gone (exited before it was read, or a
 *    named PID that does not exist) has no record and is counted by
 *    procexe_list_vanished();
 *  - a process that could not be read for any other reason has a record
 *    in state PROCEXE_STATE_UNREACHABLE whose procexe_proc_errno() tells
 *    why, and no other facts: ETIMEDOUT when procexe gave up on it (its
 *    work passed the 2-second per-process deadline, or it kept a worker in
 *    the kernel for 3 seconds, e.g. a hung filesystem; such a process is
 *    not retried), another errno when reading it failed;
 *  - a record whose mapping list is incomplete has procexe_proc_maps_errno()
 *    != 0.
 * Only enumeration errors, -ENOMEM, -EMFILE and -ENFILE fail the scan.
 * Workers given up on are replaced; their slots (12 in all) are used again
 * once their threads return.
 */
#define PROCEXE_ALL_STATES ((1u << _PROCEXE_STATE_MAX) - 1)
/* Also load details for any process whose image is MODIFIED. */
#define PROCEXE_DETAILS_IF_MODIFIED (1u << 31)
/* Also load details for any process with a mapped file kept by
 * procexe_ctx_set_maps() in a state other than ok and unknown. */
#define PROCEXE_DETAILS_IF_MAPPINGS (1u << 30)

struct procexe_list;

int procexe_scan(struct procexe_ctx *ctx, const pid_t *pids, size_t npids,
                 unsigned detail_states, struct procexe_list **ret_list);
size_t procexe_list_count(const struct procexe_list *list);
/* How many PIDs (listed in the procfs or named) the kernel confirmed gone
 * (exited) before they could be read; they have no record in the list. */
size_t procexe_list_vanished(const struct procexe_list *list);
/* Borrowed: valid until procexe_list_free(). NULL when out of range. */
const struct procexe_proc *procexe_list_get(const struct procexe_list *list, size_t i);
void procexe_list_free(struct procexe_list *list);

/*
 * Streaming scan: the same reads as procexe_scan(), but each record is
 * handed to FN as soon as it and every record of a lower PID are done, so
 * memory stays flat in the number of processes (a bounded window of
 * records read ahead is held).  The contract:
 *  - FN is called from the calling thread, one call at a time, in
 *    ascending PID order, once per record; a PID named twice is read once;
 *  - PROC is the caller's during the call; FN returns 0 to let the scan
 *    free it, PROCEXE_SCAN_KEEP to keep it (free it with
 *    procexe_proc_free()), or a negative errno to stop the scan: the
 *    record is freed, no further call is made, the workers are told to
 *    stop, and that value is returned;
 *  - processes confirmed gone have no record: STATS->nvanished counts
 *    them, as procexe_list_vanished() does; STATS->ngiven_up counts the
 *    records made for processes given up on (ETIMEDOUT, also delivered);
 *  - -ENOMEM, -EMFILE, -ENFILE and enumeration errors fail the scan as
 *    for procexe_scan(); records already handed out stay handed out.
 * STATS may be NULL; else its sz must be set to sizeof(*STATS), and it is
 * filled before return, also on failure (except -EINVAL).
 */
#define PROCEXE_SCAN_KEEP 1
typedef int (*procexe_scan_fn)(struct procexe_proc *proc, void *userdata);
struct procexe_scan_stats {
	size_t sz;              /* set by the caller to sizeof(struct procexe_scan_stats) */
	size_t ndelivered;      /* records passed to FN */
	size_t nvanished;       /* PIDs confirmed gone, no record */
	size_t ngiven_up;       /* records made for processes given up on */
};
int procexe_scan_each(struct procexe_ctx *ctx, const pid_t *pids, size_t npids,
                      unsigned detail_states, procexe_scan_fn fn, void *userdata,
                      struct procexe_scan_stats *stats);

/*
 * ---- Mapped files: what must restart ----
 *
 * With procexe_ctx_set_maps(), loading a process also reads its
 * /proc/PID/maps and judges every distinct file it maps (libraries, the
 * ELF interpreter, data files), each once per process.  Paths are looked
 * up where the kernel's text is meaningful: in the reader's root, or, for
 * a process with another root or mount namespace, inside the process's
 * root (openat2 RESOLVE_IN_ROOT), so that containers raise no false alarm.
 * The main image (the exe; the program for loader launches) is not among
 * the mappings: its state is the process's.
 */
enum procexe_map_state {
	PROCEXE_MAP_OK = 0,     /* the path reaches the mapped file, unchanged
	                           since the process started */
	PROCEXE_MAP_DELETED,    /* the name it was mapped by is gone (" (deleted)") */
	PROCEXE_MAP_REPLACED,   /* another file now stands at the path */
	PROCEXE_MAP_MODIFIED,   /* same file, written in place after the process
	                           started (mtime, with ctime and birth time ruling
	                           out installs by rename and later copies) */
	PROCEXE_MAP_FILELESS,   /* never had a path: memfd, O_TMPFILE, shared
	                           memory, kernel objects (aio, DRM); mapped
	                           executable (as data: ok) */
	PROCEXE_MAP_UNKNOWN,    /* could not be verified (EACCES, not reachable
	                           from any root): see the mapping's err */
	_PROCEXE_MAP_STATE_MAX
};

/* "ok", "deleted", "replaced", "modified", "fileless", "unknown"; NULL if out of range. */
const char *procexe_map_state_name(enum procexe_map_state state);

/* procexe_ctx_set_maps() bits. */
#define PROCEXE_MAPS_EXEC    (1u << 0) /* judge files with an executable mapping */
#define PROCEXE_MAPS_DATA    (1u << 1) /* judge files mapped without exec too */
#define PROCEXE_MAPS_KEEP_OK (1u << 2) /* keep ok mappings in the result too */
#define PROCEXE_MAPS_TEXT    (1u << 3) /* read the maps text even where the kernel
                                          answers PROCMAP_QUERY (Linux 6.11+),
                                          which is faster for executable mappings */
/* Which mapped files loading a process judges (0, the default: none; maps
 * is not read).  Costs reading maps (the kernel generates it: ~50 us for a
 * typical process) plus lookups shared by the processes of one scan. */
void procexe_ctx_set_maps(struct procexe_ctx *ctx, unsigned maps);

/* Bits of struct procexe_mapping's flags. */
#define PROCEXE_MF_EXEC   (1u << 0) /* at least one mapping of it is executable */
#define PROCEXE_MF_SUFFIX (1u << 1) /* the kernel's text ended in " (deleted)" */
#define PROCEXE_MF_SCRIPT (1u << 2) /* not a mapping: the script file an interpreter
                                       (python, perl, ruby, node, php, a shell)
                                       was started on, as its command line names
                                       it (relative to its working directory when
                                       relative); start and end 0, dev and ino of
                                       the file standing there now (0: none).  The
                                       interpreter holds no reference to what it
                                       read: deleted = nothing stands at the name,
                                       replaced = the file there was born after the
                                       process started, modified = written in place
                                       after it started.  Judged with
                                       PROCEXE_MAPS_EXEC, listed last. */

/* One distinct mapped file; strings live as long as the owning procexe_proc. */
struct procexe_mapping {
	size_t sz;              /* set by the caller to sizeof(struct procexe_mapping) */
	const char *path;       /* unescaped ("\012" -> newline), " (deleted)" removed
	                           when proven, NUL-terminated */
	size_t path_len;
	enum procexe_map_state state;
	unsigned flags;         /* PROCEXE_MF_* */
	uint64_t dev, ino;      /* as maps shows them (makedev form) */
	uint64_t start, end;    /* address range of its first mapping */
	int64_t changed_sec;    /* MODIFIED: the change time that proves it, else 0 */
	int err;                /* UNKNOWN: why (positive errno), else 0 */
};

/* Kept mapped files, in the order of their first mapping (0 when maps was
 * not read).  Only files not ok, unless PROCEXE_MAPS_KEEP_OK. */
size_t procexe_proc_mapping_count(const struct procexe_proc *proc);
/* Copy mapped file I into *RET (sized by ret->sz); -ERANGE when I is out
 * of range, -EINVAL for a bad size. */
int procexe_proc_mapping(const struct procexe_proc *proc, size_t i,
                         struct procexe_mapping *ret);
/*
 * Why the list of mapped files is incomplete or missing (positive errno),
 * else 0: EACCES... maps could not be read; E2BIG more mapped files than
 * procexe keeps for one process (the first are listed); ENAMETOOLONG a
 * name too long to read; ETIMEDOUT the per-process deadline passed; EIO
 * no mapping at all while the process still had its executable.
 */
int procexe_proc_maps_errno(const struct procexe_proc *proc);

/*
 * ---- One verdict: does a process need attention, and why ----
 *
 * The one predicate every consumer asks (the scan, restart, recover --all,
 * explain): the bits that apply to PROC, 0 when it needs none.  The
 * mapped-file bits need procexe_ctx_set_maps() on the context it was
 * loaded with.
 */
#define PROCEXE_ATTN_IMAGE        (1u << 0) /* its image is fileless, deleted, replaced,
                                               unlinked, repointed or unreachable */
#define PROCEXE_ATTN_MODIFIED     (1u << 1) /* its image was written after it started */
#define PROCEXE_ATTN_MAPPED       (1u << 2) /* a mapped file, or the script it was
                                               started on (PROCEXE_MF_SCRIPT), was
                                               deleted, replaced or modified: it
                                               must restart */
#define PROCEXE_ATTN_MAPPED_FILELESS (1u << 3) /* it maps code that has no file (memfd...) */
#define PROCEXE_ATTN_INCOMPLETE   (1u << 4) /* not seen whole: given up on (timed out),
                                               unreadable, or its mapped files are not
                                               all known (procexe_proc_maps_errno()) */
unsigned procexe_proc_attention(const struct procexe_proc *proc);

/* The name of one PROCEXE_ATTN_* bit ("image", "modified", "mapped",
 * "mapped-fileless", "incomplete"), a static string; NULL for 0, several
 * bits or an unknown bit. */
const char *procexe_attention_name(unsigned bit);

/*
 * Why PROC was not seen whole (PROCEXE_ATTN_INCOMPLETE), one reason:
 * TIMEOUT and UNREADABLE for a record with no facts read (state
 * PROCEXE_STATE_UNREACHABLE, procexe_proc_errno() ETIMEDOUT or another
 * errno); else MAPS when its list of mapped files is incomplete
 * (procexe_proc_maps_errno(); only set when procexe_ctx_set_maps() had the
 * mappings read), except for a denied process; NONE otherwise and for NULL.
 */
enum procexe_incomplete {
	PROCEXE_INCOMPLETE_NONE = 0,
	PROCEXE_INCOMPLETE_TIMEOUT,     /* given up on after the deadline */
	PROCEXE_INCOMPLETE_UNREADABLE,  /* reading it failed */
	PROCEXE_INCOMPLETE_MAPS,        /* its mapped files are not all known */
	_PROCEXE_INCOMPLETE_MAX
};
enum procexe_incomplete procexe_proc_incomplete(const struct procexe_proc *proc);
/* "timeout", "unreadable", "maps-incomplete"; NULL for NONE or out of range. */
const char *procexe_incomplete_name(enum procexe_incomplete reason);

/*
 * ---- "Where is my executable?" ----
 *
 * The running image's path, for the calling process or any PID.  The
 * returned string is newly allocated (free() it).  The " (deleted)" suffix
 * is removed only when identity (device, inode) proves the text means the
 * image; flags say what else is true.  For a loader-launched program
 * ("ld.so ./prog") the path is the program's, with PROCEXE_LOADER.
 *
 * Errors: -ESRCH no such process (or it exited), -EACCES/-EPERM not
 * permitted, -ENOENT no executable (kernel thread, zombie) or, for self,
 * no way to find one, -ENAMETOOLONG path beyond what the kernel renders
 * (for self: only when it cannot be rebuilt from AT_EXECFN/argv[0] and the
 * current directory; procexe_self_open() still works), -ENOMEM.
 * For self, a path longer than PATH_MAX is rebuilt from the invoked name
 * (relative names against the current directory, so a chdir() since exec
 * may defeat it); for a deleted one that name is returned flagged
 * PROCEXE_DELETED|PROCEXE_UNVERIFIED.
 * Thread-safe, also after the main thread exited.  The self functions
 * remember the image's identity once per process (an exe repointed later
 * with prctl(PR_SET_MM) is not followed).
 */
#define PROCEXE_DELETED     (1u << 0) /* the image has no link left */
#define PROCEXE_REPLACED    (1u << 1) /* another file now stands at the path */
#define PROCEXE_LOADER      (1u << 2) /* launched through the ELF interpreter */
#define PROCEXE_FILELESS    (1u << 3) /* memfd/O_TMPFILE: the path is only a name */
#define PROCEXE_UNVERIFIED  (1u << 4) /* found without /proc (AT_EXECFN, argv[0],
                                         PATH); identity not checked */
#define PROCEXE_UNLINKED    (1u << 5) /* launch name gone, image linked elsewhere */
#define PROCEXE_UNREACHABLE (1u << 6) /* path cannot be verified from any root */
#define PROCEXE_REPOINTED   (1u << 7) /* exe link changed after exec (prctl) */

/* The name of one of these bits ("deleted", "replaced", "loader",
 * "fileless", "unverified", "unlinked", "unreachable", "repointed"), a
 * static string; NULL for 0, several bits or an unknown bit. */
const char *procexe_path_flag_name(unsigned bit);

int procexe_self_path(char **ret_path, unsigned *ret_flags);
int procexe_pid_path(pid_t pid, char **ret_path, unsigned *ret_flags);

/*
 * The directory of the running image (the path up to its last '/';
 * "/" for a file in the root), with the same flags.
 */
int procexe_self_dir(char **ret_dir, unsigned *ret_flags);

/*
 * The path the program was invoked as (AT_EXECFN made absolute, keeping
 * the symlinks the user typed), returned only when it still reaches the
 * running image; -ESTALE when it does not (also after a chdir() when it
 * was relative), -ENOENT when unknown (e.g. started by fexecve()).
 */
int procexe_self_invoked_path(char **ret_path);

/*
 * An fd of the running image, opened with OPEN_FLAGS (O_PATH or O_RDONLY,
 * O_CLOEXEC is always added).  Works when the file was deleted or replaced
 * or its path is too long.  Exception: a loader-launched program that was
 * deleted or replaced is reachable only through /proc/self/map_files,
 * which needs CAP_SYS_ADMIN or CAP_CHECKPOINT_RESTORE (else -EPERM).
 * Returns the fd or a negative errno.
 */
int procexe_self_open(int open_flags);

/*
 * Execute the very image that runs again (execveat of an fd of it), also
 * when it was deleted or replaced.  ENVP NULL means environ.  Returns only
 * on failure, with a negative errno.
 */
int procexe_self_reexec(char *const argv[], char *const envp[]);

/*
 * ---- Recovery: copying running images out, verified ----
 *
 * Contracts shared by these functions: descriptors passed in are borrowed
 * (never closed), descriptors returned are O_CLOEXEC and owned by the
 * caller.  Nothing is ever executed, loaded or interpreted.  Files are
 * created only directly beneath the directory fd given, atomically
 * (O_TMPFILE + linkat, or a temporary name + renameat2(RENAME_NOREPLACE)),
 * never over an existing name, with mode 0400.
 */

/*
 * Open the recovery directory PATH, safe for root when other users control
 * parts of the path.  PATH is resolved once, component by component, from
 * "/" (absolute PATH) or the working directory (relative PATH), without
 * following any symlink: a symlink anywhere, also before a final "/" or
 * "/.", gives -ELOOP.  Empty and "." components are skipped; ".." steps to
 * the parent of the directory reached so far, checked like any other.
 * Every directory on the way, the start included, must be owned by root
 * or the effective uid and not writable by group or others unless it has
 * the sticky bit: -EUSERS otherwise.  The final directory, when it exists,
 * must be owned by the effective uid (-EPERM) and not writable by group or
 * others unless sticky (-EUSERS); it is never chmod'ed.  When absent, it
 * alone is created (no parents: -ENOENT for a missing one) with mode 0700
 * whatever the umask.  -ENOTDIR when a component is not a directory,
 * -ENAMETOOLONG for a component over NAME_MAX, -EINVAL for an empty PATH,
 * other negative errno from openat/mkdirat.  Returns an O_RDONLY |
 * O_DIRECTORY fd.
 */
int procexe_recover_dir_open(const char *path);

/*
 * procexe_recover_dir_open(), and on failure *WHERE (when WHERE is not
 * NULL) = the length of the prefix of PATH that names the directory at
 * fault: the symlink, the untrusted or missing component, or the final
 * directory (0 for the working directory a relative PATH starts from).
 */
int procexe_recover_dir_open_ex(const char *path, size_t *where);

/*
 * Pin the running image of PROC (read through CTX): open it O_RDONLY
 * through the process's /proc/PID directory, so that the fd keeps the
 * image readable after the process exits.  For a loader-launched program
 * the program's mapping is opened through map_files (needs CAP_SYS_ADMIN
 * or CAP_CHECKPOINT_RESTORE, else -EPERM, unless the program still stands
 * at its path in the process's root).  The fd's device:inode is checked
 * against PROC's image: -ESTALE when the PID now runs something else.
 * Other errors: -ESRCH (exited), -EACCES/-EPERM, -ENOENT (no image).
 * Returns the fd.
 */
int procexe_recover_open(struct procexe_ctx *ctx, const struct procexe_proc *proc);

/*
 * Pin the file mapped at [START, END) in process PID through
 * /proc/PID/map_files (needs CAP_SYS_ADMIN or CAP_CHECKPOINT_RESTORE in
 * the initial user namespace, else -EPERM).  When DEV/INO are not both 0,
 * the fd must be that file (-ESTALE otherwise).  Returns the fd.
 */
int procexe_recover_open_map(struct procexe_ctx *ctx, pid_t pid, uint64_t start,
                             uint64_t end, uint64_t dev, uint64_t ino);

/*
 * Load libcrypto (dlopen of its versioned soname), which the copy
 * functions use for SHA-256, if it is not loaded yet: 0, or -ELIBACC when
 * it cannot be loaded.  Once loaded it stays loaded; a failure is not
 * remembered (the next call, or procexe_copy_run(), tries again).  Call it
 * before opening many descriptors (pinning images): loading needs a few
 * free descriptors and address space.  Thread-safe.
 */
int procexe_copy_init(void);

/* One copy in progress: created by procexe_copy_new(). */
struct procexe_copy;

/* Progress of procexe_copy_run(): DONE of TOTAL bytes (TOTAL may grow). */
typedef void (*procexe_progress_fn)(void *userdata, uint64_t done, uint64_t total);

/*
 * Prepare to copy the regular file SRC_FD (read from offset 0 with pread,
 * its offset is not used) into a new unnamed file beneath DIR_FD.
 * DIR_FD -1: hash only, nothing is written (procexe_copy_run() hashes with
 * the same checks; procexe_copy_verify() and the commits then give
 * -EINVAL).  -EINVAL when SRC_FD is not a regular file, errors of
 * open(O_TMPFILE) or of the temporary file's creation (-EROFS, -EACCES,
 * -ENOSPC...).
 */
int procexe_copy_new(int src_fd, int dir_fd, struct procexe_copy **ret_copy);

/*
 * Refuse sources larger than MAX_SIZE bytes (their apparent size,
 * st_size; 0, the default, for no limit): procexe_copy_run() then fails
 * with -EFBIG before reading anything.  -EINVAL after a successful run.
 */
int procexe_copy_set_max_size(struct procexe_copy *copy, uint64_t max_size);

/*
 * Copy the whole file byte for byte and compute its SHA-256 in the same
 * pass.  Holes (SEEK_DATA/SEEK_HOLE) stay holes in the copy; files larger
 * than 4 GiB are fine.  Succeeds only when the number of bytes copied
 * equals the source's size before and after the copy, the source did not
 * change meanwhile (size, mtime, ctime) and the copy's size is the same:
 * else -EAGAIN.  -EFBIG when the source is larger than the limit of
 * procexe_copy_set_max_size().  I/O errors as negative errno (-ENOSPC,
 * -EIO, ...); -ELIBACC when libcrypto (see procexe_copy_init()) cannot be
 * loaded.  Holes are hashed as zeros without being read, so the CPU cost
 * follows the apparent size.
 * PROGRESS may be NULL.
 */
int procexe_copy_run(struct procexe_copy *copy, procexe_progress_fn progress, void *userdata);

/*
 * After a successful run: confirm that the copy holds what was hashed, by
 * comparing it byte for byte with the source over the ranges where either
 * has data (SEEK_DATA/SEEK_HOLE; a hole counts as zeros and is never
 * read), and checking that the copy has the source's size and no data
 * beyond it.  0 when equal; -EIO when not; -EAGAIN when the source
 * changed (size, mtime, ctime) since the run started, so that it no longer
 * proves anything; I/O errors as negative errno.  Costs one more read of
 * the data of both files (from the page cache, usually), no hashing.
 */
int procexe_copy_verify(struct procexe_copy *copy);

/* After a successful run: the size and the raw SHA-256 (32 bytes). */
uint64_t procexe_copy_size(const struct procexe_copy *copy);
const unsigned char *procexe_copy_sha256(const struct procexe_copy *copy);
/* The SHA-256 as 64 lowercase hex digits (a static buffer of COPY). */
const char *procexe_copy_sha256_hex(const struct procexe_copy *copy);

/*
 * Give the copy its name beneath the directory: NAME_HINT (any bytes, may
 * be NULL; e.g. the image's path) is reduced to a safe base name (no '/',
 * no leading '.', only [A-Za-z0-9._+-], at most 48 bytes; "image" when
 * empty) followed by '-' and the first 16 hex digits of the SHA-256.  An
 * existing entry of that name is never replaced: "-2", "-3"... are tried
 * (up to 100), then -EEXIST.  *RET_NAME gets the new file's name (free()
 * it).  Only after a successful run; at most once.
 */
int procexe_copy_commit(struct procexe_copy *copy, const char *name_hint, char **ret_name);

/*
 * Give the copy exactly the name NAME beneath the directory (a plain name:
 * -EINVAL for one holding '/', starting with '.' or empty).  An existing
 * entry of that name (a symlink too) is never replaced: -EEXIST, and the
 * copy stays uncommitted (procexe_copy_free() removes it).  *RET_NAME gets
 * a copy of NAME (free() it).  Only after a successful run; at most once.
 */
int procexe_copy_commit_as(struct procexe_copy *copy, const char *name, char **ret_name);

/* Free COPY; an uncommitted copy leaves no file behind.  NULL is fine. */
void procexe_copy_free(struct procexe_copy *copy);

/*
 * Write LEN bytes of BUF as the new file NAME beneath DIR_FD (atomically,
 * mode 0400): -EEXIST when NAME exists (nothing is replaced), -EINVAL for
 * a NAME holding '/' or starting with '.'.
 */
int procexe_recover_write_file(int dir_fd, const char *name, const void *buf, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* PROCEXE_H */
