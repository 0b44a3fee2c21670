/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests for src/restart-group.c: the group of a process from its cgroup path. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "restart-group.h"

#define ID64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define ID12 "0123456789ab"
#define UID "0f3e5a8c-1b2d-4e6f-8a9b-0c1d2e3f4a5b"
#define UID_ "0f3e5a8c_1b2d_4e6f_8a9b_0c1d2e3f4a5b"
#define USER "/user.slice/user-1000.slice"
#define UMGR USER "/user@1000.service"

/*
 * Derive the group of the LEN bytes at PATH from an exactly sized heap copy
 * (so that ASan sees a read past LEN) and compare with TYPE and the
 * NAME_LEN bytes at NAME (NULL for GROUP_NONE).
 */
static void expect_n(const char *path, size_t len, enum group_type type,
                     const char *name, size_t name_len)
{
	char *copy = malloc(len ? len : 1), *got = (char *)"untouched";
	enum group_type got_type = (enum group_type)42;

	assert_non_null(copy);
	memcpy(copy, path, len);
	assert_int_equal(group_from_cgroup(copy, len, &got_type, &got), 0);
	free(copy);
	assert_int_equal(got_type, type);
	if (!name) {
		assert_null(got);
		return;
	}
	assert_non_null(got);
	assert_memory_equal(got, name, name_len);
	assert_int_equal(got[name_len], '\0');
	free(got);
}

/* For string literals (which may hold NUL and other odd bytes). */
#define expect(path, type, name) expect_n(path, sizeof(path) - 1, type, name, sizeof(name) - 1)
#define expect_none(path) expect_n(path, sizeof(path) - 1, GROUP_NONE, NULL, 0)

static void test_type_names(void **state)
{
	assert_string_equal(group_type_name(GROUP_UNIT), "unit");
	assert_string_equal(group_type_name(GROUP_USER_UNIT), "user-unit");
	assert_string_equal(group_type_name(GROUP_SESSION), "session");
	assert_string_equal(group_type_name(GROUP_CONTAINER), "container");
	assert_string_equal(group_type_name(GROUP_NONE), "none");
	assert_string_equal(group_type_name(GROUP_SYSV), "sysv");
	assert_null(group_type_name((enum group_type)(GROUP_SYSV + 1)));
	assert_null(group_type_name((enum group_type)-1));
	/* The output sort order. */
	assert_true(GROUP_UNIT < GROUP_USER_UNIT && GROUP_USER_UNIT < GROUP_SESSION &&
	            GROUP_SESSION < GROUP_CONTAINER && GROUP_CONTAINER < GROUP_NONE);
}

static void test_unknown(void **state)
{
	enum group_type t = GROUP_UNIT;
	char *name = (char *)"untouched";

	assert_int_equal(group_from_cgroup(NULL, 0, &t, &name), 0);
	assert_int_equal(t, GROUP_NONE);
	assert_null(name);
	/* NULL wins over a length. */
	t = GROUP_UNIT;
	name = (char *)"untouched";
	assert_int_equal(group_from_cgroup(NULL, 27, &t, &name), 0);
	assert_int_equal(t, GROUP_NONE);
	assert_null(name);
	expect_none("");
	expect_none("/");
	expect_none("//");
	expect_none("///");
	/* Only LEN bytes count. */
	expect_n("/system.slice/a.service", 14, GROUP_NONE, NULL, 0);
	expect_n("/init.scope", 0, GROUP_NONE, NULL, 0);
}

static void test_system_units(void **state)
{
	expect("/system.slice/nginx.service", GROUP_UNIT, "nginx.service");
	expect("/init.scope", GROUP_UNIT, "init.scope");
	expect("/system.slice/system-getty.slice/getty@tty1.service", GROUP_UNIT,
	       "getty@tty1.service");
	expect("/system.slice/dbus.socket", GROUP_UNIT, "dbus.socket");
	expect("/system.slice/-.mount", GROUP_UNIT, "-.mount");
	expect("/system.slice/dev-sda2.swap", GROUP_UNIT, "dev-sda2.swap");
	expect("/system.slice/run-r1234.scope", GROUP_UNIT, "run-r1234.scope");
	/* systemd's own escapes are part of the unit's name: kept. */
	expect("/system.slice/system-systemd\\x2dfsck.slice/systemd-fsck@dev-disk-by\\x2duuid-12.service",
	       GROUP_UNIT, "systemd-fsck@dev-disk-by\\x2duuid-12.service");
	/* cgroup namespaces: paths outside the namespace start with "..". */
	expect("/../../system.slice/foo.service", GROUP_UNIT, "foo.service");
}

