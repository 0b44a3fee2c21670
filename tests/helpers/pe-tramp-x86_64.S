/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Position-independent trampoline for pe-repoint (x86_64 Linux).  It is
 * copied into anonymous memory and entered with %rdi = struct pe_job *
 * (layout in pe-repoint.c).  It unmaps the listed ranges (the process's
 * own image), calls prctl with the five prepared arguments, reports the
 * result on job->out_fd and then sleeps forever (success) or exits 1.
 * It uses no stack data and no memory of the image.
 */
	.set JOB_NRANGES,   0
	.set JOB_RANGES,    8
	.set JOB_ARGS,      264
	.set JOB_OUTFD,     304
	.set JOB_OKLEN,     312
	.set JOB_FAILLEN,   320
	.set JOB_OKMSG,     328
	.set JOB_FAILMSG,   392

	.set NR_WRITE,      1
	.set NR_MUNMAP,     11
	.set NR_PAUSE,      34
	.set NR_PRCTL,      157
	.set NR_EXIT_GROUP, 231

	.text
	.globl pe_tramp_begin
	.globl pe_tramp_end
	.type pe_tramp_begin, @function
pe_tramp_begin:
	movq	%rdi, %r12
	movq	JOB_NRANGES(%r12), %r13
	leaq	JOB_RANGES(%r12), %r14
.Lnext_range:
	testq	%r13, %r13
	jz	.Lcall_prctl
	movl	$NR_MUNMAP, %eax
	movq	0(%r14), %rdi
	movq	8(%r14), %rsi
	syscall
	addq	$16, %r14
	decq	%r13
	jmp	.Lnext_range

.Lcall_prctl:
	movl	$NR_PRCTL, %eax
	movq	JOB_ARGS+0(%r12), %rdi
	movq	JOB_ARGS+8(%r12), %rsi
	movq	JOB_ARGS+16(%r12), %rdx
	movq	JOB_ARGS+24(%r12), %r10
	movq	JOB_ARGS+32(%r12), %r8
	syscall
	testq	%rax, %rax
	jnz	.Lfailed

	movl	$NR_WRITE, %eax
	movq	JOB_OUTFD(%r12), %rdi
	leaq	JOB_OKMSG(%r12), %rsi
	movq	JOB_OKLEN(%r12), %rdx
	syscall
.Lsleep:
	movl	$NR_PAUSE, %eax
	syscall
	jmp	.Lsleep

.Lfailed:
	/* errno = -rax, appended in decimal to the failure prefix */
	negq	%rax
	xorl	%r9d, %r9d
	movl	$10, %r11d
.Ldigit:
	xorl	%edx, %edx
	divq	%r11
	addq	$48, %rdx
	pushq	%rdx
	incq	%r9
	testq	%rax, %rax
	jnz	.Ldigit
	leaq	JOB_FAILMSG(%r12), %rsi
	movq	JOB_FAILLEN(%r12), %rcx
	leaq	(%rsi,%rcx), %rdi
.Lstore:
	popq	%rdx
	movb	%dl, (%rdi)
	incq	%rdi
	decq	%r9
	jnz	.Lstore
	movb	$10, (%rdi)
	incq	%rdi
	movq	%rdi, %rdx
	subq	%rsi, %rdx
	movl	$NR_WRITE, %eax
	movq	JOB_OUTFD(%r12), %rdi
	syscall
	movl	$NR_EXIT_GROUP, %eax
	movl	$1, %edi
	syscall
	hlt
pe_tramp_end:
	.size pe_tramp_begin, pe_tramp_end - pe_tramp_begin

	.section .note.GNU-stack,"",@progbits
