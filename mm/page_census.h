/*
 * page_census.h - what every page frame is used for, counted and drawn: the
 * data behind the monitor's `memmap` picture, the machine-readable `memdump`
 * lines that tools/mempictures.py turns into SVG, and the external
 * fragmentation figures of each zone.
 *
 * The census reads mem_map without stopping the allocators (as /proc does):
 * on a quiet machine (the monitor, a test with the other CPUs idle) it is
 * exact and its totals equal meminfo's; while other CPUs allocate it is a
 * snapshot taken block by block.
 */
#ifndef MM_PAGE_CENSUS_H
#define MM_PAGE_CENSUS_H

#include "kernel/compiler.h"
#include "mm/gfp.h"
#include "mm/page.h"

/* What a page frame is used for. Every pfn below max_pfn has exactly one. */
enum page_use {
	PU_HOLE,	  /* no RAM behind the pfn */
	PU_KERNEL,	  /* the kernel image (reserved at boot) */
	PU_MEMMAP,	  /* the struct page array itself */
	PU_RESERVED,	  /* other boot reservations: firmware, first MiB, boot data */
	PU_FREE,	  /* in a free block on a zone's buddy lists */
	PU_PCP,		  /* in a free block on a per-CPU page list */
	PU_SLAB,	  /* in a slab (kmalloc size classes and other caches) */
	PU_KMALLOC_LARGE, /* in a kmalloc allocation above the largest size class */
	PU_PGTABLE,	  /* a page-table page */
	PU_ALLOCATED,	  /* allocated by any other alloc_pages user */
	PU_UNKNOWN,	  /* fits no state (only while something changes under the census) */
	NR_PAGE_USES
};

/* Short names ("free", "slab", ...) and the one-character codes of the picture. */
extern const char *const page_use_names[NR_PAGE_USES];
extern const char page_use_codes[NR_PAGE_USES];

/*
 * One block as the census sees it: [pfn, pfn + pages) has one use; for
 * PU_FREE and PU_PCP `order` is the free block's order (the block may be cut
 * at the ends of the range walked).
 */
struct page_block {
	unsigned long pfn, pages;
	enum page_use use;
	unsigned order;
	unsigned zone;
};

/*
 * The block of mem_map that contains pfn (pfn < max_pfn): its first pfn,
 * size, use and order. Never fails; a page in no consistent state is a
 * one-page PU_UNKNOWN block.
 */
void page_census_block(unsigned long pfn, struct page_block *b);

/* Call fn for every block overlapping [start, end), clipped to it, in pfn order. */
void page_census_walk(unsigned long start, unsigned long end,
		      void (*fn)(void *arg, const struct page_block *b), void *arg);

/* Totals of one census. */
struct page_census {
	unsigned long pages[NR_PAGE_USES];
	/* Free blocks on the buddy lists found by the walk, per zone and order. */
	unsigned long free_blocks[MAX_NR_ZONES][NR_PAGE_ORDERS];
	unsigned long zone_free[MAX_NR_ZONES];
	/* The largest free block of each zone: order -1 when the zone has none. */
	int largest_order[MAX_NR_ZONES];
	unsigned long largest_pfn[MAX_NR_ZONES];
};

/* Walk all of mem_map and count. */
void page_census_take(struct page_census *c);

/*
 * External fragmentation of one zone's free memory for requests of order,
 * from its free block counts (free_blocks[order'] for every order'):
 *
 *   unusable free space index (Gorman and Whitcroft, Linux's
 *   debugfs extfrag/unusable_index): the fraction of the free pages that
 *   are in blocks smaller than 2^order, so useless to such a request.
 *   0 = every free page could serve it, 1000 = none (also when nothing is
 *   free). Per mille.
 *
 *   fragmentation index (Linux's extfrag/extfrag_index): only meaningful
 *   when no block is large enough; then near 0 the request fails for lack
 *   of memory, near 1000 because of fragmentation. -1000 when a large
 *   enough block exists (the request would succeed).
 */
unsigned census_unusable_index(const unsigned long *free_blocks, unsigned order);
int census_fragmentation_index(const unsigned long *free_blocks, unsigned order);

/*
 * The monitor's `memmap`: a one-screen picture of physical memory, one
 * character per cell of a power-of-two number of pages (stated in the
 * header), the legend, each zone's largest free block and fragmentation
 * figures, and the totals next to meminfo's.
 */
void show_memmap(void);

/*
 * The machine-readable dump (tools/mempictures.py reads it): lines starting
 * with "memdump " between "memdump begin <seq> <label>" and
 * "memdump end <seq>": zones, buddy counts, totals, the run-length encoded
 * map of every page's use code, the slab caches. seq counts dumps since boot.
 */
void memdump(const char *label);

#endif
