/*
 * kmalloc_test.c - KTAP suite "kmalloc": the generated size classes, every
 * size from 1 to 16384, alignment, ksize, kzalloc/kcalloc/krealloc, large
 * blocks, bad frees, and exhaustion with recovery.
 *
 * Portable: tests/host/test_kmalloc.c includes this file with
 * KMALLOC_TEST_INIT set to its world builder.
 */
#include "kernel/ktest.h"
#include "kernel/printk.h"
#include "kernel/smp.h"
#include "kernel/string.h"
#include "mm/gfp.h"
#include "mm/slab.h"
#include "mm/slab_internal.h"
#include "mm/vmstat.h"

#ifndef KMALLOC_TEST_INIT
#define KMALLOC_TEST_INIT NULL
#endif

static unsigned long km_settled_free_pages(void)
{
	slab_reclaim();
	drain_all_pages();
	return nr_free_pages();
}

/* A byte pattern that differs per object and per offset, so overlaps show up. */
static inline uint8_t km_pattern(unsigned id, size_t off)
{
	return (uint8_t)(id * 131u + off * 7u + (id >> 8));
}

static void kmalloc_size_classes_are_sound(struct ktest *t)
{
	static const unsigned required[] = { 8, 16, 32, 48, 64, 96, 128, 192, 256 };
	unsigned n = kmalloc_nr_classes();
	KASSERT_GT(t, n, 9u);
	KEXPECT_EQ(t, kmalloc_class_size(n - 1), (unsigned)KMALLOC_MAX_CACHE_SIZE);
	for (unsigned r = 0; r < ARRAY_SIZE(required); r++) {
		bool found = false;
		for (unsigned i = 0; i < n; i++)
			found |= kmalloc_class_size(i) == required[r];
		KEXPECT_TRUE(t, found);
	}
	unsigned prev = 0;
	for (unsigned i = 0; i < n; i++) {
		unsigned s = kmalloc_class_size(i);
		KEXPECT_GT(t, s, prev);
		KEXPECT_EQ(t, s % 8, 0u);
		if (s > 1024)
			KEXPECT_EQ(t, s % 128, 0u);
		/* Rounding waste: at most 1/8 above 64 bytes; below, the finest 8-byte step. */
		if (s > 64)
			KEXPECT_LE(t, (s - prev - 1) * 8, s);
		else if (s > 16)
			KEXPECT_EQ(t, s - prev, 8u);
		/* Every power of two in range is a class. */
		if (prev)
			for (unsigned p2 = 8; p2 <= KMALLOC_MAX_CACHE_SIZE; p2 *= 2)
				KEXPECT_FALSE(t, p2 > prev && p2 < s);
		/* Tail waste <= 1/8 for both slab orders of the class. */
		struct kmem_cache *c = kmalloc_cache_for(s);
		KASSERT_NOT_NULL(t, c);
		KEXPECT_EQ(t, c->object_size, s);
		KEXPECT_LE(t, (unsigned long)c->oo.leftover * 8, PAGE_SIZE << c->oo.order);
		KEXPECT_LE(t, (unsigned long)c->min.leftover * 8, PAGE_SIZE << c->min.order);
		prev = s;
	}
	/* The O(1) lookup picks the smallest class that fits, for every size. */
	unsigned bad = 0;
	for (size_t size = 1; size <= KMALLOC_MAX_CACHE_SIZE; size++) {
		struct kmem_cache *c = kmalloc_cache_for(size);
		unsigned i = 0;
		while (kmalloc_class_size(i) < size)
			i++;
		bad += !c || c->object_size != kmalloc_class_size(i);
	}
	KEXPECT_EQ(t, bad, 0u);
	KEXPECT_NULL(t, kmalloc_cache_for(0));
	KEXPECT_NULL(t, kmalloc_cache_for(KMALLOC_MAX_CACHE_SIZE + 1));
}

/*
 * Allocate sizes [lo, hi] all at once, write each fully, check ksize and
 * alignment, check that no two overlap (sorted by address) and that every
 * pattern survived, then free them.
 */
