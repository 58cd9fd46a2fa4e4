/*
 * host_bench.c - the single- and two-thread workloads of WORKLOADS.md, run
 * natively (no QEMU) against one allocator, chosen when this file is built:
 *
 *   -DHB_MM        the hosted build of mm/ (kmalloc/kfree, kmem_cache_*,
 *                  alloc_pages/__free_pages), compiled -O2 without sanitizers;
 *   -DHB_LIBC      whatever malloc/free the program is linked with: glibc's
 *                  own, or -ljemalloc, -ltcmalloc_minimal, -lmimalloc (each
 *                  replaces malloc/free for the whole process).
 *
 * The workloads are WORKLOADS.md's, parameters and free order included
 * (kernel/bench.h). For malloc, kmalloc(s)/kfree is malloc(s)/free,
 * cache-pair is malloc(192)/free (no dedicated caches in that API), and the
 * page rows are aligned_alloc(4096 << o, 4096 << o)/free: the same service
 * (a naturally aligned power-of-two block), but not what those allocators are
 * built for, so docs/BENCHMARKS.md reads them as context only.
 *
 * Output: one line per figure, the same as the kernel's but in nanoseconds of
 * wall time (CLOCK_MONOTONIC around each timed region), median of 7 runs after
 * one warm-up:
 *
 *   bench <id> <param>=<value>... ns_per_op=<x>[ ops_per_s=<y>]
 *
 * Threads stand for CPUs: thread i is pinned to host CPU i (mod the number of
 * host CPUs) and, for mm/, calls host_set_cpu(i) so it uses CPU i's per-CPU
 * caches.
 *
 * `host_bench --probe <kind> <n>` runs n pairs of one kind (kmalloc64,
 * cache192, page0) inside probe_pairs(), after a warm-up, and nothing else:
 * tests/bench/insns.py runs it under callgrind to count the instructions of
 * one fast-path pair. batch64 is one kmalloc-batch repetition of n (at most
 * B) 64-byte objects, after an identical warm-up one: the instructions per
 * object (its allocation and its free) of the batch path. free256-local and
 * free256-remote count the free phase of smp-remote-free per object, freed
 * by the allocating CPU or by the other one.
 *
 * Usage: host_bench [glob]   (ids as in WORKLOADS.md; default "*")
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fnmatch.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kernel/bench.h"

#if defined(HB_MM) == defined(HB_LIBC)
#error "build with exactly one of -DHB_MM or -DHB_LIBC"
#endif

#ifdef HB_MM
#include "kernel/arch.h"
#include "kernel/printk.h"
#include "mm/gfp.h"
#include "mm/memblock.h"
#include "mm/mm.h"
#include "mm/slab.h"
#endif

#define HB_MAX_THREADS 2 /* the guest machine's CPUs */
#define HB_PAGE_SIZE   4096UL

/* ------------------------------------------------ the allocator under test */

#ifdef HB_MM
#define HB_NAME "mm"
typedef struct kmem_cache *hb_cache;

static inline void *hb_alloc(size_t s)
{
	return kmalloc(s, GFP_KERNEL);
}
static inline void hb_free(void *p)
{
	kfree(p);
}
static hb_cache hb_cache_create(size_t s)
{
	return kmem_cache_create("bench_192", s, 0, 0, NULL);
}
static inline void *hb_cache_alloc(hb_cache c)
{
	return kmem_cache_alloc(c, GFP_KERNEL);
}
static inline void hb_cache_free(hb_cache c, void *p)
{
	kmem_cache_free(c, p);
}
static void hb_cache_destroy(hb_cache c)
{
	kmem_cache_destroy(c);
}
static inline void *hb_page_alloc(unsigned order)
{
	return alloc_pages(GFP_KERNEL, order);
}
static inline void hb_page_free(void *pg, unsigned order)
{
	__free_pages(pg, order);
}
static void hb_set_cpu(unsigned cpu)
{
	host_set_cpu(cpu);
}

/* Some of the portable kernel code links to the test framework's output hook. */
void ktest_emit(const char *line)
{
	fputs(line, stdout);
}

/*
 * Bring mm/ up as the kernel does, over 1 GiB of hosted "RAM" (the guest's
 * size): memblock knows the RAM with the first 1 MiB reserved, then the buddy
 * allocator and the slab allocator start. Two CPUs, as the guest has.
 */
