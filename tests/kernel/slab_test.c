/*
 * slab_test.c - KTAP suite "slab": object caches (kmem_cache_*), their
 * per-CPU layer, colouring, constructors, shrinking, leaks and the checks on
 * bad frees and free-list corruption.
 *
 * Portable: the kernel runs it as is; tests/host/test_slab.c includes this
 * file and sets SLAB_TEST_INIT to a function that builds a hosted world
 * first, so the same cases run under ASan and UBSan.
 */
#include "kernel/ktest.h"
#include "kernel/printk.h"
#include "kernel/string.h"
#include "mm/gfp.h"
#include "mm/slab.h"
#include "mm/slab_internal.h"
#include "mm/vmstat.h"

#ifndef SLAB_TEST_INIT
#define SLAB_TEST_INIT NULL
#endif

/* Free pages once every idle slab object and per-CPU page is given back. */
static unsigned long settled_free_pages(void)
{
	slab_reclaim();
	drain_all_pages();
	return nr_free_pages();
}

static bool ranges_overlap(uintptr_t a, size_t an, uintptr_t b, size_t bn)
{
	return a < b + bn && b < a + an;
}

static void slab_create_rejects_bad_args(struct ktest *t)
{
	unsigned long before = slab_report_count();
	KEXPECT_NULL(t, kmem_cache_create("t_zero", 0, 0, 0, NULL));
	KEXPECT_NULL(t, kmem_cache_create("t_huge", 1UL << 30, 0, 0, NULL));
	KEXPECT_NULL(t, kmem_cache_create("t_align3", 64, 3, 0, NULL));
	KEXPECT_NULL(t, kmem_cache_create("t_align_huge", 64, 1UL << 20, 0, NULL));
	KEXPECT_NULL(t, kmem_cache_create(NULL, 64, 0, 0, NULL));
	/* Creation errors are messages, not bad-free reports. */
	KEXPECT_EQ(t, slab_report_count(), before);
}

/* Objects are distinct, do not overlap, are aligned and fully writable. */
static void slab_objects_distinct_and_aligned(struct ktest *t)
{
	static const struct {
		size_t size, align;
		unsigned long flags;
		size_t want_align;
	} cfg[] = {
		{ 1, 0, 0, 8 },		 { 24, 0, 0, 8 },
		{ 100, 0, 0, 8 },	 { 100, 0, SLAB_HWCACHE_ALIGN, 64 },
		{ 200, 256, 0, 256 },	 { 3000, 0, 0, 8 },
		{ 4096, 4096, 0, 4096 }, { 9000, 0, 0, 8 },
	};
	enum { N = 200 };
	static void *objs[N];

	for (unsigned k = 0; k < ARRAY_SIZE(cfg); k++) {
		struct kmem_cache *c = kmem_cache_create("t_distinct", cfg[k].size, cfg[k].align,
							 cfg[k].flags, NULL);
		KASSERT_NOT_NULL(t, c);
		for (unsigned i = 0; i < N; i++) {
			objs[i] = kmem_cache_alloc(c, GFP_KERNEL);
			KASSERT_NOT_NULL(t, objs[i]);
			KEXPECT_EQ(t, (uintptr_t)objs[i] % cfg[k].want_align, 0ul);
			memset(objs[i], (int)(i & 0xff), cfg[k].size);
		}
		for (unsigned i = 0; i < N; i++) {
			const uint8_t *b = objs[i];
			KEXPECT_TRUE(t, b[0] == (i & 0xff) && b[cfg[k].size - 1] == (i & 0xff));
			for (unsigned j = i + 1; j < N; j++)
				if (ranges_overlap((uintptr_t)objs[i], cfg[k].size,
						   (uintptr_t)objs[j], cfg[k].size))
					KEXPECT_TRUE(t, !"objects overlap");
		}
		for (unsigned i = 0; i < N; i++)
			kmem_cache_free(c, objs[i]);
		unsigned long before = slab_report_count();
		kmem_cache_destroy(c);
		KEXPECT_EQ(t, slab_report_count(), before);
	}
}

