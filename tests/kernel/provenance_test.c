/*
 * provenance_test.c - KTAP suite "provenance": the records of which level
 * served an allocation (alloc_pages_info, kmalloc_info,
 * kmem_cache_alloc_info) agree with the allocators' own per-CPU counters,
 * the counters add up (per-CPU hits + refills = allocations), a split names
 * the block it cut, and the trace records each call while on and nothing
 * while off.
 *
 * Portable: tests/host/test_provenance.c includes this file with
 * PROVENANCE_TEST_INIT set to its world builder. Each case works on this
 * CPU's counters only, so idle CPUs cannot disturb it.
 */
#include "kernel/ktest.h"
#include "kernel/printk.h"
#include "kernel/string.h"
#include "mm/gfp.h"
#include "mm/mmzone.h"
#include "mm/page_census.h"
#include "mm/provenance.h"
#include "mm/slab.h"
#include "mm/slab_internal.h"

#ifndef PROVENANCE_TEST_INIT
#define PROVENANCE_TEST_INIT NULL
#endif

#ifdef MM_HOSTED
#define PROV_LOG_BEGIN() host_printk_log_clear()
#define PROV_LOG_TEXT()	 host_printk_log()
#else
#include "kernel/console.h"
static uint64_t prov_log_mark;
static char prov_log[8192];
#define PROV_LOG_BEGIN() (prov_log_mark = log_buf_mark())
#define PROV_LOG_TEXT()	 (log_buf_read(prov_log_mark, prov_log, sizeof(prov_log)), prov_log)
#endif

#define PROV_OBJS 600

/* This CPU's counters of one cache (zero before its array exists). */
struct prov_counts {
	unsigned long hits, refills, depot, partial, empty, fresh, grown;
};

static void prov_read(const struct kmem_cache *c, struct prov_counts *n)
{
	const struct array_cache *ac = c->cpu_cache[smp_processor_id()];
	n->hits = ac_alloc_hits(ac);
	n->refills = ac->refills;
	n->depot = ac->refill_depot;
	n->partial = ac->refill_partial;
	n->empty = ac->refill_empty;
	n->fresh = ac->refill_new;
	n->grown = c->grown;
}

static void prov_expect_match(struct ktest *t, const struct prov_counts *a,
			      const struct prov_counts *b, const unsigned long *paths,
			      unsigned long allocs, unsigned long new_slabs)
{
	/* Every allocation the array served was a hit or ran a refill. */
	KEXPECT_EQ(t, (b->hits - a->hits) + (b->refills - a->refills), allocs);
	KEXPECT_EQ(t, b->hits - a->hits, paths[SA_CPU_HIT]);
	KEXPECT_EQ(t, b->refills - a->refills,
		   paths[SA_REFILL_DEPOT] + paths[SA_REFILL_PARTIAL] + paths[SA_REFILL_EMPTY] +
			   paths[SA_NEW_SLAB]);
	KEXPECT_EQ(t, b->depot - a->depot, paths[SA_REFILL_DEPOT]);
	KEXPECT_EQ(t, b->partial - a->partial, paths[SA_REFILL_PARTIAL]);
	KEXPECT_EQ(t, b->empty - a->empty, paths[SA_REFILL_EMPTY]);
	KEXPECT_EQ(t, b->fresh - a->fresh, paths[SA_NEW_SLAB]);
	KEXPECT_EQ(t, b->grown - a->grown, new_slabs);
	KEXPECT_EQ(t, paths[SA_FAILED], 0ul);
	KEXPECT_EQ(t, paths[SA_DIRECT], 0ul);
}

static void *prov_cache_alloc(struct ktest *t, struct kmem_cache *c, unsigned long *paths,
			      unsigned long *new_slabs)
{
	struct kmalloc_info info;
	void *p = kmem_cache_alloc_info(c, GFP_KERNEL, &info);
	KEXPECT_NOT_NULL(t, p);
	paths[info.path]++;
	*new_slabs += info.new_slabs;
	if (info.path == SA_NEW_SLAB) {
		KEXPECT_GT(t, info.from_new, 0u);
		KEXPECT_NE(t, (int)info.page.path, PA_FAILED);
	}
	if (info.path != SA_CPU_HIT)
		KEXPECT_EQ(t, info.from_partial + info.from_empty + info.from_new, info.refilled);
	KEXPECT_STREQ(t, info.cache, "prov_test");
	return p;
}

/*
 * slab_debug (on the command line): no per-CPU arrays, so every object comes
 * from the slab lists directly, and that is what the record must say.
 */
