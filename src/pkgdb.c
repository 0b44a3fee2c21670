/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The owning package of files from the dpkg database (pkgdb.h): the paths
 * of one run are sorted once, then every line of every info/ *.list file is
 * looked up among them (a binary search), so that the cost is one pass
 * over the database whatever the number of paths, and none without paths.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pkgdb.h"

/* A .list or diversions file larger than this is not read (dpkg's own are
 * a few MiB at most). */
#define PKGDB_MAX_FILE (64u << 20)

struct entry {
	char *key;              /* the canonical path (owned) */
	bool query;             /* added by the caller, not only for a diversion */
	const char **own;       /* package names (in db->names), in list order */
	size_t nown, capown;
	char *result;           /* ", "-joined owners, NULL for none */
};

/* A diversion touching a path looked up (canonical keys, owned). */
struct diversion {
	char *from_key, *to_key;
	char *pkg;                      /* ":" for a local diversion */
};

struct pkgdb {
	unsigned aliases;
	size_t max;
	struct entry *e;
	size_t n, cap;
	char **names;           /* package names seen (owned) */
	size_t nnames;
	struct diversion *divs;
	size_t ndivs;
	bool resolved;
	size_t capped, unreadable;
	char *buf;              /* the file being read, reused */
	size_t bufcap;
};

static const struct {
	const char *dir;        /* "/bin/" */
	size_t len;
	unsigned bit;
} aliases[] = {
	{ "/bin/", 5, PKGDB_ALIAS_BIN },
	{ "/sbin/", 6, PKGDB_ALIAS_SBIN },
	{ "/lib/", 5, PKGDB_ALIAS_LIB },
	{ "/lib32/", 7, PKGDB_ALIAS_LIB32 },
	{ "/lib64/", 7, PKGDB_ALIAS_LIB64 },
	{ "/libx32/", 8, PKGDB_ALIAS_LIBX32 },
};

struct pkgdb *pkgdb_new(size_t max_paths, unsigned alias_bits)
{
	struct pkgdb *db = calloc(1, sizeof(*db));

	if (db) {
		db->max = max_paths;
		db->aliases = alias_bits & PKGDB_ALIAS_ALL;
	}
	return db;
}

void pkgdb_free(struct pkgdb *db)
{
	if (!db)
		return;
	for (size_t i = 0; i < db->n; i++) {
		free(db->e[i].key);
		free(db->e[i].own);
		free(db->e[i].result);
	}
	free(db->e);
	for (size_t i = 0; i < db->nnames; i++)
		free(db->names[i]);
	free(db->names);
	for (size_t i = 0; i < db->ndivs; i++) {
		free(db->divs[i].from_key);
		free(db->divs[i].to_key);
		free(db->divs[i].pkg);
	}
	free(db->divs);
	free(db->buf);
	free(db);
}

unsigned pkgdb_detect_aliases(const char *root)
{
	unsigned bits = 0;
	int rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);

	if (rootfd < 0)
		return 0;
	for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++) {
		char name[16], want[24], got[32];
		size_t dlen = aliases[i].len - 2;
		ssize_t n;

		memcpy(name, aliases[i].dir + 1, dlen);
		name[dlen] = '\0';
		n = readlinkat(rootfd, name, got, sizeof(got) - 1);
		if (n <= 0)
			continue;
		got[n] = '\0';
		snprintf(want, sizeof(want), "usr/%s", name);
		if (strcmp(got, want) == 0 || (got[0] == '/' && strcmp(got + 1, want) == 0))
			bits |= aliases[i].bit;
	}
	close(rootfd);
	return bits;
}

/* The canonical spelling of PATH (LEN bytes) into BUF (SIZE bytes): /usr/X
 * for an aliased /X.  Its length, or 0 when it does not fit. */
static size_t canon(unsigned bits, const char *path, size_t len, char *buf, size_t size)
{
	size_t pre = 0;

	for (size_t i = 0; bits && i < sizeof(aliases) / sizeof(aliases[0]); i++)
		if ((bits & aliases[i].bit) && len >= aliases[i].len &&
		    memcmp(path, aliases[i].dir, aliases[i].len) == 0) {
			pre = 4;
			break;
		}
	if (pre + len + 1 > size)
		return 0;
	memcpy(buf, "/usr", pre);
	memcpy(buf + pre, path, len);
	buf[pre + len] = '\0';
	return pre + len;
}

