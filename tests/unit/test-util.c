/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* File and link readers: short reads, growth, limits, any link length. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "internal.h"
#include "parse.h"

struct writer {
	const char *fifo;
	size_t total, chunk;
};

/* Writes TOTAL bytes in CHUNK-sized writes with pauses: the reader sees
 * short reads, as with procfs seq files at record boundaries. */
static void *write_chunks(void *arg)
{
	struct writer *w = arg;
	int fd = open(w->fifo, O_WRONLY | O_CLOEXEC);
	char *buf = malloc(w->chunk);

	for (size_t done = 0; fd >= 0 && buf && done < w->total;) {
		size_t n = w->total - done < w->chunk ? w->total - done : w->chunk;

		for (size_t i = 0; i < n; i++)
			buf[i] = (char)('a' + (done + i) % 26);
		if (write(fd, buf, n) != (ssize_t)n)
			break;
		done += n;
		usleep(2000);
	}
	free(buf);
	if (fd >= 0)
		close(fd);
	return NULL;
}

static void read_fifo(size_t total, size_t chunk, size_t max, int want_r)
{
	char dir[] = "/tmp/pe-util.XXXXXX", fifo[64];
	struct writer w = { fifo, total, chunk };
	pthread_t t;
	char *buf = NULL;
	size_t len = 0;
	int r;

	assert_non_null(mkdtemp(dir));
	snprintf(fifo, sizeof(fifo), "%s/f", dir);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	assert_int_equal(pthread_create(&t, NULL, write_chunks, &w), 0);
	r = pe_read_file_at(AT_FDCWD, fifo, max, &buf, &len);
	pthread_join(t, NULL);
	unlink(fifo);
	rmdir(dir);
	assert_int_equal(r, want_r);
	if (r == 0) {
		assert_int_equal(len, total);
		assert_int_equal(buf[len], '\0');
		for (size_t i = 0; i < len; i++)
			assert_int_equal(buf[i], (char)('a' + i % 26));
	}
	free(buf);
}

static void test_short_reads_small(void **state)
{
	read_fifo(133, 40, 1u << 20, 0);
}

static void test_short_reads_grow(void **state)
{
	/* First chunk fits the stack buffer, the rest forces growth. */
	read_fifo(12000, 1000, 1u << 20, 0);
	read_fifo(4096, 4096, 1u << 20, 0);
	read_fifo(0, 1, 1u << 20, 0);
}

static void test_limit(void **state)
{
	read_fifo(20000, 5000, 8192, -EFBIG);
}

static void test_missing(void **state)
{
	char *buf = NULL;

	assert_int_equal(pe_read_file_at(AT_FDCWD, "/nonexistent/pe", 100, &buf, NULL), -ENOENT);
	assert_null(buf);
}

static void test_readlink_any_length(void **state)
{
	char dir[] = "/tmp/pe-util.XXXXXX", link[64];
	size_t sizes[] = { 1, 4095, 4096, 4097, 9000 };

	assert_non_null(mkdtemp(dir));
	snprintf(link, sizeof(link), "%s/l", dir);
	for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		char *target = malloc(sizes[k] + 1), *got = NULL;
		size_t len = 0;

		assert_non_null(target);
		memset(target, 'x', sizes[k]);
		target[sizes[k]] = '\0';
		unlink(link);
		if (symlink(target, link) < 0) {
			free(target);
			continue; /* the filesystem caps symlink length */
		}
		assert_int_equal(pe_readlink_at(AT_FDCWD, link, &got, &len), 0);
		assert_int_equal(len, sizes[k]);
		assert_memory_equal(got, target, len);
		free(got);
		free(target);
	}
	unlink(link);
	rmdir(dir);
}

int main(void)
{
	/* A reader that stops early (-EFBIG) must not kill us through the writer. */
	signal(SIGPIPE, SIG_IGN);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_short_reads_small),
		cmocka_unit_test(test_short_reads_grow),
		cmocka_unit_test(test_limit),
		cmocka_unit_test(test_missing),
		cmocka_unit_test(test_readlink_any_length),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
