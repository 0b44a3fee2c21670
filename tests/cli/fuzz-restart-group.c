/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Fuzz target for src/restart-group.c.  Input is a cgroup path.  For any
 * input bytes:
 *  - the call succeeds, the type is one of the enum with a name, and the
 *    name is NULL exactly for GROUP_NONE;
 *  - the name is made of the input's own bytes: a unit or session name is
 *    one whole component of the path with the right affixes, a user unit
 *    is "user@DIGITS.service" plus at most one more component, a container
 *    is a known label, ':' and a non-empty ID (exactly 12 hex digits for
 *    the runtimes that use hex IDs) found in the path;
 *  - a path without any non-empty component gives GROUP_NONE;
 *  - doubling every '/' and adding one at each end changes nothing;
 *  - container_engine_id() names an engine only for a container group, with
 *    64 lower-case hex digits inside the input whose first 12 end the name.
 *
 * Built two ways, like the parser targets: with -fsanitize=fuzzer (clang,
 * -Dfuzzing=true) for real fuzzing, and otherwise with
 * tests/fuzz/standalone-main.c, which replays the corpus and prints TAP.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "restart-group.h"

/* Longer paths add nothing; PATH_MAX is 4096. */
#define GROUP_MAX_INPUT 8192

static char doubled[2 * GROUP_MAX_INPUT + 2];

static bool starts_with(const char *s, size_t n, const char *prefix)
{
	size_t pn = strlen(prefix);

	return n >= pn && memcmp(s, prefix, pn) == 0;
}

static bool ends_with(const char *s, size_t n, const char *suffix)
{
	size_t sn = strlen(suffix);

	return n >= sn && memcmp(s + n - sn, suffix, sn) == 0;
}

/* Is the N bytes at S exactly one '/'-delimited component of the input? */
static bool is_component(const uint8_t *data, size_t size, const char *s, size_t n)
{
	if (n == 0 || memchr(s, '/', n))
		return false;
	for (size_t i = 0; i + n <= size; i++) {
		if ((i == 0 || data[i - 1] == '/') && (i + n == size || data[i + n] == '/') &&
		    memcmp(data + i, s, n) == 0)
			return true;
	}
	return false;
}

static bool all_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strchr("0123456789abcdefABCDEF", s[i]) || s[i] == '\0')
			return false;
	return true;
}

static bool is_unit_name(const char *s, size_t n)
{
	static const char *const suffixes[] = {
		".service", ".scope", ".socket", ".mount", ".swap",
	};

	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++)
		if (n > strlen(suffixes[i]) && ends_with(s, n, suffixes[i]))
			return true;
	return false;
}

static void check_container(const uint8_t *data, size_t size, const char *name, size_t n)
{
	static const char *const hex_labels[] = { "docker:", "podman:", "containerd:", "cri-o:" };
	static const char *const name_labels[] = { "lxc:", "nspawn:", "machine:" };

	for (size_t i = 0; i < sizeof(hex_labels) / sizeof(hex_labels[0]); i++) {
		size_t ln = strlen(hex_labels[i]);

		if (starts_with(name, n, hex_labels[i])) {
			FUZZ_CHECK(n == ln + 12);
			FUZZ_CHECK(all_hex(name + ln, 12));
			FUZZ_CHECK(memmem(data, size, name + ln, 12));
			return;
		}
	}
	for (size_t i = 0; i < sizeof(name_labels) / sizeof(name_labels[0]); i++) {
		size_t ln = strlen(name_labels[i]);

		if (starts_with(name, n, name_labels[i])) {
			FUZZ_CHECK(n > ln);
			FUZZ_CHECK(!memchr(name + ln, '/', n - ln));
			FUZZ_CHECK(memmem(data, size, name + ln, n - ln));
			return;
		}
	}
	FUZZ_CHECK(!"unknown container label");
}

