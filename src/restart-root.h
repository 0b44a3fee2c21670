/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef PROCEXE_RESTART_ROOT_H
#define PROCEXE_RESTART_ROOT_H

#include <stddef.h>
#include <sys/types.h>

/* The root directory of the host's files restart reads ("/"; see
 * restart-root.c for the test build).  Static string. */
const char *restart_root(void);

/*
 * Up to SIZE bytes of the regular file ROOT/REL into BUF (the last
 * component not followed if a symlink; nothing blocks on a FIFO), its
 * owner in *OWNER when OWNER is not NULL: the count, or -errno
 * (-EINVAL: not a regular file, -ENAMETOOLONG).
 */
ssize_t restart_read_file(const char *root, const char *rel, void *buf, size_t size,
                          uid_t *owner);

#endif /* PROCEXE_RESTART_ROOT_H */