#define HB_RAM (1ULL << 30)
static void hb_init(void)
{
	nr_cpu_ids = HB_MAX_THREADS;
	host_printk_echo = false; /* the boot report (zones, size classes) is not wanted here */
	host_ram_init(HB_RAM);
	memblock_reset();
	memblock_add(0, HB_RAM);
	memblock_reserve(0, 1 << 20, "first 1 MiB");
	host_set_cpu(0);
	page_alloc_init();
	kmem_cache_init();
	host_printk_log_clear();
	host_printk_echo = true;
}

static const char *hb_describe(void)
{
	return "mm/ hosted build (-O2 -DMM_HOSTED, no sanitizers)";
}

#else /* HB_LIBC */

#ifndef HB_NAME
#define HB_NAME "glibc"
#endif
typedef int hb_cache; /* malloc has no dedicated caches: unused */

static inline void *hb_alloc(size_t s)
{
	return malloc(s);
}
static inline void hb_free(void *p)
{
	free(p);
}
static hb_cache hb_cache_create(size_t s)
{
	(void)s;
	return 1;
}
static inline void *hb_cache_alloc(hb_cache c)
{
	(void)c;
	return malloc(BENCH_CACHE_SIZE);
}
static inline void hb_cache_free(hb_cache c, void *p)
{
	(void)c;
	free(p);
}
static void hb_cache_destroy(hb_cache c)
{
	(void)c;
}
static inline void *hb_page_alloc(unsigned order)
{
	return aligned_alloc(HB_PAGE_SIZE << order, HB_PAGE_SIZE << order);
}
static inline void hb_page_free(void *pg, unsigned order)
{
	(void)order;
	free(pg);
}
static void hb_set_cpu(unsigned cpu)
{
	(void)cpu;
}
static void hb_init(void)
{
}

/* Which shared object really provides malloc in this process (proves the link worked). */
static const char *hb_describe(void)
{
	static char buf[512];
	Dl_info info;
	void *(*volatile fn)(size_t) = malloc;

	if (dladdr((void *)fn, &info) && info.dli_fname)
		snprintf(buf, sizeof(buf), "malloc from %s", info.dli_fname);
	else
		snprintf(buf, sizeof(buf), "malloc from (unknown)");
	return buf;
}
#endif

/* ------------------------------------------------------------- timing */

static inline uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Make the compiler believe p is used, so an alloc/free pair is not removed. */
static inline void escape(void *p)
{
	__asm__ __volatile__("" : : "r"(p) : "memory");
}

static const char *glob = "*";
static int failures;

static bool want(const char *id)
{
	char pat[256];
	const char *g = glob;

	while (*g) {
		size_t n = strcspn(g, ",");
		if (n < sizeof(pat)) {
			memcpy(pat, g, n);
			pat[n] = 0;
			if (fnmatch(pat, id, 0) == 0)
				return true;
		}
		g += n;
		if (*g == ',')
			g++;
	}
	return false;
}

static void report(const char *id, const char *params, uint64_t *v)
{
	uint64_t lo = v[0], hi = v[0];

	for (unsigned i = 1; i < BENCH_RUNS; i++) {
		lo = MIN(lo, v[i]);
		hi = MAX(hi, v[i]);
	}
	uint64_t med = bench_median(v, BENCH_RUNS);
	printf("bench %s %s ns_per_op=%llu.%02llu\n", id, params, (unsigned long long)med / 100,
	       (unsigned long long)med % 100);
	printf("stat %s %s min=%llu.%02llu max=%llu.%02llu\n", id, params,
	       (unsigned long long)lo / 100, (unsigned long long)lo % 100,
	       (unsigned long long)hi / 100, (unsigned long long)hi % 100);
	fflush(stdout);
}

static void fail(const char *id, const char *params, const char *why)
{
	printf("# error %s %s: %s; figure skipped\n", id, params, why);
	failures++;
}

static void *xmalloc_array(size_t n, size_t size)
{
	/* scratch arrays come from the C library in every variant, outside the timed regions */
	void *p = calloc(n, size);
	if (!p) {
		perror("calloc");
		exit(2);
	}
	return p;
}

