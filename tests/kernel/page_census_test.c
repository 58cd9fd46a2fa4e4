/*
 * page_census_test.c - KTAP suite "page_census": the census behind `memmap`
 * and memdump. Its totals equal meminfo's counters and the buddy lists',
 * every page frame is counted once, blocks are classified by what owns
 * them, the fragmentation indices follow their definitions, and the
 * picture fits one screen.
 *
 * Portable: tests/host/test_provenance.c includes this file too.
 */
#include "kernel/ktest.h"
#include "kernel/printk.h"
#include "kernel/string.h"
#include "mm/gfp.h"
#include "mm/mmzone.h"
#include "mm/page_census.h"
#include "mm/slab.h"
#include "mm/vmstat.h"

#ifndef PROVENANCE_TEST_INIT
#define PROVENANCE_TEST_INIT NULL
#endif

#ifdef MM_HOSTED
#define CENSUS_LOG_BEGIN() host_printk_log_clear()
#define CENSUS_LOG_TEXT()  host_printk_log()
#else
#include "kernel/console.h"
static uint64_t census_log_mark;
static char census_log[12288];
#define CENSUS_LOG_BEGIN() (census_log_mark = log_buf_mark())
#define CENSUS_LOG_TEXT() \
	(log_buf_read(census_log_mark, census_log, sizeof(census_log)), census_log)
#endif

static void census_totals_equal_meminfo(struct ktest *t)
{
	struct page_census c;
	unsigned long sum = 0;

	page_census_take(&c);
	for (unsigned u = 0; u < NR_PAGE_USES; u++)
		sum += c.pages[u];
	KEXPECT_EQ(t, sum, max_pfn);
	KEXPECT_EQ(t, c.pages[PU_UNKNOWN], 0ul);
	KEXPECT_EQ(t, c.pages[PU_FREE] + c.pages[PU_PCP], nr_free_pages());
	KEXPECT_EQ(t, c.pages[PU_SLAB], (unsigned long)read_vm_stat(NR_SLAB_PAGES));
	KEXPECT_EQ(t, c.pages[PU_KMALLOC_LARGE], (unsigned long)read_vm_stat(NR_KMALLOC_LARGE));
	KEXPECT_EQ(t, c.pages[PU_PGTABLE], (unsigned long)read_vm_stat(NR_PAGETABLE));
	KEXPECT_EQ(t, c.pages[PU_KERNEL], (unsigned long)read_vm_stat(NR_KERNEL_IMAGE));
	KEXPECT_EQ(t, c.pages[PU_MEMMAP], (unsigned long)read_vm_stat(NR_MEMMAP));
	KEXPECT_EQ(t, c.pages[PU_RESERVED], (unsigned long)read_vm_stat(NR_EARLY_ALLOC));
	KEXPECT_EQ(t, c.pages[PU_HOLE], mem_accounting.holes);
	for (unsigned z = 0; z < MAX_NR_ZONES; z++) {
		const struct zone *zone = &page_zones[z];
		KEXPECT_EQ(t, c.zone_free[z], zone->nr_free);
		for (unsigned o = 0; o <= MAX_PAGE_ORDER; o++)
			KEXPECT_EQ(t, c.free_blocks[z][o], zone->free_area[o].nr_free);
		if (c.largest_order[z] >= 0) {
			KEXPECT_GT(t, zone->free_area[c.largest_order[z]].nr_free, 0ul);
			for (unsigned o = (unsigned)c.largest_order[z] + 1; o <= MAX_PAGE_ORDER;
			     o++)
				KEXPECT_EQ(t, zone->free_area[o].nr_free, 0ul);
		}
	}
}

static void census_follows_an_allocation(struct ktest *t)
{
	struct page_census before, during, after;
	struct page_block b;

	drain_all_pages();
	page_census_take(&before);
	struct page *p = alloc_pages(GFP_KERNEL, 3);
	KASSERT_NOT_NULL(t, p);
	unsigned long pfn = page_to_pfn(p);
	page_census_take(&during);
	KEXPECT_EQ(t, during.pages[PU_ALLOCATED], before.pages[PU_ALLOCATED] + 8);
	KEXPECT_EQ(t, during.pages[PU_FREE] + during.pages[PU_PCP],
		   before.pages[PU_FREE] + before.pages[PU_PCP] - 8);
	/* Any page of the block leads to the whole block. */
	page_census_block(pfn + 5, &b);
	KEXPECT_EQ(t, b.pfn, pfn);
	KEXPECT_EQ(t, b.pages, 8ul);
	KEXPECT_EQ(t, (int)b.use, PU_ALLOCATED);
	__free_pages(p, 3);
	drain_all_pages();
	page_census_block(pfn, &b);
	KEXPECT_EQ(t, (int)b.use, PU_FREE);
	KEXPECT_GE(t, b.order, 3u);
	page_census_take(&after);
	KEXPECT_EQ(t, after.pages[PU_ALLOCATED], before.pages[PU_ALLOCATED]);
}

