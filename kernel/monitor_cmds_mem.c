/*
 * monitor_cmds_mem.c - the monitor's physical-memory commands: the dumps
 * (meminfo, buddyinfo, zoneinfo, slabinfo, sizeclasses, stats, memmap,
 * memdump), the buddy allocator by hand (alloc, free, drain), kmalloc by
 * hand (kmalloc, kfree), the page descriptor (page), what the monitor holds
 * (held) and the allocation trace (trace).
 *
 * alloc and kmalloc go through alloc_pages_info and kmalloc_info, the same
 * code as alloc_pages and kmalloc, and print what those recorded: which
 * level served the request, which free block was split. free shows the
 * merges by looking at the free block the pages ended up in. The slab
 * internals are read (never written) for the per-CPU counters and to name a
 * page's cache.
 */
#include "kernel/arch.h"
#include "kernel/monitor_internal.h"
#include "kernel/smp.h"
#include "kernel/string.h"
#include "mm/gfp.h"
#include "mm/memblock.h"
#include "mm/mmzone.h"
#include "mm/page_census.h"
#include "mm/provenance.h"
#include "mm/slab.h"
#include "mm/slab_internal.h"
#include "mm/vmstat.h"

/* "4 KiB", "2 MiB", "1.5 GiB"-style sizes of blocks (always whole KiB here). */
static const char *kib_str(char *buf, size_t size, unsigned long kib)
{
	if (kib >= 1024 && kib % 1024 == 0)
		ksnprintf(buf, size, "%lu MiB", kib / 1024);
	else
		ksnprintf(buf, size, "%lu KiB", kib);
	return buf;
}

static unsigned long block_kib(unsigned order)
{
	return (PAGE_SIZE << order) >> 10;
}

/* ---------------------------------------------------------------------------
 * What a page is
 */

static const char *slab_name_of(const struct page *head)
{
	const struct kmem_cache *c = head->slab_cache;
	return c ? c->name : "?";
}

void mon_describe_pfn(unsigned long pfn, char *buf, size_t size)
{
	struct page_block b;
	const char *zone;

	page_census_block(pfn, &b);
	zone = zone_names[b.zone % MAX_NR_ZONES];
	switch (b.use) {
	case PU_FREE:
		ksnprintf(buf, size,
			  "free, in the order-%u block at pfn %#lx on the %s buddy lists", b.order,
			  b.pfn, zone);
		break;
	case PU_PCP:
		ksnprintf(buf, size,
			  "free, in the order-%u block at pfn %#lx on a per-CPU list (%s)", b.order,
			  b.pfn, zone);
		break;
	case PU_SLAB:
		ksnprintf(buf, size, "a page of a slab of cache %s (slab at pfn %#lx, %lu pages)",
			  slab_name_of(pfn_to_page(b.pfn)), b.pfn, b.pages);
		break;
	case PU_KMALLOC_LARGE:
		ksnprintf(buf, size, "in a kmalloc-large block (pfn %#lx, %lu pages)", b.pfn,
			  b.pages);
		break;
	case PU_PGTABLE:
		ksnprintf(buf, size, "a page-table page (level %lu, %lu entries present)",
			  (unsigned long)pfn_to_page(pfn)->private[1],
			  (unsigned long)pfn_to_page(pfn) -> private[0]);
		break;
	case PU_ALLOCATED:
		ksnprintf(buf, size, "allocated (the block at pfn %#lx, %lu page%s)%s", b.pfn,
			  b.pages, b.pages == 1 ? "" : "s",
			  mon_find_pages(b.pfn) ? ", held by the monitor" : ", by the kernel");
		break;
	case PU_KERNEL:
		ksnprintf(buf, size, "the kernel image, reserved at boot");
		break;
	case PU_MEMMAP:
		ksnprintf(buf, size, "mem_map, the struct page array, reserved at boot");
		break;
	case PU_RESERVED:
		ksnprintf(buf, size, "reserved at boot: firmware, first MiB or boot data");
		break;
	case PU_HOLE:
		ksnprintf(buf, size, "no RAM (a hole)");
		break;
	default:
		ksnprintf(buf, size, "in no consistent state (changing right now?)");
		break;
	}
}

/* ---------------------------------------------------------------------------
 * Dumps
 */

static int cmd_meminfo(int argc, char **argv)
{
	(void)argc, (void)argv;
	show_meminfo();
	return 0;
}

