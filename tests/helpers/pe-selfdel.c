/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pe-selfdel [-w]: unlink(argv[0]), then exit_group(0).  A static program
 * without libc (x86_64 Linux, raw system calls), so that it lives only a
 * few tens of microseconds after exec: the shortest-lived self-deleting
 * program the watch tests and bench/watch.sh can pin.  With -w it first
 * waits for one byte (or end-of-file) on fd 0, for tests that need it
 * alive.  The status is 0 whether or not the unlink succeeded (run from a
 * memfd, argv[0] names no file).  Bytes appended after the ELF image (a
 * trailer) do not change what runs.
 */

#define NR_READ        0
#define NR_UNLINK      87
#define NR_EXIT_GROUP  231

static long pe_syscall1(long nr, long a)
{
	long ret;

	__asm__ volatile ("syscall" : "=a"(ret) : "a"(nr), "D"(a)
			  : "rcx", "r11", "memory");
	return ret;
}

static long pe_syscall3(long nr, long a, long b, long c)
{
	long ret;

	__asm__ volatile ("syscall" : "=a"(ret) : "a"(nr), "D"(a), "S"(b), "d"(c)
			  : "rcx", "r11", "memory");
	return ret;
}

/* Called from _start with the initial stack: argc, argv[0], ... */
__attribute__((noreturn, used)) void pe_selfdel_main(long *sp);

__attribute__((noreturn, used)) void pe_selfdel_main(long *sp)
{
	long argc = sp[0];
	char **argv = (char **)(sp + 1);

	if (argc > 1 && argv[1][0] == '-' && argv[1][1] == 'w' && argv[1][2] == '\0') {
		char c;

		while (pe_syscall3(NR_READ, 0, (long)&c, 1) == -4 /* EINTR */)
			;
	}
	if (argc > 0)
		pe_syscall1(NR_UNLINK, (long)argv[0]);
	for (;;)
		pe_syscall1(NR_EXIT_GROUP, 0);
}

__asm__(
	"	.text\n"
	"	.globl _start\n"
	"	.type _start, @function\n"
	"_start:\n"
	"	xorl %ebp, %ebp\n"
	"	movq %rsp, %rdi\n"
	"	andq $-16, %rsp\n"
	"	call pe_selfdel_main\n"
	"	hlt\n");