static void test_delegated(void **state)
{
	/* A sub-cgroup of a unit that delegates: the unit. */
	expect("/system.slice/foo.service/payload", GROUP_UNIT, "foo.service");
	expect("/system.slice/foo.service/a/b/c", GROUP_UNIT, "foo.service");
	/* The innermost unit wins. */
	expect("/system.slice/a.service/b.scope", GROUP_UNIT, "b.scope");
	expect("/system.slice/a.service/b.scope/c", GROUP_UNIT, "b.scope");
}

static void test_not_units(void **state)
{
	/* A component that is only the suffix is no unit. */
	expect_none("/system.slice/.service");
	expect_none("/.scope");
	expect_none("/.socket/.mount/.swap");
	expect("/.service/a.service", GROUP_UNIT, "a.service");
	expect("/a.service/.service", GROUP_UNIT, "a.service");
	/* Slices, targets and the like are not groups. */
	expect_none("/system.slice");
	expect_none("/user.slice/user-1000.slice");
	expect_none("/foo.slice/bar.target");
	expect_none("/system.slice/a.service.d");
	expect_none("/system.slice/aservice");
	expect_none("/process_api/5431da81fc3e9529eb41f332f8114ba1");
}

static void test_slashes(void **state)
{
	expect("/system.slice/nginx.service/", GROUP_UNIT, "nginx.service");
	expect("//system.slice//nginx.service//", GROUP_UNIT, "nginx.service");
	expect("system.slice/nginx.service", GROUP_UNIT, "nginx.service");
	expect("nginx.service", GROUP_UNIT, "nginx.service");
	expect("/system.slice/foo.service//payload/", GROUP_UNIT, "foo.service");
	expect("//docker//" ID64 "//", GROUP_CONTAINER, "docker:" ID12);
	expect("/lxc.payload//c1", GROUP_CONTAINER, "lxc:c1");
	expect(UMGR "//app.slice//x.service/", GROUP_USER_UNIT, "user@1000.service/x.service");
}

static void test_sessions(void **state)
{
	expect(USER "/session-3.scope", GROUP_SESSION, "session-3.scope");
	expect(USER "/session-c1.scope", GROUP_SESSION, "session-c1.scope");
	expect(USER "/session-3.scope/sub", GROUP_SESSION, "session-3.scope");
	/* "session-" with nothing before ".scope" is a plain scope. */
	expect(USER "/session-.scope", GROUP_UNIT, "session-.scope");
	expect(USER "/session-3.service", GROUP_UNIT, "session-3.service");
	/* A session beats user units and units. */
	expect(UMGR "/session-2.scope", GROUP_SESSION, "session-2.scope");
	expect("/session-1.scope/x.service", GROUP_SESSION, "session-1.scope");
	/* The first one counts. */
	expect("/session-1.scope/session-2.scope", GROUP_SESSION, "session-1.scope");
}

