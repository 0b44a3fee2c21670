/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The column table of procexe and the parsing of -o lists. */
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include <libsmartcols.h>

#include "procexe.h"

#include "columns.h"

#define D_STAT    PROCEXE_DETAIL_STAT
#define D_COMM    PROCEXE_DETAIL_COMM
#define D_UID     PROCEXE_DETAIL_UID
#define D_CMDLINE PROCEXE_DETAIL_CMDLINE
#define D_ROOT    PROCEXE_DETAIL_ROOT
#define D_CGROUP  PROCEXE_DETAIL_CGROUP

const struct colinfo infos[_COL_MAX] = {
	[COL_PID]      = { "PID",      5, SCOLS_FL_RIGHT, COLTYPE_NUMBER, 0,
			   "process ID" },
	[COL_PPID]     = { "PPID",     5, SCOLS_FL_RIGHT, COLTYPE_NUMBER, D_STAT,
			   "parent process ID" },
	[COL_UID]      = { "UID",      5, SCOLS_FL_RIGHT, COLTYPE_NUMBER, D_UID,
			   "user ID of the process (owner of /proc/PID)" },
	[COL_USER]     = { "USER",     8, 0, COLTYPE_STRING, D_UID,
			   "user name of the process (or its UID when the name is unknown)" },
	[COL_COMM]     = { "COMM",    16, 0, COLTYPE_STRING, D_COMM,
			   "command name (comm) of the process" },
	[COL_STATE]    = { "STATE",   11, 0, COLTYPE_STRING, 0,
			   "state of the executable image (see --help)" },
	[COL_EXE]      = { "EXE",    0.3, 0, COLTYPE_STRING, 0,
			   "path the program was launched from" },
	[COL_LOADER]   = { "LOADER", 0.2, 0, COLTYPE_STRING, 0,
			   "path of the ELF interpreter the program was launched through" },
	[COL_LINK]     = { "LINK",   0.3, 0, COLTYPE_STRING, 0,
			   "text of the /proc/PID/exe link as the kernel gives it" },
	[COL_DELETED]  = { "DELETED",  1, SCOLS_FL_RIGHT, COLTYPE_BOOLEAN, 0,
			   "the image has no link left in any directory" },
	[COL_MODIFIED] = { "MODIFIED", 1, SCOLS_FL_RIGHT, COLTYPE_BOOLEAN, 0,
			   "the image was changed after the process started" },
	[COL_NLINK]    = { "NLINK",    3, SCOLS_FL_RIGHT, COLTYPE_NUMBER, 0,
			   "link count of the image" },
	[COL_DEV]      = { "DEV",      5, 0, COLTYPE_STRING, 0,
			   "device (major:minor) of the image" },
	[COL_INODE]    = { "INODE",    8, SCOLS_FL_RIGHT, COLTYPE_NUMBER, 0,
			   "inode number of the image" },
	[COL_SIZE]     = { "SIZE",     8, SCOLS_FL_RIGHT, COLTYPE_NUMBER, 0,
			   "size of the image in bytes" },
	[COL_MODE]     = { "MODE",     4, SCOLS_FL_RIGHT, COLTYPE_STRING, 0,
			   "permission bits of the image, in octal" },
	[COL_MNTID]    = { "MNTID",    4, SCOLS_FL_RIGHT, COLTYPE_NUMBER, 0,
			   "mount ID of the image" },
	[COL_ROOT]     = { "ROOT",   0.1, 0, COLTYPE_STRING, D_ROOT,
			   "root directory of the process, when it is not /" },
	[COL_START]    = { "START",   24, 0, COLTYPE_STRING, D_STAT,
			   "start time of the process (table: ISO 8601, local time; JSON: RFC 3339, UTC)" },
	[COL_CMDLINE]  = { "CMDLINE", 0.3, SCOLS_FL_TRUNC, COLTYPE_STRING, D_CMDLINE,
			   "command line, arguments separated by spaces" },
	[COL_CGROUP]   = { "CGROUP", 0.2, 0, COLTYPE_STRING, D_CGROUP,
			   "cgroup path of the process (v2, else the v1 name=systemd one)" },
	[COL_ERROR]    = { "ERROR",   10, 0, COLTYPE_STRING, 0,
			   "why the process could not be inspected" },
};

_Static_assert(sizeof(infos) / sizeof(infos[0]) == _COL_MAX,
	       "infos[] and COL_* disagree");

const struct colset default_scan_columns = {
	.n = 6,
	.ids = { COL_PID, COL_USER, COL_COMM, COL_STATE, COL_MODIFIED, COL_EXE },
};

const struct colset default_ls_columns = {
	.n = 5,
	.ids = { COL_PID, COL_USER, COL_COMM, COL_STATE, COL_EXE },
};

const char *col_type_name(enum col_type type)
{
	switch (type) {
	case COLTYPE_NUMBER:
		return "number";
	case COLTYPE_BOOLEAN:
		return "boolean";
	case COLTYPE_NUMBERS:
		return "array of numbers";
	case COLTYPE_STRING:
		break;
	}
	return "string";
}

void colset_all(struct colset *ret)
{
	for (int i = 0; i < _COL_MAX; i++)
		ret->ids[i] = i;
	ret->n = _COL_MAX;
}

unsigned colset_details(const struct colset *set)
{
	return colset_details_in(infos, set);
}

unsigned colset_details_in(const struct colinfo *table, const struct colset *set)
{
	unsigned details = 0;

	for (size_t i = 0; i < set->n; i++)
		details |= table[set->ids[i]].details;
	return details;
}

int column_by_name(const char *name, size_t len)
{
	return column_by_name_in(infos, _COL_MAX, name, len);
}

int column_by_name_in(const struct colinfo *table, size_t n, const char *name, size_t len)
{
	for (size_t i = 0; i < n && i < _COL_MAX; i++) {
		if (strlen(table[i].name) == len &&
		    strncasecmp(table[i].name, name, len) == 0)
			return (int)i;
	}
	return -1;
}

static bool colset_has(const struct colset *set, int id)
{
	for (size_t i = 0; i < set->n; i++)
		if (set->ids[i] == id)
			return true;
	return false;
}

int colset_parse(const char *list, const struct colset *defaults,
                 struct colset *ret, const char **ret_bad, size_t *ret_badlen)
{
	return colset_parse_in(infos, _COL_MAX, list, defaults, ret, ret_bad, ret_badlen);
}

int colset_parse_in(const struct colinfo *table, size_t n, const char *list,
                    const struct colset *defaults, struct colset *ret,
                    const char **ret_bad, size_t *ret_badlen)
{
	struct colset set = { .n = 0 };
	const char *p = list;

	if (*p == '+') {
		set = *defaults;
		p++;
	}
	for (;;) {
		size_t len = strcspn(p, ",");
		int id = len ? column_by_name_in(table, n, p, len) : -1;

		if (id < 0) {
			*ret_bad = p;
			*ret_badlen = len;
			return -EINVAL;
		}
		/* Distinct ids only, so n never exceeds _COL_MAX. */
		if (!colset_has(&set, id))
			set.ids[set.n++] = id;
		if (p[len] == '\0')
			break;
		p += len + 1;
	}
	*ret = set;
	return 0;
}
