/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * "Where is my executable?"  The fast path for the calling process is one
 * readlink of /proc/self/exe plus one lstat of its text, compared with the
 * image identity taken once per process.  Anything unusual (no match, a
 * loader, a path too long, no /proc) goes through the general reader
 * (proc.c) or the no-/proc fallbacks below.
 */
#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>

#include "internal.h"
#include "parse.h"

extern char **environ;

static pthread_once_t self_once = PTHREAD_ONCE_INIT;
static struct {
	bool valid;
	uint64_t dev, ino;
} self_id;

/*
 * Answers that stay true, kept per process under memo_lock: a loader
 * launch stays one (we keep the program's identity and launch path), and
 * an image with no links never regains one (we keep the whole answer, and
 * only check that nothing appeared at its path since).
 */
static pthread_mutex_t memo_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
	char *launch;           /* NULL: nothing remembered */
	uint64_t dev, ino;      /* the program (loader launches) */
	unsigned flags;
	bool gone;              /* image without links: answer is final */
} memo;

/* The leader's exe link vanishes when the main thread exits while others
 * run; the calling thread's own link still works. */
static ssize_t self_readlink(char *buf, size_t size)
{
	ssize_t n = readlink("/proc/self/exe", buf, size);

	if (n < 0 && errno == ENOENT)
		n = readlink("/proc/thread-self/exe", buf, size);
	return n;
}

static int self_open_link(int flags)
{
	int fd = open("/proc/self/exe", flags);

	if (fd < 0 && errno == ENOENT)
		fd = open("/proc/thread-self/exe", flags);
	return fd >= 0 ? fd : -errno;
}

static void self_id_init(void)
{
	struct statx stx;

	if (statx(AT_FDCWD, "/proc/self/exe", AT_STATX_DONT_SYNC, STATX_INO, &stx) == 0 ||
	    statx(AT_FDCWD, "/proc/thread-self/exe", AT_STATX_DONT_SYNC, STATX_INO, &stx) == 0) {
		self_id.dev = makedev(stx.stx_dev_major, stx.stx_dev_minor);
		self_id.ino = stx.stx_ino;
		self_id.valid = true;
	}
}

static bool same_id(const struct stat *st, uint64_t dev, uint64_t ino)
{
	return (uint64_t)st->st_dev == dev && (uint64_t)st->st_ino == ino;
}

/* The answer flags for a classified process. */
static unsigned flags_of(const struct procexe_proc *p, const struct pe_img *img)
{
	unsigned f = (p->flags & PROCEXE_PF_LOADER) ? PROCEXE_LOADER : 0;

	if (img->nlink == 0)
		f |= PROCEXE_DELETED;
	switch (p->state) {
	case PROCEXE_STATE_DELETED:
		f |= PROCEXE_DELETED;
		break;
	case PROCEXE_STATE_REPLACED:
		f |= PROCEXE_REPLACED;
		break;
	case PROCEXE_STATE_UNLINKED:
		f |= PROCEXE_UNLINKED;
		break;
	case PROCEXE_STATE_FILELESS:
		f = (f & ~PROCEXE_DELETED) | PROCEXE_FILELESS;
		break;
	case PROCEXE_STATE_UNREACHABLE:
		f |= PROCEXE_UNREACHABLE;
		break;
	case PROCEXE_STATE_REPOINTED:
		f |= PROCEXE_REPOINTED;
		break;
	default:
		break;
	}
	return f;
}

static int state_errno(const struct procexe_proc *p)
{
	switch (p->state) {
	case PROCEXE_STATE_KERNEL:
	case PROCEXE_STATE_ZOMBIE:
		return -ENOENT;
	case PROCEXE_STATE_DENIED:
		return -(p->err ? p->err : EACCES);
	default:
		return 0;
	}
}

/* Load NAME ("self" or a PID) of /proc with a throwaway context. */
static int load(const char *name, pid_t pid, struct procexe_proc **ret)
{
	struct procexe_ctx *ctx;
	int r = procexe_ctx_new(NULL, &ctx);

	if (r < 0)
		return r == -EMEDIUMTYPE ? -ENOENT : r;
	r = pe_proc_load(ctx, NULL, name, pid, 0, ret);
	procexe_ctx_free(ctx);
	return r;
}

