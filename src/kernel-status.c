/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Kernel and microcode status (kernel-status.h): the pure parsers and
 * decisions first, then the reading below a root directory.  The files
 * read (/boot, /lib/modules, /proc, /sys, /lib/firmware) belong to root;
 * they are still opened without following a last symlink, must be regular
 * files, and are read up to a bound.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kernel-status.h"
#include "restart-root.h"

static const char *const knames[] = {
	[KSTATE_UNKNOWN] = "unknown", [KSTATE_CURRENT] = "current",
	[KSTATE_ABI_UPGRADE] = "abi-upgrade", [KSTATE_VERSION_UPGRADE] = "version-upgrade",
};
static const char *const ucnames[] = {
	[UCSTATE_UNKNOWN] = "unknown", [UCSTATE_CURRENT] = "current", [UCSTATE_UPGRADE] = "upgrade",
};

const char *kstate_name(enum kstate s)
{
	return (unsigned)s < sizeof(knames) / sizeof(knames[0]) ? knames[s] : NULL;
}

const char *ucstate_name(enum ucstate s)
{
	return (unsigned)s < sizeof(ucnames) / sizeof(ucnames[0]) ? ucnames[s] : NULL;
}

/* ------------------------------------------------------ versions --- */

/* dpkg's order of a byte in a non-digit run: '~' < end < letters < others. */
static int vorder(int c)
{
	if (isdigit(c))
		return 0;
	if (isalpha(c))
		return c;
	if (c == '~')
		return -1;
	if (c)
		return c + 256;
	return 0;
}

int kver_cmp(const char *a, const char *b)
{
	while (*a || *b) {
		int first_diff = 0;

		while ((*a && !isdigit((unsigned char)*a)) || (*b && !isdigit((unsigned char)*b))) {
			int ac = vorder((unsigned char)*a), bc = vorder((unsigned char)*b);

			if (ac != bc)
				return ac - bc;
			a++;
			b++;
		}
		while (*a == '0')
			a++;
		while (*b == '0')
			b++;
		while (isdigit((unsigned char)*a) && isdigit((unsigned char)*b)) {
			if (!first_diff)
				first_diff = *a - *b;
			a++;
			b++;
		}
		if (isdigit((unsigned char)*a))
			return 1;
		if (isdigit((unsigned char)*b))
			return -1;
		if (first_diff)
			return first_diff;
	}
	return 0;
}

