/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests for src/restart-engine.c: container names from docker's and
 * podman's state on disk. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "restart-engine.h"

#define ID64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define ID64B "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"
#define IDA "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

/* engine_docker_name() on a heap copy of exactly the text's size. */
static int docker(const char *text, char **name)
{
	size_t n = strlen(text);
	char *copy = malloc(n ? n : 1);
	int r;

	assert_non_null(copy);
	memcpy(copy, text, n);
	*name = NULL;
	r = engine_docker_name(copy, n, ID64, name);
	free(copy);
	return r;
}

static void expect_docker(const char *text, const char *want)
{
	char *name;

	assert_int_equal(docker(text, &name), 0);
	assert_string_equal(name, want);
	free(name);
}

static void expect_docker_err(const char *text, int err)
{
	char *name;

	assert_int_equal(docker(text, &name), err);
	assert_null(name);
}

static void test_docker(void **state)
{
	/* the layout docker writes (abridged): "Config" with user labels first */
	expect_docker("{\"StreamConfig\":{},\"State\":{\"Running\":true,\"Pid\":12},"
	              "\"ID\":\"" ID64 "\",\"Created\":\"2026-12-03T19:17:00Z\",\"Managed\":false,"
	              "\"Args\":[\"1000\"],\"Config\":{\"Labels\":{\"Name\":\"evil\"},"
	              "\"Env\":[\"A=\\\"Name\\\":\\\"/evil\\\"\"]},\"Name\":\"/web-1\","
	              "\"RestartCount\":0,\"HasBeenStartedBefore\":true,\"x\":[1,-2.5e3,null,false]}",
	              "web-1");
	expect_docker(" {\n \"Name\" : \"/a\" , \"ID\" : \"" ID64 "\" }\n", "a");
	expect_docker("{\"Name\":\"db_2.x\",\"ID\":\"" ID64 "\"}", "db_2.x");
	/* only the top level counts: a nested "Name" or "ID" is ignored */
	expect_docker_err("{\"Config\":{\"Name\":\"/x\",\"ID\":\"" ID64 "\"}}", -ENOENT);
	expect_docker_err("{\"ID\":\"" ID64 "\",\"Config\":{\"Name\":\"/x\"}}", -ENOENT);
	/* another container's file, or no ID */
	expect_docker_err("{\"ID\":\"" ID64B "\",\"Name\":\"/x\"}", -ENOENT);
	expect_docker_err("{\"Name\":\"/x\"}", -ENOENT);
	/* twice the same key: no name */
	expect_docker_err("{\"ID\":\"" ID64 "\",\"Name\":\"/x\",\"Name\":\"/y\"}", -ENOENT);
	expect_docker_err("{\"ID\":\"" ID64 "\",\"ID\":\"" ID64 "\",\"Name\":\"/y\"}", -ENOENT);
	/* names breaking the engines' rule: escapes, odd bytes, empty, too long */
	expect_docker_err("{\"ID\":\"" ID64 "\",\"Name\":\"/a\\u001b[31m\"}", -ENOENT);
	expect_docker_err("{\"ID\":\"" ID64 "\",\"Name\":\"/a b\"}", -ENOENT);
	expect_docker_err("{\"ID\":\"" ID64 "\",\"Name\":\"/a/b\"}", -ENOENT);
	expect_docker_err("{\"ID\":\"" ID64 "\",\"Name\":\"/-a\"}", -ENOENT);
	expect_docker_err("{\"ID\":\"" ID64 "\",\"Name\":\"/\xc3\xa9\"}", -ENOENT);
	expect_docker_err("{\"ID\":\"" ID64 "\",\"Name\":\"/\"}", -ENOENT);
	expect_docker_err("{\"ID\":\"" ID64 "\",\"Name\":\"\"}", -ENOENT);
	expect_docker_err("{\"ID\":\"" ID64 "\",\"Name\":7}", -ENOENT);
	/* an escaped ID is not the ID */
	expect_docker_err("{\"ID\":\"\\u0030123456789abcdef0123456789abcdef0123456789abcdef"
	                  "0123456789abcdef\",\"Name\":\"/x\"}", -ENOENT);

	/* not one well-formed value */
	expect_docker_err("", -EBADMSG);
	expect_docker_err("[]", -EBADMSG);
	expect_docker_err("{\"ID\":\"" ID64 "\",\"Name\":\"/x\"", -EBADMSG);
	expect_docker_err("{\"ID\":\"" ID64 "\",\"Name\":\"/x\"} {}", -EBADMSG);
	expect_docker_err("{\"ID\":\"" ID64 "\",\"Name\":\"/x\",}", -EBADMSG);
	expect_docker_err("{\"ID\":\"" ID64 "\" \"Name\":\"/x\"}", -EBADMSG);
	expect_docker_err("{\"ID\":\"" ID64 "\",\"Name\":\"/x\n\"}", -EBADMSG);
	expect_docker_err("{\"ID\":\"" ID64 "\",\"Name\":\"/x\\q\"}", -EBADMSG);
	expect_docker_err("{\"ID\":\"" ID64 "\",\"Name\":\"/x\\u12\"}", -EBADMSG);
	expect_docker_err("{\"ID\":\"" ID64 "\",\"Name\":\"/x\\", -EBADMSG);
	expect_docker_err("{\"a\":}", -EBADMSG);
	expect_docker_err("{\"a\":[1,]}", -EBADMSG);
	assert_int_equal(engine_docker_name(NULL, 0, ID64, &(char *){ NULL }), -EBADMSG);
}

