/*
 * smp.h - bringing up the other CPUs (x86_64), and the fixed virtual window
 * that holds what each CPU needs at a known address.
 *
 * The CPU window is the PML4 slot Linux gives its cpu_entry_area:
 *
 *   CPU_WINDOW_BASE      0xfffffe0000000000  the xAPIC registers (LAPIC_VIRT, 4 KiB, uncached)
 *   SMP_TEST_VA          + 1 MiB             pages the SMP tests map and unmap (TLB shootdown)
 *   CPU_STACKS_BASE      + 2 MiB .. + 1 GiB  kernel stacks (kstack.c), handed out upwards,
 *                                            each one above an unmapped guard page:
 *      guard | stack | guard | stack | ...
 *
 * Each AP has four there, allocated by the boot CPU before the AP starts:
 * its kernel stack (AP_STACK_SIZE, 16 KiB) and its IST stacks for a double
 * fault, an NMI and a machine check (IST_STACK_SIZE, 8 KiB each, gdt.c);
 * the boot CPU has its three IST stacks there from paging_init on, and keeps
 * the image's boot stack, which has its own guard page (boot/boot32.S).
 *
 * Running off the bottom of a kernel stack is therefore a page fault (which
 * cannot be delivered on that stack: a double fault, taken on the IST stack),
 * and running off an IST stack a page fault too, instead of silent damage
 * to whatever lay below.
 */
#ifndef ARCH_X86_64_SMP_H
#define ARCH_X86_64_SMP_H

#include "kernel/compiler.h"
#include "kernel/smp.h"
#include "mm/vmm.h" /* CPU_WINDOW_BASE, CPU_WINDOW_END: part of the kernel's virtual layout */

#define LAPIC_VIRT	CPU_WINDOW_BASE
#define SMP_TEST_VA	(CPU_WINDOW_BASE + 0x100000ULL)
#define CPU_STACKS_BASE (CPU_WINDOW_BASE + 0x200000ULL)
#define CPU_STACKS_END	CPU_WINDOW_END
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
 * TLB shootdown (called by arch_flush_tlb_pages/_all after their local
 * flush when more than one CPU is online): every other online CPU flushes
 * the n pages va[0..n-1], or everything when va is NULL (or n is past what
 * one request carries), before this returns: one NMI to each, one wait for
 * all. Delivered as an NMI, so it is answered even by a CPU spinning with
 * interrupts disabled: callable with any lock held and interrupts in any
 * state.
 */
void smp_flush_tlb_others(const uintptr_t *va, unsigned n);

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