static void slab_zalloc_zeroes(struct ktest *t)
{
	struct kmem_cache *c = kmem_cache_create("t_zalloc", 300, 0, 0, NULL);
	KASSERT_NOT_NULL(t, c);
	void *p = kmem_cache_alloc(c, GFP_KERNEL);
	KASSERT_NOT_NULL(t, p);
	memset(p, 0x5a, 300);
	kmem_cache_free(c, p);
	uint8_t *z = kmem_cache_zalloc(c, GFP_KERNEL);
	KASSERT_NOT_NULL(t, z);
	KEXPECT_EQ(t, (void *)z, p); /* LIFO: the same object, dirty before */
	unsigned nonzero = 0;
	for (unsigned i = 0; i < 300; i++)
		nonzero += z[i] != 0;
	KEXPECT_EQ(t, nonzero, 0u);
	kmem_cache_free(c, z);
	kmem_cache_destroy(c);
}

/* ---- constructors ---- */

#define CTOR_MAGIC 0xc0ffee11u
static unsigned long ctor_calls;

struct ctor_obj {
	uint32_t magic;
	uint32_t words[29];
};

static void ctor_fn(void *p)
{
	struct ctor_obj *o = p;
	ctor_calls++;
	o->magic = CTOR_MAGIC;
	for (unsigned i = 0; i < ARRAY_SIZE(o->words); i++)
		o->words[i] = i * 7u;
}

static void slab_ctor_once_per_object(struct ktest *t)
{
	enum { N = 300 };
	static struct ctor_obj *objs[N];

	ctor_calls = 0;
	struct kmem_cache *c = kmem_cache_create("t_ctor", sizeof(struct ctor_obj), 0, 0, ctor_fn);
	KASSERT_NOT_NULL(t, c);
	for (unsigned round = 0; round < 3; round++) {
		for (unsigned i = 0; i < N; i++) {
			objs[i] = kmem_cache_alloc(c, GFP_KERNEL);
			KASSERT_NOT_NULL(t, objs[i]);
			/* Constructed, and back in that state after every free. */
			KEXPECT_EQ(t, objs[i]->magic, CTOR_MAGIC);
			KEXPECT_EQ(t, objs[i]->words[28], 28u * 7u);
		}
		for (unsigned i = 0; i < N; i++)
			kmem_cache_free(c, objs[i]);
	}
	/* Exactly once per object ever created: the objects of every slab grown. */
	KEXPECT_EQ(t, ctor_calls, c->grown * c->oo.objects);
	KEXPECT_GE(t, ctor_calls, (unsigned long)N);
	/* Objects are reused, not rebuilt (slab_debug gives empty slabs back at once, so not there). */
	if (!(c->flags & SLAB_DEBUG))
		KEXPECT_LT(t, ctor_calls, (unsigned long)3 * N);
	kmem_cache_destroy(c);
}

/* ---- colouring ---- */

static void slab_colouring_successive_slabs(struct ktest *t)
{
	/* Stride 264 in a 4 KiB slab: 15 objects and 136 spare bytes, so colours 0, 64, 128. */
	struct kmem_cache *c = kmem_cache_create("t_colour", 264, 8, 0, NULL);
	KASSERT_NOT_NULL(t, c);
	if (c->flags & SLAB_DEBUG) {
		kmem_cache_destroy(c);
		KTEST_SKIP(t, "slab_debug changes the layout");
	}
	KEXPECT_EQ(t, c->oo.order, 0u);
	KEXPECT_EQ(t, c->oo.objects, 15u);
	KEXPECT_EQ(t, c->oo.colours, 3u);

	enum { N = 15 * 6 };
	static void *objs[N];
	unsigned seen = 0; /* bit k: colour k * 64 seen */
	for (unsigned i = 0; i < N; i++) {
		objs[i] = kmem_cache_alloc(c, GFP_KERNEL);
		KASSERT_NOT_NULL(t, objs[i]);
		struct page *slab = virt_to_slab(objs[i]);
		KASSERT_NOT_NULL(t, slab);
		unsigned colour = slab_colour(c, slab);
		KEXPECT_EQ(t, colour % 64, 0u);
		KEXPECT_LE(t, colour, 128u);
		/* Every object keeps its alignment and lies at colour + k * stride. */
		KEXPECT_EQ(t, ((uintptr_t)objs[i] - (uintptr_t)page_address(slab) - colour) % 264,
			   0ul);
		seen |= 1u << (colour / 64);
	}
	KEXPECT_EQ(t, seen, 7u);
	for (unsigned i = 0; i < N; i++)
		kmem_cache_free(c, objs[i]);
	kmem_cache_destroy(c);
}

