/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * whereami: print this program's own path and what libprocexe knows about
 * it.  Build: cc whereami.c $(pkg-config --cflags --libs procexe)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <procexe.h>

int main(void)
{
	static const struct {
		unsigned bit;
		const char *name;
	} names[] = {
		{ PROCEXE_DELETED, "deleted" },     { PROCEXE_REPLACED, "replaced" },
		{ PROCEXE_LOADER, "loader" },       { PROCEXE_FILELESS, "fileless" },
		{ PROCEXE_UNVERIFIED, "unverified" }, { PROCEXE_UNLINKED, "unlinked" },
		{ PROCEXE_UNREACHABLE, "unreachable" }, { PROCEXE_REPOINTED, "repointed" },
	};
	unsigned flags = 0;
	char *path = NULL;
	int r = procexe_self_path(&path, &flags);

	if (r < 0) {
		fprintf(stderr, "whereami: %s\n", strerror(-r));
		return 1;
	}
	printf("path: %s\nflags:", path);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (flags & names[i].bit)
			printf(" %s", names[i].name);
	printf("%s\n", flags ? "" : " none");
	free(path);
	return 0;
}
