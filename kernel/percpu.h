/*
 * percpu.h - per-CPU data for portable code (mm/): struct percpu, this
 * CPU's area through the GS base (this_cpu_read, this_cpu_write,
 * this_cpu_read_idx, this_cpu_var: arch/x86_64/this_cpu.h) and another
 * CPU's area, per_cpu(cpu). The kernel's area is arch/x86_64/percpu.h; the
 * hosted build's, tests/host/host_percpu.h, carries only what mm/ uses:
 * cpu_id and the slab allocator's part (struct slab_percpu, mm/slab_percpu.h).
 */
#ifndef KERNEL_PERCPU_H
#define KERNEL_PERCPU_H

#ifdef MM_HOSTED
#include "tests/host/host_percpu.h"
#else
#include "arch/x86_64/percpu.h"
#endif

#endif
