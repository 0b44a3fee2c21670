/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Recovery: pin a process's image (an O_RDONLY fd of /proc/PID/exe or of a
 * map_files entry keeps the inode readable after the process exits), copy
 * it byte for byte beneath a directory fd while hashing it (SHA-256, one
 * pass over the data), and give the copy a name atomically, never
 * replacing anything.
 *
 * Safety rules kept here: every file is created with openat2(RESOLVE_BENEATH
 * | RESOLVE_NO_SYMLINKS) relative to the directory fd, as an O_TMPFILE (or a
 * temporary O_EXCL name where the filesystem has no O_TMPFILE), with mode
 * 0400; names are given with linkat()/renameat2(RENAME_NOREPLACE), which
 * fail with EEXIST on any existing entry, symlinks included.  No partial
 * file is ever left under a final name.  Nothing recovered is executed.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <linux/openat2.h>

#include "internal.h"

#define COPY_BUF_SIZE (1u << 20)
/* The buffers of a copy: the hash pipe's ring, then the read-back's four. */
#define COPY_MEM_SIZE ((size_t)PE_HASH_PIPE_SLOTS * COPY_BUF_SIZE)
#define HUGE_PAGE (2u << 20)
_Static_assert(COPY_MEM_SIZE >= 4 * COPY_BUF_SIZE, "the read-back needs four buffers");
#define NAME_BASE_MAX 48
#define NAME_TRIES 100
#define FILE_MODE 0400

static int openat2_beneath(int dir_fd, const char *path, int flags, mode_t mode)
{
	struct open_how how = {
		.flags = (uint64_t)(flags | O_CLOEXEC),
		.mode = (flags & (O_CREAT | __O_TMPFILE)) ? mode : 0,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
	};
	int fd = (int)syscall(SYS_openat2, dir_fd, path, &how, sizeof(how));

	return fd < 0 ? -errno : fd;
}

/* 0 when FD is the file DEV:INO (unchecked when both are 0). */
static int check_identity(int fd, uint64_t dev, uint64_t ino)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	if ((dev || ino) && (st.st_dev != dev || st.st_ino != ino))
		return -ESTALE;
	return 0;
}

