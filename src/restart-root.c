/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The root directory below which `procexe restart` reads the host's
 * kernel images, microcode, init scripts and pidfiles: "/".  The test
 * build of the command (tests/restart, -DPE_TEST_HOOKS) takes it from
 * $PROCEXE_TEST_ROOT instead, so that fake layouts drive every state; the
 * installed command never reads that variable.
 */
#include <stdlib.h>

#include "restart-root.h"

const char *restart_root(void)
{
#ifdef PE_TEST_HOOKS
	const char *r = getenv("PROCEXE_TEST_ROOT");

	if (r && *r)
		return r;
#endif
	return "/";
}
