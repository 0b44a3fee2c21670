/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Loading one process: a short sequence of phases over one struct
 * pe_reader (reader.c), each reading only what the result needs.
 *
 * Cost on the common path (an intact, non-loader process): openat(PID),
 * readlinkat(exe), statx(exe), one cached lookup of the text, a peek at the
 * first maps line, close.  The stat file is read only when a printed row
 * needs its fields or when the image changed after boot (MODIFIED check).
 */
#include <fcntl.h>
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

/* Read the exe link of DIRFD into IMG: 0, or the negative errno that kept
 * the link from being followed.  *TEXT_ERR gets why only the text is
 * missing (ENAMETOOLONG, positive). */
static int read_exe(int dirfd, struct pe_img *img, int *text_err)
{
	struct statx stx;
	int r;

	*text_err = 0;
	r = pe_readlink_at(dirfd, "exe", &img->path, &img->path_len);
	if (r == -ENAMETOOLONG)
		*text_err = ENAMETOOLONG;
	else if (r < 0)
		return r;
	img->launch_len = img->path_len;
	/* DONT_SYNC: never wait on a network filesystem for attributes. */
	if (statx(dirfd, "exe", AT_STATX_DONT_SYNC, STATX_BASIC_STATS | STATX_BTIME | STATX_MNT_ID,
	          &stx) < 0) {
		r = -errno;
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
static int open_live_thread(const struct pe_reader *rd, pid_t pid)
{
	_cleanup_close_ int taskfd = openat(rd->dirfd, "task", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	char buf[4096];
	long n;

	if (taskfd < 0)
		return -1;
	while ((n = syscall(SYS_getdents64, taskfd, buf, sizeof(buf))) > 0 &&
	       !pe_cache_past_deadline(rd->cache)) {
		for (long off = 0; off < n;) {
			struct pe_dirent64 *d = (void *)(buf + off);
			char *endp, c;
			long tid;
			int tfd;

			off += d->d_reclen;
			tid = strtol(d->d_name, &endp, 10);
			if (*endp || tid <= 0 || tid == pid)
				continue;
			tfd = openat(taskfd, d->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			if (tfd >= 0 && readlinkat(tfd, "exe", &c, 1) >= 0)
				return tfd;
			if (tfd >= 0)
				close(tfd);
		}
	}
	return -1;
}

static bool links_changed(enum procexe_state s)
{
	return s == PROCEXE_STATE_DELETED || s == PROCEXE_STATE_REPLACED ||
	       s == PROCEXE_STATE_UNLINKED;
}

static uint64_t start_of(void *userdata)
{
	return pe_reader_start_ns(userdata);
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

/* The root and cgroup details; 0 or -ENOMEM. */
static int load_places(struct pe_reader *rd, struct procexe_proc *p, unsigned what)
{
	int r;

	if (what & PROCEXE_DETAIL_ROOT) {
		r = pe_readlink_at(rd->dirfd, "root", &p->root, NULL);
		if (r == -ENOMEM)
			return r;
		if (p->root && strcmp(p->root, "/") == 0) {
			free(p->root);
			p->root = NULL;
		} else if (p->root) {
			p->flags |= PROCEXE_PF_OTHER_ROOT;
		}
	}
	if (what & PROCEXE_DETAIL_CGROUP) {
		_cleanup_free_ char *buf = NULL;
		const char *path;
		size_t len, plen;

		r = pe_read_file_at(rd->dirfd, "cgroup", 1u << 20, &buf, &len);
		if (r == -ENOMEM)
			return r;
		if (r >= 0 && pe_cgroup_path(buf, len, &path, &plen) == 0) {
			p->cgroup = pe_memdup0(path, plen);
			if (!p->cgroup)
				return -ENOMEM;
		}
	}
	return 0;
}

/* The details the context asks for (PROCEXE_DETAIL_*); 0 or -ENOMEM. */
static int load_details(struct pe_reader *rd, struct procexe_proc *p)
{
	unsigned what = rd->ctx->details;
	const struct pe_stat *st;
	struct stat sb;
	int r;

	if ((what & PROCEXE_DETAIL_STAT) && pe_reader_stat(rd, &st) == 0) {
		p->ppid = st->ppid;
		memcpy(p->comm, st->comm, sizeof(p->comm));
		pe_reader_start_ns(rd);
	} else if (what & PROCEXE_DETAIL_COMM) {
		/* The stat file costs what comm does and also tells the start
		 * time, which the MODIFIED check may need next. */
		if (pe_reader_stat(rd, &st) == 0)
			memcpy(p->comm, st->comm, sizeof(p->comm));
		else
			load_comm(rd->dirfd, p->comm, sizeof(p->comm));
	}
	if ((what & PROCEXE_DETAIL_UID) && fstat(rd->dirfd, &sb) == 0)
		p->uid = sb.st_uid;
	if (what & PROCEXE_DETAIL_CMDLINE) {
		r = pe_read_file_at(rd->dirfd, "cmdline", 1u << 20, &p->cmdline, &p->cmdline_len);
		if (r == -ENOMEM)
			return r;
		while (p->cmdline && p->cmdline_len && p->cmdline[p->cmdline_len - 1] == '\0')
			p->cmdline_len--;
	}
	r = load_places(rd, p, what);
	if (r < 0)
		return r;
	p->have_details = true;
	return 0;
}

const struct pe_img *pe_proc_main_image(const struct procexe_proc *p)
{
	return (p->flags & PROCEXE_PF_LOADER) ? &p->prog : &p->exe;
}

/* ---- the phases of pe_proc_load() ---- */

/* What the phases share about the process being loaded. */
struct load {
	struct pe_reader rd;
	struct procexe_proc *p;
	struct pe_facts f;
	struct pe_img *img;     /* the main image: p->exe, or p->prog for a loader launch */
	struct pe_mapset set;
	bool have_set;
	int mapped;             /* the image among the mappings: 1, or -1 unknown */
};

/*
 * Identity: the exe link, and why there is none (kernel thread, zombie,
 * or a leader that exited while threads run, read through one of them).
 * 0, or -ESRCH when the process is gone.
 */
static int phase_identity(struct load *L)
{
	struct pe_facts *f = &L->f;
	const struct pe_stat *st;
	int r;

	f->exe_errno = -read_exe(L->rd.dirfd, &L->p->exe, &f->text_errno);
	if (f->exe_errno == ENOENT) {
		r = pe_reader_stat(&L->rd, &st);
		if (r == -ESRCH || r == -ENOENT)
			return -ESRCH;
		f->kthread = r == 0 && (st->flags & PE_PF_KTHREAD);
		f->zombie = !f->kthread;
		if (!f->kthread && r == 0 && st->state == 'Z') {
			L->rd.taskfd = open_live_thread(&L->rd, L->p->pid);
			if (L->rd.taskfd >= 0)
				f->exe_errno = -read_exe(L->rd.taskfd, &L->p->exe, &f->text_errno);
		}
	} else if (f->exe_errno == EACCES || f->exe_errno == EPERM) {
		/* Kernel threads answer EACCES to unprivileged readers. */
		if (pe_reader_stat(&L->rd, &st) == 0 && (st->flags & PE_PF_KTHREAD)) {
			f->exe_errno = ENOENT;
			f->kthread = true;
		}
	}
	if (f->exe_errno == ESRCH)
		return -ESRCH;
	L->p->err = f->exe_errno == ENOENT ? 0 : f->exe_errno;
	return 0;
}

/* Loader: for "ld.so PROGRAM", the program becomes the main image.
 * 0 or -ENOMEM. */
static int phase_loader(struct load *L)
{
	struct procexe_proc *p = L->p;
	int fd = pe_reader_fd(&L->rd), r;

	L->img = &p->exe;
	if (L->f.exe_errno != 0 || !pe_exe_is_loader(L->rd.cache, fd, &p->exe))
		return 0;
	r = pe_find_loaded_program(L->rd.cache, fd, &p->exe, &p->prog);
	if (r == -ENOMEM)
		return r;
	if (r >= 0) {
		p->flags |= PROCEXE_PF_LOADER;
		L->img = &p->prog;
		L->f.text_errno = 0;
	}
	return 0;
}

/*
 * Maps: the files the process maps, for the mapped-file judgement:
 * executable mappings through PROCMAP_QUERY unless data mappings or the
 * text are asked for.  A process with an exe maps it: no mapping at all
 * means its address space went away meanwhile (it is exiting), which its
 * exe link confirms; else the empty list is incomplete (EIO).  0, -ESRCH,
 * -ENOMEM.
 */
static int phase_maps(struct load *L)
{
	const struct procexe_ctx *ctx = L->rd.ctx;
	struct pe_maps_src src = {
		.ctx = L->rd.ctx, .cache = L->rd.cache, .dirfd = pe_reader_fd(&L->rd), .img = L->img,
		.query = !(ctx->maps & (PROCEXE_MAPS_DATA | PROCEXE_MAPS_TEXT)),
	};
	char c;
	int r;

	if (!ctx->maps || L->f.exe_errno != 0)
		return 0;
	r = pe_mapset_read(&L->set, &src);
	if (r < 0)
		return r;
	L->have_set = true;
	if (!L->set.err && L->set.nmaps == 0 && L->set.lines == 0) {
		if (readlinkat(src.dirfd, "exe", &c, 1) < 0 && (errno == ENOENT || errno == ESRCH))
			return -ESRCH;
		L->set.err = EIO;
	}
	L->p->maps_err = L->set.err;
	if (L->f.check_mapped && L->set.image_seen)
		L->mapped = 1;  /* else the classifier asks */
	return 0;
}

/* Classify: the state from the facts and, lazily, the resolver.  0 or
 * -ENOMEM. */
static int phase_classify(struct load *L)
{
	static const struct pe_probe_ops ops = {
		.resolve = pe_probe_resolve,
		.mount_reachable = pe_probe_mount_reachable,
		.image_mapped = pe_probe_image_mapped,
	};
	struct pe_probe probe = { .reader = &L->rd, .img = L->img, .mapped = L->mapped };
	struct procexe_proc *p = L->p;
	struct pe_verdict v;

	pe_classify(&L->f, &ops, &probe, &v);
	if (L->rd.enomem)
		return -ENOMEM;
	p->state = v.state;
	p->flags |= v.flags;
	L->img->launch_len = v.launch_len;
	return 0;
}

/* The MODIFIED flag of the main image (pe_written_after_start()); the
 * start time it may need comes from the stat file, read once. */
static void phase_modified(struct load *L)
{
	struct procexe_proc *p = L->p;
	struct pe_times t;

	if (p->state == PROCEXE_STATE_DENIED || p->state == PROCEXE_STATE_KERNEL ||
	    !L->img->have_stat)
		return;
	t = (struct pe_times){
		.m = pe_ts_ns(L->img->mtime_sec, L->img->mtime_nsec),
		.c = pe_ts_ns(L->img->ctime_sec, L->img->ctime_nsec),
		.b = pe_ts_ns(L->img->btime_sec, L->img->btime_nsec),
	};
	/* Unchanged since boot: older than any process, no need for stat. */
	if (t.m > L->rd.ctx->boot_ns &&
	    pe_written_after_start(&t, links_changed(p->state), start_of, &L->rd))
		p->flags |= PROCEXE_PF_MODIFIED;
}

/* Judge: every collected mapped file, by the same rules.  0 or -ENOMEM. */
static int phase_judge(struct load *L)
{
	struct pe_maps_in in = {
		.ctx = L->rd.ctx, .set = &L->set, .main_img = L->img,
		.ops = pe_reader_map_ops(), .userdata = &L->rd,
	};
	int err = 0, r;

	if (!L->have_set)
		return 0;
	r = pe_judge_maps(&in, &L->p->maps, &L->p->nmaps, &err);
	if (r == 0 && L->rd.enomem)
		r = -ENOMEM;
	if (r == 0 && !L->p->maps_err)
		L->p->maps_err = err;
	return r;
}

/*
 * Script: for an interpreter whose mappings are judged, the script its
 * command line names (pe_judge_proc_script()), kept after the mapped
 * files.  A process whose image could not be read has none; past the
 * per-process deadline it is not judged and the list is incomplete
 * (ETIMEDOUT).  0 or -ENOMEM.
 */
static int phase_script(struct load *L)
{
	struct procexe_proc *p = L->p;
	struct pe_mapfile mf;
	size_t cap = p->nmaps;
	int r;

	if (!(L->rd.ctx->maps & PROCEXE_MAPS_EXEC) || L->f.exe_errno != 0 || !L->have_set)
		return 0;
	if (pe_cache_past_deadline(L->rd.cache)) {
		if (!p->maps_err)
			p->maps_err = ETIMEDOUT;        /* not judged: say so */
		return 0;
	}
	r = pe_judge_proc_script(&L->rd, L->img, p->flags & PROCEXE_PF_LOADER, &mf);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	if (pe_grow((void **)&p->maps, &cap, p->nmaps + 1, sizeof(*p->maps)) < 0) {
		free(mf.path);
		return -ENOMEM;
	}
	p->maps[p->nmaps++] = mf;
	return 0;
}

/* Details, for the records the caller will show (DETAIL_STATES), and the
 * MODIFIED flag (after the details of a record shown anyway: they read the
 * stat file it may need); then, before anything is claimed about this PID,
 * a check that the number still denotes the process we read.  0, -ESRCH,
 * -ENOMEM. */
static int phase_details_verify(struct load *L, unsigned detail_states)
{
	struct procexe_proc *p = L->p;
	bool details = (detail_states >> p->state) & 1;
	int r;

	if ((detail_states & PROCEXE_DETAILS_IF_MAPPINGS) && restart_relevant(p))
		details = true;
	if (details) {
		r = load_details(&L->rd, p);
		if (r < 0)
			return r;
	}
	phase_modified(L);
	if (!details && (detail_states & PROCEXE_DETAILS_IF_MODIFIED) &&
	    (p->flags & PROCEXE_PF_MODIFIED)) {
		details = true;
		r = load_details(&L->rd, p);
		if (r < 0)
			return r;
	}
	p->start_ns = L->rd.start_ns;
	if ((details || procexe_state_is_suspicious(p->state) || p->nmaps || p->maps_err) &&
	    pe_reader_gone(&L->rd))
		return -ESRCH;
	return 0;
}

struct procexe_proc *pe_proc_new(pid_t pid)
{
	struct procexe_proc *p = calloc(1, sizeof(*p));

	if (p) {
		p->pid = pid;
		p->ppid = -1;
		p->uid = (uid_t)-1;
	}
	return p;
}

static int load_phases(struct load *L, unsigned detail_states)
{
	int r = phase_identity(L);

	if (r < 0)
		return r;
	r = phase_loader(L);
	if (r < 0)
		return r;
	L->f.img = L->img;
	L->f.memfd_dev = L->rd.ctx->memfd_dev_known && L->img->have_stat &&
	                 L->img->dev == L->rd.ctx->memfd_dev;
	L->f.check_mapped = !(L->p->flags & PROCEXE_PF_LOADER);
	r = phase_maps(L);
	if (r == 0)
		r = phase_classify(L);
	if (r == 0)
		r = phase_judge(L);
	if (r == 0)
		r = phase_script(L);
	if (r == 0)
		r = phase_details_verify(L, detail_states);
	return r;
}

int pe_proc_load(struct procexe_ctx *ctx, struct pe_cache *cache, const char *name,
                 pid_t pid, unsigned detail_states, struct procexe_proc **ret)
{
	struct load L = { .mapped = -1 };
	char pidname[24];
	int r;

	if (!name) {
		if (pid <= 0)
			return -ESRCH;
		snprintf(pidname, sizeof(pidname), "%d", (int)pid);
		name = pidname;
	}
	r = pe_reader_open(&L.rd, ctx, cache, name);
	if (r < 0 && r != -EACCES && r != -EPERM)
		return r;       /* gone, or our trouble (EMFILE, ENOMEM...) */
	L.p = pe_proc_new(pid);
	if (!L.p) {
		pe_reader_close(&L.rd);
		return -ENOMEM;
	}
	if (r < 0) {
		/* hidepid=noaccess answers EPERM for the directory itself. */
		L.p->state = PROCEXE_STATE_DENIED;
		L.p->err = -r;
	} else {
		r = load_phases(&L, detail_states);
	}
	pe_mapset_done(&L.set);
	pe_reader_close(&L.rd);
	if (r < 0) {
		procexe_proc_free(L.p);
		return r;
	}
	*ret = L.p;
	return 0;
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
