/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * /proc/PID/stat:
 *
 *   pid (comm) state ppid pgrp session tty_nr tpgid flags ... starttime ...
 *    1    2      3     4    5     6       7      8     9         22
 *
 * comm is the task name verbatim: it may hold spaces, parentheses and any
 * other byte, so it is delimited by the first '(' and the last ')'.  Every
 * field after it is a decimal integer, possibly negative, separated by one
 * space.
 */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "parse.h"

#define STAT_FIELD_STATE 3
#define STAT_FIELD_PPID 4
#define STAT_FIELD_FLAGS 9
#define STAT_FIELD_STARTTIME 22

/*
 * Parse the unsigned decimal number that makes up all of [S, S + LEN).
 * Returns 0, -EINVAL when empty or not all digits, -ERANGE above MAX.
 */
static int parse_u64(const char *s, size_t len, uint64_t max, uint64_t *ret)
{
	uint64_t v = 0;

	if (len == 0)
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		unsigned d;

		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		d = (unsigned)(s[i] - '0');
		if (v > (max - d) / 10)
			return -ERANGE;
		v = v * 10 + d;
	}
	*ret = v;
	return 0;
}

/* True when [S, S + LEN) is an optionally negative decimal integer. */
static bool is_integer(const char *s, size_t len)
{
	if (len > 0 && s[0] == '-') {
		s++;
		len--;
	}
	if (len == 0)
		return false;
	for (size_t i = 0; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* Field FIELD (3 and later), the token [TOK, TOK + LEN), into *ST. */
static int parse_field(int field, const char *tok, size_t len, struct pe_stat *st)
{
	uint64_t v = 0;
	int r;

	switch (field) {
	case STAT_FIELD_STATE:
		/* One letter: R, S, D, T, t, Z, X, I, ... */
		if (len != 1 || !((*tok >= 'A' && *tok <= 'Z') || (*tok >= 'a' && *tok <= 'z')))
			return -EINVAL;
		st->state = *tok;
		return 0;
	case STAT_FIELD_PPID:
		r = parse_u64(tok, len, INT_MAX, &v);
		st->ppid = (pid_t)v;
		return r;
	case STAT_FIELD_FLAGS:
		r = parse_u64(tok, len, ULONG_MAX, &v);
		st->flags = (unsigned long)v;
		return r;
	case STAT_FIELD_STARTTIME:
		r = parse_u64(tok, len, UINT64_MAX, &v);
		st->starttime = v;
		return r;
	default:
		return is_integer(tok, len) ? 0 : -EINVAL;
	}
}

int pe_parse_stat(const char *buf, size_t len, struct pe_stat *ret)
{
	const char *lparen, *rparen, *p, *end;
	struct pe_stat st = { 0 };
	uint64_t v;
	size_t comm_len;
	int r;

	if (len == 0)
		return -EINVAL;
	lparen = memchr(buf, '(', len);
	if (!lparen)
		return -EINVAL;
	rparen = memrchr(lparen, ')', len - (size_t)(lparen - buf));
	if (!rparen)
		return -EINVAL;

	/* Field 1: "PID (" */
	if (lparen == buf || lparen[-1] != ' ')
		return -EINVAL;
	r = parse_u64(buf, (size_t)(lparen - 1 - buf), INT_MAX, &v);
	if (r < 0)
		return r;
	st.pid = (pid_t)v;

	/* Field 2: comm, truncated to fit. */
	comm_len = (size_t)(rparen - lparen - 1);
	if (comm_len > sizeof(st.comm) - 1)
		comm_len = sizeof(st.comm) - 1;
	memcpy(st.comm, lparen + 1, comm_len);
	st.comm[comm_len] = '\0';

	/* The record ends at the first newline after comm, or at LEN. */
	p = rparen + 1;
	end = memchr(p, '\n', len - (size_t)(p - buf));
	if (!end)
		end = buf + len;

	/* Fields 3...: each is " TOKEN". */
	for (int field = STAT_FIELD_STATE; field <= STAT_FIELD_STARTTIME; field++) {
		const char *tok;

		if (p == end || *p != ' ')
			return -EINVAL;
		tok = ++p;
		while (p < end && *p != ' ')
			p++;
		r = parse_field(field, tok, (size_t)(p - tok), &st);
		if (r < 0)
			return r;
	}
	*ret = st;
	return 0;
}