struct km_obj {
	uint8_t *p;
	size_t size;
};

static void km_sort(struct km_obj *v, size_t n)
{
	/* Shell sort by address: no recursion, no library. */
	for (size_t gap = n / 2; gap > 0; gap /= 2)
		for (size_t i = gap; i < n; i++) {
			struct km_obj x = v[i];
			size_t j = i;
			for (; j >= gap && (uintptr_t)v[j - gap].p > (uintptr_t)x.p; j -= gap)
				v[j] = v[j - gap];
			v[j] = x;
		}
}

static void km_every_size(struct ktest *t, size_t lo, size_t hi, struct km_obj *v)
{
	size_t n = 0;
	unsigned bad_align = 0, bad_ksize = 0, bad_pattern = 0, overlaps = 0;
	bool out_of_memory = false;

	for (size_t size = lo; size <= hi; size++) {
		uint8_t *p = kmalloc(size, GFP_KERNEL);
		if (!p) {
			/* Report, but free what we hold first so later cases start clean. */
			out_of_memory = true;
			break;
		}
		v[n].p = p;
		v[n].size = size;
		n++;
		bad_align += (uintptr_t)p % 8 != 0;
		if (IS_POWER_OF_2(size))
			bad_align += (uintptr_t)p % size != 0;
		bad_ksize += ksize(p) < size;
		for (size_t off = 0; off < size; off++)
			p[off] = km_pattern((unsigned)size, off);
	}
	km_sort(v, n);
	for (size_t i = 0; i + 1 < n; i++)
		overlaps += (uintptr_t)v[i].p + v[i].size > (uintptr_t)v[i + 1].p;
	for (size_t i = 0; i < n; i++) {
		for (size_t off = 0; off < v[i].size; off++)
			if (v[i].p[off] != km_pattern((unsigned)v[i].size, off)) {
				bad_pattern++;
				break;
			}
		kfree(v[i].p);
	}
	KEXPECT_FALSE(t, out_of_memory);
	KEXPECT_EQ(t, bad_align, 0u);
	KEXPECT_EQ(t, bad_ksize, 0u);
	KEXPECT_EQ(t, overlaps, 0u);
	KEXPECT_EQ(t, bad_pattern, 0u);
}

/* Bytes a request really takes: its class, or a power-of-two block of pages above the classes. */
static uint64_t km_footprint(size_t size)
{
	if (size <= KMALLOC_MAX_CACHE_SIZE)
		return ALIGN_UP(size, 8);
	uint64_t block = PAGE_SIZE;
	while (block < size)
		block <<= 1;
	return block;
}

/*
 * Sizes 1..16384, each written fully and checked against the others live at
 * the same time. All of them at once need about 134 MiB, so they go in
 * consecutive groups whose bytes add up to at most a quarter of free memory
 * (one group on a large machine for the slab sizes, many at MEM=32M).
 */
static void kmalloc_every_size_1_to_16384(struct ktest *t)
{
	/* The descriptor array itself comes from kmalloc-large. */
	struct km_obj *v = kmalloc(16384 * sizeof(*v), GFP_KERNEL);
	KASSERT_NOT_NULL(t, v);
	uint64_t budget = (uint64_t)nr_free_pages() * PAGE_SIZE / 4;
	unsigned groups = 0;
	for (size_t lo = 1; lo <= 16384;) {
		size_t hi = lo;
		/* Bytes actually consumed: a large request takes whole pages. */
		uint64_t bytes = km_footprint(lo);
		while (hi < 16384 && bytes + km_footprint(hi + 1) <= budget)
			bytes += km_footprint(++hi);
		km_every_size(t, lo, hi, v);
		groups++;
		lo = hi + 1;
	}
	ktest_log(t, "%u group(s) within a budget of %llu KiB", groups,
		  (unsigned long long)(budget >> 10));
	kfree(v);
}

