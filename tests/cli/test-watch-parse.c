/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The pure parsers of procexe watch (src/watch-parse.c): mount table
 * lines, the stat file, ELF headers and proc connector datagrams, on
 * well-formed and hostile inputs.
 */
#include <elf.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <cmocka.h>
#include <linux/cn_proc.h>
#include <linux/connector.h>
#include <linux/netlink.h>

#include "watch-parse.h"

static void mountinfo_lines(void **state)
{
	char ok[] = "36 35 254:0 / /mnt/a\\040b rw,relatime shared:1 master:2 - ext4 /dev/vda rw";
	char noopt[] = "37 35 0:26 / /dev/shm rw - tmpfs tmpfs rw";
	char nosep[] = "38 35 0:27 / /x rw shared:1 ext4 /dev/vdb rw";
	char baddev[] = "39 35 2x:0 / /y rw - ext4 /dev/vdc rw";
	char short_[] = "40 35 8:1 /";
	char notype[] = "41 35 8:1 / /z rw - ";
	struct wmount m;

	assert_int_equal(wparse_mountinfo(ok, &m), 0);
	assert_string_equal(m.point, "/mnt/a b");
	assert_string_equal(m.fstype, "ext4");
	assert_true(m.dev == makedev(254, 0));
	assert_int_equal(wparse_mountinfo(noopt, &m), 0);
	assert_string_equal(m.point, "/dev/shm");
	assert_string_equal(m.fstype, "tmpfs");
	assert_true(m.dev == makedev(0, 26));
	assert_int_equal(wparse_mountinfo(nosep, &m), -EINVAL);
	assert_int_equal(wparse_mountinfo(baddev, &m), -EINVAL);
	assert_int_equal(wparse_mountinfo(short_, &m), -EINVAL);
	assert_int_equal(wparse_mountinfo(notype, &m), -EINVAL);
}

static void skipped_types(void **state)
{
	assert_true(wparse_skipped_fstype("proc"));
	assert_true(wparse_skipped_fstype("nfs4"));
	assert_true(wparse_skipped_fstype("fuse"));
	assert_true(wparse_skipped_fstype("fuse.sshfs"));
	assert_false(wparse_skipped_fstype("ext4"));
	assert_false(wparse_skipped_fstype("tmpfs"));
	assert_false(wparse_skipped_fstype("overlay"));
	assert_false(wparse_skipped_fstype("fusex"));
}

static void stat_files(void **state)
{
	static const char plain[] = "1234 (sleep) S 99 1234 1234 0 -1 4194304";
	static const char hostile[] = "77 (a) b) R\n(c) R 5 6";
	static const char noppid[] = "1 (x) S ";
	char comm[16];
	pid_t ppid = 0;

	assert_int_equal(wparse_stat(plain, sizeof(plain) - 1, comm, sizeof(comm), &ppid), 0);
	assert_string_equal(comm, "sleep");
	assert_int_equal(ppid, 99);
	/* the last ')' ends the comm, whatever it holds */
	assert_int_equal(wparse_stat(hostile, sizeof(hostile) - 1, comm, sizeof(comm), &ppid), 0);
	assert_string_equal(comm, "a) b) R\n(c");
	assert_int_equal(ppid, 5);
	assert_int_equal(wparse_stat(noppid, sizeof(noppid) - 1, comm, sizeof(comm), &ppid),
	                 -EINVAL);
	assert_int_equal(wparse_stat("", 0, comm, sizeof(comm), &ppid), -EINVAL);
}

/* An ELF64 header and N program headers, PT_INTERP at INTERP (-1: none). */
static size_t elf_image(unsigned char *buf, unsigned n, int interp)
{
	Elf64_Ehdr eh = { .e_phoff = sizeof(Elf64_Ehdr), .e_phentsize = sizeof(Elf64_Phdr),
	                  .e_phnum = (Elf64_Half)n };

	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	memcpy(buf, &eh, sizeof(eh));
	for (unsigned i = 0; i < n; i++) {
		Elf64_Phdr ph = { .p_type = (int)i == interp ? PT_INTERP : PT_LOAD };

		memcpy(buf + sizeof(eh) + i * sizeof(ph), &ph, sizeof(ph));
	}
	return sizeof(eh) + n * sizeof(Elf64_Phdr);
}

static void elf_headers(void **state)
{
	unsigned char buf[4096] = { 0 };
	size_t len = elf_image(buf, 4, 2);

	assert_true(wparse_elf_names_interp(buf, len));
	/* program headers cut off: cannot tell, so not dynamic */
	assert_false(wparse_elf_names_interp(buf, len - 1));
	len = elf_image(buf, 4, -1);
	assert_false(wparse_elf_names_interp(buf, len));
	buf[0] = 0;
	assert_false(wparse_elf_names_interp(buf, len));
	assert_false(wparse_elf_names_interp(buf, 10));
}

static void count_exec(void *userdata, pid_t pid, uint64_t mono_ns)
{
	pid_t *last = userdata;

	*last = pid;
}

/* A datagram of one connector message with event WHAT for PID. */
static size_t datagram(unsigned char *buf, unsigned what, pid_t pid)
{
	struct nlmsghdr nl = { .nlmsg_type = NLMSG_DONE };
	struct cn_msg cn = { .id = { .idx = CN_IDX_PROC, .val = CN_VAL_PROC } };
	struct proc_event ev = { .what = what };

	ev.event_data.exec.process_tgid = pid;
	cn.len = sizeof(ev);
	nl.nlmsg_len = NLMSG_LENGTH(sizeof(cn) + sizeof(ev));
	memcpy(buf, &nl, sizeof(nl));
	memcpy(buf + NLMSG_HDRLEN, &cn, sizeof(cn));
	memcpy(buf + NLMSG_HDRLEN + sizeof(cn), &ev, sizeof(ev));
	return nl.nlmsg_len;
}

static void connector_datagrams(void **state)
{
	unsigned char buf[512] __attribute__((aligned(8))) = { 0 };
	size_t len = datagram(buf, PROC_EVENT_EXEC, 4321);
	pid_t last = 0;
	struct nlmsghdr nl;

	assert_int_equal(wparse_connector(buf, len, count_exec, &last), 1);
	assert_int_equal(last, 4321);
	last = 0;
	assert_int_equal(wparse_connector(buf, len - 1, count_exec, &last), 0);
	len = datagram(buf, PROC_EVENT_FORK, 1);
	assert_int_equal(wparse_connector(buf, len, count_exec, &last), 0);
	/* a length past the datagram stops the walk, nothing read beyond */
	len = datagram(buf, PROC_EVENT_EXEC, 7);
	memcpy(&nl, buf, sizeof(nl));
	nl.nlmsg_len = 4096;
	memcpy(buf, &nl, sizeof(nl));
	assert_int_equal(wparse_connector(buf, len, count_exec, &last), 0);
	assert_int_equal(last, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(mountinfo_lines),
		cmocka_unit_test(skipped_types),
		cmocka_unit_test(stat_files),
		cmocka_unit_test(elf_headers),
		cmocka_unit_test(connector_datagrams),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