/* ---- shrink, destroy, pages ---- */

static void slab_shrink_returns_pages(struct ktest *t)
{
	enum { N = 2000 };
	static void *objs[N];
	struct kmem_cache *c = kmem_cache_create("t_shrink", 192, 0, 0, NULL);
	KASSERT_NOT_NULL(t, c);
	/* Warm up (this CPU's array comes from kmalloc), then settle. */
	kmem_cache_free(c, kmem_cache_alloc(c, GFP_KERNEL));
	kmem_cache_shrink(c);
	unsigned long before = settled_free_pages();
	long slab_pages = read_vm_stat(NR_SLAB_PAGES);

	for (unsigned i = 0; i < N; i++) {
		objs[i] = kmem_cache_alloc(c, GFP_KERNEL);
		KASSERT_NOT_NULL(t, objs[i]);
	}
	KEXPECT_GE(t, c->total_pages, (unsigned long)N * 192 / PAGE_SIZE);
	KEXPECT_EQ(t, read_vm_stat(NR_SLAB_PAGES), slab_pages + (long)c->total_pages);
	KEXPECT_LT(t, nr_free_pages(), before);
	for (unsigned i = 0; i < N; i++)
		kmem_cache_free(c, objs[i]);
	unsigned long freed = kmem_cache_shrink(c);
	KEXPECT_GT(t, freed, 0ul);
	KEXPECT_EQ(t, c->total_pages, 0ul);
	KEXPECT_EQ(t, c->inuse_objects, 0ul);
	KEXPECT_EQ(t, depot_nr_full(c) + depot_nr_empty(c), 0u);
	/*
	 * The depot's magazines went back to their kmalloc class, which may keep
	 * the emptied slabs as its reserve: settle that too before comparing.
	 */
	unsigned long after = settled_free_pages();
	KEXPECT_EQ(t, read_vm_stat(NR_SLAB_PAGES), slab_pages);
	KEXPECT_EQ(t, after, before);
	kmem_cache_destroy(c);
}

static void slab_create_destroy_leaks_no_pages(struct ktest *t)
{
	unsigned long before = settled_free_pages();
	for (unsigned round = 0; round < 50; round++) {
		struct kmem_cache *c = kmem_cache_create("t_cycle", 64 + round * 40, 0, 0, NULL);
		KASSERT_NOT_NULL(t, c);
		void *p[10];
		for (unsigned i = 0; i < 10; i++)
			p[i] = kmem_cache_alloc(c, GFP_KERNEL);
		for (unsigned i = 0; i < 10; i++)
			kmem_cache_free(c, p[i]);
		kmem_cache_destroy(c);
	}
	KEXPECT_EQ(t, settled_free_pages(), before);
}

static void slab_destroy_reports_leaks(struct ktest *t)
{
	struct kmem_cache *c = kmem_cache_create("t_leak", 128, 0, 0, NULL);
	KASSERT_NOT_NULL(t, c);
	void *p[3];
	for (unsigned i = 0; i < 3; i++)
		p[i] = kmem_cache_alloc(c, GFP_KERNEL);
	void *q = kmem_cache_alloc(c, GFP_KERNEL);
	kmem_cache_free(c, q);

	unsigned long before = slab_report_count();
	kmem_cache_destroy(c); /* 3 objects still allocated: reported, cache kept */
	KEXPECT_EQ(t, slab_report_count(), before + 1);
	KEXPECT_EQ(t, c->inuse_objects, 3ul);
	/* The cache still works; once the leak is fixed, destroy succeeds silently. */
	for (unsigned i = 0; i < 3; i++)
		kmem_cache_free(c, p[i]);
	before = slab_report_count();
	kmem_cache_destroy(c);
	KEXPECT_EQ(t, slab_report_count(), before);
}