/* The single-CPU workloads, shared with the kernel's runner (kernel/bench_workloads.h). */
#define BENCH_CLOCK()	  now_ns()
#define BENCH_ALLOC(size) hb_alloc(size)
#define BENCH_FREE(p)	  hb_free(p)
typedef hb_cache bench_cache_t;
#define BENCH_CACHE_ALLOC(c)	   hb_cache_alloc(c)
#define BENCH_CACHE_FREE(c, p)	   hb_cache_free(c, p)
#define BENCH_PAGE_ALLOC(order)	   hb_page_alloc(order)
#define BENCH_PAGE_FREE(pg, order) hb_page_free(pg, order)
#define BENCH_ESCAPE(p)		   escape(p)
#define BENCH_CACHE_CREATE(size)   hb_cache_create(size)
#define BENCH_CACHE_DESTROY(c)	   hb_cache_destroy(c)
#define BENCH_SNPRINTF		   snprintf
#define BENCH_STAT(...)		   printf(__VA_ARGS__)
#define BENCH_SMP_MAX		   HB_MAX_THREADS
#define BENCH_RELAX()		   __builtin_ia32_pause()
#define BENCH_OPS_PER_S(ops, ns)   ((ns) ? (ops)*1000000000ull / (ns) : 0)

static void *bench_array_alloc(size_t bytes)
{
	return xmalloc_array(bytes, 1);
}

static void bench_array_free(void *p, size_t bytes)
{
	(void)bytes;
	free(p);
}

#include "kernel/bench_workloads.h"

/* -------------------------------------------------- single-thread rows */

/* ---------------------------------------------------- two-thread rows */

static void pin(unsigned idx)
{
	cpu_set_t set;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);

	CPU_ZERO(&set);
	CPU_SET(idx % (ncpu > 0 ? (unsigned)ncpu : 1u), &set);
	pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
	hb_set_cpu(idx);
}

/* The workers of kernel/bench_workloads.h's two-CPU parts, as pinned threads. */
static void *smp_kmalloc_thread(void *arg)
{
	struct bench_smp_worker *w = arg;

	pin(w->idx);
	bench_smp_kmalloc_part(w);
	return NULL;
}

static void *smp_remote_thread(void *arg)
{
	struct bench_smp_worker *w = arg;

	pin(w->idx);
	bench_smp_remote_part(w);
	return NULL;
}

static bool smp_run(struct bench_smp_ctx *ctx, unsigned n, void *(*fn)(void *))
{
	pthread_t th[HB_MAX_THREADS];

	ctx->n = n;
	ctx->bar.count = ctx->bar.gen = 0;
	for (unsigned i = 0; i < n; i++) {
		ctx->w[i].ctx = ctx;
		ctx->w[i].idx = i;
		ctx->w[i].failed = false;
		if (pthread_create(&th[i], NULL, fn, &ctx->w[i]) != 0) {
			perror("pthread_create");
			exit(2);
		}
	}
	bool failed = false;
	for (unsigned i = 0; i < n; i++) {
		pthread_join(th[i], NULL);
		failed |= ctx->w[i].failed;
	}
	return !failed;
}

static void bench_smp_kmalloc(struct bench_smp_ctx *ctx)
{
	const uint64_t ops = 2ull * BENCH_BATCH_B * BENCH_BATCH_REPS; /* per thread per run */
	char params[48];

	for (unsigned n = 1; n <= HB_MAX_THREADS; n++) {
		for (unsigned i = 0; i < n; i++)
			ctx->w[i].ptrs = xmalloc_array(BENCH_BATCH_B, sizeof(void *));
		for (unsigned si = 0; si < ARRAY_SIZE(bench_smp_sizes); si++) {
			ctx->size = bench_runtime_value(bench_smp_sizes, si);
			snprintf(params, sizeof(params), "cpus=%u s=%zu", n, ctx->size);
			if (!smp_run(ctx, n, smp_kmalloc_thread)) {
				fail("smp-kmalloc", params, "allocation failed");
				continue;
			}
			uint64_t c = bench_smp_per_op_x100(ctx, n, ops),
				 o = bench_smp_span_ops_per_s(ctx, n, ops);
			printf("bench smp-kmalloc %s ns_per_op=%llu.%02llu ops_per_s=%llu\n",
			       params, (unsigned long long)c / 100, (unsigned long long)c % 100,
			       (unsigned long long)o);
			fflush(stdout);
		}
		for (unsigned i = 0; i < n; i++)
			free(ctx->w[i].ptrs);
	}
}

