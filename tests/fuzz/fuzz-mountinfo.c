/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fuzz target for pe_parse_mountinfo_ids(): input is a mountinfo file. */
#include <errno.h>
#include <string.h>

#include "fuzz.h"
#include "parse.h"

struct count {
	size_t n, stop_at;
};

static int count_cb(uint64_t mnt_id, void *userdata)
{
	struct count *c = userdata;

	c->n++;
	return c->n == c->stop_at ? 1 : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	struct count c = { 0 };
	size_t lines = 0;
	int r;

	if (size > FUZZ_MAX_INPUT)
		return 0;
	for (size_t i = 0; i < size; i++)
		lines += buf[i] == '\n';
	if (size > 0 && buf[size - 1] != '\n')
		lines++;

	r = pe_parse_mountinfo_ids(buf, size, count_cb, &c);
	FUZZ_CHECK(r == 0 || r == -EINVAL || r == -ERANGE);
	FUZZ_CHECK(c.n <= lines);
	FUZZ_CHECK(pe_parse_mountinfo_ids(buf, size, NULL, NULL) == r);

	/* Stop after the second id: the callback's value comes back. */
	if (r == 0 && c.n >= 2) {
		size_t n = c.n;

		c = (struct count){ .stop_at = 2 };
		FUZZ_CHECK(pe_parse_mountinfo_ids(buf, size, count_cb, &c) == 1);
		FUZZ_CHECK(c.n == 2 && n >= 2);
	}
	return 0;
}
