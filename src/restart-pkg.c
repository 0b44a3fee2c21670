/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The owning package of restart's findings (restart_packages() in
 * restart-collect.h): only files of the host's root are looked up, in
 * one batch (pkgdb.h).  A path inside a container or chroot names a file
 * of that root, which the host's database does not describe.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "procexe.h"

#include "cli.h"
#include "pkgdb.h"
#include "restart-collect.h"

/* How a process stands to the reader's root. */
enum proc_root { ROOT_OTHER, ROOT_HOST, ROOT_HOST_OTHER_NS };

static bool stat_ino(const char *path, ino_t *ret)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return false;
	*ret = st.st_ino;
	return true;
}

/* PID's root ("/" or not) and mount namespace (ours or not), read from
 * PROCFS; OTHER when unknown. */
static enum proc_root proc_root(const char *procfs, pid_t pid, bool have_ns, ino_t my_ns)
{
	char path[PATH_MAX], link[4];
	ino_t ns;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/%d/root", procfs, (int)pid);
	n = readlink(path, link, sizeof(link));
	if (n != 1 || link[0] != '/')
		return ROOT_OTHER;
	snprintf(path, sizeof(path), "%s/%d/ns/mnt", procfs, (int)pid);
	if (have_ns && stat_ino(path, &ns) && ns == my_ns)
		return ROOT_HOST;
	return ROOT_HOST_OTHER_NS;
}

/* The directory of F's file opened (O_PATH) from DIRFD, with FLAGS
 * (RESOLVE_*) and no symbolic link followed; -1 when it cannot be. */
static int open_dir_of(const struct finding *f, int dirfd, unsigned long long flags)
{
	struct open_how how = {
		.flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
		.resolve = flags | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
	};
	const char *slash = memrchr(f->file, '/', f->file_len);
	char dir[PATH_MAX];
	size_t len;

	if (!slash || (size_t)(slash - f->file) >= sizeof(dir))
		return -1;
	len = slash == f->file ? 1 : (size_t)(slash - f->file);
	memcpy(dir, f->file, len);
	dir[len] = '\0';
	return (int)syscall(SYS_openat2, dirfd, dir, &how, sizeof(how));
}

/* Whether the directory of F's file, as process PID sees it (from its
 * root, in its mount namespace), is the host's directory of that name:
 * then the name is the host's (a service with private mounts), not a
 * mount of the process's own over it. */
static bool same_dir_as_host(const char *procfs, pid_t pid, const struct finding *f)
{
	struct stat a, b;
	char path[PATH_MAX];
	int rootfd, host, theirs;
	bool same;

	snprintf(path, sizeof(path), "%s/%d/root", procfs, (int)pid);
	rootfd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return false;
	theirs = open_dir_of(f, rootfd, RESOLVE_IN_ROOT);
	close(rootfd);
	host = open_dir_of(f, AT_FDCWD, 0);
	same = theirs >= 0 && host >= 0 && fstat(theirs, &a) == 0 && fstat(host, &b) == 0 &&
	       a.st_dev == b.st_dev && a.st_ino == b.st_ino;
	if (theirs >= 0)
		close(theirs);
	if (host >= 0)
		close(host);
	return same;
}

/* Whether finding F of the process PID whose root is R names a host file. */
static bool host_file(const char *procfs, pid_t pid, const struct finding *f, enum proc_root r)
{
	if (f->cat != CAT_RESTART || !f->file || f->file[0] != '/')
		return false;
	return r == ROOT_HOST || (r == ROOT_HOST_OTHER_NS && same_dir_as_host(procfs, pid, f));
}

int restart_packages(struct restart_set *set, const char *procfs, const char *admindir,
                     bool try_rpm)
{
	const struct rproc *last = NULL;
	enum proc_root r = ROOT_OTHER;
	bool *host = xreallocarray(NULL, set->n ? set->n : 1, sizeof(*host));
	ino_t my_ns = 0;
	bool have_ns = stat_ino("/proc/self/ns/mnt", &my_ns);
	int err;

	if (!procfs)
		procfs = "/proc";
	set->pkgdb = xcheck(pkgdb_new(PKGDB_MAX_PATHS, pkgdb_detect_aliases("/")));
	for (size_t i = 0; i < set->n; i++) {
		const struct finding *f = &set->findings[i];

		host[i] = false;
		if (f->cat != CAT_RESTART || !f->file)
			continue;
		if (f->proc != last) {
			last = f->proc;
			r = proc_root(procfs, f->proc->pid, have_ns, my_ns);
		}
		host[i] = host_file(procfs, f->proc->pid, f, r);
		if (host[i] && pkgdb_add(set->pkgdb, f->file, f->file_len) == -ENOMEM)
			errx_("%s", strerror(ENOMEM));
	}
	err = pkgdb_resolve(set->pkgdb, admindir);
	if (err == -ENOENT && try_rpm)
		err = pkgdb_resolve_rpm(set->pkgdb, "/usr/bin/rpm", "/var/lib/rpm");
	if (err == -ENOMEM)
		errx_("%s", strerror(ENOMEM));
	for (size_t i = 0; i < set->n; i++)
		if (host[i])
			set->findings[i].package = pkgdb_owner(set->pkgdb, set->findings[i].file,
			                                      set->findings[i].file_len);
	free(host);
	return err;
}
