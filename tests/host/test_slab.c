/*
 * test_slab.c - host run of the "slab" suite (tests/kernel/slab_test.c)
 * under ASan and UBSan, plus host-only cases: the text of the reports,
 * frees on another CPU than the allocating one, and several threads (one per
 * CPU) allocating and freeing at once.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#define SLAB_WORLD_RAM (256ULL << 20)
#include "tests/host/slab_host_world.h"

#define SLAB_TEST_INIT slab_host_world_init
#include "tests/kernel/slab_test.c"

static void slab_reports_name_cache_object_and_caller(struct ktest *t)
{
	struct kmem_cache *c = kmem_cache_create("t_report", 48, 0, 0, NULL);
	KASSERT_NOT_NULL(t, c);
	char *p = kmem_cache_alloc(c, GFP_KERNEL);
	char want[64];
	host_printk_log_clear();
	kmem_cache_free(c, p + 16);
	const char *log = host_printk_log();
	KEXPECT_NOT_NULL(t, strstr(log, "not an object boundary"));
	KEXPECT_NOT_NULL(t, strstr(log, "t_report"));
	KEXPECT_NOT_NULL(t, strstr(log, "caller"));
	snprintf(want, sizeof(want), "%p", (void *)(p + 16));
	KEXPECT_NOT_NULL(t, strstr(log, want + 2)); /* the address, whatever %p's prefix */

	host_printk_log_clear();
	kmem_cache_free(c, p);
	kmem_cache_free(c, p);
	KEXPECT_NOT_NULL(t, strstr(host_printk_log(), "double free"));

	struct kmem_cache *d = kmem_cache_create("t_report_other", 48, 0, 0, NULL);
	void *q = kmem_cache_alloc(d, GFP_KERNEL);
	host_printk_log_clear();
	kmem_cache_free(c, q);
	KEXPECT_NOT_NULL(t, strstr(host_printk_log(), "object of cache t_report_other freed to "
						      "cache t_report"));
	kmem_cache_free(d, q);

	host_printk_log_clear();
	void *leak = kmem_cache_alloc(d, GFP_KERNEL);
	kmem_cache_destroy(d);
	KEXPECT_NOT_NULL(t, strstr(host_printk_log(), "1 object still allocated (leak)"));
	kmem_cache_free(d, leak);
	kmem_cache_destroy(d);
	kmem_cache_destroy(c);
}

/* An object freed on CPU 1 goes into CPU 1's array; flushes take it home. */
static void slab_free_on_another_cpu(struct ktest *t)
{
	enum { N = 500 };
	static void *objs[N];
	struct kmem_cache *c = kmem_cache_create("t_xcpu", 128, 0, 0, NULL);
	KASSERT_NOT_NULL(t, c);
	host_set_cpu(0);
	for (unsigned i = 0; i < N; i++)
		objs[i] = kmem_cache_alloc(c, GFP_KERNEL);
	struct array_cache *ac0 = c->cpu_cache[0];
	unsigned avail0 = ac0->avail;
	host_set_cpu(1);
	for (unsigned i = 0; i < N; i++)
		kmem_cache_free(c, objs[i]);
	struct array_cache *ac1 = c->cpu_cache[1];
	KEXPECT_TRUE(t, ac1 != &slab_empty_ac);
	KEXPECT_EQ(t, ac0->avail, avail0);
	KEXPECT_GT(t, ac1->flushes, 0ul);
	KEXPECT_EQ(t, slab_check(), 0u);
	/* CPU 1 now serves its allocations from what CPU 0 allocated. */
	void *p = kmem_cache_alloc(c, GFP_KERNEL);
	KEXPECT_EQ(t, p, objs[N - 1]);
	kmem_cache_free(c, p);
	host_set_cpu(0);
	kmem_cache_destroy(c);
	KEXPECT_EQ(t, slab_check(), 0u);
}

/*
 * Four threads, each its own CPU, allocate from one cache and from kmalloc,
 * write a pattern, and hand half of their objects to the next thread through
 * a locked mailbox, which checks and frees them: every cross-CPU path runs
 * concurrently, under ASan.
 */
#define MT_THREADS 4
#define MT_ROUNDS  20000
#define MT_BOX	   256

struct mt_box {
	pthread_mutex_t lock;
	void *obj[MT_BOX];
	unsigned n;
};
static struct mt_box mt_boxes[MT_THREADS];
static struct kmem_cache *mt_cache;
static unsigned mt_errors;

