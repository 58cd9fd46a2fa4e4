/*
 * layout.h - the fixed numbers of the x86_64 kernel's address space and
 * boot environment, shared by C, the assembly in boot/ and arch/x86_64/, and
 * (by hand, it is not preprocessed) linker.ld.
 *
 *   0x0000000000000000 ..  1 GiB   identity map (boot tables only; for the
 *                                  32-bit code, the boot GDT and the MBI)
 *   0xffff888000000000 .. +16 GiB  direct map of physical memory (PAGE_OFFSET)
 *   0xffffffff80000000 ..  1 GiB   the kernel image window: virtual =
 *                                  __START_KERNEL_map + physical, so the image
 *                                  loaded at physical 1 MiB runs at
 *                                  0xffffffff80100000 (-mcmodel=kernel: the top 2 GiB)
 */
#ifndef ARCH_X86_64_LAYOUT_H
#define ARCH_X86_64_LAYOUT_H

#ifdef __ASSEMBLER__
#define _AC(x, suffix) x
#else
#define _AC(x, suffix) x##suffix
#endif

#define __START_KERNEL_map _AC(0xffffffff80000000, UL) /* Linux's name for the image window */
#define __PAGE_OFFSET	   _AC(0xffff888000000000, UL) /* direct map base */
#define KERNEL_PHYS_LOAD   _AC(0x100000, UL)	       /* where GRUB loads the image */

/* Size of the boot CPU's stack; one unmapped guard page lies below it (see linker.ld). */
#define BOOT_STACK_SIZE 16384

/* GDT selectors (arch/x86_64/gdt.c builds the 64-bit GDT; boot/boot32.S the boot one). */
#define GDT_KERNEL_CS 0x08 /* 64-bit code */
#define GDT_KERNEL_DS 0x10 /* data, also used for SS */
#define GDT_BOOT_CS32 0x18 /* boot GDT only: 32-bit code for the trampoline */
#define GDT_TSS	      0x18 /* 64-bit GDT: the TSS descriptor (16 bytes) */

/* Interrupt stack table slots (TSS.IST1..7) for exceptions that need a known-good stack. */
#define IST_DOUBLE_FAULT  1
#define IST_NMI		  2
#define IST_MACHINE_CHECK 3
#define IST_STACK_SIZE	  8192

/* QEMU's isa-debug-exit device: writing v to the port ends QEMU with status (v << 1) | 1. */
#define QEMU_EXIT_PORT 0xf4

/* COM1, the console. */
#define COM1_PORT 0x3f8

#endif
