/*
 * percpu.c - the per-CPU areas and the GS base that points at them.
 *
 * The areas are a static array (NR_CPUS is small, 16): they must exist
 * before the memory manager does, since the boot CPU's area is installed
 * first thing in kernel_main, and spinlocks (which record their holder's
 * CPU id in debug builds) are used from then on.
 */
#include "arch/x86_64/io.h"
#include "arch/x86_64/percpu.h"
#include "kernel/string.h"

struct percpu percpu_areas[NR_CPUS];

void percpu_setup(unsigned cpu, uint32_t apic_id)
{
	struct percpu *p = per_cpu(cpu);
	p->self = p;
	p->cpu_id = cpu;
	p->apic_id = apic_id;
}

void percpu_init_boot_cpu(void)
{
	percpu_setup(0, 0); /* the APIC id is filled in by smp_init */
	wrmsr(MSR_GS_BASE, (uint64_t)(uintptr_t)per_cpu(0));
}
