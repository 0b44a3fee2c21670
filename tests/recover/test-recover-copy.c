/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The recovery helpers of lib/recover.c on plain files: the copy is byte
 * for byte, its SHA-256 matches an independent computation and the copy
 * read back (procexe_copy_verify), it is created with mode 0400 beneath
 * the directory only, never over an existing name
 * (files and symlinks planted under the output names stay untouched), an
 * uncommitted copy leaves nothing behind, holes stay holes and files
 * beyond 4 GiB work.  procexe_copy_verify() finds a byte changed, a hole
 * punched or bytes added in the copy and a source changed since, and
 * costs no hashing of holes; procexe_copy_set_max_size() refuses larger
 * sources with -EFBIG.  The read-back check catches a write that stored
 * other bytes than were read and hashed (a pwrite() shim below corrupts
 * one write of the copy, in either half of the pipelined comparison), and
 * holey files of many extents copy exactly, holes kept.
 */
#include <dirent.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <linux/falloc.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <time.h>
#include <cmocka.h>
#include <openssl/evp.h>

#include "internal.h"

static char tmpdir[] = "/tmp/pe-rec-unit.XXXXXX";
static int dir_fd = -1;

static void rm_rf_in(int dfd)
{
	DIR *d = fdopendir(dup(dfd));
	struct dirent *de;

	if (!d)
		return;
	rewinddir(d);
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			unlinkat(dfd, de->d_name, 0);
	closedir(d);
}

static int count_entries(int dfd)
{
	DIR *d = fdopendir(dup(dfd));
	struct dirent *de;
	int n = 0;

	assert_non_null(d);
	rewinddir(d);
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

/*
 * A pwrite() in front of libc's for the library linked into this program:
 * when armed, the one write that covers corrupt_at stores that byte
 * flipped (from a private copy of the buffer: the caller's, which is
 * hashed, stays intact).  Declared by <unistd.h> (pwrite64 with 64-bit
 * offsets), so this definition takes that name.
 */
static int64_t corrupt_at = -1;
static int corrupted;

ssize_t pwrite(int fd, const void *buf, size_t len, off_t off)
{
	unsigned char *bad;
	ssize_t n;

	if (corrupt_at < off || corrupt_at >= off + (off_t)len)
		return syscall(SYS_pwrite64, fd, buf, len, off);
	bad = malloc(len);
	assert_non_null(bad);
	memcpy(bad, buf, len);
	bad[corrupt_at - off] ^= 0x40;
	n = syscall(SYS_pwrite64, fd, bad, len, off);
	free(bad);
	corrupt_at = -1;
	corrupted++;
	return n;
}

static int setup(void **state)
{
	char out[sizeof(tmpdir) + 8];

	if (!mkdtemp(tmpdir))
		return -1;
	snprintf(out, sizeof(out), "%s/out", tmpdir);
	dir_fd = procexe_recover_dir_open(out);
	return dir_fd < 0 ? -1 : 0;
}

static int teardown(void **state)
{
	char path[sizeof(tmpdir) + 32];

	rm_rf_in(dir_fd);
	close(dir_fd);
	snprintf(path, sizeof(path), "%s/out", tmpdir);
	rmdir(path);
	{
		int t = open(tmpdir, O_RDONLY | O_DIRECTORY);

		rm_rf_in(t);
		close(t);
	}
	rmdir(tmpdir);
	return 0;
}

static int per_test(void **state)
{
	rm_rf_in(dir_fd);
	return 0;
}

/* SHA-256 of everything read() returns from FD (holes read as zeros). */
static void sha_of_fd(int fd, char hex[65])
{
	static unsigned char buf[1 << 20];
	unsigned char md[32];
	unsigned int len = 0;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	ssize_t n;

	assert_non_null(ctx);
	assert_int_equal(EVP_DigestInit_ex(ctx, EVP_sha256(), NULL), 1);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		assert_int_equal(EVP_DigestUpdate(ctx, buf, (size_t)n), 1);
	assert_int_equal(n, 0);
	assert_int_equal(EVP_DigestFinal_ex(ctx, md, &len), 1);
	EVP_MD_CTX_free(ctx);
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
}

static int make_source(const char *name, size_t len, unsigned seed)
{
	char path[sizeof(tmpdir) + 64];
	unsigned char *buf = malloc(len ? len : 1);
	int fd;

	assert_non_null(buf);
	for (size_t i = 0; i < len; i++) {
		seed = seed * 1103515245u + 12345u;
		buf[i] = (unsigned char)(seed >> 16);
	}
	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, buf, len), (ssize_t)len);
	free(buf);
	return fd;
}