static bool prov_debug_world(struct ktest *t, struct kmem_cache *c)
{
	struct kmalloc_info info;
	void *objs[8];

	if (!slab_debug_enabled)
		return false;
	for (unsigned i = 0; i < ARRAY_SIZE(objs); i++) {
		objs[i] = c ? kmem_cache_alloc_info(c, GFP_KERNEL, &info)
			    : kmalloc_info(700, GFP_KERNEL, &info);
		KEXPECT_NOT_NULL(t, objs[i]);
		KEXPECT_EQ(t, (int)info.path, SA_DIRECT);
	}
	for (unsigned i = 0; i < ARRAY_SIZE(objs); i++) {
		if (c)
			kmem_cache_free(c, objs[i]);
		else
			kfree(objs[i]);
	}
	return true;
}

static void prov_cache_counters_add_up(struct ktest *t)
{
	static void *objs[PROV_OBJS];
	unsigned long paths[NR_SA_PATHS] = { 0 }, new_slabs = 0, allocs = 0;
	struct prov_counts a, b;

	struct kmem_cache *c = kmem_cache_create("prov_test", 200, 0, 0, NULL);
	KASSERT_NOT_NULL(t, c);
	if (prov_debug_world(t, c)) {
		kmem_cache_destroy(c);
		return;
	}
	/* The first allocation also makes this CPU's array: start counting after it. */
	void *first = kmem_cache_alloc(c, GFP_KERNEL);
	KASSERT_NOT_NULL(t, first);
	prov_read(c, &a);

	/* New slabs, then per-CPU hits. */
	for (unsigned i = 0; i < PROV_OBJS; i++, allocs++)
		objs[i] = prov_cache_alloc(t, c, paths, &new_slabs);
	/* Half back to their slabs (partial now), then allocated again: partial refills. */
	for (unsigned i = 0; i < PROV_OBJS; i += 2)
		kmem_cache_free(c, objs[i]);
	kmem_cache_drain_all();
	for (unsigned i = 0; i < PROV_OBJS; i += 2, allocs++)
		objs[i] = prov_cache_alloc(t, c, paths, &new_slabs);
	/* Everything back: the cache keeps some empty slabs, and the next refill takes those. */
	for (unsigned i = 0; i < PROV_OBJS; i++)
		kmem_cache_free(c, objs[i]);
	kmem_cache_drain_all();
	objs[0] = prov_cache_alloc(t, c, paths, &new_slabs);
	allocs++;
	prov_read(c, &b);

	prov_expect_match(t, &a, &b, paths, allocs, new_slabs);
	KEXPECT_GT(t, paths[SA_CPU_HIT], 0ul);
	KEXPECT_GT(t, paths[SA_NEW_SLAB], 0ul);
	KEXPECT_GT(t, paths[SA_REFILL_PARTIAL], 0ul);
	KEXPECT_EQ(t, paths[SA_REFILL_EMPTY], 1ul);
	ktest_log(t, "%lu allocations: %lu hits, %lu partial, %lu empty, %lu new-slab refills",
		  allocs, paths[SA_CPU_HIT], paths[SA_REFILL_PARTIAL], paths[SA_REFILL_EMPTY],
		  paths[SA_NEW_SLAB]);

	kmem_cache_free(c, objs[0]);
	kmem_cache_free(c, first);
	kmem_cache_destroy(c);
}