static int cmp_entry(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->key, ((const struct entry *)b)->key);
}

/* Sort the entries and merge the duplicates (a query wins over an aux). */
static void sort_unique(struct pkgdb *db)
{
	size_t k = 0;

	if (db->n == 0)
		return;
	qsort(db->e, db->n, sizeof(*db->e), cmp_entry);
	for (size_t i = 1; i < db->n; i++) {
		if (strcmp(db->e[i].key, db->e[k].key) == 0) {
			db->e[k].query |= db->e[i].query;
			free(db->e[i].key);
			continue;
		}
		db->e[++k] = db->e[i];
	}
	db->n = k + 1;
}

/* Room for one more entry in the full array: many processes map the same
 * few files, so the duplicates are merged first, and the array doubles
 * only when that left it more than half full.  0 or -ENOMEM. */
static int grow(struct pkgdb *db)
{
	size_t cap = db->cap ? db->cap * 2 : 64;
	struct entry *e;

	if (db->n >= 64)
		sort_unique(db);
	if (db->cap && db->n * 2 <= db->cap)
		return 0;
	e = reallocarray(db->e, cap, sizeof(*e));
	if (!e)
		return -ENOMEM;
	db->e = e;
	db->cap = cap;
	return 0;
}

static int append(struct pkgdb *db, const char *path, size_t len, bool query)
{
	char buf[PATH_MAX + 8];
	size_t n;

	if (len == 0 || path[0] != '/' || memchr(path, '\0', len))
		return -EINVAL;
	n = canon(db->aliases, path, len, buf, sizeof(buf));
	if (n == 0)
		return -EINVAL;
	if (db->n == db->cap && grow(db) < 0)
		return -ENOMEM;
	db->e[db->n] = (struct entry){ .key = strndup(buf, n), .query = query };
	if (!db->e[db->n].key)
		return -ENOMEM;
	db->n++;
	return 0;
}

int pkgdb_add(struct pkgdb *db, const char *path, size_t len)
{
	if (db->resolved)
		return -EINVAL;
	return append(db, path, len, true);
}

/* Drop the distinct paths beyond the bound (the last in sorted order). */
static void cap_paths(struct pkgdb *db)
{
	if (db->n <= db->max)
		return;
	db->capped = db->n - db->max;
	for (size_t i = db->max; i < db->n; i++)
		free(db->e[i].key);
	db->n = db->max;
}

static struct entry *find(const struct pkgdb *db, const char *key)
{
	struct entry k = { .key = (char *)key };

	return db->n ? bsearch(&k, db->e, db->n, sizeof(*db->e), cmp_entry) : NULL;
}

/* The whole of file NAME under DIRFD, NUL-terminated, in DB's buffer
 * (*RET, valid until the next call): its length, or a negative errno. */
static ssize_t slurp(struct pkgdb *db, int dirfd, const char *name, char **ret)
{
	int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY);
	struct stat st;
	size_t len = 0;
	ssize_t n = 0;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (uint64_t)st.st_size > PKGDB_MAX_FILE)
		n = -EINVAL;
	if (n == 0 && (size_t)st.st_size + 1 > db->bufcap) {
		char *p = realloc(db->buf, (size_t)st.st_size + 1);

		if (!p)
			n = -ENOMEM;
		else {
			db->buf = p;
			db->bufcap = (size_t)st.st_size + 1;
		}
	}
	while (n == 0 && len < (size_t)st.st_size) {
		n = read(fd, db->buf + len, (size_t)st.st_size - len);
		if (n < 0 && errno == EINTR)
			n = 0;
		else if (n < 0)
			n = -errno;
		else if (n > 0)
			len += (size_t)n, n = 0;
		else
			break;
	}
	close(fd);
	if (n < 0)
		return n;
	db->buf[len] = '\0';
	*ret = db->buf;
	return (ssize_t)len;
}

