/*
 * host_percpu.h - the hosted build's per-CPU areas: what kernel/percpu.h
 * gives mm/, reached the same way as in the kernel. Each thread that plays
 * a CPU points its GS base at host_percpu[cpu] (host_set_cpu, with
 * arch_prctl(ARCH_SET_GS)), so smp_processor_id() and the this_cpu_*
 * accessors (arch/x86_64/this_cpu.h) are the same %gs-relative
 * instructions as in the kernel, and the fast paths measured on the host
 * are the kernel's. A new thread inherits its creator's GS base: it plays
 * the same CPU until it calls host_set_cpu.
 */
#ifndef TESTS_HOST_HOST_PERCPU_H
#define TESTS_HOST_HOST_PERCPU_H

#include "arch/x86_64/this_cpu.h"
#include "kernel/arch.h"
#include "kernel/compiler.h"
#include "mm/slab_percpu.h"

struct percpu {
	struct percpu *self; /* offset 0 (never read through %gs: see this_cpu.h) */
	unsigned cpu_id;     /* offset 8 = PERCPU_CPU_ID_OFFSET: smp_processor_id() */
	struct slab_percpu slab;
} ____cacheline_aligned;

BUILD_BUG_ON(offsetof(struct percpu, cpu_id) != PERCPU_CPU_ID_OFFSET);

extern struct percpu host_percpu[NR_CPUS];

#define per_cpu(cpu) (&host_percpu[(cpu)])

#endif
