/*
 * test_buddy.c - host unit tests of the zoned buddy allocator (mm/page_alloc.c)
 * under ASan+UBSan: initialisation and accounting, split and merge, alignment,
 * zones and fallback, lowmem reserve, watermarks, __GFP_ZERO, per-CPU lists,
 * every kind of bad free, exhaustion and recovery, fragmentation, the dumps.
 * Every case builds its own world (test_buddy_world.h), so cases are
 * independent; the buddy checker runs after each one.
 */
#include "tests/host/test_buddy_world.h"

#include "kernel/errno.h"
#include "mm/vmstat.h"

/* Counters are unsigned long, expected values plain literals: the comparisons are exact. */
#pragma GCC diagnostic ignored "-Wsign-compare"

static struct zone *Z(unsigned z)
{
	return &page_zones[z];
}

static unsigned long pfn_of(struct page *p)
{
	return page_to_pfn(p);
}

static uint32_t buddy_flags_for_test(unsigned zone, unsigned order)
{
	return (zone << PG_ZONE_SHIFT) | PG_buddy | (order << PG_ORDER_SHIFT);
}

static unsigned long pcp_total(void)
{
	return zone_pcp_pages(Z(ZONE_DMA)) + zone_pcp_pages(Z(ZONE_DMA32)) +
	       zone_pcp_pages(Z(ZONE_NORMAL));
}

/* ---- initialisation ---- */

static void init_accounts_for_every_page(struct ktest *t)
{
	buddy_world(WORLD_6G, true);
	const struct mem_accounting *a = &mem_accounting;

	/* RAM: 632 KiB + (3 GiB - 1 MiB) + 1 GiB, in pages. */
	unsigned long ram = (KB(632) + GB(3) - MB(1) + GB(1)) >> PAGE_SHIFT;
	KEXPECT_EQ(t, a->ram, ram);
	KEXPECT_EQ(t, a->ram, a->free_at_init + a->reserved);
	KEXPECT_EQ(t, a->holes, max_pfn - ram);
	KEXPECT_EQ(t, max_pfn, GB(5) >> PAGE_SHIFT);
	/* Reserved: the RAM part of the first MiB, the kernel's 2 MiB, mem_map. */
	unsigned long memmap_pages = ALIGN_UP(max_pfn, 1024) * 32 >> PAGE_SHIFT;
	KEXPECT_EQ(t, a->kernel, MB(2) >> PAGE_SHIFT);
	KEXPECT_EQ(t, a->memmap, memmap_pages);
	KEXPECT_EQ(t, a->other, KB(632) >> PAGE_SHIFT);
	KEXPECT_EQ(t, a->reserved, a->kernel + a->memmap + a->other);
	KEXPECT_EQ(t, (unsigned long)read_vm_stat(NR_MEMMAP), memmap_pages);
	KEXPECT_EQ(t, (unsigned long)read_vm_stat(NR_KERNEL_IMAGE), a->kernel);

	/* Free memory = usable RAM - reserved, all of it in the buddy lists, none on pcp. */
	KEXPECT_EQ(t, nr_free_pages(), a->free_at_init);
	KEXPECT_EQ(t, pcp_total(), 0);
	unsigned long managed = 0, present = 0;
	for (unsigned z = 0; z < MAX_NR_ZONES; z++) {
		managed += Z(z)->managed_pages;
		present += Z(z)->present_pages;
		KEXPECT_EQ(t, Z(z)->nr_free, Z(z)->managed_pages);
	}
	KEXPECT_EQ(t, managed, a->free_at_init);
	KEXPECT_EQ(t, present, ram);

	/* Zone geometry. */
	KEXPECT_EQ(t, Z(ZONE_DMA)->zone_start_pfn, 1);
	KEXPECT_EQ(t, Z(ZONE_DMA)->spanned_pages, 4095);
	KEXPECT_EQ(t, Z(ZONE_DMA)->present_pages, 158 + 3840);
	KEXPECT_EQ(t, Z(ZONE_DMA32)->zone_start_pfn, 4096);
	KEXPECT_EQ(t, Z(ZONE_DMA32)->spanned_pages, (GB(3) >> PAGE_SHIFT) - 4096);
	KEXPECT_EQ(t, Z(ZONE_NORMAL)->zone_start_pfn, GB(4) >> PAGE_SHIFT);
	KEXPECT_EQ(t, Z(ZONE_NORMAL)->present_pages, GB(1) >> PAGE_SHIFT);
	/* mem_map went top-down into NORMAL; the rest of NORMAL is free. */
	KEXPECT_EQ(t, Z(ZONE_NORMAL)->managed_pages, (GB(1) >> PAGE_SHIFT) - memmap_pages);

	/* Descriptors: holes, reserved, mem_map marked, zone bits. */
	KEXPECT_EQ(t, mem_map[0].flags & (PG_hole | PG_reserved), PG_hole | PG_reserved);
	KEXPECT_EQ(t, mem_map[1].flags & (PG_hole | PG_reserved), PG_reserved);
	KEXPECT_EQ(t, mem_map[(GB(3) >> PAGE_SHIFT) + 5].flags & PG_hole, PG_hole);
	KEXPECT_FALSE(t, pfn_valid(GB(3) >> PAGE_SHIFT));
	KEXPECT_TRUE(t, pfn_valid(MB(4) >> PAGE_SHIFT));
	struct page *mm_page = virt_to_page(mem_map);
	KEXPECT_EQ(t, mm_page->flags & (PG_reserved | PG_memblock), PG_reserved | PG_memblock);
	KEXPECT_EQ(t, page_zonenum(&mem_map[GB(4) >> PAGE_SHIFT]), ZONE_NORMAL);
	KEXPECT_TRUE(t, memblock.frozen);
	KEXPECT_EQ(t, buddy_check_full(), 0);
}

