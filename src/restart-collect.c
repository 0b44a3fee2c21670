/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The findings of `procexe restart` (restart-collect.h): which processes
 * must restart and why.  A process must when its executable, a file it
 * maps executable (a library, the ELF interpreter) or the script an
 * interpreter runs was deleted, replaced or modified after it started; code that never had a file (memfd JITs,
 * runc's memfd clone) is a finding of its own category (fileless) and does
 * not make a restart needed; a process procexe could not fully read is in
 * the category incomplete.  Nothing from the scanned processes is executed.
 */
#include <errno.h>
#include <fnmatch.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "procexe.h"

#include "cli.h"
#include "output.h"
#include "pkgdb.h"
#include "restart-collect.h"
#include "restart-group.h"
#include "summary.h"

const char *const restart_category_names[3] = { "restart", "fileless", "incomplete" };
const char *const restart_type_names[4] = { "exe", "lib", "data", "script" };

static bool ignored(struct restart_set *rs, const char *file)
{
	for (size_t i = 0; file && i < rs->nignore; i++)
		if (fnmatch(rs->ignore[i], file, 0) == 0)
			return true;
	return false;
}

static void add_finding(struct restart_set *rs, const struct finding *f)
{
	if (f->cat == CAT_FILELESS && rs->ignore_fileless) {
		rs->nfileless_ignored++;
		free(f->file);
		return;
	}
	if (ignored(rs, f->file)) {
		rs->nignored++;
		free(f->file);
		return;
	}
	if (rs->n == rs->cap) {
		rs->cap = rs->cap ? rs->cap * 2 : 64;
		rs->findings = xreallocarray(rs->findings, rs->cap, sizeof(*rs->findings));
	}
	rs->findings[rs->n++] = *f;
}

/* Why the executable makes PROC need a restart (or is fileless); NULL if not. */
static const char *exe_reason(const struct procexe_proc *proc, enum restart_category *cat)
{
	enum procexe_state s = procexe_proc_state(proc);

	/* the names are the library's: the state's, else the flag's */
	*cat = s == PROCEXE_STATE_FILELESS ? CAT_FILELESS : CAT_RESTART;
	switch (s) {
	case PROCEXE_STATE_DELETED:
	case PROCEXE_STATE_REPLACED:
	case PROCEXE_STATE_UNLINKED:
	case PROCEXE_STATE_FILELESS:
		return procexe_state_name(s);
	default:
		break;
	}
	if (procexe_proc_flags(proc) & PROCEXE_PF_MODIFIED)
		return procexe_pf_name(PROCEXE_PF_MODIFIED);
	return NULL;
}

static void collect_exe(struct restart_set *rs, const struct procexe_proc *proc,
                        const struct rproc *rp)
{
	struct procexe_image img = { .sz = sizeof(img) };
	struct finding f = { .group = &rp->group, .proc = rp, .type = FT_EXE };

	f.reason = exe_reason(proc, &f.cat);
	if (!f.reason || procexe_proc_image(proc, false, &img) < 0)
		return;
	/* A path the kernel cannot render (ENAMETOOLONG) is unknown: the
	 * finding stays, with no PATH. */
	if (img.launch_path) {
		f.file = xcheck(strndup(img.launch_path, img.launch_path_len));
		f.file_len = strlen(f.file);
	}
	/* Loader programs carry dev:ino from maps even without stat. */
	f.have_id = img.have_stat || (procexe_proc_flags(proc) & PROCEXE_PF_LOADER);
	f.dev = img.dev;
	f.ino = img.ino;
	add_finding(rs, &f);
}

static void collect_maps(struct restart_set *rs, const struct procexe_proc *proc,
                         const struct rproc *rp)
{
	size_t n = procexe_proc_mapping_count(proc);

	for (size_t i = 0; i < n; i++) {
		struct procexe_mapping m = { .sz = sizeof(m) };
		struct finding f = { .group = &rp->group, .proc = rp };

		if (procexe_proc_mapping(proc, i, &m) < 0)
			continue;
		switch (m.state) {
		case PROCEXE_MAP_DELETED:
		case PROCEXE_MAP_REPLACED:
		case PROCEXE_MAP_MODIFIED:
			f.cat = CAT_RESTART;
			break;
		case PROCEXE_MAP_FILELESS:
			f.cat = CAT_FILELESS;
			break;
		default:
			continue;
		}
		f.reason = procexe_map_state_name(m.state);
		f.type = (m.flags & PROCEXE_MF_SCRIPT) ? FT_SCRIPT :
		         (m.flags & PROCEXE_MF_EXEC) ? FT_LIB : FT_DATA;
		f.file = xcheck(strndup(m.path, m.path_len));
		f.file_len = m.path_len;
		/* a deleted script: nothing stands there, no identity */
		f.have_id = m.ino != 0 || !(m.flags & PROCEXE_MF_SCRIPT);
		f.dev = m.dev;
		f.ino = m.ino;
		add_finding(rs, &f);
	}
}

/* A row for a process not fully read (REASON: see unseen_reason()). */
static void collect_incomplete(struct restart_set *rs, const struct rproc *rp,
                               const char *reason)
{
	if (rs->n == rs->cap) {
		rs->cap = rs->cap ? rs->cap * 2 : 64;
		rs->findings = xreallocarray(rs->findings, rs->cap, sizeof(*rs->findings));
	}
	rs->findings[rs->n++] = (struct finding){
		.cat = CAT_INCOMPLETE, .group = &rp->group, .proc = rp,
		.reason = reason, .type = FT_NONE,
	};
}

static int cmp_bytes(const char *a, size_t alen, const char *b, size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);

	return c ? c : (alen > blen) - (alen < blen);
}

