/*
 * bench.c - the allocator benchmarks of shared/bench/WORKLOADS.md, run inside
 * the kernel when it is booted with bench=<glob> (`make bench`).
 *
 * Method. A figure is TSC ticks over a timed region divided by the operations
 * in it. The region opens and closes with lfence; rdtsc; lfence, so that
 * nothing before it is still executing when the counter is read and nothing
 * after it starts early. One run is the whole workload (all N pairs, or all
 * 20 batches); each figure is the median of BENCH_RUNS runs after
 * BENCH_WARMUP untimed ones, so a cold cache, a slab being created or a
 * per-CPU list being filled is not what is measured. The division is done in
 * integer fixed point (hundredths): the kernel has no floating point.
 *
 * What the compiler may not do. Sizes and orders are read from tables through
 * a volatile load and an empty asm the compiler cannot see through, so
 * kmalloc(size) is the general call a driver with a run-time size makes, not
 * a call the compiler specialised for one constant.
 *
 * Context. This kernel has no preemption, so the *-pair loops run as plain
 * kernel code, as Linux's run under preempt_disable(); interrupts are on
 * (bench_main turns them on on the boot CPU; the header says so).
 * The two-CPU workloads run the same code on each CPU at once, started by a
 * spinning barrier.
 */
#include "kernel/bench.h"

#include "arch/x86_64/tsc.h"
#include "kernel/arch.h"
#include "kernel/cmdline.h"
#include "kernel/ktest.h"
#include "kernel/printk.h"
#include "kernel/smp.h"
#include "mm/gfp.h"
#include "mm/slab.h"

CMDLINE_PARAM(bench, "run the allocator benchmarks whose ids match this glob "
		     "(bench=* for all, bench=kmalloc-*,page-pair), then exit QEMU");

static bool bench_failed;

/* ------------------------------------------------------------ timing */

/* The TSC, serialised on both sides (see the top of the file). */
static __always_inline uint64_t tsc_fenced(void)
{
	uint32_t lo, hi;

	__asm__ __volatile__("lfence\n\trdtsc\n\tlfence" : "=a"(lo), "=d"(hi) : : "memory");
	return ((uint64_t)hi << 32) | lo;
}

/* ------------------------------------------------------------ output */

/* Split a hundredths figure for "%llu.%02llu". */
#define FX(v) (unsigned long long)((v) / 100), (unsigned long long)((v) % 100)

static void report(const char *id, const char *params, uint64_t *runs_x100)
{
	uint64_t lo = runs_x100[0], hi = runs_x100[0];

	for (unsigned i = 1; i < BENCH_RUNS; i++) {
		lo = MIN(lo, runs_x100[i]);
		hi = MAX(hi, runs_x100[i]);
	}
	uint64_t med = bench_median(runs_x100, BENCH_RUNS);

	pr_info("bench %s %s cycles_per_op=%llu.%02llu\n", id, params, FX(med));
	pr_info("stat %s %s min=%llu.%02llu med=%llu.%02llu max=%llu.%02llu runs=%u\n", id, params,
		FX(lo), FX(med), FX(hi), BENCH_RUNS);
}

static void fail(const char *id, const char *params, const char *why)
{
	pr_info("# error %s %s: %s; figure skipped\n", id, params, why);
	bench_failed = true;
}

/* ------------------------------------------------------ scratch arrays */

/*
 * The pointer arrays and the permutation live in whole pages from the buddy
 * allocator, taken before any timing starts: B pointers are 80,000 bytes,
 * which would otherwise be a large kmalloc of its own inside the workload.
 */
static void *scratch_alloc(size_t bytes, unsigned *order_out)
{
	unsigned order = 0;

	while ((PAGE_SIZE << order) < bytes)
		order++;
	struct page *pg = alloc_pages(GFP_KERNEL, order);

	*order_out = order;
	return pg ? page_address(pg) : NULL;
}

static void scratch_free(void *p, unsigned order)
{
	if (p)
		__free_pages(virt_to_page(p), order);
}