static void init_frees_in_largest_blocks(struct ktest *t)
{
	buddy_world(WORLD_6G, true);
	unsigned long memmap_pages = ALIGN_UP(max_pfn, 1024) * 32 >> PAGE_SHIFT;

	/*
	 * [4 GiB, 5 GiB) minus mem_map at its top: the free part starts at
	 * 4 GiB (aligned), so it is all order-10 blocks but for the tail below
	 * mem_map. DMA32 [16 MiB, 3 GiB) is all order 10.
	 */
	unsigned long normal_free = (GB(1) >> PAGE_SHIFT) - memmap_pages;
	unsigned long dma32_blocks = ((GB(3) - MB(16)) >> PAGE_SHIFT) / 1024;
	KEXPECT_EQ(t, Z(ZONE_NORMAL)->free_area[10].nr_free, normal_free / 1024);
	KEXPECT_EQ(t, Z(ZONE_DMA32)->free_area[10].nr_free, dma32_blocks);
	for (unsigned o = 0; o < 10; o++)
		KEXPECT_EQ(t, Z(ZONE_DMA32)->free_area[o].nr_free, 0);
	/* DMA: [3 MiB, 16 MiB) after the kernel: 3 MiB..4 MiB in order 8s, then order 10s. */
	KEXPECT_EQ(t, Z(ZONE_DMA)->free_area[10].nr_free, 3);
	KEXPECT_EQ(t, Z(ZONE_DMA)->free_area[8].nr_free, 1);
	KEXPECT_EQ(t, Z(ZONE_DMA)->free_area[9].nr_free, 0);
	KEXPECT_EQ(t, Z(ZONE_DMA)->nr_free, (MB(13)) >> PAGE_SHIFT);
	/* Every free block's descriptor agrees (the checker walks them all). */
	KEXPECT_EQ(t, buddy_check_full(), 0);
}

static void init_prints_the_dumps(struct ktest *t)
{
	buddy_world(WORLD_32M, true);
	const char *log = host_printk_log();
	char want[200];

	KEXPECT_NOT_NULL(t, strstr(log, "struct page: 32 bytes, mem_map "));
	KEXPECT_NOT_NULL(t, strstr(log, "% of RAM\n"));
	KEXPECT_NOT_NULL(t, strstr(log, "page_alloc: RAM 32376 KiB = free "));
	KEXPECT_NOT_NULL(t, strstr(log, "kernel image 2048"));
	KEXPECT_NOT_NULL(t, strstr(log, "first 1 MiB 632"));
	KEXPECT_NULL(t, strstr(log, "MISMATCH"));
	KEXPECT_NOT_NULL(t, strstr(log, "== buddyinfo ==\n"));
	KEXPECT_NOT_NULL(t, strstr(log, "== zoneinfo ==\n"));
	KEXPECT_NOT_NULL(t, strstr(log, "== meminfo ==\n"));

	/* /proc/buddyinfo's exact layout, populated zones only. */
	int len = snprintf(want, sizeof(want), "Node 0, zone %8s ", "DMA");
	for (unsigned o = 0; o <= MAX_PAGE_ORDER; o++)
		len += snprintf(want + len, sizeof(want) - (size_t)len, "%6lu ",
				Z(ZONE_DMA)->free_area[o].nr_free);
	snprintf(want + len, sizeof(want) - (size_t)len, "\n");
	KEXPECT_NOT_NULL(t, strstr(log, want));
	KEXPECT_NOT_NULL(t, strstr(log, "Node 0, zone      DMA      "));
	KEXPECT_NOT_NULL(t, strstr(log, "Node 0, zone    DMA32 "));
	KEXPECT_NULL(t, strstr(log, "Node 0, zone   Normal      "));

	/* zoneinfo subset, Linux's spacing. */
	snprintf(want, sizeof(want),
		 "Node 0, zone    DMA32\n  pages free     %lu\n        min      %lu\n",
		 Z(ZONE_DMA32)->nr_free, Z(ZONE_DMA32)->watermark[WMARK_MIN]);
	KEXPECT_NOT_NULL(t, strstr(log, want));
	KEXPECT_NOT_NULL(t, strstr(log, "  pagesets\n    cpu: 0\n              count: 0\n"
					"              high:  "));
	KEXPECT_NOT_NULL(t, strstr(log, "        managed  "));
	KEXPECT_NOT_NULL(t, strstr(log, "Node 0, zone   Normal\n  pages free     0\n"));

	/* meminfo: "%-16s%8lu kB". */
	snprintf(want, sizeof(want), "MemTotal:       %8lu kB\n", mem_accounting.free_at_init * 4);
	KEXPECT_NOT_NULL(t, strstr(log, want));
	snprintf(want, sizeof(want), "MemFree:        %8lu kB\n", nr_free_pages() * 4);
	KEXPECT_NOT_NULL(t, strstr(log, want));
	KEXPECT_NOT_NULL(t, strstr(log, "KernelImage:        2048 kB\n"));
	KEXPECT_NOT_NULL(t, strstr(log, "PageTables:            0 kB\n"));
	KEXPECT_NOT_NULL(t, strstr(log, "Slab:                  0 kB\n"));

	/* The counters appear after some traffic. */
	host_printk_log_clear();
	struct page *p = alloc_pages(GFP_KERNEL, 0);
	KASSERT_NOT_NULL(t, p);
	__free_pages(p, 0);
	show_zoneinfo();
	KEXPECT_NOT_NULL(t, strstr(host_printk_log(), "  allocs per order 0 0 0"));
	KEXPECT_NOT_NULL(t, strstr(host_printk_log(), "  pcp refills    1\n"));
}

/* ---- split, merge, alignment ---- */

static void split_and_merge_exactly(struct ktest *t)
{
	buddy_world(WORLD_32M, true);
	struct buddy_snapshot before, after;
	struct page_alloc_info info;
	struct zone *z = Z(ZONE_DMA32);

	buddy_snapshot(&before, 0, 0);
	/* The smallest free block of order >= 4 is the one an order-4 request splits. */
	unsigned from = 4;
	while (from <= MAX_PAGE_ORDER && !z->free_area[from].nr_free)
		from++;
	KASSERT_LE(t, from, MAX_PAGE_ORDER);
	KASSERT_GT(t, from, 4);
	unsigned long first = page_to_pfn(page_list_first(&z->free_area[from].free_list));

	struct page *p = alloc_pages_info(GFP_DMA32, 4, &info);
	KASSERT_NOT_NULL(t, p);
	KEXPECT_EQ(t, info.path, PA_BUDDY);
	KEXPECT_EQ(t, info.split_from, from);
	KEXPECT_EQ(t, info.zone, ZONE_DMA32);
	/* The lower sixteen pages are handed out, the upper halves of each split kept. */
	KEXPECT_EQ(t, pfn_of(p), first);
	KEXPECT_EQ(t, z->free_area[from].nr_free, before.nr_free_blocks[ZONE_DMA32][from] - 1);
	for (unsigned o = 4; o < from; o++) {
		KEXPECT_EQ(t, z->free_area[o].nr_free, before.nr_free_blocks[ZONE_DMA32][o] + 1);
		KEXPECT_EQ(t, page_to_pfn(page_list_first(&z->free_area[o].free_list)),
			   first + (1UL << o));
	}
	KEXPECT_EQ(t, p->flags & ~PG_ZONE_MASK, PG_head | (4u << PG_ORDER_SHIFT));
	KEXPECT_EQ(t, p->_refcount, 1);

	/* A second order-4 takes the free buddy: no further split. */
	struct page *q = alloc_pages_info(GFP_DMA32, 4, &info);
	KASSERT_NOT_NULL(t, q);
	KEXPECT_EQ(t, info.split_from, 4);
	KEXPECT_EQ(t, pfn_of(q), pfn_of(p) ^ 16);
	KEXPECT_EQ(t, z->free_area[4].nr_free, before.nr_free_blocks[ZONE_DMA32][4]);

	__free_pages(p, 4);
	/* Its buddy q is allocated: p stays an order-4 block. */
	KEXPECT_EQ(t, z->free_area[4].nr_free, before.nr_free_blocks[ZONE_DMA32][4] + 1);
	KEXPECT_EQ(t, p->flags & ~PG_ZONE_MASK, PG_buddy | (4u << PG_ORDER_SHIFT));
	__free_pages(q, 4);
	/* Both halves free: merged all the way back to the block of order `from`. */
	KEXPECT_EQ(t, p->flags & ~PG_ZONE_MASK, PG_buddy | (from << PG_ORDER_SHIFT));
	buddy_snapshot(&after, 0, 0);
	KEXPECT_TRUE(t, buddy_snapshot_equal(&before, &after, false, "split_and_merge"));
}

