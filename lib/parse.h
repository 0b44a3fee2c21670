/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Pure parsers for procfs and ELF data.  No I/O, no allocation unless
 * stated: each takes a buffer and its length (not necessarily
 * NUL-terminated) and returns 0 or a negative errno (-EINVAL for malformed
 * input).  Every one has a unit test and a fuzz target.
 */
#ifndef PROCEXE_PARSE_H
#define PROCEXE_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* /proc/PID/stat.  comm is found between the first '(' and the LAST ')'. */
struct pe_stat {
	pid_t pid;
	char comm[64];         /* NUL-terminated, truncated to 63 bytes */
	char state;            /* 'R', 'S', 'Z', 'X', ... */
	pid_t ppid;
	unsigned long flags;   /* field 9: PF_* flags */
	uint64_t starttime;    /* field 22: clock ticks after boot */
};
#define PE_PF_KTHREAD 0x00200000UL
int pe_parse_stat(const char *buf, size_t len, struct pe_stat *ret);

/*
 * /proc/PID/mountinfo: call CB with the mount id (first field) of every
 * line; stops early and returns CB's value when it is non-zero.
 */
int pe_parse_mountinfo_ids(const char *buf, size_t len,
                           int (*cb)(uint64_t mnt_id, void *userdata), void *userdata);

/* One line of /proc/PID/maps. */
struct pe_map {
	uint64_t start, end, offset;
	char perms[5];          /* "r-xp", NUL-terminated */
	unsigned dev_major, dev_minor; /* printed in hex by the kernel */
	uint64_t ino;
	const char *path;       /* points into the input; NULL for no path */
	size_t path_len;        /* raw, still escaped (\012), without " (deleted)" */
	bool deleted;           /* path ends in " (deleted)" (path_len excludes it) */
};
/*
 * Parse the next line at *CURSOR (up to END); advances *CURSOR past the
 * newline.  Returns 1 with *RET filled (path NULL for anonymous mappings),
 * 0 at the end of the buffer, -EINVAL for a malformed line or -ERANGE for
 * a number that overflows (the cursor still advances past the line).
 */
int pe_maps_next(const char **cursor, const char *end, struct pe_map *ret);

/*
 * The same, skipping lines that name no file: anonymous mappings and the
 * kernel's "[heap]", "[stack]", "[vdso]", "[anon:...]"...  (names not
 * starting with '/').  Lines too short to hold a name are not parsed.
 */
int pe_maps_next_file(const char **cursor, const char *end, struct pe_map *ret);

/*
 * Undo the kernel's maps escaping ("\012" -> '\n') of SRC into DST, which
 * holds at least SRC_LEN + 1 bytes; returns the unescaped length.  Note a
 * literal "\012" in a file name is indistinguishable (kernel limitation).
 */
size_t pe_maps_unescape(const char *src, size_t src_len, char *dst);

/*
 * /proc/PID/cmdline, argument by argument: step to the argument at *POS
 * (0 to start).  Returns false when there is none left; otherwise points
 * *ARG and *ARG_LEN into BUF at it and moves *POS past its NUL.
 */
bool pe_cmdline_next(const char *buf, size_t len, size_t *pos, const char **arg,
                     size_t *arg_len);

/*
 * /proc/PID/cmdline: the argument at INDEX (0 = argv[0]) of the
 * NUL-separated list.  Returns 0 with *RET and *RET_LEN pointing into BUF,
 * -ENOENT when there are fewer arguments.
 */
int pe_cmdline_arg(const char *buf, size_t len, size_t index,
                   const char **ret, size_t *ret_len);

/*
 * For "LOADER [options] PROGRAM args" command lines: index of PROGRAM,
 * skipping the loader's own options (--library-path DIR, --preload LIST,
 * --argv0 NAME, --audit LIST, --inhibit-cache, --inhibit-rpath LIST,
 * --glibc-hwcaps-prefix DIR, --glibc-hwcaps-mask LIST, --list, --verify,
 * "--" ...).  -ENOENT when there is no program argument.
 */