static int cmd_buddyinfo(int argc, char **argv)
{
	(void)argc, (void)argv;
	show_buddyinfo();
	mon_printf("(free blocks per order 0..%u, zone by zone; per-CPU lists not included)\n",
		   MAX_PAGE_ORDER);
	return 0;
}

static int cmd_zoneinfo(int argc, char **argv)
{
	(void)argc, (void)argv;
	show_zoneinfo();
	return 0;
}

static int cmd_slabinfo(int argc, char **argv)
{
	(void)argc, (void)argv;
	show_slabinfo();
	return 0;
}

static int cmd_sizeclasses(int argc, char **argv)
{
	(void)argc, (void)argv;
	show_sizeclasses();
	return 0;
}

static int cmd_memmap(int argc, char **argv)
{
	(void)argc, (void)argv;
	show_memmap();
	return 0;
}

static int cmd_memdump(int argc, char **argv)
{
	memdump(argc > 1 ? argv[1] : "monitor");
	return 0;
}

/*
 * `stats`: the counters of every level, per CPU. Page allocator: per zone
 * and CPU, allocations served from the per-CPU list (hits) and refills of
 * it, drains, and allocations per order; per zone, fallbacks, watermarks
 * crossed, failures. Slab: per cache and CPU, array hits, refills by the
 * deepest level reached, flushes and free hits; allocations served by the
 * array = hits + refills (each refill serves the allocation that ran it).
 */
static int cmd_stats(int argc, char **argv)
{
	unsigned long flags;
	struct kmem_cache *c;
	bool all = argc > 1 && strcmp(argv[1], "all") == 0;

	if (argc > 1 && !all)
		return mon_err("'%s': the only option is `all` (also caches never used)", argv[1]);
	mon_printf("== stats: page allocator (per zone, per CPU) ==\n");
	mon_printf("zone    cpu      allocs     pcp-hit  pcp-refill   pcp-drain   allocs by order "
		   "0..%u\n",
		   MAX_PAGE_ORDER);
	for (unsigned z = 0; z < MAX_NR_ZONES; z++) {
		const struct zone *zone = &page_zones[z];
		if (!populated_zone(zone))
			continue;
		for (unsigned cpu = 0; cpu < nr_cpu_ids; cpu++) {
			const struct per_cpu_pages *pcp = &zone->pcp[cpu];
			char orders[160];
			unsigned long total = 0;
			int len = 0;
			for (unsigned o = 0; o <= MAX_PAGE_ORDER; o++) {
				unsigned long n = READ_ONCE(pcp->nr_alloc[o]);
				total += n;
				len += ksnprintf(orders + len, sizeof(orders) - (size_t)len, " %lu",
						 n);
			}
			mon_printf("%-7s %3u  %10lu  %10lu  %10lu  %10lu  %s\n", zone_names[z], cpu,
				   total, READ_ONCE(pcp->nr_hit), READ_ONCE(pcp->nr_refill),
				   READ_ONCE(pcp->nr_drain), orders);
		}
		mon_printf("%-7s all: fallbacks in %lu, failures %lu, bad frees %lu, fell below "
			   "min %lu / low %lu / high %lu times\n",
			   zone_names[z], READ_ONCE(zone->nr_fallback), READ_ONCE(zone->nr_fail),
			   READ_ONCE(zone->nr_bad_free), READ_ONCE(zone->wmark_crossed[WMARK_MIN]),
			   READ_ONCE(zone->wmark_crossed[WMARK_LOW]),
			   READ_ONCE(zone->wmark_crossed[WMARK_HIGH]));
	}
	mon_printf("(allocs = pcp-hit + allocations the slow path served: pcp refills and blocks "
		   "above order %u)\n",
		   PCP_MAX_ORDER);

	mon_printf("== stats: slab caches (per cache, per CPU%s) ==\n",
		   all ? "" : "; caches this CPU set never used are left out");
	mon_printf("cache              cpu  array-hit    refills  (depot partial  empty    new)   "
		   "flushes (depot)  free-hit  grown/reaped\n");
	spin_lock_irqsave(&slab_caches_lock, flags);
	list_for_each_entry(c, &slab_caches, list)
	{
		for (unsigned cpu = 0; cpu < nr_cpu_ids; cpu++) {
			const struct array_cache *ac = c->cpu_cache[cpu];
			if (ac == &slab_empty_ac)
				continue;
			if (!all && !ac_alloc_hits(ac) && !ac->refills && !ac->free_hits)
				continue;
			mon_printf("%-18s %3u %10lu %10lu  %6lu %7lu %6lu %6lu %9lu %7lu %9lu  "
				   "%lu/%lu\n",
				   c->name, cpu, ac_alloc_hits(ac), ac->refills, ac->refill_depot,
				   ac->refill_partial, ac->refill_empty, ac->refill_new,
				   ac->flushes, ac->flush_depot, ac->free_hits, c->grown,
				   c->reaped);
		}
	}
	spin_unlock_irqrestore(&slab_caches_lock, flags);
	mon_printf(
		"(served by the array = array-hit + refills; refills = depot + partial + empty + "
		"new unless one found nothing; flushes (depot) went into a magazine, the rest "
		"back to the slabs)\n");
	mon_printf("trace: %s, %lu events recorded\n", READ_ONCE(mm_trace_enabled) ? "on" : "off",
		   mm_trace_count());
	return 0;
}

