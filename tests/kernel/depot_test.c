/*
 * depot_test.c - KTAP suite "slab_depot": the depot of magazines between the
 * per-CPU arrays and the slabs (mm/slab.c, struct slab_magazine), seen from
 * one CPU: where a flushed batch goes (a magazine, or the slabs once the
 * depot is at its bound), what a refill takes and what becomes of the
 * emptied magazine, the drains that empty the depot, and slab_check's view
 * of a damaged magazine.
 *
 * Portable: the kernel runs it on the boot CPU; tests/host/test_depot.c
 * includes this file with DEPOT_TEST_INIT set to a function that builds a
 * hosted world first, and adds the cases that need several (host) CPUs.
 *
 * The expected counts follow from the geometry of a 128-byte cache: per-CPU
 * limit 120, batch 60 (asserted first), so N frees onto an empty array keep
 * the first 120 and then flush the oldest 60 on every 60th free after that.
 */
#include "kernel/ktest.h"
#include "kernel/printk.h"
#include "kernel/string.h"
#include "mm/gfp.h"
#include "mm/slab.h"
#include "mm/slab_internal.h"

#ifndef DEPOT_TEST_INIT
#define DEPOT_TEST_INIT NULL
#endif

#define DEPOT_OBJ_SIZE 128
#define DEPOT_LIMIT    120
#define DEPOT_BATCH    60
#define DEPOT_N	       (10 * DEPOT_BATCH) /* objects a case cycles through */

static void *depot_objs[DEPOT_N], *depot_again[DEPOT_N];

/* Flushes caused by `frees` frees onto an empty array of the geometry above. */
static unsigned long depot_flushes_for(unsigned frees)
{
	return frees <= DEPOT_LIMIT ? 0 : (frees - DEPOT_LIMIT - 1) / DEPOT_BATCH + 1;
}

static unsigned depot_list_len(const struct slab_magazine *m)
{
	unsigned n = 0;
	for (; m && n < 100000; m = m->next)
		n++;
	return n;
}

/*
 * A 128-byte cache with a depot, starting from an empty depot everywhere
 * (slab_reclaim drains every cache's, so the global budget is free). Skips
 * under slab_debug, whose caches have neither per-CPU arrays nor a depot.
 */
static struct kmem_cache *depot_cache(struct ktest *t, const char *name)
{
	slab_reclaim();
	struct kmem_cache *c = kmem_cache_create(name, DEPOT_OBJ_SIZE, 0, 0, NULL);
	KASSERT_NOT_NULL(t, c);
	if (c->flags & SLAB_DEBUG) {
		kmem_cache_destroy(c);
		KTEST_SKIP(t, "slab_debug: no per-CPU arrays, hence no depot");
	}
	KASSERT_EQ(t, c->limit, (unsigned)DEPOT_LIMIT);
	KASSERT_EQ(t, c->batchcount, (unsigned)DEPOT_BATCH);
	/* Every configuration's budget holds far more than the 8 magazines a case files. */
	KASSERT_GE(t, c->depot_max, 8u);
	KASSERT_EQ(t, depot_nr_full(c) + depot_nr_empty(c), 0u);
	return c;
}

static void depot_alloc_all(struct ktest *t, struct kmem_cache *c, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		depot_objs[i] = kmem_cache_alloc(c, GFP_KERNEL);
		KASSERT_NOT_NULL(t, depot_objs[i]);
	}
}

/* DEPOT_N objects of c allocated on this CPU; its array, which that set up. */
static struct array_cache *depot_alloc_n(struct ktest *t, struct kmem_cache *c)
{
	depot_alloc_all(t, c, DEPOT_N);
	struct array_cache *ac = c->cpu_cache[smp_processor_id()];
	KASSERT_TRUE(t, ac != &slab_empty_ac);
	return ac;
}

static void depot_free_list(struct kmem_cache *c, void **objs, unsigned from, unsigned to)
{
	for (unsigned i = from; i < to; i++)
		kmem_cache_free(c, objs[i]);
}

