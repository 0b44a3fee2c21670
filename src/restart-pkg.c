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

/* Whether F's file is on the device of its directory in the reader's
 * root, found without following any symbolic link. */
static bool on_host_device(const struct finding *f)
{
	struct open_how how = {
		.flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
		.resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
	};
	const char *slash = memrchr(f->file, '/', f->file_len);
	char dir[PATH_MAX];
	struct stat st;
	bool same;
	size_t len;
	int fd;

	if (!f->have_id || !slash || (size_t)(slash - f->file) >= sizeof(dir))
		return false;
	len = slash == f->file ? 1 : (size_t)(slash - f->file);
	memcpy(dir, f->file, len);
	dir[len] = '\0';
	fd = (int)syscall(SYS_openat2, AT_FDCWD, dir, &how, sizeof(how));
	if (fd < 0)
		return false;
	same = fstat(fd, &st) == 0 && st.st_dev == (dev_t)f->dev;
	close(fd);
	return same;
}

/* Whether finding F (of the process whose root is R) names a host file. */
static bool host_file(const struct finding *f, enum proc_root r)
{
	if (f->cat != CAT_RESTART || !f->file || f->file[0] != '/')
		return false;
	return r == ROOT_HOST || (r == ROOT_HOST_OTHER_NS && on_host_device(f));
}

int restart_packages(struct restart_set *set, const char *procfs, const char *admindir)
{
	const struct procexe_proc *last = NULL;
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
			r = proc_root(procfs, procexe_proc_pid(f->proc), have_ns, my_ns);
		}
		host[i] = host_file(f, r);
		if (host[i] && pkgdb_add(set->pkgdb, f->file, f->file_len) == -ENOMEM)
			errx_("%s", strerror(ENOMEM));
	}
	err = pkgdb_resolve(set->pkgdb, admindir);
	if (err == -ENOMEM)
		errx_("%s", strerror(ENOMEM));
	for (size_t i = 0; i < set->n; i++)
		if (host[i])
			set->findings[i].package = pkgdb_owner(set->pkgdb, set->findings[i].file,
			                                      set->findings[i].file_len);
	free(host);
	return err;
}
