/*
 * kmalloc.c - general-purpose allocation by size: one object cache per size
 * class ("kmalloc-<bytes>"), and whole buddy blocks above the largest class.
 *
 * The size classes are generated at boot by a fixed procedure (as Go's
 * mksizeclasses.go generates its table offline), never typed by hand:
 *
 *   1. 8 and 16 are classes (requests up to 16 bytes are exempt from the
 *      waste bound: at 8-byte granularity 1 byte in an 8-byte object cannot
 *      do better).
 *   2. From the previous class p, the next class is the largest c that
 *      (a) is a multiple of the granularity g(p) = max(8, 2^floor(log2 p) / 8)
 *          (so classes up to 1 KiB are multiples of 8, above 1 KiB multiples
 *          of 128: the size-to-class lookup tables below are exact), and
 *      (b) bounds the rounding waste: the worst request it serves, p + 1,
 *          wastes c - (p + 1) <= c / 8, i.e. c <= 8 (p + 1) / 7;
 *      but never beyond the next "required" size (every power of two, which
 *      must exist for natural alignment, and 3 * 2^k from 48 on: 48, 96, 192,
 *      ..., Linux's kmalloc-96/192 and their kin).
 *      Below 56 bytes no multiple of 8 can satisfy (b) (a request of 17 bytes
 *      in a 24-byte class already wastes 29%); there the procedure takes the
 *      next multiple of 8, the least waste possible at 8-byte alignment.
 *   3. Stop at KMALLOC_MAX_CACHE_SIZE (8 KiB, two pages, like SLUB).
 *   Each class's slab order then follows the slab rule (tail <= 1/8 of the
 *   slab, see slab_internal.h), so tail waste is at most 12.5% too.
 *
 * show_sizeclasses prints the resulting table at boot, with each class's
 * slab geometry, tail waste and worst-case waste (Go's sizeclasses.go
 * columns).
 *
 * Size to cache is O(1), as in Go: one entry per 8 bytes of size, up to
 * 8 KiB (kmalloc_cache_by8, the cache itself), and each CPU has the same
 * table of its own arrays (mm/slab_percpu.h: kmalloc's fast path is one
 * load from it).
 *
 * Alignment: every class is a multiple of 8 and slabs are page aligned, so
 * objects are 8-byte aligned. Power-of-two classes are created with align =
 * size; their stride divides the slab, so there is no colouring and every
 * object sits at a multiple of its size (natural alignment, as Linux
 * guarantees for kmalloc). In slab_debug mode the red zone in front of each
 * object is padded to that alignment, which keeps the guarantee.
 *
 * Large requests (above 8 KiB) are 2^order pages from alloc_pages, the head
 * marked PG_large_kmalloc with its order in the flags; kfree gives them back.
 * Requests with __GFP_DMA/__GFP_DMA32 are served the same way (whole pages
 * from the zone asked for): there are no DMA size classes.
 */
#include "kernel/printk.h"
#include "kernel/string.h"
#include "mm/gfp.h"
#include "mm/provenance.h"
#include "mm/slab.h"
#include "mm/slab_internal.h"
#include "mm/vmstat.h"

#define KMALLOC_MAX_CLASSES 64

static unsigned kmalloc_sizes[KMALLOC_MAX_CLASSES];
static unsigned nr_kmalloc_classes;
BUILD_BUG_ON(KMALLOC_BY8_SLOTS * 8 != KMALLOC_MAX_CACHE_SIZE);

/*
 * Before kmalloc_init every lookup lands on this placeholder: its per-CPU
 * slots are the empty array, so the slow path sees SLAB_NOT_READY and says so.
 */
static struct kmem_cache kmalloc_not_ready = {
	.cpu_cache = { [0 ... NR_CPUS - 1] = &slab_empty_ac },
	.flags = SLAB_NOT_READY,
	.name = "kmalloc",
};
static struct kmem_cache *kmalloc_caches[KMALLOC_MAX_CLASSES] = {
	[0 ... KMALLOC_MAX_CLASSES - 1] = &kmalloc_not_ready,
};
/* The cache for sizes 8i+1..8i+8 (filled by kmalloc_init). */
struct kmem_cache *kmalloc_cache_by8[KMALLOC_BY8_SLOTS] = {
	[0 ... KMALLOC_BY8_SLOTS - 1] = &kmalloc_not_ready,
};

/* ---- the size classes ---- */

static unsigned class_granularity(unsigned p)
{
	return MAX(8u, (1u << ilog2_u64(p)) / 8);
}

