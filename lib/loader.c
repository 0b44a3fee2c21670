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
#include "lines.h"
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
	if (stx->stx_mask & STATX_BTIME) {
		img->btime_sec = stx->stx_btime.tv_sec;
		img->btime_nsec = stx->stx_btime.tv_nsec;
	}
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

/* A candidate mapping for the program, with its own copy of the name. */
struct cand {
	struct pe_map m;
	char *name;             /* owned; m.path points here; NULL: none yet */
	size_t cap;
};

static int cand_set(struct cand *c, const struct pe_map *m)
{
	if (m->path_len + 1 > c->cap) {
		char *p = realloc(c->name, m->path_len + 1);

		if (!p)
			return -ENOMEM;
		c->name = p;
		c->cap = m->path_len + 1;
	}
	memcpy(c->name, m->path, m->path_len);
	c->name[m->path_len] = '\0';
	c->m = *m;
	c->m.path = c->name;
	return 0;
}

/* The program argument of the loader's command line: its identity and base name. */
struct prog_arg {
	bool known;            /* dev/ino valid */
	uint64_t dev, ino;
	const char *base;       /* into cmdline; NULL when none */
	size_t base_len;
};

static void program_arg(int dirfd, const char *cmdline, size_t cmd_len, struct prog_arg *ret)
{
	const char *arg;
	size_t idx, arg_len;

	*ret = (struct prog_arg){ 0 };
	if (!cmdline || pe_loader_program_index(cmdline, cmd_len, &idx) < 0 ||
	    pe_cmdline_arg(cmdline, cmd_len, idx, &arg, &arg_len) < 0)
		return;
	ret->base = base_name(arg, arg_len, &ret->base_len);
	ret->known = program_identity(dirfd, arg, arg_len, &ret->dev, &ret->ino) >= 0;
}

/*
 * One pass over the maps, in address order.  Candidates: file mappings at
 * offset 0 that are not the loader.  The program is the file the command
 * line names (by identity, else by name), else the one the loader mapped
 * first, which lies right below the loader itself: the last candidate
 * before the loader's first mapping.
 */
static int pick_program(const struct pe_cache *cache, int dirfd, const struct pe_img *exe,
                        const struct prog_arg *arg, struct cand c[3])
{
	struct pe_lines rd;
	bool loader_seen = false;
	struct pe_map m;
	int r = pe_lines_open(&rd, dirfd, "maps", cache);

	if (r < 0)
		return r;
	while (r >= 0 && (r = pe_lines_next_map(&rd, &m, true)) > 0) {
		size_t blen;
		const char *b;

		if (same_file(&m, exe)) {
			loader_seen = true;
			continue;
		}
		if (m.offset != 0)
			continue;
		b = base_name(m.path, m.path_len, &blen);
		if (!c[0].name && arg->known && m.ino == arg->ino &&
		    makedev(m.dev_major, m.dev_minor) == arg->dev)
			r = cand_set(&c[0], &m);
		if (r >= 0 && !c[1].name && arg->base && blen == arg->base_len &&
		    memcmp(b, arg->base, blen) == 0)
			r = cand_set(&c[1], &m);
		if (r >= 0 && !loader_seen)
			r = cand_set(&c[2], &m);
	}
	pe_lines_close(&rd);
	return r;
}

/* The image facts of the program mapped as M (a maps line of DIRFD). */
static int program_image(int dirfd, const struct pe_map *mp, struct pe_img *ret)
{
	_cleanup_free_ char *path = NULL;
	const struct pe_map m = *mp;
	struct pe_img img = { 0 };
	char name[PE_MAP_FILES_NAME_MAX];
	size_t plen;

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
	pe_map_files_name(name, m.start, m.end);
	{
		_cleanup_close_ int fd = openat(dirfd, name, O_PATH | O_CLOEXEC);
		struct statx stx;

		if (fd < 0 && !m.deleted)
			fd = pe_open_in_proc_root(dirfd, path, plen, O_PATH);
		if (fd >= 0 && statx(fd, "", AT_EMPTY_PATH | AT_STATX_DONT_SYNC,
		                     STATX_BASIC_STATS | STATX_BTIME | STATX_MNT_ID, &stx) == 0 &&
		    makedev(stx.stx_dev_major, stx.stx_dev_minor) == img.dev && stx.stx_ino == img.ino)
			pe_img_set_statx(&img, &stx);
	}
	img.path = pe_take_ptr(&path);
	*ret = img;
	return 0;
}

int pe_find_loaded_program(const struct pe_cache *cache, int dirfd, const struct pe_img *exe,
                           struct pe_img *ret)
{
	_cleanup_free_ char *cmdline = NULL;
	struct cand c[3] = { { .cap = 0 } };    /* by identity, by name, below */
	struct prog_arg arg;
	size_t cmd_len = 0;
	int r;

	if (pe_read_file_at(dirfd, "cmdline", 1u << 20, &cmdline, &cmd_len) < 0)
		cmdline = NULL;
	program_arg(dirfd, cmdline, cmd_len, &arg);
	r = pick_program(cache, dirfd, exe, &arg, c);
	if (r >= 0) {
		const struct cand *pick = c[0].name ? &c[0] : c[1].name ? &c[1] : c[2].name ? &c[2] : NULL;

		r = pick ? program_image(dirfd, &pick->m, ret) : -ENOENT;
	}
	for (int i = 0; i < 3; i++)
		free(c[i].name);
	return r;
}
