/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Small shared bits of the integration-test fixtures.  Every fixture dies
 * with its parent (PR_SET_PDEATHSIG) so that a test that is killed never
 * leaves processes behind, and reports readiness with one line on stdout.
 */
#ifndef PE_HELPERS_COMMON_H
#define PE_HELPERS_COMMON_H

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <stdbool.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Exit status meaning "this scenario cannot run here" (automake/meson skip). */
#define PE_EXIT_SKIP 77

/* Die with the parent; if the parent is already gone, die now. */
static inline void pe_die_with_parent(pid_t expected_parent)
{
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
		return;
	if (expected_parent > 0 && getppid() != expected_parent)
		_exit(1);
}

/* Write all of BUF to FD, retrying short writes. */
static inline int pe_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Copy the whole file SRC_FD (from offset 0) to DST_FD. */
static inline int pe_copy_fd(int src_fd, int dst_fd)
{
	char buf[65536];

	if (lseek(src_fd, 0, SEEK_SET) < 0)
		return -errno;
	for (;;) {
		ssize_t n = read(src_fd, buf, sizeof(buf));
		int r;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return 0;
		r = pe_write_all(dst_fd, buf, (size_t)n);
		if (r < 0)
			return r;
	}
}

/*
 * Print one line on stdout and detach stdout, so that a reader waiting for
 * end-of-file on a pipe is not kept waiting by a process that never exits.
 */
static inline void pe_report(const char *line)
{
	int null;

	fputs(line, stdout);
	fputc('\n', stdout);
	fflush(stdout);
	null = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (null >= 0) {
		dup2(null, STDOUT_FILENO);
		close(null);
	} else {
		close(STDOUT_FILENO);
	}
}

/* "skip: WHAT: strerror(ERR)" on stdout (the tests read it), and the
 * status that says the scenario cannot run here. */
static inline int pe_skip(const char *what, int err)
{
	printf("skip: %s: %s\n", what, strerror(err));
	return PE_EXIT_SKIP;
}

#ifndef MFD_CLOEXEC
#define MFD_CLOEXEC 0x0001U
#endif
#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif

/*
 * A memfd named NAME that may be executed: MFD_EXEC where the kernel knows
 * it (6.3+; older ones reject it with EINVAL).  The fd, or -1 with errno.
 */
static inline int pe_memfd_exec_create(const char *name)
{
	int fd = (int)syscall(SYS_memfd_create, name, MFD_CLOEXEC | MFD_EXEC);

	if (fd < 0 && errno == EINVAL)
		fd = (int)syscall(SYS_memfd_create, name, MFD_CLOEXEC);
	return fd;
}

/* memfd_create() failures that mean "not allowed here", not a bug. */
static inline bool pe_memfd_refused(int err)
{
	return err == EACCES || err == EPERM || err == ENOSYS;
}

#endif