/* The smallest required class above p: a power of two or 3 * 2^k >= 48. */
static unsigned next_required(unsigned p)
{
	unsigned pow2 = 1u << (ilog2_u64(p) + 1);
	unsigned three = 48;
	while (three <= p)
		three *= 2;
	return MIN(pow2, three);
}

static void compute_size_classes(void)
{
	unsigned n = 0, p = 16;

	kmalloc_sizes[n++] = 8;
	kmalloc_sizes[n++] = 16;
	while (p < KMALLOC_MAX_CACHE_SIZE) {
		unsigned g = class_granularity(p);
		unsigned c = 8 * (p + 1) / 7 / g * g; /* largest multiple of g with waste <= 1/8 */
		if (c <= p)
			c = p + g; /* bound out of reach (below 56 bytes): finest step */
		c = MIN(c, next_required(p));
		BUG_ON(n >= KMALLOC_MAX_CLASSES);
		kmalloc_sizes[n++] = c;
		p = c;
	}
	nr_kmalloc_classes = n;
}

/* The cache for 1 <= size <= KMALLOC_MAX_CACHE_SIZE (the placeholder before kmalloc_init). */
static __always_inline struct kmem_cache *kmalloc_cache_of(size_t size)
{
	return kmalloc_cache_by8[(size - 1) >> 3];
}

unsigned kmalloc_nr_classes(void)
{
	return nr_kmalloc_classes;
}

unsigned kmalloc_class_size(unsigned idx)
{
	return idx < nr_kmalloc_classes ? kmalloc_sizes[idx] : 0;
}

struct kmem_cache *kmalloc_cache_for(size_t size)
{
	if (!size || size > KMALLOC_MAX_CACHE_SIZE)
		return NULL;
	return kmalloc_cache_of(size);
}

void kmalloc_init(void)
{
	char name[24];

	compute_size_classes();
	for (unsigned i = 0; i < nr_kmalloc_classes; i++) {
		unsigned size = kmalloc_sizes[i];
		ksnprintf(name, sizeof(name), "kmalloc-%u", size);
		kmalloc_caches[i] = __kmem_cache_create(name, size, IS_POWER_OF_2(size) ? size : 8,
							SLAB_KMALLOC | SLAB_PANIC, NULL);
	}
	/* For each 8-byte step, the first class that holds it. */
	for (unsigned i = 0, cls = 0; i < ARRAY_SIZE(kmalloc_cache_by8); i++) {
		while (kmalloc_sizes[cls] < 8 * i + 8)
			cls++;
		kmalloc_cache_by8[i] = kmalloc_caches[cls];
	}
	/*
	 * Every CPU's slab part of its area (mm/slab_percpu.h), before any
	 * fast path can read it: kmalloc_fast_max and kfree_fast_bytes are
	 * still 0 (kmalloc_set_trace follows). The kfree pair names nothing.
	 */
	for (unsigned cpu = 0; cpu < NR_CPUS; cpu++) {
		struct slab_percpu *sp = &per_cpu(cpu)->slab;
		sp->kfree_cache = NULL;
		sp->kfree_ac = &slab_empty_ac;
		for (unsigned i = 0; i < ARRAY_SIZE(sp->kmalloc_ac); i++)
			sp->kmalloc_ac[i] = kmalloc_cache_by8[i]->cpu_cache[cpu];
	}
	show_sizeclasses();
}

void kmalloc_cpu_array_made(const struct kmem_cache *c, struct array_cache *ac)
{
	for (unsigned i = 0; i < ARRAY_SIZE(kmalloc_cache_by8); i++)
		if (kmalloc_cache_by8[i] == c)
			this_cpu_write_idx(slab.kmalloc_ac, i, ac);
}

/* "12.34%" from num/den without floating point. */
static void fmt_pct(char *buf, size_t len, unsigned long num, unsigned long den)
{
	unsigned long bp = den ? (num * 10000 + den / 2) / den : 0;
	ksnprintf(buf, len, "%3lu.%02lu%%", bp / 100, bp % 100);
}

