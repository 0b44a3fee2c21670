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
 * Built two ways: with -DPROCEXE_LIBFUZZER and -fsanitize=fuzzer (clang,
 * -Dfuzzing=true) for real fuzzing, and otherwise with the small main()
 * below, which replays files (or the files of directories) given as
 * arguments and prints TAP.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "escape.h"
#include "escape-check.h"

/* Longer inputs add nothing: each byte is handled on its own. */
#define FUZZ_MAX_INPUT 4096

#define CHECK(cond)                                                          \
	do {                                                                 \
		if (!(cond)) {                                               \
			fprintf(stderr, "%s:%d: check failed: %s\n",         \
				__FILE__, __LINE__, #cond);                  \
			abort();                                             \
		}                                                            \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *table, *raw, *json, *shown;
	bool c_locale;

	if (size > FUZZ_MAX_INPUT)
		return 0;

	table = escape_text(data, size, 0);
	CHECK(table);
	CHECK(check_clean_utf8(table, false));
	CHECK(check_roundtrip(table, data, size));

	raw = escape_text(data, size, ESCAPE_BLANK);
	CHECK(raw);
	CHECK(check_clean_utf8(raw, true));
	CHECK(check_roundtrip(raw, data, size));

	json = escape_json(data, size);
	CHECK(json);
	CHECK(check_utf8(json));
	CHECK(check_roundtrip(json, data, size));

	/* The first byte picks the locale of the second table pass. */
	c_locale = size == 0 || (data[0] & 1);
	if (setlocale(LC_CTYPE, c_locale ? "C" : "C.UTF-8")) {
		shown = escape_unprintable(table);
		CHECK(shown);
		CHECK(check_clean_utf8(shown, false));
		CHECK(check_roundtrip(shown, data, size));
		if (c_locale)
			CHECK(check_ascii(shown));
		free(shown);
	}

	free(table);
	free(raw);
	free(json);
	return 0;
}

#ifndef PROCEXE_LIBFUZZER

static unsigned n_run, n_failed;

/* Read PATH into a heap buffer of exactly its size. */
static int read_file(const char *path, uint8_t **ret, size_t *ret_size)
{
	uint8_t *buf = NULL;
	size_t size = 0;
	int fd, r = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	for (;;) {
		uint8_t chunk[4096], *bigger;
		ssize_t n = read(fd, chunk, sizeof(chunk));

		if (n < 0) {
			r = -errno;
			break;
		}
		if (n == 0)
			break;
		if (size + (size_t)n > FUZZ_MAX_INPUT * 4) {
			r = -EFBIG;
			break;
		}
		bigger = realloc(buf, size + (size_t)n);
		if (!bigger) {
			r = -ENOMEM;
			break;
		}
		buf = bigger;
		memcpy(buf + size, chunk, (size_t)n);
		size += (size_t)n;
	}
	close(fd);
	if (r < 0) {
		free(buf);
		return r;
	}
	*ret = buf;             /* NULL when empty: the target must cope */
	*ret_size = size;
	return 0;
}

static void run_file(const char *path)
{
	uint8_t *buf = NULL;
	size_t size = 0;
	int r;

	n_run++;
	r = read_file(path, &buf, &size);
	if (r < 0) {
		n_failed++;
		printf("not ok %u - %s: %s\n", n_run, path, strerror(-r));
		return;
	}
	printf("# %s (%zu bytes)\n", path, size);
	fflush(stdout);         /* a crash below still names the input */
	LLVMFuzzerTestOneInput(buf, size);
	free(buf);
	printf("ok %u - %s\n", n_run, path);
}

static int not_hidden(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

static void run_dir(const char *dir)
{
	struct dirent **names;
	int n = scandir(dir, &names, not_hidden, alphasort);

	if (n < 0) {
		n_run++;
		n_failed++;
		printf("not ok %u - %s: %s\n", n_run, dir, strerror(errno));
		return;
	}
	for (int i = 0; i < n; i++) {
		char *path;

		if (asprintf(&path, "%s/%s", dir, names[i]->d_name) < 0) {
			n_run++;
			n_failed++;
			printf("not ok %u - out of memory\n", n_run);
		} else {
			run_file(path);
			free(path);
		}
		free(names[i]);
	}
	free(names);
}

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		struct stat st;

		if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode))
			run_dir(argv[i]);
		else
			run_file(argv[i]);
	}
	if (n_run == 0) {
		printf("1..0 # SKIP no inputs\n");
		return 77;
	}
	printf("1..%u\n", n_run);
	return n_failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

#endif /* PROCEXE_LIBFUZZER */