/* The depot and this cache's share of the budget are empty, and no CPU holds a magazine. */
static void expect_depot_empty(struct ktest *t, struct kmem_cache *c)
{
	KEXPECT_EQ(t, depot_nr_full(c), 0u);
	KEXPECT_EQ(t, depot_nr_empty(c), 0u);
	KEXPECT_EQ(t, depot_bytes(c), 0ul);
	KEXPECT_EQ(t, depot_charged(c), 0ul);
	for (unsigned cpu = 0; cpu < NR_CPUS; cpu++) {
		KEXPECT_NULL(t, c->depot[cpu].full);
		KEXPECT_NULL(t, c->depot[cpu].empty);
		KEXPECT_NULL(t, c->cpu_cache[cpu]->spare);
		KEXPECT_NULL(t, c->cpu_cache[cpu]->foreign);
	}
}

/* The end of a case: nothing held, so shrinking empties the cache and its depot; then destroy. */
static void depot_finish(struct ktest *t, struct kmem_cache *c)
{
	kmem_cache_shrink(c);
	KEXPECT_EQ(t, c->inuse_objects, 0ul);
	KEXPECT_EQ(t, c->total_pages, 0ul);
	expect_depot_empty(t, c);
	kmem_cache_destroy(c);
}

/*
 * With room in the depot, every flush files its batch in a magazine: the
 * objects stay "in use" for their slabs, and the next refills take whole
 * magazines back without touching a slab.
 */
static void depot_flushes_file_magazines_and_refills_take_them(struct ktest *t)
{
	struct kmem_cache *c = depot_cache(t, "t_depot_cycle");
	unsigned cpu = smp_processor_id();
	struct array_cache *ac = depot_alloc_n(t, c);
	KEXPECT_EQ(t, ac->avail, 0u);
	unsigned long grown = c->grown;
	depot_free_list(c, depot_objs, 0, DEPOT_N);

	unsigned long flushes = depot_flushes_for(DEPOT_N);
	KEXPECT_EQ(t, ac->flushes, flushes);
	KEXPECT_EQ(t, ac->flush_depot, flushes);
	KEXPECT_EQ(t, depot_nr_full(c), (unsigned)flushes);
	KEXPECT_EQ(t, depot_list_len(c->depot[cpu].full), (unsigned)flushes);
	KEXPECT_EQ(t, depot_bytes(c), flushes * DEPOT_BATCH * DEPOT_OBJ_SIZE);
	KEXPECT_GE(t, depot_charged(c), depot_bytes(c));
	KEXPECT_EQ(t, ac->avail, DEPOT_N - (unsigned)flushes * DEPOT_BATCH);
	/* Nothing went back to a slab: the depot's objects and the array's count as in use. */
	KEXPECT_EQ(t, c->inuse_objects, (unsigned long)DEPOT_N);
	/* Every flush filed its magazine and found no empty one of its own to keep. */
	KEXPECT_NULL(t, ac->spare);
	KEXPECT_EQ(t, depot_nr_empty(c), 0u);
	KEXPECT_EQ(t, slab_check(), 0u);

	/*
	 * 120 hits, then three refills from the depot, newest magazine first.
	 * The first emptied magazine (this CPU's own, no spare yet) becomes the
	 * spare; the second, with a spare in place, is held as "foreign" and
	 * goes to this CPU's empty list at the third refill.
	 */
	enum { AGAIN = DEPOT_LIMIT + 3 * DEPOT_BATCH };
	for (unsigned i = 0; i < AGAIN; i++) {
		depot_again[i] = kmem_cache_alloc(c, GFP_KERNEL);
		KASSERT_NOT_NULL(t, depot_again[i]);
	}
	KEXPECT_EQ(t, ac->refill_depot, 3ul);
	KEXPECT_EQ(t, ac->avail, 0u);
	KEXPECT_EQ(t, depot_nr_full(c), (unsigned)flushes - 3);
	KEXPECT_EQ(t, depot_nr_empty(c), 1u);
	KEXPECT_EQ(t, depot_list_len(c->depot[cpu].empty), 1u);
	KASSERT_NOT_NULL(t, ac->spare);
	KASSERT_NOT_NULL(t, ac->foreign);
	KEXPECT_TRUE(t, ac->spare != ac->foreign);
	KEXPECT_EQ(t, ac->foreign->owner, cpu);
	KEXPECT_EQ(t, c->grown, grown);
	KEXPECT_EQ(t, slab_check(), 0u);

	/*
	 * The next flush fills the spare and files it; under the same lock the
	 * CPU takes its empty magazine back as the next spare, and the foreign
	 * one goes to the empty list.
	 */
	struct slab_magazine *spare = ac->spare, *foreign = ac->foreign;
	struct slab_magazine *home = c->depot[cpu].empty;
	depot_free_list(c, depot_again, 0, DEPOT_LIMIT + 1);
	KEXPECT_EQ(t, ac->flush_depot, flushes + 1);
	KASSERT_TRUE(t, c->depot[cpu].full == spare);
	KEXPECT_EQ(t, spare->n, (unsigned)DEPOT_BATCH);
	KEXPECT_TRUE(t, ac->spare == home);
	KEXPECT_NULL(t, ac->foreign);
	KEXPECT_TRUE(t, c->depot[cpu].empty == foreign);
	KEXPECT_EQ(t, depot_nr_empty(c), 1u);
	KEXPECT_EQ(t, slab_check(), 0u);

	depot_free_list(c, depot_again, DEPOT_LIMIT + 1, AGAIN);
	depot_finish(t, c);
}

