/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Streaming reader of a maps file (maps-reader.c).  Not installed. */
#ifndef PROCEXE_MAPS_READER_H
#define PROCEXE_MAPS_READER_H

#include <stdbool.h>
#include <stddef.h>

struct pe_cache;
struct pe_map;

/* The longest maps line kept; a longer one (a name of tens of KiB) is
 * skipped and counted in `overlong`. */
#define PE_MAPS_LINE_MAX (64u * 1024)

struct pe_maps_reader {
	int fd;                 /* maps, or -1 when reading from memory */
	const char *mem;        /* memory source (tests, fuzzing) */
	size_t mem_len, mem_off, mem_chunk;
	char *buf;              /* owned, cap bytes */
	size_t cap, start, end; /* unread bytes are buf[start, end) */
	bool eof, skipping;     /* skipping: inside an overlong line */
	const struct pe_cache *deadline; /* may be NULL */
	size_t nlines;          /* lines returned or skipped as malformed */
	size_t overlong;        /* lines longer than cap, skipped */
	size_t malformed;       /* lines that did not parse, skipped */
};

/* Open DIRFD's maps (DIRFD: /proc/PID or a task directory).  0, -ENOMEM,
 * -ESRCH when the process is gone, or the negative errno of openat. */
int pe_maps_reader_open(struct pe_maps_reader *r, int dirfd, const struct pe_cache *deadline);
/* Read LEN bytes at BUF (borrowed) in pieces of CHUNK bytes through a
 * buffer of CAP bytes, as from a file.  0, -EINVAL, -ENOMEM. */
int pe_maps_reader_mem(struct pe_maps_reader *r, const char *buf, size_t len, size_t chunk,
                       size_t cap);
/*
 * The next parsed line into *RET (its path points into the reader's buffer,
 * valid until the next call); with FILES_ONLY only lines naming a file
 * ('/'-rooted names).  Returns 1, 0 at the end, -ETIMEDOUT past the
 * deadline, or the negative errno of read().
 */
int pe_maps_reader_next(struct pe_maps_reader *r, struct pe_map *ret, bool files_only);
void pe_maps_reader_close(struct pe_maps_reader *r);   /* idempotent */

#endif /* PROCEXE_MAPS_READER_H */