static void every_order_is_aligned_and_marked(struct ktest *t)
{
	buddy_world(WORLD_6G, true);
	struct page *p[NR_PAGE_ORDERS];

	for (unsigned o = 0; o <= MAX_PAGE_ORDER; o++) {
		p[o] = alloc_pages(GFP_KERNEL, o);
		KASSERT_NOT_NULL(t, p[o]);
		KEXPECT_EQ(t, pfn_of(p[o]) & ((1UL << o) - 1), 0);
		KEXPECT_EQ(t, p[o]->_refcount, 1);
		KEXPECT_EQ(t, p[o]->flags & ~PG_ZONE_MASK,
			   o ? PG_head | (o << PG_ORDER_SHIFT) : 0u);
		KEXPECT_TRUE(t, pfn_valid(pfn_of(p[o])));
		for (unsigned long i = 1; i < (1UL << o); i++)
			KEXPECT_EQ(t, p[o][i].flags & ~PG_ZONE_MASK, 0);
	}
	for (unsigned o = 0; o <= MAX_PAGE_ORDER; o++)
		KEXPECT_EQ(t, free_pages_checked(p[o], o, 0), 0);
	KEXPECT_EQ(t, buddy_check_full(), 0);
}

/* ---- zones, fallback, reserves, watermarks ---- */

static void gfp_flags_choose_zones(struct ktest *t)
{
	buddy_world(WORLD_6G, true);
	for (unsigned i = 0; i < 200; i++) {
		unsigned o = i % 11;
		struct page *d = alloc_pages(GFP_DMA, o);
		struct page *d32 = alloc_pages(GFP_DMA32, o);
		struct page *n = alloc_pages(GFP_KERNEL, o);
		struct page *both = alloc_pages(GFP_DMA | GFP_DMA32, o % 4);
		KASSERT_NOT_NULL(t, d);
		KASSERT_NOT_NULL(t, d32);
		KASSERT_NOT_NULL(t, n);
		KASSERT_NOT_NULL(t, both);
		KEXPECT_LE(t, pfn_of(d) + (1UL << o), ZONE_DMA_END_PFN);
		KEXPECT_LE(t, pfn_of(d32) + (1UL << o), ZONE_DMA32_END_PFN);
		KEXPECT_GE(t, pfn_of(d32), ZONE_DMA_END_PFN); /* DMA32 preferred over DMA */
		KEXPECT_GE(t, pfn_of(n), ZONE_DMA32_END_PFN); /* NORMAL preferred */
		KEXPECT_LT(t, pfn_of(both), ZONE_DMA_END_PFN);
		KEXPECT_EQ(t, page_zonenum(d), ZONE_DMA);
		__free_pages(d, o);
		__free_pages(d32, o);
		__free_pages(n, o);
		__free_pages(both, o % 4);
		if (i == 20) /* the DMA zone is small: keep the loop from exhausting it */
			drain_all_pages();
	}
}

static void fallback_goes_down_in_order(struct ktest *t)
{
	buddy_world(WORLD_6G, true);
	struct held h = { 0 };
	struct page_alloc_info info;
	unsigned last = ZONE_NORMAL;
	unsigned long seen[MAX_NR_ZONES] = { 0 };

	for (;;) {
		struct page *p = alloc_pages_info(GFP_KERNEL | __GFP_NOWARN, 10, &info);
		if (!p)
			break;
		held_push(&h, p, 10);
		KEXPECT_EQ(t, info.preferred_zone, ZONE_NORMAL);
		KEXPECT_EQ(t, info.zone, page_zonenum(p));
		KEXPECT_EQ(t, info.fallback, info.zone != ZONE_NORMAL);
		KEXPECT_LE(t, info.zone, last); /* never back up to a higher zone */
		last = info.zone;
		seen[info.zone]++;
	}
	KEXPECT_EQ(t, info.path, PA_FAILED);
	KEXPECT_GT(t, seen[ZONE_NORMAL], 200);
	KEXPECT_GT(t, seen[ZONE_DMA32], 700);
	KEXPECT_EQ(t, Z(ZONE_DMA32)->nr_fallback, seen[ZONE_DMA32]);
	KEXPECT_EQ(t, Z(ZONE_DMA)->nr_fallback, seen[ZONE_DMA]);
	KEXPECT_EQ(t, Z(ZONE_NORMAL)->nr_fail, 1);
	KEXPECT_EQ(t, held_free_all(&h), 0);
	KEXPECT_EQ(t, nr_free_pages(), mem_accounting.free_at_init);
}

