/*
 * slab_fast.c - the four allocation fast paths: kmalloc, kfree,
 * kmem_cache_alloc and kmem_cache_free, when the object comes from or goes
 * to this CPU's array of its cache (the common case by far).
 *
 * Each is a few tests that send everything unusual out of line, then one
 * restartable sequence on the array (struct array_cache in slab_internal.h,
 * arch/x86_64/restart.h): no lock, no atomic instruction, interrupts on.
 *
 *   kmalloc(size)     size - 1 below kmalloc_fast_max (also the trace
 *                     switch), no zeroing or DMA flag; this CPU's array
 *                     of the size's cache, one %gs-relative load from its
 *                     table (slab.kmalloc_ac[(size - 1) / 8],
 *                     mm/slab_percpu.h); pop.
 *   kfree(p)          __pa(p) below kfree_fast_bytes (sends NULL, pointers
 *                     outside RAM and the trace out); its struct page is a
 *                     slab's (PG_slab: every page of a slab carries it and
 *                     the cache, so no detour through the head page); p at
 *                     an object boundary (one TEST against the cache's mask
 *                     for power-of-two caches; for the others a
 *                     multiplication and a rotation, off that path); push
 *                     where this CPU's kfree pair points if it names the
 *                     cache (mm/slab_percpu.h: so the push's address does
 *                     not wait for the loads from p to its cache), else
 *                     kfree_other_cache; the push's first compare catches
 *                     the double free of the object on top.
 *   kmem_cache_*      the same, plus "is this object of this cache"; the
 *                     array is the named cache's, c->cpu_cache[cpu].
 *
 * Nothing a fast path accepts is unchecked: a pointer that is not an object
 * of a slab, or not at a boundary, is reported (by the out-of-line half, or
 * by the boundary path) and never freed.
 *
 * This file is compiled without a frame pointer (Makefile): on their fast
 * paths these functions call nothing and leave for their slow halves by
 * tail calls, so a backtrace taken in a slow half still names the caller
 * (and one taken at a fault inside a fast path shows it as the "?" line
 * read from the top of the stack); a frame would cost six of the forty
 * instructions a kmalloc+kfree pair is allowed (docs/BENCHMARKS.md). The
 * caller's address that the slow halves record is read only on the way out,
 * which is why the pop and push are written out here rather than taken from
 * slab_alloc_fast / slab_free_fast: those take the address as a value, and
 * the compiler then reads it before the first branch, on the fast path too.
 */
#include "mm/slab.h"
#include "mm/slab_internal.h"

void *kmalloc(size_t size, gfp_t gfp)
{
	size_t i = size - 1;
	/* Size 0 wraps to the largest i: out of line with the rest. */
	if (unlikely(i >= kmalloc_fast_max || (gfp & (KMALLOC_LARGE_GFP | __GFP_ZERO))))
		return kmalloc_out_of_line(size, gfp, _RET_IP_);
	struct array_cache *ac = this_cpu_read_idx(slab.kmalloc_ac, i >> 3);
	void *obj;

	ac_pop(ac, obj, miss);
	return obj;
miss:
	return kmalloc_miss(size, gfp, _RET_IP_);
}

/* The struct page of a direct-map address below kfree_fast_bytes (so below max_pfn). */
static __always_inline struct page *fast_slab_page(const void *p)
{
	return pfn_to_page(__pa(p) >> PAGE_SHIFT);
}

/*
 * p, in page, a page of one of c's slabs, failed c's boundary mask: the
 * exact test, a multiplication and a rotation (slab_off_valid). That is
 * the answer for a cache without a mask (a size that is not a power of
 * two), and the same no as the mask's for one with (a bad pointer: rare,
 * so not worth a test of its own). In the slab's first page, the offset
 * from the slab's start is p's offset in the page; in a tail page it is
 * measured from the head's address. page and p are hidden from the
 * compiler, so that the power-of-two path keeps no value alive for this
 * one (the kernel's build kept __pa(p) in a register: one more
 * instruction on that path).
 */
static __always_inline bool slab_exact_boundary(const struct kmem_cache *c, const struct page *page,
						const void *p)
{
	__asm__ __volatile__("" : "+r"(page), "+r"(p) : : "memory");
	/* (The direct map is page-aligned: p's offset in its page is its physical one's.) */
	if (likely(!(page->flags & PG_tail)))
		return slab_off_valid(c, page, (uintptr_t)p & (PAGE_SIZE - 1));
	return slab_obj_valid(c, page->compound_head, p);
}

/*
 * The second half of kfree and kmem_cache_free: p lies in a page of one of
 * c's slabs; the boundary test, then the push. Inlined into both, so the
 * caller's address (_RET_IP_, read on each way out) is theirs. expect: the
 * cache the caller named (kmem_cache_free), for the report. keyed (a
 * constant): push where this CPU's kfree pair points, if it names c
 * (kfree, which learns c from p: see mm/slab_percpu.h), rather than to
 * c->cpu_cache[cpu] (kmem_cache_free, whose caller names c).
 */
static __always_inline void fast_free(struct kmem_cache *c, const struct page *page, void *p,
				      const struct kmem_cache *expect, bool keyed)
{
	struct array_cache *ac;

	test_mask_goto(p, c->obj_mask, boundary);
push:
	if (keyed) {
		ac_push_kfree(c, p, ac, other, full, dup);
	} else {
		ac = c->cpu_cache[smp_processor_id()];
		ac_push(ac, p, full, dup);
	}
	ac->free_hits++;
	return;
boundary:
	if (likely(slab_exact_boundary(c, page, p)))
		goto push;
	slab_report_bad_ptr(expect, p, _RET_IP_);
	return;
other:
	kfree_other_cache(c, p, _RET_IP_);
	return;
full:
	cache_free_slow(c, p, _RET_IP_);
	return;
dup:
	slab_report_double_free(c, p, _RET_IP_);
}

void kfree(const void *p)
{
	if (unlikely(__pa(p) >= kfree_fast_bytes)) {
		kfree_out_of_line(p, _RET_IP_);
		return;
	}
	struct page *page = fast_slab_page(p);
	if (unlikely(!(page->flags & PG_slab))) {
		kfree_out_of_line(p, _RET_IP_); /* a large block, or a bad pointer */
		return;
	}
	fast_free(page->slab_cache, page, (void *)p, NULL, true);
}

void *kmem_cache_alloc(struct kmem_cache *c, gfp_t gfp)
{
	/* kfree_fast_bytes is 0 while the trace is on (and before slab is up). */
	if (unlikely((gfp & __GFP_ZERO) || !kfree_fast_bytes))
		return kmem_cache_alloc_out_of_line(c, gfp, _RET_IP_);
	struct array_cache *ac = c->cpu_cache[smp_processor_id()];
	void *obj;

	ac_pop(ac, obj, miss);
	return obj;
miss:
	return cache_alloc_slow(c, gfp, _RET_IP_);
}

void kmem_cache_free(struct kmem_cache *c, void *obj)
{
	if (unlikely(__pa(obj) >= kfree_fast_bytes)) {
		kmem_cache_free_out_of_line(c, obj, _RET_IP_);
		return;
	}
	struct page *page = fast_slab_page(obj);
	if (unlikely(!(page->flags & PG_slab) || page->slab_cache != c)) {
		kmem_cache_free_out_of_line(c, obj, _RET_IP_);
		return;
	}
	fast_free(c, page, obj, c, false);
}
