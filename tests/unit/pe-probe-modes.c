/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pe-probe-modes PID...: read each PID twice, once as the library does by
 * default (the repointed check through PROCMAP_QUERY) and once with the
 * context told the kernel lacks the ioctl (the text peek), and print per
 * PID one line
 *     PID STATE FLAGS STATE FLAGS FIRST FIRST
 * (query mode, then text mode; FLAGS in hex; FIRST the lowest file-backed
 * mapping as MAJ:MIN:INO, "-" for none, from one PROCMAP_QUERY and from
 * the text), then the same for procexe_scan() of all the PIDs.  Exits 0
 * when every pair agrees, 1 on a mismatch, 2 on an error, 77 when the
 * kernel lacks PROCMAP_QUERY (nothing to compare).
 *
 * pe-probe-modes --low-map FILE: map FILE at the lowest address allowed,
 * print "ready PID" and sleep until killed (dies with its parent): a
 * process whose lowest file mapping is not its image.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "internal.h"
#include "lines.h"
#include "parse.h"
#include "procmap.h"

static int low_map(const char *file)
{
	int fd = open(file, O_RDONLY | O_CLOEXEC);
	void *at = MAP_FAILED;

	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || fd < 0)
		return 2;
	/* vm.mmap_min_addr is 65536 by default; go up until it is allowed */
	for (unsigned long a = 0x10000; a < 0x1000000 && at == MAP_FAILED; a += 0x10000)
		at = mmap((void *)a, 4096, PROT_READ, MAP_PRIVATE | MAP_FIXED_NOREPLACE, fd, 0);
	if (at == MAP_FAILED)
		return 2;
	printf("ready %ld\n", (long)getpid());
	fflush(stdout);
	for (;;)
		pause();
}

/* The lowest file-backed mapping of PID by one PROCMAP_QUERY and by the
 * text (the first line naming a file rather than "[heap]" and the like). */
static int first_files(pid_t pid, char *q, char *t, size_t size)
{
	char path[64];
	struct pe_procmap_query pq = {
		.size = sizeof(pq),
		.query_flags = PE_QUERY_COVERING_OR_NEXT | PE_QUERY_FILE_BACKED,
	};
	struct pe_lines rd;
	struct pe_map m;
	int dir, fd, r;

	snprintf(path, sizeof(path), "/proc/%d", (int)pid);
	dir = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0)
		return -errno;
	fd = openat(dir, "maps", O_RDONLY | O_CLOEXEC);
	if (fd < 0 || ioctl(fd, PE_PROCMAP_QUERY, &pq) < 0)
		r = -errno;
	else
		r = 0;
	if (fd >= 0)
		close(fd);
	if (r == -ENOENT)
		snprintf(q, size, "-");
	else if (r == 0)
		snprintf(q, size, "%u:%u:%llu", pq.dev_major, pq.dev_minor,
		         (unsigned long long)pq.inode);
	else
		goto out;
	snprintf(t, size, "-");
	r = pe_lines_open(&rd, dir, "maps", NULL);
	if (r < 0)
		goto out;
	while ((r = pe_lines_next_map(&rd, &m, false)) > 0) {
		if (m.path_len && m.path[0] != '[') {
			snprintf(t, size, "%u:%u:%llu", m.dev_major, m.dev_minor,
			         (unsigned long long)m.ino);
			break;
		}
	}
	pe_lines_close(&rd);
	r = r < 0 ? r : 0;
out:
	close(dir);
	return r;
}

static int new_ctx(bool text, struct procexe_ctx **ret)
{
	int r = procexe_ctx_new(NULL, ret);

	if (r == 0 && text)
		(*ret)->no_maps_query = 1;      /* as if the kernel lacked it */
	return r;
}

/* One line per PID from procexe_proc_load() in both modes; 0 when they
 * agree, 1 when not, 2 on an error. */
static int compare_loads(struct procexe_ctx *cq, struct procexe_ctx *ct, pid_t pid)
{
	struct procexe_proc *a = NULL, *b = NULL;
	char fq[64], ft[64];
	int r;

	r = procexe_proc_load(cq, pid, 0, &a);
	if (r == 0)
		r = procexe_proc_load(ct, pid, 0, &b);
	if (r == 0)
		r = first_files(pid, fq, ft, sizeof(fq));
	if (r < 0) {
		fprintf(stderr, "pe-probe-modes: %d: %s\n", (int)pid, strerror(-r));
		r = 2;
	} else {
		printf("%d %s %#x %s %#x %s %s\n", (int)pid,
		       procexe_state_name(a->state), a->flags, procexe_state_name(b->state), b->flags,
		       fq, ft);
		r = a->state != b->state || a->flags != b->flags || strcmp(fq, ft) != 0;
	}
	procexe_proc_free(a);
	procexe_proc_free(b);
	return r;
}

/* The same through procexe_scan(): "scan PID STATE FLAGS STATE FLAGS". */
static int compare_scans(struct procexe_ctx *cq, struct procexe_ctx *ct, const pid_t *pids,
                         size_t n)
{
	struct procexe_list *lq = NULL, *lt = NULL;
	int ret = 0;

	if (procexe_scan(cq, pids, n, 0, &lq) < 0 || procexe_scan(ct, pids, n, 0, &lt) < 0 ||
	    procexe_list_count(lq) != n || procexe_list_count(lt) != n) {
		fprintf(stderr, "pe-probe-modes: the scans failed or lost a PID\n");
		ret = 2;
	}
	for (size_t i = 0; ret == 0 && i < n; i++) {
		const struct procexe_proc *a = procexe_list_get(lq, i), *b = procexe_list_get(lt, i);

		printf("scan %d %s %#x %s %#x\n", (int)a->pid, procexe_state_name(a->state), a->flags,
		       procexe_state_name(b->state), b->flags);
		if (a->pid != b->pid || a->state != b->state || a->flags != b->flags)
			ret = 1;
	}
	procexe_list_free(lq);
	procexe_list_free(lt);
	return ret;
}

int main(int argc, char **argv)
{
	struct procexe_ctx *cq = NULL, *ct = NULL;
	pid_t pids[64];
	int n = argc - 1, ret = 0;

	if (argc == 3 && strcmp(argv[1], "--low-map") == 0)
		return low_map(argv[2]);
	if (n < 1 || n > 64)
		return 2;
	for (int i = 0; i < n; i++)
		pids[i] = (pid_t)atoi(argv[i + 1]);
	if (new_ctx(false, &cq) < 0 || new_ctx(true, &ct) < 0)
		return 2;
	for (int i = 0; i < n && ret < 2; i++) {
		int r = compare_loads(cq, ct, pids[i]);

		ret = r > ret ? r : ret;
	}
	if (ret < 2) {
		int r = compare_scans(cq, ct, pids, (size_t)n);

		ret = r > ret ? r : ret;
	}
	/* the query was never refused, so the first mode really used it */
	if (ret == 0 && cq->no_maps_query)
		ret = 77;
	procexe_ctx_free(cq);
	procexe_ctx_free(ct);
	return ret;
}
