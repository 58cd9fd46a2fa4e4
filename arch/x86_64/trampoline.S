/*
 * trampoline.S - where an application processor (AP) starts: 16-bit real
 * mode at TRAMPOLINE_PHYS, as the STARTUP IPI leaves it (CS = page << 8,
 * IP = 0, interrupts off, paging off, the other registers unknown).
 *
 * The code is assembled into .rodata (it never runs there) and copied by
 * smp.c to TRAMPOLINE_PHYS, below 1 MiB as a STARTUP IPI requires, so every
 * address in it is computed from its distance to trampoline_start. It takes
 * the AP up the same ladder as boot/boot32.S took the boot CPU:
 *
 *   real mode  -> load our small GDT, set CR0.PE, far jump:
 *   32-bit     -> CR4.PAE (+PGE), CR3, EFER (LME, NXE as the boot CPU has
 *                 them), CR0 as the boot CPU has it (PG, WP, ...), far jump:
 *   64-bit     -> at the identity address still: the kernel's final CR3 and
 *                 CR4, the GS base (per-CPU area), the AP's stack, and a
 *                 call of ap_start(arg) in the kernel's higher half.
 *
 * The boot CPU fills the data block at the end (struct trampoline_data in
 * smp.c, same layout) before each STARTUP IPI. CR3 is loaded while still
 * in 32-bit mode, so it must lie below 4 GiB: boot_cr3 is the kernel's PML4
 * when it does, else a copy of it in low memory; both hold the temporary
 * identity mapping of this page, without which the instruction after the
 * one that turns paging on could not be fetched.
 *
 * Only the real-mode part writes to this page (the "alive" byte, which tells
 * the boot CPU that the STARTUP IPI arrived); the identity mapping is
 * read+execute (the kernel's tables forbid write+execute).
 */
#include "arch/x86_64/layout.h"

#define TRAMPOLINE_PHYS 0x8000

/* Offset of a label in the copy, and its physical (= identity-mapped) address. */
#define OFF(x)  ((x) - trampoline_start)
#define PA(x)   (OFF(x) + TRAMPOLINE_PHYS)

#define TR_CS32 0x08
#define TR_DS32 0x10
#define TR_CS64 0x18

#define MSR_EFER    0xc0000080
#define MSR_GS_BASE 0xc0000101
#define CR0_PE      1
#define CR4_PAE     (1 << 5)
#define CR4_PGE     (1 << 7)

	.section .rodata.trampoline, "a"
	.balign 16
	.globl trampoline_start, trampoline_data, trampoline_end

	.code16
trampoline_start:
	cli
	cld
	movw %cs, %ax
	movw %ax, %ds
	movb $1, OFF(tr_alive)          /* the boot CPU reads this through the direct map */
	lgdtl OFF(tr_gdt_ptr)
	movl %cr0, %eax
	orl $CR0_PE, %eax
	movl %eax, %cr0
	ljmpl $TR_CS32, $PA(tr_protected)

	.code32
tr_protected:
	movl $TR_DS32, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	movl %eax, %fs
	movl %eax, %gs

	/* PAE (and PGE when the boot CPU uses it) before paging; the full CR4 comes later. */
	movl PA(tr_cr4), %eax
	andl $(CR4_PAE | CR4_PGE), %eax
	orl $CR4_PAE, %eax
	movl %eax, %cr4

	movl PA(tr_boot_cr3), %eax
	movl %eax, %cr3

	movl $MSR_EFER, %ecx
	movl PA(tr_efer), %eax
	movl PA(tr_efer) + 4, %edx
	wrmsr

	/* The boot CPU's CR0: PE, PG, WP, ... Paging (long mode) is on from here. */
	movl PA(tr_cr0), %eax
	movl %eax, %cr0
	ljmpl $TR_CS64, $PA(tr_long)

	.code64
tr_long:
	/* The final CR3 (may be above 4 GiB) and the boot CPU's CR4 (PCIDE etc. need 64-bit mode). */
	movq PA(tr_cr3), %rax
	movq %rax, %cr3
	movq PA(tr_cr4), %rax
	movq %rax, %cr4

	/* The per-CPU area first: C code may ask smp_processor_id() at once. */
	movl $MSR_GS_BASE, %ecx
	movl PA(tr_gs_base), %eax
	movl PA(tr_gs_base) + 4, %edx
	wrmsr

	movq PA(tr_stack), %rsp
	movq PA(tr_arg), %rdi
	movq PA(tr_entry), %rax
	xorl %ebp, %ebp                 /* ends frame-pointer backtraces */
	callq *%rax                     /* ap_start(arg): never returns */
1:	cli
	hlt
	jmp 1b

	.balign 8
tr_gdt:
	.quad 0
	.quad 0x00cf9b000000ffff        /* 0x08: 32-bit code, flat */
	.quad 0x00cf93000000ffff        /* 0x10: data, flat */
	.quad 0x00af9b000000ffff        /* 0x18: 64-bit code */
tr_gdt_end:
	.balign 4
	.word 0
tr_gdt_ptr:
	.word tr_gdt_end - tr_gdt - 1
	.long PA(tr_gdt)

/* The data block: struct trampoline_data in smp.c, field for field. */
	.balign 8
trampoline_data:
tr_boot_cr3:	.quad 0  /* CR3 for turning paging on: below 4 GiB */
tr_cr3:		.quad 0  /* the kernel's CR3 */
tr_cr4:		.quad 0
tr_cr0:		.quad 0
tr_efer:	.quad 0  /* without LMA (read-only) */
tr_gs_base:	.quad 0  /* this AP's struct percpu */
tr_stack:	.quad 0  /* this AP's stack top */
tr_entry:	.quad 0  /* ap_start */
tr_arg:		.quad 0
tr_alive:	.quad 0  /* set to 1 by the AP's first instructions */
trampoline_end:

	.section .note.GNU-stack, "", @progbits
