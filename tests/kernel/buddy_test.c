/*
 * buddy_test.c - KTAP suite "buddy": the zoned buddy allocator on the real
 * machine, with whatever RAM QEMU was given (MEM=512M ... 6G).
 *
 * The exhaustion cases take all memory a gfp class can reach, in order-10
 * blocks first (a few thousand at most, even at 6 GiB) and then in smaller
 * orders for the fragments the boot left, so they stay fast under TCG. Every
 * block is checked to be aligned, inside the zones its flags allow and
 * disjoint from every other (a bitmap over all pfns, itself allocated from
 * the allocator before the snapshot). Allocated blocks are chained through
 * their own first bytes, so the test needs no other memory. When everything
 * is given back, the free lists must be exactly as before: all merged.
 *
 * The other CPUs sit in their idle loops meanwhile (nothing else allocates).
 */
#include "kernel/arch.h"
#include "kernel/errno.h"
#include "kernel/ktest.h"
#include "kernel/printk.h"
#include "kernel/sections.h"
#include "kernel/string.h"
#include "mm/gfp.h"
#include "mm/mmzone.h"
#include "mm/page.h"
#include "mm/page_alloc_test.h"

/* Counters against literals: the comparisons are exact either way. */
#pragma GCC diagnostic ignored "-Wsign-compare"

#define BLOCK_MAGIC 0x6275646479626c6bull /* "buddyblk" */

/* Written into the first bytes of each block the test holds. */
struct block_hdr {
	uint64_t magic; /* BLOCK_MAGIC ^ pfn */
	uint32_t next;	/* pfn of the previously taken block, PFN_NIL at the end */
	uint32_t order;
};

struct chain {
	uint32_t head;
	unsigned long blocks, pages;
	unsigned long per_order[NR_PAGE_ORDERS];
	unsigned long per_zone[MAX_NR_ZONES];
};

/* One bit per pfn: set while the test holds that page. */
struct owned {
	unsigned long *bits;
	struct page *page;
	unsigned order;
};

static bool owned_init(struct ktest *t, struct owned *o)
{
	unsigned long bytes = ALIGN_UP(max_pfn, 64) / 8;
	o->order = 0;
	while ((PAGE_SIZE << o->order) < bytes)
		o->order++;
	o->page = alloc_pages(GFP_KERNEL | __GFP_ZERO, o->order);
	KEXPECT_NOT_NULL(t, o->page);
	o->bits = o->page ? page_address(o->page) : NULL;
	return o->page != NULL;
}

static void owned_release(struct owned *o)
{
	if (o->page)
		__free_pages(o->page, o->order);
	o->page = NULL;
}

static unsigned long highest_pfn_for(gfp_t gfp)
{
	if (gfp & __GFP_DMA)
		return ZONE_DMA_END_PFN;
	if (gfp & __GFP_DMA32)
		return ZONE_DMA32_END_PFN;
	return max_pfn;
}

/*
 * Check a block the allocator just returned and take it into the chain.
 * Returns false (after recording the failure) when the block is wrong.
 */
static bool take(struct ktest *t, struct chain *c, struct owned *o, struct page *p, unsigned order,
		 gfp_t gfp)
{
	unsigned long pfn = page_to_pfn(p), n = 1UL << order;
	bool ok = true;

	if (pfn & (n - 1)) {
		ktest_log(t, "order-%u block at unaligned pfn %#lx", order, pfn);
		ok = false;
	}
	if (pfn + n > highest_pfn_for(gfp) || pfn + n > max_pfn) {
		ktest_log(t, "gfp %#x: order-%u block at pfn %#lx is above its zones", gfp, order,
			  pfn);
		ok = false;
	}
	if (p->_refcount != 1 ||
	    (p->flags & ~PG_ZONE_MASK) != (order ? PG_head | (order << PG_ORDER_SHIFT) : 0u)) {
		ktest_log(t, "new block at pfn %#lx: flags %#x refcount %d", pfn, p->flags,
			  p->_refcount);
		ok = false;
	}
	for (unsigned long i = 0; ok && i < n; i++) {
		unsigned long q = pfn + i;
		if (o->bits[q / 64] & (1UL << (q % 64))) {
			ktest_log(t, "pfn %#lx handed out twice (order-%u block at %#lx)", q, order,
				  pfn);
			ok = false;
		}
	}
	if (!ok) {
		KEXPECT_TRUE(t, ok);
		return false;
	}
	for (unsigned long i = 0; i < n; i++)
		o->bits[(pfn + i) / 64] |= 1UL << ((pfn + i) % 64);
	struct block_hdr *h = page_address(p);
	h->magic = BLOCK_MAGIC ^ pfn;
	h->next = c->head;
	h->order = order;
	c->head = (uint32_t)pfn;
	c->blocks++;
	c->pages += n;
	c->per_order[order]++;
	c->per_zone[page_zonenum(p)]++;
	return true;
}