static void census_names_the_owners(struct ktest *t)
{
	struct page_block b;

	void *big = kmalloc(20000, GFP_KERNEL); /* kmalloc-large, order 3 */
	void *small = kmalloc(64, GFP_KERNEL);
	KASSERT_NOT_NULL(t, big);
	KASSERT_NOT_NULL(t, small);
	unsigned long pfn = page_to_pfn(virt_to_page(big));
	page_census_block(pfn + 7, &b);
	KEXPECT_EQ(t, (int)b.use, PU_KMALLOC_LARGE);
	KEXPECT_EQ(t, b.pfn, pfn);
	KEXPECT_EQ(t, b.pages, 8ul);
	page_census_block(page_to_pfn(virt_to_page(small)), &b);
	KEXPECT_EQ(t, (int)b.use, PU_SLAB);
	kfree(big);
	kfree(small);
	/* mem_map is where its descriptors say. */
	page_census_block(PFN_DOWN(__pa(mem_map)), &b);
	KEXPECT_EQ(t, (int)b.use, PU_MEMMAP);
}

static void census_fragmentation_indices(struct ktest *t)
{
	unsigned long all_big[NR_PAGE_ORDERS] = { [MAX_PAGE_ORDER] = 3 };
	unsigned long small[NR_PAGE_ORDERS] = { [0] = 4, [2] = 1 }; /* 8 free pages, 5 blocks */
	unsigned long none[NR_PAGE_ORDERS] = { 0 };

	for (unsigned o = 0; o <= MAX_PAGE_ORDER; o++) {
		KEXPECT_EQ(t, census_unusable_index(all_big, o), 0u);
		KEXPECT_EQ(t, census_fragmentation_index(all_big, o), -1000);
		KEXPECT_EQ(t, census_unusable_index(none, o), 1000u);
		KEXPECT_EQ(t, census_fragmentation_index(none, o), 0);
	}
	KEXPECT_EQ(t, census_unusable_index(small, 0), 0u);
	KEXPECT_EQ(t, census_unusable_index(small, 1), 500u); /* the 4 single pages */
	KEXPECT_EQ(t, census_unusable_index(small, 2), 500u);
	KEXPECT_EQ(t, census_unusable_index(small, 3), 1000u);
	KEXPECT_EQ(t, census_fragmentation_index(small, 2), -1000);
	/* order 3: 1000 - (1000 + 8 * 1000 / 8) / 5 = 600: more fragmentation than shortage. */
	KEXPECT_EQ(t, census_fragmentation_index(small, 3), 600);
	/* order 10: 1000 - (1000 + 8000 / 1024) / 5 = 799 */
	KEXPECT_EQ(t, census_fragmentation_index(small, 10), 799);
}

static void census_memmap_fits_one_screen(struct ktest *t)
{
	CENSUS_LOG_BEGIN();
	show_memmap();
	const char *log = CENSUS_LOG_TEXT();
	unsigned rows = 0, lines = 0;

	KEXPECT_NOT_NULL(t, strstr(log, "== memmap =="));
	KEXPECT_NOT_NULL(t, strstr(log, "one character = "));
	KEXPECT_NOT_NULL(t, strstr(log, "legend:"));
	KEXPECT_NOT_NULL(t, strstr(log, "unusable index"));
	KEXPECT_NOT_NULL(t, strstr(log, "pages: the same"));
	/* Map rows look like "  32M |...|": (a timestamp,) spaces, a number, K/M/G, " |". */
	for (const char *s = strstr(log, "== memmap =="); s && *s; s++) {
		if (*s != '\n')
			continue;
		lines++;
		const char *r = s + 1;
		if (*r == '[' && strchr(r, ']')) /* a printk timestamp */
			r = strchr(r, ']') + 1;
		while (*r == ' ')
			r++;
		if (*r < '0' || *r > '9')
			continue;
		while (*r >= '0' && *r <= '9')
			r++;
		if ((*r == 'K' || *r == 'M' || *r == 'G') && r[1] == ' ' && r[2] == '|')
			rows++;
	}
	KEXPECT_GT(t, rows, 0u);
	KEXPECT_LE(t, rows, 16u);
	KEXPECT_LE(t, lines, 40u);
}

static struct ktest_case page_census_cases[] = {
	KTEST_CASE(census_totals_equal_meminfo),   KTEST_CASE(census_follows_an_allocation),
	KTEST_CASE(census_names_the_owners),	   KTEST_CASE(census_fragmentation_indices),
	KTEST_CASE(census_memmap_fits_one_screen), {},
};
KTEST_SUITE(page_census, page_census_cases, .init = PROVENANCE_TEST_INIT);
