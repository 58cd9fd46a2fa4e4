/*
 * page_alloc.c - the zoned buddy allocator for page frames (Linux's names:
 * alloc_pages, __free_pages, zones, watermarks, per-CPU page lists).
 *
 * The buddy system. Free memory is kept as blocks of 2^order pages, order
 * 0..MAX_PAGE_ORDER, each aligned to its size, on one free list per order and
 * zone. A request for order k takes the first block of the smallest order
 * j >= k that has one and splits it: the upper halves of orders j-1 .. k go
 * back on their lists ("expand"). Freeing a block of order k looks at its
 * buddy, the block at pfn ^ 2^k: if that is free with the same order (PG_buddy,
 * order k, same zone) the two merge into one block of order k+1 at
 * pfn & ~2^k, and so on upwards. So a free block never has a free buddy of its
 * own order, and once everything is freed memory is back in the largest
 * blocks its holes and alignment allow.
 *
 * Zones and fallback. A request may use the highest zone its gfp flags allow
 * and any zone below it, tried highest first (NORMAL -> DMA32 -> DMA), so the
 * scarce low zones go last. A zone serves a request only while its free pages
 * stay above its min watermark plus lowmem_reserve[requested zone]: the
 * reserve (Linux's lowmem_reserve_ratio) keeps part of DMA and DMA32 for the
 * callers that can use nothing else.
 *
 * Per-CPU lists. Most allocations are single pages, so each CPU keeps, per
 * zone, a small LIFO cache of free blocks of orders 0..PCP_MAX_ORDER
 * (struct per_cpu_pages). Allocating pops from it and freeing pushes onto it
 * with interrupts off and no lock; only when it runs empty (refill) or reaches
 * `high` pages (drain) does the CPU take the zone lock, moving `batch` pages
 * at once. Pages on those lists are PG_pcp: to the buddy system they are
 * allocated, so they do not count in zone->nr_free and never merge.
 *
 * struct page states (flags & ~zone bits, refcount):
 *   PG_buddy|order, 0    head of a free block on free_area[order]
 *   PG_pcp|order, 0      head of a free block on a per-CPU list
 *   0, 0                 any non-first page of a block, free or allocated
 *   0 or PG_head|order, 1  head of an allocated block (plus the owner's role flags)
 *   PG_reserved[|PG_hole]  never given to the allocator
 * The free path checks the state before changing anything, which is how bad
 * frees are caught (see free_pages_checked).
 *
 * Locking: interrupts off, then zone->lock. pcp[cpu] is touched only by its
 * own CPU with interrupts off (other CPUs' lists are drained by IPI, see
 * drain_all_count; the checker reads them while they are idle).
 */
#include "mm/gfp.h"

#include "kernel/errno.h"
#include "kernel/ktest.h"
#include "kernel/printk.h"
#include "kernel/smp.h"
#include "kernel/string.h"
#include "mm/memblock.h"
#include "mm/mm.h"
#include "mm/mmzone.h"
#include "mm/page_alloc_test.h"
#include "mm/vmstat.h"

BUILD_BUG_ON(sizeof(struct page) != 32);
/* Zone boundaries are multiples of the largest block: no block straddles two zones. */
BUILD_BUG_ON(ZONE_DMA_END_PFN % (1UL << MAX_PAGE_ORDER) != 0);
BUILD_BUG_ON(ZONE_DMA32_END_PFN % (1UL << MAX_PAGE_ORDER) != 0);
BUILD_BUG_ON(PCP_MAX_ORDER > MAX_PAGE_ORDER);

struct page *mem_map;
unsigned long max_pfn;

/*
 * mem_map has nr_memmap descriptors: max_pfn rounded up to a whole top-order
 * block, the extra ones marked holes. So the buddy of any block below max_pfn
 * has a descriptor and the merge loop needs no bounds check.
 */
static unsigned long nr_memmap;
static bool allocator_ready;

const char *const zone_names[MAX_NR_ZONES] = { "DMA", "DMA32", "Normal" };

#define PCP_INIT                                                    \
	{                                                           \
		.lists = { [0 ... PCP_MAX_ORDER] = PAGE_LIST_INIT } \
	}
#define ZONE_INIT(i)                                                                       \
	{                                                                                  \
		.lock = SPINLOCK_INIT, .name = NULL, .idx = i,                             \
		.free_area = { [0 ... MAX_PAGE_ORDER] = { .free_list = PAGE_LIST_INIT } }, \
		.pcp = { [0 ... NR_CPUS - 1] = PCP_INIT },                                 \
	}

/*
 * Statically initialised so that every list reads as empty (PFN_NIL) even
 * before page_alloc_init: an early alloc_pages fails cleanly instead of
 * following pfn 0.
 */
struct zone page_zones[MAX_NR_ZONES] = { ZONE_INIT(ZONE_DMA), ZONE_INIT(ZONE_DMA32),
					 ZONE_INIT(ZONE_NORMAL) };

struct mem_accounting mem_accounting;

/*
 * gfp flags -> zones. The two low gfp bits select the highest zone a request
 * may use (both set: the stricter, DMA). preferred_zone_of[] is that zone
 * lowered to the highest populated zone at or below it (fixed at init), so the
 * fast path finds its zone with one table load.
 */
#define GFP_ZONEMASK (__GFP_DMA | __GFP_DMA32)
static const uint8_t gfp_highest_zone[4] = { ZONE_NORMAL, ZONE_DMA, ZONE_DMA32, ZONE_DMA };
static uint8_t preferred_zone_of[4] = { ZONE_NORMAL, ZONE_DMA, ZONE_DMA32, ZONE_DMA };

/* Allocation failure warnings printed so far (the first few only). */
#define ALLOC_WARN_LIMIT 10
static unsigned alloc_warnings;

bool page_alloc_ready(void)
{
	return allocator_ready;
}

/* ---------------------------------------------------------------------------
 * The buddy lists (zone->lock held)
 */

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

static inline void add_to_free_area(struct zone *zone, struct page *page, unsigned order)
{
	page->flags = buddy_flags(zone->idx, order);
	page_list_add(&zone->free_area[order].free_list, page);
	zone->free_area[order].nr_free++;
	zone->nr_free += 1UL << order;
}

static inline void del_from_free_area(struct zone *zone, struct page *page, unsigned order)
{
	page_list_del(&zone->free_area[order].free_list, page);
	set_page_plain(page);
	zone->free_area[order].nr_free--;
	zone->nr_free -= 1UL << order;
}

/*
 * Put the block [pfn, pfn + 2^order) on the free lists, merging it with its
 * buddy as long as the buddy is a free block of the same order in the same
 * zone (the one flags word says all three). The block's pages must be plain
 * (set_page_plain) on entry.
 */
static void __free_one_page(struct zone *zone, unsigned long pfn, unsigned order)
{
	while (order < MAX_PAGE_ORDER) {
		unsigned long buddy_pfn = pfn ^ (1UL << order);
		struct page *buddy = mem_map + buddy_pfn;

		if (buddy->flags != buddy_flags(zone->idx, order))
			break;
		del_from_free_area(zone, buddy, order);
		pfn &= buddy_pfn; /* the merged block starts at the lower of the two */
		order++;
	}
	add_to_free_area(zone, mem_map + pfn, order);
}

/*
 * Split a block of order `high` whose first page is `page` down to order
 * `low`: the upper half of each split goes back on the free lists.
 */
static inline void expand(struct zone *zone, struct page *page, unsigned low, unsigned high)
{
	while (high > low) {
		high--;
		add_to_free_area(zone, page + (1UL << high), high);
	}
}

