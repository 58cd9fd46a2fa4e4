/*
 * smp.h - bringing up the other CPUs (x86_64), and the fixed virtual window
 * that holds what each CPU needs at a known address.
 *
 * The CPU window is the PML4 slot Linux gives its cpu_entry_area:
 *
 *   CPU_WINDOW_BASE      0xfffffe0000000000  the xAPIC registers (LAPIC_VIRT, 4 KiB, uncached)
 *   SMP_TEST_VA          + 1 MiB             a page the SMP tests map and unmap (TLB shootdown)
 *   CPU_STACKS_BASE      + 2 MiB             one CPU_STACK_SLOT (64 KiB) per AP, indexed by
 *                                            its position in the MADT:
 *      +0   guard (never mapped)   +4K   kernel stack (AP_STACK_SIZE, 16 KiB)   rest unused
 *
 * Running off the bottom of an AP's stack is therefore a page fault (which
 * cannot be delivered on that stack: a double fault, taken on the IST stack
 * of arch/x86_64/gdt.c). The boot CPU keeps the image's boot stack, which has
 * its own guard page (boot/boot32.S).
 */
#ifndef ARCH_X86_64_SMP_H
#define ARCH_X86_64_SMP_H

#include "kernel/compiler.h"
#include "kernel/smp.h"

#define CPU_WINDOW_BASE 0xfffffe0000000000ULL
#define LAPIC_VIRT	CPU_WINDOW_BASE
#define SMP_TEST_VA	(CPU_WINDOW_BASE + 0x100000ULL)
#define CPU_STACKS_BASE (CPU_WINDOW_BASE + 0x200000ULL)
#define CPU_STACK_SLOT	0x10000ULL
#define AP_STACK_SIZE	16384ULL

/* Where the AP start-up code is copied (a STARTUP IPI names a page below 1 MiB). */
#define TRAMPOLINE_PHYS 0x8000ULL

/*
 * Count the CPUs (ACPI MADT, parsed earlier by acpi_init), set up the boot
 * CPU's local APIC, start every AP (at most maxcpus= and NR_CPUS in all),
 * and set nr_cpu_ids to the number that came up. After mm_init (needs
 * page allocation and kernel_space). Without ACPI or an APIC: one CPU.
 */
void smp_init(void);

/* The APIC id of each online CPU id (for reports). */
uint32_t cpu_apic_id(unsigned cpu);

/* CPUs online now; arch.h's TLB flush hooks read it. */
extern unsigned smp_num_online;

/*
 * TLB shootdown (called by arch_flush_tlb_page/_all after their local flush
 * when more than one CPU is online): every other online CPU flushes va, or
 * everything when all is true, before this returns. Delivered as an NMI, so
 * it is answered even by a CPU spinning with interrupts disabled: callable
 * with any lock held and interrupts in any state.
 */
void smp_flush_tlb_others(uintptr_t va, bool all);

/*
 * The NMI handler's first question: was this NMI a TLB shootdown? Returns
 * true when it was (and the flush is done), false for a real NMI.
 */
bool smp_handle_nmi(void);

/*
 * Stop every other CPU for good (panic, fatal exception; Linux's name): an
 * NMI each, safe from any context. Overrides the empty weak one in panic.c.
 */
void smp_send_stop(void);

/* The call-function IPI handler (CALL_FUNCTION_VECTOR). */
void smp_call_function_interrupt(void);

#endif
