/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * procexe explain [-J] PID: how the kernel answers /proc/PID/exe for one
 * process, step by step, in plain words, with the facts it rests on, the
 * files it maps, and the one verdict procexe_proc_attention() gives.
 *
 * The account is built once as a list of steps (title + text) plus facts,
 * then printed as wrapped text or as JSON.  Bytes from the process (paths,
 * comm) are escaped with safe_text() inside the prose and written exactly
 * (under the JSON rules of escape.c) in the facts.  Each step names the
 * kernel function that does its part, so the walk can be followed in the
 * kernel source.  A fact procexe did not read is never stated.
 *
 * Exit status: 0 nothing needs attention, 1 something does, 2 usage or
 * operational error, 3 not seen whole (given up on, mapping list
 * incomplete with nothing found, or no such process).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <procexe.h>

#include "cli.h"
#include "commands.h"
#include "diagnose.h"
#include "json.h"
#include "summary.h"

#define MAX_STEPS 16
/* Mapped files named one by one in the prose; all are in the JSON. */
#define MAX_PROSE_MAPPINGS 12

#define SUFFIX " (deleted)"
#define SUFFIX_LEN (sizeof(SUFFIX) - 1)

/* The attention bits that mean "something was found" (exit 1). */
#define ATTN_FOUND (PROCEXE_ATTN_IMAGE | PROCEXE_ATTN_MODIFIED | PROCEXE_ATTN_MAPPED | \
                    PROCEXE_ATTN_MAPPED_FILELESS)

struct step {
	const char *title;
	char *text;
};

struct account {
	struct step steps[MAX_STEPS];
	size_t n;
};

/* What the account is built from; strings owned as marked. */
struct facts {
	const struct procexe_proc *p;
	const char *self_link;          /* borrowed; NULL when unreadable */
	struct procexe_image img;       /* the program (exe, or mapped by the loader) */
	struct procexe_image ld;        /* the loader, when loader-launched */
	enum procexe_state state;
	unsigned flags, attn;
	bool loader;
	bool given_up;                  /* image facts not read: state nothing about it */
	int pid;
	char *launch;                   /* owned: safe_text of the launch path, "" if none */
	char *where;                    /* owned: where the launch path was looked up */
};

static void __attribute__((format(printf, 3, 4)))
add_step(struct account *a, const char *title, const char *fmt, ...)
{
	va_list ap;
	char *text;

	if (a->n == MAX_STEPS)
		return;
	va_start(ap, fmt);
	if (vasprintf(&text, fmt, ap) < 0)
		errx_("out of memory");
	va_end(ap);
	a->steps[a->n].title = title;
	a->steps[a->n++].text = text;
}

/* True when TEXT (LEN bytes) ends in " (deleted)". */
static bool ends_deleted(const char *text, size_t len)
{
	return text && len >= SUFFIX_LEN && !memcmp(text + len - SUFFIX_LEN, SUFFIX, SUFFIX_LEN);
}

/* Mount point of mount ID in our own mountinfo (escaped as the kernel
 * escapes it: \040 for spaces); NULL when not found.  Caller frees. */
static char *mount_point(uint64_t id)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char *line = NULL, *res = NULL;
	size_t cap = 0;

	if (!f)
		return NULL;
	while (!res && getline(&line, &cap, f) > 0) {
		char *end, *sp;
		uint64_t v = strtoull(line, &end, 10);

		if (end == line || *end != ' ' || v != id)
			continue;
		/* fields: id parent major:minor root mountpoint ... */
		sp = end;
		for (int field = 0; sp && field < 3; field++)
			sp = strchr(sp + 1, ' ');
		if (sp) {
			char *stop = strchr(sp + 1, ' ');

			res = stop ? strndup(sp + 1, (size_t)(stop - sp - 1)) : NULL;
		}
	}
	free(line);
	fclose(f);
	return res;
}

/* The comm of PID as /proc/PID/comm gives it now, escaped; NULL when
 * unreadable.  Caller frees. */
static char *comm_of(pid_t pid)
{
	char path[64], buf[64];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	while (n && buf[n - 1] == '\n')
		n--;
	return n ? safe_text(buf, n) : NULL;
}

static const char *state_meaning(enum procexe_state s)
{
	switch (s) {
	case PROCEXE_STATE_OK:
		return "the name it was started through still reaches the very file that runs";
	case PROCEXE_STATE_DELETED:
		return "the file that runs has no name left anywhere; only the process keeps it alive";
	case PROCEXE_STATE_REPLACED:
		return "another file now stands at the name it was started through, as after an upgrade";
	case PROCEXE_STATE_UNLINKED:
		return "the name it was started through is gone, but the file still has another name";
	case PROCEXE_STATE_FILELESS:
		return "the program never had a name in any directory (memfd or O_TMPFILE)";
	case PROCEXE_STATE_REPOINTED:
		return "the exe link was changed after the program started and names a file it does not map";
	case PROCEXE_STATE_UNREACHABLE:
		return "its path cannot be checked from procexe's root nor from the process's own";
	case PROCEXE_STATE_DENIED:
		return "procexe may not look at this process";
	case PROCEXE_STATE_KERNEL:
		return "a kernel thread runs no program file";
	case PROCEXE_STATE_ZOMBIE:
		return "the process has exited (or is exiting) and has no address space left";
	default:
		return "";
	}
}

