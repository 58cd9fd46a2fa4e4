/*
 * gdt.h - the 64-bit GDT and the TSS, one pair per CPU.
 *
 * In long mode segmentation is almost gone: the GDT needs a 64-bit code
 * segment and a data segment, and a TSS whose only remaining jobs (no user
 * mode here) are the Interrupt Stack Table entries: known-good stacks the CPU
 * switches to for a double fault, an NMI or a machine check, whatever state
 * the interrupted stack is in (overflowed into its guard page, say).
 */
#ifndef ARCH_X86_64_GDT_H
#define ARCH_X86_64_GDT_H

#include "arch/x86_64/layout.h"
#include "kernel/compiler.h"

struct tss64 {
	uint32_t reserved0;
	uint64_t rsp[3]; /* stacks for privilege changes (unused: no user mode) */
	uint64_t reserved1;
	uint64_t ist[7]; /* IST1..IST7: ist[n - 1] */
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base; /* past the limit: no I/O permission bitmap */
} __packed;

/*
 * Build and load CPU cpu's GDT and TSS: reloads CS (far return), DS, ES, SS
 * and the task register. FS and GS are left alone: loading a selector into
 * GS would reset the GS base, which holds the per-CPU area's address. The boot CPU calls it with 0 very
 * early; each secondary CPU calls it for itself during SMP bring-up.
 */
void gdt_init_cpu(unsigned cpu);

/* Top of CPU cpu's IST stack for slot ist (IST_DOUBLE_FAULT...); for reports. */
uintptr_t gdt_ist_stack_top(unsigned cpu, unsigned ist);

#endif
