/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The names docker and podman give their containers, from the engine's
 * own state on disk (see restart-engine.c for the files and the rules):
 * `procexe restart` shows them beside the group "docker:ID12" or
 * "podman:ID12" (restart-group.h).
 */
#ifndef PROCEXE_RESTART_ENGINE_H
#define PROCEXE_RESTART_ENGINE_H

#include <stdbool.h>
#include <stddef.h>

#include "restart-group.h"

/* The bounds on a state file: larger ones give no name. */
#define ENGINE_DOCKER_MAX (4u << 20)    /* one container's config.v2.json */
#define ENGINE_PODMAN_MAX (16u << 20)   /* containers.json: every container */

/* At most this many bytes; an engine's own limit is lower. */
#define ENGINE_NAME_MAX 255

/*
 * The lookups of one run: each container's state is read at most once
 * (podman's one file for all its containers at most once), whatever the
 * answer.  Zero-initialise; engine_names_free() releases it.
 */
struct engine_names {
	void *tree;             /* tsearch() tree of the answers */
	bool podman_read;
	unsigned files_read;    /* state files opened (for the tests) */
};

/*
 * The engine's name of the container a process in cgroup CGROUP (NUL-
 * terminated, may be NULL) runs in, read from the state beneath ROOT
 * ("/" but in the test build): NULL when the group is no docker or podman
 * container whose name root's state may give (container_engine_id()), or
 * when the state is missing, unreadable, not root's, too large, malformed,
 * names another ID, or the name breaks the engine's own rule
 * ([A-Za-z0-9][A-Za-z0-9_.-]*, at most ENGINE_NAME_MAX bytes); also on
 * ENOMEM.  The string is owned by EN.
 */
const char *engine_container_name(struct engine_names *en, const char *root, const char *cgroup);

void engine_names_free(struct engine_names *en);

/*
 * The pure parts, for the tests.  engine_docker_name(): the name docker's
 * config.v2.json BUF (LEN bytes) gives the container whose ID is the
 * NUL-terminated ID: 0 with *RET a new string (without docker's leading
 * '/'), -ENOENT when the document's top-level "ID" is not ID or its
 * top-level "Name" is missing or breaks the rule (a key twice counts as
 * missing), -EBADMSG when BUF is not one JSON value as the parser knows
 * it, -ENOMEM.
 */
int engine_docker_name(const char *buf, size_t len, const char *id, char **ret);

/*
 * engine_podman_names(): containers/storage's containers.json BUF (LEN
 * bytes), a JSON array of objects: FN(ID, ID_LEN, NAME, NAME_LEN, ARG) for
 * each object with exactly one "id" string and a "names" array whose first
 * string keeps the rule (the bytes point into BUF, no escapes in either).
 * The whole document is checked before FN is called at all: 0, or -EBADMSG
 * and no call.
 */
int engine_podman_names(const char *buf, size_t len,
                        void (*fn)(const char *id, size_t id_len, const char *name,
                                   size_t name_len, void *arg),
                        void *arg);

/*
 * Up to MAX bytes of the file ROOT/REL (REL relative, components
 * separated by single '/'): no component may be a symlink, every
 * directory below ROOT and the file must be owned by root and writable by
 * nobody else, the file regular.  0 with *RET (a new buffer, NUL added)
 * and *RET_LEN; -errno (-EPERM: an owner or mode refused; -EFBIG: larger
 * than MAX; -EAGAIN: it grew while read; -ELOOP or -ENOTDIR: a symlink;
 * -EINVAL: not a regular file, or REL has an empty, "." or ".."
 * component).
 */
int engine_read_state(const char *root, const char *rel, size_t max, char **ret,
                      size_t *ret_len);

#endif /* PROCEXE_RESTART_ENGINE_H */
