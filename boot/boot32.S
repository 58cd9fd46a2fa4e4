/*
 * boot32.S - from GRUB's 32-bit protected mode to the kernel's C entry in
 * 64-bit long mode, running in the higher half.
 *
 * The multiboot2 loader leaves the CPU in a minimal state: 32-bit protected
 * mode, paging off, interrupts off, flat segments from a GDT we must not rely
 * on (it may lie in memory we reuse), no stack, EAX = the multiboot2 magic,
 * EBX = the physical address of the boot information block (MBI).
 *
 * Long mode cannot be entered without paging, and the kernel is linked in
 * the top 2 GiB of the address space (-mcmodel=kernel), so this code, linked
 * and run at its physical address (the .boot section, identity-addressed),
 * must:
 *
 *   1. zero .bss (GRUB zero-fills it per the ELF rules, but this costs nothing
 *      and makes a mis-loaded image fail visibly rather than subtly);
 *   2. take a stack and its own GDT, reload every segment register;
 *   3. check that it was booted by multiboot2 and that the CPU can run
 *      64-bit code (CPUID exists, has the extended leaves, reports long mode),
 *      printing a plain message on COM1 and stopping when not: there is no
 *      other way to tell the user anything yet;
 *   4. build the boot page tables (below);
 *   5. enable PAE, set EFER.LME (and EFER.NXE when the CPU has NX, so the
 *      later page tables may use the no-execute bit), load CR3, enable paging:
 *      the CPU is now in "compatibility mode", long mode with a 32-bit CS;
 *   6. far-jump to a 64-bit code segment, then jump to the higher-half alias
 *      of the kernel and call kernel_main(magic, mbi_phys) on the boot stack.
 *
 * Boot page tables (all 2 MiB pages, built in .bss; arch/x86_64/paging.c's paging_init
 * replaces them with the kernel's real tables):
 *
 *   PML4[0]   -> boot_pdpt_low:    PDPT[0] -> boot_pd[0]          identity 0..1 GiB
 *   PML4[273] -> boot_pdpt_direct: PDPT[i] -> boot_pd[i], i < 16  0xffff888000000000 + 0..16 GiB
 *   PML4[511] -> boot_pdpt_kernel: PDPT[510] -> boot_pd[0]        0xffffffff80000000 + 0..1 GiB
 *
 * The identity map keeps the next instruction fetch valid at the moment paging
 * turns on (this code runs at its physical address) and lets the early C code
 * read the MBI and this file's GDT; the kernel window is where the image is
 * linked; the direct map is where the memory manager expects all RAM to be.
 * The three views share boot_pd[0] (physical 0..1 GiB). Mapping 16 GiB
 * whatever the RAM size is harmless: nothing touches addresses with no RAM
 * behind them, and the firmware's MTRRs keep device ranges uncached.
 */
#include "arch/x86_64/layout.h"

	.cfi_sections .debug_frame

/* The physical address of a higher-half symbol: the link address minus the window base. */
#define PHYS(sym) ((sym) - __START_KERNEL_map)

#define MB2_BOOTLOADER_MAGIC 0x36d76289

#define PTE_PRESENT 0x001
#define PTE_WRITE   0x002
#define PTE_LARGE   0x080 /* PS: this directory entry maps a 2 MiB page */

#define BOOT_DIRECT_MAP_GIB 16
#define PML4_INDEX(va)      (((va) >> 39) & 511)

#define CPUID_EXT_LM (1 << 29) /* CPUID 0x80000001 EDX: long mode */
#define CPUID_EXT_NX (1 << 20) /* CPUID 0x80000001 EDX: no-execute page bit */
#define EFLAGS_ID    (1 << 21) /* writable only when the CPUID instruction exists */

#define MSR_EFER 0xc0000080
#define EFER_LME (1 << 8)
#define EFER_NXE (1 << 11)
#define CR0_PG   (1 << 31)
#define CR0_WP   (1 << 16)
#define CR0_PE   (1 << 0)
#define CR4_PAE  (1 << 5)