/* Take a block of exactly `order` from the smallest list that can supply one. */
static struct page *__rmqueue_smallest(struct zone *zone, unsigned order, unsigned *split_from)
{
	for (unsigned o = order; o <= MAX_PAGE_ORDER; o++) {
		struct page *page = page_list_first(&zone->free_area[o].free_list);
		if (!page)
			continue;
		del_from_free_area(zone, page, o);
		expand(zone, page, order, o);
		*split_from = o;
		return page;
	}
	return NULL;
}

/*
 * May this zone hand out 2^order pages to a request whose highest zone is
 * `highest`? Only if nr_free stays above the min watermark (halved for
 * __GFP_HIGH requests, which may dig into the reserve) plus the reserve this
 * zone keeps from requests that could have used a higher zone.
 */
static inline bool zone_watermark_ok(const struct zone *zone, unsigned order, unsigned highest,
				     gfp_t gfp)
{
	long min = (long)zone->watermark[WMARK_MIN];
	long free = (long)READ_ONCE(zone->nr_free) - ((1L << order) - 1);

	if (gfp & __GFP_HIGH)
		min -= min / 2;
	return free > min + (long)zone->lowmem_reserve[highest];
}

/*
 * Count the watermarks that nr_free just dropped below (from `before`).
 * There is no reclaim, so these are only counted: min is the hard floor for
 * ordinary requests (crossing it means an atomic request used the reserve);
 * low is where a reclaim thread would be woken; high where it would stop.
 */
static void note_wmark_crossings(struct zone *zone, unsigned long before,
				 struct page_alloc_info *info)
{
	for (unsigned w = 0; w < NR_WMARK; w++) {
		unsigned long mark = zone->watermark[w];
		if (before >= mark && zone->nr_free < mark) {
			zone->wmark_crossed[w]++;
			if (info)
				info->wmark_crossed |= 1u << w;
		}
	}
}

/* ---------------------------------------------------------------------------
 * Per-CPU lists (interrupts off; the list belongs to this CPU)
 */

/* Take the hottest block off a per-CPU list: an unlink at the head, no search. */
static __always_inline struct page *pcp_pop(struct per_cpu_pages *pcp, unsigned order)
{
	struct page_list *l = &pcp->lists[order];
	uint32_t pfn = l->first;

	if (pfn == PFN_NIL)
		return NULL;
	struct page *page = pfn_to_page(pfn);
	l->first = page->lru.next;
	if (l->first != PFN_NIL)
		pfn_to_page(l->first)->lru.prev = PFN_NIL;
	else
		l->last = PFN_NIL;
	page->lru.next = PFN_NIL;
	pcp->count -= 1 << order;
	return page;
}

/*
 * Refill an empty per-CPU list of `order` with up to batch pages' worth of
 * blocks, zone->lock held. Only the first block (the one the caller gets)
 * may use the __GFP_HIGH reserve: the rest must leave the zone above its
 * ordinary floor, so pages cached on a pcp list never came from the reserve.
 * Returns the number of blocks moved.
 */
static unsigned rmqueue_bulk(struct zone *zone, struct per_cpu_pages *pcp, unsigned order,
			     unsigned highest, gfp_t gfp, struct page_alloc_info *info)
{
	unsigned blocks = (unsigned)pcp->batch >> order;
	unsigned long before = zone->nr_free;
	unsigned i, from;

	if (!blocks)
		blocks = 1;
	for (i = 0; i < blocks; i++) {
		if (!zone_watermark_ok(zone, order, highest, i ? gfp & ~__GFP_HIGH : gfp))
			break;
		struct page *page = __rmqueue_smallest(zone, order, &from);
		if (!page)
			break;
		if (i == 0 && info)
			info->split_from = from;
		page->flags = pcp_flags(zone->idx, order);
		page_list_add_tail(&pcp->lists[order], page);
		pcp->count += 1 << order;
	}
	if (i) {
		pcp->nr_refill++;
		note_wmark_crossings(zone, before, info);
	}
	return i;
}

/*
 * Give back at least `nr` pages (or all there are) from a per-CPU list to the
 * buddy lists, zone->lock held. Blocks are taken from the cold end of each
 * order's list in turn, so no order starves the others.
 */
static unsigned long free_pcppages_bulk(struct zone *zone, struct per_cpu_pages *pcp, long nr)
{
	unsigned o = pcp->drain_cur;
	unsigned long moved = 0;

	while (nr > 0 && pcp->count > 0) {
		while (page_list_empty(&pcp->lists[o]))
			o = (o + 1) % PCP_NR_ORDERS;
		struct page *page = page_list_last(&pcp->lists[o]);
		page_list_del(&pcp->lists[o], page);
		pcp->count -= 1 << o;
		nr -= 1L << o;
		moved += 1UL << o;
		set_page_plain(page);
		__free_one_page(zone, page_to_pfn(page), o);
		o = (o + 1) % PCP_NR_ORDERS;
	}
	pcp->drain_cur = o;
	return moved;
}

/* Empty CPU cpu's lists of one zone. Interrupts off, and cpu is this CPU (or idle: see below). */
static unsigned long drain_zone_pages(struct zone *zone, unsigned cpu)
{
	struct per_cpu_pages *pcp = &zone->pcp[cpu];
	unsigned long moved = 0;

	if (pcp->count) {
		spin_lock(&zone->lock);
		moved = free_pcppages_bulk(zone, pcp, pcp->count);
		spin_unlock(&zone->lock);
		pcp->nr_drain++;
	}
	return moved;
}

/* This CPU's lists, every zone; returns the pages moved. */
static unsigned long drain_this_cpu(void)
{
	unsigned long flags, moved = 0;

	local_irq_save(flags);
	for (unsigned z = 0; z < MAX_NR_ZONES; z++)
		moved += drain_zone_pages(&page_zones[z], smp_processor_id());
	local_irq_restore(flags);
	return moved;
}

void drain_local_pages(void)
{
	drain_this_cpu();
}

static void drain_cpu_callback(void *moved)
{
	__atomic_fetch_add((unsigned long *)moved, drain_this_cpu(), __ATOMIC_RELAXED);
}

/*
 * Every CPU empties its own lists (on_each_cpu: an IPI to each other online
 * CPU, waiting for all), so no per-CPU list is ever touched by a CPU other
 * than its owner. Waiting for other CPUs is only safe with interrupts on
 * (one of them might be spinning, interrupts off, on a lock our caller
 * holds); with interrupts off, e.g. an atomic allocation under an irqsave
 * lock, only this CPU's lists are drained, as Linux does for atomic
 * requests. Returns the pages moved.
 */
static unsigned long drain_all_count(void)
{
	unsigned long moved = 0;

	if (arch_irqs_disabled())
		return drain_this_cpu();
	on_each_cpu(drain_cpu_callback, &moved, true);
	return moved;
}

void drain_all_pages(void)
{
	drain_all_count();
}

/* ---------------------------------------------------------------------------
 * Allocation
 */

static __noinline void prep_new_page_extra(struct page *page, unsigned order, gfp_t gfp)
{
	if ((gfp & __GFP_COMP) && order) {
		/* A compound block: every tail page leads back to the head. */
		for (unsigned long i = 1; i < (1UL << order); i++) {
			page[i].flags = (page[i].flags & PG_ZONE_MASK) | PG_tail;
			page[i].compound_head = page;
		}
	}
	if (gfp & __GFP_ZERO)
		memset(page_address(page), 0, PAGE_SIZE << order);
}

