/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests for src/kernel-status.c: version order, image strings, the
 * kernel and microcode decisions, the microcode file parsers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kernel-status.h"

static void test_kver_cmp(void **state)
{
	(void)state;
	assert_true(kver_cmp("6.1.0-13-amd64", "6.1.0-9-amd64") > 0);
	assert_true(kver_cmp("6.1.0-9-amd64", "6.1.0-13-amd64") < 0);
	assert_int_equal(kver_cmp("6.1.0-13-amd64", "6.1.0-13-amd64"), 0);
	assert_true(kver_cmp("6.10.0", "6.9.12") > 0);
	assert_true(kver_cmp("6.1.0~rc1", "6.1.0") < 0);         /* ~ before the end */
	assert_true(kver_cmp("6.1.0", "6.1.0a") < 0);            /* the end before letters */
	assert_true(kver_cmp("6.1.0a", "6.1.0+") < 0);           /* letters before others */
	assert_int_equal(kver_cmp("6.01", "6.1"), 0);            /* numbers, not text */
	assert_true(kver_cmp("6.18.44-fc-v1147", "6.18.44-fc-v999") > 0);
	assert_true(kver_cmp("99999999999999999999999", "99999999999999999999998") > 0);
}

static void test_kbuild_part(void **state)
{
	const char *pv = "Linux version 6.1.0-13-amd64 (debian-kernel@lists.debian.org) "
	                 "(gcc-12 (Debian 12.2.0-14) 12.2.0) #1 SMP PREEMPT_DYNAMIC "
	                 "Debian 6.1.55-1 (2023-09-29)  \nx";
	const char *img = "6.1.0-13-amd64 (debian-kernel@lists.debian.org) #1 SMP "
	                  "PREEMPT_DYNAMIC Debian 6.1.55-1 (2023-09-29)";
	const char *a, *b;
	size_t an, bn;

	(void)state;
	a = kbuild_part(pv, strlen(pv), &an);
	b = kbuild_part(img, strlen(img), &bn);
	assert_non_null(a);
	assert_non_null(b);
	assert_int_equal(an, bn);
	assert_memory_equal(a, b, an);
	assert_memory_equal(a, "#1 SMP", 6);
	assert_null(kbuild_part("no build here", 13, &an));
	assert_null(kbuild_part("a#b", 3, &an));
}

/* A fake bzImage head: "HdrS", version 2.15, the string at 0x200 + OFF. */
static size_t fake_image(unsigned char *buf, size_t size, unsigned off, const char *s)
{
	memset(buf, 0, size);
	memcpy(buf + 0x202, "HdrS", 4);
	buf[0x206] = 0x0f;
	buf[0x207] = 0x02;
	buf[0x20e] = (unsigned char)(off & 0xff);
	buf[0x20f] = (unsigned char)(off >> 8);
	if (s)
		memcpy(buf + 0x200 + off, s, strlen(s) + 1);
	return size;
}

static void test_kimage_version(void **state)
{
	unsigned char buf[0x1000];
	const char *v;
	size_t n;

	(void)state;
	fake_image(buf, sizeof(buf), 0x300, "6.1.0-13-amd64 (x@y) #1 SMP");
	assert_int_equal(kimage_version(buf, sizeof(buf), &v, &n), 0);
	assert_int_equal(n, strlen("6.1.0-13-amd64 (x@y) #1 SMP"));
	assert_memory_equal(v, "6.1.0-13-amd64", 14);
	/* the offset points past the buffer */
	fake_image(buf, sizeof(buf), 0xf000, NULL);
	assert_int_equal(kimage_version(buf, sizeof(buf), &v, &n), -EINVAL);
	/* no NUL before the end */
	fake_image(buf, sizeof(buf), 0x300, NULL);
	memset(buf + 0x500, 'A', sizeof(buf) - 0x500);
	assert_int_equal(kimage_version(buf, sizeof(buf), &v, &n), -EINVAL);
	/* not an x86 boot image, or too short */
	memset(buf, 0, sizeof(buf));
	assert_int_equal(kimage_version(buf, sizeof(buf), &v, &n), -EINVAL);
	assert_int_equal(kimage_version(buf, 0x20f, &v, &n), -EINVAL);
}

static enum kstate decide(const char *running, const char *rbuild, const char *const *inst,
                          size_t ninst, const char *nbuild, struct kernel_status *ks)
{
	struct kernel_facts f = { running, rbuild, inst, ninst, nbuild, "/boot" };

	memset(ks, 0xaa, sizeof(*ks));
	kernel_decide(&f, ks);
	assert_non_null(memchr(ks->reason, '\0', sizeof(ks->reason)));
	assert_true(ks->reason[0] != '\0');
	return ks->state;
}