static void lowmem_reserve_protects_low_zones(struct ktest *t)
{
	buddy_world(WORLD_6G, true);
	struct held h = { 0 };
	struct zone *dma = Z(ZONE_DMA), *dma32 = Z(ZONE_DMA32);

	/* Linux's ratios: DMA keeps (DMA32 + NORMAL managed) / 256, DMA32 keeps NORMAL / 256. */
	KEXPECT_EQ(t, dma32->lowmem_reserve[ZONE_NORMAL], Z(ZONE_NORMAL)->managed_pages / 256);
	KEXPECT_EQ(t, dma->lowmem_reserve[ZONE_DMA32], dma32->managed_pages / 256);
	KEXPECT_EQ(t, dma->lowmem_reserve[ZONE_NORMAL],
		   (dma32->managed_pages + Z(ZONE_NORMAL)->managed_pages) / 256);
	KEXPECT_EQ(t, dma->lowmem_reserve[ZONE_DMA], 0);

	/* Ordinary requests take everything they may: NORMAL to min, DMA32 to min + reserve. */
	exhaust(&h, GFP_KERNEL, 10);
	KEXPECT_EQ(t, pcp_total(), 0);
	KEXPECT_EQ(t, Z(ZONE_NORMAL)->nr_free, Z(ZONE_NORMAL)->watermark[WMARK_MIN]);
	KEXPECT_EQ(t, dma32->nr_free,
		   dma32->watermark[WMARK_MIN] + dma32->lowmem_reserve[ZONE_NORMAL]);
	/* DMA's reserve against NORMAL requests exceeds the whole zone: untouched. */
	KEXPECT_GT(t, dma->lowmem_reserve[ZONE_NORMAL], dma->managed_pages);
	KEXPECT_EQ(t, dma->nr_free, dma->managed_pages);

	/* What ordinary requests had to leave is there for the callers that need it. */
	struct page *p = alloc_pages(GFP_DMA32, 0);
	KEXPECT_NOT_NULL(t, p);
	if (p)
		KEXPECT_EQ(t, page_zonenum(p), ZONE_DMA32);
	struct page *d = alloc_pages(GFP_DMA, 3);
	KEXPECT_NOT_NULL(t, d);
	if (p)
		__free_pages(p, 0);
	if (d)
		__free_pages(d, 3);
	KEXPECT_EQ(t, held_free_all(&h), 0);
	drain_all_pages();
	KEXPECT_EQ(t, nr_free_pages(), mem_accounting.free_at_init);
}

static void watermarks_min_is_a_floor_but_atomic_digs(struct ktest *t)
{
	buddy_world(WORLD_32M, true);
	struct held h = { 0 };
	struct zone *dma = Z(ZONE_DMA), *dma32 = Z(ZONE_DMA32);
	unsigned long dma_res = dma->lowmem_reserve[ZONE_NORMAL];

	/* The formula: min from sqrt(16 * KiB), low = min + step, high = min + 2 step. */
	for (unsigned z = 0; z < 2; z++) {
		struct zone *zone = Z(z);
		unsigned long step =
			MAX(zone->watermark[WMARK_MIN] / 4, zone->managed_pages / 1000);
		KEXPECT_GT(t, zone->watermark[WMARK_MIN], 0);
		KEXPECT_EQ(t, zone->watermark[WMARK_LOW], zone->watermark[WMARK_MIN] + step);
		KEXPECT_EQ(t, zone->watermark[WMARK_HIGH], zone->watermark[WMARK_MIN] + 2 * step);
	}
	/* sqrt(16 * 29316 KiB) = 684 KiB = 171 pages, shared by managed size. */
	KEXPECT_EQ(t, dma->watermark[WMARK_MIN] + dma32->watermark[WMARK_MIN], 170);

	exhaust(&h, GFP_KERNEL, 10);
	KEXPECT_EQ(t, dma32->nr_free, dma32->watermark[WMARK_MIN]);
	KEXPECT_EQ(t, dma->nr_free, dma->watermark[WMARK_MIN] + dma_res);
	KEXPECT_EQ(t, pcp_total(), 0);
	KEXPECT_EQ(t, dma32->wmark_crossed[WMARK_MIN], 0);
	KEXPECT_EQ(t, dma32->wmark_crossed[WMARK_LOW], 1);
	KEXPECT_EQ(t, dma32->wmark_crossed[WMARK_HIGH], 1);
	KEXPECT_GE(t, dma32->nr_fail, 1);
	KEXPECT_NULL(t, alloc_pages(GFP_KERNEL | __GFP_NOWARN, 0));

	/* Atomic requests may go down to min / 2 (and still respect the reserve). */
	struct page_alloc_info info;
	struct page *p = alloc_pages_info(GFP_ATOMIC, 0, &info);
	KASSERT_NOT_NULL(t, p);
	held_push(&h, p, 0);
	KEXPECT_EQ(t, info.path, PA_PCP_REFILL);
	KEXPECT_EQ(t, info.wmark_crossed, 1u << WMARK_MIN);
	KEXPECT_EQ(t, dma32->wmark_crossed[WMARK_MIN], 1);
	/* Only the page handed out came from below min: the pcp list was not refilled from it. */
	KEXPECT_EQ(t, pcp_total(), 0);
	exhaust(&h, GFP_ATOMIC, 0);
	unsigned long m32 = dma32->watermark[WMARK_MIN], m = dma->watermark[WMARK_MIN];
	KEXPECT_EQ(t, dma32->nr_free, m32 - m32 / 2);
	KEXPECT_EQ(t, dma->nr_free, m - m / 2 + dma_res);
	/* GFP_DMA requests may take DMA's reserve (it exists for them), to its own floor. */
	exhaust(&h, GFP_DMA | __GFP_HIGH, 0);
	KEXPECT_EQ(t, dma->nr_free, m - m / 2);
	exhaust(&h, GFP_DMA, 0);
	KEXPECT_EQ(t, dma->nr_free, m - m / 2);

	KEXPECT_EQ(t, held_free_all(&h), 0);
	drain_all_pages();
	KEXPECT_EQ(t, nr_free_pages(), mem_accounting.free_at_init);
}

static void atomic_refill_takes_one_page_below_min(struct ktest *t)
{
	buddy_world(WORLD_256M, true);
	struct held h = { 0 };
	struct zone *z = Z(ZONE_DMA32);
	struct page_alloc_info info;

	KASSERT_GT(t, z->pcp[0].batch, 1);
	exhaust(&h, GFP_DMA32, 0);
	KEXPECT_EQ(t, z->nr_free, z->watermark[WMARK_MIN]);
	KEXPECT_EQ(t, pcp_total(), 0);
	/*
	 * An atomic request below min gets its page, but the refill must not
	 * park a batch of reserve pages on the per-CPU list, where the next
	 * ordinary request would find them.
	 */
	struct page *p = alloc_pages_info(GFP_DMA32 | __GFP_HIGH, 0, &info);
	KASSERT_NOT_NULL(t, p);
	KEXPECT_EQ(t, info.path, PA_PCP_REFILL);
	KEXPECT_EQ(t, z->nr_free, z->watermark[WMARK_MIN] - 1);
	KEXPECT_EQ(t, pcp_total(), 0);
	KEXPECT_NULL(t, alloc_pages(GFP_DMA32 | __GFP_NOWARN, 0));
	__free_pages(p, 0);
	KEXPECT_EQ(t, held_free_all(&h), 0);
}

/* ---- __GFP_ZERO, compound ---- */

