/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * /proc/PID/auxv: the auxiliary vector the kernel gave the process at exec,
 * as (unsigned long type, unsigned long value) pairs in the kernel's word
 * size (assumed to be ours), ending with an AT_NULL entry.
 */
#include <elf.h>
#include <errno.h>
#include <string.h>

#include "parse.h"

/*
 * Returns 0 with the value of the first TYPE entry, -ENOENT when the vector
 * ends (at AT_NULL, or at LEN: a trailing partial pair is ignored) without
 * one, -EINVAL when TYPE is AT_NULL, which marks the end rather than an
 * entry.  BUF need not be aligned.
 */
int pe_auxv_get(const void *buf, size_t len, unsigned long type, unsigned long *ret)
{
	const unsigned char *p = buf;
	unsigned long pair[2];

	if (type == AT_NULL)
		return -EINVAL;

	for (size_t off = 0; len - off >= sizeof(pair); off += sizeof(pair)) {
		memcpy(pair, p + off, sizeof(pair));
		if (pair[0] == AT_NULL)
			break;
		if (pair[0] == type) {
			*ret = pair[1];
			return 0;
		}
	}
	return -ENOENT;
}