/*
 * The depot is bounded: at depot_max full magazines a flush returns its batch
 * to the slabs, as before the depot existed, and keeps the magazine it had
 * filled as its spare. Nothing is lost either way: shrinking gives back
 * every object and every page.
 */
static void depot_at_its_bound_sends_batches_to_the_slabs(struct ktest *t)
{
	struct kmem_cache *c = depot_cache(t, "t_depot_max");
	unsigned cpu = smp_processor_id();
	/* Test seam: a small bound, set before the cache is used (no magazine exists yet). */
	c->depot_max = 2;

	struct array_cache *ac = depot_alloc_n(t, c);
	depot_free_list(c, depot_objs, 0, DEPOT_N);

	unsigned long flushes = depot_flushes_for(DEPOT_N);
	KEXPECT_EQ(t, ac->flushes, flushes);
	KEXPECT_EQ(t, ac->flush_depot, 2ul);
	KEXPECT_LT(t, ac->flush_depot, ac->flushes);
	KEXPECT_EQ(t, depot_nr_full(c), c->depot_max);
	KEXPECT_EQ(t, depot_bytes(c), 2ul * DEPOT_BATCH * DEPOT_OBJ_SIZE);
	/* In use for the slabs: the two magazines' objects and the array's; the rest went home. */
	KEXPECT_EQ(t, ac->avail, DEPOT_N - (unsigned)flushes * DEPOT_BATCH);
	KEXPECT_EQ(t, c->inuse_objects, (unsigned long)depot_nr_full(c) * DEPOT_BATCH + ac->avail);
	/* The magazine the bound refused stays this CPU's spare, empty. */
	KASSERT_NOT_NULL(t, ac->spare);
	KEXPECT_EQ(t, ac->spare->n, 0u);
	KEXPECT_EQ(t, ac->spare->owner, cpu);
	KEXPECT_EQ(t, depot_nr_empty(c), 0u);
	KEXPECT_EQ(t, slab_check(), 0u);

	/* A refill frees a place: the next flush files again. */
	for (unsigned i = 0; i < DEPOT_LIMIT + 1; i++)
		KASSERT_NOT_NULL(t, depot_again[i] = kmem_cache_alloc(c, GFP_KERNEL));
	KEXPECT_EQ(t, ac->refill_depot, 1ul);
	KEXPECT_EQ(t, depot_nr_full(c), 1u);
	depot_free_list(c, depot_again, 0, DEPOT_LIMIT + 1);
	KEXPECT_EQ(t, ac->flush_depot, 3ul);
	KEXPECT_EQ(t, depot_nr_full(c), 2u);
	KEXPECT_EQ(t, slab_check(), 0u);

	depot_finish(t, c);
}

/*
 * The global bound: when every depot together has charged the whole budget,
 * a cache that has charged nothing yet cannot file a magazine; its flushes
 * go to the slabs until the budget has room again.
 */