/* Append printf output to the string *S (NULL: start one). */
static void __attribute__((format(printf, 2, 3))) cat(char **s, const char *fmt, ...)
{
	va_list ap;
	char *more, *joined;

	va_start(ap, fmt);
	if (vasprintf(&more, fmt, ap) < 0)
		errx_("out of memory");
	va_end(ap);
	if (!*s) {
		*s = more;
		return;
	}
	joined = xasprintf("%s%s", *s, more);
	free(*s);
	free(more);
	*s = joined;
}

/* Did the kernel append " (deleted)" to IMG's text?  Only when procexe
 * proved it, by judging the name without it (launch_path is the text with
 * the suffix removed). */
static bool suffix_appended(const struct procexe_image *img)
{
	return ends_deleted(img->path, img->path_len) && img->launch_path &&
	       img->launch_path_len + SUFFIX_LEN == img->path_len;
}

/* A sentence on the " (deleted)" suffix of IMG's text (static string). */
static const char *suffix_note(const struct procexe_image *img)
{
	if (!img->path)
		return "";
	if (suffix_appended(img))
		return " The kernel appended \" (deleted)\" to it: d_path() does so when d_unlinked() "
		       "says the name the file was opened by has been removed.";
	if (ends_deleted(img->path, img->path_len))
		return " The text ends in \" (deleted)\", but procexe did not prove that the kernel "
		       "added it: those bytes may be part of the file's real name.";
	return " The kernel added no \" (deleted)\": the name the file was opened by is still "
	       "in its directory (d_unlinked() is false).";
}

static void step_find(struct account *a, const struct facts *f)
{
	add_step(a, "Finding the process",
	         "/proc/self is a symbolic link whose text the kernel computes for each reader "
	         "(proc_self_get_link(), fs/proc/self.c): for procexe it reads \"%s\", its own "
	         "process id in the pid namespace of this procfs. A name like /proc/%d is looked "
	         "up by proc_pid_lookup() (fs/proc/base.c), which finds the task by that number "
	         "in the same namespace. %s",
	         f->self_link ? f->self_link : "(unavailable)", f->pid,
	         f->given_up ? "procexe reads each process under a per-process deadline; what "
	                       "became of this one is told below."
	                     : "procexe opened that directory once and read everything through it: "
	                       "the handle stays bound to this very process, so if it exits and its "
	                       "number is reused, reads fail (ESRCH) instead of describing another "
	                       "process.");
}

/* The process has no exe to describe: kernel thread, zombie, denied. */
static void step_no_exe(struct account *a, const struct facts *f)
{
	pid_t ppid = procexe_proc_ppid(f->p);
	char *pcomm = NULL, *parent = NULL;

	switch (f->state) {
	case PROCEXE_STATE_KERNEL:
		add_step(a, "The exe link",
		         "readlink(/proc/PID/exe) fails with ENOENT for a kernel thread (EACCES for "
		         "unprivileged readers): proc_exe_link() asks get_task_exe_file(), which finds "
		         "no address space (mm) and so no mm->exe_file. procexe recognised it by the "
		         "PF_KTHREAD flag in /proc/PID/stat.");
		break;
	case PROCEXE_STATE_ZOMBIE:
		if (ppid > 0) {
			pcomm = comm_of(ppid);
			parent = xasprintf("its parent, process %d%s%s (the PPID in /proc/%d/stat)",
			                   (int)ppid, pcomm ? ", named " : "", pcomm ? pcomm : "",
			                   f->pid);
		} else {
			parent = xstrdup("its parent (procexe could not read which process that is)");
		}
		add_step(a, "The exe link",
		         "readlink(/proc/%d/exe) fails with ENOENT: proc_exe_link() asks "
		         "get_task_exe_file(), which finds no address space. When the process exited, "
		         "the last user of its mm dropped it and set_mm_exe_file(mm, NULL) released "
		         "mm->exe_file. Only its entry in the process table remains, until %s reaps "
		         "it with wait().",
		         f->pid, parent);
		break;
	default:
		add_step(a, "The exe link",
		         "readlink(/proc/PID/exe) failed with a permission error. proc_exe_link() lets "
		         "a reader see another process's exe link only if it may ptrace it in \"read\" "
		         "mode (ptrace_may_access()): same user and a dumpable process, or "
		         "CAP_SYS_PTRACE; security modules and hidepid= mount options can refuse too.");
		break;
	}
	add_step(a, "Verdict", "%s: %s.", procexe_state_name(f->state), state_meaning(f->state));
	free(parent);
	free(pcomm);
}

/* Procexe gave up on the process or could not read its image: say so,
 * and state no fact about the image. */
static void step_given_up(struct account *a, const struct facts *f)
{
	int err = procexe_proc_errno(f->p);

	if (err == ETIMEDOUT)
		add_step(a, "Verdict: not seen whole",
		         "procexe gave up on this process: reading it did not finish within the "
		         "per-process deadline (a few seconds). A read of its /proc files stayed blocked "
		         "in the kernel, typically on a hung network filesystem or on the process's "
		         "memory-map lock. procexe read nothing about its executable that it can vouch "
		         "for, so this account states no path, device, inode or verdict on it.");
	else
		add_step(a, "Verdict: not seen whole",
		         "procexe could not read this process's executable (%s), so this account states "
		         "no path, device, inode or verdict on it.",
		         err ? strerror(err) : "no reason given");
	add_step(a, "What you can do",
	         "Try again later. To see what the process waits on: cat /proc/%d/wchan, and as root "
	         "cat /proc/%d/stack.",
	         f->pid, f->pid);
}

