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
#include "kernel/printk.h"
#include "kernel/smp.h"
#include "kernel/string.h"
#include "mm/mmzone.h"
#include "mm/page_alloc_internal.h"
#include "mm/provenance.h"

BUILD_BUG_ON(sizeof(struct page) != 32);
/* Zone boundaries are multiples of the largest block: no block straddles two zones. */
BUILD_BUG_ON(ZONE_DMA_END_PFN % (1UL << MAX_PAGE_ORDER) != 0);
BUILD_BUG_ON(ZONE_DMA32_END_PFN % (1UL << MAX_PAGE_ORDER) != 0);
BUILD_BUG_ON(PCP_MAX_ORDER > MAX_PAGE_ORDER);

struct page *mem_map;
unsigned long max_pfn;

unsigned long nr_memmap;
bool allocator_ready;

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

const uint8_t gfp_highest_zone[4] = { ZONE_NORMAL, ZONE_DMA, ZONE_DMA32, ZONE_DMA };
uint8_t preferred_zone_of[4] = { ZONE_NORMAL, ZONE_DMA, ZONE_DMA32, ZONE_DMA };

/* Allocation failure warnings: the first ALLOC_WARN_LIMIT are printed. */
#define ALLOC_WARN_LIMIT 10
unsigned alloc_warnings;

bool page_alloc_ready(void)
{
	return allocator_ready;
}

/* ---------------------------------------------------------------------------
 * The buddy lists (zone->lock held)
 */

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
void __free_one_page(struct zone *zone, unsigned long pfn, unsigned order)
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

/*
 * Take the hottest block off a per-CPU list / put one on: an unlink or link at
 * the head, no search. `map` is mem_map, passed in so the compiler keeps it in
 * a register (the kernel is built with -fno-strict-aliasing: every store
 * through a page would otherwise force mem_map to be loaded again).
 */
static __always_inline struct page *pcp_pop(struct page *map, struct per_cpu_pages *pcp,
					    unsigned order)
{
	struct page_list *l = &pcp->lists[order];
	uint32_t pfn = l->first;

	if (pfn == PFN_NIL)
		return NULL;
	struct page *page = map + pfn;
	uint32_t next = page->lru.next;
	l->first = next;
	if (next != PFN_NIL)
		map[next].lru.prev = PFN_NIL;
	else
		l->last = PFN_NIL;
	page->lru.next = PFN_NIL;
	pcp->count -= 1 << order;
	return page;
}

static __always_inline void pcp_push(struct page *map, struct per_cpu_pages *pcp, unsigned order,
				     struct page *page, uint32_t pfn)
{
	struct page_list *l = &pcp->lists[order];
	uint32_t first = l->first;

