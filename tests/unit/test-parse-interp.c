/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests for pe_interp_of() and pe_script_arg(). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"

/* Command lines as C literals with embedded NULs: length is sizeof() - 1. */
#define CMD(s) (s), (sizeof(s) - 1)

static enum pe_interp of(const char *name)
{
	return pe_interp_of(name, strlen(name));
}

static void test_names(void **state)
{
	assert_int_equal(of("python3"), PE_INTERP_PYTHON);
	assert_int_equal(of("python3.11"), PE_INTERP_PYTHON);
	assert_int_equal(of("python"), PE_INTERP_PYTHON);
	assert_int_equal(of("perl"), PE_INTERP_PERL);
	assert_int_equal(of("perl5.36.0"), PE_INTERP_PERL);
	assert_int_equal(of("perl5.36-x86_64-linux-gnu"), PE_INTERP_PERL);
	assert_int_equal(of("ruby3.1"), PE_INTERP_RUBY);
	assert_int_equal(of("node"), PE_INTERP_NODE);
	assert_int_equal(of("nodejs"), PE_INTERP_NODE);
	assert_int_equal(of("php8.2"), PE_INTERP_PHP);
	assert_int_equal(of("sh"), PE_INTERP_SHELL);
	assert_int_equal(of("bash"), PE_INTERP_SHELL);
	assert_int_equal(of("dash"), PE_INTERP_SHELL);
	assert_int_equal(of("zsh-5.9"), PE_INTERP_SHELL);
	assert_int_equal(of("ksh93"), PE_INTERP_SHELL);
	assert_int_equal(of("mksh"), PE_INTERP_SHELL);
}

static void test_not_names(void **state)
{
	assert_int_equal(of(""), PE_INTERP_NONE);
	assert_int_equal(of("sleep"), PE_INTERP_NONE);
	assert_int_equal(of("python-config"), PE_INTERP_NONE);   /* "-" then no digit */
	assert_int_equal(of("pythonx"), PE_INTERP_NONE);
	assert_int_equal(of("shx"), PE_INTERP_NONE);
	assert_int_equal(of("Python3"), PE_INTERP_NONE);
	assert_int_equal(of("sh.real"), PE_INTERP_NONE);
	assert_int_equal(of("bash (deleted)"), PE_INTERP_NONE);
	assert_int_equal(of("perl-"), PE_INTERP_NONE);
	assert_int_equal(pe_interp_of("sh\0x", 4), PE_INTERP_NONE);
}

/* The script of KIND's command line [S, S + LEN) from argument FIRST is
 * EXPECT; NULL: ERR is returned. */
static void check(enum pe_interp kind, const char *s, size_t len, size_t first,
                  const char *expect, int err)
{
	char *copy = malloc(len ? len : 1);
	const char *arg = NULL;
	size_t arg_len = 0;
	int r;

	assert_non_null(copy);
	memcpy(copy, s, len);
	r = pe_script_arg(kind, copy, len, first, &arg, &arg_len);
	if (expect) {
		assert_int_equal(r, 0);
		assert_true(arg >= copy && arg + arg_len <= copy + len);
		assert_int_equal(arg_len, strlen(expect));
		assert_memory_equal(arg, expect, arg_len);
	} else {
		assert_int_equal(r, err);
	}
	free(copy);
}

#define SCRIPT(kind, s, expect) check(kind, CMD(s), 0, expect, 0)
#define NONE(kind, s) check(kind, CMD(s), 0, NULL, -ENOENT)
#define BAD(kind, s) check(kind, CMD(s), 0, NULL, -EINVAL)

static void test_python(void **state)
{
	const enum pe_interp k = PE_INTERP_PYTHON;

	SCRIPT(k, "python3\0x.py\0", "x.py");
	SCRIPT(k, "python3\0-u\0x.py\0-m\0", "x.py");
	SCRIPT(k, "python3\0-uB\0/srv/a b.py\0", "/srv/a b.py");
	SCRIPT(k, "python3\0-W\0ignore\0x.py", "x.py");   /* no final NUL */
	SCRIPT(k, "python3\0-Wignore\0x.py\0", "x.py");
	SCRIPT(k, "python3\0-X\0dev\0-O\0x.py\0", "x.py");
	SCRIPT(k, "python3\0--check-hash-based-pycs\0never\0x.py\0", "x.py");
	SCRIPT(k, "python3\0--check-hash-based-pycs=never\0x.py\0", "x.py");
	SCRIPT(k, "python3\0--\0-x.py\0", "-x.py");
	NONE(k, "python3\0-m\0http.server\0");
	NONE(k, "python3\0-um\0http.server\0");
	NONE(k, "python3\0-c\0import time\0x.py\0");
	NONE(k, "python3\0-\0");
	NONE(k, "python3\0");
	NONE(k, "python3\0-W\0");
	NONE(k, "python3\0--version\0");
	NONE(k, "python3\0\0");
	NONE(k, "");
	BAD(k, "python3\0--frobnicate\0x.py\0");
	BAD(k, "python3\0-Z\0x.py\0");
}

