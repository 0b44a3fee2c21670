/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Messages and allocation wrappers of the procexe command. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "procexe.h"

#include "cli.h"

static void __attribute__((format(printf, 1, 0)))
vwarnx_(const char *fmt, va_list ap)
{
	fputs(PROGNAME ": ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void warnx_(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarnx_(fmt, ap);
	va_end(ap);
}

void errx_(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarnx_(fmt, ap);
	va_end(ap);
	exit(EXIT_TROUBLE);
}

static const char *command_name;

void cli_set_command(const char *name)
{
	command_name = name;
}

const char *cli_command(void)
{
	return command_name;
}

void usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarnx_(fmt, ap);
	va_end(ap);
	if (command_name)
		fprintf(stderr, "Try '" PROGNAME " %s --help' for more information.\n",
			command_name);
	else
		fputs("Try '" PROGNAME " --help' for more information.\n", stderr);
	exit(EXIT_TROUBLE);
}

static bool stdout_reader_gone(void)
{
	struct pollfd p = { .fd = STDOUT_FILENO, .events = POLLOUT };

	return poll(&p, 1, 0) == 1 && (p.revents & POLLERR);
}

void cli_exit(int status)
{
	bool failed = false;
	int e = 0;

	errno = 0;
	if (fflush(stdout) != 0 || ferror(stdout)) {
		failed = true;
		e = errno;
	}
	/* an earlier failed write left only ferror(); a pipe without reader
	 * still tells (POLLERR on its write end) */
	if (failed && e == 0 && stdout_reader_gone())
		e = EPIPE;
	if (fclose(stdout) != 0 && !failed) {
		failed = true;
		e = errno;
	}
	if (failed && e != EPIPE) {
		if (e)
			warnx_("write error: %s", strerror(e));
		else
			warnx_("write error");
		status = EXIT_TROUBLE;
	}
	exit(status);
}

void print_version(void)
{
	printf("%s %s\n", PROGNAME, procexe_version());
	cli_exit(EXIT_OK);
}

static void __attribute__((noreturn)) oom(void)
{
	errx_("%s", strerror(ENOMEM));
}

void *xcheck(void *p)
{
	if (!p)
		oom();
	return p;
}

void *xmalloc(size_t size)
{
	return xcheck(malloc(size ? size : 1));
}

void *xreallocarray(void *ptr, size_t nmemb, size_t size)
{
	return xcheck(reallocarray(ptr, nmemb ? nmemb : 1, size ? size : 1));
}

char *xstrdup(const char *s)
{
	return xcheck(strdup(s));
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (r < 0)
		oom();
	return s;
}

/* Parse a decimal number in [MIN, MAX]: the whole string, digits only. */
int parse_ulong(const char *s, unsigned long min, unsigned long max,
                       unsigned long *ret)
{
	unsigned long v;
	char *end;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end != '\0' || v < min || v > max)
		return -EINVAL;
	*ret = v;
	return 0;
}

static int cmp_pid(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return (x > y) - (x < y);
}

size_t parse_pid_args_ordered(char **args, int n, pid_t **ret)
{
	pid_t *pids;

	*ret = NULL;
	if (n <= 0)
		return 0;
	pids = xreallocarray(NULL, (size_t)n, sizeof(pid_t));
	for (int i = 0; i < n; i++) {
		unsigned long v;

		if (parse_ulong(args[i], 1, INT_MAX, &v) < 0)
			usage_error("invalid PID: '%s'", args[i]);
		pids[i] = (pid_t)v;
	}
	*ret = pids;
	return (size_t)n;
}

size_t parse_pid_args(char **args, int n, pid_t **ret)
{
	pid_t *pids;
	size_t k = 0;

	if (parse_pid_args_ordered(args, n, &pids) == 0) {
		*ret = NULL;
		return 0;
	}
	qsort(pids, (size_t)n, sizeof(pid_t), cmp_pid);
	for (int i = 0; i < n; i++)
		if (k == 0 || pids[k - 1] != pids[i])
			pids[k++] = pids[i];
	*ret = pids;
	return k;
}

/*
 * getopt_long() leaves optind past the word it rejected, except for a
 * short option inside a group ("-Jx"), where optopt names it.  A long
 * option is a word starting with "--"; optopt is 0 for an unknown one and
 * its value for a known one given an argument it does not take.
 */
void getopt_error(int c, char **argv)
{
	const char *word = optind > 0 ? argv[optind - 1] : "";
	bool is_long = word && strncmp(word, "--", 2) == 0;

	if (is_long && c == ':')
		usage_error("option '%s' requires an argument", word);
	if (c == ':')
		usage_error("option requires an argument -- '%c'", optopt);
	if (is_long && optopt && strchr(word, '='))
		usage_error("option '%.*s' doesn't allow an argument",
			    (int)(strchr(word, '=') - word), word);
	if (!is_long && optopt && optopt <= CHAR_MAX)
		usage_error("invalid option -- '%c'", optopt);
	usage_error("unrecognized option '%s'", word);
}

/* The list of procexe_scan() is sorted by PID. */
bool list_has_pid(const struct procexe_list *list, pid_t pid)
{
	size_t lo = 0, hi = procexe_list_count(list);

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		pid_t p = procexe_proc_pid(procexe_list_get(list, mid));

		if (p == pid)
			return true;
		if (p < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/* SIZE: digits, then K, M, G or T (powers of 1024, "KiB"... also taken);
 * false when invalid or too large. */
bool parse_size(const char *s, uint64_t *ret)
{
	static const char units[] = "KMGT";
	unsigned long long v;
	unsigned shift = 0;
	char *end;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return false;
	if (*end) {
		const char *u = strchr(units, *end & ~0x20);

		if (!u || !*u || (end[1] && strcmp(end + 1, "iB") != 0))
			return false;
		shift = 10 * (unsigned)(u - units + 1);
	}
	if (v > (UINT64_MAX >> shift))
		return false;
	*ret = (uint64_t)v << shift;
	return true;
}
