/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The SysV init service of a process, for `procexe restart` on hosts whose
 * PID 1 is not systemd: the scripts of /etc/init.d, the pidfiles they name
 * (and the usual /run/NAME.pid, /run/NAME/NAME.pid, /run/NAME/pid), and the
 * process tree up to the direct child of PID 1.
 *
 * sysv_script_parse() and sysv_lookup() are pure (the process tree comes
 * through callbacks); sysv_map_read() and init_is_systemd() read below a
 * root directory ("/" in the command, a fake layout in the tests).
 */
#ifndef PROCEXE_RESTART_SYSV_H
#define PROCEXE_RESTART_SYSV_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define SYSV_MAX_PIDFILES 16
#define SYSV_MAX_DAEMONS 8

/* One script of /etc/init.d. */
struct sysv_service {
	char *name;                             /* the script's file name */
	char *pidfiles[SYSV_MAX_PIDFILES];      /* absolute paths the script names */
	size_t npidfiles;
	char *daemons[SYSV_MAX_DAEMONS];        /* base names of its programs */
	size_t ndaemons;
};

/* A pidfile read: the PID it holds, its owner, the service naming it. */
struct sysv_pid {
	pid_t pid;
	uid_t owner;
	size_t service;
};

struct sysv_map {
	struct sysv_service *services;
	size_t nservices;
	struct sysv_pid *pids;
	size_t npids;
};

/*
 * Fill SVC's pidfiles and daemons (SVC->name set, the rest zeroed) from
 * the script TEXT (N bytes): every literal path under /run/ or /var/run/
 * ending in ".pid", and the program of each "DAEMON=/path", "--exec /path"
 * and "--startas /path" (base name).  At most the SYSV_MAX_* first ones.
 * 0 or -ENOMEM.
 */
int sysv_script_parse(const char *text, size_t n, struct sysv_service *svc);

/* The PID of a pidfile's TEXT (N bytes): decimal, > 1, then a newline,
 * blanks or the end.  0 or -EINVAL. */
int sysv_pidfile_parse(const char *text, size_t n, pid_t *pid);

/* The process tree, as the caller sees it. */
struct sysv_tree {
	/* The parent of PID; <= 0 when unknown. */
	pid_t (*parent)(pid_t pid, void *arg);
	/* The owner of PID ((uid_t)-1 when unknown). */
	uid_t (*uid)(pid_t pid, void *arg);
	/* The comm of PID into BUF (SIZE bytes, NUL-terminated); false if unknown. */
	bool (*comm)(pid_t pid, char *buf, size_t size, void *arg);
	void *arg;
};

/*
 * The service of PID, or NULL: the first of PID and its ancestors (below
 * PID 1, at most 64 levels) that a pidfile names (a pidfile owned by root
 * or by the process's owner: anyone else's is not believed); else the
 * service whose name, or one of whose programs, is the comm of the
 * ancestor that is a direct child of PID 1.  The name points into M.
 */
const char *sysv_lookup(const struct sysv_map *m, pid_t pid, const struct sysv_tree *tree);

/*
 * The scripts of ROOT/etc/init.d and the pidfiles they name, read below
 * ROOT (a pidfile at /var/run/X also looked for at /run/X and the other
 * way round).  Scripts and pidfiles that are symlinks or not regular files
 * are not read (a script's name still counts).  0 (an empty map when
 * there is no /etc/init.d) or -ENOMEM.
 */
int sysv_map_read(const char *root, struct sysv_map *m);

void sysv_map_free(struct sysv_map *m);

/* *T reads the tree from PROCFS ("/proc"): PROCFS/PID/stat for the parent
 * and comm, the owner of PROCFS/PID.  PROCFS must outlive T. */
void sysv_tree_procfs(struct sysv_tree *t, const char *procfs);

/* Whether the host runs systemd: ROOT/run/systemd/system is a directory
 * (as sd_booted() decides) or ROOT/proc/1/comm is "systemd". */
bool init_is_systemd(const char *root);

#endif /* PROCEXE_RESTART_SYSV_H */