static void bench_smp_remote_free(struct bench_smp_ctx *ctx)
{
	const uint64_t ops = (uint64_t)BENCH_BATCH_B * BENCH_BATCH_REPS; /* per side per run */
	static const char *const side[2] = { "alloc", "free" };

	ctx->size = BENCH_REMOTE_SIZE;
	ctx->shared = xmalloc_array(BENCH_BATCH_B, sizeof(void *));
	if (!smp_run(ctx, 2, smp_remote_thread)) {
		fail("smp-remote-free", "", "allocation failed");
	} else {
		for (unsigned s = 0; s < 2; s++) {
			uint64_t c, o;
			bench_smp_one(ctx, s, ops, &c, &o);
			printf("bench smp-remote-free side=%s s=%d ns_per_op=%llu.%02llu "
			       "ops_per_s=%llu\n",
			       side[s], BENCH_REMOTE_SIZE, (unsigned long long)c / 100,
			       (unsigned long long)c % 100, (unsigned long long)o);
		}
		fflush(stdout);
	}
	free(ctx->shared);
}

/* ------------------------------------------------------------ probes */

/*
 * The loops callgrind counts (tests/bench/insns.py, --toggle-collect=
 * probe_pairs): n fast-path pairs of one kind. Separate functions per kind,
 * so each call site is the plain call a kernel user makes.
 */
static __noinline void probe_kmalloc(size_t size, unsigned long n)
{
	for (unsigned long i = 0; i < n; i++) {
		void *p = hb_alloc(size);
		escape(p);
		hb_free(p);
	}
}

/*
 * alt64-96: the same pairs, 64 and 96 bytes in turn, so that every free is
 * of another size class than the one before (for mm/: every kfree misses
 * this CPU's kfree pair, mm/slab_percpu.h, and takes kfree_other_cache).
 */
static __noinline void probe_alternate(size_t a, size_t b, unsigned long n)
{
	for (unsigned long i = 0; i < n; i++) {
		void *p = hb_alloc(i & 1 ? b : a);
		escape(p);
		hb_free(p);
	}
}

static __noinline void probe_cache(hb_cache c, unsigned long n)
{
	for (unsigned long i = 0; i < n; i++) {
		void *p = hb_cache_alloc(c);
		escape(p);
		hb_cache_free(c, p);
	}
}

static __noinline void probe_page(unsigned order, unsigned long n)
{
	for (unsigned long i = 0; i < n; i++) {
		void *pg = hb_page_alloc(order);
		escape(pg);
		hb_page_free(pg, order);
	}
}

/* One kmalloc-batch repetition of n objects: allocate them all, free them in order. */
static __noinline void probe_batch(size_t size, unsigned long n)
{
	static void *ptrs[BENCH_BATCH_B];

	n = MIN(n, (unsigned long)BENCH_BATCH_B);
	for (unsigned long i = 0; i < n; i++)
		ptrs[i] = hb_alloc(size);
	for (unsigned long i = 0; i < n; i++)
		hb_free(ptrs[i]);
}

/* The objects of the free256 probes (see free_round). */
static void *free_ptrs[BENCH_BATCH_B];

static __noinline void probe_free_all(unsigned long n)
{
	for (unsigned long i = 0; i < n; i++)
		hb_free(free_ptrs[i]);
}

static const unsigned probe_params[] = { 64, 0, 96 }; /* kmalloc size, page order, size */

static void probe_dispatch(const char *kind, hb_cache c, unsigned long n)
{
	if (!strcmp(kind, "kmalloc64"))
		probe_kmalloc(bench_runtime_value(probe_params, 0), n);
	else if (!strcmp(kind, "alt64-96"))
		probe_alternate(bench_runtime_value(probe_params, 0),
				bench_runtime_value(probe_params, 2), n);
	else if (!strcmp(kind, "batch64"))
		probe_batch(bench_runtime_value(probe_params, 0), n);
	else if (!strcmp(kind, "cache192"))
		probe_cache(c, n);
	else if (!strcmp(kind, "page0"))
		probe_page(bench_runtime_value(probe_params, 1), n);
	else
		probe_free_all(n);
}

/*
 * What callgrind collects (--toggle-collect=probe_pairs): everything executed
 * from its entry to its return. Not static, never cloned, so the symbol is there.
 */
__attribute__((noinline, noclone, used)) void probe_pairs(const char *kind, hb_cache c,
							  unsigned long n);
__attribute__((noinline, noclone, used)) void probe_pairs(const char *kind, hb_cache c,
							  unsigned long n)
{
	probe_dispatch(kind, c, n);
}

/*
 * free256-local / free256-remote: the free phase of one smp-remote-free
 * repetition. CPU 0 (this thread) allocates n 256-byte objects; they are
 * then freed in order inside probe_pairs, by this thread (local) or by a
 * thread playing CPU 1 (remote). One whole round first, uncollected, so the
 * slabs and per-CPU arrays are in their steady state.
 */
