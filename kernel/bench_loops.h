/*
 * bench_loops.h - the timed loops of shared/bench/WORKLOADS.md, written once
 * for both runners, so the kernel's figures and the hosted comparison's
 * measure exactly the same work:
 *   kernel/bench.c           kmalloc, kmem_cache, alloc_pages; TSC cycles;
 *   tests/bench/host_bench.c the hosted mm/ or a C library's malloc; ns.
 *
 * The includer defines, before including this file:
 *   BENCH_CLOCK()                      a uint64_t timestamp
 *   BENCH_ALLOC(size), BENCH_FREE(p)   kmalloc/kfree (or malloc/free)
 *   bench_cache_t, BENCH_CACHE_ALLOC(c), BENCH_CACHE_FREE(c, p)
 *   BENCH_PAGE_ALLOC(order), BENCH_PAGE_FREE(p, order)   p: a void * handle
 *   BENCH_ESCAPE(p)                    keeps the compiler from removing an
 *                                      alloc/free pair (may expand to nothing)
 * Every loop is __noinline so each row times the same machine code whatever
 * the caller, and stops at the first failed allocation.
 */
#ifndef KERNEL_BENCH_LOOPS_H
#define KERNEL_BENCH_LOOPS_H

#include "kernel/bench.h"

/* n allocation+free pairs of size bytes; the time they took, 0 when one failed. */
static __noinline uint64_t bench_loop_pair(size_t size, uint64_t n)
{
	uint64_t t0 = BENCH_CLOCK();

	for (uint64_t i = 0; i < n; i++) {
		void *p = BENCH_ALLOC(size);

		if (unlikely(!p))
			return 0;
		BENCH_ESCAPE(p);
		BENCH_FREE(p);
	}
	return BENCH_CLOCK() - t0;
}

/*
 * BENCH_BATCH_REPS batches: allocate b objects, free them in allocation
 * order (perm NULL) or in perm's order. Adds the time of the allocation and
 * of the free phases to *at and *ft; false when an allocation failed
 * (everything is still freed: freeing NULL does nothing).
 */
static __noinline bool bench_loop_batch(size_t size, void **ptrs, uint32_t b, const uint32_t *perm,
					uint64_t *at, uint64_t *ft)
{
	bool ok = true;

	for (unsigned r = 0; r < BENCH_BATCH_REPS && ok; r++) {
		uint64_t t0 = BENCH_CLOCK();
		for (uint32_t i = 0; i < b; i++) {
			ptrs[i] = BENCH_ALLOC(size);
			if (unlikely(!ptrs[i]))
				ok = false;
		}
		uint64_t t1 = BENCH_CLOCK();
		if (perm) {
			for (uint32_t i = 0; i < b; i++)
				BENCH_FREE(ptrs[perm[i]]);
		} else {
			for (uint32_t i = 0; i < b; i++)
				BENCH_FREE(ptrs[i]);
		}
		uint64_t t2 = BENCH_CLOCK();
		*at += t1 - t0;
		*ft += t2 - t1;
	}
	return ok;
}

/* n pairs on a dedicated object cache. */
static __noinline uint64_t bench_loop_cache_pair(bench_cache_t c, uint64_t n)
{
	uint64_t t0 = BENCH_CLOCK();

	for (uint64_t i = 0; i < n; i++) {
		void *p = BENCH_CACHE_ALLOC(c);

		if (unlikely(!p))
			return 0;
		BENCH_ESCAPE(p);
		BENCH_CACHE_FREE(c, p);
	}
	return BENCH_CLOCK() - t0;
}

/* n pairs of one block of 2^order pages. */
static __noinline uint64_t bench_loop_page_pair(unsigned order, uint64_t n)
{
	uint64_t t0 = BENCH_CLOCK();

	for (uint64_t i = 0; i < n; i++) {
		void *pg = BENCH_PAGE_ALLOC(order);

		if (unlikely(!pg))
			return 0;
		BENCH_ESCAPE(pg);
		BENCH_PAGE_FREE(pg, order);
	}
	return BENCH_CLOCK() - t0;
}

/* As bench_loop_batch, with b order-0 pages freed in allocation order. */
static __noinline bool bench_loop_page_batch(void **pages, uint32_t b, uint64_t *at, uint64_t *ft)
{
	bool ok = true;

	for (unsigned r = 0; r < BENCH_BATCH_REPS && ok; r++) {
		uint64_t t0 = BENCH_CLOCK();
		for (uint32_t i = 0; i < b; i++) {
			pages[i] = BENCH_PAGE_ALLOC(0);
			if (unlikely(!pages[i]))
				ok = false;
		}
		uint64_t t1 = BENCH_CLOCK();
		for (uint32_t i = 0; i < b; i++)
			if (likely(pages[i]))
				BENCH_PAGE_FREE(pages[i], 0);
		uint64_t t2 = BENCH_CLOCK();
		*at += t1 - t0;
		*ft += t2 - t1;
	}
	return ok;
}

#endif