static void step_exe_link(struct account *a, const struct facts *f)
{
	const struct procexe_image *e = f->loader ? &f->ld : &f->img;
	char *link = e->path ? safe_text(e->path, e->path_len) : NULL;

	if (link)
		add_step(a, "The exe link",
		         "readlink(/proc/%d/exe) returns \"%s\". proc_exe_link() (fs/proc/base.c) takes "
		         "the file from get_task_exe_file(), that is mm->exe_file, and d_path() "
		         "(fs/d_path.c) renders its name: it walks from the file's directory entry up "
		         "to the READER's root directory, so a chrooted or containerised process may "
		         "show a path that only makes sense from its own root.%s The text is never used "
		         "to open the file: open() and stat() on the link jump straight to the file the "
		         "kernel holds.",
		         f->pid, link, suffix_note(e));
	else if (f->flags & PROCEXE_PF_PATH_TOOLONG)
		add_step(a, "The exe link",
		         "readlink(/proc/%d/exe) fails with ENAMETOOLONG: d_path() renders into a "
		         "PATH_MAX (4096-byte) buffer and the path, with any \" (deleted)\" suffix, "
		         "does not fit. Following the link still works: open() and stat() never go "
		         "through the text.",
		         f->pid);
	else
		add_step(a, "The exe link",
		         "procexe could not read the text of /proc/%d/exe (proc_exe_link(), "
		         "get_task_exe_file()); following the link does not depend on it.",
		         f->pid);
	free(link);
}

static void step_reaches(struct account *a, const struct facts *f)
{
	const struct procexe_image *e = f->loader ? &f->ld : &f->img;
	char *raw, *mnt;

	if (!e->have_stat)
		return;
	raw = e->mnt_id ? mount_point(e->mnt_id) : NULL;
	mnt = raw ? safe_text(raw, strlen(raw)) : NULL;
	free(raw);
	add_step(a, "What the link reaches",
	         "stat() through the link reaches device %u:%u, inode %" PRIu64 ", with %" PRIu64
	         " link(s), %" PRIu64 " bytes, mode %04o, on mount %" PRIu64 "%s%s%s. That is the "
	         "file the kernel executed, whatever its name is now%s.",
	         major(e->dev), minor(e->dev), e->ino, e->nlink, e->size, e->mode & 07777,
	         e->mnt_id, mnt ? " (" : "", mnt ? mnt : " (not visible from procexe's root)",
	         mnt ? ")" : "",
	         f->loader ? ": the dynamic loader, not the program it then loaded" : "");
	free(mnt);
}

/* For a loader launch: the program, which the exe link does not name. */
static void step_program(struct account *a, const struct facts *f)
{
	const struct procexe_image *i = &f->img;
	char *text = i->path ? safe_text(i->path, i->path_len) : NULL, *id = NULL;

	if (i->dev || i->ino)
		id = xasprintf(" Its identity is device %u:%u, inode %" PRIu64 " (%s).",
		               major(i->dev), minor(i->dev), i->ino,
		               i->have_stat ? "stat() of the mapped file" : "as maps shows it");
	add_step(a, "The program",
	         "The program was started through the dynamic loader (\"ld.so PROGRAM\"): the "
	         "kernel executed the loader, which then opened the program and mapped it with "
	         "mmap() like a library. So the exe link names the loader, and procexe found the "
	         "program in /proc/%d/maps (and the command line)%s%s%s.%s%s Its mappings stay "
	         "reachable through /proc/%d/map_files/START-END, which proc_map_files_get_link() "
	         "follows to the very file the process maps (root or CAP_CHECKPOINT_RESTORE "
	         "needed). A program mapped this way is not write-protected.",
	         f->pid, text ? ", where its name reads \"" : "", text ? text : "",
	         text ? "\"" : "", text ? suffix_note(i) : "", id ? id : "", f->pid);
	free(text);
	free(id);
}

static void step_exec(struct account *a, const struct facts *f)
{
	add_step(a, "Where mm->exe_file came from",
	         "When the process called execve(), the kernel opened %s, and begin_new_exec() "
	         "(fs/exec.c) stored the open file in the new address space with set_mm_exe_file(): "
	         "that is mm->exe_file. That reference keeps the file alive as long as the process "
	         "runs, even after its last name is removed, and the kernel refuses to open it for "
	         "writing (ETXTBSY) meanwhile.",
	         f->loader ? "the dynamic loader (not the program)" : "the program file");
}

/* Verdicts on an image whose launch name was removed or replaced. */
static void verdict_gone(struct account *a, const struct facts *f)
{
	const struct procexe_image *i = &f->img;
	const char *what = f->loader ? "the program's name in maps" : "the exe link's text";
	char *said = suffix_appended(i) ? xasprintf("The kernel appended \" (deleted)\" to %s "
	                                            "because the name was unlinked. ", what)
	           : (f->flags & PROCEXE_PF_PATH_TOOLONG)
	                 ? xstrdup("The kernel could not render the path (ENAMETOOLONG), so procexe "
	                           "relied on the link count. ")
	                 : xstrdup("");

	if (f->state == PROCEXE_STATE_DELETED)
		add_step(a, "Verdict: deleted",
		         "%sprocexe looked up \"%s\" %s: nothing stands there, and the file has %s. "
		         "The program keeps running from the file the kernel holds, still reachable "
		         "through %s.",
		         said, f->launch, f->where,
		         i->have_stat && i->nlink == 0 ? "no links left (st_nlink is 0)"
		                                       : "no link procexe could prove",
		         f->loader ? "/proc/PID/map_files/ (proc_map_files_get_link())"
		                   : "/proc/PID/exe (proc_exe_link())");
	else if (f->state == PROCEXE_STATE_REPLACED)
		add_step(a, "Verdict: replaced",
		         "%sprocexe looked up \"%s\" %s and found a different file (another "
		         "device:inode): typically a package upgrade wrote the new version to a "
		         "temporary name and renamed it over the old one. The process still runs the "
		         "old file.",
		         said, f->launch, f->where);
	else if (i->have_stat && i->nlink != UINT64_MAX)
		add_step(a, "Verdict: unlinked",
		         "%sNothing stands at \"%s\" any more, yet the file still has %" PRIu64
		         " link(s): another hard link to it survives somewhere on the same filesystem.",
		         said, f->launch, i->nlink);
	else
		add_step(a, "Verdict: unlinked",
		         "%sNothing stands at \"%s\" any more, yet the file still has another link.",
		         said, f->launch);
	free(said);
}