static void depot_global_budget_spent_sends_batches_to_the_slabs(struct ktest *t)
{
	struct kmem_cache *c = depot_cache(t, "t_depot_budget");
	struct array_cache *ac = depot_alloc_n(t, c);

	/*
	 * Test seam: no budget at all, so no cache can charge another chunk
	 * (not even after the reap a spent budget triggers frees idle
	 * magazines); put back before anything can abort the case.
	 */
	unsigned long budget = slab_depot_budget;
	slab_depot_budget = 0;
	depot_free_list(c, depot_objs, 0, DEPOT_N / 2);
	unsigned long flush_depot_spent = ac->flush_depot, flushes_spent = ac->flushes;
	unsigned full_spent = depot_nr_full(c);
	unsigned long charged_spent = depot_charged(c);
	slab_depot_budget = budget;

	KEXPECT_EQ(t, flushes_spent, depot_flushes_for(DEPOT_N / 2));
	KEXPECT_GT(t, flushes_spent, 0ul);
	KEXPECT_EQ(t, flush_depot_spent, 0ul);
	KEXPECT_EQ(t, full_spent, 0u);
	KEXPECT_EQ(t, charged_spent, 0ul);
	KEXPECT_EQ(t, slab_check(), 0u);

	/* With the budget back, the remaining frees file every batch (the array is full). */
	depot_free_list(c, depot_objs, DEPOT_N / 2, DEPOT_N);
	unsigned long more = depot_flushes_for(DEPOT_N) - flushes_spent;
	KEXPECT_EQ(t, ac->flushes, depot_flushes_for(DEPOT_N));
	KEXPECT_EQ(t, ac->flush_depot, more);
	KEXPECT_EQ(t, depot_nr_full(c), (unsigned)more);
	KEXPECT_GE(t, depot_charged(c), depot_bytes(c));
	KEXPECT_EQ(t, c->inuse_objects, more * DEPOT_BATCH + ac->avail);
	KEXPECT_EQ(t, slab_check(), 0u);

	depot_finish(t, c);
}

/* Let more than DEPOT_REAP_CYCLES (2^24) pass, so that the next spent budget reaps. */
static void depot_wait_reap_interval(void)
{
	uint64_t t0 = arch_cycles();
	while (arch_cycles() - t0 < (1ULL << 25))
		cpu_relax();
}

/*
 * Bonwick's reaping, when a flush finds the budget spent: a cache whose
 * magazines all stayed full from one reap to the next (idle) loses them,
 * objects back to their slabs, charges given back; the first reap only
 * notes how many stayed full, since the cache used its depot before it.
 */
static void depot_reaps_magazines_idle_between_two_reaps(struct ktest *t)
{
	struct kmem_cache *idle = depot_cache(t, "t_depot_idle");
	struct kmem_cache *busy = depot_cache(t, "t_depot_busy");
	unsigned cpu = smp_processor_id();

	depot_alloc_all(t, idle, DEPOT_N);
	depot_free_list(idle, depot_objs, 0, DEPOT_N);
	unsigned held = depot_nr_full(idle);
	KASSERT_GT(t, held, 0u);
	for (unsigned i = 0; i < DEPOT_N; i++)
		KASSERT_NOT_NULL(t, depot_again[i] = kmem_cache_alloc(busy, GFP_KERNEL));
	struct array_cache *ac = busy->cpu_cache[cpu];
	KASSERT_TRUE(t, ac != &slab_empty_ac);
	unsigned long flushes = ac->flushes;

	/* Test seam: no budget (put back before any assertion can end the case). */
	unsigned long budget = slab_depot_budget;
	slab_depot_budget = 0;
	depot_wait_reap_interval();
	/* Enough frees for flushes: the first one finds the budget spent and reaps. */
	depot_free_list(busy, depot_again, 0, 3 * DEPOT_BATCH);
	unsigned after_first = depot_nr_full(idle);
	unsigned long flushes_first = ac->flushes;
	depot_wait_reap_interval();
	depot_free_list(busy, depot_again, 3 * DEPOT_BATCH, 5 * DEPOT_BATCH);
	unsigned after_second = depot_nr_full(idle);
	unsigned long charged_idle = depot_charged(idle), flush_depot = ac->flush_depot;
	slab_depot_budget = budget;

	KEXPECT_GT(t, flushes_first, flushes);
	KEXPECT_GT(t, ac->flushes, flushes_first);
	KEXPECT_EQ(t, flush_depot, 0ul); /* no budget: every batch of busy went to the slabs */
	KEXPECT_EQ(t, after_first, held);
	KEXPECT_EQ(t, after_second, 0u);
	KEXPECT_EQ(t, charged_idle, 0ul);
	/* Only idle's array still holds objects for its slabs. */
	KEXPECT_EQ(t, idle->inuse_objects, (unsigned long)idle->cpu_cache[cpu]->avail);
	KEXPECT_EQ(t, slab_check(), 0u);

	depot_free_list(busy, depot_again, 5 * DEPOT_BATCH, DEPOT_N);
	kmem_cache_shrink(idle);
	kmem_cache_shrink(busy);
	expect_depot_empty(t, idle);
	expect_depot_empty(t, busy);
	kmem_cache_destroy(idle);
	kmem_cache_destroy(busy);
}

