/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The findings of `procexe restart`, shared by the commands that judge
 * processes the way it does (restart, metrics): one (process, file) pair
 * per deleted, replaced or modified file the process runs or maps, per
 * fileless code region, and one row per process not fully read, grouped
 * by systemd unit, session or container (restart-group.h).  The one
 * verdict (procexe_proc_attention()) decides which processes are judged.
 */
#ifndef PROCEXE_RESTART_COLLECT_H
#define PROCEXE_RESTART_COLLECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "procexe.h"

#include "output.h"
#include "restart-group.h"

struct summary;
struct pkgdb;

/* In this order in the sorted findings. */
enum restart_category { CAT_RESTART, CAT_FILELESS, CAT_INCOMPLETE };
enum restart_ftype { FT_EXE, FT_LIB, FT_DATA, FT_SCRIPT, FT_NONE };

/* "restart", "fileless", "incomplete"; "exe", "lib", "data", "script" (FT_NONE
 * has none). */
extern const char *const restart_category_names[3];
extern const char *const restart_type_names[4];

/* The group of one process, shared by its findings. */
struct pgroup {
	enum group_type type;
	char *name;             /* raw bytes, NUL-terminated; NULL for GROUP_NONE */
};

/*
 * What the rows show of a process that has findings, copied from its
 * record (which the scan frees at once): memory grows with the processes
 * listed, not with those read.
 */
struct rproc {
	pid_t pid, ppid;        /* ppid -1: unknown */
	uid_t uid;              /* -1: unknown */
	char *comm;             /* raw bytes, NUL-terminated; NULL: unknown */
	char *cgroup;           /* raw bytes; NULL: unknown or not kept (kept with
	                           keep_cgroup, and for a container's process) */
	struct pgroup group;
};

/* One (process, file) pair worth a row. */
struct finding {
	enum restart_category cat;
	const struct pgroup *group;     /* &proc->group */
	const struct rproc *proc;
	const char *reason;     /* static */
	enum restart_ftype type;
	char *file;             /* raw path, NUL-terminated (owned) */
	size_t file_len;
	bool have_id;
	uint64_t dev, ino;
	/* restart_packages(): the owning package(s) (owned by the set's
	 * pkgdb), NULL when none, unknown or not a path of the host's root */
	const char *package;
};

/* Counts of one run, for the summaries and the exit status. */
struct tally {
	size_t nrestart, nfileless;     /* processes */
	size_t nfindings;               /* rows of category restart: findings (exit 1) */
	struct unseen unseen;           /* as summary_add_seen() counts it */
};

/*
 * The findings of one run.  The caller sets the filter (IGNORE: globs the
 * set does not own; IGNORE_FILELESS), KEEP_CGROUP and REGROUP, and zeroes
 * the rest; restart_begin(), restart_add() and restart_end() fill the
 * rest, restart_set_free() frees what they allocated.
 */
struct restart_set {
	char **ignore;          /* --ignore globs (not freed here) */
	size_t nignore;
	bool ignore_fileless;
	bool keep_cgroup;       /* copy the cgroup path into rproc (a CGROUP column) */
	/*
	 * Optional: called for each process judged whose cgroup gives
	 * GROUP_NONE; it may set *G (a name it allocates with malloc, freed
	 * with the set).  Used without systemd for the SysV services.
	 */
	void (*regroup)(const struct procexe_proc *proc, struct pgroup *g, void *arg);
	void *regroup_arg;

	struct finding *findings;       /* sorted (restart_end()): category, group, PID,
	                                   type, file */
	size_t n, cap;
	struct rproc **procs;           /* the processes the findings point to */
	size_t nprocs, procs_cap;
	size_t nignored, nfileless_ignored;
	struct unseen_log unseen;       /* what was not seen, for unseen_log_report() */
	struct pkgdb *pkgdb;            /* restart_packages(), NULL before */
};

/*
 * Judging a scan's records one at a time (procexe_scan_each() made with
 * restart_detail_states() and the maps of restart_maps_flags()):
 * restart_begin() before the first, restart_add() for each record in the
 * order the scan hands them out, restart_end() after the last.  PIDS/NPIDS:
 * the PIDs named on the command line (NULL, 0: the whole host; borrowed,
 * they must outlive SET); a named PID the kernel denied counts as
 * unreadable.  restart_add() counts PROC into SUM (summary_init()ed) and
 * copies what its rows need: PROC stays the caller's.  restart_end() sorts
 * the findings and counts the run into SUM and T (zeroed): VANISHED is the
 * scan's count of PIDs confirmed gone; SUM->exit_status: 1 when something
 * must restart, else 3 when anything was not seen, else 0.
 */
void restart_begin(struct restart_set *set, const pid_t *pids, size_t npids);
void restart_add(struct restart_set *set, const struct procexe_proc *proc, struct summary *sum);
void restart_end(struct restart_set *set, size_t vanished, struct summary *sum, struct tally *t);

void restart_set_free(struct restart_set *set);

/*
 * Set the package of every finding of category restart whose file is a
 * path of the host's root: its process has the reader's root and mount
 * namespace, or the reader's root and, in its own mount namespace, the
 * host's directory at the file's directory name (a service with private
 * mounts; not a mount of its own over that name).  One
 * lookup of the dpkg database under ADMINDIR for all of them (none when
 * there are none).  PROCFS: the procfs read (NULL: /proc).  TRY_RPM:
 * without a dpkg database, ask rpm (pkgdb_resolve_rpm()).  0, or a
 * negative errno of the lookup (-ENOENT: no package database).
 */
int restart_packages(struct restart_set *set, const char *procfs, const char *admindir,
                     bool try_rpm);

/* The end (exclusive) of the run of SET's sorted findings from FROM (<
 * SET->n) that share its category and group (type and name). */
size_t restart_group_end(const struct restart_set *set, size_t from);

/* The states argument of procexe_scan() for restart's judgement. */
unsigned restart_detail_states(void);

/* procexe_ctx_set_maps() flags: executable mappings, with ALL_MAPPINGS
 * also the others; MAPS_TEXT: read the maps text. */
unsigned restart_maps_flags(bool all_mappings, bool maps_text);

#endif /* PROCEXE_RESTART_COLLECT_H */