/* ------------------------------------------------------------ workloads */

/* ops / (cycles / tsc_hz), all in integers */
static uint64_t ops_per_s(uint64_t ops, uint64_t cycles)
{
	return cycles ? ops * tsc_khz * 1000 / cycles : 0;
}

/* The workloads are shared with the hosted runner (kernel/bench_workloads.h). */
#define BENCH_CLOCK()	  tsc_fenced()
#define BENCH_ALLOC(size) kmalloc(size, GFP_KERNEL)
#define BENCH_FREE(p)	  kfree(p)
typedef struct kmem_cache *bench_cache_t;
#define BENCH_CACHE_ALLOC(c)	   kmem_cache_alloc(c, GFP_KERNEL)
#define BENCH_CACHE_FREE(c, p)	   kmem_cache_free(c, p)
#define BENCH_PAGE_ALLOC(order)	   ((void *)alloc_pages(GFP_KERNEL, order))
#define BENCH_PAGE_FREE(pg, order) __free_pages((struct page *)(pg), order)
#define BENCH_ESCAPE(p)		   ((void)(p))
#define BENCH_CACHE_CREATE(size)   kmem_cache_create("bench_192", size, 0, 0, NULL)
#define BENCH_CACHE_DESTROY(c)	   kmem_cache_destroy(c)
#define BENCH_SNPRINTF		   ksnprintf
#define BENCH_STAT(...)		   pr_info(__VA_ARGS__)
#define BENCH_SMP_MAX		   NR_CPUS
#define BENCH_RELAX()		   cpu_relax()
#define BENCH_OPS_PER_S(ops, c)	   ops_per_s(ops, c)

static unsigned bytes_order(size_t bytes)
{
	unsigned order = 0;

	while ((PAGE_SIZE << order) < bytes)
		order++;
	return order;
}

static void *bench_array_alloc(size_t bytes)
{
	unsigned order;

	return scratch_alloc(bytes, &order);
}

static void bench_array_free(void *p, size_t bytes)
{
	scratch_free(p, bytes_order(bytes));
}

#include "kernel/bench_workloads.h"

/* ------------------------------------------------------- SMP machinery */

/* The workers of kernel/bench_workloads.h's two-CPU parts, as idle-loop work. */
static void smp_kmalloc_worker(void *arg)
{
	struct bench_smp_worker *w = arg;

	w->cpu = smp_processor_id();
	bench_smp_kmalloc_part(w);
}

static void smp_remote_worker(void *arg)
{
	struct bench_smp_worker *w = arg;

	w->cpu = smp_processor_id();
	bench_smp_remote_part(w);
}

/*
 * Run fn on CPUs 0..n-1 at once: the others get it as idle-loop work
 * (interrupts on, as on this CPU), this CPU (0) runs worker 0 itself. The
 * barrier inside fn lines the starts up. False when a CPU would not take the job.
 */
static bool smp_run(struct bench_smp_ctx *ctx, unsigned n, smp_call_func_t fn)
{
	unsigned queued = 1;
	bool ok = true;

	ctx->n = n;
	ctx->bar.count = 0;
	ctx->bar.gen = 0;
	for (unsigned i = 0; i < n; i++) {
		ctx->w[i].ctx = ctx;
		ctx->w[i].idx = i;
		ctx->w[i].failed = false;
	}
	for (unsigned i = 1; i < n; i++) {
		if (!cpu_online(i) || !smp_work_done(i)) {
			pr_info("# error: CPU %u is not online and idle: cannot run on %u CPUs\n",
				i, n);
			return false;
		}
	}
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	for (; queued < n; queued++) {
		int err = smp_queue_work(queued, fn, &ctx->w[queued]);
		/* the workers queued so far would wait at the first barrier for ever */
		if (err)
			panic("bench: CPU %u refused the benchmark job (%d)", queued, err);
	}
	fn(&ctx->w[0]);
	for (unsigned i = 1; i < n; i++)
		smp_wait_work(i);
	for (unsigned i = 0; i < n; i++)
		ok &= !ctx->w[i].failed;
	return ok;
}

