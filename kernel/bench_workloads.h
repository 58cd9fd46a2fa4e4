/*
 * bench_workloads.h - the single-CPU workloads of shared/bench/WORKLOADS.md
 * (the timed loops and the drivers that run them 1 + 7 times and report the
 * median), written once for both runners, so the kernel's figures and the
 * hosted comparison's measure exactly the same work:
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
 *   BENCH_CACHE_CREATE(size), BENCH_CACHE_DESTROY(c)   (create is 0/NULL on failure)
 *   BENCH_SNPRINTF, BENCH_STAT(fmt, ...)   formatting, and a "stat ..." line
 *   bench_array_alloc(bytes), bench_array_free(p, bytes)   untimed scratch arrays
 *   report(id, params, runs_x100), fail(id, params, why)   the result lines
 * Every loop is __noinline so each row times the same machine code whatever
 * the caller, and stops at the first failed allocation.
 */
#ifndef KERNEL_BENCH_WORKLOADS_H
#define KERNEL_BENCH_WORKLOADS_H

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

/* ---- the drivers: one warm-up, BENCH_RUNS timed runs, the median reported ---- */

/* "stat <id> <params> alloc_med=.. free_med=..": the two halves of a batch row. */
static void bench_stat_halves(const char *id, const char *params, uint64_t *va, uint64_t *vf)
{
	uint64_t am = bench_median(va, BENCH_RUNS), fm = bench_median(vf, BENCH_RUNS);

	BENCH_STAT("stat %s %s alloc_med=%llu.%02llu free_med=%llu.%02llu\n", id, params,
		   (unsigned long long)(am / 100), (unsigned long long)(am % 100),
		   (unsigned long long)(fm / 100), (unsigned long long)(fm % 100));
}

static void bench_kmalloc_pair(void)
{
	uint64_t v[BENCH_RUNS];
	char params[32];

	for (unsigned si = 0; si < ARRAY_SIZE(bench_kmalloc_sizes); si++) {
		size_t size = bench_runtime_value(bench_kmalloc_sizes, si);
		bool ok = true;

		BENCH_SNPRINTF(params, sizeof(params), "s=%zu", size);
		for (unsigned r = 0; r < BENCH_WARMUP + BENCH_RUNS && ok; r++) {
			uint64_t t = bench_loop_pair(size, BENCH_PAIR_N);

			ok = t != 0;
			if (r >= BENCH_WARMUP)
				v[r - BENCH_WARMUP] = bench_per_op_x100(t, BENCH_PAIR_N);
		}
		if (ok)
			report("kmalloc-pair", params, v);
		else
			fail("kmalloc-pair", params, "allocation failed");
	}
}

/* kmalloc-batch (perm NULL: FIFO) and kmalloc-batch-rand (perm: that free order). */
static void bench_kmalloc_batch(const char *id, const unsigned *sizes, unsigned nsizes,
				const uint32_t *perm)
{
	const uint64_t ops = (uint64_t)BENCH_BATCH_B * BENCH_BATCH_REPS;
	const size_t bytes = BENCH_BATCH_B * sizeof(void *);
	uint64_t v[BENCH_RUNS], va[BENCH_RUNS], vf[BENCH_RUNS];
	char params[32];
	void **ptrs = bench_array_alloc(bytes);

	if (!ptrs) {
		fail(id, "", "no memory for the pointer array");
		return;
	}
	for (unsigned si = 0; si < nsizes; si++) {
		size_t size = bench_runtime_value(sizes, si);
		bool ok = true;

		BENCH_SNPRINTF(params, sizeof(params), "s=%zu", size);
		for (unsigned r = 0; r < BENCH_WARMUP + BENCH_RUNS && ok; r++) {
			uint64_t at = 0, ft = 0;

			ok = bench_loop_batch(size, ptrs, BENCH_BATCH_B, perm, &at, &ft);
			if (r >= BENCH_WARMUP) {
				v[r - BENCH_WARMUP] = bench_per_op_x100(at + ft, 2 * ops);
				va[r - BENCH_WARMUP] = bench_per_op_x100(at, ops);
				vf[r - BENCH_WARMUP] = bench_per_op_x100(ft, ops);
			}
		}
		if (!ok) {
			fail(id, params, "allocation failed");
			continue;
		}
		report(id, params, v);
		bench_stat_halves(id, params, va, vf);
	}
	bench_array_free(ptrs, bytes);
}

