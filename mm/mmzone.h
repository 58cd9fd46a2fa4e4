/*
 * mmzone.h - the zones of physical memory and their per-CPU page lists: the
 * data structures of the buddy allocator (mm/page_alloc.c), shared with its
 * dumps (mm/mm_stats.c), its tests and the monitor. Allocating and freeing go
 * through mm/gfp.h; nothing here is needed for that.
 *
 * A zone is a range of page frames with a physical-address property that some
 * callers need: ZONE_DMA [0, 16 MiB) for ISA devices, ZONE_DMA32 [16 MiB,
 * 4 GiB) for 32-bit devices, ZONE_NORMAL above. Each zone owns
 *   - free_area[order]: one list of free blocks of 2^order pages per order,
 *     each block aligned to its size, its head marked PG_buddy + order;
 *   - pcp[cpu]: per-CPU caches of small free blocks (orders 0..PCP_MAX_ORDER)
 *     so that most single-page allocations and frees take no lock;
 *   - watermarks and lowmem reserves that keep some memory back for atomic
 *     requests and for requests that can only use this zone.
 *
 * Locking: zone->lock (taken with interrupts off) protects free_area[],
 * nr_free and the counters marked "zone lock". pcp[cpu] belongs to CPU cpu
 * and is only touched by it with interrupts off (drain_all_pages asks each
 * CPU to drain its own). Geometry fields are written once at init.
 */
#ifndef MM_MMZONE_H
#define MM_MMZONE_H

#include "kernel/arch.h"
#include "kernel/compiler.h"
#include "kernel/spinlock.h"
#include "mm/gfp.h"
#include "mm/page.h"

/*
 * The per-CPU lists serve orders 0..PCP_MAX_ORDER (Linux 6.1 serves up to
 * PAGE_ALLOC_COSTLY_ORDER = 3 the same way): small multi-page blocks (slabs
 * of large objects, kernel stacks) are common enough to deserve the fast path.
 * Overridable at build time for measurements (-DPCP_MAX_ORDER=0).
 */
#ifndef PCP_MAX_ORDER
#define PCP_MAX_ORDER 3
#endif
#define PCP_NR_ORDERS (PCP_MAX_ORDER + 1)

enum zone_watermarks { WMARK_MIN, WMARK_LOW, WMARK_HIGH, NR_WMARK };

struct free_area {
	struct page_list free_list; /* heads of free blocks of this order (PG_buddy) */
	unsigned long nr_free;	    /* blocks (not pages) on free_list */
};

/*
 * One CPU's cache of free blocks of one zone. Pages on these lists are
 * PG_pcp with their order in the flags; the buddy allocator sees them as
 * allocated (they are not in zone->nr_free and never merge).
 * The first cache line is the fast path: count, high, batch and the lists.
 */
struct per_cpu_pages {
	int count;	    /* pages on all lists (a block of order o counts 2^o) */
	int high;	    /* a free that brings count to high drains batch pages */
	int batch;	    /* pages moved per refill and per drain */
	unsigned drain_cur; /* round-robin order cursor for draining */
	struct page_list lists[PCP_NR_ORDERS]; /* hottest block first */

	/* Statistics of this CPU in this zone (nr_hit and nr_alloc[0] share the hot line). */
	unsigned long nr_hit;			/* allocations straight from these lists */
	unsigned long nr_alloc[NR_PAGE_ORDERS]; /* blocks this zone handed out, per order */
	unsigned long nr_refill;		/* batches taken from the buddy lists */
	unsigned long nr_drain;			/* batches given back to the buddy lists */
} ____cacheline_aligned;

struct zone {
	/* Hot, zone lock. */
	spinlock_t lock;
	unsigned long nr_free; /* pages in free_area[] (pcp pages not included) */
	struct free_area free_area[NR_PAGE_ORDERS];

	/* Limits, set at init (see setup_watermarks in page_alloc.c). */
	unsigned long watermark[NR_WMARK];
	/*
	 * lowmem_reserve[c]: pages this zone keeps back from a request whose
	 * highest allowed zone is c (0 for c <= this zone).
	 */
	unsigned long lowmem_reserve[MAX_NR_ZONES];

	/* Counters (zone lock, except nr_fail: atomic). */
	unsigned long wmark_crossed[NR_WMARK]; /* times nr_free dropped below each mark */
	unsigned long nr_fallback;	       /* blocks served for a higher preferred zone */
	unsigned long nr_fail;		       /* requests preferring this zone that failed */
	unsigned long nr_bad_free;	       /* refused frees of pages of this zone */

	/* Geometry, written once at init. */
	const char *name;
	unsigned idx;
	unsigned long zone_start_pfn; /* first pfn of RAM in the zone (0 when empty) */
	unsigned long spanned_pages;  /* zone_start_pfn .. last RAM pfn + 1, holes included */
	unsigned long present_pages;  /* RAM pages */
	unsigned long managed_pages;  /* pages given to the buddy allocator at init */

	struct per_cpu_pages pcp[NR_CPUS];
};

extern struct zone page_zones[MAX_NR_ZONES];
extern const char *const zone_names[MAX_NR_ZONES];

/* The zone limits in pfns: zone z covers [zone_pfn_lo[z], zone_pfn_hi[z]). */
#define ZONE_DMA_END_PFN   (16UL << (20 - PAGE_SHIFT))
#define ZONE_DMA32_END_PFN (4UL << (30 - PAGE_SHIFT))

static inline unsigned pfn_zone_idx(unsigned long pfn)
{
	return pfn < ZONE_DMA_END_PFN	  ? ZONE_DMA
	       : pfn < ZONE_DMA32_END_PFN ? ZONE_DMA32
					  : ZONE_NORMAL;
}

static inline struct zone *page_zone(const struct page *page)
{
	return &page_zones[page_zonenum(page)];
}

static inline bool populated_zone(const struct zone *z)
{
	return z->present_pages != 0;
}

static inline unsigned long zone_end_pfn(const struct zone *z)
{
	return z->zone_start_pfn + z->spanned_pages;
}

/* True once page_alloc_init has run (and until page_alloc_reset_for_test). */
bool page_alloc_ready(void);

/* Pages on every CPU's lists of this zone (read without locks: a snapshot). */
unsigned long zone_pcp_pages(const struct zone *z);

/* Per-CPU counters summed over CPUs. */
unsigned long zone_nr_alloc(const struct zone *z, unsigned order);
unsigned long zone_pcp_stat(const struct zone *z, size_t offset);
#define ZONE_PCP_STAT(z, field) zone_pcp_stat(z, offsetof(struct per_cpu_pages, field))

/*
 * The RAM accounting computed at init, for meminfo and the boot log (pages).
 * ram = free_at_init + reserved; reserved = kernel + memmap + other_reserved.
 */
struct mem_accounting {
	unsigned long ram;	    /* pages of RAM (memblock memory) */
	unsigned long holes;	    /* pfns below max_pfn without RAM */
	unsigned long free_at_init; /* pages handed to the buddy lists */
	unsigned long reserved;	    /* RAM pages never handed to the buddy lists */
	unsigned long kernel;	    /* of those: the kernel image ("kernel") */
	unsigned long memmap;	    /* of those: mem_map itself */
	unsigned long other; /* of those: the rest (boot data, firmware, early allocations) */
};
extern struct mem_accounting mem_accounting;

#endif
