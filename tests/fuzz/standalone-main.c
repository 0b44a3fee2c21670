/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Replays inputs through LLVMFuzzerTestOneInput() without libFuzzer, for
 * builds with any compiler: every argument is a file or a directory whose
 * regular, non-hidden files are run in name order.  Each input is passed in
 * a heap buffer of exactly its size, so that sanitizers see reads past its
 * end.  Prints TAP; a crash or failed check aborts the run.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"

/* Inputs this large are not replayed: they cannot be meant as a corpus. */
#define MAX_FILE (16 * 1024 * 1024)

static unsigned n_run, n_failed;

/*
 * Read PATH to its end (procfs files report size 0) into a new buffer of
 * exactly the size read.
 */
static int read_input(const char *path, uint8_t **ret, size_t *ret_size)
{
	uint8_t *buf = NULL, *exact;
	size_t cap = 0, size = 0;
	int fd, r = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	for (;;) {
		ssize_t n;

		if (size == cap) {
			uint8_t *bigger;

			if (cap >= MAX_FILE) {
				r = -EFBIG;
				break;
			}
			cap = cap ? 2 * cap : 65536;
			bigger = realloc(buf, cap);
			if (!bigger) {
				r = -ENOMEM;
				break;
			}
			buf = bigger;
		}
		n = read(fd, buf + size, cap - size);
		if (n < 0) {
			r = -errno;
			break;
		}
		if (n == 0)
			break;
		size += (size_t)n;
	}
	close(fd);
	if (r == 0) {
		exact = malloc(size ? size : 1);
		if (exact) {
			memcpy(exact, buf, size);
			*ret = exact;
			*ret_size = size;
		} else {
			r = -ENOMEM;
		}
	}
	free(buf);
	return r;
}

static void run_file(const char *path)
{
	uint8_t *buf = NULL;
	size_t size = 0;
	int r;

	n_run++;
	r = read_input(path, &buf, &size);
	if (r < 0) {
		n_failed++;
		printf("not ok %u - %s: %s\n", n_run, path, strerror(-r));
		return;
	}
	/* Flush first, so that a crash below still names the input. */
	printf("# running %s (%zu bytes)\n", path, size);
	fflush(stdout);
	LLVMFuzzerTestOneInput(buf, size);
	free(buf);
	printf("ok %u - %s\n", n_run, path);
}

static int skip_hidden(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

static void run_dir(const char *dir)
{
	struct dirent **names;
	int n;

	n = scandir(dir, &names, skip_hidden, alphasort);
	if (n < 0) {
		n_run++;
		n_failed++;
		printf("not ok %u - %s: %s\n", n_run, dir, strerror(errno));
		return;
	}
	for (int i = 0; i < n; i++) {
		char path[PATH_MAX];

		if (snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name) >= (int)sizeof(path)) {
			n_run++;
			n_failed++;
			printf("not ok %u - %s/%s: name too long\n", n_run, dir, names[i]->d_name);
		} else {
			run_file(path);
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
	if (n_run == 0)
		printf("1..0 # SKIP no inputs\n");
	else
		printf("1..%u\n", n_run);
	return n_failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