static void gfp_zero_really_zeroes(struct ktest *t)
{
	buddy_world(WORLD_32M, true);
	for (unsigned o = 0; o <= 5; o++) {
		struct page *p = alloc_pages(GFP_KERNEL, o);
		KASSERT_NOT_NULL(t, p);
		memset(page_address(p), 0xa5, PAGE_SIZE << o);
		__free_pages(p, o);
		/* LIFO per-CPU lists (and the buddy head) give the same block back. */
		struct page *q = alloc_pages(GFP_KERNEL | __GFP_ZERO, o);
		KASSERT_NOT_NULL(t, q);
		KEXPECT_EQ(t, q, p);
		const unsigned char *b = page_address(q);
		size_t nonzero = 0;
		for (size_t i = 0; i < (PAGE_SIZE << o); i++)
			nonzero += b[i] != 0;
		KEXPECT_EQ(t, nonzero, 0);
		__free_pages(q, o);
	}
	uintptr_t a = __get_free_pages(GFP_KERNEL, 0);
	KASSERT_NE(t, a, 0);
	memset((void *)a, 0x5a, PAGE_SIZE);
	free_pages(a, 0);
	uintptr_t z = get_zeroed_page(GFP_KERNEL);
	KEXPECT_EQ(t, z, a);
	KEXPECT_EQ(t, ((unsigned char *)z)[100], 0);
	KEXPECT_EQ(t, ((unsigned char *)z)[PAGE_SIZE - 1], 0);
	free_page(z);
}

static void compound_blocks_mark_their_tails(struct ktest *t)
{
	buddy_world(WORLD_32M, true);
	struct page *p = alloc_pages(GFP_KERNEL | __GFP_COMP, 3);
	KASSERT_NOT_NULL(t, p);
	for (unsigned i = 1; i < 8; i++) {
		KEXPECT_TRUE(t, p[i].flags & PG_tail);
		KEXPECT_EQ(t, compound_head(&p[i]), p);
	}
	KEXPECT_NE(t, free_pages_checked(&p[1], 0, 0), 0); /* a tail cannot be freed */
	KEXPECT_EQ(t, free_pages_checked(p, 3, 0), 0);
	KEXPECT_EQ(t, buddy_check_full(), 0); /* tails cleaned on the way back */
}

/* ---- per-CPU lists ---- */

static void pcp_refills_and_drains_in_batches(struct ktest *t)
{
	buddy_world(WORLD_6G, true);
	struct zone *n = Z(ZONE_NORMAL);
	struct per_cpu_pages *pcp = &n->pcp[0];
	int batch = pcp->batch, high = pcp->high;
	struct page_alloc_info info;
	struct page *pages[1000];

	/* 1 GiB zone: 262144/1024/4 = 64 -> 2^n - 1 = 63; high = 6 * batch. */
	KEXPECT_EQ(t, batch, 63);
	KEXPECT_EQ(t, high, 6 * 63);
	unsigned long free0 = n->nr_free;

	pages[0] = alloc_pages_info(GFP_KERNEL, 0, &info);
	KASSERT_NOT_NULL(t, pages[0]);
	KEXPECT_EQ(t, info.path, PA_PCP_REFILL);
	KEXPECT_EQ(t, pcp->count, batch - 1);
	KEXPECT_EQ(t, n->nr_free, free0 - (unsigned long)batch);
	KEXPECT_EQ(t, pcp->nr_refill, 1);
	KEXPECT_EQ(t, nr_free_pages(), mem_accounting.free_at_init - 1);
	for (int i = 1; i < batch; i++) {
		pages[i] = alloc_pages_info(GFP_KERNEL, 0, &info);
		KASSERT_NOT_NULL(t, pages[i]);
		KEXPECT_EQ(t, info.path, PA_PCP_HIT);
		KEXPECT_TRUE(t, pages[i]->flags == (ZONE_NORMAL << PG_ZONE_SHIFT));
	}
	KEXPECT_EQ(t, pcp->count, 0);
	KEXPECT_EQ(t, pcp->nr_refill, 1);
	KEXPECT_EQ(t, pcp->nr_hit, (unsigned long)batch - 1);
	for (int i = batch; i < 1000; i++) {
		pages[i] = alloc_pages(GFP_KERNEL, 0);
		KASSERT_NOT_NULL(t, pages[i]);
	}
	KEXPECT_EQ(t, pcp->nr_refill, (1000 + batch - 1) / batch);

	/* Frees go to the list until it reaches high, which drains one batch. */
	unsigned long drains0 = pcp->nr_drain;
	int expect = pcp->count;
	unsigned long expect_drains = drains0;
	for (int i = 0; i < 1000; i++) {
		__free_pages(pages[i], 0);
		expect++;
		if (expect >= high) {
			expect -= batch;
			expect_drains++;
		}
		KEXPECT_EQ(t, pcp->count, expect);
		KEXPECT_LT(t, pcp->count, high);
	}
	KEXPECT_EQ(t, pcp->nr_drain, expect_drains);
	KEXPECT_GT(t, expect_drains, drains0);
	KEXPECT_EQ(t, nr_free_pages(), mem_accounting.free_at_init);
	KEXPECT_EQ(t, n->nr_free + (unsigned long)pcp->count, free0);

	/* Orders 1..3 are cached too: batch >> order blocks per refill. */
	for (unsigned o = 1; o <= PCP_MAX_ORDER; o++) {
		struct page *p = alloc_pages_info(GFP_KERNEL, o, &info);
		KASSERT_NOT_NULL(t, p);
		KEXPECT_EQ(t, info.path, PA_PCP_REFILL);
		struct page *q = alloc_pages_info(GFP_KERNEL, o, &info);
		KASSERT_NOT_NULL(t, q);
		KEXPECT_EQ(t, info.path, PA_PCP_HIT);
		__free_pages(p, o);
		__free_pages(q, o);
	}
	drain_local_pages();
	KEXPECT_EQ(t, pcp->count, 0);
	KEXPECT_EQ(t, n->nr_free, free0);
	KEXPECT_EQ(t, nr_free_pages(), mem_accounting.free_at_init);
	KEXPECT_EQ(t, n->free_area[10].nr_free, free0 / 1024); /* merged back whole */
}

