/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The group of a process for `procexe restart`: the systemd unit, user
 * unit, login session or container it belongs to, derived from its cgroup
 * path alone (see the top of restart-group.c for the exact rules).  Pure:
 * no I/O, no global state.
 */
#ifndef PROCEXE_RESTART_GROUP_H
#define PROCEXE_RESTART_GROUP_H

#include <stddef.h>

/* This order is the output sort order. */
enum group_type {
	GROUP_UNIT,
	GROUP_USER_UNIT,
	GROUP_SESSION,
	GROUP_CONTAINER,
	GROUP_NONE,
	GROUP_SYSV,     /* a SysV init service (restart-sysv.h), never from a cgroup */
};

/* "unit", "user-unit", "session", "container", "none", "sysv"; NULL for a value
 * outside the enum. */
const char *group_type_name(enum group_type t);

/*
 * Derive the group of a process from its cgroup PATH (LEN raw bytes, not
 * NUL-terminated; PATH NULL or LEN 0 means unknown and gives GROUP_NONE).
 * Returns 0 with *RET_TYPE and *RET_NAME set (*RET_NAME a new
 * NUL-terminated string the caller frees, NULL for GROUP_NONE).  Names keep
 * the raw bytes of the path (a '\n' or 0xff stays as it is; a NUL byte in
 * PATH, never written by the kernel, would cut the name short): the caller
 * escapes them for output.  Returns -ENOMEM with the outputs untouched.
 */
int group_from_cgroup(const char *path, size_t len, enum group_type *ret_type, char **ret_name);

/* The container engines whose state on disk may name a container
 * (restart-engine.h). */
enum container_engine {
	ENGINE_NONE,
	ENGINE_DOCKER,
	ENGINE_PODMAN,
};

/*
 * The engine and whole ID of the container group_from_cgroup() finds in
 * PATH (LEN raw bytes), when its name may be looked up in root's state of
 * that engine: ENGINE_DOCKER (docker-ID.scope, docker/ID, and the bare ID
 * below kubepods, which cri-dockerd uses too) or ENGINE_PODMAN (libpod-ID
 * and libpod-ID.scope), with *RET_ID pointing into PATH at the ID and
 * *RET_ID_LEN 64.  ENGINE_NONE, the outputs untouched, when the group is no
 * container, another runtime's, the ID is not exactly 64 lower-case hex
 * digits (docker and podman write no other), or a user@UID.service or
 * other unit component (.service, .scope...) comes before the container:
 * a user's own engine (rootless podman), or a cgroup delegated to a unit's
 * user, whose state is not root's and whose cgroup the user can name at
 * will.  Pure.
 */
enum container_engine container_engine_id(const char *path, size_t len, const char **ret_id,
                                          size_t *ret_id_len);

#endif /* PROCEXE_RESTART_GROUP_H */
