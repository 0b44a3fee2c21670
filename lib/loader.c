/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Programs started as "ld.so PROGRAM": the kernel executed the loader, so
 * the exe link names it; the program is only mmap()ed by the loader.  We
 * find the program among the mappings and verify it by device:inode.
 */
#include <elf.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <linux/openat2.h>

#include "internal.h"
#include "parse.h"

void pe_img_set_statx(struct pe_img *img, const struct statx *stx)
{
	img->have_stat = true;
	img->dev = makedev(stx->stx_dev_major, stx->stx_dev_minor);
	img->ino = stx->stx_ino;
	img->nlink = stx->stx_nlink;
	img->size = stx->stx_size;
	img->mode = stx->stx_mode;
	img->mtime_sec = stx->stx_mtime.tv_sec;
	img->mtime_nsec = stx->stx_mtime.tv_nsec;
	img->ctime_sec = stx->stx_ctime.tv_sec;
	img->ctime_nsec = stx->stx_ctime.tv_nsec;
	img->atime_sec = stx->stx_atime.tv_sec;
	img->atime_nsec = stx->stx_atime.tv_nsec;
	img->mnt_id = (stx->stx_mask & STATX_MNT_ID) ? stx->stx_mnt_id : 0;
}

static const char *base_name(const char *p, size_t len, size_t *ret_len)
{
	const char *slash = memrchr(p, '/', len);
	const char *b = slash ? slash + 1 : p;

	*ret_len = len - (size_t)(b - p);
	return b;
}

bool pe_exe_is_loader(struct pe_cache *cache, int dirfd, const struct pe_img *exe)
{
	struct pe_elf_info elf;
	const char *name;
	size_t nlen;
	char head[4096];
	ssize_t n;
	int known;

	if (!exe->path || !exe->have_stat)
		return false;
	name = base_name(exe->path, exe->path_len, &nlen);
	if (!pe_is_loader_name(name, nlen))
		return false;
	known = pe_cache_loader_get(cache, exe->dev, exe->ino);
	if (known >= 0)
		return known;
	{
		_cleanup_close_ int fd = openat(dirfd, "exe", O_RDONLY | O_CLOEXEC | O_NOCTTY);

		/* Unreadable (exec-only): the name is all we have. */
		if (fd < 0)
			return true;
		n = pread(fd, head, sizeof(head), 0);
	}
	known = n > 0 && pe_parse_elf(head, (size_t)n, &elf) == 0 &&
	        elf.type == ET_DYN && !elf.has_interp;
	pe_cache_loader_put(cache, exe->dev, exe->ino, known);
	return known;
}

static bool same_file(const struct pe_map *m, const struct pe_img *img)
{
	return m->ino == img->ino && makedev(m->dev_major, m->dev_minor) == img->dev;
}

/*
 * Identity of the file the loader's PROGRAM argument names, as the process
 * sees it: an inherited fd ("/proc/self/fd/N", "/dev/fd/N", as re-exec
 * helpers pass), else the path in the process's root, or relative to its
 * working directory.  Used only to pick among mappings, never trusted alone.
 */
