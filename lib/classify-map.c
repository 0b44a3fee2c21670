/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The judgement of one file a process maps.  Pure: the maps facts come in
 * through struct pe_mapfile_facts, lookups and the start time through
 * pe_map_ops callbacks (asked only when needed), so every branch is
 * unit-tested with synthetic facts.
 *
 * The " (deleted)" suffix says the name the file was mapped by was
 * unlinked; what stands at that name now tells deleted (nothing) from
 * replaced (another file).  A live file may carry the suffix literally in
 * its name: the whole text is looked up before the suffix is believed.
 */
#include <string.h>
#include <sys/sysmacros.h>

#include "internal.h"

static bool has_prefix(const char *s, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);

	return len >= n && memcmp(s, prefix, n) == 0;
}

static bool is_exactly(const char *s, size_t len, const char *word)
{
	return len == strlen(word) && memcmp(s, word, len) == 0;
}

/*
 * Names the kernel gives to memory that never had a file: memfd (also on
 * hugetlbfs, outside the shmem mount), SysV segments, shared anonymous
 * memory, aio rings, DRM and dma-buf objects, shared anonymous huge pages.
 * They live on internal mounts, whose device numbers have major 0; a real
 * file so named on a disk is judged as a file.
 */
static bool pseudo_name(const char *s, size_t len, uint64_t dev)
{
	if (major(dev) != 0)
		return false;
	return has_prefix(s, len, "/memfd:") || has_prefix(s, len, "/SYSV") ||
	       has_prefix(s, len, "/dmabuf:") || is_exactly(s, len, "/dev/zero") ||
	       is_exactly(s, len, "/[aio]") || is_exactly(s, len, "/drm mm object") ||
	       is_exactly(s, len, "/anon_hugepage") || is_exactly(s, len, "/i915");
}

/*
 * The file stands at its name: ok, unless it was written in place after
 * the process started (pe_written_after_start()).  A file unchanged since
 * boot is older than any process: the start time is not asked then.
 */
static void judge_live(const struct pe_found *found, uint64_t boot_ns,
                       const struct pe_map_ops *ops, void *userdata,
                       struct pe_map_verdict *ret)
{
	const struct pe_times *t = &found->t;

	ret->state = PROCEXE_MAP_OK;
	if (t->m == 0 || (boot_ns && t->m <= boot_ns))
		return;
	if (pe_written_after_start(t, false, ops->start_ns, userdata)) {
		ret->state = PROCEXE_MAP_MODIFIED;
		ret->changed_ns = t->m;
	}
}

void pe_judge_map(const struct pe_mapfile_facts *f, uint64_t boot_ns,
                  const struct pe_map_ops *ops, void *userdata, struct pe_map_verdict *ret)
{
	size_t stripped = f->suffix ? f->text_len - PE_DELETED_SUFFIX_LEN : f->text_len;
	struct pe_found at_name = { .r = PE_LOOKUP_UNKNOWN }, literal;

	*ret = (struct pe_map_verdict){ .state = PROCEXE_MAP_UNKNOWN, .path_len = stripped };

	if (f->shmem_dev || pseudo_name(f->text, stripped, f->dev) ||
	    (f->suffix && pe_name_is_tmpfile(f->text, stripped, f->ino))) {
		ret->state = PROCEXE_MAP_FILELESS;
		return;
	}
	if (f->text_len == 0 || f->text[0] != '/') {
		ret->err = EINVAL;
		return;
	}

	ops->lookup(userdata, f->text, stripped, f->dev, f->ino, &at_name);
	if (at_name.r == PE_LOOKUP_SAME) {
		/* Also after an unlink: linked again under the same name. */
		judge_live(&at_name, boot_ns, ops, userdata, ret);
		return;
	}
	if (f->suffix) {
		ops->lookup(userdata, f->text, f->text_len, f->dev, f->ino, &literal);
		if (literal.r == PE_LOOKUP_SAME) {
			ret->path_len = f->text_len;
			judge_live(&literal, boot_ns, ops, userdata, ret);
			return;
		}
		/* The name is gone; what stands there now, if we can tell. */
		ret->state = at_name.r == PE_LOOKUP_DIFFERENT ? PROCEXE_MAP_REPLACED
		                                               : PROCEXE_MAP_DELETED;
		return;
	}
	switch (at_name.r) {
	case PE_LOOKUP_DIFFERENT:
		ret->state = PROCEXE_MAP_REPLACED;
		return;
	case PE_LOOKUP_ABSENT:
		/* Not unlinked, yet not there: overmounted, detached or
		 * renamed since maps was read.  Nothing proven. */
		ret->err = at_name.err ? at_name.err : ENOENT;
		return;
	case PE_LOOKUP_SAME:
	case PE_LOOKUP_UNKNOWN:
		break;
	}
	ret->err = at_name.err ? at_name.err : EIO;
}