static void prov_kmalloc_counters_add_up(struct ktest *t)
{
	static void *objs[PROV_OBJS];
	unsigned long paths[NR_SA_PATHS] = { 0 }, new_slabs = 0;
	struct prov_counts a, b;
	struct kmalloc_info info;

	struct kmem_cache *c = kmalloc_cache_for(700);
	KASSERT_NOT_NULL(t, c);
	if (prov_debug_world(t, NULL))
		return;
	void *first = kmalloc(700, GFP_KERNEL); /* this CPU's array exists from here */
	KASSERT_NOT_NULL(t, first);
	prov_read(c, &a);
	for (unsigned i = 0; i < PROV_OBJS; i++) {
		objs[i] = kmalloc_info(700, GFP_KERNEL, &info);
		KEXPECT_NOT_NULL(t, objs[i]);
		KEXPECT_STREQ(t, info.cache, c->name);
		KEXPECT_EQ(t, info.obj_size, c->object_size);
		KEXPECT_EQ(t, info.cpu, smp_processor_id());
		paths[info.path]++;
		new_slabs += info.new_slabs;
	}
	prov_read(c, &b);
	prov_expect_match(t, &a, &b, paths, PROV_OBJS, new_slabs);
	KEXPECT_GT(t, paths[SA_NEW_SLAB], 0ul);
	for (unsigned i = 0; i < PROV_OBJS; i++)
		kfree(objs[i]);
	kfree(first);

	/* The other levels kmalloc can name. */
	void *p = kmalloc_info(0, GFP_KERNEL, &info);
	KEXPECT_EQ(t, (int)info.path, SA_ZERO);
	KEXPECT_TRUE(t, p == ZERO_SIZE_PTR);
	p = kmalloc_info(KMALLOC_MAX_CACHE_SIZE + 1, GFP_KERNEL, &info);
	KASSERT_NOT_NULL(t, p);
	KEXPECT_EQ(t, (int)info.path, SA_LARGE);
	KEXPECT_EQ(t, info.order, 2u);
	KEXPECT_EQ(t, info.pfn, page_to_pfn(virt_to_page(p)));
	KEXPECT_NE(t, (int)info.page.path, PA_FAILED);
	kfree(p);
	p = kmalloc_info(64, GFP_DMA | __GFP_NOWARN, &info);
	if (p) {
		KEXPECT_EQ(t, (int)info.path, SA_LARGE); /* DMA requests are whole pages */
		KEXPECT_EQ(t, info.page.zone, (unsigned)ZONE_DMA);
		kfree(p);
	}
	p = kmalloc_info((PAGE_SIZE << MAX_PAGE_ORDER) + 1, GFP_KERNEL | __GFP_NOWARN, &info);
	KEXPECT_NULL(t, p);
	KEXPECT_EQ(t, (int)info.path, SA_FAILED);
}

static void prov_page_counters_add_up(struct ktest *t)
{
	static struct page *pages[300];
	static const unsigned orders[] = { 0, 2, 5 };
	static const unsigned counts[] = { 200, 60, 20 };
	unsigned long paths[4] = { 0 }, hit0, refill0, alloc0[NR_PAGE_ORDERS];
	struct page_alloc_info info;
	unsigned n = 0, cpu = smp_processor_id();

	drain_all_pages();
	struct page *probe = alloc_pages_info(GFP_KERNEL, 0, &info);
	KASSERT_NOT_NULL(t, probe);
	__free_pages(probe, 0);
	const struct per_cpu_pages *pcp = &page_zones[info.preferred_zone].pcp[cpu];
	hit0 = pcp->nr_hit;
	refill0 = pcp->nr_refill;
	memcpy(alloc0, pcp->nr_alloc, sizeof(alloc0));

	for (unsigned k = 0; k < ARRAY_SIZE(orders); k++) {
		for (unsigned i = 0; i < counts[k]; i++) {
			pages[n] = alloc_pages_info(GFP_KERNEL, orders[k], &info);
			KASSERT_NOT_NULL(t, pages[n]);
			n++;
			KEXPECT_FALSE(t, info.fallback);
			KEXPECT_EQ(t, info.zone, info.preferred_zone);
			KEXPECT_EQ(t, page_zonenum(pages[n - 1]), info.zone);
			KEXPECT_GE(t, info.split_from, orders[k]);
			if (orders[k] > PCP_MAX_ORDER)
				KEXPECT_EQ(t, (int)info.path, PA_BUDDY);
			else
				KEXPECT_NE(t, (int)info.path, PA_BUDDY);
			paths[info.path]++;
		}
	}
	KEXPECT_EQ(t, pcp->nr_hit - hit0, paths[PA_PCP_HIT]);
	KEXPECT_EQ(t, pcp->nr_refill - refill0, paths[PA_PCP_REFILL]);
	KEXPECT_EQ(t, pcp->nr_alloc[5] - alloc0[5], paths[PA_BUDDY]);
	for (unsigned k = 0; k < ARRAY_SIZE(orders); k++)
		KEXPECT_EQ(t, pcp->nr_alloc[orders[k]] - alloc0[orders[k]],
			   (unsigned long)counts[k]);
	/* Allocations of the per-CPU orders = hits + refills. */
	KEXPECT_EQ(t, (pcp->nr_hit - hit0) + (pcp->nr_refill - refill0),
		   (unsigned long)(counts[0] + counts[1]));
	ktest_log(t, "%u allocations: %lu per-CPU hits, %lu refills, %lu from the buddy lists", n,
		  paths[PA_PCP_HIT], paths[PA_PCP_REFILL], paths[PA_BUDDY]);

	n = 0;
	for (unsigned k = 0; k < ARRAY_SIZE(orders); k++)
		for (unsigned i = 0; i < counts[k]; i++)
			__free_pages(pages[n++], orders[k]);
}

