/*
 * test_depot.c - host run of the "slab_depot" suite (tests/kernel/depot_test.c)
 * under ASan and UBSan, plus a host-only case that needs two CPUs: the
 * producer/consumer pattern, one CPU allocating and another freeing, which
 * the depot turns into a traffic of magazines. The calling thread plays
 * both CPUs in turn (host_set_cpu), as test_slab.c's cross-CPU case does.
 */
#include <stdio.h>
#include <string.h>

#define SLAB_WORLD_RAM (256ULL << 20)
#include "tests/host/slab_host_world.h"

#define DEPOT_TEST_INIT slab_host_world_init
#include "tests/kernel/depot_test.c"

/* Producer/consumer objects carry their index in a[] here (word 0 is the free pointer). */
struct pc_obj {
	uint64_t freeptr;
	uint32_t magic, idx;
};
#define PC_MAGIC 0x70726f64u

static bool pc_mag_in(struct slab_magazine *m, struct slab_magazine *const *set, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (set[i] == m)
			return true;
	return false;
}

/*
 * CPU 0 allocates N objects, CPU 1 frees them all: CPU 1's array keeps the
 * newest 120 and files the rest, 60 at a time, in magazines it owns. CPU 0
 * then allocates as many as the depot holds: every one comes from CPU 1's
 * magazines (no slab grown), each exactly once. The magazines CPU 0 emptied
 * go back to their owner: onto CPU 1's empty list, the last one at CPU 0's
 * next depot operation; and CPU 1's next flush fills one of them rather than
 * a new magazine.
 */
