/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * /proc/PID/maps, one mapping per line:
 *
 *   start-end perms offset major:minor inode<padding>path
 *
 * start, end, offset, major and minor are hex, inode is decimal.  The kernel
 * writes "inode " and, only when there is a name, pads with spaces up to a
 * fixed column and writes one more space before the name; a header already
 * past that column gets just the one extra space.  The name is the rest of
 * the line: only '\n' is escaped in it (as "\012"), so it may hold spaces,
 * including leading ones, and a " (deleted)" suffix is appended to names
 * of unlinked files.
 */
#include <limits.h>
#include <string.h>

#include "internal.h"
#include "parse.h"

/*
 * Offset of the name from the start of a line whose header is short enough:
 * seq_setwidth(25 + 6 * sizeof(void *) - 1) plus the space seq_pad() adds.
 * This assumes the kernel's word size is ours, as auxv parsing does.
 */
#define MAPS_NAME_COLUMN ((size_t)(25 + 6 * sizeof(void *)))

/* Value of a hex digit plus one (0: not a digit); a table because a
 * scan of every process parses millions of digits. */
static const unsigned char hex_value[256] = {
	['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5,
	['5'] = 6, ['6'] = 7, ['7'] = 8, ['8'] = 9, ['9'] = 10,
	['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16,
	['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16,
};

static int hex_digit(char c)
{
	return (int)hex_value[(unsigned char)c] - 1;
}

/*
 * Parse a non-empty run of digits in BASE (10 or 16) at *P (before END)
 * that must be followed by DELIM; advances *P past DELIM.  When EOL_OK, the
 * end of the line is accepted instead of DELIM (and *P is left at END).
 * Returns 0, -EINVAL when malformed, -ERANGE above MAX.
 */
static int parse_field(const char **p, const char *end, unsigned base, char delim,
                       bool eol_ok, uint64_t max, uint64_t *ret)
{
	const char *s = *p;
	uint64_t v = 0;

	for (; s < end; s++) {
		int d = hex_digit(*s);

		if (d < 0 || (unsigned)d >= base)
			break;
		if (v > (max - (unsigned)d) / base)
			return -ERANGE;
		v = v * base + (unsigned)d;
	}
	if (s == *p)
		return -EINVAL;
	if (s == end) {
		if (!eol_ok)
			return -EINVAL;
	} else if (*s != delim) {
		return -EINVAL;
	} else {
		s++;
	}
	*p = s;
	*ret = v;
	return 0;
}

/* Parse the line [LINE, EOL) (without its newline) into *M. */
static int parse_line(const char *line, const char *eol, struct pe_map *m)
{
	static const char perm_chars[4][2] = {
		{ 'r', '-' }, { 'w', '-' }, { 'x', '-' }, { 'p', 's' },
	};
	const char *p = line;
	size_t name_col;
	uint64_t v;
	int r;

	/* start-end, hex */
	r = parse_field(&p, eol, 16, '-', false, UINT64_MAX, &m->start);
	if (r < 0)
		return r;
	r = parse_field(&p, eol, 16, ' ', false, UINT64_MAX, &m->end);
	if (r < 0)
		return r;
	if (m->start > m->end)
		return -EINVAL;

	/* perms: exactly four of [r-][w-][x-][ps], then a space */
	if (eol - p < 5 || p[4] != ' ')
		return -EINVAL;
	for (int i = 0; i < 4; i++) {
		if (p[i] != perm_chars[i][0] && p[i] != perm_chars[i][1])
			return -EINVAL;
		m->perms[i] = p[i];
	}
	m->perms[4] = '\0';
	p += 5;

	/* offset, hex */
	r = parse_field(&p, eol, 16, ' ', false, UINT64_MAX, &m->offset);
	if (r < 0)
		return r;

	/* major:minor, hex */
	r = parse_field(&p, eol, 16, ':', false, UINT_MAX, &v);
	if (r < 0)
		return r;
	m->dev_major = (unsigned)v;
	r = parse_field(&p, eol, 16, ' ', false, UINT_MAX, &v);
	if (r < 0)
		return r;
	m->dev_minor = (unsigned)v;

	/* inode, decimal; the kernel follows it with a space, tolerate none */
	r = parse_field(&p, eol, 10, ' ', true, UINT64_MAX, &m->ino);
	if (r < 0)
		return r;

	/*
	 * Skip the padding but no further than where the kernel would have put
	 * the name, so that a name starting with spaces keeps them.  Padding
	 * that stops short of that column (other kernels, hand-made input)
	 * ends at the first non-space.
	 */
	name_col = (size_t)(p - line) + 1;
	if (name_col < MAPS_NAME_COLUMN)
		name_col = MAPS_NAME_COLUMN;
	while (p < eol && (size_t)(p - line) < name_col && *p == ' ')
		p++;

	m->path = NULL;
	m->path_len = 0;
	m->deleted = false;
	if (p == eol)
		return 0;

	m->path = p;
	m->path_len = (size_t)(eol - p);
	/* A name that is only the suffix is kept as it is. */
	if (pe_ends_deleted(m->path, m->path_len)) {
		m->deleted = true;
		m->path_len -= PE_DELETED_SUFFIX_LEN;
	}
	return 0;
}

/*
 * Besides -EINVAL, a line whose numbers do not fit (above 2^64-1, or a
 * device number above UINT_MAX) gives -ERANGE; either way the cursor moves
 * past it.  Anonymous mappings have path NULL.
 */
int pe_maps_next(const char **cursor, const char *end, struct pe_map *ret)
{
	const char *line = *cursor, *eol;
	struct pe_map m = { 0 };
	int r;

	if (line >= end)
		return 0;

	eol = memchr(line, '\n', (size_t)(end - line));
	if (eol) {
		*cursor = eol + 1;
	} else {
		/* The last line may lack its newline. */
		eol = end;
		*cursor = end;
	}

	r = parse_line(line, eol, &m);
	if (r < 0)
		return r;
	*ret = m;
	return 1;
}

size_t pe_maps_unescape(const char *src, size_t src_len, char *dst)
{
	size_t i = 0, n = 0;

	while (i < src_len) {
		if (src[i] == '\\' && src_len - i >= 4 && memcmp(src + i, "\\012", 4) == 0) {
			dst[n++] = '\n';
			i += 4;
		} else {
			dst[n++] = src[i++];
		}
	}
	dst[n] = '\0';
	return n;
}

int pe_maps_next_file(const char **cursor, const char *end, struct pe_map *ret)
{
	for (;;) {
		const char *line = *cursor, *eol;
		int r;

		if (line >= end)
			return 0;
		eol = memchr(line, '\n', (size_t)(end - line));
		/* The name starts at MAPS_NAME_COLUMN or later: a shorter
		 * line has none, and needs no parsing. */
		if ((size_t)((eol ? eol : end) - line) <= MAPS_NAME_COLUMN) {
			*cursor = eol ? eol + 1 : end;
			continue;
		}
		r = pe_maps_next(cursor, end, ret);
		if (r <= 0 || (ret->path && ret->path[0] == '/'))
			return r;
	}
}
