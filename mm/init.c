/*
 * init.c - memory management bring-up, in dependency order (kernel only: the
 * hosted build sets each layer up itself).
 *
 *   1. memmap_setup: the firmware map becomes memblock's usable RAM, with the
 *      first 1 MiB, the kernel image, the multiboot2 block and the modules
 *      reserved. From here memblock_alloc works.
 *   2. page_alloc_init: struct page array and zones (from memblock), then
 *      every page memblock did not hand out goes to the buddy lists.
 *   3. paging_init: the kernel's own page tables, from the buddy allocator.
 *   4. kmem_cache_init: slab caches and kmalloc.
 */
#include "kernel/arch.h"
#include "kernel/cmdline.h"
#include "kernel/printk.h"
#include "kernel/sections.h"
#include "mm/gfp.h"
#include "mm/memblock.h"
#include "mm/memmap.h"
#include "mm/mm.h"
#include "mm/slab.h"
#include "mm/vmm.h"

CMDLINE_PARAM(mem, "cap usable RAM at this size, e.g. mem=64M");

void mm_init(const struct boot_info *bi)
{
	uint64_t mem_cap = 0;

	if (cmdline_has("mem") && !cmdline_get_u64("mem", &mem_cap))
		pr_warn("mm: ignoring malformed mem=%s\n", cmdline_get("mem"));
	memmap_setup(bi, __pa_symbol(_kernel_start), __pa_symbol(_kernel_end), mem_cap,
		     arch_phys_addr_bits());
	page_alloc_init();
	paging_init();
	kmem_cache_init();
}