static void kmalloc_natural_alignment(struct ktest *t)
{
	enum { N = 64 };
	void *p[N];
	for (size_t size = 8; size <= 16384 * 4; size *= 2) {
		unsigned bad = 0;
		for (unsigned i = 0; i < N; i++) {
			p[i] = kmalloc(size, GFP_KERNEL);
			KASSERT_NOT_NULL(t, p[i]);
			bad += (uintptr_t)p[i] % size != 0;
		}
		for (unsigned i = 0; i < N; i++)
			kfree(p[i]);
		KEXPECT_EQ(t, bad, 0u);
	}
}

static void kmalloc_zero_and_null(struct ktest *t)
{
	unsigned long r = slab_report_count();
	void *z = kmalloc(0, GFP_KERNEL);
	KEXPECT_EQ(t, z, ZERO_SIZE_PTR);
	KEXPECT_EQ(t, ksize(z), 0ul);
	kfree(z);
	kfree(NULL);
	KEXPECT_EQ(t, ksize(NULL), 0ul);
	KEXPECT_EQ(t, slab_report_count(), r);
}

static void kmalloc_kzalloc_kcalloc(struct ktest *t)
{
	for (size_t size = 1; size <= 20000; size = size * 3 + 1) {
		uint8_t *p = kmalloc(size, GFP_KERNEL);
		KASSERT_NOT_NULL(t, p);
		memset(p, 0xee, size);
		kfree(p);
		uint8_t *z = kzalloc(size, GFP_KERNEL);
		KASSERT_NOT_NULL(t, z);
		size_t nonzero = 0;
		for (size_t i = 0; i < size; i++)
			nonzero += z[i] != 0;
		KEXPECT_EQ(t, nonzero, 0ul);
		kfree(z);
	}
	uint32_t *a = kcalloc(100, sizeof(uint32_t), GFP_KERNEL);
	KASSERT_NOT_NULL(t, a);
	unsigned nonzero = 0;
	for (unsigned i = 0; i < 100; i++)
		nonzero += a[i] != 0;
	KEXPECT_EQ(t, nonzero, 0u);
	kfree(a);
	KEXPECT_NULL(t, kcalloc(SIZE_MAX / 2, 3, GFP_KERNEL | __GFP_NOWARN));
	KEXPECT_NULL(t, kcalloc((size_t)1 << 33, (size_t)1 << 32, GFP_KERNEL | __GFP_NOWARN));
}

static bool km_check(const uint8_t *p, size_t n, unsigned id)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != km_pattern(id, i))
			return false;
	return true;
}

static void km_fill(uint8_t *p, size_t n, unsigned id)
{
	for (size_t i = 0; i < n; i++)
		p[i] = km_pattern(id, i);
}

static void kmalloc_krealloc_keeps_data(struct ktest *t)
{
	uint8_t *p = kmalloc(10, GFP_KERNEL);
	KASSERT_NOT_NULL(t, p);
	km_fill(p, 10, 5);
	/* Still fits its class (16): in place. */
	uint8_t *q = krealloc(p, 13, GFP_KERNEL);
	KEXPECT_EQ(t, q, p);
	km_fill(q, 13, 5);
	/* Grow through several classes and into a large block, then shrink back. */
	static const size_t steps[] = { 100, 1000, 5000, 8192, 20000, 70000, 3000, 64, 1 };
	size_t have = 13;
	for (unsigned s = 0; s < ARRAY_SIZE(steps); s++) {
		size_t keep = MIN(have, steps[s]);
		uint8_t *r = krealloc(q, steps[s], GFP_KERNEL);
		KASSERT_NOT_NULL(t, r);
		KEXPECT_TRUE(t, km_check(r, keep, 5));
		KEXPECT_GE(t, ksize(r), steps[s]);
		km_fill(r, steps[s], 5);
		have = steps[s];
		q = r;
	}
	/* krealloc(NULL) is kmalloc; krealloc(p, 0) frees. */
	uint8_t *n = krealloc(NULL, 40, GFP_KERNEL);
	KASSERT_NOT_NULL(t, n);
	KEXPECT_EQ(t, krealloc(n, 0, GFP_KERNEL), ZERO_SIZE_PTR);
	kfree(q);
}