struct free_job {
	const char *kind;
	unsigned long n;
	bool collect;
};

static void *free_thread(void *arg)
{
	struct free_job *job = arg;

	pin(1);
	if (job->collect)
		probe_pairs(job->kind, 0, job->n);
	else
		probe_free_all(job->n);
	return NULL;
}

static void free_round(const char *kind, unsigned long n, bool collect)
{
	struct free_job job = { kind, n, collect };
	pthread_t th;

	for (unsigned long i = 0; i < n; i++)
		free_ptrs[i] = hb_alloc(bench_runtime_value(bench_rand_sizes, 1));
	if (!strcmp(kind, "free256-remote")) {
		if (pthread_create(&th, NULL, free_thread, &job) != 0)
			exit(2);
		pthread_join(th, NULL);
	} else if (collect) {
		probe_pairs(kind, 0, n);
	} else {
		probe_free_all(n);
	}
}

static int probe_main(const char *kind, unsigned long n)
{
	static const char *const kinds[] = { "kmalloc64",     "alt64-96", "batch64",
					     "cache192",      "page0",	  "free256-local",
					     "free256-remote" };
	bool known = false;

	for (unsigned i = 0; i < ARRAY_SIZE(kinds); i++)
		known |= !strcmp(kind, kinds[i]);
	if (!known) {
		fprintf(stderr, "host_bench: --probe kmalloc64|alt64-96|batch64|cache192|page0|"
				"free256-local|free256-remote <n>\n");
		return 2;
	}
	pin(0);
	if (!strncmp(kind, "free256", 7)) {
		n = MIN(n, (unsigned long)BENCH_BATCH_B);
		free_round(kind, n, false);
		free_round(kind, n, true);
		return 0;
	}
	hb_cache c = hb_cache_create(BENCH_CACHE_SIZE);
	/* warm-up outside probe_pairs (not collected): the per-CPU caches fill up */
	probe_dispatch(kind, c, strcmp(kind, "batch64") ? 1000 : n);
	probe_pairs(kind, c, n);
	hb_cache_destroy(c);
	return 0;
}

/* -------------------------------------------------------------- main */

int main(int argc, char **argv)
{
	static uint32_t perm[BENCH_BATCH_B];
	static struct bench_smp_ctx ctx;

	setvbuf(stdout, NULL, _IOLBF, 0);
	hb_init();
	hb_set_cpu(0);
	if (argc == 4 && !strcmp(argv[1], "--probe"))
		return probe_main(argv[2], strtoul(argv[3], NULL, 0));
	if (argc > 1)
		glob = argv[1];

	bool perm_ok = bench_make_perm(perm, BENCH_BATCH_B);
	printf("# host_bench %s: %s\n", HB_NAME, hb_describe());
	printf("# timing: CLOCK_MONOTONIC around each timed region, ns; median of %d runs after %d "
	       "warm-up; threads pinned to host CPUs\n",
	       BENCH_RUNS, BENCH_WARMUP);
	printf("# kmalloc-batch-rand free order: perm[0..3]=%u,%u,%u,%u perm[B-1]=%u: %s\n",
	       perm[0], perm[1], perm[2], perm[3], perm[BENCH_BATCH_B - 1],
	       perm_ok ? "matches WORKLOADS.md" : "DOES NOT MATCH WORKLOADS.md");
	if (!perm_ok)
		return 1;

	/* the single-thread rows run on thread "CPU 0", pinned like the others */
	pin(0);
	if (want("kmalloc-pair"))
		bench_kmalloc_pair();
	if (want("kmalloc-batch"))
		bench_kmalloc_batch("kmalloc-batch", bench_kmalloc_sizes,
				    ARRAY_SIZE(bench_kmalloc_sizes), NULL);
	if (want("kmalloc-batch-rand"))
		bench_kmalloc_batch("kmalloc-batch-rand", bench_rand_sizes,
				    ARRAY_SIZE(bench_rand_sizes), perm);
	if (want("cache-pair"))
		bench_cache_pair();
	if (want("page-pair"))
		bench_page_pair();
	if (want("page-batch"))
		bench_page_batch();
	if (want("smp-kmalloc"))
		bench_smp_kmalloc(&ctx);
	if (want("smp-remote-free"))
		bench_smp_remote_free(&ctx);
	printf("# host_bench %s: done%s\n", HB_NAME, failures ? ", with errors" : "");
	return failures ? 1 : 0;
}
