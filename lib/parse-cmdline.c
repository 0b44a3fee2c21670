/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * /proc/PID/cmdline: the arguments, each followed by a NUL.  The final NUL
 * may be missing (a process that overwrote its arguments, or a truncated
 * read), so a NUL ends an argument and the end of the buffer ends the last
 * one; an empty buffer holds no argument, "\0" holds one empty argument.
 */
#include <errno.h>
#include <string.h>

#include "parse.h"

bool pe_cmdline_next(const char *buf, size_t len, size_t *pos,
                     const char **arg, size_t *arg_len)
{
	const char *s, *nul;

	if (*pos >= len)
		return false;
	s = buf + *pos;
	nul = memchr(s, '\0', len - *pos);
	if (nul) {
		*arg_len = (size_t)(nul - s);
		*pos += *arg_len + 1;
	} else {
		*arg_len = len - *pos;
		*pos = len;
	}
	*arg = s;
	return true;
}

int pe_cmdline_arg(const char *buf, size_t len, size_t index,
                   const char **ret, size_t *ret_len)
{
	const char *arg;
	size_t pos = 0, arg_len, i = 0;

	while (pe_cmdline_next(buf, len, &pos, &arg, &arg_len)) {
		if (i++ == index) {
			*ret = arg;
			*ret_len = arg_len;
			return 0;
		}
	}
	return -ENOENT;
}

/*
 * Options of the glibc dynamic loader (2.36) that may precede the program.
 * Those taking an argument accept it as the next argument or, as musl's
 * loader also does, after '='.  The --list, --help, ... modes make the
 * loader exit, but a process may still be seen before it does.
 */
static const struct loader_opt {
	const char *name;       /* without the leading "--" */
	bool has_arg;
} loader_opts[] = {
	{ "argv0", true },
	{ "audit", true },
	{ "glibc-hwcaps-mask", true },
	{ "glibc-hwcaps-prefix", true },
	{ "help", false },
	{ "inhibit-cache", false },
	{ "inhibit-rpath", true },
	{ "library-path", true },
	{ "list", false },
	{ "list-diagnostics", false },
	{ "list-tunables", false },
	{ "preload", true },
	{ "verify", false },
	{ "version", false },
};

static const struct loader_opt *find_loader_opt(const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof(loader_opts) / sizeof(loader_opts[0]); i++) {
		const char *o = loader_opts[i].name;

		if (strlen(o) == len && memcmp(o, name, len) == 0)
			return &loader_opts[i];
	}
	return NULL;
}

/*
 * Returns 0 with *RET_INDEX set, -ENOENT when the arguments end before the
 * program (including an option missing its argument), -EINVAL on an
 * argument starting with "--" that is not a known option (the loader
 * refuses those, so the command line is not the loader's own).
 */
int pe_loader_program_index(const char *buf, size_t len, size_t *ret_index)
{
	const char *arg;
	size_t pos = 0, arg_len, index = 0;

	/* argv[0]: the loader itself */
	if (!pe_cmdline_next(buf, len, &pos, &arg, &arg_len))
		return -ENOENT;

	while (pe_cmdline_next(buf, len, &pos, &arg, &arg_len)) {
		const struct loader_opt *opt;
		const char *name, *eq;
		size_t name_len;

		index++;
		/* The first argument not starting with "--" is the program. */
		if (arg_len < 2 || arg[0] != '-' || arg[1] != '-') {
			*ret_index = index;
			return 0;
		}
		if (arg_len == 2) {
			/* "--": the next argument is the program, whatever it is. */
			if (!pe_cmdline_next(buf, len, &pos, &arg, &arg_len))
				return -ENOENT;
			*ret_index = index + 1;
			return 0;
		}

		name = arg + 2;
		name_len = arg_len - 2;
		eq = memchr(name, '=', name_len);
		if (eq)
			name_len = (size_t)(eq - name);
		opt = find_loader_opt(name, name_len);
		if (!opt || (eq && !opt->has_arg))
			return -EINVAL;
		if (opt->has_arg && !eq) {
			if (!pe_cmdline_next(buf, len, &pos, &arg, &arg_len))
				return -ENOENT;
			index++;
		}
	}
	return -ENOENT;
}
