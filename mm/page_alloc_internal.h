/*
 * page_alloc_internal.h - what the page allocator's own files share and
 * nobody else needs: mm/page_alloc.c (the allocator), mm/page_alloc_init.c
 * (bring-up and accounting), mm/buddy_check.c (the invariant checker).
 */
#ifndef MM_PAGE_ALLOC_INTERNAL_H
#define MM_PAGE_ALLOC_INTERNAL_H

#include "kernel/compiler.h"
#include "mm/gfp.h"
#include "mm/mmzone.h"
#include "mm/page.h"

/*
 * mem_map has nr_memmap descriptors: max_pfn rounded up to a whole top-order
 * block, the extra ones marked holes. So the buddy of any block below max_pfn
 * has a descriptor and the merge loop needs no bounds check.
 */
extern unsigned long nr_memmap;

/* Set by page_alloc_init once every structure is in place. */
extern bool allocator_ready;

/*
 * gfp flags -> zones. The two low gfp bits select the highest zone a request
 * may use (both set: the stricter, DMA). preferred_zone_of[] is that zone
 * lowered to the highest populated zone at or below it (set at init), so the
 * fast path finds its zone with one table load.
 */
#define GFP_ZONEMASK (__GFP_DMA | __GFP_DMA32)
extern const uint8_t gfp_highest_zone[4];
extern uint8_t preferred_zone_of[4];

/* Allocation failure warnings printed so far (the first few only). */
extern unsigned alloc_warnings;

/* The flags word of a free block's head: on the buddy lists / on a per-CPU list. */
static inline uint32_t buddy_flags(unsigned zone, unsigned order)
{
	return ((uint32_t)zone << PG_ZONE_SHIFT) | PG_buddy | ((uint32_t)order << PG_ORDER_SHIFT);
}

static inline uint32_t pcp_flags(unsigned zone, unsigned order)
{
	return ((uint32_t)zone << PG_ZONE_SHIFT) | PG_pcp | ((uint32_t)order << PG_ORDER_SHIFT);
}

/* The flags of a page that is not the head of anything: only its zone. */
static inline void set_page_plain(struct page *page)
{
	page->flags &= PG_ZONE_MASK;
}

/*
 * Put the block [pfn, pfn + 2^order) on the zone's free lists, merging it
 * with its buddies. zone->lock held; the block's pages plain on entry.
 */
void __free_one_page(struct zone *zone, unsigned long pfn, unsigned order);

/* "flags 0x24 (buddy|head) order 2 zone DMA32 refcount 0" into buf. */
void describe_page(const struct page *page, char *buf, size_t size);

#endif