/* Turn a free block's head into an allocated one: refcount 1, PG_head+order if order > 0. */
static __always_inline struct page *prep_new_page(struct page *page, unsigned order, gfp_t gfp)
{
	page->flags = (page->flags & PG_ZONE_MASK) |
		      (order ? PG_head | ((uint32_t)order << PG_ORDER_SHIFT) : 0);
	page->_refcount = 1;
	page->private[0] = 0;
	page->private[1] = 0;
	if (unlikely(gfp & (__GFP_ZERO | __GFP_COMP)))
		prep_new_page_extra(page, order, gfp);
	return page;
}

/*
 * Try one zone. `fallback` is true when the request preferred a higher zone:
 * then even a per-CPU hit must respect this zone's watermark and reserve.
 * (The preferred zone's per-CPU pages already passed that test when they were
 * taken from the buddy lists, so the fast path does not repeat it.)
 */
static struct page *rmqueue(struct zone *zone, unsigned order, unsigned highest, gfp_t gfp,
			    bool fallback, struct page_alloc_info *info)
{
	unsigned long flags;
	struct page *page = NULL;
	unsigned from = order;

	local_irq_save(flags);
	struct per_cpu_pages *pcp = &zone->pcp[smp_processor_id()];
	if (order <= PCP_MAX_ORDER) {
		if (!fallback || zone_watermark_ok(zone, order, highest, gfp))
			page = pcp_pop(pcp, order);
		if (page) {
			pcp->nr_hit++;
			info->path = PA_PCP_HIT;
			info->split_from = order;
		} else {
			spin_lock(&zone->lock);
			rmqueue_bulk(zone, pcp, order, highest, gfp, info);
			spin_unlock(&zone->lock);
			page = pcp_pop(pcp, order);
			info->path = PA_PCP_REFILL;
		}
	} else {
		spin_lock(&zone->lock);
		if (zone_watermark_ok(zone, order, highest, gfp)) {
			unsigned long before = zone->nr_free;
			page = __rmqueue_smallest(zone, order, &from);
			if (page)
				note_wmark_crossings(zone, before, info);
		}
		spin_unlock(&zone->lock);
		info->path = PA_BUDDY;
		info->split_from = from;
	}
	if (page) {
		pcp->nr_alloc[order]++;
		if (fallback)
			__atomic_fetch_add(&zone->nr_fallback, 1, __ATOMIC_RELAXED);
	}
	local_irq_restore(flags);
	return page;
}

static void gfp_describe(gfp_t gfp, char *buf, size_t size)
{
	static const struct {
		gfp_t bit;
		const char *name;
	} names[] = {
		{ __GFP_DMA, "DMA" },	{ __GFP_DMA32, "DMA32" },   { __GFP_HIGH, "HIGH" },
		{ __GFP_ZERO, "ZERO" }, { __GFP_NOWARN, "NOWARN" }, { __GFP_COMP, "COMP" },
	};
	size_t len = 0;

	buf[0] = 0;
	for (unsigned i = 0; i < ARRAY_SIZE(names); i++)
		if ((gfp & names[i].bit) && len < size)
			len += (size_t)ksnprintf(buf + len, size - len, "%s%s", len ? "|" : "",
						 names[i].name);
	if (!len)
		ksnprintf(buf, size, "KERNEL");
}

static __cold void warn_alloc(gfp_t gfp, unsigned order, uintptr_t caller, const char *why)
{
	char desc[64];

	if (gfp & __GFP_NOWARN)
		return;
	unsigned n = __atomic_fetch_add(&alloc_warnings, 1, __ATOMIC_RELAXED);
	if (n > ALLOC_WARN_LIMIT)
		return;
	if (n == ALLOC_WARN_LIMIT) {
		pr_warn("page_alloc: further allocation failure warnings suppressed\n");
		return;
	}
	gfp_describe(gfp, desc, sizeof(desc));
	pr_warn("page_alloc: allocation failure: order %u, gfp %#x (%s), caller %pS: %s\n", order,
		gfp, desc, (void *)caller, why);
	if (allocator_ready)
		pr_warn("page_alloc:   free pages: DMA %lu, DMA32 %lu, Normal %lu; per-CPU lists "
			"%lu\n",
			page_zones[ZONE_DMA].nr_free, page_zones[ZONE_DMA32].nr_free,
			page_zones[ZONE_NORMAL].nr_free,
			zone_pcp_pages(&page_zones[ZONE_DMA]) +
				zone_pcp_pages(&page_zones[ZONE_DMA32]) +
				zone_pcp_pages(&page_zones[ZONE_NORMAL]));
}

/*
 * Everything but a per-CPU hit in the preferred zone: the zones in fallback
 * order, each through its per-CPU list or its buddy lists; when all fail,
 * drain the per-CPU lists (their pages may be what is missing) and retry once.
 */
static __noinline struct page *alloc_pages_slow(gfp_t gfp, unsigned order,
						struct page_alloc_info *info, uintptr_t caller)
{
	struct page_alloc_info scratch;
	unsigned highest = gfp_highest_zone[gfp & GFP_ZONEMASK];
	unsigned preferred = preferred_zone_of[gfp & GFP_ZONEMASK];

	if (!info)
		info = &scratch;
	*info = (struct page_alloc_info){ .path = PA_FAILED, .preferred_zone = preferred };

	if (unlikely(order > MAX_PAGE_ORDER)) {
		warn_alloc(gfp, order, caller, "order above MAX_PAGE_ORDER (10)");
		return NULL;
	}
	if (unlikely(!allocator_ready)) {
		warn_alloc(gfp, order, caller, "called before page_alloc_init");
		return NULL;
	}
	for (unsigned attempt = 0; attempt < 2; attempt++) {
		for (int z = (int)preferred; z >= 0; z--) {
			struct zone *zone = &page_zones[z];
			if (!populated_zone(zone))
				continue;
			struct page *page =
				rmqueue(zone, order, highest, gfp, z != (int)preferred, info);
			if (page) {
				info->zone = (unsigned)z;
				info->fallback = z != (int)preferred;
				return prep_new_page(page, order, gfp);
			}
		}
		/* Pages parked on per-CPU lists count for nothing above: give them back and retry. */
		if (attempt == 0 && !drain_all_count())
			break;
		info->drained = true;
	}
	info->path = PA_FAILED;
	__atomic_fetch_add(&page_zones[preferred].nr_fail, 1, __ATOMIC_RELAXED);
	warn_alloc(gfp, order, caller, "no zone can serve it above its watermark");
	return NULL;
}

/*
 * The fast path: a block of order <= PCP_MAX_ORDER popped from this CPU's list
 * in the preferred zone, interrupts off, no lock. Everything else is
 * alloc_pages_slow. `info` is a compile-time NULL for alloc_pages.
 */
static __always_inline struct page *
alloc_pages_common(gfp_t gfp, unsigned order, struct page_alloc_info *info, uintptr_t caller)
{
	if (likely(order <= PCP_MAX_ORDER)) {
		unsigned z = preferred_zone_of[gfp & GFP_ZONEMASK];
		struct per_cpu_pages *pcp;
		struct page *page;
		unsigned long flags;

		local_irq_save(flags);
		pcp = &page_zones[z].pcp[smp_processor_id()];
		page = pcp_pop(pcp, order);
		if (likely(page)) {
			pcp->nr_alloc[order]++;
			pcp->nr_hit++;
			local_irq_restore(flags);
			if (info)
				*info = (struct page_alloc_info){ .path = PA_PCP_HIT,
								  .zone = z,
								  .preferred_zone = z,
								  .split_from = order };
			return prep_new_page(page, order, gfp);
		}
		local_irq_restore(flags);
	}
	return alloc_pages_slow(gfp, order, info, caller);
}

