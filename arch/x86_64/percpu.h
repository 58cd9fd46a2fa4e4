/*
 * percpu.h - per-CPU data, reached through the GS segment base.
 *
 * Each CPU owns one struct percpu (percpu_areas[cpu], cache-line aligned so
 * no two CPUs' areas share a line) and points its GS base MSR at it during
 * start-up, before any C code that might ask who it is. A field is then one
 * %gs-relative instruction away (this_cpu_read, this_cpu_write: the
 * accessors are in arch/x86_64/this_cpu.h, shared with the hosted build),
 * and smp_processor_id() (this_cpu.h too) is the load of cpu_id at the
 * fixed offset PERCPU_CPU_ID_OFFSET. Another CPU's area is per_cpu(cpu).
 * Portable code includes kernel/percpu.h, which picks this file or the
 * hosted build's.
 *
 * Ids are dense from 0 (the boot CPU) in start-up order; apic_id is the
 * hardware's name for the same CPU, used to address IPIs.
 */
#ifndef ARCH_X86_64_PERCPU_H
#define ARCH_X86_64_PERCPU_H

#include "arch/x86_64/this_cpu.h"
#include "kernel/arch.h"
#include "kernel/compiler.h"
#include "mm/slab_percpu.h"

/* A request to run func(arg) on some CPU (kernel/smp.h), queued on that CPU. */
struct call_single_data {
	struct call_single_data *next; /* on the target CPU's call_queue */
	void (*func)(void *arg);
	void *arg;
	unsigned cpu;	/* the target (for reports) */
	unsigned flags; /* CSD_LOCKED from queueing until func has returned */
};
#define CSD_LOCKED 1u

struct percpu {
	struct percpu *self; /* offset 0: this area's own address */
	unsigned cpu_id;     /* offset 8 = PERCPU_CPU_ID_OFFSET: smp_processor_id() */
	uint32_t apic_id;

	/* Lock-free LIFO of pending call requests (smp.c), pushed by any CPU. */
	struct call_single_data *call_queue;
	/* This CPU's requests to each other CPU for smp_call_function(wait=false). */
	struct call_single_data csd_async[NR_CPUS];

	/* A long-running job for the idle loop (smp_queue_work), run with interrupts on. */
	void (*work_fn)(void *arg);
	void *work_arg;

	/* An AP's kernel stack (CPU window, guard page below); 0 on the boot CPU. */
	uintptr_t stack_top;

	/* The last TLB shootdown this CPU has done (smp.c). */
	uint64_t tlb_ack_gen;

	/* Counters, for the boot report and the tests. */
	unsigned long timer_ticks;    /* local APIC timer interrupts */
	unsigned long ipis_received;  /* call-function IPIs taken */
	unsigned long calls_run;      /* requests run (from IPIs or polled) */
	unsigned long tlb_shootdowns; /* remote TLB flushes done for another CPU */

	/* The slab allocator's fast-path state (mm/slab_percpu.h). */
	struct slab_percpu slab;
} ____cacheline_aligned;

BUILD_BUG_ON(offsetof(struct percpu, cpu_id) != PERCPU_CPU_ID_OFFSET);

extern struct percpu percpu_areas[NR_CPUS];

#define per_cpu(cpu) (&percpu_areas[(cpu)])

/* This CPU's area as an ordinary pointer (for arrays and for passing around). */
static inline struct percpu *this_cpu_ptr(void)
{
	return this_cpu_read(self);
}

/*
 * Fill the area of cpu and make it this CPU's: write the GS base MSR. The
 * boot CPU calls it first thing in kernel_main (percpu_init_boot_cpu); APs
 * do it in the trampoline before any C code.
 */
void percpu_init_boot_cpu(void);
void percpu_setup(unsigned cpu, uint32_t apic_id);

#endif
