/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the speed floors (floor.c, floor-maps.c) share: a getdents64 record,
 * the kernel's deletion suffix and the test for a PID entry of /proc. */
#ifndef PROCEXE_BENCH_FLOOR_H
#define PROCEXE_BENCH_FLOOR_H

#include <stdbool.h>

struct linux_dirent64 {
	unsigned long long d_ino;
	long long d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

static const char suffix[] = " (deleted)";

static inline bool all_digits(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

#endif