struct page *alloc_pages(gfp_t gfp, unsigned order)
{
	return alloc_pages_common(gfp, order, NULL, _RET_IP_);
}

struct page *alloc_pages_info(gfp_t gfp, unsigned order, struct page_alloc_info *info)
{
	return alloc_pages_common(gfp, order, info, _RET_IP_);
}

uintptr_t __get_free_pages(gfp_t gfp, unsigned order)
{
	struct page *page = alloc_pages_common(gfp, order, NULL, _RET_IP_);
	return page ? (uintptr_t)page_address(page) : 0;
}

uintptr_t get_zeroed_page(gfp_t gfp)
{
	struct page *page = alloc_pages_common(gfp | __GFP_ZERO, 0, NULL, _RET_IP_);
	return page ? (uintptr_t)page_address(page) : 0;
}

/* ---------------------------------------------------------------------------
 * Freeing, and the checks that catch bad frees
 */

static const char *const page_flag_names[] = {
	"reserved", "hole",    "buddy",		"pcp",	    "slab",  "head",
	"tail",	    "pgtable", "large_kmalloc", "memblock", "guard",
};

/* "flags 0x24 (buddy|head) order 2 zone DMA32 refcount 0" into buf. */
static void describe_page(const struct page *page, char *buf, size_t size)
{
	size_t len = (size_t)ksnprintf(buf, size, "flags %#x (", page->flags);
	bool any = false;

	for (unsigned i = 0; i < ARRAY_SIZE(page_flag_names) && len < size; i++) {
		if (page->flags & (1u << i)) {
			len += (size_t)ksnprintf(buf + len, size - len, "%s%s", any ? "|" : "",
						 page_flag_names[i]);
			any = true;
		}
	}
	if (len < size)
		ksnprintf(buf + len, size - len, "%s) order %u zone %s refcount %d",
			  any ? "" : "none", page_order(page), zone_names[page_zonenum(page) % 3],
			  page->_refcount);
}

/* Why the free of (page, order) is refused; NULL when it is fine. */
static const char *bad_free_reason(const struct page *page, unsigned long pfn, unsigned order)
{
	uint32_t f = page->flags;

	if (f & PG_hole)
		return "no RAM at this pfn (a hole)";
	if (f & PG_reserved)
		return "page is reserved (never given to the page allocator)";
	if (f & PG_buddy)
		return "page is already free (head of a free block in the buddy lists)";
	if (f & PG_pcp)
		return "page is already free (on a per-CPU page list)";
	if (f & (PG_slab | PG_tail))
		return "page belongs to the slab allocator (or is a tail page)";
	if (f & PG_pgtable)
		return "page is a page-table page";
	if (f & PG_large_kmalloc)
		return "page is still a kmalloc-large block (use kfree)";
	if (f & PG_guard)
		return "page is a stack guard page";
	if (f & PG_memblock)
		return "page belongs to the early allocator (memblock)";
	if (page->_refcount <= 0)
		return "refcount not positive: a free page or a non-first page of a block";
	if (pfn & ((1UL << order) - 1))
		return "pfn not aligned to the order";
	if (order && !(f & PG_head))
		return "order does not match: allocated as order 0";
	if ((f & PG_head) && page_order(page) != order)
		return "order does not match the order it was allocated with";
	if (f & ~(PG_ZONE_MASK | PG_ORDER_MASK | PG_head))
		return "unexpected page flags";
	return NULL;
}

static __cold __noinline int report_bad_free(const struct page *page, unsigned order,
					     uintptr_t caller)
{
	uintptr_t off = (uintptr_t)page - (uintptr_t)mem_map;
	char state[160];

	if (!allocator_ready) {
		pr_err("page_alloc: BAD FREE of page %p order %u from %pS: the allocator is not "
		       "initialised\n",
		       (const void *)page, order, (void *)caller);
		return -EINVAL;
	}
	if (off >= max_pfn * sizeof(struct page) || off % sizeof(struct page)) {
		pr_err("page_alloc: BAD FREE of %p order %u from %pS: not a struct page of mem_map "
		       "(pfn out of range: max_pfn %#lx)\n",
		       (const void *)page, order, (void *)caller, max_pfn);
		return -EINVAL;
	}
	unsigned long pfn = off / sizeof(struct page);
	const char *why = order > MAX_PAGE_ORDER ? "order above MAX_PAGE_ORDER"
						 : bad_free_reason(page, pfn, order);
	describe_page(page, state, sizeof(state));
	pr_err("page_alloc: BAD FREE of pfn %#lx order %u from %pS: %s\n", pfn, order,
	       (void *)caller, why ? why : "inconsistent page state");
	pr_err("page_alloc:   page state: %s\n", state);
	__atomic_fetch_add(&page_zones[page_zonenum(page) % MAX_NR_ZONES].nr_bad_free, 1,
			   __ATOMIC_RELAXED);
	return -EINVAL;
}

static __noinline void clear_compound_tails(struct page *page, unsigned order)
{
	for (unsigned long i = 1; i < (1UL << order); i++) {
		set_page_plain(&page[i]);
		page[i].compound_head = NULL;
	}
}

/* Return a block to the buddy lists directly (orders above PCP_MAX_ORDER). */
static void free_one_page(struct zone *zone, unsigned long pfn, unsigned order)
{
	unsigned long flags;

	spin_lock_irqsave(&zone->lock, flags);
	__free_one_page(zone, pfn, order);
	spin_unlock_irqrestore(&zone->lock, flags);
}

/*
 * The checks are ordered so that nothing is read through a pointer before it
 * is known to be a descriptor in mem_map, and nothing is written before every
 * check passed: a refused free changes no state at all.
 * Accepted: a descriptor below max_pfn, aligned to the order, whose flags are
 * exactly the zone plus (order ? PG_head|order : nothing) and whose refcount
 * is positive.
 */
static __always_inline int free_pages_common(struct page *page, unsigned order, uintptr_t caller)
{
	uintptr_t off = (uintptr_t)page - (uintptr_t)mem_map;
	uint32_t expect = order ? PG_head | ((uint32_t)order << PG_ORDER_SHIFT) : 0;

	if (unlikely(off >= max_pfn * sizeof(struct page) || off % sizeof(struct page) ||
		     order > MAX_PAGE_ORDER))
		return report_bad_free(page, order, caller);
	unsigned long pfn = off / sizeof(struct page);
	if (unlikely((pfn & ((1UL << order) - 1)) || (page->flags & ~PG_ZONE_MASK) != expect ||
		     page->_refcount <= 0))
		return report_bad_free(page, order, caller);

	if (unlikely(order && (page[1].flags & PG_tail)))
		clear_compound_tails(page, order);
	page->_refcount = 0;

	struct zone *zone = page_zone(page);
	if (likely(order <= PCP_MAX_ORDER)) {
		unsigned long flags;

		local_irq_save(flags);
		struct per_cpu_pages *pcp = &zone->pcp[smp_processor_id()];
		page->flags = pcp_flags(zone->idx, order);
		page_list_add(&pcp->lists[order], page);
		pcp->count += 1 << order;
		if (unlikely(pcp->count >= pcp->high)) {
			spin_lock(&zone->lock);
			free_pcppages_bulk(zone, pcp, pcp->batch);
			spin_unlock(&zone->lock);
			pcp->nr_drain++;
		}
		local_irq_restore(flags);
	} else {
		set_page_plain(page);
		free_one_page(zone, pfn, order);
	}
	return 0;
}

