/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The summary object of schema v1: see summary.h. */
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "json.h"
#include "summary.h"

void summary_init(struct summary *s, const char *command)
{
	struct timespec ts;

	*s = (struct summary){ .command = command };
	if (clock_gettime(CLOCK_REALTIME, &ts) == 0)
		s->time_ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Count PROC: processes, states, denied. */
static void summary_add(struct summary *s, const struct procexe_proc *proc)
{
	enum procexe_state st = procexe_proc_state(proc);

	s->processes++;
	if ((unsigned)st < _PROCEXE_STATE_MAX)
		s->states[st]++;
	if (st == PROCEXE_STATE_DENIED)
		s->denied++;
}

void summary_add_seen(struct summary *s, struct unseen_log *l,
                      const struct procexe_proc *proc, bool maps)
{
	summary_add(s, proc);
	unseen_add(&s->unseen, l, proc, maps);
}

void summary_end_scan(struct summary *s, const struct unseen_log *l, size_t vanished)
{
	size_t exited = s->unseen.nexited;

	unseen_finish(&s->unseen, l, vanished);
	/* The library counts a named PID that does not exist as vanished
	 * too; it is "missing" (unseen) only, not counted twice. */
	s->vanished += s->unseen.nexited - exited;
}

void summary_add_list(struct summary *s, const struct procexe_list *list,
                      const pid_t *pids, size_t npids, bool maps)
{
	size_t n = procexe_list_count(list);
	struct unseen_log l;

	unseen_log_init(&l, pids, npids);
	for (size_t i = 0; i < n; i++)
		summary_add_seen(s, &l, procexe_list_get(list, i), maps);
	summary_end_scan(s, &l, procexe_list_vanished(list));
	unseen_log_free(&l);
}

bool summary_complete(const struct summary *s)
{
	return !unseen_any(&s->unseen);
}

bool summary_all_seen(const struct summary *s)
{
	return summary_complete(s) && s->denied == 0;
}

/* The kernel's boot id into BUF (37 bytes), or NULL. */
static const char *boot_id(char *buf, size_t size)
{
	int fd = open("/proc/sys/kernel/random/boot_id", O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	ssize_t n;

	if (fd < 0)
		return NULL;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 36)
		return NULL;
	buf[36] = '\0';
	return buf;
}

static void members(struct json *j, const struct summary *s, summary_extra_fn extra,
                    const void *arg)
{
	char host[HOST_NAME_MAX + 1], bid[64];

	json_str(j, "version", procexe_version());
	if (gethostname(host, sizeof(host)) == 0) {
		host[sizeof(host) - 1] = '\0';
		json_bytes(j, "host", host, strlen(host));
	} else {
		json_null(j, "host");
	}
	json_str(j, "boot_id", boot_id(bid, sizeof(bid)));
	json_time(j, "time", s->time_ns);
	json_uint(j, "processes", s->processes);
	json_open(j, "states");
	for (int st = 0; st < _PROCEXE_STATE_MAX; st++)
		if (procexe_state_name(st))
			json_uint(j, procexe_state_name(st), s->states[st]);
	json_close(j);
	json_uint(j, "flagged", s->flagged);
	json_uint(j, "denied", s->denied);
	json_uint(j, "vanished", s->vanished);
	json_open(j, "unseen");
	json_uint(j, "timeout", s->unseen.ntimeout);
	json_uint(j, "unreadable", s->unseen.nunreadable + s->unseen.nnamed_denied);
	json_uint(j, "maps_incomplete", s->unseen.nmaps);
	json_uint(j, "missing", s->unseen.nmissing);
	json_close(j);
	json_bool(j, "complete", summary_all_seen(s));
	json_int(j, "exit_status", s->exit_status);
	if (extra)
		extra(j, arg);
}

void summary_member(struct json *j, const struct summary *s, summary_extra_fn extra,
                    const void *arg)
{
	json_open(j, "summary");
	members(j, s, extra, arg);
	json_close(j);
}

void summary_line(struct json *j, const struct summary *s, summary_extra_fn extra,
                  const void *arg)
{
	json_begin_document(j, s->command, "summary");
	members(j, s, extra, arg);
	json_close(j);
	json_end_line(j);
}
