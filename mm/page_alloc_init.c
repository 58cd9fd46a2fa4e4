/*
 * page_alloc_init.c - bringing the buddy allocator up from memblock, and
 * accounting for every page of RAM while doing it.
 *
 * 1. mem_map: one struct page per pfn from 0 to max_pfn (rounded up to a
 *    whole order-10 block), taken from memblock and initialised here in full
 *    (no separate zeroing pass: at 6 GiB that is 57 MiB written twice):
 *    holes are PG_reserved|PG_hole, RAM PG_reserved, every page knows its zone.
 * 2. Zones: extent, present pages, from memblock's RAM ranges.
 * 3. Every free range memblock reports, rounded inward to pages, is handed to
 *    the buddy lists once, in the largest aligned blocks that fit (merging
 *    does the rest); those pages are the zones' managed pages. memblock is
 *    then frozen.
 * 4. Watermarks, lowmem reserves, per-CPU batch/high (setup_zone_limits).
 * 5. The accounting line: RAM = free + reserved (by owner) and holes, counted
 *    from the descriptors and checked against memblock's totals; a
 *    buddy_check; then the three dumps.
 */
#include "kernel/printk.h"
#include "kernel/string.h"
#include "mm/gfp.h"
#include "mm/memblock.h"
#include "mm/mm.h"
#include "mm/mmzone.h"
#include "mm/page_alloc_internal.h"
#include "mm/page_alloc_test.h"
#include "mm/vmstat.h"

struct mem_accounting mem_accounting;

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
		/* memmap_setup names it "kernel image"; hosted tests "kernel". */
		if (r->owner && strncmp(r->owner, "kernel", 6) == 0)
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

/* The end of the zone containing pfn, or end if that comes first. */
static unsigned long zone_piece_end(unsigned long pfn, unsigned long end)
{
	switch (pfn_zone_idx(pfn)) {
	case ZONE_DMA:
		return MIN(end, ZONE_DMA_END_PFN);
	case ZONE_DMA32:
		return MIN(end, ZONE_DMA32_END_PFN);
	default:
		return end;
	}
}

/* Write the descriptors of [spfn, epfn) from scratch: flags (plus each page's zone), nothing else. */
static void init_descriptors(unsigned long spfn, unsigned long epfn, uint32_t flags)
{
	while (spfn < epfn) {
		unsigned long stop = zone_piece_end(spfn, epfn);
		uint32_t f = flags | (pfn_zone_idx(spfn) << PG_ZONE_SHIFT);
		for (unsigned long pfn = spfn; pfn < stop; pfn++)
			mem_map[pfn] = (struct page){ .flags = f, .lru = { PFN_NIL, PFN_NIL } };
		spfn = stop;
	}
}

/* RAM pages [spfn, epfn): count them into their zones (start, span, present). */
static void account_present(unsigned long spfn, unsigned long epfn)
{
	while (spfn < epfn) {
		unsigned long stop = zone_piece_end(spfn, epfn);
		struct zone *zone = &page_zones[pfn_zone_idx(spfn)];
		if (!zone->present_pages)
			zone->zone_start_pfn = spfn;
		zone->present_pages += stop - spfn;
		zone->spanned_pages = stop - zone->zone_start_pfn;
		spfn = stop;
	}
}

void page_alloc_init(void)
{
	uint64_t end = memblock_end_of_DRAM();
	uint64_t cursor = 0, s, e;
	unsigned long prev = 0;

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

	/* 1. The descriptors. memblock does not zero this: every field is written below. */
	max_pfn = PFN_DOWN(end);
	nr_memmap = ALIGN_UP(max_pfn, 1UL << MAX_PAGE_ORDER);
	uint64_t memmap_bytes = ALIGN_UP((uint64_t)nr_memmap * sizeof(struct page), PAGE_SIZE);
	uint64_t memmap_pa = memblock_phys_alloc_range(memmap_bytes, PAGE_SIZE, 0, 0, "mem_map");
	if (!memmap_pa)
		panic("page_alloc_init: no memory for mem_map (%llu KiB for %lu page frames)",
		      (unsigned long long)(memmap_bytes >> 10), nr_memmap);
	mem_map = __va(memmap_pa);

	/* 2. RAM (reserved until step 3 says otherwise) and the holes between; zone extents. */
	for (unsigned i = 0; i < memblock.memory.cnt; i++) {
		const struct memblock_region *r = &memblock.memory.regions[i];
		unsigned long spfn = MIN(PFN_UP(r->base), max_pfn);
		unsigned long epfn = MIN(PFN_DOWN(r->base + r->size), max_pfn);

		if (spfn >= epfn)
			continue;
		init_descriptors(prev, spfn, PG_reserved | PG_hole);
		init_descriptors(spfn, epfn, PG_reserved);
		account_present(spfn, epfn);
		prev = epfn;
	}
	init_descriptors(prev, nr_memmap, PG_reserved | PG_hole);
	/* mem_map is an early allocation that stays: mark it so. */
	for (unsigned long pfn = PFN_DOWN(memmap_pa); pfn < PFN_DOWN(memmap_pa + memmap_bytes);
	     pfn++)
		mem_map[pfn].flags |= PG_memblock;

	/* 3. Every free page, exactly once, in the largest aligned blocks. */
	while (memblock_next_free_range(&cursor, &s, &e)) {
		unsigned long spfn = PFN_UP(s), epfn = MIN(PFN_DOWN(e), max_pfn);

		while (spfn < epfn) {
			unsigned long stop = zone_piece_end(spfn, epfn);
			free_range_to_buddy(&page_zones[pfn_zone_idx(spfn)], spfn, stop);
			spfn = stop;
		}
	}
	memblock.frozen = true;

	/* 4, 5. */
	setup_zone_limits();
	allocator_ready = true;
	account_and_report(memmap_bytes >> PAGE_SHIFT);
	/* Cheap here (the lists hold few, large blocks); also links the checker into every program. */
	if (buddy_check())
		pr_err("page_alloc_init: the free lists are inconsistent (see above)\n");

	show_buddyinfo();
	show_zoneinfo();
	show_meminfo();
}

/*
 * Test hooks (page_alloc_test.h): forget the world so that a hosted test can
 * build another.
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
