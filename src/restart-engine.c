/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Container names from the engines' state on disk, at the default places
 * of a rootful engine (a changed data-root or graphroot gives no name):
 *
 *   docker  /var/lib/docker/containers/ID/config.v2.json, one per
 *           container, the top-level "Name" ("/NAME") of the object whose
 *           top-level "ID" is ID;
 *   podman  /var/lib/containers/storage/DRIVER-containers/containers.json
 *           (DRIVER overlay, vfs, btrfs or zfs: the first that exists),
 *           containers/storage's list of every container, each an object
 *           with "id" and "names" (podman's name first).  podman 4's own
 *           database (libpod/bolt_state.db) is a BoltDB file and not read.
 *
 * The files are written by root, but what is in them comes in part from
 * whoever runs a container (labels, environment, command), so they are
 * parsed like any hostile input: a bounded size, a recursive-descent scan
 * with a depth bound that keeps every string raw (no unescaping: a name
 * with an escape breaks the rule and is no name), keys matched only at
 * the level where the engine writes them, so that a label called "Name"
 * is not taken for the container's.  No JSON library: two keys of two
 * fixed layouts do not need one.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <search.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "restart-engine.h"

/* Deeper documents are refused (docker's config nests 5 levels). */
#define JSON_DEPTH_MAX 64
/* The whole ID docker and podman use: a sha256 in lower-case hex. */
#define ID_LEN 64

struct span {
	const char *p;
	size_t n;
};

static bool span_is(struct span s, const char *str)
{
	return s.n == strlen(str) && memcmp(s.p, str, s.n) == 0;
}

/* The engines' rule for a name: [A-Za-z0-9][A-Za-z0-9_.-]*, bounded. */
static bool valid_name(struct span s)
{
	if (s.n == 0 || s.n > ENGINE_NAME_MAX)
		return false;
	for (size_t i = 0; i < s.n; i++) {
		char c = s.p[i];
		bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');

		if (!alnum && (i == 0 || (c != '_' && c != '.' && c != '-')))
			return false;
	}
	return true;
}

/* ------------------------------------------------------- the parser --- */

/* A document being scanned: P moves towards END. */
struct jp {
	const char *p, *end;
	unsigned depth;
};

static void ws(struct jp *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r'))
		j->p++;
}

/* After blanks, is the next byte C?  Consumed when TAKE. */
static bool next_is(struct jp *j, char c, bool take)
{
	ws(j);
	if (j->p >= j->end || *j->p != c)
		return false;
	if (take)
		j->p++;
	return true;
}

static bool is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* A string: *RAW the bytes between the quotes, escapes kept as they are. */
static bool string(struct jp *j, struct span *raw)
{
	const char *start;

	if (!next_is(j, '"', true))
		return false;
	start = j->p;
	while (j->p < j->end) {
		unsigned char c = (unsigned char)*j->p;

		if (c == '"') {
			*raw = (struct span){ start, (size_t)(j->p - start) };
			j->p++;
			return true;
		}
		if (c < 0x20)
			return false;
		if (c != '\\') {
			j->p++;
			continue;
		}
		if (j->end - j->p < 2)
			return false;
		c = (unsigned char)j->p[1];
		if (c == 'u') {
			if (j->end - j->p < 6)
				return false;
			for (int k = 2; k < 6; k++)
				if (!is_hex(j->p[k]))
					return false;
			j->p += 6;
		} else if (c && strchr("\"\\/bfnrt", c)) {
			j->p += 2;
		} else {
			return false;
		}
	}
	return false;
}

typedef bool (*member_fn)(struct jp *j, struct span key, void *arg);
typedef bool (*element_fn)(struct jp *j, void *arg);

static bool value(struct jp *j);

static bool skip_member(struct jp *j, struct span key, void *arg)
{
	(void)key;
	(void)arg;
	return value(j);
}

static bool skip_element(struct jp *j, void *arg)
{
	(void)arg;
	return value(j);
}

/* A '{...}' or '[...]' (OPEN, CLOSE); ITEM consumes each member or element. */
static bool sequence(struct jp *j, char open, char close, element_fn item, void *arg)
{
	bool ok;

	if (!next_is(j, open, true) || ++j->depth > JSON_DEPTH_MAX)
		return false;
	ok = next_is(j, close, true);
	while (!ok && item(j, arg)) {
		if (next_is(j, close, true))
			ok = true;
		else if (!next_is(j, ',', true))
			break;
	}
	j->depth--;
	return ok;
}

struct member_call {
	member_fn fn;
	void *arg;
};

/* One "key": value member of an object, the value consumed by the call's FN. */
static bool member(struct jp *j, void *arg)
{
	const struct member_call *m = arg;
	struct span key;

	return string(j, &key) && next_is(j, ':', true) && m->fn(j, key, m->arg);
}

/* An object; FN consumes each member's value. */
static bool object(struct jp *j, member_fn fn, void *arg)
{
	struct member_call m = { fn, arg };

	return sequence(j, '{', '}', member, &m);
}

/* An array; FN consumes each element. */
static bool array(struct jp *j, element_fn fn, void *arg)
{
	return sequence(j, '[', ']', fn, arg);
}

/* A number, true, false or null: one run of the bytes they are made of
 * (not checked further: nothing is taken from them). */
static bool scalar(struct jp *j)
{
	const char *start = j->p;

	while (j->p < j->end && ((*j->p >= '0' && *j->p <= '9') || (*j->p >= 'a' && *j->p <= 'z') ||
	                         *j->p == '-' || *j->p == '+' || *j->p == '.' || *j->p == 'E'))
		j->p++;
	return j->p > start;
}

/* Any value, skipped. */
static bool value(struct jp *j)
{
	struct span s;

	ws(j);
	if (j->p >= j->end)
		return false;
	switch (*j->p) {
	case '{':
		return object(j, skip_member, NULL);
	case '[':
		return array(j, skip_element, NULL);
	case '"':
		return string(j, &s);
	default:
		return scalar(j);
	}
}

/* Nothing but blanks left. */
static bool at_end(struct jp *j)
{
	ws(j);
	return j->p == j->end;
}

/* -------------------------------------------------------------- docker --- */

struct docker_doc {
	struct span id, name;
	unsigned nid, nname;
};

static bool docker_member(struct jp *j, struct span key, void *arg)
{
	struct docker_doc *d = arg;
	bool is_id = span_is(key, "ID"), is_name = span_is(key, "Name");
	struct span s;

	if ((!is_id && !is_name) || !next_is(j, '"', false))
		return value(j);
	if (!string(j, &s))
		return false;
	if (is_id) {
		d->id = s;
		d->nid++;
	} else {
		d->name = s;
		d->nname++;
	}
	return true;
}

int engine_docker_name(const char *buf, size_t len, const char *id, char **ret)
{
	struct jp j = { buf, buf + len, 0 };
	struct docker_doc d = { { NULL, 0 }, { NULL, 0 }, 0, 0 };
	struct span name;
	char *s;

	if (!buf || !object(&j, docker_member, &d) || !at_end(&j))
		return -EBADMSG;
	if (d.nid != 1 || d.nname != 1 || !span_is(d.id, id))
		return -ENOENT;
	name = d.name;
	if (name.n && name.p[0] == '/') {
		name.p++;
		name.n--;
	}
	if (!valid_name(name))
		return -ENOENT;
	s = malloc(name.n + 1);
	if (!s)
		return -ENOMEM;
	memcpy(s, name.p, name.n);
	s[name.n] = '\0';
	*ret = s;
	return 0;
}

/* -------------------------------------------------------------- podman --- */

struct podman_doc {
	void (*fn)(const char *id, size_t id_len, const char *name, size_t name_len, void *arg);
	void *arg;
	/* the object being read */
	struct span id, name;
	unsigned nid, nnames;
	bool first;             /* the next element of "names" is the first */
};

static bool podman_name(struct jp *j, void *arg)
{
	struct podman_doc *d = arg;
	bool first = d->first;

	d->first = false;
	if (!first || !next_is(j, '"', false))
		return value(j);
	return string(j, &d->name);
}

static bool podman_member(struct jp *j, struct span key, void *arg)
{
	struct podman_doc *d = arg;

	if (span_is(key, "id") && next_is(j, '"', false)) {
		d->nid++;
		return string(j, &d->id);
	}
	if (span_is(key, "names") && next_is(j, '[', false)) {
		d->nnames++;
		d->first = true;
		return array(j, podman_name, d);
	}
	return value(j);
}

static bool podman_container(struct jp *j, void *arg)
{
	struct podman_doc *d = arg;

	if (!next_is(j, '{', false))
		return value(j);
	d->id = d->name = (struct span){ NULL, 0 };
	d->nid = d->nnames = 0;
	if (!object(j, podman_member, d))
		return false;
	if (d->fn && d->nid == 1 && d->nnames == 1 && !memchr(d->id.p, '\\', d->id.n) &&
	    valid_name(d->name))
		d->fn(d->id.p, d->id.n, d->name.p, d->name.n, d->arg);
	return true;
}

int engine_podman_names(const char *buf, size_t len,
                        void (*fn)(const char *id, size_t id_len, const char *name,
                                   size_t name_len, void *arg),
                        void *arg)
{
	struct podman_doc d = { .fn = NULL, .arg = arg };
	struct jp j = { buf, buf + len, 0 };

	if (!buf || !array(&j, podman_container, &d) || !at_end(&j))
		return -EBADMSG;
	d.fn = fn;
	j = (struct jp){ buf, buf + len, 0 };
	array(&j, podman_container, &d);
	return 0;
}

/* ---------------------------------------------------------- the files --- */

/* Owned by root and writable by nobody else. */
static bool roots_own(const struct stat *st)
{
	return st->st_uid == 0 && !(st->st_mode & (S_IWGRP | S_IWOTH));
}

/* The component of REL at *POS into NAME (SIZE bytes), *LAST when no '/'
 * follows: 0, or -EINVAL for an empty, ".", ".." or too long one. */
static int next_name(const char *rel, size_t *pos, char *name, size_t size, bool *last)
{
	const char *start = rel + *pos, *slash = strchr(start, '/');
	size_t n = slash ? (size_t)(slash - start) : strlen(start);

	if (n == 0 || n >= size || (n <= 2 && start[0] == '.' && (n == 1 || start[1] == '.')))
		return -EINVAL;
	memcpy(name, start, n);
	name[n] = '\0';
	*pos += n + (slash ? 1 : 0);
	*last = !slash;
	return 0;
}

/* The directory or file REL beneath ROOT, each component checked; an fd or -errno. */
static int open_state(const char *root, const char *rel)
{
	int dfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC), fd = -1;
	size_t pos = 0;
	bool last = false;

	if (dfd < 0)
		return -errno;
	while (!last) {
		char name[256];
		struct stat st;
		int r = next_name(rel, &pos, name, sizeof(name), &last);

		if (r < 0) {
			close(dfd);
			return r;
		}
		fd = openat(dfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK |
		                       (last ? 0 : O_DIRECTORY));
		r = fd < 0 ? -errno : fstat(fd, &st) < 0 ? -errno : 0;
		close(dfd);
		if (r == 0 && !roots_own(&st))
			r = -EPERM;
		if (r == 0 && last && !S_ISREG(st.st_mode))
			r = -EINVAL;
		if (r < 0) {
			if (fd >= 0)
				close(fd);
			/* O_NOFOLLOW on a symlink: ELOOP, or ENOTDIR with O_DIRECTORY */
			return r;
		}
		dfd = fd;
	}
	return fd;
}

