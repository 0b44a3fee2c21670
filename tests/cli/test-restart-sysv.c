/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests for src/restart-sysv.c: init scripts, pidfiles, and the SysV
 * service of a process from a fake process tree. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "restart-sysv.h"

static void parse(const char *text, struct sysv_service *svc)
{
	memset(svc, 0, sizeof(*svc));
	assert_int_equal(sysv_script_parse(text, strlen(text), svc), 0);
}

static void svc_free(struct sysv_service *svc)
{
	for (size_t i = 0; i < svc->npidfiles; i++)
		free(svc->pidfiles[i]);
	for (size_t i = 0; i < svc->ndaemons; i++)
		free(svc->daemons[i]);
}

static void test_script_parse(void **state)
{
	struct sysv_service s;

	(void)state;
	parse("#!/bin/sh\nDAEMON=/usr/sbin/rsyslogd\nPIDFILE=/run/rsyslogd.pid\n"
	      "start-stop-daemon --start --quiet --pidfile /var/run/rsyslogd.pid --exec $DAEMON\n"
	      "start-stop-daemon --stop --exec /usr/sbin/sshd --pidfile \"/run/sshd.pid\"\n"
	      "PIDFILE=$PIDDIR/run/not.pid\nX=/run/${NAME}.pid\nY=/srv/run/x.pid\n"
	      "OTHERDAEMON=/usr/bin/nope\n  DAEMON='/usr/bin/quoted'\n", &s);
	assert_int_equal(s.npidfiles, 3);
	assert_string_equal(s.pidfiles[0], "/run/rsyslogd.pid");
	assert_string_equal(s.pidfiles[1], "/var/run/rsyslogd.pid");
	assert_string_equal(s.pidfiles[2], "/run/sshd.pid");
	assert_int_equal(s.ndaemons, 3);
	assert_string_equal(s.daemons[0], "rsyslogd");
	assert_string_equal(s.daemons[1], "quoted");
	assert_string_equal(s.daemons[2], "sshd");
	svc_free(&s);
	/* bounded: at most SYSV_MAX_PIDFILES, once each */
	{
		char text[4096] = "";

		for (int i = 0; i < 40; i++)
			snprintf(text + strlen(text), sizeof(text) - strlen(text),
			         "P=/run/p%d.pid /run/p0.pid\n", i);
		parse(text, &s);
		assert_int_equal(s.npidfiles, SYSV_MAX_PIDFILES);
		svc_free(&s);
	}
	parse("", &s);
	assert_int_equal(s.npidfiles + s.ndaemons, 0);
}

static void test_pidfile_parse(void **state)
{
	pid_t pid = 0;

	(void)state;
	assert_int_equal(sysv_pidfile_parse("1234\n", 5, &pid), 0);
	assert_int_equal(pid, 1234);
	assert_int_equal(sysv_pidfile_parse("  77", 4, &pid), 0);
	assert_int_equal(pid, 77);
	assert_int_equal(sysv_pidfile_parse("1\n", 2, &pid), -EINVAL);
	assert_int_equal(sysv_pidfile_parse("0", 1, &pid), -EINVAL);
	assert_int_equal(sysv_pidfile_parse("-5", 2, &pid), -EINVAL);
	assert_int_equal(sysv_pidfile_parse("12x", 3, &pid), -EINVAL);
	assert_int_equal(sysv_pidfile_parse("99999999999", 11, &pid), -EINVAL);
	assert_int_equal(sysv_pidfile_parse("", 0, &pid), -EINVAL);
}

/* A fake tree: pid -> parent, uid, comm. */
static const struct node { pid_t pid, ppid; uid_t uid; const char *comm; } nodes[] = {
	{ 100, 1, 0, "cron" },          /* a daemon, no pidfile */
	{ 101, 100, 1000, "sh" },       /* its job */
	{ 200, 1, 0, "rsyslogd" },      /* pidfile of rsyslog */
	{ 201, 200, 0, "rsyslogd" },
	{ 300, 1, 1000, "evil" },       /* writes a pidfile naming 400 */
	{ 400, 1, 0, "mystery" },
	{ 500, 1, 104, "dnsd" },        /* its own pidfile, owned by its user */
	{ 600, 1, 0, "averyveryverylongname" },
	{ 700, 1, 0, "loop" },
};

static const struct node *node(pid_t pid)
{
	for (size_t i = 0; i < sizeof(nodes) / sizeof(nodes[0]); i++)
		if (nodes[i].pid == pid)
			return &nodes[i];
	return NULL;
}

static pid_t t_parent(pid_t pid, void *arg)
{
	(void)arg;
	if (pid == 700)
		return 700;     /* a cycle (a reused PID): bounded */
	return node(pid) ? node(pid)->ppid : -1;
}

static uid_t t_uid(pid_t pid, void *arg)
{
	(void)arg;
	return node(pid) ? node(pid)->uid : (uid_t)-1;
}

static bool t_comm(pid_t pid, char *buf, size_t size, void *arg)
{
	(void)arg;
	if (!node(pid))
		return false;
	snprintf(buf, size, "%.15s", node(pid)->comm);
	return true;
}

static void test_lookup(void **state)
{
	struct sysv_service svcs[] = {
		{ .name = (char *)"cron" },
		{ .name = (char *)"rsyslog" },
		{ .name = (char *)"victim" },
		{ .name = (char *)"dns" },
		{ .name = (char *)"averyveryverylongname" },
	};
	struct sysv_pid pids[] = {
		{ .pid = 200, .owner = 0, .service = 1 },
		{ .pid = 400, .owner = 1000, .service = 2 },     /* not believed */
		{ .pid = 500, .owner = 104, .service = 3 },
	};
	struct sysv_map m = { svcs, 5, pids, 3 };
	struct sysv_tree t = { t_parent, t_uid, t_comm, NULL };

	(void)state;
	assert_string_equal(sysv_lookup(&m, 100, &t), "cron");          /* by comm */
	assert_string_equal(sysv_lookup(&m, 101, &t), "cron");          /* the ancestor */
	assert_string_equal(sysv_lookup(&m, 201, &t), "rsyslog");       /* pidfile of the parent */
	assert_null(sysv_lookup(&m, 400, &t));                          /* a user's pidfile */
	assert_string_equal(sysv_lookup(&m, 500, &t), "dns");           /* its owner's pidfile */
	assert_string_equal(sysv_lookup(&m, 600, &t), "averyveryverylongname"); /* comm cut at 15 */
	assert_null(sysv_lookup(&m, 300, &t));
	assert_null(sysv_lookup(&m, 700, &t));
	assert_null(sysv_lookup(&m, 999, &t));
	assert_null(sysv_lookup(&m, 1, &t));
	/* daemon names: rsyslog's program */
	svcs[1].daemons[0] = (char *)"rsyslogd";
	svcs[1].ndaemons = 1;
	m.npids = 0;
	assert_string_equal(sysv_lookup(&m, 201, &t), "rsyslog");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_script_parse),
		cmocka_unit_test(test_pidfile_parse),
		cmocka_unit_test(test_lookup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
