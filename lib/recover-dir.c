/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The recovery output directory, opened for a caller that may be root
 * while other users control parts of the path.
 *
 * The path is resolved once, one component at a time, from a pinned start
 * ("/" for an absolute path, the working directory for a relative one):
 * every step is an openat(O_PATH | O_NOFOLLOW) relative to the directory
 * fd reached so far, so no symlink is ever followed (a final "/" or "/."
 * does not make one followed either), and every directory on the way is
 * checked on the fd that the next step starts from.  ".." steps to the
 * parent of the directory fd reached so far, which is checked like any
 * other component.  Only the last component is ever created, with
 * mkdirat() relative to the checked parent fd; only the directory just
 * created there, checked on its own fd, is ever chmod'ed.
 */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "internal.h"

#define DIR_MODE 0700

int pe_dir_trusted(const struct stat *st, uid_t euid, bool final)
{
	if (!S_ISDIR(st->st_mode))
		return -ENOTDIR;
	if (final ? st->st_uid != euid : st->st_uid != 0 && st->st_uid != euid)
		return final ? -EPERM : -EUSERS;
	if ((st->st_mode & (S_IWGRP | S_IWOTH)) && !(st->st_mode & S_ISVTX))
		return -EUSERS;
	return 0;
}

/* The next component of *P (skipping "/" runs and "." components): its
 * start, or NULL at the end; *LEN its length, *P moved past it. */
static const char *next_component(const char **p, size_t *len)
{
	for (;;) {
		const char *s = *p + strspn(*p, "/");
		size_t n = strcspn(s, "/");

		*p = s + n;
		if (n == 0)
			return NULL;
		if (n != 1 || s[0] != '.') {
			*len = n;
			return s;
		}
	}
}

/* Copy component S (LEN bytes) into NAME (NAME_MAX + 1 bytes). */
static int component_name(char *name, const char *s, size_t len)
{
	if (len > NAME_MAX)
		return -ENAMETOOLONG;
	memcpy(name, s, len);
	name[len] = '\0';
	return 0;
}

/* Replace the directory fd *CUR by an O_PATH fd of NAME beneath it, a
 * directory trusted on the way (pe_dir_trusted).  -ELOOP on a symlink. */
static int step(int *cur, const char *name, uid_t euid)
{
	_cleanup_close_ int fd = openat(*cur, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;
	int r;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (S_ISLNK(st.st_mode))
		return -ELOOP;
	r = pe_dir_trusted(&st, euid, false);
	if (r < 0)
		return r;
	close(*cur);
	*cur = pe_take_fd(&fd);
	return 0;
}

/* Open the existing NAME beneath PARENT as the final directory: not a
 * symlink, a directory of EUID (-EPERM), not writable by others (-EUSERS). */
static int open_existing(int parent, const char *name, uid_t euid)
{
	_cleanup_close_ int fd = -1;
	struct stat st;
	int r;

	fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;

		/* O_NOFOLLOW | O_DIRECTORY on a symlink may answer ENOTDIR. */
		if (fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode))
			return -ELOOP;
		return -e;
	}
	if (fstat(fd, &st) < 0)
		return -errno;
	r = pe_dir_trusted(&st, euid, true);
	if (r < 0)
		return r;
	return pe_take_fd(&fd);
}

/* chmod the directory behind the O_PATH fd PFD (fchmod() refuses O_PATH
 * fds): through its /proc/self/fd magic link, which names that inode. */
static int chmod_path_fd(int pfd, mode_t mode)
{
	char proc[40];

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", pfd);
	return chmod(proc, mode) < 0 ? -errno : 0;
}

/*
 * Create NAME beneath PARENT and open it.  It must then be a directory of
 * EUID whose mode is one mkdirat(0700) could have produced (the umask
 * takes bits, a set-group-ID parent adds S_ISGID); that inode, and only
 * it, is then given mode 0700 (before it is opened when the umask left
 * its owner no access).  -EEXIST when NAME exists.
 */
static int create_final(int parent, const char *name, uid_t euid)
{
	_cleanup_close_ int pfd = -1, fd = -1;
	struct stat st;
	dev_t dev;
	ino_t ino;
	int r;

	if (mkdirat(parent, name, DIR_MODE) < 0)
		return -errno;
	pfd = openat(parent, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (pfd < 0 || fstat(pfd, &st) < 0)
		return -errno;
	if (S_ISLNK(st.st_mode))
		return -ELOOP;
	if (!S_ISDIR(st.st_mode) || st.st_uid != euid)
		return -EPERM;
	if (st.st_mode & 07777 & ~(mode_t)(DIR_MODE | S_ISGID))
		return -EUSERS;
	dev = st.st_dev;
	ino = st.st_ino;
	fd = openat(pfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 && errno == EACCES) {
		r = chmod_path_fd(pfd, DIR_MODE);
		if (r < 0)
			return r;
		fd = openat(pfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	}
	if (fd < 0 || fstat(fd, &st) < 0)
		return -errno;
	if (st.st_dev != dev || st.st_ino != ino)
		return -EUSERS;
	if ((st.st_mode & 07777) != DIR_MODE && fchmod(fd, DIR_MODE) < 0)
		return -errno;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (st.st_dev != dev || st.st_ino != ino || (st.st_mode & 07777) != DIR_MODE)
		return -EUSERS;
	return pe_take_fd(&fd);
}

/* The final directory NAME beneath PARENT: opened, or created when absent. */
static int open_final(int parent, const char *name, uid_t euid)
{
	int fd = open_existing(parent, name, euid);

	if (fd != -ENOENT)
		return fd;
	fd = create_final(parent, name, euid);
	if (fd == -EEXIST)
		fd = open_existing(parent, name, euid);
	return fd;
}

int procexe_recover_dir_open_ex(const char *path, size_t *where)
{
	_cleanup_close_ int cur = -1;
	const char *p = path, *s, *next;
	size_t len = 0, nlen;
	uid_t euid = geteuid();
	char name[NAME_MAX + 1];
	struct stat st;
	int r;

	if (where)
		*where = 0;
	if (!path || !*path)
		return -EINVAL;
	cur = open(path[0] == '/' ? "/" : ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (cur < 0)
		return -errno;
	if (where && path[0] == '/')
		*where = 1;
	if (fstat(cur, &st) < 0)
		return -errno;
	s = next_component(&p, &len);
	r = pe_dir_trusted(&st, euid, s == NULL);
	if (r < 0)
		return r;
	if (!s) {
		/* PATH names the start itself ("/", "."): checked as the final one. */
		int fd = openat(cur, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

		return fd < 0 ? -errno : fd;
	}
	for (;;) {
		next = next_component(&p, &nlen);
		if (where)
			*where = (size_t)(s - path) + len;
		r = component_name(name, s, len);
		if (r < 0)
			return r;
		if (!next)
			return open_final(cur, name, euid);
		r = step(&cur, name, euid);
		if (r < 0)
			return r;
		s = next;
		len = nlen;
	}
}

int procexe_recover_dir_open(const char *path)
{
	return procexe_recover_dir_open_ex(path, NULL);
}
