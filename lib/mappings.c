/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The files a process maps, judged for "what must restart": each distinct
 * file (collected by mapset.c) once, by pe_judge_map(), until the
 * per-process deadline; at most PE_MAPS_KEEP_MAX files and
 * PE_MAPS_KEEP_BYTES of names are kept, the rest counted as incomplete.
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
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "internal.h"
#include "parse.h"

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

void pe_mapfiles_free(struct pe_mapfile *files, size_t n)
{
	for (size_t i = 0; files && i < n; i++)
		free(files[i].path);
	free(files);
}

/*
 * The name of F for judging, *RET_LEN bytes with any " (deleted)": the
 * collected text itself (no copy) unless it holds "\\012", which maps
 * writes for a newline but also shows for a literal backslash sequence;
 * then the raw name from the map_files link (readlink needs no capability)
 * or, failing that, the unescaped text, in *RET_OWNED (to free).
 */
static int file_text(const struct judging *j, const struct pe_mapset_file *f, const char **ret,
                     size_t *ret_len, char **ret_owned)
{
	const struct pe_mapset *set = j->in->set;
	const char *name = set->names + f->name_off;
	size_t suffix = f->deleted ? PE_DELETED_SUFFIX_LEN : 0;
	char *text = NULL;
	size_t len = 0;

	*ret_owned = NULL;
	if (set->raw_names || !memmem(name, f->name_len, "\\012", 4)) {
		*ret = name;    /* the suffix follows the name */
		*ret_len = f->name_len + suffix;
		return 0;
	}
	{
		char link[64];
		int r;

		snprintf(link, sizeof(link), "map_files/%" PRIx64 "-%" PRIx64, f->start, f->end);
		r = pe_readlink_at(j->in->dirfd, link, &text, &len);
		if (r == -ENOMEM)
			return r;
		if (r >= 0 && (f->deleted != (len > PE_DELETED_SUFFIX_LEN &&
		               memcmp(text + len - PE_DELETED_SUFFIX_LEN, PE_DELETED_SUFFIX,
		                      PE_DELETED_SUFFIX_LEN) == 0))) {
			free(text);     /* not the same file any more */
			text = NULL;
		}
	}
	if (!text) {
		text = malloc(f->name_len + PE_DELETED_SUFFIX_LEN + 1);
		if (!text)
			return -ENOMEM;
		len = pe_maps_unescape(name, f->name_len, text);
		memcpy(text + len, PE_DELETED_SUFFIX, suffix);
		len += suffix;
		text[len] = '\0';
	}
	*ret = *ret_owned = text;
	*ret_len = len;
	return 0;
}

/* The result of one process's judgement. */
struct kept {
	struct pe_mapfile *files;
	size_t n, cap;
	size_t bytes;           /* of kept names */
	int err;                /* E2BIG: some were judged but not kept */
};

static int keep(struct kept *k, const struct pe_mapset_file *f, const char *text,
                const struct pe_map_verdict *v, uint64_t dev)
{
	char *path;

	if (k->n == PE_MAPS_KEEP_MAX || k->bytes + v->path_len > PE_MAPS_KEEP_BYTES) {
		k->err = E2BIG;
		return 0;
	}
	if (k->n == k->cap) {
		size_t ncap = k->cap ? k->cap * 2 : 8;
		struct pe_mapfile *p = realloc(k->files, ncap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		k->files = p;
		k->cap = ncap;
	}
	path = pe_memdup0(text, v->path_len);
	if (!path)
		return -ENOMEM;
	k->bytes += v->path_len;
	k->files[k->n++] = (struct pe_mapfile){
		.path = path,
		.path_len = v->path_len,
		.state = v->state,
		.flags = (f->exec ? PROCEXE_MF_EXEC : 0) | (f->deleted ? PROCEXE_MF_SUFFIX : 0),
		.dev = dev,
		.ino = f->ino,
		.start = f->start,
		.end = f->end,
		.changed_sec = (int64_t)(v->changed_ns / 1000000000u),
		.err = v->err,
	};
	return 0;
}

/* Judge F; on a result worth keeping, append it to K. */
static int judge_one(struct judging *j, const struct pe_mapset_file *file, struct kept *k)
{
	const struct procexe_ctx *ctx = j->in->ctx;
	static const struct pe_map_ops ops = { .lookup = lookup_cb, .start_ns = start_cb };
	struct pe_mapfile_facts f;
	struct pe_map_verdict v;
	uint64_t dev = makedev(file->dev_major, file->dev_minor);
	_cleanup_free_ char *owned = NULL;
	const char *text;
	size_t len;
	int r;

	r = file_text(j, file, &text, &len, &owned);
	if (r < 0)
		return r;
	f = (struct pe_mapfile_facts){
		.text = text,
		.text_len = len,
		.suffix = file->deleted,
		.dev = dev,
		.ino = file->ino,
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
	return keep(k, file, text, &v, dev);
}

static bool is_main_image(const struct pe_maps_in *in, const struct pe_mapset_file *f)
{
	struct pe_map m;

	if (!in->main_img)
		return false;
	pe_mapset_file_map(in->set, f, &m);
	return pe_map_is_image(&m, in->main_img);
}

#define JUDGE_DEADLINE_EVERY 64 /* files between two looks at the clock */

int pe_judge_maps(const struct pe_maps_in *in, struct pe_mapfile **ret, size_t *ret_n,
                  int *ret_err)
{
	struct judging j = { .in = in, .same_ns = -1, .rootfd = -1 };
	const struct pe_mapset *set = in->set;
	struct kept k = { 0 };
	int r = 0;

	*ret_err = 0;
	for (size_t i = 0; i < set->n && r >= 0; i++) {
		const struct pe_mapset_file *f = &set->files[i];

		if (i % JUDGE_DEADLINE_EVERY == JUDGE_DEADLINE_EVERY - 1 &&
		    pe_cache_past_deadline(in->cache)) {
			*ret_err = ETIMEDOUT;
			break;
		}
		if (!f->exec && !(in->ctx->maps & PROCEXE_MAPS_DATA))
			continue;
		if (is_main_image(in, f))
			continue;
		r = judge_one(&j, f, &k);
	}
	if (j.rootfd >= 0)
		close(j.rootfd);
	free(j.scratch);
	if (r < 0) {
		pe_mapfiles_free(k.files, k.n);
		return r;
	}
	if (!*ret_err)
		*ret_err = k.err;
	*ret = k.files;
	*ret_n = k.n;
	return 0;
}