int free_pages_checked(struct page *page, unsigned order, uintptr_t caller)
{
	return free_pages_common(page, order, caller);
}

void __free_pages(struct page *page, unsigned order)
{
	free_pages_common(page, order, _RET_IP_);
}

void free_pages(uintptr_t addr, unsigned order)
{
	if (!addr)
		return;
	if (addr < (uintptr_t)PAGE_OFFSET || !IS_ALIGNED(addr, PAGE_SIZE) ||
	    __pa(addr) >= PFN_PHYS(max_pfn)) {
		pr_err("page_alloc: BAD FREE of address %#lx order %u from %pS: not a page-aligned "
		       "direct-map address of RAM\n",
		       (unsigned long)addr, order, (void *)_RET_IP_);
		return;
	}
	free_pages_common(virt_to_page((void *)addr), order, _RET_IP_);
}

/* ---------------------------------------------------------------------------
 * Counters for the dumps
 */

unsigned long zone_pcp_pages(const struct zone *z)
{
	unsigned long n = 0;
	for (unsigned cpu = 0; cpu < NR_CPUS; cpu++)
		n += (unsigned long)READ_ONCE(z->pcp[cpu].count);
	return n;
}

unsigned long zone_nr_alloc(const struct zone *z, unsigned order)
{
	unsigned long n = 0;
	for (unsigned cpu = 0; cpu < NR_CPUS; cpu++)
		n += READ_ONCE(z->pcp[cpu].nr_alloc[order]);
	return n;
}

unsigned long zone_pcp_stat(const struct zone *z, size_t offset)
{
	unsigned long n = 0;
	for (unsigned cpu = 0; cpu < NR_CPUS; cpu++)
		n += *(const volatile unsigned long *)((const char *)&z->pcp[cpu] + offset);
	return n;
}

unsigned long nr_free_pages(void)
{
	unsigned long n = 0;
	for (unsigned z = 0; z < MAX_NR_ZONES; z++)
		n += READ_ONCE(page_zones[z].nr_free) + zone_pcp_pages(&page_zones[z]);
	return n;
}

/* ---------------------------------------------------------------------------
 * Initialisation
 */

static void zone_struct_init(struct zone *zone, unsigned idx)
{
	memset(zone, 0, sizeof(*zone));
	spin_lock_init(&zone->lock);
	zone->idx = idx;
	zone->name = zone_names[idx];
	for (unsigned o = 0; o <= MAX_PAGE_ORDER; o++)
		page_list_init(&zone->free_area[o].free_list);
	for (unsigned cpu = 0; cpu < NR_CPUS; cpu++)
		for (unsigned o = 0; o <= PCP_MAX_ORDER; o++)
			page_list_init(&zone->pcp[cpu].lists[o]);
}

static unsigned long int_sqrt(unsigned long x)
{
	unsigned long r = 0, bit = 1UL << 62;

	while (bit > x)
		bit >>= 2;
	while (bit) {
		if (x >= r + bit) {
			x -= r + bit;
			r = (r >> 1) + bit;
		} else {
			r >>= 1;
		}
		bit >>= 2;
	}
	return r;
}

/*
 * Watermarks, as Linux computes them (__setup_per_zone_wmarks):
 *   min_free_kbytes = sqrt(16 * KiB of managed memory), clamped to
 *   [128 KiB, 64 MiB] (512 MiB -> 2.8 MiB, 6 GiB -> 9.8 MiB), shared among
 *   the zones in proportion to their managed pages: that is each zone's min;
 *   low = min + step, high = min + 2 * step, step = max(min / 4, managed / 1000)
 *   (watermark_scale_factor 10 = 0.1% of the zone).
 * lowmem_reserve[j] of zone i < j = managed pages of zones i+1..j / ratio[i],
 * ratio = 256 for DMA and DMA32 (Linux's lowmem_reserve_ratio defaults), so a
 * 4 GiB NORMAL zone keeps 16 MiB of DMA32 and all of DMA out of its reach.
 */
static const unsigned lowmem_reserve_ratio[MAX_NR_ZONES] = { 256, 256, 32 };

static void setup_zone_limits(void)
{
	unsigned long total = 0;

	for (unsigned z = 0; z < MAX_NR_ZONES; z++)
		total += page_zones[z].managed_pages;
	unsigned long min_kb = int_sqrt(total * (PAGE_SIZE / 1024) * 16);
	min_kb = MAX(min_kb, 128UL);
	min_kb = MIN(min_kb, 65536UL);
	unsigned long min_pages = min_kb / (PAGE_SIZE / 1024);

	for (unsigned z = 0; z < MAX_NR_ZONES; z++) {
		struct zone *zone = &page_zones[z];
		unsigned long managed = zone->managed_pages;
		unsigned long min = total ? (uint64_t)min_pages * managed / total : 0;
		unsigned long step = MAX(min / 4, managed / 1000);

		zone->watermark[WMARK_MIN] = min;
		zone->watermark[WMARK_LOW] = min + step;
		zone->watermark[WMARK_HIGH] = min + 2 * step;

		unsigned long above = 0;
		for (unsigned j = 0; j < MAX_NR_ZONES; j++) {
			if (j > z)
				above += page_zones[j].managed_pages;
			zone->lowmem_reserve[j] = j > z ? above / lowmem_reserve_ratio[z] : 0;
		}

		/*
		 * pcp batch as Linux's zone_batchsize: about a quarter of a
		 * thousandth of the zone, at most 1 MiB / 4, rounded to 2^n - 1
		 * (Linux: odd sizes spread consecutive batches over cache colours);
		 * 1 for tiny zones. high = 6 * batch (Linux before 5.14): a CPU
		 * strands at most that many pages per zone, and a free drains one
		 * batch when it is reached, so refills and drains alternate at
		 * most once per batch pages.
		 */
		unsigned long batch = MIN(managed >> 10, (1UL << 20) / PAGE_SIZE) / 4;
		if (batch < 1)
			batch = 1;
		batch = (1UL << ilog2_u64(batch + batch / 2)) - 1;
		if (batch < 1)
			batch = 1;
		for (unsigned cpu = 0; cpu < NR_CPUS; cpu++) {
			zone->pcp[cpu].batch = (int)batch;
			zone->pcp[cpu].high = (int)(6 * batch);
		}
	}

	for (unsigned g = 0; g < 4; g++) {
		int z = gfp_highest_zone[g];
		while (z > 0 && !populated_zone(&page_zones[z]))
			z--;
		preferred_zone_of[g] =
			populated_zone(&page_zones[z]) ? (uint8_t)z : gfp_highest_zone[g];
	}
}

/* Give the RAM pages [spfn, epfn) of one zone to the buddy lists in the largest aligned blocks. */
static void free_range_to_buddy(struct zone *zone, unsigned long spfn, unsigned long epfn)
{
	unsigned long flags;

	for (unsigned long pfn = spfn; pfn < epfn; pfn++)
		mem_map[pfn].flags = (uint32_t)zone->idx << PG_ZONE_SHIFT;
	zone->managed_pages += epfn - spfn;

	spin_lock_irqsave(&zone->lock, flags);
	while (spfn < epfn) {
		unsigned order =
			spfn ? MIN((unsigned)__builtin_ctzl(spfn), MAX_PAGE_ORDER) : MAX_PAGE_ORDER;
		while (spfn + (1UL << order) > epfn)
			order--;
		__free_one_page(zone, spfn, order);
		spfn += 1UL << order;
	}
	spin_unlock_irqrestore(&zone->lock, flags);
}

