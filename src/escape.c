/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Escaping of untrusted bytes for output.
 *
 * Paths, command lines and comm come from processes that may be hostile:
 * they can hold newlines, terminal escape sequences, C1 controls, invalid
 * UTF-8 and backslashes.  No such byte may reach a terminal raw, and every
 * escaped form must decode back to the exact original bytes.
 *
 * UTF-8 below means well-formed UTF-8 (RFC 3629): no overlong forms, no
 * surrogates (U+D800..U+DFFF), nothing above U+10FFFF.  A byte that does
 * not start a well-formed sequence is "invalid"; decoding resumes at the
 * next byte.  Hex digits are lowercase.
 *
 * Table output (-o, default) and raw output (-r):
 *  - a backslash is written as the two characters \\ ;
 *  - each byte of 0x00..0x1f (C0 controls) and 0x7f (DEL) is written as
 *    \xHH ;
 *  - each invalid byte is written as \xHH ;
 *  - a well-formed UTF-8 sequence encoding a C1 control (U+0080..U+009F,
 *    bytes c2 80..c2 9f) is written as two \xHH, one per byte;
 *  - in raw output only, a space is written as \x20, so that fields never
 *    contain the separator (tab is already a C0 control);
 *  - every other byte is copied (printable ASCII, well-formed UTF-8).
 *  - in table output only, a second pass (escape_unprintable()) also
 *    writes as \xHH each byte of any character that the current locale
 *    cannot decode or print (e.g. every non-ASCII byte under LANG=C, or
 *    U+2028 under C.UTF-8).
 * To decode: read \\ as one backslash and \xHH as the byte 0xHH; no other
 * backslash sequence occurs.
 *
 * libsmartcols 2.38 does not touch the cells: table output has its own
 * encoding disabled (it would write our "\x" as "\x5cx"; its safechars
 * option miscounts widths and prints a cell of backslashes as empty; and
 * with encoding disabled it loops forever on a character of width -1,
 * which is why the second pass exists).  Raw output is written by procexe
 * itself, since libsmartcols's raw mode escapes every backslash again.
 *
 * JSON output (-J):
 *  - the decoded JSON string value equals the original bytes, except that
 *    a backslash becomes the two characters \\ (JSON text "\\\\") and each
 *    invalid byte, DEL, and each byte of a UTF-8-encoded C1 control
 *    (U+0080..U+009F) becomes the four characters \xHH (JSON text
 *    "\\xHH"), so that no terminal control is left raw in the JSON text;
 *    a NUL byte (never present in paths or comm; command lines have their
 *    NULs turned into spaces before) would also become \x00;
 *  - procexe's JSON writer (json.c) then escapes '"' and '\' and writes
 *    the C0 controls and DEL as \u00HH and U+2028/U+2029 as \u2028/\u2029;
 *    everything else is written as its UTF-8 bytes.
 * So the JSON text is always valid UTF-8, parses with any strict JSON
 * parser, and decoding \\ and \xHH in the value gives the bytes back.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include <wctype.h>

#include "escape.h"

/* The longest output per input byte: "\xHH". */
#define ESCAPE_MAX_PER_BYTE 4

/*
 * Length of the well-formed UTF-8 sequence at the start of S (N bytes
 * available), or 0 when S[0] does not start one.  *RET_CP gets the code
 * point.
 */