static void test_user_units(void **state)
{
	expect(UMGR "/app.slice/pipewire.service", GROUP_USER_UNIT,
	       "user@1000.service/pipewire.service");
	/* The user manager itself. */
	expect(UMGR "/init.scope", GROUP_USER_UNIT, "user@1000.service/init.scope");
	expect(UMGR, GROUP_USER_UNIT, "user@1000.service");
	expect(UMGR "/", GROUP_USER_UNIT, "user@1000.service");
	expect(UMGR "/app.slice", GROUP_USER_UNIT, "user@1000.service");
	expect(UMGR "/app.slice/app-gnome-firefox-1234.scope/sub", GROUP_USER_UNIT,
	       "user@1000.service/app-gnome-firefox-1234.scope");
	expect(UMGR "/session.slice/org.gnome.Shell@wayland.service", GROUP_USER_UNIT,
	       "user@1000.service/org.gnome.Shell@wayland.service");
	expect(UMGR "/app.slice/dbus.socket", GROUP_USER_UNIT, "user@1000.service/dbus.socket");
	/* Innermost unit below the manager. */
	expect(UMGR "/a.service/b.scope", GROUP_USER_UNIT, "user@1000.service/b.scope");
	expect(UMGR "/a.service/b.scope/c", GROUP_USER_UNIT, "user@1000.service/b.scope");
	expect(UMGR "/a.service/.service", GROUP_USER_UNIT, "user@1000.service/a.service");
	expect("/user.slice/user-0.slice/user@0.service/x.service", GROUP_USER_UNIT,
	       "user@0.service/x.service");
	/* A unit above the manager does not count. */
	expect("/a.service/user@1000.service", GROUP_USER_UNIT, "user@1000.service");
	/* UID must be a number. */
	expect(USER "/user@.service/x.service", GROUP_UNIT, "x.service");
	expect(USER "/user@.service", GROUP_UNIT, "user@.service");
	expect(USER "/user@abc.service/x.slice", GROUP_UNIT, "user@abc.service");
	expect(USER "/user@1000.scope", GROUP_UNIT, "user@1000.scope");
	expect(USER "/user-runtime-dir@1000.service", GROUP_UNIT, "user-runtime-dir@1000.service");
}

static void test_docker(void **state)
{
	expect("/system.slice/docker-" ID64 ".scope", GROUP_CONTAINER, "docker:" ID12);
	expect("/system.slice/docker-" ID64 ".scope/sub", GROUP_CONTAINER, "docker:" ID12);
	/* cgroupfs driver */
	expect("/docker/" ID64, GROUP_CONTAINER, "docker:" ID12);
	expect("/docker/" ID64 "/init.scope", GROUP_CONTAINER, "docker:" ID12);
	expect("/docker/" ID12, GROUP_CONTAINER, "docker:" ID12);
	expect("/docker/0123456789ABCDEF", GROUP_CONTAINER, "docker:0123456789AB");
	expect("/system.slice/docker-0123456789ABCDEF.scope", GROUP_CONTAINER,
	       "docker:0123456789AB");
	/* Not IDs: too short, not hex, empty. */
	expect_none("/docker");
	expect_none("/docker/0123456789a");
	expect_none("/docker/notahexidatall");
	expect_none("/dockerd/" ID64);
	expect("/system.slice/docker.service", GROUP_UNIT, "docker.service");
	expect("/system.slice/docker.socket", GROUP_UNIT, "docker.socket");
	expect("/system.slice/docker-0123456789a.scope", GROUP_UNIT, "docker-0123456789a.scope");
	expect("/system.slice/docker-.scope", GROUP_UNIT, "docker-.scope");
	expect("/system.slice/docker-" ID64 "x.scope", GROUP_UNIT, "docker-" ID64 "x.scope");
	expect("/system.slice/docker-" ID64 ".service", GROUP_UNIT, "docker-" ID64 ".service");
	/* docker-in-docker: the outermost container. */
	expect("/docker/" ID64 "/docker/fedcba9876543210", GROUP_CONTAINER, "docker:" ID12);
}

static void test_podman(void **state)
{
	expect("/machine.slice/libpod-" ID64 ".scope/container", GROUP_CONTAINER,
	       "podman:" ID12);
	expect("/machine.slice/libpod-" ID64 ".scope", GROUP_CONTAINER, "podman:" ID12);
	/* rootless, below the user manager */
	expect(UMGR "/user.slice/libpod-" ID64 ".scope/container", GROUP_CONTAINER,
	       "podman:" ID12);
	/* conmon runs on the host, in its own scope. */
	expect("/machine.slice/libpod-conmon-" ID64 ".scope", GROUP_UNIT,
	       "libpod-conmon-" ID64 ".scope");
	expect(UMGR "/user.slice/libpod-conmon-" ID64 ".scope", GROUP_USER_UNIT,
	       "user@1000.service/libpod-conmon-" ID64 ".scope");
	/* cgroupfs manager (podman without systemd): no .scope */
	expect("/libpod_parent/libpod-" ID64, GROUP_CONTAINER, "podman:" ID12);
	expect("/libpod_parent/libpod-" ID64 "/ctr", GROUP_CONTAINER, "podman:" ID12);
	/* its conmon, and a non-hex name, are no container */
	expect_none("/libpod_parent/conmon");
	expect_none("/libpod_parent/libpod-conmon-" ID64);
}