/*
 * Each of workers 0..n-1 its own array of bytes (whole pages: see
 * scratch_alloc); true if all n got one. smp_arrays_free frees what was
 * given either way.
 */
static bool smp_arrays_alloc(struct bench_smp_ctx *ctx, unsigned n, size_t bytes)
{
	for (unsigned i = 0; i < n; i++)
		ctx->w[i].ptrs = scratch_alloc(bytes, &ctx->w[i].ptrs_order);
	for (unsigned i = 0; i < n; i++)
		if (!ctx->w[i].ptrs)
			return false;
	return true;
}

static void smp_arrays_free(struct bench_smp_ctx *ctx, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		scratch_free(ctx->w[i].ptrs, ctx->w[i].ptrs_order);
		ctx->w[i].ptrs = NULL;
	}
}

/*
 * How far any allocator could scale here, run and measured like smp-kmalloc
 * (barrier, median of the runs, all operations over the span from the first
 * start to the last end), with nothing shared between the CPUs:
 *
 * - arithmetic: a loop of multiply-adds on a local variable, no memory;
 * - private arrays: kmalloc-batch's pattern of loads and stores at the same
 *   object size, without an allocator. Each CPU "allocates" by popping
 *   made-up object addresses (never dereferenced, like the allocator's fast
 *   paths, which never touch the objects) off a private stack into its
 *   pointer array, then "frees" them in the same order, reading a 32-byte
 *   descriptor per 4 KiB of address (as kfree reads the struct page) and
 *   pushing them back. Every CPU's arrays are its own pages.
 *
 * Under TCG the guest's CPUs are host threads that share the host's cores
 * with QEMU's own threads, and each guest load or store goes through
 * QEMU's software TLB, so neither loop need double; what the second gives
 * is as far as any per-CPU allocator could scale here.
 *
 * The private arrays run in paired rounds, interleaved with kmalloc-batch,
 * because the host's cores change speed from one second to the next
 * (docs/BENCHMARKS.md): a ceiling taken seconds after the smp-kmalloc rows
 * may describe another host. Each round runs back to back, about a tenth of
 * a second each under TCG: kmalloc-batch on one CPU, the arrays on one CPU,
 * kmalloc-batch on n CPUs, the arrays on n CPUs (each a full smp_run:
 * warm-up, then the median of BENCH_RUNS). A round gives both scalings and,
 * for each CPU, its cost per operation with n CPUs over CPU 0's alone, for
 * the allocator and for the arrays: a tax the arrays pay as well is the
 * host's (or QEMU's); what the allocator pays beyond it is ours.
 */
#define SMP_SPIN_ITERS	   2000000u
#define SMP_MEM_DESC_WORDS 4   /* a 32-byte descriptor (sizeof(struct page)) per 4 KiB */
#define SMP_MEM_REPS	   240 /* batches per run: about as long as a kmalloc-batch run */
#define SMP_PAIRED_ROUNDS  8

static void smp_spin_worker(void *arg)
{
	struct bench_smp_worker *w = arg;
	struct bench_smp_ctx *ctx = w->ctx;

	w->cpu = smp_processor_id();
	for (unsigned r = 0; r < BENCH_TOTAL_RUNS; r++) {
		volatile uint64_t x = r;

		barrier_wait(&ctx->bar, ctx->n);
		w->t0[r] = tsc_fenced();
		for (unsigned i = 0; i < SMP_SPIN_ITERS; i++)
			x = x * 6364136223846793005ull + i;
		w->t1[r] = tsc_fenced();
		w->busy[r] = w->t1[r] - w->t0[r];
	}
}

/*
 * For objects of `size` bytes, w->ptrs holds, one after the other: the
 * pointer array (B), the stack of free made-up objects (B) and the
 * descriptors (one per 4 KiB of them). smp-kmalloc's workers use only the
 * first part, so one allocation serves both in the paired rounds.
 */
