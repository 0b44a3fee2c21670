/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Escaping of untrusted byte strings (paths, command lines, comm) for
 * output.  See the top of escape.c for the exact rules.
 *
 * Both functions are pure: they read LEN bytes of BUF (which may hold any
 * byte, NUL included, and need not be NUL-terminated), use no locale and
 * no global state, and return a new NUL-terminated string that the caller
 * frees, or NULL with errno set (ENOMEM, or EOVERFLOW when LEN is absurd).
 * BUF may be NULL when LEN is 0.
 */
#ifndef PROCEXE_ESCAPE_H
#define PROCEXE_ESCAPE_H

#include <stddef.h>

/* Flags of escape_text(). */
#define ESCAPE_BLANK (1u << 0) /* also write the space as \x20 (raw output) */

/* For table and raw output: the result holds only printable text. */
char *escape_text(const void *buf, size_t len, unsigned flags);

/*
 * For JSON output: the result is valid UTF-8 without NUL, to be handed to
 * a JSON writer that escapes '"', '\' and the C0 controls itself.
 */
char *escape_json(const void *buf, size_t len);

/*
 * Second pass for table output, and the one function here that depends on
 * the locale (LC_CTYPE): copy S, the result of escape_text(), writing as
 * \xHH every byte of each character that the current locale cannot decode
 * or does not consider printable with a known width.  The result holds
 * only characters a terminal in that locale prints.  Returns a new string
 * or NULL with errno set.
 */
char *escape_unprintable(const char *s);

#endif /* PROCEXE_ESCAPE_H */