static void kmalloc_large_blocks(struct ktest *t)
{
	long before = read_vm_stat(NR_KMALLOC_LARGE);
	void *p = kmalloc(100000, GFP_KERNEL); /* 25 pages: order 5 */
	KASSERT_NOT_NULL(t, p);
	KEXPECT_EQ(t, (uintptr_t)p % PAGE_SIZE, 0ul);
	struct page *pg = virt_to_page(p);
	KEXPECT_TRUE(t, pg->flags & PG_large_kmalloc);
	KEXPECT_FALSE(t, pg->flags & PG_slab);
	KEXPECT_EQ(t, page_order(pg), 5u);
	KEXPECT_EQ(t, ksize(p), PAGE_SIZE << 5);
	KEXPECT_EQ(t, read_vm_stat(NR_KMALLOC_LARGE), before + 32);
	memset(p, 0xab, 100000);
	kfree(p);
	KEXPECT_EQ(t, read_vm_stat(NR_KMALLOC_LARGE), before);
	/* Just above the largest class. */
	void *q = kmalloc(KMALLOC_MAX_CACHE_SIZE + 1, GFP_KERNEL);
	KASSERT_NOT_NULL(t, q);
	KEXPECT_TRUE(t, virt_to_page(q)->flags & PG_large_kmalloc);
	kfree(q);
	/* Beyond the largest buddy block: NULL, no crash. */
	KEXPECT_NULL(t, kmalloc((PAGE_SIZE << MAX_PAGE_ORDER) + 1, GFP_KERNEL | __GFP_NOWARN));
	KEXPECT_EQ(t, read_vm_stat(NR_KMALLOC_LARGE), before);
}

static void kmalloc_bad_frees_detected(struct ktest *t)
{
	unsigned long r = slab_report_count();
	char *p = kmalloc(100, GFP_KERNEL);
	char *big = kmalloc(50000, GFP_KERNEL);
	KASSERT_NOT_NULL(t, p);
	KASSERT_NOT_NULL(t, big);

	kfree(p + 1); /* inside an object (104-byte class: the exact test) */
	KEXPECT_EQ(t, slab_report_count(), ++r);
	/* Inside an object of a power-of-two class (the boundary mask), and half-way. */
	char *w = kmalloc(64, GFP_KERNEL);
	KASSERT_NOT_NULL(t, w);
	kfree(w + 8);
	KEXPECT_EQ(t, slab_report_count(), ++r);
	kfree(w + 32);
	KEXPECT_EQ(t, slab_report_count(), ++r);
	kfree(w);
	KEXPECT_EQ(t, slab_report_count(), r);
	/*
	 * The exact test in a slab of several pages (3072-byte class): an
	 * object that starts in a tail page, and pointers inside it, in the
	 * same page and in the next one.
	 */
	char *tail[8] = { NULL };
	unsigned in_tail = 0;
	for (unsigned i = 0; i < ARRAY_SIZE(tail) && !in_tail; i++) {
		tail[i] = kmalloc(3000, GFP_KERNEL);
		KASSERT_NOT_NULL(t, tail[i]);
		if (virt_to_page(tail[i])->flags & PG_tail)
			in_tail = i + 1;
	}
	KASSERT_GT(t, in_tail, 0u);
	char *o = tail[in_tail - 1];
	kfree(o + 8);
	KEXPECT_EQ(t, slab_report_count(), ++r);
	kfree(o + 3064);
	KEXPECT_EQ(t, slab_report_count(), ++r);
	for (unsigned i = 0; i < in_tail; i++)
		kfree(tail[i]);
	KEXPECT_EQ(t, slab_report_count(), r);
	kfree(big + 64); /* inside a large block */
	KEXPECT_EQ(t, slab_report_count(), ++r);
	kfree(big + PAGE_SIZE); /* a later page of a large block */
	KEXPECT_EQ(t, slab_report_count(), ++r);
	static int not_heap;
	kfree(&not_heap);
	KEXPECT_EQ(t, slab_report_count(), ++r);
	KEXPECT_EQ(t, ksize(p + 8), 0ul);
	KEXPECT_EQ(t, slab_report_count(), ++r);
	KEXPECT_EQ(t, slab_check(), 0u);

	kfree(big);
	kfree(big); /* the block is free now: not a kmalloc pointer any more */
	KEXPECT_EQ(t, slab_report_count(), ++r);
	kfree(p);
	kfree(p); /* on top of this CPU's array (or recorded free in slab_debug) */
	KEXPECT_EQ(t, slab_report_count(), ++r);
	KEXPECT_EQ(t, slab_check(), 0u);
	KEXPECT_EQ(t, buddy_check(), 0u);

	/* Everything still works. */
	void *a = kmalloc(100, GFP_KERNEL), *b = kmalloc(100, GFP_KERNEL);
	KEXPECT_NE(t, a, b);
	kfree(a);
	kfree(b);
	KEXPECT_EQ(t, slab_report_count(), r);
}