/* Reserved RAM pages per owner, for the boot log. */
struct owner_count {
	const char *owner;
	unsigned long pages;
};
#define MAX_OWNERS 12

static void count_owner(struct owner_count *oc, unsigned *n, const char *owner, unsigned long pages)
{
	unsigned i;

	if (!owner)
		owner = "(unnamed)";
	for (i = 0; i < *n; i++)
		if (oc[i].owner == owner || strcmp(oc[i].owner, owner) == 0)
			break;
	if (i == *n) {
		if (*n == MAX_OWNERS) {
			i = MAX_OWNERS - 1;
			oc[i].owner = "(others)";
		} else {
			oc[i].owner = owner;
			oc[i].pages = 0;
			(*n)++;
		}
	}
	oc[i].pages += pages;
}

#define KIB(pages) ((pages) << (PAGE_SHIFT - 10))

/*
 * Every RAM page is either free (given to the buddy lists) or reserved; the
 * reserved ones are attributed to the memblock reservation covering them
 * (each page counted once, to the first reservation that touches it, as the
 * reservations are sorted). Print it so that nothing can go missing unseen.
 */
static void account_and_report(unsigned long memmap_pages)
{
	struct mem_accounting *a = &mem_accounting;
	struct owner_count oc[MAX_OWNERS];
	unsigned noc = 0;
	unsigned long next_pfn = 0, attributed = 0;
	char line[512];
	size_t len;

	memset(a, 0, sizeof(*a));
	for (unsigned long pfn = 0; pfn < max_pfn; pfn++) {
		uint32_t f = mem_map[pfn].flags;
		if (f & PG_hole)
			a->holes++;
		else if (f & PG_reserved)
			a->reserved++;
	}
	a->ram = max_pfn - a->holes;
	for (unsigned z = 0; z < MAX_NR_ZONES; z++)
		a->free_at_init += page_zones[z].managed_pages;

	for (unsigned i = 0; i < memblock.reserved.cnt; i++) {
		const struct memblock_region *r = &memblock.reserved.regions[i];
		unsigned long s = MAX(PFN_DOWN(r->base), next_pfn);
		unsigned long e = MIN(PFN_UP(r->base + r->size), max_pfn);
		unsigned long pages = 0;

		for (unsigned long pfn = s; pfn < e; pfn++)
			if ((mem_map[pfn].flags & (PG_reserved | PG_hole)) == PG_reserved)
				pages++;
		if (e > next_pfn)
			next_pfn = e;
		if (!pages)
			continue;
		attributed += pages;
		if (r->owner && strcmp(r->owner, "kernel") == 0)
			a->kernel += pages;
		else if (r->owner && strcmp(r->owner, "mem_map") == 0)
			a->memmap += pages;
		else
			count_owner(oc, &noc, r->owner, pages);
	}
	a->other = a->reserved - a->kernel - a->memmap;

	mod_vm_stat(NR_KERNEL_IMAGE, (long)a->kernel);
	mod_vm_stat(NR_MEMMAP, (long)memmap_pages);
	mod_vm_stat(NR_EARLY_ALLOC, (long)a->other);

	uint64_t ram_bytes = memblock_phys_mem_size();
	uint64_t mm_bytes = (uint64_t)nr_memmap * sizeof(struct page);
	uint64_t hundredths = ram_bytes ? mm_bytes * 10000 / ram_bytes : 0;
	pr_info("page_alloc: struct page: %u bytes, mem_map %llu KiB for %lu page frames = "
		"%llu.%02llu%% of RAM\n",
		(unsigned)sizeof(struct page), (unsigned long long)(mm_bytes >> 10), nr_memmap,
		(unsigned long long)(hundredths / 100), (unsigned long long)(hundredths % 100));

	len = (size_t)ksnprintf(line, sizeof(line),
				"page_alloc: RAM %lu KiB = free %lu KiB + reserved %lu KiB "
				"(kernel image %lu, mem_map %lu, other %lu KiB",
				KIB(a->ram), KIB(a->free_at_init), KIB(a->reserved), KIB(a->kernel),
				KIB(a->memmap), KIB(a->other));
	for (unsigned i = 0; i < noc && len < sizeof(line); i++)
		len += (size_t)ksnprintf(line + len, sizeof(line) - len, "%s%s %lu",
					 i ? ", " : ": ", oc[i].owner, KIB(oc[i].pages));
	if (a->reserved > attributed && len < sizeof(line))
		len += (size_t)ksnprintf(line + len, sizeof(line) - len,
					 "%spartial pages at range edges %lu", noc ? ", " : ": ",
					 KIB(a->reserved - attributed));
	if (len < sizeof(line))
		ksnprintf(line + len, sizeof(line) - len, "); holes %lu KiB below max_pfn\n",
			  KIB(a->holes));
	printk(KERN_INFO "%s", line);
	if (a->ram != a->free_at_init + a->reserved || a->ram << PAGE_SHIFT != ram_bytes)
		pr_err("page_alloc: ACCOUNTING MISMATCH: RAM %lu pages (memblock says %llu bytes), "
		       "free %lu + reserved %lu\n",
		       a->ram, (unsigned long long)ram_bytes, a->free_at_init, a->reserved);

	for (unsigned z = 0; z < MAX_NR_ZONES; z++) {
		const struct zone *zone = &page_zones[z];
		if (!populated_zone(zone)) {
			pr_info("page_alloc: zone %-6s empty\n", zone->name);
			continue;
		}
		pr_info("page_alloc: zone %-6s pfn %#lx-%#lx: spanned %lu present %lu managed %lu, "
			"watermarks %lu/%lu/%lu, pcp batch %d high %d\n",
			zone->name, zone->zone_start_pfn, zone_end_pfn(zone), zone->spanned_pages,
			zone->present_pages, zone->managed_pages, zone->watermark[WMARK_MIN],
			zone->watermark[WMARK_LOW], zone->watermark[WMARK_HIGH], zone->pcp[0].batch,
			zone->pcp[0].high);
	}
}

