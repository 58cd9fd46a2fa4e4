/*
 * bench.h - the allocator benchmarks of shared/bench/WORKLOADS.md.
 *
 * The kernel runs them when booted with bench=<glob> (kernel/bench.c): every
 * workload whose id matches the glob ("*", "kmalloc-*", "page-pair,smp-*"),
 * on the guest machine WORKLOADS.md defines, one line per figure:
 *
 *   bench <id> <param>=<value>... cycles_per_op=<x>[ ops_per_s=<y>]
 *
 * then QEMU exits with the success code. tests/bench/host_bench.c runs the
 * single- and two-thread workloads natively against the hosted build of mm/
 * and against the C library's allocators; both include this header so that
 * the parameters and the free order are defined once.
 */
#ifndef KERNEL_BENCH_H
#define KERNEL_BENCH_H

#include "kernel/compiler.h"
#include "kernel/xorshift.h"

/* The fixed parameters of WORKLOADS.md (not tunable: figures must compare). */
#define BENCH_RUNS	     7	     /* timed runs per figure; the median is reported */
#define BENCH_WARMUP	     1	     /* untimed runs before them */
#define BENCH_PAIR_N	     1000000 /* kmalloc-pair, cache-pair */
#define BENCH_BATCH_B	     10000   /* objects or pages per batch */
#define BENCH_BATCH_REPS     20	     /* batches per run */
#define BENCH_PAGE_N_SMALL   200000  /* page-pair, order <= 3 */
#define BENCH_PAGE_N_LARGE   20000   /* page-pair, order > 3 */
#define BENCH_PAGE_MAX_ORDER 10
#define BENCH_CACHE_SIZE     192 /* cache-pair object size */
#define BENCH_REMOTE_SIZE    256 /* smp-remote-free object size */
#define BENCH_PERM_SEED	     42

static const unsigned bench_kmalloc_sizes[] = { 8,   16,  32,	64,   96,   128, 192,
						256, 512, 1024, 2048, 4096, 8192 };
static const unsigned bench_rand_sizes[] = { 64, 256, 1024 };
static const unsigned bench_smp_sizes[] = { 64, 1024 };

/* The check values WORKLOADS.md gives for the first four entries of the free order. */
static const uint32_t bench_perm_check[4] = { 3034, 9104, 4146, 2011 };

/*
 * The kmalloc-batch-rand free order: a Fisher-Yates shuffle of 0..b-1 taken
 * from the top (for i = b-1 down to 1, j = next() % (i+1), swap perm[i] and
 * perm[j]), next() being xorshift64 with shifts 13, 7, 17 seeded with 42.
 * Returns true when b < 4 or perm[0..3] equals bench_perm_check.
 */
static inline bool bench_make_perm(uint32_t *perm, uint32_t b)
{
	uint64_t x = BENCH_PERM_SEED;

	for (uint32_t i = 0; i < b; i++)
		perm[i] = i;
	for (uint32_t i = b - 1; b > 1 && i > 0; i--) {
		uint32_t j = (uint32_t)(xorshift64(&x) % ((uint64_t)i + 1));
		uint32_t t = perm[i];
		perm[i] = perm[j];
		perm[j] = t;
	}
	if (b < 4 || b != BENCH_BATCH_B)
		return true;
	for (unsigned i = 0; i < 4; i++)
		if (perm[i] != bench_perm_check[i])
			return false;
	return true;
}

/* A table entry the compiler cannot know at build time (sizes and orders stay run-time values). */
static inline unsigned bench_runtime_value(const unsigned *table, unsigned i)
{
	unsigned v = READ_ONCE(table[i]);

	__asm__ __volatile__("" : "+r"(v));
	return v;
}

/* Cycles per op in hundredths, rounded: the fixed-point figure printed as %llu.%02llu. */

static inline uint64_t bench_per_op_x100(uint64_t total, uint64_t ops)
{
	return ops ? (total * 100 + ops / 2) / ops : 0;
}

/* Median of n values (n odd in practice; even n takes the rounded mean of the middle two). */
static inline uint64_t bench_median(uint64_t *v, unsigned n)
{
	/* insertion sort: n is 7 */
	for (unsigned i = 1; i < n; i++) {
		uint64_t x = v[i];
		unsigned j = i;
		for (; j > 0 && v[j - 1] > x; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
	if (n == 0)
		return 0;
	return (n & 1) ? v[n / 2] : (v[n / 2 - 1] + v[n / 2] + 1) / 2;
}

#ifndef MM_HOSTED
/*
 * When the command line has bench=<glob>: print the machine and the
 * parameters, run every matching workload, print its figures, and exit QEMU
 * with the success code (the failure code if a workload could not run at
 * all). Returns at once, doing nothing, without bench=. Call it after the
 * memory allocators and the other CPUs are up, instead of the test runner.
 */
void bench_main(void);

/*
 * Run the workloads whose ids match glob (NULL or "" = all) and print their
 * figures, as bench_main does, but return instead of exiting QEMU: 0, or -1
 * when some workload could not run. Turns interrupts on (the workloads run
 * with them on). The monitor's `bench [glob]` command calls it.
 */
int bench_run(const char *glob);
#endif

#endif