/* ---------------------------------------------------------------------------
 * The buddy allocator by hand
 */

static const char *const wmark_names[NR_WMARK] = { "min", "low", "high" };

/* Show the state now of each upper half a split put back. */
static void show_split(unsigned long pfn, unsigned order, unsigned from)
{
	char sz[24], now[160];

	mon_printf("  split: the free block pfn %#lx order %u (%s) was halved %u time%s; the upper "
		   "halves went back on the free lists:\n",
		   pfn, from, kib_str(sz, sizeof(sz), block_kib(from)), from - order,
		   from - order == 1 ? "" : "s");
	for (unsigned k = from; k-- > order;) {
		unsigned long half = pfn + (1UL << k);
		mon_describe_pfn(half, now, sizeof(now));
		mon_printf("    pfn %#lx order %-2u now %s\n", half, k, now);
	}
	mon_printf("    pfn %#lx order %-2u handed out (the lowest piece)\n", pfn, order);
}

/*
 * A free block of exactly the order asked for was there. It was free and
 * unmerged because its buddy was not free: say what the buddy is.
 */
static void show_no_split(unsigned long pfn, unsigned order)
{
	char now[160];

	mon_printf("  no split: a free block of exactly order %u was on the free list\n", order);
	if (order < MAX_PAGE_ORDER) {
		unsigned long buddy = pfn ^ (1UL << order);
		mon_describe_pfn(buddy, now, sizeof(now));
		mon_printf("    (it was left over by an earlier split: its buddy pfn %#lx is %s)\n",
			   buddy, now);
	}
}

/* Which order would show a split now: the lowest with no free block below one that has. */
static void suggest_split(unsigned zone, unsigned order)
{
	const struct zone *z = &page_zones[zone];

	for (unsigned k = order + 1; k < MAX_PAGE_ORDER; k++) {
		if (READ_ONCE(z->free_area[k].nr_free))
			continue;
		for (unsigned m = k + 1; m <= MAX_PAGE_ORDER; m++) {
			if (READ_ONCE(z->free_area[m].nr_free)) {
				mon_printf(
					"  to watch a split: %s has no free block of order %u, so "
					"`alloc %u` would cut an order-%u block (`buddyinfo`)\n",
					z->name, k, k, m);
				return;
			}
		}
		return;
	}
}

