/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Messages and allocation wrappers of the procexe command. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

void usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarnx_(fmt, ap);
	va_end(ap);
	fputs("Try '" PROGNAME " --help' for more information.\n", stderr);
	exit(EXIT_TROUBLE);
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
