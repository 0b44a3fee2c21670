/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Names of the bits of the flag sets (procexe_proc_flags(), the flags of
 * procexe_pid_path(), procexe_proc_attention()) and of the reasons a
 * record was not seen whole: the words every consumer prints, so that the
 * command, its JSON and the tests cannot disagree.  Static strings.
 */
#include <errno.h>

#include "internal.h"

/* TABLE[i] (of N) names bit i: the name of BIT when it is exactly one
 * bit that TABLE names, else NULL. */
static const char *name_of(const char *const *table, size_t n, unsigned bit)
{
	unsigned i;

	if (bit == 0 || (bit & (bit - 1)) != 0)
		return NULL;
	i = (unsigned)__builtin_ctz(bit);
	return i < n ? table[i] : NULL;
}

static const char *const pf_names[] = {
	[0] = "modified",       /* PROCEXE_PF_MODIFIED */
	[1] = "loader",         /* PROCEXE_PF_LOADER */
	[2] = "path-too-long",  /* PROCEXE_PF_PATH_TOOLONG */
	[3] = "other-root",     /* PROCEXE_PF_OTHER_ROOT */
	[4] = "suffix",         /* PROCEXE_PF_SUFFIX */
	[5] = "not-mapped",     /* PROCEXE_PF_NOT_MAPPED */
};

static const char *const path_flag_names[] = {
	[0] = "deleted",        /* PROCEXE_DELETED */
	[1] = "replaced",       /* PROCEXE_REPLACED */
	[2] = "loader",         /* PROCEXE_LOADER */
	[3] = "fileless",       /* PROCEXE_FILELESS */
	[4] = "unverified",     /* PROCEXE_UNVERIFIED */
	[5] = "unlinked",       /* PROCEXE_UNLINKED */
	[6] = "unreachable",    /* PROCEXE_UNREACHABLE */
	[7] = "repointed",      /* PROCEXE_REPOINTED */
};

static const char *const attention_names[] = {
	[0] = "image",          /* PROCEXE_ATTN_IMAGE */
	[1] = "modified",       /* PROCEXE_ATTN_MODIFIED */
	[2] = "mapped",         /* PROCEXE_ATTN_MAPPED */
	[3] = "mapped-fileless", /* PROCEXE_ATTN_MAPPED_FILELESS */
	[4] = "incomplete",     /* PROCEXE_ATTN_INCOMPLETE */
};

/* The tables follow the bit numbers of procexe.h. */
_Static_assert(PROCEXE_PF_MODIFIED == 1u << 0 && PROCEXE_PF_LOADER == 1u << 1 &&
	       PROCEXE_PF_PATH_TOOLONG == 1u << 2 && PROCEXE_PF_OTHER_ROOT == 1u << 3 &&
	       PROCEXE_PF_SUFFIX == 1u << 4 && PROCEXE_PF_NOT_MAPPED == 1u << 5,
	       "pf_names follows the PROCEXE_PF_* bits");
_Static_assert(PROCEXE_DELETED == 1u << 0 && PROCEXE_REPLACED == 1u << 1 &&
	       PROCEXE_LOADER == 1u << 2 && PROCEXE_FILELESS == 1u << 3 &&
	       PROCEXE_UNVERIFIED == 1u << 4 && PROCEXE_UNLINKED == 1u << 5 &&
	       PROCEXE_UNREACHABLE == 1u << 6 && PROCEXE_REPOINTED == 1u << 7,
	       "path_flag_names follows the procexe_pid_path() flag bits");
_Static_assert(PROCEXE_ATTN_IMAGE == 1u << 0 && PROCEXE_ATTN_MODIFIED == 1u << 1 &&
	       PROCEXE_ATTN_MAPPED == 1u << 2 && PROCEXE_ATTN_MAPPED_FILELESS == 1u << 3 &&
	       PROCEXE_ATTN_INCOMPLETE == 1u << 4,
	       "attention_names follows the PROCEXE_ATTN_* bits");

const char *procexe_pf_name(unsigned bit)
{
	return name_of(pf_names, PE_ARRAY_SIZE(pf_names), bit);
}

const char *procexe_path_flag_name(unsigned bit)
{
	return name_of(path_flag_names, PE_ARRAY_SIZE(path_flag_names), bit);
}

const char *procexe_attention_name(unsigned bit)
{
	return name_of(attention_names, PE_ARRAY_SIZE(attention_names), bit);
}

enum procexe_incomplete procexe_proc_incomplete(const struct procexe_proc *proc)
{
	unsigned attn = procexe_proc_attention(proc);
	int err;

	if (!proc || !(attn & PROCEXE_ATTN_INCOMPLETE))
		return PROCEXE_INCOMPLETE_NONE;
	/* unread: no verdict on its image either (see procexe_scan()) */
	err = proc->err;
	if (proc->state == PROCEXE_STATE_UNREACHABLE && err != 0)
		return err == ETIMEDOUT ? PROCEXE_INCOMPLETE_TIMEOUT : PROCEXE_INCOMPLETE_UNREADABLE;
	/* else only its list of mapped files is incomplete, which is set only
	 * when the mappings were read (procexe_ctx_set_maps()) */
	if (proc->state == PROCEXE_STATE_DENIED)
		return PROCEXE_INCOMPLETE_NONE;
	return PROCEXE_INCOMPLETE_MAPS;
}

static const char *const incomplete_names[_PROCEXE_INCOMPLETE_MAX] = {
	[PROCEXE_INCOMPLETE_NONE] = NULL,
	[PROCEXE_INCOMPLETE_TIMEOUT] = "timeout",
	[PROCEXE_INCOMPLETE_UNREADABLE] = "unreadable",
	[PROCEXE_INCOMPLETE_MAPS] = "maps-incomplete",
};

const char *procexe_incomplete_name(enum procexe_incomplete reason)
{
	if ((unsigned)reason >= _PROCEXE_INCOMPLETE_MAX)
		return NULL;
	return incomplete_names[reason];
}
