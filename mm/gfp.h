/*
 * gfp.h - the page allocator's public API, with Linux's names and meanings.
 * The implementation is the zoned buddy allocator in mm/page_alloc.c.
 *
 * gfp ("get free pages") flags say where the memory may come from and how
 * hard to try. There is no reclaim and no sleeping in this kernel, so
 * GFP_KERNEL and GFP_ATOMIC differ only in how deep into the reserves below
 * the min watermark they may go.
 */
#ifndef MM_GFP_H
#define MM_GFP_H

#include "kernel/compiler.h"
#include "mm/page.h"

typedef unsigned int gfp_t;

#define __GFP_DMA    0x01u  /* only ZONE_DMA (below 16 MiB) */
#define __GFP_DMA32  0x02u  /* ZONE_DMA32 or lower (below 4 GiB) */
#define __GFP_HIGH   0x04u  /* may use part of the reserve below the min watermark */
#define __GFP_ZERO   0x100u /* return zeroed memory */
#define __GFP_NOWARN 0x200u /* no warning when the request fails */
#define __GFP_COMP   0x400u /* mark the block as a compound (head page records the order) */

#define GFP_KERNEL 0u
#define GFP_NOWAIT 0u
#define GFP_ATOMIC __GFP_HIGH
#define GFP_DMA    __GFP_DMA
#define GFP_DMA32  __GFP_DMA32

/* The zones, lowest first. An empty zone is normal (no RAM above 4 GiB, say). */
enum zone_type {
	ZONE_DMA,    /* [0, 16 MiB): ISA DMA */
	ZONE_DMA32,  /* [16 MiB, 4 GiB): 32-bit DMA */
	ZONE_NORMAL, /* [4 GiB, ...) */
	MAX_NR_ZONES
};

/*
 * Allocate 2^order physically contiguous pages, aligned to their size.
 * Returns the first page, or NULL when order > MAX_PAGE_ORDER or no zone the
 * flags allow can serve it without going below its watermark (with a warning
 * unless __GFP_NOWARN). The pages have refcount 1 and no role flags.
 */
struct page *alloc_pages(gfp_t gfp, unsigned order);
static inline struct page *alloc_page(gfp_t gfp)
{
	return alloc_pages(gfp, 0);
}

/*
 * Give back a block from alloc_pages with the same order. A free of a page
 * that is free already, with the wrong order, unaligned, out of range,
 * reserved or owned by the slab allocator is reported (caller, pfn, state) and
 * ignored: nothing changes.
 */
void __free_pages(struct page *page, unsigned order);
static inline void __free_page(struct page *page)
{
	__free_pages(page, 0);
}

/* The same, returning/taking direct-map addresses (0 on failure). */
uintptr_t __get_free_pages(gfp_t gfp, unsigned order);
uintptr_t get_zeroed_page(gfp_t gfp);
void free_pages(uintptr_t addr, unsigned order);
static inline void free_page(uintptr_t addr)
{
	free_pages(addr, 0);
}

/*
 * Like __free_pages, but returns 0 when the free was applied and a negative
 * errno (-EINVAL) when it was refused as a bad free (nothing changed). The
 * tests use it to check each bad free is detected.
 */
int free_pages_checked(struct page *page, unsigned order, uintptr_t caller);

/* Pages free in the buddy lists plus the per-CPU lists, all zones. */
unsigned long nr_free_pages(void);

/* Return every CPU's per-CPU page lists to the buddy lists (exact accounting). */
void drain_all_pages(void);
/* The same for the calling CPU only. */
void drain_local_pages(void);

/*
 * Verify every buddy invariant (see page_alloc.c); print each violation and
 * return their number. 0 when the allocator is not initialised.
 */
unsigned buddy_check(void);

/* The dumps, each under a line "== <name> ==", in Linux's /proc layouts. */
void show_buddyinfo(void);
void show_zoneinfo(void);
void show_meminfo(void);

#endif
