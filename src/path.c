/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* procexe path [--raw] [-J] [PID...]: the running image's path. */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <procexe.h>

#include "cli.h"
#include "commands.h"
#include "escape.h"

static const struct {
	unsigned bit;
	const char *name;
} flag_names[] = {
	{ PROCEXE_DELETED, "deleted" },
	{ PROCEXE_REPLACED, "replaced" },
	{ PROCEXE_LOADER, "loader" },
	{ PROCEXE_FILELESS, "fileless" },
	{ PROCEXE_UNVERIFIED, "unverified" },
	{ PROCEXE_UNLINKED, "unlinked" },
	{ PROCEXE_UNREACHABLE, "unreachable" },
	{ PROCEXE_REPOINTED, "repointed" },
};

char *safe_text(const char *buf, size_t len)
{
	char *t = xcheck(escape_text(buf, len, 0));
	char *s = xcheck(escape_unprintable(t));

	free(t);
	return s;
}

void json_string(FILE *out, const char *buf, size_t len)
{
	char *s = xcheck(escape_json(buf, len));

	fputc('"', out);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(out, "\\%c", *p);
		else if (*p < 0x20)
			fprintf(out, "\\u%04x", *p);
		else
			fputc(*p, out);
	}
	fputc('"', out);
	free(s);
}

static void __attribute__((noreturn)) path_usage(void)
{
	fputs("Usage:\n"
	      " procexe path [options] [PID...]\n"
	      "\n"
	      "Print the path of the executable image each PID runs (without PID:\n"
	      "procexe's own), one per line.  The \" (deleted)\" suffix is removed only\n"
	      "when the file's identity proves what it means.\n"
	      "\n"
	      "Options:\n"
	      " -r, --raw      print the kernel's link text as it is (escaped)\n"
	      " -f, --flags    append what else is true (deleted, replaced, loader...)\n"
	      " -J, --json     JSON output\n"
	      " -h, --help     display this help\n"
	      "\n"
	      "For more details see procexe(1).\n", stdout);
	exit(EXIT_OK);
}

/* The kernel's link text of PID (0: ourselves), through a scan of one, so
 * that a process stuck on a hung filesystem cannot block us. */
static int raw_link(pid_t pid, char **ret)
{
	struct procexe_image img = { .sz = sizeof(img) };
	struct procexe_list *list = NULL;
	const struct procexe_proc *p;
	struct procexe_ctx *ctx;
	pid_t one = pid ? pid : getpid();
	int r = procexe_ctx_new(NULL, &ctx);

	if (r < 0)
		return r;
	procexe_ctx_set_details(ctx, 0);
	r = procexe_scan(ctx, &one, 1, 0, &list);
	procexe_ctx_free(ctx);
	if (r < 0)
		return r;
	p = procexe_list_get(list, 0);
	if (!p)
		r = -ESRCH;
	else if (procexe_proc_errno(p))
		r = -procexe_proc_errno(p);
	else if (procexe_proc_image(p, procexe_proc_flags(p) & PROCEXE_PF_LOADER, &img) < 0 || !img.path)
		r = (procexe_proc_flags(p) & PROCEXE_PF_PATH_TOOLONG) ? -ENAMETOOLONG : -ENOENT;
	else {
		*ret = xstrdup(img.path);
		r = 0;
	}
	procexe_list_free(list);
	return r;
}

static void print_one(pid_t pid, const char *path, unsigned flags, bool show_flags,
                      bool json, bool *first)
{
	if (json) {
		printf("%s\n    {\"pid\": %d, \"path\": ", *first ? "" : ",", (int)pid);
		json_string(stdout, path, strlen(path));
		fputs(", \"flags\": [", stdout);
		for (size_t i = 0, n = 0; i < ARRAY_SIZE(flag_names); i++)
			if (flags & flag_names[i].bit)
				printf("%s\"%s\"", n++ ? ", " : "", flag_names[i].name);
		fputs("]}", stdout);
	} else {
		char *s = safe_text(path, strlen(path));

		fputs(s, stdout);
		if (show_flags)
			for (size_t i = 0; i < ARRAY_SIZE(flag_names); i++)
				if (flags & flag_names[i].bit)
					printf(" [%s]", flag_names[i].name);
		fputc('\n', stdout);
		free(s);
	}
	*first = false;
}

int cmd_path(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "raw", no_argument, NULL, 'r' },
		{ "flags", no_argument, NULL, 'f' },
		{ "json", no_argument, NULL, 'J' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool raw = false, show_flags = false, json = false, first = true;
	int c, status = EXIT_OK;
	pid_t self = 0;
	pid_t *pids;
	int npids;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "rfJh", longopts, NULL)) != -1) {
		switch (c) {
		case 'r':
			raw = true;
			break;
		case 'f':
			show_flags = true;
			break;
		case 'J':
			json = true;
			break;
		case 'h':
			path_usage();
		default:
			usage_error("invalid option for 'path'");
		}
	}
	npids = argc - optind;
	pids = xreallocarray(NULL, npids ? (size_t)npids : 1, sizeof(*pids));
	for (int i = 0; i < npids; i++) {
		char *end;
		long v;

		errno = 0;
		v = strtol(argv[optind + i], &end, 10);
		if (errno || *end || end == argv[optind + i] || v <= 0 || v > INT32_MAX)
			usage_error("invalid PID: '%s'", argv[optind + i]);
		pids[i] = (pid_t)v;
	}
	if (npids == 0) {
		pids[0] = self;
		npids = 1;
	}
	if (json)
		fputs("{\n  \"paths\": [", stdout);
	for (int i = 0; i < npids; i++) {
		unsigned flags = 0;
		char *path = NULL;
		int r;

		if (raw) {
			r = raw_link(pids[i], &path);
			/* The flags still come from the identity checks. */
			if (r >= 0 && (show_flags || json)) {
				char *ignored = NULL;

				if ((pids[i] == self ? procexe_self_path(&ignored, &flags)
				                     : procexe_pid_path(pids[i], &ignored, &flags)) < 0)
					flags = 0;
				free(ignored);
			}
		} else if (pids[i] == self)
			r = procexe_self_path(&path, &flags);
		else
			r = procexe_pid_path(pids[i], &path, &flags);
		if (r < 0) {
			if (pids[i] == self)
				warnx_("cannot find procexe's own executable: %s", strerror(-r));
			else
				warnx_("PID %d: %s", (int)pids[i],
				       r == -ESRCH ? "no such process" :
				       r == -ENOENT ? "no executable (kernel thread or zombie)" :
				       strerror(-r));
			status = EXIT_FOUND;
			continue;
		}
		print_one(pids[i] ? pids[i] : getpid(), path, flags, show_flags, json, &first);
		free(path);
	}
	if (json)
		fputs("\n  ]\n}\n", stdout);
	free(pids);
	return status;
}
