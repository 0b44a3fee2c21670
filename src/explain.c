/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * procexe explain [-J] PID: how the kernel answers /proc/PID/exe for one
 * process, step by step, in plain words, with the facts it rests on.
 *
 * The account is built once as a list of steps (title + text) plus facts,
 * then printed as wrapped text or as JSON.  Bytes from the process (paths,
 * comm) are escaped with safe_text() inside the prose and written exactly
 * (under the JSON rules of escape.c) in the facts.
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
#include <time.h>
#include <unistd.h>

#include <procexe.h>

#include "cli.h"
#include "commands.h"

#define MAX_STEPS 8

struct step {
	const char *title;
	char *text;
};

struct account {
	struct step steps[MAX_STEPS];
	size_t n;
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

/* Mount point of mount ID in our own mountinfo (escaped as the kernel
 * escapes it: \040 for spaces); NULL when not found. */
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

static void explain_verdict(struct account *a, const struct procexe_proc *p,
                            const struct procexe_image *img, const char *launch,
                            const char *where)
{
	enum procexe_state s = procexe_proc_state(p);
	unsigned flags = procexe_proc_flags(p);
	bool suffix = flags & PROCEXE_PF_SUFFIX;

	switch (s) {
	case PROCEXE_STATE_OK:
		add_step(a, "Verdict: ok",
		         "procexe looked up \"%s\" %s and reached the same device and inode as the "
		         "link. %s",
		         launch, where,
		         suffix ? "The text ends in \" (deleted)\" only because the file's real name "
		                  "ends that way: identity, not text, decides." : "Nothing is amiss.");
		break;
	case PROCEXE_STATE_DELETED:
		add_step(a, "Verdict: deleted",
		         "%s procexe looked up \"%s\" %s: nothing stands there, and the file has %s. "
		         "The program keeps running from the file the kernel holds; nobody else can "
		         "reach it except through /proc/%d/exe.",
		         suffix ? "The kernel appended \" (deleted)\" because the name the process was "
		                  "started through was unlinked (the dentry is \"unhashed\")."
		                : "The kernel could not render the path (it is longer than PATH_MAX), so "
		                  "procexe relied on the link count alone.",
		         launch, where,
		         img->nlink == 0 ? "no links left (st_nlink is 0)" : "no link procexe could prove",
		         (int)procexe_proc_pid(p));
		break;
	case PROCEXE_STATE_REPLACED:
		add_step(a, "Verdict: replaced",
		         "The kernel appended \" (deleted)\" because the name the process was started "
		         "through was unlinked. procexe looked up \"%s\" %s and found a different file "
		         "(another device:inode): typically a package upgrade wrote the new version "
		         "to a temporary name and renamed it over the old one. The process still runs "
		         "the old file.",
		         launch, where);
		break;
	case PROCEXE_STATE_UNLINKED:
		add_step(a, "Verdict: unlinked",
		         "The kernel appended \" (deleted)\" because the name the process was started "
		         "through was removed, and nothing stands at \"%s\" any more. Yet the file still "
		         "has %" PRIu64 " link(s): another hard link to it survives somewhere on the same "
		         "filesystem.",
		         launch, img->nlink);
		break;
	case PROCEXE_STATE_FILELESS:
		add_step(a, "Verdict: fileless",
		         "The link names \"%s\", a name the kernel makes up for a file that was never "
		         "linked into a directory: a memfd_create(2) file (\"/memfd:NAME\", on the "
		         "kernel's internal tmpfs) or an O_TMPFILE file (\"DIR/#INODE\"). It has no "
		         "links (st_nlink is 0). Legitimate users exist (runc, JIT engines); so does "
		         "malware that never touches the disk.",
		         launch);
		break;
	case PROCEXE_STATE_REPOINTED:
		add_step(a, "Verdict: repointed",
		         "The link reaches \"%s\", but that file does not appear in the process's "
		         "memory mappings (/proc/%d/maps). The exe link is set at execve() time, but "
		         "prctl(PR_SET_MM, PR_SET_MM_MAP or PR_SET_MM_EXE_FILE) can change it later, "
		         "once the original image is unmapped: the link then proves nothing about "
		         "the code that runs. Checkpoint/restore tools (CRIU) do this legitimately.",
		         launch, (int)procexe_proc_pid(p));
		break;
	case PROCEXE_STATE_UNREACHABLE:
		if (procexe_proc_errno(p) == ETIMEDOUT) {
			add_step(a, "Verdict: unreachable",
			         "Reading this process did not finish within the time procexe allows "
			         "(a hung network filesystem, or the process holds its memory-map lock).");
			break;
		}
		add_step(a, "Verdict: unreachable",
		         "The text \"%s\" has no \" (deleted)\" suffix, so the name still exists in its "
		         "directory, but looking it up %s did not reach the file: it lives on a mount "
		         "that is hidden (overmounted), detached (umount -l) or part of a mount "
		         "namespace procexe cannot enter.",
		         launch, where);
		break;
	default:
		add_step(a, "Verdict", "%s.", state_meaning(s));
		break;
	}
	if (flags & PROCEXE_PF_MODIFIED)
		add_step(a, "Also: modified",
		         "The file's modification or status-change time is later than the process's "
		         "start and than its last read: its content may no longer be what the process "
		         "loaded (writes are refused while it runs as the main executable, but not "
		         "through a loader, on overlayfs lower layers or network filesystems).");
}

static void explain_next(struct account *a, const struct procexe_proc *p, const char *launch)
{
	int pid = (int)procexe_proc_pid(p);

	switch (procexe_proc_state(p)) {
	case PROCEXE_STATE_DELETED:
	case PROCEXE_STATE_UNLINKED:
	case PROCEXE_STATE_REPLACED:
	case PROCEXE_STATE_FILELESS:
		add_step(a, "What you can do",
		         "Recover the running file while the process lives: open /proc/%d/exe (for "
		         "example: cp /proc/%d/exe ./recovered; chmod a-x ./recovered) gives back the "
		         "exact bytes, even for a deleted or memfd image; hash it before trusting it. "
		         "%s",
		         pid, pid,
		         procexe_proc_state(p) == PROCEXE_STATE_REPLACED
		                 ? "To run the new version, restart the process or its service."
		                 : procexe_proc_state(p) == PROCEXE_STATE_FILELESS
		                 ? "Find who created it: its parent (PPID) and command line."
		                 : "If the file was removed by mistake, copy it back to where it was.");
		break;
	case PROCEXE_STATE_UNREACHABLE:
		add_step(a, "What you can do",
		         "Look from the process's own view: ls -l /proc/%d/root%s, or enter its mount "
		         "namespace (nsenter -t %d -m). The file itself stays readable through "
		         "/proc/%d/exe.",
		         pid, launch, pid, pid);
		break;
	case PROCEXE_STATE_REPOINTED:
		add_step(a, "What you can do",
		         "Inspect the executable mappings in /proc/%d/maps (anonymous ones especially) "
		         "and where the process came from (PPID, command line).",
		         pid);
		break;
	case PROCEXE_STATE_DENIED:
		add_step(a, "What you can do",
		         "Run procexe as root (or as the process's owner, for a dumpable process "
		         "without extra capabilities).");
		break;
	default:
		break;
	}
}

static void build(struct account *a, const struct procexe_proc *p, const char *self_link)
{
	struct procexe_image img = { .sz = sizeof(img) }, ld = { .sz = sizeof(ld) };
	unsigned flags = procexe_proc_flags(p);
	const char *root = procexe_proc_root(p);
	int pid = (int)procexe_proc_pid(p);
	char *link = NULL, *launch = NULL, *mnt = NULL, *where;
	enum procexe_state s = procexe_proc_state(p);
	bool loader = flags & PROCEXE_PF_LOADER;

	procexe_proc_image(p, false, &img);
	if (loader)
		procexe_proc_image(p, true, &ld);

	add_step(a, "Finding the process",
	         "/proc/self is a symbolic link whose text the kernel computes for each reader: for "
	         "procexe it reads \"%s\", its own process id in the pid namespace of this procfs. "
	         "procexe opened the directory /proc/%d once and read everything through it: that "
	         "handle stays bound to this very process, so if it exits and its number is reused, "
	         "reads fail (ESRCH) instead of describing another process.",
	         self_link ? self_link : "(unavailable)", pid);

	if (s == PROCEXE_STATE_KERNEL || s == PROCEXE_STATE_ZOMBIE || s == PROCEXE_STATE_DENIED) {
		add_step(a, "The exe link",
		         "%s",
		         s == PROCEXE_STATE_KERNEL
		             ? "readlink(/proc/PID/exe) fails with ENOENT for a kernel thread (EACCES "
		               "for unprivileged readers): the kernel's get_task_exe_file() finds no "
		               "address space (mm) and so no mm->exe_file. procexe recognised it by the "
		               "PF_KTHREAD flag in /proc/PID/stat."
		         : s == PROCEXE_STATE_ZOMBIE
		             ? "readlink(/proc/PID/exe) fails with ENOENT: the process has exited, its "
		               "address space was torn down, and with it mm->exe_file. Only its entry "
		               "in the process table remains until its parent reaps it."
		             : "readlink(/proc/PID/exe) failed with a permission error. The kernel lets "
		               "a reader see another process's exe link only if it may ptrace it in "
		               "\"read\" mode: same user and a dumpable process, or CAP_SYS_PTRACE; "
		               "security modules and hidepid= mount options can refuse too.");
		add_step(a, "Verdict", "%s: %s.", procexe_state_name(s), state_meaning(s));
		explain_next(a, p, "");
		return;
	}

	link = loader ? (ld.path ? safe_text(ld.path, ld.path_len) : NULL)
	              : (img.path ? safe_text(img.path, img.path_len) : NULL);
	launch = img.launch_path ? safe_text(img.launch_path, img.launch_path_len) : xstrdup("");
	mnt = (loader ? ld.mnt_id : img.mnt_id) ? mount_point(loader ? ld.mnt_id : img.mnt_id) : NULL;
	where = root ? xasprintf("inside the process's root (%s), with openat2(RESOLVE_IN_ROOT)",
	                         root)
	             : xstrdup("from the root directory the kernel rendered the text for");

	if (link)
		add_step(a, "The exe link",
		         "readlink(/proc/%d/exe) returns \"%s\". The kernel builds that text with "
		         "d_path(): it walks from the file's directory entry up to the READER's root "
		         "directory, so a chrooted or containerised process may show a path that only "
		         "makes sense from its own root; if the name used at exec time was unlinked, "
		         "it appends \" (deleted)\". The text is never used to open the file: "
		         "open() and stat() on the link jump straight to the file the kernel holds.",
		         pid, link);
	else
		add_step(a, "The exe link",
		         "readlink(/proc/%d/exe) fails with ENAMETOOLONG: d_path() renders into a "
		         "PATH_MAX (4096-byte) buffer and the path, with any \" (deleted)\" suffix, "
		         "does not fit. Following the link still works: open() and stat() never go "
		         "through the text.",
		         pid);
	{
		const struct procexe_image *e = loader ? &ld : &img;

		add_step(a, "What the link reaches",
		         "stat() through the link reaches device %u:%u, inode %" PRIu64 ", with %" PRIu64
		         " link(s), %" PRIu64 " bytes, mode %04o, on mount %" PRIu64 "%s%s%s. That is the "
		         "file the process executed, whatever its name is now.",
		         major(e->dev), minor(e->dev), e->ino, e->nlink, e->size, e->mode & 07777,
		         e->mnt_id, mnt ? " (" : "", mnt ? mnt : " (not visible from procexe's root)",
		         mnt ? ")" : "");
	}
	add_step(a, "Where mm->exe_file came from",
	         "When the process called execve(), the kernel opened %s, and begin_new_exec() "
	         "stored the open file in the new address space as mm->exe_file. That reference "
	         "keeps the file alive as long as the process runs, even after its last name is "
	         "removed, and the kernel refuses to open it for writing (ETXTBSY) meanwhile.%s",
	         loader ? "the dynamic loader" : "the program file",
	         loader ? " Here the program was started through the loader (\"ld.so PROGRAM\"): "
	                  "the kernel executed the loader, which then mapped the program with "
	                  "mmap() like a library. So the exe link names the loader; procexe found "
	                  "the program in /proc/PID/maps (and the command line), checked it by "
	                  "device and inode, and judged that file. Programs mapped this way are not "
	                  "write-protected." : "");
	explain_verdict(a, p, &img, launch, where);
	explain_next(a, p, launch);
	free(mnt);
	free(where);
	free(launch);
	free(link);
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

static void json_field_str(const char *key, const char *val, size_t len, bool comma)
{
	printf("    \"%s\": ", key);
	if (val)
		json_string(stdout, val, len);
	else
		fputs("null", stdout);
	fputs(comma ? ",\n" : "\n", stdout);
}

static void print_json_image(const char *key, const struct procexe_image *img, bool comma)
{
	if (!img) {
		printf("    \"%s\": null%s\n", key, comma ? "," : "");
		return;
	}
	printf("    \"%s\": {\"link\": ", key);
	if (img->path)
		json_string(stdout, img->path, img->path_len);
	else
		fputs("null", stdout);
	fputs(", \"launch_path\": ", stdout);
	if (img->launch_path)
		json_string(stdout, img->launch_path, img->launch_path_len);
	else
		fputs("null", stdout);
	if (img->have_stat)
		printf(", \"dev\": \"%u:%u\", \"inode\": %" PRIu64 ", \"nlink\": %" PRIu64
		       ", \"size\": %" PRIu64 ", \"mode\": \"%04o\", \"mntid\": %" PRIu64 "}",
		       major(img->dev), minor(img->dev), img->ino, img->nlink, img->size,
		       img->mode & 07777, img->mnt_id);
	else
		fputs("}", stdout);
	fputs(comma ? ",\n" : "\n", stdout);
}

static void print_json(const struct account *a, const struct procexe_proc *p, const char *self_link)
{
	struct procexe_image img = { .sz = sizeof(img) }, ld = { .sz = sizeof(ld) };
	unsigned flags = procexe_proc_flags(p);
	const char *comm = procexe_proc_comm(p), *root = procexe_proc_root(p);
	int err = procexe_proc_errno(p);

	procexe_proc_image(p, false, &img);
	printf("{\n  \"pid\": %d,\n  \"facts\": {\n", (int)procexe_proc_pid(p));
	json_field_str("self_link", self_link, self_link ? strlen(self_link) : 0, true);
	json_field_str("comm", comm, comm ? strlen(comm) : 0, true);
	printf("    \"state\": \"%s\",\n", procexe_state_name(procexe_proc_state(p)));
	printf("    \"modified\": %s,\n", (flags & PROCEXE_PF_MODIFIED) ? "true" : "false");
	printf("    \"loader_launched\": %s,\n", (flags & PROCEXE_PF_LOADER) ? "true" : "false");
	printf("    \"deleted_suffix\": %s,\n", (flags & PROCEXE_PF_SUFFIX) ? "true" : "false");
	printf("    \"path_too_long\": %s,\n", (flags & PROCEXE_PF_PATH_TOOLONG) ? "true" : "false");
	json_field_str("root", root, root ? strlen(root) : 0, true);
	if (err)
		json_field_str("error", strerror(err), strlen(strerror(err)), true);
	else
		printf("    \"error\": null,\n");
	print_json_image("image", img.have_stat || img.path ? &img : NULL, true);
	if ((flags & PROCEXE_PF_LOADER) && procexe_proc_image(p, true, &ld) == 0)
		print_json_image("loader", &ld, false);
	else
		print_json_image("loader", NULL, false);
	fputs("  },\n  \"steps\": [\n", stdout);
	for (size_t i = 0; i < a->n; i++) {
		fputs("    {\"title\": ", stdout);
		json_string(stdout, a->steps[i].title, strlen(a->steps[i].title));
		fputs(", \"text\": ", stdout);
		json_string(stdout, a->steps[i].text, strlen(a->steps[i].text));
		printf("}%s\n", i + 1 < a->n ? "," : "");
	}
	fputs("  ]\n}\n", stdout);
}

/*
 * A process procexe did not read (state unreachable with an errno: timed
 * out, or its procfs directory could not be read): say so, and print no
 * fact it did not read.  Returns EXIT_INCOMPLETE.
 */
static int explain_unread(const struct procexe_proc *p, bool json)
{
	int e = procexe_proc_errno(p);
	const char *why = e == ETIMEDOUT ?
		"procexe gave up on this process after the per-process deadline "
		"(2 seconds of work, or 3 seconds blocked in the kernel, e.g. on a hung "
		"filesystem), before it could read its exe link.  Nothing about its "
		"executable is known; run explain again later." :
		"procexe could not read this process (see the error above), so "
		"nothing about its executable is known.";

	if (json) {
		printf("{\n  \"pid\": %d,\n  \"facts\": {\n", (int)procexe_proc_pid(p));
		printf("    \"state\": \"%s\",\n", procexe_state_name(procexe_proc_state(p)));
		printf("    \"read\": false,\n");
		json_field_str("reason", e == ETIMEDOUT ? "timeout" : "unreadable",
		               e == ETIMEDOUT ? 7 : 10, true);
		json_field_str("error", strerror(e), strlen(strerror(e)), false);
		fputs("  },\n  \"steps\": [\n    {\"title\": \"Not read\", \"text\": ", stdout);
		json_string(stdout, why, strlen(why));
		fputs("}\n  ]\n}\n", stdout);
	} else {
		printf("Process %d: not read (%s)\n\n", (int)procexe_proc_pid(p), strerror(e));
		print_wrapped(why);
	}
	return EXIT_INCOMPLETE;
}

static void __attribute__((noreturn)) explain_usage(void)
{
	fputs("Usage:\n"
	      " procexe explain [options] <pid>\n"
	      "\n"
	      "Tell, step by step and in plain words, how the kernel answers\n"
	      "/proc/<pid>/exe for one process, and what that means.\n"
	      "\n"
	      "Exit status: 0 explained, 3 the process does not exist or could not\n"
	      "be read (timed out), 2 trouble.\n"
	      "\n"
	      "Options:\n"
	      " -J, --json     the same facts and steps as JSON\n"
	      " -h, --help     display this help\n"
	      "\n"
	      "For more details see procexe(1).\n", stdout);
	exit(EXIT_OK);
}

int cmd_explain(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'J' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct account a = { .n = 0 };
	struct procexe_list *list = NULL;
	const struct procexe_proc *p;
	struct procexe_ctx *ctx;
	pid_t one;
	char self_link[32], *end;
	bool json = false;
	ssize_t n;
	long pid;
	int c, r;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "Jh", longopts, NULL)) != -1) {
		switch (c) {
		case 'J':
			json = true;
			break;
		case 'h':
			explain_usage();
		default:
			usage_error("invalid option for 'explain'");
		}
	}
	if (optind + 1 != argc)
		usage_error("'explain' takes exactly one PID");
	errno = 0;
	pid = strtol(argv[optind], &end, 10);
	if (errno || *end || end == argv[optind] || pid <= 0 || pid > INT32_MAX)
		usage_error("invalid PID: '%s'", argv[optind]);

	n = readlink("/proc/self", self_link, sizeof(self_link) - 1);
	if (n >= 0)
		self_link[n] = '\0';
	r = procexe_ctx_new(NULL, &ctx);
	if (r < 0)
		errx_("cannot read /proc: %s", strerror(-r));
	/* Through a scan of one: a process stuck on a hung filesystem is
	 * given up on after a few seconds instead of blocking us. */
	one = (pid_t)pid;
	r = procexe_scan(ctx, &one, 1, PROCEXE_ALL_STATES, &list);
	procexe_ctx_free(ctx);
	if (r < 0)
		errx_("PID %ld: %s", pid, strerror(-r));
	p = procexe_list_get(list, 0);
	if (!p) {
		procexe_list_free(list);
		warnx_("PID %ld: no such process", pid);
		return EXIT_INCOMPLETE;
	}
	if (procexe_proc_state(p) == PROCEXE_STATE_UNREACHABLE && procexe_proc_errno(p)) {
		r = explain_unread(p, json);
		procexe_list_free(list);
		return r;
	}

	build(&a, p, n >= 0 ? self_link : NULL);
	if (json) {
		print_json(&a, p, n >= 0 ? self_link : NULL);
	} else {
		const char *comm = procexe_proc_comm(p);
		char *scomm = comm ? safe_text(comm, strlen(comm)) : xstrdup("?");

		printf("Process %ld (%s): %s%s\n", pid, scomm,
		       procexe_state_name(procexe_proc_state(p)),
		       (procexe_proc_flags(p) & PROCEXE_PF_MODIFIED) ? ", modified" : "");
		free(scomm);
		for (size_t i = 0; i < a.n; i++) {
			printf("\n%zu. %s\n", i + 1, a.steps[i].title);
			print_wrapped(a.steps[i].text);
		}
	}
	for (size_t i = 0; i < a.n; i++)
		free(a.steps[i].text);
	procexe_list_free(list);
	return EXIT_OK;
}
