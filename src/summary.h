/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The summary of a run (schema v1 "summary" object): what was seen, what
 * was not, and the exit status.  Every subcommand fills one and writes it
 * last in its -J document or as the last --jsonl line.
 */
#ifndef PROCEXE_SUMMARY_H
#define PROCEXE_SUMMARY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "procexe.h"

#include "output.h"

struct json;

struct summary {
	const char *command;            /* "scan", "ls", ... (static) */
	uint64_t time_ns;               /* run start, CLOCK_REALTIME */
	size_t processes;               /* records considered */
	size_t states[_PROCEXE_STATE_MAX];
	size_t flagged;                 /* rows that are findings */
	size_t denied;                  /* records in state denied */
	size_t vanished;                /* gone before they were read */
	struct unseen unseen;
	int exit_status;
};

/* Zeroed, with COMMAND and the current time. */
void summary_init(struct summary *s, const char *command);

/* Count PROC (processes, states, denied) and what was not seen of it (see
 * unseen_add()): the streaming form of summary_add_list(). */
void summary_add_seen(struct summary *s, struct unseen_log *l,
                      const struct procexe_proc *proc, bool maps);

/* After the scan's last record: named PIDs missing, processes exited
 * (VANISHED as counted by the library). */
void summary_end_scan(struct summary *s, const struct unseen_log *l, size_t vanished);

/*
 * Count every record of LIST (summary_add_seen()), the vanished ones, and
 * what was not seen (named PIDS/NPIDS missing or denied; MAPS as for
 * unseen_add()).
 */
void summary_add_list(struct summary *s, const struct procexe_list *list,
                      const pid_t *pids, size_t npids, bool maps);

/* Nothing unseen: no timeout, unreadable, incomplete maps or missing or
 * denied named PID.  Decides the exit status (3 when false). */
bool summary_complete(const struct summary *s);

/*
 * Every process seen: summary_complete() and no process denied at all.
 * The summary's "complete" and the metrics' procexe_scan_complete: a
 * run as nobody that could not read half the processes is not complete,
 * although (unnamed, denied by the kernel) they do not make its status 3.
 */
bool summary_all_seen(const struct summary *s);

/* Writes command-specific summary keys into the open summary object. */
typedef void (*summary_extra_fn)(struct json *j, const void *arg);

/* "summary": {...} as a member of the open document object. */
void summary_member(struct json *j, const struct summary *s, summary_extra_fn extra,
                    const void *arg);

/* The last --jsonl line: a whole {"schema":1,...,"record":"summary",...}. */
void summary_line(struct json *j, const struct summary *s, summary_extra_fn extra,
                  const void *arg);

#endif /* PROCEXE_SUMMARY_H */
