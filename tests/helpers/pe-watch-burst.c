/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pe-watch-burst [-n N] [--par] [--memfd] [--dyn] [--trailer-prefix P]
 *                [--payload FILE] DIR
 *
 * Runs N (default 1000) copies of a self-deleting payload (pe-selfdel, or
 * pe-selfdel-dyn with --dyn; both found next to this program unless
 * --payload names one), each made unique by a trailer appended after its
 * ELF image: "PEW:P:INDEX\n" (P default "burst").  File-backed (default):
 * the copies are written to DIR/pew.INDEX (mode 0755) before the first
 * exec and each deletes itself.  --memfd: each child copies the payload and
 * its trailer into a memfd and executes that (fexecve); its unlink of
 * argv[0] fails harmlessly.  Sequential (default): fork, exec, wait, one
 * copy at a time; --par: all N children are started, then reaped.
 *
 * Prints one line per copy, "INDEX PID TRAILER" (the trailer without its
 * newline), on stdout.  Exit status 0 when every child exited 0, 1 when
 * one did not (details on stderr), 2 for a usage error, 77 with
 * "skip: REASON" on stdout when memfd execution is refused here
 * (vm.memfd_noexec).  The children die with this program.
 */
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "common.h"

#ifndef SYS_close_range
#define SYS_close_range 436
#endif

extern char **environ;

struct burst {
	long n;
	bool par, memfd, dyn;
	const char *prefix, *payload, *dir;
	char *image;        /* the payload's bytes */
	size_t size;
	pid_t *pids;
};

static void usage(void)
{
	fprintf(stderr, "usage: pe-watch-burst [-n N] [--par] [--memfd] [--dyn] "
			"[--trailer-prefix P] [--payload FILE] DIR\n");
	exit(2);
}

/* The trailer of copy I in BUF (size >= 64 + strlen(prefix)); its length. */
static size_t trailer(const struct burst *b, long i, char *buf, size_t size)
{
	int len = snprintf(buf, size, "PEW:%s:%ld\n", b->prefix, i);

	return len < 0 || (size_t)len >= size ? 0 : (size_t)len;
}

/* Read FILE whole into B->image; 0 or -errno. */
static int load_payload(struct burst *b)
{
	struct stat st;
	int fd = open(b->payload, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || st.st_size <= 0 || !(b->image = malloc((size_t)st.st_size))) {
		close(fd);
		return -ENOMEM;
	}
	n = read(fd, b->image, (size_t)st.st_size);
	close(fd);
	if (n != st.st_size)
		return -EIO;
	b->size = (size_t)st.st_size;
	return 0;
}

/* Write the image and copy I's trailer to FD; 0 or -errno. */
static int write_copy(const struct burst *b, long i, int fd)
{
	char t[PATH_MAX];
	size_t tl = trailer(b, i, t, sizeof(t));
	int r;

	if (tl == 0)
		return -ENAMETOOLONG;
	r = pe_write_all(fd, b->image, b->size);
	return r < 0 ? r : pe_write_all(fd, t, tl);
}

static void copy_path(const struct burst *b, long i, char *buf, size_t size)
{
	snprintf(buf, size, "%s/pew.%ld", b->dir, i);
}

/* Write DIR/pew.I for every copy; 0 or 1 (reason on stderr). */
static int make_files(const struct burst *b)
{
	char path[PATH_MAX];

	for (long i = 0; i < b->n; i++) {
		int fd, r;

		copy_path(b, i, path, sizeof(path));
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0755);
		if (fd < 0) {
			perror(path);
			return 1;
		}
		r = write_copy(b, i, fd);
		if (close(fd) < 0 && r == 0)
			r = -errno;
		if (r < 0) {
			fprintf(stderr, "%s: %s\n", path, strerror(-r));
			return 1;
		}
	}
	return 0;
}

/* In the child: exec copy I; returns only on failure (status to exit with). */
static int child_exec(const struct burst *b, long i)
{
	char path[PATH_MAX], name[64];
	char *argv[2] = { path, NULL };
	int null = open("/dev/null", O_RDWR), fd;

	if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0)
		return 126;
	syscall(SYS_close_range, 3U, ~0U, 0U);
	if (!b->memfd) {
		copy_path(b, i, path, sizeof(path));
		execve(path, argv, environ);
		return 127;
	}
	snprintf(name, sizeof(name), "pew.%ld", i);
	snprintf(path, sizeof(path), "pew-memfd.%ld", i);
	fd = pe_memfd_exec_create(name);
	if (fd < 0 || write_copy(b, i, fd) < 0)
		return 126;
	fexecve(fd, argv, environ);
	return pe_memfd_refused(errno) ? PE_EXIT_SKIP : 127;
}

