/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Why access was denied: see diagnose.h. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diagnose.h"

/* Capability numbers of <linux/capability.h>. */
#define CAP_DAC_READ_SEARCH_BIT 2
#define CAP_SYS_PTRACE_BIT 19

/* The CapEff mask of STATUS into *RET: true, or false when absent or
 * malformed. */
static bool parse_capeff(const char *status, uint64_t *ret)
{
	static const char key[] = "CapEff:";
	const char *p = status;
	char *end;

	while (p && strncmp(p, key, sizeof(key) - 1) != 0) {
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	if (!p)
		return false;
	p += sizeof(key) - 1;
	while (*p == ' ' || *p == '\t')
		p++;
	if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f') || (*p >= 'A' && *p <= 'F')))
		return false;
	errno = 0;
	*ret = strtoull(p, &end, 16);
	return errno == 0 && (*end == '\n' || *end == '\0');
}

/* Whether UID_MAP is exactly one line "0 0 4294967295" (any blanks). */
static bool full_identity_map(const char *uid_map)
{
	static const unsigned long long want[3] = { 0, 0, 4294967295ull };
	const char *p = uid_map;
	char *end;

	for (int i = 0; i < 3; i++) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p < '0' || *p > '9')
			return false;
		errno = 0;
		if (strtoull(p, &end, 10) != want[i] || errno)
			return false;
		p = end;
	}
	while (*p == ' ' || *p == '\t' || *p == '\n')
		p++;
	return *p == '\0';
}

const char *denial_advice_for(uid_t euid, const char *status, const char *uid_map)
{
	uint64_t eff;

	if (euid != 0)
		return "run as root to see them all";
	if (status && parse_capeff(status, &eff)) {
		bool ptrace = eff & (UINT64_C(1) << CAP_SYS_PTRACE_BIT);
		bool search = eff & (UINT64_C(1) << CAP_DAC_READ_SEARCH_BIT);

		if (!ptrace && !search)
			return "root without CAP_SYS_PTRACE and CAP_DAC_READ_SEARCH (not in CapEff): "
			       "run with both capabilities to see them all";
		if (!ptrace)
			return "root without CAP_SYS_PTRACE (not in CapEff): "
			       "run with that capability to see them all";
		if (!search)
			return "root without CAP_DAC_READ_SEARCH (not in CapEff): "
			       "run with that capability to see them all";
	}
	if (uid_map && !full_identity_map(uid_map))
		return "procexe runs in a user namespace: root there cannot inspect processes "
		       "outside it";
	return "the kernel refused even root: a Linux security module (SELinux, AppArmor, "
	       "Yama) or a hardened process (this is not fixed by running as root)";
}

/* The start of the file PATH, NUL-terminated, into BUF; NULL if unreadable. */
static const char *read_small(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY);
	size_t len = 0;
	ssize_t n;

	if (fd < 0)
		return NULL;
	while (len < size - 1 && (n = read(fd, buf + len, size - 1 - len)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			close(fd);
			return NULL;
		}
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	return buf;
}

const char *denial_advice(void)
{
	char status[8192], uid_map[512];

	return denial_advice_for(geteuid(), read_small("/proc/self/status", status, sizeof(status)),
	                         read_small("/proc/self/uid_map", uid_map, sizeof(uid_map)));
}