int pe_loader_program_index(const char *buf, size_t len, size_t *ret_index);

/* /proc/PID/auxv (native word size): the value of entry TYPE; -ENOENT if absent. */
int pe_auxv_get(const void *buf, size_t len, unsigned long type, unsigned long *ret);

/*
 * ELF header plus program headers (the first bytes of a file, native class
 * and endianness).  -EINVAL when not ELF or truncated before what is needed.
 */
struct pe_elf_info {
	uint16_t type;          /* ET_EXEC, ET_DYN, ... */
	bool has_interp;        /* has a PT_INTERP program header */
	uint64_t interp_off;    /* file offset / size of the interpreter path */
	uint64_t interp_size;
};
int pe_parse_elf(const void *buf, size_t len, struct pe_elf_info *ret);

/* True when NAME (a base name) looks like a dynamic loader:
 * ld-linux-ARCH.so.N, ld.so.N, ld-VERSION.so, ld-musl-ARCH.so.N. */
bool pe_is_loader_name(const char *name, size_t len);

/* /proc/PID/status: the value of field KEY ("NSpid", "Uid", ...), trimmed.
 * -ENOENT when absent. */
int pe_status_field(const char *buf, size_t len, const char *key,
                    const char **ret, size_t *ret_len);

/*
 * /proc/PID/cgroup ("ID:CONTROLLERS:PATH" lines): the cgroup path that says
 * where the process is.  Returns 0 with *RET and *RET_LEN pointing into BUF
 * at the PATH of the v2 line ("0::PATH") unless that is "/" or empty, else
 * of the v1 line whose controller list is exactly "name=systemd" unless
 * that is "/" or empty, else of whichever of the two exists (v2 first);
 * -ENOENT when neither exists.  PATH is raw (any byte but '\n') and may be
 * empty.  The first line of each kind counts; malformed lines are skipped.
 */
int pe_cgroup_path(const char *buf, size_t len, const char **ret, size_t *ret_len);

/*
 * Interpreters whose script procexe judges (parse-interp.c).  Decided by
 * the base name of the executable: a known name ("python", "perl",
 * "ruby", "node", "nodejs", "php", "sh", "bash", "dash", "zsh", "ksh",
 * "mksh", "ash", ...) followed by nothing, by a version ("python3.11",
 * "perl5.36-x86_64-linux-gnu": the rest starts with a digit) or by '-'
 * and a version ("zsh-5.9").
 */
enum pe_interp {
	PE_INTERP_NONE = 0,
	PE_INTERP_PYTHON,
	PE_INTERP_PERL,
	PE_INTERP_RUBY,
	PE_INTERP_NODE,
	PE_INTERP_PHP,
	PE_INTERP_SHELL,
	_PE_INTERP_MAX
};
/* The interpreter the base name NAME (LEN bytes, any bytes) denotes; NONE
 * for any other name (also one holding a NUL or '/'). */
enum pe_interp pe_interp_of(const char *name, size_t len);

/*
 * The script file that interpreter KIND runs, from the command line BUF
 * (LEN bytes, as /proc/PID/cmdline) whose argument FIRST is the
 * interpreter's argv[0] (0; for "ld.so INTERP ..." the program's index):
 * the first argument after the interpreter's own options ("python3 -u
 * x.py", "perl -w x.pl", "bash -e x.sh", "node --inspect x.js", "php -f
 * x.php", "--" ends the options).  Returns 0 with *RET, *RET_LEN (> 0, no
 * NUL) pointing into BUF; -ENOENT when there is no script file (command
 * text: "sh -c", "perl -e", "python3 -c", "node -e"; a module: "python3
 * -m"; standard input: "-", "sh -s"; a PATH search: "perl -S", "ruby -S";
 * a mode that exits: --version, --help; no argument left); -EINVAL for an
 * option the interpreter refuses (the command line is not its own).
 * Options taking an argument are skipped with it, attached or next.
 */
int pe_script_arg(enum pe_interp kind, const char *buf, size_t len, size_t first,
                  const char **ret, size_t *ret_len);

#endif /* PROCEXE_PARSE_H */
