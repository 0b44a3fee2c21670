/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * /proc/PID/status: one "Key:\tvalue" per line.  The kernel escapes '\n'
 * in the one free-form value (Name), so every line is one field.
 */
#include <errno.h>
#include <string.h>

#include "parse.h"

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/*
 * Returns 0 with *RET and *RET_LEN pointing into BUF at the value of the first
 * line whose key is exactly KEY (a NUL-terminated string), without leading
 * and trailing whitespace (possibly empty); -ENOENT when no line has that
 * key; -EINVAL when KEY is empty or holds ':' or '\n'.
 */
int pe_status_field(const char *buf, size_t len, const char *key,
                    const char **ret, size_t *ret_len)
{
	const char *p, *end;
	size_t key_len = strlen(key);

	if (key_len == 0 || strpbrk(key, ":\n"))
		return -EINVAL;
	if (len == 0)
		return -ENOENT;
	p = buf;
	end = buf + len;

	while (p < end) {
		const char *eol, *v, *v_end;

		eol = memchr(p, '\n', (size_t)(end - p));
		if (!eol)
			eol = end;

		if ((size_t)(eol - p) > key_len && p[key_len] == ':' &&
		    memcmp(p, key, key_len) == 0) {
			v = p + key_len + 1;
			v_end = eol;
			while (v < v_end && is_space(*v))
				v++;
			while (v_end > v && is_space(v_end[-1]))
				v_end--;
			*ret = v;
			*ret_len = (size_t)(v_end - v);
			return 0;
		}

		p = eol < end ? eol + 1 : end;
	}
	return -ENOENT;
}
