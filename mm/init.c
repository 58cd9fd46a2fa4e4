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

/* TEMPORARY during bring-up: layers not yet landed are skipped. Removed when all have landed. */
void memmap_setup(const struct boot_info *bi, uint64_t kernel_phys_start, uint64_t kernel_phys_end,
		  uint64_t mem_cap, unsigned phys_bits) __attribute__((weak));
void page_alloc_init(void) __attribute__((weak));
void paging_init(void) __attribute__((weak));
void kmem_cache_init(void) __attribute__((weak));

void mm_init(const struct boot_info *bi)
{
	uint64_t mem_cap = 0;

	if (cmdline_has("mem") && !cmdline_get_u64("mem", &mem_cap))
		pr_warn("mm: ignoring malformed mem=%s\n", cmdline_get("mem"));
	if (memmap_setup)
		memmap_setup(bi, __pa_symbol(_kernel_start), __pa_symbol(_kernel_end), mem_cap,
			     arch_phys_addr_bits());
	if (page_alloc_init)
		page_alloc_init();
	if (paging_init)
		paging_init();
	if (kmem_cache_init)
		kmem_cache_init();
}