static int cmd_alloc(int argc, char **argv)
{
	unsigned order;
	gfp_t gfp = GFP_KERNEL;
	const char *gfp_name = "GFP_KERNEL";
	struct page_alloc_info info;
	char sz[24];

	if (!mon_parse_order(argv[1], &order))
		return -1;
	if (argc == 3) {
		if (strcmp(argv[2], "dma") == 0) {
			gfp = GFP_DMA;
			gfp_name = "GFP_DMA";
		} else if (strcmp(argv[2], "dma32") == 0) {
			gfp = GFP_DMA32;
			gfp_name = "GFP_DMA32";
		} else if (strcmp(argv[2], "normal") != 0) {
			return mon_err("zone '%s' is not one of dma, dma32, normal", argv[2]);
		}
	}
	if (!mon_held_room())
		return mon_err("the monitor already holds %u allocations: free some first",
			       MON_MAX_HELD);

	unsigned cpu = smp_processor_id();
	struct page *page = alloc_pages_info(gfp | __GFP_NOWARN, order, &info);
	if (!page) {
		mon_printf(
			"alloc_pages(%s, %u) = NULL: no zone the flags allow has a free block of "
			"order %u above its watermark%s\n",
			gfp_name, order, order,
			info.drained ? " (even after draining every per-CPU list)" : "");
		return -1;
	}
	unsigned long pfn = page_to_pfn(page);
	mon_hold_pages(pfn, order);
	mon_printf("alloc_pages(%s, %u) = pfn %#lx (phys %#llx, %s), zone %s\n", gfp_name, order,
		   pfn, (unsigned long long)PFN_PHYS(pfn),
		   kib_str(sz, sizeof(sz), block_kib(order)), zone_names[info.zone]);
	if (info.preferred_zone != ((gfp & GFP_DMA)	? ZONE_DMA
				    : (gfp & GFP_DMA32) ? ZONE_DMA32
							: ZONE_NORMAL))
		mon_printf("  preferred zone: %s (the highest populated zone %s allows)\n",
			   zone_names[info.preferred_zone], gfp_name);
	switch (info.path) {
	case PA_PCP_HIT:
		mon_printf("  path: popped from CPU %u's per-CPU list of order %u (interrupts off, "
			   "no lock)\n",
			   cpu, order);
		mon_printf("  no split now: the block was cut when that list was last refilled "
			   "(`drain` empties the lists)\n");
		break;
	case PA_PCP_REFILL: {
		const struct per_cpu_pages *pcp = &page_zones[info.zone].pcp[cpu];
		mon_printf("  path: CPU %u's per-CPU list of order %u was empty: refilled from the "
			   "buddy lists under the zone lock (batch %d pages), first block handed "
			   "out; the list now holds %d pages\n",
			   cpu, order, pcp->batch, READ_ONCE(pcp->count));
		break;
	}
	case PA_BUDDY:
		mon_printf("  path: order %u is above the per-CPU lists' orders (0-%u): taken from "
			   "the buddy lists under the zone lock\n",
			   order, PCP_MAX_ORDER);
		break;
	default:
		break;
	}
	if (info.path != PA_PCP_HIT) {
		if (info.split_from > order)
			show_split(pfn, order, info.split_from);
		else
			show_no_split(pfn, order);
	}
	if (info.path == PA_PCP_HIT || info.split_from == order)
		suggest_split(info.zone, order);
	if (info.fallback)
		mon_printf("  fallback: %s could not serve it above its watermark and lowmem "
			   "reserve; %s did\n",
			   zone_names[info.preferred_zone], zone_names[info.zone]);
	if (info.drained)
		mon_printf("  the first attempt failed everywhere: every per-CPU list was drained "
			   "back to the buddy lists and the retry succeeded\n");
	for (unsigned w = 0; w < NR_WMARK; w++)
		if (info.wmark_crossed & (1u << w))
			mon_printf(
				"  watermark: %s's free pages fell below its %s mark (%lu pages) "
				"with this allocation\n",
				zone_names[info.zone], wmark_names[w],
				page_zones[info.zone].watermark[w]);
	mon_printf("  held by the monitor: `free %#lx %u` gives it back\n", pfn, order);
	return 0;
}

/* Explain the merges that made the free block the pages of [pfn, 2^order) are now in. */
static void show_merge(unsigned long pfn, unsigned order)
{
	struct page_block b;
	char now[160], sz[24];

	page_census_block(pfn, &b);
	if (b.use != PU_FREE) {
		mon_describe_pfn(pfn, now, sizeof(now));
		mon_printf("  now: %s\n", now);
		return;
	}
	for (unsigned k = order; k < b.order; k++) {
		unsigned long me = pfn & ~((1UL << k) - 1);
		mon_printf(
			"  merged with its buddy pfn %#lx (order %u) -> free block pfn %#lx order "
			"%u\n",
			me ^ (1UL << k), k, me & ~(1UL << k), k + 1);
	}
	if (b.order < MAX_PAGE_ORDER) {
		unsigned long buddy = b.pfn ^ (1UL << b.order);
		if (buddy < max_pfn) {
			mon_describe_pfn(buddy, now, sizeof(now));
			mon_printf("  %s at order %u: its buddy pfn %#lx is %s\n",
				   b.order == order ? "no merge" : "stopped", b.order, buddy, now);
		}
	} else {
		mon_printf("  stopped at order %u, the largest block\n", MAX_PAGE_ORDER);
	}
	mon_printf("  now: the free block pfn %#lx order %u (%s) on the %s free list of order %u\n",
		   b.pfn, b.order, kib_str(sz, sizeof(sz), block_kib(b.order)),
		   zone_names[b.zone % MAX_NR_ZONES], b.order);
}