/*
 * Exhaust memory through kmalloc: big blocks first, then smaller and smaller
 * objects, until even 8 bytes fail. Everything must fail cleanly (NULL), the
 * structures stay consistent, and once everything is freed the free page
 * count is back where it was and allocation works again.
 */
static void kmalloc_exhaustion_recovers(struct ktest *t)
{
	static const size_t sizes[] = { 1UL << 22, 1UL << 18, 1UL << 14, 4096, 512, 64, 8 };
	const gfp_t gfp = GFP_KERNEL | __GFP_NOWARN;
	/* A chain through the allocations themselves: no bookkeeping memory needed. */
	void *chain = NULL;
	unsigned long count = 0;

	unsigned long before = km_settled_free_pages();
	for (unsigned s = 0; s < ARRAY_SIZE(sizes); s++) {
		void *p;
		while ((p = kmalloc(sizes[s], gfp)) != NULL) {
			*(void **)p = chain;
			chain = p;
			count++;
		}
	}
	KEXPECT_GT(t, count, 0ul);
	KEXPECT_NULL(t, kmalloc(8, gfp));
	KEXPECT_NULL(t, kmalloc(1UL << 20, gfp));
	KEXPECT_EQ(t, slab_check(), 0u);
	KEXPECT_EQ(t, buddy_check(), 0u);

	while (chain) {
		void *next = *(void **)chain;
		kfree(chain);
		chain = next;
	}
	KEXPECT_EQ(t, km_settled_free_pages(), before);
	void *p = kmalloc(1UL << 20, GFP_KERNEL), *q = kmalloc(100, GFP_KERNEL);
	KEXPECT_NOT_NULL(t, p);
	KEXPECT_NOT_NULL(t, q);
	kfree(p);
	kfree(q);
}

static void kmalloc_fast_path_hits(struct ktest *t)
{
	struct kmem_cache *c = kmalloc_cache_for(40);
	KASSERT_NOT_NULL(t, c);
	if (c->flags & SLAB_DEBUG)
		KTEST_SKIP(t, "slab_debug caches have no per-CPU arrays");
	void *p = kmalloc(40, GFP_KERNEL); /* makes sure this CPU's array exists */
	kfree(p);
	struct array_cache *ac = c->cpu_cache[smp_processor_id()];
	KASSERT_TRUE(t, ac != &slab_empty_ac);
	unsigned long hits = ac_alloc_hits(ac), fhits = ac->free_hits, refills = ac->refills;
	unsigned long flushes = ac->flushes;
	for (unsigned i = 0; i < 1000; i++)
		kfree(kmalloc(33 + i % 8, GFP_KERNEL)); /* all in the 40-byte class */
	KEXPECT_EQ(t, ac_alloc_hits(ac) - hits + ac->refills - refills, 1000ul);
	KEXPECT_LE(t, ac->refills - refills, 1ul);
	KEXPECT_EQ(t, ac->free_hits - fhits + ac->flushes - flushes, 1000ul);
	KEXPECT_LE(t, ac->flushes - flushes, 1ul);
}

/* On each CPU: free an object of the cache arg through kfree, so that CPU's pair names it. */
static void kfree_one_here(void *arg)
{
	kfree(kmem_cache_alloc(arg, GFP_ATOMIC));
}

