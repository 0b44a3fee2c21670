/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Shared by the fuzz targets and standalone-main.c. */
#ifndef PROCEXE_FUZZ_H
#define PROCEXE_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* Inputs above this size are ignored: procfs files of interest are smaller,
 * and larger ones only slow the fuzzer down. */
#define FUZZ_MAX_INPUT (64 * 1024)

/* An invariant of the parser under test; abort() so that libFuzzer and the
 * replay runner both report it, whatever NDEBUG says. */
#define FUZZ_CHECK(cond)                                                     \
	do {                                                                 \
		if (!(cond)) {                                               \
			fprintf(stderr, "%s:%d: check failed: %s\n",         \
			        __FILE__, __LINE__, #cond);                  \
			abort();                                             \
		}                                                            \
	} while (0)

/* Run one input; always returns 0 (libFuzzer's convention). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif /* PROCEXE_FUZZ_H */
