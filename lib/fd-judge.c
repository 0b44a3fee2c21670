/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The verdict on an open file, by the rules a process image is judged by:
 * for callers that hold an image without its process (an exec watcher
 * that pinned the file, a process that exited since).  The caller is the
 * process whose view the kernel's text is rendered in, so the reader is
 * procfs "self".
 */
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>

#include "internal.h"

/* The image of FD (its link text in the reader's fd directory, its
 * statx) into IMG: 0 or a negative errno of statx. */
static int read_fd_image(struct pe_reader *rd, int fd, struct pe_img *img, int *text_err)
{
	char name[32];
	struct statx stx;
	int r;

	*text_err = 0;
	snprintf(name, sizeof(name), "fd/%d", fd);
	r = pe_readlink_at(pe_reader_fd(rd), name, &img->path, &img->path_len);
	if (r < 0)
		*text_err = -r;         /* ENAMETOOLONG, or a text we cannot read */
	img->launch_len = img->path_len;
	if (statx(fd, "", AT_EMPTY_PATH | AT_STATX_DONT_SYNC,
	          STATX_BASIC_STATS | STATX_BTIME | STATX_MNT_ID, &stx) < 0)
		return -errno;
	pe_img_set_statx(img, &stx);
	return 0;
}

/* Nothing to ask about mappings: the file is not a process's. */
static int never_asked(void *userdata)
{
	return -1;
}

int procexe_fd_load(struct procexe_ctx *ctx, int fd, struct procexe_proc **ret_proc)
{
	static const struct pe_probe_ops ops = {
		.resolve = pe_probe_resolve,
		.mount_reachable = pe_probe_mount_reachable,
		.image_mapped = never_asked,
	};
	struct pe_facts f = { 0 };
	struct pe_reader rd;
	struct pe_probe probe;
	struct pe_verdict v;
	struct procexe_proc *p;
	int r;

	if (!ctx || fd < 0 || !ret_proc)
		return -EINVAL;
	r = pe_reader_open(&rd, ctx, NULL, "self");
	if (r < 0)
		return r == -ESRCH ? -ENOENT : r;
	p = pe_proc_new(0);
	if (!p) {
		pe_reader_close(&rd);
		return -ENOMEM;
	}
	r = read_fd_image(&rd, fd, &p->exe, &f.text_errno);
	if (r == 0 && !S_ISREG(p->exe.mode))
		r = -EINVAL;
	if (r == 0) {
		f.img = &p->exe;
		f.memfd_dev = ctx->memfd_dev_known && p->exe.dev == ctx->memfd_dev;
		probe = (struct pe_probe){ .reader = &rd, .img = &p->exe, .mapped = -1 };
		pe_classify(&f, &ops, &probe, &v);
		if (rd.enomem)
			r = -ENOMEM;
		p->state = v.state;
		p->flags = v.flags;
		p->exe.launch_len = v.launch_len;
	}
	pe_reader_close(&rd);
	if (r < 0) {
		procexe_proc_free(p);
		return r;
	}
	*ret_proc = p;
	return 0;
}