/* ---- bad frees ---- */

static void slab_bad_frees_detected(struct ktest *t)
{
	struct kmem_cache *a = kmem_cache_create("t_bad_a", 96, 0, 0, NULL);
	struct kmem_cache *b = kmem_cache_create("t_bad_b", 96, 0, 0, NULL);
	KASSERT_NOT_NULL(t, a);
	KASSERT_NOT_NULL(t, b);
	char *p = kmem_cache_alloc(a, GFP_KERNEL);
	char *q = kmem_cache_alloc(a, GFP_KERNEL);
	KASSERT_NOT_NULL(t, p);
	KASSERT_NOT_NULL(t, q);
	unsigned long inuse = a->inuse_objects, r = slab_report_count();

	/* Not an object boundary. */
	kmem_cache_free(a, p + 8);
	KEXPECT_EQ(t, slab_report_count(), ++r);
	kmem_cache_free(a, p + 95);
	KEXPECT_EQ(t, slab_report_count(), ++r);
	/* The wrong cache. */
	kmem_cache_free(b, p);
	KEXPECT_EQ(t, slab_report_count(), ++r);
	/* Not a slab page at all: a page from the buddy allocator, a static variable. */
	struct page *pg = alloc_page(GFP_KERNEL);
	KASSERT_NOT_NULL(t, pg);
	kmem_cache_free(a, page_address(pg));
	KEXPECT_EQ(t, slab_report_count(), ++r);
	__free_page(pg);
	static char not_heap[64];
	kmem_cache_free(a, not_heap);
	KEXPECT_EQ(t, slab_report_count(), ++r);
	/* None of those changed anything. */
	KEXPECT_EQ(t, a->inuse_objects, inuse);
	KEXPECT_EQ(t, slab_check(), 0u);

	/* Double free of the object on top of this CPU's array (always caught). */
	kmem_cache_free(a, q);
	KEXPECT_EQ(t, slab_report_count(), r);
	kmem_cache_free(a, q);
	KEXPECT_EQ(t, slab_report_count(), ++r);
	kmem_cache_free(a, p);
	KEXPECT_EQ(t, slab_report_count(), r);
	KEXPECT_EQ(t, slab_check(), 0u);

	/* The cache is intact: two allocations give two distinct objects, no report. */
	void *x = kmem_cache_alloc(a, GFP_KERNEL), *y = kmem_cache_alloc(a, GFP_KERNEL);
	KEXPECT_NE(t, x, y);
	kmem_cache_free(a, x);
	kmem_cache_free(a, y);
	KEXPECT_EQ(t, slab_report_count(), r);
	kmem_cache_destroy(a);
	kmem_cache_destroy(b);
	KEXPECT_EQ(t, slab_report_count(), r);
}

/*
 * Overwrite the free pointer of the object at the head of a slab's free
 * list; the next allocation must report it, never follow it, and keep
 * working (the rest of that slab's free list is dropped as lost).
 */