/*
 * kmem_cache_drain_all and slab_reclaim empty every depot: full magazines'
 * objects back to their slabs, every magazine (full, empty, a CPU's spare
 * or foreign one) freed, every charge given back. The depot is filled with
 * all three kinds first.
 */
static void depot_fill_all_kinds(struct ktest *t, struct kmem_cache *c, unsigned cpu)
{
	struct array_cache *ac = c->cpu_cache[cpu];
	depot_free_list(c, depot_objs, 0, DEPOT_N);
	/* As in depot_flushes_file_magazines_and_refills_take_them: 3 refills. */
	for (unsigned i = 0; i < DEPOT_LIMIT + 3 * DEPOT_BATCH; i++)
		KASSERT_NOT_NULL(t, depot_objs[i] = kmem_cache_alloc(c, GFP_KERNEL));
	KEXPECT_GT(t, depot_nr_full(c), 0u);
	KEXPECT_GT(t, depot_nr_empty(c), 0u);
	KEXPECT_NOT_NULL(t, ac->spare);
	KEXPECT_NOT_NULL(t, ac->foreign);
	KEXPECT_GT(t, depot_charged(c), 0ul);
}

static void depot_emptied_by_drain_all_and_reclaim(struct ktest *t)
{
	struct kmem_cache *c = depot_cache(t, "t_depot_drain");
	unsigned cpu = smp_processor_id();
	enum { HELD = DEPOT_LIMIT + 3 * DEPOT_BATCH };

	depot_alloc_all(t, c, DEPOT_N);
	depot_fill_all_kinds(t, c, cpu);
	kmem_cache_drain_all();
	expect_depot_empty(t, c);
	KEXPECT_EQ(t, c->cpu_cache[cpu]->avail, 0u);
	/* Every depot drained, so nothing is charged anywhere. */
	KEXPECT_EQ(t, __atomic_load_n(&slab_depot_charged, __ATOMIC_RELAXED), 0ul);
	/* Only what the test holds is still in use. */
	KEXPECT_EQ(t, c->inuse_objects, (unsigned long)HELD);
	KEXPECT_EQ(t, slab_check(), 0u);

	/*
	 * Again for slab_reclaim: the held objects freed (three batches filed),
	 * two refills (a spare and a foreign magazine) and one full magazine
	 * left in the depot.
	 */
	depot_free_list(c, depot_objs, 0, HELD);
	KEXPECT_EQ(t, depot_nr_full(c), (unsigned)depot_flushes_for(HELD));
	for (unsigned i = 0; i < 2 * DEPOT_LIMIT; i++)
		KASSERT_NOT_NULL(t, depot_again[i] = kmem_cache_alloc(c, GFP_KERNEL));
	KEXPECT_EQ(t, depot_nr_full(c), 1u);
	KEXPECT_NOT_NULL(t, c->cpu_cache[cpu]->spare);
	KEXPECT_NOT_NULL(t, c->cpu_cache[cpu]->foreign);
	slab_reclaim();
	expect_depot_empty(t, c);
	KEXPECT_EQ(t, __atomic_load_n(&slab_depot_charged, __ATOMIC_RELAXED), 0ul);
	KEXPECT_EQ(t, c->inuse_objects, 2ul * DEPOT_LIMIT);
	KEXPECT_EQ(t, slab_check(), 0u);

	/* And once nothing is held, slab_reclaim leaves the cache without a page. */
	depot_free_list(c, depot_again, 0, 2 * DEPOT_LIMIT);
	KEXPECT_GT(t, depot_nr_full(c), 0u);
	slab_reclaim();
	expect_depot_empty(t, c);
	KEXPECT_EQ(t, c->inuse_objects, 0ul);
	KEXPECT_EQ(t, c->total_pages, 0ul);
	KEXPECT_EQ(t, slab_check(), 0u);
	kmem_cache_destroy(c);
}

/*
 * slab_check walks every magazine in the depot: a pointer that is not an
 * object of the cache (inside an object, or another cache's object), a
 * magazine on the wrong owner's list, or an object count that disagrees
 * with depot_bytes is reported. Each damage is repaired before the next
 * (and before the case ends: the checker runs after it).
 */