/* ------------------------------------------------------------------------ */
	.section .boot.text, "ax"
	.code32
	.globl _start32
	.type _start32, @function
_start32:
	cli
	cld
	/* Keep the loader's registers out of the way of rep stosb (EAX, ECX, EDI). */
	movl %eax, %ebp                         /* EBP = multiboot2 magic */
	/* EBX = MBI physical address: saved to memory below, before CPUID overwrites EBX. */

	/* 1. Zero .bss. The boot stack and the page tables live there. */
	movl $PHYS(_bss_start), %edi
	movl $PHYS(_bss_end), %ecx
	subl %edi, %ecx
	xorl %eax, %eax
	rep stosb

	/* 2. A stack (the top of the boot stack, by its physical address) and our own GDT. */
	movl $PHYS(_boot_stack_top), %esp
	movl %ebp, PHYS(boot_mb2_magic)
	movl %ebx, PHYS(boot_mb2_info)

	lgdt boot_gdt_ptr
	ljmp $GDT_BOOT_CS32, $1f                /* reload CS from the new GDT */
1:	movl $GDT_KERNEL_DS, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	xorl %eax, %eax
	movl %eax, %fs
	movl %eax, %gs

	call boot_serial_init

	/* 3. Checks. Each failure prints why on COM1 and stops. */
	cmpl $MB2_BOOTLOADER_MAGIC, %ebp
	jne .Lno_multiboot2

	/* CPUID exists iff EFLAGS.ID can be toggled. */
	pushfl
	popl %eax
	movl %eax, %ecx
	xorl $EFLAGS_ID, %eax
	pushl %eax
	popfl
	pushfl
	popl %eax
	pushl %ecx                              /* restore the original EFLAGS */
	popfl
	cmpl %eax, %ecx
	je .Lno_cpuid

	movl $0x80000000, %eax                  /* highest extended leaf */
	cpuid
	cmpl $0x80000001, %eax
	jb .Lno_extended_cpuid

	movl $0x80000001, %eax
	cpuid
	testl $CPUID_EXT_LM, %edx
	jz .Lno_long_mode
	movl %edx, %esi                         /* ESI = extended features, for NX below */

	/* 4. Page tables. Upper-level entries point at the next table, writable. */
	movl $PHYS(boot_pdpt_low) + PTE_PRESENT + PTE_WRITE, PHYS(boot_pml4) + 8 * 0
	movl $PHYS(boot_pdpt_direct) + PTE_PRESENT + PTE_WRITE, \
		PHYS(boot_pml4) + 8 * PML4_INDEX(__PAGE_OFFSET)
	movl $PHYS(boot_pdpt_kernel) + PTE_PRESENT + PTE_WRITE, \
		PHYS(boot_pml4) + 8 * PML4_INDEX(__START_KERNEL_map)

	movl $PHYS(boot_pd) + PTE_PRESENT + PTE_WRITE, PHYS(boot_pdpt_low) + 8 * 0
	movl $PHYS(boot_pd) + PTE_PRESENT + PTE_WRITE, PHYS(boot_pdpt_kernel) + 8 * 510

	/* boot_pdpt_direct[i] = boot_pd[i] for each of the 16 GiB. */
	xorl %ecx, %ecx
	movl $PHYS(boot_pd) + PTE_PRESENT + PTE_WRITE, %eax
2:	movl %eax, PHYS(boot_pdpt_direct)(, %ecx, 8)
	addl $4096, %eax
	incl %ecx
	cmpl $BOOT_DIRECT_MAP_GIB, %ecx
	jb 2b

	/*
	 * The 16 page directories as one array of 16 * 512 entries: entry i maps
	 * the 2 MiB page at physical i << 21. Addresses above 4 GiB need the
	 * high half of the 64-bit entry, written separately in 32-bit code.
	 */
	xorl %ecx, %ecx