/* Give back every block of the chain (newest first), checking each header survived. */
static void give_back(struct ktest *t, struct chain *c, struct owned *o)
{
	unsigned long bad = 0;

	while (c->head != PFN_NIL) {
		unsigned long pfn = c->head;
		struct block_hdr *h = __va(PFN_PHYS(pfn));
		unsigned order = h->order;
		if (h->magic != (BLOCK_MAGIC ^ pfn) || order > MAX_PAGE_ORDER) {
			ktest_log(t, "block at pfn %#lx was overwritten (magic %#llx)", pfn,
				  (unsigned long long)h->magic);
			KEXPECT_TRUE(t, false);
			return; /* the chain cannot be trusted past this point */
		}
		c->head = h->next;
		for (unsigned long i = 0; i < (1UL << order); i++)
			o->bits[(pfn + i) / 64] &= ~(1UL << ((pfn + i) % 64));
		bad += free_pages_checked(pfn_to_page(pfn), order, 0) != 0;
	}
	KEXPECT_EQ(t, bad, 0);
}

/* Take every block gfp can get, order `top` first, then each lower order. */
static void take_all(struct ktest *t, struct chain *c, struct owned *o, gfp_t gfp, unsigned top)
{
	for (int order = (int)top; order >= 0; order--) {
		struct page *p;
		while ((p = alloc_pages(gfp | __GFP_NOWARN, (unsigned)order)))
			if (!take(t, c, o, p, (unsigned)order, gfp)) {
				__free_pages(p, (unsigned)order);
				return;
			}
	}
}

static void chain_init(struct chain *c)
{
	memset(c, 0, sizeof(*c));
	c->head = PFN_NIL;
}

/* ---- exhaustion per zone, every order, then exactly back ---- */

static void exhaust_and_restore(struct ktest *t, gfp_t gfp, const char *what)
{
	struct owned o;
	struct chain c;
	struct buddy_snapshot before, after;

	if (!owned_init(t, &o))
		return;
	chain_init(&c);
	drain_all_pages();
	buddy_snapshot(&before, 0, 0);
	unsigned long free0 = nr_free_pages();

	/* One block of every order first (where the zones have one), then everything. */
	for (unsigned order = 0; order <= MAX_PAGE_ORDER; order++) {
		struct page *p = alloc_pages(gfp | __GFP_NOWARN, order);
		if (p && !take(t, &c, &o, p, order, gfp))
			__free_pages(p, order);
	}
	take_all(t, &c, &o, gfp | __GFP_HIGH, MAX_PAGE_ORDER);
	KEXPECT_EQ(t, nr_free_pages() + c.pages, free0);
	KEXPECT_GT(t, c.blocks, 0);
	ktest_log(t,
		  "%s: took %lu pages in %lu blocks (order 10: %lu, order 0: %lu; DMA %lu, "
		  "DMA32 %lu, Normal %lu)",
		  what, c.pages, c.blocks, c.per_order[10], c.per_order[0], c.per_zone[0],
		  c.per_zone[1], c.per_zone[2]);
	/* Nothing more at any order; the free lists hold only the floors. */
	KEXPECT_NULL(t, alloc_pages(gfp | __GFP_HIGH | __GFP_NOWARN, 0));
	KEXPECT_EQ(t, buddy_check_full(), 0);

	give_back(t, &c, &o);
	drain_all_pages();
	buddy_snapshot(&after, 0, 0);
	KEXPECT_TRUE(t, buddy_snapshot_equal(&before, &after, false, what));
	KEXPECT_EQ(t, nr_free_pages(), free0);
	owned_release(&o);
}

