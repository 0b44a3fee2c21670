/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The SysV init service of a process (restart-sysv.h).  The init scripts
 * belong to root; the pidfiles may be written by the daemons, so one is
 * believed only when root or the owner of the process it names owns it,
 * is opened without following a last symlink and read up to 32 bytes.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "restart-root.h"
#include "restart-sysv.h"

#define SCRIPT_MAX (256 * 1024)
#define TREE_DEPTH 64

static bool path_byte(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '.' || c == '-' || c == '@' || c == '+' || c == '/';
}

/* Add the N bytes at S to LIST (of *COUNT, at most MAX), once. */
static int add_unique(char **list, size_t *count, size_t max, const char *s, size_t n)
{
	for (size_t i = 0; i < *count; i++)
		if (strlen(list[i]) == n && memcmp(list[i], s, n) == 0)
			return 0;
	if (*count >= max || n == 0)
		return 0;
	list[*count] = strndup(s, n);
	if (!list[*count])
		return -ENOMEM;
	(*count)++;
	return 0;
}

/* The pidfile paths of TEXT: /run/... or /var/run/... ending in ".pid". */
static int parse_pidfiles(const char *text, size_t n, struct sysv_service *svc)
{
	const char *p = text, *end = text + n;

	while ((p = memmem(p, (size_t)(end - p), "/run/", 5))) {
		const char *start = p, *q = p + 5;

		if (start - text >= 4 && memcmp(start - 4, "/var", 4) == 0)
			start -= 4;
		p += 5;
		if (start > text && (path_byte(start[-1]) || start[-1] == '$' || start[-1] == '}'))
			continue;
		while (q < end && path_byte(*q))
			q++;
		if (q < end && (*q == '$' || *q == '{'))
			continue;       /* a variable continues the path */
		if (q - start > 4 && memcmp(q - 4, ".pid", 4) == 0 &&
		    add_unique(svc->pidfiles, &svc->npidfiles, SYSV_MAX_PIDFILES, start,
		               (size_t)(q - start)) < 0)
			return -ENOMEM;
	}
	return 0;
}

/* The program after KEY (at a word start) in TEXT: its base name. */
static int parse_programs(const char *text, size_t n, const char *key,
                          struct sysv_service *svc)
{
	const char *p = text, *end = text + n;
	size_t klen = strlen(key);

	while ((p = memmem(p, (size_t)(end - p), key, klen))) {
		const char *q = p + klen, *base;

		if (p > text && p[-1] != ' ' && p[-1] != '\t' && p[-1] != '\n' && p[-1] != ';') {
			p += klen;
			continue;
		}
		p += klen;
		while (q < end && (*q == ' ' || *q == '"' || *q == '\''))
			q++;
		if (q >= end || *q != '/')
			continue;
		for (base = q; q < end && path_byte(*q); q++)
			if (*q == '/')
				base = q + 1;
		if (add_unique(svc->daemons, &svc->ndaemons, SYSV_MAX_DAEMONS, base,
		               (size_t)(q - base)) < 0)
			return -ENOMEM;
	}
	return 0;
}

int sysv_script_parse(const char *text, size_t n, struct sysv_service *svc)
{
	if (parse_pidfiles(text, n, svc) < 0 || parse_programs(text, n, "DAEMON=", svc) < 0 ||
	    parse_programs(text, n, "--exec", svc) < 0 ||
	    parse_programs(text, n, "--startas", svc) < 0)
		return -ENOMEM;
	return 0;
}

int sysv_pidfile_parse(const char *text, size_t n, pid_t *pid)
{
	long long v = 0;
	size_t i = 0;

	while (i < n && (text[i] == ' ' || text[i] == '\t'))
		i++;
	if (i >= n || text[i] < '0' || text[i] > '9')
		return -EINVAL;
	for (; i < n && text[i] >= '0' && text[i] <= '9'; i++) {
		v = v * 10 + (text[i] - '0');
		if (v > 0x7fffffff)
			return -EINVAL;
	}
	if (i < n && text[i] != '\n' && text[i] != ' ' && text[i] != '\t')
		return -EINVAL;
	if (v <= 1)
		return -EINVAL;
	*pid = (pid_t)v;
	return 0;
}

/* Is COMM (at most 15 bytes: the kernel cuts it) the cut form of NAME? */
static bool comm_is(const char *comm, const char *name)
{
	size_t n = strlen(name);

	if (n > 15)
		n = 15;
	return strlen(comm) == n && memcmp(comm, name, n) == 0;
}

