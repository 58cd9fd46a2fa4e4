/*
 * vmstat.h - global memory counters, updated by the allocators and read by
 * meminfo. Each is a page count kept with atomic adds (cheap: updated per
 * slab or per page-table page, never per object).
 */
#ifndef MM_VMSTAT_H
#define MM_VMSTAT_H

#include "kernel/compiler.h"

enum vm_stat_item {
	NR_SLAB_PAGES,	  /* pages in slabs */
	NR_PAGETABLE,	  /* page-table pages (vmm) */
	NR_KMALLOC_LARGE, /* pages of kmalloc allocations above the largest class */
	NR_KERNEL_IMAGE,  /* pages of the kernel image */
	NR_MEMMAP,	  /* pages holding struct page descriptors */
	NR_EARLY_ALLOC,	  /* other pages the early allocator handed out */
	NR_VM_STAT_ITEMS
};

extern long vm_stat[NR_VM_STAT_ITEMS];

static inline void mod_vm_stat(enum vm_stat_item item, long delta)
{
	__atomic_fetch_add(&vm_stat[item], delta, __ATOMIC_RELAXED);
}

static inline long read_vm_stat(enum vm_stat_item item)
{
	return __atomic_load_n(&vm_stat[item], __ATOMIC_RELAXED);
}

#endif