static void exhaust_dma_every_order(struct ktest *t)
{
	exhaust_and_restore(t, GFP_DMA, "GFP_DMA");
}

static void exhaust_dma32_every_order(struct ktest *t)
{
	exhaust_and_restore(t, GFP_DMA32, "GFP_DMA32");
}

static void exhaust_kernel_every_order(struct ktest *t)
{
	exhaust_and_restore(t, GFP_KERNEL, "GFP_KERNEL");
}

/* ---- zones ---- */

static void dma_zones_are_respected(struct ktest *t)
{
	for (unsigned i = 0; i < 300; i++) {
		unsigned order = i % 11;
		struct page *d = alloc_pages(GFP_DMA, order % 6);
		struct page *d32 = alloc_pages(GFP_DMA32, order);
		struct page *n = alloc_pages(GFP_KERNEL, order);
		KASSERT_NOT_NULL(t, d);
		KASSERT_NOT_NULL(t, d32);
		KASSERT_NOT_NULL(t, n);
		KEXPECT_LE(t, page_to_phys(d) + (PAGE_SIZE << (order % 6)), 16ULL << 20);
		KEXPECT_LE(t, page_to_phys(d32) + (PAGE_SIZE << order), 4ULL << 30);
		KEXPECT_EQ(t, page_zonenum(d), ZONE_DMA);
		/* With RAM above 16 MiB, DMA32 requests do not take DMA memory. */
		KEXPECT_NE(t, page_zonenum(d32), ZONE_DMA);
		if (populated_zone(&page_zones[ZONE_NORMAL]))
			KEXPECT_EQ(t, page_zonenum(n), ZONE_NORMAL);
		__free_pages(d, order % 6);
		__free_pages(d32, order);
		__free_pages(n, order);
	}
}

static void fallback_goes_down_and_respects_reserves(struct ktest *t)
{
	struct owned o;
	struct chain c;
	struct page_alloc_info info;
	unsigned last = MAX_NR_ZONES;

	if (!owned_init(t, &o))
		return;
	chain_init(&c);
	drain_all_pages();
	unsigned long start_free[MAX_NR_ZONES];
	for (unsigned z = 0; z < MAX_NR_ZONES; z++)
		start_free[z] = page_zones[z].nr_free;

	for (int order = MAX_PAGE_ORDER; order >= 0; order--) {
		struct page *p;
		while ((p = alloc_pages_info(GFP_KERNEL | __GFP_NOWARN, (unsigned)order, &info))) {
			KEXPECT_EQ(t, info.zone, page_zonenum(p));
			KEXPECT_EQ(t, info.fallback, info.zone != info.preferred_zone);
			if (order == MAX_PAGE_ORDER) {
				/* Order-10 blocks come from the highest zone that still has one. */
				KEXPECT_LE(t, info.zone, last);
				last = info.zone;
			}
			if (!take(t, &c, &o, p, (unsigned)order, GFP_KERNEL)) {
				__free_pages(p, (unsigned)order);
				break;
			}
		}
	}
	/*
	 * Ordinary requests stop at each zone's min watermark plus the reserve
	 * it keeps from requests that could have used a higher zone; a zone whose
	 * reserve exceeds what it had is not touched at all.
	 */
	unsigned highest = ZONE_NORMAL;
	for (unsigned z = 0; z < MAX_NR_ZONES; z++) {
		const struct zone *zone = &page_zones[z];
		if (!populated_zone(zone))
			continue;
		unsigned long floor = zone->watermark[WMARK_MIN] + zone->lowmem_reserve[highest];
		if (start_free[z] > floor)
			KEXPECT_EQ(t, zone->nr_free, floor);
		else
			KEXPECT_EQ(t, zone->nr_free, start_free[z]);
		ktest_log(t, "zone %s: free %lu -> %lu (min %lu + reserve %lu)", zone->name,
			  start_free[z], zone->nr_free, zone->watermark[WMARK_MIN],
			  zone->lowmem_reserve[highest]);
	}
	/* The reserves are there for the requests that need them. */
	struct page *d = alloc_pages(GFP_DMA | __GFP_NOWARN, 0);
	KEXPECT_NOT_NULL(t, d);
	if (d)
		__free_pages(d, 0);
	give_back(t, &c, &o);
	owned_release(&o);
	KEXPECT_EQ(t, buddy_check_full(), 0);
}