static int cmp_finding(const void *pa, const void *pb)
{
	const struct finding *a = pa, *b = pb;
	pid_t pida = a->proc->pid, pidb = b->proc->pid;
	int c;

	if (a->cat != b->cat)
		return a->cat < b->cat ? -1 : 1;
	if (a->group->type != b->group->type)
		return a->group->type < b->group->type ? -1 : 1;
	if (a->group->name && b->group->name) {
		c = strcmp(a->group->name, b->group->name);
		if (c)
			return c;
	}
	if (pida != pidb)
		return pida < pidb ? -1 : 1;
	if (a->type != b->type)
		return a->type < b->type ? -1 : 1;
	if (!a->file || !b->file)
		return (a->file != NULL) - (b->file != NULL);
	return cmp_bytes(a->file, a->file_len, b->file, b->file_len);
}

unsigned restart_detail_states(void)
{
	return (1u << PROCEXE_STATE_DELETED) | (1u << PROCEXE_STATE_REPLACED) |
	       (1u << PROCEXE_STATE_UNLINKED) | (1u << PROCEXE_STATE_FILELESS) |
	       PROCEXE_DETAILS_IF_MODIFIED | PROCEXE_DETAILS_IF_MAPPINGS;
}

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

static void rproc_free(struct rproc *rp)
{
	if (!rp)
		return;
	free(rp->comm);
	free(rp->cgroup);
	free(rp->group.name);
	free(rp);
}

/* The copy of PROC its rows need, with its group; aborts without memory. */
static struct rproc *rproc_new(const struct restart_set *rs, const struct procexe_proc *proc)
{
	struct rproc *rp = xcheck(calloc(1, sizeof(*rp)));
	const char *cg = procexe_proc_cgroup(proc);

	rp->pid = procexe_proc_pid(proc);
	rp->ppid = procexe_proc_ppid(proc);
	rp->uid = procexe_proc_uid(proc);
	rp->comm = dup_or_null(procexe_proc_comm(proc));
	rp->group.type = GROUP_NONE;
	if (cg && group_from_cgroup(cg, strlen(cg), &rp->group.type, &rp->group.name) < 0)
		errx_("%s", strerror(ENOMEM));
	/* a container's cgroup names it: the engine's name is looked up by it */
	if (rs->keep_cgroup || rp->group.type == GROUP_CONTAINER)
		rp->cgroup = dup_or_null(cg);
	if (rp->group.type == GROUP_NONE && rs->regroup)
		rs->regroup(proc, &rp->group, rs->regroup_arg);
	return rp;
}