static void corrupt_and_allocate(struct ktest *t, bool misaligned)
{
	struct kmem_cache *c = kmem_cache_create("t_corrupt", 64, 0, 0, NULL);
	KASSERT_NOT_NULL(t, c);
	void *o[6];
	for (unsigned i = 0; i < 6; i++)
		o[i] = kmem_cache_alloc(c, GFP_KERNEL);
	kmem_cache_free(c, o[2]);
	kmem_cache_free(c, o[3]);
	kmem_cache_shrink(c); /* the per-CPU array goes back to the slab: o[3] heads its list */
	struct page *slab = virt_to_slab(o[3]);
	KASSERT_NOT_NULL(t, slab);
	KASSERT_EQ(t, slab->freelist, o[3]);

	if (misaligned)
		freeptr_set(c, o[3], (char *)o[4] + 8); /* well encoded, but inside o[4] */
	else
		*freeptr_slot(c, o[3]) = 0x4141414141414141ull; /* a plain overwrite */
	unsigned long r = slab_report_count();
	enum { N = 100 };
	void *n[N];
	for (unsigned i = 0; i < N; i++) {
		n[i] = kmem_cache_alloc(c, GFP_KERNEL);
		KASSERT_NOT_NULL(t, n[i]);
		KEXPECT_TRUE(t, virt_to_slab(n[i]) && slab_obj_valid(c, virt_to_slab(n[i]), n[i]));
		memset(n[i], 0x77, 64);
	}
	KEXPECT_EQ(t, slab_report_count(), r + 1);
	KEXPECT_GT(t, c->lost_objects, 0ul);
	KEXPECT_EQ(t, slab_check(), 0u);
	for (unsigned i = 0; i < N; i++)
		for (unsigned j = i + 1; j < N; j++)
			KEXPECT_NE(t, n[i], n[j]);
	for (unsigned i = 0; i < N; i++)
		kmem_cache_free(c, n[i]);
	for (unsigned i = 0; i < 6; i++)
		if (i != 2 && i != 3)
			kmem_cache_free(c, o[i]);
	/* The lost objects are reported as a leak; the cache stays, consistent. */
	kmem_cache_destroy(c);
	KEXPECT_EQ(t, slab_report_count(), r + 2);
	KEXPECT_EQ(t, slab_check(), 0u);
}

static void slab_freelist_overwrite_detected(struct ktest *t)
{
	corrupt_and_allocate(t, false);
}

static void slab_freelist_misaligned_pointer_detected(struct ktest *t)
{
	corrupt_and_allocate(t, true);
}

static void slab_free_pointer_is_obfuscated(struct ktest *t)
{
	struct kmem_cache *c = kmem_cache_create("t_obfuscate", 64, 0, 0, NULL);
	struct kmem_cache *d = kmem_cache_create("t_obfuscate2", 64, 0, 0, NULL);
	KASSERT_NOT_NULL(t, c);
	KASSERT_NOT_NULL(t, d);
	void *keep = kmem_cache_alloc(c, GFP_KERNEL);
	void *e = kmem_cache_alloc(c, GFP_KERNEL), *f = kmem_cache_alloc(c, GFP_KERNEL);
	kmem_cache_free(c, f);
	kmem_cache_free(c, e);
	kmem_cache_drain_all(); /* keep holds the slab; e and f head its free list */
	struct page *slab = virt_to_slab(keep);
	KASSERT_NOT_NULL(t, slab);
	void *head = slab->freelist;
	KASSERT_NOT_NULL(t, head);
	void *next = freeptr_get(c, head);
	KEXPECT_NE(t, *freeptr_slot(c, head), (uintptr_t)next); /* stored word != pointer */
	KEXPECT_TRUE(t, next == NULL || virt_to_slab(next) == slab);
	KEXPECT_NE(t, c->random, d->random);
	kmem_cache_free(c, keep);
	kmem_cache_destroy(c);
	kmem_cache_destroy(d);
}

/* ---- the per-CPU layer ---- */

