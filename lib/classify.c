/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The state decision.  Pure: every fact about the outside world comes in
 * through struct pe_facts or a pe_probe_ops callback, so each branch is
 * unit-tested with synthetic facts.  Identity (dev, ino, nlink of the file
 * reached by following the exe link) decides; the " (deleted)" text is only
 * a hint about which name to look up.
 */
#include <string.h>

#include "internal.h"

static bool has_suffix(const struct pe_img *img)
{
	return pe_ends_deleted(img->path, img->path_len);
}

static size_t strip_suffix_len(const struct pe_img *img)
{
	return has_suffix(img) ? img->path_len - PE_DELETED_SUFFIX_LEN : img->path_len;
}

bool pe_text_is_memfd(const struct pe_img *img)
{
	static const char prefix[] = "/memfd:";

	return img->path && img->path_len >= sizeof(prefix) - 1 &&
	       memcmp(img->path, prefix, sizeof(prefix) - 1) == 0;
}

bool pe_name_is_tmpfile(const char *s, size_t len, uint64_t ino)
{
	const char *name = memrchr(s, '/', len), *end = s + len;
	uint64_t v = 0;

	if (!name || end - name < 3 || name[1] != '#')
		return false;
	for (const char *p = name + 2; p < end; p++) {
		if (*p < '0' || *p > '9' || v > (UINT64_MAX - 9) / 10)
			return false;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	return v == ino;
}

bool pe_text_is_tmpfile(const struct pe_img *img)
{
	return has_suffix(img) && img->have_stat &&
	       pe_name_is_tmpfile(img->path, img->path_len - PE_DELETED_SUFFIX_LEN, img->ino);
}

static bool nlink_zero_or_unknown(const struct pe_img *img)
{
	return img->nlink == 0 || img->nlink == PE_NLINK_UNKNOWN;
}

/* The image is known; ask whether it is mapped before calling it STATE. */
static enum procexe_state unless_unmapped(const struct pe_facts *f, const struct pe_probe_ops *ops,
                                          void *userdata, enum procexe_state state,
                                          struct pe_verdict *ret)
{
	if (f->check_mapped && ops->image_mapped(userdata) == 0) {
		ret->flags |= PROCEXE_PF_NOT_MAPPED;
		return PROCEXE_STATE_REPOINTED;
	}
	return state;
}

static enum procexe_state decide(const struct pe_facts *f, const struct pe_probe_ops *ops,
                                 void *userdata, struct pe_verdict *ret)
{
	const struct pe_img *img = f->img;
	enum pe_lookup r;

	switch (f->exe_errno) {
	case 0:
		break;
	case ENOENT:
		return f->kthread ? PROCEXE_STATE_KERNEL : PROCEXE_STATE_ZOMBIE;
	case EACCES:
	case EPERM:
		return PROCEXE_STATE_DENIED;
	default:
		/* seccomp/LSM oddities (ENOSYS, EIO...): never guess "deleted". */
		return PROCEXE_STATE_UNREACHABLE;
	}

	if (has_suffix(img))
		ret->flags |= PROCEXE_PF_SUFFIX;
	if (f->text_errno == ENAMETOOLONG)
		ret->flags |= PROCEXE_PF_PATH_TOOLONG;
	ret->launch_len = strip_suffix_len(img);

	if (img->nlink == 0) {
		if (f->memfd_dev || pe_text_is_tmpfile(img))
			return PROCEXE_STATE_FILELESS;
		if (pe_text_is_memfd(img) && ops->mount_reachable(userdata) == 0)
			return PROCEXE_STATE_FILELESS;
	}

	if (!img->path) {
		/* No text to look up (too long): the link count still speaks. */
		if (nlink_zero_or_unknown(img))
			return PROCEXE_STATE_DELETED;
		return unless_unmapped(f, ops, userdata, PROCEXE_STATE_OK, ret);
	}

	r = ops->resolve(userdata, img->path, img->path_len);
	if (r == PE_LOOKUP_SAME) {
		/* Also for a live file really named "x (deleted)". */
		ret->launch_len = img->path_len;
		return unless_unmapped(f, ops, userdata, PROCEXE_STATE_OK, ret);
	}

	if (has_suffix(img)) {
		switch (ops->resolve(userdata, img->path, ret->launch_len)) {
		case PE_LOOKUP_SAME: /* the dentry was unlinked, yet: trust identity */
			return unless_unmapped(f, ops, userdata, PROCEXE_STATE_OK, ret);
		case PE_LOOKUP_DIFFERENT:
			return PROCEXE_STATE_REPLACED;
		case PE_LOOKUP_ABSENT:
			return nlink_zero_or_unknown(img) ? PROCEXE_STATE_DELETED
			                                  : PROCEXE_STATE_UNLINKED;
		case PE_LOOKUP_UNKNOWN:
			break;
		}
		if (nlink_zero_or_unknown(img))
			return PROCEXE_STATE_DELETED;
		return unless_unmapped(f, ops, userdata, PROCEXE_STATE_UNREACHABLE, ret);
	}

	/*
	 * The dentry is still linked (no suffix) but its name does not reach
	 * the image from any root we can resolve in: overmounted, detached,
	 * or in a namespace we cannot enter.
	 */
	ret->launch_len = img->path_len;
	return unless_unmapped(f, ops, userdata, PROCEXE_STATE_UNREACHABLE, ret);
}

void pe_classify(const struct pe_facts *f, const struct pe_probe_ops *ops,
                 void *userdata, struct pe_verdict *ret)
{
	memset(ret, 0, sizeof(*ret));
	ret->state = decide(f, ops, userdata, ret);
}