static void verdict_other(struct account *a, const struct facts *f)
{
	switch (f->state) {
	case PROCEXE_STATE_OK:
		add_step(a, "Verdict: ok",
		         "procexe looked up \"%s\" %s and reached the same device and inode as the "
		         "%s.%s",
		         f->launch, f->where, f->loader ? "program procexe found in maps" : "link",
		         ends_deleted(f->img.path, f->img.path_len)
		                 ? " The text ends in \" (deleted)\" only because the file's real name "
		                   "ends that way: identity, not text, decides." : "");
		break;
	case PROCEXE_STATE_FILELESS:
		add_step(a, "Verdict: fileless",
		         "The link names \"%s\", a name the kernel makes up for a file that was never "
		         "linked into a directory: a memfd_create(2) file (\"/memfd:NAME\", whose "
		         "d_dname() supplies the text) or an O_TMPFILE file (\"DIR/#INODE\"). It has no "
		         "links. Legitimate users exist (runc, JIT engines); so does malware that never "
		         "touches the disk.",
		         f->launch);
		break;
	case PROCEXE_STATE_REPOINTED:
		add_step(a, "Verdict: repointed",
		         "The link reaches \"%s\", but that file does not appear in the process's "
		         "memory mappings (/proc/%d/maps). begin_new_exec() sets the exe link at "
		         "execve() time, but prctl(PR_SET_MM, PR_SET_MM_MAP or PR_SET_MM_EXE_FILE) can "
		         "change it later (replace_mm_exe_file()), once the original image is unmapped: "
		         "the link then proves nothing about the code that runs. Checkpoint/restore "
		         "tools (CRIU) do this legitimately.",
		         f->launch, f->pid);
		break;
	case PROCEXE_STATE_UNREACHABLE:
		add_step(a, "Verdict: unreachable",
		         "The text \"%s\" has no \" (deleted)\" suffix, so the name still exists in its "
		         "directory, but looking it up %s did not reach the file: it lives on a mount "
		         "that is hidden (overmounted), detached (umount -l) or part of a mount "
		         "namespace procexe cannot enter.",
		         f->launch, f->where);
		break;
	default:
		add_step(a, "Verdict", "%s.", state_meaning(f->state));
		break;
	}
}

static void step_verdict(struct account *a, const struct facts *f)
{
	if (f->state == PROCEXE_STATE_DELETED || f->state == PROCEXE_STATE_REPLACED ||
	    f->state == PROCEXE_STATE_UNLINKED)
		verdict_gone(a, f);
	else
		verdict_other(a, f);
	if (f->flags & PROCEXE_PF_MODIFIED)
		add_step(a, "Also: modified",
		         "The file's modification or status-change time is later than the process's "
		         "start and than its last read: its content may no longer be what the process "
		         "loaded (writes are refused while it runs as the main executable, but not "
		         "through a loader, on overlayfs lower layers or network filesystems).");
}

/* One mapped file in prose: "NAME" (device M:m, inode I): VERDICT. */
static void cat_mapping(char **s, const struct procexe_mapping *m)
{
	char *name = safe_text(m->path, m->path_len);
	const char *verdict;

	switch (m->state) {
	case PROCEXE_MAP_DELETED:
		verdict = "deleted";
		break;
	case PROCEXE_MAP_REPLACED:
		verdict = "replaced by another file";
		break;
	case PROCEXE_MAP_MODIFIED:
		verdict = "modified after the process started";
		break;
	case PROCEXE_MAP_FILELESS:
		verdict = (m->flags & PROCEXE_MF_EXEC) ? "code with no file (memfd or similar)"
		                                       : "data with no file";
		break;
	case PROCEXE_MAP_UNKNOWN:
		verdict = "could not be verified";
		break;
	default:
		verdict = "unchanged";
		break;
	}
	if (m->flags & PROCEXE_MF_SCRIPT)
		cat(s, " the script \"%s\" named on its command line (the interpreter holds "
		    "nothing of it: judged by the file standing at that name now): %s%s%s;", name,
		    verdict, m->err ? ", " : "", m->err ? strerror(m->err) : "");
	else
		cat(s, " \"%s\" (device %u:%u, inode %" PRIu64 "): %s%s%s;", name, major(m->dev),
		    minor(m->dev), m->ino, verdict, m->err ? ", " : "", m->err ? strerror(m->err) : "");
	free(name);
}