void page_alloc_init(void)
{
	uint64_t end = memblock_end_of_DRAM();
	uint64_t cursor = 0, s, e;

	if (allocator_ready) {
		pr_err("page_alloc_init: called twice; ignored\n");
		return;
	}
	if (!end) {
		pr_err("page_alloc_init: memblock has no RAM; no page allocator\n");
		return;
	}
	for (unsigned z = 0; z < MAX_NR_ZONES; z++)
		zone_struct_init(&page_zones[z], z);

	/* 1. The descriptors: one per pfn, all reserved holes until proven otherwise. */
	max_pfn = PFN_DOWN(end);
	nr_memmap = ALIGN_UP(max_pfn, 1UL << MAX_PAGE_ORDER);
	uint64_t memmap_bytes = ALIGN_UP((uint64_t)nr_memmap * sizeof(struct page), PAGE_SIZE);
	mem_map = memblock_alloc(memmap_bytes, PAGE_SIZE, "mem_map");
	if (!mem_map)
		panic("page_alloc_init: no memory for mem_map (%llu KiB for %lu page frames)",
		      (unsigned long long)(memmap_bytes >> 10), nr_memmap);
	for (unsigned long pfn = 0; pfn < nr_memmap; pfn++)
		mem_map[pfn].flags = PG_reserved | PG_hole | (pfn_zone_idx(pfn) << PG_ZONE_SHIFT);

	/* 2. RAM: not a hole; the zones' extents and present pages. */
	for (unsigned i = 0; i < memblock.memory.cnt; i++) {
		const struct memblock_region *r = &memblock.memory.regions[i];
		unsigned long spfn = PFN_UP(r->base);
		unsigned long epfn = MIN(PFN_DOWN(r->base + r->size), max_pfn);

		for (unsigned long pfn = spfn; pfn < epfn; pfn++) {
			struct zone *zone = &page_zones[pfn_zone_idx(pfn)];
			mem_map[pfn].flags &= ~PG_hole;
			if (!zone->present_pages)
				zone->zone_start_pfn = pfn;
			zone->present_pages++;
			zone->spanned_pages = pfn + 1 - zone->zone_start_pfn;
		}
	}
	/* mem_map itself is an early allocation (it stays reserved). */
	for (unsigned long pfn = PFN_DOWN(__pa(mem_map));
	     pfn < PFN_DOWN(__pa(mem_map)) + (memmap_bytes >> PAGE_SHIFT); pfn++)
		mem_map[pfn].flags |= PG_memblock;

	/* 3. Every free page, exactly once, in the largest aligned blocks. */
	while (memblock_next_free_range(&cursor, &s, &e)) {
		unsigned long spfn = PFN_UP(s), epfn = MIN(PFN_DOWN(e), max_pfn);

		while (spfn < epfn) {
			unsigned z = pfn_zone_idx(spfn);
			unsigned long zend = z == ZONE_DMA     ? ZONE_DMA_END_PFN
					     : z == ZONE_DMA32 ? ZONE_DMA32_END_PFN
							       : epfn;
			unsigned long stop = MIN(epfn, zend);
			free_range_to_buddy(&page_zones[z], spfn, stop);
			spfn = stop;
		}
	}
	memblock.frozen = true;

	setup_zone_limits();
	allocator_ready = true;
	account_and_report(memmap_bytes >> PAGE_SHIFT);

	show_buddyinfo();
	show_zoneinfo();
	show_meminfo();
}

/* ---------------------------------------------------------------------------
 * Test hooks (page_alloc_test.h)
 */

void page_alloc_reset_for_test(void)
{
	allocator_ready = false;
	mem_map = NULL;
	max_pfn = 0;
	nr_memmap = 0;
	alloc_warnings = 0;
	for (unsigned z = 0; z < MAX_NR_ZONES; z++)
		zone_struct_init(&page_zones[z], z);
	for (unsigned g = 0; g < 4; g++)
		preferred_zone_of[g] = gfp_highest_zone[g];
	memset(&mem_accounting, 0, sizeof(mem_accounting));
	for (unsigned i = 0; i < NR_VM_STAT_ITEMS; i++)
		vm_stat[i] = 0;
}

void buddy_snapshot(struct buddy_snapshot *s, unsigned long lo, unsigned long hi)
{
	uint64_t h = 0xcbf29ce484222325ull, hl = h;

	memset(s, 0, sizeof(*s));
	for (unsigned z = 0; z < MAX_NR_ZONES; z++) {
		const struct zone *zone = &page_zones[z];
		for (unsigned o = 0; o <= MAX_PAGE_ORDER; o++)
			s->nr_free_blocks[z][o] = zone->free_area[o].nr_free;
		s->zone_free[z] = zone->nr_free;
		for (unsigned cpu = 0; cpu < NR_CPUS; cpu++) {
			s->pcp_count[z][cpu] = (unsigned long)zone->pcp[cpu].count;
			for (unsigned o = 0; o <= PCP_MAX_ORDER; o++) {
				const struct page *p;
				unsigned long n = 0;
				page_list_for_each(p, &zone->pcp[cpu].lists[o])
				{
					if (++n > max_pfn)
						break;
				}
				s->pcp_blocks[z][cpu][o] = n;
			}
		}
	}
	if (!hi || hi > max_pfn)
		hi = max_pfn;
	for (unsigned long pfn = lo; pfn < hi; pfn++) {
		const struct page *p = &mem_map[pfn];
		h = (h ^ (p->flags | ((uint64_t)(uint32_t)p->_refcount << 32))) * 0x100000001b3ull;
		hl = (hl ^ (p->lru.next | ((uint64_t)p->lru.prev << 32))) * 0x100000001b3ull;
	}
	s->memmap_sum = h;
	s->links_sum = hl;
}

bool buddy_snapshot_equal(const struct buddy_snapshot *a, const struct buddy_snapshot *b,
			  bool links, const char *prefix)
{
	unsigned diffs = 0;

	for (unsigned z = 0; z < MAX_NR_ZONES; z++) {
		for (unsigned o = 0; o <= MAX_PAGE_ORDER; o++)
			if (a->nr_free_blocks[z][o] != b->nr_free_blocks[z][o] && diffs++ < 8)
				pr_err("%s: zone %s order %u: %lu free blocks before, %lu after\n",
				       prefix, zone_names[z], o, a->nr_free_blocks[z][o],
				       b->nr_free_blocks[z][o]);
		if (a->zone_free[z] != b->zone_free[z] && diffs++ < 8)
			pr_err("%s: zone %s: nr_free %lu before, %lu after\n", prefix,
			       zone_names[z], a->zone_free[z], b->zone_free[z]);
		for (unsigned cpu = 0; cpu < NR_CPUS; cpu++) {
			if (a->pcp_count[z][cpu] != b->pcp_count[z][cpu] && diffs++ < 8)
				pr_err("%s: zone %s cpu %u: pcp count %lu before, %lu after\n",
				       prefix, zone_names[z], cpu, a->pcp_count[z][cpu],
				       b->pcp_count[z][cpu]);
			for (unsigned o = 0; o <= PCP_MAX_ORDER; o++)
				if (a->pcp_blocks[z][cpu][o] != b->pcp_blocks[z][cpu][o] &&
				    diffs++ < 8)
					pr_err("%s: zone %s cpu %u order %u: pcp blocks %lu "
					       "before, "
					       "%lu after\n",
					       prefix, zone_names[z], cpu, o,
					       a->pcp_blocks[z][cpu][o], b->pcp_blocks[z][cpu][o]);
		}
	}
	if (a->memmap_sum != b->memmap_sum && diffs++ < 8)
		pr_err("%s: mem_map checksum changed (%#llx -> %#llx)\n", prefix,
		       (unsigned long long)a->memmap_sum, (unsigned long long)b->memmap_sum);
	if (links && a->links_sum != b->links_sum && diffs++ < 8)
		pr_err("%s: list links changed (%#llx -> %#llx)\n", prefix,
		       (unsigned long long)a->links_sum, (unsigned long long)b->links_sum);
	return diffs == 0;
}

/* ---------------------------------------------------------------------------
 * The invariant checker
 */

#define CHECK_PRINT_LIMIT 20

struct check_state {
	unsigned problems;
};

static void check_fail(struct check_state *cs, const char *fmt, ...) __printf(2, 3);
static void check_fail(struct check_state *cs, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	if (cs->problems++ >= CHECK_PRINT_LIMIT)
		return;
	va_start(ap, fmt);
	kvsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	pr_err("buddy_check: %s\n", msg);
}

/*
 * Walk one list of blocks that should all have flags `want` and `order`, in
 * zone [lo, hi). Returns the number of blocks (stops at `limit`: a cycle).
 */
