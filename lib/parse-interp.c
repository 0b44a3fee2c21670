/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Interpreters and the script on their command line (parse.h).  Pure: the
 * option syntax of each interpreter is a table, read only to skip what
 * precedes the script; nothing an interpreter would run is looked at
 * beyond its name.  Where a syntax is open-ended (node's and ruby's long
 * options, the shells' letters), unknown options count as flags: a value
 * given separately to an unknown option would be taken for the script.
 */
#include <errno.h>
#include <string.h>

#include "parse.h"

static const struct interp_name {
	const char *name;
	enum pe_interp kind;
} interp_names[] = {
	{ "python", PE_INTERP_PYTHON }, { "perl", PE_INTERP_PERL },
	{ "ruby", PE_INTERP_RUBY },     { "node", PE_INTERP_NODE },
	{ "nodejs", PE_INTERP_NODE },   { "php", PE_INTERP_PHP },
	{ "sh", PE_INTERP_SHELL },      { "bash", PE_INTERP_SHELL },
	{ "rbash", PE_INTERP_SHELL },   { "dash", PE_INTERP_SHELL },
	{ "ash", PE_INTERP_SHELL },     { "zsh", PE_INTERP_SHELL },
	{ "ksh", PE_INTERP_SHELL },     { "mksh", PE_INTERP_SHELL },
	{ "lksh", PE_INTERP_SHELL },    { "pdksh", PE_INTERP_SHELL },
	{ "yash", PE_INTERP_SHELL },    { "posh", PE_INTERP_SHELL },
};

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

enum pe_interp pe_interp_of(const char *name, size_t len)
{
	size_t n = 0;

	if (memchr(name, '\0', len) || memchr(name, '/', len))
		return PE_INTERP_NONE;  /* not a base name */
	while (n < len && name[n] >= 'a' && name[n] <= 'z')
		n++;
	/* after the name: nothing, a version, or '-' and a version */
	if (n < len && !is_digit(name[n]) && !(name[n] == '-' && n + 1 < len && is_digit(name[n + 1])))
		return PE_INTERP_NONE;
	for (size_t i = 0; i < sizeof(interp_names) / sizeof(interp_names[0]); i++)
		if (strlen(interp_names[i].name) == n && memcmp(interp_names[i].name, name, n) == 0)
			return interp_names[i].kind;
	return PE_INTERP_NONE;
}

/* What a long option ("--NAME" or "--NAME=VALUE") does. */
enum long_kind { L_FLAG, L_ARG, L_NO_SCRIPT };
struct long_opt {
	const char *name;
	enum long_kind kind;
};

/* The option syntax of one interpreter. */
struct syntax {
	const char *flags;      /* short options taking nothing */
	const char *arg;        /* short options taking an argument: the rest of
	                           the cluster, else the next argument */
	const char *arg_rest;   /* short options whose optional argument is the
	                           rest of the cluster only */
	const char *arg_octal;  /* short options followed by optional octal
	                           digits (perl's "-l", "-0"; "-0x" and hex
	                           digits), the cluster goes on ("-lne") */
	const char *no_script;  /* short options that rule out a script file */
	char script_opt;        /* short option whose argument is the script */
	bool any_flag;          /* unknown short and long options are flags */
	bool clusters;          /* "-ab": several options in one argument */
	bool plus;              /* '+' starts options too (shells' "+o") */
	bool arg_is_next;       /* the argument is always the next one, the
	                           cluster goes on (shells' "-eo pipefail") */
	bool dash_ends;         /* a lone "-" ends the options, not stdin */
	const struct long_opt *longs;   /* ends with a NULL name */
};

static const struct long_opt python_longs[] = {
	{ "check-hash-based-pycs", L_ARG }, { "help", L_NO_SCRIPT }, { "version", L_NO_SCRIPT },
	{ "help-env", L_NO_SCRIPT }, { "help-xoptions", L_NO_SCRIPT }, { "help-all", L_NO_SCRIPT },
	{ NULL, L_FLAG },
};
static const struct long_opt none_longs[] = { { NULL, L_FLAG } };
static const struct long_opt ruby_longs[] = {
	{ "enable", L_ARG }, { "disable", L_ARG }, { "encoding", L_ARG },
	{ "external-encoding", L_ARG }, { "internal-encoding", L_ARG }, { "dump", L_ARG },
	{ "backtrace-limit", L_ARG }, { "crash-report", L_ARG }, { "version", L_NO_SCRIPT },
	{ "help", L_NO_SCRIPT }, { "copyright", L_NO_SCRIPT }, { NULL, L_FLAG },
};
static const struct long_opt node_longs[] = {
	{ "require", L_ARG }, { "import", L_ARG }, { "loader", L_ARG },
	{ "experimental-loader", L_ARG }, { "conditions", L_ARG }, { "input-type", L_ARG },
	{ "title", L_ARG }, { "env-file", L_ARG }, { "inspect-port", L_ARG },
	{ "debug-port", L_ARG }, { "redirect-warnings", L_ARG }, { "icu-data-dir", L_ARG },
	{ "openssl-config", L_ARG }, { "tls-cipher-list", L_ARG }, { "diagnostic-dir", L_ARG },
	{ "report-dir", L_ARG }, { "report-directory", L_ARG }, { "report-filename", L_ARG },
	{ "report-signal", L_ARG }, { "dns-result-order", L_ARG },
	{ "heapsnapshot-signal", L_ARG }, { "secure-heap", L_ARG }, { "secure-heap-min", L_ARG },
	{ "unhandled-rejections", L_ARG }, { "watch-path", L_ARG }, { "disable-warning", L_ARG },
	{ "eval", L_NO_SCRIPT }, { "print", L_NO_SCRIPT }, { "interactive", L_NO_SCRIPT },
	{ "version", L_NO_SCRIPT }, { "help", L_NO_SCRIPT }, { "test", L_NO_SCRIPT },
	{ "run", L_NO_SCRIPT }, { "v8-options", L_NO_SCRIPT }, { NULL, L_FLAG },
};
static const struct long_opt php_longs[] = {
	{ "ini", L_NO_SCRIPT }, { "rf", L_NO_SCRIPT }, { "rc", L_NO_SCRIPT },
	{ "re", L_NO_SCRIPT }, { "rz", L_NO_SCRIPT }, { "ri", L_NO_SCRIPT }, { NULL, L_FLAG },
};
static const struct long_opt shell_longs[] = {
	{ "rcfile", L_ARG }, { "init-file", L_ARG }, { "help", L_NO_SCRIPT },
	{ "version", L_NO_SCRIPT }, { NULL, L_FLAG },
};

static const struct syntax syntaxes[_PE_INTERP_MAX] = {
	[PE_INTERP_PYTHON] = { .flags = "bBdEiIOPqsSuvx", .arg = "WX", .no_script = "cmhV?",
	                       .clusters = true, .longs = python_longs },
	[PE_INTERP_PERL] = { .flags = "acfnpstTuUwWX", .arg = "I", .arg_rest = "CdDFimMx",
	                     .arg_octal = "0l",
	                     .no_script = "eEhvVS", .clusters = true, .longs = none_longs },
	[PE_INTERP_RUBY] = { .flags = "acdlnpsvwyU", .arg = "CEIr", .arg_rest = "FiKWx",
	                     .arg_octal = "0",
	                     .no_script = "ehS", .any_flag = true, .clusters = true,
	                     .longs = ruby_longs },
	[PE_INTERP_NODE] = { .arg = "rC", .no_script = "epivh", .any_flag = true,
	                     .longs = node_longs },
	[PE_INTERP_PHP] = { .flags = "CeHlnqsw", .arg = "cdtz", .no_script = "ahimrvSBREF",
	                    .script_opt = 'f', .any_flag = true, .longs = php_longs },
	[PE_INTERP_SHELL] = { .arg = "oO", .no_script = "cs", .any_flag = true, .clusters = true,
	                      .plus = true, .arg_is_next = true, .dash_ends = true,
	                      .longs = shell_longs },
};

/* What one option argument says. */
enum step {
	STEP_ON,                /* read the next argument */
	STEP_SKIP_NEXT,         /* the next argument is an option's value */
	STEP_SCRIPT_NEXT,       /* the next argument is the script */
	STEP_SCRIPT_HERE,       /* the script is attached (*at, *at_len) */
	STEP_NO_SCRIPT,         /* -ENOENT */
	STEP_INVALID,           /* -EINVAL */
};

static bool has(const char *set, char c)
{
	return set && c && strchr(set, c);
}

/* "--NAME[=VALUE]" (A, N bytes, N > 2). */
static enum step long_option(const struct syntax *sx, const char *a, size_t n)
{
	const char *name = a + 2, *eq = memchr(name, '=', n - 2);
	size_t name_len = eq ? (size_t)(eq - name) : n - 2;

	for (const struct long_opt *o = sx->longs; o->name; o++) {
		if (strlen(o->name) != name_len || memcmp(o->name, name, name_len) != 0)
			continue;
		if (o->kind == L_NO_SCRIPT)
			return STEP_NO_SCRIPT;
		return o->kind == L_ARG && !eq ? STEP_SKIP_NEXT : STEP_ON;
	}
	return sx->any_flag ? STEP_ON : STEP_INVALID;
}

/* The index of the last digit of the optional number after option A[I]
 * (I itself when none). */
static size_t skip_octal(const char *a, size_t n, size_t i)
{
	if (a[i] == '0' && i + 1 < n && a[i + 1] == 'x') {
		for (i++; i + 1 < n && strchr("0123456789abcdefABCDEF", a[i + 1]) && a[i + 1]; i++)
			;
		return i;
	}
	while (i + 1 < n && a[i + 1] >= '0' && a[i + 1] <= '7')
		i++;
	return i;
}

/* "-abc" or "+abc" (A, N bytes, N > 1): one option, or a cluster. */
static enum step short_options(const struct syntax *sx, const char *a, size_t n,
                               const char **at, size_t *at_len)
{
	enum step st = STEP_ON;

	for (size_t i = 1; i < n; i++) {
		char c = a[i];
		bool rest = i + 1 < n;

		if (c == '\0' || has(sx->no_script, c))
			return STEP_NO_SCRIPT;
		if (c == sx->script_opt) {
			if (!rest)
				return STEP_SCRIPT_NEXT;
			*at = a + i + 1;
			*at_len = n - i - 1;
			return STEP_SCRIPT_HERE;
		}
		if (has(sx->arg, c)) {
			if (sx->arg_is_next) {
				st = STEP_SKIP_NEXT;
				continue;
			}
			return rest ? STEP_ON : STEP_SKIP_NEXT;
		}
		if (has(sx->arg_rest, c))
			return STEP_ON;
		if (has(sx->arg_octal, c)) {
			i = skip_octal(a, n, i);
			continue;
		}
		if (!has(sx->flags, c) && !sx->any_flag)
			return STEP_INVALID;
		if (!sx->clusters)
			return STEP_ON;
	}
	return st;
}

/* The step argument A (N bytes) makes, which is not the script itself:
 * an option, "--" or "-". */
static enum step option_step(const struct syntax *sx, const char *a, size_t n,
                             const char **at, size_t *at_len)
{
	if (n == 1)
		return sx->dash_ends ? STEP_SCRIPT_NEXT : STEP_NO_SCRIPT;
	if (a[0] == '-' && a[1] == '-')
		return n == 2 ? STEP_SCRIPT_NEXT : long_option(sx, a, n);
	return short_options(sx, a, n, at, at_len);
}

static int found(const char *arg, size_t arg_len, const char **ret, size_t *ret_len)
{
	if (arg_len == 0)
		return -ENOENT;
	*ret = arg;
	*ret_len = arg_len;
	return 0;
}

int pe_script_arg(enum pe_interp kind, const char *buf, size_t len, size_t first,
                  const char **ret, size_t *ret_len)
{
	const struct syntax *sx;
	const char *a, *at = NULL;
	size_t pos = 0, n, at_len = 0;

	if (kind <= PE_INTERP_NONE || kind >= _PE_INTERP_MAX)
		return -EINVAL;
	sx = &syntaxes[kind];
	for (size_t i = 0; i <= first; i++)     /* up to the interpreter's argv[0] */
		if (!pe_cmdline_next(buf, len, &pos, &a, &n))
			return -ENOENT;
	while (pe_cmdline_next(buf, len, &pos, &a, &n)) {
		if (n == 0 || !(a[0] == '-' || (sx->plus && a[0] == '+')))
			return found(a, n, ret, ret_len);
		switch (option_step(sx, a, n, &at, &at_len)) {
		case STEP_ON:
			break;
		case STEP_SKIP_NEXT:
			if (!pe_cmdline_next(buf, len, &pos, &a, &n))
				return -ENOENT;
			break;
		case STEP_SCRIPT_NEXT:
			if (!pe_cmdline_next(buf, len, &pos, &a, &n))
				return -ENOENT;
			return found(a, n, ret, ret_len);
		case STEP_SCRIPT_HERE:
			return found(at, at_len, ret, ret_len);
		case STEP_NO_SCRIPT:
			return -ENOENT;
		case STEP_INVALID:
			return -EINVAL;
		}
	}
	return -ENOENT;
}