const char *kbuild_part(const char *s, size_t n, size_t *len)
{
	const char *end = memchr(s, '\n', n), *p;

	if (!end)
		end = s + n;
	for (p = s; p + 1 < end; p++)
		if (p[0] == ' ' && p[1] == '#')
			break;
	if (p + 1 >= end)
		return NULL;
	p++;
	while (end > p && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\0'))
		end--;
	*len = (size_t)(end - p);
	return p;
}

static uint16_t le16(const unsigned char *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int kimage_version(const unsigned char *buf, size_t n, const char **ret, size_t *len)
{
	size_t off;
	const unsigned char *nul;

	if (n < 0x210 || memcmp(buf + 0x202, "HdrS", 4) != 0 || le16(buf + 0x206) < 0x200)
		return -EINVAL;
	off = (size_t)le16(buf + 0x20e) + 0x200;
	if (off >= n)
		return -EINVAL;
	nul = memchr(buf + off, '\0', n - off);
	if (!nul || nul == buf + off)
		return -EINVAL;
	*ret = (const char *)buf + off;
	*len = (size_t)(nul - (buf + off));
	return 0;
}

/* ------------------------------------------------- kernel decision --- */

const char *kernel_newest(const struct kernel_facts *f)
{
	const char *newest = NULL;

	for (size_t i = 0; i < f->ninstalled; i++)
		if (!newest || kver_cmp(f->installed[i], newest) > 0)
			newest = f->installed[i];
	return newest;
}

static bool installed_has(const struct kernel_facts *f, const char *rel)
{
	for (size_t i = 0; i < f->ninstalled; i++)
		if (strcmp(f->installed[i], rel) == 0)
			return true;
	return false;
}

static void set_kernel(struct kernel_status *ks, enum kstate s, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set_kernel(struct kernel_status *ks, enum kstate s, const char *fmt, ...)
{
	va_list ap;

	ks->state = s;
	va_start(ap, fmt);
	vsnprintf(ks->reason, sizeof(ks->reason), fmt, ap);
	va_end(ap);
}

void kernel_decide(const struct kernel_facts *f, struct kernel_status *ks)
{
	const char *newest = kernel_newest(f), *where = f->where ? f->where : "/boot";

	snprintf(ks->running, sizeof(ks->running), "%s", f->running ? f->running : "");
	snprintf(ks->newest, sizeof(ks->newest), "%s", newest ? newest : "");
	if (!f->running)
		return set_kernel(ks, KSTATE_UNKNOWN, "the release of the running kernel is unknown");
	if (!newest)
		return set_kernel(ks, KSTATE_UNKNOWN, "no kernel image is installed (none in %s)",
		                  where);
	if (kver_cmp(newest, f->running) > 0)
		return set_kernel(ks, KSTATE_VERSION_UPGRADE,
		                  "kernel %.200s is installed, %.200s runs", newest, f->running);
	if (!installed_has(f, f->running))
		return set_kernel(ks, KSTATE_UNKNOWN,
		                  "the running kernel %.200s has no installed image (newest: %.200s)",
		                  f->running, newest);
	if (!f->newest_build)
		return set_kernel(ks, KSTATE_UNKNOWN,
		                  "the build of the installed image of %.200s cannot be read",
		                  f->running);
	if (!f->running_build)
		return set_kernel(ks, KSTATE_UNKNOWN,
		                  "the build of the running kernel is unknown (/proc/version)");
	if (strcmp(f->newest_build, f->running_build) != 0)
		return set_kernel(ks, KSTATE_ABI_UPGRADE,
		                  "the image of %.200s was replaced by another build", f->running);
	set_kernel(ks, KSTATE_CURRENT, "the running kernel is the newest installed");
}

/* ------------------------------------------------------- microcode --- */

/* The value of "KEY<blanks>: VALUE" at LINE (LEN bytes), or NULL. */
static const char *cpuinfo_value(const char *line, size_t len, const char *key, size_t *vlen)
{
	size_t k = strlen(key), i;

	if (len < k || memcmp(line, key, k) != 0)
		return NULL;
	for (i = k; i < len && (line[i] == ' ' || line[i] == '\t'); i++)
		;
	if (i >= len || line[i] != ':')
		return NULL;
	for (i++; i < len && line[i] == ' '; i++)
		;
	*vlen = len - i;
	return line + i;
}

static bool value_uint(const char *v, size_t n, unsigned *ret)
{
	unsigned long x = 0;

	if (n == 0 || n > 9)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (!isdigit((unsigned char)v[i]))
			return false;
		x = x * 10 + (unsigned long)(v[i] - '0');
	}
	*ret = (unsigned)x;
	return true;
}

int cpuinfo_parse(const char *text, size_t n, struct cpu_id *id)
{
	const char *p = text, *end = text + n;
	unsigned seen = 0;

	*id = (struct cpu_id){ .vendor = CPU_OTHER };
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *v;
		size_t len = (size_t)((nl ? nl : end) - p), vn;

		if (len == 0 && seen)   /* the end of the first processor block */
			break;
		if ((v = cpuinfo_value(p, len, "vendor_id", &vn))) {
			id->vendor = vn == 12 && !memcmp(v, "GenuineIntel", 12) ? CPU_INTEL :
			             vn == 12 && !memcmp(v, "AuthenticAMD", 12) ? CPU_AMD : CPU_OTHER;
			seen |= 1;
		} else if ((v = cpuinfo_value(p, len, "cpu family", &vn)) &&
		           value_uint(v, vn, &id->family)) {
			seen |= 2;
		} else if ((v = cpuinfo_value(p, len, "model", &vn)) && value_uint(v, vn, &id->model)) {
			seen |= 4;
		} else if ((v = cpuinfo_value(p, len, "stepping", &vn)) &&
		           value_uint(v, vn, &id->stepping)) {
			seen |= 8;
		}
		p = nl ? nl + 1 : end;
	}
	return seen == 15 ? 0 : -EINVAL;
}

uint32_t cpu_signature(const struct cpu_id *id)
{
	unsigned fam = id->family, base = fam > 0xf ? 0xf : fam, ext = fam > 0xf ? fam - 0xf : 0;

	return (id->stepping & 0xf) | (id->model & 0xf) << 4 | base << 8 |
	       ((id->model >> 4) & 0xf) << 16 | (ext & 0xff) << 20;
}

#define INTEL_HDR 48
#define INTEL_EXT_HDR 20
#define INTEL_EXT_SIG 12

static bool intel_sig_matches(uint32_t hsig, uint32_t hpf, uint32_t sig, uint32_t pf)
{
	return hsig == sig && (pf == 0 || (hpf & pf) != 0);
}

/* Does the update at U (TOTAL bytes, DATA of data) carry SIG/PF in its
 * extended signature table? */
static bool intel_ext_matches(const unsigned char *u, size_t total, size_t data, uint32_t sig,
                              uint32_t pf)
{
	size_t off = INTEL_HDR + data, count;

	if (total < off + INTEL_EXT_HDR)
		return false;
	count = le32(u + off);
	off += INTEL_EXT_HDR;
	for (size_t i = 0; i < count && off + INTEL_EXT_SIG <= total; i++, off += INTEL_EXT_SIG)
		if (intel_sig_matches(le32(u + off), le32(u + off + 4), sig, pf))
			return true;
	return false;
}

int intel_ucode_newest(const unsigned char *buf, size_t n, uint32_t sig, uint32_t pf,
                       uint32_t *rev)
{
	size_t off = 0;
	bool found = false;

	while (n - off >= INTEL_HDR) {
		const unsigned char *u = buf + off;
		size_t data = le32(u + 28), total = le32(u + 32);

		if (le32(u) != 1)
			return found ? 0 : -EINVAL;
		if (data == 0)
			data = 2000;
		if (total == 0)
			total = 2048;
		if (total < INTEL_HDR + data || total > n - off)
			return found ? 0 : -EINVAL;
		if (intel_sig_matches(le32(u + 12), le32(u + 24), sig, pf) ||
		    intel_ext_matches(u, total, data, sig, pf)) {
			if (!found || le32(u + 4) > *rev)
				*rev = le32(u + 4);
			found = true;
		}
		off += total;
	}
	return found ? 0 : -ENOENT;
}

#define AMD_MAGIC 0x00414d44u
#define AMD_EQUIV_ENTRY 16
#define AMD_PATCH_REV_ID 24     /* offset of processor_rev_id in a patch */

/* The equivalence ID of SIG in the table at T (N bytes), 0 when none. */
static uint16_t amd_equiv(const unsigned char *t, size_t n, uint32_t sig)
{
	for (size_t off = 0; off + AMD_EQUIV_ENTRY <= n; off += AMD_EQUIV_ENTRY) {
		if (le32(t + off) == 0)
			break;
		if (le32(t + off) == sig)
			return le16(t + off + 12);
	}
	return 0;
}

/* One container at BUF+*OFF: its patches for SIG into *REV and *FOUND; advances
 * *OFF past it.  -EINVAL when malformed. */
static int amd_container(const unsigned char *buf, size_t n, size_t *off, uint32_t sig,
                         uint32_t *rev, bool *found)
{
	size_t o = *off, size;
	uint16_t equiv;

	if (n - o < 12 || le32(buf + o) != AMD_MAGIC || le32(buf + o + 4) != 0)
		return -EINVAL;
	size = le32(buf + o + 8);
	if (size > n - o - 12)
		return -EINVAL;
	equiv = amd_equiv(buf + o + 12, size, sig);
	o += 12 + size;
	while (n - o >= 8 && le32(buf + o) == 1) {
		size = le32(buf + o + 4);
		if (size > n - o - 8)
			return -EINVAL;
		if (equiv && size >= AMD_PATCH_REV_ID + 2 &&
		    le16(buf + o + 8 + AMD_PATCH_REV_ID) == equiv) {
			uint32_t r = le32(buf + o + 8 + 4);

			if (!*found || r > *rev)
				*rev = r;
			*found = true;
		}
		o += 8 + size;
	}
	*off = o;
	return 0;
}

int amd_ucode_newest(const unsigned char *buf, size_t n, uint32_t sig, uint32_t *rev)
{
	size_t off = 0;
	bool found = false;

	while (off < n)
		if (amd_container(buf, n, &off, sig, rev, &found) < 0)
			return found ? 0 : -EINVAL;
	return found ? 0 : -ENOENT;
}

static void set_uc(struct microcode_status *ms, enum ucstate s, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set_uc(struct microcode_status *ms, enum ucstate s, const char *fmt, ...)
{
	va_list ap;

	ms->state = s;
	va_start(ap, fmt);
	vsnprintf(ms->reason, sizeof(ms->reason), fmt, ap);
	va_end(ap);
}

void microcode_decide(bool have_running, uint32_t running, int newest_r, uint32_t newest,
                      const char *what, struct microcode_status *ms)
{
	ms->running[0] = ms->newest[0] = '\0';
	if (have_running)
		snprintf(ms->running, sizeof(ms->running), "0x%x", running);
	if (newest_r == 0)
		snprintf(ms->newest, sizeof(ms->newest), "0x%x", newest);
	if (!have_running)
		return set_uc(ms, UCSTATE_UNKNOWN, "the CPU reports no microcode revision");
	if (newest_r == -ENOENT)
		return set_uc(ms, UCSTATE_CURRENT, "no update for this CPU in %.300s", what);
	if (newest_r < 0)
		return set_uc(ms, UCSTATE_UNKNOWN, "%.300s cannot be parsed", what);
	if (newest > running)
		return set_uc(ms, UCSTATE_UPGRADE, "revision 0x%x is available in %.300s",
		              newest, what);
	set_uc(ms, UCSTATE_CURRENT, "no newer revision in %.300s", what);
}

/* ------------------------------------------------------------ I/O --- */

/* ROOT/REL as one NUL-terminated line (the newline removed); false if
 * unreadable or empty. */
static bool read_line_rel(const char *root, const char *rel, char *buf, size_t size)
{
	ssize_t n = restart_read_file(root, rel, buf, size - 1, NULL);
	char *nl;

	if (n <= 0)
		return false;
	buf[n] = '\0';
	nl = strchr(buf, '\n');
	if (nl)
		*nl = '\0';
	return buf[0] != '\0';
}

/* The kernel releases that have an image, and where each image is. */
struct images {
	char **rel, **path;
	size_t n;
};

static void images_add(struct images *im, const char *rel, const char *path)
{
	char **r, **p;

	for (size_t i = 0; i < im->n; i++)
		if (strcmp(im->rel[i], rel) == 0)
			return;
	r = realloc(im->rel, (im->n + 1) * sizeof(*r));
	if (r)
		im->rel = r;
	p = realloc(im->path, (im->n + 1) * sizeof(*p));
	if (p)
		im->path = p;
	if (!r || !p)
		return;
	im->rel[im->n] = strdup(rel);
	im->path[im->n] = strdup(path);
	if (!im->rel[im->n] || !im->path[im->n]) {
		free(im->rel[im->n]);
		free(im->path[im->n]);
		return;
	}
	im->n++;
}

static void images_free(struct images *im)
{
	for (size_t i = 0; i < im->n; i++) {
		free(im->rel[i]);
		free(im->path[i]);
	}
	free(im->rel);
	free(im->path);
}

/* A release name: starts with a digit (not Arch's "vmlinuz-linux", whose
 * release is in /usr/lib/modules), no '/', not a rescue, backup or signed
 * copy. */
static bool release_ok(const char *rel)
{
	size_t n = strlen(rel);

	return n > 0 && n < KS_NAME_MAX && isdigit((unsigned char)rel[0]) && !strchr(rel, '/') &&
	       !strstr(rel, "rescue") &&
	       !strstr(rel, ".dpkg-") && !(n > 4 && strcmp(rel + n - 4, ".old") == 0) &&
	       !strstr(rel, ".efi.signed");
}

/* ROOT/boot/vmlinuz-REL and vmlinux-REL. */
static void images_boot(const char *root, struct images *im)
{
	char dir[4096], rel[4096];
	struct dirent *de;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/boot", root);
	d = opendir(dir);
	if (!d)
		return;
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, "vmlinuz-", 8) != 0 && strncmp(de->d_name, "vmlinux-", 8) != 0)
			continue;
		if (!release_ok(de->d_name + 8))
			continue;
		snprintf(rel, sizeof(rel), "boot/%s", de->d_name);
		images_add(im, de->d_name + 8, rel);
	}
	closedir(d);
}