static void slab_percpu_refill_flush_counts(struct ktest *t)
{
	enum { N = 200 };
	static void *objs[N];
	struct kmem_cache *c = kmem_cache_create("t_pcpu", 64, 0, 0, NULL);
	KASSERT_NOT_NULL(t, c);
	if (c->flags & SLAB_DEBUG) {
		kmem_cache_destroy(c);
		KTEST_SKIP(t, "slab_debug caches have no per-CPU arrays");
	}
	KASSERT_EQ(t, c->limit, 120u);
	KASSERT_EQ(t, c->batchcount, 60u);
	unsigned cpu = smp_processor_id();

	for (unsigned i = 0; i < N; i++) {
		objs[i] = kmem_cache_alloc(c, GFP_KERNEL);
		KASSERT_NOT_NULL(t, objs[i]);
	}
	struct array_cache *ac = c->cpu_cache[cpu];
	KASSERT_TRUE(t, ac != &slab_empty_ac);
	/* 200 allocations: a refill of 60 whenever the array is empty: 4 refills, 196 hits. */
	KEXPECT_EQ(t, ac->refills, 4ul);
	KEXPECT_EQ(t, ac_alloc_hits(ac), 196ul);
	KEXPECT_EQ(t, ac->avail, 40u);
	KEXPECT_EQ(t, ac->flushes, 0ul);

	/*
	 * 200 frees onto 40: 80 fill it to 120; the 81st flushes 60 and is
	 * pushed; 59 more fill it; the 141st flushes again; 59 more: 120.
	 */
	for (unsigned i = 0; i < N; i++)
		kmem_cache_free(c, objs[i]);
	KEXPECT_EQ(t, ac->flushes, 2ul);
	KEXPECT_EQ(t, ac->free_hits, 198ul);
	KEXPECT_EQ(t, ac->avail, 120u);
	/* Both batches went into depot magazines, not back to their slabs. */
	KEXPECT_EQ(t, ac->flush_depot, 2ul);
	KEXPECT_EQ(t, depot_nr_full(c), 2u);
	KEXPECT_EQ(t, c->inuse_objects, 240ul);

	/* 121 allocations: 120 hits, then a refill with a whole magazine from the depot. */
	unsigned long grown = c->grown;
	for (unsigned i = 0; i < 121; i++)
		objs[i] = kmem_cache_alloc(c, GFP_KERNEL);
	KEXPECT_EQ(t, ac->refill_depot, 1ul);
	KEXPECT_EQ(t, ac->avail, 59u);
	KEXPECT_EQ(t, depot_nr_full(c), 1u);
	/* The emptied magazine is this CPU's own: kept as its spare for the next flush. */
	KEXPECT_EQ(t, depot_nr_empty(c), 0u);
	KEXPECT_NOT_NULL(t, ac->spare);
	KEXPECT_EQ(t, c->grown, grown);
	for (unsigned i = 0; i < 121; i++)
		kmem_cache_free(c, objs[i]);

	kmem_cache_shrink(c);
	KEXPECT_EQ(t, ac->avail, 0u);
	KEXPECT_EQ(t, depot_nr_full(c) + depot_nr_empty(c), 0u);
	KEXPECT_EQ(t, c->inuse_objects, 0ul);
	kmem_cache_destroy(c);
}

static void slab_drain_all_empties_arrays(struct ktest *t)
{
	struct kmem_cache *c = kmem_cache_create("t_drain", 32, 0, 0, NULL);
	KASSERT_NOT_NULL(t, c);
	if (c->flags & SLAB_DEBUG) {
		kmem_cache_destroy(c);
		KTEST_SKIP(t, "slab_debug caches have no per-CPU arrays");
	}
	void *p = kmem_cache_alloc(c, GFP_KERNEL);
	kmem_cache_free(c, p);
	KEXPECT_GT(t, c->inuse_objects, 0ul); /* the rest of the batch sits in the array */
	kmem_cache_drain_all();
	KEXPECT_EQ(t, c->inuse_objects, 0ul);
	kmem_cache_destroy(c);
}

/* ---- slab_debug mode (the flag is read when a cache is created) ---- */

static struct kmem_cache *debug_cache(const char *name, size_t size, void (*ctor)(void *))
{
	bool old = slab_debug_enabled;
	slab_debug_enabled = true;
	struct kmem_cache *c = kmem_cache_create(name, size, 0, 0, ctor);
	slab_debug_enabled = old;
	return c;
}

static void slab_debug_poison_catches_write_after_free(struct ktest *t)
{
	struct kmem_cache *c = debug_cache("t_dbg_poison", 64, NULL);
	KASSERT_NOT_NULL(t, c);
	KEXPECT_TRUE(t, c->flags & SLAB_DEBUG);
	KEXPECT_TRUE(t, c->flags & SLAB_POISON);
	uint8_t *a = kmem_cache_alloc(c, GFP_KERNEL);
	KASSERT_NOT_NULL(t, a);
	memset(a, 0, 64);
	kmem_cache_free(c, a);
	KEXPECT_EQ(t, a[0], SLAB_POISON_FREE);
	KEXPECT_EQ(t, a[62], SLAB_POISON_FREE);
	KEXPECT_EQ(t, a[63], SLAB_POISON_END);
	KEXPECT_EQ(t, slab_check(), 0u);

	a[10] = 0x42; /* write after free */
	KEXPECT_GT(t, slab_check(), 0u);
	unsigned long r = slab_report_count();
	uint8_t *b = kmem_cache_alloc(c, GFP_KERNEL); /* the same object: reported on the way out */
	KEXPECT_EQ(t, b, a);
	KEXPECT_EQ(t, slab_report_count(), r + 1);
	kmem_cache_free(c, b);
	KEXPECT_EQ(t, slab_check(), 0u);
	kmem_cache_destroy(c);
	KEXPECT_EQ(t, slab_report_count(), r + 1);
}

