/*
 * arch.h - kernel/arch.h's machine interface for x86_64 bare metal.
 * (The contract and the list of what must be provided are in kernel/arch.h;
 * the hosted counterpart is tests/host/host_arch.h.)
 */
#ifndef ARCH_X86_64_ARCH_H
#define ARCH_X86_64_ARCH_H

#include "arch/x86_64/bitops.h"
#include "arch/x86_64/io.h"
#include "arch/x86_64/layout.h"
#include "arch/x86_64/qemu.h"
#include "arch/x86_64/restart.h"
#include "arch/x86_64/this_cpu.h" /* smp_processor_id() */
#include "kernel/compiler.h"

#define NR_CPUS 16

/* CPUs that may ever run; 1 until the SMP bring-up counts the others. */
extern unsigned nr_cpu_ids;

/* Disable interrupts and return the old RFLAGS; restore puts RFLAGS back as it was. */
static inline unsigned long arch_local_irq_save(void)
{
	unsigned long flags;
	__asm__ __volatile__("pushfq\n\tpopq %0\n\tcli" : "=r"(flags) : : "memory");
	return flags;
}

static inline void arch_local_irq_restore(unsigned long flags)
{
	__asm__ __volatile__("pushq %0\n\tpopfq" : : "r"(flags) : "memory", "cc");
}

static inline bool arch_irqs_disabled(void)
{
	unsigned long flags;
	__asm__ __volatile__("pushfq\n\tpopq %0" : "=r"(flags) : : "memory");
	return !(flags & X86_EFLAGS_IF);
}

static inline void cpu_relax(void)
{
	__asm__ __volatile__("pause" : : : "memory");
}

static inline uint64_t arch_cycles(void)
{
	uint32_t lo, hi;
	__asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

/* RDRAND when the CPU has it (retried), else a TSC-seeded mix: good for hardening, not crypto. */
uint64_t arch_random_u64(void);

/* MAXPHYADDR from CPUID 0x80000008 (36 when the leaf is missing). */
unsigned arch_phys_addr_bits(void);

#define PAGE_OFFSET __PAGE_OFFSET

/* Physical address of a symbol in the kernel image (linked at __START_KERNEL_map + phys). */
static inline uintptr_t __pa_symbol(const void *p)
{
	return (uintptr_t)p - __START_KERNEL_map;
}

/* CPUs online, and the shootdown that makes them flush too (arch/x86_64/smp.c). */
extern unsigned smp_num_online;
void smp_flush_tlb_others(const uintptr_t *va, unsigned n);

static inline void __flush_tlb_one_local(uintptr_t va)
{
	__asm__ __volatile__("invlpg (%0)" : : "r"(va) : "memory");
}

static inline uint64_t arch_read_cr3(void)
{
	uint64_t v;
	__asm__ __volatile__("mov %%cr3, %0" : "=r"(v));
	return v;
}

static inline void arch_write_cr3(uint64_t v)
{
	__asm__ __volatile__("mov %0, %%cr3" : : "r"(v) : "memory");
}

/*
 * Flush this CPU's whole TLB: toggling CR4.PGE flushes global entries too;
 * without PGE, reloading CR3 is enough.
 */
static inline void __flush_tlb_all_local(void)
{
	uint64_t cr4 = read_cr4();
	if (cr4 & X86_CR4_PGE) {
		write_cr4(cr4 & ~X86_CR4_PGE);
		write_cr4(cr4);
	} else {
		arch_write_cr3(arch_read_cr3());
	}
}

/*
 * Flush the n pages va[0..n-1] (or everything) from the TLB of every CPU:
 * this one's, then, when others are online, theirs, all n in one shootdown
 * round trip, before returning (TLB shootdown by NMI, safe with interrupts
 * disabled and locks held). An address anywhere in a large page flushes
 * that page: invlpg drops whatever entry translates the address.
 */
static inline void arch_flush_tlb_pages(const uintptr_t *va, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		__flush_tlb_one_local(va[i]);
	if (n && __atomic_load_n(&smp_num_online, __ATOMIC_ACQUIRE) > 1)
		smp_flush_tlb_others(va, n);
}

static inline void arch_flush_tlb_all(void)
{
	__flush_tlb_all_local();
	if (__atomic_load_n(&smp_num_online, __ATOMIC_ACQUIRE) > 1)
		smp_flush_tlb_others(NULL, 0);
}

/*
 * setjmp/longjmp for recovery points (arch/x86_64/setjmp.S). The buffer holds
 * the callee-saved registers, RSP, the return RIP and RFLAGS: longjmp puts
 * the interrupt flag back as it was at setjmp time, so a test that fails
 * inside an irqsave section does not leave interrupts disabled.
 */
typedef uint64_t arch_jmp_buf[9];
int arch_setjmp(arch_jmp_buf buf) __attribute__((returns_twice));
__noreturn void arch_longjmp(arch_jmp_buf buf, int val);

/* Stop this CPU for good: interrupts off, hlt in a loop. */
static inline __noreturn void arch_halt_forever(void)
{
	for (;;)
		__asm__ __volatile__("cli\n\thlt" : : : "memory");
}

/*
 * End the QEMU run with code (QEMU_EXIT_SUCCESS / QEMU_EXIT_FAILURE). Without
 * the isa-debug-exit device (real hardware) the CPU halts instead.
 */
static inline __noreturn void arch_exit_qemu(int code)
{
	outl(QEMU_EXIT_PORT, (uint32_t)code);
	arch_halt_forever();
}

#endif
