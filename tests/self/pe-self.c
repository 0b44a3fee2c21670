/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pe-self: print what the "Where is my executable?" API answers, one
 * key=value per line, for the TAP scripts of this directory to compare
 * with the truth they compute themselves.
 *
 *   pe-self [-w] [-C DIR] [MODE [ARG]]
 *
 *   -w           print "ready pid=N" and wait for end-of-file on stdin
 *                before answering (the script deletes/replaces us meanwhile)
 *   -C DIR       chdir(DIR) before answering
 *   (none)|path  procexe_self_path():          path= flags= rc=
 *   pid N        procexe_pid_path(N):          path= flags= rc=
 *   dir          procexe_self_dir():           path= flags= rc=
 *   invoked      procexe_self_invoked_path():  path= rc=
 *   open         procexe_self_open(O_PATH) and (O_RDONLY), fstat:
 *                devino=DEV:INO (st_dev in decimal, as stat -c %d:%i)
 *                rdonly=DEV:INO  rc=
 *   reexec       procexe_self_reexec(argv0, "reexec-child"); the second
 *                run prints gen=2 path= flags= rc= devino= invoked= invoked_rc=
 *   memfd        copy our image into a memfd and fexecve it with
 *                "memfd-child"; the second run prints what reexec-child does
 *   threads      8 threads x 1000 procexe_self_path() calls, all compared
 *                with a first answer: threads= calls= mismatches= path= flags=
 *   mainexit     the main thread exits (pthread_exit) and another thread
 *                asks procexe_self_path() and procexe_self_open():
 *                path= flags= rc= devino=
 *   all          path=, flags=, rc=, then devino= of procexe_self_open
 *
 * Exit status: 0 when the output was printed (whatever rc says), 1 when
 * the probe itself failed, 77 when the mode cannot run here.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "procexe.h"

#ifndef MFD_CLOEXEC
#define MFD_CLOEXEC 0x0001U
#endif
#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif

extern char **environ;

static const char *errname(int r)
{
	static char buf[32];

	switch (r < 0 ? -r : r) {
	case 0: return "0";
	case EPERM: return "EPERM";
	case ENOENT: return "ENOENT";
	case ESRCH: return "ESRCH";
	case ENOMEM: return "ENOMEM";
	case EACCES: return "EACCES";
	case EINVAL: return "EINVAL";
	case ENOTDIR: return "ENOTDIR";
	case ETXTBSY: return "ETXTBSY";
	case ENAMETOOLONG: return "ENAMETOOLONG";
	case ELOOP: return "ELOOP";
	case ENODATA: return "ENODATA";
	case ESTALE: return "ESTALE";
	case ENOEXEC: return "ENOEXEC";
	case EMEDIUMTYPE: return "EMEDIUMTYPE";
	case ENOSYS: return "ENOSYS";
	default:
		snprintf(buf, sizeof(buf), "E%d", r < 0 ? -r : r);
		return buf;
	}
}

/* The names are the library's (procexe_path_flag_name()); an unnamed bit
 * is printed in hex, so a bit the library forgets to name shows. */
static void print_flags(unsigned f)
{
	const char *sep = "";

	fputs("flags=", stdout);
	if (!f)
		fputs("none", stdout);
	for (unsigned bit = 1; bit != 0; bit <<= 1) {
		const char *name = procexe_path_flag_name(bit);

		if (!(f & bit) || !name)
			continue;
		printf("%s%s", sep, name);
		sep = ",";
		f &= ~bit;
	}
	if (f)
		printf("%s0x%x", sep, f);
	putchar('\n');
}

/* path= flags= rc= for one answer; FLAGS_KNOWN false: no flags line. */
static void print_answer(int r, const char *path, unsigned flags, bool flags_known)
{
	printf("path=%s\n", r < 0 ? "" : path);
	if (flags_known) {
		if (r < 0)
			fputs("flags=\n", stdout);
		else
			print_flags(flags);
	}
	printf("rc=%s\n", errname(r));
}

