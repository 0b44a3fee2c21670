/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The group of a process, from its cgroup path.
 *
 * The path is split into components at '/'; empty components (from "//",
 * a leading or a trailing '/') are ignored, and every other byte belongs
 * to a component as it is (no unescaping: systemd's "\x2d" stays four
 * bytes, which is the unit's real name).  Then, by precedence:
 *
 * container, the OUTERMOST component (nearest the root) that is one of
 *    docker-ID.scope          -> "docker:ID12"      (docker, systemd driver)
 *    docker/ID                -> "docker:ID12"      (docker, cgroupfs driver:
 *                                                     a component "docker"
 *                                                     followed by ID)
 *    libpod-ID.scope          -> "podman:ID12"
 *    libpod-ID                -> "podman:ID12"      (podman, cgroupfs manager:
 *                                                     /libpod_parent/libpod-ID)
 *    cri-containerd-ID.scope  -> "containerd:ID12"  (kubernetes, systemd driver)
 *    crio-ID.scope            -> "cri-o:ID12"
 *    lxc.payload.NAME         -> "lxc:NAME"
 *    lxc.payload/NAME         -> "lxc:NAME"
 *    systemd-nspawn@NAME.service -> "nspawn:NAME"
 *    machine-NAME.scope       -> "machine:NAME"
 *  and, below a component "kubepods" (kubernetes, cgroupfs driver:
 *  /kubepods[/QOS]/podUID/ID):
 *    crio-ID                  -> "cri-o:ID12"
 *    ID of exactly 64 hex digits -> "containerd:ID12"
 *  ID is at least 12 hex digits (any case) and ID12 its first 12; NAME is
 *  at least one byte.  The bare 64-hex form cannot tell the runtime; it is
 *  called containerd, the usual one there (docker through cri-dockerd uses
 *  the same layout).  The hex rule keeps the runtimes' helper scopes
 *  ("libpod-conmon-ID.scope", "crio-conmon-ID.scope") out: those hold host
 *  processes and fall through to the unit rule.  The outermost container
 *  wins because it is the one the host running procexe knows (a docker
 *  container inside an LXC one is "lxc:NAME").
 * session, the first component session-N.scope (N at least one byte:
 *  logind also makes "session-c1.scope") -> the component itself.
 * user-unit, below the first component user@UID.service (UID all digits):
 *  "user@UID.service/UNIT" with UNIT the innermost unit component below it
 *  (see unit), or "user@UID.service" when there is none.  The user
 *  manager itself is in ".../user@UID.service/init.scope", so it is
 *  "user@UID.service/init.scope".
 * unit, the innermost component that ends in .service, .scope, .socket,
 *  .mount or .swap and is longer than that suffix ("/system.slice/
 *  foo.service/payload", a delegated sub-cgroup, is "foo.service";
 *  "/init.scope" is "init.scope"; ".service" alone is no unit).
 * none otherwise: "/", "", slices only ("/user.slice/user-1000.slice"),
 *  anything unrecognised.
 *
 * The container's whole ID and its engine, for the names docker and podman
 * keep on disk (restart-engine.c), come from container_engine_id(): the
 * same walk, the same outermost container.
 *
 * Every name is built from the lengths found in the input plus a short
 * constant, so its size is bounded by the input's.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "restart-group.h"

/* Length of the shown part of a container ID. */
#define ID_SHOWN 12
/* The ID of a kubernetes container without any prefix: a sha256 in hex. */
#define ID_FULL 64

#define ELEMENTSOF(a) (sizeof(a) / sizeof((a)[0]))

/* A run of bytes inside the path. */
struct span {
	const char *p;
	size_t n;
};

static const char *const type_names[] = {
	[GROUP_UNIT] = "unit",
	[GROUP_USER_UNIT] = "user-unit",
	[GROUP_SESSION] = "session",
	[GROUP_CONTAINER] = "container",
	[GROUP_NONE] = "none",
	[GROUP_SYSV] = "sysv",
};

const char *group_type_name(enum group_type t)
{
	if ((unsigned)t >= ELEMENTSOF(type_names))
		return NULL;
	return type_names[t];
}

/*
 * The next non-empty component of PATH (LEN bytes) at or after *POS; false
 * when there is none.  Advances *POS past it.
 */
static bool next_component(const char *path, size_t len, size_t *pos, struct span *ret)
{
	size_t i = *pos, start;

	while (i < len && path[i] == '/')
		i++;
	if (i >= len) {
		*pos = len;
		return false;
	}
	start = i;
	while (i < len && path[i] != '/')
		i++;
	ret->p = path + start;
	ret->n = i - start;
	*pos = i;
	return true;
}

static bool span_is(struct span s, const char *str)
{
	size_t n = strlen(str);

	return s.n == n && memcmp(s.p, str, n) == 0;
}

/*
 * Is S exactly PREFIX, then at least one byte, then SUFFIX?  Then *MID
 * is the part in between.
 */
static bool affix(struct span s, const char *prefix, const char *suffix, struct span *mid)
{
	size_t pn = strlen(prefix), sn = strlen(suffix);

	if (s.n <= pn + sn)
		return false;
	if (memcmp(s.p, prefix, pn) != 0 || memcmp(s.p + s.n - sn, suffix, sn) != 0)
		return false;
	mid->p = s.p + pn;
	mid->n = s.n - pn - sn;
	return true;
}

static bool all_hex(struct span s)
{
	for (size_t i = 0; i < s.n; i++) {
		char c = s.p[i];

		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
			return false;
	}
	return true;
}

static bool all_digits(struct span s)
{
	for (size_t i = 0; i < s.n; i++)
		if (s.p[i] < '0' || s.p[i] > '9')
			return false;
	return true;
}

/* A container ID: at least ID_SHOWN hex digits. */
static bool is_id(struct span s)
{
	return s.n >= ID_SHOWN && all_hex(s);
}

static bool is_unit(struct span s)
{
	static const char *const suffixes[] = {
		".service", ".scope", ".socket", ".mount", ".swap",
	};

	for (size_t i = 0; i < ELEMENTSOF(suffixes); i++) {
		size_t n = strlen(suffixes[i]);

		if (s.n > n && memcmp(s.p + s.n - n, suffixes[i], n) == 0)
			return true;
	}
	return false;
}

enum id_kind {
	ID_HEX,         /* is_id(), shown as its first ID_SHOWN digits */
	ID_NAME,        /* any non-empty name, shown whole */
};

static const struct container_rule {
	const char *prefix, *suffix, *label;
	enum id_kind kind;
	enum container_engine engine;
} container_rules[] = {
	{ "docker-", ".scope", "docker", ID_HEX, ENGINE_DOCKER },
	{ "libpod-", ".scope", "podman", ID_HEX, ENGINE_PODMAN },
	{ "libpod-", "", "podman", ID_HEX, ENGINE_PODMAN },
	{ "cri-containerd-", ".scope", "containerd", ID_HEX, ENGINE_NONE },
	{ "crio-", ".scope", "cri-o", ID_HEX, ENGINE_NONE },
	{ "lxc.payload.", "", "lxc", ID_NAME, ENGINE_NONE },
	{ "systemd-nspawn@", ".service", "nspawn", ID_NAME, ENGINE_NONE },
	{ "machine-", ".scope", "machine", ID_NAME, ENGINE_NONE },
};

/* The part of a hex container ID that is shown. */
static struct span shown_id(struct span id)
{
	if (id.n > ID_SHOWN)
		id.n = ID_SHOWN;
	return id;
}

/* A container component: its label, its whole ID or name, and the engine
 * whose state may name it. */
struct container_hit {
	const char *label;
	struct span id;
	enum id_kind kind;
	enum container_engine engine;
};

static bool hit(struct container_hit *h, const char *label, struct span id, enum id_kind kind,
                enum container_engine engine)
{
	*h = (struct container_hit){ label, id, kind, engine };
	return true;
}

/*
 * Is component C (after PREV, which has n 0 for none; IN_KUBEPODS when a
 * component before it is "kubepods") a container?  Then *H says which.
 */
static bool match_container(struct span c, struct span prev, bool in_kubepods,
                            struct container_hit *h)
{
	struct span mid;

	for (size_t i = 0; i < ELEMENTSOF(container_rules); i++) {
		const struct container_rule *rule = &container_rules[i];

		if (!affix(c, rule->prefix, rule->suffix, &mid))
			continue;
		if (rule->kind == ID_HEX && !is_id(mid))
			continue;
		return hit(h, rule->label, mid, rule->kind, rule->engine);
	}

	if (span_is(prev, "docker") && is_id(c))
		return hit(h, "docker", c, ID_HEX, ENGINE_DOCKER);
	/* c is never empty: next_component() skips empty ones. */
	if (span_is(prev, "lxc.payload"))
		return hit(h, "lxc", c, ID_NAME, ENGINE_NONE);
	if (in_kubepods) {
		if (affix(c, "crio-", "", &mid) && is_id(mid))
			return hit(h, "cri-o", mid, ID_HEX, ENGINE_NONE);
		/* cri-dockerd uses this layout too: docker's state may name it. */
		if (c.n == ID_FULL && all_hex(c))
			return hit(h, "containerd", c, ID_HEX, ENGINE_DOCKER);
	}
	return false;
}

/* The parts of a path the groups other than containers come from (the
 * first session scope, the first user manager, the innermost unit below
 * it and the innermost unit). */
struct walk {
	struct span session, user, user_unit, unit;
};

/*
 * The outermost container component of PATH (LEN bytes; PATH NULL: none)
 * into *H; false when there is none.  *DELEGATED: a user@UID.service
 * or other unit component (a session scope aside) comes before it: a
 * cgroup below a unit may be delegated to the unit's user, who names its
 * sub-cgroups at will.  W, when not NULL, gets what the components before
 * the container (all of them without one) say.
 */

static bool find_container(const char *path, size_t len, struct container_hit *h,
                           bool *delegated, struct walk *w)
{
	struct span c, prev = { NULL, 0 }, mid;
	struct walk local = { { NULL, 0 }, { NULL, 0 }, { NULL, 0 }, { NULL, 0 } };
	bool in_kubepods = false, below_unit = false;
	size_t pos = 0;

	if (!w)
		w = &local;
	if (!path)
		len = 0;
	while (next_component(path, len, &pos, &c)) {
		if (match_container(c, prev, in_kubepods, h)) {
			*delegated = w->user.n != 0 || below_unit;
			return true;
		}
		if (span_is(c, "kubepods"))
			in_kubepods = true;
		/* a session scope is not delegated, any other unit may be */
		if (affix(c, "session-", ".scope", &mid)) {
			if (!w->session.n)
				w->session = c;
		} else if (is_unit(c)) {
			below_unit = true;
		}
		if (!w->user.n && affix(c, "user@", ".service", &mid) && all_digits(mid)) {
			w->user = c;
		} else if (is_unit(c)) {
			w->unit = c;
			if (w->user.n)
				w->user_unit = c;
		}
		prev = c;
	}
	return false;
}

static bool lower_hex(struct span s)
{
	for (size_t i = 0; i < s.n; i++)
		if (!((s.p[i] >= '0' && s.p[i] <= '9') || (s.p[i] >= 'a' && s.p[i] <= 'f')))
			return false;
	return true;
}

enum container_engine container_engine_id(const char *path, size_t len, const char **ret_id,
                                          size_t *ret_id_len)
{
	struct container_hit h;
	bool delegated;

	if (!find_container(path, len, &h, &delegated, NULL) || delegated ||
	    h.engine == ENGINE_NONE || h.id.n != ID_FULL || !lower_hex(h.id))
		return ENGINE_NONE;
	*ret_id = h.id.p;
	*ret_id_len = h.id.n;
	return h.engine;
}

/* A new string A SEP B (B may have n 0 and SEP be ""); NULL on ENOMEM. */
static char *join(struct span a, const char *sep, struct span b)
{
	size_t sn = strlen(sep), n;
	char *s;

	if (a.n > SIZE_MAX - sn - 1 || b.n > SIZE_MAX - sn - 1 - a.n)
		return NULL;
	n = a.n + sn + b.n;
	s = malloc(n + 1);
	if (!s)
		return NULL;
	if (a.n)
		memcpy(s, a.p, a.n);
	memcpy(s + a.n, sep, sn);
	if (b.n)
		memcpy(s + a.n + sn, b.p, b.n);
	s[n] = '\0';
	return s;
}

int group_from_cgroup(const char *path, size_t len, enum group_type *ret_type, char **ret_name)
{
	struct walk w = { { NULL, 0 }, { NULL, 0 }, { NULL, 0 }, { NULL, 0 } };
	struct span none = { NULL, 0 };
	struct container_hit h;
	enum group_type type;
	bool delegated;
	char *name;

	if (find_container(path, len, &h, &delegated, &w)) {
		struct span l = { h.label, strlen(h.label) };

		name = join(l, ":", h.kind == ID_HEX ? shown_id(h.id) : h.id);
		if (!name)
			return -ENOMEM;
		*ret_type = GROUP_CONTAINER;
		*ret_name = name;
		return 0;
	}

	if (w.session.n) {
		type = GROUP_SESSION;
		name = join(w.session, "", none);
	} else if (w.user.n) {
		type = GROUP_USER_UNIT;
		name = join(w.user, w.user_unit.n ? "/" : "", w.user_unit);
	} else if (w.unit.n) {
		type = GROUP_UNIT;
		name = join(w.unit, "", none);
	} else {
		*ret_type = GROUP_NONE;
		*ret_name = NULL;
		return 0;
	}
	if (!name)
		return -ENOMEM;
	*ret_type = type;
	*ret_name = name;
	return 0;
}