static void pcp_pages_are_not_buddy_free(struct ktest *t)
{
	buddy_world(WORLD_256M, true);
	struct zone *z = Z(ZONE_DMA32);
	struct page *p = alloc_pages(GFP_KERNEL, 0);
	KASSERT_NOT_NULL(t, p);
	__free_pages(p, 0);
	/* p sits on the per-CPU list: PG_pcp, not in nr_free, not merged. */
	KEXPECT_EQ(t, p->flags & ~PG_ZONE_MASK, PG_pcp);
	KEXPECT_EQ(t, z->nr_free + (unsigned long)z->pcp[0].count, z->managed_pages);
	KEXPECT_GT(t, z->pcp[0].count, 0);
	KEXPECT_EQ(t, nr_free_pages(), mem_accounting.free_at_init);
	drain_all_pages();
	KEXPECT_EQ(t, z->pcp[0].count, 0);
	KEXPECT_EQ(t, z->nr_free, z->managed_pages);
	KEXPECT_EQ(t, p->flags & PG_pcp, 0);
}

static void drain_on_failure_then_retry(struct ktest *t)
{
	buddy_world(WORLD_32M, true);
	struct held h = { 0 };
	struct page_alloc_info info;

	/* Single pages down to the atomic floor; then park four on the per-CPU lists. */
	exhaust(&h, GFP_ATOMIC, 0);
	KEXPECT_EQ(t, pcp_total(), 0);
	for (int i = 0; i < 4; i++) {
		h.n--;
		__free_pages(h.page[h.n], 0);
	}
	KEXPECT_EQ(t, pcp_total(), 4);
	/*
	 * An order-1 request fails at first (the buddy lists are at the floor),
	 * drains the per-CPU lists, which lifts the zones above the floor, and
	 * succeeds from what the floor kept in blocks above order 0.
	 */
	struct page *p = alloc_pages_info(GFP_ATOMIC, 1, &info);
	KEXPECT_NOT_NULL(t, p);
	KEXPECT_TRUE(t, info.drained);
	if (p)
		held_push(&h, p, 1);
	KEXPECT_EQ(t, pcp_total(), 0);
	KEXPECT_EQ(t, held_free_all(&h), 0);
}

/* ---- bad frees ---- */

/* Run one bad free and check it was refused with a report and no change at all. */
static void expect_refused(struct ktest *t, struct page *page, unsigned order, const char *why)
{
	struct buddy_snapshot a, b;

	buddy_snapshot(&a, 0, 0);
	host_printk_log_clear();
	int ret = free_pages_checked(page, order, (uintptr_t)expect_refused);
	buddy_snapshot(&b, 0, 0);
	KEXPECT_EQ(t, ret, -EINVAL);
	KEXPECT_TRUE(t, buddy_snapshot_equal(&a, &b, true, why));
	const char *log = host_printk_log();
	KEXPECT_NOT_NULL(t, strstr(log, "BAD FREE"));
	if (!strstr(log, why))
		ktest_log(t, "%s: report was: %s", why, log);
	KEXPECT_NOT_NULL(t, strstr(log, why));
	/* __free_pages refuses it the same way. */
	host_printk_log_clear();
	__free_pages(page, order);
	buddy_snapshot(&b, 0, 0);
	KEXPECT_TRUE(t, buddy_snapshot_equal(&a, &b, true, why));
	KEXPECT_NOT_NULL(t, strstr(host_printk_log(), "BAD FREE"));
}

static void bad_frees_are_detected_and_harmless(struct ktest *t)
{
	buddy_world(WORLD_32M, true);
	host_printk_echo = false;

	/* Already free: on a per-CPU list, then in the buddy lists. */
	struct page *p = alloc_pages(GFP_KERNEL, 0);
	KASSERT_NOT_NULL(t, p);
	__free_pages(p, 0);
	expect_refused(t, p, 0, "already free (on a per-CPU page list)");
	drain_all_pages();
	struct page *buddy_head = NULL;
	for (unsigned long pfn = 0; pfn < max_pfn && !buddy_head; pfn++)
		if ((mem_map[pfn].flags & PG_buddy) && page_order(&mem_map[pfn]) >= 2)
			buddy_head = &mem_map[pfn];
	KASSERT_NOT_NULL(t, buddy_head);
	expect_refused(t, buddy_head, page_order(buddy_head), "already free (head of a free block");
	/* A page inside a free block: plain flags, but refcount 0. */
	expect_refused(t, buddy_head + 1, 0, "refcount not positive");
	expect_refused(t, buddy_head + 2, 1, "refcount not positive");

	/* Wrong order, both ways, and a non-first page of an allocated block. */
	struct page *b2 = alloc_pages(GFP_KERNEL, 2);
	struct page *b0 = alloc_pages(GFP_KERNEL, 0);
	KASSERT_NOT_NULL(t, b2);
	KASSERT_NOT_NULL(t, b0);
	expect_refused(t, b2, 1, "order does not match the order it was allocated with");
	expect_refused(t, b2, 3, "order does not match the order it was allocated with");
	expect_refused(t, b2, 0, "order does not match the order it was allocated with");
	expect_refused(t, b2 + 1, 0, "refcount not positive");
	expect_refused(t, b2 + 1, 1, "refcount not positive");
	if (pfn_of(b0) % 2 == 0)
		expect_refused(t, b0, 1, "order does not match: allocated as order 0");
	else
		expect_refused(t, b0, 1, "pfn not aligned to the order");
	expect_refused(t, b0, 11, "order above MAX_PAGE_ORDER");

	/* Out of range, and pointers that are not descriptors at all. */
	expect_refused(t, mem_map + max_pfn, 0, "pfn out of range");
	expect_refused(t, mem_map - 1, 0, "pfn out of range");
	expect_refused(t, (struct page *)((char *)b0 + 4), 0, "not a struct page of mem_map");
	struct page local;
	expect_refused(t, &local, 0, "not a struct page of mem_map");
	expect_refused(t, NULL, 0, "not a struct page of mem_map");

	/* Holes, reserved pages (firmware, kernel, mem_map). */
	expect_refused(t, pfn_to_page(0), 0, "a hole");
	expect_refused(t, pfn_to_page(100), 0, "page is reserved");
	expect_refused(t, pfn_to_page(200), 0, "a hole");
	expect_refused(t, pfn_to_page(MB(1) >> PAGE_SHIFT), 0, "page is reserved");
	expect_refused(t, virt_to_page(mem_map), 0, "page is reserved");

	/* Pages that belong to someone: page tables, slabs, kmalloc-large, guard pages. */
	static const struct {
		uint32_t flag;
		const char *why;
	} roles[] = {
		{ PG_pgtable, "page-table page" }, { PG_slab, "slab allocator" },
		{ PG_tail, "slab allocator" },	   { PG_large_kmalloc, "kmalloc-large" },
		{ PG_guard, "guard page" },
	};
	for (unsigned i = 0; i < ARRAY_SIZE(roles); i++) {
		b0->flags |= roles[i].flag;
		expect_refused(t, b0, 0, roles[i].why);
		b0->flags &= ~roles[i].flag;
	}
	/* free_pages() with addresses that are not pages of RAM. */
	host_printk_log_clear();
	free_pages(0, 0); /* a no-op, as in Linux */
	KEXPECT_EQ(t, strlen(host_printk_log()), 0);
	free_pages((uintptr_t)page_address(b0) + 8, 0);
	KEXPECT_NOT_NULL(t, strstr(host_printk_log(), "BAD FREE of address"));
	host_printk_log_clear();
	free_pages((uintptr_t)__va(PFN_PHYS(max_pfn)), 0);
	KEXPECT_NOT_NULL(t, strstr(host_printk_log(), "BAD FREE of address"));
	KEXPECT_GE(t, Z(ZONE_DMA)->nr_bad_free + Z(ZONE_DMA32)->nr_bad_free, 20);

	/* The real frees still work and leave everything consistent. */
	KEXPECT_EQ(t, free_pages_checked(b2, 2, 0), 0);
	KEXPECT_EQ(t, free_pages_checked(b0, 0, 0), 0);
	KEXPECT_EQ(t, buddy_check_full(), 0);
	drain_all_pages();
	KEXPECT_EQ(t, nr_free_pages(), mem_accounting.free_at_init);
	host_printk_echo = true;
}