static size_t smp_mem_bytes(size_t size)
{
	const size_t descs = (BENCH_BATCH_B * size >> PAGE_SHIFT) + 1;

	return 2 * BENCH_BATCH_B * sizeof(void *) + descs * SMP_MEM_DESC_WORDS * sizeof(uint64_t);
}

static void smp_mem_worker(void *arg)
{
	struct bench_smp_worker *w = arg;
	struct bench_smp_ctx *ctx = w->ctx;
	uintptr_t *ptrs = (uintptr_t *)w->ptrs, *stack = ptrs + BENCH_BATCH_B;
	const uint64_t *desc = (const uint64_t *)(stack + BENCH_BATCH_B);
	const uintptr_t base = PAGE_OFFSET; /* object i: base + i * size (never dereferenced) */
	const size_t size = ctx->size;
	uint64_t sum = 0;

	w->cpu = smp_processor_id();
	for (uint32_t i = 0; i < BENCH_BATCH_B; i++)
		stack[i] = base + (uintptr_t)(BENCH_BATCH_B - 1 - i) * size;
	for (unsigned r = 0; r < BENCH_TOTAL_RUNS; r++) {
		uint32_t top = BENCH_BATCH_B;

		barrier_wait(&ctx->bar, ctx->n);
		w->t0[r] = tsc_fenced();
		for (unsigned rep = 0; rep < SMP_MEM_REPS; rep++) {
			/* the compiler barriers keep it one operation at a time, as calls would */
			for (uint32_t i = 0; i < BENCH_BATCH_B; i++) {
				ptrs[i] = stack[--top];
				__asm__ __volatile__("" ::: "memory");
			}
			for (uint32_t i = 0; i < BENCH_BATCH_B; i++) {
				uintptr_t p = ptrs[i];
				sum += desc[((p - base) >> PAGE_SHIFT) * SMP_MEM_DESC_WORDS];
				stack[top++] = p;
				__asm__ __volatile__("" ::: "memory");
			}
		}
		w->t1[r] = tsc_fenced();
		w->busy[r] = w->t1[r] - w->t0[r];
	}
	/* the descriptor loads are used (whatever they read: the pages are not cleared) */
	__asm__ __volatile__("" : : "r"(sum));
}

/* One smp_run of fn on n CPUs: span ops/s and each CPU's median cycles per op (x100). */
struct smp_sample {
	uint64_t ops_s;
	uint64_t per_op_x100[NR_CPUS];
};

static bool smp_sample(struct bench_smp_ctx *ctx, unsigned n, smp_call_func_t fn, uint64_t ops,
		       struct smp_sample *out)
{
	if (!smp_run(ctx, n, fn))
		return false;
	out->ops_s = bench_smp_span_ops_per_s(ctx, n, ops);
	for (unsigned i = 0; i < n; i++) {
		uint64_t unused;
		bench_smp_one(ctx, i, ops, &out->per_op_x100[i], &unused);
	}
	return out->ops_s != 0;
}

/* a / b in hundredths, rounded; 0 when b is 0 (a run too short for the clock) */
static uint64_t x100_ratio(uint64_t a, uint64_t b)
{
	return b ? (a * 100 + b / 2) / b : 0;
}

static void bench_smp_ceiling_spin(struct bench_smp_ctx *ctx, unsigned n)
{
	struct smp_sample one, all;

	if (!smp_sample(ctx, 1, smp_spin_worker, SMP_SPIN_ITERS, &one) ||
	    !smp_sample(ctx, n, smp_spin_worker, SMP_SPIN_ITERS, &all))
		return;
	pr_info("# smp ceiling cpus=%u: a loop of arithmetic (no memory, nothing shared) gives "
		"%llu.%02llux the ops/s of one CPU, measured as smp-kmalloc\n",
		n, FX(x100_ratio(all.ops_s, one.ops_s)));
}

/*
 * The paired rounds for one size (see above); ctx->w[0..n-1].ptrs hold
 * smp_mem_bytes(ctx->size) each. Prints a stat line per round and a summary
 * of medians over the rounds.
 */
