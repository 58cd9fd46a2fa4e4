/*
 * arch.h - the small machine interface that the portable code (mm/ and the
 * portable parts of kernel/: lists, locks, printk formatting, the test
 * framework, the command-line and multiboot2 parsers) is written against.
 *
 * Two implementations exist:
 *   arch/x86_64/arch.h   the real kernel (freestanding, bare metal);
 *   tests/host/host_arch.h  the hosted build (MM_HOSTED defined): mm/ runs as
 *                        an ordinary Linux process over an mmap'd region that
 *                        stands in for RAM, for unit tests, sanitizers,
 *                        fuzzing and benchmarks.
 *
 * Each must provide (as macros, inline functions or extern declarations):
 *
 *   NR_CPUS                      compile-time upper bound on CPUs (per-CPU arrays)
 *   unsigned nr_cpu_ids          CPUs that may ever run (ids are dense from 0)
 *   unsigned smp_processor_id()  this CPU's id, 0 <= id < nr_cpu_ids
 *   struct percpu, per_cpu(cpu), this_cpu_*   each CPU's area, through the GS
 *                                 base in both builds (kernel/percpu.h)
 *   unsigned long arch_local_irq_save(void)     disable local interrupts, return old state
 *   void arch_local_irq_restore(unsigned long)  put back what _save returned
 *   bool arch_irqs_disabled(void)
 *   void cpu_relax(void)         spin-wait hint (pause)
 *   uint64_t arch_cycles(void)   a cycle counter (rdtsc)
 *   uint64_t arch_random_u64(void)  a random value for hardening (rdrand, else a TSC mix)
 *   unsigned arch_phys_addr_bits(void)  MAXPHYADDR (CPUID 0x80000008), 36 if unknown
 *   PAGE_OFFSET                  virtual address of physical 0 in the direct map
 *   uintptr_t __pa_symbol(const void *) physical address of a kernel-image symbol
 *   void arch_flush_tlb_pages(const uintptr_t *va, unsigned n) / arch_flush_tlb_all(void)
 *                                 (the n pages at va[0..n-1], or all, on every CPU:
 *                                  one round trip to the others per call)
 *   uint64_t arch_read_cr3(void) / void arch_write_cr3(uint64_t)  (host: a variable)
 *   arch_jmp_buf, int arch_setjmp(arch_jmp_buf), void arch_longjmp(arch_jmp_buf, int)
 *                                 (recovery points for the test framework and
 *                                  the expected-fault hooks)
 *   restart_pop, restart_push, restart_rewind  restartable per-CPU sequences
 *                                 (arch/x86_64/restart.h, used by both: the host
 *                                  is x86_64 too; its "interrupts" are signals,
 *                                  whose handlers rewind)
 *   test_mask_goto               a TEST against memory and a jump (arch/x86_64/bitops.h)
 *   void arch_halt_forever(void)  (host: abort())
 *   void arch_exit_qemu(int code) (host: exit(code))
 */
#ifndef KERNEL_ARCH_H
#define KERNEL_ARCH_H

#ifdef MM_HOSTED
#include "tests/host/host_arch.h"
#else
#include "arch/x86_64/arch.h"
#endif

#define local_irq_save(flags)	 ((flags) = arch_local_irq_save())
#define local_irq_restore(flags) arch_local_irq_restore(flags)

/* Physical <-> direct-map virtual, as in Linux. Valid for every byte of RAM. */
#define __va(pa) ((void *)((uintptr_t)(pa) + (uintptr_t)PAGE_OFFSET))
#define __pa(va) ((uintptr_t)(va) - (uintptr_t)PAGE_OFFSET)

#endif