static int cmd_free(int argc, char **argv)
{
	unsigned long pfn;
	unsigned order;
	char why[160];

	(void)argc;
	if (!mon_parse_pfn(argv[1], &pfn) || !mon_parse_order(argv[2], &order))
		return -1;
	struct mon_held *h = mon_find_pages(pfn);
	if (!h) {
		struct page_block b;
		page_census_block(pfn, &b);
		mon_describe_pfn(pfn, why, sizeof(why));
		if (b.use == PU_FREE || b.use == PU_PCP)
			return mon_err("pfn %#lx is not allocated: it is %s", pfn, why);
		return mon_err(
			"pfn %#lx was not handed out by `alloc` (it is %s); the monitor only "
			"frees what it allocated",
			pfn, why);
	}
	if (h->order != order)
		return mon_err("pfn %#lx was allocated with order %u, not %u", pfn, h->order,
			       order);

	unsigned cpu = smp_processor_id();
	unsigned zone = page_zonenum(pfn_to_page(pfn));
	__free_pages(pfn_to_page(pfn), order);
	mon_release(h);
	mon_printf("__free_pages(pfn %#lx, order %u), zone %s\n", pfn, order, zone_names[zone]);

	struct page_block b;
	page_census_block(pfn, &b);
	if (b.use == PU_PCP) {
		const struct per_cpu_pages *pcp = &page_zones[zone].pcp[cpu];
		mon_printf("  onto CPU %u's per-CPU list of order %u (%d pages of high %d there): "
			   "not merged yet, the buddy lists count it as allocated\n",
			   cpu, order, READ_ONCE(pcp->count), pcp->high);
		mon_printf("  draining this CPU's per-CPU lists (drain_local_pages) so the merge "
			   "shows:\n");
		drain_local_pages();
	} else if (order <= PCP_MAX_ORDER) {
		mon_printf(
			"  onto CPU %u's per-CPU list, which reached its high mark and drained a "
			"batch to the buddy lists\n",
			cpu);
	} else {
		mon_printf("  order %u is above the per-CPU lists' orders: straight to the buddy "
			   "lists under the zone lock\n",
			   order);
	}
	show_merge(pfn, order);
	return 0;
}

static int cmd_drain(int argc, char **argv)
{
	(void)argc, (void)argv;
	unsigned long before = 0, after = 0;

	for (unsigned z = 0; z < MAX_NR_ZONES; z++)
		before += zone_pcp_pages(&page_zones[z]);
	drain_all_pages();
	for (unsigned z = 0; z < MAX_NR_ZONES; z++)
		after += zone_pcp_pages(&page_zones[z]);
	mon_printf("drain_all_pages: every CPU gave its per-CPU page lists back to the buddy lists "
		   "(%lu pages before, %lu now)\n",
		   before, after);
	return 0;
}

/* ---------------------------------------------------------------------------
 * kmalloc by hand
 */

static const char *const page_path_short[] = {
	[PA_PCP_HIT] = "a per-CPU list hit",
	[PA_PCP_REFILL] = "a per-CPU list refill",
	[PA_BUDDY] = "the buddy lists",
	[PA_FAILED] = "nothing",
};

static void show_page_source(const struct kmalloc_info *info)
{
	const struct page_alloc_info *pi = &info->page;

	mon_printf("    alloc_pages(order %u) = pfn %#lx, zone %s, through %s", info->order,
		   info->pfn, zone_names[pi->zone % MAX_NR_ZONES],
		   page_path_short[pi->path % ARRAY_SIZE(page_path_short)]);
	if (pi->path != PA_PCP_HIT && pi->split_from > info->order)
		mon_printf(", split from an order-%u block", pi->split_from);
	mon_printf("%s\n", pi->fallback ? ", in a fallback zone" : "");
}