3:	movl %ecx, %eax
	shll $21, %eax
	orl $PTE_PRESENT + PTE_WRITE + PTE_LARGE, %eax
	movl %eax, PHYS(boot_pd)(, %ecx, 8)
	movl %ecx, %eax
	shrl $11, %eax                          /* bits 32+ of (i << 21) */
	movl %eax, PHYS(boot_pd) + 4(, %ecx, 8)
	incl %ecx
	cmpl $BOOT_DIRECT_MAP_GIB * 512, %ecx
	jb 3b

	/* 5. PAE, then EFER.LME (+NXE), then CR3, then paging: the order the SDM requires. */
	movl %cr4, %eax
	orl $CR4_PAE, %eax
	movl %eax, %cr4

	movl $MSR_EFER, %ecx
	rdmsr
	orl $EFER_LME, %eax
	testl $CPUID_EXT_NX, %esi
	jz 4f
	orl $EFER_NXE, %eax
4:	wrmsr

	movl $PHYS(boot_pml4), %eax
	movl %eax, %cr3

	/* WP: the kernel itself honours read-only pages (paging_init relies on it). */
	movl %cr0, %eax
	orl $CR0_PG + CR0_WP + CR0_PE, %eax
	movl %eax, %cr0

	/* 6. Compatibility mode now; a far jump to a 64-bit code segment enters 64-bit mode. */
	ljmp $GDT_KERNEL_CS, $long_mode_entry

/* ---- failures: say why on the serial port, tell QEMU, stop ---- */
.Lno_multiboot2:
	movl $msg_no_multiboot2, %esi
	jmp boot_fail
.Lno_cpuid:
	movl $msg_no_cpuid, %esi
	jmp boot_fail
.Lno_extended_cpuid:
	movl $msg_no_extended_cpuid, %esi
	jmp boot_fail
.Lno_long_mode:
	movl $msg_no_long_mode, %esi
	jmp boot_fail

/* Print the NUL-terminated string at ESI, then end the QEMU run as a failure, or halt. */
boot_fail:
	call boot_puts
	movl $QEMU_EXIT_PORT, %edx
	movl $0x11, %eax                        /* QEMU_EXIT_FAILURE (arch/x86_64/qemu.h) */
	outl %eax, %dx
5:	cli
	hlt
	jmp 5b

/*
 * COM1 at 115200 baud, 8 data bits, no parity, 1 stop bit, FIFOs on, no
 * interrupts. The C driver (arch/x86_64/serial.c) programs the same again.
 */
boot_serial_init:
	movw $COM1_PORT + 1, %dx                /* IER: no interrupts */
	movb $0x00, %al
	outb %al, %dx
	movw $COM1_PORT + 3, %dx                /* LCR: DLAB on, to set the divisor */
	movb $0x80, %al
	outb %al, %dx
	movw $COM1_PORT + 0, %dx                /* divisor 1 = 115200 baud */
	movb $0x01, %al
	outb %al, %dx
	movw $COM1_PORT + 1, %dx
	movb $0x00, %al
	outb %al, %dx
	movw $COM1_PORT + 3, %dx                /* LCR: 8N1, DLAB off */
	movb $0x03, %al
	outb %al, %dx
	movw $COM1_PORT + 2, %dx                /* FCR: enable and clear FIFOs */
	movb $0xc7, %al
	outb %al, %dx
	movw $COM1_PORT + 4, %dx                /* MCR: DTR, RTS, OUT2 */
	movb $0x0b, %al
	outb %al, %dx
	ret

/* Write the string at ESI to COM1, polling the transmitter-empty bit. Clobbers EAX, EDX, ESI. */
boot_puts:
	lodsb
	testb %al, %al
	jz 7f
	movb %al, %ah
	movw $COM1_PORT + 5, %dx                /* LSR */
6:	inb %dx, %al
	testb $0x20, %al                        /* THRE: transmit holding register empty */
	jz 6b
	movb %ah, %al
	movw $COM1_PORT, %dx
	outb %al, %dx
	jmp boot_puts
7:	ret

/* ------------------------------------------------------------------------ */
	.code64