static void test_perl(void **state)
{
	const enum pe_interp k = PE_INTERP_PERL;

	SCRIPT(k, "perl\0-w\0x.pl\0", "x.pl");
	SCRIPT(k, "perl\0-I\0/opt/lib\0-T\0x.pl\0", "x.pl");
	SCRIPT(k, "perl\0-I/opt/lib\0x.pl\0", "x.pl");
	SCRIPT(k, "perl\0-MPOSIX=floor\0x.pl\0", "x.pl");
	SCRIPT(k, "perl\0-0777\0-ln\0x.pl\0", "x.pl");
	SCRIPT(k, "perl\0-l012w\0x.pl\0", "x.pl");
	SCRIPT(k, "perl\0-i.bak\0x.pl\0", "x.pl");
	NONE(k, "perl\0-e\0print 1\0");
	NONE(k, "perl\0-lne\0print\0x\0");   /* -l then -n then -e */
	NONE(k, "perl\0-wE\0say 1\0");
	NONE(k, "perl\0-S\0x.pl\0");           /* a PATH search */
	NONE(k, "perl\0-\0");
	BAD(k, "perl\0-Z\0x.pl\0");
	BAD(k, "perl\0--long\0x.pl\0");
}

static void test_shell(void **state)
{
	const enum pe_interp k = PE_INTERP_SHELL;

	SCRIPT(k, "bash\0x.sh\0arg\0", "x.sh");
	SCRIPT(k, "bash\0-e\0x.sh\0", "x.sh");
	SCRIPT(k, "bash\0-eo\0pipefail\0x.sh\0", "x.sh");
	SCRIPT(k, "bash\0+o\0history\0--norc\0x.sh\0", "x.sh");
	SCRIPT(k, "bash\0--rcfile\0/etc/rc\0x.sh\0", "x.sh");
	SCRIPT(k, "sh\0-\0-x.sh\0", "-x.sh");
	SCRIPT(k, "-bash\0x.sh\0", "x.sh");     /* a login shell's argv[0] */
	NONE(k, "sh\0-c\0sleep 100\0");
	NONE(k, "sh\0-ec\0sleep 100\0x\0");
	NONE(k, "bash\0-s\0arg\0");
	NONE(k, "bash\0-i\0");
	NONE(k, "bash\0--version\0");
	NONE(k, "bash\0-o\0");
}

static void test_others(void **state)
{
	SCRIPT(PE_INTERP_NODE, "node\0--inspect\0x.js\0", "x.js");
	SCRIPT(PE_INTERP_NODE, "node\0--require\0mod\0x.js\0", "x.js");
	SCRIPT(PE_INTERP_NODE, "node\0-r\0mod\0--max-old-space-size=64\0x.js\0", "x.js");
	NONE(PE_INTERP_NODE, "node\0-e\0x\0");
	NONE(PE_INTERP_NODE, "node\0--eval=1\0x.js\0");
	NONE(PE_INTERP_NODE, "node\0-\0");
	SCRIPT(PE_INTERP_RUBY, "ruby\0-w\0-I\0lib\0x.rb\0", "x.rb");
	SCRIPT(PE_INTERP_RUBY, "ruby\0--disable-gems\0--enable\0jit\0x.rb\0", "x.rb");
	NONE(PE_INTERP_RUBY, "ruby\0-e\0p 1\0");
	SCRIPT(PE_INTERP_PHP, "php\0x.php\0", "x.php");
	SCRIPT(PE_INTERP_PHP, "php\0-d\0a=b\0-f\0x.php\0", "x.php");
	SCRIPT(PE_INTERP_PHP, "php\0-fx.php\0", "x.php");
	SCRIPT(PE_INTERP_PHP, "php\0-dmemory_limit=1\0x.php\0", "x.php");
	NONE(PE_INTERP_PHP, "php\0-r\0echo 1;\0");
	NONE(PE_INTERP_PHP, "php\0-S\0localhost:80\0");
	check(PE_INTERP_NONE, CMD("x\0y\0"), 0, NULL, -EINVAL);
	check(_PE_INTERP_MAX, CMD("x\0y\0"), 0, NULL, -EINVAL);
}

static void test_first(void **state)
{
	/* "ld.so /usr/bin/python3 -u x.py": the interpreter is argument 1 */
	check(PE_INTERP_PYTHON, CMD("/lib64/ld.so\0/usr/bin/python3\0-u\0x.py\0"), 1, "x.py", 0);
	check(PE_INTERP_PYTHON, CMD("ld.so\0python3\0"), 1, NULL, -ENOENT);
	check(PE_INTERP_PYTHON, CMD("ld.so\0"), 1, NULL, -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_not_names),
		cmocka_unit_test(test_python),
		cmocka_unit_test(test_perl),
		cmocka_unit_test(test_shell),
		cmocka_unit_test(test_others),
		cmocka_unit_test(test_first),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
