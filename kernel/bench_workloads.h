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
 *   BENCH_SMP_MAX, BENCH_RELAX(), BENCH_OPS_PER_S(ops, clocks)   for the
 *                                      two-CPU workloads (last section)
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

/*
 * One *-pair row: timed (an expression, the clocks of n pairs, 0 when an
 * allocation failed) run once to warm up and BENCH_RUNS times measured,
 * stopping at a failure; the median per pair reported, or the row failed.
 */
#define bench_pair_row(id, params, n, timed)                                         \
	do {                                                                         \
		uint64_t v_[BENCH_RUNS];                                             \
		bool ok_ = true;                                                     \
		for (unsigned r_ = 0; r_ < BENCH_WARMUP + BENCH_RUNS && ok_; r_++) { \
			uint64_t t_ = (timed);                                       \
			ok_ = t_ != 0;                                               \
			if (r_ >= BENCH_WARMUP)                                      \
				v_[r_ - BENCH_WARMUP] = bench_per_op_x100(t_, n);    \
		}                                                                    \
		if (ok_)                                                             \
			report(id, params, v_);                                      \
		else                                                                 \
			fail(id, params, "allocation failed");                       \
	} while (0)

/*
 * One batch row: run (an expression that adds the clocks of the allocation
 * and free phases of ops operations each to at and ft, the names given, and
 * is false when an allocation failed) as bench_pair_row does; the median
 * per operation reported with its two halves.
 */
#define bench_batch_row(id, params, ops, at, ft, run)                                          \
	do {                                                                                   \
		uint64_t v_[BENCH_RUNS], va_[BENCH_RUNS], vf_[BENCH_RUNS];                     \
		bool ok_ = true;                                                               \
		for (unsigned r_ = 0; r_ < BENCH_WARMUP + BENCH_RUNS && ok_; r_++) {           \
			uint64_t at = 0, ft = 0;                                               \
			ok_ = (run);                                                           \
			if (r_ >= BENCH_WARMUP) {                                              \
				v_[r_ - BENCH_WARMUP] = bench_per_op_x100(at + ft, 2 * (ops)); \
				va_[r_ - BENCH_WARMUP] = bench_per_op_x100(at, ops);           \
				vf_[r_ - BENCH_WARMUP] = bench_per_op_x100(ft, ops);           \
			}                                                                      \
		}                                                                              \
		if (ok_) {                                                                     \
			report(id, params, v_);                                                \
			bench_stat_halves(id, params, va_, vf_);                               \
		} else {                                                                       \
			fail(id, params, "allocation failed");                                 \
		}                                                                              \
	} while (0)

static void bench_kmalloc_pair(void)
{
	char params[32];

	for (unsigned si = 0; si < ARRAY_SIZE(bench_kmalloc_sizes); si++) {
		size_t size = bench_runtime_value(bench_kmalloc_sizes, si);

		BENCH_SNPRINTF(params, sizeof(params), "s=%zu", size);
		bench_pair_row("kmalloc-pair", params, BENCH_PAIR_N,
			       bench_loop_pair(size, BENCH_PAIR_N));
	}
}

/* kmalloc-batch (perm NULL: FIFO) and kmalloc-batch-rand (perm: that free order). */
static void bench_kmalloc_batch(const char *id, const unsigned *sizes, unsigned nsizes,
				const uint32_t *perm)
{
	const uint64_t ops = (uint64_t)BENCH_BATCH_B * BENCH_BATCH_REPS;
	const size_t bytes = BENCH_BATCH_B * sizeof(void *);
	char params[32];
	void **ptrs = bench_array_alloc(bytes);

	if (!ptrs) {
		fail(id, "", "no memory for the pointer array");
		return;
	}
	for (unsigned si = 0; si < nsizes; si++) {
		size_t size = bench_runtime_value(sizes, si);

		BENCH_SNPRINTF(params, sizeof(params), "s=%zu", size);
		bench_batch_row(id, params, ops, at, ft,
				bench_loop_batch(size, ptrs, BENCH_BATCH_B, perm, &at, &ft));
	}
	bench_array_free(ptrs, bytes);
}