/* ---- requests that cannot be met ---- */

static void impossible_requests_fail_with_a_warning(struct ktest *t)
{
	buddy_world(WORLD_32M, true);
	host_printk_echo = false;
	host_printk_log_clear();
	KEXPECT_NULL(t, alloc_pages(GFP_KERNEL, 11));
	KEXPECT_NOT_NULL(t, strstr(host_printk_log(), "order above MAX_PAGE_ORDER"));
	host_printk_log_clear();
	KEXPECT_NULL(t, alloc_pages(GFP_KERNEL | __GFP_NOWARN, 12));
	KEXPECT_EQ(t, strlen(host_printk_log()), 0);
	KEXPECT_EQ(t, __get_free_pages(GFP_KERNEL | __GFP_NOWARN, 40), 0);

	/* Rate limit: the first ten failures are reported, then one line, then silence. */
	for (int i = 0; i < 30; i++)
		alloc_pages(GFP_KERNEL, 11);
	const char *log = host_printk_log();
	unsigned n = 0;
	for (const char *s = log; (s = strstr(s, "allocation failure:")); s++)
		n++;
	KEXPECT_EQ(t, n, 9); /* 10 in all, one above */
	KEXPECT_NOT_NULL(t, strstr(log, "further allocation failure warnings suppressed"));
	host_printk_echo = true;
}

static void calls_before_init_fail_cleanly(struct ktest *t)
{
	page_alloc_reset_for_test();
	host_printk_echo = false;
	KEXPECT_NULL(t, alloc_pages(GFP_KERNEL, 0));
	KEXPECT_NULL(t, alloc_pages(GFP_DMA, 3));
	KEXPECT_NULL(t, alloc_pages(GFP_KERNEL, 7));
	KEXPECT_NOT_NULL(t, strstr(host_printk_log(), "before page_alloc_init"));
	struct page fake = { 0 };
	KEXPECT_EQ(t, free_pages_checked(&fake, 0, 0), -EINVAL);
	KEXPECT_EQ(t, nr_free_pages(), 0);
	KEXPECT_EQ(t, buddy_check(), 0);
	drain_all_pages();
	host_printk_echo = true;
}

/* ---- exhaustion and recovery, fragmentation ---- */

static void exhaustion_then_full_recovery(struct ktest *t)
{
	buddy_world(WORLD_32M, true);
	struct buddy_snapshot before, after;
	struct held h = { 0 };

	buddy_snapshot(&before, 0, 0);
	unsigned long taken = exhaust(&h, GFP_ATOMIC, 10);
	taken += exhaust(&h, GFP_DMA | __GFP_HIGH, 10);
	KEXPECT_GT(t, taken, mem_accounting.free_at_init * 9 / 10);
	KEXPECT_EQ(t, buddy_check_full(), 0);
	/* Everything distinct: no pfn handed out twice. */
	unsigned char *owned = calloc(max_pfn, 1);
	KASSERT_NOT_NULL(t, owned);
	unsigned overlaps = 0;
	for (size_t i = 0; i < h.n; i++)
		for (unsigned long j = 0; j < (1UL << h.order[i]); j++)
			overlaps += owned[pfn_of(h.page[i]) + j]++ != 0;
	KEXPECT_EQ(t, overlaps, 0);
	free(owned);
	KEXPECT_EQ(t, held_free_all(&h), 0);
	drain_all_pages();
	buddy_snapshot(&after, 0, 0);
	KEXPECT_TRUE(t, buddy_snapshot_equal(&before, &after, false, "exhaustion"));
}

static int cmp_page(const void *a, const void *b)
{
	const struct page *x = *(struct page *const *)a, *y = *(struct page *const *)b;
	return x < y ? -1 : x > y;
}

static void fragmentation_then_merge_back(struct ktest *t)
{
	buddy_world(WORLD_32M, true);
	struct buddy_snapshot before, after;
	struct held singles = { 0 }, pairs = { 0 };
	unsigned long freed[MAX_NR_ZONES] = { 0 }, higher = 0;

	buddy_snapshot(&before, 0, 0);
	/* Everything as single pages, then every other page (odd pfns) back. */
	exhaust(&singles, GFP_ATOMIC, 0);
	qsort(singles.page, singles.n, sizeof(*singles.page), cmp_page);
	size_t kept = 0;
	for (size_t i = 0; i < singles.n; i++) {
		struct page *p = singles.page[i];
		if (pfn_of(p) % 2) {
			freed[page_zonenum(p)]++;
			__free_pages(p, 0);
		} else {
			singles.page[kept++] = p;
		}
	}
	singles.n = kept;
	drain_all_pages();
	/*
	 * Half of memory is free again, but no freed page has a free buddy
	 * (except next to the few pages the exhaustion left at the floor), so
	 * nearly all of it is order 0.
	 */
	for (unsigned z = ZONE_DMA; z <= ZONE_DMA32; z++) {
		KEXPECT_GT(t, freed[z], 1000);
		KEXPECT_GE(t, Z(z)->free_area[0].nr_free, freed[z] - 100);
		for (unsigned o = 1; o <= MAX_PAGE_ORDER; o++)
			higher += Z(z)->free_area[o].nr_free << o;
	}
	KEXPECT_LT(t, higher, 400);
	/* Order 1 can only come from the blocks above order 0: a few, then failure. */
	exhaust(&pairs, GFP_ATOMIC, 1);
	unsigned long got1 = 0;
	for (size_t i = 0; i < pairs.n; i++)
		got1 += pairs.order[i] == 1;
	KEXPECT_LE(t, got1 * 2, higher);
	KEXPECT_NULL(t, alloc_pages(GFP_ATOMIC | __GFP_NOWARN, 1));
	KEXPECT_EQ(t, buddy_check_full(), 0);

	/* Give everything back: it all merges into the blocks it started as. */
	KEXPECT_EQ(t, held_free_all(&pairs), 0);
	KEXPECT_EQ(t, held_free_all(&singles), 0);
	drain_all_pages();
	buddy_snapshot(&after, 0, 0);
	KEXPECT_TRUE(t, buddy_snapshot_equal(&before, &after, false, "fragmentation"));
}