/* The invariants on the name, for inputs without NUL (which cuts it short). */
static void check_name(const uint8_t *data, size_t size, enum group_type type, const char *name)
{
	size_t n = strlen(name);
	const char *slash;

	switch (type) {
	case GROUP_UNIT:
		FUZZ_CHECK(is_unit_name(name, n));
		FUZZ_CHECK(is_component(data, size, name, n));
		break;
	case GROUP_SESSION:
		FUZZ_CHECK(n > strlen("session-.scope"));
		FUZZ_CHECK(starts_with(name, n, "session-") && ends_with(name, n, ".scope"));
		FUZZ_CHECK(is_component(data, size, name, n));
		break;
	case GROUP_USER_UNIT:
		slash = memchr(name, '/', n);
		if (slash) {
			size_t head = (size_t)(slash - name);

			FUZZ_CHECK(is_component(data, size, name, head));
			FUZZ_CHECK(is_unit_name(slash + 1, n - head - 1));
			FUZZ_CHECK(is_component(data, size, slash + 1, n - head - 1));
			n = head;
		} else {
			FUZZ_CHECK(is_component(data, size, name, n));
		}
		FUZZ_CHECK(n > strlen("user@.service"));
		FUZZ_CHECK(starts_with(name, n, "user@") && ends_with(name, n, ".service"));
		for (size_t i = strlen("user@"); i < n - strlen(".service"); i++)
			FUZZ_CHECK(name[i] >= '0' && name[i] <= '9');
		break;
	case GROUP_CONTAINER:
		check_container(data, size, name, n);
		break;
	case GROUP_SYSV:
		FUZZ_CHECK(!"GROUP_SYSV from a cgroup");
		break;
	case GROUP_NONE:
		FUZZ_CHECK(!"GROUP_NONE with a name");
		break;
	}
}

static void check_engine(const uint8_t *data, size_t size, enum group_type type, const char *name)
{
	const char *id = NULL;
	size_t id_len = 0;
	enum container_engine e = container_engine_id((const char *)data, size, &id, &id_len);

	FUZZ_CHECK(e == ENGINE_NONE || e == ENGINE_DOCKER || e == ENGINE_PODMAN);
	if (e == ENGINE_NONE) {
		FUZZ_CHECK(!id && !id_len);
		return;
	}
	FUZZ_CHECK(type == GROUP_CONTAINER && name);
	FUZZ_CHECK(id_len == 64 && id >= (const char *)data && id + id_len <= (const char *)data + size);
	for (size_t i = 0; i < id_len; i++)
		FUZZ_CHECK((id[i] >= '0' && id[i] <= '9') || (id[i] >= 'a' && id[i] <= 'f'));
	if (!memchr(data, '\0', size))
		FUZZ_CHECK(strlen(name) > 12 && memcmp(name + strlen(name) - 12, id, 12) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = (const char *)data;
	enum group_type type, type2;
	char *name = NULL, *name2 = NULL;
	bool any_component = false;
	size_t n = 0;
	int r;

	if (size > GROUP_MAX_INPUT)
		return 0;

	r = group_from_cgroup(path, size, &type, &name);
	if (r == -ENOMEM)
		return 0;
	FUZZ_CHECK(r == 0);
	FUZZ_CHECK(group_type_name(type));
	FUZZ_CHECK((type == GROUP_NONE) == !name);

	for (size_t i = 0; i < size && !any_component; i++)
		any_component = data[i] != '/';
	if (!any_component)
		FUZZ_CHECK(type == GROUP_NONE);

	if (name && !memchr(data, '\0', size))
		check_name(data, size, type, name);

	/* "/" + every '/' doubled + "/": same group. */
	doubled[n++] = '/';
	for (size_t i = 0; i < size; i++) {
		doubled[n++] = path[i];
		if (path[i] == '/')
			doubled[n++] = '/';
	}
	doubled[n++] = '/';
	r = group_from_cgroup(doubled, n, &type2, &name2);
	if (r == 0) {
		FUZZ_CHECK(type2 == type);
		FUZZ_CHECK((!name && !name2) || (name && name2 && strcmp(name, name2) == 0));
	} else {
		FUZZ_CHECK(r == -ENOMEM);
	}

	check_engine(data, size, type, name);
	free(name);
	free(name2);
	return 0;
}