static void prov_split_names_the_block_cut(struct ktest *t)
{
	struct page_alloc_info info;
	const unsigned order = 6;

	drain_all_pages();
	struct page *probe = alloc_pages_info(GFP_KERNEL, 0, &info);
	KASSERT_NOT_NULL(t, probe);
	__free_pages(probe, 0);
	drain_all_pages();
	/* The smallest order >= 6 that has a free block is the one that must be cut. */
	const struct zone *zone = &page_zones[info.preferred_zone];
	unsigned expect = order;
	while (expect <= MAX_PAGE_ORDER && !zone->free_area[expect].nr_free)
		expect++;
	KASSERT_LE(t, expect, (unsigned)MAX_PAGE_ORDER);

	struct page *p = alloc_pages_info(GFP_KERNEL, order, &info);
	KASSERT_NOT_NULL(t, p);
	unsigned long pfn = page_to_pfn(p);
	KEXPECT_EQ(t, (int)info.path, PA_BUDDY);
	KEXPECT_EQ(t, info.split_from, expect);
	KEXPECT_EQ(t, pfn & ((1UL << info.split_from) - 1), 0ul);
	/* The upper halves are free blocks of each order between. */
	for (unsigned k = order; k < info.split_from; k++) {
		const struct page *half = pfn_to_page(pfn + (1UL << k));
		KEXPECT_TRUE(t, half->flags & PG_buddy);
		KEXPECT_EQ(t, page_order(half), k);
	}
	__free_pages(p, order);
	/* And the free merges them back into the block that was cut. */
	struct page_block b;
	page_census_block(pfn, &b);
	KEXPECT_EQ(t, (int)b.use, PU_FREE);
	KEXPECT_EQ(t, b.pfn, pfn);
	KEXPECT_EQ(t, b.order, info.split_from);
}

static void prov_trace_records_while_on(struct ktest *t)
{
	bool was = mm_trace_enabled;

	mm_trace_clear();
	mm_trace_set(true);
	void *p = kmalloc(100, GFP_KERNEL);
	kfree(p);
	struct page *pg = alloc_pages(GFP_KERNEL, 1);
	__free_pages(pg, 1);
	struct kmem_cache *c = kmalloc_cache_for(64);
	void *q = kmem_cache_alloc(c, GFP_KERNEL);
	kmem_cache_free(c, q);
	mm_trace_set(false);
	unsigned long n = mm_trace_count();
	/* Six calls; a refill may have added the slab's own page allocation. */
	KEXPECT_GE(t, n, 6ul);

	/* Off: nothing recorded. */
	p = kmalloc(100, GFP_KERNEL);
	kfree(p);
	pg = alloc_pages(GFP_KERNEL, 1);
	__free_pages(pg, 1);
	KEXPECT_EQ(t, mm_trace_count(), n);

	PROV_LOG_BEGIN();
	mm_trace_show(0);
	const char *log = PROV_LOG_TEXT();
	KEXPECT_NOT_NULL(t, strstr(log, "== trace =="));
	KEXPECT_NOT_NULL(t, strstr(log, "kmalloc 100 -> "));
	KEXPECT_NOT_NULL(t, strstr(log, "kfree "));
	KEXPECT_NOT_NULL(t, strstr(log, "alloc_pages order 1 gfp 0x0 -> pfn "));
	KEXPECT_NOT_NULL(t, strstr(log, "free_pages pfn "));
	KEXPECT_NOT_NULL(t, strstr(log, "kmem_cache_alloc "));
	KEXPECT_NOT_NULL(t, strstr(log, "kmem_cache_free "));

	/* The ring keeps the last MM_TRACE_EVENTS and counts them all. */
	mm_trace_clear();
	mm_trace_set(true);
	for (unsigned i = 0; i < MM_TRACE_EVENTS; i++) {
		p = kmalloc(32, GFP_KERNEL);
		kfree(p);
	}
	mm_trace_set(false);
	KEXPECT_GE(t, mm_trace_count(), 2ul * MM_TRACE_EVENTS);
	PROV_LOG_BEGIN();
	mm_trace_show(3);
	KEXPECT_NOT_NULL(t, strstr(PROV_LOG_TEXT(), "the last 3 "));

	mm_trace_clear();
	KEXPECT_EQ(t, mm_trace_count(), 0ul);
	mm_trace_set(was);
}

static struct ktest_case provenance_cases[] = {
	KTEST_CASE(prov_cache_counters_add_up),	 KTEST_CASE(prov_kmalloc_counters_add_up),
	KTEST_CASE(prov_page_counters_add_up),	 KTEST_CASE(prov_split_names_the_block_cut),
	KTEST_CASE(prov_trace_records_while_on), {},
};
KTEST_SUITE(provenance, provenance_cases, .init = PROVENANCE_TEST_INIT);