static void test_kernel_decide(void **state)
{
	const char *const two[] = { "6.1.0-9-amd64", "6.1.0-13-amd64" };
	const char *const one[] = { "6.1.0-13-amd64" };
	const char *const old[] = { "6.1.0-9-amd64" };
	struct kernel_status ks;

	(void)state;
	/* this VM: no image at all */
	assert_int_equal(decide("6.18.44-fc-v1147", "#1", NULL, 0, NULL, &ks), KSTATE_UNKNOWN);
	assert_string_equal(ks.running, "6.18.44-fc-v1147");
	assert_string_equal(ks.newest, "");
	assert_non_null(strstr(ks.reason, "no kernel image"));
	assert_int_equal(decide(NULL, NULL, one, 1, "#1", &ks), KSTATE_UNKNOWN);
	assert_int_equal(decide("6.1.0-9-amd64", "#1", two, 2, "#2", &ks), KSTATE_VERSION_UPGRADE);
	assert_string_equal(ks.newest, "6.1.0-13-amd64");
	assert_int_equal(decide("6.1.0-13-amd64", "#1 SMP A", two, 2, "#1 SMP A", &ks),
	                 KSTATE_CURRENT);
	assert_int_equal(decide("6.1.0-13-amd64", "#1 SMP A", one, 1, "#1 SMP B", &ks),
	                 KSTATE_ABI_UPGRADE);
	/* builds unknown: never current */
	assert_int_equal(decide("6.1.0-13-amd64", "#1", one, 1, NULL, &ks), KSTATE_UNKNOWN);
	assert_int_equal(decide("6.1.0-13-amd64", NULL, one, 1, "#1", &ks), KSTATE_UNKNOWN);
	/* running newer than anything installed: its image is gone */
	assert_int_equal(decide("6.1.0-13-amd64", "#1", old, 1, "#1", &ks), KSTATE_UNKNOWN);
	assert_non_null(strstr(ks.reason, "no installed image"));
}

static void test_cpuinfo(void **state)
{
	const char *t = "processor\t: 0\nvendor_id\t: GenuineIntel\ncpu family\t: 6\n"
	                "model\t\t: 142\nmodel name\t: Intel(R) Core\nstepping\t: 10\n\n"
	                "processor\t: 1\nvendor_id\t: AuthenticAMD\n";
	const char *amd = "vendor_id\t: AuthenticAMD\ncpu family\t: 25\nmodel\t\t: 1\n"
	                  "stepping\t: 1\n";
	struct cpu_id id;

	(void)state;
	assert_int_equal(cpuinfo_parse(t, strlen(t), &id), 0);
	assert_int_equal(id.vendor, CPU_INTEL);
	assert_int_equal(id.model, 142);
	assert_int_equal(cpu_signature(&id), 0x806ea);
	assert_int_equal(cpuinfo_parse(amd, strlen(amd), &id), 0);
	assert_int_equal(id.vendor, CPU_AMD);
	assert_int_equal(cpu_signature(&id), 0xa00f11);
	assert_int_equal(cpuinfo_parse("vendor_id : GenuineIntel\n", 25, &id), -EINVAL);
	assert_int_equal(cpuinfo_parse("model : 99999999999\n", 20, &id), -EINVAL);
}

static void put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

/* An Intel update of 1024 bytes at P (data 976 = 1024 - 48), or with an
 * extended table of one signature EXT_SIG when EXT_SIG != 0. */
static void intel_update(unsigned char *p, uint32_t rev, uint32_t sig, uint32_t pf,
                         uint32_t ext_sig)
{
	memset(p, 0, 1024);
	put32(p, 1);
	put32(p + 4, rev);
	put32(p + 12, sig);
	put32(p + 24, pf);
	put32(p + 28, ext_sig ? 1024 - 48 - 20 - 12 : 1024 - 48);
	put32(p + 32, 1024);
	if (ext_sig) {
		unsigned char *e = p + 1024 - 32;

		put32(e, 1);
		put32(e + 20, ext_sig);
		put32(e + 24, pf);
	}
}

static void test_intel_ucode(void **state)
{
	unsigned char buf[4096];
	uint32_t rev = 0;

	(void)state;
	intel_update(buf, 0xf0, 0x806ea, 0xc0, 0);
	intel_update(buf + 1024, 0xf4, 0x806ea, 0xc0, 0);
	intel_update(buf + 2048, 0xff, 0x806ea, 0x01, 0);      /* another platform */
	intel_update(buf + 3072, 0xf8, 0x906e9, 0xc0, 0x806ea); /* extended signature */
	assert_int_equal(intel_ucode_newest(buf, 2048, 0x806ea, 0x80, &rev), 0);
	assert_int_equal(rev, 0xf4);
	assert_int_equal(intel_ucode_newest(buf, 3072, 0x806ea, 0x80, &rev), 0);
	assert_int_equal(rev, 0xf4);
	assert_int_equal(intel_ucode_newest(buf, 3072, 0x806ea, 0x01, &rev), 0);
	assert_int_equal(rev, 0xff);
	assert_int_equal(intel_ucode_newest(buf, 4096, 0x806ea, 0x80, &rev), 0);
	assert_int_equal(rev, 0xf8);
	assert_int_equal(intel_ucode_newest(buf, 4096, 0x12345, 0x80, &rev), -ENOENT);
	/* a truncated update, a bad header version */
	assert_int_equal(intel_ucode_newest(buf, 1000, 0x806ea, 0x80, &rev), -EINVAL);
	assert_int_equal(intel_ucode_newest(buf, 1500, 0x806ea, 0x80, &rev), 0);
	put32(buf, 2);
	assert_int_equal(intel_ucode_newest(buf, 4096, 0x806ea, 0x80, &rev), -EINVAL);
	put32(buf, 1);
	put32(buf + 32, 0xffffffff);
	assert_int_equal(intel_ucode_newest(buf, 4096, 0x806ea, 0x80, &rev), -EINVAL);
}