static void test_kubernetes(void **state)
{
	/* systemd cgroup driver */
	expect("/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" UID_
	       ".slice/cri-containerd-" ID64 ".scope", GROUP_CONTAINER, "containerd:" ID12);
	expect("/kubepods.slice/kubepods-pod" UID_ ".slice/cri-containerd-" ID64 ".scope",
	       GROUP_CONTAINER, "containerd:" ID12);
	expect("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_
	       ".slice/crio-" ID64 ".scope", GROUP_CONTAINER, "cri-o:" ID12);
	expect("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_
	       ".slice/crio-" ID64 ".scope/container", GROUP_CONTAINER, "cri-o:" ID12);
	expect("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_
	       ".slice/crio-conmon-" ID64 ".scope", GROUP_UNIT, "crio-conmon-" ID64 ".scope");
	/* cgroupfs driver: a bare 64-hex ID is called containerd. */
	expect("/kubepods/besteffort/pod" UID "/" ID64, GROUP_CONTAINER, "containerd:" ID12);
	expect("/kubepods/pod" UID "/" ID64, GROUP_CONTAINER, "containerd:" ID12);
	expect("/kubepods/burstable/pod" UID "/" ID64 "/sub", GROUP_CONTAINER,
	       "containerd:" ID12);
	expect("/kubepods/burstable/pod" UID "/crio-" ID64, GROUP_CONTAINER, "cri-o:" ID12);
	expect_none("/kubepods/burstable/pod" UID "/crio-conmon-" ID64);
	/* Not exactly 64 hex digits, or not below kubepods. */
	expect_none("/kubepods/besteffort/pod" UID "/" ID64 "0");
	expect_none("/kubepods/besteffort/pod" UID "/0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde");
	expect_none("/kubepods/besteffort/pod" UID "/" ID12);
	expect_none("/other/pod" UID "/" ID64);
	expect_none("/" ID64 "/kubepods");
	expect_none("/kubepods.slice/" ID64);
	expect_none("/kubepods");
}

static void test_lxc(void **state)
{
	expect("/lxc.payload.c1", GROUP_CONTAINER, "lxc:c1");
	expect("/lxc.payload.c1/system.slice/sshd.service", GROUP_CONTAINER, "lxc:c1");
	expect("/lxc.payload.my.box", GROUP_CONTAINER, "lxc:my.box");
	expect("/lxc.payload/c1", GROUP_CONTAINER, "lxc:c1");
	expect("/lxc.payload/c1/init.scope", GROUP_CONTAINER, "lxc:c1");
	expect_none("/lxc.payload");
	expect_none("/lxc.payload/");
	expect_none("/lxc.payload.");
	expect_none("/lxc.monitor.c1");
	expect_none("/lxc.payloadc1");
	/* Nested: the outermost container. */
	expect("/lxc.payload.c1/system.slice/docker-" ID64 ".scope", GROUP_CONTAINER, "lxc:c1");
}

