/*
 * mm.h - bringing memory management up, in order:
 *   memmap_setup      firmware map -> memblock (usable RAM, reservations)
 *   page_alloc_init   struct page array, zones, every free page to the buddy lists
 *   paging_init       the kernel's own page tables (direct map, W^X image)
 *   kmem_cache_init   slab caches and kmalloc
 */
#ifndef MM_MM_H
#define MM_MM_H

#include "kernel/bootinfo.h"

/* Struct pages, zones, watermarks, per-CPU lists; hands all free memory to the buddy lists. */
void page_alloc_init(void);

/* Everything above, from the boot information and command line (kernel only). */
void mm_init(const struct boot_info *bi);

#endif
