/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * /proc/PID/cgroup, one hierarchy per line:
 *
 *   ID:CONTROLLERS:PATH
 *
 * ID is decimal.  The cgroup v2 (unified) hierarchy is the line with ID 0
 * and an empty controller list ("0::/user.slice/..."); a v1 hierarchy lists
 * its controllers separated by commas, a named one as "name=NAME" (systemd
 * mounts its own as "name=systemd" on legacy and hybrid systems).  CONTROLLERS
 * never holds ':', so the second ':' ends it; PATH is the rest of the line
 * and may hold ':' and any byte except '\n' (the kernel does not escape
 * it).  On hybrid systems the v2 path is "/" for everything and only the
 * name=systemd line says where a process is.
 */
#include <errno.h>
#include <string.h>

#include "parse.h"

#define SYSTEMD_CONTROLLERS "name=systemd"
#define SYSTEMD_CONTROLLERS_LEN (sizeof(SYSTEMD_CONTROLLERS) - 1)

struct cgroup_line {
	bool found;
	const char *path;
	size_t path_len;
};

/*
 * Split the line [LINE, EOL) (without its newline).  Returns false when it
 * is malformed: ID empty or not all digits, or fewer than two ':'.
 */
static bool split_line(const char *line, const char *eol,
                       const char **id, size_t *id_len,
                       const char **ctl, size_t *ctl_len,
                       const char **path, size_t *path_len)
{
	const char *c1, *c2;

	c1 = memchr(line, ':', (size_t)(eol - line));
	if (!c1 || c1 == line)
		return false;
	for (const char *p = line; p < c1; p++)
		if (*p < '0' || *p > '9')
			return false;
	c2 = memchr(c1 + 1, ':', (size_t)(eol - (c1 + 1)));
	if (!c2)
		return false;

	*id = line;
	*id_len = (size_t)(c1 - line);
	*ctl = c1 + 1;
	*ctl_len = (size_t)(c2 - (c1 + 1));
	*path = c2 + 1;
	*path_len = (size_t)(eol - (c2 + 1));
	return true;
}

/* Does the path say more than "at the root"?  "/" and "" do not. */
static bool informative(const struct cgroup_line *l)
{
	return l->found && l->path_len > 0 && !(l->path_len == 1 && l->path[0] == '/');
}

/*
 * Returns 0 with *RET and *RET_LEN pointing into BUF at the chosen PATH
 * (possibly empty), -ENOENT when BUF has neither a v2 line nor a
 * name=systemd line.  The first line of each kind counts; malformed lines
 * are skipped.  The choice, in order: an informative v2 path, an
 * informative name=systemd path, the v2 path, the name=systemd path, where
 * "informative" is anything but "/" and "" (an empty path is never written
 * by the kernel, but treated like the root when it is seen).
 */
int pe_cgroup_path(const char *buf, size_t len, const char **ret, size_t *ret_len)
{
	struct cgroup_line v2 = { 0 }, sd = { 0 };
	const struct cgroup_line *pick;
	const char *p, *end;

	if (len == 0)
		return -ENOENT;
	p = buf;
	end = buf + len;

	while (p < end && !(v2.found && sd.found)) {
		const char *eol, *id, *ctl, *path;
		size_t id_len, ctl_len, path_len;

		eol = memchr(p, '\n', (size_t)(end - p));
		if (!eol)
			eol = end;

		if (split_line(p, eol, &id, &id_len, &ctl, &ctl_len, &path, &path_len)) {
			if (!v2.found && id_len == 1 && id[0] == '0' && ctl_len == 0) {
				v2.found = true;
				v2.path = path;
				v2.path_len = path_len;
			} else if (!sd.found && ctl_len == SYSTEMD_CONTROLLERS_LEN &&
			           memcmp(ctl, SYSTEMD_CONTROLLERS, SYSTEMD_CONTROLLERS_LEN) == 0) {
				sd.found = true;
				sd.path = path;
				sd.path_len = path_len;
			}
		}

		p = eol < end ? eol + 1 : end;
	}

	if (informative(&v2))
		pick = &v2;
	else if (informative(&sd))
		pick = &sd;
	else if (v2.found)
		pick = &v2;
	else if (sd.found)
		pick = &sd;
	else
		return -ENOENT;

	*ret = pick->path;
	*ret_len = pick->path_len;
	return 0;
}
