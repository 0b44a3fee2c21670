/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * procexe watch: one record per exec, pinned by the main thread (watch.c,
 * watch-pin.c) and judged, hashed, stored and printed by the worker
 * (watch-out.c), in the order the main thread queued them.
 */
#ifndef PROCEXE_WATCH_H
#define PROCEXE_WATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "output.h"
#include "summary.h"

/* Mechanisms (bits of struct wrec.mechs and of the selection). */
#define WM_FANOTIFY  (1u << 0)
#define WM_BPF       (1u << 1)
#define WM_CONNECTOR (1u << 2)

/* One exec.  Owned by the main thread until queued, then by the worker. */
struct wrec {
	uint64_t time_ns;       /* exec time (realtime ns) when known, else read time */
	pid_t pid;
	pid_t ppid;             /* -1: unknown */
	uid_t uid;              /* (uid_t)-1: unknown */
	char comm[16];          /* "" unknown */
	char *argv0;            /* raw bytes, NULL unknown */
	size_t argv0_len;
	int fd;                 /* the pinned image (O_RDONLY), -1 */
	const char *pinned;     /* "fanotify", "procfs", "freeze"; NULL */
	const char *missed;     /* why not pinned or not stored (static); NULL */
	bool have_id;           /* dev/ino/nlink_exec from the BPF event */
	uint64_t dev, ino;      /* dev in makedev() form */
	uint64_t nlink_exec;
	bool bpf_suspect;       /* the BPF program's own suspicion at exec */
	char fstype[16];        /* "" unknown */
	unsigned mechs;         /* WM_* that reported this exec */
	/* The file the exec was asked to run when it is not the image (a
	 * script its interpreter runs: binfmt_script, binfmt_misc). */
	bool script;            /* false: the image is the file execve'd */
	int script_fd;          /* the pinned script (O_RDONLY), -1 */
	const char *script_pinned; /* "fanotify", "procfs", "freeze"; NULL */
	const char *script_missed; /* why the script was not pinned (static); NULL */
	char *script_name;      /* the name execve was given (raw bytes, bounded
	                           by the BPF event), NULL unknown */
	size_t script_name_len;
};

void wrec_free(struct wrec *r);

/* What the run counts for its summary (main thread and worker: atomics
 * where both write). */
struct wcount {
	uint64_t execs;         /* records queued */
	uint64_t pinned;        /* records with an image */
	uint64_t missed;        /* records without one */
	uint64_t dropped;       /* records shed: queue full (never printed) */
	uint64_t suspicious;
	uint64_t interp;        /* fanotify opens that were not the exec's image */
	uint64_t bpf_lost;      /* BPF events the ring buffer could not hold */
	uint64_t fan_lost;      /* fanotify queue overflows */
	uint64_t cn_lost;       /* connector messages the socket dropped */
	uint64_t frozen;        /* programs stopped by --freeze and resumed */
	uint64_t freeze_refused; /* suspicious execs not stopped for safety */
	uint64_t script_missed; /* records of a script that could not be pinned */
};

/* The output side (watch-out.c). */
struct wout;

struct wout_opts {
	enum out_format format;
	bool noheadings;
	const char *proc;       /* procfs root, NULL: /proc */
	bool store_all;         /* --all: every distinct image; else the suspicious */
	bool quiet;
	bool flagged;           /* print only suspicious or missed records */
	const char *store_dir;  /* NULL: hash only */
	uint64_t max_store, min_free;
	uint64_t count;         /* stop after this many printed records; 0: never */
};

/* Open the store and start the worker.  0, or exits with a message. */
struct wout *wout_new(const struct wout_opts *o, struct summary *s);
/* Queue REC (ownership passes) or, when the worker is behind, refuse it:
 * false (REC is still the caller's). */
bool wout_push(struct wout *w, struct wrec *rec);
/* Records printed so far (for --count). */
uint64_t wout_printed(struct wout *w);
/* Let the worker finish what is queued, print the summary with COUNTS
 * and the active MECHANISMS (NULL-terminated names), free W and return
 * the exit status. */
int wout_finish(struct wout *w, const struct wcount *counts, const char *const *mechanisms);

#endif /* PROCEXE_WATCH_H */
