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
#define __GFP_COMP   0x400u /* compound: tail pages PG_tail, ->compound_head = the head */

#define GFP_KERNEL 0u
#define GFP_NOWAIT 0u
#define GFP_ATOMIC __GFP_HIGH
#define GFP_DMA	   __GFP_DMA
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
 * Which path served an allocation (alloc_pages_info), for the monitor and the
 * tests. Filling it costs nothing when alloc_pages is called instead.
 */
enum page_alloc_path {
	PA_PCP_HIT,    /* popped from this CPU's per-CPU list: no lock taken */
	PA_PCP_REFILL, /* the per-CPU list was empty: refilled with a batch, then popped */
	PA_BUDDY,      /* order above PCP_MAX_ORDER: taken from the buddy lists directly */
	PA_FAILED,     /* nothing could serve it (NULL returned) */
};

struct page_alloc_info {
	enum page_alloc_path path;
	unsigned zone;		 /* zone that served it (valid unless PA_FAILED) */
	unsigned preferred_zone; /* highest populated zone the gfp flags allow */
	unsigned split_from;	 /* order of the buddy block it was cut from (buddy paths) */
	bool fallback;		 /* zone != preferred_zone */
	bool drained; /* the first attempt failed; pcp lists were drained and it retried */
	unsigned wmark_crossed; /* bit (1 << WMARK_*) for each watermark this took nr_free below */
};

/* alloc_pages, also saying how the request was served (info must not be NULL). */
struct page *alloc_pages_info(gfp_t gfp, unsigned order, struct page_alloc_info *info);

/*
 * Give back a block from alloc_pages with the same order. A free of a page
 * that is free already, with the wrong order, unaligned, out of range,
 * reserved or owned by the slab allocator is reported (caller, pfn, state) and
 * ignored: nothing changes.
 *
 * Contract for owners: a block is returned in the state alloc_pages gave it
 * out, as far as the allocator's bits go. The owner clears the role flags it
 * set (PG_slab, PG_tail on tail pages, PG_pgtable, PG_large_kmalloc,
 * PG_guard) and leaves PG_head, the order and the zone alone; the head's
 * _refcount must be positive (allocated blocks have 1; a slab head that
 * overlaid it with inuse/objects is fine as long as objects != 0). A zero
 * refcount means "a free page or a non-first page of a block" and is refused.
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

/*
 * Return every CPU's per-CPU page lists to the buddy lists: each online CPU
 * drains its own (by IPI, waiting for all). Called with interrupts off it can
 * only drain the calling CPU's lists (waiting for other CPUs then could
 * deadlock) and does that.
 */
void drain_all_pages(void);
/* The same for the calling CPU only. */
void drain_local_pages(void);

/*
 * Verify every buddy invariant (see page_alloc.c); print each violation and
 * return their number. 0 when the allocator is not initialised.
 */
unsigned buddy_check(void);
/*
 * buddy_check plus an O(pages) scan of mem_map: every page inside a free
 * block is clean (no flags but the zone, refcount 0), every PG_buddy/PG_pcp
 * head is on its list. The memory tests call it explicitly.
 */
unsigned buddy_check_full(void);

/* The dumps, each under a line "== <name> ==", in Linux's /proc layouts. */
void show_buddyinfo(void);
void show_zoneinfo(void);
void show_meminfo(void);

#endif