static int cmd_kmalloc(int argc, char **argv)
{
	uint64_t size;
	struct kmalloc_info info;

	(void)argc;
	if (!mon_parse_size(argv[1], "size", &size))
		return -1;
	if (size > (PAGE_SIZE << MAX_PAGE_ORDER))
		return mon_err("%llu bytes is more than the largest block kmalloc can give (%lu)",
			       (unsigned long long)size, PAGE_SIZE << MAX_PAGE_ORDER);
	if (!mon_held_room())
		return mon_err("the monitor already holds %u allocations: free some first",
			       MON_MAX_HELD);

	void *p = kmalloc_info((size_t)size, GFP_KERNEL | __GFP_NOWARN, &info);
	if (info.path == SA_ZERO) {
		mon_printf("kmalloc(0) = ZERO_SIZE_PTR (%p): not NULL, not memory; kfree accepts "
			   "it. Nothing is held.\n",
			   p);
		return 0;
	}
	if (!p) {
		mon_printf("kmalloc(%llu) = NULL: out of memory\n", (unsigned long long)size);
		return -1;
	}
	mon_hold_kmalloc(p, (size_t)size);
	mon_printf("kmalloc(%llu, GFP_KERNEL) = %p\n", (unsigned long long)size, p);
	if (info.path == SA_LARGE) {
		char sz[24];
		mon_printf(
			"  above the largest size class (%u bytes): kmalloc-large, a whole buddy "
			"block of %s (order %u)\n",
			KMALLOC_MAX_CACHE_SIZE, kib_str(sz, sizeof(sz), block_kib(info.order)),
			info.order);
		show_page_source(&info);
		if (info.reclaimed)
			mon_printf(
				"  memory was short: the slab caches gave back their idle memory "
				"first\n");
		mon_printf("  held by the monitor: `kfree %p`\n", p);
		return 0;
	}
	mon_printf("  class: %s (%u-byte objects: %llu bytes of slack)\n", info.cache,
		   info.obj_size, (unsigned long long)(info.obj_size - size));
	switch (info.path) {
	case SA_CPU_HIT:
		mon_printf("  level 1: popped from CPU %u's array of %s (no lock, no atomic, "
			   "interrupts on: a restartable sequence)\n",
			   info.cpu, info.cache);
		break;
	case SA_REFILL_DEPOT:
		mon_printf(
			"  level 2: CPU %u's array was empty: refilled with a full magazine of %u "
			"objects from the depot (taken under a depot slot's lock, copied after it; "
			"no slab touched)\n",
			info.cpu, info.refilled);
		break;
	case SA_REFILL_PARTIAL:
	case SA_REFILL_EMPTY:
	case SA_NEW_SLAB:
		mon_printf("  level 2: CPU %u's array was empty: a refill of %u objects under the "
			   "cache lock: %u from partial slabs, %u from empty slabs, %u from %u new "
			   "slab%s\n",
			   info.cpu, info.refilled, info.from_partial, info.from_empty,
			   info.from_new, info.new_slabs, info.new_slabs == 1 ? "" : "s");
		if (info.path == SA_NEW_SLAB) {
			mon_printf("  level 3: the new slab came from the buddy allocator:\n");
			show_page_source(&info);
		}
		break;
	case SA_DIRECT:
		mon_printf("  no per-CPU array (slab_debug, or none could be made): one object "
			   "straight from the slab lists\n");
		if (info.new_slabs)
			show_page_source(&info);
		break;
	default:
		break;
	}
	if (info.reclaimed)
		mon_printf(
			"  memory was short: the slab caches gave back their idle memory first\n");
	mon_printf("  held by the monitor: `kfree %p`\n", p);
	return 0;
}