/* An AMD container at P: SIG -> EQUIV, then patches REVS for EQUIV.  Its size. */
static size_t amd_container(unsigned char *p, uint32_t sig, uint16_t equiv,
                            const uint32_t *revs, size_t nrevs)
{
	size_t o = 0;

	put32(p, 0x00414d44);
	put32(p + 4, 0);
	put32(p + 8, 32);
	memset(p + 12, 0, 32);
	put32(p + 12, sig);
	p[12 + 12] = (unsigned char)equiv;
	p[12 + 13] = (unsigned char)(equiv >> 8);
	o = 44;
	for (size_t i = 0; i < nrevs; i++) {
		put32(p + o, 1);
		put32(p + o + 4, 64);
		memset(p + o + 8, 0, 64);
		put32(p + o + 8 + 4, revs[i]);
		p[o + 8 + 24] = (unsigned char)equiv;
		p[o + 8 + 25] = (unsigned char)(equiv >> 8);
		o += 72;
	}
	return o;
}

static void test_amd_ucode(void **state)
{
	unsigned char buf[1024];
	const uint32_t a[] = { 0xa001173, 0xa001143 }, b[] = { 0xa0011d1 };
	uint32_t rev = 0;
	size_t n;

	(void)state;
	n = amd_container(buf, 0xa00f11, 0xa011, a, 2);
	assert_int_equal(amd_ucode_newest(buf, n, 0xa00f11, &rev), 0);
	assert_int_equal(rev, 0xa001173);
	n += amd_container(buf + n, 0xa00f12, 0xa012, b, 1);
	assert_int_equal(amd_ucode_newest(buf, n, 0xa00f11, &rev), 0);
	assert_int_equal(rev, 0xa001173);
	assert_int_equal(amd_ucode_newest(buf, n, 0xa00f12, &rev), 0);
	assert_int_equal(rev, 0xa0011d1);
	assert_int_equal(amd_ucode_newest(buf, n, 0x800f82, &rev), -ENOENT);
	/* a patch claiming more than the file */
	put32(buf + 44 + 4, 100000);
	assert_int_equal(amd_ucode_newest(buf, n, 0xa00f11, &rev), -EINVAL);
	assert_int_equal(amd_ucode_newest((const unsigned char *)"junk", 4, 1, &rev), -EINVAL);
}

static void test_microcode_decide(void **state)
{
	struct microcode_status ms;

	(void)state;
	microcode_decide(false, 0, -ENOENT, 0, "f", &ms);
	assert_int_equal(ms.state, UCSTATE_UNKNOWN);
	assert_string_equal(ms.running, "");
	microcode_decide(true, 0xf0, 0, 0xf4, "f", &ms);
	assert_int_equal(ms.state, UCSTATE_UPGRADE);
	assert_string_equal(ms.running, "0xf0");
	assert_string_equal(ms.newest, "0xf4");
	microcode_decide(true, 0xf4, 0, 0xf4, "f", &ms);
	assert_int_equal(ms.state, UCSTATE_CURRENT);
	microcode_decide(true, 0xf8, 0, 0xf4, "f", &ms);
	assert_int_equal(ms.state, UCSTATE_CURRENT);
	microcode_decide(true, 0xf0, -ENOENT, 0, "f", &ms);
	assert_int_equal(ms.state, UCSTATE_CURRENT);
	assert_string_equal(ms.newest, "");
	microcode_decide(true, 0xf0, -EINVAL, 0, "f", &ms);
	assert_int_equal(ms.state, UCSTATE_UNKNOWN);
	assert_string_equal(kstate_name(KSTATE_ABI_UPGRADE), "abi-upgrade");
	assert_string_equal(ucstate_name(UCSTATE_UPGRADE), "upgrade");
	assert_null(kstate_name((enum kstate)9));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kver_cmp),
		cmocka_unit_test(test_kbuild_part),
		cmocka_unit_test(test_kimage_version),
		cmocka_unit_test(test_kernel_decide),
		cmocka_unit_test(test_cpuinfo),
		cmocka_unit_test(test_intel_ucode),
		cmocka_unit_test(test_amd_ucode),
		cmocka_unit_test(test_microcode_decide),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
