/*
 * setjmp.S - arch_setjmp / arch_longjmp (arch/x86_64/arch.h).
 *
 * The buffer: RBX, RBP, R12-R15 (the callee-saved registers of the SysV ABI),
 * RSP as it will be after setjmp returns, the return address, RFLAGS.
 * Restoring RFLAGS restores the interrupt flag as it was at setjmp time.
 */
	.text
	.globl arch_setjmp
	.type arch_setjmp, @function
arch_setjmp:                                    /* int arch_setjmp(arch_jmp_buf buf) */
	movq %rbx, 0(%rdi)
	movq %rbp, 8(%rdi)
	movq %r12, 16(%rdi)
	movq %r13, 24(%rdi)
	movq %r14, 32(%rdi)
	movq %r15, 40(%rdi)
	leaq 8(%rsp), %rax                      /* the caller's RSP after we return */
	movq %rax, 48(%rdi)
	movq (%rsp), %rax                       /* our return address */
	movq %rax, 56(%rdi)
	pushfq
	popq 64(%rdi)
	xorl %eax, %eax
	ret
	.size arch_setjmp, . - arch_setjmp

	.globl arch_longjmp
	.type arch_longjmp, @function
arch_longjmp:                                   /* void arch_longjmp(arch_jmp_buf buf, int val) */
	movl %esi, %eax
	testl %eax, %eax                        /* setjmp must not appear to return 0 twice */
	jnz 1f
	incl %eax
1:	movq 0(%rdi), %rbx
	movq 8(%rdi), %rbp
	movq 16(%rdi), %r12
	movq 24(%rdi), %r13
	movq 32(%rdi), %r14
	movq 40(%rdi), %r15
	movq 48(%rdi), %rsp
	pushq 64(%rdi)
	popfq
	jmpq *56(%rdi)
	.size arch_longjmp, . - arch_longjmp

	.section .note.GNU-stack, "", @progbits