/* ROOT/MODS/REL/vmlinuz (MODS: lib/modules, usr/lib/modules). */
static void images_modules(const char *root, const char *mods, struct images *im)
{
	char dir[4096], rel[4096];
	struct dirent *de;
	struct stat st;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/%s", root, mods);
	d = opendir(dir);
	if (!d)
		return;
	while ((de = readdir(d))) {
		if (!release_ok(de->d_name))
			continue;
		snprintf(rel, sizeof(rel), "%s/%s/vmlinuz", mods, de->d_name);
		if (fstatat(dirfd(d), rel + strlen(mods) + 1, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISREG(st.st_mode))
			images_add(im, de->d_name, rel);
	}
	closedir(d);
}

#define IMAGE_HEAD (64 * 1024)

/* The build part of the version string of the image ROOT/REL into BUILD. */
static bool image_build(const char *root, const char *rel, char *build, size_t size)
{
	unsigned char *buf = malloc(IMAGE_HEAD);
	const char *v, *b;
	size_t vn, bn;
	ssize_t n;
	bool ok = false;

	if (!buf)
		return false;
	n = restart_read_file(root, rel, buf, IMAGE_HEAD, NULL);
	if (n > 0 && kimage_version(buf, (size_t)n, &v, &vn) == 0 &&
	    (b = kbuild_part(v, vn, &bn)) && bn < size) {
		memcpy(build, b, bn);
		build[bn] = '\0';
		ok = true;
	}
	free(buf);
	return ok;
}

void kernel_status_read(const char *root, struct kernel_status *ks)
{
	char running[KS_NAME_MAX], version[1024], rbuild[1024], nbuild[1024];
	struct images im = { 0 };
	struct kernel_facts f = { .where = "/boot, /lib/modules, /usr/lib/modules" };
	const char *newest, *b;
	size_t bn;

	if (read_line_rel(root, "proc/sys/kernel/osrelease", running, sizeof(running)))
		f.running = running;
	if (read_line_rel(root, "proc/version", version, sizeof(version)) &&
	    (b = kbuild_part(version, strlen(version), &bn)) && bn < sizeof(rbuild)) {
		memcpy(rbuild, b, bn);
		rbuild[bn] = '\0';
		f.running_build = rbuild;
	}
	images_boot(root, &im);
	images_modules(root, "lib/modules", &im);
	images_modules(root, "usr/lib/modules", &im);
	f.installed = (const char *const *)im.rel;
	f.ninstalled = im.n;
	newest = kernel_newest(&f);
	for (size_t i = 0; newest && i < im.n; i++)
		if (strcmp(im.rel[i], newest) == 0 &&
		    image_build(root, im.path[i], nbuild, sizeof(nbuild)))
			f.newest_build = nbuild;
	kernel_decide(&f, ks);
	images_free(&im);
}

/* A "0x..." hexadecimal number (a sysfs microcode file). */
static bool parse_hex(const char *s, uint32_t *ret)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 16);
	if (errno || end == s || *end || v > UINT32_MAX)
		return false;
	*ret = (uint32_t)v;
	return true;
}

