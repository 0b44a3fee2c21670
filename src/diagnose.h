/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Why the kernel denied procexe access to processes: advice for the
 * "could not be inspected (permission denied)" messages.
 */
#ifndef PROCEXE_DIAGNOSE_H
#define PROCEXE_DIAGNOSE_H

#include <sys/types.h>

/*
 * The advice for a reader with effective UID EUID, whose /proc/self/status
 * text is STATUS and /proc/self/uid_map text is UID_MAP (either NULL when
 * unreadable: that check is skipped).  In order: not root, root without
 * CAP_SYS_PTRACE or CAP_DAC_READ_SEARCH in CapEff, root of a user
 * namespace without the full identity map, else a refusal that root
 * cannot overcome.  Pure; returns a static string.
 */
const char *denial_advice_for(uid_t euid, const char *status, const char *uid_map);

/* denial_advice_for() on this process (geteuid() and its own files);
 * a static string. */
const char *denial_advice(void);

#endif /* PROCEXE_DIAGNOSE_H */