/* The service whose name or program is COMM. */
static const char *by_comm(const struct sysv_map *m, const char *comm)
{
	for (size_t i = 0; i < m->nservices; i++)
		if (comm_is(comm, m->services[i].name))
			return m->services[i].name;
	for (size_t i = 0; i < m->nservices; i++)
		for (size_t k = 0; k < m->services[i].ndaemons; k++)
			if (comm_is(comm, m->services[i].daemons[k]))
				return m->services[i].name;
	return NULL;
}

static const char *by_pidfile(const struct sysv_map *m, pid_t pid, const struct sysv_tree *t)
{
	uid_t uid = (uid_t)-2;

	for (size_t i = 0; i < m->npids; i++) {
		if (m->pids[i].pid != pid)
			continue;
		if (uid == (uid_t)-2)
			uid = t->uid(pid, t->arg);
		if (m->pids[i].owner == 0 || (uid != (uid_t)-1 && m->pids[i].owner == uid))
			return m->services[m->pids[i].service].name;
	}
	return NULL;
}

const char *sysv_lookup(const struct sysv_map *m, pid_t pid, const struct sysv_tree *tree)
{
	pid_t top = -1;
	char comm[64];
	const char *name;

	for (int depth = 0; pid > 1 && depth < TREE_DEPTH; depth++) {
		pid_t ppid;

		name = by_pidfile(m, pid, tree);
		if (name)
			return name;
		ppid = tree->parent(pid, tree->arg);
		if (ppid == 1) {
			top = pid;
			break;
		}
		pid = ppid;
	}
	if (top > 1 && tree->comm(top, comm, sizeof(comm), tree->arg))
		return by_comm(m, comm);
	return NULL;
}

/* ------------------------------------------------------------ I/O --- */

/* Read the pidfile PATH (absolute) of service S into M. */
static int read_pidfile(const char *root, const char *path, size_t s, struct sysv_map *m)
{
	char buf[32];
	struct sysv_pid *np;
	uid_t owner;
	pid_t pid;
	ssize_t n = restart_read_file(root, path + 1, buf, sizeof(buf), &owner);

	if (n <= 0 || sysv_pidfile_parse(buf, (size_t)n, &pid) < 0)
		return 0;
	np = realloc(m->pids, (m->npids + 1) * sizeof(*np));
	if (!np)
		return -ENOMEM;
	m->pids = np;
	m->pids[m->npids++] = (struct sysv_pid){ .pid = pid, .owner = owner, .service = s };
	return 0;
}

/* The pidfiles of service S: those it names and the usual ones, each at
 * /run and /var/run. */
static int read_pidfiles(const char *root, size_t s, struct sysv_map *m)
{
	const struct sysv_service *svc = &m->services[s];
	char path[1024];
	size_t nc = svc->npidfiles;
	const char *cand[SYSV_MAX_PIDFILES + 3];
	char usual[3][512];

	for (size_t i = 0; i < nc; i++)
		cand[i] = svc->pidfiles[i];
	snprintf(usual[0], sizeof(usual[0]), "/run/%s.pid", svc->name);
	snprintf(usual[1], sizeof(usual[1]), "/run/%s/%s.pid", svc->name, svc->name);
	snprintf(usual[2], sizeof(usual[2]), "/run/%s/pid", svc->name);
	for (int i = 0; i < 3; i++)
		cand[nc++] = usual[i];
	for (size_t i = 0; i < nc; i++) {
		const char *rest = strncmp(cand[i], "/var/run/", 9) == 0 ? cand[i] + 8 : cand[i] + 4;

		snprintf(path, sizeof(path), "/run%s", rest);
		if (read_pidfile(root, path, s, m) < 0)
			return -ENOMEM;
		snprintf(path, sizeof(path), "/var/run%s", rest);
		if (read_pidfile(root, path, s, m) < 0)
			return -ENOMEM;
	}
	return 0;
}

static bool script_name_ok(const char *name)
{
	static const char *const skip[] = { "README", "skeleton", "rc", "rcS", "functions" };

	if (name[0] == '.' || strstr(name, ".dpkg-") || strlen(name) > 255)
		return false;
	for (size_t i = 0; i < sizeof(skip) / sizeof(skip[0]); i++)
		if (strcmp(name, skip[i]) == 0)
			return false;
	return true;
}