/* A dedicated cache of BENCH_CACHE_SIZE-byte objects (never merged with kmalloc's). */
static void bench_cache_pair(void)
{
	uint64_t v[BENCH_RUNS];
	char params[32];
	bool ok = true;
	bench_cache_t c = BENCH_CACHE_CREATE(BENCH_CACHE_SIZE);

	BENCH_SNPRINTF(params, sizeof(params), "s=%d", BENCH_CACHE_SIZE);
	if (!c) {
		fail("cache-pair", params, "cache creation failed");
		return;
	}
	for (unsigned r = 0; r < BENCH_WARMUP + BENCH_RUNS && ok; r++) {
		uint64_t t = bench_loop_cache_pair(c, BENCH_PAIR_N);

		ok = t != 0;
		if (r >= BENCH_WARMUP)
			v[r - BENCH_WARMUP] = bench_per_op_x100(t, BENCH_PAIR_N);
	}
	if (ok)
		report("cache-pair", params, v);
	else
		fail("cache-pair", params, "allocation failed");
	BENCH_CACHE_DESTROY(c);
}

static void bench_page_pair(void)
{
	static const unsigned orders[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };
	uint64_t v[BENCH_RUNS];
	char params[32];

	BUILD_BUG_ON(ARRAY_SIZE(orders) != BENCH_PAGE_MAX_ORDER + 1);
	for (unsigned oi = 0; oi < ARRAY_SIZE(orders); oi++) {
		unsigned order = bench_runtime_value(orders, oi);
		uint64_t n = order <= 3 ? BENCH_PAGE_N_SMALL : BENCH_PAGE_N_LARGE;
		bool ok = true;

		BENCH_SNPRINTF(params, sizeof(params), "o=%u", order);
		for (unsigned r = 0; r < BENCH_WARMUP + BENCH_RUNS && ok; r++) {
			uint64_t t = bench_loop_page_pair(order, n);

			ok = t != 0;
			if (r >= BENCH_WARMUP)
				v[r - BENCH_WARMUP] = bench_per_op_x100(t, n);
		}
		if (ok)
			report("page-pair", params, v);
		else
			fail("page-pair", params, "allocation failed");
	}
}

static void bench_page_batch(void)
{
	const uint64_t ops = (uint64_t)BENCH_BATCH_B * BENCH_BATCH_REPS;
	const size_t bytes = BENCH_BATCH_B * sizeof(void *);
	uint64_t v[BENCH_RUNS], va[BENCH_RUNS], vf[BENCH_RUNS];
	const char *params = "o=0";
	bool ok = true;
	void **pages = bench_array_alloc(bytes);

	if (!pages) {
		fail("page-batch", params, "no memory for the page array");
		return;
	}
	for (unsigned r = 0; r < BENCH_WARMUP + BENCH_RUNS && ok; r++) {
		uint64_t at = 0, ft = 0;

		ok = bench_loop_page_batch(pages, BENCH_BATCH_B, &at, &ft);
		if (r >= BENCH_WARMUP) {
			v[r - BENCH_WARMUP] = bench_per_op_x100(at + ft, 2 * ops);
			va[r - BENCH_WARMUP] = bench_per_op_x100(at, ops);
			vf[r - BENCH_WARMUP] = bench_per_op_x100(ft, ops);
		}
	}
	if (ok) {
		report("page-batch", params, v);
		bench_stat_halves("page-batch", params, va, vf);
	} else {
		fail("page-batch", params, "allocation failed");
	}
	bench_array_free(pages, bytes);
}

#endif