	page->lru.prev = PFN_NIL;
	page->lru.next = first;
	if (first != PFN_NIL)
		map[first].lru.prev = pfn;
	else
		l->last = pfn;
	l->first = pfn;
	pcp->count += 1 << order;
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
			page = pcp_pop(mem_map, pcp, order);
		if (page) {
			pcp->nr_hit++;
			info->path = PA_PCP_HIT;
			info->split_from = order;
		} else {
			spin_lock(&zone->lock);
			rmqueue_bulk(zone, pcp, order, highest, gfp, info);
			spin_unlock(&zone->lock);
			page = pcp_pop(mem_map, pcp, order);
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
		struct page *map = mem_map;
		struct per_cpu_pages *pcp;
		struct page *page;
		unsigned long flags;

		local_irq_save(flags);
		pcp = &page_zones[z].pcp[smp_processor_id()];
		page = pcp_pop(map, pcp, order);
		if (likely(page)) {
			pcp->nr_hit++;
			pcp->nr_alloc[order]++;
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

/*
 * The allocation trace (mm/provenance.h) is on: the same allocation, with
 * its path recorded. Out of line, so the exported functions pay one branch.
 */
static __noinline struct page *alloc_pages_traced(gfp_t gfp, unsigned order,
						  struct page_alloc_info *info, uintptr_t caller)
{
	struct page_alloc_info scratch;

	if (!info)
		info = &scratch;
	struct page *page = alloc_pages_common(gfp, order, info, caller);
	mm_trace_page_alloc(gfp, order, page, info, caller);
	return page;
}

struct page *alloc_pages(gfp_t gfp, unsigned order)
{
	if (unlikely(mm_trace_enabled))
		return alloc_pages_traced(gfp, order, NULL, _RET_IP_);
	return alloc_pages_common(gfp, order, NULL, _RET_IP_);
}

struct page *alloc_pages_info(gfp_t gfp, unsigned order, struct page_alloc_info *info)
{
	if (unlikely(mm_trace_enabled))
		return alloc_pages_traced(gfp, order, info, _RET_IP_);
	return alloc_pages_common(gfp, order, info, _RET_IP_);
}

uintptr_t __get_free_pages(gfp_t gfp, unsigned order)
{
	struct page *page = unlikely(mm_trace_enabled)
				    ? alloc_pages_traced(gfp, order, NULL, _RET_IP_)
				    : alloc_pages_common(gfp, order, NULL, _RET_IP_);
	return page ? (uintptr_t)page_address(page) : 0;
}

uintptr_t get_zeroed_page(gfp_t gfp)
{
	struct page *page = unlikely(mm_trace_enabled)
				    ? alloc_pages_traced(gfp | __GFP_ZERO, 0, NULL, _RET_IP_)
				    : alloc_pages_common(gfp | __GFP_ZERO, 0, NULL, _RET_IP_);
	return page ? (uintptr_t)page_address(page) : 0;
}

/* ---------------------------------------------------------------------------
 * Freeing, and the checks that catch bad frees
 */

static const char *const page_flag_names[] = {
	"reserved", "hole",    "buddy",		"pcp",	    "slab",  "head",
	"tail",	    "pgtable", "large_kmalloc", "memblock", "guard",
};

void describe_page(const struct page *page, char *buf, size_t size)
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
	if (off >= max_pfn * sizeof(struct page)) {
		pr_err("page_alloc: BAD FREE of %p order %u from %pS: not a struct page of "
		       "mem_map: "
		       "pfn out of range (max_pfn %#lx)\n",
		       (const void *)page, order, (void *)caller, max_pfn);
		return -EINVAL;
	}
	if (off % sizeof(struct page)) {
		pr_err("page_alloc: BAD FREE of %p order %u from %pS: not a struct page of "
		       "mem_map: "
		       "points into the middle of the descriptor of pfn %#lx\n",
		       (const void *)page, order, (void *)caller,
		       (unsigned long)(off / sizeof(struct page)));
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
static __noinline void free_one_page(struct zone *zone, unsigned long pfn, unsigned order)
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
/* A per-CPU list reached high: give a batch back, under the zone lock (interrupts are off). */
static __noinline void pcp_drain_batch(struct zone *zone, struct per_cpu_pages *pcp)
{
	spin_lock(&zone->lock);
	free_pcppages_bulk(zone, pcp, pcp->batch);
	spin_unlock(&zone->lock);
	pcp->nr_drain++;
}

static __always_inline int free_pages_common(struct page *page, unsigned order, uintptr_t caller)
{
	struct page *map = mem_map;
	uintptr_t off = (uintptr_t)page - (uintptr_t)map;
	uint32_t expect = order ? PG_head | ((uint32_t)order << PG_ORDER_SHIFT) : 0;

	if (unlikely(off >= max_pfn * sizeof(struct page) || off % sizeof(struct page) ||
		     order > MAX_PAGE_ORDER))
		return report_bad_free(page, order, caller);
	unsigned long pfn = off / sizeof(struct page);
	uint32_t flags = page->flags;
	if (unlikely((pfn & ((1UL << order) - 1)) || (flags & ~PG_ZONE_MASK) != expect ||
		     page->_refcount <= 0))
		return report_bad_free(page, order, caller);

	if (unlikely(order && (page[1].flags & PG_tail)))
		clear_compound_tails(page, order);
	page->_refcount = 0;

	uint32_t zone_bits = flags & PG_ZONE_MASK;
	struct zone *zone = &page_zones[zone_bits >> PG_ZONE_SHIFT];
	if (likely(order <= PCP_MAX_ORDER)) {
		unsigned long irqflags;

		local_irq_save(irqflags);
		struct per_cpu_pages *pcp = &zone->pcp[smp_processor_id()];
		page->flags = zone_bits | PG_pcp | ((uint32_t)order << PG_ORDER_SHIFT);
		pcp_push(map, pcp, order, page, (uint32_t)pfn);
		if (unlikely(pcp->count >= pcp->high))
			pcp_drain_batch(zone, pcp);
		local_irq_restore(irqflags);
	} else {
		page->flags = zone_bits;
		free_one_page(zone, pfn, order);
	}
	return 0;
}

/* The trace is on: the same free, then a record of where the block went. */
static __noinline int free_pages_traced(struct page *page, unsigned order, uintptr_t caller)
{
	int err = free_pages_common(page, order, caller);
	if (!err)
		mm_trace_page_free(page_to_pfn(page), order, caller);
	return err;
}

int free_pages_checked(struct page *page, unsigned order, uintptr_t caller)
{
	if (unlikely(mm_trace_enabled))
		return free_pages_traced(page, order, caller);
	return free_pages_common(page, order, caller);
}

void __free_pages(struct page *page, unsigned order)
{
	if (unlikely(mm_trace_enabled)) {
		free_pages_traced(page, order, _RET_IP_);
		return;
	}
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
	if (unlikely(mm_trace_enabled)) {
		free_pages_traced(virt_to_page((void *)addr), order, _RET_IP_);
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