static int answer_self(void)
{
	char *path = NULL;
	unsigned flags = 0;
	int r = procexe_self_path(&path, &flags);

	print_answer(r, path, flags, true);
	free(path);
	return r;
}

/* KEY=DEV:INO of procexe_self_open(OPEN_FLAGS), or KEY= and KEY_rc=. */
static void print_open(const char *key, int open_flags)
{
	struct stat st;
	int fd = procexe_self_open(open_flags);

	if (fd < 0) {
		printf("%s=\n%s_rc=%s\n", key, key, errname(fd));
		return;
	}
	if (fstat(fd, &st) < 0)
		printf("%s=\n%s_rc=fstat:%s\n", key, key, errname(errno));
	else
		printf("%s=%ju:%ju\n%s_rc=0\n", key, (uintmax_t)st.st_dev,
		       (uintmax_t)st.st_ino, key);
	close(fd);
}

/* ---- threads ---- */
#define NTHREADS 8
#define NCALLS 1000

/*
 * The threads start together (a barrier) so that their first calls race
 * on the library's once-per-process initialisation; each compares every
 * answer with its own first one, and main compares the first answers with
 * its own answer, taken after the threads are done.
 */
static pthread_barrier_t start_line;

struct hammer {
	pthread_t t;
	char *first;
	unsigned first_flags;
	int first_rc;
	size_t bad;
};

static void *hammer(void *arg)
{
	struct hammer *h = arg;

	pthread_barrier_wait(&start_line);
	h->first_rc = procexe_self_path(&h->first, &h->first_flags);
	if (h->first_rc < 0)
		h->first = NULL;
	for (int i = 1; i < NCALLS; i++) {
		char *path = NULL;
		unsigned flags = ~0u;
		int r = procexe_self_path(&path, &flags);

		if (r != h->first_rc || (r == 0 && (strcmp(path, h->first) != 0 ||
		                                    flags != h->first_flags)))
			h->bad++;
		if (r == 0)
			free(path);
	}
	return NULL;
}

static int mode_threads(void)
{
	struct hammer h[NTHREADS];
	char *path = NULL;
	unsigned flags = 0;
	size_t bad = 0;
	int r;

	memset(h, 0, sizeof(h));
	pthread_barrier_init(&start_line, NULL, NTHREADS);
	for (int i = 0; i < NTHREADS; i++) {
		r = pthread_create(&h[i].t, NULL, hammer, &h[i]);
		if (r != 0) {
			fprintf(stderr, "pthread_create: %s\n", strerror(r));
			return 1;
		}
	}
	for (int i = 0; i < NTHREADS; i++)
		pthread_join(h[i].t, NULL);
	r = procexe_self_path(&path, &flags);
	for (int i = 0; i < NTHREADS; i++) {
		bad += h[i].bad;
		if (h[i].first_rc != r || (r == 0 && (strcmp(h[i].first, path) != 0 ||
		                                      h[i].first_flags != flags)))
			bad++;
		free(h[i].first);
	}
	printf("threads=%d\ncalls=%d\nmismatches=%zu\n", NTHREADS, NTHREADS * NCALLS, bad);
	print_answer(r, path, flags, true);
	free(path);
	return 0;
}

/* ---- main thread gone ---- */
static void *after_main(void *arg __attribute__((unused)))
{
	/* Wait until the main thread is really gone (a zombie leader). */
	for (int i = 0; i < 500; i++) {
		char buf[16];

		if (readlink("/proc/self/exe", buf, sizeof(buf)) < 0 && errno == ENOENT)
			break;
		usleep(10000);
	}
	answer_self();
	print_open("devino", O_PATH);
	fflush(stdout);
	exit(0);
}

static int mode_mainexit(void)
{
	pthread_t t;
	int r = pthread_create(&t, NULL, after_main, NULL);

	if (r != 0) {
		fprintf(stderr, "pthread_create: %s\n", strerror(r));
		return 1;
	}
	pthread_exit(NULL);
}