static size_t utf8_seq(const unsigned char *s, size_t n, uint32_t *ret_cp)
{
	unsigned char c = s[0];
	unsigned char lo = 0x80, hi = 0xbf;   /* allowed range of s[1] */
	size_t need;
	uint32_t cp;

	if (c < 0x80) {
		*ret_cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		need = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		need = 3;
		cp = c & 0x0f;
		if (c == 0xe0)
			lo = 0xa0;      /* no overlong forms */
		else if (c == 0xed)
			hi = 0x9f;      /* no surrogates */
	} else if (c >= 0xf0 && c <= 0xf4) {
		need = 4;
		cp = c & 0x07;
		if (c == 0xf0)
			lo = 0x90;      /* no overlong forms */
		else if (c == 0xf4)
			hi = 0x8f;      /* nothing above U+10FFFF */
	} else {
		return 0;               /* continuation byte, c0, c1, f5..ff */
	}
	if (n < need)
		return 0;
	if (s[1] < lo || s[1] > hi)
		return 0;
	cp = (cp << 6) | (s[1] & 0x3f);
	for (size_t i = 2; i < need; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	*ret_cp = cp;
	return need;
}

static char *put_hex(char *p, unsigned char c)
{
	static const char hex[] = "0123456789abcdef";

	*p++ = '\\';
	*p++ = 'x';
	*p++ = hex[c >> 4];
	*p++ = hex[c & 0x0f];
	return p;
}

/* A buffer large enough for any escaping of LEN bytes, or NULL + errno. */
static char *alloc_out(size_t len)
{
	if (len > (SIZE_MAX - 1) / ESCAPE_MAX_PER_BYTE) {
		errno = EOVERFLOW;
		return NULL;
	}
	return malloc(len * ESCAPE_MAX_PER_BYTE + 1);
}

/* Shrink OUT to its used size; keep OUT if realloc fails. */
static char *finish(char *out, char *end)
{
	char *r;

	*end = '\0';
	r = realloc(out, (size_t)(end - out) + 1);
	return r ? r : out;
}

/* Internal flag of escape(): leave C0 controls but NUL raw, for a JSON
 * writer that escapes them itself. */
#define ESCAPE_KEEP_C0 (1u << 15)

static char *escape(const void *buf, size_t len, unsigned flags)
{
	const unsigned char *s = buf;
	char *out, *p;
	size_t i = 0;

	out = alloc_out(len);
	if (!out)
		return NULL;
	p = out;
	while (i < len) {
		unsigned char c = s[i];
		uint32_t cp;
		size_t n;

		if (c == '\\') {
			*p++ = '\\';
			*p++ = '\\';
			i++;
			continue;
		}
		if ((c < 0x20 && (c == 0 || !(flags & ESCAPE_KEEP_C0))) || c == 0x7f ||
		    (c == ' ' && (flags & ESCAPE_BLANK))) {
			p = put_hex(p, c);
			i++;
			continue;
		}
		if (c < 0x80) {
			*p++ = (char)c;
			i++;
			continue;
		}
		n = utf8_seq(s + i, len - i, &cp);
		if (n == 0) {
			p = put_hex(p, c);              /* invalid byte */
			i++;
		} else if (cp <= 0x9f) {
			for (size_t k = 0; k < n; k++)  /* C1 control */
				p = put_hex(p, s[i + k]);
			i += n;
		} else {
			for (size_t k = 0; k < n; k++)
				*p++ = (char)s[i + k];
			i += n;
		}
	}
	return finish(out, p);
}

char *escape_text(const void *buf, size_t len, unsigned flags)
{
	return escape(buf, len, flags & ESCAPE_BLANK);
}

char *escape_json(const void *buf, size_t len)
{
	return escape(buf, len, ESCAPE_KEEP_C0);
}

char *escape_unprintable(const char *s)
{
	size_t len = strlen(s), i = 0;
	mbstate_t st;
	char *out, *p;

	out = alloc_out(len);
	if (!out)
		return NULL;
	p = out;
	memset(&st, 0, sizeof(st));
	while (i < len) {
		unsigned char c = (unsigned char)s[i];
		wchar_t wc;
		size_t n;

		if (c >= 0x20 && c < 0x7f) {
			*p++ = (char)c;         /* printable ASCII, backslash too */
			i++;
			continue;
		}
		n = mbrtowc(&wc, s + i, len - i, &st);
		if (n == 0 || n == (size_t)-1 || n == (size_t)-2) {
			/* Undecodable here: one byte, then resynchronise. */
			memset(&st, 0, sizeof(st));
			p = put_hex(p, c);
			i++;
			continue;
		}
		if (!iswprint((wint_t)wc) || wcwidth(wc) < 0) {
			for (size_t k = 0; k < n; k++)
				p = put_hex(p, (unsigned char)s[i + k]);
		} else {
			memcpy(p, s + i, n);
			p += n;
		}
		i += n;
	}
	return finish(out, p);
}