void restart_begin(struct restart_set *set, const pid_t *pids, size_t npids)
{
	unseen_log_init(&set->unseen, pids, npids);
}

/* The findings of PROC if the one verdict flags it; its copy is kept when
 * it has any. */
void restart_add(struct restart_set *rs, const struct procexe_proc *proc, struct summary *sum)
{
	struct rproc *rp;
	size_t before = rs->n;
	const char *why;

	summary_add_seen(sum, &rs->unseen, proc, true);
	if (procexe_proc_state(proc) == PROCEXE_STATE_DENIED)
		return;
	/* The one verdict decides which processes have rows. */
	if (!procexe_proc_attention(proc))
		return;
	rp = rproc_new(rs, proc);
	why = unseen_reason(proc, true);
	if (why)
		collect_incomplete(rs, rp, why);
	collect_exe(rs, proc, rp);
	collect_maps(rs, proc, rp);
	if (rs->n == before) {
		rproc_free(rp);
		return;
	}
	if (rs->nprocs == rs->procs_cap) {
		rs->procs_cap = rs->procs_cap ? rs->procs_cap * 2 : 64;
		rs->procs = xreallocarray(rs->procs, rs->procs_cap, sizeof(*rs->procs));
	}
	rs->procs[rs->nprocs++] = rp;
}

/* Sort the findings and count rows and processes of each category. */
static void sort_and_count(struct restart_set *rs, struct tally *t)
{
	pid_t last_restart = -1, last_fileless = -1;

	if (rs->n)
		qsort(rs->findings, rs->n, sizeof(*rs->findings), cmp_finding);
	for (size_t i = 0; i < rs->n; i++) {
		pid_t pid = rs->findings[i].proc->pid;

		if (rs->findings[i].cat == CAT_RESTART)
			t->nfindings++;
		/* Sorted by category, then PID within a group: count processes. */
		if (rs->findings[i].cat == CAT_RESTART && pid != last_restart) {
			t->nrestart++;
			last_restart = pid;
		} else if (rs->findings[i].cat == CAT_FILELESS && pid != last_fileless) {
			t->nfileless++;
			last_fileless = pid;
		}
	}
}

void restart_end(struct restart_set *set, size_t vanished, struct summary *sum, struct tally *t)
{
	sort_and_count(set, t);
	summary_end_scan(sum, &set->unseen, vanished);
	t->unseen = sum->unseen;
	sum->flagged = t->nfindings;
	sum->exit_status = t->nrestart > 0 ? EXIT_FOUND :
	                   summary_complete(sum) ? EXIT_OK : EXIT_INCOMPLETE;
}

void restart_set_free(struct restart_set *set)
{
	for (size_t i = 0; i < set->n; i++)
		free(set->findings[i].file);
	free(set->findings);
	for (size_t i = 0; i < set->nprocs; i++)
		rproc_free(set->procs[i]);
	free(set->procs);
	unseen_log_free(&set->unseen);
	pkgdb_free(set->pkgdb);
	set->pkgdb = NULL;
	set->findings = NULL;
	set->procs = NULL;
	set->n = set->cap = set->nprocs = set->procs_cap = 0;
}

unsigned restart_maps_flags(bool all_mappings, bool maps_text)
{
	return PROCEXE_MAPS_EXEC | (all_mappings ? PROCEXE_MAPS_DATA : 0) |
	       (maps_text ? PROCEXE_MAPS_TEXT : 0);
}

static bool same_group(const struct finding *a, const struct finding *b)
{
	return a->cat == b->cat && a->group->type == b->group->type &&
	       (a->group->name == b->group->name ||
	        (a->group->name && b->group->name && strcmp(a->group->name, b->group->name) == 0));
}

size_t restart_group_end(const struct restart_set *set, size_t from)
{
	size_t i = from;

	while (++i < set->n && same_group(&set->findings[from], &set->findings[i]))
		;
	return i;
}
