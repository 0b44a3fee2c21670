/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * /proc/PID/mountinfo: one mount per line,
 *
 *   36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw
 *   (1)(2)...
 *
 * Only field 1, the mount id (decimal), is wanted.  The kernel escapes
 * spaces, tabs, newlines and backslashes in the path fields as \ooo, so
 * every line is one record.
 */
#include <errno.h>
#include <string.h>

#include "parse.h"

/*
 * Parse the decimal number at the start of [S, END) up to the first
 * non-digit; stores where it stopped in *STOP.  Returns 0, -EINVAL when
 * there are no digits, -ERANGE on overflow of 64 bits.
 */
static int parse_u64_prefix(const char *s, const char *end, uint64_t *ret, const char **stop)
{
	const char *p = s;
	uint64_t v = 0;

	for (; p < end && *p >= '0' && *p <= '9'; p++) {
		unsigned d = (unsigned)(*p - '0');

		if (v > (UINT64_MAX - d) / 10)
			return -ERANGE;
		v = v * 10 + d;
	}
	if (p == s)
		return -EINVAL;
	*ret = v;
	*stop = p;
	return 0;
}

/*
 * Lines are processed in order, so CB may already have been called for
 * earlier lines when a later one turns out malformed (-EINVAL: no id, or
 * the id not followed by a space; -ERANGE: id above 2^64-1).  A missing
 * newline after the last line is accepted.  CB may be NULL to only
 * validate.
 */
int pe_parse_mountinfo_ids(const char *buf, size_t len,
                           int (*cb)(uint64_t mnt_id, void *userdata), void *userdata)
{
	const char *p, *end;

	if (len == 0)
		return 0;
	p = buf;
	end = buf + len;
	while (p < end) {
		const char *eol, *stop;
		uint64_t id;
		int r;

		eol = memchr(p, '\n', (size_t)(end - p));
		if (!eol)
			eol = end;

		r = parse_u64_prefix(p, eol, &id, &stop);
		if (r < 0)
			return r;
		if (stop == eol || *stop != ' ')
			return -EINVAL;

		if (cb) {
			r = cb(id, userdata);
			if (r != 0)
				return r;
		}

		p = eol < end ? eol + 1 : end;
	}
	return 0;
}