static void test_machines(void **state)
{
	expect("/machine.slice/systemd-nspawn@foo.service/payload", GROUP_CONTAINER,
	       "nspawn:foo");
	expect("/machine.slice/systemd-nspawn@foo.service/payload/system.slice/x.service",
	       GROUP_CONTAINER, "nspawn:foo");
	expect("/machine.slice/systemd-nspawn@foo.service/supervisor", GROUP_CONTAINER,
	       "nspawn:foo");
	expect("/machine.slice/systemd-nspawn@.service", GROUP_UNIT, "systemd-nspawn@.service");
	expect("/machine.slice/machine-foo.scope", GROUP_CONTAINER, "machine:foo");
	expect("/machine.slice/machine-foo.scope/payload", GROUP_CONTAINER, "machine:foo");
	/* libvirt: systemd's escapes are kept. */
	expect("/machine.slice/machine-qemu\\x2d1\\x2dvm.scope/libvirt/emulator", GROUP_CONTAINER,
	       "machine:qemu\\x2d1\\x2dvm");
	expect("/machine.slice/machine-.scope", GROUP_UNIT, "machine-.scope");
	expect_none("/machine.slice");
	/* A container beats a session. */
	expect(USER "/session-3.scope/machine-x.scope", GROUP_CONTAINER, "machine:x");
}

static void test_odd_bytes(void **state)
{
	expect("/system.slice/a\nb.service", GROUP_UNIT, "a\nb.service");
	expect("/system.slice/\xff\xfe.service", GROUP_UNIT, "\xff\xfe.service");
	expect("/system.slice/a b\t\x1b[31m.service", GROUP_UNIT, "a b\t\x1b[31m.service");
	expect("/machine.slice/machine-\n\xff.scope", GROUP_CONTAINER, "machine:\n\xff");
	expect("/lxc.payload/\x01x", GROUP_CONTAINER, "lxc:\x01x");
	expect("/lxc.payload.\\", GROUP_CONTAINER, "lxc:\\");
	expect(USER "/session-\n.scope", GROUP_SESSION, "session-\n.scope");
	expect(UMGR "/\xff.service", GROUP_USER_UNIT, "user@1000.service/\xff.service");
	/* A NUL (never written by the kernel) is copied like any byte. */
	expect("/system.slice/a\0b.service", GROUP_UNIT, "a\0b.service");
	/* Not hex. */
	expect("/system.slice/docker-0123456789a\xff.scope", GROUP_UNIT,
	       "docker-0123456789a\xff.scope");
}

/* Names are as long as the input says, no more, no less. */
static void test_long(void **state)
{
	size_t n = 100000;
	char *path = malloc(n + 32), *name = NULL;
	enum group_type t;

	assert_non_null(path);
	memcpy(path, "/system.slice/", 14);
	memset(path + 14, 'a', n);
	memcpy(path + 14 + n, ".service", 8);
	assert_int_equal(group_from_cgroup(path, 14 + n + 8, &t, &name), 0);
	assert_int_equal(t, GROUP_UNIT);
	assert_non_null(name);
	assert_int_equal(strlen(name), n + 8);
	assert_memory_equal(name, path + 14, n + 8);
	free(name);

	memcpy(path, "/lxc.payload/", 13);
	memset(path + 13, 'b', n);
	assert_int_equal(group_from_cgroup(path, 13 + n, &t, &name), 0);
	assert_int_equal(t, GROUP_CONTAINER);
	assert_int_equal(strlen(name), 4 + n);
	free(name);

	/* A long hex ID is still cut to 12. */
	memcpy(path, "/docker/", 8);
	memset(path + 8, 'f', n);
	assert_int_equal(group_from_cgroup(path, 8 + n, &t, &name), 0);
	assert_int_equal(t, GROUP_CONTAINER);
	assert_string_equal(name, "docker:ffffffffffff");
	free(name);
	free(path);
}

/*
 * container_engine_id() on PATH: ENGINE and the whole ID (ID64 when
 * ENGINE is not ENGINE_NONE), checked to point into PATH.
 */
static void expect_engine(const char *path, enum container_engine engine)
{
	const char *id = NULL;
	size_t id_len = 0;

	assert_int_equal(container_engine_id(path, strlen(path), &id, &id_len), engine);
	if (engine == ENGINE_NONE) {
		assert_null(id);
		return;
	}
	assert_int_equal(id_len, 64);
	assert_memory_equal(id, ID64, 64);
	assert_true(id >= path && id + id_len <= path + strlen(path));
}