/* Up to CAP bytes of FD into BUF (CAP + 1 bytes); the count or -errno. */
static ssize_t read_upto(int fd, char *buf, size_t cap)
{
	size_t got = 0;

	while (got < cap) {
		ssize_t r = read(fd, buf + got, cap - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

int engine_read_state(const char *root, const char *rel, size_t max, char **ret, size_t *ret_len)
{
	struct stat st;
	size_t size;
	ssize_t got;
	char *buf;
	int fd = open_state(root, rel);

	if (fd < 0)
		return fd;
	if (fstat(fd, &st) < 0 || st.st_size < 0) {
		got = -errno;
		goto fail;
	}
	if ((uintmax_t)st.st_size > max || max > SSIZE_MAX - 2) {
		got = -EFBIG;
		goto fail;
	}
	size = (size_t)st.st_size;
	buf = malloc(size + 2);
	if (!buf) {
		got = -ENOMEM;
		goto fail;
	}
	/* A byte beyond the size fstat() gave: the file grew meanwhile. */
	got = read_upto(fd, buf, size + 1);
	close(fd);
	if (got < 0 || (size_t)got > size) {
		free(buf);
		return got < 0 ? (int)got : -EAGAIN;
	}
	buf[got] = '\0';
	*ret = buf;
	*ret_len = (size_t)got;
	return 0;
fail:
	close(fd);
	return (int)got;
}

/* ---------------------------------------------------------- the cache --- */

/* One answer: the container (ENGINE, ID) is called NAME (NULL: no name). */
struct answer {
	enum container_engine engine;
	char id[ID_LEN + 1];
	char *name;
};

static int cmp_answer(const void *a, const void *b)
{
	const struct answer *x = a, *y = b;

	if (x->engine != y->engine)
		return x->engine < y->engine ? -1 : 1;
	return strcmp(x->id, y->id);
}

/* Record NAME (NAME_LEN bytes, or NULL) for (ENGINE, ID); the answer kept
 * (an earlier one wins), NULL on ENOMEM. */
static struct answer *remember(struct engine_names *en, enum container_engine engine,
                               const char *id, const char *name, size_t name_len)
{
	struct answer *a = calloc(1, sizeof(*a)), **slot;

	if (!a)
		return NULL;
	a->engine = engine;
	memcpy(a->id, id, ID_LEN);
	if (name && !(a->name = strndup(name, name_len))) {
		free(a);
		return NULL;
	}
	slot = tsearch(a, &en->tree, cmp_answer);
	if (!slot || *slot != a) {
		free(a->name);
		free(a);
	}
	return slot ? *slot : NULL;
}

static void podman_entry(const char *id, size_t id_len, const char *name, size_t name_len,
                         void *arg)
{
	if (id_len == ID_LEN)
		remember(arg, ENGINE_PODMAN, id, name, name_len);
}

/* containers.json, once per run: every container it names into the cache. */
static void read_podman(struct engine_names *en, const char *root)
{
	static const char *const drivers[] = { "overlay", "vfs", "btrfs", "zfs" };

	en->podman_read = true;
	for (size_t i = 0; i < sizeof(drivers) / sizeof(drivers[0]); i++) {
		char rel[128], *buf;
		size_t len;
		int r;

		snprintf(rel, sizeof(rel), "var/lib/containers/storage/%s-containers/containers.json",
		         drivers[i]);
		r = engine_read_state(root, rel, ENGINE_PODMAN_MAX, &buf, &len);
		if (r == -ENOENT)
			continue;
		en->files_read++;
		if (r == 0) {
			engine_podman_names(buf, len, podman_entry, en);
			free(buf);
		}
		return;
	}
}

/* The name of docker's container ID (ID_LEN bytes) from its config.v2.json. */
static char *read_docker(struct engine_names *en, const char *root, const char *id)
{
	char rel[160], *buf, *name = NULL;
	size_t len;

	snprintf(rel, sizeof(rel), "var/lib/docker/containers/%s/config.v2.json", id);
	if (engine_read_state(root, rel, ENGINE_DOCKER_MAX, &buf, &len) < 0)
		return NULL;
	en->files_read++;
	if (engine_docker_name(buf, len, id, &name) < 0)
		name = NULL;
	free(buf);
	return name;
}

const char *engine_container_name(struct engine_names *en, const char *root, const char *cgroup)
{
	struct answer key = { .engine = ENGINE_NONE }, *a, **found;
	const char *id;
	char *name;
	size_t id_len;

	if (!cgroup)
		return NULL;
	key.engine = container_engine_id(cgroup, strlen(cgroup), &id, &id_len);
	if (key.engine == ENGINE_NONE || id_len != ID_LEN)
		return NULL;
	memcpy(key.id, id, ID_LEN);
	key.id[ID_LEN] = '\0';
	if (key.engine == ENGINE_PODMAN && !en->podman_read)
		read_podman(en, root);
	found = tfind(&key, &en->tree, cmp_answer);
	if (found)
		return (*found)->name;
	/* Not known yet: docker's file is read now, podman's has no such ID. */
	name = key.engine == ENGINE_DOCKER ? read_docker(en, root, key.id) : NULL;
	a = remember(en, key.engine, key.id, name, name ? strlen(name) : 0);
	free(name);
	return a ? a->name : NULL;
}

static void free_answer(void *p)
{
	struct answer *a = p;

	free(a->name);
	free(a);
}

void engine_names_free(struct engine_names *en)
{
	tdestroy(en->tree, free_answer);
	*en = (struct engine_names){ 0 };
}
