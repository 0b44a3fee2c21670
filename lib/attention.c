/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The one verdict on a process (procexe_proc_attention()): its image's
 * state and MODIFIED flag, the states of the files it maps, and whether
 * it was seen whole.  Every subcommand asks this instead of judging again.
 */
#include "internal.h"

static unsigned mapped_attention(const struct procexe_proc *p)
{
	unsigned a = 0;

	for (size_t i = 0; i < p->nmaps; i++) {
		switch (p->maps[i].state) {
		case PROCEXE_MAP_DELETED:
		case PROCEXE_MAP_REPLACED:
		case PROCEXE_MAP_MODIFIED:
			a |= PROCEXE_ATTN_MAPPED;
			break;
		case PROCEXE_MAP_FILELESS:
			if (p->maps[i].flags & PROCEXE_MF_EXEC)
				a |= PROCEXE_ATTN_MAPPED_FILELESS;
			break;
		default:
			break;
		}
	}
	return a;
}

unsigned procexe_proc_attention(const struct procexe_proc *p)
{
	unsigned a = 0;

	if (!p)
		return 0;
	if (procexe_state_is_suspicious(p->state))
		a |= PROCEXE_ATTN_IMAGE;
	if (p->flags & PROCEXE_PF_MODIFIED)
		a |= PROCEXE_ATTN_MODIFIED;
	/* a record that holds no verdict on its image: given up on, or
	 * read only in part */
	if ((p->state == PROCEXE_STATE_UNREACHABLE && p->err && !p->exe.have_stat) || p->maps_err)
		a |= PROCEXE_ATTN_INCOMPLETE;
	return a | mapped_attention(p);
}
