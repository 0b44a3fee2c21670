/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fuzz target for pe_status_field(): input is a status file. */
#include <errno.h>
#include <string.h>

#include "fuzz.h"
#include "parse.h"

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static void lookup(const char *buf, size_t size, const char *key, bool must_exist)
{
	const char *v;
	size_t v_len;
	int r;

	r = pe_status_field(buf, size, key, &v, &v_len);
	if (r < 0) {
		FUZZ_CHECK(r == -ENOENT && !must_exist);
		return;
	}
	FUZZ_CHECK(r == 0);
	FUZZ_CHECK(v >= buf && v + v_len <= buf + size);
	FUZZ_CHECK(!memchr(v, '\n', v_len));
	if (v_len > 0)
		FUZZ_CHECK(!is_space(v[0]) && !is_space(v[v_len - 1]));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const keys[] = {
		"Name", "State", "Pid", "PPid", "Uid", "NSpid", "NStgid", "TracerPid",
	};
	const char *buf = (const char *)data;
	char key[64];
	size_t n = 0;

	if (size > FUZZ_MAX_INPUT)
		return 0;

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		lookup(buf, size, keys[i], false);

	/* The key of the first line, when it has one, must be found. */
	while (n < size && n < sizeof(key) - 1 && buf[n] != ':' && buf[n] != '\n' && buf[n] != '\0')
		n++;
	if (n > 0 && n < size && buf[n] == ':') {
		memcpy(key, buf, n);
		key[n] = '\0';
		lookup(buf, size, key, true);
	}
	return 0;
}