static void test_docker_bounds(void **state)
{
	char *doc = malloc(70000), *name;
	size_t n = 0;

	assert_non_null(doc);
	/* the longest name the rule allows, and one byte more */
	n = (size_t)sprintf(doc, "{\"ID\":\"" ID64 "\",\"Name\":\"/");
	memset(doc + n, 'n', ENGINE_NAME_MAX);
	strcpy(doc + n + ENGINE_NAME_MAX, "\"}");
	assert_int_equal(docker(doc, &name), 0);
	assert_int_equal(strlen(name), ENGINE_NAME_MAX);
	free(name);
	memset(doc + n, 'n', ENGINE_NAME_MAX + 1);
	strcpy(doc + n + ENGINE_NAME_MAX + 1, "\"}");
	expect_docker_err(doc, -ENOENT);

	/* nesting: 63 arrays below the object parse, 64 do not (no recursion
	 * without bound) */
	n = (size_t)sprintf(doc, "{\"ID\":\"" ID64 "\",\"Name\":\"/x\",\"a\":");
	memset(doc + n, '[', 63);
	memset(doc + n + 63, ']', 63);
	strcpy(doc + n + 126, "}");
	expect_docker(doc, "x");
	memset(doc + n, '[', 64);
	memset(doc + n + 64, ']', 64);
	strcpy(doc + n + 128, "}");
	expect_docker_err(doc, -EBADMSG);
	memset(doc, '[', 69999);
	doc[69999] = '\0';
	expect_docker_err(doc, -EBADMSG);
	free(doc);
}

/* engine_podman_names() collects "ID=NAME;" here. */
static char podman_seen[4096];

static void podman_cb(const char *id, size_t id_len, const char *name, size_t name_len,
                      void *arg)
{
	size_t n = strlen(podman_seen);

	assert_ptr_equal(arg, podman_seen);
	snprintf(podman_seen + n, sizeof(podman_seen) - n, "%.*s=%.*s;", (int)id_len, id,
	         (int)name_len, name);
}

static int podman(const char *text)
{
	podman_seen[0] = '\0';
	return engine_podman_names(text, strlen(text), podman_cb, podman_seen);
}

