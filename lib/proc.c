/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Reading one process.  Everything goes through one /proc/PID directory fd:
 * it is bound to the process, not to the number, so after PID reuse every
 * read through it fails with ESRCH instead of describing another process.
 *
 * Cost on the common path (an intact, non-loader process): openat(PID),
 * readlinkat(exe), statx(exe), one cached lookup of the text, a peek at the
 * first maps line, close.  The stat file is read only when a printed row
 * needs its fields or when the image changed after boot (MODIFIED check).
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "internal.h"
#include "parse.h"

void pe_img_done(struct pe_img *img)
{
	free(img->path);
	*img = (struct pe_img){ 0 };
}

struct loading {
	struct procexe_ctx *ctx;
	int dirfd;              /* /proc/PID */
	struct pe_stat st;
	int st_err;             /* 0 loaded, >0 errno, -1 not tried */
};

static int load_stat(struct loading *l)
{
	char buf[1024];
	ssize_t n;
	int fd;

	if (l->st_err >= 0)
		return l->st_err;
	fd = openat(l->dirfd, "stat", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return l->st_err = errno;
	n = read(fd, buf, sizeof(buf));
	l->st_err = n < 0 ? errno : 0;
	close(fd);
	if (l->st_err == 0 && pe_parse_stat(buf, (size_t)n, &l->st) < 0)
		l->st_err = EINVAL;
	return l->st_err;
}

/* Read the exe link of DIRFD into IMG; returns 0 or the positive errno
 * that kept the link from being followed.  *TEXT_ERR gets why only the
 * text is missing. */
static int read_exe(int dirfd, struct pe_img *img, int *text_err)
{
	struct statx stx;
	int r;

	*text_err = 0;
	r = pe_readlink_at(dirfd, "exe", &img->path, &img->path_len);
	if (r == -ENAMETOOLONG)
		*text_err = ENAMETOOLONG;
	else if (r < 0)
		return -r;
	img->launch_len = img->path_len;
	/* DONT_SYNC: never wait on a network filesystem for attributes. */
	if (statx(dirfd, "exe", AT_STATX_DONT_SYNC, STATX_BASIC_STATS | STATX_BTIME | STATX_MNT_ID,
	          &stx) < 0) {
		r = errno;
		pe_img_done(img);
		return r;
	}
	pe_img_set_statx(img, &stx);
	return 0;
}

/*
 * The thread-group leader exited while other threads run: its exe link is
 * gone but every live thread's works.  Returns a task/TID dirfd or -1.
 */
static int open_live_thread(int dirfd, pid_t pid)
{
	_cleanup_close_ int taskfd = openat(dirfd, "task", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	char buf[4096];
	long n;

	if (taskfd < 0)
		return -1;
	while ((n = syscall(SYS_getdents64, taskfd, buf, sizeof(buf))) > 0) {
		for (long off = 0; off < n;) {
			struct pe_dirent64 *d = (void *)(buf + off);
			char *endp;
			long tid;

			off += d->d_reclen;
			tid = strtol(d->d_name, &endp, 10);
			if (*endp || tid <= 0 || tid == pid)
				continue;
			{
				int tfd = openat(taskfd, d->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
				char c;

				if (tfd >= 0 && readlinkat(tfd, "exe", &c, 1) >= 0)
					return tfd;
				if (tfd >= 0)
					close(tfd);
			}
		}
	}
	return -1;
}

static bool links_changed(enum procexe_state s)
{
	return s == PROCEXE_STATE_DELETED || s == PROCEXE_STATE_REPLACED ||
	       s == PROCEXE_STATE_UNLINKED;
}

static void set_start(struct loading *l, struct procexe_proc *p)
{
	/* starttime counts clock ticks since boot; round up to the next tick
	 * so that a file written just before the exec is not "modified". */
	if (load_stat(l) == 0)
		p->start_ns = l->ctx->boot_ns + (l->st.starttime + 1) * l->ctx->ns_per_tick;
}

struct start_query {
	struct loading *l;
	struct procexe_proc *p;
};

static uint64_t start_of(void *userdata)
{
	struct start_query *q = userdata;

	if (q->p->start_ns == 0)
		set_start(q->l, q->p);
	return q->p->start_ns;
}

static bool restart_relevant(const struct procexe_proc *p)
{
	if (p->maps_err)
		return true;    /* incomplete: shown with its reason */
	for (size_t i = 0; i < p->nmaps; i++)
		if (p->maps[i].state != PROCEXE_MAP_OK && p->maps[i].state != PROCEXE_MAP_UNKNOWN)
			return true;
	return false;
}

/* The MODIFIED flag of the image IMG (pe_written_after_start()). */
static void check_modified(struct loading *l, struct procexe_proc *p, const struct pe_img *img)
{
	struct start_query q = { .l = l, .p = p };
	struct pe_times t;

	if (!img->have_stat)
		return;
	t = (struct pe_times){
		.m = pe_ts_ns(img->mtime_sec, img->mtime_nsec),
		.c = pe_ts_ns(img->ctime_sec, img->ctime_nsec),
		.b = pe_ts_ns(img->btime_sec, img->btime_nsec),
	};
	/* Unchanged since boot: older than any process, no need for stat. */
	if (t.m <= l->ctx->boot_ns)
		return;
	if (pe_written_after_start(&t, links_changed(p->state), start_of, &q))
		p->flags |= PROCEXE_PF_MODIFIED;
}

/* The comm file: cheaper than generating all of stat for one field. */
static void load_comm(int dirfd, char *comm, size_t size)
{
	ssize_t n;
	int fd = openat(dirfd, "comm", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return;
	n = read(fd, comm, size - 1);
	close(fd);
	if (n <= 0)
		return;
	if (comm[n - 1] == '\n')
		n--;
	comm[n] = '\0';
}

static int load_details(struct loading *l, struct procexe_proc *p)
{
	unsigned what = l->ctx->details;
	struct stat st;
	int r;

	if ((what & PROCEXE_DETAIL_STAT) && load_stat(l) == 0) {
		p->ppid = l->st.ppid;
		memcpy(p->comm, l->st.comm, sizeof(p->comm));
		set_start(l, p);
	} else if ((what & PROCEXE_DETAIL_COMM) && l->st_err == 0) {
		memcpy(p->comm, l->st.comm, sizeof(p->comm)); /* read anyway */
	} else if (what & PROCEXE_DETAIL_COMM) {
		load_comm(l->dirfd, p->comm, sizeof(p->comm));
	}
	if ((what & PROCEXE_DETAIL_UID) && fstat(l->dirfd, &st) == 0)
		p->uid = st.st_uid;
	if (what & PROCEXE_DETAIL_CMDLINE) {
		r = pe_read_file_at(l->dirfd, "cmdline", 1u << 20, &p->cmdline, &p->cmdline_len);
		if (r == -ENOMEM)
			return r;
		while (p->cmdline && p->cmdline_len && p->cmdline[p->cmdline_len - 1] == '\0')
			p->cmdline_len--;
	}
	if (what & PROCEXE_DETAIL_ROOT) {
		r = pe_readlink_at(l->dirfd, "root", &p->root, NULL);
		if (r == -ENOMEM)
			return r;
		if (p->root && strcmp(p->root, "/") == 0) {
			free(p->root);
			p->root = NULL;
		} else if (p->root)
			p->flags |= PROCEXE_PF_OTHER_ROOT;
	}
	if (what & PROCEXE_DETAIL_CGROUP) {
		_cleanup_free_ char *buf = NULL;
		const char *path;
		size_t len, plen;

		r = pe_read_file_at(l->dirfd, "cgroup", 1u << 20, &buf, &len);
		if (r == -ENOMEM)
			return r;
		if (r >= 0 && pe_cgroup_path(buf, len, &path, &plen) == 0) {
			p->cgroup = pe_memdup0(path, plen);
			if (!p->cgroup)
				return -ENOMEM;
		}
	}
	p->have_details = true;
	return 0;
}

/*
 * The files the process maps, for the mapped-file judgement: executable
 * mappings through PROCMAP_QUERY unless data mappings or the text are
 * asked for.  A process with an exe maps it: no mapping at all means its
 * address space went away meanwhile (it is exiting), which its exe link
 * confirms; else the empty list is incomplete (EIO).  0, -ESRCH, -ENOMEM.
 */
static int read_mapset(struct procexe_ctx *ctx, struct pe_cache *cache, int dirfd,
                       const struct pe_img *img, struct pe_mapset *set)
{
	struct pe_maps_src src = {
		.ctx = ctx, .cache = cache, .dirfd = dirfd, .img = img,
		.query = !(ctx->maps & (PROCEXE_MAPS_DATA | PROCEXE_MAPS_TEXT)),
	};
	int r = pe_mapset_read(set, &src);
	char c;

	if (r < 0 || set->err || set->nmaps > 0 || set->lines > 0)
		return r;
	if (readlinkat(dirfd, "exe", &c, 1) < 0 && (errno == ENOENT || errno == ESRCH)) {
		pe_mapset_done(set);
		return -ESRCH;
	}
	set->err = EIO;
	return 0;
}

static int judge_mapset(struct procexe_ctx *ctx, struct pe_cache *cache, int dirfd,
                        const struct pe_mapset *set, const struct pe_img *img,
                        struct loading *l, struct procexe_proc *p)
{
	struct start_query q = { .l = l, .p = p };
	struct pe_maps_in in = {
		.ctx = ctx, .cache = cache, .dirfd = dirfd, .set = set,
		.main_img = img, .start_ns = start_of, .userdata = &q,
	};
	int err = 0, r = pe_judge_maps(&in, &p->maps, &p->nmaps, &err);

	if (r == 0 && !p->maps_err)
		p->maps_err = err;
	return r;
}

const struct pe_img *pe_proc_main_image(const struct procexe_proc *p)
{
	return (p->flags & PROCEXE_PF_LOADER) ? &p->prog : &p->exe;
}

int pe_proc_load(struct procexe_ctx *ctx, struct pe_cache *cache, const char *name,
                 pid_t pid, unsigned detail_states, struct procexe_proc **ret)
{
	static const struct pe_probe_ops ops = {
		.resolve = pe_probe_resolve,
		.mount_reachable = pe_probe_mount_reachable,
		.image_mapped = pe_probe_image_mapped,
	};
	struct loading l = { .ctx = ctx, .st_err = -1 };
	_cleanup_close_ int dirfd = -1, threadfd = -1;
	struct pe_probe probe = { .ctx = ctx, .cache = cache, .rootfd = -1, .mapped = -1 };
	struct pe_facts f = { 0 };
	struct pe_verdict v;
	struct pe_mapset set = { 0 };
	bool have_set = false;
	struct procexe_proc *p;
	struct pe_img *img;
	char pidname[24];
	bool details;
	int r = 0;

	if (!name) {
		if (pid <= 0)
			return -ESRCH;
		snprintf(pidname, sizeof(pidname), "%d", (int)pid);
		name = pidname;
	}
	dirfd = openat(ctx->procfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0 && (errno == ENOENT || errno == ESRCH))
		return -ESRCH;
	if (dirfd < 0 && errno != EACCES && errno != EPERM)
		return -errno; /* EMFILE, ENOMEM...: our trouble, not the process's */
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->pid = pid;
	p->ppid = -1;
	p->uid = (uid_t)-1;
	if (dirfd < 0) {
		/* hidepid=noaccess answers EPERM for the directory itself. */
		p->state = PROCEXE_STATE_DENIED;
		p->err = errno;
		*ret = p;
		return 0;
	}
	l.dirfd = dirfd;

	f.exe_errno = read_exe(dirfd, &p->exe, &f.text_errno);
	if (f.exe_errno == ENOENT) {
		r = load_stat(&l);
		if (r == ESRCH || r == ENOENT)
			goto gone;
		f.kthread = r == 0 && (l.st.flags & PE_PF_KTHREAD);
		f.zombie = !f.kthread;
		if (!f.kthread && r == 0 && l.st.state == 'Z') {
			threadfd = open_live_thread(dirfd, pid);
			if (threadfd >= 0)
				f.exe_errno = read_exe(threadfd, &p->exe, &f.text_errno);
		}
	} else if (f.exe_errno == EACCES || f.exe_errno == EPERM) {
		/* Kernel threads answer EACCES to unprivileged readers. */
		if (load_stat(&l) == 0 && (l.st.flags & PE_PF_KTHREAD)) {
			f.exe_errno = ENOENT;
			f.kthread = true;
		}
	}
	if (f.exe_errno == ESRCH)
		goto gone;
	p->err = f.exe_errno == ENOENT ? 0 : f.exe_errno;

	probe.dirfd = threadfd >= 0 ? threadfd : dirfd;
	img = &p->exe;
	if (f.exe_errno == 0 && pe_exe_is_loader(cache, probe.dirfd, &p->exe)) {
		r = pe_find_loaded_program(cache, probe.dirfd, &p->exe, &p->prog);
		if (r == -ENOMEM)
			goto fail;
		if (r >= 0) {
			p->flags |= PROCEXE_PF_LOADER;
			img = &p->prog;
			f.text_errno = 0;
		}
	}
	f.img = img;
	f.memfd_dev = ctx->memfd_dev_known && img->have_stat && img->dev == ctx->memfd_dev;
	f.check_mapped = !(p->flags & PROCEXE_PF_LOADER);
	probe.img = img;
	if (ctx->maps && f.exe_errno == 0) {
		r = read_mapset(ctx, cache, probe.dirfd, img, &set);
		if (r < 0)
			goto fail;
		have_set = true;
		p->maps_err = set.err;
		if (f.check_mapped && set.image_seen)
			probe.mapped = 1;       /* else the classifier asks */
	}
	pe_classify(&f, &ops, &probe, &v);
	if (probe.rootfd >= 0)
		close(probe.rootfd);
	p->state = v.state;
	p->flags |= v.flags;
	img->launch_len = v.launch_len;

	if (p->state != PROCEXE_STATE_DENIED && p->state != PROCEXE_STATE_KERNEL)
		check_modified(&l, p, img);

	if (have_set) {
		r = judge_mapset(ctx, cache, probe.dirfd, &set, img, &l, p);
		if (r < 0)
			goto fail;
	}

	details = (detail_states >> p->state) & 1;
	if ((detail_states & PROCEXE_DETAILS_IF_MODIFIED) && (p->flags & PROCEXE_PF_MODIFIED))
		details = true;
	if ((detail_states & PROCEXE_DETAILS_IF_MAPPINGS) && restart_relevant(p))
		details = true;
	if (details) {
		r = load_details(&l, p);
		if (r < 0)
			goto fail;
	}
	/* Before anything is claimed about this PID, make sure the number
	 * still denotes the process we read (the dirfd works as a pidfd). */
	if ((details || procexe_state_is_suspicious(p->state) || p->nmaps || p->maps_err) &&
	    syscall(SYS_pidfd_send_signal, dirfd, 0, NULL, 0) < 0 && errno == ESRCH)
		goto gone;
	pe_mapset_done(&set);
	*ret = p;
	return 0;
gone:
	r = -ESRCH;
fail:
	pe_mapset_done(&set);
	procexe_proc_free(p);
	return r;
}

int procexe_proc_load(struct procexe_ctx *ctx, pid_t pid, unsigned load_flags,
                      struct procexe_proc **ret_proc)
{
	if (!ctx || !ret_proc)
		return -EINVAL;
	/* No lookup cache: a context may live long, files change meanwhile. */
	return pe_proc_load(ctx, NULL, NULL, pid,
	                    (load_flags & PROCEXE_LOAD_DETAILS) ? PROCEXE_ALL_STATES : 0, ret_proc);
}

void procexe_proc_free(struct procexe_proc *p)
{
	if (!p)
		return;
	pe_img_done(&p->exe);
	pe_img_done(&p->prog);
	free(p->cmdline);
	free(p->root);
	free(p->cgroup);
	pe_mapfiles_free(p->maps, p->nmaps);
	free(p);
}

pid_t procexe_proc_pid(const struct procexe_proc *p) { return p->pid; }
enum procexe_state procexe_proc_state(const struct procexe_proc *p) { return p->state; }
unsigned procexe_proc_flags(const struct procexe_proc *p) { return p->flags; }
int procexe_proc_errno(const struct procexe_proc *p) { return p->err; }
pid_t procexe_proc_ppid(const struct procexe_proc *p) { return p->ppid; }
uid_t procexe_proc_uid(const struct procexe_proc *p) { return p->uid; }
uint64_t procexe_proc_start_ns(const struct procexe_proc *p) { return p->start_ns; }
const char *procexe_proc_root(const struct procexe_proc *p) { return p->root; }
const char *procexe_proc_cgroup(const struct procexe_proc *p) { return p->cgroup; }
size_t procexe_proc_mapping_count(const struct procexe_proc *p) { return p->nmaps; }
int procexe_proc_maps_errno(const struct procexe_proc *p) { return p->maps_err; }

int procexe_proc_mapping(const struct procexe_proc *p, size_t i, struct procexe_mapping *ret)
{
	const struct pe_mapfile *mf;
	struct procexe_mapping out;

	if (!ret || ret->sz < offsetof(struct procexe_mapping, err) + sizeof(ret->err))
		return -EINVAL;
	if (i >= p->nmaps)
		return -ERANGE;
	mf = &p->maps[i];
	out = (struct procexe_mapping){
		.sz = ret->sz,
		.path = mf->path,
		.path_len = mf->path_len,
		.state = mf->state,
		.flags = mf->flags,
		.dev = mf->dev,
		.ino = mf->ino,
		.start = mf->start,
		.end = mf->end,
		.changed_sec = mf->changed_sec,
		.err = mf->err,
	};
	memcpy(ret, &out, sizeof(out) < ret->sz ? sizeof(out) : ret->sz);
	return 0;
}

const char *procexe_proc_comm(const struct procexe_proc *p)
{
	return p->have_details && p->comm[0] ? p->comm : NULL;
}

const char *procexe_proc_cmdline(const struct procexe_proc *p, size_t *ret_len)
{
	if (!p->cmdline)
		return NULL;
	if (ret_len)
		*ret_len = p->cmdline_len;
	return p->cmdline;
}

int procexe_proc_image(const struct procexe_proc *p, bool loader, struct procexe_image *ret)
{
	const struct pe_img *img;
	struct procexe_image out = { 0 };

	if (!ret || ret->sz < offsetof(struct procexe_image, mnt_id) + sizeof(ret->mnt_id))
		return -EINVAL;
	if (loader && !(p->flags & PROCEXE_PF_LOADER))
		return -ENODATA;
	img = loader ? &p->exe : pe_proc_main_image(p);
	out.sz = ret->sz;
	out.path = img->path;
	out.path_len = img->path_len;
	out.launch_path = img->path;
	out.launch_path_len = img->launch_len;
	out.have_stat = img->have_stat;
	out.dev = img->dev;
	out.ino = img->ino;
	out.nlink = img->nlink;
	out.size = img->size;
	out.mode = img->mode;
	out.mtime_sec = img->mtime_sec;
	out.ctime_sec = img->ctime_sec;
	out.mnt_id = img->mnt_id;
	memcpy(ret, &out, sizeof(out) < ret->sz ? sizeof(out) : ret->sz);
	return 0;
}