void show_sizeclasses(void)
{
	char tail[16], round[16], worst[16];
	unsigned prev = 0;

	printk("== sizeclasses ==\n");
	printk("class  bytes/obj  pages/slab  objects  tail bytes  tail waste  max rounding  "
	       "max waste  align\n");
	for (unsigned i = 0; i < nr_kmalloc_classes; i++) {
		const struct kmem_cache *c = kmalloc_caches[i];
		unsigned size = kmalloc_sizes[i];
		unsigned long slab_bytes = PAGE_SIZE << c->oo.order;
		/* The worst request this class serves is prev + 1 (Go's "max waste"). */
		unsigned long round_bytes = size - prev - 1;
		fmt_pct(tail, sizeof(tail), c->oo.leftover, slab_bytes);
		fmt_pct(round, sizeof(round), round_bytes, size);
		fmt_pct(worst, sizeof(worst), round_bytes * c->oo.objects + c->oo.leftover,
			slab_bytes);
		printk("%5u  %9u  %10u  %7u  %10u  %10s  %12s  %9s  %5u\n", i, size,
		       1u << c->oo.order, c->oo.objects, c->oo.leftover, tail, round, worst,
		       IS_POWER_OF_2(size)   ? size
		       : (size & -size) < 64 ? (size & -size)
					     : 64);
		prev = size;
	}
	printk("(rounding is exempt up to 16 bytes and unavoidable above 12.5%% below 56; "
	       "requests above %u bytes are whole pages)\n",
	       KMALLOC_MAX_CACHE_SIZE);
}

/* ---- large allocations: whole buddy blocks ---- */

static unsigned size_to_order(size_t size)
{
	return size <= PAGE_SIZE ? 0 : ilog2_u64(size - 1) + 1 - PAGE_SHIFT;
}

static __noinline void *kmalloc_large(size_t size, gfp_t gfp, uintptr_t caller)
{
	if (size > (PAGE_SIZE << MAX_PAGE_ORDER)) {
		if (!(gfp & __GFP_NOWARN))
			pr_warn("kmalloc: %zu bytes is more than the largest block (%lu), caller "
				"%pS\n",
				size, PAGE_SIZE << MAX_PAGE_ORDER, (void *)caller);
		return NULL;
	}
	unsigned order = size_to_order(size);
	gfp_t pgfp = gfp & ~__GFP_ZERO;
	struct page_alloc_info pinfo;
	bool reclaimed = false;
	struct page *page = alloc_pages_info(pgfp | __GFP_NOWARN, order, &pinfo);
	if (!page) {
		/* Memory pressure: give back what the slab caches hold idle, then try once more. */
		slab_reclaim();
		reclaimed = true;
		page = alloc_pages_info(pgfp, order, &pinfo);
		if (!page)
			return NULL;
	}
	struct kmalloc_info *info = slab_info_sink_get();
	if (unlikely(info)) {
		info->path = SA_LARGE;
		info->obj_size = (unsigned)(PAGE_SIZE << order);
		info->pfn = page_to_pfn(page);
		info->order = order;
		info->page = pinfo;
		info->reclaimed = reclaimed;
	}
	page->flags |= PG_large_kmalloc;
	set_page_order(page, order);
	mod_vm_stat(NR_KMALLOC_LARGE, 1L << order);
	void *p = page_address(page);
	if (gfp & __GFP_ZERO)
		memset(p, 0, PAGE_SIZE << order);
	return p;
}

static __noinline void kfree_large(struct page *page, const void *p, uintptr_t caller)
{
	if (!(page->flags & PG_large_kmalloc)) {
		slab_report_bad_ptr(NULL, p, caller);
		return;
	}
	if (p != page_address(page)) {
		pr_err("slab: kfree: bad pointer %p: %lu bytes into a large kmalloc block at %p, "
		       "caller %pS\n",
		       p, (unsigned long)((const char *)p - (const char *)page_address(page)),
		       page_address(page), (void *)caller);
		slab_count_report();
		return;
	}
	unsigned order = page_order(page);
	page->flags &= ~PG_large_kmalloc;
	mod_vm_stat(NR_KMALLOC_LARGE, -(1L << order));
	__free_pages(page, order);
}

/* ---- the kmalloc family ---- */

/* The fast paths' bounds (see slab_internal.h): 0, the slow paths only, until slab is up. */
size_t kmalloc_fast_max;
uintptr_t kfree_fast_bytes;

void kmalloc_set_trace(bool on)
{
	WRITE_ONCE(kmalloc_fast_max, on ? 0 : KMALLOC_MAX_CACHE_SIZE);
	WRITE_ONCE(kfree_fast_bytes, on || !slab_is_ready ? 0 : PFN_PHYS(max_pfn));
}

/*
 * kmalloc from the class index, for everything kmalloc's fast path sends
 * out of line (size 0, large sizes, DMA, zeroing) and for the calls that
 * made their own trace test (kzalloc, kcalloc, krealloc, provenance). The
 * fast path itself is written out in slab_fast.c, where the caller's
 * address must be read only on the way out.
 */