static void bench_smp_paired(struct bench_smp_ctx *ctx, unsigned n)
{
	const uint64_t kops = 2ull * BENCH_BATCH_B * BENCH_BATCH_REPS,
		       mops = 2ull * BENCH_BATCH_B * SMP_MEM_REPS;
	uint64_t ks[SMP_PAIRED_ROUNDS], ms[SMP_PAIRED_ROUNDS], rel[SMP_PAIRED_ROUNDS];
	uint64_t ktax[SMP_PAIRED_ROUNDS], mtax[SMP_PAIRED_ROUNDS];

	for (unsigned r = 0; r < SMP_PAIRED_ROUNDS; r++) {
		struct smp_sample k1, m1, kn, mn;
		char line[24 * NR_CPUS]; /* " cpuN=<k>/<a>" per CPU */
		int at;

		if (!smp_sample(ctx, 1, smp_kmalloc_worker, kops, &k1) ||
		    !smp_sample(ctx, 1, smp_mem_worker, mops, &m1) ||
		    !smp_sample(ctx, n, smp_kmalloc_worker, kops, &kn) ||
		    !smp_sample(ctx, n, smp_mem_worker, mops, &mn)) {
			fail("smp-kmalloc", "paired rounds",
			     "a worker failed: kmalloc returned NULL or a CPU could not start");
			return;
		}
		ks[r] = x100_ratio(kn.ops_s, k1.ops_s);
		ms[r] = x100_ratio(mn.ops_s, m1.ops_s);
		rel[r] = x100_ratio(ks[r], ms[r]);
		/* the mean over the CPUs of (cost with n CPUs / CPU 0's alone), in hundredths */
		uint64_t ksum = 0, msum = 0;
		at = ksnprintf(line, sizeof(line), "tax");
		for (unsigned i = 0; i < n; i++) {
			uint64_t kt = x100_ratio(kn.per_op_x100[i], k1.per_op_x100[0]),
				 mt = x100_ratio(mn.per_op_x100[i], m1.per_op_x100[0]);
			ksum += kt;
			msum += mt;
			if (at > 0 && (size_t)at < sizeof(line))
				at += ksnprintf(line + at, sizeof(line) - at,
						" cpu%u=%llu.%02llu/%llu.%02llu", ctx->w[i].cpu,
						FX(kt), FX(mt));
		}
		ktax[r] = (ksum + n / 2) / n;
		mtax[r] = (msum + n / 2) / n;
		pr_info("stat smp-paired cpus=%u s=%zu round=%u kmalloc=%llu.%02llux "
			"arrays=%llu.%02llux kmalloc/arrays=%llu.%02llu %s\n",
			n, ctx->size, r + 1, FX(ks[r]), FX(ms[r]), FX(rel[r]), line);
	}
	pr_info("# smp paired cpus=%u s=%zu: over %u rounds, kmalloc-batch gives %llu.%02llux "
		"the ops/s of one CPU and the private arrays %llu.%02llux in the same seconds "
		"(medians); kmalloc/arrays %llu.%02llu; each CPU's cost with %u CPUs over one "
		"alone: kmalloc %llu.%02llu, arrays %llu.%02llu\n",
		n, ctx->size, SMP_PAIRED_ROUNDS, FX(bench_median(ks, SMP_PAIRED_ROUNDS)),
		FX(bench_median(ms, SMP_PAIRED_ROUNDS)), FX(bench_median(rel, SMP_PAIRED_ROUNDS)),
		n, FX(bench_median(ktax, SMP_PAIRED_ROUNDS)),
		FX(bench_median(mtax, SMP_PAIRED_ROUNDS)));
}