static void assert_same_content(int a, int b)
{
	static unsigned char x[65536], y[65536];
	off_t off = 0;

	for (;;) {
		ssize_t n = pread(a, x, sizeof(x), off), m = pread(b, y, sizeof(y), off);

		assert_int_equal(n, m);
		if (n <= 0)
			break;
		assert_memory_equal(x, y, (size_t)n);
		off += n;
	}
}

static void test_copy_basic(void **state)
{
	int src = make_source("prog", 3 * (1u << 20) + 123, 1);
	struct procexe_copy *c = NULL;
	char want[65], *name = NULL;
	struct stat st;
	int out;

	sha_of_fd(src, want);
	assert_int_equal(procexe_copy_new(src, dir_fd, &c), 0);
	/* Not yet named: nothing visible in the directory. */
	assert_int_equal(count_entries(dir_fd), 0);
	assert_int_equal(procexe_copy_run(c, NULL, NULL), 0);
	assert_string_equal(procexe_copy_sha256_hex(c), want);
	assert_int_equal(procexe_copy_size(c), 3 * (1u << 20) + 123);
	assert_int_equal(procexe_copy_verify(c), 0);
	assert_int_equal(procexe_copy_commit(c, "/usr/bin/prog (deleted)", &name), 0);
	assert_int_equal(strncmp(name, "prog-", 5), 0);
	assert_int_equal(strncmp(name + 5, want, 16), 0);
	assert_int_equal(strlen(name), 5 + 16);
	procexe_copy_free(c);

	out = openat(dir_fd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	assert_true(out >= 0);
	assert_int_equal(fstat(out, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0400);
	assert_true(S_ISREG(st.st_mode));
	assert_same_content(src, out);
	close(out);
	close(src);
	free(name);
	assert_int_equal(count_entries(dir_fd), 1);
}

static void test_copy_empty_and_names(void **state)
{
	int src = make_source("empty", 0, 2);
	struct procexe_copy *c = NULL;
	char *name = NULL;

	assert_int_equal(procexe_copy_new(src, dir_fd, &c), 0);
	assert_int_equal(procexe_copy_run(c, NULL, NULL), 0);
	assert_string_equal(procexe_copy_sha256_hex(c),
	                    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	/* Unsafe bytes, leading dots, a memfd name: a plain printable name. */
	assert_int_equal(procexe_copy_commit(c, "/memfd:..evil\n\033[1m/x (deleted)", &name), 0);
	assert_string_equal(name, "x-e3b0c44298fc1c14");
	procexe_copy_free(c);
	free(name);

	assert_int_equal(procexe_copy_new(src, dir_fd, &c), 0);
	assert_int_equal(procexe_copy_run(c, NULL, NULL), 0);
	assert_int_equal(procexe_copy_commit(c, "/memfd:.\xff\033 x", &name), 0);
	assert_string_equal(name, "___x-e3b0c44298fc1c14");
	procexe_copy_free(c);
	free(name);

	assert_int_equal(procexe_copy_new(src, dir_fd, &c), 0);
	assert_int_equal(procexe_copy_run(c, NULL, NULL), 0);
	assert_int_equal(procexe_copy_commit(c, "/a/...", &name), 0);
	assert_string_equal(name, "image-e3b0c44298fc1c14");
	procexe_copy_free(c);
	free(name);
	close(src);
}

/* Planted names: an existing file and a symlink pointing outside. */
static void test_copy_never_overwrites(void **state)
{
	int src = make_source("prog2", 4096, 3);
	struct procexe_copy *c = NULL;
	char want[65], n1[64], n2[64], *name = NULL, outside[sizeof(tmpdir) + 16], buf[16];
	int fd;

	sha_of_fd(src, want);
	snprintf(n1, sizeof(n1), "prog2-%.16s", want);
	snprintf(n2, sizeof(n2), "prog2-%.16s-2", want);
	snprintf(outside, sizeof(outside), "%s/victim", tmpdir);
	fd = open(outside, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_int_equal(write(fd, "victim", 6), 6);
	close(fd);
	fd = openat(dir_fd, n1, O_WRONLY | O_CREAT | O_EXCL, 0644);
	assert_int_equal(write(fd, "mine", 4), 4);
	close(fd);
	assert_int_equal(symlinkat(outside, dir_fd, n2), 0);

	assert_int_equal(procexe_copy_new(src, dir_fd, &c), 0);
	assert_int_equal(procexe_copy_run(c, NULL, NULL), 0);
	assert_int_equal(procexe_copy_commit(c, "prog2", &name), 0);
	assert_string_equal(name + strlen(name) - 2, "-3");
	procexe_copy_free(c);
	free(name);

	fd = openat(dir_fd, n1, O_RDONLY);
	assert_int_equal(read(fd, buf, sizeof(buf)), 4);
	assert_memory_equal(buf, "mine", 4);
	close(fd);
	fd = open(outside, O_RDONLY);
	assert_int_equal(read(fd, buf, sizeof(buf)), 6);
	assert_memory_equal(buf, "victim", 6);
	close(fd);
	unlink(outside);
	close(src);
}

static void test_copy_discard(void **state)
{
	int src = make_source("prog3", 100000, 4);
	struct procexe_copy *c = NULL;

	assert_int_equal(procexe_copy_new(src, dir_fd, &c), 0);
	assert_int_equal(procexe_copy_run(c, NULL, NULL), 0);
	procexe_copy_free(c);
	assert_int_equal(count_entries(dir_fd), 0);
	assert_int_equal(procexe_copy_new(dir_fd, dir_fd, &c), -EINVAL);
	close(src);
}

/*
 * procexe_copy_commit_as(): the exact name given, mode 0400, the content
 * byte for byte; an existing entry of that name (file or symlink) is
 * never replaced (-EEXIST, the copy stays unnamed and leaves nothing);
 * names with '/' or a leading '.' and empty ones are refused.
 */
static void test_commit_as(void **state)
{
	int src = make_source("prog4", 70000, 5), out;
	struct procexe_copy *c = NULL;
	char want[65], *name = NULL, outside[sizeof(tmpdir) + 16], buf[8];
	static const char *const bad[] = { "", ".", "..", ".x", "a/b", "/x", "../x" };
	struct stat st;

	sha_of_fd(src, want);
	assert_int_equal(procexe_copy_new(src, dir_fd, &c), 0);
	assert_int_equal(procexe_copy_commit_as(c, want, &name), -EINVAL); /* before run */
	assert_int_equal(procexe_copy_run(c, NULL, NULL), 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(procexe_copy_commit_as(c, bad[i], &name), -EINVAL);
	assert_int_equal(procexe_copy_commit_as(c, want, &name), 0);
	assert_string_equal(name, want);
	assert_int_equal(procexe_copy_commit_as(c, "again", &name), -EINVAL);
	free(name);
	procexe_copy_free(c);
	out = openat(dir_fd, want, O_RDONLY | O_NOFOLLOW);
	assert_true(out >= 0);
	assert_int_equal(fstat(out, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0400);
	assert_same_content(src, out);
	close(out);

	/* Same name again: -EEXIST, nothing replaced, nothing left. */
	assert_int_equal(procexe_copy_new(src, dir_fd, &c), 0);
	assert_int_equal(procexe_copy_run(c, NULL, NULL), 0);
	assert_int_equal(procexe_copy_commit_as(c, want, &name), -EEXIST);
	procexe_copy_free(c);
	assert_int_equal(count_entries(dir_fd), 1);

	/* A planted symlink under the name: refused, its target untouched. */
	snprintf(outside, sizeof(outside), "%s/victim2", tmpdir);
	out = open(outside, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_int_equal(write(out, "victim", 6), 6);
	close(out);
	assert_int_equal(symlinkat(outside, dir_fd, "planted"), 0);
	assert_int_equal(procexe_copy_new(src, dir_fd, &c), 0);
	assert_int_equal(procexe_copy_run(c, NULL, NULL), 0);
	assert_int_equal(procexe_copy_commit_as(c, "planted", &name), -EEXIST);
	procexe_copy_free(c);
	out = open(outside, O_RDONLY);
	assert_int_equal(read(out, buf, sizeof(buf)), 6);
	assert_memory_equal(buf, "victim", 6);
	close(out);
	unlink(outside);
	assert_int_equal(count_entries(dir_fd), 2);
	close(src);
}

/* DIR_FD -1: the same SHA-256, no file anywhere, no verify or commit. */
static void test_hash_only(void **state)
{
	int src = make_source("prog5", 2 * (1u << 20) + 7, 6);
	struct procexe_copy *c = NULL;
	char want[65], *name = NULL;

	sha_of_fd(src, want);
	assert_int_equal(procexe_copy_new(src, -2, &c), -EINVAL);
	assert_int_equal(procexe_copy_new(src, -1, &c), 0);
	assert_int_equal(procexe_copy_run(c, NULL, NULL), 0);
	assert_string_equal(procexe_copy_sha256_hex(c), want);
	assert_int_equal(procexe_copy_size(c), 2 * (1u << 20) + 7);
	assert_int_equal(procexe_copy_verify(c), -EINVAL);
	assert_int_equal(procexe_copy_commit_as(c, want, &name), -EINVAL);
	assert_int_equal(procexe_copy_commit(c, "x", &name), -EINVAL);
	procexe_copy_free(c);
	assert_int_equal(count_entries(dir_fd), 0);
	close(src);
}

static void test_write_file(void **state)
{
	assert_int_equal(procexe_recover_write_file(dir_fd, "m.json", "{}\n", 3), 0);
	assert_int_equal(procexe_recover_write_file(dir_fd, "m.json", "[]\n", 3), -EEXIST);
	assert_int_equal(procexe_recover_write_file(dir_fd, "../m.json", "x", 1), -EINVAL);
	assert_int_equal(procexe_recover_write_file(dir_fd, ".hidden", "x", 1), -EINVAL);
	assert_int_equal(count_entries(dir_fd), 1);
}

static void test_dir_open(void **state)
{
	char path[sizeof(tmpdir) + 32], link[sizeof(tmpdir) + 32];
	struct stat st;
	int fd;

	snprintf(path, sizeof(path), "%s/newdir", tmpdir);
	umask(0077);
	fd = procexe_recover_dir_open(path);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);
	close(fd);
	snprintf(link, sizeof(link), "%s/link", tmpdir);
	assert_int_equal(symlink(path, link), 0);
	assert_int_equal(procexe_recover_dir_open(link), -ELOOP);
	unlink(link);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/prog", tmpdir);
	close(make_source("prog", 1, 5));
	assert_int_equal(procexe_recover_dir_open(path), -ENOTDIR);
}

/* Expected SHA-256 of a file of SIZE bytes, zeros but for the NSPOTS
 * strings at their offsets (sorted), computed from that description. */
struct spot {
	uint64_t off;
	const char *data;
};

static void sha_of_layout(uint64_t size, const struct spot *spots, size_t nspots, char hex[65])
{
	static const unsigned char zeros[1 << 20];
	unsigned char md[32];
	unsigned int len = 0;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	uint64_t off = 0;

	assert_int_equal(EVP_DigestInit_ex(ctx, EVP_sha256(), NULL), 1);
	for (size_t i = 0; i <= nspots; i++) {
		uint64_t until = i < nspots ? spots[i].off : size;

		while (off < until) {
			size_t n = until - off < sizeof(zeros) ? (size_t)(until - off) : sizeof(zeros);

			assert_int_equal(EVP_DigestUpdate(ctx, zeros, n), 1);
			off += n;
		}
		if (i < nspots) {
			assert_int_equal(EVP_DigestUpdate(ctx, spots[i].data, strlen(spots[i].data)), 1);
			off += strlen(spots[i].data);
		}
	}
	assert_int_equal(EVP_DigestFinal_ex(ctx, md, &len), 1);
	EVP_MD_CTX_free(ctx);
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
}

/* The read-write descriptor of the copy in progress: the one fd of this
 * process that names a file beneath the output directory. */
static int copy_fd_of_test(void)
{
	char prefix[sizeof(tmpdir) + 8], link[PATH_MAX], path[300];
	int found = -1;
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;

	assert_non_null(d);
	snprintf(prefix, sizeof(prefix), "%s/out/", tmpdir);
	while ((de = readdir(d))) {
		ssize_t n;

		snprintf(path, sizeof(path), "/proc/self/fd/%s", de->d_name);
		n = readlink(path, link, sizeof(link) - 1);
		if (n <= 0)
			continue;
		link[n] = '\0';
		if (strncmp(link, prefix, strlen(prefix)) == 0) {
			assert_int_equal(found, -1);
			found = atoi(de->d_name);
		}
	}
	closedir(d);
	assert_true(found >= 0);
	return found;
}

/* A copy of SRC that has run: the caller frees it. */
static struct procexe_copy *run_copy(int src)
{
	struct procexe_copy *c = NULL;

	assert_int_equal(procexe_copy_new(src, dir_fd, &c), 0);
	assert_int_equal(procexe_copy_run(c, NULL, NULL), 0);
	return c;
}

static void test_verify_detects(void **state)
{
	int src = make_source("vsrc", 3 * 65536 + 17, 6);
	struct procexe_copy *c = run_copy(src);
	int out = copy_fd_of_test();
	unsigned char byte;

	assert_int_equal(procexe_copy_verify(c), 0);
	/* One bit flipped in the middle of the data. */
	assert_int_equal(pread(out, &byte, 1, 100000), 1);
	byte ^= 0x10;
	assert_int_equal(pwrite(out, &byte, 1, 100000), 1);
	assert_int_equal(procexe_copy_verify(c), -EIO);
	byte ^= 0x10;
	assert_int_equal(pwrite(out, &byte, 1, 100000), 1);
	assert_int_equal(procexe_copy_verify(c), 0);
	/* Bytes beyond the end. */
	assert_int_equal(pwrite(out, "x", 1, 3 * 65536 + 17), 1);
	assert_int_equal(procexe_copy_verify(c), -EIO);
	assert_int_equal(ftruncate(out, 3 * 65536 + 17), 0);
	assert_int_equal(procexe_copy_verify(c), 0);
	/* A hole where the source has data (reads as zeros). */
	if (fallocate(out, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 65536, 65536) == 0) {
		assert_int_equal(procexe_copy_verify(c), -EIO);
	}
	procexe_copy_free(c);

	/* The source changed since the run (grew: timestamps may not move
	 * within one clock tick): the comparison proves nothing. */
	c = run_copy(src);
	assert_int_equal(procexe_copy_verify(c), 0);
	assert_int_equal(pwrite(src, "grown", 5, 3 * 65536 + 17), 5);
	assert_int_equal(procexe_copy_verify(c), -EAGAIN);
	procexe_copy_free(c);
	close(src);
}

static void test_max_size(void **state)
{
	int src = make_source("msrc", 10000, 7);
	struct procexe_copy *c = NULL;

	assert_int_equal(procexe_copy_init(), 0);
	assert_int_equal(procexe_copy_new(src, dir_fd, &c), 0);
	assert_int_equal(procexe_copy_set_max_size(c, 9999), 0);
	assert_int_equal(procexe_copy_run(c, NULL, NULL), -EFBIG);
	assert_int_equal(procexe_copy_set_max_size(c, 10000), 0);
	assert_int_equal(procexe_copy_run(c, NULL, NULL), 0);
	assert_int_equal(procexe_copy_set_max_size(c, 0), -EINVAL);
	assert_int_equal(procexe_copy_verify(c), 0);
	procexe_copy_free(c);
	assert_int_equal(procexe_copy_set_max_size(NULL, 1), -EINVAL);
	close(src);
}

/* Run a copy of SRC with the write covering BAD_OFF corrupted: the hash is
 * still the source's (WANT), the read-back check fails, nothing is left. */
static void run_corrupted(int src, const char *want, int64_t bad_off)
{
	struct procexe_copy *c = NULL;
	int before = corrupted;

	assert_int_equal(procexe_copy_new(src, dir_fd, &c), 0);
	corrupt_at = bad_off;
	assert_int_equal(procexe_copy_run(c, NULL, NULL), 0);
	corrupt_at = -1;
	assert_int_equal(corrupted, before + 1);
	assert_string_equal(procexe_copy_sha256_hex(c), want);
	assert_int_equal(procexe_copy_verify(c), -EIO);
	procexe_copy_free(c);
	assert_int_equal(count_entries(dir_fd), 0);
}

static void test_readback_catches_bad_write(void **state)
{
	const size_t size = 5 * (1u << 20) + 333;
	/* Within the first, the second and the last (partial) megabyte, and
	 * the very last byte: both halves of the comparison and the tail. */
	const int64_t offs[] = { 12345, (1 << 20) + 777, 5 * (1 << 20) + 300, (int64_t)size - 1 };
	int src = make_source("wsrc", size, 8);
	struct procexe_copy *c;
	char want[65];

	sha_of_fd(src, want);
	c = run_copy(src);
	assert_string_equal(procexe_copy_sha256_hex(c), want);
	assert_int_equal(procexe_copy_verify(c), 0);
	procexe_copy_free(c);
	for (size_t i = 0; i < PE_ARRAY_SIZE(offs); i++)
		run_corrupted(src, want, offs[i]);
	close(src);
}

/* A data extent of SRC: LEN random bytes at OFF. */
static void put_random(int src, uint64_t off, size_t len, unsigned seed)
{
	unsigned char *buf = malloc(len);

	assert_non_null(buf);
	for (size_t i = 0; i < len; i++) {
		seed = seed * 1103515245u + 12345u;
		buf[i] = (unsigned char)(seed >> 16) | 1;       /* never zero */
	}
	assert_int_equal(pwrite(src, buf, len, (off_t)off), (ssize_t)len);
	free(buf);
}

/* No data in the copy OUT within [START, END) (page-aligned inside). */
static void assert_hole(int out, uint64_t start, uint64_t end)
{
	uint64_t a = (start + 4095) & ~4095ull, b = end & ~4095ull;
	off_t d;

	if (a >= b)
		return;
	d = lseek(out, (off_t)a, SEEK_DATA);
	assert_true(d < 0 || (uint64_t)d >= b);
}

/* Data extents (some across the 1 MiB buffers, one spanning several),
 * holes before, between and after them: the copy reads the same, has the
 * source's hash, and keeps the holes; a bad write just after a hole is
 * caught. */
static void test_holey_exact(void **state)
{
	const uint64_t M = 1u << 20, size = 9 * M + 5000;
	const struct { uint64_t off; size_t len; } ext[] = {
		{ M / 2, 100 }, { 2 * M - 10, 3 * 4096 }, { 3 * M + 1, 2 * M + 7 },
		{ 6 * M + 4096, 4096 },
	};
	char path[sizeof(tmpdir) + 16], want[65], *name = NULL;
	struct procexe_copy *c;
	struct stat st;
	int src, out;

	snprintf(path, sizeof(path), "%s/holey", tmpdir);
	src = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	assert_true(src >= 0);
	if (ftruncate(src, (off_t)size) < 0 || lseek(src, 0, SEEK_HOLE) != 0) {
		close(src);
		unlink(path);
		skip();
	}
	for (size_t i = 0; i < PE_ARRAY_SIZE(ext); i++)
		put_random(src, ext[i].off, ext[i].len, 10 + (unsigned)i);
	sha_of_fd(src, want);

	c = run_copy(src);
	assert_string_equal(procexe_copy_sha256_hex(c), want);
	assert_int_equal(procexe_copy_size(c), size);
	assert_int_equal(procexe_copy_verify(c), 0);
	assert_int_equal(procexe_copy_commit(c, path, &name), 0);
	procexe_copy_free(c);
	out = openat(dir_fd, name, O_RDONLY | O_CLOEXEC);
	assert_true(out >= 0);
	assert_int_equal(fstat(out, &st), 0);
	assert_int_equal((uint64_t)st.st_size, size);
	assert_same_content(src, out);
	assert_hole(out, 0, ext[0].off);
	for (size_t i = 0; i + 1 < PE_ARRAY_SIZE(ext); i++)
		assert_hole(out, ext[i].off + ext[i].len, ext[i + 1].off);
	assert_hole(out, ext[PE_ARRAY_SIZE(ext) - 1].off + 4096, size);
	close(out);
	free(name);
	rm_rf_in(dir_fd);

	run_corrupted(src, want, (int64_t)ext[2].off + 4);
	run_corrupted(src, want, (int64_t)ext[3].off + 4095);
	close(src);
	unlink(path);
}


static double cpu_seconds(void)
{
	struct timespec ts;

	assert_int_equal(clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts), 0);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A file of 4 GiB + 1 MiB with data at 0, across 4 GiB and beyond it. */
static void test_copy_sparse_4g(void **state)
{
	const uint64_t size = (4ull << 30) + (1u << 20);
	const struct spot spots[] = {
		{ 0, "\177ELF" },
		{ (4ull << 30) - 3, "across" },
		{ (4ull << 30) + 8192, "beyond" },
	};
	char path[sizeof(tmpdir) + 16], want[65], *name = NULL;
	struct procexe_copy *c = NULL;
	struct stat st;
	int src, out;

	snprintf(path, sizeof(path), "%s/sparse", tmpdir);
	src = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	assert_true(src >= 0);
	if (ftruncate(src, (off_t)size) < 0 || lseek(src, 0, SEEK_HOLE) != 0) {
		close(src);
		unlink(path);
		skip();
	}
	for (size_t i = 0; i < PE_ARRAY_SIZE(spots); i++)
		assert_int_equal(pwrite(src, spots[i].data, strlen(spots[i].data), (off_t)spots[i].off),
		                 (ssize_t)strlen(spots[i].data));
	sha_of_layout(size, spots, PE_ARRAY_SIZE(spots), want);

	assert_int_equal(procexe_copy_new(src, dir_fd, &c), 0);
	assert_int_equal(procexe_copy_run(c, NULL, NULL), 0);
	assert_string_equal(procexe_copy_sha256_hex(c), want);
	assert_int_equal(procexe_copy_size(c), size);
	{
		/* Holes are not hashed again: the verify costs the data only. */
		double t0 = cpu_seconds();

		assert_int_equal(procexe_copy_verify(c), 0);
		assert_true(cpu_seconds() - t0 < 0.25);
	}
	assert_int_equal(procexe_copy_commit(c, path, &name), 0);
	procexe_copy_free(c);
	out = openat(dir_fd, name, O_RDONLY | O_CLOEXEC);
	assert_true(out >= 0);
	assert_int_equal(fstat(out, &st), 0);
	assert_int_equal((uint64_t)st.st_size, size);
	/* Holes stayed holes: far less than the size is allocated. */
	assert_true((uint64_t)st.st_blocks * 512 < (64u << 20));
	/* The data is where it was ... */
	for (size_t i = 0; i < PE_ARRAY_SIZE(spots); i++) {
		char buf[16] = { 0 };
		size_t n = strlen(spots[i].data);

		assert_int_equal(pread(out, buf, n, (off_t)spots[i].off), (ssize_t)n);
		assert_memory_equal(buf, spots[i].data, n);
	}
	/* ... and every data extent of the copy holds one of the spots: the
	 * rest reads as zeros (checked without reading 4 GiB of holes). */
	for (off_t off = 0;;) {
		off_t d = lseek(out, off, SEEK_DATA), h;
		bool holds = false;

		if (d < 0)
			break;
		h = lseek(out, d, SEEK_HOLE);
		assert_true(h > d);
		for (size_t i = 0; i < PE_ARRAY_SIZE(spots); i++)
			holds |= spots[i].off + strlen(spots[i].data) > (uint64_t)d &&
			         spots[i].off < (uint64_t)h;
		assert_true(holds);
		assert_true(h - d <= (off_t)(2u << 20));
		off = h;
	}
	close(out);
	close(src);
	unlink(path);
	free(name);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_copy_basic, per_test),
		cmocka_unit_test_setup(test_copy_empty_and_names, per_test),
		cmocka_unit_test_setup(test_copy_never_overwrites, per_test),
		cmocka_unit_test_setup(test_copy_discard, per_test),
		cmocka_unit_test_setup(test_commit_as, per_test),
		cmocka_unit_test_setup(test_hash_only, per_test),
		cmocka_unit_test_setup(test_write_file, per_test),
		cmocka_unit_test_setup(test_dir_open, per_test),
		cmocka_unit_test_setup(test_copy_sparse_4g, per_test),
		cmocka_unit_test_setup(test_verify_detects, per_test),
		cmocka_unit_test_setup(test_max_size, per_test),
		cmocka_unit_test_setup(test_readback_catches_bad_write, per_test),
		cmocka_unit_test_setup(test_holey_exact, per_test),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