/* Add the script NAME (text read below ROOT) to M. */
static int add_script(const char *root, const char *name, char *text, struct sysv_map *m)
{
	struct sysv_service *ns, *svc;
	char rel[512];
	ssize_t n;

	ns = realloc(m->services, (m->nservices + 1) * sizeof(*ns));
	if (!ns)
		return -ENOMEM;
	m->services = ns;
	svc = &m->services[m->nservices];
	*svc = (struct sysv_service){ .name = strdup(name) };
	if (!svc->name)
		return -ENOMEM;
	m->nservices++;
	snprintf(rel, sizeof(rel), "etc/init.d/%s", name);
	n = restart_read_file(root, rel, text, SCRIPT_MAX, NULL);
	if (n > 0 && sysv_script_parse(text, (size_t)n, svc) < 0)
		return -ENOMEM;
	return read_pidfiles(root, m->nservices - 1, m);
}

int sysv_map_read(const char *root, struct sysv_map *m)
{
	char dir[4096], *text;
	struct dirent *de;
	DIR *d;
	int r = 0;

	*m = (struct sysv_map){ 0 };
	snprintf(dir, sizeof(dir), "%s/etc/init.d", root);
	d = opendir(dir);
	if (!d)
		return 0;
	text = malloc(SCRIPT_MAX);
	if (!text) {
		closedir(d);
		return -ENOMEM;
	}
	while (r == 0 && (de = readdir(d)))
		if (script_name_ok(de->d_name))
			r = add_script(root, de->d_name, text, m);
	free(text);
	closedir(d);
	return r;
}

void sysv_map_free(struct sysv_map *m)
{
	for (size_t i = 0; i < m->nservices; i++) {
		struct sysv_service *s = &m->services[i];

		free(s->name);
		for (size_t k = 0; k < s->npidfiles; k++)
			free(s->pidfiles[k]);
		for (size_t k = 0; k < s->ndaemons; k++)
			free(s->daemons[k]);
	}
	free(m->services);
	free(m->pids);
	*m = (struct sysv_map){ 0 };
}

bool init_is_systemd(const char *root)
{
	char path[4096], comm[32];
	struct stat st;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/run/systemd/system", root);
	if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return true;
	n = restart_read_file(root, "proc/1/comm", comm, sizeof(comm) - 1, NULL);
	if (n <= 0)
		return false;
	comm[n] = '\0';
	return strcmp(comm, "systemd\n") == 0 || strcmp(comm, "systemd") == 0;
}

/* ------------------------------------------------- the procfs tree --- */

/* PROCFS/PID/stat into BUF: the part after the comm's ')' (*AFTER) and the
 * comm (*COMM, *COMM_LEN); false when unreadable. */
static bool read_stat(const char *procfs, pid_t pid, char *buf, size_t size,
                      const char **after, const char **comm, size_t *comm_len)
{
	char rel[64];
	ssize_t n;
	char *open_paren, *close_paren;

	snprintf(rel, sizeof(rel), "%d/stat", (int)pid);
	n = restart_read_file(procfs, rel, buf, size - 1, NULL);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	open_paren = memchr(buf, '(', (size_t)n);
	close_paren = memrchr(buf, ')', (size_t)n);
	if (!open_paren || !close_paren || close_paren < open_paren)
		return false;
	*comm = open_paren + 1;
	*comm_len = (size_t)(close_paren - open_paren - 1);
	*after = close_paren + 1;
	return true;
}

static pid_t procfs_parent(pid_t pid, void *arg)
{
	char buf[1024], state;
	const char *after, *comm;
	size_t len;
	int ppid;

	if (!read_stat(arg, pid, buf, sizeof(buf), &after, &comm, &len) ||
	    sscanf(after, " %c %d", &state, &ppid) != 2)
		return -1;
	return (pid_t)ppid;
}

static uid_t procfs_uid(pid_t pid, void *arg)
{
	char path[4096];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%d", (const char *)arg, (int)pid);
	return stat(path, &st) == 0 ? st.st_uid : (uid_t)-1;
}

static bool procfs_comm(pid_t pid, char *out, size_t size, void *arg)
{
	char buf[1024];
	const char *after, *comm;
	size_t len;

	if (!read_stat(arg, pid, buf, sizeof(buf), &after, &comm, &len) || len >= size)
		return false;
	memcpy(out, comm, len);
	out[len] = '\0';
	return true;
}

void sysv_tree_procfs(struct sysv_tree *t, const char *procfs)
{
	*t = (struct sysv_tree){ procfs_parent, procfs_uid, procfs_comm, (void *)procfs };
}