static void step_mappings(struct account *a, const struct facts *f)
{
	size_t n = procexe_proc_mapping_count(f->p);
	char *list = NULL;

	if (n == 0) {
		if (!procexe_proc_maps_errno(f->p))
			add_step(a, "The mapped files",
			         "procexe read /proc/%d/maps (show_map_vma() writes each line, naming the "
			         "file with d_path(), \" (deleted)\" included) and judged every file the "
			         "process maps executable%s, as procexe restart does: none was deleted, "
			         "replaced or modified, and no code without a file is mapped.",
			         f->pid, f->loader ? " besides the program" : "");
		return;
	}
	for (size_t i = 0; i < n && i < MAX_PROSE_MAPPINGS; i++) {
		struct procexe_mapping m = { .sz = sizeof(m) };

		if (procexe_proc_mapping(f->p, i, &m) == 0)
			cat_mapping(&list, &m);
	}
	if (n > MAX_PROSE_MAPPINGS)
		cat(&list, " and %zu more (procexe explain -J lists them all);",
		    n - MAX_PROSE_MAPPINGS);
	if (!list)
		return;
	list[strlen(list) - 1] = '.';
	add_step(a, "The mapped files",
	         "procexe read /proc/%d/maps (show_map_vma() writes each line, naming the file with "
	         "d_path(), which appends \" (deleted)\" for an unlinked name) and judged every file "
	         "the process maps executable, as procexe restart does. %zu need%s a word:%s A "
	         "deleted, replaced or modified library stays mapped: the process runs the old code "
	         "until it restarts. Each mapping stays reachable through /proc/%d/map_files/"
	         "START-END, which proc_map_files_get_link() follows to the very file (root or "
	         "CAP_CHECKPOINT_RESTORE needed).",
	         f->pid, n, n == 1 ? "s" : "", list, f->pid);
	free(list);
}

static const char *maps_reason(int err)
{
	switch (err) {
	case E2BIG:
	case EFBIG:
		return "the process maps more files than procexe keeps for one process; the first "
		       "ones were judged";
	case ENAMETOOLONG:
		return "the name of a mapped file was too long to read";
	case ETIMEDOUT:
		return "the per-process deadline passed while procexe was reading them";
	case EIO:
		return "the kernel listed no mapping at all while the process still had its "
		       "executable";
	default:
		return NULL;
	}
}

static void step_maps_incomplete(struct account *a, const struct facts *f)
{
	int err = procexe_proc_maps_errno(f->p);
	const char *why = maps_reason(err);

	if (!err)
		return;
	add_step(a, "The mapped files: incomplete",
	         "procexe could not judge every file this process maps: %s%s%s. What it did judge "
	         "is told here; files beyond it were not seen.",
	         why ? why : "/proc/PID/maps could not be read (", why ? "" : strerror(err),
	         why ? "" : ")");
}

static void step_conclusion(struct account *a, const struct facts *f)
{
	char *s = NULL;

	if (!(f->attn & ATTN_FOUND)) {
		add_step(a, "Conclusion", "%s",
		         f->state == PROCEXE_STATE_DENIED
		             ? "procexe may not look at this process, so it cannot say whether "
		               "anything about it needs attention."
		         : (f->attn & PROCEXE_ATTN_INCOMPLETE)
		             ? "Nothing procexe saw needs attention, but it did not see the process "
		               "whole (see above): it cannot say that nothing is amiss."
		             : "Nothing is amiss: procexe found nothing about this process that needs "
		               "attention.");
		return;
	}
	cat(&s, "This process needs attention:");
	if (f->attn & PROCEXE_ATTN_IMAGE)
		cat(&s, " its image is %s;", procexe_state_name(f->state));
	if (f->attn & PROCEXE_ATTN_MODIFIED)
		cat(&s, " its image was written after it started;");
	if (f->attn & PROCEXE_ATTN_MAPPED)
		cat(&s, " it maps a file that was deleted, replaced or modified since, so it must "
		        "restart to run current code;");
	if (f->attn & PROCEXE_ATTN_MAPPED_FILELESS)
		cat(&s, " it maps code that has no file;");
	if (f->attn & PROCEXE_ATTN_INCOMPLETE)
		cat(&s, " and it was not seen whole;");
	s[strlen(s) - 1] = '.';
	add_step(a, "Conclusion", "%s", s);
	free(s);
}

/* Advice on the image (NULL when none); appended to *S. */
static void cat_image_advice(char **s, const struct facts *f)
{
	switch (f->state) {
	case PROCEXE_STATE_DELETED:
	case PROCEXE_STATE_UNLINKED:
	case PROCEXE_STATE_REPLACED:
	case PROCEXE_STATE_FILELESS:
		cat(s, " Recover the running file while the process lives: procexe recover %d copies "
		       "it out (through %s), checks that the copy is the file that runs and keeps it "
		       "with mode 0400; hash it before trusting it. %s",
		    f->pid, f->loader ? "/proc/PID/map_files/" : "/proc/PID/exe",
		    f->state == PROCEXE_STATE_REPLACED ? "To run the new version, restart the process "
		                                         "or its service."
		    : f->state == PROCEXE_STATE_FILELESS ? "Find who created it: its parent (PPID) and "
		                                           "command line."
		    : "If the file was removed by mistake, put the recovered copy back.");
		break;
	case PROCEXE_STATE_UNREACHABLE:
		cat(s, " Look from the process's own view: ls -l /proc/%d/root%s, or enter its mount "
		       "namespace (nsenter -t %d -m). procexe recover %d still copies the file: it "
		       "follows the link, not its text.",
		    f->pid, f->launch, f->pid, f->pid);
		break;
	case PROCEXE_STATE_REPOINTED:
		cat(s, " Inspect the executable mappings in /proc/%d/maps (anonymous ones especially) "
		       "and where the process came from (PPID, command line).",
		    f->pid);
		break;
	case PROCEXE_STATE_DENIED:
		cat(s, " procexe was refused: %s.", denial_advice());
		break;
	case PROCEXE_STATE_ZOMBIE:
		cat(s, " A zombie cannot be killed: it is already dead. Its parent must reap it; if "
		       "the parent never does, ending the parent hands the zombie to init (or a "
		       "subreaper), which reaps it.");
		break;
	default:
		break;
	}
}

