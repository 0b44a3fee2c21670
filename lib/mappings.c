/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The files a process maps, judged for "what must restart".  maps lists
 * one line per mapping; a library has four or five, so lines are merged
 * into distinct files (device, inode, text) first and each file is judged
 * once, by pe_judge_map().
 *
 * Lookups: the kernel renders a mapped file's name relative to the
 * reader's root when its mount is reachable from there, else relative to
 * the root of its mount namespace.  So a name is looked up in the reader's
 * root first (cached per worker: the processes of a host map the same few
 * files); a process in the reader's mount namespace is judged on that
 * answer alone, a process in another one (a container) on a lookup inside
 * its own root with RESOLVE_IN_ROOT unless the reader's root already
 * reached the very file.
 */
#include <fcntl.h>
#include <limits.h>
#include <sys/ioctl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "internal.h"
#include "parse.h"

struct file_entry {
	struct pe_map m;        /* its first maps line; m.path points into the input */
	bool exec;
	size_t next;            /* hash chain, SIZE_MAX at the end */
};

struct judging {
	const struct pe_maps_in *in;
	int same_ns;            /* 1/0: the process is/is not in the reader's mount
	                           namespace; -1 not asked yet */
	int rootfd;             /* /proc/PID/root, opened when first needed */
	int root_err;
	char *scratch;          /* NUL-terminated copy of a text prefix */
	size_t scratch_cap;
	bool enomem;            /* a lookup ran out of memory: fail the process */
};

static int in_reader_ns(struct judging *j)
{
	const struct procexe_ctx *ctx = j->in->ctx;
	struct statx stx;

	if (j->same_ns >= 0)
		return j->same_ns;
	if (!ctx->reader_root_known ||
	    statx(j->in->dirfd, "ns/mnt", AT_STATX_DONT_SYNC, STATX_INO, &stx) < 0)
		return j->same_ns = 0;
	return j->same_ns = stx.stx_ino == ctx->reader_mntns_ino;
}