/* A dedicated cache of BENCH_CACHE_SIZE-byte objects (never merged with kmalloc's). */
static void bench_cache_pair(void)
{
	char params[32];
	bench_cache_t c = BENCH_CACHE_CREATE(BENCH_CACHE_SIZE);

	BENCH_SNPRINTF(params, sizeof(params), "s=%d", BENCH_CACHE_SIZE);
	if (!c) {
		fail("cache-pair", params, "cache creation failed");
		return;
	}
	bench_pair_row("cache-pair", params, BENCH_PAIR_N, bench_loop_cache_pair(c, BENCH_PAIR_N));
	BENCH_CACHE_DESTROY(c);
}

static void bench_page_pair(void)
{
	static const unsigned orders[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };
	char params[32];

	BUILD_BUG_ON(ARRAY_SIZE(orders) != BENCH_PAGE_MAX_ORDER + 1);
	for (unsigned oi = 0; oi < ARRAY_SIZE(orders); oi++) {
		unsigned order = bench_runtime_value(orders, oi);
		uint64_t n = order <= 3 ? BENCH_PAGE_N_SMALL : BENCH_PAGE_N_LARGE;

		BENCH_SNPRINTF(params, sizeof(params), "o=%u", order);
		bench_pair_row("page-pair", params, n, bench_loop_page_pair(order, n));
	}
}

static void bench_page_batch(void)
{
	const uint64_t ops = (uint64_t)BENCH_BATCH_B * BENCH_BATCH_REPS;
	const size_t bytes = BENCH_BATCH_B * sizeof(void *);
	void **pages = bench_array_alloc(bytes);

	if (!pages) {
		fail("page-batch", "o=0", "no memory for the page array");
		return;
	}
	bench_batch_row("page-batch", "o=0", ops, at, ft,
			bench_loop_page_batch(pages, BENCH_BATCH_B, &at, &ft));
	bench_array_free(pages, bytes);
}

/* ---- the two-CPU workloads: one CPU's part of each run, and the summaries ---- */

/*
 * Each runner starts the workers its own way (the kernel: this CPU and
 * idle-loop work on the others; the host: pinned pthreads), and each worker
 * calls one of the *_part functions below; the summaries read what they
 * recorded.
 */
#define BENCH_TOTAL_RUNS (BENCH_WARMUP + BENCH_RUNS)

/*
 * A spinning barrier for n CPUs. Each CPU reads the generation before it
 * arrives; the generation cannot move until all n have arrived, so what it
 * read is current. The last to arrive resets the count and only then
 * publishes the next generation (release), so a CPU that passes this
 * barrier and reaches the next one sees the reset count (acquire).
 */
struct spin_barrier {
	unsigned count;
	unsigned gen;
};

static void barrier_wait(struct spin_barrier *b, unsigned n)
{
	unsigned gen = __atomic_load_n(&b->gen, __ATOMIC_ACQUIRE);

	if (__atomic_add_fetch(&b->count, 1, __ATOMIC_ACQ_REL) == n) {
		__atomic_store_n(&b->count, 0, __ATOMIC_RELAXED);
		__atomic_store_n(&b->gen, gen + 1, __ATOMIC_RELEASE);
	} else {
		while (__atomic_load_n(&b->gen, __ATOMIC_ACQUIRE) == gen)
			BENCH_RELAX();
	}
}

struct bench_smp_ctx;

/* One CPU's part of a two-CPU workload and what it measured. */
struct bench_smp_worker {
	struct bench_smp_ctx *ctx;
	unsigned idx;	     /* 0 .. n-1; worker idx runs on CPU idx */
	unsigned cpu;	     /* the CPU it actually ran on (kernel) */
	void **ptrs;	     /* smp-kmalloc: its pointer array */
	unsigned ptrs_order; /* (kernel: the pages behind ptrs) */
	uint64_t t0[BENCH_TOTAL_RUNS], t1[BENCH_TOTAL_RUNS]; /* start and end of each run */
	uint64_t busy[BENCH_TOTAL_RUNS];		     /* clock inside the timed regions */
	bool failed;
};

struct bench_smp_ctx {
	struct spin_barrier bar;
	unsigned n; /* CPUs taking part */
	size_t size;
	void **shared; /* smp-remote-free: the objects handed from CPU 0 to CPU 1 */
	struct bench_smp_worker w[BENCH_SMP_MAX];
};