static __noinline void *kmalloc_slow(size_t size, gfp_t gfp, uintptr_t caller)
{
	if (!size)
		return ZERO_SIZE_PTR;
	if (size > KMALLOC_MAX_CACHE_SIZE || (gfp & KMALLOC_LARGE_GFP))
		return kmalloc_large(size, gfp, caller);
	struct kmem_cache *c = kmalloc_cache_of(size);
	void *obj = slab_alloc_fast(c, gfp, caller);
	if (unlikely(!obj))
		return NULL;
	if (gfp & __GFP_ZERO)
		memset(obj, 0, c->object_size);
	if (unlikely(c->flags & SLAB_DEBUG))
		slab_debug_kmalloc_size(c, obj, size);
	return obj;
}

void *kmalloc_miss(size_t size, gfp_t gfp, uintptr_t caller)
{
	struct kmem_cache *c = kmalloc_cache_of(size);
	void *obj = cache_alloc_slow(c, gfp, caller);
	if (unlikely(c->flags & SLAB_DEBUG))
		slab_debug_kmalloc_size(c, obj, size);
	return obj;
}

/*
 * kmalloc that records how it was served (mm/provenance.h), through
 * kmalloc_slow: a per-CPU hit leaves the record as preset here, and the
 * slow paths (refill, new slab, large block) fill it in through
 * slab_info_sink.
 */
static __noinline void *kmalloc_provenance(size_t size, gfp_t gfp, struct kmalloc_info *info,
					   uintptr_t caller)
{
	unsigned cpu = smp_processor_id();

	*info = (struct kmalloc_info){ .path = SA_CPU_HIT, .cpu = cpu };
	if (!size) {
		info->path = SA_ZERO;
	} else if (size > KMALLOC_MAX_CACHE_SIZE || (gfp & KMALLOC_LARGE_GFP)) {
		info->path = SA_LARGE;
	} else {
		const struct kmem_cache *c = kmalloc_cache_of(size);
		info->cache = c->name;
		info->obj_size = c->object_size;
	}
	slab_info_sink[cpu] = info;
	void *p = kmalloc_slow(size, gfp, caller);
	slab_info_sink[cpu] = NULL;
	if (!p)
		info->path = SA_FAILED;
	return p;
}

static __noinline void *kmalloc_traced(size_t size, gfp_t gfp, uintptr_t caller)
{
	struct kmalloc_info info;
	void *p = kmalloc_provenance(size, gfp, &info, caller);
	mm_trace_kmalloc(size, p, &info, false, caller);
	return p;
}

/* kmalloc's way out of its fast path: the trace, or the slow path proper. */
void *kmalloc_out_of_line(size_t size, gfp_t gfp, uintptr_t caller)
{
	if (unlikely(READ_ONCE(mm_trace_enabled)))
		return kmalloc_traced(size, gfp, caller);
	return kmalloc_slow(size, gfp, caller);
}

void *kmalloc_info(size_t size, gfp_t gfp, struct kmalloc_info *info)
{
	void *p = kmalloc_provenance(size, gfp, info, _RET_IP_);
	if (unlikely(mm_trace_enabled))
		mm_trace_kmalloc(size, p, info, false, _RET_IP_);
	return p;
}

void *kzalloc(size_t size, gfp_t gfp)
{
	if (unlikely(mm_trace_enabled))
		return kmalloc_traced(size, gfp | __GFP_ZERO, _RET_IP_);
	return kmalloc_slow(size, gfp | __GFP_ZERO, _RET_IP_);
}

void *kcalloc(size_t n, size_t size, gfp_t gfp)
{
	size_t bytes;
	if (__builtin_mul_overflow(n, size, &bytes)) {
		if (!(gfp & __GFP_NOWARN))
			pr_warn("kcalloc: %zu x %zu overflows, caller %pS\n", n, size,
				(void *)_RET_IP_);
		return NULL;
	}
	if (unlikely(mm_trace_enabled))
		return kmalloc_traced(bytes, gfp | __GFP_ZERO, _RET_IP_);
	return kmalloc_slow(bytes, gfp | __GFP_ZERO, _RET_IP_);
}

/*
 * kfree of a non-NULL p with every check (a direct-map address of RAM, in a
 * slab or a large block, at an object boundary), each failure reported,
 * never applied.
 */