/* ---- __GFP_ZERO ---- */

static void gfp_zero_returns_zeroed_pages(struct ktest *t)
{
	for (unsigned order = 0; order <= 4; order++) {
		struct page *p = alloc_pages(GFP_KERNEL, order);
		KASSERT_NOT_NULL(t, p);
		memset(page_address(p), 0xc3, PAGE_SIZE << order);
		__free_pages(p, order);
		struct page *q = alloc_pages(GFP_KERNEL | __GFP_ZERO, order);
		KASSERT_NOT_NULL(t, q);
		KEXPECT_EQ(t, q, p); /* hot block first: the dirty one comes back */
		const uint64_t *w = page_address(q);
		unsigned long nonzero = 0;
		for (unsigned long i = 0; i < (PAGE_SIZE << order) / 8; i++)
			nonzero += w[i] != 0;
		KEXPECT_EQ(t, nonzero, 0);
		__free_pages(q, order);
	}
	uintptr_t z = get_zeroed_page(GFP_KERNEL);
	KASSERT_NE(t, z, 0);
	KEXPECT_EQ(t, ((uint64_t *)z)[0] | ((uint64_t *)z)[511], 0);
	free_page(z);
}

/* ---- per-CPU lists ---- */

static void pcp_refill_and_drain(struct ktest *t)
{
	struct page_alloc_info info;
	struct page *pages[400];

	drain_all_pages();
	struct page *first = alloc_pages_info(GFP_KERNEL, 0, &info);
	KASSERT_NOT_NULL(t, first);
	struct zone *zone = &page_zones[info.zone];
	struct per_cpu_pages *pcp = &zone->pcp[smp_processor_id()];
	int batch = pcp->batch, high = pcp->high;
	unsigned long refills = pcp->nr_refill, drains = pcp->nr_drain;

	KEXPECT_EQ(t, info.path, PA_PCP_REFILL);
	KEXPECT_EQ(t, pcp->count, batch - 1);
	KEXPECT_GE(t, batch, 1);
	KEXPECT_EQ(t, high, 6 * batch);
	unsigned n = (unsigned)MIN(high + batch, (int)ARRAY_SIZE(pages));
	for (unsigned i = 0; i < n; i++) {
		pages[i] = alloc_pages_info(GFP_KERNEL, 0, &info);
		KASSERT_NOT_NULL(t, pages[i]);
		/* Every batch-th allocation refills; the others are hits. */
		KEXPECT_EQ(t, info.path, (i + 1) % (unsigned)batch ? PA_PCP_HIT : PA_PCP_REFILL);
	}
	KEXPECT_EQ(t, pcp->nr_refill, refills + n / (unsigned)batch);
	__free_pages(first, 0);
	int expect = pcp->count;
	unsigned long expect_drains = drains;
	for (unsigned i = 0; i < n; i++) {
		__free_pages(pages[i], 0);
		if (++expect >= high) {
			expect -= batch;
			expect_drains++;
		}
		KEXPECT_EQ(t, pcp->count, expect);
	}
	KEXPECT_EQ(t, pcp->nr_drain, expect_drains);
	KEXPECT_GT(t, expect_drains, drains);
	unsigned long free_before = nr_free_pages(), zone_before = zone->nr_free;
	drain_local_pages();
	KEXPECT_EQ(t, pcp->count, 0);
	KEXPECT_EQ(t, zone->nr_free, zone_before + (unsigned long)expect);
	KEXPECT_EQ(t, nr_free_pages(), free_before);
	KEXPECT_EQ(t, buddy_check_full(), 0);
}

