/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * UID -> user name, through getpwuid_r(), each UID looked up once.  A host
 * has few distinct UIDs among its processes, so a plain array will do.
 */
#include <errno.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "users.h"

/* getpwuid_r() buffer: start here, double on ERANGE up to the cap. */
#define PWBUF_MIN 1024
#define PWBUF_MAX (1024 * 1024)

struct user_ent {
	uid_t uid;
	char *name;             /* NULL: no such user */
};

struct users {
	struct user_ent *ents;
	size_t n, cap;
};

struct users *users_new(void)
{
	struct users *users = xmalloc(sizeof(*users));

	*users = (struct users){ .ents = NULL };
	return users;
}

void users_free(struct users *users)
{
	if (!users)
		return;
	for (size_t i = 0; i < users->n; i++)
		free(users->ents[i].name);
	free(users->ents);
	free(users);
}

/* A copy of UID's name, or NULL when unknown (or lookup failed). */
static char *lookup(uid_t uid)
{
	long hint = sysconf(_SC_GETPW_R_SIZE_MAX);
	size_t size = hint > PWBUF_MIN ? (size_t)hint : PWBUF_MIN;
	char *name = NULL;

	while (size <= PWBUF_MAX) {
		struct passwd pw, *res = NULL;
		char *buf = xmalloc(size);
		int r;

		r = getpwuid_r(uid, &pw, buf, size, &res);
		if (r == 0 && res && res->pw_name)
			name = xstrdup(res->pw_name);
		free(buf);
		if (r != ERANGE)
			break;
		size *= 2;
	}
	return name;
}

const char *users_name(struct users *users, uid_t uid)
{
	struct user_ent *e;

	for (size_t i = 0; i < users->n; i++)
		if (users->ents[i].uid == uid)
			return users->ents[i].name;
	if (users->n == users->cap) {
		users->cap = users->cap ? 2 * users->cap : 16;
		users->ents = xreallocarray(users->ents, users->cap, sizeof(*users->ents));
	}
	e = &users->ents[users->n++];
	e->uid = uid;
	e->name = lookup(uid);
	return e->name;
}
