/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pe-repoint TARGET: make this process's /proc/PID/exe name TARGET although
 * TARGET is never mapped (state "repointed").  The kernel only accepts
 * PR_SET_MM_MAP with an exe_fd once the old executable is no longer mapped,
 * so the work is done by a small trampoline (pe-tramp-x86_64.S) running from
 * anonymous memory: it unmaps every mapping of this (static) image, calls
 * prctl and then sleeps.  Prints "ready PID" on success, or
 * "fail PID errno=N" and exits 1 (N=1 EPERM / 22 EINVAL: not permitted or
 * not supported here).  Must be linked statically: nothing of the image may
 * remain in use after the jump.
 */
#include <inttypes.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <linux/prctl.h>

#include "common.h"

#define MAX_RANGES 16

struct pe_job {
	uint64_t nranges;
	uint64_t range[MAX_RANGES][2];  /* start, length */
	uint64_t arg[5];                /* prctl arguments */
	uint64_t out_fd;
	uint64_t ok_len;
	uint64_t fail_len;
	char ok_msg[64];
	char fail_msg[64];
	struct prctl_mm_map map;
};

/* Keep in sync with the .set lines of pe-tramp-x86_64.S. */
_Static_assert(offsetof(struct pe_job, range) == 8, "layout");
_Static_assert(offsetof(struct pe_job, arg) == 264, "layout");
_Static_assert(offsetof(struct pe_job, out_fd) == 304, "layout");
_Static_assert(offsetof(struct pe_job, ok_len) == 312, "layout");
_Static_assert(offsetof(struct pe_job, fail_len) == 320, "layout");
_Static_assert(offsetof(struct pe_job, ok_msg) == 328, "layout");
_Static_assert(offsetof(struct pe_job, fail_msg) == 392, "layout");

extern const char pe_tramp_begin[], pe_tramp_end[];

/* Fields 26..51 of /proc/self/stat, indexed by field number. */
static int read_stat_fields(unsigned long long field[52])
{
	char buf[4096], *p, *save = NULL;
	ssize_t n;
	int fd, i;

	fd = open("/proc/self/stat", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -EIO;
	buf[n] = '\0';
	p = strrchr(buf, ')');
	if (!p)
		return -EIO;
	/* p + 2 starts field 3 (state). */
	memset(field, 0, 52 * sizeof(field[0]));
	i = 3;
	for (char *tok = strtok_r(p + 2, " \n", &save); tok && i < 52;
	     tok = strtok_r(NULL, " \n", &save), i++)
		field[i] = strtoull(tok, NULL, 10);
	return i >= 52 ? 0 : -EIO;
}

/* Every mapping of the file with identity (dev, ino). */
static int find_image(struct pe_job *job, dev_t dev, ino_t ino)
{
	char line[4096];
	FILE *f = fopen("/proc/self/maps", "re");

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long start, end, off, inode;
		unsigned maj, min;

		if (sscanf(line, "%llx-%llx %*s %llx %x:%x %llu",
		           &start, &end, &off, &maj, &min, &inode) != 6)
			continue;
		if (inode != ino || makedev(maj, min) != dev)
			continue;
		if (job->nranges == MAX_RANGES) {
			fclose(f);
			return -E2BIG;
		}
		job->range[job->nranges][0] = start;
		job->range[job->nranges][1] = end - start;
		job->nranges++;
	}
	fclose(f);
	return job->nranges > 0 ? 0 : -ENOENT;
}

int main(int argc, char **argv)
{
	unsigned long long f[52];
	size_t code_len = (size_t)(pe_tramp_end - pe_tramp_begin);
	struct pe_job *job;
	struct stat st;
	void *code;
	int target, r;

	if (argc != 2) {
		fprintf(stderr, "usage: pe-repoint TARGET\n");
		return 2;
	}
	pe_die_with_parent(0);

	target = open(argv[1], O_RDONLY | O_CLOEXEC);
	if (target < 0) {
		perror(argv[1]);
		return 1;
	}
	if (stat("/proc/self/exe", &st) < 0) {
		perror("/proc/self/exe");
		return 1;
	}
	job = mmap(NULL, sizeof(*job), PROT_READ | PROT_WRITE,
	           MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	code = mmap(NULL, code_len, PROT_READ | PROT_WRITE,
	            MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (job == MAP_FAILED || code == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	memset(job, 0, sizeof(*job));
	r = find_image(job, st.st_dev, st.st_ino);
	if (r < 0) {
		fprintf(stderr, "cannot find own image in maps: %s\n", strerror(-r));
		return 1;
	}
	r = read_stat_fields(f);
	if (r < 0) {
		fprintf(stderr, "/proc/self/stat: %s\n", strerror(-r));
		return 1;
	}
	job->map.start_code = f[26];
	job->map.end_code = f[27];
	job->map.start_stack = f[28];
	job->map.start_data = f[45];
	job->map.end_data = f[46];
	job->map.start_brk = f[47];
	job->map.brk = (uint64_t)(uintptr_t)sbrk(0);
	job->map.arg_start = f[48];
	job->map.arg_end = f[49];
	job->map.env_start = f[50];
	job->map.env_end = f[51];
	job->map.auxv = 0;
	job->map.auxv_size = 0;
	job->map.exe_fd = (uint32_t)target;
	if (job->map.brk < job->map.start_brk)
		job->map.brk = job->map.start_brk;

	job->arg[0] = PR_SET_MM;
	job->arg[1] = PR_SET_MM_MAP;
	job->arg[2] = (uint64_t)(uintptr_t)&job->map;
	job->arg[3] = sizeof(job->map);
	job->arg[4] = 0;
	job->out_fd = STDOUT_FILENO;
	job->ok_len = (uint64_t)snprintf(job->ok_msg, sizeof(job->ok_msg),
	                                 "ready %ld\n", (long)getpid());
	job->fail_len = (uint64_t)snprintf(job->fail_msg, 40, "fail %ld errno=",
	                                   (long)getpid());

	memcpy(code, pe_tramp_begin, code_len);
	if (mprotect(code, code_len, PROT_READ | PROT_EXEC) < 0) {
		perror("mprotect");
		return 1;
	}
	fflush(NULL);
	((void (*)(struct pe_job *))code)(job);
	__builtin_unreachable();
}