static void test_podman(void **state)
{
	/* the layout containers/storage writes */
	assert_int_equal(podman("[{\"id\":\"" ID64 "\",\"names\":[\"pe-t1\"],\"image\":\"5bf5\","
	                        "\"metadata\":\"{\\\"image-name\\\":\\\"x\\\",\\\"name\\\":"
	                        "\\\"pe-t1\\\"}\",\"created\":\"2026-12-03T19:16:31Z\","
	                        "\"flags\":{\"MountLabel\":\"\"}},"
	                        "{\"id\":\"" ID64B "\",\"names\":[\"b\",\"alias\"]}]"), 0);
	assert_string_equal(podman_seen, ID64 "=pe-t1;" ID64B "=b;");
	/* entries without a usable name or ID are passed over, the others kept */
	assert_int_equal(podman("[{\"id\":\"a\",\"names\":[]},{\"names\":[\"x\"]},"
	                        "{\"id\":\"b\",\"names\":[7,\"y\"]},{\"id\":\"c\",\"names\":[\"a b\"]},"
	                        "{\"id\":\"d\",\"id\":\"e\",\"names\":[\"z\"]},"
	                        "{\"id\":\"f\\u0030\",\"names\":[\"w\"]},"
	                        "{\"id\":\"g\",\"names\":\"v\"},"
	                        "{\"x\":{\"id\":\"h\",\"names\":[\"u\"]}},"
	                        "7,\"s\",[{\"id\":\"i\",\"names\":[\"t\"]}],"
	                        "{\"id\":\"j\",\"names\":[\"ok\"]}]"), 0);
	assert_string_equal(podman_seen, "j=ok;");
	assert_int_equal(podman("[]"), 0);
	assert_string_equal(podman_seen, "");
	/* malformed anywhere: no call at all */
	assert_int_equal(podman("[{\"id\":\"j\",\"names\":[\"ok\"]},{\"id\":]"), -EBADMSG);
	assert_string_equal(podman_seen, "");
	assert_int_equal(podman("[{\"id\":\"j\",\"names\":[\"ok\"]}"), -EBADMSG);
	assert_string_equal(podman_seen, "");
	assert_int_equal(podman("{\"id\":\"j\",\"names\":[\"ok\"]}"), -EBADMSG);
	assert_int_equal(podman(""), -EBADMSG);
	assert_int_equal(engine_podman_names(NULL, 0, podman_cb, podman_seen), -EBADMSG);
}

/* ------------------------------------------------------- the files --- */

static char root[64];

static void put(const char *rel, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static void dir(const char *rel)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	assert_int_equal(mkdir(path, 0755), 0);
}

static int setup_root(void **state)
{
	umask(022);
	strcpy(root, "/tmp/pe-engine-XXXXXX");
	assert_non_null(mkdtemp(root));
	dir("var");
	dir("var/lib");
	dir("var/lib/docker");
	dir("var/lib/docker/containers");
	dir("var/lib/docker/containers/" ID64);
	dir("var/lib/docker/containers/" ID64B);
	put("var/lib/docker/containers/" ID64 "/config.v2.json",
	    "{\"ID\":\"" ID64 "\",\"Name\":\"/web\"}");
	put("var/lib/docker/containers/" ID64B "/config.v2.json",
	    "{\"ID\":\"" ID64B "\",\"Name\":\"/db\"}");
	dir("var/lib/containers");
	dir("var/lib/containers/storage");
	dir("var/lib/containers/storage/overlay-containers");
	put("var/lib/containers/storage/overlay-containers/containers.json",
	    "[{\"id\":\"" ID64 "\",\"names\":[\"pod-a\"]},{\"id\":\"" ID64B "\",\"names\":[\"pod-b\"]}]");
	return 0;
}

static int teardown_root(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf -- '%s'", root);
	return system(cmd) == 0 ? 0 : -1;
}

static int read_rel(const char *rel, size_t max, char **buf)
{
	size_t len = 0;
	int r = engine_read_state(root, rel, max, buf, &len);

	if (r == 0)
		assert_int_equal(strlen(*buf), len);
	return r;
}