/* The lowest microcode revision among ROOT/sys/devices/system/cpu/cpuN,
 * and the processor flags of the CPU that has it. */
static bool running_microcode(const char *root, uint32_t *rev, uint32_t *pf)
{
	char dir[4096], rel[512], line[64];
	struct dirent *de;
	bool have = false;
	uint32_t r, flags;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/sys/devices/system/cpu", root);
	d = opendir(dir);
	if (!d)
		return false;
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, "cpu", 3) != 0 || !isdigit((unsigned char)de->d_name[3]) ||
		    strlen(de->d_name) > 64)
			continue;
		snprintf(rel, sizeof(rel), "sys/devices/system/cpu/%s/microcode/version", de->d_name);
		if (!read_line_rel(root, rel, line, sizeof(line)) || !parse_hex(line, &r))
			continue;
		if (have && r >= *rev)
			continue;
		*rev = r;
		have = true;
		snprintf(rel, sizeof(rel), "sys/devices/system/cpu/%s/microcode/processor_flags",
		         de->d_name);
		*pf = read_line_rel(root, rel, line, sizeof(line)) && parse_hex(line, &flags) ? flags : 0;
	}
	closedir(d);
	return have;
}

#define UCODE_MAX (16 * 1024 * 1024)

/* The newest revision for ID in its file under ROOT/lib/firmware: as
 * the *_ucode_newest() functions, -ENODEV when there is no file;  *WHAT
 * names the file. */
