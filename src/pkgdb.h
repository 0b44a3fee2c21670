/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The owning package of files, from the dpkg database, in one batch per
 * run: the caller adds every distinct path of the run, then
 * pkgdb_resolve() reads the database once (nothing when no path was
 * added) and pkgdb_owner() answers each path.
 *
 * Owners are told as `dpkg -S` names them: the .list file's name without
 * ".list" ("libc6:amd64" for a multi-arch package), several owners sorted
 * and joined by ", ".  A path is matched under either spelling of a
 * merged-/usr alias (/bin and /usr/bin, ... when the root's /bin is a
 * symbolic link to usr/bin).  Diversions name the package whose file is
 * at the path: the diverted-from name belongs to the diverting package
 * (nobody for a local diversion), the diverted-to name to the other
 * packages listing the diverted-from name (dpkg -S names both packages
 * for the former and none for the latter).
 *
 * The functions never print or exit; they return 0 or a negative errno.
 */
#ifndef PROCEXE_PKGDB_H
#define PROCEXE_PKGDB_H

#include <stdbool.h>
#include <stddef.h>

/* The default bound on distinct paths looked up per run. */
#define PKGDB_MAX_PATHS 4096

/* Bits of the merged-/usr aliases: /X is /usr/X. */
enum {
	PKGDB_ALIAS_BIN    = 1u << 0,
	PKGDB_ALIAS_SBIN   = 1u << 1,
	PKGDB_ALIAS_LIB    = 1u << 2,
	PKGDB_ALIAS_LIB32  = 1u << 3,
	PKGDB_ALIAS_LIB64  = 1u << 4,
	PKGDB_ALIAS_LIBX32 = 1u << 5,
	PKGDB_ALIAS_ALL    = (1u << 6) - 1,
};

struct pkgdb;

/* A new empty set looking up at most MAX_PATHS distinct paths, with the
 * aliases ALIASES (PKGDB_ALIAS_*); NULL on ENOMEM. */
struct pkgdb *pkgdb_new(size_t max_paths, unsigned aliases);
void pkgdb_free(struct pkgdb *db);

/* The aliases in force under ROOT ("/"): the directories /X that are
 * symbolic links to "usr/X" or "/usr/X". */
unsigned pkgdb_detect_aliases(const char *root);

/* Add PATH (LEN bytes, no NUL inside; absolute) to the paths to look up.
 * 0, -EINVAL for a path that cannot be a package's, -ENOMEM. */
int pkgdb_add(struct pkgdb *db, const char *path, size_t len);

/*
 * Read the dpkg database under ADMINDIR ("/var/lib/dpkg": info/ *.list and
 * diversions) for the paths added, once; nothing is read when none was.
 * 0, or the negative errno of opening ADMINDIR/info (-ENOENT: no dpkg),
 * -ENOMEM.  Unreadable .list files are counted (pkgdb_unreadable()).
 */
int pkgdb_resolve(struct pkgdb *db, const char *admindir);

/*
 * For a run without a dpkg database (pkgdb_resolve() said -ENOENT): ask
 * RPM (an executable path, "/usr/bin/rpm") about the paths looked up,
 * with its database DBPATH ("/var/lib/rpm"): one `rpm -qf` per 512 KiB of
 * paths, its output bounded.  0, -ENOENT without DBPATH or RPM, -ENOMEM,
 * or a negative errno of starting it.
 */
int pkgdb_resolve_rpm(struct pkgdb *db, const char *rpm, const char *dbpath);
/* Take rpm's answer BUF (LEN bytes: lines "PATH<TAB>PACKAGE", every file
 * of every owning package) for the paths looked up.  0 or -ENOMEM. */
int pkgdb_feed_rpm(struct pkgdb *db, const char *buf, size_t len);

/* The owner(s) of PATH (LEN bytes), a string owned by DB; NULL when no
 * package lists it, when it was not added or not looked up (capped). */
const char *pkgdb_owner(const struct pkgdb *db, const char *path, size_t len);

/* Distinct paths added but not looked up (beyond the bound). */
size_t pkgdb_capped(const struct pkgdb *db);
/* Distinct paths looked up. */
size_t pkgdb_looked_up(const struct pkgdb *db);
/* .list files that could not be read. */
size_t pkgdb_unreadable(const struct pkgdb *db);

#endif /* PROCEXE_PKGDB_H */