static void test_engine_id(void **state)
{
	/* docker: systemd driver, cgroupfs driver, nested below a slice */
	expect_engine("/system.slice/docker-" ID64 ".scope", ENGINE_DOCKER);
	expect_engine("/docker/" ID64, ENGINE_DOCKER);
	expect_engine("/docker/" ID64 "/sub", ENGINE_DOCKER);
	/* kubernetes with docker: systemd driver (docker-ID.scope below the pod
	 * slice), cgroupfs driver (the bare ID: docker's state is tried) */
	expect_engine("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_
	              ".slice/docker-" ID64 ".scope", ENGINE_DOCKER);
	expect_engine("/kubepods/burstable/pod" UID "/docker-" ID64 ".scope", ENGINE_DOCKER);
	expect_engine("/kubepods/burstable/pod" UID "/" ID64, ENGINE_DOCKER);
	/* podman: systemd manager (machine.slice), cgroupfs manager */
	expect_engine("/machine.slice/libpod-" ID64 ".scope", ENGINE_PODMAN);
	expect_engine("/machine.slice/libpod-" ID64 ".scope/container", ENGINE_PODMAN);
	expect_engine("/libpod_parent/libpod-" ID64, ENGINE_PODMAN);
	expect_engine("/libpod_parent/libpod-" ID64 "/ctr", ENGINE_PODMAN);
	/* outermost: docker inside podman is podman's */
	expect_engine("/libpod_parent/libpod-" ID64 "/docker/fedcba9876543210fedcba9876543210"
	              "fedcba9876543210fedcba9876543210", ENGINE_PODMAN);

	/* no engine state names these */
	expect_engine("/system.slice/docker.service", ENGINE_NONE);
	expect_engine("/libpod_parent/conmon", ENGINE_NONE);
	expect_engine("/machine.slice/libpod-conmon-" ID64 ".scope", ENGINE_NONE);
	expect_engine("/kubepods/burstable/pod" UID "/crio-" ID64, ENGINE_NONE);
	expect_engine("/system.slice/cri-containerd-" ID64 ".scope", ENGINE_NONE);
	expect_engine("/lxc.payload.c1/docker/" ID64, ENGINE_NONE);
	expect_engine("/machine.slice/machine-qemu.scope", ENGINE_NONE);
	/* below a unit (a cgroup delegated to whoever runs it, Delegate=yes
	 * with User=): any name its user makes up, another container's too */
	expect_engine("/system.slice/ci.service/docker-" ID64 ".scope", ENGINE_NONE);
	expect_engine("/system.slice/ci.service/payload/libpod-" ID64 ".scope", ENGINE_NONE);
	expect_engine("/system.slice/ci.service/docker/" ID64, ENGINE_NONE);
	expect_engine("/system.slice/ci.service/session-3.scope/docker-" ID64 ".scope",
	              ENGINE_NONE);
	expect_engine("/", ENGINE_NONE);
	assert_int_equal(container_engine_id(NULL, 5, NULL, NULL), ENGINE_NONE);
	/* an ID that is not 64 lower-case hex digits: shown, never looked up */
	expect_engine("/docker/" ID12, ENGINE_NONE);
	expect_engine("/docker/0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF",
	              ENGINE_NONE);
	expect_engine("/docker/" ID64 "0", ENGINE_NONE);
	/* a user's own engine (rootless podman), or a user naming a cgroup of its
	 * delegated subtree like a root container: never root's state */
	expect_engine(UMGR "/user.slice/libpod-" ID64 ".scope", ENGINE_NONE);
	expect_engine(UMGR "/app.slice/docker/" ID64, ENGINE_NONE);
	expect_engine(UMGR "/docker-" ID64 ".scope", ENGINE_NONE);
	/* a session is not delegated: root's podman run from a login shell */
	expect_engine(USER "/session-3.scope/libpod-" ID64, ENGINE_PODMAN);
}

/*
 * A whole /proc/PID/cgroup text through the library's choice of line
 * (pe_cgroup_path) and the grouping, as restart sees it: TYPE and NAME.
 */
static void expect_file(const char *text, enum group_type type, const char *name,
                        enum container_engine engine)
{
	const char *path, *id;
	size_t len, id_len;