/* ---- bad frees ---- */

static void expect_refused(struct ktest *t, struct page *page, unsigned order, const char *what)
{
	struct buddy_snapshot a, b;

	buddy_snapshot(&a, 0, 0);
	int ret = free_pages_checked(page, order, (uintptr_t)expect_refused);
	buddy_snapshot(&b, 0, 0);
	if (ret != -EINVAL)
		ktest_log(t, "%s: free was accepted", what);
	KEXPECT_EQ(t, ret, -EINVAL);
	KEXPECT_TRUE(t, buddy_snapshot_equal(&a, &b, true, what));
}

static void bad_frees_are_detected_and_harmless(struct ktest *t)
{
	ktest_log(t, "the BAD FREE reports below are expected");
	struct page *p = alloc_pages(GFP_KERNEL, 0);
	KASSERT_NOT_NULL(t, p);
	__free_pages(p, 0);
	expect_refused(t, p, 0, "double free (per-CPU list)");
	drain_all_pages();
	expect_refused(t, p, 0, "double free (buddy lists)");

	struct page *b2 = alloc_pages(GFP_KERNEL, 2);
	struct page *b0 = alloc_pages(GFP_KERNEL, 0);
	KASSERT_NOT_NULL(t, b2);
	KASSERT_NOT_NULL(t, b0);
	expect_refused(t, b2, 1, "order 2 freed as 1");
	expect_refused(t, b2, 3, "order 2 freed as 3");
	expect_refused(t, b2, 0, "order 2 freed as 0");
	expect_refused(t, b2 + 1, 0, "non-first page of a block");
	expect_refused(t, b2 + 2, 1, "unaligned non-first page");
	expect_refused(t, b0, 1, "order 0 freed as 1");
	expect_refused(t, b0, MAX_PAGE_ORDER + 1, "order above MAX_PAGE_ORDER");
	expect_refused(t, mem_map + max_pfn, 0, "pfn beyond max_pfn");
	expect_refused(t, (struct page *)((char *)b0 + 8), 0, "misaligned descriptor pointer");
	expect_refused(t, NULL, 0, "NULL");

	/* A page inside a free block. */
	struct page *inside = NULL;
	for (unsigned z = 0; z < MAX_NR_ZONES && !inside; z++)
		for (unsigned o = 1; o <= MAX_PAGE_ORDER && !inside; o++)
			if (page_zones[z].free_area[o].nr_free)
				inside = page_list_first(&page_zones[z].free_area[o].free_list) + 1;
	KASSERT_NOT_NULL(t, inside);
	expect_refused(t, inside, 0, "inside a free block");
	expect_refused(t, inside - 1, page_order(inside - 1), "head of a free block");

	/* Holes and reserved pages: the first hole, the kernel image, mem_map itself. */
	for (unsigned long pfn = 0; pfn < max_pfn; pfn++)
		if (mem_map[pfn].flags & PG_hole) {
			expect_refused(t, pfn_to_page(pfn), 0, "hole");
			break;
		}
	expect_refused(t, phys_to_page(__pa_symbol(_text_start)), 0, "kernel text");
	expect_refused(t, virt_to_page(mem_map), 0, "mem_map");

	/* Pages that belong to someone else. */
	static const uint32_t roles[] = { PG_pgtable, PG_slab, PG_tail, PG_large_kmalloc,
					  PG_guard };
	for (unsigned i = 0; i < ARRAY_SIZE(roles); i++) {
		b0->flags |= roles[i];
		expect_refused(t, b0, 0, "role flag set");
		b0->flags &= ~roles[i];
	}
	KEXPECT_EQ(t, free_pages_checked(b2, 2, 0), 0);
	KEXPECT_EQ(t, free_pages_checked(b0, 0, 0), 0);
	KEXPECT_EQ(t, buddy_check_full(), 0);
}

static void impossible_requests_return_null(struct ktest *t)
{
	KEXPECT_NULL(t, alloc_pages(GFP_KERNEL | __GFP_NOWARN, MAX_PAGE_ORDER + 1));
	KEXPECT_NULL(t, alloc_pages(GFP_KERNEL | __GFP_NOWARN, 31));
	KEXPECT_EQ(t, __get_free_pages(GFP_KERNEL | __GFP_NOWARN, 20), 0);
}

