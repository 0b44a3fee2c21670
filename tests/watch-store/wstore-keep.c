/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * wstore-keep DIR MAX_BYTES MIN_FREE FILE...: drive src/watch-store.c for
 * tests/watch-store/store.sh.  DIR "-": hash only.  Each FILE is opened
 * O_RDONLY and kept (store = true, the manifest line gets "exe": FILE);
 * one line per FILE on stdout: SHA256 COPY MISSED NEW ERR ("-" for none,
 * NEW 0/1, ERR 0 or a negative errno).  Exit 0; 2 when the store cannot
 * be opened ("DIR: error (where N)" on stderr) or a FILE cannot be opened.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "json.h"
#include "watch-store.h"

static void meta_exe(struct json *j, const void *arg)
{
	json_bytes(j, "exe", arg, strlen(arg));
}

int main(int argc, char **argv)
{
	struct wstore *s = NULL;
	size_t where = 0;
	int r;

	if (argc < 4) {
		fprintf(stderr, "usage: wstore-keep DIR MAX_BYTES MIN_FREE FILE...\n");
		return 2;
	}
	r = wstore_open(strcmp(argv[1], "-") ? argv[1] : NULL, strtoull(argv[2], NULL, 10),
	                strtoull(argv[3], NULL, 10), &s, &where);
	if (r < 0) {
		fprintf(stderr, "%s: %s (where %zd)\n", argv[1], strerror(-r),
		        where == SIZE_MAX ? (ssize_t)-1 : (ssize_t)where);
		return 2;
	}
	for (int i = 4; i < argc; i++) {
		struct wstore_meta meta = { .meta = meta_exe, .arg = argv[i] };
		struct wstore_result res;
		int fd = open(argv[i], O_RDONLY | O_CLOEXEC);

		if (fd < 0) {
			perror(argv[i]);
			wstore_free(s);
			return 2;
		}
		wstore_keep(s, fd, true, &meta, &res);
		printf("%s %s %s %d %d\n", res.sha256[0] ? res.sha256 : "-",
		       res.copy ? res.copy : "-", res.missed ? res.missed : "-", res.new_file,
		       res.err);
		wstore_result_done(&res);
		close(fd);
	}
	wstore_free(s);
	return 0;
}