static void bench_smp_ceiling(struct bench_smp_ctx *ctx, unsigned n)
{
	bench_smp_ceiling_spin(ctx, n);
	for (unsigned si = 0; si < ARRAY_SIZE(bench_smp_sizes); si++) {
		ctx->size = bench_runtime_value(bench_smp_sizes, si);
		if (smp_arrays_alloc(ctx, n, smp_mem_bytes(ctx->size)))
			bench_smp_paired(ctx, n);
		else
			pr_info("# smp paired rounds s=%zu skipped: no pages for the arrays\n",
				ctx->size);
		smp_arrays_free(ctx, n);
	}
}

static void bench_smp_kmalloc(struct bench_smp_ctx *ctx)
{
	const uint64_t ops = 2ull * BENCH_BATCH_B * BENCH_BATCH_REPS; /* per CPU per run */
	unsigned ncpu = MIN(num_online_cpus(), (unsigned)NR_CPUS);
	char params[48];

	if (ncpu < 2)
		pr_info("# smp-kmalloc: only one CPU online: cpus=1 rows only\n");
	for (unsigned n = 1; n <= ncpu; n++) {
		bool got = smp_arrays_alloc(ctx, n, BENCH_BATCH_B * sizeof(void *));

		for (unsigned si = 0; si < ARRAY_SIZE(bench_smp_sizes) && got; si++) {
			ctx->size = bench_runtime_value(bench_smp_sizes, si);
			ksnprintf(params, sizeof(params), "cpus=%u s=%zu", n, ctx->size);
			if (!smp_run(ctx, n, smp_kmalloc_worker)) {
				fail("smp-kmalloc", params,
				     "a worker failed: kmalloc returned NULL or a CPU could not "
				     "start");
				continue;
			}
			/* per-CPU cycles/op averaged over the CPUs; all ops over the whole span */
			uint64_t c = bench_smp_per_op_x100(ctx, n, ops),
				 o = bench_smp_span_ops_per_s(ctx, n, ops);
			pr_info("bench smp-kmalloc %s cycles_per_op=%llu.%02llu ops_per_s=%llu\n",
				params, FX(c), (unsigned long long)o);
			for (unsigned i = 0; i < n; i++) {
				uint64_t m, unused;
				bench_smp_one(ctx, i, ops, &m, &unused);
				pr_info("stat smp-kmalloc %s cpu=%u "
					"cycles_per_op_med=%llu.%02llu\n",
					params, ctx->w[i].cpu, FX(m));
			}
		}
		if (!got)
			fail("smp-kmalloc", "", "no pages for the pointer arrays");
		smp_arrays_free(ctx, n);
	}
}

static void bench_smp_remote_free(struct bench_smp_ctx *ctx)
{
	const uint64_t ops = (uint64_t)BENCH_BATCH_B * BENCH_BATCH_REPS; /* per side per run */
	static const char *const side[2] = { "alloc", "free" };
	unsigned order;
	char params[48];

	if (num_online_cpus() < 2) {
		pr_info("# smp-remote-free skipped: it needs 2 online CPUs\n");
		return;
	}
	ctx->size = BENCH_REMOTE_SIZE;
	ctx->shared = scratch_alloc(BENCH_BATCH_B * sizeof(void *), &order);
	if (!ctx->shared) {
		fail("smp-remote-free", "", "no pages for the hand-over array");
		return;
	}
	if (!smp_run(ctx, 2, smp_remote_worker)) {
		fail("smp-remote-free", "",
		     "a worker failed: kmalloc returned NULL or a CPU could not start");
	} else {
		for (unsigned s = 0; s < 2; s++) {
			uint64_t c, o;
			bench_smp_one(ctx, s, ops, &c, &o);
			ksnprintf(params, sizeof(params), "side=%s s=%u", side[s],
				  BENCH_REMOTE_SIZE);
			pr_info("bench smp-remote-free %s cycles_per_op=%llu.%02llu "
				"ops_per_s=%llu\n",
				params, FX(c), (unsigned long long)o);
			pr_info("stat smp-remote-free %s cpu=%u\n", params, ctx->w[s].cpu);
		}
	}
	scratch_free(ctx->shared, order);
	ctx->shared = NULL;
}