static void test_read_state(void **state)
{
	const char *rel = "var/lib/docker/containers/" ID64 "/config.v2.json";
	char *buf = NULL, path[512], path2[512];

	if (geteuid() != 0)
		skip();     /* the files must be root's */
	assert_int_equal(read_rel(rel, 1024, &buf), 0);
	assert_string_equal(buf, "{\"ID\":\"" ID64 "\",\"Name\":\"/web\"}");
	free(buf);
	/* exactly MAX bytes is fine, one more is too large */
	assert_int_equal(read_rel(rel, 87, &buf), 0);
	free(buf);
	assert_int_equal(read_rel(rel, 86, &buf), -EFBIG);
	assert_int_equal(read_rel("var/lib/nothing", 1024, &buf), -ENOENT);
	assert_int_equal(read_rel("var/lib/docker", 1024, &buf), -EINVAL);
	assert_int_equal(read_rel("var/../var/lib/docker/containers/" ID64 "/config.v2.json",
	                          1024, &buf), -EINVAL);
	assert_int_equal(read_rel("var//lib", 1024, &buf), -EINVAL);

	/* a symlink as the file or as a directory on the way */
	snprintf(path, sizeof(path), "%s/var/lib/link.json", root);
	snprintf(path2, sizeof(path2), "%s/%s", root, rel);
	assert_int_equal(symlink(path2, path), 0);
	assert_int_equal(read_rel("var/lib/link.json", 1024, &buf), -ELOOP);
	snprintf(path, sizeof(path), "%s/var/lib/dlink", root);
	assert_int_equal(symlink("docker", path), 0);
	assert_int_equal(read_rel("var/lib/dlink/containers/" ID64 "/config.v2.json", 1024, &buf),
	                 -ENOTDIR);
	/* a FIFO: refused without blocking */
	snprintf(path, sizeof(path), "%s/var/lib/fifo", root);
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_int_equal(read_rel("var/lib/fifo", 1024, &buf), -EINVAL);

	/* not root's, or writable by others: the file, or a directory above */
	snprintf(path, sizeof(path), "%s/%s", root, rel);
	assert_int_equal(chown(path, 1000, 0), 0);
	assert_int_equal(read_rel(rel, 1024, &buf), -EPERM);
	assert_int_equal(chown(path, 0, 0), 0);
	assert_int_equal(chmod(path, 0622), 0);
	assert_int_equal(read_rel(rel, 1024, &buf), -EPERM);
	assert_int_equal(chmod(path, 0644), 0);
	snprintf(path, sizeof(path), "%s/var/lib/docker/containers", root);
	assert_int_equal(chmod(path, 01777), 0);
	assert_int_equal(read_rel(rel, 1024, &buf), -EPERM);
	assert_int_equal(chmod(path, 0755), 0);
	assert_int_equal(read_rel(rel, 1024, &buf), 0);
	free(buf);
}

static void test_cache(void **state)
{
	struct engine_names en = { 0 };
	char path[512];

	if (geteuid() != 0)
		skip();
	/* docker: each container's file once, whatever the answer */
	assert_string_equal(engine_container_name(&en, root, "/docker/" ID64), "web");
	assert_int_equal(en.files_read, 1);
	assert_string_equal(engine_container_name(&en, root, "/system.slice/docker-" ID64 ".scope"),
	                    "web");
	assert_int_equal(en.files_read, 1);
	assert_string_equal(engine_container_name(&en, root, "/docker/" ID64B), "db");
	assert_int_equal(en.files_read, 2);
	/* a container without state: no name, asked once */
	assert_null(engine_container_name(&en, root, "/docker/" ID64 "0"));
	assert_null(engine_container_name(&en, root, "/docker/" IDA));
	snprintf(path, sizeof(path), "%s/var/lib/docker/containers/" IDA, root);
	assert_int_equal(mkdir(path, 0755), 0);
	put("var/lib/docker/containers/" IDA "/config.v2.json",
	    "{\"ID\":\"" IDA "\",\"Name\":\"/late\"}");
	assert_null(engine_container_name(&en, root, "/docker/" IDA));
	assert_int_equal(en.files_read, 2);

	/* podman: the one file once, for every container */
	assert_string_equal(engine_container_name(&en, root, "/libpod_parent/libpod-" ID64), "pod-a");
	assert_string_equal(engine_container_name(&en, root, "/machine.slice/libpod-" ID64B ".scope"),
	                    "pod-b");
	assert_null(engine_container_name(&en, root, "/libpod_parent/libpod-" IDA));
	assert_int_equal(en.files_read, 3);
	/* not looked up at all */
	assert_null(engine_container_name(&en, root, NULL));
	assert_null(engine_container_name(&en, root, "/system.slice/sshd.service"));
	assert_null(engine_container_name(&en, root, "/user.slice/user-1000.slice/user@1000.service/"
	                                              "user.slice/libpod-" ID64 ".scope"));
	assert_int_equal(en.files_read, 3);
	engine_names_free(&en);
	assert_null(en.tree);

	/* a fresh run sees the new file */
	assert_string_equal(engine_container_name(&en, root, "/docker/" IDA), "late");
	engine_names_free(&en);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_docker),
		cmocka_unit_test(test_docker_bounds),
		cmocka_unit_test(test_podman),
		cmocka_unit_test_setup_teardown(test_read_state, setup_root, teardown_root),
		cmocka_unit_test_setup_teardown(test_cache, setup_root, teardown_root),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
