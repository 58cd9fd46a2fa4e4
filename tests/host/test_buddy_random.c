/*
 * test_buddy_random.c - randomized test of the buddy allocator against a
 * reference model, under ASan+UBSan.
 *
 * The model is one byte per pfn: 0 = free, RESERVED = never the allocator's,
 * otherwise the tag of the allocation that owns it. Every allocation must be
 * aligned, inside the zones its gfp flags allow, marked as an allocated head,
 * zeroed if asked, and made only of pages the model says are free; every free
 * must find its pages still tagged as its own. Allocations grow until the
 * allocator refuses, then shrink, over and over (so watermarks, fallback and
 * the drain-and-retry path are exercised), while the calling "CPU" changes at
 * random (several CPUs' per-CPU lists in use). At the end everything is freed
 * and the free lists must be exactly as they were after boot: all merged.
 *
 * Seeded xorshift64; the seed is printed and can be given in BUDDY_SEED.
 * Operation counts: BUDDY_OPS (default 1,000,000 in the 256 MiB world, plus
 * a quarter of that in the 6 GiB world).
 */
#include <time.h>

#include "tests/host/test_buddy_world.h"

#include "kernel/errno.h"
#include "kernel/xorshift.h"

#pragma GCC diagnostic ignored "-Wsign-compare"

#define RESERVED 1
#define NCPUS	 4

static uint64_t rng;

static uint64_t next(void)
{
	return xorshift64(&rng);
}

static unsigned below(unsigned n)
{
	return (unsigned)(next() % n);
}

/* Orders weighted towards small ones, as real traffic is. */
static unsigned random_order(void)
{
	unsigned r = below(100);
	if (r < 50)
		return 0;
	if (r < 65)
		return 1;
	if (r < 75)
		return 2;
	if (r < 83)
		return 3;
	return 4 + below(7); /* 4..10, 17% together */
}

static gfp_t random_gfp(void)
{
	static const gfp_t kinds[] = { GFP_KERNEL, GFP_KERNEL,		GFP_KERNEL, GFP_KERNEL,
				       GFP_DMA32,  GFP_DMA32,		GFP_ATOMIC, GFP_ATOMIC,
				       GFP_DMA,	   GFP_DMA | GFP_ATOMIC };
	gfp_t g = kinds[below(ARRAY_SIZE(kinds))];
	if (below(20) == 0)
		g |= __GFP_ZERO;
	return g | __GFP_NOWARN;
}

struct live {
	struct page *page;
	unsigned order;
	unsigned char tag;
};

struct run_stats {
	unsigned long allocs, frees, failures, bad_frees, zeroed, cycles;
	unsigned long per_zone[MAX_NR_ZONES];
};

