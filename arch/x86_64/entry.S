/*
 * entry.S - the interrupt and exception entry stubs.
 *
 * One 16-byte stub per vector (isr_stubs + 16 * vector, which traps.c puts in
 * the IDT). The CPU pushes SS, RSP, RFLAGS, CS, RIP and, for some exceptions,
 * an error code; the stub pushes a 0 in its place when the CPU does not, so
 * every frame has the same shape, then the vector number, and jumps to
 * isr_common. isr_common pushes the general registers, completing a struct
 * pt_regs (traps.h), and calls exception_dispatch(regs); whatever the handler
 * left in pt_regs is what iretq resumes (the expected-fault hook relies on
 * that).
 *
 * Stack alignment: in 64-bit mode the CPU aligns RSP to 16 bytes before
 * pushing the frame; 5 + 2 + 15 eight-byte pushes = 176 bytes keep it
 * aligned, so the call below meets the ABI's requirement.
 *
 * No swapgs: the kernel never runs user code, so GS is always the kernel's.
 */
	.text

/* Vectors for which the CPU pushes an error code. */
#define HAS_ERROR_CODE(v) ((v) == 8 || (v) == 10 || (v) == 11 || (v) == 12 || (v) == 13 || \
			   (v) == 14 || (v) == 17 || (v) == 21 || (v) == 29 || (v) == 30)

	.p2align 4
	.globl isr_stubs
	.type isr_stubs, @function
isr_stubs:
	vector = 0
	.rept 256
	.if HAS_ERROR_CODE(vector) == 0
	pushq $0
	.endif
	pushq $vector
	jmp isr_common
	/* Pad to exactly 16 bytes; the assembler fails here if a stub grew past them. */
	.org isr_stubs + 16 * (vector + 1), 0xcc
	vector = vector + 1
	.endr
	.size isr_stubs, . - isr_stubs

	.type isr_common, @function
isr_common:
	pushq %rax
	pushq %rbx
	pushq %rcx
	pushq %rdx
	pushq %rsi
	pushq %rdi
	pushq %rbp
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	cld
	movq %rsp, %rdi
	call exception_dispatch
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rbp
	popq %rdi
	popq %rsi
	popq %rdx
	popq %rcx
	popq %rbx
	popq %rax
	addq $16, %rsp                          /* vector and error code */
	iretq
	.size isr_common, . - isr_common

/*
 * Where an expected fault "returns" to (traps.c rewrote the frame's RIP to
 * point here and put the jump buffer in RDI and 1 in RSI). We are back in the
 * interrupted context, on its stack; realign it and leave through longjmp.
 */
	.globl fault_resume_stub
	.type fault_resume_stub, @function
fault_resume_stub:
	andq $-16, %rsp
	call arch_longjmp
	ud2
	.size fault_resume_stub, . - fault_resume_stub

	.section .note.GNU-stack, "", @progbits