static int program_identity(int dirfd, const char *arg, size_t len, uint64_t *dev, uint64_t *ino)
{
	static const char *const fd_prefixes[] = { "/proc/self/fd/", "/dev/fd/" };
	_cleanup_free_ char *path = pe_memdup0(arg, len);
	_cleanup_close_ int base = -1, fd = -1;
	struct open_how how = {
		.flags = O_PATH | O_CLOEXEC,
		.resolve = RESOLVE_NO_MAGICLINKS,
	};
	struct stat st;

	if (!path || !*path)
		return -EINVAL;
	for (size_t i = 0; i < PE_ARRAY_SIZE(fd_prefixes); i++) {
		size_t pl = strlen(fd_prefixes[i]);
		struct statx stx;
		char name[32];

		if (strncmp(path, fd_prefixes[i], pl) != 0 || strlen(path + pl) > 10 ||
		    strspn(path + pl, "0123456789") != strlen(path + pl) || !path[pl])
			continue;
		snprintf(name, sizeof(name), "fd/%s", path + pl);
		if (statx(dirfd, name, AT_STATX_DONT_SYNC, STATX_INO, &stx) < 0)
			return -errno;
		*dev = makedev(stx.stx_dev_major, stx.stx_dev_minor);
		*ino = stx.stx_ino;
		return 0;
	}
	if (path[0] == '/')
		how.resolve |= RESOLVE_IN_ROOT;
	base = openat(dirfd, path[0] == '/' ? "root" : "cwd", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (base < 0)
		return -errno;
	fd = (int)syscall(SYS_openat2, base, path, &how, sizeof(how));
	if (fd < 0 || fstat(fd, &st) < 0)
		return -errno;
	*dev = st.st_dev;
	*ino = st.st_ino;
	return 0;
}

int pe_find_loaded_program(int dirfd, const struct pe_img *exe, struct pe_img *ret)
{
	_cleanup_free_ char *maps = NULL, *cmdline = NULL, *path = NULL;
	struct pe_map m, by_id = { 0 }, by_name = { 0 }, below = { 0 };
	uint64_t arg_dev = 0, arg_ino = 0;
	bool arg_known = false;
	const char *arg = NULL, *argbase = NULL, *cur, *end;
	size_t maps_len, cmd_len, arg_len = 0, argbase_len = 0, idx, plen;
	uint64_t loader_start = UINT64_MAX;
	struct pe_img img = { 0 };
	char name[64];
	int r;

	r = pe_read_file_at(dirfd, "maps", 256u << 20, &maps, &maps_len);
	if (r < 0)
		return r;
	if (pe_read_file_at(dirfd, "cmdline", 1u << 20, &cmdline, &cmd_len) >= 0 &&
	    pe_loader_program_index(cmdline, cmd_len, &idx) >= 0 &&
	    pe_cmdline_arg(cmdline, cmd_len, idx, &arg, &arg_len) >= 0) {
		argbase = base_name(arg, arg_len, &argbase_len);
		arg_known = program_identity(dirfd, arg, arg_len, &arg_dev, &arg_ino) >= 0;
	}

	for (cur = maps, end = maps + maps_len; (r = pe_maps_next(&cur, end, &m)) != 0;)
		if (r > 0 && same_file(&m, exe) && m.start < loader_start)
			loader_start = m.start;

	/* Candidates: file mappings at offset 0 that are not the loader.  The
	 * program is the file the command line names (by identity, else by
	 * name), else the one the loader mapped first, which lies right below
	 * the loader itself. */
	for (cur = maps; (r = pe_maps_next(&cur, end, &m)) != 0;) {
		size_t blen;
		const char *b;

		if (r < 0 || !m.path || m.path[0] != '/' || m.offset != 0 || same_file(&m, exe))
			continue;
		b = base_name(m.path, m.path_len, &blen);
		if (!by_id.path && arg_known && m.ino == arg_ino &&
		    makedev(m.dev_major, m.dev_minor) == arg_dev)
			by_id = m;
		if (!by_name.path && argbase && blen == argbase_len && memcmp(b, argbase, blen) == 0)
			by_name = m;
		if (m.start < loader_start && (!below.path || m.start > below.start))
			below = m;
	}
	if (by_id.path)
		m = by_id;
	else if (by_name.path)
		m = by_name;
	else if (below.path)
		m = below;
	else
		return -ENOENT;

	path = malloc(m.path_len + PE_DELETED_SUFFIX_LEN + 1);
	if (!path)
		return -ENOMEM;
	plen = pe_maps_unescape(m.path, m.path_len, path);
	if (m.deleted) {
		memcpy(path + plen, PE_DELETED_SUFFIX, PE_DELETED_SUFFIX_LEN);
		plen += PE_DELETED_SUFFIX_LEN;
	}
	path[plen] = '\0';
	img.path_len = plen;
	img.launch_len = plen;
	img.dev = makedev(m.dev_major, m.dev_minor);
	img.ino = m.ino;
	img.nlink = PE_NLINK_UNKNOWN;
	img.map_start = m.start;
	img.map_end = m.end;

	/* Following map_files needs CAP_SYS_ADMIN or CAP_CHECKPOINT_RESTORE.
	 * Without it, a file still at its name in the process's root gives the
	 * same facts once its device:inode matches the mapping's; else the
	 * identity from maps stands and the link count is unknown. */
	snprintf(name, sizeof(name), "map_files/%" PRIx64 "-%" PRIx64, m.start, m.end);
	{
		_cleanup_close_ int fd = openat(dirfd, name, O_PATH | O_CLOEXEC);
		struct statx stx;

		if (fd < 0 && !m.deleted)
			fd = pe_open_in_proc_root(dirfd, path, plen, O_PATH);
		if (fd >= 0 && statx(fd, "", AT_EMPTY_PATH | AT_STATX_DONT_SYNC,
		                     STATX_BASIC_STATS | STATX_MNT_ID, &stx) == 0 &&
		    makedev(stx.stx_dev_major, stx.stx_dev_minor) == img.dev && stx.stx_ino == img.ino)
			pe_img_set_statx(&img, &stx);
	}
	img.path = pe_take_ptr(&path);
	*ret = img;
	return 0;
}