static void mt_fill(uint32_t *p, unsigned words, uint32_t tag)
{
	for (unsigned i = 0; i < words; i++)
		p[i] = tag ^ i;
}

static bool mt_ok(const uint32_t *p, unsigned words)
{
	for (unsigned i = 1; i < words; i++)
		if ((p[i] ^ i) != (p[0] ^ 0))
			return false;
	return true;
}

static void *mt_thread(void *arg)
{
	unsigned me = (unsigned)(uintptr_t)arg;
	host_set_cpu(me);
	uint64_t rng = 0x1234567u * (me + 1);
	void *mine[64];
	unsigned nmine = 0;

	for (unsigned r = 0; r < MT_ROUNDS; r++) {
		rng = rng * 6364136223846793005ull + 1442695040888963407ull;
		bool from_cache = (rng >> 60) & 1;
		uint32_t *p = from_cache ? kmem_cache_alloc(mt_cache, GFP_KERNEL)
					 : kmalloc(16 + (rng >> 40) % 1000, GFP_KERNEL);
		if (!p) {
			__atomic_fetch_add(&mt_errors, 1, __ATOMIC_RELAXED);
			continue;
		}
		mt_fill(p, 4, (uint32_t)(uintptr_t)p);
		if (nmine < 64)
			mine[nmine++] = p;
		else {
			/* Give to the next CPU, or free here. */
			struct mt_box *b = &mt_boxes[(me + 1) % MT_THREADS];
			pthread_mutex_lock(&b->lock);
			bool given = b->n < MT_BOX;
			if (given)
				b->obj[b->n++] = p;
			pthread_mutex_unlock(&b->lock);
			if (!given)
				kfree(p);
		}
		if (nmine == 64 && (rng & 3) == 0) {
			for (unsigned i = 0; i < nmine; i++) {
				if (!mt_ok(mine[i], 4))
					__atomic_fetch_add(&mt_errors, 1, __ATOMIC_RELAXED);
				kfree(mine[i]); /* kfree works for kmem_cache objects too */
			}
			nmine = 0;
		}
		/* Drain my mailbox: objects allocated on another CPU, freed here. */
		struct mt_box *b = &mt_boxes[me];
		pthread_mutex_lock(&b->lock);
		while (b->n) {
			void *o = b->obj[--b->n];
			if (!mt_ok(o, 4))
				__atomic_fetch_add(&mt_errors, 1, __ATOMIC_RELAXED);
			kfree(o);
		}
		pthread_mutex_unlock(&b->lock);
	}
	for (unsigned i = 0; i < nmine; i++)
		kfree(mine[i]);
	return NULL;
}

static void slab_threads_as_cpus(struct ktest *t)
{
	pthread_t th[MT_THREADS];
	mt_cache = kmem_cache_create("t_threads", 72, 0, 0, NULL);
	KASSERT_NOT_NULL(t, mt_cache);
	unsigned long before = settled_free_pages();
	for (unsigned i = 0; i < MT_THREADS; i++) {
		pthread_mutex_init(&mt_boxes[i].lock, NULL);
		mt_boxes[i].n = 0;
	}
	for (unsigned i = 0; i < MT_THREADS; i++)
		pthread_create(&th[i], NULL, mt_thread, (void *)(uintptr_t)i);
	for (unsigned i = 0; i < MT_THREADS; i++)
		pthread_join(th[i], NULL);
	for (unsigned i = 0; i < MT_THREADS; i++)
		while (mt_boxes[i].n)
			kfree(mt_boxes[i].obj[--mt_boxes[i].n]);
	KEXPECT_EQ(t, mt_errors, 0u);
	KEXPECT_EQ(t, mt_cache->inuse_objects - (unsigned long)0, mt_cache->inuse_objects);
	KEXPECT_EQ(t, slab_check(), 0u);
	kmem_cache_shrink(mt_cache);
	KEXPECT_EQ(t, mt_cache->inuse_objects, 0ul);
	kmem_cache_destroy(mt_cache);
	/* The other CPUs' arrays of the kmalloc caches came from kmalloc too; they stay. */
	KEXPECT_LE(t, settled_free_pages(), before);
	KEXPECT_EQ(t, slab_check(), 0u);
}

static struct ktest_case slab_host_cases[] = {
	KTEST_CASE(slab_reports_name_cache_object_and_caller),
	KTEST_CASE(slab_free_on_another_cpu),
	KTEST_CASE(slab_threads_as_cpus),
	{},
};
KTEST_SUITE(slab_host, slab_host_cases, .init = slab_host_world_init);