static void depot_damage_is_found_by_slab_check(struct ktest *t)
{
	struct kmem_cache *c = depot_cache(t, "t_depot_bad");
	struct kmem_cache *d = kmem_cache_create("t_depot_other", DEPOT_OBJ_SIZE, 0, 0, NULL);
	KASSERT_NOT_NULL(t, d);
	unsigned cpu = smp_processor_id();
	enum { FILL = DEPOT_LIMIT + DEPOT_BATCH };

	depot_alloc_all(t, c, FILL);
	depot_free_list(c, depot_objs, 0, FILL);
	KASSERT_EQ(t, depot_nr_full(c), 1u);
	struct slab_magazine *m = c->depot[cpu].full;
	KASSERT_NOT_NULL(t, m);
	KASSERT_EQ(t, m->n, (unsigned)DEPOT_BATCH);
	void *other = kmem_cache_alloc(d, GFP_KERNEL);
	KASSERT_NOT_NULL(t, other);
	KEXPECT_EQ(t, slab_check(), 0u);

	/* No KASSERT from here to the last repair: an abort would leave the damage in place. */
	void *saved = m->objs[7];
	m->objs[7] = (char *)saved + 8; /* inside an object of c */
	unsigned inside = slab_check();
	m->objs[7] = other; /* an object, but of another cache */
	unsigned foreign = slab_check();
	m->objs[7] = saved;
	unsigned repaired = slab_check();

	m->owner = (cpu + 1) % NR_CPUS; /* filed on one CPU's list, claiming another */
	unsigned owner = slab_check();
	m->owner = cpu;

	m->n = DEPOT_BATCH - 1; /* one object dropped: depot_bytes no longer matches */
	unsigned count = slab_check();
	m->n = DEPOT_BATCH;

	KEXPECT_GT(t, inside, 0u);
	KEXPECT_GT(t, foreign, 0u);
	KEXPECT_EQ(t, repaired, 0u);
	KEXPECT_GT(t, owner, 0u);
	KEXPECT_GT(t, count, 0u);
	KEXPECT_EQ(t, slab_check(), 0u);

	kmem_cache_free(d, other);
	kmem_cache_destroy(d);
	kmem_cache_shrink(c);
	KEXPECT_EQ(t, c->inuse_objects, 0ul);
	expect_depot_empty(t, c);
	kmem_cache_destroy(c);
}

/*
 * A double free that no free path can see: x is freed, a batch of other
 * frees then flushes it into a depot magazine, and x is freed again (not on
 * top of the array, so the push takes it). x is now free in two places and
 * would be handed out twice: slab_check's scan for duplicates reports it.
 * Repaired by allocating the array's copy back and forgetting it: the
 * depot's copy is the one that stays free.
 */
static void depot_double_free_after_a_flush_is_found_by_slab_check(struct ktest *t)
{
	struct kmem_cache *c = depot_cache(t, "t_depot_dup");

	depot_alloc_all(t, c, DEPOT_LIMIT + 1);
	void *x = depot_objs[0];
	depot_free_list(c, depot_objs, 0, DEPOT_LIMIT + 1);
	KEXPECT_EQ(t, depot_nr_full(c), 1u); /* the oldest batch, x among it */
	KEXPECT_EQ(t, slab_check(), 0u);
	kmem_cache_free(c, x);
	KEXPECT_EQ(t, slab_check(), 1u);

	void *again = kmem_cache_alloc(c, GFP_KERNEL);
	KEXPECT_TRUE(t, again == x);
	KEXPECT_EQ(t, slab_check(), 0u);
	depot_finish(t, c);
}

static struct ktest_case depot_cases[] = {
	KTEST_CASE(depot_flushes_file_magazines_and_refills_take_them),
	KTEST_CASE(depot_at_its_bound_sends_batches_to_the_slabs),
	KTEST_CASE(depot_global_budget_spent_sends_batches_to_the_slabs),
	KTEST_CASE(depot_reaps_magazines_idle_between_two_reaps),
	KTEST_CASE(depot_emptied_by_drain_all_and_reclaim),
	KTEST_CASE(depot_damage_is_found_by_slab_check),
	KTEST_CASE(depot_double_free_after_a_flush_is_found_by_slab_check),
	{},
};
KTEST_SUITE(slab_depot, depot_cases, .init = DEPOT_TEST_INIT);
