/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pe-lib.so: a tiny shared library for the procexe restart tests.  Tests
 * copy it, load the copy into a fixture (LD_PRELOAD into pe-spin, or
 * pe-dlopen) and then delete, replace or modify the copy.  Its only job is
 * to be mapped with an executable mapping; pe-dlopen calls pe_lib_id() to
 * prove that the code really is there.
 */

int pe_lib_id(void);

__attribute__((visibility("default"))) int pe_lib_id(void)
{
	return 0x7065;          /* "pe" */
}