static int available_microcode(const char *root, const struct cpu_id *id, uint32_t pf,
                               char *what, size_t wsize, uint32_t *rev)
{
	uint32_t sig = cpu_signature(id);
	unsigned char *buf;
	ssize_t n;
	int r;

	if (id->vendor == CPU_INTEL)
		snprintf(what, wsize, "lib/firmware/intel-ucode/%02x-%02x-%02x",
		         id->family & 0xff, id->model & 0xff, id->stepping & 0xff);
	else if (id->family >= 0x15)
		snprintf(what, wsize, "lib/firmware/amd-ucode/microcode_amd_fam%02xh.bin",
		         id->family & 0xff);
	else
		snprintf(what, wsize, "lib/firmware/amd-ucode/microcode_amd.bin");
	buf = malloc(UCODE_MAX);
	if (!buf)
		return -ENOMEM;
	n = restart_read_file(root, what, buf, UCODE_MAX, NULL);
	if (n < 0)
		r = -ENODEV;
	else if (id->vendor == CPU_INTEL)
		r = intel_ucode_newest(buf, (size_t)n, sig, pf, rev);
	else
		r = amd_ucode_newest(buf, (size_t)n, sig, rev);
	free(buf);
	return r;
}

void microcode_status_read(const char *root, struct microcode_status *ms)
{
	char cpuinfo[8192], what[256];
	struct cpu_id id;
	uint32_t running = 0, pf = 0, newest = 0;
	ssize_t n;
	int r;

	if (!running_microcode(root, &running, &pf)) {
		microcode_decide(false, 0, -ENOENT, 0, "", ms);
		snprintf(ms->reason, sizeof(ms->reason), "%s",
		         "no microcode revision in /sys/devices/system/cpu/cpu*/microcode "
		         "(a virtual machine, or no microcode driver)");
		return;
	}
	n = restart_read_file(root, "proc/cpuinfo", cpuinfo, sizeof(cpuinfo), NULL);
	if (n <= 0 || cpuinfo_parse(cpuinfo, (size_t)n, &id) < 0 || id.vendor == CPU_OTHER) {
		microcode_decide(true, running, -ENOENT, 0, "", ms);
		ms->state = UCSTATE_UNKNOWN;
		snprintf(ms->reason, sizeof(ms->reason), "%s",
		         "the CPU is neither a known Intel nor AMD one (/proc/cpuinfo)");
		return;
	}
	r = available_microcode(root, &id, pf, what, sizeof(what), &newest);
	if (r == -ENODEV || r == -ENOMEM) {
		microcode_decide(true, running, -ENOENT, 0, "", ms);
		ms->state = UCSTATE_UNKNOWN;
		snprintf(ms->reason, sizeof(ms->reason), "no microcode file /%.300s (%s)", what,
		         id.vendor == CPU_INTEL ? "intel-microcode" : "amd64-microcode");
		return;
	}
	microcode_decide(true, running, r, newest, what, ms);
}
