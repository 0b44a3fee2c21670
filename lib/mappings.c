/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The files a process maps, judged for "what must restart": each distinct
 * file (collected by mapset.c) once, by pe_judge_map(), until the
 * per-process deadline; at most PE_MAPS_KEEP_MAX files and
 * PE_MAPS_KEEP_BYTES of names are kept, the rest counted as incomplete.
 *
 * Everything it asks of the outside world goes through struct pe_map_ops:
 * pe_reader_map_ops() answers from a process being read (the resolver,
 * its start time, map_files, the deadline), the unit tests from fakes.
 */
#include <assert.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "internal.h"
#include "parse.h"

/* ---- the ops backed by a process being read ---- */

static void reader_lookup(void *userdata, const char *text, size_t len, uint64_t dev,
                          uint64_t ino, struct pe_found *ret)
{
	struct pe_reader *r = userdata;

	if (pe_resolve(r, text, len, dev, ino, 0, ret) < 0)
		*ret = (struct pe_found){ .r = PE_LOOKUP_UNKNOWN, .err = ENOMEM };
}

static uint64_t reader_start(void *userdata)
{
	return pe_reader_start_ns(userdata);
}

static int reader_raw_name(void *userdata, uint64_t start, uint64_t end, char **ret,
                           size_t *ret_len)
{
	char link[PE_MAP_FILES_NAME_MAX];

	pe_map_files_name(link, start, end);
	return pe_readlink_at(pe_reader_fd(userdata), link, ret, ret_len);
}

static bool reader_past_deadline(void *userdata)
{
	return pe_cache_past_deadline(((const struct pe_reader *)userdata)->cache);
}

const struct pe_map_ops *pe_reader_map_ops(void)
{
	static const struct pe_map_ops ops = {
		.lookup = reader_lookup,
		.start_ns = reader_start,
		.raw_name = reader_raw_name,
		.past_deadline = reader_past_deadline,
	};

	return &ops;
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
static int file_text(const struct pe_maps_in *in, const struct pe_mapset_file *f,
                     const char **ret, size_t *ret_len, char **ret_owned)
{
	const struct pe_mapset *set = in->set;
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
		int r = in->ops->raw_name(in->userdata, f->start, f->end, &text, &len);

		if (r == -ENOMEM)
			return r;
		if (r >= 0 && f->deleted != pe_ends_deleted(text, len)) {
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
	if (pe_grow((void **)&k->files, &k->cap, k->n + 1, sizeof(*k->files)) < 0)
		return -ENOMEM;
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
static int judge_one(const struct pe_maps_in *in, const struct pe_mapset_file *file,
                     struct kept *k)
{
	const struct procexe_ctx *ctx = in->ctx;
	struct pe_mapfile_facts f;
	struct pe_map_verdict v;
	uint64_t dev = makedev(file->dev_major, file->dev_minor);
	_cleanup_free_ char *owned = NULL;
	const char *text;
	size_t len;
	int r;

	r = file_text(in, file, &text, &len, &owned);
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
	pe_judge_map(&f, ctx->boot_ns, in->ops, in->userdata, &v);
	if (v.err == ENOMEM)
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
	const struct pe_mapset *set = in->set;
	struct kept k = { 0 };
	int r = 0;

	assert(in->ctx && in->set && in->ops && in->ops->raw_name && in->ops->past_deadline);
	*ret_err = 0;
	for (size_t i = 0; i < set->n && r >= 0; i++) {
		const struct pe_mapset_file *f = &set->files[i];

		if (i % JUDGE_DEADLINE_EVERY == JUDGE_DEADLINE_EVERY - 1 &&
		    in->ops->past_deadline(in->userdata)) {
			*ret_err = ETIMEDOUT;
			break;
		}
		if (!f->exec && !(in->ctx->maps & PROCEXE_MAPS_DATA))
			continue;
		if (is_main_image(in, f))
			continue;
		r = judge_one(in, f, &k);
	}
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
