/*
 * slab_percpu.h - the slab allocator's part of each CPU's area (struct
 * percpu, kernel/percpu.h), which the fast paths in mm/slab_fast.c reach
 * with one %gs-relative access, without knowing the CPU id:
 *
 *   kmalloc_ac[i]   this CPU's array (struct array_cache) of the kmalloc
 *                   cache for sizes 8i+1..8i+8, for every size a kmalloc
 *                   cache serves (the table takes 8 KiB a CPU): kmalloc's
 *                   fast path is the size compare, one load, and the pop.
 *                   Always kmalloc_cache_by8[i]->cpu_cache[cpu] (the
 *                   placeholder array until this CPU first uses the
 *                   cache); set by kmalloc_init and when this CPU's array
 *                   is made.
 *
 *   kfree_cache,    the cache this CPU last freed to through kfree, and
 *   kfree_ac        this CPU's array of it. kfree pushes there when the
 *                   object's struct page names the same cache: a compare
 *                   and a branch, so the address of the push does not wait
 *                   for the loads that lead from the object to its cache
 *                   (docs/BENCHMARKS.md: in a kmalloc+kfree loop that chain,
 *                   not the instruction count, is the time). Otherwise
 *                   kfree_other_cache makes the pair name the object's
 *                   cache and pushes there. The fast path reads both words
 *                   inside its restartable sequence, so an interrupt that
 *                   changes the pair restarts it; kfree_cache is NULL when
 *                   the pair names nothing (at start, and after
 *                   kmem_cache_destroy of the cache it named).
 *
 * Only the owning CPU writes these, except kmem_cache_destroy, which may
 * clear another CPU's kfree_cache (to NULL: a pair with no cache is never
 * used), and kmalloc_init, before any CPU uses them. The owner changes its
 * pair with interrupts on, by a restartable sequence (restart_set_pair:
 * cache to NULL, then the array, then the cache, the commit; an interrupt
 * before the commit restarts it); and when it makes an array, the pair
 * follows if it names that cache. Invariant
 * (slab_check): kfree_ac is kfree_cache->cpu_cache[cpu] whenever
 * kfree_cache is not NULL.
 */
#ifndef MM_SLAB_PERCPU_H
#define MM_SLAB_PERCPU_H

struct kmem_cache;
struct array_cache;

/* One entry per 8 bytes of size up to KMALLOC_MAX_CACHE_SIZE (mm/slab.h; checked in kmalloc.c). */
#define KMALLOC_BY8_SLOTS 1024

struct slab_percpu {
	struct kmem_cache *kfree_cache;
	struct array_cache *kfree_ac;
	struct array_cache *kmalloc_ac[KMALLOC_BY8_SLOTS];
};

#endif