static void slab_debug_redzones_catch_overflow(struct ktest *t)
{
	struct kmem_cache *c = debug_cache("t_dbg_rz", 40, NULL);
	KASSERT_NOT_NULL(t, c);
	unsigned long r = slab_report_count();
	uint8_t *a = kmem_cache_alloc(c, GFP_KERNEL);
	KASSERT_NOT_NULL(t, a);
	memset(a, 1, 40); /* the whole object is fine */
	kmem_cache_free(c, a);
	KEXPECT_EQ(t, slab_report_count(), r);

	a = kmem_cache_alloc(c, GFP_KERNEL);
	a[40] = 1; /* one byte past the end */
	kmem_cache_free(c, a);
	KEXPECT_EQ(t, slab_report_count(), ++r);
	a = kmem_cache_alloc(c, GFP_KERNEL);
	a[-1] = 1; /* one byte before the start */
	kmem_cache_free(c, a);
	KEXPECT_EQ(t, slab_report_count(), ++r);
	/* The frees were applied and the zones repaired: the cache is consistent. */
	KEXPECT_EQ(t, c->inuse_objects, 0ul);
	KEXPECT_EQ(t, slab_check(), 0u);
	kmem_cache_destroy(c);
	KEXPECT_EQ(t, slab_report_count(), r);
}

static void slab_debug_catches_every_double_free(struct ktest *t)
{
	struct kmem_cache *c = debug_cache("t_dbg_df", 32, NULL);
	KASSERT_NOT_NULL(t, c);
	void *a = kmem_cache_alloc(c, GFP_KERNEL), *b = kmem_cache_alloc(c, GFP_KERNEL);
	KASSERT_NOT_NULL(t, a);
	KASSERT_NOT_NULL(t, b);
	unsigned long r = slab_report_count();
	kmem_cache_free(c, a);
	kmem_cache_free(c, b);
	kmem_cache_free(c, a); /* not on top of anything: only the per-object state knows */
	KEXPECT_EQ(t, slab_report_count(), r + 1);
	kmem_cache_free(c, b);
	KEXPECT_EQ(t, slab_report_count(), r + 2);
	KEXPECT_EQ(t, c->inuse_objects, 0ul);
	KEXPECT_EQ(t, slab_check(), 0u);
	void *x = kmem_cache_alloc(c, GFP_KERNEL), *y = kmem_cache_alloc(c, GFP_KERNEL);
	KEXPECT_NE(t, x, y);
	kmem_cache_free(c, x);
	kmem_cache_free(c, y);
	kmem_cache_destroy(c);
}

static void slab_debug_tracks_owners(struct ktest *t)
{
	struct kmem_cache *c = debug_cache("t_dbg_track", 100, NULL);
	KASSERT_NOT_NULL(t, c);
	void *a = kmem_cache_alloc(c, GFP_KERNEL);
	KASSERT_NOT_NULL(t, a);
	struct slab_track *tr = slab_track_of(c, a);
	KEXPECT_EQ(t, tr->state, (uint32_t)SLAB_STATE_ALLOC);
	KEXPECT_NE(t, tr->alloc_caller, 0ul);
	KEXPECT_EQ(t, tr->free_caller, 0ul);
	kmem_cache_free(c, a);
	KEXPECT_EQ(t, tr->state, (uint32_t)SLAB_STATE_FREE);
	KEXPECT_NE(t, tr->free_caller, 0ul);
	/* The leak report of a debug cache names the allocating caller. */
	void *leak = kmem_cache_alloc(c, GFP_KERNEL);
	unsigned long r = slab_report_count();
	kmem_cache_destroy(c);
	KEXPECT_EQ(t, slab_report_count(), r + 1);
	kmem_cache_free(c, leak);
	kmem_cache_destroy(c);
}