static void step_next(struct account *a, const struct facts *f)
{
	char *s = NULL;

	cat_image_advice(&s, f);
	if (f->attn & PROCEXE_ATTN_MAPPED)
		cat(&s, " procexe recover --libs %d also copies the mapped files, through "
		        "/proc/%d/map_files/. procexe restart %d names what to restart so that the "
		        "process loads the current files.",
		    f->pid, f->pid, f->pid);
	if (f->attn & PROCEXE_ATTN_MAPPED_FILELESS)
		cat(&s, " Find who mapped code without a file: /proc/%d/maps shows where, the parent "
		        "(PPID) and command line show who.",
		    f->pid);
	if (procexe_proc_maps_errno(f->p) == ETIMEDOUT)
		cat(&s, " Run procexe explain %d again later to see what was missed.", f->pid);
	if (s)
		add_step(a, "What you can do", "%s", s + 1);
	free(s);
}

/* Fill F from P: the images, the verdict, the strings the steps use. */
static void facts_load(struct facts *f, const struct procexe_proc *p, const char *self_link)
{
	const char *root = procexe_proc_root(p);

	*f = (struct facts){ .p = p, .self_link = self_link };
	f->img.sz = sizeof(f->img);
	f->ld.sz = sizeof(f->ld);
	f->state = procexe_proc_state(p);
	f->flags = procexe_proc_flags(p);
	f->attn = procexe_proc_attention(p);
	f->loader = f->flags & PROCEXE_PF_LOADER;
	f->pid = (int)procexe_proc_pid(p);
	procexe_proc_image(p, false, &f->img);
	if (f->loader && procexe_proc_image(p, true, &f->ld) < 0)
		f->loader = false;
	f->given_up = (f->state == PROCEXE_STATE_UNREACHABLE &&
	               procexe_proc_errno(p) == ETIMEDOUT) ||
	              ((f->attn & PROCEXE_ATTN_INCOMPLETE) && !f->img.have_stat &&
	               !(f->loader && (f->img.dev || f->img.ino)) &&
	               f->state != PROCEXE_STATE_DENIED && f->state != PROCEXE_STATE_ZOMBIE &&
	               f->state != PROCEXE_STATE_KERNEL);
	f->launch = f->img.launch_path ? safe_text(f->img.launch_path, f->img.launch_path_len)
	                               : xstrdup("");
	if (root) {
		char *sroot = safe_text(root, strlen(root));

		f->where = xasprintf("inside the process's root (%s), with openat2(RESOLVE_IN_ROOT)",
		                     sroot);
		free(sroot);
	} else {
		f->where = xstrdup("from the root directory the kernel rendered the text for");
	}
}

static void build(struct account *a, const struct facts *f)
{
	step_find(a, f);
	if (f->given_up) {
		step_given_up(a, f);
		return;
	}
	if (f->state == PROCEXE_STATE_KERNEL || f->state == PROCEXE_STATE_ZOMBIE ||
	    f->state == PROCEXE_STATE_DENIED) {
		step_no_exe(a, f);
	} else {
		step_exe_link(a, f);
		step_reaches(a, f);
		if (f->loader)
			step_program(a, f);
		step_exec(a, f);
		step_verdict(a, f);
		step_mappings(a, f);
	}
	step_maps_incomplete(a, f);
	step_conclusion(a, f);
	step_next(a, f);
}

/* The exit status: the one verdict, procexe_proc_attention(). */
static int explain_status(const struct facts *f)
{
	if (f->given_up)
		return EXIT_INCOMPLETE;
	if (f->attn & ATTN_FOUND)
		return EXIT_FOUND;
	return (f->attn & PROCEXE_ATTN_INCOMPLETE) ? EXIT_INCOMPLETE : EXIT_OK;
}

/* Print TEXT wrapped at 78 columns, indented by 3 spaces. */
static void print_wrapped(const char *text)
{
	const int width = 78, indent = 3;
	int col = 0;

	for (const char *w = text; *w;) {
		size_t len = strcspn(w, " ");

		if (col && col + 1 + (int)len > width) {
			fputc('\n', stdout);
			col = 0;
		}
		if (col == 0)
			col = printf("%*s", indent, "");
		else
			col += printf(" ");
		col += printf("%.*s", (int)len, w);
		w += len;
		while (*w == ' ')
			w++;
	}
	fputc('\n', stdout);
}

static void print_text(const struct account *a, const struct facts *f)
{
	const char *comm = procexe_proc_comm(f->p);
	char *scomm = comm ? safe_text(comm, strlen(comm)) : xstrdup("?");

	if (f->given_up)
		printf("Process %d (%s): not seen whole\n", f->pid, scomm);
	else
		printf("Process %d (%s): %s%s%s\n", f->pid, scomm, procexe_state_name(f->state),
		       (f->flags & PROCEXE_PF_MODIFIED) ? ", modified" : "",
		       (f->attn & PROCEXE_ATTN_MAPPED) ? ", mapped files to restart" : "");
	free(scomm);
	for (size_t i = 0; i < a->n; i++) {
		printf("\n%zu. %s\n", i + 1, a->steps[i].title);
		print_wrapped(a->steps[i].text);
	}
}