/*
 * kfree pushes each object onto this CPU's array of the object's own cache,
 * whichever cache it freed to last: its per-CPU pair (mm/slab_percpu.h) is
 * only a guess, checked against the object's page. After each free the
 * pair names the object's cache and this CPU's array of it; once the
 * caches are destroyed no CPU's pair names them (every CPU's named one
 * before).
 */
static void kfree_pushes_each_object_to_its_own_cache(struct ktest *t)
{
	enum { N = 8 };
	struct kmem_cache *a = kmem_cache_create("t_kfree_a", 64, 0, 0, NULL);
	struct kmem_cache *b = kmem_cache_create("t_kfree_b", 96, 0, 0, NULL);
	KASSERT_NOT_NULL(t, a);
	KASSERT_NOT_NULL(t, b);
	if (a->flags & SLAB_DEBUG) {
		kmem_cache_destroy(a);
		kmem_cache_destroy(b);
		KTEST_SKIP(t, "slab_debug caches have no per-CPU arrays");
	}
	void *pa[N], *pb[N];
	for (unsigned i = 0; i < N; i++) {
		pa[i] = kmem_cache_alloc(a, GFP_KERNEL);
		pb[i] = kmem_cache_alloc(b, GFP_KERNEL);
		KASSERT_NOT_NULL(t, pa[i]);
		KASSERT_NOT_NULL(t, pb[i]);
	}
	unsigned long flags;
	local_irq_save(flags); /* this CPU's arrays only, nothing else freeing meanwhile */
	unsigned cpu = smp_processor_id();
	struct array_cache *aa = a->cpu_cache[cpu], *ab = b->cpu_cache[cpu];
	unsigned avail_a = aa->avail, avail_b = ab->avail;
	unsigned pushed_right = 0, named_right = 0;
	for (unsigned i = 0; i < N; i++) {
		kfree(pa[i]);
		pushed_right += aa->slots[aa->avail] == pa[i];
		named_right +=
			this_cpu_read(slab.kfree_cache) == a && this_cpu_read(slab.kfree_ac) == aa;
		kfree(pb[i]);
		pushed_right += ab->slots[ab->avail] == pb[i];
		named_right +=
			this_cpu_read(slab.kfree_cache) == b && this_cpu_read(slab.kfree_ac) == ab;
	}
	unsigned got_a = aa->avail - avail_a, got_b = ab->avail - avail_b;
	local_irq_restore(flags);
	KEXPECT_EQ(t, pushed_right, 2u * N);
	KEXPECT_EQ(t, named_right, 2u * N);
	KEXPECT_EQ(t, got_a, (unsigned)N);
	KEXPECT_EQ(t, got_b, (unsigned)N);
	KEXPECT_EQ(t, slab_check(), 0u);
	on_each_cpu(kfree_one_here, a, true);
	unsigned named_a = 0;
	for (unsigned c = 0; c < NR_CPUS; c++)
		named_a += per_cpu(c)->slab.kfree_cache == a;
	KEXPECT_EQ(t, named_a, num_online_cpus());
	kmem_cache_destroy(a);
	kmem_cache_destroy(b);
	unsigned naming = 0;
	for (unsigned c = 0; c < NR_CPUS; c++)
		naming += per_cpu(c)->slab.kfree_cache == a || per_cpu(c)->slab.kfree_cache == b;
	KEXPECT_EQ(t, naming, 0u);
	KEXPECT_EQ(t, slab_check(), 0u);
}

/*
 * kmalloc finds this CPU's array through its per-CPU table, which follows
 * the arrays as they are made; slab_check compares the two, and reports a
 * table entry or a kfree pair that points at the wrong array.
 */