static int cmd_kfree(int argc, char **argv)
{
	uintptr_t va;
	char why[160];

	(void)argc;
	if (!mon_parse_vaddr(argv[1], &va))
		return -1;
	const void *p = (const void *)va;
	struct mon_held *h = mon_find_kmalloc(p);
	if (!h) {
		if (ZERO_OR_NULL_PTR(p))
			return mon_err(
				"%p is NULL or ZERO_SIZE_PTR: kfree would ignore it, and the "
				"monitor holds nothing there",
				p);
		if (va < (uintptr_t)PAGE_OFFSET || __pa(va) >= PFN_PHYS(max_pfn))
			return mon_err(
				"%p is not a direct-map address of RAM (kmalloc's addresses "
				"are in [%#lx, %#llx))",
				p, (unsigned long)PAGE_OFFSET,
				(unsigned long long)((uintptr_t)PAGE_OFFSET + PFN_PHYS(max_pfn)));
		struct page *head = compound_head(virt_to_page(p));
		if (head->flags & PG_slab) {
			if (!slab_obj_valid(head->slab_cache, head, p))
				return mon_err(
					"%p is inside a slab of %s but not at an object start", p,
					slab_name_of(head));
			return mon_err("%p is an object of %s that the monitor does not hold "
				       "(another user's, or freed already)",
				       p, slab_name_of(head));
		}
		mon_describe_pfn(__pa(va) >> PAGE_SHIFT, why, sizeof(why));
		return mon_err("%p was not handed out by `kmalloc` (its page is %s)", p, why);
	}

	struct page *head = compound_head(virt_to_page(p));
	if (head->flags & PG_slab) {
		struct kmem_cache *c = head->slab_cache;
		unsigned cpu = smp_processor_id();
		kfree(p);
		mon_release(h);
		const struct array_cache *ac = c->cpu_cache[cpu];
		mon_printf("kfree(%p): object of %s\n", p, c->name);
		if (ac == &slab_empty_ac)
			mon_printf("  no per-CPU array: straight back to its slab under the cache "
				   "lock\n");
		else
			mon_printf(
				"  pushed on CPU %u's array (now %u of %u objects; at the limit "
				"a batch of %u goes to a depot magazine, or to the slabs when the "
				"depot is full)\n",
				cpu, ac->avail, ac->limit, ac->batchcount);
	} else {
		unsigned long pfn = page_to_pfn(head);
		unsigned order = page_order(head);
		kfree(p);
		mon_release(h);
		mon_printf("kfree(%p): a kmalloc-large block, pfn %#lx order %u, back to the buddy "
			   "allocator\n",
			   p, pfn, order);
		show_merge(pfn, order);
	}
	return 0;
}

static int cmd_held(int argc, char **argv)
{
	(void)argc, (void)argv;
	mon_printf("the monitor holds:\n");
	if (!mon_show_held())
		mon_printf("  nothing\n");
	return 0;
}

/* ---------------------------------------------------------------------------
 * The page descriptor
 */

static const char *const flag_names[] = {
	"reserved", "hole",    "buddy",		"pcp",	    "slab",  "head",
	"tail",	    "pgtable", "large_kmalloc", "memblock", "guard",
};

static const char *reserved_owner(unsigned long pfn)
{
	const struct memblock_type *t = &memblock.reserved;
	uint64_t pa = PFN_PHYS(pfn);

	for (unsigned i = 0; i < t->cnt; i++)
		if (t->regions[i].base < pa + PAGE_SIZE &&
		    t->regions[i].base + t->regions[i].size > pa)
			return t->regions[i].owner ? t->regions[i].owner : "?";
	return NULL;
}

static int cmd_page(int argc, char **argv)
{
	unsigned long pfn;
	char flags[160], use[160];
	int len = 0;

	(void)argc;
	if (!mon_parse_pfn(argv[1], &pfn))
		return -1;
	const struct page *p = pfn_to_page(pfn);
	uint32_t f = READ_ONCE(p->flags);
	for (unsigned i = 0; i < ARRAY_SIZE(flag_names); i++)
		if (f & (1u << i))
			len += ksnprintf(flags + len, sizeof(flags) - (size_t)len, "%s%s",
					 len ? "|" : "", flag_names[i]);
	if (!len)
		ksnprintf(flags, sizeof(flags), "none");

	mon_printf("pfn %#lx: phys %#llx, direct map %p, struct page at %p\n", pfn,
		   (unsigned long long)PFN_PHYS(pfn), page_address(p), (const void *)p);
	mon_printf("  flags %#x: %s; order %u; zone %s\n", f, flags, page_order(p),
		   zone_names[page_zonenum(p) % MAX_NR_ZONES]);
	if (f & PG_tail) {
		const struct kmem_cache *c = (f & PG_slab) ? p->slab_cache : NULL;
		mon_printf("  tail page%s%s: compound_head %p (pfn %#lx)\n",
			   c ? " of a slab of " : "", c ? c->name : "", (void *)p->compound_head,
			   page_to_pfn(p->compound_head));
	} else if (f & PG_slab) {
		const struct kmem_cache *c = p->slab_cache;
		mon_printf("  slab head: cache %s, %u of %u objects in use, free list %p, first "
			   "object at +%u\n",
			   c ? c->name : "?", p->inuse, p->objects, p->freelist, slab_first(p));
	} else if (f & PG_pgtable) {
		mon_printf("  page table: level %lu, %lu entries present; refcount %d\n",
			   (unsigned long)p->private[1], (unsigned long)p -> private[0],
			   p -> _refcount);
	} else {
		mon_printf("  refcount %d; lru next %#x prev %#x; private %#lx %#lx\n",
			   p->_refcount, p->lru.next, p->lru.prev, (unsigned long)p->private[0],
			   (unsigned long)p -> private[1]);
	}
	mon_describe_pfn(pfn, use, sizeof(use));
	mon_printf("  use: %s\n", use);
	if (f & PG_reserved) {
		const char *owner = reserved_owner(pfn);
		if (owner)
			mon_printf("  reserved by: %s\n", owner);
	}
	return 0;
}