	assert_int_equal(pe_cgroup_path(text, strlen(text), &path, &len), 0);
	expect_n(path, len, type, name, name ? strlen(name) : 0);
	assert_int_equal(container_engine_id(path, len, &id, &id_len), engine);
}

static void test_proc_files(void **state)
{
	/* hybrid, no systemd (this project's CI): podman's cgroupfs manager and
	 * docker's cgroupfs driver write the v1 lines and the v2 one */
	expect_file("9:name=systemd:/libpod_parent/libpod-" ID64 "\n"
	            "4:memory:/libpod_parent/libpod-" ID64 "\n"
	            "0::/libpod_parent/libpod-" ID64 "\n",
	            GROUP_CONTAINER, "podman:" ID12, ENGINE_PODMAN);
	expect_file("9:name=systemd:/docker/" ID64 "\n1:cpu:/docker/" ID64 "\n0::/docker/" ID64 "\n",
	            GROUP_CONTAINER, "docker:" ID12, ENGINE_DOCKER);
	/* hybrid with systemd: the v2 line is "/", name=systemd says where */
	expect_file("12:name=systemd:/system.slice/docker-" ID64 ".scope\n"
	            "5:memory:/system.slice/docker-" ID64 ".scope\n0::/\n",
	            GROUP_CONTAINER, "docker:" ID12, ENGINE_DOCKER);
	expect_file("1:name=systemd:/machine.slice/libpod-" ID64 ".scope\n0::/\n",
	            GROUP_CONTAINER, "podman:" ID12, ENGINE_PODMAN);
	/* legacy v1 only */
	expect_file("3:cpu,cpuacct:/docker/" ID64 "\n1:name=systemd:/docker/" ID64 "\n",
	            GROUP_CONTAINER, "docker:" ID12, ENGINE_DOCKER);
	/* unified v2 only, both managers */
	expect_file("0::/system.slice/docker-" ID64 ".scope\n",
	            GROUP_CONTAINER, "docker:" ID12, ENGINE_DOCKER);
	expect_file("0::/docker/" ID64 "\n", GROUP_CONTAINER, "docker:" ID12, ENGINE_DOCKER);
	expect_file("0::/machine.slice/libpod-" ID64 ".scope/container\n",
	            GROUP_CONTAINER, "podman:" ID12, ENGINE_PODMAN);
	expect_file("0::/libpod_parent/libpod-" ID64 "\n",
	            GROUP_CONTAINER, "podman:" ID12, ENGINE_PODMAN);
	expect_file("0::/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" UID_
	            ".slice/docker-" ID64 ".scope\n", GROUP_CONTAINER, "docker:" ID12, ENGINE_DOCKER);
	expect_file("0::/kubepods/besteffort/pod" UID "/" ID64 "\n",
	            GROUP_CONTAINER, "containerd:" ID12, ENGINE_DOCKER);
	/* a v1 controller line alone does not count: only v2 and name=systemd */
	expect_file("4:memory:/docker/" ID64 "\n0::/\n", GROUP_NONE, NULL, ENGINE_NONE);
	/* conmon, podman's monitor, is a host process */
	expect_file("9:name=systemd:/\n4:memory:/libpod_parent/conmon\n0::/\n",
	            GROUP_NONE, NULL, ENGINE_NONE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_type_names),
		cmocka_unit_test(test_unknown),
		cmocka_unit_test(test_system_units),
		cmocka_unit_test(test_delegated),
		cmocka_unit_test(test_not_units),
		cmocka_unit_test(test_slashes),
		cmocka_unit_test(test_sessions),
		cmocka_unit_test(test_user_units),
		cmocka_unit_test(test_docker),
		cmocka_unit_test(test_podman),
		cmocka_unit_test(test_kubernetes),
		cmocka_unit_test(test_lxc),
		cmocka_unit_test(test_machines),
		cmocka_unit_test(test_odd_bytes),
		cmocka_unit_test(test_long),
		cmocka_unit_test(test_engine_id),
		cmocka_unit_test(test_proc_files),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
