/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Fuzz target for the parsers of src/restart-engine.c.  Input is the text
 * of a state file, read as docker's config.v2.json and as podman's
 * containers.json.  For any input bytes:
 *  - the parsers return one of their documented values;
 *  - a name is 1..ENGINE_NAME_MAX bytes of [A-Za-z0-9_.-] starting with an
 *    alphanumeric, found in the input as it is;
 *  - podman's callback gets spans inside the input, an ID without '\\',
 *    and is never called for a document it refuses;
 *  - blanks after the document change nothing.
 * Built like the other targets: -fsanitize=fuzzer (clang, -Dfuzzing=true),
 * or with tests/fuzz/standalone-main.c replaying the corpus as TAP.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "restart-engine.h"

#define ID64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static const uint8_t *input;
static size_t input_size;
static unsigned calls;

static bool rule(const char *s, size_t n)
{
	if (n == 0 || n > ENGINE_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');

		if (!alnum && (i == 0 || !strchr("_.-", c) || c == '\0'))
			return false;
	}
	return true;
}

static bool inside(const char *p, size_t n)
{
	const char *b = (const char *)input;

	return p >= b && n <= input_size && p + n <= b + input_size;
}

static void on_container(const char *id, size_t id_len, const char *name, size_t name_len,
                         void *arg)
{
	FUZZ_CHECK(arg == &calls);
	FUZZ_CHECK(inside(id, id_len) && inside(name, name_len));
	FUZZ_CHECK(!memchr(id, '\\', id_len));
	FUZZ_CHECK(rule(name, name_len));
	calls++;
}

static void docker(const char *buf, size_t size, const char *orig, size_t orig_size)
{
	char *name = NULL, *name2 = NULL;
	char *padded = malloc(size + 3);
	int r, r2;

	FUZZ_CHECK(padded);
	r = engine_docker_name(buf, size, ID64, &name);
	FUZZ_CHECK(r == 0 || r == -ENOENT || r == -EBADMSG || r == -ENOMEM);
	FUZZ_CHECK((r == 0) == (name != NULL));
	if (name) {
		FUZZ_CHECK(rule(name, strlen(name)));
		FUZZ_CHECK(memmem(orig, orig_size, name, strlen(name)));
	}
	memcpy(padded, buf, size);
	memcpy(padded + size, " \n\t", 3);
	r2 = engine_docker_name(padded, size + 3, ID64, &name2);
	if (r != -ENOMEM && r2 != -ENOMEM) {
		FUZZ_CHECK(r2 == r);
		FUZZ_CHECK((!name && !name2) || (name && name2 && strcmp(name, name2) == 0));
	}
	free(padded);
	free(name);
	free(name2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	int r;

	if (size > FUZZ_MAX_INPUT)
		return 0;
	input = data;
	input_size = size;
	docker(buf, size, buf, size);

	calls = 0;
	r = engine_podman_names(buf, size, on_container, &calls);
	FUZZ_CHECK(r == 0 || r == -EBADMSG);
	if (r < 0)
		FUZZ_CHECK(calls == 0);
	return 0;
}
