/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The pure parsers of procexe watch: they read only the bytes given
 * (untrusted: the mount table, a process's stat file, an executable's
 * headers, netlink datagrams) and never allocate; unit-tested and fuzzed.
 */
#ifndef PROCEXE_WATCH_PARSE_H
#define PROCEXE_WATCH_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* One line of /proc/self/mountinfo, split in place. */
struct wmount {
	char *point;            /* the mount point, octal escapes undone */
	char *fstype;
	dev_t dev;
};

/*
 * Split LINE (NUL-terminated, no newline; modified) into *RET:
 * "ID PARENT MAJ:MIN ROOT POINT OPTS [OPTIONAL...] - TYPE SOURCE SOPTS".
 * 0, or -EINVAL for a line of another shape.
 */
int wparse_mountinfo(char *line, struct wmount *ret);

/* Filesystems never marked: pseudo filesystems nothing runs from, network
 * filesystems (a lookup may wait on a server) and FUSE (a lookup may wait
 * on a daemon that never answers). */
bool wparse_skipped_fstype(const char *type);

/*
 * The comm (into COMM, SIZE bytes, NUL-terminated, truncated) and the
 * parent PID of LEN bytes of a /proc/PID/stat file ("PID (COMM) S PPID
 * ...": COMM may hold any byte but NUL, ')' included).  0, or -EINVAL.
 */
int wparse_stat(const char *buf, size_t len, char *comm, size_t size, pid_t *ppid);

/*
 * Whether the LEN first bytes of an ELF file name an interpreter
 * (PT_INTERP: a dynamically linked program, whose exec opens its
 * interpreter next).  False for anything else, or program headers beyond
 * LEN.
 */
bool wparse_elf_names_interp(const void *buf, size_t len);

/* Whether the LEN first bytes of an ELF file are those of a position-
 * independent object naming no interpreter (ET_DYN without PT_INTERP): an
 * ELF interpreter such as ld.so, or a static-pie program. */
bool wparse_elf_loader_like(const void *buf, size_t len);

/*
 * The exec events of one proc connector datagram of LEN bytes: FN with
 * the thread group ID and the kernel's CLOCK_MONOTONIC time of each.
 * Returns their number.
 */
typedef void (*wparse_exec_fn)(void *userdata, pid_t pid, uint64_t mono_ns);
int wparse_connector(const void *buf, size_t len, wparse_exec_fn fn, void *userdata);

#endif /* PROCEXE_WATCH_PARSE_H */