/* ---- fragmentation (in the DMA zone: 16 MiB whatever MEM is) ---- */

static void fragmentation_then_merge_back(struct ktest *t)
{
	struct owned o;
	struct chain keep, odd, pairs;
	struct buddy_snapshot before, after;
	const struct zone *dma = &page_zones[ZONE_DMA];

	if (!populated_zone(dma))
		KTEST_SKIP(t, "no DMA zone");
	if (!owned_init(t, &o))
		return;
	chain_init(&keep);
	chain_init(&odd);
	chain_init(&pairs);
	drain_all_pages();
	buddy_snapshot(&before, 0, 0);

	/* The whole DMA zone as single pages; then the odd pfns go back. */
	struct page *p;
	while ((p = alloc_pages(GFP_DMA | __GFP_HIGH | __GFP_NOWARN, 0))) {
		bool ok = take(t, page_to_pfn(p) % 2 ? &odd : &keep, &o, p, 0, GFP_DMA);
		if (!ok) {
			__free_pages(p, 0);
			break;
		}
	}
	KEXPECT_GT(t, odd.pages, 1000);
	unsigned long freed = odd.pages;
	give_back(t, &odd, &o);
	drain_all_pages();
	/* Lots free, but every freed page's buddy is held: order 0 (but near the floor). */
	unsigned long higher = 0;
	for (unsigned ord = 1; ord <= MAX_PAGE_ORDER; ord++)
		higher += dma->free_area[ord].nr_free << ord;
	KEXPECT_GE(t, dma->free_area[0].nr_free + 64, freed);
	KEXPECT_LT(t, higher, 128);
	/* Order 1 can only come from those few higher blocks, then fails. */
	while ((p = alloc_pages(GFP_DMA | __GFP_HIGH | __GFP_NOWARN, 1)))
		if (!take(t, &pairs, &o, p, 1, GFP_DMA)) {
			__free_pages(p, 1);
			break;
		}
	KEXPECT_LE(t, pairs.pages, higher);
	KEXPECT_EQ(t, buddy_check_full(), 0);

	give_back(t, &pairs, &o);
	give_back(t, &keep, &o);
	drain_all_pages();
	buddy_snapshot(&after, 0, 0);
	KEXPECT_TRUE(t, buddy_snapshot_equal(&before, &after, false, "fragmentation"));
	owned_release(&o);
}

/* Not a timing assertion: the checker's cost, logged, and it finds nothing wrong. */
static void checker_cost_is_logged(struct ktest *t)
{
	uint64_t t0 = arch_cycles();
	unsigned quick = buddy_check();
	uint64_t t1 = arch_cycles();
	unsigned full = buddy_check_full();
	uint64_t t2 = arch_cycles();

	KEXPECT_EQ(t, quick, 0);
	KEXPECT_EQ(t, full, 0);
	ktest_log(t, "buddy_check: %llu kcycles, buddy_check_full: %llu kcycles (max_pfn %#lx)",
		  (unsigned long long)(t1 - t0) / 1000, (unsigned long long)(t2 - t1) / 1000,
		  max_pfn);
}

static struct ktest_case buddy_cases[] = {
	KTEST_CASE(exhaust_dma_every_order),
	KTEST_CASE(exhaust_dma32_every_order),
	KTEST_CASE(exhaust_kernel_every_order),
	KTEST_CASE(dma_zones_are_respected),
	KTEST_CASE(fallback_goes_down_and_respects_reserves),
	KTEST_CASE(gfp_zero_returns_zeroed_pages),
	KTEST_CASE(pcp_refill_and_drain),
	KTEST_CASE(bad_frees_are_detected_and_harmless),
	KTEST_CASE(impossible_requests_return_null),
	KTEST_CASE(fragmentation_then_merge_back),
	KTEST_CASE(checker_cost_is_logged),
	{},
};
KTEST_SUITE(buddy, buddy_cases);
