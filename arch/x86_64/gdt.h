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
 * early; each secondary CPU calls it for itself during SMP bring-up, after
 * the boot CPU has given it IST stacks (gdt_alloc_ist_stacks).
 */
void gdt_init_cpu(unsigned cpu);

/*
 * Give CPU cpu its IST stacks (for IST_DOUBLE_FAULT, IST_NMI and
 * IST_MACHINE_CHECK): guarded kernel stacks from kstack_alloc, each with an
 * unmapped page below it. For an AP before it starts (its gdt_init_cpu puts
 * them in its TSS); for the boot CPU once paging_init has built the kernel's
 * tables (it switches at once: until then it runs on small static stacks).
 * Returns 0, or -ENOMEM with nothing allocated.
 */
int gdt_alloc_ist_stacks(unsigned cpu);

/*
 * Top of CPU cpu's IST stack for slot ist (IST_DOUBLE_FAULT...), the value
 * in its TSS; 0 for a CPU that has none yet. For reports and tests.
 */
uintptr_t gdt_ist_stack_top(unsigned cpu, unsigned ist);

#endif