static void kmalloc_table_and_kfree_pair_are_checked(struct ktest *t)
{
	struct kmem_cache *c64 = kmalloc_cache_for(64), *c32 = kmalloc_cache_for(32);
	KASSERT_NOT_NULL(t, c64);
	KASSERT_NOT_NULL(t, c32);
	if (c64->flags & SLAB_DEBUG)
		KTEST_SKIP(t, "slab_debug caches have no per-CPU arrays");
	kfree(kmalloc(32, GFP_KERNEL));
	kfree(kmalloc(64, GFP_KERNEL)); /* both arrays made; the pair names kmalloc-64 */
	unsigned long flags;
	local_irq_save(flags);
	unsigned cpu = smp_processor_id(), i = (64 - 1) / 8;
	struct array_cache *right = c64->cpu_cache[cpu], *wrong = c32->cpu_cache[cpu];
	unsigned table_ok = this_cpu_read_idx(slab.kmalloc_ac, i) == right;
	unsigned pair_ok =
		this_cpu_read(slab.kfree_cache) == c64 && this_cpu_read(slab.kfree_ac) == right;
	unsigned clean = slab_check();
	this_cpu_write_idx(slab.kmalloc_ac, i, wrong);
	unsigned table_found = slab_check();
	this_cpu_write_idx(slab.kmalloc_ac, i, right);
	this_cpu_write(slab.kfree_ac, wrong);
	unsigned pair_found = slab_check();
	this_cpu_write(slab.kfree_ac, right);
	local_irq_restore(flags);
	KEXPECT_TRUE(t, table_ok);
	KEXPECT_TRUE(t, pair_ok);
	KEXPECT_EQ(t, clean, 0u);
	KEXPECT_EQ(t, table_found, 1u);
	KEXPECT_EQ(t, pair_found, 1u);
	KEXPECT_EQ(t, slab_check(), 0u);
}

/* slab_debug only: the slack between the request and the class is a red zone. */
static void kmalloc_debug_slack_is_red_zone(struct ktest *t)
{
	struct kmem_cache *c = kmalloc_cache_for(13);
	KASSERT_NOT_NULL(t, c);
	if (!(c->flags & SLAB_DEBUG))
		KTEST_SKIP(t, "needs slab_debug (boot with slab_debug; the host runs it in "
			      "test_slab_debug)");
	unsigned long r = slab_report_count();
	char *p = kmalloc(13, GFP_KERNEL);
	KASSERT_NOT_NULL(t, p);
	memset(p, 'a', 13);
	kfree(p);
	KEXPECT_EQ(t, slab_report_count(), r);
	p = kmalloc(13, GFP_KERNEL);
	p[13] = 'x'; /* inside the 16-byte object, past the request */
	kfree(p);
	KEXPECT_EQ(t, slab_report_count(), ++r);
	/* After ksize() the caller may use the whole object. */
	p = kmalloc(13, GFP_KERNEL);
	memset(p, 'b', ksize(p));
	kfree(p);
	KEXPECT_EQ(t, slab_report_count(), r);
	/* krealloc in place moves the red zone with the new size. */
	p = kmalloc(16, GFP_KERNEL);
	char *q = krealloc(p, 10, GFP_KERNEL);
	KEXPECT_EQ(t, q, p);
	q[12] = 'y';
	kfree(q);
	KEXPECT_EQ(t, slab_report_count(), ++r);
	KEXPECT_EQ(t, slab_check(), 0u);
}

static struct ktest_case kmalloc_cases[] = {
	KTEST_CASE(kmalloc_size_classes_are_sound),
	KTEST_CASE(kmalloc_every_size_1_to_16384),
	KTEST_CASE(kmalloc_natural_alignment),
	KTEST_CASE(kmalloc_zero_and_null),
	KTEST_CASE(kmalloc_kzalloc_kcalloc),
	KTEST_CASE(kmalloc_krealloc_keeps_data),
	KTEST_CASE(kmalloc_large_blocks),
	KTEST_CASE(kmalloc_bad_frees_detected),
	KTEST_CASE(kmalloc_exhaustion_recovers),
	KTEST_CASE(kmalloc_fast_path_hits),
	KTEST_CASE(kfree_pushes_each_object_to_its_own_cache),
	KTEST_CASE(kmalloc_table_and_kfree_pair_are_checked),
	KTEST_CASE(kmalloc_debug_slack_is_red_zone),
	{},
};
KTEST_SUITE(kmalloc, kmalloc_cases, .init = KMALLOC_TEST_INIT);