static int open_pid_dir(struct procexe_ctx *ctx, pid_t pid)
{
	char name[24];
	int fd;

	if (pid <= 0)
		return -ESRCH;
	snprintf(name, sizeof(name), "%d", (int)pid);
	fd = openat(ctx->procfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	return fd;
}

static int open_map_at(int dirfd, uint64_t start, uint64_t end, uint64_t dev, uint64_t ino)
{
	_cleanup_close_ int fd = -1;
	char name[PE_MAP_FILES_NAME_MAX];
	int r;

	pe_map_files_name(name, start, end);
	fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	r = check_identity(fd, dev, ino);
	if (r < 0)
		return r;
	return pe_take_fd(&fd);
}

int procexe_recover_open_map(struct procexe_ctx *ctx, pid_t pid, uint64_t start,
                             uint64_t end, uint64_t dev, uint64_t ino)
{
	_cleanup_close_ int dirfd = -1;

	if (!ctx || start >= end)
		return -EINVAL;
	dirfd = open_pid_dir(ctx, pid);
	if (dirfd < 0)
		return dirfd;
	return open_map_at(dirfd, start, end, dev, ino);
}

int procexe_recover_open(struct procexe_ctx *ctx, const struct procexe_proc *proc)
{
	_cleanup_close_ int dirfd = -1, fd = -1;
	const struct pe_img *img;
	int r;

	if (!ctx || !proc)
		return -EINVAL;
	switch (proc->state) {
	case PROCEXE_STATE_KERNEL:
	case PROCEXE_STATE_ZOMBIE:
		return -ENOENT;
	case PROCEXE_STATE_DENIED:
		return proc->err ? -proc->err : -EACCES;
	default:
		break;
	}
	img = pe_proc_main_image(proc);
	if (!img->have_stat && !(proc->flags & PROCEXE_PF_LOADER))
		return proc->err ? -proc->err : -ENOENT;
	dirfd = open_pid_dir(ctx, proc->pid);
	if (dirfd < 0)
		return dirfd;

	if (!(proc->flags & PROCEXE_PF_LOADER)) {
		fd = openat(dirfd, "exe", O_RDONLY | O_CLOEXEC | O_NOCTTY);
		if (fd < 0)
			return errno == ENOENT ? -ESRCH : -errno;
		r = check_identity(fd, img->dev, img->ino);
		return r < 0 ? r : pe_take_fd(&fd);
	}

	/* The loader mapped the program: map_files, else its path if the
	 * program still stands there (checked by identity). */
	r = open_map_at(dirfd, img->map_start, img->map_end, img->dev, img->ino);
	if (r >= 0 || r == -ESTALE || !img->path || img->launch_len == 0)
		return r;
	fd = pe_open_in_proc_root(dirfd, img->path, img->launch_len, O_RDONLY | O_NOCTTY);
	if (fd < 0 || check_identity(fd, img->dev, img->ino) < 0)
		return r;
	return pe_take_fd(&fd);
}

/* ---- creating files beneath a directory ---- */

struct pe_tmp {
	int fd;                 /* read-write, -1 when none */
	int dir_fd;             /* borrowed */
	char name[40];          /* temporary name, "" for an O_TMPFILE */
	bool linked;            /* has its final name */
};

static void tmp_done(struct pe_tmp *t)
{
	if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
	if (t->name[0] && !t->linked)
		(void)unlinkat(t->dir_fd, t->name, 0);
	t->name[0] = '\0';
}

static int tmp_create(int dir_fd, struct pe_tmp *t)
{
	*t = (struct pe_tmp){ .fd = -1, .dir_fd = dir_fd };
	t->fd = openat2_beneath(dir_fd, ".", O_TMPFILE | O_RDWR, FILE_MODE);
	if (t->fd >= 0)
		return 0;
	if (t->fd != -EOPNOTSUPP && t->fd != -EISDIR && t->fd != -EINVAL)
		return t->fd;
	/* No O_TMPFILE here: a random temporary name, created exclusively. */
	for (int i = 0; i < NAME_TRIES; i++) {
		uint64_t rnd;

		if (getrandom(&rnd, sizeof(rnd), 0) != sizeof(rnd))
			return -EIO;
		snprintf(t->name, sizeof(t->name), ".procexe-tmp-%016" PRIx64, rnd);
		t->fd = openat2_beneath(dir_fd, t->name, O_CREAT | O_EXCL | O_RDWR | O_NOCTTY,
		                        FILE_MODE);
		if (t->fd >= 0)
			return 0;
		if (t->fd != -EEXIST)
			break;
	}
	{
		int r = t->fd;

		t->name[0] = '\0';
		t->fd = -1;
		return r;
	}
}

/* Give T the name NAME (a plain name, no '/'); -EEXIST when taken. */
static int tmp_link(struct pe_tmp *t, const char *name)
{
	char proc_path[64];

	if (t->linked)
		return -EALREADY;
	if (t->name[0]) {
		if (renameat2(t->dir_fd, t->name, t->dir_fd, name, RENAME_NOREPLACE) == 0) {
			t->name[0] = '\0';
			t->linked = true;
			return 0;
		}
		if (errno != EINVAL && errno != ENOSYS)
			return -errno;
		if (linkat(t->dir_fd, t->name, t->dir_fd, name, 0) < 0)
			return -errno;
		t->linked = true;
		(void)unlinkat(t->dir_fd, t->name, 0);
		t->name[0] = '\0';
		return 0;
	}
	if (linkat(t->fd, "", t->dir_fd, name, AT_EMPTY_PATH) == 0) {
		t->linked = true;
		return 0;
	}
	/* Without CAP_DAC_READ_SEARCH AT_EMPTY_PATH answers ENOENT: go
	 * through our own fd link, which names the same unnamed inode. */
	if (errno != ENOENT && errno != EPERM)
		return -errno;
	snprintf(proc_path, sizeof(proc_path), "/proc/self/fd/%d", t->fd);
	if (linkat(AT_FDCWD, proc_path, t->dir_fd, name, AT_SYMLINK_FOLLOW) < 0)
		return -errno;
	t->linked = true;
	return 0;
}

static bool plain_name(const char *name)
{
	return name && name[0] && name[0] != '.' && !strchr(name, '/');
}

static int write_all_at(int fd, const unsigned char *p, size_t len, uint64_t off)
{
	while (len > 0) {
		ssize_t n = pwrite(fd, p, len, (off_t)off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -EIO;
		p += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return 0;
}

int procexe_recover_write_file(int dir_fd, const char *name, const void *buf, size_t len)
{
	struct pe_tmp t;
	struct stat st;
	int r;

	if (!plain_name(name) || (!buf && len))
		return -EINVAL;
	r = tmp_create(dir_fd, &t);
	if (r < 0)
		return r;
	r = write_all_at(t.fd, buf, len, 0);
	if (r == 0 && fstat(t.fd, &st) < 0)
		r = -errno;
	else if (r == 0 && (uint64_t)st.st_size != len)
		r = -EIO;
	if (r == 0)
		r = tmp_link(&t, name);
	tmp_done(&t);
	return r;
}

/* ---- copying with SHA-256 ---- */

struct procexe_copy {
	int src_fd;             /* borrowed */
	unsigned char *mem;     /* COPY_MEM_SIZE bytes (mem_alloc()), NULL until run */
	struct pe_tmp tmp;      /* tmp.fd -1 for a hash-only copy */
	bool hash_only;         /* created with DIR_FD -1: nothing is written */
	bool done;              /* run succeeded */
	bool committed;
	uint64_t max_size;      /* 0: no limit */
	struct stat src_st;     /* the source when the run started */
	uint64_t size;
	unsigned char sha256[32];
	char hex[65];
};

/*
 * COPY_MEM_SIZE bytes of anonymous memory, on huge pages where the kernel
 * has them for the asking: a first touch of each 4 KiB page costs far more
 * than the copying through it on some VMs.  NULL when out of memory.
 */
static unsigned char *mem_alloc(void)
{
	size_t len = COPY_MEM_SIZE + HUGE_PAGE;
	unsigned char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
	                        -1, 0), *a;
	size_t head;

	if (p == MAP_FAILED)
		return NULL;
	a = (unsigned char *)(((uintptr_t)p + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1));
	head = (size_t)(a - p);
	if (head)
		(void)munmap(p, head);
	(void)munmap(a + COPY_MEM_SIZE, len - head - COPY_MEM_SIZE);
	(void)madvise(a, COPY_MEM_SIZE, MADV_HUGEPAGE);    /* a hint */
	return a;
}

static void mem_free(unsigned char *p)
{
	if (p)
		(void)munmap(p, COPY_MEM_SIZE);
}

int procexe_copy_init(void)
{
	return pe_sha256_load();
}

int procexe_copy_new(int src_fd, int dir_fd, struct procexe_copy **ret_copy)
{
	struct procexe_copy *c;
	struct stat st;
	int r;

	if (!ret_copy || src_fd < 0 || dir_fd < -1)
		return -EINVAL;
	if (fstat(src_fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->src_fd = src_fd;
	if (dir_fd == -1) {
		c->tmp = (struct pe_tmp){ .fd = -1, .dir_fd = -1 };
		c->hash_only = true;
		*ret_copy = c;
		return 0;
	}
	r = tmp_create(dir_fd, &c->tmp);
	if (r < 0) {
		free(c);
		return r;
	}
	*ret_copy = c;
	return 0;
}

int procexe_copy_set_max_size(struct procexe_copy *c, uint64_t max_size)
{
	if (!c || c->done)
		return -EINVAL;
	c->max_size = max_size;
	return 0;
}

static bool same_source(const struct stat *a, const struct stat *b)
{
	return a->st_size == b->st_size &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
	       a->st_ctim.tv_sec == b->st_ctim.tv_sec && a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

/* Copy [OFF, END) of the source, hashed through PIPE; -EAGAIN when it
 * ends early.  Each buffer is read once, then hashed (on the pipe's
 * thread) while this thread writes it to the copy. */
static int copy_range(struct procexe_copy *c, struct pe_hash_pipe *pipe, uint64_t off,
                      uint64_t end, uint64_t *done, uint64_t total,
                      procexe_progress_fn progress, void *userdata)
{
	while (off < end) {
		size_t want = end - off < COPY_BUF_SIZE ? (size_t)(end - off) : COPY_BUF_SIZE;
		unsigned char *buf;
		ssize_t n;
		int r = pe_hash_pipe_buffer(pipe, &buf);

		if (r < 0)
			return r;
		n = pread(c->src_fd, buf, want, (off_t)off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -EAGAIN; /* shrank under us */
		r = pe_hash_pipe_put(pipe, (size_t)n);
		if (r == 0 && c->tmp.fd >= 0)
			r = write_all_at(c->tmp.fd, buf, (size_t)n, off);
		if (r < 0)
			return r;
		off += (uint64_t)n;
		*done += (uint64_t)n;
		if (progress)
			progress(userdata, *done, total);
	}
	return 0;
}

static int copy_all(struct procexe_copy *c, struct pe_hash_pipe *pipe, uint64_t size,
                    procexe_progress_fn progress, void *userdata)
{
	uint64_t off = 0, done = 0;
	bool sparse = true;
	int r;

	while (off < size) {
		uint64_t data = off, hole = size;

		if (sparse) {
			off_t d = lseek(c->src_fd, (off_t)off, SEEK_DATA);

			if (d < 0 && errno == ENXIO) {
				data = size;            /* only a hole is left */
			} else if (d < 0) {
				sparse = false;         /* not supported: all data */
			} else {
				off_t h = lseek(c->src_fd, d, SEEK_HOLE);

				data = (uint64_t)d < size ? (uint64_t)d : size;
				hole = h < 0 ? size : (uint64_t)h < size ? (uint64_t)h : size;
				if (hole <= data)
					hole = size;
			}
		}
		if (data > off) {
			r = pe_hash_pipe_zeros(pipe, data - off);
			if (r < 0)
				return r;
			done += data - off;
			if (progress)
				progress(userdata, done, size);
		}
		r = copy_range(c, pipe, data, hole, &done, size, progress, userdata);
		if (r < 0)
			return r;
		off = hole;
	}
	/* Trailing holes: the length alone makes them. */
	if (c->tmp.fd >= 0 && ftruncate(c->tmp.fd, (off_t)size) < 0)
		return -errno;
	return 0;
}

int procexe_copy_run(struct procexe_copy *c, procexe_progress_fn progress, void *userdata)
{
	struct stat before, after, out;
	struct pe_hash_pipe *pipe = NULL;
	int r;

	if (!c || c->done || (c->tmp.fd < 0 && !c->hash_only))
		return -EINVAL;
	if (fstat(c->src_fd, &before) < 0)
		return -errno;
	if (c->max_size && (uint64_t)before.st_size > c->max_size)
		return -EFBIG;
	if (!c->mem && !(c->mem = mem_alloc()))
		return -ENOMEM;
	r = pe_hash_pipe_new(c->mem, COPY_BUF_SIZE, &pipe);
	if (r < 0)
		return r;
	/* A hint for a cold source (more readahead); its failure is harmless. */
	(void)posix_fadvise(c->src_fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	r = copy_all(c, pipe, (uint64_t)before.st_size, progress, userdata);
	if (r == 0)
		r = pe_hash_pipe_finish(pipe, c->sha256);
	pe_hash_pipe_free(pipe);
	if (r < 0)
		return r;
	/* Confirm: the source did not change or grow, the copy has its size. */
	if (c->hash_only)
		out.st_size = before.st_size;
	else if (fstat(c->tmp.fd, &out) < 0)
		return -errno;
	if (fstat(c->src_fd, &after) < 0)
		return -errno;
	if (!same_source(&before, &after) || out.st_size != before.st_size)
		return -EAGAIN;
	{
		char extra;
		ssize_t n = pread(c->src_fd, &extra, 1, before.st_size);

		if (n != 0)
			return n < 0 ? -errno : -EAGAIN;
	}
	c->size = (uint64_t)before.st_size;
	c->src_st = before;
	for (size_t i = 0; i < sizeof(c->sha256); i++)
		snprintf(c->hex + 2 * i, 3, "%02x", c->sha256[i]);
	c->done = true;
	return 0;
}

/* The first data offset of FD in [OFF, SIZE), SIZE when there is none;
 * OFF when the filesystem cannot tell (everything is data then). */
static int next_data(int fd, uint64_t off, uint64_t size, uint64_t *ret)
{
	off_t d = lseek(fd, (off_t)off, SEEK_DATA);

	if (d < 0 && errno == ENXIO)
		*ret = size;
	else if (d < 0 && errno == EIO)
		return -EIO;
	else if (d < 0)
		*ret = off;
	else
		*ret = (uint64_t)d < size ? (uint64_t)d : size;
	return 0;
}

/* The end of the data of FD that starts at OFF, at most SIZE. */
static uint64_t data_end(int fd, uint64_t off, uint64_t size)
{
	off_t h = lseek(fd, (off_t)off, SEEK_HOLE);

	return h < 0 || (uint64_t)h <= off || (uint64_t)h > size ? size : (uint64_t)h;
}

/* Read exactly LEN bytes of FD at OFF; -ENODATA when it ends before. */
static int read_exact(int fd, unsigned char *buf, size_t len, uint64_t off)
{
	while (len > 0) {
		ssize_t n = pread(fd, buf, len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -ENODATA;
		buf += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return 0;
}

static bool all_zero(const unsigned char *p, size_t len)
{
	return len == 0 || (p[0] == 0 && memcmp(p, p + 1, len - 1) == 0);
}

/*
 * The read-back is cut into chunks of COPY_BUF_SIZE bytes at multiples of
 * it; each worker (this thread and a helper) claims the next chunk from a
 * shared counter, so a worker kept off the CPU delays the other by one
 * chunk at most.  A chunk with no data in either file moves the counter
 * on to the next data.
 */
struct readback {
	const struct procexe_copy *c;
	uint64_t next;          /* the next chunk to claim (atomic) */
	bool stop;              /* set by the first worker with an answer (atomic) */
};

struct worker {
	struct readback *rb;
	unsigned char *a, *b;   /* COPY_BUF_SIZE bytes each */
	int r;                  /* 0 equal, 1 not, negative errno */
};

/*
 * Compare [OFF, END) of the copy and of the source, where each is either
 * all data (its fd given) or all hole (-1: zeros, not read); at most
 * COPY_BUF_SIZE bytes.  0 when equal, 1 when not (or the source ended
 * early), negative errno.
 */
static int compare_range(const struct worker *w, int copy_fd, int src_fd, uint64_t off,
                         uint64_t end)
{
	size_t n = (size_t)(end - off);
	int r;

	if (copy_fd >= 0 && (r = read_exact(copy_fd, w->a, n, off)) < 0)
		return r == -ENODATA ? 1 : r;
	if (src_fd >= 0 && (r = read_exact(src_fd, w->b, n, off)) < 0)
		return r == -ENODATA ? 1 : r;
	if (copy_fd >= 0 && src_fd >= 0)
		return memcmp(w->a, w->b, n) != 0;
	return !all_zero(copy_fd >= 0 ? w->a : w->b, n);
}

/*
 * Compare the chunk [LO, HI): every range where either file has data (a
 * hole against zeros, unread); ranges that are holes in both are skipped.
 * *NEXT_DATA gets the first offset at or after HI where either may have
 * data.  0 when equal, 1 when not, negative errno.
 */
static int compare_chunk(const struct worker *w, uint64_t lo, uint64_t hi, uint64_t *next_data_off)
{
	const struct procexe_copy *c = w->rb->c;
	uint64_t off = lo, size = c->size;

	while (off < size) {
		uint64_t dc, ds, d, ec, es, e;
		int r;

		if ((r = next_data(c->tmp.fd, off, size, &dc)) < 0 ||
		    (r = next_data(c->src_fd, off, size, &ds)) < 0)
			return r;
		d = dc < ds ? dc : ds;
		if (d >= hi) {
			*next_data_off = d;
			return 0;
		}
		/* From D each file is data up to its hole, or hole up to its data. */
		ec = dc == d ? data_end(c->tmp.fd, d, size) : dc;
		es = ds == d ? data_end(c->src_fd, d, size) : ds;
		e = ec < es ? ec : es;
		r = compare_range(w, dc == d ? c->tmp.fd : -1, ds == d ? c->src_fd : -1, d,
		                  e < hi ? e : hi);
		if (r != 0)
			return r;
		off = e < hi ? e : hi;
	}
	*next_data_off = size;
	return 0;
}

static void *readback_worker(void *arg)
{
	struct worker *w = arg;
	struct readback *rb = w->rb;
	uint64_t size = rb->c->size;

	w->r = 0;
	while (w->r == 0 && !__atomic_load_n(&rb->stop, __ATOMIC_RELAXED)) {
		uint64_t k = __atomic_fetch_add(&rb->next, 1, __ATOMIC_RELAXED), lo, hi, d = 0;

		if (k >= size / COPY_BUF_SIZE + 1 || (lo = k * COPY_BUF_SIZE) >= size)
			break;
		hi = size - lo < COPY_BUF_SIZE ? size : lo + COPY_BUF_SIZE;
		w->r = compare_chunk(w, lo, hi, &d);
		/* Nothing to compare until D: let no worker claim the chunks before. */
		for (uint64_t cur = __atomic_load_n(&rb->next, __ATOMIC_RELAXED);
		     w->r == 0 && cur < d / COPY_BUF_SIZE &&
		     !__atomic_compare_exchange_n(&rb->next, &cur, d / COPY_BUF_SIZE, false,
		                                  __ATOMIC_RELAXED, __ATOMIC_RELAXED);)
			;
	}
	if (w->r != 0)
		__atomic_store_n(&rb->stop, true, __ATOMIC_RELAXED);
	return NULL;
}

/*
 * The read-back of the whole copy against the source, by this thread and
 * a helper (this one alone when no thread can be started): 0 when equal,
 * 1 when not, negative errno.  BUF: 4 * COPY_BUF_SIZE bytes.
 */
static int compare_all(const struct procexe_copy *c, unsigned char *buf)
{
	struct readback rb = { .c = c };
	struct worker w[2];
	pthread_t t;
	bool threaded;

	for (unsigned i = 0; i < 2; i++)
		w[i] = (struct worker){ .rb = &rb, .a = buf + 2 * i * COPY_BUF_SIZE,
		                        .b = buf + (2 * i + 1) * COPY_BUF_SIZE };
	threaded = pe_thread_start(&t, readback_worker, &w[1]) == 0;
	readback_worker(&w[0]);
	if (threaded)
		pthread_join(t, NULL);
	else
		w[1].r = 0;
	if (w[0].r < 0 || w[1].r < 0)
		return w[0].r < 0 ? w[0].r : w[1].r;
	return w[0].r || w[1].r;
}

int procexe_copy_verify(struct procexe_copy *c)
{
	struct stat out, src;
	off_t beyond;
	int r;

	if (!c || !c->done || c->tmp.fd < 0 || !c->mem)
		return -EINVAL;
	r = compare_all(c, c->mem);
	if (r < 0)
		return r;
	/* The copy holds nothing beyond the size. */
	if (fstat(c->tmp.fd, &out) < 0)
		return -errno;
	beyond = lseek(c->tmp.fd, (off_t)c->size, SEEK_DATA);
	if ((uint64_t)out.st_size != c->size || beyond >= 0)
		r = 1;
	/* Equal to the source proves equal to what was hashed only if the
	 * source did not change since. */
	if (fstat(c->src_fd, &src) < 0)
		return -errno;
	if (!same_source(&c->src_st, &src))
		return -EAGAIN;
	return r == 0 ? 0 : -EIO;
}

uint64_t procexe_copy_size(const struct procexe_copy *c)
{
	return c && c->done ? c->size : 0;
}

const unsigned char *procexe_copy_sha256(const struct procexe_copy *c)
{
	return c && c->done ? c->sha256 : NULL;
}

const char *procexe_copy_sha256_hex(const struct procexe_copy *c)
{
	return c && c->done ? c->hex : NULL;
}

/* The safe base name of HINT into OUT (NAME_BASE_MAX + 1 bytes). */
static void safe_base(const char *hint, char *out)
{
	const char *b = hint ? hint : "";
	const char *slash = strrchr(b, '/');
	size_t len, n = 0;

	if (slash)
		b = slash + 1;
	len = strlen(b);
	if (pe_ends_deleted(b, len))
		len -= PE_DELETED_SUFFIX_LEN;
	if (len > 6 && memcmp(b, "memfd:", 6) == 0) {
		b += 6;
		len -= 6;
	}
	for (size_t i = 0; i < len && n < NAME_BASE_MAX; i++) {
		unsigned char ch = (unsigned char)b[i];
		bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		          (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' || ch == '+' || ch == '-';

		if (n == 0 && (ch == '.' || ch == '-'))
			continue;
		out[n++] = ok ? (char)ch : '_';
	}
	out[n] = '\0';
	if (n == 0)
		strcpy(out, "image");
}

int procexe_copy_commit(struct procexe_copy *c, const char *name_hint, char **ret_name)
{
	char base[NAME_BASE_MAX + 1], name[NAME_BASE_MAX + 40];
	int r = -EEXIST;

	if (!c || !ret_name || !c->done || c->committed || c->hash_only)
		return -EINVAL;
	safe_base(name_hint, base);
	for (int i = 1; i <= NAME_TRIES && r == -EEXIST; i++) {
		if (i == 1)
			snprintf(name, sizeof(name), "%s-%.16s", base, c->hex);
		else
			snprintf(name, sizeof(name), "%s-%.16s-%d", base, c->hex, i);
		r = tmp_link(&c->tmp, name);
	}
	if (r < 0)
		return r;
	c->committed = true;
	*ret_name = strdup(name);
	/* The file exists now; only the copy of its name failed. */
	return *ret_name ? 0 : -ENOMEM;
}

int procexe_copy_commit_as(struct procexe_copy *c, const char *name, char **ret_name)
{
	int r;

	if (!c || !ret_name || !c->done || c->committed || c->hash_only || !plain_name(name))
		return -EINVAL;
	r = tmp_link(&c->tmp, name);
	if (r < 0)
		return r;
	c->committed = true;
	*ret_name = strdup(name);
	/* The file exists now; only the copy of its name failed. */
	return *ret_name ? 0 : -ENOMEM;
}

void procexe_copy_free(struct procexe_copy *c)
{
	if (!c)
		return;
	tmp_done(&c->tmp);
	mem_free(c->mem);
	free(c);
}
