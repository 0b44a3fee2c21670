/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Fuzz target for pe_cgroup_path(): input is a cgroup file.  Besides the
 * bounds of the result, it is compared with a reference written
 * differently (one byte at a time, by index) from the rules in parse.h.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "fuzz.h"
#include "parse.h"

enum ref_kind { REF_OTHER, REF_V2, REF_SYSTEMD };

struct ref_hit {
	bool found;
	size_t off, len;
};

/* "/" and "" say nothing. */
static bool ref_informative(const char *buf, const struct ref_hit *h)
{
	return h->found && h->len > 0 && !(h->len == 1 && buf[h->off] == '/');
}

/* The offset and length the rules choose, or false for -ENOENT. */
static bool reference(const char *buf, size_t size, size_t *ret_off, size_t *ret_len)
{
	static const char systemd[] = "name=systemd";
	struct ref_hit v2 = { 0 }, sd = { 0 };
	const struct ref_hit *pick;
	size_t i = 0;

	while (i < size) {
		size_t start = i, id_len = 0, ctl_start, ctl_len = 0, colons = 0;
		bool id_digits = true;
		enum ref_kind kind = REF_OTHER;

		/* ID */
		while (i < size && buf[i] != '\n' && buf[i] != ':') {
			if (buf[i] < '0' || buf[i] > '9')
				id_digits = false;
			id_len++;
			i++;
		}
		if (i < size && buf[i] == ':') {
			colons++;
			i++;
		}
		/* CONTROLLERS */
		ctl_start = i;
		while (colons == 1 && i < size && buf[i] != '\n' && buf[i] != ':') {
			ctl_len++;
			i++;
		}
		if (colons == 1 && i < size && buf[i] == ':') {
			colons++;
			i++;
		}
		if (colons == 2 && id_len > 0 && id_digits) {
			if (id_len == 1 && buf[start] == '0' && ctl_len == 0)
				kind = REF_V2;
			else if (ctl_len == sizeof(systemd) - 1 &&
			         memcmp(buf + ctl_start, systemd, ctl_len) == 0)
				kind = REF_SYSTEMD;
		}
		/* PATH: the rest of the line */
		{
			size_t path_off = i;

			while (i < size && buf[i] != '\n')
				i++;
			if (kind == REF_V2 && !v2.found)
				v2 = (struct ref_hit){ true, path_off, i - path_off };
			else if (kind == REF_SYSTEMD && !sd.found)
				sd = (struct ref_hit){ true, path_off, i - path_off };
		}
		if (i < size)
			i++;    /* the newline */
	}

	if (ref_informative(buf, &v2))
		pick = &v2;
	else if (ref_informative(buf, &sd))
		pick = &sd;
	else if (v2.found)
		pick = &v2;
	else if (sd.found)
		pick = &sd;
	else
		return false;
	*ret_off = pick->off;
	*ret_len = pick->len;
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data, *v = NULL;
	size_t v_len = 0, want_off = 0, want_len = 0;
	bool want;
	int r;

	if (size > FUZZ_MAX_INPUT)
		return 0;

	r = pe_cgroup_path(buf, size, &v, &v_len);
	want = reference(buf, size, &want_off, &want_len);
	if (r < 0) {
		FUZZ_CHECK(r == -ENOENT);
		FUZZ_CHECK(!want);
		FUZZ_CHECK(!v && v_len == 0);      /* outputs untouched */
		return 0;
	}
	FUZZ_CHECK(r == 0);
	FUZZ_CHECK(want);
	/* Within the buffer, after the second ':' of its line, up to the end
	 * of that line. */
	FUZZ_CHECK(v > buf && v <= buf + size && v_len <= (size_t)(buf + size - v));
	FUZZ_CHECK(v[-1] == ':');
	FUZZ_CHECK(!memchr(v, '\n', v_len));
	FUZZ_CHECK(v + v_len == buf + size || v[v_len] == '\n');
	FUZZ_CHECK((size_t)(v - buf) == want_off && v_len == want_len);
	return 0;
}
