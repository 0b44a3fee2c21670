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

struct path_opts {
	bool raw, show_flags, json;
};

/* The PID operands (none: procexe's own executable, as PID 0). */
static pid_t *path_pids(int argc, char **argv, int *ret_n)
{
	int n = argc - optind;
	pid_t *pids = xreallocarray(NULL, n ? (size_t)n : 1, sizeof(*pids));

	for (int i = 0; i < n; i++) {
		char *end;
		long v;

		errno = 0;
		v = strtol(argv[optind + i], &end, 10);
		if (errno || *end || end == argv[optind + i] || v <= 0 || v > INT32_MAX)
			usage_error("invalid PID: '%s'", argv[optind + i]);
		pids[i] = (pid_t)v;
	}
	if (n == 0) {
		pids[0] = 0;
		n = 1;
	}
	*ret_n = n;
	return pids;
}

/* The path of PID (0: ours) into *PATH and *FLAGS; negative errno. */
static int one_path(pid_t pid, const struct path_opts *o, char **path, unsigned *flags)
{
	int r;

	*flags = 0;
	if (!o->raw)
		return pid == 0 ? procexe_self_path(path, flags) : procexe_pid_path(pid, path, flags);
	r = raw_link(pid, path);
	/* The flags still come from the identity checks. */
	if (r >= 0 && (o->show_flags || o->json)) {
		char *ignored = NULL;

		if ((pid == 0 ? procexe_self_path(&ignored, flags)
		              : procexe_pid_path(pid, &ignored, flags)) < 0)
			*flags = 0;
		free(ignored);
	}
	return r;
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
	struct path_opts o = { 0 };
	bool first = true;
	int c, npids, status = EXIT_OK;
	pid_t *pids;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "rfJh", longopts, NULL)) != -1) {
		switch (c) {
		case 'r':
			o.raw = true;
			break;
		case 'f':
			o.show_flags = true;
			break;
		case 'J':
			o.json = true;
			break;
		case 'h':
			path_usage();
		default:
			usage_error("invalid option for 'path'");
		}
	}
	pids = path_pids(argc, argv, &npids);
	if (o.json)
		fputs("{\n  \"paths\": [", stdout);
	for (int i = 0; i < npids; i++) {
		unsigned flags;
		char *path = NULL;
		int r = one_path(pids[i], &o, &path, &flags);

		if (r < 0) {
			if (pids[i] == 0)
				warnx_("cannot find procexe's own executable: %s", strerror(-r));
			else
				warnx_("PID %d: %s", (int)pids[i],
				       r == -ESRCH ? "no such process" :
				       r == -ENOENT ? "no executable (kernel thread or zombie)" :
				       strerror(-r));
			status = EXIT_FOUND;
			continue;
		}
		print_one(pids[i] ? pids[i] : getpid(), path, flags, o.show_flags, o.json, &first);
		free(path);
	}
	if (o.json)
		fputs("\n  ]\n}\n", stdout);
	free(pids);
	return status;
}
