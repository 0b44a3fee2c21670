/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pe-dlopen [-t MS] [-m FILE]... LIB... [-- ARG...]: dlopen() each LIB (a
 * path, used as given: any bytes but NUL, also spaces and newlines that
 * LD_PRELOAD could not carry), call its pe_lib_id(), print "ready PID" and
 * wait like pe-spin.  With -t MS it exits by itself after MS milliseconds
 * (short-lived processes for the race tests, which then need no signal).
 * -m FILE maps FILE read-only, without exec (a data mapping).  A LIB that
 * cannot be loaded gives "error: ..." on stdout and exit 1.  Dies with its
 * parent.  Arguments after "--" are ignored (markers for the command line).
 */
#include <dlfcn.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>

#include "common.h"

int main(int argc, char **argv)
{
	char line[64];
	long ms = -1;
	int i = 1;

	pe_die_with_parent(0);
	for (; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "-t") == 0) {
			ms = strtol(argv[i + 1], NULL, 10);
		} else if (strcmp(argv[i], "-m") == 0) {
			int fd = open(argv[i + 1], O_RDONLY | O_CLOEXEC);

			if (fd < 0 || mmap(NULL, 1, PROT_READ, MAP_PRIVATE, fd, 0) == MAP_FAILED) {
				printf("error: %s: %s\n", argv[i + 1], strerror(errno));
				return 1;
			}
			close(fd);
		} else {
			break;
		}
	}
	for (; i < argc && strcmp(argv[i], "--") != 0; i++) {
		void *h = dlopen(argv[i], RTLD_NOW | RTLD_LOCAL);
		int (*id)(void);

		if (!h) {
			printf("error: dlopen: %s\n", dlerror());
			return 1;
		}
		*(void **)&id = dlsym(h, "pe_lib_id");
		if (!id || id() != 0x7065) {
			printf("error: %s: no pe_lib_id\n", argv[i]);
			return 1;
		}
	}
	snprintf(line, sizeof(line), "ready %ld", (long)getpid());
	pe_report(line);
	if (ms >= 0) {
		struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

		while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
			;
		return 0;
	}
	for (;;)
		pause();
}