/*
 * Absolute path of directory DIRFD of any length, by walking "..": the
 * kernel's getcwd and readlink stop at PATH_MAX.
 */
static int dir_path(int dirfd, char **ret)
{
	_cleanup_close_ int cur = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_free_ char *path = NULL;
	size_t len = 0;

	if (cur < 0)
		return -errno;
	for (int depth = 0; depth < 4096; depth++) {
		_cleanup_close_ int parent = openat(cur, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		struct stat cst, pst;
		struct dirent *de;
		DIR *d;
		bool found = false;

		if (parent < 0 || fstat(cur, &cst) < 0 || fstat(parent, &pst) < 0)
			return -errno;
		if (cst.st_dev == pst.st_dev && cst.st_ino == pst.st_ino)
			break; /* the root */
		d = fdopendir(dup(parent));
		if (!d)
			return -errno;
		while ((de = readdir(d))) {
			struct stat est;
			size_t nl = strlen(de->d_name);
			char *np;

			if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
				continue;
			/* d_ino of a mount point is the covered inode: stat it. */
			if (fstatat(parent, de->d_name, &est, AT_SYMLINK_NOFOLLOW) < 0 ||
			    est.st_dev != cst.st_dev || est.st_ino != cst.st_ino)
				continue;
			np = malloc(len + nl + 2);
			if (!np) {
				closedir(d);
				return -ENOMEM;
			}
			np[0] = '/';
			memcpy(np + 1, de->d_name, nl);
			if (len)
				memcpy(np + 1 + nl, path, len);
			len += nl + 1;
			np[len] = '\0';
			free(path);
			path = np;
			found = true;
			break;
		}
		closedir(d);
		if (!found)
			return -ENOENT;
		close(cur);
		cur = pe_take_fd(&parent);
	}
	if (!path)
		path = strdup("/");
	if (!path)
		return -ENOMEM;
	*ret = pe_take_ptr(&path);
	return 0;
}

/* "DIR/NAME" with a leading "./" of NAME dropped. */
static char *join(const char *dir, const char *name)
{
	size_t dl = strlen(dir);
	char *r;

	while (name[0] == '.' && name[1] == '/')
		name += 2;
	r = malloc(dl + strlen(name) + 2);
	if (r)
		sprintf(r, "%s%s%s", dir, dl && dir[dl - 1] == '/' ? "" : "/", name);
	return r;
}

/* NAME made absolute against the current directory (any length). */
static int absolute(const char *name, char **ret)
{
	_cleanup_free_ char *cwd = NULL;
	int r;

	if (name[0] == '/') {
		*ret = strdup(name);
		return *ret ? 0 : -ENOMEM;
	}
	r = dir_path(AT_FDCWD, &cwd);
	if (r < 0)
		return r;
	*ret = join(cwd, name);
	return *ret ? 0 : -ENOMEM;
}

/* First file of NAME found in $PATH that we may execute. */
static char *search_path(const char *name)
{
	const char *path = getenv("PATH");

	if (!path || !*path)
		path = "/usr/local/bin:/usr/bin:/bin";
	for (const char *p = path;; p++) {
		const char *colon = strchrnul(p, ':');
		_cleanup_free_ char *dir = pe_memdup0(p, (size_t)(colon - p));
		char *cand = dir ? join(*dir ? dir : ".", name) : NULL;

		if (cand && access(cand, X_OK) == 0)
			return cand;
		free(cand);
		if (!*colon)
			return NULL;
		p = colon;
	}
}

/* Without /proc: AT_EXECFN, then argv[0], then a PATH search. */
static int fallback_path(char **ret_path, unsigned *ret_flags)
{
	const char *execfn = (const char *)getauxval(AT_EXECFN);
	const char *cands[] = { execfn, program_invocation_name };

	for (size_t i = 0; i < PE_ARRAY_SIZE(cands); i++) {
		_cleanup_free_ char *abs = NULL;
		struct stat st;
		const char *c = cands[i];

		if (!c || !*c || strncmp(c, "/dev/fd/", 8) == 0)
			continue;
		if (!strchr(c, '/')) {
			abs = search_path(c);
			if (!abs)
				continue;
		} else if (absolute(c, &abs) < 0)
			continue;
		if (stat(abs, &st) == 0 && S_ISREG(st.st_mode)) {
			*ret_path = pe_take_ptr(&abs);
			*ret_flags = PROCEXE_UNVERIFIED;
			return 0;
		}
	}
	return -ENOENT;
}

/*
 * The kernel cannot render the path: rebuild it from what we were invoked
 * as, accepted when it reaches the image.  A deleted image reaches nothing:
 * then the invoked name, made absolute, is the best answer, flagged
 * unverified.
 */
static int long_path(const struct pe_img *img, char **ret, unsigned *ret_flags)
{
	const char *cands[] = { (const char *)getauxval(AT_EXECFN), program_invocation_name };
	char *guess = NULL;

	for (size_t i = 0; i < PE_ARRAY_SIZE(cands); i++) {
		_cleanup_free_ char *abs = NULL;
		struct stat st;

		if (!cands[i] || !strchr(cands[i], '/') || strncmp(cands[i], "/dev/fd/", 8) == 0 ||
		    absolute(cands[i], &abs) < 0)
			continue;
		/* The absolute form may exceed PATH_MAX: check the relative one. */
		if (stat(cands[i], &st) == 0 && same_id(&st, img->dev, img->ino)) {
			free(guess);
			*ret = pe_take_ptr(&abs);
			return 0;
		}
		if (!guess && img->nlink == 0 && stat(cands[i], &st) < 0 && errno == ENOENT)
			guess = pe_take_ptr(&abs);
	}
	if (!guess)
		return -ENAMETOOLONG;
	*ret = guess;
	*ret_flags |= PROCEXE_UNVERIFIED;
	return 0;
}

static int answer(const struct procexe_proc *p, bool self, char **ret_path, unsigned *ret_flags)
{
	const struct pe_img *img = pe_proc_main_image(p);
	unsigned flags;
	char *path;
	int r = state_errno(p);

	if (r < 0)
		return r;
	flags = flags_of(p, img);
	if (!img->path && p->err)
		return -p->err; /* the link could not be read at all */
	if (!img->path) {
		if (!self)
			return -ENAMETOOLONG;
		r = long_path(img, &path, &flags);
		if (r < 0)
			return r;
	} else {
		path = pe_memdup0(img->path, img->launch_len);
		if (!path)
			return -ENOMEM;
	}
	*ret_path = path;
	if (ret_flags)
		*ret_flags = flags;
	return 0;
}

static bool looks_like_loader(const char *path, size_t len)
{
	const char *slash = memrchr(path, '/', len);
	const char *b = slash ? slash + 1 : path;

	return pe_is_loader_name(b, len - (size_t)(b - path));
}

/* A remembered answer that still holds, or -EAGAIN. */
static int from_memo(char **ret_path, unsigned *ret_flags)
{
	struct stat st;
	int r = -EAGAIN;

	pthread_mutex_lock(&memo_lock);
	if (memo.launch) {
		int e = lstat(memo.launch, &st) == 0 ? 0 : errno;

		/* gone: still nothing at the name; loader: name still reaches it */
		if ((memo.gone && e == ENOENT) || (!memo.gone && !e && same_id(&st, memo.dev, memo.ino))) {
			*ret_path = strdup(memo.launch);
			*ret_flags = memo.flags;
			r = *ret_path ? 0 : -ENOMEM;
		}
	}
	pthread_mutex_unlock(&memo_lock);
	return r;
}

static void remember(const struct procexe_proc *p, const char *path, unsigned flags)
{
	const struct pe_img *img = pe_proc_main_image(p);
	bool gone = img->have_stat && img->nlink == 0 && p->state == PROCEXE_STATE_DELETED &&
	            !(flags & PROCEXE_UNVERIFIED);
	bool loader = (flags & PROCEXE_LOADER) && p->state == PROCEXE_STATE_OK;

	if (!gone && !loader)
		return;
	pthread_mutex_lock(&memo_lock);
	free(memo.launch);
	memo.launch = strdup(path);
	memo.dev = img->dev;
	memo.ino = img->ino;
	memo.flags = flags;
	memo.gone = gone;
	pthread_mutex_unlock(&memo_lock);
}

int procexe_self_path(char **ret_path, unsigned *ret_flags)
{
	struct procexe_proc *p = NULL;
	unsigned flags = 0;
	char buf[PATH_MAX];
	ssize_t n;
	int r;

	if (!ret_path)
		return -EINVAL;
	if (!ret_flags)
		ret_flags = &flags;
	n = self_readlink(buf, sizeof(buf) - 1);
	if (n >= 0) {
		struct stat st;

		buf[n] = '\0';
		/* A name already proven gone: the memo answers in one lookup. */
		if (pe_ends_deleted(buf, (size_t)n) &&
		    from_memo(ret_path, ret_flags) == 0)
			return 0;
		pthread_once(&self_once, self_id_init);
		if (self_id.valid && !looks_like_loader(buf, (size_t)n) &&
		    lstat(buf, &st) == 0 && same_id(&st, self_id.dev, self_id.ino)) {
			char *path = strdup(buf);

			if (!path)
				return -ENOMEM;
			*ret_path = path;
			*ret_flags = 0;
			return 0;
		}
	} else if (errno != ENAMETOOLONG) {
		return fallback_path(ret_path, ret_flags);
	}
	r = from_memo(ret_path, ret_flags);
	if (r != -EAGAIN)
		return r;
	r = load("self", getpid(), &p);
	if (r == -ENOENT || r == -ESRCH)
		return fallback_path(ret_path, ret_flags);
	if (r < 0)
		return r;
	r = answer(p, true, ret_path, ret_flags);
	if (r >= 0)
		remember(p, *ret_path, *ret_flags);
	procexe_proc_free(p);
	return r;
}

int procexe_pid_path(pid_t pid, char **ret_path, unsigned *ret_flags)
{
	struct procexe_proc *p = NULL;
	int r;

	if (!ret_path)
		return -EINVAL;
	if (pid <= 0)
		return -ESRCH;
	r = load(NULL, pid, &p);
	if (r < 0)
		return r;
	r = answer(p, pid == getpid(), ret_path, ret_flags);
	procexe_proc_free(p);
	return r;
}

int procexe_self_dir(char **ret_dir, unsigned *ret_flags)
{
	unsigned flags = 0;
	char *path, *slash;
	int r;

	if (!ret_dir)
		return -EINVAL;
	r = procexe_self_path(&path, &flags);
	if (r < 0)
		return r;
	slash = strrchr(path, '/');
	if (!slash) {
		free(path);
		return -ENOENT;
	}
	slash[slash == path ? 1 : 0] = '\0';
	*ret_dir = path;
	if (ret_flags)
		*ret_flags = flags;
	return 0;
}

/* Identity of the image whose path self_* answers (the program for
 * loader launches). */
static int self_main_id(uint64_t *dev, uint64_t *ino)
{
	struct procexe_proc *p = NULL;
	const struct pe_img *img;
	int r = load("self", getpid(), &p);

	if (r < 0)
		return r;
	img = pe_proc_main_image(p);
	r = img->have_stat || img->ino ? 0 : -ENOENT;
	*dev = img->dev;
	*ino = img->ino;
	procexe_proc_free(p);
	return r;
}

int procexe_self_invoked_path(char **ret_path)
{
	const char *execfn = (const char *)getauxval(AT_EXECFN);
	_cleanup_free_ char *abs = NULL;
	uint64_t dev, ino;
	struct stat st;
	int r;

	if (!ret_path)
		return -EINVAL;
	if (!execfn || !*execfn || strncmp(execfn, "/dev/fd/", 8) == 0)
		return -ENOENT;
	r = self_main_id(&dev, &ino);
	if (r < 0)
		return r;
	r = absolute(execfn, &abs);
	if (r < 0)
		return r;
	if (stat(execfn, &st) < 0 || !same_id(&st, dev, ino))
		return -ESTALE;
	*ret_path = pe_take_ptr(&abs);
	return 0;
}

/* An fd of a loader-launched program: its path when that still reaches
 * it, else its mapping (map_files needs CAP_SYS_ADMIN or
 * CAP_CHECKPOINT_RESTORE). */
static int open_program(const struct pe_img *img, int flags)
{
	char name[80];
	struct stat st;
	int fd;

	if (img->path) {
		_cleanup_free_ char *launch = pe_memdup0(img->path, img->launch_len);

		fd = launch ? open(launch, flags) : -1;
		if (fd >= 0 && fstat(fd, &st) == 0 && same_id(&st, img->dev, img->ino))
			return fd;
		if (fd >= 0)
			close(fd);
	}
	if (!img->map_start)
		return -ENOENT;
	{
		char mf[PE_MAP_FILES_NAME_MAX];

		pe_map_files_name(mf, img->map_start, img->map_end);
		snprintf(name, sizeof(name), "/proc/self/%s", mf);
	}
	fd = open(name, flags);
	return fd >= 0 ? fd : -errno;
}

static int self_open_impl(int open_flags, bool *ret_loader)
{
	int flags = (open_flags & (O_PATH | O_ACCMODE)) | O_CLOEXEC;
	struct procexe_proc *p = NULL;
	char buf[PATH_MAX];
	ssize_t n;
	int fd, r;

	*ret_loader = false;
	if ((open_flags & O_ACCMODE) != O_RDONLY)
		return -EINVAL;
	n = self_readlink(buf, sizeof(buf) - 1);
	if ((n >= 0 && !looks_like_loader(buf, (size_t)n)) || (n < 0 && errno == ENAMETOOLONG))
		return self_open_link(flags);
	if (n < 0) {
		_cleanup_free_ char *path = NULL;
		unsigned f;

		r = fallback_path(&path, &f);
		if (r < 0)
			return r;
		fd = open(path, flags);
		return fd >= 0 ? fd : -errno;
	}
	r = load("self", getpid(), &p);
	if (r < 0)
		return r;
	if (p->flags & PROCEXE_PF_LOADER) {
		*ret_loader = true;
		fd = open_program(&p->prog, flags);
	} else {
		fd = self_open_link(flags);
	}
	procexe_proc_free(p);
	return fd;
}

int procexe_self_open(int open_flags)
{
	bool loader;

	return self_open_impl(open_flags, &loader);
}

int procexe_self_reexec(char *const argv[], char *const envp[])
{
	_cleanup_close_ int fd = -1, ldfd = -1;
	bool loader;
	int r;

	if (!argv || !argv[0])
		return -EINVAL;
	if (!envp)
		envp = environ;
	fd = self_open_impl(O_PATH, &loader);
	if (fd < 0)
		return fd;
	if (loader) {
		/* The program needs its loader: run "LOADER --argv0 ARGV0
		 * /proc/self/fd/N ARGS", with N inherited across the exec. */
		size_t argc = 0;
		char fdpath[32];
		char **nargv;

		while (argv[argc])
			argc++;
		ldfd = self_open_link(O_PATH | O_CLOEXEC);
		if (ldfd < 0)
			return ldfd;
		nargv = calloc(argc + 4, sizeof(*nargv));
		if (!nargv)
			return -ENOMEM;
		snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", fd);
		nargv[0] = argv[0];
		nargv[1] = (char *)"--argv0";
		nargv[2] = argv[0];
		nargv[3] = fdpath;
		for (size_t i = 1; i < argc; i++)
			nargv[3 + i] = argv[i];
		if (fcntl(fd, F_SETFD, 0) < 0) {
			free(nargv);
			return -errno;
		}
		syscall(SYS_execveat, ldfd, "", nargv, envp, AT_EMPTY_PATH);
		r = -errno;
		free(nargv);
		return r;
	}
	syscall(SYS_execveat, fd, "", argv, envp, AT_EMPTY_PATH);
	return -errno;
}