static unsigned long check_list(struct check_state *cs, const struct zone *zone,
				const struct page_list *l, uint32_t want, unsigned order,
				unsigned long limit, const char *what, bool free_list)
{
	unsigned long n = 0;
	uint32_t prev = PFN_NIL, pfn = l->first;
	unsigned long lo = zone->zone_start_pfn, hi = zone_end_pfn(zone);

	while (pfn != PFN_NIL) {
		if (pfn >= nr_memmap) {
			check_fail(cs, "zone %s %s order %u: link to pfn %#x beyond mem_map",
				   zone->name, what, order, pfn);
			return n;
		}
		const struct page *p = &mem_map[pfn];
		if (++n > limit) {
			check_fail(cs, "zone %s %s order %u: more than %lu blocks (a cycle?)",
				   zone->name, what, order, limit);
			return n;
		}
		if (p->lru.prev != prev)
			check_fail(cs, "zone %s %s order %u: pfn %#x: prev link %#x, expected %#x",
				   zone->name, what, order, pfn, p->lru.prev, prev);
		if (pfn < lo || pfn + (1UL << order) > hi)
			check_fail(cs, "zone %s %s order %u: block at pfn %#x outside the zone",
				   zone->name, what, order, pfn);
		if (pfn & ((1u << order) - 1))
			check_fail(cs, "zone %s %s order %u: block at pfn %#x not aligned",
				   zone->name, what, order, pfn);
		if (p->flags != want || p->_refcount != 0) {
			char st[160];
			describe_page(p, st, sizeof(st));
			check_fail(cs, "zone %s %s order %u: pfn %#x: descriptor says %s",
				   zone->name, what, order, pfn, st);
		}
		if (free_list && order < MAX_PAGE_ORDER) {
			uint32_t buddy = pfn ^ (1u << order);
			if (buddy < nr_memmap && mem_map[buddy].flags == want)
				check_fail(cs,
					   "zone %s order %u: free buddies %#x and %#x not merged",
					   zone->name, order, pfn, buddy);
		}
		prev = pfn;
		pfn = p->lru.next;
	}
	if (l->last != prev)
		check_fail(cs, "zone %s %s order %u: list tail %#x, last block %#x", zone->name,
			   what, order, l->last, prev);
	return n;
}

static void check_zone(struct check_state *cs, struct zone *zone, bool full)
{
	unsigned long pages = 0, heads[NR_PAGE_ORDERS] = { 0 }, pcp_heads = 0, pcp_blocks = 0;
	unsigned long limit = zone->spanned_pages + 1;

	for (unsigned o = 0; o <= MAX_PAGE_ORDER; o++) {
		const struct free_area *area = &zone->free_area[o];
		unsigned long n = check_list(cs, zone, &area->free_list, buddy_flags(zone->idx, o),
					     o, limit, "free list", true);
		if (n != area->nr_free)
			check_fail(cs, "zone %s order %u: %lu blocks on the list, nr_free says %lu",
				   zone->name, o, n, area->nr_free);
		pages += area->nr_free << o;
	}
	if (pages != zone->nr_free)
		check_fail(cs, "zone %s: free lists hold %lu pages, nr_free says %lu", zone->name,
			   pages, zone->nr_free);

	for (unsigned cpu = 0; cpu < NR_CPUS; cpu++) {
		const struct per_cpu_pages *pcp = &zone->pcp[cpu];
		unsigned long pcp_pages = 0;
		for (unsigned o = 0; o <= PCP_MAX_ORDER; o++) {
			unsigned long n =
				check_list(cs, zone, &pcp->lists[o], pcp_flags(zone->idx, o), o,
					   limit, "pcp list", false);
			pcp_pages += n << o;
			pcp_blocks += n;
		}
		if (pcp_pages != (unsigned long)pcp->count)
			check_fail(cs, "zone %s cpu %u: pcp lists hold %lu pages, count says %d",
				   zone->name, cpu, pcp_pages, pcp->count);
	}

	/*
	 * The descriptors: every PG_buddy / PG_pcp head in the zone must be one
	 * counted above (equal counts + every listed block checked = no orphan
	 * heads, no block on two lists). Quick mode skips over free blocks;
	 * full mode also checks each page inside them.
	 */
	unsigned long pfn = zone->zone_start_pfn, end = zone_end_pfn(zone);
	uint32_t plain = (uint32_t)zone->idx << PG_ZONE_SHIFT;
	while (pfn < end) {
		const struct page *p = &mem_map[pfn];
		if (page_zonenum(p) != zone->idx)
			check_fail(cs, "zone %s: pfn %#lx has zone %u in its flags", zone->name,
				   pfn, page_zonenum(p));
		if (!(p->flags & (PG_buddy | PG_pcp))) {
			pfn++;
			continue;
		}
		unsigned o = page_order(p);
		if (o > MAX_PAGE_ORDER || (pfn & ((1UL << o) - 1)) || pfn + (1UL << o) > end) {
			check_fail(cs, "zone %s: free head at pfn %#lx has bad order %u",
				   zone->name, pfn, o);
			pfn++;
			continue;
		}
		if ((p->flags & (PG_buddy | PG_pcp)) == (PG_buddy | PG_pcp))
			check_fail(cs, "zone %s: pfn %#lx is both PG_buddy and PG_pcp", zone->name,
				   pfn);
		if (p->flags & PG_buddy)
			heads[o]++;
		else
			pcp_heads++;
		if (full) {
			for (unsigned long i = 1; i < (1UL << o); i++) {
				const struct page *q = &mem_map[pfn + i];
				if (q->flags != plain || q->_refcount != 0) {
					char st[160];
					describe_page(q, st, sizeof(st));
					check_fail(
						cs,
						"zone %s: pfn %#lx inside the free block at %#lx "
						"(order %u) is not clean: %s",
						zone->name, pfn + i, pfn, o, st);
				}
			}
		}
		pfn += 1UL << o;
	}
	for (unsigned o = 0; o <= MAX_PAGE_ORDER; o++)
		if (heads[o] != zone->free_area[o].nr_free)
			check_fail(cs,
				   "zone %s order %u: %lu PG_buddy heads in mem_map, %lu listed",
				   zone->name, o, heads[o], zone->free_area[o].nr_free);
	if (pcp_heads != pcp_blocks)
		check_fail(cs, "zone %s: %lu PG_pcp heads in mem_map, %lu on per-CPU lists",
			   zone->name, pcp_heads, pcp_blocks);
}

/*
 * Runs with each zone's lock held and interrupts off. The per-CPU lists of
 * other CPUs are read too, which is exact only while those CPUs are idle: the
 * checker runs between test cases, when the other CPUs sit in their idle loops.
 */
static unsigned do_buddy_check(bool full)
{
	struct check_state cs = { 0 };

	if (!allocator_ready)
		return 0;
	for (unsigned z = 0; z < MAX_NR_ZONES; z++) {
		struct zone *zone = &page_zones[z];
		unsigned long flags;

		spin_lock_irqsave(&zone->lock, flags);
		check_zone(&cs, zone, full);
		spin_unlock_irqrestore(&zone->lock, flags);
	}
	if (cs.problems > CHECK_PRINT_LIMIT)
		pr_err("buddy_check: %u problems in all (first %u shown)\n", cs.problems,
		       CHECK_PRINT_LIMIT);
	return cs.problems;
}

unsigned buddy_check(void)
{
	return do_buddy_check(false);
}

unsigned buddy_check_full(void)
{
	return do_buddy_check(true);
}

KTEST_CHECKER(buddy, buddy_check);
