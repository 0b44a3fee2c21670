/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Independent checks of the escaping rules of src/escape.c, shared by
 * test-escape.c and fuzz-escape.c.  Written from the rules, not from the
 * implementation, so that a bug in one is not copied into the other.
 */
#ifndef PROCEXE_ESCAPE_CHECK_H
#define PROCEXE_ESCAPE_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static inline int check_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;              /* the rules use lowercase hex only */
}

/*
 * Decode S: "\\" is one backslash, "\xHH" is the byte 0xHH, anything else
 * is itself.  Any other use of a backslash is an error.  Returns a new
 * buffer (caller frees) with its length in *RET_LEN, or NULL.
 */
static inline unsigned char *check_unescape(const char *s, size_t *ret_len)
{
	size_t len = strlen(s), n = 0;
	unsigned char *out = malloc(len + 1);

	if (!out)
		return NULL;
	for (size_t i = 0; i < len; ) {
		if (s[i] != '\\') {
			out[n++] = (unsigned char)s[i++];
			continue;
		}
		if (i + 1 < len && s[i + 1] == '\\') {
			out[n++] = '\\';
			i += 2;
			continue;
		}
		if (i + 3 < len && s[i + 1] == 'x') {
			int hi = check_hexval(s[i + 2]), lo = check_hexval(s[i + 3]);

			if (hi >= 0 && lo >= 0) {
				out[n++] = (unsigned char)(hi << 4 | lo);
				i += 4;
				continue;
			}
		}
		free(out);
		return NULL;
	}
	*ret_len = n;
	return out;
}

/*
 * True when S is well-formed UTF-8 (no overlongs, surrogates or values
 * above U+10FFFF) holding no C0 control, DEL or C1 control.  A space is
 * refused too when NO_SPACE.
 */
static inline bool check_clean_utf8(const char *s, bool no_space)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		uint32_t cp;
		int n;

		if (*p < 0x80) {
			if (*p < 0x20 || *p == 0x7f || (no_space && *p == ' '))
				return false;
			p++;
			continue;
		}
		if ((*p & 0xe0) == 0xc0) {
			n = 2;
			cp = *p & 0x1f;
		} else if ((*p & 0xf0) == 0xe0) {
			n = 3;
			cp = *p & 0x0f;
		} else if ((*p & 0xf8) == 0xf0) {
			n = 4;
			cp = *p & 0x07;
		} else {
			return false;
		}
		for (int k = 1; k < n; k++) {
			if ((p[k] & 0xc0) != 0x80)
				return false;   /* also catches the NUL */
			cp = cp << 6 | (p[k] & 0x3f);
		}
		if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) ||
		    (n == 4 && cp < 0x10000))
			return false;   /* overlong */
		if ((cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
			return false;
		if (cp <= 0x9f)
			return false;   /* C1 control */
		p += n;
	}
	return true;
}

/* True when S is well-formed UTF-8 (controls allowed, NUL excluded). */
static inline bool check_utf8(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		uint32_t cp;
		int n;

		if (*p < 0x80) {
			p++;
			continue;
		}
		if ((*p & 0xe0) == 0xc0) {
			n = 2;
			cp = *p & 0x1f;
		} else if ((*p & 0xf0) == 0xe0) {
			n = 3;
			cp = *p & 0x0f;
		} else if ((*p & 0xf8) == 0xf0) {
			n = 4;
			cp = *p & 0x07;
		} else {
			return false;
		}
		for (int k = 1; k < n; k++) {
			if ((p[k] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (p[k] & 0x3f);
		}
		if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) ||
		    (n == 4 && cp < 0x10000))
			return false;
		if ((cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
			return false;
		p += n;
	}
	return true;
}

/* True when S holds only printable ASCII (what table output is under LANG=C). */
static inline bool check_ascii(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
			return false;
	return true;
}

/* Does decoding ESCAPED give back exactly the LEN bytes at ORIG? */
static inline bool check_roundtrip(const char *escaped, const void *orig, size_t len)
{
	size_t n = 0;
	unsigned char *dec = check_unescape(escaped, &n);
	bool ok = dec && n == len && (len == 0 || memcmp(dec, orig, len) == 0);

	free(dec);
	return ok;
}

#endif /* PROCEXE_ESCAPE_CHECK_H */