/* smp-kmalloc: every worker runs kmalloc-batch once per run, all starting together. */
static void bench_smp_kmalloc_part(struct bench_smp_worker *w)
{
	struct bench_smp_ctx *ctx = w->ctx;

	for (unsigned r = 0; r < BENCH_TOTAL_RUNS; r++) {
		uint64_t at = 0, ft = 0;

		barrier_wait(&ctx->bar, ctx->n);
		w->t0[r] = BENCH_CLOCK();
		if (!bench_loop_batch(ctx->size, w->ptrs, BENCH_BATCH_B, NULL, &at, &ft))
			w->failed = true;
		w->t1[r] = BENCH_CLOCK();
		w->busy[r] = at + ft;
	}
}

/*
 * smp-remote-free, in lock-step: worker 0 allocates B objects into the
 * shared array, a barrier hands them over, worker 1 frees them all, a second
 * barrier hands the empty array back; 20 times per run. The sides never
 * overlap, and each is timed over its own phases only.
 */
static void bench_smp_remote_part(struct bench_smp_worker *w)
{
	struct bench_smp_ctx *ctx = w->ctx;

	for (unsigned r = 0; r < BENCH_TOTAL_RUNS; r++) {
		uint64_t busy = 0;

		barrier_wait(&ctx->bar, 2);
		for (unsigned rep = 0; rep < BENCH_BATCH_REPS; rep++) {
			if (w->idx == 0) {
				uint64_t t0 = BENCH_CLOCK();
				for (uint32_t i = 0; i < BENCH_BATCH_B; i++) {
					ctx->shared[i] = BENCH_ALLOC(ctx->size);
					if (unlikely(!ctx->shared[i]))
						w->failed = true;
				}
				busy += BENCH_CLOCK() - t0;
				barrier_wait(&ctx->bar, 2); /* hand over */
				barrier_wait(&ctx->bar, 2); /* all freed */
			} else {
				barrier_wait(&ctx->bar, 2);
				uint64_t t0 = BENCH_CLOCK();
				for (uint32_t i = 0; i < BENCH_BATCH_B; i++)
					BENCH_FREE(ctx->shared[i]);
				busy += BENCH_CLOCK() - t0;
				barrier_wait(&ctx->bar, 2);
			}
		}
		w->busy[r] = busy;
	}
}

/* Median over the runs of the per-CPU figure (x100) averaged over the n CPUs. */
static uint64_t bench_smp_per_op_x100(const struct bench_smp_ctx *ctx, unsigned n, uint64_t ops)
{
	uint64_t v[BENCH_RUNS];

	for (unsigned r = BENCH_WARMUP; r < BENCH_TOTAL_RUNS; r++) {
		uint64_t sum = 0;
		for (unsigned i = 0; i < n; i++)
			sum += bench_per_op_x100(ctx->w[i].busy[r], ops);
		v[r - BENCH_WARMUP] = (sum + n / 2) / n;
	}
	return bench_median(v, BENCH_RUNS);
}

/* Median over the runs of all operations (ops per CPU) over the span from first start to last end. */
static uint64_t bench_smp_span_ops_per_s(const struct bench_smp_ctx *ctx, unsigned n, uint64_t ops)
{
	uint64_t vo[BENCH_RUNS];

	for (unsigned r = BENCH_WARMUP; r < BENCH_TOTAL_RUNS; r++) {
		uint64_t lo = UINT64_MAX, hi = 0;
		for (unsigned i = 0; i < n; i++) {
			lo = MIN(lo, ctx->w[i].t0[r]);
			hi = MAX(hi, ctx->w[i].t1[r]);
		}
		vo[r - BENCH_WARMUP] = BENCH_OPS_PER_S(ops * n, hi - lo);
	}
	return bench_median(vo, BENCH_RUNS);
}

/* Worker i alone: median per-op figure (x100) and ops/s over its own busy time. */
static void bench_smp_one(const struct bench_smp_ctx *ctx, unsigned i, uint64_t ops,
			  uint64_t *per_op_x100, uint64_t *ops_s)
{
	uint64_t v[BENCH_RUNS], vo[BENCH_RUNS];

	for (unsigned r = BENCH_WARMUP; r < BENCH_TOTAL_RUNS; r++) {
		v[r - BENCH_WARMUP] = bench_per_op_x100(ctx->w[i].busy[r], ops);
		vo[r - BENCH_WARMUP] = BENCH_OPS_PER_S(ops, ctx->w[i].busy[r]);
	}
	*per_op_x100 = bench_median(v, BENCH_RUNS);
	*ops_s = bench_median(vo, BENCH_RUNS);
}

#endif