/* LEN bytes of VAL (NULL: null) under KEY. */
static void json_text(struct json *j, const char *key, const char *val, size_t len)
{
	if (val)
		json_bytes(j, key, val, len);
	else
		json_null(j, key);
}

/* strerror(ERR) under KEY; null when ERR is 0. */
static void json_error(struct json *j, const char *key, int err)
{
	json_str(j, key, err ? strerror(err) : NULL);
}

/*
 * IMG under KEY as an object, or null; only the facts procexe read.  Its
 * text is the kernel's exe link ("link") when LINK, else the name maps
 * shows for the program ("maps_text"); "exe" is the path it was judged on.
 */
static void json_image(struct json *j, const char *key, const struct procexe_image *img,
                       bool link)
{
	if (!img) {
		json_null(j, key);
		return;
	}
	json_open(j, key);
	json_text(j, link ? "link" : "maps_text", img->path, img->path_len);
	json_text(j, "exe", img->launch_path, img->launch_path_len);
	if (img->have_stat || img->dev || img->ino) {
		json_dev(j, "dev", (dev_t)img->dev);
		json_uint(j, "inode", img->ino);
	}
	if (img->have_stat) {
		if (img->nlink != UINT64_MAX)
			json_uint(j, "nlink", img->nlink);
		else
			json_null(j, "nlink");
		json_uint(j, "size", img->size);
		json_mode(j, "mode", (mode_t)img->mode);
		json_uint(j, "mntid", img->mnt_id);
	}
	json_close(j);
}

static void json_mappings(struct json *j, const struct facts *f)
{
	size_t n = procexe_proc_mapping_count(f->p);

	json_open_array(j, "mappings");
	for (size_t i = 0; i < n; i++) {
		struct procexe_mapping m = { .sz = sizeof(m) };
		char map_files[96];

		if (procexe_proc_mapping(f->p, i, &m) < 0)
			continue;
		snprintf(map_files, sizeof(map_files), "/proc/%d/map_files/%" PRIx64 "-%" PRIx64,
		         f->pid, m.start, m.end);
		json_open(j, NULL);
		json_bytes(j, "path", m.path, m.path_len);
		json_str(j, "state", procexe_map_state_name(m.state));
		if ((m.flags & PROCEXE_MF_SCRIPT) && !m.ino) {
			json_null(j, "dev");    /* a deleted script: nothing stands there */
			json_null(j, "inode");
		} else {
			json_dev(j, "dev", (dev_t)m.dev);
			json_uint(j, "inode", m.ino);
		}
		json_bool(j, "executable", m.flags & PROCEXE_MF_EXEC);
		json_bool(j, "deleted_suffix", m.flags & PROCEXE_MF_SUFFIX);
		json_bool(j, "script", m.flags & PROCEXE_MF_SCRIPT);
		/* a script is not mapped: nothing to reach it by */
		json_str(j, "map_files", (m.flags & PROCEXE_MF_SCRIPT) ? NULL : map_files);
		json_error(j, "error", m.err);
		json_close(j);
	}
	json_close_array(j);
	json_error(j, "maps_error", procexe_proc_maps_errno(f->p));
}

/* The names of the attention bits, procexe_attention_name()'s. */
static void json_attention(struct json *j, unsigned attn, bool given_up)
{
	/* given up on: nothing about the image was judged */
	if (given_up)
		attn = PROCEXE_ATTN_INCOMPLETE;
	json_open_array(j, "attention");
	for (unsigned bit = 1; bit != 0; bit <<= 1)
		if ((attn & bit) && procexe_attention_name(bit))
			json_str(j, NULL, procexe_attention_name(bit));
	json_close_array(j);
}

/* The "process" object: the facts the account rests on. */
static void json_process(struct json *j, const struct facts *f)
{
	const char *comm = procexe_proc_comm(f->p), *root = procexe_proc_root(f->p);
	const struct procexe_image *exe = f->loader ? &f->ld : &f->img;
	bool img = !f->given_up && (f->img.have_stat || f->img.path);
	pid_t ppid = procexe_proc_ppid(f->p);
	uint64_t start = procexe_proc_start_ns(f->p);

	json_open(j, "process");
	json_int(j, "pid", f->pid);
	json_text(j, "comm", comm, comm ? strlen(comm) : 0);
	json_str(j, "state", procexe_state_name(f->state));
	json_text(j, "exe", f->given_up ? NULL : f->img.launch_path, f->img.launch_path_len);
	json_text(j, "link", f->given_up ? NULL : exe->path, exe->path_len);
	if (ppid >= 0)
		json_int(j, "ppid", ppid);
	else
		json_null(j, "ppid");
	if (start)
		json_time(j, "start", start);
	else
		json_null(j, "start");
	json_text(j, "root", root, root ? strlen(root) : 0);
	json_attention(j, f->attn, f->given_up);
	json_bool(j, "given_up", f->given_up);
	json_bool(j, "modified", f->flags & PROCEXE_PF_MODIFIED);
	json_bool(j, "loader_launched", f->loader);
	json_bool(j, "deleted_suffix", f->flags & PROCEXE_PF_SUFFIX);
	json_bool(j, "path_too_long", f->flags & PROCEXE_PF_PATH_TOOLONG);
	json_error(j, "error", procexe_proc_errno(f->p));
	json_str(j, "self_link", f->self_link);
	json_image(j, "image", img ? &f->img : NULL, !f->loader);
	json_image(j, "loader", f->loader && !f->given_up ? &f->ld : NULL, true);
	json_mappings(j, f);
	json_close(j);
}