static void depot_carries_frees_from_consumer_to_producer(struct ktest *t)
{
	enum { N = DEPOT_N, FILED = 8, FROM_DEPOT = FILED * DEPOT_BATCH };
	static bool seen[N];
	struct slab_magazine *mags1[FILED];

	struct kmem_cache *c = depot_cache(t, "t_depot_pc");
	KASSERT_LE(t, sizeof(struct pc_obj), (size_t)DEPOT_OBJ_SIZE);

	/* CPU 0 produces. */
	host_set_cpu(0);
	depot_alloc_all(t, c, N);
	for (unsigned i = 0; i < N; i++)
		*(struct pc_obj *)depot_objs[i] = (struct pc_obj){ 0, PC_MAGIC, i };
	struct array_cache *ac0 = c->cpu_cache[0];
	KASSERT_TRUE(t, ac0 != &slab_empty_ac);
	KEXPECT_EQ(t, ac0->avail, 0u);

	/* CPU 1 consumes: its oldest 480 frees (a[0..479]) go into 8 magazines of its own. */
	host_set_cpu(1);
	depot_free_list(c, depot_objs, 0, N);
	struct array_cache *ac1 = c->cpu_cache[1];
	KASSERT_TRUE(t, ac1 != &slab_empty_ac);
	KEXPECT_EQ(t, depot_flushes_for(N), (unsigned long)FILED);
	KEXPECT_EQ(t, ac1->flushes, (unsigned long)FILED);
	KEXPECT_EQ(t, ac1->flush_depot, (unsigned long)FILED);
	KEXPECT_EQ(t, ac1->avail, (unsigned)(N - FROM_DEPOT));
	KASSERT_EQ(t, depot_nr_full(c), (unsigned)FILED);
	KEXPECT_NULL(t, c->depot[0].full);
	KASSERT_EQ(t, depot_list_len(c->depot[1].full), (unsigned)FILED);
	unsigned k = 0;
	for (struct slab_magazine *m = c->depot[1].full; m; m = m->next) {
		KEXPECT_EQ(t, m->owner, 1u);
		KEXPECT_EQ(t, m->n, (unsigned)DEPOT_BATCH);
		mags1[k++] = m;
	}
	KEXPECT_EQ(t, c->inuse_objects, (unsigned long)N);
	KEXPECT_EQ(t, slab_check(), 0u);

	/* CPU 0 produces again: 8 refills from the depot, nothing from the slabs. */
	host_set_cpu(0);
	unsigned long grown = c->grown, refills = ac0->refills;
	for (unsigned i = 0; i < FROM_DEPOT; i++) {
		depot_again[i] = kmem_cache_alloc(c, GFP_KERNEL);
		KASSERT_NOT_NULL(t, depot_again[i]);
	}
	KEXPECT_EQ(t, ac0->refill_depot, (unsigned long)FILED);
	KEXPECT_EQ(t, ac0->refills - refills, (unsigned long)FILED);
	KEXPECT_EQ(t, c->grown, grown);
	KEXPECT_EQ(t, ac0->avail, 0u);
	KEXPECT_EQ(t, depot_nr_full(c), 0u);
	KEXPECT_EQ(t, depot_bytes(c), 0ul);
	/* Exactly the objects CPU 1 filed, each once. */
	memset(seen, 0, sizeof(seen));
	unsigned wrong = 0;
	for (unsigned i = 0; i < FROM_DEPOT; i++) {
		const struct pc_obj *o = depot_again[i];
		if (o->magic != PC_MAGIC || o->idx >= FROM_DEPOT || seen[o->idx] ||
		    depot_objs[o->idx] != depot_again[i])
			wrong++;
		else
			seen[o->idx] = true;
	}
	KEXPECT_EQ(t, wrong, 0u);
	/*
	 * The emptied magazines are CPU 1's: seven are on its empty list
	 * already, the last is held by CPU 0 as foreign until its next depot
	 * operation. None became CPU 0's spare, none is on CPU 0's list.
	 */
	KEXPECT_EQ(t, depot_nr_empty(c), (unsigned)FILED - 1);
	KEXPECT_EQ(t, depot_list_len(c->depot[1].empty), (unsigned)FILED - 1);
	KEXPECT_NULL(t, c->depot[0].empty);
	for (struct slab_magazine *m = c->depot[1].empty; m; m = m->next) {
		KEXPECT_EQ(t, m->owner, 1u);
		KEXPECT_EQ(t, m->n, 0u);
		KEXPECT_TRUE(t, pc_mag_in(m, mags1, FILED));
	}
	KEXPECT_NULL(t, ac0->spare);
	KASSERT_NOT_NULL(t, ac0->foreign);
	KEXPECT_EQ(t, ac0->foreign->owner, 1u);
	KEXPECT_TRUE(t, pc_mag_in(ac0->foreign, mags1, FILED));
	KEXPECT_EQ(t, slab_check(), 0u);

	/*
	 * CPU 0 frees what it took: its flushes fill magazines of its own (new
	 * ones: it has none), and the first one hands the foreign magazine home.
	 */
	depot_free_list(c, depot_again, 0, FROM_DEPOT);
	unsigned long filed0 = depot_flushes_for(FROM_DEPOT);
	KEXPECT_EQ(t, ac0->flush_depot, filed0);
	KEXPECT_NULL(t, ac0->foreign);
	KEXPECT_EQ(t, depot_nr_empty(c), (unsigned)FILED);
	KEXPECT_EQ(t, depot_list_len(c->depot[1].empty), (unsigned)FILED);
	KEXPECT_EQ(t, depot_list_len(c->depot[0].full), (unsigned)filed0);
	for (struct slab_magazine *m = c->depot[0].full; m; m = m->next) {
		KEXPECT_EQ(t, m->owner, 0u);
		KEXPECT_FALSE(t, pc_mag_in(m, mags1, FILED));
	}
	KEXPECT_EQ(t, slab_check(), 0u);

	/*
	 * One more object through CPU 1, whose array is full: its flush fills
	 * one of its own empty magazines and takes another as its spare.
	 */
	void *p = kmem_cache_alloc(c, GFP_KERNEL);
	KASSERT_NOT_NULL(t, p);
	host_set_cpu(1);
	kmem_cache_free(c, p);
	KEXPECT_EQ(t, ac1->flush_depot, (unsigned long)FILED + 1);
	KASSERT_NOT_NULL(t, c->depot[1].full);
	KEXPECT_TRUE(t, pc_mag_in(c->depot[1].full, mags1, FILED));
	KEXPECT_EQ(t, c->depot[1].full->n, (unsigned)DEPOT_BATCH);
	KASSERT_NOT_NULL(t, ac1->spare);
	KEXPECT_TRUE(t, pc_mag_in(ac1->spare, mags1, FILED));
	KEXPECT_EQ(t, depot_nr_empty(c), (unsigned)FILED - 2);
	KEXPECT_EQ(t, slab_check(), 0u);

	/* Nothing is held: shrinking (every CPU's array, then the depot) empties the cache. */
	host_set_cpu(0);
	depot_finish(t, c);
}

/* Whatever a case did (an assertion may end it early), the next one starts on CPU 0. */
static void depot_host_exit(struct ktest *t)
{
	(void)t;
	host_set_cpu(0);
}

static struct ktest_case depot_host_cases[] = {
	KTEST_CASE(depot_carries_frees_from_consumer_to_producer),
	{},
};
KTEST_SUITE(slab_depot_host, depot_host_cases, .init = slab_host_world_init,
	    .exit = depot_host_exit);