/* ------------------------------------------------------------- driver */

static uint32_t *bench_perm;
static unsigned bench_perm_order;
static struct bench_smp_ctx bench_smp_ctx;

/*
 * Every CPU starts the workloads with the same software TLB under TCG.
 *
 * QEMU (TCG) translates each guest load and store through a direct-mapped
 * software TLB per guest CPU, and sizes it only when that CPU flushes its
 * whole TLB: it doubles when more than 70% of it was in use since the
 * previous full flush, and starts at 256 entries (accel/tcg/cputlb.c,
 * tlb_mmu_resize_locked). The boot CPU flushes often while the kernel sets
 * up its page tables, so its TLB has grown by the time the benchmark starts;
 * an AP hardly ever flushes and keeps 256 entries, and its loads and stores
 * miss that TLB more often: the same loop on its own data ran 15-20% slower
 * on CPU 1 than on CPU 0 on average, whichever host core ran which
 * (docs/BENCHMARKS.md), which capped smp-kmalloc's scaling. So before the
 * workloads every CPU reads one word from each of BENCH_PRIME_PAGES pages
 * and flushes its whole TLB, BENCH_PRIME_ROUNDS times, which takes every
 * CPU's TLB from 256 entries to at least BENCH_PRIME_PAGES. On hardware (or
 * KVM) this is a few milliseconds of reads and flushes, and changes nothing.
 */
#define BENCH_PRIME_ORDER  10
#define BENCH_PRIME_BLOCKS 8 /* 8 blocks of 1,024 pages: 32 MiB */
#define BENCH_PRIME_PAGES  (BENCH_PRIME_BLOCKS << BENCH_PRIME_ORDER)
#define BENCH_PRIME_ROUNDS 6 /* 256 -> 16,384 entries, doubling at each flush */

struct bench_prime {
	void *block[BENCH_PRIME_BLOCKS];
	unsigned nr;
};

static void bench_prime_this_cpu(void *arg)
{
	const struct bench_prime *pr = arg;

	for (unsigned round = 0; round < BENCH_PRIME_ROUNDS; round++) {
		for (unsigned b = 0; b < pr->nr; b++)
			for (unsigned i = 0; i < (1u << BENCH_PRIME_ORDER); i++)
				(void)READ_ONCE(*(const uint64_t *)((const char *)pr->block[b] +
								    i * PAGE_SIZE));
		__flush_tlb_all_local();
	}
}

static void bench_prime_tlbs(void)
{
	struct bench_prime pr = { .nr = 0 };

	for (; pr.nr < BENCH_PRIME_BLOCKS; pr.nr++) {
		unsigned order;

		pr.block[pr.nr] = scratch_alloc(PAGE_SIZE << BENCH_PRIME_ORDER, &order);
		if (!pr.block[pr.nr])
			break;
	}
	on_each_cpu(bench_prime_this_cpu, &pr, true);
	pr_info("# every CPU read %u pages and flushed its TLB %u times before the workloads "
		"(under TCG: QEMU's software TLB the same size on every CPU, see kernel/bench.c)\n",
		pr.nr << BENCH_PRIME_ORDER, BENCH_PRIME_ROUNDS);
	for (unsigned b = 0; b < pr.nr; b++)
		scratch_free(pr.block[b], BENCH_PRIME_ORDER);
}