/* ---- memfd ---- */
static int mode_memfd(const char *argv0)
{
	char *args[] = { (char *)argv0, (char *)"memfd-child", NULL };
	char buf[65536];
	int src, mfd;

	src = procexe_self_open(O_RDONLY);
	if (src < 0) {
		printf("skip=procexe_self_open: %s\n", errname(src));
		return 77;
	}
	mfd = memfd_create("pe-self-memfd", MFD_CLOEXEC | MFD_EXEC);
	if (mfd < 0 && errno == EINVAL)
		mfd = memfd_create("pe-self-memfd", MFD_CLOEXEC);
	if (mfd < 0) {
		printf("skip=memfd_create: %s\n", errname(errno));
		return 77;
	}
	for (;;) {
		ssize_t n = read(src, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			perror("read");
			return 1;
		}
		if (n == 0)
			break;
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(mfd, buf + off, (size_t)(n - off));

			if (w < 0) {
				perror("write");
				return 1;
			}
			off += w;
		}
	}
	close(src);
	fflush(stdout);
	fexecve(mfd, args, environ);
	printf("skip=fexecve: %s\n", errname(errno));
	return 77;
}

static void wait_for_go(void)
{
	char buf[64];

	printf("ready pid=%d\n", (int)getpid());
	fflush(stdout);
	while (read(STDIN_FILENO, buf, sizeof(buf)) > 0)
		;
}

int main(int argc, char **argv)
{
	const char *argv0 = argv[0];
	const char *mode;
	char *path = NULL;
	unsigned flags = 0;
	int r;

	argv++, argc--;
	if (argc > 0 && strcmp(argv[0], "-w") == 0) {
		argv++, argc--;
		wait_for_go();
	}
	if (argc > 1 && strcmp(argv[0], "-C") == 0) {
		if (chdir(argv[1]) < 0) {
			perror(argv[1]);
			return 1;
		}
		argv += 2, argc -= 2;
	}
	mode = argc > 0 ? argv[0] : "path";

	if (strcmp(mode, "path") == 0) {
		answer_self();
	} else if (strcmp(mode, "all") == 0) {
		answer_self();
		print_open("devino", O_PATH);
	} else if (strcmp(mode, "pid") == 0 && argc == 2) {
		r = procexe_pid_path((pid_t)strtol(argv[1], NULL, 10), &path, &flags);
		print_answer(r, path, flags, true);
	} else if (strcmp(mode, "dir") == 0) {
		r = procexe_self_dir(&path, &flags);
		print_answer(r, path, flags, true);
	} else if (strcmp(mode, "invoked") == 0) {
		r = procexe_self_invoked_path(&path);
		print_answer(r, path, 0, false);
	} else if (strcmp(mode, "open") == 0) {
		print_open("devino", O_PATH);
		print_open("rdonly", O_RDONLY);
	} else if (strcmp(mode, "reexec") == 0) {
		char *args[] = { (char *)argv0, (char *)"reexec-child", NULL };

		print_open("first_devino", O_PATH);
		fflush(stdout);
		r = procexe_self_reexec(args, NULL);
		printf("reexec_rc=%s\n", errname(r));
		return 1;
	} else if (strcmp(mode, "reexec-child") == 0 || strcmp(mode, "memfd-child") == 0) {
		puts("gen=2");
		answer_self();
		print_open("devino", O_PATH);
		r = procexe_self_invoked_path(&path);
		printf("invoked=%s\ninvoked_rc=%s\n", r < 0 ? "" : path, errname(r));
	} else if (strcmp(mode, "memfd") == 0) {
		return mode_memfd(argv0);
	} else if (strcmp(mode, "threads") == 0) {
		return mode_threads();
	} else if (strcmp(mode, "mainexit") == 0) {
		return mode_mainexit();
	} else {
		fprintf(stderr, "pe-self: unknown mode '%s'\n", mode);
		return 2;
	}
	free(path);
	return 0;
}