long_mode_entry:
	/* In 64-bit mode DS/ES/SS are mostly ignored but must hold valid selectors. */
	movl $GDT_KERNEL_DS, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	/* Still at the physical (identity-mapped) address: jump to the kernel window. */
	movabsq $start64, %rax
	jmpq *%rax

/* ------------------------------------------------------------------------ */
	.section .boot.rodata, "a"
	.balign 8
/*
 * The boot GDT: flat segments. The accessed bits are preset so loading a
 * selector never has to write here. arch/x86_64/gdt.c replaces it early.
 */
boot_gdt:
	.quad 0                                 /* null */
	.quad 0x00af9b000000ffff                /* 0x08: 64-bit code (L=1), ring 0 */
	.quad 0x00cf93000000ffff                /* 0x10: data, 4 GiB, writable */
	.quad 0x00cf9b000000ffff                /* 0x18: 32-bit code (D=1), 4 GiB */
boot_gdt_end:
	.balign 4
	.word 0                                 /* pad so the 6-byte pointer's base is aligned */
boot_gdt_ptr:
	.word boot_gdt_end - boot_gdt - 1
	.long boot_gdt

msg_no_multiboot2:
	.asciz "\r\nboot: not started by a multiboot2 boot loader (wrong magic in EAX). Boot this kernel with GRUB's multiboot2 command. Halting.\r\n"
msg_no_cpuid:
	.asciz "\r\nboot: this CPU has no CPUID instruction, so it cannot be a 64-bit CPU. Halting.\r\n"
msg_no_extended_cpuid:
	.asciz "\r\nboot: this CPU has no extended CPUID leaves, so it cannot run 64-bit code. Halting.\r\n"
msg_no_long_mode:
	.asciz "\r\nboot: this CPU does not support 64-bit long mode; this kernel needs an x86_64 CPU (try QEMU's -cpu max). Halting.\r\n"

/* ------------------------------------------------------------------------ */
	.text
	.globl start64
	.type start64, @function
start64:
	/* Tell debuggers this is the outermost frame (call frame info goes to .debug_frame). */
	.cfi_startproc
	.cfi_undefined rip
	/* Now at 0xffffffff8xxxxxxx: switch to the boot stack's higher-half address. */
	movq $_boot_stack_top, %rsp
	xorl %ebp, %ebp                         /* RBP = 0 ends every frame-pointer backtrace */
	movl boot_mb2_magic, %edi               /* kernel_main(uint32_t magic, */
	movl boot_mb2_info, %esi                /*             uint64_t mbi_phys) */
	call kernel_main
	/* kernel_main does not return; if it ever does, stop here. */
8:	cli
	hlt
	jmp 8b
	.cfi_endproc
	.size start64, . - start64

/* ------------------------------------------------------------------------ */
	.section .bss
	.balign 8
	.globl boot_mb2_magic, boot_mb2_info
boot_mb2_magic: .long 0
boot_mb2_info:  .long 0

/*
 * The boot CPU's stack, 16 KiB, with a guard page below it. The guard is
 * mapped by the boot tables; paging_init leaves it unmapped so an overflow
 * faults (a double fault on the IST stack) instead of corrupting .bss.
 */
	.section .bss..boot_stack, "aw", @nobits
	.balign 4096
	.globl _boot_stack_guard, _boot_stack_bottom, _boot_stack_top
_boot_stack_guard:
	.skip 4096
_boot_stack_bottom:
	.skip BOOT_STACK_SIZE
_boot_stack_top:

	.section .bss..boot_pgtables, "aw", @nobits
	.balign 4096
	.globl boot_pml4, boot_pdpt_low, boot_pdpt_direct, boot_pdpt_kernel, boot_pd
boot_pml4:        .skip 4096
boot_pdpt_low:    .skip 4096
boot_pdpt_direct: .skip 4096
boot_pdpt_kernel: .skip 4096
boot_pd:          .skip 4096 * BOOT_DIRECT_MAP_GIB

	.section .note.GNU-stack, "", @progbits