int bench_run(const char *glob)
{
	if (!glob || !*glob)
		glob = "*";
	bench_failed = false;
	/*
	 * WORKLOADS.md runs every loop with interrupts on. The boot CPU has had
	 * them off since boot (nothing needed them: the PICs and the APIC timer
	 * are masked), so turn them on, as the other CPUs have them while they
	 * run idle-loop work. It matters beyond principle: under TCG, code that
	 * restores an enabled interrupt flag ends a translation block.
	 */
	arch_local_irq_restore(arch_local_irq_save() | X86_EFLAGS_IF);
	uint64_t start = tsc_fenced();

	pr_info("# bench: WORKLOADS.md allocator benchmarks, ids matching \"%s\"; %u online CPUs, "
		"tsc_khz=%llu\n",
		glob, num_online_cpus(), (unsigned long long)tsc_khz);
	pr_info("# allocators: kmalloc/kfree, kmem_cache_alloc/free (dedicated cache), "
		"alloc_pages/__free_pages (mm/slab.c, mm/kmalloc.c, mm/page_alloc.c)\n");
	pr_info("# timing: rdtsc between lfences around each timed region; cycles = TSC ticks; "
		"median of %u runs after %u warm-up\n",
		BENCH_RUNS, BENCH_WARMUP);
	pr_info("# context: plain kernel context (no preemption in this kernel), interrupts %s; "
		"GFP_KERNEL\n",
		arch_irqs_disabled() ? "OFF" : "on");
	pr_info("# sizes: pair N=%u, batch B=%u x %u reps, page-pair N=%u (o<=3) / %u (o>3)\n",
		BENCH_PAIR_N, BENCH_BATCH_B, BENCH_BATCH_REPS, BENCH_PAGE_N_SMALL,
		BENCH_PAGE_N_LARGE);
	bench_prime_tlbs();

	bench_perm = scratch_alloc(BENCH_BATCH_B * sizeof(uint32_t), &bench_perm_order);
	if (bench_perm) {
		bool good = bench_make_perm(bench_perm, BENCH_BATCH_B);

		pr_info("# kmalloc-batch-rand free order (xorshift64 13/7/17, seed %u, "
			"Fisher-Yates "
			"from the top): perm[0..3]=%u,%u,%u,%u perm[B-1]=%u: %s\n",
			BENCH_PERM_SEED, bench_perm[0], bench_perm[1], bench_perm[2], bench_perm[3],
			bench_perm[BENCH_BATCH_B - 1],
			good ? "matches WORKLOADS.md" : "DOES NOT MATCH WORKLOADS.md");
		if (!good) {
			bench_failed = true;
			scratch_free(bench_perm, bench_perm_order);
			bench_perm = NULL;
		}
	}

	if (ktest_glob_match(glob, "kmalloc-pair"))
		bench_kmalloc_pair();
	if (ktest_glob_match(glob, "kmalloc-batch"))
		bench_kmalloc_batch("kmalloc-batch", bench_kmalloc_sizes,
				    ARRAY_SIZE(bench_kmalloc_sizes), NULL);
	if (ktest_glob_match(glob, "kmalloc-batch-rand")) {
		if (bench_perm)
			bench_kmalloc_batch("kmalloc-batch-rand", bench_rand_sizes,
					    ARRAY_SIZE(bench_rand_sizes), bench_perm);
		else
			fail("kmalloc-batch-rand", "", "no valid free order");
	}
	if (ktest_glob_match(glob, "cache-pair"))
		bench_cache_pair();
	if (ktest_glob_match(glob, "page-pair"))
		bench_page_pair();
	if (ktest_glob_match(glob, "page-batch"))
		bench_page_batch();
	if (ktest_glob_match(glob, "smp-kmalloc")) {
		bench_smp_kmalloc(&bench_smp_ctx);
		if (num_online_cpus() > 1)
			bench_smp_ceiling(&bench_smp_ctx,
					  MIN(num_online_cpus(), (unsigned)NR_CPUS));
	}
	if (ktest_glob_match(glob, "smp-remote-free"))
		bench_smp_remote_free(&bench_smp_ctx);

	scratch_free(bench_perm, bench_perm_order);
	pr_info("# bench: done in %llu Mcycles%s\n",
		(unsigned long long)((tsc_fenced() - start) / 1000000),
		bench_failed ? "; some figures FAILED" : "");
	return bench_failed ? -1 : 0;
}

void bench_main(void)
{
	const char *glob = cmdline_get("bench");

	if (!glob)
		return;
	int err = bench_run(glob);
	arch_exit_qemu(err ? QEMU_EXIT_FAILURE : QEMU_EXIT_SUCCESS);
}