/* The schema v1 document: the process (NULL: it does not exist, "process"
 * is null), the steps of A and SUM. */
static void print_json(const struct account *a, const struct facts *f,
                       const struct summary *sum)
{
	struct json *j = json_new(stdout, true);

	json_begin_document(j, "explain", NULL);
	if (f)
		json_process(j, f);
	else
		json_null(j, "process");
	json_open_array(j, "steps");
	for (size_t i = 0; a && i < a->n; i++) {
		json_open(j, NULL);
		json_str(j, "title", a->steps[i].title);
		json_str(j, "text", a->steps[i].text);
		json_close(j);
	}
	json_close_array(j);
	summary_member(j, sum, NULL, NULL);
	json_close(j);
	json_end_line(j);
	json_free(j);
}

static void __attribute__((noreturn)) explain_usage(void)
{
	fputs("Usage:\n"
	      " procexe explain [options] <pid>\n"
	      "\n"
	      "Tell, step by step and in plain words, how the kernel answers\n"
	      "/proc/<pid>/exe for one process, which files it maps that need\n"
	      "attention, and what that means.\n"
	      "\n"
	      "Options:\n"
	      " -J, --json     the same facts and steps as JSON (schema v1)\n"
	      " -q, --quiet    nothing on stderr for a missing or denied PID (the exit\n"
	      "                status still tells)\n"
	      "\n"
	      " -h, --help     display this help\n"
	      " -V, --version  display version\n"
	      "\n"
	      "Exit status: 0 nothing needs attention, 1 something does, 3 not seen\n"
	      "whole or no such process, 2 an error.\n"
	      "\n"
	      "For more details see procexe(1).\n", stdout);
	cli_exit(EXIT_OK);
}

static pid_t parse_args(int argc, char **argv, bool *json, bool *quiet)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'J' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	pid_t *pids, pid;
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":JqhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'J':
			*json = true;
			break;
		case 'q':
			*quiet = true;
			break;
		case 'h':
			explain_usage();
		case 'V':
			print_version();
		default:
			getopt_error(c, argv);
		}
	}
	if (optind + 1 != argc)
		usage_error("'explain' takes exactly one PID");
	parse_pid_args(argv + optind, 1, &pids);
	pid = pids[0];
	free(pids);
	return pid;
}

/* Read PID through a scan of one, with its mapped files judged; NULL
 * list entry when the process does not exist.  Exits on errors. */
static struct procexe_list *read_one(pid_t pid)
{
	struct procexe_list *list = NULL;
	struct procexe_ctx *ctx;
	int r;

	r = procexe_ctx_new(NULL, &ctx);
	if (r < 0)
		errx_("cannot read /proc: %s", strerror(-r));
	/* The executable mappings, as procexe restart judges by default: a
	 * deleted data file does not mean old code runs. */
	procexe_ctx_set_maps(ctx, PROCEXE_MAPS_EXEC);
	/* Through a scan: a process stuck on a hung filesystem is given up
	 * on after the per-process deadline instead of blocking us. */
	r = procexe_scan(ctx, &pid, 1, PROCEXE_ALL_STATES, &list);
	procexe_ctx_free(ctx);
	if (r < 0)
		errx_("PID %d: %s", (int)pid, strerror(-r));
	return list;
}

int cmd_explain(int argc, char **argv)
{
	struct account a = { .n = 0 };
	struct procexe_list *list;
	const struct procexe_proc *p;
	struct summary sum;
	struct facts f;
	char self_link[32];
	bool json = false, quiet = false;
	pid_t pid;
	ssize_t n;
	int status;

	summary_init(&sum, "explain");
	pid = parse_args(argc, argv, &json, &quiet);
	n = readlink("/proc/self", self_link, sizeof(self_link) - 1);
	if (n >= 0)
		self_link[n] = '\0';
	list = read_one(pid);
	/* with the mappings: they were judged */
	summary_add_list(&sum, list, &pid, 1, true);
	p = procexe_list_get(list, 0);
	if (!p) {
		if (!quiet)
			warnx_("PID %d: no such process", (int)pid);
		sum.exit_status = EXIT_INCOMPLETE;
		if (json)
			print_json(NULL, NULL, &sum);
		procexe_list_free(list);
		return EXIT_INCOMPLETE;
	}
	facts_load(&f, p, n >= 0 ? self_link : NULL);
	build(&a, &f);
	status = explain_status(&f);
	/* a named PID denied is not seen either (procexe(1), EXIT STATUS) */
	if (status == EXIT_OK && !summary_complete(&sum))
		status = EXIT_INCOMPLETE;
	if (f.state == PROCEXE_STATE_DENIED && !quiet)
		warnx_("PID %d: permission denied: %s", (int)pid, denial_advice());
	sum.flagged = status == EXIT_FOUND;
	sum.exit_status = status;
	if (json)
		print_json(&a, &f, &sum);
	else
		print_text(&a, &f);
	for (size_t i = 0; i < a.n; i++)
		free(a.steps[i].text);
	free(f.launch);
	free(f.where);
	procexe_list_free(list);
	return status;
}
