/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "internal.h"

static const char *const state_names[_PROCEXE_STATE_MAX] = {
	[PROCEXE_STATE_KERNEL] = "kernel",
	[PROCEXE_STATE_ZOMBIE] = "zombie",
	[PROCEXE_STATE_DENIED] = "denied",
	[PROCEXE_STATE_FILELESS] = "fileless",
	[PROCEXE_STATE_DELETED] = "deleted",
	[PROCEXE_STATE_REPLACED] = "replaced",
	[PROCEXE_STATE_UNLINKED] = "unlinked",
	[PROCEXE_STATE_REPOINTED] = "repointed",
	[PROCEXE_STATE_UNREACHABLE] = "unreachable",
	[PROCEXE_STATE_OK] = "ok",
};

const char *procexe_version(void)
{
	return PROCEXE_VERSION_STRING;
}

const char *procexe_state_name(enum procexe_state state)
{
	if ((unsigned)state >= _PROCEXE_STATE_MAX)
		return NULL;
	return state_names[state];
}

int procexe_state_from_name(const char *name, enum procexe_state *ret_state)
{
	if (!name)
		return -EINVAL;
	for (unsigned i = 0; i < _PROCEXE_STATE_MAX; i++)
		if (strcmp(name, state_names[i]) == 0) {
			*ret_state = (enum procexe_state)i;
			return 0;
		}
	return -EINVAL;
}

bool procexe_state_is_suspicious(enum procexe_state state)
{
	switch (state) {
	case PROCEXE_STATE_FILELESS:
	case PROCEXE_STATE_DELETED:
	case PROCEXE_STATE_REPLACED:
	case PROCEXE_STATE_UNLINKED:
	case PROCEXE_STATE_REPOINTED:
	case PROCEXE_STATE_UNREACHABLE:
		return true;
	default:
		return false;
	}
}

static const char *const map_state_names[_PROCEXE_MAP_STATE_MAX] = {
	[PROCEXE_MAP_OK] = "ok",
	[PROCEXE_MAP_DELETED] = "deleted",
	[PROCEXE_MAP_REPLACED] = "replaced",
	[PROCEXE_MAP_MODIFIED] = "modified",
	[PROCEXE_MAP_FILELESS] = "fileless",
	[PROCEXE_MAP_UNKNOWN] = "unknown",
};

const char *procexe_map_state_name(enum procexe_map_state state)
{
	if ((unsigned)state >= _PROCEXE_MAP_STATE_MAX)
		return NULL;
	return map_state_names[state];
}