static void slab_debug_ctor_objects_not_poisoned(struct ktest *t)
{
	ctor_calls = 0;
	struct kmem_cache *c = debug_cache("t_dbg_ctor", sizeof(struct ctor_obj), ctor_fn);
	KASSERT_NOT_NULL(t, c);
	KEXPECT_FALSE(t, c->flags & SLAB_POISON);
	struct ctor_obj *o = kmem_cache_alloc(c, GFP_KERNEL);
	KASSERT_NOT_NULL(t, o);
	kmem_cache_free(c, o);
	o = kmem_cache_alloc(c, GFP_KERNEL);
	KEXPECT_EQ(t, o->magic, CTOR_MAGIC);
	KEXPECT_EQ(t, o->words[28], 28u * 7u);
	KEXPECT_EQ(t, ctor_calls, (unsigned long)c->total_objects);
	kmem_cache_free(c, o);
	kmem_cache_destroy(c);
}

/*
 * The boundary test's arithmetic (slab_div_exact, slab_internal.h) against
 * a division, for every stride up to 1 KiB in steps of 8 and a few odd
 * ones: at, around and between the object boundaries of a 32 KiB slab,
 * and for offsets that wrapped below the first object.
 */
static void slab_boundary_arithmetic_is_exact_division(struct ktest *t)
{
	static const unsigned odd[] = {
		1, 3, 24, 40, 56, 72, 96, 192, 768, 1536, 3072, 4095, 4104
	};
	unsigned wrong = 0, checked = 0;

	for (unsigned s = 0; s < 128 + ARRAY_SIZE(odd); s++) {
		uint64_t d = s < 128 ? 8 * (s + 1) : odd[s - 128];
		unsigned shift = (unsigned)__builtin_ctzll(d);
		uint64_t inv = slab_div_inverse(d >> shift), n = 32768 / d;
		for (uint64_t k = 0; k <= n + 1; k++) {
			const uint64_t offs[] = { k * d - 1, k * d, k * d + 1, k * d + d / 2,
						  -k * d - 8 };
			for (unsigned j = 0; j < ARRAY_SIZE(offs); j++) {
				uint64_t off = offs[j];
				bool want = off % d == 0 && off / d < n;
				wrong += (slab_div_exact(off, inv, shift) < n) != want;
				checked++;
			}
		}
	}
	ktest_log(t, "%u offsets checked", checked);
	KEXPECT_EQ(t, wrong, 0u);
}

static struct ktest_case slab_cases[] = {
	KTEST_CASE(slab_create_rejects_bad_args),
	KTEST_CASE(slab_boundary_arithmetic_is_exact_division),
	KTEST_CASE(slab_objects_distinct_and_aligned),
	KTEST_CASE(slab_zalloc_zeroes),
	KTEST_CASE(slab_ctor_once_per_object),
	KTEST_CASE(slab_colouring_successive_slabs),
	KTEST_CASE(slab_shrink_returns_pages),
	KTEST_CASE(slab_create_destroy_leaks_no_pages),
	KTEST_CASE(slab_destroy_reports_leaks),
	KTEST_CASE(slab_bad_frees_detected),
	KTEST_CASE(slab_freelist_overwrite_detected),
	KTEST_CASE(slab_freelist_misaligned_pointer_detected),
	KTEST_CASE(slab_free_pointer_is_obfuscated),
	KTEST_CASE(slab_percpu_refill_flush_counts),
	KTEST_CASE(slab_drain_all_empties_arrays),
	KTEST_CASE(slab_debug_poison_catches_write_after_free),
	KTEST_CASE(slab_debug_redzones_catch_overflow),
	KTEST_CASE(slab_debug_catches_every_double_free),
	KTEST_CASE(slab_debug_tracks_owners),
	KTEST_CASE(slab_debug_ctor_objects_not_poisoned),
	{},
};
KTEST_SUITE(slab, slab_cases, .init = SLAB_TEST_INIT);
