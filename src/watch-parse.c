/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <linux/cn_proc.h>
#include <linux/connector.h>
#include <linux/netlink.h>

#include "watch-parse.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Undo mountinfo's octal escapes (\040 ...) in place. */
static void unescape(char *s)
{
	char *o = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*o++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 3;
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
}

/* A decimal number, the whole of [S, END): 0 or -EINVAL. */
static int number(const char *s, const char *end, unsigned *ret)
{
	unsigned long v = 0;

	if (s == end)
		return -EINVAL;
	for (; s < end; s++) {
		if (*s < '0' || *s > '9' || v > 0xfffffffful / 10)
			return -EINVAL;
		v = v * 10 + (unsigned long)(*s - '0');
	}
	if (v > 0xffffffffu)
		return -EINVAL;
	*ret = (unsigned)v;
	return 0;
}

int wparse_mountinfo(char *line, struct wmount *ret)
{
	char *f[5], *save = NULL, *sep, *colon, *p = line;
	unsigned maj, min;

	for (int i = 0; i < 5; i++) {
		f[i] = strtok_r(p, " ", &save);
		p = NULL;
		if (!f[i])
			return -EINVAL;
	}
	sep = save ? strstr(save, " - ") : NULL;
	colon = strchr(f[2], ':');
	if (!sep || !colon || number(f[2], colon, &maj) < 0 ||
	    number(colon + 1, colon + strlen(colon), &min) < 0)
		return -EINVAL;
	ret->fstype = strtok_r(sep + 3, " ", &save);
	if (!ret->fstype)
		return -EINVAL;
	unescape(f[4]);
	ret->point = f[4];
	ret->dev = makedev(maj, min);
	return 0;
}

bool wparse_skipped_fstype(const char *type)
{
	static const char *const skip[] = {
		"proc", "sysfs", "cgroup", "cgroup2", "devpts", "mqueue", "debugfs",
		"tracefs", "securityfs", "pstore", "bpf", "configfs", "fusectl",
		"binfmt_misc", "autofs", "rpc_pipefs", "nsfs", "efivarfs", "selinuxfs",
		"hugetlbfs", "nfs", "nfs4", "cifs", "smb3", "ceph", "9p", "afs",
		"gfs2", "ocfs2", "glusterfs", "fuse", "fuseblk",
	};

	if (strncmp(type, "fuse.", 5) == 0)
		return true;
	for (size_t i = 0; i < ARRAY_SIZE(skip); i++)
		if (strcmp(type, skip[i]) == 0)
			return true;
	return false;
}

int wparse_stat(const char *buf, size_t len, char *comm, size_t size, pid_t *ppid)
{
	const char *open = memchr(buf, '(', len), *close_ = NULL, *p, *end = buf + len;
	unsigned v;

	for (p = buf; p < end; p++)
		if (*p == ')')
			close_ = p;
	/* ") S PPID ": the state is one character */
	if (!open || !close_ || close_ < open || end - close_ < 5 || close_[1] != ' ' ||
	    close_[3] != ' ' || size == 0)
		return -EINVAL;
	p = close_ + 4;
	end = memchr(p, ' ', (size_t)(end - p));
	if (!end || number(p, end, &v) < 0 || v > INT32_MAX)
		return -EINVAL;
	snprintf(comm, size, "%.*s", (int)(close_ - open - 1), open + 1);
	*ppid = (pid_t)v;
	return 0;
}

/* 1 when the ELF64 image in BUF has PT_INTERP, 0 when not, -1 when it
 * is no ELF64 image or its program headers lie beyond LEN; *TYPE e_type. */
static int elf_interp(const void *buf, size_t len, unsigned *type)
{
	Elf64_Ehdr eh;
	Elf64_Phdr ph;

	if (len < sizeof(eh))
		return -1;
	memcpy(&eh, buf, sizeof(eh));
	if (memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 || eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phoff > len ||
	    eh.e_phnum > (len - eh.e_phoff) / sizeof(Elf64_Phdr))
		return -1;
	*type = eh.e_type;
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		memcpy(&ph, (const char *)buf + eh.e_phoff + i * sizeof(ph), sizeof(ph));
		if (ph.p_type == PT_INTERP)
			return 1;
	}
	return 0;
}

bool wparse_elf_names_interp(const void *buf, size_t len)
{
	unsigned type;

	return elf_interp(buf, len, &type) == 1;
}

bool wparse_elf_loader_like(const void *buf, size_t len)
{
	unsigned type = 0;

	return elf_interp(buf, len, &type) == 0 && type == ET_DYN;
}

/* One netlink message of LEN bytes at P: FN for an exec event; 1 or 0. */
static int connector_message(const char *p, size_t len, wparse_exec_fn fn, void *userdata)
{
	struct nlmsghdr nl;
	struct cn_msg cn;
	struct proc_event ev;

	memcpy(&nl, p, sizeof(nl));
	if (nl.nlmsg_type != NLMSG_DONE ||
	    len < NLMSG_LENGTH(sizeof(cn) + sizeof(ev)))
		return 0;
	/* copied out: a datagram need not be aligned for the 8-byte members */
	memcpy(&cn, p + NLMSG_HDRLEN, sizeof(cn));
	if (cn.id.idx != CN_IDX_PROC || cn.len < sizeof(ev))
		return 0;
	memcpy(&ev, p + NLMSG_HDRLEN + sizeof(cn), sizeof(ev));
	if (ev.what != PROC_EVENT_EXEC)
		return 0;
	fn(userdata, ev.event_data.exec.process_tgid, ev.timestamp_ns);
	return 1;
}

int wparse_connector(const void *buf, size_t len, wparse_exec_fn fn, void *userdata)
{
	const char *p = buf;
	struct nlmsghdr nl;
	int n = 0;

	while (len >= sizeof(nl)) {
		size_t step;

		memcpy(&nl, p, sizeof(nl));
		if (nl.nlmsg_len < sizeof(nl) || nl.nlmsg_len > len)
			break;
		n += connector_message(p, nl.nlmsg_len, fn, userdata);
		step = NLMSG_ALIGN(nl.nlmsg_len);
		if (step >= len)
			break;
		p += step;
		len -= step;
	}
	return n;
}