static void meminfo_adds_up(struct ktest *t)
{
	buddy_world(WORLD_256M, true);
	struct page *p = alloc_pages(GFP_KERNEL, 5);
	KASSERT_NOT_NULL(t, p);
	host_printk_log_clear();
	show_meminfo();
	char want[64];
	snprintf(want, sizeof(want), "Allocated:      %8lu kB\n", 32UL * 4);
	KEXPECT_NOT_NULL(t, strstr(host_printk_log(), want));
	snprintf(want, sizeof(want), "MemFree:        %8lu kB\n",
		 (mem_accounting.free_at_init - 32) * 4);
	KEXPECT_NOT_NULL(t, strstr(host_printk_log(), want));
	__free_pages(p, 5);
	host_printk_log_clear();
	show_buddyinfo();
	KEXPECT_NOT_NULL(t, strstr(host_printk_log(), "== buddyinfo ==\nNode 0, zone      DMA "));
}

/* The checker must be able to fail: corrupt one thing at a time, check, repair. */
static void checker_finds_each_corruption(struct ktest *t)
{
	buddy_world(WORLD_32M, true);
	struct zone *z = Z(ZONE_DMA32);
	host_printk_echo = false;

	KASSERT_EQ(t, buddy_check_full(), 0);
	/* A counter that disagrees with its list. */
	z->free_area[3].nr_free++;
	KEXPECT_GT(t, buddy_check(), 0);
	z->free_area[3].nr_free--;
	z->nr_free--;
	KEXPECT_GT(t, buddy_check(), 0);
	z->nr_free++;

	/* A listed block whose descriptor says another order. */
	struct page *head = page_list_first(&z->free_area[10].free_list);
	KASSERT_NOT_NULL(t, head);
	set_page_order(head, 9);
	KEXPECT_GT(t, buddy_check(), 0);
	set_page_order(head, 10);
	/* A broken back link. */
	uint32_t prev = head->lru.prev;
	head->lru.prev = 12345;
	KEXPECT_GT(t, buddy_check(), 0);
	head->lru.prev = prev;
	KEXPECT_EQ(t, buddy_check(), 0);

	/* Two free buddies left unmerged. */
	struct free_area *a10 = &z->free_area[10], *a9 = &z->free_area[9];
	unsigned long n9 = a9->nr_free;
	page_list_del(&a10->free_list, head);
	a10->nr_free--;
	head->flags = buddy_flags_for_test(ZONE_DMA32, 9);
	head[512].flags = buddy_flags_for_test(ZONE_DMA32, 9);
	page_list_add(&a9->free_list, head);
	page_list_add(&a9->free_list, head + 512);
	a9->nr_free += 2;
	host_printk_log_clear();
	KEXPECT_GT(t, buddy_check(), 0);
	KEXPECT_NOT_NULL(t, strstr(host_printk_log(), "not merged"));
	page_list_del(&a9->free_list, head);
	page_list_del(&a9->free_list, head + 512);
	a9->nr_free = n9;
	head[512].flags = ZONE_DMA32 << PG_ZONE_SHIFT;
	head->flags = buddy_flags_for_test(ZONE_DMA32, 10);
	page_list_add(&a10->free_list, head);
	a10->nr_free++;
	KEXPECT_EQ(t, buddy_check_full(), 0);

	/* A free-looking head on no list; a per-CPU count that is off. */
	struct page *p = alloc_pages(GFP_KERNEL, 0);
	KASSERT_NOT_NULL(t, p);
	uint32_t f = p->flags;
	p->flags = buddy_flags_for_test(page_zonenum(p), 0);
	host_printk_log_clear();
	KEXPECT_GT(t, buddy_check(), 0);
	KEXPECT_NOT_NULL(t, strstr(host_printk_log(), "PG_buddy heads in mem_map"));
	p->flags = f;
	page_zone(p)->pcp[0].count++;
	KEXPECT_GT(t, buddy_check(), 0);
	page_zone(p)->pcp[0].count--;
	__free_pages(p, 0);

	/* A dirty page inside a free block: only the full check looks inside. */
	head[7].flags |= PG_slab;
	KEXPECT_EQ(t, buddy_check(), 0);
	KEXPECT_GT(t, buddy_check_full(), 0);
	head[7].flags &= ~PG_slab;
	KEXPECT_EQ(t, buddy_check_full(), 0);
	host_printk_echo = true;
}

static struct ktest_case buddy_cases[] = {
	KTEST_CASE(init_accounts_for_every_page),
	KTEST_CASE(init_frees_in_largest_blocks),
	KTEST_CASE(init_prints_the_dumps),
	KTEST_CASE(split_and_merge_exactly),
	KTEST_CASE(every_order_is_aligned_and_marked),
	KTEST_CASE(gfp_flags_choose_zones),
	KTEST_CASE(fallback_goes_down_in_order),
	KTEST_CASE(lowmem_reserve_protects_low_zones),
	KTEST_CASE(watermarks_min_is_a_floor_but_atomic_digs),
	KTEST_CASE(atomic_refill_takes_one_page_below_min),
	KTEST_CASE(gfp_zero_really_zeroes),
	KTEST_CASE(compound_blocks_mark_their_tails),
	KTEST_CASE(pcp_refills_and_drains_in_batches),
	KTEST_CASE(pcp_pages_are_not_buddy_free),
	KTEST_CASE(drain_on_failure_then_retry),
	KTEST_CASE(bad_frees_are_detected_and_harmless),
	KTEST_CASE(impossible_requests_fail_with_a_warning),
	KTEST_CASE(calls_before_init_fail_cleanly),
	KTEST_CASE(exhaustion_then_full_recovery),
	KTEST_CASE(fragmentation_then_merge_back),
	KTEST_CASE(meminfo_adds_up),
	KTEST_CASE(checker_finds_each_corruption),
	{},
};
KTEST_SUITE(host_buddy, buddy_cases);