static void run(struct ktest *t, enum world w, unsigned long ops)
{
	buddy_world(w, true);
	nr_cpu_ids = NCPUS;

	struct buddy_snapshot boot, end;
	unsigned char *model = calloc(max_pfn, 1);
	struct live *live = calloc(1u << 20, sizeof(*live));
	size_t nlive = 0, cap = 1u << 20;
	unsigned long live_pages = 0, failures_in_phase = 0;
	struct run_stats st = { 0 };
	bool growing = true;
	unsigned problems = 0;

	KASSERT_NOT_NULL(t, model);
	KASSERT_NOT_NULL(t, live);
	for (unsigned long pfn = 0; pfn < max_pfn; pfn++)
		if (mem_map[pfn].flags & PG_reserved)
			model[pfn] = RESERVED;
	buddy_snapshot(&boot, 0, 0);

	for (unsigned long op = 0; op < ops && problems < 20; op++) {
		host_set_cpu(below(NCPUS));
		bool do_alloc = nlive == 0 || (nlive < cap && below(100) < (growing ? 70u : 30u));

		if (do_alloc) {
			unsigned order = random_order();
			gfp_t gfp = random_gfp();
			struct page *p = alloc_pages(gfp, order);
			if (!p) {
				st.failures++;
				if (++failures_in_phase > 50 && growing) {
					growing = false;
					st.cycles++;
				}
				continue;
			}
			unsigned long pfn = page_to_pfn(p), n = 1UL << order;
			unsigned zone = page_zonenum(p);
			unsigned long limit = (gfp & __GFP_DMA)	    ? ZONE_DMA_END_PFN
					      : (gfp & __GFP_DMA32) ? ZONE_DMA32_END_PFN
								    : max_pfn;
			bool ok = true;
			if (pfn & (n - 1)) {
				ktest_log(t, "op %lu: order %u block at unaligned pfn %#lx", op,
					  order, pfn);
				ok = false;
			}
			if (pfn + n > limit) {
				ktest_log(t, "op %lu: gfp %#x got pfn %#lx (order %u) above %#lx",
					  op, gfp, pfn, order, limit);
				ok = false;
			}
			if (p->_refcount != 1 ||
			    (p->flags & ~PG_ZONE_MASK) !=
				    (order ? PG_head | (order << PG_ORDER_SHIFT) : 0u)) {
				ktest_log(t,
					  "op %lu: new block at pfn %#lx has flags %#x refcount %d",
					  op, pfn, p->flags, p->_refcount);
				ok = false;
			}
			unsigned char tag = (unsigned char)(2 + below(254));
			for (unsigned long i = 0; i < n; i++) {
				if (model[pfn + i] != 0 && ok) {
					ktest_log(t,
						  "op %lu: pfn %#lx handed out again (model says "
						  "%u) in "
						  "an order-%u block at %#lx",
						  op, pfn + i, model[pfn + i], order, pfn);
					ok = false;
				}
				model[pfn + i] = tag;
			}
			if ((gfp & __GFP_ZERO) && order <= 2) {
				const uint64_t *w = page_address(p);
				for (size_t i = 0; i < (PAGE_SIZE << order) / 8; i++)
					if (w[i]) {
						ktest_log(
							t,
							"op %lu: __GFP_ZERO block at %#lx not zero",
							op, pfn);
						ok = false;
						break;
					}
				st.zeroed++;
				/* Dirty it so a later __GFP_ZERO of the same pages means something. */
				memset(page_address(p), 0xee, PAGE_SIZE << order);
			}
			if (!ok)
				problems++;
			live[nlive++] = (struct live){ p, order, tag };
			live_pages += n;
			st.allocs++;
			st.per_zone[zone]++;
		} else {
			size_t i = below((unsigned)nlive);
			struct live l = live[i];
			unsigned long pfn = page_to_pfn(l.page), n = 1UL << l.order;
			for (unsigned long j = 0; j < n; j++) {
				if (model[pfn + j] != l.tag) {
					ktest_log(t, "op %lu: pfn %#lx of block %#lx changed owner",
						  op, pfn + j, pfn);
					problems++;
					break;
				}
			}
			live[i] = live[--nlive];
			if (free_pages_checked(l.page, l.order, 0) != 0) {
				ktest_log(t, "op %lu: free of pfn %#lx order %u refused", op, pfn,
					  l.order);
				problems++;
			}
			memset(model + pfn, 0, n);
			live_pages -= n;
			st.frees++;
			/* Now and then, free it again: must be refused and change nothing. */
			if (below(2000) == 0) {
				bool echo = host_printk_echo;
				host_printk_echo = false;
				if (free_pages_checked(l.page, l.order, 0) != -EINVAL) {
					ktest_log(t, "op %lu: double free of %#lx accepted", op,
						  pfn);
					problems++;
				}
				host_printk_echo = echo;
				st.bad_frees++;
			}
			if (!growing && live_pages < mem_accounting.free_at_init / 8) {
				growing = true;
				failures_in_phase = 0;
			}
		}
		if ((op & 63) == 0 && nr_free_pages() + live_pages != mem_accounting.free_at_init) {
			ktest_log(t, "op %lu: free %lu + live %lu != %lu", op, nr_free_pages(),
				  live_pages, mem_accounting.free_at_init);
			problems++;
		}
		if (op % 200000 == 199999 && buddy_check()) {
			ktest_log(t, "op %lu: buddy_check failed", op);
			problems++;
		}
	}
	KEXPECT_EQ(t, problems, 0);
	KEXPECT_GE(t, st.cycles, 3); /* memory really ran out, repeatedly */
	KEXPECT_GT(t, st.bad_frees, 0);
	ktest_log(t,
		  "%lu allocs (DMA %lu, DMA32 %lu, Normal %lu), %lu frees, %lu failures, "
		  "%lu exhaustion cycles, %lu double frees refused, %lu zeroed checked",
		  st.allocs, st.per_zone[0], st.per_zone[1], st.per_zone[2], st.frees, st.failures,
		  st.cycles, st.bad_frees, st.zeroed);

	/* Everything back, on every CPU's lists: the free lists as at boot. */
	while (nlive) {
		nlive--;
		host_set_cpu(below(NCPUS));
		KEXPECT_EQ(t, free_pages_checked(live[nlive].page, live[nlive].order, 0), 0);
	}
	drain_all_pages();
	host_set_cpu(0);
	buddy_snapshot(&end, 0, 0);
	KEXPECT_TRUE(t, buddy_snapshot_equal(&boot, &end, false, "random"));
	KEXPECT_EQ(t, nr_free_pages(), mem_accounting.free_at_init);
	KEXPECT_EQ(t, buddy_check_full(), 0);
	nr_cpu_ids = 1;
	free(model);
	free(live);
}

static unsigned long env_ops(void)
{
	const char *s = getenv("BUDDY_OPS");
	return s ? strtoul(s, NULL, 0) : 1000000;
}

static void seed(struct ktest *t)
{
	const char *s = getenv("BUDDY_SEED");
	rng = s ? strtoull(s, NULL, 0) : ((uint64_t)time(NULL) * 0x9e3779b97f4a7c15ull) | 1;
	ktest_log(t, "seed: BUDDY_SEED=%#llx", (unsigned long long)rng);
}

static void random_ops_256m_against_a_model(struct ktest *t)
{
	seed(t);
	run(t, WORLD_256M, env_ops());
}

static void random_ops_6g_against_a_model(struct ktest *t)
{
	seed(t);
	run(t, WORLD_6G, env_ops() / 4);
}

static struct ktest_case buddy_random_cases[] = {
	KTEST_CASE(random_ops_256m_against_a_model),
	KTEST_CASE(random_ops_6g_against_a_model),
	{},
};
KTEST_SUITE(host_buddy_random, buddy_random_cases);
