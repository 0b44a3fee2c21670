/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Reading procfs files line by line in constant memory (lines.c).  Not installed. */
#ifndef PROCEXE_LINES_H
#define PROCEXE_LINES_H

#include <stdbool.h>
#include <stddef.h>

struct pe_cache;
struct pe_map;

/* The longest line kept; a longer one (a maps name of tens of KiB) is
 * skipped and counted in `overlong`. */
#define PE_LINE_MAX (64u * 1024)

struct pe_lines {
	int fd;                 /* the file, or -1 when reading from memory */
	const char *mem;        /* memory source (tests, fuzzing) */
	size_t mem_len, mem_off, mem_chunk;
	char *buf;              /* owned, cap bytes */
	size_t cap, start, end; /* unread bytes are buf[start, end) */
	bool eof, skipping;     /* skipping: inside an overlong line */
	const struct pe_cache *deadline; /* may be NULL */
	size_t nlines;          /* lines returned (maps: or skipped as malformed) */
	size_t overlong;        /* lines longer than cap, skipped */
	size_t malformed;       /* maps lines that did not parse, skipped */
};

/* Open PATH under DIRFD (a /proc/PID or task directory).  0, -ENOMEM,
 * -ESRCH when the process is gone, or the negative errno of openat. */
int pe_lines_open(struct pe_lines *r, int dirfd, const char *path, const struct pe_cache *deadline);
/* Read LEN bytes at BUF (borrowed) in pieces of CHUNK bytes through a
 * buffer of CAP bytes, as from a file.  0, -EINVAL, -ENOMEM. */
int pe_lines_mem(struct pe_lines *r, const char *buf, size_t len, size_t chunk, size_t cap);
/*
 * The next whole line, without its newline, in [*RET, *RET + *RET_LEN)
 * (valid until the next call): 1, 0 at the end, -ETIMEDOUT past the
 * deadline, or the negative errno of read().
 */
int pe_lines_next(struct pe_lines *r, const char **ret, size_t *ret_len);
/*
 * The next parsed maps line into *RET (its path points into the buffer,
 * valid until the next call); with FILES_ONLY only lines naming a file
 * ('/'-rooted names).  Returns as pe_lines_next().
 */
int pe_lines_next_map(struct pe_lines *r, struct pe_map *ret, bool files_only);
void pe_lines_close(struct pe_lines *r);   /* idempotent */

#endif /* PROCEXE_LINES_H */