/* ---------------------------------------------------------------------------
 * The trace
 */

static int cmd_trace(int argc, char **argv)
{
	uint64_t n = 20;

	if (argc == 2) {
		if (strcmp(argv[1], "on") == 0) {
			mm_trace_set(true);
			mon_printf("trace on: every allocation and free is recorded (the last %u "
				   "kept); `trace` shows them\n",
				   MM_TRACE_EVENTS);
			return 0;
		}
		if (strcmp(argv[1], "off") == 0) {
			mm_trace_set(false);
			mon_printf("trace off (%lu events recorded)\n", mm_trace_count());
			return 0;
		}
		if (strcmp(argv[1], "clear") == 0) {
			mm_trace_clear();
			mon_printf("trace cleared\n");
			return 0;
		}
		if (argv[1][0] < '0' || argv[1][0] > '9')
			return mon_err("'%s' is not on, off, clear or a number of events", argv[1]);
		if (!mon_parse_u64(argv[1], "count", &n))
			return -1;
		if (n == 0 || n > MM_TRACE_EVENTS)
			return mon_err("count %llu: the ring holds 1 to %u events",
				       (unsigned long long)n, MM_TRACE_EVENTS);
	}
	mm_trace_show((unsigned)n);
	return 0;
}

const struct mon_cmd mon_cmds_mem[] = {
	{ "meminfo", "", "memory totals, /proc/meminfo style", 0, 0, cmd_meminfo },
	{ "buddyinfo", "", "free blocks per order and zone (/proc/buddyinfo)", 0, 0,
	  cmd_buddyinfo },
	{ "zoneinfo", "", "zones: watermarks, per-CPU lists, counters (/proc/zoneinfo style)", 0, 0,
	  cmd_zoneinfo },
	{ "slabinfo", "", "slab caches (/proc/slabinfo 2.1 + per-CPU counters)", 0, 0,
	  cmd_slabinfo },
	{ "sizeclasses", "", "the kmalloc size classes and their waste", 0, 0, cmd_sizeclasses },
	{ "stats", "[all]", "allocation counters by level, zone, cache and CPU", 0, 1, cmd_stats },
	{ "memmap", "", "a one-screen picture of physical memory, fragmentation per zone", 0, 0,
	  cmd_memmap },
	{ "memdump", "[label]", "the machine-readable dump tools/mempictures.py draws", 0, 1,
	  cmd_memdump },
	{ "alloc", "<order> [dma|dma32|normal]",
	  "alloc_pages 2^order pages; shows the path and the split", 1, 2, cmd_alloc },
	{ "free", "<pfn> <order>", "free a block `alloc` gave; shows the merges", 2, 2, cmd_free },
	{ "drain", "", "give every per-CPU page list back to the buddy lists", 0, 0, cmd_drain },
	{ "kmalloc", "<size>", "kmalloc(size); shows the class and the level that served it", 1, 1,
	  cmd_kmalloc },
	{ "kfree", "<addr>", "kfree a pointer `kmalloc` gave", 1, 1, cmd_kfree },
	{ "held", "", "what the monitor itself holds", 0, 0, cmd_held },
	{ "page", "<pfn>", "the struct page of a page frame, decoded", 1, 1, cmd_page },
	{ "trace", "[on|off|clear|N]", "allocation trace: switch it, or show the last N events", 0,
	  1, cmd_trace },
	{ NULL, NULL, NULL, 0, 0, NULL },
};
