/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A cache of user names looked up by UID. */
#ifndef PROCEXE_USERS_H
#define PROCEXE_USERS_H

#include <sys/types.h>

struct users;

/* A new, empty cache; never NULL (out of memory ends the program). */
struct users *users_new(void);
void users_free(struct users *users);

/*
 * The name of UID from the password database, or NULL when it has none.
 * Looks each UID up once.  The string is owned by the cache and lives as
 * long as it; it comes from NSS and is not escaped.
 */
const char *users_name(struct users *users, uid_t uid);

#endif /* PROCEXE_USERS_H */