static void __kfree(const void *p, uintptr_t caller)
{
	unsigned long pfn = __pa(p) >> PAGE_SHIFT;
	if (unlikely(pfn >= max_pfn)) {
		slab_report_bad_ptr(NULL, p, caller);
		return;
	}
	struct page *slab = compound_head(pfn_to_page(pfn));
	if (unlikely(!(slab->flags & PG_slab))) {
		kfree_large(slab, p, caller);
		return;
	}
	struct kmem_cache *c = slab->slab_cache;
	if (unlikely(!slab_obj_boundary(c, slab, p))) {
		slab_report_bad_ptr(NULL, p, caller);
		return;
	}
	slab_free_fast(c, (void *)p, caller);
}

/*
 * Record a kfree in the trace (the object's cache, looked up without
 * trusting p), then free. Out of line, so that kfree keeps nothing live
 * across a call on its fast path.
 */
static __noinline void kfree_traced(const void *p, uintptr_t caller)
{
	unsigned long pfn = __pa(p) >> PAGE_SHIFT;
	const struct page *slab = pfn < max_pfn ? compound_head(pfn_to_page(pfn)) : NULL;
	mm_trace_kfree(p, slab && (slab->flags & PG_slab) ? slab->slab_cache->name : NULL, false,
		       caller);
	__kfree(p, caller);
}

/* kfree's way out of its fast path: NULL, the trace, or the checks in full. */
void kfree_out_of_line(const void *p, uintptr_t caller)
{
	if (unlikely(ZERO_OR_NULL_PTR(p)))
		return;
	if (unlikely(READ_ONCE(mm_trace_enabled)))
		kfree_traced(p, caller);
	else
		__kfree(p, caller);
}

/* Usable size of p, 0 (reported as fn's) when p is not something kmalloc returned. */
static size_t __ksize(const char *fn, const void *p, uintptr_t caller, struct kmem_cache **cp)
{
	*cp = NULL;
	if (ZERO_OR_NULL_PTR(p))
		return 0;
	unsigned long pfn = __pa(p) >> PAGE_SHIFT;
	if (pfn < max_pfn) {
		struct page *page = compound_head(pfn_to_page(pfn));
		if ((page->flags & PG_slab) && slab_obj_valid(page->slab_cache, page, p)) {
			*cp = page->slab_cache;
			return (*cp)->object_size;
		}
		if ((page->flags & PG_large_kmalloc) && p == page_address(page))
			return PAGE_SIZE << page_order(page);
	}
	slab_report_bad_ptr_in(fn, NULL, p, caller);
	return 0;
}

size_t ksize(const void *p)
{
	struct kmem_cache *c;
	size_t n = __ksize("ksize", p, _RET_IP_, &c);
	/* The caller may now use all n bytes: the kmalloc red zone shrinks to nothing. */
	if (c && (c->flags & SLAB_DEBUG))
		slab_debug_kmalloc_resize(c, (void *)p, n, _RET_IP_);
	return n;
}

void *krealloc(void *p, size_t new_size, gfp_t gfp)
{
	struct kmem_cache *c;

	if (ZERO_OR_NULL_PTR(p))
		return kmalloc_slow(new_size, gfp, _RET_IP_);
	if (!new_size) {
		kfree(p);
		return ZERO_SIZE_PTR;
	}
	size_t old = __ksize("krealloc", p, _RET_IP_, &c);
	if (!old)
		return NULL;
	if (new_size <= old) {
		/* Still fits its class (or block): stay in place, as Linux does. */
		if (c && (c->flags & SLAB_DEBUG))
			slab_debug_kmalloc_resize(c, p, new_size, _RET_IP_);
		return p;
	}
	void *n = kmalloc_slow(new_size, gfp & ~__GFP_ZERO, _RET_IP_);
	if (!n)
		return NULL; /* p is untouched, as with realloc */
	memcpy(n, p, old);
	if (gfp & __GFP_ZERO)
		memset((char *)n + old, 0, new_size - old);
	kfree(p);
	return n;
}

/* ---- for the slab allocator's own metadata ---- */

void *kmalloc_nocpu(size_t size, gfp_t gfp)
{
	if (!size || size > KMALLOC_MAX_CACHE_SIZE)
		return NULL;
	struct kmem_cache *c = kmalloc_cache_of(size);
	if (c == &kmalloc_not_ready)
		return NULL;
	void *p = slab_alloc_direct(c, gfp, _RET_IP_);
	if (p && (gfp & __GFP_ZERO))
		memset(p, 0, c->object_size);
	return p;
}

void kfree_nocpu(void *p)
{
	struct page *slab = virt_to_slab(p);
	if (!slab || !slab_obj_valid(slab->slab_cache, slab, p)) {
		slab_report_bad_ptr(NULL, p, _RET_IP_);
		return;
	}
	slab_free_direct(slab->slab_cache, p, _RET_IP_);
}
