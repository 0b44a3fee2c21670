/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The running kernel and CPU microcode against the newest installed ones,
 * for `procexe restart`.  The parsing and decision functions are pure
 * (no I/O, no allocation); kernel_status_read() and microcode_status_read()
 * do the reading below a root directory ("/" in the command; a fake layout
 * in the tests).  Nothing here prints or exits.
 */
#ifndef PROCEXE_KERNEL_STATUS_H
#define PROCEXE_KERNEL_STATUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum kstate {
	KSTATE_UNKNOWN,
	KSTATE_CURRENT,
	KSTATE_ABI_UPGRADE,     /* same release, the installed image is another build */
	KSTATE_VERSION_UPGRADE, /* a newer release is installed */
};

enum ucstate {
	UCSTATE_UNKNOWN,
	UCSTATE_CURRENT,
	UCSTATE_UPGRADE,
};

/* "unknown", "current", "abi-upgrade", "version-upgrade". */
const char *kstate_name(enum kstate s);
/* "unknown", "current", "upgrade". */
const char *ucstate_name(enum ucstate s);

#define KS_NAME_MAX 256
#define KS_REASON_MAX 640

/* Strings are NUL-terminated; an empty running/newest means unknown. */
struct kernel_status {
	char running[KS_NAME_MAX];      /* release of the running kernel */
	char newest[KS_NAME_MAX];       /* newest installed release */
	enum kstate state;
	char reason[KS_REASON_MAX];     /* always set: why this state */
};

struct microcode_status {
	char running[32];               /* "0x..." lowest revision among the CPUs */
	char newest[32];                /* "0x..." newest revision available */
	enum ucstate state;
	char reason[KS_REASON_MAX];
};

/*
 * Compare two version strings as dpkg does (its verrevcmp: runs of
 * non-digits compared with '~' first, then the end, then letters, then the
 * other bytes; runs of digits compared as numbers, of any length).
 * <0, 0, >0.
 */
int kver_cmp(const char *a, const char *b);

/*
 * The build part of a kernel version text (/proc/version, or the string
 * an image embeds): from the first " #" to the end of the first line,
 * trailing blanks removed.  Returns a pointer into S (N bytes) and *LEN,
 * or NULL when there is no " #".
 */
const char *kbuild_part(const char *s, size_t n, size_t *len);

/*
 * The version string embedded in an x86 boot image (the boot protocol's
 * "HdrS" header, version >= 2.00, kernel_version field): 0 with *RET
 * pointing into BUF and *LEN its length (to the NUL, inside BUF), or
 * -EINVAL when BUF (N bytes from the start of the file) holds none.
 */
int kimage_version(const unsigned char *buf, size_t n, const char **ret, size_t *len);

/* The facts kernel_decide() works from; NULL for what is unknown. */
struct kernel_facts {
	const char *running;            /* release of the running kernel */
	const char *running_build;      /* kbuild_part() of /proc/version */
	const char *const *installed;   /* releases that have an image */
	size_t ninstalled;
	const char *newest_build;       /* kbuild_part() of the newest image's string */
	const char *where;              /* where images were looked for (reason text) */
};

/*
 * The newest of F->installed (by kver_cmp()), NULL when none.
 */
const char *kernel_newest(const struct kernel_facts *f);

/*
 * The state from F into KS (every field set).  F->newest_build is the
 * build of kernel_newest()'s image.  Never KSTATE_CURRENT unless the
 * running release is the newest installed one and both builds are known
 * and equal.
 */
void kernel_decide(const struct kernel_facts *f, struct kernel_status *ks);

/*
 * The release and build of the running kernel (ROOT/proc/sys/kernel/
 * osrelease, ROOT/proc/version), the images in ROOT/boot (vmlinuz-REL,
 * vmlinux-REL), ROOT/lib/modules/REL/vmlinuz and ROOT/usr/lib/modules/
 * REL/vmlinuz, then kernel_decide().  A modules directory without an image
 * is not an installed kernel.  ROOT: "/" for the host.
 */
void kernel_status_read(const char *root, struct kernel_status *ks);

/* The CPU as /proc/cpuinfo describes its first processor. */
struct cpu_id {
	enum { CPU_OTHER, CPU_INTEL, CPU_AMD } vendor;
	unsigned family, model, stepping;
};

/* Parse the first processor block of /proc/cpuinfo TEXT (N bytes): 0 or
 * -EINVAL when a field is missing. */
int cpuinfo_parse(const char *text, size_t n, struct cpu_id *id);

/* The CPUID(1).EAX signature of ID. */
uint32_t cpu_signature(const struct cpu_id *id);

/*
 * The newest revision for signature SIG and platform flags PF (0: any) in
 * an Intel microcode file (BUF, N bytes: updates one after the other,
 * extended signature tables included).  0 with *REV, -ENOENT when no
 * update applies, -EINVAL when the file is malformed before one applied.
 */
int intel_ucode_newest(const unsigned char *buf, size_t n, uint32_t sig, uint32_t pf,
                       uint32_t *rev);

/*
 * The same for an AMD container file (one or more containers: an
 * equivalence table mapping SIG to an equivalence ID, then patches).
 */
int amd_ucode_newest(const unsigned char *buf, size_t n, uint32_t sig, uint32_t *rev);

/*
 * The microcode state into MS: HAVE_RUNNING/RUNNING the CPUs' revision,
 * NEWEST_R the result of the *_ucode_newest() call (or -ENOENT for no
 * file), NEWEST its revision, WHAT the file looked at (reason text).
 */
void microcode_decide(bool have_running, uint32_t running, int newest_r, uint32_t newest,
                      const char *what, struct microcode_status *ms);

/*
 * ROOT/sys/devices/system/cpu/cpu*\/microcode/version (the lowest),
 * processor_flags, ROOT/proc/cpuinfo and the file of ROOT/lib/firmware/
 * intel-ucode or amd-ucode for the CPU, then microcode_decide() or an
 * unknown state with its reason.
 */
void microcode_status_read(const char *root, struct microcode_status *ms);

#endif /* PROCEXE_KERNEL_STATUS_H */
