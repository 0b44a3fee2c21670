/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fuzz target for pe_maps_next(), pe_maps_next_file() and pe_maps_unescape():
 * input is a maps file. */
#include <errno.h>
#include <string.h>

#include "fuzz.h"
#include "parse.h"

static char unescaped[FUZZ_MAX_INPUT + 1];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data, *cur = buf, *end = buf + size;
	struct pe_map m;
	size_t n;
	int r;

	if (size > FUZZ_MAX_INPUT)
		return 0;

	for (;;) {
		const char *prev = cur;

		r = pe_maps_next(&cur, end, &m);
		if (r == 0) {
			FUZZ_CHECK(cur == end);
			break;
		}
		/* Every line, good or bad, is consumed. */
		FUZZ_CHECK(cur > prev && cur <= end);
		if (r < 0) {
			FUZZ_CHECK(r == -EINVAL || r == -ERANGE);
			continue;
		}
		FUZZ_CHECK(r == 1);
		FUZZ_CHECK(m.start <= m.end);
		FUZZ_CHECK(strlen(m.perms) == 4);
		if (!m.path) {
			FUZZ_CHECK(m.path_len == 0 && !m.deleted);
			continue;
		}
		FUZZ_CHECK(m.path >= prev && m.path + m.path_len <= cur);
		FUZZ_CHECK(m.path_len > 0);
		FUZZ_CHECK(!memchr(m.path, '\n', m.path_len));
		n = pe_maps_unescape(m.path, m.path_len, unescaped);
		FUZZ_CHECK(n <= m.path_len && unescaped[n] == '\0');
	}
	/* pe_maps_next_file() yields a subsequence of what pe_maps_next()
	 * parses (it skips lines too short to hold a name without parsing
	 * them), each with a name starting with '/', parsed the same way. */
	cur = buf;
	{
		const char *fcur = buf;
		struct pe_map fm;
		int fr;

		while ((fr = pe_maps_next_file(&fcur, end, &fm)) != 0) {
			if (fr < 0)
				continue;
			FUZZ_CHECK(fr == 1 && fm.path && fm.path[0] == '/');
			do {
				r = pe_maps_next(&cur, end, &m);
			} while (r != 0 && (r < 0 || m.path != fm.path));
			FUZZ_CHECK(r == 1);
			FUZZ_CHECK(fm.path_len == m.path_len && fm.ino == m.ino &&
			           fm.start == m.start && fm.end == m.end &&
			           fm.deleted == m.deleted);
		}
		FUZZ_CHECK(fcur == end);
	}
	return 0;
}