static pid_t start(const struct burst *b, long i)
{
	char t[PATH_MAX];
	pid_t parent = getpid(), pid = fork();

	if (pid < 0) {
		perror("fork");
		return -1;
	}
	if (pid == 0) {
		pe_die_with_parent(parent);
		_exit(child_exec(b, i));
	}
	if (trailer(b, i, t, sizeof(t)) > 0)
		printf("%ld %d %.*s\n", i, (int)pid, (int)strlen(t) - 1, t);
	return pid;
}

/* Reap PID of copy I; 0 when it exited 0, else 1 (or 77: memfd refused). */
static int reap(pid_t pid, long i)
{
	int status;

	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			perror("waitpid");
			return 1;
		}
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFEXITED(status) && WEXITSTATUS(status) == PE_EXIT_SKIP)
		return PE_EXIT_SKIP;
	fprintf(stderr, "pe-watch-burst: copy %ld (pid %d): %s %d\n", i, (int)pid,
		WIFEXITED(status) ? "exit status" : "signal",
		WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
	return 1;
}

static int run(const struct burst *b)
{
	int rc = 0;
	long started = 0;

	for (long i = 0; i < b->n; i++) {
		b->pids[i] = start(b, i);
		if (b->pids[i] < 0) {
			rc = 1;
			break;
		}
		started++;
		if (!b->par) {
			int r = reap(b->pids[i], i);

			if (r)
				rc = r;
			if (r == PE_EXIT_SKIP)
				return r;
		}
	}
	if (b->par)
		for (long i = 0; i < started; i++) {
			int r = reap(b->pids[i], i);

			if (r && rc != PE_EXIT_SKIP)
				rc = r;
		}
	return rc;
}

/* memfd exec refused by policy (vm.memfd_noexec): report why, or 0. */
static int memfd_probe(void)
{
	struct stat st;
	int fd = pe_memfd_exec_create("pew-probe");

	if (fd < 0)
		return pe_memfd_refused(errno) ? pe_skip("memfd_create", errno) : 0;
	if (fstat(fd, &st) == 0 && !(st.st_mode & 0111)) {
		close(fd);
		printf("skip: memfd_create: not executable (vm.memfd_noexec)\n");
		return PE_EXIT_SKIP;
	}
	close(fd);
	return 0;
}

/* Default payload: NAME in the directory of this program. */
static char *payload_near_me(const char *name)
{
	static char buf[PATH_MAX];
	char *slash;
	ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);

	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	slash = strrchr(buf, '/');
	if (!slash || (size_t)(slash - buf) + 1 + strlen(name) >= sizeof(buf))
		return NULL;
	strcpy(slash + 1, name);
	return buf;
}

static void parse(struct burst *b, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "par", no_argument, NULL, 'p' },
		{ "memfd", no_argument, NULL, 'm' },
		{ "dyn", no_argument, NULL, 'd' },
		{ "trailer-prefix", required_argument, NULL, 't' },
		{ "payload", required_argument, NULL, 'P' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;
	char *end;

	while ((opt = getopt_long(argc, argv, "n:", opts, NULL)) != -1) {
		switch (opt) {
		case 'n':
			errno = 0;
			b->n = strtol(optarg, &end, 10);
			if (errno || *end || b->n < 1 || b->n > 1000000)
				usage();
			break;
		case 'p': b->par = true; break;
		case 'm': b->memfd = true; break;
		case 'd': b->dyn = true; break;
		case 't': b->prefix = optarg; break;
		case 'P': b->payload = optarg; break;
		default: usage();
		}
	}
	if (optind != argc - 1 || strchr(b->prefix, '\n') || strlen(b->prefix) > 200)
		usage();
	b->dir = argv[optind];
}

int main(int argc, char **argv)
{
	struct burst b = { .n = 1000, .prefix = "burst" };
	int r;

	parse(&b, argc, argv);
	if (!b.payload)
		b.payload = payload_near_me(b.dyn ? "pe-selfdel-dyn" : "pe-selfdel");
	if (!b.payload) {
		fprintf(stderr, "pe-watch-burst: cannot find the payload\n");
		return 1;
	}
	if (b.memfd && (r = memfd_probe()) != 0)
		return r;
	r = load_payload(&b);
	if (r < 0) {
		fprintf(stderr, "%s: %s\n", b.payload, strerror(-r));
		return 1;
	}
	b.pids = calloc((size_t)b.n, sizeof(*b.pids));
	if (!b.pids) {
		perror("calloc");
		return 1;
	}
	if (!b.memfd && make_files(&b))
		return 1;
	fflush(stdout);
	r = run(&b);
	if (r == PE_EXIT_SKIP)
		printf("skip: fexecve of a memfd: refused (vm.memfd_noexec)\n");
	fflush(stdout);
	free(b.pids);
	free(b.image);
	return r;
}