static void lookup_cb(void *userdata, const char *text, size_t len, uint64_t dev,
                      uint64_t ino, struct pe_found *ret)
{
	struct judging *j = userdata;

	if (len + 1 > j->scratch_cap) {
		char *p = realloc(j->scratch, len + 1);

		if (!p) {
			j->enomem = true;
			*ret = (struct pe_found){ .r = PE_LOOKUP_UNKNOWN, .err = ENOMEM };
			return;
		}
		j->scratch = p;
		j->scratch_cap = len + 1;
	}
	if (memchr(text, '\0', len)) {
		*ret = (struct pe_found){ .r = PE_LOOKUP_UNKNOWN, .err = EINVAL };
		return;
	}
	memcpy(j->scratch, text, len);
	j->scratch[len] = '\0';

	pe_cache_lookup(j->in->cache, j->scratch, len, dev, ino, ret);
	if (ret->r == PE_LOOKUP_SAME || in_reader_ns(j))
		return;

	if (j->rootfd < 0 && j->root_err == 0) {
		j->rootfd = openat(j->in->dirfd, "root", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (j->rootfd < 0)
			j->root_err = errno;
	}
	if (j->rootfd < 0) {
		*ret = (struct pe_found){ .r = PE_LOOKUP_UNKNOWN, .err = j->root_err };
		return;
	}
	pe_root_lookup(j->rootfd, j->scratch, dev, ino, ret);
}

static uint64_t start_cb(void *userdata)
{
	const struct judging *j = userdata;

	return j->in->start_ns ? j->in->start_ns(j->in->userdata) : 0;
}

static size_t count_lines(const char *buf, size_t len)
{
	size_t n = 1;

	for (const char *p = buf, *end = buf + len; (p = memchr(p, '\n', (size_t)(end - p))); p++)
		n++;
	return n;
}

static uint64_t entry_hash(uint64_t dev, uint64_t ino)
{
	uint64_t h = (dev * 0x9e3779b97f4a7c15ull) ^ ino;

	return h ^ (h >> 29);
}

static bool same_entry(const struct pe_map *a, const struct pe_map *b)
{
	return a->ino == b->ino && a->dev_major == b->dev_major && a->dev_minor == b->dev_minor &&
	       a->deleted == b->deleted && a->path_len == b->path_len &&
	       memcmp(a->path, b->path, a->path_len) == 0;
}

/*
 * PROCMAP_QUERY (Linux 6.11, <linux/fs.h>): an ioctl on an open maps file
 * that returns one mapping at a time, filtered by the kernel: asking only
 * for file-backed executable mappings skips generating the text of every
 * other line, which is most of the cost of reading maps.  Names come raw
 * (no "\012" escaping), " (deleted)" appended as in maps.  Declared here
 * because older uapi headers lack it.
 */
struct pe_procmap_query {
	uint64_t size;
	uint64_t query_flags;
	uint64_t query_addr;
	uint64_t vma_start, vma_end, vma_flags, vma_page_size, vma_offset;
	uint64_t inode;
	uint32_t dev_major, dev_minor;
	uint32_t vma_name_size, build_id_size;
	uint64_t vma_name_addr, build_id_addr;
};
#define PE_PROCMAP_QUERY _IOWR('f', 17, struct pe_procmap_query)
#define PE_QUERY_VMA_READABLE   0x01u
#define PE_QUERY_VMA_WRITABLE   0x02u
#define PE_QUERY_VMA_EXECUTABLE 0x04u
#define PE_QUERY_VMA_SHARED     0x08u
#define PE_QUERY_COVERING_OR_NEXT 0x10u
#define PE_QUERY_FILE_BACKED    0x20u

static int grow(void **buf, size_t *cap, size_t need)
{
	size_t ncap = *cap ? *cap : 4096;
	void *p;

	if (need <= *cap)
		return 0;
	while (ncap < need)
		ncap *= 2;
	p = realloc(*buf, ncap);
	if (!p)
		return -ENOMEM;
	*buf = p;
	*cap = ncap;
	return 0;
}

int pe_maps_query(int dirfd, char **names, size_t *names_cap, struct pe_map **vmas,
                  size_t *vmas_cap, size_t *ret_n)
{
	_cleanup_close_ int fd = openat(dirfd, "maps", O_RDONLY | O_CLOEXEC);
	size_t n = 0, used = 0, vcap_bytes = *vmas_cap * sizeof(**vmas);
	uint64_t addr = 0;

	if (fd < 0)
		return errno == ENOENT ? ESRCH : errno;
	for (;;) {
		struct pe_procmap_query q;
		struct pe_map *m;
		size_t len;

		if (grow((void **)names, names_cap, used + PATH_MAX) < 0 ||
		    grow((void **)vmas, &vcap_bytes, (n + 1) * sizeof(**vmas)) < 0)
			return ENOMEM;
		*vmas_cap = vcap_bytes / sizeof(**vmas);
		q = (struct pe_procmap_query){
			.size = sizeof(q),
			.query_flags = PE_QUERY_COVERING_OR_NEXT | PE_QUERY_FILE_BACKED |
			               PE_QUERY_VMA_EXECUTABLE,
			.query_addr = addr,
			.vma_name_size = PATH_MAX,
			.vma_name_addr = (uint64_t)(uintptr_t)(*names + used),
		};
		if (ioctl(fd, PE_PROCMAP_QUERY, &q) < 0) {
			if (errno == ENOENT)
				break;  /* no mapping at or after addr */
			return errno;
		}
		if (q.vma_end <= addr)
			return EIO;    /* no progress: never loop */
		addr = q.vma_end;
		len = q.vma_name_size ? q.vma_name_size - 1 : 0;
		if (len == 0 || (*names)[used] != '/')
			continue;
		m = &(*vmas)[n++];
		*m = (struct pe_map){
			.start = q.vma_start,
			.end = q.vma_end,
			.offset = q.vma_offset,
			.perms = {
				(q.vma_flags & PE_QUERY_VMA_READABLE) ? 'r' : '-',
				(q.vma_flags & PE_QUERY_VMA_WRITABLE) ? 'w' : '-',
				(q.vma_flags & PE_QUERY_VMA_EXECUTABLE) ? 'x' : '-',
				(q.vma_flags & PE_QUERY_VMA_SHARED) ? 's' : 'p', '\0',
			},
			.dev_major = q.dev_major,
			.dev_minor = q.dev_minor,
			.ino = q.inode,
			.path = (const char *)(uintptr_t)used,  /* an offset until the end */
			.path_len = len,
		};
		if (len > PE_DELETED_SUFFIX_LEN &&
		    memcmp(*names + used + len - PE_DELETED_SUFFIX_LEN, PE_DELETED_SUFFIX,
		           PE_DELETED_SUFFIX_LEN) == 0) {
			m->deleted = true;
			m->path_len -= PE_DELETED_SUFFIX_LEN;
		}
		used += len + 1;
	}
	for (size_t i = 0; i < n; i++)
		(*vmas)[i].path = *names + (uintptr_t)(*vmas)[i].path;
	*ret_n = n;
	return 0;
}

/* Merge the maps lines (IN's text, or its queried mappings) into distinct
 * files; *RET_N of them in *RET. */
static int collect(const struct pe_maps_in *in, struct file_entry **ret, size_t *ret_n)
{
	size_t cap = in->vmas ? in->nvmas + 1 : count_lines(in->buf, in->len), nbuckets = 16, n = 0;
	_cleanup_free_ struct file_entry *files = NULL;
	_cleanup_free_ size_t *buckets = NULL;
	const char *cur = in->buf, *end = in->buf + in->len;
	size_t next_vma = 0;
	struct pe_map m;
	int r;

	while (nbuckets < cap * 2)
		nbuckets *= 2;
	files = malloc(cap * sizeof(*files));
	buckets = malloc(nbuckets * sizeof(*buckets));
	if (!files || !buckets)
		return -ENOMEM;
	memset(buckets, 0xff, nbuckets * sizeof(*buckets));

	for (;;) {
		size_t *slot, i;

		if (in->vmas) {
			if (next_vma == in->nvmas)
				break;
			m = in->vmas[next_vma++];
			r = 1;
		} else if ((r = pe_maps_next_file(&cur, end, &m)) == 0) {
			break;
		}

		if (r < 0)
			continue;  /* malformed */
		slot = &buckets[entry_hash(makedev(m.dev_major, m.dev_minor), m.ino) & (nbuckets - 1)];
		for (i = *slot; i != SIZE_MAX && !same_entry(&files[i].m, &m); i = files[i].next)
			;
		if (i == SIZE_MAX) {
			if (n == cap)
				break;  /* cannot happen: one entry per line at most */
			i = n++;
			files[i] = (struct file_entry){ .m = m, .next = *slot };
			*slot = i;
		}
		if (m.perms[2] == 'x')
			files[i].exec = true;
	}
	*ret = pe_take_ptr(&files);
	*ret_n = n;
	return 0;
}

void pe_mapfiles_free(struct pe_mapfile *files, size_t n)
{
	for (size_t i = 0; files && i < n; i++)
		free(files[i].path);
	free(files);
}

/*
 * The name of FILE for judging, *RET_LEN bytes with any " (deleted)": the
 * maps text itself (no copy) unless it holds "\\012", which maps writes for
 * a newline but also shows for a literal backslash sequence; then the raw
 * name from the map_files link (readlink needs no capability) or, failing
 * that, the unescaped text, in *RET_OWNED (to free).
 */
static int file_text(const struct judging *j, const struct pe_map *m, const char **ret,
                     size_t *ret_len, char **ret_owned)
{
	size_t suffix = m->deleted ? PE_DELETED_SUFFIX_LEN : 0;
	char *text = NULL;
	size_t len = 0;

	*ret_owned = NULL;
	/* queried names are raw, and followed by their suffix too */
	if (j->in->vmas || !memmem(m->path, m->path_len, "\\012", 4)) {
		*ret = m->path;   /* the suffix follows the name in the maps line */
		*ret_len = m->path_len + suffix;
		return 0;
	}
	{
		char link[64];
		int r;

		snprintf(link, sizeof(link), "map_files/%" PRIx64 "-%" PRIx64, m->start, m->end);
		r = pe_readlink_at(j->in->dirfd, link, &text, &len);
		if (r == -ENOMEM)
			return r;
		if (r >= 0 && (m->deleted != (len > PE_DELETED_SUFFIX_LEN &&
		               memcmp(text + len - PE_DELETED_SUFFIX_LEN, PE_DELETED_SUFFIX,
		                      PE_DELETED_SUFFIX_LEN) == 0))) {
			free(text);     /* not the same file any more */
			text = NULL;
		}
	}
	if (!text) {
		text = malloc(m->path_len + PE_DELETED_SUFFIX_LEN + 1);
		if (!text)
			return -ENOMEM;
		len = pe_maps_unescape(m->path, m->path_len, text);
		memcpy(text + len, PE_DELETED_SUFFIX, suffix);
		len += suffix;
		text[len] = '\0';
	}
	*ret = *ret_owned = text;
	*ret_len = len;
	return 0;
}

/* Judge FILE; on a result worth keeping, append it to *OUT. */
static int judge_one(struct judging *j, const struct file_entry *file,
                     struct pe_mapfile **out, size_t *nout, size_t *capout)
{
	const struct procexe_ctx *ctx = j->in->ctx;
	static const struct pe_map_ops ops = { .lookup = lookup_cb, .start_ns = start_cb };
	const struct pe_map *m = &file->m;
	struct pe_mapfile_facts f;
	struct pe_map_verdict v;
	uint64_t dev = makedev(m->dev_major, m->dev_minor);
	_cleanup_free_ char *owned = NULL;
	const char *text;
	char *path;
	size_t len;
	int r;

	r = file_text(j, m, &text, &len, &owned);
	if (r < 0)
		return r;
	f = (struct pe_mapfile_facts){
		.text = text,
		.text_len = len,
		.suffix = m->deleted,
		.dev = dev,
		.ino = m->ino,
		.shmem_dev = ctx->memfd_dev_known && dev == ctx->memfd_dev,
	};
	pe_judge_map(&f, ctx->boot_ns, &ops, j, &v);
	if (j->enomem)
		return -ENOMEM;
	/* Memory without a file is worth a row only as code: data buffers
	 * (shared memory of compositors, sound servers, databases) are not. */
	if (v.state == PROCEXE_MAP_FILELESS && !file->exec)
		v.state = PROCEXE_MAP_OK;
	if (v.state == PROCEXE_MAP_OK && !(ctx->maps & PROCEXE_MAPS_KEEP_OK))
		return 0;
	if (*nout == *capout) {
		size_t ncap = *capout ? *capout * 2 : 8;
		struct pe_mapfile *p = realloc(*out, ncap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		*out = p;
		*capout = ncap;
	}
	path = pe_memdup0(text, v.path_len);
	if (!path)
		return -ENOMEM;
	(*out)[(*nout)++] = (struct pe_mapfile){
		.path = path,
		.path_len = v.path_len,
		.state = v.state,
		.flags = (file->exec ? PROCEXE_MF_EXEC : 0) | (m->deleted ? PROCEXE_MF_SUFFIX : 0),
		.dev = dev,
		.ino = m->ino,
		.start = m->start,
		.end = m->end,
		.changed_sec = (int64_t)(v.changed_ns / 1000000000u),
		.err = v.err,
	};
	return 0;
}

int pe_judge_maps(const struct pe_maps_in *in, struct pe_mapfile **ret, size_t *ret_n)
{
	struct judging j = { .in = in, .same_ns = -1, .rootfd = -1 };
	_cleanup_free_ struct file_entry *files = NULL;
	struct pe_mapfile *out = NULL;
	size_t nfiles = 0, nout = 0, capout = 0;
	int r;

	r = collect(in, &files, &nfiles);
	if (r < 0)
		return r;
	for (size_t i = 0; i < nfiles && r >= 0; i++) {
		if (!files[i].exec && !(in->ctx->maps & PROCEXE_MAPS_DATA))
			continue;
		if (in->main_img && pe_map_is_image(&files[i].m, in->main_img))
			continue;
		r = judge_one(&j, &files[i], &out, &nout, &capout);
	}
	if (j.rootfd >= 0)
		close(j.rootfd);
	free(j.scratch);
	if (r < 0) {
		pe_mapfiles_free(out, nout);
		return r;
	}
	*ret = out;
	*ret_n = nout;
	return 0;
}
