/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Helpers shared by the files of the procexe command: messages and
 * allocation wrappers.  Only the command uses them; the library never
 * prints and never exits.
 */
#ifndef PROCEXE_CLI_H
#define PROCEXE_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Every message starts with this name, whatever argv[0] says. */
#define PROGNAME "procexe"

/* Exit statuses of the command (see procexe(1)). */
enum {
	EXIT_OK = 0,            /* nothing found / all done */
	EXIT_FOUND = 1,         /* flagged processes, or a PID not found */
	EXIT_TROUBLE = 2,       /* usage or runtime error */
	EXIT_INCOMPLETE = 3,    /* nothing found, but not everything was seen
	                           (timed out, unreadable maps, missing PID) */
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* "procexe: <message>\n" on stderr. */
void warnx_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* warnx_() and then exit with EXIT_TROUBLE. */
void errx_(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/*
 * The subcommand being run (static string; NULL: the plain scan), named
 * by usage_error()'s hint.  Set once by main().
 */
void cli_set_command(const char *name);
const char *cli_command(void);

/*
 * warnx_() followed by the "Try 'procexe SUB --help'" line, then exit
 * with EXIT_TROUBLE.  For errors in the command line.
 */
void usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/*
 * Exit with STATUS after checking that everything written to stdout
 * reached it: a write error (other than EPIPE: the reader went away)
 * turns any status into EXIT_TROUBLE.  Every exit of the command that may
 * follow output on stdout goes through it.
 */
void cli_exit(int status) __attribute__((noreturn));

/* "procexe VERSION" on stdout, then cli_exit(EXIT_OK): every -V. */
void print_version(void) __attribute__((noreturn));

/* Allocation that cannot fail: out of memory ends the program (status 2). */
void *xmalloc(size_t size) __attribute__((malloc, returns_nonnull));
void *xreallocarray(void *ptr, size_t nmemb, size_t size) __attribute__((returns_nonnull));
char *xstrdup(const char *s) __attribute__((malloc, returns_nonnull));
char *xasprintf(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), malloc, returns_nonnull));

/* Exit on a NULL result of an allocating function (e.g. the escapers). */
void *xcheck(void *p) __attribute__((returns_nonnull));

/* Parse a decimal number in [MIN, MAX]: the whole string, digits only;
 * 0 or -EINVAL. */
int parse_ulong(const char *s, unsigned long min, unsigned long max, unsigned long *ret);

/* SIZE: digits, then K, M, G or T (powers of 1024, "KiB"... also taken);
 * false when invalid or too large. */
bool parse_size(const char *s, uint64_t *ret);

/* PID operands: parsed (usage_error() on a bad one), sorted, distinct;
 * returns their number, *RET newly allocated (NULL when none). */
size_t parse_pid_args(char **args, int n, pid_t **ret);

/* The same validation, but in the order given, duplicates kept: returns N
 * (0 when none, *RET NULL). */
size_t parse_pid_args_ordered(char **args, int n, pid_t **ret);

/* What getopt_long() (with opterr = 0 and a leading ':') reported as C,
 * ':' or '?', as a usage_error() naming the option. */
void getopt_error(int c, char **argv) __attribute__((noreturn));

/* Whether the result of procexe_scan() holds PID. */
struct procexe_list;
bool list_has_pid(const struct procexe_list *list, pid_t pid);

#endif /* PROCEXE_CLI_H */
