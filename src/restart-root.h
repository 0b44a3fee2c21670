/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef PROCEXE_RESTART_ROOT_H
#define PROCEXE_RESTART_ROOT_H

/* The root directory of the host's files restart reads ("/"; see
 * restart-root.c for the test build).  Static string. */
const char *restart_root(void);

#endif /* PROCEXE_RESTART_ROOT_H */
