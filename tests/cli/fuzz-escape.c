/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Fuzz target for src/escape.c.  For any input bytes:
 *  - table and raw escaping give well-formed UTF-8 without any C0, DEL or
 *    C1 control (raw: without spaces either) that decodes to the input;
 *  - the locale pass keeps that, adds only \xHH escapes, and under LANG=C
 *    leaves pure printable ASCII;
 *  - JSON escaping gives well-formed UTF-8 without NUL that decodes to the
 *    input.
 *
 * Built two ways, like the parser targets: with -fsanitize=fuzzer (clang,
 * -Dfuzzing=true) for real fuzzing, and otherwise with
 * tests/fuzz/standalone-main.c, which replays the corpus and prints TAP.
 */
#include <locale.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "escape-check.h"
#include "fuzz.h"

/* Longer inputs add nothing: each byte is handled on its own. */
#define ESCAPE_MAX_INPUT 4096

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *table, *raw, *json, *shown;
	bool c_locale;

	if (size > ESCAPE_MAX_INPUT)
		return 0;

	table = escape_text(data, size, 0);
	FUZZ_CHECK(table);
	FUZZ_CHECK(check_clean_utf8(table, false));
	FUZZ_CHECK(check_roundtrip(table, data, size));

	raw = escape_text(data, size, ESCAPE_BLANK);
	FUZZ_CHECK(raw);
	FUZZ_CHECK(check_clean_utf8(raw, true));
	FUZZ_CHECK(check_roundtrip(raw, data, size));

	json = escape_json(data, size);
	FUZZ_CHECK(json);
	FUZZ_CHECK(check_utf8(json));
	FUZZ_CHECK(check_roundtrip(json, data, size));

	/* The first byte picks the locale of the second table pass. */
	c_locale = size == 0 || (data[0] & 1);
	if (setlocale(LC_CTYPE, c_locale ? "C" : "C.UTF-8")) {
		shown = escape_unprintable(table);
		FUZZ_CHECK(shown);
		FUZZ_CHECK(check_clean_utf8(shown, false));
		FUZZ_CHECK(check_roundtrip(shown, data, size));
		if (c_locale)
			FUZZ_CHECK(check_ascii(shown));
		free(shown);
	}

	free(table);
	free(raw);
	free(json);
	return 0;
}