/* The next line of BUF from *POS (NUL-terminated in place); NULL at the end. */
static char *next_line(char *buf, size_t len, size_t *pos, size_t *ret_len)
{
	char *line, *nl;

	if (*pos >= len)
		return NULL;
	line = buf + *pos;
	nl = memchr(line, '\n', len - *pos);
	*ret_len = nl ? (size_t)(nl - line) : len - *pos;
	line[*ret_len] = '\0';
	*pos += *ret_len + 1;
	return line;
}

/* As next_line(), for a buffer not written to. */
static const char *next_line_c(const char *buf, size_t len, size_t *pos, size_t *ret_len)
{
	const char *line, *nl;

	if (*pos >= len)
		return NULL;
	line = buf + *pos;
	nl = memchr(line, '\n', len - *pos);
	*ret_len = nl ? (size_t)(nl - line) : len - *pos;
	*pos += *ret_len + 1;
	return line;
}

static int add_diversion(struct pkgdb *db, const char *from, size_t flen, const char *to,
                         size_t tlen, const char *pkg)
{
	char fb[PATH_MAX + 8], tb[PATH_MAX + 8];
	struct entry *fe, *te;
	struct diversion *d;

	if (!canon(db->aliases, from, flen, fb, sizeof(fb)) ||
	    !canon(db->aliases, to, tlen, tb, sizeof(tb)))
		return 0;
	fe = find(db, fb);
	te = find(db, tb);
	if (!(fe && fe->query) && !(te && te->query))
		return 0;
	d = reallocarray(db->divs, db->ndivs + 1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	db->divs = d;
	d = &db->divs[db->ndivs];
	*d = (struct diversion){ .from_key = strdup(fb), .to_key = strdup(tb), .pkg = strdup(pkg) };
	db->ndivs++;
	if (!d->from_key || !d->to_key || !d->pkg)
		return -ENOMEM;
	/* the owners of the diverted-to name are those listing the other */
	return fe ? 0 : append(db, fb, strlen(fb), false);
}

/* Read ADMINDIR's diversions (triples of lines: from, to, package) that
 * touch a path looked up.  A missing file is none. */
static int read_diversions(struct pkgdb *db, int admfd)
{
	char *buf = NULL, *from, *to, *pkg;
	size_t pos = 0, flen, tlen, plen;
	ssize_t len = slurp(db, admfd, "diversions", &buf);
	int r = 0;

	if (len < 0)
		return len == -ENOMEM ? -ENOMEM : 0;
	while (r == 0 && (from = next_line(buf, (size_t)len, &pos, &flen)) &&
	       (to = next_line(buf, (size_t)len, &pos, &tlen)) &&
	       (pkg = next_line(buf, (size_t)len, &pos, &plen)))
		r = add_diversion(db, from, flen, to, tlen, pkg);
	if (r == 0)
		sort_unique(db);
	return r;
}

static int add_owner(struct entry *e, const char *name)
{
	if (e->nown && e->own[e->nown - 1] == name)
		return 0;
	if (e->nown == e->capown) {
		size_t cap = e->capown ? e->capown * 2 : 2;
		const char **own = reallocarray(e->own, cap, sizeof(*own));

		if (!own)
			return -ENOMEM;
		e->own = own;
		e->capown = cap;
	}
	e->own[e->nown++] = name;
	return 0;
}

/* Look every line of the list BUF (LEN bytes) of package NAME up. */
static int match_list(struct pkgdb *db, char *buf, size_t len, const char *name)
{
	char key[PATH_MAX + 8];
	size_t pos = 0, llen;
	char *line;

	while ((line = next_line(buf, len, &pos, &llen))) {
		struct entry *e;

		if (!canon(db->aliases, line, llen, key, sizeof(key)))
			continue;
		e = find(db, key);
		if (e && add_owner(e, name) < 0)
			return -ENOMEM;
	}
	return 0;
}

/* One info/ *.list file ENT (package name: its name without ".list"). */
static int read_list(struct pkgdb *db, int infofd, const char *ent)
{
	size_t n = strlen(ent);
	char *buf = NULL, *name, **names;
	ssize_t len;
	int r;

	if (n <= 5 || strcmp(ent + n - 5, ".list") != 0)
		return 0;
	len = slurp(db, infofd, ent, &buf);
	if (len < 0) {
		db->unreadable++;
		return len == -ENOMEM ? -ENOMEM : 0;
	}
	names = reallocarray(db->names, db->nnames + 1, sizeof(*names));
	if (names)
		db->names = names;
	name = names ? strndup(ent, n - 5) : NULL;
	if (!name)
		return -ENOMEM;
	db->names[db->nnames++] = name;
	r = match_list(db, buf, (size_t)len, name);
	return r;
}

static int read_lists(struct pkgdb *db, int admfd)
{
	int infofd = openat(admfd, "info", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct dirent *de;
	DIR *dir;
	int r = 0;

	if (infofd < 0)
		return -errno;
	dir = fdopendir(infofd);
	if (!dir) {
		r = -errno;
		close(infofd);
		return r;
	}
	while (r == 0 && (errno = 0, de = readdir(dir)))
		r = read_list(db, dirfd(dir), de->d_name);
	closedir(dir);
	return r;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* E->result: the N names OWN (not SKIP), sorted, unique, ", "-joined. */
static int join_owners(struct entry *e, const char **own, size_t n, const char *skip)
{
	const char **v = malloc((n ? n : 1) * sizeof(*v));
	size_t k = 0, len = 0;
	char *s;

	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		if (!skip || strcmp(own[i], skip) != 0)
			v[k++] = own[i];
	qsort(v, k, sizeof(*v), cmp_name);
	for (size_t i = 0; i < k; i++)
		len += strlen(v[i]) + 2;
	s = k ? malloc(len) : NULL;
	if (s) {
		*s = '\0';
		for (size_t i = 0; i < k; i++)
			if (i == 0 || strcmp(v[i], v[i - 1]) != 0)
				strcat(strcat(s, i ? ", " : ""), v[i]);
	}
	free(v);
	if (k && !s)
		return -ENOMEM;
	e->result = s;
	return 0;
}

/* The owners of query entry E, as its diversions make them. */
static int owners_of(struct pkgdb *db, struct entry *e)
{
	for (size_t i = 0; i < db->ndivs; i++) {
		const struct diversion *d = &db->divs[i];
		struct entry *from;
		bool listed = false;

		if (strcmp(d->from_key, e->key) == 0) {
			/* the diverting package's own file, if it ships one */
			for (size_t j = 0; j < e->nown; j++)
				listed |= strcmp(e->own[j], d->pkg) == 0;
			return listed ? join_owners(e, (const char **)&d->pkg, 1, NULL) : 0;
		}
		if (strcmp(d->to_key, e->key) == 0) {
			from = find(db, d->from_key);
			return from ? join_owners(e, from->own, from->nown, d->pkg) : 0;
		}
	}
	return join_owners(e, e->own, e->nown, NULL);
}

int pkgdb_resolve(struct pkgdb *db, const char *admindir)
{
	int admfd, r;

	if (db->resolved)
		return -EINVAL;
	db->resolved = true;
	if (db->n == 0)
		return 0;
	sort_unique(db);
	cap_paths(db);
	admfd = open(admindir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (admfd < 0)
		return -errno;
	r = read_diversions(db, admfd);
	if (r == 0)
		r = read_lists(db, admfd);
	close(admfd);
	for (size_t i = 0; r == 0 && i < db->n; i++)
		if (db->e[i].query)
			r = owners_of(db, &db->e[i]);
	return r;
}

/* ------------------------------------------------------------- rpm --- */

/* NAME (LEN bytes) as an owner name kept by DB; NULL on ENOMEM. */
static const char *intern(struct pkgdb *db, const char *name, size_t len)
{
	char **names, *s;

	for (size_t i = db->nnames; i > 0 && i + 8 > db->nnames; i--)
		if (strncmp(db->names[i - 1], name, len) == 0 && db->names[i - 1][len] == '\0')
			return db->names[i - 1];
	names = reallocarray(db->names, db->nnames + 1, sizeof(*names));
	if (!names)
		return NULL;
	db->names = names;
	s = strndup(name, len);
	if (s)
		db->names[db->nnames++] = s;
	return s;
}

int pkgdb_feed_rpm(struct pkgdb *db, const char *buf, size_t len)
{
	char key[PATH_MAX + 8];
	size_t pos = 0, llen;
	const char *line, *tab;

	while ((line = next_line_c(buf, len, &pos, &llen))) {
		struct entry *e;
		const char *name;

		tab = memrchr(line, '\t', llen);
		if (!tab || tab == line || tab + 1 == line + llen ||
		    !canon(db->aliases, line, (size_t)(tab - line), key, sizeof(key)))
			continue;
		e = find(db, key);
		if (!e || !e->query)
			continue;
		name = intern(db, tab + 1, (size_t)(line + llen - tab - 1));
		if (!name || add_owner(e, name) < 0)
			return -ENOMEM;
	}
	for (size_t i = 0; i < db->n; i++)
		if (db->e[i].query && !db->e[i].result && join_owners(&db->e[i], db->e[i].own,
		                                                      db->e[i].nown, NULL) < 0)
			return -ENOMEM;
	return 0;
}

/* The standard output of ARGV (run with no environment but PATH and
 * LC_ALL=C), appended to *BUF (*LEN bytes, *CAP allocated) up to
 * PKGDB_MAX_FILE bytes.  0 or a negative errno. */
static int run_capture(char *const *argv, char **buf, size_t *len, size_t *cap)
{
	static char *const envp[] = { (char *)"PATH=/usr/bin:/bin", (char *)"LC_ALL=C", NULL };
	posix_spawn_file_actions_t fa;
	int fds[2], r, status;
	pid_t pid;
	ssize_t n;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return -errno;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	r = -posix_spawn(&pid, argv[0], &fa, NULL, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	close(fds[1]);
	while (r == 0) {
		if (*cap - *len < 65536) {
			char *p = *cap >= PKGDB_MAX_FILE ? NULL : realloc(*buf, *cap + 65536 + 1);

			if (!p)
				break;  /* the rest is not read: bounded */
			*buf = p;
			*cap += 65536;
		}
		n = read(fds[0], *buf + *len, *cap - *len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		*len += (size_t)n;
	}
	close(fds[0]);
	if (r == 0)
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	return r;
}

int pkgdb_resolve_rpm(struct pkgdb *db, const char *rpm, const char *dbpath)
{
	size_t nq = pkgdb_looked_up(db), len = 0, cap = 0, from = 0;
	char **argv, *out = NULL;
	int r = 0;

	if (!db->resolved || nq == 0)
		return 0;
	if (access(dbpath, F_OK) < 0 || access(rpm, X_OK) < 0)
		return -ENOENT;
	argv = calloc(nq + 8, sizeof(*argv));
	if (!argv)
		return -ENOMEM;
	argv[0] = (char *)rpm;
	argv[1] = (char *)"--dbpath";
	argv[2] = (char *)dbpath;
	argv[3] = (char *)"-qf";
	argv[4] = (char *)"--queryformat";
	argv[5] = (char *)"[%{FILENAMES}\t%{NAME}\n]";
	/* one call per 512 KiB of paths (one for any usual run) */
	while (r == 0 && from < db->n) {
		size_t k = 6, bytes = 0;

		for (; from < db->n && bytes < (512u << 10); from++)
			if (db->e[from].query) {
				argv[k++] = db->e[from].key;
				bytes += strlen(db->e[from].key) + 1;
			}
		argv[k] = NULL;
		if (k > 6)
			r = run_capture(argv, &out, &len, &cap);
	}
	free(argv);
	if (r == 0)
		r = pkgdb_feed_rpm(db, out ? out : "", len);
	free(out);
	return r;
}

const char *pkgdb_owner(const struct pkgdb *db, const char *path, size_t len)
{
	char key[PATH_MAX + 8];
	const struct entry *e;

	if (!db || len == 0 || memchr(path, '\0', len) ||
	    !canon(db->aliases, path, len, key, sizeof(key)))
		return NULL;
	e = find(db, key);
	return e && e->query ? e->result : NULL;
}

size_t pkgdb_capped(const struct pkgdb *db)
{
	return db->capped;
}

size_t pkgdb_looked_up(const struct pkgdb *db)
{
	size_t n = 0;

	for (size_t i = 0; i < db->n; i++)
		n += db->e[i].query;
	return n;
}

size_t pkgdb_unreadable(const struct pkgdb *db)
{
	return db->unreadable;
}
